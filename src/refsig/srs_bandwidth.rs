//! SRS frequency position: the bandwidth tree and frequency hopping of NR (38.211 §6.4.1.4.3)
//! and LTE (36.211 §5.5.3.2).
//!
//! A configuration C_SRS selects a row of the bandwidth table: per tree level b = 0..3 the
//! sounded width m_SRS,b (PRBs) and the branching N_b. A UE sounds m_SRS,B PRBs at level
//! B = B_SRS; which branch n_b it takes at each level comes from n_RRC (the frequency domain
//! position) and, when hopping (b_hop < B_SRS), from the SRS counter n_SRS:
//!
//! * b ≤ b_hop: `n_b = ⌊4·n_RRC/m_SRS,b⌋ mod N_b`;
//! * b > b_hop: `n_b = (F_b(n_SRS) + ⌊4·n_RRC/m_SRS,b⌋) mod N_b` with, writing
//!   `P_b = Π_{b'=b_hop}^{b} N_b'` (N_{b_hop} taken as 1),
//!   `F_b = (N_b/2)·⌊(n_SRS mod P_b)/P_{b−1}⌋ + ⌊(n_SRS mod P_b)/(2·P_{b−1})⌋` for even N_b and
//!   `F_b = ⌊N_b/2⌋·⌊n_SRS/P_{b−1}⌋` for odd N_b.
//!
//! The first sounded PRB is then `offset + Σ_{b=0}^{B_SRS} m_SRS,b·n_b`, where the offset is
//! n_shift in NR and `⌊N_RB^UL/2⌋ − m_SRS,0/2` in LTE (the tree centred in the carrier); the
//! sequence of K_TC-comb subcarriers starts k_TC subcarriers into that PRB
//! ([`super::SrsConfig::prb_start`]). The tables are [`crate::tables::srs_bandwidth`].

use crate::tables::srs_bandwidth::{LTE_SRS_BANDWIDTH, NR_SRS_BANDWIDTH};
use crate::{Error, Result};

/// Which specification's bandwidth tables and band offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SrsRat {
    /// NR: Table 6.4.1.4.3-1 (C_SRS 0–63), offset n_shift.
    Nr,
    /// LTE: Tables 5.5.3.2-1…-4 by N_RB^UL (C_SRS 0–7), band centred in the carrier.
    Lte,
}

/// The bandwidth configuration of one SRS resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SrsBandwidthConfig {
    /// Tables of NR or LTE.
    pub rat: SrsRat,
    /// C_SRS: NR 0–63, LTE 0–7.
    pub c_srs: usize,
    /// B_SRS ∈ 0..=3: the tree level sounded.
    pub b_srs: usize,
    /// b_hop ∈ 0..=3: frequency hopping when b_hop < B_SRS.
    pub b_hop: usize,
    /// n_RRC: frequency domain position (NR 0–67, LTE 0–23).
    pub n_rrc: usize,
    /// NR n_shift (PRBs from the carrier's first PRB; 0–268); ignored for LTE.
    pub n_shift: usize,
    /// N_RB of the (uplink) carrier: the LTE table choice and the fit check.
    pub n_rb: usize,
}

/// The sounded band of one SRS occasion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SrsBand {
    /// First PRB (from the carrier's first PRB).
    pub prb_start: usize,
    /// PRBs sounded, m_SRS,B_SRS.
    pub m_srs: usize,
}

fn bad(name: &'static str, value: impl core::fmt::Display, reason: &'static str) -> Error {
    Error::InvalidParameter {
        name,
        value: crate::error::Value::of(&value),
        reason,
    }
}

impl SrsBandwidthConfig {
    /// The table row `[m_SRS,0, N_0, …, m_SRS,3, N_3]` as (m_b, N_b) per level.
    pub fn tree(&self) -> Result<[(usize, usize); 4]> {
        let row: &[u16; 8] = match self.rat {
            SrsRat::Nr => NR_SRS_BANDWIDTH.get(self.c_srs).ok_or_else(|| {
                bad(
                    "C_SRS",
                    self.c_srs,
                    "NR C_SRS is 0..=63 (Table 6.4.1.4.3-1)",
                )
            })?,
            SrsRat::Lte => {
                let t = match self.n_rb {
                    6..=40 => 0,
                    41..=60 => 1,
                    61..=80 => 2,
                    81..=110 => 3,
                    n => {
                        return Err(bad(
                            "N_RB^UL",
                            n,
                            "LTE uplink bandwidths are 6..=110 PRBs (36.211 Tables 5.5.3.2-1…-4)",
                        ));
                    }
                };
                LTE_SRS_BANDWIDTH[t]
                    .get(self.c_srs)
                    .ok_or_else(|| bad("C_SRS", self.c_srs, "LTE C_SRS is 0..=7 (Table 5.5.3.2)"))?
            }
        };
        Ok(std::array::from_fn(|b| {
            (usize::from(row[2 * b]), usize::from(row[2 * b + 1]))
        }))
    }

