//! Benchmarks of `ph-eventing` against its peers (see the `benches/` folder of this crate).
//!
//! This library holds what the bench targets share:
//!
//! - [`Payload`]: the item types every workload runs with (`u32` and `[u8; 32]`), each carrying a
//!   counter so that a consumer can check it got items in order and count what it got;
//! - [`Peer`] and [`two_threads`]: workload 3 (a producer at full speed on one thread, a consumer
//!   draining on another), as a bounded run of a fixed number of pushes that reports both the
//!   items delivered per second and the fraction dropped;
//! - [`capture`]: synthetic captures in the wire format for the decoder benchmarks, frame sizes,
//!   and `defmt`'s size for the same events, derived from its documented encoding.
//!
//! Every peer gets a ring of [`CAPACITY`] items.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

pub mod capture;

/// Items every ring holds in every workload.
pub const CAPACITY: usize = 1024;

/// Items a consumer takes per batch in the draining workloads.
pub const BATCH: usize = 64;

/// An item type the benchmarks push: built from a counter, and giving it back.
pub trait Payload:
    Copy + ph_eventing::bytemuck::NoUninit + photon_ring::Pod + Send + Sync + Default + 'static
{
    /// Name used in benchmark ids and tables.
    const NAME: &'static str;
    /// Short name used in benchmark ids (no spaces or brackets).
    const SLUG: &'static str;
    /// The item carrying `counter`.
    fn from_counter(counter: u32) -> Self;
    /// The counter this item carries.
    fn counter(&self) -> u32;
}

impl Payload for u32 {
    const NAME: &'static str = "u32";
    const SLUG: &'static str = "u32";
    #[inline(always)]
    fn from_counter(counter: u32) -> Self {
        counter
    }
    #[inline(always)]
    fn counter(&self) -> u32 {
        *self
    }
}

impl Payload for [u8; 32] {
    const NAME: &'static str = "[u8; 32]";
    const SLUG: &'static str = "bytes32";
    #[inline(always)]
    fn from_counter(counter: u32) -> Self {
        let mut item = [0xA5; 32];
        item[..4].copy_from_slice(&counter.to_le_bytes());
        item
    }
    #[inline(always)]
    fn counter(&self) -> u32 {
        u32::from_le_bytes([self[0], self[1], self[2], self[3]])
    }
}

/// The rings compared, in the order the tables list them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Peer {
    /// This workspace's `ph-eventing` `SeqRing`, the stamped ring (overwrites the oldest item when
    /// full).
    Ours,
    /// The same `SeqRing` with a cache line per slot (`SeqRing<T, N, LinePerSlot>`).
    OursLine,
    /// This workspace's `ph-eventing` `SwapRing`, the buffer-swap ring that takes any `Copy` type
    /// (overwrites the oldest item when full).
    Swap,
    /// `ph-eventing` 0.3.0, the published original (overwrites the oldest item when full).
    Orig,
    /// `crossbeam-queue` `ArrayQueue::force_push` (overwrites the oldest item when full).
    Crossbeam,
    /// `photon-ring` `channel` (lossy SPMC seqlock ring) with one subscriber (overwrites the
    /// oldest item when full).
    Photon,
    /// `rtrb` (drops the new item when full).
    Rtrb,
    /// `heapless::spsc` (drops the new item when full).
    Heapless,
    /// `ringbuf` split into producer and consumer: `try_push` (drops the new item when full).
    /// Its overwriting `push_overwrite` needs the whole ring (`&mut`), so it cannot run on two
    /// threads.
    RingbufSplit,
}

impl Peer {
    /// Every peer that can run workload 3.
    pub const ALL: [Peer; 9] = [
        Peer::Ours,
        Peer::OursLine,
        Peer::Swap,
        Peer::Orig,
        Peer::Crossbeam,
        Peer::Photon,
        Peer::Rtrb,
        Peer::Heapless,
        Peer::RingbufSplit,
    ];

