//! The channel-estimation processor: LS with cover-code de-spreading, frequency filtering,
//! quality report — allocation-free in [`ChannelEstimator::process`].

use std::ops::Range;

use ndarray::{ArrayView3, s};
use num_complex::Complex64;

use super::frequency::{
    Chunk, DelayPrior, FrequencyMethod, WeightDesigner, delay_prior, plan_chunks, plan_chunks_into,
};
use super::least_squares::LeastSquares;
use super::pattern::PilotPattern;
use crate::resource::{ChannelEstimate, EstimateDims, MuGroup, SUBCARRIERS_PER_PRB};
use crate::simd::{ComplexMut, GemmMode, Kernels, LineVec, SplitMut, SplitRef};
use crate::{C32, Error, Result};

/// Most CDM blocks in one frequency-filter window ([`EstimatorConfig::window_blocks`]).
pub const MAX_WINDOW_BLOCKS: usize = 256;

/// Where the estimator writes the channel along frequency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OutputResolution {
    /// Every subcarrier of the grid (what equalisation per RE and the `chest` contract need).
    Subcarrier,
    /// One value per PRB, at its centre (subcarrier 12·p + 5.5): the input of per-PRB
    /// precoders and detectors, 12× less output and filtering work.
    Prb,
}

/// Configuration of a [`ChannelEstimator`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EstimatorConfig {
    /// Frequency filter (default: [`FrequencyMethod::Lmmse`]).
    pub frequency: FrequencyMethod,
    /// Blocks per sliding window of the frequency filter (default 16; 2 ..= 256).
    pub window_blocks: usize,
    /// Output resolution (default: every subcarrier).
    pub resolution: OutputResolution,
}

impl Default for EstimatorConfig {
    fn default() -> Self {
        Self {
            frequency: FrequencyMethod::Lmmse,
            window_blocks: 16,
            resolution: OutputResolution::Subcarrier,
        }
    }
}

/// Per-port quality figures of the last [`ChannelEstimator::process`] call (ports in pilot-grid
/// order; powers linear, relative to the grid's unit).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChannelReport {
    /// Noise variance per RE used by the filters: the caller's, or [`Self::noise_var_estimate`].
    pub noise_var: f32,
    /// Noise variance per RE estimated from the pilots (second differences of the LS estimates
    /// along frequency, after removing each port's mean-delay phase ramp, pooled over ports and
    /// antennas). It reads high by the channel's own curvature over three CDM blocks: negligible
    /// for DMRS-spaced blocks at moderate SNR, but several dB for widely spaced blocks (e.g.
    /// SRS with 4 users per comb: blocks 16 subcarriers apart) on delay-spread channels, or
    /// above ≈ 30 dB SNR. Pass the known noise variance to `process` when there is one.
    pub noise_var_estimate: f32,
    /// RSRP per port (38.215 §5.1.x style): mean received pilot power per RE and receive
    /// antenna, noise removed, `E|h|²·EPRE`.
    pub rsrp: Vec<f32>,
    /// Pilot EPRE per port: mean |pilot|² on its REs.
    pub pilot_epre: Vec<f32>,
    /// Pilot SINR per port in dB: `E|h|²·EPRE / noise_var`; −∞ when no pilot power above the
    /// noise is measured (a port that sent nothing: the flag of a missing user — also on a
    /// noise-free input), and for ports outside a `process_groups` call's groups. A zero
    /// noise variance counts as the smallest positive f64: pilot power without noise gives a
    /// large finite SINR (≈ 3 000 dB), not +∞.
    pub sinr_db: Vec<f32>,
    /// Mean delay per port in units of the useful symbol duration (multiply by 1/Δf for
    /// seconds): the timing advance to command, up to the sign convention of the caller.
    pub mean_delay: Vec<f32>,
    /// RMS delay spread per port in the same unit (from the uniform-profile fit).
    pub rms_delay: Vec<f32>,
}

