//! OFDM numerology: cyclic-prefix lengths and the subcarrier-to-bin map.

use crate::{Error, Result};

/// Radio access technology of the waveform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Standard {
    /// 5G NR, 38.211 §5.3.1.
    Nr,
    /// LTE downlink, 36.211 §6.12 (DC subcarrier unused).
    Lte,
}

/// Cyclic prefix type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CyclicPrefix {
    /// Normal CP: 14 symbols per NR slot, 7 per LTE slot.
    Normal,
    /// Extended CP: 12 symbols per NR slot (60 kHz only), 6 per LTE slot.
    Extended,
}

/// Largest FFT accepted: 16× NR's 4096, far beyond any 3GPP carrier, small enough that the
/// buffers of a configuration that passes validation can be allocated.
pub const MAX_FFT: usize = 1 << 16;

/// Most OFDM symbols in one grid: a 1 ms subframe at µ = 5 (32 slots × 14).
pub const MAX_SYMBOLS: usize = 448;

/// One OFDM configuration: the grid of `n_symbols` × `n_sc` starting at symbol 0 of slot `slot`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OfdmConfig {
    /// NR or LTE.
    pub standard: Standard,
    /// Subcarrier spacing Δf in kHz: 15·2^µ for NR (µ = 0..=6), 15 for LTE.
    pub scs_khz: u32,
    /// FFT size (a multiple of 128, so that every CP length is a whole number of samples).
    pub n_fft: usize,
    /// Occupied subcarriers (even, below n_fft).
    pub n_sc: usize,
    /// Symbols in the grid.
    pub n_symbols: usize,
    /// Cyclic prefix type.
    pub cyclic_prefix: CyclicPrefix,
    /// Slot index within the frame of the grid's first symbol (NR: decides which symbols carry
    /// the long CP; LTE: ignored, every 7-symbol slot starts with the long CP).
    pub slot: u32,
    /// Amplitude scale applied by the modulator (and by the demodulator's DFT).
    pub scale: f32,
}

impl OfdmConfig {
    /// Numerology µ = log2(Δf / 15 kHz).
    pub fn mu(&self) -> Result<u32> {
        let ok = |mu: u32| self.scs_khz == 15 << mu;
        match self.standard {
            Standard::Lte if self.scs_khz == 15 => Ok(0),
            Standard::Nr => (0..=6)
                .find(|&mu| ok(mu))
                .ok_or_else(|| Error::InvalidParameter {
                    name: "scs_khz",
                    value: crate::error::Value::of(&self.scs_khz),
                    reason: "NR subcarrier spacing must be 15·2^µ kHz, µ = 0..=6",
                }),
            Standard::Lte => Err(Error::InvalidParameter {
                name: "scs_khz",
                value: crate::error::Value::of(&self.scs_khz),
                reason: "LTE uses 15 kHz (7.5 kHz MBSFN is not supported)",
            }),
        }
    }

    /// Symbols per slot: 14 (normal) or 12 (extended) for NR; 7 or 6 per LTE slot.
    pub fn symbols_per_slot(&self) -> usize {
        match (self.standard, self.cyclic_prefix) {
            (Standard::Nr, CyclicPrefix::Normal) => 14,
            (Standard::Nr, CyclicPrefix::Extended) => 12,
            (Standard::Lte, CyclicPrefix::Normal) => 7,
            (Standard::Lte, CyclicPrefix::Extended) => 6,
        }
    }

    /// Checks every field; returns µ.
    pub fn validate(&self) -> Result<u32> {
        let mu = self.mu()?;
        if self.n_fft < 128 || !self.n_fft.is_multiple_of(128) || self.n_fft > MAX_FFT {
            return Err(Error::InvalidParameter {
                name: "n_fft",
                value: crate::error::Value::of(&self.n_fft),
                reason: "must be a multiple of 128 in 128..=65536 (NR uses up to 4096)",
            });
        }
        let dc = usize::from(self.standard == Standard::Lte);
        if self.n_sc == 0 || !self.n_sc.is_multiple_of(2) || self.n_sc + dc > self.n_fft {
            return Err(Error::InvalidParameter {
                name: "n_sc",
                value: crate::error::Value::of(&self.n_sc),
                reason: "must be even, ≥ 2 and fit in n_fft (with the DC subcarrier for LTE)",
            });
        }
        if self.n_symbols == 0 || self.n_symbols > MAX_SYMBOLS {
            return Err(Error::InvalidParameter {
                name: "n_symbols",
                value: crate::error::Value::of(&self.n_symbols),
                reason: "must be 1..=448 (one 1 ms subframe at 480 kHz: 32 slots × 14)",
            });
        }
        if self.standard == Standard::Nr && self.cyclic_prefix == CyclicPrefix::Extended && mu != 2
        {
            return Err(Error::InvalidParameter {
                name: "cyclic_prefix",
                value: crate::value!("extended at {} kHz", self.scs_khz),
                reason: "NR extended CP exists only at 60 kHz (38.211 §4.2)",
            });
        }
        if !self.scale.is_finite() {
            return Err(Error::NonFinite {
                name: "scale",
                value: f64::from(self.scale),
            });
        }
        Ok(mu)
    }

