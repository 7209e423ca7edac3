//! The register abstraction the kernels are written against: [`SimdF32`], one SIMD register of
//! f32 lanes, implemented for the x86-64 (SSE/AVX2/AVX-512) and AArch64 (NEON) registers. The
//! kernels import only this module; the backends in [`crate::arch`] import the kernels.

#[cfg(target_arch = "aarch64")]
mod neon;
#[cfg(target_arch = "x86_64")]
mod x86;

/// One SIMD register of f32 lanes.
///
/// Complex helpers (`dup_re`, `dup_im`, `swap_re_im`, `mul_addsub`, `mul_subadd`) treat the
/// register as interleaved complex values: even lanes real, odd lanes imaginary.
///
/// # Safety
/// Every method may execute instructions of the implementing ISA: call them only where that ISA
/// is enabled (inside the backend's `#[target_feature]` entry points, after runtime detection).
/// `load`/`store` read/write `LANES` f32 at the pointer, unaligned.
pub(crate) unsafe trait SimdF32: Copy {
    /// f32 lanes per register.
    const LANES: usize;
    unsafe fn splat(x: f32) -> Self;
    unsafe fn load(p: *const f32) -> Self;
    unsafe fn store(self, p: *mut f32);
    unsafe fn add(self, o: Self) -> Self;
    unsafe fn sub(self, o: Self) -> Self;
    unsafe fn mul(self, o: Self) -> Self;
    unsafe fn div(self, o: Self) -> Self;
    unsafe fn sqrt(self) -> Self;
    /// `self·b + c`, fused.
    unsafe fn mul_add(self, b: Self, c: Self) -> Self;
    /// `c − self·b`, fused.
    unsafe fn neg_mul_add(self, b: Self, c: Self) -> Self;
    /// Real parts copied into both lanes of each complex pair.
    unsafe fn dup_re(self) -> Self;
    /// Imaginary parts copied into both lanes of each complex pair.
    unsafe fn dup_im(self) -> Self;
    /// Real and imaginary lane of each pair swapped.
    unsafe fn swap_re_im(self) -> Self;
    /// Even lanes `self·b − c`, odd lanes `self·b + c`.
    unsafe fn mul_addsub(self, b: Self, c: Self) -> Self;
    /// Even lanes `self·b + c`, odd lanes `self·b − c`.
    unsafe fn mul_subadd(self, b: Self, c: Self) -> Self;
    /// Whether every lane satisfies `lo < self < +∞` (false for NaN lanes).
    unsafe fn all_between_lo_inf(self, lo: Self) -> bool;
    /// Lane-wise minimum (either operand when one is NaN).
    unsafe fn min(self, o: Self) -> Self;
    /// Lane-wise maximum (either operand when one is NaN).
    unsafe fn max(self, o: Self) -> Self;
    /// `2^n` for lanes holding integral values n in [−126, 127] (built in the exponent bits).
    unsafe fn exp2_int(self) -> Self;
    /// For positive normal lanes x = 2^e·f with f ∈ [1, 2): returns (e as f32, f).
    unsafe fn exponent_mantissa(self) -> (Self, Self);
    /// Transposes the `LANES × LANES` tile held in `rows[..LANES]`: afterwards lane c of
    /// `rows[r]` is what lane r of `rows[c]` was. Entries from `LANES` on are left as they are.
    /// With complex values interleaved along the lanes, this turns `LANES` matrices' runs of
    /// `LANES/2` complex elements into the lane-blocked split layout and back.
    unsafe fn transpose(rows: &mut [Self; 16]);
    /// Real and imaginary parts of the `LANES` complex values interleaved in `v0`, `v1`, in a
    /// lane order of the backend's choosing that [`SimdF32::interleave`] undoes exactly
    /// (x86: pairs stay inside their 128-bit lane; no cross-lane shuffle is needed).
    unsafe fn deinterleave(v0: Self, v1: Self) -> (Self, Self);
    /// The inverse of [`SimdF32::deinterleave`]: `(re, im)` back to two interleaved registers.
    unsafe fn interleave(re: Self, im: Self) -> (Self, Self);
    /// Real and imaginary parts in natural lane order (e.g. loaded from split planes) zipped
    /// into two registers of interleaved complex values in the same order: `[re₀ im₀ re₁ im₁
    /// …]` holds the first `LANES/2` values, the second register the rest. The default goes
    /// through memory; the x86 (128/256/512-bit) and NEON registers override it with shuffles.
    #[inline(always)]
    unsafe fn zip(re: Self, im: Self) -> (Self, Self) {
        let (mut a, mut b, mut out) = ([0.0f32; 16], [0.0f32; 16], [0.0f32; 32]);
        // SAFETY: the buffers hold 16 ≥ LANES and 32 ≥ 2·LANES f32; the ISA is the caller's.
        unsafe {
            re.store(a.as_mut_ptr());
            im.store(b.as_mut_ptr());
            for i in 0..Self::LANES {
                out[2 * i] = a[i];
                out[2 * i + 1] = b[i];
            }
            (
                Self::load(out.as_ptr()),
                Self::load(out.as_ptr().add(Self::LANES)),
            )
        }
    }
    /// A strided gather of `LANES` complex values into split registers: lane j of the first
    /// register is `p[j·stride]`, of the second `p[j·stride + 1]` (value j's real and
    /// imaginary part; `stride` in f32), natural lane order — e.g. one subcarrier of `LANES`
    /// antennas, whose rows are `stride` apart. The caller makes those 2·`LANES` f32 readable.
    /// The default goes through memory; the AVX2 and AVX-512 registers override it with
    /// hardware gathers of whole complex values.
    #[inline(always)]
    unsafe fn gather_split(p: *const f32, stride: usize) -> (Self, Self) {
        let (mut re, mut im) = ([0.0f32; 16], [0.0f32; 16]);
        // SAFETY: the caller makes p[j·stride] and p[j·stride + 1] readable for j < LANES;
        // the buffers hold 16 ≥ LANES f32; the ISA is the caller's.
        unsafe {
            for j in 0..Self::LANES {
                re[j] = *p.add(j * stride);
                im[j] = *p.add(j * stride + 1);
            }
            (Self::load(re.as_ptr()), Self::load(im.as_ptr()))
        }
    }
    /// A register whose lower `LANES/2` lanes are the f32 at `lo` and upper ones those at `hi`
    /// (two half-register runs from different places, e.g. the same subcarriers of two OFDM
    /// symbols). The default goes through memory; the 512-bit x86 register overrides it with
    /// a half load and an insert (the only one the kernels use: the grouped GEMM's pair tile).
    #[inline(always)]
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    unsafe fn load_halves(lo: *const f32, hi: *const f32) -> Self {
        let mut buf = [0.0f32; 16];
        let h = Self::LANES / 2;
        // SAFETY: the caller makes LANES/2 f32 readable at lo and at hi; the buffer holds
        // 16 ≥ LANES f32; the ISA is the caller's.
        unsafe {
            core::ptr::copy_nonoverlapping(lo, buf.as_mut_ptr(), h);
            core::ptr::copy_nonoverlapping(hi, buf.as_mut_ptr().add(h), h);
            Self::load(buf.as_ptr())
        }
    }
    /// The inverse of [`SimdF32::load_halves`]: the lower `LANES/2` lanes written at `lo`, the
    /// upper ones at `hi`.
    #[inline(always)]
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    unsafe fn store_halves(self, lo: *mut f32, hi: *mut f32) {
        let mut buf = [0.0f32; 16];
        let h = Self::LANES / 2;
        // SAFETY: the caller makes LANES/2 f32 writable at lo and at hi; the buffer holds
        // 16 ≥ LANES f32; the ISA is the caller's.
        unsafe {
            self.store(buf.as_mut_ptr());
            core::ptr::copy_nonoverlapping(buf.as_ptr(), lo, h);
            core::ptr::copy_nonoverlapping(buf.as_ptr().add(h), hi, h);
        }
    }
    /// `LANES` int16 at `p` (unaligned), each converted exactly to f32. The default goes
    /// through memory; the AVX2, AVX-512 and NEON registers override it with a widening load
    /// and an integer-to-float conversion.
    #[inline(always)]
    unsafe fn load_i16(p: *const i16) -> Self {
        let mut buf = [0.0f32; 16];
        // SAFETY: the caller makes LANES int16 readable at p; the buffer holds 16 ≥ LANES f32;
        // the ISA is the caller's.
        unsafe {
            for (j, b) in buf.iter_mut().enumerate().take(Self::LANES) {
                *b = f32::from(*p.add(j));
            }
            Self::load(buf.as_ptr())
        }
    }
    /// The lanes rounded half to even to integers, saturated to the int16 range and written
    /// as `LANES` int16 at `p` (unaligned). Lanes must lie within ±2³¹ (the kernels clamp to
    /// the int16 range first); a NaN lane writes an unspecified value. The default goes
    /// through memory; the AVX2, AVX-512 and NEON registers override it with a rounding
    /// conversion and a saturating narrow.
    #[inline(always)]
    unsafe fn store_i16_round(self, p: *mut i16) {
        let mut buf = [0.0f32; 16];
        // SAFETY: the caller makes LANES int16 writable at p; the buffer holds 16 ≥ LANES f32;
        // the ISA is the caller's.
        unsafe {
            self.store(buf.as_mut_ptr());
            for (j, b) in buf.iter().enumerate().take(Self::LANES) {
                *p.add(j) = b.round_ties_even() as i16;
            }
        }
    }
    /// Hints that the cache line holding `p` will be accessed soon (a no-op where the ISA
    /// module has no prefetch). Never faults, whatever `p` is.
    #[inline(always)]
    unsafe fn prefetch(p: *const f32) {
        let _ = p;
    }
    /// [`SimdF32::prefetch`] into the L2 cache only, not the L1 (x86 `prefetcht1`; the plain
    /// hint elsewhere): for lines needed many microseconds later, which in the L1 would evict
    /// the data the kernel works on now. Never faults, whatever `p` is.
    #[inline(always)]
    unsafe fn prefetch_l2(p: *const f32) {
        // SAFETY: as `prefetch`, which never faults.
        unsafe { Self::prefetch(p) }
    }
    /// Writes the `LANES` f32 at `p` past the caches (a non-temporal store) where the ISA has
    /// one, else an ordinary store. `p` must be aligned to the register's size
    /// (`4·LANES` bytes); the stores are weakly ordered until [`SimdF32::stream_fence`].
    #[inline(always)]
    unsafe fn store_stream(self, p: *mut f32) {
        // SAFETY: forwarded to the caller (LANES writable f32 at p).
        unsafe { self.store(p) }
    }
    /// Orders every earlier [`SimdF32::store_stream`] before any later store (x86 `sfence`);
    /// a no-op where `store_stream` is an ordinary store.
    #[inline(always)]
    unsafe fn stream_fence() {}
    /// The screening fold of [`crate::Kernels::screen_bits`] on the lanes' bit patterns:
    /// `max ← max_u32(max, bits(self) & 0x7FFF_FFFF)` and `differ ← differ | (bits(self) ^
    /// bits(reference))`, lane by lane (`max` and `differ` hold u32 patterns, not floats).
    /// The default goes through memory (for ISAs without an unsigned 32-bit maximum here).
    #[inline(always)]
    unsafe fn screen_fold(self, reference: Self, max: &mut Self, differ: &mut Self) {
        let (mut x, mut r, mut m, mut d) = ([0.0f32; 16], [0.0f32; 16], [0.0f32; 16], [0.0f32; 16]);
        // SAFETY: each array holds 16 ≥ LANES f32.
        unsafe {
            self.store(x.as_mut_ptr());
            reference.store(r.as_mut_ptr());
            max.store(m.as_mut_ptr());
            differ.store(d.as_mut_ptr());
        }
        for i in 0..Self::LANES {
            let b = x[i].to_bits();
            m[i] = f32::from_bits(m[i].to_bits().max(b & 0x7FFF_FFFF));
            d[i] = f32::from_bits(d[i].to_bits() | (b ^ r[i].to_bits()));
        }
        // SAFETY: as above.
        unsafe {
            *max = Self::load(m.as_ptr());
            *differ = Self::load(d.as_ptr());
        }
    }
}