    /// Row label in the tables.
    pub fn label(self) -> &'static str {
        match self {
            Peer::Ours => "ph-eventing 0.4 SeqRing (stamped)",
            Peer::OursLine => "ph-eventing 0.4 SeqRing, LinePerSlot",
            Peer::Swap => "ph-eventing 0.4 SwapRing (any Copy)",
            Peer::Orig => "ph-eventing 0.3.0",
            Peer::Crossbeam => "crossbeam-queue ArrayQueue::force_push",
            Peer::Photon => "photon-ring channel (lossy)",
            Peer::Rtrb => "rtrb (drops new)",
            Peer::Heapless => "heapless::spsc (drops new)",
            Peer::RingbufSplit => "ringbuf split try_push (drops new)",
        }
    }

    /// Whether the peer overwrites the oldest item when full (else it drops the new one).
    pub fn overwrites(self) -> bool {
        matches!(
            self,
            Peer::Ours | Peer::OursLine | Peer::Swap | Peer::Orig | Peer::Crossbeam | Peer::Photon
        )
    }
}

/// The outcome of one run of workload 3.
#[derive(Clone, Copy, Debug)]
pub struct TwoThreadRun {
    /// Items the producer pushed.
    pub pushed: u64,
    /// Items the consumer received.
    pub delivered: u64,
    /// Items the ring itself reported as lost (`dropped` of the `ph-eventing` rings, photon-ring's
    /// `total_lagged`; `None` for peers that do not count losses).
    pub reported_dropped: Option<u64>,
    /// From the producer's first push until the consumer has drained the last item.
    pub elapsed: Duration,
    /// From the producer's first push to its last.
    pub producer_elapsed: Duration,
    /// The consumer saw every counter strictly greater than the previous one.
    pub in_order: bool,
}

impl TwoThreadRun {
    /// Items delivered per second of the whole run.
    pub fn delivered_per_sec(&self) -> f64 {
        self.delivered as f64 / self.elapsed.as_secs_f64()
    }

    /// Fraction of the pushed items that the consumer never got.
    pub fn dropped_fraction(&self) -> f64 {
        (self.pushed - self.delivered) as f64 / self.pushed as f64
    }

    /// Producer's nanoseconds per push while the consumer drains.
    pub fn ns_per_push(&self) -> f64 {
        self.producer_elapsed.as_secs_f64() * 1e9 / self.pushed as f64
    }
}

/// What the consumer thread keeps track of.
struct Tally {
    delivered: u64,
    last: Option<u32>,
    in_order: bool,
}

impl Tally {
    fn new() -> Self {
        Self {
            delivered: 0,
            last: None,
            in_order: true,
        }
    }

    #[inline(always)]
    fn see(&mut self, counter: u32) {
        if let Some(last) = self.last
            && counter <= last
        {
            self.in_order = false;
        }
        self.last = Some(counter);
        self.delivered += 1;
    }
}

/// Runs the producer and the consumer closures on two threads, started together, and measures.
///
/// `produce(i)` pushes the item with counter `i` (`1..=pushes`). `drain(tally)` takes up to a
/// batch and returns how many items it took. The consumer drains until the producer has finished
/// and a drain comes back empty.
fn run_pair(
    pushes: u32,
    mut produce: impl FnMut(u32) + Send,
    mut drain: impl FnMut(&mut Tally) -> usize + Send,
) -> (TwoThreadRun, Tally) {
    // A spinning start line: each thread arrives, then spins until both are there, so that
    // both are running (not waking up from a futex) when the producer starts.
    let arrived = AtomicU32::new(0);
    let start_line = || {
        arrived.fetch_add(1, Ordering::AcqRel);
        while arrived.load(Ordering::Acquire) < 2 {
            std::hint::spin_loop();
        }
    };
    let done = AtomicBool::new(false);
    let (producer_times, (consumer_end, tally)) = std::thread::scope(|s| {
        let producer = s.spawn(|| {
            start_line();
            let t0 = Instant::now();
            for i in 1..=pushes {
                produce(i);
            }
            let t1 = Instant::now();
            done.store(true, Ordering::Release);
            (t0, t1)
        });
        let consumer = s.spawn(|| {
            let mut tally = Tally::new();
            start_line();
            loop {
                let finished = done.load(Ordering::Acquire);
                if drain(&mut tally) == 0 && finished {
                    break;
                }
            }
            (Instant::now(), tally)
        });
        (
            producer.join().expect("producer thread"),
            consumer.join().expect("consumer thread"),
        )
    });
    let (p0, p1) = producer_times;
    let run = TwoThreadRun {
        pushed: u64::from(pushes),
        delivered: tally.delivered,
        reported_dropped: None,
        elapsed: consumer_end.max(p1) - p0,
        producer_elapsed: p1 - p0,
        in_order: tally.in_order,
    };
    (run, tally)
}

