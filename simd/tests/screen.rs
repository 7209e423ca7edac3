//! `Kernels::screen_bits` on every backend against values worked out by hand: the largest
//! magnitude bit pattern (NaN and ±∞ above every finite part, −0 as 0, subnormals above 0)
//! and whether any sample differs from the reference bit for bit — at every length 0 … 40
//! (each backend's vector steps and scalar tail), with the odd value at every position.

use massive_mimo_simd::{Backend, C32, Kernels, SimdError};

fn all() -> Vec<Kernels> {
    Backend::available()
        .map(|b| Kernels::with_backend(b).unwrap())
        .collect()
}

#[test]
fn screen_bits_finds_the_largest_magnitude_and_any_difference_at_every_position() {
    let base = C32::new(0.25, -0.5); // magnitude bits: 0.5's
    let specials = [
        C32::new(f32::NAN, 0.0),
        C32::new(0.0, f32::NEG_INFINITY),
        C32::new(-3.0, 1.0),
        // Smaller than the base: the maximum stays 0.5's (unless alone), but it differs.
        C32::new(0.25, -0.25),
        // −0.25 vs +0.25 in the real part: same magnitude, different bits.
        C32::new(-0.25, -0.5),
    ];
    // The expected maximum: |part| as f32, then its bits (NaN's sign cleared by `abs`).
    let max_of = |y: &[C32]| {
        y.iter()
            .flat_map(|v| [v.re.abs().to_bits(), v.im.abs().to_bits()])
            .max()
            .unwrap_or(0)
    };
    for k in all() {
        for n in 0..=40 {
            let x = vec![base; n];
            let s = k.screen_bits(&x, base);
            let want = if n == 0 { 0 } else { 0.5f32.to_bits() };
            assert_eq!(s.max_abs_bits, want, "{:?} n {n}", k.backend());
            assert_eq!(s.differ_bits, 0, "{:?} n {n}", k.backend());
            for pos in 0..n {
                for &v in &specials {
                    let mut y = x.clone();
                    y[pos] = v;
                    let s = k.screen_bits(&y, base);
                    let max = max_of(&y);
                    assert_eq!(s.max_abs_bits, max, "{:?} n {n} at {pos}: {v}", k.backend());
                    assert_ne!(s.differ_bits, 0, "{:?} n {n} at {pos}: {v}", k.backend());
                }
            }
        }
        // Zeros of both signs: magnitude 0; −0 differs from +0 in the sign bit only.
        let zeros = [C32::new(0.0, 0.0), C32::new(-0.0, 0.0), C32::new(0.0, -0.0)];
        let s = k.screen_bits(&zeros, C32::new(0.0, 0.0));
        assert_eq!((s.max_abs_bits, s.differ_bits), (0, 0x8000_0000));
        // The smallest subnormal is above zero.
        let tiny = vec![C32::new(0.0, f32::from_bits(1)); 37];
        assert_eq!(k.screen_bits(&tiny, tiny[0]).max_abs_bits, 1);
    }
}

