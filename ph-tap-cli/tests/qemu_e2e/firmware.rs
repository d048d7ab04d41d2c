//! Building `firmware-demo` for a board and running it under QEMU.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Longest a QEMU run may take (a run takes about a second; this only guards against a hang).
pub(crate) const QEMU_TIMEOUT: Duration = Duration::from_secs(120);

/// A firmware build: cargo feature, target triple and QEMU machine.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Board {
    pub(crate) feature: &'static str,
    pub(crate) triple: &'static str,
    pub(crate) machine: Option<&'static str>,
}

pub(crate) const MPS2_AN386: Board = Board {
    feature: "mps2-an386",
    triple: "thumbv7em-none-eabihf",
    machine: Some("mps2-an386"),
};
pub(crate) const MICROBIT: Board = Board {
    feature: "microbit",
    triple: "thumbv6m-none-eabi",
    machine: Some("microbit"),
};
pub(crate) const NRF52840: Board = Board {
    feature: "nrf52840",
    triple: "thumbv7em-none-eabihf",
    machine: None,
};

/// The `firmware-demo` crate's directory.
pub(crate) fn firmware_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../firmware-demo")
}

/// Builds the firmware for `board` (once per test process) and returns a copy of its ELF,
/// `firmware-demo/target/e2e/<board>.elf`.
///
/// Boards that share a target triple write the same `release/firmware-demo`, so the build and
/// the copy happen under an exclusive lock on `firmware-demo/target/e2e.lock`, which
/// `scripts/checks/40-firmware.sh` and `firmware-demo/scripts/count-instructions.sh` take too
/// (another process building another board cannot overwrite the ELF before it is copied).
pub(crate) fn firmware(board: Board) -> PathBuf {
    static BUILT: Mutex<Option<HashMap<&'static str, PathBuf>>> = Mutex::new(None);
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    let built = built.get_or_insert_with(HashMap::new);
    if let Some(elf) = built.get(board.feature) {
        return elf.clone();
    }
    let dir = firmware_dir();
    let target_dir = dir.join("target");
    let e2e_dir = target_dir.join("e2e");
    std::fs::create_dir_all(&e2e_dir).expect("create firmware-demo/target/e2e");
    let lock = File::create(target_dir.join("e2e.lock")).expect("create the build lock");
    lock.lock().expect("lock firmware-demo/target/e2e.lock");
    // Run in firmware-demo/ so its .cargo/config.toml (linker script, DEFMT_LOG) applies; drop
    // flags that would replace that config's rustflags, and a DEFMT_LOG that would override its
    // log level (defmt.rs checks the lines logged at the default level).
    let status = Command::new(env!("CARGO"))
        .current_dir(&dir)
        .args(["build", "--release", "--no-default-features"])
        .args(["--features", board.feature, "--target", board.triple])
        .env("CARGO_TARGET_DIR", &target_dir)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("DEFMT_LOG")
        .status()
        .expect("run cargo to build firmware-demo");
    assert!(
        status.success(),
        "building firmware-demo for {} failed",
        board.feature
    );
    let elf = target_dir.join(board.triple).join("release/firmware-demo");
    let copy = e2e_dir.join(format!("{}.elf", board.feature));
    std::fs::copy(&elf, &copy).expect("copy the firmware ELF");
    drop(lock);
    built.insert(board.feature, copy.clone());
    copy
}

/// `qemu-system-arm` for `board` with the firmware loaded, the first UART on `serial`.
pub(crate) fn qemu(board: Board, elf: &Path, serial: &str) -> Command {
    let mut cmd = Command::new("qemu-system-arm");
    cmd.args(["-machine", board.machine.expect("a QEMU board")])
        // One virtual nanosecond per instruction, and no waiting in WFI: reproducible and fast.
        .args(["-icount", "shift=0,sleep=off"])
        .args(["-nographic", "-monitor", "none"])
        .args(["-semihosting-config", "enable=on,target=native"])
        .args(["-serial", serial])
        .arg("-kernel")
        .arg(elf)
        .stdin(Stdio::null());
    cmd
}

pub(crate) fn spawn_qemu(mut cmd: Command) -> Child {
    cmd.spawn().unwrap_or_else(|e| {
        panic!(
            "cannot run qemu-system-arm ({e}): install it (scripts/setup does) to run these tests"
        )
    })
}

/// Waits for QEMU to exit (killing it after [`QEMU_TIMEOUT`]) and checks that the firmware ended
/// its run with success (semihosting exit 0; a firmware panic exits 1).
pub(crate) fn wait_qemu(mut child: Child, what: &str) {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait for qemu") {
            assert!(
                status.success(),
                "{what}: QEMU/firmware exited with {status}"
            );
            return;
        }
        if start.elapsed() > QEMU_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: QEMU did not finish within {QEMU_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The bytes the firmware wrote to its UART, run once per board and test process.
pub(crate) fn capture(board: Board) -> Vec<u8> {
    static CAPTURES: Mutex<Option<HashMap<&'static str, Vec<u8>>>> = Mutex::new(None);
    let elf = firmware(board);
    let mut captures = CAPTURES.lock().unwrap_or_else(|e| e.into_inner());
    let captures = captures.get_or_insert_with(HashMap::new);
    captures
        .entry(board.feature)
        .or_insert_with(|| run_to_file(board, &elf))
        .clone()
}

pub(crate) fn run_to_file(board: Board, elf: &Path) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("uart.bin");
    let child = spawn_qemu(qemu(board, elf, &format!("file:{}", out.display())));
    wait_qemu(child, board.feature);
    std::fs::read(&out).expect("read the UART capture")
}
