//! The streaming decoder and the firmware drainer, end to end: chunking, joining mid-frame,
//! corruption, oversized frames, and a real `SeqRing` feeding a lossy link.

mod common;

use common::{Owned, SAMPLE, Sample16, decode_all, raw_frame};
use ph_eventing::SeqRing;
use ph_eventing_wire::accounting::{Accountant, Event};
use ph_eventing_wire::chain::Chain;
use ph_eventing_wire::decoder::FrameDecoder;
use ph_eventing_wire::drain::Drainer;
use ph_eventing_wire::encode::{
    DataFields, HelloFields, encode_data, encode_hello, encode_stream_data, max_frame_len,
};
use ph_eventing_wire::frame::{Frame, FrameError};

fn stream_of(seqs: impl IntoIterator<Item = u32>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; max_frame_len::<u32>()];
    for s in seqs {
        out.extend_from_slice(
            encode_data(
                0x11,
                &DataFields::contiguous(s, 0),
                &s.wrapping_mul(2_654_435_761),
                &mut buf,
            )
            .unwrap(),
        );
    }
    out
}

#[test]
fn one_byte_at_a_time_equals_all_at_once() {
    let bytes = stream_of(1..=300);
    let whole = decode_all(&bytes);
    let mut d = FrameDecoder::<64>::new();
    let mut bytewise = Vec::new();
    for b in &bytes {
        d.feed(core::slice::from_ref(b), |f| bytewise.push(Owned::of(f)));
    }
    assert_eq!(whole.len(), 300);
    assert_eq!(whole, bytewise);
    assert_eq!(d.stats().frames, 300);
    assert_eq!(d.stats().bytes, bytes.len() as u64);
}

#[test]
fn reader_starting_mid_frame_resyncs_without_counting_corruption() {
    let bytes = stream_of(1..=5);
    let first_len = bytes.iter().position(|&b| b == 0).unwrap() + 1;
    let mut d = FrameDecoder::<64>::new();
    let mut got = Vec::new();
    d.feed(&bytes[3..], |f| got.push(Owned::of(f)));
    assert_eq!(
        got[0],
        Owned::Err(FrameError::LeadingGarbage { len: first_len - 4 })
    );
    assert!(matches!(got[1], Owned::Data { seq: 2, .. }));
    assert_eq!(got.len(), 5);
    assert_eq!(d.stats().corrupt(), 0);
    assert_eq!(d.stats().leading_garbage_bytes, (first_len - 4) as u64);
}

#[test]
fn reader_starting_exactly_at_a_frame_keeps_it() {
    let got = decode_all(&stream_of(1..=2));
    assert!(matches!(got[0], Owned::Data { seq: 1, .. }));
}

#[test]
fn every_single_bit_flip_is_caught() {
    let frame = stream_of([77]);
    let good = decode_all(&frame);
    for bit in 0..(frame.len() - 1) * 8 {
        let mut bad = frame.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        // Feed a clean frame after it: the decoder must be back in sync.
        bad.extend_from_slice(&frame);
        let mut d = FrameDecoder::<64>::new();
        let mut got = Vec::new();
        d.feed(&[0], |_| {}); // synced: the damaged frame is not leading garbage
        d.feed(&bad, |f| got.push(Owned::of(f)));
        assert_eq!(got.last(), good.last(), "bit {bit}");
        assert!(
            got[..got.len() - 1]
                .iter()
                .all(|o| matches!(o, Owned::Err(_))),
            "bit {bit} slipped through: {got:?}"
        );
        assert!(d.stats().corrupt() >= 1, "bit {bit}");
    }
}

#[test]
fn oversized_frame_is_skipped_and_counted() {
    let mut bytes = vec![0u8];
    bytes.extend(std::iter::repeat_n(0x55, 500));
    bytes.push(0);
    bytes.extend(stream_of([9]));
    let mut d = FrameDecoder::<64>::new();
    let mut got = Vec::new();
    d.feed(&bytes, |f| got.push(Owned::of(f)));
    assert_eq!(got[0], Owned::Err(FrameError::Oversized { len: 500 }));
    assert!(matches!(got[1], Owned::Data { seq: 9, .. }));
    assert_eq!(d.stats().oversized, 1);
}

#[test]
fn garbage_and_padding_between_frames() {
    let mut bytes = vec![0, 0, 0];
    bytes.extend(stream_of([1]));
    bytes.extend([0x12, 0x34, 0x00, 0x00]);
    bytes.extend(stream_of([2]));
    let got = decode_all(&bytes);
    assert!(matches!(got[0], Owned::Data { seq: 1, .. }));
    assert!(matches!(got[1], Owned::Err(_)));
    assert!(matches!(got[2], Owned::Data { seq: 2, .. }));
    assert_eq!(got.len(), 3);
}

