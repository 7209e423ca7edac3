//! RZF / ZF weights of every normalisation, the per-user regularisation, the MRT fallback and
//! the downlink slot's choice of α = k·σ² and power scaling, each checked per element against an
//! independent f64 reference (nalgebra; nothing from the crate's kernels). Fixed seeds.
//! Tolerances: the forward error of a Cholesky solve in f32 is a small multiple of n·ε·κ
//! (Higham, *Accuracy and Stability of Numerical Algorithms*, Thm 10.4); these tests allow
//! 8·n_tx·ε·κ(HHᴴ + αI) relative to the largest weight.

mod support;

use massive_mimo::C32;
use massive_mimo::link::{DownlinkConfig, DownlinkSlot, PrecoderKind, SrsEstimation};
use massive_mimo::precoding::{Normalization, RzfPrecoder};
use massive_mimo::refsig::{SrsConfig, write_multiplexed_users};
use nalgebra::DMatrix;
use ndarray::{Array3, ArrayView2};
use num_complex::Complex64;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use support::multipath::cn;
use support::slot::nr_ofdm;

const NORMALISATIONS: [Normalization; 3] = [
    Normalization::Column,
    Normalization::Total,
    Normalization::PerAntenna,
];

/// W = Hᴴ(HHᴴ + diag(α))⁻¹ in f64 for one `h [k, n_tx]`, then scaled as `norm` says
/// (Column: unit columns; Total: ‖W‖_F² = k; PerAntenna: the strongest antenna row carries
/// exactly k/n_tx). Returns W [n_tx × k] and κ(HHᴴ + diag(α)).
fn reference_rzf(
    h: ArrayView2<'_, C32>,
    alphas: &[f64],
    norm: Normalization,
) -> (DMatrix<Complex64>, f64) {
    let (k, n) = h.dim();
    let hm = DMatrix::from_fn(k, n, |i, t| {
        Complex64::new(h[[i, t]].re as f64, h[[i, t]].im as f64)
    });
    let g = &hm * hm.adjoint()
        + DMatrix::from_fn(k, k, |i, j| {
            Complex64::new(if i == j { alphas[i] } else { 0.0 }, 0.0)
        });
    let eig = g.clone().symmetric_eigenvalues();
    let kappa = eig.max() / eig.min();
    let mut w = hm.adjoint() * g.try_inverse().expect("a positive definite test Gram");
    scale_reference(&mut w, norm);
    (w, kappa)
}

/// The normalisations of [`Normalization`] applied to an f64 W [n_tx × k].
fn scale_reference(w: &mut DMatrix<Complex64>, norm: Normalization) {
    let (n, k) = w.shape();
    match norm {
        Normalization::Column => {
            for j in 0..k {
                let e = w.column(j).norm();
                if e > 0.0 {
                    w.column_mut(j).unscale_mut(e);
                }
            }
        }
        Normalization::Total => {
            let e = w.norm();
            *w *= Complex64::new((k as f64).sqrt() / e, 0.0);
        }
        Normalization::PerAntenna => {
            let max = (0..n).map(|t| w.row(t).norm_squared()).fold(0.0, f64::max);
            *w *= Complex64::new((k as f64 / n as f64 / max).sqrt(), 0.0);
        }
    }
}

/// Largest |W_crate − W_ref| over the matrix, relative to the largest |W_ref| entry.
fn rel_err(got: ArrayView2<'_, C32>, want: &DMatrix<Complex64>) -> f64 {
    let mut err: f64 = 0.0;
    let mut top: f64 = 0.0;
    for ((t, j), v) in got.indexed_iter() {
        let r = want[(t, j)];
        err = err.max((Complex64::new(v.re as f64, v.im as f64) - r).norm());
        top = top.max(r.norm());
    }
    err / top
}

