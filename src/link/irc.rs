//! The uplink slot's IRC input: DMRS residuals per PRB and the interference factors
//! ([`InterferenceEstimator`]) that [`crate::detection::DetectorMethod::Irc`] whitens against.
//!
//! On every DMRS RE the residual is what the estimated channels of all scheduled ports do not
//! explain, `e = y − Σ_q ĥ_q x_q` (ĥ_q: port q's per-PRB estimate of the RE's DMRS occasion,
//! x_q its pilot): other cells' interference, noise and estimation error. Per PRB its sample
//! covariance gives `R = σ²I + UUᴴ` with the `max_interferers` strongest dimensions above the
//! noise. Cost per PRB: the N × N residual Gram (N = DMRS REs of the PRB, 12–48) and its
//! strongest eigenpairs by subspace iteration, in f64 — about as much again as MMSE estimation
//! and detection together; IRC is the receiver for interference-limited cells, MMSE the
//! default.

use std::ops::Range;

use ndarray::{Array3, ArrayView2, ArrayView3, s};

use crate::detection::InterferenceEstimator;
use crate::estimation::PilotPattern;
use crate::resource::{ChannelEstimate, SUBCARRIERS_PER_PRB};
use crate::{C32, Error, Result};

/// Buffers of the per-PRB residuals and factors, sized at construction.
pub(crate) struct IrcFactors {
    est: InterferenceEstimator,
    n_ant: usize,
    /// DMRS REs per PRB (fixed by the pattern).
    samples: Vec<usize>,
    max_samples: usize,
    /// Residuals, [n_prb, max_samples, n_ant] (the first `samples[p]` rows of PRB p used).
    resid: Vec<C32>,
    /// Rows filled so far per PRB (scratch of `update`).
    fill: Vec<usize>,
    /// Interference factors, [n_prb, max_interferers, n_ant].
    u: Array3<C32>,
}

impl IrcFactors {
    /// Buffers for `pattern` (the slot's DMRS) on `n_ant` antennas and `n_prb` PRBs, keeping up
    /// to `max_interferers` dimensions per PRB.
    pub(crate) fn new(
        pattern: &PilotPattern,
        n_ant: usize,
        n_prb: usize,
        max_interferers: usize,
    ) -> Result<Self> {
        let mut samples = vec![0usize; n_prb];
        pattern.for_each_pilot_re(|_, _, k, _, _| {
            if let Some(c) = samples.get_mut(k / SUBCARRIERS_PER_PRB) {
                *c += 1;
            }
        });
        let max_samples = samples.iter().copied().max().unwrap_or(0);
        if max_samples == 0 {
            return Err(Error::InvalidParameter {
                name: "dmrs (pilot REs per PRB)",
                value: "0".into(),
                reason: "IRC needs DMRS",
            });
        }
        Ok(Self {
            est: InterferenceEstimator::new(max_samples)?,
            n_ant,
            samples,
            max_samples,
            resid: vec![C32::new(0.0, 0.0); n_prb * max_samples * n_ant],
            fill: vec![0; n_prb],
            u: Array3::zeros((n_prb, max_interferers, n_ant)),
        })
    }

    /// Residuals of `grid` [n_ant, n_sym, n_sc] against the estimates `h` (`[runs, n_prb,
    /// ports, n_ant]` of `pattern`), then the factors of every PRB in `prbs`.
    pub(crate) fn update<'r>(
        &mut self,
        pattern: &PilotPattern,
        grid: ArrayView3<'_, C32>,
        h: &ChannelEstimate,
        noise_var: f32,
        prbs: impl Iterator<Item = &'r Range<usize>>,
    ) -> Result<()> {
        let (n_ant, ms) = (self.n_ant, self.max_samples);
        let hv = h.view();
        self.fill.fill(0);
        let (resid, fill) = (&mut self.resid, &mut self.fill);
        pattern.for_each_pilot_re(|run, l, k, ports, x| {
            let p = k / SUBCARRIERS_PER_PRB;
            let row = p * ms + fill[p];
            fill[p] += 1;
            let dst = &mut resid[row * n_ant..(row + 1) * n_ant];
            for (a, d) in dst.iter_mut().enumerate() {
                *d = grid[[a, l, k]];
            }
            for (&q, &xq) in ports.iter().zip(x) {
                let hq = hv.slice(s![run, p, q, ..]);
                for (d, &hv) in dst.iter_mut().zip(hq.iter()) {
                    *d -= hv * xq;
                }
            }
        });
        for r in prbs {
            for p in r.clone() {
                let n = self.samples[p];
                if n == 0 {
                    // No DMRS on this PRB (outside a partial-band DMRS): no factors.
                    self.u.slice_mut(s![p, .., ..]).fill(C32::new(0.0, 0.0));
                    continue;
                }
                let rows = &self.resid[p * ms * n_ant..(p * ms + n) * n_ant];
                // [n, n_ant] row-major → the estimator's e [n_ant, n] as a transposed view.
                let e = ArrayView2::from_shape((n, n_ant), rows)
                    .map_err(|_| Error::InvalidParameter {
                        name: "irc residuals",
                        value: crate::value!("PRB {p}"),
                        reason: "internal buffer shape",
                    })?
                    .reversed_axes();
                self.est
                    .factors(e, noise_var, self.u.slice_mut(s![p, .., ..]))?;
            }
        }
        Ok(())
    }

    /// The factors of the PRBs `r`, [len, max_interferers, n_ant].
    pub(crate) fn factors(&self, r: Range<usize>) -> ArrayView3<'_, C32> {
        self.u.slice(s![r, .., ..])
    }
}
