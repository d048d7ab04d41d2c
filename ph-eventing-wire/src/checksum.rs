//! The frame checksum: CRC-16/IBM-SDLC (also known as CRC-16/X-25), appended little-endian.

use crc::{CRC_16_IBM_SDLC, Crc};

/// The CRC engine (256-entry table, 512 bytes of flash).
static CRC16: Crc<u16> = Crc::<u16>::new(&CRC_16_IBM_SDLC);

/// Bytes the checksum adds to every frame.
pub const CHECKSUM_LEN: usize = 2;

/// CRC-16/IBM-SDLC of `bytes` (check value of `"123456789"` is `0x906E`).
///
/// ```
/// assert_eq!(ph_eventing_wire::checksum::crc16(b"123456789"), 0x906E);
/// ```
#[inline]
pub fn crc16(bytes: &[u8]) -> u16 {
    CRC16.checksum(bytes)
}
