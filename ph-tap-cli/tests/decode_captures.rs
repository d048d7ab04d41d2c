//! `ph-tap decode` over the committed captures in `tests/data/`, compared with the committed
//! expected outputs (`NAME.out` = stdout, `NAME.err` = stderr).
//!
//! After an intended output change: `PH_TAP_BLESS=1 cargo test -p ph-tap-cli --test decode_captures`
//! rewrites the expected files; review the diff before committing.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn check_snapshot(name: &str, actual: &str) {
    let path = data(name);
    if std::env::var_os("PH_TAP_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing {}: run with PH_TAP_BLESS=1 to create it",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "output differs from {}\n--- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    );
}

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
    for (name, bytes) in ph_tap::demo::scenarios::captures().unwrap() {
        let committed = std::fs::read(data(&format!("{name}.bin"))).unwrap();
        assert!(
            committed == bytes,
            "{name}.bin differs from the generator: run `cargo run -p ph-tap-cli --example gen-captures`"
        );
    }
}

/// Every frame of every capture, fed one byte at a time, gives the same records as one read.
#[test]
fn chunking_does_not_change_the_records() {
    use ph_tap::decode::Decoder;
    use ph_tap::value::ValueAs;
    for (name, bytes) in ph_tap::demo::scenarios::captures().unwrap() {
        let mut whole = Vec::new();
        Decoder::new(ValueAs::Hex).feed(&bytes, |r| whole.push(r));
        let mut bytewise = Vec::new();
        let mut decoder = Decoder::new(ValueAs::Hex);
        for b in bytes.chunks(1) {
            decoder.feed(b, |r| bytewise.push(r));
        }
        assert_eq!(whole, bytewise, "{name}");
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
