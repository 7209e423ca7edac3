//! Slot fixtures shared by the pipeline tests: the NR OFDM numerology they use and a layer
//! grid with DMRS.

use massive_mimo::C32;
use massive_mimo::link::{DownlinkConfig, PrecoderKind, SrsEstimation};
use massive_mimo::modulation::{Modulation, map};
use massive_mimo::ofdm::{CyclicPrefix, OfdmConfig, Standard};
use massive_mimo::precoding::Normalization;
use massive_mimo::refsig::{DmrsConfig, DmrsType, SrsConfig, write_multiplexed_users};
use ndarray::{Array3, ArrayView1, s};

/// A downlink of `n_ant` antennas serving all `k` candidates as single-layer users over
/// `n_prb` PRBs: RZF weights per PRG of 2 PRBs, total-power normalisation, delay-domain SRS
/// estimation.
pub fn rzf_downlink(n_ant: usize, k: usize, n_prb: usize) -> DownlinkConfig {
    DownlinkConfig {
        n_ant,
        n_candidates: k,
        n_layers: k,
        n_prb,
        prg_prbs: 2,
        precoder: PrecoderKind::Rzf,
        normalization: Normalization::Total,
        srs_estimation: SrsEstimation::DelayDomain,
    }
}

/// NR at 30 kHz, normal CP, 14 symbols, `n_sc` subcarriers on an `n_fft`-point FFT with scale
/// 1/√n_fft (so modulation then demodulation is the identity).
pub fn nr_ofdm(n_sc: usize, n_fft: usize) -> OfdmConfig {
    OfdmConfig {
        standard: Standard::Nr,
        scs_khz: 30,
        n_fft,
        n_sc,
        n_symbols: 14,
        cyclic_prefix: CyclicPrefix::Normal,
        slot: 0,
        scale: 1.0 / (n_fft as f32).sqrt(),
    }
}

/// Layers [k, 14, n_sc] with type-2 double-symbol DMRS of ports 0..k on symbols 2–3 and data
/// of `modulation` elsewhere, bit i of layer j on symbol l being `bit(i, j, l)`; returns the
/// layers and the pilot grid.
pub fn dmrs_layers(
    k: usize,
    n_sc: usize,
    modulation: Modulation,
    bit: impl Fn(usize, usize, usize) -> bool,
) -> (Array3<C32>, Array3<C32>) {
    let mut pilots = Array3::zeros((k, 14, n_sc));
    DmrsConfig::new(DmrsType::Type2, (0..k).collect(), vec![2], true)
        .write_pilots(pilots.view_mut())
        .unwrap();
    let mut x = pilots.clone();
    let qm = modulation.bits_per_symbol();
    let mut sym = vec![C32::new(0.0, 0.0); n_sc];
    for j in 0..k {
        for l in (0..14).filter(|l| *l != 2 && *l != 3) {
            let bits: Vec<u8> = (0..qm * n_sc).map(|i| u8::from(bit(i, j, l))).collect();
            map(modulation, &bits, &mut sym).unwrap();
            x.slice_mut(s![j, l, ..]).assign(&ArrayView1::from(&sym));
        }
    }
    (x, pilots)
}

/// The candidates' pilots of the slot tests: `n_cand` single-port SRS users (comb 4, cyclic
/// shifts, symbol 13) over `n_prb` PRBs, and type-2 double-symbol DMRS of ports 0..n_cand on
/// symbols 2–3; both `[n_cand, 14, 12·n_prb]`.
pub fn srs_and_dmrs(n_cand: usize, n_prb: usize) -> (Array3<C32>, Array3<C32>) {
    let n_sc = 12 * n_prb;
    let mut srs = Array3::zeros((n_cand, 14, n_sc));
    write_multiplexed_users(
        &SrsConfig::single_port(4, n_prb, 13, (1, 0)),
        n_cand,
        srs.view_mut(),
    )
    .unwrap();
    let mut dmrs = Array3::zeros((n_cand, 14, n_sc));
    DmrsConfig::new(DmrsType::Type2, (0..n_cand).collect(), vec![2], true)
        .write_pilots(dmrs.view_mut())
        .unwrap();
    (srs, dmrs)
}
