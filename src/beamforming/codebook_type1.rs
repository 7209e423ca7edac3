//! NR Type I single-panel codebook, 38.214 §5.2.2.2.1 (ranks 1 and 2 so far).
//!
//! Ports are ordered as the 38.214 tables: the first N1·N2 ports are one polarisation, the next
//! N1·N2 the other; within a polarisation port `n1·N2 + n2`. With
//! `v_{l,m}[n1·N2 + n2] = e^{j2π(l·n1/(O1N1) + m·n2/(O2N2))}` and `φ_n = e^{jπn/2}`:
//! rank 1 `W = [v_{l,m}; φ_n·v_{l,m}] / √P`, rank 2
//! `W = [[v_{l,m}, v_{l',m'}], [φ_n·v_{l,m}, −φ_n·v_{l',m'}]] / √(2P)`, P = 2·N1·N2, with
//! (l, l', m, m', n) from (i1,1, i1,2, i1,3, i2) by Tables 5.2.2.2.1-3, -5 and -6.

use crate::{C32, Error, Result};

/// Table 5.2.2.2.1-2: supported (N1, N2) with their (O1, O2).
const CONFIGS: [((usize, usize), (usize, usize)); 13] = [
    ((2, 1), (4, 1)),
    ((2, 2), (4, 4)),
    ((4, 1), (4, 1)),
    ((3, 2), (4, 4)),
    ((6, 1), (4, 1)),
    ((4, 2), (4, 4)),
    ((8, 1), (4, 1)),
    ((4, 3), (4, 4)),
    ((6, 2), (4, 4)),
    ((12, 1), (4, 1)),
    ((4, 4), (4, 4)),
    ((8, 2), (4, 4)),
    ((16, 1), (4, 1)),
];

/// (i1,1, i1,2, i1,3, i2) of one Type I precoder.
pub type Type1Index = [usize; 4];

/// A Type I single-panel codebook configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TypeISinglePanel {
    n1: usize,
    n2: usize,
    o1: usize,
    o2: usize,
    mode: u8,
}

fn bad(name: &'static str, value: impl ToString, reason: &'static str) -> Error {
    Error::InvalidParameter {
        name,
        value: value.to_string(),
        reason,
    }
}

impl TypeISinglePanel {
    /// (N1, N2) with their oversampling (O1, O2) as in Table 5.2.2.2.1-2, codebookMode 1 or 2.
    pub fn new(n1: usize, n2: usize, o1: usize, o2: usize, mode: u8) -> Result<Self> {
        match CONFIGS.iter().find(|(n, _)| *n == (n1, n2)) {
            None => {
                return Err(bad(
                    "(N1, N2)",
                    format!("({n1}, {n2})"),
                    "not a configuration of 38.214 Table 5.2.2.2.1-2",
                ));
            }
            Some((_, o)) if *o != (o1, o2) => {
                return Err(bad(
                    "(O1, O2)",
                    format!("({o1}, {o2})"),
                    "must be the oversampling Table 5.2.2.2.1-2 gives for (N1, N2)",
                ));
            }
            _ => {}
        }
        if mode != 1 && mode != 2 {
            return Err(bad("codebookMode", mode, "must be 1 or 2"));
        }
        Ok(Self {
            n1,
            n2,
            o1,
            o2,
            mode,
        })
    }

    /// CSI-RS ports P = 2·N1·N2.
    pub fn ports(&self) -> usize {
        2 * self.n1 * self.n2
    }

    /// (k1, k2) of i1,3 for rank 2, Table 5.2.2.2.1-3.
    fn k1_k2(&self, i13: usize) -> Result<(usize, usize)> {
        let (o1, o2) = (self.o1, self.o2);
        let table: &[(usize, usize)] = match (self.n1, self.n2) {
            (2, 1) => &[(0, 0), (o1, 0)],
            (_, 1) => &[(0, 0), (o1, 0), (2 * o1, 0), (3 * o1, 0)],
            (a, b) if a == b => &[(0, 0), (o1, 0), (0, o2), (o1, o2)],
            _ => &[(0, 0), (o1, 0), (0, o2), (2 * o1, 0)],
        };
        table.get(i13).copied().ok_or_else(|| {
            bad(
                "i1,3",
                i13,
                "out of range for this (N1, N2) (Table 5.2.2.2.1-3)",
            )
        })
    }

