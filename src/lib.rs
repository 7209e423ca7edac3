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
//! The blocks, and how they chain (see `ARCHITECTURE.md` for what each one does inside):
//!
//! * downlink: SRS ([`refsig::SrsConfig`]) → [`estimation::ChannelEstimator`] → beam/user
//!   choice ([`beamforming::PrecoderSelector`], [`beamforming::eigen_beams`]) →
//!   [`precoding::RzfPrecoder`] weights → bits → [`modulation::map`] →
//!   [`precoding::PrecoderApplier`] (GEMM per PRG) → [`ofdm::OfdmModulator`] per antenna;
//! * uplink: [`ofdm::OfdmDemodulator`] per antenna → DMRS ([`refsig::DmrsConfig`]) →
//!   [`estimation::ChannelEstimator`] → [`detection::MimoDetector`] (ZF / MMSE / MMSE-IRC per
//!   PRB) → LLRs through [`modulation::demap`];
//! * around them: [`sequence`] (Gold, low-PAPR, hopping), [`array`](mod@array) and [`beamforming`]
//!   (steering vectors, Type I codebook, DFT grids, beam patterns), [`carrier`] (numerology,
//!   bandwidths, TDD, component carriers and aggregation sets), [`rate`] (TBS, MCS, peak
//!   rates), [`tables`] (3GPP tables generated from the cross-checked shared files);
//! * chained per carrier: [`link::DownlinkSlot`] and [`link::UplinkSlot`].
//!
//! This crate is the runtime an L1 links: it depends on no `rand`, `rayon`, `serde` or `toml`.
//! Studies use the `massive-mimo-sim` crate (channel models, the simulated cell, the
//! carrier-aggregation runner); the reference-vector runner and the performance harness are in
//! `massive-mimo-tools`.
//!
//! ```
//! use massive_mimo::modulation::{DemapMethod, Modulation, demap, map};
//! use massive_mimo::C32;
//! let bits = [0u8, 1, 1, 0, 1, 1, 0, 0];
//! let mut sym = [C32::new(0.0, 0.0); 2];
//! map(Modulation::Qam16, &bits, &mut sym)?;
//! let mut llr = [0.0f32; 8];
//! demap(Modulation::Qam16, DemapMethod::MaxLog, &sym, &[0.01, 0.01], &mut llr)?;
//! assert!(llr.iter().zip(&bits).all(|(l, &b)| (*l < 0.0) == (b == 1)));
//! # Ok::<(), massive_mimo::Error>(())
//! ```
//!
//! Conventions: complex samples are [`C32`]; array arguments document their axis order
//! (first axis slowest); "noise_var" is the complex noise variance E|n|².

// `deny`, not `forbid`: ndarray's `s!` macro allows `unsafe_code` inside its expansion, which a
// `forbid` rejects; `.ci/run` fails on any `allow(unsafe_code)` in this project's own sources.
#![deny(unsafe_code)]

pub mod array;
pub mod beamforming;
pub mod cache;
pub mod carrier;
pub mod detection;
pub mod error;
pub mod estimation;
pub mod fronthaul;
pub mod grid_apply;
pub mod linalg;
pub mod link;
pub mod modulation;
pub mod ofdm;
pub mod precoding;
pub mod rate;
pub mod refsig;
pub mod resource;
pub mod sequence;
pub mod tables;

pub use error::{Error, Result};
/// The kernel crate, re-exported.
pub use massive_mimo_simd as simd;
/// Complex f32, the sample type of the whole library.
pub use massive_mimo_simd::C32;
/// The array crate of every grid, channel and weight view in the API, re-exported so that a
/// caller builds its views with the same version (`massive_mimo::ndarray::ArrayView3`, …).
pub use ndarray;
/// The complex-number crate behind [`C32`], re-exported likewise.
pub use num_complex;

/// Crate version, as printed by `mimo info`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
