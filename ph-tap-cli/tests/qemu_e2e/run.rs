//! `ph-tap run` end to end under QEMU through its GDB server: a blank `mps2-an386` (no
//! `-kernel`), "flashed" with the RTT firmware through probe-rs's RAM download (the board's
//! target description marks its memory as RAM), reset, and read until Ctrl-C, against the
//! firmware's own counts; and the one-line errors of an ELF that is not for this board.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::defmt::assert_logs_match_the_summaries;
use crate::firmware::firmware;
use crate::gdb::{MPS2_AN386_RTT, Qemu, Tap, assert_accounted, gdb_args, segger_rtt, telemetry_of};
use crate::records::saved_channel;

/// `ph-tap run` flashes the blank board, starts it from reset, and shows whole demo cycles
/// exactly as the firmware counted them; a replay of its `--save` file gives the same records.
/// Test-runner arguments after the ELF (what `cargo test` passes a runner) are ignored. As
/// `cargo run` would, it reads both of the firmware's up channels, `defmt` (0) and
/// `ph-eventing` (1): the telemetry is accounted against the firmware's summaries, and so are
/// its defmt log lines; its `--save` file is one capture of both, and `decode --elf` of it
/// prints what the live run printed.
pub(crate) fn flashes_starts_and_streams() {
    let elf = firmware(MPS2_AN386_RTT);
    let qemu = Qemu::blank();
    let dir = tempfile::tempdir().expect("temp dir");
    let save = dir.path().join("run.bin");
    let mut tap = Tap::run(
        qemu.gdb,
        &[
            "--save",
            save.to_str().expect("a UTF-8 temp path"),
            elf.to_str().expect("a UTF-8 firmware path"),
            "--nocapture",
            "--test-threads",
            "1",
        ],
    );
    tap.wait_summaries(2);
    let started = tap.started.elapsed();
    let (records, stderr) = tap.stop();
    let flashed = stderr
        .lines()
        .find(|l| l.starts_with("flashed "))
        .unwrap_or_else(|| panic!("no flash line in {stderr}"));
    assert!(flashed.contains("(verified)"), "{flashed}");
    assert!(
        flashed.contains(&format!("RTT control block at {:#010x}", segger_rtt(&elf))),
        "the ELF's _SEGGER_RTT: {flashed}"
    );
    // stderr is a pipe here: no progress bar (no carriage returns or escape sequences).
    assert!(
        !stderr.contains('\r') && !stderr.contains('\x1b'),
        "{stderr:?}"
    );
    assert!(
        flashed.contains("up channels 0 'defmt', 1 'ph-eventing'"),
        "both channels: {flashed}"
    );
    let telemetry = telemetry_of(&records);
    let capture = saved_channel(&save, 1);
    let summaries = assert_accounted(&telemetry, &capture, "ph-tap run");
    assert!(summaries.len() >= 2);
    assert_eq!(
        telemetry_of(&crate::records::decode(&capture)),
        telemetry,
        "a replay of the telemetry channel gives the same records"
    );
    // The defmt channel: every line the firmware logged, against the same summaries; the whole
    // capture, both channels, replays to the same records, log lines included.
    let lines = assert_logs_match_the_summaries(&records, &stderr, &save, &elf, &summaries);
    eprintln!(
        "ph-tap run: {flashed}; two cycles after {started:.2?}, {} telemetry records and {lines} log lines",
        telemetry.len()
    );
}

/// The exit status and the one line of a run that fails before the firmware starts.
fn run_fails(qemu: &Qemu, elf: &Path) -> (Option<i32>, String) {
    let out = Command::new(assert_cmd::cargo::cargo_bin("ph-tap"))
        .arg("run")
        .args(gdb_args(qemu.gdb))
        .arg(elf)
        .output()
        .expect("run ph-tap");
    let stderr = String::from_utf8(out.stderr).expect("UTF-8 stderr");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    (out.status.code(), stderr.trim_end().to_owned())
}

/// How [`patched`] changes the firmware's loadable segments.
enum Patch {
    /// Moved by this offset (as if linked for a chip whose memory is elsewhere, e.g. an
    /// STM32's flash at 0x0800_0000).
    Move(u32),
    /// Made `PT_NULL`: nothing to flash (a linker script gone wrong).
    Unload,
}

