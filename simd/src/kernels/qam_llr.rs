//! Max-log bit LLRs of a Gray-coded square QAM in closed form: the fast soft demapper, with
//! f32 output or int8 output saturated at ±127 (what LDPC decoders take).
//!
//! # The closed form
//! A 38.211 §5.1 constellation with `m` bits per axis has levels at odd multiples of a unit
//! `a`, and its Gray mapping nests: on the real axis `x/a = (1−2b₀)[2^{m−1} − (1−2b₂)[2^{m−2}
//! − …]]`. In units of `a` (`y_u = y/a`), bit k of an axis is decided by a folded coordinate:
//!
//! ```text
//! e₀ = y_u,  u₀ = |e₀|;   e_k = 2^{m−k} − u_{k−1},  u_k = |e_k|   (k ≥ 1)
//! ```
//!
//! `e_k > 0` means the bit is more likely 0, and in the folded domain the levels of the bit's
//! own side lie at u = 1, 3, …, P_k (P_k = 2^{m−k} − 1), the nearest level of the other side
//! at u = −1. The max-log LLR `(min_{b=1} d − min_{b=0} d)/σ²` is a difference of two squared
//! distances, so its quadratic terms cancel:
//!
//! ```text
//! L_k = sign(e_k) · (4a²/σ²) · g_k,   g_k = (c + 1)(u_k − c),   c = min(⌊u_k/2⌋, (P_k − 1)/2)
//! ```
//!
//! (`q = 2c + 1` is the nearest level, and `((u+1)² − (u−q)²)/4 = (c+1)(u−c)`). Special cases
//! computed the same way on every backend: P = 1 (the last bit of each axis, and QPSK) gives
//! `g = u`, so `L = e·4a²/σ²`; P = 3 gives `sign(e)·g = 2e − clamp(e, −2, 2)`.
//! This is the exact max-log LLR (not the "simplified" nested-|y| approximation, which is
//! only right within one level of each decision boundary): about a third of the operations
//! of the per-level minimum search in `kernels::pam_llr`, and more accurate near the
//! boundaries (no difference of two large squares).
//!
//! Inputs: `y_u` is clamped to ±64·P₀ (as `pam_llr` does: huge samples give saturated LLRs of
//! the right sign); σ² below [`crate::MIN_NOISE_VAR`] is raised to it (a NaN σ² too); a
//! symbol with a non-finite part is an erasure (all its LLRs 0). int8: `clamp(round(s·L),
//! −127, 127)`, rounding half to even, for the caller's scale `s`.
//!
//! # Layout
//! Symbols are interleaved complex (`[re, im]` per symbol). Output is symbol-major in the bit
//! order of §5.1: `out[s·2m + 2k]` is bit k of the real axis (b_{2k}), `out[s·2m + 2k + 1]`
//! bit k of the imaginary axis. The x86 path keeps the interleaved layout in the lanes (an AVX2
//! register = 4 symbols × (re, im)), so the real and imaginary axes share every instruction,
//! and rearranges the m bit registers into symbol order with in-register shuffles.

use crate::C32;

/// Smallest σ² used: a zero (or NaN) σ² is raised to it, giving large finite LLRs with the
/// right signs instead of ±∞ or NaN.
pub(crate) const MIN_NOISE_VAR: f32 = 1e-12;

/// Size from which the f32 LLR output of one call is written past the caches (non-temporal
/// stores, x86): 16 MiB — one NR 100 MHz slot of 16 layers of 64QAM (17.6 MB) or 256QAM
/// (23.5 MB), more than a core's share of any last-level cache. Measured on a Zen 4 with a
/// 32 MB L3 (`mimo bench`'s demapping rates, the same buffers every call): streaming at 5.9
/// and 11.7 MB (QPSK, 16QAM) was slower than ordinary stores that leave the output in L3
/// (×0.54, ×0.91), at 17.6 and 23.5 MB faster (×1.13, ×1.36). The values are the same
/// either way.
pub(crate) const STREAM_MIN_BYTES: usize = 16 << 20;

/// Whether an f32 output is written with streaming stores: [`STREAM_MIN_BYTES`] or more, at a
/// 16-byte aligned address (the non-temporal stores' alignment).
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
pub(crate) fn streams(out: &[f32]) -> bool {
    size_of_val(out) >= STREAM_MIN_BYTES && (out.as_ptr() as usize).is_multiple_of(16)
}

/// Per-call constants of the closed form.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Axis {
    /// Bits per axis, 1..=5.
    pub(crate) m: usize,
    /// 1/a.
    pub(crate) inv_unit: f32,
    /// 4a²·scale: the per-symbol weight is `gain / max(σ², MIN_NOISE_VAR)`.
    pub(crate) gain: f32,
}

impl Axis {
    /// For `m` bits per axis, unit `a` and output scale `scale` (1 for f32 LLRs).
    pub(crate) fn new(m: usize, unit: f32, scale: f32) -> Self {
        Self {
            m,
            inv_unit: 1.0 / unit,
            gain: 4.0 * unit * unit * scale,
        }
    }

    /// Clamp of |y_u|: 64 × the largest level.
    fn bound(&self) -> f32 {
        64.0 * ((1u32 << self.m) - 1) as f32
    }
}

/// One output element type of the kernel.
pub(crate) trait Llr: Copy + Default {
    /// The stored value of the f32 LLR `l` (already multiplied by the caller's scale).
    fn from_f32(l: f32) -> Self;
}

impl Llr for f32 {
    #[inline(always)]
    fn from_f32(l: f32) -> Self {
        l
    }
}

impl Llr for i8 {
    #[inline(always)]
    fn from_f32(l: f32) -> Self {
        l.round_ties_even().clamp(-127.0, 127.0) as i8
    }
}

/// The m LLRs of one axis coordinate `y` at weight `w` into `out[0], out[2], …` — the scalar
/// reference, operation for operation what the SIMD path computes.
#[inline(always)]
fn axis_llrs<T: Llr>(ax: &Axis, y: f32, w: f32, out: &mut [T]) {
    let yu = (y * ax.inv_unit).clamp(-ax.bound(), ax.bound());
    let mut e = yu;
    let mut u = yu.abs();
    for k in 0..ax.m {
        if k > 0 {
            e = (1u32 << (ax.m - k)) as f32 - u;
            u = e.abs();
        }
        let p = (1u32 << (ax.m - k)) - 1;
        let g_signed = match p {
            1 => e,
            3 => (e + e) - e.clamp(-2.0, 2.0),
            _ => {
                let c = (u * 0.5).floor().min(((p - 1) / 2) as f32);
                ((c + 1.0) * (u - c)).copysign(e)
            }
        };
        out[2 * k] = T::from_f32(g_signed * w);
    }
}

/// Scalar reference for symbols `range` (erasures included).
pub(crate) fn scalar_range<T: Llr>(
    ax: &Axis,
    y: &[C32],
    noise_var: &[f32],
    out: &mut [T],
    range: core::ops::Range<usize>,
) {
    let q = 2 * ax.m;
    for s in range {
        let o = &mut out[s * q..(s + 1) * q];
        let (re, im) = (y[s].re, y[s].im);
        if !(re.is_finite() && im.is_finite()) {
            o.fill(T::default());
            continue;
        }
        let w = ax.gain / noise_var[s].max(MIN_NOISE_VAR);
        axis_llrs(ax, re, w, o);
        axis_llrs(ax, im, w, &mut o[1..]);
    }
}

/// The last symbols from `s` (fewer than `S`) padded to `S` for one vector step: zeros (finite,
/// so no erasure) with σ² = 1. The step computes each symbol lane by lane as a whole step does.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
fn padded_tail<const S: usize>(y: &[C32], noise_var: &[f32], s: usize) -> ([C32; S], [f32; S]) {
    let (mut yb, mut nb) = ([C32::new(0.0, 0.0); S], [1.0f32; S]);
    yb[..y.len() - s].copy_from_slice(&y[s..]);
    nb[..y.len() - s].copy_from_slice(&noise_var[s..]);
    (yb, nb)
}

/// The padded step's outputs `ob` of the symbols from `s` copied into `out`, or, where the
/// step found a non-finite value (`done` false), those symbols by the scalar reference.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
fn finish_tail<T: Llr>(
    ax: &Axis,
    (y, noise_var): (&[C32], &[f32]),
    out: &mut [T],
    s: usize,
    (done, ob): (bool, &[T]),
) {
    let (n, q) = (y.len(), 2 * ax.m);
    if done {
        out[s * q..n * q].copy_from_slice(&ob[..(n - s) * q]);
    } else {
        scalar_range(ax, y, noise_var, out, s..n);
    }
}

