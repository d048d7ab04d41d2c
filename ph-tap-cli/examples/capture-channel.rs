//! Writes one channel of a ph-tap capture (`--save` of several channels, `docs/CAPTURE.md`) to
//! stdout as the raw stream it was: the telemetry for a ph-eventing tool, or the defmt channel
//! for `defmt-print`.
//!
//! ```text
//! cargo run -p ph-tap-cli --example capture-channel -- rtt.cap 0 | defmt-print -e app.elf
//! cargo run -p ph-tap-cli --example capture-channel -- rtt.cap ph-eventing > telemetry.bin
//! ```
//!
//! The channel is a number or a name, as the capture declares it.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use ph_tap::capture::{CaptureReader, Entry, channel_bytes};

fn main() -> ExitCode {
    match write_channel() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", ph_tap::one_line(&err));
            ExitCode::FAILURE
        }
    }
}

fn write_channel() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(wanted)) = (args.next(), args.next()) else {
        bail!("usage: capture-channel CAPTURE CHANNEL (a number or a name)");
    };
    let open = || {
        std::fs::File::open(&path)
            .with_context(|| format!("cannot open {path}: check the path (a --save capture)"))
    };
    // The channel by number, or by the name the capture gives it.
    let channel = match wanted.parse() {
        Ok(number) => number,
        Err(_) => {
            let mut reader = CaptureReader::new(open()?, &path)?;
            let mut found = None;
            while let Some(entry) = reader.read_entry()? {
                match entry {
                    Entry::Channel(c) if c.name.as_deref() == Some(wanted.as_str()) => {
                        found = Some(c.id);
                        break;
                    }
                    Entry::Chunk { .. } => break,
                    _ => {}
                }
            }
            found.with_context(|| format!("{path} declares no channel named '{wanted}'"))?
        }
    };
    let bytes = channel_bytes(open()?, &path, channel)?;
    std::io::stdout()
        .lock()
        .write_all(&bytes)
        .context("cannot write to stdout")
}
