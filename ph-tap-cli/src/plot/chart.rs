//! What one stream's chart collects as the records come: a series per numeric field chosen,
//! decimated ([`Columns`]), and the ranges where values were lost ([`Loss`]).

use std::collections::HashMap;

use super::columns::Columns;
use super::fields::selects;
use super::loss::{Loss, LossKind};
use super::position::SeqLine;
use crate::record::ChannelId;
use crate::stream::StreamTag;

/// One numeric field of a stream, over x.
#[derive(Clone, Debug)]
pub struct Series {
    /// The field's name (`a.b`, `a[0]`, `value`).
    pub name: String,
    /// Its points.
    pub columns: Columns,
}

/// One stream's chart, as collected so far.
#[derive(Clone, Debug)]
pub struct Chart {
    /// The channel the stream is on.
    pub channel: ChannelId,
    /// The stream, as its latest record named it.
    pub stream: StreamTag,
    /// The numeric fields chosen, in the order they first came.
    pub series: Vec<Series>,
    /// Every numeric field seen, chosen or not (for the error of a `--field` that matches
    /// none), in the order they first came.
    pub fields: Vec<String>,
    /// The ranges to shade, in the order they came.
    pub losses: Vec<Loss>,
    /// Values seen (a value with no numeric field counts too).
    pub values: u64,
    /// Where the stream's sequence numbers go on x.
    pub(super) line: SeqLine,
    /// The x of the latest value (where a loss over time starts).
    pub(super) last_x: Option<f64>,
    /// A field's index in `series` (`None`: seen, not chosen).
    index: HashMap<String, Option<usize>>,
    /// The column width a new series starts with, and the most columns it keeps.
    resolution: (f64, usize),
}

impl Chart {
    /// An empty chart of `stream` on `channel`; its series start with columns `resolution.0`
    /// wide and keep at most `resolution.1`.
    pub fn new(channel: ChannelId, stream: StreamTag, resolution: (f64, usize)) -> Self {
        Self {
            channel,
            stream,
            series: Vec::new(),
            fields: Vec::new(),
            losses: Vec::new(),
            values: 0,
            line: SeqLine::default(),
            last_x: None,
            index: HashMap::new(),
            resolution,
        }
    }

    /// Adds field `name`'s number `y` at `x`, if `chosen` (the `--field`s; all when empty)
    /// chooses it.
    pub fn point(&mut self, chosen: &[String], name: &str, x: f64, y: f64) {
        let slot = match self.index.get(name) {
            Some(slot) => *slot,
            None => {
                let slot = (chosen.is_empty() || chosen.iter().any(|c| selects(c, name)))
                    .then_some(self.series.len());
                if slot.is_some() {
                    self.series.push(Series {
                        name: name.to_owned(),
                        columns: Columns::new(self.resolution.0, self.resolution.1),
                    });
                }
                self.fields.push(name.to_owned());
                self.index.insert(name.to_owned(), slot);
                slot
            }
        };
        if let Some(series) = slot.and_then(|i| self.series.get_mut(i)) {
            series.columns.push(x, y);
        }
    }

    /// Adds a loss of `kind` over `from..=to`.
    pub fn loss(&mut self, kind: LossKind, from: f64, to: f64, count: Option<u32>) {
        self.losses.push(Loss {
            kind,
            from: from.min(to),
            to: from.max(to),
            count,
        });
    }

    /// The range of x the chart covers: its points and its losses.
    pub fn x_range(&self) -> Option<(f64, f64)> {
        let points = self.series.iter().filter_map(|s| s.columns.x_range());
        let losses = self.losses.iter().map(|l| (l.from, l.to));
        points
            .chain(losses)
            .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
    }

    /// The range of y of its points.
    pub fn y_range(&self) -> Option<(f64, f64)> {
        self.series
            .iter()
            .filter_map(|s| s.columns.y_range())
            .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
    }
}
