//! Moves between interleaved complex matrices (the caller's `[matrix, row, col]` arrays) and the
//! lane-blocked split layout of [`MatrixBatch`], by register tile transposes.
//!
//! Both layouts number the elements of a matrix row-major, `e = i·cols + j`. A register of L
//! lanes holding L/2 consecutive complex elements of one matrix, taken for L matrices, is an
//! L × L tile whose transpose is the lane-blocked form of those elements: row `2·jj + p` (part
//! p of element `e0 + jj`) across the L matrices. So one tile transpose moves L/2 elements of L
//! matrices with whole-register loads and stores only — no scalar scatter, whose strided writes
//! (one matrix apart) were most of the time of the precoder's weight output.
//!
//! * [`load`]: `[len, rows, cols]` interleaved → batch (the SIMD form of
//!   [`MatrixBatch::load_all`]).
//! * [`store_adjoint`]: batch → `[len, cols, rows]` interleaved, each matrix conjugate-transposed
//!   with a real scale per source row (`dst[m, j, i] = conj(src[m, i, j])·scale[m, i]`): the
//!   precoder's `W = Xᴴ·diag(s)`. Here the tile is L/2 consecutive *rows* i of one column j,
//!   which are consecutive in the output.
//!
//! * [`store_rows`]: batch → `[len, rows, cols]` interleaved, the first `rows` rows of each
//!   matrix with a real scale per row (`dst[m, i, j] = src[m, i, j]·scale[m, i]`): a detector's
//!   filter rows with their bias correction. The tile of [`load`], the other way.
//!
//! * [`adjoint_batch`]: batch → batch, each matrix conjugate-transposed in the lane layout
//!   (lanes stay put, so it is whole-register copies with the imaginary parts negated).
//! * [`split_transpose`]: an interleaved `rows × cols` view → its transpose as split planes
//!   (`dst[c, r] = src[r, c]`), e.g. a run of subcarriers of every receive antenna's grid row
//!   turned antennas-innermost for a channel estimator. The same tile: L rows' L/2
//!   consecutive elements, transposed, are L/2 output rows of L lanes each (re and im).
//! * [`store_interleaved`]: split planes → an interleaved view of the same shape (each
//!   register pair zipped back in order), e.g. filtered channel estimates into a `[output,
//!   port, antenna]` array.
//!
//! * [`x86_512::split_narrow`] / [`x86_512::merge_narrow`]: [`split_segments`] /
//!   [`merge_segments`] for segments of at most [`NARROW_MAX`] values on AVX-512, one masked
//!   register per piece.
//!
//! Element runs that do not fill a tile (the last `rows·cols mod L/2` elements of a load, the
//! last `rows mod L/2` rows of an adjoint store) go through the scalar loops. Padding matrices
//! (from `len` to the next multiple of 16) are written as zeros by [`load`] and never read from
//! the caller's array.

use crate::register::SimdF32;
use crate::{C32, ComplexMut, ComplexRef, LANES, MatrixBatch, SplitMut, SplitRef};

/// Scalar reference of [`store_adjoint`]: `dst[m, j, i] = conj(src[m, i, j])·scale[m·rows + i]`.
pub(crate) fn store_adjoint_scalar(src: &MatrixBatch, scale: &[f32], dst: &mut [C32]) {
    store_adjoint_rows_scalar(src, scale, dst, 0);
}

/// [`store_adjoint_scalar`] for source rows `first_row..` only.
fn store_adjoint_rows_scalar(src: &MatrixBatch, scale: &[f32], dst: &mut [C32], first_row: usize) {
    let (rows, cols) = (src.rows(), src.cols());
    for m in 0..src.len() {
        for i in first_row..rows {
            let s = scale[m * rows + i];
            for j in 0..cols {
                dst[(m * cols + j) * rows + i] = src.at(m, i, j).conj() * s;
            }
        }
    }
}

/// Source rows per pass of [`store_adjoint`] (the scales of a pass live on the stack).
const CHUNK: usize = 32;
/// f32 per matrix in the staging buffer of [`store_adjoint`] (1 KiB: 16 matrices fill 16 KiB).
const STAGE: usize = 256;

/// A register's worth of zeros, read in place of padding matrices.
static ZEROS: [f32; 16] = [0.0; 16];

/// The batch's geometry.
struct Geometry {
    rows: usize,
    cols: usize,
    len: usize,
    block_len: usize,
}

