//! Link abstraction: from per-PRB SINRs to an effective SINR, a block error probability and link
//! adaptation with delayed reports and an outer loop — what turns a measured SINR into a
//! throughput a real link would carry.
//!
//! * **Mutual information per modulation** ([`mutual_information`]): the BICM mutual
//!   information of Gray-mapped QPSK … 256QAM in bits per symbol, I_m(SINR) = Σ_bits
//!   (1 − E[log2(1 + e^{−(1−2b)·L})]) with L the library's own exact LLRs
//!   ([`massive_mimo::modulation::demap`]), by Monte Carlo over a grid of SINRs (−20 … 45 dB,
//!   0.5 dB steps, 4 096 symbols each, fixed seed) computed once per process.
//! * **MIESM** ([`effective_sinr_db`]): the SINR at which a flat channel would give the mean
//!   mutual information of the PRBs: SINR_eff = I_m⁻¹(mean_k I_m(SINR_k)) (Brueninger et al.,
//!   VTC 2005; the RBIR of IEEE 802.16m's evaluation methodology).
//! * **BLER model** ([`bler`]): a code of rate R on modulation m decodes at 10 % BLER at
//!   SINR_10 = I_m⁻¹(R·m) + gap (the gap to the BICM capacity: `gap_db`; LDPC / turbo codes of a
//!   few thousand bits sit 1–1.5 dB above it at 10 % BLER), and
//!   BLER(x) = 1/(1 + 9·e^{a(x − SINR_10)}) with a = ln 11 per dB (10 % at SINR_10, 1 % one dB
//!   above: the waterfall of a long code).
//! * **Outer loop** ([`Olla`]): the reported SINR is lowered by an offset that rises by
//!   `step_up_db` on a NACK and falls by step_up·BLER_t/(1 − BLER_t) on an ACK, which holds the
//!   BLER at its target whatever the bias of the reports.

use massive_mimo::modulation::{DemapMethod, Modulation, demap, map};
use massive_mimo::{C32, Error, Result};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::OnceLock;

/// The SINR grid of the mutual-information tables, dB: −20 … 45 in 0.5 dB steps.
const GRID_LO_DB: f64 = -20.0;
const GRID_STEP_DB: f64 = 0.5;
const GRID_N: usize = 131;

fn tables() -> &'static [Vec<f64>; 4] {
    static T: OnceLock<[Vec<f64>; 4]> = OnceLock::new();
    T.get_or_init(|| {
        [
            Modulation::Qpsk,
            Modulation::Qam16,
            Modulation::Qam64,
            Modulation::Qam256,
        ]
        .map(mi_curve)
    })
}

/// Index of `m` in the tables (QPSK … 256QAM), or an error naming it.
fn table_index(m: Modulation) -> Result<usize> {
    match m {
        Modulation::Qpsk => Ok(0),
        Modulation::Qam16 => Ok(1),
        Modulation::Qam64 => Ok(2),
        Modulation::Qam256 => Ok(3),
        _ => Err(Error::InvalidParameter {
            name: "modulation",
            value: massive_mimo::error::Value::of(&m.name()),
            reason: "the link abstraction covers QPSK, 16QAM, 64QAM and 256QAM",
        }),
    }
}

