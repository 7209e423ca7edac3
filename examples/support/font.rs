//! Shared by the plotting examples: registers a TrueType font for plotters' labels.

/// Registers DejaVu Sans (the Debian/Ubuntu path) as plotters' "sans-serif"; false when the
/// file is not there, in which case the examples skip their plots and say so.
pub fn register_sans_serif() -> bool {
    use plotters::style::{FontStyle, register_font};
    let Ok(bytes) = std::fs::read("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf") else {
        return false;
    };
    // plotters keeps the font for the whole process.
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    register_font("sans-serif", FontStyle::Normal, bytes).is_ok()
}
