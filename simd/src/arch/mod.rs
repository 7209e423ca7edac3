//! The per-backend entry points: each backend module instantiates the generic kernels of
//! [`crate::kernels`] (written once over [`crate::register::SimdF32`], `#[inline(always)]`)
//! inside functions compiled with `#[target_feature(enable = ...)]`, so the intrinsics inline
//! into code built for that ISA. Dependencies run one way: `arch` → `kernels` → `register`.

#[cfg(target_arch = "x86_64")]
pub(crate) mod avx2;
#[cfg(target_arch = "x86_64")]
pub(crate) mod avx512;
#[cfg(target_arch = "aarch64")]
pub(crate) mod neon;

/// Generates the entry points every backend shares: `dot`, `axpy`, `scale`, `mul`, `mul_stream`, `mul_stream_unfenced`, `mul_stream_screen`, `int16_to_c32_stream_screen`, `int16_to_c32_screen`, `c32_to_int16`, `copy_stream`, `copy_stream_unfenced`, `gram`,
/// `cholesky`, `cholesky_solve`, `norms_sqr`, `load_batch`, `store_adjoint`, `store_rows`, `split_segments`, `merge_segments`, `split_transpose`,
/// `store_interleaved`, `block_combine`, `gather_comb`, `lag_sums`, `second_difference`, `pam_llr`, `fft_batch`, `csr_lanes`, `csr_lanes_batch` and `fma_peak`, each a `#[target_feature]` function that
/// instantiates the generic kernel with register type `$v`.
macro_rules! entry_points {
    ($features:tt, $v:ty, gram_tile = ($ti:literal, $tj:literal),
     solve_tile = ($sr:literal, $sc:literal, $pack:literal), load_tile = ($tl:ty, $tl_intel:ty),
     store_tile = $ts:ty, seg_tile = $sg:ty) => {
        use crate::kernels::{cholesky, complex_vec, fma_loop, gram, norms, pam_llr, transpose};
        use crate::{C32, GramSide, MatrixBatch};

        /// Σ a·b, or Σ conj(a)·b when `conj`; equal lengths (caller-checked).
        #[target_feature(enable = $features)]
        pub(crate) fn dot(a: &[C32], b: &[C32], conj: bool) -> C32 {
            // SAFETY: compiled with this backend's ISA (target_feature above); the dispatcher
            // only calls it after runtime detection. Lengths are checked by the dispatcher.
            unsafe {
                if conj {
                    complex_vec::dot::<$v, true>(a, b)
                } else {
                    complex_vec::dot::<$v, false>(a, b)
                }
            }
        }

        /// y ← y + α·x; equal lengths (caller-checked).
        #[target_feature(enable = $features)]
        pub(crate) fn axpy(alpha: C32, x: &[C32], y: &mut [C32]) {
            // SAFETY: as for `dot`.
            unsafe { complex_vec::axpy::<$v>(alpha, x, y) }
        }

        /// out ← α·x; equal lengths (caller-checked).
        #[target_feature(enable = $features)]
        pub(crate) fn scale(alpha: C32, x: &[C32], out: &mut [C32]) {
            // SAFETY: as for `dot`.
            unsafe { complex_vec::scale::<$v>(alpha, x, out) }
        }

        /// out ← a ⊙ b, or a ⊙ conj(b) when `conj`; equal lengths (caller-checked).
        #[target_feature(enable = $features)]
        pub(crate) fn mul(a: &[C32], b: &[C32], out: &mut [C32], conj: bool) {
            // SAFETY: as for `dot`.
            unsafe {
                if conj {
                    complex_vec::mul::<$v, true, false, false, false>(a, b, out);
                } else {
                    complex_vec::mul::<$v, false, false, false, false>(a, b, out);
                }
            }
        }

        /// Every cache line of `region` requested into the L2 cache, in one burst.
        #[target_feature(enable = $features)]
        pub(crate) fn request_l2(start: *const u8, bytes: usize) {
            // SAFETY: as for `dot`; prefetches never fault.
            unsafe { crate::kernels::hints::request_l2::<$v>(start, bytes) }
        }

        /// out ← a ⊙ b with streaming stores; equal lengths (caller-checked).
        #[target_feature(enable = $features)]
        pub(crate) fn mul_stream(a: &[C32], b: &[C32], out: &mut [C32]) {
            // SAFETY: as for `dot`.
            unsafe { complex_vec::mul::<$v, false, true, false, true>(a, b, out) };
        }

        /// out ← a ⊙ b with streaming stores left unfenced; equal lengths (caller-checked).
        #[target_feature(enable = $features)]
        pub(crate) fn mul_stream_unfenced(a: &[C32], b: &[C32], out: &mut [C32]) {
            // SAFETY: as for `dot`.
            unsafe { complex_vec::mul::<$v, false, true, false, false>(a, b, out) };
        }

        /// out ← a ⊙ b with streaming stores, and the products' screening bits (reference
        /// `out[0]`); equal lengths (caller-checked).
        #[target_feature(enable = $features)]
        pub(crate) fn mul_stream_screen(
            a: &[C32],
            b: &[C32],
            out: &mut [C32],
        ) -> crate::ScreenBits {
            // SAFETY: as for `dot`.
            unsafe { complex_vec::mul::<$v, false, true, true, false>(a, b, out) }
        }

        /// out ← iq / scale with streaming stores left unfenced, and the output's screening
        /// bits (reference `out[0]`); iq.len() == 2·out.len() (caller-checked).
        #[target_feature(enable = $features)]
        pub(crate) fn int16_to_c32_stream_screen(
            iq: &[i16],
            scale: f32,
            out: &mut [C32],
        ) -> crate::ScreenBits {
            // SAFETY: as for `dot`.
            unsafe { crate::kernels::iq_convert::convert_screen::<$v, true>(iq, scale, out) }
        }

        /// out ← iq / scale with ordinary stores, and the output's screening bits (reference
        /// `out[0]`); iq.len() == 2·out.len() (caller-checked).
        #[target_feature(enable = $features)]
        pub(crate) fn int16_to_c32_screen(
            iq: &[i16],
            scale: f32,
            out: &mut [C32],
        ) -> crate::ScreenBits {
            // SAFETY: as for `dot`.
            unsafe { crate::kernels::iq_convert::convert_screen::<$v, false>(iq, scale, out) }
        }

        /// out ← sat16(round_half_even(x·scale)) per part, whether some product was NaN;
        /// out.len() == 2·x.len() (caller-checked).
        #[target_feature(enable = $features)]
        pub(crate) fn c32_to_int16(x: &[C32], scale: f32, out: &mut [i16]) -> bool {
            // SAFETY: as for `dot`.
            unsafe { crate::kernels::iq_convert::to_int16::<$v>(x, scale, out) }
        }

        /// out ← x with streaming stores; equal lengths (caller-checked).
        #[target_feature(enable = $features)]
        pub(crate) fn copy_stream(x: &[C32], out: &mut [C32], next: &[&[C32]]) {
            // SAFETY: as for `dot`.
            unsafe { complex_vec::copy_stream::<$v, true>(x, out, next) }
        }

        /// out ← x with streaming stores left unfenced; equal lengths (caller-checked).
        #[target_feature(enable = $features)]
        pub(crate) fn copy_stream_unfenced(x: &[C32], out: &mut [C32], next: &[&[C32]]) {
            // SAFETY: as for `dot`.
            unsafe { complex_vec::copy_stream::<$v, false>(x, out, next) }
        }

        /// Batched Gram matrix; shapes caller-checked.
        #[target_feature(enable = $features)]
        pub(crate) fn gram(a: &MatrixBatch, side: GramSide, diag: f32, out: &mut MatrixBatch) {
            // SAFETY: as for `dot`; the dispatcher checked out = k × k and equal batch lengths.
            unsafe { gram::batch::<$v, $ti, $tj>(a, side, diag, out) }
        }

        /// Batched Cholesky factorisation; shapes caller-checked.
        #[target_feature(enable = $features)]
        pub(crate) fn cholesky(g: &mut MatrixBatch, info: &mut [u32], tol: f32) -> usize {
            // SAFETY: as for `dot`; the dispatcher checked g square and info.len() == g.len().
            unsafe { cholesky::factor::<$v>(g, info, tol) }
        }

        /// Batched Cholesky solve requesting `next` on the way; shapes caller-checked.
        #[target_feature(enable = $features)]
        pub(crate) fn cholesky_solve(l: &MatrixBatch, b: &mut MatrixBatch, next: &[&[C32]]) {
            // SAFETY: as for `dot`; the dispatcher checked l k × k, b k × nc, equal lengths.
            unsafe { cholesky::solve::<$v, $sr, $sc, $pack>(l, b, next) }
        }

        /// Squared row or column norms; lengths caller-checked.
        #[target_feature(enable = $features)]
        pub(crate) fn norms_sqr(a: &MatrixBatch, of: norms::NormsOf, out: &mut [f32]) {
            // SAFETY: as for `dot`; the dispatcher checked out.len() = len·count.
            unsafe { norms::simd::<$v>(a, of, out) }
        }

        /// Conjugate transposes inside the lane layout; shapes caller-checked.
        #[target_feature(enable = $features)]
        pub(crate) fn adjoint_batch(src: &MatrixBatch, dst: &mut MatrixBatch) {
            // SAFETY: as for `dot`; the dispatcher checked dst = cols × rows, equal lengths.
            unsafe { transpose::adjoint_batch::<$v>(src, dst) }
        }

        /// Interleaved matrices → lane-blocked batch, by tiles of the second `load_tile`
        /// type on Intel cores ([`crate::backend::intel_cpu`]), of the first elsewhere;
        /// lengths caller-checked.
        #[target_feature(enable = $features)]
        pub(crate) fn load_batch(src: &[C32], dst: &mut MatrixBatch) {
            // SAFETY: as for `dot`; the dispatcher checked src.len() = len·rows·cols.
            unsafe {
                if crate::backend::intel_cpu() {
                    transpose::load::<$tl_intel>(src, dst)
                } else {
                    transpose::load::<$tl>(src, dst)
                }
            }
        }

        /// Lane-blocked batch → scaled conjugate transposes; lengths caller-checked.
        #[target_feature(enable = $features)]
        pub(crate) fn store_adjoint(src: &MatrixBatch, scale: &[f32], dst: &mut [C32]) {
            // SAFETY: as for `dot`; the dispatcher checked scale (len·rows) and dst
            // (len·rows·cols).
            unsafe { transpose::store_adjoint::<$ts>(src, scale, dst) }
        }

        /// Lane-blocked batch → its first rows, scaled, interleaved; lengths caller-checked.
        #[target_feature(enable = $features)]
        pub(crate) fn store_rows(src: &MatrixBatch, rows: usize, scale: &[f32], dst: &mut [C32]) {
            // SAFETY: as for `dot`; the dispatcher checked rows ≤ src.rows(), scale
            // (len·src.rows()) and dst (len·rows·cols).
            unsafe { transpose::store_rows::<$ts>(src, rows, scale, dst) }
        }

        /// Interleaved view → transposed split planes; shapes caller-checked.
        #[target_feature(enable = $features)]
        pub(crate) fn split_transpose(src: &crate::ComplexRef<'_>, dst: &mut crate::SplitMut<'_>) {
            // SAFETY: as for `dot`; the dispatcher checked dst = cols × rows of src.
            unsafe { transpose::split_transpose::<$tl>(src, dst) }
        }

        /// Interleaved view → segment-major split planes; lengths caller-checked.
        #[target_feature(enable = $features)]
        pub(crate) fn split_segments(
            src: &crate::ComplexRef<'_>,
            width: usize,
            re: &mut [f32],
            im: &mut [f32],
        ) {
            // SAFETY: as for `dot`; the dispatcher checked width ≥ 1 and both planes ≥
            // rows·cols. $sg is a 4-lane register (natural-order deinterleave).
            unsafe { transpose::split_segments::<$sg>(src, width, re, im) }
        }

        /// Segment-major split planes → interleaved view; lengths caller-checked.
        #[target_feature(enable = $features)]
        pub(crate) fn merge_segments(
            re: &[f32],
            im: &[f32],
            width: usize,
            dst: &mut crate::ComplexMut<'_>,
        ) {
            // SAFETY: as for `split_segments`.
            unsafe { transpose::merge_segments::<$sg>(re, im, width, dst) }
        }

        /// Split planes → interleaved view of the same shape; shapes caller-checked.
        #[target_feature(enable = $features)]
        pub(crate) fn store_interleaved(
            src: &crate::SplitRef<'_>,
            dst: &mut crate::ComplexMut<'_>,
        ) {
            // SAFETY: as for `dot`; the dispatcher checked equal shapes.
            unsafe { transpose::store_interleaved::<$tl>(src, dst) }
        }

        /// Per-block products over selected rows; shapes and row indices caller-checked.
        #[target_feature(enable = $features)]
        pub(crate) fn block_combine(
            a: &[C32],
            sh: crate::kernels::block_combine::Shape,
            rows: &[u32],
            y: &crate::SplitRef<'_>,
            out: &mut crate::SplitMut<'_>,
        ) {
            // SAFETY: as for `dot`; the dispatcher checked the lengths, the output rows and
            // every row index against y.
            unsafe { crate::kernels::block_combine::simd::<$v>(a, sh, rows, y, out) }
        }

        /// Lag-0 / lag-1 row sums.
        #[target_feature(enable = $features)]
        pub(crate) fn lag_sums(x: &crate::SplitRef<'_>) -> crate::LagSums {
            // SAFETY: as for `dot`; any shape is valid (SplitRef checked its planes).
            unsafe { crate::kernels::lag_sums::lags::<$v>(x) }
        }

        /// Ramp-removed second-difference energy of the rows.
        #[target_feature(enable = $features)]
        pub(crate) fn second_difference(x: &crate::SplitRef<'_>, r: (C32, C32)) -> f64 {
            // SAFETY: as for `lag_sums`.
            unsafe { crate::kernels::lag_sums::second_difference::<$v>(x, r) }
        }

        /// PAM-axis bit LLRs; shapes caller-checked.
        #[target_feature(enable = $features)]
        pub(crate) fn pam_llr(
            y: &[f32],
            inv: &[f32],
            levels: &[f32],
            exact: bool,
            out: &mut [f32],
        ) {
            // SAFETY: as for `dot`; the dispatcher checked the lengths.
            unsafe { pam_llr::simd::<$v>(y, inv, levels, exact, out) }
        }

        /// Batched DFTs along the lanes; shapes caller-checked.
        #[target_feature(enable = $features)]
        pub(crate) fn fft_batch(
            plan: &crate::LaneFft,
            x: &mut MatrixBatch,
            scratch: &mut MatrixBatch,
        ) {
            // SAFETY: as for `dot`; the dispatcher checked x and scratch are n × 1.
            unsafe { crate::kernels::fft::batch::<$v>(plan, x, scratch) }
        }

        /// Comb columns × factors into a lane batch; shapes caller-checked.
        #[target_feature(enable = $features)]
        pub(crate) fn gather_comb(
            src: &crate::ComplexRef<'_>,
            step: usize,
            factor: &[C32],
            dst: &mut MatrixBatch,
        ) {
            // SAFETY: as for `dot`; the dispatcher checked dst (src.rows matrices of m × 1),
            // step ≥ 1 and the comb's span against src.cols.
            unsafe { crate::kernels::comb::simd::<$v>(src, step, factor, dst) }
        }

        /// Sparse rows times a lane block; shapes caller-checked.
        #[target_feature(enable = $features)]
        pub(crate) fn csr_lanes(
            a: &crate::CsrMatrix,
            x: &MatrixBatch,
            block: usize,
            out: &mut [C32],
            stride: usize,
        ) {
            // SAFETY: as for `dot`; the dispatcher checked a.cols() = x.rows(), the block and
            // out's length.
            unsafe { crate::kernels::csr::lanes::<$v>(a, x, block, out, stride) }
        }

        /// Sparse rows times a lane block into a lane block; shapes caller-checked.
        #[target_feature(enable = $features)]
        pub(crate) fn csr_lanes_batch(
            a: &crate::CsrMatrix,
            x: &MatrixBatch,
            block: usize,
            y: &mut MatrixBatch,
        ) {
            // SAFETY: as for `dot`; the dispatcher checked a.cols() = x.rows(), the block and
            // y (one block of a.rows() × 1).
            unsafe { crate::kernels::csr::lanes_batch::<$v>(a, x, block, y) }
        }

        /// FMA loop of the peak probe.
        #[target_feature(enable = $features)]
        pub(crate) fn fma_peak(iters: u64, x: f32, y: f32) -> f32 {
            // SAFETY: as for `dot`.
            unsafe { fma_loop::<$v>(iters, x, y) }
        }
    };
}
pub(crate) use entry_points;

