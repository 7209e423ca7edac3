//! LTE UE-specific reference signals, antenna ports 7–14 (36.211 §6.10.3.2, normal cyclic
//! prefix): the demodulation pilots of transmission modes 9 and 10, on which the TD-LTE
//! 3D-MIMO deployment's beamformed PDSCH streams are received.
//!
//! * Sequence (§6.10.3.1): `r(m) = (1 − 2c(2m))/√2 + j(1 − 2c(2m+1))/√2`, c the Gold sequence
//!   with `c_init = (⌊n_s/2⌋ + 1)·(2·N_ID^(n_SCID) + 1)·2^16 + n_SCID`.
//! * Mapping (§6.10.3.2): `a_{k,l} = w̄_p(l')·r(3·l'·N_RB^max,DL + 3·n_PRB + m')` on subcarrier
//!   `k = 5m' + 12·n_PRB + k'` (m' = 0, 1, 2; k' = 1 for ports 7, 8, 11, 13 and 0 for 9, 10,
//!   12, 14) and symbol l: in normal subframes l = (l' mod 2) + 5 in both slots (subframe
//!   symbols 5, 6, 12, 13 for l' = 0…3); in special subframes with configuration 3, 4, 8 or 9,
//!   l = (l' mod 2) + 2 in both slots (2, 3, 9, 10); with configuration 1, 2, 6 or 7,
//!   l = (l' mod 2) + 2 + 3⌊l'/2⌋ in the first slot (2, 3, 5, 6); configurations 0 and 5 carry
//!   none.
//! * Orthogonal cover `w̄_p(i) = w_p(i)` when (m' + n_PRB) is even and `w_p(3 − i)` when odd,
//!   w_p of Table 6.10.3.2-1 ([`occ`]): over two neighbouring pilot subcarriers and the two
//!   symbols of one slot the four ports of a CDM group see the four Walsh codes of length 4,
//!   so they separate within a slot.

use ndarray::ArrayViewMut3;

use crate::sequence::Gold;
use crate::{C32, Error, Result};

/// N_RB^max,DL: the sequence is indexed as if the carrier had 110 PRBs.
pub const N_RB_MAX_DL: usize = 110;

/// w_p(0..3) of 36.211 Table 6.10.3.2-1 (normal cyclic prefix), ports 7–14.
pub fn occ(port: usize) -> Result<[f32; 4]> {
    Ok(match port {
        7 => [1.0, 1.0, 1.0, 1.0],
        8 => [1.0, -1.0, 1.0, -1.0],
        9 => [1.0, 1.0, 1.0, 1.0],
        10 => [1.0, -1.0, 1.0, -1.0],
        11 => [1.0, 1.0, -1.0, -1.0],
        12 => [-1.0, -1.0, 1.0, 1.0],
        13 => [1.0, -1.0, -1.0, 1.0],
        14 => [-1.0, 1.0, 1.0, -1.0],
        _ => {
            return Err(Error::InvalidParameter {
                name: "UE-RS antenna port",
                value: crate::error::Value::of(&port),
                reason: "UE-specific RS ports are 7..=14",
            });
        }
    })
}

/// The subframe the UE-RS is sent in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UeRsSubframe {
    /// A downlink subframe.
    Normal,
    /// A special subframe with this special-subframe configuration (0–9, normal CP).
    Special(u8),
}

impl UeRsSubframe {
    /// The subframe symbols (0–13) of l' = 0, 1, 2, 3.
    pub fn symbols(self) -> Result<[usize; 4]> {
        match self {
            UeRsSubframe::Normal => Ok([5, 6, 12, 13]),
            UeRsSubframe::Special(3 | 4 | 8 | 9) => Ok([2, 3, 9, 10]),
            UeRsSubframe::Special(1 | 2 | 6 | 7) => Ok([2, 3, 5, 6]),
            UeRsSubframe::Special(c) => Err(Error::InvalidParameter {
                name: "special subframe configuration",
                value: crate::error::Value::of(&c),
                reason: "configurations 0 and 5 carry no UE-specific RS; valid 0..=9",
            }),
        }
    }
}

/// One UE-RS transmission: ports, scrambling, where it sits.
#[derive(Clone, Debug, PartialEq)]
pub struct UeRsConfig {
    /// Antenna ports (7–14), one per layer, in grid order.
    pub ports: Vec<usize>,
    /// N_ID^(0), N_ID^(1): the cell identity (Rel-9/10) or the configured DMRS identities
    /// (Rel-11), 0..=503, indexed by n_SCID.
    pub n_id: [u32; 2],
    /// n_SCID ∈ {0, 1}.
    pub n_scid: u32,
    /// Subframe number 0–9 (n_s = 2·subframe in the first slot).
    pub subframe: u32,
    /// Normal or special subframe.
    pub kind: UeRsSubframe,
    /// PRB index n_PRB of the allocation's first PRB in the carrier (sequence and cover
    /// parity), with the allocation's PRBs contiguous.
    pub prb_start: usize,
    /// Amplitude (√ of the UE-RS-to-PDSCH EPRE ratio).
    pub amplitude: f32,
}

