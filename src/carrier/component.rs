//! Component carriers and carrier-aggregation sets.
//!
//! A [`ComponentCarrier`] is one LTE or NR carrier as a base station configures it: radio access
//! technology, operating band and centre frequency, channel bandwidth, numerology, TDD pattern
//! and the antenna array that serves it. A [`CarrierAggregation`] is a set of them served
//! together: up to 5 LTE component carriers (36.300 §5.5, Rel-10 CA) or 16 NR ones (38.300
//! §5.4.1, Rel-15 CA), possibly of different bandwidths, numerologies and bands.
//!
//! Operating bands are the TDD bands of the reference deployment and their neighbours (LTE:
//! 36.101 Table 5.5-1; NR: 38.101-1 Table 5.2-1), edges in MHz.

use super::bandwidth::{fft_size, lte_fft_size, lte_n_rb, nr_n_rb};
use super::numerology::Numerology;
use super::tdd::{LteTddConfig, NrTddPattern, SlotKind};
use crate::array::PanelArray;
use crate::ofdm::{CyclicPrefix, OfdmConfig, Standard};
use crate::{Error, Result};

/// Radio access technology of a carrier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rat {
    /// E-UTRA (LTE), 15 kHz subcarriers, 1 ms subframes of 14 symbols.
    Lte,
    /// NR, 15·2^µ kHz subcarriers, slots of 14 symbols.
    Nr,
}

/// An operating band: number, technology and the edges of its (TDD) frequency range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OperatingBand {
    /// Band number (LTE band 41, NR band n78 → 78).
    pub number: u16,
    /// Technology whose band table lists it.
    pub rat: Rat,
    /// Lower edge, MHz.
    pub low_mhz: f64,
    /// Upper edge, MHz.
    pub high_mhz: f64,
}

/// TDD operating bands, 36.101 Table 5.5-1 (LTE) and 38.101-1 Table 5.2-1 (NR FR1).
const BANDS: [OperatingBand; 12] = [
    band(Rat::Lte, 38, 2570.0, 2620.0),
    band(Rat::Lte, 39, 1880.0, 1920.0),
    band(Rat::Lte, 40, 2300.0, 2400.0),
    band(Rat::Lte, 41, 2496.0, 2690.0),
    band(Rat::Lte, 42, 3400.0, 3600.0),
    band(Rat::Lte, 43, 3600.0, 3800.0),
    band(Rat::Nr, 40, 2300.0, 2400.0),
    band(Rat::Nr, 41, 2496.0, 2690.0),
    band(Rat::Nr, 77, 3300.0, 4200.0),
    band(Rat::Nr, 78, 3300.0, 3800.0),
    band(Rat::Nr, 79, 4400.0, 5000.0),
    band(Rat::Nr, 38, 2570.0, 2620.0),
];

const fn band(rat: Rat, number: u16, low_mhz: f64, high_mhz: f64) -> OperatingBand {
    OperatingBand {
        number,
        rat,
        low_mhz,
        high_mhz,
    }
}

/// The TDD operating band `number` of `rat`.
pub fn operating_band(rat: Rat, number: u16) -> Result<OperatingBand> {
    BANDS
        .iter()
        .find(|b| b.rat == rat && b.number == number)
        .copied()
        .ok_or_else(|| Error::InvalidParameter {
            name: "band",
            value: crate::value!("{rat:?} {number}"),
            reason: "supported TDD bands: LTE 38–43, NR n38, n40, n41, n77, n78, n79",
        })
}

/// The frame structure of a carrier.
#[derive(Clone, Debug, PartialEq)]
pub enum Duplex {
    /// LTE frame structure type 2 (36.211 §4.2).
    LteTdd(LteTddConfig),
    /// NR TDD slot pattern (38.213 §11.1).
    NrTdd(NrTddPattern),
}

/// One component carrier.
#[derive(Clone, Debug, PartialEq)]
pub struct ComponentCarrier {
    rat: Rat,
    band: OperatingBand,
    centre_hz: f64,
    bandwidth_mhz: f64,
    scs_khz: u32,
    duplex: Duplex,
    array: PanelArray,
    array_design_hz: f64,
    n_rb: u32,
}

