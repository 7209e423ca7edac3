//! Modulation mapping and soft demapping, 3GPP TS 38.211 §5.1 (LTE: 36.211 §7.1).
//!
//! Symbols have unit average energy. Every constellation of §5.1 except BPSK/π/2-BPSK is a
//! product of two Gray-coded PAMs: even bits (b0, b2, …) choose the real part, odd bits the
//! imaginary part, each through the nested form `(1−2b0)[2^{m−1} − (1−2b2)[2^{m−2} − …]]`. The
//! demapper uses that: both the exact and the max-log LLR of a bit depend on one axis only.

mod demap;
mod map;

pub use demap::{DemapMethod, demap, demap_i8, hard_decision};
pub use map::{evm_rms, map};

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// A modulation scheme of 38.211 §5.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Modulation {
    /// §5.1.2 BPSK: `(1−2b)(1+j)/√2`.
    Bpsk,
    /// §5.1.1 π/2-BPSK: BPSK rotated by `e^{jπ(i mod 2)/2}` for symbol index i.
    Pi2Bpsk,
    /// §5.1.3 QPSK.
    Qpsk,
    /// §5.1.4 16QAM.
    Qam16,
    /// §5.1.5 64QAM.
    Qam64,
    /// §5.1.6 256QAM.
    Qam256,
    /// §5.1.7 1024QAM.
    Qam1024,
}

impl Modulation {
    /// Every scheme.
    pub const ALL: [Modulation; 7] = [
        Modulation::Bpsk,
        Modulation::Pi2Bpsk,
        Modulation::Qpsk,
        Modulation::Qam16,
        Modulation::Qam64,
        Modulation::Qam256,
        Modulation::Qam1024,
    ];

    /// Bits per symbol, Q_m.
    pub fn bits_per_symbol(self) -> usize {
        match self {
            Modulation::Bpsk | Modulation::Pi2Bpsk => 1,
            Modulation::Qpsk => 2,
            Modulation::Qam16 => 4,
            Modulation::Qam64 => 6,
            Modulation::Qam256 => 8,
            Modulation::Qam1024 => 10,
        }
    }

    /// The modulation of order Q_m = `qm` (38.211 §5.1: 1 → BPSK, 2 → QPSK, 4, 6, 8, 10 →
    /// 16…1024QAM); any other order is [`crate::Error::InvalidParameter`] naming `qm`.
    pub fn from_bits_per_symbol(qm: u32) -> crate::Result<Self> {
        Self::ALL
            .into_iter()
            .filter(|m| *m != Modulation::Pi2Bpsk)
            .find(|m| m.bits_per_symbol() as u32 == qm)
            .ok_or_else(|| crate::Error::InvalidParameter {
                name: "qm",
                value: crate::error::Value::of(&qm),
                reason: "Q_m must be 1 (BPSK), 2, 4, 6, 8 or 10",
            })
    }

    /// Bits per axis of the PAM product (0 for the BPSK family, whose one bit drives both).
    pub(crate) fn bits_per_axis(self) -> usize {
        match self {
            Modulation::Bpsk | Modulation::Pi2Bpsk => 0,
            m => m.bits_per_symbol() / 2,
        }
    }

    /// Name as used in 3GPP tables and reference vectors (`QPSK`, `16QAM`, …).
    pub fn name(self) -> &'static str {
        match self {
            Modulation::Bpsk => "BPSK",
            Modulation::Pi2Bpsk => "pi/2-BPSK",
            Modulation::Qpsk => "QPSK",
            Modulation::Qam16 => "16QAM",
            Modulation::Qam64 => "64QAM",
            Modulation::Qam256 => "256QAM",
            Modulation::Qam1024 => "1024QAM",
        }
    }
}

impl fmt::Display for Modulation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Modulation {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let norm: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '_' | '/'))
            .collect::<String>()
            .to_ascii_uppercase();
        Ok(match norm.as_str() {
            "BPSK" => Modulation::Bpsk,
            "PI2BPSK" | "Π2BPSK" => Modulation::Pi2Bpsk,
            "QPSK" | "4QAM" => Modulation::Qpsk,
            "16QAM" | "QAM16" => Modulation::Qam16,
            "64QAM" | "QAM64" => Modulation::Qam64,
            "256QAM" | "QAM256" => Modulation::Qam256,
            "1024QAM" | "QAM1024" => Modulation::Qam1024,
            _ => {
                return Err(Error::InvalidParameter {
                    name: "modulation",
                    value: crate::error::Value::of(&s),
                    reason: "expected BPSK, pi/2-BPSK, QPSK, 16QAM, 64QAM, 256QAM or 1024QAM",
                });
            }
        })
    }
}

