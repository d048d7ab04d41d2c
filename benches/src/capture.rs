//! Synthetic captures in the `ph-eventing-wire` format, and what `defmt` would spend on the same
//! events.
//!
//! A capture is what a host reads from the probe: a hello, then data frames, with a hello again
//! every [`HELLO_EVERY`] frames (as [`Drainer::with_hello_every`] sends them) and, every
//! [`GAP_EVERY`] frames, a gap of [`GAP`] sequence numbers that the ring reports as dropped, so
//! that the host's accounting has losses to find.
//!
//! [`Drainer::with_hello_every`]: ph_eventing_wire::drain::Drainer::with_hello_every

use core::ops::Range;

use ph_eventing_wire::encode::{
    DataFields, HelloFields, StreamEncoder, encode_compact, encode_data, encode_hello,
};
use ph_eventing_wire::postcard::experimental::max_size::MaxSize;
use ph_eventing_wire::postcard_schema::Schema;
use ph_eventing_wire::stream::{StreamDesc, StreamKind};
use serde::Serialize;

/// The boot id every synthetic capture uses.
pub const BOOT_ID: u32 = 0xB007_0001;
/// The first sequence number: past 2^14, so that sequence numbers take 3 varint bytes, as they do
/// on a device that has been up for a while.
pub const FIRST_SEQ: u32 = 1_000_000;
/// A hello every this many data frames.
pub const HELLO_EVERY: u32 = 1000;
/// A ring drop every this many data frames.
pub const GAP_EVERY: u32 = 997;
/// Sequence numbers lost at each drop.
pub const GAP: u32 = 3;

/// The 16-byte event of the wire-size comparison: a timestamp in microseconds, a 3-axis sample, a
/// status word and a reading. Serialised as a tuple, which postcard encodes exactly like a struct
/// with these fields (fields in order, no names).
pub type Sensor = (u32, i16, i16, i16, u16, f32);

/// The `i`-th `u32` value of the captures: magnitudes spread over 1 to 4 bytes.
pub fn u32_value(i: u32) -> u32 {
    i.wrapping_mul(2_654_435_761) >> (i % 32)
}

/// The `i`-th sensor event: a timestamp advancing by about 100 µs from 12 s of uptime, small
/// signed samples, a status word with few bits set, a reading.
pub fn sensor_value(i: u32) -> Sensor {
    let noise = i.wrapping_mul(2_654_435_761);
    (
        12_000_000 + i * 100 + (noise >> 28),
        ((noise >> 3) % 2001) as i16 - 1000,
        ((noise >> 7) % 401) as i16 - 200,
        ((noise >> 11) % 8193) as i16 - 4096,
        (i % 4) as u16,
        20.0 + (i % 1000) as f32 / 64.0,
    )
}

/// The value types the captures carry: what `encode_data` and `encode_hello` need.
pub trait Value: Serialize + Schema + MaxSize {}
impl<T: Serialize + Schema + MaxSize> Value for T {}

/// Appends data frames `frames` (indices into an endless capture) whose values come from
/// `value(i)`, with hellos and drops as described in the module docs, full and compact frames as
/// the format's encoder ([`StreamEncoder`]) chooses them. Consecutive ranges append to one
/// continuous capture: the encoder's state is replayed from the last hello before the range
/// (a hello resets it).
fn capture_range<T: Value>(out: &mut Vec<u8>, frames: Range<u32>, value: impl Fn(u32) -> T) {
    let mut buf = [0u8; 256];
    let mut enc = StreamEncoder::new(BOOT_ID);
    let replay_from = frames.start - frames.start % HELLO_EVERY;
    for i in replay_from..frames.end {
        let emit = i >= frames.start;
        let mut sink = |f: &[u8]| {
            if emit {
                out.extend_from_slice(f);
            }
            true
        };
        // Gaps are taken just before frames `GAP_EVERY - 1`, `2 * GAP_EVERY - 1`, ...
        let gaps_before = i / GAP_EVERY;
        if i % HELLO_EVERY == 0 {
            enc.hello::<T>(
                FIRST_SEQ + i + GAP * gaps_before,
                GAP * gaps_before,
                &mut buf,
                &mut sink,
            )
            .expect("hello fits");
        }
        let gaps = (i + 1) / GAP_EVERY;
        enc.data(
            FIRST_SEQ + i + GAP * gaps,
            GAP * gaps,
            &value(i),
            &mut buf,
            &mut sink,
        )
        .expect("a 256-byte buffer fits every frame here");
    }
}

