//! One power-of-two DFT per call on interleaved complex samples — an OFDM symbol — with the
//! cyclic prefix written by the last stage: [`OfdmFft`], run by [`crate::Kernels::ofdm_fft`].
//!
//! The algorithm is Stockham's self-sorting FFT (decimation in frequency, as in
//! [`crate::LaneFft`]): for a length N = 8^a·r (r ∈ {1, 2, 4}), stage j with radix p, current
//! sub-transform length n (N at the first stage), m = n/p and s = N/n interleaved
//! sub-sequences computes, for every position i ∈ [0, m) and sub-sequence q ∈ [0, s),
//!
//! `y[q + s·(p·i + u)] = w_n^{u·i} · Σ_t x[q + s·(i + t·m)] · ω_p^{t·u}`, u ∈ [0, p),
//!
//! with `w_n = e^{∓2πj/n}` and `ω_p = e^{∓2πj/p}` (− forward, + inverse); the output is in
//! natural order. Radices: 8 while 8 divides the rest, then one 4 or 2.
//!
//! The AVX-512 kernel holds 8 complex samples per register. Every stage after the first has
//! s ≥ 8 and runs along q (8 consecutive sub-sequences per register, twiddles broadcast); the
//! first (s = 1) runs along i with per-lane twiddles and puts its 8 × 8 outputs in order by
//! a register transposition. Two pairs of stages run as one pass each through a 4 KiB block
//! that stays in the L1 (a 4096-point symbol is 32 KiB, its two buffers twice the Zen 4's
//! L1): stages 0 and 1 where both are radix 8 (N ≥ 512), and the last two (the first of them
//! radix 8) where the output is written with ordinary stores — ×1.2 for a 4096-point
//! transform in cache. The last stage writes each output register straight into the symbol —
//! and a second time into the cyclic prefix where it is part of the symbol's tail — with
//! non-temporal stores when asked: no copy of the symbol, no pass over it after the
//! transform. The scalar reference computes the same stages with the same twiddles (so the
//! two agree to rounding, not bit for bit: the kernel fuses multiplies and adds).
//!
//! The transforms are unnormalised, like rustfft's (the inverse of the forward gives N·x).

use crate::kernels::fft::{stage_twiddles, unit_root};
use crate::{C32, Result, SimdError};

/// Smallest length of an [`OfdmFft`] (the first stage's 8 × 8 register block).
pub const MIN_OFDM_FFT_LEN: usize = 64;
/// Largest length of an [`OfdmFft`].
pub const MAX_OFDM_FFT_LEN: usize = 1 << 16;

/// A plan for one power-of-two DFT length and direction ([`crate::Kernels::ofdm_fft`]): the
/// radices and every twiddle, computed in f64 once.
#[derive(Clone, Debug, PartialEq)]
pub struct OfdmFft {
    n: usize,
    inverse: bool,
    radices: Vec<usize>,
    /// Per stage: `w_n^{u·i}`, i < m, 1 ≤ u < p, as (re, im) pairs, i-major.
    twiddles: Vec<Vec<f32>>,
    /// The first stage's twiddles per register of 8 positions i: for each group of 8 i and
    /// each u in 1..8, the 8 lanes' `w_N^{u·i}` as (re, im) pairs.
    lane_twiddles: Vec<f32>,
    /// `ω₈^k`, k < 8 (the reference's butterflies: `ω_p^{tu} = ω₈^{tu·8/p}`).
    roots: [C32; 8],
}

