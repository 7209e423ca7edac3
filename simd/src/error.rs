//! The error type of the kernel crate.

use crate::Backend;

/// Why a kernel call or a constructor was rejected.
///
/// Every variant names the offending argument and its value, so a caller can log it as is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimdError {
    /// The requested backend cannot run on this CPU (or was not compiled for this target).
    #[error("SIMD backend `{0}` is not available on this CPU")]
    BackendUnavailable(Backend),
    /// A backend name that is not one of `scalar`, `avx2`, `avx512`, `neon`.
    #[error("unknown SIMD backend `{0}` (expected scalar, avx2, avx512 or neon)")]
    UnknownBackend(String),
    /// Two lengths that must agree do not.
    #[error("{what}: length {got} does not match the expected {expected}")]
    LengthMismatch {
        /// The argument whose length is wrong.
        what: &'static str,
        /// The length it must have.
        expected: usize,
        /// The length it has.
        got: usize,
    },
    /// A dimension (rows, columns, batch size) is zero.
    #[error("{what} must be at least 1, got 0")]
    ZeroDimension {
        /// The dimension that is zero.
        what: &'static str,
    },
    /// A dimension exceeds what the kernel supports.
    #[error("{what} = {value} exceeds the kernel limit {max}")]
    TooLarge {
        /// The dimension that is too large.
        what: &'static str,
        /// Its value.
        value: usize,
        /// The largest value the kernel accepts.
        max: usize,
    },
    /// A matrix argument has the wrong shape.
    #[error("{what} is {got_rows}×{got_cols}, expected {expected_rows}×{expected_cols}")]
    ShapeMismatch {
        /// The argument whose shape is wrong.
        what: &'static str,
        /// Rows it must have.
        expected_rows: usize,
        /// Columns it must have.
        expected_cols: usize,
        /// Rows it has.
        got_rows: usize,
        /// Columns it has.
        got_cols: usize,
    },
    /// Two batches that must hold the same number of matrices do not.
    #[error("{what} holds {got} matrices, expected {expected}")]
    BatchMismatch {
        /// The argument whose batch size is wrong.
        what: &'static str,
        /// The batch size it must have.
        expected: usize,
        /// The batch size it has.
        got: usize,
    },
    /// A scalar parameter is NaN or infinite.
    #[error("{what} = {value} is not finite")]
    NonFinite {
        /// The parameter.
        what: &'static str,
        /// Its value.
        value: f32,
    },
    /// A parameter that must be ≥ 0 is negative.
    #[error("{what} = {value} must be ≥ 0")]
    Negative {
        /// The parameter.
        what: &'static str,
        /// Its value.
        value: f32,
    },
    /// A parameter outside its half-open interval `[low, high)`.
    #[error("{what} = {value} is outside [{low}, {high})")]
    OutsideInterval {
        /// The parameter.
        what: &'static str,
        /// Its value.
        value: f32,
        /// The smallest value allowed.
        low: f32,
        /// The bound it must stay below.
        high: f32,
    },
    /// The allocator could not provide a buffer of this size (reported instead of aborting).
    #[error("{what}: could not allocate {bytes} bytes")]
    AllocationFailed {
        /// The buffer.
        what: &'static str,
        /// Its size in bytes.
        bytes: usize,
    },
    /// A block-floating-point width (udIqWidth / bfwIqWidth) outside 1..=16.
    #[error("BFP width {width} is not in 1..=16")]
    BfpWidth {
        /// The width given, in bits.
        width: u32,
    },
    /// A packed BFP block carries an exponent that int16 values cannot have at its width
    /// (`exponent > 16 − width`; O-RAN.WG4.CUS Annex A.1.1 data never does).
    #[error("BFP block {block}: exponent {exponent} exceeds {max} (16 − width)")]
    BfpExponent {
        /// Index of the block (PRB or bundle) in the call.
        block: usize,
        /// The exponent read from its udCompParam / bfwCompParam.
        exponent: u32,
        /// The largest exponent valid at this width.
        max: u32,
    },
    /// An index is outside a matrix or batch.
    #[error("{what} index {index} is out of range (size {size})")]
    OutOfRange {
        /// Which index.
        what: &'static str,
        /// Its value.
        index: usize,
        /// The size it must stay below.
        size: usize,
    },
}

/// `Result` with [`SimdError`].
pub type Result<T> = core::result::Result<T, SimdError>;
