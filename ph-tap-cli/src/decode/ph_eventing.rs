//! The ph-eventing wire format, decoded by the wire crate's [`Session`] (frames, placement of
//! compact frames, loss accounting, schema-driven values): ph-tap adds only the `--value-as`
//! fallback and what it chooses not to show.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use ph_eventing_wire::bytes::ValueBytes;
use ph_eventing_wire::frame::FrameErrorKind;
use ph_eventing_wire::schema::OwnedNamedType;
use ph_eventing_wire::session::{DataView, Record, Session, Visitor};
use ph_eventing_wire::value::{ValueError, decode_value, keys_may_repeat};
use serde_json::{Value, json};

use super::value::{ValueAs, hex, render_as};
use super::{Accounting, Bodies, Decoder, Emit, StreamAccounting, ToFn};
use crate::record::{Body, EncodedValue, Hello, ValueSchema};
use crate::stream::StreamTag;

/// A ph-eventing channel: bytes in, values and every loss out.
///
/// It does not show what a live stream makes normal: the bytes before the first frame boundary
/// (the reader joined mid-frame) and the periodic hello that repeats the previous one (both
/// still count in the accounting).
///
/// ```
/// use ph_tap::decode::{Decoder, PhEventingDecoder};
/// use ph_tap::decode::value::ValueAs;
/// use ph_tap::record::Body;
///
/// let mut wire = Vec::new();
/// let mut buf = [0u8; 32];
/// let mut encoder = ph_eventing_wire::encode::StreamEncoder::new(7);
/// for (seq, ring_drops) in [(1, 0), (2, 0), (6, 2)] {
///     encoder
///         .data(seq, ring_drops, &(seq * 10), &mut buf, &mut |f: &[u8]| {
///             wire.extend_from_slice(f);
///             true
///         })
///         .unwrap();
/// }
/// let mut decoder = PhEventingDecoder::new(ValueAs::U32);
/// let mut shown = Vec::new();
/// decoder.feed(&wire, &mut |body| shown.push(body));
/// let text: Vec<String> = shown
///     .iter()
///     .map(|body| match body {
///         Body::Value { seq, value } => format!("{seq} {value}"),
///         Body::Event(event) => event.to_string(),
///         other => format!("{other:?}"),
///     })
///     .collect();
/// assert_eq!(text, ["1 10", "2 20", "RING DROP 2 (seq 3..5)", "LINK LOSS 1 (seq 3..5)", "6 60"]);
/// assert_eq!(decoder.accounting().unwrap().totals.ring_dropped, 2);
/// ```
pub struct PhEventingDecoder {
    // Boxed: the session holds its frame buffer inline.
    session: Box<Session>,
    shown: Shown,
}

/// What the decoder keeps to turn the session's records into bodies.
struct Shown {
    fallback: ValueAs,
    /// Values of a stream with a schema go on undecoded ([`Body::Encoded`]).
    encoded_values: bool,
    /// Each stream's name as its latest hello shown so far gave it: a record's
    /// [`StreamTag`] names its stream as the hellos before it did, however the bytes were
    /// chunked.
    names: BTreeMap<u8, String>,
    /// The streams heard from, and the largest stream count a hello gave: whether a record's
    /// stream shares its link ([`StreamTag::shared`]).
    seen: BTreeSet<u8>,
    announced: u8,
    /// The tag of the latest record's stream: the next record's, while it is of the same
    /// stream and no hello came between (a stream's records mostly follow each other).
    last: Option<StreamTag>,
    /// The latest session schema a value was handed on with ([`encoded_values`]), the
    /// records' copy of it, and whether its values can have an object with a repeated key
    /// ([`EncodedValue::keys_may_repeat`]).
    ///
    /// [`encoded_values`]: PhEventingDecoder::encoded_values
    encoded: Option<(Arc<OwnedNamedType>, Arc<ValueSchema>, bool)>,
}

impl PhEventingDecoder {
    /// A decoder that shows values of streams without a schema as `fallback`.
    pub fn new(fallback: ValueAs) -> Self {
        Self {
            session: Box::default(),
            shown: Shown {
                fallback,
                encoded_values: false,
                names: BTreeMap::new(),
                seen: BTreeSet::new(),
                announced: 0,
                last: None,
                encoded: None,
            },
        }
    }

    /// With `true`, the values of a stream with a schema are handed on undecoded, in their
    /// postcard bytes with the schema ([`Body::Encoded`]), for a sink to write out straight
    /// from them; `false` (the default) decodes them into [`Body::Value`]s. The text shown is
    /// the same.
    pub fn encoded_values(mut self, on: bool) -> Self {
        self.shown.encoded_values = on;
        self
    }
}

