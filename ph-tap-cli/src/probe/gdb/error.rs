//! What can go wrong talking to a GDB server, each as one line that says what to do next.

use std::time::Duration;

/// An error of the GDB remote-serial-protocol link or of the server's answer.
///
/// Every variant names the server (`HOST:PORT`) and says what to try; [`Display`](std::fmt::Display)
/// is one line.
/// It reaches probe-rs as a probe-specific error ([`probe_rs::probe::ProbeError`]), and
/// [`gdb_error_in`](super::gdb_error_in) finds it again in an error chain.
#[derive(Debug)]
pub enum GdbError {
    /// The TCP connection could not be made.
    Connect {
        /// `--gdb`'s address.
        addr: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// No (complete) answer within the reply timeout.
    Timeout {
        /// `--gdb`'s address.
        addr: String,
        /// What was being waited for.
        waiting_for: String,
        /// The timeout.
        after: Duration,
    },
    /// The server closed the connection.
    Closed {
        /// `--gdb`'s address.
        addr: String,
        /// What was being waited for.
        waiting_for: String,
    },
    /// Reading or writing the socket failed.
    Io {
        /// `--gdb`'s address.
        addr: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A byte that starts no packet (not `$`, `+` or `-`).
    Garbage {
        /// `--gdb`'s address.
        addr: String,
        /// The byte.
        byte: u8,
    },
    /// A packet that breaks the protocol.
    Malformed {
        /// `--gdb`'s address.
        addr: String,
        /// What is wrong with it.
        what: String,
    },
    /// Replies kept failing their checksum.
    BadChecksum {
        /// `--gdb`'s address.
        addr: String,
        /// How many bad packets in a row.
        tries: usize,
    },
    /// The server kept rejecting (`-`) a packet.
    Rejected {
        /// `--gdb`'s address.
        addr: String,
        /// How many times.
        tries: usize,
    },
    /// The server answered `E NN`.
    Server {
        /// `--gdb`'s address.
        addr: String,
        /// The request, shortened (e.g. `m 0x20000000,64`).
        request: String,
        /// The error number.
        code: u8,
    },
    /// The server answered with an empty packet: it does not know the request.
    Unsupported {
        /// `--gdb`'s address.
        addr: String,
        /// The request.
        request: String,
    },
    /// The target program ended (`W`/`X` stop reply): with QEMU's `-semihosting-config
    /// enable=on`, the firmware's semihosting `SYS_EXIT`/`SYS_EXIT_EXTENDED` (QEMU then exits
    /// too). Once seen, every later request of the connection fails with it.
    Exited {
        /// `--gdb`'s address.
        addr: String,
        /// The stop reply (`W2a`, `X09`).
        reply: String,
        /// The exit status a `W` reply carries (QEMU: 0 for `ADP_Stopped_ApplicationExit`,
        /// the status `SYS_EXIT_EXTENDED` gave, else 1); `None` for `X` (terminated by a
        /// signal).
        code: Option<i32>,
    },
    /// The HardFault vector catch (`DEMCR.VC_HARDERR`) cannot be armed: the vector table has
    /// no HardFault handler.
    NoHardFaultHandler {
        /// `--gdb`'s address.
        addr: String,
        /// The vector table's address (VTOR).
        vtor: u32,
        /// Its entry 3, the HardFault handler's address.
        entry: u32,
    },
}

impl std::fmt::Display for GdbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Connect { addr, source } => write!(
                f,
                "cannot connect to the GDB server at {addr} ({source}): start the GDB server first (e.g. qemu-system-arm ... -gdb tcp:{addr}) or fix --gdb"
            ),
            Self::Timeout {
                addr,
                waiting_for,
                after,
            } => write!(
                f,
                "the GDB server at {addr} did not answer {waiting_for} within {after:?}: check that --gdb is a GDB server's port and that no other debugger is using it"
            ),
            Self::Closed { addr, waiting_for } => write!(
                f,
                "the GDB server at {addr} closed the connection while ph-tap waited for {waiting_for}: most servers take one client at a time, so close other debuggers, restart the server and retry"
            ),
            Self::Io { addr, source } => write!(
                f,
                "the connection to the GDB server at {addr} failed ({source}): restart the server and retry"
            ),
            Self::Garbage { addr, byte } => write!(
                f,
                "the GDB server at {addr} sent byte {byte:#04x} where a packet should start: check that --gdb is a GDB server's port (not an RTT, telnet or serial port)"
            ),
            Self::Malformed { addr, what } => write!(
                f,
                "the GDB server at {addr} sent a malformed packet ({what}): check that --gdb is a GDB server's port"
            ),
            Self::BadChecksum { addr, tries } => write!(
                f,
                "the GDB server at {addr} sent {tries} packets with bad checksums in a row: the link corrupts data; restart the server and retry"
            ),
            Self::Rejected { addr, tries } => write!(
                f,
                "the GDB server at {addr} rejected ph-tap's packet {tries} times: restart the server and retry"
            ),
            Self::Server {
                addr,
                request,
                code,
            } => write!(
                f,
                "the GDB server at {addr} answered error E{code:02x} to {request}: check that --chip (or --chip-description) matches the target's memory map"
            ),
            Self::Unsupported { addr, request } => write!(
                f,
                "the GDB server at {addr} does not support {request}: use a server that does (QEMU, OpenOCD, pyOCD, J-Link, Black Magic Probe)"
            ),
            Self::Exited {
                addr,
                reply,
                code: Some(code),
            } => write!(
                f,
                "the target behind the GDB server at {addr} has exited with code {code} ({reply}): restart it and ph-tap"
            ),
            Self::Exited {
                addr,
                reply,
                code: None,
            } => write!(
                f,
                "the target behind the GDB server at {addr} was terminated ({reply}): restart it and ph-tap"
            ),
            Self::NoHardFaultHandler { addr, vtor, entry } => write!(
                f,
                "cannot catch HardFaults through the GDB server at {addr}: the vector table at {vtor:#010x} has no HardFault handler (entry 3 is {entry:#010x}); load the firmware first"
            ),
        }
    }
}

/// No `source()`: the operating system's message is already part of the one line.
impl std::error::Error for GdbError {}

impl probe_rs::probe::ProbeError for GdbError {}

impl From<GdbError> for probe_rs::architecture::arm::ArmError {
    fn from(err: GdbError) -> Self {
        Self::Probe(err.into())
    }
}
