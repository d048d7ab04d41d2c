//! The totals of a run, from the wire crate's accounting: the status line, the summary printed
//! on exit, and the summary record of the JSON format.

use std::time::Duration;

use anyhow::Result;
use serde_json::json;

use super::stream_summary::stream_tables;
use super::{Sink, Stats};
use crate::channel::ChannelKind;
use crate::decode::{Accounting, LineCounts};
use crate::record::ChannelId;
use crate::stream::StreamSelector;

/// The counts ph-tap reports, over one channel or all of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Values received and shown (duplicates not counted).
    pub frames: u64,
    /// Values lost in the target's ring.
    pub ring_drops: u64,
    /// Separate ring-drop events (bursts).
    pub ring_drop_events: u64,
    /// Pushes a lossless stream's queue refused because it was full (counted on the target).
    pub refused: u64,
    /// Separate refusal events.
    pub refused_events: u64,
    /// Values lost on the link.
    pub link_losses: u64,
    /// Damaged frames skipped.
    pub corrupt_frames: u64,
    /// Intact frames of a kind this ph-tap cannot read (a newer sender), skipped.
    pub unsupported_frames: u64,
    /// Values that arrived intact but could not be placed (sequence number unknown).
    pub unplaced: u64,
    /// Target resets seen.
    pub resets: u64,
    /// Raw bytes received.
    pub bytes: u64,
    /// How often the source came back after going away.
    pub reconnects: u64,
    /// How long it was away in all.
    pub away: Duration,
    /// It is away now (the run ended while waiting for it).
    pub away_now: bool,
}

impl Counts {
    /// The counts of one channel's accounting (without bytes).
    pub fn of_channel(a: &Accounting) -> Self {
        Self {
            frames: a.totals.data_frames,
            ring_drops: a.totals.ring_dropped,
            ring_drop_events: a.totals.ring_drop_events,
            refused: a.totals.refused,
            refused_events: a.totals.refused_events,
            link_losses: a.totals.link_lost,
            corrupt_frames: a.frames.corrupt(),
            unsupported_frames: a.frames.unsupported,
            unplaced: a.totals.unplaced,
            resets: a.totals.resets,
            ..Self::default()
        }
    }

    /// The counts over every channel of `stats`.
    pub fn of(stats: &Stats) -> Self {
        let mut all = Self {
            bytes: stats.bytes,
            reconnects: stats.reconnects,
            away: stats.away,
            away_now: stats.away_now,
            ..Self::default()
        };
        for (_, accounting) in &stats.channels {
            let c = Self::of_channel(accounting);
            all.frames += c.frames;
            all.ring_drops += c.ring_drops;
            all.ring_drop_events += c.ring_drop_events;
            all.refused += c.refused;
            all.refused_events += c.refused_events;
            all.link_losses += c.link_losses;
            all.corrupt_frames += c.corrupt_frames;
            all.unsupported_frames += c.unsupported_frames;
            all.unplaced += c.unplaced;
            all.resets += c.resets;
        }
        all
    }

    /// The one-line status shown on stderr while running.
    ///
    /// ```
    /// use ph_tap::sink::Counts;
    /// use std::time::Duration;
    /// let t = Counts { frames: 100, bytes: 2048, ring_drops: 3, ..Counts::default() };
    /// assert_eq!(t.status_line(Duration::from_secs(2)),
    ///            "100 frames (50/s), 2.0 KiB (1.0 KiB/s), 3 ring drops, 0 link losses, 0 corrupt, 0 resets");
    /// ```
    pub fn status_line(&self, elapsed: Duration) -> String {
        let secs = elapsed.as_secs_f64().max(1e-3);
        format!(
            "{} frames ({:.0}/s), {} ({}/s), {} ring drops, {} link losses, {} corrupt, {} resets",
            self.frames,
            self.frames as f64 / secs,
            human_bytes(self.bytes as f64),
            human_bytes(self.bytes as f64 / secs),
            self.ring_drops,
            self.link_losses,
            self.corrupt_frames,
            self.resets
        )
    }

