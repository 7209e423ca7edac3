//! Precoder / beam selection: the candidate (codebook entry or grid beam) that maximises the
//! received power (rank 1) or the capacity (rank r > 1) for a measured channel — PMI selection
//! at the UE side of 38.214 §5.2.2.2 and beam selection at the gNB side of SRS-based 3D-MIMO.
//!
//! For a channel `H` [n_samples × P] (rows: subcarriers × receive antennas of one subband) and
//! candidates `W_c` [P × r], the metric is
//! * r = 1: `Σ_s |h_s·w_c|²` (received power);
//! * r > 1: `log2 det(I_r + (snr/r)·(H W_c)ᴴ(H W_c)/n_samples)` (capacity with equal power per
//!   layer, bit/s/Hz).
//!
//! All candidates are evaluated at once: their columns form one P × (n_cand·r) matrix and
//! `Y = H·W_all` is a single complex GEMM on the SIMD kernels; the metrics are reductions of Y.
//! Nothing is allocated after construction.

use ndarray::ArrayView2;
use num_complex::Complex64;

use super::codebook_type1::{Type1Index, TypeISinglePanel};
use super::dft_grid::DftGrid;
use crate::linalg::cholesky_in_place;
use crate::simd::{GemmMode, Kernels, SplitMatrix, SplitMut, SplitRef};
use crate::{C32, Error, Result};

/// The best candidate of one [`PrecoderSelector::select`] call.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Selection {
    /// Candidate index (in the order the selector was built with).
    pub index: usize,
    /// Its metric (power, or bit/s/Hz for rank > 1).
    pub metric: f64,
}

/// Exhaustive precoder selection over a fixed candidate set.
pub struct PrecoderSelector {
    kernels: Kernels,
    ports: usize,
    rank: usize,
    n_cand: usize,
    max_samples: usize,
    w: SplitMatrix,
    h_re: Vec<f32>,
    h_im: Vec<f32>,
    y_re: Vec<f32>,
    y_im: Vec<f32>,
    metrics: Vec<f64>,
    small: Vec<Complex64>,
}

impl PrecoderSelector {
    /// A selector over `candidates` (each P × r, row-major `w[port·r + layer]`, all the same
    /// shape) for channels of up to `max_samples` rows.
    pub fn new(
        candidates: &[Vec<C32>],
        ports: usize,
        rank: usize,
        max_samples: usize,
    ) -> Result<Self> {
        if candidates.is_empty() || ports == 0 || rank == 0 || rank > ports || max_samples == 0 {
            return Err(Error::InvalidParameter {
                name: "(candidates, ports, rank, max_samples)",
                value: crate::value!("({}, {ports}, {rank}, {max_samples})", candidates.len()),
                reason: "at least one candidate, 1 ≤ rank ≤ ports, max_samples ≥ 1",
            });
        }
        if let Some(c) = candidates.iter().find(|c| c.len() != ports * rank) {
            return Err(Error::ShapeMismatch {
                name: "candidate [ports, rank]",
                expected: crate::error::Shape::of(&[ports, rank]),
                got: crate::error::Shape::of(&[c.len()]),
            });
        }
        let n_cand = candidates.len();
        let w = SplitMatrix::from_fn(ports, n_cand * rank, |i, j| {
            candidates[j / rank][i * rank + j % rank]
        })?;
        Ok(Self {
            kernels: Kernels::new(),
            ports,
            rank,
            n_cand,
            max_samples,
            w,
            h_re: vec![0.0; max_samples * ports],
            h_im: vec![0.0; max_samples * ports],
            y_re: vec![0.0; max_samples * n_cand * rank],
            y_im: vec![0.0; max_samples * n_cand * rank],
            metrics: vec![0.0; n_cand],
            small: vec![Complex64::new(0.0, 0.0); rank * rank],
        })
    }

    /// Every beam of a DFT grid (rank 1).
    pub fn from_dft_grid(grid: &DftGrid, max_samples: usize) -> Result<Self> {
        let mut cands = Vec::with_capacity(grid.beams());
        for b in 0..grid.beams() {
            let mut w = vec![C32::new(0.0, 0.0); grid.elements()];
            grid.weights(b, &mut w)?;
            cands.push(w);
        }
        Self::new(&cands, grid.elements(), 1, max_samples)
    }

