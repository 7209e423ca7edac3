//! Benchmarks of the simd kernels at the reference sizes (64 × 16, 273 PRBs).
//!
//! Prints first the share-of-peak table (every available backend: time, GFLOP/s, % of the
//! single-core peak measured by the FMA probe in the same run, speed-up over the scalar
//! backend), then runs the criterion benchmarks of the fastest backend, whose throughput
//! "elements" are flops. `cargo bench --bench simd` runs everything;
//! `cargo bench --bench simd -- gemm` filters the criterion part.

use std::time::Duration;

use criterion::{Criterion, Throughput};
use massive_mimo::simd::{Backend, Kernels};
use massive_mimo_tools::perf::{measure_peak, simd_cases, simd_table};

fn criterion_benches(c: &mut Criterion) {
    let k = Kernels::new();
    let mut group = c.benchmark_group(format!("simd-{}", k.backend()));
    group
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    for mut case in simd_cases(k) {
        group.throughput(Throughput::Elements(case.flops as u64));
        group.bench_function(case.name.clone(), |bch| bch.iter(|| (case.run)(true)));
    }
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    if !std::env::args().any(|a| a == "--list") {
        for b in Backend::available() {
            if let Ok(p) = measure_peak(b, Duration::from_millis(300)) {
                println!("{:<7} FMA-loop peak {:>7.1} GFLOP/s", b.name(), p.gflops);
            }
        }
        let backends: Vec<Backend> = Backend::available().collect();
        println!("{}", simd_table(&backends, Duration::from_millis(400)));
    }
    criterion_benches(&mut c);
    c.final_summary();
}
