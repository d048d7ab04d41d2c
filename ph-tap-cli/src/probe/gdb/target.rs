//! The Cortex-M debug registers probe-rs drives, emulated over RSP, and the run/stop policy.
//!
//! | register | address | emulation |
//! | --- | --- | --- |
//! | DHCSR | `0xE000EDF0` | reads: `S_HALT` from the stop state, `S_REGRDY` always, `S_RESET_ST` once after a reset; writes (with `DBGKEY`): `C_HALT` set stops the target (`\x03`), cleared resumes it (`c`), `C_STEP` steps (`s`); resuming or stepping from the HardFault breakpoint steps over it first (`z`, `s`, `Z`), as gdb does |
//! | DCRSR / DCRDR | `0xE000EDF4` / `F8` | a `DCRSR` write reads (`p`) or writes (`P`) the selected core register through `DCRDR`, numbered as the server's target description says |
//! | DEMCR | `0xE000EDFC` | kept here for reads and written through. `VC_CORERESET` makes a reset end halted (with `DFSR.VCATCH`, as a reset vector catch on hardware); `VC_HARDERR` set arms a breakpoint at the HardFault handler (VTOR's entry 3, Thumb bit cleared; `Z1`, else `Z0` if the server refuses it), cleared removes it (`z1`/`z0`); a reset reads the vector table again and re-arms it |
//! | DFSR | `0xE000ED30` | the halt reasons, sticky, write one to clear: `HALTED` for a halt or step probe-rs asked for; for a stop of the target's own (its stop reply came while it ran): `VCATCH` at the armed HardFault handler, `BKPT` at a `bkpt` instruction (`0xBExx` at the PC) or for another trap (`S05`), `EXTERNAL` for any other signal |
//! | AIRCR | `0xE000ED0C` | a write with `VECTKEY` and `SYSRESETREQ`/`VECTRESET` resets the target, stopped: QEMU's `monitor system_reset` if the server knows it, else the write itself; then reported as a reset |
//! | FP_CTRL | `0xE0002000` | reads 0: no breakpoint comparators (breakpoints are the server's business) |
//!
//! Everything else goes to the server as memory (`m`/`M`), VTOR (`0xE000ED08`) and the fault
//! status registers (CFSR, HFSR) among them. A GDB server serves memory only while the target
//! is stopped, so an access made while the target runs stops it (`\x03`), does the access and
//! resumes it (`c`): one stop per probe-rs memory call, however many packets it takes.
//! Connecting resumes the target (servers stop it when a client connects, QEMU's `-S` too):
//! ph-tap watches a running target.
//!
//! So probe-rs's `Core::status()` works as on hardware: it reads DHCSR (which notices a stop
//! reply), then DFSR for the reason, clears it, and for a breakpoint looks for a semihosting
//! call (the PC, the instruction there, `r0`, `r1`, memory), all with the target stopped:
//!
//! - a HardFault after `enable_vector_catch(HardFault)` is `Halted(Exception)` at the
//!   handler's first instruction, the exception frame stacked (the faulting PC at SP + 24);
//! - a server that halts at a `bkpt` (OpenOCD, J-Link and pyOCD on hardware) gives
//!   `Halted(Breakpoint(..))`, and at `bkpt 0xab` with `r0 = SYS_EXIT` probe-rs's
//!   `Breakpoint(Semihosting(ExitSuccess | ExitError(..)))`;
//! - QEMU with `-semihosting-config enable=on` carries out a semihosting exit itself: it
//!   answers `W<code>` and exits, which is [`GdbError::Exited`] from then on (see
//!   [`exit_code_in`](super::exit_code_in)). QEMU without semihosting does not halt at a
//!   `bkpt` either: it escalates it to a HardFault (`HFSR.FORCED`), which the vector catch
//!   reports as `Exception`, the stacked PC at the `bkpt`.
//!
//! The catch is a breakpoint at the handler VTOR pointed at when it was armed (or at the last
//! reset): firmware that moves VTOR later is caught at the old table's handler, not the new.

