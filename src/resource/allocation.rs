//! PRB allocations and MU-MIMO groups of one slot.

use std::ops::Range;

use crate::{Error, Result};

/// One or more PRB ranges of a carrier, ascending and disjoint, each non-empty; a view of the
/// caller's ranges (nothing allocated). PRB indices count from the carrier's first PRB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrbAllocation<'a> {
    ranges: &'a [Range<usize>],
}

impl<'a> PrbAllocation<'a> {
    /// Validates `ranges` against a carrier of `n_prb` PRBs.
    ///
    /// Errors (`InvalidParameter` naming "prb allocation" and the offending range): no range,
    /// an empty range, ranges out of order or overlapping, a range beyond `n_prb`.
    pub fn new(ranges: &'a [Range<usize>], n_prb: usize) -> Result<Self> {
        let bad = |r: &Range<usize>, reason: &'static str| Error::InvalidParameter {
            name: "prb allocation",
            value: crate::value!("{r:?} of {ranges:?} on {n_prb} PRBs"),
            reason,
        };
        if ranges.is_empty() {
            return Err(Error::InvalidParameter {
                name: "prb allocation",
                value: "[]".into(),
                reason: "at least one PRB range",
            });
        }
        let mut prev_end = 0;
        for (i, r) in ranges.iter().enumerate() {
            if r.is_empty() {
                return Err(bad(r, "every range must hold at least one PRB"));
            }
            if i > 0 && r.start < prev_end {
                return Err(bad(r, "ranges must be ascending and must not overlap"));
            }
            if r.end > n_prb {
                return Err(bad(r, "the range ends beyond the carrier"));
            }
            prev_end = r.end;
        }
        Ok(Self { ranges })
    }

    /// The ranges.
    pub fn ranges(&self) -> &'a [Range<usize>] {
        self.ranges
    }

    /// PRBs allocated.
    pub fn n_prb(&self) -> usize {
        self.ranges.iter().map(|r| r.len()).sum()
    }

    /// Whether PRB `p` is allocated.
    pub fn contains(&self, p: usize) -> bool {
        self.ranges.iter().any(|r| r.contains(&p))
    }

    /// Whether any PRB of `prbs` is allocated.
    pub fn intersects(&self, prbs: &Range<usize>) -> bool {
        self.ranges
            .iter()
            .any(|r| r.start < prbs.end && prbs.start < r.end)
    }

    /// The allocated PRBs in ascending order.
    pub fn prbs(&self) -> impl Iterator<Item = usize> + 'a {
        self.ranges.iter().flat_map(|r| r.clone())
    }
}

/// Users co-scheduled on one PRB allocation in one slot: one single-layer stream each
/// (`users[j]` is the candidate index of the group's j-th stream).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MuGroup<'a> {
    /// Candidate indices (distinct within the group).
    pub users: &'a [usize],
    /// The PRBs the group is scheduled on.
    pub prbs: PrbAllocation<'a>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::single_range_in_vec_init)] // one-range allocations are meant
    fn allocations_are_validated_with_the_offending_range() {
        let ok = [0..4, 10..12];
        let a = PrbAllocation::new(&ok, 12).unwrap();
        assert_eq!(a.n_prb(), 6);
        assert!(a.contains(11) && !a.contains(4));
        assert!(a.intersects(&(3..5)) && !a.intersects(&(4..10)));
        assert_eq!(a.prbs().collect::<Vec<_>>(), vec![0, 1, 2, 3, 10, 11]);
        let named = |r: &[Range<usize>], want: &str| match PrbAllocation::new(r, 12) {
            Err(Error::InvalidParameter { name, value, .. }) => {
                assert_eq!(name, "prb allocation");
                assert!(value.starts_with(want), "{value} should start with {want}");
            }
            other => panic!("{r:?}: {other:?}"),
        };
        named(&[], "[]");
        named(&[0..4, 5..5], "5..5");
        named(&[0..4, 3..6], "3..6");
        named(&[6..8, 0..2], "0..2");
        named(&[0..13], "0..13");
    }
}
