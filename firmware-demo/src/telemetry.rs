//! The value types of the three telemetry streams (samples, housekeeping, events), and the fake
//! sensors behind them.

use postcard::experimental::max_size::MaxSize;
use postcard_schema::Schema;
use serde::{Deserialize, Serialize};

/// One item of the stream: a sample from the sampler interrupt, or the firmware's own account of a
/// finished demo cycle (so a host can check that it saw exactly what the firmware sent).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Schema, MaxSize)]
pub enum Event {
    /// A periodic sample.
    Sample(Sample),
    /// Totals since boot, pushed at the end of each demo cycle.
    Summary(Summary),
}

/// A sample, taken in the SysTick handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Schema, MaxSize)]
pub struct Sample {
    /// Samples taken since boot, this one included (1, 2, 3, ...).
    pub counter: u32,
    /// A fake temperature in milli-degrees Celsius: see [`fake_sensor`].
    pub sensor_mc: i32,
    /// Microseconds since the sampler first started, from the tick count (wraps after about
    /// 71 minutes).
    pub timestamp_us: u32,
}

/// The firmware's own counts since boot, as seen from the main loop (logged as it is sent, on the
/// RTT builds). The first five are the `samples` stream's (the stream this summary travels on),
/// then one part per other stream, so that a host can check each stream's accounting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Schema, MaxSize)]
#[cfg_attr(feature = "rtt", derive(defmt::Format))]
pub struct Summary {
    /// Samples pushed into the `samples` ring by the interrupt.
    pub samples: u32,
    /// Items the main loop read from the `samples` ring (summaries excluded).
    pub delivered: u32,
    /// Items the `samples` ring overwrote before the main loop read them (sum of
    /// `PollStats::dropped`).
    pub ring_dropped: u32,
    /// Frames of the `samples` stream the link refused (RTT buffer full), as its drainer counts
    /// them (`DrainReport::refused`, hellos included); always 0 on a UART.
    pub link_skipped: u32,
    /// Hello frames of the `samples` stream handed to the link.
    pub hellos_sent: u32,
    /// The `housekeeping` ring's counts.
    pub housekeeping: StreamCounts,
    /// The `events` queue's counts (`dropped`: pushes the queue refused).
    pub events: StreamCounts,
}

/// One stream's counts since boot: what its producer pushed, what the main loop read, what was
/// lost on the target (ring drops, or a queue's refusals), and what the link refused.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Schema, MaxSize)]
#[cfg_attr(feature = "rtt", derive(defmt::Format))]
pub struct StreamCounts {
    /// Items the producer pushed (for a queue: attempts, refused ones included).
    pub pushed: u32,
    /// Items the main loop read.
    pub delivered: u32,
    /// Items lost on the target: overwritten by a ring, or refused by a full queue.
    pub dropped: u32,
    /// Frames of the stream the link refused (hellos included).
    pub link_skipped: u32,
    /// Hello frames of the stream handed to the link.
    pub hellos_sent: u32,
}

/// The slow `housekeeping` stream's value, pushed by the interrupt every
/// [`HOUSEKEEPING_EVERY_TICKS`](crate::config::HOUSEKEEPING_EVERY_TICKS).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Schema, MaxSize)]
pub struct Housekeeping {
    /// Housekeeping values since boot, this one included (1, 2, 3, ...).
    pub counter: u32,
    /// Milliseconds of sampling since boot (the tick count).
    pub uptime_ms: u32,
    /// A fake supply voltage in millivolts: see [`fake_supply`].
    pub supply_mv: u16,
}

/// What the lossless `events` stream carries: the state changes and the overflow warnings the
/// interrupt raises, which must never be lost behind a burst of samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Schema, MaxSize)]
pub enum StateEvent {
    /// The main loop entered phase `index` (1-based) of the demo cycle.
    PhaseStarted {
        /// Events raised since boot, this one included.
        counter: u32,
        /// The phase (1-based).
        index: u8,
    },
    /// Raised every [`OVERFLOW_EVERY_TICKS`](crate::config::OVERFLOW_EVERY_TICKS) during a
    /// phase that overflows the `samples` ring (slow drain, burst): a warning that samples are
    /// being overwritten, as of the `samples`-th sample.
    Overflow {
        /// Events raised since boot, this one included.
        counter: u32,
        /// Samples pushed since boot.
        samples: u32,
    },
}

impl Sample {
    /// The `counter`-th sample (1-based), taken at `tick` (the SysTick count since start).
    pub fn new(counter: u32, tick: u32, tick_us: u32) -> Self {
        Self {
            counter,
            sensor_mc: fake_sensor(counter),
            timestamp_us: tick.wrapping_mul(tick_us),
        }
    }
}

/// A deterministic supply voltage: 3300 mV minus 1 mV per housekeeping value, back to 3300
/// every 100 values, so that a host can recompute and check every value.
pub fn fake_supply(counter: u32) -> u16 {
    3300 - (counter % 100) as u16
}

/// A deterministic "temperature": a triangle wave between 20.000 and 22.000 °C with a period of
/// 200 samples (20 m°C per step), so that a host can recompute and check every value.
pub fn fake_sensor(counter: u32) -> i32 {
    let phase = (counter % 200) as i32;
    let tri = if phase < 100 { phase } else { 200 - phase };
    20_000 + tri * 20
}
