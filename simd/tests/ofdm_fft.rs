//! The OFDM symbol FFT (`Kernels::ofdm_fft`, `OfdmFft`) on every backend against an f64 DFT
//! (the definition) and rustfft (an independent implementation), each SIMD backend against the
//! scalar reference, its cyclic prefix, streamed against ordinary stores, and its refusals.

mod common;

use common::*;
use massive_mimo_simd::{Backend, C32, Kernels, MAX_OFDM_FFT_LEN, OfdmFft, SimdError};
use rustfft::FftPlanner;

/// Norm-wise error bound of an f32 FFT against the exact DFT: ‖X̂ − X‖₂ ≤ c·ε·log₂N·‖X‖₂
/// (Higham, "Accuracy and Stability of Numerical Algorithms", §24.1: the Cooley–Tukey error
/// grows as log₂N·ε with twiddles accurate to ε); c = 4 covers the radix-8 butterflies' three
/// levels of additions and the twiddle multiply of each stage.
fn bound(n: usize) -> f64 {
    4.0 * f64::from(f32::EPSILON) * ((n as f64).log2() + 1.0)
}

/// The DFT in f64 (the definition, with exact-argument twiddles).
fn dft(x: &[C32], inverse: bool) -> Vec<(f64, f64)> {
    let n = x.len();
    let sign = if inverse { 1.0 } else { -1.0 };
    (0..n)
        .map(|k| {
            x.iter().enumerate().fold((0.0, 0.0), |(re, im), (t, v)| {
                let a = sign * 2.0 * std::f64::consts::PI * ((k * t) % n) as f64 / n as f64;
                let (c, s) = (a.cos(), a.sin());
                let (vr, vi) = (f64::from(v.re), f64::from(v.im));
                (re + vr * c - vi * s, im + vr * s + vi * c)
            })
        })
        .collect()
}

/// ‖got − want‖₂ / ‖want‖₂.
fn rel_err(got: &[C32], want: &[(f64, f64)]) -> f64 {
    let (mut e, mut w) = (0.0, 0.0);
    for (g, &(wr, wi)) in got.iter().zip(want) {
        e += (f64::from(g.re) - wr).powi(2) + (f64::from(g.im) - wi).powi(2);
        w += wr * wr + wi * wi;
    }
    (e / w).sqrt()
}

/// A 64-byte aligned buffer of `len` samples starting `shift` samples past a boundary.
fn aligned_out(len: usize, shift: usize) -> (Vec<C32>, usize) {
    let buf = vec![C32::new(f32::NAN, f32::NAN); len + 8 + shift];
    let a = (0..8)
        .find(|&o| (buf[o..].as_ptr() as usize).is_multiple_of(64))
        .unwrap();
    (buf, a + shift)
}

/// Every backend, both directions, every length from 64 to 4096: within the bound of the f64
/// DFT, the prefix equal to the symbol's tail bit for bit, `x` untouched.
#[test]
fn every_backend_transforms_like_the_dft() {
    let mut r = rng(41);
    for n in [64usize, 128, 256, 512, 1024, 2048, 4096] {
        let x = cvec(&mut r, n);
        for inverse in [false, true] {
            let want = dft(&x, inverse);
            let plan = OfdmFft::new(n, inverse).unwrap();
            for k in all_backends() {
                let cp = n / 16;
                let mut out = vec![C32::new(f32::NAN, 0.0); cp + n];
                let mut scratch = vec![C32::new(0.0, 0.0); plan.scratch_len()];
                let x0 = x.clone();
                k.ofdm_fft(&plan, &x, &mut scratch, &mut out, cp, false)
                    .unwrap();
                assert_eq!(x, x0, "{} n={n}: x changed", k.backend());
                let e = rel_err(&out[cp..], &want);
                assert!(
                    e <= bound(n),
                    "{} n={n} inverse={inverse}: error {e:e} above {:e}",
                    k.backend(),
                    bound(n)
                );
                let same = out[..cp].iter().zip(&out[n..]).all(|(a, b)| {
                    a.re.to_bits() == b.re.to_bits() && a.im.to_bits() == b.im.to_bits()
                });
                assert!(same, "{} n={n}: the prefix is not the tail", k.backend());
            }
        }
    }
}