impl Geometry {
    fn of(b: &MatrixBatch) -> Self {
        Self {
            rows: b.rows(),
            cols: b.cols(),
            len: b.len(),
            block_len: b.block_len(),
        }
    }

    /// Matrices of lane group `m0..m0 + l` that exist (the rest are padding).
    fn valid(&self, m0: usize, l: usize) -> usize {
        self.len.saturating_sub(m0).min(l)
    }
}

/// Interleaved `src [len, rows, cols]` → `dst`. Lengths caller-checked.
#[inline(always)]
pub(crate) unsafe fn load<V: SimdF32>(src: &[C32], dst: &mut MatrixBatch) {
    let l = V::LANES;
    let half = l / 2;
    let g = Geometry::of(dst);
    let rc = g.rows * g.cols;
    let full = rc / half * half;
    let s = src.as_ptr() as *const f32;
    // All writes go through this one pointer (the tail loop too), so that no later use of the
    // slice invalidates it.
    let d = dst.as_mut_slice().as_mut_ptr();
    for blk in 0..g.len.div_ceil(LANES) {
        for grp in 0..LANES / l {
            let m0 = blk * LANES + grp * l;
            let valid = g.valid(m0, l);
            let base = blk * g.block_len + grp * l;
            // Row r of the tile reads matrix m0 + r, or a run of zeros for padding matrices
            // (a step of 0 keeps it on the zero run).
            let mut rows = [ZEROS.as_ptr(); 16];
            let mut step = [0usize; 16];
            for r in 0..valid {
                // SAFETY: matrix m0 + r < len starts at (m0 + r)·rc complex values into src.
                rows[r] = unsafe { s.add((m0 + r) * rc * 2) };
                step[r] = 2;
            }
            for e0 in (0..full).step_by(half) {
                // SAFETY: the caller has V's ISA enabled. Matrix m0 + r < len has rc elements
                // at (m0 + r)·rc in src, and e0 + half ≤ rc, so the L f32 read are in src.
                // The stores go to element e0 + jj < rc, part p, lanes grp·l..grp·l + l of
                // block blk: inside the block, which dst holds (blocks = ⌈len/16⌉).
                unsafe {
                    let mut t = [V::splat(0.0); 16];
                    for (r, reg) in t.iter_mut().enumerate().take(l) {
                        *reg = V::load(rows[r].add(e0 * step[r]));
                    }
                    V::transpose(&mut t);
                    for (q, reg) in t.iter().enumerate().take(l) {
                        reg.store(d.add(base + (e0 * 2 + q) * LANES));
                    }
                }
            }
            for e in full..rc {
                for r in 0..l {
                    let v = if r < valid {
                        src[(m0 + r) * rc + e]
                    } else {
                        C32::new(0.0, 0.0)
                    };
                    // SAFETY: element e < rc, lane grp·l + r < 16 of block blk: inside dst.
                    unsafe {
                        d.add(base + e * 2 * LANES + r).write(v.re);
                        d.add(base + (e * 2 + 1) * LANES + r).write(v.im);
                    }
                }
            }
        }
    }
}

