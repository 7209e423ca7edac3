//! A link budget for a 38.901 drop: transmit powers, noise figures, coupling loss, element gain
//! and other-cell interference → the per-user gains and SNRs of a [`CellScenario`].
//!
//! Conventions (per resource element, RE): the downlink transmits `bs_power_dbm` in total over
//! the carrier's `n_sc` subcarriers and all antennas; the uplink `ue_power_dbm` per user over
//! the same band; thermal noise is −174 dBm/Hz + 10·log10(subcarrier spacing) + the
//! receiver's noise figure. A user's large-scale power gain is G_u = G_elem,u − CL_u, with
//! CL_u = path loss + shadow fading + O2I loss ([`Link::coupling_loss_db`]) and G_elem,u the
//! base-station element gain its rays see ([`ClusterChannel::element_gain_db`]). The cell
//! simulation takes the gains relative to a reference G_ref (the median user, so the simulated
//! channel stays near unit power) and the SNRs at G_ref:
//!
//! * `dl_snr_db` = P_BS,RE − N_UE,RE + G_ref (per RE at the UE before any beamforming gain);
//! * `ul_snr_db` = P_UE,RE − N_BS,RE + G_ref (per RE and BS antenna at full power; SRS and
//!   PUSCH alike), each user's power control in [`CellScenario::ul_power_db`].
//!
//! Other-cell interference (downlink): every other sector of the serving site and of the first
//! ring of six sites (three sectors each, boresights 0°/120°/240°, the hexagonal layout of
//! 38.901 §7.8 with the serving sector's boresight along x) transmits at full power; the power
//! it puts on a user is P_BS,RE·G_j/CL_j with its own LOS state, path loss and independent
//! shadow fading, the user's O2I loss, and the element pattern (Table 7.3-1) toward the user's
//! LOS direction (random beams from another cell have unit mean array gain). The sum over the
//! 20 interferers, divided by the user's thermal noise, is its INR
//! ([`CellScenario::dl_interference_db`]).
//!
//! Other-cell interference (uplink, with [`DropSetup::ul_interference`]): each of the same 20 sectors serves as many co-scheduled
//! users per PRB as the serving cell's uplink (up to 12), dropped in its own sector like the
//! served ones (Table 7.2-1) and power-controlled toward their own sector as the served users
//! are (α = 1 to `ul_target_snr_db`, capped at the maximum; full power without a target). Their
//! power at the serving sector — own LOS draws, path loss, shadow fading, O2I loss, the serving
//! element pattern toward them — over the thermal noise is the interference over thermal
//! ([`DropCell::ul_iot_db`]); the cell's `ul_snr_db` is then the SINR at the reference gain,
//! interference taken as white and spatially flat (IRC would reject part of it).

use crate::cell::{CellScenario, ChannelKind};
use crate::channel::ClusterChannel;
use crate::channel::stochastic::drop::Link;
use crate::channel::stochastic::pathloss::o2i_loss_db;
use crate::channel::stochastic::{
    DropConfig, LinkDistances, Propagation, Site, UserPlacement, drop_users, link, outdoor_leg,
};
use massive_mimo::array::{ELEMENT_GAIN_DBI, PanelArray, element_pattern_db};
use massive_mimo::{Error, Result};
use rand::Rng;

/// Thermal noise density, dBm/Hz (290 K).
pub const THERMAL_NOISE_DBM_HZ: f64 = -174.0;

/// Powers and noise figures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinkBudget {
    /// Base-station transmit power over the carrier, all antennas, dBm.
    pub bs_power_dbm: f64,
    /// User transmit power, dBm.
    pub ue_power_dbm: f64,
    /// Base-station receiver noise figure, dB.
    pub bs_noise_figure_db: f64,
    /// User receiver noise figure, dB.
    pub ue_noise_figure_db: f64,
    /// Subcarriers the powers are spread over.
    pub n_sc: usize,
    /// Subcarrier spacing, Hz.
    pub scs_hz: f64,
    /// Uplink power control (36.213 §5.1.1.1 / 38.213 §7.1.1 with α = 1): each user transmits
    /// the power that reaches this SNR per RE and BS antenna, at most `ue_power_dbm` (P0 =
    /// N_BS,RE + target per RE; e.g. 10 dB ↔ P0 ≈ −106 dBm per PRB at 15 kHz, NF 5 dB).
    /// `None`: every user at full power.
    pub ul_target_snr_db: Option<f64>,
}

