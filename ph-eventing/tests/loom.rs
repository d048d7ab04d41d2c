//! `loom` model checks of the concurrent protocols of both rings (`SeqRing`'s stamps and
//! `SwapRing`'s buffer swaps): every interleaving (within loom's bounds) of a
//! producer lapping a consumer mid-read (or mid-`skip_to_latest`), with loom checking every buffer
//! access for data races.
//! Run with `RUSTFLAGS="--cfg loom" cargo test -p ph-eventing --release --test loom`.
//!
//! Both sides always run on spawned threads: loom does not explore the model's main thread
//! against a spawned one the same way.
#![cfg(loom)]

use loom::sync::Arc;
use loom::thread;

use ph_eventing::PollStats;

/// Values carry their own seq twice, in two machine words, so a mixed-up or torn copy is caught.
type Pair = [u64; 2];

/// The value pushed as item `i`.
fn pair(i: u32) -> Pair {
    [u64::from(i), u64::from(i)]
}

fn check_delivered<V: PartialEq + core::fmt::Debug>(items: &[(u32, V)], value_of: fn(u32) -> V) {
    let mut last = 0;
    for (seq, v) in items {
        assert_eq!(*v, value_of(*seq), "value does not belong to its seq");
        assert!(*seq > last, "order");
        last = *seq;
    }
}

mod seq_ring {
    use super::*;
    use ph_eventing::SeqRing as Ring;

    /// The preemption bound of the models. A stamped push is eight atomic steps (a buffer swap's
    /// is three), so exploring every interleaving would take hours; two preemptions are enough to
    /// stop the producer between its words while the consumer copies them, after the consumer has
    /// read the stamp (the torn copy its second stamp load must catch). The sizes are the
    /// smallest that lap: one more push than the ring holds, or two laps for a ring of one.
    const BOUND: Option<usize> = Some(2);

    include!("rings/loom.rs");

    #[test]
    fn ring_of_three_never_lapped() {
        never_lapped_never_lost::<3>(3, 2);
    }

    #[test]
    fn ring_of_one_lapped_during_poll() {
        producer_laps_consumer::<1>(2, 2, false, BOUND);
    }

    #[test]
    fn ring_of_one_two_laps() {
        producer_laps_consumer::<1>(3, 1, false, BOUND);
    }

    #[test]
    fn ring_of_two_lapped_during_poll() {
        producer_laps_consumer::<2>(3, 1, false, BOUND);
    }

    #[test]
    fn latest_while_producer_laps() {
        producer_laps_consumer::<1>(2, 1, true, BOUND);
    }

    #[test]
    fn latest_ring_of_two() {
        producer_laps_consumer::<2>(3, 1, true, BOUND);
    }

    #[test]
    fn skip_to_latest_ring_of_one() {
        skip_while_producer_pushes::<1>(2, 1);
    }

    #[test]
    fn skip_to_latest_ring_of_two() {
        skip_while_producer_pushes::<2>(3, 1);
    }
}

/// The `SeqRing` with a slot of one word (a `u32` beside its stamp, on a 64-bit host): one store
/// per push, one load per read, no busy mark.
#[cfg(target_pointer_width = "64")]
mod seq_ring_one_word {
    use super::{Arc, PollStats, check_delivered, thread};
    use ph_eventing::SeqRing as Ring;

    /// The value is the item's own seq, so a value read from another item's push is caught.
    type Pair = u32;

    /// The value pushed as item `i`.
    fn pair(i: u32) -> Pair {
        i
    }

    /// A one-word push is four atomic steps, so the models run with one more preemption than
    /// the stamped slot of several words.
    const BOUND: Option<usize> = Some(3);

    include!("rings/loom.rs");

    #[test]
    fn ring_of_three_never_lapped() {
        never_lapped_never_lost::<3>(3, 2);
    }

    #[test]
    fn ring_of_one_two_laps() {
        producer_laps_consumer::<1>(3, 2, false, BOUND);
    }

    #[test]
    fn ring_of_two_lapped_during_poll() {
        producer_laps_consumer::<2>(4, 2, false, BOUND);
    }

    #[test]
    fn latest_ring_of_two() {
        producer_laps_consumer::<2>(3, 2, true, BOUND);
    }

    #[test]
    fn skip_to_latest_ring_of_two() {
        skip_while_producer_pushes::<2>(3, 1);
    }
}

mod swap_ring {
    use super::*;
    use ph_eventing::SwapRing as Ring;

    /// Every interleaving (no preemption bound) where the model allows it.
    const BOUND: Option<usize> = None;

    include!("rings/loom.rs");

    #[test]
    fn ring_of_three_never_lapped() {
        never_lapped_never_lost::<3>(3, 2);
    }

    #[test]
    fn ring_of_one_lapped_during_poll() {
        producer_laps_consumer::<1>(3, 2, false, BOUND);
    }

    #[test]
    fn ring_of_two_lapped_during_poll() {
        producer_laps_consumer::<2>(4, 2, false, BOUND);
    }

    #[test]
    fn ring_of_three_two_laps() {
        producer_laps_consumer::<3>(6, 1, false, Some(3));
    }

    #[test]
    fn latest_while_producer_laps() {
        producer_laps_consumer::<1>(3, 1, true, BOUND);
    }

    #[test]
    fn latest_ring_of_two() {
        producer_laps_consumer::<2>(3, 2, true, BOUND);
    }

    #[test]
    fn skip_to_latest_ring_of_one() {
        skip_while_producer_pushes::<1>(3, 1);
    }

    #[test]
    fn skip_to_latest_ring_of_two() {
        skip_while_producer_pushes::<2>(3, 1);
    }
}
