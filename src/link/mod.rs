//! Slot pipelines: the blocks chained per carrier, and the carrier-aggregation runner.
//!
//! * [`DownlinkSlot`]: SRS estimates → precoder weights per PRG (MRT / ZF / RZF) → precoding
//!   of the layer grid → OFDM per antenna; allocation-free per slot.
//! * [`UplinkSlot`]: OFDM demodulation per antenna → DMRS estimation → ZF / MMSE / MMSE-IRC
//!   detection → LLRs; allocation-free per slot.
//! * [`cell`]: a simulated 3D-MIMO cell on one carrier (sounding, user selection, precoding,
//!   the users' reception, link adaptation and throughput) and on a carrier-aggregation set,
//!   carriers in parallel on rayon ([`run_carriers`]).

pub mod cell;
pub mod downlink;
pub mod uplink;

pub use cell::{
    CarrierResult, CellScenario, ChannelKind, Csi, StreamResult, run_carriers,
    simulate_aggregation, simulate_carrier,
};
pub use downlink::{DownlinkConfig, DownlinkSlot, PrecoderKind, SrsEstimation};
pub use uplink::UplinkSlot;
