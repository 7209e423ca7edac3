//! A sparse complex matrix (compressed sparse rows) applied to one lane block of a
//! [`MatrixBatch`] of `n × 1` signals: `out[o] = Σ_e values[e]·x[columns[e]]` for every row o,
//! 16 signals at once — e.g. a channel estimator's output map (the mean of the comb REs of
//! each PRB, or an interpolation between two REs, with a per-RE phase ramp folded into the
//! coefficients).

use crate::register::SimdF32;
use crate::{C32, LANES, MatrixBatch, Result, SimdError};

/// A complex `rows × cols` matrix in compressed sparse rows: the entries of row o are
/// `offsets[o]..offsets[o+1]` of `columns` (their column indices) and `values`. Validated at
/// construction, so [`crate::Kernels::csr_lanes`] checks only the operands' shapes.
#[derive(Clone, Debug, PartialEq)]
pub struct CsrMatrix {
    offsets: Vec<usize>,
    columns: Vec<usize>,
    values: Vec<C32>,
    cols: usize,
}

impl CsrMatrix {
    /// A `offsets.len() − 1` × `cols` matrix.
    ///
    /// Errors: `offsets` empty or not starting at 0 ([`SimdError::LengthMismatch`] naming
    /// "csr: offsets"), decreasing ([`SimdError::OutOfRange`] naming the row), not ending at
    /// `columns.len()` or `values.len()` ≠ `columns.len()` ([`SimdError::LengthMismatch`]), a
    /// column index ≥ `cols` ([`SimdError::OutOfRange`] "csr: column").
    pub fn new(
        offsets: Vec<usize>,
        columns: Vec<usize>,
        values: Vec<C32>,
        cols: usize,
    ) -> Result<Self> {
        let first = offsets.first().copied();
        if first != Some(0) {
            return Err(SimdError::LengthMismatch {
                what: "csr: offsets (must start at 0)",
                expected: 0,
                got: first.unwrap_or(usize::MAX),
            });
        }
        if let Some(o) = offsets.windows(2).position(|w| w[1] < w[0]) {
            return Err(SimdError::OutOfRange {
                what: "csr: offsets (decreasing at row)",
                index: o,
                size: offsets.len() - 1,
            });
        }
        let last = offsets[offsets.len() - 1];
        if last != columns.len() {
            return Err(SimdError::LengthMismatch {
                what: "csr: last offset (= number of entries)",
                expected: columns.len(),
                got: last,
            });
        }
        if values.len() != columns.len() {
            return Err(SimdError::LengthMismatch {
                what: "csr: values",
                expected: columns.len(),
                got: values.len(),
            });
        }
        if let Some(&c) = columns.iter().find(|&&c| c >= cols) {
            return Err(SimdError::OutOfRange {
                what: "csr: column",
                index: c,
                size: cols,
            });
        }
        Ok(Self {
            offsets,
            columns,
            values,
            cols,
        })
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The entries' values in storage order (row by row, each row's entries in the order
    /// given to [`Self::new`]), for changing the coefficients of a fixed sparsity pattern
    /// without allocating (e.g. per-call filter weights).
    pub fn values_mut(&mut self) -> &mut [C32] {
        &mut self.values
    }

    /// The entries of row `o`: (column, value) pairs.
    #[inline]
    pub fn row(&self, o: usize) -> impl Iterator<Item = (usize, C32)> + '_ {
        let r = self.offsets[o]..self.offsets[o + 1];
        self.columns[r.clone()]
            .iter()
            .copied()
            .zip(self.values[r].iter().copied())
    }
}

/// f32 values per element of a lane block.
const E: usize = 2 * LANES;

/// The signals in lane block `block` of `x` (16, fewer in a ragged last block) and its storage.
pub(crate) fn block_of(x: &MatrixBatch, block: usize) -> (usize, &[f32]) {
    let bl = x.block_len();
    (
        (x.len() - block * LANES).min(LANES),
        &x.as_slice()[block * bl..(block + 1) * bl],
    )
}

/// Scalar reference: lane by lane.
pub(crate) fn lanes_scalar(
    a: &CsrMatrix,
    x: &MatrixBatch,
    block: usize,
    out: &mut [C32],
    stride: usize,
) {
    let (lanes, xb) = block_of(x, block);
    for o in 0..a.rows() {
        for (l, y) in out[o * stride..o * stride + lanes].iter_mut().enumerate() {
            *y = lane_sum(a, o, xb, l);
        }
    }
}

/// Row `o` of `a` times lane `l` of the block `xb`, the scalar references' sum.
fn lane_sum(a: &CsrMatrix, o: usize, xb: &[f32], l: usize) -> C32 {
    a.row(o)
        .map(|(c, v)| v * C32::new(xb[c * E + l], xb[c * E + LANES + l]))
        .sum()
}

