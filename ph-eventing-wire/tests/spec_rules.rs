//! One test per host rule of WIRE.md that a decoder written from the spec alone could guess
//! differently: each test names the section it pins, so the spec and the code cannot drift apart.

mod common;

use common::{data, hello};
use ph_eventing_wire::accounting::{Accountant, Event, Totals};
use ph_eventing_wire::decoder::FrameDecoder;
use ph_eventing_wire::encode::{DataFields, encode_data};
use ph_eventing_wire::frame::{Frame, FrameError};
use ph_eventing_wire::session::{Record, Session};

fn run(frames: &[Frame<'_>]) -> (Vec<Vec<Event>>, Totals) {
    let mut acc = Accountant::new();
    let events = frames
        .iter()
        .map(|f| acc.observe(f).into_iter().collect())
        .collect();
    (events, *acc.totals())
}

/// §7.3 TargetReset, reset seen through a hello: the new boot started at seq 1 with no drops,
/// so the numbers before the hello's `next_seq` are a gap of the new boot, split by the hello's
/// `ring_drops` like any other.
#[test]
fn s7_3_reset_seen_through_a_hello_accounts_the_new_boots_start() {
    let (events, totals) = run(&[
        hello(0xA1, 1, 0),
        data(0x21, 1, 0),
        data(0x21, 2, 0),
        // Boot 0xB2's own first hello was lost; its periodic one says 10 items came before.
        hello(0xB2, 11, 4),
    ]);
    assert_eq!(
        events[3],
        [
            Event::TargetReset {
                boot_id: Some(0xB2)
            },
            Event::RingDrop {
                count: 4,
                first_seq: 1,
                last_seq: 10
            },
            Event::LinkLoss {
                count: 6,
                first_seq: 1,
                last_seq: 10
            },
        ]
    );
    assert_eq!(
        (totals.resets, totals.ring_dropped, totals.link_lost),
        (1, 4, 6)
    );
}

/// §7.3 Stale hello: a hello of the current boot whose `next_seq` is behind the stream (and is
/// not `1` with no drops, which would be a restart) is no checkpoint: it changes nothing but
/// counts as inconsistent.
#[test]
fn s7_3_stale_hello_of_the_same_boot_is_ignored_and_counted_inconsistent() {
    let (events, totals) = run(&[
        hello(0xA1, 1, 0),
        data(0x21, 1, 0),
        data(0x21, 50, 0),
        hello(0xA1, 20, 0), // an old hello, delayed
        data(0x21, 51, 0),
    ]);
    assert!(events[3].is_empty(), "{:?}", events[3]);
    assert!(events[4].is_empty(), "{:?}", events[4]);
    assert_eq!(totals.inconsistent, 1);
    assert_eq!(totals.resets, 0);
    // The gap 2..=49 was accounted once, by the data frame.
    assert_eq!(totals.link_lost, 48);
}

/// §7.3 TargetReset, counters: a data frame of the same boot tag whose `ring_drops` grew by more
/// than the numbers missing before it cannot be the same boot; it is a reset, not a clamp.
#[test]
fn s7_3_ring_drops_above_the_gap_in_a_data_frame_is_a_reset() {
    let (events, totals) = run(&[data(7, 100, 0), data(7, 101, 0), data(7, 103, 5)]);
    assert_eq!(events[2][0], Event::TargetReset { boot_id: None });
    assert_eq!(totals.resets, 1);
    // The new boot started at 1 with no drops: 1..=102 hold 5 ring drops, the rest link losses.
    assert_eq!((totals.ring_dropped, totals.link_lost), (5, 102 - 5));
    assert_eq!(totals.inconsistent, 0);
}

/// §7.3 RingDrop / LinkLoss, clamp: at a hello of the same boot, a `ring_drops` that grew by more
/// than the gap is clamped to the gap and counted inconsistent (a hello is no new boot).
#[test]
fn s7_3_ring_drops_above_the_gap_at_a_hello_is_clamped() {
    let (events, totals) = run(&[hello(0xA1, 1, 0), data(0x21, 1, 0), hello(0xA1, 4, 9)]);
    assert_eq!(
        events[2],
        [Event::RingDrop {
            count: 2,
            first_seq: 2,
            last_seq: 3
        }]
    );
    assert_eq!((totals.inconsistent, totals.resets), (1, 0));
}

/// §7.1 The frame limit `MAX` counts the decoded frame with its 2-byte CRC (not the COBS
/// overhead, not the delimiter): a frame of exactly `MAX` decoded bytes passes, one byte more is
/// oversized.
#[test]
fn s7_1_max_counts_the_crc() {
    let mut buf = [0u8; 64];
    let wire = encode_data(1, &DataFields::contiguous(1, 0), &[7u8; 9], &mut buf)
        .unwrap()
        .to_vec();
    let mut raw = [0u8; 64];
    let decoded = ph_eventing_wire::decoder::decode_one(&wire, &mut raw).unwrap();
    // Header, seq, ring_drops, skipped (1 byte each here), the 9-byte value, the CRC.
    assert_eq!(decoded, 4 + 9 + 2);
    let stream = [&[0u8][..], &wire].concat();
    let mut fits = Vec::new();
    FrameDecoder::<15>::new().feed(&stream, |r| fits.push(r.is_ok()));
    let mut too_big = Vec::new();
    FrameDecoder::<14>::new().feed(&stream, |r| {
        too_big.push(matches!(r, Err(FrameError::Oversized { .. })))
    });
    assert_eq!((fits, too_big), (vec![true], vec![true]));
}

/// §7.1 Bytes after the last delimiter are the start of a frame still arriving: the next chunk
/// completes it. At the end of the stream they are no frame and no error (only `bytes` counts
/// them).
#[test]
fn s7_1_bytes_after_the_last_delimiter_wait_for_the_next_chunk() {
    let mut buf = [0u8; 64];
    let frame = encode_data(1, &DataFields::contiguous(1, 0), &42u32, &mut buf)
        .unwrap()
        .to_vec();
    let (head, tail) = frame.split_at(frame.len() / 2);
    let mut session = Session::new();
    assert!(session.feed(&[&[0u8][..], head].concat()).is_empty());
    let records = session.feed(tail);
    assert!(
        matches!(records[..], [Record::Data(ref d)] if d.seq == 1),
        "{records:?}"
    );
    // A cut-off frame at the very end: nothing comes out, nothing is counted as damage.
    assert!(session.feed(head).is_empty());
    assert!(session.finish().is_empty());
    let stats = session.decoder_stats();
    assert_eq!(
        (stats.frames, stats.corrupt(), stats.unsupported),
        (1, 0, 0)
    );
    assert_eq!(stats.bytes as usize, 1 + frame.len() + head.len());
}

/// §6 A `char` travels as postcard writes it: a string of its UTF-8 bytes (varint length first),
/// and the host shows it as a string.
#[test]
fn s6_char_is_a_utf8_string() {
    #[derive(serde::Serialize, postcard_schema::Schema)]
    struct Tagged {
        tag: char,
    }
    let bytes = postcard::to_allocvec(&Tagged { tag: 'é' }).unwrap();
    assert_eq!(bytes, [2, 0xC3, 0xA9]);
    let schema = postcard::to_allocvec(<Tagged as postcard_schema::Schema>::SCHEMA).unwrap();
    let schema = ph_eventing_wire::schema::parse_schema(&schema).unwrap();
    assert_eq!(
        ph_eventing_wire::value::decode_value(&schema, &bytes).unwrap(),
        serde_json::json!({"tag": "é"})
    );
}
