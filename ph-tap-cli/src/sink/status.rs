//! The live status line on stderr: totals and rates, redrawn a few times a second, cleared
//! before anything else is printed.

use std::io::{self, Write};
use std::time::{Duration, Instant};

use anyhow::Result;

use super::summary::Counts;
use super::{Sink, Stats};
use crate::record::Record;

/// How often the status line is redrawn.
const STATUS_EVERY: Duration = Duration::from_millis(250);

/// The stderr status line. A pipeline clears it before every other sink sees a record and
/// draws it after every other sink has flushed, so it never mixes with output lines.
#[derive(Debug, Default)]
pub struct StatusLine {
    shown: bool,
    last: Option<Instant>,
}

impl StatusLine {
    /// A status line not drawn yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn clear(&mut self) {
        if self.shown {
            let mut err = io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
            self.shown = false;
        }
    }
}

impl Sink for StatusLine {
    fn record(&mut self, _record: &Record) -> Result<()> {
        self.clear();
        Ok(())
    }

    fn tick(&mut self, stats: &Stats) -> Result<()> {
        if self.last.is_none_or(|t| t.elapsed() >= STATUS_EVERY) {
            self.last = Some(Instant::now());
            let line = Counts::of(stats).status_line(stats.elapsed);
            let mut err = io::stderr().lock();
            // stderr going away must not stop the stream: the line is only decoration.
            let _ = write!(err, "\r\x1b[2K{line}");
            let _ = err.flush();
            self.shown = true;
        }
        Ok(())
    }

    fn finish(&mut self, _stats: &Stats) -> Result<()> {
        self.clear();
        Ok(())
    }
}
