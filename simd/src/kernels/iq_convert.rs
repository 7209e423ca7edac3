//! int16 IQ samples to complex f32 (the fronthaul's float path: `value / scale`,
//! `../shared/FRONTHAUL.md` §1), written past the caches and screened from the registers it
//! stores ([`crate::Kernels::screen_bits`] of the output) — a U-plane receive decodes a slot's
//! 64-antenna grid (23.5 MB at NR 100 MHz) this way in one pass, with no read of the grid
//! afterwards and no read-for-ownership of its lines.

use super::complex_vec::stream_head;
use super::screen::{ScreenBits, merge_lanes, screen_scalar};
use crate::C32;
use crate::register::SimdF32;

/// The scalar reference: `out[i] = (iq[2i] + j·iq[2i+1]) / scale`, IEEE division per part.
pub(crate) fn scalar(iq: &[i16], scale: f32, out: &mut [C32]) {
    for (o, v) in out.iter_mut().zip(iq.chunks_exact(2)) {
        *o = C32::new(f32::from(v[0]) / scale, f32::from(v[1]) / scale);
    }
}

/// [`scalar`]'s values (bit for bit: the conversion is exact and the division correctly
/// rounded in every lane), the full registers from the first `V`-aligned element of `out` on
/// written past the caches without a fence, and their [`ScreenBits`] against `out[0]`.
/// `iq.len() == 2·out.len()` (caller-checked).
#[inline(always)]
pub(crate) unsafe fn stream_screen<V: SimdF32>(
    iq: &[i16],
    scale: f32,
    out: &mut [C32],
) -> ScreenBits {
    let n = out.len().min(iq.len() / 2);
    let step = V::LANES / 2;
    let head = stream_head::<V>(out.as_ptr(), n);
    let mut first = [C32::new(0.0, 0.0)];
    scalar(&iq[..2 * n.min(1)], scale, &mut first[..n.min(1)]);
    let first = first[0];
    scalar(&iq[..2 * head], scale, &mut out[..head]);
    let mut bits = screen_scalar(&out[..head], first);
    let mut i = head;
    let piq = iq.as_ptr();
    let po = out.as_mut_ptr() as *mut f32;
    // SAFETY: every register reads int16 2i..2i+LANES ≤ 2n of `iq` and writes f32 2i..2i+LANES
    // ≤ 2n of `out` (n complex); i ≥ head, so po + 2i is on a boundary of V's size
    // (stream_head) and stays so. The caller has V's ISA.
    unsafe {
        let refs = [first; 8];
        let reference = V::load(refs.as_ptr().cast::<f32>());
        let s = V::splat(scale);
        let (mut max, mut differ) = (V::splat(0.0), V::splat(0.0));
        while i + step <= n {
            let r = V::load_i16(piq.add(2 * i)).div(s);
            r.store_stream(po.add(2 * i));
            r.screen_fold(reference, &mut max, &mut differ);
            i += step;
        }
        bits = merge_lanes(bits, max, differ, first);
    }
    scalar(&iq[2 * i..2 * n], scale, &mut out[i..n]);
    bits.merge(screen_scalar(&out[i..n], first), first, first)
}
