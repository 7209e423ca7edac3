//! User selection for a cell with more candidate users than streams: semi-orthogonal user
//! selection (SUS, Yoo & Goldsmith, IEEE JSAC 2006). Greedy: take the user whose channel has
//! the largest component orthogonal to the users already taken, among those whose channels are
//! nearly orthogonal (normalised correlation < α) to every taken user's orthogonal component.
//! The result feeds ZF/RZF precoding, whose power loss grows with the users' correlation.

use ndarray::ArrayView2;
use num_complex::Complex64;

use crate::{C32, Error, Result};

/// Up to `k` users (row indices of `h` [n_users, n_tx], one single-antenna channel per row)
/// chosen by SUS with orthogonality threshold `alpha` ∈ (0, 1], in the order taken.
pub fn semi_orthogonal_selection(
    h: ArrayView2<'_, C32>,
    k: usize,
    alpha: f64,
) -> Result<Vec<usize>> {
    let (n_users, n_tx) = h.dim();
    if !(alpha > 0.0 && alpha <= 1.0) || k == 0 || n_users == 0 {
        return Err(Error::InvalidParameter {
            name: "(k, alpha, n_users)",
            value: crate::value!("({k}, {alpha}, {n_users})"),
            reason: "k ≥ 1, 0 < alpha ≤ 1, at least one user",
        });
    }
    let row = |u: usize| -> Vec<Complex64> {
        h.row(u)
            .iter()
            .map(|v| Complex64::new(v.re as f64, v.im as f64))
            .collect()
    };
    let norm = |v: &[Complex64]| v.iter().map(|x| x.norm_sqr()).sum::<f64>().sqrt();
    let mut candidates: Vec<usize> = (0..n_users)
        .filter(|&u| {
            let r = row(u);
            r.iter().all(|x| x.re.is_finite() && x.im.is_finite()) && norm(&r) > 0.0
        })
        .collect();
    let mut basis: Vec<Vec<Complex64>> = Vec::new();
    let mut chosen = Vec::new();
    while chosen.len() < k.min(n_tx) && !candidates.is_empty() {
        // Component of each candidate orthogonal to the basis.
        let mut best: Option<(usize, f64, Vec<Complex64>)> = None;
        for &u in &candidates {
            let mut g = row(u);
            for b in &basis {
                let c: Complex64 = b.iter().zip(&g).map(|(p, q)| p.conj() * q).sum();
                for (gi, bi) in g.iter_mut().zip(b) {
                    *gi -= c * bi;
                }
            }
            let n = norm(&g);
            if best.as_ref().is_none_or(|b| n > b.1) {
                best = Some((u, n, g));
            }
        }
        let Some((u, n, g)) = best else { break };
        if n <= 1e-12 {
            break;
        }
        let e: Vec<Complex64> = g.iter().map(|x| x / n).collect();
        chosen.push(u);
        candidates.retain(|&c| {
            if c == u {
                return false;
            }
            let r = row(c);
            let corr = e
                .iter()
                .zip(&r)
                .map(|(p, q)| p.conj() * q)
                .sum::<Complex64>()
                .norm()
                / norm(&r);
            corr < alpha
        });
        basis.push(e);
    }
    Ok(chosen)
}
