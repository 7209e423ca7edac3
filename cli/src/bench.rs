//! `mimo bench`: the throughput report — the machine's single-core peak and memory bandwidth,
//! every hot block at the reference sizes (time, GFLOP/s, share of the peak, speed-up over a
//! plain baseline measured in the same run), the cores one carrier needs in real time, and the
//! multi-carrier scaling on 1 and 2 threads.

use std::time::{Duration, Instant};

use massive_mimo::C32;
use massive_mimo::modulation::Modulation;
use massive_mimo::ofdm::Standard;
use massive_mimo::simd::{Backend, Kernels, LineVec};
use massive_mimo_tools::perf::fixture::{
    CARRIERS, Carrier, ChainStep, DOWNLINK_DU, N_ANT, N_LAYERS, N_SYM, SUB_PRB_FILTER_SC,
    SlotFixture, UPLINK, UPLINK_DU,
};
use massive_mimo_tools::perf::{measure_cases, measure_peak, simd_cases, time_per_call};
use ndarray::{Array2, Array3};
use serde_json::{Value, json};

/// Flops of the blocks (8 per complex multiply-add; Hermitian halves counted once).
fn flops(name: &str, c: Carrier, data_sym: usize) -> f64 {
    let (n, k) = (N_ANT as f64, N_LAYERS as f64);
    let n_sc = (12 * c.n_prb) as f64;
    let prb = c.n_prb as f64;
    let res = n_sc * N_SYM as f64;
    // The uplink's detection and demapping run on the data symbols only.
    let data = n_sc * data_sym as f64;
    match name {
        "precoder_weights" => 8.0 * prb * (k * (k + 1.0) / 2.0 * n + k * k * k / 6.0 + k * k * n),
        "precoder_apply" => 8.0 * n * k * res,
        "mmse_detection" => {
            8.0 * (n * k * data
                + prb * (k * (k + 1.0) / 2.0 * n + k * k * k / 6.0 + k * k * k / 3.0 + k * k * n))
        }
        // The same application, the filter design per band of 3 subcarriers (4 per PRB).
        "mmse_detection_3sc" => {
            let bands = n_sc / SUB_PRB_FILTER_SC as f64;
            8.0 * (n * k * data
                + bands * (k * (k + 1.0) / 2.0 * n + k * k * k / 6.0 + k * k * k / 3.0 + k * k * n))
        }
        // 16-tap LMMSE window per output (one per PRB) + the LS de-spreading of every pilot RE
        // (ports × pilot REs multiply-adds per antenna: SRS 16 users on n_sc/4 REs per comb
        // group of 4; DMRS 12 ports, 4 per group, on 2 symbols × n_sc/3 REs per group).
        "srs_estimation" => 8.0 * n * (16.0 * k * prb + 4.0 * n_sc),
        // Per antenna: 4 inverse DFTs of M = n_sc/4 points and, per-PRB output decimated, 16
        // forward DFTs of M/3 points (5·N·log2 N real flops each) — the work the estimator
        // does now; before issue 16's decimation the forward DFTs had M points.
        "srs_delay_domain" => {
            let (m, p) = (n_sc / 4.0, n_sc / 12.0);
            n * 5.0 * (4.0 * m * m.log2() + 16.0 * p * p.log2())
        }
        "dmrs_estimation" => 8.0 * n * (16.0 * 12.0 * prb + 4.0 * 2.0 * n_sc),
        "ofdm_modulate" | "ofdm_demodulate" => {
            let f = c.n_fft as f64;
            n * N_SYM as f64 * 5.0 * f * f.log2()
        }
        // Max-log per axis: 16 levels × (subtract, square, compare) × 2 axes per symbol.
        "qam_demap_256qam" | "qam_demap_256qam_i8" => 96.0 * k * data,
        _ => f64::NAN,
    }
}

/// Bytes a block reads and writes at least once per call — its inputs and outputs at their
/// sizes, each counted once (grid symbols read in whole rows: the SRS comb and the DMRS
/// pilots share every 64-byte line with other REs) — the traffic it needs if nothing were in
/// the cache. `samples`: one antenna's waveform per slot. 8 bytes per complex value, 4 per
/// f32 (LLRs, per-symbol noise), 1 per int8 LLR.
fn bytes(name: &str, c: Carrier, samples: usize, data_sym: usize) -> f64 {
    const C: f64 = 8.0;
    let (n, k) = (N_ANT as f64, N_LAYERS as f64);
    let n_sc = (12 * c.n_prb) as f64;
    let prb = c.n_prb as f64;
    let res = n_sc * N_SYM as f64;
    let data = n_sc * data_sym as f64;
    match name {
        // H [prb, k, n] in, W [prb, n, k] out.
        "precoder_weights" => 2.0 * prb * k * n * C,
        // Layers [k, sym, sc] and the PRG weights in, the antenna grid [n, sym, sc] out.
        "precoder_apply" => (k * res + (prb / 2.0).ceil() * n * k + n * res) * C,
        // The antenna grid's data symbols and the channels in, the layers out.
        "mmse_detection" => (n * data + prb * k * n + k * data) * C,
        "mmse_detection_3sc" => (n * data + n_sc / SUB_PRB_FILTER_SC as f64 * k * n + k * data) * C,
        // The SRS symbol of every antenna in, 16 users' per-PRB estimates out.
        "srs_estimation" | "srs_delay_domain" => (n * n_sc + k * n * prb) * C,
        // The two DMRS symbols of every antenna in, 12 ports' per-PRB estimates out.
        "dmrs_estimation" => (n * 2.0 * n_sc + 12.0 * n * prb) * C,
        // The whole antenna grid in, nothing out.
        "grid_screening" => n * res * C,
        // One BFP-9 U-plane message per antenna and symbol in (4 + 6 header bytes, 28 per
        // PRB), the antenna grid out.
        "uplane_receive" => n * N_SYM as f64 * (10.0 + 28.0 * prb) + n * res * C,
        // The antenna grid in, one BFP-9 U-plane message per antenna and symbol out.
        "uplane_transmit" => n * res * C + n * N_SYM as f64 * (10.0 + 28.0 * prb),
        // Symbols and their noise in, 8 LLRs per symbol out.
        "qam_demap_256qam" => k * data * (C + 4.0 + 8.0 * 4.0),
        "qam_demap_256qam_i8" => k * data * (C + 4.0 + 8.0),
        // The antenna grid in, the waveforms out (and the reverse).
        "ofdm_modulate" | "ofdm_demodulate" => n * (res + samples as f64) * C,
        _ => f64::NAN,
    }
}

/// What a chain of blocks needs at least on the machine the report measured, from the
/// report's own counts ([`flops`], [`bytes`]).
struct ChainFloor {
    /// Σ of the blocks' operations at the measured single-core peak (a block without an
    /// operation count — the U-plane codec's — adds nothing): a true lower bound of the chain's
    /// time on this core.
    compute: f64,
    /// Σ over the blocks of the larger of their compute floor and their bytes (inputs and
    /// outputs once each) at the measured copy rate — the roofline time if every block's
    /// data came from memory. Not a bound where data stays in the cache from block to block.
    roofline: f64,
}

impl ChainFloor {
    fn of<'a>(
        names: impl Iterator<Item = &'a str>,
        c: Carrier,
        samples: usize,
        data_sym: usize,
        peak_gflops: f64,
        copy_gbps: f64,
    ) -> Self {
        let mut floor = ChainFloor {
            compute: 0.0,
            roofline: 0.0,
        };
        for name in names {
            let ops = flops(name, c, data_sym) / (peak_gflops * 1e9);
            let ops = if ops.is_finite() { ops } else { 0.0 };
            let traffic = bytes(name, c, samples, data_sym) / (copy_gbps * 1e9);
            floor.compute += ops;
            floor.roofline += if traffic.is_finite() {
                ops.max(traffic)
            } else {
                ops
            };
        }
        floor
    }
}

/// A plain baseline for each block, measured in the same run.
struct Baselines {
    scalar: SlotFixture,
}

fn nalgebra_rzf_prb(h: &Array3<C32>, m: usize) -> nalgebra::DMatrix<nalgebra::Complex<f32>> {
    let (_, k, n) = h.dim();
    let hm = nalgebra::DMatrix::from_fn(k, n, |i, j| {
        let x = h[[m, i, j]];
        nalgebra::Complex::new(x.re, x.im)
    });
    let g =
        &hm * hm.adjoint() + nalgebra::DMatrix::identity(k, k) * nalgebra::Complex::new(0.01, 0.0);
    let inv = g
        .try_inverse()
        .unwrap_or_else(|| nalgebra::DMatrix::identity(k, k));
    hm.adjoint() * inv
}

