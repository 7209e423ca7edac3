//! Sequence-group and base-sequence hopping for the low-PAPR sequences of SRS
//! (38.211 §6.4.1.4.2) and PUCCH formats 0/1/3/4 (§6.3.2.2.1): the (u, v) passed to
//! [`super::low_papr_sequence`].

use super::Gold;
use crate::{Error, Result};

/// c(n) for n in `start..start + len`, one per byte.
fn gold_range(c_init: u32, start: usize, out: &mut [u8]) {
    let mut g = Gold::new(c_init);
    let mut skip = start;
    while skip >= 32 {
        g.next_word();
        skip -= 32;
    }
    let mut word = g.next_word();
    let mut bit = skip;
    for o in out {
        if bit == 32 {
            word = g.next_word();
            bit = 0;
        }
        *o = ((word >> bit) & 1) as u8;
        bit += 1;
    }
}

/// `(Σ_{m=0}^{7} c(8·n + m)·2^m) mod 30` — the group-hopping pattern f_gh.
fn f_gh(c_init: u32, n: usize) -> u32 {
    let mut bits = [0u8; 8];
    gold_range(c_init, 8 * n, &mut bits);
    bits.iter()
        .enumerate()
        .map(|(m, &b)| u32::from(b) << m)
        .sum::<u32>()
        % 30
}

/// `groupOrSequenceHopping` of SRS and `pucch-GroupHopping` of PUCCH.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Hopping {
    /// No hopping (SRS `neither`, PUCCH `neither`).
    Neither,
    /// Group hopping (SRS `groupHopping`, PUCCH `enable`).
    Group,
    /// Sequence hopping (SRS `sequenceHopping`, PUCCH `disable`).
    Sequence,
}

/// (u, v) of an SRS symbol, 38.211 §6.4.1.4.2: `n_id` = n_ID^SRS (0..=1023), `slot` = n_s,f^µ,
/// `symbol` = l0 + l' (symbol index within the slot, 14 per slot), `m_sc` = M_sc,b^SRS (the
/// sequence length; sequence hopping applies only when ≥ 72).
pub fn srs_group_sequence(
    hopping: Hopping,
    n_id: u32,
    slot: u32,
    symbol: u32,
    m_sc: usize,
) -> Result<(u32, u32)> {
    if n_id > 1023 {
        return Err(Error::InvalidParameter {
            name: "n_id (SRS sequence id)",
            value: crate::error::Value::of(&n_id),
            reason: "must be 0..=1023",
        });
    }
    if symbol >= 14 {
        return Err(Error::InvalidParameter {
            name: "symbol (l0 + l')",
            value: crate::error::Value::of(&symbol),
            reason: "must be 0..=13",
        });
    }
    let n = (slot * 14 + symbol) as usize;
    Ok(match hopping {
        Hopping::Neither => (n_id % 30, 0),
        Hopping::Group => ((f_gh(n_id / 30, n) + n_id) % 30, 0),
        Hopping::Sequence => {
            let mut v = [0u8; 1];
            if m_sc >= 72 {
                gold_range(n_id, n, &mut v);
            }
            (n_id % 30, u32::from(v[0]))
        }
    })
}

/// (u, v) of a PUCCH hop, 38.211 §6.3.2.2.1: `n_id` = hoppingId or the cell id (0..=1023),
/// `slot` = n_s,f^µ, `n_hop` = 0 or 1 (frequency hop within the slot).
pub fn pucch_group_sequence(
    hopping: Hopping,
    n_id: u32,
    slot: u32,
    n_hop: u32,
) -> Result<(u32, u32)> {
    if n_id > 1023 {
        return Err(Error::InvalidParameter {
            name: "n_id (PUCCH hopping id)",
            value: crate::error::Value::of(&n_id),
            reason: "must be 0..=1023",
        });
    }
    if n_hop > 1 {
        return Err(Error::InvalidParameter {
            name: "n_hop",
            value: crate::error::Value::of(&n_hop),
            reason: "must be 0 or 1",
        });
    }
    let f_ss = n_id % 30;
    let n = (2 * slot + n_hop) as usize;
    Ok(match hopping {
        Hopping::Neither => (f_ss, 0),
        Hopping::Group => ((f_gh(n_id / 30, n) + f_ss) % 30, 0),
        Hopping::Sequence => {
            let mut v = [0u8; 1];
            gold_range(32 * (n_id / 30) + n_id % 30, n, &mut v);
            (f_ss, u32::from(v[0]))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::gold::gold_bits;
    use super::*;

    #[test]
    fn gold_range_matches_the_full_sequence() {
        let full = gold_bits(1234, 300).unwrap();
        for start in [0usize, 5, 31, 32, 33, 100] {
            let mut part = vec![0u8; 150];
            gold_range(1234, start, &mut part);
            assert_eq!(&part[..], &full[start..start + 150]);
        }
    }

    #[test]
    fn group_hopping_follows_the_formula() {
        let (n_id, slot, sym) = (517u32, 3u32, 12u32);
        let n = (slot * 14 + sym) as usize;
        let c = gold_bits(n_id / 30, 8 * n + 8).unwrap();
        let fgh: u32 = (0..8).map(|m| u32::from(c[8 * n + m]) << m).sum::<u32>() % 30;
        assert_eq!(
            srs_group_sequence(Hopping::Group, n_id, slot, sym, 48).unwrap(),
            ((fgh + n_id) % 30, 0)
        );
        // Without hopping: u = n_ID mod 30, v = 0.
        assert_eq!(
            srs_group_sequence(Hopping::Neither, n_id, slot, sym, 48).unwrap(),
            (7, 0)
        );
        // Sequence hopping only for sequences of ≥ 72 subcarriers.
        assert_eq!(
            srs_group_sequence(Hopping::Sequence, n_id, slot, sym, 48).unwrap(),
            (7, 0)
        );
        let v = gold_bits(n_id, n + 1).unwrap()[n];
        assert_eq!(
            srs_group_sequence(Hopping::Sequence, n_id, slot, sym, 96).unwrap(),
            (7, u32::from(v))
        );
    }

    #[test]
    fn hopping_visits_every_group() {
        let mut seen = [false; 30];
        for slot in 0..20 {
            for hop in 0..2 {
                let (u, v) = pucch_group_sequence(Hopping::Group, 100, slot, hop).unwrap();
                assert!(u < 30 && v == 0);
                seen[u as usize] = true;
            }
        }
        assert!(seen.iter().filter(|s| **s).count() > 15);
        assert_eq!(
            crate::error::name_of(pucch_group_sequence(Hopping::Group, 2000, 0, 0)),
            "n_id (PUCCH hopping id)"
        );
    }
}
