//! O-RAN 7.2x C-plane messages of section type 1 (O-RAN.WG4.CUS §7.4, §7.5.2): the common
//! header, the per-section fields a DU fills per symbol group (section id, PRBs, reMask,
//! symbols, beamId), and section extension 11 (§7.7.11, flexible beamforming weights) carrying
//! one BFP-compressed weight vector per PRB bundle for a category-B radio. Allocation-free
//! after construction.
//!
//! Wire layout (big-endian, after the eCPRI transport header):
//!
//! ```text
//! common header (8 bytes): dataDirection:1 payloadVersion:3 filterIndex:4 | frameId:8 |
//!                          subframeId:4 slotId:6 startSymbolId:6 | numberOfSections:8 |
//!                          sectionType:8 (= 1) | udCompHdr:8 | reserved:8
//! section (8 bytes):       sectionId:12 rb:1 symInc:1 startPrbc:10 | numPrbc:8 |
//!                          reMask:12 numSymbol:4 | ef:1 beamId:15
//! extension 11:            ef:1 extType:7 (= 11) | extLen:16 (4-byte words, header included) |
//!                          disableBFWs:1 RAD:1 reserved:6 | numBundPrb:8 |
//!                          [bfwCompHdr:8 when disableBFWs = 0]
//!                          per bundle: [bfwCompParam:8 (BFP exponent)] reserved:1 beamId:15
//!                                      [N_TRX × (I, Q) bfwIqWidth-bit fields, zero-padded
//!                                       to a byte]
//!                          zero padding to a multiple of 4 bytes
//! ```
//!
//! Bundles: ⌈numPrbc / numBundPrb⌉, the last one possibly shorter.

use super::bfp::{Bfp, CompHeader, CompMethod, IqWidth};
use super::convert::{float_to_int16, int16_to_float};
use super::fields::{need, put_bits, read_bits};
use super::uplane::{Timing, check_field, short};
use crate::{C32, Error, Result};
use ndarray::{ArrayView2, ArrayViewMut2};

/// Bytes of the type-1 common header.
pub const CPLANE_HEADER_BYTES: usize = 8;
/// Bytes of one type-1 section (without extensions).
pub const SECTION1_BYTES: usize = 8;
/// Most TRX of one weight vector this codec handles (a 256-element array).
pub const MAX_TRX: usize = 256;

/// The type-1 common header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CplaneHeader {
    /// Timing; `symbol_id` is startSymbolId.
    pub timing: Timing,
    /// numberOfSections.
    pub num_sections: u8,
    /// udCompHdr of the U-plane data the sections describe.
    pub comp: CompHeader,
}

impl CplaneHeader {
    /// Writes the 8 bytes.
    pub fn write(&self, out: &mut [u8]) -> Result<usize> {
        let o = need(out, CPLANE_HEADER_BYTES, "C-plane header out")?;
        self.timing.write(o)?;
        o[4] = self.num_sections;
        o[5] = 1;
        o[6] = self.comp.to_byte();
        o[7] = 0;
        Ok(CPLANE_HEADER_BYTES)
    }

    /// Reads the 8 bytes; a section type other than 1 is an error naming `sectionType`.
    pub fn read(buf: &[u8]) -> Result<(Self, usize)> {
        let b = buf
            .get(..CPLANE_HEADER_BYTES)
            .ok_or_else(|| short("C-plane header", CPLANE_HEADER_BYTES, buf.len()))?;
        let (timing, _) = Timing::read(b)?;
        if b[5] != 1 {
            return Err(Error::InvalidParameter {
                name: "sectionType",
                value: crate::error::Value::of(&b[5]),
                reason: "only section type 1 is supported",
            });
        }
        Ok((
            Self {
                timing,
                num_sections: b[4],
                comp: CompHeader::from_byte(b[6])?,
            },
            CPLANE_HEADER_BYTES,
        ))
    }
}

/// One type-1 section.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Section1 {
    /// sectionId, 0..=4095.
    pub section_id: u16,
    /// rb: every other PRB.
    pub rb: bool,
    /// symInc.
    pub sym_inc: bool,
    /// startPrbc, 0..=1023.
    pub start_prb: u16,
    /// numPrbc, 1..=255 (0 on the wire means the whole carrier; give the carrier's count).
    pub num_prb: u16,
    /// reMask: 12 bits, bit 11 = RE 0 of each PRB.
    pub re_mask: u16,
    /// numSymbol, 1..=14 (encoded modulo 16... 14 fits in 4 bits).
    pub num_symbol: u8,
    /// ef: section extensions follow.
    pub ef: bool,
    /// beamId, 0..=32767 (0: no beamforming; with extension 11 the bundles carry their own).
    pub beam_id: u16,
}

