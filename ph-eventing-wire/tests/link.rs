//! Several streams on one link: `drain::link::Link`'s policy (queues first, then rings
//! round-robin, at most `max` items per call), and the host's per-stream accounting of what it
//! sends, exact whatever the ring drops, refusals and link damage.

use std::collections::VecDeque;

use ph_eventing::{EventQueue, PollStats, SeqRing, SeqSource};
use ph_eventing_wire::accounting::Event;
use ph_eventing_wire::drain::Drainer;
use ph_eventing_wire::drain::link::{Link, LinkStream, Stream};
use ph_eventing_wire::encode::EncodeError;
use ph_eventing_wire::session::{Record, Session};
use ph_eventing_wire::stream::{StreamDesc, StreamKind};
use proptest::prelude::*;

/// A lossless source for the tests: items with their sequence numbers, refusals as gaps.
#[derive(Default)]
struct Queue {
    items: VecDeque<(u32, u16)>,
    next_seq: u32,
    last_read: u32,
}

impl Queue {
    fn new() -> Self {
        Self {
            next_seq: 1,
            ..Self::default()
        }
    }

    /// Pushes `value`, or refuses it (the sequence number is used up either way).
    fn push(&mut self, value: u16, refuse: bool) {
        if !refuse {
            self.items.push_back((self.next_seq, value));
        }
        self.next_seq += 1;
    }
}

impl SeqSource for Queue {
    type Item = u16;
    const LOSSLESS: bool = true;

    fn poll_up_to(&mut self, max: usize, mut f: impl FnMut(u32, &u16)) -> PollStats {
        let mut stats = PollStats::default();
        while (stats.read as usize) < max {
            let Some((seq, value)) = self.items.pop_front() else {
                break;
            };
            stats.dropped += seq - self.last_read - 1;
            stats.read += 1;
            stats.newest = seq;
            self.last_read = seq;
            f(seq, &value);
        }
        stats
    }
}

const BOOT: u32 = 0x5eed_0003;

fn ring_stream<'r, const N: usize>(
    ring: &'r SeqRing<u32, N>,
    id: u8,
    name: &'static str,
) -> Stream<ph_eventing::Consumer<'r, u32, N>> {
    Stream::new(
        ring.consumer(),
        Drainer::new(BOOT).with_stream(StreamDesc::new(id, name).of(3)),
    )
}

fn queue_stream(queue: Queue) -> Stream<Queue> {
    Stream::new(
        queue,
        Drainer::new(BOOT).with_stream(
            StreamDesc::new(2, "events")
                .with_kind(StreamKind::Queue)
                .of(3),
        ),
    )
}

/// Sink calls of one drain, as (bytes) each.
fn drain(
    link: &mut Link,
    streams: &mut [&mut dyn LinkStream],
    max: usize,
    wire: &mut Vec<Vec<u8>>,
) -> ph_eventing_wire::drain::DrainReport {
    let mut buf = [0u8; 128];
    link.drain(streams, max, &mut buf, |frame| {
        wire.push(frame.to_vec());
        true
    })
    .unwrap()
}

#[test]
fn queues_go_first_and_the_rings_share_what_is_left() {
    let (fast, slow) = (SeqRing::<u32, 64>::new(), SeqRing::<u32, 64>::new());
    for k in 0..10 {
        fast.producer().push(k);
        slow.producer().push(k);
    }
    let mut queue = Queue::new();
    for k in 0..3 {
        queue.push(k, false);
    }
    let (mut a, mut b, mut q) = (
        ring_stream(&fast, 0, "fast"),
        ring_stream(&slow, 1, "slow"),
        queue_stream(queue),
    );
    let mut link = Link::new();
    let mut wire = Vec::new();
    let report = drain(&mut link, &mut [&mut a, &mut b, &mut q], 5, &mut wire);
    assert_eq!(report.stats.read, 5);
    assert_eq!(q.last_report().stats.read, 3, "the queue first, all of it");
    assert_eq!(
        (a.last_report().stats.read, b.last_report().stats.read),
        (1, 1),
        "the rings share the 2 left"
    );
    // Every stream sent its boot hello, and only the first frame of the link has the 0x00.
    assert_eq!(report.hellos, 3);
    assert_eq!(wire.iter().filter(|f| f[0] == 0x00).count(), 1);
    assert_eq!(wire[0][0], 0x00);
}

