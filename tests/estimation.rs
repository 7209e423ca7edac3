//! Channel estimation on NR DMRS and SRS: LS noise against theory, the filters' NMSE ordering,
//! many-port patterns, the quality report, time interpolation, bad input. Fixed seeds.

mod support;

use massive_mimo::estimation::{
    ChannelEstimator, EstimatorConfig, FrequencyMethod, NORMAL_CP_FRACTION, OutputResolution,
    PilotPattern,
};
use massive_mimo::refsig::{DmrsConfig, DmrsType, SrsConfig, type_a_positions};
use massive_mimo::resource::{ChannelEstimate, EstimateDims};
use massive_mimo::{C32, Error};
use ndarray::{Array3, Array4};
use support::multipath::{channel, nmse_db, receive};

fn dmrs(kind: DmrsType, ports: Vec<usize>, double_symbol: bool, n_prb: usize) -> Array3<C32> {
    let cfg = DmrsConfig {
        kind,
        symbols: type_a_positions(2, if double_symbol { 1 } else { 2 }, double_symbol).unwrap(),
        double_symbol,
        n_id: [301, 302],
        n_scid: 0,
        rel16_cdm_group_scrambling: true,
        slot: 7,
        crb_start: 10,
        amplitude: 1.0,
        ports,
    };
    let mut g = Array3::zeros((cfg.ports.len(), 14, 12 * n_prb));
    cfg.write_pilots(g.view_mut()).unwrap();
    g
}

/// Full-grid estimate with `method`, and the estimator (for its report).
fn estimate(
    pilots: &Array3<C32>,
    rx: &Array3<C32>,
    noise_var: Option<f32>,
    method: FrequencyMethod,
) -> (Array4<C32>, ChannelEstimator) {
    let pattern = PilotPattern::from_pilots(pilots.view()).unwrap();
    let n_rx = rx.dim().0;
    let cfg = EstimatorConfig {
        frequency: method,
        ..EstimatorConfig::default()
    };
    let mut est = ChannelEstimator::new(pattern, n_rx, cfg).unwrap();
    let mut h_runs = est.estimate().unwrap();
    est.process(rx.view(), noise_var, &mut h_runs).unwrap();
    let mut h = est.estimate_per_symbol().unwrap();
    est.interpolate_time(&h_runs, &mut h).unwrap();
    (by_antenna(&h), est)
}

/// `process_groups` with one MU group per (ports, PRB ranges) pair, on a grid of
/// `rx.dim().2 / 12` PRBs: the estimate and the report.
fn process_on(
    est: &mut ChannelEstimator,
    rx: &Array3<C32>,
    noise_var: Option<f32>,
    groups: &[(&[usize], &[std::ops::Range<usize>])],
) -> (ChannelEstimate, massive_mimo::estimation::ChannelReport) {
    use massive_mimo::resource::{MuGroup, PrbAllocation};
    let n_prb = rx.dim().2 / 12;
    let groups: Vec<MuGroup<'_>> = groups
        .iter()
        .map(|&(users, ranges)| MuGroup {
            users,
            prbs: PrbAllocation::new(ranges, n_prb).unwrap(),
        })
        .collect();
    let mut e = est.estimate().unwrap();
    let rep = est
        .process_groups(rx.view(), noise_var, &groups, &mut e)
        .unwrap()
        .clone();
    (e, rep)
}

/// An estimate `[run, out, port, ant]` re-sorted to `[ant, port, run, out]`, the order the
/// channel generators of these tests use.
fn by_antenna(e: &ChannelEstimate) -> Array4<C32> {
    e.view().permuted_axes([3, 2, 0, 1]).to_owned()
}

const LINEAR: FrequencyMethod = FrequencyMethod::Linear;
const LMMSE: FrequencyMethod = FrequencyMethod::Lmmse;
const DFT: FrequencyMethod = FrequencyMethod::Dft {
    max_delay: NORMAL_CP_FRACTION,
};

#[test]
fn ls_noise_matches_theory_on_a_flat_channel() {
    // Type 1, 2 ports per CDM group, FD-OCC pairs: XᴴX = 2I, so each LS estimate carries
    // σ²/2 of noise. NMSE_LS = σ²/(2·E|h|²).
    let pilots = dmrs(DmrsType::Type1, vec![0, 1, 2, 3], false, 24);
    let h = channel(1, (4, 4, 14, 288), 0.0, 0.0, 1);
    for snr_db in [0.0, 10.0, 20.0] {
        let nv = 10f64.powf(-snr_db / 10.0);
        let rx = receive(2, &h, &pilots, nv);
        let (_, est) = estimate(&pilots, &rx, Some(nv as f32), LINEAR);
        let (mut e, mut t) = (0.0f64, 0.0f64);
        for port in 0..4 {
            for r in 0..4 {
                for run in 0..3 {
                    for (_, v) in est.ls_estimates(port, r, run).unwrap() {
                        let truth = h[[r, port, 0, 0]];
                        e += (v - truth).norm_sqr() as f64;
                        t += truth.norm_sqr() as f64;
                    }
                }
            }
        }
        let measured = 10.0 * (e / t).log10();
        let theory = 10.0 * (nv / 2.0 / (t / (4.0 * 4.0 * 3.0 * 72.0))).log10();
        assert!(
            (measured - theory).abs() < 0.3,
            "SNR {snr_db} dB: LS NMSE {measured:.2} dB, theory {theory:.2} dB"
        );
    }
}

#[test]
fn lmmse_and_dft_beat_linear_interpolation() {
    // Dispersive channel: RMS delay 1 % of the symbol (≈ 330 ns at 30 kHz), 8 taps.
    let pilots = dmrs(DmrsType::Type1, vec![0, 1, 2, 3], false, 24);
    let (rms, n_taps) = (0.01, 8);
    let h = channel(3, (4, 4, 14, 288), rms, 0.0, n_taps);
    let mut table = String::new();
    for snr_db in [0.0f64, 10.0, 20.0, 30.0] {
        let nv = 10f64.powf(-snr_db / 10.0);
        let rx = receive(4, &h, &pilots, nv);
        let (lin_est, est) = estimate(&pilots, &rx, Some(nv as f32), LINEAR);
        let lin = nmse_db(&lin_est, &h);
        let n = |m| nmse_db(&estimate(&pilots, &rx, Some(nv as f32), m).0, &h);
        let (lmmse, dft) = (n(LMMSE), n(DFT));
        let genie = genie_db(&est, rms, n_taps, nv, 288);
        table += &format!(
            "{snr_db:>4} dB: linear {lin:.2}, lmmse {lmmse:.2}, dft {dft:.2}, genie {genie:.2}\n"
        );
        assert!(lmmse <= lin, "{table}");
        // Where noise dominates (0 and 10 dB) the filters must realise a share of what the
        // genie Wiener filter (the independent bound) gains over linear interpolation. Today:
        // LMMSE 72 % / 53 %, DFT (a fixed CP-long window, no prior) 31 % / 7 %; the guards
        // (60 / 45 %, 20 / 0 %) are regression limits anchored on the bound, not on our output.
        let room = lin - genie;
        let (share_lmmse, share_dft) = ((lin - lmmse) / room, (lin - dft) / room);
        let (min_lmmse, min_dft) = match snr_db as i32 {
            0 => (0.60, 0.20),
            10 => (0.45, 0.0),
            _ => (0.0, f64::NEG_INFINITY),
        };
        assert!(
            share_lmmse >= min_lmmse,
            "LMMSE share {share_lmmse:.2}:\n{table}"
        );
        assert!(share_dft >= min_dft, "DFT share {share_dft:.2}:\n{table}");
    }
    println!("{table}");
}

/// The genie LMMSE bound of a frequency-only estimate (issue 23's independent reference): the
/// expected per-subcarrier MSE of the Wiener filter that knows the channel's true frequency
/// correlation R(Δk) = Σ_i p_i·e^{−j2π·Δk·d_i} (`d_i` in symbols, Σ p_i = 1) and uses every LS
/// estimate of the run (positions `pos`, noise σ²·g each): mean over k = 0..n_sc of
/// R(0) − r_kᴴ (R_pp + σ²g·I)⁻¹ r_k. f64, nalgebra; nothing from the crate.
fn genie_lmmse_nmse(
    delays: &[f64],
    powers: &[f64],
    pos: &[f64],
    ls_noise: f64,
    n_sc: usize,
) -> f64 {
    use nalgebra::{DMatrix, DVector};
    use num_complex::Complex64;
    let r = |dk: f64| -> Complex64 {
        delays
            .iter()
            .zip(powers)
            .map(|(&d, &p)| Complex64::from_polar(p, -2.0 * std::f64::consts::PI * dk * d))
            .sum()
    };
    let n = pos.len();
    let rpp = DMatrix::from_fn(n, n, |i, j| {
        r(pos[i] - pos[j])
            + if i == j {
                Complex64::new(ls_noise, 0.0)
            } else {
                0.0.into()
            }
    });
    let chol = rpp.cholesky().expect("R_pp + σ²g·I is positive definite");
    let mut mse = 0.0;
    for k in 0..n_sc {
        let rk = DVector::from_fn(n, |i, _| r(pos[i] - k as f64));
        let a = chol.solve(&rk);
        mse += r(0.0).re - rk.dotc(&a).re;
    }
    mse / n_sc as f64 / r(0.0).re
}

/// The genie bound (dB) of [`genie_lmmse_nmse`] for a channel drawn by `channel(…, rms, 0.0,
/// n_taps)` (its exponential profile, re-derived here) at noise `nv`, on the LS positions of
/// port 0's first run of `est` (Type 1 FD-OCC: LS noise σ²/2).
fn genie_db(est: &ChannelEstimator, rms: f64, n_taps: usize, nv: f64, n_sc: usize) -> f64 {
    let delays: Vec<f64> = (0..n_taps)
        .map(|i| i as f64 * rms * 3.0 / n_taps as f64)
        .collect();
    let total: f64 = delays.iter().map(|d| (-d / rms).exp()).sum();
    let powers: Vec<f64> = delays.iter().map(|d| (-d / rms).exp() / total).collect();
    let pos: Vec<f64> = est
        .ls_estimates(0, 0, 0)
        .unwrap()
        .iter()
        .map(|x| x.0)
        .collect();
    10.0 * genie_lmmse_nmse(&delays, &powers, &pos, nv / 2.0, n_sc).log10()
}

#[test]
fn lmmse_nmse_is_within_reach_of_the_genie_bound() {
    // Issue 23: the LMMSE estimator (data-driven uniform delay prior, windowed filters) against
    // the genie Wiener filter that knows the true power-delay profile and uses the whole band.
    // No estimator beats the genie in expectation: the measured NMSE may sit below it only by
    // the Monte-Carlo spread of the MSE (16 antennas × 4 ports × 3 runs of independent channels
    // and noise: < 0.3 dB). Above it, the gap is what the estimator leaves on the table: 2.5 /
    // 4.2 / 9.6 dB at 0 / 10 / 20 dB today (the data-driven uniform prior, the finite filter
    // windows, and at high SNR a floor near −23 dB from the FD-OCC de-spreading of a channel
    // that varies across the pair); the allowed gaps are those + 1 dB, a regression guard
    // anchored on the genie, not a target.
    let (n_rx, n_sc, rms, n_taps) = (16, 288, 0.01, 8);
    let pilots = dmrs(DmrsType::Type1, vec![0, 1, 2, 3], false, 24);
    let h = channel(13, (n_rx, 4, 14, n_sc), rms, 0.0, n_taps);
    for (snr_db, allowed_gap) in [(0.0f64, 3.5), (10.0, 5.0), (20.0, 10.5)] {
        let nv = 10f64.powf(-snr_db / 10.0);
        let rx = receive(14, &h, &pilots, nv);
        let pattern = PilotPattern::from_pilots(pilots.view()).unwrap();
        let cfg = EstimatorConfig {
            frequency: LMMSE,
            ..EstimatorConfig::default()
        };
        let mut est = ChannelEstimator::new(pattern, n_rx, cfg).unwrap();
        let mut runs = est.estimate().unwrap();
        est.process(rx.view(), Some(nv as f32), &mut runs).unwrap();
        let (mut e, mut count) = (0.0f64, 0usize);
        let v = runs.view();
        for run in 0..3 {
            for p in 0..4 {
                for a in 0..n_rx {
                    for k in 0..n_sc {
                        e += (v[[run, k, p, a]] - h[[a, p, 0, k]]).norm_sqr() as f64;
                        count += 1;
                    }
                }
            }
        }
        // E|h|² = 1 per antenna and port by construction.
        let measured = 10.0 * (e / count as f64).log10();
        let genie = genie_db(&est, rms, n_taps, nv, n_sc);
        assert!(
            measured > genie - 0.3,
            "{snr_db} dB: {measured:.2} below the genie {genie:.2}"
        );
        assert!(
            measured < genie + allowed_gap,
            "{snr_db} dB: {measured:.2} vs the genie {genie:.2} (allowed gap {allowed_gap} dB)"
        );
    }
}

#[test]
fn a_reused_estimator_equals_a_fresh_one() {
    // The LMMSE filters are cached per window and prior: a second slot with other channel
    // statistics (delay spread, SNR) through the same estimator must give exactly what a
    // fresh estimator gives on that slot — a stale cached filter would not.
    let pilots = dmrs(DmrsType::Type1, vec![0, 1, 2, 3], false, 24);
    let fresh = || {
        let pattern = PilotPattern::from_pilots(pilots.view()).unwrap();
        ChannelEstimator::new(pattern, 4, EstimatorConfig::default()).unwrap()
    };
    let mut reused = fresh();
    let mut out = reused.estimate().unwrap();
    for (seed, rms, nv) in [(41u64, 0.002, 0.01f64), (43, 0.012, 0.3), (45, 0.006, 0.05)] {
        let h = channel(seed, (4, 4, 14, 288), rms, 0.0, 8);
        let rx = receive(seed + 1, &h, &pilots, nv);
        reused.process(rx.view(), None, &mut out).unwrap();
        let mut new = fresh();
        let mut want = new.estimate().unwrap();
        new.process(rx.view(), None, &mut want).unwrap();
        assert_eq!(
            out.view(),
            want.view(),
            "slot with r.m.s. delay {rms}, σ² {nv}"
        );
        assert_eq!(out.report(), want.report());
    }
}

