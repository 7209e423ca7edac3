//! O-RAN 7.2x fronthaul (O-RAN.WG4.CUS): what lies between the library's frequency-domain
//! grids and the wire, on caller buffers, allocation-free after construction.
//!
//! * [`Bfp`]: block floating point compression of int16 IQ PRBs and of beamforming weight
//!   vectors (Annex A.1.1; udCompParam / bfwCompParam exponent byte, MSB-first fields),
//!   bit-exact on every SIMD backend, with [`IqWidth`] 1..=16 and the [`CompHeader`] byte;
//! * [`float_to_int16`] / [`int16_to_float`]: the complex f32 ↔ int16 step with a scale
//!   (round half to even, saturating, NaN rejected);
//! * [`UplaneCodec`]: U-plane sections (§8.3) straight from / into a grid row — the uplink
//!   from compressed PRBs into the grid that estimation and detection read, the downlink's
//!   precoded antenna grid (category A) or layer grid (category B) out as compressed sections;
//! * [`CplaneHeader`], [`Section1`], [`BfwCodec`]: C-plane section type 1 with beamId and
//!   extension 11 (flexible beamforming weights, one BFP weight vector per PRB bundle), the
//!   category-B radio's weights;
//! * [`EcpriHeader`]: the 8-byte eCPRI header (common header, eAxC id, sequence id).
//!
//! Not here: Ethernet/VLAN/UDP framing and the transport itself (the host's DPDK or socket
//! layer), other compression methods (μ-law, modulation compression), static (M-plane)
//! compression configuration without udCompHdr, section types other than 1.
//!
//! The BFP rules and where public implementations differ are in `../shared/FRONTHAUL.md`.

mod bfp;
mod convert;
mod cplane;
mod ecpri;
mod fields;
mod uplane;

pub use bfp::{Bfp, CompHeader, CompMethod, IqWidth};
pub use convert::{float_to_int16, int16_to_float};
pub use cplane::{
    BfwCodec, BfwExtension, CPLANE_HEADER_BYTES, CplaneHeader, MAX_TRX, SECTION1_BYTES, Section1,
};
pub use ecpri::{ECPRI_HEADER_BYTES, EcpriHeader, EcpriMessage};
pub use uplane::{
    Direction, MAX_CARRIER_PRBS, Timing, UPLANE_HEADER_BYTES, UPLANE_SECTION_HEADER_BYTES,
    UplaneCodec, UplaneSection, read_section_header, write_section_iq,
};
