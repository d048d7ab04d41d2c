//! The default human format: one line per value or log line, loud lines for every loss.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

use anyhow::{Context, Result};
use ph_eventing_wire::accounting::Event;
use ph_eventing_wire::frame::FrameErrorKind;

use super::color::Style;
use super::digits::{decimal_len, push_u64};
use super::lines::write_lines;
use super::stream_labels::StreamLabels;
use super::text::{Style as ValueStyle, render_value, value_text, write_encoded, write_value_text};
use super::{STDOUT_GONE, Sink, Stats};
use crate::channel::Channel;
use crate::record::{Body, ChannelId, LogLine, Record};

/// Renders one record as a human line (no trailing newline). Loss texts are the wire crate's.
///
/// ```
/// use ph_tap::record::{Body, Origin, Record};
/// use ph_tap::sink::line;
/// use ph_eventing_wire::accounting::Event;
/// let drop = Event::RingDrop { count: 37, first_seq: 1200, last_seq: 1236 };
/// let record = Record { origin: Origin::default(), at: None, body: Body::Event(drop) };
/// assert_eq!(line(&record, false), "RING DROP 37 (seq 1200..1236)");
/// ```
pub fn line(record: &Record, color: bool) -> String {
    line_with(record, color, false)
}

/// [`line()`], and with `verbose` a log line's source location (`file:line`) after its message.
///
/// A log line reads as defmt-print shows it: the target's timestamp (when the firmware has
/// one), the level padded to five characters (coloured when `color`), the message.
///
/// ```
/// use ph_tap::record::{Body, Level, Location, LogLine, Origin, Record};
/// use ph_tap::sink::line_with;
/// let log = LogLine {
///     level: Some(Level::Info),
///     message: "boot: firmware v0.3".into(),
///     timestamp: Some("0.000100".into()),
///     location: Some(Location { file: "src/main.rs".into(), line: 12, module_path: "app::main".into() }),
/// };
/// let record = Record { origin: Origin::default(), at: None, body: Body::Log(Box::new(log)) };
/// assert_eq!(line_with(&record, false, false), "0.000100 INFO  boot: firmware v0.3");
/// assert_eq!(line_with(&record, false, true), "0.000100 INFO  boot: firmware v0.3  src/main.rs:12");
/// ```
pub fn line_with(record: &Record, color: bool, verbose: bool) -> String {
    let mut out = match &record.body {
        Body::Value { seq, value } => format!("{seq:>10}  {}", value_text(value)),
        Body::Encoded { seq, value } => format!("{seq:>10}  {}", value_text(&value.value())),
        Body::Hello(hello) => Style::Info.paint(
            &format!(
                "HELLO boot {:#010x}, wire v{}, value {}",
                hello.boot_id,
                hello.version,
                hello.schema.as_deref().unwrap_or("without schema")
            ),
            color,
        ),
        Body::Event(event) => event_style(event).paint(&event.to_string(), color),
        Body::Unplaced { values } => {
            let shown: Vec<String> = values.iter().map(render_value).collect();
            let event = Event::Unplaced {
                count: u32::try_from(values.len()).unwrap_or(u32::MAX),
            };
            Style::Damage.paint(&format!("{event}: {}", shown.join(", ")), color)
        }
        Body::Rejected(err) => {
            let what = match err.kind() {
                FrameErrorKind::Unsupported => "UNSUPPORTED FRAME",
                FrameErrorKind::Corrupt | FrameErrorKind::LeadingGarbage => "CORRUPT FRAME",
            };
            Style::Damage.paint(&format!("{what} ({})", err.reason()), color)
        }
        Body::Log(log) => log_line(log, color, verbose),
        Body::Text(text) => text.text.clone(),
        Body::Warning(warning) => format!("warning: {warning}"),
        Body::Source(event) => Style::Reset.paint(&event.to_string(), color),
    };
    if let Some(at) = record.at {
        let _ = write!(
            out,
            "  {}",
            Style::Dim.paint(&format!("+{:.3}s", at.as_secs_f64()), color)
        );
    }
    out
}

