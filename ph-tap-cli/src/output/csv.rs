//! RFC 4180 field quoting for the `--format csv` writer.

/// Quotes `field` if it contains a comma, a quote or a line break (quotes are doubled).
///
/// ```
/// use ph_tap::output::csv::quote;
/// assert_eq!(quote("12"), "12");
/// assert_eq!(quote("{a: 1, b: 2}"), "\"{a: 1, b: 2}\"");
/// assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
/// ```
pub fn quote(field: &str) -> std::borrow::Cow<'_, str> {
    if field.contains([',', '"', '\n', '\r']) {
        std::borrow::Cow::Owned(format!("\"{}\"", field.replace('"', "\"\"")))
    } else {
        std::borrow::Cow::Borrowed(field)
    }
}

use super::human::render_value;
use super::record::{Record, Timed};

/// The CSV header line (stable column names, see the README).
pub const HEADER: &str = "type,seq,value,count,first_seq,last_seq,boot_id,reason,t";

/// One CSV row (no trailing newline); empty cells for columns a record type does not have.
///
/// ```
/// use ph_tap::output::csv::row;
/// use ph_tap::output::record::{Record, Timed};
/// let drop = Timed { record: Record::RingDrop { count: 3, first_seq: 10, last_seq: 12 }, at: None };
/// assert_eq!(row(&drop), "ring_drop,,,3,10,12,,,");
/// ```
pub fn row(timed: &Timed) -> String {
    let mut cells: [String; 9] = Default::default();
    cells[0] = timed.record.kind().to_owned();
    let opt = |v: Option<u32>| v.map(|v| v.to_string()).unwrap_or_default();
    match &timed.record {
        Record::Hello {
            boot_id, schema, ..
        } => {
            cells[2] = schema.clone().unwrap_or_default();
            cells[6] = boot_id.to_string();
        }
        Record::Event { seq, value } => {
            cells[1] = seq.to_string();
            cells[2] = match value {
                serde_json::Value::String(s) => s.clone(),
                other => render_value(other),
            };
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
            cells[3] = count.to_string();
            cells[4] = first_seq.to_string();
            cells[5] = last_seq.to_string();
        }
        Record::TargetReset { boot_id } => cells[6] = opt(*boot_id),
        Record::SeqWrap => {}
        Record::CorruptFrame { reason } => cells[7] = reason.clone(),
        Record::Unplaced { count, values } => {
            cells[2] = values
                .iter()
                .map(render_value)
                .collect::<Vec<_>>()
                .join("; ");
            cells[3] = count.to_string();
        }
    }
    if let Some(at) = timed.at {
        cells[8] = format!("{:.6}", at.as_secs_f64());
    }
    cells.iter().map(|c| quote(c)).collect::<Vec<_>>().join(",")
}
