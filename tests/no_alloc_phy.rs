//! The PHY blocks' hot calls allocate nothing once constructed: Gold, mapper, demapper, OFDM
//! modulator and demodulator (counting allocator of `tests/support`).

mod support;

use massive_mimo::C32;
use massive_mimo::modulation::{DemapMethod, Modulation, demap, demap_i8, hard_decision, map};
use massive_mimo::ofdm::{CyclicPrefix, OfdmConfig, OfdmDemodulator, OfdmModulator, Standard};
use massive_mimo::sequence::Gold;
use ndarray::{Array2, Array3, Array4};
use support::alloc_counter::{CountingAlloc, allocations_during};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

#[test]
fn phy_process_calls_do_not_allocate() {
    let n = 1000;
    let m = Modulation::Qam256;
    let bits: Vec<u8> = (0..n * 8).map(|i| (i % 3 == 0) as u8).collect();
    let mut sym = vec![C32::new(0.0, 0.0); n];
    let nv = vec![0.1f32; n];
    let mut llr = vec![0.0f32; n * 8];
    let mut llr_i8 = vec![0i8; n * 8];
    let mut hard = vec![0u8; n * 8];
    let mut gold = vec![0u8; 4096];
    let cfg = OfdmConfig {
        standard: Standard::Nr,
        scs_khz: 30,
        n_fft: 1024,
        n_sc: 612,
        n_symbols: 14,
        cyclic_prefix: CyclicPrefix::Normal,
        slot: 0,
        scale: 1.0 / 32.0,
    };
    let mut modulator = OfdmModulator::new(&cfg).unwrap();
    modulator.set_phase_compensation(Some(3.5e9)).unwrap();
    let mut demodulator = OfdmDemodulator::new(&cfg, 0.5).unwrap();
    demodulator.set_phase_compensation(Some(3.5e9)).unwrap();
    let grid = Array3::from_elem((4, 14, 612), C32::new(0.5, -0.5));
    let mut wave = Array2::zeros((4, modulator.output_len()));
    let mut back = Array3::zeros((4, 14, 612));
    // Warm-up: the first demap call detects the SIMD backend once.
    map(m, &bits, &mut sym).unwrap();
    demap(m, DemapMethod::MaxLog, &sym, &nv, &mut llr).unwrap();

    let (count, ()) = allocations_during(|| {
        Gold::new(12345).fill_bits(&mut gold);
        map(m, &bits, &mut sym).unwrap();
        demap(m, DemapMethod::MaxLog, &sym, &nv, &mut llr).unwrap();
        demap(m, DemapMethod::Exact, &sym, &nv, &mut llr).unwrap();
        demap_i8(m, &sym, &nv, 4.0, &mut llr_i8).unwrap();
        hard_decision(m, &sym, &mut hard).unwrap();
        modulator
            .process_antennas(grid.view(), wave.view_mut())
            .unwrap();
        demodulator
            .process_antennas(wave.view(), back.view_mut())
            .unwrap();
    });
    assert_eq!(count, 0, "{count} allocations in the PHY hot calls");
    assert_eq!(hard, bits);
    assert!((back[[3, 13, 611]] - C32::new(0.5, -0.5)).norm() < 1e-4);
}

#[test]
fn precoder_and_equaliser_process_do_not_allocate() {
    use massive_mimo::precoding::{Normalization, RzfPrecoder};
    use massive_mimo_tools::reference::{EqualizerMethod, LinearEqualizer};
    let (b, k, n) = (20, 16, 64);
    let h = Array3::from_shape_fn((b, k, n), |(m, i, t)| {
        C32::new(
            ((m + 3 * i + 7 * t) % 11) as f32 - 5.0,
            ((i * t + m) % 5) as f32 - 2.0,
        )
    });
    let mut w = Array3::zeros((b, n, k));
    let mut p = RzfPrecoder::new(k, n, b).unwrap();
    let hd = Array3::from_shape_fn((b, n, k), |(m, r, l)| h[[m, l, r]]);
    let y = Array2::from_shape_fn((b, n), |(m, r)| C32::new((m + r) as f32 * 0.01, 0.5));
    let nv = vec![0.1f32; b];
    let (mut x, mut xv) = (Array2::zeros((b, k)), Array2::zeros((b, k)));
    let mut eq = LinearEqualizer::new(n, k, b).unwrap();
    let mut applier = massive_mimo::precoding::PrecoderApplier::new(n, k, 14 * 48).unwrap();
    let wg = Array3::from_elem((3, n, k), C32::new(0.1, 0.0));
    let xg = Array3::from_elem((k, 14, 60), C32::new(0.0, 1.0));
    let mut yg = Array3::zeros((n, 14, 60));
    // PRG 1 (12 subcarriers) takes the path through planes, PRG 2 the in-place grouped GEMM;
    // `process` is the per-PRB contract.
    let wg1 = Array3::from_elem((5, n, k), C32::new(0.1, 0.0));
    let xp = Array3::from_elem((3, k, 48), C32::new(0.0, 1.0));
    let mut yp = Array3::zeros((3, n, 48));
    let (count, ()) = allocations_during(|| {
        applier
            .process_grid(wg.view(), 2, xg.view(), yg.view_mut())
            .unwrap();
        applier
            .process_grid(wg1.view(), 1, xg.view(), yg.view_mut())
            .unwrap();
        applier
            .process(wg.view(), xp.view(), yp.view_mut())
            .unwrap();
        p.process(h.view(), 0.01, Normalization::Total, w.view_mut())
            .unwrap();
        eq.process(
            y.view(),
            hd.view(),
            &nv,
            EqualizerMethod::Mmse { unbiased: true },
            x.view_mut(),
            xv.view_mut(),
        )
        .unwrap();
    });
    assert_eq!(
        count, 0,
        "{count} allocations in precoder/equaliser process"
    );
    assert!(
        w.iter()
            .chain(x.iter())
            .all(|v| v.re.is_finite() && v.im.is_finite())
    );
}

