//! Pseudo-random and low-PAPR sequences of 38.211 §5.2, and the group/sequence hopping that
//! picks the low-PAPR sequence of SRS and PUCCH.

pub mod gold;
pub mod hopping;
pub mod low_papr;

pub use gold::Gold;
pub use hopping::{Hopping, pucch_group_sequence, srs_group_sequence};
pub use low_papr::{LowPaprStandard, low_papr_sequence, low_papr_sequence_in};
