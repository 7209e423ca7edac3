//! Small-scale parameters, 38.901 §7.5 steps 5–7 and the sub-cluster split of step 11: from a
//! link's large-scale parameters to its clusters (delays, powers, departure and arrival angles
//! in azimuth and zenith) as a [`ClusterProfile`] for [`ClusterChannel`](crate::channel::ClusterChannel).

use super::large_scale::LargeScale;
use super::{Propagation, check_fc};
use crate::channel::{Cluster, ClusterProfile, ClusterSpreads, normal};
use massive_mimo::tables::scenario_38901::{Lsp, NLOS_ANGLE_SCALING};
use massive_mimo::{Error, Result};
use rand::Rng;

/// The LOS directions of a link (degrees; zenith from the z axis, azimuth from the array's
/// broadside, as [`Cluster`]): departure at the BS, arrival at the user.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LosDirections {
    /// φ_LOS,AOD.
    pub aod_deg: f64,
    /// θ_LOS,ZOD.
    pub zod_deg: f64,
    /// φ_LOS,AOA (= AOD + 180°).
    pub aoa_deg: f64,
    /// θ_LOS,ZOA (= 180° − ZOD).
    pub zoa_deg: f64,
}

impl LosDirections {
    /// The directions of the straight line from the BS to a user at bearing `azimuth_deg` and
    /// horizontal distance `d2d_m`, with antennas at `h_bs_m` and `h_ut_m`.
    pub fn between(azimuth_deg: f64, d2d_m: f64, h_bs_m: f64, h_ut_m: f64) -> Self {
        let zod = (h_ut_m - h_bs_m).atan2(d2d_m).to_degrees();
        let zod = 90.0 - zod;
        Self {
            aod_deg: azimuth_deg,
            zod_deg: zod,
            aoa_deg: azimuth_deg + 180.0,
            zoa_deg: 180.0 - zod,
        }
    }
}

/// C_φ^NLOS and C_θ^NLOS for `n` clusters (Tables 7.5-2 and 7.5-4).
fn angle_scaling(n: usize) -> Result<(f64, f64)> {
    NLOS_ANGLE_SCALING
        .iter()
        .find(|r| r.0 == n)
        .and_then(|r| Some((r.1?, r.2?)))
        .ok_or(Error::InvalidParameter {
            name: "n_clusters",
            value: massive_mimo::error::Value::of(&n),
            reason: "Tables 7.5-2 / 7.5-4 have no C_φ and C_θ for this cluster count",
        })
}

/// The cluster delay spread c_DS of `lsp` at `fc_ghz`, s (Table 7.5-6; RMa, where the table
/// says N/A, 3.91 ns as the 38.901 implementations use).
pub fn cluster_delay_spread_s(lsp: &Lsp, fc_ghz: f64) -> f64 {
    lsp.c_ds_ns
        .map_or(3.91, |[floor, c, k]| (c + k * fc_ghz.log10()).max(floor))
        * 1e-9
}

fn wrap_zenith(z: f64) -> f64 {
    let z = z.rem_euclid(360.0);
    if z > 180.0 { 360.0 - z } else { z }
}

