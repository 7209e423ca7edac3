//! The library's one error type, and the inline [`Value`] / [`Shape`] it carries: building an
//! error allocates nothing, so a real-time caller may reject input on its hot path (issue 21).

use core::fmt;

use massive_mimo_simd::SimdError;

/// Bytes of text a [`Value`] holds inline; longer text is cut at a character boundary and
/// ends in `…`.
pub const VALUE_CAPACITY: usize = 62;

/// The text of a rejected value, formatted into an inline buffer (no allocation). Build it with
/// [`Value::of`] (any `Display`), [`crate::value!`] (`format!` syntax) or from a `&str`; read
/// it as a `&str` ([`Value::as_str`], `Deref`, `Display`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Value {
    len: u8,
    buf: [u8; VALUE_CAPACITY],
}

impl Value {
    /// `v` formatted with `Display`.
    pub fn of<T: fmt::Display + ?Sized>(v: &T) -> Self {
        Self::from_args(format_args!("{v}"))
    }

    /// Formatted arguments (what [`crate::value!`] passes).
    pub fn from_args(args: fmt::Arguments<'_>) -> Self {
        let mut w = Writer {
            v: Value {
                len: 0,
                buf: [0; VALUE_CAPACITY],
            },
            full: false,
        };
        // A `Writer` never fails: it truncates.
        let _ = fmt::write(&mut w, args);
        w.v
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        // The buffer only ever receives whole UTF-8 characters (see `Writer`).
        core::str::from_utf8(&self.buf[..self.len as usize]).unwrap_or("")
    }
}

/// Appends whole characters while they fit, keeping room for the `…` that marks a cut.
struct Writer {
    v: Value,
    full: bool,
}

impl fmt::Write for Writer {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        const ELLIPSIS: &str = "…";
        for c in s.chars() {
            if self.full {
                break;
            }
            let len = self.v.len as usize;
            let n = c.len_utf8();
            if len + n + ELLIPSIS.len() > VALUE_CAPACITY {
                self.v.buf[len..len + ELLIPSIS.len()].copy_from_slice(ELLIPSIS.as_bytes());
                self.v.len = (len + ELLIPSIS.len()) as u8;
                self.full = true;
                break;
            }
            c.encode_utf8(&mut self.v.buf[len..len + n]);
            self.v.len = (len + n) as u8;
        }
        Ok(())
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Self::of(s)
    }
}

impl core::ops::Deref for Value {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq<&str> for Value {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// [`Value`] from `format!` arguments, without allocating:
/// `value!("{layers} > antennas = {antennas}")`.
#[macro_export]
macro_rules! value {
    ($($arg:tt)*) => {
        $crate::error::Value::from_args(::core::format_args!($($arg)*))
    };
}

/// Axes a [`Shape`] holds inline (every array of the crate has at most four).
pub const SHAPE_CAPACITY: usize = 4;

/// An array shape held inline (no allocation): up to [`SHAPE_CAPACITY`] axes; a longer shape
/// keeps its first four and its true rank ([`Shape::rank`]). Reads as a `&[usize]`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shape {
    rank: u8,
    dims: [usize; SHAPE_CAPACITY],
}

impl Shape {
    /// The shape with these axis lengths.
    pub fn of(dims: &[usize]) -> Self {
        let mut s = Shape {
            rank: dims.len().min(u8::MAX as usize) as u8,
            dims: [0; SHAPE_CAPACITY],
        };
        for (d, &v) in s.dims.iter_mut().zip(dims) {
            *d = v;
        }
        s
    }

    /// The number of axes (may exceed the axes held).
    pub fn rank(&self) -> usize {
        self.rank as usize
    }

    /// The axis lengths held (the first [`SHAPE_CAPACITY`]).
    pub fn as_slice(&self) -> &[usize] {
        &self.dims[..self.rank().min(SHAPE_CAPACITY)]
    }
}

impl core::ops::Deref for Shape {
    type Target = [usize];
    fn deref(&self) -> &[usize] {
        self.as_slice()
    }
}

impl fmt::Debug for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.rank() > SHAPE_CAPACITY {
            write!(f, "{:?}… ({} axes)", self.as_slice(), self.rank())
        } else {
            fmt::Debug::fmt(self.as_slice(), f)
        }
    }
}