/// Calls `$f::<M, K>($args…)` with the runtime `($m, $k)` as constants, both in 1..=4 (the
/// caller checked the range).
macro_rules! small_shape {
    ($m:expr, $k:expr, $f:ident($($arg:expr),*)) => {
        match ($m, $k) {
            (1, 1) => $f::<1, 1>($($arg),*),
            (1, 2) => $f::<1, 2>($($arg),*),
            (1, 3) => $f::<1, 3>($($arg),*),
            (1, 4) => $f::<1, 4>($($arg),*),
            (2, 1) => $f::<2, 1>($($arg),*),
            (2, 2) => $f::<2, 2>($($arg),*),
            (2, 3) => $f::<2, 3>($($arg),*),
            (2, 4) => $f::<2, 4>($($arg),*),
            (3, 1) => $f::<3, 1>($($arg),*),
            (3, 2) => $f::<3, 2>($($arg),*),
            (3, 3) => $f::<3, 3>($($arg),*),
            (3, 4) => $f::<3, 4>($($arg),*),
            (4, 1) => $f::<4, 1>($($arg),*),
            (4, 2) => $f::<4, 2>($($arg),*),
            (4, 3) => $f::<4, 3>($($arg),*),
            (4, 4) => $f::<4, 4>($($arg),*),
            _ => unreachable!("small_shape: m, k in 1..=4 are caller-checked"),
        }
    };
}
pub(crate) use small_shape;