fn nalgebra_mmse_re(
    h: &Array3<C32>,
    y: &ndarray::ArrayView3<'_, C32>,
    g: usize,
    sc: usize,
) -> nalgebra::DVector<nalgebra::Complex<f32>> {
    let (_, l, r) = h.dim();
    let hm = nalgebra::DMatrix::from_fn(r, l, |i, j| {
        let x = h[[g, j, i]];
        nalgebra::Complex::new(x.re, x.im)
    });
    let yv = nalgebra::DVector::from_fn(r, |i, _| {
        let x = y[[i, 0, sc]];
        nalgebra::Complex::new(x.re, x.im)
    });
    let a =
        hm.adjoint() * &hm + nalgebra::DMatrix::identity(l, l) * nalgebra::Complex::new(0.05, 0.0);
    a.lu()
        .solve(&(hm.adjoint() * yv))
        .unwrap_or_else(|| nalgebra::DVector::zeros(l))
}

/// Exhaustive max-log over the 256 points (the plain demapper).
fn naive_demap(sym: &[C32], nv: f32, llr: &mut [f32]) {
    let mut pts = [C32::new(0.0, 0.0); 256];
    let bits: Vec<u8> = (0..256 * 8)
        .map(|i| ((i / 8) >> (7 - i % 8) & 1) as u8)
        .collect();
    let _ = massive_mimo::modulation::map(Modulation::Qam256, &bits, &mut pts);
    for (s, out) in sym.iter().zip(llr.chunks_exact_mut(8)) {
        let mut best = [[f32::INFINITY; 2]; 8];
        for (p, pt) in pts.iter().enumerate() {
            let d = (s - pt).norm_sqr() / nv;
            for (b, bb) in best.iter_mut().enumerate() {
                let bit = (p >> (7 - b)) & 1;
                bb[bit] = bb[bit].min(d);
            }
        }
        for (o, bb) in out.iter_mut().zip(&best) {
            *o = bb[1] - bb[0];
        }
    }
}

/// OFDM modulation with rustfft planned and its scratch allocated on every call.
fn naive_ofdm(c: Carrier, grid: &Array3<C32>, out: &mut Array2<C32>) {
    use rustfft::FftPlanner;
    let n_sc = 12 * c.n_prb;
    for a in 0..N_ANT {
        let mut pos = 0;
        for l in 0..N_SYM {
            let fft = FftPlanner::<f32>::new().plan_fft_inverse(c.n_fft);
            let mut buf = vec![C32::new(0.0, 0.0); c.n_fft];
            for k in 0..n_sc {
                let bin = (k + c.n_fft - n_sc / 2) % c.n_fft;
                buf[bin] = grid[[a, l, k]];
            }
            fft.process(&mut buf);
            let cp = if l % 7 == 0 { 160 } else { 144 } * c.n_fft / 2048;
            let row = out.row_mut(a);
            let row = row.into_slice().unwrap_or(&mut []);
            if pos + cp + c.n_fft <= row.len() {
                row[pos..pos + cp].copy_from_slice(&buf[c.n_fft - cp..]);
                row[pos + cp..pos + cp + c.n_fft].copy_from_slice(&buf);
            }
            pos += cp + c.n_fft;
        }
    }
}

/// Measured single-core memory bandwidth (copy of 64 MiB: read + write bytes per second).
pub fn memory_bandwidth(budget: Duration) -> f64 {
    let n = 8 << 20;
    let src = vec![1.0f64; n];
    let mut dst = vec![0.0f64; n];
    dst.copy_from_slice(&src); // fault the pages in first
    let start = std::time::Instant::now();
    let mut best = f64::INFINITY;
    while best.is_infinite() || start.elapsed() < budget {
        let t0 = std::time::Instant::now();
        dst.copy_from_slice(&src);
        std::hint::black_box(&mut dst);
        best = best.min(t0.elapsed().as_secs_f64());
    }
    2.0 * (n * 8) as f64 / best / 1e9
}

/// Each step of a chain timed inside it — the chain run back to back for `budget`, each
/// step's fastest run — beside the report's blocks that do the same work timed alone
/// (`alone` sums their times): where the chain loses time to the caches its other blocks
/// left behind. JSON: an array of `{name, blocks, seconds_in_chain, seconds_alone,
/// in_chain_over_alone}` (`blocks` the report's kernel names; the last two null for a step with
/// no block of its own, the screenings).
fn steps_in_chain(
    f: &mut SlotFixture,
    steps: &[ChainStep],
    budget: Duration,
    alone: &dyn Fn(&[&str]) -> f64,
) -> Value {
    let mut best = vec![f64::INFINITY; steps.len()];
    // One run to warm the code and page in the buffers.
    for s in steps {
        (s.run)(f);
    }
    let start = Instant::now();
    while start.elapsed() < budget || best.iter().any(|b| b.is_infinite()) {
        for (b, s) in best.iter_mut().zip(steps) {
            let t = Instant::now();
            (s.run)(f);
            *b = b.min(t.elapsed().as_secs_f64());
        }
    }
    Value::Array(
        steps
            .iter()
            .zip(&best)
            .map(|(s, &b)| {
                let a = (!s.alone.is_empty()).then(|| alone(s.alone));
                json!({
                    "name": s.name,
                    "blocks": s.alone,
                    "seconds_in_chain": b,
                    "seconds_alone": a,
                    "in_chain_over_alone": a.map(|a| b / a),
                })
            })
            .collect(),
    )
}

/// The kernels the report measures: the best backend, or the one `MASSIVE_MIMO_SIMD` forces
/// (an AVX2 run on an AVX-512 core).
fn bench_kernels() -> Result<Kernels, String> {
    Kernels::from_env().map_err(|e| e.to_string())
}

