//! # massive-mimo-simd
//!
//! The hot kernels of [massive-mimo](https://example.invalid/massive-mimo): complex f32
//! arithmetic for 64-antenna × 16-stream massive MIMO, behind one safe API with backends chosen
//! once at runtime.
//!
//! * element-wise complex kernels on interleaved [`C32`] slices: [`Kernels::dot`],
//!   [`Kernels::dotc`], [`Kernels::axpy`], [`Kernels::mul`], [`Kernels::mul_conj`];
//! * batched small-matrix kernels on a [`MatrixBatch`] (one matrix per subcarrier or PRB,
//!   subcarriers in the SIMD lanes, real and imaginary parts split): [`Kernels::gram`]
//!   (`AᴴA` / `AAᴴ` + δI), [`Kernels::cholesky`], [`Kernels::cholesky_solve`],
//!   [`Kernels::cholesky_inverse`], for orders up to [`MAX_ORDER`];
//! * [`Kernels::norms_sqr`]: squared norms of every matrix's rows or columns;
//! * moves between the caller's interleaved `[matrix, row, col]` arrays and that layout by
//!   register tile transposes: [`Kernels::load_batch`], [`Kernels::store_adjoint`] (scaled
//!   conjugate transposes, the precoder's weight output), [`Kernels::store_rows`] (scaled rows,
//!   the detector's filters), and from any interleaved view to
//!   its transpose in split planes ([`Kernels::split_transpose`]: a grid's `[antenna,
//!   subcarrier]` rows turned antennas-innermost) and back ([`Kernels::store_interleaved`]);
//! * [`Kernels::block_combine`]: many small per-block products over rows picked by index
//!   (a channel estimator's LS de-spreading of every CDM block, antennas in the lanes);
//! * [`Kernels::lag_sums`], [`Kernels::second_difference`]: lag-0/lag-1 and ramp-removed
//!   second-difference sums over a matrix's rows (a channel estimator's per-port statistics);
//! * a register-blocked complex GEMM [`Kernels::gemm`] on split planes (precoder / equaliser
//!   application, W·X per PRB group), the same tiles on the caller's interleaved complex arrays
//!   ([`Kernels::gemm_interleaved`]) and with one matrix per group of columns
//!   ([`Kernels::gemm_grouped`]: per-PRG precoders across a symbol's band, in place; the
//!   same groups over two symbols at once: [`Kernels::gemm_grouped_pair_then`]);
//! * block floating point of int16 IQ (O-RAN.WG4.CUS Annex A.1.1, every width 1..=16,
//!   bit-exact on every backend): [`Kernels::bfp_compress`], [`Kernels::bfp_decompress`] for
//!   PRBs, the `_blocks` forms for beamforming weight vectors, [`Kernels::bfp_unpack`];
//! * [`peak`]: the FMA-loop probe that measures the machine's single-core peak, so benchmarks
//!   report a share of it.
//!
//! Backends: [`Backend::Scalar`] (plain reference loops, always there), [`Backend::Avx2`]
//! (AVX2 + FMA), [`Backend::Avx512`] (AVX-512F), [`Backend::Neon`] (AArch64). Every backend is
//! tested against the scalar one. Kernels validate shapes and return [`SimdError`]; they never
//! allocate, so they can run on real-time threads.
//!
//! ```
//! use massive_mimo_simd::{C32, GramSide, Kernels, MatrixBatch};
//! let k = Kernels::new(); // fastest backend on this CPU
//! // 20 channel matrices H (8 rx × 4 layers), e.g. one per PRB.
//! let h = MatrixBatch::from_fn(8, 4, 20, |m, i, j| C32::new((m + i) as f32, j as f32 - i as f32))?;
//! let mut g = MatrixBatch::zeros(4, 4, 20)?;
//! k.gram(&h, GramSide::AhA, 0.5, &mut g)?; // HᴴH + 0.5·I
//! let mut info = vec![0u32; 20];
//! assert_eq!(k.cholesky(&mut g, &mut info)?, 0); // all positive definite
//! # Ok::<(), massive_mimo_simd::SimdError>(())
//! ```

mod arch;
mod backend;
mod error;
mod kernels;
mod layout;
pub mod peak;
mod register;

pub use backend::Backend;
pub use error::{Result, SimdError};
pub use kernels::csr::CsrMatrix;
pub use kernels::fft::{LaneFft, MAX_FFT_LEN, MAX_FFT_RADIX};
pub use kernels::gemm::GemmMode;
pub use kernels::gram::GramSide;
pub use kernels::lag_sums::LagSums;
pub use kernels::norms::NormsOf;
pub use kernels::ofdm_fft::{MAX_OFDM_FFT_LEN, MIN_OFDM_FFT_LEN, OfdmFft};
pub use kernels::screen::ScreenBits;
pub mod memory;
pub use layout::{
    ComplexMut, ComplexRef, LANES, LINE_BYTES, LineVec, MatrixBatch, SplitMatrix, SplitMut,
    SplitRef,
};
/// Complex f32, the sample type of the whole library.
pub use num_complex::Complex32 as C32;

use kernels::{
    bfp, block_combine, cholesky, complex_vec, gemm, gram, lag_sums, norms, pam_llr, qam_llr,
    transpose,
};

/// Smallest noise variance the QAM demapping kernels use ([`Kernels::qam_llr_maxlog`]): a
/// smaller (or zero, or NaN) σ² is raised to it, so noise-free data gives large finite LLRs
/// with the right signs instead of ±∞ or NaN.
pub const MIN_NOISE_VAR: f32 = qam_llr::MIN_NOISE_VAR;

/// Output size from which [`Kernels::qam_llr_maxlog`] writes its f32 LLRs past the caches
/// (non-temporal stores on the AVX2 and AVX-512 backends, when the output is 16-byte aligned):
/// 16 MiB (smaller outputs may stay in the last-level cache for their reader). The values
/// are the same either way.
pub const LLR_STREAM_MIN_BYTES: usize = qam_llr::STREAM_MIN_BYTES;

/// Values in one BFP block of IQ data: 12 resource elements × (I, Q).
pub const BFP_PRB_VALUES: usize = 24;

/// Bytes of one packed BFP block of `values` int16 values at `width` bits: `1 + ⌈values·width/8⌉`
/// (the udCompParam / bfwCompParam byte, then the fields). A PRB (24 values) takes `1 + 3·width`.
pub fn bfp_block_bytes(values: usize, width: u32) -> usize {
    bfp::block_bytes(values, width)
}

fn bfp_width(width: u32) -> Result<()> {
    if (1..=16).contains(&width) {
        Ok(())
    } else {
        Err(SimdError::BfpWidth { width })
    }
}

/// Checks `values.len()` = n·`block`, `payload.len()` = n·`bfp_block_bytes(block, width)`;
/// returns n.
fn bfp_shapes(
    what: &'static str,
    values: usize,
    block: usize,
    width: u32,
    payload: usize,
) -> Result<usize> {
    let (n, need) = bfp_blocks(what, values, block, width)?;
    same_len(
        "bfp: payload bytes (blocks × (1 + ⌈values·width/8⌉))",
        need,
        payload,
    )?;
    Ok(n)
}

/// Checks `width` and `values.len()` = n·`block`; returns n and the n blocks' payload bytes.
fn bfp_blocks(
    what: &'static str,
    values: usize,
    block: usize,
    width: u32,
) -> Result<(usize, usize)> {
    bfp_width(width)?;
    if block == 0 {
        return Err(SimdError::ZeroDimension { what });
    }
    if !values.is_multiple_of(block) {
        return Err(SimdError::LengthMismatch {
            what,
            expected: values.next_multiple_of(block),
            got: values,
        });
    }
    let n = values / block;
    let need = n
        .checked_mul(bfp::block_bytes(block, width))
        .ok_or(SimdError::TooLarge {
            what,
            value: n,
            max: isize::MAX as usize,
        })?;
    Ok((n, need))
}

/// Largest matrix order of the Gram / Cholesky kernels (users or layers per matrix).
pub const MAX_ORDER: usize = 32;
/// The relative pivot tolerance zero-forcing callers give [`Kernels::cholesky_with_tolerance`]:
/// 2⁻¹² (a ZF layer whose pivot falls below it would lose more than 36 dB to noise
/// enhancement). It is ≥ 64·k·ε for every order k ≤ [`MAX_ORDER`], far above the backends'
/// rounding differences, so the scalar and SIMD backends fail the same matrices.
pub const ZF_PIVOT_TOLERANCE: f32 = 1.0 / 4096.0;
/// Largest inner dimension of the Gram kernel (antennas per matrix).
pub const MAX_GRAM_INNER: usize = 256;
/// Environment variable that forces a backend in [`Kernels::from_env`]
/// (`scalar`, `avx2`, `avx512`, `neon`).
pub const BACKEND_ENV: &str = "MASSIVE_MIMO_SIMD";

/// Calls the backend's entry point, or the scalar expression for [`Backend::Scalar`].
macro_rules! dispatch {
    ($self:ident, $name:ident($($arg:expr),*), $scalar:expr) => {
        match $self.backend {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: a `Kernels` holds Avx2 only after `Backend::is_available` confirmed it.
            Backend::Avx2 => unsafe { arch::avx2::$name($($arg),*) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: a `Kernels` holds Avx512 only after `Backend::is_available` confirmed it.
            Backend::Avx512 => unsafe { arch::avx512::$name($($arg),*) },
            #[cfg(target_arch = "aarch64")]
            // SAFETY: a `Kernels` holds Neon only after `Backend::is_available` confirmed it.
            Backend::Neon => unsafe { arch::neon::$name($($arg),*) },
            _ => $scalar,
        }
    };
}

/// Handle to the kernels of one backend. Cheap to copy; construct once, call from any thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kernels {
    backend: Backend,
    /// Whether the AVX-512 grouped GEMM takes column groups of 24 or more in its 4 × 3-register
    /// complex-lane tile ([`Kernels::with_wide_group_tile`]).
    wide_group_tile: bool,
}

impl Default for Kernels {
    fn default() -> Self {
        Self::new()
    }
}

fn same_len(what: &'static str, expected: usize, got: usize) -> Result<()> {
    if expected == got {
        Ok(())
    } else {
        Err(SimdError::LengthMismatch {
            what,
            expected,
            got,
        })
    }
}

fn same_batch(what: &'static str, expected: usize, got: usize) -> Result<()> {
    if expected == got {
        Ok(())
    } else {
        Err(SimdError::BatchMismatch {
            what,
            expected,
            got,
        })
    }
}

