//! Pseudo-random and low-PAPR sequences of 38.211 §5.2.

pub mod gold;
pub mod low_papr;

pub use gold::Gold;
pub use low_papr::low_papr_sequence;