#[test]
fn channel_estimator_process_does_not_allocate() {
    use massive_mimo::estimation::{
        ChannelEstimator, EstimatorConfig, FrequencyMethod, NORMAL_CP_FRACTION, PilotPattern,
    };
    use massive_mimo::refsig::{DmrsConfig, DmrsType, type_a_positions};
    let cfg = DmrsConfig {
        n_id: [1, 2],
        ..DmrsConfig::new(
            DmrsType::Type1,
            (0..8).collect(),
            type_a_positions(2, 1, true).unwrap(),
            true,
        )
    };
    let mut pilots = Array3::zeros((8, 14, 240));
    cfg.write_pilots(pilots.view_mut()).unwrap();
    let rx = Array3::from_shape_fn((16, 14, 240), |(r, l, k)| {
        C32::new(((r + l + k) % 7) as f32 - 3.0, ((r * k) % 3) as f32 - 1.0)
    });
    for method in [
        FrequencyMethod::Lmmse,
        FrequencyMethod::Linear,
        FrequencyMethod::Dft {
            max_delay: NORMAL_CP_FRACTION,
        },
    ] {
        let pattern = PilotPattern::from_pilots(pilots.view()).unwrap();
        let config = EstimatorConfig {
            frequency: method,
            ..EstimatorConfig::default()
        };
        let mut est = ChannelEstimator::new(pattern, 16, config).unwrap();
        let mut h = est.estimate().unwrap();
        let (count, ()) = allocations_during(|| {
            est.process(rx.view(), None, &mut h).unwrap();
            est.process(rx.view(), Some(0.1), &mut h).unwrap();
        });
        assert_eq!(
            count, 0,
            "{method:?}: {count} allocations in estimator process"
        );
        assert!(
            h.view()
                .iter()
                .all(|v| v.re.is_finite() && v.im.is_finite())
        );
    }
}

#[test]
fn beam_selection_does_not_allocate() {
    use massive_mimo::beamforming::{DftGrid, PrecoderSelector, TypeISinglePanel};
    let grid = DftGrid::new(8, 4, 2, 2).unwrap();
    let mut sel = PrecoderSelector::from_dft_grid(&grid, 12).unwrap();
    let cb = TypeISinglePanel::new(4, 2, 4, 4, 1).unwrap();
    let (mut sel2, _) = PrecoderSelector::from_type1(&cb, 2, 12).unwrap();
    let h = Array2::from_shape_fn((12, 32), |(s, k)| C32::new((s + k) as f32 * 0.1, 0.2));
    let h2 = Array2::from_shape_fn((12, 16), |(s, k)| C32::new((s * k % 5) as f32, 0.2));
    let (count, ()) = allocations_during(|| {
        sel.select(h.view(), 1.0).unwrap();
        sel2.select(h2.view(), 10.0).unwrap();
    });
    assert_eq!(count, 0, "{count} allocations in beam selection");
}

#[test]
fn detector_process_and_demap_do_not_allocate() {
    use massive_mimo::detection::{DetectorMethod, GroupChannels, MimoDetector};
    use massive_mimo::modulation::{DemapMethod, Modulation};
    let (n_rx, n_l, n_int, n_prb) = (16, 4, 2, 5);
    let mut det = MimoDetector::new(&massive_mimo::detection::DetectorConfig {
        max_ant: n_rx,
        max_layers: n_l,
        max_interferers: n_int,
        max_groups: n_prb,
        group_prbs: 1,
        n_sym: 14,
    })
    .unwrap();
    let h = Array3::from_shape_fn((n_prb, n_l, n_rx), |(g, l, r)| {
        C32::new(((g + r + 3 * l) % 5) as f32 - 2.0, ((r * l) % 3) as f32)
    });
    let u = Array3::from_shape_fn((n_prb, n_int, n_rx), |(g, i, r)| {
        C32::new(((g * r + i) % 4) as f32 * 0.3, 0.1)
    });
    let y = Array3::from_elem((n_rx, 14, 12 * n_prb), C32::new(0.3, -0.2));
    let mut x = Array3::zeros((n_l, 14, 12 * n_prb));
    let mut xv = Array2::zeros((n_prb, n_l));
    let nv = vec![0.1f32; n_prb];
    let mut llr = vec![0.0f32; 14 * 12 * n_prb * 4];
    let ch = GroupChannels {
        h: h.view(),
        noise_var: &nv,
        interference: Some(u.view()),
    };
    let mut run = || {
        for method in [
            DetectorMethod::Zf,
            DetectorMethod::Mmse { unbiased: true },
            DetectorMethod::Irc { unbiased: false },
        ] {
            det.process(&ch, method, y.view(), x.view_mut(), xv.view_mut())
                .unwrap();
            det.demap(
                Modulation::Qam16,
                DemapMethod::MaxLog,
                x.view(),
                xv.view(),
                1,
                &mut llr,
            )
            .unwrap();
        }
    };
    run(); // warm-up: the demapper detects the SIMD backend on its first call
    let (count, ()) = allocations_during(run);
    assert_eq!(count, 0, "{count} allocations in detector process/demap");

    use massive_mimo::detection::{SicConfig, SicDetector};
    let mut sic = SicDetector::new(&massive_mimo::detection::DetectorConfig {
        max_ant: n_rx,
        max_layers: n_l,
        max_interferers: n_int,
        max_groups: n_prb,
        group_prbs: 1,
        n_sym: 14,
    })
    .unwrap();
    let cfg = SicConfig {
        modulation: Modulation::Qam16,
        stages: 3,
        irc: true,
    };
    let (count, ()) = allocations_during(|| {
        sic.process(&ch, cfg, y.view(), x.view_mut(), xv.view_mut())
            .unwrap();
    });
    assert_eq!(count, 0, "{count} allocations in SIC process");
}