/// The RTT firmware with its loadable segments changed by `patch`; its symbols stay.
fn patched(elf: &Path, patch: Patch, dir: &Path) -> PathBuf {
    let mut bytes = std::fs::read(elf).expect("read the ELF");
    let u32_at = |b: &[u8], at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
    let u16_at = |b: &[u8], at: usize| u16::from_le_bytes(b[at..at + 2].try_into().unwrap());
    assert_eq!(&bytes[..5], b"\x7fELF\x01", "a 32-bit ELF");
    let phoff = u32_at(&bytes, 0x1C) as usize;
    let (phentsize, phnum) = (u16_at(&bytes, 0x2A) as usize, u16_at(&bytes, 0x2C) as usize);
    for i in 0..phnum {
        let ph = phoff + i * phentsize;
        const PT_LOAD: u32 = 1;
        if u32_at(&bytes, ph) != PT_LOAD {
            continue;
        }
        match patch {
            Patch::Move(offset) => {
                for field in [ph + 8, ph + 12] {
                    let moved = u32_at(&bytes, field).wrapping_add(offset);
                    bytes[field..field + 4].copy_from_slice(&moved.to_le_bytes());
                }
            }
            Patch::Unload => bytes[ph..ph + 4].copy_from_slice(&0u32.to_le_bytes()),
        }
    }
    let path = dir.join(match patch {
        Patch::Move(_) => "relinked.elf",
        Patch::Unload => "unloadable.elf",
    });
    std::fs::write(&path, bytes).expect("write the patched ELF");
    path
}

/// What is not this board's firmware is refused in one line, exit status 1, and the board
/// is left alone: not an ELF, a host program, an ELF without RTT, an ELF for another chip's
/// memory, an ELF with nothing to flash.
pub(crate) fn refuses_what_is_not_this_boards_firmware() {
    let qemu = Qemu::blank();
    let dir = tempfile::tempdir().expect("temp dir");
    let text = dir.path().join("firmware.hex");
    std::fs::write(&text, ":020000040800F2\n").expect("write a HEX file");
    let (code, line) = run_fails(&qemu, &text);
    assert_eq!(code, Some(1));
    assert!(
        line.starts_with(&format!(
            "error: {} is not an ELF file: pass the firmware's ELF",
            text.display()
        )),
        "{line}"
    );

    let host = assert_cmd::cargo::cargo_bin("ph-tap");
    let (code, line) = run_fails(&qemu, &host);
    assert_eq!(code, Some(1));
    assert_eq!(
        line,
        format!(
            "error: {} is built for X86_64, not for a microcontroller: pass the firmware's ELF (built for e.g. thumbv7em-none-eabihf)",
            host.display()
        )
    );

    let uart = firmware(crate::firmware::MPS2_AN386);
    let (code, line) = run_fails(&qemu, &uart);
    assert_eq!(code, Some(1));
    assert!(
        line.contains(
            "has no _SEGGER_RTT symbol: is RTT (rtt-target, defmt-rtt) linked into this firmware?"
        ),
        "{line}"
    );

    let other_chip = patched(
        &firmware(MPS2_AN386_RTT),
        Patch::Move(0x0800_0000),
        dir.path(),
    );
    let (code, line) = run_fails(&qemu, &other_chip);
    assert_eq!(code, Some(1));
    assert!(
        line.starts_with(&format!(
            "error: {} puts data at 0x08000000..",
            other_chip.display()
        )) && line.contains(
            "where mps2-an386 has no flash or RAM: is it built for another chip? (check --chip and memory.x)"
        ),
        "{line}"
    );

    // A fresh board: the one above ran on, empty, once ph-tap let go of it after the failed
    // flash, and locked up (which ends QEMU).
    let qemu = Qemu::blank();
    let unloadable = patched(&firmware(MPS2_AN386_RTT), Patch::Unload, dir.path());
    let (code, line) = run_fails(&qemu, &unloadable);
    assert_eq!(code, Some(1));
    assert!(
        line.starts_with(&format!(
            "error: {} has nothing to flash (no loadable segments): check the linker script",
            unloadable.display()
        )),
        "{line}"
    );
}