/// Lengths up to 8192 against rustfft (an independent FFT; the f64 DFT would take too long),
/// and each SIMD backend against the scalar reference, both within the sum of two bounds.
#[test]
fn simd_backends_agree_with_the_reference_and_rustfft() {
    let mut r = rng(42);
    for n in [64usize, 512, 2048, 4096, 8192] {
        for inverse in [false, true] {
            let x = cvec(&mut r, n);
            let plan = OfdmFft::new(n, inverse).unwrap();
            let mut rf = x.clone();
            let mut planner = FftPlanner::<f32>::new();
            if inverse {
                planner.plan_fft_inverse(n).process(&mut rf);
            } else {
                planner.plan_fft_forward(n).process(&mut rf);
            }
            let run = |k: &Kernels| {
                let mut out = vec![C32::new(0.0, 0.0); n];
                let mut scratch = vec![C32::new(0.0, 0.0); plan.scratch_len()];
                k.ofdm_fft(&plan, &x, &mut scratch, &mut out, 0, false)
                    .unwrap();
                out
            };
            let reference = run(&scalar());
            let as_f64 = |v: &[C32]| -> Vec<(f64, f64)> {
                v.iter()
                    .map(|c| (f64::from(c.re), f64::from(c.im)))
                    .collect()
            };
            let e = rel_err(&reference, &as_f64(&rf));
            assert!(e <= 2.0 * bound(n), "scalar n={n}: {e:e} from rustfft");
            for k in simd_backends() {
                let got = run(&k);
                let e = rel_err(&got, &as_f64(&reference));
                assert!(
                    e <= 2.0 * bound(n),
                    "{} n={n}: {e:e} from scalar",
                    k.backend()
                );
                let e = rel_err(&got, &as_f64(&rf));
                assert!(
                    e <= 2.0 * bound(n),
                    "{} n={n}: {e:e} from rustfft",
                    k.backend()
                );
                // Where the kernel is vectorised it is what runs, not the reference: its fused
                // multiply-adds round differently, so some of the n outputs differ in their
                // last bits (fixed input: a deterministic check of the dispatch).
                if k.ofdm_fft_is_vectorized() && n >= 512 {
                    assert!(got != reference, "{} n={n}: the reference ran", k.backend());
                }
            }
        }
    }
}

/// Streamed and ordinary stores write the same bits, aligned or not, with a prefix that is a
/// multiple of 8 samples or not (LTE's 1.4 MHz carrier: 128 points, prefixes of 10 and 9).
#[test]
fn streamed_stores_write_the_same_symbol() {
    let mut r = rng(43);
    for (n, cp) in [
        (128usize, 10usize),
        (128, 9),
        (2048, 144),
        (4096, 288),
        (4096, 0),
    ] {
        let x = cvec(&mut r, n);
        let plan = OfdmFft::new(n, true).unwrap();
        for k in all_backends() {
            let mut scratch = vec![C32::new(0.0, 0.0); plan.scratch_len()];
            let mut plain = vec![C32::new(0.0, 0.0); cp + n];
            k.ofdm_fft(&plan, &x, &mut scratch, &mut plain, cp, false)
                .unwrap();
            for shift in [0usize, 1] {
                let (mut buf, at) = aligned_out(cp + n, shift);
                k.ofdm_fft(&plan, &x, &mut scratch, &mut buf[at..at + cp + n], cp, true)
                    .unwrap();
                k.stream_fence();
                let got = &buf[at..at + cp + n];
                let same = got.iter().zip(&plain).all(|(a, b)| {
                    a.re.to_bits() == b.re.to_bits() && a.im.to_bits() == b.im.to_bits()
                });
                assert!(same, "{} n={n} cp={cp} shift={shift}", k.backend());
                assert!(buf[..at].iter().all(|v| v.re.is_nan()), "wrote before out");
                assert!(
                    buf[at + cp + n..].iter().all(|v| v.re.is_nan()),
                    "wrote past out"
                );
            }
        }
    }
}

