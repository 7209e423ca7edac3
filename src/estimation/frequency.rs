//! Frequency-domain filters: from the LS estimates of one port on its CDM blocks (positions
//! `p_0 < p_1 < …` in subcarriers) to every subcarrier of the grid.
//!
//! All three methods are linear filters over a sliding window of `L` consecutive blocks, so they
//! share one mechanism: the band is cut into chunks of subcarriers, each chunk is served by the
//! window whose centre is nearest, and a chunk's output for every receive antenna is one complex
//! GEMM `ĥᵀ[n_k × n_rx] = W[n_k × L] · Ĥ_windowᵀ[L × n_rx]` (the antennas as the wide dimension,
//! so that chunks of a few outputs — per-PRB resolution — still fill the SIMD registers). Chunks with the same geometry
//! (every interior chunk of a regular pattern) reuse the same weights.
//!
//! * [`FrequencyMethod::Linear`]: linear interpolation between neighbouring blocks, held
//!   constant beyond the first and last block (what `../shared/VECTORS.md` takes as the `chest`
//!   baseline).
//! * [`FrequencyMethod::Lmmse`]: `w(k) = r_kp (R_pp + σ_b²/P_h · I)⁻¹` (Edfors et al., 1998)
//!   with the correlation of a uniform delay profile on `[τ0 − a, τ0 + a]`:
//!   `r(Δ) = e^{−j2πΔτ0} · sinc(2aΔ)` (Δ in subcarriers, τ in units of the useful symbol
//!   duration 1/Δf). τ0, a and the signal power are estimated per port from the LS estimates
//!   themselves (lag-0 and lag-1 correlation, noise removed), and `a` is then widened by half
//!   and floored at two delay-resolution bins — a prior wider than the channel costs little, a
//!   narrower one a lot.
//! * [`FrequencyMethod::Dft`]: DFT-based denoising (van de Beek et al., 1995): the window's
//!   estimates go to the delay domain (L-point IDFT), the taps outside
//!   `[−1/(L·D), max_delay]` are zeroed, and the remaining taps' delay model is evaluated at
//!   every subcarrier of the chunk (interpolation included).

use num_complex::Complex64;

use crate::linalg::{cholesky_in_place, solve_cholesky_many};

/// How LS estimates are brought to every subcarrier.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FrequencyMethod {
    /// Linear interpolation, constant beyond the edge blocks.
    Linear,
    /// Sliding-window LMMSE with a delay prior estimated from the data (the default).
    Lmmse,
    /// DFT (delay-domain windowing) denoising; `max_delay` in units of the useful symbol
    /// duration (NR normal CP: 144/2048 ≈ 0.0703).
    Dft {
        /// Largest delay kept, as a fraction of the useful OFDM symbol.
        max_delay: f64,
    },
}

/// NR normal cyclic prefix as a fraction of the useful symbol (38.211 §5.3.1: 144·κ·2^−µ over
/// 2048·κ·2^−µ), the natural `max_delay` of [`FrequencyMethod::Dft`].
pub const NORMAL_CP_FRACTION: f64 = 144.0 / 2048.0;

/// Delay statistics of one port: the LMMSE prior.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DelayPrior {
    /// Mean delay τ0 in units of the useful symbol duration (×1/Δf for seconds).
    pub mean_delay: f64,
    /// Half-width of the uniform delay profile the LMMSE filter assumes: the fitted half-width
    /// a widened by an SNR-dependent margin (×1.5 up to 15 dB, ×4 from 30 dB; see
    /// [`delay_prior`]).
    pub half_width: f64,
    /// R.m.s. delay spread of the fitted uniform profile, a/√3 (before the margin), in units of
    /// the useful symbol duration: the quality report's figure.
    pub rms_delay: f64,
    /// Noise-to-signal ratio σ_b²/P_h of the LS estimates (diagonal loading).
    pub noise_to_signal: f64,
}

/// One chunk of outputs `k0..k1` (indices into the output positions), served by the window of
/// blocks `window..window + L`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Chunk {
    pub window: usize,
    pub k0: usize,
    pub k1: usize,
}

/// The chunks of a run with block positions `pos`, output positions `outs` (ascending, in
/// subcarriers), windows of `l` blocks. Each output is served by the window whose centre is
/// nearest the output's block (a block midway between two centres: the earlier window).
pub(crate) fn plan_chunks(pos: &[f64], outs: &[f64], l: usize) -> Vec<Chunk> {
    let mut starts = Vec::with_capacity(pos.len().max(1));
    let mut chunks = Vec::with_capacity(outs.len());
    plan_chunks_into(pos, outs, l, usize::MAX, &mut starts, &mut chunks);
    chunks
}

/// [`plan_chunks`] into caller buffers (cleared first; allocation-free when `starts` holds
/// `pos.len()` and `chunks` `outs.len()` entries of capacity), no chunk longer than
/// `max_len` outputs (a longer run of one window is cut into several chunks). Nothing is
/// planned for an empty `pos` or `outs`.
pub(crate) fn plan_chunks_into(
    pos: &[f64],
    outs: &[f64],
    l: usize,
    max_len: usize,
    starts: &mut Vec<usize>,
    chunks: &mut Vec<Chunk>,
) {
    starts.clear();
    chunks.clear();
    let nb = pos.len();
    if nb == 0 || outs.is_empty() {
        return;
    }
    let l = l.min(nb).max(1);
    let step = aligned_step(pos, outs, (l / 2).max(1));
    let mut s = 0;
    loop {
        starts.push(s.min(nb - l));
        if s + l >= nb {
            break;
        }
        s += step;
    }
    starts.dedup();
    let centre = |s: usize| s as f64 + (l as f64 - 1.0) / 2.0;
    // Window starts ascend, so the owner of ascending blocks only moves forward.
    let mut w = 0;
    let mut b = 0;
    for (k, &x) in outs.iter().enumerate() {
        while b + 1 < nb && x >= 0.5 * (pos[b] + pos[b + 1]) {
            b += 1;
        }
        while w + 1 < starts.len()
            && (centre(starts[w + 1]) - b as f64).abs() < (centre(starts[w]) - b as f64).abs()
        {
            w += 1;
        }
        let window = starts[w];
        match chunks.last_mut() {
            Some(c) if c.window == window && c.k1 - c.k0 < max_len.max(1) => c.k1 = k + 1,
            _ => chunks.push(Chunk {
                window,
                k0: k,
                k1: k + 1,
            }),
        }
    }
}

