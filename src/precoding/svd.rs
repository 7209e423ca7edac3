//! SU-MIMO precoding by the channel's singular vectors with water-filling power (Telatar 1999):
//! for one user's channel H (n_rx × n_tx), `W = V_r·diag(√p_i)` with V_r the r dominant right
//! singular vectors (eigenvectors of HᴴH, [`crate::beamforming::eigen_beams`]) and
//! `p_i = max(0, μ − σ²/λ_i)`, Σ p_i = P: it reaches the rank-r capacity
//! `Σ log2(1 + p_i·λ_i/σ²)` of the channel.

use ndarray::{ArrayView2, ArrayViewMut2};

use crate::beamforming::eigen_beams;
use crate::{Error, Result};

/// The outcome of [`svd_precoder`].
#[derive(Clone, Debug, PartialEq)]
pub struct SvdPrecoding {
    /// Eigenvalues λ_i of HᴴH (squared singular values), descending.
    pub gains: Vec<f64>,
    /// Water-filling power per layer (sums to the total power; 0 for layers not worth it).
    pub powers: Vec<f64>,
    /// Capacity reached, bit/s/Hz.
    pub capacity: f64,
}

/// Water-filling over gains `g_i` (λ_i/σ²) with total power `p`: `p_i = max(0, μ − 1/g_i)`.
pub fn water_filling(gains: &[f64], p: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..gains.len()).filter(|&i| gains[i] > 0.0).collect();
    order.sort_by(|&a, &b| gains[b].total_cmp(&gains[a]));
    let mut powers = vec![0.0; gains.len()];
    // The water level with the n strongest active: μ = (p + Σ 1/g_i)/n; drop the weakest
    // while its power would be negative.
    let mut n = order.len();
    while n > 0 {
        let mu = (p + order[..n].iter().map(|&i| 1.0 / gains[i]).sum::<f64>()) / n as f64;
        if mu - 1.0 / gains[order[n - 1]] >= 0.0 {
            for &i in &order[..n] {
                powers[i] = mu - 1.0 / gains[i];
            }
            break;
        }
        n -= 1;
    }
    powers
}

/// SVD precoder of rank `w.ncols()` for the channel `h` [n_rx, n_tx] with total transmit power
/// `power` and noise variance `noise_var` per receive antenna, into `w` [n_tx, rank].
///
/// Errors: shapes, rank 0 or > n_tx, power or noise not finite and positive, non-finite channel.
pub fn svd_precoder(
    h: ArrayView2<'_, crate::C32>,
    power: f64,
    noise_var: f64,
    mut w: ArrayViewMut2<'_, crate::C32>,
) -> Result<SvdPrecoding> {
    if !(power.is_finite() && power > 0.0 && noise_var.is_finite() && noise_var > 0.0) {
        return Err(Error::InvalidParameter {
            name: "power / noise_var",
            value: crate::value!("{power} / {noise_var}"),
            reason: "both finite and > 0",
        });
    }
    let rank = w.ncols();
    let gains = eigen_beams(h, rank, w.view_mut())?;
    // eigen_beams' eigenvalues are of HᴴH / n_rx (a mean over rows).
    let n_rx = h.nrows() as f64;
    let gains: Vec<f64> = gains.iter().map(|g| (g * n_rx).max(0.0)).collect();
    let snr: Vec<f64> = gains.iter().map(|g| g / noise_var).collect();
    let powers = water_filling(&snr, power);
    for (l, p) in powers.iter().enumerate() {
        let s = p.sqrt() as f32;
        w.column_mut(l).mapv_inplace(|v| v * s);
    }
    let capacity = powers
        .iter()
        .zip(&snr)
        .map(|(p, g)| (1.0 + p * g).log2())
        .sum();
    Ok(SvdPrecoding {
        gains,
        powers,
        capacity,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn water_filling_fills_to_one_level_and_drops_weak_modes() {
        let g = [10.0, 1.0, 0.01];
        let p = water_filling(&g, 1.0);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert_eq!(p[2], 0.0);
        // Active modes share one level μ = p_i + 1/g_i.
        assert!(((p[0] + 0.1) - (p[1] + 1.0)).abs() < 1e-12);
        assert_eq!(water_filling(&[0.0, 0.0], 1.0), vec![0.0, 0.0]);
    }
}
