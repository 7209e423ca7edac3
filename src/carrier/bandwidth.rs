//! Channel bandwidth → transmission bandwidth configuration N_RB, and FFT sizes.

use crate::{Error, Result};

/// 38.101-1 Table 5.3.2-1 (FR1): (bandwidth MHz, N_RB at 15, 30, 60 kHz; 0 = not defined).
const NR_FR1: [(u32, [u32; 3]); 15] = [
    (5, [25, 11, 0]),
    (10, [52, 24, 11]),
    (15, [79, 38, 18]),
    (20, [106, 51, 24]),
    (25, [133, 65, 31]),
    (30, [160, 78, 38]),
    (35, [188, 92, 44]),
    (40, [216, 106, 51]),
    (45, [242, 119, 58]),
    (50, [270, 133, 65]),
    (60, [0, 162, 79]),
    (70, [0, 189, 93]),
    (80, [0, 217, 107]),
    (90, [0, 245, 121]),
    (100, [0, 273, 135]),
];

/// 38.101-2 Table 5.3.2-1 (FR2-1): (bandwidth MHz, N_RB at 60, 120 kHz; 0 = not defined).
const NR_FR2: [(u32, [u32; 2]); 4] = [
    (50, [66, 32]),
    (100, [132, 66]),
    (200, [264, 132]),
    (400, [0, 264]),
];

/// 36.101 Table 5.6-1: (bandwidth in units of 0.1 MHz, N_RB).
const LTE: [(u32, u32); 6] = [
    (14, 6),
    (30, 15),
    (50, 25),
    (100, 50),
    (150, 75),
    (200, 100),
];

/// N_RB of an NR carrier of `bandwidth_mhz` at `scs_khz` (FR1: 15/30/60 kHz; FR2: 60/120 kHz
/// with bandwidths 50–400 MHz).
pub fn nr_n_rb(bandwidth_mhz: u32, scs_khz: u32) -> Result<u32> {
    let bad = || Error::InvalidParameter {
        name: "bandwidth_mhz / scs_khz",
        value: crate::value!("{bandwidth_mhz} MHz at {scs_khz} kHz"),
        reason: "not a channel bandwidth of 38.101-1/-2 Table 5.3.2-1 for this subcarrier spacing",
    };
    let fr1 = NR_FR1
        .iter()
        .find(|(b, _)| *b == bandwidth_mhz)
        .and_then(|(_, n)| match scs_khz {
            15 => Some(n[0]),
            30 => Some(n[1]),
            60 => Some(n[2]),
            _ => None,
        });
    let fr2 = || {
        NR_FR2
            .iter()
            .find(|(b, _)| *b == bandwidth_mhz)
            .and_then(|(_, n)| match scs_khz {
                60 => Some(n[0]),
                120 => Some(n[1]),
                _ => None,
            })
    };
    match fr1.filter(|&n| n > 0).or_else(|| fr2().filter(|&n| n > 0)) {
        Some(n) => Ok(n),
        None => Err(bad()),
    }
}

/// N_RB of an LTE carrier of `bandwidth_mhz` (1.4, 3, 5, 10, 15, 20).
pub fn lte_n_rb(bandwidth_mhz: f64) -> Result<u32> {
    let tenths = (bandwidth_mhz * 10.0).round() as u32;
    LTE.iter()
        .find(|(b, _)| *b == tenths && (bandwidth_mhz * 10.0 - f64::from(tenths)).abs() < 1e-6)
        .map(|(_, n)| *n)
        .ok_or_else(|| Error::InvalidParameter {
            name: "bandwidth_mhz",
            value: crate::error::Value::of(&bandwidth_mhz),
            reason: "LTE channel bandwidths are 1.4, 3, 5, 10, 15 and 20 MHz (36.101 Table 5.6-1)",
        })
}

