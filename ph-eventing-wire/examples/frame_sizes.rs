//! Prints the wire size of typical frames (the table in WIRE.md and docs/PERFORMANCE.md).
//!
//! ```text
//! cargo run -p ph-eventing-wire --example frame_sizes
//! ```
use ph_eventing_wire::encode::{HelloFields, encode_data, encode_hello, max_frame_len};
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
    let rows: [(&str, usize); 7] = [
        (
            "u32 data frame, seq < 128, value < 128, no drops",
            encode_data(1, 5, 0, &7u32, &mut buf).unwrap().len(),
        ),
        (
            "u32 data frame, seq ~ 10^6, value < 2^14",
            encode_data(1, 1_000_000, 0, &9_999u32, &mut buf)
                .unwrap()
                .len(),
        ),
        (
            "u32 data frame, worst case (max_frame_len::<u32>())",
            max_frame_len::<u32>(),
        ),
        (
            "Sample16 data frame, seq 1000",
            encode_data(1, 1000, 2, &sample, &mut buf).unwrap().len(),
        ),
        (
            "Sample16 data frame, worst case",
            max_frame_len::<Sample16>(),
        ),
        (
            "hello for u32, next_seq 1",
            encode_hello::<u32>(&fields(1, 0), &mut buf).unwrap().len(),
        ),
        (
            "hello for Sample16, next_seq 1000",
            encode_hello::<Sample16>(&fields(1000, 2), &mut buf)
                .unwrap()
                .len(),
        ),
    ];
    for (what, bytes) in rows {
        println!("{bytes:>4}  {what}");
    }
}

fn fields(next_seq: u32, ring_drops: u32) -> HelloFields {
    HelloFields {
        boot_id: 0xB007_0001,
        next_seq,
        ring_drops,
    }
}
