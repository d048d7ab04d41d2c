//! Captures through the `ph-tap` binary: a capture of several channels (written here with the
//! library's writer) decodes with every channel's records in the order their chunks arrived,
//! from a file or from stdin, as pure JSON lines with `--format json`; a capture cut short warns
//! once and exits 0; a damaged one is one error line after the records before the damage.

mod common;

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use common::{channel_records, data, json_records, scenarios};
use ph_tap::capture::CaptureWriter;
use ph_tap::channel::{Channel, ChannelKind};
use ph_tap::decode::{DecoderOptions, for_channel};
use ph_tap::record::{ChannelId, Record};
use ph_tap::router::Router;
use ph_tap::sink::{HumanSink, JsonSink, Sink, Stats};

/// The channels of the capture: two telemetry streams and a text channel.
fn channels() -> Vec<Channel> {
    vec![
        Channel {
            id: 0,
            name: Some("ph-eventing".into()),
            kind: ChannelKind::PhEventing,
        },
        Channel {
            id: 2,
            name: Some("Terminal".into()),
            kind: ChannelKind::Text,
        },
        Channel {
            id: 3,
            name: Some("ph-eventing-b".into()),
            kind: ChannelKind::PhEventing,
        },
    ]
}

/// The chunks: the demo's clean capture on channel 0 and its ring-drops capture on channel 3,
/// in reads of 23 bytes taking turns, a text line on channel 2 every fourth turn, 1.5 ms apart.
fn chunks() -> Vec<(ChannelId, Duration, Vec<u8>)> {
    let captures = scenarios::captures().unwrap();
    let (clean, drops) = (&captures[0].1, &captures[1].1);
    let mut chunks = Vec::new();
    let mut t = Duration::ZERO;
    for k in 0..clean.len().max(drops.len()).div_ceil(23) {
        for (channel, bytes) in [(0, clean), (3, drops)] {
            let piece = &bytes[(k * 23).min(bytes.len())..((k + 1) * 23).min(bytes.len())];
            if !piece.is_empty() {
                t += Duration::from_micros(1500);
                chunks.push((channel, t, piece.to_vec()));
            }
        }
        if k % 4 == 1 {
            t += Duration::from_micros(250);
            chunks.push((2, t, format!("[INFO] turn {k}\r\n").into_bytes()));
        }
    }
    chunks
}

/// The capture of [`chunks`], ended 7 ms after the last one.
fn capture() -> Vec<u8> {
    let chunks = chunks();
    capture_of(
        &chunks,
        Some(chunks.last().unwrap().1 + Duration::from_millis(7)),
    )
}

/// The capture of `chunks`, with an end record at `end`.
fn capture_of(chunks: &[(ChannelId, Duration, Vec<u8>)], end: Option<Duration>) -> Vec<u8> {
    let mut writer = CaptureWriter::new(Vec::new(), &channels()).unwrap();
    for (channel, at, data) in chunks {
        writer.chunk(*channel, *at, data).unwrap();
    }
    if let Some(end) = end {
        writer.end(end).unwrap();
    }
    writer.into_inner()
}

/// The records of the chunks fed to a router by hand, in order, each channel decoded by its
/// kind's decoder: what a live run showed.
fn live_records(times: bool) -> Vec<Record> {
    let channels = channels();
    let mut router = Router::new(Box::new(move |id| {
        let channel = channels.iter().find(|c| c.id == id).unwrap().clone();
        for_channel(&channel, &DecoderOptions::default())
    }));
    let mut records = Vec::new();
    for (channel, at, data) in chunks() {
        router.feed(channel, &data, times.then_some(at), &mut records);
    }
    router.finish(&mut records);
    records
}

fn ph_tap() -> Command {
    let mut cmd = Command::cargo_bin("ph-tap").unwrap();
    cmd.timeout(Duration::from_secs(60));
    cmd
}