#[cfg(target_arch = "x86_64")]
pub(crate) mod x86 {
    //! AVX2 + FMA: 8 symbols per step (two registers of 4 interleaved symbols).

    use super::{Axis, Llr, MIN_NOISE_VAR, scalar_range};
    use crate::C32;
    use core::arch::x86_64::*;

    /// Symbols per step.
    const STEP: usize = 8;

    /// Constants of the closed form in registers.
    #[derive(Clone, Copy)]
    struct K {
        inv_unit: __m256,
        bound: __m256,
        sign: __m256,
        half: __m256,
        gain: __m256,
        min_nv: __m256,
        dup_lo: __m256i,
        dup_hi: __m256i,
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn consts(ax: &Axis) -> K {
        K {
            inv_unit: _mm256_set1_ps(ax.inv_unit),
            bound: _mm256_set1_ps(ax.bound()),
            sign: _mm256_set1_ps(-0.0),
            half: _mm256_set1_ps(0.5),
            gain: _mm256_set1_ps(ax.gain),
            min_nv: _mm256_set1_ps(MIN_NOISE_VAR),
            dup_lo: _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3),
            dup_hi: _mm256_setr_epi32(4, 4, 5, 5, 6, 6, 7, 7),
        }
    }

    /// The M bit registers of 4 interleaved symbols `v` at per-lane weights `w`
    /// (`axis_llrs`, lane for lane), and each bit's folded coordinate `e_k` (its sign is the
    /// LLR's). `signed` (a constant per output type): the registers hold the signed LLRs (the
    /// f32 output); otherwise their magnitudes `|g_k|·w` (the int8 output applies the sign
    /// after the conversion, which rounds symmetrically, so the result is the same).
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn bits<const M: usize>(
        v: __m256,
        w: __m256,
        k: &K,
        signed: bool,
    ) -> ([__m256; M], [__m256; M]) {
        let yu = _mm256_mul_ps(v, k.inv_unit);
        let yu = _mm256_max_ps(_mm256_min_ps(yu, k.bound), _mm256_xor_ps(k.bound, k.sign));
        let mut e = yu;
        let mut u = _mm256_andnot_ps(k.sign, yu);
        let mut l = [_mm256_setzero_ps(); M];
        let mut es = [_mm256_setzero_ps(); M];
        for (b, (lb, eb)) in l.iter_mut().zip(es.iter_mut()).enumerate() {
            if b > 0 {
                e = _mm256_sub_ps(_mm256_set1_ps((1u32 << (M - b)) as f32), u);
                u = _mm256_andnot_ps(k.sign, e);
            }
            *eb = e;
            let p = (1u32 << (M - b)) - 1;
            let g = match (p, signed) {
                (1, true) => e,
                (1, false) => u,
                (3, true) => {
                    let lim = _mm256_set1_ps(2.0);
                    let cl = _mm256_max_ps(
                        _mm256_min_ps(e, lim),
                        _mm256_sub_ps(_mm256_setzero_ps(), lim),
                    );
                    _mm256_sub_ps(_mm256_add_ps(e, e), cl)
                }
                // |2e − clamp(e, −2, 2)| = 2u − min(u, 2), exactly (negation is exact).
                (3, false) => {
                    _mm256_sub_ps(_mm256_add_ps(u, u), _mm256_min_ps(u, _mm256_set1_ps(2.0)))
                }
                _ => {
                    let fl = _mm256_round_ps::<{ _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC }>(
                        _mm256_mul_ps(u, k.half),
                    );
                    let c = _mm256_min_ps(fl, _mm256_set1_ps(((p - 1) / 2) as f32));
                    // (c + 1)·(u − c) as c·t + t: the same single rounding of the exact
                    // product (c + 1 is exact).
                    let t = _mm256_sub_ps(u, c);
                    let g = _mm256_fmadd_ps(c, t, t);
                    if signed {
                        _mm256_or_ps(g, _mm256_and_ps(e, k.sign))
                    } else {
                        g
                    }
                }
            };
            *lb = _mm256_mul_ps(g, w);
        }
        (l, es)
    }

    /// Output of one step: the M bit registers of two groups of 4 symbols.
    trait Store: Llr {
        /// Symbols after the step's 8 that `store` may write into (and the next step or the
        /// scalar tail then overwrites).
        fn overreach(m: usize) -> usize;

        /// Whether [`bits`] should produce signed LLRs (else magnitudes, signed by `store`
        /// from the `e` registers).
        const SIGNED: bool;

        /// Writes symbols 0..8 of the step at `dst` (8·2M values) from the bit registers
        /// `(a, b)` of the two groups of 4 symbols and their `e` registers `(ea, eb)`; `NT`
        /// (f32 only): with non-temporal stores.
        ///
        /// # Safety
        /// `dst` must be valid for (8 + `overreach(M)`)·2M writes of `Self`, and 16-byte
        /// aligned when `NT`.
        unsafe fn store<const M: usize, const NT: bool>(
            ab: (&[__m256; M], &[__m256; M]),
            e: (&[__m256; M], &[__m256; M]),
            dst: *mut Self,
        );
    }

