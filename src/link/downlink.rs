//! The downlink slot processor of one carrier: SRS estimates → precoder weights per PRG →
//! precoding of the layer grid (layer mapping and DMRS included by the caller) → OFDM per
//! antenna. Allocation-free after construction.
//!
//! Capacity-sized in the co-scheduled users: [`DownlinkConfig::n_layers`] is the most streams
//! a slot may carry; every [`DownlinkSlot::compute_weights`] call takes that slot's own user
//! set (1 ..= n_layers candidates), and [`DownlinkSlot::precode`] a layer grid with as many
//! layers — no rebuild, no allocation when the scheduler changes the set.

use crate::estimation::{
    ChannelEstimator, ChannelReport, CyclicShiftEstimator, EstimatorConfig, NORMAL_CP_FRACTION,
    OutputResolution, PilotPattern, SlotEstimator,
};
use crate::fronthaul::{BfwCodec, BfwExtension, CategoryA, Timing, UplaneCodec, precode_uplane};
use crate::link::screen::{AntennaHealth, GridScreen};
use crate::ofdm::{OfdmConfig, OfdmModulator};
use crate::precoding::{Normalization, PrecoderApplier, RzfPrecoder, RzfReport};
use crate::resource::{ChannelEstimate, MuGroup, PrbAllocation, SYMBOLS_PER_SLOT};
use crate::simd::LineVec;
use crate::{C32, Error, Result};
use ndarray::{Array3, ArrayView3, ArrayViewMut2, ArrayViewMut3};

/// Linear precoder of the downlink streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PrecoderKind {
    /// Maximum-ratio (conjugate) beamforming, W = Hᴴ with unit-norm columns.
    Mrt,
    /// Zero forcing, W = Hᴴ(HHᴴ)⁻¹.
    Zf,
    /// Regularised ZF / MMSE, W = Hᴴ(HHᴴ + kσ²I)⁻¹ for the configured downlink noise σ².
    Rzf,
}

/// How the SRS channel estimates are made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SrsEstimation {
    /// [`CyclicShiftEstimator`]: users of a comb separated in the delay domain, Wiener-weighted
    /// taps (needs a pure cyclic-shift pattern: one symbol per user, combs, phase ramps).
    DelayDomain,
    /// [`ChannelEstimator`]: block LS de-spreading then per-PRB LMMSE (any pilot pattern).
    BlockLmmse,
}

/// Shape and choices of a [`DownlinkSlot`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DownlinkConfig {
    /// Base-station antennas.
    pub n_ant: usize,
    /// Users sounding (SRS ports of the sounding pattern).
    pub n_candidates: usize,
    /// Most streams served in one slot (single-layer users), ≤ n_candidates: the capacity;
    /// each slot selects its own 1 ..= n_layers users.
    pub n_layers: usize,
    /// PRBs of the carrier.
    pub n_prb: usize,
    /// PRBs per precoding group (38.214 §5.1.2.3: 2, 4; 0 = wideband).
    pub prg_prbs: usize,
    /// Precoder.
    pub precoder: PrecoderKind,
    /// Power normalisation of each PRG's weights (MRT: always unit columns).
    pub normalization: Normalization,
    /// SRS estimator.
    pub srs_estimation: SrsEstimation,
}

/// One carrier's downlink chain, from the sounding grid to the antennas' waveforms.
pub struct DownlinkSlot {
    cfg: DownlinkConfig,
    n_prg: usize,
    prg: usize,
    /// Subcarriers per weight unit: 12·prg (per PRG; the carrier for wideband) or a sub-PRB
    /// band of [`Self::new_sub_prb`].
    unit_sc: usize,
    /// Weight units (rows of [`Self::weights`]).
    n_units: usize,
    /// Whether the units are sub-PRB bands (estimates per subcarrier).
    sub_prb: bool,
    /// PRBs every candidate's SRS covers.
    sounded: std::ops::Range<usize>,
    /// The SRS estimator (either algorithm, one interface).
    srs: Box<dyn SlotEstimator>,
    /// SRS estimates `[1, n_prb, n_candidates, n_ant]`.
    h_est: ChannelEstimate,
    /// Per-unit channels of the selected users, [n_units, k, n_ant] in the first
    /// n_units·k·n_ant values (contiguous for the current k).
    h_prg: LineVec<C32>,
    /// Weights [n_units, n_ant, K], likewise (K: the slot's streams over all groups).
    w: LineVec<C32>,
    /// One group's weights [b, n_ant, k] before they are scattered into `w`.
    w_group: LineVec<C32>,
    /// The group owning each PRG in the current call (usize::MAX: none).
    prg_owner: Vec<usize>,
    /// The weight units of the group being computed (capacity n_units: never reallocates).
    group_prgs: Vec<usize>,
    /// Users of the last [`DownlinkSlot::compute_weights`] (0 before the first call).
    k: usize,
    rzf: RzfPrecoder,
    applier: PrecoderApplier,
    /// One OFDM symbol's antenna rows `[n_ant, n_sc]` for [`Self::precode_uplane`]: written
    /// by the precoder and read by the U-plane codec while still in the cache.
    symbol_rows: LineVec<C32>,
    modulator: OfdmModulator,
    /// Antenna screening of the sounding grid, and the contained copy the estimator reads
    /// when an antenna was flagged.
    screen: GridScreen,
    screened: Array3<C32>,
    /// The OFDM symbols carrying SRS: all the estimator reads, and all the screening reads.
    srs_symbols: Vec<usize>,
}