/// Lengths that are not a power of two in 64..=2¹⁶ and wrong buffer lengths are refused by
/// name.
#[test]
fn refusals_name_the_problem() {
    for n in [0usize, 32, 96, 1536] {
        match OfdmFft::new(n, false) {
            Err(SimdError::OutsideInterval { what, value, .. }) => {
                assert!(what.starts_with("ofdm fft length"), "{what}");
                assert_eq!(value, n as f32);
            }
            other => panic!("n={n}: {other:?}"),
        }
    }
    assert!(matches!(
        OfdmFft::new(2 * MAX_OFDM_FFT_LEN, false),
        Err(SimdError::TooLarge { what: "ofdm fft length", value, max })
            if value == 2 * MAX_OFDM_FFT_LEN && max == MAX_OFDM_FFT_LEN
    ));
    let plan = OfdmFft::new(64, false).unwrap();
    assert_eq!(plan.radices(), &[8, 8]);
    assert_eq!(
        (plan.len(), plan.is_empty(), plan.is_inverse()),
        (64, false, false)
    );
    let inv = OfdmFft::new(2048, true).unwrap();
    assert_eq!(inv.radices(), &[8, 8, 8, 4]);
    assert_eq!(
        (inv.len(), inv.is_empty(), inv.is_inverse()),
        (2048, false, true)
    );
    assert_eq!(OfdmFft::new(128, false).unwrap().radices(), &[8, 8, 2]);
    let x = vec![C32::new(1.0, 0.0); 64];
    for k in all_backends() {
        let mut s = vec![C32::new(0.0, 0.0); plan.scratch_len()];
        assert_eq!(plan.scratch_len(), 2 * 64 + 8);
        let mut out = vec![C32::new(0.0, 0.0); 72];
        let lm = |r: Result<(), SimdError>| match r {
            Err(SimdError::LengthMismatch { what, .. }) => what,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            lm(k.ofdm_fft(&plan, &x[..63], &mut s, &mut out, 8, false)),
            "ofdm_fft: x"
        );
        assert_eq!(
            lm(k.ofdm_fft(&plan, &x, &mut s[..135], &mut out, 8, false)),
            "ofdm_fft: scratch"
        );
        assert_eq!(
            lm(k.ofdm_fft(&plan, &x, &mut s, &mut out, 7, false)),
            "ofdm_fft: out"
        );
        // The vector kernel exactly on AVX-512 and AVX2; preferred to rustfft on AVX-512 at
        // every size, on AVX2 from 4096 points on.
        assert_eq!(
            k.ofdm_fft_is_vectorized(),
            matches!(k.backend(), Backend::Avx512 | Backend::Avx2)
        );
        for n in [64, 2048, 4096, 8192] {
            let want = match k.backend() {
                Backend::Avx512 => true,
                Backend::Avx2 => n >= 4096,
                _ => false,
            };
            assert_eq!(k.ofdm_fft_preferred(n), want, "{} {n}", k.backend());
        }
        // A prefix as long as the symbol (the largest allowed) repeats all of it.
        let mut twice = vec![C32::new(0.0, 0.0); 128];
        k.ofdm_fft(&plan, &x, &mut s, &mut twice, 64, false)
            .unwrap();
        assert_eq!(twice[..64], twice[64..], "{}", k.backend());
        let mut big = vec![C32::new(0.0, 0.0); 129];
        assert!(matches!(
            k.ofdm_fft(&plan, &x, &mut s, &mut big, 65, false),
            Err(SimdError::TooLarge {
                what: "ofdm_fft: cyclic prefix",
                value: 65,
                max: 64
            })
        ));
        // An impulse transforms to a constant: every output exactly 1.
        let mut imp = vec![C32::new(0.0, 0.0); 64];
        imp[0] = C32::new(1.0, 0.0);
        k.ofdm_fft(&plan, &imp, &mut s, &mut out, 8, false).unwrap();
        assert!(
            out.iter().all(|v| *v == C32::new(1.0, 0.0)),
            "{}",
            k.backend()
        );
    }
}

/// The line hints of `ofdm_fft_then` change no value: the same bits as `ofdm_fft` with an
/// empty region, an unaligned one, the input itself and a region larger than the transform,
/// streamed or not; the hinted memory is left as it was.
#[test]
fn hints_change_no_value() {
    let mut r = rng(44);
    for n in [64usize, 2048, 4096] {
        let x = cvec(&mut r, n);
        let far = cvec(&mut r, 3 * n + 5);
        let far0 = far.clone();
        for inverse in [false, true] {
            let plan = OfdmFft::new(n, inverse).unwrap();
            for k in all_backends() {
                let mut scratch = vec![C32::new(0.0, 0.0); plan.scratch_len()];
                let cp = n / 8;
                let mut want = vec![C32::new(0.0, 0.0); cp + n];
                k.ofdm_fft(&plan, &x, &mut scratch, &mut want, cp, false)
                    .unwrap();
                let regions: [&[&[C32]]; 4] = [&[], &[&far[1..n / 2 + 3]], &[&x], &[&far, &x[..0]]];
                for next in regions {
                    for stream in [false, true] {
                        let mut got = vec![C32::new(0.0, 0.0); cp + n];
                        k.ofdm_fft_then(&plan, &x, &mut scratch, &mut got, cp, stream, next)
                            .unwrap();
                        k.stream_fence();
                        let same = got.iter().zip(&want).all(|(a, b)| {
                            a.re.to_bits() == b.re.to_bits() && a.im.to_bits() == b.im.to_bits()
                        });
                        assert!(same, "{} n={n} stream={stream}", k.backend());
                    }
                }
                assert_eq!(far, far0);
            }
        }
    }
}

