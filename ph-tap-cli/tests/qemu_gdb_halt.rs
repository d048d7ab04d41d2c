//! probe-rs's HardFault vector catch and a semihosting exit through [`GdbProbe`] and QEMU's
//! real gdbstub, with `firmware-demo`'s mps2-an386 RTT build (which runs until stopped) under
//! `qemu-system-arm -machine mps2-an386 -semihosting-config enable=on -gdb tcp:...`:
//!
//! - with `enable_vector_catch(HardFault)`, firmware that runs into `udf #0` ends
//!   `Halted(Exception)` at its HardFault handler, with the exception frame stacked (the
//!   stacked PC is the `udf`) and the fault status QEMU keeps (`UFSR.UNDEFINSTR`,
//!   `HFSR.FORCED`); running on steps over the catch's breakpoint;
//! - firmware that calls semihosting `SYS_EXIT_EXTENDED` with status 42 makes QEMU exit with
//!   42, and probe-rs's next core call fails with an error whose exit code
//!   [`exit_code_in`] finds.
//!
//! The code the firmware runs into is written to free RAM (from `__sheap` on) while it is
//! halted, the PC set to it. Needs `qemu-system-arm` and the `thumbv7em-none-eabihf` target,
//! like `tests/qemu_e2e`.

mod common;

use common::qemu_gdb::{Qemu, connect, description};

#[allow(dead_code)]
#[path = "qemu_e2e/firmware.rs"]
mod firmware;

use std::path::Path;
use std::time::{Duration, Instant};

use object::{Object, ObjectSegment, ObjectSymbol};
use ph_tap::probe::gdb::exit_code_in;
use ph_tap::probe::resolve_chip_with;
use probe_rs::{
    Core, CoreStatus, HaltReason, MemoryInterface, Permissions, Session, VectorCatchCondition,
};

/// The RTT build of the Cortex-M4 board: it runs until the debugger stops QEMU.
const MPS2_AN386_RTT: firmware::Board = firmware::Board {
    feature: "mps2-an386,rtt",
    triple: "thumbv7em-none-eabihf",
    machine: Some("mps2-an386"),
};

const NOP: u16 = 0xBF00;
const UDF_0: u16 = 0xDE00;
const BKPT_0XAB: u16 = 0xBEAB;
const SYS_EXIT_EXTENDED: u32 = 0x20;
const ADP_STOPPED_APPLICATION_EXIT: u32 = 0x20026;
/// Configurable Fault Status Register; UFSR's UNDEFINSTR is bit 16.
const CFSR: u64 = 0xE000_ED28;
const UNDEFINSTR: u32 = 1 << 16;
/// HardFault Status Register; FORCED is bit 30.
const HFSR: u64 = 0xE000_ED2C;
const FORCED: u32 = 1 << 30;

/// What the test needs of the ELF: the HardFault handler (vector table entry 3, at 0) and
/// the start of free RAM (`__sheap`: the firmware has no heap).
struct Elf {
    hardfault: u32,
    free_ram: u32,
}

fn elf_facts(elf: &Path) -> Elf {
    let bytes = std::fs::read(elf).unwrap();
    let file = object::File::parse(&*bytes).unwrap();
    let table = file
        .segments()
        .find(|s| s.address() == 0)
        .expect("a segment loaded at 0")
        .data()
        .unwrap();
    let hardfault = u32::from_le_bytes(table[12..16].try_into().unwrap()) & !1;
    let free_ram = file
        .symbols()
        .find(|s| s.name() == Ok("__sheap"))
        .expect("cortex-m-rt's __sheap")
        .address() as u32;
    Elf {
        hardfault,
        free_ram: free_ram.next_multiple_of(4),
    }
}

/// probe-rs attached to QEMU through [`GdbProbe`](ph_tap::probe::gdb::GdbProbe), the
/// HardFault catch armed.
fn attach_with_the_catch(qemu: &Qemu) -> Session {
    let target = resolve_chip_with("mps2-an386", Some(&description())).unwrap();
    let mut session = connect(&qemu.addr)
        .into_probe()
        .attach(target, Permissions::default())
        .unwrap();
    session
        .core(0)
        .unwrap()
        .enable_vector_catch(VectorCatchCondition::HardFault)
        .unwrap();
    session
}

/// Writes Thumb `code` at `at`.
fn write_code(core: &mut Core, at: u32, code: &[u16]) {
    let bytes: Vec<u8> = code.iter().flat_map(|h| h.to_le_bytes()).collect();
    core.write_8(u64::from(at), &bytes).unwrap();
}

