//! Element-wise complex kernels on interleaved `C32` slices: dot product (plain and conjugate),
//! axpy and element-wise multiply (plain and by the conjugate), and the streaming forms of the
//! multiply and a copy (non-temporal stores for outputs too large to stay in cache).
//!
//! SIMD form: a register holds `LANES/2` interleaved complex values. With `dup_re(b)` and
//! `dup_im(b)` (real/imaginary parts duplicated into each pair) and `swap_re_im(a)`, the product
//! `a·b` is `mul_addsub(a, dup_re(b), swap(a)·dup_im(b))` and `a·conj(b)` the `mul_subadd` form;
//! no per-element shuffles beyond those three.

use super::hints::LineHints;
use super::screen::{ScreenBits, merge_lanes, screen_scalar};
use crate::C32;
use crate::kernels::sum_even_odd;
use crate::register::SimdF32;

/// Scalar references.
pub(crate) mod scalar {
    use crate::C32;

    /// Σ a·b (or Σ conj(a)·b when `conj`).
    pub(crate) fn dot(a: &[C32], b: &[C32], conj: bool) -> C32 {
        a.iter().zip(b).fold(C32::new(0.0, 0.0), |s, (x, y)| {
            s + if conj { x.conj() * y } else { x * y }
        })
    }

    /// y ← y + α·x.
    pub(crate) fn axpy(alpha: C32, x: &[C32], y: &mut [C32]) {
        for (yi, xi) in y.iter_mut().zip(x) {
            *yi += alpha * xi;
        }
    }

    /// out ← α·x.
    pub(crate) fn scale(alpha: C32, x: &[C32], out: &mut [C32]) {
        for (o, xi) in out.iter_mut().zip(x) {
            *o = alpha * xi;
        }
    }

    /// out ← a ⊙ b (or a ⊙ conj(b) when `conj`).
    pub(crate) fn mul(a: &[C32], b: &[C32], out: &mut [C32], conj: bool) {
        for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
            *o = if conj { x * y.conj() } else { x * y };
        }
    }
}

/// Σ a·b, or Σ conj(a)·b when `CONJ`. `a.len() == b.len()`.
#[inline(always)]
pub(crate) unsafe fn dot<V: SimdF32, const CONJ: bool>(a: &[C32], b: &[C32]) -> C32 {
    let n = a.len().min(b.len());
    let step = V::LANES / 2;
    let pa = a.as_ptr() as *const f32;
    let pb = b.as_ptr() as *const f32;
    // SAFETY: C32 is #[repr(C)] {re, im}, so the slices are 2n readable f32; every load below
    // reads LANES f32 starting at complex index i with i + step ≤ n. The caller has V's ISA.
    let (s1, s2, done) = unsafe {
        let z = V::splat(0.0);
        let (mut x1, mut x2, mut y1, mut y2) = (z, z, z, z);
        let mut i = 0;
        while i + 2 * step <= n {
            let va = V::load(pa.add(2 * i));
            let vb = V::load(pb.add(2 * i));
            let wa = V::load(pa.add(2 * (i + step)));
            let wb = V::load(pb.add(2 * (i + step)));
            x1 = va.mul_add(vb.dup_re(), x1);
            x2 = va.mul_add(vb.dup_im(), x2);
            y1 = wa.mul_add(wb.dup_re(), y1);
            y2 = wa.mul_add(wb.dup_im(), y2);
            i += 2 * step;
        }
        if i + step <= n {
            let va = V::load(pa.add(2 * i));
            let vb = V::load(pb.add(2 * i));
            x1 = va.mul_add(vb.dup_re(), x1);
            x2 = va.mul_add(vb.dup_im(), x2);
            i += step;
        }
        (sum_even_odd(x1.add(y1)), sum_even_odd(x2.add(y2)), i)
    };
    // s1 = Σ (ar·br, ai·br), s2 = Σ (ar·bi, ai·bi) over the pairs.
    let ((e1, o1), (e2, o2)) = (s1, s2);
    let head = if CONJ {
        C32::new(e1 + o2, e2 - o1)
    } else {
        C32::new(e1 - o2, e2 + o1)
    };
    head + scalar::dot(&a[done..n], &b[done..n], CONJ)
}

