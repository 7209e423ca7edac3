//! `Kernels::csr_lanes` (a sparse matrix times one lane block) on every backend against a
//! direct f64 computation, and `CsrMatrix`'s and the kernel's refusals.

mod common;

use common::*;
use massive_mimo_simd::{C32, CsrMatrix, Kernels, MatrixBatch, SimdError};
use proptest::prelude::*;
use rand::Rng;

fn random_csr(r: &mut rand_chacha::ChaCha8Rng, rows: usize, cols: usize) -> CsrMatrix {
    let mut offsets = vec![0];
    let (mut columns, mut values) = (Vec::new(), Vec::new());
    for _ in 0..rows {
        for _ in 0..r.gen_range(0..5) {
            columns.push(r.gen_range(0..cols));
            values.push(C32::new(r.gen_range(-1.0..1.0), r.gen_range(-1.0..1.0)));
        }
        offsets.push(columns.len());
    }
    CsrMatrix::new(offsets, columns, values, cols).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Each output within f32 rounding of the f64 sum (≤ 4 products of magnitude ≤ 2: a few
    /// ε of 8), the values between rows (stride gaps) and past the block's signals untouched.
    #[test]
    fn every_backend_equals_the_f64_sum(rows in 0usize..40, cols in 1usize..50, len in 1usize..40,
                                        extra in 0usize..4, seed in any::<u64>()) {
        let mut r = rng(seed);
        let a = random_csr(&mut r, rows, cols);
        let x = random_batch(&mut r, cols, 1, len);
        let sentinel = C32::new(7.0, -7.0);
        for block in 0..x.blocks() {
            let lanes = (len - 16 * block).min(16);
            let stride = lanes + extra;
            for k in all_backends() {
                let mut out = vec![sentinel; rows * stride + 3];
                k.csr_lanes(&a, &x, block, &mut out, stride).unwrap();
                for o in 0..rows {
                    for l in 0..stride {
                        let got = out[o * stride + l];
                        if l >= lanes {
                            prop_assert_eq!(got, sentinel);
                            continue;
                        }
                        let mut want = num_complex::Complex64::new(0.0, 0.0);
                        for (c, v) in a.row(o) {
                            let xv = x.get(16 * block + l, c, 0).unwrap();
                            want += num_complex::Complex64::new(v.re.into(), v.im.into())
                                * num_complex::Complex64::new(xv.re.into(), xv.im.into());
                        }
                        let err = (num_complex::Complex64::new(got.re.into(), got.im.into()) - want).norm();
                        prop_assert!(err <= 8.0 * 8.0 * f64::from(f32::EPSILON),
                            "{} row {} lane {}: {:e}", k.backend(), o, l, err);
                    }
                }
                prop_assert!(out[rows * stride..].iter().all(|&v| v == sentinel));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// `csr_lanes_batch` writes what `csr_lanes` computes, into the lane layout: every lane of
    /// y's block within the f32 rounding of the f64 sum (bound as above), the padding lanes
    /// zero (x's are: `random_batch` fills only its signals); and `values_mut` changes the
    /// coefficients the kernel uses (the matrix scaled by 2 gives twice the output).
    #[test]
    fn the_lane_layout_form_equals_the_f64_sum(rows in 1usize..40, cols in 1usize..50,
                                               len in 1usize..40, seed in any::<u64>()) {
        let mut r = rng(seed);
        let mut a = random_csr(&mut r, rows, cols);
        let x = random_batch(&mut r, cols, 1, len);
        for block in 0..x.blocks() {
            let lanes = (len - 16 * block).min(16);
            for k in all_backends() {
                let mut y = MatrixBatch::zeros(rows, 1, lanes).unwrap();
                y.as_mut_slice().fill(7.0);
                k.csr_lanes_batch(&a, &x, block, &mut y).unwrap();
                for o in 0..rows {
                    for l in 0..16 {
                        let (re, im) = (y.as_slice()[32 * o + l], y.as_slice()[32 * o + 16 + l]);
                        if l >= lanes {
                            prop_assert_eq!((re, im), (0.0, 0.0));
                            continue;
                        }
                        let mut want = num_complex::Complex64::new(0.0, 0.0);
                        for (c, v) in a.row(o) {
                            let xv = x.get(16 * block + l, c, 0).unwrap();
                            want += num_complex::Complex64::new(v.re.into(), v.im.into())
                                * num_complex::Complex64::new(xv.re.into(), xv.im.into());
                        }
                        let got = num_complex::Complex64::new(re.into(), im.into());
                        prop_assert!((got - want).norm() <= 8.0 * 8.0 * f64::from(f32::EPSILON),
                            "{} row {} lane {}: {} vs {}", k.backend(), o, l, got, want);
                    }
                }
            }
            let k = Kernels::new();
            let mut once = MatrixBatch::zeros(rows, 1, lanes).unwrap();
            k.csr_lanes_batch(&a, &x, block, &mut once).unwrap();
            a.values_mut().iter_mut().for_each(|v| *v *= 2.0);
            let mut twice = MatrixBatch::zeros(rows, 1, lanes).unwrap();
            k.csr_lanes_batch(&a, &x, block, &mut twice).unwrap();
            a.values_mut().iter_mut().for_each(|v| *v *= 0.5);
            for (u, v) in once.as_slice().iter().zip(twice.as_slice()) {
                prop_assert_eq!(2.0 * u, *v);
            }
        }
    }
}

#[test]
fn malformed_matrices_and_operands_are_named() {
    let z = C32::new(1.0, 0.0);
    assert_eq!(
        CsrMatrix::new(vec![], vec![], vec![], 3),
        Err(SimdError::LengthMismatch {
            what: "csr: offsets (must start at 0)",
            expected: 0,
            got: usize::MAX
        })
    );
    assert_eq!(
        CsrMatrix::new(vec![0, 2, 1, 2], vec![0, 1], vec![z, z], 3),
        Err(SimdError::OutOfRange {
            what: "csr: offsets (decreasing at row)",
            index: 1,
            size: 3
        })
    );
    assert_eq!(
        CsrMatrix::new(vec![0, 1], vec![0, 1], vec![z, z], 3),
        Err(SimdError::LengthMismatch {
            what: "csr: last offset (= number of entries)",
            expected: 2,
            got: 1
        })
    );
    assert_eq!(
        CsrMatrix::new(vec![0, 2], vec![0, 1], vec![z], 3),
        Err(SimdError::LengthMismatch {
            what: "csr: values",
            expected: 2,
            got: 1
        })
    );
    assert_eq!(
        CsrMatrix::new(vec![0, 2], vec![0, 3], vec![z, z], 3),
        Err(SimdError::OutOfRange {
            what: "csr: column",
            index: 3,
            size: 3
        })
    );
    let a = CsrMatrix::new(vec![0, 1, 2], vec![0, 2], vec![z, z], 3).unwrap();
    let (k, x) = (Kernels::new(), MatrixBatch::zeros(3, 1, 20).unwrap());
    let mut out = vec![C32::new(0.0, 0.0); 40];
    let wrong = MatrixBatch::zeros(4, 1, 20).unwrap();
    assert_eq!(
        k.csr_lanes(&a, &wrong, 0, &mut out, 16),
        Err(SimdError::ShapeMismatch {
            what: "csr_lanes: x",
            expected_rows: 3,
            expected_cols: 1,
            got_rows: 4,
            got_cols: 1
        })
    );
    assert_eq!(
        k.csr_lanes(&a, &x, 2, &mut out, 16),
        Err(SimdError::OutOfRange {
            what: "csr_lanes: block",
            index: 2,
            size: 2
        })
    );
    // Block 1 holds 4 signals: a stride of 3 is too short, 4 is enough.
    assert_eq!(
        k.csr_lanes(&a, &x, 1, &mut out, 3),
        Err(SimdError::LengthMismatch {
            what: "csr_lanes: stride (at least the block's signals)",
            expected: 4,
            got: 3
        })
    );
    assert!(k.csr_lanes(&a, &x, 1, &mut out[..8], 4).is_ok());
    // The lane-layout form: y is the block's signals of a.rows() × 1.
    let mut y = MatrixBatch::zeros(2, 1, 4).unwrap();
    assert_eq!(k.csr_lanes_batch(&a, &x, 1, &mut y), Ok(()));
    assert_eq!(
        k.csr_lanes_batch(&a, &wrong, 1, &mut y),
        Err(SimdError::ShapeMismatch {
            what: "csr_lanes_batch: x",
            expected_rows: 3,
            expected_cols: 1,
            got_rows: 4,
            got_cols: 1
        })
    );
    let mut tall = MatrixBatch::zeros(3, 1, 4).unwrap();
    assert_eq!(
        k.csr_lanes_batch(&a, &x, 1, &mut tall),
        Err(SimdError::ShapeMismatch {
            what: "csr_lanes_batch: y",
            expected_rows: 2,
            expected_cols: 1,
            got_rows: 3,
            got_cols: 1
        })
    );
    assert_eq!(
        k.csr_lanes_batch(&a, &x, 2, &mut y),
        Err(SimdError::OutOfRange {
            what: "csr_lanes_batch: block",
            index: 2,
            size: 2
        })
    );
    assert_eq!(
        k.csr_lanes_batch(&a, &x, 0, &mut y),
        Err(SimdError::BatchMismatch {
            what: "csr_lanes_batch: y (the block's signals)",
            expected: 16,
            got: 4
        })
    );
    assert_eq!(
        k.csr_lanes(&a, &x, 0, &mut out[..31], 16),
        Err(SimdError::LengthMismatch {
            what: "csr_lanes: out (at least (rows − 1)·stride + signals)",
            expected: 32,
            got: 31
        })
    );
}
