//! Frame layout: the header byte, the data frame and the hello frame, and parsing a frame
//! once its COBS layer has been removed. `WIRE.md` describes every byte.

use core::fmt;

use crate::checksum::{CHECKSUM_LEN, intact};
use crate::stream::{MAX_STREAM_NAME, MAX_STREAMS, STREAM_ID_MASK, STREAM_PREFIX, StreamKind};
use crate::varint;

/// The format version this crate writes (the hello's version byte).
pub const FORMAT_VERSION: u8 = 3;

/// The oldest format version this crate reads: version 2 streams (one stream, no prefix bytes,
/// hellos without the stream fields) decode as stream 0.
pub const OLDEST_READ_VERSION: u8 = 2;

/// The four magic bytes right after a hello's header byte.
pub const MAGIC: [u8; 4] = *b"phEv";

/// Header bit 7: set for control frames (hello, …) and stream prefixes, clear for data frames.
pub const CONTROL_BIT: u8 = 0x80;

/// Header bit 6 of a data frame: set for a compact frame (value only), clear for a full frame.
pub const COMPACT_BIT: u8 = 0x40;

/// The bits of a full data frame's header byte that carry the boot tag.
pub const BOOT_TAG_MASK: u8 = 0x3F;

/// The bits of a compact data frame's header byte that carry the low bits of its sequence number.
pub const SEQ_BITS_MASK: u8 = 0x3F;

/// Header byte of a hello frame.
pub const HELLO_HEADER: u8 = CONTROL_BIT | 0x01;

/// The boot tag a full data frame's header byte carries: the low 6 bits of the boot id.
///
/// ```
/// assert_eq!(ph_eventing_wire::frame::boot_tag(0x1234_56C5), 0x05);
/// ```
#[inline]
pub const fn boot_tag(boot_id: u32) -> u8 {
    (boot_id as u8) & BOOT_TAG_MASK
}

/// The sequence bits a compact data frame's header byte carries: the low 6 bits of its `seq`.
///
/// ```
/// assert_eq!(ph_eventing_wire::frame::seq_bits(1001), 41);
/// ```
#[inline]
pub const fn seq_bits(seq: u32) -> u8 {
    (seq as u8) & SEQ_BITS_MASK
}

/// One decoded frame, borrowing the decoder's buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frame<'a> {
    /// One ring item in a full frame: its sequence number and counters are on the wire.
    Data(DataFrame<'a>),
    /// One ring item in a compact frame: only the value and the low 6 bits of its sequence
    /// number are on the wire; its sequence number follows from the previous data frame (see
    /// [`chain`](crate#map-of-the-crate) and WIRE.md).
    Compact(CompactFrame<'a>),
    /// Stream description, sent at boot and periodically.
    Hello(Hello<'a>),
}

/// One ring item with its place in the stream: its sequence number, the ring-drop counter and
/// the value's postcard bytes. A full frame carries all of it; a compact frame, once placed by
/// the host, becomes one of these too (with `skipped = dropped = 0`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataFrame<'a> {
    /// The stream it belongs to (`0..MAX_STREAMS`; 0 for a frame without a stream prefix).
    pub stream: u8,
    /// Low 6 bits of the sender's boot id (tells a target reset from a sequence wrap). For a
    /// placed compact frame, the tag of the frame it was placed from (the previous data frame,
    /// or the full frame that placed it backwards).
    pub boot_tag: u8,
    /// The item's ring sequence number (`1..=u32::MAX`).
    pub seq: u32,
    /// Items the ring overwrote, since boot, among all sequence numbers before `seq`
    /// (wrapping `u32`). The difference between two frames is exact however many frames were lost
    /// in between.
    pub ring_drops: u32,
    /// Sequence numbers between the previous data frame the sender wrote in this boot (or its
    /// last hello's `next_seq`) and this one; `0` when they are contiguous.
    pub skipped: u32,
    /// How many of the `skipped` sequence numbers the ring dropped (`0` when `skipped` is `0`);
    /// the others were lost on the link.
    pub dropped: u32,
    /// The value, postcard-encoded (decode it with the type, or with the hello's schema).
    pub value: &'a [u8],
}

/// A compact data frame as parsed on its own: the low 6 bits of its sequence number and the
/// value. Its sequence number is the previous data frame's plus one, which only a
/// [`Chain`](crate#map-of-the-crate) can tell; the bits let it check that no frame vanished in
/// between. A compact frame carries no boot tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompactFrame<'a> {
    /// The stream it belongs to (0 for a frame without a stream prefix).
    pub stream: u8,
    /// `seq & 0x3F` of the item (see [`seq_bits`]).
    pub seq_bits: u8,
    /// The value, postcard-encoded.
    pub value: &'a [u8],
}

