//! `mimo`: the command-line tool of massive-mimo.
//!
//! * `mimo info` — crate version, the SIMD backend chosen on this CPU and the backends available.
//! * `mimo vectors DIR...` — runs every reference-vector case under the directories (format of
//!   `../shared/VECTORS.md`); one `FAIL set/case: reason` line per failure, then
//!   `N passed, M failed`; exit status 1 when any case fails.
//! * `mimo peak-rate ...` — downlink peak rate of a TDD carrier set from the TBS arithmetic
//!   (`--json` for one JSON object).
//! * `mimo bench [--json] [--quick]` — the throughput report: peak, memory bandwidth, every hot
//!   block with its share of peak and speed-up over a plain baseline, cores per carrier, and
//!   multi-carrier scaling ([`bench`](mod@bench)).

#![deny(unsafe_code)]

//! * `mimo icount --check FILE | --update FILE` — the instruction-count regression guard
//!   (valgrind; [`icount`]).

mod bench;
mod icount;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use massive_mimo::simd::{BACKEND_ENV, Backend, Kernels, peak};

#[derive(Parser)]
#[command(
    name = "mimo",
    version,
    about = "massive-MIMO baseband processing: information, vectors, benchmarks"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the version, the SIMD backend chosen here and the backends available.
    Info {
        /// Also measure each available backend's single-core FMA peak (about 1 s).
        #[arg(long)]
        peak: bool,
    },
    /// Downlink peak rate of a TDD carrier (set) from the 3GPP TBS arithmetic.
    PeakRate(PeakRateArgs),
    /// Throughput report: peak, memory bandwidth, blocks vs baselines, the kernels alone,
    /// cores per carrier.
    Bench {
        /// Print one JSON object instead of the table.
        #[arg(long)]
        json: bool,
        /// Short measurements (seconds instead of a minute; noisier).
        #[arg(long)]
        quick: bool,
        /// Saved reports (`mimo bench --json > OLD.json`), one or more (`--compare a.json
        /// b.json`, or the flag repeated): print each block's speed-up over them (old time /
        /// new time) and the change of its share of peak, the same for each kernel alone, the
        /// cores per carrier before and after, and the demapping rates. With several reports on a side, each number is
        /// their element-wise median, and the speed-ups also show their range over every
        /// (old, new) pair of reports — for a shared, noisy machine, where single runs of
        /// two builds are best alternated.
        #[arg(long, value_name = "OLD.json", num_args = 1.., action = clap::ArgAction::Append)]
        compare: Vec<PathBuf>,
        /// With --compare: compare these saved reports (one or more) instead of measuring now.
        #[arg(
            long,
            value_name = "NEW.json",
            num_args = 1..,
            action = clap::ArgAction::Append,
            requires = "compare"
        )]
        against: Vec<PathBuf>,
    },
    /// Instruction-count regression guard (needs valgrind): fail when a block's count grows
    /// more than --tolerance over the baseline file, or rewrite the baseline.
    Icount {
        /// Baseline to compare with (JSON object: block → instructions per call).
        #[arg(long, conflicts_with = "update")]
        check: Option<PathBuf>,
        /// Write the measured counts as the new baseline.
        #[arg(long)]
        update: Option<PathBuf>,
        /// Allowed growth before failing (0.10 = 10 %).
        #[arg(long, default_value_t = 0.10)]
        tolerance: f64,
    },
    /// (Internal) run one block of the guard's fixture ITER times: valgrind's payload.
    #[command(hide = true)]
    IcountRun {
        /// Block name.
        block: String,
        /// Calls.
        iterations: usize,
    },
    /// Run the reference vectors under each directory (every manifest.toml found below it).
    Vectors {
        /// Directories to search for manifest.toml files.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
    },
}