#[test]
fn rzf_weights_equal_an_f64_reference_for_every_normalisation_and_alpha() {
    // 20 matrices: one full lane block of 16 and a partial one.
    let (b, k, n) = (20, 4, 16);
    let mut rng = ChaCha8Rng::seed_from_u64(2302);
    let h = Array3::from_shape_fn((b, k, n), |_| cn(&mut rng, 1.0));
    let mut p = RzfPrecoder::new(k, n, b).unwrap();
    let mut w = Array3::zeros((b, n, k));
    for norm in NORMALISATIONS {
        // ZF, RZF with a scalar α, and per-user α (a noise-limited user 1).
        for alphas in [[0.0; 4], [0.3; 4], [0.05, 4.0, 0.05, 0.5]] {
            let r = if alphas.iter().all(|&a| a == alphas[0]) {
                p.process(h.view(), alphas[0] as f32, norm, w.view_mut())
            } else {
                let a32: Vec<f32> = alphas.iter().map(|&a| a as f32).collect();
                p.process_per_user(h.view(), &a32, norm, w.view_mut())
            }
            .unwrap();
            assert_eq!(r.mrt_fallbacks, 0);
            for m in 0..b {
                let (want, kappa) = reference_rzf(h.index_axis(ndarray::Axis(0), m), &alphas, norm);
                let tol = 8.0 * n as f64 * f32::EPSILON as f64 * kappa;
                let e = rel_err(w.index_axis(ndarray::Axis(0), m), &want);
                assert!(
                    e < tol,
                    "{norm:?} α {alphas:?} matrix {m}: error {e:.2e} > {tol:.2e}"
                );
            }
        }
    }
}

#[test]
fn mrt_fallback_weights_are_the_normalised_conjugate_channel() {
    // Matrix 0: user 2's channel is zero (HHᴴ singular, its pivot exactly 0); matrix 1: one NaN
    // entry; matrix 2: an ordinary channel. ZF (α = 0) cannot factor 0 and 1, which get
    // W = Hᴴ with the non-finite entries as 0, then the normalisation (a zero column stays 0);
    // matrix 2 is unaffected.
    let (b, k, n) = (3, 3, 8);
    let mut rng = ChaCha8Rng::seed_from_u64(2303);
    let mut h = Array3::from_shape_fn((b, k, n), |_| cn(&mut rng, 1.0));
    h.slice_mut(ndarray::s![0, 2, ..]).fill(C32::new(0.0, 0.0));
    h[[1, 0, 5]] = C32::new(f32::NAN, 0.0);
    let mut p = RzfPrecoder::new(k, n, b).unwrap();
    let mut w = Array3::zeros((b, n, k));
    for norm in NORMALISATIONS {
        let r = p.process(h.view(), 0.0, norm, w.view_mut()).unwrap();
        assert_eq!(r.mrt_fallbacks, 2, "{norm:?}");
        for m in 0..2 {
            let mut want = DMatrix::from_fn(n, k, |t, j| {
                let v = h[[m, j, t]];
                if v.re.is_finite() && v.im.is_finite() {
                    Complex64::new(v.re as f64, -v.im as f64)
                } else {
                    Complex64::new(0.0, 0.0)
                }
            });
            scale_reference(&mut want, norm);
            // Only norms and scalings: a few ulps.
            let e = rel_err(w.index_axis(ndarray::Axis(0), m), &want);
            assert!(e < 1e-6, "{norm:?} matrix {m}: MRT error {e:.2e}");
        }
        let (want, kappa) = reference_rzf(h.index_axis(ndarray::Axis(0), 2), &[0.0; 3], norm);
        let e = rel_err(w.index_axis(ndarray::Axis(0), 2), &want);
        assert!(
            e < 8.0 * n as f64 * f32::EPSILON as f64 * kappa,
            "{norm:?}: {e:.2e}"
        );
    }
}