/// Generates `gemm` (split planes), `gemm_interleaved` and `gemm_grouped` for a backend from
/// its chains of register panels `(register, MR rows, NV registers)`, widest first; a scalar
/// loop finishes any last columns. The grouped chain's MR should be 4: it runs on four rows of
/// C at a time. `grouped_wide`, where given, is a complex-lane tile the grouped chain tries
/// first when the caller asks for it (`wide`: [`crate::Kernels::wide_group_tile`]).
macro_rules! gemm_entry_points {
    ($features:tt, split = [$(($vs:ty, $ms:literal, $ns:literal)),+],
     interleaved = [$(($vf:ty, $mf:literal, $nf:literal)),+],
     grouped = [($vg_first:ty, $mg_first:literal, $ng_first:literal)
                $(, ($vg:ty, $mg:literal, $ng:literal))*]
     $(, grouped_tail = [$(($vt:ty, $mt:literal, $nt:literal)),*])?
     $(, grouped_wide = ($vw:ty, $mw:literal, $nw:literal))?,
     small = [$($vsm:ty),+]
     $(, pair = $vp:ty)?) => {
        /// Complex GEMM on split planes; shapes caller-checked.
        #[target_feature(enable = $features)]
        pub(crate) fn gemm(
            a: &crate::SplitRef<'_>,
            b: &crate::SplitRef<'_>,
            c: &mut crate::SplitMut<'_>,
            mode: crate::GemmMode,
        ) {
            use crate::kernels::gemm::{self, Dst, Src};
            let (m, k, n) = (c.rows(), a.cols(), c.cols());
            let ops = (Src::split(a), Src::split(b), &Dst::split(c));
            let mut j = 0;
            // SAFETY: compiled with this backend's ISA, called only after detection; shapes
            // checked by the dispatcher.
            unsafe {
                $(j = gemm::panels::<$vs, $ms, $ns, false>(ops, k, mode, 0..m, j, n);)+
            }
            gemm::scalar_from(a, b, c, mode, j);
        }

        /// Complex GEMM on interleaved operands; shapes caller-checked.
        #[target_feature(enable = $features)]
        pub(crate) fn gemm_interleaved(
            a: &crate::ComplexRef<'_>,
            b: &crate::ComplexRef<'_>,
            c: &mut crate::ComplexMut<'_>,
            mode: crate::GemmMode,
        ) {
            use crate::kernels::gemm::{self, Dst, Src};
            let (m, k, n) = (c.rows(), a.cols(), c.cols());
            let ops = (Src::interleaved(a), Src::interleaved(b), &Dst::interleaved(c));
            let mut j = 0;
            // SAFETY: as for `gemm`.
            unsafe {
                $(j = gemm::panels::<$vf, $mf, $nf, true>(ops, k, mode, 0..m, j, n);)+
            }
            gemm::scalar_interleaved(a, b, c, mode, 0..m, j, n);
        }

        /// The grouped GEMM's sweeps: four rows of C at a time across every group, so C is
        /// written in four sequential row streams per column range. The columns are `0..cols`
        /// of B and C and, with `pair = Some(offset)`, also `offset..offset + cols` with the
        /// same groups (`cols` = C's columns, less `offset` with a pair). Where the backend has
        /// a pair tile and a group is one and a half registers wide (a PRB on 512-bit
        /// registers), both ranges of the group are multiplied in one tile
        /// ([`gemm::micro_pair`]). `wide`: the backend's `grouped_wide` tile first, where it
        /// has one (`grouped_tiles`).
        ///
        /// The first sweep requests the group after next (its 64 rows are more streams than
        /// the hardware prefetcher follows); only that sweep reads the inputs from memory, so
        /// the next call's inputs (`next`: k rows) are requested group by group during the
        /// later sweeps — an equal share of their rows in each — and that call's first sweep
        /// finds them in the cache (all in the first sweep when it is the only one). Both
        /// kinds of hint fill the cache [`gemm::HintCache::for_grouped_gemm`] names (the L2
        /// only, except on Intel cores).
        ///
        /// # Safety
        /// Called from a function compiled with this backend's ISA; shapes as for
        /// `gemm_grouped` on each range (caller-checked), `offset ≥ cols`.
        #[allow(clippy::too_many_arguments)]
        #[inline(always)]
        unsafe fn grouped_sweeps(
            a: &[crate::C32],
            group_cols: usize,
            b: &crate::ComplexRef<'_>,
            c: &mut crate::ComplexMut<'_>,
            mode: crate::GemmMode,
            next: Option<&crate::ComplexRef<'_>>,
            pair: Option<usize>,
            wide: bool,
        ) {
            use crate::kernels::gemm::{self, Src};
            let (m, k) = (c.rows(), b.rows());
            let n = c.cols() - pair.unwrap_or(0);
            // Width of a group the pair tile takes whole (0: no pair tile on this backend).
            let pair_w: usize = 0 $(+ 3 * <$vp as crate::register::SimdF32>::LANES / 4)?;
            // The column ranges' starts: the first range, and the pair's second.
            let starts = [Some(0), pair];
            let sweeps = m.div_ceil(4);
            let hint_cache = gemm::HintCache::for_grouped_gemm();
            for i0 in (0..m).step_by(4) {
                let rows = i0..m.min(i0 + 4);
                let s = i0 / 4;
                let next_rows = match (next, sweeps) {
                    (None, _) => 0..0,
                    (Some(_), 1) => 0..k,
                    (Some(_), _) if s == 0 => 0..0,
                    (Some(_), _) => (s - 1) * k / (sweeps - 1)..s * k / (sweeps - 1),
                };
                for (g, j0) in (0..n).step_by(group_cols).enumerate() {
                    let a = &gemm::group_matrix(a, g, m, k);
                    let j1 = n.min(j0 + group_cols);
                    // SAFETY: compiled with this backend's ISA; prefetches never fault.
                    unsafe {
                        if let Some(nb) = next.filter(|_| !next_rows.is_empty()) {
                            gemm::prefetch_rows::<$vg_first>(
                                Src::interleaved(nb),
                                next_rows.clone(),
                                j0.min(nb.cols()),
                                j1.min(nb.cols()),
                                hint_cache,
                            );
                        }
                        if i0 == 0 {
                            for base in starts.into_iter().flatten() {
                                gemm::prefetch_rows::<$vg_first>(
                                    Src::interleaved(b),
                                    0..k,
                                    base + n.min(j1 + group_cols),
                                    base + n.min(j1 + 2 * group_cols),
                                    hint_cache,
                                );
                            }
                        }
                    }
                    if let Some(_off) = pair.filter(|_| pair_w != 0 && j1 - j0 == pair_w) {
                        $(
                            use crate::kernels::gemm::micro_pair;
                            let (sa, sb) = (Src::interleaved(a), Src::interleaved(b));
                            let dc = gemm::Dst::interleaved(c);
                            let mut i = rows.start;
                            // SAFETY: rows i..rows.end < m; columns j0..j1 and
                            // off + j0..off + j1 lie in B and C (caller).
                            unsafe {
                                gemm::row_tiles!(i, rows.end, 4, micro_pair::<$vp>[](
                                    sa, sb, &dc, k, mode, i, (j0, _off + j0)
                                ))
                            };
                            continue;
                        )?
                    }
                    for base in starts.into_iter().flatten() {
                        // SAFETY: compiled with this backend's ISA; rows and columns lie in C.
                        unsafe {
                            grouped_tiles(a, b, c, mode, rows.clone(), base + j0, base + j1, wide)
                        };
                    }
                }
            }
        }

        /// Rows `rows` of C in columns j0..j1 of one group of [`gemm_grouped`] (matrix `a`):
        /// the backend's chain of tiles (with `wide`, its `grouped_wide` tile before the
        /// complex-lane ones), the scalar loop for the last columns.
        ///
        /// # Safety
        /// Called from a function compiled with this backend's ISA; `a` is m × k, `b` k × n,
        /// `c` m × n with rows < m and j0 ≤ j1 ≤ n.
        #[allow(clippy::too_many_arguments)]
        #[inline(always)]
        unsafe fn grouped_tiles(
            a: &crate::ComplexRef<'_>,
            b: &crate::ComplexRef<'_>,
            c: &mut crate::ComplexMut<'_>,
            mode: crate::GemmMode,
            rows: core::ops::Range<usize>,
            j0: usize,
            j1: usize,
            wide: bool,
        ) {
            use crate::kernels::gemm::{self, Dst, Src};
            let k = b.rows();
            let ops = (Src::interleaved(a), Src::interleaved(b), &Dst::interleaved(c));
            let mut j = j0;
            let _ = wide;
            // SAFETY: as for `gemm`; rows and columns j0..j1 lie inside C (caller).
            unsafe {
                j = gemm::panels::<$vg_first, $mg_first, $ng_first, true>(
                    ops, k, mode, rows.clone(), j, j1,
                );
                $(if wide {
                    j = gemm::panels_c::<$vw, $mw, $nw>(ops, k, mode, rows.clone(), j, j1);
                })?
                $($(j = gemm::panels_c::<$vt, $mt, $nt>(
                    ops, k, mode, rows.clone(), j, j1,
                );)*)?
                $(j = gemm::panels::<$vg, $mg, $ng, true>(
                    ops, k, mode, rows.clone(), j, j1,
                );)*
            }
            gemm::scalar_interleaved(a, b, c, mode, rows, j, j1);
        }

        /// Grouped complex GEMM on interleaved operands; shapes caller-checked. Four rows of
        /// C at a time across every group (`grouped_sweeps`); with `pair = Some(offset)` the
        /// same groups also on columns `offset..` (two OFDM symbols, see `grouped_sweeps`;
        /// caller-checked `offset ≥ cols`). (A group-major order — every sweep of a group
        /// before the next group, its inputs read once from L1 — measured ×1.08 for detection
        /// on a two-FMA-pipe Xeon but slower on a Zen 4 in an earlier session, and only ×1.05
        /// once the pair tile came: not used.) `wide`: [`crate::Kernels::wide_group_tile`].
        #[allow(clippy::too_many_arguments)]
        #[target_feature(enable = $features)]
        pub(crate) fn gemm_grouped(
            a: &[crate::C32],
            group_cols: usize,
            b: &crate::ComplexRef<'_>,
            c: &mut crate::ComplexMut<'_>,
            mode: crate::GemmMode,
            next: Option<&crate::ComplexRef<'_>>,
            pair: Option<usize>,
            wide: bool,
        ) {
            let (m, k) = (c.rows(), b.rows());
            if pair.is_none() && (1..=4).contains(&m) && (1..=4).contains(&k) {
                // Per-PRB matrices of a few antennas, layers or ports: one fully unrolled tile
                // per register of columns (the general loop's scaffolding cost more than
                // the multiplications at these sizes).
                super::small_shape!(m, k, gemm_grouped_small(a, group_cols, b, c, mode));
                return;
            }
            // SAFETY: compiled with this backend's ISA; shapes caller-checked.
            unsafe { grouped_sweeps(a, group_cols, b, c, mode, next, pair, wide) };
        }

        /// [`gemm_grouped`] for an M × K matrix per group (M, K ≤ 4): each group's columns
        /// in the backend's chain of register widths (`gemm::small_cols`), any last columns
        /// by the scalar loop. Shapes caller-checked (C has M rows, B K rows).
        #[target_feature(enable = $features)]
        fn gemm_grouped_small<const M: usize, const K: usize>(
            a: &[crate::C32],
            group_cols: usize,
            b: &crate::ComplexRef<'_>,
            c: &mut crate::ComplexMut<'_>,
            mode: crate::GemmMode,
        ) {
            use crate::kernels::gemm::{self, Dst, Src};
            let n = c.cols();
            for (g, j0) in (0..n).step_by(group_cols).enumerate() {
                let j1 = n.min(j0 + group_cols);
                let ag = &a[g * M * K..(g + 1) * M * K];
                let ops = (Src::interleaved(b), &Dst::interleaved(c));
                let mut j = j0;
                // SAFETY: compiled with this backend's ISA; `ag` holds M·K values, B has K
                // rows and C M rows over columns j0..j1 ≤ n (checked by the dispatcher).
                unsafe {
                    $(j = gemm::small_cols::<$vsm, M, K>(
                        ag.as_ptr() as *const f32, ops, mode, j, j1,
                    );)+
                }
                if j < j1 {
                    let ag = gemm::group_matrix(a, g, M, K);
                    gemm::scalar_interleaved(&ag, b, c, mode, 0..M, j, j1);
                }
            }
        }
    };
}
pub(crate) use gemm_entry_points;
