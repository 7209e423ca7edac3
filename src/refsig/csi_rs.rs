//! NR non-zero-power CSI-RS, 3GPP TS 38.211 §7.4.1.5: the downlink pilot from which a UE
//! measures the channel of every antenna port for its CSI report (RI, PMI, CQI).
//!
//! Sequence (§7.4.1.5.2): `r(m) = (1 − 2c(2m))/√2 + j(1 − 2c(2m + 1))/√2` with the Gold sequence
//! of `c_init = (2¹⁰(N_symb^slot·n_s + l + 1)(2n_ID + 1) + n_ID) mod 2³¹`, one per symbol l.
//!
//! Mapping (§7.4.1.5.3), for each (k̄, l̄) entry of the row's line of Table 7.4.1.5.3-1 (CDM
//! group j) and each k′, l′ of the row:
//! `a_{k,l}^{(p)} = β·w_f(k′)·w_t(l′)·r_l(m′)`, `k = 12n + k̄ + k′`, `l = l̄ + l′`,
//! `m′ = ⌊nα⌋ + k′ + ⌊k̄ρ/12⌋`, α = ρ for one port and 2ρ otherwise, n the PRB (common resource
//! block index: grid PRB 0 is CRB 0 here), port `p = 3000 + s + jL` with s the index of the CDM
//! cover (w_f, w_t) of Tables 7.4.1.5.3-2…-5 and L the CDM size. With density ρ = 0.5 only
//! the PRBs of one parity carry the resource.
//!
//! The row data and covers are generated from `../shared/tables`
//! ([`crate::tables::csi_rs`]). The output is a pilot grid `[ports, symbols, subcarriers]`
//! (port s + jL in row s + jL), which [`crate::estimation::PilotPattern::from_pilots`] reads
//! like any other reference signal.

use ndarray::ArrayViewMut3;

use crate::sequence::Gold;
use crate::tables::csi_rs::{
    COVERS_CDM4, COVERS_CDM8, COVERS_FD_CDM2, COVERS_NO_CDM, CSI_RS_ROWS, CdmType, CsiRsRow,
};
use crate::{C32, Error, Result};

/// Frequency density ρ of a CSI-RS resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsiRsDensity {
    /// ρ = 3 (row 1, tracking-style: three REs of one port per PRB).
    Three,
    /// ρ = 1: every PRB.
    One,
    /// ρ = 0.5 on the even PRBs (density offset 0).
    HalfEven,
    /// ρ = 0.5 on the odd PRBs (density offset 1).
    HalfOdd,
}

impl CsiRsDensity {
    fn rho(self) -> f32 {
        match self {
            Self::Three => 3.0,
            Self::One => 1.0,
            Self::HalfEven | Self::HalfOdd => 0.5,
        }
    }
}

/// One NZP CSI-RS resource.
#[derive(Clone, Debug, PartialEq)]
pub struct CsiRsConfig {
    /// Row of Table 7.4.1.5.3-1, 1–18 (sets ports, CDM type and the RE pattern).
    pub row: usize,
    /// k_0 … k_5: subcarrier offsets within the PRB from frequencyDomainAllocation (only the
    /// first as many as the row uses are read).
    pub k: [usize; 6],
    /// l_0: first symbol of the pattern (firstOFDMSymbolInTimeDomain), 0–13.
    pub l0: usize,
    /// l_1: second symbol (firstOFDMSymbolInTimeDomain2) for rows 13, 14, 16, 17; 2–12.
    pub l1: usize,
    /// Density ρ (must be one the row allows).
    pub density: CsiRsDensity,
    /// Scrambling identity n_ID, 0–1023.
    pub n_id: u32,
    /// First PRB of the resource (startingRB, from the grid's PRB 0).
    pub prb_start: usize,
    /// PRBs of the resource (nrofRBs).
    pub n_prb: usize,
    /// Amplitude β_CSIRS.
    pub beta: f32,
}

