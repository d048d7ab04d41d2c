//! Workloads 1, 2 and 4 of issue 6, every peer in the same run, `T = u32` and `T = [u8; 32]`.
//!
//! - `push_only/*`: push into a ring nobody drains (the interrupt handler's cost when nobody
//!   listens). The overwriting rings overwrite; `rtrb` and `heapless` reject the new item.
//! - `push_only_owned/*`: the same, with each handle owned by the timed loop (a producer pushing
//!   a batch in one function), where `push_only` reaches it through a reference.
//! - `push_drain_1/*`, `push_drain_64/*`: on one thread, push a batch then drain it with each
//!   ring's batch API (`poll_up_to` for ours). Throughput is in items.
//! - `latest_busy/*`: `latest()` while another thread pushes at full speed; `latest_idle/*`: the
//!   same with the producer idle. Only the `ph-eventing` rings and photon-ring have such a call
//!   (photon-ring's `Subscriber::latest` also moves its read cursor to the newest item).
//!
//! `ours` is the `SeqRing` (the stamped ring), `swap` the `SwapRing` (the buffer-swap ring).
//!
//! Run: `cargo bench -p ph-benches --bench rings` (add a filter such as `push_only` to narrow).
//! Workload 3 (two threads) is the `two_threads` bench.

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ph_benches::{CAPACITY, Payload};

/// Workload 1: push only, never drained.
fn push_only<T: Payload>(c: &mut Criterion) {
    let mut g = c.benchmark_group(format!("push_only/{}", T::SLUG));
    g.throughput(Throughput::Elements(1));
    let v = T::from_counter(7);

    let ring = Box::new(ph_eventing::SeqRing::<T, CAPACITY>::new());
    let producer = ring.producer();
    g.bench_function("ours", |b| b.iter(|| producer.push(black_box(v))));

    let ring = Box::new(ph_eventing::SwapRing::<T, CAPACITY>::new());
    let producer = ring.producer();
    g.bench_function("swap", |b| b.iter(|| producer.push(black_box(v))));

    let ring = Box::new(orig::SeqRing::<T, CAPACITY>::new());
    let producer = ring.try_producer().expect("fresh ring");
    g.bench_function("orig-0.3.0", |b| b.iter(|| producer.push(black_box(v))));

    let queue = crossbeam_queue::ArrayQueue::<T>::new(CAPACITY);
    g.bench_function("crossbeam-force_push", |b| {
        b.iter(|| queue.force_push(black_box(v)))
    });

    let (mut publisher, _subscribable) = photon_ring::channel::<T>(CAPACITY);
    g.bench_function("photon-ring", |b| {
        b.iter(|| publisher.publish(black_box(v)))
    });

    let (mut producer, _consumer) = rtrb::RingBuffer::<T>::new(CAPACITY);
    g.bench_function("rtrb", |b| b.iter(|| producer.push(black_box(v)).is_ok()));

    let mut queue = Box::new(heapless::spsc::Queue::<T, { CAPACITY + 1 }>::new());
    let (mut producer, _consumer) = queue.split();
    g.bench_function("heapless", |b| {
        b.iter(|| producer.enqueue(black_box(v)).is_ok())
    });

    {
        use ringbuf::traits::RingBuffer as _;
        let mut ring = ringbuf::HeapRb::<T>::new(CAPACITY);
        g.bench_function("ringbuf-push_overwrite", |b| {
            b.iter(|| ring.push_overwrite(black_box(v)))
        });
    }
    g.finish();
}

/// Workload 1 again with each handle owned by the timed loop: moved out of its `Option` into a
/// local for the loop and back after, so the compiler may keep a handle's own bookkeeping in
/// registers (a producer pushing a batch in one function), where `push_only` reaches every handle
/// through a reference the closure captured (a handle in a `static`, as an interrupt handler has).
fn push_only_owned<T: Payload>(c: &mut Criterion) {
    let mut g = c.benchmark_group(format!("push_only_owned/{}", T::SLUG));
    g.throughput(Throughput::Elements(1));
    let v = T::from_counter(7);

    let ring = Box::new(ph_eventing::SeqRing::<T, CAPACITY>::new());
    let mut producer = Some(ring.producer());
    g.bench_function("ours", |b| {
        b.iter_custom(|n| owned_loop(&mut producer, n, |p| p.push(black_box(v))))
    });

    let ring = Box::new(ph_eventing::SwapRing::<T, CAPACITY>::new());
    let mut producer = Some(ring.producer());
    g.bench_function("swap", |b| {
        b.iter_custom(|n| owned_loop(&mut producer, n, |p| p.push(black_box(v))))
    });

    let ring = Box::new(orig::SeqRing::<T, CAPACITY>::new());
    let mut producer = ring.try_producer();
    g.bench_function("orig-0.3.0", |b| {
        b.iter_custom(|n| owned_loop(&mut producer, n, |p| p.push(black_box(v))))
    });

    let (publisher, _subscribable) = photon_ring::channel::<T>(CAPACITY);
    let mut publisher = Some(publisher);
    g.bench_function("photon-ring", |b| {
        b.iter_custom(|n| owned_loop(&mut publisher, n, |p| p.publish(black_box(v))))
    });

    let (producer, _consumer) = rtrb::RingBuffer::<T>::new(CAPACITY);
    let mut producer = Some(producer);
    g.bench_function("rtrb", |b| {
        b.iter_custom(|n| owned_loop(&mut producer, n, |p| p.push(black_box(v)).is_ok()))
    });

    let mut queue = Box::new(heapless::spsc::Queue::<T, { CAPACITY + 1 }>::new());
    let (producer, _consumer) = queue.split();
    let mut producer = Some(producer);
    g.bench_function("heapless", |b| {
        b.iter_custom(|n| owned_loop(&mut producer, n, |p| p.enqueue(black_box(v)).is_ok()))
    });
    g.finish();
}

