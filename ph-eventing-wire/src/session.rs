//! Everything a host tool needs in one object: feed it bytes, get [`Record`]s — each data frame
//! with its value decoded through the latest hello's schema and the events it revealed, each
//! hello, each rejected frame, and the rare frames that could not be placed — plus running
//! totals. Every stream of the link has its own [`Chain`] (which places compact frames),
//! accounting and schema; records and totals say which stream they belong to.
//!
//! A host tool that makes records of its own takes the data frames borrowed instead
//! ([`Session::feed_visit`], [`DataView`], [`Visitor`]).

mod streams;
mod view;

pub use view::{DataView, Visitor};

use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use serde_json::Value;

use crate::accounting::{Accountant, Event, Events, Totals};
use crate::bytes::ValueBytes;
use crate::chain::{Chain, Placed, Placement};
use crate::decoder::{DecoderStats, FrameDecoder};
use crate::frame::FrameError;
use crate::schema::{OwnedNamedType, SchemaError, parse_schema};
use crate::stream::StreamKind;
use crate::value::{ValueError, decode_value};
use streams::Streams;
use view::Records;

/// The frame limit of a [`Session`] (decoded bytes per frame).
pub const SESSION_MAX_FRAME: usize = 4096;

/// One data frame, as a host tool shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct DataRecord {
    /// The stream it belongs to.
    pub stream: u8,
    /// Low 6 bits of the sender's boot id (for a compact frame, that of the frame it was placed
    /// from).
    pub boot_tag: u8,
    /// Ring sequence number.
    pub seq: u32,
    /// How the sequence number was found (a full frame, or a compact one placed by the chain).
    pub placement: Placement,
    /// The sender's running ring-drop counter (see [`DataFrame`](crate::frame::DataFrame)).
    pub ring_drops: u32,
    /// The value's postcard bytes (for a `--value-as hex|u32` style fallback), inline when
    /// they are few ([`ValueBytes`]: no heap allocation per value).
    pub value: ValueBytes,
    /// The value decoded with the current schema (see [`Session`] for which one that is);
    /// `None` while there is none, and from a session that leaves that to its user
    /// ([`Session::decode_values`]). Boxed: a `Value` is large, and a record that carries it
    /// inline is moved, whole, through every stage of a host tool.
    pub decoded: Option<Result<Box<Value>, ValueError>>,
    /// The current schema, which [`decoded`](Self::decoded) is decoded with (`None` while there
    /// is none): the same `Arc` for every value until a hello changes it, for a host tool that
    /// decodes or writes out the value itself ([`visit_value`](crate::value::visit_value)).
    pub schema: Option<Arc<OwnedNamedType>>,
    /// What this frame revealed (drops, losses, reset, wrap).
    pub events: Vec<Event>,
}

/// One hello frame.
#[derive(Clone, Debug, PartialEq)]
pub struct HelloRecord {
    /// The stream it describes.
    pub stream: u8,
    /// How many streams the link carries, as the sender says.
    pub streams: u8,
    /// What the stream's gaps mean.
    pub kind: StreamKind,
    /// The stream's name (empty for none).
    pub name: String,
    /// The wire format version the sender speaks.
    pub version: u8,
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
    /// The same boot id and schema bytes as the previous hello: the sender's periodic
    /// reminder, nothing new to show. Its [`events`](Self::events) still count.
    pub repeated: bool,
    /// What this hello revealed (a reset, losses up to its `next_seq`).
    pub events: Vec<Event>,
}

/// Intact compact frames whose sequence numbers cannot be known (link corruption broke the
/// chain twice within one anchor interval, or frames vanished among them). Rare; see WIRE.md,
/// section 7. Compact frames carry no boot tag, so neither does this.
#[derive(Clone, Debug, PartialEq)]
pub struct UnplacedRecord {
    /// The stream they belong to.
    pub stream: u8,
    /// Their values' postcard bytes, oldest first.
    pub values: Vec<Vec<u8>>,
    /// Their values decoded with the current schema (`None` while there is none).
    pub decoded: Option<Vec<Result<Value, ValueError>>>,
    /// The [`Event::Unplaced`] they revealed.
    pub events: Vec<Event>,
}

/// Something about the stream as a whole that a host tool should tell its user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Warning {
    /// [`NOT_PH_EVENTING_AFTER`] bytes or more arrived without one valid frame: probably the
    /// wrong channel or port, or a sender that does not speak this format. Given once per
    /// session; decoding goes on.
    NotPhEventing {
        /// Bytes received when the warning was given.
        bytes: u64,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotPhEventing { bytes } => write!(
                f,
                "no ph-eventing frame in the first {bytes} bytes: is this the right RTT channel or port, and does the firmware send ph-eventing-wire frames? (still listening)"
            ),
        }
    }
}

