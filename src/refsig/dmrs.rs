//! NR demodulation reference signals for PDSCH and PUSCH without transform precoding,
//! 3GPP TS 38.211 §7.4.1.1 (§6.4.1.1 for PUSCH is the same construction).
//!
//! Sequence (§7.4.1.1.1): `r(n) = (1 − 2c(2n))/√2 + j(1 − 2c(2n+1))/√2` with the Gold
//! sequence c of [`crate::sequence::Gold`] initialised with
//! `c_init = (2¹⁷(N_symb^slot·n_s + l + 1)(2N_ID + 1) + 2¹⁷⌊λ̄/2⌋ + 2N_ID + n̄_SCID) mod 2³¹`
//! (Rel-16 form; λ̄ = 0 and n̄_SCID = n_SCID unless `rel16_cdm_group_scrambling`, in which case
//! λ̄ = λ and n̄_SCID = 1 − n_SCID for λ = 1).
//!
//! Mapping (§7.4.1.1.2): `a_{k,l} = β·w_f(k')·w_t(l')·r(2n + k')`, `k = 4n + 2k' + Δ`
//! (configuration type 1) or `k = 6n + k' + Δ` (type 2), `k' ∈ {0, 1}`, `l = l̄ + l'`, with
//! (λ, Δ, w_f, w_t) of Tables 7.4.1.1.2-1 (type 1, ports 1000–1007) and 7.4.1.1.2-2 (type 2,
//! ports 1000–1011). k counts from subcarrier 0 of common resource block 0, so the sequence
//! index depends on where the allocation sits in the carrier (`crb_start`).
//!
//! Positions l̄: given explicitly, or from [`type_a_positions`] for PDSCH mapping type A over a
//! whole 14-symbol slot.

use ndarray::ArrayViewMut3;

/// Largest first common resource block of an allocation accepted by [`DmrsConfig::write_pilots`].
pub const MAX_CRB_START: usize = 2199;

/// Most ports of one DMRS configuration (type 2, double symbol).
const MAX_DMRS_PORTS: usize = 12;
/// Most PRBs of a grid [`DmrsConfig::write_pilots`] fills (38.101-1 Table 5.3.2-1).
const MAX_GRID_PRBS: usize = 275;

/// Work buffer of [`DmrsConfig::write_pilots_with`]: the scrambling bits for the largest
/// configuration (CRB start 2199, 275 PRBs), allocated once.
#[derive(Clone, Debug)]
pub struct DmrsScratch {
    bits: Vec<u8>,
}

impl DmrsScratch {
    /// A scratch for every valid configuration.
    pub fn new() -> Self {
        Self {
            bits: Vec::with_capacity(2 * 6 * (MAX_CRB_START + MAX_GRID_PRBS)),
        }
    }
}

impl Default for DmrsScratch {
    fn default() -> Self {
        Self::new()
    }
}

use crate::sequence::Gold;
use crate::{C32, Error, Result};

/// DMRS configuration type (higher-layer `dmrs-Type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DmrsType {
    /// Type 1: comb of 2, FD-OCC over pairs, 2 CDM groups, up to 8 ports.
    Type1,
    /// Type 2: pairs of adjacent subcarriers every 6, 3 CDM groups, up to 12 ports.
    Type2,
}

impl DmrsType {
    /// Ports (1000 + p) supported with double-symbol DMRS; half of them with single-symbol.
    pub fn max_ports(self) -> usize {
        match self {
            DmrsType::Type1 => 8,
            DmrsType::Type2 => 12,
        }
    }

    /// CDM groups.
    pub fn cdm_groups(self) -> usize {
        match self {
            DmrsType::Type1 => 2,
            DmrsType::Type2 => 3,
        }
    }
}

