//! Slot pipelines and the simulated cell: identity-channel round trips, the ZF cell's downlink
//! SINR and the MMSE uplink's SINR against their closed forms, reproducibility and thread-count independence, bad input.

mod support;

use massive_mimo::C32;
use massive_mimo::array::PanelArray;
use massive_mimo::carrier::{CarrierAggregation, ComponentCarrier, Duplex, Rat};
use massive_mimo::detection::DetectorMethod;
use massive_mimo::estimation::PilotPattern;
use massive_mimo::link::{
    DownlinkConfig, DownlinkSlot, PrecoderKind, SrsEstimation, UplinkSlot, precode_modulate,
};
use massive_mimo::modulation::{Modulation, map};
use massive_mimo::ofdm::OfdmConfig;
use massive_mimo::precoding::Normalization;
use massive_mimo::refsig::{DmrsConfig, DmrsType, SrsConfig, write_multiplexed_users};
use massive_mimo_sim::channel::StaticChannel;
use massive_mimo_sim::{CellScenario, ChannelKind, Csi, simulate_aggregation, simulate_carrier};
use ndarray::{Array2, Array3};
use support::slot::{dmrs_layers, nr_ofdm, rzf_downlink};

const N_PRB: usize = 12;
const N_SC: usize = 12 * N_PRB;

fn ofdm() -> OfdmConfig {
    nr_ofdm(N_SC, 256) // scale²·n_fft = 1: modulation then demodulation is the identity
}

fn srs_pilots(n_users: usize) -> Array3<C32> {
    let mut p = Array3::zeros((n_users, 14, N_SC));
    write_multiplexed_users(
        &SrsConfig::single_port(4, N_PRB, 13, (3, 0)),
        n_users,
        p.view_mut(),
    )
    .unwrap();
    p
}

/// Layers: DMRS type 2 double symbol on 2–3 for ports 0..k, QPSK data elsewhere.
fn layers(k: usize) -> (Array3<C32>, Array3<C32>) {
    dmrs_layers(k, N_SC, Modulation::Qpsk, |i, j, l| {
        (i * 7 + j * 3 + l) % 5 < 2
    })
}

#[test]
fn downlink_and_uplink_reproduce_the_grid_over_an_identity_channel() {
    let k = 4;
    let cfg = DownlinkConfig {
        n_ant: k,
        n_candidates: k,
        n_layers: k,
        n_prb: N_PRB,
        prg_prbs: 2,
        precoder: PrecoderKind::Zf,
        normalization: Normalization::Total,
        srs_estimation: SrsEstimation::DelayDomain,
    };
    let mut dl = DownlinkSlot::new(cfg, srs_pilots(k).view(), &ofdm()).unwrap();
    // The base station knows the channel: the identity.
    let mut est = dl.estimates_mut().view_mut();
    est.fill(C32::new(0.0, 0.0));
    for a in 0..k {
        est.slice_mut(ndarray::s![.., .., a, a])
            .fill(C32::new(1.0, 0.0));
    }
    dl.compute_weights(&[0, 1, 2, 3], 0.0).unwrap();
    let (x, pilots) = layers(k);
    let mut grid = Array3::zeros((k, 14, N_SC));
    dl.precode(x.view(), grid.view_mut()).unwrap();
    // ZF of I with ‖W‖² = 1: W = I/2.
    for (g, v) in grid.iter().zip(x.iter()) {
        assert!((g - v * 0.5).norm() < 1e-6);
    }
    let mut wave = Array2::zeros((k, dl.waveform_len()));
    dl.modulate(grid.view(), wave.view_mut()).unwrap();

    // Antenna a's waveform reaches receive antenna a (identity), demodulated by the uplink.
    let mut ul = UplinkSlot::new(
        k,
        PilotPattern::from_pilots(pilots.view()).unwrap(),
        &ofdm(),
    )
    .unwrap();
    assert_eq!(ul.waveform_len(), wave.ncols());
    ul.demodulate(wave.view()).unwrap();
    let err = ul
        .grid()
        .iter()
        .zip(grid.iter())
        .map(|(a, b)| (a - b).norm())
        .fold(0.0f32, f32::max);
    assert!(err < 1e-4, "OFDM round trip error {err}");
    // Detection undoes the 1/2: every layer's data comes back.
    ul.detect(DetectorMethod::Mmse { unbiased: true }, Some(1e-6))
        .unwrap();
    let mut worst = 0.0f32;
    for j in 0..k {
        for l in (0..14).filter(|l| *l != 2 && *l != 3) {
            for sc in 0..N_SC {
                worst = worst.max((ul.layers()[[j, l, sc]] - x[[j, l, sc]]).norm());
            }
        }
    }
    assert!(worst < 2e-3, "detected layers differ by {worst}");
    assert!(ul.channel_report().noise_var_estimate < 1e-4);
    let mut llr = vec![0.0f32; 2 * N_SC];
    ul.llrs(Modulation::Qpsk, 1, 5, &mut llr).unwrap();
    let bits: Vec<u8> = (0..2 * N_SC)
        .map(|i| ((i * 7 + 3 + 5) % 5 < 2) as u8)
        .collect();
    assert!(llr.iter().zip(&bits).all(|(l, b)| (*l < 0.0) == (*b == 1)));
    assert_eq!(
        support::err::name(ul.llrs(Modulation::Qpsk, 4, 5, &mut llr)),
        "(layer, symbol)"
    );
    // The int8 form: the same LLRs at 1/8 steps, rounded and saturated.
    let mut q = vec![0i8; 2 * N_SC];
    ul.llrs_i8(Modulation::Qpsk, 1, 5, 0.125, &mut q).unwrap();
    for (g, l) in q.iter().zip(&llr) {
        let want = (l * 0.125).clamp(-127.0, 127.0);
        assert!(
            (f32::from(*g) - want).abs() <= 0.5 + 1e-4 * want.abs(),
            "{g} vs {want}"
        );
    }
    assert_eq!(
        support::err::name(ul.llrs_i8(Modulation::Qpsk, 1, 14, 1.0, &mut q)),
        "(layer, symbol)"
    );
}

