//! Decoder throughput on a stream of `u32` data frames (MB/s and frames/s), plus the encoder and
//! the full host path (decode + accounting + schema-driven JSON) for comparison.
//!
//! The `*_cpu` groups time with the thread's CPU clock instead of the wall clock: on a shared
//! machine they show what the code costs, not how often it was scheduled out.
//!
//! ```text
//! cargo bench -p ph-eventing-wire --bench decode
//! ```
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ph_eventing_wire::accounting::Accountant;
use ph_eventing_wire::chain::Chain;
use ph_eventing_wire::decoder::FrameDecoder;
use ph_eventing_wire::encode::{StreamEncoder, max_frame_len};
use ph_eventing_wire::frame::Frame;
use ph_eventing_wire::session::Session;

const FRAMES: u32 = 100_000;

/// A realistic stream: sequence numbers past 2^14 (3-byte varints), values of every size, full
/// and compact frames as the encoder chooses them (one full frame per 16).
fn stream() -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 64];
    let mut enc = StreamEncoder::new(0xB007);
    let mut sink = |f: &[u8]| {
        out.extend_from_slice(f);
        true
    };
    enc.hello::<u32>(1_000_000, 0, &mut buf, &mut sink).unwrap();
    for i in 0..FRAMES {
        let seq = 1_000_000 + i;
        let value = i.wrapping_mul(2_654_435_761) >> (i % 32);
        enc.data(seq, 0, &value, &mut buf, &mut sink).unwrap();
    }
    out
}

/// CPU time consumed by this thread so far.
fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call, and
    // CLOCK_THREAD_CPUTIME_ID is supported on every Linux this benchmark targets.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Decodes the whole stream once (frames only, compact ones not placed); returns a checksum of
/// the value lengths.
fn decode_once(bytes: &[u8]) -> u64 {
    let mut d = FrameDecoder::<256>::new();
    let mut sum = 0u64;
    d.feed(black_box(bytes), |f| match f {
        Ok(Frame::Data(d)) => sum += d.value.len() as u64,
        Ok(Frame::Compact(c)) => sum += c.value.len() as u64,
        _ => {}
    });
    sum
}

fn bench(c: &mut Criterion) {
    let bytes = stream();
    let per_frame = bytes.len() as f64 / f64::from(FRAMES);
    eprintln!(
        "stream: {} bytes, {FRAMES} u32 frames, {per_frame:.2} bytes/frame",
        bytes.len()
    );

    for (unit, throughput) in [
        ("bytes", Throughput::Bytes(bytes.len() as u64)),
        ("frames", Throughput::Elements(u64::from(FRAMES))),
    ] {
        let mut g = c.benchmark_group(format!("decode_u32_{unit}"));
        g.throughput(throughput);
        g.bench_function("frame_decoder", |b| b.iter(|| decode_once(&bytes)));
        g.bench_function("decoder_and_accounting", |b| {
            b.iter(|| {
                let mut d = FrameDecoder::<256>::new();
                let mut chain = Chain::new();
                let mut acc = Accountant::new();
                d.feed(black_box(&bytes), |f| {
                    chain.push(f, |placed| {
                        black_box(acc.observe_placed(&placed));
                    });
                });
                acc.totals().data_frames
            })
        });
        g.bench_function("session_json_values", |b| {
            b.iter(|| {
                let mut s = Session::new();
                let mut n = 0usize;
                s.feed_with(black_box(&bytes), |r| {
                    black_box(&r);
                    n += 1;
                });
                n
            })
        });
        g.finish();
    }

    for (unit, throughput) in [
        ("bytes", Throughput::Bytes(bytes.len() as u64)),
        ("frames", Throughput::Elements(u64::from(FRAMES))),
    ] {
        let mut g = c.benchmark_group(format!("decode_u32_{unit}_cpu"));
        g.throughput(throughput);
        g.bench_function("frame_decoder", |b| {
            b.iter_custom(|iters| {
                let start = thread_cpu_time();
                for _ in 0..iters {
                    black_box(decode_once(&bytes));
                }
                thread_cpu_time() - start
            })
        });
        g.finish();
    }

    let mut g = c.benchmark_group("encode_u32_frames");
    g.throughput(Throughput::Elements(u64::from(FRAMES)));
    g.bench_function("stream_encoder", |b| {
        let mut buf = [0u8; max_frame_len::<u32>()];
        b.iter(|| {
            let mut enc = StreamEncoder::new(0xB007);
            let mut total = 0usize;
            for i in 0..FRAMES {
                total += enc
                    .data(
                        1_000_000 + i,
                        0,
                        &black_box(i),
                        &mut buf,
                        &mut |f: &[u8]| {
                            black_box(f);
                            true
                        },
                    )
                    .unwrap()
                    .bytes;
            }
            total
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
