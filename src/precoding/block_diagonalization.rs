//! Block diagonalisation (Spencer, Swindlehurst & Haardt, IEEE TSP 2004): MU-MIMO precoding for
//! users with several receive antennas/layers. User k's precoder lies in the null space of the
//! other users' stacked channel H̃_k, so it causes them no interference, and within that space it
//! takes the dominant right singular vectors of its own projected channel H_k·V0_k.
//!
//! Null spaces and singular vectors come from the Hermitian eigen-decomposition
//! ([`crate::linalg::hermitian_eigen`], f64): `V0_k` = eigenvectors of H̃_kᴴH̃_k whose
//! eigenvalues are below `1e-9·λ_max` (numerically zero). A design-time, per-PRB operation.

use ndarray::{Array2, ArrayView2};
use num_complex::Complex64;

use crate::linalg::hermitian_eigen;
use crate::{C32, Error, Result};

/// BD precoders: for user k with channel `channels[k]` [n_rx_k, n_tx] and `layers[k]` layers,
/// `W_k` `[n_tx, layers[k]]` with orthonormal columns (unit power per layer; scale afterwards).
///
/// Errors: mismatched n_tx, no layers, more layers than the user's null-space dimension allows
/// (needs n_tx ≥ Σ other users' ranks + layers_k), non-finite channels.
pub fn block_diagonalization(
    channels: &[ArrayView2<'_, C32>],
    layers: &[usize],
) -> Result<Vec<Array2<C32>>> {
    let n_tx = channels.first().map_or(0, |h| h.ncols());
    if channels.is_empty()
        || channels.len() != layers.len()
        || channels.iter().any(|h| h.ncols() != n_tx)
    {
        return Err(Error::InvalidParameter {
            name: "channels / layers",
            value: crate::value!("{} channels, {} layer counts", channels.len(), layers.len()),
            reason: "one layer count per user, all channels [n_rx_k, n_tx] with the same n_tx",
        });
    }
    let gram = |rows: &[Vec<Complex64>]| -> Vec<Complex64> {
        let mut g = vec![Complex64::new(0.0, 0.0); n_tx * n_tx];
        for r in rows {
            for i in 0..n_tx {
                let ri = r[i].conj();
                for j in 0..n_tx {
                    g[i * n_tx + j] += ri * r[j];
                }
            }
        }
        g
    };
    let rows_of = |h: &ArrayView2<'_, C32>| -> Vec<Vec<Complex64>> {
        h.rows()
            .into_iter()
            .map(|r| {
                r.iter()
                    .map(|v| Complex64::new(v.re as f64, v.im as f64))
                    .collect()
            })
            .collect()
    };
    let mut out = Vec::with_capacity(channels.len());
    for (k, (hk, &lk)) in channels.iter().zip(layers).enumerate() {
        let others: Vec<Vec<Complex64>> = channels
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != k)
            .flat_map(|(_, h)| rows_of(h))
            .collect();
        // Null space of the others: eigenvectors of H̃ᴴH̃ with (numerically) zero eigenvalues.
        let (vals, vecs) = hermitian_eigen(&gram(&others), n_tx)?;
        let tol = 1e-9 * vals.first().copied().unwrap_or(0.0).max(f64::MIN_POSITIVE);
        let null: Vec<usize> = (0..n_tx).filter(|&i| vals[i] <= tol).collect();
        if lk == 0 || lk > null.len() {
            return Err(Error::InvalidParameter {
                name: "layers[k]",
                value: crate::value!("{lk} for user {k} (null-space dimension {})", null.len()),
                reason: "between 1 and n_tx − rank of the other users' channels",
            });
        }
        // Projected channel H_k·V0 (n_rx_k × d), then its dominant right singular vectors.
        let d = null.len();
        let hk_rows = rows_of(hk);
        let proj: Vec<Vec<Complex64>> = hk_rows
            .iter()
            .map(|r| {
                null.iter()
                    .map(|&c| (0..n_tx).map(|t| r[t] * vecs[t * n_tx + c]).sum())
                    .collect()
            })
            .collect();
        let mut g = vec![Complex64::new(0.0, 0.0); d * d];
        for r in &proj {
            for i in 0..d {
                for j in 0..d {
                    g[i * d + j] += r[i].conj() * r[j];
                }
            }
        }
        let (_, u) = hermitian_eigen(&g, d)?;
        let w = Array2::from_shape_fn((n_tx, lk), |(t, l)| {
            let v: Complex64 = (0..d)
                .map(|i| vecs[t * n_tx + null[i]] * u[i * d + l])
                .sum();
            C32::new(v.re as f32, v.im as f32)
        });
        out.push(w);
    }
    Ok(out)
}
