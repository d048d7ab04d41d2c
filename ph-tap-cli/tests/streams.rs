//! A link of three streams (`samples` and `housekeeping` rings, an `events` queue), drained by
//! the real `drain::link::Link` into the committed `tests/data/streams.bin` (with ring drops,
//! refusals and one damaged frame): every line names its stream, `--stream` shows only the
//! chosen ones while the summary still counts all, and the per-stream numbers are what the
//! drainers reported.

mod common;

use assert_cmd::Command;
use common::{data, scenarios};

/// `ph-tap decode streams.bin ARGS`: stdout and stderr (exit status 0).
fn decode(args: &[&str]) -> (String, String) {
    let out = Command::cargo_bin("ph-tap")
        .unwrap()
        .arg("decode")
        .arg(data("streams.bin"))
        .args(["--color", "never", "--no-status"])
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

#[test]
fn the_capture_is_what_the_generator_makes() {
    let committed = std::fs::read(data("streams.bin")).unwrap();
    assert!(
        committed == scenarios::streams().0,
        "streams.bin differs from the generator: run `cargo run -p ph-tap-cli --example gen-captures`"
    );
}

#[test]
fn every_line_names_its_stream_and_each_loss_says_whose() {
    let (out, err) = decode(&[]);
    assert!(
        out.contains("samples  HELLO boot 0x5eed3003, wire v3, value u16\n"),
        "{out}"
    );
    assert!(
        out.contains("\nevents        REFUSED 2 (seq 6..7, the queue was full)\n"),
        "{out}"
    );
    assert!(
        out.contains("\nsamples       RING DROP 6 (seq 31..36)\n"),
        "{out}"
    );
    // The damaged frame belongs to no stream it could be told of: no label.
    assert!(
        out.contains("\nCORRUPT FRAME (checksum mismatch)\n"),
        "{out}"
    );
    // The lossless stream never shows a ring drop; the rings never a refusal.
    for line in out.lines() {
        assert!(
            !(line.starts_with("events") && line.contains("RING DROP")),
            "{line}"
        );
        assert!(
            !(line.starts_with("samples") && line.contains("REFUSED")),
            "{line}"
        );
    }
    assert!(err.contains("--- streams ---\n"), "{err}");
    assert!(
        err.lines()
            .any(|l| l.starts_with("events") && l.contains("queue") && l.contains("2 refused")),
        "{err}"
    );
    assert!(
        err.contains("refused         2 in 1 burst (a queue was full)"),
        "{err}"
    );
}

#[test]
fn the_summary_numbers_are_the_drainers() {
    let (_, counts) = scenarios::streams();
    let (out, _) = decode(&["--format", "json"]);
    let summary: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    let streams = summary["streams"].as_array().unwrap();
    assert_eq!(streams.len(), 3, "{summary}");
    let names = ["samples", "housekeeping", "events"];
    for (id, (s, counted)) in streams.iter().zip(counts).enumerate() {
        assert_eq!(s["stream_id"], id, "{s}");
        assert_eq!(s["stream"], names[id], "{s}");
        let n = |f: &str| s[f].as_u64().unwrap();
        // Every item the drainer read arrived, was lost on the link, or could not be placed.
        assert_eq!(
            n("frames") + n("link_losses") + n("unplaced"),
            counted.read,
            "{s}"
        );
        let target = if id == 2 { "refused" } else { "ring_drops" };
        assert_eq!(n(target), counted.dropped, "{s}");
        assert_eq!(s["kind"], if id == 2 { "queue" } else { "ring" }, "{s}");
    }
    assert!(counts[0].dropped > 0 && counts[2].dropped > 0, "{counts:?}");
    let total: u64 = streams.iter().map(|s| s["frames"].as_u64().unwrap()).sum();
    assert_eq!(summary["frames"], total);
    assert_eq!(summary["corrupt_frames"], 1);
    // Each record of a stream carries it, by name and id; a damaged frame carries none.
    for line in out.lines().filter(|l| !l.contains(r#""type":"summary""#)) {
        let r: serde_json::Value = serde_json::from_str(line).unwrap();
        if r["type"] == "corrupt_frame" {
            assert!(r.get("stream").is_none(), "{r}");
        } else {
            let id = r["stream_id"].as_u64().unwrap() as usize;
            assert_eq!(r["stream"], names[id], "{r}");
        }
    }
}

#[test]
fn stream_filter_shows_only_the_chosen_streams_and_counts_all() {
    let (all, all_err) = decode(&[]);
    let (out, err) = decode(&["--stream", "events", "--stream", "1"]);
    assert!(!out.is_empty());
    for line in out.lines() {
        assert!(
            line.starts_with("events")
                || line.starts_with("housekeeping")
                || line.starts_with("CORRUPT"),
            "{line}"
        );
    }
    let of = |text: &str, name: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with(name))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(of(&out, "events"), of(&all, "events"));
    assert_eq!(of(&out, "housekeeping"), of(&all, "housekeeping"));
    // The summary counts everything, and says what was hidden.
    let totals = |e: &str| e.split("--- streams ---").next().unwrap().to_owned();
    assert_eq!(totals(&err), totals(&all_err));
    let samples_row = err.lines().find(|l| l.starts_with("samples")).unwrap();
    assert!(samples_row.ends_with("(hidden by --stream)"), "{err}");
    let events_row = err.lines().find(|l| l.starts_with("events")).unwrap();
    assert!(!events_row.contains("hidden"), "{err}");
    // JSON and CSV: the same records.
    let (json, _) = decode(&["--stream", "events", "--format", "json"]);
    let summary: serde_json::Value = serde_json::from_str(json.lines().last().unwrap()).unwrap();
    assert_eq!(summary["streams"][0]["shown"], false);
    assert_eq!(summary["streams"][2]["shown"], true);
    let (csv, _) = decode(&["--stream", "events", "--format", "csv"]);
    let mut rows = csv.lines();
    assert!(rows.next().unwrap().ends_with(",stream,stream_id"));
    for row in rows {
        assert!(
            row.ends_with(",events,2") || row.starts_with("corrupt_frame,"),
            "{row}"
        );
    }
}

#[test]
fn a_stream_never_seen_is_one_warning_at_the_end() {
    let (out, err) = decode(&["--stream", "faults"]);
    // Nothing of any stream matched: only the damaged frame, which belongs to none.
    assert_eq!(out, "CORRUPT FRAME (checksum mismatch)\n");
    let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(
        warnings,
        [
            "warning: --stream faults matched no stream; the streams seen: samples (0), housekeeping (1), events (2) (give a name or an id of one of them)"
        ],
        "{err}"
    );
}
