//! Telemetry through a real MQTT broker: each test starts its own mosquitto on a free
//! loopback port ([`common::mosquitto::Broker`]), publishes with `ph-tap demo --publish` (or
//! `mosquitto_pub`), reads with `ph-tap attach --mqtt` (or `mosquitto_sub`), and checks the
//! far end's accounting against what the producers said they sent.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use common::ack_proxy::AckProxy;
use common::mosquitto::Broker;
use serde_json::Value;

const PH_TAP: &str = env!("CARGO_BIN_EXE_ph-tap");
/// How long any one wait of these tests may take before it fails.
const TIMEOUT: Duration = Duration::from_secs(20);

/// `ph-tap demo` arguments of a clean link: no link loss, no corruption, no ring drops, no
/// reset, one stream, sequence numbers from 1: every frame the demo sends is one value, and
/// the only losses are those on the way through the broker.
fn clean_demo(count: u32, tick_ms: u32) -> Vec<String> {
    [
        "demo",
        "--count",
        &count.to_string(),
        "--tick-ms",
        &tick_ms.to_string(),
        "--link-loss",
        "0",
        "--corrupt",
        "0",
        "--no-bursts",
        "--no-reset",
        "--single-stream",
        "--first-seq",
        "1",
        "--format",
        "json",
        "--no-time",
    ]
    .map(String::from)
    .to_vec()
}

/// The JSON summary (the last line) of a run's stdout.
fn summary(stdout: &[u8]) -> Value {
    let text = String::from_utf8_lossy(stdout);
    let last = text.lines().last().unwrap_or_default();
    let value: Value =
        serde_json::from_str(last).unwrap_or_else(|e| panic!("no JSON summary ({e}) in: {text}"));
    assert_eq!(value["type"], "summary", "{text}");
    value
}

/// A `ph-tap attach --mqtt` running, its stdout read line by line on a thread.
struct Consumer {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Consumer {
    fn start(url: &str, extra: &[&str]) -> Self {
        let mut child = Command::new(PH_TAP)
            .args(["attach", "--mqtt", url, "--format", "json", "--no-time"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run ph-tap attach --mqtt");
        let stdout = child.stdout.take().unwrap();
        let (sender, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        // Subscribed once it says so on stderr.
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut first = String::new();
        stderr.read_line(&mut first).unwrap();
        assert!(first.starts_with("subscribed to "), "{first}");
        std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = stderr.read_to_string(&mut rest);
            eprint!("{rest}");
        });
        Self {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits until a line of stdout satisfies `done`.
    fn wait_for(&mut self, what: &str, done: impl Fn(&Value) -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let found = serde_json::from_str::<Value>(&line).is_ok_and(|v| done(&v));
                    self.seen.push(line);
                    if found {
                        return;
                    }
                }
                Err(_) => panic!(
                    "attach --mqtt: no {what} within {TIMEOUT:?}; its last lines: {:?}",
                    &self.seen[self.seen.len().saturating_sub(5)..]
                ),
            }
        }
    }

    /// Ends it as Ctrl-C would, and returns its JSON summaries (one per board of a farm;
    /// the last line of a single-board run).
    fn finish_all(mut self) -> Vec<Value> {
        let kill = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "attach --mqtt exited with {status}");
        self.seen.extend(self.lines.iter());
        self.seen
            .iter()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| v["type"] == "summary")
            .collect()
    }

    /// Ends it as Ctrl-C would, and returns its JSON summary (the last line).
    fn finish(mut self) -> Value {
        let kill = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "attach --mqtt exited with {status}");
        self.seen.extend(self.lines.iter());
        summary(self.seen.join("\n").as_bytes())
    }
}

/// Runs `ph-tap` with `args` to its end.
fn ph_tap(args: &[String]) -> Output {
    Command::new(PH_TAP)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run ph-tap")
}

/// Starts `ph-tap` with `args`, its stdout and stderr piped.
fn spawn_ph_tap(args: &[String]) -> Child {
    Command::new(PH_TAP)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ph-tap")
}

