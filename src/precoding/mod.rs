//! MU-MIMO precoding: per-PRB (or per-subcarrier) weights from channel estimates.
//!
//! So far: regularised zero forcing ([`RzfPrecoder`]: ZF at α = 0, RZF/MMSE for α > 0, MRT
//! as α → ∞) with column or total power normalisation, computed on the batched simd kernels
//! (Gram + Cholesky with the PRBs in the SIMD lanes); and the application of the weights to
//! the layer symbols per PRB or PRG ([`PrecoderApplier`], complex GEMM), straight into the
//! OFDM modulator's input grid if wanted; per-antenna power normalisation; SU-MIMO SVD
//! precoding with water-filling ([`svd_precoder`]); block diagonalisation for users with several
//! layers ([`block_diagonalization`]); semi-orthogonal user selection
//! ([`semi_orthogonal_selection`]) for cells with more candidates than streams.

mod block_diagonalization;
mod rzf;
mod svd;
mod user_selection;

/// Precoder application per PRB/PRG (see [`crate::grid_apply`]): `y = W·x` from layers to
/// antennas, straight into the OFDM modulator's input grid.
pub use crate::grid_apply::GridApplier as PrecoderApplier;
pub use block_diagonalization::block_diagonalization;
pub use rzf::{Normalization, RzfPrecoder, RzfReport};
pub use svd::{SvdPrecoding, svd_precoder, water_filling};
pub use user_selection::semi_orthogonal_selection;
