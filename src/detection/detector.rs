//! Slot-level MIMO detection with one filter per PRB group: ZF, MMSE (biased/unbiased) and
//! MMSE-IRC, computed on the batched simd kernels with the groups in the SIMD lanes and applied
//! to every RE of the group as a complex GEMM ([`crate::grid_apply::GridApplier`]).
//!
//! Per group with channel H (n_rx × n_l), noise variance σ² per receive antenna, and for IRC
//! an interference-plus-noise covariance `R = σ²I + UUᴴ` (U: n_rx × n_int, see
//! [`interference_factors`]):
//! * ZF: `F = (HᴴH)⁻¹Hᴴ`, post-equalisation noise `σ²·[(HᴴH)⁻¹]_ll`;
//! * MMSE: `F = (HᴴH + σ²I)⁻¹Hᴴ`, `g_l = 1 − σ²·A_ll`; biased noise `g(1 − g)`, unbiased
//!   `F_l /= g_l`, noise `(1 − g)/g` (the `equalize` reference-vector contract);
//! * IRC: the MMSE filter of the augmented channel `[H U]` (interference as extra unit-power
//!   streams), keeping the first n_l rows: `F = [(H_augᴴH_aug + σ²I)⁻¹]_{1:n_l,:}·H_augᴴ`,
//!   which equals `(HᴴR⁻¹H + I)⁻¹HᴴR⁻¹` by the matrix-inversion lemma but only needs an
//!   (n_l + n_int)-order inverse instead of an n_rx-order one; gains and noise as MMSE.
//!
//! The post-equalisation SINR of layer l is `1/noise_l` (unbiased) — what link adaptation and
//! the demapper ([`MimoDetector::demap`]) use. Degenerate groups (singular Gram, non-finite
//! input) are erasures: zero filter, noise variance `f32::MAX` for every layer; an unbiased
//! layer whose gain is ≤ 1e-6 (no channel of its own) is an erasure alone.

use ndarray::{ArrayView2, ArrayView3, ArrayViewMut2, ArrayViewMut3};

use crate::grid_apply::GridApplier;
use crate::modulation::{DemapMethod, Modulation, demap};
use crate::simd::{GramSide, Kernels, LANES, LineVec, MatrixBatch, ZF_PIVOT_TOLERANCE};
use crate::{C32, Error, Result};

/// Detection filter type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DetectorMethod {
    /// Zero forcing.
    Zf,
    /// Linear MMSE (white noise).
    Mmse {
        /// Remove the MMSE bias.
        unbiased: bool,
    },
    /// MMSE with interference rejection (coloured interference-plus-noise covariance).
    Irc {
        /// Remove the MMSE bias.
        unbiased: bool,
    },
}

/// Outcome of one [`MimoDetector::process`] call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DetectorReport {
    /// Groups whose filter was an erasure.
    pub erasures: usize,
}

/// What the filters are computed from, per group (see [`MimoDetector::process`]).
#[derive(Clone, Copy, Debug)]
pub struct GroupChannels<'a> {
    /// Channel per group, `[n_groups, n_layers, n_ant]` (the crate's channel axis order,
    /// [`crate::resource::ChannelEstimate`]: element `[g, l, a]` is layer l at receive antenna
    /// a; a PRB range of an estimate goes in as it is).
    pub h: ArrayView3<'a, C32>,
    /// Noise variance per receive antenna and RE, per group, `[n_groups]` (finite, ≥ 0).
    pub noise_var: &'a [f32],
    /// IRC interference factors U per group, `[n_groups, n_int, n_ant]` (factor i of group
    /// g is the antenna vector `[g, i, ..]`) with R = σ²I + UUᴴ (ignored by ZF and MMSE;
    /// `None` makes IRC equal MMSE).
    pub interference: Option<ArrayView3<'a, C32>>,
}

/// A contiguous [b, l, r] view of a buffer prefix whose length is b·l·r.
fn view3(buf: &[C32], shape: (usize, usize, usize)) -> ArrayView3<'_, C32> {
    match ArrayView3::from_shape(shape, buf) {
        Ok(v) => v,
        // Unreachable for the callers' exact prefixes; an empty view is always valid.
        Err(_) => ArrayView3::from_shape((0, 0, 0), &buf[..0])
            .expect("a 0 × 0 × 0 view of an empty slice is valid"),
    }
}

