//! Low-PAPR sequences type 1, 3GPP TS 38.211 §5.2.2 (the base of DMRS for PUSCH with transform
//! precoding, SRS and PUCCH): `r_{u,v}^{(α)}(n) = e^{jαn}·r̄_{u,v}(n)`, 0 ≤ n < M_ZC.
//!
//! * M_ZC ≥ 36 (§5.2.2.1): `r̄_{u,v}(n) = x_q(n mod N_ZC)`, `x_q(m) = e^{−jπ q m(m+1)/N_ZC}`,
//!   N_ZC the largest prime below M_ZC, `q = ⌊q̄ + ½⌋ + v·(−1)^⌊2q̄⌋`, `q̄ = N_ZC·(u+1)/31`.
//! * M_ZC = 30 (§5.2.2.2): `r̄_u(n) = e^{−jπ(u+1)(n+1)(n+2)/31}`.
//! * M_ZC ∈ {6, 12, 18, 24} (§5.2.2.2): `r̄_u(n) = e^{jφ(n)π/4}` with φ from Tables
//!   5.2.2.2-1…-4.
//!
//! LTE (36.211 §5.5.1, [`LowPaprStandard::Lte`]): M_sc = 12 and 24 from Tables 5.5.1.2-1/-2 (a
//! different φ than NR's for every u), M_sc ≥ 36 the same Zadoff–Chu construction; no 6, 18, 30.
//!
//! Group u ∈ 0..30, base sequence v ∈ {0, 1} (v = 1 only for M_ZC ≥ 72).

use crate::tables::low_papr_phi::{
    LTE_PHI_12, LTE_PHI_24, NR_PHI_6, NR_PHI_12, NR_PHI_18, NR_PHI_24,
};
use crate::{C32, Error, Result};

/// Which specification's low-PAPR base sequences: they differ for the tabulated lengths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum LowPaprStandard {
    /// NR, 38.211 §5.2.2 (lengths 6, 12, 18, 24, 30 and ≥ 36).
    #[default]
    Nr,
    /// LTE, 36.211 §5.5.1 (lengths 12, 24 and ≥ 36).
    Lte,
}

