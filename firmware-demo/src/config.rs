//! The demo's knobs: sample rate, ring size, and the phases that make drops happen on purpose.
//!
//! Everything is counted in sampler ticks, so the demo behaves the same at any core clock (and
//! under QEMU at any emulation speed): the main loop sleeps with `WFI` between ticks.

/// SysTick rate: samples pushed per second (in the normal and slow-drain phases).
pub const SAMPLE_HZ: u32 = 1_000;

/// Items the ring holds before the oldest is overwritten.
pub const RING_CAPACITY: usize = 64;

/// Items the slow `housekeeping` ring holds.
pub const HOUSEKEEPING_CAPACITY: usize = 8;

/// Sampler ticks between two housekeeping values (10 per second at [`SAMPLE_HZ`]).
pub const HOUSEKEEPING_EVERY_TICKS: u32 = 100;

/// Events the lossless `events` queue holds before it turns the interrupt away.
pub const EVENTS_CAPACITY: usize = 16;

/// Sampler ticks between two overflow warnings on the `events` stream during a phase that
/// overflows the `samples` ring.
pub const OVERFLOW_EVERY_TICKS: u32 = 25;

/// Items drained per call in the main loop, all streams together (it calls again until every
/// stream is empty).
pub const DRAIN_BATCH: usize = 16;

/// A hello frame (magic, version, boot id, schema) goes out at boot and then every this many data
/// frames, so a host that attaches late learns how to decode the stream.
pub const HELLO_EVERY_FRAMES: u32 = 500;

/// One demo cycle: each phase lasts `ticks` sampler ticks.
pub const PHASES: [Phase; 4] = [
    // Everything arrives.
    Phase {
        ticks: 300,
        kind: PhaseKind::Normal,
    },
    // The main loop reads one item every 4 ticks: the ring overflows (RING DROP on the host).
    Phase {
        ticks: 300,
        kind: PhaseKind::SlowDrain { every_ticks: 4 },
    },
    // Eight samples per tick, drained at full speed: the link must carry 8x the normal rate (with a
    // small RTT buffer and a slow host this is where LINK LOSS shows up; a UART carries it all).
    Phase {
        ticks: 100,
        kind: PhaseKind::Burst { per_tick: 8 },
    },
    // Back to normal.
    Phase {
        ticks: 200,
        kind: PhaseKind::Normal,
    },
];

/// A part of the demo cycle.
#[derive(Clone, Copy, Debug)]
pub struct Phase {
    /// How long the phase lasts, in sampler ticks.
    pub ticks: u32,
    /// What the producer and the consumer do during it.
    pub kind: PhaseKind,
}

/// What happens during a [`Phase`].
#[derive(Clone, Copy, Debug)]
pub enum PhaseKind {
    /// One sample per tick, the main loop drains everything after each tick.
    Normal,
    /// One sample per tick, the main loop reads a single item every `every_ticks` ticks.
    SlowDrain {
        /// Ticks between two single-item reads.
        every_ticks: u32,
    },
    /// `per_tick` samples per tick, the main loop drains everything after each tick.
    Burst {
        /// Samples pushed per tick.
        per_tick: u8,
    },
}
