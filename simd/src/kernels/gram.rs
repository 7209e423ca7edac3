//! Batched Gram matrices: `AᴴA` (k = cols) or `AAᴴ` (k = rows) of every matrix of a batch, plus
//! an optional real diagonal loading δ·I (the `σ²I` / `αI` of MMSE and RZF).
//!
//! SIMD form: with `x` the n × k matrix whose Gram `S = xᴴx` is wanted (`x = A` for `AᴴA`,
//! `x = Aᵀ` for `AAᴴ`, where `AAᴴ = conj(AᵀᴴAᵀ)`), the lower triangle of `S` is computed in
//! register tiles of `TI × TJ` outputs, each output `S_ij = Σ_r conj(x_ri)·x_rj` as 4 FMAs per
//! row r on split real/imaginary registers; the upper triangle is mirrored. The diagonal is
//! stored exactly real.

use crate::register::SimdF32;
use crate::{C32, LANES, MatrixBatch};

/// Which Gram matrix of `A` to form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GramSide {
    /// `AᴴA`: for an n × k matrix A, the k × k matrix of column inner products (the `HᴴH` of
    /// uplink detection with H = n_rx × n_layers).
    AhA,
    /// `AAᴴ`: for a k × n matrix A, the k × k matrix of row inner products (the `HHᴴ` of
    /// downlink ZF/RZF precoding with H = n_users × n_tx).
    AAh,
}

impl GramSide {
    /// Order k of the Gram matrix of a `rows × cols` matrix.
    pub fn order(self, rows: usize, cols: usize) -> usize {
        match self {
            GramSide::AhA => cols,
            GramSide::AAh => rows,
        }
    }

    /// Length n of the inner products of a `rows × cols` matrix.
    pub fn inner(self, rows: usize, cols: usize) -> usize {
        match self {
            GramSide::AhA => rows,
            GramSide::AAh => cols,
        }
    }
}

/// Scalar reference: textbook triple loop, one matrix at a time.
pub(crate) fn scalar(a: &MatrixBatch, side: GramSide, diag: f32, out: &mut MatrixBatch) {
    let k = side.order(a.rows(), a.cols());
    let n = side.inner(a.rows(), a.cols());
    for m in 0..a.len() {
        for i in 0..k {
            for j in 0..=i {
                let mut s = C32::new(0.0, 0.0);
                for r in 0..n {
                    s += match side {
                        GramSide::AhA => a.at(m, r, i).conj() * a.at(m, r, j),
                        GramSide::AAh => a.at(m, i, r) * a.at(m, j, r).conj(),
                    };
                }
                if i == j {
                    out.put(m, i, i, C32::new(s.re + diag, 0.0));
                } else {
                    out.put(m, i, j, s);
                    out.put(m, j, i, s.conj());
                }
            }
        }
    }
}

/// Geometry of one Gram call on one lane group.
#[derive(Clone, Copy)]
struct Geometry {
    n: usize,
    k: usize,
    /// Element stride (in elements of the lane-blocked layout) between rows r of x.
    row_stride: usize,
    /// Element stride between columns i of x.
    col_stride: usize,
    conj_out: bool,
    diag: f32,
}