/// Waits for a `ph-tap` of [`spawn_ph_tap`] to end, checks that it succeeded, and returns its
/// JSON summary and its stderr.
fn finished(mut child: Child) -> (Value, String) {
    let mut stdout = Vec::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut stdout)
        .unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(child.wait().unwrap().success(), "{stderr}");
    (summary(&stdout), stderr)
}

fn publish_args(broker: &Broker, board: &str) -> Vec<String> {
    vec![
        "--publish".into(),
        broker.url("farm"),
        "--board".into(),
        board.into(),
    ]
}

/// The value of `seq` as the consumer prints it.
fn is_value(seq: u64) -> impl Fn(&Value) -> bool {
    move |v| v["type"] == "event" && v["seq"] == seq
}

#[test]
fn one_board_through_the_broker_is_accounted_as_the_producer_sent_it() {
    let broker = Broker::start();
    let consumer = Consumer::start(&broker.url("farm/a"), &[]);
    let mut consumer = consumer;
    // The demo's default link: losses, damage, ring drops and a reset, all to be seen as
    // they were, nothing more.
    let args = [
        vec![
            "demo",
            "--count",
            "300",
            "--tick-ms",
            "1",
            "--format",
            "json",
            "--no-time",
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>(),
        publish_args(&broker, "a"),
    ]
    .concat();
    let producer = ph_tap(&args);
    assert!(
        producer.status.success(),
        "{}",
        String::from_utf8_lossy(&producer.stderr)
    );
    let sent = summary(&producer.stdout);
    let last_seq = {
        let text = String::from_utf8_lossy(&producer.stdout);
        let last_value = text
            .lines()
            .rev()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .find(|v| v["type"] == "event")
            .unwrap();
        last_value["seq"].as_u64().unwrap()
    };
    consumer.wait_for("last value", is_value(last_seq));
    let got = consumer.finish();
    for field in [
        "frames",
        "ring_drops",
        "refused",
        "link_losses",
        "corrupt_frames",
        "resets",
        "bytes",
    ] {
        assert_eq!(
            got[field], sent[field],
            "{field}: consumer {got} producer {sent}"
        );
    }
}

/// The fields of a summary that must be the same at both ends.
const ACCOUNTED: [&str; 7] = [
    "frames",
    "ring_drops",
    "refused",
    "link_losses",
    "corrupt_frames",
    "resets",
    "bytes",
];

/// The seq of the last value in a run's JSON output.
fn last_seq(stdout: &[u8]) -> u64 {
    String::from_utf8_lossy(stdout)
        .lines()
        .rev()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["type"] == "event")
        .and_then(|v| v["seq"].as_u64())
        .expect("a value")
}

#[test]
fn two_boards_published_at_once_are_each_accounted_as_their_producer_sent_them() {
    let broker = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let got_save = dir.path().join("got.bin");
    let mut consumer = Consumer::start(
        &broker.url("farm/+"),
        &["--save", got_save.to_str().unwrap()],
    );
    // Each demo with its own lossy link (losses, damage, ring drops, a reset), at once.
    let producers: Vec<_> = [("a", "1", "400"), ("b", "2", "600")]
        .into_iter()
        .map(|(board, seed, count)| {
            let mut args: Vec<String> =
                ["demo", "--count", count, "--seed", seed, "--tick-ms", "1"]
                    .into_iter()
                    .map(String::from)
                    .collect();
            args.extend(["--format", "json", "--no-time"].map(String::from));
            args.extend(publish_args(&broker, board));
            let saved = dir.path().join(format!("sent-{board}.bin"));
            args.extend(["--save".into(), saved.display().to_string()]);
            std::thread::spawn(move || (board, ph_tap(&args)))
        })
        .collect();
    let mut sent = Vec::new();
    for producer in producers {
        let (board, out) = producer.join().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        sent.push((board, summary(&out.stdout), last_seq(&out.stdout)));
    }
    for (board, _, last) in &sent {
        let board = *board;
        let last = *last;
        consumer.wait_for(&format!("board {board}'s last value"), move |v| {
            v["board"] == board && v["type"] == "event" && v["seq"] == last
        });
    }
    let got = consumer.finish_all();
    assert_eq!(got.len(), 2, "one summary per board: {got:?}");
    for (board, sent, _) in &sent {
        let summary = got
            .iter()
            .find(|s| s["board"] == *board)
            .unwrap_or_else(|| panic!("no summary of board {board}: {got:?}"));
        for field in ACCOUNTED {
            assert_eq!(
                summary[field], sent[field],
                "board {board}, {field}: consumer {summary} producer {sent}"
            );
        }
        // --save per board: the very bytes the producer's link delivered.
        let sent_bytes = std::fs::read(dir.path().join(format!("sent-{board}.bin"))).unwrap();
        let got_bytes = std::fs::read(dir.path().join(format!("got-{board}.bin"))).unwrap();
        assert!(
            got_bytes == sent_bytes,
            "board {board}: --save differs from what was sent"
        );
    }
}

