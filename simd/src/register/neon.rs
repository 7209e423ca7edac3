//! [`SimdF32`] for the AArch64 Advanced SIMD register `float32x4_t`.

use core::arch::aarch64::*;

use super::SimdF32;

/// Sign pattern (−, +, −, +) for the even-subtract / odd-add complex form.
const SIGN_EVEN_NEG: [f32; 4] = [-1.0, 1.0, -1.0, 1.0];
/// Sign pattern (+, −, +, −) for the even-add / odd-subtract complex form.
const SIGN_ODD_NEG: [f32; 4] = [1.0, -1.0, 1.0, -1.0];

// SAFETY: every method wraps NEON intrinsics; NEON is mandatory on AArch64 and the callers run
// inside `#[target_feature(enable = "neon")]` functions.
unsafe impl SimdF32 for float32x4_t {
    const LANES: usize = 4;
    #[inline(always)]
    unsafe fn splat(x: f32) -> Self {
        // SAFETY: NEON.
        unsafe { vdupq_n_f32(x) }
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        // SAFETY: caller guarantees 4 readable f32 at p.
        unsafe { vld1q_f32(p) }
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        // SAFETY: caller guarantees 4 writable f32 at p.
        unsafe { vst1q_f32(p, self) }
    }
    #[inline(always)]
    unsafe fn add(self, o: Self) -> Self {
        // SAFETY: NEON.
        unsafe { vaddq_f32(self, o) }
    }
    #[inline(always)]
    unsafe fn sub(self, o: Self) -> Self {
        // SAFETY: NEON.
        unsafe { vsubq_f32(self, o) }
    }
    #[inline(always)]
    unsafe fn mul(self, o: Self) -> Self {
        // SAFETY: NEON.
        unsafe { vmulq_f32(self, o) }
    }
    #[inline(always)]
    unsafe fn div(self, o: Self) -> Self {
        // SAFETY: NEON.
        unsafe { vdivq_f32(self, o) }
    }
    #[inline(always)]
    unsafe fn load_i16(p: *const i16) -> Self {
        // SAFETY: NEON; the caller guarantees 4 readable int16 at p.
        unsafe { vcvtq_f32_s32(vmovl_s16(vld1_s16(p))) }
    }
    #[inline(always)]
    unsafe fn store_i16_round(self, p: *mut i16) {
        // SAFETY: NEON; the caller guarantees 4 writable int16 at p. vcvtnq rounds half to
        // even, vqmovn saturates.
        unsafe { vst1_s16(p, vqmovn_s32(vcvtnq_s32_f32(self))) }
    }
    #[inline(always)]
    unsafe fn sqrt(self) -> Self {
        // SAFETY: NEON.
        unsafe { vsqrtq_f32(self) }
    }
    #[inline(always)]
    unsafe fn mul_add(self, b: Self, c: Self) -> Self {
        // SAFETY: NEON (vfmaq computes c + self·b).
        unsafe { vfmaq_f32(c, self, b) }
    }
    #[inline(always)]
    unsafe fn neg_mul_add(self, b: Self, c: Self) -> Self {
        // SAFETY: NEON (vfmsq computes c − self·b).
        unsafe { vfmsq_f32(c, self, b) }
    }
    #[inline(always)]
    unsafe fn dup_re(self) -> Self {
        // SAFETY: NEON.
        unsafe { vtrn1q_f32(self, self) }
    }
    #[inline(always)]
    unsafe fn dup_im(self) -> Self {
        // SAFETY: NEON.
        unsafe { vtrn2q_f32(self, self) }
    }
    #[inline(always)]
    unsafe fn swap_re_im(self) -> Self {
        // SAFETY: NEON.
        unsafe { vrev64q_f32(self) }
    }
    #[inline(always)]
    unsafe fn mul_addsub(self, b: Self, c: Self) -> Self {
        // SAFETY: NEON; SIGN_EVEN_NEG has 4 readable f32.
        unsafe { vfmaq_f32(vmulq_f32(c, vld1q_f32(SIGN_EVEN_NEG.as_ptr())), self, b) }
    }
    #[inline(always)]
    unsafe fn mul_subadd(self, b: Self, c: Self) -> Self {
        // SAFETY: NEON; SIGN_ODD_NEG has 4 readable f32.
        unsafe { vfmaq_f32(vmulq_f32(c, vld1q_f32(SIGN_ODD_NEG.as_ptr())), self, b) }
    }
    #[inline(always)]
    unsafe fn all_between_lo_inf(self, lo: Self) -> bool {
        // SAFETY: NEON.
        unsafe {
            let ok = vandq_u32(
                vcgtq_f32(self, lo),
                vcltq_f32(self, vdupq_n_f32(f32::INFINITY)),
            );
            vminvq_u32(ok) == u32::MAX
        }
    }
    #[inline(always)]
    unsafe fn min(self, o: Self) -> Self {
        // SAFETY: NEON.
        unsafe { vminq_f32(self, o) }
    }
    #[inline(always)]
    unsafe fn max(self, o: Self) -> Self {
        // SAFETY: NEON.
        unsafe { vmaxq_f32(self, o) }
    }
    #[inline(always)]
    unsafe fn exp2_int(self) -> Self {
        // SAFETY: NEON; the caller keeps n in [−126, 127].
        unsafe {
            let n = vcvtnq_s32_f32(self);
            vreinterpretq_f32_s32(vshlq_n_s32::<23>(vaddq_s32(n, vdupq_n_s32(127))))
        }
    }
    #[inline(always)]
    unsafe fn exponent_mantissa(self) -> (Self, Self) {
        // SAFETY: NEON; pure bit manipulation of the lanes.
        unsafe {
            let bits = vreinterpretq_u32_f32(self);
            let e = vsubq_s32(
                vreinterpretq_s32_u32(vshrq_n_u32::<23>(bits)),
                vdupq_n_s32(127),
            );
            let f = vorrq_u32(
                vandq_u32(bits, vdupq_n_u32(0x007F_FFFF)),
                vdupq_n_u32(0x3F80_0000),
            );
            (vcvtq_f32_s32(e), vreinterpretq_f32_u32(f))
        }
    }
    #[inline(always)]
    unsafe fn transpose(rows: &mut [Self; 16]) {
        // SAFETY: NEON.
        unsafe {
            let r = rows;
            let t0 = vreinterpretq_f64_f32(vzip1q_f32(r[0], r[1]));
            let t1 = vreinterpretq_f64_f32(vzip2q_f32(r[0], r[1]));
            let t2 = vreinterpretq_f64_f32(vzip1q_f32(r[2], r[3]));
            let t3 = vreinterpretq_f64_f32(vzip2q_f32(r[2], r[3]));
            r[0] = vreinterpretq_f32_f64(vzip1q_f64(t0, t2));
            r[1] = vreinterpretq_f32_f64(vzip2q_f64(t0, t2));
            r[2] = vreinterpretq_f32_f64(vzip1q_f64(t1, t3));
            r[3] = vreinterpretq_f32_f64(vzip2q_f64(t1, t3));
        }
    }
    #[inline(always)]
    unsafe fn deinterleave(v0: Self, v1: Self) -> (Self, Self) {
        // SAFETY: NEON.
        unsafe { (vuzp1q_f32(v0, v1), vuzp2q_f32(v0, v1)) }
    }
    #[inline(always)]
    unsafe fn interleave(re: Self, im: Self) -> (Self, Self) {
        // SAFETY: NEON.
        unsafe { (vzip1q_f32(re, im), vzip2q_f32(re, im)) }
    }
    #[inline(always)]
    unsafe fn zip(re: Self, im: Self) -> (Self, Self) {
        // SAFETY: NEON.
        unsafe { (vzip1q_f32(re, im), vzip2q_f32(re, im)) }
    }
}
