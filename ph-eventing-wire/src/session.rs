//! Everything a host tool needs in one object: feed it bytes, get [`Record`]s — each data frame
//! with its value decoded through the latest hello's schema and the events it revealed, each
//! hello, each rejected frame — plus running totals.

use alloc::vec::Vec;

use serde_json::Value;

use crate::accounting::{Accountant, Event, Totals};
use crate::decoder::{DecoderStats, FrameDecoder};
use crate::frame::{Frame, FrameError};
use crate::schema::{OwnedNamedType, SchemaError, parse_schema};
use crate::value::{ValueError, decode_value};

/// The frame limit of a [`Session`] (decoded bytes per frame).
pub const SESSION_MAX_FRAME: usize = 4096;

/// One data frame, as a host tool shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct DataRecord {
    /// Low 7 bits of the sender's boot id.
    pub boot_tag: u8,
    /// Ring sequence number.
    pub seq: u32,
    /// The sender's running ring-drop counter (see [`DataFrame`](crate::frame::DataFrame)).
    pub ring_drops: u32,
    /// The value's postcard bytes (for a `--value-as hex|u32` style fallback).
    pub value: Vec<u8>,
    /// The value decoded with the latest hello's schema; `None` until a hello was seen.
    pub decoded: Option<Result<Value, ValueError>>,
    /// What this frame revealed (drops, losses, reset, wrap, duplicate).
    pub events: Vec<Event>,
}

/// One hello frame.
#[derive(Clone, Debug, PartialEq)]
pub struct HelloRecord {
    /// The sender's boot id.
    pub boot_id: u32,
    /// The next sequence number the sender will use.
    pub next_seq: u32,
    /// The sender's running ring-drop counter.
    pub ring_drops: u32,
    /// Worst-case postcard size of one value.
    pub value_max_size: u32,
    /// The value type's schema (`Display` prints it as Rust-like pseudocode).
    pub schema: Result<OwnedNamedType, SchemaError>,
    /// What this hello revealed (a reset, losses up to its `next_seq`).
    pub events: Vec<Event>,
}

/// What a [`Session`] made of one frame.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    /// A ring item.
    Data(DataRecord),
    /// A stream description.
    Hello(HelloRecord),
    /// A frame that was skipped, and why (corruption is counted in [`Session::decoder_stats`]).
    Rejected(FrameError),
}

/// Decoder + accounting + schema-driven values.
///
/// ```
/// use ph_eventing::SeqRing;
/// use ph_eventing_wire::{drain::Drainer, session::{Record, Session}};
///
/// let ring = SeqRing::<u32, 8>::new();
/// let producer = ring.producer();
/// let mut consumer = ring.consumer();
/// let mut drainer = Drainer::new(7);
/// let mut buf = [0u8; 64];
/// let mut wire = Vec::new();
/// for v in 0..12 {
///     producer.push(v); // 12 pushes into 8 slots: the oldest are overwritten
/// }
/// let report = drainer.drain(&mut consumer, 100, &mut buf, |f| wire.extend_from_slice(f)).unwrap();
///
/// let mut session = Session::new();
/// for record in session.feed(&wire) {
///     if let Record::Data(d) = record {
///         let value = d.decoded.unwrap().unwrap();
///         for event in &d.events {
///             println!("{event}"); // e.g. RING DROP 5 (seq 1..5)
///         }
///         println!("{} {value}", d.seq);
///     }
/// }
/// // The host's totals match what the ring reported on the target.
/// assert_eq!(session.totals().ring_dropped, u64::from(report.stats.dropped));
/// assert_eq!(session.totals().data_frames, u64::from(report.stats.read));
/// ```
#[derive(Debug, Default)]
pub struct Session {
    decoder: FrameDecoder<SESSION_MAX_FRAME>,
    accountant: Accountant,
    schema: Option<OwnedNamedType>,
}

impl Session {
    /// A session that has seen nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes `bytes` (any chunk of the stream) and returns the frames they completed.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Record> {
        let mut out = Vec::new();
        self.feed_with(bytes, |r| out.push(r));
        out
    }

    /// Like [`feed`](Self::feed), handing each record to `f` instead of collecting them.
    pub fn feed_with(&mut self, bytes: &[u8], mut f: impl FnMut(Record)) {
        let Self {
            decoder,
            accountant,
            schema,
        } = self;
        decoder.feed(bytes, |frame| {
            let record = match frame {
                Err(e) => Record::Rejected(e),
                Ok(frame) => {
                    let events: Vec<Event> = accountant.observe(&frame).into_iter().collect();
                    match frame {
                        Frame::Data(d) => Record::Data(DataRecord {
                            boot_tag: d.boot_tag,
                            seq: d.seq,
                            ring_drops: d.ring_drops,
                            value: d.value.to_vec(),
                            decoded: schema.as_ref().map(|s| decode_value(s, d.value)),
                            events,
                        }),
                        Frame::Hello(h) => {
                            let parsed = parse_schema(h.schema);
                            if let Ok(s) = &parsed {
                                *schema = Some(s.clone());
                            }
                            Record::Hello(HelloRecord {
                                boot_id: h.boot_id,
                                next_seq: h.next_seq,
                                ring_drops: h.ring_drops,
                                value_max_size: h.value_max_size,
                                schema: parsed,
                                events,
                            })
                        }
                    }
                }
            };
            f(record);
        });
    }

    /// The schema from the latest hello, if any.
    pub fn schema(&self) -> Option<&OwnedNamedType> {
        self.schema.as_ref()
    }

    /// Running loss totals.
    pub fn totals(&self) -> &Totals {
        self.accountant.totals()
    }

    /// Decoder counts, including corrupt frames.
    pub fn decoder_stats(&self) -> &DecoderStats {
        self.decoder.stats()
    }

    /// The current boot id, once a hello announced it.
    pub fn boot_id(&self) -> Option<u32> {
        self.accountant.boot_id()
    }
}
