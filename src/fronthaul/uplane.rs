//! O-RAN 7.2x U-plane messages (O-RAN.WG4.CUS §8.3.1–8.3.3): the radio application header of
//! one symbol and its data sections, encoded straight from and decoded straight into a
//! resource-grid row (one eAxC, one symbol), through int16 and BFP, allocation-free.
//!
//! Wire layout (big-endian, after the eCPRI transport header):
//!
//! ```text
//! application header (4 bytes): dataDirection:1 payloadVersion:3 filterIndex:4 | frameId:8 |
//!                                subframeId:4 slotId:6 symbolId:6
//! section header (6 bytes):     sectionId:12 rb:1 symInc:1 startPrbu:10 | numPrbu:8 |
//!                                udCompHdr:8 | reserved:8
//! section data:                 numPrbu PRBs, each 1 + 3w bytes (BFP) or 3w bytes (none)
//! ```
//!
//! The udCompHdr byte is always present (the M-plane's dynamic compression configuration);
//! numPrbu = 0 means "every PRB of the carrier" (needed above 255 PRBs).

use super::bfp::{Bfp, CompHeader, CompMethod};
use super::convert::{float_to_int16, float_to_int16_on, int16_to_float};
use super::fields::{need, put_bits, read_bits};
use crate::cache::OutputStores;
use crate::resource::SUBCARRIERS_PER_PRB;
use crate::simd::ScreenBits;
use crate::{C32, Error, Result};

/// Bytes of the U-plane application header.
pub const UPLANE_HEADER_BYTES: usize = 4;
/// Bytes of a U-plane section header with udCompHdr.
pub const UPLANE_SECTION_HEADER_BYTES: usize = 6;
/// Largest PRB count of a carrier (NR 100 MHz at 30 kHz: 273; 38.101-1 Table 5.3.2-1 max 275).
pub const MAX_CARRIER_PRBS: usize = 275;

/// dataDirection: 0 = receive (uplink, O-RU → O-DU), 1 = transmit (downlink).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Uplink (gNB receive), dataDirection = 0.
    Uplink,
    /// Downlink (gNB transmit), dataDirection = 1.
    Downlink,
}

/// A row's screening bits and the first sample they are against
/// ([`UplaneCodec::read_message_screened`]).
type ScreenedRow = (ScreenBits, C32);

/// The timing fields shared by U-plane and C-plane headers (O-RAN.WG4.CUS §7.5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Timing {
    /// dataDirection.
    pub direction: Direction,
    /// filterIndex, 0..=15 (0: standard channel filter).
    pub filter_index: u8,
    /// frameId, the frame number modulo 256.
    pub frame_id: u8,
    /// subframeId, 0..=9.
    pub subframe_id: u8,
    /// slotId within the subframe, 0..=63 (0..2^µ − 1 in NR).
    pub slot_id: u8,
    /// symbolId (U-plane) or startSymbolId (C-plane), 0..=13.
    pub symbol_id: u8,
}

impl Timing {
    /// Writes the 4 bytes (payloadVersion 1). Out-of-range fields are
    /// [`Error::InvalidParameter`] naming the field.
    pub fn write(&self, out: &mut [u8]) -> Result<usize> {
        check_field("filterIndex", self.filter_index.into(), 15)?;
        check_field("subframeId", self.subframe_id.into(), 9)?;
        check_field("slotId", self.slot_id.into(), 63)?;
        check_field("symbolId", self.symbol_id.into(), 13)?;
        let o = need(out, 4, "U/C-plane application header")?;
        let dir = u8::from(self.direction == Direction::Downlink);
        o[0] = (dir << 7) | (1 << 4) | self.filter_index;
        o[1] = self.frame_id;
        put_bits(&mut o[2..4], 0, 4, self.subframe_id.into());
        put_bits(&mut o[2..4], 4, 6, self.slot_id.into());
        put_bits(&mut o[2..4], 10, 6, self.symbol_id.into());
        Ok(4)
    }

