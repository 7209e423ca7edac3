//! Block floating point (O-RAN.WG4.CUS Annex A.1.1): every SIMD backend bit-exact against the
//! scalar reference, for every width 1..=16, and the properties the definition implies
//! (`../shared/FRONTHAUL.md` §1): minimal exponent, floor rounding error in [0, 2^e − 1],
//! exact decompression, reserved nibble ignored, bad input named.

mod common;

use common::*;
use massive_mimo_simd::{BFP_PRB_VALUES, Kernels, SimdError, bfp_block_bytes};
use proptest::prelude::*;
use rand::Rng;

/// Random int16 PRBs whose per-PRB amplitude is log-uniform (so every exponent occurs), with
/// the extremes −32768 / 32767 and all-zero PRBs mixed in.
fn prbs(r: &mut impl Rng, n: usize) -> Vec<i16> {
    let mut v = Vec::with_capacity(n * BFP_PRB_VALUES);
    for _ in 0..n {
        let kind = r.gen_range(0..8u32);
        let bits = r.gen_range(0..=16u32);
        for _ in 0..BFP_PRB_VALUES {
            let x = match kind {
                0 => 0,
                1 => {
                    if r.gen_bool(0.5) {
                        i16::MIN
                    } else {
                        i16::MAX
                    }
                }
                _ => {
                    let span = 1i32 << bits.min(15);
                    r.gen_range(-span..span).clamp(-32768, 32767) as i16
                }
            };
            v.push(x);
        }
    }
    v
}

