//! The frame checksum: CRC-16/IBM-SDLC (also known as CRC-16/X-25), appended little-endian.
//!
//! [`crc16`] computes it (the sender's side, with the `crc` crate's 512-byte table);
//! [`intact`] checks a received frame against it (the host's side, four bytes per step).

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

/// Whether `frame`, a frame's bytes followed by their [`crc16`] (little-endian), is intact.
///
/// The CRC register run over the bytes and their checksum ends at the CRC's fixed residue,
/// whatever the bytes: one pass over the whole frame, byte by byte from memory (no word load
/// of the checksum bytes, which a decoder has just stored one by one), four bytes per step
/// through four tables (2 KiB, linked only into a decoder).
///
/// ```
/// use ph_eventing_wire::checksum::{crc16, intact};
/// let mut frame = b"123456789".to_vec();
/// frame.extend_from_slice(&crc16(&frame).to_le_bytes());
/// assert!(intact(&frame));
/// frame[3] ^= 0x10;
/// assert!(!intact(&frame));
/// ```
#[inline]
pub fn intact(frame: &[u8]) -> bool {
    frame.len() >= CHECKSUM_LEN && register(frame) == RESIDUE
}

/// The reflected polynomial of CRC-16/IBM-SDLC (`0x1021`, bits reversed).
const POLY: u16 = 0x8408;

/// Its initial register value (and final XOR, which [`register`] leaves out).
const INIT: u16 = 0xFFFF;

/// The register after a frame and its checksum, before the final XOR (the catalogue's
/// residue of CRC-16/IBM-SDLC).
const RESIDUE: u16 = 0xF0B8;

/// `TABLES[0]`: the register step of one byte; `TABLES[k]`: that byte followed by `k` zero
/// bytes (slice-by-4).
static TABLES: [[u16; 256]; 4] = tables();

const fn tables() -> [[u16; 256]; 4] {
    let mut t = [[0u16; 256]; 4];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u16;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ POLY
            } else {
                crc >> 1
            };
            bit += 1;
        }
        t[0][i] = crc;
        i += 1;
    }
    let mut k = 1;
    while k < 4 {
        let mut i = 0;
        while i < 256 {
            let prev = t[k - 1][i];
            t[k][i] = (prev >> 8) ^ t[0][(prev & 0xFF) as usize];
            i += 1;
        }
        k += 1;
    }
    t
}

/// The CRC register after `bytes`, from [`INIT`], without the final XOR.
#[inline]
fn register(bytes: &[u8]) -> u16 {
    let mut crc = INIT;
    let mut quads = bytes.chunks_exact(4);
    for q in &mut quads {
        // Each byte indexes a table on its own: four independent lookups per step.
        crc = TABLES[3][usize::from((crc as u8) ^ q[0])]
            ^ TABLES[2][usize::from(((crc >> 8) as u8) ^ q[1])]
            ^ TABLES[1][usize::from(q[2])]
            ^ TABLES[0][usize::from(q[3])];
    }
    for &b in quads.remainder() {
        crc = (crc >> 8) ^ TABLES[0][usize::from((crc as u8) ^ b)];
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_agrees_with_the_crc_crate() {
        let bytes: [u8; 40] = core::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ 0x5A);
        for len in 0..bytes.len() {
            let data = &bytes[..len];
            assert_eq!(register(data) ^ 0xFFFF, crc16(data), "{len}");
            let mut frame = [0u8; 42];
            frame[..len].copy_from_slice(data);
            frame[len..len + 2].copy_from_slice(&crc16(data).to_le_bytes());
            assert!(intact(&frame[..len + 2]), "{len}");
            for bit in 0..(len + 2) * 8 {
                let mut bad = frame;
                bad[bit / 8] ^= 1 << (bit % 8);
                assert!(!intact(&bad[..len + 2]), "{len} {bit}");
            }
        }
        assert!(!intact(&[]) && !intact(&[0xB8]));
    }
}
