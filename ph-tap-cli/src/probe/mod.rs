//! Everything that talks to probe-rs: chip names, probe selection, attaching and RTT.

pub mod attach;
pub mod chip;
pub mod select;
