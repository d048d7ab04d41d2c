//! The value types the demo's simulated firmware streams: readings (the fast ring), the
//! battery (the slow ring) and events (the lossless queue).

use postcard::experimental::max_size::MaxSize;
use postcard_schema::Schema;
use serde::Serialize;

/// One simulated ADC reading, as a firmware would log it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Schema, MaxSize)]
pub struct Reading {
    /// ADC channel.
    pub channel: u8,
    /// Raw 12-bit sample.
    pub raw: u16,
    /// Converted value in millivolts.
    pub millivolts: u32,
}

impl Reading {
    /// The `n`-th reading of the simulation (a slow triangle wave per channel).
    pub fn nth(n: u32) -> Self {
        let channel = (n % 4) as u8;
        let phase = (n / 4) % 512;
        let raw = (if phase < 256 { phase } else { 511 - phase } * 16) as u16;
        Reading {
            channel,
            raw,
            millivolts: u32::from(raw) * 3300 / 4095,
        }
    }
}

/// The slow stream's value: the simulated battery, every [`BATTERY_EVERY`](super::BATTERY_EVERY)
/// ticks.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Schema, MaxSize)]
pub struct Battery {
    /// Battery voltage in millivolts (falls slowly, recharges every 500 ticks).
    pub millivolts: u16,
    /// On the charger.
    pub charging: bool,
}

impl Battery {
    /// The battery at tick `tick`.
    pub fn at(tick: u32) -> Self {
        let phase = tick % 500;
        Battery {
            millivolts: 4100 - (phase as u16),
            charging: phase >= 450,
        }
    }
}

/// The lossless stream's value: what the simulated firmware must not lose.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Schema, MaxSize)]
pub enum DemoEvent {
    /// A burst of `values` readings starts (the readings ring is about to overflow).
    Burst {
        /// Readings in the burst.
        values: u32,
    },
    /// One of the faults of a fault storm (more at once than the queue holds: the rest is
    /// refused).
    Fault {
        /// The fault's code.
        code: u8,
    },
}
