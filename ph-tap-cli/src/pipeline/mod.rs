//! The one pipeline every command runs: a [`Source`] read on its own thread, the
//! [`Router`] giving each channel its decoder, and every [`Sink`] fed the bytes, the records and
//! the ticks.
//!
//! ```text
//! source thread ── chunks (channel, bytes) ──▶ router ─▶ decoders ─▶ records ─▶ sinks
//!                                      └──────── raw bytes ──────────────────▶ sinks (--save)
//! ```
//!
//! Every chunk and source event gets one time, on the pipeline's clock: the time since the run
//! started, in whole microseconds, taken as it arrives; or, for a source replaying a
//! recording ([`Poll::Time`](crate::source::Poll::Time)), the time it was recorded at. The same time goes to the sinks'
//! [`bytes`](Sink::bytes) (so `--save` stores it), to the records (when times are shown) and
//! to the run's duration, so a replay shows the live run's times and summary.

mod decode;
mod read;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use self::decode::{Counts, Decoded, Decoding};
use crate::record::{Body, Origin, Record};
use crate::router::Router;
use crate::sink::{Sink, Stats, StatusLine};
use crate::source::{Source, SourceEvent};

/// How the stream ended.
#[derive(Debug)]
pub enum Ending {
    /// The source finished (end of file, peer closed, demo done).
    Finished,
    /// The user pressed Ctrl-C.
    Interrupted,
    /// The source failed mid-stream (probe unplugged, connection reset).
    SourceFailed(anyhow::Error),
}

/// How long the pipeline waits for input before ticking the sinks anyway.
const IDLE_TICK: Duration = Duration::from_millis(100);

/// Chunks in flight between the threads: at most 64 read (32 KiB each), and 4 decoded (each
/// with its records) waiting for the sinks, so memory stays flat whatever the input's size.
const READ_AHEAD: usize = 64;
const DECODED_AHEAD: usize = 4;

/// What the pipeline counts as it runs, besides the decoders' accounting.
struct Progress {
    started: Instant,
    /// The time the source last said (a recording replayed): the clock, instead of `started`.
    recorded: Option<Duration>,
    bytes: u64,
    reconnects: u64,
    /// Time away, not counting the current absence.
    away: Duration,
    /// On the clock.
    lost_at: Option<Duration>,
    /// The decoders' counts, as of the latest chunk decoded.
    counts: Counts,
}

impl Progress {
    fn new(started: Instant) -> Self {
        Self {
            started,
            recorded: None,
            bytes: 0,
            reconnects: 0,
            away: Duration::ZERO,
            lost_at: None,
            counts: Counts::default(),
        }
    }

    /// The clock: the time since the run started in whole microseconds (what a capture
    /// stores), or the recorded time of a recording being replayed.
    fn now(&self) -> Duration {
        decode::now(self.started, self.recorded)
    }

    fn source_event(&mut self, event: &SourceEvent, at: Duration) {
        match event {
            SourceEvent::Lost { .. } => self.lost_at = Some(at),
            SourceEvent::Back { .. } => {
                self.reconnects += 1;
                self.away += self
                    .lost_at
                    .take()
                    .map_or(Duration::ZERO, |t| at.saturating_sub(t));
            }
            SourceEvent::Reattached { .. } | SourceEvent::Skipped { .. } => {}
        }
    }

    fn stats(&self) -> Stats {
        let now = self.now();
        Stats {
            bytes: self.bytes,
            elapsed: now,
            channels: self.counts.channels.clone(),
            lines: self.counts.lines.clone(),
            reconnects: self.reconnects,
            away: self.away
                + self
                    .lost_at
                    .map_or(Duration::ZERO, |t| now.saturating_sub(t)),
            away_now: self.lost_at.is_some(),
        }
    }
}

