//! Several streams on one link: [`Link`] drains rings and event queues of different types
//! into one sink, each as its own stream ([`StreamDesc`](crate::stream::StreamDesc)), with a
//! bounded amount of work per call.
//!
//! # The policy
//!
//! One [`Link::drain`] call reads at most `max` items in all (hellos not counted):
//!
//! 1. **Lossless streams first** (event queues), in the order given, each up to what is left
//!    of `max`: their items are the rare ones that must not wait behind a burst of samples,
//!    and a queue that is not drained turns its producer away.
//! 2. **Then the overwriting streams, round-robin**: what is left is shared out evenly, the
//!    share of a stream that had less to send going to the streams after it, and the stream
//!    that goes first moves on by one every call, so that none starves when `max` is smaller
//!    than the number of streams.
//!
//! Every stream is called on every drain, with a share of 0 if nothing is left, so that each
//! sends its boot hello on the first call and its periodic hellos on time. The first frame on
//! the link starts with the boot-time `0x00` (WIRE.md, section 1), whichever stream sends it.
//!
//! # Slow streams: full frames only
//!
//! A frame damaged on the link may have been any stream's, so the host breaks every stream's
//! chain, and a stream's next compact frames wait for its next full frame (WIRE.md, section
//! 7.4). For a fast stream that is a few milliseconds; for one that sends a frame a second, it
//! can be many seconds, or the end of the run. Give slow streams (and queues of rare events)
//! [`Drainer::with_anchor_every`]`(1)`: every frame full, a few bytes more on a few frames,
//! and each one placed the moment it arrives, whatever happened to the other streams.

use postcard::experimental::max_size::MaxSize;
use postcard_schema::Schema;
use serde::Serialize;

use ph_eventing::SeqSource;

use super::{DrainReport, Drainer};
use crate::encode::EncodeError;
use crate::stream::StreamKind;

/// One stream of a [`Link`]: a consumer (a ring's or a queue's) and the [`Drainer`] that frames
/// its items, with what the last drain did.
///
/// ```
/// use ph_eventing::{EventQueue, SeqRing};
/// use ph_eventing_wire::drain::{Drainer, link::{Link, Stream}};
/// use ph_eventing_wire::stream::{StreamDesc, StreamKind};
///
/// static SAMPLES: SeqRing<u16, 64> = SeqRing::new();
/// static FAULTS: EventQueue<u8, 8> = EventQueue::new();
///
/// let boot_id = 0x5eed_0001;
/// let mut samples = Stream::new(
///     SAMPLES.consumer(),
///     Drainer::new(boot_id).with_stream(StreamDesc::new(0, "samples").of(2)),
/// );
/// let mut faults = Stream::new(
///     FAULTS.consumer(),
///     Drainer::new(boot_id)
///         .with_stream(StreamDesc::new(1, "faults").with_kind(StreamKind::Queue).of(2)),
/// );
/// SAMPLES.producer().push(1200);
/// FAULTS.producer().push(3).unwrap();
///
/// let mut link = Link::new();
/// let mut buf = [0u8; 96];
/// let mut wire = Vec::new();
/// let report = link
///     .drain(&mut [&mut samples, &mut faults], 32, &mut buf, |frame| {
///         wire.extend_from_slice(frame);
///         true
///     })
///     .unwrap();
/// assert_eq!((report.frames, report.hellos), (2, 2));
/// assert_eq!(faults.last_report().frames, 1);
/// ```
#[derive(Debug)]
pub struct Stream<S> {
    source: S,
    drainer: Drainer,
    last: DrainReport,
}

impl<S> Stream<S>
where
    S: SeqSource,
    S::Item: Serialize + Schema + MaxSize,
{
    /// The stream of `source`, framed by `drainer` (give it the stream's id and name with
    /// [`Drainer::with_stream`]). The stream's kind is the source's: [`StreamKind::Queue`] for a
    /// lossless one ([`SeqSource::LOSSLESS`]), [`StreamKind::Ring`] otherwise, whatever the
    /// drainer's [`StreamDesc`](crate::stream::StreamDesc) said.
    pub const fn new(source: S, drainer: Drainer) -> Self {
        let kind = if S::LOSSLESS {
            StreamKind::Queue
        } else {
            StreamKind::Ring
        };
        let desc = drainer.stream().with_kind(kind);
        Self {
            source,
            drainer: drainer.with_stream(desc),
            last: DrainReport {
                stats: ph_eventing::PollStats {
                    read: 0,
                    dropped: 0,
                    newest: 0,
                },
                frames: 0,
                compact: 0,
                refused: 0,
                hellos: 0,
                bytes: 0,
                encode_errors: 0,
            },
        }
    }

    /// What the last drain of this stream did (its items, its losses, its frames).
    pub const fn last_report(&self) -> &DrainReport {
        &self.last
    }

    /// The drainer (its counters, its stream).
    pub const fn drainer(&self) -> &Drainer {
        &self.drainer
    }

    /// The consumer.
    pub fn source(&mut self) -> &mut S {
        &mut self.source
    }

    /// Sends this stream's hello now ([`Drainer::hello`]): for a time-based schedule, or before
    /// the stream goes quiet, so that the host accounts the losses before it (a hello is a
    /// checkpoint, WIRE.md section 5). Returns the bytes handed to `sink` and whether it wrote
    /// the hello whole.
    pub fn hello(
        &mut self,
        buf: &mut [u8],
        sink: impl FnMut(&[u8]) -> bool,
    ) -> Result<(usize, bool), EncodeError> {
        self.drainer.hello::<S::Item, _>(buf, sink)
    }
}

