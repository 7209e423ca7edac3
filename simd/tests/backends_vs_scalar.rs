//! Every SIMD backend available on this CPU against the scalar reference, on random sizes
//! (ragged batch lengths, odd orders, GEMM tails) at seeds drawn by proptest.

mod common;

use common::*;
use massive_mimo_simd::{
    Backend, C32, ComplexMut, ComplexRef, GemmMode, GramSide, Kernels, MatrixBatch, NormsOf,
    SimdError, SplitMut, SplitRef,
};
use proptest::prelude::*;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Relative tolerance of f32 kernels against each other: different summation order only.
const REL: f32 = 2e-5;

fn close(what: &str, k: &Kernels, (diff, mag): (f32, f32), scale: f32) {
    assert!(
        diff <= REL * scale * (1.0 + mag),
        "{what} on {}: max |simd − scalar| = {diff:e}, max |scalar| = {mag:e}",
        k.backend()
    );
}

#[test]
fn the_expected_simd_backends_are_tested() {
    let tested: Vec<_> = simd_backends().iter().map(|k| k.backend()).collect();
    #[cfg(target_arch = "x86_64")]
    {
        use massive_mimo_simd::Backend;
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            assert!(tested.contains(&Backend::Avx2));
        }
        if std::arch::is_x86_feature_detected!("avx512f") {
            assert!(tested.contains(&Backend::Avx512));
        }
    }
    #[cfg(target_arch = "aarch64")]
    assert!(tested.contains(&massive_mimo_simd::Backend::Neon));
    println!("SIMD backends tested here: {tested:?}");
}

