//! LS de-spreading of every CDM block of a pilot pattern, antennas-wide (38.211 §6.4.1.1 /
//! §7.4.1.1 DMRS, §6.4.1.4 SRS: the cover codes and pilots of each block inverted by its
//! `(XᴴX)⁻¹Xᴴ`).
//!
//! The received grid is `[antenna, symbol, subcarrier]`: one antenna's pilot REs are
//! contiguous, but the LS estimate of a block is needed for all antennas at once (rows of
//! antennas feed the frequency filters' GEMM). So the band is cut into chunks of about 48
//! subcarriers at boundaries no CDM block straddles; each chunk of every pilot symbol is turned
//! antennas-innermost once, for all CDM groups together, by register-tile transposes
//! ([`Kernels::split_transpose`]); then each run's blocks in the chunk are de-spread in one
//! call of [`Kernels::block_combine`] (the block's rows picked by index, so comb and paired
//! patterns need no second gather). The chunk (≤ 48 KiB at 2 symbols × 64 antennas) stays in
//! L1/L2 between the two steps.

use ndarray::ArrayView3;

use super::pattern::PilotPattern;
use crate::simd::{ComplexRef, Kernels, LineVec, SplitMut, SplitRef};
use crate::{C32, Result};

/// f32 per plane of the antennas-innermost chunk the plan aims for (24 KiB per plane).
const CHUNK_FLOATS: usize = 6144;

/// The blocks `b0..b1` of run `ri` of group `gi` inside one chunk.
#[derive(Clone, Copy, Debug)]
struct Part {
    gi: usize,
    ri: usize,
    b0: usize,
    b1: usize,
}

/// Subcarriers `k0..k0 + width` and the blocks whose REs all lie there.
#[derive(Clone, Debug)]
struct LsChunk {
    k0: usize,
    width: usize,
    parts: Vec<Part>,
}

/// One run's de-spreading inputs, block after block.
#[derive(Clone, Debug)]
struct RunPlan {
    /// Ports of the group (outputs per block).
    ports: usize,
    /// RE offsets: block b's REs are `re_off[b]..re_off[b + 1]`.
    re_off: Vec<usize>,
    /// Per RE (in each block's `ls` order): its row in the chunk buffer,
    /// `(subcarrier − k0)·n_symbols + symbol index`.
    rows: Vec<u32>,
    /// The blocks' `(XᴴX)⁻¹Xᴴ`, ports × REs each, concatenated.
    coef: Vec<C32>,
}

/// The LS step of a [`super::ChannelEstimator`]: its plan and its chunk buffer.
#[derive(Clone, Debug)]
pub(crate) struct LeastSquares {
    n_rx: usize,
    /// Every OFDM symbol holding pilots of some run, ascending.
    symbols: Vec<usize>,
    chunks: Vec<LsChunk>,
    /// Per group, per run.
    runs: Vec<Vec<RunPlan>>,
    /// One chunk antennas-innermost: row `(k − k0)·n_symbols + u` holds subcarrier k of
    /// `symbols[u]`, one column per antenna.
    y_re: LineVec,
    y_im: LineVec,
}