#[test]
fn slot_pipelines_do_not_allocate() {
    use massive_mimo::detection::DetectorMethod;
    use massive_mimo::estimation::PilotPattern;
    use massive_mimo::link::{DownlinkConfig, DownlinkSlot, SrsEstimation, UplinkSlot};
    use massive_mimo::refsig::{DmrsConfig, DmrsType, SrsConfig, write_multiplexed_users};
    let (n_ant, k, n_prb) = (16, 4, 12);
    let n_sc = 12 * n_prb;
    let cfg = OfdmConfig {
        standard: Standard::Nr,
        scs_khz: 30,
        n_fft: 256,
        n_sc,
        n_symbols: 14,
        cyclic_prefix: CyclicPrefix::Normal,
        slot: 0,
        scale: 1.0 / 16.0,
    };
    let mut srs = Array3::zeros((k, 14, n_sc));
    write_multiplexed_users(
        &SrsConfig::single_port(4, n_prb, 13, (1, 0)),
        k,
        srs.view_mut(),
    )
    .unwrap();
    let mut dmrs = Array3::zeros((k, 14, n_sc));
    DmrsConfig::new(DmrsType::Type2, (0..k).collect(), vec![2], true)
        .write_pilots(dmrs.view_mut())
        .unwrap();
    let dl_cfg = support::slot::rzf_downlink(n_ant, k, n_prb);
    let mut dl = DownlinkSlot::new(dl_cfg, srs.view(), &cfg).unwrap();
    let mut dl_blocks = DownlinkSlot::new(
        DownlinkConfig {
            srs_estimation: SrsEstimation::BlockLmmse,
            ..dl_cfg
        },
        srs.view(),
        &cfg,
    )
    .unwrap();
    // Sub-PRB weights (3-subcarrier bands, estimates per subcarrier).
    let mut dl_sub = DownlinkSlot::new_sub_prb(dl_cfg, srs.view(), &cfg, 3).unwrap();
    let mut ul = UplinkSlot::new(n_ant, PilotPattern::from_pilots(dmrs.view()).unwrap(), &cfg)
        .unwrap()
        .with_irc(2)
        .unwrap();
    // Received sounding and uplink grids: every antenna sees the sum of the users' pilots with
    // a per-antenna phase.
    let rx = |p: &Array3<C32>| {
        Array3::from_shape_fn((n_ant, 14, n_sc), |(a, l, s)| {
            (0..k)
                .map(|u| p[[u, l, s]] * C32::from_polar(1.0, (a * (u + 1)) as f32 * 0.7))
                .sum::<C32>()
                + C32::new(0.01 * ((a + l + s) % 3) as f32, 0.0)
        })
    };
    let srs_rx = rx(&srs);
    let ul_rx = rx(&dmrs);
    let layers = dmrs.clone();
    let mut grid = Array3::zeros((n_ant, 14, n_sc));
    let mut wave = Array2::zeros((n_ant, dl.waveform_len()));
    let mut llr = vec![0.0f32; 2 * n_sc];
    let mut llr_i8 = vec![0i8; 2 * n_sc];
    let selected = [0, 1, 2, 3];
    let mut once = |dl: &mut DownlinkSlot, ul: &mut UplinkSlot| {
        dl.sound(srs_rx.view(), None).unwrap();
        dl.compute_weights(&selected, 0.01).unwrap();
        dl.precode(layers.view(), grid.view_mut()).unwrap();
        dl.modulate(grid.view(), wave.view_mut()).unwrap();
        // The same waveform symbol by symbol, without the antenna grid.
        dl.precode_modulate(layers.view(), wave.view_mut()).unwrap();
        ul.demodulate(wave.view()).unwrap();
        ul.grid_mut().assign(&ul_rx);
        ul.detect(DetectorMethod::Mmse { unbiased: true }, None)
            .unwrap();
        ul.llrs(Modulation::Qpsk, 1, 6, &mut llr).unwrap();
        ul.llrs_i8(Modulation::Qpsk, 1, 6, 4.0, &mut llr_i8)
            .unwrap();
        // MMSE-IRC: DMRS residuals, interference factors per PRB, IRC filters.
        ul.detect(DetectorMethod::Irc { unbiased: true }, Some(0.01))
            .unwrap();
    };
    // Sub-PRB detection filters (3-subcarrier bands, DMRS estimates per subcarrier).
    let mut ul_sub = UplinkSlot::new(n_ant, PilotPattern::from_pilots(dmrs.view()).unwrap(), &cfg)
        .unwrap()
        .with_sub_prb_filters(3)
        .unwrap();
    let mut llr_sub = vec![0.0f32; 2 * n_sc];
    let mut once_sub = |ul: &mut UplinkSlot| {
        ul.grid_mut().assign(&ul_rx);
        ul.detect(DetectorMethod::Mmse { unbiased: true }, None)
            .unwrap();
        ul.llrs(Modulation::Qpsk, 1, 6, &mut llr_sub).unwrap();
    };
    // The 7.2x uplink: every row received as a BFP-9 U-plane message (decoded and screened
    // per row), then detection from the rows' screening.
    use massive_mimo::fronthaul::{CompHeader, Direction, IqWidth, Timing, UplaneCodec};
    let mut codec =
        UplaneCodec::new(CompHeader::bfp(IqWidth::W9), (n_sc / 12) as u16, 8192.0).unwrap();
    let messages: Vec<(usize, Vec<u8>)> = (0..n_ant * 14)
        .map(|i| {
            let (a, l) = (i / 14, i % 14);
            let t = Timing {
                direction: Direction::Uplink,
                filter_index: 0,
                frame_id: 0,
                subframe_id: 0,
                slot_id: 0,
                symbol_id: l as u8,
            };
            let mut msg = vec![0u8; 4 + codec.section_bytes(n_sc / 12)];
            let row = ul_rx.slice(ndarray::s![a, l, ..]).to_vec();
            codec.write_message(&t, 0, &row, &mut msg).unwrap();
            (a, msg)
        })
        .collect();
    let once_uplane = |ul: &mut UplinkSlot, codec: &mut UplaneCodec| {
        for (a, msg) in &messages {
            ul.receive_uplane(codec, *a, msg).unwrap();
        }
        ul.detect(DetectorMethod::Mmse { unbiased: true }, None)
            .unwrap();
    };
    // The category-A 7.2x downlink: the layer grid precoded and written as U-plane messages
    // symbol by symbol (sub-PRB weights too: the generic per-band product).
    let mut tx_codec =
        UplaneCodec::new(CompHeader::bfp(IqWidth::W9), n_prb as u16, 8192.0).unwrap();
    let tx_len = 4 + tx_codec.section_bytes(n_prb);
    let mut tx = vec![0u8; n_ant * 14 * tx_len];
    let tx_timing = Timing {
        direction: Direction::Downlink,
        filter_index: 0,
        frame_id: 0,
        subframe_id: 0,
        slot_id: 0,
        symbol_id: 0,
    };
    let mut once_tx = |dl: &mut DownlinkSlot| {
        dl.precode_uplane(layers.view(), &mut tx_codec, &tx_timing, 0, &mut tx, tx_len)
            .unwrap();
    };
    once(&mut dl, &mut ul); // warm-up (SIMD backend detection)
    once(&mut dl_blocks, &mut ul);
    once(&mut dl_sub, &mut ul);
    once_sub(&mut ul_sub);
    once_uplane(&mut ul_sub, &mut codec);
    let (count, ()) = allocations_during(|| {
        once(&mut dl, &mut ul);
        once(&mut dl_blocks, &mut ul);
        once(&mut dl_sub, &mut ul);
    });
    assert_eq!(count, 0, "{count} allocations in the slot pipelines");
    once_tx(&mut dl);
    once_tx(&mut dl_sub);
    let (count, ()) = allocations_during(|| {
        once_tx(&mut dl);
        once_tx(&mut dl_sub);
    });
    assert_eq!(
        count, 0,
        "{count} allocations in the category-A U-plane write"
    );
    let (count, ()) = allocations_during(|| once_sub(&mut ul_sub));
    assert_eq!(count, 0, "{count} allocations in the slot pipelines");
    let (count, ()) = allocations_during(|| once_uplane(&mut ul_sub, &mut codec));
    assert_eq!(
        count, 0,
        "{count} allocations in the U-plane receive and detection"
    );
    assert!(
        ul_sub
            .antenna_health()
            .iter()
            .all(|h| *h == massive_mimo::link::AntennaHealth::Ok)
    );
}

