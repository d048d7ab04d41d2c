// The body of `tests/semantics.rs`, compiled once per ring (`Ring` is `SeqRing` or `SwapRing`).

#[test]
fn first_push_is_seq_one_and_seqs_count_up() {
    let ring = Ring::<u8, 4>::new();
    let producer = ring.producer();
    let seqs: Vec<u32> = (0..10).map(|v| producer.push(v)).collect();
    assert_eq!(seqs, (1..=10).collect::<Vec<_>>());
}

#[test]
fn seq_wraps_from_max_to_one_never_zero() {
    let ring = Ring::<u8, 4>::starting_at(u32::MAX - 1);
    let producer = ring.producer();
    let seqs: Vec<u32> = (0..4).map(|v| producer.push(v)).collect();
    assert_eq!(seqs, [u32::MAX - 1, u32::MAX, 1, 2]);
}

#[test]
fn in_order_reads_across_the_wrap() {
    let ring = Ring::<u32, 8>::starting_at(u32::MAX - 2);
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    let mut all = Vec::new();
    for round in 0..4u32 {
        for i in 0..3 {
            producer.push(round * 10 + i);
        }
        let (items, stats) = drain(&mut consumer);
        assert_eq!(stats.dropped, 0);
        all.extend(items);
    }
    let seqs: Vec<u32> = all.iter().map(|&(s, _)| s).collect();
    let mut expected = vec![u32::MAX - 2, u32::MAX - 1, u32::MAX];
    expected.extend(1..=9);
    assert_eq!(seqs, expected);
    assert_eq!(all[3], (1, 10));
}

#[test]
fn lagging_reads_across_the_wrap_count_exact_drops() {
    let ring = Ring::<u32, 4>::starting_at(u32::MAX - 5);
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    for v in 0..10 {
        producer.push(v); // seqs MAX-5 ..= MAX, then 1 ..= 4
    }
    let (items, stats) = drain(&mut consumer);
    assert_eq!(items, [(1, 6), (2, 7), (3, 8), (4, 9)]);
    assert_eq!(
        stats,
        PollStats {
            read: 4,
            dropped: 6,
            newest: 4
        }
    );
}

#[test]
fn every_item_once_in_order_when_keeping_up() {
    let ring = Ring::<u64, 5>::new();
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    let mut next = 1u32;
    for burst in 1..=5u64 {
        for i in 0..burst {
            producer.push(burst * 100 + i);
        }
        let (items, stats) = drain(&mut consumer);
        assert_eq!(stats.dropped, 0);
        for (k, (seq, v)) in items.iter().enumerate() {
            assert_eq!(*seq, next);
            assert_eq!(*v, burst * 100 + k as u64);
            next += 1;
        }
    }
}

#[test]
fn lag_skips_to_oldest_intact_and_counts_exactly() {
    let ring = Ring::<u32, 3>::new();
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    for v in 1..=10 {
        producer.push(v);
    }
    let stats = consumer.poll_one(|seq, v| assert_eq!((seq, *v), (8, 8)));
    assert_eq!(
        stats,
        PollStats {
            read: 1,
            dropped: 7,
            newest: 10
        }
    );
    let (items, stats) = drain(&mut consumer);
    assert_eq!(items, [(9, 9), (10, 10)]);
    assert_eq!(
        stats,
        PollStats {
            read: 2,
            dropped: 0,
            newest: 10
        }
    );
}

#[test]
fn capacity_one_keeps_only_the_newest() {
    let ring = Ring::<u16, 1>::new();
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    assert_eq!(
        consumer.poll_one(|_, _| panic!("empty")),
        PollStats::default()
    );
    producer.push(1);
    producer.push(2);
    producer.push(3);
    assert_eq!(consumer.latest(), Some((3, 3)));
    let (items, stats) = drain(&mut consumer);
    assert_eq!(items, [(3, 3)]);
    assert_eq!(
        stats,
        PollStats {
            read: 1,
            dropped: 2,
            newest: 3
        }
    );
    producer.push(4);
    let (items, _) = drain(&mut consumer);
    assert_eq!(items, [(4, 4)]);
}

