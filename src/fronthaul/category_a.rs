//! The O-RAN 7.2x category-A downlink's fronthaul output (the DU precodes, the radio runs the
//! OFDM): a layer grid precoded and written as U-plane messages symbol by symbol, so that the
//! antenna grid never goes to memory (O-RAN.WG4.CUS §8.3; 38.211 §7.3.1.4 for the precoding).

use ndarray::ArrayView3;

use super::{Timing, UPLANE_HEADER_BYTES, UplaneCodec};
use crate::grid_apply::SymbolRows;
use crate::precoding::PrecoderApplier;
use crate::resource::{SUBCARRIERS_PER_PRB, SYMBOLS_PER_SLOT};
use crate::{C32, Error, Result};

/// Bytes of a piece of a symbol in [`precode_uplane`]: its antenna rows, weights and layer
/// columns. The precoder writes a piece's rows and the codec reads them right after, while
/// they are in the L2 cache — a whole NR 100 MHz symbol's rows (1.7 MB for 64 antennas) and
/// weights (1.1 MB) are not. On a two-FMA-pipe Xeon with 2 MiB of L2 (NR 100 MHz, 64 × 16,
/// PRG 2, alternating runs in one process) pieces of 8 to 16 PRGs (190–380 KB) wrote the
/// slot ×1.09–1.18 faster than whole symbols, 4 and 32 PRGs less so; a quarter MiB fits
/// every L2 this library targets (≥ 512 KiB) with room for the messages being written.
const PIECE_BYTES: usize = 256 << 10;

/// Where [`precode_uplane`] writes: the codec (compression, width, scale, carrier PRBs), the
/// slot's application header (its symbolId is replaced per symbol), the section id of every
/// message, and `messages`: `n_ant · 14` messages of `message_len` bytes, antenna-major
/// (antenna a, symbol l at `(a·14 + l)·message_len`), `message_len` ≥ 4 +
/// `codec.section_bytes(carrier PRBs)`.
pub struct CategoryA<'a> {
    /// The U-plane codec.
    pub codec: &'a mut UplaneCodec,
    /// The slot's timing.
    pub slot: &'a Timing,
    /// sectionId of every message.
    pub section_id: u16,
    /// The output messages.
    pub messages: &'a mut [u8],
    /// Bytes per message slot.
    pub message_len: usize,
}

/// Precodes `layers` [k, 14, n_sc] with `w` [n_bands, n_ant, k] (one matrix per `band_sc`
/// subcarriers, [`PrecoderApplier::process_grid_subbands`]'s convention) and writes each
/// antenna's row of each symbol as one U-plane message of one section holding every PRB of
/// the carrier ([`UplaneCodec::write_message`]'s bytes). Symbol by symbol, and each symbol in
/// pieces of whole PRBs (a quarter MiB of antenna rows, weights and layer columns each):
/// `rows` (n_ant · n_sc values) receives a piece's antenna rows from the precoder and the
/// codec compresses them into their place in each message ([`UplaneCodec::write_message_prbs`]) while they are in the cache — a slot-sized
/// antenna grid (23.5 MB at NR 100 MHz, 64 antennas) is never written to memory and read
/// back, nor a symbol's rows pushed out of the L2 by its weights. For bands of at least a PRB
/// on the SIMD backends the bytes are exactly those of the grid call followed by
/// `write_message` per row (the same GEMM per PRG); narrower bands (and PRGs that are not
/// whole PRBs) take the whole symbol at once, and bands below a PRB the generic per-band
/// product (equal to rounding). Allocation-free.
///
/// Errors: as [`PrecoderApplier::process_symbol`] and [`UplaneCodec::write_message`] (a NaN
/// names its index in the carrier; the messages are then partly written); `layers` without 14
/// symbols or with another width than the codec's carrier, `rows` shorter than n_ant · n_sc,
/// or `messages` not `n_ant · 14 · message_len` bytes with room for a message (`ShapeMismatch`
/// naming the argument).
pub fn precode_uplane(
    applier: &mut PrecoderApplier,
    w: ArrayView3<'_, C32>,
    band_sc: usize,
    layers: ArrayView3<'_, C32>,
    rows: &mut [C32],
    out: CategoryA<'_>,
) -> Result<()> {
    precode_uplane_in_pieces(applier, w, band_sc, layers, rows, out, PIECE_BYTES)
}

