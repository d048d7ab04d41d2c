//! `latest()` of a `u32` ring, ours against ph-eventing 0.3.0's `latest_value()`, each behind a
//! non-inlined call, so that neither is folded into the measuring loop (in criterion's
//! `latest_idle` bench the two inline differently). Ring full (2N pushes), producer idle; with
//! `busy`, a producer pushing at full speed on another thread meanwhile (each ring its own);
//! with `paced K`, that producer waits `K` spin-loop hints after each push, so that both rings
//! see about the same number of pushes per second (each round prints the rates it got).
//!
//! A `latest()` call costs what the cache lines it reads cost, and a producer pushing flat out
//! invalidates them at its own rate: ours pushes several times faster than 0.3.0's (no atomic
//! read-modify-write), so under `busy` each of our calls meets a line the other core has just
//! written more often. `paced` compares the two reads at the same rate of writes.
//!
//! `cargo run --release -p ph-benches --example latest_call [busy | paced K]`

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

const N: usize = 1024;
const CALLS: u64 = 100_000_000;

#[inline(never)]
fn ours(consumer: &ph_eventing::Consumer<'_, u32, N>) -> Option<(u32, u32)> {
    consumer.latest()
}

#[inline(never)]
fn orig(consumer: &orig::seq_ring::Consumer<'_, u32, N>) -> Option<(u32, u32)> {
    consumer.latest_value()
}

/// Nanoseconds per call of `f`.
fn per_call(mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..CALLS {
        f();
    }
    start.elapsed().as_nanos() as f64 / CALLS as f64
}

/// What the producer thread does meanwhile.
#[derive(Clone, Copy)]
enum Producer {
    Idle,
    /// Pushes flat out.
    Busy,
    /// Waits this many spin-loop hints after each push.
    Paced(u32),
}

/// Runs `measure` while, unless idle, another thread calls `push(1)`, `push(2)`, ... until it
/// returns; hands `push` back (it owns a producer handle: `Send`, not `Sync`) with the pushes
/// it made per microsecond.
fn with_pushes<P: FnMut(u32) + Send, R>(
    producer: Producer,
    push: P,
    measure: impl FnOnce() -> R,
) -> (P, R, f64) {
    let pause = match producer {
        Producer::Idle => return (push, measure(), 0.0),
        Producer::Busy => 0,
        Producer::Paced(k) => k,
    };
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let stop = &stop;
        let mut push = push;
        let pusher = s.spawn(move || {
            let start = Instant::now();
            let mut i = 0u32;
            while !stop.load(Ordering::Relaxed) {
                i = i.wrapping_add(1);
                push(i);
                for _ in 0..pause {
                    std::hint::spin_loop();
                }
            }
            let rate = f64::from(i) / start.elapsed().as_secs_f64() / 1e6;
            (push, rate)
        });
        let r = measure();
        stop.store(true, Ordering::Relaxed);
        let (push, rate) = pusher.join().expect("the pushing thread");
        (push, r, rate)
    })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let producer = match args.first().map(String::as_str) {
        None => Producer::Idle,
        Some("busy") => Producer::Busy,
        Some("paced") => Producer::Paced(
            args.get(1)
                .and_then(|k| k.parse().ok())
                .expect("paced K: K spin-loop hints after each push"),
        ),
        Some(other) => panic!("unknown mode {other}: busy, or paced K"),
    };
    let ring = Box::new(ph_eventing::SeqRing::<u32, N>::new());
    let ours_producer = ring.producer();
    let consumer = ring.consumer();
    let old = Box::new(orig::SeqRing::<u32, N>::new());
    let old_producer = old.try_producer().expect("fresh ring");
    let old_consumer = old.try_consumer().expect("fresh ring");
    for i in 1..=2 * N as u32 {
        ours_producer.push(i);
        old_producer.push(i);
    }
    assert_eq!(ours(&consumer), orig(&old_consumer));
    let mut push_ours = move |i| {
        ours_producer.push(i);
    };
    let mut push_orig = move |i| {
        old_producer.push(i);
    };
    for round in 1..=3 {
        let (a, rate_a);
        (push_ours, a, rate_a) = with_pushes(producer, push_ours, || {
            per_call(|| {
                black_box(ours(black_box(&consumer)));
            })
        });
        let (b, rate_b);
        (push_orig, b, rate_b) = with_pushes(producer, push_orig, || {
            per_call(|| {
                black_box(orig(black_box(&old_consumer)));
            })
        });
        println!(
            "round {round}: ours {a:.2} ns, 0.3.0 {b:.2} ns, ratio {:.2}; pushes/us: ours {rate_a:.1}, 0.3.0 {rate_b:.1}",
            a / b
        );
    }
}
