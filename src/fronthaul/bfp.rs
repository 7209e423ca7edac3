//! Block floating point IQ and beamforming-weight compression (O-RAN.WG4.CUS Annex A.1.1,
//! udCompMeth / bfwCompMeth = 0001b): the width, the compression header byte, and a codec over
//! the kernel crate's bit-exact kernels.

use massive_mimo_simd::{BFP_PRB_VALUES, Kernels, bfp_block_bytes};

use crate::{Error, Result};

/// Mantissa width of a BFP (or uncompressed) field, udIqWidth / bfwIqWidth: 1..=16 bits.
/// On the wire the 4-bit field value 0 means 16 (O-RAN.WG4.CUS §8.3.3.13 / Table 8.3.3.13-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IqWidth(u8);

impl IqWidth {
    /// Width 9, what FlexRAN, Aerial and srsRAN ship for 7.2x downlink.
    pub const W9: IqWidth = IqWidth(9);
    /// Width 14.
    pub const W14: IqWidth = IqWidth(14);
    /// Width 16 (with BFP: exponent always 0).
    pub const W16: IqWidth = IqWidth(16);

    /// `bits` in 1..=16, else [`Error::InvalidParameter`] naming `iq_width`.
    pub fn new(bits: u32) -> Result<Self> {
        if (1..=16).contains(&bits) {
            Ok(Self(bits as u8))
        } else {
            Err(Error::InvalidParameter {
                name: "iq_width",
                value: crate::error::Value::of(&bits),
                reason: "must be 1..=16 bits",
            })
        }
    }

    /// From the 4-bit wire field (0 means 16; the upper bits of `field` are ignored).
    pub fn from_field(field: u8) -> Self {
        match field & 0x0F {
            0 => Self(16),
            w => Self(w),
        }
    }

    /// The 4-bit wire field (16 → 0).
    pub fn field(self) -> u8 {
        self.0 & 0x0F
    }

    /// Bits per I or Q field.
    pub fn bits(self) -> u32 {
        u32::from(self.0)
    }

    /// Bytes of one BFP-compressed PRB: the udCompParam byte and 24 fields, `1 + 3·bits`.
    pub fn prb_bytes(self) -> usize {
        bfp_block_bytes(BFP_PRB_VALUES, self.bits())
    }

    /// Bytes of one BFP-compressed weight vector of `n_trx` complex weights:
    /// `1 + ⌈2·n_trx·bits / 8⌉` (bfwCompParam, then the fields, zero-padded).
    pub fn bfw_bytes(self, n_trx: usize) -> usize {
        bfp_block_bytes(2 * n_trx, self.bits())
    }
}

/// User-data / weight compression method (udCompMeth / bfwCompMeth, O-RAN.WG4.CUS
/// Table 8.3.3.13-1). The two this library encodes and decodes; others are rejected by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompMethod {
    /// 0000b: no compression, big-endian two's-complement fields of the width.
    None,
    /// 0001b: block floating point.
    BlockFloatingPoint,
}

/// The udCompHdr / bfwCompHdr byte: width in bits 7..4, method in bits 3..0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CompHeader {
    /// Field width.
    pub width: IqWidth,
    /// Compression method.
    pub method: CompMethod,
}

impl CompHeader {
    /// BFP at `width`.
    pub fn bfp(width: IqWidth) -> Self {
        Self {
            width,
            method: CompMethod::BlockFloatingPoint,
        }
    }

    /// The wire byte.
    pub fn to_byte(self) -> u8 {
        let m = match self.method {
            CompMethod::None => 0,
            CompMethod::BlockFloatingPoint => 1,
        };
        (self.width.field() << 4) | m
    }

    /// Parses the wire byte; a method other than 0 or 1 is [`Error::InvalidParameter`]
    /// naming `udCompMeth`.
    pub fn from_byte(b: u8) -> Result<Self> {
        let method = match b & 0x0F {
            0 => CompMethod::None,
            1 => CompMethod::BlockFloatingPoint,
            m => {
                return Err(Error::InvalidParameter {
                    name: "udCompMeth",
                    value: crate::error::Value::of(&m),
                    reason: "only 0 (none) and 1 (block floating point) are supported",
                });
            }
        };
        Ok(Self {
            width: IqWidth::from_field(b >> 4),
            method,
        })
    }

