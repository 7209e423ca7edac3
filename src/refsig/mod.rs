//! Reference signals: the pilots channel estimation runs on.
//!
//! * [`dmrs`]: NR DMRS for PDSCH/PUSCH (38.211 §7.4.1.1, §6.4.1.1), types 1 and 2, single and
//!   double symbol, all ports of Tables 7.4.1.1.2-1/-2 with their OCC, n_SCID, Rel-16 c_init.
//! * [`ue_rs`]: LTE UE-specific RS, ports 7–14 (36.211 §6.10.3), normal and special subframes,
//!   with the cover reversal that separates four ports per CDM group within a slot.
//! * [`srs`]: NR SRS (38.211 §6.4.1.4): 1, 2 or 4 ports, combs 2/4/8, cyclic shifts, several
//!   users in one symbol; LTE SRS (36.211 §5.5.3) is the same construction on comb 2 (or 4)
//!   with the LTE base sequences ([`SrsConfig::sequence`]).
//! * [`csi_rs`]: NR NZP CSI-RS (38.211 §7.4.1.5), all 18 rows of Table 7.4.1.5.3-1 (1–32
//!   ports; no CDM, FD-CDM2, CDM4, CDM8; densities 3, 1, 0.5).
//! * [`srs_bandwidth`]: the SRS bandwidth tree and frequency hopping of NR and LTE (C_SRS,
//!   B_SRS, b_hop, n_RRC, n_SRS → the sounded band).
//!
//! Every generator writes the pilot grid `[ports, symbols, subcarriers]` (pilot value on its
//! REs, 0 elsewhere) that [`crate::estimation::PilotPattern::from_pilots`] reads.

pub mod csi_rs;
pub mod dmrs;
pub mod srs;
pub mod srs_bandwidth;
pub mod ue_rs;

pub use csi_rs::{CsiRsConfig, CsiRsDensity};
pub use dmrs::{DmrsConfig, DmrsScratch, DmrsType, type_a_positions};
pub use srs::{SrsConfig, multiplexed_users, write_multiplexed_users};
pub use srs_bandwidth::{SrsBand, SrsBandwidthConfig, SrsRat, lte_srs_counter, nr_srs_counter};
pub use ue_rs::{UeRsConfig, UeRsSubframe};
