//! The real RTT firmware under QEMU, read through QEMU's GDB server by `ph-tap attach --gdb`:
//! probe-rs's own `Session`, RTT attach and `UpChannel::read` over ph-tap's GDB probe, hundreds
//! of reads per demo cycle, against the firmware's own counts. The firmware (`mps2-an386` with
//! `rtt`) runs demo cycle after demo cycle and pushes its cumulative `Summary` after each one;
//! every check compares what ph-tap reported up to a summary with that summary. Its telemetry is
//! on RTT up channel 1, `ph-eventing`, which these tests read alone (`--channel ph-eventing`);
//! channel 0, `defmt`, carries its log lines (read beside the telemetry in `defmt.rs` and
//! `run.rs`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::free_port;
use crate::faults::frame_seqs_or_torn;
use crate::firmware::{Board, QEMU_TIMEOUT, firmware};
use crate::proxy::Proxy;
use crate::records::{JSON_OUTPUT, SAMPLES, Summary, field, of_stream, sample, summary};

/// The RTT build of the Cortex-M4 board: the firmware a user flashes, minus the chip.
pub(crate) const MPS2_AN386_RTT: Board = Board {
    feature: "mps2-an386,rtt",
    triple: "thumbv7em-none-eabihf",
    machine: Some("mps2-an386"),
};

/// How long a run may wait for the summaries it needs (a cycle takes about a second).
const CYCLES_TIMEOUT: Duration = Duration::from_secs(90);

/// QEMU running the RTT firmware, stopped at reset until a debugger connects; killed on drop.
pub(crate) struct Qemu {
    child: Child,
    pub(crate) gdb: SocketAddr,
    monitor: SocketAddr,
}

impl Qemu {
    /// `fast`: `-icount shift=0,sleep=off`, so the guest runs far ahead of any host reading it
    /// (its RTT buffer overflows and frames are skipped).
    pub(crate) fn start(elf: &Path, fast: bool) -> Self {
        Self::spawn(Some(elf), fast)
    }

    /// A board with nothing loaded, for `ph-tap run` to flash (no `-kernel`: QEMU would copy
    /// that image back at every reset).
    pub(crate) fn blank() -> Self {
        Self::spawn(None, false)
    }

    /// Starts QEMU on two free ports and waits until its monitor answers a command, which it
    /// does once the machine and the GDB server are set up. A port found free can be taken by
    /// another test's socket before QEMU binds it; QEMU then exits at once, and is started again
    /// on two other ports.
    fn spawn(kernel: Option<&Path>, fast: bool) -> Self {
        const ATTEMPTS: usize = 5;
        for _ in 0..ATTEMPTS {
            if let Some(qemu) = Self::try_spawn(kernel, fast) {
                return qemu;
            }
        }
        panic!("QEMU exited before its monitor answered, {ATTEMPTS} times (ports taken?)");
    }

    /// One start of QEMU: `None` if it exited before its monitor answered.
    fn try_spawn(kernel: Option<&Path>, fast: bool) -> Option<Self> {
        let gdb: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let monitor: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let mut cmd = Command::new("qemu-system-arm");
        cmd.args(["-machine", "mps2-an386", "-nographic", "-serial", "null"])
            .args(["-semihosting-config", "enable=on,target=native"])
            .args(["-monitor", &format!("tcp:{monitor},server=on,wait=off")])
            .args(["-S", "-gdb", &format!("tcp:{gdb}")]);
        if fast {
            cmd.args(["-icount", "shift=0,sleep=off"]);
        }
        if let Some(elf) = kernel {
            cmd.arg("-kernel").arg(elf);
        }
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot run qemu-system-arm ({e}): install it (scripts/setup does)")
            });
        let mut qemu = Self {
            child,
            gdb,
            monitor,
        };
        let start = Instant::now();
        while run_monitor(qemu.monitor, "info status").is_err() {
            if qemu.child.try_wait().expect("QEMU's status").is_some() {
                return None;
            }
            assert!(start.elapsed() < QEMU_TIMEOUT, "QEMU did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(qemu)
    }

    /// Presses the reset button (QEMU's `system_reset`), once QEMU's monitor has answered.
    pub(crate) fn reset(&self) {
        self.monitor("system_reset");
    }

    /// Runs one command on QEMU's monitor and returns what it printed (the echo of the command
    /// included).
    pub(crate) fn monitor(&self, command: &str) -> String {
        run_monitor(self.monitor, command)
            .unwrap_or_else(|e| panic!("QEMU's monitor, {command}: {e}"))
    }
}

