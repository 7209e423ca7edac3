//! Linear ZF / MMSE equalisation per resource element.
//!
//! For each RE with channel H (n_rx × n_l), received y and noise variance σ² (E|n|² per rx):
//! `G = HᴴH`, `z = Hᴴy`.
//! * ZF: `x = G⁻¹z`, noise variance `σ²·[G⁻¹]_ll`.
//! * MMSE: `A = (G + σ²I)⁻¹`, `x_b = A·z`, `g_l = [A·G]_ll = 1 − σ²·A_ll`; biased:
//!   `x = x_b`, noise `g_l(1 − g_l)`; unbiased: `x = x_b / g_l`, noise `(1 − g_l)/g_l`.
//!
//! Degenerate REs are *erasures*: when the (regularised) Gram is not numerically positive
//! definite (rank-deficient H under ZF, H = 0, non-finite input) or an unbiased MMSE gain
//! g_l ≤ 1e-6, the outputs are x = 0 with noise variance `f32::MAX`, so the demapper yields
//! LLRs ≈ 0. The report counts them.

use ndarray::{ArrayView2, ArrayView3, ArrayViewMut2};

use massive_mimo::simd::{GramSide, Kernels, MatrixBatch};
use massive_mimo::{C32, Error, Result};

/// Equaliser type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EqualizerMethod {
    /// Zero forcing.
    Zf,
    /// Linear MMSE; `unbiased` divides by the per-layer gain.
    Mmse {
        /// Remove the MMSE bias.
        unbiased: bool,
    },
}

/// Outcome of one [`LinearEqualizer::process`] call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EqualizerReport {
    /// REs output as erasures (see the module docs).
    pub erasures: usize,
}

/// Per-RE linear equaliser for batches of `batch` REs with `n_rx` antennas and `n_l` layers.
pub struct LinearEqualizer {
    kernels: Kernels,
    n_rx: usize,
    n_l: usize,
    batch: usize,
    h: MatrixBatch,
    g: MatrixBatch,
    inv: MatrixBatch,
    info: Vec<u32>,
    /// The inverses, [batch, n_l, n_l] row-major.
    inv_out: Vec<C32>,
}

/// Gain below which an unbiased MMSE layer is an erasure.
const MIN_GAIN: f32 = 1e-6;

impl LinearEqualizer {
    /// Buffers for `batch` REs of `n_rx × n_l` (n_l ≤ n_rx, n_l ≤ 32, n_rx ≤ 256).
    pub fn new(n_rx: usize, n_l: usize, batch: usize) -> Result<Self> {
        massive_mimo::error::check_layers_antennas(n_l, n_rx)?;
        Ok(Self {
            kernels: Kernels::new(),
            n_rx,
            n_l,
            batch,
            h: MatrixBatch::zeros(n_rx, n_l, batch)?,
            g: MatrixBatch::zeros(n_l, n_l, batch)?,
            inv: MatrixBatch::zeros(n_l, n_l, batch)?,
            info: vec![0; batch],
            inv_out: vec![C32::new(0.0, 0.0); batch * n_l * n_l],
        })
    }

    /// Uses specific kernels (e.g. a forced SIMD backend).
    pub fn with_kernels(mut self, kernels: Kernels) -> Self {
        self.kernels = kernels;
        self
    }