impl OfdmFft {
    /// A forward (`inverse = false`: `X_k = Σ_n x_n·e^{−2πjkn/N}`) or inverse (`e^{+2πjkn/N}`,
    /// unnormalised) DFT of length `n`.
    ///
    /// Errors: `n` not a power of two or below [`MIN_OFDM_FFT_LEN`]
    /// ([`SimdError::OutsideInterval`] naming `ofdm fft length`), above [`MAX_OFDM_FFT_LEN`]
    /// ([`SimdError::TooLarge`]).
    pub fn new(n: usize, inverse: bool) -> Result<Self> {
        if n > MAX_OFDM_FFT_LEN {
            return Err(SimdError::TooLarge {
                what: "ofdm fft length",
                value: n,
                max: MAX_OFDM_FFT_LEN,
            });
        }
        if n < MIN_OFDM_FFT_LEN || !n.is_power_of_two() {
            return Err(SimdError::OutsideInterval {
                what: "ofdm fft length (a power of two)",
                value: n as f32,
                low: MIN_OFDM_FFT_LEN as f32,
                high: (MAX_OFDM_FFT_LEN + 1) as f32,
            });
        }
        let mut radices = Vec::new();
        let mut rest = n;
        while rest.is_multiple_of(8) {
            radices.push(8);
            rest /= 8;
        }
        if rest > 1 {
            radices.push(rest);
        }
        let unit = |num: usize, den: usize| unit_root(inverse, num, den);
        let mut twiddles = Vec::new();
        let mut len = n;
        for &p in &radices {
            twiddles.push(stage_twiddles(inverse, len, p));
            len /= p;
        }
        let m0 = n / 8;
        let mut lane_twiddles = Vec::with_capacity(2 * 7 * m0);
        for g in (0..m0).step_by(8) {
            for u in 1..8 {
                for l in 0..8 {
                    lane_twiddles.extend(unit(u * (g + l), n));
                }
            }
        }
        let roots = core::array::from_fn(|k| {
            let [re, im] = unit(k, 8);
            C32::new(re, im)
        });
        Ok(Self {
            n,
            inverse,
            radices,
            twiddles,
            lane_twiddles,
            roots,
        })
    }

    /// The transform length N.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Always false (N ≥ [`MIN_OFDM_FFT_LEN`]); for clippy's `len_without_is_empty`.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Whether this is the inverse transform.
    pub fn is_inverse(&self) -> bool {
        self.inverse
    }

    /// The radices of the stages, in order (8, …, 8, then 4 or 2 where log₂N is not a
    /// multiple of 3).
    pub fn radices(&self) -> &[usize] {
        &self.radices
    }

    /// Length of the scratch buffer [`crate::Kernels::ofdm_fft`] takes: 2N + 8 samples (two
    /// halves of N, each put on a 64-byte boundary inside it).
    pub fn scratch_len(&self) -> usize {
        2 * self.n + 8
    }
}

/// Scalar reference: `x` (N) through the stages into `out` (`cp + N`: the DFT at `cp..`, its
/// last `cp` samples also at `..cp`); `scratch` 2N. Shapes caller-checked.
pub(crate) fn scalar(plan: &OfdmFft, x: &[C32], scratch: &mut [C32], out: &mut [C32], cp: usize) {
    let n = plan.n;
    let (a, b) = scratch.split_at_mut(n);
    let b = &mut b[..n];
    let mut len = n;
    let stages = plan.radices.len();
    for (j, &p) in plan.radices.iter().enumerate() {
        let (src, dst): (&[C32], &mut [C32]) = match (j, j % 2) {
            (0, _) => (x, &mut *a),
            (_, 1) => (&*a, &mut *b),
            _ => (&*b, &mut *a),
        };
        let dst: &mut [C32] = if j + 1 == stages { &mut out[cp..] } else { dst };
        stage_scalar(plan, j, p, len, src, dst);
        len /= p;
    }
    out.copy_within(n..n + cp, 0);
}