/// y ← y + α·x. `x.len() == y.len()`.
#[inline(always)]
pub(crate) unsafe fn axpy<V: SimdF32>(alpha: C32, x: &[C32], y: &mut [C32]) {
    let n = x.len().min(y.len());
    let step = V::LANES / 2;
    let px = x.as_ptr() as *const f32;
    let py = y.as_mut_ptr() as *mut f32;
    let mut alt = [0.0f32; 16];
    for pair in alt.chunks_exact_mut(2) {
        pair[0] = -alpha.im;
        pair[1] = alpha.im;
    }
    let mut i = 0;
    // SAFETY: 2n f32 readable at px and writable at py (C32 is repr(C)); each access covers
    // complex indices i..i+step ≤ n; `alt` holds 16 ≥ LANES f32. The caller has V's ISA.
    unsafe {
        let ar = V::splat(alpha.re);
        let ai = V::load(alt.as_ptr());
        while i + step <= n {
            let vx = V::load(px.add(2 * i));
            let mut vy = V::load(py.add(2 * i));
            vy = vx.mul_add(ar, vy);
            vy = vx.swap_re_im().mul_add(ai, vy);
            vy.store(py.add(2 * i));
            i += step;
        }
    }
    scalar::axpy(alpha, &x[i..n], &mut y[i..n]);
}

/// out ← α·x (`mul_addsub` with the real part splatted, the swapped pairs times the imaginary
/// part). `x.len() == out.len()`.
#[inline(always)]
pub(crate) unsafe fn scale<V: SimdF32>(alpha: C32, x: &[C32], out: &mut [C32]) {
    let n = x.len().min(out.len());
    let step = V::LANES / 2;
    let px = x.as_ptr() as *const f32;
    let po = out.as_mut_ptr() as *mut f32;
    let mut i = 0;
    // SAFETY: 2n f32 readable at px and writable at po (C32 is repr(C)); each access covers
    // complex indices i..i+step ≤ n. The caller has V's ISA.
    unsafe {
        let (ar, ai) = (V::splat(alpha.re), V::splat(alpha.im));
        while i + step <= n {
            let v = V::load(px.add(2 * i));
            v.mul_addsub(ar, v.swap_re_im().mul(ai))
                .store(po.add(2 * i));
            i += step;
        }
    }
    scalar::scale(alpha, &x[i..n], &mut out[i..n]);
}

/// Elements of `out` (n long) before the first that starts on a boundary of `V`'s size, where
/// a streaming store may begin: all n when `out` is not 8-byte aligned (no element starts on a
/// boundary then).
#[inline(always)]
pub(crate) fn stream_head<V: SimdF32>(out: *const C32, n: usize) -> usize {
    let bytes = 4 * V::LANES;
    let at = out as usize;
    if !at.is_multiple_of(8) {
        return n;
    }
    ((bytes - at % bytes) % bytes / 8).min(n)
}

/// `a ⊙ b` (or `a ⊙ conj(b)`) of one register: the lane arithmetic of [`mul`].
#[inline(always)]
unsafe fn mul_register<V: SimdF32, const CONJ: bool>(va: V, vb: V) -> V {
    // SAFETY: the caller has V's ISA.
    unsafe {
        let t = va.swap_re_im().mul(vb.dup_im());
        if CONJ {
            va.mul_subadd(vb.dup_re(), t)
        } else {
            va.mul_addsub(vb.dup_re(), t)
        }
    }
}

/// [`mul`] of fewer than `V::LANES / 2` elements through one zero-padded register, so they get
/// the same lane arithmetic (and rounding) as the full registers.
#[inline(always)]
unsafe fn mul_padded<V: SimdF32, const CONJ: bool>(a: &[C32], b: &[C32], out: &mut [C32]) {
    let n = out.len();
    let (mut ta, mut tb, mut to) = (
        [C32::new(0.0, 0.0); 8],
        [C32::new(0.0, 0.0); 8],
        [C32::new(0.0, 0.0); 8],
    );
    ta[..n].copy_from_slice(&a[..n]);
    tb[..n].copy_from_slice(&b[..n]);
    // SAFETY: each array holds 16 ≥ V::LANES f32; the caller has V's ISA and n < LANES/2 ≤ 8.
    unsafe {
        let r = mul_register::<V, CONJ>(
            V::load(ta.as_ptr() as *const f32),
            V::load(tb.as_ptr() as *const f32),
        );
        r.store(to.as_mut_ptr() as *mut f32);
    }
    out.copy_from_slice(&to[..n]);
}

/// out ← a ⊙ b, or a ⊙ conj(b) when `CONJ`. All three of one length. Every element gets the
/// same register arithmetic (a ragged head or tail through one padded register), so the result
/// does not depend on where `out` starts or on `STREAM`. `STREAM`: the full registers from the
/// first `V`-aligned element of `out` on are written past the caches
/// ([`SimdF32::store_stream`]) and, with `FENCE`, fenced before returning (without it the
/// caller fences once for many calls). `SCREEN`: also returns the
/// [`ScreenBits`] of the products written, with `out[0]` as the reference (what
/// [`crate::Kernels::screen_bits`]`(out, out[0])` returns afterwards, without reading `out`
/// again); without it the default.
#[inline(always)]
pub(crate) unsafe fn mul<
    V: SimdF32,
    const CONJ: bool,
    const STREAM: bool,
    const SCREEN: bool,
    const FENCE: bool,