/// Halts the firmware and makes it branch to `at` when it runs on.
fn branch_to(core: &mut Core, at: u32) {
    core.halt(Duration::from_millis(500)).unwrap();
    // The PC has no Thumb bit: xPSR.T says Thumb (bit 0 of the PC is UNPREDICTABLE).
    core.write_core_reg(core.program_counter(), at).unwrap();
}

#[test]
fn a_hardfault_under_qemu_is_a_vector_catch_with_the_exception_frame_stacked() {
    let elf = firmware::firmware(MPS2_AN386_RTT);
    let facts = elf_facts(&elf);
    let qemu = Qemu::start(&elf, true);
    let mut session = attach_with_the_catch(&qemu);
    let mut core = session.core(0).unwrap();
    assert_eq!(core.status().unwrap(), CoreStatus::Running);

    // `nop; udf #0`: probe-rs's run steps the nop, and the firmware faults running on.
    let code = facts.free_ram;
    let udf = code + 2;
    branch_to(&mut core, code);
    write_code(&mut core, code, &[NOP, UDF_0]);
    let start = Instant::now();
    core.run().unwrap();
    let status = loop {
        let status = core.status().unwrap();
        if status != CoreStatus::Running {
            break status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the firmware did not stop"
        );
        std::thread::sleep(Duration::from_millis(1));
    };
    eprintln!("HardFault caught {:.2?} after run", start.elapsed());
    assert_eq!(status, CoreStatus::Halted(HaltReason::Exception));

    let pc: u32 = core.read_core_reg(core.program_counter()).unwrap();
    assert_eq!(pc, facts.hardfault, "halted at the HardFault handler");
    let sp: u32 = core.read_core_reg(core.stack_pointer()).unwrap();
    let stacked_pc = core.read_word_32(u64::from(sp) + 24).unwrap();
    assert_eq!(stacked_pc, udf, "the exception frame's PC is the udf");
    assert_ne!(core.read_word_32(CFSR).unwrap() & UNDEFINSTR, 0);
    assert_ne!(core.read_word_32(HFSR).unwrap() & FORCED, 0);

    // Running on steps over the catch's breakpoint: the handler runs (it spins).
    core.run().unwrap();
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(core.status().unwrap(), CoreStatus::Running);
    core.halt(Duration::from_millis(500)).unwrap();
    let pc: u32 = core.read_core_reg(core.program_counter()).unwrap();
    assert_ne!(pc, udf);
}

#[test]
fn a_semihosting_exit_under_qemu_is_an_error_with_the_exit_code() {
    let elf = firmware::firmware(MPS2_AN386_RTT);
    let facts = elf_facts(&elf);
    let mut qemu = Qemu::start(&elf, true);
    let mut session = attach_with_the_catch(&qemu);
    let mut core = session.core(0).unwrap();

    // `nop; bkpt 0xab` with r0 = SYS_EXIT_EXTENDED, r1 = {ADP_Stopped_ApplicationExit, 42}.
    let code = facts.free_ram;
    let block = code + 16;
    branch_to(&mut core, code);
    write_code(&mut core, code, &[NOP, BKPT_0XAB]);
    core.write_32(u64::from(block), &[ADP_STOPPED_APPLICATION_EXIT, 42])
        .unwrap();
    let r0 = core.registers().argument_register(0).id();
    let r1 = core.registers().argument_register(1).id();
    core.write_core_reg(r0, SYS_EXIT_EXTENDED).unwrap();
    core.write_core_reg(r1, block).unwrap();
    core.run().unwrap();
    let start = Instant::now();
    let err = loop {
        match core.status() {
            Ok(CoreStatus::Running) => {
                assert!(
                    start.elapsed() < Duration::from_secs(5),
                    "the firmware did not exit"
                );
                std::thread::sleep(Duration::from_millis(1));
            }
            Ok(other) => panic!("the firmware stopped instead of exiting: {other:?}"),
            Err(err) => break anyhow::Error::new(err).context("polling the core"),
        }
    };
    assert_eq!(exit_code_in(&err), Some(42), "{err:#}");
    // Every later call says the same.
    let later = anyhow::Error::new(core.read_word_32(u64::from(code)).unwrap_err());
    assert_eq!(exit_code_in(&later), Some(42), "{later:#}");
    drop(core);
    drop(session);
    let status = qemu.wait();
    assert_eq!(status.code(), Some(42), "QEMU's own exit status");
}
