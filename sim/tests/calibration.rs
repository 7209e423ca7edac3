//! TDD reciprocity calibration: the residual error of the over-the-air relative calibration
//! against its noise bound, and what calibration gives back in downlink SINR under ZF.

use massive_mimo::C32;
use massive_mimo::array::PanelArray;
use massive_mimo::precoding::{Normalization, RzfPrecoder};
use massive_mimo_sim::calibration::{
    ChainMismatch, OverTheAir, measure_pairs, reference_calibration, relative_calibration,
};
use massive_mimo_sim::channel::{ChannelModel, StaticChannel};
use ndarray::{Array3, s};
use num_complex::Complex64;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// R.m.s. phase (degrees) and amplitude (dB) error of ĉ against the truth, after removing the
/// common factor (ĉ_0 = 1 ↔ c_0).
fn residual(c_hat: &[Complex64], truth: &[Complex64]) -> (f64, f64) {
    let n = c_hat.len() as f64;
    let e: Vec<Complex64> = c_hat
        .iter()
        .zip(truth)
        .map(|(c, t)| c * truth[0] / t)
        .collect();
    let phase = (e.iter().map(|v| v.arg().powi(2)).sum::<f64>() / n)
        .sqrt()
        .to_degrees();
    let amp = (e
        .iter()
        .map(|v| (20.0 * v.norm().log10()).powi(2))
        .sum::<f64>()
        / n)
        .sqrt();
    (phase, amp)
}

/// The 64-element array of the reference deployment, neighbours measured at 40 dB: each
/// antenna's coefficient rests on ≥ 2 neighbours at 40 dB (and ~60 more pairs at lower SNR),
/// so its phase error is at most √(1/(2·2·10⁴)) rad = 0.29° (the least-squares error of one
/// complex ratio from n equal-SNR pairs is 1/√(2·n·SNR) rad); the test allows 3× that, 1°, and
/// 0.1 dB in amplitude. The single-reference Argos estimate (0 sweeps) rests on one pair per
/// antenna, some of them far from antenna 0: it must be worse.
#[test]
fn calibration_residual_is_within_the_noise_bound() {
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let array = PanelArray::cross_polarized(8, 4).unwrap();
    let m = ChainMismatch::random(&mut rng, array.len(), 1.0, 5.0).unwrap();
    let pairs = measure_pairs(&mut rng, &array, &m, &OverTheAir::default(), 0.0).unwrap();
    let truth = m.ratios(0.0);
    let (phase, amp) = residual(&relative_calibration(64, &pairs).unwrap(), &truth);
    assert!(phase < 1.0 && amp < 0.1, "LS: {phase}° {amp} dB");
    let (phase0, _) = residual(&reference_calibration(64, &pairs).unwrap(), &truth);
    assert!(phase0 > phase, "Argos {phase0}° vs LS {phase}°");
    // Uncalibrated, the phases are uniform: r.m.s. ≈ 180/√3 ≈ 104°.
    let ones = vec![Complex64::new(1.0, 0.0); 64];
    let (raw, _) = residual(&ones, &truth);
    assert!(raw > 60.0, "{raw}");
    // Drift: after 100 s with up to 5° per chain the calibration of t = 0 is off by up to
    // ~10° (two chains): between the calibrated residual and the raw mismatch.
    let (aged, _) = residual(&relative_calibration(64, &pairs).unwrap(), &m.ratios(100.0));
    assert!(aged > phase && aged < 15.0, "{aged}");
}

