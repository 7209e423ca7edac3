//! Data layouts the kernels work on.
//!
//! * [`MatrixBatch`]: many small complex matrices of one shape (one per subcarrier or PRB),
//!   stored *lane-blocked*: matrices are grouped in blocks of [`LANES`] = 16, and inside a block
//!   every element (i, j) is two runs of 16 f32 — the real parts of that element in the 16
//!   matrices, then the imaginary parts. A register of any backend (4, 8 or 16 lanes) thus
//!   holds the same element of 4, 8 or 16 matrices, and a batch of factorisations runs with no
//!   shuffles. Offset of (matrix m, row i, column j, part p ∈ {re = 0, im = 1}):
//!   `(m / 16)·rows·cols·32 + ((i·cols + j)·2 + p)·16 + m % 16`.
//! * [`SplitRef`] / [`SplitMut`]: one complex matrix as two row-major f32 planes (real, imaginary)
//!   with a row stride, the operand layout of the GEMM ([`crate::Kernels::gemm`]).

use crate::{C32, Result, SimdError};

/// Matrices per lane block of a [`MatrixBatch`]: the widest register (AVX-512, 16 × f32).
pub const LANES: usize = 16;

/// A batch of `len` complex f32 matrices of `rows × cols`, lane-blocked (see the module docs).
///
/// Padding matrices (from `len` up to a multiple of 16) are zero on construction; kernels
/// compute on them and ignore their results.
#[derive(Clone, Debug, PartialEq)]
pub struct MatrixBatch {
    rows: usize,
    cols: usize,
    len: usize,
    data: LineVec,
}

impl MatrixBatch {
    /// A zero batch of `len` matrices of `rows × cols`. All dimensions must be ≥ 1.
    pub fn zeros(rows: usize, cols: usize, len: usize) -> Result<Self> {
        for (what, v) in [("rows", rows), ("cols", cols), ("batch length", len)] {
            if v == 0 {
                return Err(SimdError::ZeroDimension { what });
            }
        }
        let blocks = len.div_ceil(LANES);
        let total = blocks
            .checked_mul(rows)
            .and_then(|x| x.checked_mul(cols))
            .and_then(|x| x.checked_mul(2 * LANES))
            .ok_or(SimdError::TooLarge {
                what: "batch size in f32",
                value: usize::MAX,
                max: isize::MAX as usize,
            })?;
        Ok(Self {
            rows,
            cols,
            len,
            data: LineVec::zeroed("MatrixBatch data", total)?,
        })
    }

    /// A batch whose element (m, i, j) is `f(m, i, j)`.
    pub fn from_fn(
        rows: usize,
        cols: usize,
        len: usize,
        mut f: impl FnMut(usize, usize, usize) -> C32,
    ) -> Result<Self> {
        let mut b = Self::zeros(rows, cols, len)?;
        for m in 0..len {
            for i in 0..rows {
                for j in 0..cols {
                    let o = b.offset(m, i, j);
                    let v = f(m, i, j);
                    b.data[o] = v.re;
                    b.data[o + LANES] = v.im;
                }
            }
        }
        Ok(b)
    }

    /// Gives the batch a new shape inside the storage it already has, without allocating:
    /// the capacity-sized processors build a batch for their largest shape once and reshape it
    /// to each call's actual size. A change of rows or columns zero-fills the storage; a change
    /// of the batch length alone keeps the contents of the lane blocks that remain (and zeroes
    /// the ones added), so alternating full and partial lane blocks costs nothing; reshaping
    /// to the current shape is free.
    ///
    /// Errors: a zero dimension, or a shape whose storage exceeds what was allocated
    /// ([`SimdError::TooLarge`] naming the needed f32 count and the capacity).
    pub fn reshape(&mut self, rows: usize, cols: usize, len: usize) -> Result<()> {
        for (what, v) in [("rows", rows), ("cols", cols), ("batch length", len)] {
            if v == 0 {
                return Err(SimdError::ZeroDimension { what });
            }
        }
        if (rows, cols, len) == (self.rows, self.cols, self.len) {
            return Ok(());
        }
        let need = len
            .div_ceil(LANES)
            .checked_mul(rows)
            .and_then(|x| x.checked_mul(cols))
            .and_then(|x| x.checked_mul(2 * LANES))
            .unwrap_or(usize::MAX);
        if need > self.data.capacity() {
            return Err(SimdError::TooLarge {
                what: "reshaped batch size in f32 (over the allocated capacity)",
                value: need,
                max: self.data.capacity(),
            });
        }
        // Within capacity: no allocation.
        self.data
            .resize_zeroed(need, (rows, cols) != (self.rows, self.cols));
        (self.rows, self.cols, self.len) = (rows, cols, len);
        Ok(())
    }

