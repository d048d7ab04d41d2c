//! `--format csv`: a header line, then one row per record, with the columns picked from the
//! same [`fields`](crate::record::Body::fields) the JSON format shows.

use std::borrow::Cow;
use std::io::Write;

use anyhow::{Context, Result};
use serde_json::Value;

use super::text::{render_value, value_text};
use super::{STDOUT_GONE, Sink, Stats};
use crate::record::{Body, Record};

/// The columns after `type` (and `channel`), in order (stable names, see the README).
const COLUMNS: [&str; 8] = [
    "seq",
    "value",
    "count",
    "first_seq",
    "last_seq",
    "boot_id",
    "reason",
    "t",
];

/// `--format csv` on a writer (stdout).
///
/// ```
/// use ph_tap::record::{Body, Origin, Record};
/// use ph_tap::sink::{CsvSink, Sink};
/// use ph_eventing_wire::accounting::Event;
/// let lost = Event::RingDrop { count: 3, first_seq: 10, last_seq: 12 };
/// let mut out = Vec::new();
/// let mut sink = CsvSink::new(&mut out, false);
/// sink.begin().unwrap();
/// sink.record(&Record { origin: Origin::default(), at: None, body: Body::Event(lost) }).unwrap();
/// drop(sink);
/// assert_eq!(
///     String::from_utf8(out).unwrap(),
///     "type,seq,value,count,first_seq,last_seq,boot_id,reason,t\nring_drop,,,3,10,12,,,\n"
/// );
/// ```
pub struct CsvSink<W: Write> {
    out: W,
    show_channel: bool,
}

impl<W: Write> CsvSink<W> {
    /// CSV to `out`; `show_channel` adds a `channel` column after `type`.
    pub fn new(out: W, show_channel: bool) -> Self {
        Self { out, show_channel }
    }

    fn row(&self, record: &Record) -> String {
        let fields = record.body.fields();
        let get = |name: &str| fields.iter().find(|(k, _)| *k == name).map(|(_, v)| v);
        let mut cells = vec![record.body.kind().to_owned()];
        if self.show_channel {
            cells.push(record.origin.channel.to_string());
        }
        for column in COLUMNS {
            cells.push(match column {
                // A hello's schema and unplaced frames' values share the value column.
                "value" => match (get("value"), get("schema"), get("values")) {
                    (Some(value), _, _) | (None, Some(value), _) => value_text(value),
                    (None, None, Some(Value::Array(values))) => values
                        .iter()
                        .map(render_value)
                        .collect::<Vec<_>>()
                        .join("; "),
                    _ => String::new(),
                },
                "t" => record
                    .at
                    .map(|at| format!("{:.6}", at.as_secs_f64()))
                    .unwrap_or_default(),
                name => get(name).map(value_text).unwrap_or_default(),
            });
        }
        cells.iter().map(|c| quote(c)).collect::<Vec<_>>().join(",")
    }
}

impl<W: Write> Sink for CsvSink<W> {
    fn begin(&mut self) -> Result<()> {
        let channel = if self.show_channel { ",channel" } else { "" };
        writeln!(self.out, "type{channel},{}", COLUMNS.join(",")).context(STDOUT_GONE)
    }

    fn record(&mut self, record: &Record) -> Result<()> {
        // Warnings go to stderr (the WarningSink), as they always have: the records on stdout
        // are the stream's.
        if matches!(record.body, Body::Warning(_)) {
            return Ok(());
        }
        writeln!(self.out, "{}", self.row(record)).context(STDOUT_GONE)
    }

    fn tick(&mut self, _stats: &Stats) -> Result<()> {
        self.out.flush().context(STDOUT_GONE)
    }

    fn finish(&mut self, _stats: &Stats) -> Result<()> {
        self.out.flush().context(STDOUT_GONE)
    }
}

/// RFC 4180 field quoting: quotes `field` if it contains a comma, a quote or a line break
/// (quotes are doubled).
fn quote(field: &str) -> Cow<'_, str> {
    if field.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", field.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_follows_rfc_4180() {
        assert_eq!(quote("12"), "12");
        assert_eq!(quote("{a: 1, b: 2}"), "\"{a: 1, b: 2}\"");
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quote("two\nlines"), "\"two\nlines\"");
    }
}
