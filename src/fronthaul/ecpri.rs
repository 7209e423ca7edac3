//! The eCPRI transport header O-RAN 7.2x messages ride in (eCPRI v2.0 §3.1.3.1 common header,
//! O-RAN.WG4.CUS §5.1.3.1 ecpriPcid / ecpriRtcid and ecpriSeqid): 8 bytes. The Ethernet / UDP
//! layers around it belong to the host's transport (DPDK, sockets).

use super::fields::need;
use super::uplane::short;
use crate::{Error, Result};

/// Bytes of the eCPRI common header plus the O-RAN eAxC id and sequence id.
pub const ECPRI_HEADER_BYTES: usize = 8;

/// eCPRI message types O-RAN uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EcpriMessage {
    /// Type 0, IQ data: U-plane.
    IqData,
    /// Type 2, real-time control data: C-plane.
    RealTimeControl,
}

/// The 8-byte eCPRI header of one O-RAN message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EcpriHeader {
    /// Message type.
    pub message: EcpriMessage,
    /// ecpriPayload: bytes after the 4-byte common header (the eAxC/sequence ids included).
    pub payload_size: u16,
    /// ecpriPcid / ecpriRtcid: the eAxC id (DU port, band sector, CC, RU port bits as the
    /// M-plane splits them).
    pub eaxc_id: u16,
    /// Sequence id, per eAxC and plane, wrapping at 256.
    pub seq_id: u8,
}

impl EcpriHeader {
    /// Writes the 8 bytes (revision 1, C = 0: not concatenated; E = 1, subsequence 0: no
    /// radio-transport fragmentation).
    pub fn write(&self, out: &mut [u8]) -> Result<usize> {
        let o = need(out, ECPRI_HEADER_BYTES, "eCPRI header out")?;
        o[0] = 0x10;
        o[1] = match self.message {
            EcpriMessage::IqData => 0,
            EcpriMessage::RealTimeControl => 2,
        };
        o[2..4].copy_from_slice(&self.payload_size.to_be_bytes());
        o[4..6].copy_from_slice(&self.eaxc_id.to_be_bytes());
        o[6] = self.seq_id;
        o[7] = 0x80;
        Ok(ECPRI_HEADER_BYTES)
    }

    /// Reads the 8 bytes. A revision other than 1, a message type other than 0 / 2, or a
    /// fragmented message (E = 0) is an error naming the field.
    pub fn read(buf: &[u8]) -> Result<(Self, usize)> {
        let b = buf
            .get(..ECPRI_HEADER_BYTES)
            .ok_or_else(|| short("eCPRI header", ECPRI_HEADER_BYTES, buf.len()))?;
        if b[0] >> 4 != 1 {
            return Err(bad("ecpriRevision", (b[0] >> 4).into(), "must be 1"));
        }
        let message = match b[1] {
            0 => EcpriMessage::IqData,
            2 => EcpriMessage::RealTimeControl,
            t => {
                return Err(bad(
                    "ecpriMessage",
                    t.into(),
                    "O-RAN uses 0 (IQ) and 2 (control)",
                ));
            }
        };
        if b[7] >> 7 != 1 {
            return Err(bad(
                "E bit",
                0,
                "radio-transport fragmentation is not supported",
            ));
        }
        Ok((
            Self {
                message,
                payload_size: u16::from_be_bytes([b[2], b[3]]),
                eaxc_id: u16::from_be_bytes([b[4], b[5]]),
                seq_id: b[6],
            },
            ECPRI_HEADER_BYTES,
        ))
    }
}

fn bad(name: &'static str, value: u32, reason: &'static str) -> Error {
    Error::InvalidParameter {
        name,
        value: crate::error::Value::of(&value),
        reason,
    }
}