    /// Multiplies matrix m by `factors[m]` (matrices beyond `factors` unchanged): one pass over
    /// the storage, lane by lane.
    pub fn scale_each(&mut self, factors: &[f32]) {
        let bl = self.block_len();
        for (bi, block) in self.data.chunks_exact_mut(bl).enumerate() {
            let mut f = [1.0f32; LANES];
            for (lane, v) in f.iter_mut().enumerate() {
                if let Some(&x) = factors.get(bi * LANES + lane) {
                    *v = x;
                }
            }
            for chunk in block.chunks_exact_mut(LANES) {
                chunk.iter_mut().zip(&f).for_each(|(v, s)| *v *= s);
            }
        }
    }

    /// The real parts of element (i, j) of the matrices of lane block `block` (matrices
    /// 16·block … 16·block + 15, padding lanes included), one run of [`LANES`] f32 — e.g. the
    /// diagonal of a batch of inverses read 16 matrices at a time. Errors: a block, row or
    /// column out of range ([`SimdError::OutOfRange`]).
    pub fn re_lanes(&self, block: usize, i: usize, j: usize) -> Result<&[f32]> {
        self.check(block * LANES, i, j)?;
        let o = self.offset(block * LANES, i, j);
        Ok(&self.data[o..o + LANES])
    }

    /// The largest |re| or |im| of each matrix into `out[m]`, for m < min(len, `out.len()`):
    /// one pass over the storage, lane by lane (e.g. the power of two a detector scales each
    /// group's channel by). NaN components are passed over (a matrix of NaNs gives 0); an
    /// infinite one gives ∞.
    pub fn max_abs_each(&self, out: &mut [f32]) {
        // `x > a` is false for NaN: the maximum of the numbers seen.
        self.fold_each(out, |a, v| if v.abs() > a { v.abs() } else { a }, |a| a);
    }

    /// Whether every component of matrix m is finite, into `out[m]`, for m < min(len,
    /// `out.len()`): one pass over the storage, lane by lane.
    pub fn finite_each(&self, out: &mut [bool]) {
        // Σ 0·v stays 0 while every v is finite; ∞·0 and NaN·0 are NaN, and stay NaN.
        self.fold_each(out, |a, v| a + 0.0 * v, |a| a == 0.0);
    }

    /// Folds every f32 of each matrix (both parts of every element) into a lane accumulator
    /// that starts at 0 (`step(acc, value)`, vectorised across the 16 lanes) and writes
    /// `done(acc)` to `out[m]` for m < min(len, `out.len()`).
    fn fold_each<T>(&self, out: &mut [T], step: impl Fn(f32, f32) -> f32, done: impl Fn(f32) -> T) {
        let bl = self.block_len();
        for (bi, block) in self.data.chunks_exact(bl).enumerate() {
            let mut acc = [0.0f32; LANES];
            for chunk in block.chunks_exact(LANES) {
                for (a, &v) in acc.iter_mut().zip(chunk) {
                    *a = step(*a, v);
                }
            }
            let live = self.len.saturating_sub(bi * LANES);
            for (o, &a) in out.iter_mut().skip(bi * LANES).zip(&acc).take(live) {
                *o = done(a);
            }
        }
    }

    /// Conjugates every element in place (the imaginary lanes negated; one pass over the
    /// storage).
    pub fn conjugate(&mut self) {
        for im in self.data.chunks_exact_mut(LANES).skip(1).step_by(2) {
            im.iter_mut().for_each(|v| *v = -*v);
        }
    }

    /// Rows of every matrix.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Columns of every matrix.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Number of matrices in the batch.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false: a batch holds at least one matrix.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Number of 16-matrix lane blocks (`len` rounded up to a multiple of 16, divided by 16).
    pub fn blocks(&self) -> usize {
        self.len.div_ceil(LANES)
    }

    /// f32 values per lane block: `rows·cols·2·16`.
    pub fn block_len(&self) -> usize {
        self.rows * self.cols * 2 * LANES
    }

    /// The raw lane-blocked storage (layout in the module docs).
    pub fn as_slice(&self) -> &[f32] {
        &self.data[..]
    }

    /// The raw lane-blocked storage, mutable.
    pub fn as_mut_slice(&mut self) -> &mut [f32] {
        &mut self.data[..]
    }

