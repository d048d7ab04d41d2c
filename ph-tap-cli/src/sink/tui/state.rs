//! What the dashboard shows, updated once per record and drawn by [`render`](super::render):
//! the streams with their fields' histories and counters, the loss marks, the newest log lines.
//! Every part is bounded, whatever the run's length.

use std::collections::{HashMap, VecDeque};

use ph_eventing_wire::accounting::Event;

use super::fields::{encoded_fields, numeric_fields};
use super::series::Series;
use super::view::{Axis, View};
use crate::record::{Body, ChannelId, Record};
use crate::sink::text::value_text;
use crate::sink::{Counts, Stats};
use crate::source::SourceEvent;

/// Streams tracked (further ones are counted in the totals only).
pub const MAX_STREAMS: usize = 64;
/// Numeric fields tracked per stream.
pub const MAX_FIELDS: usize = 32;
/// Loss marks kept for the timeline, at most.
pub const MAX_MARKS: usize = 4096;
/// Marks of one kind closer than this (seconds) are one mark, their counts added; doubled each
/// time the marks reach [`MAX_MARKS`], so the timeline holds the whole run.
pub const MARK_MERGE: f64 = 0.01;
/// Log lines kept for the log pane.
pub const MAX_LOGS: usize = 200;
/// Recent `(time, frames)` samples of a stream, for its rate.
const RATE_SAMPLES: usize = 64;
/// The span a rate is measured over, in seconds.
const RATE_SPAN: f64 = 2.0;

/// What a mark of the loss timeline stands for: one row each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LossKind {
    /// Values dropped in the target's ring (or refused by a full queue).
    Ring,
    /// Values lost on the link.
    Link,
    /// A damaged frame was skipped.
    Corrupt,
    /// The target reset.
    Reset,
}

impl LossKind {
    /// The rows of the timeline, top to bottom.
    pub const ALL: [Self; 4] = [Self::Ring, Self::Link, Self::Corrupt, Self::Reset];

    /// The row's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Ring => "ring",
            Self::Link => "link",
            Self::Corrupt => "corrupt",
            Self::Reset => "reset",
        }
    }
}

/// One mark of the loss timeline.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mark {
    /// When, in seconds on the dashboard's clock.
    pub at: f64,
    /// What.
    pub kind: LossKind,
    /// How many values (1 for a corrupt frame or a reset).
    pub count: u64,
}

/// One numeric field of a stream.
#[derive(Clone, Debug)]
pub struct Field {
    /// Its dotted name.
    pub name: String,
    /// Its history.
    pub series: Series,
    /// Charted.
    pub shown: bool,
}

/// One stream of one channel, and what the dashboard counted of it.
#[derive(Clone, Debug)]
pub struct StreamState {
    /// The channel it is on.
    pub channel: ChannelId,
    /// Its id on the link.
    pub id: Option<u8>,
    /// Its label: its name, `stream N`, or `channel N`.
    pub label: String,
    /// Its numeric fields, in the order they first appeared.
    pub fields: Vec<Field>,
    index: HashMap<String, usize>,
    /// Values received.
    pub frames: u64,
    /// Values dropped in the ring or refused.
    pub dropped: u64,
    /// Values lost on the link.
    pub link_lost: u64,
    /// The latest value's sequence number.
    pub last_seq: Option<u32>,
    /// The latest value, as text (for a value with no numeric field).
    pub last_text: String,
    rate: VecDeque<(f64, u64)>,
}

impl StreamState {
    fn new(channel: ChannelId, id: Option<u8>, label: String) -> Self {
        Self {
            channel,
            id,
            label,
            fields: Vec::new(),
            index: HashMap::new(),
            frames: 0,
            dropped: 0,
            link_lost: 0,
            last_seq: None,
            last_text: String::new(),
            rate: VecDeque::new(),
        }
    }

    /// The `n`-th numeric leaf of the value being added, named `name`: usually the field at
    /// `n` (values of a stream share their layout), else looked up by name.
    fn add_point(&mut self, n: usize, name: &str, at: f64, v: f64) {
        let i = match self.fields.get(n) {
            Some(field) if field.name == name => n,
            _ => match self.index.get(name) {
                Some(&i) => i,
                None if self.fields.len() < MAX_FIELDS => {
                    let i = self.fields.len();
                    self.index.insert(name.to_owned(), i);
                    self.fields.push(Field {
                        name: name.to_owned(),
                        series: Series::default(),
                        // The first field of a stream is charted from the start.
                        shown: i == 0,
                    });
                    i
                }
                None => return,
            },
        };
        self.fields[i].series.push(at, v);
    }

