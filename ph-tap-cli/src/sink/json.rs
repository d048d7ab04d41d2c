//! `--format json`: one JSON object per line with stable field names (see the README), and the
//! summary as the last line.

use std::io::Write;

use anyhow::{Context, Result};
use serde_json::{Map, Value, json};

use super::digits::push_u64;
use super::lines::write_lines;
use super::summary::Counts;
use super::text::{Style, write_encoded, write_json};
use super::{STDOUT_GONE, Sink, Stats};
use crate::board::Board;
use crate::record::{Body, Record};
use crate::stream::StreamSelector;

/// The JSON object for one record: `type`, then `channel` when asked for, then for a record of
/// a [named](crate::stream::StreamTag::is_named) stream (one of several on its link, or one
/// with a name) `stream` (its name, `null` while it has none) and `stream_id`, the record's
/// [`fields`](crate::record::Body::fields), and `t` when it has a time.
///
/// ```
/// use ph_tap::record::{Body, Origin, Record};
/// use ph_tap::sink::JsonSink;
/// use ph_tap::stream::StreamTag;
/// let event = Record { origin: Origin::default(), at: None, body: Body::Value { seq: 7, value: 42.into() } };
/// assert_eq!(JsonSink::<Vec<u8>>::object(&event, false).to_string(), r#"{"type":"event","seq":7,"value":42}"#);
/// let origin = Origin { channel: 0, stream: Some(StreamTag::new(2, "events")), board: None };
/// let event = Record { origin, at: None, body: Body::Value { seq: 7, value: 42.into() } };
/// assert_eq!(
///     JsonSink::<Vec<u8>>::object(&event, false).to_string(),
///     r#"{"type":"event","stream":"events","stream_id":2,"seq":7,"value":42}"#
/// );
/// ```
pub struct JsonSink<W: Write> {
    out: W,
    show_channel: bool,
    show_time: bool,
    shown: Vec<StreamSelector>,
    /// The board the summary record is of (`"board"`, its first key).
    board: Option<Board>,
    /// The lines written since the last write to `out` ([`write_lines`]).
    line: Vec<u8>,
}

/// Whatever was not written yet: the last lines of a sink dropped without a
/// [`finish`](Sink::finish) (which writes them with the rest, and says when that fails).
impl<W: Write> Drop for JsonSink<W> {
    fn drop(&mut self) {
        let _ = self.out.write_all(&self.line);
    }
}

impl<W: Write> JsonSink<W> {
    /// JSON lines to `out`; `show_channel` adds each record's `channel`, `show_time` the
    /// summary's `duration_s`.
    pub fn new(out: W, show_channel: bool, show_time: bool) -> Self {
        Self {
            out,
            show_channel,
            show_time,
            shown: Vec::new(),
            board: None,
            line: Vec::new(),
        }
    }

    /// Says in the summary's `streams` array which streams `--stream` hid (`"shown": false`).
    pub fn shown(mut self, selectors: Vec<StreamSelector>) -> Self {
        self.shown = selectors;
        self
    }

    /// Tags the summary record with `board` (`"board"`, its first key), as the records of a
    /// board are ([`Origin::board`](crate::record::Origin::board)).
    pub fn board(mut self, board: Option<Board>) -> Self {
        self.board = board;
        self
    }

    /// The object for `record`: `board` first when it has one.
    pub fn object(record: &Record, show_channel: bool) -> Value {
        let mut map = Map::new();
        if let Some(board) = &record.origin.board {
            map.insert("board".into(), json!(board.as_str()));
        }
        map.insert("type".into(), json!(record.body.kind()));
        if show_channel {
            map.insert("channel".into(), json!(record.origin.channel));
        }
        if let Some(stream) = record.origin.stream.as_ref().filter(|s| s.is_named()) {
            map.insert("stream".into(), json!(stream.name));
            map.insert("stream_id".into(), json!(stream.id));
        }
        map.extend(
            record
                .body
                .fields()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v)),
        );
        if let Some(at) = record.at {
            map.insert("t".into(), json!(at.as_secs_f64()));
        }
        Value::Object(map)
    }

    /// [`object`](Self::object) as one line of JSON, appended to `out`: a value's object
    /// (nearly every line of a stream) is written straight into it, field by field, in the same
    /// order and with the same text as the object would be.
    pub fn write_line(record: &Record, show_channel: bool, out: &mut Vec<u8>) {
        let seq = match &record.body {
            Body::Value { seq, .. } | Body::Encoded { seq, .. } => *seq,
            _ => {
                // Writing into a `Vec` cannot fail.
                let _ = serde_json::to_writer(&mut *out, &Self::object(record, show_channel));
                out.push(b'\n');
                return;
            }
        };
        match &record.origin.board {
            Some(board) => {
                out.extend_from_slice(br#"{"board":"#);
                let _ = serde_json::to_writer(&mut *out, board.as_str());
                out.extend_from_slice(br#","type":"event""#);
            }
            None => out.extend_from_slice(br#"{"type":"event""#),
        }
        if show_channel {
            out.extend_from_slice(br#","channel":"#);
            push_u64(out, record.origin.channel as u64);
        }
        if let Some(stream) = record.origin.stream.as_ref().filter(|s| s.is_named()) {
            out.extend_from_slice(br#","stream":"#);
            let _ = serde_json::to_writer(&mut *out, &stream.name);
            out.extend_from_slice(br#","stream_id":"#);
            push_u64(out, stream.id.into());
        }
        out.extend_from_slice(br#","seq":"#);
        push_u64(out, seq.into());
        out.extend_from_slice(br#","value":"#);
        match &record.body {
            Body::Encoded { value, .. } => write_encoded(value, Style::Json, out),
            Body::Value { value, .. } => write_json(value, out),
            _ => {}
        }
        if let Some(at) = record.at {
            out.extend_from_slice(br#","t":"#);
            let _ = serde_json::to_writer(&mut *out, &at.as_secs_f64());
        }
        out.extend_from_slice(b"}\n");
    }
}

impl<W: Write> Sink for JsonSink<W> {
    fn record(&mut self, record: &Record) -> Result<()> {
        // Warnings go to stderr (the WarningSink), as they always have: the records on stdout
        // are the stream's.
        if matches!(record.body, Body::Warning(_)) {
            return Ok(());
        }
        Self::write_line(record, self.show_channel, &mut self.line);
        write_lines(&mut self.line, &mut self.out, false)
    }

    fn tick(&mut self, _stats: &Stats) -> Result<()> {
        write_lines(&mut self.line, &mut self.out, true)?;
        self.out.flush().context(STDOUT_GONE)
    }

    fn finish(&mut self, stats: &Stats) -> Result<()> {
        write_lines(&mut self.line, &mut self.out, true)?;
        let elapsed = self.show_time.then_some(stats.elapsed);
        let mut summary = Counts::of(stats).json(elapsed);
        if !stats.channels.is_empty() {
            summary["streams"] = super::stream_summary::streams_json(
                &stats.channels,
                &self.shown,
                self.show_channel,
            );
        }
        if !stats.lines.is_empty() {
            summary["lines"] = super::summary::lines_json(&stats.lines);
        }
        if let (Some(board), Value::Object(fields)) = (&self.board, &mut summary) {
            let mut tagged = Map::new();
            tagged.insert("board".into(), json!(board.as_str()));
            tagged.append(fields);
            *fields = tagged;
        }
        writeln!(self.out, "{summary}").context(STDOUT_GONE)?;
        self.out.flush().context(STDOUT_GONE)
    }
}
