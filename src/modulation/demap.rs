//! Soft demapper (exact and max-log LLR) and hard decision for the constellations of §5.1.
//!
//! LLR = ln P(b = 0 | y) / P(b = 1 | y) (positive means 0) with equiprobable symbols and
//! `d(s) = |y − s|² / σ²`. Exact: `ln Σ_{b=0} e^{−d} − ln Σ_{b=1} e^{−d}` (log-sum-exp with the
//! minimum distance factored out, so no overflow); max-log: `min_{b=1} d − min_{b=0} d`. For
//! the QAMs the imaginary-axis distance is common to numerator and denominator of a real-axis
//! bit (and vice versa), so each LLR is computed on one axis: 2^m levels instead of 4^m points.

use super::Modulation;
use super::map::levels;
use crate::{C32, Error, Result};

/// Smallest noise variance used: a zero σ² (noise-free data) is clamped to this, giving large
/// finite LLRs with the right signs instead of ±∞ or NaN.
pub const MIN_NOISE_VAR: f32 = 1e-12;

/// LLR computation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DemapMethod {
    /// Exact log-likelihood ratio.
    Exact,
    /// Max-log approximation.
    MaxLog,
}

impl std::str::FromStr for DemapMethod {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "exact" | "logmap" => Ok(DemapMethod::Exact),
            "maxlog" => Ok(DemapMethod::MaxLog),
            _ => Err(Error::InvalidParameter {
                name: "method",
                value: s.to_string(),
                reason: "expected exact or maxlog",
            }),
        }
    }
}

/// Up to 32 levels per axis (1024QAM).
const MAX_LEVELS: usize = 32;
/// Symbols demapped together: the inner loops run over this many symbols with the level and
/// bit fixed, so they are straight-line min/FMA/exp code the compiler vectorises.
const CHUNK: usize = 16;

