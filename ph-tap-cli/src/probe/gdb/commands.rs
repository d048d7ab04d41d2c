//! The requests ph-tap makes of a GDB server: memory (`m`/`M`), registers (`p`/`P`), the stop
//! reason (`?`), breakpoints (`Z0`/`Z1`, `z0`/`z1`), the target description
//! (`qXfer:features:read`), monitor commands (`qRcmd`) and detaching (`D`), each
//! reply checked (`E NN` is [`GdbError::Server`], an empty reply [`GdbError::Unsupported`]).

use super::error::GdbError;
use super::packet::{error_code, from_hex, to_hex};
use super::rsp::{BreakpointType, RspClient, Stop, shorten};

/// The most bytes asked for by one `m` (servers answer fewer if their buffer is smaller).
const MAX_READ: usize = 4096;

impl RspClient {
    /// Reads `out.len()` bytes of target memory at `address` (the target must be stopped).
    pub fn read_memory(&mut self, address: u64, out: &mut [u8]) -> Result<(), GdbError> {
        let chunk = (self.packet_size().saturating_sub(8) / 2).clamp(16, MAX_READ);
        let mut done = 0;
        while done < out.len() {
            let at = address + done as u64;
            let len = (out.len() - done).min(chunk);
            let request = format!("m{at:x},{len:x}");
            let name = format!("m {at:#010x},{len}");
            let reply = self.request(request.as_bytes(), &name)?;
            let reply = self.checked(reply, &name)?;
            let bytes = from_hex(&reply).ok_or_else(|| {
                self.malformed(format!(
                    "the reply to {name} is not hex: '{}'",
                    shorten(&reply)
                ))
            })?;
            if bytes.is_empty() || bytes.len() > len {
                return Err(self.malformed(format!("{} bytes in the reply to {name}", bytes.len())));
            }
            out[done..done + bytes.len()].copy_from_slice(&bytes);
            done += bytes.len();
        }
        Ok(())
    }

    /// Writes `data` to target memory at `address` (the target must be stopped).
    pub fn write_memory(&mut self, address: u64, data: &[u8]) -> Result<(), GdbError> {
        let chunk = (self.packet_size().saturating_sub(32) / 2).clamp(16, MAX_READ);
        for (k, part) in data.chunks(chunk).enumerate() {
            let at = address + (k * chunk) as u64;
            let request = format!("M{at:x},{:x}:{}", part.len(), to_hex(part));
            let name = format!("M {at:#010x},{}", part.len());
            let reply = self.request(request.as_bytes(), &name)?;
            self.expect_ok(reply, &name)?;
        }
        Ok(())
    }

    /// The value of register `number` (gdb's numbering), in target byte order.
    pub fn read_register(&mut self, number: u32) -> Result<Vec<u8>, GdbError> {
        let name = format!("p {number} (read register)");
        let reply = self.request(format!("p{number:x}").as_bytes(), &name)?;
        let reply = self.checked(reply, &name)?;
        from_hex(&reply).ok_or_else(|| {
            self.malformed(format!(
                "register {number} is unavailable or not hex: '{}'",
                shorten(&reply)
            ))
        })
    }

    /// Sets register `number` (gdb's numbering) to `value`, in target byte order.
    pub fn write_register(&mut self, number: u32, value: &[u8]) -> Result<(), GdbError> {
        let name = format!("P {number} (write register)");
        let reply = self.request(format!("P{number:x}={}", to_hex(value)).as_bytes(), &name)?;
        self.expect_ok(reply, &name)
    }

    /// Why the target is stopped (`?`): a server answers it right after connecting.
    pub fn halt_reason(&mut self) -> Result<Stop, GdbError> {
        let reply = self.request(b"?", "? (halt reason)")?;
        self.parse_stop(&reply)
    }

    /// Inserts a breakpoint of type `kind` at `address` (`Z0`/`Z1`); `size` is gdb's ARM
    /// breakpoint kind: 2 for a 16-bit Thumb instruction, 3 for a 32-bit one. `Ok(false)` if
    /// the server does not support that type (an empty reply), so that another can be tried.
    pub fn insert_breakpoint(
        &mut self,
        kind: BreakpointType,
        address: u32,
        size: u8,
    ) -> Result<bool, GdbError> {
        self.breakpoint('Z', kind, address, size)
    }

