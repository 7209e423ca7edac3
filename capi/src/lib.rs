//! # massive-mimo C ABI
//!
//! What a base-station L1 written in C or C++ links: opaque handles for the slot processors
//! (`mm_downlink`: SRS estimation → RZF/ZF/MRT weights → precoding → OFDM; `mm_uplink`: OFDM →
//! DMRS estimation → ZF/MMSE/MMSE-IRC detection → LLRs), the pilot generators they need, the
//! O-RAN 7.2x fronthaul (BFP compression; `mm_uplane_codec`: U-plane messages, the uplink's
//! received into the slot by `mm_uplink_receive_uplane`, the category-A downlink's written by
//! `mm_downlink_precode_uplane`), the LTE TBS and the version / SIMD backend queries. The header is
//! `include/massive_mimo.h` (cbindgen, checked in CI); `install.sh` puts the static and shared
//! library, the header and `massive-mimo.pc` under a prefix.
//!
//! Conventions for every function:
//! * the return value is an [`mm_status`]; [`mm_last_error`] gives the reason of this thread's
//!   last failed call (argument name and value), valid until the next failing call;
//! * arrays are pointer + element count; complex arrays are interleaved `float` pairs
//!   ([`mm_cf32`], C99 `float _Complex` has the same layout), in the documented axis order
//!   (first axis slowest, C order); a NULL pointer is accepted only with count 0;
//!   misaligned pointers, wrong counts and an output overlapping an input are errors, never UB;
//! * nothing panics across the boundary (every entry point catches unwinding and reports
//!   `MM_ERROR_INTERNAL`); the per-slot calls allocate nothing (tested through this ABI);
//! * a handle is used by one thread at a time (it may move between threads); using a handle
//!   after `*_destroy` is undefined behaviour, as with `free`.

#![allow(non_camel_case_types)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

use std::cell::RefCell;
use std::ffi::{CString, c_char};
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};

use massive_mimo::detection::DetectorMethod;
use massive_mimo::estimation::PilotPattern;
use massive_mimo::fronthaul::{
    CompHeader, CompMethod, Direction, IqWidth, Timing, UPLANE_HEADER_BYTES, UplaneCodec,
};
use massive_mimo::link::{DownlinkConfig, DownlinkSlot, PrecoderKind, SrsEstimation, UplinkSlot};
use massive_mimo::modulation::{DemapMethod, Modulation};
use massive_mimo::ofdm::{
    CyclicPrefix, OfdmConfig, OfdmDemodulator, OfdmModulator, OutputStores, Standard,
};
use massive_mimo::precoding::Normalization;
use massive_mimo::rate::{PrbScaling, lte_tbs};
use massive_mimo::refsig::{DmrsConfig, DmrsType, SrsConfig, write_multiplexed_users};
use massive_mimo::resource::{MuGroup, PrbAllocation, SUBCARRIERS_PER_PRB, SYMBOLS_PER_SLOT};
use massive_mimo::simd::{Kernels, SimdError};
use massive_mimo::{C32, Error};
use ndarray::{ArrayView2, ArrayView3, ArrayViewMut2, ArrayViewMut3};

/// Result of every call.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mm_status {
    /// Success.
    MM_OK = 0,
    /// A required pointer (handle, config, array with a non-zero count, out-parameter) is NULL.
    MM_ERROR_NULL_POINTER = 1,
    /// A parameter is outside its valid range or set (an enum code, a size, a field value).
    MM_ERROR_INVALID_ARGUMENT = 2,
    /// An array's element count does not match the sizes it must have.
    MM_ERROR_SHAPE = 3,
    /// A pointer is not aligned for its element type.
    MM_ERROR_MISALIGNED = 4,
    /// An output array overlaps an input array.
    MM_ERROR_OVERLAP = 5,
    /// Memory for a handle could not be allocated.
    MM_ERROR_ALLOCATION = 6,
    /// A bug inside the library (a caught panic); the handle involved should be destroyed.
    MM_ERROR_INTERNAL = 7,
}

/// One complex sample: interleaved real and imaginary parts (the layout of C99
/// `float _Complex` and of the library's `Complex<f32>`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct mm_cf32 {
    /// Real part.
    pub re: f32,
    /// Imaginary part.
    pub im: f32,
}

/// `standard` of [`mm_ofdm_config`]: NR (38.211 §5.3).
pub const MM_STANDARD_NR: u32 = 0;
/// `standard` of [`mm_ofdm_config`]: LTE (36.211 §6.12).
pub const MM_STANDARD_LTE: u32 = 1;
/// `cyclic_prefix`: normal.
pub const MM_CP_NORMAL: u32 = 0;
/// `cyclic_prefix`: extended.
pub const MM_CP_EXTENDED: u32 = 1;
/// `precoder` of [`mm_downlink_config`]: maximum-ratio transmission.
pub const MM_PRECODER_MRT: u32 = 0;
/// `precoder`: zero forcing.
pub const MM_PRECODER_ZF: u32 = 1;
/// `precoder`: regularised ZF, α = k·noise_var.
pub const MM_PRECODER_RZF: u32 = 2;
/// `normalization`: every stream's weight vector has unit norm.
pub const MM_NORMALIZATION_COLUMN: u32 = 0;
/// `normalization`: total transmit power 1 per RE.
pub const MM_NORMALIZATION_TOTAL: u32 = 1;
/// `normalization`: equal power per antenna.
pub const MM_NORMALIZATION_PER_ANTENNA: u32 = 2;
/// `srs_estimation`: users separated in the delay domain (cyclic-shift SRS).
pub const MM_SRS_DELAY_DOMAIN: u32 = 0;
/// `srs_estimation`: block LS then per-PRB LMMSE (any pilot pattern).
pub const MM_SRS_BLOCK_LMMSE: u32 = 1;
/// Detection method: zero forcing.
pub const MM_DETECTOR_ZF: u32 = 0;
/// Detection method: linear MMSE.
pub const MM_DETECTOR_MMSE: u32 = 1;
/// Detection method: MMSE with interference rejection (up to 2 interference dimensions per
/// PRB, estimated from the DMRS residuals; rejected when the DMRS ports leave no room,
/// n_layers > 30).
pub const MM_DETECTOR_IRC: u32 = 2;

/// OFDM output stores: non-temporal (past the caches; the default of a new modulator or
/// demodulator), for slot-sized outputs that cannot stay in cache.
pub const MM_OUTPUT_STREAMING: u32 = 0;
/// OFDM output stores: ordinary (the output stays in cache), for small outputs the same core
/// reads next.
pub const MM_OUTPUT_CACHED: u32 = 1;

/// OFDM numerology and grid size (38.211 §5.3 / 36.211 §6.12).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct mm_ofdm_config {
    /// `MM_STANDARD_NR` or `MM_STANDARD_LTE`.
    pub standard: u32,
    /// Subcarrier spacing in kHz (15, 30, 60, 120; LTE 15).
    pub scs_khz: u32,
    /// FFT size (a power of two ≥ n_sc).
    pub n_fft: usize,
    /// Occupied subcarriers (12 × PRBs).
    pub n_sc: usize,
    /// `MM_CP_NORMAL` or `MM_CP_EXTENDED`.
    pub cyclic_prefix: u32,
    /// Index of the slot in its frame (selects the long-CP symbols).
    pub slot: u32,
    /// Amplitude scale of the IFFT / FFT output.
    pub scale: f32,
}

/// Shape and choices of an [`mm_downlink`].
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct mm_downlink_config {
    /// Base-station antennas.
    pub n_antennas: usize,
    /// Sounded candidates (SRS ports).
    pub n_candidates: usize,
    /// Most streams per slot.
    pub n_layers: usize,
    /// PRBs of the carrier.
    pub n_prb: usize,
    /// PRBs per precoding group (0: the whole band).
    pub prg_prbs: usize,
    /// `MM_PRECODER_*`.
    pub precoder: u32,
    /// `MM_NORMALIZATION_*`.
    pub normalization: u32,
    /// `MM_SRS_*`.
    pub srs_estimation: u32,
}

/// Downlink slot processor (opaque): SRS estimation → weights → precoding → OFDM.
pub struct mm_downlink {
    slot: DownlinkSlot,
    n_antennas: usize,
    n_sc: usize,
    layers: usize,
    ranges: Vec<Range<usize>>,
}

/// Uplink slot processor (opaque): OFDM or a frequency-domain grid → DMRS estimation →
/// detection → LLRs.
pub struct mm_uplink {
    slot: UplinkSlot,
    n_antennas: usize,
    n_sc: usize,
    n_prb: usize,
    ranges: Vec<Range<usize>>,
}

/// PRBs `start .. end` (end exclusive) of a carrier.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct mm_prb_range {
    /// First PRB.
    pub start: usize,
    /// One past the last PRB.
    pub end: usize,
}

/// One MU-MIMO group of a slot: `n_users` users (indices of sounded candidates downlink, of
/// DMRS ports uplink; stream j of the group serves `users[j]`) sharing the PRBs of `n_ranges`
/// disjoint ranges.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct mm_mu_group {
    /// The group's users.
    pub users: *const usize,
    /// Number of users.
    pub n_users: usize,
    /// The group's PRB ranges.
    pub ranges: *const mm_prb_range,
    /// Number of ranges.
    pub n_ranges: usize,
}

