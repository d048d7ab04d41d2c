//! `ph-tap attach --tcp` against a local TCP server (127.0.0.1 only) that plays a committed
//! capture in small chunks, as an RTT TCP server would.

mod common;

use std::io::Write;
use std::net::TcpListener;

use assert_cmd::Command;
use common::data;

/// Serves `bytes` to the first client in `chunk`-byte writes, then closes.
fn serve(bytes: Vec<u8>, chunk: usize) -> (u16, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        for piece in bytes.chunks(chunk) {
            conn.write_all(piece).unwrap();
            conn.flush().unwrap();
        }
    });
    (port, server)
}

#[test]
fn tcp_stream_decodes_like_the_capture_and_is_saved() {
    let capture = std::fs::read(data("ring_drops.bin")).unwrap();
    let (port, server) = serve(capture.clone(), 7);
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("tcp.bin");
    let out = Command::cargo_bin("ph-tap")
        .unwrap()
        .args([
            "attach",
            "--no-reconnect",
            "--tcp",
            &format!("127.0.0.1:{port}"),
            "--no-time",
            "--color",
            "never",
            "--save",
        ])
        .arg(&saved)
        .output()
        .unwrap();
    server.join().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = std::fs::read_to_string(data("ring_drops.out")).unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        std::fs::read_to_string(data("ring_drops.err")).unwrap()
    );
    assert_eq!(
        std::fs::read(&saved).unwrap(),
        capture,
        "--save holds every byte received"
    );
}

#[test]
fn tcp_json_has_a_record_per_line() {
    let capture = std::fs::read(data("link_loss.bin")).unwrap();
    let (port, server) = serve(capture, 64);
    let out = Command::cargo_bin("ph-tap")
        .unwrap()
        .args([
            "attach",
            "--no-reconnect",
            "--tcp",
            &format!("127.0.0.1:{port}"),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    server.join().unwrap();
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary = lines.last().unwrap();
    assert_eq!(summary["type"], "summary");
    let events = lines.iter().filter(|l| l["type"] == "event").count() as u64;
    let lost: u64 = lines
        .iter()
        .filter(|l| l["type"] == "link_loss")
        .map(|l| l["count"].as_u64().unwrap())
        .sum();
    assert_eq!(summary["frames"], events);
    assert_eq!(summary["link_losses"], lost);
    assert!(lost > 0);
    // Live sources carry the arrival time.
    assert!(
        lines
            .iter()
            .filter(|l| l["type"] == "event")
            .all(|l| l["t"].is_f64())
    );
}

/// Runs `ph-tap attach --tcp addr --no-time --color never --save saved`, reads its stdout until
/// `done(line)` says a line was the last one wanted, then presses Ctrl-C (SIGINT). Returns
/// stdout up to there and the process's output (the rest of stdout, stderr, exit status).
#[cfg(unix)]
fn attach_until(
    addr: &str,
    saved: &std::path::Path,
    done: impl Fn(&str) -> bool,
) -> (String, std::process::Output) {
    attach_until_signal(addr, saved, "INT", done)
}

/// [`attach_until`], ended with the signal `signal` (`INT`, `TERM`, `HUP`) instead of Ctrl-C.
#[cfg(unix)]
fn attach_until_signal(
    addr: &str,
    saved: &std::path::Path,
    signal: &str,
    done: impl Fn(&str) -> bool,
) -> (String, std::process::Output) {
    use std::io::{BufRead, BufReader};
    use std::process::{Command as Std, Stdio};

    let mut child = Std::new(assert_cmd::cargo::cargo_bin("ph-tap"))
        .args(["attach", "--tcp", addr, "--no-time", "--color", "never"])
        .arg("--save")
        .arg(saved)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut shown = String::new();
    while !shown.lines().any(&done) {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "ph-tap ended early: {shown}"
        );
        shown.push_str(&line);
    }
    let kill = Std::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let mut out = child.wait_with_output().unwrap();
    let rest = std::mem::take(&mut out.stdout);
    shown.push_str(&String::from_utf8(rest).unwrap());
    (shown, out)
}

/// Ctrl-C (SIGINT) while a live source is still open: the summary is printed, exit code 0,
/// and `--save` holds everything received.
#[cfg(unix)]
#[test]
fn ctrl_c_prints_the_summary_and_keeps_the_save_file() {
    signal_prints_the_summary_and_keeps_the_save_file("INT");
}

/// A SIGTERM (a process manager, `kill`) or SIGHUP (the terminal closed) ends the run as Ctrl-C
/// does: the summary is printed and `--save` holds everything received.
#[cfg(unix)]
#[test]
fn sigterm_and_sighup_end_the_run_as_ctrl_c_does() {
    signal_prints_the_summary_and_keeps_the_save_file("TERM");
    signal_prints_the_summary_and_keeps_the_save_file("HUP");
}

#[cfg(unix)]
fn signal_prints_the_summary_and_keeps_the_save_file(signal: &str) {
    let capture = std::fs::read(data("clean.bin")).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let sent = capture.clone();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        conn.write_all(&sent).unwrap();
        // Keep the connection open (a live target that has gone quiet) until the test is done.
        let _ = done_rx.recv();
    });
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("live.bin");
    // Wait until the last value of the capture has been shown: everything was received.
    let (_, out) = attach_until_signal(&format!("127.0.0.1:{port}"), &saved, signal, |l| {
        l.trim_start().starts_with("40 ")
    });
    done_tx.send(()).unwrap();
    server.join().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("--- ph-tap summary ---\nframes          40\n"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&saved).unwrap(), capture);
}