use super::error::GdbError;
use super::registers::{Access, RegisterMap};
use super::rsp::{BreakpointType, RspClient, SIGINT, SIGTRAP};

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
/// Debug Fault Status Register.
pub const DFSR: u64 = 0xE000_ED30;
/// Vector Table Offset Register.
pub const VTOR: u64 = 0xE000_ED08;

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
const VC_HARDERR: u32 = 1 << 10;
/// DFSR: a halt or step request.
const DFSR_HALTED: u32 = 1 << 0;
/// DFSR: a `bkpt` instruction or a breakpoint.
const DFSR_BKPT: u32 = 1 << 1;
/// DFSR: a vector catch.
const DFSR_VCATCH: u32 = 1 << 3;
/// DFSR: an external debug request.
const DFSR_EXTERNAL: u32 = 1 << 4;
/// VTOR's TBLOFF field.
const TBLOFF: u32 = !0x7F;
/// The HardFault handler's entry in the vector table.
const HARDFAULT_ENTRY: u64 = 3 * 4;
const REGWNR: u32 = 1 << 16;
/// QEMU's monitor command for a system reset.
const QEMU_RESET: &str = "system_reset";

/// The breakpoint standing for the HardFault vector catch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Catch {
    /// The handler's first instruction.
    address: u32,
    /// gdb's ARM breakpoint kind: 2 for a 16-bit Thumb instruction, 3 for a 32-bit one.
    size: u8,
    kind: BreakpointType,
}

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
    /// DFSR's halt reasons, sticky until probe-rs writes ones to clear them.
    dfsr: u32,
    /// The breakpoint at the HardFault handler that stands for `DEMCR.VC_HARDERR`, while armed.
    catch: Option<Catch>,
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
            dfsr: 0,
            catch: None,
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
        let stop = self.rsp.interrupt()?;
        self.running = false;
        // A target that stopped on its own just before the interrupt came has its stop reply
        // taken for the interrupt's (QEMU ignores an interrupt of a stopped target): a trap
        // at the HardFault breakpoint is the catch, not ph-tap's stop.
        if stop.signal != SIGINT
            && let Some(catch) = self.catch
            && self.pc()? == catch.address
        {
            self.halted = true;
            self.dfsr |= DFSR_VCATCH;
        }
        Ok(())
    }

    /// Whether the running target stopped on its own (its stop reply arrived): then it is
    /// halted, and DFSR says why.
    fn check_stopped(&mut self) -> Result<bool, GdbError> {
        if self.running
            && let Some(stop) = self.rsp.poll_stop()?
        {
            self.running = false;
            self.halted = true;
            let by_signal = if stop.signal == SIGTRAP {
                DFSR_BKPT
            } else {
                DFSR_EXTERNAL
            };
            self.dfsr |= self.stop_reason()?.unwrap_or(by_signal);
        }
        Ok(!self.running)
    }

    /// Why the stopped target stopped, from where: `VCATCH` at the armed HardFault handler,
    /// `BKPT` at a `bkpt` instruction, `None` elsewhere.
    fn stop_reason(&mut self) -> Result<Option<u32>, GdbError> {
        let pc = self.pc()?;
        if self.catch.is_some_and(|catch| catch.address == pc) {
            return Ok(Some(DFSR_VCATCH));
        }
        let mut instruction = [0u8; 2];
        match self.rsp.read_memory(u64::from(pc), &mut instruction) {
            // BKPT #imm8 is 0xBExx.
            Ok(()) => Ok((instruction[1] == 0xBE).then_some(DFSR_BKPT)),
            // A PC in memory the server does not serve: no instruction to look at.
            Err(GdbError::Server { .. }) => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// The stopped target's PC.
    fn pc(&mut self) -> Result<u32, GdbError> {
        let access = self.register_access(15)?;
        self.read_register(&access)
    }

    /// Resumes the stopped target (`c`) for probe-rs, stepping over the HardFault
    /// breakpoint first if it is stopped there.
    fn resume(&mut self) -> Result<(), GdbError> {
        self.step_over_catch()?;
        self.rsp.resume()?;
        self.running = true;
        Ok(())
    }

    /// If the stopped target is at the HardFault breakpoint, steps it with the breakpoint
    /// removed (`z`, `s`, `Z`), as gdb does: a server stops again at once on a breakpoint at
    /// the PC (QEMU does). Returns whether it stepped.
    fn step_over_catch(&mut self) -> Result<bool, GdbError> {
        let Some(catch) = self.catch else {
            return Ok(false);
        };
        if self.pc()? != catch.address {
            return Ok(false);
        }
        self.rsp
            .remove_breakpoint(catch.kind, catch.address, catch.size)?;
        let stepped = self.rsp.step();
        self.rsp
            .insert_breakpoint(catch.kind, catch.address, catch.size)?;
        stepped?;
        Ok(true)
    }

    /// Arms the HardFault catch (the target stopped): a breakpoint at the handler the vector
    /// table at VTOR names, hardware (`Z1`) if the server has one, else software (`Z0`).
    fn arm_catch(&mut self) -> Result<(), GdbError> {
        let vtor = match self.read_word(VTOR) {
            Ok(vtor) => vtor & TBLOFF,
            // No VTOR (an ARMv6-M core may have none): the table is at 0.
            Err(GdbError::Server { .. }) => 0,
            Err(err) => return Err(err),
        };
        let entry = self.read_word(u64::from(vtor) + HARDFAULT_ENTRY)?;
        // A Thumb address, not erased flash.
        if entry & 1 == 0 || entry == u32::MAX {
            return Err(GdbError::NoHardFaultHandler {
                addr: self.addr().to_owned(),
                vtor,
                entry,
            });
        }
        let address = entry & !1;
        let mut first = [0u8; 2];
        self.rsp.read_memory(u64::from(address), &mut first)?;
        // A 32-bit Thumb instruction starts 0b11101, 0b11110 or 0b11111.
        let size = if u16::from_le_bytes(first) >> 11 >= 0b11101 {
            3
        } else {
            2
        };
        for kind in [BreakpointType::Hardware, BreakpointType::Software] {
            let inserted = match self.rsp.insert_breakpoint(kind, address, size) {
                Ok(inserted) => inserted,
                // Out of comparators, say: try the next kind.
                Err(GdbError::Server { .. }) if kind == BreakpointType::Hardware => false,
                Err(err) => return Err(err),
            };
            if inserted {
                self.catch = Some(Catch {
                    address,
                    size,
                    kind,
                });
                return Ok(());
            }
        }
        Err(GdbError::Unsupported {
            addr: self.addr().to_owned(),
            request: "breakpoints (Z1 or Z0), which the HardFault vector catch needs".to_owned(),
        })
    }

    /// Removes the HardFault catch's breakpoint, if armed.
    fn disarm_catch(&mut self) -> Result<(), GdbError> {
        if let Some(catch) = self.catch.take() {
            self.rsp
                .remove_breakpoint(catch.kind, catch.address, catch.size)?;
        }
        Ok(())
    }

    /// After a reset (the target stopped): the handler again from the vector table, which the
    /// reset may have changed (firmware loaded again). A table without a handler leaves the
    /// catch disarmed until the next reset.
    fn rearm_catch(&mut self) -> Result<(), GdbError> {
        match self.disarm_catch() {
            // The server may have forgotten it in the reset.
            Ok(()) | Err(GdbError::Server { .. }) => {}
            Err(err) => return Err(err),
        }
        match self.arm_catch() {
            Ok(()) | Err(GdbError::NoHardFaultHandler { .. }) => Ok(()),
            Err(err) => Err(err),
        }
    }

    /// A 32-bit word of memory (the target stopped).
    fn read_word(&mut self, address: u64) -> Result<u32, GdbError> {
        let mut bytes = [0u8; 4];
        self.rsp.read_memory(address, &mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
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
            DFSR => {
                self.check_stopped()?;
                self.dfsr
            }
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
            DEMCR => self.write_demcr(value)?,
            // Write one to clear.
            DFSR => self.dfsr &= !value,
            FP_CTRL => {}
            AIRCR if value & 0xFFFF_0000 == VECTKEY && value & (SYSRESETREQ | VECTRESET) != 0 => {
                self.reset_with(value)?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// DEMCR: kept here for reads (QEMU has none) and written through, so that a real core's
    /// reset catch is armed; `VC_HARDERR` arms or disarms the HardFault catch.
    fn write_demcr(&mut self, value: u32) -> Result<(), GdbError> {
        let result = self.stopped(|core| {
            core.rsp.write_memory(DEMCR, &value.to_le_bytes())?;
            match (value & VC_HARDERR != 0, core.catch.is_some()) {
                (true, false) => core.arm_catch(),
                (false, true) => core.disarm_catch(),
                _ => Ok(()),
            }
        });
        // A catch that could not be armed does not read as set.
        self.demcr = if result.is_err() && self.catch.is_none() {
            value & !VC_HARDERR
        } else {
            value
        };
        result
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
            // Unless the target had stopped on its own: a halt request.
            if !self.halted {
                self.dfsr |= DFSR_HALTED;
                self.halted = true;
            }
        } else if !halt && self.halted {
            if value & C_STEP != 0 {
                if !self.step_over_catch()? {
                    self.rsp.step()?;
                }
                self.dfsr |= DFSR_HALTED;
            } else {
                self.halted = false;
                self.resume()?;
            }
        }
        Ok(())
    }

    fn write_dcrsr(&mut self, value: u32) -> Result<(), GdbError> {
        let regsel = (value & 0x7F) as u8;
        let write = value & REGWNR != 0;
        self.stopped(|core| {
            let access = core.register_access(regsel)?;
            if write {
                core.write_register(&access, core.dcrdr)
            } else {
                core.dcrdr = core.read_register(&access)?;
                Ok(())
            }
        })
    }

    /// How the server reads and writes probe-rs's core register `regsel` (`DCRSR.REGSEL`).
    fn register_access(&mut self, regsel: u8) -> Result<Access, GdbError> {
        self.register_map()?
            .access(regsel)
            .ok_or_else(|| GdbError::Unsupported {
                addr: self.addr().to_owned(),
                request: format!("core register {regsel} (DCRSR.REGSEL)"),
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
    /// `aircr` itself. A HardFault catch (`DEMCR.VC_HARDERR`) is armed again at the handler
    /// the vector table names now. The target then stays halted if `DEMCR.VC_CORERESET` asks
    /// for it (`DFSR.VCATCH`, as on hardware), else it runs.
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
        if self.demcr & VC_HARDERR != 0 {
            self.rearm_catch()?;
        }
        self.halted = self.demcr & VC_CORERESET != 0;
        if self.halted {
            self.dfsr |= DFSR_VCATCH;
        } else {
            self.resume()?;
        }
        Ok(())
    }

    /// Resets the target with `SYSRESETREQ`.
    pub fn reset(&mut self) -> Result<(), GdbError> {
        self.reset_with(VECTKEY | SYSRESETREQ)
    }

    /// Lets the server go (`D`), leaving the target running unless probe-rs halted it; the
    /// HardFault catch's breakpoint is removed first (detaching even if that fails).
    pub fn detach(&mut self) -> Result<(), GdbError> {
        if self.running {
            self.rsp.interrupt()?;
            self.running = false;
        }
        let removed = self.disarm_catch();
        self.rsp.detach()?;
        removed
    }
}

/// Whether `words` 32-bit words at `address` touch an emulated register.
fn emulated(address: u64, words: usize) -> bool {
    let end = address + 4 * words as u64;
    [
        (DHCSR, DEMCR + 4),
        (AIRCR, AIRCR + 4),
        (DFSR, DFSR + 4),
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
