//! AVX2 + FMA backend: 8-lane `__m256` registers (each 16-lane block of a batch is two lane
//! groups), `__m128` for 4-column GEMM tails.

use core::arch::x86_64::{__m128, __m256};

use crate::kernels::gemm::{self, GemmMode};
use crate::{SplitMut, SplitRef};

super::entry_points!(
    "avx2,fma",
    __m256,
    gram_tile = (2, 2),
    solve_tile = (2, 4),
    load_tile = __m256,
    store_tile = __m256
);

/// Complex GEMM; shapes caller-checked.
#[target_feature(enable = "avx2,fma")]
pub(crate) fn gemm(a: &SplitRef<'_>, b: &SplitRef<'_>, c: &mut SplitMut<'_>, mode: GemmMode) {
    // SAFETY: compiled with AVX2 + FMA, called only after detection; shapes checked by the
    // dispatcher.
    let j = unsafe {
        let j = gemm::panels::<__m256, 6, 1>(a, b, c, mode, 0);
        gemm::panels::<__m128, 6, 1>(a, b, c, mode, j)
    };
    gemm::scalar_from(a, b, c, mode, j);
}

super::interleaved_gemm_entry_points!(
    "avx2,fma",
    full = [(__m256, 4, 1), (__m128, 4, 1)],
    grouped = [(__m256, 4, 1), (__m128, 4, 1)]
);
