//! Flashing a firmware ELF with probe-rs and starting it, so that it is watched from its first
//! instruction: what `ph-tap run` does before it reads RTT.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use object::{Architecture, Object, ObjectKind};
use probe_rs::flashing::{
    self, BootInfo, DownloadOptions, ElfLoader, ElfOptions, FileDownloadError, FlashError,
    FlashProgress, ProgressEvent,
};
use probe_rs::rtt::{Rtt, ScanRegion};
use probe_rs::{InstructionSet, Session, VectorCatchCondition};

/// How long a reset may take to halt the core.
const RESET_TIMEOUT: Duration = Duration::from_millis(500);

/// The instruction set the firmware ELF at `path` is built for, checked before any probe is
/// touched: a host program or another kind of file is refused with what to pass instead.
pub fn elf_instruction_set(path: &Path) -> Result<InstructionSet> {
    let name = path.display();
    let bytes =
        std::fs::read(path).with_context(|| format!("cannot read {name}: check the path"))?;
    let elf = object::File::parse(&*bytes).with_context(|| {
        format!("{name} is not an ELF file: pass the firmware's ELF (cargo's target/<triple>/<profile>/<name>, not .bin/.hex)")
    })?;
    let set = match elf.architecture() {
        // A Cortex-M image starts in Thumb state (its entry point's bit 0 is set).
        Architecture::Arm if elf.entry() & 1 == 1 => InstructionSet::Thumb2,
        Architecture::Arm => InstructionSet::A32,
        Architecture::Aarch64 => InstructionSet::A64,
        Architecture::Riscv32 => match elf.flags() {
            // EF_RISCV_RVC: compressed instructions.
            object::FileFlags::Elf { e_flags, .. } if e_flags & 1 == 1 => InstructionSet::RV32C,
            _ => InstructionSet::RV32,
        },
        Architecture::Xtensa => InstructionSet::Xtensa,
        other => anyhow::bail!(
            "{name} is built for {other:?}, not for a microcontroller: pass the firmware's ELF (built for e.g. thumbv7em-none-eabihf)"
        ),
    };
    if elf.kind() != ObjectKind::Executable {
        anyhow::bail!(
            "{name} is not a linked program (a {:?} ELF file): pass the firmware's ELF",
            elf.kind()
        );
    }
    Ok(set)
}

/// Writes the ELF at `elf` into the target's flash (or RAM, for a RAM image), verifying what was
/// written when `verify` is set; `progress` sees probe-rs's erase / program / verify events.
///
/// This is `probe_rs::flashing::download_file_with_options`, taken apart only to keep the
/// loader's [`BootInfo`] (whether the image boots from RAM), which [`start`] needs.
pub fn flash(
    session: &mut Session,
    elf: &Path,
    verify: bool,
    progress: &mut dyn FnMut(ProgressEvent),
) -> Result<BootInfo> {
    let chip = session.target().name.clone();
    let instruction_set = elf_instruction_set(elf)?;
    let loader = flashing::build_loader(
        session,
        elf,
        ElfLoader(ElfOptions::default()),
        Some(instruction_set),
    )
    .map_err(|err| download_error(err, elf, &chip))?;
    let mut options = DownloadOptions::default();
    options.verify = verify;
    options.progress = FlashProgress::new(progress);
    loader
        .commit(session, options)
        .map_err(|err| download_error(FileDownloadError::Flash(err), elf, &chip))?;
    Ok(loader.boot_info())
}

/// Starts the flashed firmware from its reset vector, halting on a HardFault: reset (or, for a
/// RAM image, point the core at its vector table), wipe the RTT control block a previous run
/// left at `control_block` (RAM survives a reset, and a stale block would be read as the new
/// one), arm the HardFault vector catch (so a panic or fault halts the core where it happened,
/// as `probe-rs run` does), and let it run.
pub fn start(session: &mut Session, boot: &BootInfo, control_block: u64) -> Result<()> {
    const START_FAILED: &str = "cannot start the flashed firmware: check wiring and target power, or try --connect-under-reset";
    match boot {
        BootInfo::FromRam {
            vector_table_addr, ..
        } => {
            session
                .core(0)
                .and_then(|mut core| core.halt(RESET_TIMEOUT).map(drop))
                .context(START_FAILED)?;
            session
                .prepare_running_on_ram(*vector_table_addr, 0)
                .context(START_FAILED)?;
        }
        BootInfo::Other => {
            let mut core = session.core(0).context(START_FAILED)?;
            core.reset_and_halt(RESET_TIMEOUT).context(START_FAILED)?;
        }
    }
    let mut core = session.core(0).context(START_FAILED)?;
    Rtt::clear_control_block(&mut core, &ScanRegion::Exact(control_block)).context(
        "cannot clear the previous run's RTT control block: check the ELF is the one for this chip",
    )?;
    drop(core);
    arm_fault_catch(session)?;
    session
        .core(0)
        .and_then(|mut core| core.run())
        .context(START_FAILED)?;
    Ok(())
}

/// Arms the HardFault vector catch, so that a panic (through `panic-probe`) or a fault halts the
/// core where it happened instead of running on in a fault handler: at [`start`], and again
/// when ph-tap attaches anew after the probe came back (a power cycle clears it).
pub fn arm_fault_catch(session: &mut Session) -> Result<()> {
    const FAILED: &str = "cannot arm the HardFault catch: check wiring and target power, or try --connect-under-reset";
    let mut core = session.core(0).context(FAILED)?;
    match core.enable_vector_catch(VectorCatchCondition::HardFault) {
        Ok(()) | Err(probe_rs::Error::NotImplemented(_)) => Ok(()),
        Err(err) => Err(anyhow::Error::new(err).context(FAILED)),
    }
}

/// One line that says what to fix, for each way flashing fails.
fn download_error(err: FileDownloadError, elf: &Path, chip: &str) -> anyhow::Error {
    let elf_name = elf.display();
    let hint = match &err {
        FileDownloadError::IO(_) => format!("cannot read {elf_name}: check the path"),
        FileDownloadError::Elf(_) | FileDownloadError::Object(_) => format!(
            "{elf_name} is not an ELF file: pass the firmware's ELF (cargo's target/<triple>/<profile>/<name>, not .bin/.hex)"
        ),
        FileDownloadError::NoLoadableSegments => format!(
            "{elf_name} has nothing to flash (no loadable segments): check the linker script (memory.x, -Tlink.x)"
        ),
        FileDownloadError::IncompatibleImage { image, .. } => format!(
            "{elf_name} is {image:?} code, which {chip} does not run: build for the chip's target (e.g. thumbv7em-none-eabihf) or check --chip"
        ),
        FileDownloadError::IncompatibleImageChip { image_chips, .. } => format!(
            "{elf_name} is built for {}, not {chip}: check --chip",
            image_chips.join(", ")
        ),
        FileDownloadError::Flash(FlashError::NoSuitableNvm { range, .. }) => format!(
            "{elf_name} puts data at {:#010x}..{:#010x}, where {chip} has no flash or RAM: is it built for another chip? (check --chip and memory.x)",
            range.start, range.end
        ),
        FileDownloadError::Flash(_) => format!(
            "flashing {chip} failed: check wiring and target power, then retry (or try --connect-under-reset)"
        ),
        _ => format!("cannot flash {elf_name} into {chip}"),
    };
    anyhow::Error::new(err).context(hint)
}