impl ChannelReport {
    /// An all-zero report with room for `n_ports` ports (filled by `process`).
    pub(crate) fn for_ports(n_ports: usize) -> Self {
        Self {
            rsrp: vec![0.0; n_ports],
            pilot_epre: vec![0.0; n_ports],
            sinr_db: vec![0.0; n_ports],
            mean_delay: vec![0.0; n_ports],
            rms_delay: vec![0.0; n_ports],
            ..Self::default()
        }
    }
}

/// Statistics of one port's LS estimates.
#[derive(Clone, Copy, Debug, Default)]
struct PortStats {
    /// Mean |ĥ_b|².
    r0: f64,
    /// Mean ĥ_{b+1}·ĥ_b*.
    r1: Complex64,
    /// Mean block spacing in subcarriers.
    spacing: f64,
    /// Mean LS noise gain [(XᴴX)⁻¹]_qq.
    noise_gain: f64,
    /// Mean |pilot|² on the port's REs.
    pilot_epre: f64,
}

/// Channel estimator for one pilot pattern and `n_rx` receive antennas.
///
/// `process` takes the received grid `rx` [n_rx, n_sym, n_sc] and writes the channel of every
/// port at every output position (subcarrier or PRB, [`OutputResolution`]) of every pilot run
/// into a [`ChannelEstimate`] `[n_runs, n_out, n_ports, n_rx]` ([`Self::estimate`] builds one:
/// `n_runs` = [`PilotPattern::max_runs`], `n_out` = [`Self::n_outputs`]; run r of a port with
/// fewer runs is left untouched). [`Self::interpolate_time`] expands that to every OFDM
/// symbol. Nothing is allocated after construction.
pub struct ChannelEstimator {
    pattern: PilotPattern,
    n_rx: usize,
    config: EstimatorConfig,
    kernels: Kernels,
    /// Per group, per run: LS estimates, split planes, rows `q·nb + b` (port of the group,
    /// CDM block), columns antennas — the frequency filters' GEMM input, antennas wide.
    lt_re: Vec<Vec<LineVec>>,
    lt_im: Vec<Vec<LineVec>>,
    /// Output positions along frequency (subcarriers, fractional for PRB centres).
    outputs: Vec<f64>,
    /// Per group, per run: block positions and output chunks.
    positions: Vec<Vec<Vec<f64>>>,
    chunks: Vec<Vec<Vec<Chunk>>>,
    /// Per port: the prior used.
    priors: Vec<DelayPrior>,
    /// Per port: statistics of the LS estimates (filled by `statistics`).
    stats: Vec<PortStats>,
    designer: WeightDesigner,
    /// Most outputs of one chunk (the weight and output buffers' size).
    max_nk: usize,
    /// Scratch of the per-allocation chunk plans (capacity: most blocks / outputs of a run).
    starts: Vec<usize>,
    chunk_buf: Vec<Chunk>,
    w_re: LineVec,
    w_im: LineVec,
    c_re: LineVec,
    c_im: LineVec,
    /// LS de-spreading: its chunk plan and antennas-innermost buffer.
    ls: LeastSquares,
    report: ChannelReport,
}

