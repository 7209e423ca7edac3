//! Correlated large-scale parameters, 38.901 §7.5 step 4 (Tables 7.5-6 … 7.5-9).
//!
//! Per link, the seven parameters SF (dB), K (dB), lgDS, lgASD, lgASA, lgZSD and lgZSA are
//! jointly Gaussian with the means and standard deviations of Table 7.5-6 (lgZSD's mean from
//! Tables 7.5-7…-9 as a function of d2D and the heights) and the table's cross-correlations:
//! x = μ + σ ⊙ (L·z), z ~ N(0, I₇), L the Cholesky factor of the correlation matrix. Spreads
//! are then 10^lgX, with ASD and ASA limited to 104° and ZSD and ZSA to 52° (step 4).

use super::pathloss::LinkDistances;
use super::{Propagation, Scenario, check_fc};
use crate::channel::normal;
use massive_mimo::tables::scenario_38901::{HeightTerm, LogNormal, Lsp, ZodOffset};
use massive_mimo::{Error, Result};
use rand::Rng;

/// Order of the seven parameters in [`LspDistribution`]'s vectors and in the tables'
/// cross-correlation matrices.
pub const LSP_NAMES: [&str; 7] = ["SF", "K", "DS", "ASD", "ASA", "ZSD", "ZSA"];

/// One link's large-scale parameters (step 4), before the spreads are limited.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LargeScale {
    /// Shadow fading, dB (added to the path loss).
    pub shadow_fading_db: f64,
    /// Ricean K-factor, dB (LOS links only).
    pub k_db: Option<f64>,
    /// log10(DS / 1 s).
    pub lg_ds: f64,
    /// log10(ASD / 1°).
    pub lg_asd: f64,
    /// log10(ASA / 1°).
    pub lg_asa: f64,
    /// log10(ZSD / 1°).
    pub lg_zsd: f64,
    /// log10(ZSA / 1°).
    pub lg_zsa: f64,
    /// The mean of lgZSD this link used (Tables 7.5-7…-9): the ZOD ray spread is
    /// 3/8·10^μ_lgZSD (eq. 7.5-20).
    pub lg_zsd_mu: f64,
    /// μ_offset,ZOD, degrees (Tables 7.5-7…-9).
    pub zod_offset_deg: f64,
}

impl LargeScale {
    /// Delay spread, s.
    pub fn delay_spread_s(&self) -> f64 {
        10f64.powf(self.lg_ds)
    }

    /// Azimuth spread of departure, degrees, ≤ 104°.
    pub fn asd_deg(&self) -> f64 {
        10f64.powf(self.lg_asd).min(104.0)
    }

    /// Azimuth spread of arrival, degrees, ≤ 104°.
    pub fn asa_deg(&self) -> f64 {
        10f64.powf(self.lg_asa).min(104.0)
    }

    /// Zenith spread of departure, degrees, ≤ 52°.
    pub fn zsd_deg(&self) -> f64 {
        10f64.powf(self.lg_zsd).min(52.0)
    }

    /// Zenith spread of arrival, degrees, ≤ 52°.
    pub fn zsa_deg(&self) -> f64 {
        10f64.powf(self.lg_zsa).min(52.0)
    }

    /// The ZOD intra-cluster spread (3/8)·10^μ_lgZSD, degrees (eq. 7.5-20).
    pub fn zod_ray_spread_deg(&self) -> f64 {
        0.375 * 10f64.powf(self.lg_zsd_mu)
    }
}

/// The joint distribution of one link's large-scale parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct LspDistribution {
    /// Means, ordered as [`LSP_NAMES`] (SF and K in dB, the others log10).
    pub mean: [f64; 7],
    /// Standard deviations, same order (K's is 0 where the condition has no K-factor).
    pub sigma: [f64; 7],
    /// Lower Cholesky factor of the correlation matrix.
    chol: [[f64; 7]; 7],
    has_k: bool,
    zod_offset_deg: f64,
}

fn lognormal(p: LogNormal, log_fc: f64) -> (f64, f64) {
    (p.mu[0] + p.mu[1] * log_fc, p.sigma[0] + p.sigma[1] * log_fc)
}

/// The lower Cholesky factor of a symmetric positive-definite 7 × 7 matrix (`None` if it is
/// not positive definite).
pub fn cholesky7(a: &[[f64; 7]; 7]) -> Option<[[f64; 7]; 7]> {
    let mut l = [[0.0; 7]; 7];
    for i in 0..7 {
        for j in 0..=i {
            let s: f64 = a[i][j] - (0..j).map(|k| l[i][k] * l[j][k]).sum::<f64>();
            if i == j {
                if s <= 0.0 {
                    return None;
                }
                l[i][i] = s.sqrt();
            } else {
                l[i][j] = s / l[j][j];
            }
        }
    }
    Some(l)
}

