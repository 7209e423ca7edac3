//! Bit-pattern screening of complex samples (a received antenna's grid before estimation):
//! the largest magnitude bit pattern `max(bits(x) & 0x7FFF_FFFF)` over every real and
//! imaginary part, and the OR of every part's bits XOR the reference sample's. Positive f32
//! bit patterns order like the magnitudes, and NaN patterns lie above +∞'s (`0x7F80_0000`), so
//! the maximum answers at once "any non-finite part" (≥ 0x7F80_0000), "any part at or beyond a
//! full scale fs" (≥ bits(fs)) and "any non-zero part" (> 0); the OR is zero exactly when every
//! sample equals the reference bit for bit. One streaming pass of integer AND / MAX / XOR / OR
//! per register: memory-bound on AVX2 and AVX-512, where the runtime crate's baseline (SSE2:
//! no unsigned 32-bit maximum) ran at ≈ 5 bytes a cycle.

use crate::C32;
use crate::register::SimdF32;

/// What [`crate::Kernels::screen_bits`] found in a run of samples.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScreenBits {
    /// The largest `bits(part) & 0x7FFF_FFFF` of every real and imaginary part (0 for no
    /// samples): ≥ `0x7F80_0000` when some part is ±∞ or NaN.
    pub max_abs_bits: u32,
    /// The OR of `bits(part) ^ bits(reference part)` over every sample (0: all equal the
    /// reference bit for bit).
    pub differ_bits: u32,
}

impl ScreenBits {
    /// The screening of two runs together, relative to `reference`: `self` screened against
    /// `reference`, `other` against `other_reference` — a sample of the other run (its first,
    /// as [`crate::Kernels::mul_stream_screen`] takes it). The largest magnitude is exact;
    /// `differ_bits` is zero exactly when every sample of both runs equals `reference` bit for
    /// bit (its other bits are those of an upper bound of the OR, not the OR itself).
    pub fn merge(self, other: ScreenBits, reference: C32, other_reference: C32) -> ScreenBits {
        let shift = (reference.re.to_bits() ^ other_reference.re.to_bits())
            | (reference.im.to_bits() ^ other_reference.im.to_bits());
        ScreenBits {
            max_abs_bits: self.max_abs_bits.max(other.max_abs_bits),
            differ_bits: self.differ_bits | other.differ_bits | shift,
        }
    }

    /// The screening with one more sample `v`, against the same `reference` (the definition
    /// per sample: the scalar reference folds a run with it, and so can a caller walking a
    /// strided row).
    pub fn with(self, v: C32, reference: C32) -> ScreenBits {
        let (re, im) = (v.re.to_bits(), v.im.to_bits());
        ScreenBits {
            max_abs_bits: self
                .max_abs_bits
                .max(re & 0x7FFF_FFFF)
                .max(im & 0x7FFF_FFFF),
            differ_bits: self.differ_bits
                | (re ^ reference.re.to_bits())
                | (im ^ reference.im.to_bits()),
        }
    }
}

/// `bits` merged with the lanes of a register fold ([`SimdF32::screen_fold`]'s `max` and
/// `differ`, u32 patterns held in f32 lanes) against the same `reference`.
#[inline(always)]
pub(crate) unsafe fn merge_lanes<V: SimdF32>(
    mut bits: ScreenBits,
    max: V,
    differ: V,
    reference: C32,
) -> ScreenBits {
    let (mut m, mut d) = ([0.0f32; 16], [0.0f32; 16]);
    // SAFETY: each array holds 16 ≥ LANES f32; the ISA is the caller's.
    unsafe {
        max.store(m.as_mut_ptr());
        differ.store(d.as_mut_ptr());
    }
    for (mx, df) in m.iter().zip(&d).take(V::LANES) {
        let lane = ScreenBits {
            max_abs_bits: mx.to_bits(),
            differ_bits: df.to_bits(),
        };
        bits = bits.merge(lane, reference, reference);
    }
    bits
}

/// The scalar reference.
pub(crate) fn screen_scalar(x: &[C32], reference: C32) -> ScreenBits {
    x.iter()
        .fold(ScreenBits::default(), |s, &v| s.with(v, reference))
}

#[cfg(target_arch = "x86_64")]
pub(crate) mod x86 {
    use super::{ScreenBits, screen_scalar};
    use crate::C32;
    use core::arch::x86_64::*;

