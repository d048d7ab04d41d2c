//! Two threads at once on an `EventQueue`: a producer at full speed (some refused pushes it drops,
//! others it retries) and a consumer of varying speed. Checks that every accepted item arrives
//! exactly once, in order and not torn, and that the gaps are exactly the refusals. Under Miri the
//! counts are small, which still lets Miri check every access of the protocol for data races.

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use ph_eventing::{EventQueue, PollStats};

/// A value whose words must agree: a torn copy (half old, half new) would break that.
type Wide = [u64; 4];

const ATTEMPTS: u32 = if cfg!(miri) { 200 } else { 1_000_000 };

fn wide(id: u32) -> Wide {
    let v = u64::from(id);
    [v, v.rotate_left(17), !v, v ^ 0xA5A5]
}

/// Makes [`ATTEMPTS`] push attempts of values with ids 1, 2, …; a refused value is pushed again
/// (under a new seq: every attempt uses one up) when `retry` says so for that attempt, otherwise
/// given up. Returns the accepted `(seq, id)` pairs.
fn produce<const N: usize>(
    queue: &EventQueue<Wide, N>,
    done: &AtomicBool,
    retry: impl Fn(u32) -> bool,
) -> Vec<(u32, u32)> {
    let producer = queue.producer();
    let mut accepted = Vec::new();
    let mut id = 1u32;
    for attempt in 1..=ATTEMPTS {
        match producer.push(wide(id)) {
            Ok(seq) => {
                assert_eq!(seq, attempt, "one seq per attempt");
                accepted.push((seq, id));
                id += 1;
            }
            Err(back) => {
                assert_eq!(back, wide(id), "a refused value comes back unchanged");
                if !retry(attempt) {
                    id += 1;
                }
            }
        }
    }
    done.store(true, Ordering::Release);
    accepted
}

fn stress<const N: usize>(batch: usize, consumer_pause: u32, retry: impl Fn(u32) -> bool + Send) {
    let queue = EventQueue::<Wide, N>::new();
    let done = AtomicBool::new(false);
    let (accepted, (read, total)) = thread::scope(|s| {
        let producer = s.spawn(|| produce(&queue, &done, retry));
        let consumer = s.spawn(|| {
            let mut consumer = queue.consumer();
            let mut read = Vec::new();
            let mut total = PollStats::default();
            loop {
                let finished = done.load(Ordering::Acquire);
                let stats = consumer.poll_up_to(batch, |seq, v| {
                    let id = v[0] as u32;
                    assert_eq!(*v, wide(id), "torn value");
                    read.push((seq, id));
                });
                if let Some(&(last, _)) = read.last() {
                    assert!(
                        ph_eventing::seq::distance(last, stats.newest) < ph_eventing::seq::BEHIND,
                        "newest {} older than an item read ({last})",
                        stats.newest
                    );
                }
                total.accumulate(stats);
                if finished && stats.read == 0 {
                    break;
                }
                for _ in 0..consumer_pause {
                    std::hint::spin_loop();
                }
            }
            assert_eq!(consumer.dropped(), u64::from(total.dropped));
            (read, total)
        });
        (producer.join().unwrap(), consumer.join().unwrap())
    });
    assert_eq!(read, accepted, "every accepted item exactly once, in order");
    let refused = ATTEMPTS - accepted.len() as u32;
    assert_eq!(queue.refused(), refused);
    // The gaps the consumer counted are the refusals before the last accepted item; those after
    // it are behind no item.
    let last = accepted.last().map_or(0, |&(seq, _)| seq);
    assert_eq!(total.read + total.dropped, last);
    assert_eq!(total.dropped, refused - (ATTEMPTS - last));
    assert_eq!(total.newest, ATTEMPTS);
}

#[test]
fn slow_consumer_small_queue() {
    stress::<4>(1, 200, |_| false);
}

#[test]
fn batched_consumer_queue_of_seven() {
    stress::<7>(3, 50, |_| false);
}

#[test]
fn fast_consumer_large_batches() {
    stress::<64>(64, 0, |_| false);
}

#[test]
fn single_slot_queue() {
    stress::<1>(1, 10, |_| false);
}

/// A producer that retries most refused values keeps the queue full: the consumer races it for
/// every slot, and the values still arrive in order, each under the seq of its accepted attempt.
#[test]
fn retrying_producer_keeps_the_queue_full() {
    stress::<2>(2, 5, |seq| seq % 8 != 0);
}
