//! Everything that talks to probe-rs: the options, chip names, probe selection, attaching and
//! finding RTT.

pub mod attach;
pub mod chip;
pub mod options;
pub mod select;

pub use options::{ProbeOptions, Protocol, RttOptions};
