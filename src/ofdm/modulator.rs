//! OFDM modulator: resource grid → time-domain samples with cyclic prefixes.

use std::sync::Arc;

use ndarray::{ArrayView2, ArrayView3, ArrayViewMut2};
use rustfft::{Fft, FftPlanner};

use super::{OfdmConfig, OutputStores};
use crate::simd::Kernels;
use crate::{C32, Error, Result};

/// Modulates grids of one [`OfdmConfig`]. Construct once; `process` allocates nothing.
pub struct OfdmModulator {
    cfg: OfdmConfig,
    ifft: Arc<dyn Fft<f32>>,
    /// Occupied subcarriers as contiguous runs (first subcarrier, first bin, length).
    runs: [(usize, usize, usize); 2],
    /// The bins outside the runs (guard bands, LTE's DC): `[start, end)` ranges, zeroed per
    /// symbol (the runs' bins are overwritten anyway).
    empty_bins: Vec<(usize, usize)>,
    buf: Vec<C32>,
    /// The inverse FFT's output before it is streamed into the waveform
    /// ([`OutputStores::Streaming`]).
    body: Vec<C32>,
    scratch: Vec<C32>,
    /// How the waveform is written.
    stores: OutputStores,
    /// Per grid symbol: scale × the §5.4 phase factor (just the scale without compensation).
    symbol_gain: Vec<C32>,
    /// Per grid symbol: CP length in samples.
    cp: Vec<usize>,
    /// The SIMD kernels of the per-symbol gain.
    kernels: Kernels,
}

impl OfdmModulator {
    /// Validates `cfg` and plans the inverse FFT.
    pub fn new(cfg: &OfdmConfig) -> Result<Self> {
        cfg.validate()?;
        let ifft = FftPlanner::new().plan_fft_inverse(cfg.n_fft);
        // The inverse FFT writes each symbol straight into the waveform (out of place).
        let scratch = vec![C32::new(0.0, 0.0); ifft.get_outofplace_scratch_len()];
        let runs = cfg.bin_runs();
        let mut taken: Vec<(usize, usize)> = runs.iter().map(|&(_, b, len)| (b, b + len)).collect();
        taken.sort_unstable();
        let mut empty_bins = Vec::new();
        let mut at = 0;
        for (b0, b1) in taken {
            if b0 > at {
                empty_bins.push((at, b0));
            }
            at = at.max(b1);
        }
        if at < cfg.n_fft {
            empty_bins.push((at, cfg.n_fft));
        }
        Ok(Self {
            cfg: *cfg,
            runs,
            empty_bins,
            buf: vec![C32::new(0.0, 0.0); cfg.n_fft],
            body: vec![C32::new(0.0, 0.0); cfg.n_fft],
            stores: OutputStores::default(),
            ifft,
            scratch,
            symbol_gain: vec![C32::new(cfg.scale, 0.0); cfg.n_symbols],
            cp: (0..cfg.n_symbols).map(|l| cfg.cp_len(l)).collect(),
            kernels: Kernels::new(),
        })
    }

    /// Enables (with the carrier frequency f0 in Hz) or disables the 38.211 §5.4 up-conversion
    /// phase compensation: symbol l is multiplied by `e^{−j2π·f0·(t_start,l + N_CP,l·T_c)}`
    /// ([`OfdmConfig::upconversion_phase`]). NR only.
    pub fn set_phase_compensation(&mut self, f0_hz: Option<f64>) -> Result<()> {
        for (l, g) in self.symbol_gain.iter_mut().enumerate() {
            let phase = match f0_hz {
                Some(f0) => self.cfg.upconversion_phase(l, f0)?,
                None => C32::new(1.0, 0.0),
            };
            *g = phase * self.cfg.scale;
        }
        Ok(())
    }

    /// Uses specific kernels (e.g. a forced SIMD backend) for the per-subcarrier products.
    pub fn with_kernels(mut self, kernels: Kernels) -> Self {
        self.kernels = kernels;
        self
    }

    /// Writes the waveform with `stores` (default [`OutputStores::Streaming`]); the values are
    /// the same either way.
    pub fn set_output_stores(&mut self, stores: OutputStores) {
        self.stores = stores;
    }

    /// [`Self::set_output_stores`] as a builder.
    pub fn with_output_stores(mut self, stores: OutputStores) -> Self {
        self.set_output_stores(stores);
        self
    }

