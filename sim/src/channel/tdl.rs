//! Tapped-delay-line channels with Rayleigh (and LOS) taps and a classical Doppler spectrum:
//! the LTE profiles of 36.104 Annex B.2 and the 38.901 §7.7.2 TDL-A … TDL-E models (from the
//! generated tables, delays scaled per §7.7.3).
//!
//! Each (user, antenna) link is an independent tapped delay line (no spatial correlation —
//! the "low correlation" case of 36.104 Annex B.2.2 / 38.901 §7.7.4 without the correlation
//! matrices). A Rayleigh tap l of link (u, a) is a sum of M = 16 complex sinusoids,
//! `g(t) = √(p_l / M)·Σ_m exp(j(2π f_D cos α_m·t + φ_m))`, α_m and φ_m uniform: Rayleigh
//! amplitude as M grows and the classical (Jakes) Doppler spectrum with maximum Doppler f_D.
//! A LOS tap (TDL-D, TDL-E) is one phasor of constant amplitude, `√p_l·exp(j(2π f_D cos α_0·t
//! + φ_0))`, α_0 and φ_0 drawn per link (38.901 leaves the LOS arrival angle of a TDL open).
//! The response at frequency f is `H(f, t) = Σ_l g_l(t)·e^{−j2π f τ_l}`.

use super::{ChannelModel, check_response_args};
use massive_mimo::tables::tdl::{self, TdlTap};
use massive_mimo::{C32, Error, Result};
use ndarray::ArrayViewMut3;
use num_complex::Complex64;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::f64::consts::PI;

/// Sinusoids per tap.
const SINUSOIDS: usize = 16;

/// The 38.901 §7.7.2 TDL models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NrTdl {
    /// TDL-A (NLOS), Table 7.7.2-1.
    A,
    /// TDL-B (NLOS), Table 7.7.2-2.
    B,
    /// TDL-C (NLOS), Table 7.7.2-3.
    C,
    /// TDL-D (LOS, K = 13.3 dB), Table 7.7.2-4.
    D,
    /// TDL-E (LOS, K = 22 dB), Table 7.7.2-5.
    E,
}

impl NrTdl {
    /// The model's taps as tabulated (normalised delays, unsorted).
    pub fn taps(self) -> &'static [TdlTap] {
        match self {
            NrTdl::A => tdl::TDL_A,
            NrTdl::B => tdl::TDL_B,
            NrTdl::C => tdl::TDL_C,
            NrTdl::D => tdl::TDL_D,
            NrTdl::E => tdl::TDL_E,
        }
    }

    /// The K-factor of the LOS tap, dB (`None` for the NLOS models A–C).
    pub fn k_factor_db(self) -> Option<f64> {
        match self {
            NrTdl::D => Some(tdl::TDL_D_K_FACTOR_DB),
            NrTdl::E => Some(tdl::TDL_E_K_FACTOR_DB),
            _ => None,
        }
    }
}

/// A power-delay profile: tap delays (s), powers (dB, relative) and which taps are LOS.
#[derive(Clone, Debug, PartialEq)]
pub struct TdlProfile {
    /// Tap delays, seconds, ascending.
    pub delays_s: Vec<f64>,
    /// Tap powers, dB.
    pub powers_db: Vec<f64>,
    /// Per tap: a LOS (specular, constant-amplitude) component; otherwise Rayleigh.
    pub los: Vec<bool>,
}

impl TdlProfile {
    /// Checks a profile of Rayleigh taps: as many powers as delays, at least one tap, delays
    /// finite, ≥ 0 and ascending, powers finite.
    pub fn new(delays_s: Vec<f64>, powers_db: Vec<f64>) -> Result<Self> {
        let los = vec![false; delays_s.len()];
        Self::with_los(delays_s, powers_db, los)
    }

    /// [`Self::new`] with LOS flags per tap (as many as delays).
    pub fn with_los(delays_s: Vec<f64>, powers_db: Vec<f64>, los: Vec<bool>) -> Result<Self> {
        let ok = !delays_s.is_empty()
            && los.len() == delays_s.len()
            && delays_s.len() == powers_db.len()
            && delays_s.iter().all(|d| d.is_finite() && *d >= 0.0)
            && delays_s.windows(2).all(|w| w[0] <= w[1])
            && powers_db.iter().all(|p| p.is_finite());
        if !ok {
            return Err(Error::InvalidParameter {
                name: "(delays_s, powers_db)",
                value: massive_mimo::value!(
                    "{} delays, {} powers",
                    delays_s.len(),
                    powers_db.len()
                ),
                reason: "one power per delay, ≥ 1 tap, delays finite, ≥ 0 and ascending",
            });
        }
        Ok(Self {
            delays_s,
            powers_db,
            los,
        })
    }

