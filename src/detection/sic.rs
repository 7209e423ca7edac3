//! Ordered successive interference cancellation (MMSE-SIC, V-BLAST ordering per PRB group):
//! each stage runs the per-PRB MMSE (or MMSE-IRC) detector of [`MimoDetector`], takes in every
//! group the not-yet-cancelled layer with the best post-equalisation SINR, slices its symbols to
//! the nearest constellation point, subtracts `h_l·x̂_l` from the received grid and zeroes that
//! channel column, so the remaining layers are detected with one interferer fewer. After
//! `stages` cancellations a final MMSE pass detects the rest.
//!
//! Outputs per layer are the soft (unbiased MMSE) values and noise variances of the stage in
//! which the layer was detected — the demapper's input; the hard decisions only drive the
//! cancellation. Error propagation is the known price: SIC helps when the cancelled layers are
//! detected reliably (tests: 16 × 8, 16QAM).

use ndarray::{Array2, Array3, ArrayView3, ArrayViewMut2, ArrayViewMut3, s};

use super::detector::{DetectorConfig, DetectorMethod, GroupChannels, MimoDetector};
use crate::modulation::Modulation;
use crate::resource::SUBCARRIERS_PER_PRB;
use crate::{C32, Error, Result};

/// What a [`SicDetector::process`] call does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SicConfig {
    /// Constellation of every layer (square QAM: QPSK … 1024QAM), for slicing.
    pub modulation: Modulation,
    /// Cancellations per group (0 = plain MMSE; at most n_l − 1).
    pub stages: usize,
    /// MMSE-IRC (with the channels' interference factors) instead of MMSE.
    pub irc: bool,
}

/// MMSE-SIC over per-PRB groups; buffers sized at construction.
pub struct SicDetector {
    det: MimoDetector,
    n_rx: usize,
    n_l: usize,
    n_groups: usize,
    group_sc: usize,
    h_work: Array3<C32>,
    y_work: Array3<C32>,
    x_stage: Array3<C32>,
    nv_stage: Array2<f32>,
    done: Array2<bool>,
}

/// Nearest point of a square Gray QAM of 38.211 §5.1 (QPSK … 1024QAM), per axis.
fn slice(modulation: Modulation, v: C32) -> C32 {
    let m = modulation.bits_per_axis() as i32;
    let levels = (1i32 << m) as f32; // per axis: ±1, ±3, … ±(levels − 1)
    let norm = (2.0 * (levels * levels - 1.0) / 3.0).sqrt();
    let axis = |x: f32| {
        let u = x * norm;
        let k = ((u + levels - 1.0) / 2.0).round().clamp(0.0, levels - 1.0);
        (2.0 * k - (levels - 1.0)) / norm
    };
    C32::new(axis(v.re), axis(v.im))
}

impl SicDetector {
    /// Buffers for the capacity `cfg` (the same [`DetectorConfig`] as the detector of every
    /// stage); a call's shapes must equal it (SIC keeps whole-slot working copies).
    pub fn new(cfg: &DetectorConfig) -> Result<Self> {
        let det = MimoDetector::new(cfg)?;
        let DetectorConfig {
            max_ant: n_rx,
            max_layers: n_l,
            max_groups: n_groups,
            group_prbs,
            n_sym,
            ..
        } = *cfg;
        let n_sc = SUBCARRIERS_PER_PRB * group_prbs * n_groups;
        Ok(Self {
            det,
            n_rx,
            n_l,
            n_groups,
            group_sc: SUBCARRIERS_PER_PRB * group_prbs,
            h_work: Array3::zeros((n_groups, n_l, n_rx)),
            y_work: Array3::zeros((n_rx, n_sym, n_sc)),
            x_stage: Array3::zeros((n_l, n_sym, n_sc)),
            nv_stage: Array2::zeros((n_groups, n_l)),
            done: Array2::from_elem((n_groups, n_l), false),
        })
    }