#[test]
fn a_stream_s_kind_is_its_source_s() {
    let ring = SeqRing::<u32, 8>::new();
    let queue = EventQueue::<u32, 4>::new();
    // Descriptions that say the opposite of what the sources are.
    let desc = |id| StreamDesc::new(id, "s").of(2);
    let r = Stream::new(
        ring.consumer(),
        Drainer::new(BOOT).with_stream(desc(0).with_kind(StreamKind::Queue)),
    );
    let q = Stream::new(queue.consumer(), Drainer::new(BOOT).with_stream(desc(1)));
    assert_eq!(r.drainer().stream().kind, StreamKind::Ring);
    assert_eq!(q.drainer().stream().kind, StreamKind::Queue);
    assert!(!r.is_lossless() && q.is_lossless());
    assert_eq!(
        (q.drainer().stream().id, q.drainer().stream().name),
        (1, "s")
    );
}

#[test]
fn the_ring_that_goes_first_moves_on_every_call() {
    let (x, y) = (SeqRing::<u32, 64>::new(), SeqRing::<u32, 64>::new());
    for k in 0..10 {
        x.producer().push(k);
        y.producer().push(k);
    }
    let (mut a, mut b) = (ring_stream(&x, 0, "x"), ring_stream(&y, 1, "y"));
    let mut link = Link::new();
    let mut wire = Vec::new();
    let mut turns = Vec::new();
    for _ in 0..4 {
        drain(&mut link, &mut [&mut a, &mut b], 1, &mut wire);
        turns.push((a.last_report().stats.read, b.last_report().stats.read));
    }
    assert_eq!(turns, [(1, 0), (0, 1), (1, 0), (0, 1)]);
}

#[test]
fn a_ring_with_little_to_send_leaves_its_share_to_the_next() {
    let (x, y) = (SeqRing::<u32, 64>::new(), SeqRing::<u32, 64>::new());
    x.producer().push(1);
    for k in 0..20 {
        y.producer().push(k);
    }
    let (mut a, mut b) = (ring_stream(&x, 0, "x"), ring_stream(&y, 1, "y"));
    let mut link = Link::new();
    let report = drain(&mut link, &mut [&mut a, &mut b], 10, &mut Vec::new());
    assert_eq!(
        (
            a.last_report().stats.read,
            b.last_report().stats.read,
            report.stats.read
        ),
        (1, 9, 10)
    );
}

#[test]
fn a_buffer_too_small_for_any_stream_is_refused_before_reading() {
    let ring = SeqRing::<u32, 8>::new();
    ring.producer().push(1);
    let mut a = ring_stream(&ring, 0, "x");
    let mut buf = [0u8; 16];
    let err = Link::new()
        .drain(&mut [&mut a], 10, &mut buf, |_| true)
        .unwrap_err();
    assert!(matches!(err, EncodeError::BufferTooSmall { needed } if needed > 16));
    assert_eq!(
        a.source().poll_one_value(),
        Some((1, 1)),
        "nothing was read"
    );
}