    /// Validates the configuration: indices in range and the tree's top level inside the
    /// carrier.
    pub fn validate(&self) -> Result<()> {
        self.checked_tree().map(|_| ())
    }

    /// The tree of a validated configuration (one table look-up for validation and use).
    fn checked_tree(&self) -> Result<[(usize, usize); 4]> {
        let tree = self.tree()?;
        if self.b_srs > 3 {
            return Err(bad("B_SRS", self.b_srs, "must be 0..=3"));
        }
        if self.b_hop > 3 {
            return Err(bad("b_hop", self.b_hop, "must be 0..=3"));
        }
        let (n_rrc_max, name) = match self.rat {
            SrsRat::Nr => (67, "n_RRC (freqDomainPosition, NR 0..=67)"),
            SrsRat::Lte => (23, "n_RRC (freqDomainPosition, LTE 0..=23)"),
        };
        if self.n_rrc > n_rrc_max {
            return Err(bad(name, self.n_rrc, "out of range"));
        }
        let m0 = tree[0].0;
        let fits = match self.rat {
            SrsRat::Nr => self.n_shift.checked_add(m0).is_some_and(|e| e <= self.n_rb),
            SrsRat::Lte => m0 <= self.n_rb,
        };
        if !fits {
            return Err(bad(
                "C_SRS / n_shift (m_SRS,0 + n_shift)",
                format!("{} + {} > N_RB {}", m0, self.n_shift, self.n_rb),
                "the SRS bandwidth tree must fit the carrier",
            ));
        }
        Ok(tree)
    }

    /// The number of SRS occasions after which the hopping pattern repeats:
    /// Π_{b=b_hop+1}^{B_SRS} N_b (1 without hopping).
    pub fn hopping_period(&self) -> Result<usize> {
        let tree = self.checked_tree()?;
        Ok(if self.b_hop >= self.b_srs {
            1
        } else {
            tree[self.b_hop + 1..=self.b_srs]
                .iter()
                .map(|t| t.1)
                .product()
        })
    }

    /// The band sounded at SRS counter `n_srs` (NR: `nr_srs_counter`; LTE: `lte_srs_counter`).
    pub fn band(&self, n_srs: u64) -> Result<SrsBand> {
        let tree = self.checked_tree()?;
        let hopping = self.b_hop < self.b_srs;
        let mut start = match self.rat {
            SrsRat::Nr => self.n_shift,
            SrsRat::Lte => self.n_rb / 2 - tree[0].0 / 2,
        };
        // P_{b−1} with N_{b_hop} = 1.
        let mut prod_prev: u64 = 1;
        for (b, &(m_b, n_b)) in tree.iter().enumerate().take(self.b_srs + 1) {
            let base = 4 * self.n_rrc / m_b;
            let nb = if !hopping || b <= self.b_hop {
                base % n_b
            } else {
                let n_b64 = n_b as u64;
                let prod = prod_prev * n_b64;
                let f = if n_b.is_multiple_of(2) {
                    let r = n_srs % prod;
                    (n_b64 / 2) * (r / prod_prev) + r / (2 * prod_prev)
                } else {
                    (n_b64 / 2) * (n_srs / prod_prev)
                };
                prod_prev = prod;
                ((f + base as u64) % n_b64) as usize
            };
            start += m_b * nb;
        }
        Ok(SrsBand {
            prb_start: start,
            m_srs: tree[self.b_srs].0,
        })
    }
}

/// The time-domain configuration of a periodic or semi-persistent NR SRS resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NrSrsTiming {
    /// N_slot^frame of the numerology (10·2^µ).
    pub slots_per_frame: u64,
    /// Period T_SRS in slots.
    pub t_srs: u64,
    /// Offset T_offset in slots (< T_SRS).
    pub t_offset: u64,
    /// SRS symbols N_symb^SRS of the resource (1, 2, 4).
    pub n_symbols: u64,
    /// Repetition factor R (1, 2, 4; ≤ N_symb^SRS).
    pub repetition: u64,
}

