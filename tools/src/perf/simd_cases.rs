//! The kernel benchmark cases at the reference deployment's sizes: 64 antennas × 16 layers,
//! 273 PRBs (NR 100 MHz at 30 kHz), 168 REs per PRB and slot (12 subcarriers × 14 symbols).

use massive_mimo_simd::{
    C32, ComplexMut, ComplexRef, GemmMode, GramSide, Kernels, MatrixBatch, SplitMatrix,
};

/// One benchmark case: a kernel call on pre-built data.
pub struct KernelCase {
    /// Kernel and shape (the backend is appended by the caller).
    pub name: String,
    /// Real flops per call (complex multiply-add = 8, the usual LAPACK counts).
    pub flops: f64,
    /// Whether `run(false)` is a separate reset step worth subtracting.
    pub has_reset: bool,
    /// `run(true)`: reset (if any) + kernel; `run(false)`: the reset alone.
    pub run: Box<dyn FnMut(bool)>,
}

/// Antennas of the reference array.
pub const N_TX: usize = 64;
/// Layers / users.
pub const N_LAYERS: usize = 16;
/// PRBs of NR 100 MHz at 30 kHz.
pub const N_PRB: usize = 273;
/// REs of one PRB in one 14-symbol slot.
pub const RE_PER_PRB_SLOT: usize = 168;

/// Deterministic pseudo-random complex values (a 64-bit LCG, enough for timing inputs).
fn filler(seed: u64) -> impl FnMut() -> C32 {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    move || {
        let mut next = || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 40) as f32 / (1u64 << 24) as f32) - 0.5
        };
        C32::new(next(), next())
    }
}

fn batch(rows: usize, cols: usize, len: usize, seed: u64) -> MatrixBatch {
    let mut f = filler(seed);
    MatrixBatch::from_fn(rows, cols, len, |_, _, _| f()).expect("non-zero benchmark shape")
}

fn split(rows: usize, cols: usize, seed: u64) -> SplitMatrix {
    let mut f = filler(seed);
    SplitMatrix::from_fn(rows, cols, |_, _| f()).expect("non-zero benchmark shape")
}

/// A Hermitian positive-definite batch: HᴴH + I of 64 × 16 channels.
fn hpd(k: &Kernels, order: usize, len: usize) -> MatrixBatch {
    let h = batch(N_TX, order, len, 7);
    let mut g = MatrixBatch::zeros(order, order, len).expect("shape");
    k.gram(&h, GramSide::AhA, 1.0, &mut g).expect("valid Gram");
    g
}

/// Cholesky factor + solve with `nrhs` right-hand sides, timed with the copy-in subtracted.
fn factor_solve_case(k: Kernels, order: usize, nrhs: usize) -> KernelCase {
    let g0 = hpd(&k, order, N_PRB);
    let b0 = batch(order, nrhs, N_PRB, 11);
    let (mut g, mut b) = (g0.clone(), b0.clone());
    let mut info = vec![0u32; N_PRB];
    let kf = order as f64;
    KernelCase {
        name: format!("cholesky factor+solve {order}x{order}, {nrhs} rhs, x{N_PRB}"),
        flops: N_PRB as f64 * (4.0 / 3.0 * kf * kf * kf + 8.0 * kf * kf * nrhs as f64),
        has_reset: true,
        run: Box::new(move |kernel| {
            g.as_mut_slice().copy_from_slice(g0.as_slice());
            b.as_mut_slice().copy_from_slice(b0.as_slice());
            if kernel {
                let _ = k.cholesky(&mut g, &mut info);
                let _ = k.cholesky_solve(&g, &mut b);
            }
        }),
    }
}

/// PRGs of the precoder application's grouped GEMM case (2 PRBs each): a band that stays in
/// the L2 (weights 128 KiB, layers 48 KiB, antennas 192 KiB).
const APPLY_BAND_PRGS: usize = 16;
/// PRBs of the detection's two-symbol grouped GEMM case: a band that stays in the L2
/// (filters 192 KiB, two symbols of 64 antennas 288 KiB, 16 layers 72 KiB).
const DETECT_BAND_PRBS: usize = 24;

