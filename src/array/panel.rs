//! Multi-panel, dual-polarised antenna arrays after TR 38.901 §7.3: Mg × Ng panels of
//! M × N elements with P = 1 or 2 polarisations (the 64T64R array is, e.g., 1 × 1 panels of
//! 8 × 4 elements × 2 polarisations).
//!
//! * Element (p, mg, ng, m, n) — polarisation p, panel row mg (upward) and column ng, element
//!   row m (upward) and column n — has index `p·Mg·Ng·M·N + (mg·Ng + ng)·M·N + m·N + n`: all
//!   elements of the first polarisation first, as the CSI-RS port order of 38.214 §5.2.2.2
//!   (for one panel, the per-polarisation order is that of [`super::PlanarArray`]).
//! * Position `(0, ng·d_gH + n·d_H, mg·d_gV + m·d_V)` wavelengths (x broadside, z up).
//! * Field pattern, polarisation model 2 (§7.3.2, eq. 7.3-4/-5) with the array's local frame
//!   equal to the global one: `F_θ = √A(θ, φ)·cos ζ`, `F_φ = √A(θ, φ)·sin ζ`, A the linear
//!   power pattern of Table 7.3-1 including its 8 dBi ([`super::element_pattern_db`]), ζ the
//!   slant angle (±45° for cross-polarised, 0°/90° for co-located V/H, 0° for single).

use super::element::{ELEMENT_GAIN_DBI, element_pattern_db};
use crate::{C32, Error, Result};

/// Polarisation arrangement of the elements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Polarization {
    /// One polarisation, vertical (ζ = 0°), P = 1.
    Single,
    /// Cross-polarised pairs at ζ = +45° and −45°, P = 2.
    CrossSlant45,
    /// Co-located vertical and horizontal (ζ = 0°, 90°), P = 2.
    VerticalHorizontal,
}

impl Polarization {
    /// P.
    pub fn count(self) -> usize {
        match self {
            Polarization::Single => 1,
            _ => 2,
        }
    }

    /// Slant angle ζ of polarisation `p`, degrees.
    pub fn slant_deg(self, p: usize) -> f64 {
        match (self, p) {
            (Polarization::Single, _) => 0.0,
            (Polarization::CrossSlant45, 0) => 45.0,
            (Polarization::CrossSlant45, _) => -45.0,
            (Polarization::VerticalHorizontal, 0) => 0.0,
            (Polarization::VerticalHorizontal, _) => 90.0,
        }
    }
}

/// A (multi-)panel array of TR 38.901 §7.3.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PanelArray {
    /// Panels (Mg vertical, Ng horizontal).
    pub panels: (usize, usize),
    /// Elements per panel (M vertical, N horizontal).
    pub elements: (usize, usize),
    /// Element spacing (d_V, d_H), wavelengths.
    pub spacing: (f64, f64),
    /// Panel spacing (d_gV, d_gH), wavelengths (ignored for one panel in that direction).
    pub panel_spacing: (f64, f64),
    /// Polarisations.
    pub polarization: Polarization,
}

