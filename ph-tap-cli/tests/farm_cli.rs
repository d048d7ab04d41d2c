//! `ph-tap attach` on several boards at once, end to end through the real binary: two GDB
//! servers of the tests (`common::gdb_server`) play two targets, a `--boards` file names them,
//! and every record, summary record and summary row says which board it is of, each board
//! counted apart; one server killed mid-run leaves the other board going to its end; the
//! `--boards` mistakes are one line each, before anything is touched.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::gdb_server::GdbServer;
use common::{boards_file, rtt_elf, wire_frames};
use ph_tap::capture::{CaptureReader, Entry};
use serde_json::Value;

fn ph_tap() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin("ph-tap"))
}

fn attach(boards: &Path, extra: &[&str]) -> Child {
    ph_tap()
        .args(["attach", "--boards"])
        .arg(boards)
        .args(["--format", "json", "--no-status", "--color", "never"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Reads stdout lines until `done` says so (panics if ph-tap ends first), then Ctrl-C, and
/// returns all of stdout and stderr, checking exit code `code`.
fn until(mut child: Child, done: impl Fn(&[Value]) -> bool, code: i32) -> (Vec<Value>, String) {
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut text = String::new();
    let mut records = Vec::new();
    while !done(&records) {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap() == 0 {
            let _ = child.kill();
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            panic!("ph-tap ended early: {text}\n{err}");
        }
        records.push(parse(&line));
        text.push_str(&line);
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    records.extend(rest.lines().map(parse));
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(code), "{err}");
    (records, err)
}

/// One JSON line, whole: a line of one board cut by a line of another would not parse.
fn parse(line: &str) -> Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not one JSON record ({e}): {line:?}"))
}

/// The sequence numbers of each board's values, in order.
fn seqs(records: &[Value]) -> BTreeMap<String, Vec<u64>> {
    let mut of: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for r in records.iter().filter(|r| r["type"] == "event") {
        let board = r["board"].as_str().expect("every record says its board");
        of.entry(board.to_owned())
            .or_default()
            .push(r["seq"].as_u64().unwrap());
    }
    of
}

/// The summary table's row of `board`, as its cells.
fn row<'a>(stderr: &'a str, board: &str) -> Vec<&'a str> {
    let table = &stderr[stderr
        .find("--- ph-tap summary: ")
        .expect("a summary table")..];
    let line = table
        .lines()
        .find(|l| l.split_whitespace().next() == Some(board))
        .unwrap_or_else(|| panic!("no row for {board}: {table}"));
    line.split_whitespace().collect()
}

