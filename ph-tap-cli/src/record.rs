//! What ph-tap shows: one [`Record`] per decoded value or stream event, tagged with where it
//! came from, whatever the source, the channel's decoder or the sink.
//!
//! Loss events are the wire crate's [`Event`]s as they are; their text is the wire crate's
//! [`Display`](std::fmt::Display), defined once.

use std::time::Duration;

use ph_eventing_wire::accounting::Event;
use ph_eventing_wire::frame::{FrameError, FrameErrorKind};
use ph_eventing_wire::session::Warning;
use serde_json::{Value, json};

use crate::source::SourceEvent;

/// Which channel of a source a chunk of bytes, or a record, belongs to: the RTT up channel
/// number for a probe, `0` for single-stream sources (TCP, a file, the demo).
pub type ChannelId = usize;

/// Where a record came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Origin {
    /// The channel of the source.
    pub channel: ChannelId,
}

/// One decoded value or stream event.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// Where it came from.
    pub origin: Origin,
    /// When its bytes arrived, since ph-tap started; `None` when time is not shown (`--no-time`,
    /// saved captures).
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
    /// A remark about the stream as a whole (shown on stderr by the human format).
    Warning(Warning),
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
            Body::Value { .. } => "event",
            Body::Event(event) => match event {
                Event::TargetReset { .. } => "target_reset",
                Event::SeqWrap => "seq_wrap",
                Event::RingDrop { .. } => "ring_drop",
                Event::LinkLoss { .. } => "link_loss",
                Event::Duplicate { .. } => "duplicate",
                Event::Unplaced { .. } => "unplaced",
            },
            Body::Unplaced { .. } => "unplaced",
            Body::Rejected(err) => match err.kind() {
                FrameErrorKind::Unsupported => "unsupported_frame",
                FrameErrorKind::Corrupt | FrameErrorKind::LeadingGarbage => "corrupt_frame",
            },
            Body::Warning(_) => "warning",
            Body::Source(SourceEvent::Lost { .. }) => "source_lost",
            Body::Source(SourceEvent::Back { .. }) => "source_back",
            Body::Source(SourceEvent::Reattached { .. }) => "rtt_reattached",
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
            ],
            Body::Value { seq, value } => vec![("seq", json!(seq)), ("value", value.clone())],
            Body::Event(event) => match *event {
                Event::RingDrop {
                    count,
                    first_seq,
                    last_seq,
                }
                | Event::LinkLoss {
                    count,
                    first_seq,
                    last_seq,
                } => vec![
                    ("count", json!(count)),
                    ("first_seq", json!(first_seq)),
                    ("last_seq", json!(last_seq)),
                ],
                Event::TargetReset { boot_id } => vec![("boot_id", json!(boot_id))],
                Event::Duplicate { seq } => vec![("seq", json!(seq))],
                Event::Unplaced { count } => vec![("count", json!(count))],
                Event::SeqWrap => vec![],
            },
            Body::Unplaced { values } => {
                vec![("count", json!(values.len())), ("values", json!(values))]
            }
            Body::Rejected(err) => vec![("reason", json!(err.reason().to_string()))],
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
        }
    }
}