fn is_prime(n: usize) -> bool {
    n >= 2
        && (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
}

/// Largest prime strictly below `m` (N_ZC of §5.2.2.1); `None` for m ≤ 2.
pub fn largest_prime_below(m: usize) -> Option<usize> {
    (2..m).rev().find(|&n| is_prime(n))
}

/// Writes the NR r_{u,v}^{(α)}(n), n = 0..out.len(), with M_ZC = `out.len()`; α in radians
/// (38.211 §5.2.2). Same as [`low_papr_sequence_in`] with [`LowPaprStandard::Nr`].
pub fn low_papr_sequence(u: u32, v: u32, alpha: f64, out: &mut [C32]) -> Result<()> {
    low_papr_sequence_in(LowPaprStandard::Nr, u, v, alpha, out)
}

/// Writes r_{u,v}^{(α)}(n) = e^{jαn}·r̄_{u,v}(n), n = 0..out.len(), of `standard` with
/// M_ZC = `out.len()`; α in radians.
///
/// Errors: u > 29, v not 0 (or 1 with M_ZC ≥ 72), α not finite, a length the standard does
/// not define (NR: 6, 12, 18, 24, 30, ≥ 36; LTE: 12, 24, ≥ 36).
pub fn low_papr_sequence_in(
    standard: LowPaprStandard,
    u: u32,
    v: u32,
    alpha: f64,
    out: &mut [C32],
) -> Result<()> {
    let m_zc = out.len();
    if u > 29 {
        return Err(Error::InvalidParameter {
            name: "u (sequence group)",
            value: crate::error::Value::of(&u),
            reason: "must be 0..=29",
        });
    }
    if v > 1 || (v == 1 && m_zc < 72) {
        return Err(Error::InvalidParameter {
            name: "v (base sequence number)",
            value: crate::error::Value::of(&v),
            reason: "must be 0, or 1 when M_ZC ≥ 72 (38.211 §5.2.2.1)",
        });
    }
    if !alpha.is_finite() {
        return Err(Error::NonFinite {
            name: "alpha",
            value: alpha,
        });
    }
    let phi: Option<&[i8]> = match (standard, m_zc) {
        (LowPaprStandard::Nr, 6) => Some(&NR_PHI_6[u as usize]),
        (LowPaprStandard::Nr, 12) => Some(&NR_PHI_12[u as usize]),
        (LowPaprStandard::Nr, 18) => Some(&NR_PHI_18[u as usize]),
        (LowPaprStandard::Nr, 24) => Some(&NR_PHI_24[u as usize]),
        (LowPaprStandard::Lte, 12) => Some(&LTE_PHI_12[u as usize]),
        (LowPaprStandard::Lte, 24) => Some(&LTE_PHI_24[u as usize]),
        (LowPaprStandard::Nr, 30) | (_, 36..) => None,
        _ => {
            return Err(Error::InvalidParameter {
                name: "M_ZC (sequence length)",
                value: crate::error::Value::of(&m_zc),
                reason: match standard {
                    LowPaprStandard::Nr => "NR defines 6, 12, 18, 24, 30 and ≥ 36 (38.211 §5.2.2)",
                    LowPaprStandard::Lte => "LTE defines 12, 24 and ≥ 36 (36.211 §5.5.1)",
                },
            });
        }
    };
    let n_zc = largest_prime_below(m_zc).unwrap_or(2);
    let base = |n: usize| -> f64 {
        if let Some(phi) = phi {
            std::f64::consts::FRAC_PI_4 * f64::from(phi[n])
        } else if m_zc >= 36 {
            let q_bar = n_zc as f64 * f64::from(u + 1) / 31.0;
            let sign = if (2.0 * q_bar).floor() as i64 % 2 == 0 {
                1.0
            } else {
                -1.0
            };
            let q = (q_bar + 0.5).floor() + f64::from(v) * sign;
            let m = (n % n_zc) as i64;
            // Reduce q·m(m+1) modulo 2·N_ZC in integers to keep the phase exact for long sequences.
            let num = ((q as i64) * m * (m + 1)).rem_euclid(2 * n_zc as i64) as f64;
            -std::f64::consts::PI * num / n_zc as f64
        } else {
            let num = ((u as i64 + 1) * (n as i64 + 1) * (n as i64 + 2)).rem_euclid(62) as f64;
            -std::f64::consts::PI * num / 31.0
        }
    };
    for (n, o) in out.iter_mut().enumerate() {
        let ph = base(n) + (alpha * n as f64).rem_euclid(2.0 * std::f64::consts::PI);
        *o = C32::new(ph.cos() as f32, ph.sin() as f32);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zadoff_chu_is_cazac() {
        // Constant amplitude, and zero periodic autocorrelation of x_q at non-zero lags over N_ZC.
        let m_zc = 72;
        let n_zc = largest_prime_below(m_zc).unwrap();
        assert_eq!(n_zc, 71);
        let mut full = vec![C32::new(0.0, 0.0); m_zc];
        low_papr_sequence(5, 0, 0.0, &mut full).unwrap();
        let x = &full[..n_zc];
        for v in x {
            assert!((v.norm() - 1.0).abs() < 1e-6);
        }
        for lag in 1..n_zc {
            let s: C32 = (0..n_zc).map(|n| x[n] * x[(n + lag) % n_zc].conj()).sum();
            assert!(s.norm() < 1e-3 * n_zc as f32, "lag {lag}: {}", s.norm());
        }
    }

    #[test]
    fn cyclic_shift_multiplies_by_a_phase_ramp() {
        let mut a = vec![C32::new(0.0, 0.0); 48];
        let mut b = a.clone();
        low_papr_sequence(3, 0, 0.0, &mut a).unwrap();
        low_papr_sequence(3, 0, std::f64::consts::PI / 6.0, &mut b).unwrap();
        for n in 0..48 {
            let expect =
                a[n] * C32::from_polar(1.0, (std::f64::consts::PI / 6.0 * n as f64) as f32);
            assert!((b[n] - expect).norm() < 1e-5);
        }
    }

    #[test]
    fn bad_parameters_are_named() {
        let mut r = vec![C32::new(0.0, 0.0); 48];
        assert!(matches!(
            low_papr_sequence(30, 0, 0.0, &mut r),
            Err(Error::InvalidParameter {
                name: "u (sequence group)",
                ..
            })
        ));
        assert!(matches!(
            low_papr_sequence(1, 1, 0.0, &mut r),
            Err(Error::InvalidParameter {
                name: "v (base sequence number)",
                ..
            })
        ));
        for (standard, len) in [
            (LowPaprStandard::Nr, 8),
            (LowPaprStandard::Nr, 35),
            (LowPaprStandard::Lte, 6),
            (LowPaprStandard::Lte, 18),
            (LowPaprStandard::Lte, 30),
        ] {
            let mut short = vec![C32::new(0.0, 0.0); len];
            match low_papr_sequence_in(standard, 1, 0, 0.0, &mut short) {
                Err(Error::InvalidParameter {
                    name: "M_ZC (sequence length)",
                    value,
                    ..
                }) => assert_eq!(value.as_str(), len.to_string()),
                other => panic!("{standard:?} length {len}: {other:?}"),
            }
        }
    }

    #[test]
    fn tabulated_sequences_are_the_phi_tables_and_differ_between_nr_and_lte() {
        // r̄(n) = e^{jφ(n)π/4}: spot values straight from the tables (38.211 Table 5.2.2.2-2
        // u = 0 starts −3, 1, −3; 36.211 Table 5.5.1.2-1 u = 0 starts −1, 1, 3).
        let mut nr = vec![C32::new(0.0, 0.0); 12];
        let mut lte = nr.clone();
        low_papr_sequence_in(LowPaprStandard::Nr, 0, 0, 0.0, &mut nr).unwrap();
        low_papr_sequence_in(LowPaprStandard::Lte, 0, 0, 0.0, &mut lte).unwrap();
        let e = |phi: f32| C32::from_polar(1.0, phi * std::f32::consts::FRAC_PI_4);
        for (got, phi) in nr.iter().zip([-3.0, 1.0, -3.0]) {
            assert!((got - e(phi)).norm() < 1e-6);
        }
        for (got, phi) in lte.iter().zip([-1.0, 1.0, 3.0]) {
            assert!((got - e(phi)).norm() < 1e-6);
        }
        // Every tabulated sequence is unit-modulus QPSK-like and has low PAPR (< 4 dB after an
        // oversampled DFT would be the design goal; here: the 30 base sequences of one length
        // are distinct, the property group hopping relies on).
        for (standard, len) in [
            (LowPaprStandard::Nr, 6),
            (LowPaprStandard::Nr, 18),
            (LowPaprStandard::Nr, 24),
            (LowPaprStandard::Lte, 24),
        ] {
            let mut seqs = Vec::new();
            for u in 0..30 {
                let mut r = vec![C32::new(0.0, 0.0); len];
                low_papr_sequence_in(standard, u, 0, 0.0, &mut r).unwrap();
                assert!(r.iter().all(|x| (x.norm() - 1.0).abs() < 1e-6));
                seqs.push(r);
            }
            for a in 0..30 {
                for b in a + 1..30 {
                    assert!(
                        seqs[a]
                            .iter()
                            .zip(&seqs[b])
                            .any(|(x, y)| (x - y).norm() > 0.1),
                        "{standard:?} {len}: u = {a} and {b} coincide"
                    );
                }
            }
        }
    }
}
