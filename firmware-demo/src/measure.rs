//! Instruction-count probes (feature `measure`): instead of the demo, push and poll a `u32` ring
//! through non-inlined functions, `measure_push` (returning the push's sequence number),
//! `measure_push_unused` (dropping it) and `measure_poll_one`, and (this
//! workspace's crates only) drain and encode one frame per call through a link of one stream
//! (`measure_drain_one_stream`) and of three (`measure_drain_three_streams`), then exit QEMU.
//!
//! `scripts/count-instructions.sh` runs this under QEMU with one instruction per translation block
//! and an execution trace, and counts the instructions retired between each entry of those
//! functions and the return to their caller. With the `orig` feature the same probes measure
//! the published `ph-eventing` 0.3.0 instead of this workspace's crate, with `swap` this
//! workspace's `SwapRing` instead of its `SeqRing`, and with `single-core` the `SeqRing` with
//! compiler fences only.

#[cfg(feature = "orig")]
use orig as ring_crate;
#[cfg(not(feature = "orig"))]
use ph_eventing as ring_crate;

use core::hint::black_box;

#[cfg(not(feature = "swap"))]
use ring_crate::SeqRing;
/// With `swap`: the probes measure the buffer-swap ring under the same names.
#[cfg(feature = "swap")]
use ring_crate::SwapRing as SeqRing;

/// Capacity of the measured ring (a power of two, as most users pick).
const N: usize = 64;

/// What `poll_one` returns in the measured crate.
#[cfg(feature = "orig")]
type PollResult = bool;
/// What `poll_one` returns in the measured crate.
#[cfg(not(feature = "orig"))]
type PollResult = ring_crate::PollStats;

#[cfg(feature = "orig")]
use ring_crate::seq_ring::{Consumer as RingConsumer, Producer as RingProducer};
#[cfg(not(any(feature = "orig", feature = "swap")))]
use ring_crate::{Consumer as RingConsumer, Producer as RingProducer};
#[cfg(feature = "swap")]
use ring_crate::{SwapConsumer as RingConsumer, SwapProducer as RingProducer};

type Producer = RingProducer<'static, u32, N>;
type Consumer = RingConsumer<'static, u32, N>;

static RING: SeqRing<u32, N> = SeqRing::new();

/// Pushes (the count script traces every call); `push` is inlined into this body.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn measure_push(producer: &Producer, value: u32) -> u32 {
    producer.push(value)
}

/// Pushes and drops the sequence number `push` returns, as an interrupt handler that only
/// records does; `push` is inlined into this body.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn measure_push_unused(producer: &Producer, value: u32) {
    let _ = producer.push(value);
}

/// Polls one item into `out`; `poll_one` and the closure are inlined into this body.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn measure_poll_one(consumer: &mut Consumer, out: &mut u32) -> PollResult {
    consumer.poll_one(|_, value| *out = *value)
}

/// Runs the probes: 8 pushes into an empty ring, 8 polls, then 2N pushes and 2N polls (so the
/// ring wraps and the consumer is lapped); then the drain probes; then exits.
pub fn run() -> ! {
    let producer = RING.try_producer().expect("first producer");
    let mut consumer = RING.try_consumer().expect("first consumer");
    let mut out = 0u32;
    for round in [8u32, 2 * N as u32] {
        for i in 0..round {
            black_box(measure_push(black_box(&producer), black_box(i)));
        }
        for _ in 0..round {
            black_box(measure_poll_one(
                black_box(&mut consumer),
                black_box(&mut out),
            ));
        }
    }
    // After the polls, so that they find the ring as before.
    for i in 0..8 {
        measure_push_unused(black_box(&producer), black_box(i));
    }
    #[cfg(not(feature = "orig"))]
    drain::run();
    crate::board::finish_measurement()
}

/// The drain probes: one call, one frame (a `u32`, drained and encoded into a buffer the sink
/// takes whole), through [`WireLink::drain`] with `max` 1.
#[cfg(not(feature = "orig"))]
mod drain {
    use core::hint::black_box;

    use ph_eventing::{Consumer, EventQueue, QueueConsumer, SeqRing};
    use ph_eventing_wire::drain::Drainer;
    use ph_eventing_wire::drain::link::{Link as WireLink, Stream};
    use ph_eventing_wire::stream::{StreamDesc, StreamKind};

    use super::N;

    type RingStream = Stream<Consumer<'static, u32, N>>;
    type QueueStream = Stream<QueueConsumer<'static, u32, 16>>;

    static ALONE: SeqRing<u32, N> = SeqRing::new();
    static FAST: SeqRing<u32, N> = SeqRing::new();
    static SLOW: SeqRing<u32, N> = SeqRing::new();
    static EVENTS: EventQueue<u32, 16> = EventQueue::new();

    /// Enough for a `u32`'s frames and hellos.
    const BUF: usize = Drainer::buffer_needed::<u32>();

    /// One frame of the only stream of a link.
    #[unsafe(no_mangle)]
    #[inline(never)]
    pub fn measure_drain_one_stream(
        link: &mut WireLink,
        stream: &mut RingStream,
        buf: &mut [u8; BUF],
    ) -> u32 {
        link.drain(&mut [stream], 1, buf, |frame| !black_box(frame).is_empty())
            .map_or(0, |report| report.frames)
    }

    /// One frame of a link of three streams: two rings and a queue.
    #[unsafe(no_mangle)]
    #[inline(never)]
    pub fn measure_drain_three_streams(
        link: &mut WireLink,
        streams: (&mut RingStream, &mut RingStream, &mut QueueStream),
        buf: &mut [u8; BUF],
    ) -> u32 {
        let (fast, slow, events) = streams;
        link.drain(&mut [fast, slow, events], 1, buf, |frame| {
            !black_box(frame).is_empty()
        })
        .map_or(0, |report| report.frames)
    }

    /// 16 items, then 17 one-frame drains (the first also sends the boot hellos), per link. On
    /// the three-stream link the items alternate between the rings, with an event every fourth.
    pub fn run() {
        let mut buf = [0u8; BUF];
        let desc = |id, name| StreamDesc::new(id, name).of(3);
        let mut alone = Stream::new(ALONE.consumer(), Drainer::new(1));
        let mut link = WireLink::new();
        for k in 0..16 {
            ALONE.producer().push(k);
        }
        for _ in 0..17 {
            black_box(measure_drain_one_stream(
                black_box(&mut link),
                black_box(&mut alone),
                black_box(&mut buf),
            ));
        }
        let mut fast = Stream::new(
            FAST.consumer(),
            Drainer::new(1).with_stream(desc(0, "fast")),
        );
        let mut slow = Stream::new(
            SLOW.consumer(),
            Drainer::new(1).with_stream(desc(1, "slow")),
        );
        let mut events = Stream::new(
            EVENTS.consumer(),
            Drainer::new(1).with_stream(desc(2, "events").with_kind(StreamKind::Queue)),
        );
        let mut link = WireLink::new();
        for k in 0..16u32 {
            match k % 4 {
                0 | 2 => FAST.producer().push(k),
                1 => SLOW.producer().push(k),
                _ => EVENTS.producer().push(k).unwrap_or(0),
            };
        }
        for _ in 0..17 {
            black_box(measure_drain_three_streams(
                black_box(&mut link),
                (
                    black_box(&mut fast),
                    black_box(&mut slow),
                    black_box(&mut events),
                ),
                black_box(&mut buf),
            ));
        }
    }
}