#[test]
fn a_received_grid_in_any_memory_layout_gives_the_same_estimate() {
    // The LS step turns a standard-layout grid antennas-innermost by register transposes and
    // gathers any other layout element by element: the same samples stored subcarrier-major
    // (a permuted view) must give exactly the same estimate and report. Type 2 with all three
    // CDM groups (every subcarrier of the DMRS symbols is a pilot) and 9 antennas (a ragged
    // register tile).
    let pilots = dmrs(DmrsType::Type2, (0..12).collect(), true, 8);
    let h = channel(61, (9, 12, 14, 96), 0.004, 0.0, 6);
    let rx = receive(62, &h, &pilots, 0.02);
    let mut other = Array3::zeros((96, 14, 9));
    for ((a, l, k), v) in rx.indexed_iter() {
        other[[k, l, a]] = *v;
    }
    let permuted = other.view().permuted_axes([2, 1, 0]);
    assert!(
        permuted.as_slice().is_none(),
        "the view must not be in standard layout"
    );
    assert_eq!(permuted, rx.view());
    let pattern = PilotPattern::from_pilots(pilots.view()).unwrap();
    let cfg = EstimatorConfig {
        resolution: OutputResolution::Prb,
        ..EstimatorConfig::default()
    };
    let mut est = ChannelEstimator::new(pattern, 9, cfg).unwrap();
    let (mut a, mut b) = (est.estimate().unwrap(), est.estimate().unwrap());
    est.process(rx.view(), None, &mut a).unwrap();
    est.process(permuted, None, &mut b).unwrap();
    assert_eq!(a.view(), b.view());
    assert_eq!(a.report(), b.report());
}

#[test]
fn each_port_gets_the_filter_of_its_own_delay_prior() {
    // Two ports of one CDM group share the pilot positions but not the channel: port 0 is
    // flat (a narrow delay prior), port 1 disperses (r.m.s. 0.012 of the symbol). Each port's
    // filter follows its own measured prior, so LMMSE beats linear interpolation on both
    // (today by 5.0 and 3.3 dB at 20 dB SNR).
    let pilots = dmrs(DmrsType::Type1, vec![0, 1], false, 24);
    let flat = channel(51, (4, 1, 14, 288), 0.0, 0.0, 1);
    let wide = channel(52, (4, 1, 14, 288), 0.012, 0.0, 8);
    let h = ndarray::concatenate(ndarray::Axis(1), &[flat.view(), wide.view()]).unwrap();
    let nv = 0.01;
    let rx = receive(53, &h, &pilots, nv);
    let port_nmse = |m| {
        let (e, _) = estimate(&pilots, &rx, Some(nv as f32), m);
        [0, 1].map(|p| {
            nmse_db(
                &e.slice(ndarray::s![.., p..p + 1, .., ..]).to_owned(),
                &h.slice(ndarray::s![.., p..p + 1, .., ..]).to_owned(),
            )
        })
    };
    let (lin, lmmse) = (port_nmse(LINEAR), port_nmse(LMMSE));
    for p in 0..2 {
        assert!(
            lmmse[p] < lin[p],
            "port {p}: LMMSE {:.2} dB vs linear {:.2} dB",
            lmmse[p],
            lin[p]
        );
    }
}

#[test]
fn double_symbol_type2_separates_twelve_ports() {
    // 3 CDM groups × 4 ports (FD-OCC × TD-OCC), 8 receive antennas.
    let pilots = dmrs(DmrsType::Type2, (0..12).collect(), true, 16);
    let pattern = PilotPattern::from_pilots(pilots.view()).unwrap();
    assert_eq!(pattern.groups().len(), 3);
    for g in pattern.groups() {
        assert_eq!(g.ports.len(), 4);
        assert!(
            g.runs
                .iter()
                .all(|r| r.symbols.len() == 2 && r.block_len == 2)
        );
    }
    let h = channel(5, (8, 12, 14, 192), 0.005, 0.0, 6);
    let nv = 0.01; // 20 dB
    let rx = receive(6, &h, &pilots, nv);
    let (est, _) = estimate(&pilots, &rx, Some(nv as f32), LMMSE);
    let nmse = nmse_db(&est, &h);
    // LS alone: σ²/4 per estimate → −26 dB; smoothing only helps.
    assert!(nmse < -26.0, "NMSE {nmse:.2} dB");
}

#[test]
fn sixteen_srs_users_sound_one_symbol() {
    // Comb 4 × 4 cyclic shifts = 16 single-port users on 52 PRBs, 16 receive antennas, each
    // user with its own timing offset.
    let n_sc = 624;
    let mut pilots = Array3::zeros((16, 14, n_sc));
    let template = SrsConfig::single_port(4, 52, 13, (11, 0));
    let users = massive_mimo::refsig::multiplexed_users(&template, 16).unwrap();
    // Comb offset u mod 4, cyclic shifts 0, 3, 6, 9 of 12 on each comb.
    assert_eq!((users[5].comb_offset, users[5].cyclic_shift), (1, 3));
    assert_eq!((users[15].comb_offset, users[15].cyclic_shift), (3, 9));
    massive_mimo::refsig::write_multiplexed_users(&template, 16, pilots.view_mut()).unwrap();
    assert_eq!(
        support::err::name(massive_mimo::refsig::multiplexed_users(&template, 49)),
        "n_users (single-port SRS)"
    );
    let pattern = PilotPattern::from_pilots(pilots.view()).unwrap();
    assert_eq!(pattern.groups().len(), 4);
    let mut h = Array4::zeros((16, 16, 14, n_sc));
    for u in 0..16 {
        let hu = channel(
            100 + u as u64,
            (16, 1, 14, n_sc),
            0.002,
            0.001 * (u % 3) as f64,
            4,
        );
        h.slice_mut(ndarray::s![.., u..u + 1, .., ..]).assign(&hu);
    }
    let nv = 0.01;
    let rx = receive(7, &h, &pilots, nv);
    let (est, e) = estimate(&pilots, &rx, Some(nv as f32), LMMSE);
    let nmse = nmse_db(
        &est.slice(ndarray::s![.., .., 13..14, ..]).to_owned(),
        &h.slice(ndarray::s![.., .., 13..14, ..]).to_owned(),
    );
    // LS: σ²/4 per block estimate (4 users on 4 REs) → −26 dB, before smoothing and before
    // the leakage that the users' different delays cause across a 16-subcarrier block.
    assert!(nmse < -20.0, "SRS NMSE {nmse:.2} dB");
    for u in 0..16 {
        let d = e.prior(u).unwrap().mean_delay;
        // Mean delay of the profile: taps at i·1.5e-3 with powers e^{−0.75·i}, i < 4, plus
        // the user's offset; one Rayleigh draw per tap scatters the estimate around it.
        let p: Vec<f64> = (0..4).map(|i| (-0.75 * i as f64).exp()).collect();
        let mean = (0..4).map(|i| p[i] * 1.5e-3 * i as f64).sum::<f64>() / p.iter().sum::<f64>();
        let truth = 0.001 * (u % 3) as f64 + mean;
        assert!(
            (d - truth).abs() < 1.5e-3,
            "user {u}: mean delay {d:.4} vs {truth:.4}"
        );
    }
}

#[test]
fn report_estimates_noise_sinr_and_timing() {
    let pilots = dmrs(DmrsType::Type1, vec![0, 1, 2, 3], false, 24);
    let offset = 0.004; // timing offset, fraction of the symbol
    let h = channel(8, (8, 4, 14, 288), 0.0, offset, 1);
    let nv = 0.1f64; // 10 dB
    let rx = receive(9, &h, &pilots, nv);
    let (_, est) = estimate(&pilots, &rx, None, LMMSE);
    let mut est = est;
    let n_rx = 8;
    let mut h_runs = est.estimate().unwrap();
    let rep = est.process(rx.view(), None, &mut h_runs).unwrap().clone();
    assert_eq!(h_runs.report(), &rep, "the estimate carries the report");
    let err_db = 10.0 * (rep.noise_var_estimate as f64 / nv).log10();
    assert!(err_db.abs() < 1.0, "noise estimate off by {err_db:.2} dB");
    for p in 0..4 {
        let power: f64 = (0..n_rx)
            .map(|r| h[[r, p, 0, 0]].norm_sqr() as f64)
            .sum::<f64>()
            / n_rx as f64;
        let sinr_true = 10.0 * (power / nv).log10();
        assert!(
            (rep.sinr_db[p] as f64 - sinr_true).abs() < 1.0,
            "port {p}: {} vs {sinr_true:.2}",
            rep.sinr_db[p]
        );
        assert!(
            (rep.rsrp[p] as f64 / power - 1.0).abs() < 0.15,
            "port {p}: RSRP {}",
            rep.rsrp[p]
        );
        assert!(
            (rep.mean_delay[p] as f64 - offset).abs() < 2e-4,
            "port {p}: delay {}",
            rep.mean_delay[p]
        );
        assert!((rep.pilot_epre[p] - 1.0).abs() < 1e-6);
    }
}

/// The timing report of ports allocated part of the band (`process_groups`): the mean delay
/// from the phase of the lag-1 correlation over the blocks *in the allocation* divided by
/// their mean spacing, which must be measured inside the allocation too (blocks 120…284 of
/// PRBs 10–23: spacing 4 subcarriers, not the 9.9 a sum of positions gives). Same channel,
/// SNR and tolerance as the whole-band test above (±2e-4 of the symbol, about half a delay tap
/// of its resolution); ports 0/1 on PRBs 10–23, ports 2/3 on two ranges, 2–7 and 16–21.
#[test]
#[allow(clippy::single_range_in_vec_init)] // one-range PRB allocations are meant
fn timing_report_of_a_partial_allocation_uses_its_own_blocks() {
    let n_prb = 24;
    let pilots = dmrs(DmrsType::Type1, vec![0, 1, 2, 3], false, n_prb);
    let offset = 0.004;
    let h = channel(8, (8, 4, 14, 12 * n_prb), 0.0, offset, 1);
    let nv = 0.1f64; // 10 dB
    let rx = receive(9, &h, &pilots, nv);
    let (_, mut est) = estimate(&pilots, &rx, None, LMMSE);
    let (ra, rb) = ([10..n_prb], [2..8, 16..22]);
    let (_, rep) = process_on(&mut est, &rx, None, &[(&[0, 1], &ra), (&[2, 3], &rb)]);
    for p in 0..4 {
        assert!(
            (rep.mean_delay[p] as f64 - offset).abs() < 2e-4,
            "port {p}: delay {} vs {offset}",
            rep.mean_delay[p]
        );
    }
}

/// The noise estimate of an allocation of single PRBs: each range holds three CDM blocks per
/// port (type 1, FD-CDM pairs), the fewest a second difference needs, and every one of them
/// must count. Same channel and SNR as the whole-band report test (10 dB, 8 antennas): 5
/// ranges × 4 ports × 8 antennas = 160 second differences, whose exponential spread gives the
/// mean a relative standard deviation of 1/√160 ≈ 0.35 dB; ±1 dB is about 3σ.
#[test]
fn noise_estimate_of_single_prb_ranges_uses_every_range() {
    let n_prb = 24;
    let pilots = dmrs(DmrsType::Type1, vec![0, 1, 2, 3], false, n_prb);
    let h = channel(8, (8, 4, 14, 12 * n_prb), 0.0, 0.004, 1);
    let nv = 0.1f64;
    let rx = receive(9, &h, &pilots, nv);
    let (_, mut est) = estimate(&pilots, &rx, None, LMMSE);
    let ranges = [2..3, 6..7, 11..12, 15..16, 20..21];
    let (_, rep) = process_on(&mut est, &rx, None, &[(&[0, 1, 2, 3], &ranges)]);
    let err_db = 10.0 * (rep.noise_var_estimate as f64 / nv).log10();
    assert!(err_db.abs() < 1.0, "noise estimate off by {err_db:.2} dB");
}

/// A PRB range of an allocation that holds none of the port's pilot blocks (the pattern has
/// CDM group 1 on PRBs 0–9 only) adds nothing: the estimate and every report entry of ports
/// 2/3 on PRBs [2..8, 12..14] equal those on [2..8] alone, bit for bit, and PRBs 12–13 stay
/// zero (`run`: "nothing to estimate from"; the statistics must skip the empty span, not
/// take a spacing or lag sums from it).
#[test]
#[allow(clippy::single_range_in_vec_init)] // a one-range PRB allocation is meant
fn an_allocation_range_without_pilot_blocks_adds_nothing() {
    let n_prb = 24;
    let mut pilots = dmrs(DmrsType::Type1, vec![0, 1, 2, 3], false, n_prb);
    pilots
        .slice_mut(ndarray::s![2..4, .., 12 * 10..])
        .fill(C32::new(0.0, 0.0));
    let h = channel(41, (4, 4, 14, 12 * n_prb), 0.002, 0.003, 4);
    let nv = 0.05f64;
    let rx = receive(42, &h, &pilots, nv);
    let (_, mut est) = estimate(&pilots, &rx, None, LMMSE);
    let users = [2usize, 3];
    let (with_empty, rep_a) = process_on(&mut est, &rx, None, &[(&users, &[2..8, 12..14])]);
    let (alone, rep_b) = process_on(&mut est, &rx, None, &[(&users, &[2..8])]);
    assert_eq!(with_empty.view(), alone.view());
    for p in users {
        assert_eq!(rep_a.mean_delay[p], rep_b.mean_delay[p], "port {p}");
        assert_eq!(rep_a.rsrp[p], rep_b.rsrp[p], "port {p}");
        assert_eq!(rep_a.sinr_db[p], rep_b.sinr_db[p], "port {p}");
        assert!(rep_a.mean_delay[p].is_finite() && rep_a.rsrp[p] > 0.0);
    }
    assert_eq!(rep_a.noise_var_estimate, rep_b.noise_var_estimate);
}