/// `comp_method` of [`mm_uplane_codec_create`]: uncompressed 16-bit IQ (udCompMeth 0000b).
pub const MM_COMP_NONE: u32 = 0;
/// `comp_method`: block floating point (udCompMeth 0001b, O-RAN.WG4.CUS Annex A.1.1).
pub const MM_COMP_BFP: u32 = 1;

/// An O-RAN 7.2x U-plane codec (O-RAN.WG4.CUS §8.3): one compression header, one carrier, one
/// float ↔ int16 scale; its scratch is sized at creation.
pub struct mm_uplane_codec {
    codec: UplaneCodec,
    n_prb: usize,
}

/// The U-plane application header of a symbol (O-RAN.WG4.CUS §8.3.3.1): the slot-writing
/// calls replace `symbol_id` per symbol.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct mm_uplane_timing {
    /// dataDirection: 1 downlink, 0 uplink.
    pub downlink: u8,
    /// filterIndex, 0..=15 (0: standard channel filter).
    pub filter_index: u8,
    /// frameId, the frame number modulo 256.
    pub frame_id: u8,
    /// subframeId, 0..=9.
    pub subframe_id: u8,
    /// slotId within the subframe, 0..=63.
    pub slot_id: u8,
    /// symbolId, 0..=13.
    pub symbol_id: u8,
}

impl mm_uplane_timing {
    fn to_rust(self) -> Result<Timing, Fail> {
        let direction = match self.downlink {
            0 => Direction::Uplink,
            1 => Direction::Downlink,
            d => return Err(invalid("timing.downlink", d, "0 (uplink) or 1 (downlink)")),
        };
        Ok(Timing {
            direction,
            filter_index: self.filter_index,
            frame_id: self.frame_id,
            subframe_id: self.subframe_id,
            slot_id: self.slot_id,
            symbol_id: self.symbol_id,
        })
    }
}

/// Most MU-MIMO groups in one call.
pub const MM_MAX_GROUPS: usize = 64;

// ---------------------------------------------------------------------------------------
// Errors, the boundary guard, pointer checks.

struct Fail {
    status: mm_status,
    msg: String,
}

fn fail(status: mm_status, msg: impl Into<String>) -> Fail {
    Fail {
        status,
        msg: msg.into(),
    }
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        let status = match &e {
            Error::ShapeMismatch { .. } => mm_status::MM_ERROR_SHAPE,
            Error::Simd(SimdError::AllocationFailed { .. }) => mm_status::MM_ERROR_ALLOCATION,
            Error::Simd(SimdError::LengthMismatch { .. } | SimdError::ShapeMismatch { .. }) => {
                mm_status::MM_ERROR_SHAPE
            }
            _ => mm_status::MM_ERROR_INVALID_ARGUMENT,
        };
        fail(status, e.to_string())
    }
}

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::new("no error").unwrap_or_default());
}

fn set_last_error(msg: &str) {
    let c = CString::new(msg.replace('\0', " ")).unwrap_or_default();
    LAST_ERROR.with(|l| *l.borrow_mut() = c);
}

/// Runs an entry point's body: no unwinding crosses, errors become a status and the
/// thread's last-error message.
fn guard(body: impl FnOnce() -> Result<(), Fail>) -> mm_status {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => mm_status::MM_OK,
        Ok(Err(f)) => {
            set_last_error(&f.msg);
            f.status
        }
        Err(_) => {
            set_last_error("internal error: a panic was caught at the C boundary (a library bug)");
            mm_status::MM_ERROR_INTERNAL
        }
    }
}

/// Checks a C array (NULL only with count 0, aligned, size within isize) and borrows it.
///
/// # Safety
/// When `p` is not NULL it must point to `len` initialised `T` that stay valid and unwritten by
/// others for `'a` (the documented contract of every array argument).
unsafe fn array<'a, T>(what: &str, p: *const T, len: usize) -> Result<&'a [T], Fail> {
    check_ptr(what, p, len)?;
    if len == 0 {
        return Ok(&[]);
    }
    // SAFETY: non-NULL, aligned, len·size ≤ isize::MAX (checked); validity is the caller's
    // contract above.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// As [`array`], writable.
///
/// # Safety
/// When `p` is not NULL it must point to `len` writable `T`, not accessed by anyone else for
/// `'a`.
unsafe fn array_mut<'a, T>(what: &str, p: *mut T, len: usize) -> Result<&'a mut [T], Fail> {
    check_ptr(what, p, len)?;
    if len == 0 {
        return Ok(&mut []);
    }
    // SAFETY: as in `array`; exclusivity is the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts_mut(p, len) })
}

fn check_ptr<T>(what: &str, p: *const T, len: usize) -> Result<(), Fail> {
    if p.is_null() {
        return if len == 0 {
            Ok(())
        } else {
            Err(fail(
                mm_status::MM_ERROR_NULL_POINTER,
                format!("{what} is NULL with count {len}"),
            ))
        };
    }
    if !(p as usize).is_multiple_of(align_of::<T>()) {
        return Err(fail(
            mm_status::MM_ERROR_MISALIGNED,
            format!("{what} = {p:p} is not aligned to {} bytes", align_of::<T>()),
        ));
    }
    if len
        .checked_mul(size_of::<T>())
        .is_none_or(|b| b > isize::MAX as usize)
    {
        return Err(fail(
            mm_status::MM_ERROR_SHAPE,
            format!("{what}: count {len} is larger than any array"),
        ));
    }
    Ok(())
}

/// The complex view of an `mm_cf32` array (same layout: two `f32`, `repr(C)`).
fn as_c32(x: &[mm_cf32]) -> &[C32] {
    // SAFETY: mm_cf32 and Complex<f32> are both repr(C) structs of two f32 (size 8, align 4);
    // the length and lifetime are those of `x`.
    unsafe { std::slice::from_raw_parts(x.as_ptr().cast(), x.len()) }
}

fn as_c32_mut(x: &mut [mm_cf32]) -> &mut [C32] {
    // SAFETY: as in `as_c32`, with the exclusive borrow of `x`.
    unsafe { std::slice::from_raw_parts_mut(x.as_mut_ptr().cast(), x.len()) }
}

fn disjoint<A, B>(what: &str, a: &[A], b: &[B]) -> Result<(), Fail> {
    let (a0, a1) = (a.as_ptr() as usize, a.as_ptr() as usize + size_of_val(a));
    let (b0, b1) = (b.as_ptr() as usize, b.as_ptr() as usize + size_of_val(b));
    if a0 < b1 && b0 < a1 {
        Err(fail(mm_status::MM_ERROR_OVERLAP, format!("{what} overlap")))
    } else {
        Ok(())
    }
}

fn expect_len(what: &str, got: usize, dims: &[usize]) -> Result<(), Fail> {
    match dims.iter().try_fold(1usize, |a, &d| a.checked_mul(d)) {
        Some(want) if want == got => Ok(()),
        Some(want) => Err(fail(
            mm_status::MM_ERROR_SHAPE,
            format!("{what}: count {got}, expected {dims:?} = {want} elements"),
        )),
        None => Err(fail(
            mm_status::MM_ERROR_SHAPE,
            format!("{what}: sizes {dims:?} overflow"),
        )),
    }
}

fn invalid(what: &str, value: impl std::fmt::Display, allowed: &str) -> Fail {
    fail(
        mm_status::MM_ERROR_INVALID_ARGUMENT,
        format!("{what} = {value}: {allowed}"),
    )
}

fn view3<'a>(
    what: &str,
    x: &'a [C32],
    d: (usize, usize, usize),
) -> Result<ArrayView3<'a, C32>, Fail> {
    expect_len(what, x.len(), &[d.0, d.1, d.2])?;
    ArrayView3::from_shape(d, x)
        .map_err(|e| fail(mm_status::MM_ERROR_SHAPE, format!("{what}: {e}")))
}

fn view3_mut<'a>(
    what: &str,
    x: &'a mut [C32],
    d: (usize, usize, usize),
) -> Result<ArrayViewMut3<'a, C32>, Fail> {
    expect_len(what, x.len(), &[d.0, d.1, d.2])?;
    ArrayViewMut3::from_shape(d, x)
        .map_err(|e| fail(mm_status::MM_ERROR_SHAPE, format!("{what}: {e}")))
}

fn ofdm_config(c: &mm_ofdm_config) -> Result<OfdmConfig, Fail> {
    Ok(OfdmConfig {
        standard: match c.standard {
            MM_STANDARD_NR => Standard::Nr,
            MM_STANDARD_LTE => Standard::Lte,
            s => {
                return Err(invalid(
                    "ofdm.standard",
                    s,
                    "MM_STANDARD_NR or MM_STANDARD_LTE",
                ));
            }
        },
        scs_khz: c.scs_khz,
        n_fft: c.n_fft,
        n_sc: c.n_sc,
        n_symbols: SYMBOLS_PER_SLOT,
        cyclic_prefix: match c.cyclic_prefix {
            MM_CP_NORMAL => CyclicPrefix::Normal,
            MM_CP_EXTENDED => CyclicPrefix::Extended,
            s => {
                return Err(invalid(
                    "ofdm.cyclic_prefix",
                    s,
                    "MM_CP_NORMAL or MM_CP_EXTENDED",
                ));
            }
        },
        slot: c.slot,
        scale: c.scale,
    })
}

