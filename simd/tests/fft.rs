//! The batched lane FFT (`Kernels::fft_batch`, `LaneFft`) on every backend against rustfft (an
//! independent implementation), each SIMD backend against the scalar one, the inverse of the
//! forward, and its refusals.

mod common;

use common::*;
use massive_mimo_simd::{
    C32, Kernels, LaneFft, MAX_FFT_LEN, MAX_FFT_RADIX, MatrixBatch, SimdError,
};
use proptest::prelude::*;
use rustfft::FftPlanner;

/// Norm-wise error bound of an f32 FFT: ‖X̂ − X‖₂ ≤ c·ε·log₂N·‖X‖₂ for both transforms being
/// compared (Higham, "Accuracy and Stability of Numerical Algorithms", §24.1: the Cooley–Tukey
/// error grows as log₂N·ε with twiddles accurate to ε); c = 8 leaves room for the direct
/// odd-radix sums (p terms instead of log₂p) and for rustfft's own rounding.
fn bound(n: usize) -> f32 {
    8.0 * f32::EPSILON * ((n as f32).log2() + 2.0)
}

/// Transforms `len` random signals of length `n` with every backend and with rustfft; returns
/// the worst relative norm-wise error over signals and backends.
fn check_against_rustfft(n: usize, len: usize, inverse: bool, seed: u64) {
    let mut r = rng(seed);
    let x = random_batch(&mut r, n, 1, len);
    let plan = LaneFft::new(n, inverse).unwrap();
    let reference = {
        let mut p = FftPlanner::<f32>::new();
        if inverse {
            p.plan_fft_inverse(n)
        } else {
            p.plan_fft_forward(n)
        }
    };
    for k in all_backends() {
        let mut y = x.clone();
        let mut scratch = MatrixBatch::zeros(n, 1, 1).unwrap();
        k.fft_batch(&plan, &mut y, &mut scratch).unwrap();
        for m in 0..len {
            let mut want: Vec<C32> = (0..n).map(|i| x.get(m, i, 0).unwrap()).collect();
            reference.process(&mut want);
            let (mut err, mut norm) = (0.0f64, 0.0f64);
            for (i, w) in want.iter().enumerate() {
                err += f64::from((y.get(m, i, 0).unwrap() - w).norm_sqr());
                norm += f64::from(w.norm_sqr());
            }
            let rel = (err / norm).sqrt() as f32;
            assert!(
                rel <= bound(n),
                "n = {n}, inverse = {inverse}, signal {m} on {}: relative error {rel:e} > {:e}",
                k.backend(),
                bound(n)
            );
        }
    }
}

#[test]
fn every_radix_and_the_project_sizes_match_rustfft() {
    // Powers of 2 and 4, each odd radix alone and mixed, the SRS comb lengths (NR 100 MHz comb
    // 4: 816 = 4·4·3·17; LTE 20 MHz comb 2: 576), OFDM sizes, the largest radix.
    let sizes = [
        1,
        2,
        3,
        4,
        5,
        7,
        8,
        11,
        12,
        13,
        16,
        17,
        19,
        23,
        29,
        31,
        30,
        48,
        64,
        96,
        128,
        272,
        288,
        576,
        816,
        1024,
        1536,
        2 * 3 * 5 * 7 * 11,
        4096,
    ];
    for (i, &n) in sizes.iter().enumerate() {
        for inverse in [false, true] {
            // 20 signals: one full lane block and a ragged one.
            check_against_rustfft(n, 20, inverse, 1000 + i as u64);
        }
    }
}

#[test]
fn inverse_of_forward_is_n_times_the_signal() {
    let mut r = rng(7);
    for n in [816, 4096, 210] {
        let x = random_batch(&mut r, n, 1, 16);
        let (f, b) = (
            LaneFft::new(n, false).unwrap(),
            LaneFft::new(n, true).unwrap(),
        );
        for k in all_backends() {
            let mut y = x.clone();
            let mut s = MatrixBatch::zeros(n, 1, 1).unwrap();
            k.fft_batch(&f, &mut y, &mut s).unwrap();
            k.fft_batch(&b, &mut y, &mut s).unwrap();
            for m in 0..16 {
                for i in 0..n {
                    let d = y.get(m, i, 0).unwrap() / n as f32 - x.get(m, i, 0).unwrap();
                    // Two transforms' error, per element relative to the signal's r.m.s. (≤ 1).
                    assert!(d.norm() <= 4.0 * bound(n), "n = {n} on {}", k.backend());
                }
            }
        }
    }
}

