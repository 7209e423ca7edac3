//! Beam patterns of an 8 × 8 planar array (38.901 elements, 0.5 λ): azimuth–elevation heat
//! maps of a beam steered 10° below the horizon, one 10° above it and one 10° down and 30° to
//! the side, and a polar elevation cut of the first two, as PNG and SVG.
//!
//! ```sh
//! cargo run --release --example beam_patterns                 # into target/beam_patterns/
//! cargo run --release --example beam_patterns -- --out DIR --rows 4 --cols 8
//! ```
//!
//! Each beam is the conjugate steering vector `w = a(θ₀, φ₀)*/√N`; the gain is
//! `10·log10 |a(θ, φ)ᵀw|² + A(θ, φ) + 8 dBi` (`beamforming::beam_pattern_db`). The program
//! prints where each beam peaks.

use clap::Parser;
use massive_mimo::C32;
use massive_mimo::array::{PlanarArray, steering_vector};
use massive_mimo::beamforming::{BeamPatternElement, beam_pattern_db};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

#[path = "support/angle_map.rs"]
mod angle_map;
#[path = "support/font.rs"]
mod font;

/// Beam patterns of a planar array.
#[derive(Parser, Debug)]
#[command(
    version,
    about = "Azimuth-elevation beam patterns and a polar cut of a planar array (PNG + SVG)"
)]
struct Args {
    /// Output directory.
    #[arg(long, default_value = "target/beam_patterns")]
    out: PathBuf,
    /// Element rows.
    #[arg(long, default_value_t = 8)]
    rows: usize,
    /// Element columns.
    #[arg(long, default_value_t = 8)]
    cols: usize,
    /// Element spacing, wavelengths (both directions).
    #[arg(long, default_value_t = 0.5)]
    spacing: f64,
}

/// (file stem, title, zenith, azimuth) of the beams drawn.
const BEAMS: [(&str, &str, f64, f64); 3] = [
    ("beam_down10", "steered 10° down (zenith 100°)", 100.0, 0.0),
    ("beam_up10", "steered 10° up (zenith 80°)", 80.0, 0.0),
    ("beam_down10_right30", "10° down, 30° azimuth", 100.0, 30.0),
];