/// Three streams through one link for a while: ring drops on the fast ring, refusals on the
/// queue, frames refused by the sink, a corrupted frame. The host's per-stream totals match
/// what each stream's drainer saw, exactly.
#[test]
fn the_host_accounts_every_stream_exactly() {
    let (fast, slow) = (SeqRing::<u32, 16>::new(), SeqRing::<u32, 16>::new());
    let (fast_p, slow_p) = (fast.producer(), slow.producer());
    let (mut a, mut b) = (ring_stream(&fast, 0, "fast"), ring_stream(&slow, 1, "slow"));
    let mut q = queue_stream(Queue::new());
    let mut link = Link::new();
    let mut wire: Vec<u8> = Vec::new();
    let mut buf = [0u8; 128];
    // What each stream read and lost on the target, and what the sink refused, per stream.
    let mut sent = [(0u64, 0u64); 3];
    let mut calls = 0u32;
    let mut corrupted = 0;
    for round in 0..200u32 {
        for k in 0..(5 + round % 23) {
            fast_p.push(round * 100 + k);
        }
        if round.is_multiple_of(10) {
            slow_p.push(round);
        }
        if round.is_multiple_of(7) {
            for k in 0..6 {
                // The queue holds 4 in this model: the rest is refused.
                let full = q.source().items.len() >= 4;
                q.source().push((round + k) as u16, full);
            }
        }
        if round.is_multiple_of(3) {
            // A slow main loop: only every third round drains.
            let report = link
                .drain(&mut [&mut a, &mut b, &mut q], 12, &mut buf, |frame| {
                    calls += 1;
                    if calls.is_multiple_of(97) {
                        return false; // an RTT buffer that was full
                    }
                    let mut frame = frame.to_vec();
                    if calls.is_multiple_of(131) && frame.len() > 4 {
                        frame[2] ^= 0x01; // a bit flips on the link
                        corrupted += 1;
                    }
                    wire.extend_from_slice(&frame);
                    true
                })
                .unwrap();
            assert!(report.stats.read <= 12);
            for (k, stream) in [
                a.last_report().stats,
                b.last_report().stats,
                q.last_report().stats,
            ]
            .into_iter()
            .enumerate()
            {
                sent[k].0 += u64::from(stream.read);
                sent[k].1 += u64::from(stream.dropped);
            }
        }
    }
    assert!(corrupted > 0);
    let mut session = Session::new();
    let mut records = session.feed(&wire);
    records.extend(session.finish());
    let views: Vec<_> = session.streams().collect();
    assert_eq!(
        views
            .iter()
            .map(|v| (v.id, v.name, v.kind))
            .collect::<Vec<_>>(),
        [
            (0, "fast", StreamKind::Ring),
            (1, "slow", StreamKind::Ring),
            (2, "events", StreamKind::Queue)
        ]
    );
    assert_eq!(session.streams_announced(), 3);
    for (view, (read, dropped)) in views.iter().zip(sent) {
        let t = view.totals;
        // Everything the drainer read either arrived (placed or unplaced) or was lost on the link.
        let arrived = t.data_frames + t.unplaced;
        assert_eq!(
            arrived + t.link_lost,
            read,
            "stream {}: {t:?}, read {read}",
            view.name
        );
        let target_lost = if view.kind == StreamKind::Queue {
            assert_eq!(t.ring_dropped, 0);
            t.refused
        } else {
            assert_eq!(t.refused, 0);
            t.ring_dropped
        };
        // A gap at the very end (nothing after it arrived) cannot be seen; here every stream
        // sent more after its last loss.
        assert_eq!(target_lost, dropped, "stream {}: {t:?}", view.name);
    }
    assert!(views[0].totals.ring_dropped > 0);
    assert!(views[2].totals.refused > 0);
    // Refusals are reported on the queue's records, ring drops on the rings'.
    for record in &records {
        if let Record::Data(d) = record {
            for event in &d.events {
                match event {
                    Event::Refused { .. } => assert_eq!(d.stream, 2),
                    Event::RingDrop { .. } => assert_ne!(d.stream, 2),
                    _ => {}
                }
            }
        }
    }
}

/// What one round of the property test does on the target and on the link.
#[derive(Clone, Debug)]
struct Round {
    fast: u8,
    slow: bool,
    events: u8,
    /// Items the main loop drains this round (all streams), if it gets to run.
    drain: Option<u8>,
    /// Of the frames handed to the sink this round: refused (`true`) by the sink, by index.
    refuse: u8,
    /// This round's frame at this index is damaged on the link (rejected by the host).
    damage: u8,
}

