//! The demodulation reference signal of each co-scheduled single-layer downlink stream on an
//! LTE carrier: antenna port, n_SCID and DMRS identity, as a base station can signal them to
//! MU-MIMO users — 36.211 §6.10.3 (UE-specific RS), 36.212 §5.3.3.1.5C (antenna port(s),
//! scrambling identity and number of layers), 36.331 Rel-11 (`dmrs-ConfigPDSCH`: the UE's own
//! DMRS identities n_ID^DMRS,0/1, 0…503).
//!
//! Streams are grouped into scrambling sets: the streams of one set share n_SCID and identity,
//! so their UE-RS differ only by the orthogonal cover of their ports and a user separates them
//! all; streams of different sets sit on the same REs with other scrambling (quasi-orthogonal:
//! what keeps them apart at a user is the precoder's beams).

use massive_mimo::{Error, Result};

/// How the downlink's UE-specific RS ports are handed out to single-layer streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum LteUeRsPorts {
    /// Rel-13 MU-MIMO with length-4 orthogonal cover (36.212 Table 5.3.3.1.5C-2,
    /// `dmrs-tableAlt`): ports 7, 8, 11, 13 × n_SCID 0/1, eight streams per pair of DMRS
    /// identities, all on the 12 REs per PRB pair of CDM group 1 (k' = 1); streams 9–16 reuse
    /// them under a second pair of identities (Rel-11, configured per UE).
    #[default]
    Rel13Occ4,
    /// Transmission mode 8 (Rel-9, length-2 cover): ports 7, 8 × n_SCID 0/1, four streams per
    /// identity pair, 12 REs per PRB pair.
    Tm8,
    /// Ports 7–14 × n_SCID 0/1: sixteen streams per identity on both CDM groups (24 REs per PRB
    /// pair). More than LTE signals to single-layer MU-MIMO users — TM9 gives ports 9–14 only to
    /// SU-MIMO ranks 3–8 — kept to compare against the overhead of 8-layer SU-MIMO.
    Ports7To14,
}

/// Most co-scheduled LTE streams the simulated cell gives UE-RS to.
pub const MAX_LTE_STREAMS: usize = 16;

impl LteUeRsPorts {
    /// The ports of one scrambling set, in the order its streams take them.
    pub fn ports(self) -> &'static [usize] {
        match self {
            Self::Rel13Occ4 => &[7, 8, 11, 13],
            Self::Tm8 => &[7, 8],
            Self::Ports7To14 => &[7, 8, 9, 10, 11, 12, 13, 14],
        }
    }

    /// Stream j's (port, n_SCID, identity-pair index): set s = j / ports, n_SCID = s mod 2,
    /// identity pair s / 2. Errors: j ≥ [`MAX_LTE_STREAMS`].
    pub fn assign(self, j: usize) -> Result<(usize, u32, usize)> {
        if j >= MAX_LTE_STREAMS {
            return Err(Error::InvalidParameter {
                name: "stream index (LTE UE-RS)",
                value: massive_mimo::error::Value::of(&j),
                reason: "at most 16 co-scheduled LTE streams get UE-RS",
            });
        }
        let p = self.ports();
        let set = j / p.len();
        Ok((p[j % p.len()], (set % 2) as u32, set / 2))
    }

    /// The DMRS identity of identity pair `pair` (both n_SCID values) in cell `cell_id`: the
    /// cell's own for pair 0 (what a Rel-9/10 UE uses), then 167 apart (mod 504) — any distinct
    /// values would do; these keep clear of the cell identities of the same site's sectors.
    pub fn identity(cell_id: u32, pair: usize) -> u32 {
        (cell_id + 167 * pair as u32) % 504
    }

    /// UE-RS REs per PRB pair of a normal subframe.
    pub fn res_per_prb_pair(self) -> usize {
        match self {
            Self::Ports7To14 => 24,
            Self::Rel13Occ4 | Self::Tm8 => 12,
        }
    }

    /// Its name on the example's command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Rel13Occ4 => "rel13",
            Self::Tm8 => "tm8",
            Self::Ports7To14 => "ports7-14",
        }
    }
}

impl std::str::FromStr for LteUeRsPorts {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        [Self::Rel13Occ4, Self::Tm8, Self::Ports7To14]
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| Error::InvalidParameter {
                name: "LTE UE-RS ports",
                value: massive_mimo::error::Value::of(&s),
                reason: "rel13, tm8 or ports7-14",
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rel-13: the first eight streams take the eight (port, n_SCID) pairs of Table
    /// 5.3.3.1.5C-2 under the cell's identity, the next eight the same pairs under a second.
    #[test]
    fn rel13_streams_take_ports_7_8_11_13_twice_per_identity() {
        let got: Vec<_> = (0..16)
            .map(|j| LteUeRsPorts::Rel13Occ4.assign(j).unwrap())
            .collect();
        for (j, &(port, scid, pair)) in got.iter().enumerate() {
            assert_eq!(port, [7, 8, 11, 13][j % 4]);
            assert_eq!(scid, ((j / 4) % 2) as u32);
            assert_eq!(pair, j / 8);
        }
        // Sixteen distinct (port, n_SCID, identity) triples.
        let mut sorted = got.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 16);
        // TM8: four per identity pair; ports 7–14: one identity for all sixteen.
        assert_eq!(LteUeRsPorts::Tm8.assign(5).unwrap(), (8, 0, 1));
        assert_eq!(LteUeRsPorts::Ports7To14.assign(15).unwrap(), (14, 1, 0));
        assert_eq!(LteUeRsPorts::identity(4, 0), 4);
        assert_eq!(LteUeRsPorts::identity(400, 1), 63);
    }

    #[test]
    fn refusals_name_the_parameter() {
        match LteUeRsPorts::Rel13Occ4.assign(16) {
            Err(Error::InvalidParameter { name, .. }) => {
                assert_eq!(name, "stream index (LTE UE-RS)")
            }
            other => panic!("{other:?}"),
        }
        match "tm9".parse::<LteUeRsPorts>() {
            Err(Error::InvalidParameter { name, .. }) => assert_eq!(name, "LTE UE-RS ports"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            "rel13".parse::<LteUeRsPorts>().unwrap(),
            LteUeRsPorts::Rel13Occ4
        );
    }
}
