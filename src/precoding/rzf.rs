//! Regularised zero-forcing weights: per matrix `W = Hᴴ(HHᴴ + αI)⁻¹`, H the k × n_tx channel
//! (rows are users/layers), then power normalisation.
//!
//! Computation for a batch: `G = HHᴴ + αI` (batched Gram, [`GramSide::AAh`]), `G = LLᴴ`
//! (batched Cholesky), `X = G⁻¹H` (Cholesky solve with the n_tx columns of H as right-hand
//! sides), `W = Xᴴ` (G is Hermitian). Nothing is allocated after construction.
//!
//! Capacity-sized: [`RzfPrecoder::new`] takes the largest layers, antennas and batch it will
//! see; every call takes its own actual shape within them (a scheduler changes the co-scheduled
//! users and the PRBs every slot), reusing the same buffers ([`MatrixBatch::reshape`]).
//!
//! Degenerate channels: when `HHᴴ + αI` is not numerically positive definite (rank-deficient
//! H with α = 0, or NaN/∞ entries) the weights of that matrix fall back to matched filtering
//! (MRT, `W ∝ Hᴴ`, zeros for non-finite entries), normalised like the others; the report counts
//! them. Weights are always finite.

use ndarray::{ArrayView3, ArrayViewMut3};

use crate::simd::{GramSide, Kernels, LANES, MatrixBatch, NormsOf, ZF_PIVOT_TOLERANCE};
use crate::{C32, Error, Result};

/// Power normalisation of the weights of one matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Normalization {
    /// Every column (one per user/layer) scaled to unit norm.
    Column,
    /// `‖W‖_F² = k`: unit power per layer on average.
    Total,
    /// Per-antenna power constraint: W scaled as a whole so that the strongest antenna carries
    /// exactly `k/n_tx` (each power amplifier's share of a total of k) and none more; the
    /// direction of W — hence ZF's nulls — is kept, the total power is ≤ k.
    PerAntenna,
}

/// Outcome of one [`RzfPrecoder::process`] call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RzfReport {
    /// Matrices whose regularised Gram was not positive definite and got MRT weights.
    pub mrt_fallbacks: usize,
}

/// RZF weight computation for batches of up to `max_batch` channels of up to
/// `max_layers × max_ant`.
pub struct RzfPrecoder {
    kernels: Kernels,
    max_layers: usize,
    max_ant: usize,
    max_batch: usize,
    /// Work buffers of one lane block (16 matrices), sized for the largest shape.
    buf: BlockBuffers,
}

/// The Gram / factor and the solved X of one lane block, and its normalisation scales.
struct BlockBuffers {
    g: MatrixBatch,
    x: MatrixBatch,
    info: Vec<u32>,
    /// Per matrix and layer, the column scale of the normalisation ([len, k]).
    scale: Vec<f32>,
    /// Squared norms per layer ([len, k]) or per antenna ([len, n_tx]).
    energy: Vec<f32>,
}

