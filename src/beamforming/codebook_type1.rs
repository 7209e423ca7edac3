//! NR Type I single-panel codebook, 38.214 §5.2.2.2.1, ranks 1–8 (P = 2·N1·N2 ≥ 4 ports).
//!
//! Ports are ordered as the 38.214 tables: the first N1·N2 ports are one polarisation, the next
//! N1·N2 the other; within a polarisation port `n1·N2 + n2`. With
//! `v_{l,m}[n1·N2 + n2] = e^{j2π(l·n1/(O1N1) + m·n2/(O2N2))}`, `φ_n = e^{jπn/2}` and
//! `θ_p = e^{jπp/4}`, every layer of W is one beam `v_{l_b,m_b}` on the first polarisation and a
//! co-phased copy on the second:
//!
//! | rank | beams | layer columns (second-polarisation factor) | table |
//! |---|---|---|---|
//! | 1 | (l, m) | φ_n | 5.2.2.2.1-5 |
//! | 2 | (l, m), (l', m') | φ_n, −φ_n | -6, k from -3 |
//! | 3 (P < 16) | (l, m), (l', m') | b0 φ_n, b1 φ_n, b0 −φ_n | -7, k from -4 |
//! | 4 (P < 16) | as 3 | … and b1 −φ_n | -8 |
//! | 5 | (l, m), (l+O1, m), (l+O1, m+O2) or, N2 = 1, (l+O1, 0), (l+2O1, 0) | b0 ±φ_n, b1 ±1, b2 +1 | -9 |
//! | 6 | as 5 | b0 ±φ_n, b1 ±φ_n, b2 ±1 | -10 |
//! | 7 | (l, m), (l+O1, m), (l, m+O2), (l+O1, m+O2) or, N2 = 1, l + {0,1,2,3}·O1 | b0 ±φ_n, b1 φ_n, b2 ±1, b3 ±1 | -11 |
//! | 8 | as 7 | b0 ±φ_n, b1 ±φ_n, b2 ±1, b3 ±1 | -12 |
//!
//! Ranks 3 and 4 with P ≥ 16 use four quarter-blocks of the half-length beam
//! `ṽ_{l,m}[n1·N2 + n2] = e^{j2π(2l·n1/(O1N1) + m·n2/(O2N2))}`, n1 < N1/2: column c is
//! `[ṽ; s1·θ_p ṽ; s2·φ_n ṽ; s3·φ_nθ_p ṽ]` with signs (s1, s2, s3) = (+,+,+), (−,+,−),
//! (+,−,−), (−,−,+). Every W is scaled by 1/√(rank·P). (l, m, n, p) come from
//! (i1,1, i1,2, i1,3, i2) as the tables say; codebookMode matters for ranks 1 and 2 only.

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

