//! The named captures in `tests/data/`: each one a run of the simulated target (real ring,
//! real encoder) with one kind of trouble, so the decode path is tested on every kind.
//!
//! Regenerate them with `cargo run -p ph-tap-cli --example gen-captures` (which includes this
//! file), then check the expected outputs (see `decode_captures.rs`).

use anyhow::Result;

use ph_tap::demo::{DemoConfig, DemoSource, LinkFaults};

/// Every scenario: `(name, configuration)`, each from the quiet baseline
/// ([`DemoConfig::quiet`]: one stream, as these captures were first made).
pub fn configs() -> Vec<(&'static str, DemoConfig)> {
    vec![
        ("clean", DemoConfig::quiet(40, 11)),
        (
            "ring_drops",
            DemoConfig {
                bursts: true,
                ..DemoConfig::quiet(240, 12)
            },
        ),
        (
            "link_loss",
            DemoConfig {
                link: LinkFaults {
                    lose_per_mille: 80,
                    damage_per_mille: 0,
                },
                ..DemoConfig::quiet(80, 13)
            },
        ),
        (
            "corruption",
            DemoConfig {
                link: LinkFaults {
                    lose_per_mille: 0,
                    damage_per_mille: 80,
                },
                ..DemoConfig::quiet(80, 14)
            },
        ),
        (
            "reset",
            DemoConfig {
                reset_after: Some(30),
                ..DemoConfig::quiet(60, 15)
            },
        ),
        (
            "wrap",
            DemoConfig {
                first_seq: u32::MAX - 19,
                ..DemoConfig::quiet(40, 16)
            },
        ),
    ]
}

/// A stream that is not ph-eventing at all: plain text log lines, as a firmware printing with
/// `rprintln!` on the same channel would send.
pub fn not_ph_eventing() -> Vec<u8> {
    (0..300)
        .flat_map(|i| format!("[INFO] tick {i}: all good\r\n").into_bytes())
        .collect()
}

/// Every capture: `(file stem, bytes)`.
pub fn captures() -> Result<Vec<(&'static str, Vec<u8>)>> {
    let mut out = Vec::new();
    for (name, config) in configs() {
        out.push((name, DemoSource::new(config).run_to_end()?));
    }
    out.push(("not_ph_eventing", not_ph_eventing()));
    Ok(out)
}

/// What the drainers of [`streams`] reported, per stream: items read, and their target-counted
/// gaps (ring drops, or a queue's refusals).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamCounts {
    pub read: u64,
    pub dropped: u64,
}

/// The frame of the link (counted from 1, hellos included) that [`streams`] damages.
pub const DAMAGED_FRAME: u32 = 40;

/// A link of three streams, drained by the real `drain::link::Link`: `samples` (stream 0, a
/// ring of 8 `u16`, fast: ring drops), `housekeeping` (stream 1, a ring of 16 `u32`, slow) and
/// `events` (stream 2, an `EventQueue` of 4 `u8`, lossless, rare, sometimes overfilled:
/// refusals). Frame [`DAMAGED_FRAME`] is damaged on the way (one byte in its middle). Returns the bytes and,
/// by stream id, what its drainer reported.
pub fn streams() -> (Vec<u8>, [StreamCounts; 3]) {
    use ph_eventing::{EventQueue, SeqRing};
    use ph_eventing_wire::drain::Drainer;
    use ph_eventing_wire::drain::link::{Link, Stream};
    use ph_eventing_wire::stream::{StreamDesc, StreamKind};

    let boot = 0x5eed_3003;
    let samples_ring = SeqRing::<u16, 8>::new();
    let housekeeping_ring = SeqRing::<u32, 16>::new();
    let events_queue = EventQueue::<u8, 4>::new();
    let (samples_in, housekeeping_in, events_in) = (
        samples_ring.producer(),
        housekeeping_ring.producer(),
        events_queue.producer(),
    );
    let mut samples = Stream::new(
        samples_ring.consumer(),
        Drainer::new(boot).with_stream(StreamDesc::new(0, "samples").of(3)),
    );
    let mut housekeeping = Stream::new(
        housekeeping_ring.consumer(),
        Drainer::new(boot).with_stream(StreamDesc::new(1, "housekeeping").of(3)),
    );
    let mut events = Stream::new(
        events_queue.consumer(),
        Drainer::new(boot).with_stream(
            StreamDesc::new(2, "events")
                .with_kind(StreamKind::Queue)
                .of(3),
        ),
    );
    let mut link = Link::new();
    let mut buf = [0u8; 128];
    let mut wire = Vec::new();
    let mut counts = [StreamCounts::default(); 3];
    let mut frames = 0u32;
    for tick in 0u32..60 {
        // A burst of samples every 20 ticks overruns the ring.
        let burst = if tick % 20 == 10 { 14 } else { 3 };
        for k in 0..burst {
            samples_in.push((tick * 16 + k) as u16);
        }
        if tick % 4 == 0 {
            housekeeping_in.push(3300 - tick);
        }
        // Rare events; at tick 30 six at once into a queue of four: two refusals.
        let raised = match tick {
            7 | 44 => 1,
            30 => 6,
            _ => 0,
        };
        for k in 0..raised {
            let _ = events_in.push((tick + k) as u8);
        }
        let streams: &mut [&mut dyn ph_eventing_wire::drain::link::LinkStream] =
            &mut [&mut samples, &mut housekeeping, &mut events];
        link.drain(streams, 6, &mut buf, |frame| {
            let mut frame = frame.to_vec();
            frames += 1;
            if frames == DAMAGED_FRAME {
                // A changed byte, never a new 0x00 (which would cut the frame in two).
                let middle = frame.len() / 2;
                frame[middle] = if frame[middle] == 1 {
                    3
                } else {
                    frame[middle] ^ 1
                };
            }
            wire.extend_from_slice(&frame);
            true
        })
        .unwrap();
        for (count, report) in counts.iter_mut().zip([
            samples.last_report(),
            housekeeping.last_report(),
            events.last_report(),
        ]) {
            count.read += u64::from(report.stats.read);
            count.dropped += u64::from(report.stats.dropped);
        }
    }
    (wire, counts)
}
