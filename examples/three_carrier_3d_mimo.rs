//! The headline: a TD-LTE 3D-MIMO cell with a 64T64R planar array (8 rows × 4 columns × 2
//! polarisations, ±45°) serving 16 single-layer users spread in azimuth and elevation on three
//! aggregated 20 MHz carriers in band 41 (2575 / 2595 / 2615 MHz; TDD configuration 2,
//! special subframe 7) — or, with `--nr`, its NR twin (100 MHz at 30 kHz in n78, DDDSU).
//!
//! Per carrier, for one 10 ms frame (`--periods`), the real signal chain of the library
//! (`massive_mimo_sim::cell` documents each step): SRS of all users in the special
//! subframes' UpPTS → delay-domain estimates per PRB → RZF weights per PRB → 256QAM layers
//! with LTE UE-specific RS (ports 7–14 × n_SCID 0/1) precoded into the 64-antenna grid → every user receives through its own cluster channel
//! (38.901-style rays through the array's element pattern and polarisation, moving at 1 m/s)
//! → its LMMSE estimate from its UE-RS, equalisation → EVM, uncoded BER and measured SINR per stream → the
//! MCS a 10 % BLER link adaptation would pick (1.5 dB gap), its TBS and the throughput. The
//! carriers run in parallel (rayon).
//!
//! ```sh
//! cargo run --release --example three_carrier_3d_mimo                 # the default scenario
//! cargo run --release --example three_carrier_3d_mimo -- --json        # one JSON object
//! cargo run --release --example three_carrier_3d_mimo -- --nr --carriers 1
//! cargo run --release --example three_carrier_3d_mimo -- --users 24 --streams 16 --channel eva
//! ```

use clap::{Parser, ValueEnum};
use massive_mimo::array::PanelArray;
use massive_mimo::carrier::{CarrierAggregation, ComponentCarrier, Rat};
use massive_mimo::link::PrecoderKind;
use massive_mimo_sim::channel::{NrCdl, NrTdl, ProfileParams, TdlProfile};
use massive_mimo_sim::{
    CarrierResult, CellScenario, ChannelKind, Csi, run_carriers, simulate_carrier,
};
use std::time::Instant;

#[path = "support/angle_map.rs"]
mod angle_map;
#[path = "support/font.rs"]
mod font;

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Precoder {
    Rzf,
    Zf,
    Mrt,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Channel {
    /// Geometric clusters through the array, NLOS.
    Cluster,
    /// The same with a line-of-sight ray (K = 9 dB).
    ClusterLos,
    /// 36.104 EPA per antenna (no spatial structure).
    Epa,
    /// 36.104 EVA per antenna.
    Eva,
    /// 36.104 ETU per antenna.
    Etu,
    /// 38.901 TDL-A per antenna (NLOS; delay spread from --delay-spread-ns).
    TdlA,
    /// 38.901 TDL-B per antenna (NLOS).
    TdlB,
    /// 38.901 TDL-C per antenna (NLOS).
    TdlC,
    /// 38.901 TDL-D per antenna (LOS, K = 13.3 dB).
    TdlD,
    /// 38.901 TDL-E per antenna (LOS, K = 22 dB).
    TdlE,
    /// 38.901 CDL-A through the array, turned toward each user (delay spread from
    /// --delay-spread-ns).
    CdlA,
    /// 38.901 CDL-B through the array.
    CdlB,
    /// 38.901 CDL-C through the array.
    CdlC,
    /// 38.901 CDL-D through the array (LOS).
    CdlD,
    /// 38.901 CDL-E through the array (LOS).
    CdlE,
    /// i.i.d. Rayleigh, flat.
    Rayleigh,
}

/// Three-carrier 3D-MIMO cell: per-carrier and aggregate downlink throughput.
#[derive(Parser, Debug)]
#[command(
    version,
    about = "A 64T64R 3D-MIMO cell on aggregated TD-LTE (or NR) carriers: SRS, RZF, 16 streams, per-stream SINR/MCS/throughput"
)]
struct Args {
    /// Candidate users (single antenna each).
    #[arg(long, default_value_t = 16)]
    users: usize,
    /// Streams per slot (default: one per user; fewer selects users by SUS).
    #[arg(long)]
    streams: Option<usize>,
    /// Array rows × columns per polarisation (× 2 polarisations).
    #[arg(long, default_value = "8x4")]
    array: String,
    /// Aggregated carriers (LTE: ≤ 5 in band 41 from 2575 MHz; NR: ≤ 9 of 100 MHz in n77).
    #[arg(long, default_value_t = 3)]
    carriers: usize,
    /// NR variant: 100 MHz carriers at 30 kHz, DDDSU.
    #[arg(long)]
    nr: bool,
    /// Precoder.
    #[arg(long, value_enum, default_value = "rzf")]
    precoder: Precoder,
    /// Channel model.
    #[arg(long, value_enum, default_value = "cluster")]
    channel: Channel,
    /// R.m.s. delay spread of the 38.901 TDL and CDL channels, ns (38.901 Table 7.7.3-1: 10 very
    /// short … 1000 very long; 100 nominal).
    #[arg(long, default_value_t = 100.0)]
    delay_spread_ns: f64,
    /// Use the true channel instead of SRS estimates.
    #[arg(long)]
    perfect_csi: bool,
    /// TDD periods to simulate (LTE: 10 ms frames; NR: 2.5 ms DDDSU periods).
    #[arg(long)]
    periods: Option<usize>,
    /// Downlink SNR per user (unit channel gain per antenna, total power 1), dB.
    #[arg(long, default_value_t = 25.0)]
    dl_snr_db: f64,
    /// Uplink SNR per base-station antenna (SRS and PUSCH), dB.
    #[arg(long, default_value_t = 10.0)]
    ul_snr_db: f64,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Seed.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Print one JSON object instead of the tables.
    #[arg(long)]
    json: bool,
    /// Where to write the PNG of the streams' SINR and the beams ("" = none).
    #[arg(long, default_value = "target/three_carrier_3d_mimo.png")]
    plot: String,
}

