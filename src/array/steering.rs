//! Steering vectors of a planar array (TR 38.901 §7.3 geometry, phase `e^{j2π r̂·d}`).

use crate::{C32, Error, Result};

/// A single-polarised uniform planar array: `rows × cols` elements with spacings in
/// wavelengths at the carrier of interest.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlanarArray {
    /// Rows M (vertical).
    pub rows: usize,
    /// Columns N (horizontal).
    pub cols: usize,
    /// Vertical spacing d_v in wavelengths.
    pub spacing_v: f64,
    /// Horizontal spacing d_h in wavelengths.
    pub spacing_h: f64,
}

impl PlanarArray {
    /// Checks dimensions ≥ 1 and finite, non-negative spacings.
    pub fn new(rows: usize, cols: usize, spacing_v: f64, spacing_h: f64) -> Result<Self> {
        if rows == 0 || cols == 0 {
            return Err(Error::InvalidParameter {
                name: "rows × cols",
                value: crate::value!("{rows} × {cols}"),
                reason: "must both be ≥ 1",
            });
        }
        for (name, v) in [("spacing_v", spacing_v), ("spacing_h", spacing_h)] {
            if !v.is_finite() || v < 0.0 {
                return Err(Error::InvalidParameter {
                    name,
                    value: crate::error::Value::of(&v),
                    reason: "must be finite and ≥ 0 (wavelengths)",
                });
            }
        }
        Ok(Self {
            rows,
            cols,
            spacing_v,
            spacing_h,
        })
    }

    /// The same physical array at another carrier: spacings scaled by `f_new / f_ref`.
    pub fn at_frequency_ratio(&self, ratio: f64) -> Result<Self> {
        Self::new(
            self.rows,
            self.cols,
            self.spacing_v * ratio,
            self.spacing_h * ratio,
        )
    }

    /// Elements M·N.
    pub fn len(&self) -> usize {
        self.rows * self.cols
    }

    /// Always false: an array has at least one element.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Writes the steering vector toward (zenith θ, azimuth φ) in degrees into `out`
    /// (`rows·cols`, index m·cols + n): `a_mn = e^{j2π(n·d_h·sinθ·sinφ + m·d_v·cosθ)}`.
    pub fn steering(&self, zenith_deg: f64, azimuth_deg: f64, out: &mut [C32]) -> Result<()> {
        if out.len() != self.len() {
            return Err(Error::ShapeMismatch {
                name: "steering vector [rows·cols]",
                expected: crate::error::Shape::of(&[self.len()]),
                got: crate::error::Shape::of(&[out.len()]),
            });
        }
        if !zenith_deg.is_finite() || !azimuth_deg.is_finite() {
            return Err(Error::NonFinite {
                name: "direction (zenith, azimuth)",
                value: if zenith_deg.is_finite() {
                    azimuth_deg
                } else {
                    zenith_deg
                },
            });
        }
        let (th, ph) = (zenith_deg.to_radians(), azimuth_deg.to_radians());
        // Phase per column and per row step, in cycles.
        let ch = self.spacing_h * th.sin() * ph.sin();
        let cv = self.spacing_v * th.cos();
        for m in 0..self.rows {
            for n in 0..self.cols {
                let cycles = (n as f64 * ch + m as f64 * cv).rem_euclid(1.0);
                let a = 2.0 * std::f64::consts::PI * cycles;
                out[m * self.cols + n] = C32::new(a.cos() as f32, a.sin() as f32);
            }
        }
        Ok(())
    }
}

/// The steering vector of a `rows × cols` array (see [`PlanarArray::steering`]).
pub fn steering_vector(array: &PlanarArray, zenith_deg: f64, azimuth_deg: f64) -> Result<Vec<C32>> {
    let mut a = vec![C32::new(0.0, 0.0); array.len()];
    array.steering(zenith_deg, azimuth_deg, &mut a)?;
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadside_is_all_ones_and_endfire_steps_by_spacing() {
        let arr = PlanarArray::new(4, 8, 0.5, 0.5).unwrap();
        let a = steering_vector(&arr, 90.0, 0.0).unwrap();
        assert!(a.iter().all(|v| (v - C32::new(1.0, 0.0)).norm() < 1e-6));
        // θ = 90°, φ = 90°: half-wavelength steps along a row → alternate ±1.
        let a = steering_vector(&arr, 90.0, 90.0).unwrap();
        for (n, v) in a.iter().take(8).enumerate() {
            assert!((v - C32::new(if n % 2 == 0 { 1.0 } else { -1.0 }, 0.0)).norm() < 1e-5);
        }
    }

    #[test]
    fn frequency_scaling_changes_the_electrical_spacing() {
        let at_2g6 = PlanarArray::new(8, 4, 0.5, 0.5).unwrap();
        let at_3g5 = at_2g6.at_frequency_ratio(3.5 / 2.6).unwrap();
        assert!((at_3g5.spacing_h - 0.5 * 3.5 / 2.6).abs() < 1e-12);
        assert_eq!(
            crate::error::name_of(PlanarArray::new(0, 4, 0.5, 0.5)),
            "rows × cols"
        );
        assert_eq!(
            crate::error::name_of(at_2g6.steering(f64::NAN, 0.0, &mut [C32::new(0.0, 0.0); 32])),
            "direction (zenith, azimuth)"
        );
    }
}