/// Runs the whole report; `quick` measures briefly (for tests).
pub fn report(quick: bool) -> Result<Value, String> {
    let budget = if quick {
        Duration::from_millis(30)
    } else {
        Duration::from_millis(600)
    };
    let best = bench_kernels()?;
    let peak = measure_peak(best.backend(), budget / 2)
        .map(|p| p.gflops)
        .map_err(|e| e.to_string())?;
    let bandwidth = memory_bandwidth(budget);
    let scalar = Kernels::with_backend(Backend::Scalar).map_err(|e| e.to_string())?;
    let mut kernels = Vec::new();
    let mut capacity = Vec::new();
    let mut ofdm_vs_fft = Vec::new();
    for carrier in if quick { &CARRIERS[..1] } else { &CARRIERS[..] } {
        let mut f = SlotFixture::new(*carrier, best)?;
        let mut base = Baselines {
            scalar: SlotFixture::new(*carrier, scalar)?,
        };
        let n_sc = 12 * carrier.n_prb;
        // The bare FFT of the carrier's size, in place in cache: what the OFDM blocks' rate is
        // set against (the "≥ 0.7× a bare FFT of the same size").
        let mut bare_fft = {
            let fft = rustfft::FftPlanner::<f32>::new().plan_fft_forward(carrier.n_fft);
            // Zeros: repeated in place they stay zeros (values that grow by √n_fft per call
            // would overflow to infinities); the FFT's arithmetic takes the same time either way.
            let buf = vec![C32::new(0.0, 0.0); carrier.n_fft];
            let scratch = vec![C32::new(0.0, 0.0); fft.get_inplace_scratch_len()];
            (fft, buf, scratch)
        };
        // (name, fast, baseline description, baseline seconds)
        let mut entries: Vec<(&str, f64, &str, f64)> = Vec::new();
        let t = |g: &mut dyn FnMut()| time_per_call(g, budget).as_secs_f64();
        entries.push((
            "precoder_weights",
            t(&mut || f.weights()),
            "nalgebra inverse per PRB",
            t(&mut || {
                for m in 0..carrier.n_prb {
                    std::hint::black_box(nalgebra_rzf_prb(f.h_prb(), m));
                }
            }),
        ));
        entries.push((
            "precoder_apply",
            t(&mut || f.apply()),
            "scalar backend",
            t(&mut || base.scalar.apply()),
        ));
        // The uplink's data symbols (detection and demapping skip the DMRS symbols).
        let data_sym = f.data_symbols().len();
        // nalgebra per RE: one symbol's REs, scaled to the slot's data symbols.
        let nalg_detect = t(&mut || {
            for sc in 0..n_sc {
                std::hint::black_box(nalgebra_mmse_re(f.h_ul(), &f.rx(), sc / 12, sc));
            }
        }) * data_sym as f64;
        entries.push((
            "mmse_detection",
            t(&mut || f.detect()),
            "nalgebra solve per RE",
            nalg_detect,
        ));
        entries.push((
            "mmse_detection_3sc",
            t(&mut || f.detect_sub_prb()),
            "per-PRB detection",
            t(&mut || f.detect()),
        ));
        entries.push((
            "srs_estimation",
            t(&mut || f.srs_estimation()),
            "scalar backend",
            t(&mut || base.scalar.srs_estimation()),
        ));
        entries.push((
            "srs_delay_domain",
            t(&mut || f.srs_delay_domain()),
            "block LS + LMMSE estimator",
            t(&mut || f.srs_estimation()),
        ));
        entries.push((
            "dmrs_estimation",
            t(&mut || f.dmrs_estimation()),
            "scalar backend",
            t(&mut || base.scalar.dmrs_estimation()),
        ));
        entries.push((
            "grid_screening",
            t(&mut || f.screen()),
            "scalar backend",
            t(&mut || base.scalar.screen()),
        ));
        // The 7.2x DU's input: U-plane messages decoded into the grid, each row screened as it
        // is decoded, against decoding then the screening pass.
        entries.push((
            "uplane_receive",
            t(&mut || f.uplane_receive()),
            "BFP-9 decode, then the screening pass",
            t(&mut || f.uplane_receive_plain()),
        ));
        // The category-A downlink's fronthaul output (64 antennas' messages), against the
        // scalar backend.
        entries.push((
            "uplane_transmit",
            t(&mut || f.uplane_transmit()),
            "scalar backend",
            t(&mut || base.scalar.uplane_transmit()),
        ));
        let mut naive_llr = vec![0.0f32; n_sc * 8];
        let sym: Vec<C32> = (0..n_sc).map(|i| f.layers()[[0, 0, i]]).collect();
        let naive =
            t(&mut || naive_demap(&sym, 0.05, &mut naive_llr)) * (data_sym * N_LAYERS) as f64;
        entries.push((
            "qam_demap_256qam",
            t(&mut || f.demap_all()),
            "exhaustive max-log",
            naive,
        ));
        entries.push((
            "qam_demap_256qam_i8",
            t(&mut || f.demap_all_i8()),
            "the f32 max-log LLRs",
            t(&mut || f.demap_all()),
        ));
        let mut naive_wave = Array2::zeros(f.wave().dim());
        let ants = f.antennas().to_owned();
        entries.push((
            "ofdm_modulate",
            t(&mut || f.ofdm_mod()),
            "rustfft planned per symbol, fresh buffers",
            t(&mut || naive_ofdm(*carrier, &ants, &mut naive_wave)),
        ));
        // The slot's demodulation screens the grid as it writes it; the plain one beside it
        // shows what the fold costs (a speed-up below 1).
        entries.push((
            "ofdm_demodulate",
            t(&mut || f.ofdm_demod()),
            "plain demodulation, no screening fold",
            t(&mut || f.ofdm_demod_plain()),
        ));
        let samples = f.wave().dim().1;
        for (name, seconds, bname, bsec) in &entries {
            let fl = flops(name, *carrier, data_sym);
            let gflops = fl / seconds / 1e9;
            let gbps = bytes(name, *carrier, samples, data_sym) / seconds / 1e9;
            kernels.push(json!({
                "name": format!("{}/{}", carrier.name, name),
                "seconds": seconds,
                "gflops": gflops,
                "share_of_peak": gflops / peak,
                "memory_gbps": gbps,
                "share_of_bandwidth": gbps / bandwidth,
                "speedup_vs_baseline": if bsec.is_finite() { json!(bsec / seconds) } else { Value::Null },
                "baseline": bname,
            }));
        }
        ofdm_vs_fft.push(ofdm_vs_bare_fft(
            *carrier,
            &entries,
            t(&mut || {
                bare_fft
                    .0
                    .process_with_scratch(&mut bare_fft.1, &mut bare_fft.2)
            }),
        ));
        let dl = t(&mut || f.downlink_slot());
        let ul = t(&mut || f.uplink_slot());
        // The DU of an O-RAN 7.2x split: the same chains without the OFDM (in the radio).
        let dl_du = t(&mut || f.downlink_slot_du());
        let ul_du = t(&mut || f.uplink_slot_du());
        // The chains' blocks timed alone (above): their sum against the chain shows what the
        // blocks lose to each other's cache traffic when run back to back.
        let alone = |names: &[&str]| -> f64 {
            names
                .iter()
                .map(|n| entries.iter().find(|e| e.0 == *n).map_or(f64::NAN, |e| e.1))
                .sum()
        };
        // Each chain's blocks alone are those of its steps (`perf::fixture`'s tables; the
        // full uplink slot screens the grid as the demodulation writes it, no screening pass).
        for (dir, s, steps) in [
            ("downlink", dl, f.downlink_steps()),
            ("uplink", ul, &UPLINK[..]),
            ("downlink, 7.2x DU", dl_du, &DOWNLINK_DU[..]),
            ("uplink, 7.2x DU", ul_du, &UPLINK_DU[..]),
        ] {
            let blocks: f64 = steps.iter().map(|st| alone(st.alone)).sum();
            let names = steps.iter().flat_map(|st| st.alone.iter().copied());
            let floor = ChainFloor::of(names, *carrier, samples, data_sym, peak, bandwidth);
            let steps = steps_in_chain(&mut f, steps, budget, &alone);
            capacity.push(json!({
                "case": format!("{} 64T64R 16 layers", carrier.name),
                "direction": dir,
                "slot_seconds": s,
                "slot_duration_seconds": carrier.slot_s,
                "cores_per_carrier": s / carrier.slot_s,
                "blocks_alone_seconds": blocks,
                "chain_over_blocks": s / blocks,
                "compute_floor_seconds": floor.compute,
                "compute_floor_cores": floor.compute / carrier.slot_s,
                "share_of_peak": floor.compute / s,
                "roofline_seconds": floor.roofline,
                "roofline_cores": floor.roofline / carrier.slot_s,
                "steps": steps,
            }));
        }
    }
    let kernels_alone = kernels_alone(best, budget);
    let scaling = scaling(budget, quick)?;
    let split = split_slot(budget, quick)?;
    let demapping = demapping(budget, quick)?;
    let fronthaul = fronthaul(budget, quick)?;
    Ok(json!({
        "backend": best.backend().name(),
        "peak_gflops": peak,
        "memory_gbps": bandwidth,
        "kernels": kernels,
        "kernels_alone": kernels_alone,
        "capacity": capacity,
        "ofdm_vs_fft": ofdm_vs_fft,
        "multi_carrier": scaling,
        "split_carrier": split,
        "demapping": demapping,
        "fronthaul": fronthaul,
    }))
}

/// The kernels under the blocks, alone at the reference sizes (`simd_cases`: the GEMMs of the
/// precoder application and detection on a band in the L2, the Gram and Cholesky batches of
/// 273 PRBs, …) on the report's backend: seconds per call, GFLOP/s and share of the FMA-loop
/// peak probed around each case (`measure_cases`) — what the tiles reach with their operands
/// in the cache, against which a block's own share shows what it loses outside them.
fn kernels_alone(best: Kernels, budget: Duration) -> Vec<Value> {
    measure_cases(&mut simd_cases(best), best.backend(), budget / 2)
        .into_iter()
        .map(|k| {
            json!({
                "name": k.name,
                "seconds": k.seconds,
                "gflops": k.gflops,
                "peak_gflops": k.peak_gflops,
                "share_of_peak": k.share_of_peak,
            })
        })
        .collect()
}

