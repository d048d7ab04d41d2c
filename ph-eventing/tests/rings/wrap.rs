// The body of `tests/wrap.rs`, compiled once per ring (`Ring` is `SeqRing` or `SwapRing`).

#[test]
#[ignore = "4.3 billion pushes: run in release mode (scripts/checks/10-ring.sh)"]
fn sequence_wraps_after_u32_max_pushes() {
    let ring = Ring::<u32, N>::new();
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    let (mut read, mut dropped, mut pushes) = (0u64, 0u64, 0u64);
    let mut next = 1u32;
    let push = |pushes: &mut u64, next: &mut u32| {
        assert_eq!(producer.push(*next), *next);
        *pushes += 1;
        *next = if *next == u32::MAX { 1 } else { *next + 1 };
    };

    // Phase 1, lagging: up to seq u32::MAX - 200, draining every 2^20 pushes; each drain gets
    // exactly the newest N items and counts the rest as dropped.
    while pushes < u64::from(u32::MAX) - 200 {
        let chunk = (1u64 << 20).min(u64::from(u32::MAX) - 200 - pushes);
        for _ in 0..chunk {
            push(&mut pushes, &mut next);
        }
        let (r, d, _, last) = drain(&mut consumer);
        assert_eq!(last, Some(pushes as u32), "the newest item is delivered");
        assert_eq!(r, chunk.min(N as u64));
        read += r;
        dropped += d;
    }
    assert_eq!(read + dropped, pushes);

    // Phase 2, in order across the wrap: one push, one poll, 400 times (seq MAX-199 .. 200).
    for _ in 0..400 {
        push(&mut pushes, &mut next);
        let mut got = None;
        let stats = consumer.poll_one(|seq, v| got = Some((seq, *v)));
        let want = if pushes <= u64::from(u32::MAX) {
            pushes as u32
        } else {
            (pushes - u64::from(u32::MAX)) as u32
        };
        assert_eq!(got, Some((want, want)));
        assert_eq!((stats.read, stats.dropped, stats.newest), (1, 0, want));
        assert_eq!(consumer.latest(), Some((want, want)));
        read += 1;
    }
    assert_eq!(next, 201, "wrapped: u32::MAX was followed by 1");

    // Phase 3, lagging across the wrap again is covered by `starting_at` tests; here the consumer
    // lags by 3N after the wrap and must skip exactly 2N.
    for _ in 0..3 * N {
        push(&mut pushes, &mut next);
    }
    let (r, d, first, last) = drain(&mut consumer);
    assert_eq!((r, d), (N as u64, 2 * N as u64));
    assert_eq!(first, Some(201 + 2 * N as u32));
    assert_eq!(last, Some(200 + 3 * N as u32));
    read += r;
    dropped += d;
    assert_eq!(
        read + dropped,
        pushes,
        "every push read once or counted as dropped once"
    );
}
