//! Batched Cholesky factorisation `G = L·Lᴴ` of Hermitian positive-definite k × k matrices,
//! forward/back substitution `X = G⁻¹B`, and the Hermitian inverse `G⁻¹` from the factor.
//!
//! Algorithm: column-by-column Cholesky–Crout. For column j,
//! `d = G_jj − Σ_{p<j} |L_jp|²`, `L_jj = √d`, `L_ij = (G_ij − Σ_{p<j} L_ip·conj(L_jp)) / L_jj`.
//! Only the lower triangle of G is read; the factor overwrites it and the strict upper triangle
//! is zeroed.
//!
//! Pivot rule (both backends identically): pivot j of a matrix *fails* when
//! `d ≤ τ·|G_jj|`, or d is NaN or infinite — the matrix is not numerically positive definite
//! (to the caller's relative tolerance τ ≥ k·ε, ε = f32 machine epsilon; k·ε by default), or
//! holds a non-finite value (NaN/∞ anywhere in the lower triangle reaches a later pivot). The
//! backends round d differently by a few k·ε·|G_jj|: a τ well above that (e.g. 64·k·ε) makes
//! the decision the same on every backend except for pivots within that rounding band of τ. The first failing pivot (1-based) is reported, and the
//! failed matrix's factor is replaced by the identity, so solves with it stay finite (they
//! return B unchanged); the caller decides (e.g. load the diagonal and retry).

use super::hints::LineHints;
use crate::register::SimdF32;
use crate::{C32, LANES, MatrixBatch};

/// The smallest relative pivot tolerance for order k: k·ε.
pub(crate) fn min_tolerance(k: usize) -> f32 {
    k as f32 * f32::EPSILON
}

/// Whether a pivot value `d` (with original diagonal `g`) is acceptable at relative tolerance
/// `tol`.
#[inline(always)]
pub(crate) fn pivot_ok(d: f32, g: f32, tol: f32) -> bool {
    d > tol * g.abs() && d > 0.0 && d.is_finite()
}

/// Overwrites matrix m of the batch (square) with the identity.
fn set_identity(g: &mut MatrixBatch, m: usize) {
    let k = g.rows();
    for i in 0..k {
        for j in 0..k {
            g.put(m, i, j, C32::new(if i == j { 1.0 } else { 0.0 }, 0.0));
        }
    }
}

/// Scalar reference factorisation; returns the number of failed matrices.
pub(crate) fn factor_scalar(g: &mut MatrixBatch, info: &mut [u32], tol: f32) -> usize {
    let k = g.rows();
    let mut failures = 0;
    for (m, status) in info.iter_mut().enumerate().take(g.len()) {
        let mut first_fail = 0u32;
        for j in 0..k {
            let gjj = g.at(m, j, j).re;
            let mut d = gjj;
            for p in 0..j {
                d -= g.at(m, j, p).norm_sqr();
            }
            if !pivot_ok(d, gjj, tol) {
                if first_fail == 0 {
                    first_fail = j as u32 + 1;
                }
                d = 1.0;
            }
            let ljj = d.sqrt();
            let inv = 1.0 / ljj;
            g.put(m, j, j, C32::new(ljj, 0.0));
            for i in j + 1..k {
                let mut s = g.at(m, i, j);
                for p in 0..j {
                    s -= g.at(m, i, p) * g.at(m, j, p).conj();
                }
                g.put(m, i, j, s * inv);
            }
        }
        for i in 0..k {
            for j in i + 1..k {
                g.put(m, i, j, C32::new(0.0, 0.0));
            }
        }
        *status = first_fail;
        if first_fail != 0 {
            set_identity(g, m);
            failures += 1;
        }
    }
    failures
}

/// Scalar reference solve: `b ← G⁻¹·b` with `G = L·Lᴴ`, for every matrix.
pub(crate) fn solve_scalar(l: &MatrixBatch, b: &mut MatrixBatch) {
    let k = l.rows();
    let nc = b.cols();
    for m in 0..l.len() {
        for c in 0..nc {
            for i in 0..k {
                let mut s = b.at(m, i, c);
                for p in 0..i {
                    s -= l.at(m, i, p) * b.at(m, p, c);
                }
                b.put(m, i, c, s * (1.0 / l.at(m, i, i).re));
            }
            for i in (0..k).rev() {
                let mut s = b.at(m, i, c);
                for p in i + 1..k {
                    s -= l.at(m, p, i).conj() * b.at(m, p, c);
                }
                b.put(m, i, c, s * (1.0 / l.at(m, i, i).re));
            }
        }
    }
}

