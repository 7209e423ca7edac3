//! Cache-line hints spread over a kernel's steps: a kernel requests, a few lines at a time
//! between its own steps, the memory its caller will read next (the next OFDM symbol's input,
//! say), so that the caller's next pass reads it from the cache instead of waiting on memory.
//! Issued in one burst they stall the core as long as the reads themselves (every line-fill
//! buffer taken); spread out they overlap the kernel's own work.

use crate::C32;
use crate::register::SimdF32;

/// Bytes per cache line (every current x86 and Arm core the backends target).
const LINE: usize = 64;

/// A cursor over regions of memory, issuing `per_step` line hints per [`LineHints::step`]
/// until every line of every region has been requested.
pub(crate) struct LineHints<'a> {
    regions: &'a [&'a [C32]],
    /// Index of the region after the current one.
    region: usize,
    /// The current region's first line (wrapping arithmetic: it may begin before the region),
    /// the offset of its next line and the bytes its lines span.
    base: *const u8,
    offset: usize,
    span: usize,
    per_step: usize,
    /// Lines of all the regions.
    lines: usize,
}

impl<'a> LineHints<'a> {
    /// Hints for every line of `regions`, spread evenly over `steps` calls of
    /// [`LineHints::step`] (⌈lines/steps⌉ per step; fewer calls leave the tail unrequested).
    pub(crate) fn new(regions: &'a [&'a [C32]], steps: usize) -> Self {
        let lines: usize = regions
            .iter()
            .filter(|r| !r.is_empty())
            .map(|r| (r.as_ptr() as usize % LINE + size_of_val(*r)).div_ceil(LINE))
            .sum();
        Self {
            regions,
            region: 0,
            base: core::ptr::null(),
            offset: 0,
            span: 0,
            per_step: lines.div_ceil(steps.max(1)),
            lines,
        }
    }

    /// Steps that request lines: the first ⌈lines/per_step⌉ (0 without lines). A kernel runs
    /// its first that many iterations with [`LineHints::step`] and the rest without, so that
    /// the hints cost nothing once done.
    pub(crate) fn hinted_steps(&self) -> usize {
        if self.per_step == 0 {
            0
        } else {
            self.lines.div_ceil(self.per_step)
        }
    }

    /// Requests the next `per_step` lines (nothing once all are requested).
    ///
    /// # Safety
    /// V's ISA must be enabled.
    #[inline(always)]
    pub(crate) unsafe fn step<V: SimdF32>(&mut self) {
        for _ in 0..self.per_step {
            let Some(p) = self.next_line() else {
                return;
            };
            // SAFETY: a prefetch is a hint and never faults.
            unsafe { V::prefetch(p.cast()) };
        }
    }

    /// [`LineHints::step`] into the L2 only ([`SimdF32::prefetch_l2`]): for regions the size
    /// of the L1 or more, which the kernel's own working set must not be evicted by.
    ///
    /// # Safety
    /// V's ISA must be enabled.
    #[inline(always)]
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    pub(crate) unsafe fn step_l2<V: SimdF32>(&mut self) {
        for _ in 0..self.per_step {
            let Some(p) = self.next_line() else {
                return;
            };
            // SAFETY: a prefetch is a hint and never faults.
            unsafe { V::prefetch_l2(p.cast()) };
        }
    }

    /// The start of the next line to request, or `None` when all are requested.
    #[inline(always)]
    fn next_line(&mut self) -> Option<*const u8> {
        while self.offset >= self.span {
            let r = self.regions.get(self.region)?;
            self.region += 1;
            let head = r.as_ptr() as usize % LINE;
            self.base = (r.as_ptr() as *const u8).wrapping_sub(head);
            self.offset = 0;
            self.span = if r.is_empty() {
                0
            } else {
                head + size_of_val(*r)
            };
        }
        let p = self.base.wrapping_add(self.offset);
        self.offset += LINE;
        Some(p)
    }
}

