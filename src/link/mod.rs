//! Slot pipelines: the blocks chained per carrier (the simulated cell and the
//! carrier-aggregation runner that drive them in studies are in the `massive-mimo-sim` crate).
//!
//! * [`DownlinkSlot`]: SRS estimates → precoder weights per PRG (MRT / ZF / RZF) → precoding
//!   of the layer grid → OFDM per antenna; allocation-free per slot.
//! * [`UplinkSlot`]: OFDM demodulation per antenna → DMRS estimation → ZF / MMSE / MMSE-IRC
//!   detection → LLRs; allocation-free per slot.

pub mod downlink;
pub mod uplink;

pub use downlink::{DownlinkConfig, DownlinkSlot, PrecoderKind, SrsEstimation};
pub use uplink::UplinkSlot;
