//! Geometric cluster channels seen through the base station's planar array.
//!
//! A user's channel is a set of clusters (delay, power, directions at the base station and at
//! the user), each made of 20 rays whose angles spread around the cluster's by the offsets of
//! 38.901 Table 7.5-3 times the intra-cluster spreads (c_ASD, c_ZSD at the BS; c_ASA, c_ZSA at
//! the user), with random ray coupling, cross-polarisation ratio and random initial phases
//! (38.901 §7.7.1 steps 1–3, the CDL procedure), plus an optional line-of-sight ray with a
//! Rician K-factor. The downlink gain from BS antenna a to the user's vertically polarised
//! isotropic antenna at frequency f and time t is (38.901 eq. 7.5-22):
//!
//! `H_a(f, t) = Σ_rays √(P_ray)·(F_θ,a·e^{jΦθθ} + F_φ,a·√(1/κ)·e^{jΦθφ})·e^{j2π r̂_BS·d_a}
//!              ·e^{j2π ν_ray t}·e^{−j2π f τ_cluster}`
//!
//! and, for the users' other antennas ([`UeArray`]), the φ row `(F_θ,a·√(1/κ)·e^{jΦφθ} +
//! F_φ,a·e^{jΦφφ})` for a horizontally polarised one, times `e^{j2π r̂_UE·d_r}` for element r at
//! d_r (wavelengths); the LOS ray's polarisation matrix is diag(1, −1).
//!
//! with (F_θ, F_φ) the element field of [`PanelArray::field`] (Table 7.3-1 pattern, ±45° or
//! V/H slant), d_a the element position in wavelengths at f (the array's spacings scaled by
//! f / f_design: carriers in different bands see different electrical arrays), ν the ray's
//! Doppler `f/c · r̂_UE·v̄`, and the sum normalised so that E|H|² = 1 per antenna.
//!
//! Tables: [`ClusterProfile::from_table`] takes a CDL-style table (for instance 38.901 CDL-A…E
//! once delays and angles are scaled with [`ClusterProfile::scaled`], §7.7.3 and §7.7.5.1);
//! [`ClusterProfile::generate`] draws a profile with the structure of 38.901 §7.5 steps 5–7
//! (exponential delays with r_τ, exponential powers with per-cluster shadowing, cluster angles
//! spreading with √(−ln P) in azimuth and −ln P in zenith around the line of sight) and then
//! scales it to the requested delay and angle spreads exactly.

use super::{ChannelModel, SPEED_OF_LIGHT, UeArray, UePolarization, check_response_args, normal};
use massive_mimo::array::PanelArray;
use massive_mimo::tables::cdl::{self, CdlCluster, RAY_OFFSETS};
use massive_mimo::{C32, Error, Result};
use ndarray::ArrayViewMut3;
use num_complex::Complex64;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::f64::consts::PI;

/// Ray offset angle m (0-based) for unit r.m.s. spread, 38.901 Table 7.5-3 (generated from the
/// shared tables: ± pairs, 20 rays).
fn ray_offset(m: usize) -> f64 {
    RAY_OFFSETS[m % RAY_OFFSETS.len()]
}

/// The 38.901 §7.7.1 CDL models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NrCdl {
    /// CDL-A (NLOS), Table 7.7.1-1.
    A,
    /// CDL-B (NLOS), Table 7.7.1-2.
    B,
    /// CDL-C (NLOS), Table 7.7.1-3.
    C,
    /// CDL-D (LOS), Table 7.7.1-4.
    D,
    /// CDL-E (LOS), Table 7.7.1-5.
    E,
}

impl NrCdl {
    /// The model's rows as tabulated (the LOS ray of D/E as its own row).
    pub fn clusters(self) -> &'static [CdlCluster] {
        match self {
            NrCdl::A => cdl::CDL_A,
            NrCdl::B => cdl::CDL_B,
            NrCdl::C => cdl::CDL_C,
            NrCdl::D => cdl::CDL_D,
            NrCdl::E => cdl::CDL_E,
        }
    }

    /// The model's intra-cluster spreads and XPR.
    pub fn spreads(self) -> ClusterSpreads {
        let s = match self {
            NrCdl::A => cdl::CDL_A_SPREADS,
            NrCdl::B => cdl::CDL_B_SPREADS,
            NrCdl::C => cdl::CDL_C_SPREADS,
            NrCdl::D => cdl::CDL_D_SPREADS,
            NrCdl::E => cdl::CDL_E_SPREADS,
        };
        ClusterSpreads {
            bs_azimuth_deg: s.c_asd_deg,
            bs_zenith_deg: s.c_zsd_deg,
            ue_azimuth_deg: s.c_asa_deg,
            ue_zenith_deg: s.c_zsa_deg,
            xpr_db: s.xpr_db,
            xpr_sigma_db: 0.0,
        }
    }
}

/// One cluster: delay, power and its directions (degrees; zenith from the z axis, azimuth
/// from the array's broadside x axis toward y).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cluster {
    /// Delay, seconds (or normalised, for a table before [`ClusterProfile::scaled`]).
    pub delay: f64,
    /// Power, dB (relative).
    pub power_db: f64,
    /// Azimuth at the base station (of departure in downlink), degrees.
    pub bs_azimuth_deg: f64,
    /// Zenith at the base station, degrees.
    pub bs_zenith_deg: f64,
    /// Azimuth at the user, degrees.
    pub ue_azimuth_deg: f64,
    /// Zenith at the user, degrees.
    pub ue_zenith_deg: f64,
}

/// Intra-cluster spreads and cross-polarisation (the per-table constants of 38.901 CDL).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClusterSpreads {
    /// c_ASD, degrees.
    pub bs_azimuth_deg: f64,
    /// c_ZSD, degrees.
    pub bs_zenith_deg: f64,
    /// c_ASA, degrees.
    pub ue_azimuth_deg: f64,
    /// c_ZSA, degrees.
    pub ue_zenith_deg: f64,
    /// Cross-polarisation power ratio κ, dB (the mean of its dB value when `xpr_sigma_db` > 0).
    pub xpr_db: f64,
    /// Standard deviation of the per-ray XPR in dB (38.901 §7.5 step 9: κ = 10^{X/10},
    /// X ~ N(`xpr_db`, σ²)); 0 = every ray has `xpr_db` (the CDL models, §7.7.1).
    pub xpr_sigma_db: f64,
}

