//! The RTT firmware's two up channels under QEMU: 0 `defmt` with its log lines, 1 `ph-eventing`
//! with its telemetry. The log lines are decoded here with the ELF's defmt table (a small decoder
//! for the argument types the firmware logs, enough to check every line), and compared with the
//! firmware's own `Summary` items on the telemetry channel; the `panic-after-boot` build's panic
//! is checked as a debugger sees it (the defmt ERROR line with the message, and the core in its
//! HardFault handler) and as `ph-tap run` reports it.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use object::{Object, ObjectSection, ObjectSymbol};
use serde_json::Value;

use crate::firmware::{Board, QEMU_TIMEOUT, firmware};
use crate::gdb::{MPS2_AN386_RTT, Qemu, Tap, assert_accounted, gdb_args, segger_rtt, telemetry_of};
use crate::records::{JSON_OUTPUT, Summary, decode, saved_channel};

/// The RTT firmware that panics right after boot (feature `panic-after-boot`).
const MPS2_AN386_RTT_PANIC: Board = Board {
    feature: "mps2-an386,rtt,panic-after-boot",
    triple: "thumbv7em-none-eabihf",
    machine: Some("mps2-an386"),
};

/// The message the `panic-after-boot` firmware panics with.
const PANIC_MESSAGE: &str = "demo panic requested by the panic-after-boot feature";

/// The lines the firmware logs (`firmware-demo/src/app.rs`).
const BOOT: &str = "firmware-demo {=str} on {=str}: boot id {=u32:#010x}, wire format v{=u8}";
const NORMAL: &str = "cycle {=u32} phase {=usize}/{=usize}: normal, {=u32} ticks";
const SLOW_DRAIN: &str =
    "cycle {=u32} phase {=usize}/{=usize}: slow drain (one read every {=u32} ticks), {=u32} ticks";
const BURST: &str =
    "cycle {=u32} phase {=usize}/{=usize}: burst ({=u8} samples per tick), {=u32} ticks";
const SUMMARY: &str = "cycle {=u32} summary: {}";
const RING_WARN: &str =
    "cycle {=u32}: the ring overwrote {=u32} samples before the main loop read them";
const LINK_WARN: &str =
    "cycle {=u32}: the link refused {=u32} frames (RTT buffer full: the host reads too slowly)";
const HELLO_SENT: &str =
    "boot hello sent (written whole: {=bool}); now panicking, as feature panic-after-boot asks";

/// `(format, ticks, its arguments after cycle, index and phase count)` of the demo's phases
/// (`firmware-demo/src/config.rs`).
const PHASES: [(&str, u64, &[u64]); 4] = [
    (NORMAL, 300, &[300]),
    (SLOW_DRAIN, 300, &[4, 300]),
    (BURST, 100, &[8, 100]),
    (NORMAL, 200, &[200]),
];

/// The QEMU boards' boot id (`firmware-demo/src/board/qemu_exit.rs`).
const BOOT_ID: u64 = 0x9E11_0001;

/// The RTT control block's id, at its start.
const RTT_ID: &[u8] = b"SEGGER RTT\0";

/// The ELF's defmt table: each interned string's tag and text by index (its symbol's address).
struct Table {
    strings: HashMap<u16, (String, String)>,
    timestamp: String,
}

impl Table {
    fn from_elf(elf: &[u8]) -> Self {
        let file = object::File::parse(elf).expect("parse the ELF");
        // The wire encoding this decoder reads; another one must fail here, not in a parse.
        assert!(
            file.symbols()
                .any(|s| s.name() == Ok("_defmt_version_ = 4")),
            "the firmware's defmt encoding is not version 4: update this decoder"
        );
        let section = file
            .section_by_name(".defmt")
            .expect("a .defmt section (defmt.x)")
            .index();
        let mut strings = HashMap::new();
        let mut timestamp = None;
        for symbol in file.symbols() {
            if symbol.section_index() != Some(section) {
                continue;
            }
            let Ok(entry) = serde_json::from_str::<Value>(symbol.name().unwrap_or_default()) else {
                continue; // the section's start and end markers
            };
            let tag = entry["tag"].as_str().expect("a tag").to_owned();
            let data = entry["data"].as_str().expect("a format string").to_owned();
            if tag == "defmt_timestamp" {
                timestamp = Some(data.clone());
            }
            let index = u16::try_from(symbol.address()).expect("a 16-bit index");
            strings.insert(index, (tag, data));
        }
        Self {
            strings,
            timestamp: timestamp.expect("a defmt::timestamp!"),
        }
    }
}

