//! `Kernels::gather_comb` (a comb of an interleaved view times per-column factors into the
//! lane layout) on every backend against a direct f64 computation, and its refusals.

mod common;

use common::*;
use massive_mimo_simd::{C32, ComplexRef, Kernels, MatrixBatch, SimdError};
use num_complex::Complex64;
use proptest::prelude::*;

const SENTINEL: f32 = 7.0;

fn c64(v: C32) -> Complex64 {
    Complex64::new(v.re.into(), v.im.into())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Every element within f32 rounding of the f64 product: each part is two products of at
    /// most |x|·|f| and one sum, so ≤ 2ε·|x|·|f| per part, ≤ 4ε·|x|·|f| in modulus; the lanes
    /// past the rows (padding of the last block) keep what they held.
    #[test]
    fn every_backend_equals_the_f64_product(rows in 1usize..40, m in 1usize..30,
                                            step in 1usize..6, extra in 0usize..5,
                                            gap in 0usize..4, seed in any::<u64>()) {
        let mut r = rng(seed);
        let cols = (m - 1) * step + 1 + extra;
        let stride = cols + gap;
        let data = cvec(&mut r, (rows - 1) * stride + cols);
        let factor = cvec(&mut r, m);
        let src = ComplexRef::new(rows, cols, stride, &data).unwrap();
        for k in all_backends() {
            let mut dst = MatrixBatch::zeros(m, 1, rows).unwrap();
            dst.as_mut_slice().fill(SENTINEL);
            k.gather_comb(&src, step, &factor, &mut dst).unwrap();
            for row in 0..rows {
                for (i, f) in factor.iter().enumerate() {
                    let x = data[row * stride + i * step];
                    let want = c64(x) * c64(*f);
                    let got = c64(dst.get(row, i, 0).unwrap());
                    let bound = 4.0 * f64::from(f32::EPSILON) * c64(x).norm() * c64(*f).norm();
                    prop_assert!((got - want).norm() <= bound,
                        "{} row {} element {}: {} vs {}", k.backend(), row, i, got, want);
                }
            }
            // Lane l of element i in the last block: re at 32·i + l, im 16 on.
            let last = &dst.as_slice()[(dst.blocks() - 1) * dst.block_len()..];
            for l in (rows - 16 * (dst.blocks() - 1))..16 {
                for i in 0..m {
                    prop_assert_eq!(last[32 * i + l], SENTINEL);
                    prop_assert_eq!(last[32 * i + 16 + l], SENTINEL);
                }
            }
        }
    }
}

#[test]
fn refusals_name_the_operand() {
    let data = vec![C32::new(1.0, 0.0); 3 * 10];
    let src = ComplexRef::new(3, 10, 10, &data).unwrap();
    let f = vec![C32::new(1.0, 0.0); 4];
    let k = Kernels::new();
    let mut two = MatrixBatch::zeros(4, 1, 2).unwrap();
    assert_eq!(
        k.gather_comb(&src, 3, &f, &mut two),
        Err(SimdError::BatchMismatch {
            what: "gather_comb: dst [rows of src]",
            expected: 3,
            got: 2
        })
    );
    let mut wide = MatrixBatch::zeros(4, 2, 3).unwrap();
    assert_eq!(
        k.gather_comb(&src, 3, &f, &mut wide),
        Err(SimdError::ShapeMismatch {
            what: "gather_comb: dst matrices",
            expected_rows: 4,
            expected_cols: 1,
            got_rows: 4,
            got_cols: 2
        })
    );
    let mut dst = MatrixBatch::zeros(4, 1, 3).unwrap();
    assert_eq!(
        k.gather_comb(&src, 0, &f, &mut dst),
        Err(SimdError::ZeroDimension {
            what: "gather_comb: step"
        })
    );
    // Columns 0, 3, 6, 9 fit in 10; step 4 needs 13.
    assert_eq!(k.gather_comb(&src, 3, &f, &mut dst), Ok(()));
    assert_eq!(
        k.gather_comb(&src, 4, &f, &mut dst),
        Err(SimdError::TooLarge {
            what: "gather_comb: comb span (m − 1)·step + 1",
            value: 13,
            max: 10
        })
    );
}
