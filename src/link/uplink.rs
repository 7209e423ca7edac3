//! The uplink slot processor of one carrier: OFDM demodulation per antenna → DMRS channel
//! estimation → MMSE / MMSE-IRC / ZF detection per PRB (or per sub-PRB band,
//! [`UplinkSlot::with_sub_prb_filters`]) → LLRs. Allocation-free after
//! construction.
//!
//! Capacity-sized in the scheduled users: the DMRS pattern given at construction holds one
//! port per user the slot may carry; each [`UplinkSlot::detect_groups`] call takes that slot's
//! MU-MIMO groups (which ports, on which PRBs) and detects only them.

use crate::detection::{DetectorMethod, DetectorReport, GroupChannels, MimoDetector};
use crate::estimation::{
    ChannelEstimator, ChannelReport, EstimatorConfig, OutputResolution, PilotPattern,
};
use crate::fronthaul::{Timing, UplaneCodec};
use crate::link::irc::IrcFactors;
use crate::link::screen::{AntennaHealth, GridScreen, RowScreen};
use crate::modulation::{DemapMethod, Modulation, demap, demap_i8};
use crate::ofdm::{OfdmConfig, OfdmDemodulator};
use crate::resource::{AlignedGrid, ChannelEstimate, MuGroup, PrbAllocation, SUBCARRIERS_PER_PRB};
use crate::simd::{LineVec, ScreenBits};
use crate::{C32, Error, Result};
use ndarray::{Array2, ArrayView2, ArrayView3, ArrayViewMut3};

/// Port indices 0..32 for the all-users case of [`UplinkSlot::detect`].
const ALL_PORTS: [usize; 32] = {
    let mut a = [0usize; 32];
    let mut i = 0;
    while i < 32 {
        a[i] = i;
        i += 1;
    }
    a
};

/// One carrier's uplink chain for up to `n_layers` single-layer users (the DMRS ports) on
/// `n_ant`.
pub struct UplinkSlot {
    n_layers: usize,
    n_ant: usize,
    n_prb: usize,
    demod: OfdmDemodulator,
    grid: AlignedGrid,
    est: ChannelEstimator,
    /// DMRS estimates `[runs, n_prb, n_layers, n_ant]` (one run per DMRS occasion).
    h_est: ChannelEstimate,
    /// One group's channels on one PRB range, `[len, k, n_ant]` in the first values.
    h_prb: LineVec<C32>,
    noise: Vec<f32>,
    det: MimoDetector,
    x: AlignedGrid,
    x_noise: Array2<f32>,
    /// Post-detection noise per filter band and stream, [n_prb · 12 / band_sc, n_layers]
    /// (equal to `x_noise` with per-PRB filters): what the LLRs scale by.
    x_noise_band: Array2<f32>,
    /// Subcarriers per detection filter: 12 (per PRB, the default) or 1, 2, 3, 4, 6
    /// ([`UplinkSlot::with_sub_prb_filters`]).
    band_sc: usize,
    /// One group's post-detection noise on one PRB range, [len · 12 / band_sc, k].
    x_noise_tmp: Vec<f32>,
    noise_row: Vec<f32>,
    /// Streams of the last detection (Σ group sizes).
    k: usize,
    /// Antenna screening of the received grid (containment of NaN / stuck receivers).
    screen: GridScreen,
    /// Per antenna, the screening bits the demodulator folded while writing the grid; valid
    /// while `screened` (cleared by every other way the grid can change).
    screen_bits: Vec<ScreenBits>,
    screened: bool,
    /// Per (antenna, symbol) row, the screening bits [`Self::receive_uplane`] folded while
    /// decoding it (rows it did not write whole, or that changed since, are screened by the
    /// next detection).
    rows: RowScreen,
    /// PRBs where every DMRS port has pilots (what detection may use).
    dmrs_prbs: std::ops::Range<usize>,
    /// DMRS residuals and interference factors for MMSE-IRC ([`Self::with_irc`]).
    irc: Option<IrcFactors>,
    /// The symbols detection runs on: those with a subcarrier of the DMRS band that carries
    /// no DMRS ([`PilotPattern::symbols_with_data`]).
    data_symbols: Vec<usize>,
}

