//! A drop (38.901 §7.5 step 1): users placed in a sector of a site, and each user's link from
//! placement to path loss, large-scale parameters and clusters (steps 2–7).

use super::clusters::{LosDirections, cluster_profile};
use super::large_scale::{LargeScale, LspDistribution};
use super::los_probability::los_probability;
pub use super::pathloss::BuildingType;
use super::pathloss::{
    LinkDistances, beyond_breakpoint, effective_environment_height, o2i_loss_db, pathloss_db,
};
use super::{Propagation, Scenario, check_fc};
use crate::channel::{ClusterProfile, UserGeometry};
use massive_mimo::{Error, Result};
use rand::Rng;

/// The base station of a drop.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Site {
    /// Scenario.
    pub scenario: Scenario,
    /// Carrier frequency, GHz.
    pub fc_ghz: f64,
    /// BS antenna height, m.
    pub h_bs_m: f64,
}

impl Site {
    /// A site of `scenario` at `fc_ghz` with the scenario's BS height (Table 7.2-1).
    pub fn new(scenario: Scenario, fc_ghz: f64) -> Self {
        Self {
            scenario,
            fc_ghz,
            h_bs_m: scenario.default_bs_height_m(),
        }
    }
}

/// Where an indoor user is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Indoor {
    /// Horizontal distance inside the building, m (§7.4.3.1).
    pub d2d_in_m: f64,
    /// The building's penetration model.
    pub building: BuildingType,
}

/// A user's position in the sector's frame: the BS at the origin, x along the array's
/// broadside, y to its left, heights above ground.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UserPlacement {
    /// x, m.
    pub x_m: f64,
    /// y, m.
    pub y_m: f64,
    /// UT antenna height, m.
    pub h_ut_m: f64,
    /// Indoor (O2I) or outdoor (`None`).
    pub indoor: Option<Indoor>,
    /// Speed, m/s.
    pub speed_mps: f64,
    /// Direction of travel, degrees (azimuth in the sector frame).
    pub travel_azimuth_deg: f64,
}

impl UserPlacement {
    /// Horizontal distance to the BS, m.
    pub fn d2d_m(&self) -> f64 {
        self.x_m.hypot(self.y_m)
    }

    /// Bearing from the array's broadside, degrees.
    pub fn azimuth_deg(&self) -> f64 {
        self.y_m.atan2(self.x_m).to_degrees()
    }
}

/// One user's link: what the 38.901 procedure drew for it.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// LOS, NLOS or O2I (the large-scale parameters' column).
    pub propagation: Propagation,
    /// Whether the outdoor part of the path is LOS (decides the path-loss formula; equals
    /// `propagation == Los` for outdoor users).
    pub outdoor_los: bool,
    /// Distances and heights.
    pub distances: LinkDistances,
    /// Path loss without shadowing, dB (Table 7.4.1-1).
    pub pathloss_db: f64,
    /// O2I penetration loss, dB (0 outdoors).
    pub o2i_loss_db: f64,
    /// Large-scale parameters (SF, K, spreads).
    pub large_scale: LargeScale,
    /// The clusters, for [`crate::channel::ClusterChannel`].
    pub profile: ClusterProfile,
    /// The LOS direction and motion, for [`crate::channel::ClusterChannel`].
    pub geometry: UserGeometry,
}

impl Link {
    /// Coupling loss between isotropic antennas: path loss + shadow fading + O2I loss, dB (the
    /// channel from [`crate::channel::ClusterChannel`] has unit mean gain; the received power is
    /// the transmitted one minus this, plus the antenna gains the array response carries).
    pub fn coupling_loss_db(&self) -> f64 {
        self.pathloss_db + self.large_scale.shadow_fading_db + self.o2i_loss_db
    }
}

