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

use crate::register::SimdF32;
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

/// A read operand as raw pointers: split planes (element (i, j) at `i·ld + j` of `re` and
/// `im`) or, for the interleaved form, the complex data in `re` (element at `2·(i·ld + j)`).
#[derive(Clone, Copy)]
pub(crate) struct Src {
    re: *const f32,
    im: *const f32,
    ld: usize,
}

/// The written operand C, laid out like [`Src`].
pub(crate) struct Dst {
    re: *mut f32,
    im: *mut f32,
    ld: usize,
}

impl Src {
    pub(crate) fn split(v: &SplitRef<'_>) -> Self {
        Self {
            re: v.re.as_ptr(),
            im: v.im.as_ptr(),
            ld: v.stride,
        }
    }

    pub(crate) fn interleaved(v: &ComplexRef<'_>) -> Self {
        let p = v.data.as_ptr() as *const f32;
        Self {
            re: p,
            im: p,
            ld: v.stride,
        }
    }
}

impl Dst {
    pub(crate) fn split(v: &mut SplitMut<'_>) -> Self {
        Self {
            re: v.re.as_mut_ptr(),
            im: v.im.as_mut_ptr(),
            ld: v.stride,
        }
    }

    pub(crate) fn interleaved(v: &mut ComplexMut<'_>) -> Self {
        let p = v.data.as_mut_ptr() as *mut f32;
        Self {
            re: p,
            im: p,
            ld: v.stride,
        }
    }
}

/// Walks rows `$i..$end` of one column panel in tiles: `$mr` rows while they fit, then the
/// leftovers in tiles of 4 and 2 before single rows (a one-row tile reloads B for every row:
/// m = 16 layers with MR = 6 left four of them). Calls `$f::<$v, TILE, $g…>($args…)` with the
/// tile's first row in `$i`.
macro_rules! row_tiles {
    ($i:ident, $end:expr, $mr:expr, $f:ident::<$v:ty>[$($g:tt),*]($($arg:expr),*)) => {{
        while $i + $mr <= $end {
            $f::<$v, $mr, $($g),*>($($arg),*);
            $i += $mr;
        }
        if $mr > 4 {
            while $i + 4 <= $end {
                $f::<$v, 4, $($g),*>($($arg),*);
                $i += 4;
            }
        }
        if $mr > 2 {
            while $i + 2 <= $end {
                $f::<$v, 2, $($g),*>($($arg),*);
                $i += 2;
            }
        }
        while $i < $end {
            $f::<$v, 1, $($g),*>($($arg),*);
            $i += 1;
        }
    }};
}
#[cfg_attr(not(target_arch = "x86_64"), allow(unused_imports))]
pub(crate) use row_tiles;

/// Computes rows `rows` of C in column panels of `NV·V::LANES` columns from `j0` while they fit
/// before `j1`; returns the first column not done. `IL`: interleaved operands, else split
/// planes. `k` is the inner dimension.
///
/// # Safety
/// V's ISA must be enabled; the operands must come from views whose shapes agree (a m × k,
/// b k × n, c m × n), with rows.end ≤ m and j1 ≤ n (caller-checked).
#[inline(always)]
pub(crate) unsafe fn panels<V: SimdF32, const MR: usize, const NV: usize, const IL: bool>(
    (a, b, c): (Src, Src, &Dst),
    k: usize,
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
        unsafe { row_tiles!(i, rows.end, MR, micro::<V>[NV, IL](a, b, c, k, mode, i, j)) };
        j += w;
    }
    j
}

