//! Slot pipelines: the blocks chained per carrier (the simulated cell and the
//! carrier-aggregation runner that drive them in studies are in the `massive-mimo-sim` crate).
//!
//! * [`DownlinkSlot`]: SRS estimates → precoder weights per PRG (MRT / ZF / RZF) → precoding
//!   of the layer grid → OFDM per antenna; allocation-free per slot.
//! * [`UplinkSlot`]: OFDM demodulation per antenna → DMRS estimation → ZF / MMSE / MMSE-IRC
//!   detection → LLRs; allocation-free per slot.
//!
//! Both are built once for the carrier's capacity and take each slot's MU-MIMO groups
//! ([`crate::resource::MuGroup`]: users on a [`crate::resource::PrbAllocation`]). The per-slot
//! loop of an L1 (this runs as a doc test; `tests/varying_slots.rs` runs 200 changing slots
//! under a counting allocator):
//!
//! ```
//! use massive_mimo::detection::DetectorMethod;
//! use massive_mimo::estimation::PilotPattern;
//! use massive_mimo::link::{DownlinkConfig, DownlinkSlot, PrecoderKind, SrsEstimation, UplinkSlot};
//! use massive_mimo::modulation::Modulation;
//! use massive_mimo::ofdm::{CyclicPrefix, OfdmConfig, Standard};
//! use massive_mimo::precoding::Normalization;
//! use massive_mimo::refsig::{DmrsConfig, DmrsType, SrsConfig, write_multiplexed_users};
//! use massive_mimo::resource::{MuGroup, PrbAllocation, SUBCARRIERS_PER_PRB, SYMBOLS_PER_SLOT};
//! use massive_mimo::C32;
//! use massive_mimo::ndarray::{Array2, Array3};
//!
//! // Construction, once: capacities (antennas, candidates = SRS ports, streams, PRBs).
//! let (n_ant, n_cand, n_prb) = (16, 8, 12);
//! let n_sc = SUBCARRIERS_PER_PRB * n_prb;
//! let ofdm = OfdmConfig {
//!     standard: Standard::Nr, scs_khz: 30, n_fft: 256, n_sc, n_symbols: SYMBOLS_PER_SLOT,
//!     cyclic_prefix: CyclicPrefix::Normal, slot: 0, scale: 1.0 / 16.0,
//! };
//! let mut srs = Array3::zeros((n_cand, SYMBOLS_PER_SLOT, n_sc));
//! write_multiplexed_users(&SrsConfig::single_port(4, n_prb, 13, (1, 0)), n_cand, srs.view_mut())?;
//! let mut dmrs = Array3::zeros((n_cand, SYMBOLS_PER_SLOT, n_sc));
//! DmrsConfig::new(DmrsType::Type2, (0..n_cand).collect(), vec![2], true)
//!     .write_pilots(dmrs.view_mut())?;
//! let cfg = DownlinkConfig {
//!     n_ant, n_candidates: n_cand, n_layers: n_cand, n_prb, prg_prbs: 2,
//!     precoder: PrecoderKind::Rzf, normalization: Normalization::Total,
//!     srs_estimation: SrsEstimation::DelayDomain,
//! };
//! let mut dl = DownlinkSlot::new(cfg, srs.view(), &ofdm)?;
//! let mut ul = UplinkSlot::new(n_ant, PilotPattern::from_pilots(dmrs.view())?, &ofdm)?;
//! // The host's own buffers (received grids come from its fronthaul).
//! let srs_rx = Array3::from_elem((n_ant, SYMBOLS_PER_SLOT, n_sc), C32::new(0.1, 0.0));
//! let mut antennas = Array3::zeros((n_ant, SYMBOLS_PER_SLOT, n_sc));
//! let mut wave = Array2::zeros((n_ant, dl.waveform_len()));
//! let mut llr = vec![0.0f32; n_sc * 4];
//!
//! // Every slot: the scheduler's MU-MIMO groups, no allocation, no rebuild.
//! let (band_a, band_b) = (0..4, 6..12);
//! let (users_a, users_b) = ([0usize, 2, 5], [1usize, 3]);
//! let groups = [
//!     MuGroup { users: &users_a, prbs: PrbAllocation::new(std::slice::from_ref(&band_a), n_prb)? },
//!     MuGroup { users: &users_b, prbs: PrbAllocation::new(std::slice::from_ref(&band_b), n_prb)? },
//! ];
//! dl.sound(srs_rx.view(), None)?;                     // SRS → per-PRB channel estimates
//! dl.compute_group_weights(&groups, 0.01)?;           // RZF per PRG, per group
//! let layers = Array3::zeros((5, SYMBOLS_PER_SLOT, n_sc)); // 5 streams: group A's, then B's
//! dl.precode(layers.view(), antennas.view_mut())?;    // into the 16-antenna grid
//! dl.modulate(antennas.view(), wave.view_mut())?;     // (or hand `antennas` to a 7.2x radio)
//! ul.grid_mut().assign(&srs_rx);                      // the uplink slot's received grid
//! ul.detect_groups(&groups, DetectorMethod::Mmse { unbiased: true }, None)?;
//! ul.llrs(Modulation::Qam16, 0, 5, &mut llr)?;         // stream 0, symbol 5 → decoder
//! # Ok::<(), massive_mimo::Error>(())
//! ```

pub mod downlink;
mod irc;
pub mod screen;
pub mod uplink;

pub use downlink::{DownlinkConfig, DownlinkSlot, PrecoderKind, SrsEstimation, precode_modulate};
pub use screen::{AntennaHealth, GridScreen, RowScreen};
pub use uplink::UplinkSlot;
