//! Helpers shared by the integration tests: the sample struct, owned copies of decoded frames,
//! frames built by hand, frames to feed the accounting directly, and the golden-file check.
#![allow(dead_code)]

use std::path::Path;

use ph_eventing_wire::accounting::{Accountant, Event, Totals};
use ph_eventing_wire::checksum::crc16;
use ph_eventing_wire::decoder::FrameDecoder;
use ph_eventing_wire::frame::{CompactFrame, DataFrame, FORMAT_VERSION, Frame, FrameError, Hello};
use ph_eventing_wire::stream::StreamKind;
use postcard::experimental::max_size::MaxSize;
use serde::{Deserialize, Serialize};

/// A 16-byte telemetry sample (its in-memory size), the struct case of the frame-size report.
/// Plain data without padding (`repr(C)`, `NoUninit`), so a `SeqRing` holds it.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Serialize,
    Deserialize,
    MaxSize,
    postcard_schema::Schema,
    bytemuck::NoUninit,
)]
#[repr(C)]
pub struct Sample16 {
    pub t_us: u32,
    pub channel: u8,
    pub flags: u8,
    pub x: i16,
    pub y: i16,
    pub z: i16,
    pub volts: f32,
}

pub const SAMPLE: Sample16 = Sample16 {
    t_us: 1_234_567,
    channel: 3,
    flags: 0b101,
    x: -120,
    y: 45,
    z: 1000,
    volts: 3.3,
};

/// An owned copy of a decoded frame, for comparisons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owned {
    Data {
        stream: u8,
        boot_tag: u8,
        seq: u32,
        ring_drops: u32,
        skipped: u32,
        dropped: u32,
        value: Vec<u8>,
    },
    Compact {
        stream: u8,
        seq_bits: u8,
        value: Vec<u8>,
    },
    Hello {
        version: u8,
        boot_id: u32,
        next_seq: u32,
        ring_drops: u32,
        value_max_size: u32,
        schema: Vec<u8>,
        stream: u8,
        streams: u8,
        kind: StreamKind,
        name: String,
    },
    Err(FrameError),
}

impl Owned {
    pub fn of(r: Result<Frame<'_>, FrameError>) -> Self {
        match r {
            Ok(Frame::Data(DataFrame {
                stream,
                boot_tag,
                seq,
                ring_drops,
                skipped,
                dropped,
                value,
            })) => Self::Data {
                stream,
                boot_tag,
                seq,
                ring_drops,
                skipped,
                dropped,
                value: value.to_vec(),
            },
            Ok(Frame::Compact(CompactFrame {
                stream,
                seq_bits,
                value,
            })) => Self::Compact {
                stream,
                seq_bits,
                value: value.to_vec(),
            },
            Ok(Frame::Hello(Hello {
                version,
                boot_id,
                next_seq,
                ring_drops,
                value_max_size,
                schema,
                stream,
                streams,
                kind,
                name,
            })) => Self::Hello {
                version,
                boot_id,
                next_seq,
                ring_drops,
                value_max_size,
                schema: schema.to_vec(),
                stream,
                streams,
                kind,
                name: name.into(),
            },
            Err(e) => Self::Err(e),
        }
    }
}

/// Decodes `bytes` in one go.
pub fn decode_all(bytes: &[u8]) -> Vec<Owned> {
    let mut d = FrameDecoder::<1024>::new();
    let mut out = Vec::new();
    d.feed(bytes, |f| out.push(Owned::of(f)));
    out
}

/// A data frame to feed the accounting directly.
pub fn data(boot_tag: u8, seq: u32, ring_drops: u32) -> Frame<'static> {
    Frame::Data(DataFrame {
        stream: 0,
        boot_tag,
        seq,
        ring_drops,
        skipped: 0,
        dropped: 0,
        value: &[],
    })
}

/// A hello to feed the accounting directly.
pub fn hello(boot_id: u32, next_seq: u32, ring_drops: u32) -> Frame<'static> {
    Frame::Hello(Hello {
        version: FORMAT_VERSION,
        boot_id,
        next_seq,
        ring_drops,
        value_max_size: 5,
        schema: &[],
        stream: 0,
        streams: 1,
        kind: StreamKind::Ring,
        name: "",
    })
}

/// Accounts `frames` in order: each frame's events, and the totals.
pub fn account(frames: &[Frame<'_>]) -> (Vec<Vec<Event>>, Totals) {
    let mut acc = Accountant::new();
    let events = frames
        .iter()
        .map(|f| acc.observe(f).into_iter().collect())
        .collect();
    (events, *acc.totals())
}

/// A `RingDrop` event.
pub fn ring(count: u32, first_seq: u32, last_seq: u32) -> Event {
    Event::RingDrop {
        count,
        first_seq,
        last_seq,
    }
}

/// A `LinkLoss` event.
pub fn link(count: u32, first_seq: u32, last_seq: u32) -> Event {
    Event::LinkLoss {
        count,
        first_seq,
        last_seq,
    }
}

/// A frame on the wire for the raw bytes `raw` (header and body): the CRC appended, COBS by
/// [`cobs_encode`] and the delimiter. For frames the encoder would never write.
pub fn raw_frame(raw: &[u8]) -> Vec<u8> {
    let mut v = raw.to_vec();
    v.extend(crc16(raw).to_le_bytes());
    let mut cobs = vec![0u8; v.len() + v.len() / 254 + 1];
    let n = cobs_encode(&v, &mut cobs);
    cobs.truncate(n);
    cobs.push(0);
    cobs
}

/// Plain COBS, written out independently of the crate's in-place encoder.
pub fn cobs_encode(src: &[u8], dst: &mut [u8]) -> usize {
    let (mut code_at, mut out, mut code) = (0, 1, 1u8);
    for &b in src {
        if b != 0 {
            dst[out] = b;
            out += 1;
            code += 1;
        }
        if b == 0 || code == 0xFF {
            dst[code_at] = code;
            code_at = out;
            out += 1;
            code = 1;
        }
    }
    dst[code_at] = code;
    out
}

/// The committed file at `path` must hold `contents` (what the test just generated); with
/// `UPDATE_GOLDEN` set in the environment it is rewritten first (after an intentional change).
pub fn check_golden(path: &Path, contents: &[u8]) {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, contents).unwrap();
    }
    let committed = std::fs::read(path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    assert!(
        committed == contents,
        "{} differs from what the test generates (UPDATE_GOLDEN=1 rewrites it)",
        path.display()
    );
}
