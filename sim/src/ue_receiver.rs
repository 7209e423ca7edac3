//! A multi-antenna user's downlink receiver: how it combines its receive antennas for its one
//! layer, and how the base station learns the channels of those antennas.
//!
//! The user estimates, per subcarrier and receive antenna, the precoded channel of every UE-RS
//! / DMRS port of its scrambling set (the ports it can separate by orthogonal cover) with the
//! library's [`massive_mimo::estimation::ChannelEstimator`]; ĝ_p ∈ ℂᴿ is port p's estimate at
//! one RE over the R antennas, ĝ its own port's, y the received vector, σ̂_r² the noise the
//! estimator measured on antenna r's pilots.
//!
//! * [`UeReceiver::Mrc`]: maximum-ratio combining with the one-tap MMSE scale,
//!   x̂ = (Σ_r ĝ_r*·y_r/σ̂_r²) / (Σ_r |ĝ_r|²/σ̂_r² + 1), σ̂_r² the noise measured on antenna r's
//!   pilots — interference treated as white noise (with one antenna: the one-tap MMSE
//!   ĝ*y / (|ĝ|² + σ̂²));
//! * [`UeReceiver::Irc`]: MMSE interference rejection combining (the "MMSE-IRC" UE receiver
//!   of 3GPP TR 36.829), x̂ = ĝᴴ(Σ_{p∈set} ĝ_pĝ_pᴴ + R̂)⁻¹y with the co-scheduled ports of its
//!   own set from their estimates and R̂ the R × R covariance of the pilot residuals
//!   y − Σ_p ĝ_p·x_p over the PRB's UE-RS REs (noise plus what the other scrambling sets'
//!   beams leak, on the same REs as their data), its diagonal floored 30 dB below its mean.
//!   With one antenna it is the MRC above.
//!
//! [`UeEstimation`] says how far the user's frequency filter reaches: across the whole
//! allocation (as if the precoded channel were smooth in frequency), or inside each PRG only —
//! the units the base station precodes with (`CellScenario::prg_prbs`: 36.213 §7.1.6.5 PRB
//! bundling, 38.214 §5.1.2.3 PRGs) —, with LTE's length-4 UE-RS cover (ports 11 / 13)
//! de-spread over the subframe's four UE-RS symbols per subcarrier
//! ([`massive_mimo::estimation::CoverSpan::Time`]) so that no estimate mixes two PRBs.
//!
//! [`SrsAntennas`] says which antennas the user sounds: its transmit antenna only (the BS
//! beams to antenna 0's channel, the other antennas only combine), or all of them in turn
//! (SRS antenna switching, 38.214 §6.2.1.2 "1T2R / 1T4R", 36.213 §8.2): the base station then
//! knows Ĥ_u (R × M) per PRB and precodes toward its dominant direction — the row σ₁u₁ᴴĤ_u
//! of its largest singular value (eigen-based zero-forcing: RZF over those rows; L. Sun and
//! M. R. McKay, "Eigen-based transceivers for the MIMO broadcast channel with semi-orthogonal
//! user selection", IEEE Trans. Signal Process. 58(10), 2010), which the user's IRC/MRC
//! combiner then recovers.

use massive_mimo::linalg::{HermitianEigen, solve_hermitian};
use massive_mimo::{C32, Error, Result};
use num_complex::Complex64;

/// How a user combines its receive antennas ([module documentation](self)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum UeReceiver {
    /// Maximum-ratio combining, one-tap MMSE scale.
    Mrc,
    /// MMSE interference rejection combining.
    #[default]
    Irc,
}

impl UeReceiver {
    /// By name: `mrc` or `irc`. Errors: another name (`InvalidParameter` naming
    /// `ue_receiver`).
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "mrc" => Ok(Self::Mrc),
            "irc" => Ok(Self::Irc),
            _ => Err(Error::InvalidParameter {
                name: "ue_receiver",
                value: massive_mimo::value!("{name:?}"),
                reason: "mrc or irc",
            }),
        }
    }
}

