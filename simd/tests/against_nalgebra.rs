//! The f32 kernels of every backend against nalgebra in f64 (the reference arithmetic), at
//! fixed seeds: Gram, Cholesky factor, solve, inverse and GEMM.

mod common;

use common::*;
use massive_mimo_simd::{C32, GemmMode, GramSide, MatrixBatch, SplitMatrix};
use nalgebra::{Complex, DMatrix};

type C64 = Complex<f64>;

fn to_na(b: &MatrixBatch, m: usize) -> DMatrix<C64> {
    DMatrix::from_fn(b.rows(), b.cols(), |i, j| {
        let v = b.get(m, i, j).unwrap();
        C64::new(v.re as f64, v.im as f64)
    })
}

/// Relative Frobenius error ‖got − want‖ / ‖want‖ of matrix m.
fn rel_err(got: &MatrixBatch, m: usize, want: &DMatrix<C64>) -> f64 {
    (to_na(got, m) - want).norm() / want.norm()
}

#[test]
fn gram_both_sides_against_f64() {
    let mut r = rng(1);
    for (rows, cols, side) in [
        (64, 16, GramSide::AhA),
        (16, 64, GramSide::AAh),
        (33, 7, GramSide::AhA),
        (5, 40, GramSide::AAh),
    ] {
        let a = random_batch(&mut r, rows, cols, 19);
        let k = side.order(rows, cols);
        for kern in all_backends() {
            let mut g = MatrixBatch::zeros(k, k, 19).unwrap();
            kern.gram(&a, side, 0.25, &mut g).unwrap();
            for m in 0..19 {
                let am = to_na(&a, m);
                let want = match side {
                    GramSide::AhA => am.adjoint() * &am,
                    GramSide::AAh => &am * am.adjoint(),
                } + DMatrix::<C64>::identity(k, k).scale(0.25);
                let e = rel_err(&g, m, &want);
                assert!(
                    e < 1e-6,
                    "{} gram {rows}×{cols} {side:?}: rel err {e:e}",
                    kern.backend()
                );
            }
        }
    }
}

#[test]
fn cholesky_solve_inverse_against_f64() {
    let mut r = rng(2);
    for &(k, n) in &[(16usize, 64usize), (8, 64), (32, 40), (3, 3), (1, 1)] {
        let len = 21;
        let a = random_batch(&mut r, n, k, len);
        let b = random_batch(&mut r, k, 5, len);
        for kern in all_backends() {
            let mut g = MatrixBatch::zeros(k, k, len).unwrap();
            kern.gram(&a, GramSide::AhA, 0.1, &mut g).unwrap();
            let g0 = g.clone();
            let mut info = vec![0; len];
            assert_eq!(
                kern.cholesky(&mut g, &mut info).unwrap(),
                0,
                "{}",
                kern.backend()
            );
            let mut x = b.clone();
            kern.cholesky_solve(&g, &mut x).unwrap();
            let mut inv = MatrixBatch::zeros(k, k, len).unwrap();
            kern.cholesky_inverse(&g, &mut inv).unwrap();
            for m in 0..len {
                let gm = to_na(&g0, m);
                let chol = gm.clone().cholesky().expect("f64 Cholesky of a PD matrix");
                let cond = {
                    let ev = gm.clone().symmetric_eigenvalues();
                    ev.max() / ev.min()
                };
                // f32 backward-stable: error ≲ cond · ε_f32 · small factor.
                let tol = (cond * 1.2e-7 * 8.0 * k as f64).max(1e-6);
                let e_l = rel_err(&g, m, &chol.l());
                let e_x = rel_err(&x, m, &chol.solve(&to_na(&b, m)));
                let e_i = rel_err(&inv, m, &chol.inverse());
                assert!(
                    e_l < tol && e_x < tol && e_i < tol,
                    "{} k={k} n={n} m={m}: cond {cond:.1}, L {e_l:e}, solve {e_x:e}, inverse {e_i:e}, tol {tol:e}",
                    kern.backend()
                );
            }
        }
    }
}

#[test]
fn gemm_against_f64() {
    let mut r = rng(3);
    for &(m, k, n) in &[
        (64usize, 16usize, 168usize),
        (64, 8, 12),
        (7, 3, 37),
        (1, 1, 1),
    ] {
        let mut cv = |rows, cols| {
            let v = cvec(&mut r, rows * cols);
            SplitMatrix::from_fn(rows, cols, |i, j| v[i * cols + j]).unwrap()
        };
        let (a, b, c0) = (cv(m, k), cv(k, n), cv(m, n));
        let na = |s: &SplitMatrix| {
            DMatrix::from_fn(s.rows(), s.cols(), |i, j| {
                let v: C32 = s.get(i, j).unwrap();
                C64::new(v.re as f64, v.im as f64)
            })
        };
        let want = na(&c0) + na(&a) * na(&b);
        for kern in all_backends() {
            let mut c = c0.clone();
            kern.gemm(a.view(), b.view(), c.view_mut(), GemmMode::Accumulate)
                .unwrap();
            let e = (na(&c) - &want).norm() / want.norm();
            assert!(
                e < 1e-6,
                "{} gemm {m}×{k}×{n}: rel err {e:e}",
                kern.backend()
            );
        }
    }
}
