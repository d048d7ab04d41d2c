//! `attach --gdb` against a small GDB server in the test (`common::gdb_server`) whose RAM holds
//! a real SEGGER RTT control block and keeps every write: probe-rs attaches to an nRF52840
//! through [`GdbProbe`](ph_tap::probe::gdb::GdbProbe), and its own `UpChannel::read` drains
//! up channel 0 over many reads while the simulated firmware keeps appending frames (probe-rs
//! writes the read offset back with `M`). This is what probe-rs's `FakeProbe` cannot do: it
//! drops writes.

mod common;

use std::time::{Duration, Instant};

use common::gdb_server::GdbServer;
use common::rtt_elf::{self, elf_file};
use common::wire_frames;
use ph_tap::decode::value::ValueAs;
use ph_tap::decode::{Decoder, PhEventingDecoder};
use ph_tap::probe::{RttOptions, attach_gdb, resolve_chip};
use ph_tap::record::Body;
use ph_tap::source::{Poll, Source};

/// Polls `source` until `want` bytes arrived (or 60 s passed); returns them and the number of
/// polls that yielded data.
fn drain(source: &mut impl Source, want: usize) -> (Vec<u8>, usize) {
    let mut got = Vec::new();
    let mut reads = 0;
    let mut buf = [0u8; 1024];
    let start = Instant::now();
    while got.len() < want {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "only {} of {want} bytes after 60 s",
            got.len()
        );
        match source.poll(&mut buf).unwrap() {
            Poll::Data { channel: 0, len } => {
                got.extend_from_slice(&buf[..len]);
                reads += 1;
            }
            Poll::Idle => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    (got, reads)
}

fn decode(bytes: &[u8]) -> Vec<(u32, serde_json::Value)> {
    let mut bodies = Vec::new();
    PhEventingDecoder::new(ValueAs::U32).feed(bytes, &mut |b| bodies.push(b));
    bodies
        .into_iter()
        .map(|b| match b {
            Body::Value { seq, value } => (seq, value),
            other => panic!("unexpected {other:?}"),
        })
        .collect()
}

#[test]
fn thousands_of_frames_arrive_byte_exact_over_many_reads() {
    const COUNT: u32 = 3000;
    let (stream, ends) = wire_frames(COUNT, |seq| seq.wrapping_mul(7));
    // Two frames each time the target runs: the ring (64 bytes) is refilled between reads.
    let server = GdbServer::start(stream.clone(), ends, 2);
    let elf = elf_file();
    let opts = RttOptions {
        elf: Some(elf.path().to_owned()),
        ..RttOptions::default()
    };
    let mut source = attach_gdb(&server.addr, resolve_chip("nRF52840").unwrap(), &opts).unwrap();
    assert_eq!(source.control_block(), u64::from(rtt_elf::CONTROL_BLOCK));
    let start = Instant::now();
    let (got, reads) = drain(&mut source, stream.len());
    let took = start.elapsed();
    assert_eq!(got.len(), stream.len());
    assert!(
        got == stream,
        "the bytes read differ from the bytes written"
    );
    let values = decode(&got);
    assert_eq!(values.len(), COUNT as usize);
    for (k, (seq, value)) in values.iter().enumerate() {
        let expected = k as u32 + 1;
        assert_eq!(*seq, expected);
        assert_eq!(*value, serde_json::json!(expected.wrapping_mul(7)));
    }
    let stats = server.stats();
    // A 64-byte ring cannot hold the stream: it was drained and refilled many times, the read
    // offset probe-rs wrote back making room each time.
    assert!(reads >= stream.len() / 63, "{reads} reads");
    assert_eq!(stats.frames_written, COUNT as usize);
    assert!(stats.writes >= reads as u64, "{stats:?}");
    assert_eq!(
        stats.violations, 0,
        "memory was accessed while the target ran: {stats:?}"
    );
    eprintln!(
        "{} bytes, {COUNT} frames in {reads} reads, {took:.2?} ({:.0} B/s); server: {stats:?}",
        got.len(),
        got.len() as f64 / took.as_secs_f64()
    );
}

#[test]
fn the_control_block_is_found_by_scanning_ram_through_the_server() {
    let (stream, ends) = wire_frames(40, |seq| seq.wrapping_mul(7));
    let server = GdbServer::start(stream.clone(), ends, 40);
    let mut source = attach_gdb(
        &server.addr,
        resolve_chip("nRF52840").unwrap(),
        &RttOptions::default(),
    )
    .unwrap();
    // probe-rs scans the nRF52840's RAM through its code-bus alias.
    let offset = rtt_elf::CONTROL_BLOCK - rtt_elf::RAM;
    assert_eq!(
        source.control_block(),
        u64::from(rtt_elf::RAM_CODE_ALIAS + offset)
    );
    let (got, _) = drain(&mut source, stream.len());
    assert_eq!(decode(&got).len(), 40);
    assert_eq!(server.stats().violations, 0);
}

#[test]
fn a_server_that_goes_away_mid_stream_is_one_line() {
    let (stream, ends) = wire_frames(10, |seq| seq.wrapping_mul(7));
    let server = GdbServer::start(stream.clone(), ends, 10);
    let elf = elf_file();
    let opts = RttOptions {
        elf: Some(elf.path().to_owned()),
        ..RttOptions::default()
    };
    let mut source = attach_gdb(&server.addr, resolve_chip("nRF52840").unwrap(), &opts).unwrap();
    let _ = drain(&mut source, stream.len());
    server.stop();
    let mut buf = [0u8; 64];
    let err = loop {
        match source.poll(&mut buf) {
            Ok(_) => continue,
            Err(err) => break ph_tap::one_line(&err),
        }
    };
    assert!(err.starts_with("lost the probe mid-stream"), "{err}");
    assert!(
        err.contains(&format!(
            "the GDB server at {} closed the connection",
            server.addr
        )),
        "{err}"
    );
    assert!(!err.contains('\n'));
}
