//! The parameter an error names: error tests assert it, not just `is_err()` (issue 23).

use massive_mimo::Error;

/// The `name` of `r`'s error (`"simd"` for a kernel error); panics when `r` is `Ok`.
pub fn name<T>(r: massive_mimo::Result<T>) -> &'static str {
    match r {
        Err(Error::InvalidParameter { name, .. })
        | Err(Error::ShapeMismatch { name, .. })
        | Err(Error::NonFinite { name, .. }) => name,
        Err(Error::Simd(_)) => "simd",
        Ok(_) => panic!("expected an error, got Ok"),
    }
}
