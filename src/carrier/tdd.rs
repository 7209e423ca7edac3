//! TDD frame structures.
//!
//! * LTE frame structure type 2 (36.211 §4.2): uplink–downlink configurations 0–6 (Table 4.2-2)
//!   and special-subframe configurations 0–9 for normal CP (Table 4.2-1, DwPTS/GP/UpPTS in OFDM
//!   symbols).
//! * NR: a periodic slot pattern such as `DDDSU` (as `TDD-UL-DL-ConfigCommon` with one
//!   pattern; 38.213 §11.1) with the special slot's downlink/guard/uplink symbol split.

use std::fmt;
use std::str::FromStr;

use crate::{Error, Result};

/// What a subframe or slot carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SlotKind {
    /// Downlink only.
    Downlink,
    /// Uplink only.
    Uplink,
    /// Special: downlink symbols (DwPTS), guard period, uplink symbols (UpPTS).
    Special {
        /// Downlink OFDM symbols.
        dl: u8,
        /// Guard symbols.
        guard: u8,
        /// Uplink symbols.
        ul: u8,
    },
}

impl SlotKind {
    /// Downlink OFDM symbols in this slot (of 14, normal CP).
    pub fn dl_symbols(self) -> u32 {
        match self {
            SlotKind::Downlink => 14,
            SlotKind::Uplink => 0,
            SlotKind::Special { dl, .. } => u32::from(dl),
        }
    }

    /// Uplink OFDM symbols in this slot (of 14, normal CP).
    pub fn ul_symbols(self) -> u32 {
        match self {
            SlotKind::Downlink => 0,
            SlotKind::Uplink => 14,
            SlotKind::Special { ul, .. } => u32::from(ul),
        }
    }
}

/// 36.211 Table 4.2-2, subframes 0–9.
const LTE_UL_DL: [&str; 7] = [
    "DSUUUDSUUU",
    "DSUUDDSUUD",
    "DSUDDDSUDD",
    "DSUUUDDDDD",
    "DSUUDDDDDD",
    "DSUDDDDDDD",
    "DSUUUDSUUD",
];

/// 36.211 Table 4.2-1, normal CP in downlink and uplink: (DwPTS, GP, UpPTS) in symbols. The
/// DwPTS lengths 6592, 19760, 21952, 24144, 26336, 13168 Ts are 3, 9, 10, 11, 12, 6 symbols;
/// UpPTS 2192 / 4384 Ts are 1 / 2 symbols.
const LTE_SPECIAL: [(u8, u8, u8); 10] = [
    (3, 10, 1),
    (9, 4, 1),
    (10, 3, 1),
    (11, 2, 1),
    (12, 1, 1),
    (3, 9, 2),
    (9, 3, 2),
    (10, 2, 2),
    (11, 1, 2),
    (6, 6, 2),
];

/// An LTE TDD configuration: uplink–downlink configuration and special-subframe configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LteTddConfig {
    ul_dl: u8,
    special: u8,
}

impl LteTddConfig {
    /// Uplink–downlink configuration 0–6 and special-subframe configuration 0–9 (normal CP).
    pub fn new(ul_dl: u8, special: u8) -> Result<Self> {
        if ul_dl > 6 {
            return Err(Error::InvalidParameter {
                name: "tdd_config",
                value: crate::error::Value::of(&ul_dl),
                reason: "uplink-downlink configuration must be 0..=6",
            });
        }
        if special > 9 {
            return Err(Error::InvalidParameter {
                name: "special_subframe",
                value: crate::error::Value::of(&special),
                reason: "special subframe configuration must be 0..=9 (normal CP)",
            });
        }
        Ok(Self { ul_dl, special })
    }

    /// Uplink–downlink configuration.
    pub fn ul_dl(&self) -> u8 {
        self.ul_dl
    }

    /// Special-subframe configuration.
    pub fn special(&self) -> u8 {
        self.special
    }

    /// The ten subframes of a frame.
    pub fn subframes(&self) -> [SlotKind; 10] {
        let (dl, guard, ul) = LTE_SPECIAL[self.special as usize];
        let pattern = LTE_UL_DL[self.ul_dl as usize].as_bytes();
        std::array::from_fn(|i| match pattern[i] {
            b'D' => SlotKind::Downlink,
            b'U' => SlotKind::Uplink,
            _ => SlotKind::Special { dl, guard, ul },
        })
    }

    /// Downlink subframes per frame (special subframes not included).
    pub fn dl_subframes(&self) -> u32 {
        self.subframes()
            .iter()
            .filter(|s| **s == SlotKind::Downlink)
            .count() as u32
    }

    /// Special subframes per frame.
    pub fn special_subframes(&self) -> u32 {
        self.subframes()
            .iter()
            .filter(|s| matches!(s, SlotKind::Special { .. }))
            .count() as u32
    }

    /// DwPTS length in OFDM symbols.
    pub fn dwpts_symbols(&self) -> u32 {
        u32::from(LTE_SPECIAL[self.special as usize].0)
    }

    /// Downlink OFDM symbols per 10 ms frame (normal CP).
    pub fn dl_symbols_per_frame(&self) -> u32 {
        self.subframes().iter().map(|s| s.dl_symbols()).sum()
    }
}