impl LeastSquares {
    /// The plan for `pattern` and `n_rx` antennas (allocates the chunk buffer).
    pub(crate) fn new(pattern: &PilotPattern, n_rx: usize) -> Result<Self> {
        let symbols = pattern.pilot_symbols();
        let n_u = symbols.len().max(1);
        let target = (CHUNK_FLOATS / (n_u * n_rx)).max(1);
        // Every block's subcarrier span, in order of its first subcarrier.
        let mut spans = Vec::new();
        for (gi, g) in pattern.groups().iter().enumerate() {
            for (ri, run) in g.runs.iter().enumerate() {
                for (b, blk) in run.blocks.iter().enumerate() {
                    let sc = &run.subcarriers[blk.first..blk.first + blk.len];
                    let lo = sc.iter().copied().min().unwrap_or(0);
                    let hi = sc.iter().copied().max().unwrap_or(0);
                    spans.push((lo, hi, gi, ri, b));
                }
            }
        }
        spans.sort_unstable();
        // Greedy cuts: a new chunk starts where no earlier block reaches and the chunk would
        // otherwise grow past the target width.
        let mut chunks: Vec<LsChunk> = Vec::new();
        let mut hi_so_far = 0;
        for &(lo, hi, gi, ri, b) in &spans {
            let cut = match chunks.last() {
                None => true,
                Some(c) => lo > hi_so_far && hi.max(hi_so_far) + 1 - c.k0 > target,
            };
            if cut {
                if let Some(c) = chunks.last_mut() {
                    c.width = hi_so_far + 1 - c.k0;
                }
                chunks.push(LsChunk {
                    k0: lo,
                    width: 0,
                    parts: Vec::new(),
                });
                hi_so_far = hi;
            }
            hi_so_far = hi_so_far.max(hi);
            let c = chunks.last_mut().expect("a chunk was just pushed");
            match c.parts.iter_mut().find(|p| p.gi == gi && p.ri == ri) {
                Some(p) => p.b1 = b + 1,
                None => c.parts.push(Part {
                    gi,
                    ri,
                    b0: b,
                    b1: b + 1,
                }),
            }
        }
        if let Some(c) = chunks.last_mut() {
            c.width = hi_so_far + 1 - c.k0;
        }
        // Each block's rows relative to its chunk.
        let mut runs: Vec<Vec<RunPlan>> = pattern
            .groups()
            .iter()
            .map(|g| {
                g.runs
                    .iter()
                    .map(|run| {
                        let mut re_off = vec![0];
                        for blk in &run.blocks {
                            re_off.push(re_off[re_off.len() - 1] + blk.len * run.symbols.len());
                        }
                        RunPlan {
                            ports: g.ports.len(),
                            rows: vec![0; re_off[re_off.len() - 1]],
                            coef: run
                                .blocks
                                .iter()
                                .flat_map(|b| b.ls.iter().copied())
                                .collect(),
                            re_off,
                        }
                    })
                    .collect()
            })
            .collect();
        for c in &chunks {
            for p in &c.parts {
                let run = &pattern.groups()[p.gi].runs[p.ri];
                let plan = &mut runs[p.gi][p.ri];
                for b in p.b0..p.b1 {
                    let blk = &run.blocks[b];
                    let mut at = plan.re_off[b];
                    for &l in &run.symbols {
                        let u = symbols
                            .binary_search(&l)
                            .expect("every run symbol is listed");
                        for &k in &run.subcarriers[blk.first..blk.first + blk.len] {
                            plan.rows[at] = ((k - c.k0) * n_u + u) as u32;
                            at += 1;
                        }
                    }
                }
            }
        }
        let widest = chunks.iter().map(|c| c.width).max().unwrap_or(1);
        Ok(Self {
            n_rx,
            symbols,
            chunks,
            runs,
            y_re: LineVec::zeros(widest * n_u * n_rx)?,
            y_im: LineVec::zeros(widest * n_u * n_rx)?,
        })
    }

