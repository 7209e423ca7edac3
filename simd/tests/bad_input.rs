//! Bad input gets a typed error naming the problem; degenerate data gets the documented result.

mod common;

use common::*;
use massive_mimo_simd::{
    Backend, C32, ComplexMut, ComplexRef, GemmMode, GramSide, Kernels, MatrixBatch, NormsOf,
    SimdError, SplitMatrix, SplitMut, SplitRef,
};

#[test]
fn zero_sizes_are_rejected() {
    assert_eq!(
        MatrixBatch::zeros(0, 4, 3),
        Err(SimdError::ZeroDimension { what: "rows" })
    );
    assert_eq!(
        MatrixBatch::zeros(4, 0, 3),
        Err(SimdError::ZeroDimension { what: "cols" })
    );
    assert_eq!(
        MatrixBatch::zeros(4, 4, 0),
        Err(SimdError::ZeroDimension {
            what: "batch length"
        })
    );
    assert!(matches!(
        SplitMatrix::zeros(0, 3),
        Err(SimdError::ZeroDimension { .. })
    ));
}

#[test]
fn mismatched_lengths_are_rejected() {
    for k in all_backends() {
        let a = vec![C32::new(1.0, 0.0); 5];
        let mut b = vec![C32::new(1.0, 0.0); 4];
        assert_eq!(
            k.dot(&a, &b),
            Err(SimdError::LengthMismatch {
                what: "dot: b",
                expected: 5,
                got: 4
            })
        );
        assert!(matches!(
            k.axpy(C32::new(1.0, 0.0), &a, &mut b),
            Err(SimdError::LengthMismatch { .. })
        ));
        let mut out = vec![C32::new(0.0, 0.0); 5];
        assert!(matches!(
            k.mul(&a, &b, &mut out),
            Err(SimdError::LengthMismatch { what: "mul: b", .. })
        ));
        // Empty slices are fine: the dot product of nothing is 0.
        assert_eq!(k.dot(&[], &[]), Ok(C32::new(0.0, 0.0)));
    }
}

#[test]
fn shape_and_limit_errors_name_the_argument() {
    let k = Kernels::new();
    let a = MatrixBatch::zeros(64, 33, 2).unwrap();
    let mut out = MatrixBatch::zeros(33, 33, 2).unwrap();
    assert_eq!(
        k.gram(&a, GramSide::AhA, 0.0, &mut out),
        Err(SimdError::TooLarge {
            what: "gram: order k",
            value: 33,
            max: 32
        })
    );
    let a = MatrixBatch::zeros(300, 4, 2).unwrap();
    let mut out = MatrixBatch::zeros(4, 4, 2).unwrap();
    assert!(matches!(
        k.gram(&a, GramSide::AhA, 0.0, &mut out),
        Err(SimdError::TooLarge {
            what: "gram: inner dimension n",
            ..
        })
    ));
    let a = MatrixBatch::zeros(8, 4, 2).unwrap();
    let mut wrong = MatrixBatch::zeros(4, 4, 3).unwrap();
    assert!(matches!(
        k.gram(&a, GramSide::AhA, 0.0, &mut wrong),
        Err(SimdError::BatchMismatch { .. })
    ));
    let mut wrong = MatrixBatch::zeros(8, 8, 2).unwrap();
    assert!(matches!(
        k.gram(&a, GramSide::AhA, 0.0, &mut wrong),
        Err(SimdError::ShapeMismatch {
            what: "gram: out",
            ..
        })
    ));
    assert_eq!(
        k.gram(&a, GramSide::AhA, f32::NAN, &mut out)
            .map_err(|e| e.to_string()),
        Err("gram: diag_load = NaN is not finite".to_string())
    );
    let mut rect = MatrixBatch::zeros(4, 5, 2).unwrap();
    assert!(matches!(
        k.cholesky(&mut rect, &mut [0, 0]),
        Err(SimdError::ShapeMismatch { .. })
    ));
    let mut g = MatrixBatch::zeros(4, 4, 2).unwrap();
    assert!(matches!(
        k.cholesky(&mut g, &mut [0]),
        Err(SimdError::LengthMismatch {
            what: "cholesky: info",
            ..
        })
    ));
    let l = MatrixBatch::zeros(4, 4, 2).unwrap();
    let mut b = MatrixBatch::zeros(5, 2, 2).unwrap();
    assert!(matches!(
        k.cholesky_solve(&l, &mut b),
        Err(SimdError::ShapeMismatch {
            what: "cholesky_solve: b",
            ..
        })
    ));
}