/// One MR × NV-register tile of C at (i, j). Split planes load B and C rows as they are;
/// interleaved operands load register pairs, split by `deinterleave` (and put back by
/// `interleave`), and read A's re/im pairs in place; their C lines are prefetched first.
#[inline(always)]
unsafe fn micro<V: SimdF32, const MR: usize, const NV: usize, const IL: bool>(
    a: Src,
    b: Src,
    c: &Dst,
    k: usize,
    mode: GemmMode,
    i: usize,
    j: usize,
) {
    let l = V::LANES;
    // f32 offset of element (i, j) of an operand with leading dimension ld: the real part for
    // split planes (the imaginary part at the same offset of `im`), the pair for interleaved.
    let at = |ld: usize, i: usize, j: usize| if IL { 2 * (i * ld + j) } else { i * ld + j };
    // Loads NV·L consecutive elements' (re, im) from register v of a row at offset o.
    let load = |re: *const f32, im: *const f32, o: usize, v: usize| {
        // SAFETY: the caller keeps the L elements from o inside the operand.
        unsafe {
            if IL {
                V::deinterleave(
                    V::load(re.add(o + 2 * v * l)),
                    V::load(re.add(o + 2 * v * l + l)),
                )
            } else {
                (V::load(re.add(o + v * l)), V::load(im.add(o + v * l)))
            }
        }
    };
    // SAFETY: see `panels`: every element is (row < rows)·stride + (col < cols).
    unsafe {
        if IL {
            // The tile's last C line of each row is requested now and written after the k
            // loop: with a grid larger than the cache, the line fetch overlaps the FMAs.
            for r in 0..MR {
                V::prefetch(c.re.add(at(c.ld, i + r, j + NV * l) - 1));
            }
        }
        let z = V::splat(0.0);
        let mut acc_re = [[z; NV]; MR];
        let mut acc_im = [[z; NV]; MR];
        if mode == GemmMode::Accumulate {
            for r in 0..MR {
                for v in 0..NV {
                    (acc_re[r][v], acc_im[r][v]) = load(c.re, c.im, at(c.ld, i + r, j), v);
                }
            }
        }
        for p in 0..k {
            let mut br = [z; NV];
            let mut bi = [z; NV];
            for v in 0..NV {
                (br[v], bi[v]) = load(b.re, b.im, at(b.ld, p, j), v);
            }
            for r in 0..MR {
                let o = at(a.ld, i + r, p);
                let ar = V::splat(*a.re.add(o));
                let ai = V::splat(if IL { *a.re.add(o + 1) } else { *a.im.add(o) });
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
            let o = at(c.ld, i + r, j);
            for v in 0..NV {
                if IL {
                    let (v0, v1) = V::interleave(acc_re[r][v], acc_im[r][v]);
                    v0.store(c.re.add(o + 2 * v * l));
                    v1.store(c.re.add(o + 2 * v * l + l));
                } else {
                    acc_re[r][v].store(c.re.add(o + v * l));
                    acc_im[r][v].store(c.im.add(o + v * l));
                }
            }
        }
    }
}

/// Interleaved GEMM in the *complex-lane* form: rows `rows` of C, column panels of
/// `NV·V::LANES/2` columns from `j0` while they fit before `j1`; returns the first column not
/// done. A register holds `LANES/2` complex values as they lie in memory (no deinterleave):
/// `acc_a += re(A_ip)·b`, `acc_b += im(A_ip)·swap(b)`, and at the end
/// `c = (acc_a.re − acc_b.re, acc_a.im + acc_b.im)` — two FMAs per register and row, the same
/// density as the split form, but panels half as wide: with AVX2 the 4-column tail of a
/// 12-column group (per-PRB detection) runs at full width instead of on 128-bit registers.
///
/// # Safety
/// As [`panels`].
#[inline(always)]
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
pub(crate) unsafe fn panels_c<V: SimdF32, const MR: usize, const NV: usize>(
    (a, b, c): (Src, Src, &Dst),
    k: usize,
    mode: GemmMode,
    rows: Range<usize>,
    j0: usize,
    j1: usize,
) -> usize {
    let w = NV * V::LANES / 2;
    let mut j = j0;
    while j + w <= j1 {
        let mut i = rows.start;
        // SAFETY: as in `panels`: rows i..i+MR ≤ rows.end ≤ m, columns j..j+w ≤ j1 ≤ n.
        unsafe { row_tiles!(i, rows.end, MR, micro_c::<V>[NV](a, b, c, k, mode, i, j)) };
        j += w;
    }
    j
}

/// One MR × NV-register tile of the complex-lane form at (i, j) (see [`panels_c`]).
#[inline(always)]
unsafe fn micro_c<V: SimdF32, const MR: usize, const NV: usize>(
    a: Src,
    b: Src,
    c: &Dst,
    k: usize,
    mode: GemmMode,
    i: usize,
    j: usize,
) {
    let h = V::LANES / 2;
    // f32 offset of complex element (i, j) of an interleaved operand.
    let at = |ld: usize, i: usize, j: usize| 2 * (i * ld + j);
    // SAFETY: see `panels_c`: every element is (row < rows)·stride + (col < cols).
    unsafe {
        // NV registers of row r of an operand from column j.
        let row = |p: *const f32, ld: usize, r: usize| -> [V; NV] {
            core::array::from_fn(|v| V::load(p.add(at(ld, r, j + v * h))))
        };
        let c0 = if mode == GemmMode::Accumulate {
            core::array::from_fn(|r| row(c.re, c.ld, i + r))
        } else {
            [[V::splat(0.0); NV]; MR]
        };
        let y = lane_products::<V, MR, NV>(a, k, i, c0, |p| row(b.re, b.ld, p));
        for (r, yr) in y.iter().enumerate() {
            for (v, x) in yr.iter().enumerate() {
                x.store(c.re.add(at(c.ld, i + r, j + v * h)));
            }
        }
    }
}

/// The products of one complex-lane tile: `c0[r][v] + Σ_p a(i + r, p)·b_p[v]` for rows
/// i..i+MR of A (interleaved) and the NV registers `b_p = load(p)` of row p of B. It
/// accumulates `Σ re(a)·b` and `Σ im(a)·b` and swaps the second's pairs once at the end instead
/// of swapping every loaded register per k step (a shuffle on the port that also runs the second
/// FMA pipe of an Intel core) — the same products, so the same sums.
///
/// # Safety
/// V's ISA enabled; rows i..i+MR and columns 0..k of A inside the operand; `load` reads only
/// inside B.
#[inline(always)]
unsafe fn lane_products<V: SimdF32, const MR: usize, const NV: usize>(
    a: Src,
    k: usize,
    i: usize,
    c0: [[V; NV]; MR],
    load: impl Fn(usize) -> [V; NV],
) -> [[V; NV]; MR] {
    // SAFETY: element (i + r, p) of A at 2·((i + r)·ld + p), inside A (caller).
    unsafe {
        let mut acc_a = c0;
        let mut acc_b = [[V::splat(0.0); NV]; MR];
        for p in 0..k {
            let bb = load(p);
            for r in 0..MR {
                let o = 2 * ((i + r) * a.ld + p);
                let ar = V::splat(*a.re.add(o));
                let ai = V::splat(*a.re.add(o + 1));
                for v in 0..NV {
                    acc_a[r][v] = ar.mul_add(bb[v], acc_a[r][v]);
                    acc_b[r][v] = ai.mul_add(bb[v], acc_b[r][v]);
                }
            }
        }
        // a·b: even lanes Σ ar·br − Σ ai·bi, odd lanes Σ ar·bi + Σ ai·br
        let one = V::splat(1.0);
        core::array::from_fn(|r| {
            core::array::from_fn(|v| one.mul_addsub(acc_a[r][v], acc_b[r][v].swap_re_im()))
        })
    }
}

/// One MR-row tile of the complex-lane form over the same group's columns in two column
/// ranges of B and C (`j..j + w` and `j2..j2 + w`, e.g. one PRB of two OFDM symbols) whose
/// width w is one and a half registers (`3·LANES/4` complex: a PRB of 12 on 512-bit
/// registers): three registers, the middle one made of the first range's last half register
/// and the second range's first ([`SimdF32::load_halves`]). Every FMA works on full registers
/// and each broadcast of A serves three of them, where one range alone takes a full and a
/// half-width register.
///
/// # Safety
/// V's ISA enabled; rows i..i+MR of C, columns j..j + w and j2..j2 + w of B and C inside
/// the operands (interleaved).
#[inline(always)]
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
pub(crate) unsafe fn micro_pair<V: SimdF32, const MR: usize>(
    a: Src,
    b: Src,
    c: &Dst,
    k: usize,
    mode: GemmMode,
    i: usize,
    (j, j2): (usize, usize),
) {
    let h = V::LANES / 2; // complex values per register
    let q = h / 2; // per half register
    let at = |ld: usize, i: usize, j: usize| 2 * (i * ld + j);
    // SAFETY: see above; every access is (row < rows)·ld + (column inside one range).
    unsafe {
        // The three registers of row r of an operand.
        let row = |p: *const f32, ld: usize, r: usize| {
            [
                V::load(p.add(at(ld, r, j))),
                V::load_halves(p.add(at(ld, r, j + h)), p.add(at(ld, r, j2))),
                V::load(p.add(at(ld, r, j2 + q))),
            ]
        };
        let c0 = if mode == GemmMode::Accumulate {
            core::array::from_fn(|r| row(c.re, c.ld, i + r))
        } else {
            [[V::splat(0.0); 3]; MR]
        };
        let y = lane_products::<V, MR, 3>(a, k, i, c0, |p| row(b.re, b.ld, p));
        for (r, [y0, y1, y2]) in y.iter().enumerate() {
            y0.store(c.re.add(at(c.ld, i + r, j)));
            y1.store_halves(
                c.re.add(at(c.ld, i + r, j + h)),
                c.re.add(at(c.ld, i + r, j2)),
            );
            y2.store(c.re.add(at(c.ld, i + r, j2 + q)));
        }
    }
}

/// Columns `j0..j1` of one group of the grouped GEMM for small matrices (A M × K with
/// M, K ≤ 4: per-PRB detection filters of a few antennas and layers, precoders of a few ports):
/// one [`micro_c`] tile of `LANES/2` columns at a time with all M rows of C in it. M and K are
/// constants, so the whole tile unrolls and nothing is looped over but the columns; returns the
/// first column not done. `a` points at the group's interleaved M × K row-major matrix.
///
/// # Safety
/// V's ISA must be enabled; `a` must hold M·K complex values; b (K rows) and c (M rows) must
/// come from views holding columns `j0..j1` (caller-checked).
#[inline(always)]
pub(crate) unsafe fn small_cols<V: SimdF32, const M: usize, const K: usize>(
    a: *const f32,
    (b, c): (Src, &Dst),
    mode: GemmMode,
    j0: usize,
    j1: usize,
) -> usize {
    let mut j = j0;
    while j + V::LANES / 2 <= j1 {
        // Opaque per tile, so that A's parts are broadcast inside the FMAs where they are used
        // rather than hoisted for all the group's columns (with 4 × 4, the 32 hoisted
        // broadcasts and the accumulators spilled).
        let re = core::hint::black_box(a);
        let a = Src { re, im: re, ld: K };
        // SAFETY: rows < M (K) of C (B) and columns j..j + LANES/2 ≤ j1 lie inside the views;
        // A holds M·K values (see above).
        unsafe { micro_c::<V, M, 1>(a, b, c, K, mode, 0, j) };
        j += V::LANES / 2;
    }
    j
}

/// Which cache the grouped GEMM's input hints fill ([`prefetch_rows`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HintCache {
    /// The L1 data cache (`prefetcht0`).
    L1,
    /// The L2 only (`prefetcht1`; [`SimdF32::prefetch_l2`]).
    L2,
}

