//! The firmware side: encode data and hello frames into a caller-provided buffer, without
//! allocating. A frame on the wire is `COBS(header, fields, value, crc16) 0x00`.

use core::fmt;

use postcard::experimental::max_size::MaxSize;
use postcard_schema::Schema;
use serde::Serialize;

use crate::checksum::{CHECKSUM_LEN, crc16};
use crate::cobs;
use crate::frame::{FORMAT_VERSION, HELLO_HEADER, MAGIC, boot_tag};
use crate::varint::{self, VARINT_MAX};

/// The worst-case raw (pre-COBS) length of a data frame whose value takes `value_max` bytes.
const fn data_raw_max(value_max: usize) -> usize {
    1 + 2 * VARINT_MAX + value_max + CHECKSUM_LEN
}

/// The buffer size [`encode_data`] needs for a value of at most `value_max` postcard bytes:
/// header, fields, value, checksum, COBS overhead and the `0x00` delimiter.
///
/// ```
/// use ph_eventing_wire::encode::max_frame_len_for;
/// assert_eq!(max_frame_len_for(5), 20);
/// ```
pub const fn max_frame_len_for(value_max: usize) -> usize {
    let raw = data_raw_max(value_max);
    // The in-place COBS encoder needs its overhead in front of the raw bytes, sized for the
    // whole buffer; one more byte of headroom per 254 covers that.
    raw + cobs::max_overhead(raw + cobs::max_overhead(raw) + 1) + 1
}

/// The buffer size that fits any data frame of `T`, as a constant: `[u8; max_frame_len::<T>()]`.
///
/// ```
/// use ph_eventing_wire::encode::max_frame_len;
/// let buf = [0u8; max_frame_len::<u32>()];
/// assert_eq!(buf.len(), 20);
/// ```
pub const fn max_frame_len<T: MaxSize>() -> usize {
    max_frame_len_for(T::POSTCARD_MAX_SIZE)
}

/// Why a frame could not be encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// The buffer is too small: give at least `needed` bytes.
    BufferTooSmall {
        /// A buffer size that is enough.
        needed: usize,
    },
    /// The value's `Serialize` implementation failed (or wrote more than its `MaxSize`).
    Serialize,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BufferTooSmall { needed } => {
                write!(f, "frame buffer too small: make it at least {needed} bytes")
            }
            Self::Serialize => f.write_str(
                "the value failed to serialize with postcard: check its Serialize/MaxSize impls",
            ),
        }
    }
}

impl core::error::Error for EncodeError {}

/// Where the raw bytes go before COBS moves them to the front of `buf`.
fn raw_start(buf_len: usize) -> usize {
    cobs::max_overhead(buf_len)
}

/// Appends the checksum to `buf[start..end]`, COBS-encodes it in place and adds the delimiter.
fn finish(buf: &mut [u8], start: usize, end: usize, needed: usize) -> Result<&[u8], EncodeError> {
    let too_small = EncodeError::BufferTooSmall { needed };
    let sum = crc16(&buf[start..end]).to_le_bytes();
    buf.get_mut(end..end + CHECKSUM_LEN)
        .ok_or(too_small)?
        .copy_from_slice(&sum);
    let raw_len = end + CHECKSUM_LEN - start;
    let n = cobs::encode_in_place(buf, start, raw_len).ok_or(too_small)?;
    *buf.get_mut(n).ok_or(too_small)? = 0;
    Ok(&buf[..=n])
}

/// Encodes one data frame into `buf` and returns the bytes to send (delimiter included).
///
/// `ring_drops` is the sender's running count of ring drops among sequence numbers before `seq`
/// ([`Drainer`](crate::drain::Drainer) keeps it for you). A buffer of
/// [`max_frame_len::<T>()`](max_frame_len) bytes always suffices.
///
/// ```
/// use ph_eventing_wire::encode::{encode_data, max_frame_len};
///
/// let mut buf = [0u8; max_frame_len::<u32>()];
/// let frame = encode_data(0x2A, 1, 0, &7u32, &mut buf).unwrap();
/// assert_eq!(frame, [0x03, 0x2A, 0x01, 0x04, 0x07, 0x40, 0x81, 0x00]);
/// ```
pub fn encode_data<'b, T: Serialize + ?Sized>(
    boot_id: u32,
    seq: u32,
    ring_drops: u32,
    value: &T,
    buf: &'b mut [u8],
) -> Result<&'b [u8], EncodeError> {
    let start = raw_start(buf.len());
    let value_len =
        postcard::experimental::serialized_size(value).map_err(|_| EncodeError::Serialize)?;
    let needed = max_frame_len_for(value_len);
    let too_small = EncodeError::BufferTooSmall { needed };
    // Keep room at the end for the checksum and the COBS/delimiter bytes.
    let body_end = buf.len().checked_sub(CHECKSUM_LEN + 1).ok_or(too_small)?;
    let body = buf.get_mut(start..body_end).ok_or(too_small)?;
    let mut at = 0;
    *body.get_mut(at).ok_or(too_small)? = boot_tag(boot_id);
    at += 1;
    at += varint::write_u32(seq, body.get_mut(at..).ok_or(too_small)?).ok_or(too_small)?;
    at += varint::write_u32(ring_drops, body.get_mut(at..).ok_or(too_small)?).ok_or(too_small)?;
    let value_out = body.get_mut(at..).ok_or(too_small)?;
    if value_out.len() < value_len {
        return Err(too_small);
    }
    at += postcard::to_slice(value, value_out)
        .map_err(|_| EncodeError::Serialize)?
        .len();
    finish(buf, start, start + at, needed)
}