/// Reads a required config struct.
///
/// # Safety
/// `p`, when not NULL, points to a valid `T`.
unsafe fn read_struct<T: Copy>(what: &str, p: *const T) -> Result<T, Fail> {
    // SAFETY: `p` is NULL or points to a valid `T` (# Safety); checked inside `array`.
    Ok(unsafe { array(what, p, 1) }?[0])
}

fn noise(noise_var: f32) -> Option<f32> {
    (noise_var.is_finite() && noise_var >= 0.0).then_some(noise_var)
}

// ---------------------------------------------------------------------------------------
// Queries.

/// The library version, a static NUL-terminated string.
#[unsafe(no_mangle)]
pub extern "C" fn mm_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The SIMD backend the kernels use on this CPU ("scalar", "avx2", "avx512", "neon"), a
/// static NUL-terminated string.
#[unsafe(no_mangle)]
pub extern "C" fn mm_simd_backend() -> *const c_char {
    match Kernels::new().backend().name() {
        "avx2" => c"avx2".as_ptr(),
        "avx512" => c"avx512".as_ptr(),
        "neon" => c"neon".as_ptr(),
        _ => c"scalar".as_ptr(),
    }
}

/// Why this thread's last failing call failed (argument name and value), NUL-terminated. The
/// pointer stays valid until the next failing call on this thread; successful calls leave it.
#[unsafe(no_mangle)]
pub extern "C" fn mm_last_error() -> *const c_char {
    LAST_ERROR.with(|l| l.borrow().as_ptr())
}

// ---------------------------------------------------------------------------------------
// Pilots.

/// Writes the SRS of `n_users` users multiplexed on one symbol (NR 38.211 §6.4.1.4; comb
/// `comb` ∈ {2, 4, 8}, cyclic shifts spread over the comb's shifts, sequence group 0) on
/// `n_prb` PRBs of OFDM symbol `symbol` into `out` [n_users, 14, 12·n_prb] (zeroed first):
/// the pilot grid `mm_downlink_create` takes.
///
/// # Safety
/// `out` points to `out_len` writable `mm_cf32` (or is NULL with `out_len` 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_srs_write_pilots(
    comb: usize,
    n_prb: usize,
    symbol: usize,
    n_users: usize,
    out: *mut mm_cf32,
    out_len: usize,
) -> mm_status {
    guard(|| {
        // SAFETY: the documented contract of `out`.
        let out = as_c32_mut(unsafe { array_mut("out", out, out_len) }?);
        let grid = view3_mut(
            "out [n_users, 14, 12·n_prb]",
            out,
            (n_users, SYMBOLS_PER_SLOT, 12 * n_prb),
        )?;
        write_multiplexed_users(
            &SrsConfig::single_port(comb, n_prb, symbol, (0, 0)),
            n_users,
            grid,
        )?;
        Ok(())
    })
}

/// Writes NR DMRS (38.211 §7.4.1.1 / §6.4.1.1) of ports 0..n_ports, configuration
/// `dmrs_type` ∈ {1, 2}, on symbol `first_symbol` (and the next one when `double_symbol`),
/// N_ID = (0, 1), n_SCID = 0, into `out` [n_ports, 14, 12·n_prb]: the pilot grid
/// `mm_uplink_create` takes, and what the transmitting layers carry.
///
/// # Safety
/// `out` points to `out_len` writable `mm_cf32` (or is NULL with `out_len` 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_dmrs_write_pilots(
    dmrs_type: u32,
    n_ports: usize,
    first_symbol: usize,
    double_symbol: bool,
    n_prb: usize,
    out: *mut mm_cf32,
    out_len: usize,
) -> mm_status {
    guard(|| {
        let kind = match dmrs_type {
            1 => DmrsType::Type1,
            2 => DmrsType::Type2,
            t => return Err(invalid("dmrs_type", t, "1 or 2")),
        };
        if n_ports == 0 || n_ports > 32 {
            return Err(invalid("n_ports", n_ports, "1..=32"));
        }
        // SAFETY: the documented contract of `out`.
        let out = as_c32_mut(unsafe { array_mut("out", out, out_len) }?);
        let grid = view3_mut(
            "out [n_ports, 14, 12·n_prb]",
            out,
            (n_ports, SYMBOLS_PER_SLOT, 12 * n_prb),
        )?;
        DmrsConfig::new(
            kind,
            (0..n_ports).collect(),
            vec![first_symbol],
            double_symbol,
        )
        .write_pilots(grid)?;
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------
// Downlink.

/// Creates a downlink slot processor for `config` (capacities) and `ofdm`, sounding with the
/// pilot grid `srs_pilots` [n_candidates, 14, n_sc]. `*out` receives the handle (NULL on
/// error). Allocates; call it at start-up, not per slot.
///
/// # Safety
/// `config`, `ofdm` and `out` are valid pointers; `srs_pilots` points to `srs_len` `mm_cf32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_downlink_create(
    config: *const mm_downlink_config,
    ofdm: *const mm_ofdm_config,
    srs_pilots: *const mm_cf32,
    srs_len: usize,
    out: *mut *mut mm_downlink,
) -> mm_status {
    guard(|| {
        // SAFETY: documented contract of `out` (checked non-NULL and aligned first).
        let out = &mut unsafe { array_mut("out", out, 1) }?[0];
        *out = std::ptr::null_mut();
        // SAFETY: documented contracts of `config`, `ofdm`, `srs_pilots`.
        let (c, o) = unsafe { (read_struct("config", config)?, read_struct("ofdm", ofdm)?) };
        // SAFETY: `srs_pilots` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let pilots = as_c32(unsafe { array("srs_pilots", srs_pilots, srs_len) }?);
        let ofdm = ofdm_config(&o)?;
        let cfg = DownlinkConfig {
            n_ant: c.n_antennas,
            n_candidates: c.n_candidates,
            n_layers: c.n_layers,
            n_prb: c.n_prb,
            prg_prbs: c.prg_prbs,
            precoder: match c.precoder {
                MM_PRECODER_MRT => PrecoderKind::Mrt,
                MM_PRECODER_ZF => PrecoderKind::Zf,
                MM_PRECODER_RZF => PrecoderKind::Rzf,
                p => {
                    return Err(invalid(
                        "config.precoder",
                        p,
                        "MM_PRECODER_MRT, _ZF or _RZF",
                    ));
                }
            },
            normalization: match c.normalization {
                MM_NORMALIZATION_COLUMN => Normalization::Column,
                MM_NORMALIZATION_TOTAL => Normalization::Total,
                MM_NORMALIZATION_PER_ANTENNA => Normalization::PerAntenna,
                n => return Err(invalid("config.normalization", n, "MM_NORMALIZATION_*")),
            },
            srs_estimation: match c.srs_estimation {
                MM_SRS_DELAY_DOMAIN => SrsEstimation::DelayDomain,
                MM_SRS_BLOCK_LMMSE => SrsEstimation::BlockLmmse,
                s => return Err(invalid("config.srs_estimation", s, "MM_SRS_*")),
            },
        };
        let pilots = view3(
            "srs_pilots [n_candidates, 14, n_sc]",
            pilots,
            (c.n_candidates, SYMBOLS_PER_SLOT, o.n_sc),
        )?;
        let slot = DownlinkSlot::new(cfg, pilots, &ofdm)?;
        *out = Box::into_raw(Box::new(mm_downlink {
            slot,
            n_antennas: c.n_antennas,
            n_sc: o.n_sc,
            layers: 0,
            ranges: Vec::with_capacity(c.n_prb),
        }));
        Ok(())
    })
}

/// Destroys a downlink handle (NULL is accepted and ignored).
///
/// # Safety
/// `h` comes from `mm_downlink_create` and is not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_downlink_destroy(h: *mut mm_downlink) {
    // SAFETY: the caller's contract (# Safety): `h` is NULL or from its create, destroyed once.
    unsafe { destroy(h) }
}

/// # Safety
/// `h` is NULL or a live handle used by this thread only.
unsafe fn handle<'a, T>(h: *mut T) -> Result<&'a mut T, Fail> {
    if h.is_null() {
        return Err(fail(mm_status::MM_ERROR_NULL_POINTER, "handle is NULL"));
    }
    // SAFETY: a live handle from *_create, used by one thread at a time (documented).
    Ok(unsafe { &mut *h })
}

/// Frees a handle made by `Box::into_raw` in a `*_create` (NULL is ignored; a panic in a
/// destructor is contained).
///
/// # Safety
/// `h` is NULL or a pointer from the matching create, not used afterwards.
unsafe fn destroy<T>(h: *mut T) {
    if !h.is_null() {
        // SAFETY: `h` came from Box::into_raw in the matching create and is destroyed once.
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(h) })));
    }
}

/// Writes `f(handle)` to `*out`: the size queries of the handles.
///
/// # Safety
/// `h` is NULL or a live handle used by this thread only; `out` is NULL or valid.
unsafe fn query<T>(h: *mut T, out: *mut usize, f: impl FnOnce(&mut T) -> usize) -> mm_status {
    guard(|| {
        // SAFETY: `h` is NULL or a live handle used by this thread only (the # Safety contract).
        let x = unsafe { handle(h) }?;
        // SAFETY: `out` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        unsafe { array_mut("out", out, 1) }?[0] = f(x);
        Ok(())
    })
}

