//! Squared Euclidean norms of the rows or of the columns of every matrix of a batch — the
//! per-layer and per-antenna powers of precoding weights, for their normalisation.
//!
//! SIMD form: the matrices of a lane group sit in the lanes, so each norm is a plain sum of
//! `re² + im²` registers along the row (or column), two accumulators deep; only the finished
//! norms are scattered to the `[matrix, row]` (or `[matrix, column]`) output.

use crate::register::SimdF32;
use crate::{LANES, MatrixBatch};

/// Which squared norms [`crate::Kernels::norms_sqr`] computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NormsOf {
    /// `Σ_j |a_ij|²` for every row i: output axis order [matrix, row].
    Rows,
    /// `Σ_i |a_ij|²` for every column j: output axis order [matrix, column].
    Cols,
}

impl NormsOf {
    /// Norms per matrix of a `rows × cols` matrix.
    pub fn count(self, rows: usize, cols: usize) -> usize {
        match self {
            NormsOf::Rows => rows,
            NormsOf::Cols => cols,
        }
    }
}

/// Scalar reference: one matrix at a time, in index order.
pub(crate) fn scalar(a: &MatrixBatch, of: NormsOf, out: &mut [f32]) {
    let (rows, cols) = (a.rows(), a.cols());
    let per = of.count(rows, cols);
    out.fill(0.0);
    for m in 0..a.len() {
        for i in 0..rows {
            for j in 0..cols {
                let p = a.at(m, i, j).norm_sqr();
                match of {
                    NormsOf::Rows => out[m * per + i] += p,
                    NormsOf::Cols => out[m * per + j] += p,
                }
            }
        }
    }
}

/// SIMD norms; `out.len() == len·count` (caller-checked).
#[inline(always)]
pub(crate) unsafe fn simd<V: SimdF32>(a: &MatrixBatch, of: NormsOf, out: &mut [f32]) {
    let l = V::LANES;
    let (rows, cols, len) = (a.rows(), a.cols(), a.len());
    let per = of.count(rows, cols);
    // Norm q sums `terms` elements, consecutive ones `step` apart (in elements).
    let (terms, first, step) = match of {
        NormsOf::Rows => (cols, cols, 1),
        NormsOf::Cols => (rows, 1, cols),
    };
    let s = a.as_slice().as_ptr();
    let bl = a.block_len();
    for blk in 0..len.div_ceil(LANES) {
        for grp in 0..LANES / l {
            let m0 = blk * LANES + grp * l;
            let valid = len.saturating_sub(m0).min(l);
            if valid == 0 {
                break;
            }
            let base = blk * bl + grp * l;
            for q in 0..per {
                let mut lanes = [0.0f32; 16];
                // SAFETY: the caller has V's ISA enabled; elements q·first + e·step (e < terms)
                // are < rows·cols, their parts and lanes grp·l.. + l inside block blk.
                unsafe {
                    let (mut acc0, mut acc1) = (V::splat(0.0), V::splat(0.0));
                    let at = |e: usize| s.add(base + (q * first + e * step) * 2 * LANES);
                    let mut e = 0;
                    while e + 2 <= terms {
                        let (p, p1) = (at(e), at(e + 1));
                        let (r0, i0) = (V::load(p), V::load(p.add(LANES)));
                        let (r1, i1) = (V::load(p1), V::load(p1.add(LANES)));
                        acc0 = r0.mul_add(r0, acc0);
                        acc1 = i0.mul_add(i0, acc1);
                        acc0 = r1.mul_add(r1, acc0);
                        acc1 = i1.mul_add(i1, acc1);
                        e += 2;
                    }
                    if e < terms {
                        let p = at(e);
                        let (r0, i0) = (V::load(p), V::load(p.add(LANES)));
                        acc0 = r0.mul_add(r0, acc0);
                        acc1 = i0.mul_add(i0, acc1);
                    }
                    acc0.add(acc1).store(lanes.as_mut_ptr());
                }
                for (r, &v) in lanes.iter().enumerate().take(valid) {
                    out[(m0 + r) * per + q] = v;
                }
            }
        }
    }
}
