//! `ph-tap demo`: the newcomer's first command. Deterministic for a seed, so it is a snapshot.

mod common;

use assert_cmd::Command;
use common::check_snapshot;

fn demo(extra: &[&str]) -> std::process::Output {
    Command::cargo_bin("ph-tap")
        .unwrap()
        .args(["demo", "--tick-ms", "0", "--no-time", "--color", "never"])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn default_demo_shows_every_kind_of_event() {
    let out = demo(&[]);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    for marker in [
        "HELLO boot",
        "RING DROP ",
        "LINK LOSS ",
        "CORRUPT FRAME",
        "TARGET RESET",
        "SEQ WRAP",
    ] {
        assert!(stdout.contains(marker), "demo output lacks {marker}");
    }
    check_snapshot("demo.out", &stdout);
    check_snapshot("demo.err", &String::from_utf8(out.stderr).unwrap());
}

/// The default demo's link carries three streams, each named on its lines: the `readings` ring
/// drops in bursts, the slow `battery` ring keeps up, and the lossless `events` queue never
/// drops, it refuses (its fault storm), and the summary has a row per stream.
#[test]
fn default_demo_shows_three_streams_one_of_them_lossless() {
    let out = demo(&["--format", "json", "--no-status"]);
    assert!(out.status.success());
    let records: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let of = |stream: &str, kind: &str| {
        records
            .iter()
            .filter(|r| r["stream"] == stream && r["type"] == kind)
            .count()
    };
    for stream in ["readings", "battery", "events"] {
        assert!(of(stream, "event") > 0, "{stream} shows values");
        assert_eq!(of(stream, "hello"), 2, "{stream}: one hello per boot");
        assert_eq!(of(stream, "target_reset"), 1, "{stream} sees the reset");
    }
    assert!(of("readings", "ring_drop") > 0);
    assert_eq!(of("events", "ring_drop"), 0, "a queue never drops");
    assert_eq!(of("events", "refused"), 1, "the fault storm");
    let summary = records.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["resets"], 1, "one reset, seen by every stream");
    let rows: Vec<(&str, &str)> = summary["streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["stream"].as_str().unwrap(), s["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rows,
        [
            ("readings", "ring"),
            ("battery", "ring"),
            ("events", "queue")
        ]
    );
    let refused: u64 = records
        .iter()
        .filter(|r| r["type"] == "refused")
        .map(|r| r["count"].as_u64().unwrap())
        .sum();
    assert_eq!(summary["streams"][2]["refused"], refused);
    // `--single-stream`: the readings alone, unnamed, as a version 2 firmware sent them.
    let one = demo(&["--single-stream", "--count", "50"]);
    let text = String::from_utf8(one.stdout).unwrap();
    assert!(text.starts_with("HELLO boot"), "{text}");
    assert!(!text.contains("events"));
}

#[test]
fn another_seed_gives_another_run() {
    let a = demo(&["--seed", "2", "--count", "200"]);
    let b = demo(&["--seed", "3", "--count", "200"]);
    assert_ne!(a.stdout, b.stdout);
    assert_eq!(a.stdout, demo(&["--seed", "2", "--count", "200"]).stdout);
}

#[test]
fn saved_demo_replays_identically_with_decode() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("demo.bin");
    let live = demo(&["--save", saved.to_str().unwrap()]);
    assert!(live.status.success());
    let replay = Command::cargo_bin("ph-tap")
        .unwrap()
        .args(["decode", "--color", "never"])
        .arg(&saved)
        .output()
        .unwrap();
    assert!(replay.status.success());
    assert_eq!(live.stdout, replay.stdout);
    assert_eq!(live.stderr, replay.stderr);
}

#[test]
fn csv_has_a_header_and_stable_columns() {
    let out = demo(&["--count", "50", "--format", "csv"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "type,seq,value,count,first_seq,last_seq,boot_id,reason,t,stream,stream_id"
    );
    assert!(lines.all(|l| !l.is_empty()));
}

/// `ph-tap demo | head`: the reader going away is a normal way to stop (exit 0, no error).
#[cfg(unix)]
#[test]
fn closed_stdout_is_a_quiet_stop() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command as Std, Stdio};
    let mut child = Std::new(assert_cmd::cargo::cargo_bin("ph-tap"))
        .args(["demo", "--tick-ms", "1", "--count", "100000", "--no-status"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("HELLO"), "{first}");
    // The reader is dropped here: the next writes hit a closed pipe.
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("error"));
}

#[test]
fn odd_demo_arguments_do_not_panic() {
    for args in [
        &["--count", "0"][..],
        &["--count", "3", "--first-seq", "0"][..],
        &["--count", "20", "--link-loss", "5000", "--corrupt", "5000"][..],
        &[
            "--count",
            "20",
            "--first-seq",
            "4294967295",
            "--no-reset",
            "--no-bursts",
        ][..],
    ] {
        let out = demo(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("--- ph-tap summary ---"));
    }
}