/// One pilot block per port in the whole band (a single pilot RE: no lag-1 pair to measure a
/// phase or a correlation from): the prior takes no delay and no correlation, so the report's
/// mean delay is 0 and what it gives is finite — the estimate too.
#[test]
fn a_single_pilot_block_gives_a_finite_estimate_and_zero_mean_delay() {
    let n_prb = 4;
    let full = dmrs(DmrsType::Type1, vec![0], false, n_prb);
    let mut pilots = Array3::zeros(full.dim());
    pilots[[0, 2, 17]] = full[[0, 2, 16]]; // one RE of the DMRS symbol, moved off the comb
    let h = channel(51, (2, 1, 14, 12 * n_prb), 0.0, 0.0, 1);
    let rx = receive(52, &h, &pilots, 0.01);
    let (est_h, est) = estimate(&pilots, &rx, None, LMMSE);
    let rep = est.report();
    assert_eq!(rep.mean_delay[0], 0.0);
    assert!(
        rep.rsrp[0].is_finite() && rep.rsrp[0] > 0.0,
        "{}",
        rep.rsrp[0]
    );
    assert!(est_h.iter().all(|v| v.re.is_finite() && v.im.is_finite()));
    assert!(
        est_h.iter().any(|v| v.norm() > 0.1),
        "the estimate carries the channel"
    );
}

/// RSRP and SINR scale with the pilots' EPRE (38.215 §5.1.1: RSRP is the received power per
/// reference-signal RE): the whole-band report test's channel and noise with the DMRS sent at
/// amplitude 2 (EPRE 4, +6 dB) report 4× the channel power and its SINR + 6 dB, within the
/// same bounds (RSRP 15 %, SINR 1 dB).
#[test]
fn rsrp_and_sinr_scale_with_the_pilot_epre() {
    let pilots = dmrs(DmrsType::Type1, vec![0, 1, 2, 3], false, 24).mapv(|v| v * 2.0);
    let h = channel(8, (8, 4, 14, 288), 0.0, 0.004, 1);
    let nv = 0.1f64;
    let rx = receive(9, &h, &pilots, nv);
    let (_, est) = estimate(&pilots, &rx, None, LMMSE);
    let rep = est.report();
    for p in 0..4 {
        let power: f64 = (0..8)
            .map(|r| h[[r, p, 0, 0]].norm_sqr() as f64)
            .sum::<f64>()
            / 8.0;
        assert!(
            (rep.pilot_epre[p] - 4.0).abs() < 1e-5,
            "{}",
            rep.pilot_epre[p]
        );
        assert!(
            (rep.rsrp[p] as f64 / (4.0 * power) - 1.0).abs() < 0.15,
            "port {p}: RSRP {} vs {}",
            rep.rsrp[p],
            4.0 * power
        );
        let sinr_true = 10.0 * (4.0 * power / nv).log10();
        assert!(
            (rep.sinr_db[p] as f64 - sinr_true).abs() < 1.0,
            "port {p}: {} vs {sinr_true:.2}",
            rep.sinr_db[p]
        );
    }
}

/// A PRB range takes the pilot blocks inside `[12·start, 12·end)`: with one port on the comb
/// (blocks of one RE at the even subcarriers) the block at subcarrier 120 = 12·10 belongs to
/// PRB 10, so port 0 on PRBs 0–9 estimates exactly as an estimator whose pilots stop at
/// subcarrier 119. `ls_estimates` answers `None` for a receive antenna or a run out of range,
/// each on its own.
#[test]
#[allow(clippy::single_range_in_vec_init)] // a one-range PRB allocation is meant
fn a_prb_range_ends_before_the_block_on_its_upper_edge() {
    let n_prb = 16;
    let full = dmrs(DmrsType::Type1, vec![0], false, n_prb);
    assert_ne!(
        full[[0, 2, 120]],
        C32::new(0.0, 0.0),
        "a pilot on the PRB edge"
    );
    let h = channel(61, (2, 1, 14, 12 * n_prb), 0.003, 0.002, 4);
    let nv = 0.02f64;
    let rx = receive(62, &h, &full, nv);
    let cfg = EstimatorConfig {
        resolution: OutputResolution::Prb,
        ..EstimatorConfig::default()
    };
    let mut est =
        ChannelEstimator::new(PilotPattern::from_pilots(full.view()).unwrap(), 2, cfg).unwrap();
    let (got, _) = process_on(&mut est, &rx, Some(nv as f32), &[(&[0], &[0..10])]);
    let mut cut = full.clone();
    cut.slice_mut(ndarray::s![.., .., 120..])
        .fill(C32::new(0.0, 0.0));
    let mut alone =
        ChannelEstimator::new(PilotPattern::from_pilots(cut.view()).unwrap(), 2, cfg).unwrap();
    let mut want = alone.estimate().unwrap();
    alone
        .process(rx.view(), Some(nv as f32), &mut want)
        .unwrap();
    for p in 0..10 {
        for a in 0..2 {
            let (x, w) = (got.view()[[0, p, 0, a]], want.view()[[0, p, 0, a]]);
            assert!(
                (x - w).norm() <= 1e-5 * w.norm().max(1.0),
                "PRB {p}: {x} vs {w}"
            );
        }
    }
    let n_runs = got.view().dim().0;
    assert!(est.ls_estimates(0, 1, n_runs - 1).is_some());
    assert!(est.ls_estimates(0, 2, 0).is_none(), "antenna 2 of 2");
    assert!(
        est.ls_estimates(0, 1, n_runs).is_none(),
        "run {n_runs} of {n_runs}"
    );
}

/// The report's r.m.s. delay spread on a uniform power-delay profile, which the estimator's
/// uniform fit (sinc(2πaD) = ρ₁, the blocks' lag-1 correlation) describes: 33 equal-power taps
/// over W = 0.08 of the symbol (a = W/2, 2aD = 0.32 at the type-1 blocks' D = 4 subcarriers:
/// ρ₁ ≈ 0.84, well conditioned; W short enough that the CDM pair's two-RE average, a factor
/// cos(2πτ) ≥ 0.88 on the taps, bends the profile by a few per cent only), 32 antennas. The
/// reference is the realised profile's spread (tap powers averaged over the antennas), within
/// 10 %. The filter's widening margin (×1.5 at 10 dB, up to ×4 at 30 dB) must not reach the
/// report: it used to be reported as half_width/2/√3 = margin·a/(2√3), 25 % low at 10 dB and
/// 60 % high at 30 dB here.
#[test]
fn report_rms_delay_spread_is_the_fitted_profiles() {
    use rand::SeedableRng;
    let n_prb = 50;
    let pilots = dmrs(DmrsType::Type1, vec![0], false, n_prb);
    let (n_rx, n_sc, n_taps, w) = (32, 12 * n_prb, 33, 0.08);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(71);
    let delays: Vec<f64> = (0..n_taps)
        .map(|i| w * i as f64 / (n_taps - 1) as f64)
        .collect();
    let gains: Vec<Vec<C32>> = (0..n_rx)
        .map(|_| {
            (0..n_taps)
                .map(|_| support::multipath::cn(&mut rng, 1.0 / n_taps as f64))
                .collect()
        })
        .collect();
    let mut h = Array4::zeros((n_rx, 1, 14, n_sc));
    for r in 0..n_rx {
        for k in 0..n_sc {
            let v: C32 = gains[r]
                .iter()
                .zip(&delays)
                .map(|(g, d)| {
                    let ph = -2.0 * std::f64::consts::PI * k as f64 * d;
                    g * C32::new(ph.cos() as f32, ph.sin() as f32)
                })
                .sum();
            for l in 0..14 {
                h[[r, 0, l, k]] = v;
            }
        }
    }
    let power: Vec<f64> = (0..n_taps)
        .map(|i| gains.iter().map(|g| g[i].norm_sqr() as f64).sum::<f64>())
        .collect();
    let total: f64 = power.iter().sum();
    let mean: f64 = power.iter().zip(&delays).map(|(p, d)| p * d).sum::<f64>() / total;
    let want = (power
        .iter()
        .zip(&delays)
        .map(|(p, d)| p * (d - mean).powi(2))
        .sum::<f64>()
        / total)
        .sqrt();
    for snr_db in [10.0, 30.0] {
        let nv = 10f64.powf(-snr_db / 10.0);
        let rx = receive(72, &h, &pilots, nv);
        let (_, est) = estimate(&pilots, &rx, None, LMMSE);
        let got = f64::from(est.report().rms_delay[0]);
        assert!(
            (got / want - 1.0).abs() < 0.1,
            "{snr_db} dB: r.m.s. delay {got:.5} vs the realised {want:.5}"
        );
    }
}

/// The block estimator is scale-equivariant: the received grid × c gives the estimate × c and
/// the same delay prior and filters, with σ² measured or given (× c²). c a power of two, so
/// every product and sum scales exactly and the estimates agree bit for bit; the report's
/// RSRP and noise scale by c², its SINR and delays do not move. Issue 23 (mutant
/// `frequency.rs:506`, the prior's noise-to-signal ratio `σ²/S` → `σ² mod S`): on unit-power
/// channels `σ² mod 1 = σ²`, so only a scaled channel shows a wrong ratio.
#[test]
fn block_estimator_is_scale_equivariant() {
    let pilots = dmrs(DmrsType::Type1, vec![0, 1, 2, 3], false, 24);
    let h = channel(81, (4, 4, 14, 288), 0.002, 0.003, 6);
    let nv = 0.05f64;
    let rx = receive(82, &h, &pilots, nv);
    for method in [LMMSE, LINEAR, DFT] {
        for given in [None, Some(nv as f32)] {
            let (h1, e1) = estimate(&pilots, &rx, given, method);
            for c in [8.0f32, 0.125] {
                let (hc, ec) = estimate(
                    &pilots,
                    &rx.mapv(|v| v * c),
                    given.map(|v| v * c * c),
                    method,
                );
                assert!(
                    hc.iter().zip(&h1).all(|(a, b)| *a == *b * c),
                    "{method:?} σ² {given:?}: estimate × {c}"
                );
                let (r1, rc) = (e1.report(), ec.report());
                assert_eq!(rc.noise_var, r1.noise_var * c * c, "{method:?} × {c}");
                for p in 0..4 {
                    assert_eq!(rc.rsrp[p], r1.rsrp[p] * c * c, "{method:?} × {c} port {p}");
                    assert_eq!(rc.sinr_db[p], r1.sinr_db[p], "{method:?} × {c} port {p}");
                    assert_eq!(
                        rc.rms_delay[p], r1.rms_delay[p],
                        "{method:?} × {c} port {p}"
                    );
                }
            }
        }
    }
}

#[test]
fn report_rsrp_and_sinr_stay_within_their_estimation_spread_at_0_db() {
    // Issue 23: RSRP = mean |ĥ_LS|² − σ²·g over the port's N LS estimates (g = the LS noise
    // gain, ½ for Type 1 FD-OCC pairs: XᴴX = 2I). On a flat channel of known per-antenna power
    // P with the true σ² given, E[RSRP] = P and Var[RSRP] = (2·P·σ²·g + σ⁴·g²)/N (independent
    // noise on disjoint REs). 0 dB makes the noise term as large as the signal, so a wrong noise
    // gain (σ² instead of σ²/2 subtracted: −σ²/2) is 25 standard deviations away; the bound is
    // 4 standard deviations (a false alarm ≈ 6e-5 per port).
    let pilots = dmrs(DmrsType::Type1, vec![0, 1, 2, 3], false, 24);
    let n_rx = 8;
    let h = channel(81, (n_rx, 4, 14, 288), 0.0, 0.0, 1);
    let nv = 1.0f64;
    let rx = receive(82, &h, &pilots, nv);
    let (_, est) = estimate(&pilots, &rx, Some(nv as f32), LINEAR);
    let rep = est.report().clone();
    assert_eq!(rep.noise_var, nv as f32, "the given σ² is the one used");
    let g = 0.5;
    for p in 0..4 {
        let power: f64 = (0..n_rx)
            .map(|r| h[[r, p, 0, 0]].norm_sqr() as f64)
            .sum::<f64>()
            / n_rx as f64;
        let n: usize = (0..n_rx)
            .map(|r| {
                (0..3)
                    .map(|run| est.ls_estimates(p, r, run).unwrap().len())
                    .sum::<usize>()
            })
            .sum();
        // N is what the pattern says: its runs' CDM blocks, per receive antenna.
        let pattern = PilotPattern::from_pilots(pilots.view()).unwrap();
        let group = &pattern.groups()[p / 2];
        let blocks: usize = group.runs.iter().map(|r| r.n_blocks()).sum();
        assert_eq!(n, blocks * n_rx);
        let sd = ((2.0 * power * nv * g + nv * nv * g * g) / n as f64).sqrt();
        let rsrp = rep.rsrp[p] as f64;
        assert!(
            (rsrp - power).abs() < 4.0 * sd,
            "port {p}: RSRP {rsrp:.4} vs {power:.4} (σ = {sd:.4}, N = {n})"
        );
        // SINR = RSRP/σ² in dB: the same spread, in dB.
        let sinr_true = 10.0 * (power / nv).log10();
        let bound = 10.0 * (1.0 + 4.0 * sd / power).log10();
        assert!(
            (rep.sinr_db[p] as f64 - sinr_true).abs() < bound,
            "port {p}: SINR {} vs {sinr_true:.2} dB (bound {bound:.3} dB)",
            rep.sinr_db[p]
        );
    }
}

#[test]
fn time_interpolation_is_linear_between_runs_and_held_outside() {
    let pilots = dmrs(DmrsType::Type1, vec![0], false, 2);
    let pattern = PilotPattern::from_pilots(pilots.view()).unwrap();
    let est = ChannelEstimator::new(pattern, 1, EstimatorConfig::default()).unwrap();
    // Runs at symbols 2, 7, 11 with values 1, 2, 4.
    let mut h_runs = est.estimate().unwrap();
    for (i, v) in [1.0f32, 2.0, 4.0].into_iter().enumerate() {
        h_runs
            .view_mut()
            .slice_mut(ndarray::s![i, .., 0, 0])
            .fill(C32::new(v, -v));
    }
    let mut h = est.estimate_per_symbol().unwrap();
    est.interpolate_time(&h_runs, &mut h).unwrap();
    let h = by_antenna(&h);
    let expect = |l: f32| -> f32 {
        if l <= 2.0 {
            1.0
        } else if l <= 7.0 {
            1.0 + (l - 2.0) / 5.0
        } else if l <= 11.0 {
            2.0 + 2.0 * (l - 7.0) / 4.0
        } else {
            4.0
        }
    };
    for l in 0..14 {
        let e = expect(l as f32);
        assert!(
            (h[[0, 0, l, 5]] - C32::new(e, -e)).norm() < 1e-5,
            "symbol {l}"
        );
    }
}

