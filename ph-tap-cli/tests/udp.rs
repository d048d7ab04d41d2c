//! `--udp HOST:PORT`: the PlotJuggler feed, received on a local socket and checked against the
//! same run's `--format json` output: one datagram per value, one per loss, with the same
//! numbers, in the same order.
//!
//! UDP on loopback drops datagrams when the receiver falls behind: the receiver reads on a
//! thread of its own in a tight loop, the captures are small, and a datagram missing is a
//! failure that says so (never a hang: every read has a timeout).

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use common::data;
use serde_json::{Map, Value};

/// The JSON records that are losses, each sent as a loss datagram.
const LOSSES: [&str; 7] = [
    "ring_drop",
    "refused",
    "link_loss",
    "target_reset",
    "corrupt_frame",
    "unsupported_frame",
    "unplaced",
];

/// A socket on 127.0.0.1 collecting every datagram until [`Receiver::finish`].
struct Receiver {
    addr: SocketAddr,
    done: Arc<AtomicBool>,
    thread: JoinHandle<Vec<Vec<u8>>>,
}

impl Receiver {
    fn start() -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let addr = socket.local_addr().unwrap();
        let done = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&done);
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            let mut got = Vec::new();
            let mut buf = vec![0u8; 65_536];
            // Until the sender has exited and the socket is drained (or a minute, so a broken
            // run cannot hang the test).
            while started.elapsed() < Duration::from_secs(60) {
                match socket.recv(&mut buf) {
                    Ok(n) => got.push(buf[..n].to_vec()),
                    Err(_) if stop.load(Ordering::Relaxed) => break,
                    Err(_) => {}
                }
            }
            got
        });
        Self { addr, done, thread }
    }

    /// Every datagram received, parsed.
    fn finish(self) -> Vec<Map<String, Value>> {
        self.done.store(true, Ordering::Relaxed);
        let got = self.thread.join().unwrap();
        got.iter()
            .map(|d| {
                assert!(d.len() <= 1400, "a datagram of {} bytes", d.len());
                let value: Value = serde_json::from_slice(d)
                    .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(d)));
                match value {
                    Value::Object(map) => map,
                    other => panic!("not an object: {other}"),
                }
            })
            .collect()
    }
}

/// Runs `ph-tap ARGS --format json --udp ADDR` and returns its JSON lines and the datagrams.
fn run_with_feed(args: &[&str]) -> (Vec<Value>, Vec<Map<String, Value>>) {
    let receiver = Receiver::start();
    let out = Command::cargo_bin("ph-tap")
        .unwrap()
        .args(args)
        .args(["--format", "json", "--no-status", "--udp"])
        .arg(receiver.addr.to_string())
        .output()
        .unwrap();
    let datagrams = receiver.finish();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "ph-tap failed: {stderr}");
    assert!(
        !stderr.contains("--udp"),
        "a warning about the feed: {stderr}"
    );
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (lines, datagrams)
}

/// Checks that `datagrams` are `lines`' values and losses, one each, in order.
fn check_feed(what: &str, lines: &[Value], datagrams: &[Map<String, Value>]) {
    let expected: Vec<&Value> = lines
        .iter()
        .filter(|l| l["type"] == "event" || LOSSES.contains(&l["type"].as_str().unwrap()))
        .collect();
    assert_eq!(
        datagrams.len(),
        expected.len(),
        "{what}: {} datagrams received, {} values and losses in the JSON output (UDP on loopback dropped some, or the feed sent too many)",
        datagrams.len(),
        expected.len()
    );
    assert!(
        expected.iter().any(|l| l["type"] == "event"),
        "{what}: no value"
    );
    for (i, (line, got)) in expected.iter().zip(datagrams).enumerate() {
        let at = format!("{what}: datagram {i} {got:?} for {line}");
        let timestamp = line.get("t").cloned().unwrap_or(Value::from(i as f64));
        assert_eq!(got["timestamp"].as_f64(), timestamp.as_f64(), "{at}");
        assert_eq!(
            got["stream"],
            line.get("stream").cloned().unwrap_or(Value::Null),
            "{at}"
        );
        if let Some(id) = line.get("stream_id") {
            assert_eq!(&got["stream_id"], id, "{at}");
        }
        let kind = line["type"].as_str().unwrap();
        if kind == "event" {
            assert!(!got.contains_key("loss"), "{at}");
            assert_eq!(got["seq"], line["seq"], "{at}");
            let value = match &line["value"] {
                Value::Object(_) if !got.contains_key("value") => {
                    let mut fields = got.clone();
                    for own in ["timestamp", "stream", "stream_id", "seq"] {
                        fields.remove(own);
                    }
                    Value::Object(fields)
                }
                _ => got["value"].clone(),
            };
            assert_eq!(value, line["value"], "{at}");
        } else {
            assert_eq!(got["loss"], kind, "{at}");
            for field in ["count", "first_seq", "last_seq", "boot_id", "reason"] {
                if let Some(v) = line.get(field) {
                    assert_eq!(&got[field], v, "{at}: {field}");
                }
            }
            let own = line.get("count").cloned().unwrap_or(Value::from(1));
            assert_eq!(got[kind], own, "{at}: its own series");
        }
    }
}

