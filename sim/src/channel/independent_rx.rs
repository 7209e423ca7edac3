//! Users with several receive antennas from a model of independent single-antenna rows.

use super::{ChannelModel, check_response_args};
use massive_mimo::{C32, Error, Result};
use ndarray::ArrayViewMut3;

/// A model whose `inner` users are taken `n_rx` at a time as the receive antennas of one user
/// (inner user u·R + r is antenna r of user u): for models without spatial structure at the
/// user ([`super::StaticChannel::rayleigh_iid`], [`super::Tdl`]), whose rows are independent —
/// the uncorrelated receive antennas of a rich-scattering handset.
pub struct IndependentRx {
    inner: Box<dyn ChannelModel>,
    n_rx: usize,
}

impl IndependentRx {
    /// `inner`'s users grouped by `n_rx`. Errors (named `n_rx`): `n_rx` 0, `inner` a model
    /// that already has several antennas per user, or its user count not a multiple of `n_rx`.
    pub fn new(inner: Box<dyn ChannelModel>, n_rx: usize) -> Result<Self> {
        if n_rx == 0 || inner.n_rx() != 1 || !inner.n_users().is_multiple_of(n_rx) {
            return Err(Error::InvalidParameter {
                name: "n_rx",
                value: massive_mimo::value!(
                    "{n_rx} for {} rows of {} antennas",
                    inner.n_users(),
                    inner.n_rx()
                ),
                reason: "≥ 1, dividing the inner model's users, which must have one antenna each",
            });
        }
        Ok(Self { inner, n_rx })
    }
}

impl ChannelModel for IndependentRx {
    fn n_users(&self) -> usize {
        self.inner.n_users() / self.n_rx
    }

    fn n_rx(&self) -> usize {
        self.n_rx
    }

    fn n_ant(&self) -> usize {
        self.inner.n_ant()
    }

    /// The inner model's rows, unchanged.
    fn frequency_response(
        &self,
        t_s: f64,
        freqs_hz: &[f64],
        out: ArrayViewMut3<'_, C32>,
    ) -> Result<()> {
        check_response_args(self, t_s, freqs_hz, &out)?;
        self.inner.frequency_response(t_s, freqs_hz, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::StaticChannel;
    use ndarray::Array3;

    #[test]
    fn rows_are_the_inner_users_grouped() {
        let inner = || Box::new(StaticChannel::rayleigh_iid(6, 4, 9).unwrap());
        let m = IndependentRx::new(inner(), 2).unwrap();
        assert_eq!((m.n_users(), m.n_rx(), m.n_ant()), (3, 2, 4));
        let mut a = Array3::zeros((6, 2, 4));
        let mut b = Array3::zeros((6, 2, 4));
        inner()
            .frequency_response(0.0, &[1e9, 2e9], a.view_mut())
            .unwrap();
        m.frequency_response(0.0, &[1e9, 2e9], b.view_mut())
            .unwrap();
        assert_eq!(a, b);
        for n in [0, 4] {
            let e = IndependentRx::new(inner(), n).err().unwrap();
            assert_eq!(e.parameter(), "n_rx");
        }
        let nested = IndependentRx::new(Box::new(m), 1).err().unwrap();
        assert_eq!(nested.parameter(), "n_rx");
    }
}
