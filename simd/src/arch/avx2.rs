//! AVX2 + FMA backend: 8-lane `__m256` registers (each 16-lane block of a batch is two lane
//! groups), `__m128` for 4-column GEMM tails.

use core::arch::x86_64::{__m128, __m256};

super::entry_points!(
    "avx2,fma",
    __m256,
    gram_tile = (2, 2),
    solve_tile = (1, 4, true),
    load_tile = (__m256, __m256),
    store_tile = __m256,
    seg_tile = __m128
);

super::gemm_entry_points!(
    "avx2,fma",
    split = [(__m256, 6, 1), (__m128, 6, 1)],
    interleaved = [(__m256, 4, 1), (__m128, 4, 1)],
    grouped = [(__m256, 4, 1), (__m128, 4, 1)],
    grouped_tail = [(__m256, 4, 1)],
    small = [__m256, __m128]
);
