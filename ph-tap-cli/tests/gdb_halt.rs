//! probe-rs's vector catch, core status and halt reasons through [`GdbProbe`], against the
//! small GDB server of `common::gdb_server` playing an nRF52840's core: the HardFault catch
//! (`DEMCR.VC_HARDERR`) is a breakpoint at the handler VTOR's table names (hardware, else
//! software), DFSR says why the target stopped (a vector catch at the handler, `BKPT` at a
//! `bkpt`, `HALTED` for a halt probe-rs asked for), probe-rs finds semihosting calls at a
//! `bkpt 0xab`, a reset re-arms the catch, and a target that exits (`W`) is an error
//! [`exit_code_in`] finds.

mod common;

use std::time::{Duration, Instant};

use common::gdb_server::{GdbServer, PC};
use ph_tap::probe::gdb::{GdbError, GdbProbe, exit_code_in, gdb_error_in};
use ph_tap::probe::resolve_chip;
use probe_rs::semihosting::{ExitErrorDetails, SemihostingCommand};
use probe_rs::{
    BreakpointCause, Core, CoreStatus, HaltReason, MemoryInterface, Permissions, Session,
    VectorCatchCondition,
};

/// The vector table, in the server's RAM (VTOR points at it).
const TABLE: u32 = 0x2003_F000;
/// The reset handler.
const RESET: u32 = 0x2003_F080;
/// The HardFault handler (its first instruction: `b .`, 16 bits).
const HANDLER: u32 = 0x2003_F100;
/// Where the firmware keeps a `bkpt 0xab`.
const BKPT: u32 = 0x2003_F200;
/// A semihosting parameter block.
const BLOCK: u32 = 0x2003_F280;
/// Code without a breakpoint.
const ELSEWHERE: u32 = 0x2003_F300;

const DEMCR: u64 = 0xE000_EDFC;
const DFSR: u64 = 0xE000_ED30;
const VC_HARDERR: u32 = 1 << 10;
const VC_CORERESET: u32 = 1 << 0;
const DFSR_HALTED: u32 = 1 << 0;
const DFSR_BKPT: u32 = 1 << 1;
const DFSR_VCATCH: u32 = 1 << 3;

const SYS_EXIT: u32 = 0x18;
const SYS_EXIT_EXTENDED: u32 = 0x20;
const ADP_STOPPED_APPLICATION_EXIT: u32 = 0x20026;

/// A server whose core has a vector table at [`TABLE`], a HardFault handler at [`HANDLER`] and
/// a `bkpt 0xab` at [`BKPT`], and probe-rs attached to it through [`GdbProbe`].
fn attach() -> (GdbServer, Session) {
    let server = GdbServer::start(Vec::new(), Vec::new(), 0);
    server.set_vector_table(TABLE, RESET | 1, HANDLER | 1);
    server.write_ram(HANDLER, &0xE7FE_u16.to_le_bytes());
    server.write_ram(BKPT, &0xBEAB_u16.to_le_bytes());
    let session = GdbProbe::connect(&server.addr)
        .unwrap()
        .into_probe()
        .attach(resolve_chip("nRF52840").unwrap(), Permissions::default())
        .unwrap();
    (server, session)
}