/// What a [`Session`] made of one frame.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    /// A ring item, new to this session.
    Data(DataRecord),
    /// A data frame that arrived again (already delivered as [`Record::Data`]): not a new
    /// value, and not counted twice ([`Totals::duplicates`]).
    Duplicate {
        /// Its stream.
        stream: u8,
        /// Its sequence number.
        seq: u32,
    },
    /// A stream description (boxed: rare, and larger than a data record).
    Hello(Box<HelloRecord>),
    /// A frame that was skipped, and why (corruption is counted in [`Session::decoder_stats`]).
    Rejected(FrameError),
    /// Frames that arrived intact but could not be placed.
    Unplaced(UnplacedRecord),
    /// A remark about the stream as a whole (given after the records of the bytes that
    /// prompted it).
    Warning(Warning),
}

/// After this many bytes without one valid frame, a [`Session`] gives
/// [`Warning::NotPhEventing`].
pub const NOT_PH_EVENTING_AFTER: u64 = 4096;

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
/// let mut buf = [0u8; Drainer::buffer_needed::<u32>()];
/// let mut wire = Vec::new();
/// for v in 0..12 {
///     producer.push(v); // 12 pushes into 8 slots: the oldest are overwritten
/// }
/// let report = drainer
///     .drain(&mut consumer, 100, &mut buf, |f| {
///         wire.extend_from_slice(f);
///         true
///     })
///     .unwrap();
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
///
/// # Which schema decodes the values
///
/// Each stream's values are decoded with the schema of that stream's latest hello. A hello
/// whose schema is empty says the stream has none: values come out undecoded from then on. A
/// hello whose schema cannot be parsed (its [`HelloRecord::schema`] says why) keeps the
/// previous schema when it comes from the same boot, and clears it when it announces another
/// boot, whose values may be of another type.
///
/// # Several streams
///
/// Frames are routed by their stream id: each stream has its own chain, accounting and schema,
/// as if it had the link to itself (WIRE.md, section 7.4). A rejected frame could have belonged
/// to any stream, so it breaks every stream's chain. [`streams`](Self::streams) lists the
/// streams heard from, with their names, kinds and totals.
#[derive(Debug, Default)]
pub struct Session {
    decoder: FrameDecoder<SESSION_MAX_FRAME>,
    streams: Streams,
    /// The boot id of the latest hello, of any stream.
    boot_id: Option<u32>,
    warned: bool,
    /// Leave [`DataRecord::decoded`] to the user ([`decode_values`](Self::decode_values)).
    undecoded: bool,
}

/// What a [`Session`] keeps per stream.
#[derive(Debug, Default)]
struct StreamState {
    chain: Chain,
    accountant: Accountant,
    schema: Option<Arc<OwnedNamedType>>,
    /// Boot id and schema bytes of the latest hello, to tell a repeated one.
    last_hello: Option<(u32, Vec<u8>)>,
    /// From the latest hello: the name, and the stream count it gave.
    name: String,
    streams: u8,
}

/// One stream as a [`Session`] knows it ([`Session::streams`]).
#[derive(Clone, Copy, Debug)]
pub struct StreamView<'a> {
    /// Its id.
    pub id: u8,
    /// Its name from its latest hello (empty before one, or when it has none).
    pub name: &'a str,
    /// Its kind from its latest hello (a ring before one).
    pub kind: StreamKind,
    /// Whether a hello of it arrived.
    pub announced: bool,
    /// The schema its values are decoded with now.
    pub schema: Option<&'a OwnedNamedType>,
    /// Its loss totals (with its chain's failed sequence-bit checks).
    pub totals: Totals,
}

impl StreamState {
    /// Lets `step` drive this stream's chain (a frame, a break, the end) and hands each item it
    /// places, accounted, to `visitor` as stream `id`'s; a hello also gives the stream its
    /// name and stream count.
    fn place(
        &mut self,
        id: u8,
        step: impl FnOnce(&mut Chain, &mut dyn FnMut(Placed<'_>)),
        visitor: &mut impl Visitor,
    ) {
        let StreamState {
            chain,
            accountant,
            schema,
            last_hello,
            name,
            streams,
        } = self;
        let mut schemas = Schemas { schema, last_hello };
        step(chain, &mut |placed| {
            if let Placed::Hello(h) = &placed {
                name.clear();
                name.push_str(h.name);
                *streams = h.streams;
            }
            visit(id, accountant, &mut schemas, &placed, visitor);
        });
    }

    fn view(&self, id: u8) -> StreamView<'_> {
        StreamView {
            id,
            name: &self.name,
            kind: self.accountant.kind(),
            announced: self.last_hello.is_some(),
            schema: self.schema.as_deref(),
            totals: self.totals(),
        }
    }

    fn totals(&self) -> Totals {
        Totals {
            seq_check_failed: self.chain.seq_check_failed(),
            ..*self.accountant.totals()
        }
    }
}

impl Session {
    /// A session that has seen nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// With `false`, data records leave their value undecoded ([`DataRecord::decoded`] is
    /// `None`) and carry the schema to decode it with ([`DataRecord::schema`]): for a host tool
    /// that writes values out from their bytes ([`visit_value`](crate::value::visit_value)),
    /// and would only throw a `Value` away. Unplaced values are decoded all the same. `true` by
    /// default.
    pub fn decode_values(mut self, decode: bool) -> Self {
        self.undecoded = !decode;
        self
    }

