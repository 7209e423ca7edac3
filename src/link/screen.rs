//! Screening of a received grid before estimation: the containment of faulty antennas and
//! samples (a NaN/Inf burst, a dead or stuck receiver). Without it one NaN sample reaches the
//! estimator's shared statistics (noise, delay profile) and turns other users' estimates and
//! the precoder into NaN / MRT fallbacks silently.
//!
//! Rules, per antenna of a grid `[n_ant, n_sym, n_sc]`:
//! * **non-finite samples** (NaN, ±∞) are zeroed — they carry no information, and a zero RE
//!   only weakens that antenna's own estimate — and counted: [`AntennaHealth::NonFinite`];
//! * **dead** (every sample exactly zero): nothing to do, flagged [`AntennaHealth::Dead`]
//!   (zeros already contribute nothing to the estimates or the filters);
//! * **stuck** (every sample the same non-zero value — a frozen receiver): zeroed, flagged
//!   [`AntennaHealth::Stuck`]; the antenna then counts as dead;
//! * **saturated** (with a full scale set, [`GridScreen::set_full_scale`]: components at or
//!   beyond it — an ADC or fronthaul clipping at its rails): the clipped samples are zeroed
//!   (their amplitude and phase are wrong, a zero only weakens the antenna) and counted,
//!   [`AntennaHealth::Saturated`].
//!
//! The slots report the last screening through `antenna_health()`.

use ndarray::{ArrayView3, ArrayViewMut3, Axis};

use crate::C32;
use crate::fronthaul::{Timing, UplaneCodec};
use crate::simd::{Kernels, ScreenBits};

/// What the screening found on one receive antenna in the last slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AntennaHealth {
    /// Every sample finite, not all equal.
    Ok,
    /// `samples` non-finite samples, zeroed before estimation.
    NonFinite {
        /// How many.
        samples: usize,
    },
    /// Every sample zero.
    Dead,
    /// Every sample the same non-zero value; zeroed.
    Stuck,
    /// `samples` samples with a component at or beyond the full scale, zeroed.
    Saturated {
        /// How many.
        samples: usize,
    },
}

impl AntennaHealth {
    /// Whether the antenna's samples need changing before estimation.
    pub fn needs_containment(self) -> bool {
        matches!(
            self,
            AntennaHealth::NonFinite { .. }
                | AntennaHealth::Stuck
                | AntennaHealth::Saturated { .. }
        )
    }
}

