//! The C ABI called as C calls it: the per-slot functions allocate nothing (counting
//! allocator), errors are statuses with a last-error message naming the argument, and the
//! handles survive bad calls.

#[path = "../../tests/support/alloc_counter.rs"]
mod alloc_counter;

use std::ffi::CStr;

use alloc_counter::{CountingAlloc, allocations_during};
use massive_mimo_c::*;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const N_ANT: usize = 16;
const N_USERS: usize = 4;
const N_PRB: usize = 8;
const N_SC: usize = 12 * N_PRB;
const GRID: usize = N_ANT * 14 * N_SC;
const LAYERS: usize = N_USERS * 14 * N_SC;

fn last_error() -> String {
    // SAFETY: mm_last_error returns a NUL-terminated thread-local string valid until the next
    // failing call on this thread; it is copied at once.
    unsafe { CStr::from_ptr(mm_last_error()) }
        .to_string_lossy()
        .into_owned()
}

fn ofdm() -> mm_ofdm_config {
    mm_ofdm_config {
        standard: MM_STANDARD_NR,
        scs_khz: 30,
        n_fft: 256,
        n_sc: N_SC,
        cyclic_prefix: MM_CP_NORMAL,
        slot: 0,
        scale: 1.0 / 16.0,
    }
}

fn cf(re: f32, im: f32) -> mm_cf32 {
    mm_cf32 { re, im }
}

/// The slot tests' received grid `[N_ANT, 14, N_SC]` (sounding and uplink) and QPSK layer
/// grid `[N_USERS, 14, N_SC]`.
fn rx_and_layers() -> (Vec<mm_cf32>, Vec<mm_cf32>) {
    let rx = (0..GRID)
        .map(|i| cf((i % 11) as f32 * 0.1 - 0.5, (i % 7) as f32 * 0.1 - 0.3))
        .collect();
    let layers = (0..LAYERS)
        .map(|i| cf(if i % 3 == 0 { 0.7 } else { -0.7 }, 0.7))
        .collect();
    (rx, layers)
}

/// The downlink configuration of the slot tests: 16 antennas, 4 users, RZF, PRG 2.
fn downlink_config() -> mm_downlink_config {
    mm_downlink_config {
        n_antennas: N_ANT,
        n_candidates: N_USERS,
        n_layers: N_USERS,
        n_prb: N_PRB,
        prg_prbs: 2,
        precoder: MM_PRECODER_RZF,
        normalization: MM_NORMALIZATION_TOTAL,
        srs_estimation: MM_SRS_DELAY_DOMAIN,
    }
}

/// A downlink handle on `cfg` with the 4 users' SRS pilots and an uplink handle with their
/// DMRS (type 2, double symbol at 2), both on [`ofdm`].
fn create_slots(cfg: &mm_downlink_config) -> (*mut mm_downlink, *mut mm_uplink) {
    let o = ofdm();
    let mut srs = vec![mm_cf32::default(); LAYERS];
    let mut dmrs = vec![mm_cf32::default(); LAYERS];
    let (mut dl, mut ul): (*mut mm_downlink, *mut mm_uplink) =
        (std::ptr::null_mut(), std::ptr::null_mut());
    // SAFETY: every pointer points to a live Vec / local of the stated count.
    unsafe {
        assert_eq!(
            mm_srs_write_pilots(4, N_PRB, 13, N_USERS, srs.as_mut_ptr(), LAYERS),
            mm_status::MM_OK
        );
        assert_eq!(
            mm_dmrs_write_pilots(2, N_USERS, 2, true, N_PRB, dmrs.as_mut_ptr(), LAYERS),
            mm_status::MM_OK
        );
        assert_eq!(
            mm_downlink_create(cfg, &o, srs.as_ptr(), LAYERS, &mut dl),
            mm_status::MM_OK
        );
        assert_eq!(
            mm_uplink_create(N_ANT, N_USERS, dmrs.as_ptr(), LAYERS, &o, &mut ul),
            mm_status::MM_OK
        );
    }
    (dl, ul)
}

