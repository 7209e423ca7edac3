//! [`SimdF32`] for the x86-64 registers: SSE (`__m128`, used only for tails inside AVX2 code),
//! AVX (`__m256`) and AVX-512 (`__m512`).

use core::arch::x86_64::*;

use super::SimdF32;

// SAFETY: every method is a thin wrapper over one intrinsic of SSE3/AVX/FMA; the trait's
// contract makes callers enable AVX2 + FMA (a superset) before calling.
unsafe impl SimdF32 for __m128 {
    const LANES: usize = 4;
    #[inline(always)]
    unsafe fn splat(x: f32) -> Self {
        // SAFETY: SSE, baseline on x86-64.
        unsafe { _mm_set1_ps(x) }
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        // SAFETY: caller guarantees 4 readable f32 at p.
        unsafe { _mm_loadu_ps(p) }
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        // SAFETY: caller guarantees 4 writable f32 at p.
        unsafe { _mm_storeu_ps(p, self) }
    }
    #[inline(always)]
    unsafe fn add(self, o: Self) -> Self {
        // SAFETY: SSE.
        unsafe { _mm_add_ps(self, o) }
    }
    #[inline(always)]
    unsafe fn sub(self, o: Self) -> Self {
        // SAFETY: SSE.
        unsafe { _mm_sub_ps(self, o) }
    }
    #[inline(always)]
    unsafe fn mul(self, o: Self) -> Self {
        // SAFETY: SSE.
        unsafe { _mm_mul_ps(self, o) }
    }
    #[inline(always)]
    unsafe fn div(self, o: Self) -> Self {
        // SAFETY: SSE.
        unsafe { _mm_div_ps(self, o) }
    }
    #[inline(always)]
    unsafe fn sqrt(self) -> Self {
        // SAFETY: SSE.
        unsafe { _mm_sqrt_ps(self) }
    }
    #[inline(always)]
    unsafe fn mul_add(self, b: Self, c: Self) -> Self {
        // SAFETY: FMA enabled by the caller.
        unsafe { _mm_fmadd_ps(self, b, c) }
    }
    #[inline(always)]
    unsafe fn neg_mul_add(self, b: Self, c: Self) -> Self {
        // SAFETY: FMA enabled by the caller.
        unsafe { _mm_fnmadd_ps(self, b, c) }
    }
    #[inline(always)]
    unsafe fn dup_re(self) -> Self {
        // SAFETY: SSE3, implied by AVX2.
        unsafe { _mm_moveldup_ps(self) }
    }
    #[inline(always)]
    unsafe fn dup_im(self) -> Self {
        // SAFETY: SSE3, implied by AVX2.
        unsafe { _mm_movehdup_ps(self) }
    }
    #[inline(always)]
    unsafe fn swap_re_im(self) -> Self {
        // SAFETY: AVX enabled by the caller.
        unsafe { _mm_permute_ps::<0xB1>(self) }
    }
    #[inline(always)]
    unsafe fn mul_addsub(self, b: Self, c: Self) -> Self {
        // SAFETY: FMA enabled by the caller.
        unsafe { _mm_fmaddsub_ps(self, b, c) }
    }
    #[inline(always)]
    unsafe fn mul_subadd(self, b: Self, c: Self) -> Self {
        // SAFETY: FMA enabled by the caller.
        unsafe { _mm_fmsubadd_ps(self, b, c) }
    }
    #[inline(always)]
    unsafe fn all_between_lo_inf(self, lo: Self) -> bool {
        // SAFETY: SSE / AVX compares, enabled by the caller.
        unsafe {
            let ok = _mm_and_ps(
                _mm_cmp_ps::<_CMP_GT_OQ>(self, lo),
                _mm_cmp_ps::<_CMP_LT_OQ>(self, _mm_set1_ps(f32::INFINITY)),
            );
            _mm_movemask_ps(ok) == 0xF
        }
    }
    #[inline(always)]
    unsafe fn min(self, o: Self) -> Self {
        // SAFETY: SSE2 / SSE4.1 (implied by AVX2).
        unsafe { _mm_min_ps(self, o) }
    }
    #[inline(always)]
    unsafe fn max(self, o: Self) -> Self {
        // SAFETY: SSE2 / SSE4.1 (implied by AVX2).
        unsafe { _mm_max_ps(self, o) }
    }
    #[inline(always)]
    unsafe fn exp2_int(self) -> Self {
        // SAFETY: SSE2 / SSE4.1 (implied by AVX2); the caller keeps n in [−126, 127] so the exponent field is valid.
        unsafe {
            let n = _mm_cvtps_epi32(self);
            _mm_castsi128_ps(_mm_slli_epi32::<23>(_mm_add_epi32(n, _mm_set1_epi32(127))))
        }
    }
    #[inline(always)]
    unsafe fn exponent_mantissa(self) -> (Self, Self) {
        // SAFETY: SSE2 / SSE4.1 (implied by AVX2); pure bit manipulation of the lanes.
        unsafe {
            let bits = _mm_castps_si128(self);
            let e = _mm_sub_epi32(_mm_srli_epi32::<23>(bits), _mm_set1_epi32(127));
            let f = _mm_or_si128(
                _mm_and_si128(bits, _mm_set1_epi32(0x007F_FFFF)),
                _mm_set1_epi32(0x3F80_0000),
            );
            (_mm_cvtepi32_ps(e), _mm_castsi128_ps(f))
        }
    }
    #[inline(always)]
    unsafe fn transpose(rows: &mut [Self; 16]) {
        // SAFETY: SSE / SSE2, baseline on x86-64.
        unsafe {
            let r = rows;
            let t0 = _mm_unpacklo_ps(r[0], r[1]);
            let t1 = _mm_unpackhi_ps(r[0], r[1]);
            let t2 = _mm_unpacklo_ps(r[2], r[3]);
            let t3 = _mm_unpackhi_ps(r[2], r[3]);
            r[0] = _mm_movelh_ps(t0, t2);
            r[1] = _mm_movehl_ps(t2, t0);
            r[2] = _mm_movelh_ps(t1, t3);
            r[3] = _mm_movehl_ps(t3, t1);
        }
    }
    #[inline(always)]
    unsafe fn deinterleave(v0: Self, v1: Self) -> (Self, Self) {
        // SAFETY: the register's ISA is enabled by the caller.
        unsafe {
            (
                _mm_shuffle_ps::<0x88>(v0, v1),
                _mm_shuffle_ps::<0xDD>(v0, v1),
            )
        }
    }
    #[inline(always)]
    unsafe fn interleave(re: Self, im: Self) -> (Self, Self) {
        // SAFETY: the register's ISA is enabled by the caller.
        unsafe { (_mm_unpacklo_ps(re, im), _mm_unpackhi_ps(re, im)) }
    }
    #[inline(always)]
    unsafe fn zip(re: Self, im: Self) -> (Self, Self) {
        // SAFETY: the register's ISA is enabled by the caller.
        unsafe { (_mm_unpacklo_ps(re, im), _mm_unpackhi_ps(re, im)) }
    }
    #[inline(always)]
    unsafe fn prefetch(p: *const f32) {
        // SAFETY: SSE; a prefetch is only a hint and never faults.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(p as *const i8) }
    }
    #[inline(always)]
    unsafe fn prefetch_l2(p: *const f32) {
        // SAFETY: SSE; a prefetch is only a hint and never faults.
        unsafe { _mm_prefetch::<_MM_HINT_T1>(p as *const i8) }
    }
    #[inline(always)]
    unsafe fn store_stream(self, p: *mut f32) {
        // SAFETY: the caller guarantees 4 writable f32 at p, aligned to 16 bytes.
        unsafe { _mm_stream_ps(p, self) }
    }
    #[inline(always)]
    unsafe fn stream_fence() {
        // SAFETY: SSE, baseline on x86-64.
        unsafe { _mm_sfence() }
    }
}

