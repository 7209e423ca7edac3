//! Slot pipelines of one carrier, 64 antennas × 16 single-layer users, single core:
//! the downlink slot (SRS estimation in the delay domain → RZF weights per PRB → precoding of
//! 14 symbols → OFDM on 64 antennas) and the uplink slot (OFDM demodulation on 64 antennas →
//! DMRS estimation → per-PRB MMSE detection → 256QAM LLRs of every layer and data symbol;
//! 12 layers, the most orthogonal DMRS ports),
//! for a TD-LTE 20 MHz subframe and an NR 100 MHz slot; and the uplink's estimation + detection
//! with MMSE against MMSE-IRC. Throughput in slots per second; the
//! real-time budget is 1000 (LTE) or 2000 (NR at 30 kHz) slots per second per carrier.

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use massive_mimo::C32;
use massive_mimo::array::PanelArray;
use massive_mimo::carrier::ComponentCarrier;
use massive_mimo::detection::DetectorMethod;
use massive_mimo::estimation::PilotPattern;
use massive_mimo::link::{DownlinkConfig, DownlinkSlot, PrecoderKind, SrsEstimation, UplinkSlot};
use massive_mimo::modulation::Modulation;
use massive_mimo::precoding::Normalization;
use massive_mimo::refsig::{DmrsConfig, DmrsType, SrsConfig, write_multiplexed_users};
use ndarray::{Array2, Array3};

const K: usize = 16;

fn grid(n_ant: usize, n_sc: usize) -> Array3<C32> {
    Array3::from_shape_fn((n_ant, 14, n_sc), |(a, l, k)| {
        C32::new(
            ((a * 5 + l + k) % 9) as f32 * 0.1 - 0.4,
            ((a + 3 * k) % 7) as f32 * 0.1 - 0.3,
        )
    })
}

fn pipelines(c: &mut Criterion) {
    let array = PanelArray::cross_polarized(8, 4).expect("valid");
    let carriers = [
        (
            "lte 20 MHz",
            ComponentCarrier::td_lte_band41(2595.0, array, 2.6e9).expect("valid"),
        ),
        (
            "nr 100 MHz",
            ComponentCarrier::nr_n78_100mhz(3500.0, array, 3.5e9).expect("valid"),
        ),
    ];
    let mut g = c.benchmark_group("slot-64x16");
    g.sample_size(10).measurement_time(Duration::from_secs(6));
    g.throughput(Throughput::Elements(1));
    for (name, carrier) in &carriers {
        let (n_prb, n_sc, n_ant) = (carrier.n_rb(), carrier.n_sc(), array.len());
        let ofdm = carrier.ofdm_config(0).expect("valid");
        let mut srs = Array3::zeros((K, 14, n_sc));
        write_multiplexed_users(
            &SrsConfig::single_port(4, (n_prb / 4) * 4, 13, (5, 0)),
            K,
            srs.view_mut(),
        )
        .expect("valid");
        let cfg = DownlinkConfig {
            n_ant,
            n_candidates: K,
            n_layers: K,
            n_prb,
            prg_prbs: 1,
            precoder: PrecoderKind::Rzf,
            normalization: Normalization::Total,
            srs_estimation: SrsEstimation::DelayDomain,
        };
        let mut dl = DownlinkSlot::new(cfg, srs.view(), &ofdm).expect("valid");
        let srs_rx = grid(n_ant, n_sc);
        let layers = grid(K, n_sc);
        let mut tx = Array3::zeros((n_ant, 14, n_sc));
        let mut wave = Array2::zeros((n_ant, dl.waveform_len()));
        let selected: Vec<usize> = (0..K).collect();
        g.bench_function(format!("{name} downlink"), |b| {
            b.iter(|| {
                dl.sound(srs_rx.view(), None).expect("valid");
                dl.compute_weights(&selected, 0.003).expect("valid");
                dl.precode(layers.view(), tx.view_mut()).expect("valid");
                dl.modulate(tx.view(), wave.view_mut()).expect("valid");
            })
        });

        // Uplink: 12 layers, the most orthogonal DMRS ports of Rel-15/16 (type 2, double
        // symbol).
        let n_l = 12;
        let mut pilots = Array3::zeros((n_l, 14, n_sc));
        DmrsConfig::new(DmrsType::Type2, (0..n_l).collect(), vec![2], true)
            .write_pilots(pilots.view_mut())
            .expect("valid");
        let mut ul = UplinkSlot::new(
            n_ant,
            PilotPattern::from_pilots(pilots.view()).expect("valid"),
            &ofdm,
        )
        .expect("valid")
        .with_irc(2)
        .expect("valid");
        let ul_wave = Array2::from_shape_fn((n_ant, ul.waveform_len()), |(a, i)| {
            C32::new(((a + i) % 5) as f32 * 0.1, ((3 * a + i) % 7) as f32 * 0.1)
        });
        let mut llr = vec![0.0f32; n_sc * 8];
        g.bench_function(format!("{name} uplink ({n_l} layers)"), |b| {
            b.iter(|| {
                ul.demodulate(ul_wave.view()).expect("valid");
                ul.detect(DetectorMethod::Mmse { unbiased: true }, Some(0.01))
                    .expect("valid");
                for layer in 0..n_l {
                    for symbol in 4..14 {
                        ul.llrs(Modulation::Qam256, layer, symbol, &mut llr)
                            .expect("valid");
                    }
                }
            })
        });
        // Detection alone, MMSE against MMSE-IRC (DMRS residuals, 2 factors per PRB).
        ul.demodulate(ul_wave.view()).expect("valid");
        for (m, method) in [
            ("mmse", DetectorMethod::Mmse { unbiased: true }),
            ("irc", DetectorMethod::Irc { unbiased: true }),
        ] {
            g.bench_function(format!("{name} uplink detection {m} ({n_l} layers)"), |b| {
                b.iter(|| ul.detect(method, Some(0.01)).expect("valid"))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, pipelines);
criterion_main!(benches);
