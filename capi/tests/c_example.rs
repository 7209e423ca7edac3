//! The C example (`examples/c/slots.c`, built against the installed library by `.ci/run`)
//! against the same two slots run through the Rust API on the same inputs (and the downlink's
//! category-A U-plane messages, byte for byte). The C program
//! writes its results into `$MM_C_EXAMPLE_OUT`; without that variable this test has nothing
//! to compare and says so (`.ci/run` always sets it after running the C program).

use std::path::Path;

use massive_mimo::C32;
use massive_mimo::detection::DetectorMethod;
use massive_mimo::estimation::PilotPattern;
use massive_mimo::fronthaul::{
    CompHeader, Direction, IqWidth, Timing, UPLANE_HEADER_BYTES, UplaneCodec,
};
use massive_mimo::link::{DownlinkConfig, DownlinkSlot, PrecoderKind, SrsEstimation, UplinkSlot};
use massive_mimo::modulation::Modulation;
use massive_mimo::ofdm::{CyclicPrefix, OfdmConfig, Standard};
use massive_mimo::precoding::Normalization;
use massive_mimo::refsig::{DmrsConfig, DmrsType, SrsConfig, write_multiplexed_users};
use ndarray::{Array2, Array3};

const N_ANT: usize = 16;
const N_USERS: usize = 4;
const N_PRB: usize = 12;
const N_SC: usize = 12 * N_PRB;

// The same formulas as examples/c/slots.c.
fn channel(a: usize, u: usize) -> C32 {
    C32::new(
        ((a * 7 + u * 13) % 17) as f32 / 17.0 - 0.5,
        ((a * 5 + u * 11 + 3) % 19) as f32 / 19.0 - 0.5,
    )
}

fn qpsk(j: usize, l: usize, k: usize) -> C32 {
    let r = std::f32::consts::FRAC_1_SQRT_2; // the same f32 as the C program's 0.70710678f
    let b = (j * 3 + l * 5 + k * 7) % 4;
    C32::new(
        if b & 1 != 0 { -r } else { r },
        if b & 2 != 0 { -r } else { r },
    )
}

fn through_channel(x: &Array3<C32>) -> Array3<C32> {
    let mut g = Array3::zeros((N_ANT, 14, N_SC));
    for a in 0..N_ANT {
        for l in 0..14 {
            for k in 0..N_SC {
                let mut acc = C32::new(0.0, 0.0);
                for u in 0..x.dim().0 {
                    let t = channel(a, u) * x[[u, l, k]];
                    acc.re += t.re;
                    acc.im += t.im;
                }
                g[[a, l, k]] = acc;
            }
        }
    }
    g
}

