//! `latest()` of a `u32` ring, ours against ph-eventing 0.3.0's `latest_value()`, each behind a
//! non-inlined call, so that neither is folded into the measuring loop (in criterion's
//! `latest_idle` bench the two inline differently). Ring full (2N pushes), producer idle; with
//! `busy`, a producer pushing at full speed on another thread meanwhile (each ring its own).
//!
//! `cargo run --release -p ph-benches --example latest_call [busy]`

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

/// Runs `measure` while, if `busy`, another thread calls `push(1)`, `push(2)`, ... until it
/// returns; hands `push` back (it owns a producer handle: `Send`, not `Sync`).
fn with_pushes<P: FnMut(u32) + Send, R>(
    busy: bool,
    push: P,
    measure: impl FnOnce() -> R,
) -> (P, R) {
    if !busy {
        return (push, measure());
    }
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let stop = &stop;
        let mut push = push;
        let pusher = s.spawn(move || {
            let mut i = 0u32;
            while !stop.load(Ordering::Relaxed) {
                i = i.wrapping_add(1);
                push(i);
            }
            push
        });
        let r = measure();
        stop.store(true, Ordering::Relaxed);
        (pusher.join().expect("the pushing thread"), r)
    })
}

fn main() {
    let busy = std::env::args().any(|a| a == "busy");
    let ring = Box::new(ph_eventing::SeqRing::<u32, N>::new());
    let producer = ring.producer();
    let consumer = ring.consumer();
    let old = Box::new(orig::SeqRing::<u32, N>::new());
    let old_producer = old.try_producer().expect("fresh ring");
    let old_consumer = old.try_consumer().expect("fresh ring");
    for i in 1..=2 * N as u32 {
        producer.push(i);
        old_producer.push(i);
    }
    assert_eq!(ours(&consumer), orig(&old_consumer));
    let mut push_ours = move |i| {
        producer.push(i);
    };
    let mut push_orig = move |i| {
        old_producer.push(i);
    };
    for round in 1..=3 {
        let a;
        (push_ours, a) = with_pushes(busy, push_ours, || {
            per_call(|| {
                black_box(ours(black_box(&consumer)));
            })
        });
        let b;
        (push_orig, b) = with_pushes(busy, push_orig, || {
            per_call(|| {
                black_box(orig(black_box(&old_consumer)));
            })
        });
        println!(
            "round {round}: ours {a:.2} ns, 0.3.0 {b:.2} ns, ratio {:.2}",
            a / b
        );
    }
}