/// Scales every matrix of `x` (one lane block) whose largest |entry| lies outside
/// [2^−20, 2^20] by 2^−e, e the binary exponent of that entry (clamped to ±63, so 2^∓2e stays
/// a normal f32), and returns the squared scales 2^−2e per lane (1 for the matrices left
/// alone) — or `None` when no matrix needed it (the ordinary case: one read pass, no change).
fn power_of_two_scales(x: &mut MatrixBatch) -> Option<[f32; LANES]> {
    const SAFE: i32 = 20;
    let lanes = x.len().min(LANES);
    let xs = x.as_mut_slice();
    // Largest |entry| per lane, written as a compare-select so that it maps onto `maxps`
    // (SSE2, the runtime crate's baseline); a NaN entry is skipped (the MRT fallback handles
    // it), ∞ becomes the maximum.
    let mut max = [0.0f32; LANES];
    for chunk in xs.chunks_exact(LANES) {
        let Ok(c) = <&[f32; LANES]>::try_from(chunk) else {
            continue; // unreachable: chunks_exact gives LANES values
        };
        for l in 0..LANES {
            let a = c[l].abs();
            max[l] = if a > max[l] { a } else { max[l] };
        }
    }
    let mut exp = [0i32; LANES];
    for (e, &m) in exp.iter_mut().zip(&max).take(lanes) {
        let m = m.to_bits();
        let biased = ((m >> 23) & 0xFF) as i32;
        // Zero, NaN and ∞ matrices keep e = 0 (the MRT fallback handles the non-finite).
        if m != 0 && biased != 0xFF {
            let unbiased = biased - 127; // subnormals read as −127
            if unbiased.abs() > SAFE {
                *e = unbiased.clamp(-63, 63);
            }
        }
    }
    if exp.iter().all(|&e| e == 0) {
        return None;
    }
    let scale = exp.map(|e| 2f32.powi(-e));
    for chunk in xs.chunks_exact_mut(LANES) {
        for (v, &s) in chunk.iter_mut().zip(&scale) {
            *v *= s;
        }
    }
    Some(scale.map(|s| s * s))
}

impl BlockBuffers {
    fn new(k: usize, n_tx: usize) -> Result<Self> {
        Ok(Self {
            g: MatrixBatch::zeros(k, k, LANES)?,
            x: MatrixBatch::zeros(k, n_tx, LANES)?,
            info: vec![0; LANES],
            scale: vec![0.0; LANES * k],
            energy: vec![0.0; LANES * k.max(n_tx)],
        })
    }

    /// Shapes the buffers for `len` matrices of `k × n_tx` (within the capacity of `new`).
    fn reshape(&mut self, k: usize, n_tx: usize, len: usize) -> Result<()> {
        self.g.reshape(k, k, len)?;
        self.x.reshape(k, n_tx, len)?;
        Ok(())
    }
}

impl RzfPrecoder {
    /// Buffers for batches of up to `max_batch` matrices of up to `max_layers` users/layers ×
    /// `max_ant` antennas (layers ≤ antennas, ≤ 32 layers, ≤ 256 antennas).
    pub fn new(max_layers: usize, max_ant: usize, max_batch: usize) -> Result<Self> {
        crate::error::check_layers_antennas(max_layers, max_ant)?;
        if max_batch == 0 {
            return Err(Error::InvalidParameter {
                name: "max_batch",
                value: "0".into(),
                reason: "must be ≥ 1",
            });
        }
        Ok(Self {
            kernels: Kernels::new(),
            max_layers,
            max_ant,
            max_batch,
            buf: BlockBuffers::new(max_layers, max_ant)?,
        })
    }

    /// Uses specific kernels (e.g. a forced SIMD backend).
    pub fn with_kernels(mut self, kernels: Kernels) -> Self {
        self.kernels = kernels;
        self
    }

    /// The capacity: (max layers, max antennas, max batch).
    pub fn capacity(&self) -> (usize, usize, usize) {
        (self.max_layers, self.max_ant, self.max_batch)
    }

    /// Weights `w [batch, n_tx, k]` of channels `h [batch, k, n_tx]` with regularisation α ≥ 0
    /// (0 = ZF; the MMSE choice is α = k·σ²/P for noise σ² and total power P). The shape is
    /// this call's: batch ≤ max_batch, k ≤ max_layers, n_tx ≤ max_ant, k ≤ n_tx.
    pub fn process(
        &mut self,
        h: ArrayView3<'_, C32>,
        alpha: f32,
        normalization: Normalization,
        w: ArrayViewMut3<'_, C32>,
    ) -> Result<RzfReport> {
        self.run(h, alpha, None, normalization, w)
    }

