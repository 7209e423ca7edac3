//! PHY-basics benchmarks: Gold sequence, QAM mapper and soft demapper per modulation, OFDM
//! modulation/demodulation of a full slot over 64 antennas (NR 100 MHz at 30 kHz: 4096-point,
//! 273 PRB; LTE 20 MHz: 2048-point, 100 PRB). Throughput is in bits, symbols or samples per
//! second (criterion's "elements").

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use massive_mimo::C32;
use massive_mimo::modulation::{DemapMethod, Modulation, demap, demap_i8, map};
use massive_mimo::ofdm::{CyclicPrefix, OfdmConfig, OfdmDemodulator, OfdmModulator, Standard};
use massive_mimo::sequence::Gold;
use ndarray::{Array2, Array3};

fn gold(c: &mut Criterion) {
    let mut g = c.benchmark_group("gold");
    let mut bits = vec![0u32; 1024];
    g.throughput(Throughput::Elements(32 * 1024));
    g.bench_function("32768 bits packed", |b| {
        b.iter(|| Gold::new(0x1234_5678).fill_words(&mut bits))
    });
    let mut bytes = vec![0u8; 32 * 1024];
    g.bench_function("32768 bits one per byte", |b| {
        b.iter(|| Gold::new(0x1234_5678).fill_bits(&mut bytes))
    });
    g.finish();
}

fn modulation(c: &mut Criterion) {
    let n = 3276 * 12; // one 100 MHz slot of PDSCH REs (12 symbols)
    let mut g = c.benchmark_group("qam");
    g.measurement_time(Duration::from_secs(2));
    for m in [
        Modulation::Qpsk,
        Modulation::Qam16,
        Modulation::Qam64,
        Modulation::Qam256,
        Modulation::Qam1024,
    ] {
        let qm = m.bits_per_symbol();
        let bits: Vec<u8> = (0..n * qm).map(|i| ((i * 7 + i / 3) % 2) as u8).collect();
        let mut sym = vec![C32::new(0.0, 0.0); n];
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("map", m.name()), &m, |b, &m| {
            b.iter(|| map(m, &bits, &mut sym))
        });
        map(m, &bits, &mut sym).expect("valid bits");
        let y: Vec<C32> = sym
            .iter()
            .enumerate()
            .map(|(i, s)| s + C32::new(0.01 * (i % 5) as f32, -0.01))
            .collect();
        let nv = vec![0.05f32; n];
        let mut llr = vec![0.0f32; n * qm];
        for method in [DemapMethod::MaxLog, DemapMethod::Exact] {
            g.bench_with_input(
                BenchmarkId::new(format!("demap-{method:?}"), m.name()),
                &m,
                |b, &m| b.iter(|| demap(m, method, &y, &nv, &mut llr)),
            );
        }
        let mut llr_i8 = vec![0i8; n * qm];
        g.bench_with_input(BenchmarkId::new("demap-i8", m.name()), &m, |b, &m| {
            b.iter(|| demap_i8(m, &y, &nv, 4.0, &mut llr_i8))
        });
    }
    g.finish();
}

fn ofdm(c: &mut Criterion) {
    let n_ant = 64;
    let mut g = c.benchmark_group("ofdm-64ant-slot");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    for (name, standard, scs, n_fft, n_sc) in [
        ("nr-100MHz-4096", Standard::Nr, 30, 4096, 3276),
        ("lte-20MHz-2048", Standard::Lte, 15, 2048, 1200),
    ] {
        let cfg = OfdmConfig {
            standard,
            scs_khz: scs,
            n_fft,
            n_sc,
            n_symbols: 14,
            cyclic_prefix: CyclicPrefix::Normal,
            slot: 0,
            scale: 1.0 / (n_fft as f32).sqrt(),
        };
        let grid = Array3::from_shape_fn((n_ant, 14, n_sc), |(a, l, k)| {
            C32::new(
                ((a + l + k) % 3) as f32 - 1.0,
                ((a * l + k) % 2) as f32 - 0.5,
            )
        });
        let mut m = OfdmModulator::new(&cfg).expect("valid config");
        let mut wave = Array2::zeros((n_ant, m.output_len()));
        g.throughput(Throughput::Elements((n_ant * m.output_len()) as u64));
        g.bench_function(BenchmarkId::new("modulate", name), |b| {
            b.iter(|| m.process_antennas(grid.view(), wave.view_mut()))
        });
        let mut d = OfdmDemodulator::new(&cfg, 0.5).expect("valid config");
        let mut back = Array3::zeros((n_ant, 14, n_sc));
        g.bench_function(BenchmarkId::new("demodulate", name), |b| {
            b.iter(|| d.process_antennas(wave.view(), back.view_mut()))
        });
    }
    g.finish();
}

criterion_group!(benches, gold, modulation, ofdm);
criterion_main!(benches);
