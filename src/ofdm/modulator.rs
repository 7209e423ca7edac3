//! OFDM modulator: resource grid → time-domain samples with cyclic prefixes.

use std::sync::Arc;

use ndarray::{ArrayView2, ArrayView3, ArrayViewMut2};
use rustfft::{Fft, FftPlanner};

use super::{OfdmConfig, OutputStores};
use crate::simd::{Kernels, LineVec, OfdmFft};
use crate::{C32, Error, Result};

/// Modulates grids of one [`OfdmConfig`]. Construct once; `process` allocates nothing.
pub struct OfdmModulator {
    cfg: OfdmConfig,
    ifft: Arc<dyn Fft<f32>>,
    /// Occupied subcarriers as contiguous runs (first subcarrier, first bin, length).
    runs: [(usize, usize, usize); 2],
    /// The bins outside the runs (guard bands, LTE's DC): `[start, end)` ranges, zeroed
    /// before a symbol whenever `buf` may hold anything else there (the runs' bins are
    /// overwritten anyway).
    empty_bins: Vec<(usize, usize)>,
    buf: LineVec<C32>,
    /// Whether `buf`'s empty bins hold zeros: true from construction and after the own
    /// transform (which reads `buf` only), false after rustfft's (which uses its input as
    /// scratch) — the zeroing, 20 % of the bins of an NR symbol, runs only then.
    empty_bins_zero: bool,
    /// The inverse FFT's output before it is streamed into the waveform
    /// ([`OutputStores::Streaming`]).
    body: LineVec<C32>,
    scratch: LineVec<C32>,
    /// How the waveform is written.
    stores: OutputStores,
    /// Per grid symbol: scale × the §5.4 phase factor (just the scale without compensation).
    symbol_gain: Vec<C32>,
    /// Per grid symbol: CP length in samples.
    cp: Vec<usize>,
    /// The SIMD kernels of the per-symbol gain (and of the transform, where they have a
    /// vector [`Kernels::ofdm_fft`]).
    kernels: Kernels,
    /// The project's inverse FFT for power-of-two sizes, with its 2·n_fft scratch: it writes
    /// the symbol and its cyclic prefix from its last stage (no body copy), used where the
    /// kernels prefer it (`Kernels::ofdm_fft_preferred`); rustfft otherwise.
    pub(super) own_ifft: Option<(OfdmFft, LineVec<C32>)>,
}