const E: usize = 2 * LANES;

/// SIMD factorisation of the whole batch; returns the number of failed matrices.
///
/// # Safety
/// V's ISA must be enabled; `g` square with k ≥ 1, `info.len() == g.len()` (caller-checked).
#[inline(always)]
pub(crate) unsafe fn factor<V: SimdF32>(g: &mut MatrixBatch, info: &mut [u32], tol: f32) -> usize {
    let k = g.rows();
    let bl = g.block_len();
    let len = g.len();
    let mut failures = 0;
    for b in 0..g.blocks() {
        let mut fail = [0u32; LANES];
        let base = g.as_mut_slice().as_mut_ptr();
        for off in (0..LANES).step_by(V::LANES) {
            // SAFETY: block b spans bl f32 from b·bl; lanes off..off+V::LANES ≤ 16.
            unsafe {
                factor_lanes::<V>(
                    base.add(b * bl + off),
                    k,
                    &mut fail[off..off + V::LANES],
                    tol,
                )
            };
        }
        for (lane, &f) in fail.iter().enumerate() {
            let m = b * LANES + lane;
            if m >= len {
                continue;
            }
            info[m] = f;
            if f != 0 {
                set_identity(g, m);
                failures += 1;
            }
        }
    }
    failures
}

#[inline(always)]
unsafe fn factor_lanes<V: SimdF32>(c: *mut f32, k: usize, fail: &mut [u32], tol_rel: f32) {
    // SAFETY (whole body): element (i, j), i, j < k, is at (i·k + j)·E inside the lane block.
    unsafe {
        let z = V::splat(0.0);
        let one = V::splat(1.0);
        let tol = V::splat(tol_rel);
        for j in 0..k {
            let pjj = c.add((j * k + j) * E);
            let gjj = V::load(pjj);
            // Four partial sums (re/im × even/odd p) shorten the dependency chain 4×.
            let (mut d0, mut d1, mut d2, mut d3) = (gjj, z, z, z);
            let mut p = 0;
            while p + 2 <= j {
                let q = c.add((j * k + p) * E);
                let (lr, li) = (V::load(q), V::load(q.add(LANES)));
                let q = q.add(E);
                let (mr, mi) = (V::load(q), V::load(q.add(LANES)));
                d0 = lr.neg_mul_add(lr, d0);
                d1 = li.neg_mul_add(li, d1);
                d2 = mr.neg_mul_add(mr, d2);
                d3 = mi.neg_mul_add(mi, d3);
                p += 2;
            }
            if p < j {
                let q = c.add((j * k + p) * E);
                let (lr, li) = (V::load(q), V::load(q.add(LANES)));
                d0 = lr.neg_mul_add(lr, d0);
                d1 = li.neg_mul_add(li, d1);
            }
            let mut d = d0.add(d1).add(d2.add(d3));
            // Fast vector test of the pivot rule (d > τ·G_jj and d < ∞ is `pivot_ok` given
            // d ≤ G_jj); lane by lane only when some lane fails.
            if !d.all_between_lo_inf(gjj.mul(tol)) {
                let mut dv = [0.0f32; LANES];
                let mut gv = [0.0f32; LANES];
                d.store(dv.as_mut_ptr());
                gjj.store(gv.as_mut_ptr());
                for lane in 0..V::LANES {
                    if !pivot_ok(dv[lane], gv[lane], tol_rel) {
                        if fail[lane] == 0 {
                            fail[lane] = j as u32 + 1;
                        }
                        dv[lane] = 1.0;
                    }
                }
                d = V::load(dv.as_ptr());
            }
            let ljj = d.sqrt();
            ljj.store(pjj);
            z.store(pjj.add(LANES));
            let inv = one.div(ljj);
            let mut i = j + 1;
            while i + 4 <= k {
                column_rows::<V, 4, false>(c, k, i, j, inv);
                i += 4;
            }
            match k - i {
                3 => column_rows::<V, 3, false>(c, k, i, j, inv),
                2 => column_rows::<V, 2, true>(c, k, i, j, inv),
                1 => column_rows::<V, 1, true>(c, k, i, j, inv),
                _ => {}
            }
        }
        for i in 0..k {
            for j in i + 1..k {
                let p = c.add((i * k + j) * E);
                z.store(p);
                z.store(p.add(LANES));
            }
        }
    }
}

