//! NEON backend (AArch64): 4-lane `float32x4_t` registers (each 16-lane block of a batch is four
//! lane groups).

use core::arch::aarch64::float32x4_t;

use crate::kernels::gemm::{self, GemmMode};
use crate::{ComplexMut, ComplexRef, SplitMut, SplitRef};

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

/// Complex GEMM on interleaved operands; shapes caller-checked.
#[target_feature(enable = "neon")]
pub(crate) fn gemm_interleaved(
    a: &ComplexRef<'_>,
    b: &ComplexRef<'_>,
    c: &mut ComplexMut<'_>,
    mode: GemmMode,
) {
    // SAFETY: as for `gemm`.
    let j = unsafe {
        let j = gemm::panels_interleaved::<float32x4_t, 4, 2>(a, b, c, mode, 0);
        gemm::panels_interleaved::<float32x4_t, 4, 1>(a, b, c, mode, j)
    };
    gemm::scalar_interleaved_from(a, b, c, mode, j);
}
