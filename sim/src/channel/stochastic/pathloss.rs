//! Path loss, 38.901 §7.4.1 Table 7.4.1-1 (UMa, UMi-Street Canyon, RMa; LOS and NLOS), and the
//! outdoor-to-indoor penetration loss of §7.4.3.1.

use super::{Scenario, check_fc};
use crate::channel::SPEED_OF_LIGHT;
use massive_mimo::tables::scenario_38901 as t;
use massive_mimo::{Error, Result};
use rand::Rng;

/// A link's geometry: horizontal distance and the two antenna heights, m.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinkDistances {
    /// Horizontal BS–UT distance d2D, m.
    pub d2d_m: f64,
    /// BS antenna height h_BS, m.
    pub h_bs_m: f64,
    /// UT antenna height h_UT, m.
    pub h_ut_m: f64,
}

impl LinkDistances {
    /// d3D = √(d2D² + (h_BS − h_UT)²), m.
    pub fn d3d_m(&self) -> f64 {
        self.d2d_m.hypot(self.h_bs_m - self.h_ut_m)
    }

    /// Checks the ranges of Table 7.4.1-1: 10 m ≤ d2D ≤ 5 km (RMa 10 km), heights finite and
    /// > 0 (UMi users may be above the BS).
    pub fn check(&self, scenario: Scenario) -> Result<()> {
        let d_max = if scenario == Scenario::RMa {
            10_000.0
        } else {
            5_000.0
        };
        if !(self.d2d_m.is_finite() && (10.0..=d_max).contains(&self.d2d_m)) {
            return Err(Error::InvalidParameter {
                name: "d2d_m",
                value: massive_mimo::error::Value::of(&self.d2d_m),
                reason: "Table 7.4.1-1 covers 10 m ≤ d2D ≤ 5 km (RMa: 10 km)",
            });
        }
        if !(self.h_bs_m.is_finite()
            && self.h_ut_m.is_finite()
            && self.h_ut_m > 0.0
            && self.h_bs_m > 0.0)
        {
            return Err(Error::InvalidParameter {
                name: "(h_bs_m, h_ut_m)",
                value: massive_mimo::value!("({}, {})", self.h_bs_m, self.h_ut_m),
                reason: "heights finite and > 0",
            });
        }
        Ok(())
    }
}

/// The UMa effective environment height h_E (note 1 of Table 7.4.1-1): 1 m with probability
/// 1/(1 + C(d2D, h_UT)), otherwise uniform over {12, 15, …, h_UT − 1.5} m, with
/// C = 0 for h_UT < 13 m, else ((h_UT − 13)/10)^1.5·g(d2D), g = 0 for d2D ≤ 18 m, else
/// 5/4·(d2D/100)³·e^{−d2D/150}. UMi and RMa use h_E = 1 m (and RMa the actual heights).
pub fn effective_environment_height<R: Rng + ?Sized>(rng: &mut R, d2d_m: f64, h_ut_m: f64) -> f64 {
    let g = if d2d_m <= 18.0 {
        0.0
    } else {
        1.25 * (d2d_m / 100.0).powi(3) * (-d2d_m / 150.0).exp()
    };
    let c = if h_ut_m < 13.0 {
        0.0
    } else {
        ((h_ut_m - 13.0) / 10.0).powf(1.5) * g
    };
    // Choices 12, 15, …, ≤ h_UT − 1.5.
    let n = if h_ut_m - 1.5 >= 12.0 {
        ((h_ut_m - 1.5 - 12.0) / 3.0).floor() as usize + 1
    } else {
        0
    };
    if n == 0 || rng.r#gen::<f64>() < 1.0 / (1.0 + c) {
        1.0
    } else {
        12.0 + 3.0 * rng.gen_range(0..n) as f64
    }
}

/// The breakpoint distance, m: UMa / UMi d′BP = 4·(h_BS − h_E)·(h_UT − h_E)·fc/c (h_E = 1 m for
/// UMi), RMa d_BP = 2π·h_BS·h_UT·fc/c; fc in GHz.
pub fn breakpoint_m(scenario: Scenario, fc_ghz: f64, link: &LinkDistances, h_e_m: f64) -> f64 {
    let f = fc_ghz * 1e9;
    match scenario {
        Scenario::RMa => {
            2.0 * std::f64::consts::PI * link.h_bs_m * link.h_ut_m * f / SPEED_OF_LIGHT
        }
        _ => {
            let h_e = if scenario == Scenario::UMa {
                h_e_m
            } else {
                1.0
            };
            4.0 * (link.h_bs_m - h_e) * (link.h_ut_m - h_e).max(0.0) * f / SPEED_OF_LIGHT
        }
    }
}

fn term(p: t::PathlossTerm, d3d: f64, fc_ghz: f64, d_bp: f64, dh: f64, h_ut: f64) -> f64 {
    let mut pl = p.a + p.b * d3d.log10() + p.c * fc_ghz.log10();
    if p.d != 0.0 {
        pl -= p.d * (d_bp * d_bp + dh * dh).log10();
    }
    if p.e != 0.0 {
        pl -= p.e * (h_ut - 1.5);
    }
    pl
}

/// RMa PL1 at 3D distance `d` (m).
fn rma_pl1(d: f64, fc_ghz: f64) -> f64 {
    let r = t::RMA_PATHLOSS;
    let h = r.defaults_m[0];
    let hp = h.powf(r.exp_h);
    20.0 * (r.k_fspl * std::f64::consts::PI * d * fc_ghz / 3.0).log10()
        + (r.a1 * hp).min(r.a1_cap) * d.log10()
        - (r.a2 * hp).min(r.a2_cap)
        + r.a3 * h.log10() * d
}