impl HintCache {
    /// The grouped GEMM's choice on this CPU: the L2 except on Intel cores. On a Zen 4 the
    /// hints into the L1 evicted the current group's tile inputs (its 32 KiB L1 holds a
    /// detection group's 8 KiB filter and 12 KiB pair of input columns, and the next group's
    /// 12 KiB came on top, with the next call's rows): NR per-PRB detection ran 7.1–7.6 ms
    /// with L1 hints and 5.8–6.0 ms with L2 hints on AVX-512 (8.4–10.0 → 6.6–6.9 on AVX2;
    /// alternating runs); the precoder application gained 1–4 %. Intel cores keep the L1 hints
    /// they were tuned with (48 KiB L1; not measured with L2 hints).
    pub(crate) fn for_grouped_gemm() -> Self {
        if crate::backend::intel_cpu() {
            HintCache::L1
        } else {
            HintCache::L2
        }
    }
}

/// Prefetches the interleaved B elements of columns `j0..j1` in rows `rows` (one hint per
/// 64-byte line) into `cache`: the grouped GEMM requests the next group's inputs while it
/// multiplies this one, since its k rows (antennas, a grid row apart) are too many streams for
/// the hardware prefetcher, and the next call's inputs a share of rows per group.
///
/// # Safety
/// V's ISA must be enabled. Prefetches never fault, but the addresses are computed with
/// `wrapping_add` so that even columns outside B form no out-of-bounds pointer.
#[inline(always)]
pub(crate) unsafe fn prefetch_rows<V: SimdF32>(
    b: Src,
    rows: Range<usize>,
    j0: usize,
    j1: usize,
    cache: HintCache,
) {
    if j1 <= j0 {
        return;
    }
    let bytes = 8 * (j1 - j0);
    for p in rows {
        let row = b.re.wrapping_add(2 * (p * b.ld + j0));
        let mut off = 0;
        while off < bytes + 63 {
            let line = row.wrapping_add(off / 4);
            // SAFETY: a prefetch is a hint; the pointer is never dereferenced.
            unsafe {
                match cache {
                    HintCache::L1 => V::prefetch(line),
                    HintCache::L2 => V::prefetch_l2(line),
                }
            };
            off += 64;
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
