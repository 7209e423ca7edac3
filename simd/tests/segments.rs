//! `Kernels::split_segments` (an interleaved view → segment-major split planes) and
//! `Kernels::merge_segments` (back) on every backend: each value lands at the index the
//! documented formula gives, bit for bit (a move, no arithmetic), nothing outside the written
//! region changes, the two are inverses, and every refusal is named.

mod common;

use common::*;
use massive_mimo_simd::{C32, ComplexMut, ComplexRef, SimdError};
use proptest::prelude::*;

const SENTINEL: f32 = 7.5;

/// The documented index of value (r, c): segment s = c / width at s·rows·width, row r of it
/// at r·w_s, with w_s = min(width, cols − s·width).
fn index(rows: usize, cols: usize, width: usize, r: usize, c: usize) -> usize {
    let s = c / width;
    let ws = width.min(cols - s * width);
    s * rows * width + r * ws + c % width
}

/// Split: every value at its formula index on `k`'s backend; the planes past rows·cols keep
/// their old values. Merge: the planes back into a view with stride gaps gives the original
/// values and leaves the gaps alone.
fn segments_round_trip(
    rows: usize,
    cols: usize,
    width: usize,
    gap: usize,
    spare: usize,
    seed: u64,
) -> Result<(), TestCaseError> {
    let mut r = rng(seed);
    let stride = cols + gap;
    let data = cvec(&mut r, (rows - 1) * stride + cols);
    let src = ComplexRef::new(rows, cols, stride, &data).unwrap();
    let n = rows * cols;
    for k in all_backends() {
        let (mut re, mut im) = (vec![SENTINEL; n + spare], vec![SENTINEL; n + spare]);
        k.split_segments(&src, width, &mut re, &mut im).unwrap();
        for row in 0..rows {
            for c in 0..cols {
                let i = index(rows, cols, width, row, c);
                let v = data[row * stride + c];
                prop_assert_eq!(
                    (re[i], im[i]),
                    (v.re, v.im),
                    "{:?} width {} at ({}, {})",
                    k.backend(),
                    width,
                    row,
                    c
                );
            }
        }
        prop_assert!(re[n..].iter().chain(&im[n..]).all(|&v| v == SENTINEL));
        let sentinel = C32::new(SENTINEL, -SENTINEL);
        let mut back = vec![sentinel; data.len()];
        let mut dst = ComplexMut::new(rows, cols, stride, &mut back).unwrap();
        k.merge_segments(&re, &im, width, &mut dst).unwrap();
        for (i, (&b, &d)) in back.iter().zip(&data).enumerate() {
            let want = if i % stride < cols { d } else { sentinel };
            prop_assert_eq!(b, want, "{:?} width {} at {}", k.backend(), width, i);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// [`segments_round_trip`] on random shapes.
    #[test]
    fn segments_move_every_value(rows in 1usize..20, cols in 1usize..60, width in 1usize..30,
                                 gap in 0usize..5, spare in 0usize..4, seed in any::<u64>()) {
        segments_round_trip(rows, cols, width, gap, spare, seed)?;
    }
}

/// Every narrow width — the AVX-512 backend's one-register pieces, up to 8 values, and 9, the
/// first that is not — with a ragged last segment (23 columns) and stride gaps.
#[test]
fn narrow_segments_move_every_value() {
    for width in 1..=9 {
        segments_round_trip(7, 23, width, 3, 2, width as u64).unwrap();
    }
}

#[test]
fn every_refusal_is_named() {
    let data = vec![C32::new(1.0, 2.0); 12];
    let src = ComplexRef::new(3, 4, 4, &data).unwrap();
    let (mut re, mut im) = (vec![0.0; 12], vec![0.0; 12]);
    let k = massive_mimo_simd::Kernels::new();
    assert_eq!(
        k.split_segments(&src, 0, &mut re, &mut im),
        Err(SimdError::ZeroDimension {
            what: "split_segments: width"
        })
    );
    assert_eq!(
        k.split_segments(&src, 2, &mut re[..11], &mut im),
        Err(SimdError::LengthMismatch {
            what: "split_segments: re (at least rows·cols)",
            expected: 12,
            got: 11
        })
    );
    assert_eq!(
        k.split_segments(&src, 2, &mut re, &mut im[..5]),
        Err(SimdError::LengthMismatch {
            what: "split_segments: im (at least rows·cols)",
            expected: 12,
            got: 5
        })
    );
    let mut out = vec![C32::new(0.0, 0.0); 12];
    let mut dst = ComplexMut::new(3, 4, 4, &mut out).unwrap();
    assert_eq!(
        k.merge_segments(&re, &im, 0, &mut dst),
        Err(SimdError::ZeroDimension {
            what: "merge_segments: width"
        })
    );
    assert_eq!(
        k.merge_segments(&re[..3], &im, 4, &mut dst),
        Err(SimdError::LengthMismatch {
            what: "merge_segments: re (at least rows·cols)",
            expected: 12,
            got: 3
        })
    );
    assert_eq!(
        k.merge_segments(&re, &im[..0], 4, &mut dst),
        Err(SimdError::LengthMismatch {
            what: "merge_segments: im (at least rows·cols)",
            expected: 12,
            got: 0
        })
    );
}