/// How far a user's UE-RS / DMRS frequency filter reaches ([module documentation](self)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum UeEstimation {
    /// One filter across the allocation, CDM blocks of adjacent subcarriers (the estimator's
    /// defaults): right for weights that change smoothly across the band, wrong at every PRG
    /// edge where the weights jump.
    Wideband,
    /// Estimation inside each PRG: the estimator's per-range mode on the PRGs, the LTE OCC-4
    /// cover de-spread in time so that every estimate stays inside its PRB.
    #[default]
    PerPrg,
}

impl UeEstimation {
    /// By name: `wideband` or `prg`. Errors: another name (`InvalidParameter` naming
    /// `ue_estimation`).
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "wideband" => Ok(Self::Wideband),
            "prg" => Ok(Self::PerPrg),
            _ => Err(Error::InvalidParameter {
                name: "ue_estimation",
                value: massive_mimo::value!("{name:?}"),
                reason: "wideband or prg",
            }),
        }
    }
}

/// Which of a user's antennas send SRS ([module documentation](self)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SrsAntennas {
    /// Antenna 0 only (a user with one transmit chain and no antenna switching).
    #[default]
    First,
    /// Every receive antenna, each its own SRS resource in the same sounding (antenna
    /// switching); the weights follow each user's dominant eigen-direction.
    Switching,
}

/// The MRC output for the estimates `g`, received samples `y` and noise variances `noise_var`
/// (one each per antenna): with one antenna ĝ*y / (|ĝ|² + σ̂²), with more
/// (Σ ĝ_r*·y_r/σ̂_r²) / (Σ |ĝ_r|²/σ̂_r² + 1) (antennas with σ̂² = 0 then take the lowest
/// positive σ̂², or 1 if there is none). 0 where the denominator is not positive.
pub fn mrc(g: &[C32], y: &[C32], noise_var: &[f32]) -> C32 {
    let zero = C32::new(0.0, 0.0);
    if let ([g], [y], [nv]) = (g, y, noise_var) {
        let den = g.norm_sqr() + nv;
        return if den > 0.0 { g.conj() * y / den } else { zero };
    }
    let floor = noise_var
        .iter()
        .copied()
        .filter(|v| *v > 0.0)
        .fold(f32::INFINITY, f32::min);
    let floor = if floor.is_finite() { floor } else { 1.0 };
    let mut num = zero;
    let mut den = 1.0f32;
    for ((g, y), nv) in g.iter().zip(y).zip(noise_var) {
        let inv = 1.0 / if *nv > 0.0 { *nv } else { floor };
        num += g.conj() * y * inv;
        den += g.norm_sqr() * inv;
    }
    if den > 0.0 { num / den } else { zero }
}

/// The work buffers of the IRC combiner for `n` antennas (allocated once).
#[derive(Clone, Debug)]
pub struct IrcCombiner {
    n: usize,
    a: Vec<Complex64>,
    w: Vec<Complex64>,
}

impl IrcCombiner {
    /// Buffers for `n` ≥ 1 antennas.
    pub fn new(n: usize) -> Self {
        let z = Complex64::new(0.0, 0.0);
        Self {
            n,
            a: vec![z; n * n],
            w: vec![z; n],
        }
    }

    /// x̂ = ĝᴴ(Σ_p ĝ_pĝ_pᴴ + R)⁻¹y: `ports` the set's estimates [n_ports, n] row-major
    /// (`own` among them), `r` the residual covariance (n × n row-major, Hermitian positive
    /// definite), `y` the received samples (n). 0 where the system is not positive definite.
    pub fn combine(&mut self, ports: &[C32], own: usize, r: &[Complex64], y: &[C32]) -> C32 {
        self.a.copy_from_slice(r);
        if !self.solve(ports, None, own) {
            return C32::new(0.0, 0.0);
        }
        let x: Complex64 = self.w.iter().zip(y).map(|(w, y)| w.conj() * c64(*y)).sum();
        C32::new(x.re as f32, x.im as f32)
    }

