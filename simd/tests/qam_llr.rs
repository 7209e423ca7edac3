//! The closed-form max-log QAM demapper (`Kernels::qam_llr_maxlog`, `_i8`): the scalar
//! reference against an independent f64 brute force over the levels (the definition), every
//! SIMD backend against the scalar reference bit for bit, erasures, huge inputs and the int8
//! rounding and saturation.

mod common;

use common::*;
use massive_mimo_simd::{C32, Kernels, MIN_NOISE_VAR, SimdError};
use proptest::prelude::*;
use rand::Rng;

/// Level `j` of a 2^m-level Gray axis in units: bit k (k = 0 first) of its label is bit
/// m−1−k of the Gray code, built from the nested form of 38.211 §5.1:
/// x = (1−2b₀)(2^{m−1} − (1−2b₁)(2^{m−2} − …)).
fn axis_points(m: usize) -> Vec<(f64, Vec<u8>)> {
    (0..1usize << m)
        .map(|label| {
            let bits: Vec<u8> = (0..m).map(|k| ((label >> (m - 1 - k)) & 1) as u8).collect();
            let mut x = 1.0f64;
            for k in (1..m).rev() {
                x = (1u32 << (m - k)) as f64 - (1.0 - 2.0 * f64::from(bits[k])) * x;
            }
            x *= 1.0 - 2.0 * f64::from(bits[0]);
            (x, bits)
        })
        .collect()
}

/// The definition in f64: per axis, (min over b=1 − min over b=0) of (y − a·x)²/σ².
fn brute(m: usize, unit: f64, y: C32, nv: f32) -> Vec<f64> {
    let pts = axis_points(m);
    let nv = f64::from(nv.max(MIN_NOISE_VAR));
    let mut out = vec![0.0; 2 * m];
    for (axis, v) in [f64::from(y.re), f64::from(y.im)].into_iter().enumerate() {
        let v = v.clamp(
            -64.0 * unit * ((1 << m) - 1) as f64,
            64.0 * unit * ((1 << m) - 1) as f64,
        );
        for k in 0..m {
            let (mut d0, mut d1) = (f64::INFINITY, f64::INFINITY);
            for (x, bits) in &pts {
                let d = (v - unit * x).powi(2) / nv;
                if bits[k] == 0 {
                    d0 = d0.min(d);
                } else {
                    d1 = d1.min(d);
                }
            }
            out[2 * k + axis] = d1 - d0;
        }
    }
    out
}

fn units() -> [f32; 5] {
    // 38.211 §5.1 units of QPSK … 1024QAM: 1/√2, 1/√10, 1/√42, 1/√170, 1/√682.
    [2.0f32, 10.0, 42.0, 170.0, 682.0].map(|d| 1.0 / d.sqrt())
}

fn symbols(r: &mut rand_chacha::ChaCha8Rng, n: usize, m: usize) -> Vec<C32> {
    // Up to 1.3 × the outermost level, so every segment of the piecewise-linear LLR is hit.
    let reach = 1.3 * units()[m - 1] * ((1 << m) - 1) as f32;
    (0..n)
        .map(|_| C32::new(r.gen_range(-reach..reach), r.gen_range(-reach..reach)))
        .collect()
}

