//! The frame primitives: one full data frame, compact data frame or hello into a `&mut [u8]`,
//! with the fields each one carries ([`DataFields`], [`HelloFields`]).

use postcard::experimental::max_size::MaxSize;
use postcard_schema::Schema;
use serde::Serialize;

use super::EncodeError;
use super::schema_size::schema_len;
use super::size::{max_frame_len_for, max_hello_len};
use super::writer::FrameWriter;
use crate::frame::{COMPACT_BIT, FORMAT_VERSION, HELLO_HEADER, MAGIC, boot_tag, seq_bits};
use crate::seq;
use crate::stream::{StreamDesc, prefix};

/// The fields of a full data frame (see [`DataFrame`](crate::frame::DataFrame)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DataFields {
    /// The item's sequence number (never 0).
    pub seq: u32,
    /// Ring drops since boot among sequence numbers before `seq`.
    pub ring_drops: u32,
    /// Sequence numbers between the previous data frame written in this boot (or the last
    /// hello's `next_seq`) and `seq`.
    pub skipped: u32,
    /// How many of the `skipped` numbers the ring dropped (ignored when `skipped` is 0).
    pub dropped: u32,
}

impl DataFields {
    /// A frame right after the previous one (`skipped = dropped = 0`).
    ///
    /// ```
    /// use ph_eventing_wire::encode::DataFields;
    /// assert_eq!(DataFields::contiguous(5, 1).skipped, 0);
    /// ```
    pub const fn contiguous(seq: u32, ring_drops: u32) -> Self {
        Self {
            seq,
            ring_drops,
            skipped: 0,
            dropped: 0,
        }
    }

    /// The fields of `seq` when the previous checkpoint written to the link was `expected` (the
    /// previous data frame's seq + 1, or a hello's `next_seq`) with `drops_then` ring drops.
    ///
    /// ```
    /// use ph_eventing_wire::encode::DataFields;
    /// let f = DataFields::after(11, 0, 21, 6);
    /// assert_eq!((f.skipped, f.dropped), (10, 6));
    /// ```
    pub const fn after(expected: u32, drops_then: u32, seq: u32, ring_drops: u32) -> Self {
        let skipped = seq::distance(expected, seq);
        Self {
            seq,
            ring_drops,
            skipped,
            dropped: if skipped == 0 {
                0
            } else {
                ring_drops.wrapping_sub(drops_then)
            },
        }
    }
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

/// Encodes one full data frame into `buf` and returns the bytes to send (delimiter included).
///
/// `ring_drops` is the sender's running count of ring drops among sequence numbers before `seq`;
/// `skipped`/`dropped` relate the frame to the previous one written (WIRE.md, section 3).
/// [`StreamEncoder`](super::StreamEncoder) (and [`Drainer`](crate::drain::Drainer)) keep all of
/// it for you. A buffer of [`max_frame_len::<T>()`](super::max_frame_len) bytes always suffices.
///
/// ```
/// use ph_eventing_wire::encode::{encode_data, max_frame_len, DataFields};
///
/// let mut buf = [0u8; max_frame_len::<u32>()];
/// let frame = encode_data(0x2A, &DataFields::contiguous(1, 0), &7u32, &mut buf).unwrap();
/// assert_eq!(frame, [0x03, 0x2A, 0x01, 0x01, 0x04, 0x07, 0x4A, 0x8B, 0x00]);
/// ```
pub fn encode_data<'b, T: Serialize + ?Sized>(
    boot_id: u32,
    fields: &DataFields,
    value: &T,
    buf: &'b mut [u8],
) -> Result<&'b [u8], EncodeError> {
    encode_stream_data(0, boot_id, fields, value, buf)
}

/// Encodes one full data frame of stream `stream` (`0..MAX_STREAMS`): like [`encode_data`],
/// with the stream prefix byte in front for streams other than 0 (WIRE.md, section 2).
///
/// ```
/// use ph_eventing_wire::encode::{encode_stream_data, max_frame_len, DataFields};
///
/// let mut buf = [0u8; max_frame_len::<u32>()];
/// let frame = encode_stream_data(2, 0x2A, &DataFields::contiguous(1, 0), &7u32, &mut buf).unwrap();
/// assert_eq!(frame, [0x04, 0xC2, 0x2A, 0x01, 0x01, 0x04, 0x07, 0x97, 0xBC, 0x00]);
/// ```
pub fn encode_stream_data<'b, T: Serialize + ?Sized>(
    stream: u8,
    boot_id: u32,
    fields: &DataFields,
    value: &T,
    buf: &'b mut [u8],
) -> Result<&'b [u8], EncodeError> {
    encode_data_frame(stream, boot_tag(boot_id), Some(fields), value, buf)
}