/// `e^x` for x ≤ 0 (clamped at −80, where e^x ≈ 1.8·10⁻³⁵ is still a normal f32), relative
/// error < 3·10⁻⁷. Branch-free (round-to-nearest
/// by the 1.5·2²³ trick, degree-6 polynomial on |r| ≤ ln2/2, 2ⁿ through the exponent bits), so
/// loops over it vectorise.
#[inline(always)]
fn exp_nonpositive(x: f32) -> f32 {
    const LOG2_E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    const ROUND: f32 = 12_582_912.0; // 1.5·2²³
    let x = if x < -80.0 { -80.0 } else { x };
    let n = (x * LOG2_E + ROUND) - ROUND;
    let r = x - n * LN2_HI - n * LN2_LO;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    p * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

/// LLRs of the m bits of one axis for `CHUNK` coordinates `y` with `inv` = 1/σ²:
/// `out[k][s]` for bit k (b0, b2, … of the real axis or b1, b3, … of the imaginary one).
/// Max-log: `(min_{b=1} (y−a)² − min_{b=0} (y−a)²)/σ²`; exact adds
/// `ln Σ_{b=0} e^{−(d−d0)} − ln Σ_{b=1} e^{−(d−d1)}` with each class's own minimum.
#[inline(always)]
fn axis_chunk(
    y: &[f32; CHUNK],
    inv: &[f32; CHUNK],
    lv: &[f32],
    m: usize,
    method: DemapMethod,
    out: &mut [[f32; CHUNK]; 5],
) {
    let mut d = [[0.0f32; CHUNK]; MAX_LEVELS];
    let mut min0 = [[f32::INFINITY; CHUNK]; 5];
    let mut min1 = [[f32::INFINITY; CHUNK]; 5];
    for (j, &a) in lv.iter().enumerate() {
        for (ds, &ys) in d[j].iter_mut().zip(y) {
            *ds = (ys - a) * (ys - a);
        }
        for k in 0..m {
            let mins = if (j >> (m - 1 - k)) & 1 == 0 {
                &mut min0[k]
            } else {
                &mut min1[k]
            };
            for (mn, &ds) in mins.iter_mut().zip(&d[j]) {
                *mn = if ds < *mn { ds } else { *mn };
            }
        }
    }
    for k in 0..m {
        for s in 0..CHUNK {
            out[k][s] = (min1[k][s] - min0[k][s]) * inv[s];
        }
    }
    if method == DemapMethod::Exact {
        for k in 0..m {
            let (mut s0, mut s1) = ([0.0f32; CHUNK], [0.0f32; CHUNK]);
            for (j, dj) in d.iter().enumerate().take(lv.len()) {
                let (acc, base) = if (j >> (m - 1 - k)) & 1 == 0 {
                    (&mut s0, &min0[k])
                } else {
                    (&mut s1, &min1[k])
                };
                for s in 0..CHUNK {
                    acc[s] += exp_nonpositive((base[s] - dj[s]) * inv[s]);
                }
            }
            for s in 0..CHUNK {
                // Both sums are ≥ 1 (their minimum term is e⁰).
                out[k][s] += s0[s].ln() - s1[s].ln();
            }
        }
    }
}

fn check(
    modulation: Modulation,
    symbols: &[C32],
    noise_var: &[f32],
    per_symbol_out: usize,
    out_len: usize,
) -> Result<()> {
    if noise_var.len() != symbols.len() {
        return Err(Error::ShapeMismatch {
            name: "noise_var [n]",
            expected: vec![symbols.len()],
            got: vec![noise_var.len()],
        });
    }
    if out_len != symbols.len() * per_symbol_out {
        return Err(Error::ShapeMismatch {
            name: "llr [n·Q_m]",
            expected: vec![symbols.len() * per_symbol_out],
            got: vec![out_len],
        });
    }
    if let Some(&v) = noise_var
        .iter()
        .find(|v| v.is_nan() || **v < 0.0 || v.is_infinite())
    {
        return Err(Error::InvalidParameter {
            name: "noise_var",
            value: v.to_string(),
            reason: "must be finite and ≥ 0 (0 is clamped to MIN_NOISE_VAR)",
        });
    }
    let _ = modulation;
    Ok(())
}

/// Soft-demaps `symbols` with per-symbol complex noise variance `noise_var` (σ² = E|n|², ≥ 0,
/// finite; 0 is clamped to [`MIN_NOISE_VAR`]) into `llr` (`Q_m` per symbol, bit order of
/// §5.1). For π/2-BPSK the symbol index i counts from 0 at `symbols[0]`. A non-finite symbol
/// is an erasure: its LLRs are 0.
pub fn demap(
    modulation: Modulation,
    method: DemapMethod,
    symbols: &[C32],
    noise_var: &[f32],
    llr: &mut [f32],
) -> Result<()> {
    let qm = modulation.bits_per_symbol();
    check(modulation, symbols, noise_var, qm, llr.len())?;
    let m = modulation.bits_per_axis();
    if m == 0 {
        // Two points ±a(1+j): d(1) − d(0) = 4a(yr + yi)/σ², exact and max-log alike.
        let a = std::f32::consts::FRAC_1_SQRT_2;
        for (i, ((o, y), &v)) in llr.iter_mut().zip(symbols).zip(noise_var).enumerate() {
            let y = if modulation == Modulation::Pi2Bpsk && i % 2 == 1 {
                C32::new(y.im, -y.re)
            } else {
                *y
            };
            let l = 4.0 * a * (y.re + y.im) / v.max(MIN_NOISE_VAR);
            *o = if l.is_finite() { l } else { 0.0 };
        }
        return Ok(());
    }
    let lv = levels(m);
    let mut out_re = [[0.0f32; CHUNK]; 5];
    let mut out_im = [[0.0f32; CHUNK]; 5];
    for ((ys, vs), ls) in symbols
        .chunks(CHUNK)
        .zip(noise_var.chunks(CHUNK))
        .zip(llr.chunks_mut(CHUNK * qm))
    {
        let (mut yr, mut yi, mut inv) = ([0.0f32; CHUNK], [0.0f32; CHUNK], [1.0f32; CHUNK]);
        for (s, (y, &v)) in ys.iter().zip(vs).enumerate() {
            let finite = y.re.is_finite() && y.im.is_finite();
            yr[s] = if finite { y.re } else { 0.0 };
            yi[s] = if finite { y.im } else { 0.0 };
            inv[s] = if finite {
                1.0 / v.max(MIN_NOISE_VAR)
            } else {
                0.0
            };
        }
        axis_chunk(&yr, &inv, lv, m, method, &mut out_re);
        axis_chunk(&yi, &inv, lv, m, method, &mut out_im);
        for (s, out) in ls.chunks_exact_mut(qm).enumerate() {
            for k in 0..m {
                out[2 * k] = out_re[k][s];
                out[2 * k + 1] = out_im[k][s];
            }
        }
    }
    Ok(())
}

/// Hard decision: the bits of the nearest constellation point of each symbol.
pub fn hard_decision(modulation: Modulation, symbols: &[C32], bits: &mut [u8]) -> Result<()> {
    let qm = modulation.bits_per_symbol();
    if bits.len() != symbols.len() * qm {
        return Err(Error::ShapeMismatch {
            name: "bits [n·Q_m]",
            expected: vec![symbols.len() * qm],
            got: vec![bits.len()],
        });
    }
    let m = modulation.bits_per_axis();
    if m == 0 {
        for (i, (b, y)) in bits.iter_mut().zip(symbols).enumerate() {
            let y = if modulation == Modulation::Pi2Bpsk && i % 2 == 1 {
                C32::new(y.im, -y.re)
            } else {
                *y
            };
            *b = u8::from(y.re + y.im < 0.0);
        }
        return Ok(());
    }
    let lv = levels(m);
    let nearest = |x: f32| -> usize {
        let mut best = (f32::INFINITY, 0);
        for (idx, &a) in lv.iter().enumerate() {
            let d = (x - a).abs();
            if d < best.0 {
                best = (d, idx);
            }
        }
        best.1
    };
    for (out, y) in bits.chunks_exact_mut(qm).zip(symbols) {
        let (ii, iq) = (nearest(y.re), nearest(y.im));
        for k in 0..m {
            out[2 * k] = ((ii >> (m - 1 - k)) & 1) as u8;
            out[2 * k + 1] = ((iq >> (m - 1 - k)) & 1) as u8;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::map;
    use super::*;

    fn all_bits(qm: usize) -> Vec<u8> {
        (0..1usize << qm)
            .flat_map(|i| (0..qm).map(move |k| ((i >> (qm - 1 - k)) & 1) as u8))
            .collect()
    }

    #[test]
    fn llr_signs_are_the_hard_decisions_and_clean_points_decode() {
        for m in Modulation::ALL {
            let qm = m.bits_per_symbol();
            let bits = all_bits(qm);
            let n = bits.len() / qm;
            let mut s = vec![C32::new(0.0, 0.0); n];
            map(m, &bits, &mut s).unwrap();
            // Perturb a little so no LLR is exactly 0.
            let y: Vec<C32> = s
                .iter()
                .enumerate()
                .map(|(i, x)| x + C32::new(0.01 * ((i % 3) as f32 - 1.0), 0.007))
                .collect();
            let mut hard = vec![0u8; bits.len()];
            hard_decision(m, &y, &mut hard).unwrap();
            assert_eq!(hard, bits, "{m}");
            // Max-log signs are the nearest point's bits at any noise level; exact ones only
            // when the noise is small against the point spacing (at high noise, far points
            // can outweigh the nearest one for the inner bits).
            for (method, var) in [
                (DemapMethod::Exact, 1e-3f32),
                (DemapMethod::MaxLog, 0.1),
                (DemapMethod::MaxLog, 10.0),
            ] {
                let nv = vec![var; n];
                let mut llr = vec![0.0f32; bits.len()];
                demap(m, method, &y, &nv, &mut llr).unwrap();
                for (l, b) in llr.iter().zip(&hard) {
                    assert_eq!(u8::from(*l < 0.0), *b, "{m} {method:?}");
                }
            }
        }
    }

    #[test]
    fn exact_equals_brute_force_over_the_2d_constellation() {
        for m in [Modulation::Qpsk, Modulation::Qam16, Modulation::Qam64] {
            let qm = m.bits_per_symbol();
            let bits = all_bits(qm);
            let mut pts = vec![C32::new(0.0, 0.0); 1 << qm];
            map(m, &bits, &mut pts).unwrap();
            let y = [C32::new(0.3, -0.45), C32::new(-1.1, 0.2)];
            let nv = [0.2f32, 0.05];
            let mut llr = vec![0.0f32; 2 * qm];
            demap(m, DemapMethod::Exact, &y, &nv, &mut llr).unwrap();
            for (s, yy) in y.iter().enumerate() {
                for k in 0..qm {
                    let (mut p0, mut p1) = (0.0f64, 0.0f64);
                    for (idx, p) in pts.iter().enumerate() {
                        let e = (-f64::from((yy - p).norm_sqr() / nv[s])).exp();
                        if bits[idx * qm + k] == 0 {
                            p0 += e
                        } else {
                            p1 += e
                        }
                    }
                    let want = (p0.ln() - p1.ln()) as f32;
                    assert!(
                        (llr[s * qm + k] - want).abs() < 1e-3 * (1.0 + want.abs()),
                        "{m} bit {k}: {} vs {want}",
                        llr[s * qm + k]
                    );
                }
            }
        }
    }

    #[test]
    fn fast_exp_is_accurate() {
        let mut worst = 0.0f64;
        for i in 0..=80_000 {
            let x = -(i as f32) * 1e-3;
            let got = f64::from(exp_nonpositive(x));
            let want = f64::from(x).exp();
            worst = worst.max((got - want).abs() / want);
        }
        assert!(worst < 3e-7, "max relative error {worst:e}");
        assert!(exp_nonpositive(-1000.0) > 0.0);
    }

    #[test]
    fn non_finite_symbols_are_erasures() {
        for m in [Modulation::Bpsk, Modulation::Qam256] {
            let y = [
                C32::new(f32::NAN, 0.1),
                C32::new(0.2, f32::INFINITY),
                C32::new(0.3, 0.3),
            ];
            let mut llr = vec![1.0f32; 3 * m.bits_per_symbol()];
            for method in [DemapMethod::Exact, DemapMethod::MaxLog] {
                demap(m, method, &y, &[0.1; 3], &mut llr).unwrap();
                let q = m.bits_per_symbol();
                assert!(
                    llr[..2 * q].iter().all(|&l| l == 0.0),
                    "{m} {method:?}: {llr:?}"
                );
                assert!(llr[2 * q..].iter().all(|l| l.is_finite() && *l != 0.0));
            }
        }
    }

    #[test]
    fn bad_noise_is_an_error_and_zero_noise_gives_finite_llrs() {
        let y = [C32::new(0.5, 0.5)];
        let mut llr = [0.0f32; 2];
        assert!(matches!(
            demap(Modulation::Qpsk, DemapMethod::MaxLog, &y, &[-1.0], &mut llr),
            Err(Error::InvalidParameter {
                name: "noise_var",
                ..
            })
        ));
        assert!(
            demap(
                Modulation::Qpsk,
                DemapMethod::MaxLog,
                &y,
                &[f32::NAN],
                &mut llr
            )
            .is_err()
        );
        demap(Modulation::Qpsk, DemapMethod::Exact, &y, &[0.0], &mut llr).unwrap();
        assert!(llr.iter().all(|l| l.is_finite() && *l > 0.0));
    }
}
