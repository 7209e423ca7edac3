//! AVX-512F backend: 16-lane `__m512` registers (one per 16-lane block of a batch); AVX2/SSE
//! registers for the 8- and 4-column GEMM tails.

use core::arch::x86_64::{__m128, __m256, __m512};

super::entry_points!(
    "avx512f,avx2,fma",
    __m512,
    gram_tile = (4, 2),
    solve_tile = (2, 4, false),
    // 16 × 16 load tiles on Intel cores: loading 16 RZF matrices of 16 × 64 from L2 took 5.1
    // µs with 8 × 8 tiles and 3.2 µs with 16 × 16 on a two-FMA-pipe Xeon (NR RZF weights
    // ×1.04); 8 × 8 measured faster on Zen 4, whose 512-bit shuffles issue as two halves.
    load_tile = (__m256, __m512),
    store_tile = __m512,
    seg_tile = __m128
);

super::gemm_entry_points!(
    "avx512f,avx2,fma",
    split = [
        (__m512, 4, 2),
        (__m512, 4, 1),
        (__m256, 6, 1),
        (__m128, 6, 1)
    ],
    interleaved = [
        (__m512, 4, 2),
        (__m512, 4, 1),
        (__m256, 6, 1),
        (__m128, 6, 1)
    ],
    grouped = [(__m512, 4, 2), (__m128, 4, 1)],
    grouped_tail = [(__m512, 4, 1), (__m256, 4, 1)],
    grouped_wide = (__m512, 4, 3),
    small = [__m512, __m256, __m128],
    pair = __m512
);