/// `dst [len, cols, rows]`: `dst[m, j, i] = conj(src[m, i, j])·scale[m·rows + i]`. Lengths
/// caller-checked (`scale` len·rows, `dst` len·rows·cols).
///
/// The tiles go to a staging buffer first, `J` output rows of the L matrices at a time, which is
/// then copied out matrix by matrix in contiguous runs. Written straight to `dst`, the L rows
/// of a tile land one matrix apart — 8 KiB for 64 × 16 weights — so they, and the source
/// elements read with them, share an L1 set and evict each other (5× slower measured).
#[inline(always)]
pub(crate) unsafe fn store_adjoint<V: SimdF32>(src: &MatrixBatch, scale: &[f32], dst: &mut [C32]) {
    let l = V::LANES;
    let half = l / 2;
    let g = Geometry::of(src);
    let full_rows = g.rows / half * half;
    let s = src.as_slice().as_ptr();
    // Staging: STAGE f32 per matrix, [matrix][j − j0][i − c0] complex, interleaved.
    // Left uninitialised (16 KiB per call would otherwise be zeroed): only the values the
    // tiles wrote are read back.
    let mut stage = core::mem::MaybeUninit::<super::LineAligned<{ 16 * STAGE }>>::uninit();
    let st = stage.as_mut_ptr() as *mut f32;
    for blk in 0..g.len.div_ceil(LANES) {
        for grp in 0..LANES / l {
            let m0 = blk * LANES + grp * l;
            let valid = g.valid(m0, l);
            if valid == 0 {
                break;
            }
            let base = blk * g.block_len + grp * l;
            for c0 in (0..full_rows).step_by(CHUNK) {
                let c1 = full_rows.min(c0 + CHUNK);
                let width = c1 - c0;
                let rows_per_stage = (STAGE / (2 * width)).max(1);
                // The scales of rows c0..c1 of the group's matrices in the lanes, negated for
                // the imaginary parts (the conjugate): rows 0..width, all 16 lanes (0 past the
                // valid matrices), are initialised, and only they are read.
                let mut sc = core::mem::MaybeUninit::<super::LineAligned<{ 16 * CHUNK }>>::uninit();
                let mut nsc =
                    core::mem::MaybeUninit::<super::LineAligned<{ 16 * CHUNK }>>::uninit();
                let (psc, pnsc) = (sc.as_mut_ptr() as *mut f32, nsc.as_mut_ptr() as *mut f32);
                for i in 0..width {
                    for r in 0..16 {
                        let v = if r < valid {
                            scale[(m0 + r) * g.rows + c0 + i]
                        } else {
                            0.0
                        };
                        // SAFETY: i < width ≤ CHUNK rows of 16 f32.
                        unsafe {
                            psc.add(i * 16 + r).write(v);
                            pnsc.add(i * 16 + r).write(-v);
                        }
                    }
                }
                for j0 in (0..g.cols).step_by(rows_per_stage) {
                    let j1 = g.cols.min(j0 + rows_per_stage);
                    for j in j0..j1 {
                        for i0 in (c0..c1).step_by(half) {
                            // SAFETY: the caller has V's ISA enabled. Reads: element
                            // (i0 + ii, j) of block blk, parts re/im, lanes grp·l.. + l —
                            // inside src's storage. Writes: stage row r (< 16), offset
                            // ((j − j0)·width + i0 − c0)·2 + 2·half ≤ rows_per_stage·2·width
                            // ≤ STAGE. The scale rows i < width were initialised above.
                            unsafe {
                                let mut t = [V::splat(0.0); 16];
                                for ii in 0..half {
                                    let o = base + ((i0 + ii) * g.cols + j) * 2 * LANES;
                                    let i = i0 + ii - c0;
                                    t[2 * ii] = V::load(s.add(o)).mul(V::load(psc.add(16 * i)));
                                    t[2 * ii + 1] =
                                        V::load(s.add(o + LANES)).mul(V::load(pnsc.add(16 * i)));
                                }
                                V::transpose(&mut t);
                                let so = ((j - j0) * width + i0 - c0) * 2;
                                for (r, reg) in t.iter().enumerate().take(l) {
                                    reg.store(st.add(r * STAGE + so));
                                }
                            }
                        }
                    }
                    // Out matrix by matrix: rows j0..j1, columns c0..c1 — one contiguous run
                    // when the chunk spans all the rows of the source.
                    let (runs, run) = if width == g.rows {
                        (1, (j1 - j0) * width)
                    } else {
                        (j1 - j0, width)
                    };
                    for r in 0..valid {
                        for q in 0..runs {
                            let to = ((m0 + r) * g.cols + j0 + q) * g.rows + c0;
                            let from = r * STAGE + q * width * 2;
                            // SAFETY: V's ISA is enabled. The run is 2·run f32 — a multiple
                            // of L, since width is a multiple of L/2 — read from stage row r
                            // (from + 2·run ≤ (r + 1)·STAGE) and written to complex values
                            // to..to + run of matrix m0 + r < len, inside dst.
                            unsafe {
                                let d = dst.as_mut_ptr().add(to) as *mut f32;
                                copy_run::<V>(st.add(from), d, 2 * run);
                            }
                        }
                    }
                }
            }
        }
    }
    if full_rows < g.rows {
        store_adjoint_rows_scalar(src, scale, dst, full_rows);
    }
}

/// Scalar reference of [`store_rows`]: `dst[m, i, j] = src[m, i, j]·scale[m·src.rows() + i]`
/// for rows `i < rows`.
pub(crate) fn store_rows_scalar(src: &MatrixBatch, rows: usize, scale: &[f32], dst: &mut [C32]) {
    for m in 0..src.len() {
        store_rows_tail(src, rows, scale, dst, m, 0);
    }
}