/// The stream description: who is talking, where its counters stand, and the value's schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hello<'a> {
    /// Format version ([`FORMAT_VERSION`]).
    pub version: u8,
    /// The sender's per-boot id (new on every boot).
    pub boot_id: u32,
    /// The sequence number of the next data frame the sender will write if nothing is dropped.
    pub next_seq: u32,
    /// Ring drops since boot among all sequence numbers before `next_seq` (wrapping `u32`).
    pub ring_drops: u32,
    /// Worst-case postcard size of one value.
    pub value_max_size: u32,
    /// The value type's `postcard_schema::schema::NamedType`, postcard-encoded.
    pub schema: &'a [u8],
    /// The stream it describes (0 in a version 2 hello).
    pub stream: u8,
    /// How many streams the link carries (1 in a version 2 hello).
    pub streams: u8,
    /// What the stream's gaps mean (a ring in a version 2 hello).
    pub kind: StreamKind,
    /// The stream's name, empty for none (always in a version 2 hello).
    pub name: &'a str,
}

impl Frame<'_> {
    /// The stream the frame belongs to.
    ///
    /// ```
    /// use ph_eventing_wire::frame::{CompactFrame, Frame};
    /// let f = Frame::Compact(CompactFrame { stream: 2, seq_bits: 5, value: &[1] });
    /// assert_eq!(f.stream(), 2);
    /// ```
    pub const fn stream(&self) -> u8 {
        match self {
            Self::Data(d) => d.stream,
            Self::Compact(c) => c.stream,
            Self::Hello(h) => h.stream,
        }
    }
}

/// Why a frame was rejected. The decoder counts each kind in
/// [`DecoderStats`](crate::decoder::DecoderStats) and carries on with the next frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameError {
    /// Bytes before the first delimiter that do not form a valid frame: the reader started in the
    /// middle of a frame. Not counted as corruption.
    LeadingGarbage {
        /// Bytes skipped.
        len: usize,
    },
    /// The COBS layer is broken (a block runs past the delimiter).
    Cobs,
    /// The checksum does not match: bytes were flipped or lost on the link.
    Checksum,
    /// Shorter than a header byte and a checksum.
    TooShort,
    /// Longer than the decoder's frame limit; skipped up to the next delimiter.
    Oversized {
        /// Bytes seen before the delimiter (encoded).
        len: usize,
    },
    /// Checksum fine but the fields do not parse.
    Malformed,
    /// Checksum fine but a hello without the magic bytes.
    BadMagic,
    /// A hello of a format version this crate does not read.
    UnsupportedVersion(u8),
    /// A control frame kind this version does not know (from a newer sender); skipped.
    UnknownKind(u8),
}

/// What kind of trouble a [`FrameError`] is, as host tools group them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FrameErrorKind {
    /// The reader joined the stream mid-frame ([`FrameError::LeadingGarbage`]): normal for a
    /// live stream, not a loss.
    LeadingGarbage,
    /// The bytes were damaged (COBS, checksum, length, fields, magic): counted as corrupt in
    /// [`DecoderStats::corrupt`](crate::decoder::DecoderStats::corrupt).
    Corrupt,
    /// An intact frame this decoder cannot read (a newer sender's version or kind): counted in
    /// [`DecoderStats::unsupported`](crate::decoder::DecoderStats::unsupported).
    Unsupported,
}

