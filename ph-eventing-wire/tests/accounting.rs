//! Every case of the drop accounting: ring drops, link losses, both in one gap, wraps (with and
//! without a gap across them), resets (announced, unannounced, right after a gap), duplicates,
//! hellos as checkpoints, and a reader that joins mid-stream.

mod common;

use common::{account, data, hello, link, ring};
use ph_eventing_wire::accounting::Event;

const MAX: u32 = u32::MAX;

#[test]
fn in_order_stream_has_no_events() {
    let frames: Vec<_> = (1..=50).map(|s| data(5, s, 0)).collect();
    let (events, totals) = account(&frames);
    assert!(events.iter().all(Vec::is_empty));
    assert_eq!(totals.data_frames, 50);
    assert_eq!((totals.ring_dropped, totals.link_lost), (0, 0));
}

#[test]
fn ring_drop_only() {
    let (events, totals) = account(&[data(5, 1199, 0), data(5, 1237, 37)]);
    assert_eq!(events[1], [ring(37, 1200, 1236)]);
    assert_eq!(events[1][0].to_string(), "RING DROP 37 (seq 1200..1236)");
    assert_eq!((totals.ring_dropped, totals.link_lost), (37, 0));
}

#[test]
fn link_loss_only() {
    let (events, totals) = account(&[data(5, 10, 4), data(5, 14, 4)]);
    assert_eq!(events[1], [link(3, 11, 13)]);
    assert_eq!((totals.ring_dropped, totals.link_lost), (0, 3));
}

#[test]
fn mixed_gap_is_split_exactly_even_when_the_frames_carrying_the_drops_were_lost() {
    // Frames 11..=30 never arrived. The ring dropped 5 items somewhere in there (counter 2 → 7),
    // reported on frames the link also lost: the cumulative counter still splits the gap.
    let (events, totals) = account(&[data(5, 10, 2), data(5, 31, 7)]);
    assert_eq!(events[1], [ring(5, 11, 30), link(15, 11, 30)]);
    assert_eq!((totals.ring_dropped, totals.link_lost), (5, 15));
}

#[test]
fn ring_drop_events_count_the_bursts_not_the_items() {
    // Three gaps: 37 ring drops, then 4 link losses only, then 5 ring drops and 2 link losses.
    let (_, totals) = account(&[
        data(5, 100, 0),
        data(5, 138, 37),
        data(5, 143, 37),
        data(5, 151, 42),
    ]);
    assert_eq!(totals.ring_dropped, 37 + 5);
    assert_eq!(totals.ring_drop_events, 2);
    assert_eq!(totals.link_lost, 4 + 2);
}

#[test]
fn wrap_without_gap() {
    let (events, totals) = account(&[
        data(5, MAX - 1, 9),
        data(5, MAX, 9),
        data(5, 1, 9),
        data(5, 2, 9),
    ]);
    assert_eq!(events[2], [Event::SeqWrap]);
    assert!(events[1].is_empty() && events[3].is_empty());
    assert_eq!(
        (
            totals.wraps,
            totals.ring_dropped,
            totals.link_lost,
            totals.resets
        ),
        (1, 0, 0, 0)
    );
}

#[test]
fn wrap_with_gap_across_it() {
    // MAX-2 seen; MAX-1, MAX, 1, 2 missing (2 ring drops, 2 link losses); 3 seen.
    let (events, totals) = account(&[data(5, MAX - 2, MAX), data(5, 3, 1)]);
    assert_eq!(
        events[1],
        [Event::SeqWrap, ring(2, MAX - 1, 2), link(2, MAX - 1, 2)]
    );
    assert_eq!(
        (
            totals.wraps,
            totals.ring_dropped,
            totals.link_lost,
            totals.resets
        ),
        (1, 2, 2, 0)
    );
}

#[test]
fn wrap_where_the_gap_ends_exactly_at_max() {
    let (events, _) = account(&[data(5, MAX - 3, 0), data(5, 1, 3)]);
    assert_eq!(events[1], [Event::SeqWrap, ring(3, MAX - 2, MAX)]);
}

#[test]
fn announced_reset_is_not_a_loss() {
    let (events, totals) = account(&[
        hello(0xAAAA_0001, 1, 0),
        data(0x01, 1, 0),
        data(0x01, 2, 0),
        hello(0xAAAA_0002, 1, 0),
        data(0x02, 1, 0),
    ]);
    assert_eq!(
        events[3],
        [Event::TargetReset {
            boot_id: Some(0xAAAA_0002)
        }]
    );
    assert!(events[4].is_empty());
    assert_eq!(
        (totals.resets, totals.ring_dropped, totals.link_lost),
        (1, 0, 0)
    );
}

#[test]
fn reset_right_after_a_gap() {
    // 11..=15 missing (2 ring drops, 3 link losses), then 16, then the target reboots at once.
    let (events, totals) = account(&[
        hello(0x0000_0101, 1, 0),
        data(0x01, 10, 0),
        data(0x01, 16, 2),
        hello(0x0000_0102, 1, 0),
        data(0x02, 1, 0),
        data(0x02, 2, 0),
    ]);
    assert_eq!(events[1], [link(9, 1, 9)]);
    assert_eq!(events[2], [ring(2, 11, 15), link(3, 11, 15)]);
    assert_eq!(
        events[3],
        [Event::TargetReset {
            boot_id: Some(0x0000_0102)
        }]
    );
    assert!(events[4].is_empty() && events[5].is_empty());
    assert_eq!(
        (totals.resets, totals.ring_dropped, totals.link_lost),
        (1, 2, 12)
    );
}