#[test]
fn downlink_weights_use_alpha_k_sigma2_and_unit_power_per_re() {
    // A known channel per PRG (constant over its PRBs, so the PRG average is that value):
    // the slot's RZF weights are Hᴴ(HHᴴ + k·σ²I)⁻¹ normalised, times 1/√k (total power 1 per
    // RE); ZF the same with α = 0; MRT h*/‖h‖ · 1/√k.
    let (n_prb, prg, n_ant, k) = (12, 2, 16, 4);
    let n_prg = n_prb / prg;
    let mut srs = Array3::zeros((k, 14, 12 * n_prb));
    write_multiplexed_users(
        &SrsConfig::single_port(4, n_prb, 13, (3, 0)),
        k,
        srs.view_mut(),
    )
    .unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(2304);
    let h_prg = Array3::from_shape_fn((n_prg, k, n_ant), |_| cn(&mut rng, 1.0));
    let noise_var = 0.05f32;
    for precoder in [PrecoderKind::Rzf, PrecoderKind::Zf, PrecoderKind::Mrt] {
        for norm in NORMALISATIONS {
            let cfg = DownlinkConfig {
                n_ant,
                n_candidates: k,
                n_layers: k,
                n_prb,
                prg_prbs: prg,
                precoder,
                normalization: norm,
                srs_estimation: SrsEstimation::DelayDomain,
            };
            let mut dl = DownlinkSlot::new(cfg, srs.view(), &nr_ofdm(12 * n_prb, 256)).unwrap();
            for ((_, prb, u, a), v) in dl.estimates_mut().view_mut().indexed_iter_mut() {
                *v = h_prg[[prb / prg, u, a]];
            }
            let users = [0, 1, 2, 3];
            dl.compute_weights(&users, noise_var).unwrap();
            let w = dl.weights();
            let s = 1.0 / (k as f64).sqrt();
            for g in 0..n_prg {
                let hg = h_prg.index_axis(ndarray::Axis(0), g);
                let (mut want, kappa) = match precoder {
                    PrecoderKind::Mrt => {
                        let mut m = DMatrix::from_fn(n_ant, k, |t, j| {
                            let v = hg[[j, t]];
                            Complex64::new(v.re as f64, -v.im as f64)
                        });
                        scale_reference(&mut m, Normalization::Column);
                        (m, 1.0)
                    }
                    PrecoderKind::Zf => reference_rzf(hg, &[0.0; 4], norm),
                    PrecoderKind::Rzf => reference_rzf(hg, &[k as f64 * noise_var as f64; 4], norm),
                };
                want *= Complex64::new(s, 0.0);
                let tol = 8.0 * n_ant as f64 * f32::EPSILON as f64 * kappa;
                let e = rel_err(w.index_axis(ndarray::Axis(0), g), &want);
                assert!(
                    e < tol,
                    "{precoder:?} {norm:?} PRG {g}: error {e:.2e} > {tol:.2e}"
                );
            }
        }
    }
}

#[test]
fn rzf_shape_and_value_errors_are_named() {
    // Capacity 4 matrices of up to 2 layers × 8 antennas.
    let mut p = RzfPrecoder::new(2, 8, 4).unwrap();
    assert_eq!(p.capacity(), (2, 8, 4), "(max_layers, max_ant, max_batch)");
    let h_name = "h [batch ≤ max_batch, k ≤ max_layers, n_tx ≤ max_ant]";
    for (b, k, n) in [(0, 2, 8), (5, 2, 8), (4, 0, 8), (4, 3, 8), (4, 2, 9)] {
        let h = Array3::from_elem((b, k, n), C32::new(1.0, 0.0));
        let mut w = Array3::zeros((b, n, k));
        assert_eq!(
            support::err::name(p.process(h.view(), 0.1, Normalization::Column, w.view_mut())),
            h_name,
            "{:?}",
            (b, k, n)
        );
    }
    let h = Array3::from_elem((4, 2, 8), C32::new(1.0, 0.0));
    // More layers than antennas (k ≤ n_tx), within the capacity.
    let h_wide = Array3::from_elem((4, 2, 1), C32::new(1.0, 0.0));
    let mut w_wide = Array3::zeros((4, 1, 2));
    assert_eq!(
        support::err::name(p.process(h_wide.view(), 0.1, Normalization::Column, w_wide.view_mut())),
        "layers"
    );
    for bad_w in [(4, 8, 1), (3, 8, 2), (4, 7, 2)] {
        let mut w = Array3::zeros(bad_w);
        assert_eq!(
            support::err::name(p.process(h.view(), 0.1, Normalization::Total, w.view_mut())),
            "w [batch, n_tx, k]",
            "{bad_w:?}"
        );
    }
    let mut w = Array3::zeros((4, 8, 2));
    for alpha in [f32::NAN, -0.1, f32::INFINITY] {
        assert_eq!(
            support::err::name(p.process(h.view(), alpha, Normalization::Column, w.view_mut())),
            "alpha",
            "{alpha}"
        );
    }
    assert_eq!(
        support::err::name(p.process_per_user(
            h.view(),
            &[0.1],
            Normalization::Column,
            w.view_mut()
        )),
        "alphas [k]"
    );
    assert_eq!(
        support::err::name(p.process_per_user(
            h.view(),
            &[0.1, -1.0],
            Normalization::Column,
            w.view_mut()
        )),
        "alphas"
    );
}

