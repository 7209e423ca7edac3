//! The slot detector: agreement with the per-RE equaliser, uncoded BER over i.i.d. Rayleigh
//! 64 × 16 against closed-form values, MMSE ≥ ZF, IRC against a strong interferer, erasures
//! and bad input. Fixed seeds.

mod support;

use massive_mimo::C32;
use massive_mimo::detection::{
    DetectorMethod, DetectorReport, GroupChannels, MimoDetector, interference_factors,
};
use massive_mimo::modulation::{DemapMethod, Modulation, map};
use massive_mimo_tools::reference::{EqualizerMethod, LinearEqualizer};
use ndarray::{Array2, Array3, s};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use support::multipath::cn;

/// erfc(x) (Numerical Recipes' Chebyshev fit, |relative error| < 1.2e-7).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.26551223
            + t * (1.00002368
                + t * (0.37409196
                    + t * (0.09678418
                        + t * (-0.18628806
                            + t * (0.27886807
                                + t * (-1.13520398
                                    + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
            .exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

fn q(x: f64) -> f64 {
    0.5 * erfc(x / std::f64::consts::SQRT_2)
}

/// Gray-mapped square QAM bit error rate at symbol SNR γ (exact per-axis sums for 4/16/64).
fn ber_awgn(m: Modulation, g: f64) -> f64 {
    match m {
        Modulation::Qpsk => q(g.sqrt()),
        Modulation::Qam16 => {
            let a = (g / 5.0).sqrt();
            0.25 * (3.0 * q(a) + 2.0 * q(3.0 * a) - q(5.0 * a))
        }
        Modulation::Qam64 => {
            let a = (g / 21.0).sqrt();
            (7.0 * q(a) + 6.0 * q(3.0 * a) - q(5.0 * a) + q(9.0 * a) - q(13.0 * a)) / 12.0
        }
        _ => unreachable!("test uses QPSK, 16QAM, 64QAM"),
    }
}

/// ZF over i.i.d. Rayleigh N × K: per-layer SNR = Gamma(N − K + 1, 1)/σ²; BER = E[P_b(γ)].
fn ber_zf_rayleigh(m: Modulation, n: usize, k: usize, noise_var: f64) -> f64 {
    let shape = (n - k + 1) as f64;
    let ln_gamma: f64 = (1..(n - k + 1)).map(|i| (i as f64).ln()).sum();
    let (steps, top) = (20000, shape * 6.0 + 50.0);
    let dx = top / steps as f64;
    (0..steps)
        .map(|i| {
            let x = (i as f64 + 0.5) * dx;
            let pdf = ((shape - 1.0) * x.ln() - x - ln_gamma).exp();
            pdf * ber_awgn(m, x / noise_var) * dx
        })
        .sum()
}

struct Scenario {
    h: Array3<C32>,
    y: Array3<C32>,
    bits: Vec<Vec<u8>>,
}

/// `n_groups` PRBs × 14 symbols, one i.i.d. Rayleigh H per PRB, random symbols, AWGN.
fn scenario(
    seed: u64,
    n_rx: usize,
    n_l: usize,
    n_groups: usize,
    m: Modulation,
    nv: f64,
) -> Scenario {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n_sc = 12 * n_groups;
    let qm = m.bits_per_symbol();
    let h = Array3::from_shape_fn((n_groups, n_l, n_rx), |_| cn(&mut rng, 1.0));
    let mut bits = Vec::new();
    let mut x = Array3::zeros((n_l, 14, n_sc));
    for l in 0..n_l {
        let b: Vec<u8> = (0..14 * n_sc * qm)
            .map(|_| rng.r#gen::<bool>() as u8)
            .collect();
        let mut sym = vec![C32::new(0.0, 0.0); 14 * n_sc];
        map(m, &b, &mut sym).unwrap();
        for (i, v) in sym.into_iter().enumerate() {
            x[[l, i / n_sc, i % n_sc]] = v;
        }
        bits.push(b);
    }
    let mut y = Array3::zeros((n_rx, 14, n_sc));
    for r in 0..n_rx {
        for t in 0..14 {
            for sc in 0..n_sc {
                let g = sc / 12;
                let v: C32 = (0..n_l).map(|l| h[[g, l, r]] * x[[l, t, sc]]).sum();
                y[[r, t, sc]] = v + cn(&mut rng, nv);
            }
        }
    }
    Scenario { h, y, bits }
}

fn detect(sc: &Scenario, nv: f32, method: DetectorMethod, m: Modulation) -> (f64, Array2<f32>) {
    let (n_groups, n_l, n_rx) = sc.h.dim();
    let mut det = MimoDetector::new(&massive_mimo::detection::DetectorConfig {
        max_ant: n_rx,
        max_layers: n_l,
        max_interferers: 0,
        max_groups: n_groups,
        group_prbs: 1,
        n_sym: 14,
    })
    .unwrap();
    let mut x = Array3::zeros((n_l, 14, 12 * n_groups));
    let mut xv = Array2::zeros((n_groups, n_l));
    let noise = vec![nv; n_groups];
    let ch = GroupChannels {
        h: sc.h.view(),
        noise_var: &noise,
        interference: None,
    };
    det.process(&ch, method, sc.y.view(), x.view_mut(), xv.view_mut())
        .unwrap();
    let qm = m.bits_per_symbol();
    let mut llr = vec![0.0f32; 14 * 12 * n_groups * qm];
    let (mut errors, mut total) = (0usize, 0usize);
    for l in 0..n_l {
        det.demap(m, DemapMethod::MaxLog, x.view(), xv.view(), l, &mut llr)
            .unwrap();
        for (v, &b) in llr.iter().zip(&sc.bits[l]) {
            errors += ((*v < 0.0) as u8 != b) as usize;
            total += 1;
        }
    }
    (errors as f64 / total as f64, xv)
}

#[test]
fn uncoded_ber_of_zf_over_rayleigh_64x16_matches_theory() {
    // Noise per modulation so that the ZF BER is a few 1e-2 (enough errors at 100 PRBs).
    for (m, nv_db, tol) in [
        (Modulation::Qpsk, 7.0, 0.15),
        (Modulation::Qam16, 4.0, 0.15),
        (Modulation::Qam64, -1.5, 0.2),
    ] {
        let nv = 10f64.powf(nv_db / 10.0);
        let sc = scenario(21, 64, 16, 100, m, nv);
        let (ber_zf, _) = detect(&sc, nv as f32, DetectorMethod::Zf, m);
        let theory = ber_zf_rayleigh(m, 64, 16, nv);
        assert!(
            (ber_zf / theory - 1.0).abs() < tol,
            "{m:?}: ZF BER {ber_zf:.4e}, theory {theory:.4e}"
        );
        let (ber_mmse, _) = detect(&sc, nv as f32, DetectorMethod::Mmse { unbiased: true }, m);
        println!("{m:?} σ² {nv_db} dB: ZF {ber_zf:.3e} (theory {theory:.3e}), MMSE {ber_mmse:.3e}");
        assert!(
            ber_mmse <= ber_zf * 1.02,
            "{m:?}: MMSE {ber_mmse:.4e} > ZF {ber_zf:.4e}"
        );
    }
}

#[test]
fn per_prb_filters_equal_the_per_re_equaliser_on_flat_prbs() {
    let nv = 0.05;
    let sc = scenario(22, 16, 4, 6, Modulation::Qam16, nv);
    for (dm, em) in [
        (DetectorMethod::Zf, EqualizerMethod::Zf),
        (
            DetectorMethod::Mmse { unbiased: false },
            EqualizerMethod::Mmse { unbiased: false },
        ),
        (
            DetectorMethod::Mmse { unbiased: true },
            EqualizerMethod::Mmse { unbiased: true },
        ),
        (
            DetectorMethod::Irc { unbiased: true },
            EqualizerMethod::Mmse { unbiased: true },
        ),
    ] {
        let mut det = MimoDetector::new(&massive_mimo::detection::DetectorConfig {
            max_ant: 16,
            max_layers: 4,
            max_interferers: 2,
            max_groups: 6,
            group_prbs: 1,
            n_sym: 14,
        })
        .unwrap();
        let mut x = Array3::zeros((4, 14, 72));
        let mut xv = Array2::zeros((6, 4));
        let noise = vec![nv as f32; 6];
        let ch = GroupChannels {
            h: sc.h.view(),
            noise_var: &noise,
            interference: None,
        };
        det.process(&ch, dm, sc.y.view(), x.view_mut(), xv.view_mut())
            .unwrap();
        // Per RE: symbol 5 of every subcarrier.
        let n_re = 72;
        let h_re = Array3::from_shape_fn((n_re, 16, 4), |(e, r, l)| sc.h[[e / 12, l, r]]);
        let y_re = Array2::from_shape_fn((n_re, 16), |(e, r)| sc.y[[r, 5, e]]);
        let mut eq = LinearEqualizer::new(16, 4, n_re).unwrap();
        let (mut xe, mut ve) = (Array2::zeros((n_re, 4)), Array2::zeros((n_re, 4)));
        eq.process(
            y_re.view(),
            h_re.view(),
            &vec![nv as f32; n_re],
            em,
            xe.view_mut(),
            ve.view_mut(),
        )
        .unwrap();
        for e in 0..n_re {
            for l in 0..4 {
                assert!(
                    (x[[l, 5, e]] - xe[[e, l]]).norm() < 1e-4,
                    "{dm:?} RE {e} layer {l}"
                );
                assert!((xv[[e / 12, l]] - ve[[e, l]]).abs() < 1e-5 * ve[[e, l]].max(1.0));
            }
        }
    }
}

#[test]
fn irc_rejects_a_strong_interferer_that_mmse_cannot() {
    // 16 rx, 4 layers, 2 interfering streams at 20 dB above the noise on every antenna.
    let mut rng = ChaCha8Rng::seed_from_u64(23);
    let (n_rx, n_l, n_groups, nv) = (16, 4, 20, 0.05f64);
    let m = Modulation::Qam16;
    let base = scenario(24, n_rx, n_l, n_groups, m, nv);
    let inr = 100.0 * nv;
    let g_int = Array3::from_shape_fn((n_groups, n_rx, 2), |_| cn(&mut rng, inr));
    // Two interfering streams: one symbol per RE, seen by all antennas through g_int.
    let mut y = base.y.clone();
    for t in 0..14 {
        for k in 0..12 * n_groups {
            let (z0, z1) = (cn(&mut rng, 1.0), cn(&mut rng, 1.0));
            for r in 0..n_rx {
                y[[r, t, k]] += g_int[[k / 12, r, 0]] * z0 + g_int[[k / 12, r, 1]] * z1;
            }
        }
    }
    // U from 24 residual samples per PRB (what DMRS residuals give): interference + noise.
    let mut u = Array3::zeros((n_groups, 2, n_rx));
    for g in 0..n_groups {
        let e = Array2::from_shape_fn((n_rx, 24), |(r, _)| {
            C32::new(0.0, 0.0) + g_int[[g, r, 0]] * 0.0
        });
        let mut e = e;
        for smp in 0..24 {
            let z0 = cn(&mut rng, 1.0);
            let z1 = cn(&mut rng, 1.0);
            for r in 0..n_rx {
                e[[r, smp]] = g_int[[g, r, 0]] * z0 + g_int[[g, r, 1]] * z1 + cn(&mut rng, nv);
            }
        }
        let kept = interference_factors(e.view(), nv as f32, u.slice_mut(s![g, .., ..])).unwrap();
        assert_eq!(
            kept, 2,
            "PRB {g}: the two interferers stand out of the noise"
        );
    }
    let run = |method, noise: f32, interference: Option<ndarray::ArrayView3<'_, C32>>| {
        let mut det = MimoDetector::new(&massive_mimo::detection::DetectorConfig {
            max_ant: n_rx,
            max_layers: n_l,
            max_interferers: 2,
            max_groups: n_groups,
            group_prbs: 1,
            n_sym: 14,
        })
        .unwrap();
        let mut x = Array3::zeros((n_l, 14, 12 * n_groups));
        let mut xv = Array2::zeros((n_groups, n_l));
        let nvs = vec![noise; n_groups];
        let ch = GroupChannels {
            h: base.h.view(),
            noise_var: &nvs,
            interference,
        };
        det.process(&ch, method, y.view(), x.view_mut(), xv.view_mut())
            .unwrap();
        let mut llr = vec![0.0f32; 14 * 12 * n_groups * 4];
        let mut errors = 0usize;
        for l in 0..n_l {
            det.demap(m, DemapMethod::MaxLog, x.view(), xv.view(), l, &mut llr)
                .unwrap();
            errors += llr
                .iter()
                .zip(&base.bits[l])
                .filter(|(v, b)| ((**v < 0.0) as u8) != **b)
                .count();
        }
        let sinr: f64 = xv
            .iter()
            .map(|v| 10.0 * (1.0 / *v as f64).log10())
            .sum::<f64>()
            / xv.len() as f64;
        (errors as f64 / (n_l * 14 * 12 * n_groups * 4) as f64, sinr)
    };
    let unb = DetectorMethod::Mmse { unbiased: true };
    let (ber_mmse, _) = run(unb, nv as f32, None);
    // MMSE that at least knows the interference power (treats it as white noise).
    let (ber_mmse_white, _) = run(unb, (nv + 2.0 * inr) as f32, None);
    let (ber_irc, sinr_irc) = run(
        DetectorMethod::Irc { unbiased: true },
        nv as f32,
        Some(u.view()),
    );
    assert!(
        ber_irc < 0.2 * ber_mmse_white.min(ber_mmse),
        "IRC {ber_irc:.3e}, MMSE {ber_mmse:.3e} / white {ber_mmse_white:.3e}"
    );
    println!(
        "16QAM + 2 interferers at 23 dB INR: IRC {ber_irc:.3e} (SINR {sinr_irc:.1} dB), MMSE {ber_mmse:.3e}, MMSE with white interference {ber_mmse_white:.3e}"
    );
    assert!(sinr_irc > 10.0, "IRC SINR {sinr_irc:.1} dB");
}

#[test]
fn singular_groups_are_erasures_and_bad_input_is_named() {
    let mut det = MimoDetector::new(&massive_mimo::detection::DetectorConfig {
        max_ant: 4,
        max_layers: 2,
        max_interferers: 0,
        max_groups: 3,
        group_prbs: 1,
        n_sym: 2,
    })
    .unwrap();
    let mut h = Array3::from_shape_fn((3, 2, 4), |(g, l, r)| C32::new((g + r + 2 * l) as f32, 1.0));
    h.slice_mut(s![1, .., ..]).fill(C32::new(0.0, 0.0)); // no channel at all
    h[[2, 0, 0]] = C32::new(f32::NAN, 0.0);
    let y = Array3::from_elem((4, 2, 36), C32::new(1.0, 0.0));
    let mut x = Array3::zeros((2, 2, 36));
    let mut xv = Array2::zeros((3, 2));
    let nvs = [0.1f32; 3];
    let ch = GroupChannels {
        h: h.view(),
        noise_var: &nvs,
        interference: None,
    };
    let rep = det
        .process(
            &ch,
            DetectorMethod::Zf,
            y.view(),
            x.view_mut(),
            xv.view_mut(),
        )
        .unwrap();
    assert_eq!(rep.erasures, 2);
    assert!(x.iter().all(|v| v.re.is_finite() && v.im.is_finite()));
    assert_eq!(xv[[1, 0]], f32::MAX);
    assert!(
        x.slice(s![.., .., 12..36])
            .iter()
            .all(|v| *v == C32::new(0.0, 0.0))
    );
    // Bad input.
    assert_eq!(
        support::err::name(MimoDetector::new(
            &massive_mimo::detection::DetectorConfig {
                max_ant: 2,
                max_layers: 4,
                max_interferers: 0,
                max_groups: 1,
                group_prbs: 1,
                n_sym: 1
            }
        )),
        "layers"
    );
    assert_eq!(
        support::err::name(MimoDetector::new(
            &massive_mimo::detection::DetectorConfig {
                max_ant: 64,
                max_layers: 16,
                max_interferers: 17,
                max_groups: 1,
                group_prbs: 1,
                n_sym: 1
            }
        )),
        "(max_layers + max_interferers, max_groups, group_prbs, n_sym)"
    );
    // A NaN noise variance, a noise slice one group short, IRC factors for the wrong antennas.
    let mut rejects = |noise_var: &[f32], interference, method| {
        let ch = GroupChannels {
            h: h.view(),
            noise_var,
            interference,
        };
        support::err::name(det.process(&ch, method, y.view(), x.view_mut(), xv.view_mut()))
    };
    assert_eq!(
        rejects(&[f32::NAN, 0.1, 0.1], None, DetectorMethod::Zf),
        "noise_var"
    );
    assert_eq!(
        rejects(&[0.1; 2], None, DetectorMethod::Zf),
        "noise_var [n_groups]"
    );
    let u = Array3::zeros((3, 1, 4));
    assert_eq!(
        rejects(
            &nvs,
            Some(u.view()),
            DetectorMethod::Irc { unbiased: false }
        ),
        "interference [n_groups, n_int ≤ max_interferers, n_ant]"
    );
    // IRC factors of the wrong group count or antenna count, each on its own (a detector
    // with room for one interferer, so the count itself is fine).
    let mut det_irc = MimoDetector::new(&massive_mimo::detection::DetectorConfig {
        max_ant: 4,
        max_layers: 2,
        max_interferers: 1,
        max_groups: 3,
        group_prbs: 1,
        n_sym: 2,
    })
    .unwrap();
    let h_ok = Array3::from_elem((3, 2, 4), C32::new(1.0, 0.0));
    for u_shape in [(2, 1, 4), (3, 1, 3), (3, 2, 4)] {
        let u = Array3::from_elem(u_shape, C32::new(0.1, 0.0));
        let ch = GroupChannels {
            h: h_ok.view(),
            noise_var: &[0.1; 3],
            interference: Some(u.view()),
        };
        assert_eq!(
            support::err::name(det_irc.compute(&ch, DetectorMethod::Irc { unbiased: true })),
            "interference [n_groups, n_int ≤ max_interferers, n_ant]",
            "{u_shape:?}"
        );
    }
    // Channel shapes `compute` must refuse, each on its own: no group, more groups than
    // max_groups (3), no antenna, more antennas than max_ant (4), no layer, more layers than
    // max_layers (2), more layers than antennas.
    let h_name = "h [n_groups ≤ max_groups, n_layers ≤ min(max_layers, n_ant), n_ant ≤ max_ant]";
    for shape in [
        (0, 2, 4),
        (4, 2, 4),
        (3, 2, 0),
        (3, 2, 5),
        (3, 0, 4),
        (3, 3, 4),
        (3, 2, 1),
    ] {
        let hb = Array3::from_elem(shape, C32::new(1.0, 0.0));
        let ch = GroupChannels {
            h: hb.view(),
            noise_var: &[0.1; 4][..shape.0],
            interference: None,
        };
        assert_eq!(
            support::err::name(det.compute(&ch, DetectorMethod::Zf)),
            h_name,
            "{shape:?}"
        );
    }
    assert_eq!(
        support::err::name(interference_factors(
            Array2::zeros((4, 0)).view(),
            0.1,
            Array2::zeros((1, 4)).view_mut()
        )),
        "e [n_ant, 1 ≤ n_samples ≤ max_samples] / u [n_int, n_ant]"
    );
    // More residual samples than the estimator holds, and factors for the wrong antenna count,
    // each on its own.
    let mut ie = massive_mimo::detection::InterferenceEstimator::new(3).unwrap();
    let e_ok = Array2::from_elem((4, 3), C32::new(0.1, 0.0));
    let mut u_ok = Array2::zeros((1, 4));
    ie.factors(e_ok.view(), 0.1, u_ok.view_mut()).unwrap();
    let e_long = Array2::from_elem((4, 4), C32::new(0.1, 0.0));
    let mut u_short = Array2::zeros((1, 3));
    for (what, r) in [
        (
            "4 samples > 3",
            ie.factors(e_long.view(), 0.1, u_ok.view_mut()),
        ),
        (
            "u for 3 antennas",
            ie.factors(e_ok.view(), 0.1, u_short.view_mut()),
        ),
    ] {
        assert_eq!(
            support::err::name(r),
            "e [n_ant, 1 ≤ n_samples ≤ max_samples] / u [n_int, n_ant]",
            "{what}"
        );
    }
}

/// `Σ_k x[k, i]·conj(x[k, j])` in f64: UUᴴ of factors `u [k, antenna]`, or N times the
/// sample covariance of residuals given as `eᵀ [sample, antenna]`.
fn outer_sum_f64(x: ndarray::ArrayView2<'_, C32>) -> nalgebra::DMatrix<nalgebra::Complex<f64>> {
    let c = |v: C32| nalgebra::Complex::new(f64::from(v.re), f64::from(v.im));
    let n = x.dim().1;
    nalgebra::DMatrix::from_fn(n, n, |i, j| {
        x.outer_iter().map(|row| c(row[i]) * c(row[j]).conj()).sum()
    })
}

/// The IRC factors against an independent decomposition (nalgebra's Hermitian eigen-solver in
/// f64) of the sample covariance S = EEᴴ/N of the residuals: UUᴴ equals
/// Σ_{i < n_int, λ_i > σ²} (λ_i − σ²)·v_i·v_iᴴ — the interference part of R = σ²I + UUᴴ — on
/// both solver paths (subspace iteration for n_int + 2 < N, the full Jacobi otherwise). f32
/// output: agreement to 1e-5 of the largest eigenvalue.
#[test]
fn interference_factors_equal_the_noise_removed_eigenpairs_of_the_sample_covariance() {
    use massive_mimo::detection::InterferenceEstimator;
    use nalgebra::{Complex, DMatrix};
    let (n_ant, n) = (8, 12);
    let mut rng = ChaCha8Rng::seed_from_u64(77);
    // Two interferers (power 4 and amp²) plus white noise (uniform ±0.2 per part: σ² ≈ 0.027)
    // on 8 antennas, 12 samples.
    let g: Vec<C32> = (0..2 * n_ant)
        .map(|_| C32::new(rng.gen_range(-1.0..1.0), rng.gen_range(-1.0..1.0)))
        .collect();
    // The second interferer at amplitude 1 (eigenvalues far apart) and 1.9 (close: eight
    // subspace iterations leave the two strongest directions mixed, and only the
    // Rayleigh–Ritz step separates them).
    for amp in [1.0f32, 1.9] {
        let e = Array2::from_shape_fn((n_ant, n), |(a, t)| {
            let s = |k: usize| ((t * 7 + k * 3) as f32 * 0.9).sin();
            g[a] * 2.0 * s(0)
                + g[n_ant + a] * amp * s(1)
                + C32::new(rng.gen_range(-0.2..0.2), rng.gen_range(-0.2..0.2))
        });
        let sm = outer_sum_f64(e.t()) / Complex::new(n as f64, 0.0);
        let eig = sm.clone().symmetric_eigen();
        let mut order: Vec<usize> = (0..n_ant).collect();
        order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
        let top = eig.eigenvalues[order[0]];
        for (n_int, nv) in [(1, 0.05f32), (2, 0.05), (3, 0.05), (7, 0.05), (2, 0.0)] {
            let mut want = DMatrix::<Complex<f64>>::zeros(n_ant, n_ant);
            let mut count = 0;
            for &i in order.iter().take(n_int) {
                let lam = eig.eigenvalues[i];
                if lam <= f64::from(nv) {
                    break;
                }
                let v = eig.eigenvectors.column(i);
                want += v * v.adjoint() * Complex::new(lam - f64::from(nv), 0.0);
                count += 1;
            }
            let mut ie = InterferenceEstimator::new(n).unwrap();
            let mut u = Array2::zeros((n_int, n_ant));
            let kept = ie.factors(e.view(), nv, u.view_mut()).unwrap();
            assert_eq!(kept, count, "n_int {n_int}");
            let got = outer_sum_f64(u.view());
            let err = (got - &want).iter().map(|z| z.norm()).fold(0.0, f64::max);
            assert!(
                err < 1e-5 * top,
                "amp {amp}, n_int {n_int}, σ² {nv}: max |UUᴴ − want| = {err:e}"
            );
        }
    }
}

/// Two interferers of nearly equal power (sample-covariance eigenvalues 4.0 and 3.8, exactly,
/// then 0.3 and zeros): eight subspace iterations leave their directions mixed ((3.8/4)⁸ ≈ 0.66),
/// so only the Rayleigh–Ritz step makes the first factor the strongest eigenvector. The factors
/// must be √(λ_i − σ²)·v_i to f32 precision for n_int = 1 and 2 (UUᴴ against the exact
/// Σ (λ_i − σ²)·v_i·v_iᴴ; 1e-5 of λ₁).
#[test]
fn interference_factors_separate_nearly_equal_interferers() {
    use massive_mimo::detection::InterferenceEstimator;
    use nalgebra::{Complex, DMatrix};
    let (n_ant, n, nv) = (8, 12, 0.1f32);
    let lam = [4.0f64, 3.8, 0.3];
    // Orthonormal antenna directions (QR of a random matrix) and orthonormal sample sequences
    // (DFT rows): E·Eᴴ/N = Σ λ_k·v_k·v_kᴴ exactly.
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let a = DMatrix::from_fn(n_ant, 3, |_, _| {
        Complex::new(rng.gen_range(-1.0..1.0), rng.gen_range(-1.0..1.0))
    });
    let v = a.qr().q();
    let e = Array2::from_shape_fn((n_ant, n), |(i, t)| {
        let z: Complex<f64> = (0..3)
            .map(|k| {
                let w = Complex::from_polar(
                    1.0 / (n as f64).sqrt(),
                    2.0 * std::f64::consts::PI * (k * t) as f64 / n as f64,
                );
                v[(i, k)] * w * (lam[k] * n as f64).sqrt()
            })
            .sum();
        C32::new(z.re as f32, z.im as f32)
    });
    for n_int in [1, 2] {
        let mut want = DMatrix::<Complex<f64>>::zeros(n_ant, n_ant);
        for (k, &l) in lam.iter().enumerate().take(n_int) {
            let vk = v.column(k);
            want += vk * vk.adjoint() * Complex::new(l - f64::from(nv), 0.0);
        }
        let mut ie = InterferenceEstimator::new(n).unwrap();
        let mut u = Array2::zeros((n_int, n_ant));
        assert_eq!(ie.factors(e.view(), nv, u.view_mut()).unwrap(), n_int);
        let got = outer_sum_f64(u.view());
        let err = (got - &want).iter().map(|z| z.norm()).fold(0.0, f64::max);
        assert!(
            err < 1e-5 * lam[0],
            "n_int {n_int}: max |UUᴴ − want| = {err:e}"
        );
    }
}

#[test]
fn sic_lowers_the_bit_error_rate_of_mmse() {
    use massive_mimo::detection::{SicConfig, SicDetector};
    use massive_mimo::modulation::demap;
    let (n_rx, n_l, n_groups, m) = (16, 8, 60, Modulation::Qam16);
    let nv = 0.5f64;
    let sc = scenario(41, n_rx, n_l, n_groups, m, nv);
    let n_sc = 12 * n_groups;
    let ber = |stages: usize| {
        let mut sic = SicDetector::new(&massive_mimo::detection::DetectorConfig {
            max_ant: n_rx,
            max_layers: n_l,
            max_interferers: 0,
            max_groups: n_groups,
            group_prbs: 1,
            n_sym: 14,
        })
        .unwrap();
        let mut x = Array3::zeros((n_l, 14, n_sc));
        let mut xv = Array2::zeros((n_groups, n_l));
        let nvs = vec![nv as f32; n_groups];
        let ch = GroupChannels {
            h: sc.h.view(),
            noise_var: &nvs,
            interference: None,
        };
        let cfg = SicConfig {
            modulation: m,
            stages,
            irc: false,
        };
        sic.process(&ch, cfg, sc.y.view(), x.view_mut(), xv.view_mut())
            .unwrap();
        let mut errors = 0usize;
        let mut llr = vec![0.0f32; 12 * 4];
        for l in 0..n_l {
            for t in 0..14 {
                for g in 0..n_groups {
                    let sym: Vec<C32> = (0..12).map(|k| x[[l, t, 12 * g + k]]).collect();
                    demap(m, DemapMethod::MaxLog, &sym, &[xv[[g, l]]; 12], &mut llr).unwrap();
                    let b0 = (t * n_sc + 12 * g) * 4;
                    errors += llr
                        .iter()
                        .zip(&sc.bits[l][b0..b0 + 48])
                        .filter(|(v, b)| ((**v < 0.0) as u8) != **b)
                        .count();
                }
            }
        }
        (errors as f64 / (n_l * 14 * n_sc * 4) as f64, x)
    };
    let (ber0, x0) = ber(0);
    let (ber_sic, _) = ber(7);
    // Stage 0 is plain per-PRB MMSE.
    let (ber_mmse, _) = detect(&sc, nv as f32, DetectorMethod::Mmse { unbiased: true }, m);
    assert!((ber0 - ber_mmse).abs() < 1e-12);
    assert!(x0.iter().all(|v| v.re.is_finite()));
    println!("16 × 8 16QAM: MMSE BER {ber0:.3e}, MMSE-SIC (7 stages) {ber_sic:.3e}");
    assert!(ber_sic < 0.8 * ber0, "SIC {ber_sic:.3e} vs MMSE {ber0:.3e}");
}

/// SIC refuses each wrong shape on its own (the received grid, the output grid, the noise
/// output, the channels), naming the pair it checks; the right shapes pass.
#[test]
fn sic_names_each_wrong_shape() {
    use massive_mimo::detection::{DetectorConfig, SicConfig, SicDetector};
    let (n_rx, n_l, n_groups) = (4, 2, 2);
    let mut sic = SicDetector::new(&DetectorConfig {
        max_ant: n_rx,
        max_layers: n_l,
        max_interferers: 0,
        max_groups: n_groups,
        group_prbs: 1,
        n_sym: 1,
    })
    .unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let h = Array3::from_shape_fn((n_groups, n_l, n_rx), |_| cn(&mut rng, 1.0));
    let h_bad = Array3::from_shape_fn((n_groups, n_l, n_rx + 1), |_| cn(&mut rng, 1.0));
    let y = Array3::from_shape_fn((n_rx, 1, 24), |_| cn(&mut rng, 1.0));
    let y_bad = Array3::from_shape_fn((n_rx, 1, 12), |_| cn(&mut rng, 1.0));
    let nvs = [0.1f32; 2];
    let cfg = SicConfig {
        modulation: Modulation::Qpsk,
        stages: 1,
        irc: false,
    };
    let grids = "y [n_rx, n_sym, n_sc] / x [n_l, n_sym, n_sc]";
    let outputs = "x_noise_var [n_groups, n_l] / h [n_groups, n_layers, n_ant]";
    for (what, hh, yy, x_sc, xv_rows, want) in [
        ("all right", &h, &y, 24, n_groups, None),
        ("y alone", &h, &y_bad, 24, n_groups, Some(grids)),
        ("x alone", &h, &y, 12, n_groups, Some(grids)),
        ("x_noise_var alone", &h, &y, 24, n_groups + 1, Some(outputs)),
        ("h alone", &h_bad, &y, 24, n_groups, Some(outputs)),
    ] {
        let ch = GroupChannels {
            h: hh.view(),
            noise_var: &nvs,
            interference: None,
        };
        let mut x = Array3::zeros((n_l, 1, x_sc));
        let mut xv = Array2::zeros((xv_rows, n_l));
        let r = sic.process(&ch, cfg, yy.view(), x.view_mut(), xv.view_mut());
        match want {
            None => assert!(r.is_ok(), "{what}: {r:?}"),
            Some(name) => assert_eq!(support::err::name(r), name, "{what}"),
        }
    }
}

/// Issue 21, finding 2: capacities that used to abort in the allocator (1e9 PRBs, 1e9 columns)
/// are typed errors naming the parameters.
#[test]
fn absurd_capacities_are_errors_not_aborts() {
    use massive_mimo::detection::DetectorConfig;
    use massive_mimo::precoding::PrecoderApplier;
    let cfg = DetectorConfig {
        max_ant: 64,
        max_layers: 16,
        max_interferers: 0,
        max_groups: 1_000_000_000,
        group_prbs: 1,
        n_sym: 14,
    };
    assert!(matches!(
        MimoDetector::new(&cfg),
        Err(massive_mimo::Error::InvalidParameter {
            name: "(max_layers + max_interferers, max_groups, group_prbs, n_sym)",
            ..
        })
    ));
    assert!(matches!(
        PrecoderApplier::new(64, 16, 1_000_000_000),
        Err(massive_mimo::Error::InvalidParameter {
            name: "(n_tx, k, max_cols)",
            ..
        })
    ));
}

/// Issue 21, finding 4: ZF and MMSE are scale-covariant (F(cH, c²σ²) = F(H, σ²)/c), so a
/// channel of 1e-20 or 1e18 must detect the same symbols and noise as one of 1; it used to
/// underflow the Gram into erasures (1e-20) or overflow it (above 1e10). (σ² ∝ c² leaves f32
/// above c ≈ 1.8e19.)
#[test]
fn detection_is_scale_invariant_from_1e_minus_20_to_1e18() {
    // Rayleigh channels (8 × 3: well conditioned, so f32 rounding of the scaled inputs moves
    // the results by ≈ 1e-7 relative, not more).
    let (cfg, h1, y1) = four_groups_of_8x3(2020);
    let n_groups = h1.dim().0;
    let run = |scale: f64, method| {
        let sc = |v: &C32| C32::new((v.re as f64 * scale) as f32, (v.im as f64 * scale) as f32);
        let h = h1.map(sc);
        let y = y1.map(sc);
        let nv = vec![(0.05 * scale * scale) as f32; n_groups];
        let mut det = MimoDetector::new(&cfg).unwrap();
        let (rep, x, xv) = detect_once(&mut det, h.view(), &nv, method, y.view());
        (rep.erasures, x, xv)
    };
    for method in [DetectorMethod::Zf, DetectorMethod::Mmse { unbiased: true }] {
        let (_, x1, v1) = run(1.0, method);
        for scale in [1e-20, 1e-10, 1e10, 1e18] {
            let (erasures, x, v) = run(scale, method);
            assert_eq!(erasures, 0, "{method:?} at {scale:e}");
            // x: f32 rounding of the scaled inputs only. The noise variance 0.05·1e-40 is a
            // denormal f32 (≈ 3 significant digits), hence its looser bound at 1e-20.
            let xt = if scale < 1e-15 { 2e-3 } else { 1e-4 };
            for (a, b) in x.iter().zip(x1.iter()) {
                assert!(
                    (a - b).norm() <= xt * (1.0 + b.norm()),
                    "{method:?} {scale:e}: {a} vs {b}"
                );
            }
            for (a, b) in v.iter().zip(v1.iter()) {
                assert!(
                    (a - b).abs() <= xt * b.abs(),
                    "{method:?} {scale:e} noise: {a} vs {b}"
                );
            }
        }
    }
}

/// The scaling is per group: groups of one call at 1e18, 1e-20, 1e10 and 1 each detect what
/// they detect alone at scale 1 (a peak taken over the wrong group's values would leave the
/// smallest group underflowing or the largest overflowing).
#[test]
fn each_group_is_scaled_on_its_own() {
    let (cfg, h1, y1) = four_groups_of_8x3(2021);
    let (n_groups, n_l, _) = h1.dim();
    // Large before small: a peak taken over a neighbouring group sees the larger one.
    let scales = [1e18f64, 1e-20, 1e10, 1.0];
    let sc = |v: &C32, s: f64| C32::new((v.re as f64 * s) as f32, (v.im as f64 * s) as f32);
    let h = Array3::from_shape_fn(h1.dim(), |(g, l, a)| sc(&h1[[g, l, a]], scales[g]));
    let y = Array3::from_shape_fn(y1.dim(), |(a, t, k)| sc(&y1[[a, t, k]], scales[k / 12]));
    let nv: Vec<f32> = scales.iter().map(|s| (0.05 * s * s) as f32).collect();
    for method in [DetectorMethod::Zf, DetectorMethod::Mmse { unbiased: true }] {
        let mut det = MimoDetector::new(&cfg).unwrap();
        let (rep, x, v) = detect_once(&mut det, h.view(), &nv, method, y.view());
        let mut det1 = MimoDetector::new(&cfg).unwrap();
        let (_, x1, v1) = detect_once(&mut det1, h1.view(), &[0.05; 4], method, y1.view());
        assert_eq!(rep.erasures, 0, "{method:?}");
        // As the test above: f32 rounding of the scaled inputs, a denormal σ² at 1e-20.
        for g in 0..n_groups {
            let xt = if scales[g] < 1e-15 { 2e-3 } else { 1e-4 };
            for k in 12 * g..12 * (g + 1) {
                for l in 0..n_l {
                    for t in 0..2 {
                        let (a, b) = (x[[l, t, k]], x1[[l, t, k]]);
                        assert!(
                            (a - b).norm() <= xt * (1.0 + b.norm()),
                            "{method:?} group {g}: {a} vs {b}"
                        );
                    }
                }
            }
            for l in 0..n_l {
                let (a, b) = (v[[g, l]], v1[[g, l]]);
                assert!(
                    (a - b).abs() <= xt * b.abs(),
                    "{method:?} group {g} noise: {a} vs {b}"
                );
            }
        }
    }
}

/// A detector configuration for 4 one-PRB groups of 8 antennas × 3 layers and 2 symbols, with
/// i.i.d. unit-power Rayleigh channels `h [group, layer, ant]` and received samples
/// `y [ant, 2, 48]` drawn from `seed`.
fn four_groups_of_8x3(
    seed: u64,
) -> (
    massive_mimo::detection::DetectorConfig,
    Array3<C32>,
    Array3<C32>,
) {
    let (n_rx, n_l, n_groups) = (8, 3, 4);
    let cfg = massive_mimo::detection::DetectorConfig {
        max_ant: n_rx,
        max_layers: n_l,
        max_interferers: 0,
        max_groups: n_groups,
        group_prbs: 1,
        n_sym: 2,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let h = Array3::from_shape_fn((n_groups, n_l, n_rx), |_| cn(&mut rng, 1.0));
    let y = Array3::from_shape_fn((n_rx, 2, 12 * n_groups), |_| cn(&mut rng, 1.0));
    (cfg, h, y)
}

/// One `process` call without interference factors: the layers `[n_l, n_sym, n_sc]` (shaped
/// from `h [group, layer, ant]` and `y [ant, n_sym, n_sc]`), the noise `[group, layer]` and the
/// report.
fn detect_once(
    det: &mut MimoDetector,
    h: ndarray::ArrayView3<'_, C32>,
    noise: &[f32],
    method: DetectorMethod,
    y: ndarray::ArrayView3<'_, C32>,
) -> (DetectorReport, Array3<C32>, Array2<f32>) {
    let (n_groups, n_l, _) = h.dim();
    let mut x = Array3::zeros((n_l, y.dim().1, y.dim().2));
    let mut xv = Array2::zeros((n_groups, n_l));
    let ch = GroupChannels {
        h,
        noise_var: noise,
        interference: None,
    };
    let rep = det
        .process(&ch, method, y, x.view_mut(), xv.view_mut())
        .unwrap();
    (rep, x, xv)
}

/// Independent f64 reference of the linear filters (nalgebra, no kernel code): per group
/// A = (HᴴH + λI)⁻¹ (λ = σ² for MMSE, 0 for ZF), W = A·Hᴴ, and the per-layer gain
/// g_l = 1 − σ²·A_ll. Returns (W [n_l × n_ant], A_ll, κ(HᴴH + λI)).
/// Layer `l` of the detector output `x` [n_l, 14, n_sc] on subcarriers `ks` of every symbol
/// equals `scale · w[l, :] · y[:, t, k]` (f64) within `tol` relative to the output's scale.
#[allow(clippy::too_many_arguments)]
fn check_layer_res(
    x: &Array3<C32>,
    y: &Array3<C32>,
    w: &nalgebra::DMatrix<num_complex::Complex64>,
    l: usize,
    scale: f64,
    ks: std::ops::Range<usize>,
    tol: f64,
    what: &str,
) {
    use num_complex::Complex64;
    let c64 = |v: C32| Complex64::new(v.re as f64, v.im as f64);
    for t in 0..x.dim().1 {
        for k in ks.clone() {
            let want: Complex64 = (0..y.dim().0)
                .map(|a| w[(l, a)] * c64(y[[a, t, k]]))
                .sum::<Complex64>()
                * scale;
            let v = x[[l, t, k]];
            let err = (c64(v) - want).norm();
            assert!(
                err <= tol * want.norm().max(1.0),
                "{what} layer {l} RE ({t}, {k}): {v} vs {want} (tol {tol:.1e})"
            );
        }
    }
}

fn reference_filter(
    h: ndarray::ArrayView2<'_, C32>,
    noise_var: f64,
    mmse: bool,
) -> (nalgebra::DMatrix<num_complex::Complex64>, Vec<f64>, f64) {
    use nalgebra::DMatrix;
    use num_complex::Complex64;
    let (n_l, n_ant) = h.dim();
    // H as n_ant × n_l (column l = layer l's channel at every antenna).
    let hm = DMatrix::from_fn(n_ant, n_l, |a, l| {
        Complex64::new(h[[l, a]].re as f64, h[[l, a]].im as f64)
    });
    let load = if mmse { noise_var } else { 0.0 };
    let g =
        hm.adjoint() * &hm + DMatrix::<Complex64>::identity(n_l, n_l) * Complex64::new(load, 0.0);
    let eig = g.clone().symmetric_eigenvalues();
    let kappa = eig.max() / eig.min();
    let a = g.try_inverse().expect("well-conditioned test channel");
    let w = &a * hm.adjoint();
    let diag = (0..n_l).map(|l| a[(l, l)].re).collect();
    (w, diag, kappa)
}

#[test]
fn filters_without_interferers_equal_an_f64_reference_per_re() {
    // Issue 23: the n_int = 0 path (no IRC factors) checked per RE against an independent f64
    // computation, for ZF, biased / unbiased MMSE and IRC without interferers (which must be
    // MMSE); each group has its own noise variance, so a misplaced or halved diagonal load, a
    // wrong group's σ², or a wrong bias / noise formula shows. Reported noise per layer:
    // ZF σ²·A_ll; MMSE biased g(1 − g), unbiased (1 − g)/g with g = 1 − σ²·A_ll.
    let (n_ant, n_l, n_groups) = (8, 3, 4);
    let mut rng = ChaCha8Rng::seed_from_u64(2301);
    let h = Array3::from_shape_fn((n_groups, n_l, n_ant), |_| cn(&mut rng, 1.0));
    let y = Array3::from_shape_fn((n_ant, 14, 12 * n_groups), |_| cn(&mut rng, 2.0));
    let noise = [0.02f32, 0.1, 0.5, 1.5];
    let mut det = MimoDetector::new(&massive_mimo::detection::DetectorConfig {
        max_ant: n_ant,
        max_layers: n_l,
        max_interferers: 2,
        max_groups: n_groups,
        group_prbs: 1,
        n_sym: 14,
    })
    .unwrap();
    for method in [
        DetectorMethod::Zf,
        DetectorMethod::Mmse { unbiased: false },
        DetectorMethod::Mmse { unbiased: true },
        DetectorMethod::Irc { unbiased: true },
    ] {
        let (rep, x, xv) = detect_once(&mut det, h.view(), &noise, method, y.view());
        let ch = GroupChannels {
            h: h.view(),
            noise_var: &noise,
            interference: None,
        };
        assert_eq!(rep.erasures, 0);
        assert_eq!(det.compute(&ch, method).unwrap(), rep);
        let (mmse, unbiased) = match method {
            DetectorMethod::Zf => (false, false),
            DetectorMethod::Mmse { unbiased } | DetectorMethod::Irc { unbiased } => {
                (true, unbiased)
            }
        };
        for g in 0..n_groups {
            let s2 = noise[g] as f64;
            let (w, a_ll, kappa) = reference_filter(h.index_axis(ndarray::Axis(0), g), s2, mmse);
            // Forward error of a Cholesky solve in f32: a small multiple of n·ε·κ (Higham,
            // Accuracy and Stability, Thm 10.4); 4·n_ant·ε·κ relative to the output scale.
            let tol = 4.0 * n_ant as f64 * f32::EPSILON as f64 * kappa;
            for l in 0..n_l {
                let gain = 1.0 - s2 * a_ll[l];
                let (scale, nv) = match (mmse, unbiased) {
                    (false, _) => (1.0, s2 * a_ll[l]),
                    (true, false) => (1.0, gain * (1.0 - gain)),
                    (true, true) => (1.0 / gain, (1.0 - gain) / gain),
                };
                let got = xv[[g, l]] as f64;
                assert!(
                    (got - nv).abs() <= tol * nv.max(1.0),
                    "{method:?} group {g} layer {l}: noise {got} vs {nv} (tol {tol:.1e})"
                );
                // `compute` alone leaves the same filters and noise to read back.
                assert_eq!(det.noise()[[g, l]], xv[[g, l]]);
                for a in 0..n_ant {
                    let f = det.filters()[[g, l, a]];
                    let want = w[(l, a)] * scale;
                    let err = (num_complex::Complex64::new(f.re as f64, f.im as f64) - want).norm();
                    assert!(
                        err <= tol * want.norm().max(1.0),
                        "{method:?} filter ({g}, {l}, {a})"
                    );
                }
                let what = format!("{method:?} group {g}");
                check_layer_res(&x, &y, &w, l, scale, 12 * g..12 * (g + 1), tol, &what);
            }
        }
    }
}

/// Erasing a group that is not the first clears exactly its own filters and noise: a second
/// call on the same detector, with group 2 of 4 singular, leaves group 2's layers zero and its
/// noise `f32::MAX`, and groups 0, 1 and 3 bit-identical to the first call (all groups regular).
/// A fresh detector starts with zero filters, so only a second call sees a wrong range.
#[test]
fn erasing_a_later_group_leaves_its_neighbours_alone() {
    let (cfg, h, y) = four_groups_of_8x3(23);
    let n_groups = h.dim().0;
    let mut h_bad = h.clone();
    // Layer 2 of group 2 repeats layer 0: HᴴH is singular (rank 2), so ZF erases the group.
    let l0 = h.slice(s![2, 0, ..]).to_owned();
    h_bad.slice_mut(s![2, 2, ..]).assign(&l0);
    let nv = [0.05f32; 4];
    let mut det = MimoDetector::new(&cfg).unwrap();
    let (rep1, x1, v1) = detect_once(&mut det, h.view(), &nv, DetectorMethod::Zf, y.view());
    let (rep2, x2, v2) = detect_once(&mut det, h_bad.view(), &nv, DetectorMethod::Zf, y.view());
    assert_eq!((rep1.erasures, rep2.erasures), (0, 1));
    for g in 0..n_groups {
        let (xs1, xs2) = (
            x1.slice(s![.., .., 12 * g..12 * (g + 1)]),
            x2.slice(s![.., .., 12 * g..12 * (g + 1)]),
        );
        if g == 2 {
            assert!(
                xs1.iter().all(|v| v.norm() > 0.0),
                "group 2 was detected first"
            );
            assert!(
                xs2.iter().all(|v| *v == C32::new(0.0, 0.0)),
                "group 2 erased"
            );
            assert!(v2.row(2).iter().all(|&v| v == f32::MAX), "{:?}", v2.row(2));
        } else {
            assert_eq!(xs1, xs2, "group {g}'s layers");
            assert_eq!(v1.row(g), v2.row(g), "group {g}'s noise");
        }
    }
}

/// `demap` refuses each wrong argument on its own: a layer count other than the detector's,
/// a layer index past the last, a noise array of the wrong shape, an LLR buffer of the wrong
/// length — each named.
#[test]
fn demap_names_each_wrong_argument() {
    let cfg = massive_mimo::detection::DetectorConfig {
        max_ant: 4,
        max_layers: 2,
        max_interferers: 0,
        max_groups: 2,
        group_prbs: 1,
        n_sym: 1,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let h = Array3::from_shape_fn((2, 2, 4), |_| cn(&mut rng, 1.0));
    let y = Array3::from_shape_fn((4, 1, 24), |_| cn(&mut rng, 1.0));
    let mut det = MimoDetector::new(&cfg).unwrap();
    let (_, x, xv) = detect_once(&mut det, h.view(), &[0.1; 2], DetectorMethod::Zf, y.view());
    let m = Modulation::Qam16;
    let mut llr = vec![0.0f32; 24 * 4];
    det.demap(m, DemapMethod::MaxLog, x.view(), xv.view(), 1, &mut llr)
        .unwrap();
    let shapes = "x [n_l, n_sym, n_sc] / x_noise_var [n_groups, n_l] / layer";
    let x3 = Array3::zeros((3, 1, 24));
    let xv_bad = Array2::zeros((3, 2));
    for (what, xa, xva, layer) in [
        ("three layers", x3.view(), xv.view(), 0),
        ("layer 2 of 2", x.view(), xv.view(), 2),
        ("noise [3, 2]", x.view(), xv_bad.view(), 0),
    ] {
        assert_eq!(
            support::err::name(det.demap(m, DemapMethod::MaxLog, xa, xva, layer, &mut llr)),
            shapes,
            "{what}"
        );
    }
    let mut short = vec![0.0f32; 24 * 4 - 1];
    match det.demap(m, DemapMethod::MaxLog, x.view(), xv.view(), 0, &mut short) {
        Err(massive_mimo::Error::ShapeMismatch {
            name,
            expected,
            got,
        }) => {
            assert_eq!(name, "llr [n_sym·n_sc·Qm]");
            // 1 symbol × 24 subcarriers × 4 bits.
            assert_eq!(&*expected, &[96]);
            assert_eq!(&*got, &[95]);
        }
        other => panic!("{other:?}"),
    }
}

/// `demap` gives each PRB group's subcarriers that group's noise variance: with groups of two
/// PRBs (24 subcarriers) and noise 0.05 / 5.0 per group, every group's LLRs equal
/// `modulation::demap` of its own subcarriers at its own σ², bit for bit.
#[test]
fn demap_uses_each_groups_own_noise() {
    let cfg = massive_mimo::detection::DetectorConfig {
        max_ant: 4,
        max_layers: 2,
        max_interferers: 0,
        max_groups: 3,
        group_prbs: 2,
        n_sym: 2,
    };
    let mut det = MimoDetector::new(&cfg).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    // 60 subcarriers: two whole groups and a half one.
    let x = Array3::from_shape_fn((2, 2, 60), |_| cn(&mut rng, 1.0));
    let xv = Array2::from_shape_vec((3, 2), vec![0.05f32, 0.1, 5.0, 0.2, 0.5, 0.3]).unwrap();
    let m = Modulation::Qam16;
    let mut llr = vec![0.0f32; 2 * 60 * 4];
    det.demap(m, DemapMethod::MaxLog, x.view(), xv.view(), 1, &mut llr)
        .unwrap();
    // Subcarriers beyond the last group (here 72..80 of a 3-group detector) take the last
    // group's noise.
    let x_wide = Array3::from_shape_fn((2, 2, 80), |_| cn(&mut rng, 1.0));
    let mut llr_wide = vec![0.0f32; 2 * 80 * 4];
    det.demap(
        m,
        DemapMethod::MaxLog,
        x_wide.view(),
        xv.view(),
        1,
        &mut llr_wide,
    )
    .unwrap();
    let tail: Vec<C32> = x_wide.slice(s![1, 1, 48..80]).to_vec();
    let mut want = vec![0.0f32; 32 * 4];
    massive_mimo::modulation::demap(m, DemapMethod::MaxLog, &tail, &[xv[[2, 1]]; 32], &mut want)
        .unwrap();
    assert_eq!(&llr_wide[(80 + 48) * 4..160 * 4], &want[..]);
    for t in 0..2 {
        for (g, (k0, k1)) in [(0, 24), (24, 48), (48, 60)].into_iter().enumerate() {
            let sym: Vec<C32> = x.slice(s![1, t, k0..k1]).to_vec();
            let mut want = vec![0.0f32; (k1 - k0) * 4];
            massive_mimo::modulation::demap(
                m,
                DemapMethod::MaxLog,
                &sym,
                &vec![xv[[g, 1]]; k1 - k0],
                &mut want,
            )
            .unwrap();
            assert_eq!(
                &llr[(t * 60 + k0) * 4..(t * 60 + k1) * 4],
                &want[..],
                "symbol {t}, group {g}"
            );
        }
    }
}

/// ZF and MMSE ignore IRC factors (`GroupChannels::interference`'s docs): on a detector with
/// room for two interferers, filters and noise with factors given equal those without, bit
/// for bit (both take the augmented path with the same unused, decoupled columns).
#[test]
fn zf_and_mmse_ignore_interference_factors() {
    let (mut cfg, h, _) = four_groups_of_8x3(77);
    cfg.max_interferers = 2;
    let mut rng = ChaCha8Rng::seed_from_u64(78);
    let u = Array3::from_shape_fn((4, 2, 8), |_| cn(&mut rng, 3.0));
    let nv = [0.05f32; 4];
    for method in [DetectorMethod::Zf, DetectorMethod::Mmse { unbiased: true }] {
        let mut with = MimoDetector::new(&cfg).unwrap();
        let mut without = MimoDetector::new(&cfg).unwrap();
        for (det, interference) in [(&mut with, Some(u.view())), (&mut without, None)] {
            let ch = GroupChannels {
                h: h.view(),
                noise_var: &nv,
                interference,
            };
            det.compute(&ch, method).unwrap();
        }
        assert_eq!(with.filters(), without.filters(), "{method:?}");
        assert_eq!(with.noise(), without.noise(), "{method:?}");
    }
}

#[test]
fn process_bands_gives_each_sub_prb_band_its_own_filter() {
    // Issue 18: groups narrower than a PRB (`process_bands`, here 8 bands of 3 subcarriers on
    // 2 PRBs, each with its own channel and noise): every RE of band g equals band g's unbiased
    // MMSE filter times y, against the f64 reference with the Cholesky forward-error bound of
    // `filters_without_interferers_equal_an_f64_reference_per_re`. A per-PRB mapping would
    // apply band 0's filter to bands 0–3.
    let (n_ant, n_l, band, n_bands) = (8, 3, 3, 8);
    let mut rng = ChaCha8Rng::seed_from_u64(1803);
    let h = Array3::from_shape_fn((n_bands, n_l, n_ant), |_| cn(&mut rng, 1.0));
    let y = Array3::from_shape_fn((n_ant, 14, band * n_bands), |_| cn(&mut rng, 2.0));
    let noise: Vec<f32> = (0..n_bands).map(|g| 0.05 * (g + 1) as f32).collect();
    let mut det = MimoDetector::new(&massive_mimo::detection::DetectorConfig {
        max_ant: n_ant,
        max_layers: n_l,
        max_interferers: 0,
        max_groups: n_bands,
        group_prbs: 1,
        n_sym: 14,
    })
    .unwrap();
    let ch = GroupChannels {
        h: h.view(),
        noise_var: &noise,
        interference: None,
    };
    let method = DetectorMethod::Mmse { unbiased: true };
    let mut x = Array3::zeros((n_l, 14, band * n_bands));
    let mut xv = Array2::zeros((n_bands, n_l));
    det.process_bands(&ch, method, band, y.view(), x.view_mut(), xv.view_mut())
        .unwrap();
    for g in 0..n_bands {
        let s2 = noise[g] as f64;
        let (w, a_ll, kappa) = reference_filter(h.index_axis(ndarray::Axis(0), g), s2, true);
        let tol = 4.0 * n_ant as f64 * f32::EPSILON as f64 * kappa;
        for l in 0..n_l {
            let gain = 1.0 - s2 * a_ll[l];
            let nv = (1.0 - gain) / gain;
            assert!(
                (xv[[g, l]] as f64 - nv).abs() <= tol * nv.max(1.0),
                "noise ({g}, {l})"
            );
            check_layer_res(
                &x,
                &y,
                &w,
                l,
                1.0 / gain,
                band * g..band * (g + 1),
                tol,
                "band",
            );
        }
    }
    // No band width: refused before anything is computed, naming it.
    let r = det.process_bands(&ch, method, 0, y.view(), x.view_mut(), xv.view_mut());
    assert_eq!(support::err::name(r), "band_sc");
}

/// The filter design runs one lane block of 16 groups at a time: 37 groups (two whole blocks
/// and a partial one) give, group for group, the filters and noise of a detector called on
/// that group alone — bit for bit, since every kernel does the same operations in every lane —
/// with each group's own σ² and scale (1e-15 … 1e15), a singular group (an erasure) in the
/// middle block, and interference factors (the IRC path builds the augmented matrix group by
/// group); the report counts the one erasure.
#[test]
fn filters_per_lane_block_equal_each_group_alone() {
    let (n_ant, n_l, n_int, n_groups) = (12, 3, 2, 37);
    let mut rng = ChaCha8Rng::seed_from_u64(3701);
    let scale = |g: usize| 10f32.powi((g as i32 % 7 - 3) * 5);
    let mut h = Array3::from_shape_fn((n_groups, n_l, n_ant), |(g, _, _)| {
        cn(&mut rng, 1.0) * scale(g)
    });
    // Group 20: two equal layers, singular for ZF.
    for a in 0..n_ant {
        h[[20, 1, a]] = h[[20, 0, a]];
    }
    let u = Array3::from_shape_fn((n_groups, n_int, n_ant), |(g, _, _)| {
        cn(&mut rng, 0.5) * scale(g)
    });
    let noise: Vec<f32> = (0..n_groups)
        .map(|g| (0.01 + 0.02 * g as f32) * scale(g) * scale(g))
        .collect();
    let cfg = |groups: usize| massive_mimo::detection::DetectorConfig {
        max_ant: n_ant,
        max_layers: n_l,
        max_interferers: n_int,
        max_groups: groups,
        group_prbs: 1,
        n_sym: 14,
    };
    for (method, irc) in [
        (DetectorMethod::Zf, false),
        (DetectorMethod::Mmse { unbiased: true }, false),
        (DetectorMethod::Irc { unbiased: false }, true),
    ] {
        let interference = irc.then(|| u.view());
        let mut all = MimoDetector::new(&cfg(n_groups)).unwrap();
        let rep = all
            .compute(
                &GroupChannels {
                    h: h.view(),
                    noise_var: &noise,
                    interference,
                },
                method,
            )
            .unwrap();
        let zf = matches!(method, DetectorMethod::Zf);
        assert_eq!(rep.erasures, usize::from(zf), "{method:?}");
        let mut one = MimoDetector::new(&cfg(1)).unwrap();
        for g in 0..n_groups {
            let r = one
                .compute(
                    &GroupChannels {
                        h: h.slice(s![g..g + 1, .., ..]),
                        noise_var: &noise[g..g + 1],
                        interference: interference.map(|u| u.slice_move(s![g..g + 1, .., ..])),
                    },
                    method,
                )
                .unwrap();
            assert_eq!(
                r.erasures,
                usize::from(zf && g == 20),
                "{method:?} group {g}"
            );
            let same = |a: &[C32], b: &[C32]| {
                a.iter().zip(b).all(|(p, q)| {
                    p.re.to_bits() == q.re.to_bits() && p.im.to_bits() == q.im.to_bits()
                })
            };
            let (fa, fo) = (all.filters(), one.filters());
            let fa = fa.slice(s![g, .., ..]).to_owned();
            let fo = fo.slice(s![0, .., ..]).to_owned();
            assert!(
                same(fa.as_slice().unwrap(), fo.as_slice().unwrap()),
                "{method:?} group {g}"
            );
            let (na, no) = (all.noise(), one.noise());
            for li in 0..n_l {
                assert_eq!(
                    na[[g, li]].to_bits(),
                    no[[0, li]].to_bits(),
                    "{method:?} group {g}"
                );
            }
        }
    }
}