/// The grouped GEMMs of the per-PRG blocks on one band of PRGs in the L2, interleaved
/// operands as the grids hold them: the precoder application's `Kernels::gemm_grouped` (a
/// 64 × 16 matrix per PRG of 24 subcarriers, one symbol) and the detection filters'
/// `Kernels::gemm_grouped_pair_then` (a 16 × 64 matrix per PRB, two symbols). The blocks
/// (`mimo bench`) run these tiles on data from memory; here they show the tiles themselves.
fn grouped_cases(k: Kernels) -> Vec<KernelCase> {
    let mut cases = Vec::new();
    for (m, kk, w, groups, pair) in [
        (N_TX, N_LAYERS, 24, APPLY_BAND_PRGS, false),
        (N_LAYERS, N_TX, 12, DETECT_BAND_PRBS, true),
    ] {
        let n = w * groups;
        let cols = if pair { 2 * n } else { n };
        let mut f = filler(13);
        let a: Vec<C32> = (0..groups * m * kk).map(|_| f()).collect();
        let b: Vec<C32> = (0..kk * cols).map(|_| f()).collect();
        let mut c = vec![C32::new(0.0, 0.0); m * cols];
        let name = if pair {
            format!("gemm_grouped_pair {m}x{kk} per PRB, 2 sym, x{groups}")
        } else {
            format!("gemm_grouped {m}x{kk} per PRG-2, x{groups}")
        };
        let product = move |c: &mut [C32]| {
            let bv = ComplexRef::new(kk, cols, cols, &b)?;
            let cv = ComplexMut::new(m, cols, cols, c)?;
            let mode = GemmMode::Overwrite;
            if pair {
                k.gemm_grouped_pair_then(&a, w, bv, cv, n, mode, None)
            } else {
                k.gemm_grouped(&a, w, bv, cv, mode)
            }
        };
        // The shapes are this function's own: a failing call is a bug here, not bad input.
        product(&mut c).expect("the grouped GEMM case's shapes");
        cases.push(KernelCase {
            name,
            flops: 8.0 * (m * kk * cols) as f64,
            has_reset: false,
            run: Box::new(move |_| {
                let _ = product(&mut c);
            }),
        });
    }
    cases
}

/// The cases, on the given kernels.
pub fn simd_cases(k: Kernels) -> Vec<KernelCase> {
    let mut cases = Vec::new();

    // Precoding application: W (64 × 16) · X (16 × 168) per PRB.
    let (w, x) = (
        split(N_TX, N_LAYERS, 1),
        split(N_LAYERS, RE_PER_PRB_SLOT, 2),
    );
    let mut y = SplitMatrix::zeros(N_TX, RE_PER_PRB_SLOT).expect("shape");
    cases.push(KernelCase {
        name: format!("gemm {N_TX}x{N_LAYERS}x{RE_PER_PRB_SLOT}"),
        flops: 8.0 * (N_TX * N_LAYERS * RE_PER_PRB_SLOT) as f64,
        has_reset: false,
        run: Box::new(move |_| {
            let _ = k.gemm(w.view(), x.view(), y.view_mut(), GemmMode::Overwrite);
        }),
    });

    cases.extend(grouped_cases(k));

    // Gram matrices of 273 channels: HᴴH (uplink, 64 × 16) and HHᴴ (downlink, 16 × 64).
    for (side, rows, cols, label) in [
        (GramSide::AhA, N_TX, N_LAYERS, "gram H^H.H 64x16"),
        (GramSide::AAh, N_LAYERS, N_TX, "gram H.H^H 16x64"),
    ] {
        let h = batch(rows, cols, N_PRB, 3);
        let mut g = MatrixBatch::zeros(N_LAYERS, N_LAYERS, N_PRB).expect("shape");
        let kk = N_LAYERS as f64;
        cases.push(KernelCase {
            name: format!("{label}, x{N_PRB}"),
            flops: N_PRB as f64 * 8.0 * N_TX as f64 * kk * (kk + 1.0) / 2.0,
            has_reset: false,
            run: Box::new(move |_| {
                let _ = k.gram(&h, side, 0.1, &mut g);
            }),
        });
    }

    cases.push(factor_solve_case(k, N_LAYERS, 1));
    cases.push(factor_solve_case(k, N_LAYERS, N_LAYERS));
    cases.push(factor_solve_case(k, 8, 1));

    // Element-wise kernels over one OFDM symbol of 100 MHz (3276 subcarriers).
    let n = 12 * N_PRB;
    let mut f = filler(5);
    let a: Vec<C32> = (0..n).map(|_| f()).collect();
    let b: Vec<C32> = (0..n).map(|_| f()).collect();
    let (a2, b2) = (a.clone(), b.clone());
    cases.push(KernelCase {
        name: format!("dotc {n}"),
        flops: 8.0 * n as f64,
        has_reset: false,
        run: Box::new(move |_| {
            std::hint::black_box(k.dotc(&a, &b).ok());
        }),
    });
    let mut out = vec![C32::new(0.0, 0.0); n];
    cases.push(KernelCase {
        name: format!("mul_conj {n}"),
        flops: 6.0 * n as f64,
        has_reset: false,
        run: Box::new(move |_| {
            let _ = k.mul_conj(&a2, &b2, &mut out);
        }),
    });
    cases
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every case is built (the grouped GEMM cases call their kernel once, checked) and runs,
    /// on the scalar backend and the machine's best, with a positive flop count and a name
    /// of its own.
    #[test]
    fn every_case_builds_and_runs() {
        let scalar = Kernels::with_backend(massive_mimo_simd::Backend::Scalar).expect("scalar");
        for k in [scalar, Kernels::new()] {
            let mut cases = simd_cases(k);
            let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), cases.len(), "case names repeat");
            for case in &mut cases {
                assert!(case.flops > 0.0, "{}", case.name);
                (case.run)(true);
            }
        }
    }
}
