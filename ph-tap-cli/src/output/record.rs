//! What ph-tap shows: one [`Record`] per decoded frame or stream event.

use std::time::Duration;

/// One line of output, whatever the format.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    /// The target said hello: a new boot announced its format version and value schema.
    Hello {
        /// Random id of this boot of the target.
        boot_id: u32,
        /// Wire format version the target speaks.
        version: u8,
        /// The value schema, as text (`None`: the stream carries no schema).
        schema: Option<String>,
    },
    /// One telemetry value.
    Event {
        /// Its sequence number (1, 2, ..., u32::MAX, 1, ...).
        seq: u32,
        /// The value, structured from the schema or per `--value-as`.
        value: serde_json::Value,
    },
    /// The target's ring overwrote values before they were sent (the producer outran the link).
    RingDrop {
        /// How many values.
        count: u32,
        /// First lost sequence number.
        first_seq: u32,
        /// Last lost sequence number.
        last_seq: u32,
    },
    /// Frames were sent but never arrived intact (bytes lost between target and host).
    LinkLoss {
        /// How many values.
        count: u32,
        /// First sequence number of the gap they were lost in.
        first_seq: u32,
        /// Last sequence number of the gap they were lost in.
        last_seq: u32,
    },
    /// The target restarted (a new boot id, or sequence numbers started over).
    TargetReset {
        /// The new boot's id, when known.
        boot_id: Option<u32>,
    },
    /// Sequence numbers wrapped from u32::MAX to 1 (informational, nothing lost).
    SeqWrap,
    /// Frames that arrived intact but whose sequence numbers cannot be known: link corruption
    /// broke the chain of compact frames twice before a full frame could place them (rare).
    /// They are not counted as link losses.
    Unplaced {
        /// How many frames.
        count: u32,
        /// Their values, oldest first.
        values: Vec<serde_json::Value>,
    },
    /// A frame whose checksum or encoding is wrong was skipped.
    CorruptFrame {
        /// Why it was rejected, e.g. `checksum mismatch`.
        reason: String,
    },
}

impl Record {
    /// The `type` field of this record in JSON and CSV output.
    pub fn kind(&self) -> &'static str {
        match self {
            Record::Hello { .. } => "hello",
            Record::Event { .. } => "event",
            Record::RingDrop { .. } => "ring_drop",
            Record::LinkLoss { .. } => "link_loss",
            Record::TargetReset { .. } => "target_reset",
            Record::SeqWrap => "seq_wrap",
            Record::CorruptFrame { .. } => "corrupt_frame",
            Record::Unplaced { .. } => "unplaced",
        }
    }
}

/// A record with the time it arrived (since ph-tap started), when time is shown.
#[derive(Clone, Debug, PartialEq)]
pub struct Timed {
    /// The record.
    pub record: Record,
    /// Arrival time since start, `None` with `--no-time` or when decoding a saved capture.
    pub at: Option<Duration>,
}