    /// Bytes one PRB takes in a U-plane section with this header: `1 + 3w` for BFP, `3w` for
    /// uncompressed fields (24 values of `w` bits, no parameter byte).
    pub fn prb_bytes(self) -> usize {
        match self.method {
            CompMethod::BlockFloatingPoint => self.width.prb_bytes(),
            CompMethod::None => 3 * self.width.bits() as usize,
        }
    }
}

/// BFP codec at one width on the fastest kernels of this CPU. Cheap to copy; allocation-free.
///
/// IQ data: `[prb, re (12), iq (2)]` int16 ↔ n·(1 + 3w) payload bytes (bit-exact with the
/// O-RAN Annex A.1.1 definition and the shared `fronthaul_bfp` vectors on every backend).
/// Weights: `[bundle, trx, iq]` int16 ↔ n·(1 + ⌈2·n_trx·w/8⌉) bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bfp {
    width: IqWidth,
    kernels: Kernels,
}

impl Bfp {
    /// A codec at `width` on [`Kernels::new`] (the fastest backend here).
    pub fn new(width: IqWidth) -> Self {
        Self::with_kernels(width, Kernels::new())
    }

    /// A codec at `width` on the given kernels (tests, benchmarks per backend).
    pub fn with_kernels(width: IqWidth, kernels: Kernels) -> Self {
        Self { width, kernels }
    }

    /// The width.
    pub fn width(&self) -> IqWidth {
        self.width
    }

    /// The kernels it runs on.
    pub fn kernels(&self) -> Kernels {
        self.kernels
    }

    /// Compresses whole PRBs: `iq` = n·24 values (axis order [prb, re, iq]), `payload` =
    /// n·(1 + 3w) bytes.
    pub fn compress(&self, iq: &[i16], payload: &mut [u8]) -> Result<()> {
        Ok(self.kernels.bfp_compress(iq, self.width.bits(), payload)?)
    }

    /// [`Bfp::compress`] into the start of a longer `payload`, the bytes after the PRBs
    /// scratch ([`massive_mimo_simd::Kernels::bfp_compress_slack`]): for a payload filled in
    /// ascending pieces, each given the payload up to its end.
    pub fn compress_slack(&self, iq: &[i16], payload: &mut [u8]) -> Result<()> {
        Ok(self
            .kernels
            .bfp_compress_slack(iq, self.width.bits(), payload)?)
    }

    /// Decompresses whole PRBs (exact). An exponent above `16 − w` is
    /// [`massive_mimo_simd::SimdError::BfpExponent`] naming the PRB.
    pub fn decompress(&self, payload: &[u8], iq: &mut [i16]) -> Result<()> {
        Ok(self
            .kernels
            .bfp_decompress(payload, self.width.bits(), iq)?)
    }

    /// The fixed-point view of PRBs: each exponent and the sign-extended mantissas.
    pub fn unpack(
        &self,
        payload: &[u8],
        exponents: &mut [u8],
        mantissas: &mut [i16],
    ) -> Result<()> {
        Ok(self.kernels.bfp_unpack(
            payload,
            BFP_PRB_VALUES,
            self.width.bits(),
            exponents,
            mantissas,
        )?)
    }

    /// Compresses weight vectors of `n_trx` complex weights each (`weights` = bundles ×
    /// n_trx × (I, Q)) into bundles × [`IqWidth::bfw_bytes`] bytes.
    pub fn compress_weights(
        &self,
        weights: &[i16],
        n_trx: usize,
        payload: &mut [u8],
    ) -> Result<()> {
        Ok(self
            .kernels
            .bfp_compress_blocks(weights, 2 * n_trx, self.width.bits(), payload)?)
    }

    /// The inverse of [`Bfp::compress_weights`].
    pub fn decompress_weights(
        &self,
        payload: &[u8],
        n_trx: usize,
        weights: &mut [i16],
    ) -> Result<()> {
        Ok(self
            .kernels
            .bfp_decompress_blocks(payload, 2 * n_trx, self.width.bits(), weights)?)
    }
}