/// One argument of a log line.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Arg {
    /// An unsigned integer or a bool.
    Uint(u64),
    Str(String),
    /// A `{}` argument: its type's format string and arguments.
    Format(String, Vec<Arg>),
    /// What `Display2Format` printed.
    Display(String),
}

/// One log line.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Line {
    /// `info`, `warn`, `error`, ...
    level: String,
    format: String,
    timestamp_us: u64,
    args: Vec<Arg>,
}

impl Line {
    fn uint(&self, i: usize) -> u64 {
        match self.args.get(i) {
            Some(Arg::Uint(n)) => *n,
            other => panic!("argument {i} of {self:?} is {other:?}"),
        }
    }
}

/// The log lines of a defmt stream (rzCOBS frames, each ended by a 0x00), or why a frame is
/// malformed.
fn decode_defmt(table: &Table, stream: &[u8]) -> Vec<Result<Line, String>> {
    stream
        .split(|&b| b == 0)
        .filter(|frame| !frame.is_empty())
        .map(|frame| {
            let bytes = rzcobs_decode(frame).ok_or("bad rzCOBS")?;
            let mut reader = Reader {
                table,
                bytes: &bytes,
            };
            let index = reader.u16()?;
            let (tag, format) = table
                .strings
                .get(&index)
                .ok_or_else(|| format!("no string {index} in the table"))?;
            let level = tag
                .strip_prefix("defmt_")
                .ok_or_else(|| format!("string {index} is a {tag}, not a log line"))?;
            let timestamp_us = match reader.args(&table.timestamp)?.as_slice() {
                [Arg::Uint(us)] => *us,
                other => return Err(format!("timestamp {other:?}")),
            };
            let args = reader.args(format)?;
            // rzCOBS pads the frame's last group of 7 with zeros.
            if reader.bytes.len() >= 7 || reader.bytes.iter().any(|&b| b != 0) {
                return Err(format!("{:?} left after {format:?}", reader.bytes));
            }
            Ok(Line {
                level: level.to_owned(),
                format: format.clone(),
                timestamp_us,
                args,
            })
        })
        .collect()
}

/// The frames of `stream` that decode, asserting that every one does.
fn lines(table: &Table, stream: &[u8]) -> Vec<Line> {
    decode_defmt(table, stream)
        .into_iter()
        .enumerate()
        .map(|(i, line)| line.unwrap_or_else(|e| panic!("defmt frame {i}: {e}")))
        .collect()
}

/// defmt's rzCOBS: read from the end, a code byte says which of the next 7 bytes are zeros
/// (0x01..=0x7f), or that a zero follows a run of `(code & 0x7f) + 7` bytes (0x80..=0xfe), or a
/// run of 134 bytes (0xff).
fn rzcobs_decode(frame: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut data = frame.iter().rev().copied();
    while let Some(code) = data.next() {
        match code {
            0 => return None,
            0x01..=0x7f => {
                for i in 0..7 {
                    out.push(if code & (1 << (6 - i)) == 0 {
                        data.next()?
                    } else {
                        0
                    });
                }
            }
            0x80..=0xfe => {
                out.push(0);
                for _ in 0..(code & 0x7f) + 7 {
                    out.push(data.next()?);
                }
            }
            0xff => {
                for _ in 0..134 {
                    out.push(data.next()?);
                }
            }
        }
    }
    out.reverse();
    Some(out)
}