/// Draws the link of `user` to `site` (§7.5 steps 2–7): LOS state from the outdoor distance,
/// path loss (UMa: with a random effective environment height), O2I loss, correlated
/// large-scale parameters, clusters toward the user. Errors: geometry or frequency outside
/// 38.901's ranges (d2D 10 m – 5 km, RMa 10 km; 0.5–100 GHz), an indoor distance longer than
/// d2D, a speed not finite and ≥ 0.
pub fn link<R: Rng + ?Sized>(rng: &mut R, site: &Site, user: &UserPlacement) -> Result<Link> {
    check_fc(site.fc_ghz)?;
    let scn = site.scenario;
    let d2d = user.d2d_m();
    let distances = LinkDistances {
        d2d_m: d2d,
        h_bs_m: site.h_bs_m,
        h_ut_m: user.h_ut_m,
    };
    distances.check(scn)?;
    let d_in = user.indoor.map_or(0.0, |i| i.d2d_in_m);
    if !(d_in.is_finite() && d_in >= 0.0 && d_in <= d2d) {
        return Err(Error::InvalidParameter {
            name: "indoor.d2d_in_m",
            value: massive_mimo::error::Value::of(&d_in),
            reason: "must be finite, ≥ 0 and ≤ the user's d2D",
        });
    }
    if !(user.speed_mps.is_finite() && user.speed_mps >= 0.0 && user.travel_azimuth_deg.is_finite())
    {
        return Err(Error::InvalidParameter {
            name: "speed_mps / travel_azimuth_deg",
            value: massive_mimo::value!("({}, {})", user.speed_mps, user.travel_azimuth_deg),
            reason: "speed finite and ≥ 0, direction finite",
        });
    }
    let OutdoorLeg {
        los: outdoor_los,
        h_e,
        pathloss_db,
    } = outdoor_leg(rng, scn, site.fc_ghz, &distances, d_in)?;
    let propagation = Propagation::of(user.indoor.is_some(), outdoor_los);
    let o2i_loss_db = user.indoor.map_or(0.0, |i| {
        o2i_loss_db(rng, i.building, site.fc_ghz, i.d2d_in_m)
    });
    let beyond =
        propagation == Propagation::Los && beyond_breakpoint(scn, site.fc_ghz, &distances, h_e);
    let large_scale =
        LspDistribution::new(scn, propagation, site.fc_ghz, &distances, beyond)?.draw(rng);
    let dirs = LosDirections::between(user.azimuth_deg(), d2d, site.h_bs_m, user.h_ut_m);
    let profile = cluster_profile(
        rng,
        propagation.lsp(scn),
        &large_scale,
        &dirs,
        propagation,
        site.fc_ghz,
    )?;
    Ok(Link {
        propagation,
        outdoor_los,
        distances,
        pathloss_db,
        o2i_loss_db,
        large_scale,
        profile,
        geometry: UserGeometry {
            zenith_deg: dirs.zod_deg,
            azimuth_deg: dirs.aod_deg,
            speed_mps: user.speed_mps,
            travel_azimuth_deg: user.travel_azimuth_deg,
        },
    })
}

/// The outdoor leg of a link: whether it is LOS, UMa's effective environment height h_E and
/// the path loss of Table 7.4.1-1 (dB).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OutdoorLeg {
    /// Line of sight, drawn with the LOS probability (Table 7.4.2-1) of the outdoor distance.
    pub los: bool,
    /// h_E in m (§7.4.1 note 1: drawn for UMa, 1 m otherwise).
    pub h_e: f64,
    /// Path loss in dB (LOS or NLOS formula of `scenario`, at `distances`).
    pub pathloss_db: f64,
}

/// Draws the outdoor leg of a link at `distances`, `d2d_in_m` of whose horizontal distance is
/// indoors: the LOS state from the LOS probability of the outdoor part, then (UMa) h_E, then the
/// path loss — the steps every link of a drop takes, serving or interfering. Errors: those of
/// the LOS probability and the path loss (distances and heights out of range).
pub fn outdoor_leg<R: Rng + ?Sized>(
    rng: &mut R,
    scenario: Scenario,
    fc_ghz: f64,
    distances: &LinkDistances,
    d2d_in_m: f64,
) -> Result<OutdoorLeg> {
    let (d2d, h_ut) = (distances.d2d_m, distances.h_ut_m);
    let los = rng.r#gen::<f64>() < los_probability(scenario, d2d - d2d_in_m, h_ut)?;
    let h_e = if scenario == Scenario::UMa {
        effective_environment_height(rng, d2d, h_ut)
    } else {
        1.0
    };
    let pathloss_db = pathloss_db(scenario, los, fc_ghz, distances, h_e)?;
    Ok(OutdoorLeg {
        los,
        h_e,
        pathloss_db,
    })
}

/// How users are dropped in a sector.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DropConfig {
    /// Users.
    pub n_users: usize,
    /// Smallest horizontal distance to the BS, m.
    pub d_min_m: f64,
    /// Largest horizontal distance, m.
    pub d_max_m: f64,
    /// Half the sector's angular width, degrees (60 for a three-sector site).
    pub half_width_deg: f64,
    /// Share of indoor users.
    pub indoor_fraction: f64,
    /// Share of indoor users in high-loss buildings.
    pub high_loss_fraction: f64,
    /// Speed of every user, m/s.
    pub speed_mps: f64,
}

impl DropConfig {
    /// The evaluation assumptions of 38.901 Table 7.2-1 for one sector of a three-sector site:
    /// users uniform in a ±60° wedge from d_min (UMa / RMa 35 m, UMi 10 m) to the cell radius
    /// ISD/√3 (289 m UMa, 115 m UMi, 1 000 m RMa; the wedge stands for the sector's hexagon),
    /// 80 % indoor (RMa 50 %) on floors of buildings with 4–8 floors (RMa: ground floor), 20 %
    /// of the indoor users in high-loss buildings (the calibration setting of §7.8.1),
    /// 3 km/h.
    pub fn sector(scenario: Scenario, n_users: usize) -> Self {
        Self {
            n_users,
            d_min_m: if scenario == Scenario::UMiStreetCanyon {
                10.0
            } else {
                35.0
            },
            d_max_m: scenario.inter_site_distance_m() / 3f64.sqrt(),
            half_width_deg: 60.0,
            indoor_fraction: if scenario == Scenario::RMa { 0.5 } else { 0.8 },
            high_loss_fraction: 0.2,
            speed_mps: 3.0 / 3.6,
        }
    }
}