    /// Reads the 4 bytes; a payloadVersion other than 1 or a field out of range is an error.
    pub fn read(buf: &[u8]) -> Result<(Self, usize)> {
        let b = buf
            .get(..4)
            .ok_or_else(|| short("U/C-plane application header", 4, buf.len()))?;
        let version = (b[0] >> 4) & 7;
        if version != 1 {
            return Err(Error::InvalidParameter {
                name: "payloadVersion",
                value: crate::error::Value::of(&version),
                reason: "only payloadVersion 1 is defined",
            });
        }
        let t = Self {
            direction: if b[0] >> 7 == 1 {
                Direction::Downlink
            } else {
                Direction::Uplink
            },
            filter_index: b[0] & 0x0F,
            frame_id: b[1],
            subframe_id: read_bits(&b[2..4], 0, 4) as u8,
            slot_id: read_bits(&b[2..4], 4, 6) as u8,
            symbol_id: read_bits(&b[2..4], 10, 6) as u8,
        };
        check_field("subframeId", t.subframe_id.into(), 9)?;
        check_field("symbolId", t.symbol_id.into(), 13)?;
        Ok((t, 4))
    }
}

pub(super) fn check_field(name: &'static str, value: u32, max: u32) -> Result<()> {
    if value <= max {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            name,
            value: crate::error::Value::of(&value),
            reason: "exceeds the field's range (O-RAN.WG4.CUS)",
        })
    }
}

pub(super) fn short(name: &'static str, expected: usize, got: usize) -> Error {
    Error::ShapeMismatch {
        name,
        expected: crate::error::Shape::of(&[expected]),
        got: crate::error::Shape::of(&[got]),
    }
}

/// One U-plane data section's header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UplaneSection {
    /// sectionId, 0..=4095 (ties the data to its C-plane section).
    pub section_id: u16,
    /// rb: 1 = every other PRB.
    pub rb: bool,
    /// symInc: 1 = this section starts the next symbol.
    pub sym_inc: bool,
    /// startPrbu, 0..=1023.
    pub start_prb: u16,
    /// Number of PRBs, 1..=carrier PRBs (written as numPrbu, 0 when it is the whole carrier
    /// above 255 PRBs).
    pub num_prb: u16,
    /// udCompHdr.
    pub comp: CompHeader,
}

/// Encoder and decoder of U-plane sections for one carrier and one compression setting,
/// converting between a grid row (complex f32, one symbol's subcarriers, axis `[subcarrier]`)
/// and the wire through int16 with a scale (int16 LSBs per float unit). Holds its int16
/// scratch from construction: no allocation per call.
#[derive(Clone, Debug)]
pub struct UplaneCodec {
    comp: CompHeader,
    bfp: Bfp,
    carrier_prbs: u16,
    scale: f32,
    iq: Vec<i16>,
    /// How decoded rows are stored ([`Self::set_output_stores`]).
    stores: OutputStores,
}

impl UplaneCodec {
    /// A codec for a carrier of `carrier_prbs` PRBs (1..=275) with compression `comp` (BFP at
    /// any width, or uncompressed at width 16) and `scale` int16 LSBs per float unit.
    pub fn new(comp: CompHeader, carrier_prbs: u16, scale: f32) -> Result<Self> {
        check_comp(comp)?;
        if carrier_prbs == 0 || usize::from(carrier_prbs) > MAX_CARRIER_PRBS {
            return Err(Error::InvalidParameter {
                name: "carrier_prbs",
                value: crate::error::Value::of(&carrier_prbs),
                reason: "must be 1..=275 (38.101-1 Table 5.3.2-1)",
            });
        }
        // Validate the scale once with an empty conversion.
        float_to_int16(&[], scale, &mut [])?;
        Ok(Self {
            comp,
            bfp: Bfp::new(comp.width),
            carrier_prbs,
            scale,
            iq: vec![0; usize::from(carrier_prbs) * 24],
            stores: OutputStores::for_next_block(),
        })
    }

    /// How the reads store the rows they decode: [`OutputStores::Streaming`] (past the caches,
    /// fenced at the end of each read: memory sees no read-for-ownership and the caches keep
    /// what they held) or [`OutputStores::Cached`] (ordinary stores that leave the rows in the
    /// cache for the block that reads them next). The values are the same either way.
    /// Default: [`OutputStores::for_next_block`] — cached where the last-level cache holds a
    /// slot's grid and its readers' data, streaming otherwise.
    pub fn set_output_stores(&mut self, stores: OutputStores) {
        self.stores = stores;
    }

