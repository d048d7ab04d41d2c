//! Sinks: where records go. Each output is one [`Sink`]; a pipeline runs several at once
//! (the chosen stdout format, the stderr status line, warnings and summary, `--save`).
//!
//! A new output (a dashboard, a UDP feed, a broker) is one more file here implementing
//! [`Sink`].

pub mod color;
mod csv;
mod digits;
mod filter;
mod human;
mod json;
mod lines;
mod plot_feed;
pub mod save;
mod status;
mod stream_labels;
mod stream_summary;
mod summary;
mod text;
pub mod tui;
mod udp;
mod warnings;

pub use csv::CsvSink;
pub use filter::StreamFilter;
pub use human::{HumanSink, line, line_with};
pub use json::JsonSink;
pub use plot_feed::{FEED_FIELDS, feed_object};
pub use save::SaveSink;
pub use status::StatusLine;
pub use summary::{Counts, SummarySink, summary_lines};
pub use text::render_value;
pub use tui::TuiSink;
pub use udp::{DEFAULT_ADDR, MAX_DATAGRAM, UdpSink, udp_address};
pub use warnings::WarningSink;

use std::time::Duration;

use anyhow::Result;

use crate::decode::{Accounting, LineCounts};
use crate::record::{ChannelId, Record};
use crate::source::SourceEvent;

/// What the pipeline knows about the whole run, handed to every sink on each tick and at the
/// end.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Raw bytes received, all channels.
    pub bytes: u64,
    /// Time since the pipeline started (for a recording being replayed: the recorded time
    /// reached, so a replay lasts what the live run lasted).
    pub elapsed: Duration,
    /// Each channel's loss accounting (channels with a decoder that has one), in channel order.
    pub channels: Vec<(ChannelId, Accounting)>,
    /// Each log and text channel's line counts, in channel order.
    pub lines: Vec<(ChannelId, LineCounts)>,
    /// How often the source came back after going away.
    pub reconnects: u64,
    /// How long the source was away in all (until now, if it is away now).
    pub away: Duration,
    /// The source is away now.
    pub away_now: bool,
}

/// One output of a pipeline. Every method has a default that does nothing, so a sink
/// implements only what it uses.
pub trait Sink {
    /// Called once before anything else (e.g. a CSV header).
    fn begin(&mut self) -> Result<()> {
        Ok(())
    }

    /// Raw bytes of `channel` as received, before decoding, and when they arrived (since the
    /// run started; for a recording being replayed, when they were recorded), for `--save`.
    fn bytes(&mut self, _channel: ChannelId, _at: Duration, _bytes: &[u8]) -> Result<()> {
        Ok(())
    }

    /// Something that happened to the source at `at`, before its record is handed to
    /// [`record`](Self::record) (for `--save`, which records it with its time).
    fn source_event(&mut self, _at: Duration, _event: &SourceEvent) -> Result<()> {
        Ok(())
    }

    /// One decoded record, in stream order.
    fn record(&mut self, _record: &Record) -> Result<()> {
        Ok(())
    }

    /// After each chunk of input, and a few times a second when there is none: flush, redraw.
    fn tick(&mut self, _stats: &Stats) -> Result<()> {
        Ok(())
    }

    /// The run ended (after the last record).
    fn finish(&mut self, _stats: &Stats) -> Result<()> {
        Ok(())
    }
}

/// The error context of a sink writing to stdout.
pub(crate) const STDOUT_GONE: &str = "cannot write to stdout (closed pipe?)";