/// A periodic NR TDD slot pattern, e.g. `DDDSU` with a 10:2:2 special slot.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NrTddPattern {
    slots: Vec<SlotKind>,
}

impl NrTddPattern {
    /// Parses a pattern of `D`, `U` and `S` letters; every `S` slot gets the split `special`
    /// (downlink, guard, uplink symbols; they must add up to 14).
    pub fn new(pattern: &str, special: (u8, u8, u8)) -> Result<Self> {
        let (dl, guard, ul) = special;
        if u32::from(dl) + u32::from(guard) + u32::from(ul) != 14 {
            return Err(Error::InvalidParameter {
                name: "special_slot",
                value: crate::value!("{dl}:{guard}:{ul}"),
                reason: "downlink + guard + uplink symbols must be 14",
            });
        }
        let slots = pattern
            .chars()
            .map(|c| match c.to_ascii_uppercase() {
                'D' => Ok(SlotKind::Downlink),
                'U' => Ok(SlotKind::Uplink),
                'S' => Ok(SlotKind::Special { dl, guard, ul }),
                other => Err(Error::InvalidParameter {
                    name: "tdd_pattern",
                    value: crate::error::Value::of(&pattern),
                    reason: if other.is_whitespace() {
                        "no spaces allowed"
                    } else {
                        "letters must be D, S or U"
                    },
                }),
            })
            .collect::<Result<Vec<_>>>()?;
        if slots.is_empty() {
            return Err(Error::InvalidParameter {
                name: "tdd_pattern",
                value: "".into(),
                reason: "must have at least one slot",
            });
        }
        Ok(Self { slots })
    }

    /// Slots of one period.
    pub fn slots(&self) -> &[SlotKind] {
        &self.slots
    }

    /// Share of OFDM symbols that are downlink.
    pub fn dl_fraction(&self) -> f64 {
        f64::from(self.slots.iter().map(|s| s.dl_symbols()).sum::<u32>())
            / (14.0 * self.slots.len() as f64)
    }
}

impl fmt::Display for NrTddPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for s in &self.slots {
            f.write_str(match s {
                SlotKind::Downlink => "D",
                SlotKind::Uplink => "U",
                SlotKind::Special { .. } => "S",
            })?;
        }
        Ok(())
    }
}

impl FromStr for NrTddPattern {
    type Err = Error;

    /// `DDDSU` (special slot 10:2:2) or `DDDSU/6:4:4`.
    fn from_str(s: &str) -> Result<Self> {
        let (pattern, split) = s.split_once('/').unwrap_or((s, "10:2:2"));
        let parts: Vec<u8> = split
            .split(':')
            .map(|p| p.trim().parse::<u8>())
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| Error::InvalidParameter {
                name: "special_slot",
                value: crate::error::Value::of(&split),
                reason: "expected dl:guard:ul symbol counts, e.g. 10:2:2",
            })?;
        match parts[..] {
            [dl, guard, ul] => Self::new(pattern, (dl, guard, ul)),
            _ => Err(Error::InvalidParameter {
                name: "special_slot",
                value: crate::error::Value::of(&split),
                reason: "expected three numbers dl:guard:ul",
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lte_configuration_2_with_special_subframe_7() {
        let c = LteTddConfig::new(2, 7).unwrap();
        assert_eq!(c.dl_subframes(), 6);
        assert_eq!(c.special_subframes(), 2);
        assert_eq!(c.dwpts_symbols(), 10);
        assert_eq!(c.dl_symbols_per_frame(), 6 * 14 + 2 * 10);
        // Every special configuration fills a 14-symbol subframe.
        for (d, g, u) in LTE_SPECIAL {
            assert_eq!(u32::from(d) + u32::from(g) + u32::from(u), 14);
        }
        // Configuration 0 has two special subframes and 2 DL subframes; 5 has 8 DL.
        assert_eq!(LteTddConfig::new(0, 0).unwrap().dl_subframes(), 2);
        assert_eq!(LteTddConfig::new(5, 0).unwrap().dl_subframes(), 8);
        assert_eq!(crate::error::name_of(LteTddConfig::new(7, 0)), "tdd_config");
        assert_eq!(
            crate::error::name_of(LteTddConfig::new(0, 10)),
            "special_subframe"
        );
    }

    #[test]
    fn nr_patterns_parse() {
        let p: NrTddPattern = "DDDSU".parse().unwrap();
        assert_eq!(p.slots().len(), 5);
        assert!((p.dl_fraction() - (3.0 * 14.0 + 10.0) / 70.0).abs() < 1e-12);
        assert_eq!(p.to_string(), "DDDSU");
        let q: NrTddPattern = "DDDDDDDSUU/6:4:4".parse().unwrap();
        assert_eq!(
            q.slots()[7],
            SlotKind::Special {
                dl: 6,
                guard: 4,
                ul: 4
            }
        );
        assert_eq!(
            crate::error::name_of("DDXU".parse::<NrTddPattern>()),
            "tdd_pattern"
        );
        assert_eq!(
            crate::error::name_of("DDSU/10:2:3".parse::<NrTddPattern>()),
            "special_slot"
        );
    }
}
