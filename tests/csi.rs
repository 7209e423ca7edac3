//! The CSI loop of issue 17: NZP CSI-RS of every row → the estimator → the UE's CSI report
//! (RI, Type I PMI over ranks 1–8, CQI). Closed-loop checks on known channels, fixed seeds.

mod support;

use massive_mimo::C32;
use massive_mimo::beamforming::{CsiReporter, TypeISinglePanel};
use massive_mimo::estimation::{ChannelEstimator, EstimatorConfig, PilotPattern};
use massive_mimo::refsig::{CsiRsConfig, CsiRsDensity};
use nalgebra::{Complex, DMatrix};
use ndarray::{Array2, Array3};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use support::multipath::{channel, cn, nmse_db, receive};

/// log2 det(I + (snr/r)·(HW)ᴴ(HW)/n) in f64 with nalgebra: the independent reference.
fn capacity_f64(h: &Array2<C32>, w: &[C32], rank: usize, snr: f64) -> f64 {
    let (n, p) = h.dim();
    let hm = DMatrix::from_fn(n, p, |i, j| {
        Complex::new(f64::from(h[[i, j]].re), f64::from(h[[i, j]].im))
    });
    let wm = DMatrix::from_fn(p, rank, |i, j| {
        let v = w[i * rank + j];
        Complex::new(f64::from(v.re), f64::from(v.im))
    });
    let y = hm * wm;
    let g = y.adjoint() * &y * Complex::new(snr / rank as f64 / n as f64, 0.0)
        + DMatrix::identity(rank, rank);
    g.determinant().re.log2()
}

#[test]
fn reported_pmi_is_the_best_codebook_entry_and_matches_an_f64_search() {
    // (N1, N2) = (2, 2), P = 8, a 4-antenna UE. The channel is H = A·W*ᴴ with W* a rank-2
    // codebook precoder: its row space is W*'s column space, so W* has the largest capacity of
    // all rank-2 entries (any other projects H onto a different plane).
    let cb = TypeISinglePanel::new(2, 2, 4, 4, 1).unwrap();
    let (ws, idx) = cb.all_precoders(2).unwrap();
    let star = 37;
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    let n_sc = 6;
    let mut h = Array2::zeros((4 * n_sc, 8));
    for s in 0..n_sc {
        let a: Vec<C32> = (0..8).map(|_| cn(&mut rng, 1.0)).collect();
        for r in 0..4 {
            for p in 0..8 {
                h[[4 * s + r, p]] = (0..2)
                    .map(|l| a[2 * r + l] * ws[star][p * 2 + l].conj())
                    .sum();
            }
        }
    }
    let mut rep = CsiReporter::new(cb, 4, 2, 4 * n_sc).unwrap();
    let snr = 100.0;
    // Restricted to rank ≤ 2: the report must be rank 2 (rank 1 cannot carry both streams at
    // 20 dB) with PMI W*.
    let r = rep.report(h.view(), snr).unwrap();
    assert_eq!(r.ri, 2);
    assert_eq!(r.pmi, idx[star]);
    // Its capacity equals the best of an exhaustive f64 search over every rank-2 entry.
    let best = ws
        .iter()
        .map(|w| capacity_f64(&h, w, 2, snr))
        .fold(f64::NEG_INFINITY, f64::max);
    assert!(
        (r.capacity - best).abs() < 1e-3 * best,
        "reported {} vs f64 best {best}",
        r.capacity
    );
    assert!((r.capacity_per_rank[1] - capacity_f64(&h, &ws[star], 2, snr)).abs() < 1e-3 * best);
}

#[test]
fn rank_follows_the_snr() {
    // An i.i.d. 4 × 8 channel over 24 subcarriers: at −10 dB one layer is best (capacity of
    // more layers splits power below the noise), at 40 dB the rank approaches min(n_rx, …).
    let cb = TypeISinglePanel::new(4, 1, 4, 1, 1).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let h = Array2::from_shape_fn((4 * 24, 8), |_| cn(&mut rng, 1.0));
    let mut rep = CsiReporter::new(cb, 4, 8, 4 * 24).unwrap();
    let mut last = 0;
    let mut ris = Vec::new();
    for snr_db in (-10..=40).step_by(5) {
        let r = rep
            .report(h.view(), 10f64.powf(f64::from(snr_db) / 10.0))
            .unwrap();
        assert!(
            r.ri >= last,
            "RI fell from {last} to {} at {snr_db} dB",
            r.ri
        );
        // The reported rank's capacity is the largest of the ranks evaluated.
        for c in r.capacity_per_rank.iter().take(rep.max_rank()) {
            assert!(*c <= r.capacity + 1e-12);
        }
        // CQI: the MCS efficiency fits the per-layer capacity.
        if let Some(m) = r.mcs {
            assert!(m.spectral_efficiency() <= r.capacity / r.ri as f64 + 1e-12);
        }
        last = r.ri;
        ris.push(r.ri);
    }
    assert_eq!(ris[0], 1, "RI at −10 dB: {ris:?}");
    assert!(*ris.last().unwrap() >= 3, "RI at 40 dB: {ris:?}");
}

