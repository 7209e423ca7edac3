//! Eigen-decomposition of small complex Hermitian matrices by the cyclic Jacobi method (Golub
//! & Van Loan §8.5, with a phase rotation folding each complex off-diagonal element into a
//! real rotation), in f64: unconditionally stable and accurate to the last bits for the small
//! orders (≤ 256) of covariance and Gram matrices in beamforming, block diagonalisation and
//! IRC. [`HermitianEigen`] holds the work buffers for a largest order, so repeated calls
//! (per PRB, per slot) allocate nothing; [`hermitian_eigen`] is the one-shot form.

use num_complex::Complex64;

use crate::{Error, Result};

/// Largest order [`HermitianEigen::new`] accepts.
pub const MAX_EIGEN_ORDER: usize = 256;

/// Work buffers of the Jacobi eigen-solver for orders up to a capacity; results of the last
/// [`Self::compute`] in [`Self::values`] / [`Self::vectors`].
#[derive(Clone, Debug)]
pub struct HermitianEigen {
    max_n: usize,
    n: usize,
    m: Vec<Complex64>,
    v: Vec<Complex64>,
    values: Vec<f64>,
    vectors: Vec<Complex64>,
    order: Vec<usize>,
}

impl HermitianEigen {
    /// Buffers for orders 1 ..= `max_n` (≤ [`MAX_EIGEN_ORDER`]; `InvalidParameter` naming
    /// `max_n` otherwise).
    pub fn new(max_n: usize) -> Result<Self> {
        if max_n == 0 || max_n > MAX_EIGEN_ORDER {
            return Err(Error::InvalidParameter {
                name: "max_n (eigen-solver order)",
                value: crate::error::Value::of(&max_n),
                reason: "1 ..= 256",
            });
        }
        let z = Complex64::new(0.0, 0.0);
        Ok(Self {
            max_n,
            n: 0,
            m: vec![z; max_n * max_n],
            v: vec![z; max_n * max_n],
            values: vec![0.0; max_n],
            vectors: vec![z; max_n * max_n],
            order: Vec::with_capacity(max_n),
        })
    }

    /// Eigenvalues (descending) of the last [`Self::compute`] (n values).
    pub fn values(&self) -> &[f64] {
        &self.values[..self.n]
    }

    /// Eigenvectors of the last [`Self::compute`]: n × n row-major, column c belongs to
    /// `values()[c]`, orthonormal.
    pub fn vectors(&self) -> &[Complex64] {
        &self.vectors[..self.n * self.n]
    }