#[test]
fn bad_input_is_named() {
    let pilots = dmrs(DmrsType::Type1, vec![0, 1], false, 4);
    let pattern = PilotPattern::from_pilots(pilots.view()).unwrap();
    assert_eq!(
        support::err::name(ChannelEstimator::new(
            pattern.clone(),
            0,
            EstimatorConfig::default()
        )),
        "n_rx"
    );
    let bad_window = EstimatorConfig {
        window_blocks: 1,
        ..EstimatorConfig::default()
    };
    assert_eq!(
        support::err::name(ChannelEstimator::new(pattern.clone(), 2, bad_window)),
        "window_blocks"
    );
    let bad_dft = EstimatorConfig {
        frequency: FrequencyMethod::Dft {
            max_delay: f64::NAN,
        },
        ..EstimatorConfig::default()
    };
    assert_eq!(
        support::err::name(ChannelEstimator::new(pattern.clone(), 2, bad_dft)),
        "max_delay"
    );
    let mut est = ChannelEstimator::new(pattern, 2, EstimatorConfig::default()).unwrap();
    let rx = Array3::zeros((2, 14, 48));
    let mut out = est.estimate().unwrap();
    // Zero input: no pilot power, no noise.
    let r = est.process(rx.view(), None, &mut out).unwrap();
    assert_no_pilot_power(r);
    use support::err::name;
    assert_eq!(
        name(est.process(rx.view(), Some(f32::NAN), &mut out)),
        "noise_var"
    );
    assert_eq!(
        name(est.process(rx.view(), Some(-1.0), &mut out)),
        "noise_var"
    );
    let rx_bad = Array3::zeros((3, 14, 48));
    assert!(name(est.process(rx_bad.view(), Some(0.1), &mut out)).starts_with("rx"));
    let d = out.dims();
    let mut out_bad = ChannelEstimate::zeros(
        EstimateDims { n_runs: 2, ..d },
        OutputResolution::Subcarrier,
    )
    .unwrap();
    assert!(name(est.process(rx.view(), Some(0.1), &mut out_bad)).starts_with("estimate"));
    let mut out_prb = ChannelEstimate::zeros(d, OutputResolution::Prb).unwrap();
    assert!(name(est.process(rx.view(), Some(0.1), &mut out_prb)).starts_with("estimate"));
    // An all-zero received grid gives zero estimates, not NaN.
    est.process(rx.view(), None, &mut out).unwrap();
    assert!(
        out.view()
            .iter()
            .all(|v| v.re.is_finite() && v.im.is_finite())
    );

    // Pilot grids the pattern rejects.
    let mut partial = Array3::zeros((2, 14, 12));
    partial[[0, 2, 0]] = C32::new(1.0, 0.0);
    partial[[0, 2, 2]] = C32::new(1.0, 0.0);
    partial[[1, 2, 2]] = C32::new(1.0, 0.0);
    partial[[1, 2, 4]] = C32::new(1.0, 0.0);
    assert_eq!(
        support::err::name(PilotPattern::from_pilots(partial.view())),
        "pilots: ports"
    );
    let mut empty_port = Array3::zeros((2, 14, 12));
    empty_port[[0, 2, 0]] = C32::new(1.0, 0.0);
    assert_eq!(
        support::err::name(PilotPattern::from_pilots(empty_port.view())),
        "pilots: port"
    );
    let mut same = Array3::zeros((2, 14, 12));
    for k in [0, 2, 4, 6] {
        same[[0, 2, k]] = C32::new(1.0, 0.0);
        same[[1, 2, k]] = C32::new(1.0, 0.0); // identical pilots: inseparable
    }
    assert_eq!(
        support::err::name(PilotPattern::from_pilots(same.view())),
        "pilots: ports"
    );
    let mut nan = Array3::zeros((1, 1, 2));
    nan[[0, 0, 0]] = C32::new(f32::NAN, 0.0);
    assert_eq!(
        support::err::name(PilotPattern::from_pilots(nan.view())),
        "pilots"
    );
}

#[test]
fn per_prb_output_sits_at_the_prb_centres() {
    // Linear interpolation is linear in k: the PRB value at 12p + 5.5 is the mean of the
    // subcarrier values at 12p + 5 and 12p + 6 (both between the same two blocks here).
    use massive_mimo::estimation::OutputResolution;
    let pilots = dmrs(DmrsType::Type1, vec![0, 1], false, 8);
    let h = channel(31, (2, 2, 14, 96), 0.01, 0.0, 4);
    let rx = receive(32, &h, &pilots, 0.01);
    let run = |resolution| {
        let pattern = PilotPattern::from_pilots(pilots.view()).unwrap();
        let cfg = EstimatorConfig {
            frequency: LINEAR,
            resolution,
            ..EstimatorConfig::default()
        };
        let mut est = ChannelEstimator::new(pattern, 2, cfg).unwrap();
        let mut out = est.estimate().unwrap();
        est.process(rx.view(), Some(0.01), &mut out).unwrap();
        by_antenna(&out)
    };
    let (sc, prb) = (
        run(OutputResolution::Subcarrier),
        run(OutputResolution::Prb),
    );
    assert_eq!(prb.dim().3, 8);
    // A received grid that is not in standard layout (every other antenna of a larger one)
    // takes the element-by-element gather and gives the same estimate, bit for bit.
    let wide = Array3::from_shape_fn((4, 14, 96), |(a, l, k)| rx[[a / 2, l, k]]);
    let strided = wide.slice(ndarray::s![..;2, .., ..]);
    assert!(strided.as_slice().is_none());
    let pattern = PilotPattern::from_pilots(pilots.view()).unwrap();
    let cfg = EstimatorConfig {
        frequency: LINEAR,
        ..EstimatorConfig::default()
    };
    let mut est = ChannelEstimator::new(pattern, 2, cfg).unwrap();
    let mut out = est.estimate().unwrap();
    est.process(strided, Some(0.01), &mut out).unwrap();
    assert_eq!(by_antenna(&out), sc, "strided rx");
    for r in 0..2 {
        for p in 0..2 {
            for b in 0..8 {
                let mean = (sc[[r, p, 1, 12 * b + 5]] + sc[[r, p, 1, 12 * b + 6]]) * 0.5;
                assert!((prb[[r, p, 1, b]] - mean).norm() < 1e-5, "PRB {b}");
            }
        }
    }
    // And LMMSE per PRB is as close to the channel at the PRB centre as per subcarrier.
    let pattern = PilotPattern::from_pilots(pilots.view()).unwrap();
    let cfg = EstimatorConfig {
        resolution: OutputResolution::Prb,
        ..EstimatorConfig::default()
    };
    let mut est = ChannelEstimator::new(pattern, 2, cfg).unwrap();
    let mut out = est.estimate().unwrap();
    est.process(rx.view(), Some(0.01), &mut out).unwrap();
    let out = by_antenna(&out);
    let (mut e, mut t) = (0.0f64, 0.0f64);
    for r in 0..2 {
        for p in 0..2 {
            for b in 0..8 {
                let truth = (h[[r, p, 0, 12 * b + 5]] + h[[r, p, 0, 12 * b + 6]]) * 0.5;
                e += (out[[r, p, 0, b]] - truth).norm_sqr() as f64;
                t += truth.norm_sqr() as f64;
            }
        }
    }
    assert!(
        10.0 * (e / t).log10() < -20.0,
        "per-PRB LMMSE NMSE {:.1} dB",
        10.0 * (e / t).log10()
    );
    let bad = EstimatorConfig {
        resolution: OutputResolution::Prb,
        ..EstimatorConfig::default()
    };
    let mut odd = Array3::zeros((1, 14, 30));
    odd[[0, 2, 0]] = C32::new(1.0, 0.0);
    odd[[0, 2, 2]] = C32::new(1.0, 0.0);
    assert_eq!(
        support::err::name(ChannelEstimator::new(
            PilotPattern::from_pilots(odd.view()).unwrap(),
            1,
            bad
        )),
        "resolution = Prb with n_sc"
    );
}

/// The delay-domain estimator's batched DFTs (16 antennas per register) give the same
/// estimate and report on every SIMD backend as on the scalar kernels, with a ragged last lane
/// block (20 antennas): the backends differ only in f32 summation order, so the estimates agree
/// to ≈ 1e-6 of their size (10⁻⁴ allowed: the Wiener weights and the noise measurement pass the
/// rounding on).
#[test]
fn delay_domain_estimates_agree_on_every_backend() {
    use massive_mimo::estimation::{CyclicShiftEstimator, OutputResolution};
    use massive_mimo::simd::{Backend, Kernels};
    let (n_rx, n_sc) = (20, 576);
    let mut pilots = Array3::zeros((8, 14, n_sc));
    let template = SrsConfig::single_port(2, 48, 13, (5, 0));
    massive_mimo::refsig::write_multiplexed_users(&template, 8, pilots.view_mut()).unwrap();
    let mut h = Array4::zeros((n_rx, 8, 14, n_sc));
    for u in 0..8 {
        let hu = channel(40 + u as u64, (n_rx, 1, 14, n_sc), 0.004, 0.001, 6);
        h.slice_mut(ndarray::s![.., u..u + 1, .., ..]).assign(&hu);
    }
    let rx = receive(5, &h, &pilots, 0.1);
    let run = |k: Kernels| {
        let mut cs = CyclicShiftEstimator::new(
            pilots.view(),
            n_rx,
            NORMAL_CP_FRACTION,
            OutputResolution::Prb,
        )
        .unwrap()
        .with_kernels(k);
        let mut est = cs.estimate().unwrap();
        let rep = cs.process(rx.view(), None, &mut est).unwrap().clone();
        (by_antenna(&est), rep)
    };
    let (want, want_rep) = run(Kernels::with_backend(Backend::Scalar).unwrap());
    let size = want.iter().map(|v| v.norm()).fold(0.0f32, f32::max);
    assert!(size > 0.1);
    for b in Backend::available().filter(|b| *b != Backend::Scalar) {
        let (got, rep) = run(Kernels::with_backend(b).unwrap());
        let diff = (&got - &want)
            .iter()
            .map(|v| v.norm())
            .fold(0.0f32, f32::max);
        assert!(
            diff <= 1e-4 * size,
            "{b}: max difference {diff:e} of {size:e}"
        );
        let rel = |x: f32, y: f32| (x - y).abs() <= 1e-4 * y.abs().max(1e-6);
        assert!(rel(rep.noise_var, want_rep.noise_var), "{b}: noise");
        for u in 0..8 {
            assert!(rel(rep.rsrp[u], want_rep.rsrp[u]), "{b}: RSRP of {u}");
        }
    }
}

/// Per-PRB delay-domain estimates (the decimated path: one P-point DFT of each port's folded
/// window) equal the mean of the per-subcarrier estimates (the M-point DFT and the general map)
/// at each PRB's comb REs, and outside the sounded band the nearest sounded PRB's — the same
/// linear map computed two ways, so to f32 rounding (1e-4 of the largest value: two transforms
/// of different lengths).
#[test]
fn per_prb_delay_domain_estimates_are_the_prb_means_of_the_per_subcarrier_ones() {
    use massive_mimo::estimation::{CyclicShiftEstimator, OutputResolution};
    for (comb, users) in [(4, 16), (2, 8)] {
        let (n_rx, n_sc) = (20, 576);
        let mut pilots = Array3::zeros((users, 14, n_sc));
        let template = SrsConfig::single_port(comb, 44, 13, (5, 0));
        massive_mimo::refsig::write_multiplexed_users(&template, users, pilots.view_mut()).unwrap();
        let mut h = Array4::zeros((n_rx, users, 14, n_sc));
        for u in 0..users {
            let hu = channel(70 + u as u64, (n_rx, 1, 14, n_sc), 0.005, 0.001, 6);
            h.slice_mut(ndarray::s![.., u..u + 1, .., ..]).assign(&hu);
        }
        let rx = receive(9, &h, &pilots, 0.05);
        let run = |res| {
            let mut cs =
                CyclicShiftEstimator::new(pilots.view(), n_rx, NORMAL_CP_FRACTION, res).unwrap();
            let mut est = cs.estimate().unwrap();
            cs.process(rx.view(), Some(0.05), &mut est).unwrap();
            by_antenna(&est)
        };
        let (prb, sub) = (
            run(OutputResolution::Prb),
            run(OutputResolution::Subcarrier),
        );
        // The comb REs of user 0's group, and the sounded PRBs.
        let comb_res: Vec<usize> = (0..n_sc)
            .filter(|&k| pilots[[0, 13, k]] != C32::new(0.0, 0.0))
            .collect();
        let (first, last) = (comb_res[0] / 12, comb_res[comb_res.len() - 1] / 12);
        assert!(
            first > 0 || last < n_sc / 12 - 1,
            "the test needs unsounded PRBs"
        );
        let size = prb.iter().map(|v| v.norm()).fold(0.0f32, f32::max);
        for u in 0..users {
            let res: Vec<usize> = (0..n_sc)
                .filter(|&k| pilots[[u, 13, k]] != C32::new(0.0, 0.0))
                .collect();
            for o in 0..n_sc / 12 {
                let near = o.clamp(first, last);
                let inside: Vec<usize> = res.iter().copied().filter(|k| k / 12 == near).collect();
                for a in 0..n_rx {
                    let want = inside.iter().map(|&k| sub[[a, u, 0, k]]).sum::<C32>()
                        / inside.len() as f32;
                    let got = prb[[a, u, 0, o]];
                    assert!(
                        (got - want).norm() <= 1e-4 * size,
                        "comb {comb} user {u} PRB {o} antenna {a}: {got} vs {want}"
                    );
                }
            }
        }
    }
}

