//! Delay-domain channel estimation for ports separated by cyclic shifts (NR SRS, 38.211
//! §6.4.1.4.2: `r^(p)(n) = e^{jα_p n}·r̄(n)` on one comb of one symbol).
//!
//! The block de-spreading of [`super::ChannelEstimator`] takes the channel as constant over a
//! cyclic-shift period (4 comb REs = 16 subcarriers for 4 users per comb) — on a delay-spread
//! channel the users then leak into each other. Here the ports of a comb are separated where
//! they are disjoint, in the delay domain:
//!
//! 1. `z[m] = y[m]·x̄₀[m]*/|x̄₀[m]|²` over the comb's M REs (x̄₀: the first port's pilot);
//! 2. `c = IDFT_M(z)`: port q's impulse response sits at tap `n_q = −θ_q·M/2π mod M`
//!    (θ_q: its phase ramp relative to the first port), delays τ (in units of the useful
//!    symbol 1/Δf) at `n_q + M·Δk·τ` (Δk: comb spacing);
//! 3. per port, the taps `[n_q − pre, n_q − pre + keep)` are kept (`keep` covers `max_delay`,
//!    at most three quarters of the distance to the next port's shift; `pre` = 1/16 of that
//!    distance, ≤ 4 taps, for the sidelobes of off-grid delays), `DFT_M` back and the port's ramp removed: ĥ_q at every
//!    comb RE, with the noise of only keep/M of the taps;
//! 4. the middle half of the gaps between windows measures the noise (it reads high by the
//!    sidelobes of off-grid delays once the SNR is high: +2 dB at 10 dB on a 400 ns channel);
//!    the kept taps' power-delay profile gives the mean delay (timing advance) and the r.m.s.
//!    delay spread;
//! 5. outputs per PRB (mean of the comb REs in it; the nearest sounded PRB outside the sounded
//!    band) or per subcarrier (linear interpolation, constant beyond the edges).
//!
//! Works for any pattern whose CDM groups are single-symbol, uniformly spaced combs on which
//! every port is the first port times a linear phase ramp landing on the tap grid;
//! [`CyclicShiftEstimator::new`] says which condition failed otherwise. Allocation-free in
//! `process` (plans and buffers made at construction).
//!
//! The DFTs run on 16 antennas at once: the comb REs of every antenna are gathered into the
//! lanes of a [`MatrixBatch`] and transformed by the kernel crate's batched
//! [`crate::simd::LaneFft`] (radices 4, 2 and the odd primes ≤ 31 — the NR 100 MHz comb-4
//! length 816 = 4·4·3·17), rustfft per antenna for a length with a larger prime factor.

use ndarray::ArrayView3;
use rustfft::FftPlanner;

use super::estimator::check_estimate;
use super::lane_dft::LaneDft;
use super::{ChannelReport, OutputResolution};
use crate::resource::{ChannelEstimate, EstimateDims};
use crate::simd::{ComplexRef, CsrMatrix, Kernels, LANES, MatrixBatch};
use crate::{C32, Error, Result};

struct Port {
    index: usize,
    /// First kept tap (mod M).
    start: usize,
    /// The output map from the forward DFT's output to the estimate: `[n_out × M]` (mean of a
    /// PRB's comb REs, or linear interpolation), each entry × 1/ρ_q[m] (removes the port's ramp
    /// and amplitude after the DFT back); decimated: `[n_out × P]`, each PRB its DFT bin (the
    /// nearest sounded one outside the band) × 1/ρ_q[0].
    map: CsrMatrix,
    /// Per kept tap i: its element of the DFT back's input and its factor — decimated, its
    /// bin in the P-point sequence ((i − pre) mod P) and the PRB-mean factor g(i − pre) (see
    /// `Group::bins`); otherwise its own tap (start + i) mod M and 1.
    fold: Vec<(usize, C32)>,
    /// The weighted (and folded) taps as a sparse `[bins × M]` map from the delay profile to
    /// the DFT back's input: tap i's entry is `fold[i].1 × its Wiener weight`, rewritten every
    /// call (the weights come from the call's profile) at `slot[i]` of its values.
    back: CsrMatrix,
    slot: Vec<usize>,
}

