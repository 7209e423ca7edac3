//! Big-endian bit fields of the O-RAN and eCPRI headers (bit 0 = the MSB of byte 0, network
//! bit order as the specifications draw them).

use crate::{Error, Result};

/// `out[..len]`, or a [`Error::ShapeMismatch`] naming `what` when `out` is shorter.
pub(super) fn need<'a>(out: &'a mut [u8], len: usize, what: &'static str) -> Result<&'a mut [u8]> {
    let got = out.len();
    out.get_mut(..len).ok_or_else(|| Error::ShapeMismatch {
        name: what,
        expected: crate::error::Shape::of(&[len]),
        got: crate::error::Shape::of(&[got]),
    })
}

/// Writes the low `width` bits of `value` at bit offset `at` (MSB first). The slice must
/// hold the bits (callers size it); other bits are kept.
pub(super) fn put_bits(buf: &mut [u8], at: usize, width: usize, value: u32) {
    for i in 0..width {
        let bit = (value >> (width - 1 - i)) & 1;
        let (byte, shift) = ((at + i) / 8, 7 - (at + i) % 8);
        buf[byte] = (buf[byte] & !(1 << shift)) | ((bit as u8) << shift);
    }
}

/// Reads `width` bits at bit offset `at` (MSB first).
pub(super) fn read_bits(buf: &[u8], at: usize, width: usize) -> u32 {
    (0..width).fold(0u32, |acc, i| {
        let (byte, shift) = ((at + i) / 8, 7 - (at + i) % 8);
        (acc << 1) | u32::from((buf[byte] >> shift) & 1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_land_msb_first_and_read_back() {
        let mut b = [0u8; 3];
        put_bits(&mut b, 0, 12, 0xABC);
        put_bits(&mut b, 12, 1, 1);
        put_bits(&mut b, 14, 10, 0x3FF);
        assert_eq!(b, [0xAB, 0xCB, 0xFF]);
        assert_eq!(read_bits(&b, 0, 12), 0xABC);
        assert_eq!(read_bits(&b, 12, 1), 1);
        assert_eq!(read_bits(&b, 13, 1), 0);
        assert_eq!(read_bits(&b, 14, 10), 0x3FF);
    }
}