/// What [`GridScreen::inspect_with`] classifies from.
#[derive(Clone, Copy)]
enum Source<'a> {
    /// Every sample of the grid.
    Whole,
    /// The samples of these OFDM symbols.
    Symbols(&'a [usize]),
    /// Bits the grid's writer folded, one set per antenna (the samples read only to count).
    Bits(&'a [ScreenBits]),
}

/// Per-antenna health of the last screened grid; sized at construction, allocation-free.
#[derive(Clone, Debug)]
pub struct GridScreen {
    health: Vec<AntennaHealth>,
    /// Bit pattern of the full scale (|component| bits ≥ it = clipped); +∞ when unset.
    full_scale_bits: u32,
    /// The bit-pattern pass over each antenna ([`Kernels::screen_bits`]).
    kernels: Kernels,
}

impl GridScreen {
    /// A screen for grids of `n_ant` antennas (no full scale: saturation is not checked).
    pub fn new(n_ant: usize) -> Self {
        Self {
            health: vec![AntennaHealth::Ok; n_ant],
            full_scale_bits: f32::INFINITY.to_bits(),
            kernels: Kernels::new(),
        }
    }

    /// Uses specific kernels (e.g. a forced SIMD backend) for the screening pass.
    pub fn with_kernels(mut self, kernels: Kernels) -> Self {
        self.kernels = kernels;
        self
    }

    /// The magnitude at which a real or imaginary component counts as clipped (the ADC's or
    /// the fronthaul's rail in the grid's unit; e.g. [`crate::fronthaul::UplaneCodec::full_scale`]),
    /// or `None` to stop checking. Errors: a full scale that is not finite and > 0
    /// (`InvalidParameter` naming `full_scale`).
    pub fn set_full_scale(&mut self, full_scale: Option<f32>) -> crate::Result<()> {
        self.full_scale_bits = match full_scale {
            None => f32::INFINITY.to_bits(),
            Some(f) if f.is_finite() && f > 0.0 => f.to_bits(),
            Some(f) => {
                return Err(crate::Error::InvalidParameter {
                    name: "full_scale",
                    value: crate::error::Value::of(&f),
                    reason: "finite and > 0",
                });
            }
        };
        Ok(())
    }

    /// Classifies every antenna of `grid` [n_ant, n_sym, n_sc] without changing it;
    /// returns how many need containment ([`AntennaHealth::needs_containment`]). Grids with
    /// another antenna count are classified up to the smaller count.
    pub fn inspect(&mut self, grid: ArrayView3<'_, C32>) -> usize {
        self.inspect_with(grid, Source::Whole)
    }

    /// [`Self::inspect`] of the OFDM symbols `symbols` of `grid` only (those an estimator
    /// reads — e.g. a sounding grid's SRS symbols, [`crate::estimation::PilotPattern::pilot_symbols`]):
    /// each antenna is classified, and its non-finite or clipped samples counted, on those
    /// symbols' samples; symbols past the grid are ignored. [`Self::contain`] afterwards still
    /// acts on the whole grid.
    pub fn inspect_symbols(&mut self, grid: ArrayView3<'_, C32>, symbols: &[usize]) -> usize {
        self.inspect_with(grid, Source::Symbols(symbols))
    }

    /// [`Self::inspect`] from the bits the grid's writer folded as it wrote it
    /// ([`crate::ofdm::OfdmDemodulator::process_antennas_screened`]): `bits[a]` is antenna a's
    /// [`Kernels::screen_bits`] (reference: any of its samples). The grid is read only for
    /// antennas with a non-finite or clipped part (to count them); the classification is that
    /// of `inspect`. `bits` must describe `grid` as it is now — bits of an earlier grid give
    /// that grid's health. Errors: `bits` not one per antenna of the screen (`ShapeMismatch`
    /// naming it).
    pub fn inspect_screened(
        &mut self,
        grid: ArrayView3<'_, C32>,
        bits: &[ScreenBits],
    ) -> crate::Result<usize> {
        if bits.len() != self.health.len() {
            return Err(crate::Error::ShapeMismatch {
                name: "bits [n_ant]",
                expected: crate::error::Shape::of(&[self.health.len()]),
                got: crate::error::Shape::of(&[bits.len()]),
            });
        }
        Ok(self.inspect_with(grid, Source::Bits(bits)))
    }

    /// [`Self::inspect`] from the rows' bits `rows` keeps (those its writer folded, e.g.
    /// [`crate::fronthaul::UplaneCodec::read_message_screened`]): every row `rows` does not
    /// know is screened here ([`Kernels::screen_bits`]) and recorded, then each antenna is
    /// classified from its rows' bits merged — the classification of `inspect`, reading from
    /// memory only the rows nobody screened (and the antennas with a non-finite or clipped
    /// part, to count them). Errors: `rows` for another grid shape (`ShapeMismatch` naming
    /// `rows [n_ant, n_sym]`).
    pub fn inspect_rows(
        &mut self,
        grid: ArrayView3<'_, C32>,
        rows: &mut RowScreen,
    ) -> crate::Result<usize> {
        let (n_ant, n_sym, _) = grid.dim();
        if n_ant != self.health.len() || n_ant != rows.merged.len() || n_sym != rows.n_sym {
            return Err(crate::Error::ShapeMismatch {
                name: "rows [n_ant, n_sym]",
                expected: crate::error::Shape::of(&[self.health.len(), n_sym]),
                got: crate::error::Shape::of(&[rows.merged.len(), rows.n_sym]),
            });
        }
        for (a, ant) in grid.axis_iter(Axis(0)).enumerate() {
            // Each row's first sample as its decode saw it where `rows` kept it (the row was
            // streamed out: reading it back would wait on memory), else from the grid.
            let first_of = |rows: &RowScreen, l: usize, row: ndarray::ArrayView1<'_, C32>| {
                rows.first_sample(a, l)
                    .unwrap_or_else(|| row.first().copied().unwrap_or_default())
            };
            let reference = match ant.axis_iter(Axis(0)).next() {
                Some(row) => first_of(rows, 0, row),
                None => C32::default(),
            };
            let mut merged = ScreenBits::default();
            for (l, row) in ant.axis_iter(Axis(0)).enumerate() {
                let row_first = first_of(rows, l, row);
                if !rows.knows(a, l) {
                    let bits = match row.as_slice() {
                        Some(x) => self.kernels.screen_bits(x, row_first),
                        // A strided row: the same bits sample by sample.
                        None => row
                            .iter()
                            .fold(ScreenBits::default(), |b, &v| b.with(v, row_first)),
                    };
                    rows.record(a, l, bits)?;
                }
                merged = merged.merge(rows.bits[a * n_sym + l], reference, row_first);
            }
            rows.merged[a] = merged;
        }
        Ok(self.inspect_with(grid, Source::Bits(&rows.merged)))
    }

    fn inspect_with(&mut self, grid: ArrayView3<'_, C32>, source: Source<'_>) -> usize {
        let mut flagged = 0;
        let n_sym = grid.dim().1;
        let rows: &[usize] = match source {
            Source::Symbols(s) => s,
            _ => &[],
        };
        let rows = || rows.iter().copied().filter(move |&l| l < n_sym);
        for (a, (h, ant)) in self
            .health
            .iter_mut()
            .zip(grid.axis_iter(Axis(0)))
            .enumerate()
        {
            let samples = match source {
                Source::Symbols(_) => rows().count() * ant.dim().1,
                _ => ant.len(),
            };
            // The reference sample "stuck" compares with: the antenna's first (the first
            // listed symbol's first with `Symbols`). Read only where a pass needs it: given
            // bits need no sample (the grid may just have been streamed out, and reading a
            // line back waits for it to reach memory).
            let first_sample = || {
                match source {
                    Source::Symbols(_) => rows().next().and_then(|l| ant.row(l).first().copied()),
                    _ => ant.iter().next().copied(),
                }
                .unwrap_or_default()
            };
            // Fast path: the bit maxima and differences (given, or kernel passes over the
            // contiguous antenna or its listed rows); the counting pass below only where a
            // part is non-finite or at the full scale (the same classification either way).
            let fast = match source {
                Source::Bits(b) => Some(b[a]),
                Source::Whole => ant
                    .as_slice()
                    .map(|x| self.kernels.screen_bits(x, first_sample())),
                // Each listed row against its own first sample, merged against the first; a
                // non-contiguous row sends the antenna to the counting pass.
                Source::Symbols(_) => {
                    let first = first_sample();
                    rows().try_fold(ScreenBits::default(), |bits, l| {
                        let x = ant.row(l).to_slice()?;
                        let row_first = x.first().copied().unwrap_or_default();
                        let s = self.kernels.screen_bits(x, row_first);
                        Some(bits.merge(s, first, row_first))
                    })
                }
            };
            if let Some(s) = fast
                && s.max_abs_bits < 0x7F80_0000
                && s.max_abs_bits < self.full_scale_bits
            {
                *h = if s.max_abs_bits == 0 {
                    AntennaHealth::Dead
                } else if s.differ_bits == 0 && samples > 1 {
                    AntennaHealth::Stuck
                } else {
                    AntennaHealth::Ok
                };
                flagged += usize::from(h.needs_containment());
                continue;
            }
            // Branch-free accumulation over the antenna's samples (one streaming pass, which
            // the compiler vectorises on contiguous rows).
            let first = first_sample();
            let (f_re, f_im) = (first.re.to_bits(), first.im.to_bits());
            // Integer tests on the bit patterns: exponent all ones = NaN or ±∞; any bit other
            // than the sign = non-zero; bit inequality with the first sample = not stuck.
            // Magnitude bit patterns order like the magnitudes: |x| ≥ fs ⇔ bits(|x|) ≥ bits(fs).
            let fs = self.full_scale_bits;
            let scan = |acc: (u32, u32, u32, u32), v: &C32| {
                let (r, i) = (v.re.to_bits(), v.im.to_bits());
                let inf = u32::from((r & 0x7F80_0000) == 0x7F80_0000)
                    | u32::from((i & 0x7F80_0000) == 0x7F80_0000);
                let clip = u32::from((r & 0x7FFF_FFFF) >= fs) | u32::from((i & 0x7FFF_FFFF) >= fs);
                (
                    acc.0 + inf,
                    acc.1 | ((r | i) & 0x7FFF_FFFF),
                    acc.2 | (r ^ f_re) | (i ^ f_im),
                    acc.3 + clip,
                )
            };
            let (bad, nz, diff, clipped) = match (source, ant.as_slice()) {
                (Source::Symbols(_), _) => rows()
                    .flat_map(|l| ant.row(l).into_iter())
                    .fold((0, 0, 0, 0), scan),
                (_, Some(x)) => x.iter().fold((0, 0, 0, 0), scan),
                (_, None) => ant.iter().fold((0, 0, 0, 0), scan),
            };
            let (bad, nonzero, differ) = (bad as usize, nz != 0, diff != 0);
            let (all_zero, all_same) = (!nonzero, !differ);
            *h = if bad > 0 {
                AntennaHealth::NonFinite { samples: bad }
            } else if all_zero {
                AntennaHealth::Dead
            } else if all_same && samples > 1 {
                AntennaHealth::Stuck
            } else if clipped > 0 {
                AntennaHealth::Saturated {
                    samples: clipped as usize,
                }
            } else {
                AntennaHealth::Ok
            };
            flagged += usize::from(h.needs_containment());
        }
        flagged
    }

    /// Applies the containment [`Self::inspect`] decided to `grid` (the same grid or a copy
    /// of it): non-finite samples of flagged antennas zeroed, stuck antennas zeroed.
    pub fn contain(&self, mut grid: ArrayViewMut3<'_, C32>) {
        let zero = C32::new(0.0, 0.0);
        for (h, mut ant) in self.health.iter().zip(grid.axis_iter_mut(Axis(0))) {
            match h {
                AntennaHealth::NonFinite { .. } => ant.iter_mut().for_each(|v| {
                    if !(v.re.is_finite() && v.im.is_finite()) {
                        *v = zero;
                    }
                }),
                AntennaHealth::Stuck => ant.fill(zero),
                AntennaHealth::Saturated { .. } => {
                    let fs = f32::from_bits(self.full_scale_bits);
                    ant.iter_mut().for_each(|v| {
                        if v.re.abs() >= fs || v.im.abs() >= fs {
                            *v = zero;
                        }
                    })
                }
                AntennaHealth::Ok | AntennaHealth::Dead => {}
            }
        }
    }

    /// The health of every antenna in the last screened grid.
    pub fn health(&self) -> &[AntennaHealth] {
        &self.health
    }
}