#[test]
fn plans_factor_as_documented_and_refuse_what_they_cannot_do() {
    let r: Vec<usize> = LaneFft::new(816, false).unwrap().radices().collect();
    assert_eq!(r, vec![4, 4, 3, 17]);
    let r: Vec<usize> = LaneFft::new(4096, true).unwrap().radices().collect();
    assert_eq!(r, vec![4; 6]);
    let r: Vec<usize> = LaneFft::new(2 * 9 * 31, true).unwrap().radices().collect();
    assert_eq!(r, vec![2, 3, 3, 31]);
    assert!(LaneFft::new(1, false).unwrap().radices().next().is_none());
    assert_eq!(
        LaneFft::new(0, false),
        Err(SimdError::ZeroDimension { what: "fft length" })
    );
    assert_eq!(
        LaneFft::new(4 * 37, false),
        Err(SimdError::TooLarge {
            what: "fft length: prime factor",
            value: 37,
            max: MAX_FFT_RADIX
        })
    );
    assert_eq!(
        LaneFft::new(MAX_FFT_LEN + 4, false),
        Err(SimdError::TooLarge {
            what: "fft length",
            value: MAX_FFT_LEN + 4,
            max: MAX_FFT_LEN
        })
    );
    let plan = LaneFft::new(12, false).unwrap();
    let k = Kernels::new();
    let mut ok = MatrixBatch::zeros(12, 1, 3).unwrap();
    let mut scratch = MatrixBatch::zeros(12, 1, 1).unwrap();
    let mut wrong = MatrixBatch::zeros(12, 2, 3).unwrap();
    assert_eq!(
        k.fft_batch(&plan, &mut wrong, &mut scratch),
        Err(SimdError::ShapeMismatch {
            what: "fft_batch: x",
            expected_rows: 12,
            expected_cols: 1,
            got_rows: 12,
            got_cols: 2
        })
    );
    let mut short = MatrixBatch::zeros(8, 1, 1).unwrap();
    assert_eq!(
        k.fft_batch(&plan, &mut ok, &mut short),
        Err(SimdError::ShapeMismatch {
            what: "fft_batch: scratch",
            expected_rows: 12,
            expected_cols: 1,
            got_rows: 8,
            got_cols: 1
        })
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Random mixed-radix lengths and ragged batches: every SIMD backend equals the scalar
    /// reference to f32 rounding (both compute the same stages, in a different order only
    /// inside the odd butterflies).
    #[test]
    fn backends_match_scalar(e4 in 0u32..4, e2 in 0u32..2, e3 in 0u32..3, odd in 0usize..6,
                             len in 1usize..40, inverse in any::<bool>(), seed in any::<u64>()) {
        let n = 4usize.pow(e4) * 2usize.pow(e2) * 3usize.pow(e3) * [1, 5, 7, 13, 17, 31][odd];
        let mut r = rng(seed);
        let x = random_batch(&mut r, n, 1, len);
        let plan = LaneFft::new(n, inverse).unwrap();
        let mut want = x.clone();
        let mut s = MatrixBatch::zeros(n, 1, 2).unwrap();
        scalar().fft_batch(&plan, &mut want, &mut s).unwrap();
        for k in simd_backends() {
            let mut got = x.clone();
            k.fft_batch(&plan, &mut got, &mut s).unwrap();
            let (d, m) = batch_diff(&got, &want);
            // Each backend is within bound(n)·‖X‖₂ of the exact DFT, and ‖X‖₂ ≤ √n·max|X|.
            prop_assert!(d <= 2.0 * bound(n) * (n as f32).sqrt() * m,
                "n = {} on {}: {:e} (max {:e})", n, k.backend(), d, m);
        }
    }
}
