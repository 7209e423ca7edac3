//! One interface for the slot's channel estimators: [`ChannelEstimator`] (block LS with CDM
//! de-spreading and frequency filters) and [`CyclicShiftEstimator`] (cyclic shifts separated in
//! the delay domain). A pipeline holds a `Box<dyn SlotEstimator>` (or is generic over it) and
//! swaps the algorithm without another code path.

use ndarray::ArrayView3;

use super::{ChannelEstimator, ChannelReport, CyclicShiftEstimator};
use crate::resource::ChannelEstimate;
use crate::{C32, Result};

/// A channel estimator of one slot's pilot grid.
///
/// Input `rx` [n_rx, n_sym, n_sc] (the received grid); output a [`ChannelEstimate`]
/// `[`[`Self::n_runs`]`, `[`Self::n_outputs`]`, n_ports, n_rx]` (ports in pilot-grid order, one
/// estimate per pilot run and per output position: subcarrier or PRB) with the report, built
/// once by [`Self::estimate`]. Allocation-free.
pub trait SlotEstimator: Send {
    /// Estimates every port; `noise_var` per RE, or measured from the pilots when `None`.
    fn process(
        &mut self,
        rx: ArrayView3<'_, C32>,
        noise_var: Option<f32>,
        est: &mut ChannelEstimate,
    ) -> Result<&ChannelReport>;

    /// A zero estimate of the shape `process` writes.
    fn estimate(&self) -> Result<ChannelEstimate>;

    /// The report of the last call (noise, RSRP, SINR, delays per port).
    fn report(&self) -> &ChannelReport;

    /// Output positions per run (subcarriers or PRBs).
    fn n_outputs(&self) -> usize;

    /// Pilot runs (time positions) of the output; 1 for the delay-domain estimator.
    fn n_runs(&self) -> usize;
}

impl SlotEstimator for ChannelEstimator {
    fn process(
        &mut self,
        rx: ArrayView3<'_, C32>,
        noise_var: Option<f32>,
        est: &mut ChannelEstimate,
    ) -> Result<&ChannelReport> {
        ChannelEstimator::process(self, rx, noise_var, est)
    }

    fn estimate(&self) -> Result<ChannelEstimate> {
        ChannelEstimator::estimate(self)
    }

    fn report(&self) -> &ChannelReport {
        ChannelEstimator::report(self)
    }

    fn n_outputs(&self) -> usize {
        ChannelEstimator::n_outputs(self)
    }

    fn n_runs(&self) -> usize {
        self.pattern().max_runs()
    }
}

impl SlotEstimator for CyclicShiftEstimator {
    fn process(
        &mut self,
        rx: ArrayView3<'_, C32>,
        noise_var: Option<f32>,
        est: &mut ChannelEstimate,
    ) -> Result<&ChannelReport> {
        CyclicShiftEstimator::process(self, rx, noise_var, est)
    }

    fn estimate(&self) -> Result<ChannelEstimate> {
        CyclicShiftEstimator::estimate(self)
    }

    fn report(&self) -> &ChannelReport {
        CyclicShiftEstimator::report(self)
    }

    fn n_outputs(&self) -> usize {
        CyclicShiftEstimator::n_outputs(self)
    }

    fn n_runs(&self) -> usize {
        1
    }
}