impl ChannelEstimator {
    /// An estimator for `pattern` with `n_rx` receive antennas.
    pub fn new(pattern: PilotPattern, n_rx: usize, config: EstimatorConfig) -> Result<Self> {
        if n_rx == 0 || n_rx > crate::simd::MAX_GRAM_INNER {
            return Err(Error::InvalidParameter {
                name: "n_rx",
                value: crate::error::Value::of(&n_rx),
                reason: "1 ..= 256 receive antennas",
            });
        }
        // Bounded: the weight design is O(window²) per chunk and its buffers O(window ×
        // outputs); 1e5 or usize::MAX used to abort in the allocator (issue 21).
        if !(2..=MAX_WINDOW_BLOCKS).contains(&config.window_blocks) {
            return Err(Error::InvalidParameter {
                name: "window_blocks",
                value: crate::error::Value::of(&config.window_blocks),
                reason: "2 ..= 256 CDM blocks",
            });
        }
        if let FrequencyMethod::Dft { max_delay } = config.frequency
            && !(max_delay.is_finite() && max_delay > 0.0)
        {
            return Err(Error::InvalidParameter {
                name: "max_delay",
                value: crate::error::Value::of(&max_delay),
                reason: "a positive fraction of the useful symbol",
            });
        }
        let l = config.window_blocks;
        let n_sc = pattern.n_sc();
        let outputs: Vec<f64> = match config.resolution {
            OutputResolution::Subcarrier => (0..n_sc).map(|k| k as f64).collect(),
            OutputResolution::Prb => {
                if !n_sc.is_multiple_of(12) {
                    return Err(Error::InvalidParameter {
                        name: "resolution = Prb with n_sc",
                        value: crate::error::Value::of(&n_sc),
                        reason: "per-PRB output needs a whole number of PRBs (n_sc multiple of 12)",
                    });
                }
                (0..n_sc / 12).map(|p| 12.0 * p as f64 + 5.5).collect()
            }
        };
        let mut lt_re = Vec::new();
        let mut lt_im = Vec::new();
        let mut positions = Vec::new();
        let mut chunks = Vec::new();
        let (mut max_nk, mut max_blocks) = (1, 1);
        for g in pattern.groups() {
            let p = g.ports.len();
            let mut gr = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for run in &g.runs {
                let nb = run.blocks.len();
                max_blocks = max_blocks.max(nb);
                gr.0.push(LineVec::zeros(p * n_rx * nb)?);
                gr.1.push(LineVec::zeros(p * n_rx * nb)?);
                let pos: Vec<f64> = run.blocks.iter().map(|b| b.position).collect();
                let ch = plan_chunks(&pos, &outputs, l);
                max_nk = ch.iter().map(|c| c.k1 - c.k0).fold(max_nk, usize::max);
                gr.2.push(pos);
                gr.3.push(ch);
            }
            lt_re.push(gr.0);
            lt_im.push(gr.1);
            positions.push(gr.2);
            chunks.push(gr.3);
        }
        let n_ports = pattern.n_ports();
        Ok(Self {
            n_rx,
            config,
            kernels: Kernels::new(),
            lt_re,
            lt_im,
            positions,
            chunks,
            priors: vec![DelayPrior::default(); n_ports],
            stats: vec![PortStats::default(); n_ports],
            designer: WeightDesigner::new(l, max_nk),
            max_nk,
            starts: Vec::with_capacity(max_blocks),
            chunk_buf: Vec::with_capacity(outputs.len()),
            w_re: LineVec::zeros(l * max_nk)?,
            w_im: LineVec::zeros(l * max_nk)?,
            c_re: LineVec::zeros(n_rx * max_nk)?,
            c_im: LineVec::zeros(n_rx * max_nk)?,
            ls: LeastSquares::new(&pattern, n_rx)?,
            report: ChannelReport::for_ports(n_ports),
            pattern,
            outputs,
        })
    }

    /// Outputs along frequency per port, antenna and run (n_sc, or n_sc/12 per PRB).
    pub fn n_outputs(&self) -> usize {
        self.outputs.len()
    }

    /// A zero estimate of the shape [`Self::process`] writes.
    pub fn estimate(&self) -> Result<ChannelEstimate> {
        ChannelEstimate::zeros(
            EstimateDims {
                n_runs: self.pattern.max_runs(),
                n_outputs: self.outputs.len(),
                n_ports: self.pattern.n_ports(),
                n_ant: self.n_rx,
            },
            self.config.resolution,
        )
    }

    /// A zero estimate of the shape [`Self::interpolate_time`] writes (one run per symbol).
    pub fn estimate_per_symbol(&self) -> Result<ChannelEstimate> {
        ChannelEstimate::zeros(
            EstimateDims {
                n_runs: self.pattern.n_sym(),
                n_outputs: self.outputs.len(),
                n_ports: self.pattern.n_ports(),
                n_ant: self.n_rx,
            },
            self.config.resolution,
        )
    }

    /// The report of the last [`Self::process`] call.
    pub fn report(&self) -> &ChannelReport {
        &self.report
    }

    /// Uses specific kernels (e.g. a forced SIMD backend) for the frequency filters.
    pub fn with_kernels(mut self, kernels: Kernels) -> Self {
        self.kernels = kernels;
        self
    }

