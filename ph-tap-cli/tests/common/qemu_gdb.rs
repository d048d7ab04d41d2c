//! QEMU's mps2-an386 with its gdbstub, for the tests that drive probe-rs through
//! [`GdbProbe`] against a real GDB server.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ph_tap::probe::gdb::{GdbError, GdbProbe};

/// QEMU, killed when dropped.
pub struct Qemu {
    child: Child,
    /// Its gdbstub's address.
    pub addr: String,
}

impl Qemu {
    /// QEMU's mps2-an386 with `elf` loaded, stopped (`-S`), its gdbstub on a free local port;
    /// with `semihosting`, QEMU carries out the firmware's semihosting calls (an exit ends it).
    pub fn start(elf: &Path, semihosting: bool) -> Self {
        let addr = format!("127.0.0.1:{}", super::free_port());
        let mut cmd = Command::new("qemu-system-arm");
        cmd.args(["-machine", "mps2-an386", "-nographic", "-monitor", "none"]);
        if semihosting {
            cmd.args(["-semihosting-config", "enable=on,target=native"]);
        }
        let child = cmd
            .args(["-serial", "null", "-S", "-gdb", &format!("tcp:{addr}")])
            .arg("-kernel")
            .arg(elf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot run qemu-system-arm ({e}): install it (scripts/setup does)")
            });
        Self { child, addr }
    }

    /// Waits for QEMU to end by itself (a semihosting exit); its exit status.
    pub fn wait(&mut self) -> std::process::ExitStatus {
        self.child.wait().expect("wait for QEMU")
    }
}

impl Drop for Qemu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The board's probe-rs target description.
pub fn description() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("targets/mps2-an386.yaml")
}

/// Connects once QEMU listens (it takes a moment to start).
pub fn connect(addr: &str) -> GdbProbe {
    let start = Instant::now();
    loop {
        match GdbProbe::connect(addr) {
            Ok(probe) => return probe,
            Err(GdbError::Connect { .. }) if start.elapsed() < Duration::from_secs(10) => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(err) => panic!("{err}"),
        }
    }
}