impl Default for ClusterSpreads {
    /// Urban-macro-like values: c_ASD 2°, c_ZSD 3°, c_ASA 15°, c_ZSA 7°, XPR 7 dB (fixed).
    fn default() -> Self {
        Self {
            bs_azimuth_deg: 2.0,
            bs_zenith_deg: 3.0,
            ue_azimuth_deg: 15.0,
            ue_zenith_deg: 7.0,
            xpr_db: 7.0,
            xpr_sigma_db: 0.0,
        }
    }
}

/// Where a user is and how it moves, seen from the base station.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UserGeometry {
    /// Zenith of the line of sight at the BS, degrees (90 = horizon, > 90 below the array).
    pub zenith_deg: f64,
    /// Azimuth of the line of sight at the BS, degrees (0 = broadside).
    pub azimuth_deg: f64,
    /// Speed, m/s.
    pub speed_mps: f64,
    /// Direction of travel (azimuth in the horizontal plane), degrees.
    pub travel_azimuth_deg: f64,
}

/// Parameters of [`ClusterProfile::generate`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProfileParams {
    /// Clusters (besides the LOS ray).
    pub n_clusters: usize,
    /// R.m.s. delay spread, seconds.
    pub delay_spread_s: f64,
    /// Delay distribution proportionality factor r_τ (38.901 eq. 7.5-1).
    pub r_tau: f64,
    /// Per-cluster shadowing standard deviation ζ, dB (eq. 7.5-5).
    pub shadowing_db: f64,
    /// R.m.s. azimuth spread at the BS (ASD), degrees.
    pub bs_azimuth_spread_deg: f64,
    /// R.m.s. zenith spread at the BS (ZSD), degrees.
    pub bs_zenith_spread_deg: f64,
    /// R.m.s. azimuth spread at the user (ASA), degrees.
    pub ue_azimuth_spread_deg: f64,
    /// R.m.s. zenith spread at the user (ZSA), degrees.
    pub ue_zenith_spread_deg: f64,
    /// Intra-cluster spreads and XPR.
    pub spreads: ClusterSpreads,
    /// Rician K-factor of a line-of-sight ray, dB; `None` = NLOS.
    pub los_k_db: Option<f64>,
}

impl Default for ProfileParams {
    /// Urban-macro-like NLOS: 12 clusters, 300 ns, r_τ 2.3, ζ 3 dB, ASD 10°, ZSD 3°, ASA 50°,
    /// ZSA 15° (values of the order of 38.901 Table 7.5-6 UMa NLOS at a few GHz; not a table).
    fn default() -> Self {
        Self {
            n_clusters: 12,
            delay_spread_s: 300e-9,
            r_tau: 2.3,
            shadowing_db: 3.0,
            bs_azimuth_spread_deg: 10.0,
            bs_zenith_spread_deg: 3.0,
            ue_azimuth_spread_deg: 50.0,
            ue_zenith_spread_deg: 15.0,
            spreads: ClusterSpreads::default(),
            los_k_db: None,
        }
    }
}

/// A user's clusters.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterProfile {
    /// The clusters (delays in seconds once scaled).
    pub clusters: Vec<Cluster>,
    /// Intra-cluster spreads and XPR.
    pub spreads: ClusterSpreads,
    /// Line-of-sight ray: (K-factor dB, BS zenith, BS azimuth) at delay 0; `None` = NLOS.
    pub los: Option<(f64, f64, f64)>,
    /// 38.901 §7.5 step 11: the two strongest clusters are split into three sub-clusters at
    /// delays τ, τ + 1.28·c_DS and τ + 2.56·c_DS holding rays {1–8, 19, 20}, {9–12, 17, 18} and
    /// {13–16} (10/20, 6/20 and 4/20 of the power); this is c_DS in seconds. `None` = no split
    /// (the CDL tables are already split).
    pub subcluster_spread_s: Option<f64>,
}

/// Power-weighted circular mean and r.m.s. spread (38.901 eq. ), degrees.
fn circular_stats(angles: &[(f64, f64)]) -> (f64, f64) {
    let total: f64 = angles.iter().map(|a| a.1).sum();
    let s: Complex64 = angles
        .iter()
        .map(|(a, p)| Complex64::from_polar(*p, a.to_radians()))
        .sum::<Complex64>()
        / total;
    let spread = (-2.0 * s.norm().max(1e-300).ln()).max(0.0).sqrt();
    (s.arg().to_degrees(), spread.to_degrees())
}

fn wrap_zenith(z: f64) -> f64 {
    let z = z.rem_euclid(360.0);
    if z > 180.0 { 360.0 - z } else { z }
}

impl ClusterProfile {
    /// A table: clusters, spreads, optional LOS ray (K dB, BS zenith, BS azimuth). Powers and
    /// angles must be finite, delays finite and ≥ 0.
    pub fn from_table(
        clusters: Vec<Cluster>,
        spreads: ClusterSpreads,
        los: Option<(f64, f64, f64)>,
    ) -> Result<Self> {
        let finite = |c: &Cluster| {
            [
                c.delay,
                c.power_db,
                c.bs_azimuth_deg,
                c.bs_zenith_deg,
                c.ue_azimuth_deg,
                c.ue_zenith_deg,
            ]
            .iter()
            .all(|v| v.is_finite())
                && c.delay >= 0.0
        };
        if clusters.is_empty() || !clusters.iter().all(finite) {
            return Err(Error::InvalidParameter {
                name: "clusters",
                value: massive_mimo::value!("{} clusters", clusters.len()),
                reason: "at least one, every delay ≥ 0 and every value finite",
            });
        }
        Ok(Self {
            clusters,
            spreads,
            los,
            subcluster_spread_s: None,
        })
    }

    /// This profile with the two strongest clusters split into sub-clusters `c_ds_s` apart
    /// (see [`Self::subcluster_spread_s`]); a value not finite and > 0 leaves them whole.
    pub fn with_subclusters(mut self, c_ds_s: f64) -> Self {
        self.subcluster_spread_s = (c_ds_s.is_finite() && c_ds_s > 0.0).then_some(c_ds_s);
        self
    }

