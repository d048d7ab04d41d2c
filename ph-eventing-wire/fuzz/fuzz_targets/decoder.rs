//! Fuzzes everything a host does with untrusted bytes: the streaming decoder (chunked as the
//! first input byte says), the chain that places compact frames, the accounting, hello schemas
//! and schema-driven value decoding, with several streams on one link (wire format version 3;
//! version 2 streams too).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ph_eventing_wire::accounting::Accountant;
use ph_eventing_wire::chain::{Chain, Placed};
use ph_eventing_wire::decoder::FrameDecoder;
use ph_eventing_wire::frame::Frame;
use ph_eventing_wire::session::{Record, Session};

fuzz_target!(|data: &[u8]| {
    let Some((&chunk, stream)) = data.split_first() else { return };
    let chunk = usize::from(chunk).max(1);

    // The no-alloc decoder with a small limit (exercises the oversized path) and the accounting.
    // Frames go to the accounting as they are (a compact frame alone counts as unplaced) and
    // through a chain (which places compact frames) to a second accounting.
    let mut decoder = FrameDecoder::<64>::new();
    let mut accountant = Accountant::new();
    let mut chain = Chain::with_pending_limit(8);
    let mut placed_accountant = Accountant::new();
    let mut frames = 0u64;
    let mut placed_items = 0u64;
    let mut on_placed = |p: Placed<'_>, acc: &mut Accountant| {
        placed_items += match &p {
            Placed::Unplaced { values, .. } => values.len() as u64,
            Placed::Data { .. } | Placed::Hello(_) => 1,
        };
        if let Placed::Data { frame, .. } = &p {
            assert_ne!(frame.seq, 0);
        }
        assert!(acc.observe_placed(&p).len() <= 4);
    };
    for c in stream.chunks(chunk) {
        decoder.feed(c, |f| {
            if let Ok(f) = f {
                frames += 1;
                let events = accountant.observe(&f);
                assert!(events.len() <= 4);
                if let Frame::Data(d) = f {
                    assert_ne!(d.seq, 0);
                    assert!(d.dropped <= d.skipped);
                }
            }
            chain.push(f, |p| on_placed(p, &mut placed_accountant));
        });
    }
    chain.finish(|p| on_placed(p, &mut placed_accountant));
    let s = decoder.stats();
    assert_eq!(s.frames, frames);
    assert_eq!(s.bytes, stream.len() as u64);
    let t = accountant.totals();
    assert_eq!(t.data_frames + t.hellos + t.duplicates + t.unplaced, frames);
    // Every frame comes out of the chain exactly once: placed, a hello, or unplaced.
    assert_eq!(placed_items, frames);
    let t = placed_accountant.totals();
    assert_eq!(t.data_frames + t.hellos + t.duplicates + t.unplaced, frames);
    // A failed sequence-bit check concerns a compact frame (counted once for it, or once for a
    // group of held ones), and the chain, not the accounting, counts it.
    assert!(chain.seq_check_failed() <= frames);
    assert_eq!(t.seq_check_failed, 0);

    // The std session: schemas from hellos, values decoded through them.
    // Several streams: each record names a stream below 64, and the totals of the streams add
    // up to the session's.
    let mut session = Session::new();
    let mut records = 0u64;
    for c in stream.chunks(chunk) {
        session.feed_with(c, |r| {
            records += 1;
            match r {
                Record::Data(d) => {
                    assert!(d.stream < 64);
                    let _ = d.decoded.map(|v| v.map(|v| v.to_string()));
                }
                Record::Hello(h) => {
                    assert!(h.stream < h.streams && h.streams <= 64 && h.name.len() <= 32);
                }
                _ => {}
            }
        });
    }
    // At the end, only frames still waiting to be placed come out, as unplaced.
    let finished = session.finish();
    assert!(finished.iter().all(|r| matches!(r, Record::Unplaced(_))));
    let mut sum = ph_eventing_wire::accounting::Totals::default();
    for view in session.streams() {
        assert!(view.id < 64);
        sum.add(&view.totals);
    }
    assert_eq!(sum, session.totals());

    // The schema parser and value walker on raw halves of the input, no framing needed.
    let (a, b) = stream.split_at(stream.len() / 2);
    if let Ok(schema) = ph_eventing_wire::schema::parse_schema(a) {
        let _ = ph_eventing_wire::value::decode_value(&schema, b);
    }
});
