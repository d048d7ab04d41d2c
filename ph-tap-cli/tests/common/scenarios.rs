//! The named captures in `tests/data/`: each one a run of the simulated target (real ring,
//! real encoder) with one kind of trouble, so the decode path is tested on every kind.
//!
//! Regenerate them with `cargo run -p ph-tap-cli --example gen-captures` (which includes this
//! file), then check the expected outputs (see `decode_captures.rs`).

use std::time::Duration;

use anyhow::Result;

use ph_tap::demo::{DemoConfig, DemoSource, LinkFaults};

/// A quiet baseline every scenario starts from: no bursts, perfect link, no reset, seq from 1.
fn quiet(count: u32, seed: u64) -> DemoConfig {
    DemoConfig {
        count,
        seed,
        bursts: false,
        link: LinkFaults::NONE,
        reset_after: None,
        first_seq: 1,
        tick: Duration::ZERO,
    }
}

/// Every scenario: `(name, configuration)`.
pub fn configs() -> Vec<(&'static str, DemoConfig)> {
    vec![
        ("clean", quiet(40, 11)),
        (
            "ring_drops",
            DemoConfig {
                bursts: true,
                ..quiet(240, 12)
            },
        ),
        (
            "link_loss",
            DemoConfig {
                link: LinkFaults {
                    lose_per_mille: 80,
                    damage_per_mille: 0,
                },
                ..quiet(80, 13)
            },
        ),
        (
            "corruption",
            DemoConfig {
                link: LinkFaults {
                    lose_per_mille: 0,
                    damage_per_mille: 80,
                },
                ..quiet(80, 14)
            },
        ),
        (
            "reset",
            DemoConfig {
                reset_after: Some(30),
                ..quiet(60, 15)
            },
        ),
        (
            "wrap",
            DemoConfig {
                first_seq: u32::MAX - 19,
                ..quiet(40, 16)
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