/// Estimates every candidate's channel from the received sounding grid `srs_rx`
/// [n_antennas, 14, n_sc]. `noise_var`: the complex noise variance, or a negative / NaN value
/// to estimate it from the pilots.
///
/// # Safety
/// `h` is a live handle; `srs_rx` points to `len` `mm_cf32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_downlink_sound(
    h: *mut mm_downlink,
    srs_rx: *const mm_cf32,
    len: usize,
    noise_var: f32,
) -> mm_status {
    guard(|| {
        // SAFETY: documented contracts of `h` and `srs_rx`.
        let d = unsafe { handle(h) }?;
        // SAFETY: `srs_rx` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let rx = as_c32(unsafe { array("srs_rx", srs_rx, len) }?);
        let rx = view3(
            "srs_rx [n_antennas, 14, n_sc]",
            rx,
            (d.n_antennas, SYMBOLS_PER_SLOT, d.n_sc),
        )?;
        d.slot.sound(rx, noise(noise_var))?;
        Ok(())
    })
}

/// Weights for the `n_users` candidates in `users` (stream j serves candidate `users[j]`),
/// per PRG, with the configured precoder (RZF: α = k·`noise_var`).
///
/// # Safety
/// `h` is a live handle; `users` points to `n_users` `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_downlink_compute_weights(
    h: *mut mm_downlink,
    users: *const usize,
    n_users: usize,
    noise_var: f32,
) -> mm_status {
    guard(|| {
        // SAFETY: documented contracts of `h` and `users`.
        let d = unsafe { handle(h) }?;
        // SAFETY: `users` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let users = unsafe { array("users", users, n_users) }?;
        d.layers = 0;
        d.slot.compute_weights(users, noise_var)?;
        d.layers = n_users;
        Ok(())
    })
}

/// Precodes the layer grid `layers` [k, 14, n_sc] (k = the users of the last
/// `mm_downlink_compute_weights`) into the antenna grid `grid` [n_antennas, 14, n_sc].
///
/// # Safety
/// `h` is a live handle; `layers` / `grid` point to `layers_len` / `grid_len` `mm_cf32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_downlink_precode(
    h: *mut mm_downlink,
    layers: *const mm_cf32,
    layers_len: usize,
    grid: *mut mm_cf32,
    grid_len: usize,
) -> mm_status {
    guard(|| {
        // SAFETY: documented contracts of `h`, `layers`, `grid`.
        let d = unsafe { handle(h) }?;
        // SAFETY: `layers` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let x = unsafe { array("layers", layers, layers_len) }?;
        // SAFETY: `grid` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let y = unsafe { array_mut("grid", grid, grid_len) }?;
        disjoint("layers and grid", x, y)?;
        let x = layer_grid(d, x)?;
        let y = view3_mut(
            "grid [n_antennas, 14, n_sc]",
            as_c32_mut(y),
            (d.n_antennas, SYMBOLS_PER_SLOT, d.n_sc),
        )?;
        d.slot.precode(x, y)?;
        Ok(())
    })
}

/// Precodes the layer grid `layers` [k, 14, n_sc] (as `mm_downlink_precode`) and
/// OFDM-modulates it into `wave` [n_antennas, waveform_len] symbol by symbol: the waveform of
/// `mm_downlink_precode` followed by `mm_downlink_modulate` (bit for bit for PRG weights),
/// without an antenna grid (23.5 MB per NR 100 MHz slot at 64 antennas) in the caller's memory
/// or written and read back.
///
/// # Safety
/// `h` is a live handle; `layers` / `wave` point to `layers_len` / `wave_len` `mm_cf32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_downlink_precode_modulate(
    h: *mut mm_downlink,
    layers: *const mm_cf32,
    layers_len: usize,
    wave: *mut mm_cf32,
    wave_len: usize,
) -> mm_status {
    guard(|| {
        // SAFETY: documented contracts of `h`, `layers`, `wave`.
        let d = unsafe { handle(h) }?;
        // SAFETY: `layers` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let x = unsafe { array("layers", layers, layers_len) }?;
        // SAFETY: `wave` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let w = unsafe { array_mut("wave", wave, wave_len) }?;
        disjoint("layers and wave", x, w)?;
        let x = layer_grid(d, x)?;
        let w = waveform(d, w)?;
        d.slot.precode_modulate(x, w)?;
        Ok(())
    })
}

/// `wave` as the slot's waveform `[n_antennas, waveform_len]`.
fn waveform<'a>(d: &mm_downlink, w: &'a mut [mm_cf32]) -> Result<ArrayViewMut2<'a, C32>, Fail> {
    let n = d.slot.waveform_len();
    expect_len(
        "wave [n_antennas, waveform_len]",
        w.len(),
        &[d.n_antennas, n],
    )?;
    ArrayViewMut2::from_shape((d.n_antennas, n), as_c32_mut(w))
        .map_err(|e| fail(mm_status::MM_ERROR_SHAPE, e.to_string()))
}

/// The layer grid `[k, 14, n_sc]` of the last `mm_downlink_compute_weights` (refused before
/// the first).
fn layer_grid<'a>(d: &mm_downlink, x: &'a [mm_cf32]) -> Result<ArrayView3<'a, C32>, Fail> {
    if d.layers == 0 {
        return Err(invalid(
            "weights",
            "none",
            "call mm_downlink_compute_weights first",
        ));
    }
    view3(
        "layers [k, 14, n_sc]",
        as_c32(x),
        (d.layers, SYMBOLS_PER_SLOT, d.n_sc),
    )
}

/// Samples per antenna of one slot's waveform, into `*out`.
///
/// # Safety
/// `h` is a live handle; `out` a valid pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_downlink_waveform_len(
    h: *mut mm_downlink,
    out: *mut usize,
) -> mm_status {
    // SAFETY: the caller's contract (# Safety) for `h` and `out`.
    unsafe { query(h, out, |d| d.slot.waveform_len()) }
}

/// OFDM-modulates the antenna grid `grid` [n_antennas, 14, n_sc] into `wave`
/// [n_antennas, waveform_len].
///
/// # Safety
/// `h` is a live handle; `grid` / `wave` point to `grid_len` / `wave_len` `mm_cf32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_downlink_modulate(
    h: *mut mm_downlink,
    grid: *const mm_cf32,
    grid_len: usize,
    wave: *mut mm_cf32,
    wave_len: usize,
) -> mm_status {
    guard(|| {
        // SAFETY: documented contracts of `h`, `grid`, `wave`.
        let d = unsafe { handle(h) }?;
        // SAFETY: `grid` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let g = unsafe { array("grid", grid, grid_len) }?;
        // SAFETY: `wave` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let w = unsafe { array_mut("wave", wave, wave_len) }?;
        disjoint("grid and wave", g, w)?;
        let g = view3(
            "grid [n_antennas, 14, n_sc]",
            as_c32(g),
            (d.n_antennas, SYMBOLS_PER_SLOT, d.n_sc),
        )?;
        let w = waveform(d, w)?;
        d.slot.modulate(g, w)?;
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------
// Uplink.

/// Creates an uplink slot processor for `n_antennas` receive antennas whose layers carry the
/// DMRS pilot grid `dmrs_pilots` [n_ports, 14, n_sc] (from `mm_dmrs_write_pilots`), with one
/// detection filter per PRB and MMSE-IRC available. `*out` receives the handle (NULL on
/// error). Allocates; call it at start-up.
///
/// # Safety
/// `ofdm` and `out` are valid pointers; `dmrs_pilots` points to `dmrs_len` `mm_cf32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_uplink_create(
    n_antennas: usize,
    n_ports: usize,
    dmrs_pilots: *const mm_cf32,
    dmrs_len: usize,
    ofdm: *const mm_ofdm_config,
    out: *mut *mut mm_uplink,
) -> mm_status {
    // SAFETY: the caller's contract (# Safety), passed on unchanged.
    unsafe { uplink_create(n_antennas, n_ports, dmrs_pilots, dmrs_len, ofdm, 0, out) }
}

/// `mm_uplink_create` with one detection filter per `filter_subcarriers` subcarriers (1, 2,
/// 3, 4 or 6; 0 = per PRB, as `mm_uplink_create`): the DMRS estimated per subcarrier and each
/// band's MMSE / ZF filter from its own channel — for channels that turn inside a PRB (delay
/// spread at high SNR), at about 3.4× the per-PRB detection's cost for 3 subcarriers. Sub-PRB
/// slots detect with MMSE or ZF only (`MM_DETECTOR_IRC` is refused: the IRC covariance is per
/// PRB). `mm_uplink_layer_noise` stays per PRB (the mean of its bands); the LLRs use each
/// band's own noise. Errors: `filter_subcarriers` not 0, 1, 2, 3, 4 or 6
/// (`MM_ERROR_INVALID_ARGUMENT`),
/// otherwise as `mm_uplink_create`.
///
/// # Safety
/// As `mm_uplink_create`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_uplink_create_sub_prb(
    n_antennas: usize,
    n_ports: usize,
    dmrs_pilots: *const mm_cf32,
    dmrs_len: usize,
    ofdm: *const mm_ofdm_config,
    filter_subcarriers: usize,
    out: *mut *mut mm_uplink,
) -> mm_status {
    // SAFETY: the caller's contract (# Safety), passed on unchanged.
    unsafe {
        uplink_create(
            n_antennas,
            n_ports,
            dmrs_pilots,
            dmrs_len,
            ofdm,
            filter_subcarriers,
            out,
        )
    }
}

/// The two uplink constructors: per-PRB filters with IRC (`filter_subcarriers` 0) or sub-PRB
/// MMSE / ZF filters.
///
/// # Safety
/// As `mm_uplink_create`.
unsafe fn uplink_create(
    n_antennas: usize,
    n_ports: usize,
    dmrs_pilots: *const mm_cf32,
    dmrs_len: usize,
    ofdm: *const mm_ofdm_config,
    filter_subcarriers: usize,
    out: *mut *mut mm_uplink,
) -> mm_status {
    guard(|| {
        // SAFETY: documented contracts of `out`, `ofdm`, `dmrs_pilots`.
        let out = &mut unsafe { array_mut("out", out, 1) }?[0];
        *out = std::ptr::null_mut();
        // SAFETY: `ofdm` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let o = unsafe { read_struct("ofdm", ofdm) }?;
        // SAFETY: `dmrs_pilots` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let p = as_c32(unsafe { array("dmrs_pilots", dmrs_pilots, dmrs_len) }?);
        let p = view3(
            "dmrs_pilots [n_ports, 14, n_sc]",
            p,
            (n_ports, SYMBOLS_PER_SLOT, o.n_sc),
        )?;
        let slot = UplinkSlot::new(n_antennas, PilotPattern::from_pilots(p)?, &ofdm_config(&o)?)?;
        let slot = match filter_subcarriers {
            0 => slot.with_default_irc()?,
            s => slot.with_sub_prb_filters(s)?,
        };
        *out = Box::into_raw(Box::new(mm_uplink {
            slot,
            n_antennas,
            n_sc: o.n_sc,
            n_prb: o.n_sc / SUBCARRIERS_PER_PRB,
            ranges: Vec::with_capacity(o.n_sc / SUBCARRIERS_PER_PRB),
        }));
        Ok(())
    })
}

/// Destroys an uplink handle (NULL is accepted and ignored).
///
/// # Safety
/// `h` comes from `mm_uplink_create` and is not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_uplink_destroy(h: *mut mm_uplink) {
    // SAFETY: the caller's contract (# Safety): `h` is NULL or from its create, destroyed once.
    unsafe { destroy(h) }
}

