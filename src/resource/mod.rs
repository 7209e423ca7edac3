//! The data that crosses blocks within a slot: the numbers every block shares, PRB allocations
//! and the MU-MIMO groups a scheduler forms per slot.
//!
//! These are views over the caller's memory (ranges, index slices): a real-time L1 builds
//! them every slot without allocating, and every processor checks them against its capacity
//! with typed errors.
//!
//! * [`SUBCARRIERS_PER_PRB`], [`SYMBOLS_PER_SLOT`]: 38.211 §4.4.4.1 N_sc^RB = 12 and the
//!   14 symbols of a normal-CP slot (§4.3.2), named once for the whole crate;
//! * [`PrbAllocation`]: one or more disjoint, ascending PRB ranges (allocation type 1 is one
//!   range; type 0 bitmaps are lists of RBG ranges, 38.214 §5.1.2.2);
//! * [`MuGroup`]: users co-scheduled on one PRB allocation (one layer each);
//! * [`ChannelEstimate`]: every port's channel at every antenna, `[run, output, port, ant]`,
//!   with the estimator's report — the one channel type from the estimators into user
//!   selection, the precoder and the detector;
//! * [`AlignedGrid`]: grids and waveforms on cache lines (the SIMD kernels' fast case).
//!
//! Dimension vocabulary, crate-wide: `n_ant` antennas (transmit or receive, of the array),
//! `n_ports` pilot ports, `n_layers` spatial layers/streams (`k` in matrix formulas: one per
//! user here), `n_prb` PRBs, `n_sc` subcarriers, `n_sym` OFDM symbols.

mod aligned;
mod allocation;
mod channel_estimate;

pub use aligned::{AlignedGrid, GRID_ALIGN};
pub use allocation::{MuGroup, PrbAllocation};
pub use channel_estimate::{ChannelEstimate, EstimateDims};

/// Subcarriers per resource block, N_sc^RB (38.211 §4.4.4.1).
pub const SUBCARRIERS_PER_PRB: usize = 12;

/// OFDM symbols per slot with a normal cyclic prefix (38.211 §4.3.2; an LTE subframe's two
/// slots of 7 together).
pub const SYMBOLS_PER_SLOT: usize = 14;

/// The runs of consecutive values of an ascending index list, in order (e.g. a slot's data
/// symbols `[0, 1, 4, 5, …, 13]` → `0..2`, `4..14`): what a block that takes a contiguous range
/// of symbols per call is called with. Allocation-free.
pub fn consecutive_runs(list: &[usize]) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        let start = *list.get(i)?;
        let mut end = start + 1;
        i += 1;
        while list.get(i) == Some(&end) {
            end += 1;
            i += 1;
        }
        Some(start..end)
    })
}

#[cfg(test)]
mod tests {
    use super::consecutive_runs;

    #[test]
    fn consecutive_runs_split_where_the_list_jumps() {
        let runs = |l: &[usize]| consecutive_runs(l).collect::<Vec<_>>();
        assert_eq!(runs(&[]), vec![]);
        assert_eq!(runs(&[7]), vec![7..8]);
        assert_eq!(runs(&[0, 1, 4, 5, 6, 13]), vec![0..2, 4..7, 13..14]);
        assert_eq!(runs(&[2, 4, 6]), vec![2..3, 4..5, 6..7]);
    }
}