/// With DMRS in every CDM group (type 2, ports 0–5 on symbol 2: 38.211 §6.4.1.1.3) the DMRS
/// symbol holds no data: the uplink detects the 13 others, its layers stay zero on symbol 2, and
/// LLRs of symbol 2 are refused naming `(layer, symbol)`. With ports in two of the three groups
/// (0–3) the free group's subcarriers may carry data and every symbol is detected.
#[test]
fn uplink_detects_the_data_symbols_only() {
    let (n_ant, k) = (8, 6);
    let slot = |ports: usize| {
        let mut p = Array3::zeros((ports, 14, N_SC));
        DmrsConfig::new(DmrsType::Type2, (0..ports).collect(), vec![2], false)
            .write_pilots(p.view_mut())
            .unwrap();
        UplinkSlot::new(n_ant, PilotPattern::from_pilots(p.view()).unwrap(), &ofdm()).unwrap()
    };
    let mut ul = slot(k);
    let data: Vec<usize> = (0..14).filter(|&l| l != 2).collect();
    assert_eq!(ul.data_symbols(), &data[..]);
    assert_eq!(slot(4).data_symbols(), &(0..14).collect::<Vec<_>>()[..]);
    // Any received grid with a full-rank channel (non-zero everywhere).
    for ((a, l, sc), v) in ul.grid_mut().indexed_iter_mut() {
        *v = C32::new(
            ((a * 7 + l * 3 + sc * 5) % 11) as f32 * 0.1 - 0.5,
            ((a * 3 + l + sc * 2) % 7) as f32 * 0.1 - 0.3,
        );
    }
    ul.detect(DetectorMethod::Mmse { unbiased: true }, Some(0.1))
        .unwrap();
    let x = ul.layers();
    assert!(
        x.slice(ndarray::s![.., 2, ..])
            .iter()
            .all(|v| v.norm() == 0.0)
    );
    for &l in &data {
        let row = x.slice(ndarray::s![0, l, ..]);
        assert!(
            row.iter().any(|v| v.norm() > 0.0),
            "symbol {l} not detected"
        );
    }
    let mut llr = vec![0.0f32; 2 * N_SC];
    ul.llrs(Modulation::Qpsk, 0, 3, &mut llr).unwrap();
    assert_eq!(
        support::err::name(ul.llrs(Modulation::Qpsk, 0, 2, &mut llr)),
        "(layer, symbol)"
    );
}

fn array() -> PanelArray {
    PanelArray::cross_polarized(8, 4).unwrap()
}

#[test]
fn zf_cell_with_perfect_csi_reaches_its_closed_form_sinr() {
    let carrier = ComponentCarrier::td_lte_band41(2595.0, array(), 2.6e9).unwrap();
    let mut sc = CellScenario::reference(8);
    sc.precoder = PrecoderKind::Zf;
    sc.csi = Csi::Perfect;
    sc.channel = ChannelKind::Rayleigh;
    sc.dl_snr_db = 10.0;
    let channel = sc.build_channel(carrier.array(), 2.6e9).unwrap();
    let r = simulate_carrier(&carrier, channel.as_ref(), &sc, 0).unwrap();
    // Flat channel H [8, 64]: ZF with ‖W‖_F² = 1 gives every stream SINR = 1/(σ²·tr((HHᴴ)⁻¹)).
    let freqs = [2.595e9];
    let mut h = Array3::zeros((8, 1, 64));
    channel
        .frequency_response(0.0, &freqs, h.view_mut())
        .unwrap();
    let hm = nalgebra::DMatrix::from_fn(8, 64, |u, a| {
        let v = h[[u, 0, a]];
        nalgebra::Complex::new(v.re as f64, v.im as f64)
    });
    let gram = &hm * hm.adjoint();
    let inv = gram.try_inverse().unwrap();
    let tr: f64 = (0..8).map(|i| inv[(i, i)].re).sum();
    let expected_db = -10.0 * (0.1 * tr).log10();
    for (u, s) in r.streams.iter().enumerate() {
        // Measured from the data after the user's own DMRS estimate: the estimate's noise
        // (8 pilot REs per PRB) costs up to ≈ 0.5 dB.
        check_sinr(
            "downlink",
            u,
            s.predicted_sinr_db,
            s.sinr_db,
            expected_db,
            0.05,
            1.0,
        );
    }
    // The throughput follows from the MCS: every stream got one, none above what the SINR allows.
    assert!(
        r.streams
            .iter()
            .all(|s| s.mcs.is_some() && s.throughput_mbps > 0.0)
    );

    // Uplink: 8 users on 64 antennas at 10 dB; unbiased MMSE gives user u
    // SINR_u = 1/[(HᴴH/σ² + I)⁻¹]_uu − 1 with H = the 64 × 8 uplink channel (the transpose).
    let nv = 10f64.powf(-sc.ul_snr_db / 10.0);
    let hu = hm.transpose();
    let g = hu.adjoint() * &hu / nalgebra::Complex::new(nv, 0.0)
        + nalgebra::DMatrix::<nalgebra::Complex<f64>>::identity(8, 8);
    let gi = g.try_inverse().unwrap();
    assert_eq!(r.uplink.len(), 8);
    for (u, s) in r.uplink.iter().enumerate() {
        let expected = 10.0 * (1.0 / gi[(u, u)].re - 1.0).log10();
        eprintln!(
            "uplink user {u}: expected {expected:.2}, detector {:.2}, measured {:.2}",
            s.predicted_sinr_db, s.sinr_db
        );
        // The detector's estimate uses its own channel and noise estimates; measured from
        // the data, the per-PRB DMRS estimates' error costs a little more.
        check_sinr(
            "uplink",
            u,
            s.predicted_sinr_db,
            s.sinr_db,
            expected,
            0.5,
            1.5,
        );
    }
}

#[test]
fn cell_results_are_reproducible_and_independent_of_threads() {
    let ca = CarrierAggregation::new(
        [2575.0, 2595.0]
            .iter()
            .map(|f| ComponentCarrier::td_lte_band41(*f, array(), 2.6e9).unwrap())
            .collect(),
    )
    .unwrap();
    let mut sc = CellScenario::reference(6);
    sc.n_streams = 4; // user selection on
    let one = simulate_aggregation(&ca, &sc, Some(1)).unwrap();
    let two = simulate_aggregation(&ca, &sc, Some(2)).unwrap();
    assert_eq!(one, two);
    assert_eq!(one.len(), 2);
    // The carriers see different channels and noise.
    assert_ne!(one[0].streams, one[1].streams);
    sc.seed += 1;
    let other = simulate_aggregation(&ca, &sc, Some(2)).unwrap();
    assert_ne!(one, other);
    for r in &one {
        assert_eq!(r.dl_slots, 8); // configuration 2: 6 downlink + 2 special subframes
        assert_eq!(r.ul_slots, 2);
        assert_eq!(r.uplink.len(), 6);
        assert!((r.simulated_s - 10e-3).abs() < 1e-12);
        assert_eq!(r.streams.len(), 4);
    }
}

