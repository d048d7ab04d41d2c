//! The firmware stopping on its own while ph-tap watches it: a fault (a panic, with
//! `panic-probe`, ends in one), a lock-up, or an exit through semihosting; found from the core's
//! halt reason, as `probe-rs run` finds it, and told in one line with where it happened.

use std::fmt;
use std::path::Path;

use probe_rs::semihosting::SemihostingCommand;
use probe_rs::{BreakpointCause, Core, HaltReason};

/// How many frames of a backtrace are shown at most.
const MAX_FRAMES: usize = 30;

/// Why the watched firmware stopped. As an error (it is one), it ends a `ph-tap run`, and the
/// process's exit status is [`FirmwareStop::exit_code`].
///
/// ```
/// use ph_tap::probe::FirmwareStop;
/// let exit = FirmwareStop::Exited { code: 3 };
/// assert_eq!(exit.to_string(), "the firmware exited through semihosting with code 3");
/// assert_eq!(exit.exit_code(), 3);
/// let fault = FirmwareStop::Fault { pc: 0x1234, backtrace: vec!["app::main".into()] };
/// assert_eq!(fault.to_string(), "the firmware halted on a fault (a panic or a HardFault) at PC 0x00001234: app::main");
/// assert_eq!(fault.exit_code(), 101);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FirmwareStop {
    /// The core halted on an exception caught by the HardFault vector catch: a panic through
    /// `panic-probe`, or a fault.
    Fault {
        /// The program counter where the core halted (in the HardFault handler).
        pc: u64,
        /// The frames probe-rs could unwind from there, innermost first (`function (file:line)`);
        /// empty when the ELF has no debug information.
        backtrace: Vec<String>,
    },
    /// The core locked up (a fault while handling a fault).
    LockedUp,
    /// The firmware asked to exit through semihosting (`code` 0: a normal end).
    Exited {
        /// Its exit code.
        code: u32,
    },
}

impl FirmwareStop {
    /// The exit status `ph-tap run` ends with: a fault or lock-up is 101 (what a panicking
    /// Rust program on a host returns), a semihosting exit its own code (255 for a code that
    /// does not fit).
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Fault { .. } | Self::LockedUp => 101,
            Self::Exited { code } => u8::try_from(*code).unwrap_or(u8::MAX),
        }
    }

    /// The stop `err` carries, if it is one (through any context).
    pub fn find(err: &anyhow::Error) -> Option<&Self> {
        err.chain().find_map(|cause| cause.downcast_ref::<Self>())
    }
}

impl fmt::Display for FirmwareStop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Fault { pc, backtrace } => {
                write!(
                    f,
                    "the firmware halted on a fault (a panic or a HardFault) at PC {pc:#010x}"
                )?;
                if !backtrace.is_empty() {
                    write!(f, ": {}", backtrace.join(" <- "))?;
                }
                Ok(())
            }
            Self::LockedUp => write!(
                f,
                "the firmware locked up (a fault while handling a fault): check its stack and fault handlers"
            ),
            Self::Exited { code } => {
                write!(
                    f,
                    "the firmware exited through semihosting with code {code}"
                )
            }
        }
    }
}

impl std::error::Error for FirmwareStop {}

/// What the halted core says: `Ok(stop)` for a stop that ends the run, `Err(reason)` (to
/// resume) for a halt that is not the firmware's end, such as a semihosting call ph-tap does
/// not serve.
pub fn classify_halt(
    core: &mut Core<'_>,
    reason: HaltReason,
    elf: Option<&Path>,
) -> Result<FirmwareStop, HaltReason> {
    match reason {
        HaltReason::Breakpoint(BreakpointCause::Semihosting(SemihostingCommand::ExitSuccess)) => {
            Ok(FirmwareStop::Exited { code: 0 })
        }
        HaltReason::Breakpoint(BreakpointCause::Semihosting(SemihostingCommand::ExitError(
            details,
        ))) => Ok(FirmwareStop::Exited {
            code: details.exit_status.or(details.subcode).unwrap_or(1).max(1),
        }),
        HaltReason::Exception | HaltReason::Breakpoint(BreakpointCause::Hardware) => {
            let pc = program_counter(core).unwrap_or(0);
            let backtrace = elf.map(|elf| backtrace(core, elf)).unwrap_or_default();
            Ok(FirmwareStop::Fault { pc, backtrace })
        }
        other => Err(other),
    }
}

fn program_counter(core: &mut Core<'_>) -> Option<u64> {
    let pc = core.program_counter();
    core.read_core_reg::<u64>(pc).ok()
}

/// The frames probe-rs's unwinder finds from the halted core, through the exception frame to
/// the code that faulted (empty when the ELF has no debug information).
fn backtrace(core: &mut Core<'_>, elf: &Path) -> Vec<String> {
    let Ok(info) = probe_rs_debug::DebugInfo::from_file(elf) else {
        return Vec::new();
    };
    let registers = probe_rs_debug::DebugRegisters::from_core(core);
    let handler = probe_rs_debug::exception_handler_for_core(core.core_type());
    let instruction_set = core.instruction_set().ok();
    let Ok(frames) = info.unwind(
        core,
        registers,
        handler.as_ref(),
        instruction_set,
        MAX_FRAMES,
    ) else {
        return Vec::new();
    };
    frames
        .iter()
        .map(|frame| {
            let place = frame.source_location.as_ref().and_then(|location| {
                let file = location.path.file_name()?;
                let file = String::from_utf8_lossy(file);
                Some(match location.line {
                    Some(line) => format!("{file}:{line}"),
                    None => file.into_owned(),
                })
            });
            match place {
                Some(place) => format!("{} ({place})", frame.function_name),
                None => frame.function_name.clone(),
            }
        })
        .collect()
}