    /// The configuration.
    pub fn config(&self) -> &OfdmConfig {
        &self.cfg
    }

    /// Output samples per antenna: Σ_l (cp_l + n_fft).
    pub fn output_len(&self) -> usize {
        self.cfg.samples()
    }

    /// Modulates one antenna's grid `[n_symbols, n_sc]` into `out` (`output_len()` samples).
    pub fn process(&mut self, grid: ArrayView2<'_, C32>, out: &mut [C32]) -> Result<()> {
        let r = self.process_symbols(grid, out);
        // The streamed symbols are fenced once, after the last (also on an early error).
        self.kernels.stream_fence();
        r
    }

    fn process_symbols(&mut self, grid: ArrayView2<'_, C32>, out: &mut [C32]) -> Result<()> {
        let c = &self.cfg;
        if grid.dim() != (c.n_symbols, c.n_sc) {
            return Err(Error::ShapeMismatch {
                name: "grid [n_symbols, n_sc]",
                expected: crate::error::Shape::of(&[c.n_symbols, c.n_sc]),
                got: crate::error::Shape::of(grid.shape()),
            });
        }
        if out.len() != c.samples() {
            return Err(Error::ShapeMismatch {
                name: "waveform [n_samples]",
                expected: crate::error::Shape::of(&[c.samples()]),
                got: crate::error::Shape::of(&[out.len()]),
            });
        }
        let n = c.n_fft;
        let mut pos = 0;
        let n_sym = grid.dim().0;
        for (l, row) in grid.outer_iter().enumerate() {
            for &(z0, z1) in &self.empty_bins {
                self.buf[z0..z1].fill(C32::new(0.0, 0.0));
            }
            let gain = self.symbol_gain[l];
            for &(k0, b0, len) in &self.runs {
                let src = row.slice(ndarray::s![k0..k0 + len]);
                let dst = &mut self.buf[b0..b0 + len];
                match src.as_slice() {
                    Some(s) => self.kernels.scale(gain, s, dst)?,
                    None => {
                        for (o, &x) in dst.iter_mut().zip(src.iter()) {
                            *o = x * gain;
                        }
                    }
                }
            }
            let cp = self.cp[l];
            match self.stores {
                OutputStores::Streaming => {
                    // The symbol into `body` (in cache), then its CP and body streamed out.
                    self.ifft.process_outofplace_with_scratch(
                        &mut self.buf,
                        &mut self.body,
                        &mut self.scratch,
                    );
                    // Unfenced: one fence after the last symbol (below).
                    self.kernels.copy_stream_unfenced(
                        &self.body[n - cp..],
                        &mut out[pos..pos + cp],
                        &[],
                    )?;
                    // The next symbol's subcarriers requested during the copy: the next
                    // scaling pass then reads them from the cache instead of waiting on memory.
                    let next = if l + 1 < n_sym {
                        grid.row(l + 1).to_slice().unwrap_or(&[])
                    } else {
                        &[]
                    };
                    self.kernels.copy_stream_unfenced(
                        &self.body,
                        &mut out[pos + cp..pos + cp + n],
                        &[next],
                    )?;
                }
                OutputStores::Cached => {
                    // The symbol's body straight into the waveform, then its CP copied from
                    // its end.
                    self.ifft.process_outofplace_with_scratch(
                        &mut self.buf,
                        &mut out[pos + cp..pos + cp + n],
                        &mut self.scratch,
                    );
                    out.copy_within(pos + n..pos + cp + n, pos);
                }
            }
            pos += cp + n;
        }
        Ok(())
    }

    /// Modulates every antenna: `grid [n_ant, n_symbols, n_sc]` → `out [n_ant, output_len()]`.
    pub fn process_antennas(
        &mut self,
        grid: ArrayView3<'_, C32>,
        mut out: ArrayViewMut2<'_, C32>,
    ) -> Result<()> {
        if grid.dim().0 != out.dim().0 || out.dim().1 != self.output_len() {
            return Err(Error::ShapeMismatch {
                name: "waveform [n_ant, n_samples]",
                expected: crate::error::Shape::of(&[grid.dim().0, self.output_len()]),
                got: crate::error::Shape::of(out.shape()),
            });
        }
        for (g, mut o) in grid.outer_iter().zip(out.outer_iter_mut()) {
            self.process(
                g,
                o.as_slice_mut()
                    .ok_or_else(super::non_contiguous_waveform)?,
            )?;
        }
        Ok(())
    }
}