/// One stage of the reference (see the module formula).
fn stage_scalar(plan: &OfdmFft, j: usize, p: usize, len: usize, x: &[C32], y: &mut [C32]) {
    let n = plan.n;
    let (m, s) = (len / p, n / len);
    let tw = &plan.twiddles[j];
    for i in 0..m {
        for q in 0..s {
            for u in 0..p {
                let mut acc = C32::new(0.0, 0.0);
                for t in 0..p {
                    acc += x[q + s * (i + t * m)] * plan.roots[(t * u * (8 / p)) % 8];
                }
                let w = if u == 0 {
                    C32::new(1.0, 0.0)
                } else {
                    let k = 2 * (i * (p - 1) + u - 1);
                    C32::new(tw[k], tw[k + 1])
                };
                y[q + s * (p * i + u)] = acc * w;
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
pub(crate) mod x86_512 {
    //! The AVX-512 stages: 8 complex samples per register, each radix-8 butterfly a split
    //! radix-2·4 network (`±j` by a pair swap and one fused add/sub; `ω₈`, `ω₈³` by one
    //! multiply and one fused multiply-add/sub), its twiddles by a swap, a multiply and a
    //! `fmaddsub`.

    use super::OfdmFft;
    use crate::C32;
    use crate::kernels::hints::LineHints;
    use core::arch::x86_64::*;

    /// One step of the caller's line hints (into the L2), once per butterfly register block.
    #[inline(always)]
    fn hint(h: &mut LineHints<'_>) {
        // SAFETY: the kernel runs with AVX-512 F (so SSE's prefetch); a hint never faults.
        unsafe { h.step_l2::<__m512>() }
    }

    /// `a·b ∓ c`: minus in the even (real) lanes, plus in the odd (imaginary) ones — one
    /// `vfmaddsub` written as an instruction: LLVM rewrites `_mm512_fmaddsub_ps` next to an
    /// `_mm512_fmsubadd_ps` of the same operands (or of a swap it can see through) into two
    /// FMAs and two blends, twice the operations of the butterfly's one fused instruction.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn fmaddsub(a: __m512, b: __m512, c: __m512) -> __m512 {
        let mut r = a;
        // SAFETY: register-only arithmetic; the kernel runs with AVX-512 F.
        unsafe {
            core::arch::asm!(
                "vfmaddsub213ps {r}, {b}, {c}",
                r = inout(zmm_reg) r,
                b = in(zmm_reg) b,
                c = in(zmm_reg) c,
                options(pure, nomem, nostack, preserves_flags)
            );
        }
        r
    }

    /// `a·b ± c`: plus in the even (real) lanes, minus in the odd ones (`vfmsubadd`; see
    /// [`fmaddsub`]).
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn fmsubadd(a: __m512, b: __m512, c: __m512) -> __m512 {
        let mut r = a;
        // SAFETY: as in `fmaddsub`.
        unsafe {
            core::arch::asm!(
                "vfmsubadd213ps {r}, {b}, {c}",
                r = inout(zmm_reg) r,
                b = in(zmm_reg) b,
                c = in(zmm_reg) c,
                options(pure, nomem, nostack, preserves_flags)
            );
        }
        r
    }

    /// `P` registers from `p`, `p + stride`, … (floats): the addresses as a chain of adds,
    /// which LLVM's SLP vectoriser leaves alone (an array of `base + t·stride` it computed in
    /// vector registers and extracted lane by lane, four operations per load).
    ///
    /// # Safety
    /// Every `p + t·stride` (t < P) valid for 16 float reads.
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn load_strided<const P: usize>(p: *const f32, stride: usize) -> [__m512; P] {
        let mut r = [_mm512_setzero_ps(); P];
        let mut at = p;
        for v in r.iter_mut() {
            // SAFETY: the caller's bounds; the last `add` may point one stride past the end
            // but is never read (wrapping).
            unsafe { *v = _mm512_loadu_ps(at) };
            at = at.wrapping_add(stride);
        }
        r
    }

    /// The (re, im) pairs of `x` swapped.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn swap(x: __m512) -> __m512 {
        _mm512_permute_ps::<0xB1>(x)
    }

    /// `x·w` for w = (wr, wi), both given per lane (re and im duplicated over each pair).
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn cmul(x: __m512, wr: __m512, wi: __m512) -> __m512 {
        fmaddsub(x, wr, _mm512_mul_ps(swap(x), wi))
    }

    /// `a − j·b` (forward: `a + ω₄·b`, ω₄ = −j) and `a + j·b`, both from one swap of b:
    /// `one` is 1.0 in every lane, passed in so that it is not a constant the compiler turns
    /// the fused forms into two operations and a blend with.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn pm_j(a: __m512, b: __m512, one: __m512) -> (__m512, __m512) {
        let sw = swap(b);
        (fmsubadd(a, one, sw), fmaddsub(a, one, sw))
    }

    /// 4-point DFT of registers (c0..c3), direction `INV`.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn dft4<const INV: bool>(c: [__m512; 4], one: __m512) -> [__m512; 4] {
        let s0 = _mm512_add_ps(c[0], c[2]);
        let d0 = _mm512_sub_ps(c[0], c[2]);
        let s1 = _mm512_add_ps(c[1], c[3]);
        let d1 = _mm512_sub_ps(c[1], c[3]);
        // Forward: X1 = d0 − j·d1, X3 = d0 + j·d1; the inverse swaps them.
        let (minus, plus) = pm_j(d0, d1, one);
        let (x1, x3) = if INV { (plus, minus) } else { (minus, plus) };
        [_mm512_add_ps(s0, s1), x1, _mm512_sub_ps(s0, s1), x3]
    }

    /// 8-point DFT of registers (a0..a7): two 4-point DFTs of the even and odd inputs, the
    /// odd ones turned by ω₈^u.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn dft8<const INV: bool>(a: [__m512; 8], one: __m512) -> [__m512; 8] {
        let r = _mm512_set1_ps(core::f32::consts::FRAC_1_SQRT_2);
        let nr = _mm512_set1_ps(-core::f32::consts::FRAC_1_SQRT_2);
        let e = dft4::<INV>([a[0], a[2], a[4], a[6]], one);
        let o = dft4::<INV>([a[1], a[3], a[5], a[7]], one);
        // (x + jy)·ω₈ and ·ω₈³, (x, y) = o1, o3, sw = (y, x):
        // forward ω₈ = (1 − j)/√2: ((x + y) + j(y − x))/√2 → fmsubadd(o, r, sw·r);
        //         ω₈³ = (−1 − j)/√2: ((y − x) − j(x + y))/√2 → fmsubadd(o, −r, sw·r);
        // inverse ω₈ = (1 + j)/√2: ((x − y) + j(x + y))/√2 → fmaddsub(o, r, sw·r);
        //         ω₈³ = (−1 + j)/√2: (−(x + y) + j(x − y))/√2 → fmaddsub(o, −r, sw·r).
        let (s1, s3) = (_mm512_mul_ps(swap(o[1]), r), _mm512_mul_ps(swap(o[3]), r));
        let (t1, t3) = if INV {
            (fmaddsub(o[1], r, s1), fmaddsub(o[3], nr, s3))
        } else {
            (fmsubadd(o[1], r, s1), fmsubadd(o[3], nr, s3))
        };
        // e2 + ω₈²·o2 with ω₈² = ∓j.
        let (minus, plus) = pm_j(e[2], o[2], one);
        let (b2, b6) = if INV { (plus, minus) } else { (minus, plus) };
        [
            _mm512_add_ps(e[0], o[0]),
            _mm512_add_ps(e[1], t1),
            b2,
            _mm512_add_ps(e[3], t3),
            _mm512_sub_ps(e[0], o[0]),
            _mm512_sub_ps(e[1], t1),
            b6,
            _mm512_sub_ps(e[3], t3),
        ]
    }

    /// The 8 × 8 complex block `r[u]` lane l → `out[l]` lane u (64-bit elements): pairs, then
    /// 128-bit and 256-bit halves exchanged.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn transpose8(r: [__m512; 8]) -> [__m512; 8] {
        let p = _mm512_castps_pd;
        let t: [__m512d; 8] = core::array::from_fn(|k| {
            let (a, b) = (p(r[2 * (k / 2)]), p(r[2 * (k / 2) + 1]));
            if k % 2 == 0 {
                _mm512_unpacklo_pd(a, b)
            } else {
                _mm512_unpackhi_pd(a, b)
            }
        });
        // t[2h] = rows 2h, 2h+1 at lanes 0 2 4 6; t[2h+1] at lanes 1 3 5 7.
        let lo = |a, b| _mm512_shuffle_f64x2::<0b10_00_10_00>(a, b);
        let hi = |a, b| _mm512_shuffle_f64x2::<0b11_01_11_01>(a, b);
        // s: (rows 0–3) lanes {0,4}, {2,6}, {1,5}, {3,7}; then rows 4–7 likewise.
        let s = [
            lo(t[0], t[2]),
            hi(t[0], t[2]),
            lo(t[1], t[3]),
            hi(t[1], t[3]),
            lo(t[4], t[6]),
            hi(t[4], t[6]),
            lo(t[5], t[7]),
            hi(t[5], t[7]),
        ];
        let q = _mm512_castpd_ps;
        [
            q(lo(s[0], s[4])),
            q(lo(s[2], s[6])),
            q(lo(s[1], s[5])),
            q(lo(s[3], s[7])),
            q(hi(s[0], s[4])),
            q(hi(s[2], s[6])),
            q(hi(s[1], s[5])),
            q(hi(s[3], s[7])),
        ]
    }

    /// Where the last stage writes: the symbol at `base + cp` (and its last `cp` samples
    /// again at `base`), streamed or not.
    #[derive(Clone, Copy)]
    struct Out {
        base: *mut f32,
        cp: usize,
        n: usize,
        stream: bool,
    }

    impl Out {
        /// Writes the register of samples k..k+8 of the symbol.
        ///
        /// # Safety
        /// `base` valid for `cp + n` complex writes, k + 8 ≤ n, cp a multiple of 8; with
        /// `stream`, `base` 64-byte aligned.
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn put(self, k: usize, v: __m512) {
            // SAFETY: the caller's bounds and alignment.
            unsafe {
                let at = self.base.add(2 * (self.cp + k));
                let again =
                    (k + self.cp >= self.n).then(|| self.base.add(2 * (k + self.cp - self.n)));
                if self.stream {
                    _mm512_stream_ps(at, v);
                    if let Some(p) = again {
                        _mm512_stream_ps(p, v);
                    }
                } else {
                    _mm512_storeu_ps(at, v);
                    if let Some(p) = again {
                        _mm512_storeu_ps(p, v);
                    }
                }
            }
        }
    }

    /// Stage 0's butterfly block at positions i0..i0 + 8 (i0 a multiple of 8), along i: its
    /// 8 × 8 outputs `y[8·(i0 + l) + u]` in order, register l holding u = 0..8.
    ///
    /// # Safety
    /// `x` valid for N complex reads, i0 + 8 ≤ N/8.
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn first_block<const INV: bool>(
        plan: &OfdmFft,
        x: *const f32,
        i0: usize,
        one: __m512,
    ) -> [__m512; 8] {
        let m = plan.n / 8;
        let tw = plan.lane_twiddles.as_ptr();
        // SAFETY: positions i0 + t·m + 8 ≤ N; the lane twiddles hold 7 registers per 8
        // positions.
        unsafe {
            let a: [__m512; 8] = load_strided(x.add(2 * i0), 2 * m);
            let mut b = dft8::<INV>(a, one);
            for (u, bu) in b.iter_mut().enumerate().skip(1) {
                let w = _mm512_loadu_ps(tw.add(16 * (7 * (i0 / 8) + u - 1)));
                *bu = cmul(*bu, _mm512_moveldup_ps(w), _mm512_movehdup_ps(w));
            }
            transpose8(b)
        }
    }

    /// The first stage (radix 8, s = 1) from `x` into `y`, along i.
    ///
    /// # Safety
    /// `x`, `y` valid for N complex reads / writes.
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn first<const INV: bool>(
        plan: &OfdmFft,
        x: *const f32,
        y: *mut f32,
        one: __m512,
        h: &mut LineHints<'_>,
    ) {
        // SAFETY: blocks of 8 positions below N/8; their outputs 8·(i0 + l) + 8 ≤ N.
        unsafe {
            for i0 in (0..plan.n / 8).step_by(8) {
                hint(h);
                // Indexed, not `into_iter()`: the array's by-value iterator was three memcpy
                // calls of the block per step.
                let b = first_block::<INV>(plan, x, i0, one);
                for (l, v) in b.iter().enumerate() {
                    _mm512_storeu_ps(y.add(16 * (i0 + l)), *v);
                }
            }
        }
    }

    /// The P-point DFT (P = 8, 4 or 2) of registers `a`.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn butterfly<const P: usize, const INV: bool>(a: [__m512; P], one: __m512) -> [__m512; P] {
        match P {
            8 => {
                let r = dft8::<INV>(core::array::from_fn(|t| a[t % P]), one);
                core::array::from_fn(|u| r[u % 8])
            }
            4 => {
                let r = dft4::<INV>(core::array::from_fn(|t| a[t % P]), one);
                core::array::from_fn(|u| r[u % 4])
            }
            _ => {
                let r = [_mm512_add_ps(a[0], a[1 % P]), _mm512_sub_ps(a[0], a[1 % P])];
                core::array::from_fn(|u| r[u % 2])
            }
        }
    }

    /// A later stage j of radix P (8, 4 or 2), from `x` into
    /// `y` (N samples), or into `out` when it is the last (`LAST`).
    ///
    /// # Safety
    /// `x` valid for N complex reads, `y` for N writes (or `out` as [`Out::put`]).
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn later<const P: usize, const INV: bool, const LAST: bool>(
        plan: &OfdmFft,
        j: usize,
        x: *const f32,
        y: *mut f32,
        out: Out,
        one: __m512,
        h: &mut LineHints<'_>,
    ) {
        let n = plan.n;
        // The sub-transform length at stage j.
        let len = n / plan.radices[..j].iter().product::<usize>();
        let (m, s) = (len / P, n / len);
        let tw = plan.twiddles[j].as_ptr();
        // SAFETY: positions q + s·(i + t·m) and q + s·(P·i + u) are below N, q + 8 ≤ s; the
        // twiddle table holds P − 1 pairs per i.
        unsafe {
            for i in 0..m {
                let wr: [__m512; P] = core::array::from_fn(|u| {
                    _mm512_set1_ps(*tw.add(2 * (i * (P - 1) + u.max(1) - 1)))
                });
                let wi: [__m512; P] = core::array::from_fn(|u| {
                    _mm512_set1_ps(*tw.add(2 * (i * (P - 1) + u.max(1) - 1) + 1))
                });
                for q in (0..s).step_by(8) {
                    hint(h);
                    let a: [__m512; P] = load_strided(x.add(2 * (q + s * i)), 2 * s * m);
                    let b = butterfly::<P, INV>(a, one);
                    for (u, &bu) in b.iter().enumerate() {
                        // w^{u·0} = 1: position 0 (all of a last stage) is not turned.
                        let v = if u == 0 || i == 0 {
                            bu
                        } else {
                            cmul(bu, wr[u], wi[u])
                        };
                        let k = q + s * (P * i + u);
                        if LAST {
                            out.put(k, v);
                        } else {
                            _mm512_storeu_ps(y.add(2 * k), v);
                        }
                    }
                }
            }
        }
    }

    /// Stages 0 and 1 in one pass (both radix 8, N ≥ 512) from `x` into `y`: for each block of
    /// 8 stage-1 positions i₁, the 8 stage-0 registers it reads (positions i₀ = i₁ + t·m₁,
    /// m₁ = N/64) are computed, transposed and kept in a 4 KiB local block (in the L1), then
    /// the 8 stage-1 butterflies read them from there — one pass over the 32 KiB of a 4096-point
    /// symbol instead of two.
    ///
    /// # Safety
    /// `x`, `y` valid for N complex reads / writes; N ≥ 512, radices 8 and 8 first.
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn first_pair<const INV: bool>(
        plan: &OfdmFft,
        x: *const f32,
        y: *mut f32,
        one: __m512,
        h: &mut LineHints<'_>,
    ) {
        let m1 = plan.n / 64;
        let tw1 = plan.twiddles[1].as_ptr();
        let mut local = [[_mm512_setzero_ps(); 8]; 8];
        // SAFETY: stage-0 blocks at i₀ = 8g + t·m₁ < N/8 and outputs 8·(8·i₁ + u) + 8 ≤ N; the
        // stage-1 table holds 7 pairs per i₁.
        unsafe {
            for g in 0..m1 / 8 {
                for (t, rows) in local.iter_mut().enumerate() {
                    hint(h);
                    *rows = first_block::<INV>(plan, x, 8 * g + t * m1, one);
                }
                for (l, i1) in (8 * g..8 * g + 8).enumerate() {
                    hint(h);
                    let a: [__m512; 8] = core::array::from_fn(|t| local[t][l]);
                    let b = dft8::<INV>(a, one);
                    _mm512_storeu_ps(y.add(16 * (8 * i1)), b[0]);
                    for (u, &bu) in b.iter().enumerate().skip(1) {
                        let k = 2 * (7 * i1 + u - 1);
                        let (wr, wi) =
                            (_mm512_set1_ps(*tw1.add(k)), _mm512_set1_ps(*tw1.add(k + 1)));
                        let v = if i1 == 0 { bu } else { cmul(bu, wr, wi) };
                        _mm512_storeu_ps(y.add(16 * (8 * i1 + u)), v);
                    }
                }
            }
        }
    }

    /// The last two stages j (radix 8) and j + 1 (radix P: 8, 4 or 2) in one pass from `x`
    /// into `out`: for each register of 8 sub-sequences q, stage j's P butterflies (positions
    /// i < P) go to a local block of 8·P registers, from which stage j + 1's 8 butterflies
    /// (one per u of stage j) write the symbol — one pass instead of two.
    ///
    /// # Safety
    /// `x` valid for N complex reads, `out` as [`Out::put`]; stages j, j + 1 the last two.
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn last_pair<const P: usize, const INV: bool>(
        plan: &OfdmFft,
        j: usize,
        x: *const f32,
        out: Out,
        one: __m512,
        h: &mut LineHints<'_>,
    ) {
        let n = plan.n;
        let (s_a, s_b) = (n / (8 * P), n / P);
        let tw = plan.twiddles[j].as_ptr();
        let mut local = [[_mm512_setzero_ps(); 8]; P];
        // SAFETY: q + s_a·(i + t·P) < N for q + 8 ≤ s_a, i < P, t < 8; the twiddle table
        // holds 7 pairs per i < P; out.put's positions q + s_a·v + s_b·u < N.
        unsafe {
            for q in (0..s_a).step_by(8) {
                for (i, row) in local.iter_mut().enumerate() {
                    hint(h);
                    let a: [__m512; 8] = load_strided(x.add(2 * (q + s_a * i)), 2 * s_a * P);
                    let mut b = dft8::<INV>(a, one);
                    for (u, bu) in b.iter_mut().enumerate().skip(1).filter(|_| i > 0) {
                        let k = 2 * (7 * i + u - 1);
                        *bu = cmul(
                            *bu,
                            _mm512_set1_ps(*tw.add(k)),
                            _mm512_set1_ps(*tw.add(k + 1)),
                        );
                    }
                    *row = b;
                }
                // Stage j + 1's butterfly v starts at q + s_a·v.
                for (v, at) in (q..).step_by(s_a).take(8).enumerate() {
                    hint(h);
                    let c: [__m512; P] = core::array::from_fn(|t| local[t][v]);
                    let d = butterfly::<P, INV>(c, one);
                    for (u, &du) in d.iter().enumerate() {
                        out.put(at + s_b * u, du);
                    }
                }
            }
        }
    }

    /// The whole transform of `x` into `out` (`cp + N` samples, the cyclic prefix included),
    /// through `scratch` ([`OfdmFft::scratch_len`]); `stream`: non-temporal stores, unfenced.
    ///
    /// # Safety
    /// The CPU must have AVX-512 F; shapes as [`crate::Kernels::ofdm_fft`] checks them, cp a
    /// multiple of 8; with `stream`, `out` 64-byte aligned.
    #[target_feature(enable = "avx512f")]
    pub(crate) unsafe fn run(
        plan: &OfdmFft,
        x: &[C32],
        scratch: &mut [C32],
        out: &mut [C32],
        cp: usize,
        stream: bool,
        next: &[&[C32]],
    ) {
        // One hint step per butterfly block: N/64 blocks per radix-8 stage (more for a radix 4
        // or 2, so every line is requested before the end).
        let mut h = LineHints::new(next, plan.radices.len() * plan.n / 64);
        // SAFETY: the caller's ISA and shapes.
        unsafe {
            if plan.inverse {
                run_dir::<true>(plan, x, scratch, out, cp, stream, &mut h)
            } else {
                run_dir::<false>(plan, x, scratch, out, cp, stream, &mut h)
            }
        }
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn run_dir<const INV: bool>(
        plan: &OfdmFft,
        x: &[C32],
        scratch: &mut [C32],
        out: &mut [C32],
        cp: usize,
        stream: bool,
        h: &mut LineHints<'_>,
    ) {
        let n = plan.n;
        let one = core::hint::black_box(_mm512_set1_ps(1.0));
        // The two halves on 64-byte boundaries (a 4096-point transform ran ×1.15 faster than
        // with halves 16 bytes off a boundary, whose registers straddle two lines).
        let skip = scratch.as_ptr().align_offset(64).min(8);
        let (a, b) = scratch[skip..].split_at_mut(n);
        let (a, b) = (a.as_mut_ptr().cast::<f32>(), b.as_mut_ptr().cast::<f32>());
        let o = Out {
            base: out.as_mut_ptr().cast(),
            cp,
            n,
            stream,
        };
        let r = &plan.radices;
        let stages = r.len();
        // SAFETY: x holds N samples, a and b N each, out cp + N (the caller's shapes); the
        // passes' radix conditions are checked here.
        unsafe {
            // Stages 0 and 1 fused where both are radix 8 and N ≥ 512.
            let mut j = if n >= 512 && r[1] == 8 {
                first_pair::<INV>(plan, x.as_ptr().cast(), a, one, h);
                2
            } else {
                first::<INV>(plan, x.as_ptr().cast(), a, one, h);
                1
            };
            let (mut src, mut dst) = (a.cast_const(), b);
            // Middle stages alone, then the last two fused (the first of them radix 8) into a
            // cached output, or the last alone: streamed, the fused pair's 64 registers per
            // step land on 64 lines across the symbol where the last stage alone writes 8
            // sequential streams (the modulator measured ×0.9 with the pair).
            while j < stages {
                if j + 2 == stages && r[j] == 8 && !stream {
                    match r[j + 1] {
                        8 => last_pair::<8, INV>(plan, j, src, o, one, h),
                        4 => last_pair::<4, INV>(plan, j, src, o, one, h),
                        _ => last_pair::<2, INV>(plan, j, src, o, one, h),
                    }
                    break;
                }
                match (r[j], j + 1 == stages) {
                    (8, false) => later::<8, INV, false>(plan, j, src, dst, o, one, h),
                    (8, true) => later::<8, INV, true>(plan, j, src, dst, o, one, h),
                    (4, false) => later::<4, INV, false>(plan, j, src, dst, o, one, h),
                    (4, true) => later::<4, INV, true>(plan, j, src, dst, o, one, h),
                    (_, false) => later::<2, INV, false>(plan, j, src, dst, o, one, h),
                    (_, true) => later::<2, INV, true>(plan, j, src, dst, o, one, h),
                }
                let next = dst.cast_const();
                dst = src.cast_mut();
                src = next;
                j += 1;
            }
        }
    }
}