/// `ph-tap decode FILE ARGS`: stdout and stderr, after checking the exit code.
fn decode(path: &Path, args: &[&str], code: i32) -> (String, String) {
    let out = ph_tap()
        .arg("decode")
        .arg(path)
        .args(["--color", "never", "--no-status"])
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

fn file_with(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn every_channel_decodes_in_arrival_order_as_pure_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(&dir, "three.cap", &capture());
    let (stdout, _) = decode(&path, &["--format", "json"], 0);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l:?}: {e}")))
        .collect();
    let (summary, records) = lines.split_last().unwrap();
    assert_eq!(summary["type"], "summary");
    // The recorded span: 7 ms after the last chunk.
    let last = chunks().last().unwrap().1 + Duration::from_millis(7);
    assert_eq!(summary["duration_s"], last.as_secs_f64());
    // The same records in the same order as the chunks fed to the router as they arrived,
    // with their recorded times.
    let want: Vec<serde_json::Value> = live_records(true)
        .iter()
        .filter(|r| !matches!(r.body, ph_tap::record::Body::Warning(_)))
        .map(|r| JsonSink::<Vec<u8>>::object(r, true))
        .collect();
    assert_eq!(records, want);
    // Both telemetry channels are there, interleaved, each exactly as decoded alone.
    let of = |channel| channel_records(records, channel, &["channel", "t"]);
    let alone = json_records("ring_drops.json.out");
    assert_eq!(of(3), alone);
    let clean = decode(&data("clean.bin"), &["--format", "json"], 0).0;
    let clean: Vec<serde_json::Value> = clean
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|r: &serde_json::Value| r["type"] != "summary")
        .collect();
    assert_eq!(of(0), clean);
    let first = |channel: u64| records.iter().position(|r| r["channel"] == channel);
    let last = |channel: u64| records.iter().rposition(|r| r["channel"] == channel);
    assert!(
        first(3) < last(0) && first(0) < last(3),
        "channels 0 and 3 interleave"
    );
    // Times as recorded: each record has the time of the chunk that completed it.
    let times: Vec<f64> = chunks().iter().map(|c| c.1.as_secs_f64()).collect();
    assert!(
        records
            .iter()
            .all(|r| times.contains(&r["t"].as_f64().unwrap()))
    );
}

#[test]
fn human_lines_name_their_channel_and_stdin_gives_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = capture();
    let path = file_with(&dir, "three.cap", &bytes);
    let (stdout, stderr) = decode(&path, &["--no-time"], 0);
    // What the human format prints for the records a live run made.
    let want = |times: bool| -> String {
        let mut out = Vec::new();
        let mut sink = HumanSink::new(&mut out, false, true).channels(&channels());
        for record in live_records(times) {
            sink.record(&record).unwrap();
        }
        sink.finish(&Stats::default()).unwrap();
        drop(sink);
        String::from_utf8(out).unwrap()
    };
    assert_eq!(stdout, want(false));
    assert!(stdout.contains("[ph-eventing]   HELLO"), "{stdout}");
    assert!(stdout.contains("\n[ph-eventing-b] HELLO"), "{stdout}");
    assert!(
        stdout.contains("[Terminal]      [INFO] turn 1\n"),
        "{stdout}"
    );
    assert!(stderr.contains("--- channel 3 ---\n"), "{stderr}");
    assert!(!stderr.contains("duration"), "--no-time: {stderr}");
    let from_stdin = ph_tap()
        .args([
            "decode",
            "-",
            "--no-time",
            "--color",
            "never",
            "--no-status",
        ])
        .write_stdin(bytes.clone())
        .output()
        .unwrap();
    assert!(from_stdin.status.success());
    assert_eq!(String::from_utf8(from_stdin.stdout).unwrap(), stdout);
    assert_eq!(String::from_utf8(from_stdin.stderr).unwrap(), stderr);
    // With times: the recorded ones, and the recorded duration.
    let (timed, stderr) = decode(&path, &[], 0);
    assert_eq!(timed, want(true));
    // The clean capture's hello ends at its 70th byte (wire version 3: 4 bytes more than 2), in
    // channel 0's fourth chunk of 23 bytes, recorded at 10.75 ms.
    let hello = timed.lines().find(|l| l.contains("HELLO")).unwrap();
    assert!(hello.ends_with("  +0.011s"), "{timed}");
    assert!(stderr.contains("duration        "), "{stderr}");
}

#[test]
fn decode_save_of_a_capture_writes_the_same_capture() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = capture();
    let path = file_with(&dir, "three.cap", &bytes);
    let again = dir.path().join("again.cap");
    let out = ph_tap()
        .args(["decode", "--no-status", "--save"])
        .arg(&again)
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(std::fs::read(&again).unwrap(), bytes);
}

#[test]
fn a_capture_cut_short_decodes_what_is_complete_and_warns_once() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = capture();
    // The whole capture but for the last bytes of the end record and a chunk: cut at every
    // length within the last 30 bytes.
    let whole = decode(&file_with(&dir, "whole.cap", &bytes), &["--no-time"], 0).0;
    for len in bytes.len() - 30..bytes.len() {
        let (stdout, stderr) = decode(
            &file_with(&dir, "cut.cap", &bytes[..len]),
            &["--no-time"],
            0,
        );
        let warnings: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("warning:"))
            .collect();
        let cut = warnings.iter().filter(|w| w.contains("cut short")).count();
        assert!(cut <= 1, "{stderr}");
        assert!(whole.starts_with(&stdout), "cut at {len}");
        assert!(stderr.contains("--- ph-tap summary ---"), "{stderr}");
        assert!(!stderr.contains("error"), "{stderr}");
    }
    // Cut inside the last chunk: exactly one warning, and the JSON stays JSON.
    let chunks = chunks();
    let before = capture_of(&chunks[..chunks.len() - 1], None).len();
    let len = bytes.len() - 10;
    assert!(len > before);
    let path = file_with(&dir, "cut.cap", &bytes[..len]);
    let (_, stderr) = decode(&path, &["--no-time"], 0);
    let warning = stderr
        .lines()
        .find(|l| l.contains("cut short"))
        .unwrap()
        .to_owned();
    assert_eq!(
        warning,
        format!(
            "warning: capture {} ends inside a record, cut short after {} bytes (by a crash or a full disk?): that record is left out, everything before it was read",
            path.display(),
            len - before
        )
    );
    let (json, _) = decode(&path, &["--format", "json", "--no-time"], 0);
    let records: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let skipped: Vec<&serde_json::Value> = records
        .iter()
        .filter(|r| r["type"] == "capture_skipped")
        .collect();
    assert_eq!(skipped.len(), 1, "{json}");
    assert_eq!(
        format!("warning: {}", skipped[0]["reason"].as_str().unwrap()),
        warning
    );
}