/// Times `iters` calls of `push` on the handle, held in a local for the loop.
#[inline(always)]
fn owned_loop<H, R>(
    handle: &mut Option<H>,
    iters: u64,
    mut push: impl FnMut(&mut H) -> R,
) -> Duration {
    let mut h = handle
        .take()
        .expect("the handle is put back after each sample");
    let start = Instant::now();
    for _ in 0..iters {
        black_box(push(&mut h));
    }
    let elapsed = start.elapsed();
    *handle = Some(h);
    elapsed
}

/// Workload 2: push `batch` items, then drain up to `batch` with each ring's batch API.
fn push_drain<T: Payload>(c: &mut Criterion, batch: usize) {
    let mut g = c.benchmark_group(format!("push_drain_{batch}/{}", T::SLUG));
    g.throughput(Throughput::Elements(batch as u64));
    let v = T::from_counter(7);

    let ring = Box::new(ph_eventing::SeqRing::<T, CAPACITY>::new());
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    g.bench_function("ours", |b| {
        b.iter(|| {
            for _ in 0..batch {
                producer.push(black_box(v));
            }
            consumer.poll_up_to(batch, |_, item| {
                black_box(*item);
            })
        })
    });

    let ring = Box::new(ph_eventing::SwapRing::<T, CAPACITY>::new());
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    g.bench_function("swap", |b| {
        b.iter(|| {
            for _ in 0..batch {
                producer.push(black_box(v));
            }
            consumer.poll_up_to(batch, |_, item| {
                black_box(*item);
            })
        })
    });

    let ring = Box::new(orig::SeqRing::<T, CAPACITY>::new());
    let producer = ring.try_producer().expect("fresh ring");
    let mut consumer = ring.try_consumer().expect("fresh ring");
    g.bench_function("orig-0.3.0", |b| {
        b.iter(|| {
            for _ in 0..batch {
                producer.push(black_box(v));
            }
            consumer.poll_up_to(batch, |_, item| {
                black_box(*item);
            })
        })
    });

    let queue = crossbeam_queue::ArrayQueue::<T>::new(CAPACITY);
    g.bench_function("crossbeam-force_push", |b| {
        b.iter(|| {
            for _ in 0..batch {
                queue.force_push(black_box(v));
            }
            for _ in 0..batch {
                let Some(item) = queue.pop() else { break };
                black_box(item);
            }
        })
    });

    let (mut publisher, subscribable) = photon_ring::channel::<T>(CAPACITY);
    let mut subscriber = subscribable.subscribe();
    let mut buf = vec![T::default(); batch];
    g.bench_function("photon-ring", |b| {
        b.iter(|| {
            for _ in 0..batch {
                publisher.publish(black_box(v));
            }
            let n = subscriber.recv_batch(&mut buf);
            for item in &buf[..n] {
                black_box(*item);
            }
        })
    });

    let (mut producer, mut consumer) = rtrb::RingBuffer::<T>::new(CAPACITY);
    g.bench_function("rtrb", |b| {
        b.iter(|| {
            for _ in 0..batch {
                let _ = producer.push(black_box(v));
            }
            let n = consumer.slots().min(batch);
            if let Ok(chunk) = consumer.read_chunk(n) {
                let (x, y) = chunk.as_slices();
                for item in x.iter().chain(y) {
                    black_box(*item);
                }
                chunk.commit_all();
            }
        })
    });

    let mut queue = Box::new(heapless::spsc::Queue::<T, { CAPACITY + 1 }>::new());
    let (mut producer, mut consumer) = queue.split();
    g.bench_function("heapless", |b| {
        b.iter(|| {
            for _ in 0..batch {
                let _ = producer.enqueue(black_box(v));
            }
            for _ in 0..batch {
                let Some(item) = consumer.dequeue() else {
                    break;
                };
                black_box(item);
            }
        })
    });

    {
        use ringbuf::traits::{Consumer as _, RingBuffer as _};
        let mut ring = ringbuf::HeapRb::<T>::new(CAPACITY);
        let mut buf = vec![T::default(); batch];
        g.bench_function("ringbuf-push_overwrite", |b| {
            b.iter(|| {
                for _ in 0..batch {
                    ring.push_overwrite(black_box(v));
                }
                let n = ring.pop_slice(&mut buf);
                for item in &buf[..n] {
                    black_box(*item);
                }
            })
        });
    }
    g.finish();
}

