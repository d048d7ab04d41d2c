//! The Cortex-M debug registers probe-rs drives, emulated over RSP, and the run/stop policy.
//!
//! | register | address | emulation |
//! | --- | --- | --- |
//! | DHCSR | `0xE000EDF0` | reads: `S_HALT` from the stop state, `S_REGRDY` always, `S_RESET_ST` once after a reset; writes (with `DBGKEY`): `C_HALT` set stops the target (`\x03`), cleared resumes it (`c`), `C_STEP` steps (`s`) |
//! | DCRSR / DCRDR | `0xE000EDF4` / `F8` | a `DCRSR` write reads (`p`) or writes (`P`) the selected core register through `DCRDR`, numbered as the server's target description says |
//! | DEMCR | `0xE000EDFC` | kept here for reads and written through; `VC_CORERESET` makes a reset end halted |
//! | AIRCR | `0xE000ED0C` | a write with `VECTKEY` and `SYSRESETREQ`/`VECTRESET` resets the target, stopped: QEMU's `monitor system_reset` if the server knows it, else the write itself; then reported as a reset |
//! | FP_CTRL | `0xE0002000` | reads 0: no breakpoint comparators (breakpoints are the server's business) |
//!
//! Everything else goes to the server as memory (`m`/`M`). A GDB server serves memory only
//! while the target is stopped, so an access made while the target runs stops it (`\x03`),
//! does the access and resumes it (`c`): one stop per probe-rs memory call, however many
//! packets it takes. Connecting resumes the target (servers stop it when a client connects,
//! QEMU's `-S` too): ph-tap watches a running target.

use super::error::GdbError;
use super::registers::{Access, RegisterMap};
use super::rsp::RspClient;

/// Debug Halting Control and Status Register.
pub const DHCSR: u64 = 0xE000_EDF0;
/// Debug Core Register Selector Register.
pub const DCRSR: u64 = 0xE000_EDF4;
/// Debug Core Register Data Register.
pub const DCRDR: u64 = 0xE000_EDF8;
/// Debug Exception and Monitor Control Register.
pub const DEMCR: u64 = 0xE000_EDFC;
/// Application Interrupt and Reset Control Register.
pub const AIRCR: u64 = 0xE000_ED0C;
/// Flash Patch and Breakpoint unit's control register.
pub const FP_CTRL: u64 = 0xE000_2000;

const DBGKEY: u32 = 0xA05F << 16;
const C_DEBUGEN: u32 = 1 << 0;
const C_HALT: u32 = 1 << 1;
const C_STEP: u32 = 1 << 2;
/// The control bits kept: C_DEBUGEN, C_HALT, C_STEP, C_MASKINTS, C_SNAPSTALL.
const CONTROL_BITS: u32 = 0b10_1111;
const S_REGRDY: u32 = 1 << 16;
const S_HALT: u32 = 1 << 17;
const S_RETIRE_ST: u32 = 1 << 24;
const S_RESET_ST: u32 = 1 << 25;
const VECTKEY: u32 = 0x05FA << 16;
const SYSRESETREQ: u32 = 1 << 2;
const VECTRESET: u32 = 1 << 0;
const VC_CORERESET: u32 = 1 << 0;
const REGWNR: u32 = 1 << 16;
/// QEMU's monitor command for a system reset.
const QEMU_RESET: &str = "system_reset";

/// A Cortex-M core behind a GDB server, as probe-rs sees it through its debug registers.
#[derive(Debug)]
pub struct Core {
    rsp: RspClient,
    /// The server's target runs (ph-tap sent `c` and no stop reply came yet).
    running: bool,
    /// probe-rs's view: halted on its request, or the target stopped on its own.
    halted: bool,
    /// DHCSR control bits probe-rs wrote.
    control: u32,
    dcrdr: u32,
    demcr: u32,
    /// A reset happened and DHCSR has not been read since.
    reset: bool,
    registers: Option<RegisterMap>,
    /// How many times an access stopped and resumed the running target.
    stops: u64,
}

impl Core {
    /// Takes over a connected server: asks why the target is stopped (`?`) and resumes it
    /// (`resume`) or leaves it halted.
    pub fn new(mut rsp: RspClient, resume: bool) -> Result<Self, GdbError> {
        rsp.halt_reason()?;
        if resume {
            rsp.resume()?;
        }
        Ok(Self {
            rsp,
            running: resume,
            halted: !resume,
            // A halted core is in debug state, as on hardware: probe-rs then leaves DHCSR alone
            // when it attaches instead of writing C_DEBUGEN alone, which resumes the core.
            control: if resume { 0 } else { C_DEBUGEN },
            dcrdr: 0,
            demcr: 0,
            reset: false,
            registers: None,
            stops: 0,
        })
    }

    /// The server's address.
    pub fn addr(&self) -> &str {
        self.rsp.addr()
    }

    /// How many times a memory access stopped and resumed the running target.
    pub fn stops(&self) -> u64 {
        self.stops
    }

    /// Whether probe-rs sees the core halted.
    pub fn halted(&self) -> bool {
        self.halted
    }

