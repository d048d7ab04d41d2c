//! Running `ph-tap` and reading its JSON records: the firmware's values and what was reported.

use std::time::Duration;

use serde_json::Value;

/// Longest `ph-tap` may take on a capture.
const PH_TAP_TIMEOUT: Duration = Duration::from_secs(120);

/// The options every run here adds: JSON records, deterministic (no times, no status line, no
/// colour).
pub(crate) const JSON_OUTPUT: [&str; 6] = [
    "--format",
    "json",
    "--no-time",
    "--no-status",
    "--color",
    "never",
];

/// Runs `ph-tap ARGS` with `stdin` and returns its JSON records.
pub(crate) fn ph_tap(args: &[&str], stdin: &[u8]) -> Vec<Value> {
    let output = assert_cmd::Command::cargo_bin("ph-tap")
        .expect("the ph-tap binary")
        .args(args)
        .args(JSON_OUTPUT)
        .write_stdin(stdin.to_vec())
        .timeout(PH_TAP_TIMEOUT)
        .output()
        .expect("run ph-tap");
    assert!(
        output.status.success(),
        "ph-tap {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    parse_records(&output.stdout)
}

/// The bytes of up channel `channel` in the `--save` capture at `path` (a run that read several
/// channels saves them all in one capture, `docs/CAPTURE.md`).
pub(crate) fn saved_channel(path: &std::path::Path, channel: usize) -> Vec<u8> {
    let file = std::fs::File::open(path).expect("the --save file");
    ph_tap::capture::channel_bytes(file, "the --save file", channel).expect("a --save capture")
}

pub(crate) fn decode(bytes: &[u8]) -> Vec<Value> {
    ph_tap(&["decode", "-"], bytes)
}

/// The JSON records of ph-tap's stdout, one per line.
pub(crate) fn parse_records(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8(stdout.to_vec())
        .expect("ph-tap prints UTF-8")
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|e| panic!("bad JSON line {line:?}: {e}"))
        })
        .collect()
}

/// One `Sample` as decoded through the stream's schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sample {
    pub(crate) counter: u64,
    pub(crate) sensor_mc: i64,
    pub(crate) timestamp_us: u64,
}

/// The firmware's `Summary`, as decoded through the stream's schema: the `samples` stream's
/// counts, then the other streams'.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Summary {
    pub(crate) samples: u64,
    pub(crate) delivered: u64,
    pub(crate) ring_dropped: u64,
    pub(crate) link_skipped: u64,
    pub(crate) hellos_sent: u64,
    pub(crate) housekeeping: StreamCounts,
    pub(crate) events: StreamCounts,
}

/// One stream's part of the firmware's `Summary`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct StreamCounts {
    pub(crate) pushed: u64,
    pub(crate) delivered: u64,
    /// Ring drops, or a queue's refusals.
    pub(crate) dropped: u64,
    pub(crate) link_skipped: u64,
    pub(crate) hellos_sent: u64,
}

/// The firmware's streams (`firmware-demo/src/app.rs`): ids as their frames carry them.
pub(crate) const SAMPLES: u64 = 0;
pub(crate) const HOUSEKEEPING: u64 = 1;
pub(crate) const EVENTS: u64 = 2;

/// The records of stream `id`, and those of no stream (damaged frames, the source's events,
/// ph-tap's summary): what a link that carried stream `id` alone would show.
pub(crate) fn of_stream(records: &[Value], id: u64) -> Vec<Value> {
    records
        .iter()
        .filter(|r| r.get("stream_id").is_none_or(|s| s.as_u64() == Some(id)))
        .cloned()
        .collect()
}

/// The item variant of one event's value: `{"Sample": {..}}` or `{"Summary": {..}}`.
fn variant<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    value.as_object().filter(|o| o.len() == 1)?.get(name)
}

pub(crate) fn field(value: &Value, name: &str) -> u64 {
    value[name]
        .as_u64()
        .unwrap_or_else(|| panic!("field {name} missing in {value}"))
}

pub(crate) fn sample(value: &Value) -> Option<Sample> {
    let v = variant(value, "Sample")?;
    Some(Sample {
        counter: field(v, "counter"),
        sensor_mc: v["sensor_mc"].as_i64().expect("sensor_mc"),
        timestamp_us: field(v, "timestamp_us"),
    })
}

pub(crate) fn summary(value: &Value) -> Option<Summary> {
    let v = variant(value, "Summary")?;
    Some(Summary {
        samples: field(v, "samples"),
        delivered: field(v, "delivered"),
        ring_dropped: field(v, "ring_dropped"),
        link_skipped: field(v, "link_skipped"),
        hellos_sent: field(v, "hellos_sent"),
        housekeeping: stream_counts(&v["housekeeping"]),
        events: stream_counts(&v["events"]),
    })
}

fn stream_counts(v: &Value) -> StreamCounts {
    StreamCounts {
        pushed: field(v, "pushed"),
        delivered: field(v, "delivered"),
        dropped: field(v, "dropped"),
        link_skipped: field(v, "link_skipped"),
        hellos_sent: field(v, "hellos_sent"),
    }
}

/// What `ph-tap` reported, by kind.
#[derive(Debug, Default)]
pub(crate) struct Report {
    pub(crate) hellos: Vec<u64>,
    /// `(seq, value)` of every event, in order.
    pub(crate) events: Vec<(u64, Value)>,
    /// `(count, first_seq, last_seq)`.
    pub(crate) ring_drops: Vec<(u64, u64, u64)>,
    /// A queue's refusals, `(count, first_seq, last_seq)`.
    pub(crate) refused: Vec<(u64, u64, u64)>,
    pub(crate) link_losses: Vec<(u64, u64, u64)>,
    pub(crate) corrupt: usize,
    /// ph-tap's closing `summary` record.
    pub(crate) summary: Option<Value>,
    pub(crate) other: Vec<Value>,
}

impl Report {
    pub(crate) fn new(records: &[Value]) -> Self {
        let mut report = Self::default();
        let gap = |r: &Value| {
            (
                field(r, "count"),
                field(r, "first_seq"),
                field(r, "last_seq"),
            )
        };
        for r in records {
            match r["type"].as_str() {
                Some("hello") => report.hellos.push(field(r, "boot_id")),
                Some("event") => report.events.push((field(r, "seq"), r["value"].clone())),
                Some("ring_drop") => report.ring_drops.push(gap(r)),
                Some("refused") => report.refused.push(gap(r)),
                Some("link_loss") => report.link_losses.push(gap(r)),
                Some("corrupt_frame") => report.corrupt += 1,
                Some("summary") if report.summary.is_none() => report.summary = Some(r.clone()),
                _ => report.other.push(r.clone()),
            }
        }
        report
    }

    pub(crate) fn ring_dropped(&self) -> u64 {
        self.ring_drops.iter().map(|d| d.0).sum()
    }

    pub(crate) fn seqs(&self) -> Vec<u64> {
        self.events.iter().map(|e| e.0).collect()
    }
}
