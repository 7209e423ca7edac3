//! Transport-block sizes, MCS tables and peak rates of NR and LTE.
//!
//! * [`nr`]: 38.214 §5.1.3.2 TBS ([`nr_tbs`]), the PDSCH MCS tables 5.1.3.1-1…-4
//!   ([`nr_mcs`]), the 38.306 §4.1.2 peak rate and the TDD peak rate from the TBS arithmetic.
//! * [`lte`]: 36.213 §7.1.7 TBS with the DwPTS scaling and the 2/3/4-layer translations
//!   ([`lte_tbs`]), the 64QAM / 256QAM PDSCH MCS tables ([`lte_mcs`]) and the TD-LTE peak rate
//!   ([`lte_tdd_peak_rate`]).

pub mod lte;
pub mod nr;

pub use lte::*;
pub use nr::*;
