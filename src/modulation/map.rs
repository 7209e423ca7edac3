//! The mapper of 38.211 §5.1 and EVM.

use std::sync::OnceLock;

use super::{Modulation, axis_levels_into};
use crate::{C32, Error, Result};

/// Per-axis level tables for m = 1..=5 bits, built once, in place (the first mapper or
/// demapper call of a process allocates nothing either).
pub(crate) fn levels(m: usize) -> &'static [f32] {
    static TABLES: OnceLock<[[f32; 32]; 5]> = OnceLock::new();
    let t = TABLES.get_or_init(|| {
        let mut t = [[0.0f32; 32]; 5];
        for (i, row) in t.iter_mut().enumerate() {
            axis_levels_into(i + 1, row);
        }
        t
    });
    &t[m - 1][..1 << m]
}

/// Maps `bits` (one per byte, 0 or 1, `Q_m` per symbol in the order of §5.1) to `out`
/// (`bits.len() / Q_m` symbols). For π/2-BPSK the symbol index i counts from 0 at `out[0]`.
pub fn map(modulation: Modulation, bits: &[u8], out: &mut [C32]) -> Result<()> {
    let qm = modulation.bits_per_symbol();
    if bits.len() != out.len() * qm {
        return Err(Error::ShapeMismatch {
            name: "bits [n·Q_m]",
            expected: crate::error::Shape::of(&[out.len() * qm]),
            got: crate::error::Shape::of(&[bits.len()]),
        });
    }
    if let Some((i, &b)) = bits.iter().enumerate().find(|&(_, &b)| b > 1) {
        return Err(Error::InvalidParameter {
            name: "bits",
            value: crate::value!("{b} at index {i}"),
            reason: "bits must be 0 or 1",
        });
    }
    let m = modulation.bits_per_axis();
    if m == 0 {
        let a = std::f32::consts::FRAC_1_SQRT_2;
        for (i, (o, &b)) in out.iter_mut().zip(bits).enumerate() {
            let v = a * (1.0 - 2.0 * f32::from(b));
            *o = C32::new(v, v);
            if modulation == Modulation::Pi2Bpsk && i % 2 == 1 {
                *o = C32::new(-o.im, o.re); // ·j
            }
        }
        return Ok(());
    }
    let lv = levels(m);
    for (o, sym) in out.iter_mut().zip(bits.chunks_exact(qm)) {
        let (mut ii, mut iq) = (0usize, 0usize);
        for k in 0..m {
            ii = (ii << 1) | usize::from(sym[2 * k]);
            iq = (iq << 1) | usize::from(sym[2 * k + 1]);
        }
        *o = C32::new(lv[ii], lv[iq]);
    }
    Ok(())
}

/// RMS error vector magnitude `√(Σ|r − s|² / Σ|s|²)` of `received` against `reference`
/// (equal lengths; 0 for empty input). An all-zero reference with a non-zero error has no
/// defined EVM: +∞ (it used to report 0, a perfect result); zero error against it is 0.
pub fn evm_rms(received: &[C32], reference: &[C32]) -> Result<f32> {
    if received.len() != reference.len() {
        return Err(Error::ShapeMismatch {
            name: "received",
            expected: crate::error::Shape::of(&[reference.len()]),
            got: crate::error::Shape::of(&[received.len()]),
        });
    }
    let (mut e, mut p) = (0.0f64, 0.0f64);
    for (r, s) in received.iter().zip(reference) {
        e += f64::from((r - s).norm_sqr());
        p += f64::from(s.norm_sqr());
    }
    Ok(if p > 0.0 {
        (e / p).sqrt() as f32
    } else if e > 0.0 {
        f32::INFINITY
    } else {
        0.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evm_against_a_zero_reference_is_not_perfect() {
        let zero = [C32::new(0.0, 0.0); 3];
        let r = [C32::new(0.1, 0.0); 3];
        assert_eq!(evm_rms(&r, &zero).unwrap(), f32::INFINITY);
        assert_eq!(evm_rms(&zero, &zero).unwrap(), 0.0);
        // 10 % error on unit symbols.
        let s = [C32::new(1.0, 0.0); 3];
        let r = [C32::new(1.1, 0.0); 3];
        assert!((evm_rms(&r, &s).unwrap() - 0.1).abs() < 1e-6);
    }

    #[test]
    fn qpsk_and_bpsk_points() {
        let a = std::f32::consts::FRAC_1_SQRT_2;
        let mut s = [C32::new(0.0, 0.0); 2];
        map(Modulation::Qpsk, &[0, 1, 1, 0], &mut s).unwrap();
        assert_eq!(s, [C32::new(a, -a), C32::new(-a, a)]);
        map(Modulation::Pi2Bpsk, &[0, 0], &mut s).unwrap();
        assert_eq!(s, [C32::new(a, a), C32::new(-a, a)]);
    }

    #[test]
    fn constellations_have_unit_energy_and_distinct_points() {
        for m in Modulation::ALL {
            let qm = m.bits_per_symbol();
            let n = 1usize << qm;
            let bits: Vec<u8> = (0..n)
                .flat_map(|i| (0..qm).map(move |k| ((i >> (qm - 1 - k)) & 1) as u8))
                .collect();
            let mut s = vec![C32::new(0.0, 0.0); n];
            map(m, &bits, &mut s).unwrap();
            let e: f32 = s.iter().map(|x| x.norm_sqr()).sum::<f32>() / n as f32;
            assert!((e - 1.0).abs() < 1e-5, "{m}: {e}");
            if m != Modulation::Pi2Bpsk {
                for i in 0..n {
                    for j in 0..i {
                        assert!(
                            (s[i] - s[j]).norm() > 1e-3,
                            "{m}: points {i} and {j} coincide"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn bad_bits_are_named() {
        let mut s = [C32::new(0.0, 0.0); 1];
        assert!(matches!(
            map(Modulation::Qpsk, &[0, 2], &mut s),
            Err(Error::InvalidParameter { name: "bits", .. })
        ));
        assert!(matches!(
            map(Modulation::Qpsk, &[0, 1, 1], &mut s),
            Err(Error::ShapeMismatch { .. })
        ));
    }
}
