//! The RTT firmware's two up channels under QEMU: 0 `defmt` with its log lines, 1 `ph-eventing`
//! with its telemetry, and ph-tap's own defmt decoding of the log lines, end to end. The control
//! block is read through QEMU's monitor (the channels' names, sizes and modes). The log records
//! `ph-tap attach --elf` prints (level, message, target timestamp, source location) are compared
//! line by line with what the firmware's formats give for its own `Summary` items on the
//! telemetry channel, with no undecodable frame and the closing summary's line counts matching.
//! The `panic-after-boot` build's panic is checked as a debugger sees it (the channel buffers
//! read out of QEMU's memory after the panic, decoded by the `ph_tap` library: the defmt ERROR
//! line with the panic message, and the core in its HardFault handler) and as `ph-tap run`
//! reports it (the ERROR record, the backtrace, the fault line and exit status 101).

use std::time::{Duration, Instant};

use object::{Object, ObjectSection};
use ph_tap::channel::{Channel, ChannelKind};
use ph_tap::decode::{DecoderOptions, for_channel};
use ph_tap::record::{Body, Level, LogLine};
use serde_json::{Value, json};

use crate::firmware::{Board, QEMU_TIMEOUT, firmware, firmware_dir};
use crate::gdb::{MPS2_AN386_RTT, Qemu, Tap, assert_accounted, gdb_args, segger_rtt, telemetry_of};
use crate::records::{JSON_OUTPUT, Summary, decode, parse_records, saved_channel};

/// The RTT firmware that panics right after boot (feature `panic-after-boot`).
const MPS2_AN386_RTT_PANIC: Board = Board {
    feature: "mps2-an386,rtt,panic-after-boot",
    triple: "thumbv7em-none-eabihf",
    machine: Some("mps2-an386"),
};

/// The message the `panic-after-boot` firmware panics with.
const PANIC_MESSAGE: &str = "demo panic requested by the panic-after-boot feature";

/// The `panic-after-boot` firmware's line after its boot line (`firmware-demo/src/app.rs`), for
/// the three streams' hellos the link took whole.
const HELLO_SENT: &str =
    "boot hellos sent: 3 of 3 written whole; now panicking, as feature panic-after-boot asks";

/// `(ticks, what happens)` of the demo's phases (`firmware-demo/src/config.rs`), as the
/// firmware's `log_phase` (`firmware-demo/src/app.rs`) says it.
const PHASES: [(u64, &str); 4] = [
    (300, "normal"),
    (300, "slow drain (one read every 4 ticks)"),
    (100, "burst (8 samples per tick)"),
    (200, "normal"),
];

/// The QEMU boards' boot id (`firmware-demo/src/board/qemu_exit.rs`).
const BOOT_ID: u32 = 0x9E11_0001;

/// The RTT control block's id, at its start.
const RTT_ID: &[u8] = b"SEGGER RTT\0";

/// `firmware-demo/src/app.rs`.
fn app_source() -> String {
    std::fs::read_to_string(firmware_dir().join("src/app.rs"))
        .expect("read firmware-demo/src/app.rs")
}

/// The line and column of the `panic!` of the `panic-after-boot` feature in `app_source`.
fn panic_site(source: &str) -> (usize, usize) {
    let call = format!("panic!(\"{PANIC_MESSAGE}\")");
    source
        .lines()
        .enumerate()
        .find_map(|(i, line)| Some((i + 1, line.find(&call)? + 1)))
        .expect("the panic-after-boot panic in app.rs")
}

/// What panic-probe logs (an ERROR line) for the `panic-after-boot` panic: the `PanicInfo`'s
/// `Display`, through `defmt::Display2Format`.
fn panic_line() -> String {
    let (line, column) = panic_site(&app_source());
    format!("panicked at src/app.rs:{line}:{column}:\n{PANIC_MESSAGE}")
}

