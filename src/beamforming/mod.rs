//! Beamforming: the NR Type I codebook (38.214 §5.2.2.2.1, ranks 1–8), DFT grids of beams for
//! planar arrays, precoder/beam selection for measured channels, the UE's CSI report (RI, PMI,
//! CQI over all ranks), eigen-beamforming, and beam patterns of weight vectors.

mod codebook_type1;
mod csi_report;
mod dft_grid;
mod eigen;
mod pattern;
mod selection;

pub use codebook_type1::{Type1Index, TypeISinglePanel};
pub use csi_report::{CsiReport, CsiReporter};
pub use dft_grid::DftGrid;
pub use eigen::eigen_beams;
pub use pattern::{BeamPatternElement, beam_pattern_db};
pub use selection::{PrecoderSelector, Selection};