/// A capture of `frames` `u32` data frames (values from [`u32_value`]).
pub fn u32_capture(frames: u32) -> Vec<u8> {
    let mut out = Vec::new();
    capture_range(&mut out, 0..frames, u32_value);
    out
}

/// Appends frames `frames` of the endless `u32` capture that [`u32_capture`] starts.
pub fn u32_capture_range(out: &mut Vec<u8>, frames: Range<u32>) {
    capture_range(out, frames, u32_value);
}

/// A capture of `frames` sensor data frames (values from [`sensor_value`]).
pub fn sensor_capture(frames: u32) -> Vec<u8> {
    let mut out = Vec::new();
    capture_range(&mut out, 0..frames, sensor_value);
    out
}

/// Frames per 10 of each stream in [`three_stream_capture`]: `samples` 8, `sensor` 1,
/// `events` 1.
const STREAM_OF: [u8; 10] = [0, 0, 0, 1, 0, 0, 0, 2, 0, 0];

/// A capture of `frames` data frames on three interleaved streams, as `drain::link::Link`
/// sends them: stream 0 `samples` (`u32` values, 8 frames in 10, a ring drop of [`GAP`] every
/// [`GAP_EVERY`] of its frames), stream 1 `sensor` (16-byte struct, 1 in 10) and stream 2
/// `events` (a queue of `u32`, 1 in 10); each stream's hello at the start and every
/// [`HELLO_EVERY`] of its frames.
pub fn three_stream_capture(frames: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 256];
    let descs = [
        StreamDesc::new(0, "samples").of(3),
        StreamDesc::new(1, "sensor").of(3),
        StreamDesc::new(2, "events")
            .with_kind(StreamKind::Queue)
            .of(3),
    ];
    let mut encoders = descs.map(|d| StreamEncoder::new(BOOT_ID).with_stream(d));
    // Per stream: frames sent, and ring drops so far.
    let mut sent = [0u32; 3];
    let mut drops = [0u32; 3];
    for i in 0..frames {
        let s = usize::from(STREAM_OF[(i % 10) as usize]);
        let (enc, n) = (&mut encoders[s], sent[s]);
        let mut sink = |f: &[u8]| {
            out.extend_from_slice(f);
            true
        };
        if s == 0 && n % GAP_EVERY == GAP_EVERY - 1 {
            drops[0] += GAP;
        }
        let seq = FIRST_SEQ + n + drops[s];
        if n % HELLO_EVERY == 0 {
            match s {
                1 => enc.hello::<Sensor>(seq, drops[s], &mut buf, &mut sink),
                _ => enc.hello::<u32>(seq, drops[s], &mut buf, &mut sink),
            }
            .expect("hello fits");
        }
        match s {
            1 => enc.data(seq, drops[s], &sensor_value(i), &mut buf, &mut sink),
            _ => enc.data(seq, drops[s], &u32_value(i), &mut buf, &mut sink),
        }
        .expect("a 256-byte buffer fits every frame here");
        sent[s] += 1;
    }
    out
}

/// Bytes on the wire of `count` consecutive data frames at steady state of stream `stream`
/// (`0` has no prefix byte), as [`steady_frame_lens`] counts them.
pub fn steady_stream_frame_lens<V: Serialize>(
    stream: u8,
    count: u32,
    value: impl Fn(u32) -> V,
) -> Vec<usize> {
    let mut buf = [0u8; 256];
    let mut enc =
        StreamEncoder::new(BOOT_ID).with_stream(StreamDesc::new(stream, "s").of(stream + 1));
    (0..count)
        .map(|i| {
            enc.data(FIRST_SEQ + i, 0, &value(i), &mut buf, &mut |_: &[u8]| true)
                .expect("a 256-byte buffer fits every frame here")
                .bytes
        })
        .collect()
}

/// Bytes on the wire of one full data frame carrying `value` at steady state (sequence numbers
/// past [`FIRST_SEQ`], no drop, contiguous), delimiter included.
pub fn frame_len<V: Serialize>(seq: u32, value: &V) -> usize {
    let mut buf = [0u8; 256];
    encode_data(BOOT_ID, &DataFields::contiguous(seq, 0), value, &mut buf)
        .expect("a 256-byte buffer fits every frame here")
        .len()
}

/// Bytes on the wire of one compact data frame carrying `value` (value only), delimiter included.
pub fn compact_frame_len<V: Serialize>(value: &V) -> usize {
    let mut buf = [0u8; 256];
    encode_compact(FIRST_SEQ + 1, value, &mut buf)
        .expect("a 256-byte buffer fits every frame here")
        .len()
}