/// The sparse map of a port's kept taps `start..start + fold.len()` (mod `m`) onto `bins`
/// DFT inputs (`fold[i].0`), and each tap's index in its values (entries sorted by row).
fn tap_map(
    fold: &[(usize, C32)],
    start: usize,
    m: usize,
    bins: usize,
) -> Result<(CsrMatrix, Vec<usize>)> {
    let mut order: Vec<usize> = (0..fold.len()).collect();
    order.sort_by_key(|&i| fold[i].0);
    let mut slot = vec![0; fold.len()];
    let mut offsets = vec![0; bins + 1];
    for (e, &i) in order.iter().enumerate() {
        slot[i] = e;
        offsets[fold[i].0 + 1] += 1;
    }
    for r in 0..bins {
        offsets[r + 1] += offsets[r];
    }
    let columns = order.iter().map(|&i| (start + i) % m).collect();
    let values = order.iter().map(|&i| fold[i].1).collect();
    Ok((CsrMatrix::new(offsets, columns, values, m)?, slot))
}

struct Group {
    symbol: usize,
    subcarriers: Vec<usize>,
    spacing: usize,
    /// x̄₀*/(|x̄₀|²·M) per RE (the 1/M of the inverse DFT folded in).
    reference: Vec<C32>,
    epre: f64,
    ports: Vec<Port>,
    keep: usize,
    pre: usize,
    /// Taps that measure the noise.
    noise_taps: Vec<usize>,
    /// Mean power per tap over antennas (last call).
    pdp: Vec<f64>,
    inverse: LaneDft,
    /// The DFT back: length M, or P when decimated.
    forward: LaneDft,
    /// Length of the DFT back (the columns of every port's output map): M, or P when
    /// decimated. Decimated: per-PRB output of whole PRBs of R = 12/Δk comb REs each (P = M/R
    /// PRBs) with exact ramps: the mean of PRB p's REs of port q is, with y the port's window
    /// shifted to its own cyclic shift (taps d ∈ [−pre, keep − pre)),
    /// `(1/ρ_q[0])·Σ_d y_d·g(d)·e^{−j2πdp/P}`, `g(d) = (1/R)·Σ_{j<R} e^{−j2πdj/M}` —
    /// a P-point DFT of the folded window instead of an M-point one and a map.
    bins: usize,
}

/// Estimator for cyclic-shift-multiplexed pilots (see the module documentation).
pub struct CyclicShiftEstimator {
    n_rx: usize,
    n_ports: usize,
    n_sym: usize,
    n_sc: usize,
    n_out: usize,
    resolution: OutputResolution,
    groups: Vec<Group>,
    /// Every antenna's delay profile, `[n_rx]` matrices of `M × 1` in lane blocks.
    c: MatrixBatch,
    /// One lane block of one port's weighted taps (then its DFT back).
    taps: MatrixBatch,
    /// The ping-pong blocks of the DFTs out (M points) and back (M, or P when decimated):
    /// two, so neither is reshaped — and zero-filled — twice per group.
    scratch: MatrixBatch,
    scratch_back: MatrixBatch,
    kernels: Kernels,
    report: ChannelReport,
}

fn not_cs(reason: &'static str, value: crate::error::Value) -> Error {
    Error::InvalidParameter {
        name: "pilots (cyclic-shift pattern)",
        value,
        reason,
    }
}

