//! NR transport-block sizes, MCS tables and peak rates.
//!
//! * NR TBS determination, 3GPP TS 38.214 §5.1.3.2 ([`nr_tbs`]).
//! * NR PDSCH MCS index tables 1–4, 38.214 Tables 5.1.3.1-1..-4 ([`nr_mcs`]).
//! * NR approximate peak data rate, 38.306 §4.1.2 ([`nr_peak_rate_mbps`]).

use crate::modulation::Modulation;
use crate::{Error, Result};

/// Table 5.1.3.2-1: TBS for N_info ≤ 3824.
pub const NR_TBS_TABLE: [u32; 93] = [
    24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120, 128, 136, 144, 152, 160, 168, 176, 184,
    192, 208, 224, 240, 256, 272, 288, 304, 320, 336, 352, 368, 384, 408, 432, 456, 480, 504, 528,
    552, 576, 608, 640, 672, 704, 736, 768, 808, 848, 888, 928, 984, 1032, 1064, 1128, 1160, 1192,
    1224, 1256, 1288, 1320, 1352, 1416, 1480, 1544, 1608, 1672, 1736, 1800, 1864, 1928, 2024, 2088,
    2152, 2216, 2280, 2408, 2472, 2536, 2600, 2664, 2728, 2792, 2856, 2976, 3104, 3240, 3368, 3496,
    3624, 3752, 3824,
];

/// Inputs of the NR TBS determination for one transport block (38.214 §5.1.3.2).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NrTbsInput {
    /// Modulation (Q_m).
    pub modulation: Modulation,
    /// Target code rate R (not R·1024), 0 < R < 1.
    pub code_rate: f64,
    /// Layers υ, 1..=8 (up to 4 per codeword in the spec; 8 for two codewords' sum).
    pub layers: u32,
    /// Allocated PRBs n_PRB ≥ 1.
    pub n_prb: u32,
    /// REs per PRB in the allocation: N_sc^RB·N_symb^sh − N_DMRS^PRB.
    pub n_re_per_prb: u32,
    /// Overhead N_oh^PRB (xOverhead: 0, 6, 12 or 18).
    pub x_overhead: u32,
}

/// The transport block size in bits, 38.214 §5.1.3.2 steps 1–4:
/// `N'_RE = min(156, n_re_per_prb − x_overhead)`, `N_info = N'_RE·n_PRB·R·Q_m·υ`, then the
/// quantisation of N_info and the table (N_info ≤ 3824) or the code-block formulas.
pub fn nr_tbs(p: &NrTbsInput) -> Result<u32> {
    if !(p.code_rate > 0.0 && p.code_rate < 1.0) {
        return Err(Error::InvalidParameter {
            name: "target_code_rate",
            value: crate::error::Value::of(&p.code_rate),
            reason: "must be in (0, 1)",
        });
    }
    if !(1..=8).contains(&p.layers) {
        return Err(Error::InvalidParameter {
            name: "layers",
            value: crate::error::Value::of(&p.layers),
            reason: "must be 1..=8",
        });
    }
    if p.n_prb == 0 || p.n_prb > 275 {
        return Err(Error::InvalidParameter {
            name: "n_prb",
            value: crate::error::Value::of(&p.n_prb),
            reason: "must be 1..=275",
        });
    }
    if p.n_re_per_prb <= p.x_overhead || p.n_re_per_prb > 12 * 14 {
        return Err(Error::InvalidParameter {
            name: "n_re_per_prb",
            value: crate::error::Value::of(&p.n_re_per_prb),
            reason: "must exceed x_overhead and be at most 168 (12 subcarriers × 14 symbols)",
        });
    }
    let n_re_prime = (p.n_re_per_prb - p.x_overhead).min(156);
    let n_re = f64::from(n_re_prime) * f64::from(p.n_prb);
    let qm = p.modulation.bits_per_symbol() as f64;
    let n_info = n_re * p.code_rate * qm * f64::from(p.layers);
    if n_info <= 3824.0 {
        let n = (n_info.log2().floor() as i32 - 6).max(3);
        let step = f64::from(1u32 << n);
        let n_info_q = (step * (n_info / step).floor()).max(24.0);
        // Smallest table TBS ≥ N'_info (the table ends at 3824 ≥ any quantised N_info here).
        Ok(NR_TBS_TABLE
            .iter()
            .copied()
            .find(|&t| f64::from(t) >= n_info_q)
            .unwrap_or(3824))
    } else {
        let n = (n_info - 24.0).log2().floor() as i32 - 5;
        let step = 2f64.powi(n);
        let n_info_q = (step * ((n_info - 24.0) / step).round()).max(3840.0);
        let tbs = if p.code_rate <= 0.25 {
            let c = ((n_info_q + 24.0) / 3816.0).ceil();
            8.0 * c * ((n_info_q + 24.0) / (8.0 * c)).ceil() - 24.0
        } else if n_info_q > 8424.0 {
            let c = ((n_info_q + 24.0) / 8424.0).ceil();
            8.0 * c * ((n_info_q + 24.0) / (8.0 * c)).ceil() - 24.0
        } else {
            8.0 * ((n_info_q + 24.0) / 8.0).ceil() - 24.0
        };
        Ok(tbs as u32)
    }
}