/// [`store_rows_scalar`] for matrix `m`, from its element `e0 = i·cols + j` on.
fn store_rows_tail(
    src: &MatrixBatch,
    rows: usize,
    scale: &[f32],
    dst: &mut [C32],
    m: usize,
    e0: usize,
) {
    let cols = src.cols();
    let n = rows * cols;
    for e in e0..n {
        let (i, j) = (e / cols, e % cols);
        dst[m * n + e] = src.at(m, i, j) * scale[m * src.rows() + i];
    }
}

/// `dst [len, rows, cols]`: the first `rows` rows of every matrix, each times a real scale,
/// `dst[m, i, j] = src[m, i, j]·scale[m·src.rows() + i]`. Lengths caller-checked (`rows ≤
/// src.rows()`, `scale` len·src.rows(), `dst` len·rows·cols).
///
/// The inverse of [`load`]: L/2 consecutive elements (row-major) of L matrices, each scaled by
/// its row's factors in the lanes, transposed, one register per matrix into a staging buffer
/// that is then copied out matrix by matrix in runs of STAGE/2 elements (stored straight to
/// `dst`, the L registers of a tile land one matrix apart — 8 KiB for 16 × 64 filters — and
/// share an L1 set, as in [`store_adjoint`]). The scales are gathered into a register once per
/// row. Elements past the last whole tile of a matrix go through the scalar loop.
#[inline(always)]
pub(crate) unsafe fn store_rows<V: SimdF32>(
    src: &MatrixBatch,
    rows: usize,
    scale: &[f32],
    dst: &mut [C32],
) {
    let l = V::LANES;
    let half = l / 2;
    let g = Geometry::of(src);
    let n = rows * g.cols;
    let full = n / half * half;
    let s = src.as_slice().as_ptr();
    let d = dst.as_mut_ptr() as *mut f32;
    for blk in 0..g.len.div_ceil(LANES) {
        for grp in 0..LANES / l {
            let m0 = blk * LANES + grp * l;
            let valid = g.valid(m0, l);
            if valid == 0 {
                break;
            }
            let base = blk * g.block_len + grp * l;
            // Element (i, j) of the next tile slot, and row i's scales of the valid matrices
            // in the lanes (0 in padding lanes).
            let row_scales = |i: usize| {
                let mut lanes = [0.0f32; 16];
                for (r, v) in lanes.iter_mut().enumerate().take(valid) {
                    *v = scale[(m0 + r) * g.rows + i];
                }
                // SAFETY: the caller has V's ISA enabled; `lanes` holds 16 ≥ L f32.
                unsafe { V::load(lanes.as_ptr()) }
            };
            let (mut i, mut j) = (0usize, 0usize);
            let mut sc = row_scales(0);
            // Staging, as in `store_adjoint`: STAGE f32 (STAGE/2 elements) per matrix, written
            // by the tiles and copied out matrix by matrix. Left uninitialised: only the
            // values the tiles wrote are read back.
            let mut stage = core::mem::MaybeUninit::<super::LineAligned<{ 16 * STAGE }>>::uninit();
            let st = stage.as_mut_ptr() as *mut f32;
            for c0 in (0..full).step_by(STAGE / 2) {
                let c1 = full.min(c0 + STAGE / 2);
                for e0 in (c0..c1).step_by(half) {
                    // SAFETY: the caller has V's ISA enabled. Reads: element e0 + jj < n ≤
                    // rows·cols of block blk, parts re/im, lanes grp·l.. + l — inside src's
                    // storage. Writes: stage row r < 16 at (e0 − c0)·2 + L ≤ STAGE.
                    unsafe {
                        let mut t = [V::splat(0.0); 16];
                        for jj in 0..half {
                            let o = base + (e0 + jj) * 2 * LANES;
                            t[2 * jj] = V::load(s.add(o)).mul(sc);
                            t[2 * jj + 1] = V::load(s.add(o + LANES)).mul(sc);
                            j += 1;
                            if j == g.cols {
                                (i, j) = (i + 1, 0);
                                if i < rows {
                                    sc = row_scales(i);
                                }
                            }
                        }
                        V::transpose(&mut t);
                        for (r, reg) in t.iter().enumerate().take(valid) {
                            reg.store(st.add(r * STAGE + (e0 - c0) * 2));
                        }
                    }
                }
                for r in 0..valid {
                    // SAFETY: V's ISA is enabled. 2·(c1 − c0) f32, a multiple of L, read from
                    // stage row r (written above) and written to elements c0..c1 ≤ n of
                    // matrix m0 + r < len, inside dst (len·n values, caller-checked).
                    unsafe {
                        copy_run::<V>(
                            st.add(r * STAGE),
                            d.add(((m0 + r) * n + c0) * 2),
                            2 * (c1 - c0),
                        );
                    }
                }
            }
            for r in 0..valid {
                store_rows_tail(src, rows, scale, dst, m0 + r, full);
            }
        }
    }
}

