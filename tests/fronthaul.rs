//! O-RAN 7.2x fronthaul: the shared BFP vectors on every backend, the float ↔ int16 step,
//! U-plane / C-plane / eCPRI encode-decode round trips, the slot pipelines through compressed
//! sections (downlink EVM at 9 bits against the quantisation prediction, uplink detection from
//! U-plane messages), and bad input as named errors.

mod support;

use std::path::Path;

use massive_mimo::C32;
use massive_mimo::Error;
use massive_mimo::detection::DetectorMethod;
use massive_mimo::estimation::PilotPattern;
use massive_mimo::fronthaul::*;
use massive_mimo::link::{DownlinkSlot, UplinkSlot};
use massive_mimo::modulation::Modulation;
use massive_mimo::ofdm::OfdmConfig;
use massive_mimo::refsig::{SrsConfig, write_multiplexed_users};
use massive_mimo::simd::{Backend, Kernels, SimdError};
use massive_mimo_tools::vectors::{Array, npy};
use ndarray::{Array2, Array3, s};
use support::slot::{dmrs_layers, nr_ofdm, rzf_downlink};

fn invalid(e: Error) -> &'static str {
    match e {
        Error::InvalidParameter { name, .. } => name,
        other => panic!("expected InvalidParameter, got {other:?}"),
    }
}

fn load(dir: &Path, file: &str) -> Array {
    npy::parse(&std::fs::read(dir.join(file)).unwrap()).unwrap()
}

