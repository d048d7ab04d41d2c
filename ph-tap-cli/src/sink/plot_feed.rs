//! The objects of the `--udp` feed ([`UdpSink`](super::UdpSink)): one flat JSON object per
//! value or loss, in the form PlotJuggler's JSON parser reads (the README's "Plotting live with
//! PlotJuggler" lists the fields).
//!
//! PlotJuggler turns every number of an object into a series named by its path: a nested
//! object's fields become `/accel/x`, an array's items `/samples[0]`, a boolean `0` or `1`;
//! strings are no series to plot. So a value keeps its structure (nested objects, not dotted
//! keys): PlotJuggler shows it as a tree, as the schema has it. Every object has a numeric
//! `timestamp`, for PlotJuggler's "use field as timestamp".

use serde_json::{Map, Value, json};

use crate::record::{Body, Record};

/// The feed's own field names. A value that is a struct with a field of one of these names is
/// sent whole under `value` instead of field by field, so that no field of the feed is lost.
pub const FEED_FIELDS: [&str; 5] = ["timestamp", "stream", "stream_id", "seq", "loss"];

/// The feed object of `record`, stamped `timestamp` seconds; `None` for what the feed does not
/// carry (hellos, duplicates, sequence wraps, log and text lines, warnings, source events).
///
/// A value: `timestamp`, `stream` (its name, or null), `stream_id`, `seq`, then the value's
/// fields when it is a struct, or `value` (a number, a string, an array; the hex text of a
/// value without a schema). A loss: `timestamp`, `stream`, `stream_id`, `loss` (its `type` in
/// `--format json`), the JSON record's fields, and one number named after the loss (its
/// count, 1 for a reset or a damaged frame), so that each kind of loss is a series of its own.
///
/// ```
/// use ph_tap::record::{Body, Origin, Record};
/// use ph_tap::sink::feed_object;
/// use ph_tap::stream::StreamTag;
/// use ph_eventing_wire::accounting::Event;
/// let origin = Origin { channel: 0, stream: Some(StreamTag::new(1, "readings")), board: None };
/// let value = serde_json::json!({"temp": 21.5, "accel": {"x": 1}});
/// let record = Record { origin: origin.clone(), at: None, body: Body::Value { seq: 7, value } };
/// assert_eq!(
///     feed_object(&record, 1.5).unwrap().to_string(),
///     r#"{"timestamp":1.5,"stream":"readings","stream_id":1,"seq":7,"temp":21.5,"accel":{"x":1}}"#
/// );
/// let drop = Event::RingDrop { count: 3, first_seq: 8, last_seq: 10 };
/// let record = Record { origin, at: None, body: Body::Event(drop) };
/// assert_eq!(
///     feed_object(&record, 2.0).unwrap().to_string(),
///     r#"{"timestamp":2.0,"stream":"readings","stream_id":1,"loss":"ring_drop","count":3,"first_seq":8,"last_seq":10,"ring_drop":3}"#
/// );
/// ```
pub fn feed_object(record: &Record, timestamp: f64) -> Option<Value> {
    use ph_eventing_wire::accounting::Event;
    let mut map = Map::new();
    map.insert("timestamp".into(), json!(timestamp));
    let stream = record.origin.stream.as_ref();
    map.insert(
        "stream".into(),
        json!(stream.and_then(|s| s.name.as_deref())),
    );
    if let Some(stream) = stream {
        map.insert("stream_id".into(), json!(stream.id));
    }
    let (seq, value) = match &record.body {
        Body::Value { seq, value } => (*seq, value.clone()),
        Body::Encoded { seq, value } => (*seq, value.value()),
        Body::Event(
            Event::RingDrop { count, .. }
            | Event::Refused { count, .. }
            | Event::LinkLoss { count, .. },
        ) => return Some(loss(map, &record.body, u64::from(*count))),
        Body::Event(Event::TargetReset { .. }) | Body::Rejected(_) => {
            return Some(loss(map, &record.body, 1));
        }
        Body::Unplaced { values } => {
            let mut object = loss(map, &record.body, values.len() as u64);
            // The values themselves have no sequence number to plot them at.
            object.as_object_mut()?.remove("values");
            return Some(object);
        }
        _ => return None,
    };
    map.insert("seq".into(), json!(seq));
    match value {
        Value::Object(fields) if !fields.keys().any(|k| FEED_FIELDS.contains(&k.as_str())) => {
            map.extend(fields);
        }
        value => {
            map.insert("value".into(), value);
        }
    }
    Some(Value::Object(map))
}

/// The loss object: `map`'s header, `loss`, the record's fields, and the loss's own number.
fn loss(mut map: Map<String, Value>, body: &Body, count: u64) -> Value {
    let kind = body.kind();
    map.insert("loss".into(), json!(kind));
    map.extend(body.fields().into_iter().map(|(k, v)| (k.to_owned(), v)));
    map.insert(kind.into(), json!(count));
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Origin;
    use ph_eventing_wire::accounting::Event;

    fn record(body: Body) -> Record {
        Record {
            origin: Origin::channel(0),
            at: None,
            body,
        }
    }

    #[test]
    fn a_value_without_a_struct_or_with_a_reserved_field_is_sent_under_value() {
        let hex = record(Body::Value {
            seq: 1,
            value: json!("0a0b"),
        });
        assert_eq!(
            feed_object(&hex, 0.0).unwrap(),
            json!({"timestamp": 0.0, "stream": null, "seq": 1, "value": "0a0b"})
        );
        let clash = record(Body::Value {
            seq: 2,
            value: json!({"seq": 5, "x": 1}),
        });
        assert_eq!(
            feed_object(&clash, 1.0).unwrap()["value"],
            json!({"seq": 5, "x": 1})
        );
    }

    #[test]
    fn resets_damaged_frames_and_unplaced_values_are_losses_and_the_rest_is_not_sent() {
        let reset = record(Body::Event(Event::TargetReset { boot_id: Some(9) }));
        assert_eq!(
            feed_object(&reset, 0.0).unwrap(),
            json!({"timestamp": 0.0, "stream": null, "loss": "target_reset", "boot_id": 9, "target_reset": 1})
        );
        let unplaced = record(Body::Unplaced {
            values: vec![json!(1), json!(2)],
        });
        assert_eq!(
            feed_object(&unplaced, 0.0).unwrap(),
            json!({"timestamp": 0.0, "stream": null, "loss": "unplaced", "count": 2, "unplaced": 2})
        );
        assert_eq!(feed_object(&record(Body::Event(Event::SeqWrap)), 0.0), None);
        let dup = record(Body::Event(Event::Duplicate { seq: 3 }));
        assert_eq!(feed_object(&dup, 0.0), None);
    }
}
