//! MIMO detection: linear equalisers for up to 32 layers on up to 256 receive antennas.
//!
//! So far: ZF and MMSE (biased and unbiased) per resource element ([`LinearEqualizer`]) with
//! post-equalisation noise variance per layer, on the batched simd kernels (Gram + Cholesky +
//! inverse with the REs in the SIMD lanes).

mod linear;

pub use linear::{EqualizerMethod, EqualizerReport, LinearEqualizer};