    /// The MMSE-IRC SINR gᴴ(Σ_{p≠own} g_pg_pᴴ + σ²I)⁻¹g of port `own` among `ports` [n_ports,
    /// n] (known channels: what an ideal linear receiver reaches), with noise variance
    /// `noise_var` per antenna. With one antenna |g|²/(Σ_{p≠own}|g_p|² + σ²). When the
    /// interference-plus-noise covariance is singular (no noise, interference spanning less than
    /// the antennas) the SINR is unbounded: 1e12 is returned.
    pub fn sinr(&mut self, ports: &[C32], own: usize, noise_var: f64) -> f64 {
        let n = self.n;
        self.a.fill(Complex64::new(0.0, 0.0));
        for i in 0..n {
            self.a[i * (n + 1)] = Complex64::new(noise_var, 0.0);
        }
        if !self.solve(ports, Some(own), own) {
            return 1e12;
        }
        ports[own * n..(own + 1) * n]
            .iter()
            .zip(&self.w)
            .map(|(g, x)| (c64(*g).conj() * x).re)
            .sum::<f64>()
            .max(0.0)
    }

    /// Solves (R + Σ_{p ≠ skip} ĝ_pĝ_pᴴ)·w = ĝ_rhs into `self.w`, with R already in `self.a`
    /// (only the lower triangle is assembled: the Cholesky solve reads no more); false when not
    /// positive definite.
    fn solve(&mut self, ports: &[C32], skip: Option<usize>, rhs: usize) -> bool {
        let n = self.n;
        for (p, g) in ports.chunks_exact(n).enumerate() {
            if Some(p) == skip {
                continue;
            }
            for (i, gi) in g.iter().enumerate() {
                let gi = c64(*gi);
                for (a, gj) in self.a[i * n..=i * n + i].iter_mut().zip(g) {
                    *a += gi * c64(*gj).conj();
                }
            }
        }
        for (w, g) in self.w.iter_mut().zip(&ports[rhs * n..(rhs + 1) * n]) {
            *w = c64(*g);
        }
        solve_hermitian(&mut self.a, n, &mut self.w).is_ok()
    }
}

/// The sample covariance (1/N)·Σ e·eᴴ of the residual vectors `residuals` (each n long) into
/// `r` (n × n row-major), each diagonal entry raised to at least `relative_floor` × the mean
/// diagonal (a zero covariance — no residual, or all zero — becomes f64::MIN_POSITIVE·I).
pub fn residual_covariance<'a>(
    residuals: impl IntoIterator<Item = &'a [C32]>,
    n: usize,
    relative_floor: f64,
    r: &mut [Complex64],
) {
    r.fill(Complex64::new(0.0, 0.0));
    let mut count = 0usize;
    for e in residuals {
        count += 1;
        for i in 0..n {
            for j in 0..n {
                r[i * n + j] += c64(e[i]) * c64(e[j]).conj();
            }
        }
    }
    let scale = 1.0 / count.max(1) as f64;
    r.iter_mut().for_each(|v| *v *= scale);
    let mean = (0..n).map(|i| r[i * (n + 1)].re).sum::<f64>() / n as f64;
    let floor = (relative_floor * mean).max(f64::MIN_POSITIVE);
    for i in 0..n {
        let d = &mut r[i * (n + 1)];
        if d.re < floor {
            *d = Complex64::new(floor, 0.0);
        }
    }
}

