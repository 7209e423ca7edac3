//! The users' UE-RS estimation on per-PRB precoded channels: a filter inside each PRG against
//! one across the band ([`UeEstimation`]), and the refusal of PRGs too small for a noise
//! estimate.

mod support;

use massive_mimo_sim::channel::TdlProfile;
use massive_mimo_sim::{CarrierResult, CellScenario, ChannelKind, Csi, UeEstimation};
use support::{mean, small_lte_carrier};

/// One TD-LTE band-41 carrier, a 16-antenna array (4 × 2 × 2), 4 users on EVA (36.104: 2.5 µs
/// of delay, so the channel turns inside a PRB), RZF per PRB from the true channel, downlink
/// SNR 30 dB; the four streams share one Rel-13 UE-RS set (ports 7, 8, 11, 13).
fn run(ue_estimation: UeEstimation) -> CarrierResult {
    small_lte_carrier(&CellScenario {
        channel: ChannelKind::Tdl(TdlProfile::eva()),
        csi: Csi::Perfect,
        reciprocity: None,
        dl_snr_db: 30.0,
        ue_estimation,
        ..CellScenario::reference(4)
    })
}

#[test]
fn estimating_inside_each_prg_recovers_what_the_wideband_filter_loses() {
    let prg = run(UeEstimation::PerPrg);
    let wide = run(UeEstimation::Wideband);
    let (sp, sw) = (mean(&prg, |s| s.sinr_db), mean(&wide, |s| s.sinr_db));
    let (pp, pw) = (
        mean(&prg, |s| s.predicted_sinr_db),
        mean(&wide, |s| s.predicted_sinr_db),
    );
    // The UE's filter does not touch the base station: the same weights, the same predicted
    // SINR, bit for bit.
    assert_eq!(pp.to_bits(), pw.to_bits());
    // Per-PRB RZF weights jump at each of the 99 PRB edges. The wideband filter smooths across
    // the jumps; inside each PRB the estimate is bounded by the per-PRB Wiener filter
    // (`tests/estimation.rs::per_prb_precoded_ue_rs_is_estimated_near_the_per_prb_genie`,
    // −26 dB at 20 dB). Today 24.9 against 19.5 dB (predicted 28.1); at least 3 dB asked.
    assert!(sp > sw + 3.0, "per PRG {sp:.2} dB, wideband {sw:.2} dB");
    assert!(
        sp < pp,
        "per PRG {sp:.2} dB above the prediction {pp:.2} dB"
    );
    // And the bits follow: the uncoded BER of the per-PRG UE is lower.
    let (bp, bw) = (mean(&prg, |s| s.ber), mean(&wide, |s| s.ber));
    assert!(bp < bw, "BER per PRG {bp:.2e}, wideband {bw:.2e}");
}

#[test]
fn ue_estimation_names_are_parsed_and_others_refused() {
    assert_eq!(
        UeEstimation::from_name("prg").unwrap(),
        UeEstimation::PerPrg
    );
    assert_eq!(
        UeEstimation::from_name("wideband").unwrap(),
        UeEstimation::Wideband
    );
    match UeEstimation::from_name("per-prb") {
        Err(massive_mimo::Error::InvalidParameter { name, value, .. }) => {
            assert_eq!(name, "ue_estimation");
            assert!(value.to_string().contains("per-prb"), "{value}");
        }
        other => panic!("{other:?}"),
    }
}