/// Gain below which an unbiased layer is an erasure.
const MIN_GAIN: f32 = 1e-6;

/// Most filter groups of one [`MimoDetector`] (issue 21: 1e9 PRBs used to abort in the
/// allocator); 275 PRBs is the widest NR carrier, the rest leaves room for batching carriers.
pub const MAX_GROUPS: usize = 4096;

/// The capacity of a [`MimoDetector`]: the largest shapes it will see, and the filter grouping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DetectorConfig {
    /// Most receive antennas (n_rx of a call ≤ this; ≤ 256).
    pub max_ant: usize,
    /// Most layers (n_l of a call ≤ this; ≤ max_ant).
    pub max_layers: usize,
    /// Most IRC interference dimensions (max_layers + max_interferers ≤ 32).
    pub max_interferers: usize,
    /// Most filter groups (PRBs / group_prbs of the widest allocation).
    pub max_groups: usize,
    /// PRBs per filter group (1 = per-PRB filters).
    pub group_prbs: usize,
    /// OFDM symbols of the grids the filters are applied to.
    pub n_sym: usize,
}

/// A layer's filter gain and post-equalisation noise from σ² (scaled with the group) and
/// a = [G⁻¹]_ll: ZF (1, σ²a); MMSE / IRC biased (1, g·e) or unbiased (1/g, e/g) with the MMSE
/// e = σ²a and g = 1 − e, and (0, f32::MAX) — an erased layer — where the unbiased g ≤
/// [`MIN_GAIN`] (e.g. a zero channel column, as after cancellation). e is used as such:
/// forming 1 − g from g would cancel catastrophically at high SNR (an f32 g near 1 carries e
/// to only ε/e relative precision: 6 % at e = 1e-6).
#[inline]
fn layer_gain(method: DetectorMethod, s2: f32, a_ll: f32) -> (f32, f32) {
    match method {
        DetectorMethod::Zf => (1.0, s2 * a_ll),
        DetectorMethod::Mmse { unbiased } | DetectorMethod::Irc { unbiased } => {
            let e = s2 * a_ll;
            let g = 1.0 - e;
            if !unbiased {
                (1.0, g * e)
            } else if g <= MIN_GAIN {
                (0.0, f32::MAX)
            } else {
                (1.0 / g, e / g)
            }
        }
    }
}

/// Detector for up to `max_groups` filter groups of `group_prbs` PRBs, `max_ant`
/// antennas, `max_layers` layers and `max_interferers` interference dimensions (IRC). Each
/// call takes its own numbers of groups, antennas and layers within that capacity (the users
/// of an uplink slot change with the scheduler) and allocates nothing.
pub struct MimoDetector {
    kernels: Kernels,
    cap: DetectorConfig,
    /// The shape of the current call.
    n_rx: usize,
    n_l: usize,
    n_groups: usize,
    n_int: usize,
    group_prbs: usize,
    /// The current lane block's Grams, factored in place (m × m).
    g: MatrixBatch,
    /// Their inverses G⁻¹ (m × m): the layers' MMSE from the diagonal.
    inv: MatrixBatch,
    info: Vec<u32>,
    /// Per group: whether its filters are usable (a finite inverse, no failed pivot).
    usable: Vec<bool>,
    /// Per group and batch row, [n_groups, n_l + max_interferers]: the real factor each
    /// filter row is stored with (the unbiasing gain times the group's scale; 0 for per-layer
    /// erasures; rows ≥ n_l are not read).
    row_scale: Vec<f32>,
    /// The filters, [n_groups, n_l, n_rx] of the current call in the first values.
    filters: LineVec<C32>,
    /// Post-equalisation noise, [n_groups, n_l] likewise.
    noise: Vec<f32>,
    applier: GridApplier,
    /// H_augᴴ per group of the current lane block (≤ 16 groups), solved in place into the
    /// filters F = G⁻¹H_augᴴ (m × n_rx).
    f_batch: MatrixBatch,
    /// One group's H_augᴴ on the way into the lanes (m × n_rx, row-major; the IRC path).
    f_row: LineVec<C32>,
    nv_scratch: Vec<f32>,
    /// Per group: the power of two that brings the channel's largest component into
    /// [½, 1) before the Gram (the filters are scale-covariant: F(cH, c²σ²) = F(H, σ²)/c).
    scales: Vec<f32>,
}