#[test]
fn per_slot_calls_through_the_abi_do_not_allocate() {
    let (dl, ul) = create_slots(&downlink_config());
    let mut wave_len = 0usize;
    // SAFETY: `wave_len` is a live local.
    unsafe {
        assert_eq!(
            mm_downlink_waveform_len(dl, &mut wave_len),
            mm_status::MM_OK
        );
    }
    let (rx, layers) = rx_and_layers();
    let mut grid = vec![mm_cf32::default(); GRID];
    let mut wave = vec![mm_cf32::default(); N_ANT * wave_len];
    let mut detected = vec![mm_cf32::default(); LAYERS];
    let mut llr = vec![0.0f32; 8 * N_SC];
    let iq: Vec<i16> = (0..24 * N_PRB)
        .map(|i| (i as i16).wrapping_mul(1237))
        .collect();
    let mut payload = vec![0u8; N_PRB * 28];
    let mut back = vec![0i16; iq.len()];
    let users = [0usize, 1, 2, 3];
    // Warm-up slot (first calls may size lazily initialised statics such as the backend).
    let slot = |grid: &mut [mm_cf32],
                wave: &mut [mm_cf32],
                detected: &mut [mm_cf32],
                llr: &mut [f32],
                payload: &mut [u8],
                back: &mut [i16]| {
        // SAFETY: as above; lengths are the slices' own.
        unsafe {
            let s = [
                mm_downlink_sound(dl, rx.as_ptr(), GRID, -1.0),
                mm_downlink_compute_weights(dl, users.as_ptr(), N_USERS, 0.01),
                mm_downlink_precode(dl, layers.as_ptr(), LAYERS, grid.as_mut_ptr(), GRID),
                mm_downlink_modulate(dl, grid.as_ptr(), GRID, wave.as_mut_ptr(), wave.len()),
                mm_uplink_demodulate(ul, wave.as_ptr(), wave.len()),
                mm_uplink_set_grid(ul, rx.as_ptr(), GRID),
                mm_uplink_detect(ul, MM_DETECTOR_MMSE, true, 1e-3),
                mm_uplink_layers(ul, detected.as_mut_ptr(), LAYERS),
                mm_uplink_llrs(ul, 8, 3, 5, llr.as_mut_ptr(), llr.len()),
                mm_bfp_compress(
                    9,
                    iq.as_ptr(),
                    iq.len(),
                    payload.as_mut_ptr(),
                    payload.len(),
                ),
                mm_bfp_decompress(
                    9,
                    payload.as_ptr(),
                    payload.len(),
                    back.as_mut_ptr(),
                    back.len(),
                ),
            ];
            assert!(
                s.iter().all(|&x| x == mm_status::MM_OK),
                "{s:?}: {}",
                last_error()
            );
        }
    };
    slot(
        &mut grid,
        &mut wave,
        &mut detected,
        &mut llr,
        &mut payload,
        &mut back,
    );
    let (count, ()) = allocations_during(|| {
        slot(
            &mut grid,
            &mut wave,
            &mut detected,
            &mut llr,
            &mut payload,
            &mut back,
        )
    });
    assert_eq!(
        count, 0,
        "{count} allocations in one slot through the C ABI"
    );
    assert!(grid.iter().any(|v| v.re != 0.0));
    // Precoded and modulated symbol by symbol: the waveform of precode + modulate, bit for
    // bit, without allocating; a waveform of the wrong length is refused by name.
    let mut fused = vec![mm_cf32::default(); wave.len()];
    let (count, st) = allocations_during(|| {
        // SAFETY: as above; lengths are the slices' own.
        unsafe {
            mm_downlink_precode_modulate(
                dl,
                layers.as_ptr(),
                LAYERS,
                fused.as_mut_ptr(),
                fused.len(),
            )
        }
    });
    assert_eq!(st, mm_status::MM_OK, "{}", last_error());
    assert_eq!(
        count, 0,
        "{count} allocations in mm_downlink_precode_modulate"
    );
    assert!(
        fused == wave,
        "precode_modulate differs from precode + modulate"
    );
    // SAFETY: as above; the short length is the point.
    unsafe {
        assert_ne!(
            mm_downlink_precode_modulate(
                dl,
                layers.as_ptr(),
                LAYERS,
                fused.as_mut_ptr(),
                fused.len() - 1,
            ),
            mm_status::MM_OK
        );
    }
    assert!(last_error().contains("wave"), "{}", last_error());
    // BFP round trip within the 9-bit floor step 2^(16−9).
    assert!(
        iq.iter()
            .zip(&back)
            .all(|(a, b)| (0..128).contains(&(i32::from(*a) - i32::from(*b))))
    );
    // SAFETY: handles from *_create, destroyed once.
    unsafe {
        mm_downlink_destroy(dl);
        mm_uplink_destroy(ul);
    }
}