/// NR SRS counter n_SRS of 38.211 §6.4.1.4.3 in frame `n_f`, slot `n_s`, at symbol `l_prime`
/// of the resource: `(N_slot^frame·n_f + n_s − T_offset)/T_SRS · (N_symb^SRS/R) + ⌊l′/R⌋`.
/// The slot must be an SRS slot ((N·n_f + n_s − T_offset) mod T_SRS = 0).
pub fn nr_srs_counter(t: &NrSrsTiming, n_f: u64, n_s: u64, l_prime: u64) -> Result<u64> {
    if t.t_srs == 0 || t.t_offset >= t.t_srs {
        return Err(bad(
            "(T_SRS, T_offset)",
            format!("({}, {})", t.t_srs, t.t_offset),
            "need T_offset < T_SRS",
        ));
    }
    if ![1, 2, 4].contains(&t.repetition) || t.repetition > t.n_symbols || l_prime >= t.n_symbols {
        return Err(bad(
            "(N_symb^SRS, R, l')",
            format!("({}, {}, {l_prime})", t.n_symbols, t.repetition),
            "R ∈ {1, 2, 4}, R ≤ N_symb^SRS, l' < N_symb^SRS",
        ));
    }
    let slot = t.slots_per_frame * n_f + n_s;
    if n_s >= t.slots_per_frame || slot < t.t_offset || !(slot - t.t_offset).is_multiple_of(t.t_srs)
    {
        return Err(bad("n_s", n_s, "not an SRS slot of this period and offset"));
    }
    Ok((slot - t.t_offset) / t.t_srs * (t.n_symbols / t.repetition) + l_prime / t.repetition)
}