#[test]
fn a_damaged_capture_is_one_error_line_after_what_came_before() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = capture();
    let whole = decode(&file_with(&dir, "whole.cap", &bytes), &["--no-time"], 0).0;
    // The record type of a chunk in the middle, made one of a newer ph-tap.
    let header = CaptureWriter::new(Vec::new(), &channels())
        .unwrap()
        .into_inner()
        .len();
    let mut at = header;
    for _ in 0..40 {
        assert_eq!(bytes[at], 0x02);
        let len = usize::from(bytes[at + 1]);
        at += 2 + len;
    }
    bytes[at] = 0x33;
    let path = file_with(&dir, "damaged.cap", &bytes);
    let (stdout, stderr) = decode(&path, &["--no-time"], 1);
    assert!(!stdout.is_empty() && whole.starts_with(&stdout));
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(
        errors,
        [format!(
            "error: capture {} is damaged at byte {at} (a record of type 0x33, which this ph-tap does not know: upgrade ph-tap): everything before it was read; was it changed after ph-tap wrote it?",
            path.display()
        )]
    );
    assert!(stderr.contains("--- ph-tap summary ---"), "{stderr}");

    // A newer format version: nothing decoded, one line.
    let mut newer = capture();
    newer[8] = 2;
    let path = file_with(&dir, "newer.cap", &newer);
    let (stdout, stderr) = decode(&path, &[], 1);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        format!(
            "error: {} is a ph-tap capture of format version 2, and this ph-tap reads version 1: upgrade ph-tap\n",
            path.display()
        )
    );
}

/// A capture of a defmt channel beside telemetry (the defmt fixture's real frames, interleaved
/// with the clean capture's values) decodes with `--elf` to exactly the committed mixed
/// output, log lines between values as their chunks came; without `--elf`, the telemetry is
/// the same and the defmt channel is one warning.
#[test]
fn decode_elf_of_a_capture_with_a_defmt_channel() {
    use common::defmt as fixture;

    let telemetry = std::fs::read(data("clean.bin")).unwrap();
    let frames = fixture::encoded_frames();
    let mut writer = CaptureWriter::new(Vec::new(), &fixture::channels()).unwrap();
    let mut t = Duration::ZERO;
    // As tests/defmt.rs's mixed output: the hello and a few values, a log frame, more values...
    for (frame, values) in frames[..4].iter().zip(telemetry[..240].chunks(80)) {
        t += Duration::from_millis(2);
        writer.chunk(1, t, values).unwrap();
        writer.chunk(0, t, &[&frame[..], &[0]].concat()).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(&dir, "mixed.cap", &writer.into_inner());
    let elf = data("defmt/fixture.elf");
    let elf = elf.to_str().unwrap();
    let (stdout, _) = decode(&path, &["--no-time", "--elf", elf], 0);
    assert_eq!(
        stdout,
        std::fs::read_to_string(data("defmt/mixed.out")).unwrap()
    );
    let (json, _) = decode(&path, &["--no-time", "--format", "json", "--elf", elf], 0);
    let kinds: Vec<(u64, String)> = json
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|r| r["type"] != "summary")
        .map(|r| {
            (
                r["channel"].as_u64().unwrap(),
                r["type"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(kinds.contains(&(0, "log".to_owned())), "{kinds:?}");
    assert!(kinds.contains(&(1, "event".to_owned())), "{kinds:?}");
    // Without the ELF: the same values, and the defmt channel said once.
    let (plain, stderr) = decode(&path, &["--no-time"], 0);
    let values = |out: &str| -> Vec<String> {
        out.lines()
            .filter(|l| l.starts_with("[ph-eventing]"))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(values(&plain), values(&stdout));
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.starts_with("warning: channel 0 'defmt' is not decoded"))
            .count(),
        1,
        "{stderr}"
    );
}