/// The arguments of a frame, read in the order of its format string's placeholders.
struct Reader<'a> {
    table: &'a Table,
    bytes: &'a [u8],
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        if self.bytes.len() < n {
            return Err(format!("{n} bytes wanted, {} left", self.bytes.len()));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn uint(&mut self, n: usize) -> Result<u64, String> {
        let mut le = [0u8; 8];
        le[..n].copy_from_slice(self.take(n)?);
        Ok(u64::from_le_bytes(le))
    }

    fn u16(&mut self) -> Result<u16, String> {
        Ok(self.uint(2)? as u16)
    }

    fn args(&mut self, format: &str) -> Result<Vec<Arg>, String> {
        placeholders(format).iter().map(|p| self.arg(p)).collect()
    }

    fn arg(&mut self, placeholder: &str) -> Result<Arg, String> {
        // `{}` or `{:?}`: a value of a type with its own format string, by index.
        if placeholder.is_empty() || placeholder.starts_with(':') {
            let index = self.u16()?;
            let (_, format) = self
                .table
                .strings
                .get(&index)
                .ok_or_else(|| format!("no string {index} in the table"))?;
            let args = self.args(format)?;
            return Ok(Arg::Format(format.clone(), args));
        }
        let ty = placeholder
            .strip_prefix('=')
            .and_then(|t| t.split(':').next())
            .ok_or_else(|| format!("placeholder {{{placeholder}}}"))?;
        Ok(match ty {
            "u8" | "bool" => Arg::Uint(self.uint(1)?),
            "u16" => Arg::Uint(self.uint(2)?),
            // usize is sent as a u32.
            "u32" | "usize" => Arg::Uint(self.uint(4)?),
            "u64" => Arg::Uint(self.uint(8)?),
            "str" => {
                let len = self.uint(4)? as usize;
                let text = self.take(len)?;
                Arg::Str(String::from_utf8(text.to_vec()).map_err(|e| e.to_string())?)
            }
            "__internal_Display" => {
                let end = self
                    .bytes
                    .iter()
                    .position(|&b| b == 0xff)
                    .ok_or("a Display without its end")?;
                let text =
                    String::from_utf8(self.take(end)?.to_vec()).map_err(|e| e.to_string())?;
                self.take(1)?;
                Arg::Display(text)
            }
            other => return Err(format!("type {other} (not logged by the firmware)")),
        })
    }
}

/// The placeholders of a defmt format string, without their braces (`{{` is a brace).
fn placeholders(format: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '{' {
            continue;
        }
        if chars.peek() == Some(&'{') {
            chars.next();
            continue;
        }
        out.push(chars.by_ref().take_while(|&c| c != '}').collect());
    }
    out
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