/// Requests every line that holds one of the `bytes` bytes from `start` into the L2 cache
/// ([`SimdF32::prefetch_l2`]), in one burst: for a region of a few KiB that the caller reads
/// or writes after the work it does next.
///
/// # Safety
/// V's ISA must be enabled. (The addresses are only prefetched, never dereferenced: any
/// `start` and `bytes` are sound.)
#[inline(always)]
pub(crate) unsafe fn request_l2<V: SimdF32>(start: *const u8, bytes: usize) {
    for p in lines(start, bytes) {
        // SAFETY: a prefetch is a hint and never faults.
        unsafe { V::prefetch_l2(p.cast()) };
    }
}

/// The start of every line holding one of the `bytes` bytes from `start`, in order (the
/// lines [`LineHints`] walks for a region; its hot loop keeps its own copy of the arithmetic,
/// which the tests hold equal to this one — sharing it changed the OFDM FFT's code).
#[inline(always)]
fn lines(start: *const u8, bytes: usize) -> impl Iterator<Item = *const u8> {
    let head = start as usize % LINE;
    let span = if bytes == 0 { 0 } else { head + bytes };
    let base = start.wrapping_sub(head);
    (0..span).step_by(LINE).map(move |o| base.wrapping_add(o))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line that holds a byte of a region is requested once, in order, whatever the
    /// regions' alignment; spread over `steps` with at least one line per step.
    #[test]
    fn every_line_of_every_region_is_requested_once() {
        let buf = vec![C32::new(0.0, 0.0); 200];
        for (a, b, c) in [(0, 16, 40), (1, 9, 3), (7, 8, 0), (3, 200, 200)] {
            let regions: [&[C32]; 3] = [&buf[a..b], &buf[b..b], &buf[c.min(b)..]];
            let mut want = Vec::new();
            for r in regions.iter().filter(|r| !r.is_empty()) {
                let first = r.as_ptr() as usize / LINE;
                let last = (r.as_ptr() as usize + size_of_val(*r) - 1) / LINE;
                want.extend((first..=last).map(|l| l * LINE));
            }
            for steps in [1, 3, 1000] {
                let mut h = LineHints::new(&regions, steps);
                assert_eq!(h.per_step, want.len().div_ceil(steps));
                // The hinted steps request every line, the last of them at least one.
                let hs = h.hinted_steps();
                assert!(hs <= steps && hs * h.per_step >= want.len());
                assert!(want.is_empty() || (hs - 1) * h.per_step < want.len());
                let got: Vec<usize> = std::iter::from_fn(|| h.next_line())
                    .map(|p| p as usize)
                    .collect();
                assert_eq!(got, want, "regions {a}..{b}, {b}..{b}, {c}..");
                assert!(h.per_step * steps >= want.len());
            }
        }
        let mut none = LineHints::new(&[], 4);
        assert!(none.next_line().is_none());
    }

    /// A burst ([`request_l2`]) requests the same lines as a cursor over its one region, for
    /// any element type's bytes: every line holding one of them, once, in order.
    #[test]
    fn a_burst_requests_every_line_of_its_bytes_once() {
        let buf = vec![C32::new(0.0, 0.0); 200];
        for (a, b) in [(0, 16), (1, 9), (7, 8), (3, 200), (5, 5)] {
            let region = &buf[a..b];
            let mut h = LineHints::new(core::slice::from_ref(&region), 1);
            let want: Vec<usize> = std::iter::from_fn(|| h.next_line())
                .map(|p| p as usize)
                .collect();
            let got: Vec<usize> = lines(region.as_ptr().cast(), size_of_val(region))
                .map(|p| p as usize)
                .collect();
            assert_eq!(got, want, "{a}..{b}");
            // As f32: the same bytes, the same lines.
            let floats: Vec<f32> = Vec::with_capacity(2 * (b - a) + 16);
            let at = floats.as_ptr() as usize;
            let f32_lines: Vec<usize> = lines(floats.as_ptr().cast(), 4 * 2 * (b - a))
                .map(|p| p as usize)
                .collect();
            let first = at / LINE * LINE;
            let n = if a == b {
                0
            } else {
                (at % LINE + 8 * (b - a)).div_ceil(LINE)
            };
            assert_eq!(
                f32_lines,
                (0..n).map(|i| first + i * LINE).collect::<Vec<_>>()
            );
        }
    }
}