#[derive(clap::Args)]
struct PeakRateArgs {
    /// Radio access technology: nr or lte.
    #[arg(long, default_value = "nr")]
    rat: String,
    /// Channel bandwidth in MHz.
    #[arg(long)]
    bandwidth_mhz: f64,
    /// Subcarrier spacing in kHz (NR).
    #[arg(long, default_value_t = 30)]
    scs_khz: u32,
    /// Spatial layers on each carrier (16 single-layer MU-MIMO users = 16).
    #[arg(long, default_value_t = 1)]
    layers: u32,
    /// NR: highest modulation, picks the MCS table (64QAM → Table 1, 256QAM → 2, 1024QAM → 4)
    /// and its highest index unless --mcs is given.
    #[arg(long, default_value = "256QAM")]
    modulation: String,
    /// MCS index in that table (NR), or in --mcs-table (LTE).
    #[arg(long)]
    mcs: Option<u32>,
    /// LTE MCS table: 64qam (36.213 Table 7.1.7.1-1) or 256qam (Table 7.1.7.1-1A).
    #[arg(long)]
    mcs_table: Option<String>,
    /// NR slot pattern, e.g. DDDSU or DDDSU/10:2:2 (special slot dl:guard:ul symbols);
    /// DDDSU when not given.
    #[arg(long)]
    tdd_pattern: Option<String>,
    /// LTE uplink-downlink configuration 0-6.
    #[arg(long)]
    tdd_config: Option<u8>,
    /// LTE special-subframe configuration 0-9 (normal CP).
    #[arg(long)]
    special_subframe: Option<u8>,
    /// LTE TBS index I_TBS 0-33 (instead of --mcs).
    #[arg(long)]
    itbs: Option<u32>,
    /// PDCCH symbols per downlink slot.
    #[arg(long, default_value_t = 1)]
    control_symbols: u32,
    /// DMRS symbols per slot.
    #[arg(long, default_value_t = 1)]
    dmrs_symbols: u32,
    /// xOverhead (0, 6, 12, 18).
    #[arg(long, default_value_t = 0)]
    x_overhead: u32,
    /// Aggregated carriers of this configuration.
    #[arg(long, default_value_t = 1)]
    carriers: u32,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

fn peak_rate(a: &PeakRateArgs) -> Result<(), String> {
    use massive_mimo::modulation::Modulation;
    use massive_mimo::rate::{McsTable, NrPeakRateConfig, nr_tdd_peak_rate};
    match a.rat.to_ascii_lowercase().as_str() {
        "nr" => {}
        "lte" => return lte_peak_rate(a),
        other => return Err(format!("--rat {other}: expected nr or lte")),
    }
    for (flag, given) in [
        ("--tdd-config", a.tdd_config.is_some()),
        ("--special-subframe", a.special_subframe.is_some()),
        ("--itbs", a.itbs.is_some()),
        ("--mcs-table", a.mcs_table.is_some()),
    ] {
        if given {
            return Err(format!(
                "{flag} is an LTE option; NR takes --tdd-pattern and --modulation/--mcs"
            ));
        }
    }
    let modulation: Modulation = a
        .modulation
        .parse()
        .map_err(|e: massive_mimo::Error| e.to_string())?;
    let table = match modulation {
        Modulation::Qam1024 => McsTable::Qam1024,
        Modulation::Qam256 => McsTable::Qam256,
        Modulation::Qam64 | Modulation::Qam16 | Modulation::Qpsk => McsTable::Qam64,
        m => {
            return Err(format!(
                "--modulation {m}: NR PDSCH MCS tables start at QPSK"
            ));
        }
    };
    let bandwidth = a.bandwidth_mhz.round() as u32;
    if (a.bandwidth_mhz - f64::from(bandwidth)).abs() > 1e-9 {
        return Err(format!(
            "--bandwidth-mhz {}: NR bandwidths are whole MHz",
            a.bandwidth_mhz
        ));
    }
    let cfg = NrPeakRateConfig {
        bandwidth_mhz: bandwidth,
        scs_khz: a.scs_khz,
        pattern: a
            .tdd_pattern
            .as_deref()
            .unwrap_or("DDDSU")
            .parse()
            .map_err(|e: massive_mimo::Error| e.to_string())?,
        layers: a.layers,
        mcs_table: table,
        i_mcs: a.mcs.unwrap_or(table.len() as u32 - 1),
        control_symbols: a.control_symbols,
        dmrs_symbols: a.dmrs_symbols,
        x_overhead: a.x_overhead,
        carriers: a.carriers,
    };
    let r = nr_tdd_peak_rate(&cfg).map_err(|e| e.to_string())?;
    let mcs = massive_mimo::rate::nr_mcs(table, cfg.i_mcs).map_err(|e| e.to_string())?;
    if a.json {
        let v = serde_json::json!({
            "rat": "nr",
            "bandwidth_mhz": bandwidth,
            "scs_khz": a.scs_khz,
            "n_prb": r.n_prb,
            "tdd_pattern": cfg.pattern.to_string(),
            "layers": a.layers,
            "carriers": a.carriers,
            "mcs_table": format!("{table:?}"),
            "mcs": cfg.i_mcs,
            "modulation": mcs.modulation.name(),
            "code_rate_x1024": mcs.rate_x1024,
            "tbs_dl_slot_per_layer": r.tbs_dl_slot,
            "tbs_special_slot_per_layer": r.tbs_special_slot,
            "per_layer_mbps": r.per_layer_mbps,
            "per_carrier_mbps": r.per_carrier_mbps,
            "total_mbps": r.total_mbps,
            "formula_38306_dl_share_mbps": r.formula_38306_mbps,
            "abstraction": "38.214 5.1.3.2 TBS per slot and layer, summed over the TDD pattern",
        });
        println!("{v}");
    } else {
        println!(
            "NR {bandwidth} MHz at {} kHz: {} PRB, pattern {}, {} layer(s), {} carrier(s)",
            a.scs_khz, r.n_prb, cfg.pattern, a.layers, a.carriers
        );
        println!(
            "MCS {} of {table:?}: {} R = {}/1024",
            cfg.i_mcs, mcs.modulation, mcs.rate_x1024
        );
        println!(
            "TBS per layer: {} bits (downlink slot), {} bits (special slot)",
            r.tbs_dl_slot, r.tbs_special_slot
        );
        println!("per layer   {:>10.1} Mbit/s", r.per_layer_mbps);
        println!("per carrier {:>10.1} Mbit/s", r.per_carrier_mbps);
        println!("total       {:>10.1} Mbit/s", r.total_mbps);
        println!(
            "(38.306 §4.1.2 formula × downlink symbol share, per carrier: {:.1} Mbit/s)",
            r.formula_38306_mbps
        );
    }
    Ok(())
}

/// `mimo peak-rate --rat lte`: the TD-LTE peak from the 36.213 §7.1.7 TBS arithmetic.
fn lte_peak_rate(a: &PeakRateArgs) -> Result<(), String> {
    use massive_mimo::carrier::LteTddConfig;
    use massive_mimo::rate::{
        LteMcsTable, LtePeakRateConfig, lte_code_rate, lte_mcs, lte_tdd_peak_rate,
    };
    if a.tdd_pattern.is_some() {
        return Err(
            "--tdd-pattern is an NR option; LTE takes --tdd-config and --special-subframe".into(),
        );
    }
    let tdd_config = a
        .tdd_config
        .ok_or("LTE needs --tdd-config (uplink-downlink configuration 0-6)")?;
    let special = a
        .special_subframe
        .ok_or("LTE needs --special-subframe (0-9, normal CP)")?;
    let tdd = LteTddConfig::new(tdd_config, special).map_err(|e| e.to_string())?;
    let table = match a
        .mcs_table
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("256qam") => LteMcsTable::Qam256,
        Some("64qam") => LteMcsTable::Qam64,
        Some(other) => return Err(format!("--mcs-table {other}: expected 64qam or 256qam")),
    };
    let (i_tbs, i_mcs, modulation) = match (a.itbs, a.mcs) {
        (Some(_), Some(_)) => return Err("give --itbs or --mcs, not both".into()),
        (Some(i), None) => {
            // The modulation of an I_TBS: the highest-order row of the table that maps to it.
            let row = (0..=table.max_data_mcs())
                .rev()
                .filter_map(|m| lte_mcs(table, m).ok().map(|e| (m, e)))
                .find(|(_, e)| e.i_tbs == Some(i));
            (i, row.map(|(m, _)| m), row.map(|(_, e)| e.modulation))
        }
        (None, m) => {
            let m = m.unwrap_or(table.max_data_mcs());
            let e = lte_mcs(table, m).map_err(|e| e.to_string())?;
            let i = e.i_tbs.ok_or(format!(
                "--mcs {m}: a reserved row of the {table:?} table (retransmissions only, no TBS)"
            ))?;
            (i, Some(m), Some(e.modulation))
        }
    };
    let cfg = LtePeakRateConfig {
        bandwidth_mhz: a.bandwidth_mhz,
        tdd,
        layers: a.layers,
        i_tbs,
        carriers: a.carriers,
    };
    let r = lte_tdd_peak_rate(&cfg).map_err(|e| e.to_string())?;
    // Data REs per PRB pair of a downlink subframe for the code rate: 14 symbols − control,
    // less the 12 UE-specific RS REs (port 7/8, TM9) of 36.211 §6.10.3.
    let data_re = (12 * 14u32.saturating_sub(a.control_symbols)).saturating_sub(12);
    let code_rate = modulation.map(|m| lte_code_rate(r.tbs_dl_subframe, data_re * r.n_prb, m));
    if a.json {
        let v = serde_json::json!({
            "rat": "lte",
            "bandwidth_mhz": a.bandwidth_mhz,
            "n_prb": r.n_prb,
            "tdd_config": tdd_config,
            "special_subframe": special,
            "dl_subframes_per_frame": r.dl_subframes,
            "special_subframes_per_frame": r.special_subframes,
            "layers": a.layers,
            "carriers": a.carriers,
            "mcs_table": format!("{table:?}"),
            "mcs": i_mcs,
            "i_tbs": i_tbs,
            "modulation": modulation.map(|m| m.name()),
            "code_rate": code_rate,
            "tbs_dl_subframe_per_layer": r.tbs_dl_subframe,
            "tbs_dwpts_per_layer": r.tbs_dwpts,
            "per_layer_mbps": r.per_layer_mbps,
            "per_carrier_mbps": r.per_carrier_mbps,
            "total_mbps": r.total_mbps,
            "abstraction": "36.213 7.1.7.2 TBS per subframe and layer (DwPTS scaled 0.75/0.375), summed over the TDD frame",
        });
        println!("{v}");
    } else {
        println!(
            "TD-LTE {} MHz: {} PRB, UL/DL configuration {tdd_config} ({} D + {} S per frame), special subframe {special}, {} layer(s), {} carrier(s)",
            a.bandwidth_mhz, r.n_prb, r.dl_subframes, r.special_subframes, a.layers, a.carriers
        );
        match (i_mcs, modulation, code_rate) {
            (Some(m), Some(q), Some(cr)) => println!(
                "I_TBS {i_tbs} (MCS {m} of the {table:?} table: {q}, code rate {cr:.3} with {} PDCCH symbol(s) and UE-RS)",
                a.control_symbols
            ),
            _ => println!("I_TBS {i_tbs} (no row of the {table:?} MCS table maps to it)"),
        }
        println!(
            "TBS per layer: {} bits (downlink subframe), {} bits (DwPTS)",
            r.tbs_dl_subframe, r.tbs_dwpts
        );
        println!("per layer   {:>10.1} Mbit/s", r.per_layer_mbps);
        println!("per carrier {:>10.1} Mbit/s", r.per_carrier_mbps);
        println!("total       {:>10.1} Mbit/s", r.total_mbps);
    }
    Ok(())
}

