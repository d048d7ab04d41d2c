//! What a complete, undamaged run must show: exactly what the firmware says it sent.

use std::collections::HashMap;

use serde_json::Value;

use crate::faults::frame_seqs;
use crate::records::{Report, Sample, Summary, field, sample, summary};

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

/// Checks a complete, undamaged run against the firmware's own summary; returns the summary.
pub(crate) fn assert_clean_run(records: &[Value], capture: &[u8], what: &str) -> Summary {
    let report = Report::new(records);
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
    let hello_frames = frame_seqs(capture).iter().filter(|s| s.is_none()).count();
    assert_eq!(
        hello_frames as u64, summary.hellos_sent,
        "{what}: hello frames"
    );
    assert!(
        summary.hellos_sent >= 2,
        "{what}: a hello at boot and periodically"
    );
    assert_eq!(report.hellos, [QEMU_BOOT_ID], "{what}: hello records");
    // ph-tap's own closing totals agree.
    assert_eq!(
        field(tap, "frames"),
        report.events.len() as u64,
        "{what}: ph-tap frames"
    );
    assert_eq!(
        field(tap, "ring_drops"),
        summary.ring_dropped,
        "{what}: ph-tap ring drops"
    );
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
