//! Comb gather into the lane layout: every `step`-th column of an interleaved rows × cols view
//! (rows: antennas, columns: subcarriers of one symbol), each times a per-column factor, into a
//! batch of `rows` matrices of `m × 1` — the first pass of a delay-domain channel estimator (a
//! comb's REs of every antenna, de-modulated by the pilot, in the lanes of its batched DFTs).
//!
//! SIMD form: per comb column, `LANES` rows by one strided gather
//! ([`SimdF32::gather_split`]: hardware gathers of whole complex values on x86, through memory
//! elsewhere), the complex product with the splatted factor, two stores into the lane block;
//! rows past the last whole register by the scalar loop. Columns run in tiles of [`TILE`], so
//! the lane block's lines being written stay in L1 while its register groups (one on AVX-512,
//! two on AVX2, four on NEON) fill them.

use crate::C32;
use crate::layout::{ComplexRef, LANES, MatrixBatch};
use crate::register::SimdF32;

/// Comb columns per tile (64 elements of 128 bytes = 8 KiB of the lane block).
const TILE: usize = 64;

/// f32 values per element of a lane block.
const E: usize = 2 * LANES;

/// Scalar reference: `dst[r][i] = src[r, i·step]·factor[i]` (shapes caller-checked).
pub(crate) fn scalar(src: &ComplexRef, step: usize, factor: &[C32], dst: &mut MatrixBatch) {
    rows_from(src, step, factor, dst, 0);
}

/// [`scalar`] for rows `first..` only (the rows the SIMD kernel's registers left).
fn rows_from(src: &ComplexRef, step: usize, factor: &[C32], dst: &mut MatrixBatch, first: usize) {
    for r in first..src.rows {
        for (i, f) in factor.iter().enumerate() {
            dst.put(r, i, 0, src.at(r, i * step) * f);
        }
    }
}

/// SIMD form (see the module documentation). Shapes are checked by the dispatcher: `dst` holds
/// `src.rows` matrices of `factor.len() × 1`, `step ≥ 1` and `(m − 1)·step < src.cols`.
/// Lanes of `dst` past `src.rows` are left as they are.
#[inline(always)]
pub(crate) unsafe fn simd<V: SimdF32>(
    src: &ComplexRef,
    step: usize,
    factor: &[C32],
    dst: &mut MatrixBatch,
) {
    let l = V::LANES;
    let full = src.rows / l * l;
    let m = factor.len();
    let bl = dst.block_len();
    let s = src.data.as_ptr() as *const f32;
    let d = dst.as_mut_slice().as_mut_ptr();
    let gap = 2 * src.stride;
    for b0 in (0..full).step_by(LANES) {
        for i0 in (0..m).step_by(TILE) {
            for r0 in (b0..full.min(b0 + LANES)).step_by(l) {
                let to = (r0 / LANES) * bl + r0 % LANES;
                for (i, f) in factor.iter().enumerate().take(m.min(i0 + TILE)).skip(i0) {
                    // SAFETY: the caller has V's ISA enabled. Rows r0 + j < full ≤ rows (j <
                    // L) at column i·step < cols: both f32 of each value lie in src's data
                    // ((rows − 1)·stride + cols values, checked by ComplexRef::new). The
                    // stores write lanes r0 % 16 + L ≤ 16 of element i < m of block r0 / 16 <
                    // dst's blocks (dst holds rows matrices of m × 1).
                    unsafe {
                        let (re, im) =
                            V::gather_split(s.add(2 * (r0 * src.stride + i * step)), gap);
                        let (fr, fi) = (V::splat(f.re), V::splat(f.im));
                        im.neg_mul_add(fi, re.mul(fr)).store(d.add(to + i * E));
                        re.mul_add(fi, im.mul(fr)).store(d.add(to + i * E + LANES));
                    }
                }
            }
        }
    }
    rows_from(src, step, factor, dst, full);
}