#[test]
fn near_singular_zf_falls_back_on_the_same_matrices_on_every_backend() {
    // Issue 21: 273 channels of 16 users × 64 antennas whose last user is user 0 + δ·z, δ
    // log-spaced over 1e-5 … 1e-1 (the reviewer's case: scalar and SIMD ZF used to fall back
    // to MRT on 272 vs 267 of 273 PRBs). ZF now declares a matrix singular at the stated
    // pivot tolerance 2⁻¹² (simd::ZF_PIVOT_TOLERANCE), far above the backends' rounding:
    // every backend gives the same fallbacks and the same weights.
    use massive_mimo::simd::{Backend, Kernels};
    let h = near_singular_channels();
    let (b, k, n) = h.dim();
    let run = |backend: Backend| {
        let mut p = RzfPrecoder::new(k, n, b)
            .unwrap()
            .with_kernels(Kernels::with_backend(backend).unwrap());
        let mut w = Array3::zeros((b, n, k));
        let r = p
            .process(h.view(), 0.0, Normalization::Column, w.view_mut())
            .unwrap();
        (r.mrt_fallbacks, w)
    };
    let (f_ref, w_ref) = run(Backend::Scalar);
    assert!(f_ref > 0 && f_ref < b, "{f_ref} fallbacks of {b}");
    for backend in Backend::available() {
        let (f, w) = run(backend);
        let mut worst = 0.0f64;
        assert_eq!(f, f_ref, "{backend} vs scalar");
        for m in 0..b {
            // Same decision: ZF weights (κ ≤ 4096² here) agree to f32 rounding × κ; MRT exactly.
            let e = rel_err(
                w.index_axis(ndarray::Axis(0), m),
                &DMatrix::from_fn(n, k, |t, j| {
                    let v = w_ref[[m, t, j]];
                    Complex64::new(v.re as f64, v.im as f64)
                }),
            );
            assert!(e < 0.05, "{backend} matrix {m}: weights differ by {e:.2e}");
            worst = worst.max(e);
        }
        println!("{backend}: {f} fallbacks, weights within {worst:.1e} of scalar");
    }
}

/// The ZF pivot tolerance (2⁻¹²) is for ZF only, whichever entry point asks for it: the
/// near-singular channels of the test above (user 15 = user 0 + δ·z, δ = 1e-5 … 1e-1) with
/// per-user α all zero fall back on exactly the matrices and with exactly the weights of
/// `process(α = 0)`; with α = 1e-3 (RZF: the Gram's smallest eigenvalue ≥ α, a pivot ≥ 1e-3
/// against entries ≈ 64, i.e. ≥ 1.6e-5 relative — above the f32 limit k·ε ≈ 2e-6, below
/// 2⁻¹² ≈ 2.4e-4) none falls back, per-user or not.
#[test]
fn the_zf_pivot_tolerance_applies_to_zf_only() {
    let h = near_singular_channels();
    let (b, k, n) = h.dim();
    let mut p = RzfPrecoder::new(k, n, b).unwrap();
    let mut w_zf = Array3::zeros((b, n, k));
    let zf = p
        .process(h.view(), 0.0, Normalization::Column, w_zf.view_mut())
        .unwrap();
    assert!(zf.mrt_fallbacks > 0, "the ZF case must fall back somewhere");
    let mut w = Array3::zeros((b, n, k));
    let per_user = p
        .process_per_user(h.view(), &[0.0; 16], Normalization::Column, w.view_mut())
        .unwrap();
    assert_eq!(per_user.mrt_fallbacks, zf.mrt_fallbacks);
    assert_eq!(w, w_zf);
    let r = p
        .process(h.view(), 1e-3, Normalization::Column, w.view_mut())
        .unwrap();
    assert_eq!(r.mrt_fallbacks, 0, "RZF α = 1e-3");
    let r = p
        .process_per_user(h.view(), &[1e-3; 16], Normalization::Column, w.view_mut())
        .unwrap();
    assert_eq!(r.mrt_fallbacks, 0, "RZF per-user α = 1e-3");
}

/// 273 channels of 16 users × 64 antennas whose last user is user 0 + δ·z, δ log-spaced over
/// 1e-5 … 1e-1 (issue 21's reviewer case): ZF's Gram goes from singular to ordinary.
fn near_singular_channels() -> Array3<C32> {
    let (b, k, n) = (273, 16, 64);
    let mut rng = ChaCha8Rng::seed_from_u64(2105);
    let mut h = Array3::from_shape_fn((b, k, n), |_| cn(&mut rng, 1.0));
    for m in 0..b {
        let delta = 10f32.powf(-5.0 + 4.0 * m as f32 / (b - 1) as f32);
        for t in 0..n {
            h[[m, k - 1, t]] = h[[m, 0, t]] + cn(&mut rng, 1.0) * delta;
        }
    }
    h
}