fn payload(k: &Kernels, iq: &[i16], w: u32) -> Vec<u8> {
    let mut p = vec![0u8; iq.len() / BFP_PRB_VALUES * bfp_block_bytes(BFP_PRB_VALUES, w)];
    k.bfp_compress(iq, w, &mut p).unwrap();
    p
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn compression_is_bit_exact_on_every_backend(n in 1usize..40, w in 1u32..=16, seed in any::<u64>()) {
        let mut r = rng(seed);
        let iq = prbs(&mut r, n);
        let want = payload(&scalar(), &iq, w);
        for k in simd_backends() {
            prop_assert_eq!(&payload(&k, &iq, w), &want, "{} w={}", k.backend(), w);
        }
    }

    #[test]
    fn decompression_is_bit_exact_on_every_backend(n in 1usize..40, w in 1u32..=16, seed in any::<u64>()) {
        // Random wire bytes with every legal exponent and random reserved bits.
        let mut r = rng(seed);
        let size = bfp_block_bytes(BFP_PRB_VALUES, w);
        let mut p: Vec<u8> = (0..n * size).map(|_| r.r#gen()).collect();
        for b in p.chunks_exact_mut(size) {
            b[0] = (b[0] & 0xF0) | r.gen_range(0..=16 - w) as u8;
        }
        let mut want = vec![0i16; n * BFP_PRB_VALUES];
        scalar().bfp_decompress(&p, w, &mut want).unwrap();
        for k in simd_backends() {
            let mut got = vec![0i16; n * BFP_PRB_VALUES];
            k.bfp_decompress(&p, w, &mut got).unwrap();
            prop_assert_eq!(&got, &want, "{} w={}", k.backend(), w);
        }
    }

    #[test]
    fn round_trip_rounds_down_by_less_than_one_step(n in 1usize..30, w in 1u32..=16, seed in any::<u64>()) {
        let mut r = rng(seed);
        let iq = prbs(&mut r, n);
        for k in all_backends() {
            let p = payload(&k, &iq, w);
            let mut back = vec![0i16; iq.len()];
            k.bfp_decompress(&p, w, &mut back).unwrap();
            let size = bfp_block_bytes(BFP_PRB_VALUES, w);
            for (b, (x, y)) in iq.chunks(24).zip(back.chunks(24)).enumerate() {
                let e = u32::from(p[b * size]);
                prop_assert!(e <= 16 - w);
                for (&x, &y) in x.iter().zip(y) {
                    // floor rounding: 0 ≤ x − x̂ ≤ 2^e − 1 (FRONTHAUL.md §1)
                    let d = i32::from(x) - i32::from(y);
                    prop_assert!((0..(1i32 << e)).contains(&d), "x={} x̂={} e={}", x, y, e);
                }
                // minimal exponent: one less would not fit some value in w bits
                if e > 0 {
                    let lim = 1i32 << (w - 1);
                    let needs = x.iter().any(|&v| {
                        let m = i32::from(v) >> (e - 1);
                        m >= lim || m < -lim
                    });
                    prop_assert!(needs, "exponent {} is not minimal", e);
                }
            }
        }
    }

    #[test]
    fn any_block_length_round_trips(blocks in 1usize..6, len in 1usize..140, w in 1u32..=16, seed in any::<u64>()) {
        let mut r = rng(seed);
        let vals: Vec<i16> = (0..blocks * len).map(|_| r.r#gen()).collect();
        let k = Kernels::new();
        let mut p = vec![0u8; blocks * bfp_block_bytes(len, w)];
        k.bfp_compress_blocks(&vals, len, w, &mut p).unwrap();
        let mut back = vec![0i16; vals.len()];
        k.bfp_decompress_blocks(&p, len, w, &mut back).unwrap();
        let mut exps = vec![0u8; blocks];
        let mut mant = vec![0i16; vals.len()];
        k.bfp_unpack(&p, len, w, &mut exps, &mut mant).unwrap();
        for b in 0..blocks {
            let e = u32::from(exps[b]);
            for i in b * len..(b + 1) * len {
                prop_assert_eq!(i32::from(mant[i]), i32::from(vals[i]) >> e);
                prop_assert_eq!(i32::from(back[i]), i32::from(mant[i]) << e);
            }
            // zero padding of the last byte
            let size = bfp_block_bytes(len, w);
            let pad = (size - 1) * 8 - len * w as usize;
            prop_assert_eq!(p[(b + 1) * size - 1] & ((1u16 << pad) - 1) as u8, 0);
        }
    }
}

#[test]
fn reference_points_from_the_definition() {
    // FRONTHAUL.md §1 examples: −2^(w−1) alone needs no shift, 2^(w−1) needs one; full-scale
    // −32768 at w = 9 gives exponent 7 and mantissa −256; 32767 gives 255.
    for k in all_backends() {
        let mut iq = [0i16; 24];
        iq[0] = -256;
        let p = payload(&k, &iq, 9);
        assert_eq!(p[0], 0, "{}", k.backend());
        iq[0] = 256;
        assert_eq!(payload(&k, &iq, 9)[0], 1, "{}", k.backend());
        iq = [0; 24];
        iq[0] = -32768;
        iq[23] = 32767;
        let p = payload(&k, &iq, 9);
        assert_eq!(p[0], 7);
        // I0 = −256 = 1_0000_0000b → byte 1 = 1000_0000b, byte 2's MSB = 0.
        assert_eq!((p[1], p[2] & 0x80), (0x80, 0));
        // Q11 = 255 = 0_1111_1111b, the last 9 bits of the 27-byte field area.
        assert_eq!((p[27], p[26] & 1), (0xFF, 0));
    }
}

#[test]
fn reserved_nibble_is_ignored_and_bad_exponents_named() {
    let w = 9;
    let mut iq = [0i16; 48];
    iq[5] = 1000;
    iq[30] = -7;
    for k in all_backends() {
        let mut p = payload(&k, &iq, w);
        let size = bfp_block_bytes(24, w);
        p[0] |= 0xA0;
        p[size] |= 0x50;
        let mut back = [0i16; 48];
        k.bfp_decompress(&p, w, &mut back).unwrap();
        assert_eq!((back[5], back[30]), (1000 & !3, -7), "{}", k.backend());
        p[size] = 0x08; // exponent 8 > 16 − 9
        assert_eq!(
            k.bfp_decompress(&p, w, &mut back),
            Err(SimdError::BfpExponent {
                block: 1,
                exponent: 8,
                max: 7
            })
        );
    }
}

#[test]
fn bad_shapes_and_widths_are_named() {
    let k = Kernels::new();
    let iq = [0i16; 48];
    let mut p = [0u8; 2 * 28];
    for w in [0, 17, 99] {
        assert_eq!(
            k.bfp_compress(&iq, w, &mut p),
            Err(SimdError::BfpWidth { width: w })
        );
        assert_eq!(
            k.bfp_decompress(&p, w, &mut [0i16; 48]),
            Err(SimdError::BfpWidth { width: w })
        );
    }
    match k.bfp_compress(&iq[..47], 9, &mut p) {
        Err(SimdError::LengthMismatch {
            what,
            expected,
            got,
        }) => {
            assert!(what.contains("iq"));
            assert_eq!((expected, got), (48, 47));
        }
        other => panic!("{other:?}"),
    }
    // payload shorter than n_prb·(1 + 3w)
    match k.bfp_decompress(&p[..55], 9, &mut [0i16; 48]) {
        Err(SimdError::LengthMismatch {
            what,
            expected,
            got,
        }) => {
            assert!(what.contains("payload"));
            assert_eq!((expected, got), (56, 55));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        k.bfp_compress_blocks(&iq, 0, 9, &mut p),
        Err(SimdError::ZeroDimension { .. })
    ));
    assert!(matches!(
        k.bfp_unpack(&p, 24, 9, &mut [0u8; 3], &mut [0i16; 48]),
        Err(SimdError::LengthMismatch { what, expected: 2, got: 3 }) if what.contains("exponents")
    ));
}

/// Beamforming-weight blocks (`bfp_compress_blocks` / `bfp_decompress_blocks`): every SIMD
/// backend writes the scalar reference's bytes and reads its values back for every width and
/// for block lengths of whole 8-field groups (odd and even counts, one past the vector kernels'
/// 1 KiB bounce buffer at w = 16) and others (the scalar path), with a per-block amplitude so
/// that every exponent occurs; a bad exponent in the second block is named with it, the first
/// block written.
#[test]
fn weight_blocks_are_bit_exact_on_every_backend() {
    let mut r = rng(23);
    for len in [8, 16, 24, 64, 128, 136, 504, 520, 1024, 12] {
        for w in 1..=16u32 {
            let blocks = 3;
            let mut vals = Vec::with_capacity(blocks * len);
            for _ in 0..blocks {
                let span = 1i32 << r.gen_range(0..=15u32);
                vals.extend((0..len).map(|_| r.gen_range(-span..span) as i16));
            }
            let size = bfp_block_bytes(len, w);
            let mut want = vec![0u8; blocks * size];
            scalar()
                .bfp_compress_blocks(&vals, len, w, &mut want)
                .unwrap();
            let mut want_back = vec![0i16; vals.len()];
            scalar()
                .bfp_decompress_blocks(&want, len, w, &mut want_back)
                .unwrap();
            for k in simd_backends() {
                let case = format!("{} len={len} w={w}", k.backend());
                let mut p = vec![0xA5u8; blocks * size];
                k.bfp_compress_blocks(&vals, len, w, &mut p).unwrap();
                assert_eq!(p, want, "{case}");
                let mut back = vec![0i16; vals.len()];
                k.bfp_decompress_blocks(&p, len, w, &mut back).unwrap();
                assert_eq!(back, want_back, "{case}");
                if w >= 2 {
                    p[size] = (17 - w) as u8;
                    let mut back = vec![0i16; vals.len()];
                    match k.bfp_decompress_blocks(&p, len, w, &mut back) {
                        Err(SimdError::BfpExponent {
                            block: 1,
                            exponent,
                            max,
                        }) => assert_eq!((exponent, max), (17 - w, 16 - w), "{case}"),
                        other => panic!("{case}: {other:?}"),
                    }
                    assert_eq!(back[..len], want_back[..len], "{case}");
                }
            }
        }
    }
}

/// One large value among zeros, at every position of a pair of PRBs and of weight blocks: the
/// exponent must see every lane of every register (a reduction that missed one would give
/// that position too small an exponent — random blocks rarely show it, their peak being
/// everywhere).
#[test]
fn a_single_peak_sets_the_exponent_wherever_it_is() {
    for len in [24, 16, 40, 128] {
        for w in [2, 9, 14, 15] {
            for at in 0..2 * len {
                for peak in [i16::MIN, 1000, i16::MAX] {
                    let mut vals = vec![1i16; 2 * len];
                    vals[at] = peak;
                    let size = bfp_block_bytes(len, w);
                    let compress = |k: &Kernels, p: &mut [u8]| {
                        if len == BFP_PRB_VALUES {
                            k.bfp_compress(&vals, w, p).unwrap()
                        } else {
                            k.bfp_compress_blocks(&vals, len, w, p).unwrap()
                        }
                    };
                    let mut want = vec![0u8; 2 * size];
                    compress(&scalar(), &mut want);
                    for k in simd_backends() {
                        let mut p = vec![0u8; 2 * size];
                        compress(&k, &mut p);
                        assert_eq!(p, want, "{} len={len} w={w} at={at}", k.backend());
                    }
                }
            }
        }
    }
}

/// `bfp_compress_slack` writes the PRBs' bytes of `bfp_compress` at the start of a longer
/// payload, on every backend and width, whatever the room after them (none, less than one
/// 16-byte store's overrun, more); nothing outside the payload slice is touched; and a payload
/// filled in ascending pieces, each given the payload up to its end, equals the one-call
/// compression (what the category-A U-plane write does). A payload shorter than the PRBs is
/// refused by name.
#[test]
fn slack_compression_writes_the_same_prbs_and_stays_inside() {
    let mut r = rng(59);
    for w in 1u32..=16 {
        let size = bfp_block_bytes(BFP_PRB_VALUES, w);
        for n in [1usize, 2, 3, 7, 20] {
            let iq = prbs(&mut r, n);
            let want = payload(&scalar(), &iq, w);
            for k in all_backends() {
                for extra in [0usize, 1, 5, 15, 16, 40, 64] {
                    // Guard bytes around the slice the kernel is given.
                    let mut buf = vec![0xA5u8; 8 + n * size + extra + 8];
                    let end = 8 + n * size + extra;
                    k.bfp_compress_slack(&iq, w, &mut buf[8..end]).unwrap();
                    assert_eq!(
                        &buf[8..8 + n * size],
                        &want[..],
                        "{} w={w} n={n} +{extra}",
                        k.backend()
                    );
                    assert!(
                        buf[..8].iter().chain(&buf[end..]).all(|&b| b == 0xA5),
                        "{} wrote outside",
                        k.backend()
                    );
                }
                // Ascending pieces of 1..3 PRBs, each into the payload up to its end.
                let mut pieces = vec![0u8; n * size];
                let mut p = 0;
                while p < n {
                    let take = (1 + p % 3).min(n - p);
                    k.bfp_compress_slack(
                        &iq[p * BFP_PRB_VALUES..(p + take) * BFP_PRB_VALUES],
                        w,
                        &mut pieces[p * size..],
                    )
                    .unwrap();
                    p += take;
                }
                assert_eq!(pieces, want, "{} w={w} n={n} pieces", k.backend());
            }
        }
    }
    let iq = vec![0i16; 2 * BFP_PRB_VALUES];
    match Kernels::new().bfp_compress_slack(&iq, 0, &mut [0u8; 56]) {
        Err(SimdError::BfpWidth { width }) => assert_eq!(width, 0),
        other => panic!("{other:?}"),
    }
    match Kernels::new().bfp_compress_slack(&iq[..30], 9, &mut [0u8; 56]) {
        Err(SimdError::LengthMismatch { what, .. }) => {
            assert_eq!(what, "bfp_compress_slack: iq (PRBs × 24)")
        }
        other => panic!("{other:?}"),
    }
    match Kernels::new().bfp_compress_slack(&iq, 9, &mut [0u8; 55]) {
        Err(SimdError::LengthMismatch {
            what,
            expected,
            got,
        }) => {
            assert_eq!(
                (what, expected, got),
                ("bfp_compress_slack: payload", 56, 55)
            )
        }
        other => panic!("{other:?}"),
    }
}