/// `L_ij = (G_ij − Σ_{p<j} L_ip·conj(L_jp))·inv` for rows i0..i0+R of column j. `SPLIT` keeps
/// the two products of each real/imaginary part in separate accumulators (more independent
/// chains for small R, where latency, not throughput, bounds the loop).
#[inline(always)]
unsafe fn column_rows<V: SimdF32, const R: usize, const SPLIT: bool>(
    c: *mut f32,
    k: usize,
    i0: usize,
    j: usize,
    inv: V,
) {
    // SAFETY: rows i0..i0+R ≤ k and columns ≤ j < k: all inside the lane block.
    unsafe {
        let z = V::splat(0.0);
        let (mut ar, mut ai, mut br2, mut bi2) = ([z; R], [z; R], [z; R], [z; R]);
        for r in 0..R {
            let p = c.add(((i0 + r) * k + j) * E);
            ar[r] = V::load(p);
            ai[r] = V::load(p.add(LANES));
        }
        for p in 0..j {
            let q = c.add((j * k + p) * E);
            let (br, bi) = (V::load(q), V::load(q.add(LANES)));
            for r in 0..R {
                let s = c.add(((i0 + r) * k + p) * E);
                let (xr, xi) = (V::load(s), V::load(s.add(LANES)));
                // x·conj(b) = (xr·br + xi·bi) + j(xi·br − xr·bi)
                ar[r] = xr.neg_mul_add(br, ar[r]);
                ai[r] = xi.neg_mul_add(br, ai[r]);
                if SPLIT {
                    br2[r] = xi.neg_mul_add(bi, br2[r]);
                    bi2[r] = xr.mul_add(bi, bi2[r]);
                } else {
                    ar[r] = xi.neg_mul_add(bi, ar[r]);
                    ai[r] = xr.mul_add(bi, ai[r]);
                }
            }
        }
        for r in 0..R {
            let p = c.add(((i0 + r) * k + j) * E);
            ar[r].add(br2[r]).mul(inv).store(p);
            ai[r].add(bi2[r]).mul(inv).store(p.add(LANES));
        }
    }
}

/// Widest column tile a backend may instantiate (sizes the solve's packing buffer).
const MAX_CB: usize = 4;

