//! Planar antenna arrays after 3GPP TR 38.901 §7.3: geometry, the element pattern of
//! Table 7.3-1, steering vectors, and multi-panel dual-polarised arrays with the polarised
//! field pattern of §7.3.2 ([`PanelArray`]).
//!
//! Element (m, n) of an M × N panel (m counts rows upward, n columns) has index `m·N + n` and
//! sits at `(0, n·d_h, m·d_v)` wavelengths in the array's local frame (x broadside, z up). A
//! direction is (θ zenith, φ azimuth) in degrees with `r̂ = (sinθ cosφ, sinθ sinφ, cosθ)`.
//! The same physical array has different electrical spacings on different carriers: build one
//! [`PlanarArray`] per carrier with `spacing_m · f / c`.

mod element;
mod panel;
mod steering;

pub use element::{ELEMENT_GAIN_DBI, element_pattern_db};
pub use panel::{PanelArray, Polarization};
pub use steering::{PlanarArray, steering_vector};