/// [`line_with`], appended to `out`: a value's line (nearly every line of a stream) is
/// written straight into it, without a `String` of its own.
fn write_line(record: &Record, color: bool, verbose: bool, out: &mut Vec<u8>) {
    let seq = match &record.body {
        Body::Value { seq, .. } | Body::Encoded { seq, .. } => *seq,
        _ => {
            out.extend_from_slice(line_with(record, color, verbose).as_bytes());
            return;
        }
    };
    // `{seq:>10}  {value}`
    // Right-aligned in 10 columns: 10 spaces, cut to those in front of the digits.
    let pad = 10usize.saturating_sub(decimal_len(seq.into()));
    let start = out.len();
    out.extend_from_slice(&[b' '; 10]);
    out.truncate(start + pad);
    push_u64(out, seq.into());
    out.extend_from_slice(b"  ");
    match &record.body {
        Body::Encoded { value, .. } => write_encoded(value, ValueStyle::Text, out),
        Body::Value { value, .. } => write_value_text(value, out),
        _ => {}
    }
    if let Some(at) = record.at {
        out.extend_from_slice(b"  ");
        let time = format!("+{:.3}s", at.as_secs_f64());
        out.extend_from_slice(Style::Dim.paint(&time, color).as_bytes());
    }
}

fn log_line(log: &LogLine, color: bool, verbose: bool) -> String {
    let mut out = String::new();
    // The message's column: its second and later lines (a panic message has two) start there.
    let mut column = 0;
    if let Some(timestamp) = &log.timestamp {
        out += timestamp;
        out.push(' ');
        column += timestamp.chars().count() + 1;
    }
    if let Some(level) = log.level {
        let name = level.as_str();
        out += &Style::Log(level).paint(name, color);
        out += &" ".repeat(6 - name.len());
        column += 6;
    }
    let indent = format!("\n{}", " ".repeat(column));
    out += &log.message.replace('\n', &indent);
    if verbose && let Some(at) = &log.location {
        let _ = write!(
            out,
            "  {}",
            Style::Dim.paint(&format!("{}:{}", at.file, at.line), color)
        );
    }
    out
}

fn event_style(event: &Event) -> Style {
    match event {
        Event::RingDrop { .. } | Event::Refused { .. } => Style::Loss,
        Event::LinkLoss { .. } | Event::Unplaced { .. } => Style::Damage,
        Event::TargetReset { .. } => Style::Reset,
        Event::SeqWrap | Event::Duplicate { .. } => Style::Info,
    }
}

/// `--format human` on a writer (stdout). Warnings and what happens to the source are left to
/// the [`WarningSink`](super::WarningSink) on stderr.
///
/// Each line of a stream starts with the stream's name (`stream N` without one), after the
/// channel's prefix, when the link carries more than one stream or the stream has a name: a
/// loss line says which stream lost what (`[ph-eventing] events  REFUSED 2 (seq 4..5, the
/// queue was full)`). A link whose only stream has no name (a version 2 link) shows no label.
///
/// ```
/// use ph_tap::channel::{Channel, ChannelKind};
/// use ph_tap::record::{Body, Level, LogLine, Origin, Record};
/// use ph_tap::sink::{HumanSink, Sink};
///
/// let channels = [
///     Channel { id: 0, name: Some("defmt".into()), kind: ChannelKind::Defmt },
///     Channel { id: 1, name: Some("ph-eventing".into()), kind: ChannelKind::PhEventing },
/// ];
/// let log = LogLine { level: Some(Level::Warn), message: "low battery".into(), timestamp: None, location: None };
/// let mut out = Vec::new();
/// let mut sink = HumanSink::new(&mut out, false, true).channels(&channels);
/// sink.record(&Record { origin: Default::default(), at: None, body: Body::Log(Box::new(log)) }).unwrap();
/// let value = Body::Value { seq: 7, value: 42.into() };
/// sink.record(&Record { origin: ph_tap::record::Origin::channel(1), at: None, body: value }).unwrap();
/// drop(sink);
/// assert_eq!(
///     String::from_utf8(out).unwrap(),
///     "[defmt]       WARN  low battery\n[ph-eventing]          7  42\n"
/// );
///
/// // A named stream's lines say its name.
/// use ph_eventing_wire::accounting::Event;
/// use ph_tap::stream::StreamTag;
/// let refused = Event::Refused { count: 2, first_seq: 4, last_seq: 5 };
/// let origin = ph_tap::record::Origin { channel: 1, stream: Some(StreamTag::new(2, "events")), board: None };
/// let mut out = Vec::new();
/// let mut sink = HumanSink::new(&mut out, false, true).channels(&channels);
/// sink.record(&Record { origin, at: None, body: Body::Event(refused) }).unwrap();
/// drop(sink);
/// assert_eq!(
///     String::from_utf8(out).unwrap(),
///     "[ph-eventing] events  REFUSED 2 (seq 4..5, the queue was full)\n"
/// );
/// ```
pub struct HumanSink<W: Write> {
    out: W,
    color: bool,
    show_channel: bool,
    verbose: bool,
    /// The prefix of each named channel's lines, padded to the widest.
    prefixes: BTreeMap<ChannelId, String>,
    streams: StreamLabels,
    /// The line being written with a channel prefix, kept between records for its capacity.
    line: Vec<u8>,
    /// The lines written since the last write to `out` ([`write_lines`]).
    lines: Vec<u8>,
}

