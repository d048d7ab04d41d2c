//! The ph-tap capture format: every channel's bytes exactly as the source delivered them, in
//! arrival order, each chunk tagged with its channel and its arrival time, behind a channel
//! table that says what each channel carries. `docs/CAPTURE.md` in the repository is the
//! format, byte by byte; this module implements it.
//!
//! - [`CaptureWriter`] writes one (`--save`, through [`SaveSink`](crate::sink::SaveSink), when
//!   the source has more than one channel or its one channel is not telemetry).
//! - [`CaptureReader`] reads one back as [`Entry`]s; [`CaptureSource`](crate::source::CaptureSource)
//!   replays it through the pipeline (`ph-tap decode`).
//! - [`channel_bytes`] gives one channel's stream out of a capture, as a raw capture of it
//!   alone would hold it.
//! - [`is_capture`] tells a capture from a raw capture (a bare ph-eventing byte stream, what
//!   `--save` writes for a single telemetry channel) by its first bytes.
//!
//! ```
//! use std::time::Duration;
//! use ph_tap::capture::{CaptureReader, CaptureWriter, Entry};
//! use ph_tap::channel::{Channel, ChannelKind};
//!
//! let channels = [
//!     Channel { id: 0, name: Some("defmt".into()), kind: ChannelKind::Defmt },
//!     Channel { id: 1, name: Some("ph-eventing".into()), kind: ChannelKind::PhEventing },
//! ];
//! let mut writer = CaptureWriter::new(Vec::new(), &channels)?;
//! writer.chunk(1, Duration::from_micros(1500), b"\x03\x2a\x01")?;
//! writer.chunk(0, Duration::from_micros(2000), b"\x01\x02")?;
//! let file = writer.into_inner();
//! assert!(ph_tap::capture::is_capture(&file));
//!
//! let mut reader = CaptureReader::new(&file[..], "example")?;
//! assert_eq!(reader.read_entry()?, Some(Entry::Channel(channels[0].clone())));
//! assert_eq!(reader.read_entry()?, Some(Entry::Channel(channels[1].clone())));
//! assert_eq!(
//!     reader.read_entry()?,
//!     Some(Entry::Chunk { channel: 1, at: Duration::from_micros(1500), data: b"\x03\x2a\x01".to_vec() })
//! );
//! assert!(matches!(reader.read_entry()?, Some(Entry::Chunk { channel: 0, .. })));
//! assert_eq!(reader.read_entry()?, None);
//! # Ok::<(), anyhow::Error>(())
//! ```

mod read;
mod write;

pub use read::{CaptureReader, Entry};
pub use write::CaptureWriter;

use std::io::{self, ErrorKind, Read};

use crate::record::ChannelId;

/// The first 8 bytes of every capture: `00 FF 'p' 'h' 't' 'a' 'p' 00`.
///
/// No ph-eventing stream starts with them: after its first `0x00`, a ph-eventing stream holds
/// a COBS frame, and a COBS block with code `0xFF` is followed by 254 non-zero bytes, never by
/// a `0x00` after 5 (see `docs/CAPTURE.md`, "Telling a capture from a raw capture").
pub const MAGIC: [u8; 8] = [0x00, 0xFF, b'p', b'h', b't', b'a', b'p', 0x00];

/// The format version this ph-tap writes and reads (the byte after [`MAGIC`]).
pub const VERSION: u8 = 1;

/// The longest record body a writer writes and a reader accepts (1 MiB); longer chunks are
/// written as several records.
pub const MAX_RECORD: usize = 1 << 20;

/// Record types (the first byte of a record). `0x01..=0x7F` must be understood by a reader;
/// `0x80..=0xFF` may be skipped; `0x00` is never a record.
pub(crate) mod record {
    /// A channel declaration: id, kind, name.
    pub const CHANNEL: u8 = 0x01;
    /// Bytes of one channel: channel, time, data.
    pub const CHUNK: u8 = 0x02;
    /// Something that happened to the source: time, event kind, fields.
    pub const EVENT: u8 = 0x03;
    /// The end of the run: time.
    pub const END: u8 = 0x04;
    /// The first type a reader may skip.
    pub const SKIPPABLE: u8 = 0x80;
}

