//! The firmware side: encode data and hello frames into a caller-provided buffer, without
//! allocating. A frame on the wire is `COBS(header, fields, value, crc16) 0x00`.
//!
//! [`encode_data`] writes a full data frame, [`encode_compact`] a compact one (value only) and
//! [`encode_hello`] a hello; [`StreamEncoder`] decides, frame by frame, which data frame the
//! format allows (WIRE.md, section 4) and keeps the counters a full frame needs.

use core::fmt;

use postcard::experimental::max_size::MaxSize;
use postcard_schema::Schema;
use serde::Serialize;

use crate::checksum::{CHECKSUM_LEN, crc16};
use crate::cobs;
use crate::frame::{COMPACT_BIT, FORMAT_VERSION, HELLO_HEADER, MAGIC, boot_tag, seq_bits};
use crate::seq;
use crate::varint::{self, VARINT_MAX};

/// The worst-case raw (pre-COBS) length of a data frame whose value takes `value_max` bytes.
/// (A full frame with all four varints at their longest: the worst case of both kinds.)
const fn data_raw_max(value_max: usize) -> usize {
    1 + 4 * VARINT_MAX + value_max + CHECKSUM_LEN
}

/// The buffer size [`encode_data`] needs for a value of at most `value_max` postcard bytes:
/// header, fields, value, checksum, COBS overhead and the `0x00` delimiter.
///
/// ```
/// use ph_eventing_wire::encode::max_frame_len_for;
/// assert_eq!(max_frame_len_for(5), 30);
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
/// assert_eq!(buf.len(), 30);
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

/// Encodes one full data frame into `buf` and returns the bytes to send (delimiter included).
///
/// `ring_drops` is the sender's running count of ring drops among sequence numbers before `seq`;
/// `skipped`/`dropped` relate the frame to the previous one written (WIRE.md, section 3).
/// [`StreamEncoder`] (and [`Drainer`](crate::drain::Drainer)) keep all of it for you. A buffer of
/// [`max_frame_len::<T>()`](max_frame_len) bytes always suffices.
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
    encode_data_frame(boot_tag(boot_id), Some(fields), value, buf)
}

/// Encodes one compact data frame (header, value, checksum: no counters) into `buf`.
///
/// It means "the previous data frame's `seq` + 1, same ring drops"; only send it where the
/// format allows (WIRE.md, section 4), which [`StreamEncoder`] decides for you. `seq` is the
/// item's own sequence number: its low 6 bits go into the header byte, so that the host can
/// tell when frames vanished before this one. The frame carries no boot tag.
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
    encode_data_frame(seq_bits(seq) | COMPACT_BIT, None, value, buf)
}

/// `header` is the whole header byte; `fields` are present for a full frame.
fn encode_data_frame<'b, T: Serialize + ?Sized>(
    header: u8,
    fields: Option<&DataFields>,
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
    let mut w = Writer {
        out: body,
        at: 0,
        too_small,
    };
    match fields {
        None => w.bytes(&[header])?,
        Some(f) => {
            w.bytes(&[header])?;
            w.varint(f.seq)?;
            w.varint(f.ring_drops)?;
            w.varint(f.skipped)?;
            if f.skipped != 0 {
                w.varint(f.dropped)?;
            }
        }
    }
    let at = w.at;
    let value_out = w.out.get_mut(at..).ok_or(too_small)?;
    if value_out.len() < value_len {
        return Err(too_small);
    }
    let at = at
        + postcard::to_slice(value, value_out)
            .map_err(|_| EncodeError::Serialize)?
            .len();
    finish(buf, start, start + at, needed)
}

/// Default number of data frames per anchor interval: a full frame, then up to 15 compact ones.
pub const DEFAULT_ANCHOR_EVERY: u32 = 16;

/// What [`StreamEncoder::data`] sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sent {
    /// Bytes handed to the sink.
    pub bytes: usize,
    /// It was a compact frame (value only).
    pub compact: bool,
    /// The sink reported the whole frame written.
    pub written: bool,
}

