//! The pilot pattern, worked out from a grid of transmitted pilots alone.
//!
//! Input: `pilots` [n_ports, n_sym, n_sc] — each port's transmitted pilot value on its pilot
//! REs (orthogonal cover codes and cyclic shifts applied), exactly 0 elsewhere. This is what the
//! reference-signal generators of [`crate::refsig`] write, and it covers NR DMRS (types 1 and 2,
//! single and double symbol, 38.211 §7.4.1.1 / §6.4.1.1), SRS (§6.4.1.4: combs and cyclic
//! shifts) and CSI-RS alike, without naming any of them:
//!
//! * **CDM groups**: ports whose pilot RE sets are identical share those REs through their cover
//!   codes or cyclic shifts; ports with disjoint RE sets are independent. Partial overlap is an
//!   error (no orthogonality to rely on).
//! * **Runs**: a group's pilot symbols, cut into runs of one symbol or two adjacent symbols
//!   (a double-symbol DMRS pair, where the time-domain OCC lives), or four adjacent symbols
//!   when a pair cannot separate the group (the TD4 covers of CSI-RS CDM8).
//! * **CDM blocks**: inside a run, consecutive pilot subcarriers are taken `block_len` at a
//!   time, the smallest power of two for which the group's pilots form a well-conditioned
//!   least-squares problem on the block (2 for the FD-OCC of NR DMRS, 2·2 REs for FD×TD OCC,
//!   the cyclic-shift period for SRS). The channel is taken as constant over a block; its
//!   least-squares estimate sits at the block's mean subcarrier.
//!
//! [`CoverSpan`] chooses where a cover that a run of one or two symbols cannot resolve on one
//! subcarrier is spread out: over adjacent pilot subcarriers (the default, above), or over
//! every pilot symbol of the group ([`PilotPattern::from_pilots_with`] with
//! [`CoverSpan::Time`]: LTE UE-RS ports 11 / 13, whose length-4 cover spans symbols 5, 6, 12,
//! 13 of a subframe, 36.211 §6.10.3.2). The second keeps one estimate per pilot subcarrier —
//! no block straddles a PRB edge, which precoding that changes from PRB to PRB needs — at the
//! price of one estimate per subframe in time.

use ndarray::ArrayView3;

use crate::linalg::{cholesky_in_place, solve_cholesky};
use crate::{C32, Error, Result};

/// One CDM block of a run: the LS de-spreading matrix of its REs.
#[derive(Clone, Debug)]
pub(crate) struct Block {
    /// Index of the block's first pilot subcarrier in [`Run::subcarriers`].
    pub first: usize,
    /// Number of pilot subcarriers in the block (the last block of a run takes the rest).
    pub len: usize,
    /// Mean subcarrier of the block (where its estimate sits).
    pub position: f64,
    /// `(XᴴX)⁻¹Xᴴ`, ports × REs (REs ordered symbol-major, then subcarrier), row-major.
    pub ls: Vec<C32>,
    /// Noise gain `[(XᴴX)⁻¹]_qq` per port: the LS estimate's noise variance over σ².
    pub noise_gain: Vec<f64>,
    /// The pilots X, REs × ports (same RE order as `ls`), row-major.
    pub pilots: Vec<C32>,
}

/// One or two adjacent pilot symbols of a CDM group, with the same pilot subcarriers.
#[derive(Clone, Debug)]
pub struct Run {
    /// The run's OFDM symbols (1 or 2, ascending).
    pub symbols: Vec<usize>,
    /// The pilot subcarriers (ascending).
    pub subcarriers: Vec<usize>,
    /// Pilot subcarriers per CDM block.
    pub block_len: usize,
    pub(crate) blocks: Vec<Block>,
}

impl Run {
    /// The run's time position: the mean of its symbols.
    pub fn time(&self) -> f64 {
        self.symbols.iter().sum::<usize>() as f64 / self.symbols.len() as f64
    }

    /// Number of CDM blocks (LS estimates per port and receive antenna).
    pub fn n_blocks(&self) -> usize {
        self.blocks.len()
    }
}

/// Ports sharing one set of pilot REs.
#[derive(Clone, Debug)]
pub struct CdmGroup {
    /// Port indices (axis 0 of the pilot grid), ascending.
    pub ports: Vec<usize>,
    /// Pilot runs, in time order.
    pub runs: Vec<Run>,
    /// Mean pilot energy per RE of each port, |x|² (the pilot EPRE relative to data at 0 dB).
    pub pilot_epre: Vec<f64>,
}

/// The pilot pattern of a grid: CDM groups, runs and blocks (see the module documentation).
#[derive(Clone, Debug)]
pub struct PilotPattern {
    n_ports: usize,
    n_sym: usize,
    n_sc: usize,
    groups: Vec<CdmGroup>,
}

