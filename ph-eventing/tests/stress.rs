//! Two threads at once, on both rings (`SeqRing` and `SwapRing`): a producer at full speed and a slower consumer. Checks order, no
//! duplicates, no torn values and exact drop accounting. Under Miri the counts are small, which
//! still lets Miri check every access of the concurrent protocol for data races.

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use ph_eventing::PollStats;

mod seq_ring {
    use super::*;
    use ph_eventing::SeqRing as Ring;

    include!("rings/stress.rs");
}

mod seq_ring_line_per_slot {
    use super::*;
    type Ring<T, const N: usize> = ph_eventing::SeqRing<T, N, ph_eventing::LinePerSlot>;

    include!("rings/stress.rs");
}

mod swap_ring {
    use super::*;
    use ph_eventing::SwapRing as Ring;

    include!("rings/stress.rs");
}

/// The `SeqRing` with slots of one word (a `u32` beside its stamp on a 64-bit host: one store per
/// push, one load per read), lapped by a producer at full speed: every item read is the one its
/// seq says, in order, and read + dropped accounts for every push.
mod seq_ring_one_word {
    use super::*;
    use ph_eventing::SeqRing;

    const PUSHES: u32 = if cfg!(miri) { 300 } else { 2_000_000 };

    /// The value pushed as item `seq`.
    fn value(seq: u32) -> u32 {
        seq.rotate_left(13) ^ 0x5A5A_5A5A
    }

    fn lapped<const N: usize>(consumer_pause: u32) {
        let ring = SeqRing::<u32, N>::new();
        let done = AtomicBool::new(false);
        thread::scope(|s| {
            s.spawn(|| {
                let producer = ring.producer();
                for i in 1..=PUSHES {
                    assert_eq!(producer.push(value(i)), i);
                }
                done.store(true, Ordering::Release);
            });
            s.spawn(|| {
                let mut consumer = ring.consumer();
                let (mut last_seq, mut total) = (0u32, PollStats::default());
                loop {
                    let finished = done.load(Ordering::Acquire);
                    let stats = consumer.poll_up_to(2, |seq, v| {
                        assert_eq!(*v, value(seq), "value belongs to another seq");
                        assert!(seq > last_seq, "out of order: {seq} after {last_seq}");
                        last_seq = seq;
                    });
                    total.accumulate(stats);
                    if let Some((seq, v)) = consumer.latest() {
                        assert_eq!(v, value(seq), "latest belongs to another seq");
                    }
                    if finished && stats.read == 0 {
                        break;
                    }
                    for _ in 0..consumer_pause {
                        std::hint::spin_loop();
                    }
                }
                assert_eq!(last_seq, PUSHES, "the newest item is always delivered");
                assert_eq!(
                    total.read + total.dropped,
                    PUSHES,
                    "every push accounted for"
                );
            });
        });
    }

    #[test]
    fn slow_consumer_ring_of_four() {
        lapped::<4>(200);
    }

    #[test]
    fn fast_consumer_ring_of_sixty_four() {
        lapped::<64>(0);
    }
}
