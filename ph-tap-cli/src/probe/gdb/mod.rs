//! A client of the GDB remote serial protocol (RSP), the protocol of QEMU's `-gdb`, OpenOCD,
//! pyOCD, J-Link GDB Server and Black Magic Probe.

mod commands;
mod error;
pub mod packet;
pub mod rsp;

#[cfg(test)]
mod rsp_tests;

pub use error::GdbError;
