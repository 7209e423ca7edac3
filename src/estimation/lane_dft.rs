//! One DFT plan for signals held in the lanes of a [`MatrixBatch`] (`n × 1` matrices, one per
//! antenna): the kernel crate's batched [`LaneFft`] (16 antennas per butterfly) where the
//! length's prime factors are ≤ [`crate::simd::MAX_FFT_RADIX`], rustfft one signal at a time
//! otherwise (the same transform, unnormalised in both).

use std::sync::Arc;

use rustfft::{Fft, FftPlanner};

use crate::simd::{Kernels, LaneFft, MatrixBatch};
use crate::{C32, Result};

pub(crate) enum LaneDft {
    Lanes(LaneFft),
    PerSignal {
        fft: Arc<dyn Fft<f32>>,
        buf: Vec<C32>,
        scratch: Vec<C32>,
    },
}

impl LaneDft {
    /// The forward (`inverse = false`) or inverse DFT of length `n` ≥ 1.
    pub(crate) fn new(planner: &mut FftPlanner<f32>, n: usize, inverse: bool) -> Self {
        match LaneFft::new(n, inverse) {
            Ok(plan) => Self::Lanes(plan),
            Err(_) => {
                let fft = if inverse {
                    planner.plan_fft_inverse(n)
                } else {
                    planner.plan_fft_forward(n)
                };
                let scratch = vec![C32::new(0.0, 0.0); fft.get_inplace_scratch_len()];
                Self::PerSignal {
                    fft,
                    buf: vec![C32::new(0.0, 0.0); n],
                    scratch,
                }
            }
        }
    }

    /// Transforms every matrix of `x` (`n × 1`) in place; `scratch` is an `n × 1` batch.
    pub(crate) fn process(
        &mut self,
        kernels: &Kernels,
        x: &mut MatrixBatch,
        scratch: &mut MatrixBatch,
    ) -> Result<()> {
        match self {
            Self::Lanes(plan) => kernels.fft_batch(plan, x, scratch)?,
            Self::PerSignal { fft, buf, scratch } => {
                for m in 0..x.len() {
                    x.store_matrix(m, buf)?;
                    fft.process_with_scratch(buf, scratch);
                    x.load_matrix(m, buf)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both variants (a length the lane kernel takes, and 74 = 2·37, which goes to rustfft)
    /// equal the direct f64 DFT of each of 20 signals (a lane block and a ragged one).
    #[test]
    fn both_variants_equal_the_direct_dft() {
        let mut planner = FftPlanner::new();
        for (n, lanes) in [(72, true), (74, false)] {
            for inverse in [false, true] {
                let mut dft = LaneDft::new(&mut planner, n, inverse);
                assert_eq!(matches!(dft, LaneDft::Lanes(_)), lanes);
                let x = MatrixBatch::from_fn(n, 1, 20, |m, i, _| {
                    C32::new(
                        ((m * 7 + i * 3) % 11) as f32 - 5.0,
                        ((m + i * i) % 5) as f32,
                    )
                })
                .unwrap();
                let mut y = x.clone();
                let mut scratch = MatrixBatch::zeros(n, 1, 1).unwrap();
                dft.process(&Kernels::new(), &mut y, &mut scratch).unwrap();
                let sign = if inverse { 1.0 } else { -1.0 };
                for m in 0..20 {
                    for k in 0..n {
                        let mut want = num_complex::Complex64::new(0.0, 0.0);
                        for t in 0..n {
                            let a =
                                sign * 2.0 * std::f64::consts::PI * ((k * t) % n) as f64 / n as f64;
                            let v = x.get(m, t, 0).unwrap();
                            want += num_complex::Complex64::new(v.re.into(), v.im.into())
                                * num_complex::Complex64::from_polar(1.0, a);
                        }
                        let got = y.get(m, k, 0).unwrap();
                        // |x_t| ≤ 7.1, so |X_k| ≤ 7.1·n; f32 FFT error ≪ 1e-5 of that.
                        let err = (num_complex::Complex64::new(got.re.into(), got.im.into())
                            - want)
                            .norm();
                        assert!(
                            err < 1e-5 * 7.1 * n as f64,
                            "n {n} signal {m} bin {k}: {err}"
                        );
                    }
                }
            }
        }
    }
}