/// The screening bits of a grid's rows `[n_ant, n_sym]` that the grid's writer folded as it
/// wrote them (each row's [`Kernels::screen_bits`] against the row's first sample, e.g. from
/// [`crate::fronthaul::UplaneCodec::read_message_screened`]), and which rows they still
/// describe. [`GridScreen::inspect_rows`] screens the rows it does not know and classifies
/// from them all. Sized at construction, allocation-free; up to 64 symbols per slot.
#[derive(Clone, Debug)]
pub struct RowScreen {
    n_sym: usize,
    /// [n_ant, n_sym].
    bits: Vec<ScreenBits>,
    /// Per antenna, bit l set: row l's bits describe the row as it is now.
    valid: Vec<u64>,
    /// Per antenna, its rows' bits merged against its first sample (what the classification
    /// takes).
    merged: Vec<ScreenBits>,
    /// [n_ant, n_sym]: each row's first sample as [`RowScreen::receive`] decoded it (`None`
    /// for rows whose bits came from [`RowScreen::record`]; read only while the bits are known).
    firsts: Vec<Option<C32>>,
}

impl RowScreen {
    /// Rows of `n_ant` antennas × `n_sym` OFDM symbols, none known. Errors: `n_sym` above 64
    /// (`InvalidParameter` naming it).
    pub fn new(n_ant: usize, n_sym: usize) -> crate::Result<Self> {
        if n_sym > 64 {
            return Err(crate::Error::InvalidParameter {
                name: "n_sym",
                value: crate::error::Value::of(&n_sym),
                reason: "at most 64 OFDM symbols",
            });
        }
        Ok(Self {
            n_sym,
            bits: vec![ScreenBits::default(); n_ant * n_sym],
            valid: vec![0; n_ant],
            merged: vec![ScreenBits::default(); n_ant],
            firsts: vec![None; n_ant * n_sym],
        })
    }