>(
    a: &[C32],
    b: &[C32],
    out: &mut [C32],
) -> ScreenBits {
    let n = a.len().min(b.len()).min(out.len());
    let step = V::LANES / 2;
    let head = if STREAM {
        stream_head::<V>(out.as_ptr(), n)
    } else {
        0
    };
    // The reference sample: the first product, from the same padded-register arithmetic as
    // the head and tail (so it equals `out[0]` bit for bit).
    let mut first = C32::new(0.0, 0.0);
    if SCREEN && n > 0 {
        // SAFETY: forwarded (V's ISA); one element.
        unsafe { mul_padded::<V, CONJ>(&a[..1], &b[..1], core::slice::from_mut(&mut first)) };
    }
    let mut i = 0;
    while i < head {
        let e = (i + step).min(head);
        // SAFETY: forwarded (V's ISA); e − i < step.
        unsafe { mul_padded::<V, CONJ>(&a[i..e], &b[i..e], &mut out[i..e]) };
        i = e;
    }
    let mut bits = if SCREEN {
        screen_scalar(&out[..head], first)
    } else {
        ScreenBits::default()
    };
    let pa = a.as_ptr() as *const f32;
    let pb = b.as_ptr() as *const f32;
    let po = out.as_mut_ptr() as *mut f32;
    // SAFETY: as in `axpy`: every access covers complex indices i..i+step ≤ n of slices that are
    // n long; `out` is a distinct &mut slice. With STREAM, i ≥ head: po + 2i is on a boundary of
    // V's size (stream_head), and so is every later step. The caller has V's ISA.
    unsafe {
        let refs = [first; 8];
        let reference = V::load(refs.as_ptr().cast::<f32>());
        let (mut max, mut differ) = (V::splat(0.0), V::splat(0.0));
        while i + step <= n {
            let r = mul_register::<V, CONJ>(V::load(pa.add(2 * i)), V::load(pb.add(2 * i)));
            if STREAM {
                r.store_stream(po.add(2 * i));
            } else {
                r.store(po.add(2 * i));
            }
            if SCREEN {
                r.screen_fold(reference, &mut max, &mut differ);
            }
            i += step;
        }
        if STREAM && FENCE {
            V::stream_fence();
        }
        if SCREEN {
            bits = merge_lanes(bits, max, differ, first);
        }
        if i < n {
            mul_padded::<V, CONJ>(&a[i..n], &b[i..n], &mut out[i..n]);
            if SCREEN {
                bits = bits.merge(screen_scalar(&out[i..n], first), first, first);
            }
        }
    }
    bits
}

/// out ← x, the full registers from the first `V`-aligned element of `out` on written past the
/// caches ([`SimdF32::store_stream`]) and, with `FENCE`, fenced before returning; the rest
/// copied plainly; the lines of `next` requested into the cache, spread over the copy.
/// `x.len() == out.len()`.
#[inline(always)]
pub(crate) unsafe fn copy_stream<V: SimdF32, const FENCE: bool>(
    x: &[C32],
    out: &mut [C32],
    next: &[&[C32]],
) {
    let n = x.len().min(out.len());
    let step = V::LANES / 2;
    let head = stream_head::<V>(out.as_ptr(), n);
    out[..head].copy_from_slice(&x[..head]);
    let mut i = head;
    let px = x.as_ptr() as *const f32;
    let po = out.as_mut_ptr() as *mut f32;
    let iters = (n - head) / step;
    let mut hints = LineHints::new(next, iters);
    let hinted_end = head + hints.hinted_steps().min(iters) * step;
    // SAFETY: every access covers complex indices i..i+step ≤ n of two n-long slices; i ≥ head,
    // so po + 2i is on a boundary of V's size and stays so. The caller has V's ISA.
    unsafe {
        while i < hinted_end {
            V::load(px.add(2 * i)).store_stream(po.add(2 * i));
            hints.step::<V>();
            i += step;
        }
        while i + step <= n {
            V::load(px.add(2 * i)).store_stream(po.add(2 * i));
            i += step;
        }
        if FENCE {
            V::stream_fence();
        }
    }
    out[i..n].copy_from_slice(&x[i..n]);
}
