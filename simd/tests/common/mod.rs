//! Shared helpers of the kernel tests: seeded random data and error measures.
#![allow(dead_code)]

use massive_mimo_simd::{Backend, C32, Kernels, MatrixBatch};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Every SIMD backend available on this CPU (scalar excluded), with its kernels.
pub fn simd_backends() -> Vec<Kernels> {
    let v: Vec<Kernels> = Backend::available()
        .filter(|b| *b != Backend::Scalar)
        .map(|b| Kernels::with_backend(b).expect("available backend"))
        .collect();
    v
}

/// Every backend available here, scalar included.
pub fn all_backends() -> Vec<Kernels> {
    Backend::available()
        .map(|b| Kernels::with_backend(b).expect("available backend"))
        .collect()
}

pub fn scalar() -> Kernels {
    Kernels::with_backend(Backend::Scalar).expect("scalar is always available")
}

pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// Complex Gaussian-ish samples (uniform in the unit square is enough for kernel tests).
pub fn cvec(rng: &mut ChaCha8Rng, n: usize) -> Vec<C32> {
    (0..n)
        .map(|_| C32::new(rng.gen_range(-1.0..1.0), rng.gen_range(-1.0..1.0)))
        .collect()
}

pub fn random_batch(rng: &mut ChaCha8Rng, rows: usize, cols: usize, len: usize) -> MatrixBatch {
    MatrixBatch::from_fn(rows, cols, len, |_, _, _| {
        C32::new(rng.gen_range(-1.0..1.0), rng.gen_range(-1.0..1.0))
    })
    .expect("valid shape")
}

/// Max |a − b| over the first `len` matrices, and max |b|.
pub fn batch_diff(a: &MatrixBatch, b: &MatrixBatch) -> (f32, f32) {
    let (mut d, mut m) = (0.0f32, 0.0f32);
    for k in 0..a.len() {
        for i in 0..a.rows() {
            for j in 0..a.cols() {
                let (x, y) = (a.get(k, i, j).unwrap(), b.get(k, i, j).unwrap());
                d = d.max((x - y).norm());
                m = m.max(y.norm());
            }
        }
    }
    (d, m)
}

/// Max |a − b| and max |b| of two slices.
pub fn slice_diff(a: &[C32], b: &[C32]) -> (f32, f32) {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).fold((0.0f32, 0.0f32), |(d, m), (x, y)| {
        (d.max((x - y).norm()), m.max(y.norm()))
    })
}