/// The streaming kernels against their cached forms, bit for bit, at every start of `out`
/// relative to a 64-byte boundary (an 8-byte step: C32's alignment in a slice of a `Vec`) and
/// lengths around the register widths, plus a start 4 bytes off (no element on a boundary:
/// no streaming store at all). A wrong aligned start would fault (the non-temporal stores
/// require register-aligned addresses).
#[test]
fn streaming_kernels_equal_their_cached_forms_at_every_alignment() {
    let mut r = rng(0x5eed);
    let a = cvec(&mut r, 90);
    let b = cvec(&mut r, 90);
    let s = scalar();
    for k in std::iter::once(s).chain(simd_backends()) {
        for off in 0..17 {
            for n in [0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 33, 64, 70] {
                let mut want = vec![C32::new(0.0, 0.0); n];
                k.mul(&a[..n], &b[..n], &mut want).unwrap();
                let mut buf = vec![C32::new(9.0, 9.0); off + n + 1];
                k.mul_stream(&a[..n], &b[..n], &mut buf[off..off + n])
                    .unwrap();
                assert_eq!(
                    &buf[off..off + n],
                    &want[..],
                    "mul_stream {} off {off} n {n}",
                    k.backend()
                );
                assert!(
                    buf[..off]
                        .iter()
                        .chain(&buf[off + n..])
                        .all(|&x| x == C32::new(9.0, 9.0))
                );
                buf.fill(C32::new(9.0, 9.0));
                k.mul_stream_unfenced(&a[..n], &b[..n], &mut buf[off..off + n])
                    .unwrap();
                k.stream_fence();
                assert_eq!(&buf[off..off + n], &want[..], "mul_stream_unfenced");
                assert!(
                    buf[..off]
                        .iter()
                        .chain(&buf[off + n..])
                        .all(|&x| x == C32::new(9.0, 9.0))
                );
                k.copy_stream(&a[..n], &mut buf[off..off + n]).unwrap();
                assert_eq!(
                    &buf[off..off + n],
                    &a[..n],
                    "copy_stream {} off {off} n {n}",
                    k.backend()
                );
                // Cache hints for other memory (any regions, empty ones too) change nothing.
                buf.fill(C32::new(9.0, 9.0));
                k.copy_stream_then(&a[..n], &mut buf[off..off + n], &[&b[off..], &[], &a[..n]])
                    .unwrap();
                assert_eq!(&buf[off..off + n], &a[..n], "copy_stream_then");
                // An L2 request of any region (unaligned, empty, the last bytes of a buffer)
                // returns without changing memory.
                let before = buf.clone();
                k.request_l2(&buf[off..off + n]);
                k.request_l2(&buf[buf.len()..]);
                k.request_l2(&buf[buf.len() - 1..]);
                assert_eq!(buf, before, "request_l2 on {}", k.backend());
                // Of any element type: the f32 planes of a split-plane matrix, a byte.
                let planes: Vec<f32> = (0..2 * n + 3).map(|i| i as f32).collect();
                let planes_before = planes.clone();
                k.request_l2(&planes[off.min(planes.len())..]);
                k.request_l2(&planes_before[..0]);
                k.request_l2(&[7u8]);
                assert_eq!(
                    planes,
                    planes_before,
                    "request_l2 of f32 on {}",
                    k.backend()
                );
                assert!(
                    buf[..off]
                        .iter()
                        .chain(&buf[off + n..])
                        .all(|&x| x == C32::new(9.0, 9.0))
                );
                // Unfenced: the same values (this thread reads its own stores in order),
                // then one fence.
                buf.fill(C32::new(9.0, 9.0));
                k.copy_stream_unfenced(&a[..n], &mut buf[off..off + n], &[&b[off..]])
                    .unwrap();
                k.stream_fence();
                assert_eq!(&buf[off..off + n], &a[..n], "copy_stream_unfenced");
                assert!(
                    buf[..off]
                        .iter()
                        .chain(&buf[off + n..])
                        .all(|&x| x == C32::new(9.0, 9.0))
                );
            }
        }
        // A slice starting 4 bytes past an 8-byte boundary.
        let n = 40;
        let mut buf = vec![C32::new(0.0, 0.0); n + 1];
        let base = buf.as_mut_ptr().cast::<f32>();
        // SAFETY: n C32 (2n f32) from f32 index 1 lie inside the n + 1 element buffer, C32 is
        // two f32 (repr(C), alignment 4), and `buf` is not used while `odd` lives.
        let odd = unsafe { std::slice::from_raw_parts_mut(base.add(1).cast::<C32>(), n) };
        assert_eq!(odd.as_ptr() as usize % 8, 4);
        let mut want = vec![C32::new(0.0, 0.0); n];
        k.mul(&a[..n], &b[..n], &mut want).unwrap();
        k.mul_stream(&a[..n], &b[..n], odd).unwrap();
        assert_eq!(
            &odd[..],
            &want[..],
            "mul_stream {} 4 bytes off",
            k.backend()
        );
        k.copy_stream(&a[..n], odd).unwrap();
        assert_eq!(&odd[..], &a[..n], "copy_stream {} 4 bytes off", k.backend());
    }
    assert_eq!(
        s.mul_stream(&a[..3], &b[..2], &mut [C32::new(0.0, 0.0); 3]),
        Err(SimdError::LengthMismatch {
            what: "mul_stream: b",
            expected: 3,
            got: 2
        })
    );
    assert_eq!(
        s.mul_stream_unfenced(&a[..3], &b[..3], &mut [C32::new(0.0, 0.0); 2]),
        Err(SimdError::LengthMismatch {
            what: "mul_stream_unfenced: out",
            expected: 3,
            got: 2
        })
    );
    assert_eq!(
        s.copy_stream_unfenced(&a[..3], &mut [C32::new(0.0, 0.0); 4], &[]),
        Err(SimdError::LengthMismatch {
            what: "copy_stream_unfenced: out",
            expected: 3,
            got: 4
        })
    );
    assert_eq!(
        s.copy_stream(&a[..3], &mut [C32::new(0.0, 0.0); 4]),
        Err(SimdError::LengthMismatch {
            what: "copy_stream: out",
            expected: 3,
            got: 4
        })
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn vector_kernels_match_scalar(n in 0usize..300, seed in any::<u64>()) {
        let mut r = rng(seed);
        let a = cvec(&mut r, n);
        let b = cvec(&mut r, n);
        let y0 = cvec(&mut r, n);
        let alpha = cvec(&mut r, 1)[0];
        let s = scalar();
        let scale = (n as f32).max(1.0);
        for k in simd_backends() {
            let (x, y) = (k.dot(&a, &b).unwrap(), s.dot(&a, &b).unwrap());
            close("dot", &k, ((x - y).norm(), y.norm()), scale);
            let (x, y) = (k.dotc(&a, &b).unwrap(), s.dotc(&a, &b).unwrap());
            close("dotc", &k, ((x - y).norm(), y.norm()), scale);
            let (mut p, mut q) = (y0.clone(), y0.clone());
            k.axpy(alpha, &a, &mut p).unwrap();
            s.axpy(alpha, &a, &mut q).unwrap();
            close("axpy", &k, slice_diff(&p, &q), 1.0);
            k.scale(alpha, &a, &mut p).unwrap();
            s.scale(alpha, &a, &mut q).unwrap();
            close("scale", &k, slice_diff(&p, &q), 1.0);
            k.mul(&a, &b, &mut p).unwrap();
            s.mul(&a, &b, &mut q).unwrap();
            close("mul", &k, slice_diff(&p, &q), 1.0);
            k.mul_stream(&a, &b, &mut p).unwrap();
            close("mul_stream", &k, slice_diff(&p, &q), 1.0);
            k.mul_conj(&a, &b, &mut p).unwrap();
            s.mul_conj(&a, &b, &mut q).unwrap();
            close("mul_conj", &k, slice_diff(&p, &q), 1.0);
        }
    }

    #[test]
    fn gram_matches_scalar(rows in 1usize..70, cols in 1usize..20, len in 1usize..40,
                           aah in any::<bool>(), diag in 0.0f32..2.0, seed in any::<u64>()) {
        let side = if aah { GramSide::AAh } else { GramSide::AhA };
        prop_assume!(side.order(rows, cols) <= 32);
        let mut r = rng(seed);
        let a = random_batch(&mut r, rows, cols, len);
        let k_ord = side.order(rows, cols);
        let mut want = MatrixBatch::zeros(k_ord, k_ord, len).unwrap();
        scalar().gram(&a, side, diag, &mut want).unwrap();
        for k in simd_backends() {
            let mut got = MatrixBatch::zeros(k_ord, k_ord, len).unwrap();
            k.gram(&a, side, diag, &mut got).unwrap();
            close("gram", &k, batch_diff(&got, &want), side.inner(rows, cols) as f32);
        }
    }

    #[test]
    fn cholesky_solve_inverse_match_scalar(order in 1usize..=32, extra in 0usize..16, len in 1usize..40,
                                           nrhs in 1usize..9, seed in any::<u64>()) {
        let mut r = rng(seed);
        // Well-conditioned Hermitian positive-definite: AᴴA + I with A (k + extra) × k.
        let a = random_batch(&mut r, order + extra, order, len);
        let mut g = MatrixBatch::zeros(order, order, len).unwrap();
        scalar().gram(&a, GramSide::AhA, 1.0, &mut g).unwrap();
        let b = random_batch(&mut r, order, nrhs, len);
        let s = scalar();
        let mut l_want = g.clone();
        let mut info_want = vec![0u32; len];
        prop_assert_eq!(s.cholesky(&mut l_want, &mut info_want).unwrap(), 0);
        let mut x_want = b.clone();
        s.cholesky_solve(&l_want, &mut x_want).unwrap();
        let mut inv_want = g.clone();
        s.cholesky_inverse(&l_want, &mut inv_want).unwrap();
        for k in simd_backends() {
            let mut l = g.clone();
            let mut info = vec![7u32; len];
            prop_assert_eq!(k.cholesky(&mut l, &mut info).unwrap(), 0);
            prop_assert_eq!(&info, &info_want);
            close("cholesky", &k, batch_diff(&l, &l_want), order as f32);
            let mut x = b.clone();
            k.cholesky_solve(&l_want, &mut x).unwrap();
            close("cholesky_solve", &k, batch_diff(&x, &x_want), order as f32);
            // With line hints over odd, empty and overlapping regions: the same values bit
            // for bit (a hint never changes a result).
            let far = vec![C32::new(1.0, -1.0); 1000 + 37 * nrhs];
            let mut x_then = b.clone();
            k.cholesky_solve_then(&l_want, &mut x_then, &[&far[3..], &[], &far[..17 * nrhs]])
                .unwrap();
            prop_assert!(
                x_then.as_slice().iter().zip(x.as_slice()).all(|(p, q)| p.to_bits() == q.to_bits()),
                "cholesky_solve_then on {:?}",
                k.backend()
            );
            let mut inv = g.clone();
            k.cholesky_inverse(&l_want, &mut inv).unwrap();
            close("cholesky_inverse", &k, batch_diff(&inv, &inv_want), order as f32);
        }
    }

    #[test]
    fn gemm_matches_scalar(m in 1usize..70, kk in 1usize..24, n in 1usize..200, pad in 0usize..5,
                           accumulate in any::<bool>(), seed in any::<u64>()) {
        let mut r = rng(seed);
        let mut plane = |len: usize| -> Vec<f32> { (0..len).map(|_| r.gen_range(-1.0..1.0)).collect() };
        let (lda, ldb, ldc) = (kk + pad, n + pad, n + 2 * pad);
        let (are, aim) = (plane(m * lda), plane(m * lda));
        let (bre, bim) = (plane(kk * ldb), plane(kk * ldb));
        let (cre0, cim0) = (plane(m * ldc), plane(m * ldc));
        let mode = if accumulate { GemmMode::Accumulate } else { GemmMode::Overwrite };
        let a = SplitRef::new(m, kk, lda, &are, &aim).unwrap();
        let b = SplitRef::new(kk, n, ldb, &bre, &bim).unwrap();
        let (mut wre, mut wim) = (cre0.clone(), cim0.clone());
        scalar().gemm(a, b, SplitMut::new(m, n, ldc, &mut wre, &mut wim).unwrap(), mode).unwrap();
        for k in simd_backends() {
            let (mut gre, mut gim) = (cre0.clone(), cim0.clone());
            k.gemm(a, b, SplitMut::new(m, n, ldc, &mut gre, &mut gim).unwrap(), mode).unwrap();
            let mut diff = 0.0f32;
            let mut mag = 0.0f32;
            for i in 0..m {
                for j in 0..ldc {
                    let o = i * ldc + j;
                    diff = diff.max((gre[o] - wre[o]).abs()).max((gim[o] - wim[o]).abs());
                    mag = mag.max(wre[o].abs()).max(wim[o].abs());
                }
            }
            // Padding columns (j ≥ n) must be untouched: they compare exactly.
            close("gemm", &k, (diff, mag), kk as f32);
        }
    }
}

/// `(max |got − want|, max |want|)` over rows of `n` values `ld` apart, or `None` when a padding
/// value (column ≥ n) differs: the GEMMs must never write it.
fn rows_diff(got: &[C32], want: &[C32], ld: usize, n: usize) -> Option<(f32, f32)> {
    let (mut diff, mut mag) = (0.0f32, 0.0f32);
    for (i, (g, x)) in got.iter().zip(want).enumerate() {
        if i % ld >= n && g != x {
            return None;
        }
        diff = diff.max((g - x).norm());
        mag = mag.max(x.norm());
    }
    Some((diff, mag))
}

/// One grouped-GEMM case, every SIMD backend against the scalar one (summation order only):
/// A m × kk per group of w columns, n columns, row padding `case % 3`, overwrite for even
/// cases and accumulate for odd ones; the padding is never written. Each backend runs with the
/// wide group tile off and on ([`Kernels::with_wide_group_tile`]: AVX-512's 4 × 3-register
/// tile, which the vendor decides by default), and the two must agree bit for bit (every
/// column sums in the same order in either tile).
fn grouped_case(r: &mut ChaCha8Rng, (m, kk, w, n): (usize, usize, usize, usize), case: usize) {
    let pad = case % 3;
    let mode = if case.is_multiple_of(2) {
        GemmMode::Overwrite
    } else {
        GemmMode::Accumulate
    };
    let ld = n + pad;
    let a = cvec(r, n.div_ceil(w) * m * kk);
    let b = cvec(r, kk * ld);
    let c0 = cvec(r, m * ld);
    let bv = ComplexRef::new(kk, n, ld, &b).unwrap();
    let mut want = c0.clone();
    scalar()
        .gemm_grouped(
            &a,
            w,
            bv,
            ComplexMut::new(m, n, ld, &mut want).unwrap(),
            mode,
        )
        .unwrap();
    for k in simd_backends() {
        let runs = [false, true].map(|wide| {
            let k = k.with_wide_group_tile(wide);
            assert_eq!(k.wide_group_tile(), wide);
            let mut got = c0.clone();
            k.gemm_grouped(
                &a,
                w,
                bv,
                ComplexMut::new(m, n, ld, &mut got).unwrap(),
                mode,
            )
            .unwrap();
            let what = format!("gemm_grouped {m} × {kk}, w = {w}, n = {n}, wide tile {wide}");
            let d = rows_diff(&got, &want, ld, n)
                .unwrap_or_else(|| panic!("{what}: padding written on {}", k.backend()));
            close(&what, &k, d, kk as f32);
            got
        });
        assert!(
            runs[0] == runs[1],
            "gemm_grouped {m} × {kk}, w = {w}, n = {n}: the wide tile changed a value on {}",
            k.backend()
        );
    }
}

/// The grouped GEMM's small-shape path (m, k ≤ 4: one unrolled tile per register of columns,
/// per-PRB detection and few-port precoding) on every (m, k), with group widths around the
/// register widths and the PRB (12), ragged last groups, row padding and both modes: every
/// backend against the scalar one (summation order only), padding never written.
#[test]
fn gemm_grouped_small_shapes_match_the_scalar_backend() {
    let mut r = rng(0x5a11);
    let widths = [
        (12, 12 * 23),
        (12, 12 * 5 + 7),
        (1, 9),
        (2, 7),
        (3, 17),
        (4, 40),
        (5, 41),
        (8, 33),
        (16, 50),
        (24, 70),
        (300, 300),
    ];
    for m in 1..=4 {
        for kk in 1..=4 {
            for (case, &(w, n)) in widths.iter().enumerate() {
                grouped_case(&mut r, (m, kk, w, n), case);
            }
        }
    }
}

/// The grouped GEMM's general path at the slot's shapes, every backend against the scalar one:
/// per-PRB detection (16 × 64 and 8 × 32 filters, groups of 12), PRG-2 and PRG-4 precoding
/// (64 × 16, groups of 24 and 48: the AVX-512 three-register complex-lane tile covers a
/// 24-column group whole, with the wide tile on), a ragged last group, row padding and both
/// modes — each tile form (deinterleaved 32 columns, complex-lane 24, 8 and 4) runs at least
/// once.
#[test]
fn gemm_grouped_slot_shapes_match_the_scalar_backend() {
    let mut r = rng(0x9e0);
    let cases = [
        (16, 64, 12, 12 * 9),
        (8, 32, 12, 12 * 4 + 5),
        (64, 16, 24, 24 * 5),
        (64, 16, 24, 24 * 3 + 13),
        (7, 5, 24, 24 * 2),
        (64, 16, 48, 48 * 2 + 30),
    ];
    for (case, &(m, kk, w, n)) in cases.iter().enumerate() {
        grouped_case(&mut r, (m, kk, w, n), case);
    }
}

/// The grouped GEMM over two column ranges (`gemm_grouped_pair_then`: a band of two OFDM
/// symbols) equals two `gemm_grouped` calls on the ranges, on every backend (the scalar one
/// exactly): PRB groups of 12 (AVX-512's pair tile), a ragged last group, other widths, more
/// outputs than inputs (the two-call path), both modes, the gap between the ranges never
/// written; an overlapping or too large offset is rejected naming the offset.
#[test]
fn gemm_grouped_pair_equals_two_grouped_calls() {
    let mut r = rng(0x9a1);
    // (m, k, group width, columns per range, gap between the ranges)
    let cases = [
        (16, 64, 12, 12 * 7, 20),
        (16, 64, 12, 12 * 3 + 5, 0),
        (8, 32, 12, 12 * 4, 3),
        (5, 9, 12, 12 * 2 + 11, 1),
        (16, 64, 24, 24 * 2, 4),
        (16, 64, 20, 20 * 3 + 12, 2),
        (64, 16, 12, 12 * 3, 5),
        (3, 4, 12, 12 * 2, 1),
    ];
    for (case, &(m, kk, w, cols, gap)) in cases.iter().enumerate() {
        let offset = cols + gap;
        let width = offset + cols;
        let ld = width + case % 3;
        let mode = if case.is_multiple_of(2) {
            GemmMode::Overwrite
        } else {
            GemmMode::Accumulate
        };
        let a = cvec(&mut r, cols.div_ceil(w) * m * kk);
        let b = cvec(&mut r, kk * ld);
        let c0 = cvec(&mut r, m * ld);
        let what = format!("gemm_grouped_pair {m} × {kk}, w = {w}, cols = {cols}, gap {gap}");
        for k in std::iter::once(scalar()).chain(simd_backends()) {
            let mut want = c0.clone();
            for base in [0, offset] {
                let bv = ComplexRef::new(kk, cols, ld, &b[base..]).unwrap();
                let cv = ComplexMut::new(m, cols, ld, &mut want[base..]).unwrap();
                k.gemm_grouped(&a, w, bv, cv, mode).unwrap();
            }
            let mut got = c0.clone();
            let bv = ComplexRef::new(kk, width, ld, &b).unwrap();
            let cv = ComplexMut::new(m, width, ld, &mut got).unwrap();
            k.gemm_grouped_pair_then(&a, w, bv, cv, offset, mode, Some(bv))
                .unwrap();
            for i in 0..m {
                for j in (cols..offset).chain(width..ld) {
                    assert_eq!(
                        got[i * ld + j],
                        c0[i * ld + j],
                        "{what}: ({i}, {j}) written"
                    );
                }
            }
            if k.backend() == Backend::Scalar {
                assert!(got == want, "{what}: scalar pair differs from two calls");
            } else {
                let d = rows_diff(&got, &want, ld, width).unwrap();
                close(&what, &k, d, kk as f32);
            }
        }
    }
    let (a, b) = (
        vec![C32::new(1.0, 0.0); 64],
        vec![C32::new(1.0, 0.0); 2 * 30],
    );
    let mut c = vec![C32::new(0.0, 0.0); 30];
    for offset in [14, 31] {
        let bv = ComplexRef::new(2, 30, 30, &b).unwrap();
        let cv = ComplexMut::new(1, 30, 30, &mut c).unwrap();
        let err = Kernels::new()
            .gemm_grouped_pair_then(&a, 12, bv, cv, offset, GemmMode::Overwrite, None)
            .unwrap_err();
        assert!(
            matches!(
                err,
                SimdError::OutsideInterval { what: "gemm_grouped_pair: offset", low, high, .. }
                    if low == 15.0 && high == 31.0
            ),
            "offset {offset}: {err:?}"
        );
    }
    // A too short `a` on the pair path (k > m) names it, on every backend: 2 groups of 1 × 2.
    for k in std::iter::once(scalar()).chain(simd_backends()) {
        let bv = ComplexRef::new(2, 30, 30, &b).unwrap();
        let cv = ComplexMut::new(1, 30, 30, &mut c).unwrap();
        let err = k
            .gemm_grouped_pair_then(&a[..3], 12, bv, cv, 15, GemmMode::Overwrite, None)
            .unwrap_err();
        assert!(
            matches!(
                err,
                SimdError::LengthMismatch {
                    what: "gemm_grouped: a [groups, m, k]",
                    expected: 4,
                    got: 3
                }
            ),
            "{}: {err:?}",
            k.backend()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// The grouped GEMM: every backend against the scalar one, and the scalar one against one
    /// interleaved GEMM per group; columns past n and padding are never written.
    #[test]
    fn gemm_grouped_matches_per_group_products(m in 1usize..40, kk in 1usize..20, n in 1usize..150,
                                                w in 1usize..60, pad in 0usize..4,
                                                accumulate in any::<bool>(), seed in any::<u64>()) {
        let mut r = rng(seed);
        let groups = n.div_ceil(w);
        let ld = n + pad;
        let a = cvec(&mut r, groups * m * kk);
        let b = cvec(&mut r, kk * ld);
        let c0 = cvec(&mut r, m * ld);
        let mode = if accumulate { GemmMode::Accumulate } else { GemmMode::Overwrite };
        let bv = ComplexRef::new(kk, n, ld, &b).unwrap();
        let mut want = c0.clone();
        scalar().gemm_grouped(&a, w, bv, ComplexMut::new(m, n, ld, &mut want).unwrap(), mode).unwrap();
        let mut per_group = c0.clone();
        for g in 0..groups {
            let (j0, j1) = (g * w, n.min(g * w + w));
            let ag = ComplexRef::new(m, kk, kk, &a[g * m * kk..]).unwrap();
            let bg = ComplexRef::new(kk, j1 - j0, ld, &b[j0..]).unwrap();
            let cg = ComplexMut::new(m, j1 - j0, ld, &mut per_group[j0..]).unwrap();
            scalar().gemm_interleaved(ag, bg, cg, mode).unwrap();
        }
        prop_assert!(want == per_group);
        for k in simd_backends() {
            let mut got = c0.clone();
            k.gemm_grouped(&a, w, bv, ComplexMut::new(m, n, ld, &mut got).unwrap(), mode).unwrap();
            let d = rows_diff(&got, &want, ld, n);
            prop_assert!(d.is_some(), "padding written on {}", k.backend());
            close("gemm_grouped", &k, d.unwrap_or_default(), kk as f32);
            // Requesting a next operand (any width: a narrower and a wider one) changes
            // nothing: it only prefetches.
            for next_cols in [n.div_ceil(2), n + 7] {
                let nb = cvec(&mut r, kk * (next_cols + 1));
                let next = ComplexRef::new(kk, next_cols, next_cols + 1, &nb).unwrap();
                let mut then = c0.clone();
                k.gemm_grouped_then(&a, w, bv, ComplexMut::new(m, n, ld, &mut then).unwrap(), mode, Some(next)).unwrap();
                prop_assert!(then == got, "gemm_grouped_then differs from gemm_grouped on {}", k.backend());
            }
            let nb = cvec(&mut r, (kk + 1) * n);
            let wrong = ComplexRef::new(kk + 1, n, n, &nb).unwrap();
            let err = k.gemm_grouped_then(&a, w, bv, ComplexMut::new(m, n, ld, &mut got).unwrap(), mode, Some(wrong)).unwrap_err();
            prop_assert!(matches!(err, SimdError::ShapeMismatch { what: "gemm_grouped: next", .. }), "{err:?}");
        }
        prop_assert!(scalar().gemm_grouped(&a[1..], w, bv, ComplexMut::new(m, n, ld, &mut want).unwrap(), mode).is_err());
        prop_assert!(scalar().gemm_grouped(&a, 0, bv, ComplexMut::new(m, n, ld, &mut want).unwrap(), mode).is_err());
    }

    /// The interleaved GEMM against its scalar reference, and that reference against the
    /// split-plane GEMM on the same numbers; padding between rows is never written.
    #[test]
    fn gemm_interleaved_matches_scalar(m in 1usize..70, kk in 1usize..24, n in 1usize..120,
                                       pad in 0usize..5, accumulate in any::<bool>(),
                                       seed in any::<u64>()) {
        let mut r = rng(seed);
        let (lda, ldb, ldc) = (kk + pad, n + pad, n + 2 * pad);
        let a = cvec(&mut r, m * lda);
        let b = cvec(&mut r, kk * ldb);
        let c0 = cvec(&mut r, m * ldc);
        let mode = if accumulate { GemmMode::Accumulate } else { GemmMode::Overwrite };
        let av = ComplexRef::new(m, kk, lda, &a).unwrap();
        let bv = ComplexRef::new(kk, n, ldb, &b).unwrap();
        let mut want = c0.clone();
        scalar().gemm_interleaved(av, bv, ComplexMut::new(m, n, ldc, &mut want).unwrap(), mode).unwrap();
        // Split-plane GEMM on the same operands.
        let planes = |v: &[C32]| -> (Vec<f32>, Vec<f32>) { (v.iter().map(|z| z.re).collect(), v.iter().map(|z| z.im).collect()) };
        let ((are, aim), (bre, bim), (mut cre, mut cim)) = (planes(&a), planes(&b), planes(&c0));
        scalar().gemm(SplitRef::new(m, kk, lda, &are, &aim).unwrap(), SplitRef::new(kk, n, ldb, &bre, &bim).unwrap(),
                      SplitMut::new(m, n, ldc, &mut cre, &mut cim).unwrap(), mode).unwrap();
        for (o, w) in want.iter().enumerate() {
            prop_assert!((w - C32::new(cre[o], cim[o])).norm() <= 1e-6 * (1.0 + w.norm()));
        }
        for k in simd_backends() {
            let mut got = c0.clone();
            k.gemm_interleaved(av, bv, ComplexMut::new(m, n, ldc, &mut got).unwrap(), mode).unwrap();
            let (mut diff, mut mag) = (0.0f32, 0.0f32);
            for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                if i % ldc >= n {
                    prop_assert_eq!(g, w, "padding written");
                }
                diff = diff.max((g - w).norm());
                mag = mag.max(w.norm());
            }
            close("gemm_interleaved", &k, (diff, mag), kk as f32);
        }
    }

    /// Loads, adjoint stores and row stores are exact (moves, a conjugate and one multiply): every backend
    /// must give the scalar result bit for bit, on ragged batch lengths and tile tails.
    #[test]
    fn batch_transposes_match_scalar(rows in 1usize..36, cols in 1usize..70, len in 1usize..40,
                                     seed in any::<u64>()) {
        let mut r = rng(seed);
        let src = cvec(&mut r, len * rows * cols);
        let scale: Vec<f32> = (0..len * rows).map(|_| r.gen_range(0.1..2.0f32)).collect();
        let s = scalar();
        let mut want = MatrixBatch::zeros(rows, cols, len).unwrap();
        s.load_batch(&src, &mut want).unwrap();
        for m in 0..len {
            for i in 0..rows {
                for j in 0..cols {
                    prop_assert_eq!(want.get(m, i, j).unwrap(), src[(m * rows + i) * cols + j]);
                }
            }
        }
        let mut adj_want = vec![C32::new(9.0, 9.0); len * rows * cols];
        s.store_adjoint(&want, &scale, &mut adj_want).unwrap();
        for m in 0..len {
            for i in 0..rows {
                for j in 0..cols {
                    let w = src[(m * rows + i) * cols + j].conj() * scale[m * rows + i];
                    prop_assert_eq!(adj_want[(m * cols + j) * rows + i], w);
                }
            }
        }
        // The first `keep` rows, each times its scale: the definition, element by element.
        let keep = 1 + (seed as usize) % rows;
        let mut rows_want = vec![C32::new(9.0, 9.0); len * keep * cols];
        s.store_rows(&want, keep, &scale, &mut rows_want).unwrap();
        for m in 0..len {
            for i in 0..keep {
                for j in 0..cols {
                    let w = src[(m * rows + i) * cols + j] * scale[m * rows + i];
                    prop_assert_eq!(rows_want[(m * keep + i) * cols + j], w);
                }
            }
        }
        let mut norms_want = [vec![0.0f32; len * rows], vec![0.0f32; len * cols]];
        for (of, out) in [NormsOf::Rows, NormsOf::Cols].into_iter().zip(norms_want.iter_mut()) {
            s.norms_sqr(&want, of, out).unwrap();
        }
        // Spot-check the reference against its definition.
        let row0: f32 = (0..cols).map(|j| src[j].norm_sqr()).sum();
        prop_assert!((norms_want[0][0] - row0).abs() <= 1e-5 * (1.0 + row0));
        let col0: f32 = (0..rows).map(|i| src[i * cols].norm_sqr()).sum();
        prop_assert!((norms_want[1][0] - col0).abs() <= 1e-5 * (1.0 + col0));
        let mut adjb_want = MatrixBatch::zeros(cols, rows, len).unwrap();
        s.adjoint_batch(&want, &mut adjb_want).unwrap();
        prop_assert_eq!(adjb_want.get(len - 1, cols - 1, 0).unwrap(), src[((len - 1) * rows) * cols + cols - 1].conj());
        for k in simd_backends() {
            let mut adjb = random_batch(&mut r, cols, rows, len);
            k.adjoint_batch(&want, &mut adjb).unwrap();
            prop_assert_eq!(batch_diff(&adjb, &adjb_want).0, 0.0, "adjoint_batch on {}", k.backend());
            for (of, w) in [NormsOf::Rows, NormsOf::Cols].into_iter().zip(norms_want.iter()) {
                let mut got = vec![-1.0f32; w.len()];
                k.norms_sqr(&want, of, &mut got).unwrap();
                let terms = of.count(cols, rows) as f32;
                for (g, x) in got.iter().zip(w) {
                    prop_assert!((g - x).abs() <= REL * terms * (1.0 + x), "{:?} on {}: {} vs {}", of, k.backend(), g, x);
                }
            }
            // Start from garbage so that every element must be written.
            let mut got = random_batch(&mut r, rows, cols, len);
            k.load_batch(&src, &mut got).unwrap();
            prop_assert_eq!(batch_diff(&got, &want).0, 0.0, "load_batch on {}", k.backend());
            let mut adj = vec![C32::new(9.0, 9.0); len * rows * cols];
            k.store_adjoint(&want, &scale, &mut adj).unwrap();
            prop_assert!(adj == adj_want, "store_adjoint on {}", k.backend());
            let mut got_rows = vec![C32::new(9.0, 9.0); len * keep * cols];
            k.store_rows(&want, keep, &scale, &mut got_rows).unwrap();
            prop_assert!(got_rows == rows_want, "store_rows on {}", k.backend());
        }
    }

    #[test]
    fn pam_llr_matches_scalar(n in 0usize..80, m in 1usize..=5, exact in any::<bool>(), seed in any::<u64>()) {
        let mut r = rng(seed);
        let levels: Vec<f32> = (0..1usize << m).map(|j| (2 * j) as f32 - ((1usize << m) - 1) as f32).map(|v| v * 0.1).collect();
        let y: Vec<f32> = (0..n).map(|_| r.gen_range(-4.0..4.0f32)).collect();
        let inv: Vec<f32> = (0..n).map(|_| 10f32.powf(r.gen_range(-1.0..3.0f32))).collect();
        let mut want = vec![0.0f32; m * n];
        scalar().pam_llr(&y, &inv, &levels, exact, &mut want).unwrap();
        for k in simd_backends() {
            let mut got = vec![0.0f32; m * n];
            k.pam_llr(&y, &inv, &levels, exact, &mut got).unwrap();
            for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                prop_assert!((g - w).abs() <= 2e-5 * (1.0 + w.abs()), "{} pam_llr m={} exact={} [{}]: {} vs {}", k.backend(), m, exact, i, g, w);
            }
        }
    }
}

/// Issue 21: huge received values (a saturated or faulty sample) give the LLRs of the
/// constellation's edge scaled out — finite, the sign of the nearest edge level, identical on
/// every backend — and NaN stays NaN; |y| ≥ 1e18 used to give 0 and ≥ 1e20 NaN.
#[test]
fn pam_llr_of_huge_inputs_is_finite_and_signed() {
    let levels: Vec<f32> = (0..16)
        .map(|j| (2 * j) as f32 - 15.0)
        .map(|v| v * 0.1)
        .collect();
    let big = [1e18f32, 1e19, 1e20, 1e30, f32::MAX, 6.4 * 1.5, 1e3];
    let mut y: Vec<f32> = big.iter().flat_map(|&v| [v, -v]).collect();
    y.push(f32::NAN);
    let inv = vec![10.0f32; y.len()];
    let n = y.len();
    // The reference: every |y| beyond 64·1.5 = 96 gives the LLRs of y = ±96.
    let edge = [96.0f32, -96.0];
    let mut want_edge = vec![0.0f32; 4 * 2];
    scalar()
        .pam_llr(&edge, &[10.0; 2], &levels, false, &mut want_edge)
        .unwrap();
    for k in std::iter::once(scalar()).chain(simd_backends()) {
        for exact in [false, true] {
            let mut got = vec![0.0f32; 4 * n];
            k.pam_llr(&y, &inv, &levels, exact, &mut got).unwrap();
            for bit in 0..4 {
                for s in 0..n - 1 {
                    let g = got[bit * n + s];
                    assert!(g.is_finite(), "{} bit {bit} y={}: {g}", k.backend(), y[s]);
                    if y[s].abs() >= 96.0 && !exact {
                        let w = want_edge[bit * 2 + s % 2];
                        assert!(
                            (g - w).abs() <= 1e-4 * w.abs(),
                            "{} y={}: {g} vs {w}",
                            k.backend(),
                            y[s]
                        );
                    }
                }
                assert!(
                    got[bit * n + n - 1].is_nan(),
                    "{}: NaN in, NaN out",
                    k.backend()
                );
            }
        }
    }
    // Sign: bit 0 is the sign bit of the Gray PAM (level index ≥ 8 ⇔ b0 = 1): y → +∞ says b0 = 1.
    assert!(want_edge[0] < 0.0 && want_edge[1] > 0.0);
}

#[test]
fn zf_pivot_tolerance_decides_the_same_on_every_backend() {
    // Issue 21: channels A (k = 16 users × n = 64 antennas) whose last user is user 0 + δ·z,
    // δ log-spaced over 1e-5 … 1e-1, through each backend's Gram and Cholesky (as RZF does):
    // the last pivot ratio d/G_kk ≈ δ²·‖z⊥‖²/‖a_k‖² runs from the rounding level (k·ε ≈ 2e-6,
    // where the default tolerance decides by rounding: the backends sum in different orders)
    // to far above the ZF tolerance 2⁻¹². With ZF_PIVOT_TOLERANCE every backend fails the
    // same matrices, exactly those whose true (f64) ratio is below it — matrices within
    // 64·k·ε of the threshold, where f32 rounding may tip either way, are not judged.
    use massive_mimo_simd::ZF_PIVOT_TOLERANCE;
    use nalgebra::DMatrix;
    let (k, n, len) = (16, 64, 160);
    let mut r = rng(2101);
    let mut expected = Vec::new();
    let mut judged = Vec::new();
    let mut rows_all = Vec::new();
    for m in 0..len {
        let mut rows: Vec<Vec<C32>> = (0..k).map(|_| cvec(&mut r, n)).collect();
        let delta = 10f64.powf(-5.0 + 4.0 * m as f64 / (len - 1) as f64);
        let z = cvec(&mut r, n);
        rows[k - 1] = rows[0]
            .iter()
            .zip(&z)
            .map(|(a, b)| a + b * delta as f32)
            .collect();
        // The true last pivot ratio of the f32 channel, in f64: 1/(G_kk·[G⁻¹]_kk).
        let a = DMatrix::from_fn(k, n, |i, t| {
            nalgebra::Complex::new(rows[i][t].re as f64, rows[i][t].im as f64)
        });
        let g = &a * a.adjoint();
        let inv = g.clone().try_inverse().unwrap();
        let ratio = 1.0 / (g[(k - 1, k - 1)].re * inv[(k - 1, k - 1)].re);
        let band = 64.0 * k as f64 * f32::EPSILON as f64;
        judged.push((ratio - ZF_PIVOT_TOLERANCE as f64).abs() > band);
        expected.push(ratio <= ZF_PIVOT_TOLERANCE as f64);
        rows_all.push(rows);
    }
    let a = MatrixBatch::from_fn(k, n, len, |m, i, t| rows_all[m][i][t]).unwrap();
    assert!(expected.iter().any(|&e| e) && expected.iter().any(|&e| !e));
    let decisions = |kern: &Kernels, tol: f32| {
        let mut g = MatrixBatch::zeros(k, k, len).unwrap();
        kern.gram(&a, GramSide::AAh, 0.0, &mut g).unwrap();
        let mut info = vec![0u32; len];
        kern.cholesky_with_tolerance(&mut g, &mut info, tol)
            .unwrap();
        info.iter().map(|&i| i != 0).collect::<Vec<_>>()
    };
    let reference = decisions(&scalar(), ZF_PIVOT_TOLERANCE);
    for m in (0..len).filter(|&m| judged[m]) {
        assert_eq!(reference[m], expected[m], "scalar, matrix {m}");
    }
    for kern in simd_backends() {
        assert_eq!(
            decisions(&kern, ZF_PIVOT_TOLERANCE),
            reference,
            "{} vs scalar",
            kern.backend()
        );
        let (d0, s0) = (decisions(&kern, 0.0), decisions(&scalar(), 0.0));
        let differ = d0.iter().zip(&s0).filter(|(a, b)| a != b).count();
        println!(
            "default tolerance k·ε: {} and scalar differ on {differ} of {len}",
            kern.backend()
        );
    }
    // The tolerance is validated.
    let mut g = MatrixBatch::zeros(k, k, len).unwrap();
    let mut info = vec![0u32; len];
    for bad in [f32::NAN, -0.1, 1.0] {
        let e = scalar()
            .cholesky_with_tolerance(&mut g, &mut info, bad)
            .unwrap_err();
        assert!(
            matches!(
                e,
                massive_mimo_simd::SimdError::NonFinite {
                    what: "cholesky: tolerance",
                    ..
                } | massive_mimo_simd::SimdError::OutsideInterval {
                    what: "cholesky: tolerance",
                    ..
                }
            ),
            "{bad}: {e}"
        );
    }
}
