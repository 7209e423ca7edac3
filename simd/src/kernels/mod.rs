//! The kernels: for each, a plain scalar reference (`scalar` functions, one matrix at a time,
//! textbook loops) and one SIMD implementation generic over [`crate::register::SimdF32`].
//! Shapes are validated by [`crate::Kernels`] before any of these run.

pub(crate) mod bfp;
pub(crate) mod block_combine;
pub(crate) mod cholesky;
pub(crate) mod comb;
pub(crate) mod complex_vec;
pub(crate) mod csr;
pub(crate) mod fft;
pub(crate) mod gemm;
pub(crate) mod gram;
pub(crate) mod hints;
pub(crate) mod iq_convert;
pub(crate) mod lag_sums;
pub(crate) mod norms;
pub(crate) mod ofdm_fft;
pub(crate) mod pam_llr;
pub(crate) mod qam_llr;
pub(crate) mod screen;
pub(crate) mod transpose;

use crate::register::SimdF32;

/// A stack buffer of `N` f32 on a 64-byte boundary (a plain `[f32; N]` is only 4-aligned):
/// the packed lane-block chunks the Gram and the Cholesky solve copy into are read and
/// written a whole register at a time, which must not straddle two cache lines.
#[repr(C, align(64))]
pub(crate) struct LineAligned<const N: usize>(pub(crate) [f32; N]);

impl<const N: usize> LineAligned<N> {
    /// `N` zeros.
    #[inline(always)]
    pub(crate) fn zeroed() -> Self {
        Self([0.0; N])
    }
}

/// Sums of the even and odd lanes of `v` (for horizontal reductions of interleaved complex).
#[inline(always)]
pub(crate) unsafe fn sum_even_odd<V: SimdF32>(v: V) -> (f32, f32) {
    let mut buf = [0.0f32; 16];
    // SAFETY: buf holds 16 ≥ V::LANES f32; the caller has the ISA of V enabled.
    unsafe { v.store(buf.as_mut_ptr()) };
    let (mut e, mut o) = (0.0, 0.0);
    for pair in buf[..V::LANES].chunks_exact(2) {
        e += pair[0];
        o += pair[1];
    }
    (e, o)
}

/// The FMA loop of the peak probe: 12 independent accumulator chains (enough to cover FMA
/// latency × ports on every current core), `iters` rounds, 24·LANES flops per round.
#[inline(always)]
pub(crate) unsafe fn fma_loop<V: SimdF32>(iters: u64, x: f32, y: f32) -> f32 {
    // SAFETY: the caller has V's ISA enabled; buf holds 16 ≥ V::LANES f32.
    unsafe {
        let (vx, vy) = (V::splat(x), V::splat(y));
        let mut acc = [V::splat(0.0); 12];
        for (n, a) in acc.iter_mut().enumerate() {
            *a = V::splat(n as f32 * 1e-3);
        }
        for _ in 0..iters {
            for a in acc.iter_mut() {
                *a = a.mul_add(vx, vy);
            }
        }
        let mut s = acc[0];
        for a in &acc[1..] {
            s = s.add(*a);
        }
        let mut buf = [0.0f32; 16];
        s.store(buf.as_mut_ptr());
        buf.iter().sum()
    }
}
