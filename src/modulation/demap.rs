//! Soft demapper (exact and max-log LLR) and hard decision for the constellations of §5.1.
//!
//! Max-log LLRs (f32 from [`demap`], int8 from [`demap_i8`]) of the QAMs run the kernel
//! crate's closed form `Kernels::qam_llr_maxlog` over the whole slice: the nested Gray folding
//! of §5.1 turns each LLR into `sign(e)·(4a²/σ²)·(c + 1)(u − c)` of a folded coordinate, no
//! search over levels. Exact LLRs run the per-level log-sum-exp kernel `Kernels::pam_llr`
//! (fastest backend of this CPU), 64 symbols per call from stack buffers.
//!
//! LLR = ln P(b = 0 | y) / P(b = 1 | y) (positive means 0) with equiprobable symbols and
//! `d(s) = |y − s|² / σ²`. Exact: `ln Σ_{b=0} e^{−d} − ln Σ_{b=1} e^{−d}` (log-sum-exp with the
//! minimum distance factored out, so no overflow); max-log: `min_{b=1} d − min_{b=0} d`. For
//! the QAMs the imaginary-axis distance is common to numerator and denominator of a real-axis
//! bit (and vice versa), so each LLR is computed on one axis: 2^m levels instead of 4^m points.

use super::Modulation;
use super::axis_unit;
use super::map::levels;
use crate::simd::Kernels;
use crate::{C32, Error, Result};

/// Smallest noise variance used: a zero σ² (noise-free data) is clamped to this, giving large
/// finite LLRs with the right signs instead of ±∞ or NaN (the kernel crate's
/// `MIN_NOISE_VAR`, 1e-12).
pub const MIN_NOISE_VAR: f32 = massive_mimo_simd::MIN_NOISE_VAR;

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
                value: crate::error::Value::of(&s),
                reason: "expected exact or maxlog",
            }),
        }
    }
}

/// The LLR of a BPSK / π/2-BPSK symbol (index `i` in the call, for π/2-BPSK's rotation): two
/// points ±a(1+j), so d(1) − d(0) = 4a(yr + yi)/σ², exact and max-log alike. Non-finite for a
/// non-finite symbol (the callers' erasure test).
fn bpsk_llr(modulation: Modulation, i: usize, y: C32, noise_var: f32) -> f32 {
    let y = if modulation == Modulation::Pi2Bpsk && i % 2 == 1 {
        C32::new(y.im, -y.re)
    } else {
        y
    };
    4.0 * std::f32::consts::FRAC_1_SQRT_2 * (y.re + y.im) / noise_var.max(MIN_NOISE_VAR)
}

/// Symbols demapped per kernel call (stack buffers: no allocation).
const CHUNK: usize = 64;

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
            expected: crate::error::Shape::of(&[symbols.len()]),
            got: crate::error::Shape::of(&[noise_var.len()]),
        });
    }
    if out_len != symbols.len() * per_symbol_out {
        return Err(Error::ShapeMismatch {
            name: "llr [n·Q_m]",
            expected: crate::error::Shape::of(&[symbols.len() * per_symbol_out]),
            got: crate::error::Shape::of(&[out_len]),
        });
    }
    crate::error::check_noise_var(noise_var)?;
    let _ = modulation;
    Ok(())
}

