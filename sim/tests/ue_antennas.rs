//! Users with several receive antennas in the simulated cell: MMSE-IRC against MRC when the
//! base station beams toward one antenna only, SRS antenna switching (eigen-direction
//! precoding), and the refusals.

mod support;

use massive_mimo::array::PanelArray;
use massive_mimo::carrier::ComponentCarrier;
use massive_mimo_sim::channel::UeArray;
use massive_mimo_sim::{
    CarrierResult, CellScenario, ChannelKind, Csi, SrsAntennas, UeReceiver, simulate_carrier,
};
use support::{mean, small_lte_carrier};

/// One TD-LTE band-41 carrier, a 16-antenna array (4 × 2 × 2: small enough for a debug
/// build), 4 users on i.i.d. Rayleigh channels (independent antennas), the true channel as the
/// base station's CSI, downlink SNR 25 dB; the four streams share one Rel-13 UE-RS set, so
/// each user estimates all of them.
fn run(ue: UeArray, receiver: UeReceiver, srs: SrsAntennas, csi: Csi) -> CarrierResult {
    small_lte_carrier(&CellScenario {
        channel: ChannelKind::Rayleigh,
        csi,
        reciprocity: None,
        ue_array: ue,
        ue_receiver: receiver,
        srs_antennas: srs,
        ..CellScenario::reference(4)
    })
}

#[test]
fn irc_rejects_the_interference_of_the_unbeamed_antenna_that_mrc_lets_in() {
    let one = run(
        UeArray::Single,
        UeReceiver::Irc,
        SrsAntennas::First,
        Csi::Perfect,
    );
    let mrc = run(
        UeArray::CrossPolarized,
        UeReceiver::Mrc,
        SrsAntennas::First,
        Csi::Perfect,
    );
    let irc = run(
        UeArray::CrossPolarized,
        UeReceiver::Irc,
        SrsAntennas::First,
        Csi::Perfect,
    );
    let (s1, sm, si) = (
        mean(&one, |s| s.sinr_db),
        mean(&mrc, |s| s.sinr_db),
        mean(&irc, |s| s.sinr_db),
    );
    // The weights (RZF on antenna 0's channels, K = 4 users on M = 16 antennas) null the
    // other streams at every antenna 0 and give the own stream |g₀|² ≈ (M − K + 1)/K ≈ 3
    // (unit total power); antenna 1 is nobody's target: the 3 other streams arrive there
    // un-nulled, ≈ 3/4 of the total power, against an own |g₁|² ≈ 1/4. MRC weighs antenna 1 by
    // |ĝ₁|²/σ² and takes that interference in (SINR ≈ (|g₀|² + |g₁|²)²/(|g₁|²·3/4) ≈ 17 dB,
    // fading around it), where the single antenna reaches ≈ 25 dB + 10·log₁₀ 3 ≈ 29.7 dB less
    // its estimation loss. IRC knows the other ports of its set (their estimates) and the
    // residual covariance: it rejects them and keeps the single antenna's SINR up to its
    // covariance-estimation loss (12 residual samples per PRB for 2 antennas: the
    // Reed–Mallett–Brennan loss (N + 2 − n)/(N + 1) = 0.35 dB, plus the UE's estimation error
    // on the weak antenna; 1 dB allowed). MRC is asked to stay 3 dB under IRC.
    assert!(si > s1 - 1.0, "IRC {si:.2} dB vs one antenna {s1:.2} dB");
    assert!(sm < si - 3.0, "MRC {sm:.2} dB vs IRC {si:.2} dB");
    // Both receivers decode what they measure: the bit error rate follows (IRC's 256QAM
    // uncoded BER ≤ 10× the single antenna's, MRC's above IRC's).
    let (b1, bm, bi) = (
        mean(&one, |s| s.ber),
        mean(&mrc, |s| s.ber),
        mean(&irc, |s| s.ber),
    );
    assert!(
        bi < 10.0 * b1 && bm > bi,
        "BER one {b1:e}, MRC {bm:e}, IRC {bi:e}"
    );
}

#[test]
fn antenna_switching_precodes_toward_the_dominant_direction() {
    let first = run(
        UeArray::CrossPolarized,
        UeReceiver::Irc,
        SrsAntennas::First,
        Csi::Perfect,
    );
    let switching = run(
        UeArray::CrossPolarized,
        UeReceiver::Irc,
        SrsAntennas::Switching,
        Csi::Perfect,
    );
    // Beaming to u₁ᴴH (2 × 16 i.i.d.) instead of h₀ raises the own gain from ‖h₀‖² ≈ M to
    // λ₁ = M + √(((‖h₀‖² − ‖h₁‖²)/2)² + |h₀ᴴh₁|²) ≈ M + √(M/2 + M) ≈ M + 4.9 (+1.2 dB): the
    // predicted SINR (the MMSE-IRC one from the true channels) rises on average; 0.5 dB asked
    // (the fading of λ₁ − M averaged over 100 PRBs × 3 subcarriers × 4 users × 8 slots).
    let (pf, ps) = (
        mean(&first, |s| s.predicted_sinr_db),
        mean(&switching, |s| s.predicted_sinr_db),
    );
    assert!(
        ps > pf + 0.5,
        "switching {ps:.2} dB vs first antenna {pf:.2} dB"
    );
    // And the user's receiver gets it: measured above the beam-to-antenna-0 case too.
    let (mf, ms) = (mean(&first, |s| s.sinr_db), mean(&switching, |s| s.sinr_db));
    assert!(
        ms > mf,
        "measured: switching {ms:.2} dB vs first {mf:.2} dB"
    );
}

#[test]
fn mismatched_channels_and_too_many_sounders_are_refused() {
    let array = PanelArray::cross_polarized(4, 2).unwrap();
    let carrier = ComponentCarrier::td_lte_band41(2595.0, array, 2.6e9).unwrap();
    // A channel of single-antenna users for a scenario of two-antenna users.
    let single = CellScenario {
        channel: ChannelKind::Rayleigh,
        ..CellScenario::reference(4)
    };
    let two = CellScenario {
        ue_array: UeArray::CrossPolarized,
        ..single.clone()
    };
    let ch = single.build_channel(&array, 2.6e9).unwrap();
    assert_eq!(ch.n_rx(), 1);
    assert_eq!(two.build_channel(&array, 2.6e9).unwrap().n_rx(), 2);
    let e = simulate_carrier(&carrier, ch.as_ref(), &two, 0).unwrap_err();
    assert_eq!(e.parameter(), "channel (n_users, n_rx, n_ant)");
    // 16 users × 4 antennas switching: 64 LTE SRS sounders in two symbols, where comb 2 × 8
    // cyclic shifts hold 16 per symbol.
    let many = CellScenario {
        ue_array: UeArray::TwoCrossPolarized,
        srs_antennas: SrsAntennas::Switching,
        channel: ChannelKind::Rayleigh,
        ..CellScenario::reference(16)
    };
    let ch = many.build_channel(&array, 2.6e9).unwrap();
    let e = simulate_carrier(&carrier, ch.as_ref(), &many, 0).unwrap_err();
    assert_eq!(e.parameter(), "n_users (single-port SRS)");
}