impl ComponentCarrier {
    /// Checks and builds a carrier: `band` must be a TDD band of `rat` that contains the whole
    /// channel (`centre_hz` ± bandwidth/2); the bandwidth and subcarrier spacing must be a pair
    /// of 36.101 Table 5.6-1 (LTE: 15 kHz) or 38.101-1 Table 5.3.2-1; the duplex pattern must
    /// be of the same technology. `array` has its spacings in wavelengths at
    /// `array_design_hz` (the physical array; [`Self::electrical_array`] gives it at this
    /// carrier's frequency).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        rat: Rat,
        band: u16,
        centre_hz: f64,
        bandwidth_mhz: f64,
        scs_khz: u32,
        duplex: Duplex,
        array: PanelArray,
        array_design_hz: f64,
    ) -> Result<Self> {
        let b = operating_band(rat, band)?;
        if !(centre_hz.is_finite() && array_design_hz.is_finite() && array_design_hz > 0.0) {
            return Err(Error::InvalidParameter {
                name: "(centre_hz, array_design_hz)",
                value: crate::value!("({centre_hz}, {array_design_hz})"),
                reason: "must be finite and > 0",
            });
        }
        let n_rb = match rat {
            Rat::Lte => {
                if scs_khz != 15 {
                    return Err(Error::InvalidParameter {
                        name: "scs_khz",
                        value: crate::error::Value::of(&scs_khz),
                        reason: "LTE uses 15 kHz subcarriers",
                    });
                }
                lte_n_rb(bandwidth_mhz)?
            }
            Rat::Nr => {
                if bandwidth_mhz.fract() != 0.0 || bandwidth_mhz <= 0.0 {
                    return Err(Error::InvalidParameter {
                        name: "bandwidth_mhz",
                        value: crate::error::Value::of(&bandwidth_mhz),
                        reason: "NR channel bandwidths are whole MHz",
                    });
                }
                nr_n_rb(bandwidth_mhz as u32, scs_khz)?
            }
        };
        let lo = centre_hz / 1e6 - bandwidth_mhz / 2.0;
        let hi = centre_hz / 1e6 + bandwidth_mhz / 2.0;
        if lo < b.low_mhz - 1e-9 || hi > b.high_mhz + 1e-9 {
            return Err(Error::InvalidParameter {
                name: "centre_hz",
                value: crate::value!("{centre_hz} ({lo:.1}–{hi:.1} MHz)"),
                reason: "the channel must lie inside its operating band",
            });
        }
        match (&duplex, rat) {
            (Duplex::LteTdd(_), Rat::Lte) | (Duplex::NrTdd(_), Rat::Nr) => {}
            _ => {
                return Err(Error::InvalidParameter {
                    name: "duplex",
                    value: crate::value!("{duplex:?} on {rat:?}"),
                    reason: "an LTE carrier needs an LTE TDD configuration, an NR carrier an NR slot pattern",
                });
            }
        }
        Ok(Self {
            rat,
            band: b,
            centre_hz,
            bandwidth_mhz,
            scs_khz,
            duplex,
            array,
            array_design_hz,
            n_rb,
        })
    }

    /// A TD-LTE 20 MHz carrier at `centre_mhz` in band 41 with uplink–downlink configuration 2
    /// and special-subframe configuration 7, the reference deployment's carrier.
    pub fn td_lte_band41(centre_mhz: f64, array: PanelArray, array_design_hz: f64) -> Result<Self> {
        Self::new(
            Rat::Lte,
            41,
            centre_mhz * 1e6,
            20.0,
            15,
            Duplex::LteTdd(LteTddConfig::new(2, 7)?),
            array,
            array_design_hz,
        )
    }

    /// An NR 100 MHz carrier at 30 kHz at `centre_mhz` in band n78 with the `DDDSU` pattern
    /// (special slot 10:2:2), the reference deployment's NR twin.
    pub fn nr_n78_100mhz(centre_mhz: f64, array: PanelArray, array_design_hz: f64) -> Result<Self> {
        Self::new(
            Rat::Nr,
            78,
            centre_mhz * 1e6,
            100.0,
            30,
            Duplex::NrTdd(NrTddPattern::new("DDDSU", (10, 2, 2))?),
            array,
            array_design_hz,
        )
    }

    /// Technology.
    pub fn rat(&self) -> Rat {
        self.rat
    }

    /// Operating band.
    pub fn band(&self) -> OperatingBand {
        self.band
    }

    /// Centre frequency, Hz.
    pub fn centre_hz(&self) -> f64 {
        self.centre_hz
    }

    /// Channel bandwidth, MHz.
    pub fn bandwidth_mhz(&self) -> f64 {
        self.bandwidth_mhz
    }

    /// Subcarrier spacing, kHz.
    pub fn scs_khz(&self) -> u32 {
        self.scs_khz
    }

    /// Numerology µ (0 for LTE).
    pub fn numerology(&self) -> Numerology {
        // Validated in `new` (LTE's 15 kHz is µ = 0).
        Numerology::from_scs_khz(self.scs_khz).unwrap_or(Numerology::MU0)
    }

    /// Frame structure.
    pub fn duplex(&self) -> &Duplex {
        &self.duplex
    }

    /// Transmission bandwidth N_RB.
    pub fn n_rb(&self) -> usize {
        self.n_rb as usize
    }

    /// Occupied subcarriers, 12·N_RB.
    pub fn n_sc(&self) -> usize {
        12 * self.n_rb as usize
    }

    /// Slot (NR) or subframe (LTE) duration, seconds: the unit of [`Self::slots`].
    pub fn slot_seconds(&self) -> f64 {
        match self.rat {
            Rat::Lte => 1e-3,
            Rat::Nr => self.numerology().slot_seconds(),
        }
    }

    /// One period of the TDD pattern: LTE's ten subframes, NR's slot pattern.
    pub fn slots(&self) -> Vec<SlotKind> {
        match &self.duplex {
            Duplex::LteTdd(c) => c.subframes().to_vec(),
            Duplex::NrTdd(p) => p.slots().to_vec(),
        }
    }

    /// The physical array as declared (spacings in wavelengths at the design frequency).
    pub fn array(&self) -> &PanelArray {
        &self.array
    }

    /// Frequency at which the array's spacings are given, Hz.
    pub fn array_design_hz(&self) -> f64 {
        self.array_design_hz
    }

    /// The array at this carrier's centre frequency: spacings scaled by f_c / f_design (the
    /// same physical array is electrically larger at 3.5 GHz than at 2.6 GHz).
    pub fn electrical_array(&self) -> PanelArray {
        // Both frequencies were checked finite and > 0 in `new`, the array's spacings too.
        self.array
            .at_frequency_ratio(self.centre_hz / self.array_design_hz)
            .unwrap_or(self.array)
    }

    /// Absolute frequency of subcarrier `k` (0 ≤ k < n_sc), Hz: f_c + (k − n_sc/2)·Δf for NR
    /// (38.211 §5.3.1), and for LTE with the unused DC subcarrier between k = n_sc/2 − 1 and
    /// n_sc/2 (36.211 §6.12).
    pub fn subcarrier_hz(&self, k: usize) -> f64 {
        let df = f64::from(self.scs_khz) * 1e3;
        let half = self.n_sc() as f64 / 2.0;
        let offset = match self.rat {
            Rat::Nr => k as f64 - half,
            Rat::Lte if (k as f64) < half => k as f64 - half,
            Rat::Lte => k as f64 - half + 1.0,
        };
        self.centre_hz + offset * df
    }

    /// Absolute frequencies of every subcarrier, Hz ([`Self::subcarrier_hz`]).
    pub fn subcarrier_frequencies(&self) -> Vec<f64> {
        (0..self.n_sc()).map(|k| self.subcarrier_hz(k)).collect()
    }

    /// The OFDM configuration of one 14-symbol slot (NR slot `slot`, or an LTE subframe) at the
    /// standard FFT size (36.104 sampling rates for LTE; the smallest power of two with ≤ 85 %
    /// occupancy for NR), unitary scale 1/√n_fft (modulation then demodulation is the
    /// identity).
    pub fn ofdm_config(&self, slot: u32) -> Result<OfdmConfig> {
        let n_fft = match self.rat {
            Rat::Lte => lte_fft_size(self.n_rb)?,
            Rat::Nr => fft_size(self.n_sc())?,
        };
        Ok(OfdmConfig {
            standard: match self.rat {
                Rat::Lte => Standard::Lte,
                Rat::Nr => Standard::Nr,
            },
            scs_khz: self.scs_khz,
            n_fft,
            n_sc: self.n_sc(),
            n_symbols: 14,
            cyclic_prefix: CyclicPrefix::Normal,
            slot,
            scale: 1.0 / (n_fft as f32).sqrt(),
        })
    }

    /// Lower and upper edge of the channel bandwidth, Hz.
    pub fn edges_hz(&self) -> (f64, f64) {
        let h = self.bandwidth_mhz * 0.5e6;
        (self.centre_hz - h, self.centre_hz + h)
    }
}