/// Samples per antenna of one slot's received waveform, into `*out`.
///
/// # Safety
/// `h` is a live handle; `out` a valid pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_uplink_waveform_len(h: *mut mm_uplink, out: *mut usize) -> mm_status {
    // SAFETY: the caller's contract (# Safety) for `h` and `out`.
    unsafe { query(h, out, |u| u.slot.waveform_len()) }
}

/// OFDM-demodulates `wave` [n_antennas, waveform_len] into the slot's grid.
///
/// # Safety
/// `h` is a live handle; `wave` points to `len` `mm_cf32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_uplink_demodulate(
    h: *mut mm_uplink,
    wave: *const mm_cf32,
    len: usize,
) -> mm_status {
    guard(|| {
        // SAFETY: documented contracts of `h` and `wave`.
        let u = unsafe { handle(h) }?;
        // SAFETY: `wave` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let w = as_c32(unsafe { array("wave", wave, len) }?);
        let n = u.slot.waveform_len();
        expect_len(
            "wave [n_antennas, waveform_len]",
            w.len(),
            &[u.n_antennas, n],
        )?;
        let w = ArrayView2::from_shape((u.n_antennas, n), w)
            .map_err(|e| fail(mm_status::MM_ERROR_SHAPE, e.to_string()))?;
        u.slot.demodulate(w)?;
        Ok(())
    })
}

/// Copies a frequency-domain received grid `grid` [n_antennas, 14, n_sc] into the slot (the
/// O-RAN 7.2x split, where the radio did the FFT).
///
/// # Safety
/// `h` is a live handle; `grid` points to `len` `mm_cf32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_uplink_set_grid(
    h: *mut mm_uplink,
    grid: *const mm_cf32,
    len: usize,
) -> mm_status {
    guard(|| {
        // SAFETY: documented contracts of `h` and `grid`.
        let u = unsafe { handle(h) }?;
        // SAFETY: `grid` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let g = as_c32(unsafe { array("grid", grid, len) }?);
        let g = view3(
            "grid [n_antennas, 14, n_sc]",
            g,
            (u.n_antennas, SYMBOLS_PER_SLOT, u.n_sc),
        )?;
        u.slot.grid_mut().assign(&g);
        Ok(())
    })
}

/// DMRS estimation, then per-PRB `method` (`MM_DETECTOR_*`, `unbiased` removes the MMSE
/// bias) for every DMRS port on every PRB. `noise_var`: the complex noise variance, or a
/// negative / NaN value to use the estimator's measurement.
///
/// # Safety
/// `h` is a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_uplink_detect(
    h: *mut mm_uplink,
    method: u32,
    unbiased: bool,
    noise_var: f32,
) -> mm_status {
    guard(|| {
        // SAFETY: documented contract of `h`.
        let u = unsafe { handle(h) }?;
        u.slot
            .detect(detector_method(method, unbiased)?, noise(noise_var))?;
        Ok(())
    })
}

/// Copies the detected layers [k, 14, n_sc] of the last detection into `out` (zero on the
/// symbols without data: a symbol whose every subcarrier of the DMRS band carries DMRS, as with
/// ports in every CDM group, is not detected).
///
/// # Safety
/// `h` is a live handle; `out` points to `len` writable `mm_cf32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_uplink_layers(
    h: *mut mm_uplink,
    out: *mut mm_cf32,
    len: usize,
) -> mm_status {
    guard(|| {
        // SAFETY: documented contracts of `h` and `out`.
        let u = unsafe { handle(h) }?;
        // SAFETY: `out` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let o = as_c32_mut(unsafe { array_mut("out", out, len) }?);
        let x = u.slot.layers();
        let d = x.dim();
        let mut o = view3_mut("out [k, 14, n_sc]", o, d)?;
        o.assign(&x);
        Ok(())
    })
}

/// Max-log LLRs (38.211 §5.1 bit order, positive = 0) of layer `layer` on OFDM symbol `symbol`
/// for modulation order `qm` (1 = BPSK, 2 = QPSK … 10 = 1024QAM) into `out` (n_sc·qm values).
/// `symbol` must be a data symbol (not one the DMRS fills whole: `MM_ERROR_INVALID_ARGUMENT`).
///
/// # Safety
/// `h` is a live handle; `out` points to `len` writable `float`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_uplink_llrs(
    h: *mut mm_uplink,
    qm: u32,
    layer: usize,
    symbol: usize,
    out: *mut f32,
    len: usize,
) -> mm_status {
    guard(|| {
        // SAFETY: documented contracts of `h` and `out`.
        let u = unsafe { handle(h) }?;
        // SAFETY: `out` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let o = unsafe { array_mut("out", out, len) }?;
        let m = modulation(qm)?;
        expect_len("out [n_sc · qm]", o.len(), &[u.n_sc, qm as usize])?;
        u.slot.llrs(m, layer, symbol, o)?;
        Ok(())
    })
}