/// One row of an NR MCS table: modulation and target code rate R·1024.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct McsEntry {
    /// Modulation order Q_m as a scheme.
    pub modulation: Modulation,
    /// Target code rate × 1024.
    pub rate_x1024: f64,
}

impl McsEntry {
    /// Spectral efficiency Q_m·R in bit/s/Hz per layer.
    pub fn spectral_efficiency(&self) -> f64 {
        self.modulation.bits_per_symbol() as f64 * self.rate_x1024 / 1024.0
    }
}

/// The NR PDSCH MCS tables of 38.214 §5.1.3.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum McsTable {
    /// Table 5.1.3.1-1 (up to 64QAM).
    Qam64,
    /// Table 5.1.3.1-2 (up to 256QAM).
    Qam256,
    /// Table 5.1.3.1-3 (64QAM, low spectral efficiency).
    Qam64LowSe,
    /// Table 5.1.3.1-4 (up to 1024QAM).
    Qam1024,
}

const Q2: Modulation = Modulation::Qpsk;
const Q4: Modulation = Modulation::Qam16;
const Q6: Modulation = Modulation::Qam64;
const Q8: Modulation = Modulation::Qam256;
const Q10: Modulation = Modulation::Qam1024;

const TABLE1: [(Modulation, f64); 29] = [
    (Q2, 120.0),
    (Q2, 157.0),
    (Q2, 193.0),
    (Q2, 251.0),
    (Q2, 308.0),
    (Q2, 379.0),
    (Q2, 449.0),
    (Q2, 526.0),
    (Q2, 602.0),
    (Q2, 679.0),
    (Q4, 340.0),
    (Q4, 378.0),
    (Q4, 434.0),
    (Q4, 490.0),
    (Q4, 553.0),
    (Q4, 616.0),
    (Q4, 658.0),
    (Q6, 438.0),
    (Q6, 466.0),
    (Q6, 517.0),
    (Q6, 567.0),
    (Q6, 616.0),
    (Q6, 666.0),
    (Q6, 719.0),
    (Q6, 772.0),
    (Q6, 822.0),
    (Q6, 873.0),
    (Q6, 910.0),
    (Q6, 948.0),
];
const TABLE2: [(Modulation, f64); 28] = [
    (Q2, 120.0),
    (Q2, 193.0),
    (Q2, 308.0),
    (Q2, 449.0),
    (Q2, 602.0),
    (Q4, 378.0),
    (Q4, 434.0),
    (Q4, 490.0),
    (Q4, 553.0),
    (Q4, 616.0),
    (Q4, 658.0),
    (Q6, 466.0),
    (Q6, 517.0),
    (Q6, 567.0),
    (Q6, 616.0),
    (Q6, 666.0),
    (Q6, 719.0),
    (Q6, 772.0),
    (Q6, 822.0),
    (Q6, 873.0),
    (Q8, 682.5),
    (Q8, 711.0),
    (Q8, 754.0),
    (Q8, 797.0),
    (Q8, 841.0),
    (Q8, 885.0),
    (Q8, 916.5),
    (Q8, 948.0),
];
const TABLE3: [(Modulation, f64); 29] = [
    (Q2, 30.0),
    (Q2, 40.0),
    (Q2, 50.0),
    (Q2, 64.0),
    (Q2, 78.0),
    (Q2, 99.0),
    (Q2, 120.0),
    (Q2, 157.0),
    (Q2, 193.0),
    (Q2, 251.0),
    (Q2, 308.0),
    (Q2, 379.0),
    (Q2, 449.0),
    (Q2, 526.0),
    (Q2, 602.0),
    (Q4, 340.0),
    (Q4, 378.0),
    (Q4, 434.0),
    (Q4, 490.0),
    (Q4, 553.0),
    (Q4, 616.0),
    (Q6, 438.0),
    (Q6, 466.0),
    (Q6, 517.0),
    (Q6, 567.0),
    (Q6, 616.0),
    (Q6, 666.0),
    (Q6, 719.0),
    (Q6, 772.0),
];
const TABLE4: [(Modulation, f64); 27] = [
    (Q2, 120.0),
    (Q2, 193.0),
    (Q2, 449.0),
    (Q4, 378.0),
    (Q4, 490.0),
    (Q4, 616.0),
    (Q6, 466.0),
    (Q6, 517.0),
    (Q6, 567.0),
    (Q6, 616.0),
    (Q6, 666.0),
    (Q6, 719.0),
    (Q6, 772.0),
    (Q6, 822.0),
    (Q6, 873.0),
    (Q8, 682.5),
    (Q8, 711.0),
    (Q8, 754.0),
    (Q8, 797.0),
    (Q8, 841.0),
    (Q8, 885.0),
    (Q8, 916.5),
    (Q8, 948.0),
    (Q10, 805.5),
    (Q10, 853.0),
    (Q10, 900.5),
    (Q10, 948.0),
];

