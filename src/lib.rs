//! # massive-mimo
//!
//! Baseband signal processing for 5G NR and TD-LTE massive-MIMO base stations: 3D
//! (planar-array) beamforming, channel estimation, multi-stream MU-MIMO precoding and MIMO
//! detection over aggregated carriers, on SIMD kernels that run allocation-free on real-time
//! threads.
//!
//! The reference deployment is a TD-LTE 3D-MIMO cell with a 64-antenna planar array serving
//! 16 single-layer terminals (16 downlink streams) on up to three aggregated 20 MHz carriers;
//! its NR twin is 100 MHz at 30 kHz, 64T64R, 16 layers.
//!
//! What exists today is the foundation: the [`simd`] kernel crate (batched Gram, Cholesky,
//! solves and GEMM with scalar / AVX2 / AVX-512 / NEON backends), the [`Error`] type and the
//! [`perf`] measurement helpers. The signal-processing blocks (sequences, modulation, OFDM,
//! arrays, estimation, precoding, detection, channels, links) build on them; see
//! `ARCHITECTURE.md`.
//!
//! Conventions: complex samples are [`C32`]; array arguments document their axis order
//! (first axis slowest); "noise_var" is the complex noise variance E|n|².

pub mod array;
pub mod beamforming;
pub mod carrier;
pub mod detection;
pub mod error;
pub mod modulation;
pub mod ofdm;
pub mod perf;
pub mod precoding;
pub mod rate;
pub mod sequence;
pub mod vectors;

pub use error::{Error, Result};
/// The kernel crate, re-exported.
pub use massive_mimo_simd as simd;
/// Complex f32, the sample type of the whole library.
pub use massive_mimo_simd::C32;

/// Crate version, as printed by `mimo info`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
