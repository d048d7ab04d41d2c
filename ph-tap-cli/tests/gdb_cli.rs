//! `ph-tap attach --gdb` error paths through the real binary: each is one line on stderr that
//! says what to do next, with exit code 1, and none hangs.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use assert_cmd::Command;

fn ph_tap() -> Command {
    let mut cmd = Command::cargo_bin("ph-tap").unwrap();
    cmd.timeout(Duration::from_secs(30));
    cmd
}

/// Runs `ph-tap attach --gdb ADDR --chip nRF52840` and returns stderr, checking exit code 1
/// and exactly one line starting with `error: `.
fn attach_fails(addr: &str) -> String {
    let out = ph_tap()
        .args(["attach", "--gdb", addr, "--chip", "nRF52840", "--no-status"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "not one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    err
}

/// A server on 127.0.0.1 that runs `script` on its one connection.
fn serve(script: impl FnOnce(std::net::TcpStream) + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        if let Ok((stream, _)) = listener.accept() {
            script(stream);
        }
    });
    addr
}

#[test]
fn nobody_listening() {
    let port = common::free_port();
    let addr = format!("127.0.0.1:{port}");
    let err = attach_fails(&addr);
    assert!(
        err.starts_with(&format!(
            "error: cannot connect to the GDB server at {addr} ("
        )),
        "{err}"
    );
    assert!(
        err.trim_end().ends_with(&format!(
            "start the GDB server first (e.g. qemu-system-arm ... -gdb tcp:{addr}) or fix --gdb"
        )),
        "{err}"
    );
}

#[test]
fn a_server_that_closes_at_once() {
    let addr = serve(drop);
    let err = attach_fails(&addr);
    // Closed before or while the handshake is read, or reset by the peer.
    assert!(
        err.starts_with(&format!(
            "error: the GDB server at {addr} closed the connection while ph-tap waited for qSupported"
        )) || err.starts_with(&format!("error: the connection to the GDB server at {addr} failed")),
        "{err}"
    );
}

#[test]
fn a_server_that_answers_garbage() {
    let addr = serve(|mut s| {
        let mut buf = [0u8; 256];
        let _ = s.read(&mut buf);
        let _ = s.write_all(b"SSH-2.0-OpenSSH_9.6\r\n");
        std::thread::sleep(Duration::from_secs(2));
    });
    let err = attach_fails(&addr);
    assert_eq!(
        err.trim_end(),
        format!(
            "error: the GDB server at {addr} sent byte 0x53 where a packet should start: check that --gdb is a GDB server's port (not an RTT, telnet or serial port)"
        )
    );
}

#[test]
fn a_server_that_never_answers_times_out() {
    let addr = serve(|s| {
        std::thread::sleep(Duration::from_secs(10));
        drop(s);
    });
    let start = Instant::now();
    let err = attach_fails(&addr);
    assert!(
        start.elapsed() < Duration::from_secs(8),
        "{:?}",
        start.elapsed()
    );
    assert!(
        err.starts_with(&format!(
            "error: the GDB server at {addr} did not answer qSupported within 3s"
        )),
        "{err}"
    );
}

/// Probe flags make no sense through a GDB server; the same values exported as `PROBE_RS_*`
/// (for probe-rs's tools) are no mistake and are ignored.
#[test]
fn gdb_conflicts_with_probe_options() {
    for (extra, flag) in [
        (&["--probe", "1366:1015"][..], "--probe"),
        (&["--speed", "1000"], "--speed"),
        (&["--protocol", "swd"], "--protocol"),
        (&["--connect-under-reset"], "--connect-under-reset"),
    ] {
        let out = ph_tap()
            .args(["attach", "--gdb", "127.0.0.1:1", "--chip", "nRF52840"])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{extra:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(
            err,
            format!(
                "error: --gdb reaches the target through a GDB server, not a probe: drop {flag}\n"
            )
        );
    }
    let out = ph_tap()
        .args(["attach", "--gdb", "127.0.0.1:1", "--chip", "nRF52840"])
        .env("PROBE_RS_PROBE", "1366:1015")
        .env("PROBE_RS_SPEED", "1000")
        .env("PROBE_RS_PROTOCOL", "SWD")
        .env("PROBE_RS_CONNECT_UNDER_RESET", "true")
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("error: cannot connect to the GDB server at 127.0.0.1:1"),
        "{err}"
    );
    let out = ph_tap()
        .args(["attach", "--gdb", "127.0.0.1:1", "--tcp", "127.0.0.1:2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_unknown_board_without_its_description_is_named() {
    let out = ph_tap()
        .args(["attach", "--gdb", "127.0.0.1:1", "--chip", "mps2-an386"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.starts_with("error: unknown chip 'mps2-an386'"), "{err}");
    assert_eq!(err.lines().count(), 1);
}