/// Three demo cycles through `ph-tap attach --gdb`, which reads both channels when none is asked
/// for: the telemetry is accounted as exactly as when it is read alone, and the defmt channel
/// (its `--save` file) carries the boot line, then for each
/// cycle its four phases, its summary with the numbers of the telemetry's `Summary`, and a
/// warning for each kind of drop the cycle had, with timestamps as far apart as the phases last.
pub(crate) fn log_lines_match_the_summaries() {
    let elf = firmware(MPS2_AN386_RTT);
    let table = Table::from_elf(&std::fs::read(&elf).expect("read the ELF"));
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

    // The telemetry, accounted as if read alone (what ph-tap made of the defmt channel is not
    // checked here: this file decodes its bytes itself).
    let telemetry = telemetry_of(&records);
    let capture = saved_channel(&save, 1);
    let summaries = assert_accounted(&telemetry, &capture, "telemetry beside defmt");
    assert!(summaries.len() >= 3, "{summaries:?}");

    let stream = saved_channel(&save, 0);
    // The whole capture, both channels, replays to the live run's records.
    assert_eq!(
        crate::records::ph_tap(
            &["decode", "--elf", elf_arg, "-"],
            &std::fs::read(&save).expect("the --save file")
        ),
        records,
        "a replay of the --save capture gives the live run's records"
    );
    let lines = lines(&table, &stream);
    let (boot, lines) = lines.split_first().expect("a boot line");
    assert_eq!((boot.level.as_str(), boot.format.as_str()), ("info", BOOT));
    assert!(
        matches!(&boot.args[..], [Arg::Str(version), Arg::Str(board), Arg::Uint(BOOT_ID), Arg::Uint(2)]
            if !version.is_empty() && board == "mps2-an386"),
        "{boot:?}"
    );

    let expected = expected_lines(&summaries);
    let compared = lines.len().min(expected.len());
    for (i, (line, want)) in lines.iter().zip(&expected).enumerate() {
        assert_eq!(
            (&line.level, &line.format, &line.args),
            (&want.level, &want.format, &want.args),
            "line {} of the defmt channel",
            i + 1
        );
    }
    // The last summary's log lines may be read after its telemetry frame, and lines of the
    // next cycle before ph-tap stopped.
    let last_cycle = summaries.len() as u64;
    let whole = expected.iter().filter(|l| l.uint(0) < last_cycle).count();
    assert!(
        compared >= whole,
        "{} log lines for {} summaries: {lines:#?}",
        lines.len(),
        summaries.len()
    );
    for extra in &lines[compared..] {
        assert_eq!(extra.uint(0), last_cycle + 1, "{extra:?}");
    }
    eprintln!(
        "defmt beside the telemetry: {} lines in {} bytes for {} summaries",
        lines.len() + 1,
        stream.len(),
        summaries.len()
    );

    // Timestamps: the firmware's ticks in µs; each phase lasts at least its ticks.
    assert!(
        std::iter::once(boot)
            .chain(lines)
            .all(|l| l.timestamp_us % 1000 == 0),
        "whole ticks"
    );
    let times: Vec<_> = lines.iter().map(|l| l.timestamp_us).collect();
    assert!(times.is_sorted(), "{times:?}");
    for pair in lines.windows(2) {
        if PHASES.iter().any(|p| p.0 == pair[0].format) {
            let phase = pair[0].uint(1) as usize - 1;
            let ticks = PHASES[phase].1;
            assert!(
                pair[1].timestamp_us >= pair[0].timestamp_us + ticks * 1000,
                "phase {} of cycle {} lasts {ticks} ticks: {pair:?}",
                phase + 1,
                pair[0].uint(0)
            );
        }
    }
}

/// The lines each cycle logs, from the cycles' summaries (cumulative since boot); timestamps 0.
fn expected_lines(summaries: &[Summary]) -> Vec<Line> {
    let line = |level: &str, format: &str, args: Vec<Arg>| Line {
        level: level.to_owned(),
        format: format.to_owned(),
        timestamp_us: 0,
        args,
    };
    let uints = |v: &[u64]| v.iter().copied().map(Arg::Uint).collect::<Vec<_>>();
    let mut out = Vec::new();
    let mut before = Summary {
        samples: 0,
        delivered: 0,
        ring_dropped: 0,
        link_skipped: 0,
        hellos_sent: 0,
    };
    for (c, s) in (1u64..).zip(summaries) {
        for (i, (format, _, rest)) in (1u64..).zip(PHASES) {
            let mut args = vec![c, i, PHASES.len() as u64];
            args.extend_from_slice(rest);
            out.push(line("info", format, uints(&args)));
        }
        let counts = [
            s.samples,
            s.delivered,
            s.ring_dropped,
            s.link_skipped,
            s.hellos_sent,
        ];
        let summary_format = "Summary {{ samples: {=u32:?}, delivered: {=u32:?}, ring_dropped: \
                              {=u32:?}, link_skipped: {=u32:?}, hellos_sent: {=u32:?} }}";
        out.push(line(
            "info",
            SUMMARY,
            vec![
                Arg::Uint(c),
                Arg::Format(summary_format.to_owned(), uints(&counts)),
            ],
        ));
        let ring = s.ring_dropped - before.ring_dropped;
        if ring > 0 {
            out.push(line("warn", RING_WARN, uints(&[c, ring])));
        }
        let link = s.link_skipped - before.link_skipped;
        if link > 0 {
            out.push(line("warn", LINK_WARN, uints(&[c, link])));
        }
        before = *s;
    }
    out
}