/// Drops `cfg.n_users` users uniformly (by area) in the sector wedge of `site`: outdoor users at
/// 1.5 m, indoor users at 3(n_fl − 1) + 1.5 m with n_fl uniform in 1…N_fl, N_fl uniform in 4…8
/// (UMa / UMi; RMa indoor users on the ground floor), the indoor distance the smaller of two
/// uniform draws over 0–25 m (RMa: one over 0–10 m), each user walking in a random direction.
/// Errors: distances not 10 ≤ d_min < d_max, shares outside [0, 1], a speed not finite and
/// ≥ 0.
pub fn drop_users<R: Rng + ?Sized>(
    rng: &mut R,
    site: &Site,
    cfg: &DropConfig,
) -> Result<Vec<UserPlacement>> {
    let c = cfg;
    let ok = c.d_min_m.is_finite()
        && c.d_max_m.is_finite()
        && c.d_min_m >= 10.0
        && c.d_min_m < c.d_max_m
        && (0.0..=180.0).contains(&c.half_width_deg)
        && (0.0..=1.0).contains(&c.indoor_fraction)
        && (0.0..=1.0).contains(&c.high_loss_fraction)
        && c.speed_mps.is_finite()
        && c.speed_mps >= 0.0;
    if !ok {
        return Err(Error::InvalidParameter {
            name: "DropConfig",
            value: massive_mimo::value!("{c:?}"),
            reason: "10 m ≤ d_min < d_max, half width 0–180°, shares in [0, 1], speed ≥ 0",
        });
    }
    let rma = site.scenario == Scenario::RMa;
    Ok((0..c.n_users)
        .map(|_| {
            let (r0, r1) = (c.d_min_m, c.d_max_m);
            let r = (r0 * r0 + rng.r#gen::<f64>() * (r1 * r1 - r0 * r0)).sqrt();
            let az = (2.0 * rng.r#gen::<f64>() - 1.0) * c.half_width_deg.to_radians();
            let indoor = rng.r#gen::<f64>() < c.indoor_fraction;
            let (h_ut_m, indoor) = if indoor {
                let building = if rng.r#gen::<f64>() < c.high_loss_fraction {
                    BuildingType::HighLoss
                } else {
                    BuildingType::LowLoss
                };
                let (h, d_in) = if rma {
                    (1.5, 10.0 * rng.r#gen::<f64>())
                } else {
                    let n_fl_max = rng.gen_range(4..=8);
                    let n_fl = rng.gen_range(1..=n_fl_max);
                    let d_in = 25.0 * rng.r#gen::<f64>().min(rng.r#gen::<f64>());
                    (3.0 * (n_fl - 1) as f64 + 1.5, d_in)
                };
                (
                    h,
                    Some(Indoor {
                        d2d_in_m: d_in.min(r),
                        building,
                    }),
                )
            } else {
                (1.5, None)
            };
            UserPlacement {
                x_m: r * az.cos(),
                y_m: r * az.sin(),
                h_ut_m,
                indoor,
                speed_mps: c.speed_mps,
                travel_azimuth_deg: 360.0 * rng.r#gen::<f64>(),
            }
        })
        .collect())
}

/// The positions of a peak-throughput field test for `n` users: half at street level (1.5 m)
/// and half on a 7th-floor balcony (19.5 m), outdoors, on ⌈n/2⌉ bearings spread evenly over
/// ±52.5° (15° apart for 16 users, so that both the columns and the rows of a planar array
/// separate them), 80–140 m from the site (interleaved so that neighbours differ), walking at
/// 1 m/s. Each drop still draws every link's LOS state, shadowing and clusters.
pub fn field_test_users(n: usize) -> Vec<UserPlacement> {
    let cols = n.div_ceil(2).max(1);
    (0..n)
        .map(|i| {
            let (col, row) = (i % cols, i / cols);
            let bearing = if cols == 1 {
                0.0
            } else {
                -52.5 + 105.0 * col as f64 / (cols - 1) as f64
            };
            let d = 80.0 + 60.0 * ((3 * col + 5 * row) % 8) as f64 / 7.0;
            let b = bearing.to_radians();
            UserPlacement {
                x_m: d * b.cos(),
                y_m: d * b.sin(),
                h_ut_m: if row == 0 { 1.5 } else { 19.5 },
                indoor: None,
                speed_mps: 1.0,
                travel_azimuth_deg: 37.0 * i as f64,
            }
        })
        .collect()
}
