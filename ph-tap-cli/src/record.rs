//! What ph-tap shows: one [`Record`] per decoded value, log line or stream event, tagged with
//! where it came from, whatever the source, the channel's decoder or the sink.
//!
//! Loss events are the wire crate's [`Event`]s as they are; their text is the wire crate's
//! [`Display`](std::fmt::Display), defined once.

mod schema;

pub use schema::ValueSchema;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ph_eventing_wire::accounting::{Event, Gap};
use ph_eventing_wire::bytes::ValueBytes;
use ph_eventing_wire::frame::{FrameError, FrameErrorKind};
use ph_eventing_wire::session;
use ph_eventing_wire::stream::StreamKind;
use ph_eventing_wire::value::decode_value;
use serde_json::{Value, json};

use crate::board::Board;
use crate::source::SourceEvent;
use crate::stream::StreamTag;

/// Which channel of a source a chunk of bytes, or a record, belongs to: the RTT up channel
/// number for a probe, `0` for single-stream sources (TCP, a file, the demo).
pub type ChannelId = usize;

/// Where a record came from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Origin {
    /// The channel of the source.
    pub channel: ChannelId,
    /// The stream of a ph-eventing channel the record belongs to: values, hellos and every
    /// loss event, duplicate and unplaced frame. `None` for what belongs to the channel as a
    /// whole: rejected frames (a damaged frame belongs to no known stream), log and text lines,
    /// warnings, what happens to the source.
    pub stream: Option<StreamTag>,
    /// The board the record is of, in a farm ([`crate::farm`]) or a run given `--board NAME`;
    /// `None` (the default) for a run of one unnamed board, whose output says no board.
    pub board: Option<Board>,
}

impl Origin {
    /// Records of `channel`, of no stream.
    ///
    /// ```
    /// use ph_tap::record::Origin;
    /// assert_eq!(Origin::channel(3).stream, None);
    /// ```
    pub fn channel(channel: ChannelId) -> Self {
        Self {
            channel,
            stream: None,
            board: None,
        }
    }
}

/// One decoded value or stream event.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// Where it came from.
    pub origin: Origin,
    /// When its bytes arrived, since ph-tap started (for a capture being replayed: when they
    /// arrived as recorded); `None` when time is not shown (`--no-time`, raw captures).
    pub at: Option<Duration>,
    /// What it is.
    pub body: Body,
}

/// The hello a target sends at boot and now and then.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hello {
    /// Random id of this boot of the target.
    pub boot_id: u32,
    /// Wire format version the target speaks.
    pub version: u8,
    /// The value schema as Rust-like text (`None`: the stream carries no schema, or it could not
    /// be read).
    pub schema: Option<String>,
    /// How many streams the link carries, as the hello says (1 for a version 2 hello).
    pub streams: u8,
    /// What the stream's gaps mean: ring drops (a ring) or refusals (a queue).
    pub kind: StreamKind,
}

/// The level of a log line, as defmt has them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// `defmt::trace!`.
    Trace,
    /// `defmt::debug!`.
    Debug,
    /// `defmt::info!`.
    Info,
    /// `defmt::warn!`.
    Warn,
    /// `defmt::error!`.
    Error,
}

impl Level {
    /// The level's name as defmt's JSON output writes it: `TRACE`, `DEBUG`, `INFO`, `WARN`,
    /// `ERROR`.
    ///
    /// ```
    /// use ph_tap::record::Level;
    /// assert_eq!(Level::Warn.as_str(), "WARN");
    /// assert_eq!(Level::parse("info"), Some(Level::Info));
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trace => "TRACE",
            Self::Debug => "DEBUG",
            Self::Info => "INFO",
            Self::Warn => "WARN",
            Self::Error => "ERROR",
        }
    }

    /// The level named `name`, in any case (`info`, `INFO`).
    pub fn parse(name: &str) -> Option<Self> {
        [
            Self::Trace,
            Self::Debug,
            Self::Info,
            Self::Warn,
            Self::Error,
        ]
        .into_iter()
        .find(|level| level.as_str().eq_ignore_ascii_case(name))
    }
}