/// Copies `n` f32 (a multiple of `V::LANES`) from `from` to `to` in whole registers: a
/// staging row of [`store_adjoint`] or [`store_rows`] out to its matrix.
///
/// # Safety
/// V's ISA must be enabled; `from` must be valid for `n` reads and `to` for `n` writes.
#[inline(always)]
unsafe fn copy_run<V: SimdF32>(from: *const f32, to: *mut f32, n: usize) {
    for x in (0..n).step_by(V::LANES) {
        // SAFETY: x + L ≤ n (n a multiple of L), inside both runs (the caller's contract).
        unsafe { V::load(from.add(x)).store(to.add(x)) };
    }
}

/// Scalar reference of [`adjoint_batch`]: `dst[m, j, i] = conj(src[m, i, j])`.
pub(crate) fn adjoint_batch_scalar(src: &MatrixBatch, dst: &mut MatrixBatch) {
    for m in 0..src.len() {
        for i in 0..src.rows() {
            for j in 0..src.cols() {
                dst.put(m, j, i, src.at(m, i, j).conj());
            }
        }
    }
}

/// `dst[m, j, i] = conj(src[m, i, j])` in the lane layout (dst cols × rows, equal lengths;
/// caller-checked). Padding lanes are copied too.
#[inline(always)]
pub(crate) unsafe fn adjoint_batch<V: SimdF32>(src: &MatrixBatch, dst: &mut MatrixBatch) {
    let (rows, cols) = (src.rows(), src.cols());
    let bl = src.block_len();
    let s = src.as_slice().as_ptr();
    let d = dst.as_mut_slice().as_mut_ptr();
    let zero = 0.0f32;
    for blk in 0..src.len().div_ceil(LANES) {
        for i in 0..rows {
            for j in 0..cols {
                let from = blk * bl + (i * cols + j) * 2 * LANES;
                let to = blk * bl + (j * rows + i) * 2 * LANES;
                for off in (0..LANES).step_by(V::LANES) {
                    // SAFETY: the caller has V's ISA enabled; both elements lie in block blk
                    // of equally sized batches (rows·cols elements of 32 f32 each), and
                    // off + V::LANES ≤ 16.
                    unsafe {
                        V::load(s.add(from + off)).store(d.add(to + off));
                        let im = V::load(s.add(from + LANES + off));
                        V::splat(zero).sub(im).store(d.add(to + LANES + off));
                    }
                }
            }
        }
    }
}

/// Scalar reference of [`split_transpose`]: `dst[c, r] = src[r, c]`.
pub(crate) fn split_transpose_scalar(src: &ComplexRef, dst: &mut SplitMut) {
    split_transpose_rest(src, dst, 0, 0);
}

/// [`split_transpose_scalar`] for the elements outside the tiled part: rows `< full_rows` at
/// columns `full_cols..`, and rows `full_rows..` at every column.
fn split_transpose_rest(src: &ComplexRef, dst: &mut SplitMut, full_rows: usize, full_cols: usize) {
    for r in 0..src.rows {
        let c0 = if r < full_rows { full_cols } else { 0 };
        for c in c0..src.cols {
            dst.put(c, r, src.at(r, c));
        }
    }
}