/// [`precode_uplane`] with pieces of `piece_bytes` (see [`PIECE_BYTES`]).
fn precode_uplane_in_pieces(
    applier: &mut PrecoderApplier,
    w: ArrayView3<'_, C32>,
    band_sc: usize,
    layers: ArrayView3<'_, C32>,
    rows: &mut [C32],
    out: CategoryA<'_>,
    piece_bytes: usize,
) -> Result<()> {
    let (n_ant, (_, n_sym, n_sc)) = (w.dim().1, layers.dim());
    let CategoryA {
        codec,
        slot,
        section_id,
        messages,
        message_len,
    } = out;
    let need = UPLANE_HEADER_BYTES + codec.section_bytes(n_sc / 12);
    if message_len < need || messages.len() != n_ant * SYMBOLS_PER_SLOT * message_len {
        return Err(Error::ShapeMismatch {
            name: "messages [n_ant · 14 · message_len ≥ 4 + section_bytes(n_prb)]",
            expected: crate::error::Shape::of(&[n_ant * SYMBOLS_PER_SLOT * need]),
            got: crate::error::Shape::of(&[messages.len()]),
        });
    }
    let carrier_sc = usize::from(codec.carrier_prbs()) * SUBCARRIERS_PER_PRB;
    if n_sym != SYMBOLS_PER_SLOT || n_sc != carrier_sc {
        return Err(Error::ShapeMismatch {
            name: "layers [k, 14, n_sc = 12 · the codec's carrier PRBs]",
            expected: crate::error::Shape::of(&[layers.dim().0, SYMBOLS_PER_SLOT, carrier_sc]),
            got: crate::error::Shape::of(layers.shape()),
        });
    }
    let mut rows = SymbolRows::new(rows, n_ant, n_sc)?;
    // Pieces of whole PRBs (see PIECE_BYTES); one piece where PRG borders are not PRB
    // borders.
    let n_prg = n_sc.div_ceil(band_sc);
    let piece = if band_sc.is_multiple_of(SUBCARRIERS_PER_PRB) {
        let per_prg = (n_ant * band_sc + n_ant * layers.dim().0 + layers.dim().0 * band_sc)
            * std::mem::size_of::<C32>();
        (piece_bytes / per_prg).max(1)
    } else {
        n_prg
    };
    for l in 0..SYMBOLS_PER_SLOT {
        let timing = Timing {
            symbol_id: l as u8,
            ..*slot
        };
        for a in 0..n_ant {
            let at = (a * SYMBOLS_PER_SLOT + l) * message_len;
            codec.write_message_header(&timing, section_id, &mut messages[at..at + message_len])?;
        }
        for g0 in (0..n_prg).step_by(piece) {
            let g1 = n_prg.min(g0 + piece);
            let piece_rows = rows.as_mut_slice();
            let (s0, width) =
                if applier.process_symbol_prgs(w, band_sc, l, layers, g0..g1, piece_rows)? {
                    (g0 * band_sc, (g1 * band_sc).min(n_sc) - g0 * band_sc)
                } else {
                    // Not in place (narrow bands, strided operands): the whole symbol at once.
                    applier.process_symbol(w, band_sc, l, layers, rows.view_mut()?)?;
                    (0, n_sc)
                };
            let written = &rows.as_mut_slice()[..n_ant * width];
            for (a, part) in written.chunks_exact(width).enumerate() {
                let at = (a * SYMBOLS_PER_SLOT + l) * message_len;
                // Ascending pieces: the section's bytes after this piece are the next
                // pieces' (the compressor's last stores may run into them).
                codec.write_message_prbs_ascending(
                    s0 / SUBCARRIERS_PER_PRB,
                    part,
                    &mut messages[at..at + message_len],
                )?;
            }
            if width == n_sc {
                break;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fronthaul::{CompHeader, Direction, IqWidth};
    use ndarray::{Array3, s};

    fn timing() -> Timing {
        Timing {
            direction: Direction::Downlink,
            filter_index: 0,
            frame_id: 3,
            subframe_id: 1,
            slot_id: 0,
            symbol_id: 0,
        }
    }

    fn value(i: usize) -> C32 {
        let x = (i.wrapping_mul(2_654_435_761) >> 7) % 2001;
        let y = (i.wrapping_mul(40_503) >> 3) % 1999;
        C32::new(x as f32 / 1000.0 - 1.0, y as f32 / 1000.0 - 1.0)
    }

    /// Every piece size — one PRG, sizes that leave a short last piece, one piece for the
    /// symbol — writes the bytes of the whole-symbol product followed by `write_message` per
    /// antenna row, for PRGs of 1 and 2 PRBs and a carrier with a half last PRG; PRGs that are
    /// not whole PRBs (18 subcarriers) take the whole symbol, same bytes.
    #[test]
    fn every_piece_size_writes_the_messages_of_the_whole_symbol() {
        let (n_ant, k) = (6, 3);
        for (n_prb, band_sc) in [(11usize, 24usize), (11, 12), (10, 18)] {
            let n_sc = 12 * n_prb;
            let n_prg = n_sc.div_ceil(band_sc);
            let w = Array3::from_shape_fn((n_prg, n_ant, k), |(g, a, j)| {
                value(1000 + (g * n_ant + a) * k + j)
            });
            let x =
                Array3::from_shape_fn((k, 14, n_sc), |(j, l, c)| value((j * 14 + l) * n_sc + c));
            let mut applier = PrecoderApplier::new(n_ant, k, n_sc).unwrap();
            let mut codec =
                UplaneCodec::new(CompHeader::bfp(IqWidth::W9), n_prb as u16, 300.0).unwrap();
            let len = UPLANE_HEADER_BYTES + codec.section_bytes(n_prb);
            let mut want = vec![0u8; n_ant * 14 * len];
            let mut sym = ndarray::Array2::zeros((n_ant, n_sc));
            for l in 0..14 {
                applier
                    .process_symbol(w.view(), band_sc, l, x.view(), sym.view_mut())
                    .unwrap();
                for a in 0..n_ant {
                    let t = Timing {
                        symbol_id: l as u8,
                        ..timing()
                    };
                    let at = (a * 14 + l) * len;
                    let row = sym.slice(s![a, ..]).to_vec();
                    codec
                        .write_message(&t, 7, &row, &mut want[at..at + len])
                        .unwrap();
                }
            }
            let per_prg = (n_ant * band_sc + n_ant * k + k * band_sc) * size_of::<C32>();
            for prgs in [1, 2, 4, n_prg - 1, n_prg, 2 * n_prg] {
                let mut rows = vec![C32::new(0.0, 0.0); n_ant * n_sc];
                let mut got = vec![0x5Au8; n_ant * 14 * len];
                let out = CategoryA {
                    codec: &mut codec,
                    slot: &timing(),
                    section_id: 7,
                    messages: &mut got,
                    message_len: len,
                };
                precode_uplane_in_pieces(
                    &mut applier,
                    w.view(),
                    band_sc,
                    x.view(),
                    &mut rows,
                    out,
                    prgs * per_prg,
                )
                .unwrap();
                assert!(
                    got == want,
                    "{n_prb} PRBs, band {band_sc}, {prgs} PRGs per piece"
                );
            }
        }
    }

    /// A NaN in a later piece is named by its index in the carrier (as `write_message` names
    /// it in the row); layers narrower than the codec's carrier are refused up front.
    #[test]
    fn a_nan_is_named_in_the_carrier_and_a_narrow_grid_is_refused() {
        let (n_ant, k, n_prb, band_sc) = (2, 1, 8, 12);
        let n_sc = 12 * n_prb;
        let w = Array3::from_elem((n_prb, n_ant, k), C32::new(1.0, 0.0));
        let mut x = Array3::from_shape_fn((k, 14, n_sc), |(_, l, c)| value(l * n_sc + c));
        x[[0, 2, 77]] = C32::new(f32::NAN, 0.0);
        let mut applier = PrecoderApplier::new(n_ant, k, n_sc).unwrap();
        let mut codec =
            UplaneCodec::new(CompHeader::bfp(IqWidth::W9), n_prb as u16, 300.0).unwrap();
        let len = UPLANE_HEADER_BYTES + codec.section_bytes(n_prb);
        let mut rows = vec![C32::new(0.0, 0.0); n_ant * n_sc];
        let mut msgs = vec![0u8; n_ant * 14 * len];
        let per_prg = (n_ant * band_sc + n_ant * k + k * band_sc) * size_of::<C32>();
        let out = CategoryA {
            codec: &mut codec,
            slot: &timing(),
            section_id: 0,
            messages: &mut msgs,
            message_len: len,
        };
        let r = precode_uplane_in_pieces(
            &mut applier,
            w.view(),
            band_sc,
            x.view(),
            &mut rows,
            out,
            3 * per_prg,
        );
        match r {
            Err(Error::InvalidParameter { name, value, .. }) => {
                assert_eq!(name, "x");
                assert_eq!(value.to_string(), "NaN at sample 77");
            }
            other => panic!("{other:?}"),
        }
        let narrow = x.slice(s![.., .., ..n_sc - 12]);
        let out = CategoryA {
            codec: &mut codec,
            slot: &timing(),
            section_id: 0,
            messages: &mut msgs,
            message_len: len,
        };
        match precode_uplane(&mut applier, w.view(), band_sc, narrow, &mut rows, out) {
            Err(Error::ShapeMismatch { name, expected, .. }) => {
                assert!(name.starts_with("layers"), "{name}");
                assert_eq!(expected, crate::error::Shape::of(&[k, 14, n_sc]));
            }
            other => panic!("{other:?}"),
        }
    }
}
