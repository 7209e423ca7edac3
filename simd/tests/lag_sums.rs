//! `Kernels::lag_sums` and `Kernels::second_difference` on every backend: against f64 sums
//! with the f32-lane accumulation bound of the kernel's docs, and the identities a channel
//! estimator relies on — a pure phase ramp has lag-1 sum `e^{jθ}·Σ_{i<rows−1}|x_i|²` and, with
//! its own ramp factors, zero second differences.

mod common;

use common::*;
use massive_mimo_simd::{C32, SplitRef};
use num_complex::Complex64;
use proptest::prelude::*;

const EPS: f64 = f32::EPSILON as f64;

/// Rows with `gap` unused values after each, as split planes.
fn planes(x: &[Vec<C32>], gap: usize) -> (Vec<f32>, Vec<f32>, usize) {
    let cols = x.first().map_or(0, Vec::len);
    let stride = cols + gap;
    let (mut re, mut im) = (vec![9.0; x.len() * stride], vec![9.0; x.len() * stride]);
    for (i, row) in x.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            re[i * stride + j] = v.re;
            im[i * stride + j] = v.im;
        }
    }
    (re, im, stride)
}

fn c64(v: C32) -> Complex64 {
    Complex64::new(v.re.into(), v.im.into())
}

/// Terms one f32 lane may add before a flush (as if one column per lane: every backend's
/// bound), plus the rounding of each term itself.
fn lane_terms(cols: usize) -> f64 {
    (2 * 16 * cols + 20) as f64
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Each sum within `lane_terms·ε·Σ|terms|` of the f64 sum; the stride gaps (value 9) are
    /// never read.
    #[test]
    fn sums_equal_the_f64_sums(rows in 1usize..40, cols in 1usize..70, gap in 0usize..3,
                               seed in any::<u64>(), rr in -1.0f32..1.0, ri in -1.0f32..1.0) {
        let mut r = rng(seed);
        let x: Vec<Vec<C32>> = (0..rows).map(|_| cvec(&mut r, cols)).collect();
        let (re, im, stride) = planes(&x, gap);
        let len = (rows - 1) * stride + cols;
        let view = SplitRef::new(rows, cols, stride, &re[..len], &im[..len]).unwrap();
        let (r1, r2) = (C32::new(rr, ri), C32::new(ri, -rr));
        let (mut e, mut lag, mut lag_abs, mut d2, mut d2_abs) =
            (0.0, Complex64::new(0.0, 0.0), 0.0, 0.0, 0.0);
        for i in 0..rows {
            for (j, &v) in x[i].iter().enumerate() {
                let a = c64(v);
                e += a.norm_sqr();
                if i + 1 < rows {
                    let b = c64(x[i + 1][j]);
                    lag += b * a.conj();
                    lag_abs += (a.re.abs() + a.im.abs()) * (b.re.abs() + b.im.abs());
                }
                if i >= 1 && i + 1 < rows {
                    let (p, q) = (c64(x[i - 1][j]), c64(x[i + 1][j]));
                    let u = p - c64(r1) * a + c64(r2) * q;
                    d2 += u.norm_sqr();
                    let s = p.norm() + c64(r1).norm() * a.norm() + c64(r2).norm() * q.norm();
                    d2_abs += s * s;
                }
            }
        }
        let t = lane_terms(cols) * EPS;
        for k in all_backends() {
            let s = k.lag_sums(&view);
            prop_assert!((s.energy - e).abs() <= t * e + 1e-30, "{} energy {} vs {}", k.backend(), s.energy, e);
            prop_assert!((s.lag1_re - lag.re).abs() <= t * lag_abs + 1e-30, "{} lag re", k.backend());
            prop_assert!((s.lag1_im - lag.im).abs() <= t * lag_abs + 1e-30, "{} lag im", k.backend());
            let got = k.second_difference(&view, r1, r2);
            prop_assert!((got - d2).abs() <= t * d2_abs + 1e-30, "{} d2 {} vs {}", k.backend(), got, d2);
            if rows < 3 {
                prop_assert_eq!(got, 0.0);
            }
        }
    }
}

#[test]
fn a_phase_ramp_has_its_rotation_as_lag_one_and_no_second_difference() {
    let (rows, cols) = (37, 64);
    let theta = 0.3f64;
    let mut r = rng(5);
    let base = cvec(&mut r, cols);
    let x: Vec<Vec<C32>> = (0..rows)
        .map(|i| {
            let rot = Complex64::from_polar(1.0, theta * i as f64);
            base.iter()
                .map(|&v| {
                    let w = c64(v) * rot;
                    C32::new(w.re as f32, w.im as f32)
                })
                .collect()
        })
        .collect();
    let (re, im, stride) = planes(&x, 0);
    let view = SplitRef::new(rows, cols, stride, &re, &im).unwrap();
    let row_energy: f64 = base.iter().map(|&v| c64(v).norm_sqr()).sum();
    // x_{i+1} = e^{jθ}·x_i up to the f32 rounding of x (relative 2^-24 per part).
    let want = Complex64::from_polar(row_energy * (rows - 1) as f64, theta);
    // ρ = e^{−jθ} removes the ramp: x_{i−1} − 2ρx_i + ρ²x_{i+1} = 0 exactly in real numbers.
    let rho = Complex64::from_polar(1.0, -theta);
    let (r1, r2) = (rho * 2.0, rho * rho);
    let (r1, r2) = (
        C32::new(r1.re as f32, r1.im as f32),
        C32::new(r2.re as f32, r2.im as f32),
    );
    for k in all_backends() {
        let s = k.lag_sums(&view);
        assert!(
            (s.energy - row_energy * rows as f64).abs() <= 1e-5 * s.energy,
            "{}",
            k.backend()
        );
        let got = Complex64::new(s.lag1_re, s.lag1_im);
        assert!(
            (got - want).norm() <= 1e-5 * want.norm(),
            "{}: {got} vs {want}",
            k.backend()
        );
        // Only rounding is left: each term's parts carry ≤ ~8ε of |x|·(1 + 2 + 1), so the
        // energy is ≤ (rows − 2)·Σ_j (32ε·|x_j|)² — far below 1e-9 of the signal energy.
        let d2 = k.second_difference(&view, r1, r2);
        assert!(d2 <= 1e-9 * s.energy, "{}: {d2}", k.backend());
        // Without the ramp removed (ρ = 1), the second difference of e^{jθi} is
        // |e^{−jθ} − 2 + e^{jθ}|² = (2 − 2cos θ)² per unit energy.
        let plain = k.second_difference(&view, C32::new(2.0, 0.0), C32::new(1.0, 0.0));
        let want_plain = (2.0 - 2.0 * theta.cos()).powi(2) * row_energy * (rows - 2) as f64;
        assert!(
            (plain - want_plain).abs() <= 1e-4 * want_plain,
            "{}: {plain} vs {want_plain}",
            k.backend()
        );
    }
}