    /// The pilot pattern.
    pub fn pattern(&self) -> &PilotPattern {
        &self.pattern
    }

    /// Estimates the channel (see the type's documentation). `noise_var` is the noise
    /// variance per RE when known; `None` uses the estimate from the pilots. Returns the
    /// quality report.
    ///
    /// Errors: shapes; a negative or non-finite `noise_var`. Non-finite received samples give
    /// non-finite estimates on the subcarriers whose windows contain them (documented, not
    /// masked).
    pub fn process(
        &mut self,
        rx: ArrayView3<'_, C32>,
        noise_var: Option<f32>,
        est: &mut ChannelEstimate,
    ) -> Result<&ChannelReport> {
        let band = 0..self.pattern.n_sc().div_ceil(SUBCARRIERS_PER_PRB);
        self.run(rx, noise_var, est, &Schedule::Band(band))
    }

    /// The slot's pilot configuration: only the ports of `groups` are transmitted, each on its
    /// group's PRBs (a PUSCH's DMRS spans its allocation only, 38.211 §6.4.1.1.3). Least
    /// squares de-spreads every CDM group as a whole (absent ports read as zero channels);
    /// each scheduled port's statistics, noise estimate and frequency filters use its own
    /// PRB ranges only, no filter window crossing a range edge (a CDM block belongs to the
    /// range holding its mean subcarrier); outputs of a port outside its ranges, and of ports
    /// in no group, are zero. Equals [`Self::process`] when one group holds every port on the
    /// whole band. Allocation-free.
    ///
    /// A port in several groups is estimated on each group's ranges (ranges of different
    /// groups must not overlap, as the slots require).
    ///
    /// Errors (`InvalidParameter` naming the value): a port beyond the pattern, a PRB range
    /// beyond the grid; as [`Self::process`] otherwise.
    pub fn process_groups(
        &mut self,
        rx: ArrayView3<'_, C32>,
        noise_var: Option<f32>,
        groups: &[MuGroup<'_>],
        est: &mut ChannelEstimate,
    ) -> Result<&ChannelReport> {
        let n_ports = self.pattern.n_ports();
        let n_prb = self.pattern.n_sc().div_ceil(SUBCARRIERS_PER_PRB);
        for (gi, g) in groups.iter().enumerate() {
            if let Some(&u) = g.users.iter().find(|&&u| u >= n_ports) {
                return Err(Error::InvalidParameter {
                    name: "port",
                    value: crate::value!("{u} of {n_ports} (group {gi})"),
                    reason: "ports of the pilot pattern",
                });
            }
            if let Some(r) = g.prbs.ranges().iter().find(|r| r.end > n_prb) {
                return Err(Error::InvalidParameter {
                    name: "prb allocation",
                    value: crate::value!("{r:?} of group {gi} on {n_prb} PRBs"),
                    reason: "inside the grid",
                });
            }
        }
        self.run(rx, noise_var, est, &Schedule::Groups(groups))
    }

    /// `process` for the ports and PRB ranges of `sched`.
    fn run(
        &mut self,
        rx: ArrayView3<'_, C32>,
        noise_var: Option<f32>,
        est: &mut ChannelEstimate,
        sched: &Schedule<'_>,
    ) -> Result<&ChannelReport> {
        let (n_ports, n_sym, n_sc) = (
            self.pattern.n_ports(),
            self.pattern.n_sym(),
            self.pattern.n_sc(),
        );
        let n_rx = self.n_rx;
        if rx.dim() != (n_rx, n_sym, n_sc) {
            return Err(Error::ShapeMismatch {
                name: "rx [n_rx, n_sym, n_sc]",
                expected: crate::error::Shape::of(&[n_rx, n_sym, n_sc]),
                got: crate::error::Shape::of(rx.shape()),
            });
        }
        let runs = self.pattern.max_runs();
        let n_out = self.outputs.len();
        check_estimate(est, [runs, n_out, n_ports, n_rx], self.config.resolution)?;
        let mut h = est.view_mut();
        if let Some(v) = noise_var {
            crate::error::check_noise_var(&[v])?;
        }
        self.ls
            .run(&self.kernels, rx, &mut self.lt_re, &mut self.lt_im)?;
        self.statistics(noise_var, sched)?;
        let l = self.config.window_blocks;
        let zero = C32::new(0.0, 0.0);
        for (gi, g) in self.pattern.groups().iter().enumerate() {
            for (ri, _) in g.runs.iter().enumerate() {
                let nb = self.positions[gi][ri].len();
                for (qi, &port) in g.ports.iter().enumerate() {
                    let prior = self.priors[port];
                    if let Schedule::Groups(_) = sched {
                        // Outputs outside the port's ranges stay zero.
                        h.slice_mut(s![ri, .., port, ..]).fill(zero);
                    }
                    for r in sched.ranges(port) {
                        let pos = &self.positions[gi][ri];
                        let (b0, b1) = span(pos, &r);
                        let (o0, o1) = span(&self.outputs, &r);
                        if o0 == o1 {
                            continue;
                        }
                        if b0 == b1 {
                            // No CDM block of this port in the range: nothing to estimate from.
                            h.slice_mut(s![ri, o0..o1, port, ..]).fill(zero);
                            continue;
                        }
                        let whole = b0 == 0 && b1 == nb && o0 == 0 && o1 == n_out;
                        if !whole {
                            plan_chunks_into(
                                &pos[b0..b1],
                                &self.outputs[o0..o1],
                                l,
                                self.max_nk,
                                &mut self.starts,
                                &mut self.chunk_buf,
                            );
                        }
                        let lw = l.min(b1 - b0);
                        let n_chunks = if whole {
                            self.chunks[gi][ri].len()
                        } else {
                            self.chunk_buf.len()
                        };
                        for ci in 0..n_chunks {
                            let c = if whole {
                                self.chunks[gi][ri][ci]
                            } else {
                                self.chunk_buf[ci]
                            };
                            let (k0, k1) = (o0 + c.k0, o0 + c.k1);
                            let w0 = b0 + c.window;
                            let n_k = k1 - k0;
                            let win = &self.positions[gi][ri][w0..w0 + lw];
                            self.designer.design(
                                self.config.frequency,
                                prior,
                                win,
                                &self.outputs[k0..k1],
                                &mut self.w_re,
                                &mut self.w_im,
                            );
                            // The output rows this chunk's GEMM fills, requested into the L2
                            // before it runs: in a slot chain they are in memory (written a
                            // slot ago, 1.7 MB for NR), and the stores after the GEMM waited
                            // on each line (with the LS requests, NR DMRS estimation in the
                            // uplink chains 1.39–1.43 → 1.18–1.20 ms, TD-LTE ×1.08–1.15).
                            if let Some(flat) = h.as_slice() {
                                for j in k0..k1 {
                                    let at = ((ri * n_out + j) * n_ports + port) * n_rx;
                                    self.kernels.request_l2(&flat[at..at + n_rx]);
                                }
                            }
                            let off = (qi * nb + w0) * n_rx;
                            let a = SplitRef::new(n_k, lw, lw, &self.w_re, &self.w_im)?;
                            let b = SplitRef::new(
                                lw,
                                n_rx,
                                n_rx,
                                &self.lt_re[gi][ri][off..],
                                &self.lt_im[gi][ri][off..],
                            )?;
                            let out =
                                SplitMut::new(n_k, n_rx, n_rx, &mut self.c_re, &mut self.c_im)?;
                            self.kernels.gemm(a, b, out, GemmMode::Overwrite)?;
                            // ĥᵀ (n_k × n_rx) → h[run, k0 + j, port, ..]: rows of n_rx.
                            let c = SplitRef::new(n_k, n_rx, n_rx, &self.c_re, &self.c_im)?;
                            // A ChannelEstimate is always in standard layout (its one
                            // constructor builds it so).
                            let flat = h.as_slice_mut().ok_or_else(|| Error::InvalidParameter {
                                name: "est",
                                value: crate::error::Value::of(&"a non-standard layout"),
                                reason: "must be in standard (row-major) layout",
                            })?;
                            let at = ((ri * n_out + k0) * n_ports + port) * n_rx;
                            let mut dst =
                                ComplexMut::new(n_k, n_rx, n_ports * n_rx, &mut flat[at..])?;
                            self.kernels.store_interleaved(&c, &mut dst)?;
                        }
                    }
                }
            }
        }
        est.set_report(&self.report);
        Ok(&self.report)
    }

    /// The LS estimates of group `gi`, run `ri`, port `qi` of the group on CDM block `b`: one
    /// per receive antenna, re and im planes.
    fn ls_block(&self, gi: usize, ri: usize, qi: usize, b: usize) -> (&[f32], &[f32]) {
        let nb = self.positions[gi][ri].len();
        let row = (qi * nb + b) * self.n_rx;
        (
            &self.lt_re[gi][ri][row..row + self.n_rx],
            &self.lt_im[gi][ri][row..row + self.n_rx],
        )
    }

    /// Rows `b0..b1` (CDM blocks) of port `qi` of group `gi`, run `ri`: the LS estimates,
    /// antennas wide.
    fn ls_rows(
        &self,
        gi: usize,
        ri: usize,
        qi: usize,
        (b0, b1): (usize, usize),
    ) -> Result<SplitRef<'_>> {
        let nb = self.positions[gi][ri].len();
        let at = (qi * nb + b0) * self.n_rx;
        Ok(SplitRef::new(
            b1 - b0,
            self.n_rx,
            self.n_rx,
            &self.lt_re[gi][ri][at..],
            &self.lt_im[gi][ri][at..],
        )?)
    }

