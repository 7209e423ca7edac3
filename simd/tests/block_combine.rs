//! `Kernels::split_transpose` (interleaved rows × cols → split cols × rows),
//! `Kernels::store_interleaved` (split → interleaved, same shape) and `Kernels::block_combine`
//! (per-block small products over selected rows) on every backend: the moves exactly (no
//! arithmetic), the products against a direct f64 sum, the
//! values outside the written region untouched, and every refusal named.

mod common;

use common::*;
use massive_mimo_simd::{C32, ComplexMut, ComplexRef, Kernels, SimdError, SplitMut, SplitRef};
use num_complex::Complex64;
use proptest::prelude::*;
use rand::Rng;

const SENTINEL: f32 = 7.5;

fn c64(v: C32) -> Complex64 {
    Complex64::new(v.re.into(), v.im.into())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Every element lands at its transposed place bit for bit (a move, no arithmetic), on
    /// views with row-stride gaps, and the output's stride gaps keep their old values.
    #[test]
    fn split_transpose_moves_every_element(rows in 1usize..40, cols in 1usize..40,
                                           gap in 0usize..5, dgap in 0usize..3,
                                           seed in any::<u64>()) {
        let mut r = rng(seed);
        let stride = cols + gap;
        let data = cvec(&mut r, (rows - 1) * stride + cols);
        let src = ComplexRef::new(rows, cols, stride, &data).unwrap();
        let ds = rows + dgap;
        let len = (cols - 1) * ds + rows;
        for k in all_backends() {
            let (mut re, mut im) = (vec![SENTINEL; len], vec![SENTINEL; len]);
            let mut dst = SplitMut::new(cols, rows, ds, &mut re, &mut im).unwrap();
            k.split_transpose(&src, &mut dst).unwrap();
            for c in 0..cols {
                for row in 0..rows {
                    let v = data[row * stride + c];
                    prop_assert_eq!((re[c * ds + row], im[c * ds + row]), (v.re, v.im),
                        "{} ({}, {})", k.backend(), row, c);
                }
                for g in rows..ds {
                    if c * ds + g < len {
                        prop_assert_eq!((re[c * ds + g], im[c * ds + g]), (SENTINEL, SENTINEL));
                    }
                }
            }
        }
    }

    /// Split rows with stride gaps into interleaved rows with other gaps: every element bit
    /// for bit in place, the gaps untouched.
    #[test]
    fn store_interleaved_moves_every_element(rows in 1usize..20, cols in 1usize..70,
                                             gap in 0usize..4, dgap in 0usize..4,
                                             seed in any::<u64>()) {
        let mut r = rng(seed);
        let ss = cols + gap;
        let n = (rows - 1) * ss + cols;
        let (re, im): (Vec<f32>, Vec<f32>) = cvec(&mut r, n).iter().map(|v| (v.re, v.im)).unzip();
        let src = SplitRef::new(rows, cols, ss, &re, &im).unwrap();
        let ds = cols + dgap;
        let dn = (rows - 1) * ds + cols;
        let s = C32::new(SENTINEL, -SENTINEL);
        for k in all_backends() {
            let mut data = vec![s; dn];
            let mut dst = ComplexMut::new(rows, cols, ds, &mut data).unwrap();
            k.store_interleaved(&src, &mut dst).unwrap();
            for i in 0..rows {
                for j in 0..ds {
                    if i * ds + j >= dn {
                        continue;
                    }
                    let want = if j < cols {
                        C32::new(re[i * ss + j], im[i * ss + j])
                    } else {
                        s
                    };
                    prop_assert_eq!(data[i * ds + j], want, "{} ({}, {})", k.backend(), i, j);
                }
            }
        }
    }

    /// Each output within f32 rounding of the f64 sum. Per part it is a dot product of 2k
    /// terms whose magnitudes sum to at most 2√2·k (|a|, |y| ≤ √2), so its error is at most
    /// (2k)·ε·2√2·k, and the complex error at most √2 times that: 8k²·ε, bounded here by
    /// 4k(k + 1)·ε·2. The rows of blocks outside `b0..b0 + nb` and the stride gaps keep their
    /// old values.
    #[test]
    fn block_combine_equals_the_f64_sum(m in 1usize..6, k in 1usize..9, nb in 0usize..7,
                                        extra in 0usize..3, b0 in 0usize..3, n in 1usize..70,
                                        ny in 1usize..30, gap in 0usize..3,
                                        seed in any::<u64>()) {
        let mut r = rng(seed);
        let a = cvec(&mut r, nb * m * k);
        let rows: Vec<u32> = (0..nb * k).map(|_| r.gen_range(0..ny as u32)).collect();
        let ys = n + gap;
        let ylen = (ny - 1) * ys + n;
        let (yre, yim): (Vec<f32>, Vec<f32>) =
            cvec(&mut r, ylen).iter().map(|v| (v.re, v.im)).unzip();
        let y = SplitRef::new(ny, n, ys, &yre, &yim).unwrap();
        let big = (b0 + nb + extra).max(1);
        let os = n + gap;
        let olen = (m * big - 1) * os + n;
        for kern in all_backends() {
            let (mut ore, mut oim) = (vec![SENTINEL; olen], vec![SENTINEL; olen]);
            let mut out = SplitMut::new(m * big, n, os, &mut ore, &mut oim).unwrap();
            kern.block_combine(&a, (m, k, b0), &rows, &y, &mut out).unwrap();
            let bound = 8.0 * (k * (k + 1)) as f64 * f64::from(f32::EPSILON);
            for q in 0..m {
                for bb in 0..big {
                    let row = q * big + bb;
                    for j in 0..n {
                        let got = Complex64::new(ore[row * os + j].into(), oim[row * os + j].into());
                        if bb < b0 || bb >= b0 + nb {
                            prop_assert_eq!(got, Complex64::new(SENTINEL.into(), SENTINEL.into()));
                            continue;
                        }
                        let b = bb - b0;
                        let mut want = Complex64::new(0.0, 0.0);
                        for i in 0..k {
                            let at = rows[b * k + i] as usize * ys + j;
                            want += c64(a[(b * m + q) * k + i])
                                * Complex64::new(yre[at].into(), yim[at].into());
                        }
                        prop_assert!((got - want).norm() <= bound,
                            "{} q {} block {} col {}: {:e}", kern.backend(), q, b, j,
                            (got - want).norm());
                    }
                    for g in n..os {
                        if row * os + g < olen {
                            prop_assert_eq!(ore[row * os + g], SENTINEL);
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn split_transpose_refuses_a_wrong_output_shape() {
    let data = vec![C32::new(1.0, 0.0); 12];
    let src = ComplexRef::new(3, 4, 4, &data).unwrap();
    let (mut re, mut im) = (vec![0.0; 12], vec![0.0; 12]);
    let mut dst = SplitMut::new(3, 4, 4, &mut re, &mut im).unwrap();
    for k in all_backends() {
        assert_eq!(
            k.split_transpose(&src, &mut dst),
            Err(SimdError::ShapeMismatch {
                what: "split_transpose: dst",
                expected_rows: 4,
                expected_cols: 3,
                got_rows: 3,
                got_cols: 4
            })
        );
    }
}

#[test]
fn block_combine_names_each_refusal() {
    let (yre, yim) = (vec![0.0f32; 8], vec![0.0f32; 8]);
    let y = SplitRef::new(2, 4, 4, &yre, &yim).unwrap();
    let (mut ore, mut oim) = (vec![0.0f32; 16], vec![0.0f32; 16]);
    let mut out = SplitMut::new(4, 4, 4, &mut ore, &mut oim).unwrap();
    let a = vec![C32::new(1.0, 0.0); 4];
    let k = Kernels::new();
    assert_eq!(
        k.block_combine(&a, (0, 2, 0), &[0, 1], &y, &mut out),
        Err(SimdError::ZeroDimension {
            what: "block_combine: m (outputs per block)"
        })
    );
    assert_eq!(
        k.block_combine(&a, (2, 0, 0), &[0, 1], &y, &mut out),
        Err(SimdError::ZeroDimension {
            what: "block_combine: k (rows per block)"
        })
    );
    assert_eq!(
        k.block_combine(&a, (2, 2, 0), &[0, 1, 1], &y, &mut out),
        Err(SimdError::LengthMismatch {
            what: "block_combine: rows (a multiple of k)",
            expected: 2,
            got: 3
        })
    );
    assert_eq!(
        k.block_combine(&a[..3], (2, 2, 0), &[0, 1], &y, &mut out),
        Err(SimdError::LengthMismatch {
            what: "block_combine: a (nb·m·k)",
            expected: 4,
            got: 3
        })
    );
    assert_eq!(
        k.block_combine(&a, (2, 2, 2), &[0, 1], &y, &mut out),
        Err(SimdError::OutOfRange {
            what: "block_combine: b0 + blocks",
            index: 3,
            size: 2
        })
    );
    assert_eq!(
        k.block_combine(&a, (2, 2, 0), &[0, 2], &y, &mut out),
        Err(SimdError::OutOfRange {
            what: "block_combine: rows",
            index: 2,
            size: 2
        })
    );
    let a6 = vec![C32::new(1.0, 0.0); 6];
    assert_eq!(
        k.block_combine(&a6, (3, 2, 0), &[0, 1], &y, &mut out),
        Err(SimdError::ShapeMismatch {
            what: "block_combine: out (m·NB × y.cols)",
            expected_rows: 3,
            expected_cols: 4,
            got_rows: 4,
            got_cols: 4
        })
    );
    let (yre3, yim3) = (vec![0.0f32; 6], vec![0.0f32; 6]);
    let y3 = SplitRef::new(2, 3, 3, &yre3, &yim3).unwrap();
    assert_eq!(
        k.block_combine(&a, (2, 2, 0), &[0, 1], &y3, &mut out),
        Err(SimdError::ShapeMismatch {
            what: "block_combine: out (m·NB × y.cols)",
            expected_rows: 4,
            expected_cols: 3,
            got_rows: 4,
            got_cols: 4
        })
    );
}

#[test]
fn store_interleaved_refuses_a_wrong_output_shape() {
    let (re, im) = (vec![0.0f32; 6], vec![0.0f32; 6]);
    let src = SplitRef::new(2, 3, 3, &re, &im).unwrap();
    let mut data = vec![C32::new(0.0, 0.0); 6];
    let mut dst = ComplexMut::new(3, 2, 2, &mut data).unwrap();
    for k in all_backends() {
        assert_eq!(
            k.store_interleaved(&src, &mut dst),
            Err(SimdError::ShapeMismatch {
                what: "store_interleaved: dst",
                expected_rows: 2,
                expected_cols: 3,
                got_rows: 3,
                got_cols: 2
            })
        );
    }
}