/// The OFDM blocks' rate against a bare FFT of the same size: FFT points per second of the
/// modulator and demodulator of 64 antennas (each transforms `N_ANT · N_SYM` symbols of
/// `n_fft` points, CP insertion or removal, subcarrier mapping and stores included) over the
/// points per second of one in-place rustfft FFT of `n_fft` points in cache (`fft_seconds`).
/// The target for the modulator is ≥ 0.7.
fn ofdm_vs_bare_fft(
    carrier: Carrier,
    entries: &[(&str, f64, &str, f64)],
    fft_seconds: f64,
) -> Value {
    let time = |name: &str| {
        entries
            .iter()
            .find(|e| e.0 == name)
            .map_or(f64::NAN, |e| e.1)
    };
    let points = (N_ANT * N_SYM * carrier.n_fft) as f64;
    let fft_rate = carrier.n_fft as f64 / fft_seconds;
    let rate = |name: &str| points / time(name);
    json!({
        "carrier": carrier.name,
        "n_fft": carrier.n_fft,
        "bare_fft_seconds": fft_seconds,
        "bare_fft_points_per_second": fft_rate,
        "modulate_points_per_second": rate("ofdm_modulate"),
        "demodulate_points_per_second": rate("ofdm_demodulate"),
        "modulate_vs_bare_fft": rate("ofdm_modulate") / fft_rate,
        "demodulate_vs_bare_fft": rate("ofdm_demodulate") / fft_rate,
    })
}

/// Symbols of the cache-resident demapping rates: one OFDM symbol of one layer at NR 100 MHz.
const CACHED_SYMBOLS: usize = 273 * 12;

/// Soft demapping rates of every QAM, max-log f32 and int8, on one NR 100 MHz slot of 16
/// layers (273 PRBs × 12 × 14 symbols each: inputs and outputs from and to memory), the
/// scalar backend as the baseline; and on one OFDM symbol of one layer ([`CACHED_SYMBOLS`])
/// called again and again, in the cache.
fn demapping(budget: Duration, quick: bool) -> Result<Value, String> {
    let best = bench_kernels()?;
    let scalar = Kernels::with_backend(Backend::Scalar).map_err(|e| e.to_string())?;
    let n = if quick {
        4096
    } else {
        N_LAYERS * 273 * 12 * N_SYM
    };
    // Symbols spread over the constellation's square plus noise: a fixed LCG.
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 40) as f32 / (1u64 << 24) as f32 * 2.4 - 1.2
    };
    // Inputs and outputs on cache lines, as the uplink slot's detected layers are (and as the
    // README asks of callers' LLR buffers): a 16-byte aligned `Vec` costs the slot-sized int8
    // call about a fifth of its rate (256QAM 730 against 920 M symbols/s, two-pipe Xeon).
    let mut y = LineVec::<C32>::zeros(n).map_err(|e| e.to_string())?;
    for v in y.iter_mut() {
        *v = C32::new(next(), next());
    }
    let mut nv = LineVec::<f32>::zeros(n).map_err(|e| e.to_string())?;
    nv.fill(0.02);
    let mut cases = Vec::new();
    for m in 1..=5u32 {
        let qm = 2 * m as usize;
        let unit = (1.0 / (2.0 * ((1u64 << (2 * m)) - 1) as f64 / 3.0).sqrt()) as f32;
        let mut out = LineVec::<f32>::zeros(n * qm).map_err(|e| e.to_string())?;
        let mut out_i8 = LineVec::<i8>::zeros(n * qm).map_err(|e| e.to_string())?;
        let t = |g: &mut dyn FnMut()| time_per_call(g, budget).as_secs_f64();
        let f32s = t(&mut || {
            let _ = best.qam_llr_maxlog(&y, &nv, m, unit, &mut out);
        });
        let i8s = t(&mut || {
            let _ = best.qam_llr_maxlog_i8(&y, &nv, m, unit, 4.0, &mut out_i8);
        });
        let scalar_s = t(&mut || {
            let _ = scalar.qam_llr_maxlog(&y, &nv, m, unit, &mut out);
        });
        // One OFDM symbol of one layer, in the cache as a receiver demaps it right after
        // detection (the slot-sized call above runs at the memory's rate).
        let c = CACHED_SYMBOLS.min(n);
        let f32c = t(&mut || {
            let _ = best.qam_llr_maxlog(&y[..c], &nv[..c], m, unit, &mut out[..c * qm]);
        });
        let i8c = t(&mut || {
            let _ = best.qam_llr_maxlog_i8(&y[..c], &nv[..c], m, unit, 4.0, &mut out_i8[..c * qm]);
        });
        let name = ["QPSK", "16QAM", "64QAM", "256QAM", "1024QAM"][m as usize - 1];
        cases.push(json!({
            "modulation": name,
            "symbols": n,
            "f32_seconds": f32s,
            "i8_seconds": i8s,
            "f32_msymbols_per_second": n as f64 / f32s / 1e6,
            "i8_msymbols_per_second": n as f64 / i8s / 1e6,
            "f32_mbit_per_second": (n * qm) as f64 / f32s / 1e6,
            "i8_mbit_per_second": (n * qm) as f64 / i8s / 1e6,
            "f32_speedup_vs_scalar": scalar_s / f32s,
            "cached_symbols": c,
            "f32_cached_msymbols_per_second": c as f64 / f32c / 1e6,
            "i8_cached_msymbols_per_second": c as f64 / i8c / 1e6,
        }));
    }
    Ok(json!({ "backend": best.backend().name(), "cases": cases }))
}

/// NR 100 MHz at 30 kHz: PRBs and slot duration of the fronthaul cases.
const FH_PRBS: usize = 273;
const FH_SLOT_S: f64 = 0.5e-3;

/// int16 PRBs like a scaled OFDM grid: per-PRB amplitude between 2^9 and 2^14, values spread
/// over it (a fixed LCG, so every run compresses the same data).
fn fh_iq(n_prb: usize) -> Vec<i16> {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) as u32
    };
    let mut v = Vec::with_capacity(n_prb * 24);
    for _ in 0..n_prb {
        let amp = 1i32 << (9 + next() % 6);
        for _ in 0..24 {
            v.push(((next() % (2 * amp as u32)) as i32 - amp) as i16);
        }
    }
    v
}