    /// Records `bits` as row (`antenna`, `symbol`)'s screening against its first sample, as
    /// the row is now. Errors: a row outside the grid (`InvalidParameter` naming `row`).
    pub fn record(&mut self, antenna: usize, symbol: usize, bits: ScreenBits) -> crate::Result<()> {
        if antenna >= self.valid.len() || symbol >= self.n_sym {
            return Err(crate::Error::InvalidParameter {
                name: "row (antenna, symbol)",
                value: crate::value!("({antenna}, {symbol})"),
                reason: "inside the grid's [n_ant, n_sym]",
            });
        }
        self.bits[antenna * self.n_sym + symbol] = bits;
        self.valid[antenna] |= 1 << symbol;
        // The row's first sample is the grid's (read there when needed).
        self.firsts[antenna * self.n_sym + symbol] = None;
        Ok(())
    }

    /// Decodes the U-plane `message` into `row` — row (`antenna`, `symbol`) of the grid, the
    /// symbol the message's header names — and records the row's bits when the message wrote
    /// all of it ([`UplaneCodec::read_message_screened`]); otherwise, and on an error part-way,
    /// the row is forgotten (it holds samples no screening describes). Returns the message's
    /// timing; the codec's errors, and a row outside the grid (`InvalidParameter`).
    pub fn receive(
        &mut self,
        codec: &mut UplaneCodec,
        antenna: usize,
        symbol: usize,
        message: &[u8],
        row: &mut [C32],
    ) -> crate::Result<Timing> {
        self.forget(antenna, symbol);
        let (timing, _, screened) = codec.read_message_screened_with_first(message, row)?;
        if let Some((bits, first)) = screened {
            self.record(antenna, symbol, bits)?;
            self.firsts[antenna * self.n_sym + symbol] = Some(first);
        }
        Ok(timing)
    }