#[test]
fn latest_of_a_ring_started_late_waits_for_its_first_push() {
    // The ring's initial `head` (the number before the first) was never pushed: no item yet,
    // for a value that shares its stamp's word and for one that does not.
    let ring = Ring::<u16, 4>::starting_at(1000);
    let wide = Ring::<[u32; 3], 4>::starting_at(u32::MAX);
    assert_eq!(ring.consumer().latest(), None);
    assert_eq!(wide.consumer().latest(), None);
    assert_eq!(ring.producer().push(0), 1000);
    assert_eq!(wide.producer().push([0, 1, 2]), u32::MAX);
    assert_eq!(ring.consumer().latest(), Some((1000, 0)));
    assert_eq!(wide.consumer().latest(), Some((u32::MAX, [0, 1, 2])));
}

#[test]
fn latest_never_moves_the_cursor() {
    let ring = Ring::<u32, 4>::new();
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    assert_eq!(consumer.latest(), None);
    for v in 1..=3 {
        producer.push(v * 7);
        assert_eq!(consumer.latest(), Some((v, v * 7)));
    }
    let (items, stats) = drain(&mut consumer);
    assert_eq!(items, [(1, 7), (2, 14), (3, 21)]);
    assert_eq!(stats.dropped, 0);
    // After draining, latest still reports the newest item.
    assert_eq!(consumer.latest(), Some((3, 21)));
    assert_eq!(consumer.latest(), Some((3, 21)));
    // And while lagging.
    for v in 4..=20 {
        producer.push(v * 7);
    }
    assert_eq!(consumer.latest(), Some((20, 140)));
    let (items, stats) = drain(&mut consumer);
    assert_eq!(items.first(), Some(&(17, 119)));
    assert_eq!(
        stats,
        PollStats {
            read: 4,
            dropped: 13,
            newest: 20
        }
    );
}

#[test]
fn poll_up_to_zero_reads_nothing() {
    let ring = Ring::<u32, 4>::new();
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    producer.push(1);
    producer.push(2);
    let stats = consumer.poll_up_to(0, |_, _| panic!("must not read"));
    assert_eq!(
        stats,
        PollStats {
            read: 0,
            dropped: 0,
            newest: 2
        }
    );
    assert_eq!(drain(&mut consumer).0.len(), 2);
}

#[test]
fn poll_up_to_respects_max() {
    let ring = Ring::<u32, 16>::new();
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    for v in 0..10 {
        producer.push(v);
    }
    let mut n = 0;
    let stats = consumer.poll_up_to(4, |_, _| n += 1);
    assert_eq!((n, stats.read), (4, 4));
    assert_eq!(drain(&mut consumer).1.read, 6);
}

#[test]
fn handles_are_exclusive_and_can_be_retaken() {
    let ring = Ring::<u32, 4>::new();
    let producer = ring.producer();
    assert!(ring.try_producer().is_none());
    let consumer = ring.consumer();
    assert!(ring.try_consumer().is_none());
    producer.push(1);
    drop(producer);
    drop(consumer);
    // New handles continue where the old ones stopped.
    let producer = ring.try_producer().expect("released");
    let mut consumer = ring.try_consumer().expect("released");
    assert_eq!(producer.push(2), 2);
    let (items, _) = drain(&mut consumer);
    assert_eq!(items, [(1, 1), (2, 2)]);
}

#[test]
#[should_panic(expected = "a producer handle is already live")]
fn second_producer_panics() {
    let ring = Ring::<u32, 4>::new();
    let _a = ring.producer();
    let _b = ring.producer();
}

#[test]
#[should_panic(expected = "a consumer handle is already live")]
fn second_consumer_panics() {
    let ring = Ring::<u32, 4>::new();
    let _a = ring.consumer();
    let _b = ring.consumer();
}