/// A carrier-aggregation set: component carriers of one technology served together.
#[derive(Clone, Debug, PartialEq)]
pub struct CarrierAggregation {
    carriers: Vec<ComponentCarrier>,
}

impl CarrierAggregation {
    /// Most component carriers: 5 for LTE (36.300 §5.5), 16 for NR (38.300 §5.4.1).
    pub fn max_carriers(rat: Rat) -> usize {
        match rat {
            Rat::Lte => 5,
            Rat::Nr => 16,
        }
    }

    /// Checks the set: 1 to [`Self::max_carriers`] carriers, all of one technology (no EN-DC
    /// here), channel bandwidths that do not overlap, and the same TDD pattern on carriers of
    /// one band (intra-band TDD carriers must be synchronised so that one carrier's uplink does
    /// not fall on another's downlink in the same front end).
    pub fn new(carriers: Vec<ComponentCarrier>) -> Result<Self> {
        let Some(first) = carriers.first() else {
            return Err(Error::InvalidParameter {
                name: "carriers",
                value: "0".into(),
                reason: "a carrier-aggregation set needs at least one carrier",
            });
        };
        let rat = first.rat;
        if let Some(c) = carriers.iter().find(|c| c.rat != rat) {
            return Err(Error::InvalidParameter {
                name: "carriers[].rat",
                value: crate::value!("{:?} with {rat:?}", c.rat),
                reason: "all carriers of a set must be of one technology",
            });
        }
        if carriers.len() > Self::max_carriers(rat) {
            return Err(Error::InvalidParameter {
                name: "carriers",
                value: crate::error::Value::of(&carriers.len()),
                reason: "at most 5 LTE or 16 NR component carriers",
            });
        }
        for (i, a) in carriers.iter().enumerate() {
            for b in &carriers[i + 1..] {
                let (al, ah) = a.edges_hz();
                let (bl, bh) = b.edges_hz();
                if al < bh - 1.0 && bl < ah - 1.0 {
                    return Err(Error::InvalidParameter {
                        name: "carriers[].centre_hz",
                        value: crate::value!("{} and {} Hz", a.centre_hz, b.centre_hz),
                        reason: "component carriers overlap",
                    });
                }
                if a.band == b.band && a.duplex != b.duplex {
                    return Err(Error::InvalidParameter {
                        name: "carriers[].duplex",
                        value: crate::value!("band {}", a.band.number),
                        reason: "carriers of one band must share the TDD pattern",
                    });
                }
            }
        }
        Ok(Self { carriers })
    }

