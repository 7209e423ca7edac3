//! Channel estimation from reference signals (NR DMRS, SRS, CSI-RS; LTE UE-specific RS) for
//! many receive antennas × many ports.
//!
//! The chain, per pilot pattern ([`PilotPattern`], worked out from the transmitted pilots):
//!
//! 1. least squares on every CDM block with cover-code / cyclic-shift de-spreading
//!    (`ĥ = (XᴴX)⁻¹Xᴴy` over the block's REs; noise variance σ²·[(XᴴX)⁻¹]_qq);
//! 2. per-port statistics: noise variance (if not given), RSRP, SINR, mean delay (timing
//!    advance) and delay spread ([`ChannelReport`]);
//! 3. a frequency filter to every subcarrier ([`FrequencyMethod`]: linear, LMMSE with the
//!    estimated delay prior, DFT denoising), run as complex GEMMs on the SIMD kernels;
//! 4. time interpolation between pilot runs ([`ChannelEstimator::interpolate_time`]).
//!
//! For ports multiplexed by cyclic shifts on a comb (SRS), [`CyclicShiftEstimator`] separates
//! them in the delay domain instead of by block de-spreading (exact on delay-spread channels
//! up to the cyclic-shift spacing), with DFT-window denoising and the noise, RSRP and delay
//! report from the taps. Both implement [`SlotEstimator`], the one interface the slot
//! pipelines hold.
//!
//! Units: subcarrier indices for frequency, OFDM-symbol indices for time, delays in units of
//! the useful symbol duration 1/Δf (numerology-free; multiply by 1/Δf for seconds).

mod cyclic_shift;
mod estimator;
mod frequency;
mod lane_dft;
mod least_squares;
mod pattern;
mod slot_estimator;

pub use cyclic_shift::CyclicShiftEstimator;
pub use estimator::{ChannelEstimator, ChannelReport, EstimatorConfig, OutputResolution};
pub use frequency::{DelayPrior, FrequencyMethod, NORMAL_CP_FRACTION, delay_prior};
pub use pattern::{CdmGroup, CoverSpan, PilotPattern, Run};
pub use slot_estimator::SlotEstimator;
