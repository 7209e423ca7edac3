//! Precoder application against a plain triple loop: per-PRB (`precoder_apply` contract) and per
//! PRG over a slot grid, for PRG sizes 1, 2, 4 and wideband, a partial last PRG, GEMM pieces
//! smaller than a PRG, narrow PRGs through split planes whole and in pieces, the general path when
//! n_sym > max_cols, strided (non-standard-layout) views, every SIMD backend.

mod support;

use massive_mimo::C32;
use massive_mimo::precoding::PrecoderApplier;
use massive_mimo::simd::{Backend, Kernels};
use ndarray::{Array2, Array3, Axis, s};

fn val(a: usize, b: usize, c: usize) -> C32 {
    C32::new(
        ((a * 7 + b * 3 + c * 5) % 17) as f32 / 17.0 - 0.5,
        ((a + 2 * b + 11 * c) % 13) as f32 / 13.0 - 0.5,
    )
}

fn reference_grid(w: &Array3<C32>, prg_sc: usize, x: &Array3<C32>) -> Array3<C32> {
    let (k, n_sym, n_sc) = x.dim();
    let n_tx = w.dim().1;
    Array3::from_shape_fn((n_tx, n_sym, n_sc), |(t, l, sc)| {
        let g = sc / prg_sc;
        (0..k).map(|j| w[[g, t, j]] * x[[j, l, sc]]).sum()
    })
}

fn close(a: &Array3<C32>, b: &Array3<C32>) {
    let err = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y).norm())
        .fold(0.0f32, f32::max);
    assert!(err < 1e-4, "max error {err}");
}

/// [`close`] for one symbol's rows `[n_tx, n_sc]` against symbol `l` of a slot grid.
fn close_symbol(one: &Array2<C32>, grid: &Array3<C32>, l: usize) {
    close(
        &one.clone().insert_axis(Axis(1)),
        &grid.slice(s![.., l..l + 1, ..]).to_owned(),
    );
}

/// An applier of `n_tx` outputs on `backend`, weights for every `band_sc` subcarriers of
/// `x`, and the grid call's output — what `process_symbol` is compared with.
fn banded(
    n_tx: usize,
    x: &Array3<C32>,
    band_sc: usize,
    backend: Backend,
) -> (PrecoderApplier, Array3<C32>, Array3<C32>) {
    let (k, n_sym, n_sc) = x.dim();
    let w = Array3::from_shape_fn((n_sc.div_ceil(band_sc), n_tx, k), |(a, b, c)| {
        val(b, c, a + 3)
    });
    let mut ap = PrecoderApplier::new(n_tx, k, 14 * 96)
        .unwrap()
        .with_kernels(Kernels::with_backend(backend).unwrap());
    let mut grid = Array3::zeros((n_tx, n_sym, n_sc));
    ap.process_grid_subbands(w.view(), band_sc, x.view(), grid.view_mut())
        .unwrap();
    (ap, w, grid)
}

#[test]
fn grid_application_matches_the_reference_for_every_prg_size_and_backend() {
    // k = 5 and 10 inputs (the GEMMs' tiles on either side of 8).
    for (n_tx, k, n_sym, n_sc) in [(12, 5, 14, 132), (12, 10, 14, 132)] {
        let x = Array3::from_shape_fn((k, n_sym, n_sc), |(a, b, c)| val(a, b, c));
        for backend in Backend::available() {
            for (prg_prbs, max_cols) in [
                (1, 14 * 12),
                (2, 14 * 96),
                (4, 14 * 24),
                (0, 14 * 40),
                (2, 14),
                (4, 100),
                // Narrow PRGs (in place on the SIMD backends; through split planes on the scalar
                // backend, in pieces smaller than one PRG: 14 ≤ 20 < 14·12), and with
                // n_sym > max_cols the general strided path.
                (1, 20),
                (1, 10),
                (0, 10),
            ] {
                let prg_sc = if prg_prbs == 0 { n_sc } else { 12 * prg_prbs };
                let n_prg = n_sc.div_ceil(prg_sc);
                let w = Array3::from_shape_fn((n_prg, n_tx, k), |(a, b, c)| val(b, c, a + 3));
                let mut ap = PrecoderApplier::new(n_tx, k, max_cols)
                    .unwrap()
                    .with_kernels(Kernels::with_backend(backend).unwrap());
                let mut y = Array3::zeros((n_tx, n_sym, n_sc));
                ap.process_grid(w.view(), prg_prbs, x.view(), y.view_mut())
                    .unwrap();
                close(&y, &reference_grid(&w, prg_sc, &x));
                // Strided views: every other symbol of a larger grid, both in and out.
                let big = Array3::from_shape_fn((k, 2 * n_sym, n_sc), |(a, b, c)| x[[a, b / 2, c]]);
                let mut ybig = Array3::zeros((n_tx, 2 * n_sym, n_sc));
                ap.process_grid(
                    w.view(),
                    prg_prbs,
                    big.slice(s![.., ..;2, ..]),
                    ybig.slice_mut(s![.., ..;2, ..]),
                )
                .unwrap();
                close(&ybig.slice(s![.., ..;2, ..]).to_owned(), &y);
            }
        }
    }
}

