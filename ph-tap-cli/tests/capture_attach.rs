//! `ph-tap attach --save` end to end on two RTT channels: the GDB server of the tests
//! (`common::gdb_server`) plays a target writing telemetry frames to up channel 0
//! (`ph-eventing`) and log lines to up channel 1 (`defmt`, shown as text), `ph-tap attach
//! --gdb` reads both through probe-rs and saves a capture, and `ph-tap decode` of that capture
//! prints exactly what the live run printed: the same records, the same times, the same
//! summary.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::gdb_server::GdbServer;
use common::rtt_elf;
use common::wire_frames;
use ph_tap::capture::{CaptureReader, Entry};
use ph_tap::channel::{Channel, ChannelKind};

/// The summary at the end of stderr.
fn summary(stderr: &str) -> &str {
    &stderr[stderr.find("--- ph-tap summary ---").expect("a summary")..]
}

#[cfg(unix)]
#[test]
fn attach_save_of_two_channels_replays_to_what_the_live_run_printed() {
    const COUNT: u32 = 400;
    let (stream, ends) = wire_frames(COUNT, |seq| seq.wrapping_mul(7));
    let logs: Vec<u8> = (0..40)
        .flat_map(|k| format!("[INFO] cycle {k}\n").into_bytes())
        .collect();
    let server = GdbServer::start_with_logs(stream.clone(), ends, 2, logs.clone());
    let elf = rtt_elf::elf_file();
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("run.cap");
    let output = ["--format", "json", "--no-status", "--color", "never"];

    let mut child = Command::new(assert_cmd::cargo::cargo_bin("ph-tap"))
        .args([
            "attach",
            "--gdb",
            &server.addr,
            "--chip",
            "nRF52840",
            "--elf",
        ])
        .arg(elf.path())
        .args(["--show-channel", "defmt", "--save"])
        .arg(&saved)
        .args(output)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Until the last frame is shown, then Ctrl-C.
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut live = String::new();
    let last = format!("\"seq\":{COUNT},");
    while !live.lines().any(|l| l.contains(&last)) {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "ph-tap ended early: {live}"
        );
        live.push_str(&line);
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    // The rest of stdout: what was decoded after the last frame, and the summary.
    stdout.read_to_string(&mut live).unwrap();
    let out = child.wait_with_output().unwrap();
    let live_err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{live_err}");
    assert!(
        live_err.starts_with(
            "attached: RTT control block at 0x20000040, up channels 0 'ph-eventing', 1 'defmt'"
        ),
        "{live_err}"
    );

    // The capture: both channels, as announced, each byte-exact, their chunks interleaved.
    let bytes = std::fs::read(&saved).unwrap();
    let mut reader = CaptureReader::new(&bytes[..], "run.cap").unwrap();
    let entries: Vec<Entry> = std::iter::from_fn(|| reader.read_entry().unwrap()).collect();
    let declared: Vec<&Channel> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Channel(c) => Some(c),
            _ => None,
        })
        .collect();
    assert_eq!(
        declared,
        [
            &Channel {
                id: 0,
                name: Some("ph-eventing".into()),
                kind: ChannelKind::PhEventing
            },
            &Channel {
                id: 1,
                name: Some("defmt".into()),
                kind: ChannelKind::Text
            },
        ]
    );
    let of = |channel: usize| -> Vec<u8> {
        entries
            .iter()
            .filter_map(|e| match e {
                Entry::Chunk {
                    channel: c, data, ..
                } if *c == channel => Some(data.clone()),
                _ => None,
            })
            .flatten()
            .collect()
    };
    assert_eq!(of(0), stream, "telemetry, byte-exact");
    assert_eq!(of(1), logs, "logs, byte-exact");
    let order: Vec<usize> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Chunk { channel, .. } => Some(*channel),
            _ => None,
        })
        .collect();
    assert!(
        order.windows(2).any(|w| w == [1, 0]) && order.windows(2).any(|w| w == [0, 1]),
        "the channels' chunks interleave: {order:?}"
    );
    assert!(matches!(entries.last(), Some(Entry::End { .. })));

    // The replay prints what the live run printed, times and summary included.
    let replay = assert_cmd::Command::cargo_bin("ph-tap")
        .unwrap()
        .arg("decode")
        .arg(&saved)
        .args(output)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let replay_err = String::from_utf8(replay.stderr).unwrap();
    assert!(replay.status.success(), "{replay_err}");
    let replayed = String::from_utf8(replay.stdout).unwrap();
    let differ = replayed
        .lines()
        .zip(live.lines())
        .position(|(r, l)| r != l)
        .map(|k| (k, replayed.lines().nth(k), live.lines().nth(k)));
    assert_eq!(
        differ, None,
        "the first line the replay and the live run differ in"
    );
    assert_eq!(replayed.lines().count(), live.lines().count());
    assert_eq!(replayed, live);
    assert_eq!(summary(&replay_err), summary(&live_err));
    assert!(
        live.lines()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
    );
    assert!(
        live.contains(r#""type":"event","channel":0,"seq":1,"#),
        "{live}"
    );
    assert!(live.contains(r#""duration_s":"#), "{live}");
}