    /// Per-port statistics, priors and the report from the LS estimates.
    fn statistics(&mut self, noise_var: Option<f32>, sched: &Schedule<'_>) -> Result<()> {
        // Pass 1: lag-0/lag-1 correlations and the noise estimate (second differences with the
        // port's mean-delay ramp removed), over the blocks of each port's PRB ranges — each
        // range's antenna-wide rows summed by the kernels (`lag_sums`, `second_difference`).
        let n_rx = self.n_rx;
        let mut d2_sum = 0.0f64;
        let mut d2_gain = 0.0f64;
        let mut d2_n = 0usize;
        for (gi, g) in self.pattern.groups().iter().enumerate() {
            for (qi, &port) in g.ports.iter().enumerate() {
                let (mut r0, mut r1, mut n0, mut n1) = (0.0f64, Complex64::new(0.0, 0.0), 0, 0);
                let (mut gain, mut spacing, mut ns, mut n_blocks) =
                    (0.0f64, 0.0f64, 0usize, 0usize);
                for (ri, run) in g.runs.iter().enumerate() {
                    let pos = &self.positions[gi][ri];
                    for rg in sched.ranges(port) {
                        let (b0, b1) = span(pos, &rg);
                        for b in &run.blocks[b0..b1] {
                            gain += b.noise_gain[qi];
                        }
                        n_blocks += b1 - b0;
                        if b1 - b0 > 1 {
                            spacing += pos[b1 - 1] - pos[b0];
                            ns += b1 - b0 - 1;
                        }
                        if b1 > b0 {
                            let s = self.kernels.lag_sums(&self.ls_rows(gi, ri, qi, (b0, b1))?);
                            r0 += s.energy;
                            r1 += Complex64::new(s.lag1_re, s.lag1_im);
                            n0 += n_rx * (b1 - b0);
                            n1 += n_rx * (b1 - b0 - 1);
                        }
                    }
                }
                let gain = gain / n_blocks.max(1) as f64;
                let spacing = if ns > 0 { spacing / ns as f64 } else { 1.0 };
                let r0 = r0 / n0.max(1) as f64;
                let r1 = if n1 > 0 {
                    r1 / n1 as f64
                } else {
                    Complex64::new(0.0, 0.0)
                };
                // Ramp-free second differences: with ρ = e^{−j·arg r1} the ramp-removed
                // sequence is v_b·ρ^b, and |v_{b−1}ρ^{b−1} − 2v_bρ^b + v_{b+1}ρ^{b+1}|
                // = |v_{b−1} − 2ρ·v_b + ρ²·v_{b+1}|.
                let rot = Complex64::from_polar(1.0, -r1.arg());
                let (two_rho, rho2) = (rot * 2.0, rot * rot);
                let ramp = (
                    C32::new(two_rho.re as f32, two_rho.im as f32),
                    C32::new(rho2.re as f32, rho2.im as f32),
                );
                let mut d2 = 0.0f64;
                for ri in 0..g.runs.len() {
                    let pos = &self.positions[gi][ri];
                    for rg in sched.ranges(port) {
                        let (b0, b1) = span(pos, &rg);
                        if b1 - b0 < 3 {
                            continue;
                        }
                        let rows = self.ls_rows(gi, ri, qi, (b0, b1))?;
                        d2 += self.kernels.second_difference(&rows, ramp.0, ramp.1);
                        d2_gain += gain * (n_rx * (b1 - b0 - 2)) as f64;
                        d2_n += n_rx * (b1 - b0 - 2);
                    }
                }
                d2_sum += d2 / 6.0;
                self.stats[port] = PortStats {
                    r0,
                    r1,
                    spacing,
                    noise_gain: gain,
                    pilot_epre: g.pilot_epre[qi],
                };
            }
        }
        let estimate = if d2_n > 0 { d2_sum / d2_gain } else { 0.0 };
        self.report.noise_var_estimate = estimate as f32;
        let sigma2 = noise_var.map_or(estimate, f64::from);
        self.report.noise_var = sigma2 as f32;
        // Pass 2: priors and report.
        let span = self.pattern.n_sc() as f64;
        for port in 0..self.stats.len() {
            {
                let st = self.stats[port];
                let noise = sigma2 * st.noise_gain;
                let prior = delay_prior(st.r0, st.r1, noise, st.spacing, span);
                self.priors[port] = prior;
                let signal = (st.r0 - noise).max(0.0);
                let epre = st.pilot_epre;
                self.report.pilot_epre[port] = epre as f32;
                self.report.rsrp[port] = (signal * epre) as f32;
                self.report.sinr_db[port] = pilot_sinr_db(signal * epre, sigma2);
                self.report.mean_delay[port] = prior.mean_delay as f32;
                self.report.rms_delay[port] = prior.rms_delay as f32;
            }
        }
        Ok(())
    }

