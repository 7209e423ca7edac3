//! Bit LLRs of one axis of a Gray-coded square QAM: the soft demapper's kernel.
//!
//! A 38.211 §5.1 constellation is a product of two PAMs, and a bit's LLR depends on one axis
//! only. For `n` coordinates `y_s` with `inv_s = 1/σ²_s`, `2^m` levels `a_j` (bit k of level j
//! is bit m−1−k of j) and distances `d_js = (y_s − a_j)²`:
//!
//! * max-log: `L_ks = (min_{j: b_k=1} d_js − min_{j: b_k=0} d_js)·inv_s`, with y clamped to
//!   ±64× the largest level ([`clamp_bound`]: huge inputs give saturated LLRs of the right sign,
//!   never NaN);
//! * exact: max-log `+ ln Σ_{b_k=0} e^{−(d_js − d⁰_ks)·inv_s} − ln Σ_{b_k=1} e^{−(d_js − d¹_ks)·inv_s}`,
//!   each sum relative to its class minimum so both are ≥ 1 (no underflow at any σ²).
//!
//! Output is bit-major: `out[k·n + s]`. The SIMD version runs the symbols in the lanes with a
//! branch-free exp (range reduction + degree-6 polynomial, 2ⁿ in the exponent bits) and ln
//! (exponent/mantissa split + atanh series); both are within 3·10⁻⁷ relative.

use crate::register::SimdF32;

/// Scalar reference (f64 exp/ln) for symbols `from..n`.
pub(crate) fn scalar_from(
    y: &[f32],
    inv: &[f32],
    levels: &[f32],
    exact: bool,
    out: &mut [f32],
    from: usize,
) {
    let n = y.len();
    let m = levels.len().trailing_zeros() as usize;
    let bound = clamp_bound(levels);
    for s in from..n {
        let ys = y[s].clamp(-bound, bound); // NaN stays NaN
        let d = |a: f32| f64::from((ys - a) * (ys - a));
        for k in 0..m {
            let class = |j: usize| (j >> (m - 1 - k)) & 1;
            let (mut d0, mut d1) = (f64::INFINITY, f64::INFINITY);
            for (j, &a) in levels.iter().enumerate() {
                if class(j) == 0 {
                    d0 = d0.min(d(a));
                } else {
                    d1 = d1.min(d(a));
                }
            }
            let iv = f64::from(inv[s]);
            let mut l = (d1 - d0) * iv;
            if exact {
                let (mut s0, mut s1) = (0.0f64, 0.0f64);
                for (j, &a) in levels.iter().enumerate() {
                    if class(j) == 0 {
                        s0 += ((d0 - d(a)) * iv).exp();
                    } else {
                        s1 += ((d1 - d(a)) * iv).exp();
                    }
                }
                l += s0.ln() - s1.ln();
            }
            out[k * n + s] = l as f32;
        }
    }
}

/// Inputs are clamped to ±64·(largest |level|): 64× outside the constellation the LLRs are
/// saturated far beyond any decoder's range anyway, and in f32 `(y − a)²` of a larger |y| no
/// longer tells the levels apart (issue 21: |y| ≥ 1e18 gave all-zero, ≥ 1e20 NaN LLRs).
pub(crate) fn clamp_bound(levels: &[f32]) -> f32 {
    let a = levels.iter().fold(0.0f32, |m, l| m.max(l.abs()));
    if a > 0.0 && a.is_finite() {
        64.0 * a
    } else {
        1.0
    }
}

/// `e^x` for x ≤ 0, clamped at −80.
#[inline(always)]
unsafe fn exp_nonpositive<V: SimdF32>(x: V) -> V {
    // SAFETY: V's ISA is enabled by the caller.
    unsafe {
        let z = V::splat(0.0);
        let x = z.sub(z.sub(x).min(V::splat(80.0)));
        let round = V::splat(12_582_912.0); // 1.5·2²³: adding and subtracting rounds to nearest
        let n = x
            .mul_add(V::splat(std::f32::consts::LOG2_E), round)
            .sub(round);
        let r = n.neg_mul_add(V::splat(0.693_145_75), x);
        let r = n.neg_mul_add(V::splat(1.428_606_8e-6), r);
        let mut p = V::splat(1.0 / 720.0);
        for c in [1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0] {
            p = p.mul_add(r, V::splat(c));
        }
        p.mul(n.exp2_int())
    }
}