impl Section1 {
    /// Writes the 8 bytes; `carrier_prbs` lets numPrbc = 0 stand for the whole carrier.
    pub fn write(&self, carrier_prbs: u16, out: &mut [u8]) -> Result<usize> {
        check_field("sectionId", self.section_id.into(), 4095)?;
        check_field("startPrbc", self.start_prb.into(), 1023)?;
        check_field("reMask", self.re_mask.into(), 0xFFF)?;
        check_field("beamId", self.beam_id.into(), 0x7FFF)?;
        if !(1..=14).contains(&self.num_symbol) {
            return Err(Error::InvalidParameter {
                name: "numSymbol",
                value: crate::error::Value::of(&self.num_symbol),
                reason: "must be 1..=14",
            });
        }
        let num = num_prb_field(self.num_prb, carrier_prbs, "numPrbc")?;
        let o = need(out, SECTION1_BYTES, "C-plane section out")?;
        o.fill(0);
        put_bits(o, 0, 12, self.section_id.into());
        put_bits(o, 12, 1, self.rb.into());
        put_bits(o, 13, 1, self.sym_inc.into());
        put_bits(o, 14, 10, self.start_prb.into());
        o[3] = num;
        put_bits(o, 32, 12, self.re_mask.into());
        put_bits(o, 44, 4, self.num_symbol.into());
        put_bits(o, 48, 1, self.ef.into());
        put_bits(o, 49, 15, self.beam_id.into());
        Ok(SECTION1_BYTES)
    }

    /// Reads the 8 bytes (numPrbc = 0 resolves to `carrier_prbs`).
    pub fn read(buf: &[u8], carrier_prbs: u16) -> Result<(Self, usize)> {
        let b = buf
            .get(..SECTION1_BYTES)
            .ok_or_else(|| short("C-plane section", SECTION1_BYTES, buf.len()))?;
        Ok((
            Self {
                section_id: read_bits(b, 0, 12) as u16,
                rb: read_bits(b, 12, 1) == 1,
                sym_inc: read_bits(b, 13, 1) == 1,
                start_prb: read_bits(b, 14, 10) as u16,
                num_prb: match b[3] {
                    0 => carrier_prbs,
                    n => n.into(),
                },
                re_mask: read_bits(b, 32, 12) as u16,
                num_symbol: read_bits(b, 44, 4) as u8,
                ef: read_bits(b, 48, 1) == 1,
                beam_id: read_bits(b, 49, 15) as u16,
            },
            SECTION1_BYTES,
        ))
    }
}

fn num_prb_field(num: u16, carrier_prbs: u16, name: &'static str) -> Result<u8> {
    match num {
        1..=255 => Ok(num as u8),
        n if n == carrier_prbs && n > 255 => Ok(0),
        n => Err(Error::InvalidParameter {
            name,
            value: crate::error::Value::of(&n),
            reason: "1..=255, or the whole carrier",
        }),
    }
}

/// The fixed fields of extension 11.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BfwExtension {
    /// disableBFWs: bundles carry beam ids only (the radio uses stored weights).
    pub disable_bfws: bool,
    /// RAD: reset the radio's after-delay weight buffer.
    pub rad: bool,
    /// numBundPrb, 1..=255: PRBs per bundle (one weight vector each).
    pub num_bund_prb: u8,
    /// ef: another extension follows.
    pub ef: bool,
}

/// Encoder / decoder of extension 11 with BFP (or uncompressed 16-bit) weights of `n_trx`
/// TRX, converting complex f32 weights through int16 with a scale. Scratch is fixed-size:
/// no allocation per call.
#[derive(Clone, Debug)]
pub struct BfwCodec {
    comp: CompHeader,
    bfp: Bfp,
    n_trx: usize,
    scale: f32,
    iq: Vec<i16>,
    packed: Vec<u8>,
    vector: Vec<C32>,
}

impl BfwCodec {
    /// A codec for weight vectors of `n_trx` (1..=[`MAX_TRX`]) complex weights, compressed
    /// per `comp` (BFP at any width, or none at 16 bits), `scale` int16 LSBs per float unit.
    pub fn new(comp: CompHeader, n_trx: usize, scale: f32) -> Result<Self> {
        if !(1..=MAX_TRX).contains(&n_trx) {
            return Err(Error::InvalidParameter {
                name: "n_trx",
                value: crate::error::Value::of(&n_trx),
                reason: "must be 1..=256",
            });
        }
        if comp.method == CompMethod::None && comp.width != IqWidth::W16 {
            return Err(Error::InvalidParameter {
                name: "bfwIqWidth",
                value: crate::error::Value::of(&comp.width.bits()),
                reason: "uncompressed weights are supported at 16 bits only",
            });
        }
        float_to_int16(&[], scale, &mut [])?;
        Ok(Self {
            comp,
            bfp: Bfp::new(comp.width),
            n_trx,
            scale,
            iq: vec![0; 2 * n_trx],
            packed: vec![0; comp.width.bfw_bytes(n_trx)],
            vector: vec![C32::new(0.0, 0.0); n_trx],
        })
    }