/// The row σ₁·u₁ᴴ·H of `h` (R × M row-major, one user's channel estimates on its R antennas)
/// for its largest singular value, into `out` (M): the effective single-layer channel when the
/// user combines with u₁. u₁'s phase is free; it is fixed so that the user's effective channel
/// stays continuous across frequency (what its estimator interpolates over): u₁ᴴ·`u_prev`
/// real and positive when `u_prev` (R; the previous position's u₁, written back here) overlaps
/// it by more than 0.1, else u₁'s first entry of magnitude ≥ 1/√R real and positive. A zero
/// `u_prev` means no previous position. `eigen` must hold order R.
pub fn dominant_row(
    h: &[C32],
    n_rx: usize,
    eigen: &mut HermitianEigen,
    gram: &mut Vec<Complex64>,
    u_prev: &mut [Complex64],
    out: &mut [C32],
) -> Result<()> {
    let m = out.len();
    gram.clear();
    gram.resize(n_rx * n_rx, Complex64::new(0.0, 0.0));
    for i in 0..n_rx {
        for j in 0..n_rx {
            gram[i * n_rx + j] = (0..m)
                .map(|a| c64(h[i * m + a]) * c64(h[j * m + a]).conj())
                .sum();
        }
    }
    eigen.compute(gram, n_rx)?;
    let v = eigen.vectors();
    // Column 0 = the dominant eigenvector u₁ of H·Hᴴ.
    let u1 = |i: usize| v[i * n_rx];
    let overlap: Complex64 = (0..n_rx).map(|i| u1(i).conj() * u_prev[i]).sum();
    let reference = if overlap.norm() > 0.1 {
        overlap.conj()
    } else {
        let threshold = 1.0 / (n_rx as f64).sqrt() - 1e-9;
        (0..n_rx)
            .map(u1)
            .find(|x| x.norm() >= threshold)
            .unwrap_or(Complex64::new(1.0, 0.0))
    };
    // u₁ → u₁·phase with phase = conj(reference)/|reference|: the reference becomes real ≥ 0.
    let phase = if reference.norm() > 0.0 {
        reference.conj() / reference.norm()
    } else {
        Complex64::new(1.0, 0.0)
    };
    for (i, p) in u_prev.iter_mut().enumerate() {
        *p = u1(i) * phase;
    }
    for (a, o) in out.iter_mut().enumerate() {
        // (u₁ᴴH)_a = Σ_i conj(u₁,i)·H_ia.
        let x: Complex64 = (0..n_rx)
            .map(|i| u_prev[i].conj() * c64(h[i * m + a]))
            .sum();
        *o = C32::new(x.re as f32, x.im as f32);
    }
    Ok(())
}