/// Whatever was not written yet: the last lines of a sink dropped without a
/// [`finish`](Sink::finish) (which writes them with the rest, and says when that fails).
impl<W: Write> Drop for HumanSink<W> {
    fn drop(&mut self) {
        let _ = self.out.write_all(&self.lines);
    }
}

impl<W: Write> HumanSink<W> {
    /// Human lines to `out`, coloured when `color`; `show_channel` starts each line with the
    /// channel (`[ch 1] `), for sources read on several channels.
    pub fn new(out: W, color: bool, show_channel: bool) -> Self {
        Self {
            out,
            color,
            show_channel,
            verbose: false,
            prefixes: BTreeMap::new(),
            streams: StreamLabels::default(),
            line: Vec::new(),
            lines: Vec::new(),
        }
    }

    /// Names the channels in the line prefix (`show_channel`): `[defmt]`, `[ph-eventing]`
    /// (`[ch N]` for a channel without a name), padded so that the lines after them line up.
    pub fn channels(mut self, channels: &[Channel]) -> Self {
        let tags: Vec<(ChannelId, String)> = channels
            .iter()
            .map(|c| {
                let tag = match &c.name {
                    Some(name) => format!("[{name}]"),
                    None => format!("[ch {}]", c.id),
                };
                (c.id, tag)
            })
            .collect();
        let width = tags
            .iter()
            .map(|(_, t)| t.chars().count())
            .max()
            .unwrap_or(0);
        self.prefixes = tags
            .into_iter()
            .map(|(id, tag)| {
                let pad = width - tag.chars().count();
                (id, format!("{tag}{} ", " ".repeat(pad)))
            })
            .collect();
        self
    }

    /// Shows where each log line was written (`file:line`, from the ELF's debug information).
    pub fn verbose(mut self, verbose: bool) -> Self {
        self.verbose = verbose;
        self
    }
}

impl<W: Write> Sink for HumanSink<W> {
    fn record(&mut self, record: &Record) -> Result<()> {
        if matches!(record.body, Body::Warning(_) | Body::Source(_)) {
            return Ok(());
        }
        if let Some(board) = &record.origin.board {
            self.lines.push(b'[');
            self.lines.extend_from_slice(board.as_str().as_bytes());
            self.lines.extend_from_slice(b"] ");
        }
        if !self.show_channel {
            // Straight into the lines gathered.
            let lines = &mut self.lines;
            if let Some(label) = self.streams.label(record) {
                lines.extend_from_slice(label.as_bytes());
            }
            write_line(record, self.color, self.verbose, lines);
            lines.push(b'\n');
            return write_lines(lines, &mut self.out, false);
        }
        let line = &mut self.line;
        line.clear();
        if let Some(label) = self.streams.label(record) {
            line.extend_from_slice(label.as_bytes());
        }
        write_line(record, self.color, self.verbose, line);
        let prefix = match self.prefixes.get(&record.origin.channel) {
            Some(prefix) => Cow::Borrowed(prefix.as_str()),
            None => Cow::Owned(format!("[ch {}] ", record.origin.channel)),
        };
        // A line of several lines (a panic message) stays in its column.
        if line.contains(&b'\n') {
            let indent = format!("\n{}", " ".repeat(prefix.chars().count()));
            let mut indented = Vec::with_capacity(line.len() + indent.len());
            for &b in line.iter() {
                if b == b'\n' {
                    indented.extend_from_slice(indent.as_bytes());
                } else {
                    indented.push(b);
                }
            }
            *line = indented;
        }
        self.lines.extend_from_slice(prefix.as_bytes());
        self.lines.extend_from_slice(line);
        self.lines.push(b'\n');
        write_lines(&mut self.lines, &mut self.out, false)
    }

    fn tick(&mut self, _stats: &Stats) -> Result<()> {
        write_lines(&mut self.lines, &mut self.out, true)?;
        self.out.flush().context(STDOUT_GONE)
    }

    fn finish(&mut self, _stats: &Stats) -> Result<()> {
        write_lines(&mut self.lines, &mut self.out, true)?;
        self.out.flush().context(STDOUT_GONE)
    }
}