/// The scalar reference is the max-log LLR: within f32 rounding of the brute force. The
/// closed form evaluates g = (c + 1)(u − c) with u = |y|/a (≤ 1.3·2^m here) folded ≤ m times:
/// at most m + 2 roundings of size 2⁻²⁴·2^m·1.3 in u, times the slope c + 1 ≤ 2^{m−1}, then
/// two relative roundings of g·w — below 8·2⁻²⁴·2^{2m}·w + 2⁻²²·|LLR| ≤ 5·10⁻⁷·2^{2m}·w +
/// 2.4·10⁻⁷·|LLR| for m ≤ 5; the test allows 1e-6 of each.
#[test]
fn scalar_reference_is_the_max_log_llr() {
    let k = scalar();
    let mut r = rng(11);
    for m in 1..=5usize {
        let unit = units()[m - 1];
        let n = 500;
        let y = symbols(&mut r, n, m);
        let nv: Vec<f32> = (0..n).map(|_| 10f32.powf(r.gen_range(-3.0..0.5))).collect();
        let mut got = vec![0.0f32; 2 * m * n];
        k.qam_llr_maxlog(&y, &nv, m as u32, unit, &mut got).unwrap();
        for s in 0..n {
            let want = brute(m, f64::from(unit), y[s], nv[s]);
            let w = 4.0 * f64::from(unit).powi(2) / f64::from(nv[s]);
            for (i, &x) in want.iter().enumerate() {
                let g = f64::from(got[s * 2 * m + i]);
                let tol = 1e-6 * (x.abs() + w * (1u64 << (2 * m)) as f64);
                assert!(
                    (g - x).abs() <= tol,
                    "m={m} symbol {s} bit {i}: {g} vs {x} (y = {}, σ² = {})",
                    y[s],
                    nv[s]
                );
            }
        }
    }
}

/// The int8 form is the f32 LLR scaled, rounded half to even and clamped to ±127.
#[test]
fn int8_is_the_scaled_rounded_saturated_llr() {
    let k = scalar();
    let mut r = rng(12);
    for m in 1..=5usize {
        let unit = units()[m - 1];
        let n = 300;
        let y = symbols(&mut r, n, m);
        let nv: Vec<f32> = (0..n).map(|_| 10f32.powf(r.gen_range(-2.0..0.5))).collect();
        let mut f = vec![0.0f32; 2 * m * n];
        k.qam_llr_maxlog(&y, &nv, m as u32, unit, &mut f).unwrap();
        for scale in [0.0f32, 0.25, 1.0, 8.0] {
            let mut q = vec![99i8; 2 * m * n];
            k.qam_llr_maxlog_i8(&y, &nv, m as u32, unit, scale, &mut q)
                .unwrap();
            for (i, (&g, &l)) in q.iter().zip(&f).enumerate() {
                // 1 step of slack: the i8 path multiplies the scale into the weight first.
                let want = (f64::from(l) * f64::from(scale)).clamp(-127.0, 127.0);
                assert!(
                    (f64::from(g) - want).abs() <= 0.5 + 1e-4 * want.abs(),
                    "m={m} scale {scale} [{i}]: {g} vs {want}"
                );
                assert!(g != -128);
            }
        }
    }
    // Exact halves round to even: an LLR of exactly ±2.5 and ±3.5 steps.
    // QPSK, unit 1, σ² = 4: L = 4·1·y/4 = y.
    let y = [
        C32::new(2.5, -2.5),
        C32::new(3.5, -3.5),
        C32::new(1e6, -1e6),
    ];
    let mut q = [0i8; 6];
    k.qam_llr_maxlog_i8(&y, &[4.0; 3], 1, 1.0, 1.0, &mut q)
        .unwrap();
    // y clamped to 64·1 = 64 for the third symbol.
    assert_eq!(q, [2, -2, 4, -4, 64, -64]);
}

