//! Bytes on the wire per event, steady state: our data frames next to what `defmt` spends on an
//! equivalent log call, derived from defmt's documented encoding (see
//! `ph_benches::capture::defmt_frame_len`; defmt itself is not linked in).
//!
//! Events: one `u32` (values spread over 1 to 4 significant bytes) and a 16-byte sensor struct
//! (`u32` timestamp, three `i16`, a `u16`, an `f32`). Ours (wire format version 3; stream 0's
//! frames are version 2's byte for byte, streams 1 to 63 add a prefix byte) sends, per
//! 16 frames, one full frame — boot tag, sequence number (past 2^14, so 3 varint bytes),
//! ring-drop counter, `skipped`, the postcard value, CRC-16, COBS byte and delimiter — and 15
//! compact ones (header with 6 bits of the sequence number, value, CRC-16, COBS byte, delimiter)
//! whose sequence numbers follow from the previous frame; plus a hello every 1000 frames, shown
//! amortised.
//! defmt's frame is its format-string index, optionally a LEB128 timestamp, the arguments, rzCOBS
//! and the delimiter: no sequence number, no drop count, no checksum.
//!
//! Run: `cargo bench -p ph-benches --bench wire_size`. Exact byte counts: nothing is timed.

use ph_benches::capture::{
    FIRST_SEQ, HELLO_EVERY, Sensor, compact_frame_len, defmt_frame_len, frame_len, hello_len,
    sensor_defmt_args, sensor_value, steady_frame_lens, steady_stream_frame_lens, u32_value,
};

const EVENTS: u32 = 100_000;
/// A format-string index past 255, as in a firmware with a few hundred log statements.
const DEFMT_INDEX: u16 = 300;

struct Stats {
    sum: usize,
    min: usize,
    max: usize,
}

impl Stats {
    fn of(lens: impl Iterator<Item = usize>) -> Self {
        let mut s = Stats {
            sum: 0,
            min: usize::MAX,
            max: 0,
        };
        for len in lens {
            s.sum += len;
            s.min = s.min.min(len);
            s.max = s.max.max(len);
        }
        s
    }

    fn cell(&self) -> String {
        format!(
            "{:.2} [{}–{}]",
            self.sum as f64 / f64::from(EVENTS),
            self.min,
            self.max
        )
    }
}

/// A microsecond timestamp at about 12 s of uptime, 100 µs per event.
fn timestamp(i: u32) -> u64 {
    12_000_000 + u64::from(i) * 100
}

fn main() {
    if std::env::args().any(|a| a == "--test") {
        // `cargo test --benches`: nothing to smoke-test beyond the library's own tests.
        return;
    }
    let ours_u32 = Stats::of(steady_frame_lens(EVENTS, u32_value).into_iter());
    let ours_sensor = Stats::of(steady_frame_lens(EVENTS, sensor_value).into_iter());
    let stream_u32 = Stats::of(steady_stream_frame_lens(2, EVENTS, u32_value).into_iter());
    let stream_sensor = Stats::of(steady_stream_frame_lens(2, EVENTS, sensor_value).into_iter());
    let full_u32 = Stats::of((0..EVENTS).map(|i| frame_len(FIRST_SEQ + i, &u32_value(i))));
    let full_sensor = Stats::of((0..EVENTS).map(|i| frame_len(FIRST_SEQ + i, &sensor_value(i))));
    let compact_u32 = Stats::of((0..EVENTS).map(|i| compact_frame_len(&u32_value(i))));
    let compact_sensor = Stats::of((0..EVENTS).map(|i| compact_frame_len(&sensor_value(i))));
    let hello_u32 = hello_len::<u32>();
    let hello_sensor = hello_len::<Sensor>();

    let defmt_u32 = Stats::of(
        (0..EVENTS).map(|i| defmt_frame_len(DEFMT_INDEX, None, &u32_value(i).to_le_bytes())),
    );
    let defmt_u32_ts =
        Stats::of((0..EVENTS).map(|i| {
            defmt_frame_len(DEFMT_INDEX, Some(timestamp(i)), &u32_value(i).to_le_bytes())
        }));
    let defmt_sensor = Stats::of(
        (0..EVENTS)
            .map(|i| defmt_frame_len(DEFMT_INDEX, None, &sensor_defmt_args(&sensor_value(i)))),
    );
    let defmt_sensor_ts = Stats::of((0..EVENTS).map(|i| {
        defmt_frame_len(
            DEFMT_INDEX,
            Some(timestamp(i)),
            &sensor_defmt_args(&sensor_value(i)),
        )
    }));

    println!("Bytes per event on the wire, mean [min–max] over {EVENTS} events");
    println!("| encoding | u32 | 16-byte struct |");
    println!("|---|---|---|");
    println!(
        "| ph-eventing-wire v3 data frames, stream 0 (1 full + 15 compact per 16) | {} | {} |",
        ours_u32.cell(),
        ours_sensor.cell()
    );
    println!(
        "| ph-eventing-wire v3 data frames, stream 1–63 (a prefix byte each) | {} | {} |",
        stream_u32.cell(),
        stream_sensor.cell()
    );
    println!(
        "| ph-eventing-wire v3 full frame only, stream 0 | {} | {} |",
        full_u32.cell(),
        full_sensor.cell()
    );
    println!(
        "| ph-eventing-wire v3 compact frame only, stream 0 | {} | {} |",
        compact_u32.cell(),
        compact_sensor.cell()
    );
    println!(
        "| ph-eventing-wire incl. hello every {HELLO_EVERY} ({hello_u32} / {hello_sensor} B) | {:.2} | {:.2} |",
        ours_u32.sum as f64 / f64::from(EVENTS) + hello_u32 as f64 / f64::from(HELLO_EVERY),
        ours_sensor.sum as f64 / f64::from(EVENTS) + hello_sensor as f64 / f64::from(HELLO_EVERY),
    );
    println!(
        "| defmt rzCOBS, no timestamp | {} | {} |",
        defmt_u32.cell(),
        defmt_sensor.cell()
    );
    println!(
        "| defmt rzCOBS, µs timestamp | {} | {} |",
        defmt_u32_ts.cell(),
        defmt_sensor_ts.cell()
    );
    // `encoding-raw`: index and arguments, nothing else (no framing: no resync after a loss).
    println!(
        "| defmt raw encoding, no timestamp (no framing) | {} | {} |",
        2 + size_of::<u32>(),
        2 + sensor_defmt_args(&sensor_value(0)).len()
    );
}