/// Where in the firmware's source a log line was written, from the ELF's debug information.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The source file, as the debug information names it.
    pub file: String,
    /// The line in it.
    pub line: u64,
    /// The module path of the statement, `crate::module::function`.
    pub module_path: String,
}

/// One log line of the firmware (a defmt frame).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    /// Its level; `None` for `defmt::println!`.
    pub level: Option<Level>,
    /// The message, formatted.
    pub message: String,
    /// The target's timestamp, formatted as the firmware's `defmt::timestamp!` says; `None` when
    /// the firmware has none.
    pub timestamp: Option<String>,
    /// Where it was written, when the ELF's debug information says.
    pub location: Option<Location>,
}

/// One line of a text channel (`--show-channel`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextLine {
    /// The text, without its line ending; bytes that are not UTF-8 are shown as `U+FFFD`.
    pub text: String,
    /// The line was longer than the limit: this is one piece of it, and the rest follows as
    /// further lines.
    pub cut: bool,
}

/// A remark about a stream, as opposed to what the stream says (every format shows it on
/// stderr).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    /// The wire crate's remark about a ph-eventing stream (no frame in its first bytes).
    Wire(session::Warning),
    /// A channel's bytes are not decoded (said once, when its first bytes arrive); they are
    /// still counted.
    NotDecoded {
        /// The channel, as [`Channel::label`](crate::channel::Channel::label) names it.
        channel: String,
        /// Why, and what to do about it.
        reason: String,
    },
    /// One frame of a channel could not be decoded; decoding goes on at the next frame.
    BadFrame {
        /// The channel, as [`Channel::label`](crate::channel::Channel::label) names it.
        channel: String,
        /// What kind of frame: `defmt`.
        format: &'static str,
        /// Why.
        reason: String,
    },
    /// A text line longer than `limit` bytes was cut (said once per channel).
    LineCut {
        /// The channel, as [`Channel::label`](crate::channel::Channel::label) names it.
        channel: String,
        /// The longest line shown whole, in bytes.
        limit: usize,
    },
}

impl From<session::Warning> for Warning {
    fn from(warning: session::Warning) -> Self {
        Self::Wire(warning)
    }
}

/// The one text of each warning, as ph-tap shows it after `warning: `.
///
/// ```
/// use ph_tap::record::Warning;
/// let warning = Warning::NotDecoded {
///     channel: "0 'defmt'".into(),
///     reason: "pass --elf FIRMWARE.elf to decode the defmt channel".into(),
/// };
/// assert_eq!(
///     warning.to_string(),
///     "channel 0 'defmt' is not decoded: pass --elf FIRMWARE.elf to decode the defmt channel"
/// );
/// ```
impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Wire(warning) => warning.fmt(f),
            Self::NotDecoded { channel, reason } => {
                write!(f, "channel {channel} is not decoded: {reason}")
            }
            Self::BadFrame {
                channel,
                format,
                reason,
            } => write!(
                f,
                "channel {channel}: {format} frame could not be decoded: {reason}; resynchronising"
            ),
            Self::LineCut { channel, limit } => write!(
                f,
                "channel {channel}: a line longer than {limit} bytes was cut into pieces (is this channel text?)"
            ),
        }
    }
}

/// A telemetry value still in its postcard bytes, with the schema that decodes it
/// ([`Body::Encoded`]).
#[derive(Clone, Debug, PartialEq)]
pub struct EncodedValue {
    /// The value's postcard bytes (inline when they are few: no heap allocation per value).
    pub bytes: ValueBytes,
    /// Its stream's schema when it arrived.
    pub schema: Arc<ValueSchema>,
    /// A value of this schema can have an object with a repeated key
    /// ([`keys_may_repeat`](ph_eventing_wire::value::keys_may_repeat)), which its JSON value
    /// shows once: the sinks write it out through [`value`](Self::value).
    pub keys_may_repeat: bool,
}

