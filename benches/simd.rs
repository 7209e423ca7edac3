//! Benchmarks of the simd kernels at the reference sizes (64 × 16, 273 PRBs).
//!
//! Prints first a share-of-peak table (every available backend, GFLOP/s, % of the single-core
//! peak measured by the FMA probe in the same run, speed-up over the scalar backend), then runs
//! the criterion benchmarks of the fastest backend (throughput in "elements" = flops).
//! `cargo bench --bench simd` runs everything; `cargo bench --bench simd -- gemm` filters the
//! criterion part.

use std::time::Duration;

use criterion::{Criterion, Throughput};
use massive_mimo::perf::{machine_peak, measure_cases, measure_peak, simd_cases};
use massive_mimo::simd::{Backend, Kernels};

fn share_table() {
    let peak = machine_peak(Duration::from_millis(500));
    println!("\nsingle-core peak (FMA loop): {:.1} GFLOP/s with {}", peak.gflops, peak.backend);
    for b in Backend::available() {
        if let Ok(p) = measure_peak(b, Duration::from_millis(300)) {
            println!("  {:<7} peak {:>7.1} GFLOP/s", b.name(), p.gflops);
        }
    }
    let scalar = Kernels::with_backend(Backend::Scalar).expect("scalar");
    let base = measure_cases(&mut simd_cases(scalar), &peak, Duration::from_millis(300));
    for b in Backend::available() {
        let k = Kernels::with_backend(b).expect("available");
        let speeds = measure_cases(&mut simd_cases(k), &peak, Duration::from_millis(400));
        println!("\nbackend {b}:");
        for (s, s0) in speeds.iter().zip(&base) {
            println!("  {}  x{:.1} vs scalar", s.line(), s0.seconds / s.seconds);
        }
    }
    println!();
}

fn criterion_benches(c: &mut Criterion) {
    let k = Kernels::new();
    let mut group = c.benchmark_group(format!("simd-{}", k.backend()));
    group.measurement_time(Duration::from_secs(2)).warm_up_time(Duration::from_millis(500));
    for mut case in simd_cases(k) {
        group.throughput(Throughput::Elements(case.flops as u64));
        group.bench_function(case.name.clone(), |bch| bch.iter(|| (case.run)(true)));
    }
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    // The table is skipped when criterion is only listing or filtering to nothing.
    if !std::env::args().any(|a| a == "--list") {
        share_table();
    }
    criterion_benches(&mut c);
    c.final_summary();
}