/// `ph-tap attach --boards` of two local boards (the tests' GDB servers) with `--publish`:
/// each board publishes under its own name, and one `attach --mqtt PREFIX/+` sees both, each
/// value once and in order, each board's accounting its own.
#[cfg(unix)]
#[test]
fn a_farm_of_local_boards_publishes_each_under_its_own_name() {
    use common::gdb_server::GdbServer;
    use common::{rtt_elf, wire_frames};

    let broker = Broker::start();
    let mut consumer = Consumer::start(&broker.url("farm/+"), &["--value-as", "u32"]);
    let (a_stream, a_ends) = wire_frames(200, |seq| seq * 3);
    let (b_stream, b_ends) = wire_frames(300, |seq| seq + 1000);
    let a = GdbServer::start(a_stream, a_ends, 3);
    let b = GdbServer::start(b_stream, b_ends, 3);
    let elf = rtt_elf::elf_file();
    let dir = tempfile::tempdir().unwrap();
    let boards = common::boards_file(dir.path(), &[("a", &a.addr), ("b", &b.addr)], elf.path());
    let mut producer = Command::new(PH_TAP)
        .args(["attach", "--boards"])
        .arg(&boards)
        .args(["--format", "json", "--no-status", "--color", "never"])
        .args(["--publish", &broker.url("farm")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ph-tap attach --boards");
    let last = |board: &'static str, seq: u64| {
        move |v: &Value| v["board"] == board && v["type"] == "event" && v["seq"] == seq
    };
    consumer.wait_for("board a's last value", last("a", 200));
    let seen_b = consumer
        .seen
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .any(|v| last("b", 300)(&v));
    if !seen_b {
        consumer.wait_for("board b's last value", last("b", 300));
    }
    // Both targets wrote everything; the producer ends as Ctrl-C ends it.
    assert_eq!(
        (a.stats().frames_written, b.stats().frames_written),
        (200, 300)
    );
    let kill = Command::new("kill")
        .args(["-INT", &producer.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let mut err = String::new();
    producer
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(producer.wait().unwrap().success(), "{err}");
    let values: Vec<Value> = consumer
        .seen
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["type"] == "event")
        .collect();
    for (board, count, value) in [
        ("a", 200u64, &(|s: u64| s * 3) as &dyn Fn(u64) -> u64),
        ("b", 300, &|s: u64| s + 1000),
    ] {
        let got: Vec<(u64, u64)> = values
            .iter()
            .filter(|v| v["board"] == board)
            .map(|v| (v["seq"].as_u64().unwrap(), v["value"].as_u64().unwrap()))
            .collect();
        let sent: Vec<(u64, u64)> = (1..=count).map(|s| (s, value(s))).collect();
        assert_eq!(got, sent, "board {board}");
    }
    let summaries = consumer.finish_all();
    for (board, frames) in [("a", 200), ("b", 300)] {
        let summary = summaries
            .iter()
            .find(|s| s["board"] == board)
            .unwrap_or_else(|| panic!("no summary of board {board}: {summaries:?}"));
        assert_eq!(summary["frames"], frames, "{summary}");
        assert_eq!(summary["link_losses"], 0, "{summary}");
        assert_eq!(summary["corrupt_frames"], 0, "{summary}");
    }
}

/// `mosquitto_sub` on `topic` at QoS 1 (with `extra` arguments), subscribed: each message a
/// line on the receiver. Killed when the first part is dropped.
fn mosquitto_sub(broker: &Broker, topic: &str, extra: &[&str]) -> (Killed, Receiver<String>) {
    let sub = Command::new("mosquitto_sub")
        .args(["-h", "127.0.0.1", "-p", &broker.port.to_string()])
        .args(["-t", topic, "-q", "1"])
        .args(extra)
        .stdout(Stdio::piped())
        .spawn()
        .expect("run mosquitto_sub (scripts/setup installs mosquitto-clients)");
    let mut sub = Killed(sub);
    let stdout = sub.0.stdout.take().unwrap();
    let (sender, messages) = channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = sender.send(line);
        }
    });
    // mosquitto_sub has no "subscribed" line: wait until the broker lists its subscription.
    wait_until("mosquitto_sub subscribed", || {
        broker.log().contains(&format!(" {topic}"))
    });
    (sub, messages)
}