impl McsTable {
    fn rows(self) -> &'static [(Modulation, f64)] {
        match self {
            McsTable::Qam64 => &TABLE1,
            McsTable::Qam256 => &TABLE2,
            McsTable::Qam64LowSe => &TABLE3,
            McsTable::Qam1024 => &TABLE4,
        }
    }

    /// Number of MCS indices with a code rate (the rest up to 31 are reserved for
    /// retransmissions).
    pub fn len(self) -> usize {
        self.rows().len()
    }

    /// Always false: every table has entries.
    pub fn is_empty(self) -> bool {
        false
    }
}

/// Modulation and target code rate of MCS index `i_mcs` in `table`; reserved or out-of-range
/// indices are an error naming the index.
pub fn nr_mcs(table: McsTable, i_mcs: u32) -> Result<McsEntry> {
    table
        .rows()
        .get(i_mcs as usize)
        .map(|&(modulation, rate_x1024)| McsEntry {
            modulation,
            rate_x1024,
        })
        .ok_or_else(|| Error::InvalidParameter {
            name: "i_mcs",
            value: crate::error::Value::of(&i_mcs),
            reason: "reserved or out of range for this MCS table (38.214 Tables 5.1.3.1-1..-4)",
        })
}

/// The highest MCS index of `table` whose spectral efficiency Q_m·R is at most `efficiency`
/// (bit/s/Hz per layer) — the link-adaptation choice for a link that supports that
/// efficiency — with its entry; `None` when not even the lowest fits (or `efficiency` is NaN).
pub fn nr_mcs_for_efficiency(table: McsTable, efficiency: f64) -> Option<(u32, McsEntry)> {
    table
        .rows()
        .iter()
        .enumerate()
        .rev()
        .map(|(i, &(modulation, rate_x1024))| {
            (
                i as u32,
                McsEntry {
                    modulation,
                    rate_x1024,
                },
            )
        })
        .find(|(_, e)| e.spectral_efficiency() <= efficiency)
}

/// Frequency range, for the overhead of 38.306 §4.1.2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrequencyRange {
    /// FR1 (410 MHz – 7.125 GHz).
    Fr1,
    /// FR2 (24.25 – 71 GHz).
    Fr2,
}

/// Link direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Downlink.
    Downlink,
    /// Uplink.
    Uplink,
}

