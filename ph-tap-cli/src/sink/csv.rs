//! `--format csv`: a header line, then one row per record, with the columns picked from the
//! same [`fields`](crate::record::Body::fields) the JSON format shows.

use std::borrow::Cow;
use std::io::Write;

use anyhow::{Context, Result};
use serde_json::Value;

use super::digits::push_u64;
use super::lines::write_lines;
use super::text::{Style, render_value, value_text, write_encoded, write_value_text};
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

/// The columns added after [`COLUMNS`] when the run reads a log or text channel
/// ([`CsvSink::log_columns`]); a log line's message and a text line are in `value`.
const LOG_COLUMNS: [&str; 3] = ["level", "target_timestamp", "location"];

/// The last columns: a stream record's stream (its name, empty while it has none) and its id;
/// both empty for a record of no stream, and for the only stream of a link when it has no name
/// (as JSON leaves them out).
const STREAM_COLUMNS: [&str; 2] = ["stream", "stream_id"];

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
///     "type,seq,value,count,first_seq,last_seq,boot_id,reason,t,stream,stream_id\nring_drop,,,3,10,12,,,,,\n"
/// );
/// ```
pub struct CsvSink<W: Write> {
    out: W,
    show_channel: bool,
    log_columns: bool,
    /// A `board` column first (a farm's rows).
    board_column: bool,
    /// Writes the header line at [`begin`](Sink::begin) (a farm writes it once for all).
    header: bool,
    /// The rows written since the last write to `out` ([`write_lines`]), and a value's cell
    /// before it is quoted (kept between records for its capacity).
    line: Vec<u8>,
    cell: Vec<u8>,
}

/// Whatever was not written yet: the last rows of a sink dropped without a
/// [`finish`](Sink::finish) (which writes them with the rest, and says when that fails).
impl<W: Write> Drop for CsvSink<W> {
    fn drop(&mut self) {
        let _ = self.out.write_all(&self.line);
    }
}

impl<W: Write> CsvSink<W> {
    /// CSV to `out`; `show_channel` adds a `channel` column after `type`.
    pub fn new(out: W, show_channel: bool) -> Self {
        Self {
            out,
            show_channel,
            log_columns: false,
            board_column: false,
            header: true,
            line: Vec::new(),
            cell: Vec::new(),
        }
    }

    /// Adds the columns of log lines after the others: `level`, `target_timestamp` and
    /// `location` (`file:line`), for runs that read a log or text channel. A log line's
    /// message, and a text line, are in `value`.
    ///
    /// ```
    /// use ph_tap::record::{Body, Level, Location, LogLine, Origin, Record};
    /// use ph_tap::sink::{CsvSink, Sink};
    /// let log = LogLine {
    ///     level: Some(Level::Info),
    ///     message: "x = 1, y = 2".into(),
    ///     timestamp: Some("0.000100".into()),
    ///     location: Some(Location { file: "src/main.rs".into(), line: 12, module_path: "app::main".into() }),
    /// };
    /// let mut out = Vec::new();
    /// let mut sink = CsvSink::new(&mut out, false).log_columns(true);
    /// sink.begin().unwrap();
    /// sink.record(&Record { origin: Origin::default(), at: None, body: Body::Log(Box::new(log)) }).unwrap();
    /// drop(sink);
    /// assert_eq!(
    ///     String::from_utf8(out).unwrap(),
    ///     "type,seq,value,count,first_seq,last_seq,boot_id,reason,t,level,target_timestamp,location,stream,stream_id\n\
    ///      log,,\"x = 1, y = 2\",,,,,,,INFO,0.000100,src/main.rs:12,,\n"
    /// );
    /// ```
    pub fn log_columns(mut self, on: bool) -> Self {
        self.log_columns = on;
        self
    }

    /// Adds a `board` column before the others, holding each row's board
    /// ([`Origin::board`](crate::record::Origin::board)): the rows of a farm, several boards in
    /// one table.
    ///
    /// ```
    /// use ph_eventing_wire::accounting::Event;
    /// use ph_tap::board::Board;
    /// use ph_tap::record::{Body, Origin, Record};
    /// use ph_tap::sink::{CsvSink, Sink};
    /// let mut out = Vec::new();
    /// let mut sink = CsvSink::new(&mut out, false).board_column(true);
    /// sink.begin().unwrap();
    /// let origin = Origin { board: Some(Board::new("a").unwrap()), ..Origin::default() };
    /// sink.record(&Record { origin, at: None, body: Body::Event(Event::SeqWrap) }).unwrap();
    /// drop(sink);
    /// assert_eq!(
    ///     String::from_utf8(out).unwrap(),
    ///     "board,type,seq,value,count,first_seq,last_seq,boot_id,reason,t,stream,stream_id\na,seq_wrap,,,,,,,,,,\n"
    /// );
    /// ```
    pub fn board_column(mut self, on: bool) -> Self {
        self.board_column = on;
        self
    }

    /// Whether [`begin`](Sink::begin) writes the header line (the default); off for every
    /// board of a farm but the one that writes it for all ([`CsvSink::header_line`]).
    pub fn header(mut self, on: bool) -> Self {
        self.header = on;
        self
    }

    /// The header line (with its line ending) this sink writes at [`begin`](Sink::begin).
    pub fn header_line(&self) -> String {
        let board = if self.board_column { "board," } else { "" };
        let channel = if self.show_channel { ",channel" } else { "" };
        let columns: Vec<&str> = self.columns().collect();
        format!("{board}type{channel},{}\n", columns.join(","))
    }