#[test]
fn errors_name_the_argument_and_leave_the_handle_usable() {
    let o = ofdm();
    let mut dmrs = vec![mm_cf32::default(); LAYERS];
    let mut ul: *mut mm_uplink = std::ptr::null_mut();
    let grid = vec![cf(0.1, 0.0); GRID];
    // SAFETY: pointers to live buffers of the stated counts, or deliberately NULL / short.
    unsafe {
        assert_eq!(
            mm_dmrs_write_pilots(2, N_USERS, 2, true, N_PRB, dmrs.as_mut_ptr(), LAYERS),
            mm_status::MM_OK
        );
        assert_eq!(
            mm_uplink_create(
                N_ANT,
                N_USERS,
                dmrs.as_ptr(),
                LAYERS,
                std::ptr::null(),
                &mut ul
            ),
            mm_status::MM_ERROR_NULL_POINTER
        );
        assert!(last_error().contains("ofdm"), "{}", last_error());
        assert!(ul.is_null());
        let mut bad = o;
        bad.standard = 7;
        assert_eq!(
            mm_uplink_create(N_ANT, N_USERS, dmrs.as_ptr(), LAYERS, &bad, &mut ul),
            mm_status::MM_ERROR_INVALID_ARGUMENT
        );
        assert!(
            last_error().contains("ofdm.standard = 7"),
            "{}",
            last_error()
        );
        assert_eq!(
            mm_uplink_create(N_ANT, N_USERS, dmrs.as_ptr(), LAYERS, &o, &mut ul),
            mm_status::MM_OK
        );
        assert_eq!(
            mm_uplink_set_grid(ul, grid.as_ptr(), GRID - 12),
            mm_status::MM_ERROR_SHAPE
        );
        assert!(last_error().contains("grid"), "{}", last_error());
        // A successful call leaves the last error as it was.
        assert_eq!(
            mm_uplink_set_grid(ul, grid.as_ptr(), GRID),
            mm_status::MM_OK
        );
        assert!(last_error().contains("grid"));
        assert_eq!(
            mm_uplink_detect(ul, MM_DETECTOR_ZF, false, 0.01),
            mm_status::MM_OK
        );
        let mut out = vec![mm_cf32::default(); LAYERS];
        assert_eq!(
            mm_uplink_layers(ul, out.as_mut_ptr(), LAYERS),
            mm_status::MM_OK
        );
        assert_eq!(
            mm_uplink_layers(std::ptr::null_mut(), out.as_mut_ptr(), LAYERS),
            mm_status::MM_ERROR_NULL_POINTER
        );
        let v = CStr::from_ptr(mm_version()).to_str().unwrap();
        assert_eq!(v, env!("CARGO_PKG_VERSION"));
        let b = CStr::from_ptr(mm_simd_backend()).to_str().unwrap();
        assert_eq!(b, massive_mimo::simd::Kernels::new().backend().name());
        mm_uplink_destroy(ul);
    }
}

