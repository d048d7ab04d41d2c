//! A real MQTT broker for a test: `mosquitto -c CONF` on a free 127.0.0.1 port, with its own
//! configuration (and persistence, passwords, certificates) in a temporary directory; stopped
//! (SIGTERM, so it saves its sessions), started again on the same port, killed on drop.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a broker may take to listen.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// A running (or stopped) mosquitto of the test's own.
pub struct Broker {
    child: Option<Child>,
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
    /// Its directory: the configuration, the persistence file, anything the test puts there.
    pub dir: tempfile::TempDir,
    conf: PathBuf,
}

impl Broker {
    // `user root`: mosquitto started as root otherwise runs as the user `mosquitto`, which
    // cannot read or write the test's directory (it is the test's alone); as another user
    // mosquitto ignores it.

    /// A broker allowing anonymous clients, with persistence (sessions and queued QoS 1
    /// messages survive a stop and start).
    pub fn start() -> Self {
        Self::with_config("allow_anonymous true\n")
    }

    /// A broker with `extra` configuration lines (after its `listener` and persistence
    /// lines); `{dir}` in them is replaced by the broker's directory.
    pub fn with_config(extra: &str) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        Self::in_dir(dir, extra)
    }

    /// As [`with_config`](Self::with_config), in `dir` (which the test has put files in).
    pub fn in_dir(dir: tempfile::TempDir, extra: &str) -> Self {
        let conf = dir.path().join("mosquitto.conf");
        let extra = extra.replace("{dir}", &dir.path().display().to_string());
        let mut broker = Self {
            child: None,
            port: 0,
            dir,
            conf,
        };
        // A port free a moment ago can be taken by another test's broker before this one
        // binds it: then this one exits, and another port is tried.
        for _ in 0..10 {
            broker.port = super::free_port();
            let text = format!(
                "listener {} 127.0.0.1\npersistence true\npersistence_location {}/\nautosave_interval 0\nmax_queued_messages 0\nmax_inflight_messages 0\nlog_dest file {}/mosquitto.log\nlog_type error\nlog_type warning\nlog_type notice\nlog_type information\nlog_type subscribe\nuser root\n{extra}",
                broker.port,
                broker.path().display(),
                broker.path().display(),
            );
            std::fs::write(&broker.conf, text).expect("write mosquitto.conf");
            if broker.try_run() {
                return broker;
            }
        }
        panic!(
            "mosquitto did not start on any of 10 ports: {}",
            broker.log()
        );
    }

    /// Starts mosquitto (again, on the same port) and waits until it listens.
    pub fn run(&mut self) {
        assert!(
            self.try_run(),
            "mosquitto did not start again on {}: {}",
            self.port,
            self.log()
        );
    }

    /// Starts mosquitto and waits until it says it runs (every listener open); `false` when
    /// it exited instead (its port taken).
    fn try_run(&mut self) -> bool {
        assert!(self.child.is_none(), "the broker is running already");
        let runs_before = self.log().matches(" running").count();
        let child = Command::new("mosquitto")
            .arg("-c")
            .arg(&self.conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot run mosquitto ({e}): install it (scripts/setup does)")
            });
        self.child = Some(child);
        let began = Instant::now();
        loop {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                eprintln!("mosquitto exited at start ({status}): {}", self.log());
                self.child = None;
                return false;
            }
            if self.log().matches(" running").count() > runs_before
                && TcpStream::connect(("127.0.0.1", self.port)).is_ok()
            {
                return true;
            }
            assert!(
                began.elapsed() < START_TIMEOUT,
                "mosquitto did not listen on {} within {START_TIMEOUT:?}: {}",
                self.port,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Stops mosquitto with SIGTERM (it saves its persistence) and waits for it.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
            let _ = child.wait();
        }
    }

    /// `mqtt://127.0.0.1:PORT/PATH`.
    pub fn url(&self, path: &str) -> String {
        format!("mqtt://127.0.0.1:{}/{path}", self.port)
    }

    /// A file in the broker's directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The broker's log, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("mosquitto.log")).unwrap_or_default()
    }

    /// The broker's directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
