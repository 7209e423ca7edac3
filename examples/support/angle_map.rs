//! Shared by the plotting examples: a gain map over azimuth × zenith.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

/// The chart [`angle_heat_map`] draws on (azimuth x, zenith y, degrees), for overlays.
pub type AngleChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Draws `db[iz·azimuth.len() + ia]` (dB) on the uniform grid `azimuth` × `zenith` (degrees,
/// ascending; zenith drawn downward), coloured over the `range_db` below the peak, titled
/// `caption`; returns the chart so that the caller can draw on top of the map.
pub fn angle_heat_map<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    caption: &str,
    azimuth: &[f64],
    zenith: &[f64],
    db: &[f64],
    range_db: f64,
) -> Result<AngleChart<'a, DB>, Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    let top = db.iter().cloned().fold(f64::MIN, f64::max);
    let last = |v: &[f64]| v[v.len() - 1];
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(azimuth[0]..last(azimuth), last(zenith)..zenith[0])?;
    chart
        .configure_mesh()
        .x_desc("azimuth (°)")
        .y_desc("zenith (°)")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .disable_mesh()
        .draw()?;
    // Cell size: the grid spacing.
    let step = |v: &[f64]| {
        if v.len() > 1 {
            (last(v) - v[0]) / (v.len() - 1) as f64
        } else {
            1.0
        }
    };
    let (da, dz, na) = (step(azimuth), step(zenith), azimuth.len());
    chart.draw_series(zenith.iter().enumerate().flat_map(|(iz, &z)| {
        azimuth.iter().enumerate().map(move |(ia, &a)| {
            let v = ((db[iz * na + ia] - top + range_db) / range_db).clamp(0.0, 1.0);
            Rectangle::new(
                [(a - da / 2.0, z - dz / 2.0), (a + da / 2.0, z + dz / 2.0)],
                ViridisRGB::get_color(v as f32).filled(),
            )
        })
    }))?;
    Ok(chart)
}
