//! Log lines: [`defmt`] on the RTT builds (feature `rtt`), on RTT up channel 0 `defmt` (see
//! `board/rtt_link.rs`); nothing on the UART builds, whose one link carries the telemetry.
//!
//! The application logs through [`info!`] and [`warn!`], which are defmt's macros on the RTT
//! builds and expand to nothing (but still use their arguments) elsewhere. The compiled-in level
//! is `DEFMT_LOG` (`info` by default, from `.cargo/config.toml`).
//!
//! Every line carries a timestamp from the firmware's own clock: the SysTick ticks since boot in
//! microseconds (one tick per millisecond, [`sampler::TICK_US`](crate::sampler::TICK_US)), the
//! clock of the samples' `timestamp_us`. It only advances while sampling runs: it stands still
//! before the first cycle starts and in the short pause for each cycle's summary.

#[cfg(feature = "rtt")]
pub use defmt::{info, warn};

#[cfg(feature = "rtt")]
defmt::timestamp!("{=u64:us}", crate::sampler::micros());

/// Without defmt, [`info!`] and [`warn!`]: nothing, but the arguments are still used (no
/// unused-variable warnings).
#[cfg(not(feature = "rtt"))]
macro_rules! nothing {
    ($format:literal $(, $arg:expr)* $(,)?) => {{
        $(let _ = &$arg;)*
    }};
}

#[cfg(not(feature = "rtt"))]
pub(crate) use {nothing as info, nothing as warn};