    /// The 38.901 TDL `model` with r.m.s. delay spread `delay_spread_s` (§7.7.3: each
    /// normalised delay times the desired spread; taps sorted by delay, the LOS part of TDL-D/E
    /// first). Errors: a spread not finite and > 0.
    pub fn nr(model: NrTdl, delay_spread_s: f64) -> Result<Self> {
        if !(delay_spread_s.is_finite() && delay_spread_s > 0.0) {
            return Err(Error::InvalidParameter {
                name: "delay_spread_s",
                value: massive_mimo::error::Value::of(&delay_spread_s),
                reason: "must be finite and > 0",
            });
        }
        let mut taps: Vec<TdlTap> = model.taps().to_vec();
        // Stable: equal delays keep the table's order (LOS before its Rayleigh part).
        taps.sort_by(|a, b| a.normalized_delay.total_cmp(&b.normalized_delay));
        Self::with_los(
            taps.iter()
                .map(|t| t.normalized_delay * delay_spread_s)
                .collect(),
            taps.iter().map(|t| t.power_db).collect(),
            taps.iter().map(|t| t.los).collect(),
        )
    }

    fn from_ns(taps: &[(f64, f64)]) -> Self {
        Self {
            delays_s: taps.iter().map(|t| t.0 * 1e-9).collect(),
            powers_db: taps.iter().map(|t| t.1).collect(),
            los: vec![false; taps.len()],
        }
    }

    /// Extended Pedestrian A, 36.104 Table B.2-2 (r.m.s. delay spread 43 ns).
    pub fn epa() -> Self {
        Self::from_ns(&[
            (0.0, 0.0),
            (30.0, -1.0),
            (70.0, -2.0),
            (90.0, -3.0),
            (110.0, -8.0),
            (190.0, -17.2),
            (410.0, -20.8),
        ])
    }

    /// Extended Vehicular A, 36.104 Table B.2-3 (r.m.s. delay spread 357 ns).
    pub fn eva() -> Self {
        Self::from_ns(&[
            (0.0, 0.0),
            (30.0, -1.5),
            (150.0, -1.4),
            (310.0, -3.6),
            (370.0, -0.6),
            (710.0, -9.1),
            (1090.0, -7.0),
            (1730.0, -12.0),
            (2510.0, -16.9),
        ])
    }

    /// Extended Typical Urban, 36.104 Table B.2-4 (r.m.s. delay spread 991 ns).
    pub fn etu() -> Self {
        Self::from_ns(&[
            (0.0, -1.0),
            (50.0, -1.0),
            (120.0, -1.0),
            (200.0, 0.0),
            (230.0, 0.0),
            (500.0, 0.0),
            (1600.0, -3.0),
            (2300.0, -5.0),
            (5000.0, -7.0),
        ])
    }

