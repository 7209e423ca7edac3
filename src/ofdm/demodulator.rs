//! OFDM demodulator: time-domain samples → resource grid, with an early DFT window whose phase
//! ramp is removed.

use std::f64::consts::PI;
use std::sync::Arc;

use ndarray::{ArrayView2, ArrayViewMut2, ArrayViewMut3};
use rustfft::{Fft, FftPlanner};

use super::{OfdmConfig, OutputStores};
use crate::simd::{Kernels, LineVec, OfdmFft, ScreenBits};
use crate::{C32, Error, Result};

/// Demodulates waveforms of one [`OfdmConfig`]. Construct once; `process` allocates nothing.
///
/// The DFT window of symbol l starts `round(window·cp_l)` samples after the start of its CP
/// (window = 1: right after the CP; 0.5: half-way into it, which tolerates delay spread and
/// timing error either side). Starting δ = cp_l − round(window·cp_l) samples early multiplies
/// bin b by `e^{−j2πbδ/n_fft}`; the demodulator multiplies it back, so a clean waveform returns
/// the grid it was made from.
pub struct OfdmDemodulator {
    cfg: OfdmConfig,
    fft: Arc<dyn Fft<f32>>,
    /// Occupied subcarriers as contiguous runs (first subcarrier, first bin, length).
    runs: [(usize, usize, usize); 2],
    /// Per symbol: (CP length, window offset in samples, index into `derotations`).
    windows: Vec<(usize, usize, usize)>,
    /// Per distinct early-window length δ: the `n_sc` de-rotations, scale included.
    derotations: Vec<Vec<C32>>,
    buf: LineVec<C32>,
    scratch: LineVec<C32>,
    /// Per grid symbol: the conjugate §5.4 phase factor (1 without compensation).
    symbol_phase: Vec<C32>,
    /// Per grid symbol, per subcarrier: its window's de-rotation × the symbol's phase
    /// (`[n_symbols, n_sc]`), refreshed by [`Self::set_phase_compensation`]: one complex
    /// multiply per output instead of two.
    factors: Vec<C32>,
    /// The SIMD kernels of the per-subcarrier multiply (and of the transform, where they have
    /// a vector [`Kernels::ofdm_fft`]).
    kernels: Kernels,
    /// How the grid is written.
    stores: OutputStores,
    /// The project's forward FFT for power-of-two sizes, with its scratch: used where the
    /// kernels prefer it (`Kernels::ofdm_fft_preferred`); rustfft otherwise.
    own_fft: Option<(OfdmFft, LineVec<C32>)>,
}

impl OfdmDemodulator {
    /// Validates `cfg` and `window` ∈ [0, 1] and plans the FFT.
    pub fn new(cfg: &OfdmConfig, window: f64) -> Result<Self> {
        cfg.validate()?;
        if !(0.0..=1.0).contains(&window) {
            return Err(Error::InvalidParameter {
                name: "window",
                value: crate::error::Value::of(&window),
                reason: "must be in [0, 1]",
            });
        }
        let fft = FftPlanner::new().plan_fft_forward(cfg.n_fft);
        let own_fft = super::own_fft(cfg.n_fft, false)?;
        // The FFT reads each window straight from the waveform (no copy into `buf`).
        let scratch = LineVec::zeros(fft.get_immutable_scratch_len())?;
        let bins: Vec<usize> = (0..cfg.n_sc).map(|k| cfg.bin(k)).collect();
        let mut deltas: Vec<usize> = Vec::new();
        let mut windows = Vec::with_capacity(cfg.n_symbols);
        for l in 0..cfg.n_symbols {
            let cp = cfg.cp_len(l);
            let start = (window * cp as f64).round() as usize;
            let delta = cp - start;
            let idx = deltas.iter().position(|&d| d == delta).unwrap_or_else(|| {
                deltas.push(delta);
                deltas.len() - 1
            });
            windows.push((cp, start, idx));
        }
        let n = cfg.n_fft as f64;
        let derotations = deltas
            .iter()
            .map(|&d| {
                bins.iter()
                    .map(|&b| {
                        let ph = 2.0 * PI * ((b * d) % cfg.n_fft) as f64 / n;
                        C32::new(
                            (ph.cos() * f64::from(cfg.scale)) as f32,
                            (ph.sin() * f64::from(cfg.scale)) as f32,
                        )
                    })
                    .collect()
            })
            .collect();
        let mut d = Self {
            cfg: *cfg,
            fft,
            runs: cfg.bin_runs(),
            windows,
            derotations,
            buf: LineVec::zeros(cfg.n_fft)?,
            scratch,
            symbol_phase: vec![C32::new(1.0, 0.0); cfg.n_symbols],
            factors: vec![C32::new(0.0, 0.0); cfg.n_symbols * cfg.n_sc],
            kernels: Kernels::new(),
            stores: OutputStores::default(),
            own_fft,
        };
        d.refresh_factors();
        Ok(d)
    }

