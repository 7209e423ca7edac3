//! TDD reciprocity: the transmit/receive chain mismatch of the base station's antennas, and its
//! relative calibration from over-the-air measurements between the array's own antennas.
//!
//! The propagation channel is reciprocal; the radios are not. Antenna a transmits through a
//! chain of complex gain t_a and receives through r_a, so the uplink sounds h·r_a while the
//! downlink goes out through h·t_a. Weights computed from the sounded channel are then wrong by
//! c_a = t_a/r_a per antenna: a beam toward one user still mostly forms when the c_a have a
//! common phase, but ZF/RZF nulls toward the others fill in. (The user's own mismatch is one
//! scalar per user and is absorbed by its demodulation reference signal.)
//!
//! **Relative calibration** (Shepard et al., "Argos", MobiCom 2012; Rogalin et al., IEEE Trans.
//! Wireless Commun. 2014): antennas i and j sound each other over the air,
//! y_{j←i} = r_j·g_ij·t_i + n and y_{i←j} = r_i·g_ij·t_j + n (the coupling g_ij between them is
//! reciprocal), so c_i·y_{i←j} = c_j·y_{j←i} for every pair. [`relative_calibration`] finds the
//! c minimising Σ_{pairs} |c_i·y_{i←j} − c_j·y_{j←i}|² with ‖c‖ = 1 (least squares over all
//! pairs; [`reference_calibration`] is the single-reference Argos estimate
//! c_i = y_{0←i}/y_{i←0}, for comparison): the c_a up to one common complex factor, which
//! multiplies every weight alike and does not matter. Calibrated downlink channel: ĥ_dl[u, a] = ĥ_ul[u, a]·ĉ_a.
//!
//! The measurement model ([`OverTheAir`]): mutual coupling as free-space propagation between
//! the element positions, ∝ e^{−j2πd}/(4πd) (d in wavelengths), times |cos Δζ| of the two
//! elements' slants with a cross-polarisation isolation floor; noise set by the SNR of the
//! nearest co-polarised pair. Not modelled: the near-field and reflections off the radome
//! (the real coupling is not free-space, but any reciprocal g_ij calibrates the same way).

use crate::channel::normal;
use massive_mimo::array::PanelArray;
use massive_mimo::{C32, Error, Result};
use num_complex::Complex64;
use rand::Rng;
use std::f64::consts::PI;

/// Per-antenna chain gains and their slow drift.
#[derive(Clone, Debug, PartialEq)]
pub struct ChainMismatch {
    /// Transmit chain gains t_a at time 0.
    pub tx: Vec<Complex64>,
    /// Receive chain gains r_a at time 0.
    pub rx: Vec<Complex64>,
    /// Drift per chain: (phase amplitude rad, angular frequency rad/s, phase offset rad), tx
    /// chains first, then rx.
    drift: Vec<(f64, f64, f64)>,
}

impl ChainMismatch {
    /// Random chains for `n_ant` antennas: amplitude log-normal with `amplitude_sigma_db`,
    /// phase uniform over 360° (uncalibrated radios), and a slow sinusoidal phase drift per
    /// chain of random amplitude up to `drift_deg` and period 60–600 s (temperature).
    /// Errors: no antennas, a spread not finite and ≥ 0.
    pub fn random<R: Rng + ?Sized>(
        rng: &mut R,
        n_ant: usize,
        amplitude_sigma_db: f64,
        drift_deg: f64,
    ) -> Result<Self> {
        if n_ant == 0
            || !(amplitude_sigma_db.is_finite() && amplitude_sigma_db >= 0.0)
            || !(drift_deg.is_finite() && drift_deg >= 0.0)
        {
            return Err(Error::InvalidParameter {
                name: "(n_ant, amplitude_sigma_db, drift_deg)",
                value: massive_mimo::value!("({n_ant}, {amplitude_sigma_db}, {drift_deg})"),
                reason: "at least one antenna; spreads finite and ≥ 0",
            });
        }
        let chain = |rng: &mut R| {
            Complex64::from_polar(
                10f64.powf(amplitude_sigma_db * normal(rng) / 20.0),
                2.0 * PI * rng.r#gen::<f64>(),
            )
        };
        let tx = (0..n_ant).map(|_| chain(rng)).collect();
        let rx = (0..n_ant).map(|_| chain(rng)).collect();
        let drift = (0..2 * n_ant)
            .map(|_| {
                let period = 60.0 + 540.0 * rng.r#gen::<f64>();
                (
                    drift_deg.to_radians() * rng.r#gen::<f64>(),
                    2.0 * PI / period,
                    2.0 * PI * rng.r#gen::<f64>(),
                )
            })
            .collect();
        Ok(Self { tx, rx, drift })
    }

