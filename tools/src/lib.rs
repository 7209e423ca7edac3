//! # massive-mimo-tools
//!
//! Tooling around the runtime library [`massive_mimo`], used by the `mimo` CLI, the tests and
//! the benchmarks:
//!
//! * [`vectors`]: the reference-vector runner (`../shared/VECTORS.md` format: `manifest.toml`
//!   + `.npy`), its `.npy` reader and the kernel registry;
//! * [`reference`](mod@reference): reference implementations the vectors and tests compare against — the
//!   per-RE ZF/MMSE equaliser of the `equalize` contract (the runtime's per-PRB
//!   `MimoDetector` supersedes it on real-time threads);
//! * [`perf`]: time per call, GFLOP/s and share of the measured single-core peak, and the SIMD
//!   kernel cases at the reference sizes.
//!
//! This crate depends on `serde` and `toml`; the runtime crate depends on neither.

#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod perf;
pub mod reference;
pub mod vectors;
