//! The host rules of WIRE.md that a decoder written from the spec alone could read differently:
//! one test per rule, named after its section (`wire_7_1_…` is section 7.1).

mod common;

use common::{account, data, hello, link, raw_frame, ring};
use ph_eventing_wire::accounting::{Accountant, Event};
use ph_eventing_wire::chain::Placement;
use ph_eventing_wire::decoder::{FrameDecoder, decode_one};
use ph_eventing_wire::encode::{
    DataFields, HelloFields, encode_data, encode_stream_compact, encode_stream_data,
    encode_stream_hello, max_frame_len_for,
};
use ph_eventing_wire::frame::{CompactFrame, DataFrame, Frame, FrameError, boot_tag};
use ph_eventing_wire::schema::parse_schema;
use ph_eventing_wire::session::{Record, SESSION_MAX_FRAME, Session};
use ph_eventing_wire::stream::{StreamDesc, StreamKind};
use ph_eventing_wire::value::{ValueError, decode_value};
use serde_json::json;

/// A full data frame (seq 1, contiguous) whose value is `value_len` bytes of a byte slice, on the
/// wire, and its raw (decoded) length: header, 3 one-byte varints, the value's length varint,
/// the value, the CRC.
fn frame_with_value_of(value_len: usize) -> (Vec<u8>, usize) {
    let value = vec![0xA5u8; value_len];
    let mut buf = vec![0u8; max_frame_len_for(value_len + 5)];
    let frame = encode_data(9, &DataFields::contiguous(1, 0), &value[..], &mut buf)
        .unwrap()
        .to_vec();
    let mut raw = vec![0u8; frame.len()];
    let raw_len = decode_one(&frame, &mut raw).unwrap();
    (frame, raw_len)
}

/// WIRE.md 7.1, rule 1: `MAX` is the decoder's frame limit and counts the decoded bytes of a
/// frame, the CRC included (not the COBS code bytes, not the delimiter).
#[test]
fn wire_7_1_max_counts_the_decoded_bytes_crc_included() {
    let (fits, raw_len) = frame_with_value_of(57);
    assert_eq!(raw_len, 64);
    assert!(
        fits.len() > 64,
        "on the wire it is longer: COBS and the delimiter"
    );
    let (too_long, raw_len) = frame_with_value_of(58);
    assert_eq!(raw_len, 65);
    let mut decoder = FrameDecoder::<64>::new();
    let mut got = Vec::new();
    decoder.feed(&[0], |_| unreachable!("an empty frame is padding"));
    for frame in [&fits, &too_long] {
        decoder.feed(frame, |f| got.push(f.map(|_| ())));
    }
    assert_eq!(got[0], Ok(()));
    assert!(
        matches!(got[1], Err(FrameError::Oversized { .. })),
        "{got:?}"
    );
    assert_eq!(decoder.stats().oversized, 1);
}

/// WIRE.md 7.1, rule 1: a `Session` decodes with a limit of 4096 bytes, the CRC included.
#[test]
fn wire_7_1_a_session_keeps_frames_of_up_to_4096_decoded_bytes() {
    assert_eq!(SESSION_MAX_FRAME, 4096);
    let (fits, raw_len) = frame_with_value_of(4088);
    assert_eq!(raw_len, 4096);
    let (too_long, raw_len) = frame_with_value_of(4089);
    assert_eq!(raw_len, 4097);
    let mut session = Session::new();
    let mut bytes = vec![0];
    bytes.extend(&fits);
    bytes.extend(&too_long);
    let records = session.feed(&bytes);
    assert!(
        matches!(&records[0], Record::Data(d) if d.seq == 1),
        "{:?}",
        records[0]
    );
    assert!(
        matches!(records[1], Record::Rejected(FrameError::Oversized { .. })),
        "{:?}",
        records[1]
    );
    assert_eq!(records.len(), 2);
}

/// WIRE.md 7.1, rule 2: a hello without the `"phEv"` magic is malformed (`BadMagic`), checked
/// before its version.
#[test]
fn wire_7_1_a_hello_without_the_magic_is_malformed() {
    let mut decoder = FrameDecoder::<64>::new();
    let mut bytes = vec![0];
    bytes.extend(raw_frame(&[
        0x81, b'p', b'h', b'E', b'x', 9, 1, 0, 0, 0, 1, 0, 5, 0,
    ]));
    let mut got = Vec::new();
    decoder.feed(&bytes, |f| got.push(f.map(|_| ())));
    assert_eq!(got, [Err(FrameError::BadMagic)]);
    let stats = decoder.stats();
    assert_eq!((stats.malformed, stats.unsupported), (1, 0));
}

