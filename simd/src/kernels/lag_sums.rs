//! Sums over the rows of a split-plane matrix that a channel estimator's statistics need (rows
//! = CDM blocks along frequency, columns = receive antennas):
//!
//! * lag 0 and lag 1: `Σ_i Σ_j |x_ij|²` and `Σ_i Σ_j x_{i+1,j}·conj(x_ij)`;
//! * second differences with a phase ramp removed: `Σ_{i=1}^{rows−2} Σ_j |x_{i−1,j} −
//!   r₁·x_ij + r₂·x_{i+1,j}|²` (with `r₁ = 2ρ`, `r₂ = ρ²` this is `|x_{i−1} − 2ρx_i +
//!   ρ²x_{i+1}|²`, the second difference of `x_i·ρ^i`).
//!
//! The SIMD form sums each row's columns in f32 lanes, carries the lane partials across up to
//! [`FLUSH`] rows and then adds them into f64: at most `FLUSH·⌈cols/L⌉` terms per lane in
//! f32, so the relative error of a flush is about that many units of 2⁻²⁴ (below 10⁻⁵ for 64
//! antennas), and the f64 total does not grow with the number of rows. The scalar reference
//! sums in f64 throughout. Columns past the last whole register go straight into f64.

use crate::register::SimdF32;
use crate::{C32, SplitRef};

/// Rows summed in f32 lanes before their partials are added into f64.
pub(crate) const FLUSH: usize = 16;

/// Lag-0 and lag-1 sums of a matrix's rows.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LagSums {
    /// `Σ_i Σ_j |x_ij|²` over every row.
    pub energy: f64,
    /// `Σ_{i < rows−1} Σ_j x_{i+1,j}·conj(x_ij)`, real part.
    pub lag1_re: f64,
    /// Imaginary part of the lag-1 sum.
    pub lag1_im: f64,
}

#[inline(always)]
fn f64s(v: C32) -> (f64, f64) {
    (f64::from(v.re), f64::from(v.im))
}

/// The lag sums of columns `j0..` of every row, in f64, added to `s`.
fn lag_cols(x: &SplitRef, j0: usize, s: &mut LagSums) {
    for i in 0..x.rows {
        for j in j0..x.cols {
            let (a, b) = f64s(x.at(i, j));
            s.energy += a * a + b * b;
            if i + 1 < x.rows {
                let (c, d) = f64s(x.at(i + 1, j));
                s.lag1_re += c * a + d * b;
                s.lag1_im += d * a - c * b;
            }
        }
    }
}

/// Scalar reference of [`lags`]: f64 sums.
pub(crate) fn lags_scalar(x: &SplitRef) -> LagSums {
    let mut s = LagSums::default();
    lag_cols(x, 0, &mut s);
    s
}

/// The second-difference energy of columns `j0..` in f64.
fn d2_cols(x: &SplitRef, (r1, r2): (C32, C32), j0: usize) -> f64 {
    let (r1, r2) = (f64s(r1), f64s(r2));
    let mut total = 0.0;
    for i in 1..x.rows.saturating_sub(1) {
        for j in j0..x.cols {
            let ((a, b), (c, d), (e, f)) =
                (f64s(x.at(i - 1, j)), f64s(x.at(i, j)), f64s(x.at(i + 1, j)));
            let re = a - (r1.0 * c - r1.1 * d) + (r2.0 * e - r2.1 * f);
            let im = b - (r1.0 * d + r1.1 * c) + (r2.0 * f + r2.1 * e);
            total += re * re + im * im;
        }
    }
    total
}

/// Scalar reference of [`second_difference`]: f64 sums.
pub(crate) fn second_difference_scalar(x: &SplitRef, r: (C32, C32)) -> f64 {
    d2_cols(x, r, 0)
}

/// The lanes of `v` summed in f64.
#[inline(always)]
unsafe fn lanes_f64<V: SimdF32>(v: V) -> f64 {
    let mut buf = [0.0f32; 16];
    // SAFETY: buf holds 16 ≥ V::LANES f32; the caller has V's ISA enabled.
    unsafe { v.store(buf.as_mut_ptr()) };
    buf[..V::LANES].iter().map(|&a| f64::from(a)).sum()
}

/// Independent accumulators per sum: each row's column registers go round-robin into them,
/// so the FMA chains overlap instead of waiting on each other's latency.
const CHAINS: usize = 4;

/// The lanes of `CHAINS` accumulators summed in f64.
#[inline(always)]
unsafe fn chains_f64<V: SimdF32>(acc: &[V; CHAINS]) -> f64 {
    let mut total = 0.0;
    for &a in acc {
        // SAFETY: forwarded (the caller has V's ISA enabled).
        total += unsafe { lanes_f64(a) };
    }
    total
}

/// One register of columns at offset `at` of a row: its energy into `e` and, when `next`
/// (the row stride) is given, its lag-1 product with the next row into `(pr, pi)`.
///
/// # Safety
/// V's ISA enabled; L f32 from `at` (and from `at + next`) inside both planes.
#[inline(always)]
unsafe fn lag_step<V: SimdF32>(
    (e, pr, pi): (&mut V, &mut V, &mut V),
    (re, im): (*const f32, *const f32),
    at: usize,
    next: Option<usize>,
) {
    // SAFETY: forwarded to the caller.
    unsafe {
        let (a, b) = (V::load(re.add(at)), V::load(im.add(at)));
        *e = a.mul_add(a, *e);
        *e = b.mul_add(b, *e);
        if let Some(st) = next {
            let (p, q) = (V::load(re.add(at + st)), V::load(im.add(at + st)));
            *pr = p.mul_add(a, *pr);
            *pr = q.mul_add(b, *pr);
            *pi = q.mul_add(a, *pi);
            *pi = p.neg_mul_add(b, *pi);
        }
    }
}

