//! Property tests: encode → any chunking → decode is the identity; nothing panics on arbitrary
//! bytes; the accounting splits any pattern of ring drops and link losses exactly.

mod common;

use common::{Owned, Sample16, data};
use ph_eventing_wire::accounting::Accountant;
use ph_eventing_wire::decoder::FrameDecoder;
use ph_eventing_wire::encode::{
    DataFields, HelloFields, encode_stream_compact, encode_stream_data, encode_stream_hello,
    max_frame_len,
};
use ph_eventing_wire::frame::FORMAT_VERSION;
use ph_eventing_wire::seq::next_seq;
use ph_eventing_wire::stream::{MAX_STREAMS, StreamDesc, StreamKind};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Item {
    U32 {
        boot: u32,
        seq: u32,
        drops: u32,
        value: u32,
    },
    Struct {
        boot: u32,
        seq: u32,
        drops: u32,
        value: Sample16,
    },
    Hello {
        boot: u32,
        next_seq: u32,
        drops: u32,
    },
}

fn sample() -> impl Strategy<Value = Sample16> {
    (
        any::<u32>(),
        any::<u8>(),
        any::<u8>(),
        any::<i16>(),
        any::<i16>(),
        any::<i16>(),
        -1e6f32..1e6,
    )
        .prop_map(|(t_us, channel, flags, x, y, z, volts)| Sample16 {
            t_us,
            channel,
            flags,
            x,
            y,
            z,
            volts,
        })
}

fn item() -> impl Strategy<Value = Item> {
    prop_oneof![
        (any::<u32>(), 1..=u32::MAX, any::<u32>(), any::<u32>()).prop_map(
            |(boot, seq, drops, value)| Item::U32 {
                boot,
                seq,
                drops,
                value
            }
        ),
        (any::<u32>(), 1..=u32::MAX, any::<u32>(), sample()).prop_map(
            |(boot, seq, drops, value)| Item::Struct {
                boot,
                seq,
                drops,
                value
            }
        ),
        (any::<u32>(), 1..=u32::MAX, any::<u32>()).prop_map(|(boot, next_seq, drops)| {
            Item::Hello {
                boot,
                next_seq,
                drops,
            }
        }),
    ]
}

/// The stream an item goes to, drawn from its other fields: every id, stream 0 (no prefix
/// byte) one time in 64.
fn stream_of(x: u32) -> u8 {
    (x % MAX_STREAMS as u32) as u8
}

/// Names of every length up to the limit, UTF-8 beyond ASCII included.
const NAMES: [&str; 4] = ["", "samples", "état", "a-name-of-exactly-thirty-two-byt"];

