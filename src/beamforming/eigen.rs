//! Eigen-beamforming: the dominant eigenvectors of a spatial covariance
//! `R = (1/N)·Σ_s h_sᴴ h_s` (h_s: one row of the channel, [P]) — the SU-MIMO beams that reach
//! the rank-r capacity with water-filling, and the per-user input of MU precoding (e.g. one
//! dominant direction per user from its SRS over a subband). The decomposition is
//! [`crate::linalg::hermitian_eigen`] (f64 Jacobi; ≈ 10 sweeps × P³ — a design-time,
//! per-subband operation).

use ndarray::{ArrayView2, ArrayViewMut2};
use num_complex::Complex64;

use crate::linalg::hermitian_eigen;
use crate::{C32, Error, Result};

/// Eigen-beamforming weights: the `rank` dominant eigenvectors of the covariance of `h`
/// [n_samples, P] (rows: subcarriers × receive antennas of a subband) into `w` [P, rank], each
/// column unit-norm with its first non-zero entry real and positive (a fixed phase reference);
/// returns the `rank` eigenvalues (descending), i.e. the per-layer channel gains.
///
/// Errors: shapes, rank 0 or > P, non-finite channel entries.
pub fn eigen_beams(
    h: ArrayView2<'_, C32>,
    rank: usize,
    mut w: ArrayViewMut2<'_, C32>,
) -> Result<Vec<f64>> {
    let (n, p) = h.dim();
    if n == 0 || rank == 0 || rank > p || w.dim() != (p, rank) {
        return Err(Error::ShapeMismatch {
            name: "h [n_samples, P] / w [P, rank]",
            expected: crate::error::Shape::of(&[p, rank.clamp(1, p.max(1))]),
            got: crate::error::Shape::of(&[w.nrows(), w.ncols()]),
        });
    }
    let mut r = vec![Complex64::new(0.0, 0.0); p * p];
    for row in h.rows() {
        for i in 0..p {
            let hi = Complex64::new(row[i].re as f64, row[i].im as f64).conj();
            for j in 0..p {
                r[i * p + j] += hi * Complex64::new(row[j].re as f64, row[j].im as f64);
            }
        }
    }
    for x in &mut r {
        *x /= n as f64;
    }
    let (values, vectors) = hermitian_eigen(&r, p)?;
    for l in 0..rank {
        let k0 = (0..p)
            .find(|&k| vectors[k * p + l].norm() > 1e-12)
            .unwrap_or(0);
        let ph = vectors[k0 * p + l].conj() / vectors[k0 * p + l].norm().max(1e-300);
        for k in 0..p {
            let x = vectors[k * p + l] * ph;
            w[[k, l]] = C32::new(x.re as f32, x.im as f32);
        }
    }
    Ok(values[..rank].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_one_channel_gives_its_matched_beam() {
        // h_s = g_s·aᵀ: R = E|g|²·a*aᵀ, dominant eigenvector ∝ conj(a).
        let p = 8;
        let a: Vec<C32> = (0..p)
            .map(|k| C32::from_polar(1.0, 0.7 * k as f32))
            .collect();
        let h =
            ndarray::Array2::from_shape_fn((5, p), |(s, k)| a[k] * C32::new(1.0 + s as f32, -0.5));
        let mut w = ndarray::Array2::zeros((p, 1));
        let vals = eigen_beams(h.view(), 1, w.view_mut()).unwrap();
        let gain: C32 = (0..p).map(|k| a[k] * w[[k, 0]]).sum();
        assert!((gain.norm() - (p as f32).sqrt()).abs() < 1e-4);
        assert!(vals[0] > 0.0);
        assert_eq!(
            crate::error::name_of(eigen_beams(
                h.view(),
                9,
                ndarray::Array2::zeros((p, 9)).view_mut()
            )),
            "h [n_samples, P] / w [P, rank]"
        );
    }
}