impl EncodedValue {
    /// The value as [`Body::Value`] would carry it: decoded with its schema, or the text saying
    /// that it does not match it.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use ph_eventing_wire::schema::parse_schema;
    /// use ph_tap::record::{EncodedValue, ValueSchema};
    /// let schema = postcard::to_allocvec(<u16 as postcard_schema::Schema>::SCHEMA).unwrap();
    /// let schema = Arc::new(ValueSchema::from(parse_schema(&schema).unwrap()));
    /// let value = |bytes: &[u8]| {
    ///     EncodedValue { bytes: bytes.into(), schema: schema.clone(), keys_may_repeat: false }.value()
    /// };
    /// assert_eq!(value(&[0xAC, 0x02]), serde_json::json!(300));
    /// assert_eq!(value(&[0xFF]), serde_json::json!("<does not match schema: ff>"));
    /// ```
    pub fn value(&self) -> Value {
        decode_value(&self.schema, &self.bytes).unwrap_or_else(|_| self.mismatch())
    }

    /// The text of a value that does not match its schema.
    pub(crate) fn mismatch(&self) -> Value {
        json!(format!(
            "<does not match schema: {}>",
            crate::decode::value::hex(&self.bytes)
        ))
    }
}

/// What a [`Record`] says.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    /// The target said hello: a new boot announced its format version and value schema.
    Hello(Hello),
    /// One telemetry value.
    Value {
        /// Its sequence number (1, 2, ..., u32::MAX, 1, ...).
        seq: u32,
        /// The value, structured from the schema or per `--value-as`.
        value: Value,
    },
    /// One telemetry value of a stream with a schema, as [`Body::Value`] but not decoded yet:
    /// the sinks write it out from its bytes (what a decoder gives with
    /// [`DecoderOptions::encoded_values`](crate::decode::DecoderOptions::encoded_values)).
    Encoded {
        /// Its sequence number.
        seq: u32,
        /// The value.
        value: EncodedValue,
    },
    /// Something the accounting revealed: a ring drop, a link loss, a reset, a wrap, a
    /// duplicate frame. Never [`Event::Unplaced`]: unplaced frames are [`Body::Unplaced`].
    Event(Event),
    /// Frames that arrived intact but whose sequence numbers cannot be known: link corruption
    /// broke the chain of compact frames twice before a full frame could place them (rare).
    /// They are not counted as link losses.
    Unplaced {
        /// Their values, oldest first.
        values: Vec<Value>,
    },
    /// A frame was skipped: damaged, or of a kind this ph-tap cannot read.
    Rejected(FrameError),
    /// A log line of the firmware (a defmt channel); boxed, as the rare warnings are, so that
    /// the body of a value, the common record, stays small.
    Log(Box<LogLine>),
    /// A line of a text channel (`--show-channel`).
    Text(TextLine),
    /// A remark about the stream (shown on stderr, whatever the format).
    Warning(Box<Warning>),
    /// Something happened to the source: it went away, came back, or found the target's RTT
    /// control block again after a reset (shown on stderr by the human format).
    Source(SourceEvent),
}