    /// Antennas.
    pub fn len(&self) -> usize {
        self.tx.len()
    }

    /// Always false: at least one antenna.
    pub fn is_empty(&self) -> bool {
        self.tx.is_empty()
    }

    /// (t_a, r_a) at time `t_s`, as f32 for the signal path.
    pub fn at(&self, t_s: f64) -> (Vec<C32>, Vec<C32>) {
        let n = self.len();
        let gain = |g: Complex64, k: usize| {
            let (a, w, p) = self.drift[k];
            let v = g * Complex64::from_polar(1.0, a * ((w * t_s + p).sin() - p.sin()));
            C32::new(v.re as f32, v.im as f32)
        };
        (
            self.tx
                .iter()
                .enumerate()
                .map(|(a, &g)| gain(g, a))
                .collect(),
            self.rx
                .iter()
                .enumerate()
                .map(|(a, &g)| gain(g, n + a))
                .collect(),
        )
    }

    /// The true c_a = t_a/r_a at `t_s`.
    pub fn ratios(&self, t_s: f64) -> Vec<Complex64> {
        let (t, r) = self.at(t_s);
        t.iter()
            .zip(&r)
            .map(|(t, r)| {
                Complex64::new(t.re.into(), t.im.into()) / Complex64::new(r.re.into(), r.im.into())
            })
            .collect()
    }
}

/// The over-the-air measurement between the array's antennas.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OverTheAir {
    /// SNR of one measurement between the nearest co-polarised neighbours, dB.
    pub nearest_snr_db: f64,
    /// Isolation between orthogonal polarisations (also between the two polarisations at one
    /// position), dB.
    pub cross_pol_isolation_db: f64,
}

impl Default for OverTheAir {
    /// 40 dB between neighbours, 25 dB polarisation isolation.
    fn default() -> Self {
        Self {
            nearest_snr_db: 40.0,
            cross_pol_isolation_db: 25.0,
        }
    }
}

/// One pair's two measurements: (i, j, y_{i←j}, y_{j←i}).
pub type PairMeasurement = (usize, usize, Complex64, Complex64);

/// Every antenna pair of `array` sounds each other once at time `t_s` through the chains of
/// `mismatch` ([`OverTheAir`] model). Errors: an array and a mismatch of different sizes,
/// parameters not finite.
pub fn measure_pairs<R: Rng + ?Sized>(
    rng: &mut R,
    array: &PanelArray,
    mismatch: &ChainMismatch,
    ota: &OverTheAir,
    t_s: f64,
) -> Result<Vec<PairMeasurement>> {
    let n = array.len();
    if mismatch.len() != n
        || !ota.nearest_snr_db.is_finite()
        || !ota.cross_pol_isolation_db.is_finite()
        || !t_s.is_finite()
    {
        return Err(Error::InvalidParameter {
            name: "(array, mismatch, ota, t_s)",
            value: massive_mimo::value!("{n} vs {} antennas, {ota:?}, {t_s}", mismatch.len()),
            reason: "one chain per antenna; finite parameters",
        });
    }
    let (t, r) = mismatch.at(t_s);
    let c64 = |v: C32| Complex64::new(v.re.into(), v.im.into());
    let pos: Vec<(f64, f64, f64)> = (0..n).map(|i| array.position(i)).collect::<Result<_>>()?;
    let pol = array.polarization;
    let slant: Vec<f64> = (0..n)
        .map(|i| array.element_index(i).map(|e| pol.slant_deg(e.0)))
        .collect::<Result<_>>()?;
    let iso = 10f64.powf(-ota.cross_pol_isolation_db / 20.0);
    let dist = |i: usize, j: usize| {
        let (a, b) = (pos[i], pos[j]);
        ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2) + (a.2 - b.2).powi(2)).sqrt()
    };
    let d_min = (0..n)
        .flat_map(|i| (0..i).map(move |j| (i, j)))
        .map(|(i, j)| dist(i, j))
        .filter(|d| *d > 1e-9)
        .fold(f64::INFINITY, f64::min);
    let d_min = if d_min.is_finite() { d_min } else { 0.5 };
    let g_ref = 1.0 / (4.0 * PI * d_min);
    let noise_var = g_ref * g_ref * 10f64.powf(-ota.nearest_snr_db / 10.0);
    let mut out = Vec::with_capacity(n * (n - 1) / 2);
    for i in 0..n {
        for j in 0..i {
            let d = dist(i, j);
            let p = ((slant[i] - slant[j]).to_radians().cos().abs()).max(iso);
            let g = if d > 1e-9 {
                Complex64::from_polar(p / (4.0 * PI * d), -2.0 * PI * d)
            } else {
                // Co-located polarisations: isolation at the neighbour's level, a fixed phase.
                Complex64::from_polar(iso * g_ref, 2.0 * PI * rng.r#gen::<f64>())
            };
            let noise = |rng: &mut R| crate::channel::complex_normal(rng, noise_var);
            let y_ij = c64(r[i]) * g * c64(t[j]) + noise(rng);
            let y_ji = c64(r[j]) * g * c64(t[i]) + noise(rng);
            out.push((i, j, y_ij, y_ji));
        }
    }
    Ok(out)
}