    /// Values per second over the last couple of seconds (on the dashboard's clock).
    pub fn rate(&self) -> f64 {
        match (self.rate.front(), self.rate.back()) {
            (Some(&(t0, n0)), Some(&(t1, n1))) if t1 > t0 => (n1 - n0) as f64 / (t1 - t0),
            _ => 0.0,
        }
    }

    fn sample_rate(&mut self, now: f64) {
        if self.rate.back().is_some_and(|&(t, _)| t >= now) {
            return;
        }
        self.rate.push_back((now, self.frames));
        while self.rate.len() > RATE_SAMPLES
            || self.rate.front().is_some_and(|&(t, _)| now - t > RATE_SPAN)
        {
            self.rate.pop_front();
        }
    }
}

/// A source event as one line of the log pane.
fn source_line(event: &SourceEvent) -> String {
    match event {
        SourceEvent::Lost { what, reason } => format!("{what} lost: {reason}"),
        SourceEvent::Back { what, away } => {
            format!("{what} back after {:.1} s", away.as_secs_f64())
        }
        SourceEvent::Reattached { control_block } => {
            format!("RTT control block found again at {control_block:#010x}")
        }
        SourceEvent::Skipped { reason } => format!("capture skipped: {reason}"),
    }
}

/// The dashboard's model: everything it draws, and the view (window, pause, focus).
#[derive(Debug, Default)]
pub struct Dashboard {
    /// The streams, in the order they were first heard from.
    pub streams: Vec<StreamState>,
    /// The loss marks, oldest first.
    pub marks: VecDeque<Mark>,
    /// The newest log, loss and warning lines, oldest first.
    pub logs: VecDeque<String>,
    /// The latest position on the window's axis: the latest time seen, in seconds (records,
    /// ticks), or the values received (a run without times).
    pub now: f64,
    /// Values received, all streams.
    pub values: u64,
    /// The pipeline's totals as of the latest tick.
    pub stats: Stats,
    /// What is shown of it, and how.
    pub view: View,
    /// The input ended (the capture, the demo, the source): the note the dashboard shows.
    pub ended: Option<String>,
    /// Marks of one kind closer than this are merged (at least [`MARK_MERGE`]).
    mark_merge: f64,
}

impl Dashboard {
    /// A dashboard of a run whose records carry no time (a raw capture, `--no-time`): charted
    /// against the values' order.
    pub fn by_values() -> Self {
        Self {
            view: View::by_values(),
            ..Self::default()
        }
    }

    /// Adds one record.
    pub fn record(&mut self, record: &Record) {
        if matches!(record.body, Body::Value { .. } | Body::Encoded { .. }) {
            self.values += 1;
        }
        let at = match (self.view.axis, record.at) {
            (Axis::Values, _) => {
                self.now = self.values as f64;
                self.now
            }
            (Axis::Seconds, Some(at)) => {
                self.now = self.now.max(at.as_secs_f64());
                at.as_secs_f64()
            }
            (Axis::Seconds, None) => self.now,
        };
        match &record.body {
            Body::Value { seq, value } => {
                if let Some(stream) = self.stream(record) {
                    stream.frames += 1;
                    stream.last_seq = Some(*seq);
                    let mut n = 0;
                    numeric_fields(value, &mut |name, v| {
                        stream.add_point(n, name, at, v);
                        n += 1;
                    });
                    if n == 0 {
                        stream.last_text = value_text(value);
                    }
                }
            }
            Body::Encoded { seq, value } => {
                if let Some(stream) = self.stream(record) {
                    stream.frames += 1;
                    stream.last_seq = Some(*seq);
                    let mut n = 0;
                    encoded_fields(value, &mut |name, v| {
                        stream.add_point(n, name, at, v);
                        n += 1;
                    });
                    if n == 0 {
                        stream.last_text = value_text(&value.value());
                    }
                }
            }
            Body::Event(event) => self.event(record, at, event),
            Body::Rejected(err) => {
                self.mark(at, LossKind::Corrupt, 1);
                self.log(format!("corrupt frame skipped: {}", err.reason()));
            }
            Body::Log(line) => {
                let level = line.level.map_or("PRINT", |l| l.as_str());
                self.log(format!("{level:<5} {}", line.message));
            }
            Body::Text(line) => self.log(line.text.clone()),
            Body::Warning(warning) => self.log(format!("warning: {warning}")),
            Body::Hello(hello) => {
                let label = self.stream(record).map(|s| s.label.clone());
                self.log(format!(
                    "hello from boot {:#010x}{}",
                    hello.boot_id,
                    label.map_or(String::new(), |l| format!(" ({l})"))
                ));
            }
            Body::Unplaced { values } => {
                self.log(format!("{} unplaced values", values.len()));
            }
            Body::Source(event) => self.log(source_line(event)),
        }
    }