#[test]
fn gemm_shapes_are_checked() {
    let k = Kernels::new();
    let a = SplitMatrix::zeros(4, 3).unwrap();
    let b = SplitMatrix::zeros(2, 5).unwrap();
    let mut c = SplitMatrix::zeros(4, 5).unwrap();
    assert!(matches!(
        k.gemm(a.view(), b.view(), c.view_mut(), GemmMode::Overwrite),
        Err(SimdError::ShapeMismatch {
            what: "gemm: b",
            ..
        })
    ));
    let re = [0.0f32; 10];
    assert!(matches!(
        SplitRef::new(3, 4, 4, &re, &re),
        Err(SimdError::LengthMismatch {
            what: "real plane",
            ..
        })
    ));
    assert!(matches!(
        SplitRef::new(2, 4, 3, &re, &re),
        Err(SimdError::LengthMismatch { .. })
    ));
    let mut im = [0.0f32; 10];
    let mut re2 = [0.0f32; 12];
    assert!(matches!(
        SplitMut::new(3, 4, 4, &mut re2, &mut im),
        Err(SimdError::LengthMismatch {
            what: "imaginary plane",
            ..
        })
    ));
}

#[test]
fn unavailable_or_unknown_backends_are_errors() {
    assert_eq!(
        "avx3".parse::<Backend>(),
        Err(SimdError::UnknownBackend("avx3".into()))
    );
    for b in Backend::ALL {
        if !b.is_available() {
            assert_eq!(
                Kernels::with_backend(b),
                Err(SimdError::BackendUnavailable(b))
            );
        }
    }
}

/// Rank-deficient, indefinite and NaN matrices: the first failing pivot is reported and the
/// factor is the identity, on every backend; healthy matrices in the same batch are unaffected.
#[test]
fn failed_pivots_are_reported_not_nan_filled() {
    let k = 4;
    let len = 20;
    let mut r = rng(9);
    let a = random_batch(&mut r, 8, k, len);
    for kern in all_backends() {
        let mut g = MatrixBatch::zeros(k, k, len).unwrap();
        kern.gram(&a, GramSide::AhA, 0.0, &mut g).unwrap();
        // Matrix 3: rank 1 (x·xᴴ) fails at pivot 2.
        for i in 0..k {
            for j in 0..k {
                let v = C32::new(1.0 + i as f32, 0.5) * C32::new(1.0 + j as f32, 0.5).conj();
                g.set(3, i, j, v).unwrap();
            }
        }
        // Matrix 7: negative diagonal fails at pivot 1.
        g.set(7, 0, 0, C32::new(-1.0, 0.0)).unwrap();
        // Matrix 17: NaN in the lower triangle fails at a later pivot.
        g.set(17, 2, 1, C32::new(f32::NAN, 0.0)).unwrap();
        let mut info = vec![99; len];
        let failed = kern.cholesky(&mut g, &mut info).unwrap();
        assert_eq!(failed, 3, "{}", kern.backend());
        assert_eq!(info[3], 2, "{}", kern.backend());
        assert_eq!(info[7], 1);
        assert_eq!(info[17], 3);
        for (m, &status) in info.iter().enumerate() {
            for i in 0..k {
                for j in 0..k {
                    let v = g.get(m, i, j).unwrap();
                    assert!(
                        v.re.is_finite() && v.im.is_finite(),
                        "{} matrix {m} not finite",
                        kern.backend()
                    );
                    if [3, 7, 17].contains(&m) {
                        assert_eq!(v, C32::new(if i == j { 1.0 } else { 0.0 }, 0.0));
                    }
                }
            }
            if ![3, 7, 17].contains(&m) {
                assert_eq!(status, 0);
            }
        }
    }
}

#[test]
fn bulk_load_and_store_round_trip_and_check_lengths() {
    let (rows, cols, len) = (3, 5, 21);
    let src: Vec<C32> = (0..rows * cols * len)
        .map(|i| C32::new(i as f32, -(i as f32)))
        .collect();
    let mut b = MatrixBatch::zeros(rows, cols, len).unwrap();
    b.load_all(&src).unwrap();
    assert_eq!(b.get(20, 2, 4).unwrap(), src[20 * 15 + 2 * 5 + 4]);
    let mut back = vec![C32::new(0.0, 0.0); src.len()];
    b.store_all(&mut back).unwrap();
    assert_eq!(back, src);
    assert!(matches!(
        b.load_all(&src[1..]),
        Err(SimdError::LengthMismatch { .. })
    ));
}