    /// 64-bit (one symbol's (re, im) pair) views.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn pd(x: __m256) -> __m256d {
        _mm256_castps_pd(x)
    }

    /// Stores the pairs of `x` as the f32 at `dst + 8i`; `NT`: as two non-temporal 16-byte
    /// stores (past the caches).
    ///
    /// # Safety
    /// `dst + 8i .. dst + 8i + 8` must be valid for writes, and 16-byte aligned when `NT`.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn st8<const NT: bool>(dst: *mut f32, i: usize, x: __m256d) {
        // SAFETY: forwarded to the caller (alignment for the streaming stores included).
        unsafe {
            let (p, x) = (dst.add(8 * i), _mm256_castpd_ps(x));
            if NT {
                _mm_stream_ps(p, _mm256_castps256_ps128(x));
                _mm_stream_ps(p.add(4), _mm256_extractf128_ps::<1>(x));
            } else {
                _mm256_storeu_ps(p, x);
            }
        }
    }

    /// The symbol-major f32 output of 4 symbols from their M bit registers.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn store_f32_4<const M: usize, const NT: bool>(l: &[__m256; M], dst: *mut f32) {
        // SAFETY: dst is valid for 8·M f32 (4 symbols × 2M), caller-checked; `st` writes
        // 8 f32 at register index i < M.
        unsafe {
            let st = |i: usize, x: __m256d| st8::<NT>(dst, i, x);
            match M {
                1 => st(0, pd(l[0])),
                2 => {
                    let lo = _mm256_unpacklo_pd(pd(l[0]), pd(l[1])); // s0 | s2
                    let hi = _mm256_unpackhi_pd(pd(l[0]), pd(l[1])); // s1 | s3
                    st(0, _mm256_permute2f128_pd::<0x20>(lo, hi));
                    st(1, _mm256_permute2f128_pd::<0x31>(lo, hi));
                }
                3 => {
                    // pairs A, B, C of symbols 0..4 → [A0 B0 C0 A1] [B1 C1 A2 B2] [C2 A3 B3 C3]
                    let (a, b, c) = (pd(l[0]), pd(l[1]), pd(l[2]));
                    let t = _mm256_unpacklo_pd(a, b); // A0 B0 | A2 B2
                    let u = _mm256_unpackhi_pd(a, b); // A1 B1 | A3 B3
                    let v = _mm256_unpacklo_pd(c, u); // C0 A1 | C2 A3
                    let w = _mm256_unpackhi_pd(u, c); // B1 C1 | B3 C3
                    st(0, _mm256_permute2f128_pd::<0x20>(t, v));
                    st(1, _mm256_permute2f128_pd::<0x30>(w, t));
                    st(2, _mm256_permute2f128_pd::<0x31>(v, w));
                }
                4 => {
                    let t0 = _mm256_unpacklo_pd(pd(l[0]), pd(l[1])); // A0 B0 | A2 B2
                    let t1 = _mm256_unpackhi_pd(pd(l[0]), pd(l[1])); // A1 B1 | A3 B3
                    let t2 = _mm256_unpacklo_pd(pd(l[2]), pd(l[3])); // C0 D0 | C2 D2
                    let t3 = _mm256_unpackhi_pd(pd(l[2]), pd(l[3])); // C1 D1 | C3 D3
                    st(0, _mm256_permute2f128_pd::<0x20>(t0, t2));
                    st(1, _mm256_permute2f128_pd::<0x20>(t1, t3));
                    st(2, _mm256_permute2f128_pd::<0x31>(t0, t2));
                    st(3, _mm256_permute2f128_pd::<0x31>(t1, t3));
                }
                _ => {
                    // 1024QAM: through a stack buffer, one symbol's pair at a time.
                    let mut buf = [[0.0f32; 8]; 5];
                    for (b, x) in l.iter().enumerate() {
                        _mm256_storeu_ps(buf[b].as_mut_ptr(), *x);
                    }
                    for s in 0..4 {
                        for (b, row) in buf.iter().enumerate().take(M) {
                            *dst.add(s * 2 * M + 2 * b) = row[2 * s];
                            *dst.add(s * 2 * M + 2 * b + 1) = row[2 * s + 1];
                        }
                    }
                }
            }
        }
    }

    impl Store for f32 {
        const SIGNED: bool = true;

        fn overreach(_: usize) -> usize {
            0
        }

        #[inline]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn store<const M: usize, const NT: bool>(
            (a, b): (&[__m256; M], &[__m256; M]),
            _: (&[__m256; M], &[__m256; M]),
            dst: *mut f32,
        ) {
            // SAFETY: dst is valid for 16·M f32: the first 4 symbols take 8·M, the next 8·M
            // (32·M bytes on: 16-byte alignment kept for NT). AVX2 is enabled: only called
            // from the target_feature step loop.
            unsafe {
                store_f32_4::<M, NT>(a, dst);
                store_f32_4::<M, NT>(b, dst.add(8 * M));
            }
        }
    }

    /// One bit of 8 symbols as int16, lanes (re, im) of symbols 0 1 4 5 | 2 3 6 7 (`packs`
    /// works per 128-bit lane): the magnitudes `a`, `b` rounded (half to even, the MXCSR
    /// default), capped at 127 and given the sign of `ea`, `eb`. A magnitude ≥ 2³¹ (or ∞,
    /// NaN) converts to i32::MIN, which `packs` saturates to −32768 = 32768 unsigned: the
    /// unsigned minimum caps it at 127 like any large value.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn to_i16(a: __m256, b: __m256, ea: __m256, eb: __m256) -> __m256i {
        let mag = _mm256_packs_epi32(_mm256_cvtps_epi32(a), _mm256_cvtps_epi32(b));
        let mag = _mm256_min_epu16(mag, _mm256_set1_epi16(127));
        // The e registers' bit patterns as i32 keep their sign through the saturating pack;
        // e = +0 zeroes the lane, whose magnitude is 0 anyway.
        let sign = _mm256_packs_epi32(_mm256_castps_si256(ea), _mm256_castps_si256(eb));
        _mm256_sign_epi16(mag, sign)
    }

    /// pshufb control (the same in both 128-bit lanes) from 16 byte indices (0x80: zero).
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn ctl(b: [u8; 16]) -> __m256i {
        // SAFETY: b holds 16 bytes, read unaligned.
        let x = unsafe { _mm_loadu_si128(b.as_ptr().cast()) };
        _mm256_broadcastsi128_si256(x)
    }

    /// Byte indices of int16 words `w` (0xff: a zero word) as a pshufb control.
    const fn words(w: [u8; 8]) -> [u8; 16] {
        let mut b = [0x80u8; 16];
        let mut i = 0;
        while i < 8 {
            if w[i] != 0xff {
                b[2 * i] = 2 * w[i];
                b[2 * i + 1] = 2 * w[i] + 1;
            }
            i += 1;
        }
        b
    }

    impl Store for i8 {
        const SIGNED: bool = false;

        fn overreach(m: usize) -> usize {
            // 64QAM writes 16-byte pieces at 12-byte steps: 4 bytes into the next symbol.
            usize::from(m == 3)
        }

        #[inline]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn store<const M: usize, const NT: bool>(
            (a, b): (&[__m256; M], &[__m256; M]),
            (ea, eb): (&[__m256; M], &[__m256; M]),
            dst: *mut i8,
        ) {
            // SAFETY: dst is valid for 16·M bytes; AVX2 is enabled (called only from the
            // target_feature step loop). The int16 values are within ±127, so the byte packs
            // below never saturate.
            unsafe {
                let mut p = [_mm256_setzero_si256(); 5];
                for bit in 0..M {
                    p[bit] = to_i16(a[bit], b[bit], ea[bit], eb[bit]);
                }
                if M == 4 {
                    // Bytes of bits (0, 2) and (1, 3): each 128-bit lane holds a bit's 4
                    // symbols, then the other bit's same 4 symbols.
                    let r02 = _mm256_packs_epi16(p[0], p[2]);
                    let r13 = _mm256_packs_epi16(p[1], p[3]);
                    let x = _mm256_unpacklo_epi16(r02, r13); // bits 0 1: s0 s1 s4 s5 | s2 s3 s6 s7
                    let y = _mm256_unpackhi_epi16(r02, r13); // bits 2 3: the same symbols
                    _mm256_storeu_si256(dst.cast(), _mm256_unpacklo_epi32(x, y)); // s0 s1 | s2 s3
                    _mm256_storeu_si256(dst.add(32).cast(), _mm256_unpackhi_epi32(x, y));
                } else if M == 1 {
                    // Words s0 s1 s4 s5 | s2 s3 s6 s7 → 64-bit halves 0, 2 → symbol order.
                    let r = _mm256_packs_epi16(p[0], p[0]);
                    let r = _mm256_permute4x64_epi64::<0b11_01_10_00>(r);
                    let r = _mm256_shuffle_epi8(r, ctl(words([0, 1, 4, 5, 2, 3, 6, 7])));
                    _mm_storeu_si128(dst.cast(), _mm256_castsi256_si128(r));
                } else if M == 2 {
                    // Per lane: bit 0 words s0 s1 s4 s5, bit 1 the same → dwords per symbol
                    // s0 s1 s4 s5 | s2 s3 s6 s7 → 64-bit order 0 2 1 3.
                    let r = _mm256_packs_epi16(p[0], p[1]);
                    let r = _mm256_shuffle_epi8(r, ctl(words([0, 4, 1, 5, 2, 6, 3, 7])));
                    let r = _mm256_permute4x64_epi64::<0b11_01_10_00>(r);
                    _mm256_storeu_si256(dst.cast(), r);
                } else if M == 3 {
                    // A: bits 0, 1 (words s0 s1 s4 s5 of each per lane), C: bit 2. Two
                    // symbols (12 bytes) per 128-bit piece: (s0 s1 | s2 s3) and (s4 s5 | s6 s7),
                    // stored at 12-byte steps (each store's last 4 bytes are overwritten next).
                    let a = _mm256_packs_epi16(p[0], p[1]);
                    let c = _mm256_packs_epi16(p[2], p[2]);
                    const X: u8 = 0xff;
                    let lo = _mm256_or_si256(
                        _mm256_shuffle_epi8(a, ctl(words([0, 4, X, 1, 5, X, X, X]))),
                        _mm256_shuffle_epi8(c, ctl(words([X, X, 0, X, X, 1, X, X]))),
                    );
                    let hi = _mm256_or_si256(
                        _mm256_shuffle_epi8(a, ctl(words([2, 6, X, 3, 7, X, X, X]))),
                        _mm256_shuffle_epi8(c, ctl(words([X, X, 2, X, X, 3, X, X]))),
                    );
                    _mm_storeu_si128(dst.cast(), _mm256_castsi256_si128(lo));
                    _mm_storeu_si128(dst.add(12).cast(), _mm256_extracti128_si256::<1>(lo));
                    _mm_storeu_si128(dst.add(24).cast(), _mm256_castsi256_si128(hi));
                    _mm_storeu_si128(dst.add(36).cast(), _mm256_extracti128_si256::<1>(hi));
                } else {
                    // 1024QAM: each bit's 8 (re, im) byte pairs, then per symbol.
                    let mut buf = [[0i8; 32]; 5];
                    for bit in 0..M {
                        let r = _mm256_packs_epi16(p[bit], p[bit]);
                        _mm256_storeu_si256(buf[bit].as_mut_ptr().cast(), r);
                    }
                    // Pair j of a bit's bytes: symbols 0 1 4 5 in lane 0, 2 3 6 7 in lane 1.
                    const AT: [usize; 8] = [0, 2, 16, 18, 4, 6, 20, 22];
                    for (s, &at) in AT.iter().enumerate() {
                        for (bit, row) in buf.iter().enumerate().take(M) {
                            *dst.add(s * 2 * M + 2 * bit) = row[at];
                            *dst.add(s * 2 * M + 2 * bit + 1) = row[at + 1];
                        }
                    }
                }
            }
        }
    }

    /// All symbols: 8 per step, erasure steps by the scalar reference, the last `n mod 8` (or
    /// up to 8 where a step's stores reach into the next symbol) as one step on a copy padded
    /// with zeros (σ² = 1), lane for lane the same operations, their outputs copied out.
    /// `NT`: the steps' output with non-temporal stores (`out` 16-byte aligned), fenced at the
    /// end.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn run<T: Store, const M: usize, const NT: bool>(
        ax: &Axis,
        y: &[C32],
        noise_var: &[f32],
        out: &mut [T],
    ) {
        /// One step from 8 symbols at `py` (16 f32) and their σ² at `pn` into `o`; false,
        /// nothing written, where a value is not finite.
        ///
        /// # Safety
        /// AVX2 and FMA enabled; the reads valid, `o` valid for what `T::store` writes.
        #[inline(always)]
        unsafe fn one<T: Store, const M: usize, const NT: bool>(
            k: &K,
            py: *const f32,
            pn: *const f32,
            o: *mut T,
        ) -> bool {
            // SAFETY: the caller's ISA and pointers.
            unsafe {
                let v0 = _mm256_loadu_ps(py);
                let v1 = _mm256_loadu_ps(py.add(8));
                // x − x is NaN exactly for NaN and ±∞.
                let bad = _mm256_or_ps(_mm256_sub_ps(v0, v0), _mm256_sub_ps(v1, v1));
                if _mm256_movemask_ps(_mm256_cmp_ps::<_CMP_UNORD_Q>(bad, bad)) != 0 {
                    return false;
                }
                let nv = _mm256_max_ps(_mm256_loadu_ps(pn), k.min_nv);
                let w = _mm256_div_ps(k.gain, nv);
                let (a, ea) = bits::<M>(v0, _mm256_permutevar8x32_ps(w, k.dup_lo), k, T::SIGNED);
                let (b, eb) = bits::<M>(v1, _mm256_permutevar8x32_ps(w, k.dup_hi), k, T::SIGNED);
                T::store::<M, NT>((&a, &b), (&ea, &eb), o);
                true
            }
        }

        let k = consts(ax);
        let n = y.len();
        let q = 2 * M;
        let (py, pn) = (y.as_ptr().cast::<f32>(), noise_var.as_ptr());
        let mut s = 0;
        let reach = STEP + T::overreach(M);
        while s + reach <= n {
            // SAFETY: symbols s..s+8 exist (2·8 f32 from py + 2s), noise_var has the same
            // length as y (caller-checked), and out holds q values for each of the `reach`
            // symbols from s that `store` may write; with NT, out is 16-byte aligned and s·q
            // values of 4 bytes (s a multiple of 8, q even) keep it so.
            let done = unsafe {
                one::<T, M, NT>(&k, py.add(2 * s), pn.add(s), out.as_mut_ptr().add(s * q))
            };
            if !done {
                scalar_range(ax, y, noise_var, out, s..s + STEP);
            }
            s += STEP;
        }
        if NT {
            _mm_sfence();
        }
        if s < n {
            // n − s < reach ≤ STEP + 1 symbols: one step, its stores reaching into the buffer's
            // ninth symbol at most.
            let (yb, nb) = super::padded_tail::<STEP>(y, noise_var, s);
            let mut ob = [T::default(); (STEP + 1) * 10];
            // SAFETY: AVX2 and FMA are enabled here; the buffers hold 8 symbols, 8 σ² and
            // 9·10 ≥ 9·2M outputs; ordinary stores (no alignment needed).
            let done =
                unsafe { one::<T, M, false>(&k, yb.as_ptr().cast(), nb.as_ptr(), ob.as_mut_ptr()) };
            super::finish_tail(ax, (y, noise_var), out, s, (done, &ob));
        }
    }

    /// f32 LLRs; shapes caller-checked (`noise_var.len() = y.len()`, `out.len() = 2m·y.len()`).
    /// An output of [`super::STREAM_MIN_BYTES`] or more at a 16-byte aligned address is
    /// written past the caches (1 to 4 bits per axis; 1024QAM's steps go through a buffer).
    #[target_feature(enable = "avx2,fma")]
    pub(crate) fn llr_f32(ax: &Axis, y: &[C32], noise_var: &[f32], out: &mut [f32]) {
        if super::streams(out) {
            dispatch_m::<f32, true>(ax, y, noise_var, out)
        } else {
            dispatch_m::<f32, false>(ax, y, noise_var, out)
        }
    }

    /// int8 LLRs; shapes caller-checked as for [`llr_f32`].
    #[target_feature(enable = "avx2,fma")]
    pub(crate) fn llr_i8(ax: &Axis, y: &[C32], noise_var: &[f32], out: &mut [i8]) {
        dispatch_m::<i8, false>(ax, y, noise_var, out)
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn dispatch_m<T: Store, const NT: bool>(
        ax: &Axis,
        y: &[C32],
        noise_var: &[f32],
        out: &mut [T],
    ) {
        match ax.m {
            1 => run::<T, 1, NT>(ax, y, noise_var, out),
            2 => run::<T, 2, NT>(ax, y, noise_var, out),
            3 => run::<T, 3, NT>(ax, y, noise_var, out),
            4 => run::<T, 4, NT>(ax, y, noise_var, out),
            // 1024QAM writes its steps through a stack buffer, element by element.
            _ => run::<T, 5, false>(ax, y, noise_var, out),
        }
    }
}

