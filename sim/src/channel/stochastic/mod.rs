//! The 38.901 §7.5 stochastic 3D channel model (the "fast fading model" of TR 38.901 v16/v17)
//! for the UMa, UMi-Street Canyon and RMa scenarios, from a drop geometry to a
//! [`ClusterProfile`](super::ClusterProfile) that [`ClusterChannel`](super::ClusterChannel)
//! evaluates through the base station's panel array.
//!
//! The procedure of §7.5 (Figure 7.5-1), step by step, and where each step lives:
//!
//! | step | what | here |
//! |---|---|---|
//! | 1 | scenario, BS/UT positions and heights, carrier, array | [`drop`](mod@drop) ([`Site`], [`UserPlacement`]) |
//! | 2 | LOS/NLOS per link (Table 7.4.2-1), O2I | [`los_probability()`], [`drop::link`] |
//! | 3 | path loss (Table 7.4.1-1), O2I penetration (§7.4.3) | [`pathloss`] |
//! | 4 | correlated large-scale parameters DS, ASD, ASA, ZSD, ZSA, K, SF (Tables 7.5-6…-9) | [`large_scale`] |
//! | 5–7 | cluster delays, powers, AOA/AOD/ZOA/ZOD with C_φ, C_θ, the LOS K-scaling and the ZOD offset | [`clusters`] |
//! | 8 | random coupling of rays | [`ClusterChannel`](super::ClusterChannel) |
//! | 9 | cross-polarisation ratio per ray (log-normal) | [`ClusterChannel`](super::ClusterChannel) ([`ClusterSpreads::xpr_sigma_db`](super::ClusterSpreads::xpr_sigma_db)) |
//! | 10 | random initial phases | [`ClusterChannel`](super::ClusterChannel) |
//! | 11 | channel coefficients, the two strongest clusters split into three sub-clusters (c_DS), the LOS ray with K_R | [`clusters`], [`ClusterChannel`](super::ClusterChannel) |
//! | 12 | path loss and shadowing applied | [`drop::Link::coupling_loss_db`] (for the link budget; the channel itself stays normalised) |
//!
//! Parameters come from `massive_mimo::tables::scenario_38901` (generated from the shared,
//! cross-checked tables). Not modelled: spatial consistency (§7.6.3: each link draws its
//! large-scale parameters independently, the correlation distances are carried but unused),
//! the optional NLOS path-loss models, the oxygen absorption, blockage and ground reflection of
//! §7.6, and UT antenna arrays (the user has one vertically polarised isotropic antenna, as in
//! the rest of the simulation crate).

pub mod clusters;
pub mod drop;
pub mod large_scale;
pub mod los_probability;
pub mod pathloss;

pub use clusters::{LosDirections, cluster_profile};
pub use drop::{
    BuildingType, DropConfig, Indoor, Link, OutdoorLeg, Site, UserPlacement, drop_users,
    field_test_users, link, outdoor_leg,
};
pub use large_scale::{LargeScale, LspDistribution};
pub use los_probability::los_probability;
pub use pathloss::{LinkDistances, pathloss_db};

use massive_mimo::tables::scenario_38901 as t;
use massive_mimo::{Error, Result};

/// A 38.901 deployment scenario (Table 7.2-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scenario {
    /// Urban macro: BS 25 m above ground, ISD 500 m.
    UMa,
    /// Urban micro, street canyon: BS 10 m, ISD 200 m.
    UMiStreetCanyon,
    /// Rural macro: BS 35 m, ISD 1 732 m.
    RMa,
}

impl Scenario {
    /// The scenario's Table 7.5-6 column set.
    pub fn table(self) -> &'static t::Scenario {
        match self {
            Scenario::UMa => &t::UMA,
            Scenario::UMiStreetCanyon => &t::UMI_STREET_CANYON,
            Scenario::RMa => &t::RMA,
        }
    }

    /// The BS height of Table 7.2-1 (and of the path-loss table's defaults), m.
    pub fn default_bs_height_m(self) -> f64 {
        match self {
            Scenario::UMa => t::UMA_PATHLOSS.h_bs_default_m,
            Scenario::UMiStreetCanyon => t::UMI_STREET_CANYON_PATHLOSS.h_bs_default_m,
            Scenario::RMa => t::RMA_PATHLOSS.defaults_m[2],
        }
    }

    /// Inter-site distance of Table 7.2-1, m.
    pub fn inter_site_distance_m(self) -> f64 {
        match self {
            Scenario::UMa => 500.0,
            Scenario::UMiStreetCanyon => 200.0,
            Scenario::RMa => 1732.0,
        }
    }

    /// The log10 frequency term of Table 7.5-6: log10(offset + max(fc, fc_min)), fc in GHz
    /// (UMa: fc ≥ 6 GHz; UMi: log10(1 + fc) with fc ≥ 2 GHz; RMa: no frequency dependence).
    pub fn log_fc(self, fc_ghz: f64) -> f64 {
        let s = self.table();
        let f = s.fc_min_ghz.map_or(fc_ghz, |m| fc_ghz.max(m));
        (s.fc_log_offset_ghz + f).log10()
    }
}

/// The propagation condition of a link (§7.4.2, §7.4.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Propagation {
    /// Line of sight.
    Los,
    /// Non line of sight.
    Nlos,
    /// Outdoor to indoor (the outdoor part may itself be LOS or NLOS for the path loss).
    O2i,
}

impl Propagation {
    /// The condition of a user indoors (O2I whatever its outdoor leg) or outdoors with a LOS
    /// or NLOS leg.
    pub fn of(indoor: bool, outdoor_los: bool) -> Self {
        match (indoor, outdoor_los) {
            (true, _) => Propagation::O2i,
            (false, true) => Propagation::Los,
            (false, false) => Propagation::Nlos,
        }
    }

    /// The Table 7.5-6 column of this condition in `scenario`.
    pub fn lsp(self, scenario: Scenario) -> &'static t::Lsp {
        let s = scenario.table();
        match self {
            Propagation::Los => &s.los,
            Propagation::Nlos => &s.nlos,
            Propagation::O2i => &s.o2i,
        }
    }
}

/// Checks that a carrier frequency in GHz is finite and within 0.5–100 GHz (the range of
/// 38.901).
pub(crate) fn check_fc(fc_ghz: f64) -> Result<()> {
    if !(fc_ghz.is_finite() && (0.5..=100.0).contains(&fc_ghz)) {
        return Err(Error::InvalidParameter {
            name: "fc_ghz",
            value: massive_mimo::error::Value::of(&fc_ghz),
            reason: "38.901 covers 0.5–100 GHz",
        });
    }
    Ok(())
}