impl UplinkSlot {
    /// Buffers for `n_ant`, the DMRS pattern `dmrs` (one port per layer/user, 14 symbols),
    /// and the OFDM demodulator of `ofdm` (window 0.5 of the CP).
    pub fn new(n_ant: usize, dmrs: PilotPattern, ofdm: &OfdmConfig) -> Result<Self> {
        let n_layers = dmrs.n_ports();
        if ofdm.n_sc == 0 || !ofdm.n_sc.is_multiple_of(12) || ofdm.n_symbols != 14 {
            return Err(Error::InvalidParameter {
                name: "ofdm (n_sc, n_symbols)",
                value: crate::value!("({}, {})", ofdm.n_sc, ofdm.n_symbols),
                reason: "whole PRBs and 14-symbol slots",
            });
        }
        let n_prb = ofdm.n_sc / 12;
        // The DMRS band: every port's pilots on one contiguous PRB range (a partial-band DMRS
        // is a PUSCH allocation narrower than the carrier; detection is limited to it).
        let dmrs_prbs = match dmrs.common_prbs() {
            Some(r) if r.end <= n_prb && dmrs.n_sc() == ofdm.n_sc => r,
            _ => {
                return Err(Error::InvalidParameter {
                    name: "dmrs (pilot band)",
                    value: crate::value!("{:?} on {n_prb} PRBs", dmrs.common_prbs()),
                    reason: "every port's DMRS on one contiguous PRB range of the OFDM grid",
                });
            }
        };
        // Additional DMRS positions (38.211 Table 7.4.1.1.2-3, e.g. symbols {2, 11}) give one
        // estimate per occasion; detection uses their mean over the slot.
        let est_cfg = EstimatorConfig {
            resolution: OutputResolution::Prb,
            ..EstimatorConfig::default()
        };
        let data_symbols = dmrs.symbols_with_data(dmrs_prbs.clone());
        let est = ChannelEstimator::new(dmrs, n_ant, est_cfg)?;
        let h_est = est.estimate()?;
        Ok(Self {
            n_layers,
            n_ant,
            n_prb,
            demod: OfdmDemodulator::new(ofdm, 0.5)?,
            grid: AlignedGrid::zeros3([n_ant, 14, ofdm.n_sc])?,
            est,
            h_est,
            h_prb: LineVec::zeros(n_prb * n_ant * n_layers)?,
            noise: vec![0.0; n_prb],
            det: MimoDetector::new(&crate::detection::DetectorConfig {
                max_ant: n_ant,
                max_layers: n_layers,
                max_interferers: 0,
                max_groups: n_prb,
                group_prbs: 1,
                n_sym: 14,
            })?,
            x: AlignedGrid::zeros3([n_layers, 14, ofdm.n_sc])?,
            x_noise: Array2::zeros((n_prb, n_layers)),
            x_noise_band: Array2::zeros((n_prb, n_layers)),
            band_sc: SUBCARRIERS_PER_PRB,
            x_noise_tmp: vec![0.0; n_prb * n_layers],
            noise_row: vec![0.0; ofdm.n_sc],
            k: 0,
            screen: GridScreen::new(n_ant),
            screen_bits: vec![ScreenBits::default(); n_ant],
            screened: false,
            rows: RowScreen::new(n_ant, 14)?,
            irc: None,
            dmrs_prbs,
            data_symbols,
        })
    }

    /// The IRC dimensions the C ABI and the Python bindings give every uplink slot (when
    /// `n_layers` leaves room: n_layers + 2 ≤ 32).
    pub const DEFAULT_IRC_DIMENSIONS: usize = 2;

    /// [`Self::with_irc`] with [`Self::DEFAULT_IRC_DIMENSIONS`] when the layers leave room for
    /// them, else the slot unchanged (IRC then rejected by name).
    pub fn with_default_irc(self) -> Result<Self> {
        if self.n_layers + Self::DEFAULT_IRC_DIMENSIONS <= 32 {
            self.with_irc(Self::DEFAULT_IRC_DIMENSIONS)
        } else {
            Ok(self)
        }
    }