/// Path loss in dB of a `los` or NLOS link of `scenario` at `fc_ghz` (GHz), Table 7.4.1-1:
///
/// * UMa / UMi LOS: PL1 = A + B·log10(d3D) + C·log10(fc) up to d′BP, beyond it PL2 = PL1's A
///   with 40·log10(d3D) − D·log10(d′BP² + (h_BS − h_UT)²); NLOS: max(PL_LOS, PL′_NLOS) with
///   PL′ = A + B·log10(d3D) + C·log10(fc) − E·(h_UT − 1.5);
/// * RMa LOS: PL1 (with the default building height h = 5 m) up to d_BP, PL2 = PL1(d_BP) +
///   40·log10(d3D/d_BP) beyond; NLOS: max(PL_LOS, PL′_NLOS) with the default street width
///   W = 20 m.
///
/// `h_e_m` is the UMa effective environment height ([`effective_environment_height`]; ignored
/// elsewhere). Shadow fading is not included (it is a large-scale parameter, [`super::large_scale`]).
/// Errors: distances, heights or frequency outside the table's ranges.
pub fn pathloss_db(
    scenario: Scenario,
    los: bool,
    fc_ghz: f64,
    link: &LinkDistances,
    h_e_m: f64,
) -> Result<f64> {
    check_fc(fc_ghz)?;
    link.check(scenario)?;
    let d3d = link.d3d_m();
    let dh = link.h_bs_m - link.h_ut_m;
    let d_bp = breakpoint_m(scenario, fc_ghz, link, h_e_m);
    Ok(match scenario {
        Scenario::UMa | Scenario::UMiStreetCanyon => {
            let p = if scenario == Scenario::UMa {
                t::UMA_PATHLOSS
            } else {
                t::UMI_STREET_CANYON_PATHLOSS
            };
            let pl_los = if link.d2d_m <= d_bp {
                term(p.los1, d3d, fc_ghz, d_bp, dh, link.h_ut_m)
            } else {
                term(p.los2, d3d, fc_ghz, d_bp, dh, link.h_ut_m)
            };
            if los {
                pl_los
            } else {
                pl_los.max(term(p.nlos, d3d, fc_ghz, d_bp, dh, link.h_ut_m))
            }
        }
        Scenario::RMa => {
            let pl_los = if link.d2d_m <= d_bp {
                rma_pl1(d3d, fc_ghz)
            } else {
                rma_pl1(d_bp, fc_ghz) + t::RMA_PATHLOSS.slope * (d3d / d_bp).log10()
            };
            if los {
                pl_los
            } else {
                let r = t::RMA_PATHLOSS;
                let [h, w, _, _] = r.defaults_m;
                let hb = link.h_bs_m;
                let nlos = r.c0 - r.cw * w.log10() + r.ch * h.log10()
                    - (r.cbs1 - r.cbs2 * (h / hb).powi(2)) * hb.log10()
                    + (r.cd1 - r.cd2 * hb.log10()) * (d3d.log10() - 3.0)
                    + r.cf * fc_ghz.log10()
                    - (r.cut1 * (r.cut_arg * link.h_ut_m).log10().powi(2) - r.cut2);
                pl_los.max(nlos)
            }
        }
    })
}

/// Whether the link is beyond the breakpoint (RMa LOS shadow fading is 4 dB before it, 6 dB
/// after).
pub fn beyond_breakpoint(
    scenario: Scenario,
    fc_ghz: f64,
    link: &LinkDistances,
    h_e_m: f64,
) -> bool {
    link.d2d_m > breakpoint_m(scenario, fc_ghz, link, h_e_m)
}

/// The building-penetration model of §7.4.3.1 (Table 7.4.3-2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BuildingType {
    /// Low-loss: 30 % standard glass, 70 % concrete; σ_P = 4.4 dB.
    LowLoss,
    /// High-loss: 70 % IRR glass, 30 % concrete; σ_P = 6.5 dB.
    HighLoss,
}

impl BuildingType {
    /// (PL_tw, σ_P) in dB at `fc_ghz`: PL_tw = 5 − 10·log10(Σ p_i·10^{−L_i/10}) with the
    /// material losses of Table 7.4.3-1 (standard glass 2 + 0.2·fc, IRR glass 23 + 0.3·fc,
    /// concrete 5 + 4·fc dB, fc in GHz).
    pub fn wall_loss_db(self, fc_ghz: f64) -> (f64, f64) {
        let glass = 2.0 + 0.2 * fc_ghz;
        let irr_glass = 23.0 + 0.3 * fc_ghz;
        let concrete = 5.0 + 4.0 * fc_ghz;
        let lin = |l: f64| 10f64.powf(-l / 10.0);
        match self {
            BuildingType::LowLoss => (
                5.0 - 10.0 * (0.3 * lin(glass) + 0.7 * lin(concrete)).log10(),
                4.4,
            ),
            BuildingType::HighLoss => (
                5.0 - 10.0 * (0.7 * lin(irr_glass) + 0.3 * lin(concrete)).log10(),
                6.5,
            ),
        }
    }
}

/// The O2I penetration loss PL_tw + PL_in + N(0, σ_P²) of §7.4.3.1 in dB, with PL_in = 0.5 dB/m
/// × the indoor distance `d2d_in_m`.
pub fn o2i_loss_db<R: Rng + ?Sized>(
    rng: &mut R,
    building: BuildingType,
    fc_ghz: f64,
    d2d_in_m: f64,
) -> f64 {
    let (tw, sigma) = building.wall_loss_db(fc_ghz);
    tw + 0.5 * d2d_in_m + sigma * crate::channel::normal(rng)
}