/// A router and the sinks its records go to.
///
/// ```
/// use std::sync::{Arc, atomic::AtomicBool};
/// use ph_tap::decode::{PhEventingDecoder, value::ValueAs};
/// use ph_tap::pipeline::{Ending, Pipeline};
/// use ph_tap::router::Router;
/// use ph_tap::sink::JsonSink;
/// use ph_tap::source::ReaderSource;
///
/// let mut wire = Vec::new();
/// let mut buf = [0u8; 32];
/// let mut encoder = ph_eventing_wire::encode::StreamEncoder::new(7);
/// encoder.data(1, 0, &42u32, &mut buf, &mut |f: &[u8]| { wire.extend_from_slice(f); true }).unwrap();
///
/// let mut out = Vec::new();
/// let router = Router::new(Box::new(|_| Box::new(PhEventingDecoder::new(ValueAs::U32))));
/// let ending = Pipeline::new(router)
///     .sink(JsonSink::new(&mut out, false, false))
///     .run(Box::new(ReaderSource::new(std::io::Cursor::new(wire), "memory")), &Arc::new(AtomicBool::new(false)))
///     .unwrap();
/// assert!(matches!(ending, Ending::Finished));
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.starts_with(r#"{"type":"event","seq":1,"value":42}"#), "{text}");
/// ```
pub struct Pipeline<'a> {
    router: Router,
    sinks: Vec<Box<dyn Sink + 'a>>,
    status: Option<StatusLine>,
    time: bool,
    one_thread: bool,
}

impl<'a> Pipeline<'a> {
    /// A pipeline decoding through `router`, with no sink yet.
    pub fn new(router: Router) -> Self {
        Self {
            router,
            sinks: Vec::new(),
            status: None,
            time: false,
            one_thread: false,
        }
    }

    /// Adds a sink; sinks see everything in the order they were added.
    pub fn sink(mut self, sink: impl Sink + 'a) -> Self {
        self.sinks.push(Box::new(sink));
        self
    }

    /// Draws the stderr status line: cleared before the other sinks see a record, drawn after
    /// they have all been ticked (flushed).
    pub fn status_line(mut self, on: bool) -> Self {
        self.status = on.then(StatusLine::new);
        self
    }

    /// Stamps records with their arrival time (live sources), or the time they were recorded
    /// at (a recording that says it, [`Poll::Time`](crate::source::Poll::Time)).
    pub fn arrival_times(mut self, on: bool) -> Self {
        self.time = on;
        self
    }

    /// Decodes on the caller's thread, between the sinks' calls, instead of on a thread of its
    /// own: slower, and what the two-thread run is checked against (their outputs are the
    /// same, byte for byte).
    pub fn one_thread(mut self, on: bool) -> Self {
        self.one_thread = on;
        self
    }

    /// Reads `source` until it ends, fails, or `stop` is set, then finishes every sink.
    ///
    /// Three threads: the source is read on one, decoded on another (unless
    /// [`one_thread`](Self::one_thread)), and the sinks run on the caller's, which sees every
    /// chunk, record and event in the order a single thread would.
    ///
    /// A failing source is not an error here: the sinks are finished first (the summary is
    /// printed, `--save` has every byte received), then the caller turns
    /// [`Ending::SourceFailed`] into the exit status. An error is a sink that failed (stdout
    /// closed, disk full).
    pub fn run(self, source: Box<dyn Source>, stop: &Arc<AtomicBool>) -> Result<Ending> {
        let Self {
            router,
            sinks,
            status,
            time,
            one_thread,
        } = self;
        let started = Instant::now();
        let (tx, rx) = mpsc::sync_channel(READ_AHEAD);
        // Each chunk's buffers go back to the thread that filled them once they are done with,
        // so that memory is used again instead of allocated (and freed on another thread).
        let (recycle_bytes, recycled_bytes) = mpsc::sync_channel(READ_AHEAD + DECODED_AHEAD);
        let reader_stop = Arc::clone(stop);
        let reader = std::thread::Builder::new()
            .name("ph-tap-source".into())
            .spawn(move || read::read_loop(source, &reader_stop, &tx, &recycled_bytes))
            .context("cannot start the reader thread")?;
        let (recycle, recycled) = mpsc::sync_channel(DECODED_AHEAD);
        let board = router.board().cloned();
        let decoding = Decoding {
            router,
            started,
            time,
            recycled,
        };
        let mut shown = Sinks {
            sinks,
            board,
            status,
            time,
            progress: Progress::new(started),
            recycle,
            recycle_bytes,
        };
        for sink in &mut shown.sinks {
            sink.begin()?;
        }
        let ending = if one_thread {
            let mut failed = Ok(());
            let mut ending = Ending::Finished;
            decoding.run(
                &rx,
                stop,
                reader,
                &mut |decoded| match shown.show(decoded) {
                    Ok(Some(end)) => {
                        ending = end;
                        true
                    }
                    Ok(None) => true,
                    Err(err) => {
                        failed = Err(err);
                        false
                    }
                },
            );
            failed?;
            ending
        } else {
            let (decoded_tx, decoded) = mpsc::sync_channel(DECODED_AHEAD);
            let decoder_stop = Arc::clone(stop);
            let decoder = std::thread::Builder::new()
                .name("ph-tap-decode".into())
                .spawn(move || {
                    decoding.run(&rx, &decoder_stop, reader, &mut |decoded| {
                        decoded_tx.send(decoded).is_ok()
                    });
                })
                .context("cannot start the decoding thread")?;
            let ending = loop {
                match decoded.recv() {
                    Ok(decoded) => {
                        if let Some(ending) = shown.show(decoded)? {
                            break ending;
                        }
                    }
                    // The decoding thread died (a panic): what was shown stays.
                    Err(_) => break Ending::Finished,
                }
            };
            // It has sent its end: it returns at once (it does not wait for a source thread
            // blocked in a read).
            let _ = decoder.join();
            ending
        };
        stop.store(true, Ordering::Relaxed);
        shown.finish()?;
        Ok(ending)
    }
}

