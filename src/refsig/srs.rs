//! NR sounding reference signal, 3GPP TS 38.211 §6.4.1.4: the uplink pilot from which a TDD
//! base station takes its downlink channel (reciprocity) for precoding.
//!
//! Sequence (§6.4.1.4.2): port p_i sends `r(n) = r_{u,v}^{(α_i)}(n)`, the low-PAPR sequence of
//! §5.2.2 of length `M_sc,b = m_SRS,b·12/K_TC`, with cyclic shift
//! `α_i = 2π·n_cs,i/n_cs,max`, `n_cs,i = (n_cs + n_cs,max·(p_i − 1000)/N_ap) mod n_cs,max`,
//! n_cs,max = 8, 12, 6 for comb K_TC = 2, 4, 8.
//!
//! Mapping (§6.4.1.4.3): on every `K_TC`-th subcarrier from `k0 = 12·prb_start + k_TC` of
//! N_symb consecutive symbols from l0; `k_TC = (k̄_TC + K_TC/2) mod K_TC` for ports 1001 and
//! 1003 of a 4-port SRS whose n_cs ≥ n_cs,max/2 (so that they sit on a second comb), else k̄_TC.
//! The frequency position (n_shift, bandwidth tree, hopping) is given directly as the first PRB
//! of the sounded band, `prb_start`, and its width `m_srs` (m_SRS,b of Table 6.4.1.4.3-1).
//!
//! LTE SRS (36.211 §5.5.3) is the same signal: comb K_TC = 2 (or 4 from Rel-13) with
//! n_cs,max = 8 (12), α = 2π·n_cs/n_cs,max, the same per-port cyclic shifts and the same
//! second-comb rule for 4 ports, but the LTE base sequences (M_sc = 24 uses 36.211 Table
//! 5.5.1.2-2, not NR's 38.211 Table 5.2.2.2-4): [`SrsConfig::sequence`] selects them, and
//! [`SrsConfig::lte`] builds a resource from its bandwidth configuration
//! ([`super::srs_bandwidth`]).
//!
//! Many users sound one symbol together by taking different combs (k̄_TC) and cyclic shifts
//! (n_cs); [`crate::estimation`] separates them from the pilot grid alone.

use ndarray::ArrayViewMut3;

use super::srs_bandwidth::{SrsBandwidthConfig, SrsRat};
use crate::sequence::{LowPaprStandard, low_papr_sequence_in};
use crate::{C32, Error, Result};

/// One user's SRS resource.
#[derive(Clone, Debug, PartialEq)]
pub struct SrsConfig {
    /// Antenna ports N_ap ∈ {1, 2, 4}.
    pub n_ports: usize,
    /// Comb K_TC ∈ {2, 4, 8}.
    pub comb: usize,
    /// Comb offset k̄_TC ∈ 0..K_TC.
    pub comb_offset: usize,
    /// Cyclic shift n_cs ∈ 0..n_cs,max.
    pub cyclic_shift: usize,
    /// First PRB of the sounded band within the grid.
    pub prb_start: usize,
    /// Sounded PRBs m_SRS,b.
    pub m_srs: usize,
    /// First SRS symbol l0 within the grid.
    pub l0: usize,
    /// Consecutive SRS symbols N_symb^SRS ∈ {1, 2, 4}.
    pub n_symbols: usize,
    /// Sequence group u ∈ 0..30 and base sequence v (from
    /// [`crate::sequence::srs_group_sequence`]; taken as constant over the symbols here).
    pub group: (u32, u32),
    /// Amplitude β_SRS.
    pub amplitude: f32,
    /// Base sequences: NR (38.211 §5.2.2) or LTE (36.211 §5.5.1).
    pub sequence: LowPaprStandard,
}

impl SrsConfig {
    /// A single-port resource on comb `comb` (offset 0, cyclic shift 0) sounding `m_srs` PRBs
    /// from PRB 0 in the one symbol `l0`, sequence group `group`, unit amplitude — the template
    /// of [`multiplexed_users`].
    pub fn single_port(comb: usize, m_srs: usize, l0: usize, group: (u32, u32)) -> Self {
        Self {
            n_ports: 1,
            comb,
            comb_offset: 0,
            cyclic_shift: 0,
            prb_start: 0,
            m_srs,
            l0,
            n_symbols: 1,
            group,
            amplitude: 1.0,
            sequence: LowPaprStandard::Nr,
        }
    }