/// Narrow bands through the planes path, whose GEMMs run each band's columns to a multiple of
/// 4 (3 subcarriers × 14 symbols = 42 → 44: the extra columns read the next band's inputs or
/// the padding): every band equals the reference, and a NaN input of one band stays in that
/// band's subcarriers on the symbol it is on — the padded columns leak nothing.
#[test]
fn padded_narrow_band_gemms_stay_inside_their_bands() {
    let (n_tx, k, n_sym, n_sc) = (16, 8, 14, 96);
    let mut x = Array3::from_shape_fn((k, n_sym, n_sc), |(a, b, c)| val(a, b, c));
    for backend in Backend::available() {
        for band_sc in [3, 5, 6] {
            let (_, w, grid) = banded(n_tx, &x, band_sc, backend);
            close(&grid, &reference_grid(&w, band_sc, &x));
        }
    }
    // The NaN on layer 2, symbol 5, subcarrier 46 (band 15 of 3 subcarriers: 45..48).
    x[[2, 5, 46]] = C32::new(f32::NAN, 0.0);
    for backend in Backend::available() {
        let (_, w, grid) = banded(n_tx, &x, 3, backend);
        for ((t, l, sc), v) in grid.indexed_iter() {
            if l == 5 && sc == 46 {
                assert!(v.re.is_nan(), "{backend} antenna {t}: the NaN's own output");
            } else {
                let want: C32 = (0..k).map(|j| w[[sc / 3, t, j]] * x[[j, l, sc]]).sum();
                assert!(
                    v.is_finite() && (v - want).norm() < 1e-4,
                    "{backend} ({t}, {l}, {sc}): {v} against {want}"
                );
            }
        }
    }
}

#[test]
fn per_prb_application_matches_the_reference() {
    let (n_prb, n_tx, k, n_re) = (7, 16, 4, 168);
    let w = Array3::from_shape_fn((n_prb, n_tx, k), |(a, b, c)| val(a, b, c));
    let x = Array3::from_shape_fn((n_prb, k, n_re), |(a, b, c)| val(b, c, a));
    let mut y = Array3::zeros((n_prb, n_tx, n_re));
    PrecoderApplier::new(n_tx, k, n_re)
        .unwrap()
        .process(w.view(), x.view(), y.view_mut())
        .unwrap();
    let r = Array3::from_shape_fn((n_prb, n_tx, n_re), |(b, t, e)| {
        (0..k).map(|j| w[[b, t, j]] * x[[b, j, e]]).sum()
    });
    close(&y, &r);
}