    /// AVX2: 4 samples per register, two registers per step, the last `n mod 8` samples by the
    /// scalar reference.
    ///
    /// # Safety
    /// AVX2 enabled on this CPU.
    #[target_feature(enable = "avx2")]
    pub(crate) unsafe fn screen_avx2(x: &[C32], reference: C32) -> ScreenBits {
        let n = x.len();
        let p = x.as_ptr().cast::<f32>();
        let (r_re, r_im) = (reference.re.to_bits() as i32, reference.im.to_bits() as i32);
        let rf = _mm256_setr_epi32(r_re, r_im, r_re, r_im, r_re, r_im, r_re, r_im);
        let abs = _mm256_set1_epi32(0x7FFF_FFFF);
        let (mut m0, mut m1, mut d0, mut d1) = (
            _mm256_setzero_si256(),
            _mm256_setzero_si256(),
            _mm256_setzero_si256(),
            _mm256_setzero_si256(),
        );
        let mut s = 0;
        while s + 8 <= n {
            // SAFETY: samples s..s+8 exist (16 f32 from p + 2s); unaligned loads.
            let (v0, v1) = unsafe {
                (
                    _mm256_loadu_si256(p.add(2 * s).cast()),
                    _mm256_loadu_si256(p.add(2 * s + 8).cast()),
                )
            };
            m0 = _mm256_max_epu32(m0, _mm256_and_si256(v0, abs));
            m1 = _mm256_max_epu32(m1, _mm256_and_si256(v1, abs));
            d0 = _mm256_or_si256(d0, _mm256_xor_si256(v0, rf));
            d1 = _mm256_or_si256(d1, _mm256_xor_si256(v1, rf));
            s += 8;
        }
        let (mut mx, mut df) = ([0u32; 8], [0u32; 8]);
        // SAFETY: 8 u32 each, unaligned stores.
        unsafe {
            _mm256_storeu_si256(mx.as_mut_ptr().cast(), _mm256_max_epu32(m0, m1));
            _mm256_storeu_si256(df.as_mut_ptr().cast(), _mm256_or_si256(d0, d1));
        }
        let tail = screen_scalar(&x[s..], reference);
        ScreenBits {
            max_abs_bits: mx.iter().fold(tail.max_abs_bits, |a, &b| a.max(b)),
            differ_bits: df.iter().fold(tail.differ_bits, |a, &b| a | b),
        }
    }

    /// AVX-512: 8 samples per register, two registers per step, the last `n mod 16` samples by
    /// the scalar reference.
    ///
    /// # Safety
    /// AVX-512 F enabled on this CPU.
    #[target_feature(enable = "avx512f")]
    pub(crate) unsafe fn screen_avx512(x: &[C32], reference: C32) -> ScreenBits {
        let n = x.len();
        let p = x.as_ptr().cast::<f32>();
        let (r_re, r_im) = (reference.re.to_bits() as i32, reference.im.to_bits() as i32);
        let rf = _mm512_setr_epi32(
            r_re, r_im, r_re, r_im, r_re, r_im, r_re, r_im, r_re, r_im, r_re, r_im, r_re, r_im,
            r_re, r_im,
        );
        let abs = _mm512_set1_epi32(0x7FFF_FFFF);
        let (mut m0, mut m1, mut d0, mut d1) = (
            _mm512_setzero_si512(),
            _mm512_setzero_si512(),
            _mm512_setzero_si512(),
            _mm512_setzero_si512(),
        );
        let mut s = 0;
        while s + 16 <= n {
            // SAFETY: samples s..s+16 exist (32 f32 from p + 2s); unaligned loads.
            let (v0, v1) = unsafe {
                (
                    _mm512_loadu_si512(p.add(2 * s).cast()),
                    _mm512_loadu_si512(p.add(2 * s + 16).cast()),
                )
            };
            m0 = _mm512_max_epu32(m0, _mm512_and_si512(v0, abs));
            m1 = _mm512_max_epu32(m1, _mm512_and_si512(v1, abs));
            d0 = _mm512_or_si512(d0, _mm512_xor_si512(v0, rf));
            d1 = _mm512_or_si512(d1, _mm512_xor_si512(v1, rf));
            s += 16;
        }
        let tail = screen_scalar(&x[s..], reference);
        ScreenBits {
            max_abs_bits: tail
                .max_abs_bits
                .max(_mm512_reduce_max_epu32(_mm512_max_epu32(m0, m1))),
            differ_bits: tail.differ_bits | _mm512_reduce_or_epi32(_mm512_or_si512(d0, d1)) as u32,
        }
    }
}