/// WIRE.md 7.1, rule 3: the bytes after the last delimiter of a chunk are kept for the next
/// chunk, wherever the chunk ends.
#[test]
fn wire_7_1_bytes_after_the_last_delimiter_wait_for_the_next_chunk() {
    let (frame, _) = frame_with_value_of(3);
    for cut in 0..frame.len() {
        let mut decoder = FrameDecoder::<64>::new();
        let mut frames = 0;
        decoder.feed(&[0], |_| unreachable!());
        decoder.feed(&frame[..cut], |_| frames += 1);
        assert_eq!(frames, 0, "cut at {cut}: the frame has no delimiter yet");
        decoder.feed(&frame[cut..], |f| {
            assert!(
                matches!(f, Ok(Frame::Data(d)) if d.seq == 1),
                "cut at {cut}: {f:?}"
            );
            frames += 1;
        });
        assert_eq!(frames, 1, "cut at {cut}");
    }
}

/// WIRE.md 7.1, rule 3: bytes left without a delimiter when the stream ends are dropped: no
/// record, no error, no count but the bytes.
#[test]
fn wire_7_1_bytes_left_at_the_end_of_the_stream_are_dropped_uncounted() {
    let (frame, _) = frame_with_value_of(3);
    let unterminated = &frame[..frame.len() - 1];
    let mut session = Session::new();
    assert!(session.feed(unterminated).is_empty());
    assert!(session.finish().is_empty());
    let stats = session.decoder_stats();
    assert_eq!(
        (stats.frames, stats.corrupt(), stats.leading_garbage_bytes),
        (0, 0, 0)
    );
    assert_eq!(stats.bytes, unterminated.len() as u64);
}

/// WIRE.md 6: a `char` is the string of its UTF-8 encoding (a length of 1 to 4, then the bytes)
/// and must hold exactly one Unicode scalar value.
#[test]
fn wire_6_a_char_is_one_scalar_value_as_a_utf8_string() {
    use postcard_schema::Schema;
    let schema = parse_schema(&postcard::to_allocvec(<char as Schema>::SCHEMA).unwrap()).unwrap();
    for c in ['a', 'é', '€', '🦀'] {
        let bytes = postcard::to_allocvec(&c).unwrap();
        assert_eq!(bytes[0] as usize, c.len_utf8());
        assert_eq!(decode_value(&schema, &bytes), Ok(json!(c.to_string())));
    }
    // Two characters, or none, are no `char` (postcard itself refuses them too).
    for bad in [&b"\x02ab"[..], b"\x00", b"\x02\xC3"] {
        assert!(postcard::from_bytes::<char>(bad).is_err());
        let got = decode_value(&schema, bad);
        assert!(
            matches!(got, Err(ValueError::Mismatch | ValueError::Truncated)),
            "{bad:02x?}: {got:?}"
        );
    }
    // Map keys of type `char` follow the same rule.
    let map_schema = parse_schema(
        &postcard::to_allocvec(<std::collections::BTreeMap<char, u8> as Schema>::SCHEMA).unwrap(),
    )
    .unwrap();
    assert_eq!(
        decode_value(&map_schema, b"\x01\x01x\x07"),
        Ok(json!({"x": 7}))
    );
    assert_eq!(
        decode_value(&map_schema, b"\x01\x02xy\x07"),
        Err(ValueError::Mismatch)
    );
}

/// WIRE.md 7.3, after a reset: a reset first seen through a hello starts the new boot at `seq` 1
/// with no drops, and the hello's gap up to its `next_seq` is accounted from there.
#[test]
fn wire_7_3_a_reset_seen_through_a_hello_accounts_the_gap_from_seq_1() {
    let (a, b) = (0x0A0A_000A, 0x0B0B_000B);
    let (events, totals) = account(&[
        hello(a, 1, 0),
        data(boot_tag(a), 1, 0),
        data(boot_tag(a), 2, 0),
        // Boot b: its boot hello and its first 499 items never arrived (10 dropped by its ring).
        hello(b, 500, 10),
        data(boot_tag(b), 500, 10),
    ]);
    assert_eq!(
        events[3],
        [
            Event::TargetReset { boot_id: Some(b) },
            ring(10, 1, 499),
            link(489, 1, 499)
        ]
    );
    assert!(events[4].is_empty());
    assert_eq!(
        (totals.resets, totals.ring_dropped, totals.link_lost),
        (1, 10, 489)
    );
    // Its boot hello (`next_seq` 1) reveals nothing.
    let (events, _) = account(&[hello(a, 1, 0), data(boot_tag(a), 1, 0), hello(b, 1, 0)]);
    assert_eq!(events[2], [Event::TargetReset { boot_id: Some(b) }]);
}

