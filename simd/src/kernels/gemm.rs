//! Complex GEMM `C ← A·B` or `C ← C + A·B` on split row-major planes (A m × k, B k × n,
//! C m × n), the kernel of precoder and equaliser application (W·X per PRB group).
//!
//! SIMD form: the columns of C and B (resource elements) are in the lanes. A register tile of
//! `MR` rows × `NV` registers of C (real and imaginary accumulators, 2·MR·NV registers) is
//! updated for each p < k from `NV` registers of row p of B and the broadcast real and imaginary
//! parts of `A_ip`: 4 FMAs per complex multiply-add, no shuffles. A backend chains panels of
//! decreasing width (e.g. AVX-512 32 → 16 → 8 → 4 columns) and finishes any last columns with
//! the scalar loop, so ragged n costs little.
//!
//! Interleaved form ([`crate::Kernels::gemm_interleaved`]): the same tiles on the caller's
//! interleaved complex arrays. A is only ever broadcast, so its re/im pairs are read in place;
//! each B register pair is split into re/im registers by two in-lane shuffles
//! (`deinterleave`, reused by all MR rows of the tile) and each C register pair is put back
//! by the inverse two (`interleave`). Resource grids are thus read and written once, straight,
//! with no plane copies.

use crate::arch::SimdF32;
use core::ops::Range;

use crate::{C32, ComplexMut, ComplexRef, SplitMut, SplitRef};

/// Whether the product replaces or accumulates into C.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GemmMode {
    /// `C ← A·B` (C's old contents are not read).
    Overwrite,
    /// `C ← C + A·B`.
    Accumulate,
}

/// Scalar reference for columns `j0..n` of C (j0 = 0 for the whole product).
pub(crate) fn scalar_from(
    a: &SplitRef<'_>,
    b: &SplitRef<'_>,
    c: &mut SplitMut<'_>,
    mode: GemmMode,
    j0: usize,
) {
    let k = a.cols;
    for i in 0..c.rows {
        for j in j0..c.cols {
            let mut s = match mode {
                GemmMode::Overwrite => C32::new(0.0, 0.0),
                GemmMode::Accumulate => c.as_ref().at(i, j),
            };
            for p in 0..k {
                s += a.at(i, p) * b.at(p, j);
            }
            c.put(i, j, s);
        }
    }
}

/// Computes column panels of `NV·V::LANES` columns from `j0` while they fit in n; returns the
/// first column not done.
///
/// # Safety
/// V's ISA must be enabled; shapes must agree (a m × k, b k × n, c m × n; caller-checked).
#[inline(always)]
pub(crate) unsafe fn panels<V: SimdF32, const MR: usize, const NV: usize>(
    a: &SplitRef<'_>,
    b: &SplitRef<'_>,
    c: &mut SplitMut<'_>,
    mode: GemmMode,
    j0: usize,
) -> usize {
    let w = NV * V::LANES;
    let (m, n) = (c.rows, c.cols);
    let mut j = j0;
    while j + w <= n {
        let mut i = 0;
        // SAFETY: rows i..i+MR ≤ m, columns j..j+w ≤ n, p < k: all inside the views, whose
        // planes were checked to hold (rows − 1)·stride + cols values.
        unsafe {
            while i + MR <= m {
                micro::<V, MR, NV>(a, b, c, mode, i, j);
                i += MR;
            }
            while i < m {
                micro::<V, 1, NV>(a, b, c, mode, i, j);
                i += 1;
            }
        }
        j += w;
    }
    j
}