    /// Offset of the real part of (m, i, j); the imaginary part is 16 further. Unchecked.
    #[inline]
    pub(crate) fn offset(&self, m: usize, i: usize, j: usize) -> usize {
        (m / LANES) * self.block_len() + ((i * self.cols + j) * 2) * LANES + m % LANES
    }

    fn check(&self, m: usize, i: usize, j: usize) -> Result<()> {
        for (what, index, size) in [
            ("matrix", m, self.len),
            ("row", i, self.rows),
            ("column", j, self.cols),
        ] {
            if index >= size {
                return Err(SimdError::OutOfRange { what, index, size });
            }
        }
        Ok(())
    }

    /// Element (i, j) of matrix m.
    pub fn get(&self, m: usize, i: usize, j: usize) -> Result<C32> {
        self.check(m, i, j)?;
        Ok(self.at(m, i, j))
    }

    /// Sets element (i, j) of matrix m.
    pub fn set(&mut self, m: usize, i: usize, j: usize, v: C32) -> Result<()> {
        self.check(m, i, j)?;
        let o = self.offset(m, i, j);
        self.data[o] = v.re;
        self.data[o + LANES] = v.im;
        Ok(())
    }

    /// Adds `load(j)` to the real part of diagonal element (j, j) of matrix m, for every j <
    /// min(rows, cols): per-matrix diagonal loading (noise variance per RE, regularisation per
    /// user) on top of the batched Gram's single scalar.
    pub fn add_diagonal(&mut self, m: usize, mut load: impl FnMut(usize) -> f32) -> Result<()> {
        self.check(m, 0, 0)?;
        for j in 0..self.rows.min(self.cols) {
            let o = self.offset(m, j, j);
            self.data[o] += load(j);
        }
        Ok(())
    }

    /// Element access without the `Result` for indices already known to be in range.
    #[inline]
    pub(crate) fn at(&self, m: usize, i: usize, j: usize) -> C32 {
        let o = self.offset(m, i, j);
        C32::new(self.data[o], self.data[o + LANES])
    }

    #[inline]
    pub(crate) fn put(&mut self, m: usize, i: usize, j: usize, v: C32) {
        let o = self.offset(m, i, j);
        self.data[o] = v.re;
        self.data[o + LANES] = v.im;
    }

    /// Copies matrix m in from `src`, row-major (`rows·cols` values, axis order [row, col]).
    pub fn load_matrix(&mut self, m: usize, src: &[C32]) -> Result<()> {
        self.check(m, 0, 0)?;
        if src.len() != self.rows * self.cols {
            return Err(SimdError::LengthMismatch {
                what: "source matrix",
                expected: self.rows * self.cols,
                got: src.len(),
            });
        }
        for i in 0..self.rows {
            for j in 0..self.cols {
                self.put(m, i, j, src[i * self.cols + j]);
            }
        }
        Ok(())
    }

    /// Copies matrix m out to `dst`, row-major (`rows·cols` values, axis order [row, col]).
    pub fn store_matrix(&self, m: usize, dst: &mut [C32]) -> Result<()> {
        self.check(m, 0, 0)?;
        if dst.len() != self.rows * self.cols {
            return Err(SimdError::LengthMismatch {
                what: "destination matrix",
                expected: self.rows * self.cols,
                got: dst.len(),
            });
        }
        for i in 0..self.rows {
            for j in 0..self.cols {
                dst[i * self.cols + j] = self.at(m, i, j);
            }
        }
        Ok(())
    }

    /// Copies the whole batch in from `src`, axis order [matrix, row, col] (row-major, `len·rows·cols`
    /// values): the bulk form of [`MatrixBatch::load_matrix`].
    pub fn load_all(&mut self, src: &[C32]) -> Result<()> {
        let rc = self.rows * self.cols;
        if src.len() != self.len * rc {
            return Err(SimdError::LengthMismatch {
                what: "source batch [len, rows, cols]",
                expected: self.len * rc,
                got: src.len(),
            });
        }
        for (m, mat) in src.chunks_exact(rc).enumerate() {
            let base = self.offset(m, 0, 0);
            for (e, v) in mat.iter().enumerate() {
                let o = base + e * 2 * LANES;
                self.data[o] = v.re;
                self.data[o + LANES] = v.im;
            }
        }
        Ok(())
    }

