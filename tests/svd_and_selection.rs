//! SU-MIMO SVD precoding reaches the channel capacity; semi-orthogonal user selection picks
//! nearly orthogonal users. Checked against nalgebra (f64) at fixed seeds.

mod support;

use massive_mimo::C32;
use massive_mimo::precoding::{semi_orthogonal_selection, svd_precoder};
use nalgebra::{Complex, DMatrix};
use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use support::multipath::cn;

fn to_na(a: &Array2<C32>) -> DMatrix<Complex<f64>> {
    DMatrix::from_fn(a.nrows(), a.ncols(), |i, j| {
        Complex::new(a[[i, j]].re as f64, a[[i, j]].im as f64)
    })
}

fn capacity(h: &DMatrix<Complex<f64>>, w: &DMatrix<Complex<f64>>, nv: f64) -> f64 {
    let hw = h * w;
    let m = DMatrix::identity(h.nrows(), h.nrows()) + (&hw * hw.adjoint()) / Complex::new(nv, 0.0);
    m.determinant().norm().log2()
}

#[test]
fn svd_precoder_reaches_the_water_filling_capacity() {
    let mut rng = ChaCha8Rng::seed_from_u64(51);
    let (n_rx, n_tx, nv, p) = (4, 8, 0.2, 4.0);
    let h = Array2::from_shape_fn((n_rx, n_tx), |_| cn(&mut rng, 1.0));
    let hn = to_na(&h);
    for rank in [1, 2, 4] {
        let mut w = Array2::zeros((n_tx, rank));
        let r = svd_precoder(h.view(), p, nv, w.view_mut()).unwrap();
        let wn = to_na(&w);
        let direct = capacity(&hn, &wn, nv);
        assert!(
            (direct - r.capacity).abs() < 1e-3,
            "rank {rank}: {direct} vs {}",
            r.capacity
        );
        let used: f64 = w.iter().map(|v| v.norm_sqr() as f64).sum();
        assert!((used - p).abs() < 1e-3 * p);
        // Singular values agree with nalgebra's SVD.
        let sv = hn.clone().svd(false, false).singular_values;
        for (i, g) in r.gains.iter().enumerate() {
            assert!((g - sv[i] * sv[i]).abs() < 1e-3 * sv[0] * sv[0]);
        }
        // No random precoder of the same rank and power does better.
        for _ in 0..20 {
            let q = Array2::from_shape_fn((n_tx, rank), |_| cn(&mut rng, 1.0));
            let qn = to_na(&q);
            let e: f64 = qn.iter().map(|v| v.norm_sqr()).sum();
            let qn = qn * Complex::new((p / e).sqrt(), 0.0);
            assert!(capacity(&hn, &qn, nv) <= r.capacity + 1e-6);
        }
    }
    // Full rank equals the channel's water-filling capacity computed independently.
    let mut w = Array2::zeros((n_tx, 4));
    let r = svd_precoder(h.view(), p, nv, w.view_mut()).unwrap();
    let sv = hn.svd(false, false).singular_values;
    let g: Vec<f64> = sv.iter().map(|s| s * s / nv).collect();
    let mut best = 0.0f64;
    for n in 1..=4 {
        let mu = (p + g[..n].iter().map(|x| 1.0 / x).sum::<f64>()) / n as f64;
        if mu - 1.0 / g[n - 1] >= 0.0 {
            best = g[..n].iter().map(|x| (mu * x).log2()).sum();
        }
    }
    assert!((r.capacity - best).abs() < 1e-3, "{} vs {best}", r.capacity);
    // Power and noise each finite and > 0 (zero noise has no water level).
    for (p_bad, nv_bad) in [
        (0.0, nv),
        (p, 0.0),
        (f64::NAN, nv),
        (p, f64::INFINITY),
        (-1.0, nv),
    ] {
        assert_eq!(
            support::err::name(svd_precoder(h.view(), p_bad, nv_bad, w.view_mut())),
            "power / noise_var",
            "({p_bad}, {nv_bad})"
        );
    }
}

#[test]
fn sus_picks_one_user_per_direction() {
    // 8 orthogonal directions (DFT columns of a 16-antenna array), 4 users near each
    // (correlation ≈ 0.98 with their direction); users listed group by group.
    let mut rng = ChaCha8Rng::seed_from_u64(52);
    let n_tx = 16;
    let dir = |d: usize, t: usize| {
        C32::from_polar(
            1.0,
            2.0 * std::f32::consts::PI * (d * t) as f32 / n_tx as f32,
        )
    };
    let h = Array2::from_shape_fn((32, n_tx), |(u, t)| {
        let d = 2 * (u / 4);
        dir(d, t) * (1.0 + 0.1 * (u % 4) as f32) + cn(&mut rng, 0.002)
    });
    let chosen = semi_orthogonal_selection(h.view(), 8, 0.5).unwrap();
    assert_eq!(chosen.len(), 8);
    let mut groups: Vec<usize> = chosen.iter().map(|u| u / 4).collect();
    groups.sort();
    groups.dedup();
    assert_eq!(groups.len(), 8, "SUS chose {chosen:?}");
    // Within a group the strongest user is taken first.
    assert!(chosen.iter().all(|u| u % 4 == 3), "{chosen:?}");
    assert_eq!(
        support::err::name(semi_orthogonal_selection(h.view(), 0, 0.5)),
        "(k, alpha, n_users)"
    );
    assert_eq!(
        support::err::name(semi_orthogonal_selection(h.view(), 4, 1.5)),
        "(k, alpha, n_users)"
    );
}