#[inline(always)]
unsafe fn micro<V: SimdF32, const MR: usize, const NV: usize>(
    a: &SplitRef<'_>,
    b: &SplitRef<'_>,
    c: &mut SplitMut<'_>,
    mode: GemmMode,
    i: usize,
    j: usize,
) {
    let k = a.cols;
    let (are, aim, lda) = (a.re.as_ptr(), a.im.as_ptr(), a.stride);
    let (bre, bim, ldb) = (b.re.as_ptr(), b.im.as_ptr(), b.stride);
    let (cre, cim, ldc) = (c.re.as_mut_ptr(), c.im.as_mut_ptr(), c.stride);
    // SAFETY: see `panels`: every offset is (row < rows)·stride + (col < cols).
    unsafe {
        let z = V::splat(0.0);
        let mut acc_re = [[z; NV]; MR];
        let mut acc_im = [[z; NV]; MR];
        if mode == GemmMode::Accumulate {
            for r in 0..MR {
                for v in 0..NV {
                    let o = (i + r) * ldc + j + v * V::LANES;
                    acc_re[r][v] = V::load(cre.add(o));
                    acc_im[r][v] = V::load(cim.add(o));
                }
            }
        }
        for p in 0..k {
            let mut br = [z; NV];
            let mut bi = [z; NV];
            for v in 0..NV {
                let o = p * ldb + j + v * V::LANES;
                br[v] = V::load(bre.add(o));
                bi[v] = V::load(bim.add(o));
            }
            for r in 0..MR {
                let o = (i + r) * lda + p;
                let ar = V::splat(*are.add(o));
                let ai = V::splat(*aim.add(o));
                for v in 0..NV {
                    // a·b = (ar·br − ai·bi) + j(ar·bi + ai·br)
                    acc_re[r][v] = ar.mul_add(br[v], acc_re[r][v]);
                    acc_re[r][v] = ai.neg_mul_add(bi[v], acc_re[r][v]);
                    acc_im[r][v] = ar.mul_add(bi[v], acc_im[r][v]);
                    acc_im[r][v] = ai.mul_add(br[v], acc_im[r][v]);
                }
            }
        }
        for r in 0..MR {
            for v in 0..NV {
                let o = (i + r) * ldc + j + v * V::LANES;
                acc_re[r][v].store(cre.add(o));
                acc_im[r][v].store(cim.add(o));
            }
        }
    }
}

/// Scalar reference of the interleaved GEMM on rows `rows` and columns `j0..j1` of C.
pub(crate) fn scalar_interleaved(
    a: &ComplexRef<'_>,
    b: &ComplexRef<'_>,
    c: &mut ComplexMut<'_>,
    mode: GemmMode,
    rows: Range<usize>,
    j0: usize,
    j1: usize,
) {
    let k = a.cols;
    for i in rows {
        for j in j0..j1 {
            let o = i * c.stride + j;
            let mut s = match mode {
                GemmMode::Overwrite => C32::new(0.0, 0.0),
                GemmMode::Accumulate => c.data[o],
            };
            for p in 0..k {
                s += a.at(i, p) * b.at(p, j);
            }
            c.data[o] = s;
        }
    }
}

/// Scalar reference of the grouped interleaved GEMM (see [`crate::Kernels::gemm_grouped`]).
pub(crate) fn scalar_grouped(
    a: &[C32],
    group_cols: usize,
    b: &ComplexRef<'_>,
    c: &mut ComplexMut<'_>,
    mode: GemmMode,
) {
    let (m, k, n) = (c.rows, b.rows, c.cols);
    for (g, j0) in (0..n).step_by(group_cols).enumerate() {
        let ag = group_matrix(a, g, m, k);
        scalar_interleaved(&ag, b, c, mode, 0..m, j0, n.min(j0 + group_cols));
    }
}

/// Matrix g (m × k, row-major) of the grouped operand `a`; the caller checked a's length.
#[inline(always)]
pub(crate) fn group_matrix(a: &[C32], g: usize, m: usize, k: usize) -> ComplexRef<'_> {
    ComplexRef {
        rows: m,
        cols: k,
        stride: k,
        data: &a[g * m * k..(g + 1) * m * k],
    }
}