    /// Decomposes the Hermitian `a` (n × n, row-major, n ≤ the capacity; Hermitian up to
    /// rounding: ‖A − Aᴴ‖_F ≤ 1e-6·‖A‖_F). Allocates nothing.
    ///
    /// Errors: a length that is not n² or n beyond the capacity (`ShapeMismatch` naming
    /// `a [n, n]`), non-finite entries (`NonFinite`), a non-Hermitian matrix
    /// (`InvalidParameter` naming `a`).
    pub fn compute(&mut self, a: &[Complex64], n: usize) -> Result<()> {
        if a.len() != n * n || n == 0 || n > self.max_n {
            return Err(Error::ShapeMismatch {
                name: "a [n, n] (n ≤ the solver's capacity)",
                expected: crate::error::Shape::of(&[
                    n.clamp(1, self.max_n),
                    n.clamp(1, self.max_n),
                ]),
                got: crate::error::Shape::of(&[a.len()]),
            });
        }
        if a.iter().any(|v| !(v.re.is_finite() && v.im.is_finite())) {
            return Err(Error::NonFinite {
                name: "covariance entry",
                value: f64::NAN,
            });
        }
        // Hermitian to rounding (issue 21: a non-Hermitian matrix used to be silently replaced by
        // its Hermitian part): ‖A − Aᴴ‖_F ≤ 1e-6·‖A‖_F.
        let norm: f64 = a.iter().map(|x| x.norm_sqr()).sum::<f64>().sqrt();
        let skew: f64 = (0..n)
            .flat_map(|i| (0..n).map(move |j| (i, j)))
            .map(|(i, j)| (a[i * n + j] - a[j * n + i].conj()).norm_sqr())
            .sum::<f64>()
            .sqrt();
        if skew > 1e-6 * norm {
            return Err(Error::InvalidParameter {
                name: "a (Hermitian matrix)",
                value: crate::value!("‖A − Aᴴ‖/‖A‖ = {:.1e}", skew / norm),
                reason: "must be Hermitian (to 1e-6 relative)",
            });
        }
        // Symmetrise (removes the rounding-level asymmetry).
        self.n = 0;
        let m = &mut self.m[..n * n];
        for i in 0..n {
            for j in 0..n {
                m[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i].conj());
            }
        }
        let v = &mut self.v[..n * n];
        v.fill(Complex64::new(0.0, 0.0));
        for i in 0..n {
            v[i * n + i] = 1.0.into();
        }
        let scale: f64 = m.iter().map(|x| x.norm_sqr()).sum::<f64>().sqrt();
        for _sweep in 0..60 {
            let off: f64 = (0..n)
                .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
                .map(|(i, j)| m[i * n + j].norm_sqr())
                .sum::<f64>()
                .sqrt();
            if off <= 1e-15 * scale || scale == 0.0 {
                break;
            }
            for p in 0..n {
                for q in p + 1..n {
                    let apq = m[p * n + q];
                    let r = apq.norm();
                    if r <= 1e-300 {
                        continue;
                    }
                    let e = apq / r; // e^{jα}
                    let (app, aqq) = (m[p * n + p].re, m[q * n + q].re);
                    let tau = (aqq - app) / (2.0 * r);
                    let t = if tau >= 0.0 {
                        1.0 / (tau + (1.0 + tau * tau).sqrt())
                    } else {
                        -1.0 / (-tau + (1.0 + tau * tau).sqrt())
                    };
                    let c = 1.0 / (1.0 + t * t).sqrt();
                    let s = t * c;
                    // J: J_pp = c, J_pq = s·e^{jα}, J_qp = −s·e^{−jα}, J_qq = c; M ← JᴴMJ, V ← VJ.
                    let (jpq, jqp) = (s * e, -s * e.conj());
                    for k in 0..n {
                        let (mkp, mkq) = (m[k * n + p], m[k * n + q]);
                        m[k * n + p] = c * mkp + jqp * mkq;
                        m[k * n + q] = jpq * mkp + c * mkq;
                        let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                        v[k * n + p] = c * vkp + jqp * vkq;
                        v[k * n + q] = jpq * vkp + c * vkq;
                    }
                    for k in 0..n {
                        let (mpk, mqk) = (m[p * n + k], m[q * n + k]);
                        m[p * n + k] = c * mpk + jqp.conj() * mqk;
                        m[q * n + k] = jpq.conj() * mpk + c * mqk;
                    }
                    m[p * n + q] = Complex64::new(0.0, 0.0);
                    m[q * n + p] = Complex64::new(0.0, 0.0);
                }
            }
        }
        self.order.clear();
        self.order.extend(0..n);
        self.order
            .sort_unstable_by(|&a, &b| m[b * n + b].re.total_cmp(&m[a * n + a].re).then(a.cmp(&b)));
        for (col, &i) in self.order.iter().enumerate() {
            self.values[col] = m[i * n + i].re;
            for k in 0..n {
                self.vectors[k * n + col] = v[k * n + i];
            }
        }
        self.n = n;
        Ok(())
    }
}

