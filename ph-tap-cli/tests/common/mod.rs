//! Helpers shared by the integration tests.

pub mod rtt_elf;
