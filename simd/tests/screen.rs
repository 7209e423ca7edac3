//! `Kernels::screen_bits` on every backend against values worked out by hand: the largest
//! magnitude bit pattern (NaN and ±∞ above every finite part, −0 as 0, subnormals above 0)
//! and whether any sample differs from the reference bit for bit — at every length 0 … 40
//! (each backend's vector steps and scalar tail), with the odd value at every position.

use massive_mimo_simd::{Backend, C32, Kernels};

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