/// Eigenvalues (descending) and eigenvectors (columns, same order) of the Hermitian `a`
/// (n × n, row-major, Hermitian up to rounding: ‖A − Aᴴ‖_F ≤ 1e-6·‖A‖_F, else
/// [`Error::InvalidParameter`] naming `a`). Allocates its buffers: design-time use; a
/// per-slot caller holds a [`HermitianEigen`].
pub fn hermitian_eigen(a: &[Complex64], n: usize) -> Result<(Vec<f64>, Vec<Complex64>)> {
    if n == 0 || n > MAX_EIGEN_ORDER {
        return Err(Error::ShapeMismatch {
            name: "a [n, n]",
            expected: crate::error::Shape::of(&[
                n.clamp(1, MAX_EIGEN_ORDER),
                n.clamp(1, MAX_EIGEN_ORDER),
            ]),
            got: crate::error::Shape::of(&[a.len()]),
        });
    }
    let mut e = HermitianEigen::new(n)?;
    e.compute(a, n)?;
    Ok((e.values().to_vec(), e.vectors().to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_hermitian_input_is_rejected_by_name() {
        let c = |re: f64, im: f64| Complex64::new(re, im);
        // [[1, 2+i], [2−i, 3]] is Hermitian; perturbing one entry by 1e-3 is not.
        let h = [c(1.0, 0.0), c(2.0, 1.0), c(2.0, -1.0), c(3.0, 0.0)];
        let (vals, _) = hermitian_eigen(&h, 2).unwrap();
        // trace 4, determinant 3 − 5 = −2: λ = 2 ± √6.
        assert!(
            (vals[0] - (2.0 + 6f64.sqrt())).abs() < 1e-12
                && (vals[1] - (2.0 - 6f64.sqrt())).abs() < 1e-12
        );
        let mut bad = h;
        bad[1] = c(2.001, 1.0);
        match hermitian_eigen(&bad, 2) {
            Err(Error::InvalidParameter { name, .. }) => assert!(name.starts_with('a')),
            other => panic!("{other:?}"),
        }
        // Rounding-level asymmetry is accepted.
        bad[1] = c(2.0 + 1e-12, 1.0);
        assert!(hermitian_eigen(&bad, 2).is_ok());
    }

    #[test]
    fn decomposes_a_hermitian_matrix() {
        let n = 12;
        let b: Vec<Complex64> = (0..n * n)
            .map(|i| Complex64::new((i as f64 * 0.731).sin(), (i as f64 * 1.37).cos()))
            .collect();
        let mut a = vec![Complex64::new(0.0, 0.0); n * n];
        for i in 0..n {
            for j in 0..n {
                a[i * n + j] = (0..n).map(|k| b[k * n + i].conj() * b[k * n + j]).sum();
            }
        }
        let (vals, vecs) = hermitian_eigen(&a, n).unwrap();
        for w in vals.windows(2) {
            assert!(w[0] >= w[1]);
        }
        for c in 0..n {
            for i in 0..n {
                let av: Complex64 = (0..n).map(|k| a[i * n + k] * vecs[k * n + c]).sum();
                assert!(
                    (av - vals[c] * vecs[i * n + c]).norm() < 1e-9 * vals[0],
                    "col {c}"
                );
            }
            for d in 0..n {
                let dot: Complex64 = (0..n)
                    .map(|k| vecs[k * n + c].conj() * vecs[k * n + d])
                    .sum();
                let e = if c == d { 1.0 } else { 0.0 };
                assert!((dot - e).norm() < 1e-10);
            }
        }
        let trace: f64 = (0..n).map(|i| a[i * n + i].re).sum();
        assert!((vals.iter().sum::<f64>() - trace).abs() < 1e-9 * trace);
    }

    #[test]
    fn the_workspace_is_reused_across_orders_without_stale_values() {
        let c = |re: f64, im: f64| Complex64::new(re, im);
        let mut e = HermitianEigen::new(3).unwrap();
        let a3 = [
            c(4.0, 0.0),
            c(1.0, 1.0),
            c(0.0, 0.0),
            c(1.0, -1.0),
            c(3.0, 0.0),
            c(0.5, 0.0),
            c(0.0, 0.0),
            c(0.5, 0.0),
            c(1.0, 0.0),
        ];
        e.compute(&a3, 3).unwrap();
        let (v3, _) = hermitian_eigen(&a3, 3).unwrap();
        assert_eq!(e.values(), &v3[..]);
        // diag(2, 5): eigenvalues 5, 2 with unit vectors e₂, e₁.
        e.compute(&[c(2.0, 0.0), c(0.0, 0.0), c(0.0, 0.0), c(5.0, 0.0)], 2)
            .unwrap();
        assert_eq!(e.values(), &[5.0, 2.0]);
        assert_eq!(
            e.vectors(),
            &[c(0.0, 0.0), c(1.0, 0.0), c(1.0, 0.0), c(0.0, 0.0)]
        );
        match e.compute(&[c(1.0, 0.0); 16], 4) {
            Err(Error::ShapeMismatch { name, .. }) => assert!(name.starts_with("a [n, n]")),
            other => panic!("{other:?}"),
        }
        match HermitianEigen::new(0) {
            Err(Error::InvalidParameter { name, .. }) => assert!(name.starts_with("max_n")),
            other => panic!("{other:?}"),
        }
    }
}