#[test]
fn bad_configurations_are_typed_errors() {
    let carrier = ComponentCarrier::td_lte_band41(2595.0, array(), 2.6e9).unwrap();
    let mut sc = CellScenario::reference(4);
    let channel = sc.build_channel(carrier.array(), 2.6e9).unwrap();
    sc.n_streams = 5;
    assert_eq!(
        support::err::name(simulate_carrier(&carrier, channel.as_ref(), &sc, 0)),
        "(n_streams, users, periods)"
    );
    // A channel for another array.
    let small = StaticChannel::rayleigh_iid(4, 8, 1).unwrap();
    sc.n_streams = 4;
    assert_eq!(
        support::err::name(simulate_carrier(&carrier, &small, &sc, 0)),
        "channel (n_users, n_rx, n_ant)"
    );
    // More layers than antennas, selected indices out of range.
    let cfg = DownlinkConfig {
        n_ant: 2,
        n_candidates: 4,
        n_layers: 4,
        n_prb: N_PRB,
        prg_prbs: 0,
        precoder: PrecoderKind::Rzf,
        normalization: Normalization::Total,
        srs_estimation: SrsEstimation::DelayDomain,
    };
    assert_eq!(
        support::err::name(DownlinkSlot::new(cfg, srs_pilots(4).view(), &ofdm())),
        "layers"
    );
    let cfg = DownlinkConfig { n_ant: 8, ..cfg };
    let mut dl = DownlinkSlot::new(cfg, srs_pilots(4).view(), &ofdm()).unwrap();
    assert_eq!(
        support::err::name(dl.compute_weights(&[0, 1, 2, 9], 0.1)),
        "selected"
    );
    assert_eq!(
        support::err::name(dl.compute_weights(&[0, 1, 2, 2], 0.1)),
        "selected"
    );
    assert_eq!(
        support::err::name(dl.compute_weights(&[0, 1, 2, 3], f32::NAN)),
        "noise_var"
    );
    // An NR set with an LTE carrier's duplex, mixed technologies.
    let lte = Duplex::LteTdd(massive_mimo::carrier::LteTddConfig::new(2, 7).unwrap());
    assert_eq!(
        support::err::name(ComponentCarrier::new(
            Rat::Nr,
            78,
            3.5e9,
            100.0,
            30,
            lte,
            array(),
            3.5e9
        )),
        "duplex"
    );
}

/// A stream's predicted SINR within `predicted_tol` dB of the closed form `expected`, and its
/// measured SINR in [expected − `measured_loss`, expected + 0.3] dB.
fn check_sinr(
    link: &str,
    u: usize,
    predicted: f64,
    measured: f64,
    expected: f64,
    predicted_tol: f64,
    measured_loss: f64,
) {
    assert!(
        (predicted - expected).abs() < predicted_tol,
        "{link} stream {u}: predicted {predicted} vs {expected}"
    );
    assert!(
        measured < expected + 0.3 && measured > expected - measured_loss,
        "{link} stream {u}: measured {measured} vs {expected}"
    );
}

/// Issue 15: the uplink detects a slot's MU-MIMO groups on their own PRBs — ports 0, 1 on
/// PRBs 0..6 and ports 2, 3 on PRBs 6..12 — over an identity channel: each stream comes back
/// on its group's PRBs, is zero with noise f32::MAX elsewhere; bad groups are typed errors.
#[test]
#[allow(clippy::single_range_in_vec_init)] // one-range PRB allocations are meant
fn uplink_detects_mu_groups_on_their_own_prbs() {
    use massive_mimo::resource::{MuGroup, PrbAllocation};
    let k = 4;
    let (x, pilots) = layers(k);
    let mut ul = UplinkSlot::new(
        k,
        PilotPattern::from_pilots(pilots.view()).unwrap(),
        &ofdm(),
    )
    .unwrap();
    // Identity channel: antenna a receives port a; the layer grid already holds DMRS + data.
    ul.grid_mut().assign(&x);
    let (ra, rb) = ([0..6], [6..N_PRB]);
    let (ua, ub) = ([0usize, 1], [2usize, 3]);
    let groups = [
        MuGroup {
            users: &ua,
            prbs: PrbAllocation::new(&ra, N_PRB).unwrap(),
        },
        MuGroup {
            users: &ub,
            prbs: PrbAllocation::new(&rb, N_PRB).unwrap(),
        },
    ];
    ul.detect_groups(&groups, DetectorMethod::Mmse { unbiased: true }, Some(1e-6))
        .unwrap();
    let got = ul.layers();
    let nv = ul.layer_noise();
    assert_eq!(got.dim(), (4, 14, N_SC));
    for j in 0..4 {
        let own = if j < 2 { 0..6 } else { 6..N_PRB };
        for l in (0..14).filter(|l| *l != 2 && *l != 3) {
            for sc in 0..N_SC {
                let want = if own.contains(&(sc / 12)) {
                    x[[j, l, sc]]
                } else {
                    C32::new(0.0, 0.0)
                };
                assert!(
                    (got[[j, l, sc]] - want).norm() < 2e-3,
                    "stream {j}, symbol {l}, subcarrier {sc}"
                );
            }
        }
        for p in 0..N_PRB {
            assert_eq!(
                nv[[p, j]] == f32::MAX,
                !own.contains(&p),
                "noise of stream {j}, PRB {p}"
            );
            // Unbiased MMSE on a unit channel: g = 1/(1 + σ²), noise (1 − g)/g = σ² (= 1e-6);
            // the noiseless identity channel is estimated to within 3e-4 (the filters' ripple).
            // (Forming 1 − g in f32 used to give 1.3e-2 here: 60 dB SNR cancels in g.)
            if own.contains(&p) {
                assert!(
                    (nv[[p, j]] / 1e-6 - 1.0).abs() < 1e-2,
                    "noise of stream {j}, PRB {p}: {}",
                    nv[[p, j]]
                );
            }
        }
    }
    // Overlapping groups, a port beyond the pattern, too many streams: typed errors.
    let (rc, rd) = ([0..7], [6..N_PRB]);
    let clash = [
        MuGroup {
            users: &ua,
            prbs: PrbAllocation::new(&rc, N_PRB).unwrap(),
        },
        MuGroup {
            users: &ub,
            prbs: PrbAllocation::new(&rd, N_PRB).unwrap(),
        },
    ];
    let mut ul2 = UplinkSlot::new(
        k,
        PilotPattern::from_pilots(pilots.view()).unwrap(),
        &ofdm(),
    )
    .unwrap();
    let mut err2 = |g: &[MuGroup<'_>]| match ul2.detect_groups(g, DetectorMethod::Zf, None) {
        Err(massive_mimo::Error::InvalidParameter { name, .. }) => name,
        other => panic!("expected an error, got {other:?}"),
    };
    assert_eq!(err2(&clash), "prb allocation");
    let all = [0..N_PRB];
    let five = [0usize, 1, 2, 3, 0];
    let g5 = [MuGroup {
        users: &five,
        prbs: PrbAllocation::new(&all, N_PRB).unwrap(),
    }];
    assert_eq!(err2(&g5), "groups (streams)");
    let bad_port = [4usize];
    let gp = [MuGroup {
        users: &bad_port,
        prbs: PrbAllocation::new(&all, N_PRB).unwrap(),
    }];
    assert_eq!(err2(&gp), "users (DMRS ports)");
}