    /// As [`Self::process`] with one regularisation per user/layer, `W = Hᴴ(HHᴴ + diag(α))⁻¹`:
    /// the regularised ZF that follows each user's SNR (α_u = σ_u²·k/P for a user whose noise
    /// is σ_u²). A large α_u marks user u as noise-limited: the other users' columns stop
    /// spending degrees of freedom on nulling it (they become ZF among themselves), while u's own
    /// column still avoids them. `alphas` has k entries, each finite and ≥ 0.
    pub fn process_per_user(
        &mut self,
        h: ArrayView3<'_, C32>,
        alphas: &[f32],
        normalization: Normalization,
        w: ArrayViewMut3<'_, C32>,
    ) -> Result<RzfReport> {
        if alphas.len() != h.dim().1 {
            return Err(Error::ShapeMismatch {
                name: "alphas [k]",
                expected: crate::error::Shape::of(&[h.dim().1]),
                got: crate::error::Shape::of(&[alphas.len()]),
            });
        }
        if let Some(&a) = alphas.iter().find(|a| !(a.is_finite() && **a >= 0.0)) {
            return Err(Error::InvalidParameter {
                name: "alphas",
                value: crate::error::Value::of(&a),
                reason: "every α must be finite and ≥ 0",
            });
        }
        self.run(h, 0.0, Some(alphas), normalization, w)
    }

    fn run(
        &mut self,
        h: ArrayView3<'_, C32>,
        alpha: f32,
        per_user: Option<&[f32]>,
        normalization: Normalization,
        mut w: ArrayViewMut3<'_, C32>,
    ) -> Result<RzfReport> {
        let (b, k, n) = h.dim();
        if b == 0 || b > self.max_batch || k == 0 || k > self.max_layers || n > self.max_ant {
            return Err(Error::ShapeMismatch {
                name: "h [batch ≤ max_batch, k ≤ max_layers, n_tx ≤ max_ant]",
                expected: crate::error::Shape::of(&[self.max_batch, self.max_layers, self.max_ant]),
                got: crate::error::Shape::of(h.shape()),
            });
        }
        crate::error::check_layers_antennas(k, n)?;
        if w.dim() != (b, n, k) {
            return Err(Error::ShapeMismatch {
                name: "w [batch, n_tx, k]",
                expected: crate::error::Shape::of(&[b, n, k]),
                got: crate::error::Shape::of(w.shape()),
            });
        }
        if alpha.is_nan() || alpha < 0.0 || alpha.is_infinite() {
            return Err(Error::InvalidParameter {
                name: "alpha",
                value: crate::error::Value::of(&alpha),
                reason: "must be finite and ≥ 0",
            });
        }
        // One lane block (16 matrices) at a time through every stage, so that X and G stay in
        // the cache between the kernels: memory sees H read once and W written once.
        let mut fallbacks = 0;
        for m0 in (0..b).step_by(LANES) {
            let len = LANES.min(b - m0);
            let buf = &mut self.buf;
            buf.reshape(k, n, len)?;
            let hb = h.slice(ndarray::s![m0..m0 + len, .., ..]);
            let wb = w.slice_mut(ndarray::s![m0..m0 + len, .., ..]);
            fallbacks += buf.process(&self.kernels, hb, alpha, per_user, normalization, wb)?;
        }
        Ok(RzfReport {
            mrt_fallbacks: fallbacks,
        })
    }
}