/// μ_offset,ZOD of Tables 7.5-7…-9 in degrees (`fc_ghz` floored at 6 GHz for UMa).
pub fn zod_offset_deg(offset: ZodOffset, fc_ghz: f64, d2d_m: f64, h_ut_m: f64) -> f64 {
    match offset {
        ZodOffset::Zero => 0.0,
        ZodOffset::Uma { a, b, c, e } => {
            let lf = fc_ghz.max(6.0).log10();
            let (a, c, e) = (a[0] + a[1] * lf, c[0] + c[1] * lf, e[0] + e[1] * lf);
            e - 10f64.powf(a * d2d_m.max(b).log10() + c - 0.07 * (h_ut_m - 1.5))
        }
        ZodOffset::Umi {
            slope,
            d_min,
            intercept,
        } => -10f64.powf(slope * d2d_m.max(d_min).log10() + intercept),
        ZodOffset::Rma { h_bs, h_hi, h_lo } => {
            (((h_bs - h_hi) / d2d_m).atan() - ((h_bs - h_lo) / d2d_m).atan()).to_degrees()
        }
    }
}

impl LspDistribution {
    /// The distribution for a `propagation` link of `scenario` at `fc_ghz` (GHz) with geometry
    /// `link` (for lgZSD's mean and the ZOD offset); `beyond_breakpoint` selects RMa LOS's
    /// after-breakpoint shadow fading. Errors: frequency or geometry out of range, a table whose
    /// correlation matrix is not positive definite (none is: tested).
    pub fn new(
        scenario: Scenario,
        propagation: Propagation,
        fc_ghz: f64,
        link: &LinkDistances,
        beyond_breakpoint: bool,
    ) -> Result<Self> {
        check_fc(fc_ghz)?;
        link.check(scenario)?;
        let p: &Lsp = propagation.lsp(scenario);
        let lf = scenario.log_fc(fc_ghz);
        let (ds, ds_s) = lognormal(p.lg_ds, lf);
        let (asd, asd_s) = lognormal(p.lg_asd, lf);
        let (asa, asa_s) = lognormal(p.lg_asa, lf);
        let (zsa, zsa_s) = lognormal(p.lg_zsa, lf);
        let z = p.lg_zsd_mu;
        let h = match z.height {
            HeightTerm::UtMinus1p5 => link.h_ut_m - 1.5,
            HeightTerm::AbsUtMinusBs => (link.h_ut_m - link.h_bs_m).abs(),
            HeightTerm::PositiveUtMinusBs => (link.h_ut_m - link.h_bs_m).max(0.0),
        };
        let zsd = (z.a * link.d2d_m / 1000.0 + z.b * h + z.c).max(z.floor);
        let sf_s = if beyond_breakpoint {
            p.sf_sigma_after_breakpoint_db
        } else {
            p.sf_sigma_db
        };
        let (k, k_s) = p.k_db.map_or((0.0, 0.0), |k| (k[0], k[1]));
        let chol = cholesky7(&p.cross_correlation).ok_or(Error::InvalidParameter {
            name: "cross_correlation",
            value: massive_mimo::value!("{scenario:?} {propagation:?}"),
            reason: "the table's correlation matrix must be positive definite",
        })?;
        Ok(Self {
            mean: [0.0, k, ds, asd, asa, zsd, zsa],
            sigma: [sf_s, k_s, ds_s, asd_s, asa_s, p.lg_zsd_sigma, zsa_s],
            chol,
            has_k: p.k_db.is_some(),
            zod_offset_deg: zod_offset_deg(p.zod_offset, fc_ghz, link.d2d_m, link.h_ut_m),
        })
    }

    /// One draw.
    pub fn draw<R: Rng + ?Sized>(&self, rng: &mut R) -> LargeScale {
        let z: [f64; 7] = std::array::from_fn(|_| normal(rng));
        let x: [f64; 7] = std::array::from_fn(|i| {
            let c: f64 = (0..=i).map(|j| self.chol[i][j] * z[j]).sum();
            self.mean[i] + self.sigma[i] * c
        });
        LargeScale {
            shadow_fading_db: x[0],
            k_db: self.has_k.then_some(x[1]),
            lg_ds: x[2],
            lg_asd: x[3],
            lg_asa: x[4],
            lg_zsd: x[5],
            lg_zsa: x[6],
            lg_zsd_mu: self.mean[5],
            zod_offset_deg: self.zod_offset_deg,
        }
    }
}