/// Workload 3 for one of this workspace's rings: `push` on the producer thread, the consumer
/// drained through [`SeqSource`](ph_eventing::SeqSource), its reported drops kept.
fn ring_run<T: Payload, S: ph_eventing::SeqSource<Item = T> + Send>(
    pushes: u32,
    mut push: impl FnMut(T) -> u32 + Send,
    mut consumer: S,
) -> TwoThreadRun {
    let mut dropped = 0u64;
    let (mut run, _) = run_pair(
        pushes,
        move |i| {
            std::hint::black_box(push(T::from_counter(i)));
        },
        |tally| {
            let stats = consumer.poll_up_to(BATCH, |_, v| tally.see(v.counter()));
            dropped += u64::from(stats.dropped);
            stats.read as usize
        },
    );
    run.reported_dropped = Some(dropped);
    run
}

/// Workload 3 for one peer and item type: `pushes` items at full speed on one thread, a consumer
/// draining batches of up to [`BATCH`] on another.
pub fn two_threads<T: Payload>(peer: Peer, pushes: u32) -> TwoThreadRun {
    match peer {
        Peer::Ours => {
            let ring = Box::new(ph_eventing::SeqRing::<T, CAPACITY>::new());
            let producer = ring.producer();
            // The handle moves into the producer thread (`Send`, not `Sync`).
            ring_run(pushes, move |v| producer.push(v), ring.consumer())
        }
        Peer::OursLine => {
            let ring =
                Box::new(ph_eventing::SeqRing::<T, CAPACITY, ph_eventing::LinePerSlot>::new());
            let producer = ring.producer();
            ring_run(pushes, move |v| producer.push(v), ring.consumer())
        }
        Peer::Swap => {
            let ring = Box::new(ph_eventing::SwapRing::<T, CAPACITY>::new());
            let producer = ring.producer();
            ring_run(pushes, move |v| producer.push(v), ring.consumer())
        }
        Peer::Orig => {
            let ring = Box::new(orig::SeqRing::<T, CAPACITY>::new());
            let producer = ring.try_producer().expect("fresh ring");
            let mut consumer = ring.try_consumer().expect("fresh ring");
            let mut dropped = 0u64;
            let (mut run, _) = run_pair(
                pushes,
                // The handle moves into the producer thread (`Send`, not `Sync`).
                move |i| {
                    std::hint::black_box(producer.push(T::from_counter(i)));
                },
                |tally| {
                    let stats = consumer.poll_up_to(BATCH, |_, v| tally.see(v.counter()));
                    dropped += stats.dropped as u64;
                    stats.read
                },
            );
            run.reported_dropped = Some(dropped);
            run
        }
        Peer::Crossbeam => {
            let queue = crossbeam_queue::ArrayQueue::<T>::new(CAPACITY);
            run_pair(
                pushes,
                |i| {
                    std::hint::black_box(queue.force_push(T::from_counter(i)));
                },
                |tally| {
                    let mut n = 0;
                    while n < BATCH {
                        let Some(v) = queue.pop() else { break };
                        tally.see(v.counter());
                        n += 1;
                    }
                    n
                },
            )
            .0
        }
        Peer::Photon => {
            let (mut publisher, subscribable) = photon_ring::channel::<T>(CAPACITY);
            let mut subscriber = subscribable.subscribe();
            let mut buf = [T::default(); BATCH];
            let (mut run, _) = run_pair(
                pushes,
                // The publisher moves into the producer thread (`Send`, `publish` takes `&mut`).
                move |i| publisher.publish(T::from_counter(i)),
                |tally| {
                    let n = subscriber.recv_batch(&mut buf);
                    for v in &buf[..n] {
                        tally.see(v.counter());
                    }
                    n
                },
            );
            run.reported_dropped = Some(subscriber.total_lagged());
            run
        }
        Peer::Rtrb => {
            let (mut producer, mut consumer) = rtrb::RingBuffer::<T>::new(CAPACITY);
            run_pair(
                pushes,
                |i| {
                    let _ = std::hint::black_box(producer.push(T::from_counter(i)));
                },
                |tally| {
                    let n = consumer.slots().min(BATCH);
                    if n == 0 {
                        return 0;
                    }
                    let chunk = consumer.read_chunk(n).expect("n <= slots");
                    let (a, b) = chunk.as_slices();
                    for v in a.iter().chain(b) {
                        tally.see(v.counter());
                    }
                    chunk.commit_all();
                    n
                },
            )
            .0
        }
        Peer::Heapless => {
            let mut queue = Box::new(heapless::spsc::Queue::<T, { CAPACITY + 1 }>::new());
            let (mut producer, mut consumer) = queue.split();
            run_pair(
                pushes,
                |i| {
                    let _ = std::hint::black_box(producer.enqueue(T::from_counter(i)));
                },
                |tally| {
                    let mut n = 0;
                    while n < BATCH {
                        let Some(v) = consumer.dequeue() else { break };
                        tally.see(v.counter());
                        n += 1;
                    }
                    n
                },
            )
            .0
        }
        Peer::RingbufSplit => {
            use ringbuf::traits::{Consumer as _, Producer as _, Split as _};
            let ring = ringbuf::HeapRb::<T>::new(CAPACITY);
            let (mut producer, mut consumer) = ring.split();
            let mut buf = [T::default(); BATCH];
            run_pair(
                pushes,
                |i| {
                    let _ = std::hint::black_box(producer.try_push(T::from_counter(i)));
                },
                |tally| {
                    let n = consumer.pop_slice(&mut buf);
                    for v in &buf[..n] {
                        tally.see(v.counter());
                    }
                    n
                },
            )
            .0
        }
    }
}