/// BFP compression and decompression throughput on the fastest backend (and the scalar
/// reference as the baseline) for one 100 MHz slot: category B (16 layers) and category A
/// (64 antennas) at 9 and 14 bits; and the cores a three-cell 64T64R fronthaul needs
/// (per cell and slot: 16 layers compressed downlink, 64 antennas decompressed uplink).
fn fronthaul(budget: Duration, quick: bool) -> Result<Value, String> {
    use massive_mimo::fronthaul::{Bfp, IqWidth};
    let best = bench_kernels()?;
    let scalar = Kernels::with_backend(Backend::Scalar).map_err(|e| e.to_string())?;
    let mut cases = Vec::new();
    let mut per_slot = std::collections::BTreeMap::new();
    let widths: &[u32] = if quick { &[9] } else { &[9, 14] };
    for &bits in widths {
        let w = IqWidth::new(bits).map_err(|e| e.to_string())?;
        for (case, streams) in [
            ("category B, 16 layers", N_LAYERS),
            ("category A, 64 antennas", N_ANT),
        ] {
            let n_prb = streams * FH_PRBS * N_SYM;
            let iq = fh_iq(n_prb);
            let mut payload = vec![0u8; n_prb * w.prb_bytes()];
            let mut back = vec![0i16; iq.len()];
            let fast = Bfp::with_kernels(w, best);
            let reference = Bfp::with_kernels(w, scalar);
            fast.compress(&iq, &mut payload)
                .map_err(|e| e.to_string())?;
            let t = |g: &mut dyn FnMut()| time_per_call(g, budget).as_secs_f64();
            let comp = t(&mut || fast.compress(&iq, &mut payload).unwrap_or(()));
            let comp_ref = t(&mut || reference.compress(&iq, &mut payload).unwrap_or(()));
            let decomp = t(&mut || fast.decompress(&payload, &mut back).unwrap_or(()));
            let decomp_ref = t(&mut || reference.decompress(&payload, &mut back).unwrap_or(()));
            let bits_on_wire = (payload.len() * 8) as f64;
            for (op, sec, base) in [
                ("compress", comp, comp_ref),
                ("decompress", decomp, decomp_ref),
            ] {
                per_slot.insert((bits, streams, op), sec);
                cases.push(json!({
                    "case": format!("BFP-{bits} {op}, {case} × {FH_PRBS} PRB × {N_SYM} symbols"),
                    "width": bits,
                    "operation": op,
                    "prbs": n_prb,
                    "seconds": sec,
                    "mprb_per_second": n_prb as f64 / sec / 1e6,
                    "fronthaul_gbps": bits_on_wire / sec / 1e9,
                    "speedup_vs_scalar": base / sec,
                }));
            }
        }
    }
    // Category B's beamforming weights (C-plane extension 11): one BFP-9 vector of 64 TRX per
    // layer and one-PRB bundle, once per slot.
    let weights = {
        let w = IqWidth::new(9).map_err(|e| e.to_string())?;
        let vectors = N_LAYERS * FH_PRBS;
        let vals = fh_iq(vectors * 2 * N_ANT / 24);
        let mut payload = vec![0u8; vectors * w.bfw_bytes(N_ANT)];
        let mut back = vec![0i16; vals.len()];
        let (fast, reference) = (Bfp::with_kernels(w, best), Bfp::with_kernels(w, scalar));
        let t = |g: &mut dyn FnMut()| time_per_call(g, budget).as_secs_f64();
        let mut comp =
            |b: &Bfp| t(&mut || b.compress_weights(&vals, N_ANT, &mut payload).unwrap_or(()));
        let (c, c_ref) = (comp(&fast), comp(&reference));
        let mut decomp = |b: &Bfp| {
            t(&mut || {
                b.decompress_weights(&payload, N_ANT, &mut back)
                    .unwrap_or(())
            })
        };
        let (d, d_ref) = (decomp(&fast), decomp(&reference));
        json!({
            "case": format!("BFP-9 beamforming weights (C-plane extension 11), {N_LAYERS} layers × {FH_PRBS} one-PRB bundles × {N_ANT} TRX per slot"),
            "vectors": vectors,
            "compress_seconds": c,
            "decompress_seconds": d,
            "compress_speedup_vs_scalar": c_ref / c,
            "decompress_speedup_vs_scalar": d_ref / d,
        })
    };
    let cells = 3.0;
    let cores = |bits: u32| -> Value {
        match (
            per_slot.get(&(bits, N_LAYERS, "compress")),
            per_slot.get(&(bits, N_ANT, "decompress")),
        ) {
            (Some(dl), Some(ul)) => json!(cells * (dl + ul) / FH_SLOT_S),
            _ => Value::Null,
        }
    };
    let wire_gbps = |bits: u32| {
        let prb_bytes = IqWidth::new(bits).map(|w| w.prb_bytes()).unwrap_or(0) as f64;
        cells * ((N_LAYERS + N_ANT) * FH_PRBS * N_SYM) as f64 * prb_bytes * 8.0 / FH_SLOT_S / 1e9
    };
    Ok(json!({
        "backend": best.backend().name(),
        "cases": cases,
        "weights": weights,
        "three_cells": {
            "case": "3 × NR 100 MHz 64T64R: 16 layers compressed (DL, category B) + 64 antennas decompressed (UL) per 0.5 ms slot",
            "bfp9_cores": cores(9),
            "bfp9_wire_gbps": wire_gbps(9),
            "bfp14_cores": cores(14),
            "bfp14_wire_gbps": wire_gbps(14),
        },
    }))
}

/// One carrier's uplink and downlink slot on one core, and split across two: the
/// frequency-domain blocks by PRB halves (each core's estimators, weights, applier, detector
/// and demapper serve its PRBs), OFDM by antenna halves (it needs the whole band). NR 100 MHz
/// (TD-LTE 20 MHz with `quick`).
fn split_slot(budget: Duration, quick: bool) -> Result<Value, String> {
    let c = if quick { CARRIERS[0] } else { CARRIERS[1] };
    let best = bench_kernels()?;
    let mut whole = SlotFixture::new(c, best)?;
    let lower = Carrier {
        n_prb: c.n_prb - c.n_prb / 2,
        ..c
    };
    let upper = Carrier {
        n_prb: c.n_prb / 2,
        ..c
    };
    let mut a = SlotFixture::new(lower, best)?.with_ofdm_antennas(0..N_ANT / 2);
    let mut b = SlotFixture::new(upper, best)?.with_ofdm_antennas(N_ANT / 2..N_ANT);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .map_err(|e| e.to_string())?;
    let mut dirs = serde_json::Map::new();
    for (dir, run) in [
        ("uplink", SlotFixture::uplink_slot as fn(&mut SlotFixture)),
        ("downlink", SlotFixture::downlink_slot),
    ] {
        let one = time_per_call(|| run(&mut whole), budget).as_secs_f64();
        let two = time_per_call(
            || {
                pool.install(|| {
                    rayon::join(|| run(&mut a), || run(&mut b));
                })
            },
            budget,
        )
        .as_secs_f64();
        dirs.insert(
            dir.into(),
            json!({
                "seconds_1_core": one,
                "seconds_2_cores": two,
                "speedup": one / two,
                "cores_per_carrier_1_core": one / c.slot_s,
            }),
        );
    }
    Ok(json!({
        "case": format!("{} 64T64R 16 layers, PRB halves {} + {}, OFDM 32 + 32 antennas", c.name, lower.n_prb, upper.n_prb),
        "directions": dirs,
    }))
}

/// Three LTE carriers' uplink slots on a rayon pool of 1 and of 2 threads.
fn scaling(budget: Duration, quick: bool) -> Result<Value, String> {
    use rayon::prelude::*;
    let carrier = CARRIERS[0];
    let best = bench_kernels()?;
    let mut fixtures = (0..3)
        .map(|_| SlotFixture::new(carrier, best))
        .collect::<Result<Vec<_>, _>>()?;
    let mut time_on = |threads: usize| -> Result<f64, String> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(time_per_call(
            || pool.install(|| fixtures.par_iter_mut().for_each(|f| f.uplink_slot())),
            if quick { budget } else { budget * 2 },
        )
        .as_secs_f64())
    };
    let one = time_on(1)?;
    let two = time_on(2)?;
    Ok(json!({
        "carriers": 3,
        "case": "td-lte-20mhz uplink slot",
        "seconds_1_thread": one,
        "seconds_2_threads": two,
        "speedup": one / two,
    }))
}

/// `mimo bench`: measure (or read the reports `against`: their element-wise median,
/// [`median_report`]), print the table or the JSON, and with `compare` the comparison with
/// saved reports ([`comparison_of`]; in the JSON under `comparison`).
pub fn run(
    json: bool,
    quick: bool,
    compare: &[std::path::PathBuf],
    against: &[std::path::PathBuf],
) -> Result<(), String> {
    let read = |p: &std::path::PathBuf| -> Result<Value, String> {
        let text =
            std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a bench report: {e}", p.display()))
    };
    let news = if against.is_empty() {
        vec![report(quick)?]
    } else {
        against.iter().map(read).collect::<Result<Vec<_>, _>>()?
    };
    let olds = compare.iter().map(read).collect::<Result<Vec<_>, _>>()?;
    let mut r = median_report(&news);
    let cmp = (!olds.is_empty()).then(|| comparison_of(&olds, &news));
    if json {
        if let (Some(c), Some(o)) = (&cmp, r.as_object_mut()) {
            o.insert("comparison".into(), c.clone());
        }
        println!("{r}");
    } else {
        print!("{}", table(&r));
        if let Some(c) = &cmp {
            print!("{}", comparison_table(c));
        }
    }
    Ok(())
}

/// The element-wise median of bench reports (the report itself when there is one): every
/// number that all of them hold at the same place is replaced by the median of those
/// numbers (the mean of the middle two for an even count; equal numbers, such as FFT sizes,
/// kept as they are); array elements are matched by position and merged only where they
/// name the same thing (equal string fields: a block's name, a case and direction), and
/// anything else is the first report's.
pub fn median_report(reports: &[Value]) -> Value {
    let all: Vec<&Value> = reports.iter().collect();
    match all.as_slice() {
        [] => Value::Null,
        [one] => (*one).clone(),
        _ => median_value(&all),
    }
}

