//! Precoder application over whole slots, straight into the OFDM modulator's input grid:
//! NR 100 MHz (273 PRBs × 14 symbols) and LTE 20 MHz (100 PRBs × 14 symbols), for 64 × 16,
//! 64 × 8, 32 × 8 and 4 × 4 (antennas × layers; 4 × 4 is srsRAN's largest precoder shape), PRG
//! of 2 PRBs. Port-REs/s = antennas × REs per second.
//!
//! Prints first, for each case, the time per slot, GFLOP/s (8 real flops per complex
//! multiply-add), the share of the single-core FMA peak measured in the same run, and the time
//! to merely write the output grid once (the memory floor; `of fill` = floor / time), then runs
//! the criterion benchmarks (throughput: antenna-REs per second).

use std::time::Duration;

use criterion::{Criterion, Throughput};
use massive_mimo::C32;
use massive_mimo::perf::{measure_peak, time_per_call};
use massive_mimo::precoding::PrecoderApplier;
use massive_mimo::simd::Kernels;
use ndarray::Array3;

struct Case {
    name: String,
    n_tx: usize,
    k: usize,
    n_sc: usize,
}

fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    for (n_tx, k) in [(64, 16), (64, 8), (32, 8), (4, 4)] {
        for (carrier, n_sc) in [("nr100", 3276), ("lte20", 1200)] {
            v.push(Case {
                name: format!("apply {n_tx}x{k} {carrier} slot"),
                n_tx,
                k,
                n_sc,
            });
        }
    }
    v
}

struct Prepared {
    applier: PrecoderApplier,
    w: Array3<C32>,
    x: Array3<C32>,
    y: Array3<C32>,
}

fn prepare(c: &Case) -> Prepared {
    let prg = 2;
    let n_prg = c.n_sc.div_ceil(12 * prg);
    Prepared {
        applier: PrecoderApplier::new(c.n_tx, c.k, 14 * 96).expect("valid"),
        w: Array3::from_shape_fn((n_prg, c.n_tx, c.k), |(g, t, l)| {
            C32::new(((g + t * l) % 7) as f32 * 0.1, (t % 3) as f32 * 0.1)
        }),
        x: Array3::from_shape_fn((c.k, 14, c.n_sc), |(l, s, k)| {
            C32::new(((l + s + k) % 5) as f32 * 0.2 - 0.4, 0.3)
        }),
        y: Array3::zeros((c.n_tx, 14, c.n_sc)),
    }
}

impl Prepared {
    fn run(&mut self) {
        self.applier
            .process_grid(self.w.view(), 2, self.x.view(), self.y.view_mut())
            .expect("valid shapes");
    }
}

fn main() {
    let mut crit = Criterion::default().configure_from_args();
    if !std::env::args().any(|a| a == "--list") {
        let backend = Kernels::new().backend();
        println!("precoder application, backend {backend}");
        println!(
            "{:<28} {:>10} {:>9} {:>8}",
            "case", "µs/slot", "GFLOP/s", "of peak"
        );
        for c in cases() {
            let mut p = prepare(&c);
            let before = measure_peak(backend, Duration::from_millis(200)).map(|p| p.gflops);
            let t = time_per_call(|| p.run(), Duration::from_millis(600)).as_secs_f64();
            let after = measure_peak(backend, Duration::from_millis(200)).map(|p| p.gflops);
            let peak = before.unwrap_or(f64::NAN).max(after.unwrap_or(f64::NAN));
            let gflops = 8.0 * (c.n_tx * c.k * c.n_sc * 14) as f64 / t / 1e9;
            // The memory floor: writing the output grid once (memset speed of this machine).
            let mut v = 0.0f32;
            let fill = time_per_call(
                || {
                    v += 1.0;
                    p.y.fill(C32::new(v, 0.0));
                },
                Duration::from_millis(300),
            )
            .as_secs_f64();
            println!(
                "{:<28} {:>10.1} {:>9.1} {:>7.1}% {:>14.1} {:>7.1}% {:>14.0}",
                c.name,
                t * 1e6,
                gflops,
                100.0 * gflops / peak,
                fill * 1e6,
                100.0 * fill / t,
                (c.n_tx * c.n_sc * 14) as f64 / t / 1e6
            );
        }
    }
    let mut g = crit.benchmark_group("precoder-apply");
    g.sample_size(10).measurement_time(Duration::from_secs(2));
    for c in cases() {
        let mut p = prepare(&c);
        g.throughput(Throughput::Elements((c.n_tx * c.n_sc * 14) as u64));
        g.bench_function(c.name.clone(), |b| b.iter(|| p.run()));
    }
    g.finish();
    crit.final_summary();
}