/// The firmware's boot line on a QEMU board: its version (`firmware-demo/Cargo.toml`), the
/// board, the boot id as `{=u32:#010x}` renders it, and the wire format version.
fn boot_line() -> String {
    let manifest = std::fs::read_to_string(firmware_dir().join("Cargo.toml"))
        .expect("read firmware-demo/Cargo.toml");
    let version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("version = \"")?.strip_suffix('"'))
        .expect("the firmware's version in its Cargo.toml");
    format!(
        "firmware-demo {version} on mps2-an386: boot id {BOOT_ID:#010x}, wire format v{}",
        ph_eventing_wire::frame::FORMAT_VERSION
    )
}

/// A log line the firmware writes in a demo cycle, as defmt renders it.
#[derive(Debug)]
struct Expected {
    /// `INFO`, `WARN`.
    level: &'static str,
    data: String,
    /// The demo cycle it belongs to (1 first).
    cycle: u64,
    /// For a phase's line: how many ticks the phase lasts.
    ticks: Option<u64>,
}

/// The line that starts phase `index` (1-based) of `cycle`.
fn phase_line(cycle: u64, index: usize) -> Expected {
    let (ticks, what) = PHASES[index - 1];
    Expected {
        level: "INFO",
        data: format!(
            "cycle {cycle} phase {index}/{}: {what}, {ticks} ticks",
            PHASES.len()
        ),
        cycle,
        ticks: Some(ticks),
    }
}

/// The lines the firmware logs for the cycles of `summaries` (cumulative since boot): each
/// cycle's phases, its summary (`{}` of the derived `defmt::Format` of `Summary`, whose `u32`
/// fields show as plain numbers) and a warning for each kind of drop it had; then the phases of
/// the cycle after the last summary, which the firmware logs before it has counted anything.
fn expected_lines(summaries: &[Summary]) -> Vec<Expected> {
    let line = |level, data, cycle| Expected {
        level,
        data,
        cycle,
        ticks: None,
    };
    let mut out = Vec::new();
    let mut before = Summary::default();
    for (c, s) in (1u64..).zip(summaries) {
        out.extend((1..=PHASES.len()).map(|i| phase_line(c, i)));
        let counts = |c: &crate::records::StreamCounts| {
            format!(
                "StreamCounts {{ pushed: {}, delivered: {}, dropped: {}, link_skipped: {}, \
                 hellos_sent: {} }}",
                c.pushed, c.delivered, c.dropped, c.link_skipped, c.hellos_sent
            )
        };
        out.push(line(
            "INFO",
            format!(
                "cycle {c} summary: Summary {{ samples: {}, delivered: {}, ring_dropped: {}, \
                 link_skipped: {}, hellos_sent: {}, housekeeping: {}, events: {} }}",
                s.samples,
                s.delivered,
                s.ring_dropped,
                s.link_skipped,
                s.hellos_sent,
                counts(&s.housekeeping),
                counts(&s.events)
            ),
            c,
        ));
        let ring = s.ring_dropped - before.ring_dropped;
        if ring > 0 {
            out.push(line(
                "WARN",
                format!(
                    "cycle {c}: the ring overwrote {ring} samples before the main loop read them"
                ),
                c,
            ));
        }
        let refused = s.events.dropped - before.events.dropped;
        if refused > 0 {
            out.push(line(
                "WARN",
                format!("cycle {c}: the events queue was full and refused {refused} events"),
                c,
            ));
        }
        // The frames of all three streams the link refused.
        let all =
            |s: &Summary| s.link_skipped + s.housekeeping.link_skipped + s.events.link_skipped;
        let link = all(s) - all(&before);
        if link > 0 {
            out.push(line(
                "WARN",
                format!(
                    "cycle {c}: the link refused {link} frames (RTT buffer full: the host reads \
                     too slowly)"
                ),
                c,
            ));
        }
        before = *s;
    }
    let next = summaries.len() as u64 + 1;
    out.extend((1..=PHASES.len()).map(|i| phase_line(next, i)));
    out
}

/// One `log` record of ph-tap's JSON output.
#[derive(Debug)]
struct Log {
    /// `INFO`, `WARN`, `ERROR`.
    level: String,
    data: String,
    /// `target_timestamp` (seconds, as the firmware's `{=u64:us}` timestamp renders them) in µs.
    timestamp_us: u64,
    record: Value,
}