/// The sinks' half of a run: what the decoding half hands on, saved, shown and counted.
struct Sinks<'a> {
    sinks: Vec<Box<dyn Sink + 'a>>,
    /// The router's board, for the source events' records.
    board: Option<crate::board::Board>,
    status: Option<StatusLine>,
    time: bool,
    progress: Progress,
    /// Where a chunk's emptied record list and bytes go back for the next chunks.
    recycle: mpsc::SyncSender<Vec<Record>>,
    recycle_bytes: mpsc::SyncSender<Vec<u8>>,
}

impl Sinks<'_> {
    /// Saves and shows what the decoding half handed on; the ending once it ends.
    fn show(&mut self, decoded: Decoded) -> Result<Option<Ending>> {
        match decoded {
            Decoded::Chunk {
                channel,
                at,
                bytes,
                records,
                counts,
            } => {
                self.progress.bytes += bytes.len() as u64;
                self.progress.counts = counts;
                for sink in &mut self.sinks {
                    sink.bytes(channel, at, &bytes)?;
                }
                for record in &records {
                    self.deliver(record)?;
                }
                // Taken back when the other thread wants one (when it has enough, dropped here).
                // Not emptied here: the records are freed on the thread that allocated them,
                // where the allocator serves them again at once (a value's number is a heap
                // string in this build, `serde_json`'s `arbitrary_precision`).
                let _ = self.recycle.try_send(records);
                let _ = self.recycle_bytes.try_send(bytes);
                self.tick()?;
            }
            Decoded::Time(at) => self.progress.recorded = Some(at),
            Decoded::Event { event, at } => {
                self.progress.source_event(&event, at);
                for sink in &mut self.sinks {
                    sink.source_event(at, &event)?;
                }
                let record = Record {
                    origin: Origin {
                        board: self.board.clone(),
                        ..Origin::default()
                    },
                    at: self.time.then_some(at),
                    body: Body::Source(event),
                };
                self.deliver(&record)?;
                self.tick()?;
            }
            Decoded::Idle => self.tick()?,
            Decoded::End {
                ending,
                held,
                counts,
            } => {
                self.progress.counts = counts;
                for record in &held {
                    self.deliver(record)?;
                }
                return Ok(Some(ending));
            }
        }
        Ok(None)
    }

    fn tick(&mut self) -> Result<()> {
        let stats = self.progress.stats();
        for sink in &mut self.sinks {
            sink.tick(&stats)?;
        }
        if let Some(status) = &mut self.status {
            status.tick(&stats)?;
        }
        Ok(())
    }

    fn deliver(&mut self, record: &Record) -> Result<()> {
        if let Some(status) = &mut self.status {
            status.record(record)?;
        }
        for sink in &mut self.sinks {
            sink.record(record)?;
        }
        Ok(())
    }

    /// The summary and the end of every sink: the status line's first.
    fn finish(&mut self) -> Result<()> {
        let stats = self.progress.stats();
        if let Some(status) = &mut self.status {
            status.finish(&stats)?;
        }
        for sink in &mut self.sinks {
            sink.finish(&stats)?;
        }
        Ok(())
    }
}