/// FFT size for `n_sc` occupied subcarriers: the smallest power of two (≥ 128) in which they
/// fill at most 85 % of the bins — 4096 for 273 PRBs, 2048 for 106, 1024 for 52 (the sizes of
/// the common sampling rates); LTE's 15 MHz 1536-point option is [`lte_fft_size`].
///
/// Errors: more subcarriers than a 65 536-point FFT holds at 85 % (beyond every 3GPP carrier;
/// NR's largest is 3300 subcarriers in 4096 bins) — named, instead of doubling forever.
pub fn fft_size(n_sc: usize) -> Result<usize> {
    const MAX_FFT: usize = 1 << 16;
    let mut n = 128;
    while (n_sc as f64) > 0.85 * n as f64 {
        if n >= MAX_FFT {
            return Err(Error::InvalidParameter {
                name: "n_sc (occupied subcarriers)",
                value: crate::error::Value::of(&n_sc),
                reason: "at most 85 % of a 65 536-point FFT (55 705 subcarriers)",
            });
        }
        n *= 2;
    }
    Ok(n)
}

/// LTE FFT size of a bandwidth (36.104 sampling rates): 128, 256, 512, 1024, 1536, 2048.
pub fn lte_fft_size(n_rb: u32) -> Result<usize> {
    Ok(match n_rb {
        6 => 128,
        15 => 256,
        25 => 512,
        50 => 1024,
        75 => 1536,
        100 => 2048,
        _ => {
            return Err(Error::InvalidParameter {
                name: "n_rb",
                value: crate::error::Value::of(&n_rb),
                reason: "not an LTE transmission bandwidth",
            });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_carriers() {
        assert_eq!(nr_n_rb(100, 30).unwrap(), 273);
        assert_eq!(nr_n_rb(20, 15).unwrap(), 106);
        assert_eq!(nr_n_rb(400, 120).unwrap(), 264);
        assert_eq!(lte_n_rb(20.0).unwrap(), 100);
        assert_eq!(lte_n_rb(1.4).unwrap(), 6);
        assert_eq!(fft_size(273 * 12).unwrap(), 4096);
        assert_eq!(fft_size(106 * 12).unwrap(), 2048);
        assert_eq!(fft_size(52 * 12).unwrap(), 1024);
        // Issue 21: usize::MAX / 2 used to double n until it wrapped to 0 and looped forever.
        for n_sc in [usize::MAX / 2, usize::MAX, 55_706] {
            assert!(matches!(
                fft_size(n_sc),
                Err(Error::InvalidParameter {
                    name: "n_sc (occupied subcarriers)",
                    ..
                })
            ));
        }
        assert_eq!(fft_size(55_705).unwrap(), 65_536);
        assert_eq!(lte_fft_size(100).unwrap(), 2048);
    }

    #[test]
    fn occupancy_is_below_the_guard_limits() {
        // Every FR1 configuration leaves at least 2·N_RB·12·Δf ≤ bandwidth (guard bands ≥ 0).
        for (bw, n) in NR_FR1 {
            for (i, scs) in [15u32, 30, 60].into_iter().enumerate() {
                if n[i] > 0 {
                    assert!(
                        f64::from(n[i] * 12 * scs) / 1000.0 < f64::from(bw),
                        "{bw} MHz {scs} kHz"
                    );
                    assert!(
                        f64::from(n[i] * 12 * scs) / 1000.0 > 0.85 * f64::from(bw) || bw <= 10,
                        "{bw} MHz {scs} kHz"
                    );
                }
            }
        }
    }

    #[test]
    fn unknown_bandwidths_are_errors() {
        assert_eq!(
            crate::error::name_of(nr_n_rb(100, 15)),
            "bandwidth_mhz / scs_khz"
        );
        assert_eq!(
            crate::error::name_of(nr_n_rb(12, 30)),
            "bandwidth_mhz / scs_khz"
        );
        assert_eq!(crate::error::name_of(lte_n_rb(7.0)), "bandwidth_mhz");
    }
}