    /// `factors[l·n_sc + k] = derotation_{d_l}[k] · phase_l`.
    fn refresh_factors(&mut self) {
        let n_sc = self.cfg.n_sc;
        for (l, f) in self.factors.chunks_exact_mut(n_sc).enumerate() {
            let (phase, d) = (self.symbol_phase[l], self.windows[l].2);
            for (o, &r) in f.iter_mut().zip(&self.derotations[d]) {
                *o = r * phase;
            }
        }
    }

    /// Enables (carrier frequency f0 in Hz) or disables the removal of the 38.211 §5.4
    /// up-conversion phase: symbol l is multiplied by the conjugate of
    /// [`OfdmConfig::upconversion_phase`]. NR only.
    pub fn set_phase_compensation(&mut self, f0_hz: Option<f64>) -> Result<()> {
        for (l, p) in self.symbol_phase.iter_mut().enumerate() {
            *p = match f0_hz {
                Some(f0) => self.cfg.upconversion_phase(l, f0)?.conj(),
                None => C32::new(1.0, 0.0),
            };
        }
        self.refresh_factors();
        Ok(())
    }

    /// Uses specific kernels (e.g. a forced SIMD backend) for the per-subcarrier products.
    pub fn with_kernels(mut self, kernels: Kernels) -> Self {
        self.kernels = kernels;
        self
    }

    /// Writes the grid with `stores` (default [`OutputStores::Streaming`]); the values are
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

    /// Input samples per antenna.
    pub fn input_len(&self) -> usize {
        self.cfg.samples()
    }

    /// Demodulates one antenna's `waveform` (`input_len()` samples) into `grid [n_symbols, n_sc]`.
    pub fn process(&mut self, waveform: &[C32], grid: ArrayViewMut2<'_, C32>) -> Result<()> {
        let r = self.process_inner(waveform, grid, None, &[]);
        // The streamed runs are fenced once, after the last (also on an early error).
        self.kernels.stream_fence();
        r
    }

    /// [`Self::process`] that also screens the grid it writes: returns what
    /// [`Kernels::screen_bits`] would find in the whole grid with its first sample as the
    /// reference (the largest magnitude bit pattern exactly; `differ_bits` zero exactly when
    /// every sample equals the first bit for bit), folded from the registers the products are
    /// stored from — so a [`crate::link::GridScreen`] can classify the antenna without reading
    /// the grid again ([`crate::link::GridScreen::inspect_screened`]).
    pub fn process_screened(
        &mut self,
        waveform: &[C32],
        grid: ArrayViewMut2<'_, C32>,
    ) -> Result<ScreenBits> {
        let mut bits = ScreenBits::default();
        let r = self.process_inner(waveform, grid, Some(&mut bits), &[]);
        // The multiplies stream unfenced: one fence for the whole grid.
        self.kernels.stream_fence();
        r.map(|()| bits)
    }

