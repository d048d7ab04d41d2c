//! The default human format: one line per value, loud lines for every loss.

use std::fmt::Write as _;
use std::io::Write;

use anyhow::{Context, Result};
use ph_eventing_wire::accounting::Event;
use ph_eventing_wire::frame::FrameErrorKind;

use super::color::Style;
use super::text::{render_value, value_text};
use super::{STDOUT_GONE, Sink, Stats};
use crate::record::{Body, Record};

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
    let mut out = match &record.body {
        Body::Value { seq, value } => format!("{seq:>10}  {}", value_text(value)),
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

fn event_style(event: &Event) -> Style {
    match event {
        Event::RingDrop { .. } => Style::Loss,
        Event::LinkLoss { .. } | Event::Unplaced { .. } => Style::Damage,
        Event::TargetReset { .. } => Style::Reset,
        Event::SeqWrap | Event::Duplicate { .. } => Style::Info,
    }
}

/// `--format human` on a writer (stdout). Warnings and what happens to the source are left to
/// the [`WarningSink`](super::WarningSink) on stderr.
pub struct HumanSink<W: Write> {
    out: W,
    color: bool,
    show_channel: bool,
}

impl<W: Write> HumanSink<W> {
    /// Human lines to `out`, coloured when `color`; `show_channel` starts each line with the
    /// channel (`[ch 1] `), for sources read on several channels.
    pub fn new(out: W, color: bool, show_channel: bool) -> Self {
        Self {
            out,
            color,
            show_channel,
        }
    }
}

impl<W: Write> Sink for HumanSink<W> {
    fn record(&mut self, record: &Record) -> Result<()> {
        if matches!(record.body, Body::Warning(_) | Body::Source(_)) {
            return Ok(());
        }
        if self.show_channel {
            write!(self.out, "[ch {}] ", record.origin.channel).context(STDOUT_GONE)?;
        }
        writeln!(self.out, "{}", line(record, self.color)).context(STDOUT_GONE)
    }

    fn tick(&mut self, _stats: &Stats) -> Result<()> {
        self.out.flush().context(STDOUT_GONE)
    }

    fn finish(&mut self, _stats: &Stats) -> Result<()> {
        self.out.flush().context(STDOUT_GONE)
    }
}