/// The table row of antenna port `1000 + p`: (CDM group λ, Δ, w_f(1), w_t(1)); w_f(0) =
/// w_t(0) = +1. Tables 7.4.1.1.2-1 and 7.4.1.1.2-2.
pub fn port_parameters(kind: DmrsType, p: usize) -> Result<(usize, usize, f32, f32)> {
    if p >= kind.max_ports() {
        return Err(Error::InvalidParameter {
            name: "DMRS port (p − 1000)",
            value: crate::error::Value::of(&p),
            reason: "type 1 has ports 0..=7, type 2 ports 0..=11",
        });
    }
    let wf = if p % 2 == 1 { -1.0 } else { 1.0 };
    Ok(match kind {
        DmrsType::Type1 => {
            let lambda = (p / 2) % 2;
            (lambda, lambda, wf, if p >= 4 { -1.0 } else { 1.0 })
        }
        DmrsType::Type2 => {
            let lambda = (p / 2) % 3;
            (lambda, 2 * lambda, wf, if p >= 6 { -1.0 } else { 1.0 })
        }
    })
}

/// DMRS symbol positions l̄ for PDSCH mapping type A over 14 symbols (duration l_d = 14,
/// Tables 7.4.1.1.2-3 (single symbol) and 7.4.1.1.2-4 (double symbol)): `l0` = 2 or 3
/// (dmrs-TypeA-Position), `additional` = dmrs-AdditionalPosition 0..=3 (0..=1 for double).
pub fn type_a_positions(l0: usize, additional: usize, double_symbol: bool) -> Result<Vec<usize>> {
    if l0 != 2 && l0 != 3 {
        return Err(Error::InvalidParameter {
            name: "l0 (dmrs-TypeA-Position)",
            value: crate::error::Value::of(&l0),
            reason: "must be 2 or 3",
        });
    }
    let extra: &[usize] = match (double_symbol, additional) {
        (false, 0) | (true, 0) => &[],
        (false, 1) => &[11],
        (false, 2) => &[7, 11],
        (false, 3) if l0 == 2 => &[5, 8, 11],
        (true, 1) => &[10],
        _ => {
            return Err(Error::InvalidParameter {
                name: "dmrs-AdditionalPosition",
                value: crate::value!("{additional} (double symbol: {double_symbol}, l0 = {l0})"),
                reason: "single symbol: 0..=3 (3 only with l0 = 2); double symbol: 0..=1",
            });
        }
    };
    Ok(std::iter::once(l0).chain(extra.iter().copied()).collect())
}

/// A DMRS configuration for one allocation of contiguous PRBs within a slot.
#[derive(Clone, Debug, PartialEq)]
pub struct DmrsConfig {
    /// Configuration type.
    pub kind: DmrsType,
    /// Antenna ports p − 1000, one per layer (axis 0 of the output grid).
    pub ports: Vec<usize>,
    /// First symbol l̄ of every DMRS occasion within the slot (ascending).
    pub symbols: Vec<usize>,
    /// Double-symbol DMRS (each occasion is l̄, l̄ + 1; w_t applies).
    pub double_symbol: bool,
    /// N_ID^0 / N_ID^1 (scramblingID0/1, or the cell id), 0..=65535, indexed by n_SCID.
    pub n_id: [u32; 2],
    /// n_SCID ∈ {0, 1}.
    pub n_scid: u32,
    /// Rel-16 CDM-group-dependent scrambling (dmrs-Downlink-r16 / dmrs-Uplink-r16).
    pub rel16_cdm_group_scrambling: bool,
    /// Slot number n_s,f^µ within the frame.
    pub slot: u32,
    /// Common resource block of the allocation's first PRB (sequence indexing from point A).
    pub crb_start: usize,
    /// Amplitude β (√ of the DMRS-to-data EPRE ratio of 38.214 Table 4.1-1 for PDSCH).
    pub amplitude: f32,
}

impl DmrsConfig {
    /// `ports` of configuration `kind` at the DMRS symbols `symbols`, with N_ID = (0, 1),
    /// n_SCID = 0, Rel-15 scrambling, slot 0, the allocation at CRB 0 and β = 1; set the public
    /// fields for anything else.
    pub fn new(
        kind: DmrsType,
        ports: Vec<usize>,
        symbols: Vec<usize>,
        double_symbol: bool,
    ) -> Self {
        Self {
            kind,
            ports,
            symbols,
            double_symbol,
            n_id: [0, 1],
            n_scid: 0,
            rel16_cdm_group_scrambling: false,
            slot: 0,
            crb_start: 0,
            amplitude: 1.0,
        }
    }