#[cfg(target_arch = "x86_64")]
pub(crate) mod x86_512 {
    //! AVX-512 LLRs for 1 to 4 bits per axis (int8 on VBMI cores also 5, 1024QAM), 16 symbols
    //! per step (two registers of 8 interleaved symbols), both equal to the scalar reference
    //! bit for bit.
    //!
    //! Both need AVX-512 DQ besides F: every clamp to `[−b, b]` and `min(|x|, b)` is one
    //! `vrangeps` (the operand of smaller magnitude, its sign taken from `x` or cleared).
    //!
    //! f32 (F): the reference's operations at full scale, the bit registers put in symbol
    //! order by pair permutes or 128-bit lane shuffles.
    //!
    //! int8 (F + BW): the reference's values computed at half scale (`y/2a`: no multiplication
    //! by ½ before each floor, `u − c` and `(c + 1)·t` fused into one rounding each, as the
    //! reference rounds them; 83 vector operations per 16 256QAM symbols where the full-scale
    //! form took 97, ×1.13–1.17 in cache on a two-FMA-pipe Xeon; 79 with the clamps by
    //! `vrangeps`), the sign put on each
    //! magnitude with one ternary-logic instruction, and the bytes of all the bits of 8 symbols
    //! rearranged with two or three packs and one in-lane byte shuffle — or, on VBMI cores, one
    //! or two packs and one byte permute in output order (1024QAM: four packs and two
    //! permutes for its 80 bytes).

    use super::{Axis, Llr, MIN_NOISE_VAR, scalar_range};
    use crate::C32;
    use core::arch::x86_64::*;

    /// Symbols per step.
    const STEP: usize = 16;

    /// Largest weight `gain/σ²` of [`llr_i8`]: 2¹⁰⁰.
    const MAX_WEIGHT: f32 = 1.267_650_6e30;