/// WIRE.md 7.3, stale hello: a hello of the same boot behind the stream that is not a restart
/// (`next_seq` ≠ 1, or `ring_drops` ≠ 0) is no checkpoint, reveals nothing, is counted
/// inconsistent, and resets `U`.
#[test]
fn wire_7_3_a_stale_hello_is_no_checkpoint_and_is_counted_inconsistent() {
    let id = 0x0300_0003;
    let tag = boot_tag(id);
    for stale in [hello(id, 5, 0), hello(id, 1, 2)] {
        let mut acc = Accountant::new();
        let _ = acc.observe(&hello(id, 1, 0));
        let _ = acc.observe(&data(tag, 10, 0));
        // Two of 11..=14 arrived, but the chain could not place them.
        let _ = acc.observe_unplaced(2);
        assert!(acc.observe(&stale).is_empty(), "{stale:?}");
        // The checkpoint is still 11 (not the hello's): 11..=14 are missing, and after the
        // stale hello none of them counts as arrived unplaced.
        let events: Vec<Event> = acc.observe(&data(tag, 15, 0)).into_iter().collect();
        assert_eq!(events, [link(4, 11, 14)], "{stale:?}");
        let t = acc.totals();
        assert_eq!(
            (t.inconsistent, t.resets, t.unplaced, t.unplaced_in_gaps),
            (1, 0, 2, 0),
            "{stale:?}"
        );
    }
    // With `next_seq` 1 and no drops, the same hello is a restart of the ring: a reset.
    let (events, totals) = account(&[hello(id, 1, 0), data(tag, 10, 0), hello(id, 1, 0)]);
    assert_eq!(events[2], [Event::TargetReset { boot_id: Some(id) }]);
    assert_eq!((totals.resets, totals.inconsistent), (1, 0));
}

/// WIRE.md 7.3, reset on a data frame: a data frame whose `ring_drops` grew by more than its gap
/// (a counter that fell included) is a reset, not a clamped gap.
#[test]
fn wire_7_3_ring_drops_growing_beyond_the_gap_of_a_data_frame_is_a_reset() {
    let (events, totals) = account(&[
        data(5, 100, 5),
        // 101..=149 missing (49 numbers), but 55 more ring drops: another boot with the same tag.
        data(5, 150, 60),
        // The counter falls: another reset.
        data(5, 200, 3),
    ]);
    assert_eq!(
        events[1],
        [
            Event::TargetReset { boot_id: None },
            ring(60, 1, 149),
            link(89, 1, 149)
        ]
    );
    assert_eq!(
        events[2],
        [
            Event::TargetReset { boot_id: None },
            ring(3, 1, 199),
            link(196, 1, 199)
        ]
    );
    assert_eq!((totals.resets, totals.inconsistent), (2, 0));
}

/// WIRE.md 7.3, RingDrop / LinkLoss: the clamp of `d > n` applies where no reset explains it: a
/// hello of the same boot, and the first gap of a new boot (from `seq` 1, no drops).
#[test]
fn wire_7_3_the_clamp_applies_to_a_hello_and_to_the_first_gap_after_a_reset() {
    let id = 0x0300_0003;
    let tag = boot_tag(id);
    // 11..=19 missing (9 numbers), the hello claims 50 ring drops.
    let (events, totals) = account(&[hello(id, 1, 0), data(tag, 10, 0), hello(id, 20, 50)]);
    assert_eq!(events[2], [ring(9, 11, 19)]);
    assert_eq!((totals.inconsistent, totals.resets), (1, 0));
    // A new boot's first frame: seq 5 with 10 ring drops before it, where only 4 numbers are.
    let (events, totals) = account(&[data(5, 100, 0), data(6, 5, 10)]);
    assert_eq!(
        events[1],
        [Event::TargetReset { boot_id: None }, ring(4, 1, 4)]
    );
    assert_eq!((totals.inconsistent, totals.resets), (1, 1));
}

