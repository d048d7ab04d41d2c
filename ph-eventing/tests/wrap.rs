//! The real thing, on both rings: push more than `u32::MAX` items and check that the sequence number wraps to 1
//! and that in-order and lagging reads stay exact across the wrap. Takes seconds in release mode,
//! far too long in debug, so it is `#[ignore]`d and run by `scripts/checks/10-ring.sh` with
//! `cargo test --release --test wrap -- --ignored`. (`starting_at` covers the same logic
//! cheaply in the other tests.)

use ph_eventing::SeqSource;

const N: usize = 16;

/// Drains everything; checks values and consecutive seqs; returns (read, dropped, first, last).
fn drain(consumer: &mut impl SeqSource<Item = u32>) -> (u64, u64, Option<u32>, Option<u32>) {
    let (mut first, mut last) = (None, None::<u32>);
    let stats = consumer.poll_up_to(usize::MAX, |seq, v| {
        assert_eq!(*v, seq, "value belongs to its seq");
        if let Some(prev) = last {
            let want = if prev == u32::MAX { 1 } else { prev + 1 };
            assert_eq!(seq, want, "consecutive within one drain");
        }
        first.get_or_insert(seq);
        last = Some(seq);
    });
    (u64::from(stats.read), u64::from(stats.dropped), first, last)
}

mod seq_ring {
    use super::*;
    use ph_eventing::SeqRing as Ring;

    include!("rings/wrap.rs");
}

mod swap_ring {
    use super::*;
    use ph_eventing::SwapRing as Ring;

    include!("rings/wrap.rs");
}
