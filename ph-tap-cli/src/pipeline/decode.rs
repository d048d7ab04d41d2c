//! The decoding thread: the router decodes each chunk the source thread read, on the run's
//! clock, and hands the chunk, its time and its records on to the sinks' thread, in order.
//!
//! Decoding and showing are the two halves of the work: on a thread each, a capture decodes on
//! two cores, and the records reach the sinks exactly as they would from one thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::read::Chunk;
use super::{Ending, IDLE_TICK};
use crate::decode::{Accounting, LineCounts};
use crate::record::{ChannelId, Record};
use crate::router::Router;
use crate::source::SourceEvent;

/// What the decoders count, as of the latest chunk: what the stats show.
#[derive(Debug, Default)]
pub(super) struct Counts {
    pub(super) channels: Vec<(ChannelId, Accounting)>,
    pub(super) lines: Vec<(ChannelId, LineCounts)>,
}

impl Counts {
    fn of(router: &Router) -> Self {
        Self {
            channels: router.accounting(),
            lines: router.lines(),
        }
    }
}

/// What the decoding thread hands the sinks' thread.
pub(super) enum Decoded {
    /// A chunk of bytes, the time it got, the records it completed, and the counts after it.
    Chunk {
        channel: ChannelId,
        at: Duration,
        bytes: Vec<u8>,
        records: Vec<Record>,
        counts: Counts,
    },
    /// The time a recording being replayed says (the clock from now on).
    Time(Duration),
    /// Something happened to the source, at `at`.
    Event { event: SourceEvent, at: Duration },
    /// Nothing came for a while (the sinks redraw and flush).
    Idle,
    /// The end: how, the records the decoders held back, and the final counts.
    End {
        ending: Ending,
        held: Vec<Record>,
        counts: Counts,
    },
}

/// The decoding half of a run.
pub(super) struct Decoding {
    pub(super) router: Router,
    /// When the run started: the clock of live sources.
    pub(super) started: Instant,
    /// Stamp records with their time.
    pub(super) time: bool,
    /// The sinks' thread hands back each chunk's record list once shown, so that its memory is
    /// used again instead of being allocated (and mapped) anew for every chunk, and its records
    /// are freed here, where they were allocated.
    pub(super) recycled: mpsc::Receiver<Vec<Record>>,
}

impl Decoding {
    /// Decodes what `rx` brings, handing each result to `out` (`false`: stop, nobody
    /// listens), until the source ends or fails, or `stop` is set; then decodes what was
    /// already read, ends the decoders, and says how it ended. Waits for the source thread
    /// unless interrupted (a blocking read, stdin, may never return).
    pub(super) fn run(
        mut self,
        rx: &mpsc::Receiver<Chunk>,
        stop: &AtomicBool,
        reader: JoinHandle<()>,
        out: &mut dyn FnMut(Decoded) -> bool,
    ) {
        let mut recorded = None;
        let ending = loop {
            if stop.load(Ordering::Relaxed) {
                break Ending::Interrupted;
            }
            let chunk = match rx.recv_timeout(IDLE_TICK) {
                Ok(Chunk::End) | Err(RecvTimeoutError::Disconnected) => break Ending::Finished,
                Ok(Chunk::Failed(err)) => break Ending::SourceFailed(err),
                Err(RecvTimeoutError::Timeout) => {
                    if !out(Decoded::Idle) {
                        return;
                    }
                    continue;
                }
                Ok(chunk) => chunk,
            };
            if !self.step(chunk, &mut recorded, out) {
                return;
            }
        };
        stop.store(true, Ordering::Relaxed);
        // What the reader had already received is decoded, shown and saved too.
        while let Ok(chunk) = rx.try_recv() {
            if matches!(chunk, Chunk::End | Chunk::Failed(_))
                || !self.step(chunk, &mut recorded, out)
            {
                break;
            }
        }
        let mut held = Vec::new();
        self.router.finish(&mut held);
        let interrupted = matches!(ending, Ending::Interrupted);
        let end = Decoded::End {
            ending,
            held,
            counts: Counts::of(&self.router),
        };
        if out(end) && !interrupted {
            let _ = reader.join();
        }
    }

    /// Decodes one chunk (or passes on a time or an event); `false` when nobody listens.
    fn step(
        &mut self,
        chunk: Chunk,
        recorded: &mut Option<Duration>,
        out: &mut dyn FnMut(Decoded) -> bool,
    ) -> bool {
        let decoded = match chunk {
            Chunk::Data { channel, bytes } => {
                let at = now(self.started, *recorded);
                let mut records = self.recycled.try_recv().unwrap_or_default();
                records.clear();
                self.router
                    .feed(channel, &bytes, self.time.then_some(at), &mut records);
                Decoded::Chunk {
                    channel,
                    at,
                    bytes,
                    records,
                    counts: Counts::of(&self.router),
                }
            }
            Chunk::Time(at) => {
                *recorded = Some(at);
                Decoded::Time(at)
            }
            Chunk::Event(event) => Decoded::Event {
                event,
                at: now(self.started, *recorded),
            },
            Chunk::End | Chunk::Failed(_) => return true,
        };
        out(decoded)
    }
}

/// The run's clock: the time since `started` in whole microseconds (what a capture stores), or
/// the recorded time of a recording being replayed.
pub(super) fn now(started: Instant, recorded: Option<Duration>) -> Duration {
    recorded.unwrap_or_else(|| {
        let us = started.elapsed().as_micros();
        Duration::from_micros(u64::try_from(us).unwrap_or(u64::MAX))
    })
}