fn encode(items: &[Item]) -> (Vec<u8>, Vec<Owned>) {
    let mut wire = Vec::new();
    let mut want = Vec::new();
    let mut buf = [0u8; 256];
    for it in items {
        let frame = match *it {
            Item::U32 {
                boot,
                seq,
                drops,
                value,
            } => {
                // Full frames with all kinds of `skipped`/`dropped` (dropped ≤ skipped).
                let skipped = value % 1000;
                let f = DataFields {
                    seq,
                    ring_drops: drops,
                    skipped,
                    dropped: skipped / 3,
                };
                let stream = stream_of(drops);
                want.push(Owned::Data {
                    stream,
                    boot_tag: (boot & 0x3F) as u8,
                    seq,
                    ring_drops: drops,
                    skipped,
                    dropped: skipped / 3,
                    value: postcard::to_allocvec(&value).unwrap(),
                });
                encode_stream_data(stream, boot, &f, &value, &mut buf[..max_frame_len::<u32>()])
                    .unwrap()
            }
            Item::Struct {
                boot,
                seq,
                drops,
                value,
            } => {
                // Struct values go as compact frames (only the low 6 bits of seq are on the
                // wire; no boot tag, no drops).
                let _ = (boot, drops);
                let stream = stream_of(drops);
                want.push(Owned::Compact {
                    stream,
                    seq_bits: (seq & 0x3F) as u8,
                    value: postcard::to_allocvec(&value).unwrap(),
                });
                encode_stream_compact(stream, seq, &value, &mut buf[..max_frame_len::<Sample16>()])
                    .unwrap()
            }
            Item::Hello {
                boot,
                next_seq,
                drops,
            } => {
                let desc = StreamDesc::new(stream_of(next_seq), NAMES[(drops % 4) as usize])
                    .with_kind(if boot % 2 == 0 {
                        StreamKind::Ring
                    } else {
                        StreamKind::Queue
                    })
                    .of(MAX_STREAMS as u8);
                want.push(Owned::Hello {
                    version: FORMAT_VERSION,
                    boot_id: boot,
                    next_seq,
                    ring_drops: drops,
                    value_max_size: 5,
                    schema: postcard::to_allocvec(<u32 as postcard_schema::Schema>::SCHEMA)
                        .unwrap(),
                    stream: desc.id,
                    streams: desc.streams,
                    kind: desc.kind,
                    name: desc.name.into(),
                });
                let f = HelloFields {
                    boot_id: boot,
                    next_seq,
                    ring_drops: drops,
                };
                encode_stream_hello::<u32>(&f, &desc, &mut buf).unwrap()
            }
        };
        wire.extend_from_slice(frame);
    }
    (wire, want)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn encode_chunk_decode_is_identity(
        items in prop::collection::vec(item(), 0..40),
        cuts in prop::collection::vec(0usize..64, 0..200),
        bytewise in any::<bool>(),
    ) {
        let (wire, want) = encode(&items);
        let mut decoder = FrameDecoder::<256>::new();
        let mut got = Vec::new();
        if bytewise {
            for b in &wire {
                decoder.feed(core::slice::from_ref(b), |f| got.push(Owned::of(f)));
            }
        } else {
            let mut rest = &wire[..];
            for c in cuts.iter().chain(std::iter::repeat(&17)) {
                if rest.is_empty() { break; }
                let (head, tail) = rest.split_at((*c).min(rest.len()));
                decoder.feed(head, |f| got.push(Owned::of(f)));
                rest = tail;
            }
        }
        prop_assert_eq!(got, want);
        prop_assert_eq!(decoder.stats().corrupt(), 0);
    }

    #[test]
    fn decoder_never_panics_and_stays_bounded(
        bytes in prop::collection::vec(any::<u8>(), 0..4096),
        chunk in 1usize..300,
    ) {
        let mut decoder = FrameDecoder::<128>::new();
        let mut acc = Accountant::new();
        let mut n = 0u64;
        for c in bytes.chunks(chunk) {
            decoder.feed(c, |f| {
                n += 1;
                if let Ok(f) = f { let _ = acc.observe(&f); }
            });
        }
        let s = decoder.stats();
        prop_assert_eq!(s.bytes, bytes.len() as u64);
        prop_assert!(s.frames + s.corrupt() + s.unsupported <= n);
    }

    #[test]
    fn damaged_streams_still_decode_the_intact_frames(
        items in prop::collection::vec(item(), 1..30),
        flips in prop::collection::vec((any::<prop::sample::Index>(), 0u8..8), 1..6),
    ) {
        let (mut wire, want) = encode(&items);
        for (at, bit) in &flips {
            let i = at.index(wire.len());
            wire[i] ^= 1 << bit;
        }
        let mut decoder = FrameDecoder::<256>::new();
        let mut got = Vec::new();
        decoder.feed(&wire, |f| got.push(Owned::of(f)));
        // Every good frame that comes out is one that went in (no false accepts in practice:
        // CRC-16 plus COBS structure), in order.
        let mut it = want.iter();
        for g in got.iter().filter(|g| !matches!(g, Owned::Err(_))) {
            prop_assert!(it.any(|w| w == g), "decoded a frame that was never sent: {:?}", g);
        }
    }

    #[test]
    fn session_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let mut s = ph_eventing_wire::session::Session::new();
        let _ = s.feed(&bytes);
    }

    #[test]
    fn schema_and_value_parsers_never_panic(
        schema in prop::collection::vec(any::<u8>(), 0..256),
        value in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        if let Ok(s) = ph_eventing_wire::schema::parse_schema(&schema) {
            let _ = ph_eventing_wire::value::decode_value(&s, &value);
        }
    }

    /// Every sequence number after the first received one is delivered, dropped by the ring or
    /// lost on the link; the accounting must count the last two exactly, across the wrap too.
    #[test]
    fn accounting_splits_every_gap_exactly(
        start in prop_oneof![1u32..1000, (u32::MAX - 300)..=u32::MAX],
        fates in prop::collection::vec(0u8..3, 1..600),
        initial_drops in any::<u32>(),
    ) {
        let mut acc = Accountant::new();
        let mut seq = start;
        let mut drops = initial_drops;
        let (mut want_ring, mut want_link) = (0u64, 0u64);
        let (mut pend_ring, mut pend_link) = (0u64, 0u64);
        // The first frame is always delivered (a reader needs one to start from).
        let _ = acc.observe(&data(1, seq, drops));
        for fate in fates {
            seq = next_seq(seq);
            match fate {
                0 => {
                    let _ = acc.observe(&data(1, seq, drops));
                    want_ring += pend_ring;
                    want_link += pend_link;
                    pend_ring = 0;
                    pend_link = 0;
                }
                1 => { drops = drops.wrapping_add(1); pend_ring += 1; }
                _ => pend_link += 1,
            }
        }
        let t = acc.totals();
        prop_assert_eq!((t.ring_dropped, t.link_lost, t.resets), (want_ring, want_link, 0));
    }
}

/// The streaming decoder against a plain reference: split on `0x00`, undo COBS, parse.
fn reference(bytes: &[u8], max: usize) -> Vec<Owned> {
    use ph_eventing_wire::decoder::decode_one;
    use ph_eventing_wire::frame::{FrameError, parse_frame};
    let mut pieces: Vec<&[u8]> = bytes.split(|&b| b == 0).collect();
    pieces.pop(); // after the last delimiter: not a complete frame yet
    let mut out = Vec::new();
    let mut first = true;
    for piece in pieces {
        let was_first = std::mem::replace(&mut first, false);
        if piece.is_empty() {
            continue;
        }
        let mut raw = vec![0u8; max];
        let r = decode_one(piece, &mut raw)
            .map_err(|e| match e {
                FrameError::Oversized { .. } => FrameError::Oversized { len: piece.len() },
                e => e,
            })
            .and_then(|n| parse_frame(&raw[..n]).map(|f| Owned::of(Ok(f))));
        out.push(match r {
            Err(_) if was_first => Owned::Err(FrameError::LeadingGarbage { len: piece.len() }),
            Err(e) => Owned::Err(e),
            Ok(o) => o,
        });
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn streaming_decoder_matches_the_reference(
        parts in prop::collection::vec(
            prop_oneof![
                item().prop_map(|i| encode(&[i]).0),
                prop::collection::vec(prop_oneof![Just(0u8), any::<u8>()], 0..40),
            ],
            0..30,
        ),
        chunk in 1usize..50,
    ) {
        let bytes = parts.concat();
        let mut decoder = FrameDecoder::<48>::new();
        let mut got = Vec::new();
        for c in bytes.chunks(chunk) {
            decoder.feed(c, |f| got.push(Owned::of(f)));
        }
        prop_assert_eq!(got, reference(&bytes, 48));
    }
}