#[test]
fn mu_groups_through_the_abi_equal_the_rust_api_and_do_not_allocate() {
    use massive_mimo::C32;
    use massive_mimo::link::{DownlinkConfig, DownlinkSlot, PrecoderKind, SrsEstimation};
    use massive_mimo::ofdm::{CyclicPrefix, OfdmConfig, Standard};
    use massive_mimo::precoding::Normalization;
    use massive_mimo::resource::{MuGroup, PrbAllocation};
    let cfg = mm_downlink_config {
        n_antennas: N_ANT,
        n_candidates: N_USERS,
        n_layers: N_USERS,
        n_prb: N_PRB,
        prg_prbs: 2,
        precoder: MM_PRECODER_ZF,
        normalization: MM_NORMALIZATION_TOTAL,
        srs_estimation: MM_SRS_DELAY_DOMAIN,
    };
    let o = ofdm();
    let mut srs = vec![mm_cf32::default(); LAYERS];
    let mut dl: *mut mm_downlink = std::ptr::null_mut();
    let rx: Vec<mm_cf32> = (0..GRID)
        .map(|i| cf((i % 13) as f32 * 0.1 - 0.6, (i % 5) as f32 * 0.2 - 0.4))
        .collect();
    // Group A: users 0, 2 on PRBs 0..2 and 6..8; group B: users 1, 3 on PRBs 2..6 (whole PRGs).
    let (ua, ub) = ([0usize, 2], [1usize, 3]);
    let (ra, rb) = (
        [
            mm_prb_range { start: 0, end: 2 },
            mm_prb_range { start: 6, end: 8 },
        ],
        [mm_prb_range { start: 2, end: 6 }],
    );
    let groups = [
        mm_mu_group {
            users: ua.as_ptr(),
            n_users: 2,
            ranges: ra.as_ptr(),
            n_ranges: 2,
        },
        mm_mu_group {
            users: ub.as_ptr(),
            n_users: 2,
            ranges: rb.as_ptr(),
            n_ranges: 1,
        },
    ];
    let layers: Vec<mm_cf32> = (0..LAYERS)
        .map(|i| cf(((i * 7) % 5) as f32 * 0.3 - 0.6, 0.5))
        .collect();
    let mut grid = vec![mm_cf32::default(); GRID];
    // SAFETY: pointers to live buffers of the stated counts.
    unsafe {
        assert_eq!(
            mm_srs_write_pilots(4, N_PRB, 13, N_USERS, srs.as_mut_ptr(), LAYERS),
            mm_status::MM_OK
        );
        assert_eq!(
            mm_downlink_create(&cfg, &o, srs.as_ptr(), LAYERS, &mut dl),
            mm_status::MM_OK
        );
        assert_eq!(
            mm_downlink_sound(dl, rx.as_ptr(), GRID, 0.01),
            mm_status::MM_OK
        );
        let s = mm_downlink_compute_group_weights(dl, groups.as_ptr(), 2, 0.01);
        assert_eq!(s, mm_status::MM_OK, "{}", last_error());
        let (count, s) = allocations_during(|| {
            (
                mm_downlink_compute_group_weights(dl, groups.as_ptr(), 2, 0.01),
                mm_downlink_precode(dl, layers.as_ptr(), LAYERS, grid.as_mut_ptr(), GRID),
            )
        });
        assert_eq!(s, (mm_status::MM_OK, mm_status::MM_OK), "{}", last_error());
        assert_eq!(
            count, 0,
            "{count} allocations in group weights + precoding through the ABI"
        );
        // Overlapping groups are the library's error, named.
        let overlap = [mm_prb_range { start: 0, end: 2 }];
        let bad = [
            groups[0],
            mm_mu_group {
                ranges: overlap.as_ptr(),
                n_ranges: 1,
                ..groups[1]
            },
        ];
        assert_eq!(
            mm_downlink_compute_group_weights(dl, bad.as_ptr(), 2, 0.01),
            mm_status::MM_ERROR_INVALID_ARGUMENT
        );
        assert!(
            last_error().contains("overlap") || last_error().contains("PRB"),
            "{}",
            last_error()
        );
        assert_eq!(
            mm_downlink_compute_group_weights(dl, groups.as_ptr(), 0, 0.01),
            mm_status::MM_ERROR_INVALID_ARGUMENT
        );
        assert!(last_error().contains("n_groups"));
        mm_downlink_destroy(dl);
    }
    // The same slot through the Rust API.
    let as_c = |v: &[mm_cf32]| v.iter().map(|x| C32::new(x.re, x.im)).collect::<Vec<_>>();
    let ofdm = OfdmConfig {
        standard: Standard::Nr,
        scs_khz: 30,
        n_fft: 256,
        n_sc: N_SC,
        n_symbols: 14,
        cyclic_prefix: CyclicPrefix::Normal,
        slot: 0,
        scale: 1.0 / 16.0,
    };
    let pil = ndarray::Array3::from_shape_vec((N_USERS, 14, N_SC), as_c(&srs)).unwrap();
    let rcfg = DownlinkConfig {
        n_ant: N_ANT,
        n_candidates: N_USERS,
        n_layers: N_USERS,
        n_prb: N_PRB,
        prg_prbs: 2,
        precoder: PrecoderKind::Zf,
        normalization: Normalization::Total,
        srs_estimation: SrsEstimation::DelayDomain,
    };
    let mut slot = DownlinkSlot::new(rcfg, pil.view(), &ofdm).unwrap();
    let rxa = ndarray::Array3::from_shape_vec((N_ANT, 14, N_SC), as_c(&rx)).unwrap();
    slot.sound(rxa.view(), Some(0.01)).unwrap();
    let (a_r, b_r) = ([0..2, 6..8], [std::ops::Range { start: 2, end: 6 }]);
    let gs = [
        MuGroup {
            users: &ua,
            prbs: PrbAllocation::new(&a_r, N_PRB).unwrap(),
        },
        MuGroup {
            users: &ub,
            prbs: PrbAllocation::new(&b_r, N_PRB).unwrap(),
        },
    ];
    slot.compute_group_weights(&gs, 0.01).unwrap();
    let x = ndarray::Array3::from_shape_vec((N_USERS, 14, N_SC), as_c(&layers)).unwrap();
    let mut y = ndarray::Array3::zeros((N_ANT, 14, N_SC));
    slot.precode(x.view(), y.view_mut()).unwrap();
    assert!(
        y.iter().zip(as_c(&grid)).all(|(a, b)| *a == b),
        "C ABI and Rust API differ"
    );
}

