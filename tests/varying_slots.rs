//! Issue 15's acceptance test: 200 slots whose users, layers and PRB allocations change every
//! slot — one group or two MU groups on different PRB ranges, one user, full capacity — through
//! the downlink (SRS estimation → group weights → precoding → OFDM) and the uplink (OFDM →
//! DMRS estimation → group detection → LLRs) pipelines: zero allocations after construction,
//! and every 10th slot equal to freshly built processors on the same slot.

// One-range PRB allocations (`[a..b]`) are meant throughout.
#![allow(clippy::single_range_in_vec_init)]

mod support;

use std::ops::Range;

use massive_mimo::C32;
use massive_mimo::detection::DetectorMethod;
use massive_mimo::estimation::PilotPattern;
use massive_mimo::link::{DownlinkConfig, DownlinkSlot, PrecoderKind, SrsEstimation, UplinkSlot};
use massive_mimo::modulation::Modulation;
use massive_mimo::ofdm::{CyclicPrefix, OfdmConfig, Standard};
use massive_mimo::precoding::Normalization;
use massive_mimo::resource::{MuGroup, PrbAllocation};
use ndarray::{Array2, Array3};
use support::alloc_counter::{CountingAlloc, allocations_during};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const N_ANT: usize = 16;
const N_CAND: usize = 8; // sounding candidates = DMRS ports = capacity in streams
const N_PRB: usize = 12;
const N_SC: usize = 12 * N_PRB;

/// One slot's schedule: up to two groups, each a user list and one PRB range (groups on
/// whole PRGs of 2 PRBs so that downlink groups never share a PRG).
#[derive(Clone)]
struct Schedule {
    users: Vec<Vec<usize>>,
    prbs: Vec<[Range<usize>; 1]>,
}

fn schedule(slot: usize) -> Schedule {
    // A deterministic scheduler: cycles through full capacity, one user, two groups of
    // different sizes on different PRB ranges, and partial bands.
    let pick =
        |n: usize, off: usize| -> Vec<usize> { (0..n).map(|i| (i * 3 + off) % N_CAND).collect() };
    match slot % 5 {
        0 => Schedule {
            users: vec![pick(N_CAND, slot)],
            prbs: vec![[0..N_PRB]],
        },
        1 => Schedule {
            users: vec![vec![slot % N_CAND]],
            prbs: vec![[2 * (slot % 3)..N_PRB]],
        },
        2 => Schedule {
            users: vec![
                pick(3, slot),
                pick(4, slot + 1)
                    .into_iter()
                    .map(|u| (u + 1) % N_CAND)
                    .collect(),
            ],
            prbs: vec![[0..4], [6..N_PRB]],
        },
        3 => Schedule {
            users: vec![pick(1 + slot % 7, slot)],
            prbs: vec![[4..10]],
        },
        _ => Schedule {
            users: vec![pick(2, slot), pick(2, slot + 5)],
            prbs: vec![[0..2], [8..12]],
        },
    }
}

fn groups(s: &Schedule) -> Vec<MuGroup<'_>> {
    s.users
        .iter()
        .zip(&s.prbs)
        .map(|(u, r)| MuGroup {
            users: u,
            prbs: PrbAllocation::new(r, N_PRB).unwrap(),
        })
        .collect()
}

fn ofdm() -> OfdmConfig {
    OfdmConfig {
        standard: Standard::Nr,
        scs_khz: 30,
        n_fft: 256,
        n_sc: N_SC,
        n_symbols: 14,
        cyclic_prefix: CyclicPrefix::Normal,
        slot: 0,
        scale: 1.0 / 16.0,
    }
}

fn dl_cfg() -> DownlinkConfig {
    DownlinkConfig {
        n_ant: N_ANT,
        n_candidates: N_CAND,
        n_layers: N_CAND,
        n_prb: N_PRB,
        prg_prbs: 2,
        precoder: PrecoderKind::Rzf,
        normalization: Normalization::Total,
        srs_estimation: SrsEstimation::DelayDomain,
    }
}

/// Deterministic received grid of `pilots` [ports, 14, N_SC] through a per-antenna/port phase
/// channel, with a slot-dependent perturbation so that every slot differs.
fn receive(pilots: &Array3<C32>, slot: usize) -> Array3<C32> {
    let ports = pilots.dim().0;
    Array3::from_shape_fn((N_ANT, 14, N_SC), |(a, l, s)| {
        (0..ports)
            .map(|u| {
                let ph = (a * (u + 1)) as f32 * 0.7 + (slot % 11) as f32 * 0.01 * u as f32;
                pilots[[u, l, s]] * C32::from_polar(1.0, ph)
            })
            .sum::<C32>()
            + C32::new(0.01 * ((a + l + s + slot) % 3) as f32, 0.0)
    })
}

