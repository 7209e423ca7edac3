//! Small dense linear algebra in f64 for the design-time and per-PRB helpers (estimation
//! filters, selection metrics, eigen-beamforming, block diagonalisation, IRC interference
//! factors): orders ≤ a few tens (≤ 256). Per-RE and batched work runs on the SIMD kernels.
//!
//! * [`hermitian_eigen`] / [`HermitianEigen`]: Jacobi eigen-decomposition of a Hermitian
//!   matrix (the workspace form allocates nothing per call);
//! * [`solve_hermitian`]: a Hermitian positive-definite solve by Cholesky (small per-RE or
//!   per-PRB systems: a multi-antenna receiver's MMSE-IRC combiner).

mod cholesky;
mod eigen;

pub use cholesky::solve_hermitian;
pub(crate) use cholesky::{cholesky_in_place, solve_cholesky, solve_cholesky_many};
pub use eigen::{HermitianEigen, MAX_EIGEN_ORDER, hermitian_eigen};
