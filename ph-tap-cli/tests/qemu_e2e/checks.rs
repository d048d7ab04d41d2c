//! What a complete, undamaged run must show: exactly what the firmware says it sent.

use std::collections::HashMap;

use serde_json::Value;

use crate::faults::frame_seqs;
use crate::records::{
    EVENTS, HOUSEKEEPING, Report, SAMPLES, Sample, StreamCounts, Summary, field, of_stream, sample,
    summary,
};

/// The boot id of the QEMU boards (`firmware-demo/src/board/qemu_exit.rs`).
const QEMU_BOOT_ID: u64 = 0x9E11_0001;
/// Microseconds per sampler tick (`firmware-demo/src/config.rs`: 1 kHz).
const TICK_US: u64 = 1_000;
/// Samples per tick in the firmware's burst phase (`firmware-demo/src/config.rs`).
const BURST_PER_TICK: usize = 8;

/// The firmware's fake sensor (`firmware-demo/src/telemetry.rs`), recomputed on the host.
fn fake_sensor(counter: u64) -> i64 {
    let phase = (counter % 200) as i64;
    let tri = if phase < 100 { phase } else { 200 - phase };
    20_000 + tri * 20
}

/// The firmware's fake supply voltage (`firmware-demo/src/telemetry.rs`), recomputed on the host.
fn fake_supply(counter: u64) -> u64 {
    3300 - counter % 100
}

/// Checks a complete, undamaged run against the firmware's own summary, stream by stream;
/// returns the summary.
pub(crate) fn assert_clean_run(records: &[Value], capture: &[u8], what: &str) -> Summary {
    let summary = assert_samples_stream(records, capture, what);
    assert_housekeeping_stream(records, capture, &summary, what);
    assert_events_stream(records, capture, &summary, what);
    // ph-tap's own closing totals add the three streams up.
    let all = Report::new(records);
    let tap = all.summary.as_ref().expect("a summary record");
    assert_eq!(
        field(tap, "frames"),
        all.events.len() as u64,
        "{what}: ph-tap frames"
    );
    assert_eq!(
        field(tap, "ring_drops"),
        summary.ring_dropped + summary.housekeeping.dropped,
        "{what}: ph-tap ring drops"
    );
    summary
}

/// Hello frames of stream `stream` in `capture`.
fn hello_frames(capture: &[u8], stream: u8) -> u64 {
    frame_seqs(capture)
        .iter()
        .filter(|&&(s, seq)| s == stream && seq.is_none())
        .count() as u64
}

/// The values of stream `id` that arrived, with their sequence numbers, and what was reported
/// about it, checked against the firmware's counts for it: everything delivered arrived, every
/// loss on the target is reported as such, and every sequence number is accounted for once.
fn assert_stream_counts(
    records: &[Value],
    capture: &[u8],
    id: u64,
    counts: &StreamCounts,
    what: &str,
) -> Vec<(u64, Value)> {
    let report = Report::new(&of_stream(records, id));
    let what = format!("{what}: stream {id}");
    assert!(
        report.other.is_empty(),
        "{what}: unexpected {:?}",
        report.other
    );
    assert_eq!(
        report.link_losses,
        [],
        "{what}: link losses on a lossless UART"
    );
    assert_eq!(counts.link_skipped, 0, "{what}: the UART never skips");
    assert_eq!(
        report.events.len() as u64,
        counts.delivered,
        "{what}: values received"
    );
    let (target_lost, other_kind) = if id == EVENTS {
        (&report.refused, &report.ring_drops)
    } else {
        (&report.ring_drops, &report.refused)
    };
    assert_eq!(other_kind, &[], "{what}: losses of the other kind");
    let lost: u64 = target_lost.iter().map(|d| d.0).sum();
    assert_eq!(lost, counts.dropped, "{what}: lost on the target");
    assert_eq!(
        counts.pushed,
        counts.delivered + counts.dropped,
        "{what}: firmware totals"
    );
    assert_eq!(
        hello_frames(capture, id as u8),
        counts.hellos_sent,
        "{what}: hello frames"
    );
    assert_eq!(report.hellos, [QEMU_BOOT_ID], "{what}: hello records");
    let mut accounted = report.seqs();
    for &(count, first, last) in target_lost {
        assert_eq!(last - first + 1, count, "{what}: loss range");
        accounted.extend(first..=last);
    }
    accounted.sort_unstable();
    assert_eq!(
        accounted,
        (1..=counts.pushed).collect::<Vec<_>>(),
        "{what}: sequence coverage"
    );
    report.events
}

/// The slow ring: what it counted, and values the host recomputes.
fn assert_housekeeping_stream(records: &[Value], capture: &[u8], s: &Summary, what: &str) {
    let values = assert_stream_counts(records, capture, HOUSEKEEPING, &s.housekeeping, what);
    // One every 100 ticks of a 900-tick cycle.
    assert!(
        s.housekeeping.pushed >= 9,
        "{what}: {} housekeeping values",
        s.housekeeping.pushed
    );
    for (seq, v) in values {
        let counter = field(&v, "counter");
        assert_eq!(counter, seq, "{what}: housekeeping counter");
        assert_eq!(
            field(&v, "supply_mv"),
            fake_supply(counter),
            "{what}: housekeeping supply"
        );
    }
}