/// A stream as a [`Link`] drains it, whatever its item type: implemented by [`Stream`].
pub trait LinkStream {
    /// Drained before the overwriting streams (see the [module docs](self)).
    fn is_lossless(&self) -> bool;
    /// The frame buffer its items and hellos need.
    fn buffer_needed(&self) -> usize;
    /// Drains up to `max` items into `sink` ([`Drainer::drain`]).
    fn drain_into(
        &mut self,
        max: usize,
        buf: &mut [u8],
        sink: &mut dyn FnMut(&[u8]) -> bool,
    ) -> Result<DrainReport, EncodeError>;
    /// Whether its first hello starts with the boot-time `0x00`.
    fn set_boot_delimiter(&mut self, on: bool);
}

impl<S> LinkStream for Stream<S>
where
    S: SeqSource,
    S::Item: Serialize + Schema + MaxSize,
{
    fn is_lossless(&self) -> bool {
        S::LOSSLESS
    }

    fn buffer_needed(&self) -> usize {
        Drainer::buffer_needed::<S::Item>()
    }

    fn drain_into(
        &mut self,
        max: usize,
        buf: &mut [u8],
        sink: &mut dyn FnMut(&[u8]) -> bool,
    ) -> Result<DrainReport, EncodeError> {
        let report = self.drainer.drain(&mut self.source, max, buf, sink)?;
        self.last = report;
        Ok(report)
    }

    fn set_boot_delimiter(&mut self, on: bool) {
        self.drainer.set_boot_delimiter(on);
    }
}

/// Drains several streams into one link with the [policy](self) above.
///
/// The streams are given on every call, in the same order (a slice of `&mut dyn LinkStream`,
/// so they may have different item types); it keeps only whose turn it is.
#[derive(Clone, Debug, Default)]
pub struct Link {
    /// The overwriting stream that goes first on the next call, counted among those streams.
    turn: usize,
    started: bool,
}

impl Link {
    /// A link that has sent nothing yet.
    pub const fn new() -> Self {
        Self {
            turn: 0,
            started: false,
        }
    }

    /// Drains up to `max` items from `streams` (see the [policy](self)), each frame handed to
    /// `sink` (which returns `true` when it wrote the whole frame). Returns the sum of the
    /// streams' reports (`stats.newest` is that of the last stream drained: each stream's own
    /// report, [`Stream::last_report`], has its own).
    ///
    /// `buf` must hold what every stream needs ([`Drainer::buffer_needed`] for each item type);
    /// otherwise this returns [`EncodeError::BufferTooSmall`] before reading anything.
    pub fn drain(
        &mut self,
        streams: &mut [&mut dyn LinkStream],
        max: usize,
        buf: &mut [u8],
        mut sink: impl FnMut(&[u8]) -> bool,
    ) -> Result<DrainReport, EncodeError> {
        let needed = streams.iter().map(|s| s.buffer_needed()).max().unwrap_or(0);
        if buf.len() < needed {
            return Err(EncodeError::BufferTooSmall { needed });
        }
        let lossy = streams.iter().filter(|s| !s.is_lossless()).count();
        if !self.started {
            self.started = true;
            // The first stream drained sends the link's first frame, its boot hello.
            let first = streams
                .iter()
                .position(|s| s.is_lossless())
                .or_else(|| self.lossy_index(streams, 0, lossy));
            for (k, stream) in streams.iter_mut().enumerate() {
                stream.set_boot_delimiter(Some(k) == first);
            }
        }
        let mut total = DrainReport::default();
        let mut left = max;
        for stream in streams.iter_mut().filter(|s| s.is_lossless()) {
            let report = stream.drain_into(left, buf, &mut sink)?;
            left -= (report.stats.read as usize).min(left);
            total.add(&report);
        }
        for k in 0..lossy {
            let share = left.div_ceil(lossy - k);
            let Some(index) = self.lossy_index(streams, k, lossy) else {
                break;
            };
            let report = streams[index].drain_into(share, buf, &mut sink)?;
            left -= (report.stats.read as usize).min(left);
            total.add(&report);
        }
        if lossy > 0 {
            self.turn = (self.turn + 1) % lossy;
        }
        Ok(total)
    }

    /// The index in `streams` of the `k`-th overwriting stream of this call's turn.
    fn lossy_index(
        &self,
        streams: &[&mut dyn LinkStream],
        k: usize,
        lossy: usize,
    ) -> Option<usize> {
        if lossy == 0 {
            return None;
        }
        let nth = (self.turn + k) % lossy;
        streams
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.is_lossless())
            .nth(nth)
            .map(|(index, _)| index)
    }
}

impl DrainReport {
    /// Adds `other`'s counts to these (`stats` as [`PollStats::accumulate`](ph_eventing::PollStats::accumulate) does).
    ///
    /// ```
    /// use ph_eventing_wire::drain::DrainReport;
    /// let mut total = DrainReport { frames: 2, ..Default::default() };
    /// total.add(&DrainReport { frames: 3, hellos: 1, ..Default::default() });
    /// assert_eq!((total.frames, total.hellos), (5, 1));
    /// ```
    pub fn add(&mut self, other: &DrainReport) {
        self.stats.accumulate(other.stats);
        self.frames += other.frames;
        self.compact += other.compact;
        self.refused += other.refused;
        self.hellos += other.hellos;
        self.bytes += other.bytes;
        self.encode_errors += other.encode_errors;
    }
}