/// Encodes one compact data frame (header, value, checksum: no counters) into `buf`.
///
/// It means "the previous data frame's `seq` + 1, same ring drops"; only send it where the
/// format allows (WIRE.md, section 4), which [`StreamEncoder`](super::StreamEncoder) decides for
/// you. `seq` is the item's own sequence number: its low 6 bits go into the header byte, so that
/// the host can tell when frames vanished before this one. The frame carries no boot tag.
///
/// ```
/// use ph_eventing_wire::encode::{encode_compact, max_frame_len};
///
/// let mut buf = [0u8; max_frame_len::<u32>()];
/// let frame = encode_compact(2, &7u32, &mut buf).unwrap();
/// assert_eq!(frame, [0x05, 0x42, 0x07, 0x2E, 0x0E, 0x00]); // header 0x42: compact, seq bits 2
/// ```
pub fn encode_compact<'b, T: Serialize + ?Sized>(
    seq: u32,
    value: &T,
    buf: &'b mut [u8],
) -> Result<&'b [u8], EncodeError> {
    encode_stream_compact(0, seq, value, buf)
}

/// Encodes one compact data frame of stream `stream`: like [`encode_compact`], with the stream
/// prefix byte in front for streams other than 0. It follows the previous data frame *of the
/// same stream*.
///
/// ```
/// use ph_eventing_wire::encode::{encode_stream_compact, max_frame_len};
///
/// let mut buf = [0u8; max_frame_len::<u32>()];
/// let frame = encode_stream_compact(2, 2, &7u32, &mut buf).unwrap();
/// assert_eq!(frame.len(), 7); // one byte more than on stream 0
/// ```
pub fn encode_stream_compact<'b, T: Serialize + ?Sized>(
    stream: u8,
    seq: u32,
    value: &T,
    buf: &'b mut [u8],
) -> Result<&'b [u8], EncodeError> {
    encode_data_frame(stream, seq_bits(seq) | COMPACT_BIT, None, value, buf)
}

/// `header` is the whole header byte; `fields` are present for a full frame; streams other than
/// 0 get their prefix byte first.
fn encode_data_frame<'b, T: Serialize + ?Sized>(
    stream: u8,
    header: u8,
    fields: Option<&DataFields>,
    value: &T,
    buf: &'b mut [u8],
) -> Result<&'b [u8], EncodeError> {
    let value_len =
        postcard::experimental::serialized_size(value).map_err(|_| EncodeError::Serialize)?;
    if usize::from(stream) >= crate::stream::MAX_STREAMS {
        return Err(EncodeError::Stream(
            crate::stream::StreamDescError::IdTooLarge,
        ));
    }
    let mut w = FrameWriter::new(buf, max_frame_len_for(value_len))?;
    if stream != 0 {
        w.bytes(&[prefix(stream)])?;
    }
    w.bytes(&[header])?;
    if let Some(f) = fields {
        w.varint(f.seq)?;
        w.varint(f.ring_drops)?;
        w.varint(f.skipped)?;
        if f.skipped != 0 {
            w.varint(f.dropped)?;
        }
    }
    w.postcard(value, value_len)?;
    w.finish()
}

/// Encodes `T`'s hello frame into `buf` and returns the bytes to send (delimiter included). A
/// buffer of [`max_hello_len::<T>()`](super::max_hello_len) bytes always suffices.
///
/// ```
/// use ph_eventing_wire::encode::{encode_hello, HelloFields};
///
/// let mut buf = [0u8; 64];
/// let fields = HelloFields { boot_id: 0xB007, next_seq: 1, ring_drops: 0 };
/// let frame = encode_hello::<u32>(&fields, &mut buf).unwrap();
/// assert_eq!(frame.len(), 27);
/// ```
pub fn encode_hello<'b, T: Schema + MaxSize + ?Sized>(
    fields: &HelloFields,
    buf: &'b mut [u8],
) -> Result<&'b [u8], EncodeError> {
    encode_stream_hello::<T>(fields, &StreamDesc::SINGLE, buf)
}