    /// One antenna's demodulation, unfenced; `screen` folds the grid's screening bits, and
    /// `after` (the caller's next memory: the next antenna's first window, or empty) is
    /// requested into the L2 while the last symbol transforms.
    fn process_inner(
        &mut self,
        waveform: &[C32],
        mut grid: ArrayViewMut2<'_, C32>,
        mut screen: Option<&mut ScreenBits>,
        after: &[C32],
    ) -> Result<()> {
        let c = &self.cfg;
        if waveform.len() != c.samples() {
            return Err(Error::ShapeMismatch {
                name: "waveform [n_samples]",
                expected: crate::error::Shape::of(&[c.samples()]),
                got: crate::error::Shape::of(&[waveform.len()]),
            });
        }
        if grid.dim() != (c.n_symbols, c.n_sc) {
            return Err(Error::ShapeMismatch {
                name: "grid [n_symbols, n_sc]",
                expected: crate::error::Shape::of(&[c.n_symbols, c.n_sc]),
                got: crate::error::Shape::of(grid.shape()),
            });
        }
        let (n, n_sc) = (c.n_fft, c.n_sc);
        let mut pos = 0;
        // The grid's first sample: the reference every written run's bits are merged against.
        let mut reference = None;
        for (l, mut row) in grid.outer_iter_mut().enumerate() {
            let (cp, start, _) = self.windows[l];
            let window = &waveform[pos + start..pos + start + n];
            match &mut self.own_fft {
                Some((plan, scratch)) if self.kernels.ofdm_fft_preferred(n) => {
                    // The next symbol's window requested into the L2 while this one transforms.
                    let next = match self.windows.get(l + 1) {
                        Some(&(_, s1, _)) => &waveform[pos + cp + n + s1..pos + cp + 2 * n + s1],
                        None => after,
                    };
                    self.kernels.ofdm_fft_then(
                        plan,
                        window,
                        scratch,
                        &mut self.buf,
                        0,
                        false,
                        &[next],
                    )?
                }
                _ => self.fft.process_immutable_with_scratch(
                    window,
                    &mut self.buf,
                    &mut self.scratch,
                ),
            }
            let f = &self.factors[l * n_sc..(l + 1) * n_sc];
            for &(k0, b0, len) in &self.runs {
                let (x, r) = (&self.buf[b0..b0 + len], &f[k0..k0 + len]);
                let mut dst = row.slice_mut(ndarray::s![k0..k0 + len]);
                match (dst.as_slice_mut(), screen.as_deref_mut()) {
                    (Some(d), None) => match self.stores {
                        OutputStores::Streaming => self.kernels.mul_stream_unfenced(x, r, d)?,
                        OutputStores::Cached => self.kernels.mul(x, r, d)?,
                    },
                    (Some(d), Some(acc)) => {
                        // The run's first product, from the inputs (in cache): reading it
                        // back from `d` would wait for a streamed line to reach memory. `mul`
                        // gives every product bit for bit as the streaming kernel stores it.
                        let mut first = [C32::new(0.0, 0.0)];
                        if !x.is_empty() {
                            self.kernels.mul(&x[..1], &r[..1], &mut first)?;
                        }
                        let bits = match self.stores {
                            OutputStores::Streaming => self.kernels.mul_stream_screen(x, r, d)?,
                            OutputStores::Cached => {
                                self.kernels.mul(x, r, d)?;
                                self.kernels.screen_bits(d, first[0])
                            }
                        };
                        if !d.is_empty() {
                            let at = *reference.get_or_insert(first[0]);
                            *acc = acc.merge(bits, at, first[0]);
                        }
                    }
                    (None, acc) => {
                        let src = x.iter().zip(r);
                        for (o, (&x, &r)) in dst.iter_mut().zip(src) {
                            *o = x * r;
                        }
                        if let Some(acc) = acc {
                            for &v in dst.iter() {
                                let at = *reference.get_or_insert(v);
                                *acc = acc.merge(self.kernels.screen_bits(&[v], v), at, v);
                            }
                        }
                    }
                }
            }
            pos += cp + n;
        }
        Ok(())
    }

