//! LTE transport-block sizes, PDSCH MCS tables and the TD-LTE downlink peak rate,
//! 3GPP TS 36.213 §7.1.7 (Rel-12, up to 256QAM).
//!
//! * TBS (§7.1.7.2): one layer from Table 7.1.7.2.1-1 at (I_TBS, N_PRB); in the DwPTS of a
//!   special subframe N_PRB = max(⌊N′_PRB·0.75⌋, 1), or ·0.375 for special-subframe
//!   configuration 9 (normal CP) — [`PrbScaling`]; ν = 2, 3, 4 layers: Table 7.1.7.2.1-1 at
//!   (I_TBS, ν·N_PRB) while ν·N_PRB ≤ 110, else the one-layer TBS translated by Tables
//!   7.1.7.2.2-1, 7.1.7.2.4-1, 7.1.7.2.5-1.
//! * MCS (§7.1.7.1): I_MCS → (Q_m, I_TBS) from Table 7.1.7.1-1 (64QAM) or -1A (256QAM).
//! * Code rate of a transport block: (TBS + CRC) / (data REs · Q_m), with the 24-bit TB CRC
//!   and, when the TB is segmented (TBS + 24 > 6144), a 24-bit CRC per code block (36.212
//!   §5.1.2).
//!
//! The tables are generated from `../shared/tables` ([`crate::tables::lte_rate`]).

use crate::carrier::{LteTddConfig, SlotKind, lte_n_rb};
use crate::modulation::Modulation;
use crate::tables::lte_rate::{
    MCS_TABLE_64QAM, MCS_TABLE_256QAM, TBS_L1_TO_L2, TBS_L1_TO_L3, TBS_L1_TO_L4, TBS_TABLE,
};
use crate::{Error, Result};

/// The N_PRB scaling of §7.1.7.2.1 for a transport block in the DwPTS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PrbScaling {
    /// A normal downlink subframe: N_PRB as allocated.
    Full,
    /// DwPTS of special-subframe configurations 1–4 and 6–8 (normal CP): ⌊0.75·N′_PRB⌋.
    ThreeQuarters,
    /// DwPTS of special-subframe configuration 9 (normal CP): ⌊0.375·N′_PRB⌋.
    ThreeEighths,
}

impl PrbScaling {
    /// From the factor 1, 0.75 or 0.375.
    pub fn from_factor(f: f64) -> Result<Self> {
        match f {
            1.0 => Ok(Self::Full),
            0.75 => Ok(Self::ThreeQuarters),
            0.375 => Ok(Self::ThreeEighths),
            _ => Err(Error::InvalidParameter {
                name: "prb_scale",
                value: crate::error::Value::of(&f),
                reason: "must be 1, 0.75 or 0.375 (36.213 §7.1.7.2.1)",
            }),
        }
    }

    /// The scaling of the DwPTS of special-subframe configuration `special` (normal CP), or
    /// `None` for configurations 0 and 5, whose 3-symbol DwPTS carries no PDSCH.
    pub fn for_dwpts(special: u8) -> Option<Self> {
        match special {
            0 | 5 => None,
            9 => Some(Self::ThreeEighths),
            _ => Some(Self::ThreeQuarters),
        }
    }

    /// N_PRB used for the TBS look-up: max(⌊N′_PRB·factor⌋, 1).
    pub fn apply(self, n_prb: u32) -> u32 {
        match self {
            Self::Full => n_prb,
            Self::ThreeQuarters => (n_prb * 3 / 4).max(1),
            Self::ThreeEighths => (n_prb * 3 / 8).max(1),
        }
    }
}

