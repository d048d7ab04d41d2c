//! The value type the demo's simulated firmware streams.

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