#[test]
fn reset_right_after_a_gap_whose_hello_was_lost() {
    // The gap is followed directly by a frame of the next boot (other boot tag).
    let (events, totals) = account(&[data(0x01, 10, 0), data(0x02, 5, 1)]);
    // New boot assumed to start at 1: seq 1..=4 missing, 1 dropped by the ring.
    assert_eq!(
        events[1],
        [
            Event::TargetReset { boot_id: None },
            ring(1, 1, 4),
            link(3, 1, 4)
        ]
    );
    assert_eq!(
        (totals.resets, totals.ring_dropped, totals.link_lost),
        (1, 1, 3)
    );
}

#[test]
fn unannounced_reset_with_colliding_boot_tag_is_seen_from_the_sequence() {
    let (events, totals) = account(&[data(0x09, 5000, 3), data(0x09, 1, 0), data(0x09, 2, 0)]);
    assert_eq!(events[1], [Event::TargetReset { boot_id: None }]);
    assert!(events[2].is_empty());
    assert_eq!((totals.resets, totals.link_lost), (1, 0));
}

#[test]
fn unannounced_reset_seen_from_the_drop_counter_going_back() {
    // Sequence went forward, but the drop counter fell: only a new boot does that.
    let (events, totals) = account(&[data(0x09, 10, 50), data(0x09, 400, 0)]);
    assert_eq!(events[1][0], Event::TargetReset { boot_id: None });
    assert_eq!(totals.resets, 1);
}

#[test]
fn duplicated_frames_are_reported_once_and_not_counted() {
    let (events, totals) = account(&[
        data(5, 1, 0),
        data(5, 2, 0),
        data(5, 2, 0),
        data(5, 2, 0),
        data(5, 3, 0),
    ]);
    assert_eq!(events[2], [Event::Duplicate { seq: 2 }]);
    assert_eq!(events[3], [Event::Duplicate { seq: 2 }]);
    assert!(events[4].is_empty());
    assert_eq!(
        (
            totals.data_frames,
            totals.duplicates,
            totals.link_lost,
            totals.resets
        ),
        (3, 2, 0, 0)
    );
}

#[test]
fn duplicated_hello_changes_nothing() {
    let (events, totals) = account(&[hello(77, 1, 0), hello(77, 1, 0), data(77 & 0x3F, 1, 0)]);
    assert!(events.iter().all(Vec::is_empty));
    assert_eq!((totals.hellos, totals.resets), (2, 0));
}

#[test]
fn hello_is_a_checkpoint() {
    // Frames 4..=9 lost; the periodic hello says the sender is at 10 with 2 ring drops.
    let (events, totals) = account(&[data(3, 3, 0), hello(3, 10, 2), data(3, 10, 2)]);
    assert_eq!(events[1], [ring(2, 4, 9), link(4, 4, 9)]);
    assert!(events[2].is_empty());
    assert_eq!((totals.ring_dropped, totals.link_lost), (2, 4));
}

#[test]
fn boot_hello_then_first_frames_dropped_by_the_ring() {
    let (events, _) = account(&[hello(3, 1, 0), data(3, 6, 5)]);
    assert_eq!(events[1], [ring(5, 1, 5)]);
}

#[test]
fn joining_mid_stream_reports_nothing_for_the_unseen_past() {
    let (events, totals) = account(&[data(3, 123_456, 99), data(3, 123_457, 99)]);
    assert!(events.iter().all(Vec::is_empty));
    assert_eq!(
        (totals.ring_dropped, totals.link_lost, totals.resets),
        (0, 0, 0)
    );
}

#[test]
fn stale_hello_is_ignored_and_counted_inconsistent() {
    let (events, totals) = account(&[
        hello(3, 1, 0),
        data(3, 50, 0),
        hello(3, 20, 0),
        data(3, 51, 0),
    ]);
    assert!(events[2].is_empty() && events[3].is_empty());
    assert_eq!(
        (totals.inconsistent, totals.resets, totals.link_lost),
        (1, 0, 49)
    );
}

#[test]
fn event_display() {
    assert_eq!(link(4, 11, 14).to_string(), "LINK LOSS 4 (seq 11..14)");
    assert_eq!(link(1, 9, 9).to_string(), "LINK LOSS 1 (seq 9)");
    assert_eq!(
        Event::SeqWrap.to_string(),
        "SEQ WRAP (u32::MAX -> 1, nothing lost)"
    );
    assert_eq!(
        Event::TargetReset {
            boot_id: Some(0xAB)
        }
        .to_string(),
        "TARGET RESET (new boot 0x000000ab)"
    );
    assert_eq!(Event::Duplicate { seq: 9 }.to_string(), "DUPLICATE (seq 9)");
}