#[test]
fn block_diagonalization_nulls_the_other_users() {
    use massive_mimo::precoding::block_diagonalization;
    let mut rng = ChaCha8Rng::seed_from_u64(53);
    // 4 users with 2 antennas each, 2 layers each, on 16 transmit antennas.
    let hs: Vec<Array2<C32>> = (0..4)
        .map(|_| Array2::from_shape_fn((2, 16), |_| cn(&mut rng, 1.0)))
        .collect();
    let views: Vec<_> = hs.iter().map(|h| h.view()).collect();
    let ws = block_diagonalization(&views, &[2, 2, 2, 2]).unwrap();
    for (k, w) in ws.iter().enumerate() {
        // Orthonormal columns.
        for a in 0..2 {
            for b in 0..2 {
                let d: C32 = (0..16).map(|t| w[[t, a]].conj() * w[[t, b]]).sum();
                let e = if a == b { 1.0 } else { 0.0 };
                assert!((d - C32::new(e, 0.0)).norm() < 1e-4);
            }
        }
        for (j, h) in hs.iter().enumerate() {
            let hw = h.dot(w);
            let p: f32 = hw.iter().map(|v| v.norm_sqr()).sum();
            if j == k {
                // The dominant directions of H_k inside the others' null space: with as many
                // layers as receive antennas they collect all of ‖H_k·P⊥‖² (P⊥ the projector
                // onto that null space, here from an f64 pseudo-inverse).
                let others: Vec<&Array2<C32>> = hs
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != k)
                    .map(|(_, h)| h)
                    .collect();
                let ht = DMatrix::from_fn(6, 16, |r, t| {
                    let v = others[r / 2][[r % 2, t]];
                    Complex::new(v.re as f64, v.im as f64)
                });
                let proj = DMatrix::<Complex<f64>>::identity(16, 16)
                    - ht.adjoint() * (&ht * ht.adjoint()).try_inverse().unwrap() * &ht;
                let hk = DMatrix::from_fn(2, 16, |r, t| {
                    Complex::new(h[[r, t]].re as f64, h[[r, t]].im as f64)
                });
                let want = (hk * proj).norm_squared();
                assert!(
                    ((p as f64) - want).abs() < 1e-4 * want,
                    "user {k}: own gain {p} vs {want:.5}"
                );
            } else {
                assert!(p < 1e-8, "user {k} leaks {p} into user {j}");
            }
        }
    }
    // Exactly as many layers as the null space has dimensions: 2 users × 2 antennas on 4
    // transmit antennas leave each user a 2-dimensional null space of the other, enough for
    // its 2 layers (and one layer more is an error).
    let pair: Vec<Array2<C32>> = (0..2)
        .map(|_| Array2::from_shape_fn((2, 4), |_| cn(&mut rng, 1.0)))
        .collect();
    let views: Vec<_> = pair.iter().map(|h| h.view()).collect();
    let ws = block_diagonalization(&views, &[2, 2]).unwrap();
    let leak: f32 = pair[1].dot(&ws[0]).iter().map(|v| v.norm_sqr()).sum();
    assert!(leak < 1e-8, "edge case leaks {leak}");
    assert_eq!(
        support::err::name(block_diagonalization(&views, &[3, 2])),
        "layers[k]"
    );
    // 9 users × 2 antennas leave no null space on 16 antennas.
    let many: Vec<Array2<C32>> = (0..9)
        .map(|_| Array2::from_shape_fn((2, 16), |_| cn(&mut rng, 1.0)))
        .collect();
    let views: Vec<_> = many.iter().map(|h| h.view()).collect();
    assert_eq!(
        support::err::name(block_diagonalization(&views, &[1; 9])),
        "layers[k]"
    );
}

