//! The committed capture file (`examples/data/capture.bin`) is what the real ring and drainer
//! produce for a scripted run with a faulty link, and the `decode_capture` example prints the
//! committed `capture.txt` for it. `UPDATE_GOLDEN=1` rewrites both. `capture-v2.bin` is the same
//! run in wire format version 2, kept to show that such captures still decode.

mod common;

#[allow(dead_code)]
#[path = "../examples/decode_capture.rs"]
mod decode_capture;

use std::path::PathBuf;

use common::{SAMPLE, Sample16, check_golden};
use ph_eventing::SeqRing;
use ph_eventing_wire::drain::Drainer;

/// Runs the script; returns the frames as the drainer emitted them, except those the sink
/// refused (by index among the frames handed to it, as an RTT buffer that is full would).
fn frames_of_one_boot(
    boot_id: u32,
    first_seq: u32,
    script: &[u32],
    refuse: &[usize],
) -> Vec<Vec<u8>> {
    let ring = SeqRing::<Sample16, 8>::starting_at(first_seq);
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    let mut drainer = Drainer::new(boot_id)
        .with_first_seq(first_seq)
        .with_hello_every(30);
    let mut buf = [0u8; 192];
    let mut frames = Vec::new();
    let mut n = 0u32;
    let mut handed = 0usize;
    for &pushes in script {
        for _ in 0..pushes {
            n += 1;
            producer.push(Sample16 {
                t_us: SAMPLE.t_us + 1000 * n,
                x: n as i16,
                ..SAMPLE
            });
        }
        drainer
            .drain(&mut consumer, 64, &mut buf, |f| {
                handed += 1;
                if refuse.contains(&(handed - 1)) {
                    return false;
                }
                frames.push(f.to_vec());
                true
            })
            .unwrap();
    }
    frames
}

fn capture() -> Vec<u8> {
    // Boot 1 starts 6 before the wrap; 12 pushes into a ring of 8 in the second round. Sink
    // call 0 is the boot hello (the delimiter in front), call k > 0 the k-th frame after it.
    // The sink refuses frame 11 (an RTT buffer that is full): a link loss.
    let mut boot1 = frames_of_one_boot(0x5EED_0001, u32::MAX - 5, &[3, 12, 5, 4, 20], &[11]);
    boot1[14][3] ^= 0x10; // a bit flips on the link; the compact frames after it wait for the
    // next full frame, which places them backwards
    // The host reads a full frame twice (the boot tag is 1, so the header follows the first
    // COBS code byte; a full data frame has bits 7 and 6 clear).
    let full = (15..boot1.len())
        .find(|&i| boot1[i][1] & 0xC0 == 0)
        .expect("a full frame");
    let dup = boot1[full].clone();
    boot1.insert(full + 1, dup);
    let boot2 = frames_of_one_boot(0x5EED_0002, 1, &[3], &[]);
    let mut bytes: Vec<u8> = boot1.concat();
    bytes.extend(boot2.concat());
    bytes.drain(..5); // the capture started in the middle of the boot hello
    bytes
}

fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples/data")
        .join(name)
}

#[test]
fn committed_capture_is_what_the_drainer_produces() {
    check_golden(&path("capture.bin"), &capture());
}

#[test]
fn example_prints_the_committed_listing() {
    let mut out = Vec::new();
    decode_capture::print_capture(&std::fs::read(path("capture.bin")).unwrap(), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    check_golden(&path("capture.txt"), text.as_bytes());
    // The listing shows every kind of flag the script provoked.
    for flag in [
        "skipped",
        "RING DROP",
        "LINK LOSS",
        "SEQ WRAP",
        "checksum",
        "DUPLICATE",
        "TARGET RESET",
    ] {
        assert!(text.contains(flag), "{flag} missing from:\n{text}");
    }
}

/// A capture made by the version 2 format (the same script, before streams) still decodes, to
/// the listing it had then (`capture-v2.txt`): its hellos are read as stream 0's, its data
/// frames are stream 0's. Only the leading fragment differs from today's listing: the version 3
/// boot hello the capture starts in is 4 bytes longer.
#[test]
fn version_2_capture_prints_the_listing_it_had() {
    let mut out = Vec::new();
    decode_capture::print_capture(&std::fs::read(path("capture-v2.bin")).unwrap(), &mut out)
        .unwrap();
    let then = std::fs::read_to_string(path("capture-v2.txt")).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), then);
    let now = std::fs::read_to_string(path("capture.txt")).unwrap();
    assert_eq!(
        then.lines().skip(1).collect::<Vec<_>>(),
        now.lines().skip(1).collect::<Vec<_>>()
    );
}