    /// Copies the whole batch out to `dst`, axis order [matrix, row, col] (`len·rows·cols`
    /// values): the bulk form of [`MatrixBatch::store_matrix`].
    pub fn store_all(&self, dst: &mut [C32]) -> Result<()> {
        let rc = self.rows * self.cols;
        if dst.len() != self.len * rc {
            return Err(SimdError::LengthMismatch {
                what: "destination batch [len, rows, cols]",
                expected: self.len * rc,
                got: dst.len(),
            });
        }
        for (m, mat) in dst.chunks_exact_mut(rc).enumerate() {
            let base = self.offset(m, 0, 0);
            for (e, v) in mat.iter_mut().enumerate() {
                let o = base + e * 2 * LANES;
                *v = C32::new(self.data[o], self.data[o + LANES]);
            }
        }
        Ok(())
    }

    /// Sets every matrix (padding included) to the identity (zero off the diagonal for
    /// non-square shapes).
    pub fn fill_identity(&mut self) {
        self.data.fill(0.0);
        let n = self.rows.min(self.cols);
        let bl = self.block_len();
        for b in 0..self.blocks() {
            for d in 0..n {
                let o = b * bl + (d * self.cols + d) * 2 * LANES;
                self.data[o..o + LANES].fill(1.0);
            }
        }
    }
}

/// Bytes of a cache line (x86, Arm): a [`LineVec`]'s storage starts on one.
pub const LINE_BYTES: usize = 64;

/// Zeroed storage whose first value sits on a 64-byte boundary, so that the kernels' full
/// registers (16 f32 = one cache line on AVX-512, half or a quarter of one on AVX2 / NEON) at
/// line-multiple offsets lie inside one cache line. A plain `Vec<f32>` of a batch's size came
/// from the allocator 16 or 48 bytes past a line: every 64-byte access then straddled two
/// lines, which cost the Gram kernel about a fifth of its speed in the L1. The storage of
/// [`MatrixBatch`] and [`SplitMatrix`]; the crate's users hold their kernels' planes
/// (`LineVec<f32>`, the default) and interleaved rows (`LineVec<C32>`) in it too. It
/// dereferences to `[T]`; its length is fixed at construction.
///
/// Safe code only: the buffer is over-allocated by a line and used from the first aligned
/// value; a clone aligns its own allocation afresh (and, like `Vec`'s, does not return when
/// the allocator fails: it panics where `Vec` aborts). (Should the allocator ever return an
/// address that is not a multiple of `size_of::<T>()`, the storage is used unaligned: slower,
/// never wrong.)
#[derive(Debug)]
pub struct LineVec<T = f32> {
    buf: Vec<T>,
    /// Index in `buf` of the first aligned value.
    off: usize,
    /// Values in use (≤ `cap`).
    len: usize,
    /// Values asked for at construction: the most `resize_zeroed` may use.
    cap: usize,
}

impl<T: Copy + Default> LineVec<T> {
    /// `n` zeros (`T::default()`) from a 64-byte boundary.
    ///
    /// Errors: a size that overflows (`TooLarge`), or one the allocator cannot provide
    /// (`AllocationFailed`; never an abort).
    pub fn zeros(n: usize) -> Result<Self> {
        Self::zeroed("LineVec", n)
    }

    /// `n` zeros from a 64-byte boundary (`what` names the buffer in an allocation error).
    fn zeroed(what: &'static str, n: usize) -> Result<Self> {
        let size = core::mem::size_of::<T>().max(1);
        let pad = LINE_BYTES.div_ceil(size).saturating_sub(1);
        let total = n.checked_add(pad).ok_or(SimdError::TooLarge {
            what: "LineVec length",
            value: n,
            max: isize::MAX as usize / size - pad,
        })?;
        let mut buf = Vec::new();
        buf.try_reserve_exact(total)
            .map_err(|_| SimdError::AllocationFailed {
                what,
                bytes: total.saturating_mul(size),
            })?;
        // 2 MiB pages for a buffer that spans many of them, asked for before the first write
        // (a no-op below 2 MiB and off Linux).
        crate::memory::advise_huge_pages(&mut buf);
        buf.resize(total, T::default());
        let misalign = (LINE_BYTES - buf.as_ptr() as usize % LINE_BYTES) % LINE_BYTES;
        let off = if misalign.is_multiple_of(size) {
            misalign / size
        } else {
            0
        };
        Ok(Self {
            buf,
            off,
            len: n,
            cap: n,
        })
    }

    /// The most values the storage holds without allocating.
    fn capacity(&self) -> usize {
        self.cap
    }

    /// Uses the first `n ≤ capacity` values: all of them reset to `T::default()` when `clear`,
    /// otherwise only those past the current length (as `Vec::clear` + `resize` /
    /// `Vec::resize` would).
    fn resize_zeroed(&mut self, n: usize, clear: bool) {
        debug_assert!(n <= self.cap);
        let from = if clear { 0 } else { self.len.min(n) };
        self.buf[self.off + from..self.off + n].fill(T::default());
        self.len = n;
    }
}