fn check_pairs(n_ant: usize, pairs: &[PairMeasurement]) -> Result<()> {
    if n_ant == 0
        || pairs.iter().any(|&(i, j, a, b)| {
            i >= n_ant || j >= n_ant || i == j || !(a.is_finite() && b.is_finite())
        })
    {
        return Err(Error::InvalidParameter {
            name: "pairs",
            value: massive_mimo::value!("{} pairs for {n_ant} antennas", pairs.len()),
            reason: "antenna indices below n_ant, i ≠ j, finite measurements",
        });
    }
    Ok(())
}

/// The single-reference (Argos) estimate ĉ_a = y_{0←a}/y_{a←0}, ĉ_0 = 1: one pair per
/// antenna, each with antenna 0. Errors: as [`relative_calibration`], and an antenna without a
/// usable measurement with antenna 0.
pub fn reference_calibration(n_ant: usize, pairs: &[PairMeasurement]) -> Result<Vec<Complex64>> {
    check_pairs(n_ant, pairs)?;
    let mut c = vec![Complex64::new(f64::NAN, 0.0); n_ant];
    c[0] = Complex64::new(1.0, 0.0);
    for &(i, j, y_ij, y_ji) in pairs {
        // c_a·y_{a←0} = c_0·y_{0←a}.
        match (i, j) {
            (a, 0) if y_ij.norm_sqr() > 0.0 => c[a] = y_ji / y_ij,
            (0, a) if y_ji.norm_sqr() > 0.0 => c[a] = y_ij / y_ji,
            _ => {}
        }
    }
    if let Some(a) = c.iter().position(|v| v.re.is_nan()) {
        return Err(Error::InvalidParameter {
            name: "pairs",
            value: massive_mimo::value!("antenna {a}"),
            reason: "every antenna needs a non-zero measurement with antenna 0 (the reference)",
        });
    }
    Ok(c)
}

/// Lower Cholesky factor of the Hermitian positive-definite `m × m` matrix `a(r, c)` (row-major
/// output); `None` if it is not positive definite.
fn cholesky(m: usize, a: impl Fn(usize, usize) -> Complex64) -> Option<Vec<Complex64>> {
    let mut l = vec![Complex64::new(0.0, 0.0); m * m];
    for r in 0..m {
        for c in 0..=r {
            let mut s = a(r, c);
            for k in 0..c {
                s -= l[r * m + k] * l[c * m + k].conj();
            }
            if r == c {
                if !(s.re > 0.0 && s.re.is_finite()) {
                    return None;
                }
                l[r * m + r] = Complex64::new(s.re.sqrt(), 0.0);
            } else {
                l[r * m + c] = s / l[c * m + c].re;
            }
        }
    }
    Some(l)
}

/// Solves L·Lᴴ·x = b in place.
fn cholesky_solve(m: usize, l: &[Complex64], x: &mut [Complex64]) {
    for r in 0..m {
        for k in 0..r {
            let v = l[r * m + k] * x[k];
            x[r] -= v;
        }
        x[r] /= l[r * m + r].re;
    }
    for r in (0..m).rev() {
        for k in r + 1..m {
            let v = l[k * m + r].conj() * x[k];
            x[r] -= v;
        }
        x[r] /= l[r * m + r].re;
    }
}