/// The fields of a hello frame besides the schema (see [`Hello`](crate::frame::Hello)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HelloFields {
    /// The sender's per-boot id.
    pub boot_id: u32,
    /// The sequence number of the next data frame.
    pub next_seq: u32,
    /// Ring drops since boot among sequence numbers before `next_seq`.
    pub ring_drops: u32,
}

/// The exact length of `T`'s hello frame with these fields (delimiter included).
///
/// ```
/// use ph_eventing_wire::encode::{hello_len, HelloFields};
/// let fields = HelloFields { boot_id: 1, next_seq: 1, ring_drops: 0 };
/// assert_eq!(hello_len::<u32>(&fields), 23);
/// ```
pub fn hello_len<T: Schema + MaxSize + ?Sized>(fields: &HelloFields) -> usize {
    let schema_len = postcard::experimental::serialized_size(T::SCHEMA).unwrap_or(usize::MAX / 4);
    let raw = hello_raw_len(fields, T::POSTCARD_MAX_SIZE, schema_len);
    raw + cobs::max_overhead(raw) + 1
}

/// A buffer size that fits `T`'s hello frame whatever its counters.
pub fn max_hello_len<T: Schema + MaxSize + ?Sized>() -> usize {
    let schema_len = postcard::experimental::serialized_size(T::SCHEMA).unwrap_or(usize::MAX / 4);
    let worst = HelloFields {
        boot_id: 0,
        next_seq: u32::MAX,
        ring_drops: u32::MAX,
    };
    let raw = hello_raw_len(&worst, T::POSTCARD_MAX_SIZE, schema_len);
    raw + cobs::max_overhead(raw + cobs::max_overhead(raw) + 1) + 1
}

fn hello_raw_len(fields: &HelloFields, value_max: usize, schema_len: usize) -> usize {
    1 + MAGIC.len()
        + 1
        + 4
        + varint::len_u32(fields.next_seq)
        + varint::len_u32(fields.ring_drops)
        + varint::len_u32(value_max as u32)
        + varint::len_u32(schema_len as u32)
        + schema_len
        + CHECKSUM_LEN
}

/// Encodes `T`'s hello frame into `buf` and returns the bytes to send (delimiter included).
///
/// ```
/// use ph_eventing_wire::encode::{encode_hello, HelloFields};
///
/// let mut buf = [0u8; 64];
/// let fields = HelloFields { boot_id: 0xB007, next_seq: 1, ring_drops: 0 };
/// let frame = encode_hello::<u32>(&fields, &mut buf).unwrap();
/// assert_eq!(frame.len(), 23);
/// ```
pub fn encode_hello<'b, T: Schema + MaxSize + ?Sized>(
    fields: &HelloFields,
    buf: &'b mut [u8],
) -> Result<&'b [u8], EncodeError> {
    let needed = max_hello_len::<T>();
    let too_small = EncodeError::BufferTooSmall { needed };
    let start = raw_start(buf.len());
    let schema_len =
        postcard::experimental::serialized_size(T::SCHEMA).map_err(|_| EncodeError::Serialize)?;
    let body_end = buf.len().checked_sub(CHECKSUM_LEN + 1).ok_or(too_small)?;
    let body = buf.get_mut(start..body_end).ok_or(too_small)?;
    let mut w = Writer {
        out: body,
        at: 0,
        too_small,
    };
    w.bytes(&[HELLO_HEADER])?;
    w.bytes(&MAGIC)?;
    w.bytes(&[FORMAT_VERSION])?;
    w.bytes(&fields.boot_id.to_le_bytes())?;
    w.varint(fields.next_seq)?;
    w.varint(fields.ring_drops)?;
    w.varint(T::POSTCARD_MAX_SIZE as u32)?;
    w.varint(schema_len as u32)?;
    let rest = w.out.get_mut(w.at..).ok_or(too_small)?;
    if rest.len() < schema_len {
        return Err(too_small);
    }
    let used = postcard::to_slice(T::SCHEMA, rest)
        .map_err(|_| EncodeError::Serialize)?
        .len();
    let end = start + w.at + used;
    finish(buf, start, end, needed)
}

struct Writer<'a> {
    out: &'a mut [u8],
    at: usize,
    too_small: EncodeError,
}

impl Writer<'_> {
    fn bytes(&mut self, b: &[u8]) -> Result<(), EncodeError> {
        let dst = self
            .out
            .get_mut(self.at..self.at + b.len())
            .ok_or(self.too_small)?;
        dst.copy_from_slice(b);
        self.at += b.len();
        Ok(())
    }

    fn varint(&mut self, v: u32) -> Result<(), EncodeError> {
        let dst = self.out.get_mut(self.at..).ok_or(self.too_small)?;
        self.at += varint::write_u32(v, dst).ok_or(self.too_small)?;
        Ok(())
    }
}
