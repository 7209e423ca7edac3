//! One NR slot of a 64T64R 3D-MIMO cell serving 16 single-antenna users, end to end in the
//! frequency domain with the library's blocks (until the three-carrier TD-LTE example of issue 8
//! lands, this is the main example):
//!
//! 1. channel: a dual-polarised 8 × 4 × 2 panel (38.901 §7.3, `PanelArray`) at 3.5 GHz; each
//!    user at its own azimuth/elevation with a line-of-sight path and four scattered paths
//!    (delays up to 0.2 µs) — a simple geometric model, not the 38.901 CDL tables;
//! 2. uplink sounding: the 16 users' SRS on comb 4 × 4 cyclic shifts in one symbol, received on 64
//!    antennas at 10 dB SNR, estimated per PRB (LMMSE, `ChannelEstimator`);
//! 3. downlink: RZF weights per PRB from the SRS estimates (TDD reciprocity), 16 streams of
//!    256QAM precoded by GEMM into the 64-antenna grid (`PrecoderApplier`), each user receiving
//!    through its true channel at 25 dB SNR;
//! 4. per stream: SINR (signal, inter-stream leakage, noise), EVM and uncoded BER after one-tap
//!    equalisation, and the NR MCS (Table 5.1.3.1-2) a link adaptation with a 1.5 dB margin over
//!    the MCS's spectral efficiency would pick, with its 38.214 TBS per slot and throughput;
//! 5. uplink: 12 of the users send 64QAM with DMRS type 2 double symbol (12 ports), estimated per
//!    PRB and detected by per-PRB MMSE on the 64 antennas (`MimoDetector`): post-MMSE SINR and
//!    uncoded BER per user.
//!
//! `cargo run --release --example mu_mimo_slot` (about a second).

use massive_mimo::C32;
use massive_mimo::array::PanelArray;
use massive_mimo::estimation::{ChannelEstimator, EstimatorConfig, OutputResolution, PilotPattern};
use massive_mimo::modulation::{DemapMethod, Modulation, demap, evm_rms, map};
use massive_mimo::precoding::{Normalization, PrecoderApplier, RzfPrecoder};
use massive_mimo::rate::{McsTable, NrTbsInput, nr_mcs_for_efficiency, nr_tbs};
use massive_mimo::refsig::{SrsConfig, write_multiplexed_users};
use ndarray::{Array2, Array3};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const N_PRB: usize = 51; // 20 MHz at 30 kHz
const N_SC: usize = 12 * N_PRB;
const N_USERS: usize = 16;
const SCS_HZ: f64 = 30e3;
const UL_SNR_DB: f64 = 10.0;
const DL_SNR_DB: f64 = 25.0;

fn cn(rng: &mut ChaCha8Rng, var: f64) -> C32 {
    let v = massive_mimo_sim::channel::complex_normal(rng, var);
    C32::new(v.re as f32, v.im as f32)
}

/// One user's channel on every subcarrier: [N_SC, n_ant].
fn user_channel(rng: &mut ChaCha8Rng, arr: &PanelArray, zen: f64, azi: f64) -> Array2<C32> {
    let n_ant = arr.len();
    let mut h: Array2<C32> = Array2::zeros((N_SC, n_ant));
    let mut a = vec![C32::new(0.0, 0.0); n_ant];
    // Random UE polarisation (unit field), LOS at −3 dB of the total, 4 scattered paths.
    let pol = (cn(rng, 0.5), cn(rng, 0.5));
    let paths: Vec<(f64, f64, f64, C32)> = std::iter::once((zen, azi, 0.0, C32::new(0.7, 0.0)))
        .chain((0..4).map(|_| {
            (
                zen + rng.gen_range(-10.0..10.0),
                azi + rng.gen_range(-30.0..30.0),
                rng.gen_range(0.02e-6..0.2e-6),
                cn(rng, 0.5 / 4.0),
            )
        }))
        .collect();
    for (z, f, tau, g) in paths {
        arr.response(z, f, pol, &mut a).expect("valid direction");
        for k in 0..N_SC {
            let ph = -2.0 * std::f64::consts::PI * k as f64 * SCS_HZ * tau;
            let rot = g * C32::new(ph.cos() as f32, ph.sin() as f32);
            for (hv, av) in h.row_mut(k).iter_mut().zip(&a) {
                *hv += rot * *av;
            }
        }
    }
    // Normalise to unit mean power per antenna (path loss is not modelled).
    let p = h.iter().map(|v| v.norm_sqr()).sum::<f32>() / (N_SC * n_ant) as f32;
    h.mapv_inplace(|v| v / p.sqrt());
    h
}