/// WIRE.md 2: a stream prefix is followed by a data frame's header; a prefix before a hello or
/// before nothing, and the prefix of stream 0 (which has none), are malformed.
#[test]
fn wire_2_a_stream_prefix_precedes_a_data_frame_of_streams_1_to_63() {
    let parse = |raw: &[u8]| decode_all_results(&[&[0u8][..], &raw_frame(raw)].concat());
    // Stream 5, compact frame, seq bits 1, value 7: fine.
    assert!(matches!(
        parse(&[0xC5, 0x41, 0x07])[..],
        [Ok(Frame::Compact(c))] if c.stream == 5 && c.seq_bits == 1 && c.value == [7]
    ));
    // Stream 63, full frame.
    assert!(matches!(
        parse(&[0xFF, 0x2A, 0x01, 0x00, 0x00, 0x07])[..],
        [Ok(Frame::Data(d))] if d.stream == 63 && d.seq == 1
    ));
    for raw in [
        &[0xC0, 0x41, 0x07][..], // stream 0 never has a prefix
        &[0xC5, 0x81, 0x70],     // a prefix before a hello
        &[0xC5, 0xC5, 0x41],     // two prefixes
        &[0xC5],                 // a prefix alone
    ] {
        assert_eq!(parse(raw), [Err(FrameError::Malformed)], "{raw:02x?}");
    }
}

/// WIRE.md 7.4, rule 2: a rejected frame breaks every stream's chain (it may have been any
/// stream's), while frames of other streams, and another stream's hello, break none.
#[test]
fn wire_7_4_a_rejected_frame_breaks_every_stream_s_chain_and_nothing_else_does() {
    let frame = |stream, seq: u32, compact: bool| {
        let mut buf = [0u8; 64];
        if compact {
            encode_stream_compact(stream, seq, &seq, &mut buf)
                .unwrap()
                .to_vec()
        } else {
            encode_stream_data(stream, 9, &DataFields::contiguous(seq, 0), &seq, &mut buf)
                .unwrap()
                .to_vec()
        }
    };
    let other_hello = {
        let fields = HelloFields {
            boot_id: 9,
            next_seq: 1,
            ring_drops: 0,
        };
        encode_stream_hello::<u32>(&fields, &StreamDesc::new(2, "c").of(3), &mut [0u8; 96])
            .unwrap()
            .to_vec()
    };
    let placements = |wire: Vec<u8>| -> Vec<(u8, u32, Placement)> {
        let mut session = Session::new();
        let mut records = session.feed(&wire);
        records.extend(session.finish());
        records
            .into_iter()
            .filter_map(|r| match r {
                Record::Data(d) => Some((d.stream, d.seq, d.placement)),
                _ => None,
            })
            .collect()
    };
    // Streams 0 and 1 interleaved, with stream 2's hello between: every compact frame chains.
    let clean = [
        frame(0, 1, false),
        frame(1, 1, false),
        frame(0, 2, true),
        other_hello.clone(),
        frame(1, 2, true),
        frame(0, 3, true),
    ]
    .concat();
    assert!(
        placements(clean)
            .iter()
            .filter(|(_, seq, _)| *seq > 1)
            .all(|(_, _, p)| *p == Placement::Chained)
    );
    // A damaged frame between them: both streams' next compact frames wait for a full frame
    // of their own stream, which places them backwards.
    let damaged = [
        frame(0, 1, false),
        frame(1, 1, false),
        vec![0x03, 0x99, 0x98, 0x00], // rejected: checksum
        frame(0, 2, true),
        frame(1, 2, true),
        frame(1, 3, false),
        frame(0, 3, false),
    ]
    .concat();
    let got = placements(damaged);
    assert!(got.contains(&(0, 2, Placement::Backfilled)), "{got:?}");
    assert!(got.contains(&(1, 2, Placement::Backfilled)), "{got:?}");
}