/// One register of columns of three consecutive rows (the first at offset `at`, the others
/// `st` apart): `|x₀ − r₁·x₁ + r₂·x₂|²` per lane into `acc`; `r = (r₁ re, r₁ im, r₂ re, r₂ im)`.
///
/// # Safety
/// V's ISA enabled; L f32 from `at`, `at + st`, `at + 2·st` inside both planes.
#[inline(always)]
unsafe fn d2_step<V: SimdF32>(
    acc: &mut V,
    (re, im): (*const f32, *const f32),
    (at, st): (usize, usize),
    (ar, ai, br, bi): (V, V, V, V),
) {
    // SAFETY: forwarded to the caller.
    unsafe {
        let (a, b) = (V::load(re.add(at)), V::load(im.add(at)));
        let (p, d) = (V::load(re.add(at + st)), V::load(im.add(at + st)));
        let (e, f) = (V::load(re.add(at + 2 * st)), V::load(im.add(at + 2 * st)));
        // x₀ − r₁·x₁ + r₂·x₂, real and imaginary parts.
        let t = ar.neg_mul_add(p, a);
        let t = ai.mul_add(d, t);
        let t = br.mul_add(e, t);
        let u = bi.neg_mul_add(f, t);
        let t = ar.neg_mul_add(d, b);
        let t = ai.neg_mul_add(p, t);
        let t = br.mul_add(f, t);
        let v = bi.mul_add(e, t);
        *acc = u.mul_add(u, *acc);
        *acc = v.mul_add(v, *acc);
    }
}

/// Lag-0 / lag-1 sums; shapes caller-checked (any rows, cols).
#[inline(always)]
pub(crate) unsafe fn lags<V: SimdF32>(x: &SplitRef) -> LagSums {
    let l = V::LANES;
    let full = x.cols / l * l;
    let (re, im, st) = (x.re.as_ptr(), x.im.as_ptr(), x.stride);
    let mut s = LagSums::default();
    // SAFETY: the caller has V's ISA enabled; rows i, i + 1 < rows and columns j + L ≤ cols
    // lie inside both planes ((rows − 1)·stride + cols values, checked by SplitRef::new).
    unsafe {
        let z = [V::splat(0.0); CHAINS];
        let (mut e, mut pr, mut pi) = (z, z, z);
        for i in 0..x.rows {
            let next = i + 1 < x.rows;
            let mut j = 0;
            while j + CHAINS * l <= full {
                for c in 0..CHAINS {
                    lag_step(
                        (&mut e[c], &mut pr[c], &mut pi[c]),
                        (re, im),
                        i * st + j + c * l,
                        next.then_some(st),
                    );
                }
                j += CHAINS * l;
            }
            while j < full {
                lag_step(
                    (&mut e[0], &mut pr[0], &mut pi[0]),
                    (re, im),
                    i * st + j,
                    next.then_some(st),
                );
                j += l;
            }
            if (i + 1) % FLUSH == 0 || i + 1 == x.rows {
                s.energy += chains_f64(&e);
                s.lag1_re += chains_f64(&pr);
                s.lag1_im += chains_f64(&pi);
                (e, pr, pi) = (z, z, z);
            }
        }
    }
    lag_cols(x, full, &mut s);
    s
}

/// Second-difference energy with factors `(r1, r2)`; shapes caller-checked.
#[inline(always)]
pub(crate) unsafe fn second_difference<V: SimdF32>(x: &SplitRef, (r1, r2): (C32, C32)) -> f64 {
    let l = V::LANES;
    let full = x.cols / l * l;
    let (re, im, st) = (x.re.as_ptr(), x.im.as_ptr(), x.stride);
    let mut total = 0.0;
    let inner = x.rows.saturating_sub(1);
    // SAFETY: as in `lags`: rows i − 1, i, i + 1 < rows, columns j + L ≤ cols.
    unsafe {
        let (ar, ai) = (V::splat(r1.re), V::splat(r1.im));
        let (br, bi) = (V::splat(r2.re), V::splat(r2.im));
        let mut acc = [V::splat(0.0); CHAINS];
        for i in 1..inner {
            let mut j = 0;
            while j + CHAINS * l <= full {
                for a in acc.iter_mut() {
                    d2_step(a, (re, im), ((i - 1) * st + j, st), (ar, ai, br, bi));
                    j += l;
                }
            }
            while j < full {
                d2_step(
                    &mut acc[0],
                    (re, im),
                    ((i - 1) * st + j, st),
                    (ar, ai, br, bi),
                );
                j += l;
            }
            if i % FLUSH == 0 || i + 1 == inner {
                total += chains_f64(&acc);
                acc = [V::splat(0.0); CHAINS];
            }
        }
    }
    total + d2_cols(x, (r1, r2), full)
}
