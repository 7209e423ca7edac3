//! Beamforming: codebooks of 3GPP TS 38.214 and beam patterns of weight vectors.

mod codebook_type1;
mod pattern;

pub use codebook_type1::TypeISinglePanel;
pub use pattern::{BeamPatternElement, beam_pattern_db};
