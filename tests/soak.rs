//! Soak run (issue 21): at least 10^5 downlink + uplink slots through the capacity-sized
//! pipelines with a scheduler that changes the MU-MIMO groups and PRB allocations every slot
//! and injected faults (NaN/Inf bursts, dead and stuck antennas), checking: every call
//! succeeds, every output is finite, faulty antennas are flagged, zero allocations after the
//! warm-up, resident memory flat; and reporting the worst and the 99.99th-percentile slot time.
//! Bounded: `MM_SOAK_SLOTS` slots (default 100 000) or `MM_SOAK_SECONDS` (default 120),
//! whichever ends first.

mod support;

use std::time::Instant;

use massive_mimo::C32;
use massive_mimo::detection::DetectorMethod;
use massive_mimo::estimation::PilotPattern;
use massive_mimo::link::{
    AntennaHealth, DownlinkConfig, DownlinkSlot, PrecoderKind, SrsEstimation, UplinkSlot,
};
use massive_mimo::modulation::{Modulation, map};
use massive_mimo::ofdm::{CyclicPrefix, OfdmConfig, Standard};
use massive_mimo::precoding::Normalization;
use massive_mimo::resource::{MuGroup, PrbAllocation};
use ndarray::{Array3, s};
use support::alloc_counter::{CountingAlloc, allocations_during};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const N_ANT: usize = 8;
const N_CAND: usize = 4;
const N_PRB: usize = 8;
const N_SC: usize = 12 * N_PRB;

