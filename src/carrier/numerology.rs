//! NR numerology µ (38.211 §4.2, Table 4.2-1; §4.3.2 Tables 4.3.2-1/-2).

use crate::{Error, Result};

/// Subcarrier-spacing configuration µ: Δf = 15·2^µ kHz.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Numerology(u32);

impl Numerology {
    /// µ = 0, 15 kHz (also LTE's spacing).
    pub const MU0: Self = Numerology(0);

    /// µ from a subcarrier spacing in kHz (15, 30, 60, 120, 240, 480, 960).
    pub fn from_scs_khz(scs_khz: u32) -> Result<Self> {
        (0..=6)
            .find(|&mu| 15 << mu == scs_khz)
            .map(Numerology)
            .ok_or_else(|| Error::InvalidParameter {
                name: "scs_khz",
                value: crate::error::Value::of(&scs_khz),
                reason: "NR subcarrier spacing must be 15·2^µ kHz, µ = 0..=6",
            })
    }

    /// µ.
    pub fn mu(self) -> u32 {
        self.0
    }

    /// Subcarrier spacing Δf in kHz.
    pub fn scs_khz(self) -> u32 {
        15 << self.0
    }

    /// Slots per 1 ms subframe, 2^µ.
    pub fn slots_per_subframe(self) -> u32 {
        1 << self.0
    }

    /// Slots per 10 ms frame.
    pub fn slots_per_frame(self) -> u32 {
        10 << self.0
    }

    /// Slot duration in seconds.
    pub fn slot_seconds(self) -> f64 {
        1e-3 / f64::from(self.slots_per_subframe())
    }
}
