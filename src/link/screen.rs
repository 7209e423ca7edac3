//! Screening of a received grid before estimation: the containment of faulty antennas and
//! samples (a NaN/Inf burst, a dead or stuck receiver). Without it one NaN sample reaches the
//! estimator's shared statistics (noise, delay profile) and turns other users' estimates and
//! the precoder into NaN / MRT fallbacks silently.
//!
//! Rules, per antenna of a grid `[n_ant, n_sym, n_sc]`:
//! * **non-finite samples** (NaN, ±∞) are zeroed — they carry no information, and a zero RE
//!   only weakens that antenna's own estimate — and counted: [`AntennaHealth::NonFinite`];
//! * **dead** (every sample exactly zero): nothing to do, flagged [`AntennaHealth::Dead`]
//!   (zeros already contribute nothing to the estimates or the filters);
//! * **stuck** (every sample the same non-zero value — a frozen receiver): zeroed, flagged
//!   [`AntennaHealth::Stuck`]; the antenna then counts as dead;
//! * **saturated** (with a full scale set, [`GridScreen::set_full_scale`]: components at or
//!   beyond it — an ADC or fronthaul clipping at its rails): the clipped samples are zeroed
//!   (their amplitude and phase are wrong, a zero only weakens the antenna) and counted,
//!   [`AntennaHealth::Saturated`].
//!
//! The slots report the last screening through `antenna_health()`.

use ndarray::{ArrayView3, ArrayViewMut3, Axis};

use crate::C32;

/// What the screening found on one receive antenna in the last slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AntennaHealth {
    /// Every sample finite, not all equal.
    Ok,
    /// `samples` non-finite samples, zeroed before estimation.
    NonFinite {
        /// How many.
        samples: usize,
    },
    /// Every sample zero.
    Dead,
    /// Every sample the same non-zero value; zeroed.
    Stuck,
    /// `samples` samples with a component at or beyond the full scale, zeroed.
    Saturated {
        /// How many.
        samples: usize,
    },
}

impl AntennaHealth {
    /// Whether the antenna's samples need changing before estimation.
    pub fn needs_containment(self) -> bool {
        matches!(
            self,
            AntennaHealth::NonFinite { .. }
                | AntennaHealth::Stuck
                | AntennaHealth::Saturated { .. }
        )
    }
}

/// Per-antenna health of the last screened grid; sized at construction, allocation-free.
#[derive(Clone, Debug)]
pub struct GridScreen {
    health: Vec<AntennaHealth>,
    /// Bit pattern of the full scale (|component| bits ≥ it = clipped); +∞ when unset.
    full_scale_bits: u32,
}

impl GridScreen {
    /// A screen for grids of `n_ant` antennas (no full scale: saturation is not checked).
    pub fn new(n_ant: usize) -> Self {
        Self {
            health: vec![AntennaHealth::Ok; n_ant],
            full_scale_bits: f32::INFINITY.to_bits(),
        }
    }

    /// The magnitude at which a real or imaginary component counts as clipped (the ADC's or
    /// the fronthaul's rail in the grid's unit; e.g. [`crate::fronthaul::UplaneCodec::full_scale`]),
    /// or `None` to stop checking. Errors: a full scale that is not finite and > 0
    /// (`InvalidParameter` naming `full_scale`).
    pub fn set_full_scale(&mut self, full_scale: Option<f32>) -> crate::Result<()> {
        self.full_scale_bits = match full_scale {
            None => f32::INFINITY.to_bits(),
            Some(f) if f.is_finite() && f > 0.0 => f.to_bits(),
            Some(f) => {
                return Err(crate::Error::InvalidParameter {
                    name: "full_scale",
                    value: crate::error::Value::of(&f),
                    reason: "finite and > 0",
                });
            }
        };
        Ok(())
    }

