//! Applying one matrix per group of subcarriers (PRB, PRG, or wideband) to a resource grid, as
//! complex GEMMs through the simd micro-kernel: `y[:, l, sc] = M_g · x[:, l, sc]` for every
//! symbol l and subcarrier sc of group g. It is the per-RE half of
//! * downlink precoding (38.211 §7.3.1.4: `[y^(0) … y^(P−1)]ᵀ = W·[x^(0) … x^(ν−1)]ᵀ`; M = the
//!   n_tx × ν precoder, x = layers, y = antennas — exported as
//!   [`crate::precoding::PrecoderApplier`]), and of
//! * uplink linear detection (M = the ν × n_rx ZF/MMSE/IRC filter of a PRB, x = antennas,
//!   y = layers — used by [`crate::detection::MimoDetector`]).
//!
//! In this module's names, `n_tx` is the output dimension (rows of M) and `k` the input one.
//! The applier is capacity-sized: built for the largest `n_tx` and `k`, each call takes its
//! own (a slot with fewer co-scheduled layers, or a detector for fewer users) within them.
//!
//! Two entry points, both allocation-free:
//! * [`GridApplier::process`]: the `precoder_apply` vector contract,
//!   `w` [n_prb, n_tx, k], `x` [n_prb, k, n_re] → `y` [n_prb, n_tx, n_re];
//! * [`GridApplier::process_grid`]: one weight matrix per precoding resource-block group
//!   (PRG of 2, 4, … PRBs, or wideband), applied to a slot's layer grid `x` [k, n_sym, n_sc]
//!   and written straight into the OFDM modulator's input `y` [n_tx, n_sym, n_sc]
//!   ([`crate::ofdm::OfdmModulator::process_antennas`]).
//!
//! The products run straight on the caller's arrays: `process` one
//! [`crate::simd::Kernels::gemm_interleaved`] per PRB; `process_grid` one
//! [`crate::simd::Kernels::gemm_grouped`] per symbol and band of PRGs (A = the band's matrices,
//! B = the symbol's layer rows over the band, row stride n_sym·n_sc, C = the same piece of the
//! antenna grid), which writes the output rows as sequential streams — for matrices with more
//! inputs than outputs (detection filters) one
//! [`crate::simd::Kernels::gemm_grouped_pair_then`] per two symbols, whose AVX-512 tile holds a
//! PRB of both in full registers. Nothing is copied, except
//! (a) views not in standard layout, whose GEMM operands go through small owned buffers, and
//! (b) groups narrower than a PRB (sub-PRB weight bands) and, on the scalar backend, groups
//! narrower than 24 subcarriers (per-PRB filters), whose blocks of symbols go through split
//! planes so that each group is one wide GEMM over all its symbols (the SIMD backends multiply
//! one-PRB groups in place; the scalar one keeps this path tested).

use ndarray::{ArrayView2, ArrayView3, ArrayViewMut2, ArrayViewMut3};

use crate::simd::{ComplexMut, ComplexRef, GemmMode, Kernels, LineVec, SplitMut, SplitRef};
use crate::{C32, Error, Result};

/// Weights per band of PRGs in [`GridApplier::process_grid`] (bytes) on a core with ≥ 1 MiB of
/// L2 (the server Xeons it was tuned on): a band's matrices are reused by all the slot's
/// symbols, so they should stay in the L2 cache beside the band's input columns.
const W_BAND_BYTES: usize = 256 << 10;

/// PRGs per band: where the L2 holds ≥ 1 MiB, [`W_BAND_BYTES`] of weights, but no more than
/// fit three quarters of the L2 with two symbols' input columns (the current one and the next,
/// which each call requests while it multiplies: with 64 PRBs of 64 × 8 filters the two
/// symbols and the weights overflowed the Zen 4's 1 MiB, and that detection ran 6.0 ms instead
/// of 4.1); where the L2 is unknown, [`W_BAND_BYTES`]; below 1 MiB, half the L2 for the band's
/// weights *and* one symbol's input columns. On the 512 KiB Zen 3 L2 the 256 KiB weight band
/// plus 64 antennas' columns thrashed: per-PRB detection 14.0 → 12.9 ms with this rule
/// (18 PRBs per band), precoding unchanged (23 PRGs of 2 PRBs; a fixed 64 KiB band had cost it
/// 4 %), issue 16.
fn band_prgs(l2: Option<usize>, w_bytes: usize, cols_bytes: usize) -> usize {
    match l2 {
        Some(b) if b < 1 << 20 => (b / 2) / (w_bytes + cols_bytes),
        Some(b) => (W_BAND_BYTES / w_bytes).min((3 * b / 4) / (w_bytes + 2 * cols_bytes)),
        None => W_BAND_BYTES / w_bytes,
    }
    .max(1)
}

/// Largest `max_cols` of [`GridApplier::new`] (issue 21: 1e9 used to abort in the allocator).
pub const MAX_COLS: usize = 1 << 17;

/// Applies per-PRB/PRG precoders of up to `max_tx × max_k`.
pub struct GridApplier {
    kernels: Kernels,
    max_tx: usize,
    max_k: usize,
    /// The shape of the current call (set by each entry point after validation).
    n_tx: usize,
    k: usize,
    max_cols: usize,
    /// Operands of one GEMM, for views that are not in standard layout: W (n_tx × k),
    /// X (k × ≤ max_cols), Y (n_tx × ≤ max_cols).
    w_buf: LineVec<C32>,
    x_buf: LineVec<C32>,
    y_buf: LineVec<C32>,
    /// Split planes of the copying path for narrow PRGs: W, a block of layer symbols, the
    /// block's antenna symbols; one strided input row.
    w_re: LineVec,
    w_im: LineVec,
    x_re: LineVec,
    x_im: LineVec,
    y_re: LineVec,
    y_im: LineVec,
    row_buf: LineVec<C32>,
    /// [`crate::cache::l2_bytes`], read at construction (the first read of sysfs allocates).
    l2: Option<usize>,
}

/// Narrowest PRG (subcarriers) that [`GridApplier::process_grid`] multiplies in place on the
/// scalar backend; narrower ones go through split planes there, one wide GEMM per PRG over all
/// symbols — kept so that every machine's tests run both paths. The SIMD backends multiply
/// every PRG of at least one PRB in place ([`IN_PLACE_MIN_SC_SIMD`]).
const IN_PLACE_MIN_SC: usize = 24;
/// Columns of padding after each layer's and antenna's block in the planes path: its GEMMs run
/// to a multiple of 4 columns (a PRG of 3 subcarriers over 14 symbols is 42 columns — two
/// left to the GEMM's scalar loop, which took as long as the other 40 and a fifth of NR
/// sub-PRB detection).
const PLANE_PAD: usize = 3;

/// The distance in the planes between two layers' (antennas') blocks of `width` subcarriers
/// over `n_sym` symbols: the block and its [`PLANE_PAD`].
fn plane_row(n_sym: usize, width: usize) -> usize {
    n_sym * width + PLANE_PAD
}
/// [`IN_PLACE_MIN_SC`] on the SIMD backends: one PRB. With AVX2 (4 interleaved complex per
/// register) a PRB is three whole registers: per-PRB detection of the NR 100 MHz 64 × 16 slot
/// 19.3 → 14.8 ms against the planes (issue 16). AVX-512 used the planes for more than 8 inputs
/// until its group tails ran in the complex-lane form (8 + 4 columns per PRB): since then in
/// place is faster there too (NR per-PRB MMSE, Zen 4, alternating runs: 64 × 16 ×1.06,
/// 64 × 8 ×1.09, 32 × 8 ×1.4).
const IN_PLACE_MIN_SC_SIMD: usize = 12;

