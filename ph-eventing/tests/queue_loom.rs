//! `loom` model checks of the queue: every interleaving (within loom's bounds) of a producer
//! pushing more items than fit into a small queue while the consumer drains it, with loom checking
//! every slot access for data races.
//! Run with `RUSTFLAGS="--cfg loom" cargo test -p ph-eventing --release --test queue_loom`.
//!
//! Both sides always run on spawned threads, as in the ring's models.
#![cfg(loom)]

use loom::sync::Arc;
use loom::thread;

use ph_eventing::{EventQueue, PollStats};

/// Values carry their id twice, so a mixed-up or torn copy is caught.
type Pair = (u32, u32);

/// A thread making `attempts` pushes of `(i, i)` for i in 1..=`attempts`; returns the accepted
/// `(seq, value)` pairs and checks that each attempt uses up its own seq.
fn spawn_producer<const N: usize>(
    queue: Arc<EventQueue<Pair, N>>,
    attempts: u32,
) -> thread::JoinHandle<Vec<(u32, Pair)>> {
    thread::spawn(move || {
        let p = queue.producer();
        let mut accepted = Vec::new();
        for i in 1..=attempts {
            match p.push((i, i)) {
                Ok(seq) => {
                    assert_eq!(seq, i);
                    accepted.push((seq, (i, i)));
                }
                Err(back) => assert_eq!(back, (i, i), "a refused value comes back"),
            }
        }
        assert_eq!(p.refused(), attempts - accepted.len() as u32);
        accepted
    })
}

/// The producer makes `attempts` pushes into a queue of `N` while the consumer makes `polls`
/// polls (`poll_up_to(batch)`, or `poll_one_value` for batch 0). Then a drain through a new
/// handle. Every accepted item arrives exactly once, in order, untorn; the gaps are the refusals.
/// `preemptions: None` explores every interleaving; `Some(k)` bounds the preemptions (for the
/// larger models, which would otherwise take far too long).
fn producer_overfills_queue<const N: usize>(
    attempts: u32,
    polls: usize,
    batch: usize,
    preemptions: Option<usize>,
) {
    let mut model = loom::model::Builder::new();
    model.preemption_bound = preemptions;
    model.check(move || {
        let queue = Arc::new(EventQueue::<Pair, N>::new());
        let producer = spawn_producer(queue.clone(), attempts);
        let q = queue.clone();
        let consumer = thread::spawn(move || {
            let mut consumer = q.consumer();
            let mut got = Vec::new();
            let mut total = PollStats::default();
            for _ in 0..polls {
                if batch == 0 {
                    got.extend(consumer.poll_one_value());
                } else {
                    let stats = consumer.poll_up_to(batch, |s, v| got.push((s, *v)));
                    if let Some(&(last, _)) = got.last() {
                        assert!(
                            ph_eventing::seq::distance(last, stats.newest)
                                < ph_eventing::seq::BEHIND,
                            "newest older than an item read"
                        );
                    }
                    total.accumulate(stats);
                }
            }
            if batch != 0 {
                assert_eq!(consumer.dropped(), u64::from(total.dropped));
            }
            (got, consumer.dropped())
        });
        let accepted = producer.join().unwrap();
        let (mut got, mut dropped) = consumer.join().unwrap();
        let mut consumer = queue.consumer();
        let last = consumer.poll_up_to(usize::MAX, |s, v| got.push((s, *v)));
        dropped += consumer.dropped();
        for &(seq, (a, b)) in &got {
            assert_eq!((a, b), (seq, seq), "value does not belong to its seq");
        }
        assert_eq!(got, accepted, "every accepted item exactly once, in order");
        let refused = attempts - accepted.len() as u32;
        assert_eq!(queue.refused(), refused);
        // Gaps counted = refusals before the last accepted item.
        let last_seq = accepted.last().map_or(0, |&(s, _)| s);
        assert_eq!(dropped, u64::from(refused - (attempts - last_seq)));
        assert_eq!(last.newest, attempts);
        assert!(consumer.is_empty());
    });
}

#[test]
fn queue_of_one_overfilled_poll_one_value() {
    producer_overfills_queue::<1>(3, 2, 0, None);
}

#[test]
fn queue_of_one_overfilled_poll_up_to() {
    producer_overfills_queue::<1>(4, 2, 1, None);
}

#[test]
fn queue_of_two_overfilled() {
    producer_overfills_queue::<2>(4, 2, 2, Some(3));
}

/// A slot is reused while the consumer may still be reading its previous item: the callback
/// holds a reference into the slot, and loom checks the producer never writes it meanwhile.
#[test]
fn slot_reuse_waits_for_the_reader() {
    loom::model(|| {
        let queue = Arc::new(EventQueue::<Pair, 1>::new());
        queue.producer().push((1, 1)).unwrap();
        let q = queue.clone();
        let producer = thread::spawn(move || {
            let p = q.producer();
            (p.push((2, 2)), p.push((3, 3)))
        });
        let q = queue.clone();
        let consumer = thread::spawn(move || {
            let mut c = q.consumer();
            let mut got = Vec::new();
            for _ in 0..2 {
                c.poll_one(|s, v| {
                    thread::yield_now();
                    got.push((s, *v));
                });
            }
            got
        });
        let (two, three) = producer.join().unwrap();
        let mut got = consumer.join().unwrap();
        got.extend(queue.consumer().poll_one_value());
        let mut want = vec![(1, (1, 1))];
        want.extend(two.ok().map(|s| (s, (2, 2))));
        want.extend(three.ok().map(|s| (s, (3, 3))));
        assert_eq!(got, want);
    });
}

/// Two threads race for the producer handle; the loser gets `None`, and pushes from both sides
/// of a handover see each other's sequence numbers.
#[test]
fn handle_handover_between_threads() {
    loom::model(|| {
        let queue = Arc::new(EventQueue::<Pair, 2>::new());
        let spawn_pusher = |q: Arc<EventQueue<Pair, 2>>| {
            thread::spawn(move || q.try_producer().map(|p| p.push((0, 0)).unwrap()))
        };
        let a = spawn_pusher(queue.clone());
        let b = spawn_pusher(queue.clone());
        let (a, b) = (a.join().unwrap(), b.join().unwrap());
        let pushed = u32::from(a.is_some()) + u32::from(b.is_some());
        assert!(pushed >= 1, "at least one thread got the handle");
        let mut seqs: Vec<u32> = a.into_iter().chain(b).collect();
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=pushed).collect::<Vec<_>>());
        let next = queue.producer().push((0, 0));
        assert_eq!(next, if pushed == 2 { Err((0, 0)) } else { Ok(2) });
        assert_eq!(queue.refused(), u32::from(pushed == 2));
    });
}