    /// [`Self::set_output_stores`] as a builder.
    pub fn with_output_stores(mut self, stores: OutputStores) -> Self {
        self.set_output_stores(stores);
        self
    }

    /// How the reads store their rows ([`Self::set_output_stores`]).
    pub fn output_stores(&self) -> OutputStores {
        self.stores
    }

    /// Runs its BFP and screening kernels on `kernels` (tests, benchmarks per backend).
    pub fn with_kernels(mut self, kernels: crate::simd::Kernels) -> Self {
        self.bfp = Bfp::with_kernels(self.comp.width, kernels);
        self
    }

    /// PRBs of the carrier it writes and reads (a whole-carrier row is 12 × as many
    /// subcarriers).
    pub fn carrier_prbs(&self) -> u16 {
        self.carrier_prbs
    }

    /// The compression header it writes.
    pub fn comp(&self) -> CompHeader {
        self.comp
    }

    /// The largest magnitude a decoded component can have, in float units: the rail of the
    /// int16 range as the compression represents it, `(2^(w−1) − 1)·2^(16−w) / scale` (BFP at
    /// width w with the largest exponent 16 − w; 32767/scale uncompressed). Samples at the
    /// rail were clipped somewhere on the way ([`crate::link::GridScreen::set_full_scale`]).
    pub fn full_scale(&self) -> f32 {
        let w = self.comp.width.bits();
        let rail = ((1u32 << (w - 1)) - 1) << (16 - w);
        rail as f32 / self.scale
    }

    /// Bytes of one section of `num_prb` PRBs, header included.
    pub fn section_bytes(&self, num_prb: usize) -> usize {
        UPLANE_SECTION_HEADER_BYTES + num_prb * self.comp.prb_bytes()
    }

    /// Writes a section of `num_prb` PRBs from `start_prb`, taking its subcarriers from `row`
    /// (the symbol's whole carrier, `carrier_prbs·12` values), into `out`. Returns the bytes
    /// written ([`UplaneCodec::section_bytes`]). Errors: PRBs outside the carrier, a section id
    /// above 4095, `out` too short, a NaN sample.
    pub fn write_section(
        &mut self,
        section_id: u16,
        start_prb: u16,
        num_prb: u16,
        row: &[C32],
        out: &mut [u8],
    ) -> Result<usize> {
        let (lo, n) = self.check_prbs(start_prb, num_prb, row.len())?;
        let sc = SUBCARRIERS_PER_PRB;
        let iq = &mut self.iq[..n * 24];
        float_to_int16_on(
            &self.bfp.kernels(),
            &row[lo * sc..(lo + n) * sc],
            self.scale,
            iq,
        )?;
        let header = UplaneSection {
            section_id,
            rb: false,
            sym_inc: false,
            start_prb,
            num_prb,
            comp: self.comp,
        };
        write_section_iq(&self.bfp, &header, self.carrier_prbs, iq, out)
    }

    /// Reads one section from `buf` into `row` (the symbol's whole carrier; only the
    /// section's PRBs are written). Returns its header and the bytes consumed. The section's
    /// udCompHdr must match this codec's.
    pub fn read_section(&mut self, buf: &[u8], row: &mut [C32]) -> Result<(UplaneSection, usize)> {
        let r = self.decode_section(buf, row);
        self.bfp.kernels().stream_fence();
        r.map(|(h, used, _, _)| (h, used))
    }

