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
//! The vector kernel holds L complex samples per register (8 on AVX-512, 4 on AVX2; one
//! generic code, `x86`). Every stage after the first has s ≥ 8 and runs along q (L
//! consecutive sub-sequences per register, twiddles broadcast); the first (s = 1) runs along
//! i with per-lane twiddles and puts its 8 × L outputs in order by a register transposition
//! (one 8 × 8 or two 4 × 4). With L = 4 a later stage computes a line's two registers before
//! storing both halves of each output line back to back (streamed half-lines written apart
//! made the AVX2 modulator ×0.6). Two pairs of stages run as one pass each through a 4 KiB block
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
    /// each u in 1..8, the 8 lanes' `w_N^{u·i}` as (re, im) pairs (what the AVX2 kernel
    /// loads, half a record per register, duplicating the parts by two shuffles).
    lane_twiddles: Vec<f32>,
    /// The same twiddles as two records of 16 floats per group and u — every real part twice
    /// (re, re), then every imaginary part twice: the registers a complex multiply takes,
    /// loaded by the AVX-512 kernel instead of duplicated (its 4096-point transform ×1.05 in
    /// cache on Zen 4; on AVX2 the twice larger table was ×0.97).
    lane_twiddle_parts: Vec<f32>,
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
        let mut lane_twiddle_parts = Vec::with_capacity(4 * 7 * m0);
        for g in (0..m0).step_by(8) {
            for u in 1..8 {
                let w: [[f32; 2]; 8] = core::array::from_fn(|l| unit(u * (g + l), n));
                lane_twiddles.extend(w.iter().flatten());
                for part in 0..2 {
                    lane_twiddle_parts.extend(w.iter().flat_map(|c| [c[part], c[part]]));
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
            lane_twiddle_parts,
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

/// A vector kernel's entry point (`x86::s512::run`, `x86::s256::run`): plan, x, scratch, out,
/// cp, stream, the regions to request; its safety contract is theirs.
pub(crate) type Run =
    unsafe fn(&OfdmFft, &[C32], &mut [C32], &mut [C32], usize, bool, OutGain, &[&[C32]]);

/// A factor on every output sample of a transform, applied to the last stage's registers
/// before they are stored (an OFDM symbol's scale and phase factor without a pass of its own
/// over the input): none, real (one multiply per register) or complex (`x·(gr + j·gi)` as one
/// multiply and one `vfmaddsub`: `re = x_re·gr − x_im·gi`, `im = x_im·gr + x_re·gi`, each
/// with one rounding).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum OutGain {
    One,
    Real(f32),
    Complex(f32, f32),
}

impl OutGain {
    /// The cheapest form of `g`: `One` for exactly 1, `Real` for a zero imaginary part.
    pub(crate) fn of(g: C32) -> Self {
        if g.im != 0.0 {
            OutGain::Complex(g.re, g.im)
        } else if g.re == 1.0 {
            OutGain::One
        } else {
            OutGain::Real(g.re)
        }
    }

    /// `v` times the gain, in the vector kernels' arithmetic (`Real`: one product; `Complex`:
    /// the two fused operations of `cmul`).
    pub(crate) fn apply(self, v: C32) -> C32 {
        match self {
            OutGain::One => v,
            OutGain::Real(g) => C32::new(v.re * g, v.im * g),
            OutGain::Complex(gr, gi) => {
                C32::new(v.re.mul_add(gr, -(v.im * gi)), v.im.mul_add(gr, v.re * gi))
            }
        }
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
pub(crate) mod x86 {
    //! The vector stages, written once for a register of L complex samples (`__m512`: 8,
    //! AVX-512; `__m256`: 4, AVX2 + FMA) and compiled per instruction set by the `stages!`
    //! macro (modules `s512`, `s256`): each radix-8 butterfly a split radix-2·4 network (`±j`
    //! by a pair swap and one fused add/sub; `ω₈`, `ω₈³` by one multiply and one fused
    //! multiply-add/sub), its twiddles by a swap, a multiply and a `fmaddsub`. Entry points
    //! `s512::run` and `s256::run`.

    use super::{OfdmFft, OutGain};
    use crate::C32;
    use crate::kernels::hints::LineHints;
    use crate::register::SimdF32;
    use core::arch::x86_64::*;

    /// What the stages need of a register beyond [`SimdF32`].
    pub(crate) trait FftReg: SimdF32 {
        /// Complex samples per register (L).
        const L: usize = Self::LANES / 2;
        /// `a·b ∓ c` (minus in the real lanes): one `vfmaddsub`.
        ///
        /// # Safety
        /// The register's ISA enabled.
        unsafe fn fmaddsub(a: Self, b: Self, c: Self) -> Self;
        /// `a·b ± c` (plus in the real lanes): one `vfmsubadd`.
        ///
        /// # Safety
        /// The register's ISA enabled.
        unsafe fn fmsubadd(a: Self, b: Self, c: Self) -> Self;
        /// Stage 0's block `r[u]` (lane l: position l) into output order: register
        /// `l·(8/L) + h` holds position l's outputs u = L·h .. L·h + L.
        ///
        /// # Safety
        /// The register's ISA enabled.
        unsafe fn transpose_out(r: [Self; 8]) -> [Self; 8];
    }

    /// One fused multiply-add/sub instruction (`vfmaddsub213ps`: `a·b ∓ c`, minus in the even,
    /// real lanes; `vfmsubadd213ps`: `a·b ± c`) on one register type, as a function with the
    /// instruction set's target features (`asm!` on these registers needs them). Written as an
    /// instruction because LLVM rewrites an `_mm*_fmaddsub_ps` next to an `_mm*_fmsubadd_ps` of
    /// the same operands (or of a swap it can see through) into two FMAs and two blends, twice
    /// the operations of the butterfly's one fused instruction.
    macro_rules! fused {
        ($t:ty, $class:ident, $feat:literal, $insn:literal) => {{
            #[inline]
            #[target_feature(enable = $feat)]
            fn op(a: $t, b: $t, c: $t) -> $t {
                let mut r = a;
                // SAFETY: register-only arithmetic on the function's ISA.
                unsafe {
                    core::arch::asm!(
                        concat!($insn, " {r}, {b}, {c}"),
                        r = inout($class) r,
                        b = in($class) b,
                        c = in($class) c,
                        options(pure, nomem, nostack, preserves_flags)
                    );
                }
                r
            }
            op
        }};
    }

    /// `impl FftReg` for one register type: its fused pair (`fused!`) and its stage-0
    /// transposition.
    macro_rules! fft_reg {
        ($t:ty, $class:ident, $feat:literal, $transpose:path) => {
            impl FftReg for $t {
                #[inline(always)]
                unsafe fn fmaddsub(a: Self, b: Self, c: Self) -> Self {
                    // SAFETY: the caller's ISA.
                    unsafe { fused!($t, $class, $feat, "vfmaddsub213ps")(a, b, c) }
                }
                #[inline(always)]
                unsafe fn fmsubadd(a: Self, b: Self, c: Self) -> Self {
                    // SAFETY: the caller's ISA.
                    unsafe { fused!($t, $class, $feat, "vfmsubadd213ps")(a, b, c) }
                }
                #[inline(always)]
                unsafe fn transpose_out(r: [Self; 8]) -> [Self; 8] {
                    // SAFETY: the caller's ISA.
                    unsafe { $transpose(r) }
                }
            }
        };
    }
    fft_reg!(__m512, zmm_reg, "avx512f", transpose8);
    fft_reg!(__m256, ymm_reg, "avx2,fma", transpose4_pair);

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

    /// The 4 × 4 complex block `r[u]` lane l → `out[l]` lane u (64-bit elements): pairs, then
    /// 128-bit halves exchanged.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn transpose4(r: [__m256; 4]) -> [__m256; 4] {
        let p = _mm256_castps_pd;
        let (t0, t1) = (
            _mm256_unpacklo_pd(p(r[0]), p(r[1])),
            _mm256_unpackhi_pd(p(r[0]), p(r[1])),
        );
        let (t2, t3) = (
            _mm256_unpacklo_pd(p(r[2]), p(r[3])),
            _mm256_unpackhi_pd(p(r[2]), p(r[3])),
        );
        let q = _mm256_castpd_ps;
        [
            q(_mm256_permute2f128_pd::<0x20>(t0, t2)),
            q(_mm256_permute2f128_pd::<0x20>(t1, t3)),
            q(_mm256_permute2f128_pd::<0x31>(t0, t2)),
            q(_mm256_permute2f128_pd::<0x31>(t1, t3)),
        ]
    }

    /// Stage 0's 8 × 4 block in output order (register `2l + h`: position l's outputs
    /// u = 4h .. 4h + 4): two 4 × 4 transpositions, interleaved.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn transpose4_pair(r: [__m256; 8]) -> [__m256; 8] {
        let a = transpose4([r[0], r[1], r[2], r[3]]);
        let b = transpose4([r[4], r[5], r[6], r[7]]);
        [a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3]]
    }

    /// Where the last stage writes: the symbol at `base + cp` (and its last `cp` samples
    /// again at `base`), streamed or not.
    #[derive(Clone, Copy)]
    struct Out {
        base: *mut f32,
        cp: usize,
        n: usize,
        stream: bool,
        gain: OutGain,
    }

    /// The stages and their helpers for one register type, every function `#[inline]` with
    /// the instruction set's target features (as generic `#[inline(always)]` helpers, the
    /// register arithmetic was inlined before LLVM's loop unrolling, which then left the last
    /// stage's output loop rolled with its registers on the stack: the modulator ×0.95).
    macro_rules! stages {
        ($m:ident, $reg:ty, $feat:literal) => {
            pub(crate) mod $m {
                use super::*;
                /// The register of this instruction set.
                type V = $reg;

                /// One step of the caller's line hints (into the L2), once per butterfly register block.
                #[inline]
                #[target_feature(enable = $feat)]
                unsafe fn hint(h: &mut LineHints<'_>) {
                    // SAFETY: the kernel runs with AVX2 or AVX-512 (so SSE's prefetch); a hint never
                    // faults.
                    unsafe { h.step_l2::<V>() }
                }

                /// `P` registers from `p`, `p + stride`, … (floats): the addresses as a chain of adds,
                /// which LLVM's SLP vectoriser leaves alone (an array of `base + t·stride` it computed in
                /// vector registers and extracted lane by lane, four operations per load).
                ///
                /// # Safety
                /// Every `p + t·stride` (t < P) valid for one register's reads; the ISA enabled.
                #[inline]
                #[target_feature(enable = $feat)]
                unsafe fn load_strided<const P: usize>(p: *const f32, stride: usize) -> [V; P] {
                    // SAFETY: the caller's ISA (splat of a constant).
                    let mut r = [unsafe { V::splat(0.0) }; P];
                    let mut at = p;
                    for v in r.iter_mut() {
                        // SAFETY: the caller's bounds; the last `add` may point one stride past the end
                        // but is never read (wrapping).
                        unsafe { *v = V::load(at) };
                        at = at.wrapping_add(stride);
                    }
                    r
                }

                /// `x·w` for w = (wr, wi), both given per lane (re and im duplicated over each pair).
                #[inline]
                #[target_feature(enable = $feat)]
                unsafe fn cmul(x: V, wr: V, wi: V) -> V {
                    // SAFETY: the caller's ISA.
                    unsafe { V::fmaddsub(x, wr, x.swap_re_im().mul(wi)) }
                }

                /// `a − j·b` (forward: `a + ω₄·b`, ω₄ = −j) and `a + j·b`, both from one swap of b:
                /// `one` is 1.0 in every lane.
                #[inline]
                #[target_feature(enable = $feat)]
                unsafe fn pm_j(a: V, b: V, one: V) -> (V, V) {
                    // SAFETY: the caller's ISA.
                    unsafe {
                        let sw = b.swap_re_im();
                        (V::fmsubadd(a, one, sw), V::fmaddsub(a, one, sw))
                    }
                }

                /// 4-point DFT of registers (c0..c3), direction `INV`.
                #[inline]
                #[target_feature(enable = $feat)]
                unsafe fn dft4<const INV: bool>(c: [V; 4], one: V) -> [V; 4] {
                    // SAFETY: the caller's ISA.
                    unsafe {
                        let s0 = c[0].add(c[2]);
                        let d0 = c[0].sub(c[2]);
                        let s1 = c[1].add(c[3]);
                        let d1 = c[1].sub(c[3]);
                        // Forward: X1 = d0 − j·d1, X3 = d0 + j·d1; the inverse swaps them.
                        let (minus, plus) = pm_j(d0, d1, one);
                        let (x1, x3) = if INV { (plus, minus) } else { (minus, plus) };
                        [s0.add(s1), x1, s0.sub(s1), x3]
                    }
                }

                /// 8-point DFT of registers (a0..a7): two 4-point DFTs of the even and odd inputs, the
                /// odd ones turned by ω₈^u.
                #[inline]
                #[target_feature(enable = $feat)]
                unsafe fn dft8<const INV: bool>(a: [V; 8], one: V) -> [V; 8] {
                    // SAFETY: the caller's ISA.
                    unsafe {
                        let r = V::splat(core::f32::consts::FRAC_1_SQRT_2);
                        let nr = V::splat(-core::f32::consts::FRAC_1_SQRT_2);
                        let e = dft4::<INV>([a[0], a[2], a[4], a[6]], one);
                        let o = dft4::<INV>([a[1], a[3], a[5], a[7]], one);
                        // (x + jy)·ω₈ and ·ω₈³, (x, y) = o1, o3, sw = (y, x):
                        // forward ω₈ = (1 − j)/√2: ((x + y) + j(y − x))/√2 → fmsubadd(o, r, sw·r);
                        //         ω₈³ = (−1 − j)/√2: ((y − x) − j(x + y))/√2 → fmsubadd(o, −r, sw·r);
                        // inverse ω₈ = (1 + j)/√2: ((x − y) + j(x + y))/√2 → fmaddsub(o, r, sw·r);
                        //         ω₈³ = (−1 + j)/√2: (−(x + y) + j(x − y))/√2 → fmaddsub(o, −r, sw·r).
                        let (s1, s3) = (o[1].swap_re_im().mul(r), o[3].swap_re_im().mul(r));
                        let (t1, t3) = if INV {
                            (V::fmaddsub(o[1], r, s1), V::fmaddsub(o[3], nr, s3))
                        } else {
                            (V::fmsubadd(o[1], r, s1), V::fmsubadd(o[3], nr, s3))
                        };
                        // e2 + ω₈²·o2 with ω₈² = ∓j.
                        let (minus, plus) = pm_j(e[2], o[2], one);
                        let (b2, b6) = if INV { (plus, minus) } else { (minus, plus) };
                        [
                            e[0].add(o[0]),
                            e[1].add(t1),
                            b2,
                            e[3].add(t3),
                            e[0].sub(o[0]),
                            e[1].sub(t1),
                            b6,
                            e[3].sub(t3),
                        ]
                    }
                }

                /// The P-point DFT (P = 8, 4 or 2) of registers `a`.
                #[inline]
                #[target_feature(enable = $feat)]
                unsafe fn butterfly<const P: usize, const INV: bool>(a: [V; P], one: V) -> [V; P] {
                    // SAFETY: the caller's ISA.
                    unsafe {
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
                                let r = [a[0].add(a[1 % P]), a[0].sub(a[1 % P])];
                                core::array::from_fn(|u| r[u % 2])
                            }
                        }
                    }
                }

                /// Writes the register of samples k..k + L of the symbol, times the output gain.
                ///
                /// # Safety
                /// `base` valid for `cp + n` complex writes, k + L ≤ n, k a multiple of L, cp a
                /// multiple of 8; with `stream`, `base` 64-byte aligned; the ISA enabled.
                #[inline]
                #[target_feature(enable = $feat)]
                unsafe fn put(o: Out, k: usize, v: V) {
                    // SAFETY: the caller's bounds and alignment (k·8 bytes a multiple of the
                    // register's size).
                    unsafe {
                        let v = match o.gain {
                            OutGain::One => v,
                            OutGain::Real(g) => v.mul(V::splat(g)),
                            OutGain::Complex(gr, gi) => cmul(v, V::splat(gr), V::splat(gi)),
                        };
                        let at = o.base.add(2 * (o.cp + k));
                        let again = (k + o.cp >= o.n).then(|| o.base.add(2 * (k + o.cp - o.n)));
                        if o.stream {
                            v.store_stream(at);
                            if let Some(p) = again {
                                v.store_stream(p);
                            }
                        } else {
                            v.store(at);
                            if let Some(p) = again {
                                v.store(p);
                            }
                        }
                    }
                }

                /// Stage 0's butterfly block at positions i0..i0 + L (i0 a multiple of L), along i: its
                /// 8·L outputs `y[8·(i0 + l) + u]` in order (register `l·(8/L) + h`: u = L·h .. L·h + L).
                ///
                /// # Safety
                /// `x` valid for N complex reads, i0 + L ≤ N/8; the ISA enabled.
                #[inline]
                #[target_feature(enable = $feat)]
                pub(super) unsafe fn first_block<const INV: bool>(
                    plan: &OfdmFft,
                    x: *const f32,
                    i0: usize,
                    one: V,
                ) -> [V; 8] {
                    let m = plan.n / 8;
                    // SAFETY: positions i0 + t·m + L ≤ N; the lane twiddles hold 7 records of 8 lanes per
                    // 8 positions (the parts 7 pairs of records), i0 % 8 + L ≤ 8.
                    unsafe {
                        let a: [V; 8] = load_strided(x.add(2 * i0), 2 * m);
                        let mut b = dft8::<INV>(a, one);
                        for (u, bu) in b.iter_mut().enumerate().skip(1) {
                            let k = 7 * (i0 / 8) + u - 1;
                            // With L = 8, i0 is a multiple of 8 (no lane offset).
                            *bu = if V::L == 8 {
                                let at = plan.lane_twiddle_parts.as_ptr().add(32 * k);
                                cmul(*bu, V::load(at), V::load(at.add(16)))
                            } else {
                                let lane = 2 * (i0 % 8);
                                let w = V::load(plan.lane_twiddles.as_ptr().add(16 * k + lane));
                                cmul(*bu, w.dup_re(), w.dup_im())
                            };
                        }
                        V::transpose_out(b)
                    }
                }

                /// The first stage (radix 8, s = 1) from `x` into `y`, along i.
                ///
                /// # Safety
                /// `x`, `y` valid for N complex reads / writes; the ISA enabled.
                #[inline]
                #[target_feature(enable = $feat)]
                pub(super) unsafe fn first<const INV: bool>(
                    plan: &OfdmFft,
                    x: *const f32,
                    y: *mut f32,
                    one: V,
                    h: &mut LineHints<'_>,
                ) {
                    // SAFETY: blocks of L positions below N/8; their outputs 8·i0 + 8·L ≤ N.
                    unsafe {
                        for i0 in (0..plan.n / 8).step_by(V::L) {
                            hint(h);
                            // Indexed, not `into_iter()`: the array's by-value iterator was three memcpy
                            // calls of the block per step.
                            let b = first_block::<INV>(plan, x, i0, one);
                            for (k, v) in b.iter().enumerate() {
                                v.store(y.add(2 * (8 * i0 + k * V::L)));
                            }
                        }
                    }
                }

                /// Stage j's positions m per sub-sequence, sub-sequences s and twiddle table (the
                /// module formula), for a later stage of radix P.
                #[inline]
                #[target_feature(enable = $feat)]
                fn stage_shape<const P: usize>(
                    plan: &OfdmFft,
                    j: usize,
                ) -> (usize, usize, *const f32) {
                    let n = plan.n;
                    // The sub-transform length at stage j.
                    let len = n / plan.radices[..j].iter().product::<usize>();
                    (len / P, n / len, plan.twiddles[j].as_ptr())
                }

                /// Position i's twiddles `w^{u·i}` (u < P; u = 0 repeats u = 1, unused), real and
                /// imaginary parts splatted.
                ///
                /// # Safety
                /// `tw` holds P − 1 pairs per position up to i; the ISA enabled.
                #[inline]
                #[target_feature(enable = $feat)]
                unsafe fn twiddle_splats<const P: usize>(
                    tw: *const f32,
                    i: usize,
                ) -> ([V; P], [V; P]) {
                    let at = |u: usize| 2 * (i * (P - 1) + u.max(1) - 1);
                    // SAFETY: the caller's table bounds.
                    unsafe {
                        (
                            core::array::from_fn(|u| V::splat(*tw.add(at(u)))),
                            core::array::from_fn(|u| V::splat(*tw.add(at(u) + 1))),
                        )
                    }
                }

                /// A later stage j of radix P (8, 4 or 2), from `x` into
                /// `y` (N samples), or into `out` when it is the last (`LAST`).
                ///
                /// # Safety
                /// `x` valid for N complex reads, `y` for N writes (or `out` as [`Out::put`]); the ISA
                /// enabled.
                #[inline]
                #[target_feature(enable = $feat)]
                pub(super) unsafe fn later<const P: usize, const INV: bool, const LAST: bool>(
                    plan: &OfdmFft,
                    j: usize,
                    x: *const f32,
                    y: *mut f32,
                    out: Out,
                    one: V,
                    h: &mut LineHints<'_>,
                ) {
                    if V::L < 8 {
                        // SAFETY: the caller's contract.
                        return unsafe { later_lines::<P, INV, LAST>(plan, j, x, y, out, one, h) };
                    }
                    let (m, s, tw) = stage_shape::<P>(plan, j);
                    // SAFETY: positions q + s·(i + t·m) and q + s·(P·i + u) are below N, q + L ≤ s (s a
                    // multiple of 8 after the first stage); the twiddle table holds P − 1 pairs per i.
                    unsafe {
                        for i in 0..m {
                            let (wr, wi) = twiddle_splats::<P>(tw, i);
                            // One register per step, each output as soon as it is turned (a line per
                            // register with L = 8; with L = 4 `later_lines` runs instead).
                            for q in (0..s).step_by(V::L) {
                                hint(h);
                                let a: [V; P] = load_strided(x.add(2 * (q + s * i)), 2 * s * m);
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
                                        put(out, k, v);
                                    } else {
                                        v.store(y.add(2 * k));
                                    }
                                }
                            }
                        }
                    }
                }

                /// [`later`] with half a line per register (AVX2, L = 4), from `x` into
                /// `y` (N samples), or into `out` when it is the last (`LAST`).
                ///
                /// # Safety
                /// `x` valid for N complex reads, `y` for N writes (or `out` as [`Out::put`]); the ISA
                /// enabled.
                #[inline]
                #[target_feature(enable = $feat)]
                unsafe fn later_lines<const P: usize, const INV: bool, const LAST: bool>(
                    plan: &OfdmFft,
                    j: usize,
                    x: *const f32,
                    y: *mut f32,
                    out: Out,
                    one: V,
                    h: &mut LineHints<'_>,
                ) {
                    let (m, s, tw) = stage_shape::<P>(plan, j);
                    // SAFETY: positions q + s·(i + t·m) and q + s·(P·i + u) are below N, q + L ≤ s (s a
                    // multiple of 8 after the first stage); the twiddle table holds P − 1 pairs per i.
                    unsafe {
                        for i in 0..m {
                            let (wr, wi) = twiddle_splats::<P>(tw, i);
                            // Half a line per register (AVX2): a line of sub-sequences per step, both
                            // halves of every output line written back to back (streamed half-lines
                            // apart from each other made the AVX2 modulator ×0.6).
                            for q0 in (0..s).step_by(8) {
                                hint(h);
                                let mut v = [[V::splat(0.0); P]; 2];
                                for (hh, vh) in v.iter_mut().enumerate().take(8 / V::L) {
                                    let q = q0 + hh * V::L;
                                    let a: [V; P] = load_strided(x.add(2 * (q + s * i)), 2 * s * m);
                                    let b = butterfly::<P, INV>(a, one);
                                    for (u, (&bu, o)) in b.iter().zip(vh.iter_mut()).enumerate() {
                                        // w^{u·0} = 1: position 0 (all of a last stage) is not turned.
                                        *o = if u == 0 || i == 0 {
                                            bu
                                        } else {
                                            cmul(bu, wr[u], wi[u])
                                        };
                                    }
                                }
                                for u in 0..P {
                                    for (hh, vh) in v.iter().enumerate().take(8 / V::L) {
                                        let k = q0 + hh * V::L + s * (P * i + u);
                                        if LAST {
                                            put(out, k, vh[u]);
                                        } else {
                                            vh[u].store(y.add(2 * k));
                                        }
                                    }
                                }
                            }
                        }
                    }
                }

                /// Stages 0 and 1 in one pass (both radix 8, N ≥ 512) from `x` into `y`: for each block of
                /// L stage-1 positions i₁, the 8 stage-0 blocks it reads (positions i₀ = i₁ + t·m₁,
                /// m₁ = N/64) are computed, transposed and kept in a local block (in the L1), then the
                /// stage-1 butterflies (8/L per position, L sub-sequences each) read them from there — one
                /// pass over the 32 KiB of a 4096-point symbol instead of two.
                ///
                /// # Safety
                /// `x`, `y` valid for N complex reads / writes; N ≥ 512, radices 8 and 8 first; the ISA
                /// enabled.
                #[inline]
                #[target_feature(enable = $feat)]
                pub(super) unsafe fn first_pair<const INV: bool>(
                    plan: &OfdmFft,
                    x: *const f32,
                    y: *mut f32,
                    one: V,
                    h: &mut LineHints<'_>,
                ) {
                    let m1 = plan.n / 64;
                    let tw1 = plan.twiddles[1].as_ptr();
                    let halves = 8 / V::L;
                    // SAFETY: the caller's ISA (splat of a constant).
                    let mut local = [[unsafe { V::splat(0.0) }; 8]; 8];
                    // SAFETY: stage-0 blocks at i₀ = L·g + t·m₁ < N/8 and outputs 8·(8·i₁ + u) + 8 ≤ N;
                    // the stage-1 table holds 7 pairs per i₁.
                    unsafe {
                        for g in 0..m1 / V::L {
                            for (t, rows) in local.iter_mut().enumerate() {
                                hint(h);
                                *rows = first_block::<INV>(plan, x, V::L * g + t * m1, one);
                            }
                            for l in 0..V::L {
                                let i1 = V::L * g + l;
                                for hh in 0..halves {
                                    hint(h);
                                    let a: [V; 8] =
                                        core::array::from_fn(|t| local[t][l * halves + hh]);
                                    let b = dft8::<INV>(a, one);
                                    let at = |u: usize| y.add(2 * (8 * (8 * i1 + u) + V::L * hh));
                                    b[0].store(at(0));
                                    for (u, &bu) in b.iter().enumerate().skip(1) {
                                        let k = 2 * (7 * i1 + u - 1);
                                        let (wr, wi) =
                                            (V::splat(*tw1.add(k)), V::splat(*tw1.add(k + 1)));
                                        let v = if i1 == 0 { bu } else { cmul(bu, wr, wi) };
                                        v.store(at(u));
                                    }
                                }
                            }
                        }
                    }
                }

                /// The last two stages j (radix 8) and j + 1 (radix P: 8, 4 or 2) in one pass from `x`
                /// into `out`: for each register of L sub-sequences q, stage j's P butterflies (positions
                /// i < P) go to a local block of 8·P registers, from which stage j + 1's 8 butterflies
                /// (one per u of stage j) write the symbol — one pass instead of two.
                ///
                /// # Safety
                /// `x` valid for N complex reads, `out` as [`Out::put`]; stages j, j + 1 the last two; the
                /// ISA enabled.
                #[inline]
                #[target_feature(enable = $feat)]
                pub(super) unsafe fn last_pair<const P: usize, const INV: bool>(
                    plan: &OfdmFft,
                    j: usize,
                    x: *const f32,
                    out: Out,
                    one: V,
                    h: &mut LineHints<'_>,
                ) {
                    let n = plan.n;
                    let (s_a, s_b) = (n / (8 * P), n / P);
                    let tw = plan.twiddles[j].as_ptr();
                    // SAFETY: the caller's ISA (splat of a constant).
                    let mut local = [[unsafe { V::splat(0.0) }; 8]; P];
                    // SAFETY: q + s_a·(i + t·P) < N for q + L ≤ s_a, i < P, t < 8; the twiddle table
                    // holds 7 pairs per i < P; out.put's positions q + s_a·v + s_b·u < N.
                    unsafe {
                        for q in (0..s_a).step_by(V::L) {
                            for (i, row) in local.iter_mut().enumerate() {
                                hint(h);
                                let a: [V; 8] = load_strided(x.add(2 * (q + s_a * i)), 2 * s_a * P);
                                let mut b = dft8::<INV>(a, one);
                                for (u, bu) in b.iter_mut().enumerate().skip(1).filter(|_| i > 0) {
                                    let k = 2 * (7 * i + u - 1);
                                    *bu = cmul(*bu, V::splat(*tw.add(k)), V::splat(*tw.add(k + 1)));
                                }
                                *row = b;
                            }
                            // Stage j + 1's butterfly v starts at q + s_a·v.
                            for (v, at) in (q..).step_by(s_a).take(8).enumerate() {
                                hint(h);
                                let c: [V; P] = core::array::from_fn(|t| local[t][v]);
                                let d = butterfly::<P, INV>(c, one);
                                for (u, &du) in d.iter().enumerate() {
                                    put(out, at + s_b * u, du);
                                }
                            }
                        }
                    }
                }

                /// The whole transform on this instruction set (the register's L samples);
                /// see `run_dir`. The caller's line hints advance one step per butterfly block:
                /// N/(8·L) blocks per radix-8 stage (more for a radix 4 or 2, so every line is
                /// requested before the end).
                ///
                /// # Safety
                /// The CPU must have this instruction set; as `run_dir`.
                #[target_feature(enable = $feat)]
                #[allow(clippy::too_many_arguments)]
                pub(crate) unsafe fn run(
                    plan: &OfdmFft,
                    x: &[C32],
                    scratch: &mut [C32],
                    out: &mut [C32],
                    cp: usize,
                    stream: bool,
                    gain: OutGain,
                    next: &[&[C32]],
                ) {
                    let mut h = LineHints::new(next, plan.radices.len() * plan.n / (8 * V::L));
                    // SAFETY: this instruction set enabled here; the caller's shapes.
                    unsafe {
                        if plan.inverse {
                            run_dir::<true>(plan, x, scratch, out, cp, stream, gain, &mut h)
                        } else {
                            run_dir::<false>(plan, x, scratch, out, cp, stream, gain, &mut h)
                        }
                    }
                }

                /// The whole transform of `x` into `out` (`cp + N` samples, the cyclic prefix included),
                /// through `scratch` ([`OfdmFft::scratch_len`]); `stream`: non-temporal stores, unfenced;
                /// `gain`: a factor on every output, applied by the last stage ([`OutGain`]).
                ///
                /// # Safety
                /// V's ISA enabled; shapes as [`crate::Kernels::ofdm_fft`] checks them, cp a multiple of
                /// 8; with `stream`, `out` 64-byte aligned.
                #[inline(never)]
                #[target_feature(enable = $feat)]
                #[allow(clippy::too_many_arguments)]
                pub(super) unsafe fn run_dir<const INV: bool>(
                    plan: &OfdmFft,
                    x: &[C32],
                    scratch: &mut [C32],
                    out: &mut [C32],
                    cp: usize,
                    stream: bool,
                    gain: OutGain,
                    h: &mut LineHints<'_>,
                ) {
                    let n = plan.n;
                    // SAFETY: the caller's ISA (splat of a constant).
                    let one = core::hint::black_box(unsafe { V::splat(1.0) });
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
                        gain,
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
        };
    }
    stages!(s512, __m512, "avx512f");
    stages!(s256, __m256, "avx2,fma");
}
