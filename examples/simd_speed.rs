//! How fast the kernels run here: the share-of-peak table of the fastest backend and the
//! scalar baseline at the reference sizes (64 antennas × 16 layers, 273 PRBs).
//!
//! `cargo run --release --example simd_speed` (about 10 s). Set `MASSIVE_MIMO_SIMD=avx2`
//! (or scalar, avx512, neon) to measure another backend.

use std::time::Duration;

use massive_mimo::simd::{Backend, Kernels};
use massive_mimo_tools::perf::simd_table;

fn main() {
    let chosen = match Kernels::from_env() {
        Ok(k) => k.backend(),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let available: Vec<&str> = Backend::available().map(Backend::name).collect();
    println!(
        "massive-mimo {}: simd backend {chosen} (available: {})",
        massive_mimo::VERSION,
        available.join(", ")
    );
    println!("{}", simd_table(&[chosen], Duration::from_millis(300)));
    println!(
        "GFLOP/s counts complex multiply-adds as 8 flops; \"% of peak\" divides by the FMA-loop peak"
    );
    println!("measured above in this run, so the shares compare across noisy runs and machines.");
}
