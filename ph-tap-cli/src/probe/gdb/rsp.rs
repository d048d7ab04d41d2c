//! The client side of a GDB remote-serial-protocol connection: connecting over TCP (with
//! `TCP_NODELAY`), the `qSupported` / `QStartNoAckMode` handshake, sending a packet and
//! waiting for its `+`, receiving one (checksum verified, `-` and a retransmission asked for
//! in ack mode, escapes and run-length encoding undone), the `\x03` interrupt and stop
//! replies. Every wait is bounded by the reply timeout; a server that closes, stalls or sends
//! garbage is a [`GdbError`], never a hang or a panic.
//!
//! The requests themselves (memory, registers, target description) are in `commands.rs`, as
//! more methods of [`RspClient`].

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use super::error::GdbError;
use super::packet::{checksum, decode_body, frame, hex_digit};

/// How long a reply may take unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long a step may take before it is ended with an interrupt (see [`RspClient::step`]).
pub const STEP_WAIT: Duration = Duration::from_secs(1);
/// The longest packet accepted from a server.
const MAX_PACKET: usize = 1 << 20;
/// How many times a packet is sent again after a `-`, or asked for again after a bad checksum.
const RETRIES: usize = 3;
/// A server that does not say its `PacketSize` is assumed to take packets this long.
const DEFAULT_PACKET_SIZE: usize = 0x400;

/// Why the target stopped, from a stop reply (`S`/`T`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stop {
    /// The signal number ([`SIGINT`]: interrupted, [`SIGTRAP`]: a breakpoint or a step).
    pub signal: u8,
}

/// The signal of a stop reply to an interrupt (`\x03`).
pub const SIGINT: u8 = 2;
/// The signal of a stop reply to a breakpoint, a watchpoint or a step.
pub const SIGTRAP: u8 = 5;

/// The breakpoint types of `Z`/`z` packets that ph-tap uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakpointType {
    /// `Z0`: the server patches the code (or, like QEMU, watches the PC).
    Software,
    /// `Z1`: a comparator of the core (QEMU: the same as a software one).
    Hardware,
}

/// What arrives while the target runs.
enum Event {
    /// An `O` packet: the target's console output, ignored.
    Console,
    /// The target stopped.
    Stop(Stop),
}

/// A connection to a GDB server.
///
/// ```no_run
/// use ph_tap::probe::gdb::rsp::{DEFAULT_TIMEOUT, RspClient};
///
/// let mut gdb = RspClient::connect("127.0.0.1:1234", DEFAULT_TIMEOUT)?;
/// let mut word = [0u8; 4];
/// gdb.read_memory(0x2000_0000, &mut word)?;
/// # Ok::<(), ph_tap::probe::gdb::GdbError>(())
/// ```
#[derive(Debug)]
pub struct RspClient {
    stream: TcpStream,
    addr: String,
    /// Bytes received and not yet consumed: `inbox[at..]`.
    inbox: Vec<u8>,
    at: usize,
    /// Acks (`+`/`-`) still in use (until `QStartNoAckMode` is accepted).
    ack: bool,
    timeout: Duration,
    /// The longest packet the server takes (its `PacketSize`).
    packet_size: usize,
    /// The `qSupported` features the server announced.
    features: Vec<String>,
    /// The target's `W`/`X` stop reply, once it exited: every later request fails with it.
    exited: Option<String>,
}

impl RspClient {
    /// Connects to `addr` (`HOST:PORT`) and does the handshake; each reply may take up to
    /// `timeout` (the connection too).
    pub fn connect(addr: &str, timeout: Duration) -> Result<Self, GdbError> {
        let connect_error = |source| GdbError::Connect {
            addr: addr.to_owned(),
            source,
        };
        let mut last = std::io::Error::new(ErrorKind::NotFound, "the name has no address");
        for socket in addr.to_socket_addrs().map_err(connect_error)? {
            match TcpStream::connect_timeout(&socket, timeout) {
                Ok(stream) => return Self::handshake(stream, addr, timeout),
                Err(err) => last = err,
            }
        }
        Err(connect_error(last))
    }