/// The weights and the layer grid as slices where a one-symbol product runs in place: bands of
/// a PRB or more ([`IN_PLACE_MIN_SC_SIMD`]), both views in standard layout.
fn in_place_operands<'a>(
    w: &ArrayView3<'a, C32>,
    x: &ArrayView3<'a, C32>,
    band_sc: usize,
) -> Option<(&'a [C32], &'a [C32])> {
    let (wf, xf) = (w.to_slice()?, x.to_slice()?);
    (band_sc >= IN_PLACE_MIN_SC_SIMD).then_some((wf, xf))
}

/// A caller's one-symbol buffer for [`GridApplier::process_symbol`]'s output, checked once:
/// its first `n_tx · n_sc` values, as `[n_tx, n_sc]` rows (the category-A write and
/// `precode_modulate` pass one symbol's antenna rows through it).
pub(crate) struct SymbolRows<'a> {
    rows: &'a mut [C32],
    n_tx: usize,
    n_sc: usize,
}

impl<'a> SymbolRows<'a> {
    /// The first `n_tx · n_sc` values of `rows`; fewer are a `ShapeMismatch` naming `rows`.
    pub(crate) fn new(rows: &'a mut [C32], n_tx: usize, n_sc: usize) -> Result<Self> {
        let got = rows.len();
        let rows = rows
            .get_mut(..n_tx * n_sc)
            .ok_or_else(|| Error::ShapeMismatch {
                name: "rows [n_ant · n_sc]",
                expected: crate::error::Shape::of(&[n_tx * n_sc]),
                got: crate::error::Shape::of(&[got]),
            })?;
        Ok(Self { rows, n_tx, n_sc })
    }

    /// The values, row-major.
    pub(crate) fn as_mut_slice(&mut self) -> &mut [C32] {
        self.rows
    }

    /// The rows as `[n_tx, n_sc]`.
    pub(crate) fn view(&self) -> Result<ArrayView2<'_, C32>> {
        let (n_tx, n_sc) = (self.n_tx, self.n_sc);
        ArrayView2::from_shape((n_tx, n_sc), &*self.rows).map_err(|_| rows_shape(n_tx, n_sc))
    }

    /// The rows as `[n_tx, n_sc]`, writable.
    pub(crate) fn view_mut(&mut self) -> Result<ArrayViewMut2<'_, C32>> {
        let (n_tx, n_sc) = (self.n_tx, self.n_sc);
        ArrayViewMut2::from_shape((n_tx, n_sc), &mut *self.rows).map_err(|_| rows_shape(n_tx, n_sc))
    }
}

/// The error of a one-symbol buffer that cannot hold `[n_tx, n_sc]` (never, once
/// [`SymbolRows::new`] has checked it).
fn rows_shape(n_tx: usize, n_sc: usize) -> Error {
    Error::ShapeMismatch {
        name: "rows [n_ant · n_sc]",
        expected: crate::error::Shape::of(&[n_tx, n_sc]),
        got: crate::error::Shape::of(&[n_tx * n_sc]),
    }
}

/// The dimensions of a one-symbol product: n_tx, k, subcarriers per weight band, and the layer
/// grid's symbols and subcarriers.
#[derive(Clone, Copy)]
struct SymbolShape {
    n: usize,
    k: usize,
    band_sc: usize,
    n_sym: usize,
    n_sc: usize,
}

impl GridApplier {
    /// Buffers for up to `n_tx` outputs (antennas), `k` inputs (layers) and `max_cols` REs per
    /// GEMM (the columns of one PRB in `process`; in `process_grid` the pieces a PRG's
    /// subcarriers are cut into when a view is not in standard layout).
    pub fn new(n_tx: usize, k: usize, max_cols: usize) -> Result<Self> {
        if n_tx == 0 || k == 0 || max_cols == 0 || n_tx > 256 || k > 256 || max_cols > MAX_COLS {
            return Err(Error::InvalidParameter {
                name: "(n_tx, k, max_cols)",
                value: crate::value!("({n_tx}, {k}, {max_cols})"),
                reason: "all ≥ 1, n_tx and k ≤ 256, max_cols ≤ 131 072 (a slot of the widest carrier: 14 × 3300 REs)",
            });
        }
        Ok(Self {
            kernels: Kernels::new(),
            max_tx: n_tx,
            max_k: k,
            n_tx,
            k,
            max_cols,
            w_buf: LineVec::zeros(n_tx * k)?,
            x_buf: LineVec::zeros(k * max_cols)?,
            y_buf: LineVec::zeros(n_tx * max_cols)?,
            w_re: LineVec::zeros(n_tx * k)?,
            w_im: LineVec::zeros(n_tx * k)?,
            x_re: LineVec::zeros(k * plane_row(1, max_cols))?,
            x_im: LineVec::zeros(k * plane_row(1, max_cols))?,
            y_re: LineVec::zeros(n_tx * plane_row(1, max_cols))?,
            y_im: LineVec::zeros(n_tx * plane_row(1, max_cols))?,
            row_buf: LineVec::zeros(max_cols)?,
            l2: crate::cache::l2_bytes(),
        })
    }

    /// Uses specific kernels (e.g. a forced SIMD backend).
    pub fn with_kernels(mut self, kernels: Kernels) -> Self {
        self.kernels = kernels;
        self
    }

    fn load_w(&mut self, w: ndarray::ArrayView2<'_, C32>) {
        match w.as_slice() {
            Some(src) => {
                for ((v, r), i) in src.iter().zip(&mut self.w_re).zip(&mut self.w_im) {
                    *r = v.re;
                    *i = v.im;
                }
            }
            None => {
                for ((i, j), v) in w.indexed_iter() {
                    self.w_re[i * self.k + j] = v.re;
                    self.w_im[i * self.k + j] = v.im;
                }
            }
        }
    }

    /// Calls `f(t, l, first_subcarrier, re, im)` for every PRG segment of every antenna row of
    /// the block [a, b) held in the Y planes (segment-major, symbol-major inside).
    fn for_each_output_segment(
        &self,
        a: usize,
        b: usize,
        prg_sc: usize,
        n_sym: usize,
        mut f: impl FnMut(usize, usize, usize, &[f32], &[f32]),
    ) {
        let row = plane_row(n_sym, b - a);
        for t in 0..self.n_tx {
            for l in 0..n_sym {
                let mut seg0 = a;
                while seg0 < b {
                    let seg1 = ((seg0 / prg_sc + 1) * prg_sc).min(b);
                    let sw = seg1 - seg0;
                    let o = t * row + n_sym * (seg0 - a) + l * sw;
                    f(t, l, seg0, &self.y_re[o..o + sw], &self.y_im[o..o + sw]);
                    seg0 = seg1;
                }
            }
        }
    }

