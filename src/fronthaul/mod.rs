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
//! * [`precode_uplane`]: the category-A downlink's output — a layer grid precoded and written
//!   as U-plane messages symbol by symbol, the antenna grid never in memory
//!   ([`crate::link::DownlinkSlot::precode_uplane`] on a slot's weights);
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
//!
//! ```
//! use massive_mimo::fronthaul::{CompHeader, Direction, IqWidth, Timing, UplaneCodec};
//! use massive_mimo::C32;
//! let n_prb = 273;
//! // BFP-9, 273 PRBs, full scale (32767) at 1.0.
//! let mut codec = UplaneCodec::new(CompHeader::bfp(IqWidth::W9), n_prb, 32767.0)?;
//! let row = vec![C32::new(0.25, -0.5); 12 * n_prb as usize]; // one antenna, one symbol
//! let mut msg = vec![0u8; 4 + codec.section_bytes(n_prb as usize)]; // 4 + 6 + 273 × 28 bytes
//! let t = Timing { direction: Direction::Downlink, filter_index: 0, frame_id: 0, subframe_id: 0,
//!                  slot_id: 0, symbol_id: 3 };
//! codec.write_message(&t, 0, &row, &mut msg)?;        // after the host's eCPRI header
//! let mut back = vec![C32::new(0.0, 0.0); row.len()];
//! let (timing, sections) = codec.read_message(&msg, &mut back)?;
//! assert_eq!((timing.symbol_id, sections), (3, 1));
//! assert!((back[0] - row[0]).norm() < 1e-3);
//! # Ok::<(), massive_mimo::Error>(())
//! ```

mod bfp;
mod category_a;
mod convert;
mod cplane;
mod ecpri;
mod fields;
mod uplane;

pub use bfp::{Bfp, CompHeader, CompMethod, IqWidth};
pub use category_a::{CategoryA, precode_uplane};
pub use convert::{float_to_int16, int16_to_float};
pub use cplane::{
    BfwCodec, BfwExtension, CPLANE_HEADER_BYTES, CplaneHeader, MAX_TRX, SECTION1_BYTES, Section1,
};
pub use ecpri::{ECPRI_HEADER_BYTES, EcpriHeader, EcpriMessage};
pub use uplane::{
    Direction, MAX_CARRIER_PRBS, Timing, UPLANE_HEADER_BYTES, UPLANE_SECTION_HEADER_BYTES,
    UplaneCodec, UplaneSection, read_section_header, write_section_iq,
};