/// SIMD version over the whole batch, register tile `TI × TJ`.
///
/// # Safety
/// V's ISA must be enabled; `out` must be k × k with `out.len() == a.len()` (checked by the
/// caller).
#[inline(always)]
pub(crate) unsafe fn batch<V: SimdF32, const TI: usize, const TJ: usize>(
    a: &MatrixBatch,
    side: GramSide,
    diag: f32,
    out: &mut MatrixBatch,
) {
    let g = match side {
        GramSide::AhA => Geometry {
            n: a.rows(),
            k: a.cols(),
            row_stride: a.cols(),
            col_stride: 1,
            conj_out: false,
            diag,
        },
        GramSide::AAh => Geometry {
            n: a.cols(),
            k: a.rows(),
            row_stride: 1,
            col_stride: a.cols(),
            conj_out: true,
            diag,
        },
    };
    let (abl, obl) = (a.block_len(), out.block_len());
    let k = g.k;
    // Rows of x per pass (see ROW_CHUNK), fewer for large k so a packed chunk fits `packed`.
    let rc = (PACKED_ELEMENTS / k).clamp(1, ROW_CHUNK);
    let mut packed = super::LineAligned::<{ PACKED_ELEMENTS * E }>::zeroed();
    let packed = &mut packed.0;
    let po = out.as_mut_slice().as_mut_ptr();
    for b in 0..a.blocks() {
        let block = &a.as_slice()[b * abl..(b + 1) * abl];
        let mut r0 = 0;
        while r0 < g.n {
            let r1 = (r0 + rc).min(g.n);
            let pass = Pass {
                r0: 0,
                r1: r1 - r0,
                first: r0 == 0,
                last: r1 == g.n,
            };
            // The pass's rows of x, and their geometry. AᴴA: rows r of x are rows of A, the
            // chunk is contiguous. AAᴴ: x's row r is column r of A, so the chunk's elements lie
            // in k runs n·E floats apart — for n = 64 a multiple of the L1's 4 KiB set stride,
            // all in the same sets (k = 16 runs over 8 ways evict each other): they are copied
            // into a packed buffer first (k runs of r1 − r0 elements).
            let (x, geometry) = match side {
                GramSide::AhA => (&block[r0 * g.row_stride * E..], g),
                GramSide::AAh => {
                    let w = r1 - r0;
                    let dst = &mut packed[..k * w * E];
                    for (i, run) in dst.chunks_exact_mut(w * E).enumerate() {
                        let o = (i * g.col_stride + r0) * E;
                        run.copy_from_slice(&block[o..o + w * E]);
                    }
                    (
                        &packed[..k * w * E],
                        Geometry {
                            n: w,
                            col_stride: w,
                            ..g
                        },
                    )
                }
            };
            let px = x.as_ptr();
            for off in (0..LANES).step_by(V::LANES) {
                // SAFETY: `x` holds the pass's rows in `geometry` (indices < r1 − r0, k), block
                // b of `out` spans obl f32 from b·obl (outputs < k × k), and `off` +
                // V::LANES ≤ 16 lanes.
                unsafe {
                    pass_tiles::<V, TI, TJ>(px.add(off), po.add(b * obl + off), geometry, pass)
                };
            }
            r0 = r1;
        }
    }
}

/// Rows of x per pass over the tiles: a chunk of x (RC·k elements, 16 KB for k = 16) and the
/// partial lower triangle stay in L1 while every tile reads the chunk, instead of each tile
/// streaming all n rows from L2.
const ROW_CHUNK: usize = 8;

/// Elements of the packing buffer (k · rows per pass ≤ this): 16 KiB of stack.
const PACKED_ELEMENTS: usize = 128;

const E: usize = 2 * LANES;

/// One pass (rows `pass.r0..pass.r1` of x) over every tile of the lower triangle, one lane
/// group.
#[inline(always)]
unsafe fn pass_tiles<V: SimdF32, const TI: usize, const TJ: usize>(
    a: *const f32,
    c: *mut f32,
    g: Geometry,
    pass: Pass,
) {
    let k = g.k;
    // SAFETY (whole body): tiles only touch rows/cols < k of the output and rows < n of x.
    unsafe {
        let mut jt = 0;
        while jt + TJ <= k {
            column_tiles::<V, TI, TJ>(a, c, g, pass, jt);
            jt += TJ;
        }
        while jt < k {
            column_tiles::<V, TI, 1>(a, c, g, pass, jt);
            jt += 1;
        }
    }
}

/// The rows r0..r1 of x a pass covers, and whether it starts or ends the accumulation.
#[derive(Clone, Copy)]
struct Pass {
    r0: usize,
    r1: usize,
    first: bool,
    last: bool,
}