    /// Decodes `bytes` (any chunk of the stream) and returns the frames they completed.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Record> {
        let mut out = Vec::new();
        self.feed_with(bytes, |r| out.push(r));
        out
    }

    /// Like [`feed`](Self::feed), handing each record to `f` instead of collecting them.
    ///
    /// A compact frame received after corruption comes out once the next full frame of its
    /// stream places it (at most one anchor interval of that stream later).
    pub fn feed_with(&mut self, bytes: &[u8], f: impl FnMut(Record)) {
        let decode = !self.undecoded;
        self.feed_visit(bytes, &mut Records { f, decode });
    }

    /// Like [`feed_with`](Self::feed_with), but each new data frame is handed to `visitor`
    /// borrowed ([`Visitor::data`]: its bytes in the session's frame buffer, its value not
    /// decoded, whatever [`decode_values`](Self::decode_values) says), and everything else as
    /// a record ([`Visitor::record`]): for a host tool that builds its own record from a
    /// frame, with nothing made or moved in between.
    pub fn feed_visit(&mut self, bytes: &[u8], visitor: &mut impl Visitor) {
        let Self {
            decoder,
            streams,
            boot_id,
            warned,
            undecoded: _,
        } = self;
        // A hello's boot id is the session's current one.
        let mut visitor = Booted { boot_id, visitor };
        decoder.feed(bytes, |frame| match frame {
            Err(e) => {
                visitor.record(Record::Rejected(e));
                for (id, state) in streams.iter_mut() {
                    state.place(id, |chain, out| chain.break_chain(out), &mut visitor);
                }
            }
            Ok(frame) => {
                let id = frame.stream();
                let state = streams.get_or_insert(id);
                state.place(id, |chain, out| chain.frame(frame, out), &mut visitor);
            }
        });
        let stats = decoder.stats();
        if !*warned && stats.frames == 0 && stats.bytes >= NOT_PH_EVENTING_AFTER {
            *warned = true;
            visitor
                .visitor
                .record(Record::Warning(Warning::NotPhEventing {
                    bytes: stats.bytes,
                }));
        }
    }

    /// Ends the stream: compact frames still waiting for a full frame come out as
    /// [`Record::Unplaced`].
    pub fn finish(&mut self) -> Vec<Record> {
        let mut out = Vec::new();
        let mut records = Records {
            f: |r| out.push(r),
            decode: !self.undecoded,
        };
        for (id, state) in self.streams.iter_mut() {
            state.place(id, |chain, placed| chain.finish(placed), &mut records);
        }
        out
    }

    /// The schema stream 0's values are decoded with now, if any (see
    /// [`stream`](Self::stream) for the others).
    pub fn schema(&self) -> Option<&OwnedNamedType> {
        self.streams.get(0).and_then(|s| s.schema.as_deref())
    }

    /// Running loss totals of all streams together, with the chains' failed sequence-bit
    /// checks in `seq_check_failed` (each stream's own: [`streams`](Self::streams)). Every
    /// count is the sum over the streams but `resets`: the streams of a link share the target,
    /// and each sees its resets on its own frames, so a reset is counted once, as the most any
    /// stream saw.
    pub fn totals(&self) -> Totals {
        let mut sum = Totals::default();
        let mut resets = 0;
        for state in self.streams.values() {
            let totals = state.totals();
            resets = resets.max(totals.resets);
            sum.add(&totals);
        }
        Totals { resets, ..sum }
    }

