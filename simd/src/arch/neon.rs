//! NEON backend (AArch64): 4-lane `float32x4_t` registers (each 16-lane block of a batch is four
//! lane groups).

use core::arch::aarch64::float32x4_t;

use crate::kernels::gemm::{self, GemmMode};
use crate::{SplitMut, SplitRef};

super::entry_points!(
    "neon",
    float32x4_t,
    gram_tile = (2, 2),
    solve_tile = (2, 4),
    load_tile = float32x4_t,
    store_tile = float32x4_t
);

/// Complex GEMM; shapes caller-checked.
#[target_feature(enable = "neon")]
pub(crate) fn gemm(a: &SplitRef<'_>, b: &SplitRef<'_>, c: &mut SplitMut<'_>, mode: GemmMode) {
    // SAFETY: NEON is mandatory on AArch64 and detected by the dispatcher; shapes checked.
    let j = unsafe {
        let j = gemm::panels::<float32x4_t, 4, 2>(a, b, c, mode, 0);
        gemm::panels::<float32x4_t, 4, 1>(a, b, c, mode, j)
    };
    gemm::scalar_from(a, b, c, mode, j);
}

super::interleaved_gemm_entry_points!(
    "neon",
    full = [(float32x4_t, 4, 2), (float32x4_t, 4, 1)],
    grouped = [(float32x4_t, 4, 2), (float32x4_t, 4, 1)]
);
