//! Buffer sizes and frame lengths, all `const fn`: what a frame takes on the wire, and what the
//! in-place encoder needs to build it.

use postcard::experimental::max_size::MaxSize;
use postcard_schema::Schema;

use super::HelloFields;
use super::schema_size::schema_len;
use crate::checksum::CHECKSUM_LEN;
use crate::cobs;
use crate::frame::MAGIC;
use crate::stream::{MAX_STREAM_NAME, StreamDesc};
use crate::varint::{self, VARINT_MAX};

/// The bytes a frame of `raw` raw bytes takes on the wire: COBS overhead and the delimiter.
const fn wire_len(raw: usize) -> usize {
    raw + cobs::max_overhead(raw) + 1
}

/// The buffer the in-place encoder needs for a frame of `raw` raw bytes: the frame on the wire
/// plus headroom. The encoder writes the raw bytes behind room for the COBS overhead of the whole
/// buffer, which is a little larger than the frame; one more byte per 254 covers that.
const fn buffer_len(raw: usize) -> usize {
    raw + cobs::max_overhead(raw + cobs::max_overhead(raw) + 1) + 1
}

/// The worst-case raw (pre-COBS) length of a data frame whose value takes `value_max` bytes.
/// (A full frame of a stream with a prefix byte, all four varints at their longest: the worst
/// case of both kinds.)
const fn data_raw_max(value_max: usize) -> usize {
    1 + 1 + 4 * VARINT_MAX + value_max + CHECKSUM_LEN
}

/// The buffer size [`encode_data`](super::encode_data) needs for a value of at most `value_max`
/// postcard bytes: header, fields, value, checksum, COBS overhead and the `0x00` delimiter.
///
/// ```
/// use ph_eventing_wire::encode::max_frame_len_for;
/// assert_eq!(max_frame_len_for(5), 31);
/// ```
pub const fn max_frame_len_for(value_max: usize) -> usize {
    buffer_len(data_raw_max(value_max))
}

/// The buffer size that fits any data frame of `T`, as a constant: `[u8; max_frame_len::<T>()]`.
///
/// ```
/// use ph_eventing_wire::encode::max_frame_len;
/// let buf = [0u8; max_frame_len::<u32>()];
/// assert_eq!(buf.len(), 31);
/// ```
pub const fn max_frame_len<T: MaxSize>() -> usize {
    max_frame_len_for(T::POSTCARD_MAX_SIZE)
}

/// The raw (pre-COBS) length of `T`'s hello with these fields, for a stream named with
/// `name_len` bytes.
const fn hello_raw_len<T: Schema + MaxSize + ?Sized>(
    fields: &HelloFields,
    name_len: usize,
) -> usize {
    let schema_len = schema_len(T::SCHEMA);
    1 + MAGIC.len()
        + 1
        + 4
        + varint::len_u32(fields.next_seq)
        + varint::len_u32(fields.ring_drops)
        + varint::len_u32(T::POSTCARD_MAX_SIZE as u32)
        + varint::len_u32(schema_len as u32)
        + schema_len
        + 4
        + name_len
        + CHECKSUM_LEN
}

/// The exact length of `T`'s hello frame with these fields (delimiter included).
///
/// ```
/// use ph_eventing_wire::encode::{hello_len, HelloFields};
/// let fields = HelloFields { boot_id: 1, next_seq: 1, ring_drops: 0 };
/// assert_eq!(hello_len::<u32>(&fields), 27);
/// ```
pub const fn hello_len<T: Schema + MaxSize + ?Sized>(fields: &HelloFields) -> usize {
    stream_hello_len::<T>(fields, &StreamDesc::SINGLE)
}

/// The exact length of the hello of the stream `desc` with these fields (delimiter included).
///
/// ```
/// use ph_eventing_wire::encode::{stream_hello_len, HelloFields};
/// use ph_eventing_wire::stream::StreamDesc;
/// let fields = HelloFields { boot_id: 1, next_seq: 1, ring_drops: 0 };
/// assert_eq!(stream_hello_len::<u32>(&fields, &StreamDesc::new(1, "slow")), 31);
/// ```
pub const fn stream_hello_len<T: Schema + MaxSize + ?Sized>(
    fields: &HelloFields,
    desc: &StreamDesc,
) -> usize {
    wire_len(hello_raw_len::<T>(fields, desc.name.len()))
}

/// A buffer size that fits `T`'s hello frame whatever its counters and its stream's name, as a
/// constant; it also fits
/// the first hello of a boot with the `0x00` before it
/// ([`encode_hello_after_delimiter`](super::encode_hello_after_delimiter), which the
/// [`Drainer`](crate::drain::Drainer) sends).
///
/// ```
/// use std::sync::Mutex;
///
/// use ph_eventing_wire::encode::{HelloFields, encode_hello, max_frame_len, max_hello_len};
///
/// #[derive(serde::Serialize, postcard::experimental::max_size::MaxSize, postcard_schema::Schema)]
/// struct Reading {
///     channel: u8,
///     millivolts: i32,
/// }
///
/// // One static buffer for the data frames and the hellos of `Reading`.
/// const FRAME_BUF: usize = {
///     let (data, hello) = (max_frame_len::<Reading>(), max_hello_len::<Reading>());
///     if data > hello { data } else { hello }
/// };
/// static BUF: Mutex<[u8; FRAME_BUF]> = Mutex::new([0; FRAME_BUF]);
///
/// let worst = HelloFields { boot_id: u32::MAX, next_seq: u32::MAX, ring_drops: u32::MAX };
/// let mut buf = BUF.lock().unwrap();
/// let hello = encode_hello::<Reading>(&worst, &mut buf[..]).unwrap();
/// assert!(hello.len() <= FRAME_BUF);
/// ```
pub const fn max_hello_len<T: Schema + MaxSize + ?Sized>() -> usize {
    // The counters at their longest: 5-byte varints.
    let worst = HelloFields {
        boot_id: 0,
        next_seq: u32::MAX,
        ring_drops: u32::MAX,
    };
    let any = buffer_len(hello_raw_len::<T>(&worst, MAX_STREAM_NAME));
    // The boot hello: no ring drops yet, one byte in front. Never larger than `any` (its
    // `ring_drops` varint is 4 bytes shorter), but sized here rather than assumed.
    let at_boot = HelloFields {
        ring_drops: 0,
        ..worst
    };
    let boot = 1 + buffer_len(hello_raw_len::<T>(&at_boot, MAX_STREAM_NAME));
    if boot > any { boot } else { any }
}