/// A small deterministic generator (the runtime has no rand; the soak must not allocate).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn resident_kib() -> Option<usize> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: usize = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4)
}

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn soak_varying_slots_with_injected_faults() {
    let max_slots = env("MM_SOAK_SLOTS", 100_000) as usize;
    let max_seconds = env("MM_SOAK_SECONDS", 120) as f64;
    let ofdm = OfdmConfig {
        standard: Standard::Nr,
        scs_khz: 30,
        n_fft: 128,
        n_sc: N_SC,
        n_symbols: 14,
        cyclic_prefix: CyclicPrefix::Normal,
        slot: 0,
        scale: 1.0 / (128f32).sqrt(),
    };
    let cfg = DownlinkConfig {
        n_ant: N_ANT,
        n_candidates: N_CAND,
        n_layers: N_CAND,
        n_prb: N_PRB,
        prg_prbs: 2,
        precoder: PrecoderKind::Rzf,
        normalization: Normalization::Total,
        srs_estimation: SrsEstimation::DelayDomain,
    };
    let (srs, dmrs) = support::slot::srs_and_dmrs(N_CAND, N_PRB);
    let mut dl = DownlinkSlot::new(cfg, srs.view(), &ofdm).unwrap();
    let mut ul = UplinkSlot::new(
        N_ANT,
        PilotPattern::from_pilots(dmrs.view()).unwrap(),
        &ofdm,
    )
    .unwrap();

    // Clean received grids through a fixed channel (plus a little deterministic noise).
    let h = |a: usize, u: usize| {
        let ph = 0.9 * (a * (u + 1)) as f32 + 0.4 * u as f32;
        C32::new(ph.cos(), ph.sin())
    };
    let noise = |a: usize, l: usize, k: usize| {
        C32::new(
            ((a * 31 + l * 17 + k * 13) % 97) as f32 / 97.0 - 0.5,
            ((a * 7 + l * 3 + k * 11) % 89) as f32 / 89.0 - 0.5,
        ) * 0.03
    };
    let srs_clean = Array3::from_shape_fn((N_ANT, 14, N_SC), |(a, l, k)| {
        (0..N_CAND).map(|u| h(a, u) * srs[[u, l, k]]).sum::<C32>() + noise(a, l, k)
    });
    let mut tx = dmrs.clone();
    let mut sym = vec![C32::new(0.0, 0.0); N_SC];
    for j in 0..N_CAND {
        for l in (0..14).filter(|l| *l != 2 && *l != 3) {
            let bits: Vec<u8> = (0..2 * N_SC)
                .map(|i| ((i * 5 + j * 3 + l) % 7 < 3) as u8)
                .collect();
            map(Modulation::Qpsk, &bits, &mut sym).unwrap();
            tx.slice_mut(s![j, l, ..])
                .assign(&ndarray::ArrayView1::from(&sym));
        }
    }
    let ul_clean = Array3::from_shape_fn((N_ANT, 14, N_SC), |(a, l, k)| {
        (0..N_CAND).map(|u| h(a, u) * tx[[u, l, k]]).sum::<C32>() + noise(a, l, k)
    });
    // Everything the loop touches, allocated up front.
    let mut srs_rx = srs_clean.clone();
    let layers = tx.clone();
    let mut grid = Array3::zeros((N_ANT, 14, N_SC));
    let mut wave = ndarray::Array2::zeros((N_ANT, dl.waveform_len()));
    let mut llr = vec![0.0f32; 2 * N_SC];
    // Slot times, written by index: the buffer is touched now so that resident memory does
    // not grow with it during the run.
    let mut times = vec![f64::NAN; max_slots];
    let users_all = [0usize, 1, 2, 3];
    let prg_ranges: Vec<std::ops::Range<usize>> =
        (0..N_PRB / 2).map(|p| 2 * p..2 * p + 2).collect();
    let mut rng = Lcg(0x5eed);
    let (mut faults_injected, mut faults_flagged) = (0usize, 0usize);

    let mut one_slot = |slot: usize, rng: &mut Lcg, time: Option<&mut f64>| {
        // The scheduler: 1 or 2 groups of distinct users on disjoint PRG-aligned ranges.
        let n_groups = 1 + rng.below(2);
        let split = 1 + rng.below(N_PRB / 2 - 1); // PRGs of the first group
        let k0 = 1 + rng.below(if n_groups == 2 { 2 } else { 4 });
        let k1 = if n_groups == 2 { 1 + rng.below(2) } else { 0 };
        let first = rng.below(4);
        let mut order = [0usize; 4];
        for (i, o) in order.iter_mut().enumerate() {
            *o = users_all[(first + i) % 4];
        }
        let (ua, ub) = order.split_at(k0);
        let span = |start: usize, end: usize| [std::ops::Range { start, end }];
        let r_a = span(prg_ranges[0].start, prg_ranges[split - 1].end);
        let r_b = span(prg_ranges[split].start, N_PRB);
        let all = span(0, N_PRB);
        let groups_two = [
            MuGroup {
                users: ua,
                prbs: PrbAllocation::new(&r_a, N_PRB).unwrap(),
            },
            MuGroup {
                users: &ub[..k1],
                prbs: PrbAllocation::new(&r_b, N_PRB).unwrap(),
            },
        ];
        let groups_one = [MuGroup {
            users: ua,
            prbs: PrbAllocation::new(&all, N_PRB).unwrap(),
        }];
        let groups: &[MuGroup<'_>] = if n_groups == 2 {
            &groups_two
        } else {
            &groups_one
        };
        let k: usize = groups.iter().map(|g| g.users.len()).sum();

        // Faults: every 7th slot, on a random antenna, in the SRS or the uplink grid.
        srs_rx.assign(&srs_clean);
        ul.grid_mut().assign(&ul_clean);
        let fault = (slot % 7 == 3).then(|| (rng.below(3), rng.below(N_ANT), rng.below(2) == 0));
        if let Some((kind, a, in_srs)) = fault {
            let mut g = if in_srs {
                srs_rx.view_mut()
            } else {
                ul.grid_mut()
            };
            match kind {
                0 => {
                    for i in 0..5 {
                        g[[a, [2, 3, 13, 6, 9][i], (7 * i + slot) % N_SC]] =
                            C32::new(f32::NAN, f32::INFINITY);
                    }
                }
                1 => g.slice_mut(s![a, .., ..]).fill(C32::new(0.0, 0.0)),
                _ => g.slice_mut(s![a, .., ..]).fill(C32::new(0.5, 0.5)),
            }
        }

        let t = Instant::now();
        dl.sound(srs_rx.view(), None).unwrap();
        dl.compute_group_weights(groups, 0.01).unwrap();
        dl.precode(layers.slice(s![..k, .., ..]), grid.view_mut())
            .unwrap();
        if slot.is_multiple_of(16) {
            dl.modulate(grid.view(), wave.view_mut()).unwrap();
        }
        ul.detect_groups(groups, DetectorMethod::Mmse { unbiased: true }, None)
            .unwrap();
        ul.llrs(Modulation::Qpsk, 0, 5, &mut llr).unwrap();
        if let Some(time) = time {
            *time = t.elapsed().as_secs_f64();
        }

        // Outputs finite; faults flagged where they were injected.
        assert!(
            dl.weights()
                .iter()
                .all(|v| v.re.is_finite() && v.im.is_finite()),
            "slot {slot}: weights"
        );
        assert!(
            ul.layers()
                .iter()
                .all(|v| v.re.is_finite() && v.im.is_finite()),
            "slot {slot}: layers"
        );
        assert!(llr.iter().all(|v| v.is_finite()), "slot {slot}: LLRs");
        if let Some((kind, a, in_srs)) = fault {
            let health = if in_srs {
                dl.antenna_health()[a]
            } else {
                ul.antenna_health()[a]
            };
            let want = match kind {
                // The sounding is screened on its SRS symbol (13) only, what it reads: one of
                // the five NaN samples; the uplink reads, and screens, every symbol.
                0 => AntennaHealth::NonFinite {
                    samples: if in_srs { 1 } else { 5 },
                },
                1 => AntennaHealth::Dead,
                _ => AntennaHealth::Stuck,
            };
            assert_eq!(health, want, "slot {slot}: fault {kind} on antenna {a}");
            (1, 1)
        } else {
            (0, 0)
        }
    };

    // Warm-up: every group shape once, outside the counted region.
    for slot in 0..64 {
        one_slot(slot, &mut rng, None);
    }
    let rss_before = resident_kib();
    let start = Instant::now();
    let (allocs, slots) = allocations_during(|| {
        let mut n = 0;
        while n < max_slots && start.elapsed().as_secs_f64() < max_seconds {
            let (i, f) = one_slot(64 + n, &mut rng, Some(&mut times[n]));
            faults_injected += i;
            faults_flagged += f;
            n += 1;
        }
        n
    });
    let rss_after = resident_kib();
    let elapsed = start.elapsed().as_secs_f64();
    times.truncate(slots);
    times.sort_by(f64::total_cmp);
    let pct = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "soak: {slots} slots in {elapsed:.1} s ({faults_injected} with injected faults, all flagged), \
         slot time median {:.0} µs, p99.99 {:.0} µs, worst {:.0} µs; {allocs} allocations; \
         RSS {rss_before:?} → {rss_after:?} KiB",
        pct(0.5) * 1e6,
        pct(0.9999) * 1e6,
        times.last().copied().unwrap_or(0.0) * 1e6,
    );
    assert_eq!(allocs, 0, "allocations after warm-up");
    assert_eq!(faults_injected, faults_flagged);
    if let (Some(b), Some(a)) = (rss_before, rss_after) {
        // Flat: the slots allocate nothing and every buffer was touched before, so resident
        // memory may only move by a few pages (stack, allocator bookkeeping).
        assert!(a <= b + 256, "RSS grew from {b} to {a} KiB");
    }
    assert!(
        slots >= max_slots.min(10_000),
        "only {slots} slots in {max_seconds} s"
    );
}