/// Issue 15: one capacity-sized RZF precoder serves a sequence of slots whose users, antennas
/// and PRB counts change, allocates nothing doing so, and gives exactly the weights of a
/// precoder built for each slot's own size.
#[test]
fn capacity_sized_rzf_serves_varying_slots_without_allocating() {
    use massive_mimo::precoding::{Normalization, RzfPrecoder};
    let (max_k, max_n, max_b) = (16, 64, 273);
    let mut p = RzfPrecoder::new(max_k, max_n, max_b).unwrap();
    // (batch, k, n_tx): full capacity, one user, odd sizes, partial lane blocks, back to full.
    let slots = [
        (273, 16, 64),
        (1, 1, 64),
        (37, 6, 24),
        (100, 16, 64),
        (16, 9, 9),
        (273, 16, 64),
        (5, 12, 32),
    ];
    let channel = |b: usize, k: usize, n: usize, seed: usize| {
        Array3::from_shape_fn((b, k, n), |(m, i, t)| {
            C32::new(
                (((m * 7 + i * 13 + t * 3 + seed) % 17) as f32 - 8.0) * 0.1,
                (((m + i * 5 + t * 11 + seed) % 13) as f32 - 6.0) * 0.1,
            )
        })
    };
    let inputs: Vec<Array3<C32>> = slots
        .iter()
        .enumerate()
        .map(|(s, &(b, k, n))| channel(b, k, n, s))
        .collect();
    let mut outputs: Vec<Array3<C32>> = slots
        .iter()
        .map(|&(b, k, n)| Array3::zeros((b, n, k)))
        .collect();
    // Warm-up: the first call of each shape may not allocate either, but measure all of them.
    let (count, ()) = allocations_during(|| {
        for (h, w) in inputs.iter().zip(outputs.iter_mut()) {
            p.process(h.view(), 0.05, Normalization::Total, w.view_mut())
                .unwrap();
        }
    });
    assert_eq!(count, 0, "capacity-sized RZF allocated {count} times");
    for ((h, w), &(b, k, n)) in inputs.iter().zip(&outputs).zip(&slots) {
        let mut exact = RzfPrecoder::new(k, n, b).unwrap();
        let mut w_exact = Array3::zeros((b, n, k));
        exact
            .process(h.view(), 0.05, Normalization::Total, w_exact.view_mut())
            .unwrap();
        assert_eq!(
            w, &w_exact,
            "slot ({b}, {k}, {n}) differs from an exact-size precoder"
        );
    }
    // Beyond the capacity: a typed error naming the shape, no panic.
    let big = Array3::zeros((1, 17, 64));
    let mut wb = Array3::zeros((1, 64, 17));
    match p.process(big.view(), 0.05, Normalization::Total, wb.view_mut()) {
        Err(massive_mimo::Error::ShapeMismatch { name, got, .. }) => {
            assert!(name.starts_with("h [batch ≤ max_batch"));
            assert_eq!(got, [1, 17, 64]);
        }
        other => panic!("expected ShapeMismatch, got {other:?}"),
    }
}