    /// Equalises `y [batch, n_rx]` with channels `h [batch, n_rx, n_l]` and noise variances
    /// `noise_var [batch]` (finite, ≥ 0) into `x [batch, n_l]` and the post-equalisation noise
    /// variances `x_noise_var [batch, n_l]`.
    pub fn process(
        &mut self,
        y: ArrayView2<'_, C32>,
        h: ArrayView3<'_, C32>,
        noise_var: &[f32],
        method: EqualizerMethod,
        mut x: ArrayViewMut2<'_, C32>,
        mut x_noise_var: ArrayViewMut2<'_, f32>,
    ) -> Result<EqualizerReport> {
        let (b, r, l) = (self.batch, self.n_rx, self.n_l);
        if h.dim() != (b, r, l) {
            return Err(Error::ShapeMismatch {
                name: "h [n_re, n_rx, n_l]",
                expected: massive_mimo::error::Shape::of(&[b, r, l]),
                got: massive_mimo::error::Shape::of(h.shape()),
            });
        }
        if y.dim() != (b, r) {
            return Err(Error::ShapeMismatch {
                name: "y [n_re, n_rx]",
                expected: massive_mimo::error::Shape::of(&[b, r]),
                got: massive_mimo::error::Shape::of(y.shape()),
            });
        }
        if noise_var.len() != b {
            return Err(Error::ShapeMismatch {
                name: "noise_var [n_re]",
                expected: massive_mimo::error::Shape::of(&[b]),
                got: massive_mimo::error::Shape::of(&[noise_var.len()]),
            });
        }
        if x.dim() != (b, l) || x_noise_var.dim() != (b, l) {
            return Err(Error::ShapeMismatch {
                name: "x, x_noise_var [n_re, n_l]",
                expected: massive_mimo::error::Shape::of(&[b, l]),
                got: massive_mimo::error::Shape::of(x.shape()),
            });
        }
        massive_mimo::error::check_noise_var(noise_var)?;
        match h.as_slice() {
            Some(src) => self.h.load_all(src)?,
            None => {
                for ((m, i, j), &v) in h.indexed_iter() {
                    self.h.set(m, i, j, v)?;
                }
            }
        }
        self.kernels
            .gram(&self.h, GramSide::AhA, 0.0, &mut self.g)?;
        if let EqualizerMethod::Mmse { .. } = method {
            for (m, &v) in noise_var.iter().enumerate() {
                self.g.add_diagonal(m, |_| v)?;
            }
        }
        // ZF declares singularity at the stated tolerance 2⁻¹², as the detector does.
        let tolerance = match method {
            EqualizerMethod::Zf => massive_mimo::simd::ZF_PIVOT_TOLERANCE,
            EqualizerMethod::Mmse { .. } => 0.0,
        };
        self.kernels
            .cholesky_with_tolerance(&mut self.g, &mut self.info, tolerance)?;
        self.kernels.cholesky_inverse(&self.g, &mut self.inv)?;
        self.inv.store_all(&mut self.inv_out)?;
        let mut erasures = 0;
        for m in 0..b {
            let s2 = noise_var[m];
            let y_finite = y
                .row(m)
                .iter()
                .all(|v| v.re.is_finite() && v.im.is_finite());
            let mut erase = self.info[m] != 0 || !y_finite;
            if !erase {
                // z = Hᴴy, then x_b = A·z, in stack buffers (n_l ≤ 32).
                let mut z = [C32::new(0.0, 0.0); massive_mimo::simd::MAX_ORDER];
                let hm = h.index_axis(ndarray::Axis(0), m);
                for (hrow, &yi) in hm.outer_iter().zip(y.row(m)) {
                    for (zj, &hij) in z.iter_mut().zip(hrow) {
                        *zj += hij.conj() * yi;
                    }
                }
                let a = &self.inv_out[m * l * l..(m + 1) * l * l];
                for j in 0..l {
                    let arow = &a[j * l..(j + 1) * l];
                    let xb: C32 = arow.iter().zip(&z[..l]).map(|(p, q)| p * q).sum();
                    let a_jj = arow[j].re;
                    let (xv, nv) = match method {
                        EqualizerMethod::Zf => (xb, s2 * a_jj),
                        // e = σ²·A_jj = 1 − g, the layer's MMSE, used as such (1 − g formed
                        // from g cancels at high SNR).
                        EqualizerMethod::Mmse { unbiased: false } => {
                            let e = s2 * a_jj;
                            (xb, (1.0 - e) * e)
                        }
                        EqualizerMethod::Mmse { unbiased: true } => {
                            let e = s2 * a_jj;
                            let g = 1.0 - e;
                            if g <= MIN_GAIN {
                                erase = true;
                                (C32::new(0.0, 0.0), f32::MAX)
                            } else {
                                (xb / g, e / g)
                            }
                        }
                    };
                    x[[m, j]] = xv;
                    x_noise_var[[m, j]] = nv;
                }
            }
            if erase {
                erasures += 1;
                for j in 0..l {
                    x[[m, j]] = C32::new(0.0, 0.0);
                    x_noise_var[[m, j]] = f32::MAX;
                }
            }
        }
        Ok(EqualizerReport { erasures })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array1, Array2, Array3};