impl FrameError {
    /// The group this error counts in.
    ///
    /// ```
    /// use ph_eventing_wire::frame::{FrameError, FrameErrorKind};
    /// assert_eq!(FrameError::Checksum.kind(), FrameErrorKind::Corrupt);
    /// assert_eq!(FrameError::UnknownKind(9).kind(), FrameErrorKind::Unsupported);
    /// ```
    pub const fn kind(&self) -> FrameErrorKind {
        match self {
            Self::LeadingGarbage { .. } => FrameErrorKind::LeadingGarbage,
            Self::Cobs
            | Self::Checksum
            | Self::TooShort
            | Self::Oversized { .. }
            | Self::Malformed
            | Self::BadMagic => FrameErrorKind::Corrupt,
            Self::UnsupportedVersion(_) | Self::UnknownKind(_) => FrameErrorKind::Unsupported,
        }
    }

    /// What went wrong, without the "corrupt frame: " that [`Display`](fmt::Display) puts
    /// before plain damage, for a tool that names the [`kind`](Self::kind) itself.
    ///
    /// ```
    /// use ph_eventing_wire::frame::FrameError;
    /// assert_eq!(FrameError::Checksum.to_string(), "corrupt frame: checksum mismatch");
    /// assert_eq!(FrameError::Checksum.reason().to_string(), "checksum mismatch");
    /// ```
    pub const fn reason(&self) -> impl fmt::Display + '_ {
        Reason(self)
    }
}

/// [`FrameError::reason`].
struct Reason<'a>(&'a FrameError);

impl fmt::Display for Reason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            FrameError::LeadingGarbage { len } => {
                write!(f, "skipped {len} bytes before the first frame boundary")
            }
            FrameError::Cobs => f.write_str("broken COBS framing"),
            FrameError::Checksum => f.write_str("checksum mismatch"),
            FrameError::TooShort => f.write_str("too short"),
            FrameError::Oversized { len } => write!(
                f,
                "frame of {len}+ bytes exceeds the decoder's limit; raise it if the sender's values are that large"
            ),
            FrameError::Malformed => f.write_str("fields do not parse"),
            FrameError::BadMagic => {
                f.write_str("hello frame without the ph-eventing magic: is this the right stream?")
            }
            FrameError::UnsupportedVersion(v) => write!(
                f,
                "hello of wire format version {v}; this decoder reads versions {OLDEST_READ_VERSION} to {FORMAT_VERSION}: upgrade ph-eventing-wire"
            ),
            FrameError::UnknownKind(k) => write!(
                f,
                "unknown control frame kind 0x{k:02x} (newer sender?); skipped"
            ),
        }
    }
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if matches!(
            self,
            Self::Cobs | Self::Checksum | Self::TooShort | Self::Malformed
        ) {
            f.write_str("corrupt frame: ")?;
        }
        self.reason().fmt(f)
    }
}

impl core::error::Error for FrameError {}

