//! Beam patterns: the array gain of a weight vector over a zenith × azimuth grid.

use crate::array::{ELEMENT_GAIN_DBI, PlanarArray, element_pattern_db};
use crate::{C32, Error, Result};

/// Element model of a beam pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BeamPatternElement {
    /// Isotropic elements: `10·log10 |aᵀw|²`.
    Isotropic,
    /// TR 38.901 Table 7.3-1 elements: adds `A(θ, φ) + 8 dBi`.
    Tr38901,
}

/// Gain in dB of weights `w` (rows·cols, element order of [`PlanarArray`]) toward every
/// (zenith, azimuth) pair, written row-major into `out [zenith.len(), azimuth.len()]`:
/// `10·log10 |a(θ, φ)ᵀ·w|²` (+ element pattern and gain). An exact null (−∞ dB) is clamped to
/// −300 dB so the output stays finite. Computed in f64 (nulls stay exact); allocates nothing.
pub fn beam_pattern_db(
    array: &PlanarArray,
    w: &[C32],
    element: BeamPatternElement,
    zenith_deg: &[f64],
    azimuth_deg: &[f64],
    out: &mut [f32],
) -> Result<()> {
    if w.len() != array.len() {
        return Err(Error::ShapeMismatch {
            name: "w [rows·cols]",
            expected: crate::error::Shape::of(&[array.len()]),
            got: crate::error::Shape::of(&[w.len()]),
        });
    }
    if out.len() != zenith_deg.len() * azimuth_deg.len() {
        return Err(Error::ShapeMismatch {
            name: "gain_db [nz, na]",
            expected: crate::error::Shape::of(&[zenith_deg.len(), azimuth_deg.len()]),
            got: crate::error::Shape::of(&[out.len()]),
        });
    }
    // f64 throughout: deep nulls of an f32 sum would read tens of dB too high.
    for (iz, &z) in zenith_deg.iter().enumerate() {
        for (ia, &az) in azimuth_deg.iter().enumerate() {
            if !z.is_finite() || !az.is_finite() {
                return Err(Error::NonFinite {
                    name: "direction (zenith, azimuth)",
                    value: if z.is_finite() { az } else { z },
                });
            }
            let (th, ph) = (z.to_radians(), az.to_radians());
            let ch = array.spacing_h * th.sin() * ph.sin();
            let cv = array.spacing_v * th.cos();
            let (mut re, mut im) = (0.0f64, 0.0f64);
            for m in 0..array.rows {
                for n in 0..array.cols {
                    let a = 2.0
                        * std::f64::consts::PI
                        * (n as f64 * ch + m as f64 * cv).rem_euclid(1.0);
                    let wi = w[m * array.cols + n];
                    let (c, s) = (a.cos(), a.sin());
                    re += c * f64::from(wi.re) - s * f64::from(wi.im);
                    im += c * f64::from(wi.im) + s * f64::from(wi.re);
                }
            }
            let mut db = 10.0 * (re * re + im * im).max(1e-30).log10();
            if element == BeamPatternElement::Tr38901 {
                db += element_pattern_db(z, az) + ELEMENT_GAIN_DBI;
            }
            out[iz * azimuth_deg.len() + ia] = db as f32;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matched_weights_give_the_array_gain() {
        let arr = PlanarArray::new(4, 8, 0.5, 0.5).unwrap();
        let a = crate::array::steering_vector(&arr, 100.0, 20.0).unwrap();
        // w = conj(a)/√N: gain |aᵀw|² = N toward the target.
        let w: Vec<C32> = a.iter().map(|x| x.conj() / (32f32).sqrt()).collect();
        let mut out = [0.0f32; 2];
        beam_pattern_db(
            &arr,
            &w,
            BeamPatternElement::Isotropic,
            &[100.0],
            &[20.0, -40.0],
            &mut out,
        )
        .unwrap();
        assert!((out[0] - 10.0 * 32f32.log10()).abs() < 1e-4);
        assert!(out[1] < out[0] - 10.0);
        let mut e = [0.0f32; 1];
        beam_pattern_db(
            &arr,
            &w,
            BeamPatternElement::Tr38901,
            &[100.0],
            &[20.0],
            &mut e,
        )
        .unwrap();
        let want = out[0] as f64 + element_pattern_db(100.0, 20.0) + 8.0;
        assert!((f64::from(e[0]) - want).abs() < 1e-4);
    }
}
