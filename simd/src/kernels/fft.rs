//! Batched DFTs across the lanes of a [`MatrixBatch`]: one transform per matrix, every
//! butterfly computed for 16 signals at once with no shuffles (the signals sit in the lanes).
//!
//! The algorithm is Stockham's self-sorting mixed-radix FFT (decimation in frequency): for a
//! length N = p₁·p₂·…, stage j with radix p, current sub-transform length n (N at the first
//! stage), m = n/p and s = N/n interleaved sub-sequences computes, for every position
//! i ∈ [0, m) and sub-sequence q ∈ [0, s),
//!
//! `y[q + s·(p·i + u)] = w_n^{u·i} · Σ_t x[q + s·(i + t·m)] · ω_p^{t·u}`, u ∈ [0, p),
//!
//! with `w_n = e^{∓2πj/n}` and `ω_p = e^{∓2πj/p}` (− forward, + inverse), then swaps x and y;
//! after the last stage the output is in natural order (no bit reversal). Radices: 4 while
//! 4 divides N, one 2, then every odd prime up to [`MAX_FFT_RADIX`]. An odd radix uses the
//! symmetric form `X_u, X_{p−u} = a₀ + Σ_t cos(2πtu/p)·(a_t + a_{p−t}) ∓ j·Σ_t
//! sin(2πtu/p)·(a_t − a_{p−t})` (half the multiplies of the direct sum).
//!
//! The transforms are unnormalised, like rustfft's (the inverse of the forward gives N·x).

use crate::register::SimdF32;
use crate::{C32, LANES, MatrixBatch, Result, SimdError};

/// Largest prime factor the length of a [`LaneFft`] may have.
pub const MAX_FFT_RADIX: usize = 31;
/// Largest length of a [`LaneFft`].
pub const MAX_FFT_LEN: usize = 1 << 20;

/// f32 values per element of a lane block: 16 real parts, then 16 imaginary parts.
const E: usize = 2 * LANES;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stage {
    /// Radix p.
    p: usize,
    /// Butterflies per sub-transform: m = n/p.
    m: usize,
    /// Interleaved sub-sequences s (product of the earlier radices).
    s: usize,
    /// Offset of this stage's twiddles `w_n^{u·i}` (i < m, 1 ≤ u < p: (re, im) pairs, i-major)
    /// in `LaneFft::twiddles`.
    tw: usize,
    /// Offset of the radix's roots `ω_p^k`, k < p ((re, im) pairs), in `LaneFft::roots`; an
    /// odd radix also has its `(cos, ±sin)(2πtu/p)` table (t, u ∈ [1, (p−1)/2], t-major)
    /// after them.
    roots: usize,
}

/// `e^{∓2πj·num/den}` (− forward, + `inverse`) as (re, im), its angle computed in f64 from
/// `num mod den` (exact arguments, one rounding to f32 per part).
pub(crate) fn unit_root(inverse: bool, num: usize, den: usize) -> [f32; 2] {
    let sign = if inverse { 1.0 } else { -1.0 };
    let a = sign * 2.0 * std::f64::consts::PI * (num % den) as f64 / den as f64;
    [a.cos() as f32, a.sin() as f32]
}

/// The twiddles `w_len^{u·i}` of a Stockham stage of radix `p` on sub-transforms of length
/// `len`: i < len/p, 1 ≤ u < p, i-major, as (re, im) pairs. (Plain loops: with nested `flat_map`
/// adapters valgrind's memcheck reported conditional jumps on the adapters' own state.)
pub(crate) fn stage_twiddles(inverse: bool, len: usize, p: usize) -> Vec<f32> {
    let mut t = Vec::with_capacity(2 * (len / p) * (p - 1));
    for i in 0..len / p {
        for u in 1..p {
            t.extend(unit_root(inverse, u * i, len));
        }
    }
    t
}

/// A plan for DFTs of one length and direction on [`MatrixBatch`]es of `len × 1` matrices
/// ([`crate::Kernels::fft_batch`]): the factorisation and every twiddle, computed in f64 once.
#[derive(Clone, Debug, PartialEq)]
pub struct LaneFft {
    n: usize,
    inverse: bool,
    stages: Vec<Stage>,
    twiddles: Vec<f32>,
    roots: Vec<f32>,
}

