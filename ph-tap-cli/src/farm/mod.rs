//! Several boards from one ph-tap: each board is today's single-board
//! [`Pipeline`](crate::pipeline::Pipeline) (its own source thread, decoders, accounting, and
//! whatever reconnecting its source does, [`Reconnecting`](crate::source::Reconnecting)) on a
//! thread of its own, its records tagged with its [`Board`]; every board writes to one stdout
//! through a [`LineWriter`], whole lines only, so their lines never mix inside a line.
//!
//! ```text
//! board a: source ─▶ pipeline (router, decoders, accounting) ─▶ sinks ─┐
//! board b: source ─▶ pipeline (router, decoders, accounting) ─▶ sinks ─┼─▶ SharedOut (stdout)
//! ...      (spawned any time, from any thread: FarmHandle)             ┘   whole lines, locked
//! ```
//!
//! A board whose source fails, or whose pipeline fails, says so in one line on stderr tagged
//! with its name (`[a] stopped: ...`) and the others go on. The farm's stop flag (Ctrl-C)
//! stops them all. [`Farm::wait`] prints the summary, one row per board
//! ([`FarmReport::summary_table`]), and in JSON each board writes its own summary record,
//! tagged with its board.
//!
//! - [`writer`](SharedOut): the shared stdout and each board's line-atomic writer;
//! - [`output`](FarmOutput): the format and options, the same for every board;
//! - [`report`](FarmReport): how each board ended, and the summary table;
//! - `board_run`: one board's pipeline and sinks.

mod board_run;
mod boards_file;
mod output;
mod probes;
mod report;
mod writer;

pub use boards_file::{BoardSpec, parse_boards, read_boards};
pub use output::{FarmFormat, FarmOutput, save_path};
pub use probes::{all_probes, attach_boards, boards_of_probes};
pub use report::{BoardEnding, BoardReport, FarmReport};
pub use writer::{LineWriter, SharedBuffer, SharedOut};

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::board::Board;
use crate::decode::DecoderOptions;
use crate::pipeline::Ending;
use crate::sink::{Counts, Stats};
use crate::source::Source;

/// How often [`Farm::wait`] looks at the boards and the stop flag.
const WAIT_SLICE: Duration = Duration::from_millis(20);

/// Several boards, each its own pipeline on its own thread, writing to one output.
///
/// ```
/// use std::sync::{Arc, atomic::AtomicBool};
/// use ph_eventing_wire::encode::StreamEncoder;
/// use ph_tap::decode::{DecoderOptions, value::ValueAs};
/// use ph_tap::farm::{Farm, FarmFormat, FarmOutput, SharedOut};
/// use ph_tap::source::ReaderSource;
///
/// /// `n` values, 0 to n - 1, as a target sends them.
/// fn wire(n: u32) -> Vec<u8> {
///     let (mut wire, mut buf) = (Vec::new(), [0u8; 32]);
///     let mut encoder = StreamEncoder::new(7);
///     for i in 0..n {
///         encoder.data(i + 1, 0, &i, &mut buf, &mut |f: &[u8]| { wire.extend_from_slice(f); true }).unwrap();
///     }
///     wire
/// }
///
/// let (out, buffer) = SharedOut::buffer();
/// let mut output = FarmOutput::new(FarmFormat::Json).to(out).times(false).summary(false);
/// output.decoders = DecoderOptions::new(ValueAs::U32);
/// let farm = Farm::new(output, Arc::new(AtomicBool::new(false)));
/// farm.spawn("a", Box::new(ReaderSource::new(std::io::Cursor::new(wire(3)), "a"))).unwrap();
/// farm.spawn("b", Box::new(ReaderSource::new(std::io::Cursor::new(wire(5)), "b"))).unwrap();
/// let report = farm.wait().unwrap();
///
/// assert_eq!(report.board("a").unwrap().counts.frames, 3);
/// assert_eq!(report.board("b").unwrap().counts.frames, 5);
/// assert_eq!(report.failures(), 0);
/// let text = buffer.contents();
/// assert!(text.contains(r#"{"board":"b","type":"event","seq":5,"value":4}"#), "{text}");
/// assert_eq!(text.lines().filter(|l| l.contains(r#""type":"summary""#)).count(), 2);
/// ```
pub struct Farm {
    inner: Arc<Inner>,
}