    /// The 38.901 CDL `model` (§7.7.1) with r.m.s. delay spread `delay_spread_s`: the NLOS
    /// clusters with delays × the spread (§7.7.3) and the tabulated angles (AOD → BS azimuth,
    /// ZOD → BS zenith, AOA → user azimuth, ZOA → user zenith), the model's c_ASD, c_ZSD,
    /// c_ASA, c_ZSA and XPR; the LOS row of CDL-D / CDL-E becomes the LOS ray at delay 0 in its
    /// ZOD / AOD with K = P_LOS / Σ P_NLOS. Point it at a user with [`Self::scaled`]
    /// (§7.7.5.1: desired means, and spreads, per dimension). Errors: a spread not finite and
    /// > 0.
    pub fn cdl(model: NrCdl, delay_spread_s: f64) -> Result<Self> {
        if !(delay_spread_s.is_finite() && delay_spread_s > 0.0) {
            return Err(Error::InvalidParameter {
                name: "delay_spread_s",
                value: massive_mimo::error::Value::of(&delay_spread_s),
                reason: "must be finite and > 0",
            });
        }
        let rows = model.clusters();
        let clusters: Vec<Cluster> = rows
            .iter()
            .filter(|c| !c.los)
            .map(|c| Cluster {
                delay: c.normalized_delay * delay_spread_s,
                power_db: c.power_db,
                bs_azimuth_deg: c.aod_deg,
                bs_zenith_deg: c.zod_deg,
                ue_azimuth_deg: c.aoa_deg,
                ue_zenith_deg: c.zoa_deg,
            })
            .collect();
        let nlos: f64 = clusters.iter().map(|c| 10f64.powf(c.power_db / 10.0)).sum();
        let los = rows.iter().find(|c| c.los).map(|c| {
            let k = 10f64.powf(c.power_db / 10.0) / nlos;
            (10.0 * k.log10(), c.zod_deg, c.aod_deg)
        });
        Self::from_table(clusters, model.spreads(), los)
    }

    /// Draws a profile for a user at `geometry` with the structure of 38.901 §7.5 steps 5–7
    /// and scales it to `params`' spreads exactly (see the module documentation).
    pub fn generate<R: Rng + ?Sized>(
        rng: &mut R,
        geometry: &UserGeometry,
        params: &ProfileParams,
    ) -> Result<Self> {
        let p = params;
        let positive = [
            p.delay_spread_s,
            p.r_tau,
            p.bs_azimuth_spread_deg,
            p.bs_zenith_spread_deg,
            p.ue_azimuth_spread_deg,
            p.ue_zenith_spread_deg,
        ];
        if p.n_clusters == 0 || positive.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
            return Err(Error::InvalidParameter {
                name: "ProfileParams",
                value: massive_mimo::value!("{p:?}"),
                reason: "at least one cluster; spreads and r_tau finite and > 0",
            });
        }
        let n = p.n_clusters;
        // Step 5: τ'_n = −r_τ·DS·ln(U_n), sorted, from 0.
        let mut tau: Vec<f64> = (0..n)
            .map(|_| -p.r_tau * p.delay_spread_s * rng.r#gen::<f64>().max(1e-12).ln())
            .collect();
        tau.sort_by(f64::total_cmp);
        let t0 = tau[0];
        tau.iter_mut().for_each(|t| *t -= t0);
        // Step 6: P'_n = exp(−τ_n (r_τ − 1)/(r_τ DS))·10^(−Z_n/10).
        let pw: Vec<f64> = tau
            .iter()
            .map(|t| {
                (-t * (p.r_tau - 1.0) / (p.r_tau * p.delay_spread_s)).exp()
                    * 10f64.powf(-p.shadowing_db * normal(rng) / 10.0)
            })
            .collect();
        let pmax = pw.iter().cloned().fold(0.0, f64::max);
        // Step 7 shapes: azimuth offsets ∝ √(−ln(P/Pmax)), zenith ∝ −ln(P/Pmax), random sign
        // and a small random deviation; the exact spreads come from the scaling below.
        let az = |rng: &mut R, spread: f64, pn: f64| {
            let sign = if rng.r#gen::<bool>() { 1.0 } else { -1.0 };
            sign * 2.0 * spread / 1.4 * (-(pn / pmax).ln()).sqrt() + spread / 7.0 * normal(rng)
        };
        let mut clusters = Vec::with_capacity(n);
        for i in 0..n {
            let bs_az = az(rng, p.bs_azimuth_spread_deg, pw[i]);
            let ue_az = az(rng, p.ue_azimuth_spread_deg, pw[i]);
            let sgn = |rng: &mut R| if rng.r#gen::<bool>() { 1.0 } else { -1.0 };
            let bs_ze = sgn(rng) * -p.bs_zenith_spread_deg * (pw[i] / pmax).ln()
                + p.bs_zenith_spread_deg / 7.0 * normal(rng);
            let ue_ze = sgn(rng) * -p.ue_zenith_spread_deg * (pw[i] / pmax).ln()
                + p.ue_zenith_spread_deg / 7.0 * normal(rng);
            clusters.push(Cluster {
                delay: tau[i],
                power_db: 10.0 * pw[i].log10(),
                bs_azimuth_deg: geometry.azimuth_deg + bs_az,
                bs_zenith_deg: wrap_zenith(geometry.zenith_deg + bs_ze),
                ue_azimuth_deg: geometry.azimuth_deg + 180.0 + ue_az,
                ue_zenith_deg: wrap_zenith(180.0 - geometry.zenith_deg + ue_ze),
            });
        }
        let los = p
            .los_k_db
            .map(|k| (k, geometry.zenith_deg, geometry.azimuth_deg));
        let mut profile = Self::from_table(clusters, p.spreads, los)?;
        // The §7.7.5.1 map is linear in angle while the spread is circular: a few passes
        // converge on the requested values.
        for _ in 0..4 {
            profile = profile.scaled(
                p.delay_spread_s,
                (geometry.azimuth_deg, p.bs_azimuth_spread_deg),
                (geometry.zenith_deg, p.bs_zenith_spread_deg),
                (geometry.azimuth_deg + 180.0, p.ue_azimuth_spread_deg),
                (180.0 - geometry.zenith_deg, p.ue_zenith_spread_deg),
            )?;
        }
        Ok(profile)
    }

    /// Linear cluster powers normalised to sum 1 (NLOS part only).
    fn powers(&self) -> Vec<f64> {
        let p: Vec<f64> = self
            .clusters
            .iter()
            .map(|c| 10f64.powf(c.power_db / 10.0))
            .collect();
        let s: f64 = p.iter().sum();
        p.iter().map(|v| v / s).collect()
    }

    /// R.m.s. delay spread of the clusters, in the unit of their delays.
    pub fn delay_spread(&self) -> f64 {
        let p = self.powers();
        let m1: f64 = p.iter().zip(&self.clusters).map(|(p, c)| p * c.delay).sum();
        let m2: f64 = p
            .iter()
            .zip(&self.clusters)
            .map(|(p, c)| p * c.delay * c.delay)
            .sum();
        (m2 - m1 * m1).max(0.0).sqrt()
    }