/// Parses one frame with its COBS layer already removed (header, fields, checksum).
///
/// ```
/// use ph_eventing_wire::frame::{parse_frame, Frame};
///
/// use ph_eventing_wire::encode::{encode_data, DataFields};
///
/// let mut buf = [0u8; 32];
/// let wire = encode_data(7, &DataFields::contiguous(300, 0), &42u32, &mut buf).unwrap();
/// // Undo COBS by hand for this small frame: see `FrameDecoder` for the real thing.
/// let mut raw = [0u8; 32];
/// let n = ph_eventing_wire::decoder::decode_one(wire, &mut raw).unwrap();
/// let Frame::Data(d) = parse_frame(&raw[..n]).unwrap() else { panic!() };
/// assert_eq!((d.seq, d.ring_drops, d.value), (300, 0, &[42][..]));
/// ```
// Inlined into the decoder's (generic, so instantiated in the user's crate) frame loop, its
// one caller: its result then stays in registers, where returned through memory its wide
// reloads of fields just stored one by one wait for those stores (the hello's parsing, rare
// and long, stays a call).
#[inline(always)]
pub fn parse_frame(raw: &[u8]) -> Result<Frame<'_>, FrameError> {
    if raw.len() < 1 + CHECKSUM_LEN {
        return Err(FrameError::TooShort);
    }
    if !intact(raw) {
        return Err(FrameError::Checksum);
    }
    let body = &raw[..raw.len() - CHECKSUM_LEN];
    // A stream prefix (`11kkkkkk`, k ≥ 1) in front of a data frame of stream k.
    let (stream, body) = if body[0] & STREAM_PREFIX == STREAM_PREFIX {
        let stream = body[0] & STREAM_ID_MASK;
        match body.get(1) {
            Some(header) if stream != 0 && header & CONTROL_BIT == 0 => (stream, &body[1..]),
            _ => return Err(FrameError::Malformed),
        }
    } else {
        (0, body)
    };
    let header = body[0];
    let rest = &body[1..];
    if header & CONTROL_BIT == 0 {
        if header & COMPACT_BIT != 0 {
            return Ok(Frame::Compact(CompactFrame {
                stream,
                seq_bits: header & SEQ_BITS_MASK,
                value: rest,
            }));
        }
        let boot_tag = header & BOOT_TAG_MASK;
        let (seq, rest) = varint::read_u32(rest).ok_or(FrameError::Malformed)?;
        let (ring_drops, rest) = varint::read_u32(rest).ok_or(FrameError::Malformed)?;
        let (skipped, rest) = varint::read_u32(rest).ok_or(FrameError::Malformed)?;
        let (dropped, value) = if skipped == 0 {
            (0, rest)
        } else {
            varint::read_u32(rest).ok_or(FrameError::Malformed)?
        };
        // `dropped` counts some of the `skipped` numbers: more is a contradiction in itself.
        if seq == 0 || dropped > skipped {
            return Err(FrameError::Malformed);
        }
        return Ok(Frame::Data(DataFrame {
            stream,
            boot_tag,
            seq,
            ring_drops,
            skipped,
            dropped,
            value,
        }));
    }
    if header != HELLO_HEADER {
        return Err(FrameError::UnknownKind(header));
    }
    parse_hello(rest).map(Frame::Hello)
}

#[inline(never)]
fn parse_hello(rest: &[u8]) -> Result<Hello<'_>, FrameError> {
    let (magic, rest) = rest.split_first_chunk::<4>().ok_or(FrameError::Malformed)?;
    if *magic != MAGIC {
        return Err(FrameError::BadMagic);
    }
    let (&version, rest) = rest.split_first().ok_or(FrameError::Malformed)?;
    if !(OLDEST_READ_VERSION..=FORMAT_VERSION).contains(&version) {
        return Err(FrameError::UnsupportedVersion(version));
    }
    let (boot_id, rest) = rest.split_first_chunk::<4>().ok_or(FrameError::Malformed)?;
    let (next_seq, rest) = varint::read_u32(rest).ok_or(FrameError::Malformed)?;
    let (ring_drops, rest) = varint::read_u32(rest).ok_or(FrameError::Malformed)?;
    let (value_max_size, rest) = varint::read_u32(rest).ok_or(FrameError::Malformed)?;
    let (schema_len, rest) = varint::read_u32(rest).ok_or(FrameError::Malformed)?;
    let schema = rest
        .get(..schema_len as usize)
        .ok_or(FrameError::Malformed)?;
    if next_seq == 0 {
        return Err(FrameError::Malformed);
    }
    let rest = &rest[schema.len()..];
    let mut hello = Hello {
        version,
        boot_id: u32::from_le_bytes(*boot_id),
        next_seq,
        ring_drops,
        value_max_size,
        schema,
        stream: 0,
        streams: 1,
        kind: StreamKind::Ring,
        name: "",
    };
    if version >= 3 {
        // The stream: id, count, kind, name (WIRE.md, section 5).
        let (&[stream, streams, kind, name_len], rest) =
            rest.split_first_chunk::<4>().ok_or(FrameError::Malformed)?;
        let name = rest
            .get(..usize::from(name_len))
            .and_then(|name| core::str::from_utf8(name).ok())
            .ok_or(FrameError::Malformed)?;
        if usize::from(streams) > MAX_STREAMS
            || stream >= streams
            || usize::from(name_len) > MAX_STREAM_NAME
        {
            return Err(FrameError::Malformed);
        }
        hello.stream = stream;
        hello.streams = streams;
        hello.kind = StreamKind::from_byte(kind).ok_or(FrameError::Malformed)?;
        hello.name = name;
    }
    // Bytes after these are extensions from a newer minor revision: ignored.
    Ok(hello)
}