/// Where a CDM group's cover codes are resolved when a run of one or two adjacent pilot
/// symbols cannot separate its ports on a single subcarrier (see the module documentation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CoverSpan {
    /// Blocks of adjacent pilot subcarriers inside each run (the default): time resolution of
    /// one run, frequency resolution of one block.
    #[default]
    Frequency,
    /// One run over every pilot symbol of the group, when they share their subcarriers and a
    /// single subcarrier then separates the ports: one estimate per pilot subcarrier, the
    /// channel taken as constant over the pilot symbols (for a UE whose precoding may change
    /// at every PRB: LTE UE-RS ports 7, 8, 11, 13 with the length-4 cover over a subframe).
    /// Groups that runs of one or two symbols already separate per subcarrier keep those runs.
    Time,
}

/// Smallest accepted ratio of the smallest to the largest Cholesky pivot² of a block's XᴴX
/// (relative to its diagonal): below it the block is doubled.
const MIN_PIVOT_RATIO: f64 = 0.05;

impl PilotPattern {
    /// Works out the pattern of `pilots` [n_ports, n_sym, n_sc].
    ///
    /// Errors: an empty grid, a non-finite pilot, a port without pilot REs, two ports whose RE
    /// sets overlap partly, a double-symbol run whose symbols carry different subcarriers is
    /// split (not an error), and a group whose ports cannot be separated even on a whole run.
    pub fn from_pilots(pilots: ArrayView3<'_, C32>) -> Result<Self> {
        Self::from_pilots_with(pilots, CoverSpan::Frequency)
    }

