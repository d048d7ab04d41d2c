//! The telemetry value type carried by the ring and the wire, and the fake sensor behind it.

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
/// RTT builds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Schema, MaxSize)]
#[cfg_attr(feature = "rtt", derive(defmt::Format))]
pub struct Summary {
    /// Samples pushed into the ring by the interrupt.
    pub samples: u32,
    /// Samples the main loop read from the ring.
    pub delivered: u32,
    /// Items the ring overwrote before the main loop read them (sum of `PollStats::dropped`).
    pub ring_dropped: u32,
    /// Frames the link refused (RTT buffer full), as the drainer counts them
    /// (`DrainReport::refused`); always 0 on a UART.
    pub link_skipped: u32,
    /// Hello frames the link accepted whole.
    pub hellos_sent: u32,
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

/// A deterministic "temperature": a triangle wave between 20.000 and 22.000 °C with a period of
/// 200 samples (20 m°C per step), so that a host can recompute and check every value.
pub fn fake_sensor(counter: u32) -> i32 {
    let phase = (counter % 200) as i32;
    let tri = if phase < 100 { phase } else { 200 - phase };
    20_000 + tri * 20
}