    fn event(&mut self, record: &Record, at: f64, event: &Event) {
        let label = self.stream(record).map(|s| s.label.clone());
        let (kind, count) = match *event {
            Event::RingDrop { count, .. } | Event::Refused { count, .. } => {
                if let Some(s) = self.stream(record) {
                    s.dropped += u64::from(count);
                }
                (Some(LossKind::Ring), u64::from(count))
            }
            Event::LinkLoss { count, .. } => {
                if let Some(s) = self.stream(record) {
                    s.link_lost += u64::from(count);
                }
                (Some(LossKind::Link), u64::from(count))
            }
            Event::TargetReset { .. } => (Some(LossKind::Reset), 1),
            Event::SeqWrap | Event::Duplicate { .. } | Event::Unplaced { .. } => (None, 0),
        };
        if let Some(kind) = kind {
            self.mark(at, kind, count);
        }
        let prefix = label.map_or(String::new(), |l| format!("{l}: "));
        self.log(format!("{prefix}{event}"));
    }

    /// The stream of `record` (a new one on its first record), `None` past [`MAX_STREAMS`].
    fn stream(&mut self, record: &Record) -> Option<&mut StreamState> {
        let channel = record.origin.channel;
        let tag = record.origin.stream.as_ref();
        let id = tag.map(|t| t.id);
        let i = match self
            .streams
            .iter()
            .position(|s| s.channel == channel && s.id == id)
        {
            Some(i) => i,
            None if self.streams.len() < MAX_STREAMS => {
                let label = match tag {
                    Some(tag) if tag.is_named() => tag.to_string(),
                    _ => format!("channel {channel}"),
                };
                self.streams.push(StreamState::new(channel, id, label));
                self.streams.len() - 1
            }
            None => return None,
        };
        let stream = &mut self.streams[i];
        // A hello names the stream later than its first record.
        if let Some(tag) = tag
            && tag.name.is_some()
            && stream.label != tag.to_string()
        {
            stream.label = tag.to_string();
        }
        Some(stream)
    }

    fn mark(&mut self, at: f64, kind: LossKind, count: u64) {
        let merge = self.mark_merge.max(MARK_MERGE);
        // The newest mark of this kind is among the last few (four kinds).
        if let Some(last) = self.marks.iter_mut().rev().take(8).find(|m| m.kind == kind)
            && (at - last.at).abs() < merge
        {
            last.count += count;
            return;
        }
        while self.marks.len() >= MAX_MARKS {
            self.compact();
        }
        self.marks.push_back(Mark { at, kind, count });
    }

    /// Doubles the merge distance and merges the marks again with it.
    fn compact(&mut self) {
        let merge = self.mark_merge.max(MARK_MERGE) * 2.0;
        self.mark_merge = merge;
        let mut kept: VecDeque<Mark> = VecDeque::with_capacity(self.marks.len());
        let mut last: HashMap<LossKind, usize> = HashMap::new();
        for mark in self.marks.drain(..) {
            match last.get(&mark.kind) {
                Some(&i) if mark.at - kept[i].at < merge => kept[i].count += mark.count,
                _ => {
                    last.insert(mark.kind, kept.len());
                    kept.push_back(mark);
                }
            }
        }
        self.marks = kept;
    }

    /// Adds a line to the log pane.
    pub fn log(&mut self, line: String) {
        if self.logs.len() == MAX_LOGS {
            self.logs.pop_front();
        }
        self.logs.push_back(line);
    }

    /// The pipeline's totals, and its clock, as of now; samples each stream's rate (per second
    /// of the pipeline's clock, whatever the window counts).
    pub fn tick(&mut self, stats: &Stats) {
        let clock = stats.elapsed.as_secs_f64();
        if self.view.axis == Axis::Seconds {
            self.now = self.now.max(clock);
        }
        self.stats = stats.clone();
        for stream in &mut self.streams {
            stream.sample_rate(clock);
        }
    }

    /// The totals over every channel.
    pub fn counts(&self) -> Counts {
        Counts::of(&self.stats)
    }

    /// The stream the number keys pick fields of.
    pub fn focused(&self) -> Option<&StreamState> {
        self.streams
            .get(self.view.focus % self.streams.len().max(1))
    }

    /// Charts or hides field `n` (from 0) of the focused stream.
    pub fn toggle_field(&mut self, n: usize) {
        let count = self.streams.len().max(1);
        if let Some(stream) = self.streams.get_mut(self.view.focus % count)
            && let Some(field) = stream.fields.get_mut(n)
        {
            field.shown = !field.shown;
        }
    }

    /// Charts every field of the focused stream, or hides them all when all are charted.
    pub fn toggle_all_fields(&mut self) {
        let count = self.streams.len().max(1);
        if let Some(stream) = self.streams.get_mut(self.view.focus % count) {
            let show = !stream.fields.iter().all(|f| f.shown);
            for field in &mut stream.fields {
                field.shown = show;
            }
        }
    }