fn info(with_peak: bool) -> Result<(), String> {
    let chosen = Kernels::from_env().map_err(|e| format!("{BACKEND_ENV}: {e}"))?;
    println!("massive-mimo {}", massive_mimo::VERSION);
    println!("simd backend: {}", chosen.backend());
    let forced = std::env::var(BACKEND_ENV)
        .ok()
        .filter(|v| !v.trim().is_empty());
    println!(
        "selected by: {}",
        forced.map_or_else(
            || "runtime detection (fastest available)".to_string(),
            |v| format!("{BACKEND_ENV}={v}")
        )
    );
    let available: Vec<&str> = Backend::available().map(Backend::name).collect();
    println!("available backends: {}", available.join(", "));
    let missing: Vec<&str> = Backend::ALL
        .iter()
        .filter(|b| !b.is_available())
        .map(|b| b.name())
        .collect();
    if !missing.is_empty() {
        println!("not available here: {}", missing.join(", "));
    }
    println!(
        "batch lanes: {} matrices per block",
        massive_mimo::simd::LANES
    );
    if with_peak {
        for b in Backend::available() {
            let p = peak::measure(b, Duration::from_millis(250)).map_err(|e| e.to_string())?;
            println!(
                "peak {:<7} {:>8.1} GFLOP/s (single core, FMA loop)",
                b.name(),
                p.gflops
            );
        }
    }
    Ok(())
}