    /// [`Self::from_pilots`] with the covers a run cannot resolve per subcarrier spread as
    /// `span` says. Errors as [`Self::from_pilots`].
    pub fn from_pilots_with(pilots: ArrayView3<'_, C32>, span: CoverSpan) -> Result<Self> {
        let (n_ports, n_sym, n_sc) = pilots.dim();
        if n_ports == 0 || n_sym == 0 || n_sc == 0 {
            return Err(Error::ShapeMismatch {
                name: "pilots [n_ports, n_sym, n_sc]",
                expected: crate::error::Shape::of(&[1, 1, 1]),
                got: crate::error::Shape::of(&[n_ports, n_sym, n_sc]),
            });
        }
        if let Some(v) = pilots
            .iter()
            .find(|v| !(v.re.is_finite() && v.im.is_finite()))
        {
            return Err(Error::NonFinite {
                name: "pilots",
                value: if v.re.is_finite() { v.im } else { v.re } as f64,
            });
        }
        let support = |p: usize, l: usize, k: usize| pilots[[p, l, k]] != C32::new(0.0, 0.0);
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for p in 0..n_ports {
            if !(0..n_sym).any(|l| (0..n_sc).any(|k| support(p, l, k))) {
                return Err(Error::InvalidParameter {
                    name: "pilots: port",
                    value: crate::error::Value::of(&p),
                    reason: "has no pilot RE",
                });
            }
            let mut placed = false;
            for g in &mut groups {
                let q = g[0];
                let (mut same, mut overlap) = (true, false);
                for l in 0..n_sym {
                    for k in 0..n_sc {
                        let (a, b) = (support(p, l, k), support(q, l, k));
                        same &= a == b;
                        overlap |= a && b;
                    }
                }
                if same {
                    g.push(p);
                    placed = true;
                    break;
                }
                if overlap {
                    return Err(Error::InvalidParameter {
                        name: "pilots: ports",
                        value: crate::value!("{q} and {p}"),
                        reason: "share some but not all pilot REs (no cover code separates them)",
                    });
                }
            }
            if !placed {
                groups.push(vec![p]);
            }
        }
        let groups = groups
            .into_iter()
            .map(|ports| build_group(pilots, ports, span))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            n_ports,
            n_sym,
            n_sc,
            groups,
        })
    }

    /// Ports (axis 0 of the pilot grid).
    pub fn n_ports(&self) -> usize {
        self.n_ports
    }

    /// OFDM symbols of the grid.
    pub fn n_sym(&self) -> usize {
        self.n_sym
    }

    /// Subcarriers of the grid.
    pub fn n_sc(&self) -> usize {
        self.n_sc
    }

    /// The CDM groups.
    pub fn groups(&self) -> &[CdmGroup] {
        &self.groups
    }

    /// Every OFDM symbol holding a pilot of some port, ascending: the only symbols an
    /// estimator of this pattern reads.
    pub fn pilot_symbols(&self) -> Vec<usize> {
        let mut symbols: Vec<usize> = self
            .groups
            .iter()
            .flat_map(|g| g.runs.iter().flat_map(|r| r.symbols.iter().copied()))
            .collect();
        symbols.sort_unstable();
        symbols.dedup();
        symbols
    }

    /// Calls `f(run, symbol, subcarrier, ports, pilots)` for every pilot RE of every CDM
    /// group: the run index within the group, the RE, the group's ports and their transmitted
    /// pilot values on that RE (same order).
    pub(crate) fn for_each_pilot_re(
        &self,
        mut f: impl FnMut(usize, usize, usize, &[usize], &[C32]),
    ) {
        for g in &self.groups {
            let n_p = g.ports.len();
            for (ri, run) in g.runs.iter().enumerate() {
                for b in &run.blocks {
                    let ks = &run.subcarriers[b.first..b.first + b.len];
                    let res = run
                        .symbols
                        .iter()
                        .flat_map(|&l| ks.iter().map(move |&k| (l, k)));
                    for (r, (l, k)) in res.enumerate() {
                        f(ri, l, k, &g.ports, &b.pilots[r * n_p..(r + 1) * n_p]);
                    }
                }
            }
        }
    }

    /// The PRBs on which every port has pilots, when they form one contiguous range (`None`
    /// when some port has none, or the common PRBs are not contiguous): the band a slot can
    /// estimate every port on (a partial-band DMRS or SRS covers less than the grid).
    pub fn common_prbs(&self) -> Option<std::ops::Range<usize>> {
        let n_prb = self.n_sc.div_ceil(12);
        let mut count = vec![0u64; n_prb * self.n_ports];
        self.for_each_pilot_re(|_, _, k, ports, _| {
            for &q in ports {
                count[q * n_prb + k / 12] += 1;
            }
        });
        let covered = |p: usize| (0..self.n_ports).all(|q| count[q * n_prb + p] > 0);
        let first = (0..n_prb).find(|&p| covered(p))?;
        let end = (first..n_prb).find(|&p| !covered(p)).unwrap_or(n_prb);
        if (end..n_prb).any(covered) {
            return None;
        }
        Some(first..end)
    }

    /// The OFDM symbols on which some subcarrier of the PRBs `prbs` carries no pilot of any
    /// port (ascending): where data may be. A symbol whose every subcarrier there is a pilot RE
    /// of some CDM group (DMRS of all CDM groups: 38.211 §6.4.1.1.3, type 1 two groups, type 2
    /// three; 38.214 §6.2.2, "CDM groups without data" = all) holds no data to detect.
    pub fn symbols_with_data(&self, prbs: std::ops::Range<usize>) -> Vec<usize> {
        let (k0, k1) = (12 * prbs.start, (12 * prbs.end).min(self.n_sc));
        let mut pilots = vec![0usize; self.n_sym];
        self.for_each_pilot_re(|_, l, k, _, _| {
            if (k0..k1).contains(&k) {
                pilots[l] += 1;
            }
        });
        // Each pilot RE is one group's (the groups' RE sets are disjoint).
        (0..self.n_sym)
            .filter(|&l| pilots[l] < k1.saturating_sub(k0))
            .collect()
    }

    /// The most runs any group has (the time axis of [`super::ChannelEstimator`]'s output).
    pub fn max_runs(&self) -> usize {
        self.groups.iter().map(|g| g.runs.len()).max().unwrap_or(0)
    }
}

fn build_group(
    pilots: ArrayView3<'_, C32>,
    ports: Vec<usize>,
    span: CoverSpan,
) -> Result<CdmGroup> {
    let (_, n_sym, n_sc) = pilots.dim();
    let p0 = ports[0];
    let sc_of = |l: usize| -> Vec<usize> {
        (0..n_sc)
            .filter(|&k| pilots[[p0, l, k]] != C32::new(0.0, 0.0))
            .collect()
    };
    let symbols: Vec<usize> = (0..n_sym).filter(|&l| !sc_of(l).is_empty()).collect();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < symbols.len() {
        let l = symbols[i];
        let sc = sc_of(l);
        let next =
            |j: usize| i + j < symbols.len() && symbols[i + j] == l + j && sc_of(l + j) == sc;
        let pair = next(1);
        let run_symbols = if pair { vec![l, l + 1] } else { vec![l] };
        let mut run = build_run(pilots, &ports, run_symbols, sc.clone());
        // Four adjacent symbols (CSI-RS CDM8 FD2-TD4, 38.211 Table 7.4.1.5.3-5): when a pair
        // cannot separate the ports, their time covers span all four.
        if run.is_err() && pair && next(2) && next(3) {
            run = build_run(pilots, &ports, vec![l, l + 1, l + 2, l + 3], sc);
        }
        let run = run?;
        i += run.symbols.len();
        runs.push(run);
    }
    if span == CoverSpan::Time && runs.len() > 1 && runs.iter().any(|r| r.block_len > 1) {
        let sc = sc_of(symbols[0]);
        if symbols.iter().all(|&l| sc_of(l) == sc)
            && let Ok(run) = build_run(pilots, &ports, symbols.clone(), sc)
            && run.block_len == 1
        {
            runs = vec![run];
        }
    }
    let pilot_epre = ports
        .iter()
        .map(|&p| {
            let (mut e, mut n) = (0.0f64, 0usize);
            for v in pilots.index_axis(ndarray::Axis(0), p).iter() {
                if *v != C32::new(0.0, 0.0) {
                    e += v.norm_sqr() as f64;
                    n += 1;
                }
            }
            e / n as f64
        })
        .collect();
    Ok(CdmGroup {
        ports,
        runs,
        pilot_epre,
    })
}