/// The advance between window starts, at most `half` blocks: the largest multiple of the
/// alignment period p — the fewest blocks after which the block grid (spacing `pos[1] −
/// pos[0]`) and the output grid (`outs[1] − outs[0]`) line up again — so that every window
/// sees its outputs at the same offsets and the LMMSE designer's weight cache hits from the
/// second window on (SRS: blocks every 16 subcarriers, PRB outputs every 12, p = 3 → 6
/// instead of 8, which left three window phases of misses). `half` when no p ≤ `half` exists
/// or either grid has a single point.
fn aligned_step(pos: &[f64], outs: &[f64], half: usize) -> usize {
    if pos.len() < 2 || outs.len() < 2 {
        return half;
    }
    let (db, dout) = (pos[1] - pos[0], outs[1] - outs[0]);
    if !(db > 0.0 && dout > 0.0) {
        return half;
    }
    (1..=half)
        .find(|&p| {
            let q = p as f64 * db / dout;
            (q - q.round()).abs() < 1e-9
        })
        .map_or(half, |p| half / p * p)
}

/// Scratch for designing one chunk's weights, sized at construction.
pub(crate) struct WeightDesigner {
    l: usize,
    a: Vec<Complex64>,
    /// The right-hand sides of a chunk's outputs not in the cache, `l × max_outputs` split
    /// planes (row = tap, column = output): solved together by `solve_cholesky_many`.
    rhs_re: Vec<f64>,
    rhs_im: Vec<f64>,
    /// Those outputs: (index in the chunk, cache slot to fill).
    pending: Vec<(usize, Option<usize>)>,
    /// Correlation per lag (regular windows).
    lag: Vec<Complex64>,
    /// Per tap i: cos/sin of πβ·i·D and e^{j2π·i·D·τ0} (regular windows).
    tap: Vec<(f64, f64, Complex64)>,
    /// Geometry and prior of the weights now in the buffer (reuse key).
    key_pos: Vec<f64>,
    key: Option<(usize, usize, u64, u64, u64, u8)>,
    /// LMMSE on a regular window: (taps, spacing, prior) of the Cholesky factor of R now in
    /// `a` and of `tap` — every chunk of a port whose window is regular shares them, only the
    /// outputs (right-hand sides) differ.
    factor_key: Option<(usize, u64, u64, u64, u64)>,
    /// Weights of the current factor by output offset from the window start: on a regular
    /// pattern the offsets repeat (e.g. SRS blocks every 16 subcarriers, outputs at PRB
    /// centres: a few dozen offsets serve all 273 PRBs of a port).
    cache: OffsetCache,
}

/// Slots of an [`OffsetCache`] (a power of two); at most 3/4 of them are filled.
const CACHE_SLOTS: usize = 256;

/// A fixed-size open-addressing table from an output offset (f64 bits) to one row of
/// weights; cleared in O(1) by a generation count. Never allocates after construction.
struct OffsetCache {
    l: usize,
    keys: Vec<(u64, u32)>,
    generation: u32,
    filled: usize,
    re: Vec<f32>,
    im: Vec<f32>,
}

/// Where an offset's weights are: cached at this index of `re`/`im`, or not yet (with the
/// index to store them at, if the table has room).
#[derive(Debug)]
enum Lookup {
    Hit(usize),
    Miss(Option<usize>),
}

impl OffsetCache {
    fn new(l: usize) -> Self {
        Self {
            l,
            keys: vec![(0, 0); CACHE_SLOTS],
            generation: 1,
            filled: 0,
            re: vec![0.0; CACHE_SLOTS * l],
            im: vec![0.0; CACHE_SLOTS * l],
        }
    }

    fn clear(&mut self) {
        self.generation = self.generation.wrapping_add(1).max(1);
        if self.generation == 1 {
            // Wrapped: forget every stale entry for real.
            self.keys.fill((0, 0));
        }
        self.filled = 0;
    }

    /// Looks `x` up; on a miss with room, claims its slot (the caller fills the weights).
    fn find(&mut self, x: f64) -> Lookup {
        let key = x.to_bits();
        let bits = CACHE_SLOTS.trailing_zeros();
        let mut h =
            ((key ^ (key >> 29)).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - bits)) as usize;
        loop {
            let (k, g) = self.keys[h];
            if g != self.generation {
                if self.filled * 4 >= CACHE_SLOTS * 3 {
                    return Lookup::Miss(None);
                }
                self.keys[h] = (key, self.generation);
                self.filled += 1;
                return Lookup::Miss(Some(h * self.l));
            }
            if k == key {
                return Lookup::Hit(h * self.l);
            }
            h = (h + 1) % CACHE_SLOTS;
        }
    }
}