    /// The streams heard from, by id.
    pub fn streams(&self) -> impl Iterator<Item = StreamView<'_>> {
        self.streams.iter().map(|(id, state)| state.view(id))
    }

    /// Stream `id`, once heard from.
    pub fn stream(&self, id: u8) -> Option<StreamView<'_>> {
        self.streams.get(id).map(|state| state.view(id))
    }

    /// How many streams the link carries, as the latest hellos say (the largest count any
    /// stream's hello gave; 0 before the first hello).
    pub fn streams_announced(&self) -> u8 {
        self.streams.values().map(|s| s.streams).max().unwrap_or(0)
    }

    /// Decoder counts, including corrupt frames.
    pub fn decoder_stats(&self) -> &DecoderStats {
        self.decoder.stats()
    }

    /// The current boot id, once a hello announced it (the latest hello's, of any stream).
    pub fn boot_id(&self) -> Option<u32> {
        self.boot_id
    }
}

/// A visitor, and the session's boot id, which each hello it is handed sets.
struct Booted<'a, V> {
    boot_id: &'a mut Option<u32>,
    visitor: &'a mut V,
}

impl<V: Visitor> Visitor for Booted<'_, V> {
    #[inline]
    fn data(&mut self, data: DataView<'_>) {
        self.visitor.data(data);
    }

    fn record(&mut self, record: Record) {
        if let Record::Hello(h) = &record {
            *self.boot_id = Some(h.boot_id);
        }
        self.visitor.record(record);
    }
}

/// The schema in force and the hello it came with.
struct Schemas<'a> {
    schema: &'a mut Option<Arc<OwnedNamedType>>,
    last_hello: &'a mut Option<(u32, Vec<u8>)>,
}

impl Schemas<'_> {
    /// Takes a hello's schema (see [`Session`]'s rules); returns it parsed and whether the hello
    /// repeats the previous one.
    fn hello(&mut self, boot_id: u32, bytes: &[u8]) -> (Result<OwnedNamedType, SchemaError>, bool) {
        let repeated = self
            .last_hello
            .as_ref()
            .is_some_and(|(id, schema)| *id == boot_id && schema == bytes);
        let same_boot = self
            .last_hello
            .as_ref()
            .is_some_and(|(id, _)| *id == boot_id);
        let parsed = parse_schema(bytes);
        match &parsed {
            // The same bytes as the schema in force: its `Arc` stays (a host tool that
            // remembers something per schema keeps it).
            Ok(_) if repeated && self.schema.is_some() => {}
            Ok(s) => *self.schema = Some(Arc::new(s.clone())),
            Err(_) if bytes.is_empty() || !same_boot => *self.schema = None,
            Err(_) => {}
        }
        if !repeated {
            *self.last_hello = Some((boot_id, bytes.to_vec()));
        }
        (parsed, repeated)
    }
}

/// Accounts one placed item of stream `stream` and hands it to `visitor`.
fn visit(
    stream: u8,
    accountant: &mut Accountant,
    schemas: &mut Schemas<'_>,
    placed: &Placed<'_>,
    visitor: &mut impl Visitor,
) {
    let mut events = Events::default();
    accountant.observe_placed_into(placed, &mut events);
    let record = match placed {
        Placed::Data {
            frame: d,
            placement,
        } => {
            if let [Event::Duplicate { seq }] = *events.as_slice() {
                Record::Duplicate { stream, seq }
            } else {
                return visitor.data(DataView {
                    stream,
                    boot_tag: d.boot_tag,
                    seq: d.seq,
                    placement: *placement,
                    ring_drops: d.ring_drops,
                    value: d.value,
                    schema: schemas.schema.as_ref(),
                    events: events.as_slice(),
                });
            }
        }
        Placed::Hello(h) => {
            let (schema, repeated) = schemas.hello(h.boot_id, h.schema);
            Record::Hello(Box::new(HelloRecord {
                stream,
                streams: h.streams,
                kind: h.kind,
                name: h.name.into(),
                version: h.version,
                boot_id: h.boot_id,
                next_seq: h.next_seq,
                ring_drops: h.ring_drops,
                value_max_size: h.value_max_size,
                schema,
                repeated,
                events: events.as_slice().to_vec(),
            }))
        }
        Placed::Unplaced { values } => Record::Unplaced(UnplacedRecord {
            stream,
            values: values.to_vec(),
            decoded: schemas
                .schema
                .as_ref()
                .map(|s| values.iter().map(|v| decode_value(s, v)).collect()),
            events: events.as_slice().to_vec(),
        }),
    };
    visitor.record(record);
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::size_of;

    /// A design property host tools rely on: a record, moved whole through their stages once
    /// per value, is no larger than a data record, and a data record stays small (its `Value`
    /// boxed, its bytes inline, the rare hello boxed).
    #[test]
    fn a_record_is_as_small_as_a_data_record() {
        assert_eq!(size_of::<Record>(), size_of::<DataRecord>());
        assert!(size_of::<DataRecord>() <= 88, "{}", size_of::<DataRecord>());
    }
}