    /// An exponential profile: `n_taps` taps `spacing_s` apart, power ∝ e^{−τ/τ_0}, with τ_0
    /// chosen so that the discrete profile's r.m.s. delay spread is `rms_delay_spread_s`
    /// (found by bisection; errors if no τ_0 reaches it with these taps).
    pub fn exponential(rms_delay_spread_s: f64, n_taps: usize, spacing_s: f64) -> Result<Self> {
        let make = |tau0: f64| {
            let d: Vec<f64> = (0..n_taps).map(|i| i as f64 * spacing_s).collect();
            let p = d
                .iter()
                .map(|t| -10.0 * t / tau0 / std::f64::consts::LN_10)
                .collect();
            Self {
                los: vec![false; d.len()],
                delays_s: d,
                powers_db: p,
            }
        };
        let (mut lo, mut hi) = (spacing_s * 1e-3, spacing_s * n_taps as f64 * 1e3);
        let ok = rms_delay_spread_s > 0.0
            && spacing_s > 0.0
            && n_taps >= 2
            && make(lo).rms_delay_spread() < rms_delay_spread_s
            && make(hi).rms_delay_spread() > rms_delay_spread_s;
        if !ok {
            return Err(Error::InvalidParameter {
                name: "rms_delay_spread_s",
                value: massive_mimo::value!(
                    "{rms_delay_spread_s} with {n_taps} taps × {spacing_s} s"
                ),
                reason: "not reachable by an exponential profile on these taps",
            });
        }
        for _ in 0..100 {
            let mid = (lo * hi).sqrt();
            if make(mid).rms_delay_spread() < rms_delay_spread_s {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Ok(make((lo * hi).sqrt()))
    }

    /// Linear tap powers normalised to sum 1.
    pub fn normalized_powers(&self) -> Vec<f64> {
        let p: Vec<f64> = self
            .powers_db
            .iter()
            .map(|d| 10f64.powf(d / 10.0))
            .collect();
        let s: f64 = p.iter().sum();
        p.iter().map(|v| v / s).collect()
    }

    /// R.m.s. delay spread, seconds (38.901 §A.1 / 36.104 definition: √(Σp τ² − (Σp τ)²)
    /// with normalised powers).
    pub fn rms_delay_spread(&self) -> f64 {
        let p = self.normalized_powers();
        let m1: f64 = p.iter().zip(&self.delays_s).map(|(p, t)| p * t).sum();
        let m2: f64 = p.iter().zip(&self.delays_s).map(|(p, t)| p * t * t).sum();
        (m2 - m1 * m1).max(0.0).sqrt()
    }

    /// Delay scaling of 38.901 §7.7.3: every delay multiplied by `desired / current` r.m.s.
    /// delay spread (a normalised table, whose spread is 1, becomes one of `desired_s`).
    pub fn scaled_to(&self, desired_s: f64) -> Result<Self> {
        let ds = self.rms_delay_spread();
        if !(desired_s.is_finite() && desired_s > 0.0 && ds > 0.0) {
            return Err(Error::InvalidParameter {
                name: "desired delay spread",
                value: massive_mimo::value!("{desired_s} (profile: {ds})"),
                reason: "must be finite and > 0, and the profile must have a spread",
            });
        }
        Ok(Self {
            delays_s: self.delays_s.iter().map(|t| t * desired_s / ds).collect(),
            powers_db: self.powers_db.clone(),
            los: self.los.clone(),
        })
    }
}

/// A multi-user TDL channel: independent tapped delay lines (Rayleigh taps, LOS taps of
/// constant amplitude) per user and antenna.
#[derive(Clone, Debug)]
pub struct Tdl {
    profile: TdlProfile,
    amplitudes: Vec<f64>,
    n_users: usize,
    n_ant: usize,
    max_doppler_hz: f64,
    /// [u][a][tap][m]: (cos α_m, φ_m).
    sinusoids: Vec<(f64, f64)>,
}

impl Tdl {
    /// `profile` for every link of `n_users` × `n_ant`, maximum Doppler `max_doppler_hz`
    /// (speed · f_c / c; 0 = static), drawn from `seed`.
    pub fn new(
        profile: TdlProfile,
        n_users: usize,
        n_ant: usize,
        max_doppler_hz: f64,
        seed: u64,
    ) -> Result<Self> {
        if n_users == 0 || n_ant == 0 || !(max_doppler_hz.is_finite() && max_doppler_hz >= 0.0) {
            return Err(Error::InvalidParameter {
                name: "(n_users, n_ant, max_doppler_hz)",
                value: massive_mimo::value!("({n_users}, {n_ant}, {max_doppler_hz})"),
                reason: "at least one user and antenna, Doppler finite and ≥ 0",
            });
        }
        let profile = TdlProfile::with_los(profile.delays_s, profile.powers_db, profile.los)?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let n = n_users * n_ant * profile.delays_s.len() * SINUSOIDS;
        let sinusoids = (0..n)
            .map(|_| {
                let alpha = 2.0 * PI * rng.r#gen::<f64>();
                (alpha.cos(), 2.0 * PI * rng.r#gen::<f64>())
            })
            .collect();
        // A LOS tap is one phasor (the first sinusoid of its set) carrying all its power.
        let amplitudes = profile
            .normalized_powers()
            .iter()
            .zip(&profile.los)
            .map(|(p, &los)| {
                if los {
                    p.sqrt()
                } else {
                    (p / SINUSOIDS as f64).sqrt()
                }
            })
            .collect();
        Ok(Self {
            profile,
            amplitudes,
            n_users,
            n_ant,
            max_doppler_hz,
            sinusoids,
        })
    }

    /// The profile.
    pub fn profile(&self) -> &TdlProfile {
        &self.profile
    }
}

impl ChannelModel for Tdl {
    fn n_users(&self) -> usize {
        self.n_users
    }

    fn n_ant(&self) -> usize {
        self.n_ant
    }

    fn frequency_response(
        &self,
        t_s: f64,
        freqs_hz: &[f64],
        mut out: ArrayViewMut3<'_, C32>,
    ) -> Result<()> {
        check_response_args(self, t_s, freqs_hz, &out)?;
        let n_taps = self.profile.delays_s.len();
        // e^{−j2π f τ_l} per tap and frequency.
        let rot: Vec<Complex64> = (0..n_taps)
            .flat_map(|l| {
                freqs_hz.iter().map(move |f| {
                    Complex64::from_polar(1.0, -2.0 * PI * f * self.profile.delays_s[l])
                })
            })
            .collect();
        let mut taps = vec![Complex64::new(0.0, 0.0); n_taps];
        for u in 0..self.n_users {
            for a in 0..self.n_ant {
                let base = (u * self.n_ant + a) * n_taps * SINUSOIDS;
                for (l, g) in taps.iter_mut().enumerate() {
                    let all = &self.sinusoids[base + l * SINUSOIDS..base + (l + 1) * SINUSOIDS];
                    let s = if self.profile.los[l] { &all[..1] } else { all };
                    *g = s
                        .iter()
                        .map(|(c, phi)| {
                            Complex64::from_polar(
                                1.0,
                                2.0 * PI * self.max_doppler_hz * c * t_s + phi,
                            )
                        })
                        .sum::<Complex64>()
                        * self.amplitudes[l];
                }
                for (k, _) in freqs_hz.iter().enumerate() {
                    let h: Complex64 = (0..n_taps)
                        .map(|l| taps[l] * rot[l * freqs_hz.len() + k])
                        .sum();
                    out[[u, k, a]] = C32::new(h.re as f32, h.im as f32);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array3;

    #[test]
    fn lte_profiles_have_their_stated_delay_spreads() {
        // 36.104 Table B.2-1: 43, 357 and 991 ns.
        for (p, ds) in [
            (TdlProfile::epa(), 43e-9),
            (TdlProfile::eva(), 357e-9),
            (TdlProfile::etu(), 991e-9),
        ] {
            assert!(
                (p.rms_delay_spread() - ds).abs() < 1e-9,
                "{}",
                p.rms_delay_spread()
            );
        }
        let e = TdlProfile::exponential(300e-9, 32, 50e-9).unwrap();
        assert!((e.rms_delay_spread() - 300e-9).abs() < 1e-12);
        let s = TdlProfile::eva().scaled_to(100e-9).unwrap();
        assert!((s.rms_delay_spread() - 100e-9).abs() < 1e-15);
        assert_eq!(
            TdlProfile::new(vec![1e-9, 0.0], vec![0.0, 0.0])
                .err()
                .map(|e| e.parameter()),
            Some("(delays_s, powers_db)")
        );
    }

    #[test]
    fn nr_tdl_models_scale_to_their_delay_spread_and_keep_their_k_factor() {
        // 38.901 §7.7.3: the tables are normalised to an r.m.s. delay spread of 1, so the
        // scaled profile's spread is the desired one (to the tables' 4-digit rounding: 2 %).
        for model in [NrTdl::A, NrTdl::B, NrTdl::C, NrTdl::D, NrTdl::E] {
            for ds in [30e-9, 300e-9] {
                let p = TdlProfile::nr(model, ds).unwrap();
                let rel = p.rms_delay_spread() / ds - 1.0;
                assert!(
                    rel.abs() < 0.02,
                    "{model:?} at {ds:e} s: spread off by {rel:+.4}"
                );
                assert!(
                    p.delays_s.windows(2).all(|w| w[0] <= w[1]),
                    "{model:?} sorted"
                );
                assert_eq!(p.delays_s.len(), model.taps().len());
                let total: f64 = p.normalized_powers().iter().sum();
                assert!((total - 1.0).abs() < 1e-12);
                let los: Vec<usize> = (0..p.los.len()).filter(|&i| p.los[i]).collect();
                match model.k_factor_db() {
                    None => assert!(los.is_empty(), "{model:?} has no LOS tap"),
                    Some(k) => {
                        // One LOS tap at delay 0, first; the K-factor is its power over the
                        // Rayleigh part at the same delay (Table 7.7.2-4/-5).
                        assert_eq!(los, vec![0], "{model:?}");
                        assert_eq!(p.delays_s[1], 0.0);
                        assert!(!p.los[1]);
                        let got = p.powers_db[0] - p.powers_db[1];
                        assert!((got - k).abs() < 1e-9, "{model:?}: K {got} dB vs {k} dB");
                    }
                }
            }
        }
        assert_eq!(
            TdlProfile::nr(NrTdl::A, 0.0).err().map(|e| e.parameter()),
            Some("delay_spread_s")
        );
    }

    #[test]
    fn tdl_d_links_are_ricean_with_the_profile_k_factor() {
        // At one frequency a link is H = √p_LOS·e^{jφ} + (Rayleigh taps: CN(0, 1 − p_LOS)),
        // a Ricean variable with K = p_LOS / (1 − p_LOS). Over 8000 independent links, unit
        // mean power (4 standard deviations: |H|² has variance < 1) and K from the moments,
        // γ = Var|H|²/E²|H|² = (1 + 2K)/(1 + K)² → K = √(1 − γ)/(1 − √(1 − γ)), within 1 dB
        // (its spread at N = 8000 is ≈ 0.1 dB). The LOS phasor's amplitude is constant in time.
        let p = TdlProfile::nr(NrTdl::D, 100e-9).unwrap();
        let p_los = p.normalized_powers()[0];
        let k_want = 10.0 * (p_los / (1.0 - p_los)).log10();
        let (n_users, n_ant) = (2000, 4);
        let ch = Tdl::new(p, n_users, n_ant, 0.0, 11).unwrap();
        let mut h = Array3::zeros((n_users, 1, n_ant));
        ch.frequency_response(0.0, &[3.5e9], h.view_mut()).unwrap();
        let x: Vec<f64> = h.iter().map(|v| v.norm_sqr() as f64).collect();
        let n = x.len() as f64;
        let m1 = x.iter().sum::<f64>() / n;
        let var = x.iter().map(|v| (v - m1) * (v - m1)).sum::<f64>() / n;
        assert!((m1 - 1.0).abs() < 4.0 / n.sqrt(), "mean power {m1}");
        let r = (1.0 - var / (m1 * m1)).max(0.0).sqrt();
        let k_got = 10.0 * (r / (1.0 - r)).log10();
        assert!(
            (k_got - k_want).abs() < 1.0,
            "K {k_got:.2} dB vs {k_want:.2} dB"
        );
        // A single-tap LOS profile with Doppler: |H| stays √1 = 1 at every time.
        let los_only = TdlProfile::with_los(vec![0.0], vec![0.0], vec![true]).unwrap();
        let ch = Tdl::new(los_only, 3, 2, 500.0, 5).unwrap();
        let mut h = Array3::zeros((3, 1, 2));
        for t in [0.0, 1e-3, 7.3e-3] {
            ch.frequency_response(t, &[3.5e9], h.view_mut()).unwrap();
            assert!(
                h.iter().all(|v| (v.norm() - 1.0).abs() < 1e-6),
                "t = {t}: {h:?}"
            );
        }
    }

    #[test]
    fn power_frequency_correlation_and_doppler() {
        let ch = Tdl::new(TdlProfile::eva(), 8, 64, 0.0, 3).unwrap();
        let df = 15e3;
        let freqs: Vec<f64> = (0..1200).map(|k| 2.6e9 + k as f64 * df).collect();
        let mut h = Array3::zeros((8, 1200, 64));
        ch.frequency_response(0.0, &freqs, h.view_mut()).unwrap();
        let p = h.iter().map(|v| v.norm_sqr() as f64).sum::<f64>() / h.len() as f64;
        assert!((p - 1.0).abs() < 0.1, "{p}");
        // Frequency correlation at lag Δ: Σ p_l e^{−j2πΔτ_l} (the Fourier transform of the PDP).
        let lag = 20;
        let prof = ch.profile();
        let theory: Complex64 = prof
            .normalized_powers()
            .iter()
            .zip(&prof.delays_s)
            .map(|(p, t)| Complex64::from_polar(*p, -2.0 * PI * lag as f64 * df * t))
            .sum();
        let mut acc = Complex64::new(0.0, 0.0);
        let mut n = 0.0;
        for u in 0..8 {
            for a in 0..64 {
                for k in 0..1200 - lag {
                    let x = h[[u, k + lag, a]] * h[[u, k, a]].conj();
                    acc += Complex64::new(x.re as f64, x.im as f64);
                    n += 1.0;
                }
            }
        }
        acc /= n;
        assert!((acc - theory).norm() < 0.08, "{acc} vs {theory}");
        // Static channel: the same at any time; moving: changes within 1/f_D.
        let mut h2 = Array3::zeros((8, 1200, 64));
        ch.frequency_response(1.0, &freqs, h2.view_mut()).unwrap();
        assert_eq!(h, h2);
        let moving = Tdl::new(TdlProfile::eva(), 8, 64, 70.0, 3).unwrap();
        moving
            .frequency_response(0.0, &freqs, h.view_mut())
            .unwrap();
        moving
            .frequency_response(0.05, &freqs, h2.view_mut())
            .unwrap();
        let d = h
            .iter()
            .zip(&h2)
            .map(|(a, b)| (a - b).norm_sqr())
            .sum::<f32>()
            / h.len() as f32;
        assert!(d > 0.5, "{d}");
    }
}
