//! The CSI report a UE computes from its CSI-RS channel estimate (38.214 §5.2.2): rank
//! indicator, Type I precoding matrix indicator and a channel-quality index.
//!
//! For the measured channel `H` [n_samples × P] (rows: the receive antennas of every subcarrier
//! of the band, stacked) and each rank r ≤ min(max_rank, n_rx), every Type I precoder
//! `W_c` [P × r] of the codebook is scored with the capacity of equal power per layer,
//! `C_r(c) = log2 det(I_r + (snr/r)·(H W_c)ᴴ(H W_c)/n_samples)` bit/s/Hz ([`PrecoderSelector`],
//! one GEMM per rank over all its candidates). The report is
//! * **PMI** of rank r: argmax_c C_r(c) (i1,1, i1,2, i1,3, i2);
//! * **RI**: the rank whose best precoder has the largest capacity (ties to the lower rank);
//! * **CQI**: here the highest MCS of the NR 256QAM table (38.214 Table 5.1.3.1-2) whose
//!   spectral efficiency fits the per-layer capacity C_RI/RI — the 4-bit CQI tables of
//!   38.214 §5.2.2.1 are not among the project's tables, so the MCS index stands in for it.
//!
//! Nothing is allocated per report after construction.

use ndarray::ArrayView2;

use super::codebook_type1::{Type1Index, TypeISinglePanel};
use super::selection::PrecoderSelector;
use crate::rate::{McsEntry, McsTable, nr_mcs_for_efficiency};
use crate::{Error, Result};

/// One CSI report.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CsiReport {
    /// Rank indicator (1 …).
    pub ri: usize,
    /// PMI (i1,1, i1,2, i1,3, i2) of the reported rank.
    pub pmi: Type1Index,
    /// Capacity of that precoder, bit/s/Hz (all layers).
    pub capacity: f64,
    /// Best capacity at every rank 1..=8 (NaN beyond the ranks evaluated).
    pub capacity_per_rank: [f64; 8],
    /// The MCS index standing in for the CQI, `None` when not even MCS 0 fits.
    pub cqi: Option<u32>,
    /// Its table entry.
    pub mcs: Option<McsEntry>,
}

/// Computes CSI reports for one Type I codebook configuration.
pub struct CsiReporter {
    codebook: TypeISinglePanel,
    n_rx: usize,
    /// Per rank (index r − 1): the selector and each candidate's indices.
    ranks: Vec<(PrecoderSelector, Vec<Type1Index>)>,
}

impl CsiReporter {
    /// A reporter for `codebook`, UEs with `n_rx` receive antennas (the rank is at most
    /// min(n_rx, the codebook's maximum rank, `max_rank`)) and channels of up to `max_samples`
    /// rows.
    pub fn new(
        codebook: TypeISinglePanel,
        n_rx: usize,
        max_rank: usize,
        max_samples: usize,
    ) -> Result<Self> {
        if n_rx == 0 || max_rank == 0 {
            return Err(Error::InvalidParameter {
                name: "(n_rx, max_rank)",
                value: crate::value!("({n_rx}, {max_rank})"),
                reason: "both ≥ 1",
            });
        }
        let top = max_rank.min(n_rx).min(codebook.max_rank());
        let ranks = (1..=top)
            .map(|r| PrecoderSelector::from_type1(&codebook, r, max_samples))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            codebook,
            n_rx,
            ranks,
        })
    }

    /// The codebook.
    pub fn codebook(&self) -> &TypeISinglePanel {
        &self.codebook
    }

    /// Highest rank evaluated.
    pub fn max_rank(&self) -> usize {
        self.ranks.len()
    }

    /// The report for channel `h` [n_samples, P] (n_samples a multiple of n_rx: n_rx rows per
    /// subcarrier) at `snr` (linear, total transmit power over noise per receive antenna).
    ///
    /// Errors: shape (P, n_samples), snr negative or not finite. A channel with NaN entries
    /// gives NaN capacities, RI 1 and the first PMI.
    pub fn report(&mut self, h: ArrayView2<'_, crate::C32>, snr: f64) -> Result<CsiReport> {
        let (n, p) = h.dim();
        if p != self.codebook.ports() || n == 0 || !n.is_multiple_of(self.n_rx) {
            return Err(Error::ShapeMismatch {
                name: "h [n_samples (multiple of n_rx), ports]",
                expected: crate::error::Shape::of(&[
                    n.div_ceil(self.n_rx).max(1) * self.n_rx,
                    self.codebook.ports(),
                ]),
                got: crate::error::Shape::of(&[n, p]),
            });
        }
        let mut per_rank = [f64::NAN; 8];
        let mut best: Option<(usize, usize, f64)> = None;
        for (r0, (sel, _)) in self.ranks.iter_mut().enumerate() {
            let s = sel.select(h, snr)?;
            // Rank 1 scores the received power Σ|h·w|²: the same capacity formula.
            let cap = if r0 == 0 {
                (1.0 + snr * s.metric / n as f64).log2()
            } else {
                s.metric
            };
            per_rank[r0] = cap;
            if best.is_none_or(|b| cap > b.2) {
                best = Some((r0, s.index, cap));
            }
        }
        let (r0, idx, cap) = best.unwrap_or((0, 0, f64::NAN));
        let pick = nr_mcs_for_efficiency(McsTable::Qam256, cap / (r0 + 1) as f64);
        Ok(CsiReport {
            ri: r0 + 1,
            pmi: self.ranks[r0].1[idx],
            capacity: cap,
            capacity_per_rank: per_rank,
            cqi: pick.map(|p| p.0),
            mcs: pick.map(|p| p.1),
        })
    }
}
