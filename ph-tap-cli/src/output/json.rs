//! `--format json`: one JSON object per line with stable field names (see the README).

use serde_json::{Map, Value, json};

use super::record::{Record, Timed};

/// The JSON object for one record.
///
/// ```
/// use ph_tap::output::json::object;
/// use ph_tap::output::record::{Record, Timed};
/// let event = Timed { record: Record::Event { seq: 7, value: serde_json::json!(42) }, at: None };
/// assert_eq!(object(&event).to_string(), r#"{"type":"event","seq":7,"value":42}"#);
/// ```
pub fn object(timed: &Timed) -> Value {
    let mut map = Map::new();
    map.insert("type".into(), json!(timed.record.kind()));
    match &timed.record {
        Record::Hello {
            boot_id,
            version,
            schema,
        } => {
            map.insert("boot_id".into(), json!(boot_id));
            map.insert("version".into(), json!(version));
            map.insert("schema".into(), json!(schema));
        }
        Record::Event { seq, value } => {
            map.insert("seq".into(), json!(seq));
            map.insert("value".into(), value.clone());
        }
        Record::RingDrop {
            count,
            first_seq,
            last_seq,
        }
        | Record::LinkLoss {
            count,
            first_seq,
            last_seq,
        } => {
            map.insert("count".into(), json!(count));
            map.insert("first_seq".into(), json!(first_seq));
            map.insert("last_seq".into(), json!(last_seq));
        }
        Record::TargetReset { boot_id } => {
            map.insert("boot_id".into(), json!(boot_id));
        }
        Record::SeqWrap => {}
        Record::CorruptFrame { reason } => {
            map.insert("reason".into(), json!(reason));
        }
        Record::Unplaced { count, values } => {
            map.insert("count".into(), json!(count));
            map.insert("values".into(), json!(values));
        }
    }
    if let Some(at) = timed.at {
        map.insert("t".into(), json!(at.as_secs_f64()));
    }
    Value::Object(map)
}
