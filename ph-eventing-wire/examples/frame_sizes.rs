//! Prints the wire size of typical frames (the table in WIRE.md and docs/PERFORMANCE.md).
//!
//! ```text
//! cargo run -p ph-eventing-wire --example frame_sizes
//! ```
use ph_eventing_wire::encode::{
    DEFAULT_ANCHOR_EVERY, DataFields, HelloFields, encode_compact, encode_data, encode_hello,
    encode_stream_compact, encode_stream_data, encode_stream_hello, max_frame_len,
};
use ph_eventing_wire::stream::{StreamDesc, StreamKind};
use postcard::experimental::max_size::MaxSize;
use serde::Serialize;

/// 16 bytes in memory: the struct case of the size report.
#[derive(Clone, Copy, Serialize, MaxSize, postcard_schema::Schema)]
struct Sample16 {
    t_us: u32,
    channel: u8,
    flags: u8,
    x: i16,
    y: i16,
    z: i16,
    volts: f32,
}

fn main() {
    let mut buf = [0u8; 256];
    let sample = Sample16 {
        t_us: 1_234_567,
        channel: 3,
        flags: 5,
        x: -120,
        y: 45,
        z: 1000,
        volts: 3.3,
    };
    assert_eq!(size_of::<Sample16>(), 16);
    let full = |seq, drops, value: &dyn Fn(&mut [u8], &DataFields) -> usize| {
        value(&mut [0u8; 256], &DataFields::contiguous(seq, drops))
    };
    let full_u32 = |seq, v: u32| full(seq, 0, &|b, f| encode_data(1, f, &v, b).unwrap().len());
    let compact_u32 = |v: u32| encode_compact(2, &v, &mut [0u8; 64]).unwrap().len();
    let full_s16 = full(1000, 2, &|b, f| {
        encode_data(1, f, &sample, b).unwrap().len()
    });
    let compact_s16 = encode_compact(1001, &sample, &mut buf).unwrap().len();
    let k = DEFAULT_ANCHOR_EVERY as usize;
    let amortised = |full: usize, compact: usize| (full + (k - 1) * compact) as f64 / k as f64;
    let gap = DataFields::after(999_990, 0, 1_000_000, 3);
    // Stream 2 of 3: the same frames with the stream's prefix byte.
    let full_u32_s2 = |seq, v: u32| {
        full(seq, 0, &|b, f| {
            encode_stream_data(2, 1, f, &v, b).unwrap().len()
        })
    };
    let compact_u32_s2 = |v: u32| {
        encode_stream_compact(2, 2, &v, &mut [0u8; 64])
            .unwrap()
            .len()
    };
    let faults = StreamDesc::new(2, "faults")
        .with_kind(StreamKind::Queue)
        .of(3);
    let rows: [(&str, String); 17] = [
        ("u32 compact frame, value < 128", compact_u32(7).to_string()),
        (
            "u32 compact frame, value < 2^14",
            compact_u32(9_999).to_string(),
        ),
        (
            "u32 full frame, seq < 128, value < 128, contiguous",
            full_u32(5, 7).to_string(),
        ),
        (
            "u32 full frame, seq ~ 10^6, value < 2^14, contiguous",
            full_u32(1_000_000, 9_999).to_string(),
        ),
        (
            "u32 full frame, seq ~ 10^6, value < 2^14, after a gap of 10 (3 ring drops)",
            encode_data(1, &gap, &9_999u32, &mut buf)
                .unwrap()
                .len()
                .to_string(),
        ),
        (
            "u32 steady state, seq ~ 10^6, value < 2^14: 1 full + 15 compact per 16",
            format!(
                "{:.2}",
                amortised(full_u32(1_000_000, 9_999), compact_u32(9_999))
            ),
        ),
        (
            "u32 data frame, worst case (max_frame_len::<u32>())",
            max_frame_len::<u32>().to_string(),
        ),
        (
            "u32 compact frame of stream 1..=63, value < 128",
            compact_u32_s2(7).to_string(),
        ),
        (
            "u32 full frame of stream 1..=63, seq < 128, value < 128, contiguous",
            full_u32_s2(1, 7).to_string(),
        ),
        (
            "u32 steady state of stream 1..=63, seq ~ 10^6, value < 2^14",
            format!(
                "{:.2}",
                amortised(full_u32_s2(1_000_000, 9_999), compact_u32_s2(9_999))
            ),
        ),
        ("Sample16 compact frame", compact_s16.to_string()),
        (
            "Sample16 full frame, seq 1000, contiguous",
            full_s16.to_string(),
        ),
        (
            "Sample16 steady state: 1 full + 15 compact per 16",
            format!("{:.2}", amortised(full_s16, compact_s16)),
        ),
        (
            "Sample16 data frame, worst case",
            max_frame_len::<Sample16>().to_string(),
        ),
        (
            "hello for u32, next_seq 1",
            encode_hello::<u32>(&fields(1, 0), &mut buf)
                .unwrap()
                .len()
                .to_string(),
        ),
        (
            "hello for u32, stream 2 of 3, queue \"faults\", next_seq 1",
            encode_stream_hello::<u32>(&fields(1, 0), &faults, &mut buf)
                .unwrap()
                .len()
                .to_string(),
        ),
        (
            "hello for Sample16, next_seq 1000",
            encode_hello::<Sample16>(&fields(1000, 2), &mut buf)
                .unwrap()
                .len()
                .to_string(),
        ),
    ];
    for (what, bytes) in rows {
        println!("{bytes:>6}  {what}");
    }
}

fn fields(next_seq: u32, ring_drops: u32) -> HelloFields {
    HelloFields {
        boot_id: 0xB007_0001,
        next_seq,
        ring_drops,
    }
}