/// Encodes the hello of the stream `desc` describes, with `T`'s schema: like [`encode_hello`]
/// with the stream's id, count, kind and name after the schema.
///
/// ```
/// use ph_eventing_wire::encode::{encode_stream_hello, HelloFields};
/// use ph_eventing_wire::stream::{StreamDesc, StreamKind};
///
/// let mut buf = [0u8; 80];
/// let fields = HelloFields { boot_id: 0xB007, next_seq: 1, ring_drops: 0 };
/// let faults = StreamDesc::new(2, "faults").with_kind(StreamKind::Queue).of(3);
/// let frame = encode_stream_hello::<u32>(&fields, &faults, &mut buf).unwrap();
/// assert_eq!(frame.len(), 27 + 6);
/// ```
pub fn encode_stream_hello<'b, T: Schema + MaxSize + ?Sized>(
    fields: &HelloFields,
    desc: &StreamDesc,
    buf: &'b mut [u8],
) -> Result<&'b [u8], EncodeError> {
    desc.check().map_err(EncodeError::Stream)?;
    let schema_len = schema_len(T::SCHEMA);
    let mut w = FrameWriter::new(buf, max_hello_len::<T>())?;
    w.bytes(&[HELLO_HEADER])?;
    w.bytes(&MAGIC)?;
    w.bytes(&[FORMAT_VERSION])?;
    w.bytes(&fields.boot_id.to_le_bytes())?;
    w.varint(fields.next_seq)?;
    w.varint(fields.ring_drops)?;
    w.varint(T::POSTCARD_MAX_SIZE as u32)?;
    w.varint(schema_len as u32)?;
    if w.postcard(T::SCHEMA, schema_len)? != schema_len {
        // The schema length field would not match the schema: never send such a hello.
        return Err(EncodeError::Serialize);
    }
    w.bytes(&[
        desc.id,
        desc.streams,
        desc.kind.to_byte(),
        desc.name.len() as u8,
    ])?;
    w.bytes(desc.name.as_bytes())?;
    w.finish()
}

/// Encodes `T`'s hello like [`encode_hello`], preceded by one `0x00` in the same bytes: the
/// first hello after boot, so that whatever the link carried before (boot-time noise, half a
/// frame) ends as a fragment the host discards (WIRE.md, sections 1 and 4). A buffer of
/// [`max_hello_len::<T>()`](super::max_hello_len) bytes suffices when `ring_drops` is 0, as it is
/// at boot (one more byte whatever the counters).
///
/// ```
/// use ph_eventing_wire::encode::{HelloFields, encode_hello, encode_hello_after_delimiter};
///
/// let fields = HelloFields { boot_id: 0xB007, next_seq: 1, ring_drops: 0 };
/// let (mut a, mut b) = ([0u8; 64], [0u8; 64]);
/// let hello = encode_hello::<u32>(&fields, &mut a).unwrap();
/// let first = encode_hello_after_delimiter::<u32>(&fields, &mut b).unwrap();
/// assert_eq!(first[0], 0x00);
/// assert_eq!(&first[1..], hello);
/// ```
pub fn encode_hello_after_delimiter<'b, T: Schema + MaxSize + ?Sized>(
    fields: &HelloFields,
    buf: &'b mut [u8],
) -> Result<&'b [u8], EncodeError> {
    encode_stream_hello_after_delimiter::<T>(fields, &StreamDesc::SINGLE, buf)
}

/// [`encode_stream_hello`] preceded by one `0x00` in the same bytes, as
/// [`encode_hello_after_delimiter`]: the first frame on the link after boot, whichever stream
/// sends it.
pub fn encode_stream_hello_after_delimiter<'b, T: Schema + MaxSize + ?Sized>(
    fields: &HelloFields,
    desc: &StreamDesc,
    buf: &'b mut [u8],
) -> Result<&'b [u8], EncodeError> {
    let (lead, rest) = buf.split_first_mut().ok_or(EncodeError::BufferTooSmall {
        needed: max_hello_len::<T>(),
    })?;
    *lead = 0;
    let len = encode_stream_hello::<T>(fields, desc, rest)
        .map_err(|e| match e {
            EncodeError::BufferTooSmall { needed } => {
                EncodeError::BufferTooSmall { needed: needed + 1 }
            }
            other => other,
        })?
        .len();
    Ok(&buf[..=len])
}
