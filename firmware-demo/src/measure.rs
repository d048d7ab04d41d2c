//! Instruction-count probes (feature `measure`): instead of the demo, push and poll a `u32` ring
//! through two non-inlined functions, `measure_push` and `measure_poll_one`, then exit QEMU.
//!
//! `scripts/count-instructions.sh` runs this under QEMU with one instruction per translation block
//! and an execution trace, and counts the instructions retired between each entry of those
//! functions and the return to their caller. With the `orig` feature the same probes measure
//! the published `ph-eventing` 0.3.0 instead of this workspace's crate.

#[cfg(feature = "orig")]
use orig as ring_crate;
#[cfg(not(feature = "orig"))]
use ph_eventing as ring_crate;

use core::hint::black_box;

use ring_crate::SeqRing;

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
#[cfg(not(feature = "orig"))]
use ring_crate::{Consumer as RingConsumer, Producer as RingProducer};

type Producer = RingProducer<'static, u32, N>;
type Consumer = RingConsumer<'static, u32, N>;

static RING: SeqRing<u32, N> = SeqRing::new();

/// Pushes (the count script traces every call); `push` is inlined into this body.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn measure_push(producer: &Producer, value: u32) -> u32 {
    producer.push(value)
}

/// Polls one item into `out`; `poll_one` and the closure are inlined into this body.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn measure_poll_one(consumer: &mut Consumer, out: &mut u32) -> PollResult {
    consumer.poll_one(|_, value| *out = *value)
}

/// Runs the probes: 8 pushes into an empty ring, 8 polls, then 2N pushes and 2N polls (so the
/// ring wraps and the consumer is lapped), then exits.
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
    crate::board::finish_measurement()
}