/// The BICM mutual information of `m` (bits per symbol) on the SINR grid, by Monte Carlo with
/// the exact LLRs; made monotone (running maximum) against the sampling noise.
fn mi_curve(m: Modulation) -> Vec<f64> {
    let qm = m.bits_per_symbol();
    let n = 4096;
    let mut rng = ChaCha8Rng::seed_from_u64(0x4D49);
    let bits: Vec<u8> = (0..n * qm).map(|_| rng.r#gen::<bool>() as u8).collect();
    let mut x = vec![C32::new(0.0, 0.0); n];
    map(m, &bits, &mut x).expect("bits and symbols sized for the modulation");
    let noise: Vec<C32> = (0..n)
        .map(|_| {
            let v = crate::channel::complex_normal(&mut rng, 1.0);
            C32::new(v.re as f32, v.im as f32)
        })
        .collect();
    let mut y = vec![C32::new(0.0, 0.0); n];
    let mut llr = vec![0.0f32; n * qm];
    let mut out = Vec::with_capacity(GRID_N);
    let mut best = 0.0f64;
    for g in 0..GRID_N {
        let snr = 10f64.powf((GRID_LO_DB + GRID_STEP_DB * g as f64) / 10.0);
        let sigma = (1.0 / snr).sqrt() as f32;
        for ((yi, xi), ni) in y.iter_mut().zip(&x).zip(&noise) {
            *yi = xi + ni * sigma;
        }
        let nv = vec![1.0 / snr as f32; n];
        demap(m, DemapMethod::Exact, &y, &nv, &mut llr).expect("sized for the modulation");
        let loss: f64 = llr
            .iter()
            .zip(&bits)
            .map(|(l, b)| {
                let s = if *b == 0 {
                    -f64::from(*l)
                } else {
                    f64::from(*l)
                };
                // log2(1 + e^s), stable for large |s|.
                if s > 30.0 {
                    s / std::f64::consts::LN_2
                } else {
                    s.exp().ln_1p() / std::f64::consts::LN_2
                }
            })
            .sum::<f64>()
            / n as f64;
        best = best.max((qm as f64 - loss).clamp(0.0, qm as f64));
        out.push(best);
    }
    out
}

/// BICM mutual information of `modulation` at `sinr_db`, bits per symbol (0 … Q_m), linear
/// interpolation in the table (clamped at its ends). Errors: a modulation other than QPSK …
/// 256QAM.
pub fn mutual_information(modulation: Modulation, sinr_db: f64) -> Result<f64> {
    let t = &tables()[table_index(modulation)?];
    Ok(interp(t, sinr_db))
}

fn interp(t: &[f64], sinr_db: f64) -> f64 {
    if sinr_db.is_nan() {
        return 0.0;
    }
    let pos = ((sinr_db - GRID_LO_DB) / GRID_STEP_DB).clamp(0.0, (GRID_N - 1) as f64);
    let i = (pos.floor() as usize).min(GRID_N - 2);
    let f = pos - i as f64;
    t[i] * (1.0 - f) + t[i + 1] * f
}

/// The SINR (dB) at which `modulation` carries `mi` bits per symbol (the inverse of
/// [`mutual_information`]; −20 / 45 dB beyond the table).
pub fn sinr_for_mi_db(modulation: Modulation, mi: f64) -> Result<f64> {
    let t = &tables()[table_index(modulation)?];
    if mi <= t[0] {
        return Ok(GRID_LO_DB);
    }
    match t.iter().position(|&v| v >= mi) {
        None => Ok(GRID_LO_DB + GRID_STEP_DB * (GRID_N - 1) as f64),
        Some(i) => {
            let (a, b) = (t[i - 1], t[i]);
            let f = if b > a { (mi - a) / (b - a) } else { 1.0 };
            Ok(GRID_LO_DB + GRID_STEP_DB * ((i - 1) as f64 + f))
        }
    }
}

/// MIESM effective SINR (dB) of the linear per-PRB SINRs `sinrs` for `modulation`: the flat
/// SINR with the same mean mutual information. Non-finite or negative SINRs count as 0; an
/// empty list gives −∞... the table's floor (−20 dB).
pub fn effective_sinr_db(modulation: Modulation, sinrs: &[f64]) -> Result<f64> {
    let t = &tables()[table_index(modulation)?];
    if sinrs.is_empty() {
        return Ok(GRID_LO_DB);
    }
    let mean = sinrs
        .iter()
        .map(|&s| {
            let db = if s.is_finite() && s > 0.0 {
                10.0 * s.log10()
            } else if s == f64::INFINITY {
                f64::MAX
            } else {
                f64::MIN
            };
            interp(t, db)
        })
        .sum::<f64>()
        / sinrs.len() as f64;
    sinr_for_mi_db(modulation, mean)
}

/// The SINR (dB) at which rate `code_rate` on `modulation` decodes at 10 % BLER:
/// I_m⁻¹(R·Q_m) + `gap_db`.
pub fn threshold_db(modulation: Modulation, code_rate: f64, gap_db: f64) -> Result<f64> {
    Ok(sinr_for_mi_db(
        modulation,
        code_rate.clamp(0.0, 1.0) * modulation.bits_per_symbol() as f64,
    )? + gap_db)
}

/// Block error probability of rate `code_rate` on `modulation` at effective SINR
/// `sinr_eff_db` (see the module documentation).
pub fn bler(modulation: Modulation, code_rate: f64, gap_db: f64, sinr_eff_db: f64) -> Result<f64> {
    let thr = threshold_db(modulation, code_rate, gap_db)?;
    let a = 11f64.ln();
    Ok(1.0 / (1.0 + 9.0 * (a * (sinr_eff_db - thr)).exp()))
}

/// Outer-loop link adaptation: an offset (dB) subtracted from the reported SINR.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Olla {
    /// The current offset, dB.
    pub offset_db: f64,
    /// Increase on a NACK, dB.
    pub step_up_db: f64,
    /// Target BLER.
    pub target_bler: f64,
}

impl Olla {
    /// Offset 0, 0.5 dB up per NACK, target 10 %.
    pub fn new() -> Self {
        Self {
            offset_db: 0.0,
            step_up_db: 0.5,
            target_bler: 0.1,
        }
    }