impl PanelArray {
    /// Checks the dimensions (≥ 1), spacings (finite, ≥ 0) and that panels do not overlap.
    pub fn new(
        panels: (usize, usize),
        elements: (usize, usize),
        spacing: (f64, f64),
        panel_spacing: (f64, f64),
        polarization: Polarization,
    ) -> Result<Self> {
        let bad = |name, value: crate::error::Value, reason| Error::InvalidParameter {
            name,
            value,
            reason,
        };
        if panels.0 == 0 || panels.1 == 0 || elements.0 == 0 || elements.1 == 0 {
            return Err(bad(
                "(Mg, Ng, M, N)",
                crate::value!(
                    "({}, {}, {}, {})",
                    panels.0,
                    panels.1,
                    elements.0,
                    elements.1
                ),
                "all must be ≥ 1",
            ));
        }
        for (name, v) in [
            ("d_V", spacing.0),
            ("d_H", spacing.1),
            ("d_gV", panel_spacing.0),
            ("d_gH", panel_spacing.1),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(bad(
                    name,
                    crate::error::Value::of(&v),
                    "must be finite and ≥ 0 (wavelengths)",
                ));
            }
        }
        if (panels.0 > 1 && panel_spacing.0 < (elements.0 - 1) as f64 * spacing.0)
            || (panels.1 > 1 && panel_spacing.1 < (elements.1 - 1) as f64 * spacing.1)
        {
            return Err(bad(
                "panel spacing (d_gV, d_gH)",
                crate::value!("({}, {})", panel_spacing.0, panel_spacing.1),
                "panels would overlap: d_g must be at least the panel's extent",
            ));
        }
        Ok(Self {
            panels,
            elements,
            spacing,
            panel_spacing,
            polarization,
        })
    }

    /// One panel of `rows` × `cols` cross-polarised (±45°) element pairs at half-wavelength
    /// spacing: the usual massive-MIMO panel (8 × 4 gives the 64T64R array of the reference
    /// deployment).
    pub fn cross_polarized(rows: usize, cols: usize) -> Result<Self> {
        Self::new(
            (1, 1),
            (rows, cols),
            (0.5, 0.5),
            (0.0, 0.0),
            Polarization::CrossSlant45,
        )
    }

    /// The same physical array at another frequency: element and panel spacings (in
    /// wavelengths) scaled by `f_new / f_ref` = `ratio` (> 0 and finite).
    pub fn at_frequency_ratio(&self, ratio: f64) -> Result<Self> {
        if !(ratio.is_finite() && ratio > 0.0) {
            return Err(Error::InvalidParameter {
                name: "frequency ratio",
                value: crate::error::Value::of(&ratio),
                reason: "must be finite and > 0",
            });
        }
        Self::new(
            self.panels,
            self.elements,
            (self.spacing.0 * ratio, self.spacing.1 * ratio),
            (self.panel_spacing.0 * ratio, self.panel_spacing.1 * ratio),
            self.polarization,
        )
    }

    /// Elements per polarisation, Mg·Ng·M·N.
    pub fn per_polarization(&self) -> usize {
        self.panels.0 * self.panels.1 * self.elements.0 * self.elements.1
    }

    /// All elements (ports), P·Mg·Ng·M·N.
    pub fn len(&self) -> usize {
        self.polarization.count() * self.per_polarization()
    }

    /// Always false: an array has at least one element.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// (p, mg, ng, m, n) of element `i` (see the module documentation for the order).
    ///
    /// Errors: `i` ≥ [`Self::len`] (`InvalidParameter` naming `element`).
    pub fn element_index(&self, i: usize) -> Result<(usize, usize, usize, usize, usize)> {
        if i >= self.len() {
            return Err(Error::InvalidParameter {
                name: "element",
                value: crate::value!("{i} of {}", self.len()),
                reason: "element indices below P·Mg·Ng·M·N",
            });
        }
        let (m_n, per_panel) = (self.elements.1, self.elements.0 * self.elements.1);
        let p = i / self.per_polarization();
        let r = i % self.per_polarization();
        let (panel, e) = (r / per_panel, r % per_panel);
        Ok((
            p,
            panel / self.panels.1,
            panel % self.panels.1,
            e / m_n,
            e % m_n,
        ))
    }

    /// Position of element `i` in wavelengths, (x, y, z) with the array in the y–z plane.
    ///
    /// Errors: as [`Self::element_index`].
    pub fn position(&self, i: usize) -> Result<(f64, f64, f64)> {
        let (_, mg, ng, m, n) = self.element_index(i)?;
        Ok((
            0.0,
            ng as f64 * self.panel_spacing.1 + n as f64 * self.spacing.1,
            mg as f64 * self.panel_spacing.0 + m as f64 * self.spacing.0,
        ))
    }

    /// Field components (F_θ, F_φ) of polarisation `p` toward (θ, φ) degrees (linear
    /// amplitude, √ of the power pattern including the 8 dBi element gain).
    ///
    /// Errors: `p` beyond the array's polarisations (`InvalidParameter` naming
    /// `polarization`).
    pub fn field(&self, p: usize, zenith_deg: f64, azimuth_deg: f64) -> Result<(f64, f64)> {
        if p >= self.polarization.count() {
            return Err(Error::InvalidParameter {
                name: "polarization",
                value: crate::value!("{p} of {}", self.polarization.count()),
                reason: "polarisation indices below P",
            });
        }
        let a = 10f64.powf((ELEMENT_GAIN_DBI + element_pattern_db(zenith_deg, azimuth_deg)) / 10.0);
        let z = self.polarization.slant_deg(p).to_radians();
        Ok((a.sqrt() * z.cos(), a.sqrt() * z.sin()))
    }

    /// Response of every element to a plane wave from (θ, φ) degrees whose field has
    /// components (e_θ, e_φ): `(F_θ·e_θ + F_φ·e_φ)·e^{j2π r̂·d}` into `out` (len() values).
    /// With `(e_θ, e_φ) = (1, 0)` and a single vertical polarisation this is the steering
    /// vector times the element's field pattern.
    pub fn response(
        &self,
        zenith_deg: f64,
        azimuth_deg: f64,
        e_field: (C32, C32),
        out: &mut [C32],
    ) -> Result<()> {
        if out.len() != self.len() {
            return Err(Error::ShapeMismatch {
                name: "out [P·Mg·Ng·M·N]",
                expected: crate::error::Shape::of(&[self.len()]),
                got: crate::error::Shape::of(&[out.len()]),
            });
        }
        if !(zenith_deg.is_finite() && azimuth_deg.is_finite()) {
            return Err(Error::NonFinite {
                name: "direction",
                value: if zenith_deg.is_finite() {
                    azimuth_deg
                } else {
                    zenith_deg
                },
            });
        }
        let (t, f) = (zenith_deg.to_radians(), azimuth_deg.to_radians());
        let r = (t.sin() * f.cos(), t.sin() * f.sin(), t.cos());
        let mut gains = [C32::new(0.0, 0.0); 2];
        for (p, g) in gains.iter_mut().enumerate().take(self.polarization.count()) {
            let (ft, fp) = self.field(p, zenith_deg, azimuth_deg)?;
            *g = e_field.0 * ft as f32 + e_field.1 * fp as f32;
        }
        for (i, o) in out.iter_mut().enumerate() {
            let (x, y, z) = self.position(i)?;
            let cycles = (r.0 * x + r.1 * y + r.2 * z).rem_euclid(1.0);
            let ph = 2.0 * std::f64::consts::PI * cycles;
            let (p, ..) = self.element_index(i)?;
            *o = gains[p] * C32::new(ph.cos() as f32, ph.sin() as f32);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::array::PlanarArray;

    #[test]
    fn one_vertical_panel_reduces_to_the_planar_steering_vector() {
        let arr =
            PanelArray::new((1, 1), (4, 8), (0.5, 0.5), (0.0, 0.0), Polarization::Single).unwrap();
        let planar = PlanarArray::new(4, 8, 0.5, 0.5).unwrap();
        let (mut a, mut b) = (vec![C32::new(0.0, 0.0); 32], vec![C32::new(0.0, 0.0); 32]);
        arr.response(
            100.0,
            25.0,
            (C32::new(1.0, 0.0), C32::new(0.0, 0.0)),
            &mut a,
        )
        .unwrap();
        planar.steering(100.0, 25.0, &mut b).unwrap();
        let g = 10f64.powf((8.0 + element_pattern_db(100.0, 25.0)) / 20.0) as f32;
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y * g).norm() < 1e-4);
        }
    }

    #[test]
    fn cross_polarised_elements_split_the_pattern_and_see_orthogonal_fields() {
        let arr = PanelArray::new(
            (2, 2),
            (4, 2),
            (0.5, 0.5),
            (2.5, 1.5),
            Polarization::CrossSlant45,
        )
        .unwrap();
        assert_eq!(arr.len(), 2 * 4 * 4 * 2);
        // Power split equally, total = the element pattern.
        let (t1, p1) = arr.field(0, 90.0, 0.0).unwrap();
        let (t2, p2) = arr.field(1, 90.0, 0.0).unwrap();
        let a = 10f64.powf(0.8);
        assert!((t1 * t1 + p1 * p1 - a).abs() < 1e-9 && (t2 * t2 + p2 * p2 - a).abs() < 1e-9);
        // The two slants are orthogonal: F₀·F₁ = 0.
        assert!((t1 * t2 + p1 * p2).abs() < 1e-9);
        // Index order and panel offsets.
        let i = arr.per_polarization() + 2 * 8 + 3 * 2 + 1; // p = 1, panel (1, 0), element (3, 1)
        let (p, mg, ng, m, n) = arr.element_index(i).unwrap();
        assert_eq!((p, mg, ng, m, n), (1, 1, 0, 3, 1));
        let (_, y, z) = arr.position(i).unwrap();
        // Issue 21: indices beyond the array are named errors, not wrapped values.
        let name = |r: Result<(f64, f64)>| match r {
            Err(Error::InvalidParameter { name, .. }) => name,
            other => panic!("{other:?}"),
        };
        assert_eq!(name(arr.field(2, 90.0, 0.0)), "polarization");
        match arr.element_index(arr.len()) {
            Err(Error::InvalidParameter { name, .. }) => assert_eq!(name, "element"),
            other => panic!("{other:?}"),
        }
        assert!(arr.position(usize::MAX).is_err_and(|e| matches!(
            e,
            Error::InvalidParameter {
                name: "element",
                ..
            }
        )));
        assert!((y - 0.5).abs() < 1e-12 && (z - (2.5 + 1.5)).abs() < 1e-12);
        assert_eq!(
            crate::error::name_of(PanelArray::new(
                (2, 1),
                (4, 2),
                (0.5, 0.5),
                (1.0, 0.0),
                Polarization::Single
            )),
            "panel spacing (d_gV, d_gH)"
        );
        assert_eq!(
            crate::error::name_of(PanelArray::new(
                (1, 0),
                (4, 2),
                (0.5, 0.5),
                (0.0, 0.0),
                Polarization::Single
            )),
            "(Mg, Ng, M, N)"
        );
        let mut out = vec![C32::new(0.0, 0.0); 3];
        assert_eq!(
            crate::error::name_of(arr.response(
                90.0,
                0.0,
                (C32::new(1.0, 0.0), C32::new(0.0, 0.0)),
                &mut out
            )),
            "out [P·Mg·Ng·M·N]"
        );
    }
}
