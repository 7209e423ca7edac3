//! Measurement helpers shared by the benchmarks and (later) `mimo bench`: a kernel's time,
//! its GFLOP/s and its share of the single-core peak measured in the same run.
//!
//! Absolute seconds on a shared machine drift from run to run; the share of a peak measured
//! minutes apart by the same process is far steadier, so every report carries both.

use std::hint::black_box;
use std::time::{Duration, Instant};

pub use massive_mimo_simd::peak::{Peak, machine_peak, measure as measure_peak};

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
    black_box(());
    best
}

/// One kernel's measured speed.
#[derive(Clone, Debug, PartialEq)]
pub struct KernelSpeed {
    /// Kernel and shape, e.g. `gemm 64x16x168 [avx512]`.
    pub name: String,
    /// Seconds per call.
    pub seconds: f64,
    /// Real f32 flops per call (complex multiply-add = 8).
    pub flops: f64,
    /// flops / seconds / 1e9.
    pub gflops: f64,
    /// gflops / the peak's gflops.
    pub share_of_peak: f64,
}

impl KernelSpeed {
    /// Builds the record from a time and a flop count against `peak`.
    pub fn new(name: impl Into<String>, seconds: f64, flops: f64, peak: &Peak) -> Self {
        let gflops = flops / seconds / 1e9;
        Self {
            name: name.into(),
            seconds,
            flops,
            gflops,
            share_of_peak: gflops / peak.gflops,
        }
    }

    /// Times `f` for `budget` and builds the record.
    pub fn measure(
        name: impl Into<String>,
        flops: f64,
        peak: &Peak,
        budget: Duration,
        f: impl FnMut(),
    ) -> Self {
        let s = time_per_call(f, budget).as_secs_f64();
        Self::new(name, s, flops, peak)
    }

    /// One report line: name, time, GFLOP/s, share of peak.
    pub fn line(&self) -> String {
        format!(
            "{:<44} {:>10.3} µs {:>8.2} GFLOP/s {:>6.1} % of peak",
            self.name,
            self.seconds * 1e6,
            self.gflops,
            100.0 * self.share_of_peak
        )
    }
}

mod simd_cases;
pub use simd_cases::{KernelCase, simd_cases};

/// Measures every case of [`simd_cases`] on `kernels` for `budget` each. A case with a reset
/// step (in-place kernels re-fed their input) is timed with and without the kernel and the
/// difference kept, so the copy is not charged to the kernel.
pub fn measure_cases(cases: &mut [KernelCase], peak: &Peak, budget: Duration) -> Vec<KernelSpeed> {
    cases
        .iter_mut()
        .map(|c| {
            let with = time_per_call(|| (c.run)(true), budget).as_secs_f64();
            let seconds = if c.has_reset {
                let reset = time_per_call(|| (c.run)(false), budget / 2).as_secs_f64();
                (with - reset).max(with * 0.05)
            } else {
                with
            };
            KernelSpeed::new(c.name.clone(), seconds, c.flops, peak)
        })
        .collect()
}

/// The share-of-peak table of the simd kernels: for every backend in `backends` each case's
/// time, GFLOP/s, share of the single-core peak and speed-up over the scalar backend (always
/// measured, as the baseline). `budget` is the time spent per case and backend. The peak is
/// probed before and after the cases and the larger value kept, so a slow first probe on a
/// busy machine never flatters the shares.
pub fn simd_table(backends: &[massive_mimo_simd::Backend], budget: Duration) -> String {
    use massive_mimo_simd::{Backend, Kernels};
    use std::fmt::Write;

    let probe = budget.max(Duration::from_millis(200));
    let first = machine_peak(probe);
    let scalar =
        Kernels::with_backend(Backend::Scalar).expect("the scalar backend is always available");
    let base = measure_cases(&mut simd_cases(scalar), &first, budget);
    let mut tables = Vec::new();
    for &b in backends {
        let speeds = match Kernels::with_backend(b) {
            Ok(_) if b == Backend::Scalar => Some(base.clone()),
            Ok(k) => Some(measure_cases(&mut simd_cases(k), &first, budget)),
            Err(_) => None,
        };
        tables.push((b, speeds));
    }
    let again = machine_peak(probe);
    let peak = if again.gflops > first.gflops {
        again
    } else {
        first
    };

    let mut out = String::new();
    let _ = writeln!(
        out,
        "single-core peak (FMA loop, best of two probes around the run): {:.1} GFLOP/s with {}",
        peak.gflops, peak.backend
    );
    for (b, speeds) in tables {
        let Some(speeds) = speeds else {
            let _ = writeln!(out, "\nbackend {b}: not available on this CPU");
            continue;
        };
        let _ = writeln!(out, "\nbackend {b}:");
        for (s, s0) in speeds.iter().zip(&base) {
            let s = KernelSpeed::new(s.name.clone(), s.seconds, s.flops, &peak);
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
