//! `--gdb` against a real GDB server: QEMU's gdbstub (`-gdb tcp:127.0.0.1:PORT -S`) running
//! `firmware-demo`'s mps2-an386 UART build, described by `targets/mps2-an386.yaml`.
//!
//! - probe-rs, through [`GdbProbe`], reads the firmware's vector table back from QEMU exactly
//!   as the ELF has it, halts the core, reads its PC (DCRSR/DCRDR onto `p`, numbered from
//!   QEMU's target description) and lets it run again, then resets it (AIRCR through the
//!   server) and finds it halted at its reset vector;
//! - `ph-tap attach --gdb` attaches and scans all of the board's SRAM for RTT: the UART build
//!   has no RTT control block, so it must end with exactly the one-line "not found" error.
//!
//! QEMU runs without semihosting, so the firmware's semihosting exit at the end of its demo
//! does not end QEMU mid-test: QEMU escalates that `bkpt` to a HardFault, and the firmware
//! spins in its handler (the gdbstub reports no stop). Needs
//! `qemu-system-arm` and the `thumbv7em-none-eabihf` target, like `tests/qemu_e2e`.

mod common;

use common::qemu_gdb::{Qemu, connect, description};

#[allow(dead_code)]
#[path = "qemu_e2e/firmware.rs"]
mod firmware;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use object::{Object, ObjectSection, ObjectSegment};
use ph_tap::probe::resolve_chip_with;
use probe_rs::{MemoryInterface, Permissions};

/// The bytes the ELF loads at address 0 (the vector table first).
fn code_at_zero(elf: &Path) -> Vec<u8> {
    let bytes = std::fs::read(elf).unwrap();
    let file = object::File::parse(&*bytes).unwrap();
    let segment = file
        .segments()
        .find(|s| s.address() == 0)
        .expect("a segment loaded at 0");
    segment.data().unwrap().to_vec()
}

/// Whether `address` is in one of the ELF's executable sections.
fn in_code(elf: &Path, address: u64) -> bool {
    let bytes = std::fs::read(elf).unwrap();
    let file = object::File::parse(&*bytes).unwrap();
    file.sections().any(|s| {
        s.kind() == object::SectionKind::Text
            && (s.address()..s.address() + s.size()).contains(&address)
    })
}

#[test]
fn probe_rs_reads_qemu_memory_and_drives_the_core_through_the_gdb_probe() {
    let elf = firmware::firmware(firmware::MPS2_AN386);
    let qemu = Qemu::start(&elf, false);
    let target = resolve_chip_with("mps2-an386", Some(&description())).unwrap();
    let mut session = connect(&qemu.addr)
        .into_probe()
        .attach(target, Permissions::default())
        .unwrap();
    let mut core = session.core(0).unwrap();

    let expected = code_at_zero(&elf);
    let mut got = vec![0u8; 256.min(expected.len())];
    core.read(0, &mut got).unwrap();
    assert_eq!(
        got,
        expected[..got.len()],
        "vector table read through probe-rs"
    );

    // 4 MiB of SRAM, the size an RTT scan reads.
    let mut sram = vec![0u8; 4 << 20];
    let start = Instant::now();
    core.read(0x2000_0000, &mut sram).unwrap();
    let took = start.elapsed();
    eprintln!(
        "QEMU gdbstub: 4 MiB read in {took:.2?} ({:.1} MB/s)",
        sram.len() as f64 / took.as_secs_f64() / 1e6
    );

    // Word reads of a running target: each stops it, reads and resumes it.
    assert!(
        !core.core_halted().unwrap(),
        "the firmware should still run"
    );
    const WORDS: u32 = 500;
    let start = Instant::now();
    for _ in 0..WORDS {
        core.read_word_32(0x2000_0000).unwrap();
    }
    eprintln!(
        "QEMU gdbstub: {:.0?} per read of the running target (stop, m, resume)",
        start.elapsed() / WORDS
    );

    core.halt(Duration::from_millis(500)).unwrap();
    assert!(core.core_halted().unwrap());
    let pc: u32 = core.read_core_reg(core.program_counter()).unwrap();
    assert!(
        in_code(&elf, pc.into()),
        "pc {pc:#x} is not in the firmware's code"
    );
    core.run().unwrap();
    assert!(!core.core_halted().unwrap());

    // A reset (AIRCR.SYSRESETREQ written through the server) ends halted at the reset vector.
    core.reset_and_halt(Duration::from_millis(500)).unwrap();
    let pc: u32 = core.read_core_reg(core.program_counter()).unwrap();
    let reset_vector = u32::from_le_bytes(expected[4..8].try_into().unwrap()) & !1;
    assert_eq!(pc, reset_vector, "pc after reset_and_halt");
    core.run().unwrap();
    assert!(!core.core_halted().unwrap());
}

#[test]
fn attach_gdb_to_qemu_scans_sram_and_finds_no_rtt_in_the_uart_build() {
    let elf = firmware::firmware(firmware::MPS2_AN386);
    let qemu = Qemu::start(&elf, false);
    let description = description();
    let start = Instant::now();
    let err = loop {
        let out = Command::new(env!("CARGO_BIN_EXE_ph-tap"))
            .args(["attach", "--gdb", &qemu.addr, "--chip", "mps2-an386"])
            .arg("--chip-description")
            .arg(&description)
            .arg("--no-status")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1), "{err}");
        // QEMU may not listen yet.
        if err.starts_with("error: cannot connect") && start.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(50));
            continue;
        }
        break err;
    };
    assert_eq!(
        err,
        "error: RTT control block not found in target RAM: pass --elf FIRMWARE.elf, or the firmware has not started RTT yet (try --reset) (cause: RTT control block not found in target memory)\n"
    );
    eprintln!(
        "attach, 4 MiB RTT scan and the error took {:.2?}",
        start.elapsed()
    );
}