#[test]
fn unknown_control_kind_and_version_are_skipped() {
    let frame = raw_frame;
    let mut bytes = vec![0];
    bytes.extend(frame(&[0x82, 1, 2, 3]));
    // A version 1 hello (an old format) and a version 4 one (a newer): both unsupported.
    bytes.extend(frame(&[
        0x81, b'p', b'h', b'E', b'v', 1, 0, 0, 0, 0, 1, 0, 5, 0,
    ]));
    bytes.extend(frame(&[0x81, b'p', b'h', b'E', b'v', 4, 0, 0, 0, 0]));
    bytes.extend(frame(&[0x81, b'n', b'o', b'p', b'e', 1, 0, 0, 0, 0]));
    let got = decode_all(&bytes);
    assert_eq!(
        got,
        [
            Owned::Err(FrameError::UnknownKind(0x82)),
            Owned::Err(FrameError::UnsupportedVersion(1)),
            Owned::Err(FrameError::UnsupportedVersion(4)),
            Owned::Err(FrameError::BadMagic),
        ]
    );
}

#[test]
fn hello_roundtrip_carries_the_schema() {
    let mut buf = [0u8; 256];
    let fields = HelloFields {
        boot_id: 0xFEED_BEEF,
        next_seq: 42,
        ring_drops: 7,
    };
    let wire = encode_hello::<Sample16>(&fields, &mut buf)
        .unwrap()
        .to_vec();
    let got = decode_all(&wire);
    let Owned::Hello {
        boot_id,
        next_seq,
        ring_drops,
        value_max_size,
        schema,
        ..
    } = &got[0]
    else {
        panic!("{got:?}")
    };
    assert_eq!((*boot_id, *next_seq, *ring_drops), (0xFEED_BEEF, 42, 7));
    assert_eq!(
        *value_max_size as usize,
        <Sample16 as postcard::experimental::max_size::MaxSize>::POSTCARD_MAX_SIZE
    );
    let expected = postcard::to_allocvec(<Sample16 as postcard_schema::Schema>::SCHEMA).unwrap();
    assert_eq!(schema, &expected);
}

#[test]
fn struct_values_roundtrip() {
    let mut buf = [0u8; max_frame_len::<Sample16>()];
    let wire = encode_data(1, &DataFields::contiguous(5, 0), &SAMPLE, &mut buf)
        .unwrap()
        .to_vec();
    let Owned::Data { value, .. } = &decode_all(&wire)[0] else {
        panic!()
    };
    assert_eq!(postcard::from_bytes::<Sample16>(value).unwrap(), SAMPLE);
}

#[test]
fn small_buffers_are_refused_not_overrun() {
    let worst = DataFields {
        seq: u32::MAX,
        ring_drops: u32::MAX,
        skipped: u32::MAX,
        dropped: u32::MAX,
    };
    // The worst case is a frame of a stream with a prefix byte: it must fail in a buffer one
    // byte short; an error, never a panic, for every shorter buffer.
    let mut small = [0u8; max_frame_len::<u32>() - 1];
    assert!(encode_stream_data(63, 1, &worst, &u32::MAX, &mut small).is_err());
    let mut exact = [0u8; max_frame_len::<u32>()];
    assert!(encode_stream_data(63, 1, &worst, &u32::MAX, &mut exact).is_ok());
    for n in 0..40 {
        let mut b = vec![0u8; n];
        let _ = encode_data(1, &worst, &u32::MAX, &mut b);
        let _ = ph_eventing_wire::encode::encode_compact(1, &u32::MAX, &mut b);
        let _ = encode_hello::<Sample16>(
            &HelloFields {
                boot_id: 1,
                next_seq: 1,
                ring_drops: 0,
            },
            &mut b,
        );
    }
}

#[test]
fn max_frame_len_fits_every_value_size() {
    for n in 0..1200usize {
        let value = vec![0xA5u8; n];
        // A byte slice serializes as a varint length plus the bytes.
        let value_max = postcard::experimental::serialized_size(&value[..]).unwrap();
        let len = ph_eventing_wire::encode::max_frame_len_for(value_max);
        let mut buf = vec![0u8; len];
        let worst = DataFields {
            seq: u32::MAX,
            ring_drops: u32::MAX,
            skipped: u32::MAX,
            dropped: u32::MAX,
        };
        let frame = encode_data(0, &worst, &value[..], &mut buf)
            .unwrap_or_else(|e| panic!("value of {n} bytes in {len}: {e}"));
        assert!(frame.len() <= len);
        let mut raw = vec![0u8; len];
        let raw_len = ph_eventing_wire::decoder::decode_one(frame, &mut raw).unwrap();
        let parsed = ph_eventing_wire::frame::parse_frame(&raw[..raw_len]);
        assert!(
            matches!(parsed, Ok(Frame::Data(d)) if d.seq == u32::MAX),
            "{n}"
        );
    }
}