/// [`median_report`] of values at one place.
fn median_value(vs: &[&Value]) -> Value {
    let first = vs[0];
    match first {
        Value::Number(_) => {
            if vs.iter().all(|v| *v == first) {
                return first.clone();
            }
            let mut xs: Vec<f64> = vs.iter().filter_map(|v| v.as_f64()).collect();
            if xs.len() != vs.len() {
                return first.clone();
            }
            xs.sort_by(f64::total_cmp);
            let m = xs.len();
            let mid = if m % 2 == 1 {
                xs[m / 2]
            } else {
                0.5 * (xs[m / 2 - 1] + xs[m / 2])
            };
            json!(mid)
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let kids: Vec<&Value> = vs.iter().filter_map(|o| o.get(k)).collect();
                    let merged = if kids.len() == vs.len() {
                        median_value(&kids)
                    } else {
                        v.clone()
                    };
                    (k.clone(), merged)
                })
                .collect(),
        ),
        Value::Array(items) => {
            let arrays: Vec<&Vec<Value>> = vs.iter().filter_map(|v| v.as_array()).collect();
            if arrays.len() != vs.len() || arrays.iter().any(|a| a.len() != items.len()) {
                return first.clone();
            }
            // The string fields of an element: what it names.
            let names = |v: &Value| -> Vec<(String, String)> {
                v.as_object()
                    .into_iter()
                    .flatten()
                    .filter_map(|(k, x)| x.as_str().map(|s| (k.clone(), s.to_string())))
                    .collect()
            };
            Value::Array(
                (0..items.len())
                    .map(|i| {
                        let kids: Vec<&Value> = arrays.iter().map(|a| &a[i]).collect();
                        let own = names(kids[0]);
                        if kids.iter().all(|k| names(k) == own) {
                            median_value(&kids)
                        } else {
                            kids[0].clone()
                        }
                    })
                    .collect(),
            )
        }
        _ => first.clone(),
    }
}

/// [`comparison`] of the element-wise medians ([`median_report`]) of `olds` and `news`, with
/// the number of reports on each side (`old_reports`, `new_reports`) and, where a side has
/// more than one, each block's and each chain's speed-up range over every (old, new) pair
/// of reports (`speedup_range`: [min, max] of old time / new time).
pub fn comparison_of(olds: &[Value], news: &[Value]) -> Value {
    let mut c = comparison(&median_report(olds), &median_report(news));
    // Every pair's ratio of one number: `get(entries)` of each old over each new; null where
    // a report lacks it.
    type Entries = std::collections::BTreeMap<String, Value>;
    let range = |old: &[Entries], new: &[Entries], get: &dyn Fn(&Entries) -> Option<f64>| {
        let o: Vec<f64> = old.iter().filter_map(get).collect();
        let w: Vec<f64> = new.iter().filter_map(get).filter(|&x| x > 0.0).collect();
        let ratios = o.iter().flat_map(|a| w.iter().map(move |b| a / b));
        let (lo, hi) = ratios.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), r| {
            (l.min(r), h.max(r))
        });
        if lo <= hi && o.len() == old.len() && w.len() == new.len() {
            json!([lo, hi])
        } else {
            Value::Null
        }
    };
    if olds.len() > 1 || news.len() > 1 {
        // The rows' names are those `comparison` joined by (`by`, `caps`).
        for (list, name, field) in [
            ("kernels", "name", "seconds"),
            ("kernels_alone", "name", "seconds"),
            ("capacity", "case", "slot_seconds"),
        ] {
            let entries = |r: &Value| match list {
                "capacity" => caps(r),
                _ => by(r, list, name),
            };
            let old: Vec<Entries> = olds.iter().map(entries).collect();
            let new: Vec<Entries> = news.iter().map(entries).collect();
            for row in c[list].as_array_mut().into_iter().flatten() {
                let n = row[name].as_str().unwrap_or("?").to_string();
                let get = |m: &Entries| m.get(&n)?[field].as_f64();
                row["speedup_range"] = range(&old, &new, &get);
            }
        }
    }
    c["old_reports"] = json!(olds.len());
    c["new_reports"] = json!(news.len());
    c
}

/// The entries of a report's list (`kernels`, `ofdm_vs_fft`, …) by the string field `key`.
fn by(r: &Value, list: &str, key: &str) -> std::collections::BTreeMap<String, Value> {
    r[list]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| (e[key].as_str().unwrap_or("?").to_string(), e.clone()))
        .collect()
}

/// A report's capacity rows by their name in a comparison: case and direction.
fn caps(r: &Value) -> std::collections::BTreeMap<String, Value> {
    r["capacity"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let name = format!(
                "{} {}",
                c["case"].as_str().unwrap_or("?"),
                c["direction"].as_str().unwrap_or("?")
            );
            (name, c.clone())
        })
        .collect()
}

/// Per block of two reports: old and new time, speed-up (old/new), old and new share of
/// peak; capacity rows (cores per carrier), the OFDM blocks against a bare FFT and demapping
/// rates before and after. Blocks in only one report are listed with nulls.
pub fn comparison(old: &Value, new: &Value) -> Value {
    let names = |a: &std::collections::BTreeMap<String, Value>,
                 b: &std::collections::BTreeMap<String, Value>| {
        let mut n: Vec<String> = a.keys().chain(b.keys()).cloned().collect();
        n.sort();
        n.dedup();
        n
    };
    let ratio = |a: &Value, b: &Value| match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) if y > 0.0 => json!(x / y),
        _ => Value::Null,
    };
    // One row per name in either report: `row(name, old entry, new entry)`, a missing entry
    // as null.
    type Entries = std::collections::BTreeMap<String, Value>;
    let joined = |o: &Entries, w: &Entries, row: &dyn Fn(String, &Value, &Value) -> Value| {
        names(o, w)
            .into_iter()
            .map(|n| {
                let (a, b) = (
                    o.get(&n).unwrap_or(&Value::Null),
                    w.get(&n).unwrap_or(&Value::Null),
                );
                row(n, a, b)
            })
            .collect::<Vec<Value>>()
    };
    let kernels = joined(
        &by(old, "kernels", "name"),
        &by(new, "kernels", "name"),
        &|n, o, w| {
            json!({
                "name": n,
                "old_seconds": o["seconds"],
                "new_seconds": w["seconds"],
                "speedup": ratio(&o["seconds"], &w["seconds"]),
                "old_share_of_peak": o["share_of_peak"],
                "new_share_of_peak": w["share_of_peak"],
            })
        },
    );
    // The kernels alone (null where a report predates `kernels_alone`).
    let kernels_alone = joined(
        &by(old, "kernels_alone", "name"),
        &by(new, "kernels_alone", "name"),
        &|n, o, w| {
            json!({
                "name": n,
                "speedup": ratio(&o["seconds"], &w["seconds"]),
                "old_share_of_peak": o["share_of_peak"],
                "new_share_of_peak": w["share_of_peak"],
            })
        },
    );
    let capacity = joined(&caps(old), &caps(new), &|n, o, w| {
        json!({
            "case": n,
            "old_cores": o["cores_per_carrier"],
            "new_cores": w["cores_per_carrier"],
            "speedup": ratio(&o["slot_seconds"], &w["slot_seconds"]),
        })
    });
    let demap = |r: &Value| -> Entries {
        r["demapping"]["cases"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                (
                    c["modulation"].as_str().unwrap_or("?").to_string(),
                    c.clone(),
                )
            })
            .collect()
    };
    let demapping = joined(&demap(old), &demap(new), &|n, o, w| {
        json!({
            "modulation": n,
            "f32_speedup": ratio(&o["f32_seconds"], &w["f32_seconds"]),
            "i8_speedup": ratio(&o["i8_seconds"], &w["i8_seconds"]),
            // Rates: new / old (null where the old report has no cached rates).
            "i8_cached_speedup": ratio(
                &w["i8_cached_msymbols_per_second"],
                &o["i8_cached_msymbols_per_second"]
            ),
        })
    });
    // The OFDM blocks against the bare FFT, per carrier, before and after (null where a report
    // predates `ofdm_vs_fft`).
    let ofdm_vs_fft = joined(
        &by(old, "ofdm_vs_fft", "carrier"),
        &by(new, "ofdm_vs_fft", "carrier"),
        &|n, o, w| {
            json!({
                "carrier": n,
                "old_modulate_vs_bare_fft": o["modulate_vs_bare_fft"],
                "new_modulate_vs_bare_fft": w["modulate_vs_bare_fft"],
                "old_demodulate_vs_bare_fft": o["demodulate_vs_bare_fft"],
                "new_demodulate_vs_bare_fft": w["demodulate_vs_bare_fft"],
            })
        },
    );
    json!({
        "old_peak_gflops": old["peak_gflops"],
        "new_peak_gflops": new["peak_gflops"],
        "old_backend": old["backend"],
        "new_backend": new["backend"],
        "kernels": kernels,
        "kernels_alone": kernels_alone,
        "capacity": capacity,
        "ofdm_vs_fft": ofdm_vs_fft,
        "demapping": demapping,
    })
}