/// LTE SRS counter n_SRS of 36.211 §5.5.3.2 for a UE-specific periodic SRS of period `t_srs`
/// ms in frame `n_f` and slot `n_s` (0–19): `⌊(10·n_f + ⌊n_s/2⌋)/T_SRS⌋` for T_SRS > 2; for the
/// 2 ms period of frame structure type 2,
/// `2·N_SP·n_f + 2·(N_SP − 1)·⌊n_s/10⌋ + ⌊T_offset/T_offset,max⌋` with `n_sp` downlink-to-uplink
/// switch points per frame, `t_offset` the occasion's offset and `t_offset_max` the largest
/// offset of the configuration (both from 36.213 Table 8.2-2, given by the caller).
pub fn lte_srs_counter(
    n_f: u64,
    n_s: u64,
    t_srs: u64,
    n_sp: u64,
    t_offset: u64,
    t_offset_max: u64,
) -> Result<u64> {
    if n_s > 19 {
        return Err(bad("n_s", n_s, "LTE slots are 0..=19"));
    }
    match t_srs {
        2 => {
            if !(1..=2).contains(&n_sp) || t_offset_max == 0 {
                return Err(bad(
                    "(N_SP, T_offset,max)",
                    format!("({n_sp}, {t_offset_max})"),
                    "N_SP is 1 or 2 switch points; T_offset,max ≥ 1",
                ));
            }
            Ok(2 * n_sp * n_f + 2 * (n_sp - 1) * (n_s / 10) + t_offset / t_offset_max)
        }
        0 | 1 => Err(bad(
            "T_SRS",
            t_srs,
            "LTE SRS periods are 2, 5, 10, 20, 40, 80, 160, 320 ms",
        )),
        t => Ok((10 * n_f + n_s / 2) / t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nr(c_srs: usize, b_srs: usize, b_hop: usize, n_rrc: usize) -> SrsBandwidthConfig {
        SrsBandwidthConfig {
            rat: SrsRat::Nr,
            c_srs,
            b_srs,
            b_hop,
            n_rrc,
            n_shift: 0,
            n_rb: 273,
        }
    }

    #[test]
    fn hopping_visits_every_subband_once_per_period() {
        // With b_hop = 0 the m_SRS,B-wide sub-bands of one period tile the m_SRS,0 band exactly
        // once (the point of the F_b interleaving), for every C_SRS and B_SRS of the NR table.
        for c_srs in 0..64 {
            for b_srs in 1..4 {
                let cfg = nr(c_srs, b_srs, 0, 0);
                let tree = cfg.tree().unwrap();
                let period = cfg.hopping_period().unwrap();
                let (m0, mb) = (tree[0].0, tree[b_srs].0);
                assert_eq!(
                    period * mb,
                    m0,
                    "C_SRS {c_srs} B {b_srs}: tree not consistent"
                );
                let mut starts: Vec<usize> = (0..period as u64)
                    .map(|n| cfg.band(n).unwrap().prb_start)
                    .collect();
                starts.sort_unstable();
                let want: Vec<usize> = (0..period).map(|i| i * mb).collect();
                assert_eq!(starts, want, "C_SRS {c_srs} B_SRS {b_srs}");
                // And the pattern repeats with the period.
                for n in 0..period as u64 {
                    assert_eq!(cfg.band(n).unwrap(), cfg.band(n + period as u64).unwrap());
                }
            }
        }
    }

    #[test]
    fn without_hopping_n_rrc_picks_the_branch() {
        // C_SRS 9: m = 32/16/8/4, N = 1/2/2/2. B_SRS 3, no hopping (b_hop 3): n_b =
        // ⌊4·n_RRC/m_b⌋ mod N_b. n_RRC = 5: n_1 = ⌊20/16⌋ mod 2 = 1, n_2 = ⌊20/8⌋ mod 2 = 0,
        // n_3 = ⌊20/4⌋ mod 2 = 1 → start = 16 + 0 + 4 = 20, 4 PRBs; the same for every n_SRS.
        let cfg = nr(9, 3, 3, 5);
        for n in 0..8 {
            assert_eq!(
                cfg.band(n).unwrap(),
                SrsBand {
                    prb_start: 20,
                    m_srs: 4
                }
            );
        }
        // First two occasions of C_SRS 9, B_SRS 3, b_hop 0, n_RRC 0 by hand: P_0 = 1;
        // b = 1 (N 2): F = 1·(n mod 2) + ⌊(n mod 2)/2⌋; b = 2 (N 2): P_1 = 2,
        // F = 1·⌊(n mod 4)/2⌋ + ⌊(n mod 4)/4⌋; b = 3: P_2 = 4, F = ⌊(n mod 8)/4⌋.
        // n = 1 → n_1 = 1, n_2 = 0, n_3 = 0 → 16; n = 2 → 0, 1, 0 → 8; n = 4 → 0, 0, 1 → 4.
        let hop = nr(9, 3, 0, 0);
        assert_eq!(hop.band(0).unwrap().prb_start, 0);
        assert_eq!(hop.band(1).unwrap().prb_start, 16);
        assert_eq!(hop.band(2).unwrap().prb_start, 8);
        assert_eq!(hop.band(4).unwrap().prb_start, 4);
    }

    #[test]
    fn lte_band_is_centred() {
        // 20 MHz (100 PRB), Table 5.5.3.2-4, C_SRS 0: m_SRS,0 = 96 → PRBs 2..98.
        let cfg = SrsBandwidthConfig {
            rat: SrsRat::Lte,
            c_srs: 0,
            b_srs: 0,
            b_hop: 0,
            n_rrc: 0,
            n_shift: 0,
            n_rb: 100,
        };
        assert_eq!(
            cfg.band(0).unwrap(),
            SrsBand {
                prb_start: 2,
                m_srs: 96
            }
        );
        // 10 MHz (50 PRB), Table 5.5.3.2-2, C_SRS 0: m_SRS,0 = 48 → PRB 1.
        let cfg = SrsBandwidthConfig { n_rb: 50, ..cfg };
        assert_eq!(cfg.band(0).unwrap().prb_start, 1);
    }

    #[test]
    fn counters() {
        // NR, 20 slots per frame, period 10 slots, offset 3: slot (n_f 1, n_s 13) is occasion 3
        // → n_SRS = 3·(2/1) + 1 for l' = 1 with 2 symbols and R = 1.
        let t = NrSrsTiming {
            slots_per_frame: 20,
            t_srs: 10,
            t_offset: 3,
            n_symbols: 2,
            repetition: 1,
        };
        assert_eq!(nr_srs_counter(&t, 1, 13, 1).unwrap(), 7);
        assert!(matches!(
            nr_srs_counter(&t, 1, 14, 1),
            Err(Error::InvalidParameter { name: "n_s", .. })
        ));
        // LTE 10 ms period: one occasion per frame.
        assert_eq!(lte_srs_counter(7, 3, 10, 1, 0, 1).unwrap(), 7);
        // LTE TDD 2 ms period, two switch points: 2·2·n_f + 2·⌊n_s/10⌋ + ⌊T_offset/5⌋.
        assert_eq!(lte_srs_counter(1, 12, 2, 2, 7, 5).unwrap(), 4 + 2 + 1);
    }

    #[test]
    fn bad_configurations_are_named() {
        let named = |c: SrsBandwidthConfig, want: &str| match c.band(0) {
            Err(Error::InvalidParameter { name, .. }) => assert_eq!(name, want),
            other => panic!("expected {want}, got {other:?}"),
        };
        named(nr(64, 0, 0, 0), "C_SRS");
        named(nr(0, 4, 0, 0), "B_SRS");
        named(nr(0, 0, 4, 0), "b_hop");
        named(nr(0, 0, 0, 68), "n_RRC (freqDomainPosition, NR 0..=67)");
        // C_SRS 63 is 272 PRBs wide: with n_shift 2 it leaves a 273-PRB carrier.
        named(
            SrsBandwidthConfig {
                n_shift: 2,
                ..nr(63, 0, 0, 0)
            },
            "C_SRS / n_shift (m_SRS,0 + n_shift)",
        );
        named(
            SrsBandwidthConfig {
                rat: SrsRat::Lte,
                n_rb: 111,
                ..nr(0, 0, 0, 0)
            },
            "N_RB^UL",
        );
        named(
            SrsBandwidthConfig {
                rat: SrsRat::Lte,
                n_rb: 100,
                ..nr(8, 0, 0, 0)
            },
            "C_SRS",
        );
    }
}