/// Reads the C groups into `ranges` (the handle's buffer, capacity = the carrier's PRBs: disjoint
/// non-empty ranges cannot be more) and calls `f` with the `MuGroup`s — built on the stack, so
/// nothing is allocated.
///
/// # Safety
/// `groups` points to `n_groups` valid `mm_mu_group` whose `users` / `ranges` point to their
/// counts.
unsafe fn with_groups<R>(
    groups: *const mm_mu_group,
    n_groups: usize,
    n_prb: usize,
    ranges: &mut Vec<Range<usize>>,
    f: impl FnOnce(&[MuGroup<'_>]) -> Result<R, Fail>,
) -> Result<R, Fail> {
    // SAFETY: `groups` is valid for its count (# Safety); NULL, alignment and size are checked inside.
    let gs = unsafe { array("groups", groups, n_groups) }?;
    if gs.is_empty() || gs.len() > MM_MAX_GROUPS {
        return Err(invalid("n_groups", gs.len(), "1..=MM_MAX_GROUPS (64)"));
    }
    ranges.clear();
    let mut spans = [(0usize, 0usize); MM_MAX_GROUPS];
    for (g, span) in gs.iter().zip(spans.iter_mut()) {
        // SAFETY: each group's `ranges` is valid for `n_ranges` (# Safety); checked inside.
        let rs = unsafe { array("groups[].ranges", g.ranges, g.n_ranges) }?;
        if ranges.len() + rs.len() > ranges.capacity() {
            return Err(invalid(
                "groups[].n_ranges (total)",
                ranges.len() + rs.len(),
                "at most the carrier's PRBs",
            ));
        }
        let start = ranges.len();
        ranges.extend(rs.iter().map(|r| r.start..r.end));
        *span = (start, ranges.len());
    }
    let dummy_range = [Range { start: 0, end: 1 }];
    let dummy = MuGroup {
        users: &[],
        prbs: PrbAllocation::new(&dummy_range, 1)?,
    };
    let mut built = [dummy; MM_MAX_GROUPS];
    for ((g, &(a, b)), slot) in gs.iter().zip(&spans).zip(built.iter_mut()) {
        // SAFETY: each group's `users` is valid for `n_users` (# Safety); checked inside.
        let users = unsafe { array("groups[].users", g.users, g.n_users) }?;
        *slot = MuGroup {
            users,
            prbs: PrbAllocation::new(&ranges[a..b], n_prb)?,
        };
    }
    f(&built[..gs.len()])
}

/// Weights for one slot's MU-MIMO groups (each group's users share its PRBs; streams are
/// numbered group by group, users in order), per PRG, with the configured precoder. The
/// layer grid of `mm_downlink_precode` then holds the total streams of all groups.
///
/// # Safety
/// `h` is a live handle; `groups` points to `n_groups` valid groups (see `mm_mu_group`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_downlink_compute_group_weights(
    h: *mut mm_downlink,
    groups: *const mm_mu_group,
    n_groups: usize,
    noise_var: f32,
) -> mm_status {
    guard(|| {
        // SAFETY: `h` is NULL or a live handle used by this thread only (the # Safety contract).
        let d = unsafe { handle(h) }?;
        d.layers = 0;
        let n_prb = d.n_sc / SUBCARRIERS_PER_PRB;
        let slot = &mut d.slot;
        // SAFETY: the contract of `groups` (# Safety).
        let total = unsafe {
            with_groups(groups, n_groups, n_prb, &mut d.ranges, |gs| {
                slot.compute_group_weights(gs, noise_var)?;
                Ok(gs.iter().map(|g| g.users.len()).sum())
            })
        }?;
        d.layers = total;
        Ok(())
    })
}

/// DMRS estimation and per-PRB `method` detection of one slot's MU-MIMO groups (each group's
/// DMRS ports on its PRBs; detected streams numbered group by group). `noise_var` as in
/// `mm_uplink_detect`.
///
/// # Safety
/// `h` is a live handle; `groups` points to `n_groups` valid groups.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_uplink_detect_groups(
    h: *mut mm_uplink,
    groups: *const mm_mu_group,
    n_groups: usize,
    method: u32,
    unbiased: bool,
    noise_var: f32,
) -> mm_status {
    guard(|| {
        // SAFETY: `h` is NULL or a live handle used by this thread only (the # Safety contract).
        let u = unsafe { handle(h) }?;
        let m = detector_method(method, unbiased)?;
        let slot = &mut u.slot;
        // SAFETY: the contract of `groups` (# Safety).
        unsafe {
            with_groups(groups, n_groups, u.n_prb, &mut u.ranges, |gs| {
                slot.detect_groups(gs, m, noise(noise_var))?;
                Ok(())
            })
        }
    })
}

fn detector_method(method: u32, unbiased: bool) -> Result<DetectorMethod, Fail> {
    Ok(match method {
        MM_DETECTOR_ZF => DetectorMethod::Zf,
        MM_DETECTOR_MMSE => DetectorMethod::Mmse { unbiased },
        MM_DETECTOR_IRC => DetectorMethod::Irc { unbiased },
        m => return Err(invalid("method", m, "MM_DETECTOR_ZF, _MMSE or _IRC")),
    })
}

// ---------------------------------------------------------------------------------------
// Stand-alone blocks: OFDM, QAM.

/// OFDM modulator (opaque): frequency-domain grids to time-domain waveforms.
pub struct mm_ofdm_modulator {
    inner: OfdmModulator,
    n_sc: usize,
}

/// OFDM demodulator (opaque): waveforms to frequency-domain grids.
pub struct mm_ofdm_demodulator {
    inner: OfdmDemodulator,
    n_sc: usize,
}

/// Creates an OFDM modulator for `ofdm` (14-symbol slots); `*out` receives the handle.
///
/// # Safety
/// `ofdm` and `out` are valid pointers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_ofdm_modulator_create(
    ofdm: *const mm_ofdm_config,
    out: *mut *mut mm_ofdm_modulator,
) -> mm_status {
    guard(|| {
        // SAFETY: `out` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let out = &mut unsafe { array_mut("out", out, 1) }?[0];
        *out = std::ptr::null_mut();
        // SAFETY: `ofdm` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let o = unsafe { read_struct("ofdm", ofdm) }?;
        let inner = OfdmModulator::new(&ofdm_config(&o)?)?;
        *out = Box::into_raw(Box::new(mm_ofdm_modulator {
            inner,
            n_sc: o.n_sc,
        }));
        Ok(())
    })
}

/// Samples per antenna of one modulated slot, into `*out`.
///
/// # Safety
/// `h` is a live handle; `out` a valid pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_ofdm_modulator_output_len(
    h: *mut mm_ofdm_modulator,
    out: *mut usize,
) -> mm_status {
    // SAFETY: the caller's contract (# Safety) for `h` and `out`.
    unsafe { query(h, out, |m| m.inner.output_len()) }
}

/// Modulates `grid` [n_antennas, 14, n_sc] into `wave` [n_antennas, output_len].
///
/// # Safety
/// `h` is a live handle; `grid` / `wave` point to `grid_len` / `wave_len` `mm_cf32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_ofdm_modulate(
    h: *mut mm_ofdm_modulator,
    n_antennas: usize,
    grid: *const mm_cf32,
    grid_len: usize,
    wave: *mut mm_cf32,
    wave_len: usize,
) -> mm_status {
    guard(|| {
        // SAFETY: `h` is NULL or a live handle used by this thread only (the # Safety contract).
        let m = unsafe { handle(h) }?;
        // SAFETY: `grid` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let g = unsafe { array("grid", grid, grid_len) }?;
        // SAFETY: `wave` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let w = unsafe { array_mut("wave", wave, wave_len) }?;
        disjoint("grid and wave", g, w)?;
        let n = m.inner.output_len();
        let g = view3(
            "grid [n_antennas, 14, n_sc]",
            as_c32(g),
            (n_antennas, SYMBOLS_PER_SLOT, m.n_sc),
        )?;
        expect_len("wave [n_antennas, output_len]", w.len(), &[n_antennas, n])?;
        let w = ArrayViewMut2::from_shape((n_antennas, n), as_c32_mut(w))
            .map_err(|e| fail(mm_status::MM_ERROR_SHAPE, e.to_string()))?;
        m.inner.process_antennas(g, w)?;
        Ok(())
    })
}

/// How `mm_ofdm_modulate` writes the waveform: `MM_OUTPUT_STREAMING` (default) or
/// `MM_OUTPUT_CACHED`; the samples are the same either way.
///
/// # Safety
/// `h` is a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_ofdm_modulator_set_output_stores(
    h: *mut mm_ofdm_modulator,
    stores: u32,
) -> mm_status {
    guard(|| {
        // SAFETY: `h` is NULL or a live handle used by this thread only (the # Safety contract).
        let m = unsafe { handle(h) }?;
        m.inner.set_output_stores(output_stores(stores)?);
        Ok(())
    })
}

/// Destroys a modulator (NULL is ignored).
///
/// # Safety
/// `h` comes from `mm_ofdm_modulator_create` and is not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_ofdm_modulator_destroy(h: *mut mm_ofdm_modulator) {
    // SAFETY: the caller's contract (# Safety): `h` is NULL or from its create, destroyed once.
    unsafe { destroy(h) }
}

/// Creates an OFDM demodulator for `ofdm`, its DFT window `window` ∈ [0, 1] of the cyclic
/// prefix into the CP (0.5: centred); `*out` receives the handle.
///
/// # Safety
/// `ofdm` and `out` are valid pointers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_ofdm_demodulator_create(
    ofdm: *const mm_ofdm_config,
    window: f64,
    out: *mut *mut mm_ofdm_demodulator,
) -> mm_status {
    guard(|| {
        // SAFETY: `out` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let out = &mut unsafe { array_mut("out", out, 1) }?[0];
        *out = std::ptr::null_mut();
        // SAFETY: `ofdm` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let o = unsafe { read_struct("ofdm", ofdm) }?;
        let inner = OfdmDemodulator::new(&ofdm_config(&o)?, window)?;
        *out = Box::into_raw(Box::new(mm_ofdm_demodulator {
            inner,
            n_sc: o.n_sc,
        }));
        Ok(())
    })
}

/// Samples per antenna the demodulator reads per slot, into `*out`.
///
/// # Safety
/// `h` is a live handle; `out` a valid pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_ofdm_demodulator_input_len(
    h: *mut mm_ofdm_demodulator,
    out: *mut usize,
) -> mm_status {
    // SAFETY: the caller's contract (# Safety) for `h` and `out`.
    unsafe { query(h, out, |d| d.inner.input_len()) }
}

/// Demodulates `wave` [n_antennas, input_len] into `grid` [n_antennas, 14, n_sc].
///
/// # Safety
/// `h` is a live handle; `wave` / `grid` point to `wave_len` / `grid_len` `mm_cf32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_ofdm_demodulate(
    h: *mut mm_ofdm_demodulator,
    n_antennas: usize,
    wave: *const mm_cf32,
    wave_len: usize,
    grid: *mut mm_cf32,
    grid_len: usize,
) -> mm_status {
    guard(|| {
        // SAFETY: `h` is NULL or a live handle used by this thread only (the # Safety contract).
        let d = unsafe { handle(h) }?;
        // SAFETY: `wave` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let w = unsafe { array("wave", wave, wave_len) }?;
        // SAFETY: `grid` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let g = unsafe { array_mut("grid", grid, grid_len) }?;
        disjoint("wave and grid", w, g)?;
        let n = d.inner.input_len();
        expect_len("wave [n_antennas, input_len]", w.len(), &[n_antennas, n])?;
        let w = ArrayView2::from_shape((n_antennas, n), as_c32(w))
            .map_err(|e| fail(mm_status::MM_ERROR_SHAPE, e.to_string()))?;
        let g = view3_mut(
            "grid [n_antennas, 14, n_sc]",
            as_c32_mut(g),
            (n_antennas, SYMBOLS_PER_SLOT, d.n_sc),
        )?;
        d.inner.process_antennas(w, g)?;
        Ok(())
    })
}