/// WIRE.md 7.4, rule 3: the gaps a queue counted are refusals, reported as such on its
/// stream, while a ring's on the same link are ring drops.
#[test]
fn wire_7_4_a_queue_s_counted_gaps_are_refusals() {
    let fields = HelloFields {
        boot_id: 9,
        next_seq: 1,
        ring_drops: 0,
    };
    let mut buf = [0u8; 96];
    let mut wire = Vec::new();
    for (desc, seq, drops) in [
        (StreamDesc::new(0, "ring").of(2), 5, 4),
        (
            StreamDesc::new(1, "queue")
                .with_kind(StreamKind::Queue)
                .of(2),
            5,
            4,
        ),
    ] {
        wire.extend(encode_stream_hello::<u32>(&fields, &desc, &mut buf).unwrap());
        wire.extend(
            encode_stream_data(
                desc.id,
                9,
                &DataFields::after(1, 0, seq, drops),
                &1u32,
                &mut buf,
            )
            .unwrap(),
        );
    }
    let mut session = Session::new();
    let events: Vec<(u8, Event)> = session
        .feed(&wire)
        .into_iter()
        .filter_map(|r| match r {
            Record::Data(d) => Some(d.events.into_iter().map(move |e| (d.stream, e))),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(
        events,
        [
            (0, ring(4, 1, 4)),
            (
                1,
                Event::Refused {
                    count: 4,
                    first_seq: 1,
                    last_seq: 4
                }
            )
        ]
    );
    let (ring_t, queue_t) = (
        session.stream(0).unwrap().totals,
        session.stream(1).unwrap().totals,
    );
    assert_eq!((ring_t.ring_dropped, ring_t.refused), (4, 0));
    assert_eq!((queue_t.ring_dropped, queue_t.refused), (0, 4));
    assert_eq!(session.totals().refused_events, 1);
}

/// Every decoder result of `bytes`, borrowed frames turned into owned checks by the caller.
fn decode_all_results(bytes: &[u8]) -> Vec<Result<Frame<'static>, FrameError>> {
    let mut out = Vec::new();
    FrameDecoder::<256>::new().feed(bytes, |r| {
        // Leak the few bytes of a test frame to compare it after the decoder's buffer moved on.
        out.push(r.map(|f| match f {
            Frame::Compact(c) => Frame::Compact(CompactFrame {
                value: Vec::leak(c.value.to_vec()),
                ..c
            }),
            Frame::Data(d) => Frame::Data(DataFrame {
                value: Vec::leak(d.value.to_vec()),
                ..d
            }),
            Frame::Hello(_) => panic!("no hello in these tests"),
        }));
    });
    out
}

/// WIRE.md 7.4, rule 4: a target reset is seen by every stream on its own frames, and every
/// stream starts a new boot there; the session's totals count the one reset once.
#[test]
fn wire_7_4_every_stream_sees_the_reset_and_the_session_counts_it_once() {
    let mut buf = [0u8; 96];
    let mut wire = Vec::new();
    for boot_id in [0x5eed_0001u32, 0x5eed_0002] {
        let fields = HelloFields {
            boot_id,
            next_seq: 1,
            ring_drops: 0,
        };
        for id in [0u8, 1] {
            let desc = StreamDesc::new(id, "s").of(2);
            wire.extend(encode_stream_hello::<u32>(&fields, &desc, &mut buf).unwrap());
            for seq in 1..=3 {
                let f = DataFields::contiguous(seq, 0);
                wire.extend(encode_stream_data(id, boot_id, &f, &seq, &mut buf).unwrap());
            }
        }
    }
    let mut session = Session::new();
    let resets: Vec<u8> = session
        .feed(&wire)
        .into_iter()
        .filter_map(|r| match r {
            Record::Hello(h)
                if h.events.contains(&Event::TargetReset {
                    boot_id: Some(0x5eed_0002),
                }) =>
            {
                Some(h.stream)
            }
            _ => None,
        })
        .collect();
    assert_eq!(resets, [0, 1], "each stream reports the reset");
    for id in [0, 1] {
        let t = session.stream(id).unwrap().totals;
        assert_eq!(
            (t.resets, t.data_frames, t.link_lost),
            (1, 6, 0),
            "stream {id}"
        );
    }
    assert_eq!(session.totals().resets, 1, "one reset of the one target");
    assert_eq!(session.totals().data_frames, 12);
    assert_eq!(session.boot_id(), Some(0x5eed_0002));
}

/// WIRE.md 7.4, rule 3, before the first hello: a queue whose boot hello was lost has its
/// counted gaps taken for ring drops until its first hello says queue; then its totals hold
/// them as refusals.
#[test]
fn wire_7_4_a_queue_heard_before_its_hello_moves_its_gaps_to_refusals() {
    let mut buf = [0u8; 96];
    let mut wire = Vec::new();
    let queue = StreamDesc::new(1, "q").with_kind(StreamKind::Queue).of(2);
    // Its first frames (the boot hello lost): seq 1, then seq 4 after two refusals.
    for (seq, drops) in [(1, 0), (4, 2)] {
        let f = DataFields::after(seq, 0, seq, drops);
        wire.extend(encode_stream_data(1, 9, &f, &seq, &mut buf).unwrap());
    }
    let mut session = Session::new();
    session.feed(&wire);
    let t = session.stream(1).unwrap().totals;
    assert_eq!(
        (t.ring_dropped, t.refused),
        (2, 0),
        "the kind is not known yet"
    );
    // Its periodic hello: a queue.
    let fields = HelloFields {
        boot_id: 9,
        next_seq: 5,
        ring_drops: 2,
    };
    let hello = encode_stream_hello::<u32>(&fields, &queue, &mut buf).unwrap();
    session.feed(hello);
    let t = session.stream(1).unwrap().totals;
    assert_eq!((t.ring_dropped, t.refused, t.refused_events), (0, 2, 1));
    assert_eq!(session.stream(1).unwrap().kind, StreamKind::Queue);
}
