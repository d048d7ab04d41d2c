//! `--tui` in a real terminal: `ph-tap decode CAPTURE --tui` in a detached tmux session of a
//! fixed size, its screen read with `tmux capture-pane`, then `q` typed: the process exits and
//! the summary is printed after the terminal was given back. Skipped (saying so) only when
//! tmux is not installed; `scripts/setup` installs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A tmux server of this test's own, its socket in a directory of its own: killed, and the
/// socket removed, when dropped.
struct Tmux {
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tmux {
    fn new(name: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        Self {
            socket: dir.path().join(name),
            _dir: dir,
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    /// A detached session `dash` of `width` × `height` running the shell command `cmd`.
    fn start(&self, width: u16, height: u16, cmd: &str) {
        let (width, height) = (width.to_string(), height.to_string());
        let started = self.run(&[
            "new-session",
            "-d",
            "-s",
            "dash",
            "-x",
            &width,
            "-y",
            &height,
            cmd,
        ]);
        assert!(started.status.success(), "{started:?}");
    }

    fn pane(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "dash"]).stdout)
            .into_owned()
    }

    /// The pane once it shows `text`, within `limit`; `log` is ph-tap's stderr, for the message.
    fn wait_for(&self, text: &str, limit: Duration, log: &Path) -> String {
        let started = Instant::now();
        loop {
            let pane = self.pane();
            if pane.contains(text) {
                return pane;
            }
            assert!(
                started.elapsed() < limit,
                "{text:?} did not appear within {limit:?}; the pane:\n{pane}\nstderr:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn tmux_installed() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|out| out.status.success())
}

/// The shell command the pane runs: the dashboard, its stderr (the summary) and then its exit
/// status into `log`.
fn command(args: &str, log: &Path) -> String {
    let bin = env!("CARGO_BIN_EXE_ph-tap");
    format!(
        "cd '{}' && '{bin}' {args} 2>'{log}'; echo \"exit=$?\" >>'{log}'",
        env!("CARGO_MANIFEST_DIR"),
        log = log.display()
    )
}

/// The log once the process has exited (its `exit=` line is written).
fn wait_exit(log: &Path, limit: Duration) -> String {
    let started = Instant::now();
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if text.contains("exit=") {
            return text;
        }
        assert!(
            started.elapsed() < limit,
            "ph-tap did not exit within {limit:?} of q; stderr so far:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn log_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("stderr.txt")
}

#[test]
fn decode_tui_shows_the_dashboard_until_q_then_the_summary() {
    if !tmux_installed() {
        println!("skipped: tmux is not installed (scripts/setup installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let log = log_path(&dir);
    let tmux = Tmux::new("decode");
    let cmd = command("decode tests/data/ring_drops.bin --tui", &log);
    tmux.start(80, 24, &cmd);

    // The capture is decoded at once; the dashboard stays, saying so.
    let pane = tmux.wait_for("capture ended", Duration::from_secs(20), &log);
    for text in [
        "ph-tap dashboard",
        // A raw capture holds no times: the window counts values.
        "window 1000 values",
        "184 frames",
        "ring drops 56",
        "streams",
        "channel 0 184",
        "fields of channel 0",
        "channel 0 channel",
        "losses",
        "log",
        "RING DROP",
        "q quit",
    ] {
        assert!(
            pane.contains(text),
            "{text:?} is not on the screen:\n{pane}"
        );
    }
    let ring = pane
        .lines()
        .find(|l| l.starts_with("ring "))
        .unwrap_or_else(|| panic!("no ring row:\n{pane}"));
    assert!(ring.contains('|'), "no ring drop mark: {ring}");
    assert!(
        std::fs::read_to_string(&log).unwrap_or_default().is_empty(),
        "nothing printed while the dashboard is up"
    );

    // Still there a moment later: it waits for q.
    std::thread::sleep(Duration::from_millis(500));
    assert!(tmux.pane().contains("capture ended"));

    let keys = tmux.run(&["send-keys", "-t", "dash", "q"]);
    assert!(keys.status.success(), "{keys:?}");
    let err = wait_exit(&log, Duration::from_secs(10));
    assert!(err.contains("exit=0"), "{err}");
    let summary = err
        .find("--- ph-tap summary ---")
        .unwrap_or_else(|| panic!("no summary: {err}"));
    assert!(
        err[summary..].contains("frames          184\nring drops      56 in 2 bursts\n"),
        "{err}"
    );
    assert!(err.starts_with("dashboard: "), "{err}");
    assert!(
        !err.contains("\x1b[?1049h"),
        "the summary is not on the alternate screen"
    );
}

#[test]
fn demo_tui_leaves_on_ctrl_c_and_restores_the_terminal() {
    if !tmux_installed() {
        println!("skipped: tmux is not installed (scripts/setup installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let log = log_path(&dir);
    let tmux = Tmux::new("demo");
    // Runs longer than the test: the dashboard is live when Ctrl-C comes. The pane stays after
    // the process, so the shell's screen can be read back.
    let cmd = format!(
        "{}; printf 'after\\n'; sleep 30",
        command("demo --tui --count 1000000 --tick-ms 1", &log)
    );
    tmux.start(100, 30, &cmd);
    let pane = tmux.wait_for("readings", Duration::from_secs(20), &log);
    assert!(pane.contains("live"), "{pane}");
    assert!(
        pane.contains("readings channel"),
        "a chart of the readings:\n{pane}"
    );

    // Resized: drawn again at the new size.
    let resized = tmux.run(&["resize-window", "-t", "dash", "-x", "80", "-y", "24"]);
    assert!(resized.status.success(), "{resized:?}");
    std::thread::sleep(Duration::from_millis(500));
    let pane = tmux.pane();
    assert!(
        pane.lines().count() <= 24 && pane.contains("ph-tap dashboard"),
        "{pane}"
    );

    let keys = tmux.run(&["send-keys", "-t", "dash", "C-c"]);
    assert!(keys.status.success(), "{keys:?}");
    let err = wait_exit(&log, Duration::from_secs(10));
    assert!(err.contains("exit=0"), "{err}");
    assert!(err.contains("--- ph-tap summary ---"), "{err}");
    let pane = tmux.wait_for("after", Duration::from_secs(5), &log);
    assert!(
        !pane.contains("ph-tap dashboard"),
        "the alternate screen was left:\n{pane}"
    );
}

#[test]
fn decode_tui_exit_leaves_when_the_capture_ends() {
    if !tmux_installed() {
        println!("skipped: tmux is not installed (scripts/setup installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let log = log_path(&dir);
    let tmux = Tmux::new("exit");
    let cmd = command("decode tests/data/corruption.bin --tui --tui-exit", &log);
    tmux.start(80, 24, &cmd);
    // No key is sent.
    let err = wait_exit(&log, Duration::from_secs(20));
    assert!(err.contains("exit=0"), "{err}");
    assert!(err.contains("corrupt frames  10\n"), "{err}");
}

/// A capture of the telemetry of `ring_drops.bin` beside a text channel, in small chunks, whose
/// 40th chunk is made a record of a newer ph-tap: decoding stops there with an error.
fn damaged_capture() -> Vec<u8> {
    use ph_tap::capture::CaptureWriter;
    use ph_tap::channel::{Channel, ChannelKind};
    let channels = [
        Channel {
            id: 0,
            name: Some("ph-eventing".into()),
            kind: ChannelKind::PhEventing,
        },
        Channel {
            id: 2,
            name: Some("Terminal".into()),
            kind: ChannelKind::Text,
        },
    ];
    let telemetry =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ring_drops.bin"))
            .unwrap();
    let mut writer = CaptureWriter::new(Vec::new(), &channels).unwrap();
    let header = writer.get_ref().len();
    let mut at = Duration::ZERO;
    let mut starts = Vec::new();
    for (k, piece) in telemetry.chunks(23).enumerate() {
        at += Duration::from_millis(2);
        starts.push(writer.get_ref().len());
        if k % 8 == 0 {
            writer
                .chunk(2, at, format!("[INFO] turn {k}\r\n").as_bytes())
                .unwrap();
            starts.push(writer.get_ref().len());
        }
        writer.chunk(0, at, piece).unwrap();
    }
    let mut bytes = writer.into_inner();
    assert!(starts[0] >= header);
    let damaged = starts[40];
    assert_eq!(bytes[damaged], 0x02, "a chunk record starts there");
    bytes[damaged] = 0x33;
    bytes
}

#[test]
fn an_error_after_the_dashboard_is_one_line_on_the_restored_terminal() {
    if !tmux_installed() {
        println!("skipped: tmux is not installed (scripts/setup installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let log = log_path(&dir);
    let capture = dir.path().join("damaged.cap");
    std::fs::write(&capture, damaged_capture()).unwrap();
    let tmux = Tmux::new("error");
    let cmd = format!(
        "{}; printf 'after\\n'; sleep 30",
        command(&format!("decode '{}' --tui", capture.display()), &log)
    );
    tmux.start(80, 24, &cmd);
    let pane = tmux.wait_for("capture ended", Duration::from_secs(20), &log);
    assert!(
        pane.contains("[INFO] turn"),
        "the text channel's lines are in the log pane:\n{pane}"
    );
    let keys = tmux.run(&["send-keys", "-t", "dash", "q"]);
    assert!(keys.status.success(), "{keys:?}");
    let err = wait_exit(&log, Duration::from_secs(10));
    assert!(err.contains("exit=1"), "{err}");
    assert!(err.contains("--- ph-tap summary ---"), "{err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(errors[0].contains("is damaged at byte"), "{err}");
    let pane = tmux.wait_for("after", Duration::from_secs(5), &log);
    assert!(
        !pane.contains("ph-tap dashboard"),
        "the alternate screen was left:\n{pane}"
    );
}

/// What the panic test runs in its terminal (this test binary again, with `PANIC_CHILD` set to
/// where to panic): takes the terminal as `--tui` does, draws the dashboard, then panics on
/// this thread (`main`) or on another one (`thread`). Without `PANIC_CHILD`: nothing.
#[test]
fn panic_child() {
    use ph_tap::sink::tui::Dashboard;
    use ph_tap::sink::tui::terminal::{self, Screen};
    let Some(how) = std::env::var_os("PANIC_CHILD") else {
        return;
    };
    let mut screen = Screen::enter().expect("the child runs in a terminal");
    screen
        .draw(&Dashboard::default())
        .expect("the dashboard is drawn");
    std::thread::sleep(Duration::from_millis(300));
    if how == "thread" {
        let died = std::thread::spawn(|| panic!("tui_panic: a panic on another thread")).join();
        assert!(died.is_err());
        assert!(!terminal::active(), "the panic gave the terminal back");
        // The dashboard draws no more: the message stays readable.
        screen
            .draw(&Dashboard::default())
            .expect("drawing is skipped");
        drop(screen);
        println!("tui_panic: still running");
    } else {
        panic!("tui_panic: a panic while the dashboard is up");
    }
}

#[test]
fn a_panic_on_any_thread_gives_the_terminal_back_with_its_message() {
    if !tmux_installed() {
        println!("skipped: tmux is not installed (scripts/setup installs it)");
        return;
    }
    let exe = std::env::current_exe().unwrap();
    for (how, message, code) in [
        ("main", "tui_panic: a panic while the dashboard is up", 101),
        ("thread", "tui_panic: a panic on another thread", 0),
    ] {
        let tmux = Tmux::new(&format!("panic-{how}"));
        let cmd = format!(
            "PANIC_CHILD={how} RUST_BACKTRACE=0 '{}' --exact panic_child --nocapture --test-threads 1; printf 'exit=%s after\\n' $?; sleep 30",
            exe.display()
        );
        tmux.start(80, 24, &cmd);
        let pane = tmux.wait_for(" after", Duration::from_secs(20), Path::new("-"));
        assert!(
            pane.contains(message),
            "{how}: the message is readable:\n{pane}"
        );
        assert!(
            pane.contains(&format!("exit={code} after")),
            "{how}:\n{pane}"
        );
        assert!(
            !pane.contains("ph-tap dashboard"),
            "{how}: the alternate screen was left:\n{pane}"
        );
    }
}
