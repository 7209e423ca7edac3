//! Low-PAPR sequences type 1, 3GPP TS 38.211 §5.2.2 (the base of DMRS for PUSCH with transform
//! precoding, SRS and PUCCH): `r_{u,v}^{(α)}(n) = e^{jαn}·r̄_{u,v}(n)`, 0 ≤ n < M_ZC.
//!
//! * M_ZC ≥ 36 (§5.2.2.1): `r̄_{u,v}(n) = x_q(n mod N_ZC)`, `x_q(m) = e^{−jπ q m(m+1)/N_ZC}`,
//!   N_ZC the largest prime below M_ZC, `q = ⌊q̄ + ½⌋ + v·(−1)^⌊2q̄⌋`, `q̄ = N_ZC·(u+1)/31`.
//! * M_ZC = 30 (§5.2.2.2): `r̄_u(n) = e^{−jπ(u+1)(n+1)(n+2)/31}`.
//! * M_ZC ∈ {6, 12, 18, 24} use the φ tables 5.2.2.2-1..-4 — not yet in this library (a typed
//!   error says so).
//!
//! Group u ∈ 0..30, base sequence v ∈ {0, 1} (v = 1 only for M_ZC ≥ 72).

use crate::{C32, Error, Result};

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

/// Writes r_{u,v}^{(α)}(n), n = 0..out.len(), with M_ZC = `out.len()`; α in radians.
pub fn low_papr_sequence(u: u32, v: u32, alpha: f64, out: &mut [C32]) -> Result<()> {
    let m_zc = out.len();
    if u > 29 {
        return Err(Error::InvalidParameter {
            name: "u (sequence group)",
            value: u.to_string(),
            reason: "must be 0..=29",
        });
    }
    if v > 1 || (v == 1 && m_zc < 72) {
        return Err(Error::InvalidParameter {
            name: "v (base sequence number)",
            value: v.to_string(),
            reason: "must be 0, or 1 when M_ZC ≥ 72 (38.211 §5.2.2.1)",
        });
    }
    if !alpha.is_finite() {
        return Err(Error::NonFinite {
            name: "alpha",
            value: alpha,
        });
    }
    let base = |n: usize| -> f64 {
        if m_zc >= 36 {
            let n_zc = largest_prime_below(m_zc).unwrap_or(2) as f64;
            let q_bar = n_zc * f64::from(u + 1) / 31.0;
            let sign = if (2.0 * q_bar).floor() as i64 % 2 == 0 {
                1.0
            } else {
                -1.0
            };
            let q = (q_bar + 0.5).floor() + f64::from(v) * sign;
            let m = (n % n_zc as usize) as f64;
            // Reduce q·m(m+1) modulo 2·N_ZC in integers to keep the phase exact for long sequences.
            let num = ((q as i64) * (m as i64) * (m as i64 + 1)).rem_euclid(2 * n_zc as i64) as f64;
            -std::f64::consts::PI * num / n_zc
        } else {
            let num = ((u as i64 + 1) * (n as i64 + 1) * (n as i64 + 2)).rem_euclid(62) as f64;
            -std::f64::consts::PI * num / 31.0
        }
    };
    match m_zc {
        30 | 36.. => {}
        _ => {
            return Err(Error::InvalidParameter {
                name: "M_ZC (sequence length)",
                value: m_zc.to_string(),
                reason: "supported: 30 and ≥ 36; the tabulated lengths 6, 12, 18, 24 are not implemented yet",
            });
        }
    }
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
        let mut short = vec![C32::new(0.0, 0.0); 12];
        assert!(matches!(
            low_papr_sequence(1, 0, 0.0, &mut short),
            Err(Error::InvalidParameter {
                name: "M_ZC (sequence length)",
                ..
            })
        ));
    }
}