/// Relative calibration coefficients ĉ_a ∝ t_a/r_a (ĉ_0 = 1) from pair measurements: the
/// least squares over all pairs with ‖c‖ = 1 (Rogalin et al.), the eigenvector of the smallest
/// eigenvalue of N, J(c) = cᴴNc with N_ii = Σ_j |y_{i←j}|², N_ij = −y_{i←j}*·y_{j←i}; scaled to
/// ĉ_0 = 1. (Fixing c_0 = 1 inside the least squares instead would bias every |ĉ_a| low: the
/// noise of the ~n²/2 pairs pulls toward c = 0 against only the n − 1 pairs with antenna 0.
/// With ‖c‖ fixed the noise adds ≈ σ²·(pairs per antenna)·I to N, which leaves its
/// eigenvectors alone.) Solved by inverse iteration (complex Cholesky, f64) from the
/// fixed-c_0 solution. Errors: `n_ant` = 0, a pair index out of range or i = j, non-finite
/// measurements, measurements that leave some antenna unconnected.
pub fn relative_calibration(n_ant: usize, pairs: &[PairMeasurement]) -> Result<Vec<Complex64>> {
    check_pairs(n_ant, pairs)?;
    let n = n_ant;
    let zero = Complex64::new(0.0, 0.0);
    let mut nm = vec![zero; n * n];
    for &(i, j, y_ij, y_ji) in pairs {
        nm[i * n + i] += y_ij.norm_sqr();
        nm[j * n + j] += y_ji.norm_sqr();
        nm[i * n + j] -= y_ij.conj() * y_ji;
        nm[j * n + i] -= y_ji.conj() * y_ij;
    }
    let unconnected = |a: usize| Error::InvalidParameter {
        name: "pairs",
        value: massive_mimo::value!("antenna {a}"),
        reason: "the measurements must connect every antenna to the others",
    };
    if let Some(a) = (0..n).find(|&a| nm[a * n + a].re <= 0.0) {
        return Err(unconnected(a));
    }
    // Start: c_0 = 1, N′c′ = −N_{·0}.
    let m = n - 1;
    let l = cholesky(m, |r, c| nm[(r + 1) * n + c + 1]).ok_or_else(|| unconnected(0))?;
    let mut x: Vec<Complex64> = (0..m).map(|r| -nm[(r + 1) * n]).collect();
    cholesky_solve(m, &l, &mut x);
    let mut c = Vec::with_capacity(n);
    c.push(Complex64::new(1.0, 0.0));
    c.extend(x);
    // Inverse iteration on N + δI (δ: a relative 1e-12 of its scale keeps the noiseless,
    // singular N factorable without moving its eigenvectors).
    let delta = 1e-12 * (0..n).map(|a| nm[a * n + a].re).sum::<f64>() / n as f64;
    let l = cholesky(n, |r, q| nm[r * n + q] + if r == q { delta } else { 0.0 })
        .ok_or_else(|| unconnected(0))?;
    for _ in 0..200 {
        let prev = c.clone();
        cholesky_solve(n, &l, &mut c);
        let norm = c.iter().map(|v| v.norm_sqr()).sum::<f64>().sqrt();
        c.iter_mut().for_each(|v| *v /= norm);
        // Converged when the direction stops moving: |⟨prev, c⟩| = ‖prev‖.
        let pn = prev.iter().map(|v| v.norm_sqr()).sum::<f64>().sqrt();
        let dot: Complex64 = prev.iter().zip(&c).map(|(p, v)| p.conj() * v).sum();
        if 1.0 - dot.norm() / pn < 1e-15 {
            break;
        }
    }
    if c[0].norm() == 0.0 || c.iter().any(|v| !v.is_finite()) {
        return Err(unconnected(0));
    }
    let c0 = c[0];
    Ok(c.iter().map(|v| v / c0).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn noiseless_pairs_give_the_exact_ratios_up_to_a_common_factor() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let array = PanelArray::cross_polarized(2, 2).unwrap();
        let m = ChainMismatch::random(&mut rng, array.len(), 1.0, 0.0).unwrap();
        let ota = OverTheAir {
            nearest_snr_db: 300.0,
            ..OverTheAir::default()
        };
        let pairs = measure_pairs(&mut rng, &array, &m, &ota, 0.0).unwrap();
        let c = relative_calibration(array.len(), &pairs).unwrap();
        let truth = m.ratios(0.0);
        for a in 0..array.len() {
            let e = c[a] * truth[0] / truth[a];
            assert!((e - 1.0).norm() < 1e-5, "{a}: {e}");
        }
        let one = Complex64::new(1.0, 0.0);
        let e = relative_calibration(3, &[(0, 3, one, one)]).err().unwrap();
        assert_eq!(e.parameter(), "pairs");
        // Antenna 2 unconnected: named.
        let e = relative_calibration(3, &[(1, 0, one, one)]).err().unwrap();
        assert_eq!(e.parameter(), "pairs");
        let e = reference_calibration(3, &[(1, 0, one, one)]).err().unwrap();
        assert_eq!(e.parameter(), "pairs");
    }
}