#[test]
fn read_plus_dropped_equals_pushes() {
    let ring = Ring::<u32, 7>::new();
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    let mut total = PollStats::default();
    let mut pushed = 0u32;
    for round in 0..200u32 {
        for _ in 0..(round * 13 % 23) {
            producer.push(round);
            pushed += 1;
        }
        total.accumulate(consumer.poll_up_to((round % 5) as usize, |_, _| {}));
    }
    total.accumulate(consumer.poll_up_to(usize::MAX, |_, _| {}));
    assert_eq!(total.read + total.dropped, pushed);
    assert_eq!(total.newest, pushed);
}

#[test]
fn works_in_a_static() {
    static RING: Ring<[u8; 3], 2> = Ring::new();
    let producer = RING.producer();
    let mut consumer = RING.consumer();
    producer.push([1, 2, 3]);
    assert_eq!(drain(&mut consumer).0, [(1, [1, 2, 3])]);
}

#[test]
fn poll_one_value_reads_in_order_and_counts_drops() {
    let ring = Ring::<u32, 3>::new();
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    assert_eq!(consumer.poll_one_value(), None);
    for v in 1..=5 {
        producer.push(v * 10); // seq 1..=5: a ring of 3 keeps 3..=5
    }
    assert_eq!(consumer.poll_one_value(), Some((3, 30)));
    assert_eq!(consumer.dropped(), 2);
    assert_eq!(consumer.poll_one_value(), Some((4, 40)));
    assert_eq!(consumer.poll_one_value(), Some((5, 50)));
    assert_eq!(consumer.poll_one_value(), None);
    assert_eq!(consumer.dropped(), 2);
    // It is the same read as `poll_one`: they share the cursor.
    producer.push(60);
    producer.push(70);
    assert_eq!(
        consumer.poll_one(|s, v| assert_eq!((s, *v), (6, 60))).read,
        1
    );
    assert_eq!(consumer.poll_one_value(), Some((7, 70)));
}

#[test]
fn poll_one_value_across_the_wrap_while_lapped() {
    let ring = Ring::<u32, 2>::starting_at(u32::MAX - 2);
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    for v in 0..5 {
        producer.push(v); // seqs MAX-2, MAX-1, MAX, 1, 2
    }
    assert_eq!(consumer.poll_one_value(), Some((1, 3)));
    assert_eq!(consumer.dropped(), 3);
    assert_eq!(consumer.poll_one_value(), Some((2, 4)));
    assert_eq!(consumer.poll_one_value(), None);
}

#[test]
fn dropped_is_the_sum_of_every_polls_dropped() {
    let ring = Ring::<u32, 4>::new();
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    let mut sum = 0u64;
    let mut next = 0u32;
    for round in 0..50u32 {
        for _ in 0..(round * 7 % 11) {
            producer.push(next);
            next += 1;
        }
        let before = consumer.dropped();
        match round % 3 {
            0 => sum += u64::from(consumer.poll_one(|_, _| {}).dropped),
            1 => sum += u64::from(consumer.poll_up_to(2, |_, _| {}).dropped),
            _ => {
                consumer.poll_one_value();
                sum += consumer.dropped() - before;
            }
        }
        assert_eq!(consumer.dropped(), sum);
    }
    // `poll_up_to(0, ..)` and `latest` drop nothing.
    for _ in 0..10 {
        producer.push(0);
    }
    let before = consumer.dropped();
    assert_eq!(consumer.poll_up_to(0, |_, _| {}).dropped, 0);
    assert!(consumer.latest().is_some());
    assert_eq!(consumer.dropped(), before);
    let stats = drain(&mut consumer).1;
    assert_eq!(consumer.dropped(), before + u64::from(stats.dropped));
    assert!(stats.dropped > 0);
}