/// `dst = srcᵀ` from interleaved to split planes: `dst[c, r] = src[r, c]` (`src` rows × cols,
/// `dst` cols × rows; shapes caller-checked). Whole L × L register tiles (L rows, L/2
/// columns) by [`SimdF32::transpose`]; the rows and columns left over by the scalar loop.
#[inline(always)]
pub(crate) unsafe fn split_transpose<V: SimdF32>(src: &ComplexRef, dst: &mut SplitMut) {
    let l = V::LANES;
    let half = l / 2;
    let (rows, cols) = (src.rows, src.cols);
    let (full_rows, full_cols) = (rows / l * l, cols / half * half);
    let s = src.data.as_ptr() as *const f32;
    let (ss, ds) = (src.stride, dst.stride);
    let (dre, dim) = (dst.re.as_mut_ptr(), dst.im.as_mut_ptr());
    for r0 in (0..full_rows).step_by(l) {
        for c0 in (0..full_cols).step_by(half) {
            // SAFETY: the caller has V's ISA enabled. Rows r0 + r < rows and columns c0..c0 +
            // half ≤ cols: the L f32 read from row r0 + r are in src ((rows − 1)·stride + cols
            // complex values, checked by ComplexRef::new). The stores write lanes r0..r0 + L
            // ≤ rows of dst rows c0 + jj < cols, inside both planes ((cols − 1)·stride + rows
            // values, checked by SplitMut::new).
            unsafe {
                let mut t = [V::splat(0.0); 16];
                for (r, reg) in t.iter_mut().enumerate().take(l) {
                    *reg = V::load(s.add(2 * ((r0 + r) * ss + c0)));
                }
                // The next row group's same columns, once per 64-byte line: its rows are a
                // grid row apart, too many streams for the hardware prefetcher.
                if (2 * c0) % 16 < l && r0 + l < rows {
                    for r in r0 + l..rows.min(r0 + 2 * l) {
                        V::prefetch(s.wrapping_add(2 * (r * ss + c0)));
                    }
                }
                V::transpose(&mut t);
                for jj in 0..half {
                    t[2 * jj].store(dre.add((c0 + jj) * ds + r0));
                    t[2 * jj + 1].store(dim.add((c0 + jj) * ds + r0));
                }
            }
        }
    }
    split_transpose_rest(src, dst, full_rows, full_cols);
}

/// The row pieces of a rows × cols view (row stride `stride`) cut into segments of `width`
/// columns (the last one `cols mod width` wide when that is not 0), in the segment-major plane
/// order: `(first value's index in the view, its index in the planes, length)`. Segment s
/// starts at plane index `s·rows·width`, and inside it row r at `r·w_s`. Integer arithmetic
/// only, so it inlines into the `target_feature` kernels below without losing their ISA.
#[inline(always)]
fn segment_pieces(
    rows: usize,
    cols: usize,
    stride: usize,
    width: usize,
) -> impl Iterator<Item = (usize, usize, usize)> {
    (0..cols).step_by(width).flat_map(move |c0| {
        let ws = width.min(cols - c0);
        (0..rows).map(move |r| (r * stride + c0, c0 * rows + r * ws, ws))
    })
}

/// Scalar reference of [`split_segments`].
pub(crate) fn split_segments_scalar(
    src: &ComplexRef,
    width: usize,
    re: &mut [f32],
    im: &mut [f32],
) {
    split_piece_values(src, width, re, im, None);
}

/// Every piece's values (`lanes` None: the scalar reference) or only those past its whole
/// runs of `lanes` values (`Some(L)`: the tails the SIMD kernel's registers left).
fn split_piece_values(
    src: &ComplexRef,
    width: usize,
    re: &mut [f32],
    im: &mut [f32],
    lanes: Option<usize>,
) {
    for (s0, d0, ws) in segment_pieces(src.rows, src.cols, src.stride, width) {
        // Slices per piece (three bounds checks, not three per value: narrow segments are
        // all tail).
        let j0 = lanes.map_or(0, |l| ws / l * l);
        let from = &src.data[s0 + j0..s0 + ws];
        let (r, i) = (&mut re[d0 + j0..d0 + ws], &mut im[d0 + j0..d0 + ws]);
        for ((v, r), i) in from.iter().zip(r).zip(i) {
            *r = v.re;
            *i = v.im;
        }
    }
}

/// Scalar reference of [`merge_segments`].
pub(crate) fn merge_segments_scalar(re: &[f32], im: &[f32], width: usize, dst: &mut ComplexMut) {
    merge_piece_values(re, im, width, dst, None);
}

/// Every piece's values, or its tails (as [`split_piece_values`]).
fn merge_piece_values(
    re: &[f32],
    im: &[f32],
    width: usize,
    dst: &mut ComplexMut,
    lanes: Option<usize>,
) {
    for (s0, d0, ws) in segment_pieces(dst.rows, dst.cols, dst.stride, width) {
        let j0 = lanes.map_or(0, |l| ws / l * l);
        let to = &mut dst.data[s0 + j0..s0 + ws];
        for ((d, &r), &i) in to
            .iter_mut()
            .zip(&re[d0 + j0..d0 + ws])
            .zip(&im[d0 + j0..d0 + ws])
        {
            *d = C32::new(r, i);
        }
    }
}