    /// Whether [`llr_i8`] may run for `ax`: AVX-512 F, BW and DQ on this CPU, at most 4 bits
    /// per axis or 5 (1024QAM) on a CPU with VBMI too (without it 1024QAM keeps the AVX2
    /// kernel: its 10 bytes per symbol have no packs-and-shuffle order), and no weight
    /// `gain/σ²` above 2¹⁰⁰. That bound
    /// keeps the kernel equal to the scalar reference bit for bit: its half-scale input
    /// `y/(2a)` rounds differently from `y/a` only where that is below 2⁻¹²⁵ (subnormal once
    /// halved), and there every LLR, `< 2⁻¹²⁵·2¹⁰⁰`, rounds to 0 either way; and a weight that
    /// overflows to ∞ (where the reference's 0·∞ = NaN gives 0, which the AVX2 kernel
    /// reproduces and this one, capping at 127 before the sign, would not) stays out. Weights
    /// that large mean an output scale above 3·10¹⁷/a² (6·10¹⁷ for QPSK) — they keep the AVX2
    /// kernel.
    pub(crate) fn usable(ax: &Axis) -> bool {
        (ax.m <= 4 || (ax.m == 5 && std::arch::is_x86_feature_detected!("avx512vbmi")))
            && ax.gain / MIN_NOISE_VAR <= MAX_WEIGHT
            && std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512dq")
    }

    /// pshufb control, the same 16 bytes in every 128-bit lane.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512dq")]
    fn ctl(b: [u8; 16]) -> __m512i {
        // SAFETY: b holds 16 bytes, read unaligned.
        let x = unsafe { _mm_loadu_si128(b.as_ptr().cast()) };
        _mm512_broadcast_i32x4(x)
    }

    /// `x` clamped to `[−b, b]` (b ≥ 0, x not NaN): `vrangeps` keeps whichever operand has the
    /// smaller magnitude, with the sign of `x` (immediate 0b00_10) — one instruction where a
    /// minimum and a maximum take two.
    #[inline]
    #[target_feature(enable = "avx512f,avx512dq")]
    fn clamp_sym(x: __m512, b: __m512) -> __m512 {
        _mm512_range_ps::<0b0010>(x, b)
    }

    /// `min(|x|, b)` (b ≥ 0, x not NaN): `vrangeps`'s smaller magnitude with the sign cleared
    /// (immediate 0b10_10).
    #[inline]
    #[target_feature(enable = "avx512f,avx512dq")]
    fn abs_min(x: __m512, b: __m512) -> __m512 {
        _mm512_range_ps::<0b1010>(x, b)
    }

    /// `|g|` given the sign of `e` (`copysign(g, e)` for g ≥ 0): a bit-or, so a zero `g`
    /// becomes −0 where `e` is negative.
    #[inline]
    #[target_feature(enable = "avx512f,avx512dq")]
    fn or_sign(g: __m512, e: __m512) -> __m512 {
        // g | (e & sign): 0xF8 is A | (B & C) on the operand truth tables F0, CC, AA.
        _mm512_castsi512_ps(_mm512_ternarylogic_epi32::<0xF8>(
            _mm512_castps_si512(g),
            _mm512_castps_si512(e),
            _mm512_set1_epi32(i32::MIN),
        ))
    }

    /// The int32 LLRs (within ±127) of the M bits of 8 interleaved symbols `v` at twice their
    /// per-lane weights, `w2 = 2w`: `axis_llrs`'s values computed at half scale — `y/(2a)`
    /// and its folds `e_k/2`, `u_k/2`, and `g_k/2`, each exactly half the reference's rounded
    /// value (powers of two; see [`usable`] for the one range where halving could round) —
    /// which saves the multiplication by ½ before each floor and turns `u − c` into one fused
    /// `u/2 − c/2`; `(c + 1)·t` is the fused `c·t + t` (one rounding of the same exact
    /// product), and `(g/2)·2w` is the reference's `g·w`. The last bit of an axis (P = 1) is
    /// `clamp((e/2)·2w, ±127)`, its sign already in `e`; the other bits are `min(|g/2|·2w,
    /// 127)` with the sign of `e_k` put on it (a bit-or: −0 stays 0 after the conversion),
    /// rounded half to even.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512dq")]
    fn bits<const M: usize>(v: __m512, w2: __m512, ax: &Axis) -> [__m512i; M] {
        let bound = _mm512_set1_ps(0.5 * ax.bound());
        let yh = _mm512_mul_ps(v, _mm512_set1_ps(0.5 * ax.inv_unit));
        // The clamp to ±bound: with more than one bit per axis only the first bit's sign is
        // read from y (the rest from |y| clamped), with one bit y's LLR itself.
        let yh = if M == 1 { clamp_sym(yh, bound) } else { yh };
        let (two, half, cap) = (
            _mm512_set1_ps(2.0),
            _mm512_set1_ps(0.5),
            _mm512_set1_ps(127.0),
        );
        // e/2 and u/2 of the bit being decoded.
        let (mut e, mut u) = (yh, abs_min(yh, bound));
        let mut out = [_mm512_setzero_si512(); M];
        for (b, o) in out.iter_mut().enumerate().take(M - 1) {
            if b > 0 {
                e = _mm512_sub_ps(_mm512_set1_ps((1u32 << (M - b - 1)) as f32), u);
                u = _mm512_abs_ps(e);
            }
            let p = (1u32 << (M - b)) - 1;
            let mag = if p == 3 {
                // |2e − clamp(e, −2, 2)| = 2u − min(u, 2) = 2·(2·(u/2) − min(u/2, 1)).
                let t = _mm512_fmsub_ps(u, two, _mm512_min_ps(u, _mm512_set1_ps(1.0)));
                _mm512_mul_ps(t, w2)
            } else {
                let c = _mm512_min_ps(
                    _mm512_roundscale_ps::<{ _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC }>(u),
                    _mm512_set1_ps(((p - 1) / 2) as f32),
                );
                // g/2 = (c + 1)·(u/2 − c/2), times 2w.
                let t = _mm512_fnmadd_ps(c, half, u);
                _mm512_mul_ps(_mm512_fmadd_ps(c, t, t), w2)
            };
            // |g|·w ≥ 0 and finite (w ≤ 2¹⁰⁰: `usable`), so the cap is 127 or less.
            *o = _mm512_cvtps_epi32(or_sign(_mm512_min_ps(mag, cap), e));
        }
        // The axis's last bit (P = 1), g = e: the LLR e·w = (e/2)·2w, its sign included.
        if M > 1 {
            e = _mm512_sub_ps(_mm512_set1_ps(1.0), u);
        }
        out[M - 1] = _mm512_cvtps_epi32(clamp_sym(_mm512_mul_ps(e, w2), cap));
        out
    }

    /// Stores the M int32 bit registers of 8 symbols (values within ±127) as the symbol-major
    /// int8 output at `dst` (8·2M bytes). 128-bit lane l holds symbols 2l, 2l + 1 (re, im).
    ///
    /// # Safety
    /// `dst` must be valid for 16·M byte writes.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512dq")]
    unsafe fn store<const M: usize>(l: &[__m512i; M], dst: *mut i8) {
        // SAFETY: every store below writes 16·M bytes from dst (the caller's guarantee).
        unsafe {
            match M {
                // vpmovdb: the 16 values in order are the output of 8 QPSK symbols.
                1 => _mm_storeu_si128(dst.cast(), _mm512_cvtepi32_epi8(l[0])),
                2 => {
                    // Per lane bytes: bit 0 of (s, re), (s, im), (s + 1, re), (s + 1, im), then
                    // bit 1 of the same → per symbol (b0 re, b0 im, b1 re, b1 im); the lanes'
                    // first 8 bytes together.
                    let q =
                        _mm512_packs_epi16(_mm512_packs_epi32(l[0], l[1]), _mm512_setzero_si512());
                    let q = _mm512_shuffle_epi8(
                        q,
                        ctl([
                            0, 1, 4, 5, 2, 3, 6, 7, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                        ]),
                    );
                    let q = _mm512_permutexvar_epi64(_mm512_setr_epi64(0, 2, 4, 6, 1, 3, 5, 7), q);
                    _mm256_storeu_si256(dst.cast(), _mm512_castsi512_si256(q));
                }
                3 => {
                    let q = _mm512_packs_epi16(
                        _mm512_packs_epi32(l[0], l[1]),
                        _mm512_packs_epi32(l[2], l[2]),
                    );
                    let q = _mm512_shuffle_epi8(
                        q,
                        ctl([0, 1, 4, 5, 8, 9, 2, 3, 6, 7, 10, 11, 0x80, 0x80, 0x80, 0x80]),
                    );
                    // Each lane's first 12 bytes (3 dwords) together, 48 bytes.
                    let q = _mm512_permutexvar_epi32(
                        _mm512_setr_epi32(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 0, 0, 0, 0),
                        q,
                    );
                    _mm512_mask_storeu_epi32(dst.cast(), 0x0fff, q);
                }
                _ => {
                    let q = _mm512_packs_epi16(
                        _mm512_packs_epi32(l[0], l[1]),
                        _mm512_packs_epi32(l[2], l[3]),
                    );
                    let q = _mm512_shuffle_epi8(
                        q,
                        ctl([0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15]),
                    );
                    _mm512_storeu_si512(dst.cast(), q);
                }
            }
        }
    }