/// The TBS in bits of 36.213 §7.1.7.2 for `i_tbs` (0–33), `n_prb` allocated PRBs (1–110),
/// `layers` (1–4) spatial layers of one transport block and the DwPTS `scaling`.
///
/// Errors name the value: I_TBS > 33, N_PRB 0 or > 110, layers 0 or > 4, and a multi-layer
/// TBS whose one-layer value has no entry in the translation table (the 256QAM-only TBS values
/// of Rel-12, which the tables in `../shared/tables` do not hold).
pub fn lte_tbs(i_tbs: u32, n_prb: u32, layers: u32, scaling: PrbScaling) -> Result<u32> {
    if i_tbs > 33 {
        return Err(Error::InvalidParameter {
            name: "i_tbs",
            value: crate::error::Value::of(&i_tbs),
            reason: "must be 0..=33 (36.213 Table 7.1.7.2.1-1)",
        });
    }
    if !(1..=110).contains(&n_prb) {
        return Err(Error::InvalidParameter {
            name: "n_prb",
            value: crate::error::Value::of(&n_prb),
            reason: "must be 1..=110 (36.213 Table 7.1.7.2.1-1)",
        });
    }
    if !(1..=4).contains(&layers) {
        return Err(Error::InvalidParameter {
            name: "layers",
            value: crate::error::Value::of(&layers),
            reason: "one LTE transport block spans 1..=4 layers (36.213 §7.1.7.2.2–7.1.7.2.5)",
        });
    }
    let row = &TBS_TABLE[i_tbs as usize];
    let n = scaling.apply(n_prb);
    if layers * n <= 110 {
        return Ok(row[(layers * n - 1) as usize]);
    }
    let one = row[(n - 1) as usize];
    let table: &[(u32, u32)] = match layers {
        2 => &TBS_L1_TO_L2,
        3 => &TBS_L1_TO_L3,
        _ => &TBS_L1_TO_L4,
    };
    table
        .binary_search_by_key(&one, |&(a, _)| a)
        .map(|i| table[i].1)
        .map_err(|_| Error::InvalidParameter {
            name: "i_tbs × n_prb (one-layer TBS)",
            value: crate::value!("TBS_L1 = {one} at I_TBS {i_tbs}, N_PRB {n}"),
            reason: "no entry in the layer translation table (the 256QAM-only TBS values are not tabulated)",
        })
}

/// The LTE PDSCH MCS tables of 36.213 §7.1.7.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LteMcsTable {
    /// Table 7.1.7.1-1 (up to 64QAM, I_MCS 0–28 carry data).
    Qam64,
    /// Table 7.1.7.1-1A (up to 256QAM, I_MCS 0–27 carry data).
    Qam256,
}

impl LteMcsTable {
    /// The highest I_MCS that gives a TBS (28 or 27).
    pub fn max_data_mcs(self) -> u32 {
        match self {
            Self::Qam64 => 28,
            Self::Qam256 => 27,
        }
    }

    fn rows(self) -> &'static [(u8, Option<u8>); 32] {
        match self {
            Self::Qam64 => &MCS_TABLE_64QAM,
            Self::Qam256 => &MCS_TABLE_256QAM,
        }
    }
}

/// One row of an LTE MCS table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LteMcsEntry {
    /// Modulation of Q_m.
    pub modulation: Modulation,
    /// I_TBS, `None` for the reserved rows (29–31 / 28–31) that only signal a modulation for
    /// a retransmission.
    pub i_tbs: Option<u32>,
}

fn modulation_of(q_m: u8) -> Modulation {
    match q_m {
        2 => Modulation::Qpsk,
        4 => Modulation::Qam16,
        6 => Modulation::Qam64,
        _ => Modulation::Qam256,
    }
}

/// Row `i_mcs` (0–31) of `table`.
pub fn lte_mcs(table: LteMcsTable, i_mcs: u32) -> Result<LteMcsEntry> {
    let (q_m, i_tbs) =
        *table
            .rows()
            .get(i_mcs as usize)
            .ok_or_else(|| Error::InvalidParameter {
                name: "i_mcs",
                value: crate::error::Value::of(&i_mcs),
                reason: "must be 0..=31 (36.213 Table 7.1.7.1-1/-1A)",
            })?;
    Ok(LteMcsEntry {
        modulation: modulation_of(q_m),
        i_tbs: i_tbs.map(u32::from),
    })
}