/// The interleaved rows × cols view `src` into segment-major split planes (see
/// [`segment_pieces`]; planes caller-checked to hold rows·cols, width ≥ 1). `V` must be a
/// 4-lane register, whose [`SimdF32::deinterleave`] keeps the natural order (SSE, NEON): two
/// loads, two shuffles and two stores per 4 values; each piece's last `w_s mod 4` values by
/// scalar copies.
#[inline(always)]
pub(crate) unsafe fn split_segments<V: SimdF32>(
    src: &ComplexRef,
    width: usize,
    re: &mut [f32],
    im: &mut [f32],
) {
    let l = V::LANES;
    let sp = src.data.as_ptr() as *const f32;
    let (rp, ip) = (re.as_mut_ptr(), im.as_mut_ptr());
    for (s0, d0, ws) in segment_pieces(src.rows, src.cols, src.stride, width) {
        for j in (0..ws / l * l).step_by(l) {
            // SAFETY: the caller has V's ISA. Values s0 + j .. s0 + j + L of the piece's row
            // lie in the view ((rows − 1)·stride + cols values, checked by ComplexRef::new);
            // the plane indices d0 + j .. d0 + j + L are < rows·cols ≤ the planes' length.
            unsafe {
                let v0 = V::load(sp.add(2 * (s0 + j)));
                let v1 = V::load(sp.add(2 * (s0 + j) + l));
                let (a, b) = V::deinterleave(v0, v1);
                a.store(rp.add(d0 + j));
                b.store(ip.add(d0 + j));
            }
        }
    }
    // The tails: only where a segment (the last one included) is not whole registers.
    if !width.is_multiple_of(l) || !(src.cols % width).is_multiple_of(l) {
        split_piece_values(src, width, re, im, Some(l));
    }
}

/// The inverse of [`split_segments`]: segment-major planes into the interleaved view `dst`
/// (same requirements; [`SimdF32::interleave`] in natural order).
#[inline(always)]
pub(crate) unsafe fn merge_segments<V: SimdF32>(
    re: &[f32],
    im: &[f32],
    width: usize,
    dst: &mut ComplexMut,
) {
    let l = V::LANES;
    let dp = dst.data.as_mut_ptr() as *mut f32;
    let (rp, ip) = (re.as_ptr(), im.as_ptr());
    for (s0, d0, ws) in segment_pieces(dst.rows, dst.cols, dst.stride, width) {
        for j in (0..ws / l * l).step_by(l) {
            // SAFETY: as in `split_segments`, with the roles of view and planes swapped.
            unsafe {
                let (v0, v1) = V::interleave(V::load(rp.add(d0 + j)), V::load(ip.add(d0 + j)));
                v0.store(dp.add(2 * (s0 + j)));
                v1.store(dp.add(2 * (s0 + j) + l));
            }
        }
    }
    if !width.is_multiple_of(l) || !(dst.cols % width).is_multiple_of(l) {
        merge_piece_values(re, im, width, dst, Some(l));
    }
}

/// Widest segment that [`x86_512::split_narrow`] / [`x86_512::merge_narrow`] take: 8 complex
/// values, one 512-bit register.
#[cfg(target_arch = "x86_64")]
pub(crate) const NARROW_MAX: usize = 8;

/// AVX-512 F segment copies for segments of at most [`NARROW_MAX`] values (the sub-PRB
/// detector's 3- to 6-subcarrier bands): one masked load, one permute and two masked stores
/// per piece, where the 4-lane kernels above left such pieces (all tail) to scalar copies.
#[cfg(target_arch = "x86_64")]
pub(crate) mod x86_512 {
    use super::segment_pieces;
    use crate::{ComplexMut, ComplexRef};
    use core::arch::x86_64::*;

    /// Lane i of the permute: the real parts (even f32) in lanes 0–7, the imaginary parts (odd)
    /// in lanes 8–15.
    const DEINTERLEAVE: [i32; 16] = [0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15];
    /// Its inverse: value j of the real half and of the imaginary half side by side.
    const INTERLEAVE: [i32; 16] = [0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15];