#[test]
fn standalone_blocks_round_trip_without_allocating() {
    let o = ofdm();
    let mut m: *mut mm_ofdm_modulator = std::ptr::null_mut();
    let mut d: *mut mm_ofdm_demodulator = std::ptr::null_mut();
    let (mut n_out, mut n_in) = (0usize, 0usize);
    let n_ant = 2;
    let bits: Vec<u8> = (0..8 * n_ant * 14 * N_SC)
        .map(|i| ((i * 5 + i / 7) % 3 == 0) as u8)
        .collect();
    let mut grid = vec![mm_cf32::default(); n_ant * 14 * N_SC];
    let mut back = vec![mm_cf32::default(); grid.len()];
    let nv = vec![0.01f32; grid.len()];
    let mut llr = vec![0.0f32; bits.len()];
    let mut llr_i8 = vec![0i8; bits.len()];
    // SAFETY: pointers to live buffers of the stated counts.
    unsafe {
        assert_eq!(mm_ofdm_modulator_create(&o, &mut m), mm_status::MM_OK);
        assert_eq!(
            mm_ofdm_demodulator_create(&o, 0.5, &mut d),
            mm_status::MM_OK
        );
        assert_eq!(
            mm_ofdm_modulator_output_len(m, &mut n_out),
            mm_status::MM_OK
        );
        assert_eq!(
            mm_ofdm_demodulator_input_len(d, &mut n_in),
            mm_status::MM_OK
        );
        assert_eq!(n_in, n_out);
        let mut wave = vec![mm_cf32::default(); n_ant * n_out];
        let mut run = || {
            [
                mm_qam_map(8, bits.as_ptr(), bits.len(), grid.as_mut_ptr(), grid.len()),
                mm_ofdm_modulate(
                    m,
                    n_ant,
                    grid.as_ptr(),
                    grid.len(),
                    wave.as_mut_ptr(),
                    wave.len(),
                ),
                mm_ofdm_demodulate(
                    d,
                    n_ant,
                    wave.as_ptr(),
                    wave.len(),
                    back.as_mut_ptr(),
                    back.len(),
                ),
                mm_qam_demap(
                    8,
                    false,
                    back.as_ptr(),
                    nv.as_ptr(),
                    back.len(),
                    llr.as_mut_ptr(),
                    llr.len(),
                ),
                mm_qam_demap_i8(
                    8,
                    back.as_ptr(),
                    nv.as_ptr(),
                    back.len(),
                    0.25,
                    llr_i8.as_mut_ptr(),
                    llr_i8.len(),
                ),
            ]
        };
        run();
        let (count, s) = allocations_during(&mut run);
        assert!(
            s.iter().all(|&x| x == mm_status::MM_OK),
            "{s:?}: {}",
            last_error()
        );
        assert_eq!(
            count, 0,
            "{count} allocations in map → OFDM → demap through the ABI"
        );
        // scale²·n_fft = 1: the OFDM round trip is the identity; the LLR signs are the bits.
        assert!(
            grid.iter()
                .zip(&back)
                .all(|(a, b)| (a.re - b.re).abs() < 1e-4 && (a.im - b.im).abs() < 1e-4)
        );
        assert!(llr.iter().zip(&bits).all(|(l, &b)| (*l < 0.0) == (b == 1)));
        // Ordinary stores give the same bits as the default streaming ones; a bad value is
        // refused by name.
        assert_eq!(
            mm_ofdm_modulator_set_output_stores(m, MM_OUTPUT_CACHED),
            mm_status::MM_OK
        );
        assert_eq!(
            mm_ofdm_demodulator_set_output_stores(d, MM_OUTPUT_CACHED),
            mm_status::MM_OK
        );
        let (mut wave2, mut back2) = (vec![mm_cf32::default(); wave.len()], back.clone());
        back2.fill(mm_cf32::default());
        assert_eq!(
            mm_ofdm_modulate(
                m,
                n_ant,
                grid.as_ptr(),
                grid.len(),
                wave2.as_mut_ptr(),
                wave2.len()
            ),
            mm_status::MM_OK
        );
        assert_eq!(
            mm_ofdm_demodulate(
                d,
                n_ant,
                wave2.as_ptr(),
                wave2.len(),
                back2.as_mut_ptr(),
                back2.len()
            ),
            mm_status::MM_OK
        );
        let same = |x: &[mm_cf32], y: &[mm_cf32]| {
            x.iter()
                .zip(y)
                .all(|(a, b)| a.re.to_bits() == b.re.to_bits() && a.im.to_bits() == b.im.to_bits())
        };
        assert!(same(&wave2, &wave) && same(&back2, &back));
        for bad in [
            mm_ofdm_modulator_set_output_stores(m, 2),
            mm_ofdm_demodulator_set_output_stores(d, 7),
        ] {
            assert_eq!(bad, mm_status::MM_ERROR_INVALID_ARGUMENT);
            assert!(last_error().contains("stores = "), "{}", last_error());
        }
        assert_eq!(
            mm_ofdm_modulator_set_output_stores(std::ptr::null_mut(), MM_OUTPUT_CACHED),
            mm_status::MM_ERROR_NULL_POINTER
        );
        // The int8 LLRs are the f32 ones at quarter scale, rounded and saturated (±0.5 step:
        // the scale is folded into the per-symbol weight).
        for (&q, &l) in llr_i8.iter().zip(&llr) {
            let want = (l * 0.25).clamp(-127.0, 127.0);
            assert!(
                (f32::from(q) - want).abs() <= 0.5 + 1e-4 * want.abs(),
                "{q} vs {want}"
            );
        }
        assert_eq!(
            mm_qam_demap_i8(
                8,
                back.as_ptr(),
                nv.as_ptr(),
                back.len(),
                -1.0,
                llr_i8.as_mut_ptr(),
                llr_i8.len()
            ),
            mm_status::MM_ERROR_INVALID_ARGUMENT
        );
        assert!(last_error().contains("llr_scale"));
        assert_eq!(
            mm_ofdm_modulate(
                m,
                3,
                grid.as_ptr(),
                grid.len(),
                wave.as_mut_ptr(),
                wave.len()
            ),
            mm_status::MM_ERROR_SHAPE
        );
        assert_eq!(
            mm_qam_map(3, bits.as_ptr(), bits.len(), grid.as_mut_ptr(), grid.len()),
            mm_status::MM_ERROR_INVALID_ARGUMENT
        );
        assert!(last_error().contains("qm = 3"));
        mm_ofdm_modulator_destroy(m);
        mm_ofdm_demodulator_destroy(d);
        // NR TBS equals the Rust API's: 273 PRBs, 256QAM at R = 948/1024, 4 layers, 144 REs.
        let mut tbs = 0u32;
        assert_eq!(
            mm_nr_tbs(8, 948.0 / 1024.0, 4, 273, 144, 0, &mut tbs),
            mm_status::MM_OK
        );
        let want = massive_mimo::rate::nr_tbs(&massive_mimo::rate::NrTbsInput {
            modulation: massive_mimo::modulation::Modulation::Qam256,
            code_rate: 948.0 / 1024.0,
            layers: 4,
            n_prb: 273,
            n_re_per_prb: 144,
            x_overhead: 0,
        })
        .unwrap();
        assert_eq!(tbs, want);
        assert_eq!(
            mm_nr_tbs(8, 948.0 / 1024.0, 9, 273, 144, 0, &mut tbs),
            mm_status::MM_ERROR_INVALID_ARGUMENT
        );
    }
}

