//! The firmware side's loop body: drain a consumer ([`ph_eventing::Consumer`],
//! [`ph_eventing::QueueConsumer`]) into frames and hand each to a sink (RTT, UART, a test
//! `Vec`), with hellos at boot and periodically; and several streams into one link
//! ([`link`]).

pub mod link;

use ph_eventing::{PollStats, SeqSource};
use postcard::experimental::max_size::MaxSize;
use postcard_schema::Schema;
use serde::Serialize;

use crate::encode::{EncodeError, HelloFields, StreamEncoder, max_frame_len, max_hello_len};
use crate::seq;
use crate::stream::StreamDesc;

/// Default number of data frames between two hellos.
pub const DEFAULT_HELLO_EVERY: u32 = 1024;

/// What one [`Drainer::drain`] call did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DrainReport {
    /// The ring's statistics for this drain.
    pub stats: PollStats,
    /// Data frames handed to the sink (full and compact, written or refused).
    pub frames: u32,
    /// Of those, compact frames.
    pub compact: u32,
    /// Frames (data or hello) the sink refused or wrote only in part; the host sees refused data
    /// frames as link losses.
    pub refused: u32,
    /// Hello frames handed to the sink.
    pub hellos: u32,
    /// Bytes handed to the sink.
    pub bytes: usize,
    /// Items that could not be encoded (their `Serialize` failed); the host sees them as link
    /// losses.
    pub encode_errors: u32,
}

/// Sender state: the boot id, the running ring-drop counter, the next sequence number, the
/// hello schedule and the choice between full and compact frames ([`StreamEncoder`]).
///
/// It must be the only reader of its consumer, and there is one per stream: it counts ring drops
/// from the gaps in the sequence numbers it receives (which is what `PollStats::dropped` counts,
/// but per item), so that every frame carries the drops before its own `seq`. For a ring made
/// with `SeqRing::starting_at`, say so with [`with_first_seq`](Self::with_first_seq).
///
/// The sink returns `true` when it wrote the whole frame and `false` when it dropped it (an RTT
/// channel in `NoBlockSkip` mode that is full): the next data frame is then a full one, so the
/// host counts the refused frame as a link loss instead of misplacing the next value.
///
/// ```
/// use ph_eventing::SeqRing;
/// use ph_eventing_wire::drain::Drainer;
///
/// static RING: SeqRing<u32, 64> = SeqRing::new();
/// let producer = RING.producer();
/// let mut consumer = RING.consumer();
/// let mut drainer = Drainer::new(0x1234_5678); // e.g. from a hardware RNG at boot
/// let mut buf = [0u8; Drainer::buffer_needed::<u32>()]; // a data frame and a hello
///
/// producer.push(7);
/// producer.push(8);
/// let mut wire = Vec::new();
/// let report = drainer
///     .drain(&mut consumer, 16, &mut buf, |frame| {
///         wire.extend_from_slice(frame);
///         true // written completely
///     })
///     .unwrap();
/// assert_eq!((report.frames, report.hellos), (2, 1)); // the boot hello came first
/// assert_eq!(report.compact, 1); // seq 2 follows seq 1: value only
/// ```
#[derive(Clone, Debug)]
pub struct Drainer {
    encoder: StreamEncoder,
    next_seq: u32,
    ring_drops: u32,
    hello_every: u32,
    since_hello: u32,
    started: bool,
}

impl Drainer {
    /// A sender for a ring created with `SeqRing::new` (first sequence number 1) on the boot
    /// `boot_id` (a fresh value on every boot: a hardware RNG, or a counter kept in no-init RAM).
    pub const fn new(boot_id: u32) -> Self {
        Self {
            encoder: StreamEncoder::new(boot_id).with_boot_delimiter(),
            next_seq: 1,
            ring_drops: 0,
            hello_every: DEFAULT_HELLO_EVERY,
            since_hello: 0,
            started: false,
        }
    }

    /// For a ring created with `SeqRing::starting_at(first_seq)`.
    pub const fn with_first_seq(mut self, first_seq: u32) -> Self {
        self.next_seq = if first_seq == 0 { 1 } else { first_seq };
        self
    }

    /// Sends a hello every `frames` data frames (`0`: only at boot; call
    /// [`hello`](Self::hello) yourself for a time-based schedule).
    pub const fn with_hello_every(mut self, frames: u32) -> Self {
        self.hello_every = frames;
        self
    }

    /// Drains the stream `desc` describes (default [`StreamDesc::SINGLE`]: the only stream of
    /// its link). Several streams share a link through [`link::Link`], one `Drainer` each, all
    /// with the same boot id.
    pub const fn with_stream(mut self, desc: StreamDesc) -> Self {
        self.encoder = self.encoder.with_stream(desc);
        self
    }

    /// The stream it drains.
    pub const fn stream(&self) -> &StreamDesc {
        self.encoder.stream()
    }

    /// Whether the first hello starts with the boot-time `0x00` (on by default; a
    /// [`link::Link`] leaves it to the first stream it drains).
    pub(crate) const fn set_boot_delimiter(&mut self, on: bool) {
        if !self.started {
            self.encoder.set_boot_delimiter(on);
        }
    }