/// SIMD solve `b ← G⁻¹·b` over the batch, CB columns at a time.
///
/// Rows of b lie nc·E floats apart — 8 KiB for 64 right-hand sides, a multiple of the L1's
/// 4 KiB set stride (32 KiB, 8 ways), so the k rows of one column chunk all fall into the same
/// cache sets and evict each other (k = 16 rows over 8 ways): the substitution then streams
/// from L2. With `PACK` each chunk is copied into a packed stack buffer (rows w·E floats apart,
/// ≤ 16 KiB), solved there by every lane group, and copied back — the RZF weights' solve ran
/// ×1.5 faster on a Zen 3 core with AVX2 (two 8-lane groups sweep each chunk). Without it the
/// chunk is solved where it lies: with one 16-lane group per chunk (AVX-512) the copies cost
/// more than the conflict misses they avoid (RZF weights 8 % faster unpacked on a Zen 4 core;
/// AVX2 on the same core equal either way).
///
/// # Safety
/// V's ISA must be enabled; `l` k × k with k ≤ [`crate::MAX_ORDER`], `b` k × nc, same batch
/// length (caller-checked).
#[inline(always)]
pub(crate) unsafe fn solve<V: SimdF32, const RB: usize, const CB: usize, const PACK: bool>(
    l: &MatrixBatch,
    b: &mut MatrixBatch,
    next: &[&[C32]],
) {
    const { assert!(CB >= 1 && CB <= MAX_CB) };
    let k = l.rows();
    let nc = b.cols();
    // One hint step per row block of a sweep (`sweep`: ⌊k/R⌋ blocks of R rows, then single
    // rows), two sweeps per lane group and column chunk (`nc/CB` chunks of CB columns with
    // R = RB, then single columns with R = 4).
    let per_sweep = |r: usize| k / r + k % r;
    let chunk_steps = (nc / CB) * per_sweep(RB) + (nc % CB) * per_sweep(4);
    let steps = l.blocks() * (LANES / V::LANES) * 2 * chunk_steps;
    let mut hints = LineHints::new(next, steps);
    let (lbl, bbl) = (l.block_len(), b.block_len());
    let pl = l.as_slice().as_ptr();
    let mut chunk = super::LineAligned::<{ crate::MAX_ORDER * MAX_CB * E }>::zeroed();
    let chunk = &mut chunk.0;
    for blk in 0..l.blocks() {
        let block = &mut b.as_mut_slice()[blk * bbl..(blk + 1) * bbl];
        let mut c0 = 0;
        while c0 < nc {
            let w = if CB <= nc - c0 { CB } else { 1 };
            if PACK {
                let packed = &mut chunk[..k * w * E];
                for (i, row) in packed.chunks_exact_mut(w * E).enumerate() {
                    let o = (i * nc + c0) * E;
                    row.copy_from_slice(&block[o..o + w * E]);
                }
                // SAFETY: the packed chunk holds k rows of w columns (row stride w).
                unsafe {
                    solve_chunk::<V, RB, CB>(
                        pl.add(blk * lbl),
                        packed.as_mut_ptr(),
                        k,
                        w,
                        0,
                        &mut hints,
                    )
                };
                for (i, row) in packed.chunks_exact(w * E).enumerate() {
                    let o = (i * nc + c0) * E;
                    block[o..o + w * E].copy_from_slice(row);
                }
            } else {
                // SAFETY: block blk of b is k × nc and columns c0..c0 + w ≤ nc.
                unsafe {
                    solve_chunk::<V, RB, CB>(
                        pl.add(blk * lbl),
                        block.as_mut_ptr(),
                        k,
                        nc,
                        c0,
                        &mut hints,
                    )
                };
            }
            c0 += w;
        }
    }
}

/// Forward then back substitution of columns `c0..c0 + w` (w = CB, or 1 for the last
/// columns) of the k rows at `b` (row stride `nc` elements) by every lane group, with the
/// factor's lane block at `l`.
///
/// # Safety
/// V's ISA enabled; `l` one lane block of a k × k factor, `b` k rows of `nc` elements of one
/// lane block, `c0 + w ≤ nc`.
#[inline(always)]
unsafe fn solve_chunk<V: SimdF32, const RB: usize, const CB: usize>(
    l: *const f32,
    b: *mut f32,
    k: usize,
    nc: usize,
    c0: usize,
    hints: &mut LineHints,
) {
    let w = if CB <= nc - c0 { CB } else { 1 };
    for off in (0..LANES).step_by(V::LANES) {
        // SAFETY: lanes off..off + V::LANES ≤ 16 of the blocks the caller vouches for.
        unsafe {
            let (lp, cp) = (l.add(off), b.add(off));
            if w == CB {
                sweep::<V, RB, CB, false>(lp, cp, k, nc, c0, hints);
                sweep::<V, RB, CB, true>(lp, cp, k, nc, c0, hints);
            } else {
                sweep::<V, 4, 1, false>(lp, cp, k, nc, c0, hints);
                sweep::<V, 4, 1, true>(lp, cp, k, nc, c0, hints);
            }
        }
    }
}

/// Forward (`BACK = false`) or back substitution of columns c0..c0+CB, in blocks of RB rows
/// (ascending for forward, descending for back), single rows for the remainder.
#[inline(always)]
unsafe fn sweep<V: SimdF32, const RB: usize, const CB: usize, const BACK: bool>(
    l: *const f32,
    b: *mut f32,
    k: usize,
    nc: usize,
    c0: usize,
    hints: &mut LineHints,
) {
    // SAFETY: every block's rows are < k (see `rows_block`).
    unsafe {
        let mut done = 0;
        while done + RB <= k {
            let first = if BACK { k - 1 - done } else { done };
            rows_block::<V, RB, CB, BACK>(l, b, k, nc, first, c0);
            hints.step::<V>();
            done += RB;
        }
        while done < k {
            let first = if BACK { k - 1 - done } else { done };
            rows_block::<V, 1, CB, BACK>(l, b, k, nc, first, c0);
            hints.step::<V>();
            done += 1;
        }
    }
}