/// Issue 15: one capacity-sized precoder applier (64 antennas × 16 layers) applies slots with
/// 16, 5 and 1 layers, PRG 1 / 2 / wideband, without allocating, equal to exact-size appliers.
#[test]
fn capacity_sized_applier_serves_varying_layer_counts_without_allocating() {
    use massive_mimo::precoding::PrecoderApplier;
    let (n_ant, n_sc) = (64, 12 * 24);
    let mut p = PrecoderApplier::new(n_ant, 16, 14 * 96).unwrap();
    let cases = [(16usize, 2usize), (5, 1), (1, 0), (16, 1), (3, 2)];
    let data: Vec<(Array3<C32>, Array3<C32>)> = cases
        .iter()
        .map(|&(k, prg)| {
            let n_prg = if prg == 0 { 1 } else { 24usize.div_ceil(prg) };
            let w = Array3::from_shape_fn((n_prg, n_ant, k), |(g, a, l)| {
                C32::new(
                    ((g + a * 3 + l * 7) % 9) as f32 * 0.1,
                    ((a + l) % 5) as f32 * 0.1,
                )
            });
            let x = Array3::from_shape_fn((k, 14, n_sc), |(l, s, c)| {
                C32::new(
                    ((l + s + c) % 4) as f32 - 1.5,
                    ((l * s + c) % 3) as f32 - 1.0,
                )
            });
            (w, x)
        })
        .collect();
    let mut outs: Vec<Array3<C32>> = cases
        .iter()
        .map(|_| Array3::zeros((n_ant, 14, n_sc)))
        .collect();
    let (count, ()) = allocations_during(|| {
        for ((&(_, prg), (w, x)), y) in cases.iter().zip(&data).zip(outs.iter_mut()) {
            p.process_grid(w.view(), prg, x.view(), y.view_mut())
                .unwrap();
        }
    });
    assert_eq!(count, 0, "capacity-sized applier allocated {count} times");
    for ((&(k, prg), (w, x)), y) in cases.iter().zip(&data).zip(&outs) {
        let mut exact = PrecoderApplier::new(n_ant, k, 14 * 96).unwrap();
        let mut y_exact = Array3::zeros((n_ant, 14, n_sc));
        exact
            .process_grid(w.view(), prg, x.view(), y_exact.view_mut())
            .unwrap();
        assert_eq!(y, &y_exact, "k = {k}, PRG {prg}");
    }
    // More layers than the capacity: a typed error, nothing written.
    let (w, x) = (Array3::zeros((1, n_ant, 17)), Array3::zeros((17, 14, n_sc)));
    let mut y = Array3::zeros((n_ant, 14, n_sc));
    assert!(matches!(
        p.process_grid(w.view(), 0, x.view(), y.view_mut()),
        Err(massive_mimo::Error::ShapeMismatch {
            name: "x [k ≤ capacity, n_sym, n_sc]",
            ..
        })
    ));
}

/// Issue 15: one downlink slot processor built for 8 streams of 12 sounding candidates serves
/// slots with 8, 1, 5, 3 and 8 co-scheduled users (a scheduler's changing choice) without
/// allocating, and each slot's weights and antenna grid equal those of a processor built for
/// exactly that many streams.
#[test]
fn downlink_slot_serves_changing_user_sets_without_allocating() {
    let (n_prb, n_ant) = (8, 16);
    let n_sc = 12 * n_prb;
    let fx = DownlinkFixture::new(n_prb, n_ant, 12);
    let mut dl = fx.slot(8);
    let sets: [&[usize]; 5] = [
        &[0, 1, 2, 3, 4, 5, 6, 7],
        &[9],
        &[11, 3, 5, 7, 1],
        &[2, 4, 6],
        &[4, 5, 6, 7, 8, 9, 10, 11],
    ];
    let layer_grids: Vec<Array3<C32>> = sets
        .iter()
        .map(|s| {
            Array3::from_shape_fn((s.len(), 14, n_sc), |(j, l, c)| {
                C32::new(
                    ((j + l + c) % 4) as f32 - 1.5,
                    ((j * l + c) % 3) as f32 - 1.0,
                )
            })
        })
        .collect();
    let mut grids: Vec<Array3<C32>> = sets
        .iter()
        .map(|_| Array3::zeros((n_ant, 14, n_sc)))
        .collect();
    let mut weights: Vec<Array3<C32>> = sets
        .iter()
        .map(|s| Array3::zeros((n_prb.div_ceil(2), n_ant, s.len())))
        .collect();
    let (count, ()) = allocations_during(|| {
        for (((s, x), y), w) in sets
            .iter()
            .zip(&layer_grids)
            .zip(grids.iter_mut())
            .zip(weights.iter_mut())
        {
            dl.compute_weights(s, 0.01).unwrap();
            dl.precode(x.view(), y.view_mut()).unwrap();
            w.assign(&dl.weights());
        }
    });
    assert_eq!(
        count, 0,
        "the downlink slot allocated {count} times over changing user sets"
    );
    for ((s, x), (y, w)) in sets
        .iter()
        .zip(&layer_grids)
        .zip(grids.iter().zip(&weights))
    {
        let mut exact = fx.slot(s.len());
        exact.compute_weights(s, 0.01).unwrap();
        let mut y_exact = Array3::zeros((n_ant, 14, n_sc));
        exact.precode(x.view(), y_exact.view_mut()).unwrap();
        assert_eq!(w.view(), exact.weights(), "weights of set {s:?}");
        assert_eq!(y, &y_exact, "antenna grid of set {s:?}");
    }
    // More users than the capacity, an empty set, or a layer grid of another size: typed errors.
    assert!(matches!(
        dl.compute_weights(&[0, 1, 2, 3, 4, 5, 6, 7, 8], 0.01),
        Err(massive_mimo::Error::InvalidParameter {
            name: "groups (streams)",
            ..
        })
    ));
    assert!(matches!(
        dl.compute_weights(&[], 0.01),
        Err(massive_mimo::Error::InvalidParameter {
            name: "selected",
            ..
        })
    ));
    let mut y = Array3::zeros((n_ant, 14, n_sc));
    assert!(matches!(
        dl.precode(layer_grids[1].view(), y.view_mut()),
        Err(massive_mimo::Error::ShapeMismatch { .. })
    ));
}

