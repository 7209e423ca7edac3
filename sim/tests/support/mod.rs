//! Shared set-up of the simulated-cell tests.

use massive_mimo::array::PanelArray;
use massive_mimo::carrier::ComponentCarrier;
use massive_mimo_sim::{CarrierResult, CellScenario, StreamResult, simulate_carrier};

/// `sc` on one TD-LTE band-41 carrier (2595 MHz) with a 16-antenna array (4 × 2 × 2: small
/// enough for a debug build).
pub fn small_lte_carrier(sc: &CellScenario) -> CarrierResult {
    let array = PanelArray::cross_polarized(4, 2).unwrap();
    let carrier = ComponentCarrier::td_lte_band41(2595.0, array, 2.6e9).unwrap();
    let ch = sc.build_channel(&array, 2.6e9).unwrap();
    simulate_carrier(&carrier, ch.as_ref(), sc, 0).unwrap()
}

/// Mean of `f` over a carrier's downlink streams.
pub fn mean(r: &CarrierResult, f: impl Fn(&StreamResult) -> f64) -> f64 {
    r.streams.iter().map(f).sum::<f64>() / r.streams.len() as f64
}
