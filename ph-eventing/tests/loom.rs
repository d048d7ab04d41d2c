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

fn check_delivered(items: &[(u32, Pair)]) {
    let mut last = 0;
    for &(seq, v) in items {
        assert_eq!(v, pair(seq), "value does not belong to its seq");
        assert!(seq > last, "order");
        last = seq;
    }
}

mod seq_ring {
    use super::*;
    use ph_eventing::SeqRing as Ring;

    /// The preemption bound of the models: a stamped push is eight atomic steps (a buffer swap's
    /// is three), and exploring every interleaving of three of them against two polls would take
    /// hours. Three preemptions are enough to stop a poll between its stamp load and its copy, and
    /// again between the copy and the second stamp load, with the producer running in between.
    const BOUND: Option<usize> = Some(3);

    include!("rings/loom.rs");
}

mod swap_ring {
    use super::*;
    use ph_eventing::SwapRing as Ring;

    /// Every interleaving (no preemption bound) where the model allows it.
    const BOUND: Option<usize> = None;

    include!("rings/loom.rs");
}
