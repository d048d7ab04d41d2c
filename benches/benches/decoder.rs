//! Host decoding throughput of `ph-eventing-wire` on a long synthetic capture (a few MB, with a
//! hello every 1000 frames and a ring drop every 997), fed in 64-byte and in 4 KiB chunks the way
//! a probe reader hands them over.
//!
//! - `decode+account`: [`FrameDecoder`], [`Chain`] (which gives compact frames their sequence
//!   numbers) and [`Accountant`] (frames, drops, losses, resets): the host path without values.
//!   For the `three_streams` capture (8 `u32` frames, 1 struct frame and 1 queue frame in 10,
//!   interleaved), a chain and an accounting per stream, as [`Session`] routes them.
//! - `session`: [`Session`], which adds each value decoded through the hello's schema into JSON
//!   (what `ph-tap` prints).
//!
//! Throughput is in bytes; frames/s is bytes/s divided by the bytes per frame that the bench
//! prints first (the capture is fixed, so the conversion is exact).
//!
//! Run: `cargo bench -p ph-benches --bench decoder`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ph_benches::capture::{sensor_capture, three_stream_capture, u32_capture};
use ph_eventing_wire::accounting::Accountant;
use ph_eventing_wire::chain::Chain;
use ph_eventing_wire::decoder::FrameDecoder;
use ph_eventing_wire::session::Session;

/// Data frames per capture.
const FRAMES: u32 = 400_000;

fn decode_account(bytes: &[u8], chunk: usize) -> u64 {
    let mut decoder = FrameDecoder::<256>::new();
    let mut chain = Chain::new();
    let mut accountant = Accountant::new();
    for piece in bytes.chunks(chunk) {
        decoder.feed(black_box(piece), |frame| {
            chain.push(frame, |placed| {
                black_box(accountant.observe_placed(&placed));
            });
        });
    }
    accountant.totals().data_frames
}

/// [`decode_account`] for a link of several streams: each stream's frames go to its own chain
/// and accounting, and a rejected frame breaks every chain (WIRE.md, section 7.4), as
/// [`Session`] does without the values.
fn decode_account_streams(bytes: &[u8], chunk: usize) -> u64 {
    let mut decoder = FrameDecoder::<256>::new();
    let mut streams: Vec<(Chain, Accountant)> = Vec::new();
    for piece in bytes.chunks(chunk) {
        decoder.feed(black_box(piece), |frame| match frame {
            Ok(frame) => {
                let id = usize::from(frame.stream());
                if streams.len() <= id {
                    streams.resize_with(id + 1, Default::default);
                }
                let (chain, accountant) = &mut streams[id];
                chain.frame(frame, |placed| {
                    black_box(accountant.observe_placed(&placed));
                });
            }
            Err(_) => {
                for (chain, accountant) in &mut streams {
                    chain.break_chain(|placed| {
                        black_box(accountant.observe_placed(&placed));
                    });
                }
            }
        });
    }
    streams.iter().map(|(_, a)| a.totals().data_frames).sum()
}

fn session(bytes: &[u8], chunk: usize) -> usize {
    let mut session = Session::new();
    let mut records = 0;
    for piece in bytes.chunks(chunk) {
        session.feed_with(black_box(piece), |record| {
            black_box(&record);
            records += 1;
        });
    }
    records
}

fn benches(c: &mut Criterion) {
    for (name, bytes) in [
        ("u32", u32_capture(FRAMES)),
        ("sensor16", sensor_capture(FRAMES)),
        ("three_streams", three_stream_capture(FRAMES)),
    ] {
        let several = name == "three_streams";
        let account = if several {
            decode_account_streams
        } else {
            decode_account
        };
        // Check the capture decodes completely before timing it.
        assert_eq!(account(&bytes, 4096), u64::from(FRAMES));
        eprintln!(
            "capture {name}: {} bytes, {FRAMES} data frames, {:.3} bytes per data frame (hellos included)",
            bytes.len(),
            bytes.len() as f64 / f64::from(FRAMES)
        );
        let mut g = c.benchmark_group(format!("decode/{name}"));
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        for chunk in [64, 4096] {
            g.bench_function(format!("decode+account/{chunk}B"), |b| {
                b.iter(|| account(&bytes, chunk))
            });
            g.bench_function(format!("session/{chunk}B"), |b| {
                b.iter(|| session(&bytes, chunk))
            });
        }
        g.finish();
    }
}

criterion_group! {
    name = decoder;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20);
    targets = benches
}
criterion_main!(decoder);