/// ZF toward 8 users from the uplink-sounded channel (h·diag(r), noiseless) through the
/// downlink channel h·diag(t): uncalibrated, the nulls fill in (SINR collapses to ≈ 0 dB: the
/// leakage of 7 random-phase beams is about as strong as the wanted one); calibrated from the
/// over-the-air pairs, the SINR at 10 dB per-antenna SNR is within 0.5 dB of ideal
/// reciprocity, and at 40 dB (interference-limited) above 1/((k − 1)·ε²) = 34.7 dB, the floor
/// of 7 streams each leaking ε² of their power for the calibration's residual ε ≈ 0.0069
/// (0.34° and 0.03 dB r.m.s., the previous test).
#[test]
fn calibration_restores_zf_sinr() {
    let (k, n) = (8, 64);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let array = PanelArray::cross_polarized(8, 4).unwrap();
    let m = ChainMismatch::random(&mut rng, n, 1.0, 0.0).unwrap();
    let pairs = measure_pairs(&mut rng, &array, &m, &OverTheAir::default(), 0.0).unwrap();
    let c_hat: Vec<C32> = relative_calibration(n, &pairs)
        .unwrap()
        .iter()
        .map(|v| C32::new(v.re as f32, v.im as f32))
        .collect();
    let (t, r) = m.at(0.0);
    let ch = StaticChannel::rayleigh_iid(k, n, 3).unwrap();
    let mut h = Array3::zeros((k, 1, n));
    ch.frequency_response(0.0, &[1e9], h.view_mut()).unwrap();
    let h = h.slice(s![.., 0, ..]).to_owned();
    let mut pre = RzfPrecoder::new(k, n, 1).unwrap();
    // `noise` per user for unit total power and unit gain per antenna.
    let sinr_db = |est: &ndarray::Array2<C32>, pre: &mut RzfPrecoder, noise: f64| {
        let mut w = Array3::zeros((1, n, k));
        let h3 = est.clone().into_shape_with_order((1, k, n)).unwrap();
        pre.process(h3.view(), 0.0, Normalization::Total, w.view_mut())
            .unwrap();
        let mut total = 0.0;
        for u in 0..k {
            let g: Vec<f64> = (0..k)
                .map(|j| {
                    (0..n)
                        .map(|a| h[[u, a]] * t[a] * w[[0, a, j]])
                        .sum::<C32>()
                        .norm_sqr() as f64
                })
                .collect();
            let leak: f64 = g.iter().sum::<f64>() - g[u];
            total += 10.0 * (g[u] / (leak + noise)).log10();
        }
        total / k as f64
    };
    let ul = ndarray::Array2::from_shape_fn((k, n), |(u, a)| h[[u, a]] * r[a]);
    let ideal = ndarray::Array2::from_shape_fn((k, n), |(u, a)| h[[u, a]] * t[a]);
    let cal = ndarray::Array2::from_shape_fn((k, n), |(u, a)| ul[[u, a]] * c_hat[a]);
    let (s_ideal, s_raw, s_cal) = (
        sinr_db(&ideal, &mut pre, 0.1),
        sinr_db(&ul, &mut pre, 0.1),
        sinr_db(&cal, &mut pre, 0.1),
    );
    // Ideal ZF at 10 dB: 10 + 10·log10((64 − 8 + 1)/8) ≈ 18.5 dB on average.
    assert!(s_ideal > 15.0, "{s_ideal}");
    let s_cal_high = sinr_db(&cal, &mut pre, 1e-4);
    assert!(s_cal_high > 34.7, "calibrated at 40 dB: {s_cal_high}");
    assert!(sinr_db(&ul, &mut pre, 1e-4) < 3.0);
    assert!(s_raw < 3.0, "uncalibrated {s_raw} dB");
    assert!(
        s_ideal - s_cal < 0.5,
        "calibrated {s_cal} vs ideal {s_ideal}"
    );
}

/// The simulated cell (8 users, RZF per PRB from SRS, TD-LTE 20 MHz, the default cluster
/// channel): with uncalibrated chains the predicted SINR (true downlink channel, applied
/// weights) of every stream falls by more than 6 dB; with the over-the-air calibration at
/// t = 0 it stays within 1 dB of ideal reciprocity (the residual of the first test is
/// ~0.3°, the chains drift by < 5° over the 10 ms simulated).
#[test]
fn the_cell_needs_its_chains_calibrated() {
    use massive_mimo::carrier::ComponentCarrier;
    use massive_mimo_sim::cell::Reciprocity;
    use massive_mimo_sim::{CellScenario, simulate_carrier};
    let array = PanelArray::cross_polarized(8, 4).unwrap();
    let carrier = ComponentCarrier::td_lte_band41(2595.0, array, 2.6e9).unwrap();
    let base = CellScenario::reference(8);
    let mismatch =
        ChainMismatch::random(&mut ChaCha8Rng::seed_from_u64(5), array.len(), 1.0, 5.0).unwrap();
    let run = |reciprocity: Option<Reciprocity>| {
        let sc = CellScenario {
            reciprocity,
            ..base.clone()
        };
        let ch = sc.build_channel(&array, 2.6e9).unwrap();
        let r = simulate_carrier(&carrier, ch.as_ref(), &sc, 0).unwrap();
        r.streams
            .iter()
            .map(|s| s.predicted_sinr_db)
            .collect::<Vec<_>>()
    };
    let ideal = run(None);
    let raw = run(Some(Reciprocity {
        mismatch: mismatch.clone(),
        calibration: None,
    }));
    let cal = run(Some(Reciprocity {
        mismatch,
        calibration: Some(OverTheAir::default()),
    }));
    for j in 0..ideal.len() {
        assert!(
            ideal[j] - raw[j] > 6.0,
            "stream {j}: {} vs {}",
            raw[j],
            ideal[j]
        );
        assert!(
            (ideal[j] - cal[j]).abs() < 1.0,
            "stream {j}: {} vs {}",
            cal[j],
            ideal[j]
        );
    }
}