fn round() -> impl Strategy<Value = Round> {
    (
        0u8..24,
        any::<bool>(),
        0u8..7,
        prop::option::weighted(0.8, 0u8..17),
        0u8..40,
        0u8..40,
    )
        .prop_map(|(fast, slow, events, drain, refuse, damage)| Round {
            fast,
            slow,
            events,
            drain,
            refuse,
            damage,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any schedule of pushes into two rings and a queue, drains of any size, data frames
    /// refused by the sink and damaged on the link: once every stream has said its last word (a
    /// drain to empty, then its hello, on a clean link), the host's totals of every stream are
    /// exactly what its drainer read and lost.
    #[test]
    fn every_stream_is_accounted_exactly_whatever_the_link_does(
        rounds in prop::collection::vec(round(), 1..60)
    ) {
        let fast = SeqRing::<u32, 8>::new();
        let slow = SeqRing::<u32, 4>::new();
        let queue = EventQueue::<u32, 4>::new();
        let (fast_p, slow_p, queue_p) = (fast.producer(), slow.producer(), queue.producer());
        let desc = |id, name| StreamDesc::new(id, name).of(3);
        let mut a = Stream::new(fast.consumer(), Drainer::new(BOOT).with_stream(desc(0, "fast")));
        let mut b = Stream::new(
            slow.consumer(),
            Drainer::new(BOOT).with_stream(desc(1, "slow")).with_anchor_every(1),
        );
        let mut q = Stream::new(
            queue.consumer(),
            Drainer::new(BOOT).with_stream(desc(2, "events").with_kind(StreamKind::Queue)),
        );
        let mut link = Link::new();
        let mut buf = [0u8; 128];
        let mut wire = Vec::new();
        let mut read = [0u64; 3];
        let mut lost = [0u64; 3];
        let mut value = 0u32;
        let mut drained = false;
        let mut tally = |a: &Stream<_>, b: &Stream<_>, q: &Stream<_>| {
            for (k, stats) in [a.last_report().stats, b.last_report().stats, q.last_report().stats]
                .into_iter()
                .enumerate()
            {
                read[k] += u64::from(stats.read);
                lost[k] += u64::from(stats.dropped);
            }
        };
        for r in &rounds {
            for _ in 0..r.fast {
                value += 1;
                fast_p.push(value);
            }
            if r.slow {
                slow_p.push(value);
            }
            for _ in 0..r.events {
                let _ = queue_p.push(value);
            }
            let Some(max) = r.drain else { continue };
            // The first drain sends the boot hellos, and the link is clean for it: a stream
            // whose boot hello is lost is joined mid-way, and the host cannot know what it lost
            // before its first frame (WIRE.md, section 7.3).
            let first = !std::mem::replace(&mut drained, true);
            let mut handed = 0u8;
            link.drain(&mut [&mut a, &mut b, &mut q], usize::from(max), &mut buf, |frame| {
                handed += 1;
                if first {
                    wire.extend_from_slice(frame);
                    return true;
                }
                if handed == r.refuse {
                    return false;
                }
                if handed == r.damage {
                    // Too short to be a frame: the host rejects it, whatever stream it was.
                    wire.extend_from_slice(&[0x02, 0x07, 0x00]);
                } else {
                    wire.extend_from_slice(frame);
                }
                true
            })
            .unwrap();
            tally(&a, &b, &q);
        }
        // The last word, on a clean link: everything left, then each stream's hello.
        loop {
            let report = link
                .drain(&mut [&mut a, &mut b, &mut q], 16, &mut buf, |f| {
                    wire.extend_from_slice(f);
                    true
                })
                .unwrap();
            tally(&a, &b, &q);
            if report.stats.read == 0 {
                break;
            }
        }
        let mut sink = |f: &[u8]| {
            wire.extend_from_slice(f);
            true
        };
        a.hello(&mut buf, &mut sink).unwrap();
        b.hello(&mut buf, &mut sink).unwrap();
        q.hello(&mut buf, &mut sink).unwrap();

        let mut session = Session::new();
        session.feed(&wire);
        session.finish();
        for id in 0..3u8 {
            let k = usize::from(id);
            let Some(view) = session.stream(id) else {
                // A stream whose every frame was refused or damaged, and that read nothing.
                prop_assert_eq!(read[k], 0);
                continue;
            };
            let t = view.totals;
            prop_assert_eq!(t.data_frames + t.unplaced + t.link_lost, read[k], "stream {} {:?}", id, t);
            let target = if id == 2 { t.refused } else { t.ring_dropped };
            prop_assert_eq!(target, lost[k], "stream {} {:?}", id, t);
            prop_assert_eq!((t.duplicates, t.resets, t.inconsistent), (0, 0, 0), "stream {} {:?}", id, t);
        }
    }
}