/// Every row's pilots on a 24-PRB grid (l_0 = 5, l_1 = 9, k_i spread over the PRB).
fn csi_rs(row: usize) -> (CsiRsConfig, Array3<C32>) {
    let cfg = CsiRsConfig {
        row,
        k: match row {
            1 => [0, 0, 0, 0, 0, 0],
            2 => [3, 0, 0, 0, 0, 0],
            4 => [0, 4, 0, 0, 0, 0],
            _ => [0, 2, 4, 6, 8, 10],
        },
        l0: 5,
        l1: 9,
        density: if row == 1 {
            CsiRsDensity::Three
        } else {
            CsiRsDensity::One
        },
        n_id: 300,
        prb_start: 0,
        n_prb: 24,
        beta: 1.0,
    };
    let x = cfg.ports().unwrap();
    let mut g = Array3::zeros((x, 14, 12 * 24));
    cfg.write_pilots(g.view_mut(), 4).unwrap();
    (cfg, g)
}

#[test]
fn every_csi_rs_row_is_estimated_better_than_plain_ls() {
    // 2 receive antennas, a 300 ns multipath channel, 20 dB.
    // Bound: least squares after de-spreading a CDM group of L REs has NMSE σ²/(L·|x|²·P_h)
    // per estimate (|x| = 1, P_h the channel power at the pilots); at the pilot REs the estimator (LMMSE
    // across frequency) must be within 1 dB of that (the channel varies slightly over the
    // CDM block, which LS ignores).
    let nv = 0.01;
    let mut unsupported = Vec::new();
    for row in 1..=18 {
        let (_, pilots) = csi_rs(row);
        let x = pilots.dim().0;
        let n_sc = pilots.dim().2;
        // rms 0.0045 of the useful symbol: 300 ns at 15 kHz.
        let h = channel(40 + row as u64, (2, x, 14, n_sc), 0.0045, 0.0, 6);
        let rx = receive(row as u64, &h, &pilots, nv);
        let pattern = match PilotPattern::from_pilots(pilots.view()) {
            Ok(p) => p,
            Err(e) => {
                unsupported.push((row, e.to_string()));
                continue;
            }
        };
        let mut est = ChannelEstimator::new(pattern, 2, EstimatorConfig::default()).unwrap();
        let mut h_runs = est.estimate().unwrap();
        est.process(rx.view(), Some(nv as f32), &mut h_runs)
            .unwrap();
        let mut h_per_sym = est.estimate_per_symbol().unwrap();
        est.interpolate_time(&h_runs, &mut h_per_sym).unwrap();
        // [sym, sc, port, ant] → the generator's [ant, port, sym, sc].
        let h_est = h_per_sym.view().permuted_axes([3, 2, 0, 1]);
        // NMSE at the pilot REs, per port, where least squares has its closed form.
        let (mut err, mut pow, mut n) = (0.0f64, 0.0f64, 0usize);
        for r in 0..2 {
            for p in 0..x {
                for l in 0..14 {
                    for k in 0..n_sc {
                        if pilots[[p, l, k]] != C32::new(0.0, 0.0) {
                            err += f64::from((h_est[[r, p, l, k]] - h[[r, p, l, k]]).norm_sqr());
                            pow += f64::from(h[[r, p, l, k]].norm_sqr());
                            n += 1;
                        }
                    }
                }
            }
        }
        let e = 10.0 * (err / pow).log10();
        // Relative to this realisation's channel power at the pilots (not its mean of 1).
        let mean_pow = pow / n as f64;
        let l_cdm = pilots.dim().0.min(match row {
            1 | 2 => 1,
            3..=7 | 9 | 11 | 13 | 16 => 2,
            8 | 10 | 12 | 14 | 17 => 4,
            _ => 8,
        }) as f64;
        let ls = 10.0 * (nv / l_cdm / mean_pow).log10();
        println!("row {row}: NMSE at pilots {e:.1} dB (LS after de-spreading {ls:.1} dB)");
        assert!(
            e < ls + 1.0,
            "row {row}: NMSE {e:.1} dB, LS bound {ls:.1} dB"
        );
        let _ = nmse_db;
    }
    // Every row is estimated, CDM8 (rows 15, 18: covers over four symbols) included.
    assert!(unsupported.is_empty(), "rows refused: {unsupported:?}");
}