impl<T: Copy + Default> Clone for LineVec<T> {
    fn clone(&self) -> Self {
        // A new allocation has its own misalignment: align it afresh.
        let mut c =
            Self::zeroed("LineVec", self.cap).unwrap_or_else(|e| panic!("cloning a LineVec: {e}"));
        c.len = self.len;
        c.copy_from_slice(self);
        c
    }
}

impl<T: PartialEq> PartialEq for LineVec<T> {
    fn eq(&self, other: &Self) -> bool {
        self[..] == other[..]
    }
}

impl<'a, T> IntoIterator for &'a LineVec<T> {
    type Item = &'a T;
    type IntoIter = core::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, T> IntoIterator for &'a mut LineVec<T> {
    type Item = &'a mut T;
    type IntoIter = core::slice::IterMut<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

impl<T> core::ops::Deref for LineVec<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.buf[self.off..self.off + self.len]
    }
}

impl<T> core::ops::DerefMut for LineVec<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.buf[self.off..self.off + self.len]
    }
}

fn check_split(rows: usize, cols: usize, stride: usize, re: usize, im: usize) -> Result<()> {
    if rows == 0 {
        return Err(SimdError::ZeroDimension { what: "rows" });
    }
    if cols == 0 {
        return Err(SimdError::ZeroDimension { what: "cols" });
    }
    if stride < cols {
        return Err(SimdError::LengthMismatch {
            what: "row stride (must be ≥ cols)",
            expected: cols,
            got: stride,
        });
    }
    // Checked: this bound guards the raw-pointer loops of every backend, so a stride near
    // usize::MAX must be rejected, not wrapped into a small `need` (issue 21, finding 1).
    let need = (rows - 1)
        .checked_mul(stride)
        .and_then(|x| x.checked_add(cols))
        .ok_or(SimdError::TooLarge {
            what: "row stride × (rows − 1) + cols",
            value: stride,
            max: (isize::MAX as usize) / rows.max(1),
        })?;
    if re < need {
        return Err(SimdError::LengthMismatch {
            what: "real plane",
            expected: need,
            got: re,
        });
    }
    if im < need {
        return Err(SimdError::LengthMismatch {
            what: "imaginary plane",
            expected: need,
            got: im,
        });
    }
    Ok(())
}

/// A read-only complex matrix as split row-major planes: element (i, j) is
/// `re[i·stride + j] + j·im[i·stride + j]`.
#[derive(Clone, Copy, Debug)]
pub struct SplitRef<'a> {
    pub(crate) rows: usize,
    pub(crate) cols: usize,
    pub(crate) stride: usize,
    pub(crate) re: &'a [f32],
    pub(crate) im: &'a [f32],
}

impl<'a> SplitRef<'a> {
    /// Views `rows × cols` with row stride `stride` (≥ cols) over two planes, each at least
    /// `(rows − 1)·stride + cols` long.
    #[inline]
    pub fn new(
        rows: usize,
        cols: usize,
        stride: usize,
        re: &'a [f32],
        im: &'a [f32],
    ) -> Result<Self> {
        check_split(rows, cols, stride, re.len(), im.len())?;
        Ok(Self {
            rows,
            cols,
            stride,
            re,
            im,
        })
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Element (i, j); indices must be in range (checked).
    pub fn get(&self, i: usize, j: usize) -> Result<C32> {
        if i >= self.rows {
            return Err(SimdError::OutOfRange {
                what: "row",
                index: i,
                size: self.rows,
            });
        }
        if j >= self.cols {
            return Err(SimdError::OutOfRange {
                what: "column",
                index: j,
                size: self.cols,
            });
        }
        Ok(self.at(i, j))
    }

    #[inline]
    pub(crate) fn at(&self, i: usize, j: usize) -> C32 {
        C32::new(self.re[i * self.stride + j], self.im[i * self.stride + j])
    }
}

/// A mutable complex matrix as split row-major planes (see [`SplitRef`]).
#[derive(Debug)]
pub struct SplitMut<'a> {
    pub(crate) rows: usize,
    pub(crate) cols: usize,
    pub(crate) stride: usize,
    pub(crate) re: &'a mut [f32],
    pub(crate) im: &'a mut [f32],
}