    /// The byte permutation of [`store_vbmi`]: output byte o of 8 symbols (symbol o / 2M, bit
    /// (o mod 2M) / 2, axis o mod 2) is the low byte of which int16 word of the packed pairs
    /// `packs(l0, l1)` (bytes 0–63) and `packs(l2, l3)` (64–127). `packs` works per 128-bit
    /// lane L, which holds symbols 2L, 2L + 1 (four dwords: re, im, re, im) of each register.
    const fn vbmi_index(m: usize) -> [i8; 64] {
        let mut idx = [0i8; 64];
        let mut o = 0;
        while o < 16 * m && o < 64 {
            let (sym, k, axis) = (o / (2 * m), (o % (2 * m)) / 2, o % 2);
            let (lane, d) = (sym / 2, 2 * (sym % 2) + axis);
            // Word 8·lane + 4·(k mod 2) + d of the pair holding bit k.
            let word = 8 * lane + 4 * (k % 2) + d;
            idx[o] = (64 * (k / 2) + 2 * word) as i8;
            o += 1;
        }
        idx
    }

    /// The two byte permutations of [`store_vbmi`] for 1024QAM (output bytes 0–63 and 64–79
    /// of 8 symbols): bits 0–3 come from the bytes of `packs(packs(l0, l1), packs(l2, l3))`
    /// (0–63; 128-bit lane L holds bit k's dword d at byte 16L + 4k + d), bit 4 from the low
    /// bytes of the words of `packs(l4, l4)` (64–127; lane L's word d at byte 16L + 2d), where
    /// d = 2·(symbol mod 2) + axis as in [`vbmi_index`].
    const fn vbmi_index_1024() -> [[i8; 64]; 2] {
        let mut idx = [[0i8; 64]; 2];
        let mut o = 0;
        while o < 80 {
            let (sym, k, axis) = (o / 10, (o % 10) / 2, o % 2);
            let (lane, d) = (sym / 2, 2 * (sym % 2) + axis);
            let byte = if k < 4 {
                16 * lane + 4 * k + d
            } else {
                64 + 16 * lane + 2 * d
            };
            idx[o / 64][o % 64] = byte as i8;
            o += 1;
        }
        idx
    }

    /// [`store`] on AVX-512 VBMI: the M int32 registers packed to int16 pairwise (one or two
    /// `packs`), then every output byte picked in order by one byte permute (`vpermt2b`) —
    /// two to three shuffles where `store` takes four or five. 1024QAM (which `store` does not
    /// take): bits 0–3 packed to bytes, bit 4 to words, two permutes ([`vbmi_index_1024`]).
    ///
    /// # Safety
    /// `dst` must be valid for 16·M byte writes; the CPU must have AVX-512 VBMI.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vbmi")]
    unsafe fn store_vbmi<const M: usize>(l: &[__m512i; M], dst: *mut i8) {
        let idx = const { vbmi_index(M) };
        // SAFETY: reads the 64-byte index; writes 16·M bytes from dst (the caller's guarantee).
        unsafe {
            let idx = _mm512_loadu_si512(idx.as_ptr().cast());
            match M {
                // One register: `store`'s single conversion is already in output order.
                1 => store::<M>(l, dst),
                2 => {
                    let q = _mm512_permutexvar_epi8(idx, _mm512_packs_epi32(l[0], l[1]));
                    _mm256_storeu_si256(dst.cast(), _mm512_castsi512_si256(q));
                }
                3 => {
                    let q = _mm512_permutex2var_epi8(
                        _mm512_packs_epi32(l[0], l[1]),
                        idx,
                        _mm512_packs_epi32(l[2], l[2]),
                    );
                    _mm512_mask_storeu_epi8(dst, (1u64 << 48) - 1, q);
                }
                4 => {
                    let q = _mm512_permutex2var_epi8(
                        _mm512_packs_epi32(l[0], l[1]),
                        idx,
                        _mm512_packs_epi32(l[2], l[3]),
                    );
                    _mm512_storeu_si512(dst.cast(), q);
                }
                _ => {
                    // 1024QAM, 80 bytes: bits 0–3 packed to bytes, bit 4 to words, two
                    // permutes (the second's first 16 bytes are the output's last).
                    let [lo, hi] = const { vbmi_index_1024() };
                    let q = _mm512_packs_epi16(
                        _mm512_packs_epi32(l[0], l[1]),
                        _mm512_packs_epi32(l[2], l[3]),
                    );
                    let r = _mm512_packs_epi32(l[4], l[4]);
                    let lo = _mm512_loadu_si512(lo.as_ptr().cast());
                    let hi = _mm512_loadu_si512(hi.as_ptr().cast());
                    _mm512_storeu_si512(dst.cast(), _mm512_permutex2var_epi8(q, lo, r));
                    let tail = _mm512_permutex2var_epi8(q, hi, r);
                    _mm_storeu_si128(dst.add(64).cast(), _mm512_castsi512_si128(tail));
                }
            }
        }
    }

    /// All symbols: 16 per step (a padded step for the last `n mod 16`, erasure steps by the
    /// scalar reference: [`steps`]);
    /// `VBMI`: the bytes put in order by [`store_vbmi`] (else [`store`]).
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512dq")]
    fn run<const M: usize, const VBMI: bool>(
        ax: &Axis,
        y: &[C32],
        noise_var: &[f32],
        out: &mut [i8],
    ) {
        // 2w = 2·gain/σ² (exactly twice the weight: a power of two), the half-scale LLRs'
        // factor.
        // SAFETY: AVX-512 F and BW are enabled here; the shapes are caller-checked.
        unsafe {
            steps::<i8, M>(ax, y, noise_var, out, 2.0 * ax.gain, |v0, v1, wa, wb, o| {
                let (a, b) = (bits::<M>(v0, wa, ax), bits::<M>(v1, wb, ax));
                if VBMI {
                    store_vbmi::<M>(&a, o);
                    store_vbmi::<M>(&b, o.add(16 * M));
                } else {
                    store::<M>(&a, o);
                    store::<M>(&b, o.add(16 * M));
                }
            })
        }
    }