/// The real ring, lapped by its producer, drained into a link that refuses some frames (an RTT
/// buffer in `NoBlockSkip` mode that is full): the host's split of every gap must match what
/// happened, and every value must arrive with its own sequence number.
#[test]
fn ring_to_lossy_link_accounting_is_exact() {
    let ring = SeqRing::<u32, 16>::starting_at(u32::MAX - 500);
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    let mut drainer = Drainer::new(0xABCD_0001)
        .with_first_seq(u32::MAX - 500)
        .with_hello_every(50);
    let mut buf = [0u8; Drainer::buffer_needed::<u32>()];
    let mut link = Vec::new();
    let mut ring_dropped = 0u64;
    let mut sent_frames = 0u64;
    let mut lost_frames = 0u64;
    let mut x: u32 = 12345; // xorshift: deterministic "randomness"
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x
    };
    let mut pushed = std::collections::HashMap::new();
    for round in 0..400 {
        let pushes = rnd() % 40;
        for _ in 0..pushes {
            let seq = producer.push(round);
            pushed.insert(seq, round);
        }
        let report = drainer
            .drain(&mut consumer, (rnd() % 24) as usize, &mut buf, |frame| {
                // Refuse about one frame in 9, hellos included. (The boot tag is 1, so a data
                // frame's header byte, right after the first COBS code, has bit 7 clear; only the
                // boot hello starts with a 0x00, its delimiter in front.)
                if rnd() % 9 == 0 {
                    let data = frame[0] != 0 && frame[1] & 0x80 == 0;
                    lost_frames += u64::from(data);
                    false
                } else {
                    link.extend_from_slice(frame);
                    true
                }
            })
            .unwrap();
        ring_dropped += u64::from(report.stats.dropped);
        sent_frames += u64::from(report.frames);
    }
    // One more item, and drain the rest into a link that takes everything, so the last frame
    // closes every gap (the random rounds may end on a refused frame).
    let last_seq = producer.push(400);
    pushed.insert(last_seq, 400);
    loop {
        let r = drainer
            .drain(&mut consumer, 64, &mut buf, |f| {
                link.extend_from_slice(f);
                true
            })
            .unwrap();
        ring_dropped += u64::from(r.stats.dropped);
        sent_frames += u64::from(r.frames);
        if r.stats.read == 0 {
            break;
        }
    }
    let mut decoder = FrameDecoder::<256>::new();
    let mut chain = Chain::new();
    let mut acc = Accountant::new();
    let mut wraps = 0;
    let mut received = 0u64;
    let mut last_received = 0;
    decoder.feed(&link, |f| {
        let f = f.expect("the link refuses frames but never corrupts them");
        chain.push(Ok(f), |placed| {
            if let ph_eventing_wire::chain::Placed::Data { frame, .. } = &placed {
                received += 1;
                last_received = frame.seq;
                // Each value is the round it was pushed in: it must come with its own seq.
                let value: u32 = postcard::from_bytes(frame.value).unwrap();
                assert_eq!(Some(&value), pushed.get(&frame.seq), "seq {}", frame.seq);
            }
            for e in acc.observe_placed(&placed) {
                assert!(
                    !matches!(
                        e,
                        Event::TargetReset { .. }
                            | Event::Duplicate { .. }
                            | Event::Unplaced { .. }
                    ),
                    "{e:?}"
                );
                wraps += usize::from(e == Event::SeqWrap);
            }
        });
    });
    let t = acc.totals();
    assert_eq!(last_received, last_seq);
    assert_eq!(wraps, 1);
    assert!(
        lost_frames > 10 && ring_dropped > 10,
        "the test must exercise both: {lost_frames} {ring_dropped}"
    );
    assert_eq!(t.ring_dropped, ring_dropped);
    assert_eq!(t.link_lost, lost_frames);
    assert_eq!(received, sent_frames - lost_frames);
    assert_eq!(t.data_frames, received);
    assert_eq!(decoder.stats().corrupt(), 0);
    assert_eq!(t.inconsistent, 0);
    assert_eq!(t.unplaced, 0);
}