impl<'a> SplitMut<'a> {
    /// Views `rows × cols` with row stride `stride` (≥ cols) over two mutable planes.
    #[inline]
    pub fn new(
        rows: usize,
        cols: usize,
        stride: usize,
        re: &'a mut [f32],
        im: &'a mut [f32],
    ) -> Result<Self> {
        check_split(rows, cols, stride, re.len(), im.len())?;
        Ok(Self {
            rows,
            cols,
            stride,
            re,
            im,
        })
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// A read-only view of the same matrix.
    pub fn as_ref(&self) -> SplitRef<'_> {
        SplitRef {
            rows: self.rows,
            cols: self.cols,
            stride: self.stride,
            re: self.re,
            im: self.im,
        }
    }

    /// A shorter-lived mutable view of the same matrix.
    pub fn reborrow(&mut self) -> SplitMut<'_> {
        SplitMut {
            rows: self.rows,
            cols: self.cols,
            stride: self.stride,
            re: self.re,
            im: self.im,
        }
    }

    #[inline]
    pub(crate) fn put(&mut self, i: usize, j: usize, v: C32) {
        self.re[i * self.stride + j] = v.re;
        self.im[i * self.stride + j] = v.im;
    }
}

/// An owned complex matrix as split row-major planes with stride = cols.
#[derive(Clone, Debug, PartialEq)]
pub struct SplitMatrix {
    rows: usize,
    cols: usize,
    re: LineVec,
    im: LineVec,
}

impl SplitMatrix {
    /// A zero `rows × cols` matrix (both ≥ 1).
    ///
    /// A size whose element count overflows `usize` is [`SimdError::TooLarge`]; one the allocator
    /// cannot provide is [`SimdError::AllocationFailed`] (never an abort).
    pub fn zeros(rows: usize, cols: usize) -> Result<Self> {
        let n = rows.checked_mul(cols).ok_or(SimdError::TooLarge {
            what: "SplitMatrix rows × cols",
            value: rows.max(cols),
            max: isize::MAX as usize / 4,
        })?;
        check_split(rows, cols, cols.max(1), n, n)?;
        Ok(Self {
            rows,
            cols,
            re: LineVec::zeroed("SplitMatrix real plane", n)?,
            im: LineVec::zeroed("SplitMatrix imaginary plane", n)?,
        })
    }

    /// A matrix with element (i, j) = `f(i, j)`.
    pub fn from_fn(
        rows: usize,
        cols: usize,
        mut f: impl FnMut(usize, usize) -> C32,
    ) -> Result<Self> {
        let mut m = Self::zeros(rows, cols)?;
        for i in 0..rows {
            for j in 0..cols {
                let v = f(i, j);
                m.re[i * cols + j] = v.re;
                m.im[i * cols + j] = v.im;
            }
        }
        Ok(m)
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Element (i, j).
    pub fn get(&self, i: usize, j: usize) -> Result<C32> {
        self.view().get(i, j)
    }

    /// Real plane, row-major.
    pub fn re(&self) -> &[f32] {
        &self.re
    }

    /// Imaginary plane, row-major.
    pub fn im(&self) -> &[f32] {
        &self.im
    }

    /// A read-only view.
    pub fn view(&self) -> SplitRef<'_> {
        SplitRef {
            rows: self.rows,
            cols: self.cols,
            stride: self.cols,
            re: &self.re,
            im: &self.im,
        }
    }