/// `ln x` for x ≥ 1 (normal).
#[inline(always)]
unsafe fn ln_ge1<V: SimdF32>(x: V) -> V {
    // SAFETY: V's ISA is enabled by the caller.
    unsafe {
        let (e, f) = x.exponent_mantissa();
        let one = V::splat(1.0);
        let zz = f.sub(one).div(f.add(one)); // ∈ [0, 1/3)
        let z2 = zz.mul(zz);
        let mut p = V::splat(1.0 / 11.0);
        for c in [1.0 / 9.0, 1.0 / 7.0, 1.0 / 5.0, 1.0 / 3.0, 1.0] {
            p = p.mul_add(z2, V::splat(c));
        }
        e.mul_add(
            V::splat(std::f32::consts::LN_2),
            V::splat(2.0).mul(zz).mul(p),
        )
    }
}

/// SIMD version; the last `n mod LANES` symbols go through the scalar reference.
///
/// # Safety
/// V's ISA must be enabled; `inv.len() == y.len()`, `out.len() == m·y.len()`, levels a power of
/// two ≤ 32 long (caller-checked).
#[inline(always)]
pub(crate) unsafe fn simd<V: SimdF32>(
    y: &[f32],
    inv: &[f32],
    levels: &[f32],
    exact: bool,
    out: &mut [f32],
) {
    // SAFETY: forwarded; the bit count is a compile-time constant in each arm so the level and
    // bit loops unroll and the per-bit minima and sums live in registers.
    let done = unsafe {
        match (levels.len().trailing_zeros(), exact) {
            (1, false) => lanes::<V, 1, false>(y, inv, levels, out),
            (2, false) => lanes::<V, 2, false>(y, inv, levels, out),
            (3, false) => lanes::<V, 3, false>(y, inv, levels, out),
            (4, false) => lanes::<V, 4, false>(y, inv, levels, out),
            (5, false) => lanes::<V, 5, false>(y, inv, levels, out),
            (1, true) => lanes::<V, 1, true>(y, inv, levels, out),
            (2, true) => lanes::<V, 2, true>(y, inv, levels, out),
            (3, true) => lanes::<V, 3, true>(y, inv, levels, out),
            (4, true) => lanes::<V, 4, true>(y, inv, levels, out),
            (5, true) => lanes::<V, 5, true>(y, inv, levels, out),
            _ => 0,
        }
    };
    scalar_from(y, inv, levels, exact, out, done);
}

/// Whole registers of symbols for M bits per axis; returns the first symbol not done.
#[inline(always)]
unsafe fn lanes<V: SimdF32, const M: usize, const EXACT: bool>(
    y: &[f32],
    inv: &[f32],
    levels: &[f32],
    out: &mut [f32],
) -> usize {
    let n = y.len();
    let (py, pi, po) = (y.as_ptr(), inv.as_ptr(), out.as_mut_ptr());
    let mut s = 0;
    // SAFETY: loads read lanes s..s+LANES ≤ n of y and inv; stores write out[k·n + s ..+LANES]
    // with k < M, inside out (M·n long); levels has 2^M entries (caller-checked).
    unsafe {
        let inf = V::splat(f32::INFINITY);
        let z = V::splat(0.0);
        let bound = V::splat(clamp_bound(levels));
        while s + V::LANES <= n {
            // Clamp to ±bound with NaN kept (x86 `min` returns its second operand when one is
            // NaN, NEON propagates NaN): min(b, y), then max(·, −b) = −min(b, −·).
            let yv = bound.min(V::load(py.add(s)));
            let yv = z.sub(bound.min(z.sub(yv)));
            let iv = V::load(pi.add(s));
            let mut min0 = [inf; M];
            let mut min1 = [inf; M];
            for j in 0..1usize << M {
                let t = yv.sub(V::splat(*levels.get_unchecked(j)));
                let d = t.mul(t);
                for k in 0..M {
                    if (j >> (M - 1 - k)) & 1 == 0 {
                        min0[k] = d.min(min0[k]);
                    } else {
                        min1[k] = d.min(min1[k]);
                    }
                }
            }
            let mut llr = [z; M];
            for k in 0..M {
                llr[k] = min1[k].sub(min0[k]).mul(iv);
            }
            if EXACT {
                let mut s0 = [z; M];
                let mut s1 = [z; M];
                for j in 0..1usize << M {
                    let t = yv.sub(V::splat(*levels.get_unchecked(j)));
                    let d = t.mul(t);
                    for k in 0..M {
                        if (j >> (M - 1 - k)) & 1 == 0 {
                            s0[k] = s0[k].add(exp_nonpositive(min0[k].sub(d).mul(iv)));
                        } else {
                            s1[k] = s1[k].add(exp_nonpositive(min1[k].sub(d).mul(iv)));
                        }
                    }
                }
                for k in 0..M {
                    llr[k] = llr[k].add(ln_ge1(s0[k]).sub(ln_ge1(s1[k])));
                }
            }
            for (k, l) in llr.iter().enumerate() {
                l.store(po.add(k * n + s));
            }
            s += V::LANES;
        }
    }
    s
}