#[test]
fn layout_moves_and_interleaved_gemm_check_their_arguments() {
    let z = C32::new(0.0, 0.0);
    let batch = MatrixBatch::zeros(3, 5, 4).unwrap();
    for k in all_backends() {
        let mut b = batch.clone();
        assert!(matches!(
            k.load_batch(&[z; 59], &mut b),
            Err(SimdError::LengthMismatch {
                expected: 60,
                got: 59,
                ..
            })
        ));
        assert!(matches!(
            k.store_adjoint(&batch, &[1.0; 11], &mut [z; 60]),
            Err(SimdError::LengthMismatch {
                expected: 12,
                got: 11,
                ..
            })
        ));
        assert!(matches!(
            k.store_adjoint(&batch, &[1.0; 12], &mut [z; 61]),
            Err(SimdError::LengthMismatch {
                expected: 60,
                got: 61,
                ..
            })
        ));
        // store_rows: 3 × 5 matrices, 4 of them; rows 1..=3, scale 4·3, dst 4·rows·5.
        assert!(matches!(
            k.store_rows(&batch, 0, &[1.0; 12], &mut []),
            Err(SimdError::ZeroDimension {
                what: "store_rows: rows"
            })
        ));
        assert!(matches!(
            k.store_rows(&batch, 4, &[1.0; 12], &mut [z; 80]),
            Err(SimdError::TooLarge {
                value: 4,
                max: 3,
                ..
            })
        ));
        assert!(matches!(
            k.store_rows(&batch, 2, &[1.0; 8], &mut [z; 40]),
            Err(SimdError::LengthMismatch {
                what: "store_rows: scale [len, src.rows]",
                expected: 12,
                got: 8,
            })
        ));
        assert!(matches!(
            k.store_rows(&batch, 2, &[1.0; 12], &mut [z; 60]),
            Err(SimdError::LengthMismatch {
                what: "store_rows: dst [len, rows, cols]",
                expected: 40,
                got: 60,
            })
        ));
        assert!(matches!(
            k.norms_sqr(&batch, NormsOf::Cols, &mut [0.0; 12]),
            Err(SimdError::LengthMismatch {
                expected: 20,
                got: 12,
                ..
            })
        ));
        // Interleaved views: data too short for the stride, and disagreeing shapes.
        assert!(matches!(
            ComplexRef::new(2, 3, 4, &[z; 6]),
            Err(SimdError::LengthMismatch {
                what: "interleaved matrix data",
                expected: 7,
                got: 6
            })
        ));
        let (a, bm) = ([z; 6], [z; 12]);
        let mut c = [z; 8];
        let av = ComplexRef::new(2, 3, 3, &a).unwrap();
        let bv = ComplexRef::new(3, 4, 4, &bm).unwrap();
        assert!(matches!(
            k.gemm_interleaved(
                av,
                bv,
                ComplexMut::new(2, 3, 4, &mut c).unwrap(),
                GemmMode::Overwrite
            ),
            Err(SimdError::ShapeMismatch { .. })
        ));
        k.gemm_interleaved(
            av,
            bv,
            ComplexMut::new(2, 4, 4, &mut c).unwrap(),
            GemmMode::Overwrite,
        )
        .unwrap();
        // Zero operands give a zero product, whatever the path.
        assert!(c.iter().all(|v| *v == z));
    }
}