    /// Moves the focus to the next stream.
    pub fn next_stream(&mut self) {
        self.view.focus = (self.view.focus + 1) % self.streams.len().max(1);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::record::Origin;
    use crate::stream::StreamTag;

    fn at(secs: f64, body: Body) -> Record {
        Record {
            origin: Origin {
                channel: 0,
                stream: Some(StreamTag::new(0, "samples")),
                board: None,
            },
            at: Some(Duration::from_secs_f64(secs)),
            body,
        }
    }

    #[test]
    fn values_fill_fields_and_losses_become_marks_and_lines() {
        let mut d = Dashboard::default();
        for i in 0..10u32 {
            d.record(&at(
                f64::from(i) * 0.1,
                Body::Value {
                    seq: i + 1,
                    value: serde_json::json!({"t": i, "ok": i % 2 == 0}),
                },
            ));
        }
        d.record(&at(
            1.5,
            Body::Event(Event::LinkLoss {
                count: 3,
                first_seq: 11,
                last_seq: 13,
            }),
        ));
        let s = &d.streams[0];
        assert_eq!(s.label, "samples");
        assert_eq!(s.frames, 10);
        assert_eq!(s.link_lost, 3);
        let names: Vec<&str> = s.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["t", "ok"]);
        assert_eq!(s.fields[0].series.latest(), Some(9.0));
        assert!(s.fields[0].shown && !s.fields[1].shown);
        assert_eq!(
            d.marks.back(),
            Some(&Mark {
                at: 1.5,
                kind: LossKind::Link,
                count: 3
            })
        );
        assert_eq!(
            d.logs.back().map(String::as_str),
            Some("samples: LINK LOSS 3 (seq 11..13)")
        );
        assert_eq!(d.now, 1.5);
    }

    #[test]
    fn every_part_stays_bounded() {
        let mut d = Dashboard::default();
        for i in 0..(MAX_LOGS + MAX_MARKS + 10) {
            d.record(&at(
                i as f64,
                Body::Event(Event::TargetReset { boot_id: None }),
            ));
        }
        assert!(d.marks.len() <= MAX_MARKS);
        assert_eq!(d.logs.len(), MAX_LOGS);
        let mut fields = serde_json::Map::new();
        for i in 0..(MAX_FIELDS + 5) {
            fields.insert(format!("f{i}"), i.into());
        }
        d.record(&at(
            0.0,
            Body::Value {
                seq: 1,
                value: fields.into(),
            },
        ));
        assert_eq!(d.streams[0].fields.len(), MAX_FIELDS);
    }

    #[test]
    fn close_marks_merge_and_a_full_timeline_still_holds_the_whole_run() {
        let mut d = Dashboard::default();
        let drop = |n| {
            Body::Event(Event::RingDrop {
                count: n,
                first_seq: 1,
                last_seq: n,
            })
        };
        d.record(&at(1.0, drop(2)));
        d.record(&at(1.005, drop(3)));
        assert_eq!(d.marks.len(), 1, "5 ms apart: one mark");
        assert_eq!(d.marks[0].count, 5);
        let mut d = Dashboard::default();
        let n = MAX_MARKS * 3;
        for i in 0..n {
            d.record(&at(i as f64 * 0.02, drop(1)));
        }
        assert!(d.marks.len() <= MAX_MARKS, "{}", d.marks.len());
        assert_eq!(
            d.marks[0].at, 0.0,
            "the first loss is still on the timeline"
        );
        let total: u64 = d.marks.iter().map(|m| m.count).sum();
        assert_eq!(total, n as u64, "no loss left out");
        assert_eq!(d.streams[0].dropped, n as u64);
    }

    #[test]
    fn without_times_the_axis_counts_values() {
        let mut d = Dashboard::by_values();
        let untimed = |body| Record {
            origin: Origin::channel(0),
            at: None,
            body,
        };
        for i in 0..30u32 {
            d.record(&untimed(Body::Value {
                seq: i + 1,
                value: i.into(),
            }));
        }
        d.record(&untimed(Body::Event(Event::RingDrop {
            count: 5,
            first_seq: 31,
            last_seq: 35,
        })));
        d.tick(&Stats {
            elapsed: Duration::from_secs(9),
            ..Stats::default()
        });
        assert_eq!(d.now, 30.0, "the clock does not move the axis");
        assert_eq!(d.marks[0].at, 30.0, "after the 30th value");
        assert_eq!(d.streams[0].fields[0].name, "value");
        assert_eq!(
            d.streams[0].fields[0].series.range(0.0, 1.0),
            Some((0.0, 0.0))
        );
    }
}