#[test]
fn decode_feeds_every_value_and_loss_of_each_committed_capture() {
    let mut kinds = Vec::new();
    for capture in [
        "clean",
        "ring_drops",
        "link_loss",
        "corruption",
        "reset",
        "wrap",
        "streams",
    ] {
        let path = data(&format!("{capture}.bin"));
        let (lines, datagrams) = run_with_feed(&["decode", path.to_str().unwrap()]);
        check_feed(capture, &lines, &datagrams);
        kinds.extend(datagrams.iter().filter_map(|d| d.get("loss").cloned()));
    }
    for kind in ["ring_drop", "link_loss", "corrupt_frame", "target_reset"] {
        assert!(kinds.contains(&Value::from(kind)), "no {kind} datagram");
    }
}

#[test]
fn stream_filters_the_feed_as_it_filters_stdout() {
    let path = data("streams.bin");
    let (lines, datagrams) =
        run_with_feed(&["decode", path.to_str().unwrap(), "--stream", "events"]);
    check_feed("streams --stream events", &lines, &datagrams);
    let streams: Vec<&Value> = datagrams.iter().map(|d| &d["stream"]).collect();
    assert!(streams.contains(&&Value::from("events")), "{streams:?}");
    assert!(
        streams.iter().all(|s| *s == "events" || s.is_null()),
        "only the events stream, and the damaged frame of no stream: {streams:?}"
    );
}

#[test]
fn demo_feeds_every_value_and_loss_with_its_arrival_time() {
    let (lines, datagrams) = run_with_feed(&["demo", "--tick-ms", "0", "--count", "120"]);
    check_feed("demo", &lines, &datagrams);
    assert!(
        datagrams.iter().any(|d| d["stream"] == "events"),
        "the demo's three streams are named"
    );
}

#[test]
fn an_address_that_does_not_resolve_is_one_line_saying_what_to_give() {
    for addr in ["localhost", "127.0.0.1:99999"] {
        let out = Command::cargo_bin("ph-tap")
            .unwrap()
            .args(["decode", data("clean.bin").to_str().unwrap(), "--udp", addr])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(out.stdout.is_empty(), "nothing decoded before the error");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "not one line: {err}");
        assert!(
            err.starts_with(&format!(
                "error: cannot resolve --udp '{addr}': give HOST:PORT, e.g. --udp 127.0.0.1:9870"
            )),
            "{err}"
        );
    }
}

#[test]
fn nobody_listening_is_a_warning_not_an_error() {
    // A port nobody listens on: Linux refuses the datagrams after the first.
    let addr = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let out = Command::cargo_bin("ph-tap")
        .unwrap()
        .args(["demo", "--tick-ms", "1", "--count", "30", "--no-status"])
        .args(["--udp", &addr.to_string()])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{err}");
    assert!(err.contains("--- ph-tap summary ---"), "{err}");
    if cfg!(target_os = "linux") {
        let warnings: Vec<&str> = err.lines().filter(|l| l.contains("--udp")).collect();
        assert_eq!(warnings.len(), 1, "{err}");
        assert!(
            warnings[0].starts_with(&format!("warning: --udp {addr}: ")),
            "{err}"
        );
        assert!(warnings[0].contains("could not be sent (first: "), "{err}");
    }
}

#[test]
fn udp_alone_sends_to_plotjugglers_default_port() {
    let Ok(socket) = UdpSocket::bind("127.0.0.1:9870") else {
        eprintln!("127.0.0.1:9870 is taken (PlotJuggler running?): skipping");
        return;
    };
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let out = Command::cargo_bin("ph-tap")
        .unwrap()
        .args(["demo", "--tick-ms", "0", "--count", "3", "--no-status"])
        .args(["--link-loss", "0", "--corrupt", "0", "--udp"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut buf = [0u8; 2048];
    let n = socket.recv(&mut buf).expect("a datagram on port 9870");
    let first: Value = serde_json::from_slice(&buf[..n]).unwrap();
    assert!(first["timestamp"].is_number(), "{first}");
}
