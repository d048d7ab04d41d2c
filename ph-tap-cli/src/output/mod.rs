//! Turning records into text: human lines, JSON lines or CSV on stdout; status and summary on
//! stderr.

pub mod color;
pub mod csv;
pub mod human;
pub mod json;
pub mod record;
pub mod summary;

use std::io::{self, IsTerminal, Write};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use record::Timed;
use summary::Totals;

/// The `--format` choice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One readable line per value; loud lines for losses.
    #[default]
    Human,
    /// One JSON object per line (field names in the README).
    Json,
    /// Comma-separated values with a header line.
    Csv,
}

/// How often the status line is redrawn.
const STATUS_EVERY: Duration = Duration::from_millis(250);

/// Writes records to `out` in the chosen format and keeps the totals, the stderr status line
/// and the final summary.
pub struct Printer<W: Write> {
    out: W,
    format: Format,
    color: bool,
    status: bool,
    status_shown: bool,
    last_status: Option<Instant>,
    started: Instant,
    /// Totals so far.
    pub totals: Totals,
}

impl<W: Write> Printer<W> {
    /// A printer writing to `out`; `status` draws the live status line on stderr.
    pub fn new(out: W, format: Format, color: bool, status: bool) -> Self {
        Self {
            out,
            format,
            color,
            status,
            status_shown: false,
            last_status: None,
            started: Instant::now(),
            totals: Totals::default(),
        }
    }

    /// Writes the CSV header when the format has one.
    pub fn begin(&mut self) -> Result<()> {
        if self.format == Format::Csv {
            writeln!(self.out, "{}", csv::HEADER).context(STDOUT_GONE)?;
        }
        Ok(())
    }

    /// Writes one record and counts it.
    pub fn record(&mut self, timed: &Timed) -> Result<()> {
        self.totals.count(&timed.record);
        self.clear_status();
        match self.format {
            Format::Human => writeln!(self.out, "{}", human::line(timed, self.color)),
            Format::Json => writeln!(self.out, "{}", json::object(timed)),
            Format::Csv => writeln!(self.out, "{}", csv::row(timed)),
        }
        .context(STDOUT_GONE)
    }

    /// Counts received bytes, flushes stdout and redraws the status line when it is due.
    pub fn tick(&mut self, new_bytes: usize) -> Result<()> {
        self.totals.bytes += new_bytes as u64;
        self.out.flush().context(STDOUT_GONE)?;
        if self.status && self.last_status.is_none_or(|t| t.elapsed() >= STATUS_EVERY) {
            self.last_status = Some(Instant::now());
            let line = self.totals.status_line(self.started.elapsed());
            let mut err = io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K{line}");
            let _ = err.flush();
            self.status_shown = true;
        }
        Ok(())
    }

    /// Prints a warning line on stderr (between records, never inside the status line).
    pub fn warn(&mut self, message: &str) {
        self.clear_status();
        eprintln!("warning: {message}");
    }

    fn clear_status(&mut self) {
        if self.status_shown {
            let _ = self.out.flush();
            let mut err = io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
            self.status_shown = false;
        }
    }

    /// Ends the output: the JSON summary record on stdout for `json`, the summary on stderr.
    ///
    /// `show_time` adds the duration and rates.
    pub fn finish(&mut self, show_time: bool) -> Result<()> {
        self.clear_status();
        let elapsed = show_time.then(|| self.started.elapsed());
        if self.format == Format::Json {
            writeln!(self.out, "{}", self.totals.json(elapsed)).context(STDOUT_GONE)?;
        }
        self.out.flush().context(STDOUT_GONE)?;
        eprint!("{}", self.totals.summary(elapsed));
        Ok(())
    }
}

const STDOUT_GONE: &str = "cannot write to stdout (closed pipe?)";

/// Whether a status line makes sense: stderr is a terminal.
pub fn stderr_is_terminal() -> bool {
    io::stderr().is_terminal()
}