/// Block diagonalisation depends on the channels' directions, not their scale: the null-space
/// threshold is relative to the largest eigenvalue of the others' Gram (1e-9·λ_max), so the
/// same channels ×10⁻⁴ and ×10⁴ (eigenvalues ×10⁻⁸ and ×10⁸; their rounding residue ≈ 1e-16·λ_max
/// scales along) give precoders that null the others as well (leak ≤ 1e-8 of the own gain)
/// and keep each user's own gain ‖H_k·W_k‖² the unscaled one's × the scale² (to 1e-4). Each
/// malformed argument is refused alone.
#[test]
fn block_diagonalization_is_scale_invariant_and_names_each_wrong_shape() {
    use massive_mimo::precoding::block_diagonalization;
    let mut rng = ChaCha8Rng::seed_from_u64(59);
    let hs: Vec<Array2<C32>> = (0..3)
        .map(|_| Array2::from_shape_fn((2, 8), |_| cn(&mut rng, 1.0)))
        .collect();
    let gains = |hs: &[Array2<C32>]| -> Vec<(f64, f64)> {
        let views: Vec<_> = hs.iter().map(|h| h.view()).collect();
        let ws = block_diagonalization(&views, &[2, 2, 2]).unwrap();
        (0..3)
            .map(|k| {
                let mut own = 0.0;
                let mut leak = 0.0;
                for (j, h) in hs.iter().enumerate() {
                    let p: f64 = h.dot(&ws[k]).iter().map(|v| v.norm_sqr() as f64).sum();
                    if j == k { own += p } else { leak += p }
                }
                (own, leak)
            })
            .collect()
    };
    let base = gains(&hs);
    for scale in [1e-4f32, 1e4] {
        let scaled: Vec<Array2<C32>> = hs.iter().map(|h| h.mapv(|v| v * scale)).collect();
        let s2 = (scale as f64).powi(2);
        for (k, ((own, leak), (own0, _))) in gains(&scaled).iter().zip(&base).enumerate() {
            assert!(
                leak <= &(1e-8 * own),
                "scale {scale}, user {k}: leak {leak} vs {own}"
            );
            assert!(
                (own / (own0 * s2) - 1.0).abs() < 1e-4,
                "scale {scale}, user {k}: own gain {own} vs {}",
                own0 * s2
            );
        }
    }
    let views: Vec<_> = hs.iter().map(|h| h.view()).collect();
    let narrow = Array2::<C32>::zeros((2, 7));
    let wrong_tx = [hs[0].view(), narrow.view()];
    for (what, r) in [
        ("no channels", block_diagonalization(&[], &[])),
        (
            "a layer count short",
            block_diagonalization(&views, &[2, 2]),
        ),
        (
            "one n_tx different",
            block_diagonalization(&wrong_tx, &[1, 1]),
        ),
    ] {
        assert_eq!(support::err::name(r), "channels / layers", "{what}");
    }
}

/// SUS where the orthogonal components decide (Yoo & Goldsmith's greedy step): user 0 = 2·e₁
/// is taken first (largest norm); then user 2 = 0.9·e₂ (orthogonal component 0.9) beats user 1
/// = 1.5·e₁ + 0.5·e₂ (orthogonal component 0.5, though its norm is 1.58); user 1 then lies in
/// the span and nothing is left to take, so 2 of the 3 asked for. A zero, a NaN and an
/// infinite channel (whose norm would win every step) are never taken, and α = 0 or no users
/// are refused.
#[test]
fn sus_takes_the_largest_orthogonal_component_and_skips_unusable_users() {
    let c = |v: [f32; 4]| v.map(|x| C32::new(x, 0.0));
    let rows = [
        c([2.0, 0.0, 0.0, 0.0]),
        c([1.5, 0.5, 0.0, 0.0]),
        c([0.0, 0.9, 0.0, 0.0]),
        c([0.0, 0.0, 0.0, 0.0]),
        c([f32::NAN, 0.0, 5.0, 0.0]),
        c([f32::INFINITY, 0.0, 0.0, 0.0]),
    ];
    let h = Array2::from_shape_fn((6, 4), |(u, t)| rows[u][t]);
    assert_eq!(
        semi_orthogonal_selection(h.view(), 3, 1.0).unwrap(),
        vec![0, 2]
    );
    // The orthogonality filter: user 2 = (1.2, 1.6) has normalised correlation 0.6 with user
    // 0 = 2.5·e₁, under α = 0.7, so it stays, and its orthogonal component 1.6 beats user 1's
    // 0.9.
    let h2 = Array2::from_shape_fn((3, 4), |(u, t)| {
        [
            c([2.5, 0.0, 0.0, 0.0]),
            c([0.0, 0.9, 0.0, 0.0]),
            c([1.2, 1.6, 0.0, 0.0]),
        ][u][t]
    });
    assert_eq!(
        semi_orthogonal_selection(h2.view(), 2, 0.7).unwrap(),
        vec![0, 2]
    );
    // With room for all four dimensions, still only usable users.
    let chosen = semi_orthogonal_selection(h.view(), 4, 1.0).unwrap();
    assert!(chosen.iter().all(|&u| u < 3), "{chosen:?}");
    for (k, alpha, users) in [(2, 0.0, 6), (2, 0.5, 0)] {
        assert_eq!(
            support::err::name(semi_orthogonal_selection(
                h.slice(ndarray::s![..users, ..]),
                k,
                alpha
            )),
            "(k, alpha, n_users)",
            "k {k} alpha {alpha} users {users}"
        );
    }
}
