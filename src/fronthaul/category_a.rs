//! The O-RAN 7.2x category-A downlink's fronthaul output (the DU precodes, the radio runs the
//! OFDM): a layer grid precoded and written as U-plane messages symbol by symbol, so that the
//! antenna grid never goes to memory (O-RAN.WG4.CUS §8.3; 38.211 §7.3.1.4 for the precoding).

use ndarray::{ArrayView3, ArrayViewMut2};

use super::{Timing, UPLANE_HEADER_BYTES, UplaneCodec};
use crate::precoding::PrecoderApplier;
use crate::resource::SYMBOLS_PER_SLOT;
use crate::{C32, Error, Result};

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
/// the carrier ([`UplaneCodec::write_message`]). Symbol by symbol: `rows` (n_ant · n_sc
/// values) receives one symbol's antenna rows from the precoder and the codec reads them from
/// there while they are in the cache — a slot-sized antenna grid (23.5 MB at NR 100 MHz, 64
/// antennas) is never written to memory and read back. For bands of at least a PRB on the
/// SIMD backends the bytes are exactly those of the grid call followed by `write_message` per
/// row (the same GEMM per symbol); narrower bands take the generic per-band product (equal to
/// rounding). Allocation-free.
///
/// Errors: as [`PrecoderApplier::process_symbol`] and [`UplaneCodec::write_message`] (a NaN
/// names its index; messages before it are written); `layers` without 14 symbols, `rows`
/// shorter than n_ant · n_sc, or `messages` not `n_ant · 14 · message_len` bytes with room for
/// a message (`ShapeMismatch` naming the argument).
pub fn precode_uplane(
    applier: &mut PrecoderApplier,
    w: ArrayView3<'_, C32>,
    band_sc: usize,
    layers: ArrayView3<'_, C32>,
    rows: &mut [C32],
    out: CategoryA<'_>,
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
    if n_sym != SYMBOLS_PER_SLOT {
        return Err(Error::ShapeMismatch {
            name: "layers [k, 14, n_sc]",
            expected: crate::error::Shape::of(&[layers.dim().0, SYMBOLS_PER_SLOT, n_sc]),
            got: crate::error::Shape::of(layers.shape()),
        });
    }
    let rows_len = rows.len();
    let short = || Error::ShapeMismatch {
        name: "rows [n_ant · n_sc]",
        expected: crate::error::Shape::of(&[n_ant * n_sc]),
        got: crate::error::Shape::of(&[rows_len]),
    };
    let rows = rows.get_mut(..n_ant * n_sc).ok_or_else(short)?;
    for l in 0..SYMBOLS_PER_SLOT {
        let view = ArrayViewMut2::from_shape((n_ant, n_sc), &mut *rows).map_err(|_| short())?;
        applier.process_symbol(w, band_sc, l, layers, view)?;
        let timing = Timing {
            symbol_id: l as u8,
            ..*slot
        };
        for (a, row) in rows.chunks_exact(n_sc).enumerate() {
            let at = (a * SYMBOLS_PER_SLOT + l) * message_len;
            codec.write_message(
                &timing,
                section_id,
                row,
                &mut messages[at..at + message_len],
            )?;
        }
    }
    Ok(())
}