/// The `panic-after-boot` firmware: its boot hello on `ph-eventing`, its boot lines and then the
/// panic message as a defmt ERROR line on `defmt`, and the core in its HardFault handler (where
/// panic-probe's `udf` lands), as a debugger finds it.
pub(crate) fn panic_after_boot_is_reported_through_defmt() {
    let elf = firmware(MPS2_AN386_RTT_PANIC);
    let image = std::fs::read(&elf).expect("read the ELF");
    let table = Table::from_elf(&image);
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

    let lines = lines(&table, &contents[0]);
    let levels: Vec<_> = lines.iter().map(|l| l.level.as_str()).collect();
    assert_eq!(levels, ["info", "info", "error"], "{lines:#?}");
    assert_eq!(lines[0].format, BOOT);
    assert_eq!(
        (lines[1].format.as_str(), &lines[1].args[..]),
        (HELLO_SENT, &[Arg::Uint(1)][..])
    );
    let [Arg::Format(_, message)] = &lines[2].args[..] else {
        panic!("panic-probe's `{{}}` of the PanicInfo: {:?}", lines[2]);
    };
    let [Arg::Display(message)] = &message[..] else {
        panic!("a Display2Format: {message:?}");
    };
    assert!(
        message.starts_with("panicked at src/app.rs:") && message.ends_with(PANIC_MESSAGE),
        "{message:?}"
    );
}

#[test]
fn defmt_placeholders_and_rzcobs() {
    assert_eq!(
        placeholders("a {=u32} {{b}} {} {=u8:#04x}"),
        ["=u32", "", "=u8:#04x"]
    );
    // What defmt's encoder writes for 11 00 22: the two non-zero bytes, then the group's code,
    // whose bits (from bit 0) say which of its 7 bytes are zeros, the 4 missing ones included.
    assert_eq!(
        rzcobs_decode(&[0x11, 0x22, 0x7a]),
        Some(vec![0x11, 0, 0x22, 0, 0, 0, 0])
    );
    // A run of 7 non-zero bytes and a zero: code 0x80.
    assert_eq!(
        rzcobs_decode(&[1, 2, 3, 4, 5, 6, 7, 0x80]),
        Some(vec![1, 2, 3, 4, 5, 6, 7, 0])
    );
    assert_eq!(
        rzcobs_decode(&[0x22, 0x7a]),
        None,
        "a group with a byte missing"
    );
}

/// The `panic-after-boot` firmware under `ph-tap run`, as `cargo run` runs it: flashed onto the
/// blank board and started, it panics; ph-tap reads what is still in the channels, reports the
/// HardFault with the backtrace through the firmware's `panic_after_boot`, and exits with status
/// 101. Its `--save` capture holds the boot hello (`ph-eventing`) and the defmt lines up to the
/// panic message (`defmt`).
pub(crate) fn panic_after_boot_under_ph_tap_run() {
    let elf = firmware(MPS2_AN386_RTT_PANIC);
    let table = Table::from_elf(&std::fs::read(&elf).expect("read the ELF"));
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
    assert!(
        stderr.contains("the firmware halted on a fault")
            && stderr.contains("HardFault")
            && stderr.contains("panic_after_boot (app.rs:"),
        "the fault and its backtrace: {stderr}"
    );

    let telemetry = decode(&saved_channel(&save, 1));
    assert!(
        matches!(&telemetry[..], [h, ..] if h["type"] == "hello" && h["boot_id"] == BOOT_ID),
        "{telemetry:?}"
    );
    let lines = lines(&table, &saved_channel(&save, 0));
    let last = lines.last().expect("log lines");
    assert_eq!(last.level, "error", "{lines:#?}");
    assert!(
        matches!(&last.args[..], [Arg::Format(_, m)]
            if matches!(&m[..], [Arg::Display(m)] if m.ends_with(PANIC_MESSAGE))),
        "the panic message last: {lines:#?}"
    );
}
