//! Where a stream's values and losses go on the x axis.
//!
//! Over sequence numbers (the default), x is the sequence number counted on across a wrap
//! (`u32::MAX` is followed by `u32::MAX + 1`, not by 1) and across a reset (the new boot's first
//! value comes right after the last one before it), so a stream's x only grows. Over arrival
//! time (`--x time`), x is the time its bytes arrived, in seconds since the capture started.

use std::time::Duration;

/// The `--x` choice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum XAxis {
    /// The sequence number (counted on across wraps and resets).
    #[default]
    Seq,
    /// The arrival time, in seconds (captures of several channels record it; raw captures do
    /// not).
    Time,
}

impl XAxis {
    /// The axis's description under the chart.
    pub fn description(self) -> &'static str {
        match self {
            Self::Seq => "sequence number",
            Self::Time => "arrival time (s)",
        }
    }
}

/// Half a cycle of sequence numbers: a number this far behind the last is past a wrap.
const HALF_CYCLE: i64 = 1 << 31;

/// One stream's sequence numbers made into an x that only grows.
#[derive(Clone, Debug, Default)]
pub struct SeqLine {
    /// Added to a sequence number to make its x.
    base: i64,
    /// The latest x placed.
    last: Option<i64>,
    /// A reset was seen: the next sequence number placed comes right after `last`.
    reset: bool,
}

impl SeqLine {
    /// The x of sequence number `seq`, the next one of the stream.
    ///
    /// ```
    /// use ph_tap::plot::SeqLine;
    /// let mut line = SeqLine::default();
    /// assert_eq!(line.place(u32::MAX), f64::from(u32::MAX));
    /// assert_eq!(line.place(1), f64::from(u32::MAX) + 1.0, "a wrap counts on");
    /// line.reset();
    /// assert_eq!(line.place(1), f64::from(u32::MAX) + 2.0, "so does a reset");
    /// ```
    pub fn place(&mut self, seq: u32) -> f64 {
        let seq = i64::from(seq);
        let last = self.last.unwrap_or(0);
        if self.reset {
            self.reset = false;
            self.base = last + 1 - seq;
        }
        let mut x = self.base + seq;
        if self.last.is_some() && x + HALF_CYCLE < last {
            self.base += i64::from(u32::MAX);
            x += i64::from(u32::MAX);
        }
        self.last = Some(self.last.map_or(x, |l| l.max(x)));
        x as f64
    }

    /// The range of sequence numbers `first_seq..=last_seq` (a loss; `last_seq` may be past a
    /// wrap), as x: from half a step before the first to half a step after the last.
    ///
    /// ```
    /// use ph_tap::plot::SeqLine;
    /// let mut line = SeqLine::default();
    /// line.place(u32::MAX - 2);
    /// assert_eq!(line.range(u32::MAX - 1, 2), (f64::from(u32::MAX) - 1.5, f64::from(u32::MAX) + 2.5));
    /// ```
    pub fn range(&mut self, first_seq: u32, last_seq: u32) -> (f64, f64) {
        let first = self.place(first_seq);
        let steps = if last_seq >= first_seq {
            last_seq - first_seq
        } else {
            // Past the wrap: u32::MAX is followed by 1.
            (u32::MAX - first_seq) + last_seq
        };
        let last = first + f64::from(steps);
        self.last = self.last.map(|l| l.max(last as i64));
        (first - 0.5, last + 0.5)
    }

    /// The target reset: the next boot's numbers start again; returns where the reset is
    /// drawn (just after the last x placed).
    pub fn reset(&mut self) -> f64 {
        self.reset = true;
        self.last.map_or(0.0, |l| l as f64 + 0.5)
    }
}

/// An arrival time as x.
pub fn seconds(at: Duration) -> f64 {
    at.as_secs_f64()
}