fn main() {
    if let Err(e) = run(Args::parse()) {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let array = PlanarArray::new(args.rows, args.cols, args.spacing, args.spacing)?;
    let zen: Vec<f64> = (0..=180).map(f64::from).collect();
    let azi: Vec<f64> = (-90..=90).map(f64::from).collect();
    let mut maps = Vec::new();
    println!(
        "{} × {} array, {} λ spacing, 38.901 elements",
        args.rows, args.cols, args.spacing
    );
    println!("beam                       target (θ, φ)   peak (θ, φ)    gain dBi");
    for (stem, _, z0, a0) in BEAMS {
        let a = steering_vector(&array, z0, a0)?;
        let s = 1.0 / (array.len() as f32).sqrt();
        let w: Vec<C32> = a.iter().map(|v| v.conj() * s).collect();
        let mut g = vec![0.0f32; zen.len() * azi.len()];
        beam_pattern_db(&array, &w, BeamPatternElement::Tr38901, &zen, &azi, &mut g)?;
        let (i, peak) =
            g.iter().enumerate().fold(
                (0, f32::MIN),
                |b, (i, v)| if *v > b.1 { (i, *v) } else { b },
            );
        println!(
            "{stem:<26} ({z0:>5.1}, {a0:>5.1})   ({:>5.1}, {:>5.1})   {peak:>6.1}",
            zen[i / azi.len()],
            azi[i % azi.len()]
        );
        maps.push(g);
    }
    if !font::register_sans_serif() {
        println!("plots skipped: no TrueType font (DejaVu Sans) in /usr/share/fonts");
        return Ok(());
    }
    std::fs::create_dir_all(&args.out)?;
    for ((stem, title, _, _), g) in BEAMS.iter().zip(&maps) {
        for ext in ["png", "svg"] {
            let path = args.out.join(format!("{stem}.{ext}"));
            if ext == "png" {
                heat_map(
                    BitMapBackend::new(&path, (900, 640)).into_drawing_area(),
                    title,
                    &zen,
                    &azi,
                    g,
                )?;
            } else {
                heat_map(
                    SVGBackend::new(&path, (900, 640)).into_drawing_area(),
                    title,
                    &zen,
                    &azi,
                    g,
                )?;
            }
        }
    }
    // Elevation cut at azimuth 0 of the first two beams.
    let cut = |g: &[f32]| -> Vec<(f64, f32)> {
        let a0 = azi.iter().position(|&a| a == 0.0).unwrap_or(0);
        zen.iter()
            .enumerate()
            .map(|(i, z)| (*z, g[i * azi.len() + a0]))
            .collect()
    };
    let cuts = [(BEAMS[0].1, cut(&maps[0])), (BEAMS[1].1, cut(&maps[1]))];
    polar(
        BitMapBackend::new(&args.out.join("polar_cut.png"), (700, 700)).into_drawing_area(),
        &cuts,
    )?;
    polar(
        SVGBackend::new(&args.out.join("polar_cut.svg"), (700, 700)).into_drawing_area(),
        &cuts,
    )?;
    println!("images: {}", args.out.display());
    list(&args.out)?;
    Ok(())
}

fn list(dir: &Path) -> std::io::Result<()> {
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    println!("  {}", names.join(" "));
    Ok(())
}

/// Gain over azimuth (x) × zenith (y, downward), 40 dB colour range below the peak.
fn heat_map<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    title: &str,
    zen: &[f64],
    azi: &[f64],
    g: &[f32],
) -> Result<(), Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let db: Vec<f64> = g.iter().map(|&v| f64::from(v)).collect();
    let top = db.iter().cloned().fold(f64::MIN, f64::max);
    let caption = format!("{title}: gain dBi (peak {top:.1})");
    angle_map::angle_heat_map(&root, &caption, azi, zen, &db, 40.0)?;
    root.present()?;
    Ok(())
}

/// Polar elevation cut: radius = gain above (peak − 40 dB), angle = elevation (90° − zenith),
/// 10 dB rings.
fn polar<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    cuts: &[(&str, Vec<(f64, f32)>)],
) -> Result<(), Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let top = cuts
        .iter()
        .flat_map(|(_, c)| c.iter().map(|p| p.1))
        .fold(f32::MIN, f32::max);
    let floor = top - 40.0;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "elevation cut at azimuth 0°, dB (rings every 10 dB)",
            ("sans-serif", 18),
        )
        .margin(20)
        .build_cartesian_2d(-42.0f64..42.0, -42.0f64..42.0)?;
    for ring in 1..=4 {
        let r = 10.0 * f64::from(ring);
        chart.draw_series(LineSeries::new(
            (0..=72).map(|i| {
                let t = f64::from(i) * 5.0_f64.to_radians();
                (r * t.cos(), r * t.sin())
            }),
            BLACK.mix(0.25),
        ))?;
    }
    for spoke in (-90..=90).step_by(30) {
        let t = f64::from(spoke).to_radians();
        chart.draw_series(LineSeries::new(
            [(0.0, 0.0), (40.0 * t.cos(), 40.0 * t.sin())],
            BLACK.mix(0.25),
        ))?;
    }
    let colours = [BLUE, RED];
    for ((name, cut), colour) in cuts.iter().zip(colours) {
        chart
            .draw_series(LineSeries::new(
                cut.iter().map(|&(z, g)| {
                    let r = f64::from((g - floor).max(0.0));
                    let e = (90.0 - z).to_radians();
                    (r * e.cos(), r * e.sin())
                }),
                colour.stroke_width(2),
            ))?
            .label(*name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], colour.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperLeft)
        .draw()?;
    root.present()?;
    Ok(())
}
