//! The uplink slot processor of one carrier: OFDM demodulation per antenna → DMRS channel
//! estimation → MMSE / MMSE-IRC / ZF detection per PRB → LLRs. Allocation-free after
//! construction.

use crate::detection::{DetectorMethod, DetectorReport, GroupChannels, MimoDetector};
use crate::estimation::{
    ChannelEstimator, ChannelReport, EstimatorConfig, OutputResolution, PilotPattern,
};
use crate::modulation::{DemapMethod, Modulation, demap};
use crate::ofdm::{OfdmConfig, OfdmDemodulator};
use crate::{C32, Error, Result};
use ndarray::{Array2, Array3, Array4, ArrayView2, ArrayView3, ArrayViewMut3};

/// One carrier's uplink chain for `n_layers` single-layer users on `n_antennas`.
pub struct UplinkSlot {
    n_layers: usize,
    n_prb: usize,
    demod: OfdmDemodulator,
    grid: Array3<C32>,
    est: ChannelEstimator,
    h_est: Array4<C32>,
    h_prb: Array3<C32>,
    noise: Vec<f32>,
    det: MimoDetector,
    x: Array3<C32>,
    x_noise: Array2<f32>,
    noise_row: Vec<f32>,
}

impl UplinkSlot {
    /// Buffers for `n_antennas`, the DMRS pattern `dmrs` (one port per layer/user, 14 symbols),
    /// and the OFDM demodulator of `ofdm` (window 0.5 of the CP).
    pub fn new(n_antennas: usize, dmrs: PilotPattern, ofdm: &OfdmConfig) -> Result<Self> {
        let n_layers = dmrs.n_ports();
        if ofdm.n_sc == 0 || !ofdm.n_sc.is_multiple_of(12) || ofdm.n_symbols != 14 {
            return Err(Error::InvalidParameter {
                name: "ofdm (n_sc, n_symbols)",
                value: format!("({}, {})", ofdm.n_sc, ofdm.n_symbols),
                reason: "whole PRBs and 14-symbol slots",
            });
        }
        let n_prb = ofdm.n_sc / 12;
        let est_cfg = EstimatorConfig {
            resolution: OutputResolution::Prb,
            ..EstimatorConfig::default()
        };
        Ok(Self {
            n_layers,
            n_prb,
            demod: OfdmDemodulator::new(ofdm, 0.5)?,
            grid: Array3::zeros((n_antennas, 14, ofdm.n_sc)),
            est: ChannelEstimator::new(dmrs, n_antennas, est_cfg)?,
            h_est: Array4::zeros((n_antennas, n_layers, 1, n_prb)),
            h_prb: Array3::zeros((n_prb, n_antennas, n_layers)),
            noise: vec![0.0; n_prb],
            det: MimoDetector::new(&crate::detection::DetectorConfig {
                max_antennas: n_antennas,
                max_layers: n_layers,
                max_interferers: 0,
                max_groups: n_prb,
                group_prbs: 1,
                n_sym: 14,
            })?,
            x: Array3::zeros((n_layers, 14, ofdm.n_sc)),
            x_noise: Array2::zeros((n_prb, n_layers)),
            noise_row: vec![0.0; ofdm.n_sc],
        })
    }

    /// Samples per antenna of one slot's waveform.
    pub fn waveform_len(&self) -> usize {
        self.demod.input_len()
    }

    /// OFDM-demodulates `waveform` [n_antennas, waveform_len()] into the slot's grid.
    pub fn demodulate(&mut self, waveform: ArrayView2<'_, C32>) -> Result<()> {
        self.demod.process_antennas(waveform, self.grid.view_mut())
    }

    /// The received grid [n_antennas, 14, n_sc] (write it directly for frequency-domain
    /// simulations).
    pub fn grid_mut(&mut self) -> ArrayViewMut3<'_, C32> {
        self.grid.view_mut()
    }

    /// The received grid.
    pub fn grid(&self) -> ArrayView3<'_, C32> {
        self.grid.view()
    }

    /// DMRS estimation per PRB, then per-PRB `method` filters applied to every RE. The noise
    /// variance is `noise_var`, or the estimator's measurement from the DMRS when `None`
    /// (the estimator's full report: [`Self::channel_report`]).
    pub fn detect(
        &mut self,
        method: DetectorMethod,
        noise_var: Option<f32>,
    ) -> Result<DetectorReport> {
        let measured = self
            .est
            .process(self.grid.view(), noise_var, self.h_est.view_mut())?
            .noise_var_estimate;
        let nv = noise_var.unwrap_or(measured);
        self.noise.fill(nv);
        for p in 0..self.n_prb {
            for a in 0..self.h_est.dim().0 {
                for l in 0..self.n_layers {
                    self.h_prb[[p, a, l]] = self.h_est[[a, l, 0, p]];
                }
            }
        }
        let ch = GroupChannels {
            h: self.h_prb.view(),
            noise_var: &self.noise,
            interference: None,
        };
        self.det.process(
            &ch,
            method,
            self.grid.view(),
            self.x.view_mut(),
            self.x_noise.view_mut(),
        )
    }

    /// The DMRS estimator's report of the last [`Self::detect`] (noise, RSRP, SINR, delays
    /// per layer).
    pub fn channel_report(&self) -> &ChannelReport {
        self.est.report()
    }

    /// Detected layers [n_layers, 14, n_sc] of the last [`Self::detect`].
    pub fn layers(&self) -> ArrayView3<'_, C32> {
        self.x.view()
    }

    /// Post-detection noise variance [n_prb, n_layers] of the last [`Self::detect`].
    pub fn layer_noise(&self) -> ArrayView2<'_, f32> {
        self.x_noise.view()
    }

    /// Max-log LLRs of layer `layer` on OFDM symbol `symbol` (every subcarrier) into `llr`
    /// (n_sc · Q_m values, bit-major per RE).
    pub fn llrs(
        &mut self,
        modulation: Modulation,
        layer: usize,
        symbol: usize,
        llr: &mut [f32],
    ) -> Result<()> {
        if layer >= self.n_layers || symbol >= 14 {
            return Err(Error::InvalidParameter {
                name: "(layer, symbol)",
                value: format!("({layer}, {symbol})"),
                reason: "layer < n_layers, symbol < 14",
            });
        }
        for (k, v) in self.noise_row.iter_mut().enumerate() {
            *v = self.x_noise[[k / 12, layer]];
        }
        let row = self.x.slice(ndarray::s![layer, symbol, ..]);
        let row = row.as_slice().ok_or_else(|| Error::InvalidParameter {
            name: "layers",
            value: "non-contiguous".into(),
            reason: "internal layout",
        })?;
        demap(modulation, DemapMethod::MaxLog, row, &self.noise_row, llr)
    }
}
