//! `ph-tap decode` decodes on a thread of its own: its output must be byte for byte what the
//! one-thread run (`--one-thread`, decoding between the sinks' calls) writes, stdout and stderr
//! (the summary included), for every committed capture and each format.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use ph_tap::demo::{DemoConfig, DemoSource};

/// Every `.bin` file under `dir`, however deep.
fn captures_in(dir: &Path, found: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            captures_in(&path, found);
        } else if path.extension().is_some_and(|e| e == "bin") {
            found.push(path);
        }
    }
}

/// The committed captures: ph-tap's test data and the wire crate's example captures.
fn committed_captures() -> Vec<PathBuf> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    captures_in(&here.join("tests/data"), &mut found);
    captures_in(&here.join("../ph-eventing-wire/examples/data"), &mut found);
    assert!(found.len() >= 10, "{found:?}");
    found
}

fn decode(capture: &Path, args: &[&str], one_thread: bool) -> (i32, Vec<u8>, Vec<u8>) {
    let mut cmd = Command::cargo_bin("ph-tap").unwrap();
    cmd.arg("decode")
        .arg(capture)
        .args(["--color", "never"])
        .args(args);
    if one_thread {
        cmd.arg("--one-thread");
    }
    let output = cmd.output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        output.stdout,
        output.stderr,
    )
}

/// Both runs of `capture` with `args`: the same exit status and the same bytes on both
/// streams.
fn same_output(capture: &Path, args: &[&str]) {
    let threads = decode(capture, args, false);
    let one = decode(capture, args, true);
    let what = format!("{} {}", capture.display(), args.join(" "));
    assert_eq!(threads.0, one.0, "exit status of {what}");
    assert!(
        threads.1 == one.1,
        "stdout of {what} differs:\n{}\n---\n{}",
        String::from_utf8_lossy(&threads.1),
        String::from_utf8_lossy(&one.1)
    );
    assert!(
        threads.2 == one.2,
        "stderr of {what} differs:\n{}\n---\n{}",
        String::from_utf8_lossy(&threads.2),
        String::from_utf8_lossy(&one.2)
    );
    assert!(!threads.2.is_empty(), "{what}: the summary is on stderr");
}

const FORMATS: [&[&str]; 5] = [
    &[],
    &["--format", "json"],
    &["--format", "csv"],
    &["--no-time"],
    &["--format", "json", "--stream", "0"],
];

#[test]
fn every_committed_capture_in_every_format() {
    for capture in committed_captures() {
        for args in FORMATS {
            same_output(&capture, args);
        }
    }
}

/// A capture of many read chunks (16 KiB each) with every kind of trouble on three streams:
/// losses, damage, unplaced frames, a reset, crossing chunk boundaries everywhere.
#[test]
fn a_long_troubled_capture_of_three_streams() {
    let bytes = DemoSource::new(DemoConfig {
        count: 60_000,
        streams: true,
        ..DemoConfig::default()
    })
    .run_to_end()
    .unwrap();
    assert!(bytes.len() > 20 * 16 * 1024, "{} bytes", bytes.len());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.bin");
    std::fs::write(&path, bytes).unwrap();
    for args in FORMATS {
        same_output(&path, args);
    }
}
