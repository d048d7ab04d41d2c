//! The firmware side's loop body: drain a [`Consumer`] into frames and hand each to a sink
//! (RTT, UART, a test `Vec`), with hellos at boot and periodically.

use ph_eventing::{Consumer, PollStats};
use postcard::experimental::max_size::MaxSize;
use postcard_schema::Schema;
use serde::Serialize;

use crate::encode::{
    EncodeError, HelloFields, encode_data, encode_hello, max_frame_len, max_hello_len,
};
use crate::seq::{next_seq, seq_distance};

/// Default number of data frames between two hellos.
pub const DEFAULT_HELLO_EVERY: u32 = 1024;

/// What one [`Drainer::drain`] call did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DrainReport {
    /// The ring's statistics for this drain.
    pub stats: PollStats,
    /// Data frames handed to the sink.
    pub frames: u32,
    /// Hello frames handed to the sink.
    pub hellos: u32,
    /// Bytes handed to the sink.
    pub bytes: usize,
    /// Items that could not be encoded (their `Serialize` failed); the host sees them as link
    /// losses.
    pub encode_errors: u32,
}

/// Sender state: the boot id, the running ring-drop counter, the next sequence number and the
/// hello schedule.
///
/// It must be the only reader of its consumer, and there is one per stream: it counts ring drops
/// from the gaps in the sequence numbers it receives (which is what `PollStats::dropped` counts,
/// but per item), so that every frame carries the drops before its own `seq`. For a ring made
/// with `SeqRing::starting_at`, say so with [`with_first_seq`](Self::with_first_seq).
///
/// ```
/// use ph_eventing::SeqRing;
/// use ph_eventing_wire::drain::Drainer;
///
/// static RING: SeqRing<u32, 64> = SeqRing::new();
/// let producer = RING.producer();
/// let mut consumer = RING.consumer();
/// let mut drainer = Drainer::new(0x1234_5678); // e.g. from a hardware RNG at boot
/// let mut buf = [0u8; 64]; // ≥ max_frame_len::<u32>() and the hello's length
///
/// producer.push(7);
/// producer.push(8);
/// let mut wire = Vec::new();
/// let report = drainer.drain(&mut consumer, 16, &mut buf, |frame| wire.extend_from_slice(frame)).unwrap();
/// assert_eq!((report.frames, report.hellos), (2, 1)); // the boot hello came first
/// ```
#[derive(Clone, Debug)]
pub struct Drainer {
    boot_id: u32,
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
            boot_id,
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

    /// The boot id this sender announces.
    pub const fn boot_id(&self) -> u32 {
        self.boot_id
    }

    /// Ring drops counted so far.
    pub const fn ring_drops(&self) -> u32 {
        self.ring_drops
    }

    /// The hello fields as of now.
    pub const fn hello_fields(&self) -> HelloFields {
        HelloFields {
            boot_id: self.boot_id,
            next_seq: self.next_seq,
            ring_drops: self.ring_drops,
        }
    }

    /// Sends a hello now (also the first thing [`drain`](Self::drain) does after boot). The very
    /// first one is preceded by a lone `0x00` so a reader drops any boot-time noise on the link.
    pub fn hello<T, F>(&mut self, buf: &mut [u8], mut sink: F) -> Result<usize, EncodeError>
    where
        T: Schema + MaxSize + ?Sized,
        F: FnMut(&[u8]),
    {
        let fields = self.hello_fields();
        let frame = encode_hello::<T>(&fields, buf)?;
        let mut sent = frame.len();
        if !self.started {
            sink(&[0]);
            sent += 1;
            self.started = true;
        }
        sink(frame);
        self.since_hello = 0;
        Ok(sent)
    }

    /// Reads up to `max` items from `consumer` (one `poll_up_to`), encodes each into `buf` and
    /// passes the frame to `sink`; sends a hello first after boot and then every
    /// [`with_hello_every`](Self::with_hello_every) frames.
    ///
    /// `buf` must hold [`max_frame_len::<T>()`](max_frame_len) bytes and `T`'s hello
    /// ([`max_hello_len`]); otherwise this returns [`EncodeError::BufferTooSmall`] before reading
    /// anything.
    pub fn drain<T, const N: usize, F>(
        &mut self,
        consumer: &mut Consumer<'_, T, N>,
        max: usize,
        buf: &mut [u8],
        mut sink: F,
    ) -> Result<DrainReport, EncodeError>
    where
        T: Copy + Serialize + Schema + MaxSize,
        F: FnMut(&[u8]),
    {
        let needed = max_frame_len::<T>().max(max_hello_len::<T>());
        if buf.len() < needed {
            return Err(EncodeError::BufferTooSmall { needed });
        }
        let mut report = DrainReport::default();
        if !self.started {
            report.bytes += self.hello::<T, _>(buf, &mut sink)?;
            report.hellos += 1;
        }
        let stats = consumer.poll_up_to(max, |seq, value| {
            // The consumer delivers in order; a jump means the ring overwrote the items between.
            // With this drainer as the only reader, these gaps add up to `PollStats::dropped`, and
            // each is attributed to the item right after it, as the format requires.
            let skipped = seq_distance(self.next_seq, seq);
            self.ring_drops = self.ring_drops.wrapping_add(skipped);
            self.next_seq = seq;
            if self.hello_every != 0
                && self.since_hello >= self.hello_every
                && let Ok(n) = self.hello::<T, _>(buf, &mut sink)
            {
                report.bytes += n;
                report.hellos += 1;
            }
            match encode_data(self.boot_id, seq, self.ring_drops, value, buf) {
                Ok(frame) => {
                    sink(frame);
                    report.bytes += frame.len();
                    report.frames += 1;
                }
                Err(_) => report.encode_errors += 1,
            }
            self.since_hello = self.since_hello.saturating_add(1);
            self.next_seq = next_seq(seq);
        });
        report.stats = stats;
        Ok(report)
    }
}
