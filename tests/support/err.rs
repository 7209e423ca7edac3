//! The parameter an error names: error tests assert it, not just `is_err()` (issue 23).

/// [`massive_mimo::Error::parameter`] of `r`'s error; panics when `r` is `Ok`.
pub fn name<T>(r: massive_mimo::Result<T>) -> &'static str {
    match r {
        Err(e) => e.parameter(),
        Ok(_) => panic!("expected an error, got Ok"),
    }
}