impl MimoDetector {
    /// Buffers for the capacity `cfg` (n_l + max_interferers ≤ 32, n_l ≤ n_rx ≤ 256, the others
    /// ≥ 1).
    pub fn new(cfg: &DetectorConfig) -> Result<Self> {
        let DetectorConfig {
            max_ant: n_rx,
            max_layers: n_l,
            max_interferers,
            max_groups: n_groups,
            group_prbs,
            n_sym,
        } = *cfg;
        crate::error::check_layers_antennas(n_l, n_rx)?;
        // Checked: max_interferers = usize::MAX used to wrap the sum to a valid-looking order
        // and index out of bounds later (found by tests/property_fuzz.rs).
        let m = n_l.saturating_add(max_interferers);
        if m > crate::simd::MAX_ORDER
            || n_groups == 0
            || group_prbs == 0
            || n_sym == 0
            || n_groups > MAX_GROUPS
            || group_prbs > 275
            || n_sym > crate::ofdm::MAX_SYMBOLS
        {
            return Err(Error::InvalidParameter {
                name: "(max_layers + max_interferers, max_groups, group_prbs, n_sym)",
                value: crate::value!("({m}, {n_groups}, {group_prbs}, {n_sym})"),
                reason: "max_layers + max_interferers ≤ 32; max_groups 1..=4096, group_prbs 1..=275, n_sym 1..=448",
            });
        }
        Ok(Self {
            kernels: Kernels::new(),
            cap: *cfg,
            n_rx,
            n_l,
            n_groups,
            n_int: max_interferers,
            group_prbs,
            // One lane block of groups at a time (`compute_filters`).
            g: MatrixBatch::zeros(m, m, LANES.min(n_groups))?,
            inv: MatrixBatch::zeros(m, m, LANES.min(n_groups))?,
            info: vec![0; n_groups],
            usable: vec![false; n_groups],
            row_scale: vec![0.0; n_groups * m],
            filters: LineVec::zeros(n_groups * n_l * n_rx)?,
            noise: vec![0.0; n_groups * n_l],
            // Blocks of ≥ 8 PRBs: the received grid is read in runs of ≥ 96 subcarriers.
            applier: GridApplier::new(n_l, n_rx, n_sym * 12 * group_prbs.max(8))?,
            f_batch: MatrixBatch::zeros(m, n_rx, LANES.min(n_groups))?,
            f_row: LineVec::zeros(n_rx * m)?,
            nv_scratch: vec![0.0; 12 * group_prbs * n_sym],
            scales: vec![1.0; n_groups],
        })
    }

    /// The capacity it was built for.
    pub fn config(&self) -> &DetectorConfig {
        &self.cap
    }

    /// Uses specific kernels (e.g. a forced SIMD backend) for the filters and the application.
    pub fn with_kernels(mut self, kernels: Kernels) -> Self {
        self.applier = self.applier.with_kernels(kernels);
        self.kernels = kernels;
        self
    }