/// Issue 21, finding 5: an uplink slot with an additional DMRS position (symbols 2 and 11,
/// 38.211 Table 7.4.1.1.2-3) used to be accepted at construction and rejected by every
/// detection; now each occasion is estimated and their mean detects the slot.
#[test]
fn uplink_with_additional_dmrs_detects() {
    let k = 2;
    let mut pilots = Array3::zeros((k, 14, N_SC));
    DmrsConfig::new(DmrsType::Type1, (0..k).collect(), vec![2, 11], false)
        .write_pilots(pilots.view_mut())
        .unwrap();
    let pattern = PilotPattern::from_pilots(pilots.view()).unwrap();
    assert_eq!(pattern.max_runs(), 2);
    let mut ul = UplinkSlot::new(k, pattern, &ofdm()).unwrap();
    // Identity channel; QPSK data on the REs without DMRS.
    let mut x = pilots.clone();
    let mut sym = vec![C32::new(0.0, 0.0); N_SC];
    for j in 0..k {
        for l in (0..14).filter(|l| *l != 2 && *l != 11) {
            let bits: Vec<u8> = (0..2 * N_SC)
                .map(|i| ((i * 5 + j + l) % 3 == 0) as u8)
                .collect();
            map(Modulation::Qpsk, &bits, &mut sym).unwrap();
            for (sc, v) in sym.iter().enumerate() {
                x[[j, l, sc]] = *v;
            }
        }
    }
    ul.grid_mut().assign(&x);
    ul.detect(DetectorMethod::Mmse { unbiased: true }, Some(1e-6))
        .unwrap();
    let mut worst = 0.0f32;
    for j in 0..k {
        for l in (0..14).filter(|l| *l != 2 && *l != 11) {
            for sc in 0..N_SC {
                worst = worst.max((ul.layers()[[j, l, sc]] - x[[j, l, sc]]).norm());
            }
        }
    }
    assert!(worst < 2e-3, "detected layers differ by {worst}");
}

/// MMSE-IRC from the uplink slot: 4 users on 16 antennas, two other-cell streams 20 dB above
/// the noise on every RE (DMRS included). The slot's IRC, with factors from its own DMRS
/// residuals, must null them: linear MMSE treats them as white noise and cannot.
#[test]
fn uplink_irc_rejects_other_cell_interference() {
    use rand::SeedableRng;
    use support::multipath::cn;
    let (n_ant, k, nv) = (16, 4, 0.01f64);
    let (x, pilots) = layers(k);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(77);
    // Flat Rayleigh channels of the users and of two interferers at INR 20 dB.
    let h = Array2::from_shape_fn((n_ant, k), |_| cn(&mut rng, 1.0));
    let g = Array2::from_shape_fn((n_ant, 2), |_| cn(&mut rng, 100.0 * nv));
    let mut clean = Array3::zeros((n_ant, 14, N_SC));
    let mut dirty = Array3::zeros((n_ant, 14, N_SC));
    for l in 0..14 {
        for sc in 0..N_SC {
            let z = [cn(&mut rng, 1.0), cn(&mut rng, 1.0)];
            for a in 0..n_ant {
                let s: C32 = (0..k).map(|u| h[[a, u]] * x[[u, l, sc]]).sum();
                let n = cn(&mut rng, nv);
                clean[[a, l, sc]] = s + n;
                dirty[[a, l, sc]] = s + n + g[[a, 0]] * z[0] + g[[a, 1]] * z[1];
            }
        }
    }
    let pattern = || PilotPattern::from_pilots(pilots.view()).unwrap();
    let mut ul = UplinkSlot::new(n_ant, pattern(), &ofdm())
        .unwrap()
        .with_irc(2)
        .unwrap();
    // Mean squared error over the data REs of every layer.
    let mut mse = |grid: &Array3<C32>, method| {
        ul.grid_mut().assign(grid);
        ul.detect(method, Some(nv as f32)).unwrap();
        let got = ul.layers();
        let (mut e, mut n) = (0.0f64, 0usize);
        for j in 0..k {
            for l in (0..14).filter(|l| *l != 2 && *l != 3) {
                for sc in 0..N_SC {
                    e += f64::from((got[[j, l, sc]] - x[[j, l, sc]]).norm_sqr());
                    n += 1;
                }
            }
        }
        e / n as f64
    };
    let mmse_clean = mse(&clean, DetectorMethod::Mmse { unbiased: true });
    let mmse = mse(&dirty, DetectorMethod::Mmse { unbiased: true });
    let irc = mse(&dirty, DetectorMethod::Irc { unbiased: true });
    let irc_clean = mse(&clean, DetectorMethod::Irc { unbiased: true });
    println!(
        "MSE: MMSE clean {mmse_clean:.2e}, MMSE interfered {mmse:.2e}, IRC interfered {irc:.2e}, IRC clean {irc_clean:.2e}"
    );
    // MMSE sees the two 20 dB streams as noise: its error grows by about their INR (×100). IRC
    // must take back most of it (≥ 13 dB). It cannot reach the interference-free figure: the
    // DMRS estimates carry the same interference (LS error ≈ INR/2 per CDM block of 2 ports on
    // 4 REs, which the frequency filter designed for σ² only partly smooths); 10 dB above the
    // clean MMSE bounds that loss.
    assert!(mmse > 20.0 * irc, "MMSE {mmse:.2e} vs IRC {irc:.2e}");
    assert!(
        irc < 10.0 * mmse_clean,
        "IRC {irc:.2e} vs clean {mmse_clean:.2e}"
    );
    // Without interference the residuals hold only noise and estimation error: IRC stays
    // within 1 dB of MMSE.
    assert!(irc_clean < 1.26 * mmse_clean, "IRC clean {irc_clean:.2e}");
    // IRC needs its buffers; bad dimensions name themselves.
    let mut plain = UplinkSlot::new(n_ant, pattern(), &ofdm()).unwrap();
    match plain.detect(DetectorMethod::Irc { unbiased: true }, Some(0.01)) {
        Err(massive_mimo::Error::InvalidParameter { name, .. }) => assert_eq!(name, "method"),
        other => panic!("{other:?}"),
    }
    for m in [0, 29] {
        match UplinkSlot::new(n_ant, pattern(), &ofdm())
            .unwrap()
            .with_irc(m)
        {
            Err(massive_mimo::Error::InvalidParameter { name, .. }) => {
                assert_eq!(name, "max_interferers")
            }
            other => panic!("{:?}", other.err()),
        }
    }
}