    /// The LS estimates of every block of every run into `lt_re`/`lt_im` (per group, per run:
    /// rows `q·nb + b`, columns antennas). `rx` is `[n_rx, n_sym, n_sc]` (shape checked by the
    /// caller); a non-standard layout is gathered element by element.
    pub(crate) fn run(
        &mut self,
        kernels: &Kernels,
        rx: ArrayView3<'_, C32>,
        lt_re: &mut [Vec<LineVec>],
        lt_im: &mut [Vec<LineVec>],
    ) -> Result<()> {
        let n_rx = self.n_rx;
        let (_, n_sym, n_sc) = rx.dim();
        let n_u = self.symbols.len();
        let flat = rx.as_slice();
        for (ci, c) in self.chunks.iter().enumerate() {
            let next = self.chunks.get(ci + 1);
            for (u, &l) in self.symbols.iter().enumerate() {
                let mut dst = SplitMut::new(
                    c.width,
                    n_rx,
                    n_u * n_rx,
                    &mut self.y_re[u * n_rx..],
                    &mut self.y_im[u * n_rx..],
                )?;
                match flat {
                    Some(f) => {
                        let src =
                            ComplexRef::new(n_rx, c.width, n_sym * n_sc, &f[l * n_sc + c.k0..])?;
                        kernels.split_transpose(&src, &mut dst)?;
                        // The next chunk's piece of this symbol's rows requested into the L2
                        // now (n_rx rows a grid row apart: too many streams for the hardware
                        // prefetcher), read by its transposition after this chunk's
                        // de-spreading: in a slot chain, where the pilots come from memory,
                        // NR DMRS estimation 1.42 → 1.31–1.35 ms (0.83 → 0.85 alone, in cache).
                        if let Some(nc) = next {
                            for r in 0..n_rx {
                                let at = r * n_sym * n_sc + l * n_sc + nc.k0;
                                kernels.request_l2(&f[at..at + nc.width]);
                            }
                        }
                    }
                    None => {
                        for j in 0..c.width {
                            for r in 0..n_rx {
                                let v = rx[[r, l, c.k0 + j]];
                                let at = (j * n_u + u) * n_rx + r;
                                self.y_re[at] = v.re;
                                self.y_im[at] = v.im;
                            }
                        }
                    }
                }
            }
            let y = SplitRef::new(c.width * n_u, n_rx, n_rx, &self.y_re, &self.y_im)?;
            for (pi, p) in c.parts.iter().enumerate() {
                // The next chunk's LS rows requested into the L2, a share before each of this
                // chunk's parts (its parts pi, pi + parts, …): in a slot chain the rows were
                // evicted since the last slot (3.4 MB for NR DMRS), and the de-spreading's
                // stores waited for each line to come from memory first; in one burst per
                // chunk the requests stalled the core as long (NR DMRS estimation after the
                // demodulation 1.13–1.14 → 1.06–1.09 ms, ×0.97 alone in cache; probe runs).
                if let Some(nc) = next {
                    for np in nc.parts.iter().skip(pi).step_by(c.parts.len()) {
                        self.request_rows(kernels, np, lt_re, lt_im);
                    }
                }
                let plan = &self.runs[p.gi][p.ri];
                let (tre, tim) = (&mut lt_re[p.gi][p.ri], &mut lt_im[p.gi][p.ri]);
                let rows = tre.len() / n_rx;
                let mut out = SplitMut::new(rows, n_rx, n_rx, tre, tim)?;
                // Blocks of equal size in one call (only a run's last block may differ).
                let off = &plan.re_off;
                let mut b = p.b0;
                while b < p.b1 {
                    let k = off[b + 1] - off[b];
                    let mut e = b + 1;
                    while e < p.b1 && off[e + 1] - off[e] == k {
                        e += 1;
                    }
                    let m = plan.ports;
                    kernels.block_combine(
                        &plan.coef[m * off[b]..m * off[e]],
                        (m, k, b),
                        &plan.rows[off[b]..off[e]],
                        &y,
                        &mut out,
                    )?;
                    b = e;
                }
            }
        }
        Ok(())
    }

    /// Requests part `p`'s LS rows (every port of its run, its blocks) into the L2.
    fn request_rows(
        &self,
        kernels: &Kernels,
        p: &Part,
        lt_re: &[Vec<LineVec>],
        lt_im: &[Vec<LineVec>],
    ) {
        let ports = self.runs[p.gi][p.ri].ports;
        let (re, im) = (&lt_re[p.gi][p.ri], &lt_im[p.gi][p.ri]);
        let nb = re.len() / (self.n_rx * ports).max(1);
        for q in 0..ports {
            let rows = (q * nb + p.b0) * self.n_rx..(q * nb + p.b1) * self.n_rx;
            if let (Some(r), Some(i)) = (re.get(rows.clone()), im.get(rows)) {
                kernels.request_l2(r);
                kernels.request_l2(i);
            }
        }
    }
}
