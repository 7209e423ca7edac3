//! Radio channel models for simulating a multi-user massive-MIMO cell.
//!
//! Every model implements [`ChannelModel`]: the narrowband downlink gain `H[u·R + r, k, a]` from
//! base-station antenna `a` to receive antenna `r` of user `u` (R = [`ChannelModel::n_rx`]
//! antennas per user, 1 unless a [`UeArray`] says otherwise) at absolute subcarrier frequency
//! `f_k` and time `t` (the uplink is its transpose: TDD reciprocity). Models are seeded at
//! construction and deterministic: the same seed and the same calls give bit-identical
//! channels, whichever thread evaluates them.
//!
//! * [`StaticChannel`]: a given matrix, flat in frequency and time (AWGN-only links,
//!   identity checks), or [`StaticChannel::rayleigh_iid`]: i.i.d. CN(0, 1) per user and
//!   antenna (the classic "rich scattering" massive-MIMO model);
//! * [`Tdl`]: tapped delay lines per user and antenna with Rayleigh taps and a classical
//!   (Jakes) Doppler spectrum; the LTE EPA / EVA / ETU profiles of 36.104 Annex B.2 and an
//!   exponential profile;
//! * [`ClusterChannel`]: geometric clusters of rays seen through the base station's planar
//!   array (38.901 §7.3 element pattern and polarisation), with the ray structure, angle and
//!   delay scaling of the 38.901 CDL procedure (§7.7.1, §7.7.5, §7.7.3); each user gets its
//!   own line-of-sight direction (azimuth and elevation), so users at different heights and
//!   bearings see different channels, and carriers in different bands see the array at its
//!   electrical size for their frequency.
//!
//! Noise: [`add_awgn`] adds circularly-symmetric complex Gaussian noise of a given variance.
//!
//! * [`NrTdl`] / [`NrCdl`]: the 38.901 TDL-A…E and CDL-A…E models (§7.7) from the generated
//!   tables;
//! * [`stochastic`]: the 38.901 §7.5 stochastic model (UMa, UMi-Street Canyon, RMa) from a drop
//!   geometry to each user's [`ClusterProfile`], with path loss and LOS probability;
//! * [`UserGains`]: per-user large-scale gains on top of a unit-power model (link budgets);
//! * [`UeArray`]: users with 2 or 4 receive antennas (cross-polarised pairs) in the cluster
//!   models; [`IndependentRx`]: the same count from a model of independent rows (Rayleigh, TDL).

pub mod cluster;
pub mod flat;
pub mod gains;
pub mod independent_rx;
pub mod stochastic;
pub mod tdl;
pub mod ue_array;

pub use cluster::{
    Cluster, ClusterChannel, ClusterProfile, ClusterSpreads, NrCdl, ProfileParams, UserGeometry,
};
pub use flat::StaticChannel;
pub use gains::UserGains;
pub use independent_rx::IndependentRx;
pub use tdl::{NrTdl, Tdl, TdlProfile};
pub use ue_array::{UeArray, UePolarization};

use massive_mimo::{C32, Error, Result};
use ndarray::ArrayViewMut3;
use rand::Rng;

/// Speed of light, m/s.
pub const SPEED_OF_LIGHT: f64 = 299_792_458.0;

/// A multi-user channel between a base-station array and users with one or more antennas.
pub trait ChannelModel: Send + Sync {
    /// Users.
    fn n_users(&self) -> usize;

    /// Receive antennas per user (R); the response has R rows per user, user u's antenna r at
    /// row u·R + r. 1 by default.
    fn n_rx(&self) -> usize {
        1
    }

    /// Base-station antennas.
    fn n_ant(&self) -> usize;

    /// Writes `out` [n_users·n_rx, freqs_hz.len(), n_ant] = H[u·R + r, k, a], the downlink gain
    /// from antenna a to receive antenna r of user u at absolute frequency `freqs_hz[k]` (Hz)
    /// and time `t_s` (seconds). The models are normalised so that E|H|² = 1 per user and
    /// antenna pair (no path loss; SNRs are per receive antenna; a cluster model's horizontal
    /// UE antenna sees the power the cross-polarisation leaves it, [`UeArray`]).
    fn frequency_response(
        &self,
        t_s: f64,
        freqs_hz: &[f64],
        out: ArrayViewMut3<'_, C32>,
    ) -> Result<()>;
}