/// The human-readable form of [`comparison`].
pub fn comparison_table(c: &Value) -> String {
    use std::fmt::Write;
    // A number with its unit, or "-" when the block is missing from one report.
    let f = |v: &Value, scale: f64, digits: usize, unit: &str| {
        v.as_f64().map_or("-".to_string(), |x| {
            format!("{:.*}{unit}", digits, x * scale)
        })
    };
    // A speed-up range over every pair of reports, or nothing.
    let span = |v: &Value| match (v[0].as_f64(), v[1].as_f64()) {
        (Some(lo), Some(hi)) => format!(" {lo:.2}–{hi:.2}x"),
        _ => String::new(),
    };
    let (n_old, n_new) = (
        c["old_reports"].as_u64().unwrap_or(1),
        c["new_reports"].as_u64().unwrap_or(1),
    );
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\ncomparison with the saved report (old: {} at {} GFLOP/s peak; new: {} at {}):",
        c["old_backend"].as_str().unwrap_or("?"),
        f(&c["old_peak_gflops"], 1.0, 1, ""),
        c["new_backend"].as_str().unwrap_or("?"),
        f(&c["new_peak_gflops"], 1.0, 1, "")
    );
    if n_old > 1 || n_new > 1 {
        let _ = writeln!(
            s,
            "(medians of {n_old} old and {n_new} new reports; after a speed-up, its range over \
             every old/new pair)"
        );
    }
    let _ = writeln!(
        s,
        "{:<40} {:>11} {:>11} {:>9} {:>9} {:>9}",
        "kernel", "old µs", "new µs", "speed-up", "old peak", "new peak"
    );
    for k in c["kernels"].as_array().into_iter().flatten() {
        let _ = writeln!(
            s,
            "{:<40} {:>11} {:>11} {:>9} {:>9} {:>9}{}",
            k["name"].as_str().unwrap_or("?"),
            f(&k["old_seconds"], 1e6, 1, ""),
            f(&k["new_seconds"], 1e6, 1, ""),
            f(&k["speedup"], 1.0, 2, "x"),
            f(&k["old_share_of_peak"], 100.0, 1, "%"),
            f(&k["new_share_of_peak"], 100.0, 1, "%"),
            span(&k["speedup_range"])
        );
    }
    for k in c["kernels_alone"].as_array().into_iter().flatten() {
        let _ = writeln!(
            s,
            "kernel alone {:<46} {:>9}, of peak {:>6} → {:>6}{}",
            k["name"].as_str().unwrap_or("?"),
            f(&k["speedup"], 1.0, 2, "x"),
            f(&k["old_share_of_peak"], 100.0, 1, "%"),
            f(&k["new_share_of_peak"], 100.0, 1, "%"),
            span(&k["speedup_range"])
        );
    }
    for k in c["capacity"].as_array().into_iter().flatten() {
        let _ = writeln!(
            s,
            "{:<52} cores per carrier {:>6} → {:>6} ({}{})",
            k["case"].as_str().unwrap_or("?"),
            f(&k["old_cores"], 1.0, 1, ""),
            f(&k["new_cores"], 1.0, 1, ""),
            f(&k["speedup"], 1.0, 2, "x"),
            span(&k["speedup_range"])
        );
    }
    for k in c["ofdm_vs_fft"].as_array().into_iter().flatten() {
        let _ = writeln!(
            s,
            "{:<18} OFDM against a bare FFT: modulator {} → {}, demodulator {} → {}",
            k["carrier"].as_str().unwrap_or("?"),
            f(&k["old_modulate_vs_bare_fft"], 1.0, 2, "×"),
            f(&k["new_modulate_vs_bare_fft"], 1.0, 2, "×"),
            f(&k["old_demodulate_vs_bare_fft"], 1.0, 2, "×"),
            f(&k["new_demodulate_vs_bare_fft"], 1.0, 2, "×")
        );
    }
    let demap_rows = c["demapping"].as_array().into_iter().flatten();
    for k in demap_rows.filter(|k| !(k["f32_speedup"].is_null() && k["i8_speedup"].is_null())) {
        let _ = writeln!(
            s,
            "demapping {:<8} f32 {}, int8 {}, int8 in cache {}",
            k["modulation"].as_str().unwrap_or("?"),
            f(&k["f32_speedup"], 1.0, 2, "x"),
            f(&k["i8_speedup"], 1.0, 2, "x"),
            f(&k["i8_cached_speedup"], 1.0, 2, "x")
        );
    }
    s
}