    /// Demodulates every antenna: `waveform [n_ant, input_len()]` → `grid [n_ant, n_symbols, n_sc]`.
    pub fn process_antennas(
        &mut self,
        waveform: ArrayView2<'_, C32>,
        grid: ArrayViewMut3<'_, C32>,
    ) -> Result<()> {
        self.process_antennas_inner(waveform, grid, None)
    }

    /// [`Self::process_antennas`] that also screens every antenna's grid as it writes it
    /// ([`Self::process_screened`]): `bits[a]` for antenna a (`bits` one per antenna:
    /// `ShapeMismatch` naming it otherwise).
    pub fn process_antennas_screened(
        &mut self,
        waveform: ArrayView2<'_, C32>,
        grid: ArrayViewMut3<'_, C32>,
        bits: &mut [ScreenBits],
    ) -> Result<()> {
        if bits.len() != waveform.dim().0 {
            return Err(Error::ShapeMismatch {
                name: "bits [n_ant]",
                expected: crate::error::Shape::of(&[waveform.dim().0]),
                got: crate::error::Shape::of(&[bits.len()]),
            });
        }
        self.process_antennas_inner(waveform, grid, Some(bits))
    }

    fn process_antennas_inner(
        &mut self,
        waveform: ArrayView2<'_, C32>,
        mut grid: ArrayViewMut3<'_, C32>,
        mut bits: Option<&mut [ScreenBits]>,
    ) -> Result<()> {
        if waveform.dim().0 != grid.dim().0 {
            return Err(Error::ShapeMismatch {
                name: "grid [n_ant, n_symbols, n_sc]",
                expected: crate::error::Shape::of(&[
                    waveform.dim().0,
                    self.cfg.n_symbols,
                    self.cfg.n_sc,
                ]),
                got: crate::error::Shape::of(grid.shape()),
            });
        }
        let first = self
            .windows
            .first()
            .map_or(0..0, |&(_, s0, _)| s0..s0 + self.cfg.n_fft);
        for (a, (w, g)) in waveform.outer_iter().zip(grid.outer_iter_mut()).enumerate() {
            let w = w.as_slice().ok_or_else(super::non_contiguous_waveform)?;
            // The next antenna's first window, requested while this one's last symbol
            // transforms (each antenna's later windows are requested the same way from the
            // one before; without it one window in 14 came from memory: NR demodulation
            // ×1.02–1.04 in probe pairs).
            let after = (a + 1 < waveform.dim().0)
                .then(|| waveform.row(a + 1).to_slice()?.get(first.clone()))
                .flatten()
                .unwrap_or(&[]);
            // As `process` / `process_screened`: one fence per antenna, also on an error.
            let r = match bits.as_deref_mut() {
                Some(b) => {
                    b[a] = ScreenBits::default();
                    self.process_inner(w, g, Some(&mut b[a]), after)
                }
                None => self.process_inner(w, g, None, after),
            };
            self.kernels.stream_fence();
            r?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{CyclicPrefix, OfdmModulator, Standard};
    use super::*;
    use ndarray::Array2;

    #[test]
    fn demodulation_inverts_modulation_for_every_window() {
        for (standard, scs, n_fft, n_sc, cp, slot) in [
            (Standard::Nr, 30, 512, 360, CyclicPrefix::Normal, 1),
            (Standard::Nr, 60, 256, 144, CyclicPrefix::Extended, 2),
            (Standard::Lte, 15, 256, 180, CyclicPrefix::Normal, 0),
        ] {
            let n_symbols = if cp == CyclicPrefix::Extended { 12 } else { 14 };
            let cfg = OfdmConfig {
                standard,
                scs_khz: scs,
                n_fft,
                n_sc,
                n_symbols,
                cyclic_prefix: cp,
                slot,
                scale: 1.0 / (n_fft as f32).sqrt(),
            };
            let grid = Array2::from_shape_fn((n_symbols, n_sc), |(l, k)| {
                C32::new(
                    ((l * 7 + k * 3) % 5) as f32 - 2.0,
                    ((l + k) % 3) as f32 - 1.0,
                )
            });
            let mut m = OfdmModulator::new(&cfg).unwrap();
            let mut wave = vec![C32::new(0.0, 0.0); m.output_len()];
            m.process(grid.view(), &mut wave).unwrap();
            for window in [0.0, 0.5, 1.0] {
                let mut d = OfdmDemodulator::new(&cfg, window).unwrap();
                let mut back = Array2::zeros((n_symbols, n_sc));
                d.process(&wave, back.view_mut()).unwrap();
                // scale² · n_fft = 1: the round trip is the identity.
                let err = (&back - &grid)
                    .iter()
                    .map(|e| e.norm())
                    .fold(0.0f32, f32::max);
                assert!(err < 1e-4, "{standard:?} window {window}: {err}");
            }
        }
    }

    /// The screening bits' reference is each run's true first sample: an impulse at each
    /// window's start (window 1: no early-window de-rotation) demodulates to a grid that is
    /// exactly constant per symbol (an impulse's FFT is flat, times the scale), so with the
    /// same amplitude in every symbol the antenna's grid is stuck (`differ_bits` 0) and with
    /// one symbol's amplitude changed it is not — which a wrong per-run reference (the same
    /// for every run) would not see. Streamed and cached stores alike.
    #[test]
    fn screening_reference_is_each_runs_first_sample() {
        use super::super::OutputStores;
        for cfg in super::super::test_carriers() {
            for stores in [OutputStores::Streaming, OutputStores::Cached] {
                let mut d = OfdmDemodulator::new(&cfg, 1.0)
                    .unwrap()
                    .with_output_stores(stores);
                let mut grid = Array2::zeros((14, cfg.n_sc));
                for changed in [None, Some(5)] {
                    let mut wave = vec![C32::new(0.0, 0.0); cfg.samples()];
                    let mut pos = 0;
                    for l in 0..14 {
                        let a = if changed == Some(l) { 0.5 } else { 0.25 };
                        wave[pos + cfg.cp_len(l)] = C32::new(a, -a);
                        pos += cfg.cp_len(l) + cfg.n_fft;
                    }
                    let bits = d.process_screened(&wave, grid.view_mut()).unwrap();
                    // The grid is what the premise says: constant per symbol.
                    for (l, row) in grid.outer_iter().enumerate() {
                        assert!(row.iter().all(|&v| v == row[0]), "{stores:?} row {l}");
                    }
                    let case = format!("{:?} {stores:?} {changed:?}", cfg.standard);
                    assert_ne!(bits.max_abs_bits, 0, "{case}");
                    assert_eq!(bits.differ_bits == 0, changed.is_none(), "{case}");
                }
            }
        }
    }

    /// The transform each block runs: where the kernels prefer their vector `ofdm_fft`
    /// (`Kernels::ofdm_fft_preferred`: AVX-512; AVX2 from 4096 points), the modulator's
    /// symbols are its inverse transform of the mapped subcarriers with the symbol's gain on
    /// its outputs (`ofdm_fft_scaled_then`) and the demodulator's grid its forward transform
    /// of each window, bit for bit (prefix included); elsewhere rustfft's of the scaled
    /// subcarriers, bit for bit.
    #[test]
    fn each_block_runs_the_transform_its_kernels_choose() {
        use super::super::OutputStores;
        use rustfft::FftPlanner;
        let backends = crate::simd::Backend::available();
        // The test carriers (512 and 256 points) and NR 100 MHz (4096: where AVX2 prefers the
        // own transform too).
        let nr100 = OfdmConfig {
            n_fft: 4096,
            n_sc: 3276,
            ..super::super::test_carriers()[0]
        };
        let configs = backends.flat_map(|b| {
            super::super::test_carriers()
                .into_iter()
                .chain([nr100])
                .map(move |c| (b, c))
        });
        for (backend, cfg) in configs {
            let k = Kernels::with_backend(backend).unwrap();
            let (n, n_sc) = (cfg.n_fft, cfg.n_sc);
            let grid = Array2::from_shape_fn((14, n_sc), |(l, k)| {
                C32::new(
                    ((l * 5 + k) % 7) as f32 - 3.0,
                    ((l + 3 * k) % 5) as f32 - 2.0,
                )
            });
            let mut m = OfdmModulator::new(&cfg)
                .unwrap()
                .with_kernels(k)
                .with_output_stores(OutputStores::Cached);
            let mut wave = vec![C32::new(0.0, 0.0); m.output_len()];
            m.process(grid.view(), &mut wave).unwrap();
            // Window at the end of the CP (window = 1): no de-rotation, the factor is `scale`.
            let mut d = OfdmDemodulator::new(&cfg, 1.0)
                .unwrap()
                .with_kernels(k)
                .with_output_stores(OutputStores::Cached);
            let mut rx = Array2::zeros((14, n_sc));
            d.process(&wave, rx.view_mut()).unwrap();
            // The own FFT takes the modulator's gain on its outputs.
            let own = |inverse: bool, x: &[C32], cp: usize, gain: C32| {
                let plan = OfdmFft::new(n, inverse).unwrap();
                let mut s = vec![C32::new(0.0, 0.0); plan.scratch_len()];
                let mut out = vec![C32::new(0.0, 0.0); cp + n];
                k.ofdm_fft_scaled_then(&plan, x, &mut s, &mut out, cp, false, gain, &[])
                    .unwrap();
                out
            };
            let rust = |inverse: bool, x: &[C32]| {
                let mut p = FftPlanner::<f32>::new();
                let f = if inverse {
                    p.plan_fft_inverse(n)
                } else {
                    p.plan_fft_forward(n)
                };
                let mut x = x.to_vec();
                f.process(&mut x);
                x
            };
            let mut pos = 0;
            for l in 0..14 {
                let cp = cfg.cp_len(l);
                let (mut bins, mut scaled) = (vec![C32::new(0.0, 0.0); n], vec![]);
                let gain = C32::new(cfg.scale, 0.0);
                for kk in 0..n_sc {
                    bins[cfg.bin(kk)] = grid[[l, kk]];
                }
                scaled.extend(bins.iter().map(|&b| b * gain));
                let symbol = &wave[pos..pos + cp + n];
                let window = &symbol[cp..];
                let one = C32::new(1.0, 0.0);
                let (want_sym, spectrum) = if k.ofdm_fft_preferred(n) {
                    (own(true, &bins, cp, gain), own(false, window, 0, one))
                } else {
                    let bins = scaled;
                    let body = rust(true, &bins);
                    let mut s = body[n - cp..].to_vec();
                    s.extend_from_slice(&body);
                    (s, rust(false, window))
                };
                assert_eq!(
                    symbol,
                    &want_sym[..],
                    "{backend} {:?} symbol {l}",
                    cfg.standard
                );
                for kk in 0..n_sc {
                    let mut want = [C32::new(0.0, 0.0)];
                    k.mul(
                        &spectrum[cfg.bin(kk)..cfg.bin(kk) + 1],
                        &[d.factors[l * n_sc + kk]],
                        &mut want,
                    )
                    .unwrap();
                    assert_eq!(
                        rx[[l, kk]],
                        want[0],
                        "{:?} symbol {l} subcarrier {kk}",
                        cfg.standard
                    );
                }
                pos += cp + n;
            }
        }
    }

    /// Sizes the project's FFT does not take (LTE 15 MHz: 1536 points) keep rustfft in both
    /// blocks, and a waveform still demodulates to its grid.
    #[test]
    fn sizes_that_are_not_powers_of_two_keep_rustfft() {
        let cfg = OfdmConfig {
            standard: Standard::Lte,
            scs_khz: 15,
            n_fft: 1536,
            n_sc: 900,
            n_symbols: 14,
            cyclic_prefix: CyclicPrefix::Normal,
            slot: 0,
            scale: 1.0 / (1536f32).sqrt(),
        };
        let mut m = OfdmModulator::new(&cfg).unwrap();
        let mut d = OfdmDemodulator::new(&cfg, 1.0).unwrap();
        assert!(m.own_ifft.is_none() && d.own_fft.is_none());
        let grid = Array2::from_shape_fn((14, 900), |(l, k)| {
            C32::new(((l + k) % 3) as f32 - 1.0, ((l * k) % 5) as f32 - 2.0)
        });
        let mut wave = vec![C32::new(0.0, 0.0); m.output_len()];
        m.process(grid.view(), &mut wave).unwrap();
        let mut rx = Array2::zeros((14, 900));
        d.process(&wave, rx.view_mut()).unwrap();
        // scale² · n_fft = 1: the round trip returns the grid to f32 FFT rounding.
        let err = (&rx - &grid)
            .iter()
            .map(|e| e.norm())
            .fold(0.0f32, f32::max);
        assert!(err < 1e-4, "{err}");
    }

    /// Streaming and ordinary stores write the same bits, into outputs at every alignment: the
    /// waveform one sample past the start of its buffer, grid rows `n_sc + 1` apart.
    #[test]
    fn streaming_and_cached_stores_give_the_same_bits() {
        use super::super::OutputStores;
        for cfg in super::super::test_carriers() {
            let (standard, n_sc) = (cfg.standard, cfg.n_sc);
            let grid = Array2::from_shape_fn((14, n_sc), |(l, k)| {
                C32::new(
                    ((l * 5 + k) % 7) as f32 - 3.0,
                    ((l + 3 * k) % 5) as f32 - 2.0,
                )
            });
            let mut streamed = OfdmModulator::new(&cfg).unwrap();
            let mut cached = OfdmModulator::new(&cfg)
                .unwrap()
                .with_output_stores(OutputStores::Cached);
            let len = streamed.output_len();
            let mut a = vec![C32::new(7.0, 7.0); len + 1];
            let mut b = vec![C32::new(0.0, 0.0); len];
            streamed.process(grid.view(), &mut a[1..]).unwrap();
            cached.process(grid.view(), &mut b).unwrap();
            assert_eq!(&a[1..], &b[..], "{standard:?} waveform");
            assert_eq!(a[0], C32::new(7.0, 7.0));
            let mut ds = OfdmDemodulator::new(&cfg, 0.5).unwrap();
            let mut dc = OfdmDemodulator::new(&cfg, 0.5)
                .unwrap()
                .with_output_stores(OutputStores::Cached);
            let mut gs = Array2::from_elem((14, n_sc + 1), C32::new(7.0, 7.0));
            let mut gc = Array2::zeros((14, n_sc));
            ds.process(&b, gs.slice_mut(ndarray::s![.., 1..])).unwrap();
            dc.process(&b, gc.view_mut()).unwrap();
            assert_eq!(gs.slice(ndarray::s![.., 1..]), gc, "{standard:?} grid");
            assert!(gs.column(0).iter().all(|&x| x == C32::new(7.0, 7.0)));
            // Screening while writing: streamed, cached and through a non-contiguous grid
            // (the scalar path) — the bits `screen_bits` finds in the grid written.
            let k = Kernels::new();
            let screen = |g: ndarray::ArrayView2<'_, C32>| {
                let flat: Vec<C32> = g.iter().copied().collect();
                k.screen_bits(&flat, flat[0])
            };
            let mut gt = Array2::zeros((n_sc, 14));
            for (cached, mut g) in [
                (false, gs.slice_mut(ndarray::s![.., 1..])),
                (true, gc.view_mut()),
                (false, gt.view_mut().reversed_axes()),
            ] {
                let d = if cached { &mut dc } else { &mut ds };
                let bits = d.process_screened(&b, g.view_mut()).unwrap();
                let want = screen(g.view());
                assert_eq!(bits.max_abs_bits, want.max_abs_bits, "{standard:?}");
                assert_ne!(bits.differ_bits, 0, "{standard:?}");
            }
            assert_eq!(gs.slice(ndarray::s![.., 1..]), gc, "{standard:?} grid");
            // A silent antenna: no magnitude (dead; its zeros may carry either sign, so the
            // difference bits are at most the sign's).
            let bits = ds
                .process_screened(&vec![C32::new(0.0, 0.0); len], gc.view_mut())
                .unwrap();
            assert_eq!(bits.max_abs_bits, 0);
            assert_eq!(bits.differ_bits & 0x7FFF_FFFF, 0);
            assert_eq!(bits.differ_bits == 0, screen(gc.view()).differ_bits == 0);
            // One set of bits per antenna, or a named error.
            let wave = Array2::from_shape_fn((2, len), |(_, i)| b[i]);
            let mut grids = ndarray::Array3::zeros((2, 14, n_sc));
            match ds.process_antennas_screened(wave.view(), grids.view_mut(), &mut []) {
                Err(Error::ShapeMismatch { name, .. }) => assert_eq!(name, "bits [n_ant]"),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn phase_compensation_rotates_each_symbol_and_round_trips() {
        let cfg = OfdmConfig {
            standard: Standard::Nr,
            scs_khz: 30,
            n_fft: 256,
            n_sc: 120,
            n_symbols: 14,
            cyclic_prefix: CyclicPrefix::Normal,
            slot: 1,
            scale: 1.0 / 16.0,
        };
        let grid = Array2::from_shape_fn((14, 120), |(l, k)| {
            C32::new(((l * 3 + k) % 4) as f32 - 1.5, (k % 3) as f32 - 1.0)
        });
        let f0 = 3.5e9;
        let (mut plain, mut comp) = (
            OfdmModulator::new(&cfg).unwrap(),
            OfdmModulator::new(&cfg).unwrap(),
        );
        comp.set_phase_compensation(Some(f0)).unwrap();
        let mut a = vec![C32::new(0.0, 0.0); plain.output_len()];
        let mut b = a.clone();
        plain.process(grid.view(), &mut a).unwrap();
        comp.process(grid.view(), &mut b).unwrap();
        // Each symbol (with its CP) is the uncompensated one times φ_l.
        let mut pos = 0;
        for l in 0..14 {
            let phi = cfg.upconversion_phase(l, f0).unwrap();
            let len = cfg.cp_len(l) + 256;
            for t in pos..pos + len {
                assert!((b[t] - a[t] * phi).norm() < 1e-5);
            }
            pos += len;
        }
        let mut d = OfdmDemodulator::new(&cfg, 0.5).unwrap();
        d.set_phase_compensation(Some(f0)).unwrap();
        let mut back = Array2::zeros((14, 120));
        d.process(&b, back.view_mut()).unwrap();
        let err = (&back - &grid)
            .iter()
            .map(|e| e.norm())
            .fold(0.0f32, f32::max);
        assert!(err < 1e-4, "{err}");
        let lte = OfdmConfig {
            standard: Standard::Lte,
            scs_khz: 15,
            ..cfg
        };
        assert_eq!(
            crate::error::name_of(
                OfdmModulator::new(&lte)
                    .unwrap()
                    .set_phase_compensation(Some(f0))
            ),
            "phase compensation"
        );
    }
}