/// Event kinds (the byte after an event record's time).
pub(crate) mod event {
    /// `SourceEvent::Lost`: what, reason.
    pub const LOST: u8 = 1;
    /// `SourceEvent::Back`: what, away in nanoseconds.
    pub const BACK: u8 = 2;
    /// `SourceEvent::Reattached`: the control block's address.
    pub const REATTACHED: u8 = 3;
}

/// Whether an input that starts with `start` is a capture (else it is a raw capture, a bare
/// ph-eventing byte stream): it starts with [`MAGIC`]. `start` is what [`read_start`] read: the
/// first 8 bytes, or fewer when the input is shorter; an input of 2 to 7 bytes that are the
/// start of [`MAGIC`] is a capture cut short inside its magic (a reader says so).
///
/// ```
/// use ph_tap::capture::{MAGIC, is_capture};
/// assert!(is_capture(&MAGIC));
/// assert!(is_capture(&[0x00, 0xFF, b'p']));
/// // A raw capture: the boot delimiter, then a hello frame.
/// assert!(!is_capture(&[0x00, 0x0C, 0x81, 0x70, 0x68, 0x45, 0x76, 0x02]));
/// assert!(!is_capture(&[0x00]));
/// assert!(!is_capture(b""));
/// ```
pub fn is_capture(start: &[u8]) -> bool {
    if start.len() >= MAGIC.len() {
        start[..MAGIC.len()] == MAGIC
    } else {
        start.len() >= 2 && MAGIC.starts_with(start)
    }
}

/// Reads the first bytes of `reader` to tell what it is ([`is_capture`]): up to the first byte
/// that differs from [`MAGIC`], at most 8, fewer at the end of the input. Nothing more is read,
/// so a raw stream on a pipe is not held up; [`PutBack`] gives the bytes back.
///
/// ```
/// use ph_tap::capture::read_start;
/// let mut raw = &b"\x00\x0c\x81phEv"[..];
/// assert_eq!(read_start(&mut raw)?, [0x00, 0x0c]);
/// assert_eq!(raw, b"\x81phEv");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn read_start<R: Read>(reader: &mut R) -> io::Result<Vec<u8>> {
    let mut start = Vec::with_capacity(MAGIC.len());
    while start.len() < MAGIC.len() {
        let mut byte = [0u8; 1];
        match reader.read(&mut byte) {
            Ok(0) => break,
            Ok(_) => {
                start.push(byte[0]);
                if byte[0] != MAGIC[start.len() - 1] {
                    break;
                }
            }
            Err(err) if err.kind() == ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(start)
}

/// A reader that gives `start` (bytes already read from `reader`) again, then the rest of
/// `reader`. Its first read returns `start` and, in the same call, as much as one read of
/// `reader` gives, so a file is read in the same chunks as if nothing had been read first.
///
/// ```
/// use std::io::Read;
/// use ph_tap::capture::{PutBack, read_start};
/// let mut input = &b"\x00\x0c\x81phEv"[..];
/// let start = read_start(&mut input)?;
/// let mut whole = Vec::new();
/// PutBack::new(start, input).read_to_end(&mut whole)?;
/// assert_eq!(whole, b"\x00\x0c\x81phEv");
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct PutBack<R> {
    start: Vec<u8>,
    given: usize,
    reader: R,
}

impl<R> PutBack<R> {
    /// `start`, then `reader`.
    pub fn new(start: Vec<u8>, reader: R) -> Self {
        Self {
            start,
            given: 0,
            reader,
        }
    }
}

impl<R: Read> Read for PutBack<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = &self.start[self.given..];
        if left.is_empty() {
            return self.reader.read(buf);
        }
        let n = left.len().min(buf.len());
        buf[..n].copy_from_slice(&left[..n]);
        self.given += n;
        if n == buf.len() || self.given < self.start.len() {
            return Ok(n);
        }
        // The rest of this read from the reader; an error comes again with the next read.
        match self.reader.read(&mut buf[n..]) {
            Ok(more) => Ok(n + more),
            Err(_) => Ok(n),
        }
    }
}