fn build_run(
    pilots: ArrayView3<'_, C32>,
    ports: &[usize],
    symbols: Vec<usize>,
    subcarriers: Vec<usize>,
) -> Result<Run> {
    let n_p = ports.len();
    let n_pilot = subcarriers.len();
    let mut block_len = 1;
    while block_len * symbols.len() < n_p {
        block_len *= 2;
    }
    loop {
        if block_len > n_pilot {
            return Err(Error::InvalidParameter {
                name: "pilots: ports",
                value: crate::value!("{ports:?} on symbols {symbols:?}"),
                reason: "cannot be separated on their shared pilot REs",
            });
        }
        if let Some(blocks) = try_blocks(pilots, ports, &symbols, &subcarriers, block_len) {
            return Ok(Run {
                symbols,
                subcarriers,
                block_len,
                blocks,
            });
        }
        block_len *= 2;
    }
}

/// The blocks of a run with `block_len` subcarriers each (the last one takes the remainder),
/// or `None` when one block's pilots are ill-conditioned.
fn try_blocks(
    pilots: ArrayView3<'_, C32>,
    ports: &[usize],
    symbols: &[usize],
    subcarriers: &[usize],
    block_len: usize,
) -> Option<Vec<Block>> {
    let n_p = ports.len();
    let n_blocks = subcarriers.len() / block_len;
    let mut blocks = Vec::with_capacity(n_blocks);
    for b in 0..n_blocks {
        let first = b * block_len;
        let len = if b + 1 == n_blocks {
            subcarriers.len() - first
        } else {
            block_len
        };
        let ks = &subcarriers[first..first + len];
        // X: REs × ports, in f64.
        let res: Vec<(usize, usize)> = symbols
            .iter()
            .flat_map(|&l| ks.iter().map(move |&k| (l, k)))
            .collect();
        let x: Vec<num_complex::Complex64> = res
            .iter()
            .flat_map(|&(l, k)| {
                ports.iter().map(move |&p| {
                    let v = pilots[[p, l, k]];
                    num_complex::Complex64::new(v.re as f64, v.im as f64)
                })
            })
            .collect();
        let n_re = res.len();
        let mut g = vec![num_complex::Complex64::new(0.0, 0.0); n_p * n_p];
        for i in 0..n_p {
            for j in 0..n_p {
                g[i * n_p + j] = (0..n_re)
                    .map(|r| x[r * n_p + i].conj() * x[r * n_p + j])
                    .sum();
            }
        }
        let max_diag = (0..n_p).map(|i| g[i * n_p + i].re).fold(0.0, f64::max);
        let min_pivot = cholesky_in_place(&mut g, n_p)?;
        if min_pivot < MIN_PIVOT_RATIO * max_diag {
            return None;
        }
        // (XᴴX)⁻¹Xᴴ: solve G·m = Xᴴ column by column (each RE is a right-hand side).
        let mut ls = vec![C32::new(0.0, 0.0); n_p * n_re];
        let mut rhs = vec![num_complex::Complex64::new(0.0, 0.0); n_p];
        for r in 0..n_re {
            for i in 0..n_p {
                rhs[i] = x[r * n_p + i].conj();
            }
            solve_cholesky(&g, n_p, &mut rhs);
            for i in 0..n_p {
                ls[i * n_re + r] = C32::new(rhs[i].re as f32, rhs[i].im as f32);
            }
        }
        let noise_gain = (0..n_p)
            .map(|q| {
                let mut e = vec![num_complex::Complex64::new(0.0, 0.0); n_p];
                e[q] = 1.0.into();
                solve_cholesky(&g, n_p, &mut e);
                e[q].re
            })
            .collect();
        blocks.push(Block {
            first,
            len,
            position: ks.iter().sum::<usize>() as f64 / len as f64,
            ls,
            noise_gain,
            pilots: x
                .iter()
                .map(|v| C32::new(v.re as f32, v.im as f32))
                .collect(),
        });
    }
    (n_blocks > 0).then_some(blocks)
}
