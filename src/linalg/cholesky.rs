//! Cholesky factorisation `A = LLᴴ` and solve of small Hermitian positive-definite systems in
//! f64 (estimation filter design: window sizes ≤ a few tens).

use num_complex::Complex64;

/// Cholesky factor `A = L·Lᴴ` of the Hermitian `n × n` row-major `a`, in place (lower
/// triangle; the upper one is left as it was). Returns the smallest pivot `L_ii²`, or `None`
/// when a pivot is not positive (or NaN): the matrix is not numerically positive definite.
pub(crate) fn cholesky_in_place(a: &mut [Complex64], n: usize) -> Option<f64> {
    let mut min_pivot = f64::INFINITY;
    for j in 0..n {
        let mut d = a[j * n + j].re;
        for p in 0..j {
            d -= a[j * n + p].norm_sqr();
        }
        if d.is_nan() || d <= 0.0 {
            return None;
        }
        min_pivot = min_pivot.min(d);
        let ljj = d.sqrt();
        a[j * n + j] = Complex64::new(ljj, 0.0);
        for i in j + 1..n {
            let mut s = a[i * n + j];
            for p in 0..j {
                s -= a[i * n + p] * a[j * n + p].conj();
            }
            a[i * n + j] = s / ljj;
        }
    }
    Some(min_pivot)
}

/// Solves `L·Lᴴ·x = b` in place, `l` the factor from [`cholesky_in_place`].
///
/// Both substitutions run column-oriented: once `x_i` is known it is subtracted from every
/// later (forward) or earlier (backward) entry — independent updates, so the loop is not one
/// long chain of dependent complex multiply-subtracts (the row-oriented dot-product form was
/// latency-bound: the LMMSE filter design solves one system per output).
pub(crate) fn solve_cholesky(l: &[Complex64], n: usize, b: &mut [Complex64]) {
    // L·y = b: y_i = b_i / L_ii, then b_p −= L_pi·y_i for p > i.
    for i in 0..n {
        let yi = b[i] / l[i * n + i].re;
        b[i] = yi;
        for p in i + 1..n {
            b[p] -= l[p * n + i] * yi;
        }
    }
    // Lᴴ·x = y: x_i = y_i / L_ii, then y_p −= conj(L_ip)·x_i for p < i (row i of L).
    for i in (0..n).rev() {
        let xi = b[i] / l[i * n + i].re;
        b[i] = xi;
        for (bp, lp) in b[..i].iter_mut().zip(&l[i * n..i * n + i]) {
            *bp -= lp.conj() * xi;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_hermitian_system() {
        // A = BᴴB + I for a fixed B; check A·x = b.
        let n = 5;
        let bm: Vec<Complex64> = (0..n * n)
            .map(|i| Complex64::new((i as f64 * 0.37).sin(), (i as f64 * 0.91).cos()))
            .collect();
        let mut a = vec![Complex64::new(0.0, 0.0); n * n];
        for i in 0..n {
            for j in 0..n {
                a[i * n + j] = (0..n).map(|r| bm[r * n + i].conj() * bm[r * n + j]).sum();
            }
            a[i * n + i] += 1.0;
        }
        let orig = a.clone();
        let b: Vec<Complex64> = (0..n).map(|i| Complex64::new(i as f64, 1.0)).collect();
        let mut x = b.clone();
        assert!(cholesky_in_place(&mut a, n).unwrap() > 0.0);
        solve_cholesky(&a, n, &mut x);
        for i in 0..n {
            let ax: Complex64 = (0..n).map(|j| orig[i * n + j] * x[j]).sum();
            assert!((ax - b[i]).norm() < 1e-10);
        }
    }

    #[test]
    fn rejects_indefinite_and_nan() {
        let mut a = vec![Complex64::new(1.0, 0.0), 2.0.into(), 2.0.into(), 1.0.into()];
        assert!(cholesky_in_place(&mut a, 2).is_none());
        let mut a = vec![Complex64::new(f64::NAN, 0.0)];
        assert!(cholesky_in_place(&mut a, 1).is_none());
    }
}
