//! Several streams on one link: `drain::link::Link`'s policy (queues first, then rings
//! round-robin, at most `max` items per call), and the host's per-stream accounting of what it
//! sends, exact whatever the ring drops, refusals and link damage.

use std::collections::VecDeque;

use ph_eventing::{PollStats, SeqRing, SeqSource};
use ph_eventing_wire::accounting::Event;
use ph_eventing_wire::drain::Drainer;
use ph_eventing_wire::drain::link::{Link, LinkStream, Stream};
use ph_eventing_wire::encode::EncodeError;
use ph_eventing_wire::session::{Record, Session};
use ph_eventing_wire::stream::{StreamDesc, StreamKind};

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