/// `ofdm_fft_scaled_then` multiplies every output (the prefix too) by the gain in the
/// documented arithmetic, bit for bit on every backend, streamed or not, with a prefix that is
/// a multiple of 8 or not: 1 gives the unscaled transform, a power of two exactly the scaled
/// samples (no rounding), a real gain one product per sample, a complex one
/// `re = fma(x_re, g_re, −x_im·g_im)`, `im = fma(x_im, g_re, x_re·g_im)` — and the result is
/// the DFT of `gain·x` within the transform's bound (the gain's rounding adds one ε; checked up
/// to 512 points, where the f64 DFT stays cheap under qemu).
#[test]
fn scaled_transform_multiplies_every_output_by_the_gain() {
    let mut r = rng(45);
    for n in [64usize, 512, 2048, 4096] {
        let x = cvec(&mut r, n);
        for inverse in [false, true] {
            let plan = OfdmFft::new(n, inverse).unwrap();
            let gains = [
                C32::new(1.0, 0.0),
                C32::new(0.125, 0.0),
                C32::new(1.0 / (n as f32).sqrt(), 0.0),
                C32::from_polar(0.3, 2.1),
            ];
            // The f64 DFT of each gain·x, once, up to 512 points (N² operations each: the
            // unscaled transform's own test holds the larger sizes to it).
            let exact: Vec<Vec<(f64, f64)>> = gains
                .iter()
                .filter(|_| n <= 512)
                .map(|&g| dft(&x.iter().map(|v| v * g).collect::<Vec<_>>(), inverse))
                .collect();
            for k in all_backends() {
                let mut scratch = vec![C32::new(0.0, 0.0); plan.scratch_len()];
                for cp in [n / 8, n / 8 + 3] {
                    let mut plain = vec![C32::new(0.0, 0.0); cp + n];
                    k.ofdm_fft(&plan, &x, &mut scratch, &mut plain, cp, false)
                        .unwrap();
                    for (i_g, g) in gains.iter().copied().enumerate() {
                        for stream in [false, true] {
                            let (mut buf, at) = aligned_out(cp + n, 0);
                            let got = &mut buf[at..at + cp + n];
                            k.ofdm_fft_scaled_then(
                                &plan,
                                &x,
                                &mut scratch,
                                got,
                                cp,
                                stream,
                                g,
                                &[],
                            )
                            .unwrap();
                            k.stream_fence();
                            for (i, (o, p)) in got.iter().zip(&plain).enumerate() {
                                let want = if g.im == 0.0 {
                                    C32::new(p.re * g.re, p.im * g.re)
                                } else {
                                    C32::new(
                                        p.re.mul_add(g.re, -(p.im * g.im)),
                                        p.im.mul_add(g.re, p.re * g.im),
                                    )
                                };
                                assert!(
                                    o.re.to_bits() == want.re.to_bits()
                                        && o.im.to_bits() == want.im.to_bits(),
                                    "{} n={n} inverse={inverse} cp={cp} gain={g} stream={stream} \
                                     sample {i}: {o} against {want}",
                                    k.backend()
                                );
                            }
                            if g.re == 0.125 {
                                let exact = plain.iter().map(|p| p * 0.125);
                                assert!(got.iter().zip(exact).all(|(a, b)| *a == b));
                            }
                            if let Some(exact) = exact.get(i_g) {
                                let e = rel_err(&got[cp..], exact);
                                assert!(e <= bound(n) + f64::from(f32::EPSILON), "{e} n={n}");
                            }
                        }
                    }
                }
            }
        }
    }
}