/// Connects to QEMU's monitor at `addr`, runs `command`, and returns what it printed (the echo
/// of the command included).
fn run_monitor(addr: SocketAddr, command: &str) -> std::io::Result<String> {
    let mut monitor = TcpStream::connect(addr)?;
    monitor.set_read_timeout(Some(Duration::from_secs(10)))?;
    let prompt = |monitor: &mut TcpStream| -> std::io::Result<String> {
        let mut seen = Vec::new();
        let mut buf = [0u8; 512];
        while !seen.ends_with(b"(qemu) ") {
            let n = monitor.read(&mut buf)?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            seen.extend_from_slice(&buf[..n]);
        }
        Ok(String::from_utf8_lossy(&seen).into_owned())
    };
    prompt(&mut monitor)?;
    monitor.write_all(format!("{command}\n").as_bytes())?;
    prompt(&mut monitor)
}

impl Drop for Qemu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running `ph-tap attach --format json`, its records collected as they come.
pub(crate) struct Tap {
    child: Child,
    records: Arc<Mutex<Vec<Value>>>,
    reader: Option<JoinHandle<()>>,
    stderr: Option<ChildStderr>,
    pub(crate) started: Instant,
}

impl Tap {
    pub(crate) fn attach(gdb: SocketAddr, extra: &[&str]) -> Self {
        Self::spawn("attach", gdb, extra)
    }

    /// `ph-tap run --gdb gdb ... extra` (`extra` ends with the ELF).
    pub(crate) fn run(gdb: SocketAddr, extra: &[&str]) -> Self {
        Self::spawn("run", gdb, extra)
    }