/// All tiles of the lower triangle in columns jt..jt+TJ: full TI-row tiles, then a 2-row and
/// a 1-row tile for the remainder.
#[inline(always)]
unsafe fn column_tiles<V: SimdF32, const TI: usize, const TJ: usize>(
    a: *const f32,
    c: *mut f32,
    g: Geometry,
    pass: Pass,
    jt: usize,
) {
    let k = g.k;
    let mut it = jt;
    // SAFETY: it + rows ≤ k for every tile below.
    unsafe {
        while it + TI <= k {
            tile::<V, TI, TJ>(a, c, g, pass, it, jt);
            it += TI;
        }
        if TI > 2 && it + 2 <= k {
            tile::<V, 2, TJ>(a, c, g, pass, it, jt);
            it += 2;
        }
        while it < k {
            tile::<V, 1, TJ>(a, c, g, pass, it, jt);
            it += 1;
        }
    }
}

#[inline(always)]
unsafe fn tile<V: SimdF32, const TI: usize, const TJ: usize>(
    a: *const f32,
    c: *mut f32,
    g: Geometry,
    pass: Pass,
    it: usize,
    jt: usize,
) {
    // SAFETY: element (r, i) of x lives at (r·row_stride + i·col_stride)·E with r < n and
    // i < k, inside the lane block; outputs (i, j) at (i·k + j)·E with i, j < k.
    unsafe {
        let z = V::splat(0.0);
        let mut sr = [[z; TJ]; TI];
        let mut si = [[z; TJ]; TI];
        if !pass.first {
            // Partial sums of earlier passes, stored raw in the lower triangle.
            for ii in 0..TI {
                for jj in 0..TJ {
                    if it + ii >= jt + jj {
                        let p = c.add(((it + ii) * g.k + jt + jj) * E);
                        sr[ii][jj] = V::load(p);
                        si[ii][jj] = V::load(p.add(LANES));
                    }
                }
            }
        }
        for r in pass.r0..pass.r1 {
            let row = a.add(r * g.row_stride * E);
            let mut xr = [z; TI];
            let mut xi = [z; TI];
            for ii in 0..TI {
                let p = row.add((it + ii) * g.col_stride * E);
                xr[ii] = V::load(p);
                xi[ii] = V::load(p.add(LANES));
            }
            for jj in 0..TJ {
                let p = row.add((jt + jj) * g.col_stride * E);
                let yr = V::load(p);
                let yi = V::load(p.add(LANES));
                for ii in 0..TI {
                    // conj(x)·y = (xr·yr + xi·yi) + j(xr·yi − xi·yr)
                    sr[ii][jj] = xr[ii].mul_add(yr, sr[ii][jj]);
                    sr[ii][jj] = xi[ii].mul_add(yi, sr[ii][jj]);
                    si[ii][jj] = xr[ii].mul_add(yi, si[ii][jj]);
                    si[ii][jj] = xi[ii].neg_mul_add(yr, si[ii][jj]);
                }
            }
        }
        let diag = V::splat(g.diag);
        for ii in 0..TI {
            for jj in 0..TJ {
                let (i, j) = (it + ii, jt + jj);
                if i < j {
                    continue;
                }
                let pij = c.add((i * g.k + j) * E);
                if !pass.last {
                    sr[ii][jj].store(pij);
                    si[ii][jj].store(pij.add(LANES));
                } else if i == j {
                    sr[ii][jj].add(diag).store(pij);
                    z.store(pij.add(LANES));
                } else {
                    let (im_ij, im_ji) = if g.conj_out {
                        (z.sub(si[ii][jj]), si[ii][jj])
                    } else {
                        (si[ii][jj], z.sub(si[ii][jj]))
                    };
                    sr[ii][jj].store(pij);
                    im_ij.store(pij.add(LANES));
                    let pji = c.add((j * g.k + i) * E);
                    sr[ii][jj].store(pji);
                    im_ji.store(pji.add(LANES));
                }
            }
        }
    }
}