/// Soft-demaps `symbols` with per-symbol complex noise variance `noise_var` (σ² = E|n|², ≥ 0,
/// finite; 0 is clamped to `MIN_NOISE_VAR` (1e-12)) into `llr` (`Q_m` per symbol, bit order of
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
        for (i, ((o, y), &v)) in llr.iter_mut().zip(symbols).zip(noise_var).enumerate() {
            let l = bpsk_llr(modulation, i, *y, v);
            *o = if l.is_finite() { l } else { 0.0 };
        }
        return Ok(());
    }
    let kernels = Kernels::new();
    if method == DemapMethod::MaxLog {
        // The closed form over the whole slice (kernel crate `qam_llr`): symbol-major output
        // in the bit order of §5.1, erasures and σ² = 0 handled as documented above.
        kernels.qam_llr_maxlog(symbols, noise_var, m as u32, axis_unit(m), llr)?;
        return Ok(());
    }
    // Exact LLRs: the per-level log-sum-exp kernel, 64 symbols per call from stack buffers.
    let lv = levels(m);
    let (mut yr, mut yi, mut inv) = ([0.0f32; CHUNK], [0.0f32; CHUNK], [0.0f32; CHUNK]);
    let (mut out_re, mut out_im) = ([0.0f32; 5 * CHUNK], [0.0f32; 5 * CHUNK]);
    for ((ys, vs), ls) in symbols
        .chunks(CHUNK)
        .zip(noise_var.chunks(CHUNK))
        .zip(llr.chunks_mut(CHUNK * qm))
    {
        let c = ys.len();
        // Straight-line loops the compiler vectorises; the erasure fix-up below is rare.
        for ((r, i), y) in yr.iter_mut().zip(yi.iter_mut()).zip(ys) {
            *r = y.re;
            *i = y.im;
        }
        for (iv, &v) in inv.iter_mut().zip(vs) {
            *iv = 1.0 / if v > MIN_NOISE_VAR { v } else { MIN_NOISE_VAR };
        }
        for s in 0..c {
            // A non-finite symbol is an erasure: coordinate 0 with 1/σ² = 0 gives LLR 0.
            if !(yr[s].is_finite() && yi[s].is_finite()) {
                (yr[s], yi[s], inv[s]) = (0.0, 0.0, 0.0);
            }
        }
        kernels.pam_llr(&yr[..c], &inv[..c], lv, true, &mut out_re[..m * c])?;
        kernels.pam_llr(&yi[..c], &inv[..c], lv, true, &mut out_im[..m * c])?;
        for k in 0..m {
            let (re, im) = (&out_re[k * c..(k + 1) * c], &out_im[k * c..(k + 1) * c]);
            for ((out, &a), &b) in ls.chunks_exact_mut(qm).zip(re).zip(im) {
                out[2 * k] = a;
                out[2 * k + 1] = b;
            }
        }
    }
    Ok(())
}

/// Max-log LLRs saturated to int8, what fixed-point LDPC decoders take:
/// `llr[i] = clamp(round(llr_scale · LLR_i), −127, 127)` (rounding half to even; −128 never
/// appears), `LLR_i` the max-log LLR of [`demap`] (positive means 0, bit order of §5.1,
/// per-symbol complex noise variance `noise_var`, 0 clamped to `MIN_NOISE_VAR`, 1e-12). One output
/// step stands for an LLR of 1/`llr_scale` (finite, ≥ 0): e.g. 4.0 gives quarter steps and
/// saturates at |LLR| ≈ 32. A non-finite symbol is an erasure (0).
///
/// The QAMs run the kernel crate's closed form ([`Kernels::qam_llr_maxlog_i8`]: on AVX2 about
/// twice the symbol rate of the f32 output at 256QAM — a quarter of the bytes).
pub fn demap_i8(
    modulation: Modulation,
    symbols: &[C32],
    noise_var: &[f32],
    llr_scale: f32,
    llr: &mut [i8],
) -> Result<()> {
    let qm = modulation.bits_per_symbol();
    check(modulation, symbols, noise_var, qm, llr.len())?;
    if !(llr_scale.is_finite() && llr_scale >= 0.0) {
        return Err(Error::InvalidParameter {
            name: "llr_scale",
            value: crate::error::Value::of(&llr_scale),
            reason: "must be finite and ≥ 0",
        });
    }
    let m = modulation.bits_per_axis();
    if m == 0 {
        for (i, ((o, y), &v)) in llr.iter_mut().zip(symbols).zip(noise_var).enumerate() {
            let l = bpsk_llr(modulation, i, *y, v) * llr_scale;
            *o = if l.is_finite() {
                l.round_ties_even().clamp(-127.0, 127.0) as i8
            } else if y.re.is_finite() && y.im.is_finite() && llr_scale > 0.0 {
                (127.0f32).copysign(l) as i8
            } else {
                0
            };
        }
        return Ok(());
    }
    Kernels::new().qam_llr_maxlog_i8(symbols, noise_var, m as u32, axis_unit(m), llr_scale, llr)?;
    Ok(())
}