    /// A mutable view.
    pub fn view_mut(&mut self) -> SplitMut<'_> {
        SplitMut {
            rows: self.rows,
            cols: self.cols,
            stride: self.cols,
            re: &mut self.re,
            im: &mut self.im,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every batch, split matrix and LineVec — and every clone, which has an allocation of its
    /// own — starts on a 64-byte line, keeps its values, and a reshape keeps both; sizes from
    /// one value to several lane blocks, so the allocator's offsets vary.
    #[test]
    fn storage_starts_on_a_cache_line() {
        let on_line = |p: *const f32| (p as usize).is_multiple_of(LINE_BYTES);
        let mut keep = Vec::new(); // live allocations, so later ones land elsewhere
        for n in [1usize, 3, 15, 16, 17, 100, 1000, 4096, 70_000] {
            let mut v = LineVec::<f32>::zeros(n).unwrap();
            assert_eq!(v.len(), n);
            assert!(v.iter().all(|&x| x == 0.0));
            v[n - 1] = 7.0;
            let c = v.clone();
            assert!(on_line(v.as_ptr()) && on_line(c.as_ptr()), "n {n}");
            assert_eq!(c, v);
            assert_eq!(c[n - 1], 7.0);
            keep.push(v);
            let w = LineVec::<C32>::zeros(n).unwrap();
            assert!(on_line(w.as_ptr().cast()) && w.iter().all(|&x| x == C32::new(0.0, 0.0)));
            assert_eq!(w.len(), n);
        }
        for (rows, cols, len) in [(1, 1, 1), (3, 5, 7), (64, 16, 16), (16, 64, 33)] {
            let mut b = MatrixBatch::from_fn(rows, cols, len, |m, i, j| {
                C32::new(m as f32, (i + j) as f32)
            })
            .unwrap();
            let c = b.clone();
            assert!(on_line(b.as_slice().as_ptr()) && on_line(c.as_slice().as_ptr()));
            assert_eq!(c, b);
            b.reshape(rows, cols, 1).unwrap();
            assert!(on_line(b.as_slice().as_ptr()));
            assert_eq!(
                b.get(0, rows - 1, cols - 1).unwrap(),
                c.get(0, rows - 1, cols - 1).unwrap()
            );
            let s = SplitMatrix::from_fn(rows, cols, |i, j| C32::new(i as f32, j as f32)).unwrap();
            let t = s.clone();
            for p in [s.re(), s.im(), t.re(), t.im()] {
                assert!(on_line(p.as_ptr()), "{rows} × {cols}");
            }
            assert_eq!(t, s);
        }
        assert!(matches!(
            LineVec::<f32>::zeros(usize::MAX),
            Err(SimdError::TooLarge {
                what: "LineVec length",
                value: usize::MAX,
                ..
            })
        ));
        const { assert!(core::mem::align_of::<crate::kernels::LineAligned<16>>() == LINE_BYTES) };
    }

    #[test]
    fn add_diagonal_loads_only_the_diagonal_of_one_matrix() {
        let mut b = MatrixBatch::from_fn(3, 3, 20, |m, i, j| C32::new((m + i * 3 + j) as f32, 1.0))
            .unwrap();
        let before = b.clone();
        b.add_diagonal(17, |j| 10.0 * (j + 1) as f32).unwrap();
        for m in 0..20 {
            for i in 0..3 {
                for j in 0..3 {
                    let add = if m == 17 && i == j {
                        10.0 * (j + 1) as f32
                    } else {
                        0.0
                    };
                    let (x, y) = (b.get(m, i, j).unwrap(), before.get(m, i, j).unwrap());
                    assert_eq!(x, y + C32::new(add, 0.0));
                }
            }
        }
        assert!(matches!(
            b.add_diagonal(20, |_| 1.0),
            Err(SimdError::OutOfRange {
                what: "matrix",
                index: 20,
                size: 20
            })
        ));
    }

    /// Per-matrix peaks and finiteness against a plain scan of each matrix's elements, across
    /// two lane blocks (19 matrices), with a negative peak, NaN, ±∞ and an all-zero matrix.
    #[test]
    fn max_abs_and_finite_each_scan_each_matrix_alone() {
        let mut b = MatrixBatch::from_fn(2, 3, 19, |m, i, j| {
            C32::new((m * 7 + i * 3 + j) as f32 * 0.01, -((m + j) as f32) * 0.02)
        })
        .unwrap();
        b.set(3, 1, 2, C32::new(-50.0, 1.0)).unwrap(); // peak from a negative real part
        b.set(5, 0, 0, C32::new(f32::NAN, 0.5)).unwrap(); // NaN passed over, not finite
        b.set(16, 1, 1, C32::new(0.0, f32::NEG_INFINITY)).unwrap(); // second block, ∞
        for i in 0..2 {
            for j in 0..3 {
                b.set(18, i, j, C32::new(0.0, 0.0)).unwrap();
            }
        }
        let mut peak = [-1.0f32; 21];
        let mut finite = [false; 21];
        b.max_abs_each(&mut peak);
        b.finite_each(&mut finite);
        for m in 0..19 {
            let mut want = 0.0f32;
            let mut all_finite = true;
            for i in 0..2 {
                for j in 0..3 {
                    let v = b.get(m, i, j).unwrap();
                    for x in [v.re, v.im] {
                        all_finite &= x.is_finite();
                        if !x.is_nan() {
                            want = want.max(x.abs());
                        }
                    }
                }
            }
            assert_eq!(peak[m], want, "peak of matrix {m}");
            assert_eq!(finite[m], all_finite, "finiteness of matrix {m}");
        }
        assert_eq!(peak[3], 50.0);
        assert_eq!(peak[5], 0.5); // the NaN's matrix: its numbers' peak (the NaN's partner)
        assert_eq!(peak[16], f32::INFINITY);
        assert_eq!(peak[18], 0.0);
        assert_eq!(finite.iter().filter(|f| !**f).count(), 2 + 2); // 5, 16; 19, 20 untouched
        assert_eq!(peak[19..], [-1.0, -1.0]); // beyond len: not written
        // re_lanes: element (1, 2)'s real parts of block 1 = matrices 16, 17, 18, then padding.
        let lanes = b.re_lanes(1, 1, 2).unwrap();
        for (k, &v) in lanes.iter().enumerate() {
            let want = if k < 3 {
                b.get(16 + k, 1, 2).unwrap().re
            } else {
                0.0
            };
            assert_eq!(v, want, "lane {k}");
        }
        assert_eq!(b.re_lanes(0, 1, 2).unwrap()[3], -50.0);
        assert!(matches!(
            b.re_lanes(2, 0, 0),
            Err(SimdError::OutOfRange {
                what: "matrix",
                index: 32,
                size: 19
            })
        ));
        assert!(matches!(
            b.re_lanes(0, 2, 0),
            Err(SimdError::OutOfRange {
                what: "row",
                index: 2,
                size: 2
            })
        ));
    }
}

/// A read-only complex matrix, interleaved row-major (the caller's own `[row, col]` arrays):
/// element (i, j) is `data[i·stride + j]`.
#[derive(Clone, Copy, Debug)]
pub struct ComplexRef<'a> {
    pub(crate) rows: usize,
    pub(crate) cols: usize,
    pub(crate) stride: usize,
    pub(crate) data: &'a [C32],
}

