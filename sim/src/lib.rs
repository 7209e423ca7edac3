//! # massive-mimo-sim
//!
//! What studies need and a real-time base station does not: channel models and the simulated
//! cell, on top of the runtime library [`massive_mimo`].
//!
//! * [`channel`]: AWGN, static and i.i.d. Rayleigh channels, tapped delay lines with Doppler,
//!   geometric clusters through the planar array (38.901 element pattern, polarisation, ray
//!   offsets, angle scaling), the 38.901 TDL/CDL models and the §7.5 stochastic model
//!   ([`channel::stochastic`]);
//! * [`link_budget`]: powers, noise figures, coupling loss, element gain, uplink power control
//!   and other-cell interference of a 38.901 drop → the gains and SNRs of a [`CellScenario`];
//! * [`calibration`]: TDD reciprocity — radio-chain mismatch and its over-the-air calibration;
//! * [`port_signalling`]: which UE-RS port, n_SCID and DMRS identity each LTE stream gets;
//! * [`ue_receiver`]: multi-antenna users — MRC / MMSE-IRC combining, SRS antenna switching
//!   and the eigen-direction the base station then precodes toward;
//! * [`cell`]: a simulated multi-user 3D-MIMO cell on one carrier — sounding, user selection,
//!   precoding through [`massive_mimo::link::DownlinkSlot`], the users' reception, the uplink
//!   through [`massive_mimo::link::UplinkSlot`], link adaptation and throughput — and over a
//!   carrier-aggregation set, carriers in parallel on rayon ([`cell::run_carriers`]).
//!
//! This crate depends on `rand` and `rayon`; the runtime crate depends on neither.

#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod calibration;
pub mod cell;
pub mod channel;
pub mod link_abstraction;
pub mod link_budget;
pub mod port_signalling;
pub mod ue_receiver;

pub use cell::{
    CarrierResult, CellScenario, ChannelKind, Csi, Reciprocity, StreamResult, run_carriers,
    simulate_aggregation, simulate_carrier,
};
pub use port_signalling::LteUeRsPorts;
pub use ue_receiver::{SrsAntennas, UeEstimation, UeReceiver};
