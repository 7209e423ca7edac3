//! Timing in the simulated cell: the SRS-to-weights processing delay.

use massive_mimo::array::PanelArray;
use massive_mimo::carrier::ComponentCarrier;
use massive_mimo_sim::{CellScenario, simulate_carrier};

/// TD-LTE configuration 2 sounds in the UpPTS of subframes 1 and 6 (≈ 1.93 ms and 6.93 ms) and
/// transmits next in subframes 3 and 8: a 1 ms processing delay changes nothing there (the
/// results are identical to no delay), a 2 ms one makes subframes 3 and 8 precode with the
/// previous sounding's weights (the results change), and a delay that is not finite and ≥ 0
/// is a typed error.
#[test]
fn srs_processing_delay_holds_back_the_weights() {
    let array = PanelArray::cross_polarized(4, 2).unwrap();
    let carrier = ComponentCarrier::td_lte_band41(2595.0, array, 2.6e9).unwrap();
    let run = |delay: f64| {
        let mut sc = CellScenario::reference(4);
        sc.srs_processing_s = delay;
        // Fast users, so that older weights show.
        for u in &mut sc.users {
            u.speed_mps = 30.0;
        }
        let ch = sc.build_channel(&array, 2.6e9).unwrap();
        simulate_carrier(&carrier, ch.as_ref(), &sc, 0).map(|r| {
            r.streams
                .iter()
                .map(|s| s.predicted_sinr_db)
                .collect::<Vec<_>>()
        })
    };
    let none = run(0.0).unwrap();
    assert_eq!(run(1e-3).unwrap(), none);
    let late = run(2e-3).unwrap();
    assert_ne!(late, none);
    for bad in [-1e-3, f64::NAN] {
        assert_eq!(
            run(bad).err().map(|e| e.parameter()),
            Some("srs_processing_s")
        );
    }
}