impl Shown {
    fn tag(&mut self, id: u8) -> Option<StreamTag> {
        // Only a hello (which clears `last`) changes a name or the stream count, and only a
        // stream not heard from before (so not the latest one) changes `seen`.
        if let Some(tag) = self.last.as_ref().filter(|t| t.id == id) {
            return Some(tag.clone());
        }
        self.seen.insert(id);
        let shared = self.announced > 1 || self.seen.len() > 1;
        let tag = StreamTag::new(id, self.names.get(&id).map_or("", String::as_str)).shared(shared);
        self.last = Some(tag.clone());
        Some(tag)
    }

    /// The records' copy of the session's `schema` ([`ValueSchema`]), and whether its values
    /// can have an object with a repeated key: made once per schema (it changes only with a
    /// hello), the copy then shared by the records.
    fn encoded(&mut self, schema: &Arc<OwnedNamedType>) -> (Arc<ValueSchema>, bool) {
        match &self.encoded {
            Some((known, ours, repeat)) if Arc::ptr_eq(known, schema) => (ours.clone(), *repeat),
            _ => {
                let repeat = keys_may_repeat(schema);
                let ours = Arc::new(ValueSchema::from(OwnedNamedType::clone(schema)));
                self.encoded = Some((schema.clone(), ours.clone(), repeat));
                (ours, repeat)
            }
        }
    }

    /// A new value, built straight from the session's frame: its events, then its body.
    /// Inlined into the session's loop, so that the frame's view stays in registers (a view
    /// passed in memory is read back with loads wider than the stores that wrote it, which
    /// wait for them).
    #[inline(always)]
    fn data(&mut self, data: DataView<'_>, emit: &mut impl Bodies) {
        let tag = self.tag(data.stream);
        for &e in data.events {
            emit.push(tag.clone(), Body::Event(e));
        }
        // A body made and handed on in each arm: built in one place, of one shape, it can go
        // straight into its record (no copy of it on the stack that the record's reads wait on).
        match data.schema {
            Some(schema) if self.encoded_values => {
                let (schema, keys_may_repeat) = self.encoded(schema);
                emit.push_with(tag, || Body::Encoded {
                    seq: data.seq,
                    value: EncodedValue {
                        bytes: ValueBytes::from(data.value),
                        schema,
                        keys_may_repeat,
                    },
                });
            }
            schema => {
                let value = schema.map(|s| decode_value(s, data.value));
                let value = shown_value(self.fallback, data.value, value);
                emit.push(
                    tag,
                    Body::Value {
                        seq: data.seq,
                        value,
                    },
                );
            }
        }
    }

    /// Everything but a new value ([`data`](Self::data)).
    fn show(&mut self, record: Record, emit: &mut impl Bodies) {
        let fallback = self.fallback;
        match record {
            // A session's own data record (not what `feed_visit` gives): as its view.
            Record::Data(data) => {
                let view = DataView {
                    stream: data.stream,
                    boot_tag: data.boot_tag,
                    seq: data.seq,
                    placement: data.placement,
                    ring_drops: data.ring_drops,
                    value: &data.value,
                    schema: data.schema.as_ref(),
                    events: &data.events,
                };
                self.data(view, emit);
            }
            Record::Duplicate { stream, seq } => emit.push(
                self.tag(stream),
                Body::Event(ph_eventing_wire::accounting::Event::Duplicate { seq }),
            ),
            Record::Hello(hello) => {
                // The hello names its stream for itself and what follows; the events it
                // revealed (a reset, losses before it) are of the stream it names.
                self.names.insert(hello.stream, hello.name.clone());
                self.announced = self.announced.max(hello.streams);
                self.last = None;
                let tag = self.tag(hello.stream);
                for e in hello.events {
                    emit.push(tag.clone(), Body::Event(e));
                }
                if !hello.repeated {
                    emit.push(
                        tag,
                        Body::Hello(Hello {
                            boot_id: hello.boot_id,
                            version: hello.version,
                            schema: hello.schema.ok().map(|s| s.to_pseudocode()),
                            streams: hello.streams,
                            kind: hello.kind,
                        }),
                    );
                }
            }
            // Joining mid-frame is normal for a live stream.
            Record::Rejected(err) if err.kind() == FrameErrorKind::LeadingGarbage => {}
            Record::Rejected(err) => emit.push(None, Body::Rejected(err)),
            // The `Event::Unplaced` it carries is said by the body, with the values.
            Record::Unplaced(unplaced) => {
                let mut decoded = unplaced.decoded.map(Vec::into_iter);
                let values = unplaced
                    .values
                    .iter()
                    .map(|bytes| {
                        shown_value(fallback, bytes, decoded.as_mut().and_then(Iterator::next))
                    })
                    .collect();
                emit.push(self.tag(unplaced.stream), Body::Unplaced { values });
            }
            Record::Warning(warning) => emit.push(None, Body::Warning(Box::new(warning.into()))),
        }
    }
}

/// A value as shown: decoded with its schema, the text saying that it does not match it, or
/// per `--value-as` when there is no schema.
fn shown_value(
    fallback: ValueAs,
    bytes: &[u8],
    decoded: Option<Result<Value, ValueError>>,
) -> Value {
    match decoded {
        Some(Ok(value)) => value,
        Some(Err(_)) => json!(format!("<does not match schema: {}>", hex(bytes))),
        None => render_as(fallback, bytes),
    }
}

