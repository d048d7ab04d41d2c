//! `ph-tap decode` over the committed captures in `tests/data/`, compared with the committed
//! expected outputs (`NAME.out` = stdout, `NAME.err` = stderr).
//!
//! After an intended output change: `PH_TAP_BLESS=1 cargo test -p ph-tap-cli --test decode_captures`
//! rewrites the expected files; review the diff before committing.

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::{check_snapshot, data, scenarios};
use ph_tap::decode::value::ValueAs;
use ph_tap::decode::{Decoder, PhEventingDecoder};
use ph_tap::record::Body;

/// Decodes `capture` with `args`, checks exit status 0 and both streams against snapshots.
fn decode(capture: &str, args: &[&str], snapshot: &str) {
    let output = Command::cargo_bin("ph-tap")
        .unwrap()
        .arg("decode")
        .arg(data(&format!("{capture}.bin")))
        .args(if args.contains(&"--color") {
            &[][..]
        } else {
            &["--color", "never"][..]
        })
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "ph-tap failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    check_snapshot(
        &format!("{snapshot}.out"),
        &String::from_utf8(output.stdout).unwrap(),
    );
    check_snapshot(
        &format!("{snapshot}.err"),
        &String::from_utf8(output.stderr).unwrap(),
    );
}

#[test]
fn clean() {
    decode("clean", &[], "clean");
}

#[test]
fn ring_drops() {
    decode("ring_drops", &[], "ring_drops");
}

#[test]
fn link_loss() {
    decode("link_loss", &[], "link_loss");
}

#[test]
fn corruption() {
    decode("corruption", &[], "corruption");
}

#[test]
fn reset() {
    decode("reset", &[], "reset");
}

#[test]
fn wrap() {
    decode("wrap", &[], "wrap");
}

#[test]
fn not_ph_eventing_is_named_and_decoding_goes_on() {
    decode("not_ph_eventing", &[], "not_ph_eventing");
}

#[test]
fn json_records() {
    decode("ring_drops", &["--format", "json"], "ring_drops.json");
}

#[test]
fn csv_records() {
    decode("corruption", &["--format", "csv"], "corruption.csv");
}

#[test]
fn colour_forced() {
    decode("reset", &["--color", "always"], "reset.color");
}

/// The wire crate's example capture holds a frame that arrived twice: it is said once as a
/// DUPLICATE and neither shown nor counted as a second value (the frames ph-tap counts are the
/// wire crate's).
#[test]
fn duplicate_frame_is_said_once_and_not_counted() {
    let capture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../ph-eventing-wire/examples/data/capture.bin");
    let run = |format: &str| {
        let output = Command::cargo_bin("ph-tap")
            .unwrap()
            .args(["decode", "--color", "never", "--format", format])
            .arg(&capture)
            .output()
            .unwrap();
        assert!(output.status.success());
        (
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    };
    let (human, summary) = run("human");
    check_snapshot("wire_example.out", &human);
    check_snapshot("wire_example.err", &summary);
    assert_eq!(human.matches("DUPLICATE (seq 31)").count(), 1, "{human}");
    assert_eq!(human.matches("        31  ").count(), 1, "{human}");
    assert!(summary.contains("frames          29\n"), "{summary}");
    let (json, _) = run("json");
    assert!(json.contains(r#"{"type":"duplicate","seq":31}"#), "{json}");
    let last: serde_json::Value = serde_json::from_str(json.lines().last().unwrap()).unwrap();
    assert_eq!(last["frames"], 29);
}

#[test]
fn stdin_is_the_default_input() {
    let capture = std::fs::read(data("clean.bin")).unwrap();
    let output = Command::cargo_bin("ph-tap")
        .unwrap()
        .args(["decode", "--color", "never"])
        .write_stdin(capture)
        .output()
        .unwrap();
    assert!(output.status.success());
    let expected = std::fs::read_to_string(data("clean.out")).unwrap();
    assert_eq!(String::from_utf8(output.stdout).unwrap(), expected);
}

/// The committed captures are exactly what the generator (real ring + real encoder) makes.
#[test]
fn captures_match_their_generator() {
    for (name, bytes) in scenarios::captures().unwrap() {
        let committed = std::fs::read(data(&format!("{name}.bin"))).unwrap();
        assert!(
            committed == bytes,
            "{name}.bin differs from the generator: run `cargo run -p ph-tap-cli --example gen-captures`"
        );
    }
}

/// Every frame of every capture, fed one byte at a time, gives the same records as one read.
/// The not-ph-eventing warning comes once either way; it says how many bytes had arrived when
/// it was given, which depends on the chunks.
#[test]
fn chunking_does_not_change_the_records() {
    let split = |bodies: Vec<Body>| -> (Vec<Body>, usize) {
        let warnings = bodies
            .iter()
            .filter(|b| matches!(b, Body::Warning(_)))
            .count();
        let rest = bodies
            .into_iter()
            .filter(|b| !matches!(b, Body::Warning(_)))
            .collect();
        (rest, warnings)
    };
    for (name, bytes) in scenarios::captures().unwrap() {
        let mut whole = Vec::new();
        PhEventingDecoder::new(ValueAs::Hex).feed(&bytes, &mut |r| whole.push(r));
        let mut bytewise = Vec::new();
        let mut decoder = PhEventingDecoder::new(ValueAs::Hex);
        for b in bytes.chunks(1) {
            decoder.feed(b, &mut |r| bytewise.push(r));
        }
        let (whole, whole_warnings) = split(whole);
        let (bytewise, bytewise_warnings) = split(bytewise);
        assert_eq!(whole, bytewise, "{name}");
        let expected = usize::from(name == "not_ph_eventing");
        assert_eq!(
            (whole_warnings, bytewise_warnings),
            (expected, expected),
            "{name}"
        );
    }
}

/// Without a hello (no schema), values follow `--value-as` (hex by default).
#[test]
fn value_as_without_schema() {
    let capture = std::fs::read(data("clean.bin")).unwrap();
    // Drop the boot delimiter and the hello frame: everything up to the second 0x00.
    let hello_end = capture.iter().skip(1).position(|&b| b == 0).unwrap() + 1;
    let no_hello = capture[hello_end + 1..].to_vec();
    let run = |extra: &[&str]| {
        let out = Command::cargo_bin("ph-tap")
            .unwrap()
            .args(["decode", "--color", "never"])
            .args(extra)
            .write_stdin(no_hello.clone())
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let hex = run(&[]);
    assert!(
        hex.starts_with("         1  000000\n         2  010000\n"),
        "{hex}"
    );
    // `Reading` starts with its u8 channel: as u8, postcard reads that first byte.
    let as_u8 = run(&["--value-as", "u8"]);
    assert!(
        as_u8.starts_with("         1  0\n         2  1\n         3  2\n"),
        "{as_u8}"
    );
    let json = run(&["--value-as", "u32", "--format", "json"]);
    let first: serde_json::Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
    assert_eq!(
        first,
        serde_json::json!({"type": "event", "seq": 1, "value": 0})
    );
}