/// The 2^m PAM levels of one axis (unit-energy scaling of the full constellation), indexed by
/// the axis bits `b0 b2 b4 …` read as a binary number with b0 the most significant bit.
#[cfg(test)]
pub(crate) fn axis_levels(m: usize) -> Vec<f32> {
    let mut out = vec![0.0; 1 << m];
    axis_levels_into(m, &mut out);
    out
}

/// √(average energy) of the unnormalised 2D constellation with `m` bits per axis (odd
/// integer levels): √(2·(4^m − 1)/3).
fn axis_norm(m: usize) -> f64 {
    (2.0 * ((1u64 << (2 * m)) - 1) as f64 / 3.0).sqrt()
}

/// The unit `a` of an axis with `m` bits: its levels are the odd multiples of `a`
/// (1/[`axis_norm`]: 1/√2, 1/√10, 1/√42, 1/√170, 1/√682).
pub(crate) fn axis_unit(m: usize) -> f32 {
    (1.0 / axis_norm(m)) as f32
}

/// [`axis_levels`] into `out` (2^m values), without allocating.
pub(crate) fn axis_levels_into(m: usize, out: &mut [f32]) {
    let norm = axis_norm(m);
    for (idx, o) in out.iter_mut().enumerate().take(1usize << m) {
        // Innermost term first: 2 − (1−2b_last) … outward to (1−2b0)[2^{m−1} − …].
        let bit = |k: usize| ((idx >> (m - 1 - k)) & 1) as f64;
        let mut v = 1.0 - 2.0 * bit(m - 1);
        for k in (0..m - 1).rev() {
            v = (1.0 - 2.0 * bit(k)) * ((1u64 << (m - 1 - k)) as f64 - v);
        }
        *o = (v / norm) as f32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_levels_follow_the_spec_formulas() {
        let s10 = 10f32.sqrt();
        // 16QAM, bits (b0, b2): (1−2b0)(2 − (1−2b2))/√10.
        for (got, want) in axis_levels(2)
            .iter()
            .zip([1.0 / s10, 3.0 / s10, -1.0 / s10, -3.0 / s10])
        {
            assert!((got - want).abs() < 1e-6, "{got} vs {want}");
        }
        let l = axis_levels(3);
        let s42 = 42f32.sqrt();
        // 64QAM b0=0,b2=0,b4=0: 4 − (2 − 1) = 3; b0=0,b2=1,b4=1: 4 + (2 + 1) = 7.
        assert!((l[0] - 3.0 / s42).abs() < 1e-6 && (l[0b011] - 7.0 / s42).abs() < 1e-6);
        for m in 1..=5 {
            let lv = axis_levels(m);
            let e: f32 = lv.iter().map(|x| 2.0 * x * x).sum::<f32>() / lv.len() as f32;
            assert!((e - 1.0).abs() < 1e-5, "m={m}: energy {e}");
        }
    }

    #[test]
    fn names_round_trip_and_bad_names_are_errors() {
        for m in Modulation::ALL {
            assert_eq!(m.name().parse::<Modulation>().unwrap(), m);
        }
        assert!(matches!(
            "8PSK".parse::<Modulation>(),
            Err(Error::InvalidParameter {
                name: "modulation",
                ..
            })
        ));
    }

    #[test]
    fn from_bits_per_symbol_inverts_bits_per_symbol() {
        for m in Modulation::ALL
            .into_iter()
            .filter(|m| *m != Modulation::Pi2Bpsk)
        {
            assert_eq!(
                Modulation::from_bits_per_symbol(m.bits_per_symbol() as u32).unwrap(),
                m
            );
        }
        for qm in [0, 3, 5, 12] {
            assert!(matches!(
                Modulation::from_bits_per_symbol(qm),
                Err(crate::Error::InvalidParameter { name: "qm", .. })
            ));
        }
    }
}