/// Issue 15: one detector built for 64 antennas × 16 layers × 24 PRBs detects slots with 16, 1
/// and 7 users on 24, 3 and 10 PRBs (MMSE and ZF) without allocating, each equal to an
/// exact-size detector's filters, noise and detected grid.
#[test]
fn capacity_sized_detector_serves_varying_slots_without_allocating() {
    use massive_mimo::detection::{DetectorConfig, DetectorMethod, GroupChannels, MimoDetector};
    let cap = |r, l, b| DetectorConfig {
        max_ant: r,
        max_layers: l,
        max_interferers: 0,
        max_groups: b,
        group_prbs: 1,
        n_sym: 14,
    };
    let mut det = MimoDetector::new(&cap(64, 16, 24)).unwrap();
    let slots = [
        (
            24usize,
            64usize,
            16usize,
            DetectorMethod::Mmse { unbiased: true },
        ),
        (3, 64, 1, DetectorMethod::Zf),
        (10, 32, 7, DetectorMethod::Mmse { unbiased: false }),
        (24, 64, 16, DetectorMethod::Zf),
    ];
    let data: Vec<(Array3<C32>, Array3<C32>, Vec<f32>)> = slots
        .iter()
        .map(|&(b, r, l, _)| {
            let h = Array3::from_shape_fn((b, l, r), |(g, u, a)| {
                C32::new(
                    (((g * 3 + a * 7 + u * 11) % 13) as f32 - 6.0) * 0.1,
                    (((g + a * 5 + u * 3) % 9) as f32 - 4.0) * 0.1,
                )
            });
            let y = Array3::from_shape_fn((r, 14, 12 * b), |(a, s, c)| {
                C32::new(
                    ((a + s + c) % 5) as f32 - 2.0,
                    ((a * s + c) % 3) as f32 - 1.0,
                )
            });
            (h, y, vec![0.05; b])
        })
        .collect();
    let mut xs: Vec<Array3<C32>> = slots
        .iter()
        .map(|&(b, _, l, _)| Array3::zeros((l, 14, 12 * b)))
        .collect();
    let mut nvs: Vec<Array2<f32>> = slots
        .iter()
        .map(|&(b, _, l, _)| Array2::zeros((b, l)))
        .collect();
    let (count, ()) = allocations_during(|| {
        for ((((_, _, _, method), (h, y, nv)), x), xn) in slots
            .iter()
            .zip(&data)
            .zip(xs.iter_mut())
            .zip(nvs.iter_mut())
        {
            let ch = GroupChannels {
                h: h.view(),
                noise_var: nv,
                interference: None,
            };
            det.process(&ch, *method, y.view(), x.view_mut(), xn.view_mut())
                .unwrap();
        }
    });
    assert_eq!(
        count, 0,
        "the detector allocated {count} times over varying slots"
    );
    for (((&(b, r, l, method), (h, y, nv)), x), xn) in slots.iter().zip(&data).zip(&xs).zip(&nvs) {
        let mut exact = MimoDetector::new(&cap(r, l, b)).unwrap();
        let (mut x2, mut xn2) = (Array3::zeros((l, 14, 12 * b)), Array2::zeros((b, l)));
        let ch = GroupChannels {
            h: h.view(),
            noise_var: nv,
            interference: None,
        };
        exact
            .process(&ch, method, y.view(), x2.view_mut(), xn2.view_mut())
            .unwrap();
        assert_eq!(x, &x2, "detected grid of slot ({b}, {r}, {l})");
        assert_eq!(xn, &xn2, "noise of slot ({b}, {r}, {l})");
    }
    // Beyond the capacity: a typed error naming the shape.
    let h = Array3::zeros((25, 64, 16));
    let ch = GroupChannels {
        h: h.view(),
        noise_var: &[0.1; 25],
        interference: None,
    };
    let y = Array3::zeros((64, 14, 300));
    let (mut x, mut xn) = (Array3::zeros((16, 14, 300)), Array2::zeros((25, 16)));
    assert!(matches!(
        det.process(
            &ch,
            DetectorMethod::Zf,
            y.view(),
            x.view_mut(),
            xn.view_mut()
        ),
        Err(massive_mimo::Error::ShapeMismatch { .. })
    ));
}