/// Effective code rate of a transport block of `tbs` bits sent on `n_re` data resource
/// elements per layer with `modulation`: (TBS + CRC bits) / (n_re · Q_m), counting the 24-bit
/// TB CRC and, when segmented into C > 1 code blocks of at most 6144 bits (36.212 §5.1.2),
/// 24 more CRC bits per code block.
pub fn lte_code_rate(tbs: u32, n_re: u32, modulation: Modulation) -> f64 {
    let b = u64::from(tbs) + 24;
    let crc = if b > 6144 {
        24 + 24 * b.div_ceil(6144 - 24)
    } else {
        24
    };
    (u64::from(tbs) + crc) as f64 / (f64::from(n_re) * modulation.bits_per_symbol() as f64)
}

/// The highest code rate at which a UE is required to decode a PDSCH transport block
/// (36.213 §7.1.7: it may skip decoding above 0.930 in an initial transmission).
pub const LTE_MAX_CODE_RATE: f64 = 0.93;

/// One link-adaptation decision on the LTE tables.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LteLinkChoice {
    /// I_MCS in the table.
    pub i_mcs: u32,
    /// Its modulation and I_TBS.
    pub entry: LteMcsEntry,
    /// TBS of one layer on the allocation, bits.
    pub tbs: u32,
    /// Effective code rate of that TBS on the data REs ([`lte_code_rate`]).
    pub code_rate: f64,
}

/// Link adaptation on the LTE tables: the highest data I_MCS of `table` whose transport block
/// on `n_prb` PRBs of `re_per_prb` data REs each (N_PRB scaled by `scaling` for the TBS, as in
/// the DwPTS) has an effective code rate ≤ [`LTE_MAX_CODE_RATE`] and a spectral efficiency
/// Q_m·R ≤ `efficiency` (bit/s/Hz per layer, e.g. log2(1 + SINR/gap)). `None` when even
/// I_MCS 0 does not fit.
pub fn lte_mcs_for_efficiency(
    table: LteMcsTable,
    efficiency: f64,
    n_prb: u32,
    re_per_prb: u32,
    scaling: PrbScaling,
) -> Result<Option<LteLinkChoice>> {
    if re_per_prb == 0 || re_per_prb > 12 * 14 {
        return Err(Error::InvalidParameter {
            name: "re_per_prb",
            value: crate::error::Value::of(&re_per_prb),
            reason: "data REs per PRB must be 1..=168",
        });
    }
    for i_mcs in (0..=table.max_data_mcs()).rev() {
        let entry = lte_mcs(table, i_mcs)?;
        let Some(i_tbs) = entry.i_tbs else { continue };
        let tbs = lte_tbs(i_tbs, n_prb, 1, scaling)?;
        let code_rate = lte_code_rate(tbs, n_prb * re_per_prb, entry.modulation);
        let se = code_rate * entry.modulation.bits_per_symbol() as f64;
        if code_rate <= LTE_MAX_CODE_RATE && se <= efficiency {
            return Ok(Some(LteLinkChoice {
                i_mcs,
                entry,
                tbs,
                code_rate,
            }));
        }
    }
    Ok(None)
}

/// Assumptions of a TD-LTE downlink peak-rate calculation from the TBS arithmetic.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LtePeakRateConfig {
    /// Channel bandwidth in MHz (1.4, 3, 5, 10, 15, 20; 36.101 Table 5.6-1).
    pub bandwidth_mhz: f64,
    /// Uplink–downlink configuration (0–6) and special-subframe configuration (0–9, normal CP).
    pub tdd: LteTddConfig,
    /// Spatial layers on the carrier (MU-MIMO: one single-layer transport block per layer).
    pub layers: u32,
    /// I_TBS of every transport block (0–33).
    pub i_tbs: u32,
    /// Aggregated carriers of this configuration.
    pub carriers: u32,
}