    /// A full data frame at least every `k` data frames (default
    /// [`DEFAULT_ANCHOR_EVERY`](crate::encode::DEFAULT_ANCHOR_EVERY)); `1` makes every frame
    /// full. See [`StreamEncoder::with_anchor_every`].
    pub const fn with_anchor_every(mut self, k: u32) -> Self {
        self.encoder = self.encoder.with_anchor_every(k);
        self
    }

    /// The boot id this sender announces.
    pub const fn boot_id(&self) -> u32 {
        self.encoder.boot_id()
    }

    /// Ring drops counted so far.
    pub const fn ring_drops(&self) -> u32 {
        self.ring_drops
    }

    /// The hello fields as of now.
    pub const fn hello_fields(&self) -> HelloFields {
        HelloFields {
            boot_id: self.encoder.boot_id(),
            next_seq: self.next_seq,
            ring_drops: self.ring_drops,
        }
    }

    /// The buffer [`drain`](Self::drain) needs for items of type `T`: a data frame's and a
    /// hello's worst case.
    pub const fn buffer_needed<T: Schema + MaxSize>() -> usize {
        let (data, hello) = (max_frame_len::<T>(), max_hello_len::<T>());
        if data > hello { data } else { hello }
    }

    /// Sends a hello now (also the first thing [`drain`](Self::drain) does after boot). The very
    /// first one starts with a `0x00`, in the same sink call, so a reader drops any boot-time
    /// noise on the link ([`StreamEncoder::with_boot_delimiter`]): every sink call is one whole
    /// frame.
    /// Returns the bytes handed to the sink and whether it wrote the hello completely.
    ///
    /// ```
    /// use ph_eventing_wire::drain::Drainer;
    ///
    /// let mut drainer = Drainer::new(7);
    /// let mut buf = [0u8; 64];
    /// let mut calls: Vec<Vec<u8>> = Vec::new();
    /// for _ in 0..2 {
    ///     drainer
    ///         .hello::<u32, _>(&mut buf, |f| { calls.push(f.to_vec()); true })
    ///         .unwrap();
    /// }
    /// assert_eq!(calls[0][0], 0x00); // the boot hello: delimiter, then the hello
    /// assert_eq!(&calls[0][1..], calls[1]); // later ones: the hello alone
    /// ```
    pub fn hello<T, F>(&mut self, buf: &mut [u8], mut sink: F) -> Result<(usize, bool), EncodeError>
    where
        T: Schema + MaxSize + ?Sized,
        F: FnMut(&[u8]) -> bool,
    {
        let sent = self
            .encoder
            .hello::<T>(self.next_seq, self.ring_drops, buf, &mut sink)?;
        self.started = true;
        self.since_hello = 0;
        Ok((sent.bytes, sent.written))
    }

    /// Reads up to `max` items from `consumer` (one `poll_up_to`; a ring's `Consumer`, an event
    /// queue's `QueueConsumer`, anything that is a [`SeqSource`]), encodes each into `buf` and
    /// passes the frame to `sink`; sends a hello first after boot and then every
    /// [`with_hello_every`](Self::with_hello_every) frames.
    ///
    /// `buf` must hold [`max_frame_len::<T>()`](max_frame_len) bytes and `T`'s hello
    /// ([`max_hello_len`]); otherwise this returns [`EncodeError::BufferTooSmall`] before reading
    /// anything.
    pub fn drain<S, F>(
        &mut self,
        consumer: &mut S,
        max: usize,
        buf: &mut [u8],
        mut sink: F,
    ) -> Result<DrainReport, EncodeError>
    where
        S: SeqSource + ?Sized,
        S::Item: Serialize + Schema + MaxSize,
        F: FnMut(&[u8]) -> bool,
    {
        type T<S> = <S as SeqSource>::Item;
        let needed = Self::buffer_needed::<T<S>>();
        if buf.len() < needed {
            return Err(EncodeError::BufferTooSmall { needed });
        }
        let mut report = DrainReport::default();
        if !self.started {
            let (bytes, written) = self.hello::<T<S>, _>(buf, &mut sink)?;
            report.bytes += bytes;
            report.hellos += 1;
            report.refused += u32::from(!written);
        }
        let stats = consumer.poll_up_to(max, |seq, value| {
            // The consumer delivers in order; a jump means the ring overwrote the items between.
            // With this drainer as the only reader, these gaps add up to `PollStats::dropped`, and
            // each is attributed to the item right after it, as the format requires.
            let skipped = seq::distance(self.next_seq, seq);
            self.ring_drops = self.ring_drops.wrapping_add(skipped);
            self.next_seq = seq;
            if self.hello_every != 0
                && self.since_hello >= self.hello_every
                && let Ok((bytes, written)) = self.hello::<T<S>, _>(buf, &mut sink)
            {
                report.bytes += bytes;
                report.hellos += 1;
                report.refused += u32::from(!written);
            }
            match self
                .encoder
                .data(seq, self.ring_drops, value, buf, &mut sink)
            {
                Ok(sent) => {
                    report.bytes += sent.bytes;
                    report.frames += 1;
                    report.compact += u32::from(sent.compact);
                    report.refused += u32::from(!sent.written);
                }
                Err(_) => report.encode_errors += 1,
            }
            self.since_hello = self.since_hello.saturating_add(1);
            self.next_seq = seq::next(seq);
        });
        report.stats = stats;
        Ok(report)
    }
}
