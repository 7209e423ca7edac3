//! Grid of beams: the oversampled 2D DFT over the rows and columns of a planar array — the beam
//! set of analogue/hybrid 3D-MIMO beam sweeping (SSB/CSI-RS beams) and the spatial basis of the
//! Type I codebook's `v_{l,m}` (38.214 §5.2.2.2.1), here in the element order of
//! [`crate::array::PlanarArray`] (element (m, n) = index m·cols + n, m counting rows upward).
//!
//! Beam (p, q), p ∈ 0..O_v·rows (vertical), q ∈ 0..O_h·cols (horizontal):
//! `w[m·cols + n] = e^{−j2π(m·p/(O_v·rows) + n·q/(O_h·cols))} / √(rows·cols)`.
//! It points where the steering vector's phase progression is `+2π·p/(O_v·rows)` per row and
//! `+2π·q/(O_h·cols)` per column, i.e. (spacings d_v, d_h in wavelengths, θ zenith, φ azimuth)
//! `d_v·cosθ ≡ p/(O_v·rows)` and `d_h·sinθ·sinφ ≡ q/(O_h·cols)` (mod 1) — where `|aᵀw|²` peaks
//! at rows·cols.

use crate::{C32, Error, Result};

/// An oversampled 2D DFT grid of beams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DftGrid {
    rows: usize,
    cols: usize,
    o_v: usize,
    o_h: usize,
}

impl DftGrid {
    /// A grid for `rows × cols` elements with oversampling `o_v × o_h`: rows·cols ≤ 1024
    /// elements, oversampling 1 ..= 64 each (38.214's codebooks use 4; beam sweeping rarely
    /// more than 8).
    ///
    /// Errors: a zero or out-of-range dimension (`InvalidParameter` naming them; sizes whose
    /// beam count overflowed used to be accepted).
    pub fn new(rows: usize, cols: usize, o_v: usize, o_h: usize) -> Result<Self> {
        let elements = rows.saturating_mul(cols);
        if rows == 0
            || cols == 0
            || elements > 1024
            || !(1..=64).contains(&o_v)
            || !(1..=64).contains(&o_h)
        {
            return Err(Error::InvalidParameter {
                name: "(rows, cols, O_v, O_h)",
                value: crate::value!("({rows}, {cols}, {o_v}, {o_h})"),
                reason: "1 ≤ rows·cols ≤ 1024 elements, oversampling 1 ..= 64",
            });
        }
        Ok(Self {
            rows,
            cols,
            o_v,
            o_h,
        })
    }

    /// Elements (weights per beam).
    pub fn elements(&self) -> usize {
        self.rows * self.cols
    }

    /// Beams: O_v·rows · O_h·cols, indexed `p·(O_h·cols) + q`.
    pub fn beams(&self) -> usize {
        self.o_v * self.rows * self.o_h * self.cols
    }

    /// (p, q) of beam index `b`.
    ///
    /// Errors: `b` ≥ [`Self::beams`] (`InvalidParameter` naming `beam`).
    pub fn beam_pq(&self, b: usize) -> Result<(usize, usize)> {
        if b >= self.beams() {
            return Err(Error::InvalidParameter {
                name: "beam",
                value: crate::value!("{b} of {}", self.beams()),
                reason: "must be below O_v·rows·O_h·cols",
            });
        }
        Ok((b / (self.o_h * self.cols), b % (self.o_h * self.cols)))
    }

    /// Spatial frequencies (cycles per row, cycles per column) of beam `b`, in [−½, ½).
    ///
    /// Errors: as [`Self::beam_pq`].
    pub fn spatial_frequency(&self, b: usize) -> Result<(f64, f64)> {
        let (p, q) = self.beam_pq(b)?;
        let wrap = |x: f64| x - (x + 0.5).floor();
        Ok((
            wrap(p as f64 / (self.o_v * self.rows) as f64),
            wrap(q as f64 / (self.o_h * self.cols) as f64),
        ))
    }