    /// `y = w·x` for one matrix: w n_tx × k, x k × cols, y n_tx × cols (cols ≤ max_cols),
    /// views of any layout — through the owned buffers.
    fn multiply_views(
        &mut self,
        w: ArrayView2<'_, C32>,
        x: ArrayView2<'_, C32>,
        mut y: ArrayViewMut2<'_, C32>,
    ) -> Result<()> {
        let (n, k, cols) = (self.n_tx, self.k, x.dim().1);
        for (d, v) in self.w_buf.iter_mut().zip(w.iter()) {
            *d = *v;
        }
        for (row, src) in self.x_buf.chunks_exact_mut(cols).zip(x.rows()) {
            for (d, v) in row.iter_mut().zip(src) {
                *d = *v;
            }
        }
        let a = ComplexRef::new(n, k, k, &self.w_buf)?;
        let b = ComplexRef::new(k, cols, cols, &self.x_buf)?;
        let c = ComplexMut::new(n, cols, cols, &mut self.y_buf)?;
        self.kernels
            .gemm_interleaved(a, b, c, GemmMode::Overwrite)?;
        for (src, mut row) in self.y_buf.chunks_exact(cols).zip(y.rows_mut()) {
            for (d, v) in row.iter_mut().zip(src) {
                *d = *v;
            }
        }
        Ok(())
    }

    /// `y[b] = w[b]·x[b]` for every PRB b: `w` [n_prb, n_tx, k], `x` [n_prb, k, n_re],
    /// `y` [n_prb, n_tx, n_re] (n_re ≤ max_cols).
    pub fn process(
        &mut self,
        w: ArrayView3<'_, C32>,
        x: ArrayView3<'_, C32>,
        mut y: ArrayViewMut3<'_, C32>,
    ) -> Result<()> {
        let (n_prb, n, k) = w.dim();
        let n_re = x.dim().2;
        if n == 0 || k == 0 || n > self.max_tx || k > self.max_k {
            return Err(Error::ShapeMismatch {
                name: "w [n_prb, n_tx ≤ capacity, k ≤ capacity]",
                expected: crate::error::Shape::of(&[n_prb, self.max_tx, self.max_k]),
                got: crate::error::Shape::of(w.shape()),
            });
        }
        (self.n_tx, self.k) = (n, k);
        if x.dim() != (n_prb, k, n_re) || n_re == 0 || n_re > self.max_cols {
            return Err(Error::ShapeMismatch {
                name: "x [n_prb, k, n_re (1..=max_cols)]",
                expected: crate::error::Shape::of(&[n_prb, k, n_re.clamp(1, self.max_cols)]),
                got: crate::error::Shape::of(x.shape()),
            });
        }
        if y.dim() != (n_prb, n, n_re) {
            return Err(Error::ShapeMismatch {
                name: "y [n_prb, n_tx, n_re]",
                expected: crate::error::Shape::of(&[n_prb, n, n_re]),
                got: crate::error::Shape::of(y.shape()),
            });
        }
        let kernels = self.kernels;
        if let (Some(wf), Some(xf), Some(yf)) = (w.as_slice(), x.as_slice(), y.as_slice_mut()) {
            for b in 0..n_prb {
                let a = ComplexRef::new(n, k, k, &wf[b * n * k..])?;
                let bx = ComplexRef::new(k, n_re, n_re, &xf[b * k * n_re..])?;
                let c = ComplexMut::new(n, n_re, n_re, &mut yf[b * n * n_re..])?;
                kernels.gemm_interleaved(a, bx, c, GemmMode::Overwrite)?;
            }
            return Ok(());
        }
        for b in 0..n_prb {
            self.multiply_views(
                w.index_axis(ndarray::Axis(0), b),
                x.index_axis(ndarray::Axis(0), b),
                y.index_axis_mut(ndarray::Axis(0), b),
            )?;
        }
        Ok(())
    }

    /// Applies one weight matrix per PRG to a slot: `w` [n_prg, n_tx, k] with PRG `g` covering
    /// subcarriers `12·prg_prbs·g ..` (the last PRG may be partial; `prg_prbs` = 0 means
    /// wideband: one PRG), `x` [k, n_sym, n_sc] layer grid → `y` [n_tx, n_sym, n_sc] antenna
    /// grid, ready for the OFDM modulator.
    ///
    /// On the grids in place, `y[:, l, sc(g)] = W_g·x[:, l, sc(g)]` with the rows n_sym·n_sc
    /// apart: one grouped GEMM per symbol and band of PRGs. PRGs narrower than one PRB (24
    /// subcarriers on the scalar backend) go through split planes when n_sym ≤ max_cols; views
    /// not in standard layout are copied through the owned buffers, `max_cols` subcarriers at a
    /// time.
    pub fn process_grid(
        &mut self,
        w: ArrayView3<'_, C32>,
        prg_prbs: usize,
        x: ArrayView3<'_, C32>,
        y: ArrayViewMut3<'_, C32>,
    ) -> Result<()> {
        let prg_sc = if prg_prbs == 0 {
            x.dim().2
        } else {
            12 * prg_prbs
        };
        self.process_grid_subbands(w, prg_sc, x, y)
    }

    /// [`Self::process_grid`] with one weight matrix per `band_sc` subcarriers (≥ 1; the last
    /// band may be partial): sub-PRB weights (e.g. 3 or 6 subcarriers) or PRGs in subcarriers.
    /// `w` is [n_bands, n_tx, k] with n_bands = ⌈n_sc / band_sc⌉.
    pub fn process_grid_subbands(
        &mut self,
        w: ArrayView3<'_, C32>,
        band_sc: usize,
        x: ArrayView3<'_, C32>,
        y: ArrayViewMut3<'_, C32>,
    ) -> Result<()> {
        self.grid_on(w, band_sc, None, x, y)
    }

    /// [`Self::process_grid_subbands`] on the OFDM symbols `symbols` only (indices into axis 1
    /// of `x` and `y`, strictly ascending, each < n_sym; empty: nothing is done): the rows of
    /// the other symbols of `y` are not written. For uplink detection, the data symbols of a
    /// slot (a symbol whose every subcarrier carries DMRS has nothing to detect).
    ///
    /// Errors: as [`Self::process_grid_subbands`], and `symbols` out of order or range
    /// (`InvalidParameter` naming `symbols`).
    pub fn process_grid_symbols(
        &mut self,
        w: ArrayView3<'_, C32>,
        band_sc: usize,
        symbols: &[usize],
        x: ArrayView3<'_, C32>,
        y: ArrayViewMut3<'_, C32>,
    ) -> Result<()> {
        self.grid_on(w, band_sc, Some(symbols), x, y)
    }