    /// [`Self::read_section`] without the fence, also returning the screening bits of the
    /// samples written (against the section's first) and that first sample (`None` for no
    /// PRBs), converted from its IQ: reading it back from the row would wait for a streamed
    /// line to reach memory.
    fn decode_section(
        &mut self,
        buf: &[u8],
        row: &mut [C32],
    ) -> Result<(UplaneSection, usize, ScreenBits, Option<C32>)> {
        let (h, used) = read_section_header(buf, self.carrier_prbs)?;
        if h.comp != self.comp {
            return Err(Error::InvalidParameter {
                name: "udCompHdr",
                value: crate::value!("{:#04x}", h.comp.to_byte()),
                reason: "differs from the codec's compression header",
            });
        }
        let (lo, n) = self.check_prbs(h.start_prb, h.num_prb, row.len())?;
        let data_len = n * self.comp.prb_bytes();
        let data = buf
            .get(used..used + data_len)
            .ok_or_else(|| short("U-plane section data", used + data_len, buf.len()))?;
        let iq = &mut self.iq[..n * 24];
        decode_prbs(&self.bfp, self.comp, data, iq)?;
        let sc = SUBCARRIERS_PER_PRB;
        // The float path's `value / scale` (the scale was checked at construction), written
        // past the caches or into them (`set_output_stores`) and screened from the registers.
        let out = &mut row[lo * sc..(lo + n) * sc];
        let kernels = self.bfp.kernels();
        let bits = match self.stores {
            OutputStores::Streaming => kernels.int16_to_c32_stream_screen(iq, self.scale, out)?,
            OutputStores::Cached => kernels.int16_to_c32_screen(iq, self.scale, out)?,
        };
        // The first sample by the scalar conversion, which the kernels equal bit for bit.
        let mut first = [C32::new(0.0, 0.0)];
        if n > 0 {
            int16_to_float(&iq[..2], self.scale, &mut first)?;
        }
        Ok((h, used + data_len, bits, (n > 0).then_some(first[0])))
    }

    /// Writes a whole U-plane message for one eAxC and one symbol: the application header
    /// `timing`, then one section (`section_id`) carrying every PRB of the carrier from `row`
    /// (category A: one antenna's precoded row; category B: one layer's row). Returns the
    /// bytes written: 4 + [`UplaneCodec::section_bytes`]`(carrier_prbs)`.
    pub fn write_message(
        &mut self,
        timing: &Timing,
        section_id: u16,
        row: &[C32],
        out: &mut [u8],
    ) -> Result<usize> {
        let head = timing.write(out)?;
        let n = self.carrier_prbs;
        let body = self.write_section(section_id, 0, n, row, &mut out[head..])?;
        Ok(head + body)
    }

    /// The header of the one section of [`Self::write_message`]: every PRB of the carrier.
    fn whole_carrier(&self, section_id: u16) -> UplaneSection {
        UplaneSection {
            section_id,
            rb: false,
            sym_inc: false,
            start_prb: 0,
            num_prb: self.carrier_prbs,
            comp: self.comp,
        }
    }

    /// The first [`UPLANE_HEADER_BYTES`] + [`UPLANE_SECTION_HEADER_BYTES`] bytes of
    /// [`Self::write_message`]'s message — the application header and the header of its one
    /// section holding every PRB of the carrier — for a message whose PRB data
    /// [`Self::write_message_prbs`] writes in pieces. Returns the bytes written. Errors: as
    /// `write_message` (section id, `out` too short for the whole message).
    pub fn write_message_header(
        &self,
        timing: &Timing,
        section_id: u16,
        out: &mut [u8],
    ) -> Result<usize> {
        let n = usize::from(self.carrier_prbs);
        need(
            out,
            UPLANE_HEADER_BYTES + self.section_bytes(n),
            "U-plane message out",
        )?;
        let header = section_header(&self.whole_carrier(section_id), self.carrier_prbs)?;
        let head = timing.write(out)?;
        out[head..head + UPLANE_SECTION_HEADER_BYTES].copy_from_slice(&header);
        Ok(head + UPLANE_SECTION_HEADER_BYTES)
    }

    /// Writes PRBs `first_prb..first_prb + part.len()/12` of [`Self::write_message`]'s
    /// message from `part` (those PRBs' subcarriers) into `message` (the whole message, its
    /// headers from [`Self::write_message_header`]): once every PRB of the carrier is written,
    /// the bytes are `write_message`'s. A piece of a symbol can so be compressed while it is
    /// in the cache ([`super::precode_uplane`]). Errors: `part` not whole PRBs or past the
    /// carrier, `message` too short (`ShapeMismatch`); a NaN (`InvalidParameter` naming
    /// `x` and the sample's index in the carrier).
    pub fn write_message_prbs(
        &mut self,
        first_prb: usize,
        part: &[C32],
        message: &mut [u8],
    ) -> Result<()> {
        self.write_prbs(first_prb, part, message, false)
    }