    /// CP length in samples of grid symbol `l` (38.211 §5.3.1 / 36.211 §6.12).
    pub fn cp_len(&self, l: usize) -> usize {
        self.cp_len_in_subframe(self.index_in_subframe(l))
    }

    /// Index within its subframe of grid symbol `l`.
    fn index_in_subframe(&self, l: usize) -> usize {
        let per_slot = self.symbols_per_slot();
        match self.standard {
            Standard::Nr => {
                let slots_per_subframe = 1usize << self.mu().unwrap_or(0);
                ((self.slot as usize + l / per_slot) % slots_per_subframe) * per_slot + l % per_slot
            }
            Standard::Lte => l % (2 * per_slot),
        }
    }

    /// CP length of the symbol with index `i` within a subframe.
    fn cp_len_in_subframe(&self, i: usize) -> usize {
        let n = self.n_fft;
        match (self.standard, self.cyclic_prefix) {
            (_, CyclicPrefix::Extended) => 512 * n / 2048,
            (Standard::Lte, CyclicPrefix::Normal) => {
                if i.is_multiple_of(7) {
                    160 * n / 2048
                } else {
                    144 * n / 2048
                }
            }
            (Standard::Nr, CyclicPrefix::Normal) => {
                let mu = self.mu().unwrap_or(0);
                let long = i == 0 || i == 7 << mu;
                144 * n / 2048 + if long { (16 << mu) * n / 2048 } else { 0 }
            }
        }
    }

    /// Samples from the start of the subframe to the start of the useful part (after the CP)
    /// of grid symbol `l`: `t_start,l + N_CP,l` of 38.211 §5.4 at the sample rate n_fft·Δf.
    pub fn useful_start_in_subframe(&self, l: usize) -> usize {
        let i = self.index_in_subframe(l);
        (0..i)
            .map(|p| self.cp_len_in_subframe(p) + self.n_fft)
            .sum::<usize>()
            + self.cp_len_in_subframe(i)
    }

    /// The §5.4 up-conversion phase factor of grid symbol `l` for carrier frequency `f0_hz`:
    /// `e^{−j2π·f0·(t_start,l + N_CP,l·T_c)}`, with which the baseband symbol is multiplied so
    /// that up-conversion by `e^{j2πf0t}` gives the phase reference of 38.211 §5.4 (the
    /// demodulator multiplies by the conjugate). NR only.
    pub fn upconversion_phase(&self, l: usize, f0_hz: f64) -> Result<crate::C32> {
        if self.standard != Standard::Nr {
            return Err(Error::InvalidParameter {
                name: "phase compensation",
                value: "LTE".into(),
                reason: "the §5.4 up-conversion phase term is defined for NR only",
            });
        }
        if !f0_hz.is_finite() || f0_hz < 0.0 {
            return Err(Error::NonFinite {
                name: "f0_hz",
                value: f0_hz,
            });
        }
        let fs = self.n_fft as f64 * f64::from(self.scs_khz) * 1e3;
        // Cycles = f0·samples/fs; keep only the fraction (exact enough in f64 for f0 < 100 GHz).
        let cycles = (f0_hz / fs * self.useful_start_in_subframe(l) as f64).fract();
        let ph = -2.0 * std::f64::consts::PI * cycles;
        Ok(crate::C32::new(ph.cos() as f32, ph.sin() as f32))
    }

    /// Samples of the whole grid: Σ_l (cp_l + n_fft).
    pub fn samples(&self) -> usize {
        (0..self.n_symbols)
            .map(|l| self.cp_len(l) + self.n_fft)
            .sum()
    }

    /// The subcarrier-to-bin map as two contiguous runs `(first subcarrier, first bin, length)`:
    /// the lower half of the grid to the top of the DFT (negative frequencies), the upper half to
    /// the bottom (from bin 0 for NR, bin 1 for LTE, whose DC bin stays empty).
    pub fn bin_runs(&self) -> [(usize, usize, usize); 2] {
        let half = self.n_sc / 2;
        [
            (0, self.bin(0), half),
            (half, self.bin(half), self.n_sc - half),
        ]
    }