impl LaneFft {
    /// A forward (`inverse = false`: `X_k = Σ_n x_n·e^{−2πjkn/N}`) or inverse (`e^{+2πjkn/N}`,
    /// unnormalised) DFT of length `n`.
    ///
    /// Errors: `n = 0` ([`SimdError::ZeroDimension`]), `n` above [`MAX_FFT_LEN`] or with a
    /// prime factor above [`MAX_FFT_RADIX`] ([`SimdError::TooLarge`] naming that factor).
    pub fn new(n: usize, inverse: bool) -> Result<Self> {
        if n == 0 {
            return Err(SimdError::ZeroDimension { what: "fft length" });
        }
        if n > MAX_FFT_LEN {
            return Err(SimdError::TooLarge {
                what: "fft length",
                value: n,
                max: MAX_FFT_LEN,
            });
        }
        let mut radices = Vec::new();
        let mut rest = n;
        while rest.is_multiple_of(4) {
            radices.push(4);
            rest /= 4;
        }
        if rest.is_multiple_of(2) {
            radices.push(2);
            rest /= 2;
        }
        let mut p = 3;
        while rest > 1 {
            if rest.is_multiple_of(p) {
                if p > MAX_FFT_RADIX {
                    return Err(SimdError::TooLarge {
                        what: "fft length: prime factor",
                        value: p,
                        max: MAX_FFT_RADIX,
                    });
                }
                radices.push(p);
                rest /= p;
            } else {
                p += 2;
            }
        }
        let sign = if inverse { 1.0 } else { -1.0 };
        let unit = |num: usize, den: usize| unit_root(inverse, num, den);
        let (mut stages, mut twiddles, mut roots) = (Vec::new(), Vec::new(), Vec::new());
        let (mut len, mut s) = (n, 1);
        for &p in &radices {
            let m = len / p;
            let stage = Stage {
                p,
                m,
                s,
                tw: twiddles.len(),
                roots: roots.len(),
            };
            twiddles.extend(stage_twiddles(inverse, len, p));
            for k in 0..p {
                roots.extend(unit(k, p));
            }
            let h = (p - 1) / 2;
            if p % 2 == 1 {
                for t in 1..=h {
                    for u in 1..=h {
                        // cos and sign·(−sin)·(−1): X_u = R − j·I (forward) with I = Σ sin·D;
                        // the inverse flips the sine's sign.
                        let a = 2.0 * std::f64::consts::PI * (t * u % p) as f64 / p as f64;
                        roots.push(a.cos() as f32);
                        roots.push((-sign * a.sin()) as f32);
                    }
                }
            }
            stages.push(stage);
            len = m;
            s *= p;
        }
        Ok(Self {
            n,
            inverse,
            stages,
            twiddles,
            roots,
        })
    }

    /// The transform length N.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Always false: a plan has length ≥ 1.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Whether this is the inverse (`e^{+2πjkn/N}`) transform.
    pub fn is_inverse(&self) -> bool {
        self.inverse
    }

    /// The radices of the stages, in the order they run (4s, one 2, then odd primes).
    pub fn radices(&self) -> impl Iterator<Item = usize> + '_ {
        self.stages.iter().map(|s| s.p)
    }
}

/// The scalar reference: the same stages, each butterfly as the direct p-point sum over the
/// radix's roots, one lane at a time.
pub(crate) fn batch_scalar(plan: &LaneFft, x: &mut MatrixBatch, scratch: &mut MatrixBatch) {
    let bl = x.block_len();
    let tmp = &mut scratch.as_mut_slice()[..bl];
    for block in x.as_mut_slice().chunks_exact_mut(bl) {
        let mut in_block = true;
        for st in &plan.stages {
            if in_block {
                stage_scalar(plan, st, block, tmp);
            } else {
                stage_scalar(plan, st, tmp, block);
            }
            in_block = !in_block;
        }
        if !in_block {
            block.copy_from_slice(tmp);
        }
    }
}

fn stage_scalar(plan: &LaneFft, st: &Stage, src: &[f32], dst: &mut [f32]) {
    let Stage { p, m, s, tw, roots } = *st;
    let at =
        |buf: &[f32], e: usize, lane: usize| C32::new(buf[e * E + lane], buf[e * E + LANES + lane]);
    let root = |k: usize| C32::new(plan.roots[roots + 2 * k], plan.roots[roots + 2 * k + 1]);
    for i in 0..m {
        for q in 0..s {
            for lane in 0..LANES {
                for u in 0..p {
                    let mut y = C32::new(0.0, 0.0);
                    for t in 0..p {
                        y += at(src, q + s * (i + t * m), lane) * root(t * u % p);
                    }
                    if u > 0 {
                        let w = tw + 2 * (i * (p - 1) + u - 1);
                        y *= C32::new(plan.twiddles[w], plan.twiddles[w + 1]);
                    }
                    let o = (q + s * (p * i + u)) * E + lane;
                    dst[o] = y.re;
                    dst[o + LANES] = y.im;
                }
            }
        }
    }
}