impl LinkBudget {
    /// A macro cell: `bs_power_dbm` over `n_sc` subcarriers of `scs_hz`, users at up to 23 dBm
    /// (power class 3) with uplink power control to 10 dB per RE and antenna, noise figures
    /// 5 dB (BS) and 9 dB (UE) — the values of 38.901 §7.8 / 36.814 system evaluations.
    pub fn macro_cell(bs_power_dbm: f64, n_sc: usize, scs_hz: f64) -> Self {
        Self {
            bs_power_dbm,
            ue_power_dbm: 23.0,
            bs_noise_figure_db: 5.0,
            ue_noise_figure_db: 9.0,
            n_sc,
            scs_hz,
            ul_target_snr_db: Some(10.0),
        }
    }

    /// Base-station power per RE, dBm.
    pub fn bs_power_per_re_dbm(&self) -> f64 {
        self.bs_power_dbm - 10.0 * (self.n_sc as f64).log10()
    }

    /// User power per RE, dBm.
    pub fn ue_power_per_re_dbm(&self) -> f64 {
        self.ue_power_dbm - 10.0 * (self.n_sc as f64).log10()
    }

    /// Thermal noise per RE at a receiver of `noise_figure_db`, dBm.
    pub fn noise_per_re_dbm(&self, noise_figure_db: f64) -> f64 {
        THERMAL_NOISE_DBM_HZ + 10.0 * self.scs_hz.log10() + noise_figure_db
    }

    fn check(&self) -> Result<()> {
        let v = [
            self.bs_power_dbm,
            self.ue_power_dbm,
            self.bs_noise_figure_db,
            self.ue_noise_figure_db,
            self.scs_hz,
        ];
        if self.n_sc == 0
            || v.iter().any(|x| !x.is_finite())
            || self.scs_hz <= 0.0
            || self.ul_target_snr_db.is_some_and(|t| !t.is_finite())
        {
            return Err(Error::InvalidParameter {
                name: "LinkBudget",
                value: massive_mimo::value!("{self:?}"),
                reason: "finite powers and noise figures, n_sc ≥ 1, scs > 0",
            });
        }
        Ok(())
    }
}

/// One user's budget.
#[derive(Clone, Debug, PartialEq)]
pub struct UserBudget {
    /// The 38.901 link (LOS state, path loss, large-scale parameters, clusters).
    pub link: Link,
    /// Coupling loss (path loss + shadow fading + O2I), dB.
    pub coupling_loss_db: f64,
    /// Mean BS element gain over the user's rays, dBi.
    pub element_gain_db: f64,
    /// Downlink SNR per RE before beamforming gain (P_BS,RE + G_elem − CL − N_UE,RE), dB.
    pub dl_snr_db: f64,
    /// Uplink SNR per RE and BS antenna (P_UE,RE + G_elem − CL − N_BS,RE, with the power
    /// control's P_UE), dB.
    pub ul_snr_db: f64,
    /// Uplink transmit power below the maximum (power control), dB (≤ 0).
    pub ul_power_db: f64,
    /// Other-cell interference over thermal noise in the downlink, dB (−∞ without it).
    pub dl_inr_db: f64,
}

/// Where and with what a drop is served: the site, its array and the budget.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DropSetup {
    /// Scenario, carrier frequency and BS height.
    pub site: Site,
    /// The base station's array.
    pub array: PanelArray,
    /// The frequency the array's spacings are in wavelengths at, Hz.
    pub array_design_hz: f64,
    /// Powers and noise figures.
    pub budget: LinkBudget,
    /// Whether to add the downlink other-cell interference of the 20 surrounding sectors.
    pub interference: bool,
    /// Whether to add the uplink interference over thermal of the 20 surrounding sectors'
    /// co-scheduled users ([`DropCell::ul_iot_db`]).
    pub ul_interference: bool,
}

/// A drop turned into a cell: the scenario to simulate and each user's budget.
#[derive(Clone, Debug, PartialEq)]
pub struct DropCell {
    /// `base` with the drop's users, cluster profiles, gains, SNRs and interference.
    pub scenario: CellScenario,
    /// Per user, in `scenario.users` order.
    pub users: Vec<UserBudget>,
    /// G_ref, dB: the SNRs of `scenario` are at this gain.
    pub reference_gain_db: f64,
    /// Uplink interference over thermal at the serving sector, dB (0 without
    /// `DropSetup::ul_interference`): `scenario.ul_snr_db` is lowered by it.
    pub ul_iot_db: f64,
}