    /// Takes over a connected `stream` to the server at `addr` and does the handshake.
    pub fn handshake(stream: TcpStream, addr: &str, timeout: Duration) -> Result<Self, GdbError> {
        let mut client = Self {
            stream,
            addr: addr.to_owned(),
            inbox: Vec::new(),
            at: 0,
            ack: true,
            timeout,
            packet_size: DEFAULT_PACKET_SIZE,
            features: Vec::new(),
            exited: None,
        };
        client
            .stream
            .set_nodelay(true)
            .map_err(|source| client.io(source))?;
        let mut reply = client.request(
            b"qSupported:swbreak+;hwbreak+;xmlRegisters=arm",
            "qSupported",
        )?;
        // QEMU stops a running guest when a debugger connects and says so at once, with a
        // stop reply sent before it answers anything: not the reply to `qSupported`, which
        // follows it. (The target is halted; a `?` later says so again.)
        while is_stop_reply(&reply) {
            reply = client.receive("qSupported")?;
        }
        client.features = String::from_utf8_lossy(&reply)
            .split(';')
            .filter(|f| !f.is_empty())
            .map(str::to_owned)
            .collect();
        if let Some(size) = client.feature_value("PacketSize") {
            client.packet_size = usize::from_str_radix(&size, 16)
                .ok()
                .filter(|&n| n >= 64)
                .ok_or_else(|| client.malformed(format!("qSupported's PacketSize={size}")))?;
        }
        if client.supports("QStartNoAckMode")
            && client.request(b"QStartNoAckMode", "QStartNoAckMode")? == b"OK"
        {
            client.ack = false;
        }
        Ok(client)
    }

    /// The server's address, as given.
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// Whether acks are in use (false once the server accepted `QStartNoAckMode`).
    pub fn ack_mode(&self) -> bool {
        self.ack
    }

    /// The longest packet the server takes.
    pub fn packet_size(&self) -> usize {
        self.packet_size
    }

    /// Whether the server announced `feature+` in its `qSupported` reply.
    pub fn supports(&self, feature: &str) -> bool {
        self.features
            .iter()
            .any(|f| f.strip_suffix('+') == Some(feature))
    }

    fn feature_value(&self, name: &str) -> Option<String> {
        self.features.iter().find_map(|f| {
            f.strip_prefix(name)
                .and_then(|rest| rest.strip_prefix('='))
                .map(str::to_owned)
        })
    }

    /// Sends `payload` and returns the server's reply packet, decoded; `what` names the
    /// request in errors.
    pub fn request(&mut self, payload: &[u8], what: &str) -> Result<Vec<u8>, GdbError> {
        self.send(payload, what)?;
        self.receive(what)
    }

    /// Sends one packet; in ack mode, waits for its `+` and sends it again after a `-`.
    pub fn send(&mut self, payload: &[u8], what: &str) -> Result<(), GdbError> {
        let framed = frame(payload);
        for _ in 0..=RETRIES {
            self.write(&framed)?;
            if !self.ack {
                return Ok(());
            }
            let deadline = Instant::now() + self.timeout;
            match self.next_byte(deadline, what)? {
                b'+' => return Ok(()),
                b'-' => continue,
                b'$' => {
                    // The reply without an ack: take it as acked, keep the reply.
                    self.at -= 1;
                    return Ok(());
                }
                byte => return Err(self.garbage(byte)),
            }
        }
        Err(GdbError::Rejected {
            addr: self.addr.clone(),
            tries: RETRIES + 1,
        })
    }

    /// Receives one packet (skipping stray `+`), verifies its checksum (asking for it again
    /// after a bad one in ack mode) and returns its decoded body.
    pub fn receive(&mut self, what: &str) -> Result<Vec<u8>, GdbError> {
        let deadline = Instant::now() + self.timeout;
        let mut bad = 0;
        loop {
            match self.next_byte(deadline, what)? {
                b'+' => continue,
                b'$' => {}
                byte => return Err(self.garbage(byte)),
            }
            let mut raw = Vec::new();
            loop {
                match self.next_byte(deadline, what)? {
                    b'#' => break,
                    b'$' => return Err(self.malformed("a packet started inside another")),
                    byte => raw.push(byte),
                }
                if raw.len() > MAX_PACKET {
                    return Err(self.malformed("a packet longer than 1 MiB"));
                }
            }
            let (hi, lo) = (
                self.next_byte(deadline, what)?,
                self.next_byte(deadline, what)?,
            );
            let Some(sum) = hex_digit(hi).zip(hex_digit(lo)).map(|(h, l)| h << 4 | l) else {
                return Err(self.malformed(format!(
                    "checksum '{}{}' is not hex",
                    char::from(hi).escape_default(),
                    char::from(lo).escape_default()
                )));
            };
            if sum != checksum(&raw) {
                bad += 1;
                if !self.ack || bad > RETRIES {
                    return Err(GdbError::BadChecksum {
                        addr: self.addr.clone(),
                        tries: bad,
                    });
                }
                self.write(b"-")?;
                continue;
            }
            if self.ack {
                self.write(b"+")?;
            }
            return decode_body(&raw).map_err(|err| self.malformed(err.to_string()));
        }
    }

