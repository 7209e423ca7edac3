//! Uplink detection of a whole slot with per-PRB filters (273 PRBs × 14 symbols, NR 100 MHz):
//! MMSE (unbiased) for 64 × 16, 64 × 8, 32 × 8, 4 × 4, 4 × 2 and 2 × 2 (antennas × layers).
//!
//! Prints first, per shape, the time per slot, RE·layers per second, and the share of the
//! single-core FMA peak measured in the same run taken by the whole call (filters + GEMM
//! application; flops counted as 8·n_rx·n_l per RE for the application plus the Gram,
//! Cholesky and inverse of every PRB), then runs the criterion benchmarks.

use std::time::Duration;

use criterion::{Criterion, Throughput};
use massive_mimo::C32;
use massive_mimo::detection::{DetectorMethod, GroupChannels, MimoDetector};
use massive_mimo::resource::AlignedGrid;
use massive_mimo::simd::Kernels;
use massive_mimo_tools::perf::{measure_peak, time_per_call};
use ndarray::{Array2, Array3};

const N_PRB: usize = 273;

struct Prepared {
    det: MimoDetector,
    h: Array3<C32>,
    /// Received and layer grids on cache lines, as the README asks hosts to keep them.
    y: AlignedGrid,
    x: AlignedGrid,
    xv: Array2<f32>,
    nv: Vec<f32>,
}

impl Prepared {
    fn new(n_rx: usize, n_l: usize) -> Self {
        let n_sc = 12 * N_PRB;
        Self {
            det: MimoDetector::new(&massive_mimo::detection::DetectorConfig {
                max_ant: n_rx,
                max_layers: n_l,
                max_interferers: 0,
                max_groups: N_PRB,
                group_prbs: 1,
                n_sym: 14,
            })
            .expect("valid")
            .with_kernels(kernels()),
            // [group, layer, antenna] (`GroupChannels::h`).
            h: Array3::from_shape_fn((N_PRB, n_l, n_rx), |(g, l, r)| {
                C32::new(
                    ((g + 3 * r + 7 * l) % 11) as f32 * 0.1 - 0.5,
                    ((r * l + g) % 5) as f32 * 0.1,
                )
            }),
            y: {
                let mut y = AlignedGrid::zeros3([n_rx, 14, n_sc]).expect("valid");
                for ((r, t, k), v) in y.view3_mut().indexed_iter_mut() {
                    *v = C32::new(((r + t + k) % 7) as f32 * 0.1, 0.2);
                }
                y
            },
            x: AlignedGrid::zeros3([n_l, 14, n_sc]).expect("valid"),
            xv: Array2::zeros((N_PRB, n_l)),
            nv: vec![0.05; N_PRB],
        }
    }

    /// The filters alone (Gram, Cholesky, inverse, F = G⁻¹Hᴴ), without their application.
    fn filters(&mut self) {
        let ch = channels(&self.h, &self.nv);
        self.det
            .compute(&ch, DetectorMethod::Mmse { unbiased: true })
            .expect("valid");
    }

    fn run(&mut self) {
        let ch = channels(&self.h, &self.nv);
        self.det
            .process(
                &ch,
                DetectorMethod::Mmse { unbiased: true },
                self.y.view3(),
                self.x.view3_mut(),
                self.xv.view_mut(),
            )
            .expect("valid");
    }
}

/// The detector's input: the channels and noise, no interference.
fn channels<'a>(h: &'a Array3<C32>, nv: &'a [f32]) -> GroupChannels<'a> {
    GroupChannels {
        h: h.view(),
        noise_var: nv,
        interference: None,
    }
}

fn flops(n_rx: usize, n_l: usize) -> f64 {
    let apply = 8.0 * (n_rx * n_l * 12 * 14 * N_PRB) as f64;
    let (r, l) = (n_rx as f64, n_l as f64);
    // Gram (Hermitian half) + Cholesky + inverse + filter product, per PRB.
    let filters = 4.0 * r * l * l + 8.0 * l * l * l / 3.0 + 8.0 * l * l * l / 2.0 + 8.0 * l * l * r;
    apply + filters * N_PRB as f64
}

/// The backend `MASSIVE_MIMO_SIMD` names (e.g. `avx2` on an AVX-512 machine), else the fastest.
fn kernels() -> Kernels {
    Kernels::from_env().expect("MASSIVE_MIMO_SIMD names an available backend")
}

const SHAPES: [(usize, usize); 6] = [(64, 16), (64, 8), (32, 8), (4, 4), (4, 2), (2, 2)];

fn main() {
    let mut crit = Criterion::default().configure_from_args();
    if !std::env::args().any(|a| a == "--list") {
        let backend = kernels().backend();
        println!("per-PRB MMSE detection of a 273-PRB slot, backend {backend}");
        println!(
            "{:<8} {:>10} {:>16} {:>9} {:>8} {:>9}",
            "shape", "µs/slot", "M RE·layer/s", "GFLOP/s", "of peak", "filters"
        );
        for (n_rx, n_l) in SHAPES {
            let mut p = Prepared::new(n_rx, n_l);
            let peak =
                measure_peak(backend, Duration::from_millis(200)).map_or(f64::NAN, |p| p.gflops);
            let t = time_per_call(|| p.run(), Duration::from_millis(500)).as_secs_f64();
            let tf = time_per_call(|| p.filters(), Duration::from_millis(300)).as_secs_f64();
            let g = flops(n_rx, n_l) / t / 1e9;
            let rel = (12 * 14 * N_PRB * n_l) as f64 / t / 1e6;
            println!(
                "{:<8} {:>10.1} {:>16.0} {:>9.1} {:>7.1}% {:>8.0}%",
                format!("{n_rx}x{n_l}"),
                t * 1e6,
                rel,
                g,
                100.0 * g / peak,
                100.0 * tf / t
            );
        }
    }
    let mut g = crit.benchmark_group("detect-slot-273prb");
    g.sample_size(10).measurement_time(Duration::from_secs(2));
    for (n_rx, n_l) in SHAPES {
        let mut p = Prepared::new(n_rx, n_l);
        g.throughput(Throughput::Elements((12 * 14 * N_PRB) as u64));
        g.bench_function(format!("mmse {n_rx}x{n_l}"), |b| b.iter(|| p.run()));
    }
    g.finish();
    crit.final_summary();
}