/// Bytes on the wire of `count` consecutive data frames at steady state (from [`FIRST_SEQ`], no
/// drop, no hello), as the format's encoder sends them: a full frame, then compact ones, a full
/// frame again every [`DEFAULT_ANCHOR_EVERY`](ph_eventing_wire::encode::DEFAULT_ANCHOR_EVERY).
pub fn steady_frame_lens<V: Serialize>(count: u32, value: impl Fn(u32) -> V) -> Vec<usize> {
    // Stream 0's data frames are those of a link's only stream (names travel in hellos only).
    steady_stream_frame_lens(0, count, value)
}

/// Bytes of `T`'s hello frame at steady state.
pub fn hello_len<T: Value>() -> usize {
    let mut buf = [0u8; 256];
    let fields = HelloFields {
        boot_id: BOOT_ID,
        next_seq: FIRST_SEQ,
        ring_drops: 0,
    };
    encode_hello::<T>(&fields, &mut buf)
        .expect("hello fits")
        .len()
}

/// `defmt`'s bytes for one log frame, derived from its documented encoding (not from its code):
///
/// - the frame is the interned format string's index, then the arguments; since defmt 0.3 the
///   index is written as a little-endian `u16` (`Str::address`), and fixed-width integer and
///   float arguments as their `to_le_bytes()` (defmt book, "Integers"; "Log frames");
/// - an optional timestamp (`defmt::timestamp!`) goes between the index and the arguments,
///   LEB128-encoded;
/// - with the default `encoding-rzcobs`, the frame is then stuffed with rzCOBS and ends with a
///   `0x00` delimiter ([`rzcobs_len`]).
///
/// `args` are the arguments' little-endian bytes, `timestamp` the timestamp's value if one is
/// configured.
pub fn defmt_frame_len(string_index: u16, timestamp: Option<u64>, args: &[u8]) -> usize {
    let mut raw = Vec::with_capacity(16 + args.len());
    raw.extend_from_slice(&string_index.to_le_bytes());
    if let Some(mut t) = timestamp {
        loop {
            let byte = (t & 0x7F) as u8;
            t >>= 7;
            if t == 0 {
                raw.push(byte);
                break;
            }
            raw.push(byte | 0x80);
        }
    }
    raw.extend_from_slice(args);
    rzcobs_len(&raw)
}

/// Length of `raw` once rzCOBS-stuffed, delimiter included, from the format defmt documents for
/// it (`defmt/src/encoding/rzcobs.rs`, header comment):
///
/// - `0xxxxxxx`: a group of 7 stream bytes, bit `k` set when byte `k` is `0x00` (zeros are not
///   sent), clear when the byte follows;
/// - `1nnnnnnn`: `n + 7` non-zero bytes followed by one `0x00`; `11111111`: 134 non-zero bytes;
/// - `00000000`: end of frame.
///
/// So a frame costs its non-zero bytes, one control byte per group (or per run of non-zero bytes
/// of 7 or more), and the delimiter.
pub fn rzcobs_len(raw: &[u8]) -> usize {
    let mut out = 0;
    // Bytes in the open group (`< 7`) or in the open run of non-zero bytes (`>= 7`).
    let mut run = 0usize;
    let mut zeros = false;
    for &byte in raw {
        if run < 7 {
            if byte == 0 {
                zeros = true;
            } else {
                out += 1;
            }
            run += 1;
            if run == 7 && zeros {
                out += 1; // the group's bitmap
                run = 0;
                zeros = false;
            }
        } else if byte == 0 {
            out += 1; // `1nnnnnnn`: the run ends with this zero
            run = 0;
        } else {
            out += 1;
            run += 1;
            if run == 134 {
                out += 1; // `11111111`
                run = 0;
            }
        }
    }
    if run > 0 {
        out += 1; // the open group's bitmap or the open run's length
    }
    out + 1 // delimiter
}

/// The little-endian argument bytes `defmt` sends for a sensor event logged as
/// `"{=u32} {=i16} {=i16} {=i16} {=u16} {=f32}"`.
pub fn sensor_defmt_args(v: &Sensor) -> Vec<u8> {
    let mut args = Vec::with_capacity(16);
    args.extend_from_slice(&v.0.to_le_bytes());
    args.extend_from_slice(&v.1.to_le_bytes());
    args.extend_from_slice(&v.2.to_le_bytes());
    args.extend_from_slice(&v.3.to_le_bytes());
    args.extend_from_slice(&v.4.to_le_bytes());
    args.extend_from_slice(&v.5.to_le_bytes());
    args
}