/// The lossless queue: not one event lost while the samples ring dropped, a `PhaseStarted` for
/// every phase, overflow warnings in the overflow phases.
fn assert_events_stream(records: &[Value], capture: &[u8], s: &Summary, what: &str) {
    let values = assert_stream_counts(records, capture, EVENTS, &s.events, what);
    assert!(
        s.ring_dropped > 0,
        "{what}: the samples ring dropped nothing"
    );
    assert_eq!(
        s.events.dropped, 0,
        "{what}: the events queue refused events"
    );
    let mut phases = Vec::new();
    let mut overflows = 0;
    for (seq, v) in &values {
        let (name, body) = v
            .as_object()
            .and_then(|o| o.iter().next())
            .unwrap_or_else(|| panic!("{what}: odd event {v}"));
        assert_eq!(field(body, "counter"), *seq, "{what}: event counter");
        match name.as_str() {
            "PhaseStarted" => phases.push(field(body, "index")),
            "Overflow" => overflows += 1,
            other => panic!("{what}: unknown event {other}"),
        }
    }
    assert_eq!(phases, [1, 2, 3, 4], "{what}: a PhaseStarted per phase");
    assert!(overflows >= 10, "{what}: {overflows} overflow warnings");
}

/// The fast ring, which carries the summary: every sample, every drop, the values.
fn assert_samples_stream(records: &[Value], capture: &[u8], what: &str) -> Summary {
    let report = Report::new(&of_stream(records, SAMPLES));
    assert!(
        report.other.is_empty(),
        "{what}: unexpected records {:?}",
        report.other
    );
    assert_eq!(
        report.corrupt, 0,
        "{what}: corrupt frames on a lossless UART"
    );
    assert_eq!(
        report.link_losses,
        [],
        "{what}: link losses on a lossless UART"
    );
    let tap = report
        .summary
        .as_ref()
        .unwrap_or_else(|| panic!("{what}: no summary record"));

    // The last item is the firmware's summary, and there is exactly one.
    let (last_seq, last) = report
        .events
        .last()
        .unwrap_or_else(|| panic!("{what}: no events"));
    let summary =
        summary(last).unwrap_or_else(|| panic!("{what}: last event is no summary: {last}"));
    let samples: Vec<(u64, Sample)> = report.events[..report.events.len() - 1]
        .iter()
        .map(|(seq, v)| {
            (
                *seq,
                sample(v).unwrap_or_else(|| panic!("{what}: not a sample: {v}")),
            )
        })
        .collect();

    // What the firmware counted is what the host saw.
    assert_eq!(summary.link_skipped, 0, "{what}: the UART never skips");
    assert_eq!(
        samples.len() as u64,
        summary.delivered,
        "{what}: samples received"
    );
    assert_eq!(
        report.ring_dropped(),
        summary.ring_dropped,
        "{what}: ring drops"
    );
    // Every hello frame the firmware sent is in the capture; ph-tap prints a hello record when
    // the stream's description changes, not for every repeat.
    assert_eq!(
        hello_frames(capture, SAMPLES as u8),
        summary.hellos_sent,
        "{what}: hello frames"
    );
    assert!(
        summary.hellos_sent >= 2,
        "{what}: a hello at boot and periodically"
    );
    assert_eq!(report.hellos, [QEMU_BOOT_ID], "{what}: hello records");
    // ph-tap's own closing totals agree.
    assert_eq!(field(tap, "link_losses"), 0, "{what}: ph-tap link losses");
    assert_eq!(
        field(tap, "corrupt_frames"),
        0,
        "{what}: ph-tap corrupt frames"
    );
    assert_eq!(field(tap, "resets"), 0, "{what}: ph-tap resets");
    assert_eq!(
        summary.samples,
        summary.delivered + summary.ring_dropped,
        "{what}: firmware totals"
    );
    assert_eq!(
        *last_seq,
        summary.samples + 1,
        "{what}: the summary follows the last sample"
    );
    // The demo's slow-drain phase must really have overflowed the ring.
    assert!(
        summary.ring_dropped > 0,
        "{what}: the slow-drain phase dropped nothing"
    );
    assert!(
        report.hellos.iter().all(|&id| id == QEMU_BOOT_ID),
        "{what}: boot ids {:?}",
        report.hellos
    );

    // Every sequence number is accounted for exactly once: delivered, or inside a ring drop.
    let mut accounted: Vec<u64> = report.seqs();
    for &(count, first, last) in &report.ring_drops {
        assert_eq!(last - first + 1, count, "{what}: ring drop range");
        accounted.extend(first..=last);
    }
    accounted.sort_unstable();
    assert_eq!(
        accounted,
        (1..=*last_seq).collect::<Vec<_>>(),
        "{what}: sequence coverage"
    );

    // Values are what the firmware computed: the counter is the sequence number, the sensor is
    // the triangle wave of the counter, the timestamp is a whole tick, never going back.
    let mut previous_ts = 0;
    for (seq, s) in &samples {
        assert_eq!(s.counter, *seq, "{what}: counter of seq {seq}");
        assert_eq!(
            s.sensor_mc,
            fake_sensor(s.counter),
            "{what}: sensor of seq {seq}"
        );
        assert_eq!(
            s.timestamp_us % TICK_US,
            0,
            "{what}: timestamp of seq {seq}"
        );
        assert!(
            s.timestamp_us >= previous_ts,
            "{what}: timestamp went back at seq {seq}"
        );
        assert!(
            s.timestamp_us / TICK_US <= s.counter,
            "{what}: more ticks than samples at {seq}"
        );
        previous_ts = s.timestamp_us;
    }
    // The burst phase pushed several samples per tick, and all of them arrived.
    let mut per_tick: HashMap<u64, usize> = HashMap::new();
    for (_, s) in &samples {
        *per_tick.entry(s.timestamp_us).or_default() += 1;
    }
    assert!(
        per_tick.values().any(|&n| n == BURST_PER_TICK),
        "{what}: no tick with a full burst of {BURST_PER_TICK} samples"
    );
    summary
}