    /// Expands the run estimates `runs` (from [`Self::process`], `[n_runs, n_out, n_ports,
    /// n_rx]`) to every OFDM symbol, `out` `[n_sym, n_out, n_ports, n_rx]` (its run axis is
    /// the symbol): linear interpolation in time between the runs' mean symbols, held constant
    /// before the first and after the last run. The report is carried over.
    pub fn interpolate_time(
        &self,
        runs: &ChannelEstimate,
        out: &mut ChannelEstimate,
    ) -> Result<()> {
        let (n_ports, n_sym, n_out) = (
            self.pattern.n_ports(),
            self.pattern.n_sym(),
            self.outputs.len(),
        );
        let n_rx = self.n_rx;
        let res = self.config.resolution;
        check_estimate(runs, [self.pattern.max_runs(), n_out, n_ports, n_rx], res)?;
        check_estimate(out, [n_sym, n_out, n_ports, n_rx], res)?;
        let h_runs = runs.view();
        out.set_report(runs.report());
        let mut h = out.view_mut();
        for g in self.pattern.groups() {
            let t = |i: usize| g.runs[i].time();
            let nr = g.runs.len();
            for l in 0..n_sym {
                let x = l as f64;
                let (i, f) = if nr == 1 || x <= t(0) {
                    (0, 0.0)
                } else if x >= t(nr - 1) {
                    (nr - 1, 0.0)
                } else {
                    let i = (0..nr - 1).rfind(|&i| t(i) <= x).unwrap_or(0);
                    (i, (x - t(i)) / (t(i + 1) - t(i)))
                };
                let (w0, w1) = ((1.0 - f) as f32, f as f32);
                for &port in &g.ports {
                    let a = h_runs.slice(s![i, .., port, ..]);
                    let mut dst = h.slice_mut(s![l, .., port, ..]);
                    if w1 == 0.0 {
                        dst.assign(&a);
                    } else {
                        let b = h_runs.slice(s![i + 1, .., port, ..]);
                        ndarray::Zip::from(&mut dst)
                            .and(&a)
                            .and(&b)
                            .for_each(|d, &a, &b| *d = a * w0 + b * w1);
                    }
                }
            }
        }
        Ok(())
    }