    /// Makes [`DetectorMethod::Irc`] available: per PRB, the DMRS residuals of every detection
    /// give up to `max_interferers` interference dimensions (1 ..= 32 − n_layers), whitened by
    /// the MMSE-IRC filters ([`crate::link`]'s `irc` module documents the estimate and its
    /// cost). Allocates the residual and factor buffers here, nothing per slot.
    ///
    /// Errors: `max_interferers` 0 or beyond 32 − n_layers (`InvalidParameter` naming it); a
    /// slot with sub-PRB filters ([`Self::with_sub_prb_filters`]; naming `irc`); a DMRS
    /// pattern that leaves a PRB without pilots.
    pub fn with_irc(mut self, max_interferers: usize) -> Result<Self> {
        if self.band_sc != SUBCARRIERS_PER_PRB {
            return Err(Error::InvalidParameter {
                name: "irc",
                value: crate::value!("sub-PRB filters of {} subcarriers", self.band_sc),
                reason: "sub-PRB filters are MMSE / ZF only (the IRC covariance is per PRB)",
            });
        }
        if max_interferers == 0 || self.n_layers + max_interferers > 32 {
            return Err(Error::InvalidParameter {
                name: "max_interferers",
                value: crate::error::Value::of(&max_interferers),
                reason: "1 ..= 32 − n_layers interference dimensions",
            });
        }
        self.det = MimoDetector::new(&crate::detection::DetectorConfig {
            max_interferers,
            ..*self.det.config()
        })?;
        self.irc = Some(IrcFactors::new(
            self.est.pattern(),
            self.n_ant,
            self.n_prb,
            max_interferers,
        )?);
        Ok(self)
    }

    /// Detection filters per band of `subcarriers` (1, 2, 3, 4 or 6) instead of per PRB: the
    /// DMRS estimated per subcarrier, each band's MMSE / ZF filter from the mean channel over
    /// its own subcarriers — on a channel that turns inside a PRB (delay spread), a filter
    /// designed for the PRB's mean leaks the other layers at the PRB's edges. The filter design
    /// costs 12 / `subcarriers` times the per-PRB one; the application is the same GEMM work.
    /// [`Self::layer_noise`] stays per PRB (the mean of its bands' noise variances); the LLRs
    /// use each band's own. Allocates the larger buffers here, nothing per slot.
    ///
    /// Errors (`InvalidParameter` naming the value): `subcarriers` not 1, 2, 3, 4 or 6; a slot
    /// with MMSE-IRC buffers ([`Self::with_irc`]: its residual covariance is per PRB).
    pub fn with_sub_prb_filters(mut self, subcarriers: usize) -> Result<Self> {
        if !matches!(subcarriers, 1 | 2 | 3 | 4 | 6) {
            return Err(Error::InvalidParameter {
                name: "subcarriers",
                value: crate::error::Value::of(&subcarriers),
                reason: "1, 2, 3, 4 or 6 subcarriers per detection filter",
            });
        }
        if self.irc.is_some() {
            return Err(Error::InvalidParameter {
                name: "irc",
                value: "with_irc".into(),
                reason: "sub-PRB filters are MMSE / ZF only (the IRC covariance is per PRB)",
            });
        }
        let n_bands = self.n_prb * SUBCARRIERS_PER_PRB / subcarriers;
        let est_cfg = EstimatorConfig {
            resolution: OutputResolution::Subcarrier,
            ..EstimatorConfig::default()
        };
        self.est = ChannelEstimator::new(self.est.pattern().clone(), self.n_ant, est_cfg)?;
        self.h_est = self.est.estimate()?;
        self.det = MimoDetector::new(&crate::detection::DetectorConfig {
            max_groups: n_bands,
            ..*self.det.config()
        })?;
        self.h_prb = LineVec::zeros(n_bands * self.n_ant * self.n_layers)?;
        self.noise = vec![0.0; n_bands];
        self.x_noise_tmp = vec![0.0; n_bands * self.n_layers];
        self.x_noise_band = Array2::zeros((n_bands, self.n_layers));
        self.band_sc = subcarriers;
        Ok(self)
    }

    /// Samples per antenna of one slot's waveform.
    pub fn waveform_len(&self) -> usize {
        self.demod.input_len()
    }

    /// OFDM-demodulates `waveform` [n_ant, waveform_len()] into the slot's grid, screening
    /// each antenna as it is written (so detection's screening reads the grid only for
    /// antennas with a non-finite or clipped sample; see [`Self::antenna_health`]).
    pub fn demodulate(&mut self, waveform: ArrayView2<'_, C32>) -> Result<()> {
        self.screened = false;
        self.rows.clear();
        self.demod.process_antennas_screened(
            waveform,
            self.grid.view3_mut(),
            &mut self.screen_bits,
        )?;
        self.screened = true;
        Ok(())
    }