#[test]
fn delay_domain_srs_estimator_separates_cyclic_shifts_on_delay_spread_channels() {
    use massive_mimo::estimation::{CyclicShiftEstimator, OutputResolution};
    // 16 users, comb 4 × 4 cyclic shifts, 100 PRBs, 8 antennas; r.m.s. delay spread 0.006 of
    // the symbol (400 ns at 15 kHz) and per-user timing up to 0.004.
    let (n_rx, n_sc) = (8, 1200);
    let (pilots, h) = srs_users_on_delay_spread_channels(n_rx, |u| 0.002 * (u % 3) as f64);
    let truth = h.slice(ndarray::s![.., .., 13..14, ..]).to_owned();
    let mut rows = Vec::new();
    for snr_db in [0.0, 10.0, 30.0] {
        let nv = 10f64.powf(-snr_db / 10.0);
        let rx = receive(11, &h, &pilots, nv);
        let (blocks, _) = estimate(&pilots, &rx, Some(nv as f32), LMMSE);
        let nmse_blocks = nmse_db(
            &blocks.slice(ndarray::s![.., .., 13..14, ..]).to_owned(),
            &truth,
        );
        let mut cs = CyclicShiftEstimator::new(
            pilots.view(),
            n_rx,
            NORMAL_CP_FRACTION,
            OutputResolution::Subcarrier,
        )
        .unwrap();
        let mut est = cs.estimate().unwrap();
        let report = cs.process(rx.view(), None, &mut est).unwrap().clone();
        let est = by_antenna(&est);
        let nmse_cs = nmse_db(&est, &truth);
        rows.push((snr_db, nmse_blocks, nmse_cs));
        // The true σ² given instead of measured: used as such (report and Wiener weights), and
        // below 20 dB, where the measurement is within 0.5–2.5 dB of it, the same NMSE to
        // within 0.3 dB (the tap weights P/(P + σ_t²) move by less than that).
        let mut known = cs.estimate().unwrap();
        let rep_known = cs
            .process(rx.view(), Some(nv as f32), &mut known)
            .unwrap()
            .clone();
        assert_eq!(rep_known.noise_var, nv as f32);
        assert_eq!(rep_known.noise_var_estimate, report.noise_var_estimate);
        let nmse_known = nmse_db(&by_antenna(&known), &truth);
        if snr_db < 20.0 {
            assert!(
                (nmse_known - nmse_cs).abs() < 0.3,
                "{snr_db} dB: NMSE {nmse_known:.2} dB with σ² known vs {nmse_cs:.2} measured"
            );
        }
        // Noise measured from the empty taps: exact at low SNR, high by the off-grid delays'
        // sidelobes as the SNR grows.
        let err_db = 10.0 * (f64::from(report.noise_var_estimate) / nv).log10();
        let limit = if snr_db < 5.0 { 0.5 } else { 2.5 };
        if snr_db < 20.0 {
            assert!(
                err_db.abs() < limit,
                "noise estimate off by {err_db:.2} dB at {snr_db} dB"
            );
        }
        // Timing: the user's offset plus the realised profile's power-weighted mean delay,
        // measured from the true channel by the phase slope of Σ_k h_{k+1}·h_k* (fraction of
        // the symbol). The report's centroid of the kept delay taps resolves 1/(comb·M) =
        // 1/1200 of the symbol; the bound is half a tap at 10 dB and above, one tap at 0 dB
        // (the noise left in the kept taps pulls the centroid towards the window's centre,
        // +0.5–0.7 tap at these seeds). The users' offsets are 2.4 taps apart, so a report of 0
        // or of another user's delay fails.
        let tap = 1.0 / n_sc as f64;
        let bound = if snr_db < 5.0 { tap } else { 0.5 * tap };
        for u in [0, 1, 2, 4, 5] {
            let mut r1 = num_complex::Complex64::new(0.0, 0.0);
            for r in 0..n_rx {
                for k in 0..n_sc - 1 {
                    let (a, b) = (truth[[r, u, 0, k + 1]], truth[[r, u, 0, k]]);
                    r1 += num_complex::Complex64::new(a.re as f64, a.im as f64)
                        * num_complex::Complex64::new(b.re as f64, -b.im as f64);
                }
            }
            let want = -r1.arg() / (2.0 * std::f64::consts::PI);
            let d = f64::from(report.mean_delay[u]);
            assert!(
                (d - want).abs() < bound,
                "{snr_db} dB user {u}: delay {d:.5} vs {want:.5} (bound {bound:.1e})"
            );
            // R.m.s. delay spread: the true channel's power-delay profile on the same tap
            // grid (an inverse DFT over the 1200 subcarriers, summed over the antennas, taps
            // −8 … +40 around 0), its power-weighted spread; the report within one tap at
            // 10 dB and above (the estimator keeps a window of taps and subtracts the noise).
            if snr_db >= 10.0 {
                // RSRP: the channel's mean power over antennas and subcarriers.
                let power = user_power(&truth, u);
                // Within 5 %: the kept window misses the off-grid taps' far sidelobes (≈ 2 %)
                // and subtracts a measured noise over its taps (σ²·keep/M ≈ 2 % at 10 dB). It
                // used to report M = 300 times the power (a Parseval factor too many), and
                // its SINR 23–25 dB too high.
                let rsrp = f64::from(report.rsrp[u]);
                assert!(
                    (rsrp / power - 1.0).abs() < 0.05,
                    "{snr_db} dB user {u}: RSRP {rsrp:.4} vs {power:.4}"
                );
                // SINR = RSRP / the measured noise: at 10 dB the noise measurement is within
                // 2.5 dB (checked above), so the SINR is too.
                if snr_db == 10.0 {
                    let want = 10.0 * (power / nv).log10();
                    let got = f64::from(report.sinr_db[u]);
                    assert!(
                        (got - want).abs() < 2.5,
                        "user {u}: SINR {got:.2} vs {want:.2} dB"
                    );
                }
                let want_rms = true_rms_delay(&truth, u);
                let got = f64::from(report.rms_delay[u]);
                assert!(
                    (got - want_rms).abs() < tap,
                    "{snr_db} dB user {u}: r.m.s. delay {got:.5} vs {want_rms:.5}"
                );
            }
        }
    }
    // Low SNR: a plain window of keep = 57 of M = 300 taps would leave σ²·57/300 (−7.2 dB at
    // 0 dB); the per-tap Wiener weights from the antennas' common profile keep only the taps
    // the channel occupies, and beat the block LS + LMMSE chain too.
    eprintln!("SNR dB, NMSE dB blocks+LMMSE, delay domain: {rows:?}");
    let (_, blocks0, cs0) = rows[0];
    assert!(cs0 < -10.0, "0 dB: {cs0:.2} dB");
    assert!(
        cs0 < blocks0 - 1.5,
        "0 dB: delay domain {cs0:.2} vs blocks {blocks0:.2}"
    );
    // At 30 dB the block de-spreading is limited by the channel's variation across the
    // 16-subcarrier cyclic-shift period (≈ −14 dB here); the delay-domain separation only by
    // the sidelobes of off-grid delays that fall outside the kept taps (≈ −21 dB).
    let (_, blocks30, cs30) = rows[2];
    assert!(cs30 < -19.0, "30 dB: {cs30:.2}");
    assert!(
        cs30 < blocks30 - 5.0,
        "30 dB: delay domain {cs30:.2} vs blocks {blocks30:.2} dB"
    );
}

/// User u's mean channel power over the antennas and subcarriers of `h` [n_rx, users, 1,
/// n_sc] (one symbol): the RSRP at unit pilot EPRE.
fn user_power(h: &Array4<C32>, u: usize) -> f64 {
    let (n_rx, _, _, n_sc) = h.dim();
    h.slice(ndarray::s![.., u, 0, ..])
        .iter()
        .map(|v| f64::from(v.norm_sqr()))
        .sum::<f64>()
        / (n_rx * n_sc) as f64
}

/// Power-weighted r.m.s. delay (fraction of the symbol) of user `u`'s true channel `h [ant,
/// user, 1, n_sc]`: its power-delay profile from an inverse DFT over the subcarriers, summed
/// over the antennas, on taps −8 … +40 (1/n_sc apart) around delay 0.
fn true_rms_delay(h: &Array4<C32>, u: usize) -> f64 {
    let (n_rx, _, _, n_sc) = h.dim();
    let mut pdp = vec![0.0f64; 49];
    for r in 0..n_rx {
        for (i, p) in pdp.iter_mut().enumerate() {
            let n = i as f64 - 8.0;
            // tap n: Σ_k H(k)·e^{+j2πkn/N} / N (H(k) = Σ g·e^{−j2πk·d})
            let v: num_complex::Complex64 = (0..n_sc)
                .map(|k| {
                    let x = h[[r, u, 0, k]];
                    num_complex::Complex64::new(x.re as f64, x.im as f64)
                        * num_complex::Complex64::from_polar(
                            1.0,
                            2.0 * std::f64::consts::PI * k as f64 * n / n_sc as f64,
                        )
                })
                .sum();
            *p += (v / n_sc as f64).norm_sqr();
        }
    }
    let total: f64 = pdp.iter().sum();
    let d = |i: usize| (i as f64 - 8.0) / n_sc as f64;
    let m1: f64 = pdp.iter().enumerate().map(|(i, p)| p * d(i)).sum::<f64>() / total;
    let m2: f64 = pdp
        .iter()
        .enumerate()
        .map(|(i, p)| p * d(i) * d(i))
        .sum::<f64>()
        / total;
    (m2 - m1 * m1).max(0.0).sqrt()
}

/// Windows with no room for noise taps (16 users on 4 PRBs: 4 cyclic shifts of 12 comb REs,
/// 3 taps each, all kept): nothing to measure the noise from, so the measured noise is 0 (as
/// documented for a missing measurement; not 0/0), the report and the estimate finite, and a
/// σ² passed in is used as given.
#[test]
fn delay_domain_estimator_without_noise_taps_reports_zero_measured_noise() {
    use massive_mimo::estimation::CyclicShiftEstimator;
    let (n_rx, n_sc) = (2, 48);
    let mut pilots = Array3::zeros((16, 14, n_sc));
    let template = SrsConfig::single_port(4, 4, 13, (5, 0));
    massive_mimo::refsig::write_multiplexed_users(&template, 16, pilots.view_mut()).unwrap();
    let h = channel(41, (n_rx, 16, 14, n_sc), 0.002, 0.0, 2);
    let rx = receive(42, &h, &pilots, 0.1);
    let mut e = CyclicShiftEstimator::new(
        pilots.view(),
        n_rx,
        NORMAL_CP_FRACTION,
        OutputResolution::Prb,
    )
    .unwrap();
    let mut out = e.estimate().unwrap();
    let r = e.process(rx.view(), None, &mut out).unwrap();
    assert_eq!(r.noise_var_estimate, 0.0, "{r:?}");
    assert_eq!(r.noise_var, 0.0);
    assert!(r.rsrp.iter().all(|v| v.is_finite() && *v > 0.0), "{r:?}");
    assert!(
        out.view()
            .iter()
            .all(|v| v.re.is_finite() && v.im.is_finite())
    );
    let r = e.process(rx.view(), Some(0.1), &mut out).unwrap();
    assert_eq!((r.noise_var_estimate, r.noise_var), (0.0, 0.1));
}

#[test]
fn delay_domain_estimator_names_what_it_cannot_do() {
    use massive_mimo::estimation::{CyclicShiftEstimator, OutputResolution};
    let res = OutputResolution::Prb;
    // DMRS with time OCC over two symbols: not a single-symbol cyclic-shift pattern.
    let d = dmrs(DmrsType::Type1, vec![0, 1, 4, 5], true, 4);
    let err = CyclicShiftEstimator::new(d.view(), 4, NORMAL_CP_FRACTION, res).err();
    assert!(
        matches!(err, Some(massive_mimo::Error::InvalidParameter { name, .. }) if name.contains("cyclic-shift")),
        "{err:?}"
    );
    // Bad sizes and parameters.
    let mut srs = Array3::zeros((4, 14, 144));
    massive_mimo::refsig::write_multiplexed_users(
        &SrsConfig::single_port(4, 4 * 3, 13, (0, 0)),
        4,
        srs.view_mut(),
    )
    .unwrap();
    let mut e = CyclicShiftEstimator::new(srs.view(), 2, NORMAL_CP_FRACTION, res).unwrap();
    assert_eq!(
        support::err::name(CyclicShiftEstimator::new(
            srs.view(),
            0,
            NORMAL_CP_FRACTION,
            res
        )),
        "(n_rx, n_ports, max_delay)"
    );
    assert_eq!(
        support::err::name(CyclicShiftEstimator::new(srs.view(), 2, f64::NAN, res)),
        "(n_rx, n_ports, max_delay)"
    );
    let rx = Array3::zeros((2, 14, 144));
    let mut h = e.estimate().unwrap();
    let mut h_bad = ChannelEstimate::zeros(
        EstimateDims {
            n_outputs: 11,
            ..h.dims()
        },
        res,
    )
    .unwrap();
    match e.process(rx.view(), None, &mut h_bad) {
        Err(Error::ShapeMismatch { name, .. }) => assert!(name.starts_with("estimate")),
        other => panic!("{other:?}"),
    }
    match e.process(rx.view(), Some(f32::NAN), &mut h) {
        Err(Error::InvalidParameter { name, .. }) => assert_eq!(name, "noise_var"),
        other => panic!("{other:?}"),
    }
    // Zero input: zero channel, zero noise, finite report.
    let r = e.process(rx.view(), None, &mut h).unwrap();
    assert_eq!(r.noise_var_estimate, 0.0);
    assert_no_pilot_power(r);
    // No tap power: no delay to report, 0 (not 0/0).
    assert!(
        r.mean_delay.iter().chain(&r.rms_delay).all(|v| *v == 0.0),
        "{r:?}"
    );
    assert!(h.view().iter().all(|v| *v == C32::new(0.0, 0.0)));
}