    /// The loss lines of the summary (no bytes, no time).
    fn loss_lines(&self, out: &mut String) {
        *out += &format!("frames          {}\n", self.frames);
        let bursts = |n: u64| if n == 1 { "burst" } else { "bursts" };
        *out += &format!(
            "ring drops      {} in {} {}\n",
            self.ring_drops,
            self.ring_drop_events,
            bursts(self.ring_drop_events)
        );
        if self.refused > 0 {
            *out += &format!(
                "refused         {} in {} {} (a queue was full)\n",
                self.refused,
                self.refused_events,
                bursts(self.refused_events)
            );
        }
        *out += &format!("link losses     {}\n", self.link_losses);
        *out += &format!("corrupt frames  {}\n", self.corrupt_frames);
        if self.unsupported_frames > 0 {
            *out += &format!(
                "unsupported     {} (frames of a newer sender: upgrade ph-tap)\n",
                self.unsupported_frames
            );
        }
        if self.unplaced > 0 {
            *out += &format!(
                "unplaced        {} (seq unknown after link corruption)\n",
                self.unplaced
            );
        }
        *out += &format!("target resets   {}\n", self.resets);
    }

    /// The share of values sent that arrived, when any was sent.
    fn delivered(&self) -> Option<String> {
        let seen = self.frames + self.ring_drops + self.link_losses + self.unplaced;
        (seen > 0).then(|| {
            format!(
                "delivered       {:.2}% of {} values sent\n",
                self.frames as f64 * 100.0 / seen as f64,
                seen
            )
        })
    }

    /// The summary printed on exit; `elapsed` is `None` when time is not shown.
    pub fn summary(&self, elapsed: Option<Duration>) -> String {
        let mut out = String::from("--- ph-tap summary ---\n");
        self.loss_lines(&mut out);
        if self.reconnects > 0 || self.away_now {
            out += &format!("reconnects      {}", self.reconnects);
            if elapsed.is_some() {
                out += &format!(" (away {:.2} s in all)", self.away.as_secs_f64());
            }
            if self.away_now {
                out += ", gone at the end";
            }
            out += "\n";
        }
        out += &format!("bytes           {}\n", self.bytes);
        out += &self.delivered().unwrap_or_default();
        if let Some(elapsed) = elapsed {
            let secs = elapsed.as_secs_f64().max(1e-3);
            out += &format!("duration        {secs:.2} s\n");
            out += &format!(
                "rates           {:.0} frames/s, {}/s\n",
                self.frames as f64 / secs,
                human_bytes(self.bytes as f64 / secs)
            );
        }
        out
    }

    /// The summary as a JSON record (`"type": "summary"`), for `--format json`.
    pub fn json(&self, elapsed: Option<Duration>) -> serde_json::Value {
        let mut v = json!({
            "type": "summary",
            "frames": self.frames,
            "ring_drops": self.ring_drops,
            "ring_drop_events": self.ring_drop_events,
            "refused": self.refused,
            "refused_events": self.refused_events,
            "link_losses": self.link_losses,
            "corrupt_frames": self.corrupt_frames,
            "unplaced": self.unplaced,
            "resets": self.resets,
            "bytes": self.bytes,
        });
        if self.unsupported_frames > 0 {
            v["unsupported_frames"] = json!(self.unsupported_frames);
        }
        if self.reconnects > 0 || self.away_now {
            v["reconnects"] = json!(self.reconnects);
            v["away_at_end"] = json!(self.away_now);
            if elapsed.is_some() {
                v["away_s"] = json!(self.away.as_secs_f64());
            }
        }
        if let Some(elapsed) = elapsed {
            v["duration_s"] = json!(elapsed.as_secs_f64());
        }
        v
    }
}

/// Per-channel sections when a run read several channels.
fn channel_sections(channels: &[(ChannelId, Accounting)]) -> String {
    let mut out = String::new();
    if channels.len() > 1 {
        for (channel, accounting) in channels {
            let counts = Counts::of_channel(accounting);
            out += &format!("--- channel {channel} ---\n");
            counts.loss_lines(&mut out);
            out += &counts.delivered().unwrap_or_default();
        }
    }
    out
}