/// The `log` records of the defmt channel (0) among `records`, asserting that they are all the
/// channel has: no warning, nothing that is not a log line.
fn logs(records: &[Value]) -> Vec<Log> {
    records
        .iter()
        .filter(|r| r["channel"] == 0)
        .map(|r| {
            assert_eq!(
                r["type"], "log",
                "the defmt channel gives log lines only: {r}"
            );
            let text = |name: &str| {
                r[name]
                    .as_str()
                    .unwrap_or_else(|| panic!("{name} of {r}"))
                    .to_owned()
            };
            Log {
                level: text("level"),
                data: text("data"),
                timestamp_us: micros(&text("target_timestamp")),
                record: r.clone(),
            }
        })
        .collect()
}

/// `"1.234000"` (seconds, six decimals) in µs.
fn micros(seconds: &str) -> u64 {
    let (whole, fraction) = seconds
        .split_once('.')
        .unwrap_or_else(|| panic!("a timestamp in seconds: {seconds:?}"));
    assert!(
        fraction.len() == 6 && fraction.bytes().all(|b| b.is_ascii_digit()),
        "µs: {seconds:?}"
    );
    let whole: u64 = whole.parse().unwrap_or_else(|e| panic!("{seconds:?}: {e}"));
    whole * 1_000_000 + fraction.parse::<u64>().expect("digits")
}

/// The defmt channel was decoded whole: stderr has no warning about it, and ph-tap's closing
/// summary counts `logs` lines, none undecodable, in the `bytes` the channel carried.
fn assert_defmt_decoded(records: &[Value], stderr: &str, logs: usize, bytes: usize) {
    assert!(
        !stderr
            .lines()
            .any(|l| l.starts_with("warning:") && l.contains("'defmt'")),
        "a warning about the defmt channel: {stderr}"
    );
    let summary = records.last().expect("records");
    assert_eq!(summary["type"], "summary", "the summary last: {summary}");
    assert_eq!(
        summary["lines"],
        json!([{
            "channel": 0,
            "kind": "defmt",
            "lines": logs,
            "undecodable": 0,
            "bytes": bytes,
            "decoded": true,
        }]),
        "the summary's line counts"
    );
}

/// Where a log line of the firmware's own code was written: in `firmware-demo/src/app.rs`, on a
/// line with the `info!(` or `warn!(` of its level, as the ELF's debug information says.
fn assert_logged_in_app(log: &Log, source: &str) {
    let at = &log.record["location"];
    let file = at["file"]
        .as_str()
        .unwrap_or_else(|| panic!("a location: {at}"));
    assert!(file.ends_with("src/app.rs"), "{file}: {}", log.data);
    assert!(
        at["module_path"]
            .as_str()
            .is_some_and(|m| m.starts_with("firmware_demo::app::")),
        "{at}"
    );
    let line = at["line"].as_u64().expect("a line number") as usize;
    let text = source
        .lines()
        .nth(line - 1)
        .unwrap_or_else(|| panic!("app.rs has no line {line}"));
    let call = format!("{}!(", log.level.to_lowercase());
    assert!(
        text.contains(&call),
        "app.rs:{line} is {text:?}, not a {call}: {}",
        log.data
    );
}

/// `len` bytes of the guest's memory at `address`, through QEMU's monitor.
fn read_memory(qemu: &Qemu, address: u64, len: usize) -> Vec<u8> {
    if len == 0 {
        return Vec::new();
    }
    let out = qemu.monitor(&format!("xp /{len}xb {address:#x}"));
    // Lines "00000000200010a8: 0x01 0x02 ...", after the echo of the command.
    let bytes: Vec<u8> = out
        .lines()
        .filter_map(|line| {
            let (at, values) = line.trim().split_once(": ")?;
            (at.len() == 16 && at.bytes().all(|b| b.is_ascii_hexdigit())).then_some(values)
        })
        .flat_map(|values| values.split_whitespace())
        .map(|v| u8::from_str_radix(v.trim_start_matches("0x"), 16).expect("a byte"))
        .collect();
    assert_eq!(bytes.len(), len, "QEMU's xp printed {out}");
    bytes
}

