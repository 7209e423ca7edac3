//! Carrier configuration: numerology, channel bandwidth → PRBs and FFT size, TDD patterns.
//!
//! * [`numerology`]: µ, subcarrier spacing, slots and symbols (38.211 §4.2–4.3).
//! * [`bandwidth`]: transmission bandwidth N_RB for a channel bandwidth (38.101-1 Table
//!   5.3.2-1 for NR FR1, 38.101-2 Table 5.3.2-1 for FR2, 36.101 Table 5.6-1 for LTE) and the
//!   FFT size.
//! * [`tdd`]: LTE TDD uplink–downlink configurations 0–6 and special-subframe configurations
//!   (36.211 Tables 4.2-2 and 4.2-1), NR TDD slot patterns.
//! * [`component`]: component carriers (technology, band, centre frequency, bandwidth,
//!   numerology, TDD pattern, antenna array) and carrier-aggregation sets.

pub mod bandwidth;
pub mod component;
pub mod numerology;
pub mod tdd;

pub use bandwidth::{fft_size, lte_n_rb, nr_n_rb};
pub use component::{
    CarrierAggregation, ComponentCarrier, Duplex, OperatingBand, Rat, operating_band,
};
pub use numerology::Numerology;
pub use tdd::{LteTddConfig, NrTddPattern, SlotKind};