    fn columns(&self) -> impl Iterator<Item = &'static str> {
        let extra: &[&str] = if self.log_columns { &LOG_COLUMNS } else { &[] };
        COLUMNS
            .into_iter()
            .chain(extra.iter().copied())
            .chain(STREAM_COLUMNS)
    }

    fn row(&self, record: &Record) -> String {
        let fields = record.body.fields();
        let get = |name: &str| fields.iter().find(|(k, _)| *k == name).map(|(_, v)| v);
        let named = record.origin.stream.as_ref().filter(|s| s.is_named());
        let mut cells = Vec::new();
        if self.board_column {
            cells.push(
                record
                    .origin
                    .board
                    .as_ref()
                    .map(|b| b.as_str().to_owned())
                    .unwrap_or_default(),
            );
        }
        cells.push(record.body.kind().to_owned());
        if self.show_channel {
            cells.push(record.origin.channel.to_string());
        }
        for column in self.columns() {
            cells.push(match column {
                // A hello's schema, unplaced frames' values, a log line's message and a text
                // line share the value column.
                "value" => match (
                    get("value")
                        .or_else(|| get("schema"))
                        .or_else(|| get("data"))
                        .or_else(|| get("text")),
                    get("values"),
                ) {
                    (Some(value), _) => value_text(value),
                    (None, Some(Value::Array(values))) => values
                        .iter()
                        .map(render_value)
                        .collect::<Vec<_>>()
                        .join("; "),
                    _ => String::new(),
                },
                "location" => match get("location") {
                    Some(at) if at.is_object() => {
                        format!("{}:{}", value_text(&at["file"]), value_text(&at["line"]))
                    }
                    _ => String::new(),
                },
                "stream" => named
                    .and_then(|s| s.name.as_deref())
                    .unwrap_or_default()
                    .to_owned(),
                "stream_id" => named.map(|s| s.id.to_string()).unwrap_or_default(),
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

impl<W: Write> CsvSink<W> {
    /// [`row`](Self::row) and its line ending, appended to `self.line`: a value's row (nearly
    /// every row of a stream) is written straight into it, cell by cell, with the same text as
    /// `row` gives it.
    fn write_row(&mut self, record: &Record) {
        let seq = match &record.body {
            Body::Value { seq, .. } | Body::Encoded { seq, .. } => *seq,
            _ => {
                let row = self.row(record);
                self.line.extend_from_slice(row.as_bytes());
                self.line.push(b'\n');
                return;
            }
        };
        let out = &mut self.line;
        if self.board_column {
            if let Some(board) = &record.origin.board {
                push_quoted(out, board.as_str().as_bytes());
            }
            out.push(b',');
        }
        out.extend_from_slice(b"event");
        if self.show_channel {
            out.push(b',');
            push_u64(out, record.origin.channel as u64);
        }
        // seq, value
        out.push(b',');
        push_u64(out, seq.into());
        out.push(b',');
        self.cell.clear();
        match &record.body {
            Body::Encoded { value, .. } => write_encoded(value, Style::Text, &mut self.cell),
            Body::Value { value, .. } => write_value_text(value, &mut self.cell),
            _ => {}
        }
        push_quoted(out, &self.cell);
        // count, first_seq, last_seq, boot_id, reason
        out.extend_from_slice(b",,,,,,");
        if let Some(at) = record.at {
            let _ = write!(out, "{:.6}", at.as_secs_f64());
        }
        if self.log_columns {
            out.extend_from_slice(b",,,");
        }
        // stream, stream_id
        out.push(b',');
        if let Some(stream) = record.origin.stream.as_ref().filter(|s| s.is_named()) {
            if let Some(name) = &stream.name {
                push_quoted(out, name.as_bytes());
            }
            out.push(b',');
            push_u64(out, stream.id.into());
        } else {
            out.push(b',');
        }
        out.push(b'\n');
    }
}

impl<W: Write> Sink for CsvSink<W> {
    fn begin(&mut self) -> Result<()> {
        if !self.header {
            return Ok(());
        }
        let header = self.header_line();
        self.out.write_all(header.as_bytes()).context(STDOUT_GONE)
    }

    fn record(&mut self, record: &Record) -> Result<()> {
        // Warnings go to stderr (the WarningSink), as they always have: the records on stdout
        // are the stream's.
        if matches!(record.body, Body::Warning(_)) {
            return Ok(());
        }
        self.write_row(record);
        write_lines(&mut self.line, &mut self.out, false)
    }

    fn tick(&mut self, _stats: &Stats) -> Result<()> {
        write_lines(&mut self.line, &mut self.out, true)?;
        self.out.flush().context(STDOUT_GONE)
    }

    fn finish(&mut self, _stats: &Stats) -> Result<()> {
        write_lines(&mut self.line, &mut self.out, true)?;
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

/// [`quote`], appended to `out`.
fn push_quoted(out: &mut Vec<u8>, field: &[u8]) {
    if !field
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        out.extend_from_slice(field);
        return;
    }
    out.push(b'"');
    for &b in field {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
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
        for field in ["12", "{a: 1, b: 2}", "say \"hi\"", "two\nlines", "cr\r", ""] {
            let mut out = Vec::new();
            push_quoted(&mut out, field.as_bytes());
            assert_eq!(String::from_utf8(out).unwrap(), quote(field));
        }
    }
}