#[test]
fn wire_messages_are_whole_frames_in_order() {
    let broker = Broker::start();
    let (sub, messages) = mosquitto_sub(&broker, "farm/a/wire", &["-F", "%x"]);
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("sent.bin");
    let args = [
        clean_demo(500, 0),
        publish_args(&broker, "a"),
        vec!["--save".into(), saved.display().to_string()],
    ]
    .concat();
    let producer = ph_tap(&args);
    assert!(
        producer.status.success(),
        "{}",
        String::from_utf8_lossy(&producer.stderr)
    );
    let sent = std::fs::read(&saved).unwrap();
    let mut got = Vec::new();
    let mut count = 0;
    while got.len() < sent.len() {
        let hex = messages
            .recv_timeout(TIMEOUT)
            .unwrap_or_else(|_| panic!("{} of {} bytes came", got.len(), sent.len()));
        let message = unhex(&hex);
        assert_eq!(
            message.last(),
            Some(&0),
            "message {count} ends at a frame delimiter"
        );
        assert!(
            message.len() <= ph_tap::mqtt::MAX_MESSAGE,
            "message {count}: {} bytes",
            message.len()
        );
        got.extend(message);
        count += 1;
    }
    drop(sub);
    assert_eq!(got, sent, "every byte the demo sent, in order");
}