/// Every matrix (column) of `x` transformed in place, one lane block at a time (ping-pong
/// with the first block of `scratch`). Shapes are checked by the dispatcher: both `n × 1`.
#[inline(always)]
pub(crate) unsafe fn batch<V: SimdF32>(
    plan: &LaneFft,
    x: &mut MatrixBatch,
    scratch: &mut MatrixBatch,
) {
    let bl = x.block_len();
    let tmp = scratch.as_mut_slice()[..bl].as_mut_ptr();
    for block in x.as_mut_slice().chunks_exact_mut(bl) {
        let xp = block.as_mut_ptr();
        let (mut src, mut dst) = (xp, tmp);
        for st in &plan.stages {
            // SAFETY: src and dst are distinct buffers of bl = n·32 f32 (one lane block of an
            // n × 1 batch, and the scratch's first block of the same shape); the stage reads and
            // writes elements < n only. The caller has V's ISA.
            unsafe { stage::<V>(plan, st, src, dst) };
            core::mem::swap(&mut src, &mut dst);
        }
        if src != xp {
            // SAFETY: both hold bl f32 and do not overlap (distinct allocations).
            unsafe { core::ptr::copy_nonoverlapping(src, xp, bl) };
        }
    }
}

#[inline(always)]
unsafe fn ld<V: SimdF32>(base: *const f32, e: usize, g: usize) -> (V, V) {
    // SAFETY: the caller keeps e below the block's element count and g + V::LANES ≤ 16.
    unsafe {
        (
            V::load(base.add(e * E + g)),
            V::load(base.add(e * E + LANES + g)),
        )
    }
}

#[inline(always)]
unsafe fn put<V: SimdF32>(base: *mut f32, e: usize, g: usize, (re, im): (V, V)) {
    // SAFETY: as for `ld`.
    unsafe {
        re.store(base.add(e * E + g));
        im.store(base.add(e * E + LANES + g));
    }
}

#[inline(always)]
unsafe fn cmul<V: SimdF32>((ar, ai): (V, V), (wr, wi): (V, V)) -> (V, V) {
    // SAFETY: register arithmetic; the caller has V's ISA.
    unsafe { (ai.neg_mul_add(wi, ar.mul(wr)), ai.mul_add(wr, ar.mul(wi))) }
}

#[inline(always)]
unsafe fn add<V: SimdF32>(a: (V, V), b: (V, V)) -> (V, V) {
    // SAFETY: as for `cmul`.
    unsafe { (a.0.add(b.0), a.1.add(b.1)) }
}

#[inline(always)]
unsafe fn sub<V: SimdF32>(a: (V, V), b: (V, V)) -> (V, V) {
    // SAFETY: as for `cmul`.
    unsafe { (a.0.sub(b.0), a.1.sub(b.1)) }
}

#[inline(always)]
unsafe fn splat2<V: SimdF32>(w: &[f32], k: usize) -> (V, V) {
    // SAFETY: as for `cmul`.
    unsafe { (V::splat(w[2 * k]), V::splat(w[2 * k + 1])) }
}

/// One stage from `src` to `dst` (distinct lane blocks of `plan.len()` elements).
#[inline(always)]
unsafe fn stage<V: SimdF32>(plan: &LaneFft, st: &Stage, src: *const f32, dst: *mut f32) {
    // SAFETY (every call below): the caller's buffers hold n elements and every index the
    // stage forms is below n (see the module docs: q + s·(i + t·m) < s·p·m = n).
    unsafe {
        match st.p {
            4 => radix4::<V>(plan, st, src, dst),
            2 => radix2::<V>(plan, st, src, dst),
            3 => odd::<V>(plan, st, 3, src, dst),
            5 => odd::<V>(plan, st, 5, src, dst),
            17 => odd::<V>(plan, st, 17, src, dst),
            p => odd::<V>(plan, st, p, src, dst),
        }
    }
}

#[inline(always)]
unsafe fn radix2<V: SimdF32>(plan: &LaneFft, st: &Stage, src: *const f32, dst: *mut f32) {
    let Stage { m, s, tw, .. } = *st;
    for i in 0..m {
        // SAFETY: see `stage`.
        unsafe {
            let w1 = splat2::<V>(&plan.twiddles[tw..], i);
            for q in 0..s {
                let (i0, o0) = (q + s * i, q + 2 * s * i);
                for g in (0..LANES).step_by(V::LANES) {
                    let a0 = ld::<V>(src, i0, g);
                    let a1 = ld::<V>(src, i0 + s * m, g);
                    put::<V>(dst, o0, g, add(a0, a1));
                    put::<V>(dst, o0 + s, g, cmul(sub(a0, a1), w1));
                }
            }
        }
    }
}