/// Every byte of `channel` in the capture read from `reader` (named `name` in messages), its
/// chunks in order: that channel's stream as it arrived, as a raw capture of it alone would
/// hold it (what ph-eventing tools read, for a telemetry channel; what `defmt-print` reads,
/// for a defmt channel). A capture cut short gives what came before the cut; a damaged one is
/// an error.
///
/// ```
/// use std::time::Duration;
/// use ph_tap::capture::{CaptureWriter, channel_bytes};
/// use ph_tap::channel::{Channel, ChannelKind};
///
/// let logs = Channel { id: 0, name: Some("defmt".into()), kind: ChannelKind::Defmt };
/// let telemetry = Channel { id: 1, ..Channel::telemetry() };
/// let mut writer = CaptureWriter::new(Vec::new(), &[logs, telemetry])?;
/// writer.chunk(1, Duration::from_millis(1), b"\x00\x03")?;
/// writer.chunk(0, Duration::from_millis(2), b"log")?;
/// writer.chunk(1, Duration::from_millis(3), b"\x2a\x01")?;
/// let file = writer.into_inner();
/// assert_eq!(channel_bytes(&file[..], "run.cap", 1)?, b"\x00\x03\x2a\x01");
/// assert_eq!(channel_bytes(&file[..], "run.cap", 0)?, b"log");
/// # Ok::<(), anyhow::Error>(())
/// ```
pub fn channel_bytes(reader: impl Read, name: &str, channel: ChannelId) -> anyhow::Result<Vec<u8>> {
    let mut reader = CaptureReader::new(reader, name)?;
    let mut bytes = Vec::new();
    while let Some(entry) = reader.read_entry()? {
        if let Entry::Chunk {
            channel: c, data, ..
        } = entry
            && c == channel
        {
            bytes.extend_from_slice(&data);
        }
    }
    Ok(bytes)
}

/// Appends `value` as a LEB128 varint (7 bits a byte, least significant first).
pub(crate) fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Appends a string: its length as a varint, then its UTF-8 bytes.
pub(crate) fn put_string(out: &mut Vec<u8>, text: &str) {
    put_varint(out, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_are_leb128() {
        let mut out = Vec::new();
        for v in [0, 1, 127, 128, 1500, 16_383, 16_384, u64::MAX] {
            put_varint(&mut out, v);
        }
        assert_eq!(
            out,
            [
                0x00, 0x01, 0x7F, 0x80, 0x01, 0xDC, 0x0B, 0xFF, 0x7F, 0x80, 0x80, 0x01, 0xFF, 0xFF,
                0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01
            ]
        );
    }

    #[test]
    fn put_back_gives_the_start_then_one_read_of_the_rest() {
        let mut reader = PutBack::new(vec![1, 2], &[3u8, 4, 5][..]);
        let mut buf = [0u8; 4];
        assert_eq!(reader.read(&mut buf).unwrap(), 4);
        assert_eq!(buf, [1, 2, 3, 4]);
        assert_eq!(reader.read(&mut buf).unwrap(), 1);
        assert_eq!(reader.read(&mut buf).unwrap(), 0);
        // A buffer smaller than the start.
        let mut reader = PutBack::new(vec![1, 2, 3], &[4u8][..]);
        let mut one = [0u8; 1];
        let got: Vec<u8> = (0..5)
            .map(|_| {
                let n = reader.read(&mut one).unwrap();
                if n == 0 { 0 } else { one[0] }
            })
            .collect();
        assert_eq!(got, [1, 2, 3, 4, 0]);
    }

    #[test]
    fn read_start_stops_at_the_first_difference() {
        let mut input = &b"\x00\xffphtXYZ"[..];
        assert_eq!(read_start(&mut input).unwrap(), b"\x00\xffphtX");
        assert_eq!(input, b"YZ");
        let mut input = &b"\x00\xffph"[..];
        assert_eq!(read_start(&mut input).unwrap(), b"\x00\xffph");
        let mut capture = &[&MAGIC[..], &[VERSION]].concat()[..];
        assert_eq!(read_start(&mut capture).unwrap(), MAGIC);
        assert_eq!(capture, [VERSION]);
    }
}