#[test]
fn sub_prb_uplink_through_the_abi_equals_the_rust_api() {
    use massive_mimo::C32;
    use massive_mimo::detection::DetectorMethod;
    use massive_mimo::estimation::PilotPattern;
    use massive_mimo::link::UplinkSlot;
    use massive_mimo::ofdm::{CyclicPrefix, OfdmConfig, Standard};
    let o = ofdm();
    let mut dmrs = vec![mm_cf32::default(); LAYERS];
    let mut ul: *mut mm_uplink = std::ptr::null_mut();
    let grid: Vec<mm_cf32> = (0..GRID)
        .map(|i| cf((i % 13) as f32 * 0.1 - 0.6, (i % 5) as f32 * 0.2 - 0.4))
        .collect();
    let mut out = vec![mm_cf32::default(); LAYERS];
    // SAFETY: pointers to live buffers of the stated counts.
    unsafe {
        assert_eq!(
            mm_dmrs_write_pilots(2, N_USERS, 2, true, N_PRB, dmrs.as_mut_ptr(), LAYERS),
            mm_status::MM_OK
        );
        // A band width that does not divide a PRB: refused, named, no handle.
        assert_eq!(
            mm_uplink_create_sub_prb(N_ANT, N_USERS, dmrs.as_ptr(), LAYERS, &o, 5, &mut ul),
            mm_status::MM_ERROR_INVALID_ARGUMENT
        );
        assert!(last_error().contains("subcarriers"), "{}", last_error());
        assert!(ul.is_null());
        assert_eq!(
            mm_uplink_create_sub_prb(N_ANT, N_USERS, dmrs.as_ptr(), LAYERS, &o, 3, &mut ul),
            mm_status::MM_OK
        );
        assert_eq!(
            mm_uplink_set_grid(ul, grid.as_ptr(), GRID),
            mm_status::MM_OK
        );
        assert_eq!(
            mm_uplink_detect(ul, MM_DETECTOR_MMSE, true, 1e-3),
            mm_status::MM_OK
        );
        assert_eq!(
            mm_uplink_layers(ul, out.as_mut_ptr(), LAYERS),
            mm_status::MM_OK
        );
        // IRC is per PRB: refused on a sub-PRB slot, the handle still usable.
        assert_ne!(
            mm_uplink_detect(ul, MM_DETECTOR_IRC, true, 1e-3),
            mm_status::MM_OK
        );
        assert!(last_error().contains("IRC"), "{}", last_error());
        assert_eq!(
            mm_uplink_detect(ul, MM_DETECTOR_MMSE, true, 1e-3),
            mm_status::MM_OK
        );
        mm_uplink_destroy(ul);
    }
    // The same slot through the Rust API: bit-identical layers.
    let pilots = ndarray::Array3::from_shape_fn((N_USERS, 14, N_SC), |(p, l, k)| {
        let v = dmrs[(p * 14 + l) * N_SC + k];
        C32::new(v.re, v.im)
    });
    let cfg = OfdmConfig {
        standard: Standard::Nr,
        scs_khz: o.scs_khz,
        n_fft: o.n_fft,
        n_sc: N_SC,
        n_symbols: 14,
        cyclic_prefix: CyclicPrefix::Normal,
        slot: o.slot,
        scale: o.scale,
    };
    let mut rust = UplinkSlot::new(
        N_ANT,
        PilotPattern::from_pilots(pilots.view()).unwrap(),
        &cfg,
    )
    .unwrap()
    .with_sub_prb_filters(3)
    .unwrap();
    rust.grid_mut()
        .iter_mut()
        .zip(&grid)
        .for_each(|(d, v)| *d = C32::new(v.re, v.im));
    rust.detect(DetectorMethod::Mmse { unbiased: true }, Some(1e-3))
        .unwrap();
    for (a, b) in rust.layers().iter().zip(&out) {
        assert_eq!(
            (a.re.to_bits(), a.im.to_bits()),
            (b.re.to_bits(), b.im.to_bits())
        );
    }
}

