//! Running totals of a session, the status line and the summary printed on exit.

use std::time::Duration;

use serde_json::json;

use super::record::Record;

/// Totals over everything shown so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Values received and shown.
    pub frames: u64,
    /// Values lost in the target's ring.
    pub ring_drops: u64,
    /// Separate ring-drop events (bursts).
    pub ring_drop_events: u64,
    /// Values lost on the link.
    pub link_losses: u64,
    /// Corrupt frames skipped.
    pub corrupt_frames: u64,
    /// Values that arrived intact but could not be placed (sequence number unknown).
    pub unplaced: u64,
    /// Target resets seen.
    pub resets: u64,
    /// Raw bytes received.
    pub bytes: u64,
}

impl Totals {
    /// Counts one record.
    pub fn count(&mut self, record: &Record) {
        match record {
            Record::Event { .. } => self.frames += 1,
            Record::RingDrop { count, .. } => {
                self.ring_drops += u64::from(*count);
                self.ring_drop_events += 1;
            }
            Record::LinkLoss { count, .. } => self.link_losses += u64::from(*count),
            Record::CorruptFrame { .. } => self.corrupt_frames += 1,
            Record::Unplaced { count, .. } => self.unplaced += u64::from(*count),
            Record::TargetReset { .. } => self.resets += 1,
            Record::Hello { .. } | Record::SeqWrap => {}
        }
    }

    /// The one-line status shown on stderr while running.
    ///
    /// ```
    /// use ph_tap::output::summary::Totals;
    /// use std::time::Duration;
    /// let t = Totals { frames: 100, bytes: 2048, ring_drops: 3, ..Totals::default() };
    /// assert_eq!(t.status_line(Duration::from_secs(2)),
    ///            "100 frames (50/s), 2.0 KiB (1.0 KiB/s), 3 ring drops, 0 link losses, 0 corrupt, 0 resets");
    /// ```
    pub fn status_line(&self, elapsed: Duration) -> String {
        let secs = elapsed.as_secs_f64().max(1e-3);
        format!(
            "{} frames ({:.0}/s), {} ({}/s), {} ring drops, {} link losses, {} corrupt, {} resets",
            self.frames,
            self.frames as f64 / secs,
            kib(self.bytes as f64),
            kib(self.bytes as f64 / secs),
            self.ring_drops,
            self.link_losses,
            self.corrupt_frames,
            self.resets
        )
    }

    /// The summary printed on exit; `elapsed` is `None` when time is not shown.
    pub fn summary(&self, elapsed: Option<Duration>) -> String {
        let mut out = String::from("--- ph-tap summary ---\n");
        out += &format!("frames          {}\n", self.frames);
        out += &format!(
            "ring drops      {} in {} bursts\n",
            self.ring_drops, self.ring_drop_events
        );
        out += &format!("link losses     {}\n", self.link_losses);
        out += &format!("corrupt frames  {}\n", self.corrupt_frames);
        if self.unplaced > 0 {
            out += &format!(
                "unplaced        {} (seq unknown after link corruption)\n",
                self.unplaced
            );
        }
        out += &format!("target resets   {}\n", self.resets);
        out += &format!("bytes           {}\n", self.bytes);
        let seen = self.frames + self.ring_drops + self.link_losses + self.unplaced;
        if seen > 0 {
            out += &format!(
                "delivered       {:.2}% of {} values sent\n",
                self.frames as f64 * 100.0 / seen as f64,
                seen
            );
        }
        if let Some(elapsed) = elapsed {
            let secs = elapsed.as_secs_f64().max(1e-3);
            out += &format!("duration        {secs:.2} s\n");
            out += &format!(
                "rates           {:.0} frames/s, {}/s\n",
                self.frames as f64 / secs,
                kib(self.bytes as f64 / secs)
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
            "link_losses": self.link_losses,
            "corrupt_frames": self.corrupt_frames,
            "unplaced": self.unplaced,
            "resets": self.resets,
            "bytes": self.bytes,
        });
        if let Some(elapsed) = elapsed {
            v["duration_s"] = json!(elapsed.as_secs_f64());
        }
        v
    }
}

fn kib(bytes: f64) -> String {
    if bytes < 1024.0 {
        format!("{bytes:.0} B")
    } else if bytes < 1024.0 * 1024.0 {
        format!("{:.1} KiB", bytes / 1024.0)
    } else {
        format!("{:.1} MiB", bytes / (1024.0 * 1024.0))
    }
}