/// Median, minimum and maximum of `values` (which must not be empty).
pub fn median_min_max(values: &mut [f64]) -> (f64, f64, f64) {
    assert!(!values.is_empty(), "no values");
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let median = if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    };
    (median, values[0], values[n - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_counters_round_trip() {
        for c in [0, 1, 255, 256, 65_537, u32::MAX] {
            assert_eq!(<u32 as Payload>::from_counter(c).counter(), c);
            assert_eq!(<[u8; 32] as Payload>::from_counter(c).counter(), c);
        }
    }

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median_min_max(&mut [3.0, 1.0, 2.0]), (2.0, 1.0, 3.0));
        assert_eq!(median_min_max(&mut [4.0, 1.0, 2.0, 3.0]), (2.5, 1.0, 4.0));
    }

    /// Every peer's workload-3 adapter delivers in order, never more than was pushed, and the
    /// rings that count their losses account for every push as read or dropped.
    fn check_peer<T: Payload>(peer: Peer) {
        let pushes = 20_000;
        let run = two_threads::<T>(peer, pushes);
        assert!(run.in_order, "{peer:?}: out of order");
        assert_eq!(run.pushed, u64::from(pushes));
        assert!(run.delivered <= run.pushed, "{peer:?}: {run:?}");
        assert!(run.delivered > 0, "{peer:?}: nothing delivered");
        if let Some(dropped) = run.reported_dropped {
            assert_eq!(run.delivered + dropped, run.pushed, "{peer:?}: {run:?}");
        }
        if !peer.overwrites() {
            // A drop-new ring always keeps its first CAPACITY items.
            assert!(run.delivered >= CAPACITY as u64, "{peer:?}: {run:?}");
        }
    }

    #[test]
    fn every_peer_u32() {
        for peer in Peer::ALL {
            check_peer::<u32>(peer);
        }
    }

    #[test]
    fn every_peer_bytes32() {
        for peer in Peer::ALL {
            check_peer::<[u8; 32]>(peer);
        }
    }
}