    /// Classifies every antenna of `grid` [n_ant, n_sym, n_sc] without changing it;
    /// returns how many need containment ([`AntennaHealth::needs_containment`]). Grids with
    /// another antenna count are classified up to the smaller count.
    pub fn inspect(&mut self, grid: ArrayView3<'_, C32>) -> usize {
        let mut flagged = 0;
        for (h, ant) in self.health.iter_mut().zip(grid.axis_iter(Axis(0))) {
            // Branch-free accumulation over the antenna's samples (one streaming pass, which
            // the compiler vectorises on contiguous rows).
            let first = ant.iter().next().copied().unwrap_or_default();
            let (f_re, f_im) = (first.re.to_bits(), first.im.to_bits());
            // Integer tests on the bit patterns: exponent all ones = NaN or ±∞; any bit other
            // than the sign = non-zero; bit inequality with the first sample = not stuck.
            // Magnitude bit patterns order like the magnitudes: |x| ≥ fs ⇔ bits(|x|) ≥ bits(fs).
            let fs = self.full_scale_bits;
            let scan = |acc: (u32, u32, u32, u32), v: &C32| {
                let (r, i) = (v.re.to_bits(), v.im.to_bits());
                let inf = u32::from((r & 0x7F80_0000) == 0x7F80_0000)
                    | u32::from((i & 0x7F80_0000) == 0x7F80_0000);
                let clip = u32::from((r & 0x7FFF_FFFF) >= fs) | u32::from((i & 0x7FFF_FFFF) >= fs);
                (
                    acc.0 + inf,
                    acc.1 | ((r | i) & 0x7FFF_FFFF),
                    acc.2 | (r ^ f_re) | (i ^ f_im),
                    acc.3 + clip,
                )
            };
            let (bad, nz, diff, clipped) = match ant.as_slice() {
                Some(x) => x.iter().fold((0, 0, 0, 0), scan),
                None => ant.iter().fold((0, 0, 0, 0), scan),
            };
            let (bad, nonzero, differ) = (bad as usize, nz != 0, diff != 0);
            let (all_zero, all_same) = (!nonzero, !differ);
            *h = if bad > 0 {
                AntennaHealth::NonFinite { samples: bad }
            } else if all_zero {
                AntennaHealth::Dead
            } else if all_same && ant.len() > 1 {
                AntennaHealth::Stuck
            } else if clipped > 0 {
                AntennaHealth::Saturated {
                    samples: clipped as usize,
                }
            } else {
                AntennaHealth::Ok
            };
            flagged += usize::from(h.needs_containment());
        }
        flagged
    }

    /// Applies the containment [`Self::inspect`] decided to `grid` (the same grid or a copy
    /// of it): non-finite samples of flagged antennas zeroed, stuck antennas zeroed.
    pub fn contain(&self, mut grid: ArrayViewMut3<'_, C32>) {
        let zero = C32::new(0.0, 0.0);
        for (h, mut ant) in self.health.iter().zip(grid.axis_iter_mut(Axis(0))) {
            match h {
                AntennaHealth::NonFinite { .. } => ant.iter_mut().for_each(|v| {
                    if !(v.re.is_finite() && v.im.is_finite()) {
                        *v = zero;
                    }
                }),
                AntennaHealth::Stuck => ant.fill(zero),
                AntennaHealth::Saturated { .. } => {
                    let fs = f32::from_bits(self.full_scale_bits);
                    ant.iter_mut().for_each(|v| {
                        if v.re.abs() >= fs || v.im.abs() >= fs {
                            *v = zero;
                        }
                    })
                }
                AntennaHealth::Ok | AntennaHealth::Dead => {}
            }
        }
    }

    /// The health of every antenna in the last screened grid.
    pub fn health(&self) -> &[AntennaHealth] {
        &self.health
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array3;

    #[test]
    fn classifies_and_contains() {
        let mut g = Array3::from_shape_fn((4, 2, 3), |(a, l, k)| C32::new((a + l + k) as f32, 1.0));
        g[[1, 0, 2]] = C32::new(f32::NAN, 0.0);
        g[[1, 1, 0]] = C32::new(0.0, f32::INFINITY);
        g.slice_mut(ndarray::s![2, .., ..]).fill(C32::new(0.0, 0.0));
        g.slice_mut(ndarray::s![3, .., ..])
            .fill(C32::new(0.7, -0.1));
        let mut s = GridScreen::new(4);
        assert_eq!(s.inspect(g.view()), 2);
        assert_eq!(
            s.health(),
            [
                AntennaHealth::Ok,
                AntennaHealth::NonFinite { samples: 2 },
                AntennaHealth::Dead,
                AntennaHealth::Stuck
            ]
        );
        let before = g.clone();
        s.contain(g.view_mut());
        assert!(g.iter().all(|v| v.re.is_finite() && v.im.is_finite()));
        assert_eq!(
            g.slice(ndarray::s![0, .., ..]),
            before.slice(ndarray::s![0, .., ..])
        );
        assert_eq!(g[[1, 0, 2]], C32::new(0.0, 0.0));
        assert_eq!(g[[1, 0, 1]], before[[1, 0, 1]]);
        assert!(
            g.slice(ndarray::s![3, .., ..])
                .iter()
                .all(|v| *v == C32::new(0.0, 0.0))
        );
    }
}
