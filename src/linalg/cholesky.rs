//! Cholesky factorisation `A = LLᴴ` and solve of small Hermitian positive-definite systems in
//! f64 (estimation filter design: window sizes ≤ a few tens).

use num_complex::Complex64;

use crate::{Error, Result};

/// Solves the Hermitian positive-definite system `a·x = b` in f64 by Cholesky: `a` (n × n,
/// row-major; only its lower triangle is read) is overwritten by its factor L (lower
/// triangle), `b` (n) by x. For small per-RE or per-PRB systems (a multi-antenna receiver's
/// MMSE-IRC combiner, n ≤ a few tens); allocates nothing.
///
/// Errors: `a` not n² or `b` not n long (`ShapeMismatch` naming `a [n, n] / b [n]`); a pivot
/// that is not positive or not finite — `a` not numerically positive definite, or NaN in it —
/// (`InvalidParameter` naming `a`; `b` is then left as it was).
pub fn solve_hermitian(a: &mut [Complex64], n: usize, b: &mut [Complex64]) -> Result<()> {
    if a.len() != n * n || b.len() != n {
        return Err(Error::ShapeMismatch {
            name: "a [n, n] / b [n]",
            expected: crate::error::Shape::of(&[n * n, n]),
            got: crate::error::Shape::of(&[a.len(), b.len()]),
        });
    }
    match cholesky_in_place(a, n) {
        Some(p) if p.is_finite() => {
            solve_cholesky(a, n, b);
            Ok(())
        }
        _ => Err(Error::InvalidParameter {
            name: "a",
            value: crate::value!("{n} × {n}"),
            reason: "must be Hermitian positive definite with finite entries",
        }),
    }
}

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

