//! Cache-line-aligned sample buffers for resource grids and waveforms.

use ndarray::{ArrayView2, ArrayView3, ArrayViewMut2, ArrayViewMut3, Ix2, Ix3};

use crate::simd::LineVec;
use crate::{C32, Error, Result};

/// Alignment of [`AlignedGrid`]'s first sample, in bytes: one cache line (x86, Arm).
pub const GRID_ALIGN: usize = crate::simd::LINE_BYTES;

/// Complex samples whose first element is [`GRID_ALIGN`]-byte aligned, viewed as a 2-D or 3-D
/// array (row-major, standard layout): a resource grid `[n_ant, n_sym, n_sc]`, a waveform
/// `[n_ant, n_samples]`.
///
/// Why: the allocator aligns a large `Vec<C32>` (hence an ndarray `Array3`) to 16 bytes, so
/// the 32- and 64-byte loads of the SIMD kernels straddle cache lines along every grid row. With
/// the grids on cache lines (and rows a multiple of 8 samples apart, as 12·n_prb·14 is), the
/// NR 100 MHz 64 × 16 per-PRB detection measured 11.5 → 9.8 ms and OFDM modulation 8.7 →
/// 8.1 ms on a Zen 3 (issue 16). The slot processors accept any view; this is how a caller
/// (or the simulation) gets the fast case without `unsafe`: the buffer is over-allocated by one
/// cache line and the views start at its first aligned sample.
#[derive(Clone, Debug)]
pub struct AlignedGrid {
    /// The samples on a cache line ([`LineVec`]: over-allocated by a line, 2 MiB pages asked
    /// for before the first write; a clone is aligned afresh).
    data: LineVec<C32>,
    shape: [usize; 3],
}

impl AlignedGrid {
    /// A zeroed 3-D grid `[a, b, c]`.
    pub fn zeros3(shape: [usize; 3]) -> Result<Self> {
        let len = shape
            .iter()
            .try_fold(1usize, |n, &d| n.checked_mul(d))
            .ok_or_else(|| Error::InvalidParameter {
                name: "grid shape",
                value: crate::value!("{shape:?}"),
                reason: "more samples than can be addressed",
            })?;
        let data = LineVec::zeros(len).map_err(|_| Error::InvalidParameter {
            name: "grid size",
            value: crate::error::Value::of(&len),
            reason: "more samples than can be allocated",
        })?;
        Ok(Self { data, shape })
    }

    /// A zeroed 2-D grid `[a, b]` (e.g. a waveform per antenna).
    pub fn zeros2(shape: [usize; 2]) -> Result<Self> {
        Self::zeros3([1, shape[0], shape[1]])
    }

    /// The samples, aligned, in row-major order.
    pub fn as_slice(&self) -> &[C32] {
        &self.data
    }

    /// The samples, aligned, in row-major order, writable.
    pub fn as_mut_slice(&mut self) -> &mut [C32] {
        &mut self.data
    }

    /// Row `[i, j, ..]` of a 3-D grid (`[j, ..]` of a 2-D one with i = 0): contiguous, so a
    /// slice. `None` outside the grid.
    pub fn row(&self, i: usize, j: usize) -> Option<&[C32]> {
        let [a, b, c] = self.shape;
        (i < a && j < b).then(|| &self.as_slice()[(i * b + j) * c..(i * b + j + 1) * c])
    }

    /// [`Self::row`], writable.
    pub fn row_mut(&mut self, i: usize, j: usize) -> Option<&mut [C32]> {
        let [a, b, c] = self.shape;
        (i < a && j < b).then(|| &mut self.as_mut_slice()[(i * b + j) * c..(i * b + j + 1) * c])
    }

    /// The 3-D view (a 2-D grid as `[1, a, b]`).
    pub fn view3(&self) -> ArrayView3<'_, C32> {
        let s = self.shape;
        ArrayView3::from_shape(Ix3(s[0], s[1], s[2]), self.as_slice())
            .expect("the buffer holds exactly shape's product of samples")
    }

    /// The writable 3-D view.
    pub fn view3_mut(&mut self) -> ArrayViewMut3<'_, C32> {
        let s = self.shape;
        ArrayViewMut3::from_shape(Ix3(s[0], s[1], s[2]), self.as_mut_slice())
            .expect("the buffer holds exactly shape's product of samples")
    }

    /// The 2-D view `[a·b, c]` (for a grid made by [`Self::zeros2`]: `[a, b]`).
    pub fn view2(&self) -> ArrayView2<'_, C32> {
        let s = self.shape;
        ArrayView2::from_shape(Ix2(s[0] * s[1], s[2]), self.as_slice())
            .expect("the buffer holds exactly shape's product of samples")
    }

    /// The writable 2-D view.
    pub fn view2_mut(&mut self) -> ArrayViewMut2<'_, C32> {
        let s = self.shape;
        ArrayViewMut2::from_shape(Ix2(s[0] * s[1], s[2]), self.as_mut_slice())
            .expect("the buffer holds exactly shape's product of samples")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grids_start_on_a_cache_line_and_have_their_shape() {
        for shape in [[1, 1, 1], [3, 14, 36], [64, 14, 3276], [2, 0, 5]] {
            let mut g = AlignedGrid::zeros3(shape).unwrap();
            assert_eq!(g.as_slice().as_ptr() as usize % GRID_ALIGN, 0);
            assert_eq!(g.view3().dim(), (shape[0], shape[1], shape[2]));
            assert!(g.view3().iter().all(|x| *x == C32::new(0.0, 0.0)));
            if shape[1] > 0 {
                g.view3_mut()[[shape[0] - 1, shape[1] - 1, shape[2] - 1]] = C32::new(1.0, 2.0);
                assert_eq!(*g.as_slice().last().unwrap(), C32::new(1.0, 2.0));
            }
            if shape[1] > 0 {
                let (i, j) = (shape[0] - 1, shape[1] - 1);
                assert_eq!(
                    g.row(i, j).unwrap(),
                    g.view3().slice(ndarray::s![i, j, ..]).to_slice().unwrap()
                );
                assert!(g.row(shape[0], 0).is_none() && g.row(0, shape[1]).is_none());
                g.row_mut(0, 0).unwrap()[0] = C32::new(3.0, 0.0);
                assert_eq!(g.view3()[[0, 0, 0]], C32::new(3.0, 0.0));
            }
            // Clones are aligned afresh (a clone's Vec is a new allocation).
            let c = g.clone();
            assert_eq!(c.as_slice(), g.as_slice());
            assert_eq!(c.as_slice().as_ptr() as usize % GRID_ALIGN, 0);
        }
        let w = AlignedGrid::zeros2([4, 100]).unwrap();
        assert_eq!(w.view2().dim(), (4, 100));
        assert_eq!(w.as_slice().as_ptr() as usize % GRID_ALIGN, 0);
    }

    #[test]
    fn unaddressable_shapes_are_errors() {
        assert_eq!(
            crate::error::name_of(AlignedGrid::zeros3([usize::MAX, 2, 1])),
            "grid shape"
        );
        assert_eq!(
            crate::error::name_of(AlignedGrid::zeros3([1 << 40, 1 << 20, 1])),
            "grid size"
        );
    }
}