#[test]
fn publish_records_sends_each_record_as_its_json_line() {
    let broker = Broker::start();
    let (sub, messages) = mosquitto_sub(&broker, "farm/a/records", &[]);
    // The demo's lossy default link: values, hellos, losses and corrupt frames.
    let mut args: Vec<String> = [
        "demo",
        "--count",
        "200",
        "--tick-ms",
        "0",
        "--format",
        "json",
        "--no-time",
    ]
    .map(String::from)
    .to_vec();
    args.extend(publish_args(&broker, "a"));
    args.push("--publish-records".into());
    let producer = ph_tap(&args);
    assert!(
        producer.status.success(),
        "{}",
        String::from_utf8_lossy(&producer.stderr)
    );
    let text = String::from_utf8(producer.stdout).unwrap();
    // Every line the demo wrote but its summary.
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.contains(r#""type":"summary""#))
        .collect();
    assert!(
        lines.iter().any(|l| l.contains(r#""type":"link_loss""#)),
        "{text}"
    );
    for (i, line) in lines.iter().enumerate() {
        let got = messages
            .recv_timeout(TIMEOUT)
            .unwrap_or_else(|_| panic!("record {i} of {} never came", lines.len()));
        assert_eq!(&got, line, "record {i}");
    }
    drop(sub);
}

#[test]
fn a_broker_restarted_mid_stream_loses_exactly_what_overflowed_the_buffer() {
    let mut broker = Broker::start();
    let mut consumer = Consumer::start(&broker.url("farm/a"), &[]);
    let count = 1500;
    let args = [
        clean_demo(count, 2),
        publish_args(&broker, "a"),
        vec!["--publish-buffer".into(), "600".into()],
    ]
    .concat();
    let producer = spawn_ph_tap(&args);
    // Some values through, then the broker away for a while, then back.
    consumer.wait_for("value 100", is_value(100));
    broker.stop();
    std::thread::sleep(Duration::from_millis(800));
    broker.run();
    let (sent, stderr) = finished(producer);
    assert_eq!(sent["frames"], count, "the demo sent every value: {sent}");
    // `N frames (M bytes, K values) of board a not published: ...`
    let warning = stderr
        .lines()
        .find(|l| l.contains("of board a not published"))
        .unwrap_or_else(|| panic!("no warning of what was not published: {stderr}"));
    assert!(
        warning.ends_with(
            "of board a not published: the broker was away and the buffer (--publish-buffer) full"
        ),
        "{warning}"
    );
    assert!(
        !stderr.contains("lost: the broker came back without"),
        "{stderr}"
    );
    let dropped: u64 = warning
        .split(" bytes, ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no value count in: {warning}"));
    assert!(
        dropped > 0,
        "the buffer overflowed while the broker was away: {stderr}"
    );
    assert_eq!(
        stderr.matches("gone:").count(),
        1,
        "broker lost said once: {stderr}"
    );
    assert_eq!(
        stderr.matches(" back after ").count(),
        1,
        "broker back said once: {stderr}"
    );
    consumer.wait_for("the last value", is_value(count.into()));
    let got = consumer.finish();
    assert_eq!(
        got["link_losses"], dropped,
        "consumer {got}; producer: {stderr}"
    );
    // The consumer's board saw the broker go and come back, as a probe's unplug is seen.
    assert_eq!(got["reconnects"], 1, "consumer {got}");
    // Every value is accounted: decoded, or lost with the messages dropped, or (a compact
    // frame just after such a gap that the wire format cannot place, WIRE.md 7.2) unplaced.
    let (frames, unplaced) = (
        got["frames"].as_u64().unwrap(),
        got["unplaced"].as_u64().unwrap(),
    );
    assert_eq!(frames + unplaced + dropped, u64::from(count), "{got}");
    assert!(unplaced <= 2, "{got}");
    for field in ["corrupt_frames", "resets", "ring_drops"] {
        assert_eq!(got[field], 0, "{field}: {got}");
    }
}

/// `ph-tap demo --publish` through an [`AckProxy`] to the broker, `attach --mqtt` straight to
/// it; once values flow, the proxy holds back what the broker answers for a while, then cuts
/// the publisher's connection. The broker and the consumer stay up; the publisher connects
/// again and sends once more what it was never told had arrived. Returns what the producer
/// said it sent, its stderr, and the consumer's summary.
fn publisher_reconnect(extra: &[&str]) -> (Value, String, Value) {
    let broker = Broker::start();
    let proxy = AckProxy::start(format!("127.0.0.1:{}", broker.port).parse().unwrap());
    let mut consumer = Consumer::start(&broker.url("farm/a"), &[]);
    let count = 1500;
    let url = format!("mqtt://{}/farm", proxy.addr());
    let args = [
        clean_demo(count, 2),
        ["--publish", &url, "--board", "a"]
            .map(String::from)
            .to_vec(),
        extra.iter().map(|s| s.to_string()).collect(),
    ]
    .concat();
    let producer = spawn_ph_tap(&args);
    consumer.wait_for("value 100", is_value(100));
    proxy.hold();
    std::thread::sleep(Duration::from_millis(400));
    proxy.cut();
    let (sent, stderr) = finished(producer);
    assert_eq!(stderr.matches("gone:").count(), 1, "{stderr}");
    assert_eq!(stderr.matches(" back after ").count(), 1, "{stderr}");
    consumer.wait_for("the last value", is_value(count.into()));
    (sent, stderr, consumer.finish())
}

#[test]
fn a_publisher_reconnecting_to_a_broker_that_stayed_up_delivers_each_message_once() {
    // QoS 2 (the default): the broker knows the messages it was sent again.
    let (sent, stderr, got) = publisher_reconnect(&[]);
    for field in ACCOUNTED {
        assert_eq!(
            got[field], sent[field],
            "{field}: consumer {got} producer {sent}; producer: {stderr}"
        );
    }
}

#[test]
fn with_qos_1_a_publisher_reconnect_delivers_again_what_was_not_acknowledged() {
    // What the QoS 2 default is for: at QoS 1 the broker takes the messages sent again as new
    // ones, and the consumer reads the old sequence numbers a second time.
    let (sent, stderr, got) = publisher_reconnect(&["--publish-qos", "1"]);
    assert!(
        got["frames"].as_u64().unwrap() > sent["frames"].as_u64().unwrap()
            || got["resets"].as_u64().unwrap() > 0,
        "no message delivered twice: consumer {got} producer {sent}; producer: {stderr}"
    );
}

#[test]
fn garbage_on_a_boards_topic_is_corrupt_frames_not_a_crash() {
    let broker = Broker::start();
    let mut consumer = Consumer::start(&broker.url("farm/a"), &[]);
    let garbage = broker.file("garbage.bin");
    let mut bytes: Vec<u8> = b"not ph-eventing at all\0".to_vec();
    bytes.extend((0..=255u8).rev());
    bytes.extend([0xff; 300]);
    bytes.push(0);
    std::fs::write(&garbage, &bytes).unwrap();
    let pubd = Command::new("mosquitto_pub")
        .args(["-h", "127.0.0.1", "-p", &broker.port.to_string(), "-q", "1"])
        .args(["-t", "farm/a/wire", "-f"])
        .arg(&garbage)
        .status()
        .expect("run mosquitto_pub (scripts/setup installs mosquitto-clients)");
    assert!(pubd.success());
    consumer.wait_for("a corrupt frame", |v| v["type"] == "corrupt_frame");
    let producer = ph_tap(&[clean_demo(100, 0), publish_args(&broker, "a")].concat());
    assert!(
        producer.status.success(),
        "{}",
        String::from_utf8_lossy(&producer.stderr)
    );
    consumer.wait_for("the last value", is_value(100));
    let got = consumer.finish();
    assert_eq!(got["frames"], 100, "every value still decoded: {got}");
    assert!(got["corrupt_frames"].as_u64().unwrap() >= 2, "{got}");
}

#[test]
fn a_wrong_password_is_one_line_saying_what_to_fix() {
    let dir = tempfile::tempdir().unwrap();
    let passwords = dir.path().join("passwords");
    let made = Command::new("mosquitto_passwd")
        .args(["-b", "-c"])
        .arg(&passwords)
        .args(["ann", "right"])
        .status()
        .expect("run mosquitto_passwd");
    assert!(made.success());
    let broker = Broker::in_dir(
        dir,
        "allow_anonymous false\npassword_file {dir}/passwords\n",
    );
    let url = |login: &str| format!("mqtt://{login}127.0.0.1:{}/farm", broker.port);
    let run = |login: &str| {
        let args = [
            clean_demo(20, 0),
            vec!["--publish".into(), url(login), "--board".into(), "a".into()],
        ]
        .concat();
        ph_tap(&args)
    };
    let wrong = run("ann:wrong@");
    assert!(!wrong.status.success());
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains("refused") && stderr.contains("check USER:PASS in the URL"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("wrong"),
        "the password is never shown: {stderr}"
    );
    let anonymous = run("");
    let stderr = String::from_utf8_lossy(&anonymous.stderr);
    assert!(stderr.contains("give USER:PASS in the URL"), "{stderr}");
    let right = run("ann:right@");
    assert!(
        right.status.success(),
        "{}",
        String::from_utf8_lossy(&right.stderr)
    );
}

#[test]
fn tls_works_with_the_ca_and_without_it_says_to_give_it() {
    let dir = tempfile::tempdir().unwrap();
    make_certificates(dir.path());
    // A second listener whose certificate is for another name.
    let other_port = common::free_port();
    let broker = Broker::in_dir(
        dir,
        &format!(
            "allow_anonymous true\ncafile {{dir}}/ca.pem\ncertfile {{dir}}/server.pem\nkeyfile {{dir}}/server.key\nlistener {other_port} 127.0.0.1\ncafile {{dir}}/ca.pem\ncertfile {{dir}}/other.pem\nkeyfile {{dir}}/server.key\n"
        ),
    );
    wait_until("the second listener", || {
        std::net::TcpStream::connect(("127.0.0.1", other_port)).is_ok()
    });
    let ca = broker.file("ca.pem");
    let url = format!("mqtts://127.0.0.1:{}/farm", broker.port);
    let run = |extra: &[&str]| {
        let mut args = clean_demo(50, 0);
        args.extend([
            "--publish".into(),
            url.clone(),
            "--board".into(),
            "a".into(),
        ]);
        args.extend(extra.iter().map(|s| s.to_string()));
        ph_tap(&args)
    };
    let with_ca = run(&["--ca", ca.to_str().unwrap()]);
    assert!(
        with_ca.status.success(),
        "{}",
        String::from_utf8_lossy(&with_ca.stderr)
    );
    assert!(!String::from_utf8_lossy(&with_ca.stderr).contains("warning"));
    let without = run(&[]);
    assert!(!without.status.success());
    let stderr = String::from_utf8_lossy(&without.stderr);
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains("is not trusted: give the broker's CA with --ca FILE"),
        "{stderr}"
    );
    // A certificate for another name.
    let mut args = clean_demo(5, 0);
    args.extend([
        "--publish".into(),
        format!("mqtts://127.0.0.1:{other_port}/farm"),
        "--ca".into(),
        ca.display().to_string(),
    ]);
    let mismatch = ph_tap(&args);
    assert!(!mismatch.status.success());
    let stderr = String::from_utf8_lossy(&mismatch.stderr);
    assert!(
        stderr.contains(
            "is not for '127.0.0.1': connect by the name (or address) in its certificate"
        ),
        "{stderr}"
    );
    // Plain MQTT to the TLS port.
    let plain = ph_tap(
        &[
            clean_demo(5, 0),
            vec![
                "--publish".into(),
                format!("mqtt://127.0.0.1:{}/farm", broker.port),
            ],
        ]
        .concat(),
    );
    assert!(!plain.status.success());
    // Subscribing over TLS too.
    let mut consumer = Consumer::start(&format!("{url}/b"), &["--ca", ca.to_str().unwrap()]);
    let producer = {
        let mut args = clean_demo(30, 0);
        args.extend([
            "--publish".into(),
            url.clone(),
            "--board".into(),
            "b".into(),
            "--ca".into(),
            ca.display().to_string(),
        ]);
        ph_tap(&args)
    };
    assert!(producer.status.success());
    consumer.wait_for("the last value", is_value(30));
    assert_eq!(consumer.finish()["frames"], 30);
}

/// A test CA and a server certificate for 127.0.0.1 signed by it, in `dir` (`ca.pem`,
/// `server.pem`, `server.key`; `other.pem`, the same key certified for `elsewhere.test`
/// only), made with the openssl CLI.
fn make_certificates(dir: &Path) {
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("run openssl (scripts/setup installs it)");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=ph-tap test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(dir.join("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n").unwrap();
    // The server's key certified by the CA, with the extensions in `ext`, into `out`.
    let sign = |out: &str, ext: &str| {
        openssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            out,
            "-days",
            "2",
            "-extfile",
            ext,
        ]);
    };
    sign("server.pem", "ext.cnf");
    // The same key, certified for another name only.
    std::fs::write(
        dir.join("other.cnf"),
        "subjectAltName=DNS:elsewhere.test\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    sign("other.pem", "other.cnf");
}

/// A child process killed when the test ends, passed or not.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + TIMEOUT;
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within {TIMEOUT:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
}