    /// Stops the running target (`\x03`) and returns its stop reply.
    pub fn interrupt(&mut self) -> Result<Stop, GdbError> {
        self.write(&[0x03])?;
        self.wait_stop("the stop reply to an interrupt")
    }

    /// Resumes the stopped target (`c`); its stop reply comes when it stops again.
    pub fn resume(&mut self) -> Result<(), GdbError> {
        self.send(b"c", "c (continue)")
    }

    /// Runs one instruction (`s`) and returns the stop reply.
    ///
    /// A step that brings no reply within [`STEP_WAIT`] is ended with an interrupt, and the
    /// target reported stopped where that leaves it: a core asleep in `WFI` executes nothing
    /// in a step, and a server may not wake it while stepping (QEMU under `-icount` masks its
    /// timers and interrupts during a step). probe-rs steps before every resume of a halted
    /// core, so that step must not end the session.
    pub fn step(&mut self) -> Result<Stop, GdbError> {
        self.send(b"s", "s (step)")?;
        if self.at == self.inbox.len() {
            match self.fill(Instant::now() + STEP_WAIT, "the stop reply to a step") {
                Ok(()) => {}
                Err(GdbError::Timeout { .. }) => return self.interrupt(),
                Err(err) => return Err(err),
            }
        }
        self.wait_stop("the stop reply to a step")
    }

    /// Waits for a stop reply, skipping console output.
    pub fn wait_stop(&mut self, what: &str) -> Result<Stop, GdbError> {
        loop {
            if let Event::Stop(stop) = self.next_event(what)? {
                return Ok(stop);
            }
        }
    }

    /// A stop reply the running target already sent (it stopped on its own), without
    /// waiting for one.
    pub fn poll_stop(&mut self) -> Result<Option<Stop>, GdbError> {
        loop {
            if self.at == self.inbox.len() && !self.fill_now()? {
                return Ok(None);
            }
            if let Event::Stop(stop) = self.next_event("a stop reply")? {
                return Ok(Some(stop));
            }
        }
    }

    /// Parses `reply` as a stop reply. `W` (the program exited) and `X` (it was terminated)
    /// are [`GdbError::Exited`]; then the target is gone, and every later request of this
    /// client fails with the same error.
    pub fn parse_stop(&mut self, reply: &[u8]) -> Result<Stop, GdbError> {
        match reply {
            [b'S' | b'T', hi, lo, ..] => hex_digit(*hi)
                .zip(hex_digit(*lo))
                .map(|(h, l)| Stop { signal: h << 4 | l })
                .ok_or_else(|| self.malformed("a stop reply's signal is not hex")),
            [b'W' | b'X', ..] => {
                let reply = String::from_utf8_lossy(reply).into_owned();
                self.exited = Some(reply.clone());
                Err(self.exited_error(reply))
            }
            other => {
                Err(self.malformed(format!("expected a stop reply, got '{}'", shorten(other))))
            }
        }
    }

    /// The target's `W`/`X` stop reply, if it exited.
    pub fn exited(&self) -> Option<&str> {
        self.exited.as_deref()
    }

    fn exited_error(&self, reply: String) -> GdbError {
        GdbError::Exited {
            addr: self.addr.clone(),
            code: exit_code(&reply),
            reply,
        }
    }

    fn next_event(&mut self, what: &str) -> Result<Event, GdbError> {
        let packet = self.receive(what)?;
        if packet.first() == Some(&b'O') && packet != b"OK" {
            return Ok(Event::Console);
        }
        self.parse_stop(&packet).map(Event::Stop)
    }

