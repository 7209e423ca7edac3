//! IRC interference factors from DMRS residuals: the low-rank part of the interference-plus-
//! noise covariance `R = σ²I + UUᴴ` that [`super::DetectorMethod::Irc`] whitens against
//! (38.101-4 / TS 38.802-style enhanced receivers; Lehtomäki's IRC with a sample covariance).

use ndarray::{ArrayView2, ArrayViewMut2};
use num_complex::Complex64;

use crate::linalg::{HermitianEigen, MAX_EIGEN_ORDER};
use crate::{C32, Error, Result};

/// Interference factors from residual samples, allocation-free per call (buffers for up to
/// `max_samples` samples per call, built once).
///
/// With the residuals `e` `[n_ant, n_samples]` of one filter group (received DMRS minus the
/// estimated contribution of every scheduled port) and the sample covariance
/// `S = EEᴴ/N = Σ λ_i v_i v_iᴴ`, keeps the `n_int` strongest dimensions whose eigenvalue
/// exceeds the noise, noise removed: `u_i = v_i·√(λ_i − σ²)`, so that `R = σ²I + UUᴴ`.
/// Computed through the N × N Gram `EᴴE` (N ≤ a few tens), not the n_ant-order covariance.
#[derive(Clone, Debug)]
pub struct InterferenceEstimator {
    max_samples: usize,
    gram: Vec<Complex64>,
    eig: HermitianEigen,
}

impl InterferenceEstimator {
    /// Buffers for up to `max_samples` residual samples per call (1 ..= 256;
    /// `InvalidParameter` naming `max_samples` otherwise).
    pub fn new(max_samples: usize) -> Result<Self> {
        if max_samples == 0 || max_samples > MAX_EIGEN_ORDER {
            return Err(Error::InvalidParameter {
                name: "max_samples (IRC residuals per group)",
                value: max_samples.to_string(),
                reason: "1 ..= 256",
            });
        }
        Ok(Self {
            max_samples,
            gram: vec![Complex64::new(0.0, 0.0); max_samples * max_samples],
            eig: HermitianEigen::new(max_samples)?,
        })
    }

    /// Writes the factors into `u` `[n_int, n_ant]` (the crate's channel axis order: factor i is
    /// the antenna vector `u[i, ..]`; rows beyond the significant dimensions are zero) and
    /// returns how many are significant. `noise_var` per RE, finite and ≥ 0.
    ///
    /// Errors: `e` without samples, more samples than the capacity, `u` with another antenna
    /// count (`ShapeMismatch` naming them); a bad `noise_var`; non-finite residuals
    /// (`NonFinite`).
    pub fn factors(
        &mut self,
        e: ArrayView2<'_, C32>,
        noise_var: f32,
        mut u: ArrayViewMut2<'_, C32>,
    ) -> Result<usize> {
        let (n_ant, n) = e.dim();
        let n_int = u.dim().0;
        if n == 0 || n > self.max_samples || u.dim().1 != n_ant {
            return Err(Error::ShapeMismatch {
                name: "e [n_ant, 1 ≤ n_samples ≤ max_samples] / u [n_int, n_ant]",
                expected: vec![n_ant, n.clamp(1, self.max_samples)],
                got: vec![u.dim().1, n],
            });
        }
        crate::error::check_noise_var(&[noise_var])?;
        // EᴴE/N = W Λ Wᴴ; then v_i = E w_i / √(N λ_i).
        let gram = &mut self.gram[..n * n];
        for a in 0..n {
            for c in a..n {
                let s: Complex64 = e
                    .column(a)
                    .iter()
                    .zip(e.column(c).iter())
                    .map(|(p, q)| {
                        Complex64::new(p.re as f64, -p.im as f64)
                            * Complex64::new(q.re as f64, q.im as f64)
                    })
                    .sum();
                gram[a * n + c] = s / n as f64;
                gram[c * n + a] = (s / n as f64).conj();
            }
        }
        self.eig.compute(gram, n)?;
        let (vals, vecs) = (self.eig.values(), self.eig.vectors());
        u.fill(C32::new(0.0, 0.0));
        let mut kept = 0;
        for (i, &lam) in vals.iter().enumerate().take(n_int) {
            if lam <= noise_var as f64 {
                break;
            }
            let scale = ((lam - noise_var as f64) / (n as f64 * lam)).sqrt();
            for (row, dst) in e.outer_iter().zip(u.row_mut(i).iter_mut()) {
                let v: Complex64 = row
                    .iter()
                    .enumerate()
                    .map(|(a, p)| Complex64::new(p.re as f64, p.im as f64) * vecs[a * n + i])
                    .sum();
                *dst = C32::new((v.re * scale) as f32, (v.im * scale) as f32);
            }
            kept += 1;
        }
        Ok(kept)
    }
}

/// One-shot [`InterferenceEstimator::factors`] (allocates its buffers: for tests and
/// design-time use; a per-slot caller holds an [`InterferenceEstimator`]).
pub fn interference_factors(
    e: ArrayView2<'_, C32>,
    noise_var: f32,
    u: ArrayViewMut2<'_, C32>,
) -> Result<usize> {
    InterferenceEstimator::new(e.dim().1.clamp(1, MAX_EIGEN_ORDER))?.factors(e, noise_var, u)
}