impl BlockBuffers {
    /// Weights of the block's matrices; returns the number of MRT fallbacks.
    fn process(
        &mut self,
        kernels: &Kernels,
        h: ArrayView3<'_, C32>,
        alpha: f32,
        per_user: Option<&[f32]>,
        normalization: Normalization,
        mut w: ArrayViewMut3<'_, C32>,
    ) -> Result<usize> {
        match h.as_slice() {
            Some(src) => kernels.load_batch(src, &mut self.x)?,
            None => {
                for ((m, i, t), &v) in h.indexed_iter() {
                    self.x.set(m, i, t, v)?;
                }
            }
        }
        // Scale invariance: a matrix whose entries are far from 1 (outside 2^±20) is scaled by
        // the power of two that brings its largest entry near 1 (exact in floating point) and
        // α by its square; the normalisation below removes the scale again. A channel of
        // 1e-20 or 1e20 no longer under/overflows in the Gram (issue 21); ordinary channels
        // take the old path unchanged.
        let pow2 = power_of_two_scales(&mut self.x);
        // A NaN or ∞ anywhere in H makes G's pivots fail → MRT fallback below, non-finite
        // entries zeroed.
        match pow2 {
            None => {
                kernels.gram(&self.x, GramSide::AAh, alpha, &mut self.g)?;
                if let Some(alphas) = per_user {
                    for m in 0..self.x.len() {
                        self.g.add_diagonal(m, |j| alphas[j])?;
                    }
                }
            }
            Some(sq) => {
                kernels.gram(&self.x, GramSide::AAh, 0.0, &mut self.g)?;
                // α·2^−2e, capped at 1e12: with the scaled entries ≤ 2^20 ... in practice ≤ 2
                // for the scaled matrices the Gram's norm is at most 4·n_tx ≤ 1024, so a larger load changes the normalised weights by less
                // than 1024/1e12 (they are MRT to f32 precision), while an uncapped one would
                // push X = (G + αI)⁻¹H below the normal f32 range.
                const ALPHA_CAP: f32 = 1e12;
                for (m, &s2) in sq.iter().enumerate().take(self.x.len()) {
                    match per_user {
                        Some(alphas) => self
                            .g
                            .add_diagonal(m, |j| (alphas[j] * s2).min(ALPHA_CAP))?,
                        None => self.g.add_diagonal(m, |_| (alpha * s2).min(ALPHA_CAP))?,
                    }
                }
            }
        }
        let len = self.g.len();
        // ZF (no regularisation at all) declares a matrix singular at the stated relative
        // pivot tolerance 2⁻¹², far above the rounding level, so that every backend falls back
        // to MRT on the same matrices (issue 21); a regularised Gram keeps the f32 limit k·ε.
        let zf = alpha == 0.0 && per_user.is_none_or(|a| a.iter().all(|&v| v == 0.0));
        let tolerance = if zf { ZF_PIVOT_TOLERANCE } else { 0.0 };
        let fallbacks =
            kernels.cholesky_with_tolerance(&mut self.g, &mut self.info[..len], tolerance)?;
        {
            // The block's weights (a 128 KiB output for 16 matrices of 64 × 16, in the
            // last-level cache or memory) are requested while the block is solved, so that
            // their stores below find the lines in the cache (NR weights ×1.1).
            let wv = w.view();
            kernels.cholesky_solve_then(&self.g, &mut self.x, &[wv.to_slice().unwrap_or(&[])])?;
        }
        self.write_weights(kernels, h, normalization, &mut w)?;
        Ok(fallbacks)
    }