/// The session's visitor: each outcome made bodies, handed to `emit` with their stream.
struct ShowTo<'a, E> {
    shown: &'a mut Shown,
    emit: E,
}

impl<E: Bodies> Visitor for ShowTo<'_, E> {
    #[inline]
    fn data(&mut self, data: DataView<'_>) {
        self.shown.data(data, &mut self.emit);
    }

    fn record(&mut self, record: Record) {
        self.shown.show(record, &mut self.emit);
    }
}

impl Decoder for PhEventingDecoder {
    fn feed(&mut self, bytes: &[u8], emit: &mut dyn FnMut(Body)) {
        let Self { session, shown } = self;
        let emit = ToFn(|_: Option<StreamTag>, body| emit(body));
        session.feed_visit(bytes, &mut ShowTo { shown, emit });
    }

    fn finish(&mut self, emit: &mut dyn FnMut(Body)) {
        for record in self.session.finish() {
            self.shown.show(record, &mut ToFn(|_, body| emit(body)));
        }
    }

    fn feed_streams(&mut self, bytes: &[u8], out: &mut Emit<'_>) {
        let Self { session, shown } = self;
        session.feed_visit(bytes, &mut ShowTo { shown, emit: out });
    }

    fn finish_streams(&mut self, out: &mut Emit<'_>) {
        for record in self.session.finish() {
            self.shown.show(record, out);
        }
    }

    fn accounting(&self) -> Option<Accounting> {
        Some(Accounting {
            totals: self.session.totals(),
            frames: *self.session.decoder_stats(),
            streams: self
                .session
                .streams()
                .map(|s| StreamAccounting {
                    stream: StreamTag::new(s.id, s.name),
                    kind: s.kind,
                    announced: s.announced,
                    totals: s.totals,
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ph_eventing_wire::encode::{DataFields, HelloFields, encode_data, encode_hello};
    use postcard_schema::Schema;

    #[derive(serde::Serialize, Schema, postcard::experimental::max_size::MaxSize)]
    struct Sample {
        id: u16,
        temp: f32,
        tag: char,
    }

    fn hello<T: Schema + postcard::experimental::max_size::MaxSize>(
        boot_id: u32,
        next_seq: u32,
    ) -> Vec<u8> {
        let mut buf = [0u8; 256];
        let fields = HelloFields {
            boot_id,
            next_seq,
            ring_drops: 0,
        };
        encode_hello::<T>(&fields, &mut buf).unwrap().to_vec()
    }

    fn data<T: serde::Serialize>(boot_id: u32, seq: u32, value: &T) -> Vec<u8> {
        let mut buf = [0u8; 64];
        encode_data(boot_id, &DataFields::contiguous(seq, 0), value, &mut buf)
            .unwrap()
            .to_vec()
    }

    fn decode(wire: &[u8]) -> Vec<Body> {
        let mut out = Vec::new();
        let mut decoder = PhEventingDecoder::new(ValueAs::Hex);
        decoder.feed(wire, &mut |b| out.push(b));
        decoder.finish(&mut |b| out.push(b));
        out
    }

    #[test]
    fn schema_gives_structure_char_fields_included() {
        let sample = Sample {
            id: 7,
            temp: 1.5,
            tag: 'é',
        };
        let wire = [hello::<Sample>(9, 1), data(9, 1, &sample)].concat();
        let bodies = decode(&wire);
        let Body::Hello(hello) = &bodies[0] else {
            panic!("{bodies:?}")
        };
        assert!(
            hello.schema.as_deref().unwrap().contains("Sample"),
            "{hello:?}"
        );
        assert_eq!(
            bodies[1],
            Body::Value {
                seq: 1,
                value: json!({"id": 7, "temp": 1.5, "tag": "é"})
            }
        );
    }

    #[test]
    fn repeated_hello_and_duplicate_are_not_shown_as_new() {
        let first = data(9, 1, &5u32);
        let wire = [hello::<u32>(9, 1), first.clone(), first, hello::<u32>(9, 2)].concat();
        let bodies = decode(&wire);
        assert_eq!(bodies.len(), 3, "{bodies:?}");
        assert!(matches!(bodies[0], Body::Hello(_)));
        assert_eq!(
            bodies[1],
            Body::Value {
                seq: 1,
                value: json!(5)
            }
        );
        assert_eq!(
            bodies[2],
            Body::Event(ph_eventing_wire::accounting::Event::Duplicate { seq: 1 })
        );
    }

    #[test]
    fn value_not_matching_the_schema_is_shown_as_such() {
        let wire = [hello::<Sample>(9, 1), data(9, 1, &1u8)].concat();
        assert_eq!(
            decode(&wire)[1],
            Body::Value {
                seq: 1,
                value: json!("<does not match schema: 01>")
            }
        );
    }
}