fn icount_cmd(
    check: Option<PathBuf>,
    update: Option<PathBuf>,
    tolerance: f64,
) -> Result<(), String> {
    let now = icount::measure()?;
    if let Some(path) = update {
        icount::update(&now, &path)?;
        for (k, n) in &now {
            println!("{k:<18} {n:>12} instructions/call");
        }
        println!("baseline written to {}", path.display());
        return Ok(());
    }
    let path = check.ok_or("give --check FILE or --update FILE")?;
    let (report, ok) = icount::check(&now, &path, tolerance)?;
    print!("{report}");
    if ok {
        Ok(())
    } else {
        Err(format!(
            "instruction count grew more than {:.0} % over {}",
            100.0 * tolerance,
            path.display()
        ))
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Info { peak } => info(peak),
        Command::PeakRate(args) => peak_rate(&args),
        Command::IcountRun { block, iterations } => bench::icount_run(&block, iterations),
        Command::Icount {
            check,
            update,
            tolerance,
        } => icount_cmd(check, update, tolerance),
        Command::Bench {
            json,
            quick,
            compare,
            against,
        } => bench::run(json, quick, &compare, &against),
        Command::Vectors { dirs } => {
            let report = massive_mimo_tools::vectors::run_dirs(&dirs);
            println!("{report}");
            if report.failed() > 0 {
                return ExitCode::from(1);
            }
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