    /// The filters of the last call, [n_groups, n_l, n_rx].
    pub fn filters(&self) -> ArrayView3<'_, C32> {
        let (b, l, r) = (self.n_groups, self.n_l, self.n_rx);
        view3(&self.filters[..b * l * r], (b, l, r))
    }

    /// The post-equalisation noise variances of the last call, [n_groups, n_l].
    pub fn noise(&self) -> ndarray::ArrayView2<'_, f32> {
        let (b, l) = (self.n_groups, self.n_l);
        match ndarray::ArrayView2::from_shape((b, l), &self.noise[..b * l]) {
            Ok(v) => v,
            Err(_) => ndarray::ArrayView2::from_shape((0, 0), &self.noise[..0])
                .expect("a 0 × 0 view of an empty slice is valid"),
        }
    }

    /// Computes the filters ([`Self::filters`]) and post-equalisation noise variances
    /// ([`Self::noise`]) from `channels` (H, σ² and, for IRC, U with n_int ≤
    /// max_interferers), without applying them.
    pub fn compute(
        &mut self,
        channels: &GroupChannels<'_>,
        method: DetectorMethod,
    ) -> Result<DetectorReport> {
        let GroupChannels {
            h,
            noise_var,
            interference,
        } = *channels;
        let (b, l, r) = h.dim();
        let c = &self.cap;
        if b == 0
            || b > c.max_groups
            || r == 0
            || r > c.max_ant
            || l == 0
            || l > c.max_layers
            || l > r
        {
            return Err(Error::ShapeMismatch {
                name: "h [n_groups ≤ max_groups, n_layers ≤ min(max_layers, n_ant), n_ant ≤ max_ant]",
                expected: crate::error::Shape::of(&[c.max_groups, c.max_layers, c.max_ant]),
                got: crate::error::Shape::of(h.shape()),
            });
        }
        if noise_var.len() != b {
            return Err(Error::ShapeMismatch {
                name: "noise_var [n_groups]",
                expected: crate::error::Shape::of(&[b]),
                got: crate::error::Shape::of(&[noise_var.len()]),
            });
        }
        crate::error::check_noise_var(noise_var)?;
        let n_int = match (method, &interference) {
            (DetectorMethod::Irc { .. }, Some(u)) => {
                let ni = u.dim().1;
                if u.dim().0 != b || u.dim().2 != r || ni > self.cap.max_interferers {
                    return Err(Error::ShapeMismatch {
                        name: "interference [n_groups, n_int ≤ max_interferers, n_ant]",
                        expected: crate::error::Shape::of(&[
                            b,
                            ni.min(self.cap.max_interferers),
                            r,
                        ]),
                        got: crate::error::Shape::of(u.shape()),
                    });
                }
                ni
            }
            _ => 0,
        };
        // This call's shape: the batches reshaped inside their allocation.
        (self.n_groups, self.n_rx, self.n_l) = (b, r, l);
        self.compute_filters(h, noise_var, interference, n_int, method)?;
        let erasures = self.info[..b].iter().filter(|&&i| i != 0).count();
        Ok(DetectorReport { erasures })
    }

    /// [`Self::compute`], then applies the filters to the received grid `y`
    /// [n_rx, n_sym, n_sc] → layer grid `x` [n_l, n_sym, n_sc], with the post-equalisation
    /// noise variance per group and layer in `x_noise_var` [n_groups, n_l]. Group g covers
    /// subcarriers 12·group_prbs·g ..
    pub fn process(
        &mut self,
        channels: &GroupChannels<'_>,
        method: DetectorMethod,
        y: ArrayView3<'_, C32>,
        x: ArrayViewMut3<'_, C32>,
        x_noise_var: ArrayViewMut2<'_, f32>,
    ) -> Result<DetectorReport> {
        let band_sc = 12 * self.group_prbs;
        self.process_bands(channels, method, band_sc, y, x, x_noise_var)
    }

    /// [`Self::process`] with group g covering subcarriers `band_sc·g .. band_sc·(g + 1)`
    /// (the last group may be partial): sub-PRB filters (`band_sc` of 1–6 subcarriers, each
    /// group's channel taken over its own band) or groups of any width. `band_sc` ≥ 1
    /// (`InvalidParameter` naming it); other errors as [`Self::process`].
    pub fn process_bands(
        &mut self,
        channels: &GroupChannels<'_>,
        method: DetectorMethod,
        band_sc: usize,
        y: ArrayView3<'_, C32>,
        x: ArrayViewMut3<'_, C32>,
        x_noise_var: ArrayViewMut2<'_, f32>,
    ) -> Result<DetectorReport> {
        self.bands_on(channels, method, band_sc, None, y, x, x_noise_var)
    }

    /// [`Self::process_bands`] on the OFDM symbols `symbols` of `y` and `x` only (axis 1,
    /// strictly ascending, each < n_sym): a slot's data symbols, skipping those whose every
    /// subcarrier carries DMRS (ports in every CDM group, 38.211 §6.4.1.1.3: such a DMRS
    /// symbol holds no data). The rows of `x` on other symbols are not written. Errors: as
    /// [`Self::process_bands`], and `symbols` out of order or range (`InvalidParameter`
    /// naming `symbols`).
    #[allow(clippy::too_many_arguments)]
    pub fn process_bands_symbols(
        &mut self,
        channels: &GroupChannels<'_>,
        method: DetectorMethod,
        band_sc: usize,
        symbols: &[usize],
        y: ArrayView3<'_, C32>,
        x: ArrayViewMut3<'_, C32>,
        x_noise_var: ArrayViewMut2<'_, f32>,
    ) -> Result<DetectorReport> {
        self.bands_on(channels, method, band_sc, Some(symbols), y, x, x_noise_var)
    }

    /// [`Self::process_bands_symbols`] (`None`: every symbol).
    #[allow(clippy::too_many_arguments)]
    fn bands_on(
        &mut self,
        channels: &GroupChannels<'_>,
        method: DetectorMethod,
        band_sc: usize,
        symbols: Option<&[usize]>,
        y: ArrayView3<'_, C32>,
        x: ArrayViewMut3<'_, C32>,
        mut x_noise_var: ArrayViewMut2<'_, f32>,
    ) -> Result<DetectorReport> {
        if band_sc == 0 {
            return Err(Error::InvalidParameter {
                name: "band_sc",
                value: crate::error::Value::of(&band_sc),
                reason: "at least one subcarrier per group",
            });
        }
        let (b, l, _) = channels.h.dim();
        if x_noise_var.dim() != (b, l) {
            return Err(Error::ShapeMismatch {
                name: "x_noise_var [n_groups, n_l]",
                expected: crate::error::Shape::of(&[b, l]),
                got: crate::error::Shape::of(x_noise_var.shape()),
            });
        }
        let report = self.compute(channels, method)?;
        let (b, l, r) = (self.n_groups, self.n_l, self.n_rx);
        x_noise_var.assign(&self.noise());
        let filters = view3(&self.filters[..b * l * r], (b, l, r));
        match symbols {
            Some(list) => self
                .applier
                .process_grid_symbols(filters, band_sc, list, y, x)?,
            None => self.applier.process_grid_subbands(filters, band_sc, y, x)?,
        }
        Ok(report)
    }

    /// The filters of every group, one lane block of 16 groups at a time through every
    /// stage (load, scale, Gram, factor, inverse, solve, store), so that a block's batches stay
    /// in the L1/L2 caches between the kernels: the channels are read once and the filters
    /// written once (a whole slot's batch of 273 PRBs × 16 × 64 took seven passes through the
    /// last-level cache).
    fn compute_filters(
        &mut self,
        h: ArrayView3<'_, C32>,
        noise_var: &[f32],
        interference: Option<ArrayView3<'_, C32>>,
        n_int: usize,
        method: DetectorMethod,
    ) -> Result<()> {
        let (b, l, r) = (self.n_groups, self.n_l, self.n_rx);
        let m = l + self.n_int; // batch matrix width; unused columns stay zero
        // Factors reach the augmented matrix for IRC only (ZF and MMSE ignore them).
        let interference = interference.filter(|_| n_int > 0);
        for g0 in (0..b).step_by(LANES) {
            let len = LANES.min(b - g0);
            self.g.reshape(m, m, len)?;
            self.inv.reshape(m, m, len)?;
            self.f_batch.reshape(m, r, len)?;
            self.block_filters(g0, h, noise_var, interference, n_int, method)?;
        }
        Ok(())
    }

    /// [`Self::compute_filters`] for groups `g0..g0 + len` (the batches' length, reshaped by
    /// the caller); `interference` only where the call has factors.
    fn block_filters(
        &mut self,
        g0: usize,
        h: ArrayView3<'_, C32>,
        noise_var: &[f32],
        interference: Option<ArrayView3<'_, C32>>,
        n_int: usize,
        method: DetectorMethod,
    ) -> Result<()> {
        let (l, r, len) = (self.n_l, self.n_rx, self.f_batch.len());
        let m = l + self.n_int; // batch matrix width; unused columns stay zero
        let groups = g0..g0 + len;
        match h.as_slice() {
            // No interference columns: `h` holds Hᵀ per group (n_l × n_rx), moved into the
            // lanes by register tile transposes; conjugated it is H_augᴴ = Hᴴ.
            Some(src) if self.n_int == 0 => {
                let block = &src[g0 * l * r..(g0 + len) * l * r];
                self.kernels.load_batch(block, &mut self.f_batch)?;
                self.f_batch.conjugate();
            }
            _ => self.build_augmented(g0, h, interference)?,
        }
        // Scale invariance (issue 21): each group's H (and U) brought to a largest component in
        // [½, 1) by a power of two (exact), σ² by its square, so that channels of 1e-20 or 1e20
        // neither underflow nor overflow in the Gram; the filters are scaled back below.
        let mut rescale = false;
        // The largest |component| of each group's H_aug = [H U], in the lanes (NaN passed
        // over: such a group's filters fail or erase below whatever its scale).
        // The peaks go into `scales`, each then replaced by its group's scale.
        self.f_batch.max_abs_each(&mut self.scales[groups.clone()]);
        for gi in groups.clone() {
            // e = ⌊log2 peak⌋ + 1 from the exponent bits (normal peaks; all-zero,
            // denormal-only or infinite groups keep scale 1 — their filters fail or erase).
            let exp = (self.scales[gi].to_bits() >> 23) as i32;
            let e = if (1..255).contains(&exp) {
                (exp - 127 + 1).clamp(-100, 100)
            } else {
                0
            };
            // 2^(−e) exactly; |e| ≤ 100 keeps it and its square's factors normal.
            self.scales[gi] = f32::from_bits(((127 - e) as u32) << 23);
            rescale |= e != 0;
        }
        if rescale {
            self.f_batch.scale_each(&self.scales[groups.clone()]);
        }
        // G = H_augᴴH_aug as the row Gram of H_augᴴ (the solve's right-hand side, so no
        // second copy of the channel in the lanes).
        self.kernels
            .gram(&self.f_batch, GramSide::AAh, 0.0, &mut self.g)?;
        // Unused interference columns: unit diagonal keeps the Gram invertible and decoupled.
        let load = !matches!(method, DetectorMethod::Zf);
        for gi in groups.clone() {
            let sc = self.scales[gi];
            let s2 = noise_var[gi] * sc * sc;
            self.g.add_diagonal(gi - g0, |j| {
                if j >= l + n_int {
                    1.0
                } else if load {
                    s2
                } else {
                    0.0
                }
            })?;
        }
        // ZF: singular at the stated pivot tolerance 2⁻¹² (the same erasures on every backend,
        // issue 21); MMSE / IRC Grams are loaded with σ² and keep the f32 limit k·ε.
        let tolerance = if load { 0.0 } else { ZF_PIVOT_TOLERANCE };
        self.kernels.cholesky_with_tolerance(
            &mut self.g,
            &mut self.info[groups.clone()],
            tolerance,
        )?;
        self.kernels.cholesky_inverse(&self.g, &mut self.inv)?;
        // The block's filters, in the lanes: F = G⁻¹·H_augᴴ (rows ≥ n_l unused); their
        // output rows are requested into the cache while it is solved.
        let out = g0 * l * r..(g0 + len) * l * r;
        self.kernels.cholesky_solve_then(
            &self.g,
            &mut self.f_batch,
            &[&self.filters[out.clone()]],
        )?;
        // A group whose factorisation failed or whose inverse has a non-finite entry is an
        // erasure.
        let usable = &mut self.usable[groups.clone()];
        usable.fill(false);
        self.inv.finite_each(usable);
        for (u, &info) in usable.iter_mut().zip(&self.info[groups.clone()]) {
            *u &= info == 0;
        }
        // Per layer: the gain its filter row is stored with and its post-equalisation noise,
        // from the inverse's diagonal read in the lanes (element (l, l) of the block's 16
        // groups is one run of 16 real parts). Rows ≥ n_l (interference) are not stored, and
        // their scales not read.
        for li in 0..l {
            let diag = self.inv.re_lanes(0, li, li)?;
            for (gi, &a_ll) in groups.clone().zip(diag) {
                let sc = self.scales[gi];
                let (gain, nv) = layer_gain(method, noise_var[gi] * sc * sc, a_ll);
                self.noise[gi * l + li] = nv;
                // F(H) = s·F(s·H) for the scaled channel s·H.
                self.row_scale[gi * m + li] = gain * sc;
            }
        }
        for gi in groups.clone() {
            if !self.usable[gi] {
                self.info[gi] = self.info[gi].max(1);
                self.noise[gi * l..(gi + 1) * l].fill(f32::MAX);
            }
        }
        // F_l = scale · [G⁻¹H_augᴴ]_l for every group and layer, out of the lanes at once.
        self.kernels.store_rows(
            &self.f_batch,
            l,
            &self.row_scale[g0 * m..(g0 + len) * m],
            &mut self.filters[out],
        )?;
        for gi in groups {
            // An erasure's filters are zero (its non-finite values times 0 are NaN).
            if !self.usable[gi] {
                self.filters[gi * l * r..(gi + 1) * l * r].fill(C32::new(0.0, 0.0));
            }
        }
        Ok(())
    }

    /// H_augᴴ = [H U]ᴴ of groups `g0..g0 + len` (the batch's length) into the lanes, one
    /// group at a time (the IRC path, or a channel array not in standard layout).
    fn build_augmented(
        &mut self,
        g0: usize,
        h: ArrayView3<'_, C32>,
        interference: Option<ArrayView3<'_, C32>>,
    ) -> Result<()> {
        let (l, r) = (self.n_l, self.n_rx);
        let m = l + self.n_int;
        let zero = C32::new(0.0, 0.0);
        for k in 0..self.f_batch.len() {
            let gi = g0 + k;
            let f_row = &mut self.f_row[..m * r];
            f_row.fill(zero);
            // h [g, layer, ant] and u [g, factor, ant]: each a row of H_augᴴ, conjugated.
            let hg = h.index_axis(ndarray::Axis(0), gi);
            let ug = interference
                .as_ref()
                .map(|u| u.index_axis(ndarray::Axis(0), gi));
            let rows = hg
                .outer_iter()
                .chain(ug.iter().flat_map(|u| u.outer_iter()));
            for (row, src) in f_row.chunks_exact_mut(r).zip(rows) {
                for (f, &v) in row.iter_mut().zip(src.iter()) {
                    *f = v.conj();
                }
            }
            self.f_batch.load_matrix(k, f_row)?;
        }
        Ok(())
    }

    /// LLRs of layer `layer` of a detected grid `x` [n_l, n_sym, n_sc] with the noise
    /// variances `x_noise_var` [n_groups, n_l] of the same call, into `llr` (bit-major per RE,
    /// REs symbol-major: `llr[(l·n_sc + sc)·Qm + bit]`), through [`crate::modulation::demap`].
    /// Subcarrier k takes the noise of group ⌊k / (12·group_prbs)⌋; subcarriers past the last
    /// group take the last group's.
    pub fn demap(
        &mut self,
        modulation: Modulation,
        method: DemapMethod,
        x: ArrayView3<'_, C32>,
        x_noise_var: ArrayView2<'_, f32>,
        layer: usize,
        llr: &mut [f32],
    ) -> Result<()> {
        let (n_l, n_sym, n_sc) = x.dim();
        let qm = modulation.bits_per_symbol();
        if n_l != self.n_l || layer >= n_l || x_noise_var.dim() != (self.n_groups, self.n_l) {
            return Err(Error::ShapeMismatch {
                name: "x [n_l, n_sym, n_sc] / x_noise_var [n_groups, n_l] / layer",
                expected: crate::error::Shape::of(&[self.n_l, n_sym, n_sc]),
                got: crate::error::Shape::of(x.shape()),
            });
        }
        if llr.len() != n_sym * n_sc * qm {
            return Err(Error::ShapeMismatch {
                name: "llr [n_sym·n_sc·Qm]",
                expected: crate::error::Shape::of(&[n_sym * n_sc * qm]),
                got: crate::error::Shape::of(&[llr.len()]),
            });
        }
        let gsc = 12 * self.group_prbs;
        for l in 0..n_sym {
            let row = x.slice(ndarray::s![layer, l, ..]);
            let mut sc0 = 0;
            while sc0 < n_sc {
                let g = sc0 / gsc;
                let sc1 = ((g + 1) * gsc).min(n_sc);
                let n = sc1 - sc0;
                let nv = x_noise_var[[g.min(self.n_groups - 1), layer]];
                self.nv_scratch[..n].fill(nv);
                let seg = row.slice(ndarray::s![sc0..sc1]);
                let out = &mut llr[(l * n_sc + sc0) * qm..(l * n_sc + sc1) * qm];
                match seg.as_slice() {
                    Some(sym) => demap(modulation, method, sym, &self.nv_scratch[..n], out)?,
                    None => {
                        return Err(Error::ShapeMismatch {
                            name: "x (a subcarrier row must be contiguous)",
                            expected: crate::error::Shape::of(&[1]),
                            got: crate::error::Shape::of(&[seg.strides()[0].unsigned_abs()]),
                        });
                    }
                }
                sc0 = sc1;
            }
        }
        Ok(())
    }
}