    /// Row (`antenna`, `symbol`)'s first sample as [`Self::receive`] decoded it, while the
    /// row's bits are known and came from there.
    fn first_sample(&self, antenna: usize, symbol: usize) -> Option<C32> {
        if self.knows(antenna, symbol) {
            self.firsts[antenna * self.n_sym + symbol]
        } else {
            None
        }
    }

    /// Forgets row (`antenna`, `symbol`)'s bits (the row changed; rows outside the grid:
    /// nothing to forget).
    pub fn forget(&mut self, antenna: usize, symbol: usize) {
        if let Some(v) = self.valid.get_mut(antenna) {
            *v &= !(1u64.checked_shl(symbol as u32).unwrap_or(0));
        }
    }

    /// Forgets every row (the whole grid changed).
    pub fn clear(&mut self) {
        self.valid.fill(0);
    }

    /// Whether row (`antenna`, `symbol`)'s bits are known.
    pub fn knows(&self, antenna: usize, symbol: usize) -> bool {
        symbol < self.n_sym
            && self
                .valid
                .get(antenna)
                .is_some_and(|v| v & (1 << symbol) != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array3;

    /// The kernel pass (contiguous antennas) classifies as the counting pass does (the same
    /// values in a strided view, which takes only the counting pass), on every backend: fine,
    /// dead, stuck, a NaN or ∞ at the first, a middle and the last sample, clipped parts with
    /// a full scale set, and antennas of 2, 7 and 40 samples.
    #[test]
    fn the_kernel_pass_classifies_as_the_counting_pass() {
        use crate::simd::Backend;
        for backend in Backend::available() {
            let kernels = Kernels::with_backend(backend).unwrap();
            for (n_sym, n_sc) in [(1, 2), (1, 7), (2, 20), (3, 5)] {
                let n = n_sym * n_sc;
                let cases: Vec<Box<dyn Fn(usize) -> C32>> = vec![
                    Box::new(|i| C32::new(0.1 * i as f32 - 0.3, 0.2)),
                    Box::new(|_| C32::new(0.0, 0.0)),
                    Box::new(|_| C32::new(0.7, -0.1)),
                    Box::new(|i| {
                        if i == 0 {
                            C32::new(f32::NAN, 0.0)
                        } else {
                            C32::new(0.5, 0.5)
                        }
                    }),
                    Box::new(move |i| {
                        if i == n / 2 {
                            C32::new(0.0, f32::INFINITY)
                        } else {
                            C32::new(0.1, 0.0)
                        }
                    }),
                    Box::new(move |i| {
                        if i + 1 == n {
                            C32::new(f32::NEG_INFINITY, 1.0)
                        } else {
                            C32::new(0.1, 0.0)
                        }
                    }),
                    Box::new(|i| C32::new(if i % 3 == 0 { 2.0 } else { 0.5 }, -0.25)),
                    Box::new(|i| C32::new(0.5, if i == 1 { -1.5 } else { 0.25 })),
                    // Each row stuck at its own value (stuck only with one row).
                    Box::new(move |i| C32::new(0.25 * (i / n_sc) as f32 + 0.5, 0.0)),
                ];
                for fs in [None, Some(1.5), Some(4.0)] {
                    let g = Array3::from_shape_fn((cases.len(), n_sym, n_sc), |(a, l, k)| {
                        cases[a](l * n_sc + k)
                    });
                    // Every other symbol and subcarrier of a grid twice as large: the same
                    // values, strided (no antenna contiguous).
                    let big =
                        Array3::from_shape_fn((cases.len(), 2 * n_sym, 2 * n_sc), |(a, l, k)| {
                            g[[a, l / 2, k / 2]]
                        });
                    let strided = big.slice(ndarray::s![.., ..;2, ..;2]);
                    assert!(strided.index_axis(Axis(0), 0).as_slice().is_none());
                    let mut fast = GridScreen::new(cases.len()).with_kernels(kernels);
                    let mut slow = GridScreen::new(cases.len()).with_kernels(kernels);
                    fast.set_full_scale(fs).unwrap();
                    slow.set_full_scale(fs).unwrap();
                    let flagged = fast.inspect(g.view());
                    assert_eq!(slow.inspect(strided), flagged);
                    assert_eq!(
                        fast.health(),
                        slow.health(),
                        "{backend:?} {n_sym}×{n_sc} {fs:?}"
                    );
                    // From rows' bits: none known, all, every other one recorded by the
                    // writer (contiguous rows), and none of the strided grid's (sample by
                    // sample); twice each (the second from the rows the first screened).
                    for known in [0, 1, 2, 3] {
                        let mut rows = RowScreen::new(cases.len(), n_sym).unwrap();
                        for a in 0..cases.len() {
                            for l in (0..n_sym).filter(|l| known == 1 || known == 2 && l % 2 == 0) {
                                let x = g.slice(ndarray::s![a, l, ..]).to_vec();
                                rows.record(a, l, kernels.screen_bits(&x, x[0])).unwrap();
                            }
                        }
                        let grid = if known == 3 { strided } else { g.view() };
                        let mut from_rows = GridScreen::new(cases.len()).with_kernels(kernels);
                        from_rows.set_full_scale(fs).unwrap();
                        for pass in 0..2 {
                            let case = format!("{backend:?} {n_sym}×{n_sc} {fs:?} {known} {pass}");
                            assert_eq!(
                                from_rows.inspect_rows(grid, &mut rows),
                                Ok(flagged),
                                "{case}"
                            );
                            assert_eq!(from_rows.health(), slow.health(), "{case}");
                            assert!((0..n_sym).all(|l| rows.knows(cases.len() - 1, l)), "{case}");
                        }
                    }
                }
            }
        }
    }

    /// Rows are known once recorded or screened, forgotten one by one or all at once; a row
    /// outside the grid, more than 64 symbols and rows of another shape are named errors.
    #[test]
    fn row_screen_tracks_rows_and_names_bad_shapes() {
        let mut rows = RowScreen::new(3, 14).unwrap();
        assert!(!rows.knows(1, 13));
        rows.record(1, 13, ScreenBits::default()).unwrap();
        rows.record(2, 0, ScreenBits::default()).unwrap();
        assert!(rows.knows(1, 13) && rows.knows(2, 0) && !rows.knows(1, 12));
        rows.forget(1, 13);
        rows.forget(7, 70);
        assert!(!rows.knows(1, 13) && rows.knows(2, 0));
        rows.clear();
        assert!(!rows.knows(2, 0) && !rows.knows(3, 0) && !rows.knows(0, 14));
        for (a, l) in [(3, 0), (0, 14)] {
            match rows.record(a, l, ScreenBits::default()) {
                Err(crate::Error::InvalidParameter { name, .. }) => {
                    assert_eq!(name, "row (antenna, symbol)")
                }
                other => panic!("{other:?}"),
            }
        }
        match RowScreen::new(2, 65) {
            Err(crate::Error::InvalidParameter { name, .. }) => assert_eq!(name, "n_sym"),
            other => panic!("{other:?}"),
        }
        // 64 symbols: the last row is bit 63; symbol 64 is outside (not row 0 by a wrapped
        // shift).
        let mut wide = RowScreen::new(2, 64).unwrap();
        wide.record(0, 0, ScreenBits::default()).unwrap();
        wide.record(0, 63, ScreenBits::default()).unwrap();
        assert!(wide.knows(0, 0) && wide.knows(0, 63) && !wide.knows(0, 64));
        let grid = Array3::<C32>::zeros((3, 14, 4));
        let mut screen = GridScreen::new(3);
        for mut bad in [
            RowScreen::new(2, 14).unwrap(),
            RowScreen::new(3, 13).unwrap(),
        ] {
            match screen.inspect_rows(grid.view(), &mut bad) {
                Err(crate::Error::ShapeMismatch { name, .. }) => {
                    assert_eq!(name, "rows [n_ant, n_sym]")
                }
                other => panic!("{other:?}"),
            }
        }
        match GridScreen::new(2).inspect_rows(grid.view(), &mut rows) {
            Err(crate::Error::ShapeMismatch { name, .. }) => {
                assert_eq!(name, "rows [n_ant, n_sym]")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(screen.inspect_rows(grid.view(), &mut rows), Ok(0));
        assert!(screen.health().iter().all(|h| *h == AntennaHealth::Dead));
    }

    /// The rows `RowScreen` knows are taken from their bits, not read again (what makes the
    /// U-plane receive's screening free): bits recorded as "all zero" for every row of a live
    /// antenna classify it dead; forgetting one row has that row screened, and the antenna is
    /// live again.
    #[test]
    fn known_rows_are_taken_from_their_bits_not_read() {
        let g = Array3::from_shape_fn((2, 3, 4), |(a, l, k)| C32::new((1 + a + l + k) as f32, 0.5));
        let mut rows = RowScreen::new(2, 3).unwrap();
        for l in 0..3 {
            rows.record(1, l, ScreenBits::default()).unwrap();
        }
        let mut s = GridScreen::new(2);
        assert_eq!(s.inspect_rows(g.view(), &mut rows), Ok(0));
        assert_eq!(s.health(), [AntennaHealth::Ok, AntennaHealth::Dead]);
        rows.forget(1, 2);
        assert_eq!(s.inspect_rows(g.view(), &mut rows), Ok(0));
        assert_eq!(s.health(), [AntennaHealth::Ok, AntennaHealth::Ok]);
    }

    /// The rows `RowScreen::receive` decoded keep their first sample (the grid was streamed
    /// out and is not read back for it): a stuck antenna received as U-plane messages stays
    /// stuck when the grid's first samples change behind the screen's back (the kept ones
    /// are what the rows' bits are against); a row recorded afterwards by `record` has its
    /// first sample read from the grid again, and one received with another value makes the
    /// antenna live.
    #[test]
    fn received_rows_keep_their_first_sample() {
        use crate::fronthaul::{CompHeader, Direction, IqWidth};
        let (n_sym, n_prb) = (3, 2);
        let mut codec = UplaneCodec::new(CompHeader::bfp(IqWidth::W9), n_prb, 1000.0).unwrap();
        let mut msg = vec![0u8; 4 + codec.section_bytes(usize::from(n_prb))];
        let n_sc = 12 * usize::from(n_prb);
        let mut g = Array3::<C32>::zeros((2, n_sym, n_sc));
        let mut rows = RowScreen::new(2, n_sym).unwrap();
        let stuck = C32::new(0.25, -0.5);
        let mut send = |g: &mut Array3<C32>, rows: &mut RowScreen, a: usize, l: usize, v: C32| {
            let t = Timing {
                direction: Direction::Uplink,
                filter_index: 0,
                frame_id: 1,
                subframe_id: 0,
                slot_id: 0,
                symbol_id: l as u8,
            };
            let row: Vec<C32> = (0..n_sc)
                .map(|k| {
                    if a == 0 {
                        C32::new(0.01 * k as f32, 0.1)
                    } else {
                        v
                    }
                })
                .collect();
            codec.write_message(&t, 0, &row, &mut msg).unwrap();
            let dst = g.slice_mut(ndarray::s![a, l, ..]).into_slice().unwrap();
            rows.receive(&mut codec, a, l, &msg, dst).unwrap();
        };
        for l in 0..n_sym {
            send(&mut g, &mut rows, 0, l, stuck);
            send(&mut g, &mut rows, 1, l, stuck);
        }
        // The kept first samples are the decoded ones, bit for bit.
        for (a, l) in [(0, 0), (0, 2), (1, 1)] {
            assert_eq!(rows.first_sample(a, l), Some(g[[a, l, 0]]), "({a}, {l})");
        }
        let mut s = GridScreen::new(2);
        assert_eq!(s.inspect_rows(g.view(), &mut rows), Ok(1));
        assert_eq!(s.health(), [AntennaHealth::Ok, AntennaHealth::Stuck]);
        // Behind the screen's back, a different first sample in each row (read from the
        // grid, they would make the antenna live): the kept ones still decide.
        for l in 0..n_sym {
            g[[1, l, 0]] = C32::new(5.0 + l as f32, 9.0);
        }
        assert_eq!(s.inspect_rows(g.view(), &mut rows), Ok(1));
        assert_eq!(s.health()[1], AntennaHealth::Stuck);
        // Recorded (bits against the grid's first sample, now 6 + 9j): that row's first is
        // read from the grid, which differs from the other rows' kept one.
        rows.record(1, 1, ScreenBits::default()).unwrap();
        assert_eq!(s.inspect_rows(g.view(), &mut rows), Ok(0));
        assert_eq!(s.health()[1], AntennaHealth::Ok);
        // Received again with the stuck value: stuck again; with another value: live.
        send(&mut g, &mut rows, 1, 1, stuck);
        assert_eq!(s.inspect_rows(g.view(), &mut rows), Ok(1));
        send(&mut g, &mut rows, 1, 2, C32::new(0.5, 0.5));
        assert_eq!(s.inspect_rows(g.view(), &mut rows), Ok(0));
        assert_eq!(s.health()[1], AntennaHealth::Ok);
    }

    #[test]
    fn classifies_and_contains() {
        let mut g = Array3::from_shape_fn((4, 2, 3), |(a, l, k)| C32::new((a + l + k) as f32, 1.0));
        g[[1, 0, 2]] = C32::new(f32::NAN, 0.0);
        g[[1, 1, 0]] = C32::new(0.0, f32::INFINITY);
        g.slice_mut(ndarray::s![2, .., ..]).fill(C32::new(0.0, 0.0));
        g.slice_mut(ndarray::s![3, .., ..])
            .fill(C32::new(0.7, -0.1));
        let mut s = GridScreen::new(4);
        assert_eq!(s.inspect(g.view()), 2);
        assert_eq!(
            s.health(),
            [
                AntennaHealth::Ok,
                AntennaHealth::NonFinite { samples: 2 },
                AntennaHealth::Dead,
                AntennaHealth::Stuck
            ]
        );
        let before = g.clone();
        s.contain(g.view_mut());
        assert!(g.iter().all(|v| v.re.is_finite() && v.im.is_finite()));
        assert_eq!(
            g.slice(ndarray::s![0, .., ..]),
            before.slice(ndarray::s![0, .., ..])
        );
        assert_eq!(g[[1, 0, 2]], C32::new(0.0, 0.0));
        assert_eq!(g[[1, 0, 1]], before[[1, 0, 1]]);
        assert!(
            g.slice(ndarray::s![3, .., ..])
                .iter()
                .all(|v| *v == C32::new(0.0, 0.0))
        );
    }
}