// SAFETY: every method wraps one AVX/FMA intrinsic; callers enable AVX2 + FMA.
unsafe impl SimdF32 for __m256 {
    const LANES: usize = 8;
    #[inline(always)]
    unsafe fn splat(x: f32) -> Self {
        // SAFETY: AVX enabled by the caller.
        unsafe { _mm256_set1_ps(x) }
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        // SAFETY: caller guarantees 8 readable f32 at p.
        unsafe { _mm256_loadu_ps(p) }
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        // SAFETY: caller guarantees 8 writable f32 at p.
        unsafe { _mm256_storeu_ps(p, self) }
    }
    #[inline(always)]
    unsafe fn add(self, o: Self) -> Self {
        // SAFETY: AVX.
        unsafe { _mm256_add_ps(self, o) }
    }
    #[inline(always)]
    unsafe fn sub(self, o: Self) -> Self {
        // SAFETY: AVX.
        unsafe { _mm256_sub_ps(self, o) }
    }
    #[inline(always)]
    unsafe fn mul(self, o: Self) -> Self {
        // SAFETY: AVX.
        unsafe { _mm256_mul_ps(self, o) }
    }
    #[inline(always)]
    unsafe fn div(self, o: Self) -> Self {
        // SAFETY: AVX.
        unsafe { _mm256_div_ps(self, o) }
    }
    #[inline(always)]
    unsafe fn sqrt(self) -> Self {
        // SAFETY: AVX.
        unsafe { _mm256_sqrt_ps(self) }
    }
    #[inline(always)]
    unsafe fn mul_add(self, b: Self, c: Self) -> Self {
        // SAFETY: FMA.
        unsafe { _mm256_fmadd_ps(self, b, c) }
    }
    #[inline(always)]
    unsafe fn neg_mul_add(self, b: Self, c: Self) -> Self {
        // SAFETY: FMA.
        unsafe { _mm256_fnmadd_ps(self, b, c) }
    }
    #[inline(always)]
    unsafe fn dup_re(self) -> Self {
        // SAFETY: AVX.
        unsafe { _mm256_moveldup_ps(self) }
    }
    #[inline(always)]
    unsafe fn dup_im(self) -> Self {
        // SAFETY: AVX.
        unsafe { _mm256_movehdup_ps(self) }
    }
    #[inline(always)]
    unsafe fn swap_re_im(self) -> Self {
        // SAFETY: AVX.
        unsafe { _mm256_permute_ps::<0xB1>(self) }
    }
    #[inline(always)]
    unsafe fn mul_addsub(self, b: Self, c: Self) -> Self {
        // SAFETY: FMA.
        unsafe { _mm256_fmaddsub_ps(self, b, c) }
    }
    #[inline(always)]
    unsafe fn mul_subadd(self, b: Self, c: Self) -> Self {
        // SAFETY: FMA.
        unsafe { _mm256_fmsubadd_ps(self, b, c) }
    }
    #[inline(always)]
    unsafe fn all_between_lo_inf(self, lo: Self) -> bool {
        // SAFETY: AVX.
        unsafe {
            let ok = _mm256_and_ps(
                _mm256_cmp_ps::<_CMP_GT_OQ>(self, lo),
                _mm256_cmp_ps::<_CMP_LT_OQ>(self, _mm256_set1_ps(f32::INFINITY)),
            );
            _mm256_movemask_ps(ok) == 0xFF
        }
    }
    #[inline(always)]
    unsafe fn min(self, o: Self) -> Self {
        // SAFETY: AVX2.
        unsafe { _mm256_min_ps(self, o) }
    }
    #[inline(always)]
    unsafe fn max(self, o: Self) -> Self {
        // SAFETY: AVX2.
        unsafe { _mm256_max_ps(self, o) }
    }
    #[inline(always)]
    unsafe fn exp2_int(self) -> Self {
        // SAFETY: AVX2; the caller keeps n in [−126, 127] so the exponent field is valid.
        unsafe {
            let n = _mm256_cvtps_epi32(self);
            _mm256_castsi256_ps(_mm256_slli_epi32::<23>(_mm256_add_epi32(
                n,
                _mm256_set1_epi32(127),
            )))
        }
    }
    #[inline(always)]
    unsafe fn exponent_mantissa(self) -> (Self, Self) {
        // SAFETY: AVX2; pure bit manipulation of the lanes.
        unsafe {
            let bits = _mm256_castps_si256(self);
            let e = _mm256_sub_epi32(_mm256_srli_epi32::<23>(bits), _mm256_set1_epi32(127));
            let f = _mm256_or_si256(
                _mm256_and_si256(bits, _mm256_set1_epi32(0x007F_FFFF)),
                _mm256_set1_epi32(0x3F80_0000),
            );
            (_mm256_cvtepi32_ps(e), _mm256_castsi256_ps(f))
        }
    }
    #[inline(always)]
    unsafe fn transpose(rows: &mut [Self; 16]) {
        // SAFETY: AVX enabled by the caller.
        unsafe {
            let r = rows;
            // 4 × 4 transposes inside each 128-bit half (u[4j + s] half q = column 4q + s of
            // rows 4j..4j+3), then the halves exchanged.
            let mut u = [_mm256_setzero_ps(); 8];
            for j in 0..2 {
                let t0 = _mm256_unpacklo_ps(r[4 * j], r[4 * j + 1]);
                let t1 = _mm256_unpackhi_ps(r[4 * j], r[4 * j + 1]);
                let t2 = _mm256_unpacklo_ps(r[4 * j + 2], r[4 * j + 3]);
                let t3 = _mm256_unpackhi_ps(r[4 * j + 2], r[4 * j + 3]);
                u[4 * j] = _mm256_shuffle_ps::<0x44>(t0, t2);
                u[4 * j + 1] = _mm256_shuffle_ps::<0xEE>(t0, t2);
                u[4 * j + 2] = _mm256_shuffle_ps::<0x44>(t1, t3);
                u[4 * j + 3] = _mm256_shuffle_ps::<0xEE>(t1, t3);
            }
            for s in 0..4 {
                r[s] = _mm256_permute2f128_ps::<0x20>(u[s], u[4 + s]);
                r[4 + s] = _mm256_permute2f128_ps::<0x31>(u[s], u[4 + s]);
            }
        }
    }
    #[inline(always)]
    unsafe fn deinterleave(v0: Self, v1: Self) -> (Self, Self) {
        // SAFETY: the register's ISA is enabled by the caller.
        unsafe {
            (
                _mm256_shuffle_ps::<0x88>(v0, v1),
                _mm256_shuffle_ps::<0xDD>(v0, v1),
            )
        }
    }
    #[inline(always)]
    unsafe fn interleave(re: Self, im: Self) -> (Self, Self) {
        // SAFETY: the register's ISA is enabled by the caller.
        unsafe { (_mm256_unpacklo_ps(re, im), _mm256_unpackhi_ps(re, im)) }
    }
    #[inline(always)]
    unsafe fn zip(re: Self, im: Self) -> (Self, Self) {
        // SAFETY: the register's ISA is enabled by the caller. unpack works per 128-bit
        // lane: lo = values 0 1 | 4 5, hi = 2 3 | 6 7; the permutes put the halves in order.
        unsafe {
            let (lo, hi) = (_mm256_unpacklo_ps(re, im), _mm256_unpackhi_ps(re, im));
            (
                _mm256_permute2f128_ps::<0x20>(lo, hi),
                _mm256_permute2f128_ps::<0x31>(lo, hi),
            )
        }
    }
    #[inline(always)]
    unsafe fn gather_split(p: *const f32, stride: usize) -> (Self, Self) {
        // SAFETY: AVX2 enabled by the caller, who makes p[j·stride], p[j·stride + 1] readable
        // for j < 8. Each 64-bit gather element is one whole complex value (byte offset
        // 4·j·stride); per 128-bit lane the shuffles take re0 re1 re4 re5 | re2 re3 re6 re7
        // (im likewise), and the 64-bit permute puts the pairs in order.
        unsafe {
            let s = stride as i64;
            let idx = _mm256_setr_epi64x(0, s, 2 * s, 3 * s);
            let g0 = _mm256_castpd_ps(_mm256_i64gather_pd::<4>(p as *const f64, idx));
            let g1 = _mm256_castpd_ps(_mm256_i64gather_pd::<4>(
                p.add(4 * stride) as *const f64,
                idx,
            ));
            let re = _mm256_shuffle_ps::<0b10_00_10_00>(g0, g1);
            let im = _mm256_shuffle_ps::<0b11_01_11_01>(g0, g1);
            let order = |v: __m256| {
                _mm256_castpd_ps(_mm256_permute4x64_pd::<0b11_01_10_00>(_mm256_castps_pd(v)))
            };
            (order(re), order(im))
        }
    }
    #[inline(always)]
    unsafe fn prefetch(p: *const f32) {
        // SAFETY: SSE; a prefetch is only a hint and never faults.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(p as *const i8) }
    }
    #[inline(always)]
    unsafe fn prefetch_l2(p: *const f32) {
        // SAFETY: SSE; a prefetch is only a hint and never faults.
        unsafe { _mm_prefetch::<_MM_HINT_T1>(p as *const i8) }
    }
    #[inline(always)]
    unsafe fn store_stream(self, p: *mut f32) {
        // SAFETY: the caller guarantees 8 writable f32 at p, aligned to 32 bytes.
        unsafe { _mm256_stream_ps(p, self) }
    }
    #[inline(always)]
    unsafe fn load_i16(p: *const i16) -> Self {
        // SAFETY: AVX2 enabled by the caller; 8 readable int16 (16 bytes) at p, unaligned.
        unsafe { _mm256_cvtepi32_ps(_mm256_cvtepi16_epi32(_mm_loadu_si128(p.cast()))) }
    }
    #[inline(always)]
    unsafe fn store_i16_round(self, p: *mut i16) {
        // SAFETY: AVX2 enabled by the caller; 8 writable int16 (16 bytes) at p, unaligned.
        // cvtps2dq rounds half to even (the default MXCSR mode); packssdw saturates.
        unsafe {
            let i = _mm256_cvtps_epi32(self);
            let lo = _mm256_castsi256_si128(i);
            let hi = _mm256_extracti128_si256::<1>(i);
            _mm_storeu_si128(p.cast(), _mm_packs_epi32(lo, hi));
        }
    }
    #[inline(always)]
    unsafe fn stream_fence() {
        // SAFETY: SSE, baseline on x86-64.
        unsafe { _mm_sfence() }
    }
    #[inline(always)]
    unsafe fn screen_fold(self, reference: Self, max: &mut Self, differ: &mut Self) {
        // SAFETY: AVX2 enabled by the caller (unsigned 32-bit maximum, integer AND/XOR/OR).
        unsafe {
            let x = _mm256_castps_si256(self);
            let a = _mm256_and_si256(x, _mm256_set1_epi32(0x7FFF_FFFF));
            let m = _mm256_max_epu32(_mm256_castps_si256(*max), a);
            let d = _mm256_xor_si256(x, _mm256_castps_si256(reference));
            *max = _mm256_castsi256_ps(m);
            *differ = _mm256_castsi256_ps(_mm256_or_si256(_mm256_castps_si256(*differ), d));
        }
    }
}

