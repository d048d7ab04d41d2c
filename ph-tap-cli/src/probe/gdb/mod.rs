//! A probe-rs debug probe that is a GDB remote-serial-protocol server: QEMU's
//! `-gdb tcp:HOST:PORT`, OpenOCD's or pyOCD's gdbserver, J-Link GDB Server, a Black Magic
//! Probe's TCP port.
//!
//! [`GdbProbe`] implements probe-rs's [`DebugProbe`](probe_rs::probe::DebugProbe) and ARM
//! debug interface, so probe-rs's own `Session`, `Rtt::attach` and `UpChannel::read` run over
//! it unchanged:
//!
//! - memory accesses (probe-rs's memory interface, or the MEM-AP's TAR/DRW) are `m`/`M`;
//! - halting, running and the core status are DHCSR (`0xE000EDF0`), emulated: reads come from
//!   the stop replies, a `C_HALT` write is an interrupt (`\x03`), clearing it is `c`;
//! - core registers (DCRSR/DCRDR) are `p`/`P`, numbered as the server's target description
//!   (`qXfer:features:read`) says, else as gdb's classic ARM target;
//! - a reset (AIRCR `SYSRESETREQ`) is the AIRCR write itself, made with the target stopped;
//! - the HardFault vector catch (DEMCR `VC_HARDERR`) is a breakpoint at the HardFault
//!   handler, and the halt reasons (DFSR) come from where the target stopped, so probe-rs's
//!   `Core::status()` says `Halted(Exception)` for a HardFault and finds semihosting calls at
//!   a `bkpt` ([`target`] has the table);
//! - a target that exits (QEMU carrying out a semihosting `SYS_EXIT`: a `W` stop reply) is
//!   [`GdbError::Exited`] from every later call, its exit status found by [`exit_code_in`];
//! - the debug and access port registers probe-rs reads while attaching are answered
//!   plausibly ([`interface`] says how).
//!
//! **The target is stopped for each access.** A GDB server serves memory only while the target
//! is stopped, so a memory access made while it runs stops it (`\x03`), does the access and
//! resumes it (`c`). Reading RTT this way pauses the firmware for a moment at every read (one
//! access of a running target takes about 0.2 ms with a local QEMU); timing-sensitive firmware
//! notices.
//! Connecting resumes the target: servers stop it when a client connects (QEMU's `-S` too).
//!
//! The link is TCP with `TCP_NODELAY`; every reply is awaited for a bounded time; acks are
//! handled and `QStartNoAckMode` is used when offered; checksums are verified; run-length
//! encoded replies are decoded; `E NN` errors become probe-rs errors. A server that closes,
//! stalls or answers garbage is a one-line [`GdbError`].

mod commands;
mod error;
pub mod interface;
mod memory;
pub mod packet;
mod probe;
pub mod registers;
pub mod rsp;
pub mod target;

#[cfg(test)]
mod rsp_tests;

pub use error::GdbError;
pub use interface::GdbInterface;
pub use memory::GdbMemory;
pub use probe::GdbProbe;

/// The [`GdbError`] in an error chain, however deep probe-rs wrapped it.
///
/// ```
/// use ph_tap::probe::gdb::{GdbError, gdb_error_in};
///
/// let gdb = GdbError::Closed { addr: "127.0.0.1:1234".into(), waiting_for: "m".into() };
/// let err = anyhow::Error::new(probe_rs::probe::DebugProbeError::from(gdb))
///     .context("cannot read the RTT control block");
/// assert!(gdb_error_in(&err).unwrap().to_string().starts_with("the GDB server at 127.0.0.1:1234 closed"));
/// ```
pub fn gdb_error_in(err: &anyhow::Error) -> Option<&GdbError> {
    err.chain().find_map(|cause| {
        if let Some(gdb) = cause.downcast_ref::<GdbError>() {
            return Some(gdb);
        }
        cause
            .downcast_ref::<probe_rs::probe::BoxedProbeError>()?
            .downcast_ref::<GdbError>()
    })
}

/// The exit status of a target that exited, if `err` (however deep probe-rs wrapped it) is
/// the GDB server's `W` stop reply, [`GdbError::Exited`].
///
/// QEMU with `-semihosting-config enable=on` carries out the firmware's semihosting
/// `SYS_EXIT` or `SYS_EXIT_EXTENDED` itself: its gdbstub answers `W<code>` and QEMU exits with
/// that code (0 for `ADP_Stopped_ApplicationExit`, the status `SYS_EXIT_EXTENDED` gave, else
/// 1). probe-rs's core calls (`status()`, `halt()`, memory reads) then fail with this error,
/// and so does every later call of the session. `None` for any other error, and for `X` (the
/// target was terminated by a signal), which [`gdb_error_in`] still finds.
///
/// ```
/// use ph_tap::probe::gdb::{GdbError, exit_code_in};
///
/// let exited = GdbError::Exited { addr: "127.0.0.1:1234".into(), reply: "W2a".into(), code: Some(42) };
/// let err = anyhow::Error::new(probe_rs::Error::Arm(exited.into())).context("polling the core");
/// assert_eq!(exit_code_in(&err), Some(42));
/// assert_eq!(exit_code_in(&anyhow::anyhow!("no probe")), None);
/// ```
pub fn exit_code_in(err: &anyhow::Error) -> Option<i32> {
    match gdb_error_in(err)? {
        GdbError::Exited { code, .. } => *code,
        _ => None,
    }
}
