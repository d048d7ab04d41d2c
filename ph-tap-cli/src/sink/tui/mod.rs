//! `--tui`: the live dashboard, a [`Sink`] like the other outputs.
//!
//! Records only update the model ([`Dashboard`]: each field's bounded history, the counters,
//! the loss marks, the newest log lines), at once and in order; the screen is drawn from it at
//! most every [`DRAW_EVERY`] from the pipeline's ticks (after each chunk of input, and a few
//! times a second without input), never per record, so decoding never waits for the screen.
//! The keys are read between chunks, without waiting. When the input ends (a capture, the
//! demo), the dashboard stays until `q`, saying so; the summary follows on stderr once the
//! terminal is given back.
//!
//! - [`fields`]: the numeric fields of a value, by dotted name.
//! - [`series`]: one field's bounded history.
//! - [`state`]: the model, updated per record.
//! - [`view`]: the time window, pause and focus.
//! - [`keys`]: what each key does.
//! - [`render`]: the model drawn into a frame.
//! - [`terminal`]: raw mode and the alternate screen, given back on every way out.

pub mod fields;
pub mod keys;
pub mod render;
pub mod series;
pub mod state;
pub mod terminal;
pub mod view;

pub use fields::{encoded_fields, numeric_fields};
pub use keys::Action;
pub use series::Series;
pub use state::{Dashboard, LossKind};
pub use terminal::check_terminal;
pub use view::{View, Window};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Result;

use self::terminal::Screen;
use super::{Sink, Stats};
use crate::record::Record;

/// The time between two frames while input arrives: at most 20 frames a second, and at least
/// 10 whatever the input (the pipeline ticks every 100 ms without input).
pub const DRAW_EVERY: Duration = Duration::from_millis(50);
/// How often the keys are looked at while input arrives.
const KEYS_EVERY: Duration = Duration::from_millis(20);

/// The dashboard on the terminal.
pub struct TuiSink {
    dashboard: Dashboard,
    screen: Option<Screen>,
    /// The pipeline's stop flag: `q` sets it. Once the run is over, a Ctrl-C from outside (a
    /// signal: on the dashboard's terminal Ctrl-C is a key) sets it again, and the dashboard
    /// leaves.
    stop: Arc<AtomicBool>,
    /// What the header says when the input ends.
    ended: &'static str,
    exit_at_end: bool,
    quit: bool,
    last_draw: Option<Instant>,
    last_keys: Option<Instant>,
    frames: u64,
    started: Instant,
}

impl TuiSink {
    /// A dashboard stopping the run through `stop` when the user leaves; `ended` is its note
    /// when the input ends (`capture ended`).
    pub fn new(stop: Arc<AtomicBool>, ended: &'static str) -> Self {
        Self {
            dashboard: Dashboard::default(),
            screen: None,
            stop,
            ended,
            exit_at_end: false,
            quit: false,
            last_draw: None,
            last_keys: None,
            frames: 0,
            started: Instant::now(),
        }
    }

    /// Chart against the values' order instead of time: for a run whose records carry no time
    /// (a raw capture, `--no-time`).
    pub fn by_values(mut self, on: bool) -> Self {
        if on {
            self.dashboard = Dashboard::by_values();
        }
        self
    }

    /// Leave when the input ends instead of staying until `q`.
    pub fn exit_at_end(mut self, on: bool) -> Self {
        self.exit_at_end = on;
        self
    }

    fn draw(&mut self) -> Result<()> {
        if let Some(screen) = &mut self.screen {
            screen.draw(&self.dashboard)?;
            self.frames += 1;
            self.last_draw = Some(Instant::now());
        }
        Ok(())
    }

    /// Reads the keys (waiting at most `wait`) and does what they say; whether to draw now.
    fn keys(&mut self, wait: Duration) -> Result<bool> {
        let Some(screen) = &mut self.screen else {
            return Ok(false);
        };
        self.last_keys = Some(Instant::now());
        let input = screen.input(wait)?;
        let changed = input.resized || !input.actions.is_empty();
        for action in input.actions {
            if action == Action::Quit {
                self.quit = true;
                self.stop.store(true, Ordering::Relaxed);
            } else {
                action.apply(&mut self.dashboard);
            }
        }
        Ok(changed)
    }

    fn due(last: Option<Instant>, every: Duration) -> bool {
        last.is_none_or(|t| t.elapsed() >= every)
    }

    /// Stays on the screen after the input ended (or the run was stopped by a signal), until
    /// `q` or a signal.
    fn linger(&mut self) -> Result<()> {
        self.dashboard.ended = Some(self.ended.to_owned());
        // The run is over: the flag now only tells of a Ctrl-C from outside (a signal).
        self.stop.store(false, Ordering::Relaxed);
        self.draw()?;
        while !self.quit && !self.stop.load(Ordering::Relaxed) {
            if self.keys(DRAW_EVERY)? || Self::due(self.last_draw, Duration::from_secs(1)) {
                self.draw()?;
            }
        }
        Ok(())
    }
}

impl Sink for TuiSink {
    fn begin(&mut self) -> Result<()> {
        self.screen = Some(Screen::enter()?);
        self.started = Instant::now();
        self.draw()
    }

    fn record(&mut self, record: &Record) -> Result<()> {
        self.dashboard.record(record);
        Ok(())
    }

    fn tick(&mut self, stats: &Stats) -> Result<()> {
        self.dashboard.tick(stats);
        let mut now = false;
        if Self::due(self.last_keys, KEYS_EVERY) {
            now = self.keys(Duration::ZERO)?;
        }
        if now || Self::due(self.last_draw, DRAW_EVERY) {
            self.draw()?;
        }
        Ok(())
    }

    fn finish(&mut self, stats: &Stats) -> Result<()> {
        self.dashboard.tick(stats);
        if self.screen.is_none() {
            return Ok(());
        }
        // The pace while the input ran (not counting the frames of the wait for `q`).
        let (frames, secs) = (self.frames, self.started.elapsed().as_secs_f64().max(1e-3));
        if !self.quit && !self.exit_at_end && terminal::active() {
            self.linger()?;
        } else {
            self.draw()?;
        }
        // Gives the terminal back before the summary is printed.
        self.screen = None;
        eprintln!(
            "dashboard: {frames} frames drawn in {secs:.1} s of input ({:.1}/s)",
            frames as f64 / secs
        );
        Ok(())
    }
}