/// Issue 15: two MU-MIMO groups on different PRB ranges in one slot. Each group's columns on
/// its own PRGs equal the weights of that group computed alone; zeros elsewhere; a PRG no group
/// touches is silent; two groups in one PRG are an error; nothing is allocated.
#[test]
#[allow(clippy::single_range_in_vec_init)] // one-range PRB allocations are meant
fn downlink_slot_with_two_mu_groups_on_different_prbs() {
    use massive_mimo::resource::{MuGroup, PrbAllocation};
    let (n_prb, n_ant) = (12, 16);
    let fx = DownlinkFixture::new(n_prb, n_ant, 8);
    let mut dl = fx.slot(8);
    // Group A: users 0, 2, 4 on PRBs 0..4 (PRGs 0, 1); group B: users 1, 3 on PRBs 6..10
    // (PRGs 3, 4). PRGs 2 and 5 carry nothing.
    let (ra, rb) = ([0..4], [6..10]);
    let (ua, ub) = ([0usize, 2, 4], [1usize, 3]);
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
    let (count, r) = allocations_during(|| dl.compute_group_weights(&groups, 0.01));
    r.unwrap();
    assert_eq!(count, 0, "group weights allocated {count} times");
    let w = dl.weights().to_owned();
    assert_eq!(w.dim(), (6, n_ant, 5));
    let mut alone = fx.slot(8);
    alone.compute_weights(&ua, 0.01).unwrap();
    let wa = alone.weights().to_owned();
    alone.compute_weights(&ub, 0.01).unwrap();
    let wb = alone.weights().to_owned();
    let zero = C32::new(0.0, 0.0);
    for g in 0..6 {
        for a in 0..n_ant {
            for j in 0..3 {
                let want = if g < 2 { wa[[g, a, j]] } else { zero };
                assert_eq!(w[[g, a, j]], want, "group A column {j}, PRG {g}");
            }
            for j in 0..2 {
                let want = if g == 3 || g == 4 {
                    wb[[g, a, j]]
                } else {
                    zero
                };
                assert_eq!(w[[g, a, 3 + j]], want, "group B column {j}, PRG {g}");
            }
        }
    }
    // PRB 5 shares PRG 2 with PRB 4: groups on 0..5 and 4..8 collide in PRG 2.
    let (rc, rd) = ([0..5], [5..8]);
    let clash = [
        MuGroup {
            users: &ua,
            prbs: PrbAllocation::new(&rc, n_prb).unwrap(),
        },
        MuGroup {
            users: &ub,
            prbs: PrbAllocation::new(&rd, n_prb).unwrap(),
        },
    ];
    // The rejection itself allocates nothing (its value text is formatted inline).
    let (count, r) = allocations_during(|| dl.compute_group_weights(&clash, 0.01));
    assert_eq!(count, 0, "the rejection allocated {count} times");
    match r {
        Err(massive_mimo::Error::InvalidParameter { name, value, .. }) => {
            assert_eq!(name, "prb allocation");
            assert!(value.starts_with("PRG 2"), "{value}");
        }
        other => panic!("expected a PRG clash, got {other:?}"),
    }
}

#[test]
fn rejected_calls_do_not_allocate() {
    // Issue 21: an L1 may reject a slot's input on its real-time thread; building the error
    // (value text and shapes held inline in `Error`) must not allocate. A shape error, a
    // non-finite scalar, a formatted value and a demapper rejection, each counted.
    use massive_mimo::Error;
    use massive_mimo::precoding::{Normalization, RzfPrecoder};
    let mut p = RzfPrecoder::new(4, 16, 8).unwrap();
    let h = Array3::<C32>::zeros((2, 4, 16));
    let mut w_bad = Array3::zeros((2, 15, 4));
    let mut w = Array3::zeros((2, 16, 4));
    let (n, r) =
        allocations_during(|| p.process(h.view(), 0.1, Normalization::Column, w_bad.view_mut()));
    assert_eq!(n, 0);
    assert!(matches!(r, Err(Error::ShapeMismatch { got, .. }) if got == [2, 15, 4]));
    let (n, r) =
        allocations_during(|| p.process(h.view(), f32::NAN, Normalization::Column, w.view_mut()));
    assert_eq!(n, 0);
    assert!(
        matches!(r, Err(Error::InvalidParameter { name: "alpha", value, .. }) if value == "NaN")
    );
    let (n, r) = allocations_during(|| massive_mimo::error::check_layers_antennas(5, 4));
    assert_eq!(n, 0);
    assert!(
        matches!(r, Err(Error::InvalidParameter { name: "layers", value, .. }) if value == "5 > antennas = 4")
    );
    let y = [C32::new(0.0, 0.0); 4];
    let mut llr = [0.0f32; 8];
    let (n, r) = allocations_during(|| {
        demap(
            Modulation::Qpsk,
            DemapMethod::MaxLog,
            &y,
            &[-1.0; 4],
            &mut llr,
        )
    });
    assert_eq!(n, 0);
    assert_eq!(support::err::name(r), "noise_var");
    // A long value is cut inline, at a character boundary, with a final `…`.
    let long = massive_mimo::value!("{:?}", [1234567usize; 20]);
    assert!(long.len() <= massive_mimo::error::VALUE_CAPACITY && long.ends_with('…'));
}

/// A downlink slot fixture shared by the capacity tests: the OFDM configuration, the sounding
/// grid of `n_cand` users, an RZF/PRG-2 configuration builder and fixed channel estimates
/// [n_ant, n_cand, 1, n_prb].
struct DownlinkFixture {
    ofdm: OfdmConfig,
    srs: Array3<C32>,
    est: Array4<C32>,
    n_prb: usize,
    n_ant: usize,
    n_cand: usize,
}