    /// The reference deployment: three TD-LTE 20 MHz carriers in band 41 at 2575, 2595 and
    /// 2615 MHz (contiguous), configuration 2 / special subframe 7, all served by `array`.
    pub fn td_lte_three_carriers(array: PanelArray, array_design_hz: f64) -> Result<Self> {
        Self::new(
            [2575.0, 2595.0, 2615.0]
                .iter()
                .map(|&f| ComponentCarrier::td_lte_band41(f, array, array_design_hz))
                .collect::<Result<_>>()?,
        )
    }

    /// The carriers, in the order given.
    pub fn carriers(&self) -> &[ComponentCarrier] {
        &self.carriers
    }

    /// Technology of the set.
    pub fn rat(&self) -> Rat {
        self.carriers[0].rat
    }

    /// Aggregated channel bandwidth, MHz.
    pub fn total_bandwidth_mhz(&self) -> f64 {
        self.carriers.iter().map(|c| c.bandwidth_mhz).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arr() -> PanelArray {
        PanelArray::cross_polarized(8, 4).unwrap()
    }

    #[test]
    fn reference_carriers() {
        let ca = CarrierAggregation::td_lte_three_carriers(arr(), 2.6e9).unwrap();
        assert_eq!(ca.carriers().len(), 3);
        assert_eq!(ca.total_bandwidth_mhz(), 60.0);
        let c = &ca.carriers()[0];
        assert_eq!((c.n_rb(), c.n_sc()), (100, 1200));
        assert_eq!(c.ofdm_config(0).unwrap().n_fft, 2048);
        // Configuration 2: DSUDDDSUDD.
        let s = c.slots();
        assert_eq!(s.iter().filter(|k| **k == SlotKind::Downlink).count(), 6);
        assert_eq!(
            s[1],
            SlotKind::Special {
                dl: 10,
                guard: 2,
                ul: 2
            }
        );
        // LTE DC gap: subcarriers 599 and 600 are 2·Δf apart around f_c.
        assert!((c.subcarrier_hz(600) - c.subcarrier_hz(599) - 30e3).abs() < 1e-6);
        assert!((c.subcarrier_hz(600) - 2575e6 - 15e3).abs() < 1e-6);
        // The array at 2575 MHz designed for 2.6 GHz: 0.495 λ.
        assert!((c.electrical_array().spacing.0 - 0.5 * 2575.0 / 2600.0).abs() < 1e-12);
        let nr = ComponentCarrier::nr_n78_100mhz(3500.0, arr(), 3.5e9).unwrap();
        assert_eq!((nr.n_rb(), nr.ofdm_config(0).unwrap().n_fft), (273, 4096));
        assert!((nr.slot_seconds() - 0.5e-3).abs() < 1e-12);
    }

    #[test]
    fn bad_sets_are_named() {
        let err = |r: Result<CarrierAggregation>| match r {
            Err(Error::InvalidParameter { name, .. }) => name,
            other => panic!("{other:?}"),
        };
        let c = |f: f64| ComponentCarrier::td_lte_band41(f, arr(), 2.6e9).unwrap();
        assert_eq!(
            err(CarrierAggregation::new(vec![c(2575.0), c(2590.0)])),
            "carriers[].centre_hz"
        );
        assert_eq!(err(CarrierAggregation::new(vec![])), "carriers");
        assert_eq!(
            err(CarrierAggregation::new(
                (0..6).map(|i| c(2510.0 + 20.0 * i as f64)).collect()
            )),
            "carriers"
        );
        let nr = ComponentCarrier::nr_n78_100mhz(3500.0, arr(), 3.5e9).unwrap();
        assert_eq!(
            err(CarrierAggregation::new(vec![c(2575.0), nr])),
            "carriers[].rat"
        );
        // Outside the band, unsupported numerology, wrong duplex.
        assert_eq!(
            crate::error::name_of(ComponentCarrier::td_lte_band41(2685.0, arr(), 2.6e9)),
            "centre_hz"
        );
        let lte_tdd = Duplex::LteTdd(LteTddConfig::new(2, 7).unwrap());
        assert_eq!(
            crate::error::name_of(ComponentCarrier::new(
                Rat::Nr,
                78,
                3.5e9,
                100.0,
                15,
                lte_tdd.clone(),
                arr(),
                3.5e9
            )),
            "bandwidth_mhz / scs_khz"
        );
        assert_eq!(
            crate::error::name_of(ComponentCarrier::new(
                Rat::Nr,
                78,
                3.5e9,
                100.0,
                30,
                lte_tdd,
                arr(),
                3.5e9
            )),
            "duplex"
        );
        assert_eq!(crate::error::name_of(operating_band(Rat::Lte, 7)), "band");
    }
}