#[cfg(test)]
mod tests {
    use super::*;
    use ph_eventing_wire::decoder::FrameDecoder;
    use ph_eventing_wire::frame::Frame;

    #[test]
    fn rzcobs_lengths_by_hand() {
        // Empty frame: only the delimiter.
        assert_eq!(rzcobs_len(&[]), 1);
        // A 6-byte group with two zeros: 4 bytes + bitmap + delimiter.
        assert_eq!(rzcobs_len(&[1, 0, 2, 3, 0, 4]), 6);
        // 7 non-zero bytes then a zero: a run of 7, its length byte, delimiter.
        assert_eq!(rzcobs_len(&[1, 2, 3, 4, 5, 6, 7, 0]), 9);
        // 7 bytes with a zero: a full group (6 + bitmap), then the delimiter.
        assert_eq!(rzcobs_len(&[1, 2, 3, 0, 5, 6, 7]), 8);
        // All zeros: one bitmap per 7, then the delimiter.
        assert_eq!(rzcobs_len(&[0; 14]), 3);
        // 134 non-zero bytes: one `0xFF`, then the delimiter.
        assert_eq!(rzcobs_len(&[9; 134]), 136);
    }

    #[test]
    fn defmt_u32_frames_match_the_documented_range() {
        // "about 4-7 bytes for one u32 argument" (issue 6): a small value has zero high bytes.
        assert_eq!(defmt_frame_len(3, None, &7u32.to_le_bytes()), 4);
        assert_eq!(defmt_frame_len(3, None, &0xDEAD_BEEFu32.to_le_bytes()), 7);
    }

    #[test]
    fn captures_decode_with_the_expected_counts() {
        let frames = 5_000;
        for bytes in [u32_capture(frames), sensor_capture(frames)] {
            let mut decoder = FrameDecoder::<256>::new();
            let mut data = 0u32;
            let mut hellos = 0u32;
            decoder.feed(&bytes, |f| match f {
                Ok(Frame::Data(_) | Frame::Compact(_)) => data += 1,
                Ok(Frame::Hello(_)) => hellos += 1,
                Err(e) => panic!("capture frame rejected: {e:?}"),
            });
            assert_eq!(data, frames);
            assert_eq!(hellos, frames.div_ceil(HELLO_EVERY));
        }
    }

    #[test]
    fn ranges_continue_one_capture_and_account_every_gap() {
        use ph_eventing_wire::accounting::Accountant;
        let mut bytes = Vec::new();
        u32_capture_range(&mut bytes, 0..2_500);
        u32_capture_range(&mut bytes, 2_500..5_000);
        assert_eq!(bytes, u32_capture(5_000));
        let mut decoder = FrameDecoder::<256>::new();
        let mut chain = ph_eventing_wire::chain::Chain::new();
        let mut accountant = Accountant::new();
        decoder.feed(&bytes, |f| {
            chain.push(Ok(f.expect("valid frame")), |placed| {
                accountant.observe_placed(&placed);
            });
        });
        assert_eq!(accountant.totals().inconsistent, 0);
        let totals = accountant.totals();
        assert_eq!(totals.data_frames, 5_000);
        assert_eq!(totals.ring_dropped, u64::from(GAP * (5_000 / GAP_EVERY)));
        assert_eq!(totals.link_lost, 0);
    }

    #[test]
    fn three_streams_decode_per_stream_with_their_drops() {
        use ph_eventing_wire::session::Session;
        let frames = 10_000;
        let bytes = three_stream_capture(frames);
        let mut session = Session::new();
        session.feed(&bytes);
        let streams: Vec<_> = session.streams().collect();
        assert_eq!(streams.len(), 3);
        let counts: Vec<u64> = streams.iter().map(|s| s.totals.data_frames).collect();
        assert_eq!(counts, [8_000, 1_000, 1_000]);
        assert_eq!(
            streams[0].totals.ring_dropped,
            u64::from(GAP * (8_000 / GAP_EVERY))
        );
        assert_eq!(
            streams.iter().map(|s| s.name).collect::<Vec<_>>(),
            ["samples", "sensor", "events"]
        );
        let t = session.totals();
        assert_eq!((t.link_lost, t.unplaced, t.inconsistent), (0, 0, 0));
    }

    #[test]
    fn sensor_is_sixteen_bytes_in_memory() {
        assert_eq!(
            core::mem::size_of::<u32>() + 3 * 2 + 2 + core::mem::size_of::<f32>(),
            16
        );
        assert_eq!(core::mem::size_of::<Sensor>(), 16);
    }
}