impl WeightDesigner {
    /// Scratch for windows of up to `l` blocks and chunks of up to `max_outputs` outputs.
    pub(crate) fn new(l: usize, max_outputs: usize) -> Self {
        Self {
            l,
            a: vec![Complex64::new(0.0, 0.0); l * l],
            rhs_re: vec![0.0; l * max_outputs],
            rhs_im: vec![0.0; l * max_outputs],
            pending: Vec::with_capacity(max_outputs),
            lag: vec![Complex64::new(0.0, 0.0); l],
            tap: vec![(0.0, 0.0, Complex64::new(0.0, 0.0)); l],
            key_pos: Vec::with_capacity(l + max_outputs),
            key: None,
            factor_key: None,
            cache: OffsetCache::new(l),
        }
    }

    /// Writes the weights of a chunk with output positions `outs` (subcarriers, fractional for
    /// PRB centres) for the window positions `win` into `w_re`/`w_im` (n_k × L row-major: row =
    /// output, column = window tap). Returns false when the buffer
    /// already held exactly these weights (nothing written).
    pub(crate) fn design(
        &mut self,
        method: FrequencyMethod,
        prior: DelayPrior,
        win: &[f64],
        outs: &[f64],
        w_re: &mut [f32],
        w_im: &mut [f32],
    ) -> bool {
        let l = win.len();
        let n_k = outs.len();
        let origin = win[0];
        let tag = match method {
            FrequencyMethod::Linear => 0u8,
            FrequencyMethod::Lmmse => 1,
            FrequencyMethod::Dft { .. } => 2,
        };
        let (b0, b1, b2) = match method {
            FrequencyMethod::Lmmse => (
                prior.mean_delay.to_bits(),
                prior.half_width.to_bits(),
                prior.noise_to_signal.to_bits(),
            ),
            FrequencyMethod::Dft { max_delay } => (max_delay.to_bits(), 0, 0),
            FrequencyMethod::Linear => (0, 0, 0),
        };
        let key = (n_k, l, b0, b1, b2, tag);
        let same_pos = self.key_pos.len() == l + n_k
            && self
                .key_pos
                .iter()
                .zip(win.iter().chain(outs))
                .all(|(a, &b)| *a == b - origin);
        if self.key == Some(key) && same_pos {
            return false;
        }
        self.key = Some(key);
        self.key_pos.clear();
        self.key_pos
            .extend(win.iter().chain(outs).map(|&p| p - origin));
        debug_assert!(l <= self.l);
        for v in w_re[..l * n_k].iter_mut().chain(w_im[..l * n_k].iter_mut()) {
            *v = 0.0;
        }
        match method {
            FrequencyMethod::Linear => {
                for (c, &k) in outs.iter().enumerate() {
                    let (i, f) = if k <= win[0] {
                        (0, 0.0)
                    } else if k >= win[l - 1] {
                        (l - 1, 0.0)
                    } else {
                        let i = win.iter().rposition(|&p| p <= k).unwrap_or(0);
                        (i, (k - win[i]) / (win[i + 1] - win[i]))
                    };
                    w_re[c * l + i] += (1.0 - f) as f32;
                    if f > 0.0 {
                        w_re[c * l + i + 1] += f as f32;
                    }
                }
            }
            FrequencyMethod::Lmmse => {
                let pi = std::f64::consts::PI;
                let beta = 2.0 * prior.half_width;
                let r = |d: f64| {
                    let x = beta * d;
                    let s = if x.abs() < 1e-12 {
                        1.0
                    } else {
                        (pi * x).sin() / (pi * x)
                    };
                    Complex64::from_polar(s, -2.0 * pi * d * prior.mean_delay)
                };
                // Regular windows (every interior window of a regular pattern): R is Toeplitz,
                // one r() per lag; and r(k − p_i) = r(x − i·D) with x = k − p_0 follows from
                // sin/cos of x by angle addition — no trigonometry per (output, tap) pair.
                let step = if l > 1 { win[1] - win[0] } else { 0.0 };
                let regular = l > 1 && (1..l).all(|i| ((win[i] - win[i - 1]) - step).abs() < 1e-9);
                let fkey = (l, step.to_bits(), b0, b1, b2);
                let a = &mut self.a[..l * l];
                if !(regular && self.factor_key == Some(fkey)) {
                    self.factor_key = None;
                    if regular {
                        for (lag, v) in self.lag.iter_mut().take(l).enumerate() {
                            *v = r(lag as f64 * step);
                        }
                        for i in 0..l {
                            for j in 0..=i {
                                a[i * l + j] = self.lag[i - j];
                            }
                        }
                        for (i, t) in self.tap.iter_mut().take(l).enumerate() {
                            let y = i as f64 * step;
                            // (cos πβy, sin πβy, e^{+j2π y τ0})
                            *t = (
                                (pi * beta * y).cos(),
                                (pi * beta * y).sin(),
                                Complex64::from_polar(1.0, 2.0 * pi * y * prior.mean_delay),
                            );
                        }
                    } else {
                        for i in 0..l {
                            for j in 0..=i {
                                a[i * l + j] = r(win[i] - win[j]);
                            }
                        }
                    }
                    for i in 0..l {
                        a[i * l + i] += prior.noise_to_signal.max(1e-9);
                    }
                    if cholesky_in_place(a, l).is_none() {
                        // Cannot happen with positive loading; keep the buffer valid anyway.
                        self.key = None;
                        return true;
                    }
                    if regular {
                        self.factor_key = Some(fkey);
                        self.cache.clear();
                    }
                }
                // x = R⁻¹ r_kpᴴ, w = xᴴ (R Hermitian): the outputs the cache does not hold
                // first (a chunk's outputs are distinct, so none of them hits a slot another
                // one just claimed), then their systems solved together.
                self.pending.clear();
                for (c, &k) in outs.iter().enumerate() {
                    let slot = if regular {
                        match self.cache.find(k - win[0]) {
                            Lookup::Hit(at) => {
                                w_re[c * l..(c + 1) * l]
                                    .copy_from_slice(&self.cache.re[at..at + l]);
                                w_im[c * l..(c + 1) * l]
                                    .copy_from_slice(&self.cache.im[at..at + l]);
                                continue;
                            }
                            Lookup::Miss(slot) => slot,
                        }
                    } else {
                        None
                    };
                    self.pending.push((c, slot));
                }
                let m = self.pending.len();
                if m == 0 {
                    return true;
                }
                let (rhs_re, rhs_im) = (&mut self.rhs_re[..l * m], &mut self.rhs_im[..l * m]);
                for (j, &(c, _)) in self.pending.iter().enumerate() {
                    let k = outs[c];
                    if regular {
                        let x = k - win[0];
                        let (sx, cx) = (pi * beta * x).sin_cos();
                        let ph = Complex64::from_polar(1.0, -2.0 * pi * x * prior.mean_delay);
                        for i in 0..l {
                            let (cy, sy, e) = self.tap[i];
                            let arg = pi * beta * (x - i as f64 * step);
                            let sinc = if arg.abs() < 1e-12 {
                                1.0
                            } else {
                                (sx * cy - cx * sy) / arg
                            };
                            let v = (ph * e * sinc).conj();
                            rhs_re[i * m + j] = v.re;
                            rhs_im[i * m + j] = v.im;
                        }
                    } else {
                        for (i, &p) in win.iter().enumerate() {
                            let v = r(k - p).conj();
                            rhs_re[i * m + j] = v.re;
                            rhs_im[i * m + j] = v.im;
                        }
                    }
                }
                solve_cholesky_many(a, l, m, rhs_re, rhs_im);
                for (j, &(c, slot)) in self.pending.iter().enumerate() {
                    for i in 0..l {
                        // w = conj(x).
                        w_re[c * l + i] = rhs_re[i * m + j] as f32;
                        w_im[c * l + i] = (-rhs_im[i * m + j]) as f32;
                    }
                    if let Some(at) = slot {
                        self.cache.re[at..at + l].copy_from_slice(&w_re[c * l..(c + 1) * l]);
                        self.cache.im[at..at + l].copy_from_slice(&w_im[c * l..(c + 1) * l]);
                    }
                }
            }
            FrequencyMethod::Dft { max_delay } => {
                let spacing = if l > 1 {
                    (win[l - 1] - win[0]) / (l - 1) as f64
                } else {
                    1.0
                };
                let period = l as f64 * spacing;
                let tau = |n: usize| {
                    let n = n as f64;
                    if n > l as f64 / 2.0 { n - l as f64 } else { n }
                };
                let two_pi = 2.0 * std::f64::consts::PI;
                for n in 0..l {
                    let t = tau(n);
                    if !(t >= -1.0 && t / period <= max_delay) {
                        continue;
                    }
                    for i in 0..l {
                        for (c, &k) in outs.iter().enumerate() {
                            let ph = two_pi * (t * i as f64 / l as f64 - t * (k - win[0]) / period);
                            w_re[c * l + i] += (ph.cos() / l as f64) as f32;
                            w_im[c * l + i] += (ph.sin() / l as f64) as f32;
                        }
                    }
                }
            }
        }
        true
    }
}