/// A handle to a [`Farm`] that spawns boards from another thread (a subscriber adding each
/// board when it first hears from it). While a handle lives, [`Farm::wait`] waits for the
/// boards it may still spawn (until the stop flag is set); drop it when no more will come.
///
/// ```
/// use std::sync::{Arc, atomic::AtomicBool};
/// use ph_tap::farm::{Farm, FarmFormat, FarmOutput, SharedOut};
/// use ph_tap::source::ReaderSource;
///
/// let (out, buffer) = SharedOut::buffer();
/// let farm = Farm::new(FarmOutput::new(FarmFormat::Human).to(out).times(false).summary(false), Arc::new(AtomicBool::new(false)));
/// let handle = farm.handle();
/// let subscriber = std::thread::spawn(move || {
///     handle.spawn("late", Box::new(ReaderSource::new(std::io::Cursor::new(Vec::new()), "late"))).unwrap();
///     // `handle` dropped here: no more boards.
/// });
/// let report = farm.wait().unwrap();
/// subscriber.join().unwrap();
/// assert_eq!(report.boards.len(), 1);
/// assert_eq!(report.boards[0].board.as_str(), "late");
/// ```
#[derive(Clone)]
pub struct FarmHandle {
    inner: Arc<Inner>,
    /// Counted by [`Farm::wait`]: a handle alive may spawn more boards.
    _alive: Arc<()>,
}

struct Inner {
    output: FarmOutput,
    stop: Arc<AtomicBool>,
    state: Mutex<State>,
    /// One clone per [`FarmHandle`] alive.
    handles: Arc<()>,
}

#[derive(Default)]
struct State {
    boards: Vec<Running>,
    /// The CSV header is written (once, before the first board's rows).
    header: bool,
    /// [`Farm::wait`] returned: no more boards.
    closed: bool,
}

struct Running {
    board: Board,
    stop: Arc<AtomicBool>,
    stats: Arc<Mutex<Stats>>,
    /// `None` for a board that never started ([`Farm::add_failed`]).
    thread: Option<JoinHandle<BoardEnding>>,
    /// Why it never started.
    failed: Option<anyhow::Error>,
}

impl Inner {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn spawn(&self, name: &str, source: Box<dyn Source>, decoders: DecoderOptions) -> Result<()> {
        let board = Board::new(name).context("cannot add the board: pick another name")?;
        let mut state = self.state();
        if state.closed {
            anyhow::bail!("cannot add board {board}: the farm has ended (start a new run)");
        }
        if state.boards.iter().any(|b| b.board == board) {
            anyhow::bail!(
                "cannot add board {board}: a board of that name is already running (give each board its own name)"
            );
        }
        if self.output.format == FarmFormat::Csv && !state.header {
            let header = board_run::csv_sink(std::io::sink()).header_line();
            self.output
                .out
                .write_lines(header.as_bytes())
                .context(crate::sink::STDOUT_GONE)?;
            state.header = true;
        }
        let stop = Arc::new(AtomicBool::new(self.stop.load(Ordering::Relaxed)));
        let stats = Arc::new(Mutex::new(Stats::default()));
        let thread = {
            let name = format!("ph-tap-board-{board}");
            let what = format!("cannot start board {board}'s thread (too many boards?)");
            let (board, stop, stats) = (board.clone(), Arc::clone(&stop), Arc::clone(&stats));
            let output = self.output.clone();
            let farm_stop = Arc::clone(&self.stop);
            std::thread::Builder::new()
                .name(name)
                .spawn(move || {
                    let ending =
                        match board_run::run_board(&board, source, &output, decoders, stats, &stop)
                        {
                            // The source thread sees the stop first and hangs up: a board
                            // stopped by the farm ended by Ctrl-C, whichever it saw first.
                            Ok(Ending::Finished) if farm_stop.load(Ordering::Relaxed) => {
                                BoardEnding::Ended(Ending::Interrupted)
                            }
                            Ok(ending) => BoardEnding::Ended(ending),
                            Err(err) => BoardEnding::Failed(err),
                        };
                    if ending.is_failure() {
                        eprintln!(
                            "[{board}] stopped, the other boards go on: {}",
                            ending.describe()
                        );
                    }
                    ending
                })
                .context(what)?
        };
        state.boards.push(Running {
            board,
            stop,
            stats,
            thread: Some(thread),
            failed: None,
        });
        Ok(())
    }

    fn add_failed(&self, name: &str, err: anyhow::Error) -> Result<()> {
        let board = Board::new(name).context("cannot add the board: pick another name")?;
        let mut state = self.state();
        if state.boards.iter().any(|b| b.board == board) {
            anyhow::bail!(
                "cannot add board {board}: a board of that name is already running (give each board its own name)"
            );
        }
        state.boards.push(Running {
            board,
            stop: Arc::new(AtomicBool::new(true)),
            stats: Arc::default(),
            thread: None,
            failed: Some(err),
        });
        Ok(())
    }
}

impl Farm {
    /// A farm with no board yet, showing them all as `output` says; setting `stop` (Ctrl-C)
    /// stops every board.
    pub fn new(output: FarmOutput, stop: Arc<AtomicBool>) -> Self {
        Self {
            inner: Arc::new(Inner {
                output,
                stop,
                state: Mutex::new(State::default()),
                handles: Arc::new(()),
            }),
        }
    }