/// Result of [`lte_tdd_peak_rate`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LtePeakRate {
    /// N_RB of the carrier.
    pub n_prb: u32,
    /// Single-layer TBS of a downlink subframe, bits.
    pub tbs_dl_subframe: u32,
    /// Single-layer TBS of a special subframe's DwPTS (0 where it carries no PDSCH), bits.
    pub tbs_dwpts: u32,
    /// Downlink and special subframes per 10 ms frame.
    pub dl_subframes: u32,
    /// Special subframes per frame.
    pub special_subframes: u32,
    /// Throughput of one layer, Mbit/s.
    pub per_layer_mbps: f64,
    /// Throughput of one carrier with all layers, Mbit/s.
    pub per_carrier_mbps: f64,
    /// Throughput of all carriers, Mbit/s.
    pub total_mbps: f64,
}

/// Most MU-MIMO layers one TD-LTE carrier is taken to carry: 36.213 TM9/TM10 give 8 DMRS ports
/// to co-scheduled terminals with 2 scrambling identities × 2 orthogonal cover groups beyond
/// that; 16 single-layer terminals is the FD-MIMO (Rel-13/14) 3D-MIMO cell of the reference
/// deployment.
pub const LTE_MAX_CELL_LAYERS: u32 = 16;

/// TD-LTE downlink peak rate of a carrier set from the TBS arithmetic of 36.213 §7.1.7: per
/// frame and layer, the one-layer TBS of all PRBs in every downlink subframe plus the DwPTS
/// TBS (N_PRB scaled by 0.75 or 0.375) in every special subframe, over 10 ms.
///
/// Errors: bandwidth not an LTE one, I_TBS out of range, layers 0 or above
/// [`LTE_MAX_CELL_LAYERS`], zero carriers.
pub fn lte_tdd_peak_rate(c: &LtePeakRateConfig) -> Result<LtePeakRate> {
    let n_prb = lte_n_rb(c.bandwidth_mhz)?;
    if !(1..=LTE_MAX_CELL_LAYERS).contains(&c.layers) {
        return Err(Error::InvalidParameter {
            name: "layers",
            value: crate::error::Value::of(&c.layers),
            reason: "an LTE carrier carries 1..=16 MU-MIMO layers here (single-layer transport blocks)",
        });
    }
    if c.carriers == 0 {
        return Err(Error::InvalidParameter {
            name: "carriers",
            value: "0".into(),
            reason: "must be ≥ 1",
        });
    }
    let tbs_dl = lte_tbs(c.i_tbs, n_prb, 1, PrbScaling::Full)?;
    let tbs_dwpts = match PrbScaling::for_dwpts(c.tdd.special()) {
        Some(s) => lte_tbs(c.i_tbs, n_prb, 1, s)?,
        None => 0,
    };
    let mut bits = 0u64;
    for s in c.tdd.subframes() {
        bits += match s {
            SlotKind::Downlink => u64::from(tbs_dl),
            SlotKind::Special { .. } => u64::from(tbs_dwpts),
            SlotKind::Uplink => 0,
        };
    }
    let per_layer = bits as f64 / 10e-3 / 1e6;
    let per_carrier = per_layer * f64::from(c.layers);
    Ok(LtePeakRate {
        n_prb,
        tbs_dl_subframe: tbs_dl,
        tbs_dwpts,
        dl_subframes: c.tdd.dl_subframes(),
        special_subframes: c.tdd.special_subframes(),
        per_layer_mbps: per_layer,
        per_carrier_mbps: per_carrier,
        total_mbps: per_carrier * f64::from(c.carriers),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_deployment_arithmetic() {
        // The product brief's TD-LTE cell: 20 MHz, configuration 2 (DSUDD DSUDD), special
        // subframe 7, I_TBS 25, 16 single-layer terminals: 63 776 bits per 100-PRB subframe,
        // 46 888 in the DwPTS (75 PRB), (6·63 776 + 2·46 888) bits / 10 ms = 47.64 Mbit/s per
        // layer, 762.3 Mbit/s per carrier.
        let r = lte_tdd_peak_rate(&LtePeakRateConfig {
            bandwidth_mhz: 20.0,
            tdd: LteTddConfig::new(2, 7).unwrap(),
            layers: 16,
            i_tbs: 25,
            carriers: 3,
        })
        .unwrap();
        assert_eq!(
            (r.n_prb, r.tbs_dl_subframe, r.tbs_dwpts),
            (100, 63_776, 46_888)
        );
        assert_eq!((r.dl_subframes, r.special_subframes), (6, 2));
        let per_layer = (6.0 * 63_776.0 + 2.0 * 46_888.0) / 10e-3 / 1e6;
        assert!((r.per_layer_mbps - per_layer).abs() < 1e-9);
        assert!((r.per_carrier_mbps - 16.0 * per_layer).abs() < 1e-9);
        assert!((r.total_mbps - 48.0 * per_layer).abs() < 1e-9);
    }

    #[test]
    fn dwpts_scaling_and_layer_translation() {
        // 0.375 for special subframe 9, none for 0 and 5 (3-symbol DwPTS).
        assert_eq!(PrbScaling::for_dwpts(9), Some(PrbScaling::ThreeEighths));
        assert_eq!(PrbScaling::for_dwpts(0), None);
        assert_eq!(PrbScaling::for_dwpts(5), None);
        assert_eq!(PrbScaling::ThreeEighths.apply(1), 1); // max(⌊0.375⌋, 1)
        // Two layers with 2·N_PRB ≤ 110 read the table at 2·N_PRB …
        assert_eq!(
            lte_tbs(20, 50, 2, PrbScaling::Full).unwrap(),
            TBS_TABLE[20][99]
        );
        // … above it, translate the one-layer TBS (I_TBS 26, 110 PRB: 75 376 → 149 776).
        assert_eq!(lte_tbs(26, 110, 2, PrbScaling::Full).unwrap(), 149_776);
        // Cell (6, 1) is 328 in the specification.
        assert_eq!(lte_tbs(6, 1, 1, PrbScaling::Full).unwrap(), 328);
    }

    #[test]
    fn bad_inputs_name_the_value() {
        let named = |r: Result<u32>, want: &str, value: &str| match r {
            Err(Error::InvalidParameter { name, value: v, .. }) => {
                assert_eq!(name, want);
                assert_eq!(v, value);
            }
            other => panic!("expected {want} error, got {other:?}"),
        };
        named(lte_tbs(34, 10, 1, PrbScaling::Full), "i_tbs", "34");
        named(lte_tbs(3, 0, 1, PrbScaling::Full), "n_prb", "0");
        named(lte_tbs(3, 111, 1, PrbScaling::Full), "n_prb", "111");
        named(lte_tbs(3, 10, 5, PrbScaling::Full), "layers", "5");
        // I_TBS 33 at 100 PRB with 2 layers: its one-layer TBS (a 256QAM-only value) is not in
        // Table 7.1.7.2.2-1 of the shared tables.
        assert!(matches!(
            lte_tbs(33, 100, 2, PrbScaling::Full),
            Err(Error::InvalidParameter {
                name: "i_tbs × n_prb (one-layer TBS)",
                ..
            })
        ));
        assert!(matches!(
            lte_mcs(LteMcsTable::Qam256, 32),
            Err(Error::InvalidParameter { name: "i_mcs", .. })
        ));
        assert!(matches!(
            PrbScaling::from_factor(0.5),
            Err(Error::InvalidParameter {
                name: "prb_scale",
                ..
            })
        ));
        let base = LtePeakRateConfig {
            bandwidth_mhz: 20.0,
            tdd: LteTddConfig::new(2, 7).unwrap(),
            layers: 16,
            i_tbs: 25,
            carriers: 1,
        };
        for (c, want) in [
            (LtePeakRateConfig { layers: 0, ..base }, "layers"),
            (LtePeakRateConfig { layers: 17, ..base }, "layers"),
            (
                LtePeakRateConfig {
                    carriers: 0,
                    ..base
                },
                "carriers",
            ),
            (
                LtePeakRateConfig {
                    bandwidth_mhz: 25.0,
                    ..base
                },
                "bandwidth_mhz",
            ),
        ] {
            match lte_tdd_peak_rate(&c) {
                Err(Error::InvalidParameter { name, .. }) => assert_eq!(name, want),
                other => panic!("expected {want} error, got {other:?}"),
            }
        }
    }

    #[test]
    fn link_adaptation_picks_the_highest_fitting_mcs() {
        // 100 PRB × 120 data REs. At 10 bit/s/Hz every 256QAM row fits the SE but the top
        // rows exceed R = 0.93: I_MCS 27 (I_TBS 33, 97 896 bits) has R = (97 896 + 24 +
        // 16·24)/96 000 = 1.02, so the pick is the highest row with R ≤ 0.93.
        let c = lte_mcs_for_efficiency(LteMcsTable::Qam256, 10.0, 100, 120, PrbScaling::Full)
            .unwrap()
            .unwrap();
        assert!(c.code_rate <= LTE_MAX_CODE_RATE);
        let next = lte_mcs(LteMcsTable::Qam256, c.i_mcs + 1).unwrap();
        let t = lte_tbs(next.i_tbs.unwrap(), 100, 1, PrbScaling::Full).unwrap();
        assert!(lte_code_rate(t, 12_000, next.modulation) > LTE_MAX_CODE_RATE);
        // The efficiency bound binds at low SINR: SE 1.0 → QPSK/16QAM with Q_m·R ≤ 1.
        let c = lte_mcs_for_efficiency(LteMcsTable::Qam256, 1.0, 100, 120, PrbScaling::Full)
            .unwrap()
            .unwrap();
        assert!(c.code_rate * c.entry.modulation.bits_per_symbol() as f64 <= 1.0);
        let next = lte_mcs(LteMcsTable::Qam256, c.i_mcs + 1).unwrap();
        let t = lte_tbs(next.i_tbs.unwrap(), 100, 1, PrbScaling::Full).unwrap();
        assert!(
            lte_code_rate(t, 12_000, next.modulation) * next.modulation.bits_per_symbol() as f64
                > 1.0
        );
        // Nothing fits an efficiency below I_MCS 0's.
        assert_eq!(
            lte_mcs_for_efficiency(LteMcsTable::Qam256, 0.01, 100, 120, PrbScaling::Full).unwrap(),
            None
        );
    }

    #[test]
    fn mcs_rows_and_code_rate() {
        // 256QAM table: I_MCS 20 is the first 256QAM row with I_TBS 25; 27 → I_TBS 33.
        let e = lte_mcs(LteMcsTable::Qam256, 20).unwrap();
        assert_eq!((e.modulation, e.i_tbs), (Modulation::Qam256, Some(25)));
        assert_eq!(lte_mcs(LteMcsTable::Qam256, 27).unwrap().i_tbs, Some(33));
        assert_eq!(lte_mcs(LteMcsTable::Qam64, 29).unwrap().i_tbs, None);
        // 63 776 bits on 100 PRB × 120 data REs of 256QAM: 11 code blocks (36.212: C =
        // ⌈(63 776 + 24)/6120⌉ = 11), (63 776 + 24 + 264) / 96 000 = 0.667.
        let r = lte_code_rate(63_776, 12_000, Modulation::Qam256);
        assert!((r - (63_776.0 + 24.0 + 264.0) / 96_000.0).abs() < 1e-12);
    }
}