    /// Every precoder of a Type I single-panel codebook at `rank`; also returns the
    /// (i1,1, i1,2, i1,3, i2) of each candidate, in candidate order.
    pub fn from_type1(
        codebook: &TypeISinglePanel,
        rank: usize,
        max_samples: usize,
    ) -> Result<(Self, Vec<Type1Index>)> {
        let (cands, idx) = codebook.all_precoders(rank)?;
        Ok((Self::new(&cands, codebook.ports(), rank, max_samples)?, idx))
    }

    /// Candidates.
    pub fn candidates(&self) -> usize {
        self.n_cand
    }

    /// Metrics of every candidate from the last [`Self::select`] call.
    pub fn metrics(&self) -> &[f64] {
        &self.metrics
    }

    /// Selects the best candidate for the channel `h` [n_samples, P] at `snr` (linear, per
    /// layer-summed transmit power over noise; used for rank > 1 only).
    ///
    /// Errors: shape, n_samples > max_samples, snr negative or not finite, a non-finite channel
    /// entry (`NonFinite` naming `h`: there is no meaningful beam for it, and a NaN metric
    /// would otherwise pick beam 0).
    pub fn select(&mut self, h: ArrayView2<'_, C32>, snr: f64) -> Result<Selection> {
        let (n, p) = h.dim();
        if p != self.ports || n == 0 || n > self.max_samples {
            return Err(Error::ShapeMismatch {
                name: "h [n_samples (1..=max_samples), ports]",
                expected: crate::error::Shape::of(&[n.clamp(1, self.max_samples), self.ports]),
                got: crate::error::Shape::of(&[n, p]),
            });
        }
        if !(snr.is_finite() && snr >= 0.0) {
            return Err(Error::InvalidParameter {
                name: "snr",
                value: crate::error::Value::of(&snr),
                reason: "must be finite and ≥ 0",
            });
        }
        for ((i, j), v) in h.indexed_iter() {
            if !(v.re.is_finite() && v.im.is_finite()) {
                return Err(Error::NonFinite {
                    name: "h",
                    value: if v.re.is_finite() { v.im } else { v.re } as f64,
                });
            }
            self.h_re[i * p + j] = v.re;
            self.h_im[i * p + j] = v.im;
        }
        let cols = self.n_cand * self.rank;
        let a = SplitRef::new(n, p, p, &self.h_re, &self.h_im)?;
        let y = SplitMut::new(n, cols, cols, &mut self.y_re, &mut self.y_im)?;
        self.kernels
            .gemm(a, self.w.view(), y, GemmMode::Overwrite)?;
        let (yre, yim) = (&self.y_re, &self.y_im);
        let r = self.rank;
        for c in 0..self.n_cand {
            self.metrics[c] = if r == 1 {
                (0..n)
                    .map(|s| {
                        let (a, b) = (yre[s * cols + c] as f64, yim[s * cols + c] as f64);
                        a * a + b * b
                    })
                    .sum()
            } else {
                // I + (snr/r)/n · YcᴴYc, then log2 det via Cholesky.
                let g = snr / r as f64 / n as f64;
                for i in 0..r {
                    for j in 0..r {
                        let mut acc = Complex64::new(0.0, 0.0);
                        for s in 0..n {
                            let yi = Complex64::new(
                                yre[s * cols + c * r + i] as f64,
                                yim[s * cols + c * r + i] as f64,
                            );
                            let yj = Complex64::new(
                                yre[s * cols + c * r + j] as f64,
                                yim[s * cols + c * r + j] as f64,
                            );
                            acc += yi.conj() * yj;
                        }
                        self.small[i * r + j] = acc * g + if i == j { 1.0 } else { 0.0 };
                    }
                }
                match cholesky_in_place(&mut self.small, r) {
                    Some(_) => (0..r).map(|i| 2.0 * self.small[i * r + i].re.log2()).sum(),
                    None => f64::NAN,
                }
            };
        }
        let mut best = Selection {
            index: 0,
            metric: f64::NEG_INFINITY,
        };
        for (i, &m) in self.metrics.iter().enumerate() {
            if m > best.metric {
                best = Selection {
                    index: i,
                    metric: m,
                };
            }
        }
        if best.metric == f64::NEG_INFINITY {
            best.metric = f64::NAN;
        }
        Ok(best)
    }
}