    /// The LS estimates of the last `process` call for one port, receive antenna and run:
    /// `(subcarrier position, ĥ)` per CDM block. `None` for indices out of range.
    pub fn ls_estimates(&self, port: usize, rx: usize, run: usize) -> Option<Vec<(f64, C32)>> {
        let (gi, g) = self
            .pattern
            .groups()
            .iter()
            .enumerate()
            .find(|(_, g)| g.ports.contains(&port))?;
        let qi = g.ports.iter().position(|&p| p == port)?;
        if rx >= self.n_rx || run >= g.runs.len() {
            return None;
        }
        let nb = g.runs[run].blocks.len();
        Some(
            (0..nb)
                .map(|b| {
                    let (re, im) = self.ls_block(gi, run, qi, b);
                    (self.positions[gi][run][b], C32::new(re[rx], im[rx]))
                })
                .collect(),
        )
    }

    /// The delay prior used for `port` in the last `process` call.
    pub fn prior(&self, port: usize) -> Option<DelayPrior> {
        self.priors.get(port).copied()
    }
}

/// A report's pilot SINR in dB, `power / noise` ([`ChannelReport::sinr_db`]), shared by both
/// estimators: a zero noise counts as the smallest positive f64, so no pilot power gives −∞
/// even on a noise-free input and power without noise a large finite value.
pub(crate) fn pilot_sinr_db(power: f64, noise: f64) -> f32 {
    (10.0 * (power / noise.max(f64::MIN_POSITIVE)).log10()) as f32
}

