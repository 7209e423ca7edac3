//! AVX-512F backend: 16-lane `__m512` registers (one per 16-lane block of a batch); AVX2/SSE
//! registers for the 8- and 4-column GEMM tails.

use core::arch::x86_64::{__m128, __m256, __m512};

use crate::kernels::gemm::{self, GemmMode};
use crate::{ComplexMut, ComplexRef, SplitMut, SplitRef};

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

/// Complex GEMM on interleaved operands; shapes caller-checked.
#[target_feature(enable = "avx512f,avx2,fma")]
pub(crate) fn gemm_interleaved(
    a: &ComplexRef<'_>,
    b: &ComplexRef<'_>,
    c: &mut ComplexMut<'_>,
    mode: GemmMode,
) {
    let (m, n) = (c.rows(), c.cols());
    // SAFETY: as for `gemm`.
    let j = unsafe {
        let j = gemm::panels_interleaved::<__m512, 4, 2>(a, b, c, mode, 0..m, 0, n);
        let j = gemm::panels_interleaved::<__m512, 4, 1>(a, b, c, mode, 0..m, j, n);
        let j = gemm::panels_interleaved::<__m256, 6, 1>(a, b, c, mode, 0..m, j, n);
        gemm::panels_interleaved::<__m128, 6, 1>(a, b, c, mode, 0..m, j, n)
    };
    gemm::scalar_interleaved(a, b, c, mode, 0..m, j, n);
}

/// Grouped complex GEMM on interleaved operands; shapes caller-checked. Four rows of C at a
/// time across every group, so C is written in four sequential row streams.
#[target_feature(enable = "avx512f,avx2,fma")]
pub(crate) fn gemm_grouped(
    a: &[C32],
    group_cols: usize,
    b: &ComplexRef<'_>,
    c: &mut ComplexMut<'_>,
    mode: GemmMode,
) {
    let (m, k, n) = (c.rows(), b.rows(), c.cols());
    for i0 in (0..m).step_by(4) {
        let rows = i0..m.min(i0 + 4);
        for (g, j0) in (0..n).step_by(group_cols).enumerate() {
            let a = &gemm::group_matrix(a, g, m, k);
            let j1 = n.min(j0 + group_cols);
            // SAFETY: as for `gemm`; rows and columns j0..j1 lie inside C.
            let j = unsafe {
                let j =
                    gemm::panels_interleaved::<__m512, 4, 2>(a, b, c, mode, rows.clone(), j0, j1);
                let j =
                    gemm::panels_interleaved::<__m512, 4, 1>(a, b, c, mode, rows.clone(), j, j1);
                let j =
                    gemm::panels_interleaved::<__m256, 4, 1>(a, b, c, mode, rows.clone(), j, j1);
                gemm::panels_interleaved::<__m128, 4, 1>(a, b, c, mode, rows.clone(), j, j1)
            };
            gemm::scalar_interleaved(a, b, c, mode, rows.clone(), j, j1);
        }
    }
}
