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
    /// Full decomposition, for requests wider than the subspace.
    eig: HermitianEigen,
    /// Subspace iteration: basis Q and G·Q (N × p, column-major), the projected p × p matrix
    /// and its decomposition, the Ritz vectors.
    q: Vec<Complex64>,
    z: Vec<Complex64>,
    t: Vec<Complex64>,
    eig_small: HermitianEigen,
    ritz: Vec<Complex64>,
}

/// Widest subspace of the iteration (requested dimensions + 2 guard vectors).
const MAX_SUBSPACE: usize = 8;
/// Subspace iterations before the Rayleigh–Ritz step: the error of a dimension falls as
/// (λ_{p+1}/λ_i)^iterations — 1e-16 after 8 for an interferer 10 dB above the first rejected
/// dimension; dimensions near the noise converge slower and matter little.
const ITERATIONS: usize = 8;

impl InterferenceEstimator {
    /// Buffers for up to `max_samples` residual samples per call (1 ..= 256;
    /// `InvalidParameter` naming `max_samples` otherwise).
    pub fn new(max_samples: usize) -> Result<Self> {
        if max_samples == 0 || max_samples > MAX_EIGEN_ORDER {
            return Err(Error::InvalidParameter {
                name: "max_samples (IRC residuals per group)",
                value: crate::error::Value::of(&max_samples),
                reason: "1 ..= 256",
            });
        }
        let z0 = Complex64::new(0.0, 0.0);
        let p = MAX_SUBSPACE.min(max_samples);
        Ok(Self {
            max_samples,
            gram: vec![z0; max_samples * max_samples],
            eig: HermitianEigen::new(max_samples)?,
            q: vec![z0; max_samples * p],
            z: vec![z0; max_samples * p],
            t: vec![z0; p * p],
            eig_small: HermitianEigen::new(p)?,
            ritz: vec![z0; max_samples * p],
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
                expected: crate::error::Shape::of(&[n_ant, n.clamp(1, self.max_samples)]),
                got: crate::error::Shape::of(&[u.dim().1, n]),
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
        // The n_int strongest eigenpairs: by subspace iteration with Rayleigh–Ritz when a
        // subspace of n_int + 2 fits (N³-free: 8 products G·Q), else the full Jacobi.
        let p = (n_int + 2).min(n);
        let (vals, vecs, stride): (&[f64], &[Complex64], usize) = if p <= MAX_SUBSPACE && p < n {
            self.subspace(n, p)?;
            (self.eig_small.values(), &self.ritz[..n * p], p)
        } else {
            self.eig.compute(gram, n)?;
            (self.eig.values(), self.eig.vectors(), n)
        };
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
                    .map(|(a, p)| Complex64::new(p.re as f64, p.im as f64) * vecs[a * stride + i])
                    .sum();
                *dst = C32::new((v.re * scale) as f32, (v.im * scale) as f32);
            }
            kept += 1;
        }
        Ok(kept)
    }