    fn next_byte(&mut self, deadline: Instant, what: &str) -> Result<u8, GdbError> {
        if self.at == self.inbox.len() {
            self.fill(deadline, what)?;
        }
        let byte = self.inbox[self.at];
        self.at += 1;
        Ok(byte)
    }

    /// Reads at least one byte into the (consumed) inbox before `deadline`.
    fn fill(&mut self, deadline: Instant, what: &str) -> Result<(), GdbError> {
        self.check_exited()?;
        let mut buf = [0u8; 8192];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(GdbError::Timeout {
                    addr: self.addr.clone(),
                    waiting_for: what.to_owned(),
                    after: self.timeout,
                });
            }
            self.stream
                .set_read_timeout(Some(left))
                .map_err(|source| self.io(source))?;
            match self.stream.read(&mut buf) {
                Ok(0) => {
                    return Err(GdbError::Closed {
                        addr: self.addr.clone(),
                        waiting_for: what.to_owned(),
                    });
                }
                Ok(n) => {
                    self.inbox.clear();
                    self.inbox.extend_from_slice(&buf[..n]);
                    self.at = 0;
                    return Ok(());
                }
                Err(err)
                    if matches!(
                        err.kind(),
                        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                    ) => {}
                Err(source) => return Err(self.io(source)),
            }
        }
    }

    /// Reads what already arrived into the (consumed) inbox, without waiting: false if nothing.
    fn fill_now(&mut self) -> Result<bool, GdbError> {
        self.check_exited()?;
        let mut buf = [0u8; 8192];
        self.stream
            .set_nonblocking(true)
            .map_err(|source| self.io(source))?;
        let read = self.stream.read(&mut buf);
        self.stream
            .set_nonblocking(false)
            .map_err(|source| self.io(source))?;
        match read {
            Ok(0) => Err(GdbError::Closed {
                addr: self.addr.clone(),
                waiting_for: "the running target's stop reply".to_owned(),
            }),
            Ok(n) => {
                self.inbox.clear();
                self.inbox.extend_from_slice(&buf[..n]);
                self.at = 0;
                Ok(true)
            }
            Err(err) if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {
                Ok(false)
            }
            Err(source) => Err(self.io(source)),
        }
    }

    /// The target's exit, once seen: the error of every later read and write.
    fn check_exited(&self) -> Result<(), GdbError> {
        match &self.exited {
            Some(reply) => Err(self.exited_error(reply.clone())),
            None => Ok(()),
        }
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), GdbError> {
        self.check_exited()?;
        self.stream
            .write_all(bytes)
            .map_err(|source| self.io(source))
    }

    fn io(&self, source: std::io::Error) -> GdbError {
        GdbError::Io {
            addr: self.addr.clone(),
            source,
        }
    }

    fn garbage(&self, byte: u8) -> GdbError {
        GdbError::Garbage {
            addr: self.addr.clone(),
            byte,
        }
    }

    /// A [`GdbError::Malformed`] saying `what`.
    pub fn malformed(&self, what: impl Into<String>) -> GdbError {
        GdbError::Malformed {
            addr: self.addr.clone(),
            what: what.into(),
        }
    }
}

/// The exit status of a `W` stop reply (`W2a`, `W2a;process:1`): its hex digits; `None` for
/// `X` (terminated by a signal) or a malformed one.
fn exit_code(reply: &str) -> Option<i32> {
    let digits = reply.strip_prefix('W')?.split(';').next()?;
    i32::from_str_radix(digits, 16).ok()
}

/// The start of `bytes` as printable text, for error messages.
pub(super) fn shorten(bytes: &[u8]) -> String {
    let text: String = String::from_utf8_lossy(&bytes[..bytes.len().min(24)])
        .chars()
        .flat_map(char::escape_default)
        .collect();
    if bytes.len() > 24 {
        format!("{text}...")
    } else {
        text
    }
}

/// Whether `packet` is a stop reply (`S NN` or `T NN...`, `NN` the signal in hex): what a
/// server may send on its own, unasked, as QEMU does when a debugger connects to a running
/// guest. No `qSupported` reply looks like one (feature names are not two hex digits).
fn is_stop_reply(packet: &[u8]) -> bool {
    matches!(packet, [b'S' | b'T', hi, lo, ..] if hex_digit(*hi).is_some() && hex_digit(*lo).is_some())
}