/// One summary line per log or text channel: `defmt           17 log lines, 0 undecodable`
/// (`defmt ch N` when several defmt channels were read; `text` likewise).
///
/// ```
/// use ph_tap::channel::ChannelKind;
/// use ph_tap::decode::LineCounts;
/// use ph_tap::sink::summary_lines;
/// let defmt = LineCounts { kind: ChannelKind::Defmt, lines: 17, bytes: 300, ..Default::default() };
/// let text = LineCounts { kind: ChannelKind::Text, lines: 4, cut: 1, bytes: 9000, ..Default::default() };
/// assert_eq!(
///     summary_lines(&[(0, defmt), (2, text)]),
///     "defmt           17 log lines, 0 undecodable\ntext            4 lines, 1 cut at 4096 bytes\n"
/// );
/// let undecoded = LineCounts { kind: ChannelKind::Defmt, bytes: 300, not_decoded: true, ..Default::default() };
/// assert_eq!(summary_lines(&[(0, undecoded)]), "defmt           not decoded (300 bytes; see the warning)\n");
/// ```
pub fn summary_lines(channels: &[(ChannelId, LineCounts)]) -> String {
    let mut out = String::new();
    for (channel, counts) in channels {
        let several = channels
            .iter()
            .filter(|(_, c)| c.kind == counts.kind)
            .count()
            > 1;
        let label = if several {
            format!("{} ch {channel}", counts.kind)
        } else {
            counts.kind.to_string()
        };
        let text = match counts.kind {
            _ if counts.not_decoded && counts.lines == 0 => {
                format!("not decoded ({} bytes; see the warning)", counts.bytes)
            }
            ChannelKind::Text => {
                let mut text = format!("{} lines", counts.lines);
                if counts.cut > 0 {
                    text += &format!(
                        ", {} cut at {} bytes",
                        counts.cut,
                        crate::decode::text::MAX_LINE
                    );
                }
                text
            }
            _ => {
                let mut text = format!(
                    "{} log lines, {} undecodable",
                    counts.lines, counts.undecodable
                );
                if counts.not_decoded {
                    text += ", then not decoded (see the warning)";
                }
                text
            }
        };
        out += &format!("{label:<15} {text}\n");
    }
    out
}

/// The log and text channels' counts for the JSON summary record (`lines`).
pub(crate) fn lines_json(channels: &[(ChannelId, LineCounts)]) -> serde_json::Value {
    channels
        .iter()
        .map(|(channel, counts)| {
            let mut v = json!({
                "channel": channel,
                "kind": counts.kind.as_str(),
                "lines": counts.lines,
            });
            match counts.kind {
                ChannelKind::Text => v["cut"] = json!(counts.cut),
                _ => v["undecodable"] = json!(counts.undecodable),
            }
            v["bytes"] = json!(counts.bytes);
            v["decoded"] = json!(!counts.not_decoded);
            v
        })
        .collect()
}

/// The summary on stderr at the end of a run: the totals, each log channel's lines, each
/// channel's section when several were read, and a table of each link's streams (when it has
/// several, or named ones).
#[derive(Debug)]
pub struct SummarySink {
    show_time: bool,
    shown: Vec<StreamSelector>,
}

impl SummarySink {
    /// A summary with the duration and rates when `show_time`.
    pub fn new(show_time: bool) -> Self {
        Self {
            show_time,
            shown: Vec::new(),
        }
    }

    /// Says which streams `--stream` hid (every stream is still counted).
    pub fn shown(mut self, selectors: Vec<StreamSelector>) -> Self {
        self.shown = selectors;
        self
    }
}

impl Sink for SummarySink {
    fn finish(&mut self, stats: &Stats) -> Result<()> {
        let elapsed = self.show_time.then_some(stats.elapsed);
        eprint!(
            "{}{}{}{}",
            Counts::of(stats).summary(elapsed),
            summary_lines(&stats.lines),
            channel_sections(&stats.channels),
            stream_tables(&stats.channels, &self.shown)
        );
        Ok(())
    }
}

/// A byte count or rate for people: `980 B`, `17.1 KiB`, `1.0 MiB` (the summary's and the
/// dashboard's).
pub(crate) fn human_bytes(bytes: f64) -> String {
    if bytes < 1024.0 {
        format!("{bytes:.0} B")
    } else if bytes < 1024.0 * 1024.0 {
        format!("{:.1} KiB", bytes / 1024.0)
    } else {
        format!("{:.1} MiB", bytes / (1024.0 * 1024.0))
    }
}