    /// Starts board `board`'s pipeline reading `source` on its own thread, decoded with the
    /// farm's [`FarmOutput::decoders`]; callable while other boards run.
    ///
    /// An error, and no board started, for a name that is not a valid board name
    /// ([`check_name`](crate::board::check_name)) or is already taken, or once the farm has
    /// ended.
    pub fn spawn(&self, board: &str, source: Box<dyn Source>) -> Result<()> {
        let decoders = self.inner.output.decoders.clone();
        self.inner.spawn(board, source, decoders)
    }

    /// [`spawn`](Self::spawn), with the board's own decoder options (its firmware's ELF, for
    /// its defmt table).
    pub fn spawn_with(
        &self,
        board: &str,
        source: Box<dyn Source>,
        decoders: DecoderOptions,
    ) -> Result<()> {
        self.inner.spawn(board, source, decoders)
    }

    /// Records board `board` as one that could not start (its probe could not be attached):
    /// it gets its row in the summary, failed with `err`, and counts in
    /// [`FarmReport::failures`].
    ///
    /// ```
    /// use std::sync::{Arc, atomic::AtomicBool};
    /// use ph_tap::farm::{Farm, FarmFormat, FarmOutput, SharedOut};
    /// let (out, _) = SharedOut::buffer();
    /// let farm = Farm::new(FarmOutput::new(FarmFormat::Human).to(out).summary(false), Arc::new(AtomicBool::new(false)));
    /// farm.add_failed("a", anyhow::anyhow!("no probe")).unwrap();
    /// let report = farm.wait().unwrap();
    /// assert_eq!(report.failures(), 1);
    /// assert_eq!(report.boards[0].ending.describe(), "failed: no probe");
    /// ```
    pub fn add_failed(&self, board: &str, err: anyhow::Error) -> Result<()> {
        self.inner.add_failed(board, err)
    }

    /// A handle that spawns boards from another thread ([`FarmHandle`]).
    pub fn handle(&self) -> FarmHandle {
        FarmHandle {
            inner: Arc::clone(&self.inner),
            _alive: Arc::clone(&self.inner.handles),
        }
    }

    /// Waits for every board to end (and, while a [`FarmHandle`] lives and the stop flag is not
    /// set, for the boards it may still spawn), prints the summary table on stderr (unless
    /// [`FarmOutput::summary`] is off) and returns each board's ending and counts.
    ///
    /// A board that failed is in the report ([`FarmReport::failures`]), not an error: an
    /// error is the output itself failing (stdout closed).
    pub fn wait(self) -> Result<FarmReport> {
        let inner = &self.inner;
        loop {
            let stopping = inner.stop.load(Ordering::Relaxed);
            {
                let mut state = inner.state();
                if stopping {
                    for board in &state.boards {
                        board.stop.store(true, Ordering::Relaxed);
                    }
                }
                let running = state
                    .boards
                    .iter()
                    .any(|b| b.thread.as_ref().is_some_and(|t| !t.is_finished()));
                let handles = Arc::strong_count(&inner.handles) - 1;
                if !running && (handles == 0 || stopping) {
                    state.closed = true;
                    break;
                }
            }
            std::thread::sleep(WAIT_SLICE);
        }
        let boards = std::mem::take(&mut inner.state().boards);
        let mut report = FarmReport::default();
        for mut running in boards {
            let ending = match (running.thread.take().map(JoinHandle::join), running.failed) {
                (_, Some(err)) => BoardEnding::Failed(err),
                (Some(Ok(ending)), None) => ending,
                _ => {
                    let ending = BoardEnding::Failed(anyhow::anyhow!(
                        "its pipeline panicked (a bug: please report it)"
                    ));
                    eprintln!(
                        "[{}] stopped, the other boards go on: {}",
                        running.board,
                        ending.describe()
                    );
                    ending
                }
            };
            let stats = running
                .stats
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            report.boards.push(BoardReport {
                board: running.board,
                ending,
                counts: Counts::of(&stats),
            });
        }
        inner
            .output
            .out
            .write_lines(b"")
            .context(crate::sink::STDOUT_GONE)?;
        if inner.output.summary {
            eprint!("{}", report.summary_table());
        }
        Ok(report)
    }
}

impl FarmHandle {
    /// [`Farm::spawn`], from any thread.
    pub fn spawn(&self, board: &str, source: Box<dyn Source>) -> Result<()> {
        let decoders = self.inner.output.decoders.clone();
        self.inner.spawn(board, source, decoders)
    }

    /// [`Farm::spawn_with`], from any thread.
    pub fn spawn_with(
        &self,
        board: &str,
        source: Box<dyn Source>,
        decoders: DecoderOptions,
    ) -> Result<()> {
        self.inner.spawn(board, source, decoders)
    }
}

#[cfg(test)]
mod tests;
