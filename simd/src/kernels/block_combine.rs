//! Small per-block complex products over selected rows of a split-plane matrix: for block b of
//! `nb`, with `k` row indices `rows[b·k..(b+1)·k]` into `y` and an `m × k` coefficient matrix
//! `A_b` (`a[b·m·k..]`, row-major),
//!
//! ```text
//! out[q·NB + b0 + b, j] = Σ_i A_b[q, i] · y[rows[b·k + i], j]      (q < m, every column j)
//! ```
//!
//! with `NB = out.rows() / m` — e.g. a channel estimator's LS de-spreading: each CDM block's
//! REs (rows of antennas-innermost received samples) combined by the block's `(XᴴX)⁻¹Xᴴ`, one
//! output row per port, antennas wide. One call handles every block of a run, so the per-call
//! cost of a GEMM on a 4 × 4 by 4 × 64 product is not paid per block. Columns run in the SIMD
//! lanes (four registers at a time — eight independent FMA chains, enough to cover the FMA
//! latency — then two, one, and a scalar tail); each coefficient is broadcast once per panel.

use crate::register::SimdF32;
use crate::{C32, SplitMut, SplitRef};

/// The product's shape: `m` outputs per block, `k` rows per block, written from block `b0`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Shape {
    pub(crate) m: usize,
    pub(crate) k: usize,
    pub(crate) b0: usize,
}

/// Output row of port q, block b.
#[inline(always)]
fn out_row(sh: Shape, out_rows: usize, q: usize, b: usize) -> usize {
    q * (out_rows / sh.m) + sh.b0 + b
}

/// Scalar reference: the sum in index order, one column at a time.
pub(crate) fn scalar(a: &[C32], sh: Shape, rows: &[u32], y: &SplitRef, out: &mut SplitMut) {
    scalar_cols(a, sh, rows, y, out, 0);
}

/// [`scalar`] for columns `j0..`.
fn scalar_cols(a: &[C32], sh: Shape, rows: &[u32], y: &SplitRef, out: &mut SplitMut, j0: usize) {
    let (m, k) = (sh.m, sh.k);
    let n_out = out.rows;
    for (b, rb) in rows.chunks_exact(k).enumerate() {
        let ab = &a[b * m * k..(b + 1) * m * k];
        for q in 0..m {
            let o = out_row(sh, n_out, q, b);
            for j in j0..y.cols {
                let mut acc = C32::new(0.0, 0.0);
                for (i, &r) in rb.iter().enumerate() {
                    acc += ab[q * k + i] * y.at(r as usize, j);
                }
                out.put(o, j, acc);
            }
        }
    }
}

/// `NV` registers of columns from `j` of block `b`'s outputs (its rows `rb`, coefficients `ab`).
///
/// # Safety
/// V's ISA enabled; columns `j..j + NV·L` ≤ cols; shapes and row indices caller-checked.
#[inline(always)]
unsafe fn panel<V: SimdF32, const NV: usize>(
    (ab, rb, b): (&[C32], &[u32], usize),
    sh: Shape,
    y: &SplitRef,
    out: &mut SplitMut,
    j: usize,
) {
    let (k, l) = (sh.k, V::LANES);
    let n_out = out.rows;
    let (yre, yim) = (y.re.as_ptr(), y.im.as_ptr());
    let (ore, oim) = (out.re.as_mut_ptr(), out.im.as_mut_ptr());
    for q in 0..sh.m {
        // SAFETY: the caller has V's ISA enabled; every row index < y.rows and the NV·L
        // columns from j ≤ cols, so each load reads inside y's planes; the output row < out
        // rows and its columns j..j + NV·L ≤ cols lie inside out's planes.
        unsafe {
            let mut acc_re = [V::splat(0.0); NV];
            let mut acc_im = [V::splat(0.0); NV];
            for (i, &r) in rb.iter().enumerate() {
                let c = ab[q * k + i];
                let (cr, ci) = (V::splat(c.re), V::splat(c.im));
                let at = r as usize * y.stride + j;
                for v in 0..NV {
                    let yr = V::load(yre.add(at + v * l));
                    let yi = V::load(yim.add(at + v * l));
                    acc_re[v] = cr.mul_add(yr, acc_re[v]);
                    acc_re[v] = ci.neg_mul_add(yi, acc_re[v]);
                    acc_im[v] = cr.mul_add(yi, acc_im[v]);
                    acc_im[v] = ci.mul_add(yr, acc_im[v]);
                }
            }
            let at = out_row(sh, n_out, q, b) * out.stride + j;
            for v in 0..NV {
                acc_re[v].store(ore.add(at + v * l));
                acc_im[v].store(oim.add(at + v * l));
            }
        }
    }
}

/// The products on every column, block by block (its rows stay in L1 across the panels):
/// panels of four, two and one registers, then the scalar tail. Shapes and row indices
/// caller-checked.
#[inline(always)]
pub(crate) unsafe fn simd<V: SimdF32>(
    a: &[C32],
    sh: Shape,
    rows: &[u32],
    y: &SplitRef,
    out: &mut SplitMut,
) {
    let (l, n, mk) = (V::LANES, y.cols, sh.m * sh.k);
    let full = n / l * l;
    for (b, rb) in rows.chunks_exact(sh.k).enumerate() {
        let blk = (&a[b * mk..(b + 1) * mk], rb, b);
        let mut j = 0;
        // SAFETY: forwarded; each panel's columns end at or before n.
        unsafe {
            while j + 4 * l <= n {
                panel::<V, 4>(blk, sh, y, out, j);
                j += 4 * l;
            }
            while j + 2 * l <= n {
                panel::<V, 2>(blk, sh, y, out, j);
                j += 2 * l;
            }
            if j < full {
                panel::<V, 1>(blk, sh, y, out, j);
            }
        }
    }
    scalar_cols(a, sh, rows, y, out, full);
}