/// The RTT server goes away mid-stream (it closes the connection, then refuses new ones for a
/// while) and comes back: ph-tap says so once, waits, reconnects, and the output, the `--save`
/// file and the accounting go on as if nothing had happened (the cut is at a frame boundary,
/// and the server had not lost anything).
#[cfg(unix)]
#[test]
fn server_gone_and_back_is_waited_for() {
    use std::time::Duration;

    let capture = std::fs::read(data("ring_drops.bin")).unwrap();
    // Cut after a frame's delimiter, halfway.
    let cut = capture[capture.len() / 2..]
        .iter()
        .position(|&b| b == 0)
        .unwrap()
        + capture.len() / 2
        + 1;
    let (first, second) = (capture[..cut].to_vec(), capture[cut..].to_vec());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        conn.write_all(&first).unwrap();
        drop(conn);
        drop(listener);
        // Away: connections are refused meanwhile.
        std::thread::sleep(Duration::from_millis(800));
        let listener = TcpListener::bind(addr).unwrap();
        let (mut conn, _) = listener.accept().unwrap();
        conn.write_all(&second).unwrap();
        let _ = done_rx.recv();
    });
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("live.bin");
    let last_value = std::fs::read_to_string(data("ring_drops.out"))
        .unwrap()
        .lines()
        .rfind(|l| l.trim_start().starts_with(char::is_numeric))
        .unwrap()
        .to_owned();
    let (shown, out) = attach_until(&addr.to_string(), &saved, |l| l == last_value);
    done_tx.send(()).unwrap();
    server.join().unwrap();
    assert!(out.status.success(), "exit status {:?}", out.status);
    assert_eq!(
        shown,
        std::fs::read_to_string(data("ring_drops.out")).unwrap()
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr
            .matches("RTT server gone: waiting for it to come back (Ctrl-C to stop)")
            .count(),
        1,
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("RTT server back after ").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("reconnects      1\n"), "{stderr}");
    // The accounting is the capture's own, across the gap.
    let expected = std::fs::read_to_string(data("ring_drops.err")).unwrap();
    let summary = &stderr[stderr.find("--- ph-tap summary ---").unwrap()..];
    assert_eq!(
        summary.replace("reconnects      1\n", ""),
        expected,
        "{stderr}"
    );
    assert_eq!(std::fs::read(&saved).unwrap(), capture);
}