#[test]
fn two_hundred_varying_slots_through_both_pipelines_allocate_nothing() {
    let (srs, dmrs) = support::slot::srs_and_dmrs(N_CAND, N_PRB);
    let mut dl = DownlinkSlot::new(dl_cfg(), srs.view(), &ofdm()).unwrap();
    let mut ul = UplinkSlot::new(
        N_ANT,
        PilotPattern::from_pilots(dmrs.view()).unwrap(),
        &ofdm(),
    )
    .unwrap();
    // Everything a slot needs, made before the loop: the schedules, received grids, buffers.
    let n_slots = 200;
    let schedules: Vec<Schedule> = (0..n_slots).map(schedule).collect();
    let srs_rx: Vec<Array3<C32>> = (0..n_slots).map(|s| receive(&srs, s)).collect();
    let ul_rx: Vec<Array3<C32>> = (0..n_slots).map(|s| receive(&dmrs, s)).collect();
    let layer_grids: Vec<Array3<C32>> = schedules
        .iter()
        .map(|s| {
            let k: usize = s.users.iter().map(Vec::len).sum();
            Array3::from_shape_fn((k, 14, N_SC), |(j, l, c)| {
                C32::new(
                    ((j + l + c) % 4) as f32 - 1.5,
                    ((j * l + c) % 3) as f32 - 1.0,
                )
            })
        })
        .collect();
    let group_lists: Vec<Vec<MuGroup<'_>>> = schedules.iter().map(groups).collect();
    let mut antenna_grid = Array3::zeros((N_ANT, 14, N_SC));
    let mut wave = Array2::zeros((N_ANT, dl.waveform_len()));
    let mut llr = vec![0.0f32; N_SC * 4];
    let mut kept_dl: Vec<Array3<C32>> = Vec::with_capacity(n_slots / 10);
    let mut kept_ul: Vec<Array3<C32>> = Vec::with_capacity(n_slots / 10);
    for _ in 0..n_slots / 10 {
        kept_dl.push(Array3::zeros((N_ANT, 14, N_SC)));
        kept_ul.push(Array3::zeros((N_CAND, 14, N_SC)));
    }
    let (count, ()) = allocations_during(|| {
        for s in 0..n_slots {
            let g = &group_lists[s];
            // Downlink.
            dl.sound(srs_rx[s].view(), None).unwrap();
            dl.compute_group_weights(g, 0.01).unwrap();
            dl.precode(layer_grids[s].view(), antenna_grid.view_mut())
                .unwrap();
            dl.modulate(antenna_grid.view(), wave.view_mut()).unwrap();
            // Uplink (frequency-domain grid written directly).
            ul.grid_mut().assign(&ul_rx[s]);
            ul.detect_groups(g, DetectorMethod::Mmse { unbiased: true }, None)
                .unwrap();
            ul.llrs(Modulation::Qam16, 0, 5, &mut llr).unwrap();
            if s % 10 == 0 {
                kept_dl[s / 10].assign(&antenna_grid);
                let x = ul.layers();
                kept_ul[s / 10]
                    .slice_mut(ndarray::s![..x.dim().0, .., ..])
                    .assign(&x);
            }
        }
    });
    assert_eq!(count, 0, "200 varying slots allocated {count} times");
    // Every 10th slot against freshly built processors for exactly that slot.
    for s in (0..n_slots).step_by(10) {
        let g = &group_lists[s];
        let k: usize = schedules[s].users.iter().map(Vec::len).sum();
        let mut fresh_dl = DownlinkSlot::new(
            DownlinkConfig {
                n_layers: k,
                ..dl_cfg()
            },
            srs.view(),
            &ofdm(),
        )
        .unwrap();
        fresh_dl.sound(srs_rx[s].view(), None).unwrap();
        fresh_dl.compute_group_weights(g, 0.01).unwrap();
        let mut y = Array3::zeros((N_ANT, 14, N_SC));
        fresh_dl
            .precode(layer_grids[s].view(), y.view_mut())
            .unwrap();
        assert_eq!(kept_dl[s / 10], y, "downlink grid of slot {s}");
        let mut fresh_ul = UplinkSlot::new(
            N_ANT,
            PilotPattern::from_pilots(dmrs.view()).unwrap(),
            &ofdm(),
        )
        .unwrap();
        fresh_ul.grid_mut().assign(&ul_rx[s]);
        fresh_ul
            .detect_groups(g, DetectorMethod::Mmse { unbiased: true }, None)
            .unwrap();
        let x = fresh_ul.layers();
        assert_eq!(
            kept_ul[s / 10].slice(ndarray::s![..k, .., ..]),
            x,
            "uplink streams of slot {s}"
        );
    }
}