    /// One OFDM symbol of [`Self::process_grid_subbands`] into a one-symbol buffer:
    /// `y[:, sc(g)] = W_g·x[:, l, sc(g)]` for `x` [k, n_sym, n_sc] and `y` [n_tx, n_sc] — a
    /// symbol's antenna rows that stay in the cache for the next step (a 7.2x DU's
    /// U-plane write, [`crate::link::DownlinkSlot::precode_uplane`]) instead of a slot-sized
    /// grid in memory. The same values as the grid call's symbol `l`.
    ///
    /// Errors: as [`Self::process_grid_subbands`]; `l` ≥ n_sym (`InvalidParameter` naming
    /// `symbol`); `y` not [n_tx, n_sc] (`ShapeMismatch`).
    pub fn process_symbol(
        &mut self,
        w: ArrayView3<'_, C32>,
        band_sc: usize,
        l: usize,
        x: ArrayView3<'_, C32>,
        mut y: ArrayViewMut2<'_, C32>,
    ) -> Result<()> {
        let n = y.dim().0;
        let (n_prg, shape) = self.check_symbol(w.dim(), band_sc, x.dim(), n, l)?;
        let n_sc = shape.n_sc;
        if y.dim() != (n, n_sc) {
            return Err(Error::ShapeMismatch {
                name: "y [n_tx, n_sc]",
                expected: crate::error::Shape::of(&[n, n_sc]),
                got: crate::error::Shape::of(y.shape()),
            });
        }
        // Bands of a PRB or more in place on every backend (there is no planes path here to
        // keep exercised on the scalar one, as the grid call does); narrower ones per band.
        if let (Some((wf, xf)), Some(yf)) = (in_place_operands(&w, &x, band_sc), y.as_slice_mut()) {
            return self.columns_in_place(wf, shape, l, xf, 0..n_sc, yf, n_sc);
        }
        let cols =
            |g0: usize, band: usize| (g0 * band_sc, (n_prg.min(g0 + band) * band_sc).min(n_sc));
        for g in 0..n_prg {
            let (s0, s1) = cols(g, 1);
            for c0 in (s0..s1).step_by(self.max_cols) {
                let c1 = s1.min(c0 + self.max_cols);
                self.multiply_views(
                    w.index_axis(ndarray::Axis(0), g),
                    x.slice(ndarray::s![.., l, c0..c1]),
                    y.slice_mut(ndarray::s![.., c0..c1]),
                )?;
            }
        }
        Ok(())
    }

    /// [`Self::process_symbol`] for the PRGs `prgs` only, into `y`: `n_tx` rows of
    /// `prgs`' subcarriers (`prgs.start·band_sc` up to `min(prgs.end·band_sc, n_sc)`), packed
    /// (row stride = that width) — a piece of a symbol small enough to stay in the L2 cache
    /// with its weights while the next step reads it ([`crate::fronthaul::precode_uplane`]).
    /// Returns `Ok(false)`, writing nothing, where the in-place path does not apply (bands
    /// narrower than a PRB, operands not in standard layout): the caller then takes the whole
    /// symbol. The same values as the whole-symbol call.
    ///
    /// Errors: as [`Self::process_symbol`]; `prgs` empty or past the last PRG
    /// (`InvalidParameter` naming `prgs`); `y` shorter than the piece (`ShapeMismatch`).
    pub(crate) fn process_symbol_prgs(
        &mut self,
        w: ArrayView3<'_, C32>,
        band_sc: usize,
        l: usize,
        x: ArrayView3<'_, C32>,
        prgs: std::ops::Range<usize>,
        y: &mut [C32],
    ) -> Result<bool> {
        let n = w.dim().1;
        let (n_prg, shape) = self.check_symbol(w.dim(), band_sc, x.dim(), n, l)?;
        let n_sc = shape.n_sc;
        if prgs.is_empty() || prgs.end > n_prg {
            return Err(Error::InvalidParameter {
                name: "prgs",
                value: crate::value!("{prgs:?}"),
                reason: "a non-empty range of the grid's PRGs",
            });
        }
        let (s0, s1) = (prgs.start * band_sc, (prgs.end * band_sc).min(n_sc));
        if y.len() < n * (s1 - s0) {
            return Err(Error::ShapeMismatch {
                name: "y [n_tx, piece subcarriers]",
                expected: crate::error::Shape::of(&[n, s1 - s0]),
                got: crate::error::Shape::of(&[y.len()]),
            });
        }
        let Some((wf, xf)) = in_place_operands(&w, &x, band_sc) else {
            return Ok(false);
        };
        self.columns_in_place(wf, shape, l, xf, s0..s1, y, s1 - s0)?;
        Ok(true)
    }

