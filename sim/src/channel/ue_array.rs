//! A user's receive antennas: the UE side of 38.901 eq. 7.5-22.
//!
//! 38.901 models UE antennas as isotropic elements (§7.3: "the UE antenna is isotropic" in the
//! calibrations) with a polarisation slant; a handset with two or four receive branches is a
//! cross-polarised pair, or two of them apart along the handset. The array is held in the
//! global frame (the UE's bearing Ω_UT is 0: its y axis along the global y axis); element
//! positions are in wavelengths at the carrier's frequency.

use massive_mimo::{Error, Result};

/// The receive antennas of every user of a channel model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum UeArray {
    /// One vertically polarised (θ) isotropic antenna: the single-antenna user.
    #[default]
    Single,
    /// Two co-located isotropic antennas, vertical (θ) and horizontal (φ): a cross-polarised
    /// pair (the usual two receive branches of a handset).
    CrossPolarized,
    /// Four: the cross-polarised pair of [`UeArray::CrossPolarized`] at the origin and a second
    /// one λ/2 along the y axis (elements 0, 1 at y = 0; 2, 3 at y = λ/2; even = θ, odd = φ).
    TwoCrossPolarized,
}

/// Polarisation of one UE element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UePolarization {
    /// Vertical: field pattern (F_θ, F_φ) = (1, 0).
    Theta,
    /// Horizontal: field pattern (F_θ, F_φ) = (0, 1).
    Phi,
}

impl UeArray {
    /// The array with `n` antennas (1, 2 or 4). Errors: another count, named `ue_antennas`.
    pub fn with_antennas(n: usize) -> Result<Self> {
        match n {
            1 => Ok(Self::Single),
            2 => Ok(Self::CrossPolarized),
            4 => Ok(Self::TwoCrossPolarized),
            _ => Err(Error::InvalidParameter {
                name: "ue_antennas",
                value: massive_mimo::error::Value::of(&n),
                reason: "1, 2 (a cross-polarised pair) or 4 (two pairs λ/2 apart)",
            }),
        }
    }

    /// Antennas per user.
    pub fn len(self) -> usize {
        match self {
            Self::Single => 1,
            Self::CrossPolarized => 2,
            Self::TwoCrossPolarized => 4,
        }
    }

    /// Never empty (every user has an antenna); for the `len`/`is_empty` pair.
    pub fn is_empty(self) -> bool {
        false
    }

    /// Element `r` (< [`Self::len`]): its position (x, y, z) in wavelengths and its
    /// polarisation. `None` past the last element.
    pub fn element(self, r: usize) -> Option<([f64; 3], UePolarization)> {
        if r >= self.len() {
            return None;
        }
        let pol = if r.is_multiple_of(2) || self == Self::Single {
            UePolarization::Theta
        } else {
            UePolarization::Phi
        };
        Some(([0.0, 0.5 * (r / 2) as f64, 0.0], pol))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_have_their_elements() {
        for (n, a) in [
            (1, UeArray::Single),
            (2, UeArray::CrossPolarized),
            (4, UeArray::TwoCrossPolarized),
        ] {
            assert_eq!(UeArray::with_antennas(n).unwrap(), a);
            assert_eq!(a.len(), n);
            assert!(a.element(n).is_none());
        }
        use UePolarization::{Phi, Theta};
        let four: Vec<_> = (0..4)
            .map(|r| UeArray::TwoCrossPolarized.element(r).unwrap())
            .collect();
        assert_eq!(
            four,
            [
                ([0.0, 0.0, 0.0], Theta),
                ([0.0, 0.0, 0.0], Phi),
                ([0.0, 0.5, 0.0], Theta),
                ([0.0, 0.5, 0.0], Phi)
            ]
        );
        assert_eq!(UeArray::Single.element(0).unwrap().1, Theta);
        for n in [0, 3, 8] {
            let e = UeArray::with_antennas(n).err().unwrap();
            assert_eq!(e.parameter(), "ue_antennas");
        }
    }
}