/// Workload 4: `latest()`, with a producer pushing at full speed on another thread (`busy`) or
/// with the ring full and the producer idle.
fn latest<T: Payload>(c: &mut Criterion, busy: bool) {
    let name = if busy { "latest_busy" } else { "latest_idle" };
    let mut g = c.benchmark_group(format!("{name}/{}", T::SLUG));
    g.throughput(Throughput::Elements(1));

    let ring = Box::new(ph_eventing::SeqRing::<T, CAPACITY>::new());
    let producer = ring.producer();
    let consumer = ring.consumer();
    for i in 1..=2 * CAPACITY as u32 {
        producer.push(T::from_counter(i));
    }
    with_producer(
        busy,
        move |i| producer.push(T::from_counter(i)),
        || {
            g.bench_function("ours", |b| b.iter(|| seen(consumer.latest())));
        },
    );

    let ring = Box::new(ph_eventing::SwapRing::<T, CAPACITY>::new());
    let producer = ring.producer();
    let consumer = ring.consumer();
    for i in 1..=2 * CAPACITY as u32 {
        producer.push(T::from_counter(i));
    }
    with_producer(
        busy,
        move |i| producer.push(T::from_counter(i)),
        || {
            g.bench_function("swap", |b| b.iter(|| seen(consumer.latest())));
        },
    );

    let ring = Box::new(orig::SeqRing::<T, CAPACITY>::new());
    let producer = ring.try_producer().expect("fresh ring");
    let consumer = ring.try_consumer().expect("fresh ring");
    for i in 1..=2 * CAPACITY as u32 {
        producer.push(T::from_counter(i));
    }
    with_producer(
        busy,
        move |i| producer.push(T::from_counter(i)),
        || {
            g.bench_function("orig-0.3.0", |b| b.iter(|| seen(consumer.latest_value())));
        },
    );

    let (mut publisher, subscribable) = photon_ring::channel::<T>(CAPACITY);
    let mut subscriber = subscribable.subscribe();
    for i in 1..=2 * CAPACITY as u32 {
        publisher.publish(T::from_counter(i));
    }
    with_producer(
        busy,
        move |i| publisher.publish(T::from_counter(i)),
        || {
            g.bench_function("photon-ring", |b| {
                b.iter(|| seen_value(subscriber.latest()))
            });
        },
    );
    g.finish();
}

/// What a `latest` call returned, as one word for criterion's `black_box`: the same work for
/// every peer, and no copy of each peer's own `Option` layout through the stack (copying a
/// 12-byte `Option<(u32, u32)>` built by three 4-byte stores with one 8-byte load fails
/// store-to-load forwarding, which took more time than the call itself).
#[inline(always)]
fn seen<T: Payload>(latest: Option<(u32, T)>) -> u32 {
    latest.map_or(0, |(seq, v)| seq ^ v.counter())
}

/// [`seen`] of a `latest` that returns the value alone (photon-ring's).
#[inline(always)]
fn seen_value<T: Payload>(latest: Option<T>) -> u32 {
    latest.map_or(0, |v| v.counter())
}

/// Runs `bench`; when `busy`, with `push(1)`, `push(2)`, ... called at full speed on another
/// thread until it returns. `push` owns the producer handle (`Send`, not `Sync`).
fn with_producer<R, P: FnMut(u32) -> R + Send>(busy: bool, mut push: P, bench: impl FnOnce()) {
    if !busy {
        return bench();
    }
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let stop = &stop;
        s.spawn(move || {
            let mut i = 0u32;
            while !stop.load(Ordering::Relaxed) {
                i = i.wrapping_add(1);
                let _ = push(i);
            }
        });
        bench();
        stop.store(true, Ordering::Relaxed);
    });
}

fn all<T: Payload>(c: &mut Criterion) {
    push_only::<T>(c);
    push_only_owned::<T>(c);
    push_drain::<T>(c, 1);
    push_drain::<T>(c, 64);
    latest::<T>(c, false);
    latest::<T>(c, true);
}

fn benches(c: &mut Criterion) {
    all::<u32>(c);
    all::<[u8; 32]>(c);
}

criterion_group! {
    name = rings;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50);
    targets = benches
}
criterion_main!(rings);
