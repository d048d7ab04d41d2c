//! Helpers shared by the integration tests: the committed data files, their snapshots, the
//! capture scenarios and a hand-built RTT ELF image. Each test file uses the part it needs.
#![allow(dead_code)]

pub mod ack_proxy;
pub mod defmt;
pub mod gdb_server;
pub mod mosquitto;
pub mod qemu_gdb;
pub mod rtt_elf;
pub mod scenarios;

use std::path::{Path, PathBuf};

/// A local TCP port that was free a moment ago (for a server the test starts, or a port nobody
/// listens on).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free local port")
        .port()
}

/// `count` ph-eventing data frames (seq 1..=count) of the `u32` values `value(seq)`, as the
/// firmware's encoder writes them, and where each frame ends.
pub fn wire_frames(count: u32, value: impl Fn(u32) -> u32) -> (Vec<u8>, Vec<usize>) {
    let mut out = Vec::new();
    let mut ends = Vec::new();
    let mut buf = [0u8; 32];
    let mut encoder = ph_eventing_wire::encode::StreamEncoder::new(0x42);
    for seq in 1..=count {
        encoder
            .data(seq, 0, &value(seq), &mut buf, &mut |f: &[u8]| {
                out.extend_from_slice(f);
                true
            })
            .unwrap();
        ends.push(out.len());
    }
    (out, ends)
}

/// The records of the committed JSON output `tests/data/NAME`, the summary left out.
pub fn json_records(name: &str) -> Vec<serde_json::Value> {
    std::fs::read_to_string(data(name))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|r: &serde_json::Value| r["type"] != "summary")
        .collect()
}

/// The records of `channel` among `records`, without the fields `left_out` (`channel`, `t`):
/// what the channel would have given alone.
pub fn channel_records(
    records: &[serde_json::Value],
    channel: u64,
    left_out: &[&str],
) -> Vec<serde_json::Value> {
    records
        .iter()
        .filter(|r| r["channel"] == channel)
        .map(|r| {
            let mut r = r.clone();
            let object = r.as_object_mut().unwrap();
            for field in left_out {
                object.remove(*field);
            }
            r
        })
        .collect()
}

/// A file in `tests/data/`.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Checks `actual` against the committed `tests/data/NAME`; with `PH_TAP_BLESS=1` in the
/// environment, rewrites the file instead (review the diff before committing).
pub fn check_snapshot(name: &str, actual: &str) {
    let path = data(name);
    if std::env::var_os("PH_TAP_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing {}: run with PH_TAP_BLESS=1 to create it",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "output differs from {} (PH_TAP_BLESS=1 to accept)\n--- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    );
}

/// A `--boards` file `boards.toml` in `dir` of `boards` (name, GDB address), each an nRF52840
/// with the ELF `elf`.
pub fn boards_file(dir: &Path, boards: &[(&str, &str)], elf: &Path) -> PathBuf {
    let text: String = boards
        .iter()
        .map(|(name, addr)| {
            format!(
                "[[board]]\nname = \"{name}\"\nchip = \"nRF52840\"\ngdb = \"{addr}\"\nelf = {:?}\n\n",
                elf.display().to_string()
            )
        })
        .collect();
    let path = dir.join("boards.toml");
    std::fs::write(&path, text).unwrap();
    path
}