/// An up channel's descriptor in the control block.
#[derive(Debug)]
struct UpChannel {
    name: u32,
    buffer: u32,
    size: u32,
    write: u32,
    read: u32,
    flags: u32,
}

/// The up channels of the control block at `address`, once the firmware has set it up.
fn up_channels(qemu: &Qemu, address: u64) -> Vec<UpChannel> {
    let start = Instant::now();
    loop {
        let header = read_memory(qemu, address, 24);
        if header.starts_with(RTT_ID) {
            let word = |bytes: &[u8], i: usize| {
                u32::from_le_bytes(bytes[4 * i..4 * i + 4].try_into().unwrap())
            };
            let (up, down) = (word(&header, 4), word(&header, 5));
            assert_eq!(down, 0, "down channels");
            let descriptors = read_memory(qemu, address + 24, 24 * up as usize);
            return descriptors
                .chunks(24)
                .map(|d| UpChannel {
                    name: word(d, 0),
                    buffer: word(d, 1),
                    size: word(d, 2),
                    write: word(d, 3),
                    read: word(d, 4),
                    flags: word(d, 5),
                })
                .collect();
        }
        assert!(
            start.elapsed() < QEMU_TIMEOUT,
            "no RTT control block at {address:#x}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The NUL-terminated string at `address` in the ELF's loaded sections.
fn elf_string(elf: &[u8], address: u32) -> String {
    let file = object::File::parse(elf).expect("parse the ELF");
    let address = u64::from(address);
    let section = file
        .sections()
        .find(|s| (s.address()..s.address() + s.size()).contains(&address))
        .unwrap_or_else(|| panic!("no ELF section holds {address:#x}"));
    let data = section.data().expect("the section's bytes");
    let from = &data[(address - section.address()) as usize..];
    let end = from.iter().position(|&b| b == 0).expect("a NUL");
    String::from_utf8(from[..end].to_vec()).expect("a UTF-8 name")
}

/// The core's exception number (IPSR: 0 in thread mode, 3 in the HardFault handler).
fn exception_number(qemu: &Qemu) -> u32 {
    let out = qemu.monitor("info registers");
    let at = out
        .find("XPSR=")
        .unwrap_or_else(|| panic!("no XPSR in {out}"));
    let xpsr = u32::from_str_radix(&out[at + 5..at + 13], 16).expect("XPSR in hex");
    xpsr & 0x1ff
}

/// Two up channels in one control block, both 1 KiB and `NoBlockSkip`: 0 `defmt`, 1
/// `ph-eventing`, as the firmware's README says.
pub(crate) fn channels_defmt_and_ph_eventing() {
    let elf = firmware(MPS2_AN386_RTT);
    let image = std::fs::read(&elf).expect("read the ELF");
    let qemu = Qemu::start(&elf, false);
    qemu.monitor("cont");
    let channels = up_channels(&qemu, segger_rtt(&elf));
    let names: Vec<_> = channels
        .iter()
        .map(|c| elf_string(&image, c.name))
        .collect();
    assert_eq!(names, ["defmt", "ph-eventing"], "{channels:?}");
    for (name, channel) in names.iter().zip(&channels) {
        assert_eq!(channel.size, 1024, "{name}: {channel:?}");
        // SEGGER's mode bits: 0 is NoBlockSkip.
        assert_eq!(channel.flags & 3, 0, "{name} is NoBlockSkip: {channel:?}");
        assert!(
            (0x2000_0000..0x2040_0000).contains(&channel.buffer),
            "{name}'s buffer in SRAM: {channel:?}"
        );
    }
    let (a, b) = (&channels[0], &channels[1]);
    assert!(
        a.buffer + a.size <= b.buffer || b.buffer + b.size <= a.buffer,
        "the buffers overlap: {channels:?}"
    );
}

/// Three demo cycles through `ph-tap attach --gdb --elf`, which reads both channels when none is
/// asked for: the telemetry is accounted as exactly as when it is read alone, and ph-tap's log
/// records of the defmt channel are the boot line, then for each cycle its four phases, its
/// summary with the numbers of the telemetry's `Summary`, and a warning for each kind of drop
/// the cycle had, at target timestamps as far apart as the phases last; none undecodable.
pub(crate) fn log_lines_match_the_summaries() {
    let elf = firmware(MPS2_AN386_RTT);
    let qemu = Qemu::start(&elf, false);
    let dir = tempfile::tempdir().expect("temp dir");
    let save = dir.path().join("rtt.bin");
    let save_arg = save.to_str().expect("a UTF-8 temp path");
    let elf_arg = elf.to_str().expect("a UTF-8 firmware path");
    let mut tap = Tap::attach(qemu.gdb, &["--elf", elf_arg, "--save", save_arg]);
    tap.wait_summaries(3);
    let (records, stderr) = tap.stop();
    assert!(
        stderr.contains(", up channels 0 'defmt', 1 'ph-eventing' (Ctrl-C to stop)"),
        "{stderr}"
    );

    // The telemetry, accounted as if read alone.
    let telemetry = telemetry_of(&records);
    let capture = saved_channel(&save, 1);
    let summaries = assert_accounted(&telemetry, &capture, "telemetry beside defmt");
    assert!(summaries.len() >= 3, "{summaries:?}");
    let lines = assert_logs_match_the_summaries(&records, &stderr, &save, &elf, &summaries);
    eprintln!(
        "defmt beside the telemetry: {lines} lines in {} bytes for {} summaries",
        saved_channel(&save, 0).len(),
        summaries.len()
    );
}

/// The defmt log records of a run (`records`, its `stderr`, its `--save` capture `save` of
/// firmware `elf`) against the firmware's `summaries` of the same run: every line decoded, in
/// `src/app.rs`, the boot line, then each cycle's phases, summary and drop warnings with the
/// summaries' numbers, timestamps in whole ticks and as far apart as the phases last; and the
/// whole capture replays to the same records. Returns how many log lines there were.
pub(crate) fn assert_logs_match_the_summaries(
    records: &[Value],
    stderr: &str,
    save: &std::path::Path,
    elf: &std::path::Path,
    summaries: &[Summary],
) -> usize {
    let elf_arg = elf.to_str().expect("a UTF-8 firmware path");
    let stream = saved_channel(save, 0);
    // The whole capture, both channels, replays to the live run's records.
    assert_eq!(
        crate::records::ph_tap(
            &["decode", "--elf", elf_arg, "-"],
            &std::fs::read(save).expect("the --save file")
        ),
        records,
        "a replay of the --save capture gives the live run's records"
    );

    let all = logs(records);
    assert_defmt_decoded(records, stderr, all.len(), stream.len());
    let source = app_source();
    for log in &all {
        assert_logged_in_app(log, &source);
    }
    let (boot, lines) = all.split_first().expect("a boot line");
    assert_eq!(
        (boot.level.as_str(), boot.data.as_str()),
        ("INFO", boot_line().as_str())
    );

    let expected = expected_lines(summaries);
    let compared = lines.len().min(expected.len());
    for (i, (line, want)) in lines.iter().zip(&expected).enumerate() {
        assert_eq!(
            (line.level.as_str(), line.data.as_str()),
            (want.level, want.data.as_str()),
            "line {} of the defmt channel",
            i + 1
        );
    }
    // The last summary's log lines may be read after its telemetry frame, and lines of the
    // next cycle before ph-tap stopped (its phases are expected; what it logs after them, its
    // summary and warnings, depends on counts no summary here has).
    let last_cycle = summaries.len() as u64;
    let whole = expected.iter().filter(|l| l.cycle < last_cycle).count();
    assert!(
        compared >= whole,
        "{} log lines for {} summaries: {lines:#?}",
        lines.len(),
        summaries.len()
    );
    let next_cycle = format!("cycle {}", last_cycle + 1);
    for extra in &lines[compared..] {
        assert!(
            extra
                .data
                .strip_prefix(&next_cycle)
                .is_some_and(|rest| rest.starts_with([' ', ':'])),
            "{extra:?}"
        );
    }
    // Timestamps: the firmware's ticks in µs; each phase lasts at least its ticks.
    assert!(
        all.iter().all(|l| l.timestamp_us % 1000 == 0),
        "whole ticks: {all:#?}"
    );
    let times: Vec<_> = all.iter().map(|l| l.timestamp_us).collect();
    assert!(times.is_sorted(), "{times:?}");
    for (pair, want) in lines[..compared].windows(2).zip(&expected) {
        if let Some(ticks) = want.ticks {
            assert!(
                pair[1].timestamp_us >= pair[0].timestamp_us + ticks * 1000,
                "{:?} lasts {ticks} ticks: {pair:?}",
                want.data
            );
        }
    }
    all.len()
}

/// The log lines of a defmt stream, as the `ph_tap` library decodes them with the ELF's table
/// (the decoder `ph-tap` gives a channel named `defmt`), asserting that every frame decodes.
fn decode_defmt(elf: &std::path::Path, stream: &[u8]) -> Vec<LogLine> {
    let options = DecoderOptions::default()
        .with_elf(elf)
        .expect("read the ELF");
    if let Err(reason) = &options.defmt {
        panic!("no defmt table in the ELF: {reason}");
    }
    let channel = Channel {
        id: 0,
        name: Some("defmt".into()),
        kind: ChannelKind::Defmt,
    };
    let mut decoder = for_channel(&channel, &options);
    let mut bodies = Vec::new();
    decoder.feed(stream, &mut |body| bodies.push(body));
    decoder.finish(&mut |body| bodies.push(body));
    let counts = decoder.lines().expect("a log channel's counts");
    assert_eq!(
        (
            counts.kind,
            counts.undecodable,
            counts.bytes,
            counts.not_decoded
        ),
        (ChannelKind::Defmt, 0, stream.len() as u64, false),
        "{counts:?}"
    );
    let lines: Vec<_> = bodies
        .into_iter()
        .map(|body| match body {
            Body::Log(line) => *line,
            other => panic!("not a log line: {other:?}"),
        })
        .collect();
    assert_eq!(counts.lines, lines.len() as u64, "{counts:?}");
    lines
}

/// The `panic-after-boot` firmware: its boot hello on `ph-eventing`, its boot lines and then the
/// panic message as a defmt ERROR line on `defmt`, and the core in its HardFault handler (where
/// panic-probe's `udf` lands), as a debugger finds it: the buffers read out of QEMU's memory,
/// decoded by the `ph_tap` library.
pub(crate) fn panic_after_boot_is_reported_through_defmt() {
    let elf = firmware(MPS2_AN386_RTT_PANIC);
    let qemu = Qemu::start(&elf, true);
    assert_eq!(exception_number(&qemu), 0, "in thread mode at reset");
    qemu.monitor("cont");
    let start = Instant::now();
    while exception_number(&qemu) != 3 {
        assert!(start.elapsed() < QEMU_TIMEOUT, "no HardFault");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Nobody read the channels: everything written is still there, from the buffers' starts.
    let channels = up_channels(&qemu, segger_rtt(&elf));
    let contents: Vec<_> = channels
        .iter()
        .map(|c| {
            assert_eq!(c.read, 0, "{c:?}");
            read_memory(&qemu, c.buffer.into(), c.write as usize)
        })
        .collect();

    let hello = decode(&contents[1]);
    assert!(
        matches!(&hello[..], [h, ..] if h["type"] == "hello" && h["boot_id"] == BOOT_ID),
        "{hello:?}"
    );
    assert!(
        hello.iter().all(|r| r["type"] != "event"),
        "no data before the panic: {hello:?}"
    );

    let lines = decode_defmt(&elf, &contents[0]);
    let got: Vec<_> = lines
        .iter()
        .map(|l| (l.level, l.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (Some(Level::Info), boot_line().as_str()),
            (Some(Level::Info), HELLO_SENT),
            (Some(Level::Error), panic_line().as_str()),
        ],
        "{lines:#?}"
    );
    // Stamped before sampling starts: the firmware's clock is still at 0.
    assert!(
        lines
            .iter()
            .all(|l| l.timestamp.as_deref() == Some("0.000000")),
        "{lines:#?}"
    );
}

/// The `panic-after-boot` firmware under `ph-tap run`, as `cargo run` runs it: flashed onto the
/// blank board and started, it panics; ph-tap reads what is still in the channels and prints its
/// log records, the panic message last, then reports the HardFault with the backtrace through
/// the firmware's `panic_after_boot`, and exits with status 101. Its `--save` capture holds the
/// boot hello (`ph-eventing`) and the defmt frames, and `decode --elf` of it prints what the
/// live run printed.
pub(crate) fn panic_after_boot_under_ph_tap_run() {
    let elf = firmware(MPS2_AN386_RTT_PANIC);
    let qemu = Qemu::blank();
    let dir = tempfile::tempdir().expect("temp dir");
    let save = dir.path().join("run.bin");
    let out = assert_cmd::Command::cargo_bin("ph-tap")
        .expect("the ph-tap binary")
        .arg("run")
        .args(gdb_args(qemu.gdb))
        .args(JSON_OUTPUT)
        .arg("--save")
        .arg(&save)
        .arg(&elf)
        .timeout(QEMU_TIMEOUT)
        .output()
        .expect("run ph-tap");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(101), "{stderr}");

    // The log records, the panic message last.
    let records = parse_records(&out.stdout);
    let logs = logs(&records);
    let lines: Vec<_> = logs
        .iter()
        .map(|l| (l.level.as_str(), l.data.as_str()))
        .collect();
    assert_eq!(
        lines,
        [
            ("INFO", boot_line().as_str()),
            ("INFO", HELLO_SENT),
            ("ERROR", panic_line().as_str()),
        ],
        "the boot lines, then the panic message: {logs:#?}"
    );
    assert_defmt_decoded(&records, &stderr, logs.len(), saved_channel(&save, 0).len());

    // The backtrace, through the firmware's `panic_after_boot` at the panic, then the fault.
    let backtrace: Vec<_> = stderr
        .lines()
        .skip_while(|l| *l != "firmware backtrace:")
        .skip(1)
        .take_while(|l| !l.starts_with("error: "))
        .collect();
    let culprit = format!(
        "App::panic_after_boot (app.rs:{})",
        panic_site(&app_source()).0
    );
    assert!(
        backtrace.iter().any(|l| l.contains("HardFault"))
            && backtrace
                .iter()
                .any(|l| l.ends_with(&format!(": {culprit}"))),
        "the backtrace: {stderr}"
    );
    let error = stderr
        .lines()
        .find(|l| l.starts_with("error: "))
        .unwrap_or_else(|| panic!("no error line: {stderr}"));
    // `--save` says where the bytes are, on a line of its own before the fault's.
    assert!(
        stderr.contains(&format!("\neverything received is in {}\n", save.display())),
        "{stderr}"
    );
    let pc = error
        .strip_prefix("error: the firmware halted on a fault (a panic or a HardFault) at PC 0x")
        .and_then(|rest| rest.strip_suffix(&format!(", in {culprit}")))
        .unwrap_or_else(|| panic!("the fault line: {error}"));
    assert!(
        pc.len() == 8 && pc.bytes().all(|b| b.is_ascii_hexdigit()),
        "{error}"
    );
    assert_eq!(
        stderr.lines().last(),
        Some(error),
        "the fault line ends stderr: {stderr}"
    );

    // The capture: the boot hello, and both channels decode to the live run's records.
    let telemetry = decode(&saved_channel(&save, 1));
    assert!(
        matches!(&telemetry[..], [h, ..] if h["type"] == "hello" && h["boot_id"] == BOOT_ID),
        "{telemetry:?}"
    );
    assert_eq!(
        crate::records::ph_tap(
            &[
                "decode",
                "--elf",
                elf.to_str().expect("a UTF-8 firmware path"),
                "-"
            ],
            &std::fs::read(&save).expect("the --save file")
        ),
        records,
        "a replay of the --save capture gives the live run's records"
    );
}
