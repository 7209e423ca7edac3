//! MIMO detection: linear equalisers for up to 32 layers on up to 256 receive antennas.
//!
//! * [`MimoDetector`]: the slot detector — one ZF/MMSE/MMSE-IRC filter per PRB group
//!   (batched in the lanes), applied to all REs of the group by complex GEMM, post-equalisation
//!   noise per group and layer, LLRs through the soft demapper;
//! * [`InterferenceEstimator`]: IRC interference factors from DMRS residuals (allocation-free;
//!   [`interference_factors`] is its one-shot form);
//! * [`SicDetector`]: ordered MMSE(-IRC) successive interference cancellation per PRB group.
//!
//! Channels come in the crate's axis order, `[group, layer, antenna]`
//! ([`crate::resource::ChannelEstimate`]). The per-RE equaliser that the `equalize` reference
//! vectors define lives on as a reference in the tools crate
//! (`massive_mimo_tools::reference::LinearEqualizer`).

mod detector;
mod interference;
mod sic;

pub use detector::{
    DetectorConfig, DetectorMethod, DetectorReport, GroupChannels, MAX_GROUPS, MimoDetector,
};
pub use interference::{InterferenceEstimator, interference_factors};
pub use sic::{SicConfig, SicDetector};