/// Issue 21, finding 1: a row stride near `usize::MAX` used to wrap `(rows − 1)·stride + cols`
/// to a small number, pass the length check and let the AVX2 / AVX-512 GEMMs write before the
/// output slice. Every view constructor must reject it with `TooLarge` naming the stride bound.
#[test]
fn wrapping_strides_are_rejected_not_wrapped() {
    let stride = usize::MAX - 15; // (2 − 1)·stride + 32 wraps to 16 without checked arithmetic
    let data = vec![C32::new(1.0, 0.0); 32];
    let mut out = vec![C32::new(0.0, 0.0); 32];
    let re = vec![0.0f32; 32];
    let mut re_mut = vec![0.0f32; 32];
    let mut im_mut = vec![0.0f32; 32];
    let expect_too_large = |e: SimdError| match e {
        SimdError::TooLarge { what, value, .. } => {
            assert_eq!(what, "row stride × (rows − 1) + cols");
            assert_eq!(value, stride);
        }
        other => panic!("expected TooLarge for the stride, got {other:?}"),
    };
    expect_too_large(ComplexRef::new(2, 32, stride, &data).unwrap_err());
    expect_too_large(ComplexMut::new(2, 32, stride, &mut out).unwrap_err());
    expect_too_large(SplitRef::new(2, 32, stride, &re, &re).unwrap_err());
    expect_too_large(SplitMut::new(2, 32, stride, &mut re_mut, &mut im_mut).unwrap_err());
    // The largest stride that does not overflow but still needs more data than given is a
    // length error, not an overflow.
    match ComplexRef::new(2, 32, 1 << 40, &data).unwrap_err() {
        SimdError::LengthMismatch { expected, got, .. } => {
            assert_eq!(expected, (1usize << 40) + 32);
            assert_eq!(got, 32);
        }
        other => panic!("expected LengthMismatch, got {other:?}"),
    }
}

/// Sizes that overflow or cannot be allocated are typed errors, not aborts.
#[test]
fn huge_owned_matrices_are_errors_not_aborts() {
    match SplitMatrix::zeros(usize::MAX, 2).unwrap_err() {
        SimdError::TooLarge { what, .. } => assert_eq!(what, "SplitMatrix rows × cols"),
        other => panic!("expected TooLarge, got {other:?}"),
    }
    // 2^62 values = 2^64 bytes per plane: beyond `isize::MAX`, so the allocator refuses it on
    // every machine whatever its overcommit policy.
    match SplitMatrix::zeros(1 << 31, 1 << 31).unwrap_err() {
        SimdError::AllocationFailed { what, bytes } => {
            assert_eq!(what, "SplitMatrix real plane");
            assert_eq!(bytes, usize::MAX); // 2^64 saturates
        }
        other => panic!("expected AllocationFailed, got {other:?}"),
    }
    // 2^16 lane blocks × 2^20 × 2^20 × 32 f32 = 2^63 bytes: again beyond `isize::MAX`.
    match MatrixBatch::zeros(1 << 20, 1 << 20, 1 << 20).unwrap_err() {
        SimdError::AllocationFailed { what, .. } => assert_eq!(what, "MatrixBatch data"),
        other => panic!("expected AllocationFailed, got {other:?}"),
    }
}

/// Reshaping inside the allocated storage works without allocating and keeps every kernel
/// consistent; beyond it is a typed error.
#[test]
fn reshape_stays_within_capacity() {
    let mut b = MatrixBatch::zeros(16, 64, 16).unwrap();
    let cap = b.as_slice().len();
    b.reshape(8, 32, 16).unwrap();
    assert_eq!((b.rows(), b.cols(), b.len()), (8, 32, 16));
    assert_eq!(b.as_slice().len(), 8 * 32 * 2 * 16);
    assert!(b.as_slice().iter().all(|&v| v == 0.0));
    b.reshape(16, 64, 9).unwrap(); // back to the full shape, shorter batch
    assert_eq!(b.as_slice().len(), cap);
    match b.reshape(16, 64, 17).unwrap_err() {
        SimdError::TooLarge { value, max, .. } => {
            assert_eq!(value, 2 * cap);
            assert!(max >= cap && max < 2 * cap);
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    assert!(matches!(
        b.reshape(0, 4, 4),
        Err(SimdError::ZeroDimension { what: "rows" })
    ));
}

/// Issue 21, finding 7: a negative diagonal load is rejected, naming it.
#[test]
fn negative_diagonal_load_is_rejected() {
    let a = MatrixBatch::zeros(8, 4, 16).unwrap();
    let mut g = MatrixBatch::zeros(4, 4, 16).unwrap();
    for k in all_backends() {
        match k.gram(&a, GramSide::AhA, -0.5, &mut g).unwrap_err() {
            SimdError::Negative { what, value } => {
                assert_eq!(what, "gram: diag_load");
                assert_eq!(value, -0.5);
            }
            other => panic!("expected Negative, got {other:?}"),
        }
    }
}