/// One symbol into a one-symbol buffer (`process_symbol`, the 7.2x DU's U-plane write) equals
/// that symbol of the grid call — bit for bit where both take the in-place GEMM (bands of at
/// least a PRB; two on the scalar backend, whose grid call goes through planes below), within
/// the reference's tolerance elsewhere — and the reference; the refusals name the symbol and
/// the buffer.
#[test]
fn one_symbol_into_its_own_buffer_matches_the_grid_call() {
    let (n_tx, k, n_sym, n_sc) = (12, 5, 14, 132);
    let x = Array3::from_shape_fn((k, n_sym, n_sc), |(a, b, c)| val(a, b, c));
    for backend in Backend::available() {
        for band_sc in [12, 24, n_sc, 3] {
            let (mut ap, w, grid) = banded(n_tx, &x, band_sc, backend);
            let reference = reference_grid(&w, band_sc, &x);
            let mut one = Array2::from_elem((n_tx, n_sc), C32::new(f32::NAN, 0.0));
            for l in 0..n_sym {
                ap.process_symbol(w.view(), band_sc, l, x.view(), one.view_mut())
                    .unwrap();
                let from_grid = grid.slice(s![.., l, ..]);
                // Both calls in place on the SIMD backends (the scalar backend's grid call
                // takes its planes path below 24 subcarriers).
                if band_sc >= 24 || (backend != Backend::Scalar && band_sc >= 12) {
                    assert_eq!(one, from_grid, "{backend} band {band_sc} symbol {l}");
                }
                close_symbol(&one, &reference, l);
            }
            // A layer grid not in standard layout (every other symbol of a larger one) goes
            // per band in pieces of at most `max_cols` subcarriers.
            let big = Array3::from_shape_fn((k, 2 * n_sym, n_sc), |(a, b, c)| x[[a, b / 2, c]]);
            let mut narrow = PrecoderApplier::new(n_tx, k, 10)
                .unwrap()
                .with_kernels(Kernels::with_backend(backend).unwrap());
            for l in [0, 5, 13] {
                narrow
                    .process_symbol(
                        w.view(),
                        band_sc,
                        l,
                        big.slice(s![.., ..;2, ..]),
                        one.view_mut(),
                    )
                    .unwrap();
                close_symbol(&one, &reference, l);
            }
            assert!(matches!(
                ap.process_symbol(w.view(), band_sc, n_sym, x.view(), one.view_mut()),
                Err(massive_mimo::Error::InvalidParameter { name: "symbol", .. })
            ));
            let mut wrong = Array2::zeros((n_tx, n_sc - 1));
            assert_eq!(
                support::err::name(ap.process_symbol(
                    w.view(),
                    band_sc,
                    0,
                    x.view(),
                    wrong.view_mut()
                )),
                "y [n_tx, n_sc]"
            );
        }
    }
}

/// `process_symbol` over several bands of PRGs (64 × 16 weights: 8 KiB a PRG, so a 256 KiB
/// band holds 32 of the 80 PRGs): each band's weights, columns and output land where the grid
/// call puts them, bit for bit.
#[test]
fn one_symbol_over_several_weight_bands_matches_the_grid_call() {
    let (n_tx, k, n_sym, n_sc) = (64, 16, 14, 960);
    let x = Array3::from_shape_fn((k, n_sym, n_sc), |(a, b, c)| val(a, b, c));
    for backend in Backend::available() {
        for band_sc in [12, 24] {
            let (mut ap, w, grid) = banded(n_tx, &x, band_sc, backend);
            let mut one = Array2::from_elem((n_tx, n_sc), C32::new(f32::NAN, 0.0));
            for l in [0, 7, 13] {
                ap.process_symbol(w.view(), band_sc, l, x.view(), one.view_mut())
                    .unwrap();
                if band_sc >= 24 || backend != Backend::Scalar {
                    assert_eq!(
                        one,
                        grid.slice(s![.., l, ..]),
                        "{backend} band {band_sc} symbol {l}"
                    );
                } else {
                    close_symbol(&one, &grid, l);
                }
            }
        }
    }
}