/// Substitution for RB consecutive rows starting at `first` (forward: first, first+1, …; back:
/// first, first−1, …) and columns c0..c0+CB.
///
/// Forward, row i: `y_i = (b_i − Σ_{p<i} L_ip·y_p) / L_ii`;
/// back, row i: `x_i = (y_i − Σ_{p>i} conj(L_pi)·x_p) / L_ii`.
/// Phase 1 accumulates the terms of the rows already solved (outside the block) with the RB×CB
/// accumulators in registers, loading each coefficient once per column and each solved value
/// once per row block; phase 2 resolves the small triangle inside the block from registers.
#[inline(always)]
unsafe fn rows_block<V: SimdF32, const RB: usize, const CB: usize, const BACK: bool>(
    l: *const f32,
    b: *mut f32,
    k: usize,
    nc: usize,
    first: usize,
    c0: usize,
) {
    let row = |r: usize| if BACK { first - r } else { first + r };
    // Coefficient multiplying solved row p in the equation of row i (conjugated for back).
    let coef = |i: usize, p: usize| {
        if BACK {
            (p * k + i) * E
        } else {
            (i * k + p) * E
        }
    };
    // SAFETY: rows row(r) ∈ [0, k) by the caller's loop bounds, p ∈ [0, k), columns < nc.
    unsafe {
        let z = V::splat(0.0);
        let (mut ar, mut ai) = ([[z; CB]; RB], [[z; CB]; RB]);
        for r in 0..RB {
            for c in 0..CB {
                let q = b.add((row(r) * nc + c0 + c) * E);
                ar[r][c] = V::load(q);
                ai[r][c] = V::load(q.add(LANES));
            }
        }
        let (lo, hi) = if BACK { (first + 1, k) } else { (0, first) };
        for p in lo..hi {
            let (mut xr, mut xi) = ([z; CB], [z; CB]);
            for c in 0..CB {
                let q = b.add((p * nc + c0 + c) * E);
                xr[c] = V::load(q);
                xi[c] = V::load(q.add(LANES));
            }
            for r in 0..RB {
                let q = l.add(coef(row(r), p));
                let (lr, li) = (V::load(q), V::load(q.add(LANES)));
                for c in 0..CB {
                    sub_product::<V, BACK>(&mut ar[r][c], &mut ai[r][c], lr, li, xr[c], xi[c]);
                }
            }
        }
        let one = V::splat(1.0);
        for r in 0..RB {
            let i = row(r);
            for rr in 0..r {
                let q = l.add(coef(i, row(rr)));
                let (lr, li) = (V::load(q), V::load(q.add(LANES)));
                for c in 0..CB {
                    let (xr, xi) = (ar[rr][c], ai[rr][c]);
                    sub_product::<V, BACK>(&mut ar[r][c], &mut ai[r][c], lr, li, xr, xi);
                }
            }
            let inv = one.div(V::load(l.add((i * k + i) * E)));
            for c in 0..CB {
                ar[r][c] = ar[r][c].mul(inv);
                ai[r][c] = ai[r][c].mul(inv);
                let q = b.add((i * nc + c0 + c) * E);
                ar[r][c].store(q);
                ai[r][c].store(q.add(LANES));
            }
        }
    }
}

/// `acc −= l·x` (forward) or `acc −= conj(l)·x` (back), split real/imaginary.
#[inline(always)]
unsafe fn sub_product<V: SimdF32, const CONJ: bool>(
    ar: &mut V,
    ai: &mut V,
    lr: V,
    li: V,
    xr: V,
    xi: V,
) {
    // SAFETY: V's ISA is enabled by the caller.
    unsafe {
        // l·x = (lr·xr − li·xi) + j(lr·xi + li·xr); conj(l)·x = (lr·xr + li·xi) + j(lr·xi − li·xr)
        *ar = lr.neg_mul_add(xr, *ar);
        *ai = lr.neg_mul_add(xi, *ai);
        if CONJ {
            *ar = li.neg_mul_add(xi, *ar);
            *ai = li.mul_add(xr, *ai);
        } else {
            *ar = li.mul_add(xi, *ar);
            *ai = li.neg_mul_add(xr, *ai);
        }
    }
}
