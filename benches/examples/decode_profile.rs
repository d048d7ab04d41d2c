//! Decodes the decoder benchmark's `u32` capture once, in 4 KiB chunks, for counting instructions
//! per byte and per frame with callgrind (repeatable where wall time on a shared machine is not):
//!
//! ```text
//! cargo build --profile bench -p ph-benches --example decode_profile
//! valgrind --tool=callgrind --callgrind-out-file=decode.cg <the example binary>
//! callgrind_annotate --inclusive=yes decode.cg | grep -E 'decode_profile::(decode|decode_account)'
//! ```
//!
//! Instructions per byte: the function's inclusive count divided by the byte count it prints.

use std::hint::black_box;

use ph_benches::capture::u32_capture;
use ph_eventing_wire::accounting::Accountant;
use ph_eventing_wire::decoder::FrameDecoder;
use ph_eventing_wire::frame::Frame;

const FRAMES: u32 = 400_000;
const CHUNK: usize = 4096;

/// The frame decoder alone.
#[inline(never)]
fn decode(bytes: &[u8]) -> u64 {
    let mut decoder = FrameDecoder::<256>::new();
    let mut sum = 0u64;
    for piece in bytes.chunks(CHUNK) {
        decoder.feed(black_box(piece), |frame| {
            if let Ok(Frame::Data(d)) = frame {
                sum += u64::from(d.seq);
            }
        });
    }
    sum
}

/// The frame decoder and the loss accounting (the benchmark's `decode+account`).
#[inline(never)]
fn decode_account(bytes: &[u8]) -> u64 {
    let mut decoder = FrameDecoder::<256>::new();
    let mut accountant = Accountant::new();
    for piece in bytes.chunks(CHUNK) {
        decoder.feed(black_box(piece), |frame| {
            if let Ok(frame) = frame {
                black_box(accountant.observe(&frame));
            }
        });
    }
    accountant.totals().data_frames
}

fn main() {
    let bytes = u32_capture(FRAMES);
    black_box(decode(&bytes));
    assert_eq!(decode_account(&bytes), u64::from(FRAMES));
    println!("{} bytes, {FRAMES} data frames", bytes.len());
}
