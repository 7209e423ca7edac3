//! Reference implementations kept for the reference vectors and the tests, not for real-time
//! threads.

mod linear_equalizer;

pub use linear_equalizer::{EqualizerMethod, EqualizerReport, LinearEqualizer};
