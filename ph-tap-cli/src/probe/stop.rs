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
/// let fault = FirmwareStop::Fault {
///     pc: 0x1234,
///     backtrace: vec!["HardFault".into(), "app::main (main.rs:9)".into()],
///     culprit: Some("app::main (main.rs:9)".into()),
/// };
/// assert_eq!(fault.to_string(), "the firmware halted on a fault (a panic or a HardFault) at PC 0x00001234, in app::main (main.rs:9)");
/// assert_eq!(fault.exit_code(), 101);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FirmwareStop {
    /// The core halted on an exception caught by the HardFault vector catch: a panic through
    /// `panic-probe`, or a fault.
    Fault {
        /// The program counter where the core halted (in the HardFault handler).
        pc: u64,
        /// The frames probe-rs could unwind from there, innermost first (`function (file:line)`,
        /// generic arguments left out); empty when the ELF has no debug information.
        backtrace: Vec<String>,
        /// The innermost frame of the firmware's own code (not the toolchain's or a
        /// dependency's: not the panic machinery), where the fault or panic came from.
        culprit: Option<String>,
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
            Self::Fault { pc, culprit, .. } => {
                write!(
                    f,
                    "the firmware halted on a fault (a panic or a HardFault) at PC {pc:#010x}"
                )?;
                if let Some(culprit) = culprit {
                    write!(f, ", in {culprit}")?;
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
            let frames = elf.map(|elf| backtrace(core, elf)).unwrap_or_default();
            let culprit = frames.iter().find(|f| f.own).map(|f| f.text.clone());
            Ok(FirmwareStop::Fault {
                pc,
                backtrace: frames.into_iter().map(|f| f.text).collect(),
                culprit,
            })
        }
        other => Err(other),
    }
}

fn program_counter(core: &mut Core<'_>) -> Option<u64> {
    let pc = core.program_counter();
    core.read_core_reg::<u64>(pc).ok()
}

/// One frame of a backtrace, as shown.
struct Frame {
    /// `function (file:line)`.
    text: String,
    /// Of the firmware's own code: its source is neither the toolchain's nor a dependency's.
    own: bool,
}

/// The frames probe-rs's unwinder finds from the halted core, through the exception frame to
/// the code that faulted (empty when the ELF has no debug information).
fn backtrace(core: &mut Core<'_>, elf: &Path) -> Vec<Frame> {
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
            let function = without_generics(&frame.function_name);
            let Some(location) = &frame.source_location else {
                return Frame {
                    text: function,
                    own: false,
                };
            };
            let path = location.path.to_string_lossy();
            let file = location
                .path
                .file_name()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .unwrap_or_default();
            let place = match location.line {
                Some(line) => format!("{file}:{line}"),
                None => file,
            };
            Frame {
                text: format!("{function} ({place})"),
                own: !is_foreign(&path),
            }
        })
        .collect()
}

/// Source of the toolchain (the standard library) or of a dependency (cargo's registry or git
/// checkouts), not of the firmware itself.
fn is_foreign(path: &str) -> bool {
    let path = path.replace('\\', "/");
    [
        "/rustc/",
        "/.rustup/",
        "/library/core/",
        "/library/std/",
        "/.cargo/registry/",
        "/.cargo/git/",
    ]
    .iter()
    .any(|dir| path.contains(dir))
}

/// `App<Board<Link, 25000000>>::run` → `App::run`: the generic arguments left out, for a line
/// one can read; probe-rs's `HardFault <Cause: ...>` (a space before its `<`) is kept.
///
/// ```text
/// without_generics("a::B<c::D<E>>::f") == "a::B::f"
/// ```
fn without_generics(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut depth = 0usize;
    let mut previous = ' ';
    for c in name.chars() {
        match c {
            '<' if depth > 0 || previous.is_alphanumeric() || previous == '_' => depth += 1,
            '>' if depth > 0 => depth -= 1,
            _ if depth > 0 => {}
            _ => out.push(c),
        }
        if depth == 0 && c != '>' {
            previous = c;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_arguments_are_left_out_but_not_probe_rs_causes() {
        assert_eq!(
            without_generics(
                "App<firmware_demo::board::qemu_board::QemuBoard<L, 25000000>>::panic_after_boot"
            ),
            "App::panic_after_boot"
        );
        assert_eq!(
            without_generics(
                "HardFault <Cause: Escalated UsageFault <Cause: Undefined instruction>>"
            ),
            "HardFault <Cause: Escalated UsageFault <Cause: Undefined instruction>>"
        );
        assert_eq!(
            without_generics("<T as core::fmt::Debug>::fmt"),
            "<T as core::fmt::Debug>::fmt"
        );
    }

    #[test]
    fn the_toolchain_and_dependencies_are_foreign() {
        assert!(is_foreign("/rustc/59807616e/library/core/src/panicking.rs"));
        assert!(is_foreign(
            "/home/u/.cargo/registry/src/index-x/panic-probe-1.0.0/src/lib.rs"
        ));
        assert!(!is_foreign("/home/u/firmware/src/app.rs"));
        assert!(!is_foreign("src/main.rs"));
    }
}