    /// [`Self::process_symbol`] into an OFDM modulator's transform inputs: for each run
    /// `(k0, b0, len)` of `runs`, subcarriers `k0..k0 + len` of the product go to columns
    /// `b0..b0 + len` of `y`'s n_tx rows, `y_row` apart — a symbol's DFT bins per antenna
    /// ([`crate::ofdm::OfdmModulator::bin_runs`]), written by the GEMM itself; columns outside
    /// the runs are not written. The bands a run holds whole are multiplied in place; a band
    /// cut by a run's edge (NR's halves meet mid-PRG) is multiplied whole into the applier's
    /// buffer and its columns copied to the runs that hold them — a partial group would sum in
    /// another order. The same values, bit for bit, as the whole-symbol call's subcarriers.
    /// Only where [`Self::runs_in_place`]; elsewhere the caller takes
    /// [`Self::process_symbol`].
    ///
    /// Errors: as [`Self::process_symbol`]; a run past n_sc or past a row of `y`, or `y`
    /// shorter than its n_tx rows (`InvalidParameter` naming `runs`); operands where
    /// `runs_in_place` is false (`InvalidParameter` naming `band_sc`, nothing written).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn process_symbol_runs(
        &mut self,
        w: ArrayView3<'_, C32>,
        band_sc: usize,
        l: usize,
        x: ArrayView3<'_, C32>,
        runs: &[(usize, usize, usize)],
        y: &mut [C32],
        y_row: usize,
    ) -> Result<()> {
        let n = w.dim().1;
        let (_, shape) = self.check_symbol(w.dim(), band_sc, x.dim(), n, l)?;
        let fits = |&(k0, b0, len): &(usize, usize, usize)| {
            k0 + len <= shape.n_sc
                && b0 + len <= y_row
                && (len == 0 || (n - 1) * y_row + b0 + len <= y.len())
        };
        if n == 0 || !runs.iter().all(fits) {
            return Err(Error::InvalidParameter {
                name: "runs",
                value: crate::value!("{runs:?} into rows of {y_row} ({} values)", y.len()),
                reason: "each run inside the subcarriers and inside a row of y's n_tx rows",
            });
        }
        let Some((wf, xf)) = self.runs_operands(&w, &x, band_sc) else {
            return Err(Error::InvalidParameter {
                name: "band_sc",
                value: crate::error::Value::of(&band_sc),
                reason: "runs are written in place: bands of a PRB up to max_cols, \
                         weights and layers in standard layout (runs_in_place)",
            });
        };
        let n_sc = shape.n_sc;
        // A band's end: its first subcarrier + band_sc, or the grid's end (a partial last band
        // is the whole-symbol call's too).
        let band_end = |g: usize| ((g + 1) * band_sc).min(n_sc);
        for &(k0, b0, len) in runs.iter().filter(|r| r.2 > 0) {
            let end = k0 + len;
            // The bands the run holds whole.
            let (g0, g1) = (
                k0.div_ceil(band_sc),
                end / band_sc + usize::from(end == n_sc),
            );
            if g0 < g1 {
                let (s0, s1) = (g0 * band_sc, band_end(g1 - 1));
                let y0 = b0 + s0 - k0;
                self.columns_in_place(wf, shape, l, xf, s0..s1, &mut y[y0..], y_row)?;
            }
            // The bands cut by its edges: whole into the buffer, the run's columns copied.
            let first = k0 / band_sc;
            let last = (end - 1) / band_sc;
            let cut = [
                (!k0.is_multiple_of(band_sc)).then_some(first),
                (band_end(last) != end).then_some(last),
            ];
            for g in cut
                .into_iter()
                .flatten()
                .take(if first == last { 1 } else { 2 })
            {
                let (c0, c1) = (g * band_sc, band_end(g));
                let kernels = self.kernels;
                let b =
                    ComplexRef::new(shape.k, c1 - c0, shape.n_sym * n_sc, &xf[l * n_sc + c0..])?;
                let c = ComplexMut::new(n, c1 - c0, c1 - c0, &mut self.y_buf)?;
                let a = &wf[g * n * shape.k..(g + 1) * n * shape.k];
                kernels.gemm_grouped(a, band_sc, b, c, GemmMode::Overwrite)?;
                let (from, to) = (c0.max(k0), c1.min(end));
                for a in 0..n {
                    let src = &self.y_buf[a * (c1 - c0) + from - c0..a * (c1 - c0) + to - c0];
                    let at = a * y_row + b0 + from - k0;
                    y[at..at + (to - from)].copy_from_slice(src);
                }
            }
        }
        Ok(())
    }

    /// Whether [`Self::process_symbol_runs`] takes `w` and `x` with bands of `band_sc`
    /// subcarriers: a PRB or more and at most `max_cols` (a band cut by a run goes whole
    /// through the applier's buffer), both views in standard layout.
    pub(crate) fn runs_in_place(
        &self,
        w: ArrayView3<'_, C32>,
        x: ArrayView3<'_, C32>,
        band_sc: usize,
    ) -> bool {
        self.runs_operands(&w, &x, band_sc).is_some()
    }

    /// The operands of [`Self::process_symbol_runs`] as slices, where [`Self::runs_in_place`].
    fn runs_operands<'a>(
        &self,
        w: &ArrayView3<'a, C32>,
        x: &ArrayView3<'a, C32>,
        band_sc: usize,
    ) -> Option<(&'a [C32], &'a [C32])> {
        in_place_operands(w, x, band_sc).filter(|_| band_sc <= self.max_cols)
    }

    /// Symbol `l`'s product for the subcarriers `sc` in place: `y`'s column 0 is subcarrier
    /// `sc.start` (the first of a band), its rows `y_row` apart; `sc.end` a band's end or the
    /// grid's. As the grid call: bands of PRGs whose weights stay in L2, one grouped GEMM per
    /// band, x's rows n_sym·n_sc apart; each call requests the next band's inputs.
    #[allow(clippy::too_many_arguments)]
    fn columns_in_place(
        &mut self,
        wf: &[C32],
        shape: SymbolShape,
        l: usize,
        xf: &[C32],
        sc: std::ops::Range<usize>,
        yf: &mut [C32],
        y_row: usize,
    ) -> Result<()> {
        let SymbolShape {
            n,
            k,
            band_sc,
            n_sym,
            n_sc,
        } = shape;
        let x_row = n_sym * n_sc;
        let (origin, end) = (sc.start, sc.end);
        let prgs = sc.start / band_sc..end.div_ceil(band_sc);
        let cols = |g0: usize, g1: usize| (g0 * band_sc, (g1 * band_sc).min(end));
        let c32 = std::mem::size_of::<C32>();
        let band = band_prgs(self.l2, n * k * c32, k * band_sc * c32);
        for g0 in prgs.clone().step_by(band) {
            let g1 = prgs.end.min(g0 + band);
            let (s0, s1) = cols(g0, g1);
            let a = &wf[g0 * n * k..g1 * n * k];
            let next = if g1 < prgs.end {
                let (t0, t1) = cols(g1, prgs.end.min(g1 + band));
                Some(ComplexRef::new(k, t1 - t0, x_row, &xf[l * n_sc + t0..])?)
            } else {
                None
            };
            let b = ComplexRef::new(k, s1 - s0, x_row, &xf[l * n_sc + s0..])?;
            let c = ComplexMut::new(n, s1 - s0, y_row, &mut yf[s0 - origin..])?;
            self.kernels
                .gemm_grouped_then(a, band_sc, b, c, GemmMode::Overwrite, next)?;
        }
        Ok(())
    }

    /// The checks of a one-symbol call: the grid call's ([`Self::check_shapes`]) for `n_tx`
    /// outputs, and symbol `l` below the layer grid's n_sym (`InvalidParameter` naming
    /// `symbol`). Returns n_bands and the product's dimensions.
    fn check_symbol(
        &mut self,
        w_dim: (usize, usize, usize),
        band_sc: usize,
        x_dim: (usize, usize, usize),
        n_tx: usize,
        l: usize,
    ) -> Result<(usize, SymbolShape)> {
        let (k, n_sym, n_sc) = x_dim;
        let n_prg = self.check_shapes(w_dim, band_sc, x_dim, &[n_tx, n_sc])?;
        if l >= n_sym {
            return Err(Error::InvalidParameter {
                name: "symbol",
                value: crate::error::Value::of(&l),
                reason: "must be below the layer grid's n_sym",
            });
        }
        let shape = SymbolShape {
            n: n_tx,
            k,
            band_sc,
            n_sym,
            n_sc,
        };
        Ok((n_prg, shape))
    }

    /// The checks every grid call shares: `band_sc` ≥ 1, x [k ≤ capacity, n_sym ≥ 1,
    /// n_sc ≥ 1], y's first axis n_tx in 1..=capacity, w [n_bands, n_tx, k]; records
    /// (n_tx, k). Returns n_bands.
    fn check_shapes(
        &mut self,
        w_dim: (usize, usize, usize),
        band_sc: usize,
        x_dim: (usize, usize, usize),
        y_shape: &[usize],
    ) -> Result<usize> {
        let (k, n_sym, n_sc) = x_dim;
        let n = y_shape.first().copied().unwrap_or(0);
        if band_sc == 0 {
            return Err(Error::InvalidParameter {
                name: "band_sc",
                value: crate::error::Value::of(&band_sc),
                reason: "at least one subcarrier per weight band",
            });
        }
        let prg_sc = band_sc;
        let n_prg = n_sc.div_ceil(prg_sc.max(1));
        if k == 0 || k > self.max_k || n_sc == 0 || n_sym == 0 {
            return Err(Error::ShapeMismatch {
                name: "x [k ≤ capacity, n_sym, n_sc]",
                expected: crate::error::Shape::of(&[self.max_k, n_sym.max(1), n_sc.max(1)]),
                got: crate::error::Shape::of(&[k, n_sym, n_sc]),
            });
        }
        if n == 0 || n > self.max_tx {
            return Err(Error::ShapeMismatch {
                name: "y [n_tx ≤ capacity, n_sym, n_sc]",
                expected: crate::error::Shape::of(&[self.max_tx, n_sym, n_sc]),
                got: crate::error::Shape::of(y_shape),
            });
        }
        (self.n_tx, self.k) = (n, k);
        if w_dim != (n_prg, n, k) {
            return Err(Error::ShapeMismatch {
                name: "w [n_prg, n_tx, k]",
                expected: crate::error::Shape::of(&[n_prg, n, k]),
                got: crate::error::Shape::of(&[w_dim.0, w_dim.1, w_dim.2]),
            });
        }
        Ok(n_prg)
    }

    /// [`Self::process_grid_symbols`] (`None`: every symbol).
    fn grid_on(
        &mut self,
        w: ArrayView3<'_, C32>,
        band_sc: usize,
        symbols: Option<&[usize]>,
        x: ArrayView3<'_, C32>,
        mut y: ArrayViewMut3<'_, C32>,
    ) -> Result<()> {
        let (k, n_sym, n_sc) = x.dim();
        let n = y.dim().0;
        let n_prg = self.check_shapes(w.dim(), band_sc, x.dim(), y.shape())?;
        let prg_sc = band_sc;
        if let Some(list) = symbols
            && (list.iter().any(|&l| l >= n_sym) || list.windows(2).any(|p| p[0] >= p[1]))
        {
            return Err(Error::InvalidParameter {
                name: "symbols",
                value: crate::value!("{list:?} of {n_sym}"),
                reason: "strictly ascending OFDM symbol indices below n_sym",
            });
        }
        if y.dim() != (n, n_sym, n_sc) {
            return Err(Error::ShapeMismatch {
                name: "y [n_tx, n_sym, n_sc]",
                expected: crate::error::Shape::of(&[n, n_sym, n_sc]),
                got: crate::error::Shape::of(y.shape()),
            });
        }
        // The scalar backend keeps the planes path too (its performance does not matter, and
        // so every machine's tests run both paths).
        let in_place_min = match self.kernels.backend() {
            crate::simd::Backend::Scalar => IN_PLACE_MIN_SC,
            _ => IN_PLACE_MIN_SC_SIMD,
        };
        // The selected symbols: count and i-th (every symbol when `symbols` is None).
        let n_sel = symbols.map_or(n_sym, <[usize]>::len);
        let sym = |i: usize| symbols.map_or(i, |list| list[i]);
        if prg_sc < in_place_min && n_sym <= self.max_cols {
            // Runs of consecutive selected symbols, each through the planes.
            match symbols {
                Some(list) => {
                    for run in crate::resource::consecutive_runs(list) {
                        self.grid_through_planes(w, prg_sc, run, x, y.view_mut())?;
                    }
                }
                None => self.grid_through_planes(w, prg_sc, 0..n_sym, x, y.view_mut())?,
            }
            return Ok(());
        }
        let kernels = self.kernels;
        let row = n_sym * n_sc; // distance between two layers' (antennas') rows
        if let (Some(wf), Some(xf), Some(yf)) = (w.as_slice(), x.as_slice(), y.as_slice_mut()) {
            // Bands of PRGs whose weights stay in the L2 cache; in a band, one grouped GEMM
            // per symbol (one matrix per PRG), which writes the antenna rows four at a time
            // across the band: every grid row is read or written as one sequential run.
            let c32 = std::mem::size_of::<C32>();
            let band = band_prgs(self.l2, n * k * c32, k * prg_sc * c32);
            // Each call also requests the next one's inputs (the next symbol, or the next band's
            // first), so that the large grids' rows arrive while the current ones are multiplied.
            let cols = |g0: usize| (g0 * prg_sc, (n_prg.min(g0 + band) * prg_sc).min(n_sc));
            for g0 in (0..n_prg).step_by(band) {
                let g1 = n_prg.min(g0 + band);
                let (s0, s1) = cols(g0);
                let a = &wf[g0 * n * k..g1 * n * k];
                // Detection (more inputs than outputs) takes the band's symbols in pairs: one
                // grouped GEMM over both (`gemm_grouped_pair_then`, whose AVX-512 tile holds a
                // PRB of two symbols in three full registers).
                // Two selected symbols d apart are one pair (the second d·n_sc columns on).
                let step = if k > n { 2 } else { 1 };
                let mut i = 0;
                while i < n_sel {
                    let l = sym(i);
                    let o = l * n_sc + s0;
                    let w = s1 - s0;
                    let pair = step == 2 && i + 1 < n_sel;
                    let i_next = if pair { i + 2 } else { i + 1 };
                    let next = if i_next < n_sel {
                        let o_next = sym(i_next) * n_sc + s0;
                        Some(ComplexRef::new(k, w, row, &xf[o_next..])?)
                    } else if g1 < n_prg && n_sel > 0 {
                        let (t0, t1) = cols(g1);
                        let o_next = sym(0) * n_sc + t0;
                        Some(ComplexRef::new(k, t1 - t0, row, &xf[o_next..])?)
                    } else {
                        None
                    };
                    if pair {
                        let d = (sym(i + 1) - l) * n_sc;
                        let b = ComplexRef::new(k, d + w, row, &xf[o..])?;
                        let c = ComplexMut::new(n, d + w, row, &mut yf[o..])?;
                        let mode = GemmMode::Overwrite;
                        kernels.gemm_grouped_pair_then(a, prg_sc, b, c, d, mode, next)?;
                    } else {
                        let b = ComplexRef::new(k, w, row, &xf[o..])?;
                        let c = ComplexMut::new(n, w, row, &mut yf[o..])?;
                        kernels.gemm_grouped_then(a, prg_sc, b, c, GemmMode::Overwrite, next)?;
                    }
                    i = i_next;
                }
            }
            return Ok(());
        }
        for g in 0..n_prg {
            let (s0, s1) = (g * prg_sc, ((g + 1) * prg_sc).min(n_sc));
            for l in (0..n_sel).map(sym) {
                for c0 in (s0..s1).step_by(self.max_cols) {
                    let c1 = s1.min(c0 + self.max_cols);
                    self.multiply_views(
                        w.index_axis(ndarray::Axis(0), g),
                        x.slice(ndarray::s![.., l, c0..c1]),
                        y.slice_mut(ndarray::s![.., l, c0..c1]),
                    )?;
                }
            }
        }
        Ok(())
    }

    /// [`Self::process_grid`] for narrow PRGs: the band is walked in blocks of subcarriers
    /// (whole PRGs when n_sym·PRG width fits in max_cols, else pieces of one PRG); a block's
    /// layer symbols are gathered into split planes, one PRG segment after the other
    /// ([`crate::simd::Kernels::split_segments`] per layer, back by `merge_segments`), every
    /// PRG segment of the block is one GEMM over all its symbols (n_sym·width columns), and
    /// the block's antenna rows are written back contiguously. Needs n_sym ≤ max_cols.
    fn grid_through_planes(
        &mut self,
        w: ArrayView3<'_, C32>,
        prg_sc: usize,
        syms: std::ops::Range<usize>,
        x: ArrayView3<'_, C32>,
        mut y: ArrayViewMut3<'_, C32>,
    ) -> Result<()> {
        let (k, all_sym, n_sc) = x.dim();
        // The run's symbols: n_sym of them from `l0`, `l0·n_sc` into each grid row.
        let (l0, n_sym) = (syms.start, syms.len());
        // Block width in subcarriers.
        let blk = if prg_sc * n_sym <= self.max_cols {
            (self.max_cols / (prg_sc * n_sym)) * prg_sc
        } else {
            self.max_cols / n_sym
        };
        let mut a = 0;
        while a < n_sc {
            // The block [a, b): whole PRGs, or a piece of the PRG that contains a.
            let b = if blk >= prg_sc {
                (a + blk).min(n_sc)
            } else {
                let prg_end = ((a / prg_sc) + 1) * prg_sc;
                (a + blk).min(prg_end).min(n_sc)
            };
            let bw = b - a;
            // One layer's (or antenna's) block in the planes, and the distance between two
            // of them: PLANE_PAD columns more, so a GEMM may run past its segment's last column
            // to a multiple of 4 (see PLANE_PAD).
            let used = n_sym * bw;
            let row = plane_row(n_sym, bw);
            // Gather: x[layer, l, a..b] → planes, PRG segment by segment, symbol-major inside
            // (one `split_segments` per layer: its n_sym grid rows over the block; the block
            // starts on a PRG boundary or lies inside one PRG, so the kernel's segments are
            // the PRG segments).
            match x.as_slice() {
                Some(f) => {
                    for layer in 0..k {
                        let o = (layer * all_sym + l0) * n_sc + a;
                        let src = ComplexRef::new(n_sym, bw, n_sc, &f[o..])?;
                        let (re, im) = (
                            &mut self.x_re[layer * row..layer * row + used],
                            &mut self.x_im[layer * row..layer * row + used],
                        );
                        self.kernels.split_segments(&src, prg_sc, re, im)?;
                    }
                }
                None => {
                    // Strided input: each row piece copied first (no allocation), then split
                    // segment by segment.
                    for layer in 0..k {
                        for l in 0..n_sym {
                            let buf = &mut self.row_buf[..bw];
                            let piece = x.slice(ndarray::s![layer, l0 + l, a..b]);
                            for (d, v) in buf.iter_mut().zip(piece) {
                                *d = *v;
                            }
                            let mut seg0 = a;
                            while seg0 < b {
                                let seg1 = ((seg0 / prg_sc + 1) * prg_sc).min(b);
                                let sw = seg1 - seg0;
                                let o = layer * row + n_sym * (seg0 - a) + l * sw;
                                let src = &self.row_buf[seg0 - a..seg1 - a];
                                let (re, im) =
                                    (&mut self.x_re[o..o + sw], &mut self.x_im[o..o + sw]);
                                for ((v, r), i) in src.iter().zip(re).zip(im) {
                                    *r = v.re;
                                    *i = v.im;
                                }
                                seg0 = seg1;
                            }
                        }
                    }
                }
            }
            // One GEMM per PRG segment: W_g (n_tx × k) · X_seg (k × n_sym·sw).
            let mut seg0 = a;
            while seg0 < b {
                let g = seg0 / prg_sc;
                let seg1 = ((g + 1) * prg_sc).min(b);
                // Columns rounded up to a multiple of 4 (whole registers down to SSE: no
                // scalar tail); the extra ones read the next segment's or the padding's inputs
                // and write outputs that the next segment's GEMM overwrites or that lie in the
                // padding, never read back.
                let off = n_sym * (seg0 - a);
                let cols = (n_sym * (seg1 - seg0)).next_multiple_of(4).min(row - off);
                self.load_w(w.index_axis(ndarray::Axis(0), g));
                // The next segment's matrix requested into the L2 while this one multiplies
                // (for sub-PRB filters, 4 per PRB, the slot's matrices come from memory).
                if g + 1 < w.dim().0
                    && let Some(next) = w.index_axis(ndarray::Axis(0), g + 1).to_slice()
                {
                    self.kernels.request_l2(next);
                }
                let wa = SplitRef::new(self.n_tx, self.k, self.k, &self.w_re, &self.w_im)?;
                let xb = SplitRef::new(k, cols, row, &self.x_re[off..], &self.x_im[off..])?;
                let yc = SplitMut::new(
                    self.n_tx,
                    cols,
                    row,
                    &mut self.y_re[off..],
                    &mut self.y_im[off..],
                )?;
                self.kernels.gemm(wa, xb, yc, GemmMode::Overwrite)?;
                seg0 = seg1;
            }
            // Scatter: every antenna row of the block, written left to right (one
            // `merge_segments` per antenna: its n_sym grid rows over the block).
            match y.as_slice_mut() {
                Some(out) => {
                    for t in 0..self.n_tx {
                        let o = (t * all_sym + l0) * n_sc + a;
                        let mut dst = ComplexMut::new(n_sym, bw, n_sc, &mut out[o..])?;
                        let (re, im) = (
                            &self.y_re[t * row..t * row + used],
                            &self.y_im[t * row..t * row + used],
                        );
                        self.kernels.merge_segments(re, im, prg_sc, &mut dst)?;
                    }
                }
                None => self.for_each_output_segment(a, b, prg_sc, n_sym, |t, l, s0, re, im| {
                    let mut dst = y.slice_mut(ndarray::s![t, l0 + l, s0..s0 + re.len()]);
                    for ((d, &p), &q) in dst.iter_mut().zip(re).zip(im) {
                        *d = C32::new(p, q);
                    }
                }),
            }
            a = b;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::band_prgs;

    #[test]
    fn band_fits_half_a_small_l2_and_keeps_the_256_kib_weight_band_otherwise() {
        // Per-PRB detection filters on the Zen 3: 8 KiB of weights + 64 × 12 input columns.
        assert_eq!(band_prgs(Some(512 << 10), 8 << 10, 6 << 10), 18);
        // Precoding, PRG 2: 8 KiB of weights + 16 × 24 input columns.
        assert_eq!(band_prgs(Some(512 << 10), 8 << 10, 3 << 10), 23);
        // L2 ≥ 1 MiB or unknown: 256 KiB of weights …
        assert_eq!(band_prgs(Some(2 << 20), 8 << 10, 6 << 10), 32);
        assert_eq!(band_prgs(None, 8 << 10, 6 << 10), 32);
        // … unless they and two symbols' columns would overflow ¾ of it: 64 × 8 filters (4 KiB)
        // and 64 antennas' columns on a 1 MiB L2: 768 KiB / 16 KiB = 48 PRBs, not 64.
        assert_eq!(band_prgs(Some(1 << 20), 4 << 10, 6 << 10), 48);
        assert_eq!(band_prgs(Some(1 << 20), 8 << 10, 6 << 10), 32);
        // Never zero.
        assert_eq!(band_prgs(Some(64 << 10), 1 << 20, 0), 1);
    }

    /// A symbol's PRG pieces: each piece's values are the whole symbol's columns; empty or
    /// out-of-range pieces, a symbol past the grid and a buffer short of the piece are refused
    /// by name and size; strided operands and sub-PRB bands decline (`Ok(false)`).
    #[test]
    fn symbol_pieces_are_the_whole_symbol_and_refusals_are_named() {
        use super::*;
        use ndarray::{Array2, Array3, s};
        let (n, k, band, n_sc) = (5usize, 3usize, 24usize, 132usize);
        let n_prg = n_sc.div_ceil(band);
        let v = |i: usize| C32::new((i % 13) as f32 - 6.0, (i % 7) as f32 * 0.5);
        let w = Array3::from_shape_fn((n_prg, n, k), |(g, a, j)| v(g * 31 + a * 5 + j));
        let x = Array3::from_shape_fn((k, 14, n_sc), |(j, l, c)| v(j * 997 + l * 131 + c));
        let mut ap = GridApplier::new(n, k, n_sc).unwrap();
        let mut whole = Array2::zeros((n, n_sc));
        ap.process_symbol(w.view(), band, 4, x.view(), whole.view_mut())
            .unwrap();
        for (g0, g1) in [(0, 2), (2, 3), (3, n_prg)] {
            let (s0, s1) = (g0 * band, (g1 * band).min(n_sc));
            let mut y = vec![C32::new(9.0, 9.0); n * (s1 - s0) + 1];
            assert!(
                ap.process_symbol_prgs(w.view(), band, 4, x.view(), g0..g1, &mut y)
                    .unwrap()
            );
            let y = Array2::from_shape_vec((n, s1 - s0), y[..n * (s1 - s0)].to_vec()).unwrap();
            assert_eq!(y, whole.slice(s![.., s0..s1]), "PRGs {g0}..{g1}");
        }
        let mut y = vec![C32::new(0.0, 0.0); n * n_sc];
        for prgs in [2..2, 4..n_prg + 1] {
            match ap.process_symbol_prgs(w.view(), band, 4, x.view(), prgs, &mut y) {
                Err(Error::InvalidParameter { name, .. }) => assert_eq!(name, "prgs"),
                other => panic!("{other:?}"),
            }
        }
        match ap.process_symbol_prgs(w.view(), band, 14, x.view(), 0..1, &mut y) {
            Err(Error::InvalidParameter { name, .. }) => assert_eq!(name, "symbol"),
            other => panic!("{other:?}"),
        }
        match ap.process_symbol_prgs(
            w.view(),
            band,
            0,
            x.view(),
            1..3,
            &mut y[..2 * band * n - 1],
        ) {
            Err(Error::ShapeMismatch { name, expected, .. }) => {
                assert!(name.starts_with('y'), "{name}");
                assert_eq!(expected, crate::error::Shape::of(&[n, 2 * band]));
            }
            other => panic!("{other:?}"),
        }
        // Strided layers, sub-PRB bands: not in place, refused, nothing written.
        let wide = Array3::from_shape_fn((k, 14, n_sc + 1), |(j, l, c)| v(j + l + c));
        let strided = wide.slice(s![.., .., ..n_sc]);
        y.fill(C32::new(3.0, 3.0));
        assert!(
            !ap.process_symbol_prgs(w.view(), band, 0, strided, 0..1, &mut y)
                .unwrap()
        );
        let w6 = Array3::from_elem((n_sc / 6, n, k), C32::new(1.0, 0.0));
        assert!(
            !ap.process_symbol_prgs(w6.view(), 6, 0, x.view(), 0..1, &mut y)
                .unwrap()
        );
        assert!(y.iter().all(|&c| c == C32::new(3.0, 3.0)));
    }

    /// A symbol written by runs into transform-input rows (an NR map whose upper half starts
    /// inside a PRG, an LTE one around an empty DC bin, a run inside one PRG, an empty run): on
    /// every backend each run's columns are the whole symbol's subcarriers bit for bit and
    /// nothing else is written; runs past the subcarriers or a row, and a buffer short of the
    /// rows, are refused by name; strided operands, sub-PRB bands and bands wider than the
    /// applier's `max_cols` are not `runs_in_place` and refused naming `band_sc`, unwritten.
    #[test]
    fn symbol_runs_are_the_whole_symbol_at_their_bins() {
        use super::*;
        use ndarray::{Array2, Array3, s};
        let (n, k, n_sc, row) = (5usize, 3usize, 132usize, 176usize);
        // Values whose products round (tenths): another summation order shows in the bits.
        let v = |i: usize| C32::new((i % 13) as f32 * 0.1 - 0.6, (i % 7) as f32 * 0.3 - 0.7);
        let x = Array3::from_shape_fn((k, 14, n_sc), |(j, l, c)| v(j * 997 + l * 131 + c));
        let half = n_sc / 2;
        let maps: [&[(usize, usize, usize)]; 4] = [
            &[(0, row - half, half), (half, 0, half)],
            &[(0, row - half - 8, half), (half, 1, half)],
            &[(30, 100, 9)],
            &[(0, 0, 0), (5, 140, 31)],
        ];
        for backend in crate::simd::Backend::available() {
            for band in [12usize, 24] {
                let n_prg = n_sc.div_ceil(band);
                let w = Array3::from_shape_fn((n_prg, n, k), |(g, a, j)| v(g * 31 + a * 5 + j));
                let kernels = Kernels::with_backend(backend).unwrap();
                let mut ap = GridApplier::new(n, k, n_sc).unwrap().with_kernels(kernels);
                let mut whole = Array2::zeros((n, n_sc));
                ap.process_symbol(w.view(), band, 4, x.view(), whole.view_mut())
                    .unwrap();
                for runs in maps {
                    let mut y = vec![C32::new(9.0, 9.0); n * row];
                    assert!(ap.runs_in_place(w.view(), x.view(), band));
                    ap.process_symbol_runs(w.view(), band, 4, x.view(), runs, &mut y, row)
                        .unwrap();
                    let mut want = vec![C32::new(9.0, 9.0); n * row];
                    for &(k0, b0, len) in runs {
                        for a in 0..n {
                            for i in 0..len {
                                want[a * row + b0 + i] = whole[[a, k0 + i]];
                            }
                        }
                    }
                    let same = y.iter().zip(&want).all(|(p, q)| {
                        p.re.to_bits() == q.re.to_bits() && p.im.to_bits() == q.im.to_bits()
                    });
                    assert!(same, "{backend} band {band} runs {runs:?}");
                }
            }
        }
        let (band, n_prg) = (24, n_sc.div_ceil(24));
        let w = Array3::from_shape_fn((n_prg, n, k), |(g, a, j)| v(g * 31 + a * 5 + j));
        let mut ap = GridApplier::new(n, k, n_sc).unwrap();
        let mut y = vec![C32::new(3.0, 3.0); n * row];
        let bad = [
            ((100, 0, 33), n * row),
            ((0, row - 10, 11), n * row),
            ((0, 0, 20), (n - 1) * row + 19),
        ];
        for (run, len) in bad {
            match ap.process_symbol_runs(w.view(), band, 4, x.view(), &[run], &mut y[..len], row) {
                Err(Error::InvalidParameter { name, .. }) => assert_eq!(name, "runs"),
                other => panic!("{other:?}"),
            }
        }
        let wide = Array3::from_shape_fn((k, 14, n_sc + 1), |(j, l, c)| v(j + l + c));
        let strided = wide.slice(s![.., .., ..n_sc]);
        let runs = [(0, 0, 20)];
        let w6 = Array3::from_elem((n_sc / 6, n, k), C32::new(1.0, 0.0));
        // A band wider than the applier's max_cols (its buffer holds one cut band).
        let mut narrow = GridApplier::new(n, k, band - 1).unwrap();
        let cases = [
            (&mut ap, w.view(), band, strided),
            (&mut narrow, w.view(), band, x.view()),
        ];
        for (applier, wv, b, xv) in cases {
            assert!(!applier.runs_in_place(wv, xv, b));
            match applier.process_symbol_runs(wv, b, 0, xv, &runs, &mut y, row) {
                Err(Error::InvalidParameter { name, .. }) => assert_eq!(name, "band_sc"),
                other => panic!("{other:?}"),
            }
        }
        assert!(!ap.runs_in_place(w6.view(), x.view(), 6));
        match ap.process_symbol_runs(w6.view(), 6, 0, x.view(), &runs, &mut y, row) {
            Err(Error::InvalidParameter { name, .. }) => assert_eq!(name, "band_sc"),
            other => panic!("{other:?}"),
        }
        assert!(y.iter().all(|&c| c == C32::new(3.0, 3.0)));
    }
}
