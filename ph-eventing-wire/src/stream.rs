//! Streams: several rings and queues on one link. Each is a *stream* with a small id, a name, a
//! kind and its own value type; its frames carry the id (WIRE.md, section 2), and its hello
//! announces the rest (section 5). Everything else — sequence numbers, counters, the choice of
//! compact frames — is per stream, as if each had the link to itself.

use core::fmt;

/// The number of stream ids, `0..MAX_STREAMS`: stream 0's data frames carry no prefix byte;
/// streams `1..=63` cost one byte per frame.
pub const MAX_STREAMS: usize = 64;

/// The longest stream name a hello carries, in bytes of UTF-8.
pub const MAX_STREAM_NAME: usize = 32;

/// What the sequence gaps of a stream mean: the source it drains.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamKind {
    /// An overwriting ring (`ph_eventing::SeqRing`): the newest items win; a gap the target
    /// counted is a *ring drop*.
    #[default]
    Ring,
    /// A lossless queue (`ph_eventing::EventQueue`): an accepted item is never lost on the
    /// target; a gap the target counted is a *refusal* (the producer was turned away because
    /// the queue was full).
    Queue,
}

impl StreamKind {
    /// The kind's byte in a hello.
    pub const fn to_byte(self) -> u8 {
        match self {
            Self::Ring => 0,
            Self::Queue => 1,
        }
    }

    /// The kind of a hello's byte, `None` for a byte this version does not define.
    ///
    /// ```
    /// use ph_eventing_wire::stream::StreamKind;
    /// assert_eq!(StreamKind::from_byte(1), Some(StreamKind::Queue));
    /// assert_eq!(StreamKind::from_byte(7), None);
    /// ```
    pub const fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            0 => Some(Self::Ring),
            1 => Some(Self::Queue),
            _ => None,
        }
    }

    /// Whether an item accepted by the source is never lost on the target.
    pub const fn is_lossless(self) -> bool {
        matches!(self, Self::Queue)
    }
}

impl fmt::Display for StreamKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Ring => "ring",
            Self::Queue => "queue",
        })
    }
}

/// How a stream describes itself in its hello: its id, how many streams the link carries, its
/// kind and its name.
///
/// ```
/// use ph_eventing_wire::stream::{StreamDesc, StreamKind};
///
/// const FAULTS: StreamDesc = StreamDesc::new(2, "faults").with_kind(StreamKind::Queue).of(3);
/// assert_eq!((FAULTS.id, FAULTS.streams, FAULTS.name), (2, 3, "faults"));
/// assert!(FAULTS.check().is_ok());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamDesc {
    /// The stream's id, `0..MAX_STREAMS`.
    pub id: u8,
    /// How many streams the link carries (ids `0..streams`), so that a host can tell one it has
    /// not heard from yet.
    pub streams: u8,
    /// What its gaps mean.
    pub kind: StreamKind,
    /// Its name (at most [`MAX_STREAM_NAME`] bytes; empty for none).
    pub name: &'static str,
}

impl StreamDesc {
    /// The one stream of a link that has only one: id 0, no name, a ring.
    pub const SINGLE: Self = Self::new(0, "");

    /// Stream `id` named `name`, a ring, alone on its link until [`of`](Self::of) says more.
    pub const fn new(id: u8, name: &'static str) -> Self {
        Self {
            id,
            streams: id.saturating_add(1),
            kind: StreamKind::Ring,
            name,
        }
    }

    /// With this kind.
    pub const fn with_kind(mut self, kind: StreamKind) -> Self {
        self.kind = kind;
        self
    }

    /// On a link of `streams` streams.
    pub const fn of(mut self, streams: u8) -> Self {
        self.streams = streams;
        self
    }

    /// Whether a hello can carry it: the id below [`MAX_STREAMS`] and below `streams`, the name
    /// at most [`MAX_STREAM_NAME`] bytes.
    pub const fn check(&self) -> Result<(), StreamDescError> {
        if self.id as usize >= MAX_STREAMS || self.streams as usize > MAX_STREAMS {
            return Err(StreamDescError::IdTooLarge);
        }
        if self.id >= self.streams {
            return Err(StreamDescError::IdNotBelowStreams);
        }
        if self.name.len() > MAX_STREAM_NAME {
            return Err(StreamDescError::NameTooLong);
        }
        Ok(())
    }
}

/// Why a [`StreamDesc`] cannot be sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamDescError {
    /// The id or the stream count is above [`MAX_STREAMS`].
    IdTooLarge,
    /// The id is not below the number of streams.
    IdNotBelowStreams,
    /// The name is longer than [`MAX_STREAM_NAME`] bytes.
    NameTooLong,
}

impl fmt::Display for StreamDescError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::IdTooLarge => write!(f, "stream ids run from 0 to {}", MAX_STREAMS - 1),
            Self::IdNotBelowStreams => f.write_str("a stream's id must be below the stream count"),
            Self::NameTooLong => write!(f, "stream names are at most {MAX_STREAM_NAME} bytes"),
        }
    }
}

/// The byte in front of a data frame of stream `id` (`1..MAX_STREAMS`): `11` and the id in the
/// low 6 bits. Stream 0's frames have none.
///
/// ```
/// assert_eq!(ph_eventing_wire::stream::prefix(2), 0xC2);
/// ```
pub const fn prefix(id: u8) -> u8 {
    STREAM_PREFIX | (id & STREAM_ID_MASK)
}

/// The top two bits of a stream prefix byte.
pub const STREAM_PREFIX: u8 = 0xC0;

/// The bits of a stream prefix byte that carry the stream id.
pub const STREAM_ID_MASK: u8 = 0x3F;
