//! End to end on real Cortex-M code: `firmware-demo` (SysTick → `SeqRing` → `Drainer` → UART)
//! runs under QEMU, and its bytes go through `ph-tap` (`decode`, and `attach --tcp`).
//!
//! Each test builds the firmware it needs (`cargo build` in `firmware-demo/`, its own workspace and
//! target directory), so `cargo test --workspace` needs the `thumbv7em-none-eabihf` and
//! `thumbv6m-none-eabi` targets and `qemu-system-arm` (`scripts/setup` installs them). A missing
//! QEMU fails the tests; it does not skip them.
//!
//! The assertions do not depend on timing: the firmware reports its own counts (samples pushed,
//! delivered, ring drops, link skips, hellos) in a final `Summary` item, and the host must have
//! seen exactly those. The QEMU runs use `-icount` anyway, which makes them reproducible.

mod checks;
#[path = "../common/mod.rs"]
mod common;
mod defmt;
mod faults;
mod firmware;
mod gdb;
mod proxy;
mod records;
mod run;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::Stdio;

use checks::assert_clean_run;
use firmware::{Board, MICROBIT, MPS2_AN386, NRF52840, QEMU_TIMEOUT};
use firmware::{capture, firmware, qemu, run_to_file, spawn_qemu, wait_qemu};
use records::{decode, ph_tap};

/// Runs the clean-capture assertions for `board`.
fn clean_run(board: Board) {
    let capture = capture(board);
    assert_clean_run(&decode(&capture), &capture, board.feature);
}

#[test]
fn mps2_an386_uart_stream_decodes_exactly_as_the_firmware_counted() {
    clean_run(MPS2_AN386);
}

#[test]
fn mps2_an386_injected_faults_are_reported_exactly() {
    faults::run(MPS2_AN386);
}

#[test]
fn microbit_thumbv6m_uart_stream_decodes_exactly_as_the_firmware_counted() {
    clean_run(MICROBIT);
}

#[test]
fn microbit_thumbv6m_injected_faults_are_reported_exactly() {
    faults::run(MICROBIT);
}

#[test]
fn icount_runs_are_byte_identical() {
    let elf = firmware(MPS2_AN386);
    let first = capture(MPS2_AN386);
    let second = run_to_file(MPS2_AN386, &elf);
    assert_eq!(
        first, second,
        "two -icount runs of the same firmware differ"
    );
}

/// `ph-tap attach --tcp` reading QEMU's serial socket live, as it would an RTT TCP server.
#[test]
fn mps2_an386_live_over_tcp() {
    let elf = firmware(MPS2_AN386);
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.local_addr().expect("its address").port()
    };
    let mut cmd = qemu(
        MPS2_AN386,
        &elf,
        &format!("tcp:127.0.0.1:{port},server=on,wait=on"),
    );
    cmd.stderr(Stdio::piped());
    let mut child = spawn_qemu(cmd);
    // QEMU says on stderr when it listens; the guest starts once a client connects. A thread
    // reads stderr to its end (so QEMU never blocks on it) and reports that line.
    let stderr = BufReader::new(child.stderr.take().expect("qemu stderr"));
    let (listening_tx, listening) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            if line.contains("waiting for connection") {
                let _ = listening_tx.send(());
            }
        }
    });
    if listening.recv_timeout(QEMU_TIMEOUT).is_err() {
        let _ = child.kill();
        let _ = child.wait();
        panic!("QEMU did not listen on port {port}");
    }
    let save = tempfile::NamedTempFile::new().expect("temp file");
    let addr = format!("127.0.0.1:{port}");
    let save_path = save.path().to_str().expect("UTF-8 temp path").to_owned();
    let records = ph_tap(
        &[
            "attach",
            "--no-reconnect",
            "--tcp",
            &addr,
            "--save",
            &save_path,
        ],
        &[],
    );
    wait_qemu(child, "mps2-an386 over TCP");
    // --save kept the raw bytes, and replaying them gives the same records.
    let saved = std::fs::read(save.path()).expect("read the --save file");
    let summary = assert_clean_run(&records, &saved, "mps2-an386 over TCP");
    assert_eq!(decode(&saved), records, "replay of the --save file");
    assert!(summary.samples > 0);
}

/// The nRF52840 build (RTT) is compiled, and its RTT control block is where `ph-tap attach --elf`
/// looks for it.
#[test]
fn nrf52840_rtt_build_exports_segger_rtt() {
    use object::{Object, ObjectSymbol};
    let elf = std::fs::read(firmware(NRF52840)).expect("read the nRF52840 ELF");
    let file = object::File::parse(&*elf).expect("parse the ELF");
    let symbol = file
        .symbols()
        .find(|s| s.name() == Ok("_SEGGER_RTT"))
        .expect("_SEGGER_RTT in the nRF52840 firmware");
    // In RAM (0x2000_0000..0x2004_0000 on the nRF52840).
    assert!(
        (0x2000_0000..0x2004_0000).contains(&symbol.address()),
        "{:#x}",
        symbol.address()
    );
}

#[test]
fn mps2_an386_rtt_over_gdb_whole_cycles_through_the_elf_address() {
    gdb::whole_cycles_through_the_elf_address();
}

#[test]
fn mps2_an386_rtt_over_gdb_control_block_found_by_ram_scan() {
    gdb::control_block_found_by_ram_scan();
}

#[test]
fn mps2_an386_rtt_over_gdb_buffer_too_small_for_the_burst() {
    gdb::rtt_buffer_too_small_for_the_burst();
}

#[test]
fn mps2_an386_rtt_over_gdb_target_reset_mid_stream() {
    gdb::target_reset_mid_stream();
}

#[test]
fn mps2_an386_rtt_over_gdb_server_gone_and_back() {
    gdb::gdb_server_gone_and_back();
}

#[test]
fn mps2_an386_run_flashes_starts_and_streams() {
    run::flashes_starts_and_streams();
}

#[test]
fn mps2_an386_run_refuses_what_is_not_this_boards_firmware() {
    run::refuses_what_is_not_this_boards_firmware();
}

#[test]
fn mps2_an386_rtt_channels_defmt_and_ph_eventing() {
    defmt::channels_defmt_and_ph_eventing();
}

#[test]
fn mps2_an386_rtt_defmt_log_lines_match_the_summaries() {
    defmt::log_lines_match_the_summaries();
}

#[test]
fn mps2_an386_rtt_panic_after_boot_is_reported_through_defmt() {
    defmt::panic_after_boot_is_reported_through_defmt();
}

#[test]
fn mps2_an386_rtt_panic_after_boot_under_ph_tap_run() {
    defmt::panic_after_boot_under_ph_tap_run();
}