    /// The 16-symbol steps both outputs share: two registers of 8 interleaved symbols and
    /// their weights `gain/max(σ², MIN_NOISE_VAR)` (each symbol's on both its lanes) to
    /// `step(v0, v1, w0, w1, dst)`, which writes the step's 16·2M outputs at `dst`; a step
    /// with an erasure by the scalar reference. The last `n mod 16` symbols run as one step
    /// on a copy padded with zeros (σ² = 1), their outputs copied out: lane for lane the
    /// same operations, so the same values, where the scalar reference took as long for
    /// those (up to 15) symbols as the vector steps for 400 (a tenth of a 3276-symbol call).
    ///
    /// # Safety
    /// AVX-512 F enabled; `noise_var` as long as `y`, `out` 2M values per symbol; `step`
    /// writes only its step's outputs.
    #[inline(always)]
    unsafe fn steps<T: Llr, const M: usize>(
        ax: &Axis,
        y: &[C32],
        noise_var: &[f32],
        out: &mut [T],
        gain: f32,
        mut step: impl FnMut(__m512, __m512, __m512, __m512, *mut T),
    ) {
        /// One step from 16 symbols at `py` (32 f32) and their σ² at `pn` into `o`
        /// (16·2M outputs); false, nothing written, where a value is not finite.
        ///
        /// # Safety
        /// As [`steps`], with those reads and writes valid.
        #[inline(always)]
        unsafe fn one<T>(
            py: *const f32,
            pn: *const f32,
            o: *mut T,
            gain: f32,
            step: &mut impl FnMut(__m512, __m512, __m512, __m512, *mut T),
        ) -> bool {
            // SAFETY: the caller's ISA and pointers.
            unsafe {
                let v0 = _mm512_loadu_ps(py);
                let v1 = _mm512_loadu_ps(py.add(16));
                // x − x is NaN exactly for NaN and ±∞.
                let (d0, d1) = (_mm512_sub_ps(v0, v0), _mm512_sub_ps(v1, v1));
                if _mm512_cmp_ps_mask::<_CMP_UNORD_Q>(d0, d1) != 0 {
                    return false;
                }
                let nv = _mm512_max_ps(_mm512_loadu_ps(pn), _mm512_set1_ps(MIN_NOISE_VAR));
                let w = _mm512_div_ps(_mm512_set1_ps(gain), nv);
                let dup_lo = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
                let dup_hi =
                    _mm512_setr_epi32(8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15);
                step(
                    v0,
                    v1,
                    _mm512_permutexvar_ps(dup_lo, w),
                    _mm512_permutexvar_ps(dup_hi, w),
                    o,
                );
                true
            }
        }

        let n = y.len();
        let (py, pn) = (y.as_ptr().cast::<f32>(), noise_var.as_ptr());
        let mut s = 0;
        while s + STEP <= n {
            // SAFETY: the caller's ISA; symbols s..s+16 exist (32 f32 from py + 2s), noise_var
            // has y's length and out 2M values per symbol (caller-checked).
            let done = unsafe {
                let o = out.as_mut_ptr().add(s * 2 * M);
                one(py.add(2 * s), pn.add(s), o, gain, &mut step)
            };
            if !done {
                scalar_range(ax, y, noise_var, out, s..s + STEP);
            }
            s += STEP;
        }
        if s < n {
            let (yb, nb) = super::padded_tail::<STEP>(y, noise_var, s);
            let mut ob = [T::default(); STEP * 10];
            // SAFETY: the caller's ISA; the buffers hold 16 symbols, 16 σ² and 16·10 ≥ 16·2M
            // outputs.
            let done = unsafe {
                one(
                    yb.as_ptr().cast(),
                    nb.as_ptr(),
                    ob.as_mut_ptr(),
                    gain,
                    &mut step,
                )
            };
            super::finish_tail(ax, (y, noise_var), out, s, (done, &ob));
        }
    }

    /// Whether [`llr_f32`] may run: AVX-512 F and DQ on this CPU, at most 4 bits per axis, and an
    /// output written with ordinary stores (one that [`super::streams`] is memory-bound and
    /// keeps the AVX2 kernel's non-temporal stores; 1024QAM keeps it too).
    pub(crate) fn usable_f32(ax: &Axis, out: &[f32]) -> bool {
        ax.m <= 4
            && !super::streams(out)
            && std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512dq")
    }

    /// The signed f32 LLRs of the M bits of 8 interleaved symbols `v` at per-lane weights `w`:
    /// [`super::axis_llrs`]'s operations lane for lane at full scale (the f32 output keeps
    /// every bit, so no half-scale shortcut), `(c + 1)·(u − c)` as the fused `c·t + t` (the
    /// same single rounding of the exact product), the sign of `e` or-ed in (`copysign`).
    #[inline]
    #[target_feature(enable = "avx512f,avx512dq")]
    fn bits_f32<const M: usize>(v: __m512, w: __m512, ax: &Axis) -> [__m512; M] {
        let bound = _mm512_set1_ps(ax.bound());
        let yu = clamp_sym(_mm512_mul_ps(v, _mm512_set1_ps(ax.inv_unit)), bound);
        let (half, two) = (_mm512_set1_ps(0.5), _mm512_set1_ps(2.0));
        let (mut e, mut u) = (yu, _mm512_abs_ps(yu));
        let mut out = [_mm512_setzero_ps(); M];
        for (b, o) in out.iter_mut().enumerate() {
            if b > 0 {
                e = _mm512_sub_ps(_mm512_set1_ps((1u32 << (M - b)) as f32), u);
                u = _mm512_abs_ps(e);
            }
            let p = (1u32 << (M - b)) - 1;
            let g = match p {
                1 => e,
                // 2e − clamp(e, −2, 2).
                3 => _mm512_sub_ps(_mm512_add_ps(e, e), clamp_sym(e, two)),
                _ => {
                    let c = _mm512_min_ps(
                        _mm512_roundscale_ps::<{ _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC }>(
                            _mm512_mul_ps(u, half),
                        ),
                        _mm512_set1_ps(((p - 1) / 2) as f32),
                    );
                    let t = _mm512_sub_ps(u, c);
                    or_sign(_mm512_fmadd_ps(c, t, t), e)
                }
            };
            *o = _mm512_mul_ps(g, w);
        }
        out
    }

    /// Stores the M bit registers of 8 symbols (pairs `X_s` = (re, im) of bit register X for
    /// symbol s, 128-bit lane l holding symbols 2l, 2l + 1) in symbol-major order at `dst`
    /// (16·M f32): `A₀ B₀ … A₁ B₁ …`.
    ///
    /// # Safety
    /// `dst` must be valid for 16·M f32 writes.
    #[inline]
    #[target_feature(enable = "avx512f,avx512dq")]
    unsafe fn store_f32<const M: usize>(l: &[__m512; M], dst: *mut f32) {
        let pd = |x: __m512| _mm512_castps_pd(x);
        let idx = |i: [i64; 8]| _mm512_setr_epi64(i[0], i[1], i[2], i[3], i[4], i[5], i[6], i[7]);
        // SAFETY: every store writes 16 f32 at register index i < M (the caller's guarantee).
        unsafe {
            let st = |i: usize, x: __m512d| _mm512_storeu_pd(dst.add(16 * i).cast(), x);
            match M {
                1 => st(0, pd(l[0])),
                2 => {
                    // Pair indices: 0–7 from A, 8–15 from B.
                    let (a, b) = (pd(l[0]), pd(l[1]));
                    st(
                        0,
                        _mm512_permutex2var_pd(a, idx([0, 8, 1, 9, 2, 10, 3, 11]), b),
                    );
                    st(
                        1,
                        _mm512_permutex2var_pd(a, idx([4, 12, 5, 13, 6, 14, 7, 15]), b),
                    );
                }
                3 => {
                    // A₀B₀C₀A₁ B₁C₁A₂B₂ | C₂A₃B₃C₃ A₄B₄C₄A₅ | B₅C₅A₆B₆ C₆A₇B₇C₇: A and B
                    // put in place by one two-source permute, C merged by a masked one.
                    let (a, b, c) = (pd(l[0]), pd(l[1]), pd(l[2]));
                    let ab = [
                        [0, 8, 0, 1, 9, 0, 2, 10],
                        [0, 3, 11, 0, 4, 12, 0, 5],
                        [13, 0, 6, 14, 0, 7, 15, 0],
                    ];
                    let cc = [
                        ([0, 0, 0, 0, 0, 1, 0, 0], 0b0010_0100u8),
                        ([2, 0, 0, 3, 0, 0, 4, 0], 0b0100_1001),
                        ([0, 5, 0, 0, 6, 0, 0, 7], 0b1001_0010),
                    ];
                    for (i, (abi, (ci, m))) in ab.iter().zip(cc).enumerate() {
                        let x = _mm512_permutex2var_pd(a, idx(*abi), b);
                        st(i, _mm512_mask_permutexvar_pd(x, m, idx(ci), c));
                    }
                }
                _ => {
                    // Per 128-bit lane: t0 = A B of even symbols, t1 odd; t2, t3 for C, D.
                    let (a, b, c, d) = (pd(l[0]), pd(l[1]), pd(l[2]), pd(l[3]));
                    let t0 = _mm512_unpacklo_pd(a, b);
                    let t1 = _mm512_unpackhi_pd(a, b);
                    let t2 = _mm512_unpacklo_pd(c, d);
                    let t3 = _mm512_unpackhi_pd(c, d);
                    // Symbols 2l, 2l + 1 of lane l: [t0.l, t2.l, t1.l, t3.l].
                    let lo = [
                        _mm512_shuffle_f64x2::<0b0100_0100>(t0, t2),
                        _mm512_shuffle_f64x2::<0b0100_0100>(t1, t3),
                    ]; // [t.l0, t.l1, t'.l0, t'.l1]
                    let hi = [
                        _mm512_shuffle_f64x2::<0b1110_1110>(t0, t2),
                        _mm512_shuffle_f64x2::<0b1110_1110>(t1, t3),
                    ]; // [t.l2, t.l3, t'.l2, t'.l3]
                    for (h, [p, q]) in [lo, hi].into_iter().enumerate() {
                        // [p.l0, p.l2, q.l0, q.l2] and [p.l1, p.l3, q.l1, q.l3].
                        st(2 * h, _mm512_shuffle_f64x2::<0b1000_1000>(p, q));
                        st(2 * h + 1, _mm512_shuffle_f64x2::<0b1101_1101>(p, q));
                    }
                }
            }
        }
    }