/// The 7.2x path through the ABI: the category-A downlink's messages
/// (`mm_downlink_precode_uplane`) are `mm_downlink_precode` then `mm_uplane_write_message` per
/// row, byte for byte; the uplink's detection from received messages (`mm_uplink_receive_uplane`)
/// equals detection from the grid the messages decode to (decoded here by the Rust codec); no
/// allocation per slot; bad arguments named.
#[test]
fn uplane_through_the_abi_matches_precode_and_write_and_does_not_allocate() {
    use massive_mimo::fronthaul::{CompHeader, IqWidth, UplaneCodec};
    let (dl, ul) = create_slots(&downlink_config());
    let mut codec: *mut mm_uplane_codec = std::ptr::null_mut();
    let mut msg_len = 0usize;
    let scale = 2048.0;
    // SAFETY: every pointer below points to a live local.
    unsafe {
        assert_eq!(
            mm_uplane_codec_create(MM_COMP_BFP, 9, N_PRB as u16, scale, &mut codec),
            mm_status::MM_OK
        );
        assert_eq!(mm_uplane_message_len(codec, &mut msg_len), mm_status::MM_OK);
    }
    assert_eq!(msg_len, 4 + 6 + N_PRB * 28);
    let (rx, layers) = rx_and_layers();
    let users = [0usize, 1, 2, 3];
    let timing = mm_uplane_timing {
        downlink: 1,
        frame_id: 17,
        subframe_id: 3,
        slot_id: 1,
        ..Default::default()
    };
    let mut grid = vec![mm_cf32::default(); GRID];
    let mut want = vec![0u8; N_ANT * 14 * msg_len];
    let mut got = vec![0u8; N_ANT * 14 * msg_len];
    let mut written = 0usize;
    // SAFETY: as above; lengths are the slices' own.
    unsafe {
        let s = [
            mm_downlink_sound(dl, rx.as_ptr(), GRID, -1.0),
            mm_downlink_compute_weights(dl, users.as_ptr(), N_USERS, 0.01),
            mm_downlink_precode(dl, layers.as_ptr(), LAYERS, grid.as_mut_ptr(), GRID),
        ];
        assert!(
            s.iter().all(|&x| x == mm_status::MM_OK),
            "{s:?}: {}",
            last_error()
        );
        for a in 0..N_ANT {
            for l in 0..14 {
                let t = mm_uplane_timing {
                    symbol_id: l as u8,
                    ..timing
                };
                let row = &grid[(a * 14 + l) * N_SC..][..N_SC];
                let at = (a * 14 + l) * msg_len;
                let st = mm_uplane_write_message(
                    codec,
                    &t,
                    7,
                    row.as_ptr(),
                    N_SC,
                    want[at..].as_mut_ptr(),
                    msg_len,
                    &mut written,
                );
                assert_eq!(st, mm_status::MM_OK, "{}", last_error());
                assert_eq!(written, msg_len);
            }
        }
    }
    // The uplink: every antenna's and symbol's row of `rx` as a message, received.
    let mut ul_msgs = vec![0u8; N_ANT * 14 * msg_len];
    let uplink_timing = mm_uplane_timing {
        downlink: 0,
        ..timing
    };
    // SAFETY: as above.
    unsafe {
        for (i, m) in ul_msgs.chunks_exact_mut(msg_len).enumerate() {
            let t = mm_uplane_timing {
                symbol_id: (i % 14) as u8,
                ..uplink_timing
            };
            let row = &rx[i * N_SC..][..N_SC];
            let st = mm_uplane_write_message(
                codec,
                &t,
                0,
                row.as_ptr(),
                N_SC,
                m.as_mut_ptr(),
                msg_len,
                &mut written,
            );
            assert_eq!(st, mm_status::MM_OK, "{}", last_error());
        }
    }
    let got_len = got.len();
    // The category-A write of this slot into `got` (`len` bytes of it) with `timing`.
    let precode_uplane = |got: &mut [u8], len: usize, timing: &mm_uplane_timing| {
        // SAFETY: `got` holds at least `len` bytes; the other pointers are live.
        unsafe {
            mm_downlink_precode_uplane(
                dl,
                layers.as_ptr(),
                LAYERS,
                codec,
                timing,
                7,
                got.as_mut_ptr(),
                len,
                msg_len,
            )
        }
    };
    let mut detected = vec![mm_cf32::default(); LAYERS];
    let slot = |got: &mut [u8], detected: &mut [mm_cf32]| {
        // SAFETY: as above; lengths are the slices' own.
        unsafe {
            let mut s = vec![];
            s.push(precode_uplane(got, got_len, &timing));
            for (i, m) in ul_msgs.chunks_exact(msg_len).enumerate() {
                s.push(mm_uplink_receive_uplane(
                    ul,
                    codec,
                    i / 14,
                    m.as_ptr(),
                    msg_len,
                ));
            }
            s.push(mm_uplink_detect(ul, MM_DETECTOR_MMSE, true, 1e-3));
            s.push(mm_uplink_layers(ul, detected.as_mut_ptr(), LAYERS));
            assert!(
                s.iter().all(|&x| x == mm_status::MM_OK),
                "{s:?}: {}",
                last_error()
            );
            s
        }
    };
    drop(slot(&mut got, &mut detected));
    assert!(
        got == want,
        "category-A messages differ from precode + write"
    );
    // Detection from the grid the messages decode to.
    let mut rust_codec =
        UplaneCodec::new(CompHeader::bfp(IqWidth::W9), N_PRB as u16, scale).unwrap();
    let mut decoded = vec![massive_mimo::C32::new(0.0, 0.0); GRID];
    for (i, m) in ul_msgs.chunks_exact(msg_len).enumerate() {
        rust_codec
            .read_message(m, &mut decoded[i * N_SC..][..N_SC])
            .unwrap();
    }
    let decoded: Vec<mm_cf32> = decoded.iter().map(|c| cf(c.re, c.im)).collect();
    let mut from_grid = vec![mm_cf32::default(); LAYERS];
    // SAFETY: as above.
    unsafe {
        let s = [
            mm_uplink_set_grid(ul, decoded.as_ptr(), GRID),
            mm_uplink_detect(ul, MM_DETECTOR_MMSE, true, 1e-3),
            mm_uplink_layers(ul, from_grid.as_mut_ptr(), LAYERS),
        ];
        assert!(
            s.iter().all(|&x| x == mm_status::MM_OK),
            "{s:?}: {}",
            last_error()
        );
    }
    assert_eq!(detected, from_grid);
    // Either store policy of the receive decodes the same grid: the same detection.
    for stores in [MM_OUTPUT_STREAMING, MM_OUTPUT_CACHED] {
        // SAFETY: as above.
        unsafe {
            assert_eq!(
                mm_uplane_codec_set_output_stores(codec, stores),
                mm_status::MM_OK
            );
        }
        drop(slot(&mut got, &mut detected));
        assert_eq!(detected, from_grid, "stores {stores}");
    }
    // No allocation per slot (the status vector is made outside the count).
    let mut statuses = Vec::with_capacity(2 + N_ANT * 14 + 2);
    let (count, ()) = allocations_during(|| {
        // SAFETY: as above.
        unsafe {
            statuses.push(precode_uplane(&mut got, got_len, &timing));
            for (i, m) in ul_msgs.chunks_exact(msg_len).enumerate() {
                statuses.push(mm_uplink_receive_uplane(
                    ul,
                    codec,
                    i / 14,
                    m.as_ptr(),
                    msg_len,
                ));
            }
            statuses.push(mm_uplink_detect(ul, MM_DETECTOR_MMSE, true, 1e-3));
        }
    });
    assert_eq!(count, 0, "{count} allocations in the 7.2x calls");
    assert!(statuses.iter().all(|&x| x == mm_status::MM_OK));
    // Refusals, named.
    // SAFETY: as above; the bad values are the point.
    unsafe {
        let bad = mm_uplane_timing {
            downlink: 2,
            ..timing
        };
        assert_eq!(
            precode_uplane(&mut got, got_len, &bad),
            mm_status::MM_ERROR_INVALID_ARGUMENT
        );
        assert!(last_error().contains("timing.downlink"), "{}", last_error());
        assert_ne!(
            precode_uplane(&mut got, got_len - 1, &timing),
            mm_status::MM_OK
        );
        assert!(last_error().contains("messages"), "{}", last_error());
        assert_eq!(
            mm_uplink_receive_uplane(ul, codec, N_ANT, ul_msgs.as_ptr(), msg_len),
            mm_status::MM_ERROR_INVALID_ARGUMENT
        );
        assert!(last_error().contains("antenna"), "{}", last_error());
        assert_eq!(
            mm_uplane_codec_set_output_stores(codec, 7),
            mm_status::MM_ERROR_INVALID_ARGUMENT
        );
        assert!(last_error().contains("stores"), "{}", last_error());
        let mut c2: *mut mm_uplane_codec = std::ptr::null_mut();
        assert_eq!(
            mm_uplane_codec_create(7, 9, N_PRB as u16, scale, &mut c2),
            mm_status::MM_ERROR_INVALID_ARGUMENT
        );
        assert!(last_error().contains("comp_method"), "{}", last_error());
        assert!(c2.is_null());
        mm_uplane_codec_destroy(codec);
        mm_downlink_destroy(dl);
        mm_uplink_destroy(ul);
    }
}