impl Body {
    /// The `type` field of this record in JSON and CSV output.
    ///
    /// ```
    /// use ph_tap::record::Body;
    /// use ph_eventing_wire::accounting::Event;
    /// assert_eq!(Body::Event(Event::SeqWrap).kind(), "seq_wrap");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            Body::Hello(_) => "hello",
            Body::Value { .. } | Body::Encoded { .. } => "event",
            Body::Event(event) => match event {
                Event::TargetReset { .. } => "target_reset",
                Event::SeqWrap => "seq_wrap",
                Event::RingDrop { .. } => "ring_drop",
                Event::Refused { .. } => "refused",
                Event::LinkLoss { .. } => "link_loss",
                Event::Duplicate { .. } => "duplicate",
                Event::Unplaced { .. } => "unplaced",
            },
            Body::Unplaced { .. } => "unplaced",
            Body::Rejected(err) => match err.kind() {
                FrameErrorKind::Unsupported => "unsupported_frame",
                FrameErrorKind::Corrupt | FrameErrorKind::LeadingGarbage => "corrupt_frame",
            },
            Body::Log(_) => "log",
            Body::Text(_) => "text",
            Body::Warning(_) => "warning",
            Body::Source(SourceEvent::Lost { .. }) => "source_lost",
            Body::Source(SourceEvent::Back { .. }) => "source_back",
            Body::Source(SourceEvent::Reattached { .. }) => "rtt_reattached",
            Body::Source(SourceEvent::Skipped { .. }) => "capture_skipped",
        }
    }

    /// The record's fields after `type`, in the order JSON shows them; CSV picks its columns
    /// from the same list, so the two formats cannot disagree.
    ///
    /// ```
    /// use ph_tap::record::Body;
    /// use ph_eventing_wire::accounting::Event;
    /// let drop = Body::Event(Event::RingDrop { count: 3, first_seq: 10, last_seq: 12 });
    /// let names: Vec<&str> = drop.fields().iter().map(|(name, _)| *name).collect();
    /// assert_eq!(names, ["count", "first_seq", "last_seq"]);
    /// ```
    pub fn fields(&self) -> Vec<(&'static str, Value)> {
        match self {
            Body::Hello(hello) => vec![
                ("boot_id", json!(hello.boot_id)),
                ("version", json!(hello.version)),
                ("schema", json!(hello.schema)),
                ("streams", json!(hello.streams)),
                ("kind", json!(hello.kind.to_string())),
            ],
            Body::Value { seq, value } => vec![("seq", json!(seq)), ("value", value.clone())],
            Body::Encoded { seq, value } => vec![("seq", json!(seq)), ("value", value.value())],
            Body::Event(event) => match event.gap() {
                Some(Gap {
                    count,
                    first_seq,
                    last_seq,
                }) => vec![
                    ("count", json!(count)),
                    ("first_seq", json!(first_seq)),
                    ("last_seq", json!(last_seq)),
                ],
                None => match *event {
                    Event::TargetReset { boot_id } => vec![("boot_id", json!(boot_id))],
                    Event::Duplicate { seq } => vec![("seq", json!(seq))],
                    Event::Unplaced { count } => vec![("count", json!(count))],
                    // The wrap, and the losses (which have a gap).
                    _ => vec![],
                },
            },
            Body::Unplaced { values } => {
                vec![("count", json!(values.len())), ("values", json!(values))]
            }
            Body::Rejected(err) => vec![("reason", json!(err.reason().to_string()))],
            Body::Log(log) => vec![
                ("level", json!(log.level.map(Level::as_str))),
                ("data", json!(log.message)),
                ("target_timestamp", json!(log.timestamp)),
                (
                    "location",
                    log.location.as_ref().map_or(Value::Null, |at| {
                        json!({"file": at.file, "line": at.line, "module_path": at.module_path})
                    }),
                ),
            ],
            Body::Text(line) => vec![("text", json!(line.text)), ("cut", json!(line.cut))],
            Body::Warning(warning) => vec![("reason", json!(warning.to_string()))],
            Body::Source(SourceEvent::Lost { what, reason }) => {
                vec![("source", json!(what)), ("reason", json!(reason))]
            }
            Body::Source(SourceEvent::Back { what, away }) => {
                vec![
                    ("source", json!(what)),
                    ("away_s", json!(away.as_secs_f64())),
                ]
            }
            Body::Source(SourceEvent::Reattached { control_block }) => {
                vec![("control_block", json!(control_block))]
            }
            Body::Source(SourceEvent::Skipped { reason }) => vec![("reason", json!(reason))],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::size_of;

    /// A design property the decoding thread relies on: a record, made once per value, stays
    /// small (the rare log lines and warnings boxed, a value's bytes inline, its stream's name
    /// and its board's one shared pointer each), within the 128 bytes a compiler copies inline
    /// rather than through a call to `memcpy`.
    #[test]
    fn a_record_stays_small() {
        assert!(size_of::<Body>() <= 80, "{}", size_of::<Body>());
        assert_eq!(size_of::<Option<Board>>(), 8);
        assert!(size_of::<Record>() <= 128, "{}", size_of::<Record>());
        assert_eq!(size_of::<EncodedValue>(), 40);
    }
}