    /// [`Self::write_message_prbs`] for a writer that fills the message's section in
    /// ascending pieces of PRBs ([`crate::fronthaul::precode_uplane`]): the bytes of the
    /// section after this part are scratch, which the next pieces overwrite — the BFP
    /// compressor's last stores then run into them instead of through its bounce buffers
    /// ([`Bfp::compress_slack`]). The part's bytes are those of `write_message_prbs`.
    pub(crate) fn write_message_prbs_ascending(
        &mut self,
        first_prb: usize,
        part: &[C32],
        message: &mut [u8],
    ) -> Result<()> {
        self.write_prbs(first_prb, part, message, true)
    }

    /// [`Self::write_message_prbs`], the section's bytes after the part scratch when `slack`.
    fn write_prbs(
        &mut self,
        first_prb: usize,
        part: &[C32],
        message: &mut [u8],
        slack: bool,
    ) -> Result<()> {
        let sc = SUBCARRIERS_PER_PRB;
        let (carrier, n) = (usize::from(self.carrier_prbs), part.len() / sc);
        if !part.len().is_multiple_of(sc) || first_prb > carrier || n > carrier - first_prb {
            return Err(short(
                "part [whole PRBs inside the carrier]",
                (carrier - first_prb.min(carrier)) * sc,
                part.len(),
            ));
        }
        let bytes = self.comp.prb_bytes();
        let at = UPLANE_HEADER_BYTES + UPLANE_SECTION_HEADER_BYTES + first_prb * bytes;
        let end = UPLANE_HEADER_BYTES + self.section_bytes(carrier);
        if message.len() < end {
            return Err(short("U-plane message out", end, message.len()));
        }
        let iq = &mut self.iq[..n * 24];
        float_to_int16_on(&self.bfp.kernels(), part, self.scale, iq).map_err(|e| {
            match part.iter().position(|c| c.is_nan()) {
                Some(i) => Error::InvalidParameter {
                    name: "x",
                    value: crate::value!("NaN at sample {}", first_prb * sc + i),
                    reason: "samples converted to int16 must not be NaN",
                },
                None => e,
            }
        })?;
        let data = if slack {
            &mut message[at..end]
        } else {
            &mut message[at..at + n * bytes]
        };
        encode_prbs(&self.bfp, self.comp, iq, data, slack)
    }

    /// Reads every section after the application header of `message` into `row` (the
    /// header's symbol's whole carrier). Returns the timing and the number of sections (≥ 1:
    /// a message without a section is a `ShapeMismatch`).
    pub fn read_message(&mut self, message: &[u8], row: &mut [C32]) -> Result<(Timing, usize)> {
        self.read_message_with(message, row, |_, _, _, _| {})
    }

    /// [`Self::read_message`] that also returns the screening of what it wrote
    /// ([`crate::simd::Kernels::screen_bits`], what [`crate::link::GridScreen`] classifies
    /// receive antennas from), folded from the registers the samples are stored from: the
    /// whole row's bits against its first sample when the message's sections wrote every
    /// subcarrier of the row — in ascending, contiguous PRB order from PRB 0, as a radio sends
    /// a full-band symbol — and `None` otherwise (the row then holds samples this message did
    /// not write, which only a screening of the row can describe). Same errors.
    pub fn read_message_screened(
        &mut self,
        message: &[u8],
        row: &mut [C32],
    ) -> Result<(Timing, usize, Option<ScreenBits>)> {
        self.read_message_screened_with_first(message, row)
            .map(|(t, n, s)| (t, n, s.map(|(bits, _)| bits)))
    }

    /// [`Self::read_message_screened`], also returning the row's first sample the bits are
    /// against (converted from its IQ: the row itself was streamed out).
    pub(crate) fn read_message_screened_with_first(
        &mut self,
        message: &[u8],
        row: &mut [C32],
    ) -> Result<(Timing, usize, Option<ScreenedRow>)> {
        let row_len = row.len();
        // Subcarriers written from 0 in order so far (None once a section breaks the order),
        // and the bits of those against the row's first sample.
        let mut covered = Some(0);
        let mut bits = ScreenBits::default();
        let mut first = C32::new(0.0, 0.0);
        let (timing, sections) = self.read_message_with(message, row, |lo, len, x0, s| {
            covered = covered.filter(|&c| c == lo).map(|c| c + len);
            let (Some(_), Some(x0)) = (covered, x0) else {
                return;
            };
            if lo == 0 {
                first = x0;
            }
            bits = bits.merge(s, first, x0);
        })?;
        // (An empty row is an error above: no carrier has zero PRBs.)
        let whole = covered == Some(row_len);
        Ok((timing, sections, whole.then_some((bits, first))))
    }