/// Checks that `est` is `[n_runs, n_out, n_ports, n_ant]` = `dims` at `resolution` (the
/// estimate an estimator writes; [`ChannelEstimate::zeros`] with its dimensions).
pub(crate) fn check_estimate(
    est: &ChannelEstimate,
    dims: [usize; 4],
    resolution: OutputResolution,
) -> Result<()> {
    let d = est.dims();
    let got = [d.n_runs, d.n_outputs, d.n_ports, d.n_ant];
    if got != dims || est.resolution() != resolution {
        return Err(Error::ShapeMismatch {
            name: "estimate [n_runs, n_outputs, n_ports, n_ant] (and its resolution)",
            expected: crate::error::Shape::of(&dims),
            got: crate::error::Shape::of(&got),
        });
    }
    Ok(())
}

/// The indices of the ascending subcarrier positions `pos` that fall in the PRBs `r`
/// (`[12·start, 12·end)`), as a half-open range of indices.
fn span(pos: &[f64], r: &Range<usize>) -> (usize, usize) {
    let sc = SUBCARRIERS_PER_PRB as f64;
    let lo = r.start as f64 * sc;
    let hi = r.end as f64 * sc;
    let i0 = pos.partition_point(|&x| x < lo);
    let i1 = pos.partition_point(|&x| x < hi);
    (i0, i1.max(i0))
}

/// Which ports the pilots of a call carry, on which PRBs.
enum Schedule<'a> {
    /// Every port on these PRBs (the whole grid).
    Band(Range<usize>),
    /// The ports of each group on the group's PRB ranges.
    Groups(&'a [MuGroup<'a>]),
}

impl Schedule<'_> {
    /// The PRB ranges of `port` (none when it is not scheduled).
    fn ranges(&self, port: usize) -> impl Iterator<Item = Range<usize>> + '_ {
        let (band, groups): (Option<Range<usize>>, &[MuGroup<'_>]) = match self {
            Schedule::Band(r) => (Some(r.clone()), &[]),
            Schedule::Groups(g) => (None, g),
        };
        band.into_iter().chain(
            groups
                .iter()
                .filter(move |g| g.users.contains(&port))
                .flat_map(|g| g.prbs.ranges().iter().cloned()),
        )
    }
}