fn read_c32(dir: &Path, name: &str) -> Vec<C32> {
    std::fs::read(dir.join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .chunks_exact(8)
        .map(|b| {
            C32::new(
                f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
                f32::from_le_bytes([b[4], b[5], b[6], b[7]]),
            )
        })
        .collect()
}

fn compare(what: &str, c: &[C32], rust: &[C32]) {
    assert_eq!(c.len(), rust.len(), "{what}: length");
    let scale = rust.iter().map(|v| v.norm()).fold(0.0f32, f32::max);
    let diff = c
        .iter()
        .zip(rust)
        .map(|(a, b)| (a - b).norm())
        .fold(0.0f32, f32::max);
    println!("{what}: max |C − Rust| = {diff:e} (max |Rust| = {scale:e})");
    // The same library code on the same inputs: equal up to f32 rounding of the host loops.
    assert!(diff <= 1e-5 * scale, "{what}: C and Rust differ by {diff}");
}

#[test]
fn c_example_matches_the_rust_pipeline() {
    let Some(dir) = std::env::var_os("MM_C_EXAMPLE_OUT") else {
        println!("MM_C_EXAMPLE_OUT not set: the C example did not run here (.ci/run runs it)");
        return;
    };
    let dir = Path::new(&dir);
    let ofdm = OfdmConfig {
        standard: Standard::Nr,
        scs_khz: 30,
        n_fft: 256,
        n_sc: N_SC,
        n_symbols: 14,
        cyclic_prefix: CyclicPrefix::Normal,
        slot: 0,
        scale: 1.0 / 16.0,
    };
    // Downlink.
    let mut srs = Array3::zeros((N_USERS, 14, N_SC));
    write_multiplexed_users(
        &SrsConfig::single_port(4, N_PRB, 13, (0, 0)),
        N_USERS,
        srs.view_mut(),
    )
    .unwrap();
    let cfg = DownlinkConfig {
        n_ant: N_ANT,
        n_candidates: N_USERS,
        n_layers: N_USERS,
        n_prb: N_PRB,
        prg_prbs: 2,
        precoder: PrecoderKind::Rzf,
        normalization: Normalization::Total,
        srs_estimation: SrsEstimation::DelayDomain,
    };
    let mut dl = DownlinkSlot::new(cfg, srs.view(), &ofdm).unwrap();
    dl.sound(through_channel(&srs).view(), None).unwrap();
    dl.compute_weights(&[0, 1, 2, 3], 0.01).unwrap();
    let layers = Array3::from_shape_fn((N_USERS, 14, N_SC), |(j, l, k)| qpsk(j, l, k));
    let mut grid = Array3::zeros((N_ANT, 14, N_SC));
    dl.precode(layers.view(), grid.view_mut()).unwrap();
    let mut wave = Array2::zeros((N_ANT, dl.waveform_len()));
    dl.modulate(grid.view(), wave.view_mut()).unwrap();
    compare(
        "downlink grid",
        &read_c32(dir, "dl_grid.bin"),
        grid.as_slice().unwrap(),
    );
    compare(
        "downlink waveform",
        &read_c32(dir, "dl_wave.bin"),
        wave.as_slice().unwrap(),
    );
    // The category-A U-plane messages of the same slot (BFP-9, scale 4096), byte for byte.
    let mut codec = UplaneCodec::new(CompHeader::bfp(IqWidth::W9), N_PRB as u16, 4096.0).unwrap();
    let msg_len = UPLANE_HEADER_BYTES + codec.section_bytes(N_PRB);
    let mut uplane = vec![0u8; N_ANT * 14 * msg_len];
    let slot = Timing {
        direction: Direction::Downlink,
        filter_index: 0,
        frame_id: 0,
        subframe_id: 0,
        slot_id: 0,
        symbol_id: 0,
    };
    dl.precode_uplane(layers.view(), &mut codec, &slot, 0, &mut uplane, msg_len)
        .unwrap();
    let c_uplane = std::fs::read(dir.join("dl_uplane.bin")).unwrap();
    assert!(
        c_uplane == uplane,
        "downlink U-plane messages differ from the Rust pipeline's"
    );

    // Uplink.
    let mut dmrs = Array3::zeros((N_USERS, 14, N_SC));
    DmrsConfig::new(DmrsType::Type2, (0..N_USERS).collect(), vec![2], true)
        .write_pilots(dmrs.view_mut())
        .unwrap();
    let tx = Array3::from_shape_fn((N_USERS, 14, N_SC), |(j, l, k)| {
        if l == 2 || l == 3 {
            dmrs[[j, l, k]]
        } else {
            qpsk(j, l, k)
        }
    });
    let mut ul = UplinkSlot::new(
        N_ANT,
        PilotPattern::from_pilots(dmrs.view()).unwrap(),
        &ofdm,
    )
    .unwrap();
    let mut ul_wave = Array2::zeros((N_ANT, dl.waveform_len()));
    dl.modulate(through_channel(&tx).view(), ul_wave.view_mut())
        .unwrap();
    ul.demodulate(ul_wave.view()).unwrap();
    ul.detect(DetectorMethod::Mmse { unbiased: true }, Some(1e-4))
        .unwrap();
    let mut llr = vec![0.0f32; 2 * N_SC];
    ul.llrs(Modulation::Qpsk, 1, 5, &mut llr).unwrap();
    let detected: Vec<C32> = ul.layers().iter().copied().collect();
    compare("uplink layers", &read_c32(dir, "ul_layers.bin"), &detected);
    let c_llr: Vec<C32> = std::fs::read(dir.join("ul_llr.bin"))
        .unwrap()
        .chunks_exact(4)
        .map(|b| C32::new(f32::from_le_bytes([b[0], b[1], b[2], b[3]]), 0.0))
        .collect();
    let rust_llr: Vec<C32> = llr.iter().map(|&v| C32::new(v, 0.0)).collect();
    compare("uplink LLRs", &c_llr, &rust_llr);
}