/// The grouped GEMM's checks beside B's shape: `next` has B's rows, `group_cols` > 0, and `a`
/// holds one m × k matrix per group of `cols` columns (the product overflowing usize is
/// [`SimdError::TooLarge`]).
fn grouped_checks(
    a: &[C32],
    group_cols: usize,
    cols: usize,
    m: usize,
    k: usize,
    next: Option<&ComplexRef<'_>>,
) -> Result<()> {
    if let Some(nb) = next {
        shape("gemm_grouped: next", nb.rows, nb.cols, k, nb.cols)?;
    }
    if group_cols == 0 {
        return Err(SimdError::ZeroDimension {
            what: "gemm_grouped: group_cols",
        });
    }
    let need = cols
        .div_ceil(group_cols)
        .checked_mul(m)
        .and_then(|x| x.checked_mul(k))
        .ok_or(SimdError::TooLarge {
            what: "gemm_grouped: groups × m × k",
            value: cols.div_ceil(group_cols),
            max: isize::MAX as usize,
        })?;
    if a.len() < need {
        return Err(SimdError::LengthMismatch {
            what: "gemm_grouped: a [groups, m, k]",
            expected: need,
            got: a.len(),
        });
    }
    Ok(())
}

fn shape(
    what: &'static str,
    rows: usize,
    cols: usize,
    expected_rows: usize,
    expected_cols: usize,
) -> Result<()> {
    if rows == expected_rows && cols == expected_cols {
        Ok(())
    } else {
        Err(SimdError::ShapeMismatch {
            what,
            expected_rows,
            expected_cols,
            got_rows: rows,
            got_cols: cols,
        })
    }
}

