//! Float ↔ int16 IQ conversion with a scale: the step between the library's complex f32 grids
//! and the fronthaul's int16 samples (a convention of the DU, not part of O-RAN;
//! `../shared/FRONTHAUL.md` §1 "Float path").

use crate::simd::Kernels;
use crate::{C32, Error, Result};

fn check_scale(scale: f32) -> Result<()> {
    if scale.is_finite() && scale > 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            name: "scale",
            value: crate::error::Value::of(&scale),
            reason: "int16 LSBs per float unit must be finite and > 0",
        })
    }
}

fn same_len(name: &'static str, expected: usize, got: usize) -> Result<()> {
    if expected == got {
        Ok(())
    } else {
        Err(Error::ShapeMismatch {
            name,
            expected: crate::error::Shape::of(&[expected]),
            got: crate::error::Shape::of(&[got]),
        })
    }
}

/// `out[2i], out[2i+1] = sat16(round_half_even(re·scale)), sat16(round_half_even(im·scale))`
/// for every sample of `x` (`out.len() = 2·x.len()`, axis order [sample, iq]). `scale` is the
/// number of int16 LSBs per float unit (e.g. 32767 maps ±1.0 to ±32767); values beyond the
/// int16 range saturate to −32768 / 32767, ±∞ too. A NaN sample is
/// [`Error::InvalidParameter`] naming `x` and the (first) sample index; `out` is then
/// unspecified. Runs on the fastest kernels of this CPU ([`Kernels::c32_to_int16`]: the same
/// values as the scalar arithmetic on every backend).
pub fn float_to_int16(x: &[C32], scale: f32, out: &mut [i16]) -> Result<()> {
    float_to_int16_on(&Kernels::new(), x, scale, out)
}

/// [`float_to_int16`] on the given kernels.
pub(crate) fn float_to_int16_on(
    kernels: &Kernels,
    x: &[C32],
    scale: f32,
    out: &mut [i16],
) -> Result<()> {
    check_scale(scale)?;
    same_len("out [sample, iq]", 2 * x.len(), out.len())?;
    if kernels.c32_to_int16(x, scale, out)? {
        let i = x.iter().position(|c| c.is_nan()).unwrap_or(0);
        return Err(Error::InvalidParameter {
            name: "x",
            value: crate::value!("NaN at sample {i}"),
            reason: "samples converted to int16 must not be NaN",
        });
    }
    Ok(())
}

/// `out[i] = (iq[2i] + j·iq[2i+1]) / scale` (`iq.len() = 2·out.len()`).
pub fn int16_to_float(iq: &[i16], scale: f32, out: &mut [C32]) -> Result<()> {
    check_scale(scale)?;
    same_len("iq [sample, iq]", 2 * out.len(), iq.len())?;
    for (o, v) in out.iter_mut().zip(iq.chunks_exact(2)) {
        *o = C32::new(f32::from(v[0]) / scale, f32::from(v[1]) / scale);
    }
    Ok(())
}