#[test]
fn lte_ue_rs_ports_7_to_14_separate_within_each_slot() {
    use massive_mimo::refsig::UeRsConfig;
    // Eight layers (ports 7–14, two CDM groups of four) on 25 PRBs, 4 receive antennas, a
    // short delay spread; per-run LS over 2 pilot subcarriers × 2 symbols, then LMMSE.
    let (n_rx, n_sc) = (4, 300);
    let cfg = UeRsConfig {
        subframe: 2,
        prb_start: 10,
        ..UeRsConfig::new((7..=14).collect(), 77)
    };
    let mut pilots = Array3::zeros((8, 14, n_sc));
    cfg.write_pilots(pilots.view_mut()).unwrap();
    let pattern = PilotPattern::from_pilots(pilots.view()).unwrap();
    assert_eq!(pattern.groups().len(), 2);
    assert!(
        pattern
            .groups()
            .iter()
            .all(|g| g.ports.len() == 4 && g.runs.len() == 2)
    );
    let h = channel(21, (n_rx, 8, 14, n_sc), 0.0005, 0.0, 3);
    let nv = 1e-3;
    let rx = receive(5, &h, &pilots, nv);
    let (est, e) = estimate(&pilots, &rx, None, LMMSE);
    let nmse = nmse_db(&est, &h);
    // LS over 4 REs for 4 ports leaves σ² (−30 dB); the filters and the two runs do better.
    assert!(nmse < -35.0, "UE-RS NMSE {nmse:.2} dB");
    let r = e.report();
    let err_db = 10.0 * (f64::from(r.noise_var_estimate) / nv).log10();
    assert!(err_db.abs() < 2.0, "noise estimate off by {err_db:.2} dB");
}

/// DMRS type 1, one port, single symbol at 2, through an LTE TDL profile (36.104 Annex B.2)
/// at 30 kHz: the NMSE (dB) of the linear, LMMSE and DFT filters at `snr_db`, and the
/// realised channel power (one Rayleigh draw per tap and antenna).
fn tdl_nmse(profile: massive_mimo_sim::channel::TdlProfile, snr_db: f64) -> ([f64; 3], f64) {
    use massive_mimo_sim::channel::{ChannelModel, Tdl};
    let (n_rx, n_prb) = (8, 51);
    let n_sc = 12 * n_prb;
    let pilots = {
        let cfg = DmrsConfig::new(DmrsType::Type1, vec![0], vec![2], false);
        let mut g = Array3::zeros((1, 14, n_sc));
        cfg.write_pilots(g.view_mut()).unwrap();
        g
    };
    let tdl = Tdl::new(profile, 1, n_rx, 0.0, 17).unwrap();
    let freqs: Vec<f64> = (0..n_sc).map(|k| 3.5e9 + 30e3 * k as f64).collect();
    let mut hf = Array3::zeros((1, n_sc, n_rx));
    tdl.frequency_response(0.0, &freqs, hf.view_mut()).unwrap();
    let h = Array4::from_shape_fn((n_rx, 1, 14, n_sc), |(r, _, _, k)| hf[[0, k, r]]);
    let nv = 10f64.powf(-snr_db / 10.0);
    let rx = receive(3, &h, &pilots, nv);
    let truth = h.slice(ndarray::s![.., .., 2..3, ..]).to_owned();
    let power = truth.iter().map(|v| v.norm_sqr() as f64).sum::<f64>() / truth.len() as f64;
    let nmse = [LINEAR, LMMSE, DFT].map(|m| {
        let (est, _) = estimate(&pilots, &rx, Some(nv as f32), m);
        nmse_db(&est.slice(ndarray::s![.., .., 2..3, ..]).to_owned(), &truth)
    });
    (nmse, power)
}

#[test]
fn nmse_on_lte_tdl_profiles_against_theory() {
    use massive_mimo_sim::channel::TdlProfile;
    // At 0 dB the pilot REs carry the LS noise σ² and linear interpolation halves it on the
    // REs between them: 0.75·σ² over the realised channel power P, on a channel smooth over
    // the 60 kHz pilot spacing (EVA).
    let ([lin, lmmse, dft], p) = tdl_nmse(TdlProfile::eva(), 0.0);
    let theory = 10.0 * (0.75 / p).log10();
    assert!(
        (lin - theory).abs() < 0.5,
        "EVA 0 dB linear {lin:.2} vs {theory:.2}"
    );
    // LMMSE and DFT denoising average over the channel's few delay taps (7 and 4 dB here).
    assert!(
        lmmse < lin - 6.0,
        "EVA 0 dB LMMSE {lmmse:.2} vs linear {lin:.2}"
    );
    assert!(dft < lin - 3.5, "EVA 0 dB DFT {dft:.2} vs linear {lin:.2}");
    // At 30 dB: linear interpolation is limited by the channel's curvature between pilots
    // (ETU's 5 µs tap turns 1.9 rad in 60 kHz), the LMMSE filter — its delay prior widened at
    // high SNR — is not (−29 dB against −22.5 dB; DFT is cut at the cyclic prefix, shorter
    // than ETU at 30 kHz).
    let ([lin, lmmse, _], _) = tdl_nmse(TdlProfile::etu(), 30.0);
    assert!(lmmse < -27.0, "ETU 30 dB LMMSE {lmmse:.2}");
    assert!(
        lmmse < lin - 5.0,
        "ETU 30 dB LMMSE {lmmse:.2} vs linear {lin:.2}"
    );
    let ([lin, lmmse, _], _) = tdl_nmse(TdlProfile::eva(), 30.0);
    assert!(
        lmmse < lin - 2.0,
        "EVA 30 dB LMMSE {lmmse:.2} vs linear {lin:.2}"
    );
}

/// Issue 21, finding 3: the reference-signal arguments that used to panic in release (index out
/// of bounds after a wrapping check) are typed errors naming the value.
#[test]
fn wrapping_reference_signal_arguments_are_errors() {
    use massive_mimo::refsig::UeRsConfig;
    let mut g = Array3::zeros((1, 14, 48));
    let mut cfg = DmrsConfig::new(DmrsType::Type1, vec![0], vec![usize::MAX], false);
    match cfg.write_pilots(g.view_mut()) {
        Err(massive_mimo::Error::InvalidParameter { name, .. }) => {
            assert_eq!(name, "DMRS symbol l̄")
        }
        other => panic!("{other:?}"),
    }
    cfg.symbols = vec![2];
    cfg.crb_start = usize::MAX;
    match cfg.write_pilots(g.view_mut()) {
        Err(massive_mimo::Error::InvalidParameter { name, .. }) => assert_eq!(name, "crb_start"),
        other => panic!("{other:?}"),
    }
    let mut ue = UeRsConfig::new(vec![7], 10);
    ue.prb_start = usize::MAX;
    match ue.write_pilots(g.view_mut()) {
        Err(massive_mimo::Error::InvalidParameter { name, .. }) => {
            assert_eq!(name, "(prb_start + n_prb, n_scid, subframe, n_id)")
        }
        other => panic!("{other:?}"),
    }
}

/// Issue 15: the slot's pilot configuration. Two MU groups on different PRB ranges, each
/// user's DMRS only on its own PRBs (38.211 §6.4.1.1.3: a PUSCH's DMRS spans its
/// allocation). `process_groups` must give, for each group, exactly what an estimator built for
/// that group's pilots alone gives; zero elsewhere; one group of every port on the whole band
/// is `process`; and near the allocation edge it must beat the whole-band estimate, whose
/// filters reach into PRBs where the port sent nothing.
#[test]
#[allow(clippy::single_range_in_vec_init)] // one-range PRB allocations are meant
fn per_slot_allocations_estimate_each_group_on_its_own_prbs() {
    use massive_mimo::resource::{MuGroup, PrbAllocation};
    let n_prb = 24;
    let n_sc = 12 * n_prb;
    let (n_rx, nv) = (4, 0.01f64);
    // Type 1 single symbol: CDM group 0 = ports 0, 1; CDM group 1 = ports 2, 3.
    let full = dmrs(DmrsType::Type1, vec![0, 1, 2, 3], false, n_prb);
    let (ra, rb) = ([0..10], [10..n_prb]);
    let mut sent = full.clone();
    sent.slice_mut(ndarray::s![0..2, .., 12 * 10..])
        .fill(C32::new(0.0, 0.0));
    sent.slice_mut(ndarray::s![2..4, .., ..12 * 10])
        .fill(C32::new(0.0, 0.0));
    let h = channel(31, (n_rx, 4, 14, n_sc), 0.004, 0.001, 6);
    let rx = receive(32, &h, &sent, nv);
    let cfg = EstimatorConfig {
        resolution: OutputResolution::Prb,
        ..EstimatorConfig::default()
    };
    let mut est =
        ChannelEstimator::new(PilotPattern::from_pilots(full.view()).unwrap(), n_rx, cfg).unwrap();
    let (ua, ub) = ([0usize, 1], [2usize, 3]);
    let groups = [
        MuGroup {
            users: &ua,
            prbs: PrbAllocation::new(&ra, n_prb).unwrap(),
        },
        MuGroup {
            users: &ub,
            prbs: PrbAllocation::new(&rb, n_prb).unwrap(),
        },
    ];
    let mut got = est.estimate().unwrap();
    est.process_groups(rx.view(), Some(nv as f32), &groups, &mut got)
        .unwrap();
    let got = got.view();
    // Each group against an estimator of that group's pilots alone (ports renumbered 0, 1).
    for (ports, prbs) in [(0..2, 0..10), (2..4, 10..n_prb)] {
        let alone = sent.slice(ndarray::s![ports.clone(), .., ..]).to_owned();
        let mut e1 =
            ChannelEstimator::new(PilotPattern::from_pilots(alone.view()).unwrap(), n_rx, cfg)
                .unwrap();
        let mut want = e1.estimate().unwrap();
        e1.process(rx.view(), Some(nv as f32), &mut want).unwrap();
        let want = want.view();
        for (q, port) in ports.enumerate() {
            for p in 0..n_prb {
                for a in 0..n_rx {
                    let g = got[[0, p, port, a]];
                    if prbs.contains(&p) {
                        let w = want[[0, p, q, a]];
                        assert!(
                            (g - w).norm() <= 1e-5 * w.norm().max(1.0),
                            "port {port}, PRB {p}: {g} vs {w}"
                        );
                    } else {
                        assert_eq!(g, C32::new(0.0, 0.0), "port {port} outside its PRBs");
                    }
                }
            }
        }
    }
    // One group of every port on the whole band is `process`, bit for bit.
    let all = [0..n_prb];
    let ports = [0usize, 1, 2, 3];
    let one = [MuGroup {
        users: &ports,
        prbs: PrbAllocation::new(&all, n_prb).unwrap(),
    }];
    let (mut a, mut b) = (est.estimate().unwrap(), est.estimate().unwrap());
    est.process_groups(rx.view(), Some(nv as f32), &one, &mut a)
        .unwrap();
    est.process(rx.view(), Some(nv as f32), &mut b).unwrap();
    assert_eq!(a.view(), b.view());
    // Near the edge (two PRBs each side of PRB 10) the allocation-aware estimate is closer to
    // the channel at the PRB centres than the whole-band one.
    let edge_nmse = |e: &ndarray::ArrayView4<'_, C32>| {
        let (mut err, mut pow) = (0.0f64, 0.0f64);
        for (ports, prbs) in [(0..2, 8..10), (2..4, 10..12)] {
            for port in ports {
                for p in prbs.clone() {
                    for r in 0..n_rx {
                        // PRB centre 12p + 5.5: the mean of subcarriers 12p + 5 and 12p + 6.
                        let t = (h[[r, port, 2, 12 * p + 5]] + h[[r, port, 2, 12 * p + 6]]) * 0.5;
                        err += f64::from((e[[0, p, port, r]] - t).norm_sqr());
                        pow += f64::from(t.norm_sqr());
                    }
                }
            }
        }
        10.0 * (err / pow).log10()
    };
    let (aware, whole) = (edge_nmse(&got), edge_nmse(&b.view()));
    println!("edge NMSE: allocation-aware {aware:.1} dB, whole band {whole:.1} dB");
    assert!(aware < whole - 3.0, "{aware:.1} vs {whole:.1} dB");
    // A port beyond the pattern, a range beyond the grid: named errors.
    for (users, prbs, name) in [
        (&[4usize][..], &all[..], "port"),
        (&[0usize][..], &[0..n_prb + 1][..], "prb allocation"),
    ] {
        let g = [MuGroup {
            users,
            prbs: PrbAllocation::new(prbs, n_prb + 1).unwrap(),
        }];
        match est.process_groups(rx.view(), None, &g, &mut a) {
            Err(Error::InvalidParameter { name: n, .. }) => assert_eq!(n, name),
            other => panic!("{other:?}"),
        }
    }
}

/// Both estimators through the one interface (`SlotEstimator`, what the slot pipelines hold):
/// the trait's calls equal the estimators' own — the same estimate bit for bit, the report it
/// returns is the one `report` gives and not empty, and the outputs and runs are the estimate's
/// dimensions (three DMRS runs, one delay-domain run).
#[test]
fn both_estimators_answer_alike_through_the_slot_estimator_trait() {
    use massive_mimo::estimation::{CyclicShiftEstimator, SlotEstimator};
    let (n_rx, n_prb) = (4, 6);
    let dm = dmrs(DmrsType::Type1, vec![0, 1], false, n_prb);
    let mut srs = Array3::zeros((4, 14, 12 * n_prb));
    massive_mimo::refsig::write_multiplexed_users(
        &SrsConfig::single_port(4, 4 * n_prb / 4, 13, (0, 0)),
        4,
        srs.view_mut(),
    )
    .unwrap();
    for (what, pilots) in [("DMRS", &dm), ("SRS", &srs)] {
        let n_ports = pilots.dim().0;
        let h = channel(90, (n_rx, n_ports, 14, 12 * n_prb), 0.003, 0.0, 4);
        let rx = receive(91, &h, pilots, 0.01);
        let make = || -> Box<dyn SlotEstimator> {
            if what == "DMRS" {
                let pattern = PilotPattern::from_pilots(pilots.view()).unwrap();
                Box::new(ChannelEstimator::new(pattern, n_rx, EstimatorConfig::default()).unwrap())
            } else {
                Box::new(
                    CyclicShiftEstimator::new(
                        pilots.view(),
                        n_rx,
                        NORMAL_CP_FRACTION,
                        OutputResolution::Prb,
                    )
                    .unwrap(),
                )
            }
        };
        let mut dynamic = make();
        let mut est = dynamic.estimate().unwrap();
        let returned = dynamic.process(rx.view(), None, &mut est).unwrap().clone();
        assert_eq!(&returned, dynamic.report(), "{what}");
        assert!(
            returned.rsrp.iter().all(|&p| p > 0.0),
            "{what}: {returned:?}"
        );
        let (runs, outs, ports, ants) = est.view().dim();
        assert_eq!((ports, ants), (n_ports, n_rx), "{what}");
        assert_eq!(dynamic.n_outputs(), outs, "{what}");
        assert_eq!(dynamic.n_runs(), runs, "{what}");
        // DMRS in three symbols (runs), the delay-domain estimator one.
        assert_eq!(runs, if what == "DMRS" { 3 } else { 1 }, "{what}");
        // The inherent calls give the same estimate.
        let mut again = make().estimate().unwrap();
        let mut inherent = make();
        inherent.process(rx.view(), None, &mut again).unwrap();
        assert_eq!(est.view(), again.view(), "{what}");
    }
}