    /// The p dominant eigenpairs of the Gram in `self.gram` (n × n): values in
    /// `eig_small.values()`, vectors as the columns of `ritz` (n × p, row-major).
    fn subspace(&mut self, n: usize, p: usize) -> Result<()> {
        let g = &self.gram[..n * n];
        let (q, z) = (&mut self.q[..n * p], &mut self.z[..n * p]);
        let z0 = Complex64::new(0.0, 0.0);
        // Start from the p columns of G with the largest diagonal (its range's strongest part);
        // q and z hold column j at [j·n .. (j + 1)·n].
        let mut chosen = [usize::MAX; MAX_SUBSPACE];
        for j in 0..p {
            let best = (0..n)
                .filter(|i| !chosen[..j].contains(i))
                .max_by(|&a, &b| g[a * n + a].re.total_cmp(&g[b * n + b].re))
                .unwrap_or(0);
            chosen[j] = best;
            for i in 0..n {
                z[j * n + i] = g[i * n + best];
            }
        }
        let orthonormalise = |z: &[Complex64], q: &mut [Complex64]| {
            for j in 0..p {
                let (done, rest) = q.split_at_mut(j * n);
                let col = &mut rest[..n];
                col.copy_from_slice(&z[j * n..(j + 1) * n]);
                // Modified Gram–Schmidt, twice (keeps orthogonality at rounding level).
                for _ in 0..2 {
                    for k in 0..j {
                        let qk = &done[k * n..(k + 1) * n];
                        let d: Complex64 =
                            qk.iter().zip(col.iter()).map(|(a, b)| a.conj() * b).sum();
                        col.iter_mut().zip(qk).for_each(|(c, a)| *c -= d * a);
                    }
                }
                let norm = col.iter().map(|v| v.norm_sqr()).sum::<f64>().sqrt();
                if norm > 1e-300 {
                    col.iter_mut().for_each(|v| *v /= norm);
                } else {
                    col.fill(z0); // rank below p: a zero direction (eigenvalue 0)
                }
            }
        };
        orthonormalise(z, q);
        let mul = |q: &[Complex64], z: &mut [Complex64]| {
            for j in 0..p {
                let qj = &q[j * n..(j + 1) * n];
                for i in 0..n {
                    let gi = &g[i * n..(i + 1) * n];
                    z[j * n + i] = gi.iter().zip(qj).map(|(a, b)| a * b).sum();
                }
            }
        };
        for _ in 0..ITERATIONS {
            mul(q, z);
            orthonormalise(z, q);
        }
        // Rayleigh–Ritz: T = Qᴴ G Q (made exactly Hermitian), T = V Λ Vᴴ, Ritz vectors Q V.
        mul(q, z);
        let t = &mut self.t[..p * p];
        for a in 0..p {
            for b in 0..p {
                t[a * p + b] = q[a * n..(a + 1) * n]
                    .iter()
                    .zip(&z[b * n..(b + 1) * n])
                    .map(|(x, y)| x.conj() * y)
                    .sum();
            }
        }
        for a in 0..p {
            t[a * p + a] = Complex64::new(t[a * p + a].re, 0.0);
            for b in a + 1..p {
                let m = 0.5 * (t[a * p + b] + t[b * p + a].conj());
                t[a * p + b] = m;
                t[b * p + a] = m.conj();
            }
        }
        self.eig_small.compute(t, p)?;
        let v = self.eig_small.vectors();
        for i in 0..n {
            for c in 0..p {
                self.ritz[i * p + c] = (0..p).map(|k| q[k * n + i] * v[k * p + c]).sum();
            }
        }
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    /// Residuals of two interferers (powers 100 and 20) plus unit noise on 16 antennas, 24
    /// samples: the subspace iteration must give the factors of the full decomposition
    /// (UUᴴ to 1e-4 relative — both are exact up to rounding for a gap of 20:1).
    #[test]
    fn subspace_iteration_equals_the_full_decomposition() {
        let (n_ant, n) = (16, 24);
        let h = |i: usize, j: usize, s: f64| {
            let x = (i * 7 + j * 13) as f64 * 0.37 + s;
            C32::new(x.sin() as f32, (1.3 * x).cos() as f32)
        };
        let e = Array2::from_shape_fn((n_ant, n), |(a, t)| {
            h(a, 0, 0.1) * h(t, 1, 0.7) * 10.0
                + h(a, 2, 0.3) * h(t, 3, 0.9) * 20f32.sqrt()
                + h(a, t, 1.7) * 0.7
        });
        let mut est = InterferenceEstimator::new(n).unwrap();
        let (mut u_sub, mut u_full) = (Array2::zeros((2, n_ant)), Array2::zeros((n - 2, n_ant)));
        let k_sub = est.factors(e.view(), 0.5, u_sub.view_mut()).unwrap();
        // n_int = n − 2: the subspace would be the whole space, so the full Jacobi runs.
        let k_full = est.factors(e.view(), 0.5, u_full.view_mut()).unwrap();
        assert_eq!(k_sub, 2);
        assert!(k_full >= 2);
        let outer = |u: &Array2<C32>, k: usize| {
            Array2::from_shape_fn((n_ant, n_ant), |(a, b)| {
                (0..k).map(|i| u[[i, a]] * u[[i, b]].conj()).sum::<C32>()
            })
        };
        let (a, b) = (outer(&u_sub, 2), outer(&u_full, 2));
        let scale = b.iter().map(|v| v.norm()).fold(0.0f32, f32::max);
        let diff = a
            .iter()
            .zip(b.iter())
            .map(|(x, y)| (x - y).norm())
            .fold(0.0f32, f32::max);
        assert!(diff < 1e-4 * scale, "{diff} vs {scale}");
    }
}
