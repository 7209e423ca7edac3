//! The fronthaul's float path on every backend (`../shared/FRONTHAUL.md` §1):
//! `Kernels::int16_to_c32_stream_screen` (int16 → f32 by `value / scale`, streamed and screened)
//! and `Kernels::c32_to_int16` (`sat16(round_half_even(part · scale))`) against the scalar
//! arithmetic written out here, bit for bit, at every length 0 … 40 (each backend's vector
//! steps and scalar tail).

use massive_mimo_simd::{Backend, C32, Kernels, SimdError};

fn all() -> Vec<Kernels> {
    Backend::available()
        .map(|b| Kernels::with_backend(b).unwrap())
        .collect()
}

/// `int16_to_c32_stream_screen` (and `int16_to_c32_screen`, its form with ordinary stores)
/// writes `value / scale` per part — the same division, bit for
/// bit, as the scalar f32 conversion worked out here — and returns what `screen_bits(out,
/// out[0])` finds in it, at every length 0 … 40 and every start of the output inside a 64-byte
/// line, for scales that are and are not powers of two (also ones that make the outputs huge
/// or subnormal), values across the int16 range (its rails included) and a constant (stuck)
/// input.
#[test]
fn int16_to_c32_stream_screen_converts_and_screens_exactly() {
    let scales = [16384.0f32, 0.89 * 32767.0 / 3.7, 3.0, 1e-30, 3e38];
    for k in all() {
        let name = k.backend();
        for &scale in &scales {
            for n in 0..=40usize {
                let varied: Vec<i16> = (0..2 * n)
                    .map(|i| match i % 7 {
                        0 => i16::MIN,
                        1 => i16::MAX,
                        2 => 0,
                        _ => (i as i16).wrapping_mul(4099).wrapping_sub(1234),
                    })
                    .collect();
                let stuck: Vec<i16> = (0..2 * n).map(|i| [-517, 923][i % 2]).collect();
                for (iq, is_stuck) in [(&varied, false), (&stuck, true)] {
                    for (off, stream) in (0..8).flat_map(|o| [(o, true), (o, false)]) {
                        let mut got = vec![C32::new(9.0, 9.0); n + 8];
                        let out = &mut got[off..off + n];
                        let s = if stream {
                            k.int16_to_c32_stream_screen(iq, scale, out).unwrap()
                        } else {
                            k.int16_to_c32_screen(iq, scale, out).unwrap()
                        };
                        k.stream_fence();
                        let case =
                            format!("{name:?} scale {scale} n {n} offset {off} stream {stream}");
                        // Nothing written outside the output.
                        assert!(
                            got[..off]
                                .iter()
                                .chain(&got[off + n..])
                                .all(|&v| v == C32::new(9.0, 9.0)),
                            "{case}"
                        );
                        let g = &got[off..off + n];
                        for (i, v) in g.iter().enumerate() {
                            let want = (
                                f32::from(iq[2 * i]) / scale,
                                f32::from(iq[2 * i + 1]) / scale,
                            );
                            assert_eq!(
                                (v.re.to_bits(), v.im.to_bits()),
                                (want.0.to_bits(), want.1.to_bits()),
                                "{case} at {i}"
                            );
                        }
                        let reference = g.first().copied().unwrap_or_default();
                        assert_eq!(s, k.screen_bits(g, reference), "{case}");
                        if n > 0 {
                            // Stuck: every sample equal; the varied input differs from its first sample
                            // whenever it has a second one.
                            assert_eq!(s.differ_bits == 0, is_stuck || n == 1, "{case}");
                        }
                    }
                }
            }
        }
    }
    // The length rule, named.
    let k = Kernels::new();
    let mut out = vec![C32::default(); 4];
    assert!(matches!(
        k.int16_to_c32_stream_screen(&[0; 7], 1.0, &mut out),
        Err(SimdError::LengthMismatch {
            what: "int16_to_c32_stream_screen: iq",
            expected: 8,
            got: 7
        })
    ));
    assert!(matches!(
        k.int16_to_c32_screen(&[0; 9], 1.0, &mut out),
        Err(SimdError::LengthMismatch {
            what: "int16_to_c32_screen: iq",
            expected: 8,
            got: 9
        })
    ));
}

/// `c32_to_int16` rounds each product half to even and saturates exactly as the scalar
/// `(part·scale).round_ties_even() as i16` does — ties on both sides of zero, the rails and
/// just past them, ±∞, −0, subnormal and huge products — at every position of every length,
/// and says whether a product was NaN, wherever the NaN part is.
#[test]
fn c32_to_int16_rounds_and_saturates_as_the_scalar_conversion() {
    let scale = 4.0f32;
    // Products (× 4): ties 0.5, 1.5, 2.5, −0.5, −2.5; the rails 32767, −32768; 32767.5 (rounds
    // to 32768, saturates), −32768.5 (−32768), beyond; ±∞; −0; a subnormal; 3e38.
    let parts = [
        0.125f32,
        0.375,
        0.625,
        -0.125,
        -0.625,
        8191.75,
        -8192.0,
        8191.875,
        -8192.125,
        8192.5,
        -9000.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        -0.0,
        f32::from_bits(1),
        3e38,
        1.3,
        -2.7,
    ];
    for k in all() {
        let name = k.backend();
        for n in 0..=40usize {
            let x: Vec<C32> = (0..n)
                .map(|i| {
                    C32::new(
                        parts[(2 * i) % parts.len()],
                        parts[(2 * i + 7) % parts.len()],
                    )
                })
                .collect();
            let mut got = vec![7i16; 2 * n];
            assert_eq!(
                k.c32_to_int16(&x, scale, &mut got),
                Ok(false),
                "{name:?} n {n}"
            );
            for (i, c) in x.iter().enumerate() {
                let want = [
                    (c.re * scale).round_ties_even() as i16,
                    (c.im * scale).round_ties_even() as i16,
                ];
                assert_eq!(got[2 * i..2 * i + 2], want, "{name:?} n {n} at {i}: {c}");
            }
            for pos in 0..n {
                for nan in [C32::new(f32::NAN, 0.0), C32::new(1.0, -f32::NAN)] {
                    let mut y = x.clone();
                    y[pos] = nan;
                    assert_eq!(
                        k.c32_to_int16(&y, scale, &mut got),
                        Ok(true),
                        "{name:?} n {n} NaN at {pos}"
                    );
                }
            }
        }
    }
    let k = Kernels::new();
    assert!(matches!(
        k.c32_to_int16(&[C32::default(); 4], 1.0, &mut [0; 7]),
        Err(SimdError::LengthMismatch {
            what: "c32_to_int16: out",
            expected: 8,
            got: 7
        })
    ));
}