    /// Updates the offset with one transmission's outcome.
    pub fn update(&mut self, ack: bool) {
        if ack {
            self.offset_db -= self.step_up_db * self.target_bler / (1.0 - self.target_bler);
        } else {
            self.offset_db += self.step_up_db;
        }
    }
}

impl Default for Olla {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutual_information_has_its_limits_and_shannon_bound() {
        for (m, q) in [
            (Modulation::Qpsk, 2.0),
            (Modulation::Qam16, 4.0),
            (Modulation::Qam64, 6.0),
            (Modulation::Qam256, 8.0),
        ] {
            // Near 0 at −20 dB, near Q_m at 45 dB, never above log2(1 + SINR) (Shannon) beyond
            // the Monte Carlo spread (4 096 symbols: ±0.02 bit), and increasing.
            assert!(mutual_information(m, -20.0).unwrap() < 0.05, "{m:?}");
            assert!(
                (mutual_information(m, 45.0).unwrap() - q).abs() < 0.02,
                "{m:?}"
            );
            for db in [-10.0, 0.0, 5.0, 10.0, 20.0, 30.0] {
                let i = mutual_information(m, db).unwrap();
                let c = (1.0 + 10f64.powf(db / 10.0)).log2();
                assert!(i <= c + 0.03, "{m:?} {db} dB: {i} > {c}");
                assert!(mutual_information(m, db + 1.0).unwrap() >= i);
                // The inverse.
                let back = sinr_for_mi_db(m, i).unwrap();
                if i > 0.05 && i < q - 0.05 {
                    assert!((back - db).abs() < 0.3, "{m:?} {db} dB → {i} → {back}");
                }
            }
        }
        // QPSK at 0 dB: BICM capacity 0.86·2 ≈ 1.0 bit? The Gaussian bound is 1 bit; QPSK
        // (two BPSK axes at 0 dB per symbol = −3 dB per axis) carries 2·0.49 ≈ 0.97 bit.
        let i = mutual_information(Modulation::Qpsk, 0.0).unwrap();
        assert!((i - 0.97).abs() < 0.04, "{i}");
        assert_eq!(
            mutual_information(Modulation::Bpsk, 0.0)
                .err()
                .map(|e| e.parameter()),
            Some("modulation")
        );
    }

    #[test]
    fn miesm_is_the_flat_sinr_for_flat_channels_and_below_the_mean_otherwise() {
        let flat = vec![10f64.powf(1.2); 20];
        let e = effective_sinr_db(Modulation::Qam64, &flat).unwrap();
        assert!((e - 12.0).abs() < 0.05, "{e}");
        // Half the PRBs at 20 dB, half at 0 dB: below the linear mean (17 dB), above the
        // worst; 64QAM saturates near 6 bit so the strong half counts for at most that.
        let mixed: Vec<f64> = (0..20)
            .map(|i| if i % 2 == 0 { 100.0 } else { 1.0 })
            .collect();
        let e = effective_sinr_db(Modulation::Qam64, &mixed).unwrap();
        assert!(e > 0.0 && e < 17.0, "{e}");
    }

    #[test]
    fn bler_is_ten_percent_at_threshold_and_olla_holds_the_target() {
        let thr = threshold_db(Modulation::Qam16, 0.5, 1.0).unwrap();
        // 16QAM rate 1/2 (2 bit/symbol): above the Gaussian-input bound 10·log10(2² − 1) =
        // 4.77 dB, and within the ≈ 0.4 dB a Gray-mapped 16QAM loses to it there; + 1 dB gap.
        assert!(thr > 4.77 + 1.0 && thr < 4.77 + 1.0 + 0.6, "{thr}");
        assert!((bler(Modulation::Qam16, 0.5, 1.0, thr).unwrap() - 0.1).abs() < 1e-12);
        assert!((bler(Modulation::Qam16, 0.5, 1.0, thr + 1.0).unwrap() - 0.01).abs() < 1e-3);
        // OLLA on reports 3 dB too optimistic: the offset converges near +3 dB and the BLER
        // near 10 %.
        let mut olla = Olla::new();
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let (mut nack, n) = (0, 20_000);
        for _ in 0..n {
            let reported = 10.0 + 3.0;
            let actual = 10.0;
            // The MCS whose threshold is the reported SINR minus the offset.
            let p = 1.0 / (1.0 + 9.0 * (11f64.ln() * (actual - (reported - olla.offset_db))).exp());
            let ack = rng.r#gen::<f64>() >= p;
            nack += usize::from(!ack);
            olla.update(ack);
        }
        let rate = nack as f64 / n as f64;
        assert!((rate - 0.1).abs() < 0.01, "BLER {rate}");
        assert!(
            (olla.offset_db - 3.0).abs() < 1.0,
            "offset {}",
            olla.offset_db
        );
    }
}