fn main() {
    if let Err(e) = run(Args::parse()) {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let (rows, cols) = args
        .array
        .split_once('x')
        .and_then(|(r, c)| Some((r.parse::<usize>().ok()?, c.parse::<usize>().ok()?)))
        .ok_or_else(|| format!("--array {}: expected ROWSxCOLS, e.g. 8x4", args.array))?;
    let (design_hz, rat) = if args.nr {
        (3.5e9, Rat::Nr)
    } else {
        (2.6e9, Rat::Lte)
    };
    let array = PanelArray::cross_polarized(rows, cols)?;
    let carriers: Vec<ComponentCarrier> = (0..args.carriers)
        .map(|i| match rat {
            Rat::Lte => ComponentCarrier::td_lte_band41(2575.0 + 20.0 * i as f64, array, design_hz),
            Rat::Nr => ComponentCarrier::new(
                Rat::Nr,
                77,
                (3350.0 + 100.0 * i as f64) * 1e6,
                100.0,
                30,
                massive_mimo::carrier::Duplex::NrTdd("DDDSU".parse()?),
                array,
                design_hz,
            ),
        })
        .collect::<Result<_, _>>()?;
    let ca = CarrierAggregation::new(carriers)?;
    let mut scenario = CellScenario::reference(args.users);
    scenario.n_streams = args.streams.unwrap_or(args.users);
    scenario.precoder = match args.precoder {
        Precoder::Rzf => PrecoderKind::Rzf,
        Precoder::Zf => PrecoderKind::Zf,
        Precoder::Mrt => PrecoderKind::Mrt,
    };
    scenario.channel = match args.channel {
        Channel::Cluster => ChannelKind::Cluster(ProfileParams::default()),
        Channel::ClusterLos => ChannelKind::Cluster(ProfileParams {
            los_k_db: Some(9.0),
            ..ProfileParams::default()
        }),
        Channel::Epa => ChannelKind::Tdl(TdlProfile::epa()),
        Channel::Eva => ChannelKind::Tdl(TdlProfile::eva()),
        Channel::Etu => ChannelKind::Tdl(TdlProfile::etu()),
        Channel::TdlA | Channel::TdlB | Channel::TdlC | Channel::TdlD | Channel::TdlE => {
            let model = match args.channel {
                Channel::TdlA => NrTdl::A,
                Channel::TdlB => NrTdl::B,
                Channel::TdlC => NrTdl::C,
                Channel::TdlD => NrTdl::D,
                _ => NrTdl::E,
            };
            ChannelKind::Tdl(TdlProfile::nr(model, args.delay_spread_ns * 1e-9)?)
        }
        Channel::CdlA | Channel::CdlB | Channel::CdlC | Channel::CdlD | Channel::CdlE => {
            let model = match args.channel {
                Channel::CdlA => NrCdl::A,
                Channel::CdlB => NrCdl::B,
                Channel::CdlC => NrCdl::C,
                Channel::CdlD => NrCdl::D,
                _ => NrCdl::E,
            };
            ChannelKind::Cdl(model, args.delay_spread_ns * 1e-9)
        }
        Channel::Rayleigh => ChannelKind::Rayleigh,
    };
    scenario.csi = if args.perfect_csi {
        Csi::Perfect
    } else {
        Csi::Srs
    };
    scenario.periods = args.periods.unwrap_or(if args.nr { 4 } else { 1 });
    scenario.dl_snr_db = args.dl_snr_db;
    scenario.ul_snr_db = args.ul_snr_db;
    scenario.seed = args.seed;

    let start = Instant::now();
    let channel = scenario.build_channel(&array, design_hz)?;
    if !args.json {
        eprintln!(
            "simulating {} {} carrier(s), {} users, {} streams, {} period(s) each …",
            ca.carriers().len(),
            if args.nr {
                "NR 100 MHz"
            } else {
                "TD-LTE 20 MHz"
            },
            args.users,
            scenario.n_streams,
            scenario.periods
        );
    }
    let results = run_carriers(ca.carriers(), args.threads, |i, c| {
        let t = Instant::now();
        let r = simulate_carrier(c, channel.as_ref(), &scenario, i);
        if !args.json {
            eprintln!(
                "  carrier {i} ({:.0} MHz) done in {:.1} s",
                c.centre_hz() / 1e6,
                t.elapsed().as_secs_f64()
            );
        }
        r
    })?;
    let elapsed = start.elapsed().as_secs_f64();
    let total: f64 = results.iter().map(|r| r.throughput_mbps).sum();
    // The reference deployment's measured figures (TD-LTE 3D-MIMO, 16 streams, 256QAM).
    let (ref_carrier, ref_total) = (700.0, 700.0 * ca.carriers().len() as f64);
    if args.json {
        let json = serde_json::json!({
            "rat": if args.nr { "NR" } else { "LTE" },
            "antennas": array.len(),
            "users": args.users,
            "streams": scenario.n_streams,
            "precoder": format!("{:?}", args.precoder),
            "channel": format!("{:?}", args.channel),
            "carriers": results.iter().map(carrier_json).collect::<Vec<_>>(),
            "total_throughput_mbps": total,
            "total_uplink_throughput_mbps": results.iter().map(|r| r.uplink_throughput_mbps).sum::<f64>(),
            "reference_per_carrier_mbps": if args.nr { serde_json::Value::Null } else { ref_carrier.into() },
            "reference_total_mbps": if args.nr { serde_json::Value::Null } else { ref_total.into() },
            "run_seconds": elapsed,
        });
        println!("{}", serde_json::to_string_pretty(&json)?);
        return Ok(());
    }
    println!(
        "\n{} × {} MHz, {}T{}R ({rows} × {cols} × 2, ±45°), {} users, {} streams, {:?} precoding, {:?} channel, {} CSI",
        ca.carriers().len(),
        ca.carriers()[0].bandwidth_mhz(),
        array.len(),
        array.len(),
        args.users,
        scenario.n_streams,
        args.precoder,
        args.channel,
        if args.perfect_csi { "perfect" } else { "SRS" }
    );
    for r in &results {
        println!(
            "\ncarrier {} at {:.1} MHz: {} downlink slots in {:.1} ms, SRS noise estimate {:.1} dB",
            r.carrier,
            r.centre_hz / 1e6,
            r.dl_slots,
            r.simulated_s * 1e3,
            r.srs_noise_db
        );
        println!(
            "stream  user  SINR dB (predicted)  EVM %   BER(256QAM)  MCS  modulation  rate   Mbit/s"
        );
        for (j, s) in r.streams.iter().enumerate() {
            println!(
                "{j:>6} {:>5} {:>8.1} ({:>9.1}) {:>7.2} {:>12.2e} {:>4} {:>10} {:>6} {:>7.1}",
                s.user,
                s.sinr_db,
                s.predicted_sinr_db,
                s.evm_pct,
                s.ber,
                s.mcs.map_or("-".into(), |m| m.to_string()),
                s.modulation.map_or("-".into(), |m| m.name().to_string()),
                s.code_rate.map_or("-".into(), |r| format!("{r:.3}")),
                s.throughput_mbps
            );
        }
        println!("carrier total: {:.0} Mbit/s", r.throughput_mbps);
        println!(
            "uplink ({} slots, {} users, 64QAM, per-PRB MMSE on {} antennas): SINR dB {} → {:.0} Mbit/s",
            r.ul_slots,
            r.uplink.len(),
            array.len(),
            r.uplink
                .iter()
                .map(|s| format!("{:.1}", s.sinr_db))
                .collect::<Vec<_>>()
                .join(" "),
            r.uplink_throughput_mbps
        );
    }
    let dash = |v: f64| {
        if args.nr {
            "-".to_string()
        } else {
            format!("{v:.0}")
        }
    };
    println!("\ncarrier  downlink Mbit/s   reference   uplink Mbit/s");
    for r in &results {
        println!(
            "{:>7} {:>16.0} {:>11} {:>15.0}",
            r.carrier,
            r.throughput_mbps,
            dash(ref_carrier),
            r.uplink_throughput_mbps
        );
    }
    let ul_total: f64 = results.iter().map(|r| r.uplink_throughput_mbps).sum();
    println!(
        "{:>7} {:>16.0} {:>11} {:>15.0}",
        "total",
        total,
        dash(ref_total),
        ul_total
    );
    if !args.nr {
        println!(
            "\nThe reference deployment measured 700 Mbit/s per 20 MHz carrier and 2.1 Gbit/s over \
             three; this run gives {:.0} % of that. What raises the simulation: no CRS, no PDCCH \
             beyond two symbols, no HARQ retransmissions, full buffers with every stream in every \
             downlink subframe (TBS and MCS from the 36.213 tables, code rate ≤ 0.93). What \
             lowers it: the default channel is urban-macro-like \
             NLOS (300 ns delay spread, 10° azimuth spread at the array) with 16 users packed \
             within ±52° of an array only 4 columns wide, so per-PRB RZF weights from 10 dB SRS \
             leave inter-stream leakage (the predicted column); the measured system's users and \
             channel are not known here. Try --channel eva (no spatial correlation), \
             --perfect-csi, or --array 8x8 to see each factor.",
            100.0 * total / ref_total
        );
    }
    if !args.plot.is_empty() {
        match plot(&args.plot, &results, &scenario, &ca) {
            Ok(true) => println!("\nplot: {}", args.plot),
            Ok(false) => {
                println!("\nplot skipped: no TrueType font (DejaVu Sans) in /usr/share/fonts")
            }
            Err(e) => println!("\nplot failed: {e}"),
        }
    }
    println!("\nrun time {elapsed:.1} s");
    Ok(())
}

/// Left: measured (bars) and predicted (dots) SINR per stream and carrier. Right: the
/// first carrier's beams — max over streams of the array gain |a(θ, φ)ᴴ w_j|² averaged over
/// the band's PRGs — over azimuth × zenith, with the users' directions marked. Returns false
/// when no font is available for the labels.
fn plot(
    path: &str,
    results: &[CarrierResult],
    scenario: &CellScenario,
    ca: &CarrierAggregation,
) -> Result<bool, Box<dyn std::error::Error>> {
    use massive_mimo::C32;
    use plotters::prelude::*;
    if !font::register_sans_serif() {
        return Ok(false);
    }
    if let Some(dir) = std::path::Path::new(path).parent() {
        std::fs::create_dir_all(dir)?;
    }
    let root = BitMapBackend::new(path, (1400, 560)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(620);

    // SINR per stream and carrier.
    let k = results[0].streams.len();
    let hi = results
        .iter()
        .flat_map(|r| r.streams.iter().map(|s| s.predicted_sinr_db.max(s.sinr_db)))
        .fold(0.0f64, f64::max)
        + 3.0;
    let mut chart = ChartBuilder::on(&left)
        .caption(
            "SINR per stream: measured (bars), predicted (dots)",
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(-0.5f64..k as f64 - 0.5, 0.0f64..hi)?;
    chart
        .configure_mesh()
        .x_desc("stream")
        .y_desc("SINR (dB)")
        .x_labels(k)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .disable_x_mesh()
        .light_line_style(WHITE)
        .draw()?;
    let colours = [BLUE, RED, GREEN, MAGENTA, CYAN];
    let width = 0.8 / results.len() as f64;
    for (c, r) in results.iter().enumerate() {
        let colour = colours[c % colours.len()];
        let x0 = |j: usize| j as f64 - 0.4 + width * c as f64;
        chart
            .draw_series(r.streams.iter().enumerate().map(|(j, s)| {
                Rectangle::new(
                    [(x0(j), 0.0), (x0(j) + width * 0.9, s.sinr_db.max(0.0))],
                    colour.mix(0.6).filled(),
                )
            }))?
            .label(format!(
                "carrier {} ({:.0} MHz)",
                r.carrier,
                r.centre_hz / 1e6
            ))
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 5), (x + 10, y + 5)], colour.mix(0.6).filled())
            });
        chart.draw_series(r.streams.iter().enumerate().map(|(j, s)| {
            Circle::new(
                (x0(j) + width * 0.45, s.predicted_sinr_db),
                3,
                colour.filled(),
            )
        }))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::LowerRight)
        .draw()?;

    // Beams of the first carrier.
    let carrier = &ca.carriers()[0];
    let arr = carrier.electrical_array();
    let w = &results[0].weights;
    let (n_prg, n_ant, k) = w.dim();
    let (az_lo, az_hi, ze_lo, ze_hi) = (-80.0f64, 80.0f64, 80.0f64, 130.0f64);
    let (na, nz) = (161usize, 51usize);
    let grid = |lo: f64, hi: f64, n: usize| -> Vec<f64> {
        (0..n)
            .map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64)
            .collect()
    };
    let (azimuth, zenith) = (grid(az_lo, az_hi, na), grid(ze_lo, ze_hi, nz));
    let mut a = vec![C32::new(0.0, 0.0); n_ant];
    let mut map = vec![f64::MIN; na * nz];
    for (iz, &ze) in zenith.iter().enumerate() {
        for (ia, &az) in azimuth.iter().enumerate() {
            arr.response(ze, az, (C32::new(1.0, 0.0), C32::new(0.0, 0.0)), &mut a)?;
            for j in 0..k {
                let mut g = 0.0f64;
                let step = (n_prg / 8).max(1);
                let mut n = 0;
                for p in (0..n_prg).step_by(step) {
                    let z: C32 = (0..n_ant).map(|i| a[i].conj() * w[[p, i, j]]).sum();
                    g += z.norm_sqr() as f64;
                    n += 1;
                }
                let db = 10.0 * (g / n as f64 * k as f64).max(1e-12).log10();
                map[iz * na + ia] = map[iz * na + ia].max(db);
            }
        }
    }
    let caption = format!(
        "beams of carrier 0 ({:.0} MHz): max over streams, dB; users ○",
        carrier.centre_hz() / 1e6
    );
    let mut chart = angle_map::angle_heat_map(&right, &caption, &azimuth, &zenith, &map, 30.0)?;
    chart.draw_series(
        scenario
            .users
            .iter()
            .map(|u| Circle::new((u.azimuth_deg, u.zenith_deg), 5, WHITE.stroke_width(2))),
    )?;
    root.present()?;
    Ok(true)
}