/// Checks `out` against [n_users·n_rx, n_freqs, n_ant] and the time and frequencies for
/// finiteness.
pub(crate) fn check_response_args(
    model: &dyn ChannelModel,
    t_s: f64,
    freqs_hz: &[f64],
    out: &ArrayViewMut3<'_, C32>,
) -> Result<()> {
    let expected = [
        model.n_users() * model.n_rx(),
        freqs_hz.len(),
        model.n_ant(),
    ];
    if out.shape() != expected {
        return Err(Error::ShapeMismatch {
            name: "out [n_users·n_rx, n_freqs, n_ant]",
            expected: massive_mimo::error::Shape::of(&expected),
            got: massive_mimo::error::Shape::of(out.shape()),
        });
    }
    if !t_s.is_finite() {
        return Err(Error::NonFinite {
            name: "t_s",
            value: t_s,
        });
    }
    if let Some(f) = freqs_hz.iter().find(|f| !f.is_finite()) {
        return Err(Error::NonFinite {
            name: "freqs_hz",
            value: *f,
        });
    }
    Ok(())
}

/// One sample of CN(0, `var`): real and imaginary parts N(0, var/2) (Box–Muller).
pub fn complex_normal<R: Rng + ?Sized>(rng: &mut R, var: f64) -> num_complex::Complex64 {
    let u1: f64 = rng.r#gen::<f64>().max(f64::MIN_POSITIVE);
    let t = 2.0 * std::f64::consts::PI * rng.r#gen::<f64>();
    let r = (-var * u1.ln()).sqrt();
    num_complex::Complex64::new(r * t.cos(), r * t.sin())
}

/// One sample of N(0, 1).
pub(crate) fn normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    complex_normal(rng, 2.0).re
}

/// Adds CN(0, `noise_var`) noise to every sample (a slice, or any iterator of samples such as
/// a strided ndarray view's `iter_mut()`). `noise_var` must be finite and ≥ 0 (0 leaves the
/// samples unchanged).
pub fn add_awgn<'a, R: Rng + ?Sized>(
    rng: &mut R,
    noise_var: f64,
    samples: impl IntoIterator<Item = &'a mut C32>,
) -> Result<()> {
    if !(noise_var.is_finite() && noise_var >= 0.0) {
        return Err(Error::InvalidParameter {
            name: "noise_var",
            value: massive_mimo::error::Value::of(&noise_var),
            reason: "must be finite and ≥ 0",
        });
    }
    if noise_var == 0.0 {
        return Ok(());
    }
    for s in samples {
        let n = complex_normal(rng, noise_var);
        *s += C32::new(n.re as f32, n.im as f32);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn awgn_has_its_variance_and_is_seeded() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut x = vec![C32::new(0.0, 0.0); 200_000];
        add_awgn(&mut rng, 0.25, &mut x).unwrap();
        let p = x.iter().map(|v| v.norm_sqr() as f64).sum::<f64>() / x.len() as f64;
        let re = x.iter().map(|v| (v.re as f64).powi(2)).sum::<f64>() / x.len() as f64;
        assert!((p - 0.25).abs() < 0.004, "{p}");
        assert!((re - 0.125).abs() < 0.003, "{re}");
        let mut y = vec![C32::new(0.0, 0.0); 200_000];
        add_awgn(&mut ChaCha8Rng::seed_from_u64(1), 0.25, &mut y).unwrap();
        assert_eq!(x, y);
        assert_eq!(
            add_awgn(&mut rng, f64::NAN, &mut y)
                .err()
                .map(|e| e.parameter()),
            Some("noise_var")
        );
        assert_eq!(
            add_awgn(&mut rng, -1.0, &mut y)
                .err()
                .map(|e| e.parameter()),
            Some("noise_var")
        );
    }
}
