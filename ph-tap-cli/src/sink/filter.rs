//! `--stream`: only the chosen streams' records reach the output format; everything else (the
//! accounting, the summary, `--save`) still sees every stream.

use std::collections::BTreeSet;

use anyhow::Result;

use super::{Sink, Stats};
use crate::record::{ChannelId, Record};
use crate::source::SourceEvent;
use crate::stream::{StreamSelector, StreamTag};

/// Passes to `inner` the records of the streams `selectors` choose, and every record of no
/// stream (rejected frames, log lines, warnings); all of them with no selector. At the end, a
/// selector that matched no stream seen is one warning on stderr naming the streams that were
/// seen (a stream may announce itself late, so this is no error mid-run).
///
/// ```
/// use ph_tap::record::{Body, Origin, Record};
/// use ph_tap::sink::{JsonSink, Sink, StreamFilter};
/// use ph_tap::stream::StreamTag;
/// let value = |id, name| Record {
///     origin: Origin { channel: 0, stream: Some(StreamTag::new(id, name)), board: None },
///     at: None,
///     body: Body::Value { seq: 1, value: 5.into() },
/// };
/// let mut out = Vec::new();
/// let mut sink = StreamFilter::new(JsonSink::new(&mut out, false, false), vec!["events".parse().unwrap()]);
/// sink.record(&value(0, "samples")).unwrap();
/// sink.record(&value(2, "events")).unwrap();
/// assert_eq!(sink.unmatched(), Vec::<String>::new());
/// drop(sink);
/// assert_eq!(String::from_utf8(out).unwrap().lines().count(), 1);
/// ```
pub struct StreamFilter<S> {
    inner: S,
    selectors: Vec<StreamSelector>,
    seen: BTreeSet<(ChannelId, StreamTag)>,
    /// The stream of the latest record, already in `seen`.
    last: Option<(ChannelId, StreamTag)>,
}

impl<S: Sink> StreamFilter<S> {
    /// `inner`, showing only the streams `selectors` choose (every stream when empty).
    pub fn new(inner: S, selectors: Vec<StreamSelector>) -> Self {
        Self {
            inner,
            selectors,
            seen: BTreeSet::new(),
            last: None,
        }
    }

    /// The selectors that matched no stream seen so far.
    pub fn unmatched(&self) -> Vec<String> {
        self.selectors
            .iter()
            .filter(|s| !self.seen.iter().any(|(_, tag)| s.matches(tag)))
            .map(ToString::to_string)
            .collect()
    }

    /// The streams seen, as the warning lists them: `samples (0), stream 1 (1)`.
    fn seen_list(&self) -> String {
        let mut names: Vec<String> = Vec::new();
        for (channel, tag) in &self.seen {
            // A stream is seen without a name before its hello, and with one after it.
            if tag.name.is_none()
                && self
                    .seen
                    .iter()
                    .any(|(c, t)| c == channel && t.id == tag.id && t.name.is_some())
            {
                continue;
            }
            let name = format!("{tag} ({})", tag.id);
            if !names.contains(&name) {
                names.push(name);
            }
        }
        if names.is_empty() {
            "none".into()
        } else {
            names.join(", ")
        }
    }
}

impl<S: Sink> Sink for StreamFilter<S> {
    fn begin(&mut self) -> Result<()> {
        self.inner.begin()
    }

    fn bytes(&mut self, channel: ChannelId, at: std::time::Duration, bytes: &[u8]) -> Result<()> {
        self.inner.bytes(channel, at, bytes)
    }

    fn source_event(&mut self, at: std::time::Duration, event: &SourceEvent) -> Result<()> {
        self.inner.source_event(at, event)
    }

    fn record(&mut self, record: &Record) -> Result<()> {
        // No `--stream`: every record passes, and no selector can be left unmatched.
        if self.selectors.is_empty() {
            return self.inner.record(record);
        }
        match &record.origin.stream {
            None => self.inner.record(record),
            Some(tag) => {
                // A stream's records mostly follow each other: one comparison, not a lookup.
                let seen = (record.origin.channel, tag);
                if self.last.as_ref().is_none_or(|(c, t)| (*c, t) != seen) {
                    self.last = Some((record.origin.channel, tag.clone()));
                    if !self.seen.contains(&(record.origin.channel, tag.clone())) {
                        self.seen.insert((record.origin.channel, tag.clone()));
                    }
                }
                if StreamSelector::any(&self.selectors, tag) {
                    self.inner.record(record)
                } else {
                    Ok(())
                }
            }
        }
    }

    fn tick(&mut self, stats: &Stats) -> Result<()> {
        self.inner.tick(stats)
    }

    fn finish(&mut self, stats: &Stats) -> Result<()> {
        self.inner.finish(stats)?;
        let unmatched = self.unmatched();
        if !unmatched.is_empty() {
            eprintln!(
                "warning: --stream {} matched no stream; the streams seen: {} (give a name or an id of one of them)",
                unmatched.join(", --stream "),
                self.seen_list()
            );
        }
        Ok(())
    }
}