/// Approximate NR peak data rate of one carrier in Mbit/s, 38.306 §4.1.2:
/// `10⁻⁶ · υ · Q_m · f · R_max · N_PRB·12 / T_s^µ · (1 − OH)` with R_max = 948/1024,
/// `T_s^µ = 10⁻³ / (14·2^µ)` s and OH = 0.14 / 0.18 (FR1 / FR2 downlink), 0.08 / 0.10 (uplink).
/// `scaling` is f ∈ {1, 0.8, 0.75, 0.4}. This counts every symbol as data (no TDD split).
pub fn nr_peak_rate_mbps(
    layers: u32,
    modulation: Modulation,
    scaling: f64,
    n_prb: u32,
    mu: u32,
    fr: FrequencyRange,
    direction: Direction,
) -> Result<f64> {
    if ![1.0, 0.8, 0.75, 0.4].contains(&scaling) {
        return Err(Error::InvalidParameter {
            name: "scaling factor f",
            value: crate::error::Value::of(&scaling),
            reason: "must be 1, 0.8, 0.75 or 0.4",
        });
    }
    if mu > 6 {
        return Err(Error::InvalidParameter {
            name: "numerology µ",
            value: crate::error::Value::of(&mu),
            reason: "must be 0..=6",
        });
    }
    // 38.306: υ ≤ 8 layers per carrier for one UE; N_PRB ≤ 275 (38.101 Table 5.3.2-1).
    if !(1..=8).contains(&layers) {
        return Err(Error::InvalidParameter {
            name: "layers (υ)",
            value: crate::error::Value::of(&layers),
            reason: "38.306 §4.1.2 counts 1..=8 layers per carrier",
        });
    }
    if !(1..=275).contains(&n_prb) {
        return Err(Error::InvalidParameter {
            name: "n_prb",
            value: crate::error::Value::of(&n_prb),
            reason: "must be 1..=275",
        });
    }
    let oh = match (fr, direction) {
        (FrequencyRange::Fr1, Direction::Downlink) => 0.14,
        (FrequencyRange::Fr2, Direction::Downlink) => 0.18,
        (FrequencyRange::Fr1, Direction::Uplink) => 0.08,
        (FrequencyRange::Fr2, Direction::Uplink) => 0.10,
    };
    let ts = 1e-3 / (14.0 * f64::from(1u32 << mu));
    let qm = modulation.bits_per_symbol() as f64;
    Ok(
        1e-6 * f64::from(layers) * qm * scaling * (948.0 / 1024.0) * f64::from(n_prb) * 12.0 / ts
            * (1.0 - oh),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_rate_formula_rejects_zero_layers_and_absurd_prbs() {
        // Issue 21, finding 7: 0 layers and u32::MAX PRBs used to give a figure.
        let f = |layers, n_prb| {
            nr_peak_rate_mbps(
                layers,
                Modulation::Qam256,
                1.0,
                n_prb,
                1,
                FrequencyRange::Fr1,
                Direction::Downlink,
            )
        };
        assert!(matches!(
            f(0, 273),
            Err(Error::InvalidParameter {
                name: "layers (υ)",
                ..
            })
        ));
        assert!(matches!(
            f(4, u32::MAX),
            Err(Error::InvalidParameter { name: "n_prb", .. })
        ));
        assert!(f(8, 273).is_ok());
    }

    #[test]
    fn link_adaptation_picks_the_highest_fitting_mcs() {
        let t = McsTable::Qam256;
        assert_eq!(nr_mcs_for_efficiency(t, 0.1), None);
        assert_eq!(nr_mcs_for_efficiency(t, f64::NAN), None);
        assert_eq!(
            nr_mcs_for_efficiency(t, 100.0).unwrap().0,
            t.len() as u32 - 1
        );
        for i in 0..t.len() as u32 {
            let e = nr_mcs(t, i).unwrap().spectral_efficiency();
            assert_eq!(nr_mcs_for_efficiency(t, e).unwrap().0, i);
            if i > 0 {
                assert_eq!(nr_mcs_for_efficiency(t, e - 1e-9).unwrap().0, i - 1);
            }
        }
    }

    fn tbs(m: Modulation, r: f64, layers: u32, n_prb: u32, re: u32, xoh: u32) -> u32 {
        nr_tbs(&NrTbsInput {
            modulation: m,
            code_rate: r,
            layers,
            n_prb,
            n_re_per_prb: re,
            x_overhead: xoh,
        })
        .unwrap()
    }

    #[test]
    fn small_allocations_come_from_the_table() {
        // N_info = 12·(120/1024)·2 = 2.8 → N'_info = 24 → TBS 24.
        assert_eq!(tbs(Modulation::Qpsk, 120.0 / 1024.0, 1, 1, 12, 0), 24);
        // Every result ≤ 3824 is a table entry.
        for n_prb in 1..20 {
            let t = tbs(Modulation::Qam16, 434.0 / 1024.0, 1, n_prb, 132, 0);
            if t <= 3824 {
                assert!(NR_TBS_TABLE.contains(&t), "{t}");
            }
        }
    }

    #[test]
    fn large_allocations_are_byte_aligned_and_fill_code_blocks() {
        // 273 PRB, 4 layers, 256QAM R = 948/1024 (the NR 100 MHz peak): TBS + 24 divisible by
        // 8·C with C = ⌈(TBS+24)/8424⌉.
        let t = tbs(Modulation::Qam256, 948.0 / 1024.0, 4, 273, 144, 0);
        let c = (t + 24).div_ceil(8424);
        assert_eq!((t + 24) % (8 * c), 0);
        // N_info = 144·273·0.92578125·8·4 = 1 164 618; quantisation step 2^n with
        // n = ⌊log2(N_info − 24)⌋ − 5 = 15, N'_info = 32768·round(35.54) = 1 179 648, C = 141,
        // TBS = 8·141·⌈1 179 672 / 1128⌉ − 24 = 1 179 864 (the shared vector agrees).
        assert_eq!(t, 1_179_864);
        // In general the quantisation moves N_info by at most step/2 ≤ N_info/64 (+ byte and
        // code-block alignment).
        let n_info = 144.0 * 273.0 * 948.0 / 1024.0 * 32.0;
        assert!(
            (f64::from(t) - n_info).abs() / n_info < 1.0 / 64.0 + 0.001,
            "{t} vs {n_info}"
        );
    }

    #[test]
    fn tbs_grows_with_prbs() {
        let mut last = 0;
        for n_prb in 1..=273 {
            let t = tbs(Modulation::Qam64, 517.0 / 1024.0, 2, n_prb, 156, 0);
            assert!(t >= last, "n_prb {n_prb}: {t} < {last}");
            last = t;
        }
    }

    #[test]
    fn mcs_tables_rise_in_spectral_efficiency() {
        for table in [
            McsTable::Qam64,
            McsTable::Qam256,
            McsTable::Qam64LowSe,
            McsTable::Qam1024,
        ] {
            // Strictly rising within a modulation; at a modulation switch the spec's tables may
            // step back by a hair (Table 1: MCS 16 = 16QAM 658 → 2.5703, MCS 17 = 64QAM 438 →
            // 2.5664), never by more than 0.5 %.
            let mut last = nr_mcs(table, 0).unwrap();
            for i in 1..table.len() as u32 {
                let e = nr_mcs(table, i).unwrap();
                let (se, prev) = (e.spectral_efficiency(), last.spectral_efficiency());
                if e.modulation == last.modulation {
                    assert!(se > prev, "{table:?} {i}");
                } else {
                    assert!(
                        e.modulation > last.modulation && se > prev * 0.995,
                        "{table:?} {i}"
                    );
                }
                last = e;
            }
            assert_eq!(
                crate::error::name_of(nr_mcs(table, table.len() as u32)),
                "i_mcs"
            );
        }
        // Table 2, MCS 27: 256QAM at 948/1024 = 7.40625 bit/s/Hz.
        assert_eq!(
            nr_mcs(McsTable::Qam256, 27).unwrap().spectral_efficiency(),
            7.40625
        );
    }

    #[test]
    fn peak_rate_of_the_nr_twin() {
        // 273 PRB, µ = 1, 256QAM, 1 layer, FR1 DL: 1e-6·8·0.92578·273·12/(1e-3/28)·0.86 ≈ 584.25 Mbit/s.
        let r = nr_peak_rate_mbps(
            1,
            Modulation::Qam256,
            1.0,
            273,
            1,
            FrequencyRange::Fr1,
            Direction::Downlink,
        )
        .unwrap();
        assert!((r - 584.25).abs() < 0.01, "{r}");
    }

    #[test]
    fn bad_inputs_are_named() {
        let bad = NrTbsInput {
            modulation: Modulation::Qpsk,
            code_rate: 1.2,
            layers: 1,
            n_prb: 1,
            n_re_per_prb: 12,
            x_overhead: 0,
        };
        assert!(matches!(
            nr_tbs(&bad),
            Err(Error::InvalidParameter {
                name: "target_code_rate",
                ..
            })
        ));
        let bad = NrTbsInput {
            code_rate: 0.5,
            n_re_per_prb: 6,
            x_overhead: 6,
            ..bad
        };
        assert!(matches!(
            nr_tbs(&bad),
            Err(Error::InvalidParameter {
                name: "n_re_per_prb",
                ..
            })
        ));
    }
}

/// Most MU-MIMO layers one NR carrier is taken to carry: 12 orthogonal DMRS ports (type 2,
/// double symbol, 38.211 §6.4.1.1) × 2 scrambling identities n_SCID.
pub const NR_MAX_CELL_LAYERS: u32 = 24;

/// Assumptions of an NR TDD peak-rate calculation from the TBS arithmetic.
#[derive(Clone, Debug, PartialEq)]
pub struct NrPeakRateConfig {
    /// Channel bandwidth in MHz (38.101-1/-2 Table 5.3.2-1).
    pub bandwidth_mhz: u32,
    /// Subcarrier spacing in kHz.
    pub scs_khz: u32,
    /// Slot pattern with the special-slot split.
    pub pattern: crate::carrier::NrTddPattern,
    /// Spatial layers on the carrier (MU-MIMO: one transport block per single-layer user).
    pub layers: u32,
    /// MCS table and index (the highest index of the table gives the peak).
    pub mcs_table: McsTable,
    /// MCS index.
    pub i_mcs: u32,
    /// PDCCH symbols at the start of every downlink or special slot.
    pub control_symbols: u32,
    /// DMRS symbols per slot (12 REs per PRB each: type 1 with both CDM groups, or type 2).
    pub dmrs_symbols: u32,
    /// xOverhead of 38.214 (0, 6, 12, 18).
    pub x_overhead: u32,
    /// Aggregated carriers of this configuration.
    pub carriers: u32,
}

/// Result of [`nr_tdd_peak_rate`].
#[derive(Clone, Debug, PartialEq)]
pub struct PeakRate {
    /// Throughput of one layer (one single-layer user), Mbit/s.
    pub per_layer_mbps: f64,
    /// Throughput of one carrier with all layers, Mbit/s.
    pub per_carrier_mbps: f64,
    /// Throughput of all carriers, Mbit/s.
    pub total_mbps: f64,
    /// N_RB of the carrier.
    pub n_prb: u32,
    /// TBS per layer of a full downlink slot and of a special slot (0 without one), bits.
    pub tbs_dl_slot: u32,
    /// TBS per layer of a special slot's downlink part, bits.
    pub tbs_special_slot: u32,
    /// 38.306 §4.1.2 rate of one carrier (all layers) scaled by the pattern's downlink symbol
    /// share, Mbit/s — an upper bound without DMRS/control detail.
    pub formula_38306_mbps: f64,
}

/// NR downlink peak rate of a TDD carrier set from the TBS arithmetic of 38.214 §5.1.3.2:
/// per slot and layer, the TBS of all PRBs with `14 − control` (or the special slot's
/// downlink symbols − control) PDSCH symbols minus the DMRS REs, summed over the pattern.
pub fn nr_tdd_peak_rate(c: &NrPeakRateConfig) -> Result<PeakRate> {
    let mu = crate::carrier::Numerology::from_scs_khz(c.scs_khz)?;
    let n_prb = crate::carrier::nr_n_rb(c.bandwidth_mhz, c.scs_khz)?;
    let mcs = nr_mcs(c.mcs_table, c.i_mcs)?;
    if !(1..=NR_MAX_CELL_LAYERS).contains(&c.layers) {
        return Err(Error::InvalidParameter {
            name: "layers",
            value: crate::error::Value::of(&c.layers),
            reason: "an NR carrier carries 1..=24 MU-MIMO layers (12 orthogonal DMRS ports × 2 scrambling identities)",
        });
    }
    if c.carriers == 0 {
        return Err(Error::InvalidParameter {
            name: "carriers",
            value: "0".into(),
            reason: "must be ≥ 1",
        });
    }
    if ![0, 6, 12, 18].contains(&c.x_overhead) {
        return Err(Error::InvalidParameter {
            name: "x_overhead",
            value: crate::error::Value::of(&c.x_overhead),
            reason: "xOverhead is 0, 6, 12 or 18 (38.331 PDSCH-ServingCellConfig)",
        });
    }
    // A full downlink slot must leave data REs after control and DMRS.
    let full_re = (12 * 14u32.saturating_sub(c.control_symbols))
        .saturating_sub(12u32.saturating_mul(c.dmrs_symbols));
    if c.control_symbols > 3 || c.dmrs_symbols == 0 || full_re <= c.x_overhead {
        return Err(Error::InvalidParameter {
            name: "control_symbols / dmrs_symbols",
            value: crate::value!("{} / {}", c.control_symbols, c.dmrs_symbols),
            reason: "PDCCH takes 0..=3 symbols, PDSCH needs ≥ 1 DMRS symbol, and a downlink slot must keep data REs after both and xOverhead",
        });
    }
    let tbs_for = |dl_symbols: u32| -> Result<u32> {
        let pdsch = dl_symbols.saturating_sub(c.control_symbols);
        let re = (12 * pdsch).saturating_sub(12u32.saturating_mul(c.dmrs_symbols));
        if re <= c.x_overhead {
            return Ok(0);
        }
        nr_tbs(&NrTbsInput {
            modulation: mcs.modulation,
            code_rate: mcs.rate_x1024 / 1024.0,
            layers: 1,
            n_prb,
            n_re_per_prb: re,
            x_overhead: c.x_overhead,
        })
    };
    let mut bits = 0u64;
    let (mut tbs_dl, mut tbs_special) = (0, 0);
    for s in c.pattern.slots() {
        let t = tbs_for(s.dl_symbols())?;
        match s {
            crate::carrier::SlotKind::Downlink => tbs_dl = t,
            crate::carrier::SlotKind::Special { .. } => tbs_special = t,
            crate::carrier::SlotKind::Uplink => {}
        }
        bits += u64::from(t);
    }
    let period_s = mu.slot_seconds() * c.pattern.slots().len() as f64;
    let per_layer = bits as f64 / period_s / 1e6;
    // The 38.306 formula per layer (it counts one UE's ≤ 8 layers), times the cell's MU layers.
    let formula = nr_peak_rate_mbps(
        1,
        mcs.modulation,
        1.0,
        n_prb,
        mu.mu(),
        FrequencyRange::Fr1,
        Direction::Downlink,
    )? * f64::from(c.layers)
        * c.pattern.dl_fraction();
    Ok(PeakRate {
        per_layer_mbps: per_layer,
        per_carrier_mbps: per_layer * f64::from(c.layers),
        total_mbps: per_layer * f64::from(c.layers) * f64::from(c.carriers),
        n_prb,
        tbs_dl_slot: tbs_dl,
        tbs_special_slot: tbs_special,
        formula_38306_mbps: formula,
    })
}

#[cfg(test)]
mod peak_tests {
    use super::*;

    #[test]
    fn nr_100mhz_dddsu_16_layers() {
        let c = NrPeakRateConfig {
            bandwidth_mhz: 100,
            scs_khz: 30,
            pattern: "DDDSU".parse().unwrap(),
            layers: 16,
            mcs_table: McsTable::Qam256,
            i_mcs: 27,
            control_symbols: 1,
            dmrs_symbols: 1,
            x_overhead: 0,
            carriers: 1,
        };
        let r = nr_tdd_peak_rate(&c).unwrap();
        // Full slot: 13 PDSCH symbols − 1 DMRS = 144 REs/PRB; special: 9 − 1 = 96.
        let t_dl = nr_tbs(&NrTbsInput {
            modulation: Modulation::Qam256,
            code_rate: 948.0 / 1024.0,
            layers: 1,
            n_prb: 273,
            n_re_per_prb: 144,
            x_overhead: 0,
        })
        .unwrap();
        let t_s = nr_tbs(&NrTbsInput {
            modulation: Modulation::Qam256,
            code_rate: 948.0 / 1024.0,
            layers: 1,
            n_prb: 273,
            n_re_per_prb: 96,
            x_overhead: 0,
        })
        .unwrap();
        assert_eq!((r.tbs_dl_slot, r.tbs_special_slot), (t_dl, t_s));
        let want = f64::from(3 * t_dl + t_s) / 2.5e-3 / 1e6;
        assert!((r.per_layer_mbps - want).abs() < 1e-9);
        assert!((r.per_carrier_mbps - 16.0 * want).abs() < 1e-6);
        // The TBS arithmetic stays below the overhead-free 38.306 bound.
        assert!(
            r.per_carrier_mbps < r.formula_38306_mbps * 1.05,
            "{} vs {}",
            r.per_carrier_mbps,
            r.formula_38306_mbps
        );
    }
}