impl CyclicShiftEstimator {
    /// An estimator for the pilot grid `pilots` [n_ports, n_sym, n_sc] (each port's pilot
    /// values on its REs, 0 elsewhere), `n_rx` antennas, keeping delays up to `max_delay`
    /// (units of the useful symbol; e.g. [`super::NORMAL_CP_FRACTION`]).
    pub fn new(
        pilots: ArrayView3<'_, C32>,
        n_rx: usize,
        max_delay: f64,
        resolution: OutputResolution,
    ) -> Result<Self> {
        let (n_ports, n_sym, n_sc) = pilots.dim();
        if !(1..=crate::simd::MAX_GRAM_INNER).contains(&n_rx)
            || n_ports == 0
            || !(max_delay.is_finite() && max_delay > 0.0)
        {
            return Err(Error::InvalidParameter {
                name: "(n_rx, n_ports, max_delay)",
                value: crate::value!("({n_rx}, {n_ports}, {max_delay})"),
                reason: "1 ..= 256 antennas, at least one port, max_delay finite and > 0",
            });
        }
        let n_out = match resolution {
            OutputResolution::Subcarrier => n_sc,
            OutputResolution::Prb if n_sc.is_multiple_of(12) => n_sc / 12,
            OutputResolution::Prb => {
                return Err(Error::InvalidParameter {
                    name: "resolution = Prb with n_sc",
                    value: crate::error::Value::of(&n_sc),
                    reason: "per-PRB output needs a whole number of PRBs",
                });
            }
        };
        let zero = C32::new(0.0, 0.0);
        // Each port's REs: one symbol, ascending subcarriers.
        let mut res: Vec<(usize, Vec<usize>)> = Vec::with_capacity(n_ports);
        for p in 0..n_ports {
            let syms: Vec<usize> = (0..n_sym)
                .filter(|&l| (0..n_sc).any(|k| pilots[[p, l, k]] != zero))
                .collect();
            if syms.len() != 1 {
                return Err(not_cs(
                    "every port needs its pilots in exactly one symbol",
                    crate::value!("port {p} in {} symbols", syms.len()),
                ));
            }
            let l = syms[0];
            res.push((
                l,
                (0..n_sc).filter(|&k| pilots[[p, l, k]] != zero).collect(),
            ));
        }
        let mut planner = FftPlanner::<f32>::new();
        let mut groups: Vec<Group> = Vec::new();
        let mut max_m = 1;
        let mut assigned = vec![false; n_ports];
        for p0 in 0..n_ports {
            if assigned[p0] {
                continue;
            }
            let (l, sc) = res[p0].clone();
            let members: Vec<usize> = (p0..n_ports).filter(|&q| res[q] == res[p0]).collect();
            members.iter().for_each(|&q| assigned[q] = true);
            let m = sc.len();
            let spacing = if m > 1 { sc[1] - sc[0] } else { 1 };
            if m < 2 || sc.windows(2).any(|w| w[1] - w[0] != spacing) {
                return Err(not_cs(
                    "pilot REs must be a uniformly spaced comb of ≥ 2 REs",
                    crate::value!("port {p0}: {m} REs"),
                ));
            }
            let x0: Vec<C32> = sc.iter().map(|&k| pilots[[p0, l, k]]).collect();
            let reference: Vec<C32> = x0
                .iter()
                .map(|x| x.conj() / (x.norm_sqr() * m as f32))
                .collect();
            let epre = x0.iter().map(|x| x.norm_sqr() as f64).sum::<f64>() / m as f64;
            // Ports: ramp θ_q, offset n_q = −θ_q·M/2π mod M on the tap grid.
            let mut offsets = Vec::with_capacity(members.len());
            let mut ratios: Vec<Vec<C32>> = Vec::with_capacity(members.len());
            for &q in &members {
                let rho: Vec<C32> = sc
                    .iter()
                    .zip(&x0)
                    .map(|(&k, x)| pilots[[q, l, k]] / x)
                    .collect();
                let step = rho[1] / rho[0];
                let ok = rho.windows(2).all(|w| {
                    let d = w[1] / w[0];
                    (d - step).norm() < 1e-3 && (d.norm() - 1.0).abs() < 1e-3
                });
                let theta = f64::from(step.arg());
                let n = (-theta * m as f64 / (2.0 * std::f64::consts::PI)).rem_euclid(m as f64);
                if !ok || (n - n.round()).abs() > 1e-2 {
                    return Err(not_cs(
                        "ports sharing REs must differ by a linear phase ramp on the DFT grid",
                        crate::value!("port {q}"),
                    ));
                }
                offsets.push((n.round() as usize) % m);
                ratios.push(rho);
            }
            let mut sorted = offsets.clone();
            sorted.sort_unstable();
            if sorted.windows(2).any(|w| w[0] == w[1]) {
                return Err(not_cs(
                    "two ports of a comb have the same cyclic shift",
                    crate::value!("offsets {sorted:?}"),
                ));
            }
            let window = if sorted.len() == 1 {
                m
            } else {
                (0..sorted.len())
                    .map(|i| (sorted[(i + 1) % sorted.len()] + m - sorted[i]) % m)
                    .min()
                    .unwrap_or(m)
            };
            let pre = (window / 16).min(4);
            let taps_needed = (max_delay * (m * spacing) as f64).ceil() as usize + 1 + pre;
            // The last quarter of every window stays out, for the noise measurement.
            let keep = taps_needed.min(window - window / 4).max(1);
            // Output map.
            let mut map_off = vec![0];
            let (mut map_m, mut map_w) = (Vec::new(), Vec::new());
            for o in 0..n_out {
                match resolution {
                    OutputResolution::Prb => {
                        // Outside the sounded band: the nearest sounded PRB.
                        let prb = o.clamp(sc[0] / 12, sc[m - 1] / 12);
                        let inside: Vec<usize> = (0..m).filter(|&i| sc[i] / 12 == prb).collect();
                        let w = 1.0 / inside.len() as f32;
                        for i in inside {
                            map_m.push(i);
                            map_w.push(w);
                        }
                    }
                    OutputResolution::Subcarrier => {
                        if o <= sc[0] {
                            map_m.push(0);
                            map_w.push(1.0);
                        } else if o >= sc[m - 1] {
                            map_m.push(m - 1);
                            map_w.push(1.0);
                        } else {
                            let i = (o - sc[0]) / spacing;
                            let f = ((o - sc[i]) as f32) / spacing as f32;
                            map_m.extend([i, i + 1]);
                            map_w.extend([1.0 - f, f]);
                        }
                    }
                }
                map_off.push(map_m.len());
            }
            // Decimation (see `Group::bins`): per-PRB output, R = 12/Δk REs in every
            // sounded PRB from its first, whole PRBs, and every port's ratio an exact ramp.
            let per_prb = 12 / spacing.max(1);
            let ramp = |rho: &[C32], n: usize| {
                rho.iter().enumerate().all(|(i, r)| {
                    let a = 2.0 * std::f64::consts::PI * ((n * i) % m) as f64 / m as f64;
                    let back = C32::new(a.cos() as f32, a.sin() as f32);
                    (r * back / rho[0] - 1.0).norm() <= 1e-4
                })
            };
            let decimated = resolution == OutputResolution::Prb
                && spacing * per_prb == 12
                && sc[0] % 12 < spacing
                && m.is_multiple_of(per_prb)
                && offsets.iter().zip(&ratios).all(|(&n, rho)| ramp(rho, n));
            let n_bins = if decimated { m / per_prb } else { m };
            let ports = members
                .iter()
                .zip(&offsets)
                .zip(&ratios)
                .map(|((&q, &n), rho)| {
                    // First kept tap of the port's window.
                    let start = (n + m - pre) % m;
                    let (map, fold): (CsrMatrix, Vec<(usize, C32)>) = if decimated {
                        let (first, c0) = (sc[0] / 12, C32::new(1.0, 0.0) / rho[0]);
                        let cols = (0..n_out)
                            .map(|o| o.clamp(first, first + n_bins - 1) - first)
                            .collect();
                        let fold = (0..keep)
                            .map(|i| {
                                let d = i as f64 - pre as f64;
                                // g(d) = (1/R)·Σ_{j<R} e^{−j2πdj/M}, summed in f64.
                                let (mut re, mut im) = (0.0f64, 0.0f64);
                                for j in 0..per_prb {
                                    let a = -2.0 * std::f64::consts::PI * d * j as f64 / m as f64;
                                    re += a.cos();
                                    im += a.sin();
                                }
                                let r = per_prb as f64;
                                let bin = (i + n_bins * pre.div_ceil(n_bins) - pre) % n_bins;
                                (bin, C32::new((re / r) as f32, (im / r) as f32))
                            })
                            .collect();
                        let map =
                            CsrMatrix::new((0..=n_out).collect(), cols, vec![c0; n_out], n_bins)?;
                        (map, fold)
                    } else {
                        let values = map_m
                            .iter()
                            .zip(&map_w)
                            .map(|(&i, &w)| w / rho[i])
                            .collect();
                        let map = CsrMatrix::new(map_off.clone(), map_m.clone(), values, m)?;
                        let own = (0..keep).map(|i| ((start + i) % m, C32::new(1.0, 0.0)));
                        (map, own.collect())
                    };
                    let (back, slot) = tap_map(&fold, start, m, n_bins)?;
                    Ok(Port {
                        index: q,
                        start,
                        map,
                        fold,
                        back,
                        slot,
                    })
                })
                .collect::<Result<Vec<Port>>>()?;
            let mut used = vec![false; m];
            for p in &ports {
                for i in 0..keep {
                    used[(p.start + i) % m] = true;
                }
            }
            // Noise taps: the middle half of each gap between windows, away from the
            // sidelobes that off-grid delays spread to both sides.
            let gap = window - keep;
            let noise_taps = ports
                .iter()
                .flat_map(|p| {
                    (keep + gap / 4..keep + gap - gap / 4).map(move |i| (p.start + i) % m)
                })
                .filter(|&n| !used[n])
                .collect();
            let inverse = LaneDft::new(&mut planner, m, true);
            let forward = LaneDft::new(&mut planner, n_bins, false);
            max_m = max_m.max(m);
            groups.push(Group {
                symbol: l,
                subcarriers: sc,
                spacing,
                reference,
                epre,
                ports,
                keep,
                pre,
                noise_taps,
                pdp: vec![0.0; m],
                bins: n_bins,
                inverse,
                forward,
            });
        }
        Ok(Self {
            n_rx,
            n_ports,
            n_sym,
            n_sc,
            n_out,
            resolution,
            groups,
            c: MatrixBatch::zeros(max_m, 1, n_rx)?,
            taps: MatrixBatch::zeros(max_m, 1, LANES)?,
            scratch: MatrixBatch::zeros(max_m, 1, 1)?,
            scratch_back: MatrixBatch::zeros(max_m, 1, 1)?,
            kernels: Kernels::new(),
            report: ChannelReport::for_ports(n_ports),
        })
    }

