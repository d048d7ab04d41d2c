//! Fuzzes everything a host does with untrusted bytes: the streaming decoder (chunked as the
//! first input byte says), the accounting, hello schemas and schema-driven value decoding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ph_eventing_wire::accounting::Accountant;
use ph_eventing_wire::decoder::FrameDecoder;
use ph_eventing_wire::frame::Frame;
use ph_eventing_wire::session::{Record, Session};

fuzz_target!(|data: &[u8]| {
    let Some((&chunk, stream)) = data.split_first() else { return };
    let chunk = usize::from(chunk).max(1);

    // The no-alloc decoder with a small limit (exercises the oversized path) and the accounting.
    let mut decoder = FrameDecoder::<64>::new();
    let mut accountant = Accountant::new();
    let mut frames = 0u64;
    for c in stream.chunks(chunk) {
        decoder.feed(c, |f| {
            if let Ok(f) = f {
                frames += 1;
                let events = accountant.observe(&f);
                assert!(events.len() <= 4);
                if let Frame::Data(d) = f {
                    assert_ne!(d.seq, 0);
                }
            }
        });
    }
    let s = decoder.stats();
    assert_eq!(s.frames, frames);
    assert_eq!(s.bytes, stream.len() as u64);
    let t = accountant.totals();
    assert_eq!(t.data_frames + t.hellos + t.duplicates, frames);

    // The std session: schemas from hellos, values decoded through them.
    let mut session = Session::new();
    let mut records = 0u64;
    for c in stream.chunks(chunk) {
        session.feed_with(c, |r| {
            records += 1;
            if let Record::Data(d) = r {
                let _ = d.decoded.map(|v| v.map(|v| v.to_string()));
            }
        });
    }

    // The schema parser and value walker on raw halves of the input, no framing needed.
    let (a, b) = stream.split_at(stream.len() / 2);
    if let Ok(schema) = ph_eventing_wire::schema::parse_schema(a) {
        let _ = ph_eventing_wire::value::decode_value(&schema, b);
    }
});
