//! Workload 1 (push into a ring nobody drains) as one `#[inline(never)]` loop per peer, for
//! counting instructions per push with callgrind, which is repeatable where wall time on a shared
//! machine is not:
//!
//! ```text
//! cargo bench -p ph-benches --no-run
//! valgrind --tool=callgrind --callgrind-out-file=push.cg <the push_instructions bench binary> u32
//! callgrind_annotate --inclusive=yes push.cg | grep push_instructions::
//! ```
//!
//! (the word `u32`, `bytes32` or `floor` selects one item type or the swap floor). Each loop runs
//! twice, warm-up then measured, [`PUSHES`] pushes each, so instructions per push is the
//! function's inclusive count divided by `2 * PUSHES`. Run normally, it prints wall-clock
//! nanoseconds per push (a rough cross-check, not the reported figure).

use std::hint::black_box;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use ph_benches::{CAPACITY, Payload};

/// Pushes per measured loop.
const PUSHES: u32 = 1_000_000;

#[inline(never)]
fn ours<T: Payload>(p: &ph_eventing::Producer<'_, T, CAPACITY>, v: T) {
    for _ in 0..PUSHES {
        black_box(p.push(black_box(v)));
    }
}

/// The handle taken and dropped around the loop, so the loop owns it (the compiler may keep its
/// bookkeeping in registers).
#[inline(never)]
fn ours_owned<T: Payload>(ring: &ph_eventing::SeqRing<T, CAPACITY>, v: T) {
    let p = ring.producer();
    for _ in 0..PUSHES {
        black_box(p.push(black_box(v)));
    }
}

/// rtrb's handle moved into the loop and back out.
#[inline(never)]
fn rtrb_owned<T: Payload>(mut p: rtrb::Producer<T>, v: T) -> rtrb::Producer<T> {
    for _ in 0..PUSHES {
        black_box(p.push(black_box(v)).is_ok());
    }
    p
}

#[inline(never)]
fn swap<T: Payload>(p: &ph_eventing::SwapProducer<'_, T, CAPACITY>, v: T) {
    for _ in 0..PUSHES {
        black_box(p.push(black_box(v)));
    }
}

#[inline(never)]
fn orig<T: Payload>(p: &orig::seq_ring::Producer<'_, T, CAPACITY>, v: T) {
    for _ in 0..PUSHES {
        black_box(p.push(black_box(v)));
    }
}

#[inline(never)]
fn crossbeam<T: Payload>(q: &crossbeam_queue::ArrayQueue<T>, v: T) {
    for _ in 0..PUSHES {
        black_box(q.force_push(black_box(v)));
    }
}

#[inline(never)]
fn photon<T: Payload>(p: &mut photon_ring::Publisher<T>, v: T) {
    for _ in 0..PUSHES {
        p.publish(black_box(v));
    }
}

#[inline(never)]
fn rtrb<T: Payload>(p: &mut rtrb::Producer<T>, v: T) {
    for _ in 0..PUSHES {
        black_box(p.push(black_box(v)).is_ok());
    }
}

#[inline(never)]
fn heapless<T: Payload>(p: &mut heapless::spsc::Producer<'_, T>, v: T) {
    for _ in 0..PUSHES {
        black_box(p.enqueue(black_box(v)).is_ok());
    }
}

#[inline(never)]
fn ringbuf<T: Payload>(r: &mut ringbuf::HeapRb<T>, v: T) {
    use ringbuf::traits::RingBuffer as _;
    for _ in 0..PUSHES {
        black_box(r.push_overwrite(black_box(v)));
    }
}

/// The floor of any design that hands buffers over with one atomic read-modify-write per push
/// (the `SwapRing`, ph-eventing 0.3.0): a bare `AtomicU32::swap(AcqRel)` (a locked `xchg` on
/// x86).
#[inline(never)]
fn swap_floor(a: &AtomicU32) {
    for i in 0..PUSHES {
        black_box(a.swap(black_box(i), Ordering::AcqRel));
    }
}

/// Runs `f` twice (warm-up, then measured) and prints the wall-clock time per push.
fn timed(name: &str, mut f: impl FnMut()) {
    f();
    let t = Instant::now();
    f();
    let ns = t.elapsed().as_secs_f64() * 1e9 / f64::from(PUSHES);
    println!("{name:<40} {ns:6.2} ns/push (wall clock)");
}

fn run<T: Payload>() {
    let v = T::from_counter(7);
    let ring = Box::new(ph_eventing::SeqRing::<T, CAPACITY>::new());
    let p = ring.producer();
    timed(&format!("ours/{}", T::SLUG), || ours(&p, v));
    drop(p);
    timed(&format!("ours-owned/{}", T::SLUG), || ours_owned(&ring, v));

    let ring = Box::new(ph_eventing::SwapRing::<T, CAPACITY>::new());
    let p = ring.producer();
    timed(&format!("swap/{}", T::SLUG), || swap(&p, v));

    let ring = Box::new(orig::SeqRing::<T, CAPACITY>::new());
    let p = ring.try_producer().expect("fresh ring");
    timed(&format!("orig-0.3.0/{}", T::SLUG), || orig(&p, v));

    let q = crossbeam_queue::ArrayQueue::<T>::new(CAPACITY);
    timed(&format!("crossbeam-force_push/{}", T::SLUG), || {
        crossbeam(&q, v)
    });

    let (mut p, _s) = photon_ring::channel::<T>(CAPACITY);
    timed(&format!("photon-ring/{}", T::SLUG), || photon(&mut p, v));

    let (mut p, _c) = rtrb::RingBuffer::<T>::new(CAPACITY);
    timed(&format!("rtrb/{}", T::SLUG), || rtrb(&mut p, v));
    let mut p = Some(p);
    timed(&format!("rtrb-owned/{}", T::SLUG), || {
        p = Some(rtrb_owned(p.take().expect("handle"), v));
    });

    let mut q = Box::new(heapless::spsc::Queue::<T, { CAPACITY + 1 }>::new());
    let (mut p, _c) = q.split();
    timed(&format!("heapless/{}", T::SLUG), || heapless(&mut p, v));

    let mut r = ringbuf::HeapRb::<T>::new(CAPACITY);
    timed(&format!("ringbuf-push_overwrite/{}", T::SLUG), || {
        ringbuf(&mut r, v)
    });
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--test") {
        return; // `cargo test --benches`: nothing to check here.
    }
    // Words select what runs (`u32`, `bytes32`, `floor`); none: everything.
    let words: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let wants = |w: &str| words.is_empty() || words.contains(&w);
    if wants(<u32 as Payload>::SLUG) {
        run::<u32>();
    }
    if wants(<[u8; 32] as Payload>::SLUG) {
        run::<[u8; 32]>();
    }
    if wants("floor") {
        let a = AtomicU32::new(0);
        timed("floor: one AtomicU32::swap(AcqRel)", || swap_floor(&a));
    }
}
