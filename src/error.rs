//! The library's one error type.

use massive_mimo_simd::SimdError;

/// Why a constructor or a `process` call rejected its input.
///
/// Every variant names the offending parameter and its value so that a base-station log line
/// is enough to find the misconfiguration.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A configuration parameter is outside its valid range or set.
    #[error("invalid {name} = {value}: {reason}")]
    InvalidParameter {
        /// Parameter name as in the configuration struct (and the 3GPP spec where it has one).
        name: &'static str,
        /// The rejected value, formatted.
        value: String,
        /// What the valid values are.
        reason: &'static str,
    },
    /// An input or output array has the wrong shape.
    #[error("{name} has shape {got:?}, expected {expected:?}")]
    ShapeMismatch {
        /// The argument (with its axis order), e.g. `"h [n_sc, k, n_tx]"`.
        name: &'static str,
        /// The shape it must have.
        expected: Vec<usize>,
        /// The shape it has.
        got: Vec<usize>,
    },
    /// A scalar input is NaN or infinite where a finite value is required.
    #[error("{name} = {value} is not finite")]
    NonFinite {
        /// The input.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// A kernel of the SIMD crate rejected its arguments.
    #[error(transparent)]
    Simd(#[from] SimdError),
}

impl Error {
    /// The parameter (or argument, with its axis order) the error names — what a log line or a
    /// test keys on; `"simd"` for a kernel error, whose own type names the kernel argument.
    pub fn parameter(&self) -> &'static str {
        match self {
            Error::InvalidParameter { name, .. }
            | Error::ShapeMismatch { name, .. }
            | Error::NonFinite { name, .. } => name,
            Error::Simd(_) => "simd",
        }
    }
}

/// `Result` with the library's [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

/// Checks that every noise variance is finite and ≥ 0; the error names the first bad value.
pub fn check_noise_var(noise_var: &[f32]) -> Result<()> {
    match noise_var
        .iter()
        .find(|v| v.is_nan() || **v < 0.0 || v.is_infinite())
    {
        Some(&v) => Err(Error::InvalidParameter {
            name: "noise_var",
            value: v.to_string(),
            reason: "must be finite and ≥ 0",
        }),
        None => Ok(()),
    }
}

/// Checks a layers × antennas problem for the linear MIMO processors (precoder, equaliser):
/// at least as many antennas as layers, within the batched kernels' limits (32 × 256).
pub fn check_layers_antennas(layers: usize, antennas: usize) -> Result<()> {
    if layers > antennas {
        return Err(Error::InvalidParameter {
            name: "layers",
            value: format!("{layers} > antennas = {antennas}"),
            reason: "linear precoding and detection need at least as many antennas as layers",
        });
    }
    if layers > massive_mimo_simd::MAX_ORDER || antennas > massive_mimo_simd::MAX_GRAM_INNER {
        return Err(Error::InvalidParameter {
            name: "layers × antennas",
            value: format!("{layers} × {antennas}"),
            reason: "supported up to 32 layers and 256 antennas",
        });
    }
    Ok(())
}

/// The parameter an error names (unit tests assert it rather than `is_err()`); `"simd"` for a
/// kernel error. Panics when `r` is `Ok`.
#[cfg(test)]
pub(crate) fn name_of<T>(r: Result<T>) -> &'static str {
    match r {
        Err(e) => e.parameter(),
        Ok(_) => panic!("expected an error, got Ok"),
    }
}
