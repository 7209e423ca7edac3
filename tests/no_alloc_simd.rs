//! The simd kernels allocate nothing once their buffers exist, on every backend available here
//! (the counting allocator of `tests/support` proves it).

mod support;

use massive_mimo::simd::{
    Backend, C32, ComplexMut, ComplexRef, CsrMatrix, GemmMode, GramSide, Kernels, MatrixBatch,
    SimdError, SplitMatrix, SplitMut, SplitRef,
};
use support::alloc_counter::{CountingAlloc, allocations_during};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

#[test]
fn the_counter_sees_allocations() {
    let (n, v) = allocations_during(|| vec![1u8; 100]);
    assert_eq!(v.len(), 100);
    assert_eq!(n, 1);
}

#[test]
fn kernels_do_not_allocate() {
    for b in Backend::available() {
        let k = Kernels::with_backend(b).unwrap();
        // Uplink-like: 273 channel matrices of 64 rx × 16 layers (ragged: 273 = 17·16 + 1).
        let h = MatrixBatch::from_fn(64, 16, 273, |m, i, j| {
            C32::new((m + i) as f32 * 0.01, j as f32 * 0.02 - 0.1)
        })
        .unwrap();
        let mut g = MatrixBatch::zeros(16, 16, 273).unwrap();
        let mut inv = MatrixBatch::zeros(16, 16, 273).unwrap();
        let mut rhs =
            MatrixBatch::from_fn(16, 3, 273, |m, i, j| C32::new(m as f32, (i + j) as f32)).unwrap();
        let mut info = vec![0u32; 273];
        let w = SplitMatrix::from_fn(64, 16, |i, j| C32::new(i as f32, j as f32)).unwrap();
        let x = SplitMatrix::from_fn(16, 168, |i, j| C32::new(j as f32, i as f32)).unwrap();
        let mut y = SplitMatrix::zeros(64, 168).unwrap();
        let a = vec![C32::new(0.5, -0.5); 3276];
        let mut out = vec![C32::new(0.0, 0.0); 3276];
        // The channel estimator's kernels: 64 antenna rows of 48 subcarriers turned
        // antennas-innermost, 8 CDM blocks of 4 REs de-spread for 4 ports, the statistics,
        // and 12 filtered rows back into an interleaved [output, port, antenna] array.
        let grid = vec![C32::new(0.25, 0.5); 64 * 4096];
        let (mut t_re, mut t_im) = (vec![0.0f32; 48 * 64], vec![0.0f32; 48 * 64]);
        let coef = vec![C32::new(0.25, -0.25); 8 * 4 * 4];
        let rows: Vec<u32> = (0..32).collect();
        let (mut ls_re, mut ls_im) = (vec![0.0f32; 32 * 64], vec![0.0f32; 32 * 64]);
        let mut est = vec![C32::new(0.0, 0.0); 12 * 4 * 64];
        // The delay-domain SRS estimator's comb: every 4th of 1023 subcarriers, 64 antennas.
        let mut comb = MatrixBatch::zeros(256, 1, 64).unwrap();
        // Its kept taps (a 3-tap map onto 4 bins) and an output map of 2 rows.
        let taps = CsrMatrix::new(
            vec![0, 1, 1, 3, 3],
            vec![0, 1, 255],
            vec![C32::new(0.5, 0.0); 3],
            256,
        )
        .unwrap();
        let mut bins = MatrixBatch::zeros(4, 1, 16).unwrap();
        let map =
            CsrMatrix::new(vec![0, 1, 2], vec![0, 3], vec![C32::new(1.0, 0.0); 2], 4).unwrap();
        let mut rows_out = vec![C32::new(0.0, 0.0); 2 * 16];

        let (n, ()) = allocations_during(|| {
            k.gram(&h, GramSide::AhA, 1.0, &mut g).unwrap();
            k.cholesky(&mut g, &mut info).unwrap();
            k.cholesky_solve(&g, &mut rhs).unwrap();
            k.cholesky_inverse(&g, &mut inv).unwrap();
            k.gemm(w.view(), x.view(), y.view_mut(), GemmMode::Accumulate)
                .unwrap();
            k.dot(&a, &out).unwrap();
            k.dotc(&a, &out).unwrap();
            k.mul(&a, &a, &mut out).unwrap();
            k.mul_conj(&a, &a, &mut out).unwrap();
            k.axpy(C32::new(1.0, 2.0), &a, &mut out).unwrap();
            let src = ComplexRef::new(64, 48, 4096, &grid).unwrap();
            let mut t = SplitMut::new(48, 64, 64, &mut t_re, &mut t_im).unwrap();
            k.split_transpose(&src, &mut t).unwrap();
            let mut ls = SplitMut::new(32, 64, 64, &mut ls_re, &mut ls_im).unwrap();
            k.block_combine(&coef, (4, 4, 0), &rows, &t.as_ref(), &mut ls)
                .unwrap();
            let ls = ls.as_ref();
            let _ = k.lag_sums(&ls);
            let _ = k.second_difference(&ls, C32::new(2.0, 0.0), C32::new(1.0, 0.0));
            let mut e = ComplexMut::new(12, 64, 4 * 64, &mut est).unwrap();
            let filtered = SplitRef::new(12, 64, 64, &ls_re, &ls_im).unwrap();
            k.store_interleaved(&filtered, &mut e).unwrap();
            // The detector's planes: 14 symbols × 96 subcarriers of a grid cut into PRBs.
            let rows14 = ComplexRef::new(14, 96, 4096, &grid).unwrap();
            k.split_segments(&rows14, 12, &mut t_re, &mut t_im).unwrap();
            let mut back = ComplexMut::new(14, 96, 96, &mut est).unwrap();
            k.merge_segments(&t_re, &t_im, 12, &mut back).unwrap();
            let symbol = ComplexRef::new(64, 1023, 4096, &grid).unwrap();
            k.gather_comb(&symbol, 4, &a[..256], &mut comb).unwrap();
            k.csr_lanes_batch(&taps, &comb, 3, &mut bins).unwrap();
            k.csr_lanes(&map, &bins, 0, &mut rows_out, 16).unwrap();
        });
        assert_eq!(n, 0, "backend {b} allocated {n} times");
        assert!(info.iter().all(|&i| i == 0));
    }
}

#[test]
fn rejections_do_not_allocate_either() {
    // A real-time caller may log the error later; building it must not allocate.
    let k = Kernels::new();
    let a = vec![C32::new(0.0, 0.0); 4];
    let b = vec![C32::new(0.0, 0.0); 5];
    let (n, r) = allocations_during(|| k.dot(&a, &b));
    assert!(
        matches!(
            r,
            Err(SimdError::LengthMismatch {
                what: "dot: b",
                expected: 4,
                got: 5
            })
        ),
        "{r:?}"
    );
    assert_eq!(n, 0);
}
