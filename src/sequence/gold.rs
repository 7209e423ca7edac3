//! The length-31 Gold sequence c(n) of 3GPP TS 38.211 §5.2.1 (also 36.211 §7.2), generated
//! 32 bits per step with word operations.
//!
//! `x1(n+31) = x1(n+3) ⊕ x1(n)`, `x2(n+31) = x2(n+3) ⊕ x2(n+2) ⊕ x2(n+1) ⊕ x2(n)`,
//! `c(n) = x1(n+Nc) ⊕ x2(n+Nc)` with Nc = 1600, `x1(0) = 1`, `x1(1..31) = 0` and
//! `c_init = Σ x2(i)·2^i`.
//!
//! Word form: a register holds x(n..n+31) in bits 0..30. For i < 28 every new bit
//! x(n+31+i) depends only on known bits, so 28 of them come from one shift-and-xor; the last 4
//! of the 32-bit step come from a second shift-and-xor over the bits just made. Nc = 1600 is
//! 50 steps exactly.

/// Nc of §5.2.1.
pub const NC: usize = 1600;

/// Generator state at sequence index n: `x1`, `x2` hold x(n..n+31) in bits 0..30.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gold {
    x1: u64,
    x2: u64,
}

const LOW28: u64 = (1 << 28) - 1;
const BITS28_31: u64 = 0xF << 28;

#[inline]
fn step_x1(s: u64) -> u64 {
    let t = (s >> 3) ^ s;
    let s = s | ((t & LOW28) << 31);
    let t = (s >> 3) ^ s;
    s | ((t & BITS28_31) << 31)
}

#[inline]
fn step_x2(s: u64) -> u64 {
    let t = s ^ (s >> 1) ^ (s >> 2) ^ (s >> 3);
    let s = s | ((t & LOW28) << 31);
    let t = s ^ (s >> 1) ^ (s >> 2) ^ (s >> 3);
    s | ((t & BITS28_31) << 31)
}

impl Gold {
    /// The generator for `c_init` (only its 31 low bits are used, as in the spec), positioned
    /// at c(0).
    pub fn new(c_init: u32) -> Self {
        let mut g = Self {
            x1: 1,
            x2: u64::from(c_init & 0x7FFF_FFFF),
        };
        for _ in 0..NC / 32 {
            g.next_word();
        }
        g
    }

    /// The next 32 bits c(n..n+32), bit i of the word = c(n+i); advances n by 32.
    #[inline]
    pub fn next_word(&mut self) -> u32 {
        let x1 = step_x1(self.x1);
        let x2 = step_x2(self.x2);
        self.x1 = x1 >> 32;
        self.x2 = x2 >> 32;
        ((x1 ^ x2) & 0xFFFF_FFFF) as u32
    }

    /// Fills `out` with the next `out.len()` bits, one per byte (0 or 1).
    pub fn fill_bits(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(32) {
            let w = self.next_word();
            for (i, b) in chunk.iter_mut().enumerate() {
                *b = ((w >> i) & 1) as u8;
            }
        }
    }

    /// Fills `out` with the next `32·out.len()` bits, packed LSB-first.
    pub fn fill_words(&mut self, out: &mut [u32]) {
        for w in out {
            *w = self.next_word();
        }
    }
}

/// c(0..len) for `c_init`, one bit per byte, in a new vector (hot paths use
/// [`Gold::fill_bits`] on their own buffers). A length the allocator cannot provide is
/// [`crate::Error::InvalidParameter`] naming it, not an abort (issue 21: 1e12 used to abort).
pub fn gold_bits(c_init: u32, len: usize) -> crate::Result<Vec<u8>> {
    // 2^28 bits: two orders of magnitude above the longest scrambling sequence 3GPP uses.
    const MAX_LEN: usize = 1 << 28;
    if len > MAX_LEN {
        return Err(crate::Error::InvalidParameter {
            name: "len (Gold sequence length)",
            value: crate::error::Value::of(&len),
            reason: "at most 2^28 bits",
        });
    }
    let mut v = Vec::new();
    v.try_reserve_exact(len)
        .map_err(|_| crate::Error::InvalidParameter {
            name: "len (Gold sequence length)",
            value: crate::error::Value::of(&len),
            reason: "more bits than can be allocated",
        })?;
    v.resize(len, 0);
    Gold::new(c_init).fill_bits(&mut v);
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spec's recursion, one bit at a time: the reference for the word version.
    fn bitwise(c_init: u32, len: usize) -> Vec<u8> {
        let total = len + NC + 31;
        let mut x1 = vec![0u8; total];
        let mut x2 = vec![0u8; total];
        x1[0] = 1;
        for (i, x) in x2.iter_mut().take(31).enumerate() {
            *x = ((c_init >> i) & 1) as u8;
        }
        for n in 0..total - 31 {
            x1[n + 31] = x1[n + 3] ^ x1[n];
            x2[n + 31] = x2[n + 3] ^ x2[n + 2] ^ x2[n + 1] ^ x2[n];
        }
        (0..len).map(|n| x1[n + NC] ^ x2[n + NC]).collect()
    }

    #[test]
    fn huge_lengths_are_errors_not_aborts() {
        // Issue 21, finding 2: 1e12 bits used to abort the process in the allocator.
        for len in [1_000_000_000_000usize, usize::MAX] {
            assert!(matches!(
                gold_bits(1, len),
                Err(crate::Error::InvalidParameter {
                    name: "len (Gold sequence length)",
                    ..
                })
            ));
        }
    }

    #[test]
    fn word_generator_matches_the_bitwise_recursion() {
        for c_init in [0u32, 1, 0x7FFF_FFFF, 12345, 0x5A5A_5A5A & 0x7FFF_FFFF] {
            for len in [0usize, 1, 31, 32, 33, 100, 1000] {
                assert_eq!(
                    gold_bits(c_init, len).unwrap(),
                    bitwise(c_init, len),
                    "c_init {c_init} len {len}"
                );
            }
        }
    }

    #[test]
    fn packed_words_match_bits() {
        let mut g = Gold::new(777);
        let mut words = [0u32; 4];
        g.fill_words(&mut words);
        let bits = gold_bits(777, 128).unwrap();
        for (n, &b) in bits.iter().enumerate() {
            assert_eq!(((words[n / 32] >> (n % 32)) & 1) as u8, b);
        }
    }
}