impl<'a> ComplexRef<'a> {
    /// Columns `j0..j0 + cols` of this view (caller-checked: `j0 + cols ≤ self.cols`).
    pub(crate) fn columns(&self, j0: usize, cols: usize) -> ComplexRef<'a> {
        debug_assert!(j0 + cols <= self.cols);
        ComplexRef {
            rows: self.rows,
            cols,
            stride: self.stride,
            data: &self.data[j0.min(self.data.len())..],
        }
    }

    /// Views `rows × cols` with row stride `stride` (≥ cols, in complex values) over `data`,
    /// which must hold at least `(rows − 1)·stride + cols` values.
    #[inline]
    pub fn new(rows: usize, cols: usize, stride: usize, data: &'a [C32]) -> Result<Self> {
        check_interleaved(rows, cols, stride, data.len())?;
        Ok(Self {
            rows,
            cols,
            stride,
            data,
        })
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    #[inline]
    pub(crate) fn at(&self, i: usize, j: usize) -> C32 {
        self.data[i * self.stride + j]
    }
}

/// A mutable complex matrix, interleaved row-major (see [`ComplexRef`]).
#[derive(Debug)]
pub struct ComplexMut<'a> {
    pub(crate) rows: usize,
    pub(crate) cols: usize,
    pub(crate) stride: usize,
    pub(crate) data: &'a mut [C32],
}

impl<'a> ComplexMut<'a> {
    /// Columns `j0..j0 + cols` of this view, borrowed (caller-checked: `j0 + cols ≤
    /// self.cols`).
    pub(crate) fn columns_mut(&mut self, j0: usize, cols: usize) -> ComplexMut<'_> {
        debug_assert!(j0 + cols <= self.cols);
        let from = j0.min(self.data.len());
        ComplexMut {
            rows: self.rows,
            cols,
            stride: self.stride,
            data: &mut self.data[from..],
        }
    }

    /// Views `rows × cols` with row stride `stride` (≥ cols) over `data`, which must hold at
    /// least `(rows − 1)·stride + cols` values.
    #[inline]
    pub fn new(rows: usize, cols: usize, stride: usize, data: &'a mut [C32]) -> Result<Self> {
        check_interleaved(rows, cols, stride, data.len())?;
        Ok(Self {
            rows,
            cols,
            stride,
            data,
        })
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// A read-only view of the same matrix.
    pub fn as_ref(&self) -> ComplexRef<'_> {
        ComplexRef {
            rows: self.rows,
            cols: self.cols,
            stride: self.stride,
            data: self.data,
        }
    }
}

fn check_interleaved(rows: usize, cols: usize, stride: usize, len: usize) -> Result<()> {
    check_split(rows, cols, stride, len, len).map_err(|e| match e {
        SimdError::LengthMismatch {
            what: "real plane",
            expected,
            got,
        } => SimdError::LengthMismatch {
            what: "interleaved matrix data",
            expected,
            got,
        },
        e => e,
    })
}