fn c64(v: C32) -> Complex64 {
    Complex64::new(v.re as f64, v.im as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(re: f32, im: f32) -> C32 {
        C32::new(re, im)
    }

    #[test]
    fn mrc_is_the_one_tap_mmse_with_one_antenna_and_sums_with_more() {
        let (g, y) = (c(0.6, -0.8), c(1.5, 0.5));
        assert_eq!(
            mrc(&[g], &[y], &[0.25]),
            g.conj() * y / (g.norm_sqr() + 0.25)
        );
        assert_eq!(mrc(&[c(0.0, 0.0)], &[y], &[0.0]), c(0.0, 0.0));
        // Two antennas, x = 2: ĝ = (1, i), σ² = (0.01, 0.04): (2/0.01 + 2/0.04)/(1/0.01 +
        // 1/0.04 + 1) = 250/126.
        let g2 = [c(1.0, 0.0), c(0.0, 1.0)];
        let y2 = [c(2.0, 0.0), c(0.0, 2.0)];
        let x = mrc(&g2, &y2, &[0.01, 0.04]);
        assert!((x - c(250.0 / 126.0, 0.0)).norm() < 1e-5, "{x}");
        // Equal noise: the one-tap MMSE of the combined gain, 2·‖ĝ‖²/(‖ĝ‖² + σ²).
        let x = mrc(&g2, &y2, &[0.5, 0.5]);
        assert!((x - c(4.0 / 2.5, 0.0)).norm() < 1e-6, "{x}");
        // A noiseless antenna takes the other's σ²; none positive: 1.
        let x = mrc(&g2, &y2, &[0.0, 0.5]);
        assert!((x - c(4.0 / 2.5, 0.0)).norm() < 1e-6, "{x}");
        let x = mrc(&g2, &y2, &[0.0, 0.0]);
        assert!((x - c(4.0 / 3.0, 0.0)).norm() < 1e-6, "{x}");
    }

    #[test]
    fn irc_nulls_an_interferer_that_mrc_does_not() {
        // Two antennas; own port g = (1, 0.5), interferer of the set i = (1, −1) with power 1,
        // tiny residual noise: the IRC output of y = g·x + i·z is ≈ x·β for any z (β the MMSE
        // bias ĝᴴA⁻¹ĝ < 1), the MRC output moves with z.
        let g = [c(1.0, 0.0), c(0.5, 0.0)];
        let i = [c(1.0, 0.0), c(-1.0, 0.0)];
        let nv = 1e-4;
        let r = [
            Complex64::new(nv, 0.0),
            Complex64::new(0.0, 0.0),
            Complex64::new(0.0, 0.0),
            Complex64::new(nv, 0.0),
        ];
        let mut irc = IrcCombiner::new(2);
        let x = c(0.7, -0.7);
        let mut outs = Vec::new();
        for z in [c(0.0, 0.0), c(3.0, 1.0), c(-2.0, 4.0)] {
            let y: Vec<C32> = g.iter().zip(&i).map(|(g, i)| g * x + i * z).collect();
            let ports = [g[0], g[1], i[0], i[1]];
            outs.push((irc.combine(&ports, 0, &r, &y), mrc(&g, &y, &[nv as f32; 2])));
        }
        // The interferer's leakage through the IRC filter is ≈ nv-sized (it sits in the
        // filter's null up to the loading): the outputs agree to 1e-3 of |x|.
        for (a, _) in &outs[1..] {
            assert!((a - outs[0].0).norm() < 1e-3, "{a} vs {}", outs[0].0);
        }
        assert!((outs[1].1 - outs[0].1).norm() > 0.5, "MRC moved {:?}", outs);
        // Singular (no residual and no ports' energy): 0.
        let zero = [Complex64::new(0.0, 0.0); 4];
        assert_eq!(
            irc.combine(&[c(0.0, 0.0), c(0.0, 0.0)], 0, &zero, &[x, x]),
            c(0.0, 0.0)
        );
    }

    #[test]
    fn sinr_is_the_closed_form() {
        // One antenna: |g|²/(Σ_{p≠own}|g_p|² + σ²) = 4/(1 + 0.25 + 0.5).
        let mut one = IrcCombiner::new(1);
        let s = one.sinr(&[c(2.0, 0.0), c(0.0, 1.0), c(0.5, 0.0)], 0, 0.5);
        assert!((s - 4.0 / 1.75).abs() < 1e-12, "{s}");
        // Two antennas, own g = (1, 0), interferer (0, 1) orthogonal to it: only the noise
        // counts, |g|²/σ² = 1/0.1.
        let mut two = IrcCombiner::new(2);
        let ports = [c(1.0, 0.0), c(0.0, 0.0), c(0.0, 0.0), c(0.0, 1.0)];
        assert!((two.sinr(&ports, 0, 0.1) - 10.0).abs() < 1e-12);
        // No noise and a rank-1 interferer on two antennas: unbounded, capped.
        assert_eq!(two.sinr(&ports, 0, 0.0), 1e12);
    }

    #[test]
    fn residual_covariance_is_the_sample_covariance_floored() {
        let e = [[c(1.0, 0.0), c(0.0, 1.0)], [c(1.0, 0.0), c(0.0, -1.0)]];
        let mut r = [Complex64::new(9.0, 9.0); 4];
        residual_covariance(e.iter().map(|v| &v[..]), 2, 0.0, &mut r);
        // (1/2)·Σ e·eᴴ: diagonal 1, 1; off-diagonal (1·conj(i) + 1·conj(−i))/2 = 0.
        let z = Complex64::new(0.0, 0.0);
        assert_eq!(
            r,
            [Complex64::new(1.0, 0.0), z, z, Complex64::new(1.0, 0.0)]
        );
        // Diagonal 4 and 0.01 (mean 2.005): a floor of 0.1 × the mean lifts the second only.
        let e = [[c(2.0, 0.0), c(0.1, 0.0)], [c(2.0, 0.0), c(-0.1, 0.0)]];
        residual_covariance(e.iter().map(|v| &v[..]), 2, 0.1, &mut r);
        assert_eq!(r[0].re, 4.0);
        assert!((r[3].re - 0.2005).abs() < 1e-8, "{}", r[3]); // 0.1f32² is not exact
        residual_covariance(std::iter::empty(), 2, 0.5, &mut r);
        assert_eq!(
            (r[0].re, r[1], r[3].re),
            (f64::MIN_POSITIVE, z, f64::MIN_POSITIVE)
        );
    }

    #[test]
    fn dominant_row_is_the_largest_singular_direction() {
        // H = u·vᴴ·3 + 0.1·(another rank-1 term): the row's norm is σ₁ (to the small term's
        // perturbation) and it is parallel to H's dominant right singular vector; with a
        // rank-1 H the row is exactly σ₁·vᴴ up to the fixed phase.
        let (n_rx, m) = (2, 4);
        let u = [c(0.6, 0.0), c(0.0, 0.8)];
        let v = [c(0.5, 0.0), c(0.5, 0.0), c(0.0, 0.5), c(-0.5, 0.0)];
        let h: Vec<C32> = (0..n_rx * m)
            .map(|k| u[k / m] * v[k % m].conj() * 3.0)
            .collect();
        let mut eigen = HermitianEigen::new(4).unwrap();
        let mut gram = Vec::new();
        let mut row = vec![c(0.0, 0.0); m];
        let zero = Complex64::new(0.0, 0.0);
        let mut u_prev = vec![zero; n_rx];
        dominant_row(&h, n_rx, &mut eigen, &mut gram, &mut u_prev, &mut row).unwrap();
        let norm = row.iter().map(|x| x.norm_sqr()).sum::<f32>().sqrt();
        assert!((norm - 3.0).abs() < 1e-5, "{norm}");
        let overlap: C32 = row.iter().zip(&v).map(|(r, v)| r * v).sum();
        assert!((overlap.norm() - 3.0).abs() < 1e-5, "{overlap}");
        // The phase reference: u₁'s first entry of magnitude ≥ 1/√2 is u's second (0.8i);
        // rotated real positive, u₁ = (−0.6i, 0.8), so the row is conj(u₁)ᵀH = 3·vᴴ·(0.6·0.6
        // + 0.8·0.8)·e^{…}: compare with that exact row.
        let u1 = [c(0.0, -0.6), c(0.8, 0.0)];
        for a in 0..m {
            let want: C32 = (0..n_rx).map(|i| u1[i].conj() * h[i * m + a]).sum();
            assert!((row[a] - want).norm() < 1e-5, "{a}: {} vs {want}", row[a]);
        }
        assert!(
            (u_prev[0] - Complex64::new(0.0, -0.6)).norm() < 1e-9,
            "{u_prev:?}"
        );
        // The next position: u's first entry turned by 0.3 rad (u₁ changes, a little). The
        // aligned u₁ keeps u₁ᴴ·u_prev real and positive, and the row is u₁ᴴ·H₂ with it.
        let u_old = u_prev.clone();
        let u2 = [C32::from_polar(0.6, 0.3), c(0.0, 0.8)];
        let h2: Vec<C32> = (0..n_rx * m)
            .map(|k| u2[k / m] * v[k % m].conj() * 3.0)
            .collect();
        let mut row2 = vec![c(0.0, 0.0); m];
        dominant_row(&h2, n_rx, &mut eigen, &mut gram, &mut u_prev, &mut row2).unwrap();
        let overlap: Complex64 = (0..n_rx).map(|i| u_prev[i].conj() * u_old[i]).sum();
        assert!(overlap.re > 0.9 && overlap.im.abs() < 1e-9, "{overlap}");
        for a in 0..m {
            let want: C32 = (0..n_rx)
                .map(|i| {
                    let ui = C32::new(u_prev[i].re as f32, u_prev[i].im as f32);
                    ui.conj() * h2[i * m + a]
                })
                .sum();
            assert!((row2[a] - want).norm() < 1e-5, "{a}");
        }
        // Without a previous u₁ the first-large-entry rule decides (0.8i → 0.8): another phase.
        u_prev.fill(zero);
        dominant_row(&h2, n_rx, &mut eigen, &mut gram, &mut u_prev, &mut row2).unwrap();
        assert!(
            (u_prev[1] - Complex64::new(0.8, 0.0)).norm() < 1e-6,
            "{u_prev:?}"
        );
    }
}