impl DownlinkFixture {
    fn new(n_prb: usize, n_ant: usize, n_cand: usize) -> Self {
        use massive_mimo::refsig::{SrsConfig, write_multiplexed_users};
        let n_sc = 12 * n_prb;
        let ofdm = OfdmConfig {
            standard: Standard::Nr,
            scs_khz: 30,
            n_fft: 256,
            n_sc,
            n_symbols: 14,
            cyclic_prefix: CyclicPrefix::Normal,
            slot: 0,
            scale: 1.0 / 16.0,
        };
        let mut srs = Array3::zeros((n_cand, 14, n_sc));
        write_multiplexed_users(
            &SrsConfig::single_port(4, n_prb, 13, (3, 0)),
            n_cand,
            srs.view_mut(),
        )
        .unwrap();
        let est = Array4::from_shape_fn((1, n_prb, n_cand, n_ant), |(_, p, u, a)| {
            C32::new(
                (((a * 5 + u * 11 + p * 3) % 13) as f32 - 6.0) * 0.1,
                (((a * 7 + u * 2 + p) % 11) as f32 - 5.0) * 0.1,
            )
        });
        Self {
            ofdm,
            srs,
            est,
            n_prb,
            n_ant,
            n_cand,
        }
    }

    /// A downlink slot for up to `n_layers` streams, its estimates set to the fixture's.
    fn slot(&self, n_layers: usize) -> massive_mimo::link::DownlinkSlot {
        use massive_mimo::link::{DownlinkConfig, DownlinkSlot, PrecoderKind, SrsEstimation};
        use massive_mimo::precoding::Normalization;
        let cfg = DownlinkConfig {
            n_ant: self.n_ant,
            n_candidates: self.n_cand,
            n_layers,
            n_prb: self.n_prb,
            prg_prbs: 2,
            precoder: PrecoderKind::Rzf,
            normalization: Normalization::Total,
            srs_estimation: SrsEstimation::DelayDomain,
        };
        let mut dl = DownlinkSlot::new(cfg, self.srs.view(), &self.ofdm).unwrap();
        dl.estimates_mut().view_mut().assign(&self.est);
        dl
    }
}

#[test]
fn fronthaul_codecs_do_not_allocate() {
    use massive_mimo::fronthaul::{
        BfwCodec, BfwExtension, CompHeader, CplaneHeader, Direction, EcpriHeader, EcpriMessage,
        IqWidth, Section1, Timing, UplaneCodec,
    };
    let n_prb = 273u16;
    let comp = CompHeader::bfp(IqWidth::W9);
    let mut codec = UplaneCodec::new(comp, n_prb, 8000.0).unwrap();
    let row: Vec<C32> = (0..12 * 273)
        .map(|i| C32::new((i as f32 * 0.37).sin(), (i as f32 * 0.11).cos()))
        .collect();
    let mut back = vec![C32::new(0.0, 0.0); row.len()];
    let mut msg = vec![0u8; 8 + 4 + codec.section_bytes(273)];
    let t = Timing {
        direction: Direction::Downlink,
        filter_index: 0,
        frame_id: 1,
        subframe_id: 2,
        slot_id: 1,
        symbol_id: 9,
    };
    let mut bfw = BfwCodec::new(comp, 64, 20000.0).unwrap();
    let ext = BfwExtension {
        disable_bfws: false,
        rad: false,
        num_bund_prb: 16,
        ef: false,
    };
    let weights = Array2::from_elem((18, 64), C32::new(0.3, -0.2));
    let mut weights_back = Array2::zeros((18, 64));
    let beams = [7u16; 18];
    let mut beams_back = [0u16; 18];
    let mut cplane = vec![0u8; 16 + bfw.extension_bytes(&ext, 273)];
    let (count, ()) = allocations_during(|| {
        EcpriHeader {
            message: EcpriMessage::IqData,
            payload_size: (msg.len() - 4) as u16,
            eaxc_id: 3,
            seq_id: 0,
        }
        .write(&mut msg)
        .unwrap();
        codec.write_message(&t, 1, &row, &mut msg[8..]).unwrap();
        EcpriHeader::read(&msg).unwrap();
        codec.read_message(&msg[8..], &mut back).unwrap();
        CplaneHeader {
            timing: t,
            num_sections: 1,
            comp,
        }
        .write(&mut cplane)
        .unwrap();
        Section1 {
            section_id: 1,
            rb: false,
            sym_inc: false,
            start_prb: 0,
            num_prb: 273,
            re_mask: 0xFFF,
            num_symbol: 14,
            ef: true,
            beam_id: 0,
        }
        .write(273, &mut cplane[8..])
        .unwrap();
        bfw.write(&ext, 273, &beams, weights.view(), &mut cplane[16..])
            .unwrap();
        bfw.read(&cplane[16..], 273, &mut beams_back, weights_back.view_mut())
            .unwrap();
    });
    assert_eq!(count, 0, "{count} allocations in the fronthaul codecs");
    assert_eq!(beams_back, beams);
    assert!((back[100] - row[100]).norm() < 0.01);
}

/// Issue 21, finding 7: a slot loop writes each slot's DMRS (the scrambling follows the slot
/// number) without allocating, through `write_pilots_with` and a scratch made once; the values
/// are those of `write_pilots`.
#[test]
fn dmrs_for_every_slot_is_written_without_allocating() {
    use massive_mimo::refsig::{DmrsConfig, DmrsScratch, DmrsType};
    let mut scratch = DmrsScratch::new();
    let mut grid = Array3::zeros((4, 14, 12 * 273));
    let mut cfgs: Vec<DmrsConfig> = (0..20u32)
        .map(|slot| DmrsConfig {
            slot,
            crb_start: 2199,
            ..DmrsConfig::new(DmrsType::Type1, vec![0, 1, 2, 3], vec![2, 11], true)
        })
        .collect();
    cfgs[3].kind = DmrsType::Type2;
    let (count, ()) = allocations_during(|| {
        for c in &cfgs {
            c.write_pilots_with(grid.view_mut(), &mut scratch).unwrap();
        }
    });
    assert_eq!(count, 0, "{count} allocations writing 20 slots of DMRS");
    let mut want = Array3::zeros((4, 14, 12 * 273));
    cfgs[19].write_pilots(want.view_mut()).unwrap();
    assert_eq!(grid, want);
}