/// `core.status()` once the target is no longer running (its stop reply may take a moment).
fn stopped_status(core: &mut Core) -> CoreStatus {
    let start = Instant::now();
    loop {
        let status = core.status().unwrap();
        if status != CoreStatus::Running {
            return status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "the target did not stop"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// DFSR once it says something (the stop reply may take a moment).
fn dfsr_once_set(core: &mut Core) -> u32 {
    let start = Instant::now();
    loop {
        let dfsr = core.read_word_32(DFSR).unwrap();
        if dfsr != 0 {
            return dfsr;
        }
        assert!(start.elapsed() < Duration::from_secs(2), "DFSR stayed 0");
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn pc(core: &mut Core) -> u32 {
    core.read_core_reg(core.program_counter()).unwrap()
}

#[test]
fn a_hardfault_is_a_vector_catch_at_the_handler_vtor_names() {
    let (server, mut session) = attach();
    let mut core = session.core(0).unwrap();
    core.enable_vector_catch(VectorCatchCondition::HardFault)
        .unwrap();
    // Entry 3 of the table at VTOR, Thumb bit cleared; a 16-bit instruction there.
    assert_eq!(server.breakpoints(), ["Z1,2003f100,2"]);
    assert_eq!(core.read_word_32(DEMCR).unwrap() & VC_HARDERR, VC_HARDERR);
    assert_eq!(core.status().unwrap(), CoreStatus::Running);

    // Elsewhere the firmware runs on.
    assert!(!server.jump(ELSEWHERE));
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(core.status().unwrap(), CoreStatus::Running);

    // A fault enters the handler: the target stops there, as a vector catch.
    assert!(server.jump(HANDLER));
    assert_eq!(
        stopped_status(&mut core),
        CoreStatus::Halted(HaltReason::Exception)
    );
    assert_eq!(pc(&mut core), HANDLER);
    // probe-rs read DFSR and cleared it, and keeps the reason.
    assert_eq!(core.read_word_32(DFSR).unwrap(), 0);
    assert_eq!(
        core.status().unwrap(),
        CoreStatus::Halted(HaltReason::Exception)
    );
    assert_eq!(server.stats().violations, 0);
}

#[test]
fn running_on_from_the_handler_steps_over_its_breakpoint() {
    let (server, mut session) = attach();
    let mut core = session.core(0).unwrap();
    core.enable_vector_catch(VectorCatchCondition::HardFault)
        .unwrap();
    assert!(server.jump(HANDLER));
    assert_eq!(
        stopped_status(&mut core),
        CoreStatus::Halted(HaltReason::Exception)
    );
    // The server would stop again at once on the breakpoint at the PC: it is removed for one
    // step and put back.
    core.run().unwrap();
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(core.status().unwrap(), CoreStatus::Running);
    assert_eq!(
        server.stats().breakpoint_packets,
        ["Z1,2003f100,2", "z1,2003f100,2", "Z1,2003f100,2"]
    );
    assert_eq!(server.breakpoints(), ["Z1,2003f100,2"]);
    // The next HardFault is caught again.
    assert!(server.jump(HANDLER));
    assert_eq!(
        stopped_status(&mut core),
        CoreStatus::Halted(HaltReason::Exception)
    );
    assert_eq!(server.stats().violations, 0);
}

#[test]
fn a_catch_whose_stop_reply_crosses_an_interrupt_is_still_the_catch() {
    let (server, mut session) = attach();
    let mut core = session.core(0).unwrap();
    core.enable_vector_catch(VectorCatchCondition::HardFault)
        .unwrap();
    server.jump_as_the_client_interrupts(HANDLER);
    // A memory access interrupts the target and gets the catch's T05 for an answer: the target
    // stays stopped (no `c`), and probe-rs sees the catch.
    let resumes = server.stats().resumes;
    core.read_word_32(0x2000_0000).unwrap();
    assert_eq!(server.stats().resumes, resumes);
    assert_eq!(
        core.status().unwrap(),
        CoreStatus::Halted(HaltReason::Exception)
    );
    assert_eq!(pc(&mut core), HANDLER);
}

#[test]
fn dfsr_says_vcatch_then_bkpt_and_each_bit_is_write_one_to_clear() {
    let (server, mut session) = attach();
    let mut core = session.core(0).unwrap();
    core.enable_vector_catch(VectorCatchCondition::HardFault)
        .unwrap();
    assert_eq!(core.read_word_32(DFSR).unwrap(), 0);
    assert!(server.jump(HANDLER));
    assert_eq!(dfsr_once_set(&mut core), DFSR_VCATCH);
    // Writing other bits leaves it; writing it clears it.
    core.write_word_32(DFSR, DFSR_HALTED | DFSR_BKPT).unwrap();
    assert_eq!(core.read_word_32(DFSR).unwrap(), DFSR_VCATCH);
    core.write_word_32(DFSR, DFSR_VCATCH).unwrap();
    assert_eq!(core.read_word_32(DFSR).unwrap(), 0);

    // Where the firmware runs into a `bkpt`: BKPT.
    core.run().unwrap();
    assert!(server.jump(BKPT));
    assert_eq!(dfsr_once_set(&mut core), DFSR_BKPT);
    core.write_word_32(DFSR, 0x1F).unwrap();
    assert_eq!(core.read_word_32(DFSR).unwrap(), 0);
}

#[test]
fn a_halt_probe_rs_asks_for_is_a_request() {
    let (_server, mut session) = attach();
    let mut core = session.core(0).unwrap();
    core.halt(Duration::from_millis(500)).unwrap();
    assert_eq!(
        core.status().unwrap(),
        CoreStatus::Halted(HaltReason::Request)
    );
    // A step is a step.
    core.step().unwrap();
    assert_eq!(core.status().unwrap(), CoreStatus::Halted(HaltReason::Step));
    core.run().unwrap();
    assert_eq!(core.status().unwrap(), CoreStatus::Running);
}

#[test]
fn a_stop_at_bkpt_0xab_is_probe_rs_semihosting_exit() {
    for (r0, r1, block, expected) in [
        (
            SYS_EXIT,
            ADP_STOPPED_APPLICATION_EXIT,
            None,
            SemihostingCommand::ExitSuccess,
        ),
        (
            SYS_EXIT,
            0x20023,
            None,
            SemihostingCommand::ExitError(ExitErrorDetails {
                reason: 0x20023,
                exit_status: None,
                subcode: None,
            }),
        ),
        (
            SYS_EXIT_EXTENDED,
            BLOCK,
            Some([ADP_STOPPED_APPLICATION_EXIT, 3]),
            SemihostingCommand::ExitError(ExitErrorDetails {
                reason: ADP_STOPPED_APPLICATION_EXIT,
                exit_status: Some(3),
                subcode: None,
            }),
        ),
    ] {
        let (server, mut session) = attach();
        let mut core = session.core(0).unwrap();
        if let Some(block) = block {
            let bytes: Vec<u8> = block.iter().flat_map(|w| w.to_le_bytes()).collect();
            server.write_ram(BLOCK, &bytes);
        }
        server.set_register(0, r0);
        server.set_register(1, r1);
        assert!(server.jump(BKPT));
        assert_eq!(
            stopped_status(&mut core),
            CoreStatus::Halted(HaltReason::Breakpoint(BreakpointCause::Semihosting(
                expected
            ))),
            "r0 {r0:#x}, r1 {r1:#x}"
        );
        assert_eq!(pc(&mut core), BKPT);
        assert_eq!(server.stats().violations, 0);
    }
}

#[test]
fn a_server_without_hardware_breakpoints_gets_a_software_one() {
    let (server, mut session) = attach();
    server.refuse_hardware_breakpoints();
    let mut core = session.core(0).unwrap();
    core.enable_vector_catch(VectorCatchCondition::HardFault)
        .unwrap();
    assert_eq!(server.breakpoints(), ["Z0,2003f100,2"]);
    assert!(server.jump(HANDLER));
    assert_eq!(
        stopped_status(&mut core),
        CoreStatus::Halted(HaltReason::Exception)
    );
    core.disable_vector_catch(VectorCatchCondition::HardFault)
        .unwrap();
    assert!(server.breakpoints().is_empty());
    assert_eq!(
        server.stats().breakpoint_packets,
        ["Z1,2003f100,2", "Z0,2003f100,2", "z0,2003f100,2"]
    );
}

#[test]
fn disabling_the_catch_removes_the_breakpoint() {
    let (server, mut session) = attach();
    let mut core = session.core(0).unwrap();
    core.enable_vector_catch(VectorCatchCondition::HardFault)
        .unwrap();
    // Enabling again changes nothing.
    core.enable_vector_catch(VectorCatchCondition::HardFault)
        .unwrap();
    core.disable_vector_catch(VectorCatchCondition::HardFault)
        .unwrap();
    assert!(server.breakpoints().is_empty());
    assert_eq!(
        server.stats().breakpoint_packets,
        ["Z1,2003f100,2", "z1,2003f100,2"]
    );
    assert_eq!(core.read_word_32(DEMCR).unwrap() & VC_HARDERR, 0);
    assert!(!server.jump(HANDLER));
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(core.status().unwrap(), CoreStatus::Running);
}

#[test]
fn a_reset_reads_the_vector_table_again_and_rearms_the_catch() {
    let (server, mut session) = attach();
    let mut core = session.core(0).unwrap();
    core.enable_vector_catch(VectorCatchCondition::HardFault)
        .unwrap();
    // New firmware: its handler elsewhere, starting with a 32-bit instruction (`b.w`).
    let handler = HANDLER + 0x40;
    server.write_ram(handler, &[0xFF, 0xF7, 0xFE, 0xBF]);
    server.set_vector_table(TABLE, RESET | 1, handler | 1);
    core.reset().unwrap();
    assert_eq!(server.stats().resets, 1);
    assert_eq!(server.breakpoints(), ["Z1,2003f140,3"]);
    assert_eq!(
        server.stats().breakpoint_packets,
        ["Z1,2003f100,2", "z1,2003f100,2", "Z1,2003f140,3"]
    );
    assert_eq!(core.status().unwrap(), CoreStatus::Running);
    assert!(!server.jump(HANDLER));
    assert!(server.jump(handler));
    assert_eq!(
        stopped_status(&mut core),
        CoreStatus::Halted(HaltReason::Exception)
    );
    assert_eq!(pc(&mut core), handler);
}

#[test]
fn the_reset_catch_and_the_hardfault_catch_coexist() {
    let (server, mut session) = attach();
    let mut core = session.core(0).unwrap();
    core.enable_vector_catch(VectorCatchCondition::HardFault)
        .unwrap();
    // probe-rs sets VC_CORERESET, resets, waits for the halt and clears it again.
    core.reset_and_halt(Duration::from_millis(500)).unwrap();
    assert_eq!(pc(&mut core), RESET);
    let demcr = core.read_word_32(DEMCR).unwrap();
    assert_eq!(demcr & (VC_HARDERR | VC_CORERESET), VC_HARDERR);
    assert_eq!(server.breakpoints(), ["Z1,2003f100,2"]);
    core.run().unwrap();
    assert_eq!(core.status().unwrap(), CoreStatus::Running);
    assert!(server.jump(HANDLER));
    assert_eq!(
        stopped_status(&mut core),
        CoreStatus::Halted(HaltReason::Exception)
    );
    // Both catches on: a reset ends halted at the reset vector, the HardFault one armed.
    core.enable_vector_catch(VectorCatchCondition::All).unwrap();
    core.reset().unwrap();
    assert!(core.core_halted().unwrap());
    assert_eq!(pc(&mut core), RESET);
    assert_eq!(server.breakpoints(), ["Z1,2003f100,2"]);
    assert_eq!(server.register(PC), RESET);
}

#[test]
fn a_target_that_exits_is_an_error_with_its_exit_code() {
    let (server, mut session) = attach();
    let mut core = session.core(0).unwrap();
    server.exit(42);
    let start = Instant::now();
    let err = loop {
        match core.status() {
            Ok(CoreStatus::Running) => {
                assert!(start.elapsed() < Duration::from_secs(2), "no exit seen");
                std::thread::sleep(Duration::from_millis(1));
            }
            Ok(other) => panic!("{other:?}"),
            Err(err) => break anyhow::Error::new(err).context("polling the core"),
        }
    };
    assert_eq!(exit_code_in(&err), Some(42));
    assert!(matches!(
        gdb_error_in(&err),
        Some(GdbError::Exited { code: Some(42), .. })
    ));
    // The exit sticks: every later call says the same, not "closed".
    let again = anyhow::Error::new(core.read_word_32(0x2000_0000).unwrap_err());
    assert_eq!(exit_code_in(&again), Some(42));
    let text = gdb_error_in(&again).unwrap().to_string();
    assert!(text.contains("has exited with code 42 (W2a)"), "{text}");
}