    /// Removes a breakpoint [`insert_breakpoint`](Self::insert_breakpoint) inserted
    /// (`z0`/`z1`); `Ok(false)` if the server does not support that type.
    pub fn remove_breakpoint(
        &mut self,
        kind: BreakpointType,
        address: u32,
        size: u8,
    ) -> Result<bool, GdbError> {
        self.breakpoint('z', kind, address, size)
    }

    fn breakpoint(
        &mut self,
        packet: char,
        kind: BreakpointType,
        address: u32,
        size: u8,
    ) -> Result<bool, GdbError> {
        let number = match kind {
            BreakpointType::Software => 0,
            BreakpointType::Hardware => 1,
        };
        let name = format!("{packet}{number} {address:#010x},{size} (breakpoint)");
        let reply = self.request(
            format!("{packet}{number},{address:x},{size:x}").as_bytes(),
            &name,
        )?;
        if reply.is_empty() {
            return Ok(false);
        }
        self.expect_ok(reply, &name)?;
        Ok(true)
    }

    /// The target description document `annex` (`target.xml` and what it includes).
    pub fn read_features(&mut self, annex: &str) -> Result<String, GdbError> {
        let mut document = Vec::new();
        loop {
            let name = format!("qXfer:features:read:{annex}");
            let request = format!("{name}:{:x},{:x}", document.len(), MAX_READ);
            let reply = self.request(request.as_bytes(), &name)?;
            let reply = self.checked(reply, &name)?;
            let (kind, data) = reply
                .split_first()
                .ok_or_else(|| self.malformed(format!("an empty reply to {name}")))?;
            document.extend_from_slice(data);
            match kind {
                b'l' => break,
                b'm' if !data.is_empty() && document.len() <= 1 << 20 => continue,
                _ => {
                    return Err(
                        self.malformed(format!("the reply to {name} starts '{}'", shorten(&reply)))
                    );
                }
            }
        }
        Ok(String::from_utf8_lossy(&document).into_owned())
    }

    /// Runs `command` as a server monitor command (`qRcmd`, gdb's `monitor`) and returns the
    /// text it printed.
    pub fn monitor(&mut self, command: &str) -> Result<String, GdbError> {
        let name = format!("monitor {command}");
        let mut reply = self.request(
            format!("qRcmd,{}", to_hex(command.as_bytes())).as_bytes(),
            &name,
        )?;
        let mut output = Vec::new();
        loop {
            let reply_now = self.checked(reply, &name)?;
            if reply_now == b"OK" {
                return Ok(String::from_utf8_lossy(&output).into_owned());
            }
            // Console output: `O` and hex (some servers send the hex alone).
            let hex = reply_now.strip_prefix(b"O").unwrap_or(&reply_now);
            let text = from_hex(hex).ok_or_else(|| {
                self.malformed(format!(
                    "the output of {name} is not hex: '{}'",
                    shorten(&reply_now)
                ))
            })?;
            output.extend_from_slice(&text);
            reply = self.receive(&name)?;
        }
    }

    /// Detaches (`D`): the server lets the target run on.
    pub fn detach(&mut self) -> Result<(), GdbError> {
        let reply = self.request(b"D", "D (detach)")?;
        self.expect_ok(reply, "D (detach)")
    }

    /// `reply`, unless it is `E NN` or empty.
    fn checked(&self, reply: Vec<u8>, request: &str) -> Result<Vec<u8>, GdbError> {
        if let Some(code) = error_code(&reply) {
            return Err(GdbError::Server {
                addr: self.addr().to_owned(),
                request: request.to_owned(),
                code,
            });
        }
        if reply.is_empty() {
            return Err(GdbError::Unsupported {
                addr: self.addr().to_owned(),
                request: request.to_owned(),
            });
        }
        Ok(reply)
    }

    fn expect_ok(&self, reply: Vec<u8>, request: &str) -> Result<(), GdbError> {
        let reply = self.checked(reply, request)?;
        if reply == b"OK" {
            Ok(())
        } else {
            Err(self.malformed(format!(
                "expected OK to {request}, got '{}'",
                shorten(&reply)
            )))
        }
    }
}
