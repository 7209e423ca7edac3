//! `mimo`: the command-line tool of massive-mimo.
//!
//! * `mimo info` — crate version, the SIMD backend chosen on this CPU and the backends available.
//! * `mimo vectors DIR...` — runs every reference-vector case under the directories (format of
//!   `../shared/VECTORS.md`); one `FAIL set/case: reason` line per failure, then
//!   `N passed, M failed`; exit status 1 when any case fails.

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
    /// Run the reference vectors under each directory (every manifest.toml found below it).
    Vectors {
        /// Directories to search for manifest.toml files.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
    },
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Info { peak } => info(peak),
        Command::Vectors { dirs } => {
            let report = massive_mimo::vectors::run_dirs(&dirs);
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