// SAFETY: every method wraps one AVX-512F intrinsic; callers enable AVX-512F.
unsafe impl SimdF32 for __m512 {
    const LANES: usize = 16;
    #[inline(always)]
    unsafe fn splat(x: f32) -> Self {
        // SAFETY: AVX-512F enabled by the caller.
        unsafe { _mm512_set1_ps(x) }
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        // SAFETY: caller guarantees 16 readable f32 at p.
        unsafe { _mm512_loadu_ps(p) }
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        // SAFETY: caller guarantees 16 writable f32 at p.
        unsafe { _mm512_storeu_ps(p, self) }
    }
    #[inline(always)]
    unsafe fn add(self, o: Self) -> Self {
        // SAFETY: AVX-512F.
        unsafe { _mm512_add_ps(self, o) }
    }
    #[inline(always)]
    unsafe fn sub(self, o: Self) -> Self {
        // SAFETY: AVX-512F.
        unsafe { _mm512_sub_ps(self, o) }
    }
    #[inline(always)]
    unsafe fn mul(self, o: Self) -> Self {
        // SAFETY: AVX-512F.
        unsafe { _mm512_mul_ps(self, o) }
    }
    #[inline(always)]
    unsafe fn div(self, o: Self) -> Self {
        // SAFETY: AVX-512F.
        unsafe { _mm512_div_ps(self, o) }
    }
    #[inline(always)]
    unsafe fn sqrt(self) -> Self {
        // SAFETY: AVX-512F.
        unsafe { _mm512_sqrt_ps(self) }
    }
    #[inline(always)]
    unsafe fn mul_add(self, b: Self, c: Self) -> Self {
        // SAFETY: AVX-512F.
        unsafe { _mm512_fmadd_ps(self, b, c) }
    }
    #[inline(always)]
    unsafe fn neg_mul_add(self, b: Self, c: Self) -> Self {
        // SAFETY: AVX-512F.
        unsafe { _mm512_fnmadd_ps(self, b, c) }
    }
    #[inline(always)]
    unsafe fn dup_re(self) -> Self {
        // SAFETY: AVX-512F.
        unsafe { _mm512_moveldup_ps(self) }
    }
    #[inline(always)]
    unsafe fn dup_im(self) -> Self {
        // SAFETY: AVX-512F.
        unsafe { _mm512_movehdup_ps(self) }
    }
    #[inline(always)]
    unsafe fn swap_re_im(self) -> Self {
        // SAFETY: AVX-512F.
        unsafe { _mm512_permute_ps::<0xB1>(self) }
    }
    #[inline(always)]
    unsafe fn mul_addsub(self, b: Self, c: Self) -> Self {
        // SAFETY: AVX-512F.
        unsafe { _mm512_fmaddsub_ps(self, b, c) }
    }
    #[inline(always)]
    unsafe fn mul_subadd(self, b: Self, c: Self) -> Self {
        // SAFETY: AVX-512F.
        unsafe { _mm512_fmsubadd_ps(self, b, c) }
    }
    #[inline(always)]
    unsafe fn all_between_lo_inf(self, lo: Self) -> bool {
        // SAFETY: AVX-512F.
        unsafe {
            let gt = _mm512_cmp_ps_mask::<_CMP_GT_OQ>(self, lo);
            let lt = _mm512_cmp_ps_mask::<_CMP_LT_OQ>(self, _mm512_set1_ps(f32::INFINITY));
            gt & lt == 0xFFFF
        }
    }
    #[inline(always)]
    unsafe fn min(self, o: Self) -> Self {
        // SAFETY: AVX-512F.
        unsafe { _mm512_min_ps(self, o) }
    }
    #[inline(always)]
    unsafe fn max(self, o: Self) -> Self {
        // SAFETY: AVX-512F.
        unsafe { _mm512_max_ps(self, o) }
    }
    #[inline(always)]
    unsafe fn exp2_int(self) -> Self {
        // SAFETY: AVX-512F; the caller keeps n in [−126, 127] so the exponent field is valid.
        unsafe {
            let n = _mm512_cvtps_epi32(self);
            _mm512_castsi512_ps(_mm512_slli_epi32::<23>(_mm512_add_epi32(
                n,
                _mm512_set1_epi32(127),
            )))
        }
    }
    #[inline(always)]
    unsafe fn exponent_mantissa(self) -> (Self, Self) {
        // SAFETY: AVX-512F; pure bit manipulation of the lanes.
        unsafe {
            let bits = _mm512_castps_si512(self);
            let e = _mm512_sub_epi32(_mm512_srli_epi32::<23>(bits), _mm512_set1_epi32(127));
            let f = _mm512_or_si512(
                _mm512_and_si512(bits, _mm512_set1_epi32(0x007F_FFFF)),
                _mm512_set1_epi32(0x3F80_0000),
            );
            (_mm512_cvtepi32_ps(e), _mm512_castsi512_ps(f))
        }
    }
    #[inline(always)]
    unsafe fn transpose(rows: &mut [Self; 16]) {
        // SAFETY: AVX-512F enabled by the caller.
        unsafe {
            let r = rows;
            // 4 × 4 transposes inside each 128-bit quarter: u[4j + s] quarter q = column 4q + s
            // of rows 4j..4j+3.
            let mut u = [_mm512_setzero_ps(); 16];
            for j in 0..4 {
                let t0 = _mm512_unpacklo_ps(r[4 * j], r[4 * j + 1]);
                let t1 = _mm512_unpackhi_ps(r[4 * j], r[4 * j + 1]);
                let t2 = _mm512_unpacklo_ps(r[4 * j + 2], r[4 * j + 3]);
                let t3 = _mm512_unpackhi_ps(r[4 * j + 2], r[4 * j + 3]);
                u[4 * j] = _mm512_shuffle_ps::<0x44>(t0, t2);
                u[4 * j + 1] = _mm512_shuffle_ps::<0xEE>(t0, t2);
                u[4 * j + 2] = _mm512_shuffle_ps::<0x44>(t1, t3);
                u[4 * j + 3] = _mm512_shuffle_ps::<0xEE>(t1, t3);
            }
            // Row 4q + s gathers quarter q of u[s], u[4 + s], u[8 + s], u[12 + s].
            for s in 0..4 {
                let v = _mm512_shuffle_f32x4::<0x88>(u[s], u[4 + s]);
                let w = _mm512_shuffle_f32x4::<0xDD>(u[s], u[4 + s]);
                let v2 = _mm512_shuffle_f32x4::<0x88>(u[8 + s], u[12 + s]);
                let w2 = _mm512_shuffle_f32x4::<0xDD>(u[8 + s], u[12 + s]);
                r[s] = _mm512_shuffle_f32x4::<0x88>(v, v2);
                r[8 + s] = _mm512_shuffle_f32x4::<0xDD>(v, v2);
                r[4 + s] = _mm512_shuffle_f32x4::<0x88>(w, w2);
                r[12 + s] = _mm512_shuffle_f32x4::<0xDD>(w, w2);
            }
        }
    }
    #[inline(always)]
    unsafe fn deinterleave(v0: Self, v1: Self) -> (Self, Self) {
        // SAFETY: the register's ISA is enabled by the caller.
        unsafe {
            (
                _mm512_shuffle_ps::<0x88>(v0, v1),
                _mm512_shuffle_ps::<0xDD>(v0, v1),
            )
        }
    }
    #[inline(always)]
    unsafe fn interleave(re: Self, im: Self) -> (Self, Self) {
        // SAFETY: the register's ISA is enabled by the caller.
        unsafe { (_mm512_unpacklo_ps(re, im), _mm512_unpackhi_ps(re, im)) }
    }
    #[inline(always)]
    unsafe fn zip(re: Self, im: Self) -> (Self, Self) {
        // SAFETY: the register's ISA is enabled by the caller. Index i < 16 picks lane i of
        // `re`, 16 + i lane i of `im`: the first register takes values 0…7, the second 8…15.
        unsafe {
            let lo = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
            let hi =
                _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
            (
                _mm512_permutex2var_ps(re, lo, im),
                _mm512_permutex2var_ps(re, hi, im),
            )
        }
    }
    #[inline(always)]
    unsafe fn gather_split(p: *const f32, stride: usize) -> (Self, Self) {
        // SAFETY: AVX-512F enabled by the caller, who makes p[j·stride], p[j·stride + 1]
        // readable for j < 16. Each 64-bit gather element is one whole complex value (byte
        // offset 4·j·stride), values 0…7 in g0 and 8…15 in g1; index i < 16 picks lane i of
        // g0, 16 + i lane i of g1, so the even lanes (re) and odd lanes (im) come out in order.
        unsafe {
            let s = stride as i64;
            let idx = _mm512_setr_epi64(0, s, 2 * s, 3 * s, 4 * s, 5 * s, 6 * s, 7 * s);
            let g0 = _mm512_castpd_ps(_mm512_i64gather_pd::<4>(idx, p as *const f64));
            let g1 = _mm512_castpd_ps(_mm512_i64gather_pd::<4>(
                idx,
                p.add(8 * stride) as *const f64,
            ));
            let even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            let odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
            (
                _mm512_permutex2var_ps(g0, even, g1),
                _mm512_permutex2var_ps(g0, odd, g1),
            )
        }
    }
    #[inline(always)]
    unsafe fn load_halves(lo: *const f32, hi: *const f32) -> Self {
        // SAFETY: AVX-512F; the caller guarantees 8 readable f32 at lo and at hi.
        unsafe {
            let l = _mm512_castps256_ps512(_mm256_loadu_ps(lo));
            let h = _mm256_castps_pd(_mm256_loadu_ps(hi));
            _mm512_castpd_ps(_mm512_insertf64x4::<1>(_mm512_castps_pd(l), h))
        }
    }
    #[inline(always)]
    unsafe fn store_halves(self, lo: *mut f32, hi: *mut f32) {
        // SAFETY: AVX-512F; the caller guarantees 8 writable f32 at lo and at hi.
        unsafe {
            _mm256_storeu_ps(lo, _mm512_castps512_ps256(self));
            let h = _mm512_extractf64x4_pd::<1>(_mm512_castps_pd(self));
            _mm256_storeu_ps(hi, _mm256_castpd_ps(h));
        }
    }
    #[inline(always)]
    unsafe fn prefetch(p: *const f32) {
        // SAFETY: SSE; a prefetch is only a hint and never faults.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(p as *const i8) }
    }
    #[inline(always)]
    unsafe fn prefetch_l2(p: *const f32) {
        // SAFETY: SSE; a prefetch is only a hint and never faults.
        unsafe { _mm_prefetch::<_MM_HINT_T1>(p as *const i8) }
    }
    #[inline(always)]
    unsafe fn store_stream(self, p: *mut f32) {
        // SAFETY: the caller guarantees 16 writable f32 at p, aligned to 64 bytes.
        unsafe { _mm512_stream_ps(p, self) }
    }
    #[inline(always)]
    unsafe fn load_i16(p: *const i16) -> Self {
        // SAFETY: AVX-512 F enabled by the caller; 16 readable int16 (32 bytes) at p,
        // unaligned.
        unsafe { _mm512_cvtepi32_ps(_mm512_cvtepi16_epi32(_mm256_loadu_si256(p.cast()))) }
    }
    #[inline(always)]
    unsafe fn store_i16_round(self, p: *mut i16) {
        // SAFETY: AVX-512 F enabled by the caller; 16 writable int16 (32 bytes) at p,
        // unaligned. vcvtps2dq rounds half to even (the default MXCSR mode); vpmovsdw
        // saturates.
        unsafe { _mm256_storeu_si256(p.cast(), _mm512_cvtsepi32_epi16(_mm512_cvtps_epi32(self))) }
    }
    #[inline(always)]
    unsafe fn stream_fence() {
        // SAFETY: SSE, baseline on x86-64.
        unsafe { _mm_sfence() }
    }
    #[inline(always)]
    unsafe fn screen_fold(self, reference: Self, max: &mut Self, differ: &mut Self) {
        // SAFETY: AVX-512 F enabled by the caller (unsigned 32-bit maximum, integer logic).
        unsafe {
            let x = _mm512_castps_si512(self);
            let a = _mm512_and_si512(x, _mm512_set1_epi32(0x7FFF_FFFF));
            let m = _mm512_max_epu32(_mm512_castps_si512(*max), a);
            // differ | (x ^ reference) in one ternary-logic instruction: 0xF6 is A | (B ^ C)
            // on the operand truth tables F0, CC, AA.
            let d = _mm512_ternarylogic_epi32::<0xF6>(
                _mm512_castps_si512(*differ),
                x,
                _mm512_castps_si512(reference),
            );
            *max = _mm512_castsi512_ps(m);
            *differ = _mm512_castsi512_ps(d);
        }
    }
}
