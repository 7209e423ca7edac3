//! AVX-512F backend: 16-lane `__m512` registers (one per 16-lane block of a batch); AVX2/SSE
//! registers for the 8- and 4-column GEMM tails.

use core::arch::x86_64::{__m128, __m256, __m512};

use crate::kernels::gemm::{self, GemmMode};
use crate::{SplitMut, SplitRef};

super::entry_points!(
    "avx512f,avx2,fma",
    __m512,
    gram_tile = (4, 2),
    solve_tile = (2, 4),
    load_tile = __m256,
    store_tile = __m512
);

/// Complex GEMM; shapes caller-checked.
#[target_feature(enable = "avx512f,avx2,fma")]
pub(crate) fn gemm(a: &SplitRef<'_>, b: &SplitRef<'_>, c: &mut SplitMut<'_>, mode: GemmMode) {
    // SAFETY: compiled with AVX-512F + AVX2 + FMA, called only after detection; shapes
    // checked by the dispatcher.
    let j = unsafe {
        let j = gemm::panels::<__m512, 4, 2>(a, b, c, mode, 0);
        let j = gemm::panels::<__m512, 4, 1>(a, b, c, mode, j);
        let j = gemm::panels::<__m256, 6, 1>(a, b, c, mode, j);
        gemm::panels::<__m128, 6, 1>(a, b, c, mode, j)
    };
    gemm::scalar_from(a, b, c, mode, j);
}

super::interleaved_gemm_entry_points!(
    "avx512f,avx2,fma",
    full = [
        (__m512, 4, 2),
        (__m512, 4, 1),
        (__m256, 6, 1),
        (__m128, 6, 1)
    ],
    grouped = [
        (__m512, 4, 2),
        (__m512, 4, 1),
        (__m256, 4, 1),
        (__m128, 4, 1)
    ]
);
