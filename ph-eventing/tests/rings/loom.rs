// The body of `tests/loom.rs`, compiled once per ring (`Ring` is `SeqRing` or `SwapRing`): the
// models, and the handle test. Each ring's module picks the models' sizes.

/// A thread pushing `(i, i)` for i in 1..=`pushes`, each getting sequence number `i`.
fn spawn_producer<const N: usize>(
    ring: Arc<Ring<Pair, N>>,
    pushes: u32,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let p = ring.producer();
        for i in 1..=pushes {
            assert_eq!(p.push(pair(i)), i);
        }
    })
}

/// The producer pushes `pushes` items into a ring of `N` while the consumer polls `polls` times
/// (and calls `latest` after each poll if `use_latest`). `preemptions: None` explores every
/// interleaving; `Some(k)` bounds the preemptions (for the larger models, which would otherwise
/// take hours; three are enough to interrupt a poll between its head load, its take and its
/// put-back).
fn producer_laps_consumer<const N: usize>(
    pushes: u32,
    polls: usize,
    use_latest: bool,
    preemptions: Option<usize>,
) {
    let mut model = loom::model::Builder::new();
    model.preemption_bound = preemptions;
    model.check(move || {
        let ring = Arc::new(Ring::<Pair, N>::new());
        let producer = spawn_producer(ring.clone(), pushes);
        let r = ring.clone();
        let consumer = thread::spawn(move || {
            let mut consumer = r.consumer();
            let mut got = Vec::new();
            let mut total = PollStats::default();
            for _ in 0..polls {
                total.accumulate(consumer.poll_one(|s, v| got.push((s, *v))));
                if use_latest && let Some((s, v)) = consumer.latest() {
                    assert_eq!(v, pair(s), "latest torn");
                }
            }
            (got, total)
        });
        producer.join().unwrap();
        let (mut got, mut total) = consumer.join().unwrap();
        // After both are done, one drain through a new handle accounts for everything.
        let mut consumer = ring.consumer();
        total.accumulate(consumer.poll_up_to(usize::MAX, |s, v| got.push((s, *v))));
        check_delivered(&got, pair);
        assert_eq!(total.read + total.dropped, pushes);
        let newest = got.last().map(|g| g.0);
        assert_eq!(newest, Some(pushes), "newest item is delivered");
    });
}

/// The producer pushes `pushes` items into a ring that holds them all while the consumer polls
/// `polls` times: nothing may be counted as lost. (A push whose slot became visible after the
/// next push's `head` would look overwritten to the consumer.)
fn never_lapped_never_lost<const N: usize>(pushes: u32, polls: usize) {
    assert!(pushes as usize <= N);
    let mut model = loom::model::Builder::new();
    model.preemption_bound = BOUND;
    model.check(move || {
        let ring = Arc::new(Ring::<Pair, N>::new());
        let producer = spawn_producer(ring.clone(), pushes);
        let r = ring.clone();
        let consumer = thread::spawn(move || {
            let mut consumer = r.consumer();
            let mut got = Vec::new();
            let mut total = PollStats::default();
            for _ in 0..polls {
                total.accumulate(consumer.poll_one(|s, v| got.push((s, *v))));
            }
            (got, total)
        });
        producer.join().unwrap();
        let (mut got, mut total) = consumer.join().unwrap();
        let mut consumer = ring.consumer();
        total.accumulate(consumer.poll_up_to(usize::MAX, |s, v| got.push((s, *v))));
        check_delivered(&got, pair);
        assert_eq!((total.read, total.dropped), (pushes, 0), "nothing lapped, nothing lost");
    });
}

/// The consumer passes over its backlog with `skip_to_latest` and then reads with `poll_one` and
/// `poll_one_value`, `rounds` times, while the producer pushes `pushes` items into a ring of `N`
/// (lapping it mid-read). Checks that values are not torn, order, that `dropped()` is the sum of
/// the polls' `dropped`, and that read + dropped + skipped accounts for every push.
fn skip_while_producer_pushes<const N: usize>(pushes: u32, rounds: usize) {
    let mut model = loom::model::Builder::new();
    model.preemption_bound = BOUND;
    model.check(move || {
        let ring = Arc::new(Ring::<Pair, N>::new());
        let producer = spawn_producer(ring.clone(), pushes);
        let r = ring.clone();
        let consumer = thread::spawn(move || {
            let mut consumer = r.consumer();
            let (mut got, mut skipped, mut polls_dropped) = (Vec::new(), 0u32, 0u64);
            for _ in 0..rounds {
                skipped += consumer.skip_to_latest();
                let stats = consumer.poll_one(|s, v| got.push((s, *v)));
                polls_dropped += u64::from(stats.dropped);
                assert_eq!(consumer.dropped(), polls_dropped);
                if let Some(item) = consumer.poll_one_value() {
                    got.push(item);
                }
                polls_dropped = consumer.dropped();
            }
            (got, consumer.dropped(), skipped)
        });
        producer.join().unwrap();
        let (mut got, dropped, skipped) = consumer.join().unwrap();
        let mut consumer = ring.consumer();
        let last = consumer.poll_up_to(usize::MAX, |s, v| got.push((s, *v)));
        check_delivered(&got, pair);
        assert_eq!(
            got.len() as u64 + dropped + u64::from(skipped) + u64::from(last.dropped),
            u64::from(pushes)
        );
        assert_eq!(
            got.last().map(|g| g.0),
            Some(pushes),
            "newest item is delivered"
        );
    });
}

/// Two threads race for the producer handle; the loser gets `None`, and pushes from both sides
/// of a handover see each other's sequence numbers.
#[test]
fn handle_handover_between_threads() {
    loom::model(|| {
        let ring = Arc::new(Ring::<Pair, 2>::new());
        let spawn_pusher = |r: Arc<Ring<Pair, 2>>| {
            thread::spawn(move || r.try_producer().map(|p| p.push(pair(0))))
        };
        let a = spawn_pusher(ring.clone());
        let b = spawn_pusher(ring.clone());
        let (a, b) = (a.join().unwrap(), b.join().unwrap());
        let pushed = u32::from(a.is_some()) + u32::from(b.is_some());
        assert!(pushed >= 1, "at least one thread got the handle");
        let mut seqs: Vec<u32> = a.into_iter().chain(b).collect();
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=pushed).collect::<Vec<_>>());
        assert_eq!(ring.producer().push(pair(0)), pushed + 1);
    });
}
