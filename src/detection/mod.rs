//! MIMO detection: linear equalisers for up to 32 layers on up to 256 receive antennas.
//!
//! * [`LinearEqualizer`]: ZF and MMSE (biased and unbiased) per resource element with
//!   post-equalisation noise variance per layer, on the batched simd kernels (Gram + Cholesky +
//!   inverse with the REs in the SIMD lanes);
//! * [`MimoDetector`]: the slot detector — one ZF/MMSE/MMSE-IRC filter per PRB group
//!   (batched in the lanes), applied to all REs of the group by complex GEMM, post-equalisation
//!   noise per group and layer, LLRs through the soft demapper; IRC interference factors from
//!   DMRS residuals ([`interference_factors`]);
//! * [`SicDetector`]: ordered MMSE(-IRC) successive interference cancellation per PRB group.

mod detector;
mod linear;
mod sic;

pub use detector::{
    DetectorConfig, DetectorMethod, DetectorReport, GroupChannels, MimoDetector,
    interference_factors,
};
pub use linear::{EqualizerMethod, EqualizerReport, LinearEqualizer};
pub use sic::{SicConfig, SicDetector};
