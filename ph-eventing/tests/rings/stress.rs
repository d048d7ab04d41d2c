// The body of `tests/stress.rs`, compiled once per ring (`Ring` is `SeqRing` or `SwapRing`).

/// A value whose words must agree: a torn copy (half old, half new) would break that.
type Wide = [u64; 4];

const PUSHES: u32 = if cfg!(miri) { 300 } else { 2_000_000 };

/// Pushes [`PUSHES`] values whose words agree (seq `i` for the `i`th), then sets `done`.
fn produce<const N: usize>(ring: &Ring<Wide, N>, done: &AtomicBool) {
    let producer = ring.producer();
    for i in 1..=PUSHES {
        let v = u64::from(i);
        assert_eq!(producer.push([v, v.rotate_left(17), !v, v ^ 0xA5A5]), i);
    }
    done.store(true, Ordering::Release);
}

fn stress<const N: usize>(batch: usize, consumer_pause: u32) {
    let ring = Ring::<Wide, N>::new();
    let done = AtomicBool::new(false);
    thread::scope(|s| {
        s.spawn(|| {
            produce(&ring, &done);
        });
        s.spawn(|| {
            let mut consumer = ring.consumer();
            let mut last_seq = 0u32;
            let mut total = PollStats::default();
            let mut spins = 0u32;
            loop {
                let finished = done.load(Ordering::Acquire);
                let stats = consumer.poll_up_to(batch, |seq, v| {
                    let x = v[0];
                    assert_eq!(*v, [x, x.rotate_left(17), !x, x ^ 0xA5A5], "torn value");
                    assert_eq!(u64::from(seq), x, "value belongs to another seq");
                    assert!(
                        seq > last_seq,
                        "out of order or duplicate: {seq} after {last_seq}"
                    );
                    last_seq = seq;
                });
                // Everything between the previous item and this poll's items was dropped.
                total.accumulate(stats);
                if let Some((seq, v)) = consumer.latest() {
                    assert_eq!(u64::from(seq), v[0]);
                    assert_eq!(v[3], v[0] ^ 0xA5A5, "torn latest");
                }
                if finished && stats.read == 0 {
                    break;
                }
                spins = spins.wrapping_add(1);
                for _ in 0..consumer_pause {
                    std::hint::spin_loop();
                }
            }
            assert_eq!(last_seq, PUSHES, "the newest item is always delivered");
            assert_eq!(
                total.read + total.dropped,
                PUSHES,
                "every push read or counted as dropped"
            );
            assert_eq!(total.newest, PUSHES);
        });
    });
}

#[test]
fn slow_consumer_small_ring() {
    stress::<4>(1, 200);
}

#[test]
fn batched_consumer_ring_of_seven() {
    stress::<7>(3, 50);
}

#[test]
fn fast_consumer_large_batches() {
    stress::<64>(64, 0);
}

#[test]
fn single_slot_ring() {
    stress::<1>(1, 10);
}

/// A consumer that reads one value at a time with `poll_one_value` and every `skip_every`-th round
/// passes over its backlog with `skip_to_latest`, while the producer pushes at full speed: items
/// are in order and not torn, and read + `dropped()` + skipped accounts for every push.
fn skipping_consumer<const N: usize>(skip_every: u32) {
    let ring = Ring::<Wide, N>::new();
    let done = AtomicBool::new(false);
    thread::scope(|s| {
        s.spawn(|| {
            produce(&ring, &done);
        });
        s.spawn(|| {
            let mut consumer = ring.consumer();
            let (mut last_seq, mut read, mut skipped) = (0u32, 0u64, 0u64);
            let mut round = 0u32;
            loop {
                let finished = done.load(Ordering::Acquire);
                let item = consumer.poll_one_value();
                if let Some((seq, v)) = item {
                    let x = v[0];
                    assert_eq!(v, [x, x.rotate_left(17), !x, x ^ 0xA5A5], "torn value");
                    assert_eq!(u64::from(seq), x, "value belongs to another seq");
                    assert!(seq > last_seq, "out of order: {seq} after {last_seq}");
                    last_seq = seq;
                    read += 1;
                } else if finished {
                    break;
                }
                round = round.wrapping_add(1);
                if round.is_multiple_of(skip_every) {
                    skipped += u64::from(consumer.skip_to_latest());
                }
            }
            assert_eq!(last_seq, PUSHES, "the newest item is always delivered");
            assert_eq!(
                read + consumer.dropped() + skipped,
                u64::from(PUSHES),
                "every push read, dropped or skipped exactly once"
            );
        });
    });
}

#[test]
fn skipping_consumer_small_ring() {
    skipping_consumer::<4>(3);
}

#[test]
fn skipping_consumer_single_slot_ring() {
    skipping_consumer::<1>(2);
}