/// Row `o` of `a` times lanes `g..g + V::LANES` of the block at `xp` (rows·E f32): the
/// real and imaginary sums, one complex FMA pair per entry.
///
/// # Safety
/// V's ISA enabled; every column of `a` < the block's rows (checked at construction and by
/// the dispatcher); `g + V::LANES ≤ 16`.
#[inline(always)]
unsafe fn row_sum<V: SimdF32>(a: &CsrMatrix, o: usize, xp: *const f32, g: usize) -> (V, V) {
    // SAFETY: c·E + LANES + g + V::LANES ≤ rows·E = the block's length (the contract above).
    unsafe {
        let (mut re, mut im) = (V::splat(0.0), V::splat(0.0));
        for (c, v) in a.row(o) {
            let xr = V::load(xp.add(c * E + g));
            let xi = V::load(xp.add(c * E + LANES + g));
            let (vr, vi) = (V::splat(v.re), V::splat(v.im));
            re = xr.mul_add(vr, xi.neg_mul_add(vi, re));
            im = xr.mul_add(vi, xi.mul_add(vr, im));
        }
        (re, im)
    }
}

/// SIMD form: per row, the 16 lanes in registers of V, one complex FMA pair per entry.
/// Shapes are checked by the dispatcher (`a.cols() == x.rows()`, `block < x.blocks()`, `out`
/// long enough for `rows` rows of `stride` with the block's lanes).
#[inline(always)]
pub(crate) unsafe fn lanes<V: SimdF32>(
    a: &CsrMatrix,
    x: &MatrixBatch,
    block: usize,
    out: &mut [C32],
    stride: usize,
) {
    let (lanes, xb) = block_of(x, block);
    let xp = xb.as_ptr();
    let mut buf = [0.0f32; E];
    for o in 0..a.rows() {
        for g in (0..LANES).step_by(V::LANES) {
            // SAFETY: the dispatcher checked a.cols() = x.rows() and the block; g + V::LANES ≤
            // 16; buf holds E f32. The caller has V's ISA.
            unsafe {
                let (re, im) = row_sum::<V>(a, o, xp, g);
                if lanes == LANES {
                    // A full block: zipped straight into the output row (16 complex values
                    // from o·stride, inside `out` as the dispatcher checked).
                    let (a, b) = V::zip(re, im);
                    let d = (out.as_mut_ptr() as *mut f32).add(2 * (o * stride + g));
                    a.store(d);
                    b.store(d.add(V::LANES));
                } else {
                    re.store(buf.as_mut_ptr().add(g));
                    im.store(buf.as_mut_ptr().add(LANES + g));
                }
            }
        }
        if lanes < LANES {
            for (l, y) in out[o * stride..o * stride + lanes].iter_mut().enumerate() {
                *y = C32::new(buf[l], buf[LANES + l]);
            }
        }
    }
}

/// Scalar reference of [`lanes_batch`]: all 16 lanes of `y`'s block, lane by lane.
pub(crate) fn lanes_batch_scalar(
    a: &CsrMatrix,
    x: &MatrixBatch,
    block: usize,
    y: &mut MatrixBatch,
) {
    let (_, xb) = block_of(x, block);
    let yb = y.as_mut_slice();
    for o in 0..a.rows() {
        for l in 0..LANES {
            let s = lane_sum(a, o, xb, l);
            yb[o * E + l] = s.re;
            yb[o * E + LANES + l] = s.im;
        }
    }
}

/// `a` times lane block `block` of `x` into the lane layout of `y` (one block: `a.rows()`
/// elements, all 16 lanes written). Shapes are checked by the dispatcher (`a.cols() ==
/// x.rows()`, `block < x.blocks()`, `y` one block of `a.rows() × 1`).
#[inline(always)]
pub(crate) unsafe fn lanes_batch<V: SimdF32>(
    a: &CsrMatrix,
    x: &MatrixBatch,
    block: usize,
    y: &mut MatrixBatch,
) {
    let (_, xb) = block_of(x, block);
    let xp = xb.as_ptr();
    let yp = y.as_mut_slice().as_mut_ptr();
    for o in 0..a.rows() {
        for g in (0..LANES).step_by(V::LANES) {
            // SAFETY: as in `lanes`; element o < a.rows() = y.rows() of y's one block, lanes
            // g + V::LANES ≤ 16.
            unsafe {
                let (re, im) = row_sum::<V>(a, o, xp, g);
                re.store(yp.add(o * E + g));
                im.store(yp.add(o * E + LANES + g));
            }
        }
    }
}
