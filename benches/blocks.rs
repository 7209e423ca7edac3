//! Block-level benchmarks (64 antennas × 16 layers): MMSE equalisation of one OFDM symbol's
//! 3276 REs with a per-RE filter (throughput in REs per second), the per-user grid-of-beams
//! search (256 beams, 273 PRBs) and the Type I PMI search. The RZF weights are in
//! `--bench precoding`, with their share of the peak.

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use massive_mimo::C32;
use massive_mimo_tools::reference::{EqualizerMethod, LinearEqualizer};
use ndarray::{Array2, Array3};

fn value(a: usize, b: usize, c: usize) -> C32 {
    C32::new(
        ((a * 7 + b * 3 + c) % 13) as f32 * 0.1 - 0.6,
        ((a + b * c) % 7) as f32 * 0.1 - 0.3,
    )
}

fn blocks(c: &mut Criterion) {
    let mut g = c.benchmark_group("blocks-64x16");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    let (k, n) = (16, 64);
    let n_re = 3276;
    let hd = Array3::from_shape_fn((n_re, n, k), |(m, r, l)| value(m / 12, r, l));
    let y = Array2::from_shape_fn((n_re, n), |(m, r)| value(m, r, 1));
    let nv = vec![0.05f32; n_re];
    let (mut x, mut xv) = (Array2::zeros((n_re, k)), Array2::zeros((n_re, k)));
    let mut eq = LinearEqualizer::new(n, k, n_re).expect("valid shape");
    g.throughput(Throughput::Elements(n_re as u64));
    g.bench_function("mmse per RE x3276", |b| {
        b.iter(|| {
            eq.process(
                y.view(),
                hd.view(),
                &nv,
                EqualizerMethod::Mmse { unbiased: true },
                x.view_mut(),
                xv.view_mut(),
            )
        })
    });
    g.finish();
}

fn selection(c: &mut Criterion) {
    use massive_mimo::beamforming::{DftGrid, PrecoderSelector};
    // 64-element 8 × 8 panel, 2 × 2 oversampled grid (256 beams); one user's wideband SRS
    // channel per PRB (273 samples): the per-user beam search of a 64T64R cell.
    let mut g = c.benchmark_group("beam-selection-64");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    let grid = DftGrid::new(8, 8, 2, 2).expect("valid");
    let mut sel = PrecoderSelector::from_dft_grid(&grid, 273).expect("valid");
    let h = Array2::from_shape_fn((273, 64), |(s, k)| value(s, k, 3));
    g.throughput(Throughput::Elements(1));
    g.bench_function("256 beams x 273 PRB, per user", |b| {
        b.iter(|| sel.select(h.view(), 1.0))
    });
    g.finish();
    // The full NR Type I single-panel codebook for 32 CSI-RS ports ((N1, N2) = (8, 2),
    // O1 = O2 = 4, mode 1): rank 1 (1024 precoders) and rank 2 (2048, by capacity).
    use massive_mimo::beamforming::TypeISinglePanel;
    let mut g = c.benchmark_group("pmi-selection-32");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    let cb = TypeISinglePanel::new(8, 2, 4, 4, 1).expect("valid");
    let h = Array2::from_shape_fn((273, 32), |(s, k)| value(s, k, 5));
    g.throughput(Throughput::Elements(1));
    for rank in [1usize, 2] {
        let (mut sel, idx) = PrecoderSelector::from_type1(&cb, rank, 273).expect("valid");
        g.bench_function(
            format!("type I rank {rank} ({} precoders) x 273 PRB", idx.len()),
            |b| b.iter(|| sel.select(h.view(), 10.0)),
        );
    }
    g.finish();
}

criterion_group!(benches, blocks, selection);
criterion_main!(benches);