    /// Writes `W = Xᴴ` (or `Hᴴ`, MRT, where the Cholesky failed) of every matrix into `w`
    /// [len, n_tx, k], scaled by `normalization`, straight from the lane-blocked batch: the
    /// norms per layer or antenna by [`Kernels::norms_sqr`], then the scaled conjugate
    /// transposes by the kernels' register tile transposes ([`Kernels::store_adjoint`];
    /// element by element when `w` is not in standard layout).
    /// Non-finite entries become 0; zero columns stay zero.
    fn write_weights(
        &mut self,
        kernels: &Kernels,
        h: ArrayView3<'_, C32>,
        normalization: Normalization,
        w: &mut ArrayViewMut3<'_, C32>,
    ) -> Result<()> {
        const L: usize = LANES;
        let (lanes, k, n) = (self.x.len(), self.x.rows(), self.x.cols());
        // MRT fallback: the failed lanes of X (solved in place with a failed factor) take
        // H's values again from the input, non-finite ones as 0 (the only place a NaN or ∞
        // can be: a successful Cholesky of a finite Gram gives a finite X).
        for l in (0..lanes).filter(|&l| self.info[l] != 0) {
            let xs = self.x.as_mut_slice();
            for i in 0..k {
                for t in 0..n {
                    let v = h[[l, i, t]];
                    let o = (i * n + t) * 2 * L + l;
                    xs[o] = if v.re.is_finite() { v.re } else { 0.0 };
                    xs[o + L] = if v.im.is_finite() { v.im } else { 0.0 };
                }
            }
        }
        // Powers per layer (X row, W column) or per antenna (X column, W row).
        let of = match normalization {
            Normalization::PerAntenna => NormsOf::Cols,
            _ => NormsOf::Rows,
        };
        let energy = &mut self.energy[..lanes * of.count(k, n)];
        kernels.norms_sqr(&self.x, of, energy)?;
        let scales = &mut self.scale[..lanes * k];
        for (l, scale) in scales.chunks_exact_mut(k).enumerate() {
            match normalization {
                Normalization::Column => {
                    for (sc, &e) in scale.iter_mut().zip(&energy[l * k..(l + 1) * k]) {
                        *sc = if e > 0.0 { 1.0 / e.sqrt() } else { 1.0 };
                    }
                }
                Normalization::Total => {
                    let e: f32 = energy[l * k..(l + 1) * k].iter().sum();
                    scale.fill(if e > 0.0 { (k as f32 / e).sqrt() } else { 1.0 });
                }
                Normalization::PerAntenna => {
                    let max = energy[l * n..(l + 1) * n]
                        .iter()
                        .fold(0.0f32, |a, &b| a.max(b));
                    let share = k as f32 / n as f32;
                    scale.fill(if max > 0.0 { (share / max).sqrt() } else { 1.0 });
                }
            }
        }
        let block = self.x.as_slice();
        // W[m, t, i] = conj(X[m, i, t])·scale[m, i]: register tile transposes for a standard
        // layout output, element by element otherwise.
        match w.as_slice_mut() {
            Some(out) => kernels.store_adjoint(&self.x, &self.scale[..lanes * k], out)?,
            None => {
                for ((l, t, i), v) in w.indexed_iter_mut() {
                    let o = (i * n + t) * 2 * L + l;
                    *v = C32::new(block[o], -block[o + L]) * self.scale[l * k + i];
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array3;

    #[test]
    fn per_user_regularisation_generalises_the_scalar_one() {
        let (b, k, n) = (2, 4, 16);
        let h = channel(b, k, n, 91);
        let mut p = RzfPrecoder::new(k, n, b).unwrap();
        let (mut w1, mut w2) = (Array3::zeros((b, n, k)), Array3::zeros((b, n, k)));
        p.process(h.view(), 0.3, Normalization::Column, w1.view_mut())
            .unwrap();
        p.process_per_user(h.view(), &[0.3; 4], Normalization::Column, w2.view_mut())
            .unwrap();
        assert!(w1.iter().zip(&w2).all(|(a, c)| (a - c).norm() < 1e-5));
        // A huge α for user 2: users 0, 1, 3 become ZF among themselves (no longer nulling
        // user 2), and user 2's column still leaks nothing into them.
        p.process_per_user(
            h.view(),
            &[0.0, 0.0, 1e6, 0.0],
            Normalization::Column,
            w2.view_mut(),
        )
        .unwrap();
        let gain = |m: usize, rx: usize, col: usize| -> f32 {
            (0..n)
                .map(|t| h[[m, rx, t]] * w2[[m, t, col]])
                .sum::<C32>()
                .norm()
        };
        for m in 0..b {
            for o in [0usize, 1, 3] {
                assert!(gain(m, o, 2) < 1e-3, "user 2's column leaks into user {o}");
                for o2 in [0usize, 1, 3] {
                    if o2 != o {
                        assert!(gain(m, o2, o) < 1e-3, "column {o} leaks into user {o2}");
                    }
                }
            }
            let into_2: f32 = [0usize, 1, 3].iter().map(|&o| gain(m, 2, o)).sum();
            assert!(
                into_2 > 0.05,
                "the others should no longer null user 2 ({into_2})"
            );
        }
        assert_eq!(
            crate::error::name_of(p.process_per_user(
                h.view(),
                &[0.1; 3],
                Normalization::Column,
                w2.view_mut()
            )),
            "alphas [k]"
        );
        assert_eq!(
            crate::error::name_of(p.process_per_user(
                h.view(),
                &[0.1, f32::NAN, 0.1, 0.1],
                Normalization::Column,
                w2.view_mut()
            )),
            "alphas"
        );
    }

    #[test]
    fn per_antenna_normalisation_caps_every_antenna_and_keeps_zf_nulls() {
        let (b, k, n) = (3, 4, 16);
        let h = channel(b, k, n, 77);
        let mut w = Array3::zeros((b, n, k));
        RzfPrecoder::new(k, n, b)
            .unwrap()
            .process(h.view(), 0.0, Normalization::PerAntenna, w.view_mut())
            .unwrap();
        for m in 0..b {
            let rows: Vec<f32> = (0..n)
                .map(|t| (0..k).map(|l| w[[m, t, l]].norm_sqr()).sum())
                .collect();
            let max = rows.iter().cloned().fold(0.0f32, f32::max);
            assert!((max - k as f32 / n as f32).abs() < 1e-5);
            // H·W stays diagonal.
            for i in 0..k {
                for j in 0..k {
                    let v: C32 = (0..n).map(|t| h[[m, i, t]] * w[[m, t, j]]).sum();
                    if i != j {
                        assert!(v.norm() < 1e-4, "off-diagonal {v}");
                    }
                }
            }
        }
    }

    #[test]
    fn strided_views_and_partial_blocks_give_the_same_weights() {
        // 37 matrices: two full lane blocks and a partial one; k = 6 leaves a tile tail.
        let (b, k, n) = (37, 6, 24);
        let h = channel(b, k, n, 12);
        let mut p = RzfPrecoder::new(k, n, b).unwrap();
        let mut w = Array3::zeros((b, n, k));
        p.process(h.view(), 0.05, Normalization::Column, w.view_mut())
            .unwrap();
        // The same channels and weights through views that are not in standard layout.
        let mut h_t = Array3::zeros((n, k, b));
        h_t.assign(&h.view().permuted_axes([2, 1, 0]));
        let h_view = h_t.view().permuted_axes([2, 1, 0]);
        assert!(h_view.as_slice().is_none());
        let mut w_t: Array3<C32> = Array3::zeros((k, n, b));
        let w_view = w_t.view_mut().permuted_axes([2, 1, 0]);
        p.process(h_view, 0.05, Normalization::Column, w_view)
            .unwrap();
        let w2 = w_t.view().permuted_axes([2, 1, 0]);
        assert!(w.iter().zip(w2.iter()).all(|(a, c)| (a - c).norm() < 1e-6));
        // Each batch member equals the weights computed on its own.
        let mut one = RzfPrecoder::new(k, n, 1).unwrap();
        for m in [0usize, 15, 16, 36] {
            let mut w1 = Array3::zeros((1, n, k));
            one.process(
                h.slice(ndarray::s![m..m + 1, .., ..]),
                0.05,
                Normalization::Column,
                w1.view_mut(),
            )
            .unwrap();
            let got = w.slice(ndarray::s![m..m + 1, .., ..]);
            assert!(
                w1.iter()
                    .zip(got.iter())
                    .all(|(a, c)| (a - c).norm() < 1e-5)
            );
        }
    }

    /// Largest |a − b| over two weight arrays.
    fn max_diff(a: &Array3<C32>, b: &Array3<C32>) -> f32 {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).norm())
            .fold(0.0f32, f32::max)
    }

    #[test]
    fn weights_do_not_depend_on_the_channel_scale() {
        // Issue 21: H × 1e-20 used to give ‖W‖² = 0 (the Gram underflowed) and H × 1e20 an
        // overflowing Gram. Scaled channels now give the unit-scale weights.
        let (b, k, n) = (20, 4, 32);
        let h = channel(b, k, n, 5);
        let mut p = RzfPrecoder::new(k, n, b).unwrap();
        for (alpha, norm) in [
            (0.0, Normalization::Total),
            (0.05, Normalization::Column),
            (0.05, Normalization::PerAntenna),
        ] {
            let mut w1 = Array3::zeros((b, n, k));
            let r1 = p.process(h.view(), alpha, norm, w1.view_mut()).unwrap();
            for scale in [1e-20f32, 1e-12, 1e12, 1e18] {
                let hs = h.mapv(|v| v * scale);
                let mut ws = Array3::zeros((b, n, k));
                // RZF's α is relative to the channel power: α·scale² keeps the same filter.
                let rs = p
                    .process(hs.view(), alpha * scale * scale, norm, ws.view_mut())
                    .unwrap();
                assert_eq!(rs.mrt_fallbacks, r1.mrt_fallbacks);
                let d = max_diff(&w1, &ws);
                assert!(
                    d < 1e-4,
                    "scale {scale:e}, α {alpha}, {norm:?}: weights differ by {d}"
                );
            }
        }
        // The same with one α per user (each scaled by scale²): the scaled path loads
        // α_j·2^−2e per user.
        let alphas = [0.05f32, 0.5, 0.05, 0.2];
        let mut w1 = Array3::zeros((b, n, k));
        p.process_per_user(h.view(), &alphas, Normalization::Column, w1.view_mut())
            .unwrap();
        for scale in [1e-12f32, 1e12] {
            let hs = h.mapv(|v| v * scale);
            let a_s = alphas.map(|a| a * scale * scale);
            let mut ws = Array3::zeros((b, n, k));
            p.process_per_user(hs.view(), &a_s, Normalization::Column, ws.view_mut())
                .unwrap();
            let d = max_diff(&w1, &ws);
            assert!(
                d < 1e-4,
                "per-user α, scale {scale:e}: weights differ by {d}"
            );
        }
        // A tiny channel with a fixed α is noise-limited: RZF tends to MRT, with finite,
        // normalised weights (not zeros).
        let hs = h.mapv(|v| v * 1e-20);
        let mut w = Array3::zeros((b, n, k));
        p.process(hs.view(), 0.1, Normalization::Total, w.view_mut())
            .unwrap();
        let mut mrt = Array3::zeros((b, n, k));
        for ((m, t, i), v) in mrt.indexed_iter_mut() {
            *v = h[[m, i, t]].conj();
        }
        for m in 0..b {
            let e: f32 = w
                .slice(ndarray::s![m, .., ..])
                .iter()
                .map(|v| v.norm_sqr())
                .sum();
            assert!((e - k as f32).abs() < 1e-3 * k as f32, "‖W‖² = {e}");
            let em: f32 = mrt
                .slice(ndarray::s![m, .., ..])
                .iter()
                .map(|v| v.norm_sqr())
                .sum();
            let sc = (k as f32 / em).sqrt();
            let d = w
                .slice(ndarray::s![m, .., ..])
                .iter()
                .zip(mrt.slice(ndarray::s![m, .., ..]).iter())
                .map(|(a, c)| (a - c * sc).norm())
                .fold(0.0f32, f32::max);
            assert!(d < 1e-3, "not MRT: {d}");
        }
    }

    fn channel(b: usize, k: usize, n: usize, seed: u64) -> Array3<C32> {
        let mut s = seed;
        Array3::from_shape_fn((b, k, n), |_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let a = ((s >> 33) as f32 / (1u64 << 31) as f32) - 0.5;
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let c = ((s >> 33) as f32 / (1u64 << 31) as f32) - 0.5;
            C32::new(a, c)
        })
    }

    fn hw(h: &Array3<C32>, w: &Array3<C32>, m: usize) -> ndarray::Array2<C32> {
        h.index_axis(ndarray::Axis(0), m)
            .dot(&w.index_axis(ndarray::Axis(0), m))
    }

    #[test]
    fn zf_diagonalises_the_channel() {
        let (b, k, n) = (20, 16, 64);
        let h = channel(b, k, n, 1);
        let mut w = Array3::zeros((b, n, k));
        let mut p = RzfPrecoder::new(k, n, b).unwrap();
        assert_eq!(
            p.process(h.view(), 0.0, Normalization::Column, w.view_mut())
                .unwrap()
                .mrt_fallbacks,
            0
        );
        for m in 0..b {
            let e = hw(&h, &w, m);
            let (mut on, mut off) = (0.0f32, 0.0f32);
            for i in 0..k {
                for j in 0..k {
                    if i == j {
                        on += e[[i, j]].norm_sqr()
                    } else {
                        off += e[[i, j]].norm_sqr()
                    }
                }
            }
            assert!(
                10.0 * (off / on).log10() < -60.0,
                "matrix {m}: off-diagonal {:.1} dB",
                10.0 * (off / on).log10()
            );
        }
    }

    #[test]
    fn large_alpha_tends_to_mrt_and_power_is_normalised() {
        let (b, k, n) = (3, 4, 32);
        let h = channel(b, k, n, 2);
        let mut w = Array3::zeros((b, n, k));
        let mut p = RzfPrecoder::new(k, n, b).unwrap();
        p.process(h.view(), 1e6, Normalization::Total, w.view_mut())
            .unwrap();
        for m in 0..b {
            let e: f32 = w
                .index_axis(ndarray::Axis(0), m)
                .iter()
                .map(|v| v.norm_sqr())
                .sum();
            assert!((e - k as f32).abs() < 1e-3);
            // W ∝ Hᴴ: compare with the normalised conjugate transpose.
            let ht = h.index_axis(ndarray::Axis(0), m).t().mapv(|v| v.conj());
            let s = (k as f32 / ht.iter().map(|v| v.norm_sqr()).sum::<f32>()).sqrt();
            let err: f32 = (&w.index_axis(ndarray::Axis(0), m) - &ht.mapv(|v| v * s))
                .iter()
                .map(|v| v.norm_sqr())
                .sum();
            assert!(err / (k as f32) < 1e-6, "{err}");
        }
    }

    #[test]
    fn rank_deficient_and_nan_channels_fall_back_to_finite_mrt() {
        let (b, k, n) = (3, 4, 16);
        let mut h = channel(b, k, n, 3);
        for t in 0..n {
            h[[0, 1, t]] = h[[0, 0, t]]; // two identical users: HHᴴ singular
        }
        h[[2, 3, 5]] = C32::new(f32::NAN, 0.0);
        let mut w = Array3::zeros((b, n, k));
        let mut p = RzfPrecoder::new(k, n, b).unwrap();
        let r = p
            .process(h.view(), 0.0, Normalization::Column, w.view_mut())
            .unwrap();
        assert_eq!(r.mrt_fallbacks, 2);
        assert!(w.iter().all(|v| v.re.is_finite() && v.im.is_finite()));
        assert!(matches!(
            p.process(h.view(), -1.0, Normalization::Column, w.view_mut()),
            Err(Error::InvalidParameter { name: "alpha", .. })
        ));
        assert_eq!(crate::error::name_of(RzfPrecoder::new(8, 4, 1)), "layers");
    }
}