/// `PilotPattern::from_pilots` refuses each empty axis on its own, naming the pilots; and
/// `common_prbs` is the range every port covers: port 1 on fewer PRBs than port 0 sets it, and a
/// PRB where one port has no pilot splits the range (None).
#[test]
fn pilot_pattern_refuses_each_empty_axis_and_common_prbs_is_every_ports_range() {
    for shape in [(0, 14, 24), (2, 0, 24), (2, 14, 0)] {
        let p = Array3::<C32>::zeros(shape);
        assert_eq!(
            support::err::name(PilotPattern::from_pilots(p.view())),
            "pilots [n_ports, n_sym, n_sc]",
            "{shape:?}"
        );
    }
    // Two ports on disjoint combs of symbol 2 (port 0 even, port 1 odd subcarriers), 5 PRBs.
    let pattern = |prbs0: &[usize], prbs1: &[usize]| {
        let mut p = Array3::<C32>::zeros((2, 14, 60));
        for (port, prbs) in [(0usize, prbs0), (1, prbs1)] {
            for &prb in prbs {
                for k in (12 * prb + port..12 * prb + 12).step_by(2) {
                    p[[port, 2, k]] = C32::new(1.0, 0.0);
                }
            }
        }
        PilotPattern::from_pilots(p.view()).unwrap()
    };
    assert_eq!(
        pattern(&[0, 1, 2, 3, 4], &[0, 1, 2, 3, 4]).common_prbs(),
        Some(0..5)
    );
    assert_eq!(
        pattern(&[0, 1, 2, 3, 4], &[1, 2, 3]).common_prbs(),
        Some(1..4)
    );
    assert_eq!(
        pattern(&[1, 2, 3], &[0, 1, 2, 3, 4]).common_prbs(),
        Some(1..4)
    );
    assert_eq!(pattern(&[0, 1, 2, 3, 4], &[0, 1, 3, 4]).common_prbs(), None);
}

/// `symbols_with_data`: the symbols where some subcarrier of the band carries no pilot. DMRS in
/// every CDM group (type 1: two, type 2: three; 38.211 §6.4.1.1.3) leaves its symbols without
/// data; one CDM group of type 1 leaves the other comb for data (38.214 §6.2.2: one CDM group
/// without data), so every symbol has data; and a band that the pilots do not fill (PRBs
/// beyond the DMRS, on either side) keeps the symbol.
#[test]
fn symbols_with_data_are_those_the_dmrs_does_not_fill() {
    let n_sc = 48;
    let with_data = |kind, ports: Vec<usize>, symbols: Vec<usize>, double: bool, prbs| {
        let n = ports.len();
        let cfg = DmrsConfig::new(kind, ports, symbols, double);
        let mut p = Array3::<C32>::zeros((n, 14, n_sc));
        cfg.write_pilots(p.view_mut()).unwrap();
        PilotPattern::from_pilots(p.view())
            .unwrap()
            .symbols_with_data(prbs)
    };
    let all_but = |skip: &[usize]| (0..14).filter(|l| !skip.contains(l)).collect::<Vec<_>>();
    // Type 2, 12 ports on a double symbol at 2 (and 3): both symbols full.
    let t2 = with_data(DmrsType::Type2, (0..12).collect(), vec![2], true, 0..4);
    assert_eq!(t2, all_but(&[2, 3]));
    // Type 1, ports 0 and 2 (CDM groups 0 and 1) at symbols 2 and 11: both full.
    let t1 = with_data(DmrsType::Type1, vec![0, 2], vec![2, 11], false, 0..4);
    assert_eq!(t1, all_but(&[2, 11]));
    // Type 1, ports 0 and 1 (CDM group 0 only): the odd comb carries data.
    let comb = with_data(DmrsType::Type1, vec![0, 1], vec![2, 11], false, 0..4);
    assert_eq!(comb, all_but(&[]));
    // Type 2, ports 0–3 (CDM groups 0 and 1 of three): data on the third group's subcarriers.
    let two_of_three = with_data(DmrsType::Type2, vec![0, 1, 2, 3], vec![2], false, 0..4);
    assert_eq!(two_of_three, all_but(&[]));
    // Pilots on PRBs 0..2 of 4 only: the band 0..2 is full, 0..4 is not.
    let part = |pilot_prbs: std::ops::Range<usize>, prbs| {
        let mut p = Array3::<C32>::zeros((2, 14, n_sc));
        for port in 0..2 {
            for k in (12 * pilot_prbs.start + port..12 * pilot_prbs.end).step_by(2) {
                p[[port, 5, k]] = C32::new(1.0, 0.0);
            }
        }
        PilotPattern::from_pilots(p.view())
            .unwrap()
            .symbols_with_data(prbs)
    };
    assert_eq!(part(0..2, 0..2), all_but(&[5]));
    assert_eq!(part(0..2, 0..4), all_but(&[]));
    // The band's first subcarrier is 12 × its first PRB: pilots on PRBs 2..4 fill 2..4 only.
    assert_eq!(part(2..4, 2..4), all_but(&[5]));
    assert_eq!(part(2..4, 1..4), all_but(&[]));
}

/// How `PilotPattern` cuts pilot symbols into runs (38.211 §7.4.1.1 double-symbol DMRS,
/// §7.4.1.5 CSI-RS CDM8 = FD2 × TD4): adjacent symbols with the same subcarriers pair up; four
/// only when a pair cannot separate the ports (CDM8), never when it can (two FD-CDM ports on four
/// symbols are two pairs), and CDM8 on three symbols is refused. Each run's block is the fewest
/// subcarriers that separate its ports: FD-OCC 2 needs 2, CDM8 on 4 symbols 2, one port 1.
#[test]
fn pilot_runs_pair_symbols_and_span_four_only_for_cdm8() {
    // Pilots of `ports` ports: a base sequence times the FD-OCC (length `fd` on adjacent
    // subcarriers) and the TD-OCC (Walsh of length `td` over the symbols `syms`).
    let walsh = |i: usize, j: usize| {
        if (i & j).count_ones().is_multiple_of(2) {
            1.0
        } else {
            -1.0
        }
    };
    let grid = |ports: usize, fd: usize, td: usize, syms: &[usize]| {
        let mut p = Array3::<C32>::zeros((ports, 14, 24));
        for port in 0..ports {
            let (f, t) = (port % fd, port / fd);
            for (li, &l) in syms.iter().enumerate() {
                for k in 0..24 {
                    let base = C32::from_polar(1.0, std::f32::consts::PI * (k * k) as f32 / 7.0);
                    p[[port, l, k]] = base * walsh(f, k % fd) * walsh(t, li % td);
                }
            }
        }
        PilotPattern::from_pilots(p.view())
    };
    let runs = |pattern: &PilotPattern| -> Vec<(Vec<usize>, usize)> {
        assert_eq!(pattern.groups().len(), 1, "one CDM group");
        pattern.groups()[0]
            .runs
            .iter()
            .map(|r| (r.symbols.clone(), r.block_len))
            .collect()
    };
    // Two FD-CDM ports on four identical symbols: two pairs, blocks of 2.
    let two = grid(2, 2, 1, &[2, 3, 4, 5]).unwrap();
    assert_eq!(runs(&two), vec![(vec![2, 3], 2), (vec![4, 5], 2)]);
    // One port on a double symbol: one pair, blocks of 1.
    let one = grid(1, 1, 1, &[2, 3]).unwrap();
    assert_eq!(runs(&one), vec![(vec![2, 3], 1)]);
    // CDM8: a pair cannot tell TD-OCC [1 1 1 1] from [1 1 −1 −1]; all four, blocks of 2.
    let cdm8 = grid(8, 2, 4, &[5, 6, 7, 8]).unwrap();
    assert_eq!(runs(&cdm8), vec![(vec![5, 6, 7, 8], 2)]);
    // CDM8 on three symbols only: inseparable.
    assert_eq!(
        support::err::name(grid(8, 2, 4, &[5, 6, 7])),
        "pilots: ports"
    );
    // A block may span every pilot subcarrier of its run: one pilot RE is a run of one block.
    let mut single = Array3::<C32>::zeros((1, 14, 24));
    single[[0, 3, 7]] = C32::new(0.6, -0.8);
    let single = PilotPattern::from_pilots(single.view()).unwrap();
    assert_eq!(runs(&single), vec![(vec![3], 1)]);
    assert_eq!(single.groups()[0].runs[0].subcarriers, vec![7]);
    // The last block takes the remainder: two FD-CDM ports on 13 subcarriers are five blocks of 2
    // and one of 3, and subcarrier 12 (alone in PRB 1) is estimated, so both PRBs are common.
    let mut odd = Array3::<C32>::zeros((2, 14, 24));
    for port in 0..2 {
        for k in 0..13 {
            odd[[port, 2, k]] = C32::new(walsh(port, k % 2), 0.0);
        }
    }
    let odd = PilotPattern::from_pilots(odd.view()).unwrap();
    assert_eq!(runs(&odd), vec![(vec![2], 2)]);
    assert_eq!(odd.groups()[0].runs[0].n_blocks(), 6);
    assert_eq!(odd.common_prbs(), Some(0..2));
    // Conditioning decides the block: port 1 = 2 × port 0 × e^{j2πk/16} (a cyclic shift). On 2
    // subcarriers XᴴX's last pivot is 4(1 − cos θ) = 0.30 < 0.05 × its largest diagonal (8):
    // doubled; on 4 it is 16 − |2·Σe^{jkθ}|²/4 = 2.9 ≥ 0.05 × 16: kept. Relative to the
    // largest diagonal, so the stronger port's, not the first's (2 × 0.05 would accept 2).
    let mut ramp = Array3::<C32>::zeros((2, 14, 24));
    for k in 0..24 {
        let theta = 2.0 * std::f32::consts::PI * k as f32 / 16.0;
        ramp[[0, 4, k]] = C32::new(1.0, 0.0);
        ramp[[1, 4, k]] = C32::from_polar(2.0, theta);
    }
    let ramp = PilotPattern::from_pilots(ramp.view()).unwrap();
    assert_eq!(runs(&ramp), vec![(vec![4], 4)]);
}

/// LTE UE-RS ports 7, 8, 11, 13 (length-4 cover over symbols 5, 6, 12, 13; 36.211 §6.10.3.2)
/// on `n_prb` PRBs of a normal subframe.
fn lte_ue_rs(ports: Vec<usize>, n_prb: usize) -> Array3<C32> {
    let mut g = Array3::zeros((ports.len(), 14, 12 * n_prb));
    massive_mimo::refsig::UeRsConfig::new(ports, 17)
        .write_pilots(g.view_mut())
        .unwrap();
    g
}

#[test]
fn the_time_cover_keeps_lte_ue_rs_blocks_inside_their_prb() {
    use massive_mimo::estimation::CoverSpan;
    let pilots = lte_ue_rs(vec![7, 8, 11, 13], 4);
    // Frequency (default): a slot's two symbols cannot separate four ports on one subcarrier,
    // so each slot is a run of two-subcarrier blocks — (1, 6), (11, 13), … — every other one
    // straddling a PRB edge.
    let f = PilotPattern::from_pilots(pilots.view()).unwrap();
    let run = &f.groups()[0].runs[0];
    assert_eq!((f.groups()[0].runs.len(), run.block_len), (2, 2));
    assert_eq!(run.symbols, vec![5, 6]);
    // Time: one run over the subframe's four UE-RS symbols, one block per pilot subcarrier.
    let t = PilotPattern::from_pilots_with(pilots.view(), CoverSpan::Time).unwrap();
    let g = &t.groups()[0];
    assert_eq!(g.runs.len(), 1);
    assert_eq!(
        (g.runs[0].symbols.clone(), g.runs[0].block_len),
        (vec![5, 6, 12, 13], 1)
    );
    let sc: Vec<usize> = (0..4)
        .flat_map(|p| [12 * p + 1, 12 * p + 6, 12 * p + 11])
        .collect();
    assert_eq!(g.runs[0].subcarriers, sc);
    assert_eq!(g.runs[0].n_blocks(), 12);
    // Ports 7 and 8 alone are separated per subcarrier inside each slot: both spans keep the
    // two slots' runs (time resolution is not given up when nothing is gained).
    let p78 = lte_ue_rs(vec![7, 8], 4);
    for span in [CoverSpan::Frequency, CoverSpan::Time] {
        let p = PilotPattern::from_pilots_with(p78.view(), span).unwrap();
        let runs = &p.groups()[0].runs;
        assert_eq!(
            (runs.len(), runs[0].block_len, runs[1].block_len),
            (2, 1, 1),
            "{span:?}"
        );
    }
}