fn bad(name: &'static str, value: impl core::fmt::Display, reason: &'static str) -> Error {
    Error::InvalidParameter {
        name,
        value: crate::error::Value::of(&value),
        reason,
    }
}

impl CsiRsConfig {
    /// The row's table entry.
    pub fn table_row(&self) -> Result<&'static CsiRsRow> {
        if !(1..=18).contains(&self.row) {
            return Err(bad(
                "row",
                self.row,
                "CSI-RS rows are 1..=18 (38.211 Table 7.4.1.5.3-1)",
            ));
        }
        Ok(&CSI_RS_ROWS[self.row - 1])
    }

    /// Antenna ports X (3000 … 3000 + X − 1).
    pub fn ports(&self) -> Result<usize> {
        Ok(usize::from(self.table_row()?.ports))
    }

    /// CDM size L.
    fn cdm_size(row: &CsiRsRow) -> usize {
        match row.cdm {
            CdmType::NoCdm => 1,
            CdmType::FdCdm2 => 2,
            CdmType::Cdm4Fd2Td2 => 4,
            CdmType::Cdm8Fd2Td4 => 8,
        }
    }

    /// (w_f(k′), w_t(l′)) of cover index s.
    fn cover(row: &CsiRsRow, s: usize, kp: usize, lp: usize) -> f32 {
        let (f, t) = match row.cdm {
            CdmType::NoCdm => (COVERS_NO_CDM[s].0[kp], COVERS_NO_CDM[s].1[lp]),
            CdmType::FdCdm2 => (COVERS_FD_CDM2[s].0[kp], COVERS_FD_CDM2[s].1[lp]),
            CdmType::Cdm4Fd2Td2 => (COVERS_CDM4[s].0[kp], COVERS_CDM4[s].1[lp]),
            CdmType::Cdm8Fd2Td4 => (COVERS_CDM8[s].0[kp], COVERS_CDM8[s].1[lp]),
        };
        f32::from(f) * f32::from(t)
    }

    /// Checks the resource against the row and a grid of `n_sym` symbols and `n_sc`
    /// subcarriers.
    pub fn validate(&self, n_sym: usize, n_sc: usize) -> Result<()> {
        let row = self.table_row()?;
        let rho = self.density.rho();
        if !row.densities.contains(&rho) {
            return Err(bad(
                "density",
                rho,
                "not a density of this row (Table 7.4.1.5.3-1)",
            ));
        }
        if self.n_id > 1023 {
            return Err(bad("n_id (scramblingID)", self.n_id, "must be 0..=1023"));
        }
        if !self.beta.is_finite() {
            return Err(Error::NonFinite {
                name: "beta",
                value: f64::from(self.beta),
            });
        }
        if self.n_prb == 0
            || self
                .prb_start
                .checked_add(self.n_prb)
                .is_none_or(|e| 12 * e > n_sc)
        {
            return Err(bad(
                "prb_start / n_prb",
                format!("{} / {}", self.prb_start, self.n_prb),
                "the resource needs ≥ 1 PRB inside the grid",
            ));
        }
        let mut used = [[false; 12]; 14];
        for e in row.entries {
            let kbar = self.k[usize::from(e.k_index)] + usize::from(e.k_offset);
            let lbar = [self.l0, self.l1][usize::from(e.l_index)] + usize::from(e.l_offset);
            for kp in 0..usize::from(row.k_prime) {
                for lp in 0..usize::from(row.l_prime) {
                    let (k, l) = (kbar + kp, lbar + lp);
                    if k >= 12 || l >= 14 || l >= n_sym {
                        return Err(bad(
                            "k_i / l_0 / l_1",
                            format!("(k̄ {kbar}, l̄ {lbar}) + (k′ {kp}, l′ {lp})"),
                            "the pattern must stay inside the PRB (k < 12) and the slot",
                        ));
                    }
                    if used[l][k] {
                        return Err(bad(
                            "k_i / l_0 / l_1",
                            format!("RE (k {k}, l {l}) used twice"),
                            "the row's CDM groups must not overlap",
                        ));
                    }
                    used[l][k] = true;
                }
            }
        }
        Ok(())
    }

    /// Writes every port of the resource into `grid` [ports, n_sym, n_sc] (port 3000 + i in
    /// row i) for slot `n_s` (the slot index within the frame, 14 symbols a slot). Only the
    /// resource's own REs are written; the caller zeroes the grid once.
    pub fn write_pilots(&self, mut grid: ArrayViewMut3<'_, C32>, n_s: u32) -> Result<()> {
        let (rows, n_sym, n_sc) = grid.dim();
        self.validate(n_sym, n_sc)?;
        let row = self.table_row()?;
        let x = usize::from(row.ports);
        if rows < x {
            return Err(Error::ShapeMismatch {
                name: "grid [ports, n_sym, n_sc]",
                expected: crate::error::Shape::of(&[x, n_sym, n_sc]),
                got: crate::error::Shape::of(&[rows, n_sym, n_sc]),
            });
        }
        let rho = self.density.rho();
        let alpha = if x == 1 { rho } else { 2.0 * rho };
        let l_size = Self::cdm_size(row);
        // Sequence per symbol: long enough for the highest m′ of the band.
        let last = self.prb_start + self.n_prb;
        let m_len = (last as f32 * alpha).ceil() as usize + 2 + 12;
        let mut bits = vec![0u8; 2 * m_len];
        let s = std::f32::consts::FRAC_1_SQRT_2;
        let mut seq_symbol = usize::MAX;
        let mut seq = vec![C32::new(0.0, 0.0); m_len];
        // Visit REs symbol by symbol so each symbol's sequence is made once.
        for l in 0..n_sym.min(14) {
            for e in row.entries {
                let kbar = self.k[usize::from(e.k_index)] + usize::from(e.k_offset);
                let lbar = [self.l0, self.l1][usize::from(e.l_index)] + usize::from(e.l_offset);
                if l < lbar || l >= lbar + usize::from(row.l_prime) {
                    continue;
                }
                let lp = l - lbar;
                if seq_symbol != l {
                    let c_init = ((1u64 << 10)
                        * (14 * u64::from(n_s) + l as u64 + 1)
                        * (2 * u64::from(self.n_id) + 1)
                        + u64::from(self.n_id))
                        % (1 << 31);
                    Gold::new(c_init as u32).fill_bits(&mut bits);
                    for (m, v) in seq.iter_mut().enumerate() {
                        *v = C32::new(
                            s * (1.0 - 2.0 * f32::from(bits[2 * m])),
                            s * (1.0 - 2.0 * f32::from(bits[2 * m + 1])),
                        );
                    }
                    seq_symbol = l;
                }
                for n in self.prb_start..last {
                    match self.density {
                        CsiRsDensity::HalfEven if n % 2 != 0 => continue,
                        CsiRsDensity::HalfOdd if n % 2 != 1 => continue,
                        _ => {}
                    }
                    for kp in 0..usize::from(row.k_prime) {
                        let m = (n as f32 * alpha).floor() as usize
                            + kp
                            + (kbar as f32 * rho / 12.0).floor() as usize;
                        let k = 12 * n + kbar + kp;
                        for cover in 0..l_size {
                            let port = cover + usize::from(e.cdm_group) * l_size;
                            let w = Self::cover(row, cover, kp, lp);
                            grid[[port, l, k]] = seq[m] * (self.beta * w);
                        }
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

    fn cfg(row: usize) -> CsiRsConfig {
        CsiRsConfig {
            row,
            k: [0, 2, 4, 6, 8, 10],
            l0: 5,
            l1: 9,
            density: CsiRsDensity::One,
            n_id: 17,
            prb_start: 0,
            n_prb: 4,
            beta: 1.0,
        }
    }

    #[test]
    fn every_row_has_x_ports_with_orthogonal_covers_and_rho_res_per_prb() {
        for row in 1..=18 {
            let mut c = cfg(row);
            if row == 1 {
                c.density = CsiRsDensity::Three;
            }
            if row == 4 {
                c.k = [0, 4, 8, 0, 0, 0]; // row 4 takes k_0 = 4·f(i): (k0, k0 + 2) pairs
            }
            let x = c.ports().unwrap();
            let mut g = Array3::zeros((x, 14, 48));
            c.write_pilots(g.view_mut(), 3).unwrap();
            let ro = c.table_row().unwrap();
            // REs per port per PRB: ρ·(CDM size) for X > 1 … here counted directly: every port
            // has |k′|·|l′| REs per entry of its group.
            let per_port: Vec<usize> = (0..x)
                .map(|p| {
                    g.slice(ndarray::s![p, .., ..])
                        .iter()
                        .filter(|v| v.norm() > 0.0)
                        .count()
                })
                .collect();
            let expect = if row == 1 {
                3 * 4
            } else {
                usize::from(ro.k_prime) * usize::from(ro.l_prime) * 4
            };
            assert!(
                per_port.iter().all(|&n| n == expect),
                "row {row}: REs per port {per_port:?}, expected {expect}"
            );
            // Ports of one CDM group share their REs and are orthogonal over them.
            for a in 0..x {
                for b in a + 1..x {
                    let dot: C32 = g
                        .slice(ndarray::s![a, .., ..])
                        .iter()
                        .zip(g.slice(ndarray::s![b, .., ..]).iter())
                        .map(|(u, v)| u.conj() * v)
                        .sum();
                    assert!(
                        dot.norm() < 1e-4,
                        "row {row}: ports {a}, {b} not orthogonal ({dot})"
                    );
                }
            }
        }
    }

    #[test]
    fn sequence_is_the_gold_qpsk_of_the_symbol() {
        // Row 2 (one port, ρ = 1, no CDM), k_0 = 3, l_0 = 6, n_ID = 17, slot 3: RE (12n + 3, 6)
        // carries r(m′ = n) of c_init = 2¹⁰(14·3 + 6 + 1)(35) + 17.
        let mut c = cfg(2);
        c.k[0] = 3;
        c.l0 = 6;
        let mut g = Array3::zeros((1, 14, 48));
        c.write_pilots(g.view_mut(), 3).unwrap();
        let c_init = (1u32 << 10) * 49 * 35 + 17;
        let bits = crate::sequence::gold::gold_bits(c_init, 8).unwrap();
        for n in 0..4 {
            let s = std::f32::consts::FRAC_1_SQRT_2;
            let want = C32::new(
                s * (1.0 - 2.0 * f32::from(bits[2 * n])),
                s * (1.0 - 2.0 * f32::from(bits[2 * n + 1])),
            );
            assert!((g[[0, 6, 12 * n + 3]] - want).norm() < 1e-6, "PRB {n}");
        }
    }

    #[test]
    fn bad_resources_are_named() {
        let named = |c: CsiRsConfig, want: &str| {
            let mut g = Array3::zeros((32, 14, 48));
            match c.write_pilots(g.view_mut(), 0) {
                Err(Error::InvalidParameter { name, .. }) => assert_eq!(name, want),
                other => panic!("expected {want}, got {other:?}"),
            }
        };
        named(cfg(0), "row");
        named(cfg(19), "row");
        named(
            CsiRsConfig {
                density: CsiRsDensity::HalfEven,
                ..cfg(6)
            },
            "density",
        );
        named(
            CsiRsConfig {
                n_id: 1024,
                ..cfg(3)
            },
            "n_id (scramblingID)",
        );
        named(CsiRsConfig { n_prb: 5, ..cfg(3) }, "prb_start / n_prb");
        named(CsiRsConfig { l0: 13, ..cfg(8) }, "k_i / l_0 / l_1");
        // k_0 = k_1 makes two CDM groups of row 6 collide.
        named(
            CsiRsConfig {
                k: [2, 2, 4, 6, 8, 10],
                ..cfg(6)
            },
            "k_i / l_0 / l_1",
        );
    }
}