#[test]
fn shared_bfp_vectors_pass_on_every_backend() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors/fronthaul_bfp");
    if !dir.is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI without ../shared/vectors"
        );
        return;
    }
    let manifest: toml::Table = std::fs::read_to_string(dir.join("manifest.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let cases = manifest["case"].as_array().unwrap();
    let mut checked = 0;
    for backend in Backend::available() {
        let k = Kernels::with_backend(backend).unwrap();
        for c in cases {
            let params = c["params"].as_table().unwrap();
            let w = IqWidth::new(params["iq_width"].as_integer().unwrap() as u32).unwrap();
            let bfp = Bfp::with_kernels(w, k);
            let (inputs, expected) = (
                c["inputs"].as_table().unwrap(),
                c["expected"].as_table().unwrap(),
            );
            let file = |t: &toml::Table, key: &str| load(&dir, t[key].as_str().unwrap());
            match c["kernel"].as_str().unwrap() {
                "bfp_compress" => {
                    let Array::I16(iq) = file(inputs, "iq") else {
                        panic!("iq dtype")
                    };
                    let Array::U8(want) = file(expected, "payload") else {
                        panic!("payload dtype")
                    };
                    let mut got = vec![0u8; want.len()];
                    bfp.compress(iq.as_slice().unwrap(), &mut got).unwrap();
                    assert_eq!(
                        got,
                        want.as_slice().unwrap(),
                        "{} on {backend:?}",
                        c["name"]
                    );
                }
                "bfp_decompress" => {
                    let Array::U8(p) = file(inputs, "payload") else {
                        panic!("payload dtype")
                    };
                    let Array::I16(want) = file(expected, "iq") else {
                        panic!("iq dtype")
                    };
                    let mut got = vec![0i16; want.len()];
                    bfp.decompress(p.as_slice().unwrap(), &mut got).unwrap();
                    assert_eq!(
                        got,
                        want.as_slice().unwrap(),
                        "{} on {backend:?}",
                        c["name"]
                    );
                }
                other => panic!("unexpected kernel {other}"),
            }
            checked += 1;
        }
    }
    assert!(checked >= 46, "only {checked} cases checked");
}

#[test]
fn float_to_int16_rounds_half_to_even_and_saturates() {
    let x = [
        C32::new(0.5, 1.5),
        C32::new(-0.5, -2.5),
        C32::new(2.4999, -2.5001),
        C32::new(1e9, -1e9),
        C32::new(f32::INFINITY, f32::NEG_INFINITY),
        C32::new(32767.0, -32768.0),
    ];
    let mut out = [0i16; 12];
    float_to_int16(&x, 1.0, &mut out).unwrap();
    assert_eq!(
        out,
        [
            0, 2, 0, -2, 2, -3, 32767, -32768, 32767, -32768, 32767, -32768
        ]
    );
    let mut back = [C32::new(0.0, 0.0); 6];
    int16_to_float(&out, 2.0, &mut back).unwrap();
    assert_eq!(back[0], C32::new(0.0, 1.0));
    assert_eq!(back[3], C32::new(16383.5, -16384.0));
    // NaN named with its index; a bad scale named.
    let mut y = vec![C32::new(0.1, 0.1); 100];
    y[70].im = f32::NAN;
    match float_to_int16(&y, 100.0, &mut vec![0; 200]) {
        Err(Error::InvalidParameter {
            name: "x", value, ..
        }) => assert!(value.contains("70"), "{value}"),
        other => panic!("{other:?}"),
    }
    for scale in [0.0, -1.0, f32::NAN, f32::INFINITY] {
        assert_eq!(
            invalid(float_to_int16(&x, scale, &mut out).unwrap_err()),
            "scale"
        );
    }
    assert!(matches!(
        float_to_int16(&x, 1.0, &mut out[..11]),
        Err(Error::ShapeMismatch { expected, got, .. }) if expected == [12] && got == [11]
    ));
}

fn timing(symbol: u8) -> Timing {
    Timing {
        direction: Direction::Downlink,
        filter_index: 0,
        frame_id: 201,
        subframe_id: 7,
        slot_id: 1,
        symbol_id: symbol,
    }
}

fn row(n_prb: usize, seed: u32) -> Vec<C32> {
    (0..n_prb * 12)
        .map(|i| {
            let a = ((i as u32).wrapping_mul(2654435761) ^ seed) as f32 / u32::MAX as f32 - 0.5;
            let b = ((i as u32 * 40503u32 + seed) % 1000) as f32 / 1000.0 - 0.5;
            C32::new(a, b)
        })
        .collect()
}

#[test]
fn uplane_messages_round_trip_within_the_bfp_step() {
    for (comp, n_prb) in [
        (CompHeader::bfp(IqWidth::W9), 273u16),
        (CompHeader::bfp(IqWidth::W14), 106),
        (CompHeader::bfp(IqWidth::new(5).unwrap()), 11),
        (
            CompHeader {
                width: IqWidth::W16,
                method: CompMethod::None,
            },
            52,
        ),
    ] {
        let scale = 16384.0;
        let mut codec = UplaneCodec::new(comp, n_prb, scale).unwrap();
        let x = row(n_prb.into(), 7);
        let mut msg = vec![0u8; 4 + codec.section_bytes(n_prb.into())];
        let n = codec.write_message(&timing(5), 33, &x, &mut msg).unwrap();
        assert_eq!(n, msg.len());
        // Header fields on the wire: dataDirection 1, payloadVersion 1; numPrbu 0 above 255.
        assert_eq!(msg[0], 0x90);
        assert_eq!(msg[4 + 3], if n_prb > 255 { 0 } else { n_prb as u8 });
        assert_eq!(msg[4 + 4], comp.to_byte());
        let mut y = vec![C32::new(9.0, 9.0); x.len()];
        let (t, sections) = codec.read_message(&msg, &mut y).unwrap();
        assert_eq!((t, sections), (timing(5), 1));
        // BFP floor error per component < 2^e LSB (+ 0.5 LSB of the int16 rounding), e ≤ 16 − w.
        let step = (1u32 << (16 - comp.width.bits())) as f32 / scale + 0.5 / scale;
        for (a, b) in x.iter().zip(&y) {
            assert!(
                (a.re - b.re).abs() <= step && (a.im - b.im).abs() <= step,
                "{comp:?}"
            );
        }
        let (h, _) = read_section_header(&msg[4..], n_prb).unwrap();
        assert_eq!((h.section_id, h.start_prb, h.num_prb), (33, 0, n_prb));
        assert!(!h.rb && !h.sym_inc);
        // Every header field round-trips, the rb and symInc flags included, each alone.
        for (rb, sym_inc) in [(true, false), (false, true), (true, true)] {
            let h2 = UplaneSection {
                section_id: 4000,
                rb,
                sym_inc,
                start_prb: 3,
                num_prb: 2,
                comp,
            };
            let iq = vec![-5i16; 48];
            let mut buf = vec![0u8; codec.section_bytes(2)];
            write_section_iq(&Bfp::new(comp.width), &h2, n_prb, &iq, &mut buf).unwrap();
            assert_eq!(read_section_header(&buf, n_prb).unwrap().0, h2);
        }
    }
}

/// Writes a message of `timing(symbol)` whose sections carry `row`'s PRBs `ranges`, in order.
fn message_of(codec: &mut UplaneCodec, symbol: u8, row: &[C32], ranges: &[(u16, u16)]) -> Vec<u8> {
    let mut msg = vec![0u8; 4 + ranges.len() * codec.section_bytes(usize::from(N_PRB_MAX))];
    let mut at = timing(symbol).write(&mut msg).unwrap();
    for (id, &(start, num)) in ranges.iter().enumerate() {
        at += codec
            .write_section(id as u16, start, num, row, &mut msg[at..])
            .unwrap();
    }
    msg.truncate(at);
    msg
}

const N_PRB_MAX: u16 = 275;

/// `read_message_screened` writes the row exactly as `read_message` does and returns the bits
/// the row screening finds in it (the largest magnitude exactly; "all equal" exactly) when its
/// sections wrote the whole row from PRB 0 up in order, on every backend; `None` for a message
/// that leaves PRBs unwritten, overlaps or goes out of order.
#[test]
fn uplane_screened_read_returns_the_row_bits_only_for_a_whole_row() {
    let n_prb = 24u16;
    let live = row(n_prb.into(), 3);
    let stuck = vec![C32::new(0.25, -0.5); usize::from(n_prb) * 12];
    // Stuck up to PRB 20, one different sample in PRB 21.
    let mut late = stuck.clone();
    late[21 * 12 + 5] = C32::new(0.0, 0.125);
    for backend in Backend::available() {
        let kernels = Kernels::with_backend(backend).unwrap();
        let comp = CompHeader::bfp(IqWidth::W9);
        let mut codec = UplaneCodec::new(comp, n_prb, 16384.0)
            .unwrap()
            .with_kernels(kernels);
        for (x, name) in [(&live, "live"), (&stuck, "stuck"), (&late, "late")] {
            for (ranges, whole) in [
                (&[(0, 24)][..], true),
                (&[(0, 10), (10, 14)][..], true),
                (&[(0, 1), (1, 1), (2, 22)][..], true),
                (&[(10, 14), (0, 10)][..], false),
                (&[(0, 10)][..], false),
                (&[(1, 23)][..], false),
                (&[(0, 12), (8, 16)][..], false),
                (&[(0, 12), (13, 11)][..], false),
            ] {
                let msg = message_of(&mut codec, 4, x, ranges);
                let fill = C32::new(7.0, -7.0);
                let mut plain = vec![fill; x.len()];
                let mut screened = vec![fill; x.len()];
                let (t, n) = codec.read_message(&msg, &mut plain).unwrap();
                let (t2, n2, bits) = codec.read_message_screened(&msg, &mut screened).unwrap();
                assert_eq!((t, n), (t2, n2));
                assert_eq!(plain, screened, "{name} {ranges:?}");
                let case = format!("{backend:?} {name} {ranges:?}");
                match (bits, whole) {
                    (Some(b), true) => {
                        let want = kernels.screen_bits(&plain, plain[0]);
                        assert_eq!(b.max_abs_bits, want.max_abs_bits, "{case}");
                        assert_eq!(b.differ_bits == 0, want.differ_bits == 0, "{case}");
                        assert_eq!(b.differ_bits == 0, name == "stuck", "{case}");
                    }
                    (None, false) => {}
                    (b, _) => panic!("{case}: {b:?}"),
                }
            }
        }
    }
}

#[test]
fn uplane_bad_input_is_named() {
    let comp = CompHeader::bfp(IqWidth::W9);
    let mut codec = UplaneCodec::new(comp, 24, 1000.0).unwrap();
    let x = row(24, 1);
    let mut out = vec![0u8; 4 + codec.section_bytes(24)];
    assert_eq!(
        invalid(codec.write_section(4096, 0, 24, &x, &mut out).unwrap_err()),
        "sectionId"
    );
    assert_eq!(
        invalid(codec.write_section(1, 20, 5, &x, &mut out).unwrap_err()),
        "startPrbu/numPrbu"
    );
    assert_eq!(
        invalid(codec.write_section(1, 0, 0, &x, &mut out).unwrap_err()),
        "startPrbu/numPrbu"
    );
    assert!(matches!(
        codec.write_message(&timing(3), 1, &x, &mut out[..100]),
        Err(Error::ShapeMismatch { .. })
    ));
    let mut t = timing(14);
    assert_eq!(invalid(t.write(&mut out).unwrap_err()), "symbolId");
    t = timing(1);
    t.subframe_id = 10;
    assert_eq!(invalid(t.write(&mut out).unwrap_err()), "subframeId");
    // A valid message, then corruptions of it.
    codec.write_message(&timing(3), 1, &x, &mut out).unwrap();
    let mut y = vec![C32::new(0.0, 0.0); x.len()];
    let mut bad = out.clone();
    bad[4 + 4] = 0x93; // udCompMeth 3
    assert_eq!(
        invalid(codec.read_message(&bad, &mut y).unwrap_err()),
        "udCompMeth"
    );
    bad[4 + 4] = 0xE1; // BFP at 14 bits: not this codec's header
    assert_eq!(
        invalid(codec.read_message(&bad, &mut y).unwrap_err()),
        "udCompHdr"
    );
    bad = out.clone();
    bad[4 + 6] = 0x08; // first PRB exponent 8 > 16 − 9
    assert!(matches!(
        codec.read_message(&bad, &mut y),
        Err(Error::Simd(SimdError::BfpExponent {
            block: 0,
            exponent: 8,
            max: 7
        }))
    ));
    // One byte short: the section (after the 4-byte application header) names the length
    // its header announces and the length there is.
    match codec.read_message(&out[..out.len() - 1], &mut y) {
        Err(Error::ShapeMismatch {
            name,
            expected,
            got,
        }) => {
            assert_eq!(name, "U-plane section data");
            assert_eq!(&*expected, &[out.len() - 4]);
            assert_eq!(&*got, &[out.len() - 5]);
        }
        other => panic!("{other:?}"),
    }
    // A header without a section is not a message (found by tests/fronthaul_fuzz.rs).
    match codec.read_message(&out[..4], &mut y) {
        Err(Error::ShapeMismatch { name, expected, .. }) => {
            assert!(name.contains("section"), "{name}");
            // The 4-byte application header and one 6-byte section header at least.
            assert_eq!(&*expected, &[10]);
        }
        other => panic!("{other:?}"),
    }
    bad = out.clone();
    bad[0] = 0x20 | (bad[0] & 0x8F); // payloadVersion 2
    assert_eq!(
        invalid(codec.read_message(&bad, &mut y).unwrap_err()),
        "payloadVersion"
    );
    assert_eq!(
        invalid(UplaneCodec::new(comp, 276, 1.0).unwrap_err()),
        "carrier_prbs"
    );
    assert_eq!(
        invalid(
            UplaneCodec::new(
                CompHeader {
                    width: IqWidth::W9,
                    method: CompMethod::None
                },
                10,
                1.0
            )
            .unwrap_err()
        ),
        "udIqWidth"
    );
    assert_eq!(invalid(IqWidth::new(0).unwrap_err()), "iq_width");
    assert_eq!(invalid(IqWidth::new(17).unwrap_err()), "iq_width");
    assert_eq!(IqWidth::from_field(0), IqWidth::W16);
}

#[test]
fn cplane_type1_and_extension_11_round_trip() {
    let header = CplaneHeader {
        timing: timing(2),
        num_sections: 1,
        comp: CompHeader::bfp(IqWidth::W9),
    };
    let mut buf = [0u8; 8];
    assert_eq!(header.write(&mut buf).unwrap(), 8);
    assert_eq!(buf[5], 1);
    assert_eq!(CplaneHeader::read(&buf).unwrap(), (header, 8));
    let sec = Section1 {
        section_id: 4095,
        rb: false,
        sym_inc: true,
        start_prb: 1023,
        num_prb: 273,
        re_mask: 0xFFF,
        num_symbol: 14,
        ef: true,
        beam_id: 0x7FFF,
    };
    assert_eq!(sec.write(273, &mut buf).unwrap(), 8);
    assert_eq!(buf[3], 0, "numPrbc 0 = whole carrier");
    assert_eq!(Section1::read(&buf, 273).unwrap(), (sec, 8));

    // Extension 11: 64 TRX, 273 PRBs in bundles of 4 → 69 bundles, the last of 1 PRB.
    let (n_trx, n_prb) = (64, 273);
    let ext = BfwExtension {
        disable_bfws: false,
        rad: true,
        num_bund_prb: 4,
        ef: false,
    };
    for width in [IqWidth::W9, IqWidth::W14, IqWidth::new(3).unwrap()] {
        let scale = 30000.0;
        let mut codec = BfwCodec::new(CompHeader::bfp(width), n_trx, scale).unwrap();
        let bundles = 69;
        let w = Array2::from_shape_fn((bundles, n_trx), |(b, t)| {
            let ph = (b * 7 + t * 3) as f32 * 0.37;
            C32::new(ph.cos(), ph.sin()) * (0.125 + 0.01 * b as f32)
        });
        let beams: Vec<u16> = (0..bundles as u16).map(|b| 1000 + b).collect();
        let len = codec.extension_bytes(&ext, n_prb);
        assert_eq!(len % 4, 0);
        assert_eq!(
            len,
            (6 + bundles * (3 + (2 * n_trx * width.bits() as usize).div_ceil(8)))
                .next_multiple_of(4)
        );
        let mut out = vec![0xAAu8; len];
        assert_eq!(
            codec
                .write(&ext, n_prb, &beams, w.view(), &mut out)
                .unwrap(),
            len
        );
        assert_eq!(out[0], 11);
        assert_eq!(usize::from(u16::from_be_bytes([out[1], out[2]])) * 4, len);
        assert_eq!(
            (out[3], out[4], out[5]),
            (0x40, 4, CompHeader::bfp(width).to_byte())
        );
        let mut beams2 = vec![0u16; bundles];
        let mut w2 = Array2::zeros((bundles, n_trx));
        let (ext2, used) = codec.read(&out, n_prb, &mut beams2, w2.view_mut()).unwrap();
        assert_eq!((ext2, used), (ext, len));
        assert_eq!(beams2, beams);
        // per bundle: floor step 2^e ≤ 2^(16−w) LSB plus 0.5 LSB rounding
        let step = ((1u32 << (16 - width.bits())) as f32 + 0.5) / scale;
        for (a, b) in w.iter().zip(w2.iter()) {
            assert!((a.re - b.re).abs() <= step && (a.im - b.im).abs() <= step);
        }
        // Beam ids only.
        let off = BfwExtension {
            disable_bfws: true,
            ..ext
        };
        let len = codec.extension_bytes(&off, n_prb);
        assert_eq!(len, (5 + 2 * bundles).next_multiple_of(4));
        let mut out = vec![0u8; len];
        codec
            .write(&off, n_prb, &beams, w.view(), &mut out)
            .unwrap();
        let (e, _) = codec.read(&out, n_prb, &mut beams2, w2.view_mut()).unwrap();
        assert!(e.disable_bfws);
        assert_eq!(beams2, beams);
    }
}

#[test]
fn cplane_bad_input_is_named() {
    let mut buf = [0u8; 8];
    let sec = Section1 {
        section_id: 1,
        rb: false,
        sym_inc: false,
        start_prb: 0,
        num_prb: 10,
        re_mask: 0xFFF,
        num_symbol: 14,
        ef: false,
        beam_id: 1,
    };
    assert_eq!(
        invalid(
            Section1 {
                num_symbol: 0,
                ..sec
            }
            .write(10, &mut buf)
            .unwrap_err()
        ),
        "numSymbol"
    );
    assert_eq!(
        invalid(
            Section1 {
                beam_id: 0x8000,
                ..sec
            }
            .write(10, &mut buf)
            .unwrap_err()
        ),
        "beamId"
    );
    assert_eq!(
        invalid(
            Section1 {
                re_mask: 0x1000,
                ..sec
            }
            .write(10, &mut buf)
            .unwrap_err()
        ),
        "reMask"
    );
    assert_eq!(
        invalid(
            Section1 {
                num_prb: 256,
                ..sec
            }
            .write(273, &mut buf)
            .unwrap_err()
        ),
        "numPrbc"
    );
    let h = CplaneHeader {
        timing: timing(0),
        num_sections: 1,
        comp: CompHeader::bfp(IqWidth::W9),
    };
    h.write(&mut buf).unwrap();
    buf[5] = 3;
    assert_eq!(
        invalid(CplaneHeader::read(&buf).unwrap_err()),
        "sectionType"
    );

    let mut codec = BfwCodec::new(CompHeader::bfp(IqWidth::W9), 8, 100.0).unwrap();
    assert_eq!(
        invalid(BfwCodec::new(CompHeader::bfp(IqWidth::W9), 0, 1.0).unwrap_err()),
        "n_trx"
    );
    assert_eq!(
        invalid(BfwCodec::new(CompHeader::bfp(IqWidth::W9), 257, 1.0).unwrap_err()),
        "n_trx"
    );
    let ext = BfwExtension {
        disable_bfws: false,
        rad: false,
        num_bund_prb: 2,
        ef: false,
    };
    let w = Array2::from_elem((3, 8), C32::new(0.1, -0.1));
    let mut out = vec![0u8; 256];
    assert_eq!(
        invalid(
            codec
                .write(
                    &BfwExtension {
                        num_bund_prb: 0,
                        ..ext
                    },
                    6,
                    &[1, 2, 3],
                    w.view(),
                    &mut out
                )
                .unwrap_err()
        ),
        "numBundPrb"
    );
    assert!(matches!(
        codec.write(&ext, 6, &[1, 2], w.view(), &mut out),
        Err(Error::ShapeMismatch { .. })
    ));
    assert_eq!(
        invalid(
            codec
                .write(&ext, 6, &[1, 2, 0x8000], w.view(), &mut out)
                .unwrap_err()
        ),
        "beamId"
    );
    let mut nan = w.clone();
    nan[[1, 3]].re = f32::NAN;
    assert_eq!(
        invalid(
            codec
                .write(&ext, 6, &[1, 2, 3], nan.view(), &mut out)
                .unwrap_err()
        ),
        "x"
    );
    let n = codec
        .write(&ext, 6, &[1, 2, 3], w.view(), &mut out)
        .unwrap();
    let mut beams = [0u16; 3];
    let mut w2 = Array2::zeros((3, 8));
    // Read as 8 PRBs: extLen no longer matches.
    let mut beams4 = [0u16; 4];
    let mut w4 = Array2::zeros((4, 8));
    assert_eq!(
        invalid(
            codec
                .read(&out[..n], 8, &mut beams4, w4.view_mut())
                .unwrap_err()
        ),
        "extLen"
    );
    let mut bad = out.clone();
    bad[0] = 10;
    assert_eq!(
        invalid(codec.read(&bad, 6, &mut beams, w2.view_mut()).unwrap_err()),
        "extType"
    );
    assert!(matches!(
        codec.read(&out[..n - 4], 6, &mut beams, w2.view_mut()),
        Err(Error::ShapeMismatch { .. })
    ));
}

#[test]
fn ecpri_header_round_trips_and_rejects_what_it_cannot_carry() {
    let h = EcpriHeader {
        message: EcpriMessage::IqData,
        payload_size: 4 + 6 + 273 * 28 + 4,
        eaxc_id: 0x1234,
        seq_id: 255,
    };
    let mut b = [0u8; 8];
    h.write(&mut b).unwrap();
    assert_eq!(b, [0x10, 0, 0x1D, 0xEA, 0x12, 0x34, 0xFF, 0x80]);
    assert_eq!(EcpriHeader::read(&b).unwrap(), (h, 8));
    let mut bad = b;
    bad[1] = 5;
    assert_eq!(
        invalid(EcpriHeader::read(&bad).unwrap_err()),
        "ecpriMessage"
    );
    bad = b;
    bad[0] = 0x20;
    assert_eq!(
        invalid(EcpriHeader::read(&bad).unwrap_err()),
        "ecpriRevision"
    );
    bad = b;
    bad[7] = 0;
    assert_eq!(invalid(EcpriHeader::read(&bad).unwrap_err()), "E bit");
}

const N_PRB: usize = 24;
const N_SC: usize = 12 * N_PRB;

fn ofdm() -> OfdmConfig {
    nr_ofdm(N_SC, 512)
}

/// A 16-antenna downlink slot with 4 users on a fixed deterministic channel, RZF weights and
/// 256QAM layers (DMRS on symbols 2–3), and its precoded antenna grid.
fn downlink_grid() -> (DownlinkSlot, Array3<C32>, Array3<C32>, Array3<C32>) {
    let (n_ant, k) = (16, 4);
    let cfg = rzf_downlink(n_ant, k, N_PRB);
    let mut srs = Array3::zeros((k, 14, N_SC));
    write_multiplexed_users(
        &SrsConfig::single_port(4, N_PRB, 13, (3, 0)),
        k,
        srs.view_mut(),
    )
    .unwrap();
    let mut dl = DownlinkSlot::new(cfg, srs.view(), &ofdm()).unwrap();
    let mut est = dl.estimates_mut().view_mut();
    for ((r, p, u, a), h) in est.indexed_iter_mut() {
        let ph = 0.9 * (a * (u + 1)) as f32 + 0.05 * (p * (a + 2 * u)) as f32 + r as f32;
        *h = C32::new(ph.cos(), ph.sin());
    }
    dl.compute_weights(&[0, 1, 2, 3], 0.01).unwrap();
    let (x, pilots) = dmrs_layers(k, N_SC, Modulation::Qam256, |i, j, l| {
        (i * 13 + j * 5 + l * 3) % 7 < 3
    });
    let mut grid = Array3::zeros((n_ant, 14, N_SC));
    dl.precode(x.view(), grid.view_mut()).unwrap();
    (dl, x, pilots, grid)
}

/// Streaming and cached stores decode the same rows, bit for bit, with the same screening,
/// at every compression; the setting is what was set.
#[test]
fn streaming_and_cached_reads_decode_the_same_rows() {
    use massive_mimo::cache::OutputStores;
    for (comp, n_prb) in [
        (CompHeader::bfp(IqWidth::W9), 273u16),
        (CompHeader::bfp(IqWidth::W14), 25),
        (
            CompHeader {
                width: IqWidth::W16,
                method: CompMethod::None,
            },
            52,
        ),
    ] {
        let n = usize::from(n_prb);
        let codec = UplaneCodec::new(comp, n_prb, 9000.0).unwrap();
        let mut rows = Vec::new();
        for stores in [OutputStores::Streaming, OutputStores::Cached] {
            let mut c = codec.clone().with_output_stores(stores);
            assert_eq!(c.output_stores(), stores);
            let mut msg = vec![0u8; 4 + c.section_bytes(n)];
            c.write_message(&timing(2), 9, &row(n, 11), &mut msg)
                .unwrap();
            // Odd start of the row in memory: the streaming path's unaligned head too.
            let mut buf = vec![C32::new(5.0, 5.0); 12 * n + 1];
            let (t, sections, bits) = c.read_message_screened(&msg, &mut buf[1..]).unwrap();
            assert_eq!((t, sections), (timing(2), 1));
            assert_eq!(buf[0], C32::new(5.0, 5.0));
            let bits = bits.expect("a whole-carrier message screens its row");
            rows.push((
                buf[1..]
                    .iter()
                    .map(|c| (c.re.to_bits(), c.im.to_bits()))
                    .collect::<Vec<_>>(),
                bits,
            ));
        }
        assert!(rows[0] == rows[1], "{comp:?}");
    }
}

/// A message written as its headers and then its PRBs in pieces, in any order, has the bytes
/// of `write_message` (every compression the codec takes); bad pieces are refused by name.
#[test]
fn a_message_written_in_pieces_is_write_message() {
    for (comp, n_prb) in [
        (CompHeader::bfp(IqWidth::W9), 273u16),
        (CompHeader::bfp(IqWidth::new(5).unwrap()), 11),
        (
            CompHeader {
                width: IqWidth::W16,
                method: CompMethod::None,
            },
            52,
        ),
    ] {
        let n = usize::from(n_prb);
        let mut codec = UplaneCodec::new(comp, n_prb, 16384.0).unwrap();
        let x = row(n, 3);
        let len = 4 + codec.section_bytes(n);
        let mut want = vec![0u8; len];
        codec
            .write_message(&timing(6), 2049, &x, &mut want)
            .unwrap();
        let mut got = vec![0xC3u8; len];
        assert_eq!(
            codec
                .write_message_header(&timing(6), 2049, &mut got)
                .unwrap(),
            10
        );
        // Pieces of 1, 3 and the rest, the last first.
        let cuts = [0, 1, 4.min(n), n];
        for w in cuts.windows(2).rev() {
            let part = &x[12 * w[0]..12 * w[1]];
            codec.write_message_prbs(w[0], part, &mut got).unwrap();
        }
        assert!(got == want, "{comp:?}");
    }
    let mut codec = UplaneCodec::new(CompHeader::bfp(IqWidth::W9), 10, 300.0).unwrap();
    let len = 4 + codec.section_bytes(10);
    let mut msg = vec![0u8; len];
    let x = row(10, 1);
    let shape = |e: Error| match e {
        Error::ShapeMismatch { name, expected, .. } => (name, expected),
        other => panic!("expected ShapeMismatch, got {other:?}"),
    };
    // Not whole PRBs; past the carrier; a message too short for the carrier.
    let (name, _) = shape(codec.write_message_prbs(0, &x[..13], &mut msg).unwrap_err());
    assert!(name.starts_with("part"), "{name}");
    let (name, expected) = shape(codec.write_message_prbs(8, &x[..36], &mut msg).unwrap_err());
    assert!(name.starts_with("part"), "{name}");
    assert_eq!(expected, massive_mimo::error::Shape::of(&[24]));
    // A first PRB far past the carrier (no overflow on the way).
    let (name, expected) = shape(
        codec
            .write_message_prbs(usize::MAX, &x[..12], &mut msg)
            .unwrap_err(),
    );
    assert!(name.starts_with("part"), "{name}");
    assert_eq!(expected, massive_mimo::error::Shape::of(&[0]));
    let (name, expected) = shape(
        codec
            .write_message_prbs(0, &x[..12], &mut msg[..len - 1])
            .unwrap_err(),
    );
    assert!(name.starts_with("U-plane message"), "{name}");
    assert_eq!(expected, massive_mimo::error::Shape::of(&[len]));
    let (name, _) = shape(
        codec
            .write_message_header(&timing(1), 1, &mut msg[..len - 1])
            .unwrap_err(),
    );
    assert!(name.starts_with("U-plane message"), "{name}");
    assert_eq!(
        invalid(
            codec
                .write_message_header(&timing(1), 4096, &mut msg)
                .unwrap_err()
        ),
        "sectionId"
    );
    // A NaN is named by its index in the carrier, as write_message names it in the row.
    let mut bad = x.clone();
    bad[12 * 7 + 5] = C32::new(0.0, f32::NAN);
    match codec.write_message_prbs(6, &bad[12 * 6..], &mut msg) {
        Err(Error::InvalidParameter { name, value, .. }) => {
            assert_eq!(name, "x");
            assert_eq!(value.to_string(), "NaN at sample 89");
        }
        other => panic!("{other:?}"),
    }
    match codec.write_message(&timing(1), 1, &bad, &mut msg) {
        Err(Error::InvalidParameter { value, .. }) => {
            assert_eq!(value.to_string(), "NaN at sample 89")
        }
        other => panic!("{other:?}"),
    }
}

/// The category-A downlink symbol by symbol (`DownlinkSlot::precode_uplane`) writes the bytes
/// of `precode` followed by `write_message` per antenna row: same precoder arithmetic per
/// symbol, same codec.
#[test]
fn precode_uplane_writes_the_messages_of_the_precoded_grid() {
    let (mut dl, x, _, grid) = downlink_grid();
    let scale = 4096.0;
    let mut codec = UplaneCodec::new(CompHeader::bfp(IqWidth::W9), N_PRB as u16, scale).unwrap();
    let len = 4 + codec.section_bytes(N_PRB);
    let n_ant = grid.dim().0;
    let mut want = vec![0u8; n_ant * 14 * len];
    for (i, msg) in want.chunks_exact_mut(len).enumerate() {
        let (a, l) = (i / 14, i % 14);
        let row = grid.slice(s![a, l, ..]).to_vec();
        codec.write_message(&timing(l as u8), 5, &row, msg).unwrap();
    }
    // Room past each message (a caller's fixed slot size) stays untouched.
    let slot_len = len + 3;
    let mut got = vec![0xA5u8; n_ant * 14 * slot_len];
    dl.precode_uplane(x.view(), &mut codec, &timing(9), 5, &mut got, slot_len)
        .unwrap();
    for (i, (g, w)) in got
        .chunks_exact(slot_len)
        .zip(want.chunks_exact(len))
        .enumerate()
    {
        assert_eq!(&g[..len], w, "antenna {} symbol {}", i / 14, i % 14);
        assert!(
            g[len..].iter().all(|&b| b == 0xA5),
            "message {i} wrote past its length"
        );
    }
    // Slots of exactly a message's length.
    let mut exact = vec![0u8; n_ant * 14 * len];
    dl.precode_uplane(x.view(), &mut codec, &timing(9), 5, &mut exact, len)
        .unwrap();
    assert!(exact == want);
    // Refusals, named: a slot too short for a message, a buffer of the wrong size, a layer
    // grid of the wrong shape.
    for (msgs, slot) in [
        (n_ant * 14 * (len - 1), len - 1),
        (n_ant * 14 * len - 1, len),
    ] {
        let mut buf = vec![0u8; msgs];
        match dl.precode_uplane(x.view(), &mut codec, &timing(0), 0, &mut buf, slot) {
            Err(Error::ShapeMismatch { name, expected, .. }) => {
                assert!(name.starts_with("messages"), "{name}");
                assert_eq!(
                    expected,
                    massive_mimo::error::Shape::of(&[n_ant * 14 * len])
                );
            }
            other => panic!("{other:?}"),
        }
    }
    // The free function with a one-symbol buffer too short for the antennas' rows.
    let w = ndarray::Array3::<C32>::zeros((N_PRB / 2, n_ant, 4));
    let mut applier = massive_mimo::precoding::PrecoderApplier::new(n_ant, 4, 14 * 96).unwrap();
    let mut rows = vec![C32::new(0.0, 0.0); n_ant * N_SC - 1];
    let out = CategoryA {
        codec: &mut codec,
        slot: &timing(0),
        section_id: 0,
        messages: &mut got,
        message_len: slot_len,
    };
    match precode_uplane(&mut applier, w.view(), 24, x.view(), &mut rows, out) {
        Err(Error::ShapeMismatch { name, expected, .. }) => {
            assert!(name.starts_with("rows"), "{name}");
            assert_eq!(expected, massive_mimo::error::Shape::of(&[n_ant * N_SC]));
        }
        other => panic!("{other:?}"),
    }
    // Layer grids of the wrong shape: 13 symbols, 3 layers for the weights' 4.
    let three = x.slice(s![..3, .., ..]);
    for layers in [x.slice(s![.., ..13, ..]), three] {
        match dl.precode_uplane(layers, &mut codec, &timing(0), 0, &mut got, slot_len) {
            Err(Error::ShapeMismatch { name, .. }) => {
                assert!(name.starts_with("layers"), "{name}")
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn downlink_grid_through_bfp9_keeps_the_evm_that_quantisation_predicts() {
    let (_, _, _, grid) = downlink_grid();
    let peak = grid
        .iter()
        .map(|c| c.re.abs().max(c.im.abs()))
        .fold(0.0f32, f32::max);
    let scale = 32767.0 / peak; // full scale at the slot's peak component
    let w = IqWidth::W9;
    let mut codec = UplaneCodec::new(CompHeader::bfp(w), N_PRB as u16, scale).unwrap();
    let mut msg = vec![0u8; 4 + codec.section_bytes(N_PRB)];
    let (mut err, mut sig, mut predicted) = (0.0f64, 0.0f64, 0.0f64);
    let mut back = vec![C32::new(0.0, 0.0); N_SC];
    let mut iq = vec![0i16; 2 * N_SC];
    let bfp = Bfp::new(w);
    let mut payload = vec![0u8; N_PRB * w.prb_bytes()];
    for a in 0..grid.dim().0 {
        for l in 0..14 {
            let row = grid.slice(s![a, l, ..]);
            let row = row.as_slice().unwrap();
            codec
                .write_message(&timing(l as u8), 0, row, &mut msg)
                .unwrap();
            codec.read_message(&msg, &mut back).unwrap();
            for (x, y) in row.iter().zip(&back) {
                err += f64::from((x - y).norm_sqr());
                sig += f64::from(x.norm_sqr());
            }
            // Prediction from the exponents alone: floor to a step 2^e drops an integer
            // uniform on 0..2^e−1 (mean square (2^e−1)(2^(e+1)−1)/6 LSB²), the int16 rounding
            // adds 1/12 LSB²; two components per RE.
            float_to_int16(row, scale, &mut iq).unwrap();
            bfp.compress(&iq, &mut payload).unwrap();
            for p in 0..N_PRB {
                let e = f64::from(payload[p * w.prb_bytes()]);
                let d = 2f64.powf(e);
                predicted += 24.0 * ((d - 1.0) * (2.0 * d - 1.0) / 6.0 + 1.0 / 12.0);
            }
        }
    }
    let evm = (err / sig).sqrt();
    let evm_pred = (predicted / f64::from(scale).powi(2) / sig).sqrt();
    println!(
        "BFP-9 downlink antenna grid: EVM {:.3} % ({:.1} dB), predicted {:.3} % ({:.1} dB)",
        100.0 * evm,
        20.0 * evm.log10(),
        100.0 * evm_pred,
        20.0 * evm_pred.log10()
    );
    assert!(
        (0.85..1.15).contains(&(evm / evm_pred)),
        "EVM {evm} vs predicted {evm_pred}"
    );
    // 9-bit BFP must stay well inside 256QAM's 3.5 % transmitter EVM limit (38.104 Table 6.5.2.2-1).
    assert!(evm < 0.035 / 3.0, "EVM {evm}");
}

#[test]
fn uplink_detects_from_uplane_messages_and_downlink_weights_leave_as_extension_11() {
    let (dl, x, pilots, grid) = downlink_grid();
    let (n_ant, k) = (grid.dim().0, x.dim().0);
    // Identity link: antenna a's precoded grid arrives on receive antenna a, so the uplink sees
    // H = W (per PRG). Detection from the float grid is the reference; detection from BFP-14
    // U-plane messages must agree with it to within what 14-bit quantisation can move.
    let pattern = || PilotPattern::from_pilots(pilots.view()).unwrap();
    let mut reference = UplinkSlot::new(n_ant, pattern(), &ofdm()).unwrap();
    reference.grid_mut().assign(&grid);
    reference
        .detect(DetectorMethod::Mmse { unbiased: true }, Some(1e-6))
        .unwrap();
    let peak = grid
        .iter()
        .map(|c| c.re.abs().max(c.im.abs()))
        .fold(0.0f32, f32::max);
    // The peak 1 dB under the rail (AGC headroom): a sample at the rail counts as clipped and
    // the slot's screen zeroes it (`receive_uplane` sets the screen's full scale).
    let scale = 0.89 * 32767.0 / peak;
    let mut codec = UplaneCodec::new(CompHeader::bfp(IqWidth::W14), N_PRB as u16, scale).unwrap();
    let mut ul = UplinkSlot::new(n_ant, pattern(), &ofdm()).unwrap();
    let mut msg = vec![0u8; 4 + codec.section_bytes(N_PRB)];
    for a in 0..n_ant {
        for l in 0..14 {
            let mut t = timing(l as u8);
            t.direction = Direction::Uplink;
            let row = grid.slice(s![a, l, ..]);
            codec
                .write_message(&t, 0, row.as_slice().unwrap(), &mut msg)
                .unwrap();
            assert_eq!(ul.receive_uplane(&mut codec, a, &msg).unwrap(), t);
        }
    }
    ul.detect(DetectorMethod::Mmse { unbiased: true }, Some(1e-6))
        .unwrap();
    let (mut diff, mut err, mut sig) = (0.0f32, 0.0f32, 0.0f32);
    for j in 0..k {
        for l in (0..14).filter(|l| *l != 2 && *l != 3) {
            for sc in 0..N_SC {
                let (got, want) = (ul.layers()[[j, l, sc]], reference.layers()[[j, l, sc]]);
                diff += (got - want).norm_sqr();
                err += (want - x[[j, l, sc]]).norm_sqr();
                sig += x[[j, l, sc]].norm_sqr();
            }
        }
    }
    let (dev, evm) = ((diff / sig).sqrt(), (err / sig).sqrt());
    println!(
        "uplink from BFP-14 U-plane messages: {:.4} % from the float-grid detection (whose own layer EVM \
         on this synthetic, strongly frequency-selective channel is {:.2} %)",
        100.0 * dev,
        100.0 * evm
    );
    // 14-bit BFP moves the grid by ≈ 0.54 %/2^5 ≈ 0.017 % (the BFP-9 figure above scaled by
    // five bits); allow the detector's noise enhancement a factor of 10.
    assert!(dev < 0.002, "BFP-14 path deviates by {dev}");
    assert_eq!(
        invalid(ul.receive_uplane(&mut codec, n_ant, &msg).unwrap_err()),
        "antenna"
    );

    // Category B: each layer's weights leave as extension 11, one bundle per PRG.
    let wscale = 32767.0
        / dl.weights()
            .iter()
            .map(|c| c.re.abs().max(c.im.abs()))
            .fold(0.0f32, f32::max);
    let mut bfw = BfwCodec::new(CompHeader::bfp(IqWidth::W9), n_ant, wscale).unwrap();
    let ext = BfwExtension {
        disable_bfws: false,
        rad: false,
        num_bund_prb: 2,
        ef: false,
    };
    let n_prg = N_PRB / 2;
    let beams: Vec<u16> = (0..n_prg as u16).collect();
    let mut out = vec![0u8; bfw.extension_bytes(&ext, N_PRB)];
    let mut back = Array2::zeros((n_prg, n_ant));
    let mut beams2 = vec![0u16; n_prg];
    for j in 0..k {
        dl.write_bfw_extension(&mut bfw, j, &ext, &beams, &mut out)
            .unwrap();
        bfw.read(&out, N_PRB, &mut beams2, back.view_mut()).unwrap();
        let w = dl.weights();
        let step = (128.0 + 0.5) / wscale; // 2^(16−9) LSB floor step + rounding
        for p in 0..n_prg {
            for a in 0..n_ant {
                let d = w[[p, a, j]] - back[[p, a]];
                assert!(d.re.abs() <= step && d.im.abs() <= step);
            }
        }
    }
    let bad = BfwExtension {
        num_bund_prb: 3,
        ..ext
    };
    assert_eq!(
        invalid(
            dl.write_bfw_extension(&mut bfw, 0, &bad, &beams, &mut out)
                .unwrap_err()
        ),
        "numBundPrb"
    );
    assert_eq!(
        invalid(
            dl.write_bfw_extension(&mut bfw, k, &ext, &beams, &mut out)
                .unwrap_err()
        ),
        "layer"
    );
}
