//! [`PlotSink`]: the sink that collects a chart per stream as the records come, and draws
//! them into the output file at the end.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use ph_eventing_wire::accounting::{Event, Gap};
use ph_eventing_wire::value::visit_value;

use super::chart::Chart;
use super::fields::{FieldWalk, selects};
use super::format::PlotFormat;
use super::loss::LossKind;
use super::position::{XAxis, seconds};
use super::render::Picture;
use crate::record::{Body, ChannelId, Record};
use crate::sink::{Sink, Stats};
use crate::stream::{StreamSelector, StreamTag};

/// What to plot, and how big.
#[derive(Clone, Debug)]
pub struct PlotOptions {
    /// Over sequence numbers or arrival time.
    pub x: XAxis,
    /// `--field`: the fields to plot, by name or a prefix of names (`a` for `a.b`); every
    /// numeric field when empty.
    pub fields: Vec<String>,
    /// `--stream`: the streams to plot; every stream when empty.
    pub streams: Vec<StreamSelector>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels; `None`: 720, or 360 a chart for several (at most 8000 in all).
    pub height: Option<u32>,
    /// What the plot is of (the capture's file name): the charts' captions start with it.
    pub title: String,
}

impl Default for PlotOptions {
    fn default() -> Self {
        Self {
            x: XAxis::Seq,
            fields: Vec::new(),
            streams: Vec::new(),
            width: 1280,
            height: None,
            title: "ph-tap plot".into(),
        }
    }
}

/// Collects, for each stream chosen, a decimated series per numeric field chosen and the ranges
/// where values were lost; [`finish`](Sink::finish) draws them, one chart per stream stacked,
/// into the output file.
///
/// Memory stays bounded: a series keeps at most two points per column of half a pixel
/// ([`Columns`](super::Columns)), and a loss is one small range.
///
/// ```
/// use ph_tap::plot::{PlotFormat, PlotOptions, PlotSink};
/// use ph_tap::record::{Body, Origin, Record};
/// use ph_tap::sink::{Sink, Stats};
/// use ph_tap::stream::StreamTag;
/// let dir = tempfile::tempdir().unwrap();
/// let out = dir.path().join("plot.svg");
/// let mut sink = PlotSink::new(&out, PlotOptions::default()).unwrap();
/// for seq in 1..=10u32 {
///     sink.record(&Record {
///         origin: Origin { channel: 0, stream: Some(StreamTag::new(0, "")), board: None },
///         at: None,
///         body: Body::Value { seq, value: serde_json::json!({"t": seq * 2}) },
///     }).unwrap();
/// }
/// sink.finish(&Stats::default()).unwrap();
/// assert!(std::fs::read_to_string(&out).unwrap().starts_with("<svg"));
/// ```
pub struct PlotSink {
    output: PathBuf,
    format: PlotFormat,
    options: PlotOptions,
    charts: Vec<Chart>,
    /// The chart of the latest record (most records follow one of the same stream).
    latest: usize,
    /// Every stream seen, chosen or not (for the error of a `--stream` that matches none).
    streams: Vec<(ChannelId, StreamTag)>,
    /// Damaged frames, by channel and arrival time (`--x time` only).
    corrupt: Vec<(ChannelId, f64)>,
    walk: FieldWalk,
}

impl PlotSink {
    /// A sink that will draw into `output`, as its extension says (`.svg`, `.png`); a bad
    /// extension is the error, before anything is read.
    pub fn new(output: &Path, options: PlotOptions) -> Result<Self> {
        let format = PlotFormat::from_path(output)?;
        Ok(Self {
            output: output.to_owned(),
            format,
            options,
            charts: Vec::new(),
            latest: 0,
            streams: Vec::new(),
            corrupt: Vec::new(),
            walk: FieldWalk::default(),
        })
    }

    /// The charts collected so far, one per stream chosen, in the order the streams came.
    pub fn charts(&self) -> &[Chart] {
        &self.charts
    }

    /// The chart of `tag` on `channel`, made if new; `None` for a stream not chosen.
    fn chart(&mut self, channel: ChannelId, tag: &StreamTag) -> Option<usize> {
        if let Some(chart) = self.charts.get(self.latest)
            && chart.channel == channel
            && chart.stream.id == tag.id
        {
            return Some(self.latest);
        }
        match self
            .streams
            .iter_mut()
            .find(|(c, t)| *c == channel && t.id == tag.id)
        {
            Some((_, seen)) if seen.name.is_none() => *seen = tag.clone(),
            Some(_) => {}
            None => self.streams.push((channel, tag.clone())),
        }
        if !StreamSelector::any(&self.options.streams, tag) {
            return None;
        }
        let found = self
            .charts
            .iter()
            .position(|c| c.channel == channel && c.stream.id == tag.id);
        let index = found.unwrap_or_else(|| {
            let resolution = match self.options.x {
                XAxis::Seq => 1.0,
                XAxis::Time => 1e-6,
            };
            // Two columns a pixel: a column's lowest and highest point each get theirs.
            let columns = self.options.width as usize * 2;
            self.charts
                .push(Chart::new(channel, tag.clone(), (resolution, columns)));
            self.charts.len() - 1
        });
        self.latest = index;
        Some(index)
    }

    fn value(&mut self, index: usize, record: &Record, seq: u32) {
        let Some(chart) = self.charts.get_mut(index) else {
            return;
        };
        let x = match (self.options.x, record.at) {
            (XAxis::Seq, _) => chart.line.place(seq),
            (XAxis::Time, Some(at)) => seconds(at),
            (XAxis::Time, None) => return,
        };
        chart.values += 1;
        chart.last_x = Some(x);
        let fields = &self.options.fields;
        let mut add = |name: &str, y: f64| chart.point(fields, name, x, y);
        match &record.body {
            Body::Encoded { value, .. } => {
                // A value that does not match its schema has no fields: nothing to plot.
                let _ = visit_value(
                    &value.schema,
                    &value.bytes,
                    &mut self.walk.visitor(&mut add),
                );
            }
            Body::Value { value, .. } => self.walk.json(value, &mut add),
            _ => {}
        }
    }