    /// [`super::split_segments`] for `width ≤ NARROW_MAX` (caller-checked with the planes'
    /// lengths, as for the generic kernel).
    #[target_feature(enable = "avx512f")]
    pub(crate) fn split_narrow(src: &ComplexRef, width: usize, re: &mut [f32], im: &mut [f32]) {
        debug_assert!((1..=super::NARROW_MAX).contains(&width));
        let sp = src.data.as_ptr() as *const f32;
        let (rp, ip) = (re.as_mut_ptr(), im.as_mut_ptr());
        // SAFETY: reads the 64-byte index.
        let idx = unsafe { _mm512_loadu_si512(DEINTERLEAVE.as_ptr().cast()) };
        for (s0, d0, ws) in segment_pieces(src.rows, src.cols, src.stride, width) {
            let (m2, m1) = (((1u32 << (2 * ws)) - 1) as u16, ((1u32 << ws) - 1) as u16);
            // SAFETY: AVX-512 F is enabled. The masked load touches the piece's 2·ws f32 only
            // (values s0 .. s0 + ws of the view: inside it, as `ComplexRef::new` checked);
            // the masked stores write plane values d0 .. d0 + ws < rows·cols ≤ each plane's
            // length. Masked-off lanes neither read nor write (nor fault).
            unsafe {
                let v = _mm512_permutexvar_ps(idx, _mm512_maskz_loadu_ps(m2, sp.add(2 * s0)));
                _mm512_mask_storeu_ps(rp.add(d0), m1, v);
                let hi = _mm512_shuffle_f32x4::<0b11_10_11_10>(v, v);
                _mm512_mask_storeu_ps(ip.add(d0), m1, hi);
            }
        }
    }

    /// [`super::merge_segments`] for `width ≤ NARROW_MAX` (caller-checked as for the generic
    /// kernel).
    #[target_feature(enable = "avx512f")]
    pub(crate) fn merge_narrow(re: &[f32], im: &[f32], width: usize, dst: &mut ComplexMut) {
        debug_assert!((1..=super::NARROW_MAX).contains(&width));
        let dp = dst.data.as_mut_ptr() as *mut f32;
        let (rp, ip) = (re.as_ptr(), im.as_ptr());
        // SAFETY: reads the 64-byte index.
        let idx = unsafe { _mm512_loadu_si512(INTERLEAVE.as_ptr().cast()) };
        for (s0, d0, ws) in segment_pieces(dst.rows, dst.cols, dst.stride, width) {
            let (m2, m1) = (((1u32 << (2 * ws)) - 1) as u16, ((1u32 << ws) - 1) as u16);
            // SAFETY: as in `split_narrow`, the roles of view and planes swapped: plane
            // values d0 .. d0 + ws read, the view's 2·ws f32 from s0 written.
            unsafe {
                let r = _mm512_maskz_loadu_ps(m1, rp.add(d0));
                let i = _mm512_maskz_loadu_ps(m1, ip.add(d0));
                // Real parts in lanes 0–7, imaginary in 8–15, then zipped.
                let both = _mm512_shuffle_f32x4::<0b01_00_01_00>(r, i);
                let v = _mm512_permutexvar_ps(idx, both);
                _mm512_mask_storeu_ps(dp.add(2 * s0), m2, v);
            }
        }
    }
}

/// Scalar reference of [`store_interleaved`]: `dst[i, j] = src[i, j]`.
pub(crate) fn store_interleaved_scalar(src: &SplitRef, dst: &mut ComplexMut) {
    store_interleaved_cols(src, dst, 0);
}

/// [`store_interleaved_scalar`] for columns `j0..`.
fn store_interleaved_cols(src: &SplitRef, dst: &mut ComplexMut, j0: usize) {
    for i in 0..src.rows {
        for j in j0..src.cols {
            dst.data[i * dst.stride + j] = src.at(i, j);
        }
    }
}

/// `dst[i, j] = src[i, j]` from split planes to interleaved complex (same shape, each with
/// its own row stride; shapes caller-checked): L columns per step, zipped in order.
#[inline(always)]
pub(crate) unsafe fn store_interleaved<V: SimdF32>(src: &SplitRef, dst: &mut ComplexMut) {
    let l = V::LANES;
    let full = src.cols / l * l;
    let (re, im, ss) = (src.re.as_ptr(), src.im.as_ptr(), src.stride);
    let (d, ds) = (dst.data.as_mut_ptr() as *mut f32, dst.stride);
    for i in 0..src.rows {
        for j in (0..full).step_by(l) {
            // SAFETY: the caller has V's ISA enabled; row i < rows and columns j + L ≤ cols
            // lie inside both source planes and, as 2L f32 from element (i, j), inside dst
            // ((rows − 1)·stride + cols values each, checked at construction).
            unsafe {
                let (a, b) = V::zip(V::load(re.add(i * ss + j)), V::load(im.add(i * ss + j)));
                a.store(d.add(2 * (i * ds + j)));
                b.store(d.add(2 * (i * ds + j) + l));
            }
        }
    }
    store_interleaved_cols(src, dst, full);
}