/// Estimates a port's [`DelayPrior`] from its LS block estimates.
///
/// `r0` = mean |ĥ_b|², `r1` = mean ĥ_{b+1}·ĥ_b* over every receive antenna and run, `noise`
/// = the LS estimates' noise variance σ_b², `spacing` = mean block spacing D in subcarriers,
/// `span` = the band covered, in subcarriers.
pub fn delay_prior(r0: f64, r1: Complex64, noise: f64, spacing: f64, span: f64) -> DelayPrior {
    let signal = (r0 - noise).max(1e-3 * r0).max(f64::MIN_POSITIVE);
    let cap = 0.5 / spacing;
    let floor = (2.0 / span.max(1.0)).min(cap);
    let (mean_delay, rho) = if r1.norm() > 0.0 && r1.norm().is_finite() {
        (
            -r1.arg() / (2.0 * std::f64::consts::PI * spacing),
            (r1.norm() / signal).min(0.9999),
        )
    } else {
        (0.0, 0.0)
    };
    // sinc(2aD) = ρ, sinc decreasing on [0, 1/(2D)]: bisection.
    let (mut lo, mut hi) = (0.0f64, cap);
    for _ in 0..60 {
        let m = 0.5 * (lo + hi);
        let x = std::f64::consts::PI * 2.0 * m * spacing;
        let s = if x < 1e-12 { 1.0 } else { x.sin() / x };
        if s > rho {
            lo = m;
        } else {
            hi = m;
        }
    }
    // Margin on the fitted width: a uniform fit by the lag-1 correlation misses the weak far
    // taps of a long profile (ETU's 5 µs tap), which floors the NMSE at their power. Missing
    // them matters once the noise is below them, and widening costs only noise averaging, so
    // the margin grows with the SNR: ×1.5 up to 15 dB, rising to ×4 at ≥ 30 dB (ETU at 30 dB:
    // −29 dB NMSE instead of −13; unchanged at low SNR, where averaging matters most).
    let snr_db = 10.0 * (signal / noise.max(f64::MIN_POSITIVE)).log10();
    let margin = 1.5 + 2.5 * ((snr_db - 15.0) / 15.0).clamp(0.0, 1.0);
    DelayPrior {
        mean_delay,
        half_width: (margin * lo).clamp(floor, cap),
        rms_delay: lo / 3f64.sqrt(),
        noise_to_signal: noise / signal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_advance_by_half_a_window_and_serve_the_nearest_outputs() {
        // 20 blocks, windows of 8: starts every 4 blocks (0, 4, 8, 12, the last flush at
        // 12), so each output is served by the window whose centre is nearest its block.
        let pos: Vec<f64> = (0..20).map(|b| 1.0 + 4.0 * b as f64).collect();
        let outs: Vec<f64> = (0..80).map(|k| k as f64).collect();
        let chunks = plan_chunks(&pos, &outs, 8);
        let windows: Vec<usize> = chunks.iter().map(|c| c.window).collect();
        assert_eq!(windows, vec![0, 4, 8, 12]);
        // Block b (subcarriers 4b − 1 … 4b + 2) belongs to the window centred nearest it
        // (centres 3.5, 7.5, 11.5, 15.5): blocks 0–5 → 0, 6–9 → 4, 10–13 → 8, 14–19 → 12.
        let bounds: Vec<(usize, usize)> = chunks.iter().map(|c| (c.k0, c.k1)).collect();
        assert_eq!(bounds, vec![(0, 23), (23, 39), (39, 55), (55, 80)]);
    }

    /// The documented empty plans: no blocks (nothing to interpolate from) or no outputs.
    #[test]
    fn nothing_is_planned_without_blocks_or_outputs() {
        let grid: Vec<f64> = (0..8).map(|i| 4.0 * i as f64).collect();
        assert!(plan_chunks(&[], &grid, 4).is_empty());
        assert!(plan_chunks(&grid, &[], 4).is_empty());
        assert!(plan_chunks(&[], &[], 4).is_empty());
    }

    /// With an odd window step (blocks every 4 subcarriers, outputs every 12: step 3 of a
    /// window of 8) a block can lie midway between two window centres; it goes to the earlier
    /// window, so the plan does not depend on rounding.
    #[test]
    fn a_block_midway_between_window_centres_goes_to_the_earlier_window() {
        let pos: Vec<f64> = (0..20).map(|b| 1.0 + 4.0 * b as f64).collect();
        // Outputs at 20 (nearest block 5) and 32 (block 8), then every 12 subcarriers.
        let outs: Vec<f64> = (0..5).map(|k| 20.0 + 12.0 * k as f64).collect();
        let chunks = plan_chunks(&pos, &outs, 8);
        // Starts 0, 3, 6, 9, 12: centres 3.5, 6.5, 9.5, 12.5, 15.5. Block 5 is 1.5 from the
        // first two, block 8 from the second and third; blocks 11 and 14 likewise, block 17
        // nearest the last.
        let served: Vec<usize> = chunks
            .iter()
            .flat_map(|c| (c.k0..c.k1).map(move |_| c.window))
            .collect();
        assert_eq!(served, vec![0, 3, 6, 9, 12]);
    }

    #[test]
    fn window_step_is_the_largest_multiple_of_the_alignment_period() {
        let grid = |d: f64, n: usize| -> Vec<f64> { (0..n).map(|i| 0.5 + d * i as f64).collect() };
        // (block spacing, output spacing, half a window) → step.
        for (db, dout, half, want) in [
            (16.0, 12.0, 8, 6), // SRS comb blocks vs PRB outputs: p = 3
            (4.0, 12.0, 8, 6),  // p = 3
            (6.0, 12.0, 8, 8),  // p = 2
            (4.0, 1.0, 8, 8),   // per-subcarrier outputs: p = 1
            (16.0, 12.0, 2, 2), // p = 3 > half: half
            (5.0, 7.0, 8, 7),   // p = 7
            (5.0, 7.0, 6, 6),   // p = 7 > half
        ] {
            assert_eq!(
                aligned_step(&grid(db, 10), &grid(dout, 10), half),
                want,
                "{db} {dout}"
            );
        }
        assert_eq!(aligned_step(&[3.0], &grid(12.0, 5), 8), 8);
        assert_eq!(aligned_step(&grid(16.0, 5), &[3.0], 8), 8);
        // Two points per grid are enough to read the spacings.
        assert_eq!(aligned_step(&grid(16.0, 2), &grid(12.0, 10), 8), 6);
        assert_eq!(aligned_step(&grid(16.0, 10), &grid(12.0, 2), 8), 6);
        // A descending grid (not a valid plan input) keeps half a window.
        assert_eq!(aligned_step(&grid(-16.0, 10), &grid(12.0, 10), 8), 8);
        assert_eq!(aligned_step(&grid(16.0, 10), &grid(-12.0, 10), 8), 8);
    }

    /// SRS geometry (blocks every 16 subcarriers, PRB-centre outputs every 12, windows of 16
    /// blocks): every window but the first and the clamped last sees its outputs at the same
    /// offsets from its start, so the designer solves for at most the outputs of one window
    /// step (6 blocks = 96 subcarriers = 8 outputs) — with the unaligned step of 8 blocks the
    /// offsets cycled through three phases.
    #[test]
    fn aligned_windows_see_their_outputs_at_the_same_offsets() {
        let pos: Vec<f64> = (0..204).map(|b| 8.5 + 16.0 * b as f64).collect();
        let outs: Vec<f64> = (0..273).map(|k| 5.5 + 12.0 * k as f64).collect();
        let chunks = plan_chunks(&pos, &outs, 16);
        let (first, last) = (chunks[0].window, chunks[chunks.len() - 1].window);
        let (pos, outs) = (&pos, &outs);
        let mut offsets: Vec<u64> = chunks
            .iter()
            .filter(|c| c.window != first && c.window != last)
            .flat_map(|c| (c.k0..c.k1).map(move |k| (outs[k] - pos[c.window]).to_bits()))
            .collect();
        assert!(
            chunks
                .iter()
                .filter(|c| c.window != first && c.window != last)
                .count()
                > 20
        );
        offsets.sort_unstable();
        offsets.dedup();
        assert!(offsets.len() <= 8, "{} distinct offsets", offsets.len());
    }

    #[test]
    fn chunks_cover_every_subcarrier_once_with_windows_in_range() {
        for (nb, n_sc, l) in [(36, 288, 16), (5, 40, 16), (1, 12, 16), (100, 400, 8)] {
            let pos: Vec<f64> = (0..nb).map(|b| 1.0 + 4.0 * b as f64).collect();
            let outs: Vec<f64> = (0..n_sc).map(|k| k as f64).collect();
            let chunks = plan_chunks(&pos, &outs, l);
            let mut next = 0;
            for c in &chunks {
                assert_eq!(c.k0, next);
                assert!(c.k1 > c.k0);
                assert!(c.window + l.min(nb) <= nb);
                next = c.k1;
            }
            assert_eq!(next, n_sc);
        }
    }

    fn weights(
        method: FrequencyMethod,
        prior: DelayPrior,
        win: &[f64],
        k0: usize,
        k1: usize,
    ) -> Vec<Complex64> {
        let n = win.len() * (k1 - k0);
        let outs: Vec<f64> = (k0..k1).map(|k| k as f64).collect();
        let (mut re, mut im) = (vec![0.0; n], vec![0.0; n]);
        WeightDesigner::new(win.len(), outs.len())
            .design(method, prior, win, &outs, &mut re, &mut im);
        re.iter()
            .zip(&im)
            .map(|(&a, &b)| Complex64::new(a as f64, b as f64))
            .collect()
    }

    /// A window of one block (a run with a single pilot block) under the DFT method holds only
    /// the zero-delay bin: every output copies the block (weight 1), whatever the spacing of
    /// other windows — not 0, as a spacing of 0/0 would make it.
    #[test]
    fn dft_method_with_one_block_copies_it_to_every_output() {
        let prior = DelayPrior {
            mean_delay: 0.0,
            half_width: 0.05,
            rms_delay: 0.0,
            noise_to_signal: 0.1,
        };
        let w = weights(
            FrequencyMethod::Dft { max_delay: 0.1 },
            prior,
            &[3.5],
            0,
            12,
        );
        assert_eq!(w.len(), 12);
        for (k, v) in w.iter().enumerate() {
            assert_eq!(*v, Complex64::new(1.0, 0.0), "output {k}");
        }
    }

    /// The DFT method reads the window's Nyquist bin (l/2 of l) as the positive delay 1/(2D),
    /// the largest a causal channel can have unambiguously: a tap there, kept by `max_delay`,
    /// is interpolated exactly between the blocks (the other bins sum to zero over the window).
    #[test]
    fn dft_method_keeps_the_nyquist_bin_as_a_positive_delay() {
        let d = 4.0;
        let win: Vec<f64> = (0..16).map(|b| 0.5 + d * b as f64).collect();
        let tau = 1.0 / (2.0 * d);
        let h = |k: f64| Complex64::from_polar(1.0, -2.0 * std::f64::consts::PI * k * tau);
        let prior = DelayPrior {
            mean_delay: 0.0,
            half_width: 0.02,
            rms_delay: 0.0,
            noise_to_signal: 1e-6,
        };
        let (k0, k1) = (20, 44);
        let w = weights(FrequencyMethod::Dft { max_delay: tau }, prior, &win, k0, k1);
        for (c, k) in (k0..k1).enumerate() {
            let est: Complex64 = (0..16).map(|i| w[c * 16 + i] * h(win[i])).sum();
            // f32 weights (|w| ≤ 1, each within 2⁻²⁴ of its f64 value): 16 taps, ≤ 1e-6.
            assert!((est - h(k as f64)).norm() < 1e-5, "output {k}: {est}");
        }
    }

    #[test]
    fn every_method_reproduces_a_constant_channel_at_high_snr() {
        let win: Vec<f64> = (0..16).map(|b| 0.5 + 4.0 * b as f64).collect();
        let prior = DelayPrior {
            mean_delay: 0.0,
            half_width: 0.02,
            rms_delay: 0.0,
            noise_to_signal: 1e-6,
        };
        for m in [
            FrequencyMethod::Linear,
            FrequencyMethod::Lmmse,
            FrequencyMethod::Dft {
                max_delay: NORMAL_CP_FRACTION,
            },
        ] {
            let (k0, k1) = (20, 44);
            let w = weights(m, prior, &win, k0, k1);
            for c in 0..k1 - k0 {
                let s: Complex64 = (0..16).map(|i| w[c * 16 + i]).sum();
                assert!((s - 1.0).norm() < 1e-3, "{m:?} column {c}: sum {s}");
            }
        }
    }

    #[test]
    fn regular_window_shortcut_equals_the_direct_formula() {
        // The same window, once exactly regular (Toeplitz / angle-addition path) and once
        // perturbed by 1e-8 subcarrier (direct path): the weights agree.
        let reg: Vec<f64> = (0..16).map(|b| 1.0 + 4.0 * b as f64).collect();
        let mut irr = reg.clone();
        irr[7] += 1e-8;
        let prior = DelayPrior {
            mean_delay: 0.013,
            half_width: 0.02,
            rms_delay: 0.0,
            noise_to_signal: 0.05,
        };
        let a = weights(FrequencyMethod::Lmmse, prior, &reg, 3, 61);
        let b = weights(FrequencyMethod::Lmmse, prior, &irr, 3, 61);
        let err = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - y).norm())
            .fold(0.0, f64::max);
        assert!(err < 1e-4, "max weight difference {err}");
    }

    /// The LMMSE weights against an independent f64 Wiener solution (nalgebra's LU of
    /// `R + ρI`, `R_ij = r(p_i − p_j)`, `w = r_k·(R + ρI)⁻¹` with `r_k,i = r(k − p_i)` and
    /// `r(d) = sinc(2·half_width·d)·e^{−j2π·d·τ0}`), for a regular window (the Toeplitz fast
    /// path) and two irregular ones (a block moved, a gap: the general path) — the fast path
    /// must be taken only where the window is regular. Tolerance: the weights are stored as
    /// f32 (relative rounding 6e-8) after f64 arithmetic; 1e-6 of the largest weight.
    #[test]
    fn lmmse_weights_equal_an_f64_wiener_solution_for_regular_and_irregular_windows() {
        use nalgebra::{Complex, DMatrix, DVector};
        let prior = DelayPrior {
            mean_delay: 0.015,
            half_width: 0.025,
            rms_delay: 0.0,
            noise_to_signal: 0.1,
        };
        let r = |d: f64| {
            let x = 2.0 * prior.half_width * d;
            let s = if x == 0.0 {
                1.0
            } else {
                (std::f64::consts::PI * x).sin() / (std::f64::consts::PI * x)
            };
            Complex::from_polar(s, -2.0 * std::f64::consts::PI * d * prior.mean_delay)
        };
        let regular: Vec<f64> = (0..12).map(|b| 0.5 + 6.0 * b as f64).collect();
        let mut moved = regular.clone();
        moved[3] += 1.0;
        let gap: Vec<f64> = (0..12)
            .map(|b| 0.5 + 6.0 * b as f64 + if b >= 6 { 24.0 } else { 0.0 })
            .collect();
        let outs = [0.0, 5.5, 17.5, 20.25, 33.0, 64.5, 90.0];
        for (name, win) in [("regular", &regular), ("moved", &moved), ("gap", &gap)] {
            let l = win.len();
            let (mut re, mut im) = (vec![0.0f32; l * outs.len()], vec![0.0f32; l * outs.len()]);
            WeightDesigner::new(l, outs.len()).design(
                FrequencyMethod::Lmmse,
                prior,
                win,
                &outs,
                &mut re,
                &mut im,
            );
            let a = DMatrix::from_fn(l, l, |i, j| {
                r(win[i] - win[j])
                    + if i == j {
                        Complex::new(0.1, 0.0)
                    } else {
                        0.0.into()
                    }
            });
            let lu = a.lu();
            for (c, &k) in outs.iter().enumerate() {
                // w = r_k·A⁻¹ ⇔ Aᵀ·wᵀ = r_kᵀ; A Hermitian: Aᵀ = conj(A), so w = conj(A⁻¹·conj(r_k)).
                let rk = DVector::from_fn(l, |i, _| r(k - win[i]).conj());
                let x = lu.solve(&rk).expect("R + ρI is positive definite");
                let peak = x.iter().map(|v| v.norm()).fold(0.0, f64::max);
                for i in 0..l {
                    let want = x[i].conj();
                    let got = Complex::new(re[c * l + i] as f64, im[c * l + i] as f64);
                    assert!(
                        (got - want).norm() <= 1e-6 * peak,
                        "{name} window, output {k}, tap {i}: {got} vs {want}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_reused_factor_gives_the_weights_of_a_fresh_design() {
        // One designer serves a port's chunks: after a chunk at one place of a regular window,
        // the next chunks (same spacing and prior: the Cholesky factor is reused,
        // only the outputs change; outputs at offsets seen before take the cached weights)
        // must get exactly what a fresh designer computes; a changed prior or an irregular
        // window must not take the cached factor or weights.
        let win: Vec<f64> = (0..16).map(|b| 0.5 + 6.0 * b as f64).collect();
        let shifted: Vec<f64> = win.iter().map(|p| p + 48.0).collect();
        let mut irregular = win.clone();
        irregular[3] += 1.0;
        let p1 = DelayPrior {
            mean_delay: 0.02,
            half_width: 0.03,
            rms_delay: 0.0,
            noise_to_signal: 0.1,
        };
        let p2 = DelayPrior {
            mean_delay: -0.01,
            ..p1
        };
        let mut d = WeightDesigner::new(16, 8);
        let (mut re, mut im) = (vec![0.0f32; 16 * 8], vec![0.0f32; 16 * 8]);
        // One block further: its outputs 11.5, 23.5, 35.5 are 5, 17, 29 from its start, as
        // the first case's (the last one new, so the chunk is not the previous one again); the
        // offsets, not the absolute positions, key the cached weights (the sum output + start,
        // 18, 30, 42, would pair 11.5 here with 17.5 there).
        let one_block: Vec<f64> = win.iter().map(|p| p + 6.0).collect();
        let cases: [(&[f64], DelayPrior, [f64; 4]); 7] = [
            (&win, p1, [5.5, 17.5, 29.5, 41.5]),
            (&one_block, p1, [11.5, 23.5, 35.5, 53.5]),
            (&win, p1, [53.5, 65.5, 77.5, 89.5]),
            // The same offsets from the window start as the first case: cached weights.
            (&shifted, p1, [53.5, 65.5, 77.5, 89.5]),
            (&shifted, p1, [60.0, 61.0, 62.0, 63.0]),
            (&shifted, p2, [60.0, 61.0, 62.0, 63.0]),
            (&irregular, p2, [5.5, 17.5, 29.5, 41.5]),
        ];
        for (i, (w, prior, outs)) in cases.iter().enumerate() {
            d.design(FrequencyMethod::Lmmse, *prior, w, outs, &mut re, &mut im);
            let (mut fre, mut fim) = (vec![0.0f32; 16 * 4], vec![0.0f32; 16 * 4]);
            WeightDesigner::new(16, 4).design(
                FrequencyMethod::Lmmse,
                *prior,
                w,
                outs,
                &mut fre,
                &mut fim,
            );
            assert_eq!((&re[..64], &im[..64]), (&fre[..], &fim[..]), "case {i}");
        }
    }

    #[test]
    fn the_offset_cache_finds_what_it_stored_and_stops_at_three_quarters() {
        let mut c = OffsetCache::new(2);
        let mut slots = Vec::new();
        for i in 0..CACHE_SLOTS {
            match c.find(0.5 + i as f64) {
                Lookup::Miss(Some(at)) => slots.push(at),
                Lookup::Miss(None) => break,
                Lookup::Hit(_) => panic!("offset {i} was never stored"),
            }
        }
        assert_eq!(slots.len(), CACHE_SLOTS * 3 / 4);
        let mut sorted = slots.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), slots.len(), "two offsets share a slot");
        for (i, &at) in slots.iter().enumerate() {
            assert!(matches!(c.find(0.5 + i as f64), Lookup::Hit(a) if a == at));
        }
        // Full: a new offset is computed but not stored.
        assert!(matches!(c.find(-7.0), Lookup::Miss(None)));
        // A new factor forgets everything, also across the generation counter's wrap.
        c.generation = u32::MAX;
        c.clear();
        assert!(matches!(c.find(0.5), Lookup::Miss(Some(_))));
        assert!(matches!(c.find(1.5), Lookup::Miss(Some(_))));
        assert!(matches!(c.find(0.5), Lookup::Hit(_)));
        // Offsets with full mantissas (multiples of 0.1 + 1/3; the half-integers above leave
        // the hash's low product bits zero): every slot the hash picks is inside the table,
        // and each offset is found again.
        let mut c = OffsetCache::new(2);
        let keys: Vec<f64> = (0..CACHE_SLOTS * 3 / 4)
            .map(|i| i as f64 * (0.1 + 1.0 / 3.0))
            .collect();
        let slots: Vec<usize> = keys
            .iter()
            .map(|&k| match c.find(k) {
                Lookup::Miss(Some(at)) => at,
                other => panic!("offset {k}: {other:?}"),
            })
            .collect();
        for (&k, &at) in keys.iter().zip(&slots) {
            assert!(matches!(c.find(k), Lookup::Hit(a) if a == at), "offset {k}");
        }
    }

    #[test]
    fn lmmse_follows_a_delayed_channel() {
        // h(k) = e^{−j2πkτ}: a single path at τ = 0.01 symbols, noiseless.
        let tau = 0.01;
        let win: Vec<f64> = (0..16).map(|b| 0.5 + 4.0 * b as f64).collect();
        let h = |k: f64| Complex64::from_polar(1.0, -2.0 * std::f64::consts::PI * k * tau);
        let prior = DelayPrior {
            mean_delay: tau,
            half_width: 0.005,
            rms_delay: 0.0,
            noise_to_signal: 1e-6,
        };
        let (k0, k1) = (16, 48);
        let w = weights(FrequencyMethod::Lmmse, prior, &win, k0, k1);
        for (c, k) in (k0..k1).enumerate() {
            let est: Complex64 = (0..16).map(|i| w[c * 16 + i] * h(win[i])).sum();
            assert!((est - h(k as f64)).norm() < 1e-3);
        }
    }

    #[test]
    fn delay_prior_recovers_a_uniform_profile() {
        // Correlation of a uniform profile centred at 0.02 with half-width 0.01, D = 4.
        let (t0, a, d): (f64, f64, f64) = (0.02, 0.01, 4.0);
        let x = std::f64::consts::PI * 2.0 * a * d;
        let r1 = Complex64::from_polar(x.sin() / x, -2.0 * std::f64::consts::PI * d * t0);
        let p = delay_prior(1.0 + 0.1, r1, 0.1, d, 288.0);
        assert!((p.mean_delay - t0).abs() < 1e-9);
        assert!((p.half_width - 1.5 * a).abs() < 1e-6, "{p:?}");
        // The report's spread is the fit's, a/√3, without the filter's margin.
        assert!((p.rms_delay - a / 3f64.sqrt()).abs() < 1e-9, "{p:?}");
        assert!((p.noise_to_signal - 0.1).abs() < 1e-12);
    }

    /// No lag-1 correlation — a zero of either sign, whose argument would be 0 or ±π — is no
    /// delay: mean 0, and the widest width the block spacing allows (sinc(2aD) = 0 at
    /// a = 1/(2D)), the same for every signed zero and for an infinite correlation.
    #[test]
    fn delay_prior_without_lag1_correlation_has_no_mean_delay() {
        let d = 4.0;
        let want = delay_prior(2.0, Complex64::new(0.0, 0.0), 0.5, d, 288.0);
        assert_eq!(want.mean_delay, 0.0);
        assert!((want.half_width - 0.5 / d).abs() < 1e-12, "{want:?}");
        for r1 in [
            Complex64::new(-0.0, 0.0),
            Complex64::new(-0.0, -0.0),
            Complex64::new(0.0, -0.0),
            Complex64::new(f64::INFINITY, 0.0),
        ] {
            let p = delay_prior(2.0, r1, 0.5, d, 288.0);
            assert_eq!(p.mean_delay.to_bits(), 0.0f64.to_bits(), "{r1}");
            assert_eq!(p.half_width, want.half_width, "{r1}");
        }
    }
}