#[test]
fn drainer_sends_hellos_on_schedule_and_counts_like_the_ring() {
    let ring = SeqRing::<u32, 4>::new();
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    let mut drainer = Drainer::new(9).with_hello_every(3);
    let mut buf = [0u8; Drainer::buffer_needed::<u32>()];
    let mut wire = Vec::new();
    let mut dropped = 0;
    let mut hellos = 0;
    for round in 0..20u32 {
        for v in 0..(round % 7) {
            producer.push(v);
        }
        let r = drainer
            .drain(&mut consumer, 2, &mut buf, |f| {
                wire.extend_from_slice(f);
                true
            })
            .unwrap();
        dropped += r.stats.dropped;
        hellos += r.hellos;
    }
    assert_eq!(drainer.ring_drops(), dropped);
    assert!(dropped > 0);
    let mut decoder = FrameDecoder::<64>::new();
    let mut chain = Chain::new();
    let mut acc = Accountant::new();
    let (mut seen_hellos, mut data) = (0, 0);
    let mut previous_was_hello = false;
    decoder.feed(&wire, |f| {
        let f = f.unwrap();
        match f {
            Frame::Hello(_) => seen_hellos += 1,
            Frame::Data(_) => data += 1,
            Frame::Compact(_) => {
                assert!(!previous_was_hello, "a compact frame right after a hello");
                data += 1;
            }
        }
        previous_was_hello = matches!(f, Frame::Hello(_));
        chain.push(Ok(f), |placed| {
            assert!(
                acc.observe_placed(&placed)
                    .iter()
                    .all(|e| matches!(e, Event::RingDrop { .. }))
            );
        });
    });
    assert_eq!(seen_hellos, hellos);
    // One at boot, then one before every third data frame after it.
    assert_eq!(hellos, 1 + (data - 1) / 3);
    assert_eq!(acc.totals().ring_dropped, u64::from(dropped));
}

#[test]
fn drainer_refuses_a_small_buffer_before_reading() {
    let ring = SeqRing::<Sample16, 4>::new();
    ring.producer().push(SAMPLE);
    let mut consumer = ring.consumer();
    let mut drainer = Drainer::new(1);
    let mut buf = [0u8; 40]; // fits a data frame, not the hello with its schema
    let err = drainer
        .drain(&mut consumer, 4, &mut buf, |_| {
            panic!("nothing may be sent")
        })
        .unwrap_err();
    assert!(
        matches!(err, ph_eventing_wire::encode::EncodeError::BufferTooSmall { needed } if needed > 40)
    );
    assert!(err.to_string().contains("at least"));
    let mut big = [0u8; 160];
    let r = drainer.drain(&mut consumer, 4, &mut big, |_| true).unwrap();
    assert_eq!(
        (r.frames, r.stats.read),
        (1, 1),
        "the item was still in the ring"
    );
}

/// The drainer hands its sink one whole frame per call: the boot hello carries the boot-time
/// `0x00` in front of it (WIRE.md, section 1), in the same call, and no call is a lone delimiter.
#[test]
fn every_sink_call_of_the_drainer_is_one_whole_frame() {
    let ring = SeqRing::<u32, 8>::new();
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    let mut drainer = Drainer::new(0x0DD_F00D).with_hello_every(5);
    let mut buf = [0u8; Drainer::buffer_needed::<u32>()];
    let mut calls: Vec<Vec<u8>> = Vec::new();
    for round in 0..6u32 {
        for v in 0..round * 3 {
            producer.push(v);
        }
        drainer
            .drain(&mut consumer, 4, &mut buf, |frame| {
                calls.push(frame.to_vec());
                true
            })
            .unwrap();
    }
    assert!(calls.len() > 10);
    for (i, call) in calls.iter().enumerate() {
        // One frame: ends with its delimiter, no other 0x00 inside (the first may lead with one).
        let body = if i == 0 { &call[1..] } else { &call[..] };
        assert_eq!(
            body.iter().position(|&b| b == 0),
            Some(body.len() - 1),
            "call {i}"
        );
        let frames = decode_all(call);
        assert!(
            matches!(
                frames[..],
                [Owned::Data { .. } | Owned::Compact { .. } | Owned::Hello { .. }]
            ),
            "call {i}: {frames:?}"
        );
    }
    assert_eq!(
        calls[0][0], 0x00,
        "the boot hello starts with the delimiter"
    );
    assert!(matches!(decode_all(&calls[0])[..], [Owned::Hello { .. }]));
}