impl<const N: usize> PartialEq<[usize; N]> for Shape {
    fn eq(&self, other: &[usize; N]) -> bool {
        self.rank() == N && self.as_slice() == other
    }
}

/// Why a constructor or a `process` call rejected its input.
///
/// Every variant names the offending parameter and its value so that a base-station log line
/// is enough to find the misconfiguration. Building one allocates nothing: values and shapes
/// are held inline ([`Value`], [`Shape`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A configuration parameter is outside its valid range or set.
    #[error("invalid {name} = {value}: {reason}")]
    InvalidParameter {
        /// Parameter name as in the configuration struct (and the 3GPP spec where it has one).
        name: &'static str,
        /// The rejected value, formatted (inline, see [`Value`]).
        value: Value,
        /// What the valid values are.
        reason: &'static str,
    },
    /// An input or output array has the wrong shape.
    #[error("{name} has shape {got:?}, expected {expected:?}")]
    ShapeMismatch {
        /// The argument (with its axis order), e.g. `"h [n_sc, k, n_tx]"`.
        name: &'static str,
        /// The shape it must have.
        expected: Shape,
        /// The shape it has.
        got: Shape,
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
    // Branch-free per chunk (the compiler vectorises the fold: a per-element `find` cost
    // 2 ns a value, more than the demapper it guards); the search runs only on a bad chunk.
    let valid = |v: f32| (0.0..=f32::MAX).contains(&v); // false for NaN, < 0 and +∞
    let bad_chunk = noise_var
        .chunks(256)
        .find(|c| !c.iter().fold(true, |ok, &v| ok & valid(v)));
    match bad_chunk.and_then(|c| c.iter().find(|&&v| !valid(v))) {
        Some(&v) => Err(Error::InvalidParameter {
            name: "noise_var",
            value: crate::error::Value::of(&v),
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
            value: crate::value!("{layers} > antennas = {antennas}"),
            reason: "linear precoding and detection need at least as many antennas as layers",
        });
    }
    if layers > massive_mimo_simd::MAX_ORDER || antennas > massive_mimo_simd::MAX_GRAM_INNER {
        return Err(Error::InvalidParameter {
            name: "layers × antennas",
            value: crate::value!("{layers} × {antennas}"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_shapes_are_inline_and_cut_cleanly() {
        // Small enough to return by value everywhere (clippy's `result_large_err` is 128).
        assert!(
            core::mem::size_of::<Error>() <= 104,
            "{}",
            core::mem::size_of::<Error>()
        );
        assert_eq!(Value::of(&1.5f32), "1.5");
        assert_eq!(crate::value!("{} × {}", 3, 4), "3 × 4");
        assert_eq!(Value::from("x"), "x");
        // A multi-byte text cut at a character boundary, with the marker.
        let v = Value::of(&"×".repeat(40));
        assert!(v.len() <= VALUE_CAPACITY && v.ends_with('…') && v.starts_with("××"));
        assert_eq!(
            v.chars().filter(|&c| c == '×').count(),
            (VALUE_CAPACITY - 3) / 2
        );
        // Exactly full still fits without a cut.
        let exact = "a".repeat(VALUE_CAPACITY - 3);
        assert_eq!(Value::of(&exact), exact.as_str());
        let s = Shape::of(&[2, 3]);
        assert_eq!(s, [2, 3]);
        assert_eq!(format!("{s:?}"), "[2, 3]");
        let long = Shape::of(&[1, 2, 3, 4, 5]);
        assert_eq!(long.rank(), 5);
        assert_eq!(long.as_slice(), &[1, 2, 3, 4]);
        assert_eq!(format!("{long:?}"), "[1, 2, 3, 4]… (5 axes)");
        let e = Error::ShapeMismatch {
            name: "y",
            expected: Shape::of(&[4, 14]),
            got: Shape::of(&[4, 12]),
        };
        assert_eq!(e.to_string(), "y has shape [4, 12], expected [4, 14]");
    }
}
