//! Beam and PMI selection against brute force (index and metric) and against eigen-beamforming,
//! at fixed seeds.

mod support;

use massive_mimo::C32;
use massive_mimo::array::PlanarArray;
use massive_mimo::beamforming::{DftGrid, PrecoderSelector, TypeISinglePanel, eigen_beams};
use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use support::multipath::cn;

#[test]
fn grid_selection_matches_brute_force_for_line_of_sight_users() {
    let grid = DftGrid::new(8, 4, 4, 4).unwrap();
    let arr = PlanarArray::new(8, 4, 0.5, 0.5).unwrap();
    let mut sel = PrecoderSelector::from_dft_grid(&grid, 16).unwrap();
    for (zen, azi) in [(95.0, -30.0), (80.0, 10.0), (110.0, 45.0), (90.0, 0.0)] {
        let mut a = vec![C32::new(0.0, 0.0); 32];
        arr.steering(zen, azi, &mut a).unwrap();
        // 16 samples (subcarriers): the LOS path with a random complex gain each.
        let h = Array2::from_shape_fn((16, 32), |(_, k)| a[k]);
        let h = Array2::from_shape_fn((16, 32), |(s, k)| {
            h[[s, k]] * C32::new(1.0 + 0.1 * s as f32, 0.3)
        });
        let best = sel.select(h.view(), 1.0).unwrap();
        let mut w = vec![C32::new(0.0, 0.0); 32];
        let brute = (0..grid.beams())
            .map(|b| {
                grid.weights(b, &mut w).unwrap();
                let g: f64 = (0..16)
                    .map(|s| (0..32).map(|k| h[[s, k]] * w[k]).sum::<C32>().norm_sqr() as f64)
                    .sum();
                (b, g)
            })
            .fold((0, f64::MIN), |a, b| if b.1 > a.1 { b } else { a });
        assert_eq!(best.index, brute.0, "({zen}, {azi})");
        assert!((best.metric - brute.1).abs() < 1e-3 * brute.1);
    }
}

#[test]
fn type1_pmi_recovers_the_precoder_the_channel_was_built_from() {
    let cb = TypeISinglePanel::new(4, 2, 4, 4, 1).unwrap();
    for rank in [1, 2] {
        let (mut sel, idx) = PrecoderSelector::from_type1(&cb, rank, 8).unwrap();
        let (cands, _) = cb.all_precoders(rank).unwrap();
        for target in [0, 17, cands.len() / 2, cands.len() - 1] {
            // H = W_targetᴴ (rank × P): the UE sees exactly the target's layers.
            let w = &cands[target];
            let h = Array2::from_shape_fn((rank, 16), |(l, k)| w[k * rank + l].conj());
            let best = sel.select(h.view(), 100.0).unwrap();
            let m = sel.metrics();
            let max = m.iter().cloned().fold(f64::MIN, f64::max);
            assert!(
                (m[target] - max).abs() < 1e-6 * max.abs().max(1.0),
                "rank {rank} target {:?}",
                idx[target]
            );
            assert!((best.metric - max).abs() < 1e-12);
            // The index, not just the value: the chosen candidate spans the target's layer
            // space (W·Wᴴ equal: at rank 2 the co-phasings ±φ span one space and tie exactly,
            // at rank 1 the target alone reaches the maximum).
            assert_eq!(m[best.index], best.metric);
            let proj = |c: &[C32]| {
                Array2::from_shape_fn((16, 16), |(i, j)| {
                    (0..rank)
                        .map(|l| c[i * rank + l] * c[j * rank + l].conj())
                        .sum::<C32>()
                })
            };
            let (p_best, p_target) = (proj(&cands[best.index]), proj(w));
            let diff: f32 = p_best
                .iter()
                .zip(&p_target)
                .map(|(a, b)| (a - b).norm_sqr())
                .sum();
            let norm: f32 = p_target.iter().map(|a| a.norm_sqr()).sum();
            assert!(
                diff < 1e-10 * norm,
                "rank {rank}: chose {:?} for target {:?}",
                idx[best.index],
                idx[target]
            );
            if rank == 1 {
                assert_eq!(best.index, target, "rank 1: chose {:?}", idx[best.index]);
            }
        }
    }
}

#[test]
fn eigen_beam_collects_at_least_the_best_codebook_power() {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let cb = TypeISinglePanel::new(4, 2, 4, 4, 1).unwrap();
    let (mut sel, _) = PrecoderSelector::from_type1(&cb, 1, 24).unwrap();
    for _ in 0..5 {
        // Correlated channel: 24 samples of a 3-path mixture plus a little i.i.d. part.
        let paths: Vec<Vec<C32>> = (0..3)
            .map(|_| (0..16).map(|_| cn(&mut rng, 1.0)).collect())
            .collect();
        let h = Array2::from_shape_fn((24, 16), |(s, k)| {
            paths[s % 3][k] * C32::new(1.0, 0.1 * s as f32)
                + C32::new(0.05, 0.0) * paths[(s + 1) % 3][15 - k]
        });
        let best = sel.select(h.view(), 1.0).unwrap();
        let mut w = Array2::zeros((16, 1));
        let vals = eigen_beams(h.view(), 1, w.view_mut()).unwrap();
        let eig_power: f64 = (0..24)
            .map(|s| {
                (0..16)
                    .map(|k| h[[s, k]] * w[[k, 0]])
                    .sum::<C32>()
                    .norm_sqr() as f64
            })
            .sum();
        assert!((eig_power / 24.0 - vals[0]).abs() < 1e-3 * vals[0]);
        assert!(
            eig_power >= best.metric * (1.0 - 1e-5),
            "eigen {eig_power} < codebook {}",
            best.metric
        );
    }
}

#[test]
fn selection_rejects_bad_input() {
    let grid = DftGrid::new(2, 2, 2, 2).unwrap();
    let mut sel = PrecoderSelector::from_dft_grid(&grid, 4).unwrap();
    use support::err::name;
    assert!(name(sel.select(Array2::zeros((5, 4)).view(), 1.0)).starts_with("h ["));
    assert!(name(sel.select(Array2::zeros((2, 3)).view(), 1.0)).starts_with("h ["));
    assert_eq!(
        name(sel.select(Array2::zeros((2, 4)).view(), f64::NAN)),
        "snr"
    );
    assert_eq!(
        support::err::name(PrecoderSelector::new(&[], 4, 1, 4)),
        "(candidates, ports, rank, max_samples)"
    );
    assert_eq!(
        support::err::name(PrecoderSelector::new(
            &[vec![C32::new(1.0, 0.0); 3]],
            4,
            1,
            4
        )),
        "candidate [ports, rank]"
    );
    // A NaN or infinite channel entry is a named error (issue 21: it returned beam 0 with a
    // NaN metric).
    for bad in [f32::NAN, f32::INFINITY] {
        let mut h = Array2::zeros((2, 4));
        h[[1, 2]] = C32::new(0.0, bad);
        assert_eq!(name(sel.select(h.view(), 1.0)), "h");
    }
}