    /// A single-port LTE SRS (36.211 §5.5.3) on comb `comb` (2, or 4 from Rel-13) in symbol
    /// `l0`, its band from `bandwidth` (which must be an [`SrsRat::Lte`] configuration) at SRS
    /// counter `n_srs`, LTE base sequence group `group`. Comb offset and cyclic shift 0 (set
    /// them, or use it as the template of [`multiplexed_users`]).
    pub fn lte(
        comb: usize,
        bandwidth: &SrsBandwidthConfig,
        n_srs: u64,
        l0: usize,
        group: (u32, u32),
    ) -> Result<Self> {
        if bandwidth.rat != SrsRat::Lte {
            return Err(Error::InvalidParameter {
                name: "bandwidth.rat",
                value: crate::value!("{:?}", bandwidth.rat),
                reason: "an LTE SRS takes its band from the LTE tables (SrsRat::Lte)",
            });
        }
        if comb != 2 && comb != 4 {
            return Err(Error::InvalidParameter {
                name: "comb (K_TC)",
                value: crate::error::Value::of(&comb),
                reason: "LTE SRS combs are 2 (Rel-8) and 4 (Rel-13)",
            });
        }
        let band = bandwidth.band(n_srs)?;
        Ok(Self {
            prb_start: band.prb_start,
            sequence: LowPaprStandard::Lte,
            ..Self::single_port(comb, band.m_srs, l0, group)
        })
    }

    /// n_cs,max of the comb.
    pub fn max_cyclic_shifts(&self) -> Result<usize> {
        match self.comb {
            2 => Ok(8),
            4 => Ok(12),
            8 => Ok(6),
            c => Err(Error::InvalidParameter {
                name: "comb (K_TC)",
                value: crate::error::Value::of(&c),
                reason: "must be 2, 4 or 8",
            }),
        }
    }

    /// Sequence length M_sc,b = m_SRS,b·12/K_TC.
    pub fn sequence_length(&self) -> usize {
        self.m_srs.saturating_mul(12) / self.comb.max(1)
    }

    /// Writes this resource's ports into `grid` rows `first_row..first_row + n_ports` of
    /// [rows, n_sym, n_sc] (so that several users share one grid). Only the resource's own REs
    /// are written; the caller zeroes the grid once.
    pub fn write_pilots(&self, mut grid: ArrayViewMut3<'_, C32>, first_row: usize) -> Result<()> {
        let n_cs_max = self.max_cyclic_shifts()?;
        let (rows, n_sym, n_sc) = grid.dim();
        if ![1, 2, 4].contains(&self.n_ports) {
            return Err(Error::InvalidParameter {
                name: "n_ports (N_ap^SRS)",
                value: crate::error::Value::of(&self.n_ports),
                reason: "must be 1, 2 or 4",
            });
        }
        if self.comb_offset >= self.comb || self.cyclic_shift >= n_cs_max {
            return Err(Error::InvalidParameter {
                name: "comb_offset / cyclic_shift",
                value: crate::value!("{} / {}", self.comb_offset, self.cyclic_shift),
                reason: "k̄_TC < K_TC and n_cs < n_cs,max",
            });
        }
        // Checked sums throughout: wrapped sums of huge arguments used to pass these checks in
        // release builds (tests/property_fuzz.rs).
        let sym_end = self.l0.saturating_add(self.n_symbols);
        if ![1, 2, 4].contains(&self.n_symbols) || sym_end > n_sym {
            return Err(Error::InvalidParameter {
                name: "l0 / n_symbols",
                value: crate::value!("{} / {}", self.l0, self.n_symbols),
                reason: "1, 2 or 4 symbols inside the grid",
            });
        }
        let sc_end = self
            .prb_start
            .checked_add(self.m_srs)
            .and_then(|p| p.checked_mul(12))
            .unwrap_or(usize::MAX);
        let row_end = first_row.saturating_add(self.n_ports);
        if self.m_srs == 0 || sc_end > n_sc || row_end > rows {
            return Err(Error::ShapeMismatch {
                name: "grid [rows, n_sym, n_sc] for the SRS band and ports",
                expected: crate::error::Shape::of(&[row_end, n_sym, sc_end]),
                got: crate::error::Shape::of(&[rows, n_sym, n_sc]),
            });
        }
        if !self.amplitude.is_finite() {
            return Err(Error::NonFinite {
                name: "amplitude",
                value: self.amplitude as f64,
            });
        }
        let m = self.sequence_length();
        let mut seq = vec![C32::new(0.0, 0.0); m];
        for i in 0..self.n_ports {
            let n_cs_i = (self.cyclic_shift + n_cs_max * i / self.n_ports) % n_cs_max;
            let alpha = 2.0 * std::f64::consts::PI * n_cs_i as f64 / n_cs_max as f64;
            low_papr_sequence_in(self.sequence, self.group.0, self.group.1, alpha, &mut seq)?;
            let k_tc =
                if self.n_ports == 4 && (i == 1 || i == 3) && self.cyclic_shift >= n_cs_max / 2 {
                    (self.comb_offset + self.comb / 2) % self.comb
                } else {
                    self.comb_offset
                };
            let k0 = 12 * self.prb_start + k_tc;
            for l in self.l0..self.l0 + self.n_symbols {
                for (n, &r) in seq.iter().enumerate() {
                    grid[[first_row + i, l, k0 + n * self.comb]] = r * self.amplitude;
                }
            }
        }
        Ok(())
    }
}

