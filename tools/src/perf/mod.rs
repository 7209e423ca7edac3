//! Measurement helpers shared by the benchmarks, the `simd_speed` example and (later)
//! `mimo bench`: a kernel's time, its GFLOP/s and its share of the single-core peak.
//!
//! On a shared machine absolute seconds drift with whatever else runs (a busy sibling
//! hyper-thread halves the FMA throughput for a while). So every case is bracketed by two short
//! peak probes and its share is taken against the larger of them: kernel and peak see the same
//! machine, and the share stays comparable across runs.

use std::fmt::Write;
use std::hint::black_box;
use std::time::{Duration, Instant};

use massive_mimo_simd::{Backend, Kernels};

pub use massive_mimo_simd::peak::{Peak, machine_peak, measure as measure_peak};

pub mod fixture;
mod simd_cases;
pub use simd_cases::{KernelCase, simd_cases};

/// Time per call of `f`: the minimum over batches of calls, run for about `budget` in total.
/// The minimum (not the mean) is what the code can do when the machine lets it.
pub fn time_per_call(mut f: impl FnMut(), budget: Duration) -> Duration {
    f(); // warm caches and page in buffers
    let mut calls: u32 = 1;
    loop {
        let t = Instant::now();
        for _ in 0..calls {
            f();
        }
        if t.elapsed() >= Duration::from_millis(5) || calls >= 1 << 20 {
            break;
        }
        calls *= 2;
    }
    let start = Instant::now();
    let mut best = Duration::MAX;
    while start.elapsed() < budget || best == Duration::MAX {
        let t = Instant::now();
        for _ in 0..calls {
            f();
        }
        best = best.min(t.elapsed() / calls);
    }
    black_box(best)
}

/// One kernel's measured speed.
#[derive(Clone, Debug, PartialEq)]
pub struct KernelSpeed {
    /// Kernel and shape, e.g. `gemm 64x16x168`.
    pub name: String,
    /// Seconds per call.
    pub seconds: f64,
    /// Real f32 flops per call (complex multiply-add = 8).
    pub flops: f64,
    /// flops / seconds / 1e9.
    pub gflops: f64,
    /// The single-core peak this case was compared with, GFLOP/s.
    pub peak_gflops: f64,
    /// gflops / peak_gflops.
    pub share_of_peak: f64,
}

impl KernelSpeed {
    /// Builds the record from a time, a flop count and the peak to compare with.
    pub fn new(name: impl Into<String>, seconds: f64, flops: f64, peak_gflops: f64) -> Self {
        let gflops = flops / seconds / 1e9;
        Self {
            name: name.into(),
            seconds,
            flops,
            gflops,
            peak_gflops,
            share_of_peak: gflops / peak_gflops,
        }
    }

    /// One report line: name, time, GFLOP/s, share of peak.
    pub fn line(&self) -> String {
        format!(
            "{:<44} {:>10.3} µs {:>8.2} GFLOP/s {:>6.1} % of {:.0}",
            self.name,
            self.seconds * 1e6,
            self.gflops,
            100.0 * self.share_of_peak,
            self.peak_gflops
        )
    }
}

/// Measures every case for about `budget` each, against the peak of `peak_backend` probed just
/// before and just after the case (the larger is kept). A case with a reset step (in-place
/// kernels re-fed their input) is timed with and without the kernel and the difference kept,
/// so the copy is not charged to the kernel.
pub fn measure_cases(
    cases: &mut [KernelCase],
    peak_backend: Backend,
    budget: Duration,
) -> Vec<KernelSpeed> {
    let probe = (budget / 4).max(Duration::from_millis(40));
    let peak = || measure_peak(peak_backend, probe).map_or(f64::NAN, |p| p.gflops);
    cases
        .iter_mut()
        .map(|c| {
            let before = peak();
            let with = time_per_call(|| (c.run)(true), budget).as_secs_f64();
            let seconds = if c.has_reset {
                let reset = time_per_call(|| (c.run)(false), budget / 2).as_secs_f64();
                (with - reset).max(with * 0.05)
            } else {
                with
            };
            let after = peak();
            KernelSpeed::new(c.name.clone(), seconds, c.flops, before.max(after))
        })
        .collect()
}

/// The share-of-peak table of the simd kernels: for every backend in `backends`, each case's
/// time, GFLOP/s, share of the machine's single-core peak (fastest backend's FMA loop, probed
/// around each case) and speed-up over the scalar backend (always measured, as the baseline).
/// `budget` is the time spent per case and backend.
pub fn simd_table(backends: &[Backend], budget: Duration) -> String {
    let best = Backend::best();
    let scalar =
        Kernels::with_backend(Backend::Scalar).expect("the scalar backend is always available");
    let base = measure_cases(&mut simd_cases(scalar), best, budget);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "share of the single-core {best} FMA-loop peak probed around each case (GFLOP/s after \"of\")"
    );
    for &b in backends {
        let speeds = match Kernels::with_backend(b) {
            Ok(_) if b == Backend::Scalar => base.clone(),
            Ok(k) => measure_cases(&mut simd_cases(k), best, budget),
            Err(_) => {
                let _ = writeln!(out, "\nbackend {b}: not available on this CPU");
                continue;
            }
        };
        let _ = writeln!(out, "\nbackend {b}:");
        for (s, s0) in speeds.iter().zip(&base) {
            let _ = writeln!(
                out,
                "  {}  x{:>5.1} vs scalar",
                s.line(),
                s0.seconds / s.seconds
            );
        }
    }
    out
}