/// The sender's side of one boot's stream: chooses a compact frame whenever the format allows
/// and a full frame otherwise, and keeps what a full frame's `skipped`/`dropped` refer to.
///
/// A compact frame is sent iff the previous frame handed to the sink was a data frame of
/// sequence number `seq − 1` with the same ring drops, the sink wrote it completely, no hello
/// came in between, and fewer than `anchor_every − 1` compact frames followed the last full
/// one. [`Drainer`](crate::drain::Drainer) uses one; use it directly to frame items that do not
/// come from a ring. The sink returns `true` when it wrote the whole frame.
///
/// ```
/// use ph_eventing_wire::encode::StreamEncoder;
///
/// let mut enc = StreamEncoder::new(0x2A);
/// let mut buf = [0u8; 64];
/// let mut wire = Vec::new();
/// let mut sink = |f: &[u8]| { wire.extend_from_slice(f); true };
/// enc.hello::<u32>(1, 0, &mut buf, &mut sink).unwrap();
/// assert!(!enc.data(1, 0, &10u32, &mut buf, &mut sink).unwrap().compact);
/// assert!(enc.data(2, 0, &20u32, &mut buf, &mut sink).unwrap().compact);
/// // The sink refuses seq 3 (say, an RTT buffer is full): seq 4 must be a full frame.
/// enc.data(3, 0, &30u32, &mut buf, &mut |_: &[u8]| false).unwrap();
/// assert!(!enc.data(4, 0, &40u32, &mut buf, &mut sink).unwrap().compact);
/// ```
#[derive(Clone, Debug)]
pub struct StreamEncoder {
    boot_id: u32,
    anchor_every: u32,
    /// The checkpoint a full frame's `skipped`/`dropped` refer to: the sequence number after the
    /// last data frame written completely (or the last written hello's `next_seq`) and the ring
    /// drops before it. `None` before anything was written.
    checkpoint: Option<(u32, u32)>,
    /// The previous frame handed to the sink was a data frame, written completely:
    /// `(seq, ring_drops)`. `None` after a hello, a refused frame, or at the start.
    chained: Option<(u32, u32)>,
    /// Compact frames since the last full frame.
    compact_run: u32,
}

impl StreamEncoder {
    /// An encoder for the boot `boot_id`, with [`DEFAULT_ANCHOR_EVERY`].
    pub const fn new(boot_id: u32) -> Self {
        Self {
            boot_id,
            anchor_every: DEFAULT_ANCHOR_EVERY,
            checkpoint: None,
            chained: None,
            compact_run: 0,
        }
    }

    /// At most `k` data frames per full frame: a full one, then up to `k − 1` compact ones.
    /// `1` (or `0`) makes every data frame full.
    pub const fn with_anchor_every(mut self, k: u32) -> Self {
        self.anchor_every = if k == 0 { 1 } else { k };
        self
    }

    /// The boot id.
    pub const fn boot_id(&self) -> u32 {
        self.boot_id
    }

    /// The configured anchor interval.
    pub const fn anchor_every(&self) -> u32 {
        self.anchor_every
    }

    /// The full-frame fields `seq` would get now.
    const fn fields(&self, seq: u32, ring_drops: u32) -> DataFields {
        match self.checkpoint {
            Some((expected, drops)) => DataFields::after(expected, drops, seq, ring_drops),
            None => DataFields::contiguous(seq, ring_drops),
        }
    }

    /// Encodes the item `seq` (with `ring_drops` drops before it) as the frame the format allows
    /// and hands it to `sink`. On an encoding error nothing is sent and the next frame is full.
    pub fn data<T>(
        &mut self,
        seq: u32,
        ring_drops: u32,
        value: &T,
        buf: &mut [u8],
        sink: &mut impl FnMut(&[u8]) -> bool,
    ) -> Result<Sent, EncodeError>
    where
        T: Serialize + ?Sized,
    {
        let compact = self.compact_run.saturating_add(1) < self.anchor_every
            && matches!(self.chained, Some((s, d)) if seq::next(s) == seq && d == ring_drops);
        let frame = if compact {
            encode_compact(seq, value, buf)
        } else {
            encode_data(self.boot_id, &self.fields(seq, ring_drops), value, buf)
        };
        let frame = match frame {
            Ok(frame) => frame,
            Err(e) => {
                self.chained = None;
                return Err(e);
            }
        };
        let written = sink(frame);
        if written {
            self.compact_run = if compact { self.compact_run + 1 } else { 0 };
            self.chained = Some((seq, ring_drops));
            self.checkpoint = Some((seq::next(seq), ring_drops));
        } else {
            self.chained = None;
        }
        Ok(Sent {
            bytes: frame.len(),
            compact,
            written,
        })
    }

    /// Encodes `T`'s hello with these counters and hands it to `sink`. The next data frame is
    /// full whether or not the sink wrote the hello.
    pub fn hello<T>(
        &mut self,
        next_seq: u32,
        ring_drops: u32,
        buf: &mut [u8],
        sink: &mut impl FnMut(&[u8]) -> bool,
    ) -> Result<Sent, EncodeError>
    where
        T: Schema + MaxSize + ?Sized,
    {
        let fields = HelloFields {
            boot_id: self.boot_id,
            next_seq,
            ring_drops,
        };
        let frame = encode_hello::<T>(&fields, buf)?;
        self.chained = None;
        let written = sink(frame);
        if written {
            self.checkpoint = Some((next_seq, ring_drops));
        }
        Ok(Sent {
            bytes: frame.len(),
            compact: false,
            written,
        })
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
