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
    assert_eq!(
        k.csr_lanes(&a, &x, 0, &mut out[..31], 16),
        Err(SimdError::LengthMismatch {
            what: "csr_lanes: out (at least (rows − 1)·stride + signals)",
            expected: 32,
            got: 31
        })
    );
}