/// Issue 21, finding 5: configurations the slots used to accept and then fail (or serve with
/// extrapolated channels) on every call. A DMRS narrower than the grid (a PUSCH on part of the
/// carrier) and an SRS on part of the band are supported on their own PRBs and allocations
/// outside them are named errors; a grid of other than 14 symbols is rejected at
/// construction.
#[test]
#[allow(clippy::single_range_in_vec_init)] // one-range PRB allocations are meant
fn partial_band_pilots_limit_the_allocations_and_bad_grids_are_rejected() {
    use massive_mimo::resource::{MuGroup, PrbAllocation};
    let k = 2;
    let (x, mut pilots) = layers(k);
    // DMRS on PRBs 2..9 only (the PUSCH allocation), data elsewhere as before.
    pilots
        .slice_mut(ndarray::s![.., .., ..24])
        .fill(C32::new(0.0, 0.0));
    pilots
        .slice_mut(ndarray::s![.., .., 108..])
        .fill(C32::new(0.0, 0.0));
    let mut ul = UplinkSlot::new(
        k,
        PilotPattern::from_pilots(pilots.view()).unwrap(),
        &ofdm(),
    )
    .unwrap();
    assert_eq!(ul.dmrs_prbs(), 2..9);
    let mut grid = x.clone();
    grid.slice_mut(ndarray::s![.., 2..4, ..])
        .fill(C32::new(0.0, 0.0));
    grid.slice_mut(ndarray::s![.., 2..4, 24..108])
        .assign(&pilots.slice(ndarray::s![.., 2..4, 24..108]));
    ul.grid_mut().assign(&grid);
    ul.detect(DetectorMethod::Mmse { unbiased: true }, Some(1e-6))
        .unwrap();
    // Identity channel: the data of the DMRS band come back; outside it nothing is detected.
    let got = ul.layers();
    for j in 0..k {
        for sc in 0..N_SC {
            let want = if (24..108).contains(&sc) {
                x[[j, 6, sc]]
            } else {
                C32::new(0.0, 0.0)
            };
            assert!((got[[j, 6, sc]] - want).norm() < 2e-3, "layer {j}, sc {sc}");
        }
    }
    let users = [0usize, 1];
    let outside = [8..10];
    let g = [MuGroup {
        users: &users,
        prbs: PrbAllocation::new(&outside, N_PRB).unwrap(),
    }];
    match ul.detect_groups(&g, DetectorMethod::Zf, Some(1e-6)) {
        Err(massive_mimo::Error::InvalidParameter { name, .. }) => {
            assert_eq!(name, "prb allocation")
        }
        other => panic!("{other:?}"),
    }
    // SRS on PRBs 0..8 of 12: weights there, allocations beyond are named errors.
    let mut srs = Array3::zeros((4, 14, N_SC));
    write_multiplexed_users(&SrsConfig::single_port(4, 8, 13, (0, 0)), 4, srs.view_mut()).unwrap();
    let cfg = DownlinkConfig {
        n_ant: 4,
        n_candidates: 4,
        n_layers: 2,
        n_prb: N_PRB,
        prg_prbs: 2,
        precoder: PrecoderKind::Zf,
        normalization: Normalization::Total,
        srs_estimation: SrsEstimation::DelayDomain,
    };
    let mut dl = DownlinkSlot::new(cfg, srs.view(), &ofdm()).unwrap();
    assert_eq!(dl.sounded_prbs(), 0..8);
    let beyond = [6..10];
    let g = [MuGroup {
        users: &users,
        prbs: PrbAllocation::new(&beyond, N_PRB).unwrap(),
    }];
    match dl.compute_group_weights(&g, 0.01) {
        Err(massive_mimo::Error::InvalidParameter { name, .. }) => {
            assert_eq!(name, "prb allocation")
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
    // Weights only on the sounded PRGs (0..4 of 6) — from a known channel (the identity).
    for ((_, _, u, a), v) in dl.estimates_mut().view_mut().indexed_iter_mut() {
        *v = C32::new(if u == a { 1.0 } else { 0.0 }, 0.0);
    }
    dl.compute_weights(&users, 0.01).unwrap();
    let w = dl.weights();
    assert!(
        w.slice(ndarray::s![..4, .., ..])
            .iter()
            .any(|v| v.norm() > 0.0)
    );
    assert!(
        w.slice(ndarray::s![4.., .., ..])
            .iter()
            .all(|v| v.norm() == 0.0)
    );
    // A 12-symbol grid: rejected when the slot is built.
    let mut o12 = ofdm();
    o12.n_symbols = 12;
    match DownlinkSlot::new(cfg, srs.view(), &o12) {
        Err(massive_mimo::Error::InvalidParameter { name, .. }) => {
            assert!(name.contains("n_symbols"))
        }
        other => panic!("{:?}", other.err()),
    }
}

/// `precode_modulate` (symbol by symbol, no antenna grid) writes the waveform of `precode`
/// followed by `modulate`: bit for bit with PRG weights (the same GEMM per symbol, the same
/// transform), to float rounding with sub-PRB bands (another summation order: the tolerance is
/// 2⁻¹⁶ of the waveform's RMS, ≈ 500 × the f32 ε for 4-term sums through a 256-point FFT).
/// Refusals are named.
#[test]
fn precode_modulate_writes_the_waveform_of_precode_then_modulate() {
    let (k, n_ant) = (4, 8);
    let cfg = rzf_downlink(n_ant, k, N_PRB);
    let (x, _) = layers(k);
    for sub in [None, Some(3)] {
        let mut dl = match sub {
            Some(s) => DownlinkSlot::new_sub_prb(cfg, srs_pilots(k).view(), &ofdm(), s).unwrap(),
            None => DownlinkSlot::new(cfg, srs_pilots(k).view(), &ofdm()).unwrap(),
        };
        for ((_, o, u, a), v) in dl.estimates_mut().view_mut().indexed_iter_mut() {
            let ph = 0.3 * (u * n_ant + a) as f32 + 0.05 * (o * (u + 1)) as f32;
            *v = C32::from_polar(1.0 + 0.1 * (a % 3) as f32, ph);
        }
        dl.compute_weights(&[0, 1, 2, 3], 0.05).unwrap();
        let mut grid = Array3::zeros((n_ant, 14, N_SC));
        dl.precode(x.view(), grid.view_mut()).unwrap();
        let mut want = Array2::zeros((n_ant, dl.waveform_len()));
        dl.modulate(grid.view(), want.view_mut()).unwrap();
        let mut got = Array2::from_elem((n_ant, dl.waveform_len()), C32::new(7.0, 7.0));
        dl.precode_modulate(x.view(), got.view_mut()).unwrap();
        match sub {
            None => assert!(got == want, "PRG weights: not bit-equal"),
            Some(_) => {
                let rms =
                    (want.iter().map(|v| v.norm_sqr()).sum::<f32>() / want.len() as f32).sqrt();
                let worst = got
                    .iter()
                    .zip(&want)
                    .map(|(a, b)| (a - b).norm())
                    .fold(0.0f32, f32::max);
                assert!(worst <= rms / 65536.0, "sub-PRB: {worst} against RMS {rms}");
            }
        }
        // A layer grid of 13 symbols, of 3 layers for the weights' 4; a waveform of the wrong
        // length.
        for bad in [
            x.slice(ndarray::s![.., ..13, ..]),
            x.slice(ndarray::s![..3, .., ..]),
        ] {
            match dl.precode_modulate(bad, got.view_mut()) {
                Err(massive_mimo::Error::ShapeMismatch { name, .. }) => {
                    assert!(name.starts_with("layers"), "{name}")
                }
                other => panic!("{other:?}"),
            }
        }
        let mut short = Array2::zeros((n_ant, dl.waveform_len() - 1));
        match dl.precode_modulate(x.view(), short.view_mut()) {
            Err(massive_mimo::Error::ShapeMismatch { name, .. }) => {
                assert!(name.contains("waveform"), "{name}")
            }
            other => panic!("{other:?}"),
        }
    }
    // The free function: a layer grid of another symbol count than the modulator's, a
    // one-symbol buffer shorter than the modulator's `symbol_buffer_len`.
    let mut applier = massive_mimo::precoding::PrecoderApplier::new(n_ant, k, N_SC).unwrap();
    let mut modulator = massive_mimo::ofdm::OfdmModulator::new(&ofdm()).unwrap();
    let w = Array3::from_elem((N_PRB / 2, n_ant, k), C32::new(0.5, 0.0));
    let mut wave = Array2::zeros((n_ant, modulator.output_len()));
    let mut rows = vec![C32::new(0.0, 0.0); modulator.symbol_buffer_len(n_ant)];
    assert_eq!(rows.len(), n_ant * (256 + 16));
    let name = |r: massive_mimo::Result<()>| match r {
        Err(massive_mimo::Error::ShapeMismatch { name, .. }) => name,
        other => panic!("{other:?}"),
    };
    let thirteen = x.slice(ndarray::s![.., ..13, ..]);
    let r = precode_modulate(
        &mut applier,
        w.view(),
        24,
        thirteen,
        &mut rows,
        &mut modulator,
        wave.view_mut(),
    );
    assert!(name(r).starts_with("layers"));
    let r = precode_modulate(
        &mut applier,
        w.view(),
        24,
        x.view(),
        &mut rows[1..],
        &mut modulator,
        wave.view_mut(),
    );
    assert!(name(r).starts_with("rows"));
}

/// `precode_modulate` on carriers whose subcarrier-to-bin runs start inside a PRG (NR, 11
/// PRBs: the upper half begins mid-PRG for PRGs of 2) or around LTE's empty DC bin, with the
/// per-symbol §5.4 phase factor (a complex gain) or the plain scale, PRGs of 1 and 2 PRBs, on
/// every backend and into a buffer full of other values: the samples of the grid call
/// followed by `process_antennas`, bit for bit (the same GEMM per subcarrier, the same
/// transform with the same gain, the guard bins zeroed by the call).
#[test]
fn precode_modulate_is_precode_then_modulate_on_every_bin_map() {
    use massive_mimo::ofdm::{OfdmModulator, Standard};
    use massive_mimo::precoding::PrecoderApplier;
    let (k, n_ant, n_prb) = (3usize, 5usize, 11usize);
    let n_sc = 12 * n_prb;
    let v = |i: usize| C32::new((i % 13) as f32 - 6.0, (i % 7) as f32 * 0.5 - 1.0);
    let x = Array3::from_shape_fn((k, 14, n_sc), |(j, l, c)| v(j * 997 + l * 131 + c));
    let nr = nr_ofdm(n_sc, 256);
    let lte = OfdmConfig {
        standard: Standard::Lte,
        scs_khz: 15,
        ..nr
    };
    for backend in massive_mimo::simd::Backend::available() {
        let kernels = massive_mimo::simd::Kernels::with_backend(backend).unwrap();
        for (cfg, f0) in [(nr, None), (nr, Some(3.5e9)), (lte, None)] {
            for prg in [1usize, 2] {
                let band = 12 * prg;
                let w = Array3::from_shape_fn((n_sc.div_ceil(band), n_ant, k), |(g, a, j)| {
                    v(g * 31 + a * 5 + j) * 0.1
                });
                let mut applier = PrecoderApplier::new(n_ant, k, n_sc)
                    .unwrap()
                    .with_kernels(kernels);
                let mut modulator = OfdmModulator::new(&cfg).unwrap().with_kernels(kernels);
                modulator.set_phase_compensation(f0).unwrap();
                let mut grid = Array3::zeros((n_ant, 14, n_sc));
                applier
                    .process_grid(w.view(), prg, x.view(), grid.view_mut())
                    .unwrap();
                let mut want = Array2::zeros((n_ant, modulator.output_len()));
                modulator
                    .process_antennas(grid.view(), want.view_mut())
                    .unwrap();
                let mut got =
                    Array2::from_elem((n_ant, modulator.output_len()), C32::new(7.0, 7.0));
                let mut rows = vec![C32::new(5.0, -5.0); modulator.symbol_buffer_len(n_ant)];
                precode_modulate(
                    &mut applier,
                    w.view(),
                    band,
                    x.view(),
                    &mut rows,
                    &mut modulator,
                    got.view_mut(),
                )
                .unwrap();
                assert!(
                    got == want,
                    "{backend} {:?} f0={f0:?} PRG {prg}",
                    cfg.standard
                );
            }
        }
    }
}

/// Sub-PRB weights (`DownlinkSlot::new_sub_prb`): one ZF matrix per 3-subcarrier band from the
/// estimate averaged over the band, applied band by band. On a channel whose phase turns
/// inside a PRB (a different delay per user and antenna, up to ~0.4 cycles across a PRB),
/// each band's weights null the other users on the band's own channel (H_band·W_band
/// diagonal), the precoded grid is W_band·x subcarrier by subcarrier, and the leakage on the
/// true per-subcarrier channel is far below that of per-PRB weights. Bad bands and the
/// fronthaul weight extension are typed errors.
#[test]
fn sub_prb_weights_follow_the_channel_inside_a_prb() {
    use massive_mimo::fronthaul::{BfwCodec, BfwExtension, CompHeader, IqWidth};
    let (k, n_ant) = (4, 16);
    let cfg = DownlinkConfig {
        n_ant,
        n_candidates: k,
        n_layers: k,
        n_prb: N_PRB,
        prg_prbs: 1,
        precoder: PrecoderKind::Zf,
        normalization: Normalization::Total,
        srs_estimation: SrsEstimation::DelayDomain,
    };
    // h[u, sc, a] = exp(j(θ_ua − 2π·sc·τ_ua)), τ_ua in cycles per subcarrier (0.004–0.033),
    // θ_ua and τ_ua spread pseudo-randomly over users and antennas (well conditioned for ZF).
    let h = |u: usize, sc: usize, a: usize| {
        let r = ((u as f32 * 0.618_034 + a as f32 * 0.414_214) * 7.0).fract();
        let theta = 2.0 * std::f32::consts::PI * ((u * 3 + a * 7) as f32 * 0.137).fract();
        let tau = 0.004 + 0.029 * r;
        C32::from_polar(1.0, theta - 2.0 * std::f32::consts::PI * tau * sc as f32)
    };
    let build = |sub: Option<usize>| {
        let mut dl = match sub {
            Some(s) => DownlinkSlot::new_sub_prb(cfg, srs_pilots(k).view(), &ofdm(), s).unwrap(),
            None => DownlinkSlot::new(cfg, srs_pilots(k).view(), &ofdm()).unwrap(),
        };
        let outputs = dl.estimates().view().dim().1;
        let per_sc = outputs == N_SC;
        for ((_, o, u, a), v) in dl.estimates_mut().view_mut().indexed_iter_mut() {
            // Per subcarrier, or the PRB's mean (what a per-PRB estimate holds).
            *v = if per_sc {
                h(u, o, a)
            } else {
                (0..12).map(|i| h(u, 12 * o + i, a)).sum::<C32>() / 12.0
            };
        }
        let report = dl.compute_weights(&[0, 1, 2, 3], 0.0).unwrap();
        assert_eq!(report.mrt_fallbacks, 0);
        dl
    };
    let sub = build(Some(3));
    let prb = build(None);
    assert_eq!(sub.weight_subcarriers(), 3);
    assert_eq!(prb.weight_subcarriers(), 12);
    assert_eq!(sub.weights().dim(), (N_SC / 3, n_ant, k));
    assert_eq!(
        (sub.weight_unit(7), sub.weight_unit(N_SC + 5)),
        (2, N_SC / 3 - 1)
    );
    // ZF on each band's mean channel: H_band·W_band = c·I (one c per band: ZF with the total
    // power normalisation scales every column alike).
    let w = sub.weights();
    for b in 0..N_SC / 3 {
        let hb = |u: usize, a: usize| (0..3).map(|i| h(u, 3 * b + i, a)).sum::<C32>() / 3.0;
        let g = |u: usize, j: usize| -> C32 { (0..n_ant).map(|a| hb(u, a) * w[[b, a, j]]).sum() };
        let c = g(0, 0);
        assert!(c.norm() > 0.0);
        for u in 0..k {
            for j in 0..k {
                let want = if u == j { c } else { C32::new(0.0, 0.0) };
                assert!(
                    (g(u, j) - want).norm() < 1e-3 * c.norm(),
                    "band {b}: ({u}, {j}) {} vs {}",
                    g(u, j),
                    want
                );
            }
        }
    }
    // Precoding applies band b's matrix on its subcarriers.
    let (x, _) = layers(k);
    let mut grid = Array3::zeros((n_ant, 14, N_SC));
    let mut sub = sub;
    sub.precode(x.view(), grid.view_mut()).unwrap();
    let w = sub.weights();
    for l in [0, 5, 13] {
        for sc in 0..N_SC {
            for a in 0..n_ant {
                let want: C32 = (0..k).map(|j| w[[sc / 3, a, j]] * x[[j, l, sc]]).sum();
                assert!((grid[[a, l, sc]] - want).norm() < 1e-5, "({a}, {l}, {sc})");
            }
        }
    }
    // Leakage over the true channel at every subcarrier, relative to the wanted gain: the
    // per-PRB weights leave −20 dB or more at the PRB edges; the bands stay far below.
    let leak = |dl: &DownlinkSlot| {
        let w = dl.weights();
        let (mut leak, mut want) = (0.0f64, 0.0f64);
        for sc in 0..N_SC {
            let b = dl.weight_unit(sc);
            for u in 0..k {
                for j in 0..k {
                    let g: C32 = (0..n_ant).map(|a| h(u, sc, a) * w[[b, a, j]]).sum();
                    if u == j {
                        want += g.norm_sqr() as f64;
                    } else {
                        leak += g.norm_sqr() as f64;
                    }
                }
            }
        }
        10.0 * (leak / want).log10()
    };
    let (l_sub, l_prb) = (leak(&sub), leak(&prb));
    assert!(
        l_prb > -30.0 && l_sub < l_prb - 10.0,
        "sub-PRB {l_sub} dB, per PRB {l_prb} dB"
    );
    // Bad bands, wideband, and the per-PRG fronthaul extension.
    for bad in [0, 5, 12] {
        assert_eq!(
            support::err::name(DownlinkSlot::new_sub_prb(
                cfg,
                srs_pilots(k).view(),
                &ofdm(),
                bad
            )),
            "subcarriers (sub-PRB weight band)"
        );
    }
    let wide = DownlinkConfig { prg_prbs: 0, ..cfg };
    assert_eq!(
        support::err::name(DownlinkSlot::new_sub_prb(
            wide,
            srs_pilots(k).view(),
            &ofdm(),
            3
        )),
        "subcarriers (sub-PRB weight band)"
    );
    let ext = BfwExtension {
        disable_bfws: false,
        rad: false,
        num_bund_prb: 1,
        ef: false,
    };
    let mut codec = BfwCodec::new(CompHeader::bfp(IqWidth::W9), n_ant, 1000.0).unwrap();
    let mut out = vec![0u8; 1 << 16];
    assert_eq!(
        support::err::name(sub.write_bfw_extension(&mut codec, 0, &ext, &[0; N_PRB], &mut out)),
        "weights (sub-PRB bands)"
    );
}

/// Issue 18: sub-PRB uplink filters on a channel that turns inside a PRB. Each user reaches
/// 16 antennas over two taps 0.03 symbol apart (2 µs at 15 kHz): across a PRB the second tap
/// turns by 2π·0.03·12 ≈ 2.3 rad against the first, so a filter for the PRB's mean channel
/// nulls the other users only near the PRB's middle. At 30 dB SNR, per-subcarrier filters
/// (`with_sub_prb_filters(1)`) leave the noise (≈ −30 dB per layer, enhanced ≈ 16/(16 − 4)
/// by the MMSE filter) and the DMRS estimation error: the data MSE must be ≥ 10 dB below the
/// per-PRB filters', whose leakage at the PRB edges is of the order of the channel's change
/// over half a PRB (≈ 1.2 rad of the second tap's phase). Three-subcarrier bands sit between
/// the two. (Today −8.2 dB per PRB, −18.6 per 3 subcarriers, −22.8 per subcarrier, where the
/// DMRS estimates' error sits above the −28.8 dB of the noise.)
#[test]
fn sub_prb_uplink_filters_follow_the_channel_inside_a_prb() {
    use rand::SeedableRng;
    use support::multipath::cn;
    let (n_ant, k, nv, tau) = (16, 4, 1e-3f64, 0.03f64);
    let (x, pilots) = layers(k);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1818);
    let taps = Array3::from_shape_fn((2, n_ant, k), |_| cn(&mut rng, 0.5));
    let mut y = Array3::zeros((n_ant, 14, N_SC));
    for sc in 0..N_SC {
        let ph = -2.0 * std::f64::consts::PI * tau * sc as f64;
        let rot = C32::new(ph.cos() as f32, ph.sin() as f32);
        for l in 0..14 {
            for a in 0..n_ant {
                let s: C32 = (0..k)
                    .map(|u| (taps[[0, a, u]] + taps[[1, a, u]] * rot) * x[[u, l, sc]])
                    .sum();
                y[[a, l, sc]] = s + cn(&mut rng, nv);
            }
        }
    }
    let pattern = || PilotPattern::from_pilots(pilots.view()).unwrap();
    let mse_db = |ul: &mut UplinkSlot| {
        ul.grid_mut().assign(&y);
        ul.detect(DetectorMethod::Mmse { unbiased: true }, None)
            .unwrap();
        let got = ul.layers();
        let (mut e, mut n) = (0.0f64, 0usize);
        for u in 0..k {
            for l in (0..14).filter(|l| *l != 2 && *l != 3) {
                for sc in 0..N_SC {
                    e += (got[[u, l, sc]] - x[[u, l, sc]]).norm_sqr() as f64;
                    n += 1;
                }
            }
        }
        10.0 * (e / n as f64).log10()
    };
    let mut per_prb = UplinkSlot::new(n_ant, pattern(), &ofdm()).unwrap();
    let mut three = UplinkSlot::new(n_ant, pattern(), &ofdm())
        .unwrap()
        .with_sub_prb_filters(3)
        .unwrap();
    let mut one = UplinkSlot::new(n_ant, pattern(), &ofdm())
        .unwrap()
        .with_sub_prb_filters(1)
        .unwrap();
    let (m12, m3, m1) = (mse_db(&mut per_prb), mse_db(&mut three), mse_db(&mut one));
    assert!(
        m1 < m12 - 10.0,
        "per subcarrier {m1:.1} dB, per PRB {m12:.1} dB"
    );
    assert!(m3 < m12 && m3 > m1, "3 subcarriers {m3:.1} dB");
    // The per-PRB noise report of sub-PRB filters is the mean of the PRB's bands: finite, and
    // on the scale of the measured error (the report leaves out the estimation error).
    let nv1 = one.layer_noise();
    assert!(nv1.iter().all(|v| v.is_finite() && *v > 0.0 && *v < 0.1));
    // Refusals, by name: a band width that does not divide a PRB, and IRC either way round.
    let err = |r: massive_mimo::Result<UplinkSlot>| match r {
        Err(massive_mimo::Error::InvalidParameter { name, .. }) => name,
        other => panic!("expected an error, got {:?}", other.map(|_| ())),
    };
    let fresh = || UplinkSlot::new(n_ant, pattern(), &ofdm()).unwrap();
    assert_eq!(err(fresh().with_sub_prb_filters(5)), "subcarriers");
    assert_eq!(err(fresh().with_sub_prb_filters(12)), "subcarriers");
    assert_eq!(
        err(fresh().with_irc(2).unwrap().with_sub_prb_filters(3)),
        "irc"
    );
    assert_eq!(
        err(fresh().with_sub_prb_filters(3).unwrap().with_irc(2)),
        "irc"
    );
}