#[cfg(unix)]
#[test]
fn two_boards_are_tagged_and_counted_apart() {
    let (a_stream, a_ends) = wire_frames(300, |seq| seq * 3);
    let (b_stream, b_ends) = wire_frames(500, |seq| seq + 1000);
    let a = GdbServer::start(a_stream.clone(), a_ends, 3);
    let b = GdbServer::start(b_stream.clone(), b_ends, 3);
    let elf = rtt_elf::elf_file();
    let dir = tempfile::tempdir().unwrap();
    let boards = boards_file(dir.path(), &[("a", &a.addr), ("b", &b.addr)], elf.path());
    let saved = dir.path().join("run.bin");
    let child = attach(
        &boards,
        &["--value-as", "u32", "--save", saved.to_str().unwrap()],
    );
    let (records, err) = until(
        child,
        |records| {
            let s = seqs(records);
            s.get("a").and_then(|v| v.last()) == Some(&300)
                && s.get("b").and_then(|v| v.last()) == Some(&500)
        },
        0,
    );
    let s = seqs(&records);
    assert_eq!(s["a"], (1..=300).collect::<Vec<u64>>());
    assert_eq!(s["b"], (1..=500).collect::<Vec<u64>>());
    let a_values: Vec<u64> = records
        .iter()
        .filter(|r| r["board"] == "a" && r["type"] == "event")
        .map(|r| r["value"].as_u64().unwrap())
        .collect();
    assert_eq!(a_values, (1..=300).map(|s| s * 3).collect::<Vec<u64>>());
    assert!(
        records
            .iter()
            .all(|r| r.as_object().unwrap().keys().next().unwrap() == "board")
    );
    // One summary record per board, its own counts.
    for (board, frames) in [("a", 300), ("b", 500)] {
        let summary: Vec<&Value> = records
            .iter()
            .filter(|r| r["type"] == "summary" && r["board"] == board)
            .collect();
        assert_eq!(summary.len(), 1, "{board}");
        assert_eq!(summary[0]["frames"], frames);
        assert_eq!(summary[0]["link_losses"], 0);
        assert_eq!(summary[0]["ring_drops"], 0);
        let cells = row(&err, board);
        assert_eq!(cells[1], frames.to_string(), "{err}");
        assert_eq!(cells.last(), Some(&"stopped"), "{err}");
    }
    assert_eq!(a.stats().frames_written, 300);
    assert_eq!(b.stats().frames_written, 500);
    assert!(
        err.contains("[a] attached: RTT control block at 0x20000040"),
        "{err}"
    );
    assert!(
        err.contains("[b] attached: RTT control block at 0x20000040"),
        "{err}"
    );
    // --save: one file per board (a capture: the ELF has a `defmt` channel too), its
    // telemetry byte-exact.
    for (board, stream) in [("a", &a_stream), ("b", &b_stream)] {
        let bytes = std::fs::read(dir.path().join(format!("run-{board}.bin"))).unwrap();
        let mut reader = CaptureReader::new(&bytes[..], "run.bin").unwrap();
        let mut telemetry = Vec::new();
        while let Some(entry) = reader.read_entry().unwrap() {
            if let Entry::Chunk {
                channel: 0, data, ..
            } = entry
            {
                telemetry.extend(data);
            }
        }
        assert!(
            &telemetry == stream,
            "board {board}'s --save file holds its stream"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_board_whose_server_dies_leaves_the_other_going() {
    let (a_stream, a_ends) = wire_frames(5000, |seq| seq);
    let (b_stream, b_ends) = wire_frames(600, |seq| seq);
    let a = GdbServer::start(a_stream, a_ends, 1);
    let b = GdbServer::start(b_stream, b_ends, 1);
    let elf = rtt_elf::elf_file();
    let dir = tempfile::tempdir().unwrap();
    let boards = boards_file(dir.path(), &[("a", &a.addr), ("b", &b.addr)], elf.path());
    let mut child = attach(&boards, &[]);
    // A few of a's values, then its server is killed.
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut before = Vec::new();
    while seqs(&before).get("a").map_or(0, Vec::len) < 20 {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "ph-tap ended early"
        );
        before.push(parse(&line));
    }
    a.stop();
    // Put stdout back for `until`, which reads on to b's end.
    let (rest_tx, rest_rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in stdout.lines() {
            if rest_tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let mut after = Vec::new();
    while seqs(&after).get("b").and_then(|v| v.last()) != Some(&600) {
        let line = rest_rx
            .recv_timeout(Duration::from_secs(60))
            .expect("board b goes on to its end");
        after.push(parse(&line));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    while let Ok(line) = rest_rx.recv_timeout(Duration::from_secs(30)) {
        after.push(parse(&line));
    }
    reader.join().unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("[a] GDB server gone: waiting for it to come back"),
        "{err}"
    );
    let all: Vec<Value> = before.into_iter().chain(after).collect();
    let s = seqs(&all);
    assert_eq!(s["b"], (1..=600).collect::<Vec<u64>>(), "b, every value");
    let a_seen = s["a"].len() as u64;
    assert!(a_seen < 5000, "a stopped early");
    assert_eq!(s["a"], (1..=a_seen).collect::<Vec<u64>>());
    let a_lost = all
        .iter()
        .find(|r| r["board"] == "a" && r["type"] == "source_lost");
    assert!(
        a_lost.is_some(),
        "a's source event is a record of a: {all:?}"
    );
    assert_eq!(row(&err, "b")[1], "600", "{err}");
    assert_eq!(row(&err, "a")[1], a_seen.to_string(), "{err}");
    assert!(err.contains("stopped (gone at the end)"), "{err}");
}

/// Runs ph-tap with `args`, which must fail with exactly one line, `error: ...`; returns it.
fn fails(args: &[&str]) -> String {
    let out = ph_tap().args(args).stdin(Stdio::null()).output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "not one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(out.stdout.is_empty());
    err.trim_end().to_owned()
}

#[test]
fn boards_file_mistakes_are_one_line_each_before_anything_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    // Nobody listens there: an error about the file, not the connection, shows nothing was
    // touched.
    let addr = format!("127.0.0.1:{}", common::free_port());
    let file = dir.path().join("boards.toml");
    let path = file.to_str().unwrap();
    let entry = |name: &str, extra: &str| {
        format!("[[board]]\nname = \"{name}\"\nchip = \"nRF52840\"\ngdb = \"{addr}\"\n{extra}\n")
    };
    let cases = [
        (
            format!("{}{}", entry("a", ""), entry("a", "")),
            "board a: the name is used by boards 1 and 2: give each board its own name",
        ),
        (
            entry("left/right", ""),
            "board left/right: board name \"left/right\" has '/', '+' or '#' (MQTT topic characters)",
        ),
        (
            entry("a", "chp = \"x\""),
            "board a: unknown key `chp`, expected one of",
        ),
        (
            format!(
                "{}{}",
                entry("a", ""),
                entry("b", "").replace("nRF52840", "nRF99")
            ),
            "board b: unknown chip 'nRF99'",
        ),
    ];
    for (text, want) in cases {
        std::fs::write(&file, text).unwrap();
        let err = fails(&["attach", "--boards", path]);
        assert!(err.starts_with(&format!("error: {path}: {want}")), "{err}");
    }
    let missing = dir.path().join("nope.toml");
    let err = fails(&["attach", "--boards", missing.to_str().unwrap()]);
    assert!(
        err.starts_with(&format!(
            "error: cannot read the --boards file {}: check the path",
            missing.display()
        )),
        "{err}"
    );
    std::fs::write(&file, entry("a", "")).unwrap();
    assert_eq!(
        fails(&["attach", "--boards", path, "--tui"]),
        "error: --tui shows one board: pick one (a --boards file of one [[board]], or a single --probe)"
    );
    assert_eq!(
        fails(&["attach", "--boards", path, "--speed", "4000"]),
        format!("error: --boards {path}: give --speed in each [[board]] instead")
    );
}

#[test]
fn all_probes_without_a_probe_is_one_line() {
    if !ph_tap::probe::list_probes().is_empty() {
        eprintln!("skipped: a debug probe is connected");
        return;
    }
    let err = fails(&["attach", "--all-probes", "--chip", "nRF52840"]);
    assert!(
        err.starts_with(
            "error: --all-probes found no debug probe: plug them in (check with `ph-tap list`)"
        ),
        "{err}"
    );
}

#[test]
fn board_names_a_single_board_run() {
    let run = |format: &str| {
        let out = ph_tap()
            .args([
                "demo",
                "--board",
                "bench-1",
                "--count",
                "30",
                "--tick-ms",
                "0",
            ])
            .args([
                "--no-time",
                "--no-status",
                "--color",
                "never",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let json = run("json");
    let records: Vec<Value> = json.lines().map(parse).collect();
    assert!(records.len() > 30);
    for r in &records {
        assert_eq!(
            r.as_object().unwrap().keys().next().unwrap(),
            "board",
            "{r}"
        );
        assert_eq!(r["board"], "bench-1");
    }
    assert_eq!(records.last().unwrap()["type"], "summary");
    let human = run("human");
    assert!(
        human.lines().all(|l| l.starts_with("[bench-1] ")),
        "{human}"
    );

    let out = ph_tap().args(["demo", "--board", "a b"]).output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("board name \"a b\" has whitespace"), "{err}");
}

#[test]
fn attach_help_lists_the_farm_options() {
    let out = ph_tap().args(["attach", "--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--boards <FILE>",
        "--all-probes",
        "--board <NAME>",
        "run-NAME.bin",
    ] {
        assert!(help.contains(flag), "{flag}: {help}");
    }
}

#[cfg(unix)]
#[test]
fn a_board_that_cannot_be_attached_leaves_the_others_going() {
    let (stream, ends) = wire_frames(100, |seq| seq);
    let b = GdbServer::start(stream, ends, 4);
    let nobody = format!("127.0.0.1:{}", common::free_port());
    let elf = rtt_elf::elf_file();
    let dir = tempfile::tempdir().unwrap();
    let boards = boards_file(dir.path(), &[("a", &nobody), ("b", &b.addr)], elf.path());
    let child = attach(&boards, &[]);
    let (records, err) = until(
        child,
        |records| seqs(records).get("b").and_then(|v| v.last()) == Some(&100),
        1,
    );
    assert_eq!(seqs(&records)["b"].len(), 100);
    assert!(
        err.contains(&format!(
            "[a] cannot attach, the other boards go on: cannot connect to the GDB server at {nobody}"
        )),
        "{err}"
    );
    assert_eq!(row(&err, "a")[10], "failed:", "{err}");
    assert_eq!(row(&err, "b")[1], "100", "{err}");
    assert_eq!(
        err.lines().last(),
        Some("error: 1 of 2 boards failed: see each board's line above"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn csv_of_two_boards_has_one_header_and_a_board_column() {
    let (a_stream, a_ends) = wire_frames(40, |seq| seq);
    let (b_stream, b_ends) = wire_frames(60, |seq| seq);
    let a = GdbServer::start(a_stream, a_ends, 4);
    let b = GdbServer::start(b_stream, b_ends, 4);
    let elf = rtt_elf::elf_file();
    let dir = tempfile::tempdir().unwrap();
    let boards = boards_file(dir.path(), &[("a", &a.addr), ("b", &b.addr)], elf.path());
    let mut child = ph_tap()
        .args(["attach", "--boards"])
        .arg(&boards)
        .args([
            "--format",
            "csv",
            "--no-status",
            "--no-time",
            "--value-as",
            "u32",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut lines: Vec<String> = Vec::new();
    let last = |board: &str, seq: u32| format!("{board},event,0,{seq},{seq},");
    while !(lines.iter().any(|l| l.starts_with(&last("a", 40)))
        && lines.iter().any(|l| l.starts_with(&last("b", 60))))
    {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "ph-tap ended early: {lines:?}"
        );
        lines.push(line.trim_end().to_owned());
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    lines.extend(rest.lines().map(str::to_owned));
    assert!(child.wait().unwrap().success());
    let header = &lines[0];
    assert!(
        header.starts_with("board,type,channel,seq,value,"),
        "{header}"
    );
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("board,")).count(),
        1,
        "one header"
    );
    let columns = header.split(',').count();
    for row in &lines[1..] {
        assert_eq!(row.split(',').count(), columns, "{row}");
    }
    for (board, n) in [("a", 40), ("b", 60)] {
        let events = lines[1..]
            .iter()
            .filter(|l| l.starts_with(&format!("{board},event,")))
            .count();
        assert_eq!(events, n, "board {board}");
    }
}