    /// Beam indices (l, m) and co-phasing n of layer 0 for codebookMode 1/2 from
    /// (i1,1, i1,2, i2), where `per_beam` co-phasings share one (l, m) (4 for rank 1, 2 for
    /// rank 2).
    fn beam(
        &self,
        i11: usize,
        i12: usize,
        i2: usize,
        per_beam: usize,
    ) -> Result<(usize, usize, usize)> {
        let (n1o1, n2o2) = (self.n1 * self.o1, self.n2 * self.o2);
        if self.mode == 1 {
            if i11 >= n1o1 || i12 >= n2o2 || i2 >= per_beam {
                return Err(bad(
                    "(i1,1, i1,2, i2)",
                    format!("({i11}, {i12}, {i2})"),
                    "out of range for codebookMode 1",
                ));
            }
            return Ok((i11, i12, i2));
        }
        let i12_max = if self.n2 == 1 { 1 } else { n2o2 / 2 };
        if i11 >= n1o1 / 2 || i12 >= i12_max || i2 >= 4 * per_beam {
            return Err(bad(
                "(i1,1, i1,2, i2)",
                format!("({i11}, {i12}, {i2})"),
                "out of range for codebookMode 2",
            ));
        }
        let (group, n) = (i2 / per_beam, i2 % per_beam);
        Ok(if self.n2 == 1 {
            (2 * i11 + group, 0, n)
        } else {
            (2 * i11 + group % 2, 2 * i12 + group / 2, n)
        })
    }

    /// `v_{l,m}` into `out` (N1·N2 values).
    fn v(&self, l: usize, m: usize, out: &mut [C32]) {
        let (n1, n2, o1, o2) = (self.n1, self.n2, self.o1, self.o2);
        for a in 0..n1 {
            for b in 0..n2 {
                let cycles =
                    ((l * a) as f64 / (o1 * n1) as f64 + (m * b) as f64 / (o2 * n2) as f64).fract();
                let ph = 2.0 * std::f64::consts::PI * cycles;
                out[a * n2 + b] = C32::new(ph.cos() as f32, ph.sin() as f32);
            }
        }
    }

    /// Every precoder of the codebook at `rank` (1 or 2), with its (i1,1, i1,2, i1,3, i2), in
    /// lexicographic index order: the candidate set of PMI selection.
    pub fn all_precoders(&self, rank: usize) -> Result<(Vec<Vec<C32>>, Vec<Type1Index>)> {
        if rank != 1 && rank != 2 {
            return Err(bad(
                "rank",
                rank,
                "only ranks 1 and 2 of the Type I codebook are implemented so far",
            ));
        }
        let p = self.ports();
        let (mut ws, mut idx) = (Vec::new(), Vec::new());
        let i13_max = if rank == 2 { 4 } else { 1 };
        for i11 in 0..self.n1 * self.o1 {
            for i12 in 0..self.n2 * self.o2 {
                for i13 in 0..i13_max {
                    for i2 in 0..16 {
                        let mut w = vec![C32::new(0.0, 0.0); p * rank];
                        if self.precoder(rank, i11, i12, i13, i2, &mut w).is_ok() {
                            ws.push(w);
                            idx.push([i11, i12, i13, i2]);
                        }
                    }
                }
            }
        }
        Ok((ws, idx))
    }

