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
//! recording ([`Poll::Time`]), the time it was recorded at. The same time goes to the sinks'
//! [`bytes`](Sink::bytes) (so `--save` stores it), to the records (when times are shown) and
//! to the run's duration, so a replay shows the live run's times and summary.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::record::{Body, ChannelId, Origin, Record};
use crate::router::Router;
use crate::sink::{Sink, Stats, StatusLine};
use crate::source::{Poll, Source, SourceEvent};

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

enum Chunk {
    Data { channel: ChannelId, bytes: Vec<u8> },
    Time(Duration),
    Event(SourceEvent),
    End,
    Failed(anyhow::Error),
}

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
}

impl Progress {
    fn new() -> Self {
        Self {
            started: Instant::now(),
            recorded: None,
            bytes: 0,
            reconnects: 0,
            away: Duration::ZERO,
            lost_at: None,
        }
    }

    /// The clock: the time since the run started in whole microseconds (what a capture
    /// stores), or the recorded time of a recording being replayed.
    fn now(&self) -> Duration {
        self.recorded.unwrap_or_else(|| {
            let us = self.started.elapsed().as_micros();
            Duration::from_micros(u64::try_from(us).unwrap_or(u64::MAX))
        })
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

    fn stats(&self, router: &Router) -> Stats {
        let now = self.now();
        Stats {
            bytes: self.bytes,
            elapsed: now,
            channels: router.accounting(),
            lines: router.lines(),
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
}

impl<'a> Pipeline<'a> {
    /// A pipeline decoding through `router`, with no sink yet.
    pub fn new(router: Router) -> Self {
        Self {
            router,
            sinks: Vec::new(),
            status: None,
            time: false,
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
    /// at (a recording that says it, [`Poll::Time`]).
    pub fn arrival_times(mut self, on: bool) -> Self {
        self.time = on;
        self
    }

    /// Reads `source` until it ends, fails, or `stop` is set, then finishes every sink.
    ///
    /// A failing source is not an error here: the sinks are finished first (the summary is
    /// printed, `--save` has every byte received), then the caller turns
    /// [`Ending::SourceFailed`] into the exit status. An error is a sink that failed (stdout
    /// closed, disk full).
    pub fn run(mut self, source: Box<dyn Source>, stop: &Arc<AtomicBool>) -> Result<Ending> {
        let (tx, rx) = mpsc::sync_channel::<Chunk>(64);
        let reader_stop = Arc::clone(stop);
        let reader = std::thread::Builder::new()
            .name("ph-tap-source".into())
            .spawn(move || read_loop(source, &reader_stop, &tx))
            .context("cannot start the reader thread")?;

        let mut progress = Progress::new();
        for sink in &mut self.sinks {
            sink.begin()?;
        }
        let ending = loop {
            if stop.load(Ordering::Relaxed) {
                break Ending::Interrupted;
            }
            match rx.recv_timeout(IDLE_TICK) {
                Ok(Chunk::Data { channel, bytes }) => {
                    self.chunk(channel, &bytes, &mut progress)?;
                    self.tick(&progress)?;
                }
                Ok(Chunk::Time(at)) => progress.recorded = Some(at),
                Ok(Chunk::Event(event)) => {
                    self.source_event(event, &mut progress)?;
                    self.tick(&progress)?;
                }
                Ok(Chunk::End) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                    break Ending::Finished;
                }
                Ok(Chunk::Failed(err)) => break Ending::SourceFailed(err),
                Err(mpsc::RecvTimeoutError::Timeout) => self.tick(&progress)?,
            }
        };
        stop.store(true, Ordering::Relaxed);
        // What the reader had already received is decoded, shown and saved too.
        while let Ok(chunk) = rx.try_recv() {
            match chunk {
                Chunk::Data { channel, bytes } => self.chunk(channel, &bytes, &mut progress)?,
                Chunk::Time(at) => progress.recorded = Some(at),
                Chunk::Event(event) => self.source_event(event, &mut progress)?,
                Chunk::End | Chunk::Failed(_) => break,
            }
        }
        drop(rx);
        let Self {
            router,
            sinks,
            status,
            ..
        } = &mut self;
        let mut result = Ok(());
        router.finish(&mut |record| {
            if result.is_ok() {
                result = deliver(status, sinks, &record);
            }
        });
        result?;
        let stats = progress.stats(router);
        if let Some(status) = status {
            status.finish(&stats)?;
        }
        for sink in sinks.iter_mut() {
            sink.finish(&stats)?;
        }
        // The reader notices `stop` within one poll; a blocking read (stdin) may not return, and
        // the thread then ends with the process.
        if !matches!(ending, Ending::Interrupted) {
            let _ = reader.join();
        }
        Ok(ending)
    }

    /// Saves, decodes and shows one chunk.
    fn chunk(&mut self, channel: ChannelId, bytes: &[u8], progress: &mut Progress) -> Result<()> {
        progress.bytes += bytes.len() as u64;
        let at = progress.now();
        let Self {
            router,
            sinks,
            status,
            time,
        } = self;
        for sink in sinks.iter_mut() {
            sink.bytes(channel, at, bytes)?;
        }
        let mut result = Ok(());
        router.feed(channel, bytes, time.then_some(at), &mut |record| {
            if result.is_ok() {
                result = deliver(status, sinks, &record);
            }
        });
        result
    }

    /// Counts and shows what happened to the source.
    fn source_event(&mut self, event: SourceEvent, progress: &mut Progress) -> Result<()> {
        let at = progress.now();
        progress.source_event(&event, at);
        for sink in &mut self.sinks {
            sink.source_event(at, &event)?;
        }
        let record = Record {
            origin: Origin::default(),
            at: self.time.then_some(at),
            body: Body::Source(event),
        };
        deliver(&mut self.status, &mut self.sinks, &record)
    }

    fn tick(&mut self, progress: &Progress) -> Result<()> {
        let stats = progress.stats(&self.router);
        for sink in &mut self.sinks {
            sink.tick(&stats)?;
        }
        if let Some(status) = &mut self.status {
            status.tick(&stats)?;
        }
        Ok(())
    }
}

fn deliver(
    status: &mut Option<StatusLine>,
    sinks: &mut [Box<dyn Sink + '_>],
    record: &Record,
) -> Result<()> {
    if let Some(status) = status {
        status.record(record)?;
    }
    for sink in sinks {
        sink.record(record)?;
    }
    Ok(())
}

fn read_loop(mut source: Box<dyn Source>, stop: &AtomicBool, tx: &mpsc::SyncSender<Chunk>) {
    let mut buf = vec![0u8; 16 * 1024];
    while !stop.load(Ordering::Relaxed) {
        let chunk = match source.poll(&mut buf) {
            Ok(Poll::Data { channel, len }) => Chunk::Data {
                channel,
                bytes: buf[..len].to_vec(),
            },
            Ok(Poll::Time(at)) => Chunk::Time(at),
            Ok(Poll::Idle) => continue,
            Ok(Poll::Event(event)) => Chunk::Event(event),
            Ok(Poll::End) => Chunk::End,
            Err(err) => Chunk::Failed(err),
        };
        let last = matches!(chunk, Chunk::End | Chunk::Failed(_));
        if tx.send(chunk).is_err() || last {
            return;
        }
    }
}