/// [`panels`] for interleaved operands, on rows `rows` of C and columns from `j0` while panels
/// of `NV·V::LANES` complex columns fit before `j1`; returns the first column not done.
///
/// # Safety
/// V's ISA must be enabled; shapes must agree and rows, j1 lie inside C (caller-checked).
#[inline(always)]
pub(crate) unsafe fn panels_interleaved<V: SimdF32, const MR: usize, const NV: usize>(
    a: &ComplexRef<'_>,
    b: &ComplexRef<'_>,
    c: &mut ComplexMut<'_>,
    mode: GemmMode,
    rows: Range<usize>,
    j0: usize,
    j1: usize,
) -> usize {
    let w = NV * V::LANES;
    let mut j = j0;
    while j + w <= j1 {
        let mut i = rows.start;
        // SAFETY: rows i..i+MR ≤ rows.end ≤ m, columns j..j+w ≤ j1 ≤ n, p < k: inside the
        // views, whose data was checked to hold (rows − 1)·stride + cols values.
        unsafe {
            while i + MR <= rows.end {
                micro_interleaved::<V, MR, NV>(a, b, c, mode, i, j);
                i += MR;
            }
            while i < rows.end {
                micro_interleaved::<V, 1, NV>(a, b, c, mode, i, j);
                i += 1;
            }
        }
        j += w;
    }
    j
}

#[inline(always)]
unsafe fn micro_interleaved<V: SimdF32, const MR: usize, const NV: usize>(
    a: &ComplexRef<'_>,
    b: &ComplexRef<'_>,
    c: &mut ComplexMut<'_>,
    mode: GemmMode,
    i: usize,
    j: usize,
) {
    let k = a.cols;
    let l = V::LANES;
    let (pa, lda) = (a.data.as_ptr() as *const f32, a.stride);
    let (pb, ldb) = (b.data.as_ptr() as *const f32, b.stride);
    let (pc, ldc) = (c.data.as_mut_ptr() as *mut f32, c.stride);
    // SAFETY: see `panels_interleaved`: C32 is #[repr(C)] {re, im}, so complex offset o is
    // f32 offset 2·o, and every complex offset is (row < rows)·stride + (col < cols); a
    // register pair covers columns j + v·L .. j + (v + 1)·L ≤ n.
    unsafe {
        // The tile's last C line of each row is requested now and written after the k loop:
        // with a grid larger than the cache, the write's line fetch overlaps the FMAs.
        for r in 0..MR {
            V::prefetch(pc.add(2 * ((i + r) * ldc + j + NV * l) - 1));
        }
        let z = V::splat(0.0);
        let mut acc_re = [[z; NV]; MR];
        let mut acc_im = [[z; NV]; MR];
        if mode == GemmMode::Accumulate {
            for r in 0..MR {
                for v in 0..NV {
                    let o = 2 * ((i + r) * ldc + j + v * l);
                    let (re, im) = V::deinterleave(V::load(pc.add(o)), V::load(pc.add(o + l)));
                    acc_re[r][v] = re;
                    acc_im[r][v] = im;
                }
            }
        }
        for p in 0..k {
            let mut br = [z; NV];
            let mut bi = [z; NV];
            for v in 0..NV {
                let o = 2 * (p * ldb + j + v * l);
                (br[v], bi[v]) = V::deinterleave(V::load(pb.add(o)), V::load(pb.add(o + l)));
            }
            for r in 0..MR {
                let o = 2 * ((i + r) * lda + p);
                let ar = V::splat(*pa.add(o));
                let ai = V::splat(*pa.add(o + 1));
                for v in 0..NV {
                    acc_re[r][v] = ar.mul_add(br[v], acc_re[r][v]);
                    acc_re[r][v] = ai.neg_mul_add(bi[v], acc_re[r][v]);
                    acc_im[r][v] = ar.mul_add(bi[v], acc_im[r][v]);
                    acc_im[r][v] = ai.mul_add(br[v], acc_im[r][v]);
                }
            }
        }
        for r in 0..MR {
            for v in 0..NV {
                let o = 2 * ((i + r) * ldc + j + v * l);
                let (v0, v1) = V::interleave(acc_re[r][v], acc_im[r][v]);
                v0.store(pc.add(o));
                v1.store(pc.add(o + l));
            }
        }
    }
}