    /// f32 LLRs, 16 symbols per step (erasure steps by the scalar reference, the last `n mod 16`
    /// as one padded step); shapes caller-checked, [`usable_f32`] true.
    #[target_feature(enable = "avx512f,avx512dq")]
    pub(crate) fn llr_f32(ax: &Axis, y: &[C32], noise_var: &[f32], out: &mut [f32]) {
        match ax.m {
            1 => run_f32::<1>(ax, y, noise_var, out),
            2 => run_f32::<2>(ax, y, noise_var, out),
            3 => run_f32::<3>(ax, y, noise_var, out),
            _ => run_f32::<4>(ax, y, noise_var, out),
        }
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512dq")]
    fn run_f32<const M: usize>(ax: &Axis, y: &[C32], noise_var: &[f32], out: &mut [f32]) {
        // SAFETY: AVX-512 F is enabled here; the shapes are caller-checked.
        unsafe {
            steps::<f32, M>(ax, y, noise_var, out, ax.gain, |v0, v1, wa, wb, o| {
                let (a, b) = (bits_f32::<M>(v0, wa, ax), bits_f32::<M>(v1, wb, ax));
                store_f32::<M>(&a, o);
                store_f32::<M>(&b, o.add(16 * M));
            })
        }
    }

    /// int8 LLRs; shapes caller-checked (`noise_var.len() = y.len()`, `out.len() = 2m·y.len()`),
    /// and [`usable`] true for `ax`.
    #[target_feature(enable = "avx512f,avx512bw,avx512dq")]
    pub(crate) fn llr_i8(ax: &Axis, y: &[C32], noise_var: &[f32], out: &mut [i8]) {
        llr_i8_stores(
            ax,
            y,
            noise_var,
            out,
            std::arch::is_x86_feature_detected!("avx512vbmi"),
        )
    }

    /// [`llr_i8`] with the byte order put by [`store_vbmi`] (`vbmi`, which the CPU must have)
    /// or [`store`]: the same bytes either way (both paths are tested on a VBMI machine).
    #[target_feature(enable = "avx512f,avx512bw,avx512dq")]
    pub(crate) fn llr_i8_stores(
        ax: &Axis,
        y: &[C32],
        noise_var: &[f32],
        out: &mut [i8],
        vbmi: bool,
    ) {
        if vbmi {
            // SAFETY: the caller's `vbmi` says the CPU has AVX-512 VBMI.
            return unsafe { llr_i8_vbmi(ax, y, noise_var, out) };
        }
        match ax.m {
            1 => run::<1, false>(ax, y, noise_var, out),
            2 => run::<2, false>(ax, y, noise_var, out),
            3 => run::<3, false>(ax, y, noise_var, out),
            4 => run::<4, false>(ax, y, noise_var, out),
            // 1024QAM without VBMI is not [`usable`]; the reference, should it be asked.
            _ => scalar_range(ax, y, noise_var, out, 0..y.len()),
        }
    }

    /// [`run`] with [`store_vbmi`], compiled with VBMI so that the stores inline.
    ///
    /// # Safety
    /// The CPU must have AVX-512 VBMI (and F, BW).
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vbmi")]
    unsafe fn llr_i8_vbmi(ax: &Axis, y: &[C32], noise_var: &[f32], out: &mut [i8]) {
        match ax.m {
            1 => run::<1, true>(ax, y, noise_var, out),
            2 => run::<2, true>(ax, y, noise_var, out),
            3 => run::<3, true>(ax, y, noise_var, out),
            4 => run::<4, true>(ax, y, noise_var, out),
            _ => run::<5, true>(ax, y, noise_var, out),
        }
    }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::{Axis, STREAM_MIN_BYTES, streams, x86_512};

    /// f32 outputs stream from 16 MiB on, at 16-byte aligned addresses only.
    #[test]
    fn f32_outputs_stream_when_large_and_aligned() {
        let buf = vec![0.0f32; STREAM_MIN_BYTES / 4 + 8];
        let a = (0..4)
            .find(|&o| (buf[o..].as_ptr() as usize).is_multiple_of(16))
            .unwrap();
        let n = STREAM_MIN_BYTES / 4;
        assert!(streams(&buf[a..a + n]));
        assert!(!streams(&buf[a..a + n - 1]));
        assert!(!streams(&buf[a + 1..a + 1 + n]));
        assert!(streams(&buf[a + 4..a + 4 + n]));
    }

    /// Both byte orderings of the AVX-512 int8 kernel — packs and a byte shuffle, or packs and
    /// one VBMI byte permute — write the scalar reference's bytes (16 symbols per step and a
    /// ragged tail, every QAM it takes, an erasure inside a step): the first wherever the CPU
    /// has AVX-512 F and BW, the second where it also has VBMI.
    #[test]
    fn the_avx512_int8_byte_orders_equal_the_reference() {
        use crate::C32;
        if !(std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512dq"))
        {
            eprintln!("skipped: no AVX-512 F, BW and DQ on this CPU");
            return;
        }
        let orders: &[bool] = if std::arch::is_x86_feature_detected!("avx512vbmi") {
            &[false, true]
        } else {
            eprintln!("the VBMI order skipped: no AVX-512 VBMI on this CPU");
            &[false]
        };
        let n = 16 * 5 + 7;
        // A fixed LCG over the constellation's square plus noise.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
            (x >> 40) as f32 / (1u64 << 24) as f32 * 2.6 - 1.3
        };
        let mut y: Vec<C32> = (0..n).map(|_| C32::new(next(), next())).collect();
        y[21] = C32::new(f32::NAN, 0.0);
        let nv: Vec<f32> = (0..n).map(|i| 0.01 + 0.003 * i as f32).collect();
        for m in 1..=5usize {
            let unit = (1.0 / (2.0 * ((1u64 << (2 * m)) - 1) as f64 / 3.0).sqrt()) as f32;
            let ax = Axis::new(m, unit, 4.0);
            let mut want = vec![0i8; 2 * m * n];
            super::scalar_range(&ax, &y, &nv, &mut want, 0..n);
            // 1024QAM: the VBMI order only (without VBMI the reference itself).
            for &vbmi in orders.iter().filter(|&&v| m < 5 || v) {
                let mut got = vec![99i8; 2 * m * n];
                // SAFETY: the CPU has AVX-512 F and BW, and VBMI where `vbmi` (checked above).
                unsafe { x86_512::llr_i8_stores(&ax, &y, &nv, &mut got, vbmi) };
                assert_eq!(got, want, "m = {m}, vbmi = {vbmi}");
            }
        }
    }

    /// The AVX-512 int8 kernel takes 1 to 4 bits per axis at a finite largest weight, on a CPU
    /// with AVX-512 F and BW, and 1024QAM where the CPU has VBMI too; weights above 2¹⁰⁰ keep
    /// the AVX2 kernel.
    #[test]
    fn the_avx512_int8_kernel_runs_where_it_equals_the_reference() {
        let cpu = std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512dq");
        for m in 1..=4 {
            assert_eq!(x86_512::usable(&Axis::new(m, 0.1, 64.0)), cpu, "m = {m}");
        }
        let vbmi = std::arch::is_x86_feature_detected!("avx512vbmi");
        assert_eq!(x86_512::usable(&Axis::new(5, 0.1, 1.0)), cpu && vbmi);
        assert!(!x86_512::usable(&Axis::new(6, 0.1, 1.0)));
        // gain = 4·a²·scale: the largest weight 4e18 / 1e-12 is above 2¹⁰⁰ ≈ 1.27e30 (and
        // 4e28 / 1e-12 overflows f32), 4e17 / 1e-12 is not.
        assert!(!x86_512::usable(&Axis::new(4, 1.0, 1e28)));
        assert!(!x86_512::usable(&Axis::new(4, 1.0, 1e18)));
        assert_eq!(x86_512::usable(&Axis::new(4, 1.0, 1e17)), cpu);
    }
}