/// `mul_stream_screen` writes what `mul_stream` writes (bit for bit) and returns what
/// `screen_bits(out, out[0])` finds in it — at every length 0 … 40 and every start of the
/// output inside a 64-byte line (the streaming head, the full registers and the tail), with
/// a non-finite, a large and a differing product at every position, and for a constant
/// (stuck) product.
#[test]
fn mul_stream_screen_screens_exactly_what_it_writes() {
    let a0 = C32::new(0.75, -0.5);
    let b0 = C32::new(-0.5, 0.25);
    let specials = [
        C32::new(f32::NAN, 1.0),
        C32::new(f32::INFINITY, 0.0),
        C32::new(1e30, -2.0),
        C32::new(0.75, -0.25),
    ];
    for k in all() {
        let name = k.backend();
        for n in 0..=40 {
            for off in 0..8 {
                let b = vec![b0; n];
                let mut cases = vec![vec![a0; n]];
                for pos in 0..n {
                    for &v in &specials {
                        let mut a = vec![a0; n];
                        a[pos] = v;
                        cases.push(a);
                    }
                }
                for a in &cases {
                    let (mut want, mut got) =
                        (vec![C32::default(); n + 8], vec![C32::default(); n + 8]);
                    k.mul_stream(a, &b, &mut want[off..off + n]).unwrap();
                    let s = k.mul_stream_screen(a, &b, &mut got[off..off + n]).unwrap();
                    let (w, g) = (&want[off..off + n], &got[off..off + n]);
                    let bits = |v: &[C32]| {
                        v.iter()
                            .map(|c| (c.re.to_bits(), c.im.to_bits()))
                            .collect::<Vec<_>>()
                    };
                    assert_eq!(bits(g), bits(w), "{name:?} n {n} offset {off}");
                    let reference = w.first().copied().unwrap_or_default();
                    assert_eq!(
                        s,
                        k.screen_bits(w, reference),
                        "{name:?} n {n} offset {off}"
                    );
                }
                // The constant product: stuck (no difference), its magnitude the maximum.
                if n > 0 {
                    let mut out = vec![C32::default(); n + 8];
                    let s = k
                        .mul_stream_screen(&vec![a0; n], &b, &mut out[off..off + n])
                        .unwrap();
                    let p = out[off];
                    assert_eq!(s.differ_bits, 0, "{name:?} n {n}");
                    assert_eq!(
                        s.max_abs_bits,
                        p.re.abs().to_bits().max(p.im.abs().to_bits())
                    );
                }
            }
        }
    }
}

/// Wrong lengths are refused, naming the argument.
#[test]
fn mul_stream_screen_names_a_wrong_length() {
    let k = Kernels::new();
    let (a, b) = (vec![C32::default(); 4], vec![C32::default(); 3]);
    let mut out = vec![C32::default(); 4];
    assert!(matches!(
        k.mul_stream_screen(&a, &b, &mut out),
        Err(SimdError::LengthMismatch {
            what: "mul_stream_screen: b",
            expected: 4,
            got: 3
        })
    ));
    let mut short = vec![C32::default(); 3];
    assert!(matches!(
        k.mul_stream_screen(&a, &a, &mut short),
        Err(SimdError::LengthMismatch {
            what: "mul_stream_screen: out",
            expected: 4,
            got: 3
        })
    ));
}

/// Runs screened each against its own first sample and merged answer for the whole: the
/// largest magnitude exactly, and "every sample equal" exactly — for equal runs, one
/// differing sample in any run, and runs equal inside but different from each other.
#[test]
fn merged_runs_screen_as_the_whole() {
    let k = Kernels::new();
    let c = C32::new(1.5, -0.25);
    for cuts in [vec![0, 5, 12], vec![0, 1, 2, 12], vec![0, 7, 7, 12]] {
        let mut cases = vec![vec![c; 12]];
        for pos in 0..12 {
            let mut x = vec![c; 12];
            x[pos] = C32::new(-1.5, -0.25);
            cases.push(x);
        }
        // Each run constant, the runs different (stuck inside each run only).
        cases.push(
            (0..12)
                .map(|i| if i < cuts[1] { c } else { c * 2.0 })
                .collect(),
        );
        for x in &cases {
            let whole = k.screen_bits(x, x[0]);
            let mut acc = massive_mimo_simd::ScreenBits::default();
            for w in cuts.windows(2) {
                let run = &x[w[0]..w[1]];
                if let Some(&first) = run.first() {
                    acc = acc.merge(k.screen_bits(run, first), x[0], first);
                }
            }
            assert_eq!(acc.max_abs_bits, whole.max_abs_bits, "{cuts:?} {x:?}");
            assert_eq!(
                acc.differ_bits == 0,
                whole.differ_bits == 0,
                "{cuts:?} {x:?}"
            );
        }
    }
}