    /// Reads every section of `message` into `row`, handing `each` the first subcarrier, the
    /// number of subcarriers, the first sample (`None` for none) and the screening bits of
    /// every section just written; fenced once at the end (also after an error).
    fn read_message_with(
        &mut self,
        message: &[u8],
        row: &mut [C32],
        mut each: impl FnMut(usize, usize, Option<C32>, ScreenBits),
    ) -> Result<(Timing, usize)> {
        let (timing, mut at) = Timing::read(message)?;
        if at == message.len() {
            return Err(short(
                "U-plane message (application header and ≥ 1 section)",
                UPLANE_HEADER_BYTES + UPLANE_SECTION_HEADER_BYTES,
                message.len(),
            ));
        }
        let mut sections = 0;
        let mut result = Ok(());
        while at < message.len() {
            match self.decode_section(&message[at..], row) {
                Ok((h, used, bits, first)) => {
                    let sc = SUBCARRIERS_PER_PRB;
                    let (lo, n) = (usize::from(h.start_prb) * sc, usize::from(h.num_prb) * sc);
                    each(lo, n, first, bits);
                    at += used;
                    sections += 1;
                }
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        self.bfp.kernels().stream_fence();
        result.map(|()| (timing, sections))
    }

    fn check_prbs(&self, start: u16, num: u16, row_len: usize) -> Result<(usize, usize)> {
        let carrier = usize::from(self.carrier_prbs);
        if row_len != carrier * SUBCARRIERS_PER_PRB {
            return Err(short(
                "row [subcarrier]",
                carrier * SUBCARRIERS_PER_PRB,
                row_len,
            ));
        }
        let (lo, n) = (usize::from(start), usize::from(num));
        if n == 0 || lo + n > carrier {
            return Err(Error::InvalidParameter {
                name: "startPrbu/numPrbu",
                value: crate::value!("{lo}+{n}"),
                reason: "the section must hold ≥ 1 PRB inside the carrier",
            });
        }
        Ok((lo, n))
    }
}

fn check_comp(comp: CompHeader) -> Result<()> {
    if comp.method == CompMethod::None && comp.width.bits() != 16 {
        return Err(Error::InvalidParameter {
            name: "udIqWidth",
            value: crate::error::Value::of(&comp.width.bits()),
            reason: "uncompressed IQ is supported at 16 bits only",
        });
    }
    Ok(())
}

/// Writes a section header and its int16 PRBs (`iq` = num_prb·24 values, [prb, re, iq])
/// compressed per `h.comp`. Returns the bytes written.
pub fn write_section_iq(
    bfp: &Bfp,
    h: &UplaneSection,
    carrier_prbs: u16,
    iq: &[i16],
    out: &mut [u8],
) -> Result<usize> {
    let header = section_header(h, carrier_prbs)?;
    let n = usize::from(h.num_prb);
    if iq.len() != n * 24 {
        return Err(short("iq [prb, re, iq]", n * 24, iq.len()));
    }
    let data_len = n * h.comp.prb_bytes();
    let o = need(
        out,
        UPLANE_SECTION_HEADER_BYTES + data_len,
        "U-plane section out",
    )?;
    o[..UPLANE_SECTION_HEADER_BYTES].copy_from_slice(&header);
    encode_prbs(
        bfp,
        h.comp,
        iq,
        &mut o[UPLANE_SECTION_HEADER_BYTES..],
        false,
    )?;
    Ok(UPLANE_SECTION_HEADER_BYTES + data_len)
}

/// The bytes of section header `h` (O-RAN.WG4.CUS §8.3.3: sectionId, rb, symInc, startPrbu,
/// numPrbu — 0 for a whole carrier above 255 PRBs — and udCompHdr), its fields checked.
fn section_header(
    h: &UplaneSection,
    carrier_prbs: u16,
) -> Result<[u8; UPLANE_SECTION_HEADER_BYTES]> {
    check_comp(h.comp)?;
    check_field("sectionId", h.section_id.into(), 4095)?;
    check_field("startPrbu", h.start_prb.into(), 1023)?;
    let n = usize::from(h.num_prb);
    let num_field = if n > 255 && h.num_prb == carrier_prbs {
        0
    } else if (1..=255).contains(&n) {
        n as u8
    } else {
        return Err(Error::InvalidParameter {
            name: "numPrbu",
            value: crate::error::Value::of(&n),
            reason: "1..=255, or the whole carrier",
        });
    };
    let mut o = [0u8; UPLANE_SECTION_HEADER_BYTES];
    put_bits(&mut o[..3], 0, 12, h.section_id.into());
    put_bits(&mut o[..3], 12, 1, h.rb.into());
    put_bits(&mut o[..3], 13, 1, h.sym_inc.into());
    put_bits(&mut o[..3], 14, 10, h.start_prb.into());
    o[3] = num_field;
    o[4] = h.comp.to_byte();
    Ok(o)
}

/// Encodes int16 PRBs `iq` ([prb, re, iq]) as `comp`'s section data into `data`: exactly
/// their bytes long, or with `slack` their bytes first and scratch after them (BFP by
/// [`Bfp::compress_slack`]; uncompressed samples write only their own bytes).
fn encode_prbs(
    bfp: &Bfp,
    comp: CompHeader,
    iq: &[i16],
    data: &mut [u8],
    slack: bool,
) -> Result<()> {
    match comp.method {
        CompMethod::BlockFloatingPoint if slack => bfp.compress_slack(iq, data),
        CompMethod::BlockFloatingPoint => bfp.compress(iq, data),
        CompMethod::None => {
            for (d, v) in data.chunks_exact_mut(2).zip(iq) {
                d.copy_from_slice(&v.to_be_bytes());
            }
            Ok(())
        }
    }
}

/// Reads a section header (numPrbu = 0 resolves to `carrier_prbs`). Returns it and its length.
pub fn read_section_header(buf: &[u8], carrier_prbs: u16) -> Result<(UplaneSection, usize)> {
    let b = buf.get(..UPLANE_SECTION_HEADER_BYTES).ok_or_else(|| {
        short(
            "U-plane section header",
            UPLANE_SECTION_HEADER_BYTES,
            buf.len(),
        )
    })?;
    let num = match b[3] {
        0 => carrier_prbs,
        n => u16::from(n),
    };
    Ok((
        UplaneSection {
            section_id: read_bits(&b[..3], 0, 12) as u16,
            rb: read_bits(&b[..3], 12, 1) == 1,
            sym_inc: read_bits(&b[..3], 13, 1) == 1,
            start_prb: read_bits(&b[..3], 14, 10) as u16,
            num_prb: num,
            comp: CompHeader::from_byte(b[4])?,
        },
        UPLANE_SECTION_HEADER_BYTES,
    ))
}

/// Decodes `data` (whole PRBs of `comp`) into int16 `iq`.
pub(super) fn decode_prbs(bfp: &Bfp, comp: CompHeader, data: &[u8], iq: &mut [i16]) -> Result<()> {
    match comp.method {
        CompMethod::BlockFloatingPoint => bfp.decompress(data, iq),
        CompMethod::None => {
            if data.len() != 2 * iq.len() {
                return Err(short("uncompressed section data", 2 * iq.len(), data.len()));
            }
            for (v, d) in iq.iter_mut().zip(data.chunks_exact(2)) {
                *v = i16::from_be_bytes([d[0], d[1]]);
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fronthaul::IqWidth;

    /// The rail of each width: BFP-9 reaches 255·2⁷ = 32640, 16 bits 32767 (int16 units).
    #[test]
    fn full_scale_is_the_widths_rail_over_the_scale() {
        let c9 = UplaneCodec::new(CompHeader::bfp(IqWidth::W9), 10, 2.0).unwrap();
        assert_eq!(c9.full_scale(), 32640.0 / 2.0);
        let c16 = UplaneCodec::new(CompHeader::bfp(IqWidth::W16), 10, 32767.0).unwrap();
        assert_eq!(c16.full_scale(), 1.0);
        let c14 = UplaneCodec::new(CompHeader::bfp(IqWidth::W14), 10, 1.0).unwrap();
        assert_eq!(c14.full_scale(), (8191 << 2) as f32);
    }
}