impl DownlinkSlot {
    /// Buffers for `cfg`, the SRS estimator of the sounding pilots `srs_pilots`
    /// [n_candidates, 14, n_sc] (one port per candidate user, per-PRB output) and the OFDM
    /// modulator of `ofdm` (14-symbol grids).
    pub fn new(
        cfg: DownlinkConfig,
        srs_pilots: ArrayView3<'_, C32>,
        ofdm: &OfdmConfig,
    ) -> Result<Self> {
        Self::build(cfg, srs_pilots, ofdm, None)
    }

    /// As [`Self::new`] with weights per sub-PRB band of `subcarriers` (1, 2, 3, 4 or 6)
    /// instead of per PRG: the SRS estimates are kept per subcarrier, each band's weights come
    /// from the estimate averaged over its subcarriers, and [`Self::precode`] applies one matrix
    /// per band. On delay-spread channels the channel turns inside a PRB and per-PRB weights
    /// leave interference there (38.901 UMa with 16 users: 3-subcarrier bands recover 3.5–8 dB
    /// of SINR with perfect channel knowledge); the price is 12/`subcarriers` × the weight
    /// computation and the weight memory. MU-MIMO groups still own whole PRGs (`prg_prbs` ≥ 1;
    /// wideband is refused), and the fronthaul weight extension (one vector per PRG) is
    /// refused. Errors: as [`Self::new`], `subcarriers` not a divisor of 12 below 12, a
    /// wideband configuration.
    pub fn new_sub_prb(
        cfg: DownlinkConfig,
        srs_pilots: ArrayView3<'_, C32>,
        ofdm: &OfdmConfig,
        subcarriers: usize,
    ) -> Result<Self> {
        if !matches!(subcarriers, 1 | 2 | 3 | 4 | 6) || cfg.prg_prbs == 0 {
            return Err(Error::InvalidParameter {
                name: "subcarriers (sub-PRB weight band)",
                value: crate::value!("{subcarriers} with prg_prbs {}", cfg.prg_prbs),
                reason: "1, 2, 3, 4 or 6 subcarriers, and PRGs of ≥ 1 PRB (not wideband)",
            });
        }
        Self::build(cfg, srs_pilots, ofdm, Some(subcarriers))
    }