fn main() -> Result<(), massive_mimo::Error> {
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let arr = PanelArray::cross_polarized(8, 4)?;
    let n_ant = arr.len();
    let users: Vec<(f64, f64)> = (0..N_USERS)
        .map(|u| (95.0 + 15.0 * (u % 4) as f64 / 3.0, -52.5 + 7.0 * u as f64))
        .collect();
    let h: Vec<Array2<C32>> = users
        .iter()
        .map(|&(z, a)| user_channel(&mut rng, &arr, z, a))
        .collect();

    // --- Uplink SRS: 16 users in symbol 13, comb 4 × 4 cyclic shifts.
    let template = SrsConfig::single_port(4, 48, 13, (7, 0));
    let mut pilots = Array3::zeros((N_USERS, 14, N_SC));
    write_multiplexed_users(&template, N_USERS, pilots.view_mut())?;
    let nv_ul = 10f64.powf(-UL_SNR_DB / 10.0);
    let mut rx = Array3::zeros((n_ant, 14, N_SC));
    for k in 0..N_SC {
        for (r, ant) in (0..n_ant).enumerate() {
            let mut v: C32 = (0..N_USERS)
                .map(|u| h[u][[k, ant]] * pilots[[u, 13, k]])
                .sum();
            v += cn(&mut rng, nv_ul);
            rx[[r, 13, k]] = v;
        }
    }
    let pattern = PilotPattern::from_pilots(pilots.view())?;
    let cfg = EstimatorConfig {
        resolution: OutputResolution::Prb,
        ..EstimatorConfig::default()
    };
    let mut est = ChannelEstimator::new(pattern, n_ant, cfg)?;
    let mut h_est = est.estimate()?;
    let report = est
        .process(rx.view(), Some(nv_ul as f32), &mut h_est)?
        .clone();

    // --- Downlink: RZF per PRB from the estimates (reciprocity), 256QAM on every stream. The
    // estimate's [run, prb, user, ant] order is the precoder's input: no re-sorting.
    let h_prb = h_est.prb_channels(0, 0..N_PRB)?;
    let nv_dl = 10f64.powf(-DL_SNR_DB / 10.0);
    let mut w = Array3::zeros((N_PRB, n_ant, N_USERS));
    let alpha = (N_USERS as f64 * nv_dl) as f32;
    RzfPrecoder::new(N_USERS, n_ant, N_PRB)?.process(
        h_prb.view(),
        alpha,
        Normalization::Total,
        w.view_mut(),
    )?;
    // Total transmit power N_USERS split over the streams; scale so that E‖y‖² = 1 per RE.
    w.mapv_inplace(|v| v / (N_USERS as f32).sqrt());
    let m = Modulation::Qam256;
    let qm = m.bits_per_symbol();
    let bits: Vec<Vec<u8>> = (0..N_USERS)
        .map(|_| {
            (0..14 * N_SC * qm)
                .map(|_| rng.r#gen::<bool>() as u8)
                .collect()
        })
        .collect();
    let mut layers = Array3::zeros((N_USERS, 14, N_SC));
    let mut sym = vec![C32::new(0.0, 0.0); 14 * N_SC];
    for u in 0..N_USERS {
        map(m, &bits[u], &mut sym)?;
        for (i, s) in sym.iter().enumerate() {
            layers[[u, i / N_SC, i % N_SC]] = *s;
        }
    }
    let mut tx = Array3::zeros((n_ant, 14, N_SC));
    PrecoderApplier::new(n_ant, N_USERS, 14 * 96)?.process_grid(
        w.view(),
        1,
        layers.view(),
        tx.view_mut(),
    )?;

    println!(
        "64T64R ({} ports: 8 × 4 × 2, ±45°), {N_USERS} users, NR {N_PRB} PRB at 30 kHz; SRS at {UL_SNR_DB} dB \
         per antenna (estimated noise {:.1} dB), downlink SNR {DL_SNR_DB} dB per UE",
        n_ant,
        10.0 * (report.noise_var_estimate as f64).log10()
    );
    println!("\nuser  azimuth  zenith   SINR dB   EVM %   BER(256QAM)   MCS  Mbit/s");
    let mut total_mbps = 0.0;
    for u in 0..N_USERS {
        // Per RE: r = h_u·y + n; effective gains to every stream from the true channel.
        let (mut sig, mut leak) = (0.0f64, 0.0f64);
        let mut eq = vec![C32::new(0.0, 0.0); 14 * N_SC];
        for k in 0..N_SC {
            let p = k / 12;
            let g: Vec<C32> = (0..N_USERS)
                .map(|j| (0..n_ant).map(|a| h[u][[k, a]] * w[[p, a, j]]).sum())
                .collect();
            sig += g[u].norm_sqr() as f64;
            leak += g
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != u)
                .map(|(_, v)| v.norm_sqr() as f64)
                .sum::<f64>();
            for l in 0..14 {
                let r: C32 = (0..n_ant)
                    .map(|a| h[u][[k, a]] * tx[[a, l, k]])
                    .sum::<C32>()
                    + cn(&mut rng, nv_dl);
                eq[l * N_SC + k] = r / g[u];
            }
        }
        let sinr = sig / (leak + nv_dl * N_SC as f64);
        let reference: Vec<C32> = (0..14 * N_SC)
            .map(|i| layers[[u, i / N_SC, i % N_SC]])
            .collect();
        let evm = evm_rms(&eq, &reference)?;
        let nv = vec![(1.0 / sinr) as f32; eq.len()];
        let mut llr = vec![0.0f32; eq.len() * qm];
        demap(m, DemapMethod::MaxLog, &eq, &nv, &mut llr)?;
        let errors = llr
            .iter()
            .zip(&bits[u])
            .filter(|(v, b)| ((**v < 0.0) as u8) != **b)
            .count();
        // Link abstraction: highest MCS whose efficiency ≤ log2(1 + SINR / 1.5 dB).
        let se = (1.0 + sinr / 10f64.powf(0.15)).log2();
        let pick = nr_mcs_for_efficiency(McsTable::Qam256, se);
        let mbps = match pick {
            Some((_, e)) => {
                let tbs = nr_tbs(&NrTbsInput {
                    modulation: e.modulation,
                    code_rate: e.rate_x1024 / 1024.0,
                    layers: 1,
                    n_prb: N_PRB as u32,
                    n_re_per_prb: 12 * 12, // 12 PDSCH symbols after 2 for control/DMRS
                    x_overhead: 0,
                })?;
                tbs as f64 / 0.5e-3 / 1e6
            }
            None => 0.0,
        };
        total_mbps += mbps;
        println!(
            "{u:>4} {:>8.1} {:>7.1} {:>9.1} {:>7.2} {:>13.2e} {:>5} {:>7.1}",
            users[u].1,
            users[u].0,
            10.0 * sinr.log10(),
            100.0 * evm,
            errors as f64 / llr.len() as f64,
            pick.map_or("-".to_string(), |(i, _)| i.to_string()),
            mbps
        );
    }
    println!(
        "\nsum over {N_USERS} streams: {total_mbps:.0} Mbit/s in every downlink slot of this 20 MHz carrier \
         (uncoded BER at the slot's 256QAM; throughput from the SINR-selected MCS and 38.214 TBS)"
    );
    uplink(&mut rng, &h)?;
    Ok(())
}