/// Every SIMD backend computes the scalar reference's operations in the same order: equal bit
/// for bit, f32 and int8, at every length (8-symbol steps plus tails), with erasures spread in.
#[test]
fn simd_backends_equal_the_scalar_reference_bit_for_bit() {
    let mut r = rng(13);
    for m in 1..=5usize {
        let unit = units()[m - 1];
        for n in [0usize, 1, 7, 8, 9, 15, 16, 17, 23, 32, 64, 333] {
            let mut y = symbols(&mut r, n, m);
            if n > 20 {
                y[3] = C32::new(f32::NAN, 0.1);
                y[17] = C32::new(0.2, f32::NEG_INFINITY);
                y[n - 2] = C32::new(f32::INFINITY, f32::NAN);
            }
            let mut nv: Vec<f32> = (0..n).map(|_| 10f32.powf(r.gen_range(-3.0..1.0))).collect();
            if n > 10 {
                nv[5] = 0.0; // raised to MIN_NOISE_VAR
                nv[9] = 1e-30;
            }
            let mut want = vec![0.0f32; 2 * m * n];
            scalar()
                .qam_llr_maxlog(&y, &nv, m as u32, unit, &mut want)
                .unwrap();
            let mut want_q = vec![0i8; 2 * m * n];
            scalar()
                .qam_llr_maxlog_i8(&y, &nv, m as u32, unit, 2.0, &mut want_q)
                .unwrap();
            // A scale whose weight gain/σ² overflows to ∞ at the smallest σ² (0·∞ = NaN → 0 in
            // the reference): AVX-512 hands such calls to the AVX2 kernel.
            let mut want_huge = vec![0i8; 2 * m * n];
            scalar()
                .qam_llr_maxlog_i8(&y, &nv, m as u32, unit, 1e30, &mut want_huge)
                .unwrap();
            for k in simd_backends() {
                let mut got_q = vec![99i8; 2 * m * n];
                k.qam_llr_maxlog_i8(&y, &nv, m as u32, unit, 1e30, &mut got_q)
                    .unwrap();
                assert_eq!(
                    got_q,
                    want_huge,
                    "{} int8 scale 1e30 m={m} n={n}",
                    k.backend()
                );
                let mut got = vec![f32::NAN; 2 * m * n];
                k.qam_llr_maxlog(&y, &nv, m as u32, unit, &mut got).unwrap();
                let same = got
                    .iter()
                    .zip(&want)
                    .all(|(a, b)| a.to_bits() == b.to_bits());
                assert!(same, "{} m={m} n={n}: {got:?} vs {want:?}", k.backend());
                let mut got_q = vec![99i8; 2 * m * n];
                k.qam_llr_maxlog_i8(&y, &nv, m as u32, unit, 2.0, &mut got_q)
                    .unwrap();
                assert_eq!(got_q, want_q, "{} int8 m={m} n={n}", k.backend());
            }
            if n > 20 {
                for s in [3usize, 17, n - 2] {
                    assert!(want[s * 2 * m..(s + 1) * 2 * m].iter().all(|&l| l == 0.0));
                    assert!(want_q[s * 2 * m..(s + 1) * 2 * m].iter().all(|&l| l == 0));
                }
            }
        }
    }
}

/// The int8 (and f32) kernels at the edges of their range equal the scalar reference bit for bit: zeros
/// of both signs, inputs whose half (`y/2a`, the AVX-512 kernel's scale) is subnormal, exact
/// level boundaries and half-LLR ties at weight 1 (`σ² = 4a²·scale`), huge samples, and
/// scales on both sides of the AVX-512 kernel's largest weight 2¹⁰⁰ (above it the AVX2
/// kernel runs). Every value goes through a whole 16-symbol step (lanes of one register).
#[test]
fn int8_llrs_equal_the_reference_at_the_edges_of_their_range() {
    for m in 1..=5usize {
        let unit = units()[m - 1];
        let mut parts = vec![
            0.0f32, -0.0, 1e-45, -1e-45, 1e-38, -3e-38, 1e-30, 2e38, -3.4e38,
        ];
        // 2^-125 and its neighbours (y/a there, so y/(2a) crosses into the subnormals).
        for b in [-1i32, 0, 1] {
            let v = f32::from_bits((2u32 << 23).wrapping_add(b as u32)) * unit;
            parts.extend([v, -v]);
        }
        // Level boundaries and halfway points in quarter units.
        parts.extend((0..4 << m).map(|q| q as f32 * 0.25 * unit));
        parts.extend((0..4 << m).map(|q| -(q as f32) * 0.37 * unit));
        let y: Vec<C32> = parts
            .chunks(2)
            .map(|c| C32::new(c[0], *c.get(1).unwrap_or(&0.5)))
            .chain(parts.iter().map(|&v| C32::new(-v, v)))
            .collect();
        let n = y.len().div_ceil(16) * 16;
        let mut y16 = y.clone();
        y16.resize(n, C32::new(0.3 * unit, -0.7 * unit));
        for scale in [1.0f32, 4.0, 1e17, 1e18, 1e25] {
            for nv in [4.0 * unit * unit * scale, 1.0, 0.0, 1e3] {
                let nv = vec![nv; n];
                let mut want = vec![0i8; 2 * m * n];
                scalar()
                    .qam_llr_maxlog_i8(&y16, &nv, m as u32, unit, scale, &mut want)
                    .unwrap();
                let mut want_f = vec![0.0f32; 2 * m * n];
                scalar()
                    .qam_llr_maxlog(&y16, &nv, m as u32, unit, &mut want_f)
                    .unwrap();
                for k in simd_backends() {
                    let mut got_f = vec![f32::NAN; 2 * m * n];
                    k.qam_llr_maxlog(&y16, &nv, m as u32, unit, &mut got_f)
                        .unwrap();
                    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    assert_eq!(
                        bits(&got_f),
                        bits(&want_f),
                        "{} f32 m={m} σ² {}",
                        k.backend(),
                        nv[0]
                    );
                    let mut got = vec![99i8; 2 * m * n];
                    k.qam_llr_maxlog_i8(&y16, &nv, m as u32, unit, scale, &mut got)
                        .unwrap();
                    for (s, y) in y16.iter().enumerate() {
                        let r = 2 * m * s..2 * m * (s + 1);
                        assert_eq!(
                            got[r.clone()],
                            want[r],
                            "{} m={m} scale {scale} σ² {} y = {y}",
                            k.backend(),
                            nv[0],
                        );
                    }
                }
            }
        }
    }
}