#[test]
fn reset_dropped_returns_the_total_and_starts_over() {
    let ring = Ring::<u8, 1>::new();
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    assert_eq!(consumer.reset_dropped(), 0);
    for v in 0..4 {
        producer.push(v);
    }
    drain(&mut consumer);
    assert_eq!(consumer.dropped(), 3);
    assert_eq!(consumer.reset_dropped(), 3);
    assert_eq!(consumer.dropped(), 0);
    assert_eq!(consumer.reset_dropped(), 0);
    producer.push(9);
    producer.push(10);
    assert_eq!(consumer.poll_one_value(), Some((6, 10)));
    assert_eq!(consumer.dropped(), 1);
}

#[test]
fn a_new_consumer_handle_starts_its_dropped_total_at_zero() {
    let ring = Ring::<u8, 2>::new();
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    for v in 0..5 {
        producer.push(v);
    }
    consumer.poll_one_value();
    assert_eq!(consumer.dropped(), 3);
    drop(consumer);
    let mut consumer = ring.consumer();
    assert_eq!(consumer.dropped(), 0);
    // ... and continues at the cursor the old one left.
    assert_eq!(consumer.poll_one_value(), Some((5, 4)));
    assert_eq!(consumer.dropped(), 0);
}

#[test]
fn skip_to_latest_on_a_late_consumer() {
    let ring = Ring::<u32, 8>::new();
    let producer = ring.producer();
    for v in 1..=6 {
        producer.push(v * 100);
    }
    let mut consumer = ring.consumer();
    assert_eq!(consumer.skip_to_latest(), 5);
    let (items, stats) = drain(&mut consumer);
    assert_eq!(items, [(6, 600)]);
    assert_eq!(
        stats,
        PollStats {
            read: 1,
            dropped: 0,
            newest: 6
        }
    );
    assert_eq!(consumer.dropped(), 0);
    // Items pushed after the skip are delivered as usual.
    producer.push(700);
    producer.push(800);
    assert_eq!(drain(&mut consumer).0, [(7, 700), (8, 800)]);
}

#[test]
fn skip_to_latest_with_nothing_to_skip_returns_zero() {
    // Never pushed, also on a ring that starts elsewhere in the cycle.
    for first in [1, 2, u32::MAX] {
        let ring = Ring::<u32, 4>::starting_at(first);
        let producer = ring.producer();
        let mut consumer = ring.consumer();
        assert_eq!(consumer.skip_to_latest(), 0);
        assert_eq!(consumer.poll_one_value(), None);
        // Only the newest item unread: it stays unread.
        producer.push(1);
        assert_eq!(consumer.skip_to_latest(), 0);
        assert_eq!(consumer.poll_one_value(), Some((first, 1)));
        // All read.
        assert_eq!(consumer.skip_to_latest(), 0);
        producer.push(2);
        assert_eq!(consumer.poll_one_value(), Some((seq::next(first), 2)));
    }
}

#[test]
fn skip_to_latest_when_lapped_passes_over_everything_and_drops_nothing() {
    let ring = Ring::<u32, 3>::new();
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    for v in 1..=10 {
        producer.push(v);
    }
    // Seq 1..=7 were overwritten, 8 and 9 are still in the ring: all nine are passed over.
    assert_eq!(consumer.skip_to_latest(), 9);
    assert_eq!(consumer.dropped(), 0);
    let (items, stats) = drain(&mut consumer);
    assert_eq!(items, [(10, 10)]);
    assert_eq!(stats.dropped, 0);
}

#[test]
fn skip_to_latest_then_the_producer_laps_before_the_next_poll() {
    let ring = Ring::<u32, 4>::new();
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    for v in 1..=6 {
        producer.push(v);
    }
    assert_eq!(consumer.skip_to_latest(), 5); // the cursor is on seq 6
    for v in 7..=12 {
        producer.push(v); // the ring keeps 9..=12: seq 6, 7 and 8 are lost
    }
    let (items, stats) = drain(&mut consumer);
    assert_eq!(items, [(9, 9), (10, 10), (11, 11), (12, 12)]);
    assert_eq!(
        stats,
        PollStats {
            read: 4,
            dropped: 3,
            newest: 12
        }
    );
    assert_eq!(consumer.dropped(), 3);
    assert_eq!(5 + u64::from(stats.read) + consumer.dropped(), 12);
}