fn bad(name: &'static str, value: impl core::fmt::Display, reason: &'static str) -> Error {
    Error::InvalidParameter {
        name,
        value: crate::error::Value::of(&value),
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

    /// The (k1, k2) offsets indexed by i1,3: Table 5.2.2.2.1-3 for rank 2, Table 5.2.2.2.1-4
    /// for ranks 3–4 with P < 16; `(table, len)`, len 0 where the rank has no such table.
    fn k_offsets(&self, rank: usize) -> ([(usize, usize); 4], usize) {
        let (o1, o2) = (self.o1, self.o2);
        let z = (0, 0);
        match (rank, self.n1, self.n2) {
            (2, 2, 1) => ([z, (o1, 0), z, z], 2),
            (2, _, 1) => ([z, (o1, 0), (2 * o1, 0), (3 * o1, 0)], 4),
            (2, a, b) if a == b => ([z, (o1, 0), (0, o2), (o1, o2)], 4),
            (2, ..) => ([z, (o1, 0), (0, o2), (2 * o1, 0)], 4),
            (3 | 4, 2, 1) => ([(o1, 0), z, z, z], 1),
            (3 | 4, 4, 1) => ([(o1, 0), (2 * o1, 0), (3 * o1, 0), z], 3),
            (3 | 4, 6, 1) => ([(o1, 0), (2 * o1, 0), (3 * o1, 0), (4 * o1, 0)], 4),
            (3 | 4, 2, 2) => ([(o1, 0), (0, o2), (o1, o2), z], 3),
            (3 | 4, 3, 2) => ([(o1, 0), (0, o2), (o1, o2), (2 * o1, 0)], 4),
            _ => ([z; 4], 0),
        }
    }

    /// (k1, k2) of i1,3 at `rank` (Tables 5.2.2.2.1-3 and -4).
    fn k1_k2(&self, rank: usize, i13: usize) -> Result<(usize, usize)> {
        let (table, len) = self.k_offsets(rank);
        table[..len].get(i13).copied().ok_or_else(|| {
            bad(
                "i1,3",
                i13,
                "out of range for this (N1, N2) and rank (Tables 5.2.2.2.1-3/-4)",
            )
        })
    }

    /// Largest rank this configuration supports: 4 for P = 4, else 8.
    pub fn max_rank(&self) -> usize {
        if self.ports() == 4 { 4 } else { 8 }
    }

    /// Number of i1,3 values at `rank`: the length of its k-offset table, 4 (p of θ_p) for
    /// ranks 3–4 with P ≥ 16, 1 where the rank has no i1,3.
    fn i13_count(&self, rank: usize) -> usize {
        if matches!(rank, 3 | 4) && self.ports() >= 16 {
            4
        } else {
            self.k_offsets(rank).1.max(1)
        }
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

    /// `v_{l,m}` into `out` (N1·N2 values), or with `half` the quarter-block beam `ṽ_{l,m}`
    /// (N1/2 · N2 values, phase step 2l along N1).
    fn v(&self, l: usize, m: usize, half: bool, out: &mut [C32]) {
        let (n1, n2, o1, o2) = (self.n1, self.n2, self.o1, self.o2);
        let (rows, step) = if half { (n1 / 2, 2) } else { (n1, 1) };
        for a in 0..rows {
            for b in 0..n2 {
                // Integer phase numerators reduced modulo their period keep the phase exact.
                let pl = ((step * l * a) % (o1 * n1)) as f64 / (o1 * n1) as f64;
                let pm = ((m * b) % (o2 * n2)) as f64 / (o2 * n2) as f64;
                let ph = 2.0 * std::f64::consts::PI * (pl + pm);
                out[a * n2 + b] = C32::new(ph.cos() as f32, ph.sin() as f32);
            }
        }
    }

    /// Every precoder of the codebook at `rank` (1 ..= [`Self::max_rank`]), with its
    /// (i1,1, i1,2, i1,3, i2), in lexicographic index order: the candidate set of PMI selection.
    pub fn all_precoders(&self, rank: usize) -> Result<(Vec<Vec<C32>>, Vec<Type1Index>)> {
        self.check_rank(rank)?;
        let p = self.ports();
        let (mut ws, mut idx) = (Vec::new(), Vec::new());
        for i11 in 0..self.n1 * self.o1 {
            for i12 in 0..self.n2 * self.o2 {
                for i13 in 0..self.i13_count(rank) {
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

    fn check_rank(&self, rank: usize) -> Result<()> {
        if rank == 0 || rank > self.max_rank() {
            return Err(bad(
                "rank",
                rank,
                "must be 1..=8, and ≤ 4 with 4 ports (38.214 §5.2.2.2.1)",
            ));
        }
        Ok(())
    }

    /// The beams (l_b, m_b) of ranks 3–8 (two-block forms) and n, from (i1,1, i1,2, i1,3, i2).
    fn high_rank_beams(
        &self,
        rank: usize,
        i11: usize,
        i12: usize,
        i13: usize,
        i2: usize,
    ) -> Result<([(usize, usize); 4], usize)> {
        let (n1, n2, o1, o2) = (self.n1, self.n2, self.o1, self.o2);
        let (i11_max, i12_max) = match (rank, n1, n2) {
            (3 | 4, ..) => (n1 * o1, n2 * o2),
            (5 | 6, ..) => (n1 * o1, n2 * o2),
            (_, 4, 1) => (n1 * o1 / 2, 1),
            (_, _, 1) => (n1 * o1, 1),
            (_, 2, 2) => (n1 * o1, n2 * o2),
            (_, _, 2) => (n1 * o1, n2 * o2 / 2),
            _ => (n1 * o1, n2 * o2),
        };
        if i11 >= i11_max || i12 >= i12_max || i2 >= 2 {
            return Err(bad(
                "(i1,1, i1,2, i2)",
                format!("({i11}, {i12}, {i2})"),
                "out of range for this rank (Tables 5.2.2.2.1-7 … -12)",
            ));
        }
        let (l, m) = (i11, i12);
        let beams = match rank {
            3 | 4 => {
                let (k1, k2) = self.k1_k2(rank, i13)?;
                [(l, m), (l + k1, m + k2), (0, 0), (0, 0)]
            }
            5 | 6 if n2 > 1 => [(l, m), (l + o1, m), (l + o1, m + o2), (0, 0)],
            5 | 6 => [(l, 0), (l + o1, 0), (l + 2 * o1, 0), (0, 0)],
            _ if n2 > 1 => [(l, m), (l + o1, m), (l, m + o2), (l + o1, m + o2)],
            _ => [(l, 0), (l + o1, 0), (l + 2 * o1, 0), (l + 3 * o1, 0)],
        };
        Ok((beams, i2))
    }

    /// The precoder W (P × rank, row-major `out[port·rank + layer]`) of indices (i1,1, i1,2,
    /// i1,3, i2), rank 1 ..= [`Self::max_rank`]. i1,3 is ignored where the rank's table has none
    /// (ranks 1 and 5–8).
    pub fn precoder(
        &self,
        rank: usize,
        i11: usize,
        i12: usize,
        i13: usize,
        i2: usize,
        out: &mut [C32],
    ) -> Result<()> {
        self.check_rank(rank)?;
        let p = self.ports();
        let half = p / 2;
        if out.len() != p * rank {
            return Err(Error::ShapeMismatch {
                name: "w [ports, rank]",
                expected: crate::error::Shape::of(&[p, rank]),
                got: crate::error::Shape::of(&[out.len()]),
            });
        }
        let one = C32::new(1.0, 0.0);
        let phi = |n: usize| [one, C32::new(0.0, 1.0), -one, C32::new(0.0, -1.0)][n % 4];
        let s = 1.0 / ((rank * p) as f32).sqrt();
        let mut v = [[C32::new(0.0, 0.0); 16]; 4];
        if matches!(rank, 3 | 4) && p >= 16 {
            // Four quarter-blocks of ṽ_{l,m} with θ_p co-phasing.
            if i11 >= self.n1 * self.o1 / 2 || i12 >= self.n2 * self.o2 || i13 >= 4 || i2 >= 2 {
                return Err(bad(
                    "(i1,1, i1,2, i1,3, i2)",
                    format!("({i11}, {i12}, {i13}, {i2})"),
                    "out of range for rank 3–4 with P ≥ 16 (Tables 5.2.2.2.1-7/-8)",
                ));
            }
            let q = half / 2;
            self.v(i11, i12, true, &mut v[0][..q]);
            let theta = C32::from_polar(1.0, std::f32::consts::FRAC_PI_4 * i13 as f32);
            let ph = phi(i2);
            const SIGNS: [[f32; 3]; 4] = [
                [1.0, 1.0, 1.0],
                [-1.0, 1.0, -1.0],
                [1.0, -1.0, -1.0],
                [-1.0, -1.0, 1.0],
            ];
            for (c, sg) in SIGNS.iter().enumerate().take(rank) {
                let f = [one, theta * sg[0], ph * sg[1], ph * theta * sg[2]];
                for (blk, fb) in f.iter().enumerate() {
                    for i in 0..q {
                        out[(blk * q + i) * rank + c] = *fb * v[0][i] * s;
                    }
                }
            }
            return Ok(());
        }
        // Two-block forms: layer c is beam b_c on the first polarisation, f_c·beam on the second.
        // `Phi(+1/−1)` = ±φ_n, `One(±1)` = ±1.
        #[derive(Clone, Copy)]
        enum Co {
            Phi(f32),
            One(f32),
        }
        use Co::{One, Phi};
        /// Beams (l_b, m_b), co-phasing index n, and per layer (beam, second-polarisation factor).
        type Layout<'a> = ([(usize, usize); 4], usize, &'a [(usize, Co)]);
        let (beams, n, layers): Layout<'_> = match rank {
            1 => {
                let (l, m, n) = self.beam(i11, i12, i2, 4)?;
                ([(l, m), (0, 0), (0, 0), (0, 0)], n, &[(0, Phi(1.0))])
            }
            2 => {
                let (k1, k2) = self.k1_k2(2, i13)?;
                let (l, m, n) = self.beam(i11, i12, i2, 2)?;
                (
                    [(l, m), (l + k1, m + k2), (0, 0), (0, 0)],
                    n,
                    &[(0, Phi(1.0)), (1, Phi(-1.0))],
                )
            }
            r => {
                let (beams, n) = self.high_rank_beams(r, i11, i12, i13, i2)?;
                let layers: &[(usize, Co)] = match r {
                    3 => &[(0, Phi(1.0)), (1, Phi(1.0)), (0, Phi(-1.0))],
                    4 => &[(0, Phi(1.0)), (1, Phi(1.0)), (0, Phi(-1.0)), (1, Phi(-1.0))],
                    5 => &[
                        (0, Phi(1.0)),
                        (0, Phi(-1.0)),
                        (1, One(1.0)),
                        (1, One(-1.0)),
                        (2, One(1.0)),
                    ],
                    6 => &[
                        (0, Phi(1.0)),
                        (0, Phi(-1.0)),
                        (1, Phi(1.0)),
                        (1, Phi(-1.0)),
                        (2, One(1.0)),
                        (2, One(-1.0)),
                    ],
                    7 => &[
                        (0, Phi(1.0)),
                        (0, Phi(-1.0)),
                        (1, Phi(1.0)),
                        (2, One(1.0)),
                        (2, One(-1.0)),
                        (3, One(1.0)),
                        (3, One(-1.0)),
                    ],
                    _ => &[
                        (0, Phi(1.0)),
                        (0, Phi(-1.0)),
                        (1, Phi(1.0)),
                        (1, Phi(-1.0)),
                        (2, One(1.0)),
                        (2, One(-1.0)),
                        (3, One(1.0)),
                        (3, One(-1.0)),
                    ],
                };
                (beams, n, layers)
            }
        };
        let used = layers.iter().map(|&(b, _)| b + 1).max().unwrap_or(1);
        for (b, &(l, m)) in beams.iter().enumerate().take(used) {
            self.v(l, m, false, &mut v[b][..half]);
        }
        for (c, &(b, co)) in layers.iter().enumerate() {
            let f = match co {
                Phi(sg) => phi(n) * sg,
                One(sg) => one * sg,
            };
            for i in 0..half {
                out[i * rank + c] = v[b][i] * s;
                out[(half + i) * rank + c] = f * v[b][i] * s;
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
        // 38.214 normalises every W to ‖W‖_F = 1 with mutually orthogonal columns
        // (Wᴴ W = I/rank); checked for every configuration, rank and index.
        for &((n1, n2), (o1, o2)) in &CONFIGS {
            for mode in [1, 2] {
                let cb = TypeISinglePanel::new(n1, n2, o1, o2, mode).unwrap();
                let p = cb.ports();
                for rank in 1..=cb.max_rank() {
                    if mode == 2 && rank > 2 {
                        continue; // same codebook as mode 1 from rank 3 on
                    }
                    let (ws, _) = cb.all_precoders(rank).unwrap();
                    assert!(!ws.is_empty(), "({n1},{n2}) rank {rank}: no precoders");
                    for w in &ws {
                        for a in 0..rank {
                            for b in 0..rank {
                                let g: C32 = (0..p)
                                    .map(|i| w[i * rank + a].conj() * w[i * rank + b])
                                    .sum();
                                let want = if a == b { 1.0 / rank as f32 } else { 0.0 };
                                assert!(
                                    (g - C32::new(want, 0.0)).norm() < 1e-5,
                                    "({n1},{n2}) mode {mode} rank {rank}: WᴴW[{a},{b}] = {g}"
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn codebook_sizes_match_the_index_ranges_of_38_214() {
        // Counts from the index ranges of Tables 5.2.2.2.1-5 … -12 (mode 1): e.g. (4, 2),
        // O = (4, 4): rank 1 = N1O1·N2O2·4 = 16·8·4 = 512; rank 2 = 16·8·4·2 = 1024; rank 3/4
        // (P = 16) = N1O1/2·N2O2·4·2 = 8·8·4·2 = 512; ranks 5–6 = 16·8·2 = 256; ranks 7–8
        // (N1 > 2, N2 = 2) = 16·4·2 = 128.
        let cb = TypeISinglePanel::new(4, 2, 4, 4, 1).unwrap();
        let want = [512, 1024, 512, 512, 256, 256, 128, 128];
        for (r, &n) in want.iter().enumerate() {
            assert_eq!(
                cb.all_precoders(r + 1).unwrap().0.len(),
                n,
                "rank {}",
                r + 1
            );
        }
        // (2, 1): P = 4, rank 3/4 have one i1,3 → 8·1·1·2 = 16 each; no rank 5.
        let cb = TypeISinglePanel::new(2, 1, 4, 1, 1).unwrap();
        assert_eq!(cb.all_precoders(3).unwrap().0.len(), 16);
        assert_eq!(cb.all_precoders(4).unwrap().0.len(), 16);
        assert!(matches!(
            cb.all_precoders(5),
            Err(Error::InvalidParameter { name: "rank", .. })
        ));
    }

    #[test]
    fn bad_indices_are_named() {
        assert!(matches!(
            TypeISinglePanel::new(5, 1, 4, 1, 1),
            Err(Error::InvalidParameter {
                name: "(N1, N2)",
                ..
            })
        ));
        assert!(matches!(
            TypeISinglePanel::new(4, 2, 4, 1, 1),
            Err(Error::InvalidParameter {
                name: "(O1, O2)",
                ..
            })
        ));
        let cb = TypeISinglePanel::new(4, 2, 4, 4, 2).unwrap();
        let mut w = vec![C32::new(0.0, 0.0); 16];
        // i1,1 < N1O1/2 = 8 in mode 2
        assert!(matches!(
            cb.precoder(1, 8, 0, 0, 0, &mut w),
            Err(Error::InvalidParameter {
                name: "(i1,1, i1,2, i2)",
                ..
            })
        ));
        assert!(matches!(
            cb.precoder(1, 0, 0, 0, 16, &mut w),
            Err(Error::InvalidParameter {
                name: "(i1,1, i1,2, i2)",
                ..
            })
        ));
        let mut w9 = vec![C32::new(0.0, 0.0); 16 * 9];
        assert!(matches!(
            cb.precoder(9, 0, 0, 0, 0, &mut w9),
            Err(Error::InvalidParameter { name: "rank", .. })
        ));
        // rank 3 with P = 16: i1,3 = p < 4, i1,1 < N1O1/2 = 8
        let mut w3 = vec![C32::new(0.0, 0.0); 48];
        assert!(matches!(
            cb.precoder(3, 0, 0, 4, 0, &mut w3),
            Err(Error::InvalidParameter {
                name: "(i1,1, i1,2, i1,3, i2)",
                ..
            })
        ));
        // rank 7 with N1 > 2, N2 = 2: i1,2 < N2O2/2 = 4
        let mut w7 = vec![C32::new(0.0, 0.0); 16 * 7];
        assert!(matches!(
            cb.precoder(7, 0, 4, 0, 0, &mut w7),
            Err(Error::InvalidParameter {
                name: "(i1,1, i1,2, i2)",
                ..
            })
        ));
        // rank 3 with P = 8 (2, 2): i1,3 < 3 (Table 5.2.2.2.1-4)
        let cb = TypeISinglePanel::new(2, 2, 4, 4, 1).unwrap();
        let mut w3 = vec![C32::new(0.0, 0.0); 24];
        assert!(matches!(
            cb.precoder(3, 0, 0, 3, 0, &mut w3),
            Err(Error::InvalidParameter { name: "i1,3", .. })
        ));
    }
}