    /// Power-weighted circular mean and r.m.s. spread (38.901 Annex A.1) of one angle over
    /// every ray (cluster angle + intra-cluster spread × Table 7.5-3 offsets), degrees.
    pub fn angle_stats(&self, angle: impl Fn(&Cluster) -> (f64, f64)) -> (f64, f64) {
        let p = self.powers();
        let rays: Vec<(f64, f64)> = self
            .clusters
            .iter()
            .zip(&p)
            .flat_map(|(c, p)| {
                let (a, spread) = angle(c);
                (0..20).map(move |m| (a + spread * ray_offset(m), p / 20.0))
            })
            .collect();
        circular_stats(&rays)
    }

    /// Delay scaling (38.901 §7.7.3: τ·DS_desired/DS_model) and angle scaling (§7.7.5.1:
    /// φ ↦ AS_desired/AS_model·(φ − μ_model) + μ_desired, applied to every ray, so the
    /// intra-cluster spreads scale too) to the given (mean, r.m.s. spread)
    /// pairs in degrees for BS azimuth, BS zenith, user azimuth, user zenith. A profile with no
    /// spread in some dimension keeps its angles there, moved to the desired mean.
    pub fn scaled(
        &self,
        delay_spread_s: f64,
        bs_azimuth: (f64, f64),
        bs_zenith: (f64, f64),
        ue_azimuth: (f64, f64),
        ue_zenith: (f64, f64),
    ) -> Result<Self> {
        let all = [
            delay_spread_s,
            bs_azimuth.0,
            bs_azimuth.1,
            bs_zenith.0,
            bs_zenith.1,
            ue_azimuth.0,
            ue_azimuth.1,
            ue_zenith.0,
            ue_zenith.1,
        ];
        if all.iter().any(|v| !v.is_finite()) || delay_spread_s < 0.0 {
            return Err(Error::InvalidParameter {
                name: "desired spreads",
                value: massive_mimo::value!("{all:?}"),
                reason: "must be finite; the delay spread ≥ 0",
            });
        }
        let s = self.spreads;
        let ds = self.delay_spread();
        let r_tau = if ds > 0.0 { delay_spread_s / ds } else { 1.0 };
        // Scaling every ray angle φ_n + c·α_m linearly scales the cluster angles about the
        // mean and the intra-cluster spread c by the same ratio.
        let scale = |get: &dyn Fn(&Cluster) -> (f64, f64), (mu_d, as_d): (f64, f64)| {
            let (mu, as_m) = self.angle_stats(|c| get(c));
            let r = if as_m > 1e-9 { as_d / as_m } else { 1.0 };
            (r, move |a: f64| {
                let d = (a - mu + 180.0).rem_euclid(360.0) - 180.0;
                r * d + mu_d
            })
        };
        let (r_bs_az, f_bs_az) = scale(&|c| (c.bs_azimuth_deg, s.bs_azimuth_deg), bs_azimuth);
        let (r_bs_ze, f_bs_ze) = scale(&|c| (c.bs_zenith_deg, s.bs_zenith_deg), bs_zenith);
        let (r_ue_az, f_ue_az) = scale(&|c| (c.ue_azimuth_deg, s.ue_azimuth_deg), ue_azimuth);
        let (r_ue_ze, f_ue_ze) = scale(&|c| (c.ue_zenith_deg, s.ue_zenith_deg), ue_zenith);
        let clusters = self
            .clusters
            .iter()
            .map(|c| Cluster {
                delay: c.delay * r_tau,
                power_db: c.power_db,
                bs_azimuth_deg: f_bs_az(c.bs_azimuth_deg),
                bs_zenith_deg: wrap_zenith(f_bs_ze(c.bs_zenith_deg)),
                ue_azimuth_deg: f_ue_az(c.ue_azimuth_deg),
                ue_zenith_deg: wrap_zenith(f_ue_ze(c.ue_zenith_deg)),
            })
            .collect();
        let spreads = ClusterSpreads {
            bs_azimuth_deg: s.bs_azimuth_deg * r_bs_az,
            bs_zenith_deg: s.bs_zenith_deg * r_bs_ze,
            ue_azimuth_deg: s.ue_azimuth_deg * r_ue_az,
            ue_zenith_deg: s.ue_zenith_deg * r_ue_ze,
            xpr_db: s.xpr_db,
            xpr_sigma_db: s.xpr_sigma_db,
        };
        let mut out = Self::from_table(clusters, spreads, self.los)?;
        out.subcluster_spread_s = self.subcluster_spread_s;
        Ok(out)
    }
}

/// One ray, ready to evaluate.
#[derive(Clone, Debug)]
struct Ray {
    cluster: usize,
    amplitude: f64,
    bs_zenith_deg: f64,
    bs_azimuth_deg: f64,
    /// The θ row of the polarisation matrix (seen by a vertical UE antenna).
    e_field: (C32, C32),
    /// The φ row (seen by a horizontal UE antenna).
    e_field_phi: (C32, C32),
    /// r̂_UE, the unit vector of arrival at the user (x, y, z).
    ue_direction: [f64; 3],
    /// r̂_UE·v̄ / c, s/m·m/s = dimensionless: Doppler = f × this.
    doppler_per_hz: f64,
}

/// The unit vector of zenith `ze` and azimuth `az` (degrees), 38.901 eq. 7.5-23.
fn unit_vector(ze_deg: f64, az_deg: f64) -> [f64; 3] {
    let (t, f) = (ze_deg.to_radians(), az_deg.to_radians());
    [t.sin() * f.cos(), t.sin() * f.sin(), t.cos()]
}

#[derive(Clone, Debug)]
struct UserRays {
    rays: Vec<Ray>,
    delays: Vec<f64>,
}

/// A multi-user cluster channel for one base-station array.
#[derive(Clone, Debug)]
pub struct ClusterChannel {
    array: PanelArray,
    design_hz: f64,
    users: Vec<UserRays>,
    element_gains_db: Vec<f64>,
    ue: UeArray,
}

impl ClusterChannel {
    /// Users at `geometries` with `profiles` (one each), seen through `array` whose spacings
    /// are in wavelengths at `array_design_hz`; ray coupling and phases drawn from `seed`;
    /// single-antenna users ([`UeArray::Single`]).
    pub fn new(
        array: PanelArray,
        array_design_hz: f64,
        geometries: &[UserGeometry],
        profiles: &[ClusterProfile],
        seed: u64,
    ) -> Result<Self> {
        Self::with_ue_array(
            array,
            array_design_hz,
            geometries,
            profiles,
            UeArray::Single,
            seed,
        )
    }

