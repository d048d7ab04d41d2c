//! [`FrameWriter`]: builds one frame in place in the caller's buffer.
//!
//! The raw bytes (header, fields, value) are written behind room for the COBS overhead, the
//! checksum is appended, and the whole is COBS-encoded forward to the start of the buffer and
//! followed by the delimiter: one buffer, no copy.

use serde::Serialize;

use super::EncodeError;
use crate::checksum::{CHECKSUM_LEN, crc16};
use crate::cobs;
use crate::varint;

/// One frame being written into a buffer; see the [module docs](self).
pub(super) struct FrameWriter<'b> {
    buf: &'b mut [u8],
    /// Where the raw bytes start (room for the COBS overhead before them).
    start: usize,
    /// Where the next raw byte goes.
    at: usize,
    /// The end of the room for header, fields and value: the checksum and the COBS/delimiter
    /// bytes need the rest.
    body_end: usize,
    /// The error for a buffer that turns out too small (`needed`: a size that is enough).
    too_small: EncodeError,
}

impl<'b> FrameWriter<'b> {
    /// Starts a frame in `buf`; `needed` is what a [`EncodeError::BufferTooSmall`] reports.
    pub(super) fn new(buf: &'b mut [u8], needed: usize) -> Result<Self, EncodeError> {
        let too_small = EncodeError::BufferTooSmall { needed };
        let start = cobs::max_overhead(buf.len());
        let body_end = buf.len().checked_sub(CHECKSUM_LEN + 1).ok_or(too_small)?;
        if start > body_end {
            return Err(too_small);
        }
        Ok(Self {
            buf,
            start,
            at: start,
            body_end,
            too_small,
        })
    }

    /// The room left for header, fields and value.
    fn rest(&mut self) -> &mut [u8] {
        &mut self.buf[self.at..self.body_end]
    }

    /// Appends `b`.
    pub(super) fn bytes(&mut self, b: &[u8]) -> Result<(), EncodeError> {
        let too_small = self.too_small;
        self.rest()
            .get_mut(..b.len())
            .ok_or(too_small)?
            .copy_from_slice(b);
        self.at += b.len();
        Ok(())
    }

    /// Appends the varint of `v`.
    pub(super) fn varint(&mut self, v: u32) -> Result<(), EncodeError> {
        let too_small = self.too_small;
        self.at += varint::write_u32(v, self.rest()).ok_or(too_small)?;
        Ok(())
    }

    /// Appends `value` in postcard, which takes `len` bytes; returns the bytes it took.
    pub(super) fn postcard<T: Serialize + ?Sized>(
        &mut self,
        value: &T,
        len: usize,
    ) -> Result<usize, EncodeError> {
        let too_small = self.too_small;
        let rest = self.rest();
        if rest.len() < len {
            return Err(too_small);
        }
        let used = postcard::to_slice(value, rest)
            .map_err(|_| EncodeError::Serialize)?
            .len();
        self.at += used;
        Ok(used)
    }

    /// Appends the checksum, COBS-encodes the frame in place and adds the delimiter: the bytes
    /// to send, at the start of the buffer.
    pub(super) fn finish(self) -> Result<&'b [u8], EncodeError> {
        let Self {
            buf,
            start,
            at: end,
            too_small,
            ..
        } = self;
        let sum = crc16(&buf[start..end]).to_le_bytes();
        buf.get_mut(end..end + CHECKSUM_LEN)
            .ok_or(too_small)?
            .copy_from_slice(&sum);
        let raw_len = end + CHECKSUM_LEN - start;
        let n = cobs::encode_in_place(buf, start, raw_len).ok_or(too_small)?;
        *buf.get_mut(n).ok_or(too_small)? = 0;
        Ok(&buf[..=n])
    }
}