    /// DFT bin (0..n_fft) of grid subcarrier k.
    pub fn bin(&self, k: usize) -> usize {
        let half = self.n_sc / 2;
        let signed = match self.standard {
            Standard::Nr => k as isize - half as isize,
            Standard::Lte if k < half => k as isize - half as isize,
            Standard::Lte => k as isize - half as isize + 1,
        };
        signed.rem_euclid(self.n_fft as isize) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nr(scs: u32, n_fft: usize, slot: u32) -> OfdmConfig {
        OfdmConfig {
            standard: Standard::Nr,
            scs_khz: scs,
            n_fft,
            n_sc: 12,
            n_symbols: 14,
            cyclic_prefix: CyclicPrefix::Normal,
            slot,
            scale: 1.0,
        }
    }

    #[test]
    fn nr_cp_lengths_sum_to_half_a_millisecond_per_subframe() {
        // 30 kHz, 4096 points: 122.88 Msps; two slots = one 0.5 ms ... subframe is 1 ms = 122880 samples.
        let c0 = nr(30, 4096, 0);
        let c1 = nr(30, 4096, 1);
        assert_eq!(c0.samples() + c1.samples(), 122_880);
        assert_eq!(c0.cp_len(0), 288 + 64);
        assert_eq!(c0.cp_len(1), 288);
        // With µ = 1 the second long-CP symbol is index 14 of the subframe: symbol 0 of slot 1.
        assert_eq!(c1.cp_len(0), 352);
        assert_eq!(c0.cp_len(7), 288);
        // 15 kHz: long CP at symbols 0 and 7.
        let c = nr(15, 2048, 0);
        assert_eq!((c.cp_len(0), c.cp_len(7), c.cp_len(3)), (160, 160, 144));
        assert_eq!(c.samples(), 30_720);
    }

    #[test]
    fn useful_start_counts_earlier_symbols_of_the_subframe() {
        // µ = 1, slot 1: its symbol 0 (index 14 = 7·2^µ of the subframe, long CP) follows the
        // 14 symbols of slot 0 (one long CP).
        let c = nr(30, 4096, 1);
        let slot0: usize = 14 * 4096 + 13 * 288 + 352;
        assert_eq!(c.useful_start_in_subframe(0), slot0 + 352);
        assert_eq!(c.useful_start_in_subframe(1), slot0 + 352 + 4096 + 288);
        let c0 = nr(30, 4096, 0);
        assert_eq!(c0.useful_start_in_subframe(0), 352);
        // 1 cycle per sample period at f0 = fs: every phase is 1.
        let fs = 4096.0 * 30e3;
        let p = c0.upconversion_phase(5, fs).unwrap();
        assert!((p - crate::C32::new(1.0, 0.0)).norm() < 1e-6);
        // Quarter cycle per sample: the phase is e^{−jπ/2·samples}.
        let q = c0.upconversion_phase(0, fs / 4.0).unwrap();
        let want = (-std::f64::consts::FRAC_PI_2 * 352.0).rem_euclid(2.0 * std::f64::consts::PI);
        assert!((q - crate::C32::from_polar(1.0, want as f32)).norm() < 1e-5);
    }

    #[test]
    fn bin_runs_match_the_bin_map() {
        for standard in [Standard::Nr, Standard::Lte] {
            let c = OfdmConfig {
                standard,
                scs_khz: 15,
                n_fft: 256,
                n_sc: 180,
                n_symbols: 14,
                cyclic_prefix: CyclicPrefix::Normal,
                slot: 0,
                scale: 1.0,
            };
            for (k0, b0, len) in c.bin_runs() {
                for i in 0..len {
                    assert_eq!(c.bin(k0 + i), b0 + i);
                }
            }
        }
    }

    #[test]
    fn lte_bins_skip_dc() {
        let c = OfdmConfig {
            standard: Standard::Lte,
            scs_khz: 15,
            n_fft: 2048,
            n_sc: 1200,
            n_symbols: 14,
            cyclic_prefix: CyclicPrefix::Normal,
            slot: 0,
            scale: 1.0,
        };
        assert_eq!(c.bin(0), 2048 - 600);
        assert_eq!(c.bin(599), 2047);
        assert_eq!(c.bin(600), 1);
        assert_eq!(c.samples(), 30_720);
    }

    #[test]
    fn bad_numerology_is_named() {
        let mut c = nr(20, 2048, 0);
        assert!(matches!(
            c.validate(),
            Err(Error::InvalidParameter {
                name: "scs_khz",
                ..
            })
        ));
        c.scs_khz = 30;
        c.n_sc = 4096;
        assert!(matches!(
            c.validate(),
            Err(Error::InvalidParameter { name: "n_sc", .. })
        ));
        c.n_sc = 12;
        c.n_fft = 1000;
        assert!(matches!(
            c.validate(),
            Err(Error::InvalidParameter { name: "n_fft", .. })
        ));
        // Issue 21, finding 2: sizes that used to abort in the allocator are typed errors.
        c.n_fft = 1 << 40;
        assert!(matches!(
            c.validate(),
            Err(Error::InvalidParameter { name: "n_fft", .. })
        ));
        c.n_fft = 2048;
        c.n_symbols = 1_000_000_000_000;
        assert!(matches!(
            c.validate(),
            Err(Error::InvalidParameter {
                name: "n_symbols",
                ..
            })
        ));
        c.n_symbols = MAX_SYMBOLS;
        assert!(c.validate().is_ok());
    }
}