/// The single-port SRS resources of `n_users` users sounding one band and symbol(s) together:
/// user u takes comb offset `u mod K_TC` and cyclic shift `(u div K_TC)·n_cs,max/⌈n_users/K_TC⌉`
/// (evenly spread, so that the users of one comb are orthogonal over every block of
/// ⌈n_users/K_TC⌉ comb REs). `template` gives everything else (its n_ports must be 1).
pub fn multiplexed_users(template: &SrsConfig, n_users: usize) -> Result<Vec<SrsConfig>> {
    let n_cs_max = template.max_cyclic_shifts()?;
    let per_comb = n_users.div_ceil(template.comb.max(1));
    if template.n_ports != 1 || n_users == 0 || per_comb > n_cs_max {
        return Err(Error::InvalidParameter {
            name: "n_users (single-port SRS)",
            value: crate::value!(
                "{n_users} on comb {} with {} port(s)",
                template.comb,
                template.n_ports
            ),
            reason: "at most K_TC·n_cs,max single-port users",
        });
    }
    Ok((0..n_users)
        .map(|u| SrsConfig {
            comb_offset: u % template.comb,
            cyclic_shift: (u / template.comb) * (n_cs_max / per_comb),
            ..template.clone()
        })
        .collect())
}

/// Writes [`multiplexed_users`]'s resources into `grid` [n_users, n_sym, n_sc], user u in row u
/// (the grid is zeroed first).
pub fn write_multiplexed_users(
    template: &SrsConfig,
    n_users: usize,
    mut grid: ArrayViewMut3<'_, C32>,
) -> Result<()> {
    grid.fill(C32::new(0.0, 0.0));
    for (u, cfg) in multiplexed_users(template, n_users)?.iter().enumerate() {
        cfg.write_pilots(grid.view_mut(), u)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array3;

    fn user(comb_offset: usize, cyclic_shift: usize) -> SrsConfig {
        SrsConfig {
            comb_offset,
            cyclic_shift,
            ..SrsConfig::single_port(4, 12, 13, (7, 0))
        }
    }

    #[test]
    fn users_on_one_comb_are_orthogonal_by_cyclic_shift() {
        let mut g = Array3::zeros((4, 14, 144));
        for (i, cs) in [0, 3, 6, 9].into_iter().enumerate() {
            user(1, cs).write_pilots(g.view_mut(), i).unwrap();
        }
        for a in 0..4 {
            for b in 0..4 {
                let dot: C32 = (0..144).map(|k| g[[a, 13, k]].conj() * g[[b, 13, k]]).sum();
                let expect = if a == b { 36.0 } else { 0.0 };
                assert!((dot - C32::new(expect, 0.0)).norm() < 1e-3, "{a} {b} {dot}");
            }
            for k in 0..144 {
                assert_eq!(g[[a, 13, k]] != C32::new(0.0, 0.0), k % 4 == 1);
            }
        }
    }

    #[test]
    fn four_port_resource_puts_two_ports_on_the_second_comb() {
        let mut cfg = user(0, 6);
        cfg.n_ports = 4;
        let mut g = Array3::zeros((4, 14, 144));
        cfg.write_pilots(g.view_mut(), 0).unwrap();
        for (i, off) in [(0, 0), (1, 2), (2, 0), (3, 2)] {
            assert!(g[[i, 13, off]] != C32::new(0.0, 0.0), "port {i}");
        }
    }

    #[test]
    fn bad_resources_are_named() {
        let mut g = Array3::zeros((1, 14, 144));
        let mut cfg = user(4, 0);
        assert_eq!(
            crate::error::name_of(cfg.write_pilots(g.view_mut(), 0)),
            "comb_offset / cyclic_shift"
        );
        cfg = user(0, 12);
        assert_eq!(
            crate::error::name_of(cfg.write_pilots(g.view_mut(), 0)),
            "comb_offset / cyclic_shift"
        );
        cfg = user(0, 0);
        cfg.comb = 3;
        assert_eq!(
            crate::error::name_of(cfg.write_pilots(g.view_mut(), 0)),
            "comb (K_TC)"
        );
        cfg = user(0, 0);
        cfg.m_srs = 13;
        assert_eq!(
            crate::error::name_of(cfg.write_pilots(g.view_mut(), 0)),
            "grid [rows, n_sym, n_sc] for the SRS band and ports"
        );
    }

    #[test]
    fn lte_srs_is_centred_on_comb_2_with_lte_base_sequences() {
        // 20 MHz: C_SRS 7 of Table 5.5.3.2-4 is m_SRS,0 = 16 PRB (N_0 = 1), B_SRS 0: PRBs
        // 42..58, comb 2 → M_sc = 96; with B_SRS 3 (4 PRB) the sequence is 24 long and takes
        // LTE's φ table, which differs from NR's.
        let bw = SrsBandwidthConfig {
            rat: SrsRat::Lte,
            c_srs: 7,
            b_srs: 3,
            b_hop: 3,
            n_rrc: 0,
            n_shift: 0,
            n_rb: 100,
        };
        let tree = bw.tree().unwrap();
        let cfg = SrsConfig::lte(2, &bw, 0, 13, (4, 0)).unwrap();
        assert_eq!(cfg.prb_start, 50 - tree[0].0 / 2);
        assert_eq!(cfg.m_srs, 4);
        assert_eq!(cfg.sequence_length(), 24);
        let mut g = Array3::zeros((1, 14, 1200));
        cfg.write_pilots(g.view_mut(), 0).unwrap();
        let mut lte = vec![C32::new(0.0, 0.0); 24];
        let mut nr = lte.clone();
        low_papr_sequence_in(LowPaprStandard::Lte, 4, 0, 0.0, &mut lte).unwrap();
        low_papr_sequence_in(LowPaprStandard::Nr, 4, 0, 0.0, &mut nr).unwrap();
        let k0 = 12 * cfg.prb_start;
        for n in 0..24 {
            assert!((g[[0, 13, k0 + 2 * n]] - lte[n]).norm() < 1e-6);
            assert_eq!(g[[0, 13, k0 + 2 * n + 1]], C32::new(0.0, 0.0));
        }
        assert!(lte.iter().zip(&nr).any(|(a, b)| (a - b).norm() > 0.1));
        assert!(matches!(
            SrsConfig::lte(8, &bw, 0, 13, (4, 0)),
            Err(Error::InvalidParameter {
                name: "comb (K_TC)",
                ..
            })
        ));
    }

    #[test]
    fn short_srs_uses_the_tabulated_low_papr_sequence() {
        // m_SRS = 4 PRB on comb 4: M = 12, the φ table of 38.211 Table 5.2.2.2-2.
        let mut g = Array3::zeros((1, 14, 144));
        let mut cfg = user(0, 0);
        cfg.m_srs = 4;
        assert_eq!(cfg.sequence_length(), 12);
        cfg.write_pilots(g.view_mut(), 0).unwrap();
        let mut want = vec![C32::new(0.0, 0.0); 12];
        let n_cs_max = 12.0; // comb 4
        let alpha = 2.0 * std::f64::consts::PI * cfg.cyclic_shift as f64 / n_cs_max;
        crate::sequence::low_papr_sequence(cfg.group.0, cfg.group.1, alpha, &mut want).unwrap();
        let k0 = 12 * cfg.prb_start + cfg.comb_offset;
        for (n, w) in want.iter().enumerate() {
            let got = g[[0, cfg.l0, k0 + n * cfg.comb]];
            assert!((got - w * cfg.amplitude).norm() < 1e-6, "RE {n}");
        }
    }
}
