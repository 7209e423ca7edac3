//! Frequency-flat channels: a given matrix, or one of i.i.d. Rayleigh gains.

use super::{ChannelModel, check_response_args, complex_normal};
use massive_mimo::{C32, Error, Result};
use ndarray::{Array2, ArrayViewMut3};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// A fixed channel `h` [n_users, n_ant], the same on every subcarrier and at every time:
/// with identity-like `h` an AWGN link, and the reference for pipeline checks.
#[derive(Clone, Debug, PartialEq)]
pub struct StaticChannel {
    h: Array2<C32>,
}

impl StaticChannel {
    /// `h` [n_users, n_ant]; every entry must be finite.
    pub fn new(h: Array2<C32>) -> Result<Self> {
        if h.is_empty() {
            return Err(Error::InvalidParameter {
                name: "h [n_users, n_ant]",
                value: massive_mimo::value!("{:?}", h.shape()),
                reason: "needs at least one user and one antenna",
            });
        }
        if let Some(v) = h.iter().find(|v| !(v.re.is_finite() && v.im.is_finite())) {
            return Err(Error::NonFinite {
                name: "h",
                value: if v.re.is_finite() { v.im } else { v.re } as f64,
            });
        }
        Ok(Self { h })
    }

    /// i.i.d. Rayleigh: every (user, antenna) gain an independent CN(0, 1) sample drawn from
    /// `seed`, flat in frequency and constant in time (block fading; a new block is a new
    /// seed).
    pub fn rayleigh_iid(n_users: usize, n_ant: usize, seed: u64) -> Result<Self> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        Self::new(Array2::from_shape_simple_fn((n_users, n_ant), || {
            let v = complex_normal(&mut rng, 1.0);
            C32::new(v.re as f32, v.im as f32)
        }))
    }

    /// The matrix [n_users, n_ant].
    pub fn matrix(&self) -> &Array2<C32> {
        &self.h
    }
}

impl ChannelModel for StaticChannel {
    fn n_users(&self) -> usize {
        self.h.nrows()
    }

    fn n_ant(&self) -> usize {
        self.h.ncols()
    }

    fn frequency_response(
        &self,
        t_s: f64,
        freqs_hz: &[f64],
        mut out: ArrayViewMut3<'_, C32>,
    ) -> Result<()> {
        check_response_args(self, t_s, freqs_hz, &out)?;
        for (u, row) in self.h.outer_iter().enumerate() {
            for k in 0..freqs_hz.len() {
                out.slice_mut(ndarray::s![u, k, ..]).assign(&row);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array3;

    #[test]
    fn rayleigh_is_unit_power_and_flat() {
        let ch = StaticChannel::rayleigh_iid(16, 64, 7).unwrap();
        let p = ch.matrix().iter().map(|v| v.norm_sqr()).sum::<f32>() / 1024.0;
        assert!((p - 1.0).abs() < 0.1, "{p}");
        let mut out = Array3::zeros((16, 3, 64));
        ch.frequency_response(0.1, &[2.6e9, 2.61e9, 2.62e9], out.view_mut())
            .unwrap();
        assert_eq!(out.slice(ndarray::s![.., 2, ..]), ch.matrix().view());
        assert_eq!(StaticChannel::rayleigh_iid(16, 64, 7).unwrap(), ch);
        let mut bad = Array3::zeros((16, 2, 64));
        assert_eq!(
            ch.frequency_response(0.0, &[1.0], bad.view_mut())
                .err()
                .map(|e| e.parameter()),
            Some("out [n_users·n_rx, n_freqs, n_ant]")
        );
        assert_eq!(
            StaticChannel::rayleigh_iid(0, 64, 1)
                .err()
                .map(|e| e.parameter()),
            Some("h [n_users, n_ant]")
        );
    }
}
