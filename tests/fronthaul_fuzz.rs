//! The fronthaul receive path parses bytes from the wire: random and mutated messages must give
//! a result or a typed error — never a panic, never an out-of-bounds access. Bounded proptest
//! runs (a few thousand cases, seconds), plus mutations of valid messages so the parsers get
//! past their first checks.

use massive_mimo::C32;
use massive_mimo::fronthaul::*;
use ndarray::Array2;
use proptest::prelude::*;

fn timing() -> Timing {
    Timing {
        direction: Direction::Uplink,
        filter_index: 0,
        frame_id: 3,
        subframe_id: 4,
        slot_id: 1,
        symbol_id: 7,
    }
}

/// A valid U-plane message (BFP-9, 20 PRBs) to mutate.
fn valid_uplane(codec: &mut UplaneCodec) -> Vec<u8> {
    let row: Vec<C32> = (0..240)
        .map(|i| C32::new((i as f32 * 0.1).sin(), (i as f32 * 0.3).cos()))
        .collect();
    let mut msg = vec![0u8; 4 + codec.section_bytes(20)];
    codec.write_message(&timing(), 5, &row, &mut msg).unwrap();
    msg
}

/// A valid extension 11 (8 TRX, 20 PRBs in bundles of 4, BFP-9) to mutate.
fn valid_ext11(codec: &mut BfwCodec) -> Vec<u8> {
    let ext = BfwExtension {
        disable_bfws: false,
        rad: false,
        num_bund_prb: 4,
        ef: false,
    };
    let w = Array2::from_shape_fn((5, 8), |(b, t)| C32::new(0.1 * b as f32, -0.05 * t as f32));
    let mut out = vec![0u8; codec.extension_bytes(&ext, 20)];
    codec
        .write(&ext, 20, &[1, 2, 3, 4, 5], w.view(), &mut out)
        .unwrap();
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..700), w in 1u32..=16) {
        let _ = EcpriHeader::read(&bytes);
        let _ = Timing::read(&bytes);
        let _ = CplaneHeader::read(&bytes);
        let _ = Section1::read(&bytes, 273);
        let _ = read_section_header(&bytes, 273);
        let mut codec = UplaneCodec::new(CompHeader::bfp(IqWidth::new(w).unwrap()), 20, 1000.0).unwrap();
        let mut row = vec![C32::new(0.0, 0.0); 240];
        let _ = codec.read_message(&bytes, &mut row);
        let mut bfw = BfwCodec::new(CompHeader::bfp(IqWidth::new(w).unwrap()), 8, 1000.0).unwrap();
        let mut beams = [0u16; 5];
        let mut weights = Array2::zeros((5, 8));
        let _ = bfw.read(&bytes, 20, &mut beams, weights.view_mut());
        let bfp = Bfp::new(IqWidth::new(w).unwrap());
        let n = bytes.len() / IqWidth::new(w).unwrap().prb_bytes();
        let mut iq = vec![0i16; n * 24];
        let _ = bfp.decompress(&bytes[..n * IqWidth::new(w).unwrap().prb_bytes()], &mut iq);
    }

    #[test]
    fn mutated_valid_messages_never_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut codec = UplaneCodec::new(CompHeader::bfp(IqWidth::W9), 20, 1000.0).unwrap();
        let mut msg = valid_uplane(&mut codec);
        for (at, v) in &flips {
            let i = at.index(msg.len());
            msg[i] ^= *v;
        }
        let len = cut.index(msg.len() + 1);
        let mut row = vec![C32::new(0.0, 0.0); 240];
        if let Ok((t, n)) = codec.read_message(&msg[..len], &mut row) {
            // Whatever decodes is a legal header with at least one whole section.
            prop_assert!(t.symbol_id <= 13 && n >= 1);
        }

        let mut bfw = BfwCodec::new(CompHeader::bfp(IqWidth::W9), 8, 1000.0).unwrap();
        let mut ext = valid_ext11(&mut bfw);
        for (at, v) in &flips {
            let i = at.index(ext.len());
            ext[i] ^= *v;
        }
        let len = cut.index(ext.len() + 1);
        let mut beams = [0u16; 5];
        let mut weights = Array2::zeros((5, 8));
        if let Ok((_, used)) = bfw.read(&ext[..len], 20, &mut beams, weights.view_mut()) {
            prop_assert!(used <= len);
            prop_assert!(beams.iter().all(|&b| b <= 0x7FFF));
        }
    }
}