/// How `mm_ofdm_demodulate` writes the grid: `MM_OUTPUT_STREAMING` (default) or
/// `MM_OUTPUT_CACHED`; the values are the same either way.
///
/// # Safety
/// `h` is a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_ofdm_demodulator_set_output_stores(
    h: *mut mm_ofdm_demodulator,
    stores: u32,
) -> mm_status {
    guard(|| {
        // SAFETY: `h` is NULL or a live handle used by this thread only (the # Safety contract).
        let d = unsafe { handle(h) }?;
        d.inner.set_output_stores(output_stores(stores)?);
        Ok(())
    })
}

fn output_stores(stores: u32) -> Result<OutputStores, Fail> {
    Ok(match stores {
        MM_OUTPUT_STREAMING => OutputStores::Streaming,
        MM_OUTPUT_CACHED => OutputStores::Cached,
        v => {
            return Err(invalid(
                "stores",
                v,
                "MM_OUTPUT_STREAMING or MM_OUTPUT_CACHED",
            ));
        }
    })
}

/// Destroys a demodulator (NULL is ignored).
///
/// # Safety
/// `h` comes from `mm_ofdm_demodulator_create` and is not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_ofdm_demodulator_destroy(h: *mut mm_ofdm_demodulator) {
    // SAFETY: the caller's contract (# Safety): `h` is NULL or from its create, destroyed once.
    unsafe { destroy(h) }
}

fn modulation(qm: u32) -> Result<Modulation, Fail> {
    Ok(Modulation::from_bits_per_symbol(qm)?)
}

/// Maps `n_symbols·qm` bits (one per byte, 0/1) to `n_symbols` unit-energy symbols
/// (38.211 §5.1; qm 1 = BPSK, 2 = QPSK … 10 = 1024QAM).
///
/// # Safety
/// `bits` points to `n_bits` bytes, `symbols` to `n_symbols` writable `mm_cf32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_qam_map(
    qm: u32,
    bits: *const u8,
    n_bits: usize,
    symbols: *mut mm_cf32,
    n_symbols: usize,
) -> mm_status {
    guard(|| {
        // SAFETY: `bits` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let b = unsafe { array("bits", bits, n_bits) }?;
        // SAFETY: `symbols` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let s = unsafe { array_mut("symbols", symbols, n_symbols) }?;
        massive_mimo::modulation::map(modulation(qm)?, b, as_c32_mut(s))?;
        Ok(())
    })
}

/// The demappers' symbols, noise variances and LLR output as slices.
type DemapArgs<'a, T> = (&'a [mm_cf32], &'a [f32], &'a mut [T]);

/// The arguments of the demappers as slices: symbols and noise variances (`n_symbols` each)
/// and the LLR output (`n_llr`), checked for NULL, alignment and overlap with the output.
///
/// # Safety
/// The pointers must be valid for their counts (the callers' # Safety).
unsafe fn demap_args<'a, T>(
    symbols: *const mm_cf32,
    noise_var: *const f32,
    n_symbols: usize,
    llr: *mut T,
    n_llr: usize,
) -> Result<DemapArgs<'a, T>, Fail> {
    // SAFETY: `symbols` is valid for its count (# Safety); NULL, alignment and size are checked inside.
    let s = unsafe { array("symbols", symbols, n_symbols) }?;
    // SAFETY: `noise_var` is valid for its count (# Safety); NULL, alignment and size are checked inside.
    let nv = unsafe { array("noise_var", noise_var, n_symbols) }?;
    // SAFETY: `llr` is valid for its count (# Safety); NULL, alignment and size are checked inside.
    let l = unsafe { array_mut("llr", llr, n_llr) }?;
    disjoint("noise_var and llr", nv, l)?;
    disjoint("symbols and llr", s, l)?;
    Ok((s, nv, l))
}

/// LLRs (ln P(b=0)/P(b=1), 38.211 §5.1 bit order) of `n_symbols` symbols with per-symbol
/// complex noise variances `noise_var` into `llr` (n_symbols·qm): max-log, or exact when
/// `exact`.
///
/// # Safety
/// `symbols` / `noise_var` point to `n_symbols` values, `llr` to `n_llr` writable floats.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_qam_demap(
    qm: u32,
    exact: bool,
    symbols: *const mm_cf32,
    noise_var: *const f32,
    n_symbols: usize,
    llr: *mut f32,
    n_llr: usize,
) -> mm_status {
    guard(|| {
        // SAFETY: the three arrays are valid for their counts (# Safety).
        let (s, nv, l) = unsafe { demap_args(symbols, noise_var, n_symbols, llr, n_llr) }?;
        let method = if exact {
            DemapMethod::Exact
        } else {
            DemapMethod::MaxLog
        };
        massive_mimo::modulation::demap(modulation(qm)?, method, as_c32(s), nv, l)?;
        Ok(())
    })
}

/// Max-log LLRs saturated to int8 for a fixed-point decoder: `llr[i] = clamp(round(llr_scale ·
/// LLR_i), −127, 127)` (half to even; −128 never appears), LLR as in [`mm_qam_demap`]
/// (38.211 §5.1 bit order, per-symbol complex noise variance), one output step = an LLR of
/// 1/`llr_scale` (finite, ≥ 0). A non-finite symbol gives zeros.
///
/// # Safety
/// `symbols` / `noise_var` point to `n_symbols` values, `llr` to `n_llr` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_qam_demap_i8(
    qm: u32,
    symbols: *const mm_cf32,
    noise_var: *const f32,
    n_symbols: usize,
    llr_scale: f32,
    llr: *mut i8,
    n_llr: usize,
) -> mm_status {
    guard(|| {
        // SAFETY: the three arrays are valid for their counts (# Safety).
        let (s, nv, l) = unsafe { demap_args(symbols, noise_var, n_symbols, llr, n_llr) }?;
        massive_mimo::modulation::demap_i8(modulation(qm)?, as_c32(s), nv, llr_scale, l)?;
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------
// Fronthaul and rates.

/// O-RAN block floating point compression (O-RAN.WG4.CUS Annex A.1.1) of `n_values` int16
/// (whole PRBs of 12 REs × (I, Q): a multiple of 24) at `iq_width` ∈ 1..=16 bits into
/// `payload` (n_prb·(1 + 3·iq_width) bytes).
///
/// # Safety
/// `iq` points to `n_values` `int16_t`, `payload` to `payload_len` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_bfp_compress(
    iq_width: u32,
    iq: *const i16,
    n_values: usize,
    payload: *mut u8,
    payload_len: usize,
) -> mm_status {
    guard(|| {
        // SAFETY: documented contracts of `iq` and `payload`.
        let x = unsafe { array("iq", iq, n_values) }?;
        // SAFETY: `payload` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let p = unsafe { array_mut("payload", payload, payload_len) }?;
        disjoint("iq and payload", x, p)?;
        let w = IqWidth::new(iq_width)?;
        massive_mimo::fronthaul::Bfp::new(w).compress(x, p)?;
        Ok(())
    })
}

/// The inverse of `mm_bfp_compress` (exact); an exponent above 16 − iq_width is
/// `MM_ERROR_INVALID_ARGUMENT`.
///
/// # Safety
/// `payload` points to `payload_len` bytes, `iq` to `n_values` writable `int16_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_bfp_decompress(
    iq_width: u32,
    payload: *const u8,
    payload_len: usize,
    iq: *mut i16,
    n_values: usize,
) -> mm_status {
    guard(|| {
        // SAFETY: documented contracts of `payload` and `iq`.
        let p = unsafe { array("payload", payload, payload_len) }?;
        // SAFETY: `iq` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let x = unsafe { array_mut("iq", iq, n_values) }?;
        disjoint("payload and iq", p, x)?;
        let w = IqWidth::new(iq_width)?;
        massive_mimo::fronthaul::Bfp::new(w).decompress(p, x)?;
        Ok(())
    })
}

/// Creates a U-plane codec: `comp_method` `MM_COMP_BFP` (with `iq_width` 1..=16) or
/// `MM_COMP_NONE` (`iq_width` 16), a carrier of `n_prb` PRBs (1..=275), `scale` int16 LSBs
/// per unit of the grid's samples (finite, > 0).
///
/// # Safety
/// `out` is a valid pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_uplane_codec_create(
    comp_method: u32,
    iq_width: u32,
    n_prb: u16,
    scale: f32,
    out: *mut *mut mm_uplane_codec,
) -> mm_status {
    guard(|| {
        // SAFETY: `out` is valid for one pointer (# Safety); NULL and alignment are checked inside.
        let out = unsafe { array_mut("out", out, 1) }?;
        let method = match comp_method {
            MM_COMP_NONE => CompMethod::None,
            MM_COMP_BFP => CompMethod::BlockFloatingPoint,
            m => return Err(invalid("comp_method", m, "MM_COMP_NONE or MM_COMP_BFP")),
        };
        let comp = CompHeader {
            width: IqWidth::new(iq_width)?,
            method,
        };
        let codec = UplaneCodec::new(comp, n_prb, scale)?;
        out[0] = Box::into_raw(Box::new(mm_uplane_codec {
            codec,
            n_prb: usize::from(n_prb),
        }));
        Ok(())
    })
}