#[test]
fn per_prb_precoded_ue_rs_is_estimated_near_the_per_prb_genie() {
    // Issue 18: a channel precoded with other weights in every PRB is independent from PRB to
    // PRB (here: independent taps per PRB, the same power-delay profile). A UE estimating
    // inside each PRB (per-PRB ranges, the length-4 cover de-spread in time) is bounded by the
    // genie Wiener filter of one PRB — its three pilots, the true profile, the LS noise σ²/4
    // (four unit-modulus REs under an orthogonal cover) — computed here in f64. It may sit
    // below the genie only by the Monte-Carlo spread of 25 PRBs × 4 ports × 4 antennas of
    // independent channels (< 0.5 dB); the allowed gap above it is today's (1.6 dB at 20 dB:
    // the data-driven uniform prior) + 1 dB, a regression guard anchored on the genie. The
    // frequency cover's blocks pair subcarrier 11 of one PRB with 1 of the next: their
    // estimates mix two independent channels, a floor far above the genie (≥ 10 dB; today's
    // −28.0 genie, −26.4 time cover, −6.2 frequency cover).
    use massive_mimo::estimation::CoverSpan;
    use num_complex::Complex64;
    let (n_prb, n_rx, rms, n_taps, snr_db) = (25, 4, 0.01, 8, 20.0f64);
    let n_sc = 12 * n_prb;
    let pilots = lte_ue_rs(vec![7, 8, 11, 13], n_prb);
    let mut h = Array4::<C32>::zeros((n_rx, 4, 14, n_sc));
    for p in 0..n_prb {
        let hp = channel(100 + p as u64, (n_rx, 4, 14, n_sc), rms, 0.002, n_taps);
        let prb = ndarray::s![.., .., .., 12 * p..12 * (p + 1)];
        h.slice_mut(prb).assign(&hp.slice(prb));
    }
    let nv = 10f64.powf(-snr_db / 10.0);
    let rx = receive(21, &h, &pilots, nv);
    let prbs: Vec<std::ops::Range<usize>> = (0..n_prb).map(|p| p..p + 1).collect();
    let ports = [0, 1, 2, 3];
    let nmse = |span: CoverSpan| {
        let pattern = PilotPattern::from_pilots_with(pilots.view(), span).unwrap();
        let mut est = ChannelEstimator::new(pattern, n_rx, EstimatorConfig::default()).unwrap();
        let (e, _) = process_on(&mut est, &rx, None, &[(&ports, &prbs)]);
        // One run (time cover) or the first slot's (frequency cover): the channel is static.
        let v = e.view();
        let mut err = 0.0f64;
        for (a, p, k) in each_antenna_port_subcarrier(n_rx, 4, n_sc) {
            err += (v[[0, k, p, a]] - h[[a, p, 0, k]]).norm_sqr() as f64;
        }
        // E|h|² = 1 per antenna and port.
        10.0 * (err / (n_rx * 4 * n_sc) as f64).log10()
    };
    // The genie: r(Δ) = Σ_i P_i·e^{−j2πΔ·d_i} over the taps of `channel` (delays offset +
    // i·3·rms/n_taps, powers ∝ e^{−i·3/n_taps}), pilots at subcarriers 1, 6, 11 of the PRB.
    let delays: Vec<f64> = (0..n_taps)
        .map(|i| 0.002 + i as f64 * rms * 3.0 / n_taps as f64)
        .collect();
    let pw: Vec<f64> = (0..n_taps)
        .map(|i| (-(i as f64) * 3.0 / n_taps as f64).exp())
        .collect();
    let total: f64 = pw.iter().sum();
    let r = |d: f64| -> Complex64 {
        delays
            .iter()
            .zip(&pw)
            .map(|(t, p)| Complex64::from_polar(p / total, -2.0 * std::f64::consts::PI * d * t))
            .sum()
    };
    let pos = [1.0, 6.0, 11.0];
    let rpp = nalgebra::DMatrix::from_fn(3, 3, |i, j| {
        r(pos[i] - pos[j])
            + if i == j {
                Complex64::new(nv / 4.0, 0.0)
            } else {
                0.0.into()
            }
    });
    let inv = rpp.try_inverse().unwrap();
    let genie_mse: f64 = (0..12)
        .map(|k| {
            let rk = nalgebra::DVector::from_fn(3, |i, _| r(pos[i] - k as f64));
            1.0 - (rk.adjoint() * &inv * &rk)[(0, 0)].re
        })
        .sum::<f64>()
        / 12.0;
    let genie = 10.0 * genie_mse.log10();
    let time = nmse(CoverSpan::Time);
    assert!(
        time > genie - 0.5,
        "{time:.2} dB below the genie {genie:.2}"
    );
    assert!(time < genie + 2.6, "{time:.2} dB vs the genie {genie:.2}");
    let freq = nmse(CoverSpan::Frequency);
    assert!(
        freq > genie + 10.0,
        "frequency cover {freq:.2} dB, genie {genie:.2}"
    );
}

/// Every (antenna, port, subcarrier) of the given extents.
fn each_antenna_port_subcarrier(
    n_rx: usize,
    n_ports: usize,
    n_sc: usize,
) -> impl Iterator<Item = (usize, usize, usize)> {
    (0..n_rx).flat_map(move |a| (0..n_ports).flat_map(move |p| (0..n_sc).map(move |k| (a, p, k))))
}

#[test]
fn a_ragged_last_block_is_de_spread_with_its_own_coefficients() {
    // Two ports under an FD-OCC pair on five pilot subcarriers: blocks (0, 1) and (2, 3, 4),
    // the last one three REs wide ("the last block takes the rest"). The LS runs blocks of
    // equal size in one kernel call; the ragged block must get its own call and coefficients.
    // Noiseless flat channels (two antennas): LS is exact on both blocks and linear
    // interpolation reproduces the constant on every subcarrier, to f32 rounding.
    let mut pilots = Array3::zeros((2, 14, 12));
    for k in 0..5 {
        pilots[[0, 2, k]] = C32::new(1.0, 0.0);
        pilots[[1, 2, k]] = C32::new(if k % 2 == 0 { 1.0 } else { -1.0 }, 0.0);
    }
    let pattern = PilotPattern::from_pilots(pilots.view()).unwrap();
    let run = &pattern.groups()[0].runs[0];
    assert_eq!((run.n_blocks(), run.block_len), (2, 2));
    let h = [
        [C32::new(0.3, -0.7), C32::new(-1.1, 0.4)],
        [C32::new(0.9, 0.2), C32::new(0.05, -0.6)],
    ];
    let mut rx = Array3::zeros((2, 14, 12));
    for r in 0..2 {
        for k in 0..5 {
            rx[[r, 2, k]] = h[r][0] * pilots[[0, 2, k]] + h[r][1] * pilots[[1, 2, k]];
        }
    }
    let cfg = EstimatorConfig {
        frequency: LINEAR,
        ..EstimatorConfig::default()
    };
    let mut est = ChannelEstimator::new(pattern, 2, cfg).unwrap();
    let mut e = est.estimate().unwrap();
    est.process(rx.view(), Some(0.0), &mut e).unwrap();
    let v = e.view();
    for k in 0..12 {
        for (r, hr) in h.iter().enumerate() {
            for (p, &want) in hr.iter().enumerate() {
                assert!(
                    (v[[0, k, p, r]] - want).norm() < 1e-5,
                    "subcarrier {k}, port {p}, antenna {r}: {} vs {want}",
                    v[[0, k, p, r]]
                );
            }
        }
    }
}

#[test]
fn delay_domain_noise_is_per_re_whatever_the_srs_epre() {
    // Issue 23 (mutants `cyclic_shift.rs:541`, `:545`): the SRS sent at amplitude 2 (EPRE 4,
    // a power offset over the data). The noise the estimator reports is per RE — the same σ²
    // as at unit EPRE, within the 2.5 dB `delay_domain_srs_…` allows from a pilot SNR of 5 dB
    // (here 0 dB per RE + 6 dB of EPRE; the off-grid delays' sidelobes) — and a σ² given
    // by the caller is turned into per-tap noise the same way as the measured one: the NMSE
    // with σ² given stays within 0.3 dB of the NMSE with σ² measured (as at unit EPRE). With
    // the EPRE applied the wrong way round either would be off by 12 dB.
    use massive_mimo::estimation::{CyclicShiftEstimator, OutputResolution};
    let (n_rx, nv) = (8, 1.0f64);
    let (mut pilots, h) = srs_users_on_delay_spread_channels(n_rx, |_| 0.0);
    pilots.mapv_inplace(|v| v * 2.0);
    let truth = h.slice(ndarray::s![.., .., 13..14, ..]).to_owned();
    let rx = receive(11, &h, &pilots, nv);
    let mut cs = CyclicShiftEstimator::new(
        pilots.view(),
        n_rx,
        NORMAL_CP_FRACTION,
        OutputResolution::Subcarrier,
    )
    .unwrap();
    let mut measured = cs.estimate().unwrap();
    let report = cs.process(rx.view(), None, &mut measured).unwrap().clone();
    let err_db = 10.0 * (f64::from(report.noise_var_estimate) / nv).log10();
    assert!(
        err_db.abs() < 2.5,
        "noise estimate off by {err_db:.2} dB at EPRE 4"
    );
    let mut known = cs.estimate().unwrap();
    cs.process(rx.view(), Some(nv as f32), &mut known).unwrap();
    let (n_measured, n_known) = (
        nmse_db(&by_antenna(&measured), &truth),
        nmse_db(&by_antenna(&known), &truth),
    );
    assert!(
        (n_known - n_measured).abs() < 0.3,
        "NMSE {n_known:.2} dB with σ² known vs {n_measured:.2} measured at EPRE 4"
    );
    // Mutants `:572`, `:573`: RSRP is the received power per pilot RE, 4× the channel's
    // (38.215 §5.1.1), and the SINR's noise the per-RE σ² — EPRE divided instead of multiplied
    // would put them 16× (12 dB) off. RSRP within 10 %: the kept window's missed sidelobes
    // (≈ 2 %, as at unit EPRE) plus its noise subtraction (σ²·keep/M of the signal: ≈ 2 % at
    // 10 dB, 2.5× that at this 6 dB); SINR within the noise estimate's 2.5 dB + 0.5 dB.
    for u in 0..16 {
        let power = user_power(&truth, u);
        assert!((report.pilot_epre[u] - 4.0).abs() < 1e-5, "user {u}");
        let rsrp = f64::from(report.rsrp[u]);
        assert!(
            (rsrp / (4.0 * power) - 1.0).abs() < 0.10,
            "user {u}: RSRP {rsrp:.4} vs {:.4} at EPRE 4",
            4.0 * power
        );
        let want = 10.0 * (4.0 * power / nv).log10();
        let got = f64::from(report.sinr_db[u]);
        assert!(
            (got - want).abs() < 3.0,
            "user {u}: SINR {got:.2} vs {want:.2} dB at EPRE 4"
        );
    }
}

/// Issue 23 (mutant `cyclic_shift.rs:524:42`, the power per tap summed over the antenna blocks
/// of 16 lanes: `b · bl` → `b / bl` read the first block every time). 40 antennas — three
/// blocks, the last partial — of which the first block's 16 receive no signal: the RSRP is
/// the power per pilot RE averaged over all 40 (38.215 §5.1.1 per antenna, linear mean), 24/40
/// of the live antennas' power, within the 10 % the EPRE test allows (window sidelobes and
/// noise subtraction at a 20 dB pilot SNR are well inside it); summing the first block three
/// times would give its noise only, 20 dB low.
#[test]
fn delay_domain_power_counts_every_antenna_block() {
    use massive_mimo::estimation::{CyclicShiftEstimator, OutputResolution};
    let (n_rx, nv) = (40, 0.01f64);
    let (pilots, mut h) = srs_users_on_delay_spread_channels(n_rx, |_| 0.0);
    h.slice_mut(ndarray::s![..16, .., .., ..])
        .fill(C32::new(0.0, 0.0));
    let truth = h.slice(ndarray::s![.., .., 13..14, ..]).to_owned();
    let rx = receive(17, &h, &pilots, nv);
    let mut cs = CyclicShiftEstimator::new(
        pilots.view(),
        n_rx,
        NORMAL_CP_FRACTION,
        OutputResolution::Subcarrier,
    )
    .unwrap();
    let mut est = cs.estimate().unwrap();
    let report = cs.process(rx.view(), None, &mut est).unwrap().clone();
    for u in 0..16 {
        let power = user_power(&truth, u);
        let rsrp = f64::from(report.rsrp[u]);
        assert!(
            (rsrp / power - 1.0).abs() < 0.10,
            "user {u}: RSRP {rsrp:.4} vs {power:.4} over 40 antennas, 16 silent"
        );
    }
}

/// 16 SRS users (comb 4 × 4 cyclic shifts, symbol 13, 100 PRBs) and their channels to `n_rx`
/// antennas: r.m.s. delay spread 0.006 of the symbol (400 ns at 15 kHz), user u's timing
/// `offset(u)`; pilots `[16, 14, 1200]`, channel `[n_rx, 16, 14, 1200]`.
fn srs_users_on_delay_spread_channels(
    n_rx: usize,
    offset: impl Fn(usize) -> f64,
) -> (Array3<C32>, Array4<C32>) {
    let n_sc = 1200;
    let mut pilots = Array3::zeros((16, 14, n_sc));
    let template = SrsConfig::single_port(4, 100, 13, (5, 0));
    massive_mimo::refsig::write_multiplexed_users(&template, 16, pilots.view_mut()).unwrap();
    let mut h = Array4::zeros((n_rx, 16, 14, n_sc));
    for u in 0..16 {
        let hu = channel(300 + u as u64, (n_rx, 1, 14, n_sc), 0.006, offset(u), 8);
        h.slice_mut(ndarray::s![.., u..u + 1, .., ..]).assign(&hu);
    }
    (pilots, h)
}

/// The report of an input without pilot power (and without noise): RSRP 0 and SINR −∞ on
/// every port (the documented flag of a missing user, even without noise), finite delays.
fn assert_no_pilot_power(r: &massive_mimo::estimation::ChannelReport) {
    assert!(r.rsrp.iter().all(|v| *v == 0.0), "{r:?}");
    assert!(r.sinr_db.iter().all(|v| *v == f32::NEG_INFINITY), "{r:?}");
    assert!(
        r.mean_delay
            .iter()
            .chain(&r.rms_delay)
            .all(|v| v.is_finite()),
        "{r:?}"
    );
}