#[test]
fn bad_shapes_are_named() {
    assert_eq!(
        support::err::name(PrecoderApplier::new(0, 2, 4)),
        "(n_tx, k, max_cols)"
    );
    let mut ap = PrecoderApplier::new(4, 2, 28).unwrap();
    let x = Array3::zeros((2, 14, 24));
    let mut y = Array3::zeros((4, 14, 24));
    assert_eq!(
        support::err::name(ap.process_grid(
            Array3::zeros((1, 4, 2)).view(),
            1,
            x.view(),
            y.view_mut()
        )),
        "w [n_prg, n_tx, k]"
    );
    assert_eq!(
        support::err::name(ap.process_grid(
            Array3::zeros((2, 4, 3)).view(),
            1,
            x.view(),
            y.view_mut()
        )),
        "w [n_prg, n_tx, k]"
    );
    assert_eq!(
        support::err::name(ap.process_grid(
            Array3::zeros((2, 4, 2)).view(),
            1,
            Array3::zeros((3, 14, 24)).view(),
            y.view_mut()
        )),
        "x [k ≤ capacity, n_sym, n_sc]"
    );
    assert_eq!(
        support::err::name(ap.process_grid(
            Array3::zeros((2, 4, 2)).view(),
            1,
            x.view(),
            Array3::zeros((4, 13, 24)).view_mut()
        )),
        "y [n_tx, n_sym, n_sc]"
    );
    ap.process_grid(Array3::zeros((2, 4, 2)).view(), 1, x.view(), y.view_mut())
        .unwrap();
    // max_cols only bounds the pieces of strided views: a small one still takes the slot.
    let mut small = PrecoderApplier::new(4, 2, 10).unwrap();
    small
        .process_grid(Array3::zeros((2, 4, 2)).view(), 1, x.view(), y.view_mut())
        .unwrap();
    assert_eq!(
        support::err::name(ap.process(
            Array3::zeros((3, 4, 2)).view(),
            Array3::zeros((3, 2, 29)).view(),
            Array3::zeros((3, 4, 29)).view_mut()
        )),
        "x [n_prb, k, n_re (1..=max_cols)]"
    );
}

#[test]
fn grid_application_on_listed_symbols_matches_the_reference_and_leaves_the_others() {
    // `process_grid_symbols`: uplink detection skips the DMRS symbols. Detection-shaped (more
    // inputs than outputs: the pair tile, pairs of symbols 1 to 5 apart) and precoding-shaped
    // matrices; weight bands of 3 (split planes: runs of consecutive symbols), 12 and 24
    // subcarriers; GEMM pieces of 10 columns (the general path); every backend. Rows of the
    // listed symbols equal the reference (the same tolerance as the whole-grid test), every
    // other row keeps the sentinel it held.
    let sentinel = C32::new(7.0, -7.0);
    for (n_tx, k) in [(4, 10), (12, 5)] {
        let (n_sym, n_sc) = (14, 72);
        let x = Array3::from_shape_fn((k, n_sym, n_sc), |(a, b, c)| val(a, b, c));
        for backend in Backend::available() {
            for (band_sc, max_cols) in [(12, 14 * 12), (3, 14 * 12), (24, 14 * 24), (12, 10)] {
                let n_bands = n_sc.div_ceil(band_sc);
                let w = Array3::from_shape_fn((n_bands, n_tx, k), |(a, b, c)| val(b, c, a + 3));
                let reference = reference_grid(&w, band_sc, &x);
                let mut ap = PrecoderApplier::new(n_tx, k, max_cols)
                    .unwrap()
                    .with_kernels(Kernels::with_backend(backend).unwrap());
                for list in [
                    &[0usize, 1, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13][..],
                    &[0, 2, 3, 8, 13],
                    &[6],
                    &[],
                ] {
                    let mut y = Array3::from_elem((n_tx, n_sym, n_sc), sentinel);
                    ap.process_grid_symbols(w.view(), band_sc, list, x.view(), y.view_mut())
                        .unwrap();
                    for l in 0..n_sym {
                        let got = y.slice(s![.., l, ..]).to_owned();
                        if list.contains(&l) {
                            let want = reference.slice(s![.., l, ..]).to_owned();
                            let err = got
                                .iter()
                                .zip(&want)
                                .map(|(a, b)| (a - b).norm())
                                .fold(0.0f32, f32::max);
                            assert!(
                                err < 1e-4,
                                "{backend:?} {band_sc} {list:?}: symbol {l} {err}"
                            );
                        } else {
                            assert!(
                                got.iter().all(|v| *v == sentinel),
                                "{backend:?} {band_sc} {list:?}: symbol {l} written"
                            );
                        }
                    }
                }
                // Out of order, repeated, or out of range: refused, naming the list.
                let mut y = Array3::zeros((n_tx, n_sym, n_sc));
                for bad in [&[3usize, 2][..], &[4, 4], &[0, 14]] {
                    let r = ap.process_grid_symbols(w.view(), band_sc, bad, x.view(), y.view_mut());
                    assert_eq!(support::err::name(r), "symbols", "{bad:?}");
                }
            }
        }
    }
}