/// Hard decision: the bits of the nearest constellation point of each symbol.
pub fn hard_decision(modulation: Modulation, symbols: &[C32], bits: &mut [u8]) -> Result<()> {
    let qm = modulation.bits_per_symbol();
    if bits.len() != symbols.len() * qm {
        return Err(Error::ShapeMismatch {
            name: "bits [n·Q_m]",
            expected: crate::error::Shape::of(&[symbols.len() * qm]),
            got: crate::error::Shape::of(&[bits.len()]),
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

    /// The int8 LLRs are the f32 max-log LLRs scaled, rounded and saturated (±0.5 step: the
    /// int8 path folds the scale into the per-symbol weight, one rounding apart), for every
    /// modulation including the BPSKs; erasures are 0; the scale is checked.
    #[test]
    fn int8_llrs_are_the_scaled_saturated_max_log_llrs() {
        for m in Modulation::ALL {
            let qm = m.bits_per_symbol();
            let n = 40;
            let y: Vec<C32> = (0..n)
                .map(|i| C32::new(0.37 * (i as f32 * 0.7).sin(), 0.41 * (i as f32 * 1.3).cos()))
                .collect();
            let nv: Vec<f32> = (0..n).map(|i| 0.01 + 0.02 * (i % 5) as f32).collect();
            let mut f = vec![0.0f32; n * qm];
            demap(m, DemapMethod::MaxLog, &y, &nv, &mut f).unwrap();
            for scale in [0.5f32, 2.0, 16.0] {
                let mut q = vec![0i8; n * qm];
                demap_i8(m, &y, &nv, scale, &mut q).unwrap();
                for (i, (&g, &l)) in q.iter().zip(&f).enumerate() {
                    let want = (l * scale).clamp(-127.0, 127.0);
                    assert!(
                        (f32::from(g) - want).abs() <= 0.5 + 1e-4 * want.abs(),
                        "{m} [{i}]: {g} vs {want}"
                    );
                }
            }
        }
        let y = [C32::new(f32::NAN, 0.0), C32::new(0.5, 0.5)];
        let mut q = [9i8; 4];
        demap_i8(Modulation::Qpsk, &y, &[0.1; 2], 1.0, &mut q).unwrap();
        assert_eq!(&q[..2], &[0, 0]);
        assert!(q[2] > 0 && q[3] > 0);
        let mut qb = [9i8; 2];
        demap_i8(Modulation::Bpsk, &y, &[0.1; 2], 1e30, &mut qb).unwrap();
        assert_eq!(qb, [0, 127]);
        assert_eq!(
            crate::error::name_of(demap_i8(Modulation::Qpsk, &y, &[0.1; 2], -1.0, &mut q)),
            "llr_scale"
        );
        assert_eq!(
            crate::error::name_of(demap_i8(Modulation::Qpsk, &y, &[0.1; 2], f32::NAN, &mut q)),
            "llr_scale"
        );
        assert_eq!(
            crate::error::name_of(demap_i8(Modulation::Qpsk, &y, &[0.1; 2], 1.0, &mut q[..3])),
            "llr [n·Q_m]"
        );
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
        assert_eq!(
            crate::error::name_of(demap(
                Modulation::Qpsk,
                DemapMethod::MaxLog,
                &y,
                &[f32::NAN],
                &mut llr
            )),
            "noise_var"
        );
        demap(Modulation::Qpsk, DemapMethod::Exact, &y, &[0.0], &mut llr).unwrap();
        assert!(llr.iter().all(|l| l.is_finite() && *l > 0.0));
    }
}
