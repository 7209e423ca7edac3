//! Single-core peak probe: an FMA loop with enough independent chains to saturate the FMA
//! ports, timed on the calling thread. Benchmarks divide a kernel's GFLOP/s by the peak
//! measured in the same run and report the share, which is stable on a shared, noisy machine
//! where absolute seconds are not.

use std::hint::black_box;
use std::time::{Duration, Instant};

use crate::{Backend, Result, SimdError};

/// One peak measurement.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Peak {
    /// Backend whose FMA instructions were timed.
    pub backend: Backend,
    /// Best-of-runs throughput in GFLOP/s (an FMA counts as 2 flops).
    pub gflops: f64,
}

/// f32 flops per round of the FMA loop of `backend` (12 chains × lanes × 2).
fn flops_per_round(backend: Backend) -> f64 {
    (12 * backend.register_lanes() * 2) as f64
}

fn run(backend: Backend, iters: u64) -> f32 {
    let (x, y) = (black_box(0.999_999f32), black_box(1e-7f32));
    match backend {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `measure` checked that the backend is available.
        Backend::Avx2 => unsafe { crate::arch::avx2::fma_peak(iters, x, y) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `measure` checked that the backend is available.
        Backend::Avx512 => unsafe { crate::arch::avx512::fma_peak(iters, x, y) },
        #[cfg(target_arch = "aarch64")]
        // SAFETY: `measure` checked that the backend is available.
        Backend::Neon => unsafe { crate::arch::neon::fma_peak(iters, x, y) },
        _ => {
            let mut acc = [0.0f32; 12];
            for (n, a) in acc.iter_mut().enumerate() {
                *a = n as f32 * 1e-3;
            }
            for _ in 0..iters {
                for a in acc.iter_mut() {
                    *a = *a * x + y;
                }
            }
            acc.iter().sum()
        }
    }
}

/// Measures the single-core f32 peak of `backend` on the calling thread: the best of several
/// timed FMA-loop runs, each at least `min_time / 5` long.
pub fn measure(backend: Backend, min_time: Duration) -> Result<Peak> {
    if !backend.is_available() {
        return Err(SimdError::BackendUnavailable(backend));
    }
    let per_run = (min_time / 5).max(Duration::from_millis(2));
    // Calibrate the iteration count for one run.
    let mut iters: u64 = 10_000;
    loop {
        let t = Instant::now();
        black_box(run(backend, black_box(iters)));
        let dt = t.elapsed();
        if dt >= per_run / 4 || iters > 1 << 40 {
            let scale = per_run.as_secs_f64() / dt.as_secs_f64().max(1e-9);
            iters = ((iters as f64 * scale) as u64).max(1000);
            break;
        }
        iters *= 4;
    }
    let mut best = 0.0f64;
    for _ in 0..5 {
        let t = Instant::now();
        black_box(run(backend, black_box(iters)));
        let s = t.elapsed().as_secs_f64();
        best = best.max(iters as f64 * flops_per_round(backend) / s / 1e9);
    }
    Ok(Peak {
        backend,
        gflops: best,
    })
}

/// The machine's single-core peak: [`measure`] with the fastest available backend.
pub fn machine_peak(min_time: Duration) -> Peak {
    // The best backend is available by construction, so this cannot fail; fall back to scalar
    // rather than panic.
    measure(Backend::best(), min_time)
        .or_else(|_| measure(Backend::Scalar, min_time))
        .unwrap_or(Peak {
            backend: Backend::Scalar,
            gflops: f64::NAN,
        })
}