/// Outputs of `LLR_STREAM_MIN_BYTES` or more (written past the caches where the output is
/// 16-byte aligned) equal the scalar reference bit for bit, for every QAM, aligned and not.
#[test]
fn streamed_outputs_equal_the_scalar_reference() {
    use massive_mimo_simd::LLR_STREAM_MIN_BYTES;
    let mut r = rng(29);
    for m in 1..=5usize {
        let unit = units()[m - 1];
        // Just over the threshold at 8·m bytes per symbol, plus a ragged tail.
        let n = LLR_STREAM_MIN_BYTES / (8 * m) + 37;
        let y = symbols(&mut r, n, m);
        let nv: Vec<f32> = (0..n).map(|_| 10f32.powf(r.gen_range(-3.0..1.0))).collect();
        let mut want = vec![0.0f32; 2 * m * n];
        scalar()
            .qam_llr_maxlog(&y, &nv, m as u32, unit, &mut want)
            .unwrap();
        let mut buf = vec![f32::NAN; 2 * m * n + 8];
        // The first 16-byte aligned start, and one float past it (ordinary stores).
        let a = (0..4)
            .find(|&o| (buf[o..].as_ptr() as usize).is_multiple_of(16))
            .unwrap();
        for k in simd_backends() {
            for off in [a, a + 1] {
                buf.fill(f32::NAN);
                let out = &mut buf[off..off + 2 * m * n];
                k.qam_llr_maxlog(&y, &nv, m as u32, unit, out).unwrap();
                let same = out
                    .iter()
                    .zip(&want)
                    .all(|(x, w)| x.to_bits() == w.to_bits());
                assert!(same, "{} m={m} offset {off}", k.backend());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn simd_equals_scalar_on_random_inputs(n in 0usize..70, m in 1usize..=5, seed in any::<u64>(), scale in 0.0f32..64.0) {
        let mut r = rng(seed);
        let unit = units()[m - 1];
        let y = symbols(&mut r, n, m);
        let nv: Vec<f32> = (0..n).map(|_| 10f32.powf(r.gen_range(-4.0..2.0))).collect();
        let mut want = vec![0.0f32; 2 * m * n];
        scalar().qam_llr_maxlog(&y, &nv, m as u32, unit, &mut want).unwrap();
        let mut want_q = vec![0i8; 2 * m * n];
        scalar().qam_llr_maxlog_i8(&y, &nv, m as u32, unit, scale, &mut want_q).unwrap();
        for k in simd_backends() {
            let mut got = vec![0.0f32; 2 * m * n];
            k.qam_llr_maxlog(&y, &nv, m as u32, unit, &mut got).unwrap();
            prop_assert!(got.iter().zip(&want).all(|(a, b)| a.to_bits() == b.to_bits()), "{}", k.backend());
            let mut got_q = vec![0i8; 2 * m * n];
            k.qam_llr_maxlog_i8(&y, &nv, m as u32, unit, scale, &mut got_q).unwrap();
            prop_assert_eq!(&got_q, &want_q, "{}", k.backend());
        }
    }
}

/// Huge samples give the LLRs of y clamped to 64 × the outermost level (finite, the edge's
/// signs), on every backend; f32::MAX too.
#[test]
fn huge_inputs_give_the_clamped_edge_llrs() {
    let m = 4usize;
    let unit = units()[3];
    let edge = 64.0 * 15.0 * unit;
    let big = [1e3f32, 1e20, 1e38, f32::MAX];
    let y: Vec<C32> = big
        .iter()
        .flat_map(|&v| [C32::new(v, -v), C32::new(-v, v)])
        .chain([C32::new(edge, -edge), C32::new(-edge, edge)])
        .collect();
    let n = y.len();
    // Pad to a whole SIMD step so the vector path runs too.
    let mut y8 = y.clone();
    y8.resize(16, C32::new(0.1, 0.1));
    let nv = vec![0.01f32; 16];
    for k in all_backends() {
        let mut got = vec![0.0f32; 8 * 16];
        k.qam_llr_maxlog(&y8, &nv, m as u32, unit, &mut got)
            .unwrap();
        let at_edge = &got[8 * (n - 2)..8 * n];
        for s in 0..n - 2 {
            let g = &got[8 * s..8 * (s + 1)];
            assert!(g.iter().all(|l| l.is_finite()), "{}", k.backend());
            let e = &at_edge[8 * (s % 2)..8 * (s % 2 + 1)];
            for (a, b) in g.iter().zip(e) {
                assert!(
                    (a - b).abs() <= 1e-5 * b.abs(),
                    "{} {}: {a} vs {b}",
                    k.backend(),
                    y[s]
                );
            }
        }
    }
}

#[test]
fn bad_arguments_name_the_parameter() {
    let k = Kernels::new();
    let y = [C32::new(0.1, 0.2); 3];
    let mut out = [0.0f32; 12];
    let mut q = [0i8; 12];
    assert!(matches!(
        k.qam_llr_maxlog(&y, &[1.0; 3], 0, 1.0, &mut out),
        Err(SimdError::ZeroDimension {
            what: "qam_llr: bits_per_axis"
        })
    ));
    assert!(matches!(
        k.qam_llr_maxlog(&y, &[1.0; 3], 6, 1.0, &mut out),
        Err(SimdError::TooLarge {
            what: "qam_llr: bits_per_axis",
            value: 6,
            max: 5
        })
    ));
    assert!(matches!(
        k.qam_llr_maxlog(&y, &[1.0; 3], 2, f32::NAN, &mut out),
        Err(SimdError::NonFinite {
            what: "qam_llr: unit",
            ..
        })
    ));
    assert!(matches!(
        k.qam_llr_maxlog(&y, &[1.0; 3], 2, 0.0, &mut out),
        Err(SimdError::OutsideInterval {
            what: "qam_llr: unit",
            ..
        })
    ));
    assert!(matches!(
        k.qam_llr_maxlog(&y, &[1.0; 2], 2, 1.0, &mut out),
        Err(SimdError::LengthMismatch {
            what: "qam_llr: noise_var",
            expected: 3,
            got: 2
        })
    ));
    assert!(matches!(
        k.qam_llr_maxlog(&y, &[1.0; 3], 1, 1.0, &mut out),
        Err(SimdError::LengthMismatch {
            expected: 6,
            got: 12,
            ..
        })
    ));
    assert!(matches!(
        k.qam_llr_maxlog_i8(&y, &[1.0; 3], 2, 1.0, f32::INFINITY, &mut q),
        Err(SimdError::NonFinite {
            what: "qam_llr_maxlog_i8: llr_scale",
            ..
        })
    ));
    assert!(matches!(
        k.qam_llr_maxlog_i8(&y, &[1.0; 3], 2, 1.0, -1.0, &mut q),
        Err(SimdError::Negative {
            what: "qam_llr_maxlog_i8: llr_scale",
            ..
        })
    ));
}