/// The human-readable table of a report.
pub fn table(r: &Value) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "backend {}, single-core peak {:.1} GFLOP/s, memory copy {:.1} GB/s",
        r["backend"].as_str().unwrap_or("?"),
        r["peak_gflops"].as_f64().unwrap_or(f64::NAN),
        r["memory_gbps"].as_f64().unwrap_or(f64::NAN)
    );
    let _ = writeln!(
        s,
        "\n{:<40} {:>11} {:>9} {:>8} {:>7} {:>7} {:>10}  baseline",
        "kernel", "µs", "GFLOP/s", "of peak", "GB/s", "of copy", "speed-up"
    );
    for k in r["kernels"].as_array().into_iter().flatten() {
        let _ = writeln!(
            s,
            "{:<40} {:>11.1} {:>9.1} {:>7.1}% {:>7.1} {:>6.0}% {:>10}  {}",
            k["name"].as_str().unwrap_or("?"),
            k["seconds"].as_f64().unwrap_or(f64::NAN) * 1e6,
            k["gflops"].as_f64().unwrap_or(f64::NAN),
            100.0 * k["share_of_peak"].as_f64().unwrap_or(f64::NAN),
            k["memory_gbps"].as_f64().unwrap_or(f64::NAN),
            100.0 * k["share_of_bandwidth"].as_f64().unwrap_or(f64::NAN),
            k["speedup_vs_baseline"]
                .as_f64()
                .map_or("-".to_string(), |x| format!("x{x:.1}")),
            k["baseline"].as_str().unwrap_or("")
        );
    }
    let _ = writeln!(
        s,
        "\nkernels alone at the reference sizes, operands in the cache (share of the FMA-loop \
         peak probed around each):"
    );
    for k in r["kernels_alone"].as_array().into_iter().flatten() {
        let _ = writeln!(
            s,
            "  {:<46} {:>10.2} µs {:>7.1} GFLOP/s {:>5.1} % of peak",
            k["name"].as_str().unwrap_or("?"),
            k["seconds"].as_f64().unwrap_or(f64::NAN) * 1e6,
            k["gflops"].as_f64().unwrap_or(f64::NAN),
            100.0 * k["share_of_peak"].as_f64().unwrap_or(f64::NAN)
        );
    }
    let _ = writeln!(s, "\nreal-time capacity (one core per carrier = 1.0):");
    for c in r["capacity"].as_array().into_iter().flatten() {
        let _ = writeln!(
            s,
            "  {:<36} {:<18} {:>9.1} µs per {:>4.1} ms slot → {:>5.1} cores (blocks alone {:>8.1} µs: chain ×{:.2})",
            c["case"].as_str().unwrap_or("?"),
            c["direction"].as_str().unwrap_or("?"),
            c["slot_seconds"].as_f64().unwrap_or(f64::NAN) * 1e6,
            c["slot_duration_seconds"].as_f64().unwrap_or(f64::NAN) * 1e3,
            c["cores_per_carrier"].as_f64().unwrap_or(f64::NAN),
            c["blocks_alone_seconds"].as_f64().unwrap_or(f64::NAN) * 1e6,
            c["chain_over_blocks"].as_f64().unwrap_or(f64::NAN)
        );
        // Older reports have no floors: the line is left out for them.
        if let (Some(fc), Some(share), Some(rc)) = (
            c["compute_floor_cores"].as_f64(),
            c["share_of_peak"].as_f64(),
            c["roofline_cores"].as_f64(),
        ) {
            let _ = writeln!(
                s,
                "      at 100 % of peak {fc:.1} cores (the chain at {:.0} % of peak); roofline with every block's data from memory {rc:.1} cores",
                100.0 * share
            );
        }
        // Each step inside the chain against its blocks alone.
        let steps: Vec<String> = c["steps"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|st| {
                let inside = st["seconds_in_chain"].as_f64().unwrap_or(f64::NAN) * 1e6;
                match st["in_chain_over_alone"].as_f64() {
                    Some(r) => format!(
                        "{} {inside:.0} µs (×{r:.2})",
                        st["name"].as_str().unwrap_or("?")
                    ),
                    None => format!("{} {inside:.0} µs", st["name"].as_str().unwrap_or("?")),
                }
            })
            .collect();
        if !steps.is_empty() {
            let _ = writeln!(
                s,
                "      in the chain (× its blocks alone): {}",
                steps.join(", ")
            );
        }
    }
    let _ = writeln!(
        s,
        "\nOFDM of 64 antennas against a bare in-place FFT of the same size in cache (FFT points/s):"
    );
    for o in r["ofdm_vs_fft"].as_array().into_iter().flatten() {
        let g = |k: &str| o[k].as_f64().unwrap_or(f64::NAN);
        let _ = writeln!(
            s,
            "  {:<18} {:>5}-point FFT {:>6.2} µs = {:>6.1} M/s; modulator {:>6.1} M/s ({:.2}×), demodulator {:>6.1} M/s ({:.2}×)",
            o["carrier"].as_str().unwrap_or("?"),
            o["n_fft"],
            g("bare_fft_seconds") * 1e6,
            g("bare_fft_points_per_second") / 1e6,
            g("modulate_points_per_second") / 1e6,
            g("modulate_vs_bare_fft"),
            g("demodulate_points_per_second") / 1e6,
            g("demodulate_vs_bare_fft"),
        );
    }
    let m = &r["multi_carrier"];
    let _ = writeln!(
        s,
        "\nmulti-carrier: {} × {}: {:.1} ms on 1 thread, {:.1} ms on 2 → speed-up {:.2}",
        m["carriers"],
        m["case"].as_str().unwrap_or("?"),
        m["seconds_1_thread"].as_f64().unwrap_or(f64::NAN) * 1e3,
        m["seconds_2_threads"].as_f64().unwrap_or(f64::NAN) * 1e3,
        m["speedup"].as_f64().unwrap_or(f64::NAN)
    );
    let sp = &r["split_carrier"];
    let _ = writeln!(
        s,
        "\none carrier split across 2 cores: {}",
        sp["case"].as_str().unwrap_or("?")
    );
    for dir in ["uplink", "downlink"] {
        let d = &sp["directions"][dir];
        let _ = writeln!(
            s,
            "  {:<9} {:.2} ms on 1 core, {:.2} ms on 2 → speed-up {:.2}",
            dir,
            d["seconds_1_core"].as_f64().unwrap_or(f64::NAN) * 1e3,
            d["seconds_2_cores"].as_f64().unwrap_or(f64::NAN) * 1e3,
            d["speedup"].as_f64().unwrap_or(f64::NAN)
        );
    }
    let d = &r["demapping"];
    let _ = writeln!(
        s,
        "\nmax-log soft demapping ({}), one NR 100 MHz slot of 16 layers (one layer's OFDM symbol in cache):\n{:<10} {:>14} {:>14} {:>12} {:>12} {:>10} {:>16} {:>16}",
        d["backend"].as_str().unwrap_or("?"),
        "modulation",
        "f32 M sym/s",
        "int8 M sym/s",
        "f32 Mbit/s",
        "int8 Mbit/s",
        "vs scalar",
        "f32 cached M/s",
        "int8 cached M/s"
    );
    for c in d["cases"].as_array().into_iter().flatten() {
        let _ = writeln!(
            s,
            "{:<10} {:>14.1} {:>14.1} {:>12.0} {:>12.0} {:>9.1}x {:>16.1} {:>16.1}",
            c["modulation"].as_str().unwrap_or("?"),
            c["f32_msymbols_per_second"].as_f64().unwrap_or(f64::NAN),
            c["i8_msymbols_per_second"].as_f64().unwrap_or(f64::NAN),
            c["f32_mbit_per_second"].as_f64().unwrap_or(f64::NAN),
            c["i8_mbit_per_second"].as_f64().unwrap_or(f64::NAN),
            c["f32_speedup_vs_scalar"].as_f64().unwrap_or(f64::NAN),
            c["f32_cached_msymbols_per_second"]
                .as_f64()
                .unwrap_or(f64::NAN),
            c["i8_cached_msymbols_per_second"]
                .as_f64()
                .unwrap_or(f64::NAN)
        );
    }
    let f = &r["fronthaul"];
    let _ = writeln!(
        s,
        "\nfronthaul BFP ({}):\n{:<72} {:>9} {:>8} {:>9}",
        f["backend"].as_str().unwrap_or("?"),
        "case",
        "M PRB/s",
        "Gbit/s",
        "vs scalar"
    );
    for c in f["cases"].as_array().into_iter().flatten() {
        let _ = writeln!(
            s,
            "{:<72} {:>9.1} {:>8.1} {:>8.1}x",
            c["case"].as_str().unwrap_or("?"),
            c["mprb_per_second"].as_f64().unwrap_or(f64::NAN),
            c["fronthaul_gbps"].as_f64().unwrap_or(f64::NAN),
            c["speedup_vs_scalar"].as_f64().unwrap_or(f64::NAN)
        );
    }
    let t = &f["three_cells"];
    let _ = writeln!(
        s,
        "{}:\n  BFP-9 {:.1} Gbit/s on the wire, {:.2} cores; BFP-14 {:.1} Gbit/s, {:.2} cores",
        t["case"].as_str().unwrap_or("?"),
        t["bfp9_wire_gbps"].as_f64().unwrap_or(f64::NAN),
        t["bfp9_cores"].as_f64().unwrap_or(f64::NAN),
        t["bfp14_wire_gbps"].as_f64().unwrap_or(f64::NAN),
        t["bfp14_cores"].as_f64().unwrap_or(f64::NAN)
    );
    let b = &f["weights"];
    let _ = writeln!(
        s,
        "{}:\n  compress {:.3} ms ({:.1}x scalar), decompress {:.3} ms ({:.1}x)",
        b["case"].as_str().unwrap_or("?"),
        b["compress_seconds"].as_f64().unwrap_or(f64::NAN) * 1e3,
        b["compress_speedup_vs_scalar"].as_f64().unwrap_or(f64::NAN),
        b["decompress_seconds"].as_f64().unwrap_or(f64::NAN) * 1e3,
        b["decompress_speedup_vs_scalar"]
            .as_f64()
            .unwrap_or(f64::NAN)
    );
    s
}

/// The carrier of the instruction-count guard: the reference 64 × 16 shapes on 25 PRBs, so
/// that valgrind runs each block in well under a second.
pub const ICOUNT_CARRIER: Carrier = Carrier {
    name: "icount-25prb",
    n_prb: 25,
    n_fft: 512,
    standard: Standard::Nr,
    slot_s: 0.5e-3,
};

/// Blocks the instruction-count guard measures.
pub const ICOUNT_BLOCKS: [&str; 13] = [
    "grid_screening",
    "uplane_receive",
    "uplane_transmit",
    "precoder_weights",
    "precoder_apply",
    "mmse_detection",
    "srs_estimation",
    "srs_delay_domain",
    "dmrs_estimation",
    "qam_demap_256qam",
    "qam_demap_256qam_i8",
    "ofdm_modulate",
    "ofdm_demodulate",
];

/// Runs `block` of the guard's fixture `iterations` times (the payload valgrind counts).
pub fn icount_run(block: &str, iterations: usize) -> Result<(), String> {
    let mut f = SlotFixture::new(ICOUNT_CARRIER, Kernels::new())?;
    let run: fn(&mut SlotFixture) = match block {
        "precoder_weights" => SlotFixture::weights,
        "precoder_apply" => SlotFixture::apply,
        "mmse_detection" => SlotFixture::detect,
        "grid_screening" => SlotFixture::screen,
        "uplane_receive" => SlotFixture::uplane_receive,
        "uplane_transmit" => SlotFixture::uplane_transmit,
        // Not guarded (no baseline), runnable for profiling: `perf record mimo icount-run …`.
        "mmse_detection_3sc" => SlotFixture::detect_sub_prb,
        "srs_estimation" => SlotFixture::srs_estimation,
        "srs_delay_domain" => SlotFixture::srs_delay_domain,
        "dmrs_estimation" => SlotFixture::dmrs_estimation,
        "qam_demap_256qam" => SlotFixture::demap_all,
        "qam_demap_256qam_i8" => SlotFixture::demap_all_i8,
        "ofdm_modulate" => SlotFixture::ofdm_mod,
        "ofdm_demodulate" => SlotFixture::ofdm_demod,
        b => return Err(format!("unknown block `{b}` (known: {ICOUNT_BLOCKS:?})")),
    };
    for _ in 0..iterations {
        run(&mut f);
    }
    Ok(())
}
