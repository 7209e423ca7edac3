//! The fronthaul's float path (`../shared/FRONTHAUL.md` §1) both ways. int16 IQ samples to
//! complex f32 (`value / scale`), written past the caches and screened from the registers it
//! stores ([`crate::Kernels::screen_bits`] of the output) — a U-plane receive decodes a slot's
//! 64-antenna grid (23.5 MB at NR 100 MHz) this way in one pass, with no read of the grid
//! afterwards and no read-for-ownership of its lines. Complex f32 to int16
//! (`sat16(round_half_even(part · scale))`): the product clamped to the int16 range in float,
//! then one rounding conversion — the scalar reference's values exactly, where it called the
//! C library's `roundevenf` for every part.

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
/// written past the caches without a fence (`STREAM`) or with ordinary stores that leave them
/// in the cache for the next reader, and their [`ScreenBits`] against `out[0]`.
/// `iq.len() == 2·out.len()` (caller-checked).
#[inline(always)]
pub(crate) unsafe fn convert_screen<V: SimdF32, const STREAM: bool>(
    iq: &[i16],
    scale: f32,
    out: &mut [C32],
) -> ScreenBits {
    let n = out.len().min(iq.len() / 2);
    let step = V::LANES / 2;
    let head = stream_head::<V>(out.as_ptr(), n);
    // The reference: out[0] as the scalar arithmetic (equal to every lane's) writes it.
    let first = match iq {
        [re, im, ..] if n > 0 => C32::new(f32::from(*re) / scale, f32::from(*im) / scale),
        _ => C32::new(0.0, 0.0),
    };
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
            if STREAM {
                r.store_stream(po.add(2 * i));
            } else {
                r.store(po.add(2 * i));
            }
            r.screen_fold(reference, &mut max, &mut differ);
            i += step;
        }
        bits = merge_lanes(bits, max, differ, first);
    }
    scalar(&iq[2 * i..2 * n], scale, &mut out[i..n]);
    bits.merge(screen_scalar(&out[i..n], first), first, first)
}

/// The scalar reference of [`to_int16`]: `sat16(round_half_even(part · scale))` per part (`as`
/// saturates); returns whether some product was NaN (its part written as 0).
pub(crate) fn to_int16_scalar(x: &[C32], scale: f32, out: &mut [i16]) -> bool {
    let mut nan = false;
    for (c, o) in x.iter().zip(out.chunks_exact_mut(2)) {
        let (re, im) = (c.re * scale, c.im * scale);
        nan |= re.is_nan() | im.is_nan();
        o[0] = re.round_ties_even() as i16;
        o[1] = im.round_ties_even() as i16;
    }
    nan
}

/// [`to_int16_scalar`]'s values for every part whose product is not NaN (the product clamped
/// to [−32768, 32767] in f32 — exact, and rounding a clamped value half to even gives the
/// saturated rounding of the unclamped one — then converted with the default rounding);
/// returns whether some product was NaN (the maximum magnitude bit pattern of the products,
/// [`SimdF32::screen_fold`], above +∞'s), those parts written with unspecified values.
/// `out.len() == 2·x.len()` (caller-checked).
#[inline(always)]
pub(crate) unsafe fn to_int16<V: SimdF32>(x: &[C32], scale: f32, out: &mut [i16]) -> bool {
    let n = x.len().min(out.len() / 2);
    let step = V::LANES / 2;
    let mut i = 0;
    let px = x.as_ptr() as *const f32;
    let po = out.as_mut_ptr();
    // SAFETY: every register reads f32 2i..2i+LANES ≤ 2n of `x` and writes int16
    // 2i..2i+LANES ≤ 2n of `out`. The caller has V's ISA.
    let bits = unsafe {
        let (s, lo, hi, zero) = (
            V::splat(scale),
            V::splat(-32768.0),
            V::splat(32767.0),
            V::splat(0.0),
        );
        let (mut max, mut differ) = (zero, zero);
        while i + step <= n {
            let p = V::load(px.add(2 * i)).mul(s);
            p.screen_fold(zero, &mut max, &mut differ);
            p.max(lo).min(hi).store_i16_round(po.add(2 * i));
            i += step;
        }
        merge_lanes(ScreenBits::default(), max, differ, C32::new(0.0, 0.0))
    };
    let tail_nan = to_int16_scalar(&x[i..n], scale, &mut out[2 * i..2 * n]);
    bits.max_abs_bits > 0x7F80_0000 || tail_nan
}