/// The uplink slot: 12 of the users (the most DMRS ports NR has: type 2, double symbol) send
/// 64QAM; DMRS estimation per PRB, per-PRB MMSE detection on 64 antennas, LLRs.
fn uplink(rng: &mut ChaCha8Rng, h: &[Array2<C32>]) -> Result<(), massive_mimo::Error> {
    use massive_mimo::detection::{DetectorMethod, GroupChannels, MimoDetector};
    use massive_mimo::refsig::{DmrsConfig, DmrsType, type_a_positions};
    let n_ue = 12;
    let n_ant = h[0].ncols();
    let dmrs = DmrsConfig {
        n_id: [42, 43],
        ..DmrsConfig::new(
            DmrsType::Type2,
            (0..n_ue).collect(),
            type_a_positions(2, 0, true)?,
            true,
        )
    };
    let mut pilots = Array3::zeros((n_ue, 14, N_SC));
    dmrs.write_pilots(pilots.view_mut())?;
    let is_dmrs = |l: usize| l == 2 || l == 3; // all three CDM groups carry DMRS: no data there
    let m = Modulation::Qam64;
    let qm = m.bits_per_symbol();
    let data_re = 12 * N_SC;
    let bits: Vec<Vec<u8>> = (0..n_ue)
        .map(|_| {
            (0..data_re * qm)
                .map(|_| rng.r#gen::<bool>() as u8)
                .collect()
        })
        .collect();
    let mut tx = Array3::zeros((n_ue, 14, N_SC));
    let mut sym = vec![C32::new(0.0, 0.0); data_re];
    for u in 0..n_ue {
        map(m, &bits[u], &mut sym)?;
        let mut i = 0;
        for l in (0..14).filter(|&l| !is_dmrs(l)) {
            for k in 0..N_SC {
                tx[[u, l, k]] = sym[i];
                i += 1;
            }
        }
        for l in 2..4 {
            for k in 0..N_SC {
                tx[[u, l, k]] = pilots[[u, l, k]];
            }
        }
    }
    let nv = 10f64.powf(-UL_SNR_DB / 10.0);
    let mut rx = Array3::zeros((n_ant, 14, N_SC));
    for l in 0..14 {
        for k in 0..N_SC {
            for a in 0..n_ant {
                let v: C32 = (0..n_ue).map(|u| h[u][[k, a]] * tx[[u, l, k]]).sum();
                rx[[a, l, k]] = v + cn(rng, nv);
            }
        }
    }
    let cfg = EstimatorConfig {
        resolution: OutputResolution::Prb,
        ..EstimatorConfig::default()
    };
    let mut est = ChannelEstimator::new(PilotPattern::from_pilots(pilots.view())?, n_ant, cfg)?;
    let mut h_est = est.estimate()?;
    est.process(rx.view(), Some(nv as f32), &mut h_est)?;
    // [prb, user, ant]: the detector's input as estimated.
    let h_prb = h_est.prb_channels(0, 0..N_PRB)?;
    let mut det = MimoDetector::new(&massive_mimo::detection::DetectorConfig {
        max_ant: n_ant,
        max_layers: n_ue,
        max_interferers: 0,
        max_groups: N_PRB,
        group_prbs: 1,
        n_sym: 14,
    })?;
    let mut x = Array3::zeros((n_ue, 14, N_SC));
    let mut xv = Array2::zeros((N_PRB, n_ue));
    let nvs = vec![nv as f32; N_PRB];
    let ch = GroupChannels {
        h: h_prb.view(),
        noise_var: &nvs,
        interference: None,
    };
    det.process(
        &ch,
        DetectorMethod::Mmse { unbiased: true },
        rx.view(),
        x.view_mut(),
        xv.view_mut(),
    )?;
    println!(
        "\nuplink: {n_ue} users × 1 layer of 64QAM, DMRS type 2 double symbol (12 ports), {UL_SNR_DB} dB per \
         antenna, per-PRB LMMSE estimation and MMSE detection on {n_ant} antennas"
    );
    println!(
        "(SINR as the detector reports it from the estimated channel; the BER also carries the"
    );
    println!(
        " estimation error and the channel's variation within a PRB, which per-PRB filters ignore)"
    );
    println!("user   post-MMSE SINR dB   BER(64QAM)");
    let mut llr = vec![0.0f32; N_SC * qm];
    for u in 0..n_ue {
        let sinr = xv.column(u).iter().map(|v| 1.0 / *v as f64).sum::<f64>() / N_PRB as f64;
        let (mut errors, mut i) = (0usize, 0usize);
        for l in (0..14).filter(|&l| !is_dmrs(l)) {
            let row: Vec<C32> = (0..N_SC).map(|k| x[[u, l, k]]).collect();
            let nv_re: Vec<f32> = (0..N_SC).map(|k| xv[[k / 12, u]]).collect();
            demap(m, DemapMethod::MaxLog, &row, &nv_re, &mut llr)?;
            errors += llr
                .iter()
                .zip(&bits[u][i..i + N_SC * qm])
                .filter(|(v, b)| ((**v < 0.0) as u8) != **b)
                .count();
            i += N_SC * qm;
        }
        println!(
            "{u:>4} {:>19.1} {:>12.2e}",
            10.0 * sinr.log10(),
            errors as f64 / (data_re * qm) as f64
        );
    }
    Ok(())
}
