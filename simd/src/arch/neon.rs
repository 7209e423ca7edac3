//! NEON backend (AArch64): 4-lane `float32x4_t` registers (each 16-lane block of a batch is four
//! lane groups).

use core::arch::aarch64::float32x4_t;

super::entry_points!(
    "neon",
    float32x4_t,
    gram_tile = (2, 2),
    solve_tile = (2, 4, true),
    load_tile = (float32x4_t, float32x4_t),
    store_tile = float32x4_t,
    seg_tile = float32x4_t
);

super::gemm_entry_points!(
    "neon",
    split = [(float32x4_t, 4, 2), (float32x4_t, 4, 1)],
    interleaved = [(float32x4_t, 4, 2), (float32x4_t, 4, 1)],
    grouped = [(float32x4_t, 4, 2), (float32x4_t, 4, 1)],
    small = [float32x4_t]
);