    /// Bytes of one bundle on the wire (bfwCompParam, beamId, weights) — or beamId only when
    /// weights are disabled.
    pub fn bundle_bytes(&self, disable_bfws: bool) -> usize {
        if disable_bfws {
            2
        } else {
            match self.comp.method {
                CompMethod::BlockFloatingPoint => 2 + self.comp.width.bfw_bytes(self.n_trx),
                CompMethod::None => 2 + 4 * self.n_trx,
            }
        }
    }

    /// Bytes of the whole extension for a section of `num_prb` PRBs, padding included.
    pub fn extension_bytes(&self, ext: &BfwExtension, num_prb: usize) -> usize {
        let bundles = num_prb.div_ceil(usize::from(ext.num_bund_prb.max(1)));
        let head = if ext.disable_bfws { 5 } else { 6 };
        (head + bundles * self.bundle_bytes(ext.disable_bfws)).next_multiple_of(4)
    }

    /// Writes extension 11 for a section of `num_prb` PRBs: one beam id per bundle
    /// (`beam_ids`, ⌈num_prb / numBundPrb⌉ of them) and, unless weights are disabled, one
    /// weight vector per bundle (`weights` [bundle, trx], any strides — e.g. one layer's
    /// column of a precoder [prg, antenna, layer]). Returns the bytes written
    /// ([`BfwCodec::extension_bytes`]).
    pub fn write(
        &mut self,
        ext: &BfwExtension,
        num_prb: usize,
        beam_ids: &[u16],
        weights: ArrayView2<'_, C32>,
        out: &mut [u8],
    ) -> Result<usize> {
        let bundles = self.bundles(ext, num_prb)?;
        if beam_ids.len() != bundles {
            return Err(short("beam_ids [bundle]", bundles, beam_ids.len()));
        }
        if !ext.disable_bfws && weights.dim() != (bundles, self.n_trx) {
            return Err(Error::ShapeMismatch {
                name: "weights [bundle, trx]",
                expected: crate::error::Shape::of(&[bundles, self.n_trx]),
                got: crate::error::Shape::of(weights.shape()),
            });
        }
        if let Some(&b) = beam_ids.iter().find(|&&b| b > 0x7FFF) {
            check_field("beamId", b.into(), 0x7FFF)?;
        }
        let total = self.extension_bytes(ext, num_prb);
        let words = u16::try_from(total / 4).map_err(|_| Error::InvalidParameter {
            name: "extLen",
            value: crate::error::Value::of(&(total / 4)),
            reason: "extension 11 longer than 65535 words",
        })?;
        let o = need(out, total, "extension 11 out")?;
        o.fill(0);
        o[0] = (u8::from(ext.ef) << 7) | 11;
        o[1..3].copy_from_slice(&words.to_be_bytes());
        o[3] = (u8::from(ext.disable_bfws) << 7) | (u8::from(ext.rad) << 6);
        o[4] = ext.num_bund_prb;
        let mut at = 5;
        if !ext.disable_bfws {
            o[5] = self.comp.to_byte();
            at = 6;
        }
        for (b, &beam) in beam_ids.iter().enumerate() {
            if ext.disable_bfws {
                o[at..at + 2].copy_from_slice(&beam.to_be_bytes());
                at += 2;
                continue;
            }
            for (v, w) in self.vector.iter_mut().zip(weights.row(b)) {
                *v = *w;
            }
            float_to_int16(&self.vector, self.scale, &mut self.iq)?;
            match self.comp.method {
                CompMethod::BlockFloatingPoint => {
                    self.bfp
                        .compress_weights(&self.iq, self.n_trx, &mut self.packed)?;
                    o[at] = self.packed[0];
                    o[at + 1..at + 3].copy_from_slice(&beam.to_be_bytes());
                    let len = self.packed.len() - 1;
                    o[at + 3..at + 3 + len].copy_from_slice(&self.packed[1..]);
                    at += 3 + len;
                }
                CompMethod::None => {
                    o[at..at + 2].copy_from_slice(&beam.to_be_bytes());
                    at += 2;
                    for v in &self.iq {
                        o[at..at + 2].copy_from_slice(&v.to_be_bytes());
                        at += 2;
                    }
                }
            }
        }
        Ok(total)
    }