/// Clusters of one link (38.901 §7.5 steps 5–7, and step 11's sub-cluster split):
///
/// * step 5: τ′_n = −r_τ·DS·ln U_n, sorted and shifted to start at 0; with LOS the delays are
///   divided by C_τ = 0.7705 − 0.0433K + 0.0002K² + 0.000017K³ (K in dB) (eq. 7.5-3);
/// * step 6: P′_n = e^{−τ_n(r_τ − 1)/(r_τ·DS)}·10^{−Z_n/10}, Z_n ~ N(0, ζ²), normalised; with
///   LOS the first cluster also carries K_R/(K_R + 1) (eq. 7.5-8); clusters 25 dB below the
///   strongest are removed;
/// * step 7: φ′_n = 2(AS/1.4)·√(−ln(P_n/max P))/C_φ for AOA (ASA) and AOD (ASD),
///   θ′_n = −ZS·ln(P_n/max P)/C_θ for ZOA (ZSA) and ZOD (ZSD), each with a random sign X_n and
///   a deviation Y_n ~ N(0, (spread/7)²), centred on the LOS directions (ZOA on 90° for O2I,
///   ZOD shifted by μ_offset,ZOD); with LOS the first cluster lands exactly on the LOS
///   direction and C_φ, C_θ get the K-factor polynomials of eq. 7.5-10 and 7.5-15;
/// * the intra-cluster spreads c_ASD, c_ASA, c_ZSA of the table and (3/8)·10^μ_lgZSD for ZOD
///   (eq. 7.5-20), the XPR's log-normal distribution (step 9), and step 11's split of the two
///   strongest clusters into three sub-clusters c_DS apart are carried in the profile for
///   [`ClusterChannel`](crate::channel::ClusterChannel), which does steps 8–11.
///
/// The returned profile's LOS ray (K_R, at delay 0 toward the LOS direction) and its NLOS
/// cluster powers (the P′_n, normalised by the channel) realise eq. 7.5-30.
pub fn cluster_profile<R: Rng + ?Sized>(
    rng: &mut R,
    lsp: &Lsp,
    large_scale: &LargeScale,
    los_dirs: &LosDirections,
    propagation: Propagation,
    fc_ghz: f64,
) -> Result<ClusterProfile> {
    check_fc(fc_ghz)?;
    let ls = large_scale;
    let n = lsp.n_clusters;
    let ds = ls.delay_spread_s();
    let k_db = match propagation {
        Propagation::Los => Some(ls.k_db.ok_or(Error::InvalidParameter {
            name: "large_scale.k_db",
            value: massive_mimo::error::Value::of(&"None"),
            reason: "a LOS link needs its K-factor",
        })?),
        _ => None,
    };
    // Step 5.
    let mut tau: Vec<f64> = (0..n)
        .map(|_| -lsp.r_tau * ds * rng.r#gen::<f64>().max(1e-300).ln())
        .collect();
    tau.sort_by(f64::total_cmp);
    let t0 = tau[0];
    tau.iter_mut().for_each(|t| *t -= t0);
    // Step 6.
    let mut p: Vec<f64> = tau
        .iter()
        .map(|t| {
            (-t * (lsp.r_tau - 1.0) / (lsp.r_tau * ds)).exp()
                * 10f64.powf(-lsp.zeta_db * normal(rng) / 10.0)
        })
        .collect();
    let total: f64 = p.iter().sum();
    p.iter_mut().for_each(|v| *v /= total);
    let nlos_p = p.clone();
    if let Some(k) = k_db {
        let kr = 10f64.powf(k / 10.0);
        p.iter_mut().for_each(|v| *v /= kr + 1.0);
        p[0] += kr / (kr + 1.0);
        let c_tau = 0.7705 - 0.0433 * k + 0.0002 * k * k + 0.000017 * k * k * k;
        tau.iter_mut().for_each(|t| *t /= c_tau);
    }
    let pmax = p.iter().cloned().fold(0.0, f64::max);
    // Step 7.
    let (c_phi_nlos, c_theta_nlos) = angle_scaling(n)?;
    let (c_phi, c_theta) = match k_db {
        Some(k) => (
            c_phi_nlos * (1.1035 - 0.028 * k - 0.002 * k * k + 0.0001 * k * k * k),
            c_theta_nlos * (1.3086 + 0.0339 * k - 0.0077 * k * k + 0.0002 * k * k * k),
        ),
        None => (c_phi_nlos, c_theta_nlos),
    };
    let sign = |rng: &mut R| if rng.r#gen::<bool>() { 1.0 } else { -1.0 };
    // One angle dimension: cluster angles around `centre` (the LOS direction for LOS links:
    // the first cluster exactly on it).
    let angles = |rng: &mut R, spread: f64, azimuth: bool, centre: f64| -> Vec<f64> {
        let raw: Vec<f64> = p
            .iter()
            .map(|&pn| {
                let shape = if azimuth {
                    2.0 * (spread / 1.4) * (-(pn / pmax).ln()).max(0.0).sqrt() / c_phi
                } else {
                    -spread * (pn / pmax).ln() / c_theta
                };
                sign(rng) * shape + spread / 7.0 * normal(rng)
            })
            .collect();
        let first = if k_db.is_some() { raw[0] } else { 0.0 };
        raw.iter().map(|a| a - first + centre).collect()
    };
    let aoa = angles(rng, ls.asa_deg(), true, los_dirs.aoa_deg);
    let aod = angles(rng, ls.asd_deg(), true, los_dirs.aod_deg);
    let zoa_centre = if propagation == Propagation::O2i {
        90.0
    } else {
        los_dirs.zoa_deg
    };
    let zoa = angles(rng, ls.zsa_deg(), false, zoa_centre);
    let zod_centre = los_dirs.zod_deg
        + if k_db.is_some() {
            0.0
        } else {
            ls.zod_offset_deg
        };
    let zod = angles(rng, ls.zsd_deg(), false, zod_centre);
    let keep: Vec<usize> = (0..n)
        .filter(|&i| p[i] >= pmax * 10f64.powf(-2.5))
        .collect();
    let clusters: Vec<Cluster> = keep
        .iter()
        .map(|&i| Cluster {
            delay: tau[i],
            power_db: 10.0 * nlos_p[i].log10(),
            bs_azimuth_deg: aod[i],
            bs_zenith_deg: wrap_zenith(zod[i]),
            ue_azimuth_deg: aoa[i],
            ue_zenith_deg: wrap_zenith(zoa[i]),
        })
        .collect();
    let spreads = ClusterSpreads {
        bs_azimuth_deg: lsp.c_asd_deg,
        bs_zenith_deg: ls.zod_ray_spread_deg(),
        ue_azimuth_deg: lsp.c_asa_deg,
        ue_zenith_deg: lsp.c_zsa_deg,
        xpr_db: lsp.xpr_db[0],
        xpr_sigma_db: lsp.xpr_db[1],
    };
    let los = k_db.map(|k| (k, los_dirs.zod_deg, los_dirs.aod_deg));
    Ok(ClusterProfile::from_table(clusters, spreads, los)?
        .with_subclusters(cluster_delay_spread_s(lsp, fc_ghz)))
}
