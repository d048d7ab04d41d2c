//! Error paths of the real binary on a machine with no debug probe: each is one line on
//! stderr that says what to do next, with a non-zero exit code.

mod common;

use assert_cmd::Command;
use predicates::prelude::*;

fn ph_tap() -> Command {
    Command::cargo_bin("ph-tap").unwrap()
}

/// These tests describe a machine without probes (CI, this project's dev boxes); on a
/// developer's desk with a probe plugged in they have nothing to check.
fn no_probe_connected() -> bool {
    let out = ph_tap().arg("list").output().unwrap();
    let none = out.stdout.is_empty();
    if !none {
        eprintln!("a debug probe is connected: skipping the no-probe checks");
    }
    none
}

/// Runs and returns stderr, checking exit code 1 and exactly one line starting with `error: `.
fn fails_with_one_line(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "not one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    err
}

#[test]
fn list_with_no_probe_says_so_and_succeeds() {
    if !no_probe_connected() {
        return;
    }
    ph_tap()
        .arg("list")
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::starts_with(
            "no debug probes found: plug one in",
        ));
}

#[test]
fn attach_with_no_probe() {
    if !no_probe_connected() {
        return;
    }
    let err = fails_with_one_line(ph_tap().args(["attach", "--chip", "nRF52840"]));
    assert!(
        err.starts_with("error: no debug probe found: plug one in"),
        "{err}"
    );
    assert!(err.contains("udev"), "{err}");
}

/// `run` checks the chip and the ELF without a probe, then needs one like `attach`.
#[test]
fn run_with_no_probe() {
    if !no_probe_connected() {
        return;
    }
    let elf = common::rtt_elf::elf_file();
    let err = fails_with_one_line(
        ph_tap()
            .args(["run", "--chip", "nRF52840_xxAA"])
            .arg(elf.path()),
    );
    assert!(
        err.starts_with("error: no debug probe found: plug one in"),
        "{err}"
    );
}

#[test]
fn probe_selector_matching_nothing() {
    if !no_probe_connected() {
        return;
    }
    let err = fails_with_one_line(ph_tap().args([
        "attach",
        "--chip",
        "nRF52840",
        "--probe",
        "dead:beef:123",
    ]));
    assert!(
        err.starts_with("error: no probe matches --probe dead:beef:123"),
        "{err}"
    );
}

#[test]
fn malformed_probe_selector() {
    let err =
        fails_with_one_line(ph_tap().args(["attach", "--chip", "nRF52840", "--probe", "jlink"]));
    assert!(err.starts_with("error: invalid --probe 'jlink'"), "{err}");
    assert!(err.contains("VID:PID[:SERIAL]"), "{err}");
}

#[test]
fn unknown_chip_gets_suggestions() {
    let err = fails_with_one_line(ph_tap().args(["attach", "--chip", "nRF52804"]));
    assert!(
        err.starts_with("error: unknown chip 'nRF52804': did you mean "),
        "{err}"
    );
    assert!(err.contains("nRF52840_xxAA"), "{err}");
}

#[test]
fn missing_elf() {
    let err = fails_with_one_line(ph_tap().args([
        "attach",
        "--chip",
        "nRF52840",
        "--elf",
        "no/such/firmware.elf",
    ]));
    assert!(
        err.starts_with("error: cannot read --elf no/such/firmware.elf: check the path"),
        "{err}"
    );
}

#[test]
fn missing_capture() {
    let err = fails_with_one_line(ph_tap().args(["decode", "no/such/capture.bin"]));
    assert!(
        err.starts_with("error: cannot open capture no/such/capture.bin"),
        "{err}"
    );
}

#[test]
fn tcp_nobody_listening() {
    // A port that was just free: bind, note it, close.
    let port = common::free_port();
    let err = fails_with_one_line(ph_tap().args(["attach", "--tcp", &format!("127.0.0.1:{port}")]));
    assert!(
        err.starts_with(&format!(
            "error: cannot connect to 127.0.0.1:{port}: is the RTT server"
        )),
        "{err}"
    );
}

#[test]
fn tcp_address_without_port() {
    let err = fails_with_one_line(ph_tap().args(["attach", "--tcp", "localhost"]));
    assert!(
        err.starts_with("error: cannot resolve --tcp 'localhost': use HOST:PORT"),
        "{err}"
    );
}

#[test]
fn save_into_missing_directory() {
    let err = fails_with_one_line(ph_tap().args([
        "demo",
        "--count",
        "1",
        "--save",
        "no/such/dir/cap.bin",
    ]));
    assert!(
        err.starts_with("error: cannot create --save file no/such/dir/cap.bin"),
        "{err}"
    );
}

#[test]
fn attach_needs_chip_or_tcp() {
    ph_tap()
        .arg("attach")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--chip"));
}

/// `--tcp` reads no probe: probe flags are refused, the same values from `PROBE_RS_*` (exported
/// for probe-rs's tools) are not.
#[test]
fn tcp_and_chip_conflict() {
    ph_tap()
        .args(["attach", "--chip", "nRF52840", "--tcp", "127.0.0.1:1"])
        .assert()
        .code(1)
        .stderr("error: --tcp reads an RTT server, not a probe: drop --chip\n");
    ph_tap()
        .args(["attach", "--tcp", "127.0.0.1:1", "--no-reconnect"])
        .env("PROBE_RS_CHIP", "nRF52840")
        .env("PROBE_RS_SPEED", "4000")
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "error: cannot connect to 127.0.0.1:1",
        ));
}

/// The probe flags come from probe-rs's environment variables too.
#[test]
fn probe_flags_from_the_environment() {
    // A chip from PROBE_RS_CHIP is resolved like --chip (so a typo there is caught the same way).
    ph_tap()
        .arg("attach")
        .env("PROBE_RS_CHIP", "nRF52840_xxAX")
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "error: unknown chip 'nRF52840_xxAX'",
        ));
    ph_tap()
        .args(["attach", "--chip", "nRF52840_xxAA"])
        .env("PROBE_RS_PROTOCOL", "morse")
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("PROBE_RS_PROTOCOL").or(predicate::str::contains("morse")),
        );
    ph_tap()
        .args(["run", "firmware.elf"])
        .env_remove("PROBE_RS_CHIP")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--chip"));
}
