//! A seeded multipath channel for estimation tests: independent Rayleigh taps per receive
//! antenna and port with an exponential power-delay profile, exact frequency response on a
//! subcarrier grid (delays in units of the useful symbol duration 1/Δf), static over the slot.

use massive_mimo::C32;
use massive_mimo_sim::channel::complex_normal;
use ndarray::{Array3, Array4};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Circularly-symmetric complex Gaussian of variance `var` ([`complex_normal`]), as C32.
pub fn cn(rng: &mut ChaCha8Rng, var: f64) -> C32 {
    let v = complex_normal(rng, var);
    C32::new(v.re as f32, v.im as f32)
}

/// Channel `h` [n_rx, n_ports, n_sym, n_sc]: `n_taps` taps at delays
/// `offset + i·rms·3/n_taps` (i < n_taps) with powers ∝ e^{−delay/rms}, unit total power.
pub fn channel(
    seed: u64,
    (n_rx, n_ports, n_sym, n_sc): (usize, usize, usize, usize),
    rms: f64,
    offset: f64,
    n_taps: usize,
) -> Array4<C32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let delays: Vec<f64> = (0..n_taps)
        .map(|i| i as f64 * rms * 3.0 / n_taps as f64)
        .collect();
    let p: Vec<f64> = delays
        .iter()
        .map(|d| if rms > 0.0 { (-d / rms).exp() } else { 1.0 })
        .collect();
    let total: f64 = p.iter().sum();
    let mut h = Array4::zeros((n_rx, n_ports, n_sym, n_sc));
    for r in 0..n_rx {
        for q in 0..n_ports {
            let g: Vec<C32> = p.iter().map(|&pi| cn(&mut rng, pi / total)).collect();
            for k in 0..n_sc {
                let mut v = C32::new(0.0, 0.0);
                for (gi, d) in g.iter().zip(&delays) {
                    let ph = -2.0 * std::f64::consts::PI * k as f64 * (d + offset);
                    v += gi * C32::new(ph.cos() as f32, ph.sin() as f32);
                }
                for l in 0..n_sym {
                    h[[r, q, l, k]] = v;
                }
            }
        }
    }
    h
}

/// Received grid `rx` [n_rx, n_sym, n_sc] = Σ_p h_p·pilot_p on pilot REs, unit-power QPSK data
/// through port 0's channel elsewhere, plus noise of variance `noise_var`.
pub fn receive(seed: u64, h: &Array4<C32>, pilots: &Array3<C32>, noise_var: f64) -> Array3<C32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
    let (n_rx, n_ports, n_sym, n_sc) = h.dim();
    let mut rx = Array3::zeros((n_rx, n_sym, n_sc));
    let s = std::f32::consts::FRAC_1_SQRT_2;
    for l in 0..n_sym {
        for k in 0..n_sc {
            let pilot_re = (0..n_ports).any(|p| pilots[[p, l, k]] != C32::new(0.0, 0.0));
            let data = C32::new(
                if rng.r#gen::<bool>() { s } else { -s },
                if rng.r#gen::<bool>() { s } else { -s },
            );
            for r in 0..n_rx {
                let mut v = if pilot_re {
                    (0..n_ports)
                        .map(|p| h[[r, p, l, k]] * pilots[[p, l, k]])
                        .sum()
                } else {
                    h[[r, 0, l, k]] * data
                };
                v += cn(&mut rng, noise_var);
                rx[[r, l, k]] = v;
            }
        }
    }
    rx
}

/// NMSE in dB of `est` against `truth`.
pub fn nmse_db(est: &Array4<C32>, truth: &Array4<C32>) -> f64 {
    let (mut e, mut t) = (0.0f64, 0.0f64);
    for (a, b) in est.iter().zip(truth) {
        e += (a - b).norm_sqr() as f64;
        t += b.norm_sqr() as f64;
    }
    10.0 * (e / t).log10()
}