    fn event(&mut self, index: usize, record: &Record, event: &Event) {
        let Some(chart) = self.charts.get_mut(index) else {
            return;
        };
        let time = record.at.map(seconds);
        let over_time = |chart: &Chart| time.map(|t| (chart.last_x.unwrap_or(t), t));
        if let Some(Gap {
            count,
            first_seq,
            last_seq,
        }) = event.gap()
        {
            let kind = match event {
                Event::RingDrop { .. } => LossKind::RingDrop,
                Event::Refused { .. } => LossKind::Refused,
                _ => LossKind::LinkLoss,
            };
            let seq_range = chart.line.range(first_seq, last_seq);
            let range = match self.options.x {
                XAxis::Seq => Some(seq_range),
                XAxis::Time => over_time(chart),
            };
            if let Some((from, to)) = range {
                chart.loss(kind, from, to, Some(count));
            }
        } else if let Event::TargetReset { .. } = event {
            let at = chart.line.reset();
            let range = match self.options.x {
                XAxis::Seq => Some((at, at)),
                XAxis::Time => over_time(chart),
            };
            if let Some((from, to)) = range {
                chart.loss(LossKind::Reset, from, to, None);
            }
        }
    }

    /// The one-line error of a plot with nothing to draw, or of a `--stream` or `--field` that
    /// matches nothing.
    fn check(&self) -> Result<()> {
        let title = &self.options.title;
        for selector in &self.options.streams {
            if !self.streams.iter().any(|(_, tag)| selector.matches(tag)) {
                let seen: Vec<String> = self
                    .streams
                    .iter()
                    .map(|(_, tag)| format!("{tag} ({})", tag.id))
                    .collect();
                let seen = if seen.is_empty() {
                    "none".to_owned()
                } else {
                    seen.join(", ")
                };
                bail!(
                    "--stream {selector} matches no stream of {title}; its streams: {seen} (give a name or an id of one of them)"
                );
            }
        }
        if self.charts.iter().all(|c| c.values == 0) {
            bail!(
                "{title} holds no telemetry values to plot (`ph-tap decode` shows what it holds)"
            );
        }
        let mut fields: Vec<&str> = Vec::new();
        for name in self.charts.iter().flat_map(|c| &c.fields) {
            if !fields.contains(&name.as_str()) {
                fields.push(name);
            }
        }
        if fields.is_empty() {
            bail!(
                "the values of {title} have no numeric field to plot (booleans and text are not plotted; a stream without a schema needs --value-as with a number type, such as --value-as u32)"
            );
        }
        for selector in &self.options.fields {
            if !fields.iter().any(|name| selects(selector, name)) {
                bail!(
                    "--field {selector} matches no numeric field; the fields are: {} (give one of them, or a prefix such as `a` for `a.b`)",
                    fields.join(", ")
                );
            }
        }
        Ok(())
    }

    /// The caption of `chart`: the title, and the stream when there are several or it has a
    /// name.
    fn caption(&self, chart: &Chart, several: bool) -> String {
        if several || chart.stream.is_named() {
            format!("{}: {}", self.options.title, chart.stream)
        } else {
            self.options.title.clone()
        }
    }
}

impl Sink for PlotSink {
    fn record(&mut self, record: &Record) -> Result<()> {
        let Some(tag) = &record.origin.stream else {
            if let (Body::Rejected(_), XAxis::Time, Some(at)) =
                (&record.body, self.options.x, record.at)
            {
                self.corrupt.push((record.origin.channel, seconds(at)));
            }
            return Ok(());
        };
        let Some(index) = self.chart(record.origin.channel, tag) else {
            return Ok(());
        };
        if let Some(chart) = self.charts.get_mut(index)
            && chart.stream.name.is_none()
            && tag.name.is_some()
        {
            chart.stream = tag.clone();
        }
        match &record.body {
            Body::Value { seq, .. } | Body::Encoded { seq, .. } => {
                self.value(index, record, *seq);
            }
            Body::Event(event) => self.event(index, record, event),
            _ => {}
        }
        Ok(())
    }

    fn finish(&mut self, _stats: &Stats) -> Result<()> {
        self.check()?;
        for chart in &mut self.charts {
            for &(channel, at) in &self.corrupt {
                if channel == chart.channel {
                    chart.loss(LossKind::Corrupt, at, at, None);
                }
            }
        }
        let charts: Vec<&Chart> = self
            .charts
            .iter()
            .filter(|c| c.series.iter().any(|s| s.columns.x_range().is_some()))
            .collect();
        if charts.is_empty() {
            bail!(
                "the fields chosen have no value in the streams chosen: leave out --field or --stream to see what there is"
            );
        }
        let several = charts.len() > 1;
        let titles: Vec<String> = charts.iter().map(|c| self.caption(c, several)).collect();
        let height = self.options.height.unwrap_or_else(|| {
            let count = u32::try_from(charts.len()).unwrap_or(u32::MAX);
            count.saturating_mul(360).clamp(720, 8000)
        });
        let picture = Picture {
            charts: &charts,
            titles: &titles,
            x: self.options.x,
            size: (self.options.width, height),
        };
        let bytes = picture.render(self.format)?;
        std::fs::write(&self.output, bytes).with_context(|| {
            format!(
                "cannot write the plot to {}: check that its folder exists and is writable",
                self.output.display()
            )
        })
    }
}