    fn rnd(seed: &mut u64) -> f32 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((*seed >> 33) as f32 / (1u64 << 31) as f32) - 0.5
    }

    fn setup(
        b: usize,
        r: usize,
        l: usize,
        s2: f32,
        seed: u64,
    ) -> (Array3<C32>, Array2<C32>, Array2<C32>, Vec<f32>) {
        let mut s = seed;
        let h = Array3::from_shape_fn((b, r, l), |_| C32::new(rnd(&mut s), rnd(&mut s)));
        let x = Array2::from_shape_fn((b, l), |_| {
            C32::new(
                rnd(&mut s).signum() * std::f32::consts::FRAC_1_SQRT_2,
                rnd(&mut s).signum() * std::f32::consts::FRAC_1_SQRT_2,
            )
        });
        let mut y = Array2::zeros((b, r));
        let amp = (s2 / 2.0).sqrt() * 3.4641; // uniform(−0.5, 0.5)·√12 has unit variance
        for m in 0..b {
            let hm = h.index_axis(ndarray::Axis(0), m);
            let ym: Array1<C32> = hm.dot(&x.row(m));
            for i in 0..r {
                y[[m, i]] = ym[i] + C32::new(rnd(&mut s) * amp, rnd(&mut s) * amp);
            }
        }
        (h, y, x, vec![s2; b])
    }

    #[test]
    fn noiseless_zf_recovers_the_symbols() {
        let (b, r, l) = (17, 16, 4);
        let (h, y, x0, nv) = setup(b, r, l, 0.0, 1);
        let mut eq = LinearEqualizer::new(r, l, b).unwrap();
        let (mut x, mut v) = (Array2::zeros((b, l)), Array2::zeros((b, l)));
        let rep = eq
            .process(
                y.view(),
                h.view(),
                &nv,
                EqualizerMethod::Zf,
                x.view_mut(),
                v.view_mut(),
            )
            .unwrap();
        assert_eq!(rep.erasures, 0);
        let err = (&x - &x0).iter().map(|e| e.norm()).fold(0.0f32, f32::max);
        assert!(err < 1e-4, "{err}");
        assert!(v.iter().all(|&n| n == 0.0));
    }

    #[test]
    fn mmse_beats_zf_in_post_equalisation_sinr() {
        let (b, r, l) = (64, 8, 8);
        let (h, y, _, nv) = setup(b, r, l, 0.3, 2);
        let mut eq = LinearEqualizer::new(r, l, b).unwrap();
        let (mut x, mut v_zf, mut v_mmse) = (
            Array2::zeros((b, l)),
            Array2::zeros((b, l)),
            Array2::zeros((b, l)),
        );
        eq.process(
            y.view(),
            h.view(),
            &nv,
            EqualizerMethod::Zf,
            x.view_mut(),
            v_zf.view_mut(),
        )
        .unwrap();
        eq.process(
            y.view(),
            h.view(),
            &nv,
            EqualizerMethod::Mmse { unbiased: true },
            x.view_mut(),
            v_mmse.view_mut(),
        )
        .unwrap();
        // Unbiased MMSE SINR 1/v ≥ ZF SINR 1/v on every layer (equality only at zero noise).
        for (a, z) in v_mmse.iter().zip(&v_zf) {
            assert!(
                1.0 / a >= 1.0 / z * (1.0 - 1e-4),
                "MMSE SINR {} < ZF SINR {}",
                1.0 / a,
                1.0 / z
            );
        }
    }

    #[test]
    fn singular_channels_are_erasures_and_bad_input_is_named() {
        let (b, r, l) = (3, 4, 2);
        let (mut h, y, _, nv) = setup(b, r, l, 0.1, 3);
        for i in 0..r {
            h[[1, i, 1]] = h[[1, i, 0]];
        }
        let mut eq = LinearEqualizer::new(r, l, b).unwrap();
        let (mut x, mut v) = (Array2::zeros((b, l)), Array2::zeros((b, l)));
        let rep = eq
            .process(
                y.view(),
                h.view(),
                &nv,
                EqualizerMethod::Zf,
                x.view_mut(),
                v.view_mut(),
            )
            .unwrap();
        assert_eq!(rep.erasures, 1);
        assert_eq!((x[[1, 0]], v[[1, 1]]), (C32::new(0.0, 0.0), f32::MAX));
        assert!(x.iter().all(|c| c.re.is_finite()));
        assert!(matches!(
            eq.process(
                y.view(),
                h.view(),
                &[0.1, -1.0, 0.1],
                EqualizerMethod::Zf,
                x.view_mut(),
                v.view_mut()
            ),
            Err(Error::InvalidParameter {
                name: "noise_var",
                ..
            })
        ));
        assert_eq!(
            LinearEqualizer::new(2, 4, 1).err().map(|e| e.parameter()),
            Some("layers")
        );
    }
}