    /// Writes the DMRS of every port into `grid` [n_ports, 14·k, 12·n_prb] (ports in
    /// `self.ports` order, symbols of the slot, subcarriers of the allocation); other REs are
    /// set to 0. The grid must hold every DMRS symbol.
    pub fn write_pilots(&self, grid: ArrayViewMut3<'_, C32>) -> Result<()> {
        // One call: an empty scratch grows to this configuration's bits only.
        self.write_pilots_with(grid, &mut DmrsScratch { bits: Vec::new() })
    }

    /// [`Self::write_pilots`] with the caller's scratch: allocation-free, for a slot loop that
    /// writes each slot's DMRS (its scrambling depends on the slot number).
    pub fn write_pilots_with(
        &self,
        mut grid: ArrayViewMut3<'_, C32>,
        scratch: &mut DmrsScratch,
    ) -> Result<()> {
        let (n_ports, n_sym, n_sc) = grid.dim();
        if n_ports != self.ports.len() || n_sc == 0 || !n_sc.is_multiple_of(12) {
            return Err(Error::ShapeMismatch {
                name: "grid [n_ports, n_sym, 12·n_prb]",
                expected: crate::error::Shape::of(&[
                    self.ports.len(),
                    n_sym,
                    12 * n_sc.div_ceil(12).max(1),
                ]),
                got: crate::error::Shape::of(&[n_ports, n_sym, n_sc]),
            });
        }
        if self.n_scid > 1 || self.n_id.iter().any(|&n| n > 65535) {
            return Err(Error::InvalidParameter {
                name: "n_scid / n_id",
                value: crate::value!("{} / {:?}", self.n_scid, self.n_id),
                reason: "n_SCID ∈ {0, 1}, N_ID ∈ 0..=65535",
            });
        }
        let dur = if self.double_symbol { 2 } else { 1 };
        // Checked: l̄ = usize::MAX used to wrap past this test and index out of bounds.
        if let Some(&l) = self
            .symbols
            .iter()
            .find(|&&l| l.checked_add(dur).is_none_or(|e| e > n_sym))
        {
            return Err(Error::InvalidParameter {
                name: "DMRS symbol l̄",
                value: crate::error::Value::of(&l),
                reason: "must leave its occasion inside the grid's symbols",
            });
        }
        if !self.amplitude.is_finite() {
            return Err(Error::NonFinite {
                name: "amplitude",
                value: self.amplitude as f64,
            });
        }
        if self.ports.len() > MAX_DMRS_PORTS {
            return Err(Error::InvalidParameter {
                name: "ports",
                value: crate::error::Value::of(&self.ports.len()),
                reason: "at most 12 DMRS ports",
            });
        }
        let mut table = [(0usize, 0usize, 0.0f32, 0.0f32); MAX_DMRS_PORTS];
        for (r, &p) in table.iter_mut().zip(&self.ports) {
            *r = port_parameters(self.kind, p)?;
        }
        let rows = &table[..self.ports.len()];
        if !self.double_symbol
            && let Some(i) = rows.iter().position(|r| r.3 < 0.0)
        {
            return Err(Error::InvalidParameter {
                name: "DMRS port (p − 1000)",
                value: crate::error::Value::of(&self.ports[i]),
                reason: "needs double-symbol DMRS (its w_t is [+1, −1])",
            });
        }
        // The sequence is indexed from CRB 0, so its length grows with crb_start: bound it by
        // the largest common resource block of 38.211 (N_grid^start + N_grid^size ≤ 2199 + 275).
        if self.crb_start > MAX_CRB_START {
            return Err(Error::InvalidParameter {
                name: "crb_start",
                value: crate::error::Value::of(&self.crb_start),
                reason: "at most 2199 (38.331 offsetToCarrier + startingRB range)",
            });
        }
        grid.fill(C32::new(0.0, 0.0));
        // Sequence values per (symbol, CDM-group scrambling), indexed from CRB 0.
        let per_prb = match self.kind {
            DmrsType::Type1 => 6, // 3 values of n × 2 values of k'
            DmrsType::Type2 => 4, // 2 × 2
        };
        let n_prb = n_sc / 12;
        let first = self.crb_start * per_prb;
        let len = n_prb * per_prb;
        // Within the scratch's capacity (crb_start ≤ 2199 and n_prb ≤ 275 bound it).
        let n_prb_ok = n_prb <= MAX_GRID_PRBS;
        if !n_prb_ok {
            return Err(Error::ShapeMismatch {
                name: "grid [n_ports, n_sym, 12·n_prb] (n_prb ≤ 275)",
                expected: crate::error::Shape::of(&[n_ports, n_sym, 12 * MAX_GRID_PRBS]),
                got: crate::error::Shape::of(&[n_ports, n_sym, n_sc]),
            });
        }
        let bits = &mut scratch.bits;
        bits.clear();
        bits.resize(2 * (first + len), 0);
        let s = std::f32::consts::FRAC_1_SQRT_2;
        for &l_bar in &self.symbols {
            for lp in 0..dur {
                let l = l_bar + lp;
                for (pi, &(lambda, delta, wf1, wt1)) in rows.iter().enumerate() {
                    let (lam_bar, scid) = if self.rel16_cdm_group_scrambling {
                        (
                            lambda,
                            if lambda == 1 {
                                1 - self.n_scid
                            } else {
                                self.n_scid
                            },
                        )
                    } else {
                        (0, self.n_scid)
                    };
                    let n_id = u64::from(self.n_id[scid as usize]);
                    let c_init = ((1u64 << 17)
                        * (14 * u64::from(self.slot) + l as u64 + 1)
                        * (2 * n_id + 1)
                        + (1u64 << 17) * (lam_bar as u64 / 2)
                        + 2 * n_id
                        + u64::from(scid))
                        % (1u64 << 31);
                    Gold::new(c_init as u32).fill_bits(bits);
                    let wt = if lp == 1 { wt1 } else { 1.0 };
                    for m in 0..len {
                        let idx = first + m; // r index 2n + k'
                        let (n, kp) = (idx / 2, idx % 2);
                        let r = C32::new(
                            s * (1.0 - 2.0 * f32::from(bits[2 * idx])),
                            s * (1.0 - 2.0 * f32::from(bits[2 * idx + 1])),
                        );
                        let k_abs = match self.kind {
                            DmrsType::Type1 => 4 * n + 2 * kp + delta,
                            DmrsType::Type2 => 6 * n + kp + delta,
                        };
                        let k = k_abs - 12 * self.crb_start;
                        let wf = if kp == 1 { wf1 } else { 1.0 };
                        grid[[pi, l, k]] = r * (self.amplitude * wf * wt);
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

    fn config(kind: DmrsType, ports: Vec<usize>, double_symbol: bool) -> DmrsConfig {
        DmrsConfig {
            kind,
            ports,
            symbols: type_a_positions(2, if double_symbol { 1 } else { 2 }, double_symbol).unwrap(),
            double_symbol,
            n_id: [100, 200],
            n_scid: 0,
            rel16_cdm_group_scrambling: false,
            slot: 3,
            crb_start: 5,
            amplitude: 1.0,
        }
    }

    #[test]
    fn type1_occupies_the_comb_of_its_cdm_group_with_unit_power() {
        let cfg = config(DmrsType::Type1, vec![0, 2], false);
        let mut g = Array3::zeros((2, 14, 48));
        cfg.write_pilots(g.view_mut()).unwrap();
        for (pi, delta) in [(0usize, 0usize), (1, 1)] {
            for l in 0..14 {
                for k in 0..48 {
                    let v = g[[pi, l, k]];
                    let on = [2, 7, 11].contains(&l) && k % 2 == delta;
                    assert_eq!(v != C32::new(0.0, 0.0), on, "port {pi} l {l} k {k}");
                    if on {
                        assert!((v.norm() - 1.0).abs() < 1e-6);
                    }
                }
            }
        }
    }

    #[test]
    fn ports_of_one_cdm_group_are_orthogonal_on_each_occ_block() {
        for (kind, ports) in [
            (DmrsType::Type1, vec![0, 1, 4, 5]),
            (DmrsType::Type2, vec![2, 3, 8, 9]),
        ] {
            let cfg = config(kind, ports, true);
            let mut g = Array3::zeros((4, 14, 24));
            cfg.write_pilots(g.view_mut()).unwrap();
            let (l, delta) = (cfg.symbols[0], if kind == DmrsType::Type1 { 0 } else { 2 });
            let ks: Vec<usize> = match kind {
                DmrsType::Type1 => vec![delta, delta + 2],
                DmrsType::Type2 => vec![delta, delta + 1],
            };
            for a in 0..4 {
                for b in 0..4 {
                    let mut dot = C32::new(0.0, 0.0);
                    for lp in 0..2 {
                        for &k in &ks {
                            dot += g[[a, l + lp, k]].conj() * g[[b, l + lp, k]];
                        }
                    }
                    let expect = if a == b { 4.0 } else { 0.0 };
                    assert!(
                        (dot - C32::new(expect, 0.0)).norm() < 1e-5,
                        "{kind:?} {a} {b}: {dot}"
                    );
                }
            }
        }
    }

    #[test]
    fn sequence_follows_the_gold_sequence_from_point_a() {
        // Port 1000, type 1, symbol 2: value at allocation subcarrier 0 is r(2·n0) with
        // n0 = 3·crb_start (k = 4n relative to CRB 0).
        let cfg = config(DmrsType::Type1, vec![0], false);
        let mut g = Array3::zeros((1, 14, 12));
        cfg.write_pilots(g.view_mut()).unwrap();
        // c_init = 2¹⁷(14·n_s + l + 1)(2N_ID + 1) + 2N_ID, already below 2³¹ here.
        let c_init: u64 = (1 << 17) * (14 * 3 + 2 + 1) * 201 + 200;
        let bits = crate::sequence::gold::gold_bits(c_init as u32, 200).unwrap();
        let idx = 2 * 3 * 5;
        let s = std::f32::consts::FRAC_1_SQRT_2;
        let r = C32::new(
            s * (1.0 - 2.0 * bits[2 * idx] as f32),
            s * (1.0 - 2.0 * bits[2 * idx + 1] as f32),
        );
        assert!((g[[0, 2, 0]] - r).norm() < 1e-6);
    }

    #[test]
    fn bad_configurations_are_named() {
        let mut g = Array3::zeros((1, 14, 12));
        let mut cfg = config(DmrsType::Type1, vec![4], false);
        assert_eq!(
            crate::error::name_of(cfg.write_pilots(g.view_mut())),
            "DMRS port (p − 1000)"
        );
        cfg.ports = vec![8];
        assert_eq!(
            crate::error::name_of(cfg.write_pilots(g.view_mut())),
            "DMRS port (p − 1000)"
        );
        cfg.ports = vec![0];
        cfg.n_scid = 2;
        assert_eq!(
            crate::error::name_of(cfg.write_pilots(g.view_mut())),
            "n_scid / n_id"
        );
        assert_eq!(
            crate::error::name_of(type_a_positions(4, 0, false)),
            "l0 (dmrs-TypeA-Position)"
        );
        assert_eq!(
            crate::error::name_of(type_a_positions(2, 2, true)),
            "dmrs-AdditionalPosition"
        );
        let mut g = Array3::zeros((1, 14, 13));
        assert_eq!(
            crate::error::name_of(
                config(DmrsType::Type1, vec![0], false).write_pilots(g.view_mut())
            ),
            "grid [n_ports, n_sym, 12·n_prb]"
        );
    }
}
