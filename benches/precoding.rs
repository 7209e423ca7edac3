//! The two precoding processors over whole carriers, for 64 × 16, 64 × 8 and 32 × 8 (antennas
//! × layers), NR 100 MHz (273 PRBs × 14 symbols) and LTE 20 MHz (100 PRBs × 14 symbols):
//!
//! * RZF weight computation, one matrix per PRB (`RzfPrecoder`, α = 0.01, total-power
//!   normalisation). Flops: Gram k(k+1)/2·n, Cholesky k³/6, the two triangular solves k²·n
//!   complex multiply-adds per PRB;
//! * application straight into the OFDM modulator's input grid, PRG of 2 PRBs (also 4 × 4,
//!   srsRAN's largest precoder shape). Port-REs/s = antennas × REs per second. Flops: n·k
//!   complex multiply-adds per RE.
//!
//! Prints first, for each case, the time per slot, GFLOP/s (8 real flops per complex
//! multiply-add), the share of the single-core FMA peak measured in the same run (before and
//! after the case, the higher kept), and for the application the time to merely write the
//! output grid once (the memory floor; `of fill` = floor / time); then runs the criterion
//! benchmarks (throughput: PRBs per second for weights, antenna-REs per second for
//! application).

use std::time::Duration;

use criterion::{Criterion, Throughput};
use massive_mimo::C32;
use massive_mimo::precoding::{Normalization, PrecoderApplier, RzfPrecoder};
use massive_mimo::simd::{Backend, Kernels};
use massive_mimo_tools::perf::{measure_peak, time_per_call};
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

/// One weight-computation case: channels of every PRB of a carrier.
struct WeightCase {
    name: String,
    rzf: RzfPrecoder,
    h: Array3<C32>,
    w: Array3<C32>,
    flops: f64,
}

fn weight_cases() -> Vec<WeightCase> {
    let mut v = Vec::new();
    for (n_tx, k) in [(64usize, 16usize), (64, 8), (32, 8)] {
        for (carrier, n_prb) in [("nr100", 273usize), ("lte20", 100)] {
            let (kf, nf) = (k as f64, n_tx as f64);
            v.push(WeightCase {
                name: format!("rzf {n_tx}x{k} {carrier} ({n_prb} PRB)"),
                rzf: RzfPrecoder::new(k, n_tx, n_prb).expect("valid"),
                h: Array3::from_shape_fn((n_prb, k, n_tx), |(m, i, t)| {
                    C32::new(
                        ((m * 7 + i * 3 + t) % 13) as f32 * 0.1 - 0.6,
                        ((m + i * t) % 7) as f32 * 0.1 - 0.3,
                    )
                }),
                w: Array3::zeros((n_prb, n_tx, k)),
                flops: 8.0
                    * n_prb as f64
                    * (kf * (kf + 1.0) / 2.0 * nf + kf * kf * kf / 6.0 + kf * kf * nf),
            });
        }
    }
    v
}

impl WeightCase {
    fn run(&mut self) {
        self.rzf
            .process(self.h.view(), 0.01, Normalization::Total, self.w.view_mut())
            .expect("valid shapes");
    }
}

/// Seconds per call of `f` and the share of the peak measured around it.
fn timed_share(backend: Backend, flops: f64, mut f: impl FnMut()) -> (f64, f64, f64) {
    let before = measure_peak(backend, Duration::from_millis(200)).map(|p| p.gflops);
    let t = time_per_call(&mut f, Duration::from_millis(600)).as_secs_f64();
    let after = measure_peak(backend, Duration::from_millis(200)).map(|p| p.gflops);
    let peak = before.unwrap_or(f64::NAN).max(after.unwrap_or(f64::NAN));
    let gflops = flops / t / 1e9;
    (t, gflops, gflops / peak)
}

fn main() {
    let mut crit = Criterion::default().configure_from_args();
    if !std::env::args().any(|a| a == "--list") {
        let backend = Kernels::new().backend();
        println!("RZF weight computation, backend {backend}");
        println!(
            "{:<28} {:>10} {:>9} {:>8} {:>10}",
            "case", "µs/slot", "GFLOP/s", "of peak", "µs/PRB"
        );
        for mut c in weight_cases() {
            let (t, gflops, share) = timed_share(backend, c.flops, || c.run());
            println!(
                "{:<28} {:>10.1} {:>9.1} {:>7.1}% {:>10.2}",
                c.name,
                t * 1e6,
                gflops,
                100.0 * share,
                t * 1e6 / c.h.dim().0 as f64
            );
        }
        println!("\nprecoder application, backend {backend}");
        println!(
            "{:<28} {:>10} {:>9} {:>8}",
            "case", "µs/slot", "GFLOP/s", "of peak"
        );
        for c in cases() {
            let mut p = prepare(&c);
            let flops = 8.0 * (c.n_tx * c.k * c.n_sc * 14) as f64;
            let (t, gflops, share) = timed_share(backend, flops, || p.run());
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
                100.0 * share,
                fill * 1e6,
                100.0 * fill / t,
                (c.n_tx * c.n_sc * 14) as f64 / t / 1e6
            );
        }
    }
    let mut g = crit.benchmark_group("precoder-weights");
    g.sample_size(10).measurement_time(Duration::from_secs(2));
    for mut c in weight_cases() {
        g.throughput(Throughput::Elements(c.h.dim().0 as u64));
        g.bench_function(c.name.clone(), |b| b.iter(|| c.run()));
    }
    g.finish();
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