impl UeRsConfig {
    /// `ports` in a normal subframe 0 of cell `n_id`, n_SCID 0, from PRB 0, unit amplitude.
    pub fn new(ports: Vec<usize>, n_id: u32) -> Self {
        Self {
            ports,
            n_id: [n_id, n_id],
            n_scid: 0,
            subframe: 0,
            kind: UeRsSubframe::Normal,
            prb_start: 0,
            amplitude: 1.0,
        }
    }

    /// c_init of §6.10.3.1.
    pub fn c_init(&self) -> u32 {
        let n_id = self.n_id[(self.n_scid & 1) as usize];
        // Wrapping: 36.211 takes c_init mod 2^31 implicitly (the Gold generator uses 31 bits);
        // out-of-range fields (rejected by write_pilots) must not panic here.
        (self.subframe.wrapping_add(1))
            .wrapping_mul(n_id.wrapping_mul(2).wrapping_add(1))
            .wrapping_mul(1 << 16)
            .wrapping_add(self.n_scid)
    }

    /// Writes every port's UE-RS into `grid` [n_ports, 14, 12·n_prb] (the allocation's PRBs,
    /// the subframe's 14 symbols); other REs are set to 0.
    pub fn write_pilots(&self, mut grid: ArrayViewMut3<'_, C32>) -> Result<()> {
        let (n_ports, n_sym, n_sc) = grid.dim();
        let n_prb = n_sc / 12;
        if n_ports != self.ports.len() || n_sym != 14 || n_sc == 0 || !n_sc.is_multiple_of(12) {
            return Err(Error::ShapeMismatch {
                name: "grid [n_ports, 14, 12·n_prb]",
                expected: crate::error::Shape::of(&[self.ports.len(), 14, 12 * n_prb.max(1)]),
                got: crate::error::Shape::of(&[n_ports, n_sym, n_sc]),
            });
        }
        // Checked: prb_start = usize::MAX used to wrap past this test and index out of bounds.
        let end = self.prb_start.saturating_add(n_prb);
        if end > N_RB_MAX_DL
            || self.n_scid > 1
            || self.subframe > 9
            || self.n_id.iter().any(|&n| n > 503)
        {
            return Err(Error::InvalidParameter {
                name: "(prb_start + n_prb, n_scid, subframe, n_id)",
                value: crate::value!(
                    "({}, {}, {}, {:?})",
                    end,
                    self.n_scid,
                    self.subframe,
                    self.n_id
                ),
                reason: "PRBs within 110, n_SCID ∈ {0, 1}, subframe 0..=9, N_ID 0..=503",
            });
        }
        if !self.amplitude.is_finite() {
            return Err(Error::NonFinite {
                name: "amplitude",
                value: f64::from(self.amplitude),
            });
        }
        let covers = self
            .ports
            .iter()
            .map(|&p| occ(p))
            .collect::<Result<Vec<_>>>()?;
        let symbols = self.kind.symbols()?;
        let mut bits = vec![0u8; 2 * 12 * N_RB_MAX_DL];
        Gold::new(self.c_init()).fill_bits(&mut bits);
        let s = std::f32::consts::FRAC_1_SQRT_2;
        let r = |m: usize| {
            C32::new(
                s * (1.0 - 2.0 * f32::from(bits[2 * m])),
                s * (1.0 - 2.0 * f32::from(bits[2 * m + 1])),
            )
        };
        grid.fill(C32::new(0.0, 0.0));
        for (pi, (&port, w)) in self.ports.iter().zip(&covers).enumerate() {
            let k_prime = if matches!(port, 7 | 8 | 11 | 13) {
                1
            } else {
                0
            };
            for prb in 0..n_prb {
                let n_prb_abs = self.prb_start + prb;
                for m in 0..3 {
                    let reversed = !(m + n_prb_abs).is_multiple_of(2);
                    let k = 5 * m + 12 * prb + k_prime;
                    for (lp, &l) in symbols.iter().enumerate() {
                        let wi = if reversed { w[3 - lp] } else { w[lp] };
                        let v = r(3 * lp * N_RB_MAX_DL + 3 * n_prb_abs + m);
                        grid[[pi, l, k]] = v * (wi * self.amplitude);
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array3;

    #[test]
    fn positions_covers_and_scrambling() {
        let cfg = UeRsConfig {
            subframe: 3,
            n_scid: 1,
            n_id: [17, 301],
            prb_start: 5,
            ..UeRsConfig::new((7..=14).collect(), 17)
        };
        assert_eq!(cfg.c_init(), 4 * 603 * 65536 + 1);
        let mut g = Array3::zeros((8, 14, 48));
        cfg.write_pilots(g.view_mut()).unwrap();
        let zero = C32::new(0.0, 0.0);
        for (i, port) in (7..=14).enumerate() {
            let kp = if matches!(port, 7 | 8 | 11 | 13) {
                1
            } else {
                0
            };
            for l in 0..14 {
                for k in 0..48 {
                    let on =
                        [5, 6, 12, 13].contains(&l) && [kp, 5 + kp, 10 + kp].contains(&(k % 12));
                    assert_eq!(g[[i, l, k]] != zero, on, "port {port} l {l} k {k}");
                }
            }
        }
        // Every port of a CDM group carries the same sequence value times its cover: port p
        // over port 7 (or 9) is w̄_p(l'), reversed on odd m' + n_PRB.
        for (i, port) in (7..=14).enumerate() {
            let base = if matches!(port, 7 | 8 | 11 | 13) {
                0
            } else {
                2
            };
            let w = occ(port).unwrap();
            for prb in 0..4 {
                for m in 0..3 {
                    let k = 5 * m + 12 * prb + if base == 0 { 1 } else { 0 };
                    let reversed = (m + prb + 5) % 2 == 1;
                    for (lp, l) in [5usize, 6, 12, 13].into_iter().enumerate() {
                        let ratio = g[[i, l, k]] / g[[base, l, k]];
                        let want = if reversed { w[3 - lp] } else { w[lp] };
                        assert!((ratio - C32::new(want, 0.0)).norm() < 1e-6);
                    }
                }
            }
        }
        // Two neighbouring pilot subcarriers × the two symbols of a slot: the four ports of a
        // CDM group are orthogonal there (the reversal makes them Walsh codes of length 4).
        for group in [[0usize, 1, 4, 6], [2, 3, 5, 7]] {
            let k0 = if group[0] == 0 { 1 } else { 0 };
            let res = [(5, k0), (6, k0), (5, k0 + 5), (6, k0 + 5)];
            // The sequence values differ between symbols, so the covers are compared through
            // the ratio to the group's first port.
            for &a in &group {
                for &b in &group {
                    let ca: Vec<C32> = res
                        .iter()
                        .map(|&(l, k)| g[[a, l, k]] / g[[group[0], l, k]])
                        .collect();
                    let cb: Vec<C32> = res
                        .iter()
                        .map(|&(l, k)| g[[b, l, k]] / g[[group[0], l, k]])
                        .collect();
                    let d: C32 = ca.iter().zip(&cb).map(|(x, y)| x * y.conj()).sum();
                    let expect = if a == b { 4.0 } else { 0.0 };
                    assert!(
                        (d - C32::new(expect, 0.0)).norm() < 1e-5,
                        "ports {a} {b}: {d}"
                    );
                }
            }
        }
        // Special subframe configuration 7 (the reference deployment's): symbols 2, 3, 5, 6.
        let sp = UeRsConfig {
            kind: UeRsSubframe::Special(7),
            ..UeRsConfig::new(vec![7, 9], 1)
        };
        let mut g = Array3::zeros((2, 14, 12));
        sp.write_pilots(g.view_mut()).unwrap();
        let used: Vec<usize> = (0..14)
            .filter(|&l| (0..12).any(|k| g[[0, l, k]] != zero))
            .collect();
        assert_eq!(used, vec![2, 3, 5, 6]);
    }

    #[test]
    fn bad_configurations_are_named() {
        let mut g = Array3::zeros((1, 14, 12));
        assert_eq!(
            crate::error::name_of(UeRsConfig::new(vec![6], 1).write_pilots(g.view_mut())),
            "UE-RS antenna port"
        );
        let c = UeRsConfig {
            kind: UeRsSubframe::Special(5),
            ..UeRsConfig::new(vec![7], 1)
        };
        assert_eq!(
            crate::error::name_of(c.write_pilots(g.view_mut())),
            "special subframe configuration"
        );
        let c = UeRsConfig {
            prb_start: 110,
            ..UeRsConfig::new(vec![7], 1)
        };
        assert_eq!(
            crate::error::name_of(c.write_pilots(g.view_mut())),
            "(prb_start + n_prb, n_scid, subframe, n_id)"
        );
        let mut g2 = Array3::zeros((2, 14, 12));
        assert_eq!(
            crate::error::name_of(UeRsConfig::new(vec![7], 1).write_pilots(g2.view_mut())),
            "grid [n_ports, 14, 12·n_prb]"
        );
    }
}