    /// Detects `y` [n_rx, n_sym, n_sc] (n_sc = 12·group_prbs·n_groups) as `config` says
    /// (unbiased MMSE or MMSE-IRC in every stage). Writes `x` [n_l, n_sym, n_sc] and
    /// `x_noise_var` [n_groups, n_l].
    pub fn process(
        &mut self,
        channels: &GroupChannels<'_>,
        config: SicConfig,
        y: ArrayView3<'_, C32>,
        mut x: ArrayViewMut3<'_, C32>,
        mut x_noise_var: ArrayViewMut2<'_, f32>,
    ) -> Result<()> {
        let SicConfig {
            modulation,
            stages,
            irc,
        } = config;
        if modulation.bits_per_axis() == 0 {
            return Err(Error::InvalidParameter {
                name: "modulation",
                value: crate::value!("{modulation:?}"),
                reason: "SIC slices square QAM (QPSK … 1024QAM)",
            });
        }
        if stages >= self.n_l {
            return Err(Error::InvalidParameter {
                name: "stages",
                value: crate::error::Value::of(&stages),
                reason: "at most n_l − 1 cancellations",
            });
        }
        if y.dim() != self.y_work.dim() || x.dim() != self.x_stage.dim() {
            return Err(Error::ShapeMismatch {
                name: "y [n_rx, n_sym, n_sc] / x [n_l, n_sym, n_sc]",
                expected: crate::error::Shape::of(self.y_work.shape()),
                got: crate::error::Shape::of(y.shape()),
            });
        }
        if x_noise_var.dim() != (self.n_groups, self.n_l) || channels.h.dim() != self.h_work.dim() {
            return Err(Error::ShapeMismatch {
                name: "x_noise_var [n_groups, n_l] / h [n_groups, n_layers, n_ant]",
                expected: crate::error::Shape::of(&[self.n_groups, self.n_l]),
                got: crate::error::Shape::of(x_noise_var.shape()),
            });
        }
        let method = if irc {
            DetectorMethod::Irc { unbiased: true }
        } else {
            DetectorMethod::Mmse { unbiased: true }
        };
        self.h_work.assign(&channels.h);
        self.y_work.assign(&y);
        self.done.fill(false);
        for stage in 0..=stages {
            let ch = GroupChannels {
                h: self.h_work.view(),
                noise_var: channels.noise_var,
                interference: channels.interference,
            };
            self.det.process(
                &ch,
                method,
                self.y_work.view(),
                self.x_stage.view_mut(),
                self.nv_stage.view_mut(),
            )?;
            for g in 0..self.n_groups {
                let (k0, k1) = (g * self.group_sc, (g + 1) * self.group_sc);
                if stage == stages {
                    // Final pass: every layer not cancelled yet.
                    for l in 0..self.n_l {
                        if !self.done[[g, l]] {
                            x.slice_mut(s![l, .., k0..k1])
                                .assign(&self.x_stage.slice(s![l, .., k0..k1]));
                            x_noise_var[[g, l]] = self.nv_stage[[g, l]];
                        }
                    }
                    continue;
                }
                let best = (0..self.n_l)
                    .filter(|&l| !self.done[[g, l]])
                    .min_by(|&a, &b| self.nv_stage[[g, a]].total_cmp(&self.nv_stage[[g, b]]));
                let Some(l) = best else { continue };
                x.slice_mut(s![l, .., k0..k1])
                    .assign(&self.x_stage.slice(s![l, .., k0..k1]));
                x_noise_var[[g, l]] = self.nv_stage[[g, l]];
                self.done[[g, l]] = true;
                if self.nv_stage[[g, l]] == f32::MAX {
                    continue; // an erased layer has nothing to cancel
                }
                let n_sym = self.y_work.dim().1;
                for t in 0..n_sym {
                    for k in k0..k1 {
                        let xh = slice(modulation, self.x_stage[[l, t, k]]);
                        for r in 0..self.n_rx {
                            let v = self.h_work[[g, l, r]] * xh;
                            self.y_work[[r, t, k]] -= v;
                        }
                    }
                }
                self.h_work.slice_mut(s![g, l, ..]).fill(C32::new(0.0, 0.0));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slicer_returns_the_nearest_constellation_point() {
        let mut pts = vec![C32::new(0.0, 0.0); 64];
        let bits: Vec<u8> = (0..64 * 6)
            .map(|i| ((i / 6) >> (5 - i % 6) & 1) as u8)
            .collect();
        crate::modulation::map(Modulation::Qam64, &bits, &mut pts).unwrap();
        for p in &pts {
            let noisy = *p + C32::new(0.04, -0.05);
            assert!((slice(Modulation::Qam64, noisy) - p).norm() < 1e-6);
        }
        // Far outside: clamps to the corner.
        let c = slice(Modulation::Qpsk, C32::new(9.0, -9.0));
        let a = std::f32::consts::FRAC_1_SQRT_2;
        assert!((c - C32::new(a, -a)).norm() < 1e-6);
    }
}