/// The interfering sectors' positions and boresights (m, degrees) around the serving sector's
/// site at the origin (boresight along x): its other two sectors and the first ring of six
/// sites, three sectors each, at `isd_m`.
pub fn interfering_sectors(isd_m: f64) -> Vec<(f64, f64, f64)> {
    let mut out = vec![(0.0, 0.0, 120.0), (0.0, 0.0, 240.0)];
    for k in 0..6 {
        let a = (30.0 + 60.0 * k as f64).to_radians();
        for b in [0.0, 120.0, 240.0] {
            out.push((isd_m * a.cos(), isd_m * a.sin(), b));
        }
    }
    out
}

/// Builds the cell of a drop: for each user its 38.901 link ([`link`]), its element gain through
/// the setup's array, coupling loss, SNRs and (if `setup.interference`) its downlink INR from
/// the 20 surrounding sectors; `base` supplies everything else of the scenario (precoder,
/// streams, CSI, periods, seed — `n_streams` is capped at the users). Errors: those of
/// [`link`], an invalid budget, no users.
pub fn cell_from_drop<R: Rng + ?Sized>(
    rng: &mut R,
    setup: &DropSetup,
    users: &[UserPlacement],
    base: &CellScenario,
) -> Result<DropCell> {
    let DropSetup {
        site,
        array,
        array_design_hz,
        budget,
        interference,
        ul_interference,
    } = *setup;
    let site = &site;
    budget.check()?;
    if users.is_empty() {
        return Err(Error::InvalidParameter {
            name: "users",
            value: massive_mimo::error::Value::of(&0),
            reason: "at least one user",
        });
    }
    let links = users
        .iter()
        .map(|u| link(rng, site, u))
        .collect::<Result<Vec<_>>>()?;
    let geoms: Vec<_> = links.iter().map(|l| l.geometry).collect();
    let profiles: Vec<_> = links.iter().map(|l| l.profile.clone()).collect();
    // The rays the cell will simulate (same seed as `CellScenario::build_channel`), so the
    // element gains below are those of the simulated channel.
    let ray_seed: u64 = base.channel_rng().r#gen();
    let ch = ClusterChannel::new(array, array_design_hz, &geoms, &profiles, ray_seed)?;
    let n_ue = budget.noise_per_re_dbm(budget.ue_noise_figure_db);
    let n_bs = budget.noise_per_re_dbm(budget.bs_noise_figure_db);
    let p_bs = budget.bs_power_per_re_dbm();
    let p_ue = budget.ue_power_per_re_dbm();
    let sectors = interfering_sectors(site.scenario.inter_site_distance_m());
    let mut out = Vec::with_capacity(links.len());
    for (u, (l, pos)) in links.into_iter().zip(users).enumerate() {
        let g_elem = ch.element_gain_db(u).unwrap_or(0.0);
        let cl = l.coupling_loss_db();
        let dl_inr_db = if interference {
            let mut i_mw = 0.0;
            for &(x, y, bore) in &sectors {
                let (dx, dy) = (pos.x_m - x, pos.y_m - y);
                let d2d = dx.hypot(dy).max(10.0);
                let dist = LinkDistances {
                    d2d_m: d2d,
                    h_bs_m: site.h_bs_m,
                    h_ut_m: pos.h_ut_m,
                };
                let d_in = pos.indoor.map_or(0.0, |i| i.d2d_in_m.min(d2d));
                let az = dy.atan2(dx).to_degrees() - bore;
                let g = leg_gain_db(rng, site, &dist, d_in, pos.indoor.is_some(), az)?;
                i_mw += 10f64.powf((p_bs + g - l.o2i_loss_db) / 10.0);
            }
            10.0 * i_mw.log10() - n_ue
        } else {
            f64::NEG_INFINITY
        };
        let ul_full = p_ue + g_elem - cl - n_bs;
        let ul_power_db = budget
            .ul_target_snr_db
            .map_or(0.0, |t| (t - ul_full).min(0.0));
        out.push(UserBudget {
            coupling_loss_db: cl,
            element_gain_db: g_elem,
            dl_snr_db: p_bs + g_elem - cl - n_ue,
            ul_snr_db: ul_full + ul_power_db,
            ul_power_db,
            dl_inr_db,
            link: l,
        });
    }
    // Drawn after every user's link and downlink interference, so that those stay as they were.
    let ul_iot_db = if ul_interference {
        let co_scheduled = users.len().min(MAX_UL_USERS);
        uplink_iot_db(rng, site, &budget, &sectors, co_scheduled)?
    } else {
        0.0
    };
    let mut gains: Vec<f64> = out
        .iter()
        .map(|b| b.element_gain_db - b.coupling_loss_db)
        .collect();
    let user_gain_db: Vec<f64> = gains.clone();
    gains.sort_by(f64::total_cmp);
    let g_ref = gains[gains.len() / 2];
    let mut scenario = base.clone();
    scenario.users = out.iter().map(|b| b.link.geometry).collect();
    scenario.n_streams = base.n_streams.min(out.len()).max(1);
    scenario.channel = ChannelKind::Clusters(out.iter().map(|b| b.link.profile.clone()).collect());
    scenario.user_gain_db = user_gain_db.iter().map(|g| g - g_ref).collect();
    scenario.dl_snr_db = p_bs - n_ue + g_ref;
    scenario.ul_snr_db = p_ue - n_bs - ul_iot_db + g_ref;
    scenario.ul_power_db = out.iter().map(|b| b.ul_power_db).collect();
    scenario.dl_interference_db = if interference {
        out.iter().map(|b| b.dl_inr_db).collect()
    } else {
        Vec::new()
    };
    Ok(DropCell {
        scenario,
        users: out,
        reference_gain_db: g_ref,
        ul_iot_db,
    })
}