impl OfdmModulator {
    /// Validates `cfg` and plans the inverse FFT.
    pub fn new(cfg: &OfdmConfig) -> Result<Self> {
        cfg.validate()?;
        let ifft = FftPlanner::new().plan_fft_inverse(cfg.n_fft);
        // The inverse FFT writes each symbol straight into the waveform (out of place).
        let scratch = LineVec::zeros(ifft.get_outofplace_scratch_len())?;
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
        let own_ifft = super::own_fft(cfg.n_fft, true)?;
        Ok(Self {
            cfg: *cfg,
            own_ifft,
            runs,
            empty_bins,
            buf: LineVec::zeros(cfg.n_fft)?,
            empty_bins_zero: true,
            body: LineVec::zeros(cfg.n_fft)?,
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

    /// Fences the streamed stores of [`Self::process_symbol_antennas`] (a no-op with cached
    /// stores or without streaming kernels).
    pub fn fence(&self) {
        self.kernels.stream_fence();
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
        let c = self.cfg;
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
        let n_sym = grid.dim().0;
        let mut pos = 0;
        for (l, row) in grid.outer_iter().enumerate() {
            let len = self.cp[l] + c.n_fft;
            // The next symbol's subcarriers are requested while this one streams out.
            let next = if l + 1 < n_sym {
                grid.row(l + 1).to_slice().unwrap_or(&[])
            } else {
                &[]
            };
            self.symbol(l, row, &mut out[pos..pos + len], next)?;
            pos += len;
        }
        Ok(())
    }

    /// Symbol `l` of one antenna from its subcarriers `row` [n_sc] into `out` (its `cp_l +
    /// n_fft` samples), unfenced when streaming; `next` (the memory the caller reads next) is
    /// requested into the cache while the symbol streams out. Shapes caller-checked.
    fn symbol(
        &mut self,
        l: usize,
        row: ndarray::ArrayView1<'_, C32>,
        out: &mut [C32],
        next: &[C32],
    ) -> Result<()> {
        let n = self.cfg.n_fft;
        if !self.empty_bins_zero {
            for &(z0, z1) in &self.empty_bins {
                self.buf[z0..z1].fill(C32::new(0.0, 0.0));
            }
            self.empty_bins_zero = true;
        }
        let gain = self.symbol_gain[l];
        // The own FFT applies the symbol's gain to its outputs (no product per subcarrier
        // here); rustfft's input takes it.
        let own = self.takes_bins();
        for &(k0, b0, len) in &self.runs {
            let src = row.slice(ndarray::s![k0..k0 + len]);
            let dst = &mut self.buf[b0..b0 + len];
            match src.as_slice() {
                Some(s) if own => dst.copy_from_slice(s),
                Some(s) => self.kernels.scale(gain, s, dst)?,
                None => {
                    for (o, &x) in dst.iter_mut().zip(src.iter()) {
                        *o = if own { x } else { x * gain };
                    }
                }
            }
        }
        let cp = self.cp[l];
        if let Some((plan, scratch)) = &mut self.own_ifft
            && own
        {
            let stream = matches!(self.stores, OutputStores::Streaming);
            return own_symbol(
                &self.kernels,
                (plan, scratch),
                &self.buf,
                &mut out[..cp + n],
                (cp, stream, gain),
                next,
            );
        }
        // rustfft's out-of-place transforms leave their input as scratch.
        self.empty_bins_zero = false;
        match self.stores {
            OutputStores::Streaming => {
                // The symbol into `body` (in cache), then its CP and body streamed out.
                self.ifft.process_outofplace_with_scratch(
                    &mut self.buf,
                    &mut self.body,
                    &mut self.scratch,
                );
                // Unfenced: one fence after the last symbol (the caller's).
                self.kernels
                    .copy_stream_unfenced(&self.body[n - cp..], &mut out[..cp], &[])?;
                self.kernels
                    .copy_stream_unfenced(&self.body, &mut out[cp..cp + n], &[next])?;
            }
            OutputStores::Cached => {
                // The symbol's body straight into the waveform, then its CP copied from its
                // end.
                self.ifft.process_outofplace_with_scratch(
                    &mut self.buf,
                    &mut out[cp..cp + n],
                    &mut self.scratch,
                );
                out.copy_within(n..cp + n, 0);
            }
        }
        Ok(())
    }

    /// Symbol `l` of every antenna from `rows` [n_ant, n_sc] (one symbol of an antenna grid:
    /// a precoder's output for that symbol) into its place in `out` [n_ant, output_len()] —
    /// the waveform [`Self::process_antennas`] writes, symbol by symbol, so that a symbol's
    /// antenna rows can be modulated while they are in the cache
    /// ([`crate::link::precode_modulate`]). Unfenced when streaming: call
    /// [`crate::simd::Kernels::stream_fence`] (or another modulation call) before another
    /// thread reads `out`. Errors: `l` ≥ n_symbols (`InvalidParameter` naming `symbol`),
    /// shapes (`ShapeMismatch`), a waveform whose rows are not contiguous (`InvalidParameter`).
    pub fn process_symbol_antennas(
        &mut self,
        l: usize,
        rows: ArrayView2<'_, C32>,
        mut out: ArrayViewMut2<'_, C32>,
    ) -> Result<()> {
        let c = self.cfg;
        if l >= c.n_symbols {
            return Err(Error::InvalidParameter {
                name: "symbol",
                value: crate::error::Value::of(&l),
                reason: "must be below the carrier's n_symbols",
            });
        }
        if rows.dim().1 != c.n_sc || out.dim() != (rows.dim().0, c.samples()) {
            return Err(Error::ShapeMismatch {
                name: "rows [n_ant, n_sc] / waveform [n_ant, n_samples]",
                expected: crate::error::Shape::of(&[rows.dim().0, c.n_sc, c.samples()]),
                got: crate::error::Shape::of(&[rows.dim().0, rows.dim().1, out.dim().1]),
            });
        }
        let pos: usize = self.cp[..l].iter().map(|&cp| cp + c.n_fft).sum();
        let len = self.cp[l] + c.n_fft;
        let n_ant = rows.dim().0;
        for (a, (row, mut o)) in rows.outer_iter().zip(out.outer_iter_mut()).enumerate() {
            let next = if a + 1 < n_ant {
                rows.row(a + 1).to_slice().unwrap_or(&[])
            } else {
                &[]
            };
            let o = o
                .as_slice_mut()
                .ok_or_else(super::non_contiguous_waveform)?;
            self.symbol(l, row, &mut o[pos..pos + len], next)?;
        }
        Ok(())
    }

    /// Values one symbol's buffer of [`crate::link::precode_modulate`] holds for `n_ant`
    /// antennas: a row of n_fft + 16 per antenna (at least n_sc) — the precoder's rows, or,
    /// where the modulator's own FFT runs, the transforms' inputs.
    pub fn symbol_buffer_len(&self, n_ant: usize) -> usize {
        n_ant.saturating_mul(self.bins_stride())
    }

    /// The distance between two antennas' transform inputs in a one-symbol buffer:
    /// n_fft + 16 samples (128 bytes more than a power of two, so the rows do not share the
    /// L1's sets).
    pub(crate) fn bins_stride(&self) -> usize {
        self.cfg.n_fft + 16
    }

    /// Whether [`Self::process_symbol_bins`] runs here: the own FFT on these kernels.
    pub(crate) fn takes_bins(&self) -> bool {
        self.own_ifft.is_some() && self.kernels.ofdm_fft_preferred(self.cfg.n_fft)
    }

    /// The occupied subcarriers as runs `(first subcarrier, first bin, length)`
    /// ([`OfdmConfig::bin_runs`]).
    pub(crate) fn bin_runs(&self) -> [(usize, usize, usize); 2] {
        self.runs
    }

    /// Zeroes the bins outside the runs (guard bands, LTE's DC) of every antenna's row of
    /// `bins` ([`Self::bins_stride`] apart); the runs' bins are left as they are.
    pub(crate) fn zero_guard_bins(&self, bins: &mut [C32]) {
        for row in bins.chunks_mut(self.bins_stride()) {
            for &(z0, z1) in &self.empty_bins {
                if let Some(z) = row.get_mut(z0..z1) {
                    z.fill(C32::new(0.0, 0.0));
                }
            }
        }
    }

    /// Symbol `l` of every antenna from its transform inputs into its place in `out` [n_ant,
    /// output_len()]: `bins` holds a row of [`Self::bins_stride`] per antenna whose first
    /// n_fft values are the symbol's DFT bins unscaled (the grid's subcarriers at
    /// [`Self::bin_runs`], zeros elsewhere) — what a precoder writes there directly
    /// ([`crate::link::precode_modulate`]: no antenna rows, no mapping pass). The symbol's
    /// gain is applied by the transform, as [`Self::process_symbol_antennas`] does: the same
    /// samples bit for bit. Only where [`Self::takes_bins`]. Unfenced when streaming.
    /// Errors: `l` ≥ n_symbols (`InvalidParameter` naming `symbol`), `bins` shorter than n_ant
    /// rows or `out` not [n_ant, output_len()] (`ShapeMismatch`), the own FFT not running on
    /// these kernels (`InvalidParameter` naming `bins`).
    pub(crate) fn process_symbol_bins(
        &mut self,
        l: usize,
        bins: &[C32],
        mut out: ArrayViewMut2<'_, C32>,
    ) -> Result<()> {
        let c = self.cfg;
        let (n, stride, n_ant) = (c.n_fft, self.bins_stride(), out.dim().0);
        if l >= c.n_symbols {
            return Err(Error::InvalidParameter {
                name: "symbol",
                value: crate::error::Value::of(&l),
                reason: "must be below the carrier's n_symbols",
            });
        }
        if bins.len() < n_ant * stride || out.dim().1 != c.samples() {
            return Err(Error::ShapeMismatch {
                name: "bins [n_ant · bins_stride] / waveform [n_ant, n_samples]",
                expected: crate::error::Shape::of(&[n_ant * stride, c.samples()]),
                got: crate::error::Shape::of(&[bins.len(), out.dim().1]),
            });
        }
        let own = self.kernels.ofdm_fft_preferred(n);
        let Some((plan, scratch)) = self.own_ifft.as_mut().filter(|_| own) else {
            return Err(Error::InvalidParameter {
                name: "bins",
                value: crate::error::Value::of(&n),
                reason: "transform inputs need the modulator's own FFT on these kernels",
            });
        };
        let pos: usize = self.cp[..l].iter().map(|&cp| cp + n).sum();
        let (cp, gain) = (self.cp[l], self.symbol_gain[l]);
        let stream = matches!(self.stores, OutputStores::Streaming);
        for (a, mut o) in out.outer_iter_mut().enumerate() {
            let o = o
                .as_slice_mut()
                .ok_or_else(super::non_contiguous_waveform)?;
            // The next antenna's inputs are requested while this one transforms.
            let next = bins
                .get((a + 1) * stride..(a + 1) * stride + n)
                .unwrap_or(&[]);
            own_symbol(
                &self.kernels,
                (plan, scratch),
                &bins[a * stride..a * stride + n],
                &mut o[pos..pos + cp + n],
                (cp, stream, gain),
                if a + 1 < n_ant { next } else { &[] },
            )?;
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

/// One symbol by the own FFT: `bins` (n_fft, unscaled) into `out` (`cp + n_fft` samples), the
/// prefix and the symbol from the transform's last stage, times `gain` there; streamed
/// unfenced (one fence after the last symbol: the caller's); `next` requested meanwhile.
fn own_symbol(
    kernels: &Kernels,
    (plan, scratch): (&OfdmFft, &mut LineVec<C32>),
    bins: &[C32],
    out: &mut [C32],
    (cp, stream, gain): (usize, bool, C32),
    next: &[C32],
) -> Result<()> {
    kernels.ofdm_fft_scaled_then(plan, bins, scratch, out, cp, stream, gain, &[next])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, Array3};

    /// Symbol by symbol, in any order, with either store policy, `process_symbol_antennas`
    /// writes `process_antennas`' waveform bit for bit; refusals are named.
    #[test]
    fn symbol_by_symbol_is_the_antennas_call() {
        for cfg in super::super::test_carriers() {
            let (standard, n_sc) = (cfg.standard, cfg.n_sc);
            let n_ant = 3;
            let grid = Array3::from_shape_fn((n_ant, 14, n_sc), |(a, l, k)| {
                C32::new(
                    ((a * 11 + l * 5 + k) % 7) as f32 - 3.0,
                    ((a + l + 3 * k) % 5) as f32 - 2.0,
                )
            });
            let mut m = OfdmModulator::new(&cfg).unwrap();
            let len = m.output_len();
            let mut want = Array2::zeros((n_ant, len));
            m.process_antennas(grid.view(), want.view_mut()).unwrap();
            for stores in [OutputStores::Streaming, OutputStores::Cached] {
                m.set_output_stores(stores);
                let mut got = Array2::from_elem((n_ant, len), C32::new(7.0, 7.0));
                // Odd symbols first, then even ones.
                for l in (1..14).step_by(2).chain((0..14).step_by(2)) {
                    let rows = grid.slice(ndarray::s![.., l, ..]).to_owned();
                    m.process_symbol_antennas(l, rows.view(), got.view_mut())
                        .unwrap();
                }
                m.fence();
                assert!(got == want, "{standard:?} {stores:?}");
            }
            let rows = Array2::zeros((n_ant, n_sc));
            let mut out = Array2::zeros((n_ant, len));
            match m.process_symbol_antennas(14, rows.view(), out.view_mut()) {
                Err(Error::InvalidParameter { name, .. }) => assert_eq!(name, "symbol"),
                other => panic!("{other:?}"),
            }
            let narrow = Array2::zeros((n_ant, n_sc - 1));
            let mut short = Array2::zeros((n_ant, len - 1));
            for (r, o) in [
                (narrow.view(), out.view_mut()),
                (rows.view(), short.view_mut()),
            ] {
                match m.process_symbol_antennas(0, r, o) {
                    Err(Error::ShapeMismatch { name, .. }) => {
                        assert!(name.starts_with("rows"), "{name}")
                    }
                    other => panic!("{other:?}"),
                }
            }
        }
    }

    /// `process_symbol_bins` (a precoder's output placed at the DFT bins, unscaled, guards
    /// zeroed by `zero_guard_bins` over a buffer full of other values) writes what
    /// `process_symbol_antennas` writes from the grid rows, bit for bit, on every backend whose
    /// own FFT runs (`takes_bins`), with the plain scale (a real gain) and with the §5.4 phase
    /// compensation (a complex one per symbol); refusals are named.
    #[test]
    fn transform_inputs_give_the_rows_symbols() {
        for backend in crate::simd::Backend::available() {
            let kernels = Kernels::with_backend(backend).unwrap();
            for cfg in super::super::test_carriers() {
                let (n_sc, n_ant) = (cfg.n_sc, 3);
                let grid = Array3::from_shape_fn((n_ant, 14, n_sc), |(a, l, k)| {
                    C32::new(
                        ((a * 11 + l * 5 + k) % 7) as f32 - 3.3,
                        ((a + l + 3 * k) % 5) as f32 - 2.1,
                    )
                });
                let mut m = OfdmModulator::new(&cfg).unwrap().with_kernels(kernels);
                let len = m.output_len();
                let stride = m.bins_stride();
                assert_eq!(m.symbol_buffer_len(n_ant), n_ant * (cfg.n_fft + 16));
                assert!(stride >= n_sc);
                let f0 = (cfg.standard == super::super::Standard::Nr).then_some(3.5e9);
                for f0 in [None, f0] {
                    m.set_phase_compensation(f0).unwrap();
                    let mut want = Array2::zeros((n_ant, len));
                    m.process_antennas(grid.view(), want.view_mut()).unwrap();
                    let mut got = Array2::from_elem((n_ant, len), C32::new(7.0, 7.0));
                    let mut bins = vec![C32::new(5.0, -5.0); m.symbol_buffer_len(n_ant)];
                    m.zero_guard_bins(&mut bins);
                    if !m.takes_bins() {
                        match m.process_symbol_bins(0, &bins, got.view_mut()) {
                            Err(Error::InvalidParameter { name, .. }) => assert_eq!(name, "bins"),
                            other => panic!("{other:?}"),
                        }
                        continue;
                    }
                    for l in 0..14 {
                        for (a, row) in bins.chunks_mut(stride).enumerate() {
                            for (k0, b0, run) in m.bin_runs() {
                                for i in 0..run {
                                    row[b0 + i] = grid[[a, l, k0 + i]];
                                }
                            }
                        }
                        m.process_symbol_bins(l, &bins, got.view_mut()).unwrap();
                    }
                    m.fence();
                    assert!(got == want, "{backend} {:?} f0={f0:?}", cfg.standard);
                    match m.process_symbol_bins(14, &bins, got.view_mut()) {
                        Err(Error::InvalidParameter { name, .. }) => assert_eq!(name, "symbol"),
                        other => panic!("{other:?}"),
                    }
                    let short = &bins[..n_ant * stride - 1];
                    match m.process_symbol_bins(0, short, got.view_mut()) {
                        Err(Error::ShapeMismatch { name, .. }) => {
                            assert!(name.starts_with("bins"), "{name}")
                        }
                        other => panic!("{other:?}"),
                    }
                }
            }
        }
    }

    /// One modulator whose kernels change between calls (rustfft's transforms use the mapped
    /// symbol as scratch; the own transform only reads it, so the guard bins are zeroed only
    /// after rustfft ran): every call writes what a fresh modulator with the same kernels
    /// writes, bit for bit.
    #[test]
    fn guard_bins_stay_zero_when_the_transform_changes() {
        let backends: Vec<_> = crate::simd::Backend::available().collect();
        for cfg in super::super::test_carriers() {
            let n_sc = cfg.n_sc;
            let mut m = OfdmModulator::new(&cfg).unwrap();
            // Scalar (rustfft) and the best backend (the own transform where it is vectorised),
            // alternating, each with its own grid.
            for (step, backend) in backends.iter().chain(backends.iter().rev()).enumerate() {
                let k = Kernels::with_backend(*backend).unwrap();
                let grid = Array2::from_shape_fn((14, n_sc), |(l, j)| {
                    C32::new(
                        ((step * 3 + l * 5 + j) % 7) as f32 - 3.0,
                        ((step + l + 3 * j) % 5) as f32 - 2.0,
                    )
                });
                m = m.with_kernels(k);
                if !m.empty_bins_zero {
                    // rustfft may leave anything in its input (the documented contract);
                    // the next symbol must not see it.
                    m.buf.fill(C32::new(f32::NAN, 5.0));
                }
                let mut got = vec![C32::new(0.0, 0.0); m.output_len()];
                m.process(grid.view(), &mut got).unwrap();
                let own = m.own_ifft.is_some() && k.ofdm_fft_preferred(cfg.n_fft);
                assert_eq!(m.empty_bins_zero, own, "{backend:?}");
                let mut fresh = OfdmModulator::new(&cfg).unwrap().with_kernels(k);
                let mut want = vec![C32::new(0.0, 0.0); m.output_len()];
                fresh.process(grid.view(), &mut want).unwrap();
                assert!(got == want, "{:?} {backend:?} step {step}", cfg.standard);
            }
        }
    }
}