    /// Runs `f` with the target stopped, resuming it afterwards if it was running (and nothing
    /// in between halted it).
    fn stopped<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, GdbError>,
    ) -> Result<T, GdbError> {
        let was_running = self.running;
        if was_running {
            self.stop()?;
            self.stops += 1;
        }
        let out = f(self);
        if was_running && !self.halted && !self.running {
            self.rsp.resume()?;
            self.running = true;
        }
        out
    }

    /// Stops the running target; one that already stopped on its own stays halted.
    fn stop(&mut self) -> Result<(), GdbError> {
        if self.check_stopped()? {
            return Ok(());
        }
        self.rsp.interrupt()?;
        self.running = false;
        Ok(())
    }

    /// Whether the running target stopped on its own (its stop reply arrived): then it is
    /// halted.
    fn check_stopped(&mut self) -> Result<bool, GdbError> {
        if self.running && self.rsp.poll_stop()?.is_some() {
            self.running = false;
            self.halted = true;
        }
        Ok(!self.running)
    }

    /// Reads target memory.
    pub fn read_bytes(&mut self, address: u64, out: &mut [u8]) -> Result<(), GdbError> {
        self.stopped(|core| core.rsp.read_memory(address, out))
    }

    /// Writes target memory.
    pub fn write_bytes(&mut self, address: u64, data: &[u8]) -> Result<(), GdbError> {
        self.stopped(|core| core.rsp.write_memory(address, data))
    }

    /// Reads 32-bit words, the emulated registers among them.
    pub fn read_words(&mut self, address: u64, out: &mut [u32]) -> Result<(), GdbError> {
        if emulated(address, out.len()) {
            for (k, word) in out.iter_mut().enumerate() {
                let at = address + 4 * k as u64;
                *word = match self.read_emulated(at)? {
                    Some(value) => value,
                    None => {
                        let mut bytes = [0u8; 4];
                        self.read_bytes(at, &mut bytes)?;
                        u32::from_le_bytes(bytes)
                    }
                };
            }
            return Ok(());
        }
        let mut bytes = vec![0u8; out.len() * 4];
        self.read_bytes(address, &mut bytes)?;
        for (word, b) in out.iter_mut().zip(bytes.chunks_exact(4)) {
            *word = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        }
        Ok(())
    }

    /// Writes 32-bit words, the emulated registers among them.
    pub fn write_words(&mut self, address: u64, data: &[u32]) -> Result<(), GdbError> {
        if emulated(address, data.len()) {
            for (k, &word) in data.iter().enumerate() {
                let at = address + 4 * k as u64;
                if !self.write_emulated(at, word)? {
                    self.write_bytes(at, &word.to_le_bytes())?;
                }
            }
            return Ok(());
        }
        let bytes: Vec<u8> = data.iter().flat_map(|w| w.to_le_bytes()).collect();
        self.write_bytes(address, &bytes)
    }

    fn read_emulated(&mut self, address: u64) -> Result<Option<u32>, GdbError> {
        Ok(Some(match address {
            DHCSR => {
                self.check_stopped()?;
                let mut value = (self.control & !C_HALT) | S_REGRDY;
                if self.halted {
                    value |= C_HALT | S_HALT;
                } else {
                    value |= S_RETIRE_ST;
                }
                if std::mem::take(&mut self.reset) {
                    value |= S_RESET_ST;
                }
                value
            }
            DCRSR => 0,
            DCRDR => self.dcrdr,
            DEMCR => self.demcr,
            FP_CTRL => 0,
            _ => return Ok(None),
        }))
    }

    /// Handles a write to an emulated register; false if `address` is not one.
    fn write_emulated(&mut self, address: u64, value: u32) -> Result<bool, GdbError> {
        match address {
            DHCSR => self.write_dhcsr(value)?,
            DCRSR => self.write_dcrsr(value)?,
            DCRDR => self.dcrdr = value,
            DEMCR => {
                // Kept here for reads (QEMU has none); written through too, so that a real
                // core's reset catch is armed.
                self.demcr = value;
                self.stopped(|core| core.rsp.write_memory(DEMCR, &value.to_le_bytes()))?;
            }
            FP_CTRL => {}
            AIRCR if value & 0xFFFF_0000 == VECTKEY && value & (SYSRESETREQ | VECTRESET) != 0 => {
                self.reset_with(value)?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn write_dhcsr(&mut self, value: u32) -> Result<(), GdbError> {
        // Like the hardware: a write without the key does nothing.
        if value & 0xFFFF_0000 != DBGKEY {
            return Ok(());
        }
        self.control = value & CONTROL_BITS;
        let halt = value & C_HALT != 0;
        if halt && !self.halted {
            if self.running {
                self.stop()?;
            }
            self.halted = true;
        } else if !halt && self.halted {
            if value & C_STEP != 0 {
                self.rsp.step()?;
            } else {
                self.halted = false;
                self.rsp.resume()?;
                self.running = true;
            }
        }
        Ok(())
    }

    fn write_dcrsr(&mut self, value: u32) -> Result<(), GdbError> {
        let regsel = (value & 0x7F) as u8;
        let write = value & REGWNR != 0;
        self.stopped(|core| {
            let access =
                core.register_map()?
                    .access(regsel)
                    .ok_or_else(|| GdbError::Unsupported {
                        addr: core.addr().to_owned(),
                        request: format!("core register {regsel} (DCRSR.REGSEL)"),
                    })?;
            if write {
                core.write_register(&access, core.dcrdr)
            } else {
                core.dcrdr = core.read_register(&access)?;
                Ok(())
            }
        })
    }

    /// The server's register numbering, read once (with the target stopped).
    fn register_map(&mut self) -> Result<&RegisterMap, GdbError> {
        if self.registers.is_none() {
            let map = if self.rsp.supports("qXfer:features:read") {
                let top = self.rsp.read_features("target.xml")?;
                let rsp = &mut self.rsp;
                RegisterMap::from_target_xml(&top, &mut |href| rsp.read_features(href))?
            } else {
                RegisterMap::classic()
            };
            self.registers = Some(map);
        }
        Ok(self.registers.as_ref().expect("set above"))
    }

    fn read_register(&mut self, access: &Access) -> Result<u32, GdbError> {
        Ok(match *access {
            Access::Whole { number, .. } => low_word(&self.rsp.read_register(number)?),
            Access::Packed(parts) => {
                let mut value = 0;
                for (k, part) in parts.iter().enumerate() {
                    if let Some(number) = *part {
                        let byte = low_word(&self.rsp.read_register(number)?) & 0xFF;
                        value |= byte << (24 - 8 * k);
                    }
                }
                value
            }
            Access::Half { number, high } => {
                let double = self.rsp.read_register(number)?;
                let half = if high {
                    double.get(4..).unwrap_or_default()
                } else {
                    &double
                };
                low_word(half)
            }
        })
    }

    fn write_register(&mut self, access: &Access, value: u32) -> Result<(), GdbError> {
        match *access {
            Access::Whole { number, bytes } => {
                let mut data = value.to_le_bytes().to_vec();
                data.resize(bytes.max(1), 0);
                self.rsp.write_register(number, &data)
            }
            Access::Packed(parts) => {
                for (k, part) in parts.iter().enumerate() {
                    if let Some(number) = *part {
                        let byte = (value >> (24 - 8 * k)) & 0xFF;
                        let size = self.rsp.read_register(number)?.len().max(1);
                        let mut data = byte.to_le_bytes().to_vec();
                        data.resize(size, 0);
                        self.rsp.write_register(number, &data)?;
                    }
                }
                Ok(())
            }
            Access::Half { number, high } => {
                let mut double = self.rsp.read_register(number)?;
                double.resize(8, 0);
                let at = if high { 4 } else { 0 };
                double[at..at + 4].copy_from_slice(&value.to_le_bytes());
                self.rsp.write_register(number, &double)
            }
        }
    }

    /// Resets the target, with the target stopped: QEMU's `monitor system_reset` where the
    /// server knows it (QEMU drops debug writes to its system registers), else the AIRCR write
    /// `aircr` itself. The target then stays halted if `DEMCR.VC_CORERESET` asks for it, else
    /// it runs.
    pub fn reset_with(&mut self, aircr: u32) -> Result<(), GdbError> {
        if self.running {
            self.stop()?;
        }
        // QEMU answers a command it knows with no output; others print an error, or refuse.
        let by_monitor = matches!(self.rsp.monitor(QEMU_RESET), Ok(output) if output.is_empty());
        if !by_monitor {
            self.rsp.write_memory(AIRCR, &aircr.to_le_bytes())?;
        }
        self.reset = true;
        self.halted = self.demcr & VC_CORERESET != 0;
        if !self.halted {
            self.rsp.resume()?;
            self.running = true;
        }
        Ok(())
    }

    /// Resets the target with `SYSRESETREQ`.
    pub fn reset(&mut self) -> Result<(), GdbError> {
        self.reset_with(VECTKEY | SYSRESETREQ)
    }

    /// Lets the server go (`D`), leaving the target running unless probe-rs halted it.
    pub fn detach(&mut self) -> Result<(), GdbError> {
        if self.running {
            self.rsp.interrupt()?;
            self.running = false;
        }
        self.rsp.detach()
    }
}

/// Whether `words` 32-bit words at `address` touch an emulated register.
fn emulated(address: u64, words: usize) -> bool {
    let end = address + 4 * words as u64;
    [
        (DHCSR, DEMCR + 4),
        (AIRCR, AIRCR + 4),
        (FP_CTRL, FP_CTRL + 4),
    ]
    .iter()
    .any(|&(lo, hi)| address < hi && lo < end)
}

/// The first (up to) four little-endian bytes as a word.
fn low_word(bytes: &[u8]) -> u32 {
    let mut word = [0u8; 4];
    let n = bytes.len().min(4);
    word[..n].copy_from_slice(&bytes[..n]);
    u32::from_le_bytes(word)
}