#[test]
fn skip_to_latest_across_the_wrap() {
    // In the ring: MAX-3 ..= MAX, then 1 ..= 3 (N = 8 keeps all seven).
    let ring = Ring::<u32, 8>::starting_at(u32::MAX - 3);
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    for v in 0..7 {
        producer.push(v);
    }
    assert_eq!(consumer.poll_one_value(), Some((u32::MAX - 3, 0)));
    assert_eq!(consumer.skip_to_latest(), 5); // MAX-2 ..= MAX, 1, 2
    assert_eq!(consumer.poll_one_value(), Some((3, 6)));
    assert_eq!(consumer.poll_one_value(), None);

    // Lapped across the wrap: N = 3, seqs MAX-4 ..= MAX, 1 ..= 5.
    let ring = Ring::<u32, 3>::starting_at(u32::MAX - 4);
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    for v in 0..10 {
        producer.push(v);
    }
    assert_eq!(consumer.skip_to_latest(), 9);
    assert_eq!(consumer.latest(), Some((5, 9)));
    assert_eq!(drain(&mut consumer).0, [(5, 9)]);
    // The cursor stays in step with the positions after the skip.
    for v in 10..14 {
        producer.push(v);
    }
    assert_eq!(consumer.skip_to_latest(), 3);
    assert_eq!(drain(&mut consumer).0, [(9, 13)]);
    assert_eq!(consumer.dropped(), 0);
}

#[test]
fn skip_to_latest_with_poll_up_to_and_latest() {
    let ring = Ring::<u32, 5>::new();
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    for v in 1..=4 {
        producer.push(v);
    }
    let stats = consumer.poll_up_to(2, |_, _| {});
    assert_eq!((stats.read, stats.newest), (2, 4));
    assert_eq!(consumer.latest(), Some((4, 4)));
    assert_eq!(consumer.skip_to_latest(), 1); // seq 3
    // `latest` is unaffected, and still does not move the cursor.
    assert_eq!(consumer.latest(), Some((4, 4)));
    for v in 5..=7 {
        producer.push(v);
    }
    let mut seen = Vec::new();
    let stats = consumer.poll_up_to(3, |s, v| seen.push((s, *v)));
    assert_eq!(seen, [(4, 4), (5, 5), (6, 6)]);
    assert_eq!(
        stats,
        PollStats {
            read: 3,
            dropped: 0,
            newest: 7
        }
    );
    assert_eq!(consumer.skip_to_latest(), 0);
    assert_eq!(consumer.poll_one_value(), Some((7, 7)));
    assert_eq!(consumer.latest(), Some((7, 7)));
}

#[test]
fn read_plus_dropped_plus_skipped_equals_pushes() {
    let ring = Ring::<u32, 6>::starting_at(u32::MAX - 100);
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    let (mut read, mut skipped, mut pushed) = (0u64, 0u64, 0u64);
    for round in 0..300u32 {
        for _ in 0..(round * 5 % 17) {
            producer.push(round);
            pushed += 1;
        }
        match round % 4 {
            0 => skipped += u64::from(consumer.skip_to_latest()),
            1 => read += u64::from(consumer.poll_one_value().is_some()),
            _ => read += u64::from(consumer.poll_up_to((round % 7) as usize, |_, _| {}).read),
        }
    }
    read += u64::from(drain(&mut consumer).1.read);
    assert_eq!(read + consumer.dropped() + skipped, pushed);
    assert!(skipped > 0 && consumer.dropped() > 0);
}