    /// The precoder W (P × rank, row-major `out[port·rank + layer]`) of indices (i1,1, i1,2,
    /// i1,3, i2). Ranks 1 and 2; i1,3 is ignored for rank 1.
    pub fn precoder(
        &self,
        rank: usize,
        i11: usize,
        i12: usize,
        i13: usize,
        i2: usize,
        out: &mut [C32],
    ) -> Result<()> {
        let p = self.ports();
        let half = p / 2;
        if out.len() != p * rank {
            return Err(Error::ShapeMismatch {
                name: "w [ports, rank]",
                expected: vec![p, rank],
                got: vec![out.len()],
            });
        }
        let phi = |n: usize| {
            [
                C32::new(1.0, 0.0),
                C32::new(0.0, 1.0),
                C32::new(-1.0, 0.0),
                C32::new(0.0, -1.0),
            ][n % 4]
        };
        let mut v = [C32::new(0.0, 0.0); 32];
        match rank {
            1 => {
                let (l, m, n) = self.beam(i11, i12, i2, 4)?;
                self.v(l, m, &mut v[..half]);
                let s = 1.0 / (p as f32).sqrt();
                for i in 0..half {
                    out[i] = v[i] * s;
                    out[half + i] = phi(n) * v[i] * s;
                }
            }
            2 => {
                let (k1, k2) = self.k1_k2(i13)?;
                let (l, m, n) = self.beam(i11, i12, i2, 2)?;
                let mut v2 = [C32::new(0.0, 0.0); 32];
                self.v(l, m, &mut v[..half]);
                self.v(l + k1, m + k2, &mut v2[..half]);
                let s = 1.0 / (2.0 * p as f32).sqrt();
                for i in 0..half {
                    out[2 * i] = v[i] * s;
                    out[2 * i + 1] = v2[i] * s;
                    out[2 * (half + i)] = phi(n) * v[i] * s;
                    out[2 * (half + i) + 1] = -phi(n) * v2[i] * s;
                }
            }
            r => {
                return Err(bad(
                    "rank",
                    r,
                    "only ranks 1 and 2 of the Type I codebook are implemented so far",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precoders_have_unit_frobenius_norm_and_orthogonal_layers() {
        for &((n1, n2), (o1, o2)) in &CONFIGS {
            let cb = TypeISinglePanel::new(n1, n2, o1, o2, 1).unwrap();
            let p = cb.ports();
            let mut w1 = vec![C32::new(0.0, 0.0); p];
            cb.precoder(1, 1, 0, 0, 3, &mut w1).unwrap();
            let e: f32 = w1.iter().map(|x| x.norm_sqr()).sum();
            assert!((e - 1.0).abs() < 1e-5);
            let mut w2 = vec![C32::new(0.0, 0.0); 2 * p];
            cb.precoder(2, 2, 0, 1, 1, &mut w2).unwrap();
            let e: f32 = w2.iter().map(|x| x.norm_sqr()).sum();
            assert!((e - 1.0).abs() < 1e-5, "({n1},{n2}) rank 2 energy {e}");
            let inner: C32 = (0..p).map(|i| w2[2 * i].conj() * w2[2 * i + 1]).sum();
            assert!(
                inner.norm() < 1e-5,
                "({n1},{n2}) layers not orthogonal: {inner}"
            );
        }
    }

    #[test]
    fn bad_indices_are_named() {
        assert!(TypeISinglePanel::new(5, 1, 4, 1, 1).is_err());
        assert!(TypeISinglePanel::new(4, 2, 4, 1, 1).is_err());
        let cb = TypeISinglePanel::new(4, 2, 4, 4, 2).unwrap();
        let mut w = vec![C32::new(0.0, 0.0); 16];
        assert!(cb.precoder(1, 8, 0, 0, 0, &mut w).is_err()); // i1,1 < N1O1/2 = 8
        assert!(cb.precoder(1, 0, 0, 0, 16, &mut w).is_err());
        let mut w3 = vec![C32::new(0.0, 0.0); 48];
        assert!(matches!(
            cb.precoder(3, 0, 0, 0, 0, &mut w3),
            Err(Error::InvalidParameter { name: "rank", .. })
        ));
    }
}