#[inline(always)]
unsafe fn radix4<V: SimdF32>(plan: &LaneFft, st: &Stage, src: *const f32, dst: *mut f32) {
    let Stage { m, s, tw, .. } = *st;
    let tw = &plan.twiddles[tw..];
    let inverse = plan.inverse;
    for i in 0..m {
        // SAFETY: see `stage`.
        unsafe {
            let w1 = splat2::<V>(tw, 3 * i);
            let w2 = splat2::<V>(tw, 3 * i + 1);
            let w3 = splat2::<V>(tw, 3 * i + 2);
            for q in 0..s {
                let (i0, o0, sm) = (q + s * i, q + 4 * s * i, s * m);
                for g in (0..LANES).step_by(V::LANES) {
                    let a0 = ld::<V>(src, i0, g);
                    let a1 = ld::<V>(src, i0 + sm, g);
                    let a2 = ld::<V>(src, i0 + 2 * sm, g);
                    let a3 = ld::<V>(src, i0 + 3 * sm, g);
                    let (b0, b1) = (add(a0, a2), sub(a0, a2));
                    let (b2, d) = (add(a1, a3), sub(a1, a3));
                    // ∓j·(a1 − a3): forward X1 = (a0 − a2) − j(a1 − a3).
                    let zero = V::splat(0.0);
                    let b3 = if inverse {
                        (zero.sub(d.1), d.0)
                    } else {
                        (d.1, zero.sub(d.0))
                    };
                    put::<V>(dst, o0, g, add(b0, b2));
                    put::<V>(dst, o0 + s, g, cmul(add(b1, b3), w1));
                    put::<V>(dst, o0 + 2 * s, g, cmul(sub(b0, b2), w2));
                    put::<V>(dst, o0 + 3 * s, g, cmul(sub(b1, b3), w3));
                }
            }
        }
    }
}

/// An odd radix p ≤ [`MAX_FFT_RADIX`] (inlined with p constant for the common ones).
#[inline(always)]
unsafe fn odd<V: SimdF32>(plan: &LaneFft, st: &Stage, p: usize, src: *const f32, dst: *mut f32) {
    let Stage {
        m, s, tw, roots, ..
    } = *st;
    let h = (p - 1) / 2;
    let tw = &plan.twiddles[tw..];
    let cs = &plan.roots[roots + 2 * p..];
    const H: usize = (MAX_FFT_RADIX - 1) / 2;
    for i in 0..m {
        for q in 0..s {
            let (i0, o0, sm) = (q + s * i, q + p * s * i, s * m);
            for g in (0..LANES).step_by(V::LANES) {
                // SAFETY: see `stage`; t, u < p and h ≤ H index the arrays in bounds.
                unsafe {
                    let z = V::splat(0.0);
                    let (mut sum, mut dif) = ([(z, z); H], [(z, z); H]);
                    let a0 = ld::<V>(src, i0, g);
                    let mut y0 = a0;
                    for t in 1..=h {
                        let a = ld::<V>(src, i0 + t * sm, g);
                        let b = ld::<V>(src, i0 + (p - t) * sm, g);
                        sum[t - 1] = add(a, b);
                        dif[t - 1] = sub(a, b);
                        y0 = add(y0, sum[t - 1]);
                    }
                    put::<V>(dst, o0, g, y0);
                    for u in 1..=h {
                        let (mut rr, mut ri) = a0;
                        let (mut ir, mut ii) = (z, z);
                        for t in 1..=h {
                            let k = 2 * ((t - 1) * h + u - 1);
                            let (c, sn) = (V::splat(cs[k]), V::splat(cs[k + 1]));
                            rr = sum[t - 1].0.mul_add(c, rr);
                            ri = sum[t - 1].1.mul_add(c, ri);
                            ir = dif[t - 1].0.mul_add(sn, ir);
                            ii = dif[t - 1].1.mul_add(sn, ii);
                        }
                        // X_u = R − j·I, X_{p−u} = R + j·I (the sine's sign carries the
                        // direction).
                        let xu = (rr.add(ii), ri.sub(ir));
                        let xv = (rr.sub(ii), ri.add(ir));
                        let wu = splat2::<V>(tw, i * (p - 1) + u - 1);
                        let wv = splat2::<V>(tw, i * (p - 1) + p - u - 1);
                        put::<V>(dst, o0 + u * s, g, cmul(xu, wu));
                        put::<V>(dst, o0 + (p - u) * s, g, cmul(xv, wv));
                    }
                }
            }
        }
    }
}