/// [`solve_cholesky`] for `m` right-hand sides at once, in split planes: `b_re`/`b_im` are
/// `n × m` row-major (row i = entry i of every system, column j = system j), overwritten by
/// the solutions. The same substitutions in the same order per system, so each column's result
/// is bit for bit [`solve_cholesky`]'s; the innermost loops run along the `m` systems
/// (contiguous, independent), which the compiler vectorises — the LMMSE filter design solves
/// all of a chunk's new outputs in one call.
pub(crate) fn solve_cholesky_many(
    l: &[Complex64],
    n: usize,
    m: usize,
    b_re: &mut [f64],
    b_im: &mut [f64],
) {
    debug_assert!(l.len() >= n * n && b_re.len() >= n * m && b_im.len() >= n * m);
    let (b_re, b_im) = (&mut b_re[..n * m], &mut b_im[..n * m]);
    // L·y = b, column-oriented as in `solve_cholesky`.
    for i in 0..n {
        let d = l[i * n + i].re;
        let (done_re, later_re) = b_re.split_at_mut((i + 1) * m);
        let (done_im, later_im) = b_im.split_at_mut((i + 1) * m);
        let (yr, yi) = (&mut done_re[i * m..], &mut done_im[i * m..]);
        for (r, im) in yr.iter_mut().zip(yi.iter_mut()) {
            *r /= d;
            *im /= d;
        }
        for p in i + 1..n {
            let lp = l[p * n + i];
            let at = (p - i - 1) * m;
            let (pr, pi) = (&mut later_re[at..at + m], &mut later_im[at..at + m]);
            for j in 0..m {
                // b_p −= L_pi·y_i, evaluated as num-complex's product then difference.
                pr[j] -= lp.re * yr[j] - lp.im * yi[j];
                pi[j] -= lp.re * yi[j] + lp.im * yr[j];
            }
        }
    }
    // Lᴴ·x = y: x_i = y_i / L_ii, then y_p −= conj(L_ip)·x_i for p < i.
    for i in (0..n).rev() {
        let d = l[i * n + i].re;
        let (before_re, from_re) = b_re.split_at_mut(i * m);
        let (before_im, from_im) = b_im.split_at_mut(i * m);
        let (xr, xi) = (&mut from_re[..m], &mut from_im[..m]);
        for (r, im) in xr.iter_mut().zip(xi.iter_mut()) {
            *r /= d;
            *im /= d;
        }
        for p in 0..i {
            let lp = l[i * n + p];
            let (pr, pi) = (
                &mut before_re[p * m..(p + 1) * m],
                &mut before_im[p * m..(p + 1) * m],
            );
            for j in 0..m {
                // conj(L_ip)·x_i = (Lr·xr + Li·xi, Lr·xi − Li·xr).
                pr[j] -= lp.re * xr[j] + lp.im * xi[j];
                pi[j] -= lp.re * xi[j] - lp.im * xr[j];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `BᴴB + load·I` (n × n, row-major) for the n × n matrix B with element t = `entry(t)`
    /// (row-major index t as f64): Hermitian positive definite for load > 0.
    fn gram_plus(n: usize, entry: impl Fn(f64) -> Complex64, load: f64) -> Vec<Complex64> {
        let bm: Vec<Complex64> = (0..n * n).map(|t| entry(t as f64)).collect();
        let mut a = vec![Complex64::new(0.0, 0.0); n * n];
        for i in 0..n {
            for j in 0..n {
                a[i * n + j] = (0..n).map(|r| bm[r * n + i].conj() * bm[r * n + j]).sum();
            }
            a[i * n + i] += load;
        }
        a
    }

    #[test]
    fn solves_a_hermitian_system() {
        // A = BᴴB + I for a fixed B; check A·x = b.
        let n = 5;
        let mut a = gram_plus(
            n,
            |i| Complex64::new((i * 0.37).sin(), (i * 0.91).cos()),
            1.0,
        );
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
    fn many_right_hand_sides_are_each_solve_cholesky_bit_for_bit() {
        // A 7 × 7 system (odd, so the vectorised loops have tails), 1..=9 right-hand sides.
        let n = 7;
        let mut a = gram_plus(
            n,
            |i| Complex64::new((i * 0.53).cos(), (i * 1.7).sin()),
            0.01,
        );
        cholesky_in_place(&mut a, n).unwrap();
        for m in 1..=9 {
            let rhs = |i: usize, j: usize| {
                Complex64::new(
                    (0.3 * (i * m + j) as f64).sin(),
                    1.0 / (1 + i + 2 * j) as f64,
                )
            };
            let mut re: Vec<f64> = (0..n * m).map(|t| rhs(t / m, t % m).re).collect();
            let mut im: Vec<f64> = (0..n * m).map(|t| rhs(t / m, t % m).im).collect();
            solve_cholesky_many(&a, n, m, &mut re, &mut im);
            for j in 0..m {
                let mut x: Vec<Complex64> = (0..n).map(|i| rhs(i, j)).collect();
                solve_cholesky(&a, n, &mut x);
                for i in 0..n {
                    assert_eq!(
                        re[i * m + j].to_bits(),
                        x[i].re.to_bits(),
                        "m {m} ({i}, {j})"
                    );
                    assert_eq!(
                        im[i * m + j].to_bits(),
                        x[i].im.to_bits(),
                        "m {m} ({i}, {j})"
                    );
                }
            }
        }
    }

    #[test]
    fn public_solve_checks_shapes_and_definiteness() {
        // A = [[4, 1+i], [1−i, 3]] (det 10 > 0), b = A·[1, −i].
        let c = |re, im| Complex64::new(re, im);
        let mut a = vec![c(4.0, 0.0), c(1.0, 1.0), c(1.0, -1.0), c(3.0, 0.0)];
        let x = [c(1.0, 0.0), c(0.0, -1.0)];
        let mut b = vec![
            c(4.0, 0.0) + c(1.0, 1.0) * x[1],
            c(1.0, -1.0) + c(3.0, 0.0) * x[1],
        ];
        solve_hermitian(&mut a, 2, &mut b).unwrap();
        for (got, want) in b.iter().zip(&x) {
            assert!((got - want).norm() < 1e-14, "{got} {want}");
        }
        let e = solve_hermitian(&mut [c(1.0, 0.0); 3], 2, &mut b).unwrap_err();
        assert!(
            matches!(
                e,
                Error::ShapeMismatch {
                    name: "a [n, n] / b [n]",
                    ..
                }
            ),
            "{e}"
        );
        let e = solve_hermitian(&mut [c(1.0, 0.0); 4], 2, &mut [c(0.0, 0.0); 3]).unwrap_err();
        assert!(matches!(e, Error::ShapeMismatch { .. }), "{e}");
        // Singular (rank 1) and NaN: refused, b untouched.
        let mut b = vec![c(1.0, 0.0), c(2.0, 0.0)];
        let e = solve_hermitian(&mut [c(1.0, 0.0); 4], 2, &mut b).unwrap_err();
        assert!(
            matches!(e, Error::InvalidParameter { name: "a", .. }),
            "{e}"
        );
        let mut nan = vec![c(f64::NAN, 0.0), c(0.0, 0.0), c(0.0, 0.0), c(1.0, 0.0)];
        let e = solve_hermitian(&mut nan, 2, &mut b).unwrap_err();
        assert!(
            matches!(e, Error::InvalidParameter { name: "a", .. }),
            "{e}"
        );
        assert_eq!(b, [c(1.0, 0.0), c(2.0, 0.0)]);
    }

    #[test]
    fn rejects_indefinite_and_nan() {
        let mut a = vec![Complex64::new(1.0, 0.0), 2.0.into(), 2.0.into(), 1.0.into()];
        assert!(cholesky_in_place(&mut a, 2).is_none());
        let mut a = vec![Complex64::new(f64::NAN, 0.0)];
        assert!(cholesky_in_place(&mut a, 1).is_none());
    }
}