    fn spawn(command: &str, gdb: SocketAddr, extra: &[&str]) -> Self {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("ph-tap"))
            .arg(command)
            .args(gdb_args(gdb))
            .args(JSON_OUTPUT)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run ph-tap");
        let records = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().expect("stdout");
        let sink = Arc::clone(&records);
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("bad JSON line {line:?}: {e}"));
                sink.lock().unwrap().push(value);
            }
        });
        Self {
            stderr: child.stderr.take(),
            child,
            records,
            reader: Some(reader),
            started: Instant::now(),
        }
    }

    /// The firmware summaries received so far.
    pub(crate) fn summaries(&self) -> usize {
        self.records
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r["type"] == "event" && summary(&r["value"]).is_some())
            .count()
    }

    /// Waits until `n` firmware summaries arrived.
    pub(crate) fn wait_summaries(&mut self, n: usize) {
        while self.summaries() < n {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("ph-tap ended early ({status}): {}", self.stop().1);
            }
            assert!(
                self.started.elapsed() < CYCLES_TIMEOUT,
                "{n} summaries did not arrive in time (got {})",
                self.summaries()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Ctrl-C; returns every record and stderr.
    pub(crate) fn stop(&mut self) -> (Vec<Value>, String) {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let status = self.child.wait().expect("wait for ph-tap");
        if let Some(reader) = self.reader.take() {
            reader.join().expect("the record reader");
        }
        let mut stderr = String::new();
        if let Some(mut e) = self.stderr.take() {
            let _ = e.read_to_string(&mut stderr);
        }
        assert!(status.success(), "ph-tap failed ({status}): {stderr}");
        (self.records.lock().unwrap().clone(), stderr)
    }
}

impl Drop for Tap {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `--gdb gdb --chip mps2-an386 --chip-description ...`.
pub(crate) fn gdb_args(gdb: SocketAddr) -> Vec<String> {
    let description = Path::new(env!("CARGO_MANIFEST_DIR")).join("targets/mps2-an386.yaml");
    let description = description.to_str().expect("a UTF-8 path").to_owned();
    [
        "--gdb",
        &gdb.to_string(),
        "--chip",
        "mps2-an386",
        "--chip-description",
        &description,
    ]
    .map(str::to_owned)
    .to_vec()
}

/// What ph-tap reported from one point of the records on (a boot's start) up to each firmware
/// summary, checked against that summary; `capture` is the `--save` file of the run (for the
/// hello frames, which the firmware counts among the frames the link refused). Returns the
/// summaries checked.
pub(crate) fn assert_accounted(records: &[Value], capture: &[u8], what: &str) -> Vec<Summary> {
    accounted(records, capture, what, false).0
}

/// [`assert_accounted`] across a target reset, which may tear one frame: when the reset falls
/// inside one of ph-tap's reads (after probe-rs read the channel's pointers, before it wrote the
/// read pointer back), the new boot's control block gets the old boot's read pointer, and the
/// new boot's first bytes up to it are never read. Nothing on the host can tell that from an
/// ordinary read, so ph-tap shows the frame whose start was lost as one corrupt frame right
/// before the new boot, and its lost data frames as link losses. Allowed here: that one corrupt
/// frame, and the new boot's first `samples` hello lost in it (the firmware counts it as sent).
/// Returns the summaries checked and the torn frames (0 or 1).
pub(crate) fn assert_accounted_across_reset(
    records: &[Value],
    capture: &[u8],
    what: &str,
) -> (Vec<Summary>, usize) {
    accounted(records, capture, what, true)
}

fn accounted(
    records: &[Value],
    capture: &[u8],
    what: &str,
    may_tear: bool,
) -> (Vec<Summary>, usize) {
    // The summaries travel on the `samples` stream and count its frames.
    let records = &of_stream(records, SAMPLES)[..];
    let frames = frame_seqs_or_torn(capture);
    let hellos_before = hellos_before_summaries(&frames, capture);
    let mut torn = 0;
    let (mut samples, mut ring, mut link) = (0u64, 0u64, 0u64);
    // Summaries pushed before the current point of this boot (from their seq), and received.
    let (mut boot_summaries, mut boot_received) = (0u64, 0u64);
    let mut checked = Vec::new();
    for (i, r) in records.iter().enumerate() {
        match r["type"].as_str() {
            Some("corrupt_frame")
                if may_tear
                    && torn == 0
                    && records
                        .get(i + 1)
                        .is_some_and(|r| r["type"] == "target_reset") =>
            {
                torn += 1;
            }
            Some("ring_drop") => ring += field(r, "count"),
            Some("link_loss") => link += field(r, "count"),
            Some("target_reset") => {
                (samples, ring, link) = (0, 0, 0);
                (boot_summaries, boot_received) = (0, 0);
            }
            Some("event") => {
                let value = &r["value"];
                if let Some(s) = sample(value) {
                    // The summaries pushed before it in this boot took sequence numbers too (some
                    // of them may have been lost on the link): seq − counter never falls, and
                    // grows only at a summary.
                    let offset = field(r, "seq") - s.counter;
                    assert!(
                        offset >= boot_summaries,
                        "{what}: seq {} of sample {}",
                        field(r, "seq"),
                        s.counter
                    );
                    boot_summaries = offset;
                    samples += 1;
                    continue;
                }
                let s = summary(value).unwrap_or_else(|| panic!("{what}: odd value {value}"));
                let k = checked.len();
                // The k-th summary of a boot has seq samples + k.
                let index = field(r, "seq") - s.samples;
                // Every sample the main loop read either arrived or was refused by the link, and
                // so were the summaries of this boot that did not arrive.
                let lost_summaries = index - 1 - boot_received;
                assert_eq!(
                    samples + link,
                    s.delivered + lost_summaries,
                    "{what}: summary {k}: delivered (and {lost_summaries} summaries lost)"
                );
                assert_eq!(ring, s.ring_dropped, "{what}: summary {k}: ring drops");
                // The frames the link refused are the lost samples and the refused hellos.
                let hellos = hellos_before.get(k).copied().unwrap_or_default();
                let received = hellos.received;
                let refused_hellos = s.hellos_sent.checked_sub(received).unwrap_or_else(|| {
                    panic!(
                        "{what}: summary {k}: {received} hellos received, {} sent",
                        s.hellos_sent
                    )
                });
                // When the boot's first hello may be the torn frame, it was sent, not refused:
                // then one refused hello fewer is right too (unless the link did refuse it and
                // the tear hit another frame, hence either count).
                let torn_hello = u64::from(hellos.first_torn && torn > 0);
                assert!(
                    link + refused_hellos == s.link_skipped
                        || (link + refused_hellos).checked_sub(torn_hello) == Some(s.link_skipped),
                    "{what}: summary {k}: link losses ({link}) and refused hellos \
                     ({refused_hellos}, {torn_hello} of them maybe torn) against the firmware's \
                     link_skipped {}",
                    s.link_skipped
                );
                assert!(
                    index > boot_summaries,
                    "{what}: summary {k} at seq {}",
                    field(r, "seq")
                );
                boot_summaries = index;
                boot_received += 1;
                checked.push(s);
            }
            Some("corrupt_frame" | "unsupported_frame" | "unplaced" | "duplicate") => {
                panic!("{what}: RTT through a GDB server damaged a frame: {r}")
            }
            _ => {}
        }
    }
    let torn_in_capture = frames.iter().filter(|f| f.is_err()).count();
    assert_eq!(
        torn, torn_in_capture,
        "{what}: the corrupt frames shown are the torn frames of the --save file"
    );
    (checked, torn)
}

/// What a run that read the firmware's two up channels reported about its telemetry (channel 1,
/// `ph-eventing`) as a run reading that channel alone reports it: its records without their
/// `channel`, and the records of no channel (the source's events), but not the closing summary,
/// which adds both channels up.
pub(crate) fn telemetry_of(records: &[Value]) -> Vec<Value> {
    records
        .iter()
        .filter(|r| r["type"] != "summary" && matches!(r["channel"].as_u64(), None | Some(1)))
        .map(|r| {
            let mut r = r.clone();
            r.as_object_mut().expect("a JSON record").remove("channel");
            r
        })
        .collect()
}

/// The `samples` stream's hellos the host received in a boot before one of its summaries.
#[derive(Clone, Copy, Default)]
struct HellosBefore {
    /// Received whole, and counted by the firmware when it pushed the summary.
    received: u64,
    /// A torn frame came between this boot and the one before it, and no whole `samples`
    /// hello: the boot's first hello may be the torn frame, or lost before it.
    first_torn: bool,
}

/// For each firmware summary in `capture` (whose frames, as [`frame_seqs_or_torn`] reads them,
/// are `frames`), the hello frames of the `samples` stream received before it that the firmware
/// had counted when it pushed the summary (not a hello sent with the summary itself). Counting
/// restarts with a new boot, at the hellos after the old boot's last data frame: a boot's first
/// data frame is the one whose sequence number falls (the demo never reaches the wrap), whether
/// or not its seq-1 frame reached the host.
fn hellos_before_summaries(
    frames: &[Result<(u8, Option<u64>), String>],
    capture: &[u8],
) -> Vec<HellosBefore> {
    // Per frame of the `samples` stream: `Some(seq)` (`None` for a hello); `None` for a torn
    // frame, whose stream is unknown.
    let frames: Vec<Option<Option<u64>>> = frames
        .iter()
        .filter_map(|frame| match frame {
            Ok((stream, seq)) => (u64::from(*stream) == SAMPLES).then_some(Some(*seq)),
            Err(_) => Some(None),
        })
        .collect();
    let decoded = decode_values(capture);
    let mut out = Vec::new();
    // Hellos of this boot before the last data frame, and since it.
    let (mut hellos, mut since_data, mut last_seq) = (0u64, 0u64, 0u64);
    let (mut torn_since_data, mut first_torn) = (false, false);
    let mut values = decoded.iter();
    for frame in frames {
        match frame {
            None => torn_since_data = true,
            Some(None) => since_data += 1,
            Some(Some(seq)) => {
                let value = values.next().expect("a value per data frame");
                if seq < last_seq {
                    hellos = 0;
                    first_torn = torn_since_data && since_data == 0;
                }
                last_seq = seq;
                if summary(value).is_some() {
                    // A hello right before the summary went out with it, after it was counted.
                    out.push(HellosBefore {
                        received: hellos + since_data - u64::from(since_data > 0),
                        first_torn,
                    });
                }
                hellos += since_data;
                since_data = 0;
                torn_since_data = false;
            }
        }
    }
    out
}

/// The values of the data frames of the `samples` stream in `capture`, in order.
fn decode_values(capture: &[u8]) -> Vec<Value> {
    of_stream(&crate::records::decode(capture), SAMPLES)
        .into_iter()
        .filter(|r| r["type"] == "event")
        .map(|r| r["value"].clone())
        .collect()
}

/// The control block address ph-tap says it attached to.
pub(crate) fn attached_at(stderr: &str) -> u64 {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("attached: RTT control block at 0x"))
        .unwrap_or_else(|| panic!("no attach line in {stderr}"));
    let hex = &line["attached: RTT control block at 0x".len()..][..8];
    u64::from_str_radix(hex, 16).expect("an address")
}

pub(crate) fn segger_rtt(elf: &Path) -> u64 {
    let bytes = std::fs::read(elf).expect("read the ELF");
    probe_rs::rtt::find_rtt_control_block_in_raw_file(&bytes)
        .expect("an ELF")
        .expect("a _SEGGER_RTT symbol")
}

/// A `--save` run of `ph-tap attach --gdb gdb` on the telemetry channel alone (`--channel
/// ph-eventing`: without it, ph-tap reads the firmware's `defmt` channel too), with `--elf elf`
/// when given; the save file is in the returned directory.
fn attach_saving(gdb: SocketAddr, elf: Option<&Path>) -> (Tap, tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let save = dir.path().join("rtt.bin");
    let mut args = vec![
        "--channel",
        "ph-eventing",
        "--save",
        save.to_str().expect("a UTF-8 temp path"),
    ];
    if let Some(elf) = elf {
        args.extend(["--elf", elf.to_str().expect("a UTF-8 firmware path")]);
    }
    (Tap::attach(gdb, &args), dir, save)
}

/// Three whole demo cycles through `--gdb --elf`: every summary's counts, the same records from
/// a replay of the `--save` file, and the throughput and reads for the record.
pub(crate) fn whole_cycles_through_the_elf_address() {
    let elf = firmware(MPS2_AN386_RTT);
    let qemu = Qemu::start(&elf, false);
    let proxy = Proxy::start(qemu.gdb);
    let (mut tap, _dir, save) = attach_saving(proxy.addr(), Some(&elf));
    tap.wait_summaries(3);
    let elapsed = tap.started.elapsed();
    let reads = proxy.reads();
    let (records, stderr) = tap.stop();
    assert_eq!(
        attached_at(&stderr),
        segger_rtt(&elf),
        "--elf's _SEGGER_RTT"
    );
    // `--channel ph-eventing`, found by its name: channel 1, after `defmt`.
    assert!(
        stderr.contains(", up channel 1 'ph-eventing' (Ctrl-C to stop)"),
        "attach reads the telemetry channel only: {stderr}"
    );
    let capture = std::fs::read(&save).expect("the --save file");
    let summaries = assert_accounted(&records, &capture, "3 cycles over --gdb");
    assert!(summaries.len() >= 3);
    let frames = records.iter().filter(|r| r["type"] == "event").count();
    assert!(frames > 3000, "thousands of frames: {frames}");
    let replay = crate::records::decode(&capture);
    if let Some(k) = (0..replay.len().max(records.len())).find(|&k| replay.get(k) != records.get(k))
    {
        panic!(
            "a replay of the --save file gives other records from record {k} on: replayed {:?}, live {:?}",
            replay.get(k),
            records.get(k)
        );
    }
    eprintln!(
        "RTT over QEMU's GDB server: {} bytes, {frames} frames in {:.2} s ({:.0} B/s), {reads} memory reads, {} summaries",
        capture.len(),
        elapsed.as_secs_f64(),
        capture.len() as f64 / elapsed.as_secs_f64(),
        summaries.len()
    );
}

/// The control block found by scanning the board's SRAM, where the ELF says it is.
pub(crate) fn control_block_found_by_ram_scan() {
    let elf = firmware(MPS2_AN386_RTT);
    let qemu = Qemu::start(&elf, false);
    let (mut tap, _dir, save) = attach_saving(qemu.gdb, None);
    tap.wait_summaries(1);
    let (records, stderr) = tap.stop();
    assert_eq!(attached_at(&stderr), segger_rtt(&elf), "the RAM scan");
    let capture = std::fs::read(&save).expect("the --save file");
    assert!(!assert_accounted(&records, &capture, "RAM scan").is_empty());
}

/// A guest far faster than its reader: the 1 KiB RTT buffer overflows in every burst, and the
/// link losses ph-tap reports are exactly the frames the firmware's link refused.
pub(crate) fn rtt_buffer_too_small_for_the_burst() {
    let elf = firmware(MPS2_AN386_RTT);
    let qemu = Qemu::start(&elf, true);
    let (mut tap, _dir, save) = attach_saving(qemu.gdb, Some(&elf));
    tap.wait_summaries(2);
    let (records, _) = tap.stop();
    let capture = std::fs::read(&save).expect("the --save file");
    let summaries = assert_accounted(&records, &capture, "small RTT buffer");
    let last = summaries.last().expect("a summary");
    assert!(
        last.link_skipped > 0,
        "the fast guest overflowed its RTT buffer: {last:?}"
    );
}

/// The reset button mid-stream: one TARGET RESET, the control block found again in the same
/// session, and the new boot's stream from seq 1 accounted against its own summary.
pub(crate) fn target_reset_mid_stream() {
    let elf = firmware(MPS2_AN386_RTT);
    let qemu = Qemu::start(&elf, false);
    let (mut tap, _dir, save) = attach_saving(qemu.gdb, Some(&elf));
    tap.wait_summaries(1);
    qemu.reset();
    tap.wait_summaries(2);
    let (records, stderr) = tap.stop();
    let count = |kind: &str| records.iter().filter(|r| r["type"] == kind).count();
    // Each of the three streams sees the new boot on its own frames.
    let samples = of_stream(&records, SAMPLES);
    let resets: Vec<u64> = records
        .iter()
        .filter(|r| r["type"] == "target_reset")
        .map(|r| field(r, "stream_id"))
        .collect();
    assert_eq!(resets.len(), 3, "one reset per stream: {resets:?}");
    assert_eq!(
        samples
            .iter()
            .filter(|r| r["type"] == "target_reset")
            .count(),
        1,
        "{stderr}"
    );
    // probe-rs sees the fresh block's read pointer back at 0 and ph-tap finds the block again;
    // when the old read pointer happened to be 0 too, reading simply goes on in the new block.
    assert!(count("rtt_reattached") <= 1, "{stderr}");
    eprintln!(
        "reset mid-stream: {} rtt_reattached record(s)",
        count("rtt_reattached")
    );
    assert_eq!(
        count("source_lost"),
        0,
        "a reset is not a lost probe: {stderr}"
    );
    assert_eq!(
        stderr.contains("(target reset or re-flashed): reading again"),
        count("rtt_reattached") == 1,
        "{stderr}"
    );
    // After the reset, the stream starts over at 1; nothing of the old boot comes after it.
    let reset_at = samples
        .iter()
        .position(|r| r["type"] == "target_reset")
        .unwrap();
    let first_after = samples[reset_at..]
        .iter()
        .find(|r| r["type"] == "event")
        .expect("events after the reset");
    assert!(
        field(first_after, "seq") < 100,
        "the new boot starts over: {first_after}"
    );
    let capture = std::fs::read(&save).expect("the --save file");
    let (summaries, torn) = assert_accounted_across_reset(&records, &capture, "reset mid-stream");
    assert_eq!(summaries.len(), 2, "one summary per boot");
    eprintln!("reset mid-stream: {torn} frame(s) torn by the reset");
}

/// The "unplug": the GDB connection is cut for 1.5 s (new connections refused) while the
/// target runs on; ph-tap waits, reconnects and goes on, and what the firmware produced meanwhile
/// is accounted exactly by its next summaries.
pub(crate) fn gdb_server_gone_and_back() {
    let elf = firmware(MPS2_AN386_RTT);
    let qemu = Qemu::start(&elf, false);
    let proxy = Proxy::start(qemu.gdb);
    let (mut tap, _dir, save) = attach_saving(proxy.addr(), Some(&elf));
    tap.wait_summaries(1);
    proxy.cut_for(Duration::from_millis(1500));
    tap.wait_summaries(3);
    let (records, stderr) = tap.stop();
    let count = |kind: &str| records.iter().filter(|r| r["type"] == kind).count();
    assert_eq!(count("source_lost"), 1, "{stderr}");
    assert_eq!(count("source_back"), 1, "{stderr}");
    assert_eq!(count("target_reset"), 0, "{stderr}");
    assert!(
        stderr.contains("GDB server gone: waiting for it to come back (Ctrl-C to stop)"),
        "{stderr}"
    );
    let back = records.iter().find(|r| r["type"] == "source_back").unwrap();
    let away = back["away_s"].as_f64().expect("away_s");
    assert!(away >= 1.5, "away {away} s");
    let summary_line = stderr
        .lines()
        .find(|l| l.starts_with("reconnects "))
        .unwrap_or_else(|| panic!("no reconnects line: {stderr}"));
    assert_eq!(summary_line, "reconnects      1");
    let capture = std::fs::read(&save).expect("the --save file");
    let summaries = assert_accounted(&records, &capture, "GDB server gone and back");
    assert!(summaries.len() >= 3);
    eprintln!(
        "unplug: away {away:.2} s; (delivered, ring dropped, link skipped) at each summary: {:?}",
        summaries
            .iter()
            .map(|s| (s.delivered, s.ring_dropped, s.link_skipped))
            .collect::<Vec<_>>()
    );
}
