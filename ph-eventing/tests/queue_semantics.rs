//! The queue's documented behaviour, one property per test.

use ph_eventing::{EventQueue, PollStats, QueueConsumer, SeqRing, SeqSource};
use static_assertions::{assert_impl_all, assert_not_impl_any};

assert_impl_all!(ph_eventing::QueueProducer<'static, u32, 4>: Send);
assert_impl_all!(ph_eventing::QueueConsumer<'static, u32, 4>: Send);
assert_not_impl_any!(ph_eventing::QueueProducer<'static, u32, 4>: Sync);
assert_not_impl_any!(ph_eventing::QueueConsumer<'static, u32, 4>: Sync);
assert_impl_all!(EventQueue<u32, 4>: Sync, Send);
// A queue of a `!Send` type must not be shared between threads.
assert_not_impl_any!(EventQueue<*const u8, 4>: Sync);

fn drain<T: Copy, const N: usize>(
    consumer: &mut QueueConsumer<'_, T, N>,
) -> (Vec<(u32, T)>, PollStats) {
    let mut out = Vec::new();
    let stats = consumer.poll_up_to(usize::MAX, |seq, v| out.push((seq, *v)));
    (out, stats)
}

#[test]
fn first_push_is_seq_one_and_seqs_count_up() {
    let queue = EventQueue::<u8, 16>::new();
    let producer = queue.producer();
    let seqs: Vec<u32> = (0..10).map(|v| producer.push(v).unwrap()).collect();
    assert_eq!(seqs, (1..=10).collect::<Vec<_>>());
}

#[test]
fn items_come_once_in_order() {
    let queue = EventQueue::<u32, 4>::new();
    let producer = queue.producer();
    let mut consumer = queue.consumer();
    let mut all = Vec::new();
    for round in 0..10u32 {
        for i in 0..3 {
            assert!(producer.push(round * 10 + i).is_ok());
        }
        let (items, stats) = drain(&mut consumer);
        assert_eq!(stats.dropped, 0);
        assert_eq!(stats.read, 3);
        all.extend(items);
    }
    let want: Vec<(u32, u32)> = (0..30u32).map(|k| (k + 1, (k / 3) * 10 + k % 3)).collect();
    assert_eq!(all, want);
    assert_eq!(drain(&mut consumer).0, []);
}

#[test]
fn refusal_hands_the_value_back_and_uses_up_a_seq() {
    let queue = EventQueue::<u32, 2>::new();
    let producer = queue.producer();
    let mut consumer = queue.consumer();
    assert_eq!(producer.push(10), Ok(1));
    assert_eq!(producer.push(20), Ok(2));
    assert_eq!(producer.push(30), Err(30));
    assert_eq!(producer.push(40), Err(40));
    // The accepted items are untouched by the refusals.
    assert_eq!(consumer.poll_one_value(), Some((1, 10)));
    // One slot free again: the next push is accepted with the next unused seq.
    assert_eq!(producer.push(50), Ok(5));
    assert_eq!(producer.push(60), Err(60));
    let (items, stats) = drain(&mut consumer);
    assert_eq!(items, [(2, 20), (5, 50)]);
    assert_eq!(
        stats,
        PollStats {
            read: 2,
            dropped: 2,
            newest: 6
        }
    );
}

#[test]
fn gaps_are_reported_as_dropped_before_the_item_after_them() {
    let queue = EventQueue::<u8, 1>::new();
    let producer = queue.producer();
    let mut consumer = queue.consumer();
    producer.push(1).unwrap();
    for v in 2..=4 {
        assert_eq!(producer.push(v), Err(v)); // seqs 2, 3, 4 refused
    }
    let mut got = Vec::new();
    let stats = consumer.poll_one(|s, v| got.push((s, *v)));
    assert_eq!(got, [(1, 1)]);
    assert_eq!(
        stats,
        PollStats {
            read: 1,
            dropped: 0,
            newest: 4
        }
    );
    // Nothing behind the refusals yet: an empty poll reports no drop, but `newest` shows them.
    let stats = consumer.poll_one(|_, _| unreachable!());
    assert_eq!(
        stats,
        PollStats {
            read: 0,
            dropped: 0,
            newest: 4
        }
    );
    assert_eq!(producer.push(5), Ok(5));
    let stats = consumer.poll_one(|s, v| got.push((s, *v)));
    assert_eq!(got, [(1, 1), (5, 5)]);
    assert_eq!(
        stats,
        PollStats {
            read: 1,
            dropped: 3,
            newest: 5
        }
    );
}

#[test]
fn seq_wraps_from_max_to_one_never_zero() {
    let queue = EventQueue::<u32, 4>::starting_at(u32::MAX - 2);
    let producer = queue.producer();
    let mut consumer = queue.consumer();
    let mut all = Vec::new();
    let mut pushed = Vec::new();
    for round in 0..4u32 {
        for i in 0..3 {
            pushed.push(producer.push(round * 10 + i).unwrap());
        }
        let (items, stats) = drain(&mut consumer);
        assert_eq!(stats.dropped, 0);
        all.extend(items);
    }
    let mut expected = vec![u32::MAX - 2, u32::MAX - 1, u32::MAX];
    expected.extend(1..=9);
    assert_eq!(pushed, expected);
    assert_eq!(all.iter().map(|&(s, _)| s).collect::<Vec<_>>(), expected);
    assert_eq!(all[3], (1, 10));
}

#[test]
fn refusals_across_the_wrap_are_counted_as_gaps() {
    let queue = EventQueue::<u32, 2>::starting_at(u32::MAX - 2);
    let producer = queue.producer();
    let mut consumer = queue.consumer();
    assert_eq!(producer.push(0), Ok(u32::MAX - 2));
    assert_eq!(producer.push(1), Ok(u32::MAX - 1));
    assert_eq!(producer.push(2), Err(2)); // u32::MAX
    assert_eq!(producer.push(3), Err(3)); // 1
    let (items, stats) = drain(&mut consumer);
    assert_eq!(items, [(u32::MAX - 2, 0), (u32::MAX - 1, 1)]);
    assert_eq!(stats.newest, 1);
    assert_eq!(producer.push(4), Ok(2));
    let (items, stats) = drain(&mut consumer);
    assert_eq!(items, [(2, 4)]);
    assert_eq!(
        stats,
        PollStats {
            read: 1,
            dropped: 2,
            newest: 2
        }
    );
    assert_eq!(consumer.dropped(), 2);
    assert_eq!(queue.refused(), 2);
}

#[test]
fn starting_at_zero_means_one() {
    let queue = EventQueue::<u8, 2>::starting_at(0);
    assert_eq!(queue.producer().push(0), Ok(1));
}

#[test]
fn newest_before_the_first_push() {
    let queue = EventQueue::<u8, 2>::new();
    let mut consumer = queue.consumer();
    assert_eq!(consumer.poll_one(|_, _| {}), PollStats::default());
    assert_eq!(consumer.poll_up_to(0, |_, _| {}), PollStats::default());
    let queue = EventQueue::<u8, 2>::starting_at(100);
    let mut consumer = queue.consumer();
    assert_eq!(consumer.poll_up_to(5, |_, _| {}).newest, 99);
}

#[test]
fn poll_up_to_respects_max() {
    let queue = EventQueue::<u32, 8>::new();
    let producer = queue.producer();
    let mut consumer = queue.consumer();
    for v in 0..8 {
        producer.push(v).unwrap();
    }
    let mut got = Vec::new();
    let stats = consumer.poll_up_to(3, |s, _| got.push(s));
    assert_eq!(got, [1, 2, 3]);
    assert_eq!((stats.read, stats.dropped, stats.newest), (3, 0, 8));
    assert_eq!(consumer.len(), 5);
    let stats = consumer.poll_up_to(0, |_, _| unreachable!());
    assert_eq!((stats.read, stats.newest), (0, 8));
    let stats = consumer.poll_up_to(100, |s, _| got.push(s));
    assert_eq!(stats.read, 5);
    assert_eq!(got, (1..=8).collect::<Vec<_>>());
}

#[test]
fn a_full_queue_frees_room_as_it_is_read() {
    let queue = EventQueue::<u32, 3>::new();
    let producer = queue.producer();
    let mut consumer = queue.consumer();
    for v in 0..3 {
        producer.push(v).unwrap();
    }
    assert_eq!(producer.push(99), Err(99));
    // Inside the callback the slot is still the consumer's; right after, the producer can reuse it.
    consumer.poll_up_to(1, |_, _| {});
    assert_eq!(producer.push(3), Ok(5));
    assert_eq!(producer.push(98), Err(98));
    assert_eq!(consumer.len(), 3);
    let (items, _) = drain(&mut consumer);
    assert_eq!(items, [(2, 1), (3, 2), (5, 3)]);
    assert!(consumer.is_empty());
}

#[test]
fn capacity_and_len() {
    let queue = EventQueue::<u16, 5>::new();
    assert_eq!(queue.capacity(), 5);
    let producer = queue.producer();
    let mut consumer = queue.consumer();
    assert!(consumer.is_empty());
    for v in 0..5 {
        producer.push(v).unwrap();
        assert_eq!(consumer.len(), usize::from(v) + 1);
    }
    assert!(producer.push(5).is_err());
    assert_eq!(consumer.len(), 5);
    while consumer.poll_one_value().is_some() {}
    assert!(consumer.is_empty());
}

#[test]
fn capacity_one() {
    let queue = EventQueue::<u8, 1>::new();
    let producer = queue.producer();
    let mut consumer = queue.consumer();
    let mut got = Vec::new();
    for v in 0..20u8 {
        match producer.push(v) {
            Ok(seq) => assert_eq!(u32::from(v) + 1, seq),
            Err(back) => assert_eq!(back, v),
        }
        if v % 3 == 2 {
            got.extend(consumer.poll_one_value());
        }
    }
    got.extend(consumer.poll_one_value());
    // Accepted: the push right after each read (and the first).
    assert_eq!(
        got,
        [
            (1, 0),
            (4, 3),
            (7, 6),
            (10, 9),
            (13, 12),
            (16, 15),
            (19, 18)
        ]
    );
    assert_eq!(queue.refused(), 20 - 7);
    assert_eq!(consumer.dropped(), 18 - 6);
}

#[test]
fn refused_counters_agree_and_survive_handles() {
    let queue = EventQueue::<u8, 2>::new();
    assert_eq!(queue.refused(), 0);
    let producer = queue.producer();
    for v in 0..6 {
        let _ = producer.push(v);
    }
    assert_eq!(producer.refused(), 4);
    assert_eq!(queue.refused(), 4);
    drop(producer);
    let producer = queue.producer();
    assert_eq!(producer.refused(), 4);
    assert_eq!(producer.push(0), Err(0));
    assert_eq!(queue.refused(), 5);
}

#[test]
fn dropped_is_the_running_sum_and_reset_starts_over() {
    let queue = EventQueue::<u8, 1>::new();
    let producer = queue.producer();
    let mut consumer = queue.consumer();
    let mut sum = 0u64;
    for refusals in [0u8, 2, 1, 3] {
        producer.push(0).unwrap();
        for _ in 0..refusals {
            producer.push(1).unwrap_err();
        }
        sum += u64::from(consumer.poll_one(|_, _| {}).dropped);
        assert_eq!(consumer.dropped(), sum);
    }
    // The last three refusals are behind no item yet.
    assert_eq!(sum, 3);
    producer.push(2).unwrap();
    assert_eq!(consumer.poll_one_value(), Some((11, 2))); // poll_one_value counts too
    assert_eq!(consumer.dropped(), 6);
    assert_eq!(consumer.reset_dropped(), 6);
    assert_eq!(consumer.dropped(), 0);
    producer.push(3).unwrap();
    producer.push(4).unwrap_err();
    consumer.poll_one_value();
    producer.push(5).unwrap();
    consumer.poll_one_value();
    assert_eq!(consumer.reset_dropped(), 1);
}

#[test]
fn read_plus_dropped_equals_seqs_up_to_the_last_item() {
    let queue = EventQueue::<u16, 3>::new();
    let producer = queue.producer();
    let mut consumer = queue.consumer();
    let (mut read, mut dropped, mut last) = (0u32, 0u32, 0u32);
    for round in 0..50u16 {
        for v in 0..round % 7 {
            let _ = producer.push(v);
        }
        let stats = consumer.poll_up_to(usize::from(round % 4), |s, _| last = s);
        read += stats.read;
        dropped += stats.dropped;
        assert_eq!(read + dropped, last);
    }
    assert_eq!(u64::from(dropped), consumer.dropped());
}

#[test]
fn handles_are_exclusive_and_can_be_retaken() {
    let queue = EventQueue::<u32, 4>::new();
    let producer = queue.try_producer().unwrap();
    assert!(queue.try_producer().is_none());
    let mut consumer = queue.try_consumer().unwrap();
    assert!(queue.try_consumer().is_none());
    producer.push(1).unwrap();
    producer.push(2).unwrap();
    drop(producer);
    let producer = queue.producer();
    assert_eq!(producer.push(3), Ok(3)); // continues the sequence
    assert_eq!(consumer.poll_one_value(), Some((1, 1)));
    drop(consumer);
    let mut consumer = queue.consumer(); // continues where the last one stopped
    assert_eq!(drain(&mut consumer).0, [(2, 2), (3, 3)]);
    assert_eq!(consumer.dropped(), 0);
}

#[test]
fn a_new_consumer_counts_dropped_from_zero() {
    let queue = EventQueue::<u32, 1>::new();
    let producer = queue.producer();
    let mut consumer = queue.consumer();
    producer.push(1).unwrap();
    producer.push(2).unwrap_err();
    consumer.poll_one_value();
    producer.push(3).unwrap();
    consumer.poll_one_value();
    assert_eq!(consumer.dropped(), 1);
    drop(consumer);
    assert_eq!(queue.consumer().dropped(), 0);
}

#[test]
#[should_panic(expected = "a producer handle is already live")]
fn second_producer_panics() {
    let queue = EventQueue::<u32, 4>::new();
    let _p = queue.producer();
    let _q = queue.producer();
}

#[test]
#[should_panic(expected = "a consumer handle is already live")]
fn second_consumer_panics() {
    let queue = EventQueue::<u32, 4>::new();
    let _c = queue.consumer();
    let _d = queue.consumer();
}

#[test]
fn values_with_padding_round_trip() {
    #[derive(Clone, Copy, Debug, PartialEq)]
    struct Padded {
        a: u8,
        b: u64,
        c: u16,
    }
    let queue = EventQueue::<Padded, 3>::new();
    let producer = queue.producer();
    let mut consumer = queue.consumer();
    for i in 0..10u8 {
        let v = Padded {
            a: i,
            b: u64::from(i) << 40,
            c: u16::from(i) * 3,
        };
        producer.push(v).unwrap();
        assert_eq!(consumer.poll_one_value(), Some((u32::from(i) + 1, v)));
    }
}

#[test]
fn works_in_a_static() {
    static QUEUE: EventQueue<u64, 8> = EventQueue::new();
    let producer = QUEUE.producer();
    assert_eq!(producer.push(7), Ok(1));
    let mut consumer = QUEUE.consumer();
    assert_eq!(consumer.poll_one_value(), Some((1, 7)));
}

/// Drains any source; returns the items, the stats and whether the gaps were refusals.
fn drain_source<S: SeqSource>(source: &mut S) -> (Vec<(u32, S::Item)>, PollStats, bool) {
    let mut out = Vec::new();
    let stats = source.poll_up_to(usize::MAX, |seq, v| out.push((seq, *v)));
    (out, stats, S::LOSSLESS)
}

#[test]
fn seq_source_drains_a_ring_and_a_queue_alike() {
    let ring = SeqRing::<u8, 2>::new();
    let producer = ring.producer();
    for v in 0..4 {
        producer.push(v); // seq 1 and 2 are overwritten
    }
    let (items, stats, lossless) = drain_source(&mut ring.consumer());
    assert_eq!(items, [(3, 2), (4, 3)]);
    assert_eq!((stats.read, stats.dropped, lossless), (2, 2, false));

    let queue = EventQueue::<u8, 2>::new();
    let producer = queue.producer();
    let mut consumer = queue.consumer();
    for v in 0..4 {
        let _ = producer.push(v); // seq 3 and 4 are refused
    }
    let (items, stats, lossless) = drain_source(&mut consumer);
    assert_eq!(items, [(1, 0), (2, 1)]);
    assert_eq!((stats.read, stats.dropped, lossless), (2, 0, true));
    producer.push(9).unwrap();
    let (items, stats, _) = drain_source(&mut consumer);
    assert_eq!(items, [(5, 9)]);
    assert_eq!((stats.dropped, stats.newest), (2, 5));
    // The trait and the inherent method are the same poll.
    producer.push(10).unwrap();
    let stats = SeqSource::poll_up_to(&mut consumer, 0, |_, _| unreachable!());
    assert_eq!((stats.read, stats.newest), (0, 6));
    assert_eq!(consumer.poll_one_value(), Some((6, 10)));
}

#[test]
fn a_panicking_callback_does_not_deliver_twice_or_lose_a_slot() {
    let queue = EventQueue::<u32, 2>::new();
    let producer = queue.producer();
    let mut consumer = queue.consumer();
    producer.push(1).unwrap();
    producer.push(2).unwrap();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        consumer.poll_one(|_, _| panic!("callback fails"));
    }));
    assert!(caught.is_err());
    // The item counts as read; its slot comes back with the next read.
    assert_eq!(consumer.len(), 1);
    assert_eq!(consumer.poll_one_value(), Some((2, 2)));
    assert_eq!(producer.push(3), Ok(3));
    assert_eq!(producer.push(4), Ok(4));
    assert_eq!(drain(&mut consumer).0, [(3, 3), (4, 4)]);
}

#[test]
fn debug_output_names_the_type() {
    let queue = EventQueue::<u8, 2>::new();
    let producer = queue.producer();
    let consumer = queue.consumer();
    assert!(format!("{queue:?}").starts_with("EventQueue"));
    assert!(format!("{producer:?}").starts_with("QueueProducer"));
    assert!(format!("{consumer:?}").starts_with("QueueConsumer"));
}