    /// As [`Self::new`], each user with the receive antennas of `ue`. The antennas share the
    /// rays (angles, coupling, XPR, the θ-row phases: the same draws as [`Self::new`], so
    /// antenna 0 of every user is the single-antenna channel of the same seed); the φ-row phases
    /// Φφθ, Φφφ come from a stream of their own. The normalisation is the θ row's (E|H|² = 1 on
    /// a vertical UE antenna; a horizontal one sees what the XPR and the BS elements' slant
    /// leave it: the same on average with ±45° slant elements).
    pub fn with_ue_array(
        array: PanelArray,
        array_design_hz: f64,
        geometries: &[UserGeometry],
        profiles: &[ClusterProfile],
        ue: UeArray,
        seed: u64,
    ) -> Result<Self> {
        if geometries.is_empty() || geometries.len() != profiles.len() {
            return Err(Error::InvalidParameter {
                name: "(geometries, profiles)",
                value: massive_mimo::value!("({}, {})", geometries.len(), profiles.len()),
                reason: "one profile per user, at least one user",
            });
        }
        if !(array_design_hz.is_finite() && array_design_hz > 0.0) {
            return Err(Error::InvalidParameter {
                name: "array_design_hz",
                value: massive_mimo::error::Value::of(&array_design_hz),
                reason: "must be finite and > 0",
            });
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut phi_rng = ChaCha8Rng::seed_from_u64(seed ^ 0x009D_01A7_12ED);
        let mut users = Vec::with_capacity(profiles.len());
        let mut element_gains_db = Vec::with_capacity(profiles.len());
        let mut resp = vec![C32::new(0.0, 0.0); array.len()];
        for (g, prof) in geometries.iter().zip(profiles) {
            if !(g.speed_mps.is_finite() && g.speed_mps >= 0.0 && g.travel_azimuth_deg.is_finite())
            {
                return Err(Error::InvalidParameter {
                    name: "UserGeometry speed / travel",
                    value: massive_mimo::value!("{g:?}"),
                    reason: "speed finite and ≥ 0, direction finite",
                });
            }
            let v = g.travel_azimuth_deg.to_radians();
            let vel = [g.speed_mps * v.cos(), g.speed_mps * v.sin(), 0.0];
            // r̂·v̄/c for an arrival direction r̂.
            let doppler =
                |r: [f64; 3]| (r[0] * vel[0] + r[1] * vel[1] + r[2] * vel[2]) / SPEED_OF_LIGHT;
            let k_lin = prof.los.map_or(0.0, |l| 10f64.powf(l.0 / 10.0));
            let nlos_share = 1.0 / (1.0 + k_lin);
            let kappa = 10f64.powf(prof.spreads.xpr_db / 10.0);
            let powers = prof.powers();
            let mut rays = Vec::new();
            let s = prof.spreads;
            let mut delays: Vec<f64> = prof.clusters.iter().map(|c| c.delay).collect();
            // 38.901 §7.5 step 11: the delay entries of the second and third sub-clusters of
            // the two strongest clusters (rays 9–12, 17, 18 and 13–16, 1-based).
            let mut sub: Vec<Option<(usize, usize)>> = vec![None; prof.clusters.len()];
            if let Some(c_ds) = prof.subcluster_spread_s {
                let mut order: Vec<usize> = (0..prof.clusters.len()).collect();
                order.sort_by(|&a, &b| powers[b].total_cmp(&powers[a]));
                for &i in order.iter().take(2) {
                    let t = prof.clusters[i].delay;
                    delays.extend([t + 1.28 * c_ds, t + 2.56 * c_ds]);
                    sub[i] = Some((delays.len() - 2, delays.len() - 1));
                }
            }
            for (n, (c, p)) in prof.clusters.iter().zip(&powers).enumerate() {
                // Step 2: random coupling of the BS-zenith, UE-azimuth and UE-zenith offsets
                // with the BS-azimuth ones.
                let mut perm: [Vec<usize>; 3] = std::array::from_fn(|_| (0..20).collect());
                for q in &mut perm {
                    q.shuffle(&mut rng);
                }
                let [p_bs_ze, p_ue_az, p_ue_ze] = &perm;
                for (m, ((&bz, &ua), &uz)) in p_bs_ze.iter().zip(p_ue_az).zip(p_ue_ze).enumerate() {
                    let ue_az = c.ue_azimuth_deg + s.ue_azimuth_deg * ray_offset(ua);
                    let ue_ze = wrap_zenith(c.ue_zenith_deg + s.ue_zenith_deg * ray_offset(uz));
                    // Step 3–4: XPR and random initial phases Φθθ, Φθφ (the user antenna is
                    // vertical: only the θ row of the polarisation matrix is seen).
                    let ph = |rng: &mut ChaCha8Rng| {
                        let a = 2.0 * PI * rng.r#gen::<f64>();
                        C32::new(a.cos() as f32, a.sin() as f32)
                    };
                    let e_tt = ph(&mut rng);
                    let kappa = if s.xpr_sigma_db > 0.0 {
                        10f64.powf((s.xpr_db + s.xpr_sigma_db * normal(&mut rng)) / 10.0)
                    } else {
                        kappa
                    };
                    let e_tp = ph(&mut rng) * (1.0 / kappa).sqrt() as f32;
                    let e_pt = ph(&mut phi_rng) * (1.0 / kappa).sqrt() as f32;
                    let e_pp = ph(&mut phi_rng);
                    let arrival = unit_vector(ue_ze, ue_az);
                    let delay_entry = match sub[n] {
                        Some((d2, _)) if (8..12).contains(&m) || (16..18).contains(&m) => d2,
                        Some((_, d3)) if (12..16).contains(&m) => d3,
                        _ => n,
                    };
                    rays.push(Ray {
                        cluster: delay_entry,
                        amplitude: (p * nlos_share / 20.0).sqrt(),
                        bs_zenith_deg: wrap_zenith(
                            c.bs_zenith_deg + s.bs_zenith_deg * ray_offset(bz),
                        ),
                        bs_azimuth_deg: c.bs_azimuth_deg + s.bs_azimuth_deg * ray_offset(m),
                        e_field: (e_tt, e_tp),
                        e_field_phi: (e_pt, e_pp),
                        ue_direction: arrival,
                        doppler_per_hz: doppler(arrival),
                    });
                }
            }
            if let Some((_, ze, az)) = prof.los {
                delays.push(0.0);
                let a = 2.0 * PI * rng.r#gen::<f64>();
                let e = C32::new(a.cos() as f32, a.sin() as f32);
                let zero = C32::new(0.0, 0.0);
                let los_arrival = unit_vector(180.0 - ze, az + 180.0);
                rays.push(Ray {
                    cluster: delays.len() - 1,
                    amplitude: (k_lin / (1.0 + k_lin)).sqrt(),
                    bs_zenith_deg: ze,
                    bs_azimuth_deg: az,
                    e_field: (e, zero),
                    e_field_phi: (zero, -e),
                    ue_direction: los_arrival,
                    doppler_per_hz: doppler(los_arrival),
                });
            }
            // Normalise: E|H_a|² = Σ_rays amplitude²·mean_a |response_a|² → 1.
            let mut e = 0.0;
            for r in &rays {
                array.response(r.bs_zenith_deg, r.bs_azimuth_deg, r.e_field, &mut resp)?;
                let m = resp.iter().map(|v| v.norm_sqr() as f64).sum::<f64>() / resp.len() as f64;
                e += r.amplitude * r.amplitude * m;
            }
            let norm = if e > 0.0 { 1.0 / e.sqrt() } else { 0.0 };
            rays.iter_mut().for_each(|r| r.amplitude *= norm);
            users.push(UserRays { rays, delays });
            element_gains_db.push(10.0 * e.log10());
        }
        Ok(Self {
            array,
            design_hz: array_design_hz,
            users,
            element_gains_db,
            ue,
        })
    }

    /// The mean element power gain user `u`'s rays see (dBi: the Table 7.3-1 pattern with its
    /// 8 dBi maximum, averaged over the rays' powers and the antennas, at the design
    /// frequency) — what the unit-power normalisation of the channel removed, for a link
    /// budget to add back. `None` for a user that does not exist.
    pub fn element_gain_db(&self, u: usize) -> Option<f64> {
        self.element_gains_db.get(u).copied()
    }
}

impl ChannelModel for ClusterChannel {
    fn n_users(&self) -> usize {
        self.users.len()
    }