    /// The received grid [n_ant, 14, n_sc] (write it directly for frequency-domain
    /// simulations; detection then screens it in a pass of its own).
    pub fn grid_mut(&mut self) -> ArrayViewMut3<'_, C32> {
        self.screened = false;
        self.rows.clear();
        self.grid.view3_mut()
    }

    /// Receives one O-RAN 7.2x U-plane message (application header and sections, after the
    /// eCPRI header) of receive antenna `antenna` straight into the grid: the sections'
    /// compressed PRBs are decompressed, scaled to float by `codec` and written at the header's
    /// symbol — the frequency-domain split, where the radio did the FFT. The row is screened
    /// as it is decoded ([`UplaneCodec::read_message_screened`]) when the message writes all
    /// of it, so detection's screening reads only the rows no message wrote whole. Returns the
    /// message's timing. Errors: `antenna` out of range, a symbol id ≥ 14, a codec for another carrier
    /// size, and the codec's own (malformed sections, exponents, compression header).
    pub fn receive_uplane(
        &mut self,
        codec: &mut UplaneCodec,
        antenna: usize,
        message: &[u8],
    ) -> Result<Timing> {
        let (timing, _) = Timing::read(message)?;
        self.screened = false;
        if antenna >= self.n_ant {
            return Err(Error::InvalidParameter {
                name: "antenna",
                value: crate::error::Value::of(&antenna),
                reason: "must be below the slot's receive antennas",
            });
        }
        let l = usize::from(timing.symbol_id);
        // `Timing::read` bounds symbolId to 0..=13 and the antenna is checked above.
        let row = self.grid.row_mut(antenna, l).unwrap_or(&mut []);
        // Its bits are known again only when this message wrote all of the row.
        self.rows.receive(codec, antenna, l, message, row)?;
        // Samples at the codec's rail were clipped on the way: the screen zeroes them.
        self.screen.set_full_scale(Some(codec.full_scale()))?;
        Ok(timing)
    }

    /// The magnitude at which a received component counts as clipped (the ADC's full scale
    /// in the grid's unit), or `None`; [`Self::receive_uplane`] sets it from its codec. See
    /// [`GridScreen::set_full_scale`].
    pub fn set_full_scale(&mut self, full_scale: Option<f32>) -> Result<()> {
        self.screen.set_full_scale(full_scale)
    }

    /// What the screening of the last detection's received grid found per antenna (non-finite
    /// samples and stuck antennas are zeroed before estimation, so the other antennas' and
    /// users' results are not poisoned; see [`crate::link::screen`]).
    pub fn antenna_health(&self) -> &[AntennaHealth] {
        self.screen.health()
    }

    /// The received grid.
    pub fn grid(&self) -> ArrayView3<'_, C32> {
        self.grid.view3()
    }

    /// DMRS estimation per PRB, then per-PRB `method` filters applied to every RE, for every
    /// DMRS port (user) on every PRB of the DMRS band ([`Self::dmrs_prbs`]) — the one-group
    /// case of [`Self::detect_groups`]. The noise
    /// variance is `noise_var`, or the estimator's measurement from the DMRS when `None`
    /// (the estimator's full report: [`Self::channel_report`]).
    pub fn detect(
        &mut self,
        method: DetectorMethod,
        noise_var: Option<f32>,
    ) -> Result<DetectorReport> {
        let all = self.dmrs_prbs.clone();
        let prbs = PrbAllocation::new(std::slice::from_ref(&all), self.n_prb)?;
        let users = ALL_PORTS;
        let n = self.n_layers;
        if n > users.len() {
            return Err(Error::InvalidParameter {
                name: "n_layers",
                value: crate::error::Value::of(&n),
                reason: "at most 32 DMRS ports",
            });
        }
        self.detect_groups(
            &[MuGroup {
                users: &users[..n],
                prbs,
            }],
            method,
            noise_var,
        )
    }

    /// The slot's MU-MIMO groups: `groups[g].users` are DMRS port indices (rows of the pilot
    /// pattern) detected together on `groups[g].prbs`; streams are numbered group by group
    /// (K = Σ sizes ≤ n_layers): [`Self::layers`] row j and [`Self::layer_noise`] column j
    /// are stream j, zero / `f32::MAX` outside its group's PRBs. Estimation runs once for the
    /// slot's pilot configuration ([`ChannelEstimator::process_groups`]: each port's DMRS on its
    /// group's PRBs, CDM groups de-spread together, no filter across an allocation edge);
    /// detection per group and PRB range.
    ///
    /// Errors (typed, naming the value): no group, an empty group, a port out of range or
    /// twice in a group or in two groups, more than n_layers streams, allocations beyond the carrier or sharing
    /// a PRB.
    pub fn detect_groups(
        &mut self,
        groups: &[MuGroup<'_>],
        method: DetectorMethod,
        noise_var: Option<f32>,
    ) -> Result<DetectorReport> {
        let total: usize = groups.iter().map(|g| g.users.len()).sum();
        if groups.is_empty() || total > self.n_layers {
            return Err(Error::InvalidParameter {
                name: "groups (streams)",
                value: crate::error::Value::of(&total),
                reason: "1 ..= n_layers streams in at least one group",
            });
        }
        for (gi, g) in groups.iter().enumerate() {
            let sel = g.users;
            if sel.is_empty()
                || sel.iter().any(|&u| u >= self.n_layers)
                || sel.iter().enumerate().any(|(i, u)| sel[..i].contains(u))
            {
                return Err(Error::InvalidParameter {
                    name: "users (DMRS ports)",
                    value: crate::value!("{sel:?}"),
                    reason: "distinct port indices below n_layers, at least one per group",
                });
            }
            for r in g.prbs.ranges() {
                let clash = groups[..gi].iter().any(|o| o.prbs.intersects(r));
                let band = &self.dmrs_prbs;
                if r.start < band.start || r.end > band.end || clash {
                    return Err(Error::InvalidParameter {
                        name: "prb allocation",
                        value: crate::value!("{r:?} of group {gi}, DMRS on PRBs {band:?}"),
                        reason: "inside the DMRS band, and no PRB in two groups",
                    });
                }
            }
        }
        // Containment: non-finite samples and stuck antennas zeroed before they reach the
        // estimator's shared statistics (see `link::screen`).
        // From the demodulator's bits, or the rows' (the U-plane receive's, the others
        // screened now).
        let flagged = if self.screened {
            self.screen
                .inspect_screened(self.grid.view3(), &self.screen_bits)?
        } else {
            self.screen
                .inspect_rows(self.grid.view3(), &mut self.rows)?
        };
        if flagged > 0 {
            self.screen.contain(self.grid.view3_mut());
            // The grid changed: a later detection screens it afresh.
            self.screened = false;
            self.rows.clear();
        }
        // The slot's pilot configuration: each group's ports on the group's PRBs only.
        let measured = self
            .est
            .process_groups(self.grid.view3(), noise_var, groups, &mut self.h_est)?
            .noise_var_estimate;
        let nv = noise_var.unwrap_or(measured);
        if let DetectorMethod::Irc { .. } = method {
            let irc = self.irc.as_mut().ok_or_else(|| Error::InvalidParameter {
                name: "method",
                value: "Irc".into(),
                reason: "MMSE-IRC needs the interference buffers of UplinkSlot::with_irc",
            })?;
            let prbs = groups.iter().flat_map(|g| g.prbs.ranges().iter());
            irc.update(self.est.pattern(), self.grid.view3(), &self.h_est, nv, prbs)?;
        }
        self.noise.fill(nv);
        self.x_noise.fill(f32::MAX);
        self.x_noise_band.fill(f32::MAX);
        let sc = SUBCARRIERS_PER_PRB;
        // Filter bands per PRB, and the estimate's outputs per band (one output per PRB, or
        // one per subcarrier with sub-PRB filters).
        let per = sc / self.band_sc;
        let outs = if per == 1 { 1 } else { self.band_sc };
        let mut report = DetectorReport::default();
        let mut col0 = 0;
        for g in groups {
            let k = g.users.len();
            for r in g.prbs.ranges() {
                let len = r.len() * per;
                let o0 = r.start * per * outs;
                // [len, k, n_ant]: the group's ports on each band, mean over the band's
                // outputs and the DMRS occasions.
                let bands = (0..len).map(|i| o0 + i * outs..o0 + (i + 1) * outs);
                let h = self.h_est.gather(g.users, bands, &mut self.h_prb)?;
                let ch = GroupChannels {
                    h,
                    noise_var: &self.noise[..len],
                    interference: match (method, &self.irc) {
                        (DetectorMethod::Irc { .. }, Some(irc)) => Some(irc.factors(r.clone())),
                        _ => None,
                    },
                };
                let xn =
                    ndarray::ArrayViewMut2::from_shape((len, k), &mut self.x_noise_tmp[..len * k])
                        .map_err(|_| Error::InvalidParameter {
                            name: "prb allocation",
                            value: crate::value!("{r:?}"),
                            reason: "internal buffer shape",
                        })?;
                let y = self
                    .grid
                    .view3()
                    .slice_move(ndarray::s![.., .., sc * r.start..sc * r.end]);
                let x = self.x.view3_mut().slice_move(ndarray::s![
                    col0..col0 + k,
                    ..,
                    sc * r.start..sc * r.end
                ]);
                let rep = self.det.process_bands_symbols(
                    &ch,
                    method,
                    self.band_sc,
                    &self.data_symbols,
                    y,
                    x,
                    xn,
                )?;
                report.erasures += rep.erasures;
                for (i, p) in r.clone().enumerate() {
                    for j in 0..k {
                        // In f64: erased bands (f32::MAX) average to f32::MAX, not ∞.
                        let mut sum = 0.0f64;
                        for b in 0..per {
                            let v = self.x_noise_tmp[(i * per + b) * k + j];
                            self.x_noise_band[[p * per + b, col0 + j]] = v;
                            sum += f64::from(v);
                        }
                        self.x_noise[[p, col0 + j]] = (sum / per as f64) as f32;
                    }
                }
            }
            col0 += k;
        }
        self.k = total;
        Ok(report)
    }

    /// The DMRS estimator's report of the last [`Self::detect`] (noise, RSRP, SINR, delays
    /// per layer).
    pub fn channel_report(&self) -> &ChannelReport {
        self.h_est.report()
    }

    /// The OFDM symbols detection runs on, ascending: those where some subcarrier of the DMRS
    /// band carries no DMRS (with DMRS in every CDM group, the DMRS symbols hold no data).
    pub fn data_symbols(&self) -> &[usize] {
        &self.data_symbols
    }

    /// The PRBs every DMRS port covers: what [`Self::detect`] detects, and where
    /// [`Self::detect_groups`] allocations must lie.
    pub fn dmrs_prbs(&self) -> std::ops::Range<usize> {
        self.dmrs_prbs.clone()
    }

    /// The DMRS channel estimates of the last detection, `[runs, n_prb, n_layers,
    /// n_ant]`, with their report.
    pub fn estimate(&self) -> &ChannelEstimate {
        &self.h_est
    }

    /// Detected streams [K, 14, n_sc] of the last detection (K = its streams); zero on the
    /// symbols without data ([`Self::data_symbols`]: detection skips symbols whose every
    /// subcarrier of the DMRS band carries DMRS).
    pub fn layers(&self) -> ArrayView3<'_, C32> {
        self.x.view3().slice_move(ndarray::s![..self.k, .., ..])
    }

    /// Post-detection noise variance [n_prb, K] of the last detection (`f32::MAX` on the PRBs
    /// outside a stream's group; with sub-PRB filters the mean over the PRB's bands).
    pub fn layer_noise(&self) -> ArrayView2<'_, f32> {
        self.x_noise.slice(ndarray::s![.., ..self.k])
    }

    /// Max-log LLRs of layer `layer` on OFDM symbol `symbol` (every subcarrier) into `llr`
    /// (n_sc · Q_m values, the Q_m of each RE together in the bit order of 38.211 §5.1).
    pub fn llrs(
        &mut self,
        modulation: Modulation,
        layer: usize,
        symbol: usize,
        llr: &mut [f32],
    ) -> Result<()> {
        let (row, noise) = self.llr_inputs(layer, symbol)?;
        demap(modulation, DemapMethod::MaxLog, row, noise, llr)
    }

    /// [`UplinkSlot::llrs`] saturated to int8 for a fixed-point decoder:
    /// `clamp(round(llr_scale · LLR), −127, 127)` ([`crate::modulation::demap_i8`]).
    pub fn llrs_i8(
        &mut self,
        modulation: Modulation,
        layer: usize,
        symbol: usize,
        llr_scale: f32,
        llr: &mut [i8],
    ) -> Result<()> {
        let (row, noise) = self.llr_inputs(layer, symbol)?;
        demap_i8(modulation, row, noise, llr_scale, llr)
    }

    /// One layer's detected symbols on one OFDM symbol and their per-RE noise variance.
    fn llr_inputs(&mut self, layer: usize, symbol: usize) -> Result<(&[C32], &[f32])> {
        if layer >= self.k || !self.data_symbols.contains(&symbol) {
            return Err(Error::InvalidParameter {
                name: "(layer, symbol)",
                value: crate::value!("({layer}, {symbol})"),
                reason: "layer < the last detection's streams, symbol one of the data symbols",
            });
        }
        for (k, v) in self.noise_row.iter_mut().enumerate() {
            *v = self.x_noise_band[[k / self.band_sc, layer]];
        }
        // In range (checked above; the layer grid holds ≥ k layers of 14 symbols).
        let row = self.x.row(layer, symbol).unwrap_or(&[]);
        Ok((row, &self.noise_row))
    }
}