/// Destroys a U-plane codec (NULL is accepted and ignored).
///
/// # Safety
/// `h` comes from `mm_uplane_codec_create` and is not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_uplane_codec_destroy(h: *mut mm_uplane_codec) {
    // SAFETY: the caller's contract (# Safety): `h` is NULL or from its create, destroyed once.
    unsafe { destroy(h) }
}

/// How the codec's reads (`mm_uplink_receive_uplane`) store the rows they decode:
/// `MM_OUTPUT_STREAMING` (past the caches) or `MM_OUTPUT_CACHED` (left in the cache for the
/// detection that reads them next); the values are the same either way. Default: cached where
/// the last-level cache holds 64 MiB or more, streaming otherwise
/// (`OutputStores::for_next_block`).
///
/// # Safety
/// `h` is a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_uplane_codec_set_output_stores(
    h: *mut mm_uplane_codec,
    stores: u32,
) -> mm_status {
    guard(|| {
        // SAFETY: `h` is NULL or a live handle used by this thread only (the # Safety contract).
        let c = unsafe { handle(h) }?;
        c.codec.set_output_stores(output_stores(stores)?);
        Ok(())
    })
}

/// Bytes of one whole-carrier message of the codec (application header and one section of
/// every PRB), into `*out`.
///
/// # Safety
/// `h` is a live handle; `out` a valid pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_uplane_message_len(
    h: *mut mm_uplane_codec,
    out: *mut usize,
) -> mm_status {
    // SAFETY: the caller's contract (# Safety).
    unsafe {
        query(h, out, |c| {
            UPLANE_HEADER_BYTES + c.codec.section_bytes(c.n_prb)
        })
    }
}

/// Writes one U-plane message: the application header `*timing`, then one section
/// (`section_id`) carrying every PRB of the carrier from `row` (one symbol of one eAxC, n_prb·12
/// samples). The bytes written go to `*written` (`mm_uplane_message_len`).
///
/// # Safety
/// `h` is a live handle; `timing`, `written` valid pointers; `row` points to `row_len`
/// `mm_cf32`, `message` to `message_len` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_uplane_write_message(
    h: *mut mm_uplane_codec,
    timing: *const mm_uplane_timing,
    section_id: u16,
    row: *const mm_cf32,
    row_len: usize,
    message: *mut u8,
    message_len: usize,
    written: *mut usize,
) -> mm_status {
    guard(|| {
        // SAFETY: documented contracts of `h`, `timing`, `row`, `message`, `written`.
        let c = unsafe { handle(h) }?;
        // SAFETY: `timing` is valid for one struct (# Safety); NULL and alignment are checked inside.
        let t = unsafe { array("timing", timing, 1) }?[0].to_rust()?;
        // SAFETY: `row` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let x = unsafe { array("row", row, row_len) }?;
        // SAFETY: `message` is valid for its count (# Safety); NULL and size are checked inside.
        let m = unsafe { array_mut("message", message, message_len) }?;
        disjoint("row and message", x, m)?;
        expect_len("row [n_prb · 12]", row_len, &[c.n_prb * 12])?;
        let n = c.codec.write_message(&t, section_id, as_c32(x), m)?;
        // SAFETY: `written` is valid for one `size_t` (# Safety); checked inside.
        unsafe { array_mut("written", written, 1) }?[0] = n;
        Ok(())
    })
}

/// The 7.2x uplink: decodes one U-plane message of receive antenna `antenna` into the slot's
/// grid (its symbol from the message's header; every section's PRBs), screening the row as it
/// writes it (what `mm_uplink_demodulate` does for a waveform); then `mm_uplink_detect`.
///
/// # Safety
/// `h`, `codec` are live handles; `message` points to `message_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_uplink_receive_uplane(
    h: *mut mm_uplink,
    codec: *mut mm_uplane_codec,
    antenna: usize,
    message: *const u8,
    message_len: usize,
) -> mm_status {
    guard(|| {
        // SAFETY: documented contracts of `h`, `codec`, `message`.
        let u = unsafe { handle(h) }?;
        // SAFETY: as above; a codec handle is a different object from the uplink handle.
        let c = unsafe { handle(codec) }?;
        // SAFETY: `message` is valid for its count (# Safety); NULL and size are checked inside.
        let m = unsafe { array("message", message, message_len) }?;
        u.slot.receive_uplane(&mut c.codec, antenna, m)?;
        Ok(())
    })
}

/// The category-A 7.2x downlink: precodes the layer grid `layers` [k, 14, n_sc] (as
/// `mm_downlink_precode`) and writes every antenna's row of every symbol as one U-plane
/// message (header `*timing` with symbolId l, one section `section_id` of every PRB) into
/// `messages`: n_antennas · 14 messages of `message_len` bytes (≥ `mm_uplane_message_len`),
/// antenna-major (antenna a, symbol l at byte (a·14 + l)·message_len). Symbol by symbol,
/// without an antenna grid in memory; the bytes equal `mm_downlink_precode` followed by
/// `mm_uplane_write_message` per row for PRG weights.
///
/// # Safety
/// `h`, `codec` are live handles; `timing` a valid pointer; `layers` points to `layers_len`
/// `mm_cf32`, `messages` to `messages_len` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_downlink_precode_uplane(
    h: *mut mm_downlink,
    layers: *const mm_cf32,
    layers_len: usize,
    codec: *mut mm_uplane_codec,
    timing: *const mm_uplane_timing,
    section_id: u16,
    messages: *mut u8,
    messages_len: usize,
    message_len: usize,
) -> mm_status {
    guard(|| {
        // SAFETY: documented contracts of `h`, `codec`, `timing`, `layers`, `messages`.
        let d = unsafe { handle(h) }?;
        // SAFETY: as above; a codec handle is a different object from the downlink handle.
        let c = unsafe { handle(codec) }?;
        // SAFETY: `timing` is valid for one struct (# Safety); NULL and alignment are checked inside.
        let t = unsafe { array("timing", timing, 1) }?[0].to_rust()?;
        // SAFETY: `layers` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let x = unsafe { array("layers", layers, layers_len) }?;
        // SAFETY: `messages` is valid for its count (# Safety); NULL and size are checked inside.
        let m = unsafe { array_mut("messages", messages, messages_len) }?;
        disjoint("layers and messages", x, m)?;
        let x = layer_grid(d, x)?;
        d.slot
            .precode_uplane(x, &mut c.codec, &t, section_id, m, message_len)?;
        Ok(())
    })
}

/// LTE transport block size (36.213 §7.1.7.2): `i_tbs` 0..=33, `n_prb` 1..=110, `layers`
/// 1..=4, `prb_scale` 1, 0.75 or 0.375 (DwPTS), into `*tbs` (bits).
///
/// # Safety
/// `tbs` is a valid pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_lte_tbs(
    i_tbs: u32,
    n_prb: u32,
    layers: u32,
    prb_scale: f64,
    tbs: *mut u32,
) -> mm_status {
    guard(|| {
        // SAFETY: documented contract of `tbs`.
        let out = unsafe { array_mut("tbs", tbs, 1) }?;
        out[0] = lte_tbs(i_tbs, n_prb, layers, PrbScaling::from_factor(prb_scale)?)?;
        Ok(())
    })
}

/// NR transport block size (38.214 §5.1.3.2) for modulation order `qm` (2 … 10), target
/// code rate `code_rate` (R, e.g. 948/1024), `layers` 1..=8, `n_prb` PRBs with `n_re_per_prb`
/// data REs each (before the cap of 156) and `x_overhead` ∈ {0, 6, 12, 18}, into `*tbs`.
///
/// # Safety
/// `tbs` is a valid pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mm_nr_tbs(
    qm: u32,
    code_rate: f64,
    layers: u32,
    n_prb: u32,
    n_re_per_prb: u32,
    x_overhead: u32,
    tbs: *mut u32,
) -> mm_status {
    guard(|| {
        // SAFETY: `tbs` is valid for its count (# Safety); NULL, alignment and size are checked inside.
        let out = unsafe { array_mut("tbs", tbs, 1) }?;
        out[0] = massive_mimo::rate::nr_tbs(&massive_mimo::rate::NrTbsInput {
            modulation: modulation(qm)?,
            code_rate,
            layers,
            n_prb,
            n_re_per_prb,
            x_overhead,
        })?;
        Ok(())
    })
}

/// Subcarriers per PRB (12), for sizing arrays.
pub const MM_SUBCARRIERS_PER_PRB: usize = 12;
/// OFDM symbols per slot (14), for sizing arrays.
pub const MM_SYMBOLS_PER_SLOT: usize = 14;
const _: () = assert!(
    MM_SUBCARRIERS_PER_PRB == SUBCARRIERS_PER_PRB && MM_SYMBOLS_PER_SLOT == SYMBOLS_PER_SLOT
);
