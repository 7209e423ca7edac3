//! The antenna element radiation pattern of TR 38.901 Table 7.3-1.

/// Maximum directional gain of the element, dBi (Table 7.3-1).
pub const ELEMENT_GAIN_DBI: f64 = 8.0;

/// Element power pattern A'(θ, φ) in dB, relative to the maximum gain (Table 7.3-1):
/// `A = −min(−(A_V(θ) + A_H(φ)), 30)`, `A_V = −min(12((θ − 90)/65)², 30)`,
/// `A_H = −min(12(φ/65)², 30)`, θ zenith and φ azimuth in degrees (φ wrapped to (−180, 180]).
pub fn element_pattern_db(zenith_deg: f64, azimuth_deg: f64) -> f64 {
    let phi = (azimuth_deg + 180.0).rem_euclid(360.0) - 180.0;
    let a_v = -(12.0 * ((zenith_deg - 90.0) / 65.0).powi(2)).min(30.0);
    let a_h = -(12.0 * (phi / 65.0).powi(2)).min(30.0);
    -(-(a_v + a_h)).min(30.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_limits_and_beamwidths() {
        assert_eq!(element_pattern_db(90.0, 0.0), 0.0);
        // 3 dB beamwidth 65° in both planes: −3 dB at ±32.5°.
        assert!((element_pattern_db(90.0, 32.5) + 3.0).abs() < 1e-12);
        assert!((element_pattern_db(122.5, 0.0) + 3.0).abs() < 1e-12);
        // Side-lobe and front-to-back limits of 30 dB.
        assert_eq!(element_pattern_db(90.0, 180.0), -30.0);
        assert_eq!(element_pattern_db(0.0, 90.0), -30.0);
    }
}