    /// Unit-norm weights of beam `b` into `out` (rows·cols values).
    pub fn weights(&self, b: usize, out: &mut [C32]) -> Result<()> {
        let (p, q) = self.beam_pq(b)?;
        if out.len() != self.elements() {
            return Err(Error::ShapeMismatch {
                name: "w [rows·cols]",
                expected: crate::error::Shape::of(&[self.elements()]),
                got: crate::error::Shape::of(&[out.len()]),
            });
        }
        let s = 1.0 / (self.elements() as f64).sqrt();
        for m in 0..self.rows {
            for n in 0..self.cols {
                let cycles = ((m * p) as f64 / (self.o_v * self.rows) as f64
                    + (n * q) as f64 / (self.o_h * self.cols) as f64)
                    .fract();
                let ph = -2.0 * std::f64::consts::PI * cycles;
                out[m * self.cols + n] = C32::new((s * ph.cos()) as f32, (s * ph.sin()) as f32);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::array::PlanarArray;

    #[test]
    fn beam_peaks_in_its_direction_with_full_array_gain() {
        // 8 × 4 array, λ/2 spacing: steer to θ = 100°, φ = 20°, pick the best grid beam; the
        // gain there is close to rows·cols and the beam's spatial frequencies match.
        let grid = DftGrid::new(8, 4, 4, 4).unwrap();
        let arr = PlanarArray::new(8, 4, 0.5, 0.5).unwrap();
        let (zen, azi) = (100f64.to_radians(), 20f64.to_radians());
        let mut a = vec![C32::new(0.0, 0.0); 32];
        arr.steering(100.0, 20.0, &mut a).unwrap();
        let mut w = vec![C32::new(0.0, 0.0); 32];
        let mut best = (0, 0.0f32);
        for b in 0..grid.beams() {
            grid.weights(b, &mut w).unwrap();
            let g: C32 = a.iter().zip(&w).map(|(x, y)| x * y).sum();
            if g.norm_sqr() > best.1 {
                best = (b, g.norm_sqr());
            }
        }
        // Oversampling 4 loses at most ~1 dB at the worst scan point; 32 is the maximum.
        assert!(best.1 > 32.0 * 0.75 && best.1 <= 32.0 + 1e-3, "{best:?}");
        let (fv, fh) = grid.spatial_frequency(best.0).unwrap();
        // Issue 21: a beam beyond the grid is a named error.
        assert!(
            grid.beam_pq(grid.beams())
                .is_err_and(|e| matches!(e, Error::InvalidParameter { name: "beam", .. }))
        );
        let (tv, th) = (0.5 * zen.cos(), 0.5 * zen.sin() * azi.sin());
        assert!((fv - tv).abs() <= 0.5 / 32.0 + 1e-9 && (fh - th).abs() <= 0.5 / 16.0 + 1e-9);
    }

    #[test]
    fn non_oversampled_beams_are_orthonormal() {
        let grid = DftGrid::new(4, 2, 1, 1).unwrap();
        let mut w = vec![vec![C32::new(0.0, 0.0); 8]; 8];
        for (b, wb) in w.iter_mut().enumerate() {
            grid.weights(b, wb).unwrap();
        }
        for i in 0..8 {
            for j in 0..8 {
                let d: C32 = w[i].iter().zip(&w[j]).map(|(a, b)| a.conj() * b).sum();
                let e = if i == j { 1.0 } else { 0.0 };
                assert!((d - C32::new(e, 0.0)).norm() < 1e-5);
            }
        }
        assert_eq!(
            crate::error::name_of(DftGrid::new(0, 2, 1, 1)),
            "(rows, cols, O_v, O_h)"
        );
        assert_eq!(
            crate::error::name_of(grid.weights(8, &mut [C32::new(0.0, 0.0); 8])),
            "beam"
        );
        assert_eq!(
            crate::error::name_of(grid.weights(0, &mut [C32::new(0.0, 0.0); 7])),
            "w [rows·cols]"
        );
    }
}
