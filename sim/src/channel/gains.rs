//! Large-scale gains on top of a unit-power small-scale model.

use super::{ChannelModel, check_response_args};
use massive_mimo::{C32, Error, Result};
use ndarray::ArrayViewMut3;

/// A channel model whose user u's response is the inner model's × 10^{g_u/20}: the path loss,
/// shadowing and antenna gains of a link budget on top of a model normalised to unit power.
pub struct UserGains {
    inner: Box<dyn ChannelModel>,
    amplitudes: Vec<f32>,
}

impl UserGains {
    /// `inner` with user power gains `gains_db` (one per user, dB). Errors: a count other than
    /// the inner model's users, a gain not finite or outside ±300 dB (f32 range).
    pub fn new(inner: Box<dyn ChannelModel>, gains_db: &[f64]) -> Result<Self> {
        if gains_db.len() != inner.n_users()
            || gains_db
                .iter()
                .any(|g| !(g.is_finite() && g.abs() <= 300.0))
        {
            return Err(Error::InvalidParameter {
                name: "user_gain_db",
                value: massive_mimo::value!(
                    "{} values for {} users",
                    gains_db.len(),
                    inner.n_users()
                ),
                reason: "one finite gain within ±300 dB per user",
            });
        }
        let amplitudes = gains_db
            .iter()
            .map(|g| 10f64.powf(g / 20.0) as f32)
            .collect();
        Ok(Self { inner, amplitudes })
    }
}

impl ChannelModel for UserGains {
    fn n_users(&self) -> usize {
        self.inner.n_users()
    }

    fn n_rx(&self) -> usize {
        self.inner.n_rx()
    }

    fn n_ant(&self) -> usize {
        self.inner.n_ant()
    }

    /// The inner model's response, each user's rows (all its receive antennas) scaled by its
    /// amplitude gain (so E|H|² is the user's gain, not 1).
    fn frequency_response(
        &self,
        t_s: f64,
        freqs_hz: &[f64],
        mut out: ArrayViewMut3<'_, C32>,
    ) -> Result<()> {
        check_response_args(self, t_s, freqs_hz, &out)?;
        self.inner
            .frequency_response(t_s, freqs_hz, out.view_mut())?;
        let n_rx = self.inner.n_rx();
        for (r, mut row) in out.outer_iter_mut().enumerate() {
            let g = self.amplitudes[r / n_rx];
            row.mapv_inplace(|v| v * g);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::StaticChannel;
    use ndarray::Array3;

    #[test]
    fn gains_scale_each_users_power() {
        let inner =
            || Box::new(StaticChannel::rayleigh_iid(3, 8, 4).unwrap()) as Box<dyn ChannelModel>;
        let g = UserGains::new(inner(), &[0.0, -20.0, 6.0]).unwrap();
        let mut a = Array3::zeros((3, 2, 8));
        let mut b = Array3::zeros((3, 2, 8));
        inner()
            .frequency_response(0.0, &[1e9, 2e9], a.view_mut())
            .unwrap();
        g.frequency_response(0.0, &[1e9, 2e9], b.view_mut())
            .unwrap();
        for (u, db) in [0.0f64, -20.0, 6.0].iter().enumerate() {
            let amp = 10f64.powf(db / 20.0) as f32;
            for (x, y) in a
                .slice(ndarray::s![u, .., ..])
                .iter()
                .zip(b.slice(ndarray::s![u, .., ..]))
            {
                assert!((x * amp - y).norm() <= 1e-6 * x.norm().max(1e-30), "{u}");
            }
        }
        // Users with two antennas: both rows of a user take its gain.
        let rows =
            || Box::new(StaticChannel::rayleigh_iid(6, 8, 4).unwrap()) as Box<dyn ChannelModel>;
        let two = UserGains::new(
            Box::new(crate::channel::IndependentRx::new(rows(), 2).unwrap()),
            &[0.0, -20.0, 6.0],
        )
        .unwrap();
        assert_eq!((two.n_users(), two.n_rx()), (3, 2));
        let mut a = Array3::zeros((6, 2, 8));
        let mut b = Array3::zeros((6, 2, 8));
        rows()
            .frequency_response(0.0, &[1e9, 2e9], a.view_mut())
            .unwrap();
        two.frequency_response(0.0, &[1e9, 2e9], b.view_mut())
            .unwrap();
        for (q, db) in [0.0f64, 0.0, -20.0, -20.0, 6.0, 6.0].iter().enumerate() {
            let amp = 10f64.powf(db / 20.0) as f32;
            for (x, y) in a
                .slice(ndarray::s![q, .., ..])
                .iter()
                .zip(b.slice(ndarray::s![q, .., ..]))
            {
                assert!((x * amp - y).norm() <= 1e-6 * x.norm().max(1e-30), "{q}");
            }
        }
        let e = UserGains::new(inner(), &[0.0, 1.0]).err().unwrap();
        assert_eq!(e.parameter(), "user_gain_db");
        let e = UserGains::new(inner(), &[0.0, f64::NAN, 1.0])
            .err()
            .unwrap();
        assert_eq!(e.parameter(), "user_gain_db");
    }
}