#[test]
fn csi_rs_to_report_closed_loop() {
    // Row 6 (8 ports, FD-CDM2, one symbol) for a (4, 1) codebook, 4 receive antennas, 25 dB:
    // the report from the estimated channel equals the report from the true one.
    let (_, pilots) = csi_rs(6);
    let n_sc = pilots.dim().2;
    let h = channel(99, (4, 8, 14, n_sc), 0.0045, 0.0, 4);
    let nv = 10f64.powf(-2.5);
    let rx = receive(3, &h, &pilots, nv);
    let pattern = PilotPattern::from_pilots(pilots.view()).unwrap();
    let mut est = ChannelEstimator::new(pattern, 4, EstimatorConfig::default()).unwrap();
    let mut h_runs = est.estimate().unwrap();
    est.process(rx.view(), Some(nv as f32), &mut h_runs)
        .unwrap();
    let h_runs = h_runs.view();
    // One sample per receive antenna at every 12th subcarrier (one per PRB).
    let samples = |get: &dyn Fn(usize, usize, usize) -> C32| {
        Array2::from_shape_fn((4 * 24, 8), |(i, p)| get(i % 4, p, 12 * (i / 4) + 6))
    };
    let h_true = samples(&|r, p, k| h[[r, p, 5, k]]);
    let h_hat = samples(&|r, p, k| h_runs[[0, k, p, r]]);
    let cb = TypeISinglePanel::new(4, 1, 4, 1, 1).unwrap();
    let mut rep = CsiReporter::new(cb, 4, 4, 4 * 24).unwrap();
    let snr = 1.0 / nv;
    let want = rep.report(h_true.view(), snr).unwrap();
    let got = rep.report(h_hat.view(), snr).unwrap();
    println!("true: {want:?}\nestimated: {got:?}");
    // The report from the estimate must be worth as much on the true channel: its PMI, scored
    // on the true channel, within 0.1 bit/s/Hz per layer of the true best (an estimate at
    // ≈ −25 dB NMSE moves capacities by far less; codebook neighbours may tie).
    let (ws, idx) = cb.all_precoders(got.ri).unwrap();
    let c = idx.iter().position(|i| *i == got.pmi).unwrap();
    let on_truth = capacity_f64(&h_true, &ws[c], got.ri, snr);
    assert!(
        on_truth > want.capacity - 0.1 * want.ri as f64,
        "estimated report gives {on_truth:.3} on the true channel, best {:.3}",
        want.capacity
    );
    assert!((got.capacity - want.capacity).abs() < 0.1 * want.ri as f64);
}

#[test]
fn reporter_rejects_bad_shapes() {
    let cb = TypeISinglePanel::new(2, 1, 4, 1, 1).unwrap();
    let mut rep = CsiReporter::new(cb, 2, 4, 8).unwrap();
    assert_eq!(rep.max_rank(), 2); // min(n_rx, P = 4)
    let h = Array2::<C32>::zeros((3, 4)); // 3 rows: not a multiple of n_rx = 2
    match rep.report(h.view(), 1.0) {
        Err(massive_mimo::Error::ShapeMismatch { name, .. }) => {
            assert_eq!(name, "h [n_samples (multiple of n_rx), ports]")
        }
        other => panic!("{other:?}"),
    }
    let h = Array2::<C32>::zeros((2, 4));
    assert!(matches!(
        rep.report(h.view(), -1.0),
        Err(massive_mimo::Error::InvalidParameter { name: "snr", .. })
    ));
    assert!(matches!(
        CsiReporter::new(cb, 0, 4, 8),
        Err(massive_mimo::Error::InvalidParameter {
            name: "(n_rx, max_rank)",
            ..
        })
    ));
}
