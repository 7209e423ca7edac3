//! LOS probability, 38.901 §7.4.2 Table 7.4.2-1.

use super::Scenario;
use massive_mimo::tables::scenario_38901 as t;
use massive_mimo::{Error, Result};

/// The probability that a link of `scenario` is line of sight, from the outdoor part of its
/// horizontal distance `d2d_out_m` (m) and the UT height `h_ut_m` (m; UMa only):
///
/// * UMa: 1 for d ≤ 18 m, else (18/d + e^{−d/63}·(1 − 18/d))·(1 + C′(h_UT)·5/4·(d/100)³·e^{−d/150})
///   with C′ = 0 for h_UT ≤ 13 m and ((h_UT − 13)/10)^1.5 above;
/// * UMi-Street Canyon: 1 for d ≤ 18 m, else 18/d + e^{−d/36}·(1 − 18/d);
/// * RMa: 1 for d ≤ 10 m, else e^{−(d − 10)/1000}.
///
/// The result is clamped to [0, 1]. Errors: a distance or height not finite and ≥ 0.
pub fn los_probability(scenario: Scenario, d2d_out_m: f64, h_ut_m: f64) -> Result<f64> {
    for (name, v) in [("d2d_out_m", d2d_out_m), ("h_ut_m", h_ut_m)] {
        if !(v.is_finite() && v >= 0.0) {
            return Err(Error::InvalidParameter {
                name,
                value: massive_mimo::error::Value::of(&v),
                reason: "must be finite and ≥ 0",
            });
        }
    }
    let d = d2d_out_m;
    let urban = |p: t::LosProbability| {
        if d <= p.d0 {
            1.0
        } else {
            p.d0 / d + (-d / p.d1).exp() * (1.0 - p.d0 / d)
        }
    };
    let p = match scenario {
        Scenario::UMa => {
            let base = urban(t::UMA_LOS_PROBABILITY);
            let c = if h_ut_m <= 13.0 {
                0.0
            } else {
                ((h_ut_m - 13.0) / 10.0).powf(1.5)
            };
            if d <= t::UMA_LOS_PROBABILITY.d0 {
                base
            } else {
                base * (1.0 + c * 1.25 * (d / 100.0).powi(3) * (-d / 150.0).exp())
            }
        }
        Scenario::UMiStreetCanyon => urban(t::UMI_STREET_CANYON_LOS_PROBABILITY),
        Scenario::RMa => {
            let p = t::RMA_LOS_PROBABILITY;
            if d <= p.d0 {
                1.0
            } else {
                (-(d - p.d0) / p.d1).exp()
            }
        }
    };
    Ok(p.clamp(0.0, 1.0))
}