fn carrier_json(r: &CarrierResult) -> serde_json::Value {
    serde_json::json!({
        "carrier": r.carrier,
        "centre_mhz": r.centre_hz / 1e6,
        "throughput_mbps": r.throughput_mbps,
        "uplink_throughput_mbps": r.uplink_throughput_mbps,
        "dl_slots": r.dl_slots,
        "ul_slots": r.ul_slots,
        "simulated_ms": r.simulated_s * 1e3,
        "srs_noise_db": r.srs_noise_db,
        "streams": r.streams.iter().map(|s| serde_json::json!({
            "user": s.user,
            "sinr_db": s.sinr_db,
            "predicted_sinr_db": s.predicted_sinr_db,
            "evm_pct": s.evm_pct,
            "ber": s.ber,
            "mcs": s.mcs,
            "modulation": s.modulation.map(|m| m.name()),
            "code_rate": s.code_rate,
            "throughput_mbps": s.throughput_mbps,
        })).collect::<Vec<_>>(),
        "uplink": r.uplink.iter().map(|s| serde_json::json!({
            "user": s.user,
            "sinr_db": s.sinr_db,
            "detector_sinr_db": s.predicted_sinr_db,
            "evm_pct": s.evm_pct,
            "ber": s.ber,
            "mcs": s.mcs,
            "modulation": s.modulation.map(|m| m.name()),
            "code_rate": s.code_rate,
            "throughput_mbps": s.throughput_mbps,
        })).collect::<Vec<_>>(),
    })
}