    /// Uses specific kernels (e.g. a forced SIMD backend) for the batched DFTs.
    pub fn with_kernels(mut self, kernels: Kernels) -> Self {
        self.kernels = kernels;
        self
    }

    /// Outputs along frequency per port and antenna.
    pub fn n_outputs(&self) -> usize {
        self.n_out
    }

    /// The report of the last [`Self::process`].
    pub fn report(&self) -> &ChannelReport {
        &self.report
    }

    /// A zero estimate of the shape [`Self::process`] writes, `[1, n_out, n_ports, n_rx]`.
    pub fn estimate(&self) -> Result<ChannelEstimate> {
        ChannelEstimate::zeros(
            EstimateDims {
                n_runs: 1,
                n_outputs: self.n_out,
                n_ports: self.n_ports,
                n_ant: self.n_rx,
            },
            self.resolution,
        )
    }

    /// Estimates every port's channel from `rx` [n_rx, n_sym, n_sc] into `est`
    /// `[1, n_out, n_ports, n_rx]` ([`Self::estimate`]). The report's `noise_var_estimate` is
    /// always measured from
    /// the taps in the middle of the gaps between the ports' windows (0 when there are none);
    /// the Wiener tap weights, RSRP and SINR use `noise_var` when given, else that measurement.
    pub fn process(
        &mut self,
        rx: ArrayView3<'_, C32>,
        noise_var: Option<f32>,
        est: &mut ChannelEstimate,
    ) -> Result<&ChannelReport> {
        if rx.dim() != (self.n_rx, self.n_sym, self.n_sc) {
            return Err(Error::ShapeMismatch {
                name: "rx [n_rx, n_sym, n_sc]",
                expected: crate::error::Shape::of(&[self.n_rx, self.n_sym, self.n_sc]),
                got: crate::error::Shape::of(rx.shape()),
            });
        }
        check_estimate(
            est,
            [1, self.n_out, self.n_ports, self.n_rx],
            self.resolution,
        )?;
        let mut h = est.view_mut();
        let h = h.as_slice_mut().ok_or_else(|| Error::InvalidParameter {
            name: "est",
            value: crate::error::Value::of(&"a non-standard layout"),
            reason: "must be in standard (row-major) layout",
        })?;
        if let Some(v) = noise_var {
            crate::error::check_noise_var(&[v])?;
        }
        let n_rx = self.n_rx;
        let (mut noise_acc, mut noise_n) = (0.0f64, 0usize);
        let r = &mut self.report;
        // Element i of antenna a in the lane blocks: re at (a/16)·bl + 32·i + a%16, im 16 on.
        const E: usize = 2 * LANES;
        for g in &mut self.groups {
            let m = g.subcarriers.len();
            let bl = m * E;
            self.c.reshape(m, 1, n_rx)?;
            self.scratch.reshape(m, 1, 1)?;
            // Pass 1: every antenna's delay profile c_a = IDFT(z_a)/M, kept; the power per tap
            // summed over antennas. The lanes past n_rx stay zero (zeroed by `reshape`, never
            // written), so they add nothing to the power. z_a (the comb REs times x̄₀*/(|x̄₀|²M))
            // by one kernel call: strided gathers of 16 antennas per comb RE.
            match rx.as_slice() {
                Some(flat) => {
                    let k0 = g.subcarriers[0];
                    let src = ComplexRef::new(
                        n_rx,
                        self.n_sc - k0,
                        self.n_sym * self.n_sc,
                        &flat[g.symbol * self.n_sc + k0..],
                    )?;
                    self.kernels
                        .gather_comb(&src, g.spacing, &g.reference, &mut self.c)?;
                }
                None => {
                    let c = self.c.as_mut_slice();
                    for a in 0..n_rx {
                        let base = (a / LANES) * bl + a % LANES;
                        for (i, (&k, x)) in g.subcarriers.iter().zip(&g.reference).enumerate() {
                            let v = rx[[a, g.symbol, k]] * x;
                            c[base + i * E] = v.re;
                            c[base + i * E + LANES] = v.im;
                        }
                    }
                }
            }
            g.inverse
                .process(&self.kernels, &mut self.c, &mut self.scratch)?;
            // Power per tap: per lane over the antenna blocks in f32 (block order), then the
            // lanes summed in f64 — tap by tap, the 16 lanes of the re and im parts as whole
            // arrays (vector registers) and the sum held in registers over the blocks.
            let c = self.c.as_slice();
            let blocks = c.len() / bl;
            for (i, pdp) in g.pdp.iter_mut().enumerate().take(m) {
                let mut acc = [0.0f32; LANES];
                for b in 0..blocks {
                    let (lanes, _) = c[b * bl + i * E..b * bl + (i + 1) * E].as_chunks::<LANES>();
                    let (re, im) = (&lanes[0], &lanes[1]);
                    acc = std::array::from_fn(|l| acc[l] + (re[l] * re[l] + im[l] * im[l]));
                }
                *pdp = acc.iter().map(|&v| f64::from(v)).sum::<f64>() / n_rx as f64;
            }
            // Noise per tap of c (z's noise σ²/|x|², over M): measured from the gaps, or the
            // caller's σ².
            let measured_tap = if g.noise_taps.is_empty() {
                0.0
            } else {
                g.noise_taps.iter().map(|&n| g.pdp[n]).sum::<f64>() / g.noise_taps.len() as f64
            };
            if !g.noise_taps.is_empty() {
                noise_acc += measured_tap * m as f64 * g.epre;
                noise_n += 1;
            }
            let tap_noise = match noise_var {
                Some(v) => f64::from(v) / g.epre / m as f64,
                None => measured_tap,
            };
            // Per kept tap, the Wiener weight P/(P + σ_t²) with P the antennas' mean power
            // less the noise: an LMMSE filter whose delay prior is the measured profile.
            let scale = (m * g.spacing) as f64;
            for p in &mut g.ports {
                let (mut s0, mut s1, mut s2, mut e_h) = (0.0, 0.0, 0.0, 0.0);
                for i in 0..g.keep {
                    let n = (p.start + i) % m;
                    let sig = (g.pdp[n] - tap_noise).max(0.0);
                    let w = if sig > 0.0 {
                        (sig / (sig + tap_noise)) as f32
                    } else {
                        0.0
                    };
                    p.back.values_mut()[p.slot[i]] = p.fold[i].1 * w;
                    let d = (i as f64 - g.pre as f64) / scale;
                    s0 += sig;
                    s1 += sig * d;
                    s2 += sig * d * d;
                    e_h += sig;
                }
                let q = p.index;
                r.pilot_epre[q] = g.epre as f32;
                // E|h|² per RE = Σ_taps signal power (Parseval with the 1/M IDFT: the taps of
                // a channel of power P sum to P, while white noise σ² puts σ²/M on each tap).
                r.rsrp[q] = (e_h * g.epre) as f32;
                let nv = tap_noise * m as f64 * g.epre;
                r.sinr_db[q] = super::estimator::pilot_sinr_db(f64::from(r.rsrp[q]), nv);
                let mean = if s0 > 0.0 { s1 / s0 } else { 0.0 };
                r.mean_delay[q] = mean as f32;
                r.rms_delay[q] = if s0 > 0.0 {
                    (s2 / s0 - mean * mean).max(0.0).sqrt() as f32
                } else {
                    0.0
                };
            }
            // Pass 2: per block of 16 antennas and per port, the weighted taps (one sparse
            // product; decimated: the window folded onto P bins with the PRB-mean factors) back
            // to the comb REs, then the output map (with the port's ramp removed) into the
            // estimate.
            let stride = self.n_ports * n_rx;
            let bins = g.bins;
            self.scratch_back.reshape(bins, 1, 1)?;
            for b in 0..self.c.blocks() {
                let (a0, a1) = (b * LANES, n_rx.min((b + 1) * LANES));
                // The block's antennas only (a ragged last block keeps its contents).
                self.taps.reshape(bins, 1, a1 - a0)?;
                for p in &g.ports {
                    self.kernels
                        .csr_lanes_batch(&p.back, &self.c, b, &mut self.taps)?;
                    g.forward
                        .process(&self.kernels, &mut self.taps, &mut self.scratch_back)?;
                    // Estimate `[0, o, q, a0..a1]` for every output o: stride n_ports·n_rx.
                    self.kernels.csr_lanes(
                        &p.map,
                        &self.taps,
                        0,
                        &mut h[p.index * n_rx + a0..],
                        stride,
                    )?;
                }
            }
        }
        let measured = if noise_n > 0 {
            noise_acc / noise_n as f64
        } else {
            0.0
        };
        r.noise_var_estimate = measured as f32;
        r.noise_var = noise_var.unwrap_or(measured as f32);
        est.set_report(&self.report);
        Ok(&self.report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refsig::{SrsConfig, write_multiplexed_users};
    use ndarray::Array3;

    /// A received grid in a non-standard layout (the per-element gather) gives the same
    /// estimate as the standard layout through the scalar backend's comb kernel, bit for bit
    /// (both form each product as one rounded complex multiply).
    #[test]
    fn non_standard_layouts_estimate_as_the_standard_one() {
        let (users, n_rx, n_sc) = (8, 20, 288);
        let mut pilots = Array3::zeros((users, 14, n_sc));
        write_multiplexed_users(
            &SrsConfig::single_port(4, 20, 13, (5, 0)),
            users,
            pilots.view_mut(),
        )
        .unwrap();
        // rx stored [n_sc, n_sym, n_rx], viewed as [n_rx, n_sym, n_sc].
        let stored = Array3::from_shape_fn((n_sc, 14, n_rx), |(k, l, a)| {
            let t = (k * 7 + l * 3 + a * 11) as f32;
            C32::new((0.37 * t).sin(), (0.23 * t).cos())
        });
        let strided = stored.view().permuted_axes([2, 1, 0]);
        assert!(strided.as_slice().is_none());
        let standard = strided.as_standard_layout();
        let scalar = Kernels::with_backend(crate::simd::Backend::Scalar).unwrap();
        for res in [OutputResolution::Prb, OutputResolution::Subcarrier] {
            let mut cs = CyclicShiftEstimator::new(pilots.view(), n_rx, 0.07, res)
                .unwrap()
                .with_kernels(scalar);
            let (mut a, mut b) = (cs.estimate().unwrap(), cs.estimate().unwrap());
            cs.process(standard.view(), Some(0.1), &mut a).unwrap();
            cs.process(strided, Some(0.1), &mut b).unwrap();
            assert!(a.view().iter().any(|v| v.norm() > 0.0));
            assert_eq!(a.view(), b.view(), "{res:?}");
        }
    }

    /// Which groups take the decimated path: per-PRB output of NR comb-2 and comb-4 SRS
    /// (whole PRBs, exact cyclic-shift ramps) does; per-subcarrier output does not.
    #[test]
    fn per_prb_srs_groups_are_decimated() {
        for (comb, users, bins) in [(4, 16, 44 * 12 / 4 / 3), (2, 8, 44 * 12 / 2 / 6)] {
            let mut pilots = Array3::zeros((users, 14, 576));
            write_multiplexed_users(
                &SrsConfig::single_port(comb, 44, 13, (5, 0)),
                users,
                pilots.view_mut(),
            )
            .unwrap();
            let prb =
                CyclicShiftEstimator::new(pilots.view(), 4, 0.07, OutputResolution::Prb).unwrap();
            assert!(prb.groups.iter().all(|g| g.bins == bins));
            let sub =
                CyclicShiftEstimator::new(pilots.view(), 4, 0.07, OutputResolution::Subcarrier)
                    .unwrap();
            assert!(sub.groups.iter().all(|g| g.bins == g.subcarriers.len()));
        }
    }
}