    fn build(
        cfg: DownlinkConfig,
        srs_pilots: ArrayView3<'_, C32>,
        ofdm: &OfdmConfig,
        sub_prb: Option<usize>,
    ) -> Result<Self> {
        let srs_pattern = PilotPattern::from_pilots(srs_pilots)?;
        let srs_symbols = srs_pattern.pilot_symbols();
        if cfg.n_layers == 0
            || cfg.n_layers > cfg.n_candidates
            || cfg.n_prb == 0
            || srs_pattern.n_ports() != cfg.n_candidates
            || ofdm.n_sc != 12 * cfg.n_prb
        {
            return Err(Error::InvalidParameter {
                name: "(n_layers, n_candidates, n_prb, SRS ports, OFDM n_sc)",
                value: crate::value!(
                    "({}, {}, {}, {}, {})",
                    cfg.n_layers,
                    cfg.n_candidates,
                    cfg.n_prb,
                    srs_pattern.n_ports(),
                    ofdm.n_sc
                ),
                reason: "1 ≤ n_layers ≤ n_candidates = SRS ports, n_sc = 12·n_prb",
            });
        }
        if ofdm.n_symbols != SYMBOLS_PER_SLOT || srs_pilots.dim().1 != SYMBOLS_PER_SLOT {
            return Err(Error::InvalidParameter {
                name: "(ofdm n_symbols, SRS grid symbols)",
                value: crate::value!("({}, {})", ofdm.n_symbols, srs_pilots.dim().1),
                reason: "14-symbol slots",
            });
        }
        // The sounded band: weights are computed only where every candidate was sounded.
        let sounded = match srs_pattern.common_prbs() {
            Some(r) => r,
            None => {
                return Err(Error::InvalidParameter {
                    name: "srs (sounded band)",
                    value: "no common contiguous PRB range".into(),
                    reason: "every candidate's SRS on one contiguous PRB range",
                });
            }
        };
        crate::error::check_layers_antennas(cfg.n_layers, cfg.n_ant)?;
        let prg = if cfg.prg_prbs == 0 {
            cfg.n_prb
        } else {
            cfg.prg_prbs
        };
        let n_prg = cfg.n_prb.div_ceil(prg);
        let resolution = if sub_prb.is_some() {
            OutputResolution::Subcarrier
        } else {
            OutputResolution::Prb
        };
        let unit_sc = sub_prb.unwrap_or(12 * prg);
        let n_units = (12 * cfg.n_prb).div_ceil(unit_sc);
        let est_cfg = EstimatorConfig {
            resolution,
            ..EstimatorConfig::default()
        };
        let srs: Box<dyn SlotEstimator> = match cfg.srs_estimation {
            SrsEstimation::DelayDomain => Box::new(CyclicShiftEstimator::new(
                srs_pilots,
                cfg.n_ant,
                NORMAL_CP_FRACTION,
                resolution,
            )?),
            SrsEstimation::BlockLmmse => {
                Box::new(ChannelEstimator::new(srs_pattern, cfg.n_ant, est_cfg)?)
            }
        };
        // One estimate per PRB, or per subcarrier for sub-PRB weights (the delay-domain
        // estimator has one run; the block estimator's runs are the SRS symbols, averaged by
        // `gather`).
        let h_est = srs.estimate()?;
        let units = n_units * cfg.n_layers * cfg.n_ant;
        let modulator = OfdmModulator::new(ofdm)?;
        // One symbol: the category-A write's antenna rows, or precode_modulate's buffer.
        let rows = (cfg.n_ant * 12 * cfg.n_prb).max(modulator.symbol_buffer_len(cfg.n_ant));
        Ok(Self {
            cfg,
            n_prg,
            prg,
            unit_sc,
            n_units,
            sub_prb: sub_prb.is_some(),
            sounded,
            srs,
            h_est,
            h_prg: LineVec::zeros(units)?,
            w: LineVec::zeros(units)?,
            w_group: LineVec::zeros(units)?,
            prg_owner: vec![usize::MAX; n_prg],
            group_prgs: Vec::with_capacity(n_units),
            k: 0,
            rzf: RzfPrecoder::new(cfg.n_layers, cfg.n_ant, n_units)?,
            applier: PrecoderApplier::new(cfg.n_ant, cfg.n_layers, 14 * 96)?,
            symbol_rows: LineVec::zeros(rows)?,
            modulator,
            screen: GridScreen::new(cfg.n_ant),
            screened: Array3::zeros((cfg.n_ant, srs_pilots.dim().1, srs_pilots.dim().2)),
            srs_symbols,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &DownlinkConfig {
        &self.cfg
    }

    /// The PRBs every candidate's SRS covers: where [`Self::compute_weights`] computes weights
    /// and [`Self::compute_group_weights`] allocations must lie.
    pub fn sounded_prbs(&self) -> std::ops::Range<usize> {
        self.sounded.clone()
    }

    /// Estimates every candidate's uplink channel from the sounding grid `srs_rx`
    /// [n_ant, 14, n_sc] (per PRB, LMMSE; noise estimated from the pilots when
    /// `noise_var` is `None`; the delay-domain estimator measures it either way). By TDD
    /// reciprocity these are the downlink channels.
    ///
    /// Containment: antennas with non-finite samples or a stuck receiver are screened first
    /// ([`crate::link::screen`]) on the SRS symbols — the only ones the estimator reads, so a
    /// fault elsewhere in the grid neither costs a pass nor counts; then the estimator reads a
    /// copy with those samples zeroed, so one bad antenna weakens only its own estimates
    /// ([`Self::antenna_health`] says which).
    pub fn sound(
        &mut self,
        srs_rx: ArrayView3<'_, C32>,
        noise_var: Option<f32>,
    ) -> Result<&ChannelReport> {
        if self.screen.inspect_symbols(srs_rx, &self.srs_symbols) > 0
            && self.screened.dim() == srs_rx.dim()
        {
            self.screened.assign(&srs_rx);
            self.screen.contain(self.screened.view_mut());
            return self
                .srs
                .process(self.screened.view(), noise_var, &mut self.h_est);
        }
        self.srs.process(srs_rx, noise_var, &mut self.h_est)
    }

    /// What the screening of the last sounding grid found per antenna.
    pub fn antenna_health(&self) -> &[AntennaHealth] {
        self.screen.health()
    }

    /// SRS channel estimates `[runs, n_prb, n_candidates, n_ant]` with their report (what
    /// user selection reads).
    pub fn estimates(&self) -> &ChannelEstimate {
        &self.h_est
    }

    /// Writable estimates, for a caller with its own channel knowledge (perfect-CSI studies).
    pub fn estimates_mut(&mut self) -> &mut ChannelEstimate {
        &mut self.h_est
    }

    /// Weights for the `selected` candidates (1 ..= n_layers distinct indices, stream j serves
    /// candidate `selected[j]`) on every sounded PRB ([`Self::sounded_prbs`]): per PRG, the
    /// channel averaged over the PRG's PRBs, then MRT / ZF / RZF (α = k·`noise_var`), scaled to a total transmit power of 1
    /// per RE. Singular PRGs get MRT weights (counted in the report). The one-group case of
    /// [`Self::compute_group_weights`].
    pub fn compute_weights(&mut self, selected: &[usize], noise_var: f32) -> Result<RzfReport> {
        let all = self.sounded.clone();
        let prbs = PrbAllocation::new(std::slice::from_ref(&all), self.cfg.n_prb)?;
        self.compute_group_weights(
            &[MuGroup {
                users: selected,
                prbs,
            }],
            noise_var,
        )
    }

    /// Weights for one slot's MU-MIMO groups, each on its own PRBs: streams are numbered group
    /// by group (group 0's users first), K = Σ group sizes ≤ n_layers. A PRG that any PRB of a
    /// group's allocation touches gets that group's weights (MRT / ZF / RZF over its k_g users,
    /// α = k_g·`noise_var`, total power 1 per RE) in the group's K columns, zeros in the others;
    /// PRGs no group touches get zero weights. The layer grid of [`Self::precode`] then has K
    /// layers, each carrying data only on its group's PRBs.
    ///
    /// Errors (typed, naming the value): no group, an empty group, more than n_layers streams,
    /// a candidate index out of range or twice in one group, an allocation beyond the carrier,
    /// two groups in one PRG.
    pub fn compute_group_weights(
        &mut self,
        groups: &[MuGroup<'_>],
        noise_var: f32,
    ) -> Result<RzfReport> {
        let total: usize = groups.iter().map(|g| g.users.len()).sum();
        if groups.is_empty() || total > self.cfg.n_layers {
            return Err(Error::InvalidParameter {
                name: "groups (streams)",
                value: crate::error::Value::of(&total),
                reason: "1 ..= n_layers streams in at least one group",
            });
        }
        for g in groups {
            let sel = g.users;
            if sel.is_empty()
                || sel.iter().any(|&u| u >= self.cfg.n_candidates)
                || sel.iter().enumerate().any(|(i, u)| sel[..i].contains(u))
            {
                return Err(Error::InvalidParameter {
                    name: "selected",
                    value: crate::value!("{sel:?}"),
                    reason: "1 ..= n_layers distinct candidate indices per group",
                });
            }
            let band = &self.sounded;
            if let Some(r) = g
                .prbs
                .ranges()
                .iter()
                .find(|r| r.start < band.start || r.end > band.end)
            {
                return Err(Error::InvalidParameter {
                    name: "prb allocation",
                    value: crate::value!("{r:?}, sounded PRBs {band:?} of {}", self.cfg.n_prb),
                    reason: "inside the sounded band (no channel knowledge elsewhere)",
                });
            }
        }
        crate::error::check_noise_var(&[noise_var])?;
        let (n_prg, n_ant) = (self.n_prg, self.cfg.n_ant);
        // PRG ownership: every PRG belongs to at most one group.
        self.prg_owner.fill(usize::MAX);
        for (gi, g) in groups.iter().enumerate() {
            for p in 0..n_prg {
                let prbs = p * self.prg..((p + 1) * self.prg).min(self.cfg.n_prb);
                if g.prbs.intersects(&prbs) {
                    if self.prg_owner[p] != usize::MAX {
                        return Err(Error::InvalidParameter {
                            name: "prb allocation",
                            value: crate::value!(
                                "PRG {p} (PRBs {prbs:?}) in groups {} and {gi}",
                                self.prg_owner[p]
                            ),
                            reason: "MU-MIMO groups must not share a precoding resource group",
                        });
                    }
                    self.prg_owner[p] = gi;
                }
            }
        }
        let n_units = self.n_units;
        self.w[..n_units * n_ant * total].fill(C32::new(0.0, 0.0));
        let mut report = RzfReport::default();
        let mut col0 = 0;
        // Weight units per PRG (1 unless sub-PRB).
        let upp = 12 * self.prg / self.unit_sc;
        for (gi, g) in groups.iter().enumerate() {
            let k = g.users.len();
            self.group_prgs.clear();
            for p in (0..n_prg).filter(|&p| self.prg_owner[p] == gi) {
                self.group_prgs
                    .extend(p * upp..((p + 1) * upp).min(n_units));
            }
            let b = self.group_prgs.len();
            if b > 0 {
                let r = self.group_weights(g.users, b, noise_var)?;
                report.mrt_fallbacks += r.mrt_fallbacks;
                // Scatter the group's [b, n_ant, k] weights into its K columns.
                let s = 1.0 / (k as f32).sqrt();
                for (i, &p) in self.group_prgs.iter().enumerate() {
                    for a in 0..n_ant {
                        for j in 0..k {
                            self.w[(p * n_ant + a) * total + col0 + j] =
                                self.w_group[(i * n_ant + a) * k + j] * s;
                        }
                    }
                }
            }
            col0 += k;
        }
        self.k = total;
        Ok(report)
    }

    /// The weights of `users` on the `b` weight units of `self.group_prgs` into
    /// `self.w_group` [b, n_ant, k] (before the 1/√k power scaling).
    fn group_weights(&mut self, users: &[usize], b: usize, noise_var: f32) -> Result<RzfReport> {
        let (k, n_ant) = (users.len(), self.cfg.n_ant);
        // [b, k, n_ant]: each unit's channel of the group's users, averaged over its PRBs (or
        // its subcarriers, for sub-PRB units).
        let (span, n_out) = if self.sub_prb {
            (self.unit_sc, 12 * self.cfg.n_prb)
        } else {
            (self.prg, self.cfg.n_prb)
        };
        let bundles = self
            .group_prgs
            .iter()
            .map(|&g| g * span..((g + 1) * span).min(n_out));
        let h_prg = self.h_est.gather(users, bundles, &mut self.h_prg)?;
        let mut w = ArrayViewMut3::from_shape((b, n_ant, k), &mut self.w_group[..b * n_ant * k])
            .map_err(|_| Error::InvalidParameter {
                name: "selected",
                value: crate::error::Value::of(&k),
                reason: "internal buffer shape",
            })?;
        Ok(match self.cfg.precoder {
            PrecoderKind::Mrt => {
                for i in 0..b {
                    for j in 0..k {
                        let n: f32 = (0..n_ant)
                            .map(|a| h_prg[[i, j, a]].norm_sqr())
                            .sum::<f32>()
                            .sqrt();
                        let inv = if n > 0.0 && n.is_finite() {
                            1.0 / n
                        } else {
                            0.0
                        };
                        for a in 0..n_ant {
                            w[[i, a, j]] = h_prg[[i, j, a]].conj() * inv;
                        }
                    }
                }
                RzfReport::default()
            }
            PrecoderKind::Zf | PrecoderKind::Rzf => {
                let alpha = match self.cfg.precoder {
                    PrecoderKind::Zf => 0.0,
                    _ => k as f32 * noise_var,
                };
                self.rzf
                    .process(h_prg.view(), alpha, self.cfg.normalization, w.view_mut())?
            }
        })
    }

    /// Weights [n_units, n_ant, k] of the last [`Self::compute_weights`] (k = the users it
    /// was given; empty before the first call): one matrix per PRG, or per sub-PRB band of
    /// [`Self::weight_subcarriers`] subcarriers ([`Self::new_sub_prb`]).
    pub fn weights(&self) -> ArrayView3<'_, C32> {
        let (n_prg, n_ant, k) = (self.n_units, self.cfg.n_ant, self.k);
        match ArrayView3::from_shape((n_prg, n_ant, k), &self.w[..n_prg * n_ant * k]) {
            Ok(v) => v,
            // Unreachable (the shape is its buffer prefix's); an empty view is always valid.
            Err(_) => ArrayView3::from_shape((0, 0, 0), &self.w[..0])
                .expect("a 0 × 0 × 0 view of an empty slice is valid"),
        }
    }

    /// The category-B face of the weights: writes C-plane section extension 11 for `layer`
    /// (a user of the last [`Self::compute_weights`]), one bundle per PRG carrying that
    /// layer's weight vector over the antennas (O-RAN.WG4.CUS §7.7.11; `ext.num_bund_prb` must
    /// equal [`Self::prg_prbs`], `codec` must be built for `n_ant` TRX), with `beam_ids`
    /// one per PRG. Returns the bytes written.
    pub fn write_bfw_extension(
        &self,
        codec: &mut BfwCodec,
        layer: usize,
        ext: &BfwExtension,
        beam_ids: &[u16],
        out: &mut [u8],
    ) -> Result<usize> {
        if layer >= self.k {
            return Err(Error::InvalidParameter {
                name: "layer",
                value: crate::error::Value::of(&layer),
                reason: "must be below the users of the last compute_weights",
            });
        }
        if self.sub_prb {
            return Err(Error::InvalidParameter {
                name: "weights (sub-PRB bands)",
                value: crate::error::Value::of(&self.unit_sc),
                reason: "extension 11 carries one weight vector per PRB bundle, not per sub-PRB band",
            });
        }
        if usize::from(ext.num_bund_prb) != self.prg {
            return Err(Error::InvalidParameter {
                name: "numBundPrb",
                value: crate::error::Value::of(&ext.num_bund_prb),
                reason: "must equal the slot's PRG size (one weight vector per PRG)",
            });
        }
        let w = self.weights();
        codec.write(
            ext,
            self.cfg.n_prb,
            beam_ids,
            w.slice(ndarray::s![.., .., layer]),
            out,
        )
    }

    /// PRBs per PRG (the last PRG may be shorter).
    pub fn prg_prbs(&self) -> usize {
        self.prg
    }

    /// Subcarriers per weight unit (a row of [`Self::weights`]): 12 × [`Self::prg_prbs`], or the
    /// sub-PRB band of [`Self::new_sub_prb`].
    pub fn weight_subcarriers(&self) -> usize {
        self.unit_sc
    }

    /// The weight unit (row of [`Self::weights`]) that precodes subcarrier `sc`.
    pub fn weight_unit(&self, sc: usize) -> usize {
        (sc / self.unit_sc).min(self.n_units.saturating_sub(1))
    }

    /// Precodes the layer grid `layers` [k, 14, n_sc] (data and DMRS already mapped;
    /// 38.211 §7.3.1.4; k = the users of the last [`Self::compute_weights`]) into the antenna
    /// grid `grid` [n_ant, 14, n_sc].
    pub fn precode(
        &mut self,
        layers: ArrayView3<'_, C32>,
        grid: ArrayViewMut3<'_, C32>,
    ) -> Result<()> {
        if self.k == 0 || layers.dim().0 != self.k {
            return Err(Error::ShapeMismatch {
                name: "layers [k of the last compute_weights, 14, n_sc]",
                expected: crate::error::Shape::of(&[self.k, 14, 12 * self.cfg.n_prb]),
                got: crate::error::Shape::of(layers.shape()),
            });
        }
        let prg = if self.cfg.prg_prbs == 0 { 0 } else { self.prg };
        let w = weight_view(&self.w, self.n_units, self.cfg.n_ant, self.k)?;
        if self.sub_prb {
            return self
                .applier
                .process_grid_subbands(w, self.unit_sc, layers, grid);
        }
        self.applier.process_grid(w, prg, layers, grid)
    }

    /// Precodes the layer grid `layers` [k, 14, n_sc] (as [`Self::precode`]) and writes the
    /// antenna grid as O-RAN 7.2x category-A U-plane messages (the DU precodes, the radio runs
    /// the OFDM; O-RAN.WG4.CUS §8.3): one message per antenna and symbol, each the
    /// application header of `slot` with symbolId l and one section (`section_id`, every PRB
    /// of the carrier) written by `codec` ([`UplaneCodec::write_message`]). `messages` holds
    /// `n_ant · 14` messages of `message_len` bytes, antenna-major (antenna a, symbol l at
    /// `(a·14 + l)·message_len`); `message_len` ≥ 4 + `codec.section_bytes(n_prb)`.
    ///
    /// Symbol by symbol ([`crate::fronthaul::precode_uplane`] on the slot's weights and a
    /// one-symbol buffer of its own): the antenna grid (23.5 MB per NR 100 MHz slot at 64
    /// antennas) is never written to memory and read back. For PRGs (or the wideband carrier)
    /// on the SIMD backends the bytes are exactly those of [`Self::precode`] followed by
    /// `write_message` per row; sub-PRB bands are equal to rounding.
    ///
    /// Errors: as [`Self::precode`] and [`UplaneCodec::write_message`] (a NaN sample names
    /// its index; messages before the failing one are written); `messages` not
    /// `n_ant · 14 · message_len` bytes or `message_len` too short (`ShapeMismatch` naming
    /// `messages`).
    pub fn precode_uplane(
        &mut self,
        layers: ArrayView3<'_, C32>,
        codec: &mut UplaneCodec,
        slot: &Timing,
        section_id: u16,
        messages: &mut [u8],
        message_len: usize,
    ) -> Result<()> {
        let (n_ant, n_sc) = (self.cfg.n_ant, 12 * self.cfg.n_prb);
        check_slot_layers(self.k, n_sc, &layers)?;
        // Every weight unit is `unit_sc` subcarriers wide (a PRG, the carrier, a sub-PRB band).
        let w = weight_view(&self.w, self.n_units, n_ant, self.k)?;
        let target = CategoryA {
            codec,
            slot,
            section_id,
            messages,
            message_len,
        };
        precode_uplane(
            &mut self.applier,
            w,
            self.unit_sc,
            layers,
            &mut self.symbol_rows,
            target,
        )
    }

    /// Samples per antenna of one slot's waveform.
    pub fn waveform_len(&self) -> usize {
        self.modulator.output_len()
    }

    /// Precodes the layer grid `layers` [k, 14, n_sc] (as [`Self::precode`]) and
    /// OFDM-modulates it into `waveform` [n_ant, waveform_len()] symbol by symbol
    /// ([`precode_modulate`] on the slot's weights and a one-symbol buffer of its own): the
    /// samples of `precode` followed by [`Self::modulate`] (bit for bit for PRGs or the
    /// wideband carrier on the SIMD backends; sub-PRB bands equal to rounding), without the
    /// antenna grid in memory.
    ///
    /// Errors: as [`Self::precode`] and [`Self::modulate`].
    pub fn precode_modulate(
        &mut self,
        layers: ArrayView3<'_, C32>,
        waveform: ArrayViewMut2<'_, C32>,
    ) -> Result<()> {
        let (n_ant, n_sc) = (self.cfg.n_ant, 12 * self.cfg.n_prb);
        check_slot_layers(self.k, n_sc, &layers)?;
        let w = weight_view(&self.w, self.n_units, n_ant, self.k)?;
        precode_modulate(
            &mut self.applier,
            w,
            self.unit_sc,
            layers,
            &mut self.symbol_rows,
            &mut self.modulator,
            waveform,
        )
    }

    /// OFDM-modulates every antenna's grid `grid` [n_ant, 14, n_sc] into `waveform`
    /// [n_ant, waveform_len()].
    pub fn modulate(
        &mut self,
        grid: ArrayView3<'_, C32>,
        waveform: ArrayViewMut2<'_, C32>,
    ) -> Result<()> {
        self.modulator.process_antennas(grid, waveform)
    }
}

/// Precodes `layers` [k, n_sym, n_sc] with `w` [n_bands, n_ant, k] (one matrix per `band_sc`
/// subcarriers, [`crate::precoding::PrecoderApplier::process_grid_subbands`]'s convention) and
/// OFDM-modulates the result into `waveform` [n_ant, modulator.output_len()] symbol by symbol
/// through `rows`, a one-symbol buffer of [`OfdmModulator::symbol_buffer_len`]`(n_ant)`
/// values — the slot's antenna grid (23.5 MB at NR 100 MHz, 64 antennas) is never written to
/// memory and read back. Where the modulator's own FFT runs (AVX-512; AVX2 from 4096 points)
/// and the bands are a PRB or wider, the precoder's GEMM writes each symbol straight into the
/// antennas' transform inputs in `rows` (the subcarriers at their DFT bins, the guard bins
/// zeroed once per call) and the transform applies the symbol's gain to its outputs: no
/// mapping pass (NR 100 MHz, 64 × 16, Zen 4: ×1.04–1.07 on the call). Otherwise `rows` holds
/// one symbol's antenna rows ([`crate::precoding::PrecoderApplier::process_symbol`]) that
/// [`OfdmModulator::process_symbol_antennas`] transforms while they are in the cache. Either
/// way the samples are those of the grid call followed by
/// [`OfdmModulator::process_antennas`] (the same GEMM per symbol and the same transform; bit
/// for bit for bands of at least a PRB on the SIMD backends, for finite values). Fenced at
/// the end. Allocation-free.
///
/// Errors: as `process_symbol` and `process_symbol_antennas`; `layers` with another symbol
/// count than the modulator's, `rows` shorter than `symbol_buffer_len(n_ant)`
/// (`ShapeMismatch` naming the argument).
pub fn precode_modulate(
    applier: &mut crate::precoding::PrecoderApplier,
    w: ArrayView3<'_, C32>,
    band_sc: usize,
    layers: ArrayView3<'_, C32>,
    rows: &mut [C32],
    modulator: &mut OfdmModulator,
    mut waveform: ArrayViewMut2<'_, C32>,
) -> Result<()> {
    let (n_ant, (k, n_sym, n_sc)) = (w.dim().1, layers.dim());
    if n_sym != modulator.config().n_symbols {
        return Err(Error::ShapeMismatch {
            name: "layers [k, the modulator's n_symbols, n_sc]",
            expected: crate::error::Shape::of(&[k, modulator.config().n_symbols, n_sc]),
            got: crate::error::Shape::of(layers.shape()),
        });
    }
    let need = modulator.symbol_buffer_len(n_ant);
    let Some(rows) = rows.get_mut(..need) else {
        return Err(Error::ShapeMismatch {
            name: "rows [the modulator's symbol_buffer_len(n_ant)]",
            expected: crate::error::Shape::of(&[need]),
            got: crate::error::Shape::of(&[rows.len()]),
        });
    };
    // The transform inputs written by the GEMM where both sides take them (the own FFT;
    // bands of a PRB or more in standard layout), else one symbol's antenna rows.
    let direct = modulator.takes_bins() && applier.runs_in_place(w, layers, band_sc);
    let result = if direct {
        let (runs, stride) = (modulator.bin_runs(), modulator.bins_stride());
        modulator.zero_guard_bins(rows);
        (0..n_sym).try_for_each(|l| {
            applier.process_symbol_runs(w, band_sc, l, layers, &runs, rows, stride)?;
            modulator.process_symbol_bins(l, rows, waveform.view_mut())
        })
    } else {
        let mut rows = crate::grid_apply::SymbolRows::new(rows, n_ant, n_sc)?;
        (0..n_sym).try_for_each(|l| {
            applier.process_symbol(w, band_sc, l, layers, rows.view_mut()?)?;
            modulator.process_symbol_antennas(l, rows.view()?, waveform.view_mut())
        })
    };
    // The streamed symbols are fenced once, after the last (also on an early error).
    modulator.fence();
    result
}

/// A layer grid must be `[k, 14, n_sc]`, k the users of the last `compute_weights` (none
/// before it: `ShapeMismatch` naming `layers`).
fn check_slot_layers(k: usize, n_sc: usize, layers: &ArrayView3<'_, C32>) -> Result<()> {
    if k == 0 || layers.dim() != (k, SYMBOLS_PER_SLOT, n_sc) {
        return Err(Error::ShapeMismatch {
            name: "layers [k of the last compute_weights, 14, n_sc]",
            expected: crate::error::Shape::of(&[k, SYMBOLS_PER_SLOT, n_sc]),
            got: crate::error::Shape::of(layers.shape()),
        });
    }
    Ok(())
}

/// The first `n_units · n_ant · k` weights as `[n_units, n_ant, k]`.
fn weight_view(w: &[C32], n_units: usize, n_ant: usize, k: usize) -> Result<ArrayView3<'_, C32>> {
    let len = n_units * n_ant * k;
    w.get(..len)
        .and_then(|w| ArrayView3::from_shape((n_units, n_ant, k), w).ok())
        .ok_or_else(|| Error::ShapeMismatch {
            name: "weights",
            expected: crate::error::Shape::of(&[n_units, n_ant, k]),
            got: crate::error::Shape::of(&[w.len()]),
        })
}