/// The arguments of `split_segments` / `merge_segments`: width ≥ 1, both planes ≥ rows·cols
/// (`names`: how the width and the two planes are named in the errors).
/// The checks the sparse-times-lane-block kernels share: `x` is `a.cols() × 1` (names[0]) and
/// `block` one of its lane blocks (names[1]); returns the block's signals.
fn csr_block(
    names: [&'static str; 2],
    a: &CsrMatrix,
    x: &MatrixBatch,
    block: usize,
) -> Result<usize> {
    shape(names[0], x.rows(), x.cols(), a.cols(), 1)?;
    if block >= x.blocks() {
        return Err(SimdError::OutOfRange {
            what: names[1],
            index: block,
            size: x.blocks(),
        });
    }
    Ok(kernels::csr::block_of(x, block).0)
}

fn segment_args(
    names: [&'static str; 3],
    need: usize,
    width: usize,
    re: usize,
    im: usize,
) -> Result<()> {
    if width == 0 {
        return Err(SimdError::ZeroDimension { what: names[0] });
    }
    for (what, got) in [(names[1], re), (names[2], im)] {
        if got < need {
            return Err(SimdError::LengthMismatch {
                what,
                expected: need,
                got,
            });
        }
    }
    Ok(())
}

fn order_limit(what: &'static str, value: usize, max: usize) -> Result<()> {
    if value <= max {
        Ok(())
    } else {
        Err(SimdError::TooLarge { what, value, max })
    }
}

/// Shapes and parameters of the QAM demapping kernels.
fn qam_llr_check(
    y: &[C32],
    noise_var: &[f32],
    bits_per_axis: u32,
    unit: f32,
    scale: f32,
    out: usize,
) -> Result<qam_llr::Axis> {
    if bits_per_axis == 0 {
        return Err(SimdError::ZeroDimension {
            what: "qam_llr: bits_per_axis",
        });
    }
    order_limit("qam_llr: bits_per_axis", bits_per_axis as usize, 5)?;
    if !unit.is_finite() {
        return Err(SimdError::NonFinite {
            what: "qam_llr: unit",
            value: unit,
        });
    }
    if unit <= 0.0 {
        return Err(SimdError::OutsideInterval {
            what: "qam_llr: unit",
            value: unit,
            low: f32::MIN_POSITIVE,
            high: f32::INFINITY,
        });
    }
    same_len("qam_llr: noise_var", y.len(), noise_var.len())?;
    let m = bits_per_axis as usize;
    let need = y.len().checked_mul(2 * m).ok_or(SimdError::TooLarge {
        what: "qam_llr: symbols",
        value: y.len(),
        max: usize::MAX / (2 * m),
    })?;
    same_len("qam_llr: out (symbols × 2·bits_per_axis)", need, out)?;
    Ok(qam_llr::Axis::new(m, unit, scale))
}

impl Kernels {
    /// The fastest backend available on this CPU ([`Backend::best`]).
    pub fn new() -> Self {
        Self::on(Backend::best())
    }

    /// `backend` (available) with the vendor's tile choices.
    fn on(backend: Backend) -> Self {
        Self {
            backend,
            wide_group_tile: backend::intel_cpu(),
        }
    }

    /// A specific backend; [`SimdError::BackendUnavailable`] if this CPU cannot run it.
    pub fn with_backend(backend: Backend) -> Result<Self> {
        if backend.is_available() {
            Ok(Self::on(backend))
        } else {
            Err(SimdError::BackendUnavailable(backend))
        }
    }

    /// The backend named by the `MASSIVE_MIMO_SIMD` environment variable, or the fastest one
    /// when it is unset or empty. An unknown or unavailable name is an error.
    pub fn from_env() -> Result<Self> {
        match std::env::var(BACKEND_ENV) {
            Ok(name) if !name.trim().is_empty() => Self::with_backend(name.parse()?),
            _ => Ok(Self::new()),
        }
    }

    /// The backend these kernels run on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// These kernels with the AVX-512 grouped GEMM's ([`Kernels::gemm_grouped`]) 4 × 3-register
    /// complex-lane tile on or off: a column group of 24 or more (a PRG of 2 PRBs) in one tile
    /// of 24 columns — each broadcast of A serving three FMAs — or in tiles of 8 columns. The
    /// constructors choose it by vendor ([`Kernels::wide_group_tile`]); the sums are the same
    /// either way (each column accumulates in the same order), so only the speed differs. No
    /// effect on the other backends.
    pub fn with_wide_group_tile(self, on: bool) -> Self {
        Self {
            wide_group_tile: on,
            ..self
        }
    }

    /// Whether the AVX-512 grouped GEMM uses its 4 × 3-register tile
    /// ([`Kernels::with_wide_group_tile`]): on Intel cores by default, where a 512-bit FMA
    /// issues whole and the tile's fewer broadcasts count (NR precoder application ×1.26 on a
    /// two-FMA-pipe Xeon); off elsewhere — on an AMD Zen 4, which splits every 512-bit
    /// operation into two halves, the 8-column tiles measured ×1.16–1.20 faster.
    pub fn wide_group_tile(&self) -> bool {
        self.wide_group_tile
    }

    /// `Σ_i a_i·b_i`. Equal lengths; empty slices give 0.
    pub fn dot(&self, a: &[C32], b: &[C32]) -> Result<C32> {
        same_len("dot: b", a.len(), b.len())?;
        Ok(dispatch!(
            self,
            dot(a, b, false),
            complex_vec::scalar::dot(a, b, false)
        ))
    }

    /// `Σ_i conj(a_i)·b_i` (the inner product ⟨a, b⟩). Equal lengths; empty slices give 0.
    pub fn dotc(&self, a: &[C32], b: &[C32]) -> Result<C32> {
        same_len("dotc: b", a.len(), b.len())?;
        Ok(dispatch!(
            self,
            dot(a, b, true),
            complex_vec::scalar::dot(a, b, true)
        ))
    }

    /// `y ← y + α·x`. Equal lengths.
    pub fn axpy(&self, alpha: C32, x: &[C32], y: &mut [C32]) -> Result<()> {
        same_len("axpy: y", x.len(), y.len())?;
        dispatch!(
            self,
            axpy(alpha, x, y),
            complex_vec::scalar::axpy(alpha, x, y)
        );
        Ok(())
    }

    /// `out_i ← α·x_i` (e.g. an OFDM symbol's gain on its subcarriers). Equal lengths.
    pub fn scale(&self, alpha: C32, x: &[C32], out: &mut [C32]) -> Result<()> {
        same_len("scale: out", x.len(), out.len())?;
        dispatch!(
            self,
            scale(alpha, x, out),
            complex_vec::scalar::scale(alpha, x, out)
        );
        Ok(())
    }

    /// `out_i ← a_i·b_i`. Equal lengths.
    pub fn mul(&self, a: &[C32], b: &[C32], out: &mut [C32]) -> Result<()> {
        same_len("mul: b", a.len(), b.len())?;
        same_len("mul: out", a.len(), out.len())?;
        dispatch!(
            self,
            mul(a, b, out, false),
            complex_vec::scalar::mul(a, b, out, false)
        );
        Ok(())
    }

    /// Requests every cache line of `region` into the L2 cache (x86 `prefetcht1`; nothing on
    /// NEON and the scalar backend), in one burst, and returns at once: for a region of a few
    /// KiB that the caller reads after the work it does next — the next PRB's detection filter
    /// (8 KiB for 16 × 64) while it multiplies the current one, or the lines of an output it
    /// writes next (a store then finds its line in the cache instead of reading it from memory
    /// first). Any element type: only the region's bytes count. Only a hint: no value
    /// changes, and it never faults.
    pub fn request_l2<T>(&self, region: &[T]) {
        let (start, bytes) = (region.as_ptr().cast::<u8>(), core::mem::size_of_val(region));
        dispatch!(self, request_l2(start, bytes), ())
    }

    /// `out_i ← a_i·b_i` like [`Kernels::mul`] (the same values, bit for bit), written past the
    /// caches: non-temporal stores on AVX2 and AVX-512 from the first element of `out` on a
    /// register boundary (32 / 64 bytes), fenced (`sfence`) before returning so any thread that
    /// synchronises with this one afterwards sees them; ordinary stores on NEON and the scalar
    /// backend. For outputs much larger than the caches that are not read again soon (a slot's
    /// OFDM grid of 64 antennas: 23.5 MB at NR 100 MHz). Equal lengths.
    pub fn mul_stream(&self, a: &[C32], b: &[C32], out: &mut [C32]) -> Result<()> {
        same_len("mul_stream: b", a.len(), b.len())?;
        same_len("mul_stream: out", a.len(), out.len())?;
        dispatch!(
            self,
            mul_stream(a, b, out),
            complex_vec::scalar::mul(a, b, out, false)
        );
        Ok(())
    }

    /// [`Kernels::mul_stream`] without the fence: a caller writing many runs (a slot's grid)
    /// calls [`Kernels::stream_fence`] once after the last, before any other thread reads
    /// `out`. The same products, bit for bit. Equal lengths.
    pub fn mul_stream_unfenced(&self, a: &[C32], b: &[C32], out: &mut [C32]) -> Result<()> {
        same_len("mul_stream_unfenced: b", a.len(), b.len())?;
        same_len("mul_stream_unfenced: out", a.len(), out.len())?;
        dispatch!(
            self,
            mul_stream_unfenced(a, b, out),
            complex_vec::scalar::mul(a, b, out, false)
        );
        Ok(())
    }

    /// [`Kernels::mul_stream`] that also screens what it writes: returns
    /// [`Kernels::screen_bits`]`(out, out[0])` of the products (the default for empty slices)
    /// from the registers it stores, so that a grid written this way (an OFDM demodulator's)
    /// needs no second pass to be screened. The same products, bit for bit. Equal lengths.
    ///
    /// Unlike `mul_stream` it does **not** fence: a caller writing many runs (a slot's grid)
    /// calls [`Kernels::stream_fence`] once after the last, before any other thread reads
    /// `out` — a fence per run waits for every earlier streaming store to drain each time.
    /// The calling thread itself reads its writes in order either way.
    pub fn mul_stream_screen(&self, a: &[C32], b: &[C32], out: &mut [C32]) -> Result<ScreenBits> {
        same_len("mul_stream_screen: b", a.len(), b.len())?;
        same_len("mul_stream_screen: out", a.len(), out.len())?;
        Ok(dispatch!(self, mul_stream_screen(a, b, out), {
            complex_vec::scalar::mul(a, b, out, false);
            let first = out.first().copied().unwrap_or_default();
            kernels::screen::screen_scalar(out, first)
        }))
    }

    /// int16 IQ samples to complex f32, `out[i] = (iq[2i] + j·iq[2i+1]) / scale` — the
    /// fronthaul's float path (`../shared/FRONTHAUL.md` §1: IEEE division per part, so the
    /// values equal the scalar conversion's bit for bit on every backend) — written past the
    /// caches like [`Kernels::mul_stream_screen`] (and, like it, **unfenced**: call
    /// [`Kernels::stream_fence`] before another thread reads `out`), returning
    /// [`Kernels::screen_bits`]`(out, out[0])` from the registers it stores (the default for an
    /// empty `out`). `scale` is used as given (the caller checks it is finite and > 0).
    /// Errors: `iq.len() ≠ 2·out.len()` (`LengthMismatch`).
    pub fn int16_to_c32_stream_screen(
        &self,
        iq: &[i16],
        scale: f32,
        out: &mut [C32],
    ) -> Result<ScreenBits> {
        same_len("int16_to_c32_stream_screen: iq", 2 * out.len(), iq.len())?;
        Ok(dispatch!(
            self,
            int16_to_c32_stream_screen(iq, scale, out),
            {
                kernels::iq_convert::scalar(iq, scale, out);
                let first = out.first().copied().unwrap_or_default();
                kernels::screen::screen_scalar(out, first)
            }
        ))
    }

    /// [`Kernels::int16_to_c32_stream_screen`] with ordinary stores: the same values and
    /// screening bits, `out` left in the cache for the block that reads it next (no fence
    /// needed). For outputs the last-level cache holds beside their readers' data.
    /// Errors: `iq.len() ≠ 2·out.len()` (`LengthMismatch`).
    pub fn int16_to_c32_screen(
        &self,
        iq: &[i16],
        scale: f32,
        out: &mut [C32],
    ) -> Result<ScreenBits> {
        same_len("int16_to_c32_screen: iq", 2 * out.len(), iq.len())?;
        Ok(dispatch!(self, int16_to_c32_screen(iq, scale, out), {
            kernels::iq_convert::scalar(iq, scale, out);
            let first = out.first().copied().unwrap_or_default();
            kernels::screen::screen_scalar(out, first)
        }))
    }

    /// Complex f32 to int16 IQ, `out[2i], out[2i+1] = sat16(round_half_even(x[i]·scale))` per
    /// part — the fronthaul's float path (`../shared/FRONTHAUL.md` §1): values beyond the int16
    /// range (±∞ too) saturate to −32768 / 32767 — equal to the scalar conversion on every
    /// backend for every part whose product is not NaN. Returns whether some product was NaN
    /// (those parts are written with unspecified values; the caller reports it). `scale` is
    /// used as given. Errors: `out.len() ≠ 2·x.len()` (`LengthMismatch`).
    pub fn c32_to_int16(&self, x: &[C32], scale: f32, out: &mut [i16]) -> Result<bool> {
        same_len("c32_to_int16: out", 2 * x.len(), out.len())?;
        Ok(dispatch!(
            self,
            c32_to_int16(x, scale, out),
            kernels::iq_convert::to_int16_scalar(x, scale, out)
        ))
    }

    /// Orders every earlier streaming store of this thread ([`Kernels::mul_stream_screen`]'s)
    /// before any later store (x86 `sfence`), so that another thread synchronising with this
    /// one afterwards sees them; nothing on backends whose stores are ordinary.
    pub fn stream_fence(&self) {
        match self.backend {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: SSE's sfence, baseline on x86-64; a Kernels holds Avx2 / Avx512 only
            // after detection.
            Backend::Avx2 | Backend::Avx512 => unsafe {
                <core::arch::x86_64::__m128 as register::SimdF32>::stream_fence()
            },
            _ => {}
        }
    }

    /// `out ← x` written past the caches, as [`Kernels::mul_stream`] writes (a slot's OFDM
    /// waveform of 64 antennas: 31 MB at NR 100 MHz). Equal lengths.
    pub fn copy_stream(&self, x: &[C32], out: &mut [C32]) -> Result<()> {
        self.copy_stream_then(x, out, &[])
    }

    /// [`Kernels::copy_stream`], requesting into the cache, a line every few registers, the
    /// memory of `next` (any regions — the next OFDM symbol's subcarriers, say), so that the
    /// caller's next pass over it reads from the cache instead of waiting on memory: issued
    /// all at once before that pass they would stall as long as the reads. Only hints: the
    /// copy is that of `copy_stream`.
    pub fn copy_stream_then(&self, x: &[C32], out: &mut [C32], next: &[&[C32]]) -> Result<()> {
        same_len("copy_stream: out", x.len(), out.len())?;
        dispatch!(self, copy_stream(x, out, next), out.copy_from_slice(x));
        Ok(())
    }

    /// [`Kernels::copy_stream_then`] without the fence: a caller streaming many runs (a
    /// slot's waveform, symbol after symbol) calls [`Kernels::stream_fence`] once after the
    /// last, before any other thread reads `out`. The same values.
    pub fn copy_stream_unfenced(&self, x: &[C32], out: &mut [C32], next: &[&[C32]]) -> Result<()> {
        same_len("copy_stream_unfenced: out", x.len(), out.len())?;
        dispatch!(
            self,
            copy_stream_unfenced(x, out, next),
            out.copy_from_slice(x)
        );
        Ok(())
    }

    /// `out_i ← a_i·conj(b_i)` (e.g. least-squares channel estimate y·conj(p)). Equal lengths.
    pub fn mul_conj(&self, a: &[C32], b: &[C32], out: &mut [C32]) -> Result<()> {
        same_len("mul_conj: b", a.len(), b.len())?;
        same_len("mul_conj: out", a.len(), out.len())?;
        dispatch!(
            self,
            mul(a, b, out, true),
            complex_vec::scalar::mul(a, b, out, true)
        );
        Ok(())
    }

    /// Gram matrix of every matrix of `a`, plus `diag_load`·I: `out_m = A_mᴴA_m + δI` (δ ≥ 0, finite)
    /// ([`GramSide::AhA`], a n × k, out k × k) or `A_mA_mᴴ + δI` ([`GramSide::AAh`], a k × n).
    /// Requires k ≤ [`MAX_ORDER`], n ≤ [`MAX_GRAM_INNER`], equal batch lengths and a finite δ
    /// (any sign). The output is exactly Hermitian with a real diagonal.
    pub fn gram(
        &self,
        a: &MatrixBatch,
        side: GramSide,
        diag_load: f32,
        out: &mut MatrixBatch,
    ) -> Result<()> {
        let k = side.order(a.rows(), a.cols());
        let n = side.inner(a.rows(), a.cols());
        order_limit("gram: order k", k, MAX_ORDER)?;
        order_limit("gram: inner dimension n", n, MAX_GRAM_INNER)?;
        shape("gram: out", out.rows(), out.cols(), k, k)?;
        same_batch("gram: out", a.len(), out.len())?;
        if !diag_load.is_finite() {
            return Err(SimdError::NonFinite {
                what: "gram: diag_load",
                value: diag_load,
            });
        }
        // A negative load can make a positive-definite Gram indefinite (issue 21, finding 7).
        if diag_load < 0.0 {
            return Err(SimdError::Negative {
                what: "gram: diag_load",
                value: diag_load,
            });
        }
        dispatch!(
            self,
            gram(a, side, diag_load, out),
            gram::scalar(a, side, diag_load, out)
        );
        Ok(())
    }

    /// In-place Cholesky factorisation `G = L·Lᴴ` of every (Hermitian, lower triangle read)
    /// k × k matrix, k ≤ [`MAX_ORDER`]. On return `g` holds L (strict upper triangle zeroed) and
    /// `info[m]` is 0 when matrix m factorised, or the 1-based index of its first failing
    /// pivot (not numerically positive definite in f32, or NaN/∞ input); a failed matrix's
    /// factor is set to the identity so later solves stay finite. Returns the number of failed
    /// matrices. `info.len()` must equal `g.len()`.
    pub fn cholesky(&self, g: &mut MatrixBatch, info: &mut [u32]) -> Result<usize> {
        self.cholesky_with_tolerance(g, info, 0.0)
    }

    /// [`Kernels::cholesky`] with a relative pivot tolerance τ: pivot j fails when
    /// `d ≤ max(τ, k·ε)·|G_jj|` (d the pivot before its square root). `cholesky` is τ = 0
    /// (k·ε: numerically positive definite in f32). A τ well above the rounding level
    /// (≥ 64·k·ε) decides the same on every backend except for pivots within a few k·ε of τ
    /// (the backends sum d in different orders), and makes "ill-conditioned" a stated
    /// threshold: ZF callers use it (a pivot below τ·G_jj amplifies that layer's noise by more
    /// than 1/τ). τ must be finite, ≥ 0 and < 1 (`NonFinite` / `OutsideInterval` naming
    /// `cholesky: tolerance`).
    pub fn cholesky_with_tolerance(
        &self,
        g: &mut MatrixBatch,
        info: &mut [u32],
        tolerance: f32,
    ) -> Result<usize> {
        shape("cholesky: g", g.rows(), g.cols(), g.rows(), g.rows())?;
        order_limit("cholesky: order k", g.rows(), MAX_ORDER)?;
        same_len("cholesky: info", g.len(), info.len())?;
        if !tolerance.is_finite() {
            return Err(SimdError::NonFinite {
                what: "cholesky: tolerance",
                value: tolerance,
            });
        }
        if !(0.0..1.0).contains(&tolerance) {
            return Err(SimdError::OutsideInterval {
                what: "cholesky: tolerance",
                value: tolerance,
                low: 0.0,
                high: 1.0,
            });
        }
        let tol = tolerance.max(cholesky::min_tolerance(g.rows()));
        Ok(dispatch!(
            self,
            cholesky(g, info, tol),
            cholesky::factor_scalar(g, info, tol)
        ))
    }

    /// `b ← G⁻¹·b` for every matrix, with `l` the factor from [`Kernels::cholesky`] (k × k) and
    /// `b` k × nc (any number of right-hand sides).
    pub fn cholesky_solve(&self, l: &MatrixBatch, b: &mut MatrixBatch) -> Result<()> {
        self.cholesky_solve_then(l, b, &[])
    }

    /// [`Self::cholesky_solve`] that also requests the memory `next` (what the caller reads
    /// or writes after the solve: the next lane block's input, this block's output) into the
    /// cache, a few lines between its substitution steps — the solve's arithmetic hides the
    /// memory's latency. The results are the same values as `cholesky_solve`'s (a hint never
    /// changes them); the scalar backend ignores `next`.
    ///
    /// Errors: as for [`Self::cholesky_solve`].
    pub fn cholesky_solve_then(
        &self,
        l: &MatrixBatch,
        b: &mut MatrixBatch,
        next: &[&[C32]],
    ) -> Result<()> {
        let k = l.rows();
        shape("cholesky_solve: l", l.rows(), l.cols(), k, k)?;
        order_limit("cholesky_solve: order k", k, MAX_ORDER)?;
        shape("cholesky_solve: b", b.rows(), b.cols(), k, b.cols())?;
        same_batch("cholesky_solve: b", l.len(), b.len())?;
        dispatch!(
            self,
            cholesky_solve(l, b, next),
            cholesky::solve_scalar(l, b)
        );
        Ok(())
    }

    /// `out ← G⁻¹` (Hermitian) for every matrix, from its Cholesky factor `l`.
    pub fn cholesky_inverse(&self, l: &MatrixBatch, out: &mut MatrixBatch) -> Result<()> {
        shape(
            "cholesky_inverse: out",
            out.rows(),
            out.cols(),
            l.rows(),
            l.rows(),
        )?;
        same_batch("cholesky_inverse: out", l.len(), out.len())?;
        out.fill_identity();
        self.cholesky_solve(l, out)
    }

    /// The DFT of `plan` ([`LaneFft`]: length N, forward or inverse, unnormalised) of every
    /// matrix of `x`, in place: each matrix is one signal of N samples (`N × 1`, axis order
    /// [signal, sample]), so the 16 signals of a lane block — e.g. 16 antennas' comb REs —
    /// are transformed together, one register of each per butterfly. `scratch` is any batch of
    /// `N × 1` matrices (its first lane block is the ping-pong buffer).
    pub fn fft_batch(
        &self,
        plan: &LaneFft,
        x: &mut MatrixBatch,
        scratch: &mut MatrixBatch,
    ) -> Result<()> {
        shape("fft_batch: x", x.rows(), x.cols(), plan.len(), 1)?;
        shape(
            "fft_batch: scratch",
            scratch.rows(),
            scratch.cols(),
            plan.len(),
            1,
        )?;
        dispatch!(
            self,
            fft_batch(plan, x, scratch),
            kernels::fft::batch_scalar(plan, x, scratch)
        );
        Ok(())
    }

    /// Whether [`Kernels::ofdm_fft`] runs a vector kernel on this backend (AVX-512, AVX2);
    /// elsewhere it runs the scalar reference, far slower than an FFT library such as rustfft,
    /// which callers then keep.
    pub fn ofdm_fft_is_vectorized(&self) -> bool {
        matches!(self.backend, Backend::Avx512 | Backend::Avx2)
    }

    /// Whether an OFDM block should run [`Kernels::ofdm_fft`] for an `n`-point symbol rather
    /// than rustfft: where it is vectorised — on AVX2 from 4096 points on, where its 4-sample
    /// registers measured faster than rustfft's transform (NR 100 MHz modulation and
    /// demodulation ×1.10–1.11; at 2048 points a draw, ±4 %).
    pub fn ofdm_fft_preferred(&self, n: usize) -> bool {
        self.ofdm_fft_is_vectorized() && (self.backend != Backend::Avx2 || n >= 4096)
    }

    /// One OFDM symbol's DFT (forward or inverse, unnormalised, as `plan` says) of `x` (N =
    /// `plan.len()` samples) into `out` (`cp + N` samples): the transform at `out[cp..]` and
    /// its last `cp` samples again at `out[..cp]` — the cyclic prefix (`cp = 0`: the transform
    /// alone). `scratch` holds [`OfdmFft::scratch_len`] = 2N samples; `x` is only read. With
    /// `stream`, the vector kernels (AVX-512, AVX2) write `out` past the caches (non-temporal
    /// stores, not fenced: call [`Kernels::stream_fence`] before another thread reads it) where
    /// `out` starts on a 64-byte boundary and `cp` is a multiple of 8 — otherwise, and on the
    /// other backends, with ordinary stores; the values are the same either way. The vector
    /// kernels write the prefix from the last stage's registers (no copy of the symbol); a
    /// `cp` that is not a multiple of 8 is copied after the transform. Errors: `x`, `scratch` or `out`
    /// of the wrong length (`LengthMismatch` naming it), `cp` above N (`TooLarge`).
    pub fn ofdm_fft(
        &self,
        plan: &OfdmFft,
        x: &[C32],
        scratch: &mut [C32],
        out: &mut [C32],
        cp: usize,
        stream: bool,
    ) -> Result<()> {
        self.ofdm_fft_then(plan, x, scratch, out, cp, stream, &[])
    }

    /// [`Kernels::ofdm_fft`] that also requests every cache line of `next` into the L2, a few
    /// lines per butterfly block while it transforms (AVX-512, AVX2; nothing elsewhere): the memory
    /// its caller reads next — the next symbol's window of a waveform in memory, say. Only a
    /// hint: the values are those of [`Kernels::ofdm_fft`].
    #[allow(clippy::too_many_arguments)]
    pub fn ofdm_fft_then(
        &self,
        plan: &OfdmFft,
        x: &[C32],
        scratch: &mut [C32],
        out: &mut [C32],
        cp: usize,
        stream: bool,
        next: &[&[C32]],
    ) -> Result<()> {
        self.ofdm_fft_scaled_then(plan, x, scratch, out, cp, stream, C32::new(1.0, 0.0), next)
    }

    /// [`Kernels::ofdm_fft_then`] of `gain·x`, the factor applied to the transform's outputs
    /// instead (the DFT is linear): the vector kernels multiply the last stage's registers
    /// before they are stored — one product per register for a real `gain`, a complex
    /// multiply (one product and one `vfmaddsub`) otherwise, none for exactly 1 — so an OFDM
    /// modulator's per-symbol scale and phase factor need no pass over the subcarriers; the
    /// scalar backend multiplies `out` after the transform in the same arithmetic (`re =
    /// fma(x_re, g_re, −x_im·g_im)`, `im = fma(x_im, g_re, x_re·g_im)`). The results equal the
    /// transform of the scaled input to rounding (not bit for bit); `gain` = 1 gives exactly
    /// [`Kernels::ofdm_fft_then`]'s. Errors: as [`Kernels::ofdm_fft`].
    #[allow(clippy::too_many_arguments)]
    pub fn ofdm_fft_scaled_then(
        &self,
        plan: &OfdmFft,
        x: &[C32],
        scratch: &mut [C32],
        out: &mut [C32],
        cp: usize,
        stream: bool,
        gain: C32,
        next: &[&[C32]],
    ) -> Result<()> {
        let gain = kernels::ofdm_fft::OutGain::of(gain);
        let n = plan.len();
        same_len("ofdm_fft: x", n, x.len())?;
        same_len("ofdm_fft: scratch", plan.scratch_len(), scratch.len())?;
        if cp > n {
            return Err(SimdError::TooLarge {
                what: "ofdm_fft: cyclic prefix",
                value: cp,
                max: n,
            });
        }
        same_len("ofdm_fft: out", cp + n, out.len())?;
        #[cfg(target_arch = "x86_64")]
        let kernel: Option<kernels::ofdm_fft::Run> = match self.backend {
            Backend::Avx512 => Some(kernels::ofdm_fft::x86::s512::run),
            Backend::Avx2 => Some(kernels::ofdm_fft::x86::s256::run),
            _ => None,
        };
        #[cfg(not(target_arch = "x86_64"))]
        let kernel: Option<kernels::ofdm_fft::Run> = None;
        match kernel {
            Some(run) => {
                if cp.is_multiple_of(8) {
                    let aligned = (out.as_ptr() as usize).is_multiple_of(64);
                    // SAFETY: a `Kernels` holds a vector backend only after detection (the
                    // kernel is that backend's); shapes checked above, cp a multiple of 8,
                    // streaming only on a 64-byte boundary.
                    unsafe { run(plan, x, scratch, out, cp, stream && aligned, gain, next) }
                } else {
                    // SAFETY: as above, the transform alone (cp = 0) into out[cp..], ordinary
                    // stores.
                    unsafe { run(plan, x, scratch, &mut out[cp..], 0, false, gain, next) }
                    out.copy_within(n..n + cp, 0);
                }
            }
            None => {
                // The reference writes with ordinary stores and requests nothing.
                let _ = (stream, next);
                kernels::ofdm_fft::scalar(plan, x, scratch, out, cp);
                if gain != kernels::ofdm_fft::OutGain::One {
                    out.iter_mut().for_each(|v| *v = gain.apply(*v));
                }
            }
        }
        Ok(())
    }

    /// Gathers a comb — every `step`-th column of `src` (rows × cols, interleaved, e.g.
    /// `[antenna, subcarrier]` of one OFDM symbol from the comb's first subcarrier on) — times
    /// a factor per comb column into the lane layout: `dst` is `src.rows()` matrices of `m × 1`
    /// (m = `factor.len()`) and matrix r's element i becomes `src[r, i·step]·factor[i]` (e.g.
    /// every antenna's comb REs times the pilot's conjugate: the input of a delay-domain
    /// estimator's batched IDFT). Lanes past `src.rows()` in the last block are left as they
    /// are. Errors: `dst` not `src.rows()` matrices (`BatchMismatch`) of `m × 1`
    /// (`ShapeMismatch`), `step` 0 (`ZeroDimension`), the comb's last column `(m − 1)·step`
    /// outside `src` (`TooLarge`).
    pub fn gather_comb(
        &self,
        src: &ComplexRef<'_>,
        step: usize,
        factor: &[C32],
        dst: &mut MatrixBatch,
    ) -> Result<()> {
        same_batch("gather_comb: dst [rows of src]", src.rows(), dst.len())?;
        shape(
            "gather_comb: dst matrices",
            dst.rows(),
            dst.cols(),
            factor.len(),
            1,
        )?;
        if step == 0 {
            return Err(SimdError::ZeroDimension {
                what: "gather_comb: step",
            });
        }
        if let Some(last) = factor.len().checked_sub(1) {
            let span = last.saturating_mul(step).saturating_add(1);
            if span > src.cols() {
                return Err(SimdError::TooLarge {
                    what: "gather_comb: comb span (m − 1)·step + 1",
                    value: span,
                    max: src.cols(),
                });
            }
        }
        dispatch!(
            self,
            gather_comb(src, step, factor, dst),
            kernels::comb::scalar(src, step, factor, dst)
        );
        Ok(())
    }

    /// A sparse matrix `a` (rows × N) times lane block `block` of `x` (N × 1 signals), into
    /// interleaved complex rows: `out[o·stride + l] = Σ_e a[o, e]·x_{16·block + l}[e]` for every
    /// row o and every signal l of the block (16, fewer in a ragged last block). `stride` ≥
    /// the block's signals; `out` holds at least `(rows − 1)·stride + signals` values (e.g. one
    /// port's rows of a `[output, port, antenna]` estimate, the block's antennas in each).
    pub fn csr_lanes(
        &self,
        a: &CsrMatrix,
        x: &MatrixBatch,
        block: usize,
        out: &mut [C32],
        stride: usize,
    ) -> Result<()> {
        let lanes = csr_block(["csr_lanes: x", "csr_lanes: block"], a, x, block)?;
        if stride < lanes {
            return Err(SimdError::LengthMismatch {
                what: "csr_lanes: stride (at least the block's signals)",
                expected: lanes,
                got: stride,
            });
        }
        let need = match a.rows() {
            0 => 0,
            r => (r - 1)
                .checked_mul(stride)
                .and_then(|v| v.checked_add(lanes))
                .ok_or(SimdError::TooLarge {
                    what: "csr_lanes: stride",
                    value: stride,
                    max: usize::MAX / r,
                })?,
        };
        if out.len() < need {
            return Err(SimdError::LengthMismatch {
                what: "csr_lanes: out (at least (rows − 1)·stride + signals)",
                expected: need,
                got: out.len(),
            });
        }
        dispatch!(
            self,
            csr_lanes(a, x, block, out, stride),
            kernels::csr::lanes_scalar(a, x, block, out, stride)
        );
        Ok(())
    }

    /// [`Self::csr_lanes`] into the lane layout: `y = a·x_b` for lane block `block` of `x`
    /// (`N × 1` signals), `y` a batch of the block's signals (16, fewer in a ragged last
    /// block) of `a.rows() × 1` — e.g. a delay-domain estimator's kept taps, weighted (and
    /// folded) per tap, as the input of the batched DFT back. All 16 lanes of `y`'s block are
    /// written (lanes past the signals from `x`'s lanes past them: zero in a batch whose
    /// padding is zero). Errors: `x` not `a.cols() × 1` or `y` not `a.rows() × 1`
    /// (`ShapeMismatch`), `block` past `x`'s blocks (`OutOfRange`), `y` not the block's
    /// signals long (`BatchMismatch`).
    pub fn csr_lanes_batch(
        &self,
        a: &CsrMatrix,
        x: &MatrixBatch,
        block: usize,
        y: &mut MatrixBatch,
    ) -> Result<()> {
        let lanes = csr_block(
            ["csr_lanes_batch: x", "csr_lanes_batch: block"],
            a,
            x,
            block,
        )?;
        shape("csr_lanes_batch: y", y.rows(), y.cols(), a.rows(), 1)?;
        same_batch("csr_lanes_batch: y (the block's signals)", lanes, y.len())?;
        dispatch!(
            self,
            csr_lanes_batch(a, x, block, y),
            kernels::csr::lanes_batch_scalar(a, x, block, y)
        );
        Ok(())
    }

    /// Squared Euclidean norms of the rows ([`NormsOf::Rows`], `out` axis order [matrix, row])
    /// or of the columns ([`NormsOf::Cols`], [matrix, column]) of every matrix: e.g. the power
    /// per layer and per antenna of precoding weights. `out` has `len·rows` or `len·cols`
    /// values.
    pub fn norms_sqr(&self, a: &MatrixBatch, of: NormsOf, out: &mut [f32]) -> Result<()> {
        same_len(
            "norms_sqr: out [len, rows or cols]",
            a.len() * of.count(a.rows(), a.cols()),
            out.len(),
        )?;
        dispatch!(self, norms_sqr(a, of, out), norms::scalar(a, of, out));
        Ok(())
    }

    /// Copies a whole batch in from interleaved matrices `src`, axis order [matrix, row, col]
    /// (`len·rows·cols` values): [`MatrixBatch::load_all`] by register tile transposes (see
    /// `kernels::transpose`), e.g. the per-PRB channels entering a weight computation.
    pub fn load_batch(&self, src: &[C32], dst: &mut MatrixBatch) -> Result<()> {
        same_len(
            "load_batch: src [len, rows, cols]",
            dst.len() * dst.rows() * dst.cols(),
            src.len(),
        )?;
        dispatch!(self, load_batch(src, dst), {
            dst.load_all(src)?;
        });
        Ok(())
    }

    /// `dst_m = src_mᴴ` for every matrix, both batches in the lane layout (`dst` cols × rows,
    /// same length): e.g. `Hᴴ` as the right-hand sides of a Cholesky solve.
    pub fn adjoint_batch(&self, src: &MatrixBatch, dst: &mut MatrixBatch) -> Result<()> {
        shape(
            "adjoint_batch: dst",
            dst.rows(),
            dst.cols(),
            src.cols(),
            src.rows(),
        )?;
        same_batch("adjoint_batch: dst", src.len(), dst.len())?;
        dispatch!(
            self,
            adjoint_batch(src, dst),
            transpose::adjoint_batch_scalar(src, dst)
        );
        Ok(())
    }

    /// Writes every matrix of `src` (rows × cols) conjugate-transposed and with a real scale
    /// per source row into `dst`, axis order [matrix, col, row]:
    /// `dst[m, j, i] = conj(src[m, i, j])·scale[m·rows + i]` — the precoder's `W = Xᴴ·diag(s)`
    /// with one power normalisation per layer. `scale` has `len·rows` values (axis order
    /// [matrix, row]), `dst` `len·cols·rows`.
    pub fn store_adjoint(&self, src: &MatrixBatch, scale: &[f32], dst: &mut [C32]) -> Result<()> {
        same_len(
            "store_adjoint: scale [len, rows]",
            src.len() * src.rows(),
            scale.len(),
        )?;
        same_len(
            "store_adjoint: dst [len, cols, rows]",
            src.len() * src.rows() * src.cols(),
            dst.len(),
        )?;
        dispatch!(
            self,
            store_adjoint(src, scale, dst),
            transpose::store_adjoint_scalar(src, scale, dst)
        );
        Ok(())
    }

    /// Copies the first `rows` rows of every matrix of `src` out with a real scale per row
    /// into `dst`, axis order [matrix, row, col]: `dst[m, i, j] = src[m, i, j]·scale[m·R + i]`
    /// for i < `rows` (R = `src.rows()`) — e.g. a detector's filter rows F_l times their
    /// unbiasing gain, without its unused interference rows. `scale` has `len·R` values (axis
    /// order [matrix, row]; those of rows ≥ `rows` are not read), `dst` `len·rows·cols`.
    /// Errors: `rows` of 0 ([`SimdError::ZeroDimension`]) or above R ([`SimdError::TooLarge`]),
    /// or a length mismatch.
    pub fn store_rows(
        &self,
        src: &MatrixBatch,
        rows: usize,
        scale: &[f32],
        dst: &mut [C32],
    ) -> Result<()> {
        if rows == 0 {
            return Err(SimdError::ZeroDimension {
                what: "store_rows: rows",
            });
        }
        if rows > src.rows() {
            return Err(SimdError::TooLarge {
                what: "store_rows: rows (≤ src.rows())",
                value: rows,
                max: src.rows(),
            });
        }
        same_len(
            "store_rows: scale [len, src.rows]",
            src.len() * src.rows(),
            scale.len(),
        )?;
        same_len(
            "store_rows: dst [len, rows, cols]",
            src.len() * rows * src.cols(),
            dst.len(),
        )?;
        dispatch!(
            self,
            store_rows(src, rows, scale, dst),
            transpose::store_rows_scalar(src, rows, scale, dst)
        );
        Ok(())
    }

    /// Bit LLRs of one axis of a Gray-coded square QAM (38.211 §5.1: the real axis carries
    /// b0, b2, …, the imaginary axis b1, b3, …): for coordinates `y` with `inv_var` = 1/σ²
    /// (complex noise variance σ² of the symbol) and the axis `levels` (2^m values, bit k of
    /// level j = bit m−1−k of j, m ≤ 5), writes `out[k·n + s]` — max-log, or exact when
    /// `exact` (see `kernels::pam_llr`). Inputs should be finite with `inv_var ≥ 0`; other
    /// values give unspecified (but memory-safe) LLRs.
    pub fn pam_llr(
        &self,
        y: &[f32],
        inv_var: &[f32],
        levels: &[f32],
        exact: bool,
        out: &mut [f32],
    ) -> Result<()> {
        same_len("pam_llr: inv_var", y.len(), inv_var.len())?;
        if !levels.len().is_power_of_two() || !(2..=32).contains(&levels.len()) {
            return Err(SimdError::LengthMismatch {
                what: "pam_llr: levels (a power of two, 2..=32)",
                expected: levels.len().next_power_of_two().clamp(2, 32),
                got: levels.len(),
            });
        }
        let m = levels.len().trailing_zeros() as usize;
        same_len("pam_llr: out (bits × symbols)", m * y.len(), out.len())?;
        dispatch!(
            self,
            pam_llr(y, inv_var, levels, exact, out),
            pam_llr::scalar_from(y, inv_var, levels, exact, out, 0)
        );
        Ok(())
    }

    /// Max-log bit LLRs of a Gray-coded square QAM in closed form (38.211 §5.1 mapping: levels
    /// at odd multiples of `unit` on each axis, the real axis carrying b0, b2, …, the imaginary
    /// axis b1, b3, …; `bits_per_axis` = Q_m/2 = 1 (QPSK) … 5 (1024QAM)). For symbols `y` with
    /// complex noise variance `noise_var` (σ² = E|n|² per symbol; below [`MIN_NOISE_VAR`] it is
    /// raised to it) writes `out[s·Q_m + i]` = LLR of bit i of symbol s = (min over points
    /// with the bit 1 − min over points with the bit 0) of |y − x|²/σ², positive for 0 —
    /// the exact max-log value, computed from the nested Gray folding (see
    /// `kernels::qam_llr`), not the simplified approximation. A symbol with a NaN or infinite
    /// part is an erasure: its LLRs are 0. |y|/`unit` is clamped to 64 × the largest level.
    /// On the AVX-512 backend 1 to 4 bits per axis run on a 512-bit kernel (16 symbols per
    /// step); 1024QAM, and outputs of [`LLR_STREAM_MIN_BYTES`] or more (written past the
    /// caches), on the AVX2 kernel, which also serves the AVX2 backend; the scalar reference
    /// elsewhere. Every path equals the scalar reference bit for bit.
    pub fn qam_llr_maxlog(
        &self,
        y: &[C32],
        noise_var: &[f32],
        bits_per_axis: u32,
        unit: f32,
        out: &mut [f32],
    ) -> Result<()> {
        let ax = qam_llr_check(y, noise_var, bits_per_axis, unit, 1.0, out.len())?;
        match self.backend {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `usable_f32` confirmed AVX-512 F on this CPU; shapes checked above.
            Backend::Avx512 if qam_llr::x86_512::usable_f32(&ax, out) => unsafe {
                qam_llr::x86_512::llr_f32(&ax, y, noise_var, out)
            },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: a `Kernels` holds Avx2/Avx512 only after `Backend::is_available`
            // confirmed AVX2 and FMA (both backends require them); shapes are checked above.
            Backend::Avx2 | Backend::Avx512 => unsafe {
                qam_llr::x86::llr_f32(&ax, y, noise_var, out)
            },
            _ => qam_llr::scalar_range(&ax, y, noise_var, out, 0..y.len()),
        }
        Ok(())
    }

    /// [`Kernels::qam_llr_maxlog`] saturated to int8, what fixed-point LDPC decoders take:
    /// `out[i] = clamp(round(llr_scale · LLR_i), −127, 127)`, rounding half to even, the
    /// range symmetric (−128 never appears). `llr_scale` (finite, ≥ 0) sets the LLR one step
    /// of the output stands for (1/`llr_scale`); erasures give 0. On the AVX-512 backend with
    /// AVX-512 BW, 1 to 4 bits per axis run on a 512-bit kernel (16 symbols per step, the
    /// bytes rearranged in registers), 1024QAM too where the CPU has AVX-512 VBMI; 1024QAM
    /// without VBMI, and scales whose largest weight `4a²·llr_scale/10⁻¹²` exceeds 2¹⁰⁰ (an
    /// `llr_scale` above 3·10¹⁷/a², a = `unit`), on the AVX2 kernel. Every path equals the scalar reference bit for bit.
    pub fn qam_llr_maxlog_i8(
        &self,
        y: &[C32],
        noise_var: &[f32],
        bits_per_axis: u32,
        unit: f32,
        llr_scale: f32,
        out: &mut [i8],
    ) -> Result<()> {
        if !llr_scale.is_finite() {
            return Err(SimdError::NonFinite {
                what: "qam_llr_maxlog_i8: llr_scale",
                value: llr_scale,
            });
        }
        if llr_scale < 0.0 {
            return Err(SimdError::Negative {
                what: "qam_llr_maxlog_i8: llr_scale",
                value: llr_scale,
            });
        }
        let ax = qam_llr_check(y, noise_var, bits_per_axis, unit, llr_scale, out.len())?;
        match self.backend {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `usable` confirmed AVX-512 F and BW on this CPU; shapes checked above.
            Backend::Avx512 if qam_llr::x86_512::usable(&ax) => unsafe {
                qam_llr::x86_512::llr_i8(&ax, y, noise_var, out)
            },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as in `qam_llr_maxlog`.
            Backend::Avx2 | Backend::Avx512 => unsafe {
                qam_llr::x86::llr_i8(&ax, y, noise_var, out)
            },
            _ => qam_llr::scalar_range(&ax, y, noise_var, out, 0..y.len()),
        }
        Ok(())
    }

    /// Whether segments of `width` values go through the AVX-512 one-register piece copies
    /// (`transpose::x86_512`) rather than the backends' 4-lane segment kernel.
    #[cfg(target_arch = "x86_64")]
    fn narrow_segments(&self, width: usize) -> bool {
        self.backend == Backend::Avx512 && width <= transpose::NARROW_MAX
    }

    /// The interleaved view `src` (rows × cols, any row stride) into split planes, cut into
    /// segments of `width` columns stored one after the other (segment-major): value (r, c)
    /// of segment s = c / width goes to index `s·rows·width + r·w_s + c mod width` of `re` and
    /// `im`, with `w_s = min(width, cols − s·width)`. So each segment is a dense `rows × w_s`
    /// matrix of its own — e.g. a block of a slot grid (rows = OFDM symbols, columns =
    /// subcarriers) turned into one `[symbol, subcarrier]` operand per PRB for a detector's
    /// per-PRB GEMM over all its symbols. Segments of up to 8 values (sub-PRB bands) take one
    /// masked 512-bit load and two masked stores each on the AVX-512 backend (the other
    /// backends copy what does not fill their 4-lane registers value by value).
    ///
    /// Errors: `width` 0 ([`SimdError::ZeroDimension`] naming "split_segments: width"), a
    /// plane shorter than rows·cols ([`SimdError::LengthMismatch`] naming "split_segments: re"
    /// or "split_segments: im").
    pub fn split_segments(
        &self,
        src: &ComplexRef<'_>,
        width: usize,
        re: &mut [f32],
        im: &mut [f32],
    ) -> Result<()> {
        segment_args(
            [
                "split_segments: width",
                "split_segments: re (at least rows·cols)",
                "split_segments: im (at least rows·cols)",
            ],
            src.rows * src.cols,
            width,
            re.len(),
            im.len(),
        )?;
        #[cfg(target_arch = "x86_64")]
        if self.narrow_segments(width) {
            // SAFETY: a `Kernels` holds Avx512 only after `Backend::is_available` confirmed
            // AVX-512 F; width ≤ NARROW_MAX and the planes' lengths are checked above.
            unsafe { transpose::x86_512::split_narrow(src, width, re, im) };
            return Ok(());
        }
        dispatch!(
            self,
            split_segments(src, width, re, im),
            transpose::split_segments_scalar(src, width, re, im)
        );
        Ok(())
    }

    /// The inverse of [`Self::split_segments`]: segment-major planes into the interleaved
    /// view `dst` (e.g. a detector's per-PRB outputs back into the layer grid).
    ///
    /// Errors: as for [`Self::split_segments`], naming "merge_segments: …".
    pub fn merge_segments(
        &self,
        re: &[f32],
        im: &[f32],
        width: usize,
        dst: &mut ComplexMut<'_>,
    ) -> Result<()> {
        segment_args(
            [
                "merge_segments: width",
                "merge_segments: re (at least rows·cols)",
                "merge_segments: im (at least rows·cols)",
            ],
            dst.rows * dst.cols,
            width,
            re.len(),
            im.len(),
        )?;
        #[cfg(target_arch = "x86_64")]
        if self.narrow_segments(width) {
            // SAFETY: as in `split_segments`.
            unsafe { transpose::x86_512::merge_narrow(re, im, width, dst) };
            return Ok(());
        }
        dispatch!(
            self,
            merge_segments(re, im, width, dst),
            transpose::merge_segments_scalar(re, im, width, dst)
        );
        Ok(())
    }

    /// `dst = srcᵀ` from an interleaved complex view (`src` rows × cols, any row stride) to
    /// split planes (`dst` cols × rows): `dst[c, r] = src[r, c]` — e.g. a run of subcarriers
    /// of every receive antenna's grid row (`[antenna, subcarrier]`, the row stride one
    /// antenna's grid) turned into rows of antennas (`[subcarrier, antenna]`), which the
    /// antennas-wide kernels then read. Whole register tiles by in-register transposes, the
    /// edges by scalar copies.
    ///
    /// Errors: `dst` not `src.cols() × src.rows()` ([`SimdError::ShapeMismatch`] naming
    /// "split_transpose: dst").
    pub fn split_transpose(&self, src: &ComplexRef<'_>, dst: &mut SplitMut<'_>) -> Result<()> {
        shape(
            "split_transpose: dst",
            dst.rows,
            dst.cols,
            src.cols,
            src.rows,
        )?;
        dispatch!(
            self,
            split_transpose(src, dst),
            transpose::split_transpose_scalar(src, dst)
        );
        Ok(())
    }

    /// Split planes into an interleaved complex view of the same shape: `dst[i, j] =
    /// src[i, j]`, each with its own row stride — e.g. filtered channel estimates (rows of
    /// antennas) into the rows of a `[output, port, antenna]` array.
    ///
    /// Errors: `dst` not `src.rows() × src.cols()` ([`SimdError::ShapeMismatch`] naming
    /// "store_interleaved: dst").
    pub fn store_interleaved(&self, src: &SplitRef<'_>, dst: &mut ComplexMut<'_>) -> Result<()> {
        shape(
            "store_interleaved: dst",
            dst.rows,
            dst.cols,
            src.rows,
            src.cols,
        )?;
        dispatch!(
            self,
            store_interleaved(src, dst),
            transpose::store_interleaved_scalar(src, dst)
        );
        Ok(())
    }

    /// Small complex products per block over selected rows of `y`, one call for many blocks:
    /// with `k = rows.len() / nb` row indices per block and `a` holding `nb` row-major `m × k`
    /// matrices `A_b` (axis order [block, output, row]),
    /// `out[q·NB + b0 + b, j] = Σ_i A_b[q, i] · y[rows[b·k + i], j]` for every output q < m,
    /// block b < nb and column j, where `NB = out.rows() / m` (so `out` is `[output, block]`
    /// rows: e.g. a channel estimator's LS de-spreading, `A_b = (XᴴX)⁻¹Xᴴ` of CDM block b,
    /// `y` its received pilot REs antennas-wide, one LS row per port and block). The columns
    /// (antennas) run in the SIMD lanes.
    ///
    /// Errors: `m` or `k` zero ([`SimdError::ZeroDimension`]), `rows.len()` not a multiple of
    /// `k` or `a.len() ≠ nb·m·k` ([`SimdError::LengthMismatch`]), `out` not `m·NB × y.cols()`
    /// with `b0 + nb ≤ NB` ([`SimdError::ShapeMismatch`] / [`SimdError::OutOfRange`]), a row
    /// index ≥ `y.rows()` ([`SimdError::OutOfRange`] naming "block_combine: rows").
    pub fn block_combine(
        &self,
        a: &[C32],
        (m, k, b0): (usize, usize, usize),
        rows: &[u32],
        y: &SplitRef<'_>,
        out: &mut SplitMut<'_>,
    ) -> Result<()> {
        if m == 0 {
            return Err(SimdError::ZeroDimension {
                what: "block_combine: m (outputs per block)",
            });
        }
        if k == 0 {
            return Err(SimdError::ZeroDimension {
                what: "block_combine: k (rows per block)",
            });
        }
        if !rows.len().is_multiple_of(k) {
            return Err(SimdError::LengthMismatch {
                what: "block_combine: rows (a multiple of k)",
                expected: rows.len() / k * k,
                got: rows.len(),
            });
        }
        let nb = rows.len() / k;
        same_len("block_combine: a (nb·m·k)", nb * m * k, a.len())?;
        let n_blocks = out.rows / m;
        shape(
            "block_combine: out (m·NB × y.cols)",
            out.rows,
            out.cols,
            m * n_blocks,
            y.cols,
        )?;
        if b0.saturating_add(nb) > n_blocks {
            return Err(SimdError::OutOfRange {
                what: "block_combine: b0 + blocks",
                index: b0.saturating_add(nb),
                size: n_blocks,
            });
        }
        if let Some(&r) = rows.iter().find(|&&r| r as usize >= y.rows) {
            return Err(SimdError::OutOfRange {
                what: "block_combine: rows",
                index: r as usize,
                size: y.rows,
            });
        }
        let sh = block_combine::Shape { m, k, b0 };
        dispatch!(
            self,
            block_combine(a, sh, rows, y, out),
            block_combine::scalar(a, sh, rows, y, out)
        );
        Ok(())
    }

    /// Lag-0 and lag-1 sums over the rows of `x` (rows × cols): `Σ_i Σ_j |x_ij|²` and
    /// `Σ_{i<rows−1} Σ_j x_{i+1,j}·conj(x_ij)` — a channel estimator's per-port correlations
    /// with rows = CDM blocks along frequency and columns = receive antennas. Summed in f32
    /// lanes per row, carried at most 16 rows, then in f64 (relative error about
    /// 16·⌈cols/8⌉·2⁻²⁴; the scalar backend sums in f64 throughout).
    pub fn lag_sums(&self, x: &SplitRef<'_>) -> LagSums {
        dispatch!(self, lag_sums(x), lag_sums::lags_scalar(x))
    }

    /// The second differences of the rows of `x` with a phase ramp removed:
    /// `Σ_{i=1}^{rows−2} Σ_j |x_{i−1,j} − r₁·x_ij + r₂·x_{i+1,j}|²` — with `r₁ = 2ρ`, `r₂ = ρ²`
    /// the energy of the second difference of `x_i·ρ^i`, from which a channel estimator
    /// measures its noise (a linear phase ramp and the channel's smooth part cancel). Summed
    /// as [`Kernels::lag_sums`] is; 0 for fewer than three rows.
    pub fn second_difference(&self, x: &SplitRef<'_>, r1: C32, r2: C32) -> f64 {
        dispatch!(
            self,
            second_difference(x, (r1, r2)),
            lag_sums::second_difference_scalar(x, (r1, r2))
        )
    }

    /// Complex matrix product `C ← A·B` ([`GemmMode::Overwrite`]) or `C ← C + A·B`
    /// ([`GemmMode::Accumulate`]); A m × k, B k × n, C m × n, split row-major planes.
    pub fn gemm(
        &self,
        a: SplitRef<'_>,
        b: SplitRef<'_>,
        mut c: SplitMut<'_>,
        mode: GemmMode,
    ) -> Result<()> {
        shape("gemm: b", b.rows, b.cols, a.cols, c.cols)?;
        shape("gemm: a", a.rows, a.cols, c.rows, a.cols)?;
        dispatch!(
            self,
            gemm(&a, &b, &mut c, mode),
            gemm::scalar_from(&a, &b, &mut c, mode, 0)
        );
        Ok(())
    }

    /// [`Kernels::gemm`] on interleaved complex operands (the caller's own arrays, any row
    /// strides): `C ← A·B` or `C ← C + A·B`, A m × k, B k × n, C m × n. The form for
    /// applying per-PRG precoders or equalisers to a resource grid in place — no copies into
    /// planes and back.
    pub fn gemm_interleaved(
        &self,
        a: ComplexRef<'_>,
        b: ComplexRef<'_>,
        mut c: ComplexMut<'_>,
        mode: GemmMode,
    ) -> Result<()> {
        shape("gemm_interleaved: b", b.rows, b.cols, a.cols, c.cols)?;
        shape("gemm_interleaved: a", a.rows, a.cols, c.rows, a.cols)?;
        let (m, n) = (c.rows, c.cols);
        dispatch!(
            self,
            gemm_interleaved(&a, &b, &mut c, mode),
            gemm::scalar_interleaved(&a, &b, &mut c, mode, 0..m, 0, n)
        );
        Ok(())
    }

    /// One matrix per group of columns, on interleaved operands: for every group g,
    /// `C[:, g·w .. (g+1)·w] ← [C +] A_g · B[:, g·w .. (g+1)·w]` with `w = group_cols` (the
    /// last group may be narrower) and `A_g` the g-th m × k row-major matrix of `a` (axis order
    /// [group, row, col], at least ⌈n/w⌉·m·k values) — per-PRG precoders across a symbol's
    /// band in one call. C is computed four rows at a time across all the groups, so its rows
    /// are written as sequential streams.
    pub fn gemm_grouped(
        &self,
        a: &[C32],
        group_cols: usize,
        b: ComplexRef<'_>,
        c: ComplexMut<'_>,
        mode: GemmMode,
    ) -> Result<()> {
        self.gemm_grouped_then(a, group_cols, b, c, mode, None)
    }

    /// [`Self::gemm_grouped`], requesting into the cache, while it multiplies, the B operand of
    /// the caller's next call (`next`: the same k rows, any number of columns — the next symbol
    /// of a slot, or the next band's first one), spread evenly over its work: the next call's
    /// first pass over its inputs then reads them from the cache instead of waiting on memory.
    /// Only hints: results are those of `gemm_grouped`.
    pub fn gemm_grouped_then(
        &self,
        a: &[C32],
        group_cols: usize,
        b: ComplexRef<'_>,
        mut c: ComplexMut<'_>,
        mode: GemmMode,
        next: Option<ComplexRef<'_>>,
    ) -> Result<()> {
        shape("gemm_grouped: b", b.rows, b.cols, b.rows, c.cols)?;
        grouped_checks(a, group_cols, c.cols, c.rows, b.rows, next.as_ref())?;
        self.grouped(a, group_cols, &b, &mut c, mode, next.as_ref(), None);
        Ok(())
    }

    /// The backend's grouped GEMM on checked shapes, with this handle's tile choice
    /// ([`Kernels::wide_group_tile`]); `pair`: the second column range's offset
    /// ([`Kernels::gemm_grouped_pair_then`]), which the scalar backend never gets.
    #[allow(clippy::too_many_arguments)]
    fn grouped(
        &self,
        a: &[C32],
        group_cols: usize,
        b: &ComplexRef<'_>,
        c: &mut ComplexMut<'_>,
        mode: GemmMode,
        next: Option<&ComplexRef<'_>>,
        pair: Option<usize>,
    ) {
        let wide = self.wide_group_tile;
        dispatch!(
            self,
            gemm_grouped(a, group_cols, b, c, mode, next, pair, wide),
            match pair {
                None => gemm::scalar_grouped(a, group_cols, b, c, mode),
                Some(_) => unreachable!("the scalar backend takes the two-call path"),
            }
        )
    }

    /// [`Self::gemm_grouped_then`] on two column ranges of the same views with the same groups:
    /// columns `0..cols` and `offset..offset + cols` of B and C, `cols` = C's columns −
    /// `offset` (each range's group g is its columns g·`group_cols`…, multiplied by matrix g of
    /// `a`). With `b`, `c` spanning two OFDM symbols' rows of a grid (`offset` = the symbol
    /// length), one call multiplies a band of both symbols: on AVX-512, where a PRB of 12
    /// subcarriers is one and a half registers, the two symbols' PRB share one full-width tile
    /// for matrices with more columns than rows (detection filters), instead of a full and a
    /// half-width register per symbol. Results equal two `gemm_grouped` calls (to rounding of
    /// the summation order on SIMD backends). `next` as in `gemm_grouped_then`.
    ///
    /// Errors: as `gemm_grouped_then` for each range, and `offset` outside
    /// `[⌈C's columns / 2⌉, C's columns]` (the ranges would overlap) is
    /// [`SimdError::OutsideInterval`].
    #[allow(clippy::too_many_arguments)]
    pub fn gemm_grouped_pair_then(
        &self,
        a: &[C32],
        group_cols: usize,
        b: ComplexRef<'_>,
        mut c: ComplexMut<'_>,
        offset: usize,
        mode: GemmMode,
        next: Option<ComplexRef<'_>>,
    ) -> Result<()> {
        shape("gemm_grouped_pair: b", b.rows, b.cols, b.rows, c.cols)?;
        if offset > c.cols || 2 * offset < c.cols {
            return Err(SimdError::OutsideInterval {
                what: "gemm_grouped_pair: offset",
                value: offset as f32,
                low: c.cols.div_ceil(2) as f32,
                high: (c.cols + 1) as f32,
            });
        }
        let cols = c.cols - offset;
        let (m, k) = (c.rows, b.rows);
        let pair_tile = k > m && !(m <= 4 && k <= 4);
        if !pair_tile || self.backend == Backend::Scalar {
            // Two ordinary calls on the two ranges (they do not overlap).
            let (b0, b1) = (b.columns(0, cols), b.columns(offset, cols));
            self.gemm_grouped_then(a, group_cols, b0, c.columns_mut(0, cols), mode, None)?;
            return self.gemm_grouped_then(
                a,
                group_cols,
                b1,
                c.columns_mut(offset, cols),
                mode,
                next,
            );
        }
        grouped_checks(a, group_cols, cols, m, k, next.as_ref())?;
        self.grouped(a, group_cols, &b, &mut c, mode, next.as_ref(), Some(offset));
        Ok(())
    }

    /// Screens a run of complex samples bit by bit (e.g. one receive antenna's grid before
    /// channel estimation): the largest magnitude bit pattern of any real or imaginary part
    /// (≥ `0x7F80_0000`: a NaN or ±∞ among them; compare with `bits(fs)` for a full scale fs)
    /// and the OR of every part's bits XOR `reference`'s (0: every sample equals it). AVX2 and
    /// AVX-512 kernels; the scalar reference elsewhere (NEON included). Any length, no errors.
    pub fn screen_bits(&self, x: &[C32], reference: C32) -> ScreenBits {
        match self.backend {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: a `Kernels` holds Avx2 / Avx512 only after `Backend::is_available`
            // confirmed AVX2 / AVX-512 F.
            Backend::Avx2 => unsafe { kernels::screen::x86::screen_avx2(x, reference) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            Backend::Avx512 => unsafe { kernels::screen::x86::screen_avx512(x, reference) },
            _ => kernels::screen::screen_scalar(x, reference),
        }
    }

    /// Block floating point compression of whole PRBs (O-RAN.WG4.CUS Annex A.1.1, udCompMeth
    /// 0001b): `iq` holds n PRBs of 12 REs × (I, Q) int16 (axis order [prb, re, iq]),
    /// `payload` receives their wire form, n·(1 + 3·`width`) bytes: per PRB the udCompParam
    /// byte (exponent in bits 3..0), then 24 `width`-bit mantissas MSB first. Exponent: the
    /// smallest e ≥ 0 with every value >> e representable in `width` bits; mantissa: x >> e
    /// (floor). Bit-exact on every backend; `width` 1..=16.
    pub fn bfp_compress(&self, iq: &[i16], width: u32, payload: &mut [u8]) -> Result<()> {
        bfp_shapes(
            "bfp_compress: iq (PRBs × 24)",
            iq.len(),
            BFP_PRB_VALUES,
            width,
            payload.len(),
        )?;
        self.compress_prbs(iq, width, payload);
        Ok(())
    }

    /// [`Kernels::bfp_compress`] into the start of a `payload` that may be longer: the n PRBs'
    /// n·(1 + 3·`width`) wire bytes first (the same bytes), and the bytes after them scratch —
    /// the AVX2 kernel's 16-byte stores run up to 16 − `width` bytes past a PRB (the next PRB
    /// overwrites them), and with that much room after the last PRB it needs no bounce buffer
    /// for the last one or two (the 512-bit VBMI kernel and the scalar code write exactly the
    /// n PRBs). For a caller that fills a payload in ascending pieces of PRBs, each piece's
    /// call given the payload up to its end (the U-plane write of `precode_uplane`): every
    /// byte a piece leaves as scratch is a later piece's PRB.
    ///
    /// Errors: as [`Kernels::bfp_compress`], `payload` shorter than n·(1 + 3·`width`)
    /// (`LengthMismatch` naming `bfp_compress_slack: payload`).
    pub fn bfp_compress_slack(&self, iq: &[i16], width: u32, payload: &mut [u8]) -> Result<()> {
        let (_, need) = bfp_blocks(
            "bfp_compress_slack: iq (PRBs × 24)",
            iq.len(),
            BFP_PRB_VALUES,
            width,
        )?;
        if payload.len() < need {
            return Err(SimdError::LengthMismatch {
                what: "bfp_compress_slack: payload",
                expected: need,
                got: payload.len(),
            });
        }
        self.compress_prbs(iq, width, payload);
        Ok(())
    }

    /// The compression dispatch of [`Kernels::bfp_compress`] and
    /// [`Kernels::bfp_compress_slack`]: `iq` whole PRBs, `width` valid and `payload` at least
    /// their bytes (caller-checked). Every kernel writes the PRBs at the payload's start; only
    /// the AVX2 one uses the bytes after them (its pairs' overrun, where it fits).
    fn compress_prbs(&self, iq: &[i16], width: u32, payload: &mut [u8]) {
        match self.backend {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `prefers_vbmi_compress` confirmed AVX-512 F, BW and VBMI at runtime;
            // shapes are checked by the callers (it writes exactly the PRBs' bytes).
            Backend::Avx512 if bfp::x86::prefers_vbmi_compress() => unsafe {
                bfp::x86::compress_vbmi(iq, width, payload)
            },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: a `Kernels` holds Avx2/Avx512 only after `Backend::is_available`
            // confirmed AVX2 (both require it); iq holds whole PRBs and payload at least their
            // bytes (the callers' checks) — the kernel keeps every store inside `payload` (its
            // pairs only while their overrun fits, the rest through bounce buffers).
            Backend::Avx2 | Backend::Avx512 => unsafe { bfp::x86::compress(iq, width, payload) },
            _ => bfp::compress_scalar(iq, BFP_PRB_VALUES, width, payload),
        }
    }

    /// The inverse of [`Kernels::bfp_compress`]: n·(1 + 3·`width`) payload bytes to n PRBs of
    /// 24 int16 (`mantissa · 2^exponent`, exact). The reserved bits 7..4 of udCompParam are
    /// ignored. An exponent above 16 − `width` (not producible from int16 data) is
    /// [`SimdError::BfpExponent`] naming the PRB; PRBs before it are written.
    pub fn bfp_decompress(&self, payload: &[u8], width: u32, iq: &mut [i16]) -> Result<()> {
        bfp_shapes(
            "bfp_decompress: iq (PRBs × 24)",
            iq.len(),
            BFP_PRB_VALUES,
            width,
            payload.len(),
        )?;
        let r = match self.backend {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `has_vbmi` confirmed AVX-512 F, BW and VBMI at runtime.
            Backend::Avx512 if bfp::x86::has_vbmi() => unsafe {
                bfp::x86::decompress_vbmi(payload, width, iq)
            },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as in `bfp_compress`.
            Backend::Avx2 | Backend::Avx512 => unsafe { bfp::x86::decompress(payload, width, iq) },
            _ => bfp::decompress_scalar(payload, BFP_PRB_VALUES, width, iq),
        };
        r.map_err(|(block, exponent)| SimdError::BfpExponent {
            block,
            exponent,
            max: 16 - width,
        })
    }

    /// [`Kernels::bfp_compress`] for blocks of any length `block` (e.g. beamforming weight
    /// vectors, N_TRX × (I, Q) = 2·N_TRX values, O-RAN.WG4.CUS §7.7.11 with bfwCompMeth BFP):
    /// each block packs to [`bfp_block_bytes`]`(block, width)` bytes, the last one
    /// zero-padded. On the AVX2 and AVX-512 backends the PRB kernels' merges for blocks of
    /// whole 8-value groups (`block` a multiple of 8: N_TRX a multiple of 4), 16 values per
    /// register (an NR slot's 4 368 vectors of 64 TRX in 0.08 ms instead of 1.42); other
    /// lengths and backends the scalar code. Bit-exact either way.
    pub fn bfp_compress_blocks(
        &self,
        values: &[i16],
        block: usize,
        width: u32,
        payload: &mut [u8],
    ) -> Result<()> {
        bfp_shapes(
            "bfp_compress_blocks: values (blocks × block)",
            values.len(),
            block,
            width,
            payload.len(),
        )?;
        match self.backend {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: a `Kernels` holds these backends only after detecting AVX2.
            Backend::Avx2 | Backend::Avx512 if bfp::x86::blocks_fit(block) => unsafe {
                bfp::x86::compress_blocks(values, block, width, payload)
            },
            _ => bfp::compress_scalar(values, block, width, payload),
        }
        Ok(())
    }

    /// The inverse of [`Kernels::bfp_compress_blocks`]; errors as [`Kernels::bfp_decompress`].
    pub fn bfp_decompress_blocks(
        &self,
        payload: &[u8],
        block: usize,
        width: u32,
        values: &mut [i16],
    ) -> Result<()> {
        bfp_shapes(
            "bfp_decompress_blocks: values (blocks × block)",
            values.len(),
            block,
            width,
            payload.len(),
        )?;
        let r = match self.backend {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: a `Kernels` holds these backends only after detecting AVX2.
            Backend::Avx2 | Backend::Avx512 if bfp::x86::blocks_fit(block) => unsafe {
                bfp::x86::decompress_blocks(payload, block, width, values)
            },
            _ => bfp::decompress_scalar(payload, block, width, values),
        };
        r.map_err(|(block, exponent)| SimdError::BfpExponent {
            block,
            exponent,
            max: 16 - width,
        })
    }

    /// Reads packed BFP blocks without scaling: each block's exponent (the low nibble of its
    /// compression-parameter byte, any value 0..=15) into `exponents` and its sign-extended
    /// `width`-bit mantissas into `mantissas` (n·`block` values) — the fixed-point view of a
    /// section for hosts that keep the block exponent.
    pub fn bfp_unpack(
        &self,
        payload: &[u8],
        block: usize,
        width: u32,
        exponents: &mut [u8],
        mantissas: &mut [i16],
    ) -> Result<()> {
        let n = bfp_shapes(
            "bfp_unpack: mantissas (blocks × block)",
            mantissas.len(),
            block,
            width,
            payload.len(),
        )?;
        same_len("bfp_unpack: exponents", n, exponents.len())?;
        let size = bfp::block_bytes(block, width);
        for ((src, e), m) in payload
            .chunks_exact(size)
            .zip(exponents.iter_mut())
            .zip(mantissas.chunks_exact_mut(block))
        {
            *e = bfp::unpack_scalar(src, block, width, m) as u8;
        }
        Ok(())
    }
}