    fn n_rx(&self) -> usize {
        self.ue.len()
    }

    fn n_ant(&self) -> usize {
        self.array.len()
    }

    /// The array response, the UE elements' positions (wavelengths) and the Doppler are
    /// evaluated at the mean of `freqs_hz` (a carrier's centre: over 20–100 MHz at 2–4 GHz the
    /// array's electrical size changes by < 3 %); the delays' phase at every frequency.
    fn frequency_response(
        &self,
        t_s: f64,
        freqs_hz: &[f64],
        mut out: ArrayViewMut3<'_, C32>,
    ) -> Result<()> {
        check_response_args(self, t_s, freqs_hz, &out)?;
        if freqs_hz.is_empty() {
            return Ok(());
        }
        let fc = freqs_hz.iter().sum::<f64>() / freqs_hz.len() as f64;
        let arr = self.array.at_frequency_ratio(fc / self.design_hz)?;
        let n_ant = arr.len();
        let mut resp = vec![C32::new(0.0, 0.0); n_ant];
        let n_rx = self.ue.len();
        for (q, user) in (0..self.users.len() * n_rx).map(|q| (q, &self.users[q / n_rx])) {
            let Some((d_r, pol)) = self.ue.element(q % n_rx) else {
                continue;
            };
            // Per cluster: v_n[a] = Σ_rays amplitude·e^{j2πνt}·e^{j2π r̂_UE·d_r}·response_a.
            let mut v = vec![Complex64::new(0.0, 0.0); user.delays.len() * n_ant];
            for r in &user.rays {
                let e_field = match pol {
                    UePolarization::Theta => r.e_field,
                    UePolarization::Phi => r.e_field_phi,
                };
                arr.response(r.bs_zenith_deg, r.bs_azimuth_deg, e_field, &mut resp)?;
                let ue_phase: f64 = r.ue_direction.iter().zip(&d_r).map(|(a, b)| a * b).sum();
                let g = Complex64::from_polar(
                    r.amplitude,
                    2.0 * PI * fc * r.doppler_per_hz * t_s + 2.0 * PI * ue_phase,
                );
                for (acc, x) in v[r.cluster * n_ant..(r.cluster + 1) * n_ant]
                    .iter_mut()
                    .zip(&resp)
                {
                    *acc += g * Complex64::new(x.re as f64, x.im as f64);
                }
            }
            for (k, f) in freqs_hz.iter().enumerate() {
                let mut row = out.slice_mut(ndarray::s![q, k, ..]);
                row.fill(C32::new(0.0, 0.0));
                for (n, tau) in user.delays.iter().enumerate() {
                    let rot = Complex64::from_polar(1.0, -2.0 * PI * (f * tau).fract());
                    let rot = C32::new(rot.re as f32, rot.im as f32);
                    for (h, x) in row.iter_mut().zip(&v[n * n_ant..(n + 1) * n_ant]) {
                        *h += rot * C32::new(x.re as f32, x.im as f32);
                    }
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

    fn array() -> PanelArray {
        PanelArray::cross_polarized(8, 4).unwrap()
    }

    fn user(az: f64, ze: f64) -> UserGeometry {
        UserGeometry {
            zenith_deg: ze,
            azimuth_deg: az,
            speed_mps: 0.0,
            travel_azimuth_deg: 0.0,
        }
    }

    #[test]
    fn cdl_models_have_their_table_spreads_k_factors_and_delay_spread() {
        // Table 7.5-3's offsets have unit r.m.s. (so c_ASD etc. are the per-cluster r.m.s.
        // spreads of the 20 rays) — to the table's 4-digit rounding.
        let rms = (RAY_OFFSETS.iter().map(|a| a * a).sum::<f64>() / 20.0).sqrt();
        assert!((rms - 1.0).abs() < 1e-3, "ray offsets r.m.s. {rms}");
        for model in [NrCdl::A, NrCdl::B, NrCdl::C, NrCdl::D, NrCdl::E] {
            let ds = 100e-9;
            let prof = ClusterProfile::cdl(model, ds).unwrap();
            assert_eq!(prof.spreads, model.spreads());
            // The tables are normalised to an r.m.s. delay spread of 1 with the LOS ray
            // included (at delay 0, power P_LOS): within 2 % after §7.7.3 scaling.
            let (k_lin, n_los) = match prof.los {
                Some((k_db, _, _)) => (10f64.powf(k_db / 10.0), 1),
                None => (0.0, 0),
            };
            let p = prof.powers();
            // Weights: NLOS clusters share 1/(1 + K); the LOS ray (K/(1 + K)) sits at delay
            // 0 and adds to neither moment.
            let w_nlos = 1.0 / (1.0 + k_lin);
            let m1: f64 = p
                .iter()
                .zip(&prof.clusters)
                .map(|(p, c)| p * w_nlos * c.delay)
                .sum();
            let m2: f64 = p
                .iter()
                .zip(&prof.clusters)
                .map(|(p, c)| p * w_nlos * c.delay * c.delay)
                .sum();
            let spread = (m2 - m1 * m1).sqrt();
            assert!(
                (spread / ds - 1.0).abs() < 0.02,
                "{model:?}: spread {spread:e}"
            );
            assert_eq!(prof.clusters.len() + n_los, model.clusters().len());
            match model {
                NrCdl::D | NrCdl::E => {
                    // The LOS ray over the first cluster's Rayleigh part: the TDL K-factors.
                    let rows = model.clusters();
                    let k = rows[0].power_db - rows[1].power_db;
                    let want = if model == NrCdl::D { 13.3 } else { 22.0 };
                    assert!((k - want).abs() < 1e-9, "{model:?}: {k}");
                    let (_, ze, az) = prof.los.unwrap();
                    assert_eq!((ze, az), (rows[0].zod_deg, rows[0].aod_deg));
                }
                _ => assert!(prof.los.is_none()),
            }
            // One cluster's 20 rays spread by exactly its c (r.m.s. over the rays).
            let one =
                ClusterProfile::from_table(vec![prof.clusters[0]], prof.spreads, None).unwrap();
            let (_, asd) = one.angle_stats(|c| (c.bs_azimuth_deg, one.spreads.bs_azimuth_deg));
            let c_asd = prof.spreads.bs_azimuth_deg;
            assert!(
                (asd / c_asd - 1.0).abs() < 0.01,
                "{model:?}: ASD {asd} vs {c_asd}"
            );
        }
        // It drives the channel through the array (finite response over the band).
        let profs = vec![ClusterProfile::cdl(NrCdl::C, 300e-9).unwrap()];
        let ch = ClusterChannel::new(array(), 2.6e9, &[user(0.0, 90.0)], &profs, 3).unwrap();
        let freqs: Vec<f64> = (0..600).map(|k| 2.6e9 + k as f64 * 30e3).collect();
        let mut h = Array3::zeros((1, 600, 64));
        ch.frequency_response(0.0, &freqs, h.view_mut()).unwrap();
        assert!(h.iter().all(|v| v.re.is_finite() && v.im.is_finite()));
        assert_eq!(
            ClusterProfile::cdl(NrCdl::A, f64::NAN)
                .err()
                .map(|e| e.parameter()),
            Some("delay_spread_s")
        );
    }

    #[test]
    fn ue_antennas_see_the_rays_through_their_position_and_polarisation() {
        let freqs: Vec<f64> = (0..600).map(|k| 2.6e9 + 15e3 * k as f64).collect();
        let geoms: Vec<_> = (0..16)
            .map(|u| user(-60.0 + 8.0 * u as f64, 95.0 + u as f64))
            .collect();
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let profs: Vec<_> = geoms
            .iter()
            .map(|g| ClusterProfile::generate(&mut rng, g, &ProfileParams::default()).unwrap())
            .collect();
        let four = ClusterChannel::with_ue_array(
            array(),
            2.6e9,
            &geoms,
            &profs,
            UeArray::TwoCrossPolarized,
            1,
        )
        .unwrap();
        assert_eq!((four.n_users(), four.n_rx()), (16, 4));
        let mut h4 = Array3::zeros((64, 600, 64));
        four.frequency_response(0.01, &freqs, h4.view_mut())
            .unwrap();
        // Antenna 0 of each user is the single-antenna channel of the same seed, bit for bit.
        let one = ClusterChannel::new(array(), 2.6e9, &geoms, &profs, 1).unwrap();
        let mut h1 = Array3::zeros((16, 600, 64));
        one.frequency_response(0.01, &freqs, h1.view_mut()).unwrap();
        for u in 0..16 {
            assert_eq!(
                h4.slice(ndarray::s![4 * u, .., ..]),
                h1.slice(ndarray::s![u, .., ..])
            );
        }
        // Rich scattering (12 clusters × 20 rays): the vertical and the horizontal antennas
        // have unit mean power (E over the rays' phases: (1 + 1/κ)/2 for either row through
        // ±45° elements); one row's power fades with its few strong clusters (a coefficient of
        // variation ≈ 0.3), so the bound is on the mean of 32 rows: ±0.2 ≈ 4 standard errors.
        // The co-located cross-polarised pair is uncorrelated: with independent Φ per ray
        // E[ρ] = 0, and a cluster's 20 rays (2° apart at the BS, one delay) add coherently over
        // the array and the band, so each cluster is one Gaussian term of power p_c per row and
        // E|ρ̂|² ≤ Σ p_c² / (Σ p_c)² (equality when the clusters do not average out either);
        // the mean over the 16 users is bound by the mean of that. (A φ antenna fed the θ row
        // would give |ρ| = 1.)
        let mut rho2 = 0.0;
        let mut inv_n_eff = 0.0;
        for (u, prof) in profs.iter().enumerate() {
            let (a, b) = (
                h4.slice(ndarray::s![4 * u, .., ..]),
                h4.slice(ndarray::s![4 * u + 1, .., ..]),
            );
            let c: C32 = a.iter().zip(b).map(|(x, y)| x * y.conj()).sum::<C32>();
            let n = a.iter().map(|v| v.norm_sqr()).sum::<f32>()
                * b.iter().map(|v| v.norm_sqr()).sum::<f32>();
            rho2 += (c.norm_sqr() / n) as f64 / 16.0;
            let p = prof.powers();
            let total: f64 = p.iter().sum();
            inv_n_eff += p.iter().map(|x| (x / total).powi(2)).sum::<f64>() / 16.0;
        }
        assert!(rho2 < inv_n_eff, "{rho2} vs Σ p_c² {inv_n_eff}");
        // A line-of-sight ray alone (the cluster 300 dB down): the φ antenna sees the LOS
        // polarisation diag(1, −1) through ±45° elements (|F_θ| = |F_φ|: the same magnitude per
        // BS antenna), and the pair λ/2 along y is the first pair times e^{jπ·r̂_UE,y}, with
        // r̂_UE = −r̂_BS (r̂_UE,y = −sin θ·sin φ).
        let (ze, az) = (100.0f64, 35.0f64);
        let los = ClusterProfile::from_table(
            vec![Cluster {
                delay: 1e-7,
                power_db: 0.0,
                bs_azimuth_deg: 0.0,
                bs_zenith_deg: 90.0,
                ue_azimuth_deg: 0.0,
                ue_zenith_deg: 90.0,
            }],
            ClusterSpreads::default(),
            Some((300.0, ze, az)),
        )
        .unwrap();
        let ch = ClusterChannel::with_ue_array(
            array(),
            2.6e9,
            &[user(az, ze)],
            &[los],
            UeArray::TwoCrossPolarized,
            4,
        )
        .unwrap();
        let mut h = Array3::zeros((4, 600, 64));
        ch.frequency_response(0.0, &freqs, h.view_mut()).unwrap();
        let r_y = -ze.to_radians().sin() * az.to_radians().sin();
        let shift = Complex64::from_polar(1.0, PI * r_y);
        let shift = C32::new(shift.re as f32, shift.im as f32);
        for k in (0..600).step_by(37) {
            for a in 0..64 {
                let h0 = h[[0, k, a]];
                assert!(
                    (h[[1, k, a]].norm() - h0.norm()).abs() < 1e-5 * (1.0 + h0.norm()),
                    "{k} {a}"
                );
                for p in 0..2 {
                    let (x, y) = (h[[p, k, a]], h[[p + 2, k, a]]);
                    assert!(
                        (x * shift - y).norm() < 1e-5 * (1.0 + x.norm()),
                        "{p} {k} {a}"
                    );
                }
            }
        }
    }

    #[test]
    fn generated_profiles_have_the_requested_spreads() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let g = user(20.0, 100.0);
        let p = ProfileParams::default();
        let prof = ClusterProfile::generate(&mut rng, &g, &p).unwrap();
        assert!((prof.delay_spread() - 300e-9).abs() < 1e-12);
        let (mu, s) = prof.angle_stats(|c| (c.bs_azimuth_deg, prof.spreads.bs_azimuth_deg));
        assert!(
            (mu - 20.0).abs() < 1e-6 && (s - 10.0).abs() < 0.05,
            "{mu} {s}"
        );
        let (mu, s) = prof.angle_stats(|c| (c.bs_zenith_deg, prof.spreads.bs_zenith_deg));
        assert!(
            (mu - 100.0).abs() < 0.05 && (s - 3.0).abs() < 0.05,
            "{mu} {s}"
        );
    }

    #[test]
    fn unit_power_beam_direction_and_band_dependence() {
        let geoms = [user(-30.0, 95.0), user(25.0, 105.0)];
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let p = ProfileParams {
            los_k_db: Some(9.0),
            ..ProfileParams::default()
        };
        let profs: Vec<_> = geoms
            .iter()
            .map(|g| ClusterProfile::generate(&mut rng, g, &p).unwrap())
            .collect();
        let ch = ClusterChannel::new(array(), 2.6e9, &geoms, &profs, 1).unwrap();
        let freqs: Vec<f64> = (0..600).map(|k| 2.6e9 + 15e3 * k as f64).collect();
        let mut h = Array3::zeros((2, 600, 64));
        ch.frequency_response(0.0, &freqs, h.view_mut()).unwrap();
        let pw = h.iter().map(|v| v.norm_sqr() as f64).sum::<f64>() / h.len() as f64;
        assert!((pw - 1.0).abs() < 0.35, "{pw}");
        // The strongest DFT beam of each user (first polarisation, 8 × 4) points near its
        // line of sight: matched filter over a grid of directions.
        let ant = array();
        let mut a = vec![C32::new(0.0, 0.0); 64];
        for (u, g) in geoms.iter().enumerate() {
            let mut best = (0.0f64, 0.0, 0.0);
            for ze in (80..=120).step_by(5) {
                for az in (-60..=60).step_by(5) {
                    ant.response(
                        ze as f64,
                        az as f64,
                        (C32::new(1.0, 0.0), C32::new(0.0, 0.0)),
                        &mut a,
                    )
                    .unwrap();
                    let mut e = 0.0;
                    for k in (0..600).step_by(50) {
                        let s: C32 = (0..32).map(|i| a[i].conj() * h[[u, k, i]]).sum();
                        e += s.norm_sqr() as f64;
                    }
                    if e > best.0 {
                        best = (e, ze as f64, az as f64);
                    }
                }
            }
            assert!((best.2 - g.azimuth_deg).abs() <= 10.0, "{u}: {best:?}");
            assert!((best.1 - g.zenith_deg).abs() <= 10.0, "{u}: {best:?}");
        }
        // The same NLOS geometry at 3.5 GHz: a different channel (electrical size, delay
        // phases).
        let nlos: Vec<_> = profs
            .iter()
            .map(|p| ClusterProfile {
                los: None,
                subcluster_spread_s: None,
                ..p.clone()
            })
            .collect();
        let ch = ClusterChannel::new(array(), 2.6e9, &geoms, &nlos, 1).unwrap();
        ch.frequency_response(0.0, &freqs, h.view_mut()).unwrap();
        let f35: Vec<f64> = freqs.iter().map(|f| f + 0.9e9).collect();
        let mut h2 = Array3::zeros((2, 600, 64));
        ch.frequency_response(0.0, &f35, h2.view_mut()).unwrap();
        let corr: C32 = h.iter().zip(&h2).map(|(a, b)| a * b.conj()).sum::<C32>() / h.len() as f32;
        assert!(corr.norm() < 0.5, "{corr}");
        // Reproducible.
        let ch2 = ClusterChannel::new(array(), 2.6e9, &geoms, &nlos, 1).unwrap();
        ch2.frequency_response(0.0, &f35, h.view_mut()).unwrap();
        assert_eq!(h, h2);
    }

    #[test]
    fn doppler_changes_the_channel_at_speed_only() {
        let still = [user(0.0, 95.0)];
        let moving = [UserGeometry {
            speed_mps: 30.0,
            ..still[0]
        }];
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let prof =
            vec![ClusterProfile::generate(&mut rng, &still[0], &ProfileParams::default()).unwrap()];
        let freqs = [2.6e9];
        let diff = |g: &[UserGeometry]| {
            let ch = ClusterChannel::new(array(), 2.6e9, g, &prof, 4).unwrap();
            let mut a = Array3::zeros((1, 1, 64));
            let mut b = Array3::zeros((1, 1, 64));
            ch.frequency_response(0.0, &freqs, a.view_mut()).unwrap();
            ch.frequency_response(0.01, &freqs, b.view_mut()).unwrap();
            a.iter()
                .zip(&b)
                .map(|(x, y)| (x - y).norm_sqr())
                .sum::<f32>()
                / 64.0
        };
        assert!(diff(&still) < 1e-10);
        assert!(diff(&moving) > 0.3, "{}", diff(&moving));
    }
}