    /// Reads extension 11 of a section of `num_prb` PRBs into `beam_ids` and (unless the
    /// message disables weights) `weights` [bundle, trx] (any strides). Returns the fixed
    /// fields and the bytes consumed (extLen·4). The bfwCompHdr must match this codec's.
    pub fn read(
        &mut self,
        buf: &[u8],
        num_prb: usize,
        beam_ids: &mut [u16],
        mut weights: ArrayViewMut2<'_, C32>,
    ) -> Result<(BfwExtension, usize)> {
        let head = buf
            .get(..5)
            .ok_or_else(|| short("extension 11 header", 5, buf.len()))?;
        if head[0] & 0x7F != 11 {
            return Err(Error::InvalidParameter {
                name: "extType",
                value: crate::error::Value::of(&(head[0] & 0x7F)),
                reason: "expected 11 (flexible beamforming weights)",
            });
        }
        let total = 4 * usize::from(u16::from_be_bytes([head[1], head[2]]));
        let ext = BfwExtension {
            ef: head[0] >> 7 == 1,
            disable_bfws: head[3] >> 7 == 1,
            rad: (head[3] >> 6) & 1 == 1,
            num_bund_prb: head[4],
        };
        let bundles = self.bundles(&ext, num_prb)?;
        let need_len = self.extension_bytes(&ext, num_prb);
        if total != need_len {
            return Err(Error::InvalidParameter {
                name: "extLen",
                value: crate::error::Value::of(&(total / 4)),
                reason: "does not match numBundPrb, numPrbc, N_TRX and bfwCompHdr",
            });
        }
        let b = buf
            .get(..total)
            .ok_or_else(|| short("extension 11", total, buf.len()))?;
        if beam_ids.len() != bundles {
            return Err(short("beam_ids [bundle]", bundles, beam_ids.len()));
        }
        let mut at = 5;
        if !ext.disable_bfws {
            let comp = CompHeader::from_byte(b[5])?;
            if comp != self.comp {
                return Err(Error::InvalidParameter {
                    name: "bfwCompHdr",
                    value: crate::value!("{:#04x}", b[5]),
                    reason: "differs from the codec's compression header",
                });
            }
            if weights.dim() != (bundles, self.n_trx) {
                return Err(Error::ShapeMismatch {
                    name: "weights [bundle, trx]",
                    expected: crate::error::Shape::of(&[bundles, self.n_trx]),
                    got: crate::error::Shape::of(weights.shape()),
                });
            }
            at = 6;
        }
        for (k, beam) in beam_ids.iter_mut().enumerate() {
            if ext.disable_bfws {
                *beam = u16::from_be_bytes([b[at], b[at + 1]]) & 0x7FFF;
                at += 2;
                continue;
            }
            match self.comp.method {
                CompMethod::BlockFloatingPoint => {
                    let len = self.packed.len() - 1;
                    self.packed[0] = b[at];
                    *beam = u16::from_be_bytes([b[at + 1], b[at + 2]]) & 0x7FFF;
                    self.packed[1..].copy_from_slice(&b[at + 3..at + 3 + len]);
                    self.bfp
                        .decompress_weights(&self.packed, self.n_trx, &mut self.iq)?;
                    at += 3 + len;
                }
                CompMethod::None => {
                    *beam = u16::from_be_bytes([b[at], b[at + 1]]) & 0x7FFF;
                    at += 2;
                    for v in self.iq.iter_mut() {
                        *v = i16::from_be_bytes([b[at], b[at + 1]]);
                        at += 2;
                    }
                }
            }
            int16_to_float(&self.iq, self.scale, &mut self.vector)?;
            for (w, v) in weights.row_mut(k).iter_mut().zip(&self.vector) {
                *w = *v;
            }
        }
        Ok((ext, total))
    }

    fn bundles(&self, ext: &BfwExtension, num_prb: usize) -> Result<usize> {
        if ext.num_bund_prb == 0 {
            return Err(Error::InvalidParameter {
                name: "numBundPrb",
                value: "0".into(),
                reason: "0 is reserved; 1..=255 PRBs per bundle",
            });
        }
        if !(1..=super::uplane::MAX_CARRIER_PRBS).contains(&num_prb) {
            return Err(Error::InvalidParameter {
                name: "numPrbc",
                value: crate::error::Value::of(&num_prb),
                reason: "must be 1..=275",
            });
        }
        Ok(num_prb.div_ceil(usize::from(ext.num_bund_prb)))
    }
}