/// The large-scale gain of one leg between a sector of `site` and a user at `dist`
/// (`d2d_in_m` of it indoors, `azimuth_deg` from the sector's boresight), dB: the element
/// pattern's gain toward the user's LOS direction (Table 7.3-1) − path loss − shadow fading,
/// with the leg's own LOS draw ([`outdoor_leg`]) and shadowing draw, in that order; the O2I
/// loss is the caller's (one per user, shared by all its legs).
fn leg_gain_db<R: Rng + ?Sized>(
    rng: &mut R,
    site: &Site,
    dist: &LinkDistances,
    d2d_in_m: f64,
    indoor: bool,
    azimuth_deg: f64,
) -> Result<f64> {
    let leg = outdoor_leg(rng, site.scenario, site.fc_ghz, dist, d2d_in_m)?;
    let sf = Propagation::of(indoor, leg.los)
        .lsp(site.scenario)
        .sf_sigma_db
        * crate::channel::normal(rng);
    let zenith = 90.0 + (site.h_bs_m - dist.h_ut_m).atan2(dist.d2d_m).to_degrees();
    Ok(ELEMENT_GAIN_DBI + element_pattern_db(zenith, azimuth_deg) - leg.pathloss_db - sf)
}

/// The most users the simulated cell's uplink co-schedules per PRB (its DMRS ports).
const MAX_UL_USERS: usize = 12;

/// Uplink interference over thermal at the serving sector (origin, boresight along x), dB:
/// `co_scheduled` power-controlled users in each sector of `sectors` (see the module
/// documentation).
fn uplink_iot_db<R: Rng + ?Sized>(
    rng: &mut R,
    site: &Site,
    budget: &LinkBudget,
    sectors: &[(f64, f64, f64)],
    co_scheduled: usize,
) -> Result<f64> {
    let n_bs = budget.noise_per_re_dbm(budget.bs_noise_figure_db);
    let p_max = budget.ue_power_per_re_dbm();
    let cfg = DropConfig::sector(site.scenario, co_scheduled);
    let mut i_mw = 0.0;
    for &(x0, y0, bore) in sectors {
        let (sn, cs) = bore.to_radians().sin_cos();
        for u in drop_users(rng, site, &cfg)? {
            let d_in = u.indoor.map_or(0.0, |i| i.d2d_in_m);
            let o2i = u.indoor.map_or(0.0, |i| {
                o2i_loss_db(rng, i.building, site.fc_ghz, i.d2d_in_m)
            });
            // Toward its own sector: the power control's path.
            let own = LinkDistances {
                d2d_m: u.d2d_m(),
                h_bs_m: site.h_bs_m,
                h_ut_m: u.h_ut_m,
            };
            let g_own = leg_gain_db(rng, site, &own, d_in, u.indoor.is_some(), u.azimuth_deg())?;
            let p = budget
                .ul_target_snr_db
                .map_or(p_max, |t| (t + n_bs + o2i - g_own).min(p_max));
            // Toward the serving sector.
            let (x, y) = (x0 + cs * u.x_m - sn * u.y_m, y0 + sn * u.x_m + cs * u.y_m);
            let d2d = x.hypot(y).max(10.0);
            let to_us = LinkDistances { d2d_m: d2d, ..own };
            let az = y.atan2(x).to_degrees();
            let g = leg_gain_db(rng, site, &to_us, d_in.min(d2d), u.indoor.is_some(), az)?;
            i_mw += 10f64.powf((p + g - o2i) / 10.0);
        }
    }
    Ok(10.0 * (1.0 + i_mw / 10f64.powf(n_bs / 10.0)).log10())
}
