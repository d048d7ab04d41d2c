//! `--save FILE`: every byte received, as received, flushed after each chunk, so the file is
//! complete up to the last chunk received even if ph-tap or the probe dies. `ph-tap decode
//! FILE` replays it with the same output.
//!
//! What is written depends on the source's channels ([`SaveFormat::for_channels`]): one
//! telemetry channel is saved as its raw bytes (the ph-eventing byte stream itself, which any
//! ph-eventing tool reads); anything else (several channels, or a log or text channel) as a
//! capture ([`crate::capture`], `docs/CAPTURE.md`): every channel's bytes in arrival order,
//! each chunk with its channel and arrival time, behind a table of the channels' names and
//! kinds, and what happened to the source (gone, back, RTT found again) with its time.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};

use super::{Sink, Stats};
use crate::capture::CaptureWriter;
use crate::channel::{Channel, ChannelKind};
use crate::record::ChannelId;
use crate::source::SourceEvent;

/// What `--save` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaveFormat {
    /// The raw bytes of the one channel: a bare ph-eventing byte stream, byte-exact.
    Raw,
    /// A capture: every channel's bytes with their channel and arrival time.
    Capture,
}

impl SaveFormat {
    /// The format for a source yielding `channels`: [`Raw`](Self::Raw) for one telemetry
    /// channel (what `--save` has always written, and what other ph-eventing tools read),
    /// [`Capture`](Self::Capture) otherwise, since raw bytes cannot keep several channels apart
    /// nor say that a channel is not telemetry.
    ///
    /// ```
    /// use ph_tap::channel::{Channel, ChannelKind};
    /// use ph_tap::sink::save::SaveFormat;
    /// assert_eq!(SaveFormat::for_channels(&[Channel::telemetry()]), SaveFormat::Raw);
    /// let logs = Channel { id: 0, name: Some("defmt".into()), kind: ChannelKind::Defmt };
    /// assert_eq!(SaveFormat::for_channels(&[logs.clone()]), SaveFormat::Capture);
    /// let telemetry = Channel { id: 1, ..Channel::telemetry() };
    /// assert_eq!(SaveFormat::for_channels(&[logs, telemetry]), SaveFormat::Capture);
    /// ```
    pub fn for_channels(channels: &[Channel]) -> Self {
        match channels {
            [only] if only.kind == ChannelKind::PhEventing => Self::Raw,
            _ => Self::Capture,
        }
    }
}

enum Out {
    Raw { file: File, channel: ChannelId },
    Capture(CaptureWriter<File>),
}

/// The `--save` file: raw bytes or a capture, as [`SaveFormat::for_channels`] says.
///
/// ```
/// use std::time::Duration;
/// use ph_tap::channel::{Channel, ChannelKind};
/// use ph_tap::sink::{SaveSink, Sink, save::SaveFormat};
///
/// let dir = tempfile::tempdir()?;
/// // One telemetry channel: the raw bytes.
/// let path = dir.path().join("run.bin");
/// let mut sink = SaveSink::create(&path, &[Channel::telemetry()])?;
/// sink.bytes(0, Duration::from_millis(3), b"\x00\x03\x2a")?;
/// assert_eq!(std::fs::read(&path)?, b"\x00\x03\x2a");
/// // Logs beside it: a capture.
/// let logs = Channel { id: 1, name: Some("defmt".into()), kind: ChannelKind::Defmt };
/// let path = dir.path().join("run.cap");
/// let mut sink = SaveSink::create(&path, &[Channel::telemetry(), logs])?;
/// assert_eq!(sink.format(), SaveFormat::Capture);
/// sink.bytes(1, Duration::from_millis(3), b"\x01\x02")?;
/// assert!(ph_tap::capture::is_capture(&std::fs::read(&path)?));
/// # Ok::<(), anyhow::Error>(())
/// ```
pub struct SaveSink {
    out: Out,
    path: PathBuf,
}

impl SaveSink {
    /// Creates (truncates) `path` for a source yielding `channels`; a capture's header (the
    /// channel table) is written at once.
    pub fn create(path: &Path, channels: &[Channel]) -> Result<Self> {
        let file = File::create(path).with_context(|| {
            format!(
                "cannot create --save file {}: check the directory exists and is writable",
                path.display()
            )
        })?;
        let out = match SaveFormat::for_channels(channels) {
            SaveFormat::Raw => Out::Raw {
                file,
                channel: channels[0].id,
            },
            SaveFormat::Capture => Out::Capture(
                CaptureWriter::new(file, channels).with_context(|| write_failed(path))?,
            ),
        };
        Ok(Self {
            out,
            path: path.to_owned(),
        })
    }

    /// The file written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What is written to it.
    pub fn format(&self) -> SaveFormat {
        match self.out {
            Out::Raw { .. } => SaveFormat::Raw,
            Out::Capture(_) => SaveFormat::Capture,
        }
    }
}

fn write_failed(path: &Path) -> String {
    format!(
        "cannot write --save file {}: is the disk full?",
        path.display()
    )
}

impl Sink for SaveSink {
    fn bytes(&mut self, channel: ChannelId, at: Duration, bytes: &[u8]) -> Result<()> {
        let written = match &mut self.out {
            // Another channel than the one announced is not reached: the source reads only
            // the channels it was asked for.
            Out::Raw { channel: only, .. } if *only != channel => return Ok(()),
            Out::Raw { file, .. } => file.write_all(bytes).and_then(|()| file.flush()),
            Out::Capture(writer) => writer.chunk(channel, at, bytes),
        };
        written.with_context(|| write_failed(&self.path))
    }

    fn source_event(&mut self, at: Duration, event: &SourceEvent) -> Result<()> {
        match &mut self.out {
            Out::Raw { .. } => Ok(()),
            Out::Capture(writer) => writer
                .event(at, event)
                .with_context(|| write_failed(&self.path)),
        }
    }

    fn finish(&mut self, stats: &Stats) -> Result<()> {
        match &mut self.out {
            Out::Raw { .. } => Ok(()),
            Out::Capture(writer) => writer
                .end(stats.elapsed)
                .with_context(|| write_failed(&self.path)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{CaptureReader, Entry};

    #[test]
    fn one_telemetry_channel_is_saved_raw() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cap.bin");
        let data: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        let mut sink = SaveSink::create(&path, &[Channel::telemetry()]).unwrap();
        assert_eq!(sink.format(), SaveFormat::Raw);
        for (k, chunk) in data.chunks(777).enumerate() {
            sink.bytes(0, Duration::from_millis(k as u64), chunk)
                .unwrap();
        }
        sink.source_event(
            Duration::from_secs(1),
            &SourceEvent::Reattached { control_block: 1 },
        )
        .unwrap();
        sink.finish(&Stats::default()).unwrap();
        assert_eq!(
            std::fs::read(&path).unwrap(),
            data,
            "byte-exact, nothing added"
        );
    }

    #[test]
    fn several_channels_share_one_capture_in_arrival_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cap.bin");
        let channels = [
            Channel {
                id: 0,
                name: Some("defmt".into()),
                kind: ChannelKind::Defmt,
            },
            Channel {
                id: 2,
                name: Some("ph-eventing".into()),
                kind: ChannelKind::PhEventing,
            },
        ];
        let mut sink = SaveSink::create(&path, &channels).unwrap();
        assert_eq!(sink.format(), SaveFormat::Capture);
        let ms = Duration::from_millis;
        sink.bytes(2, ms(1), b"two").unwrap();
        sink.bytes(0, ms(2), b"zero").unwrap();
        let gone = SourceEvent::Lost {
            what: "probe",
            reason: "USB error".into(),
        };
        sink.source_event(ms(3), &gone).unwrap();
        sink.bytes(2, ms(4), b"!").unwrap();
        // Each chunk is in the file as soon as it was handed over.
        let mut reader = CaptureReader::new(File::open(&path).unwrap(), "cap").unwrap();
        let mut entries = Vec::new();
        while let Some(entry) = reader.read_entry().unwrap() {
            entries.push(entry);
        }
        let chunk = |channel, at, data: &[u8]| Entry::Chunk {
            channel,
            at,
            data: data.to_vec(),
        };
        assert_eq!(
            entries,
            [
                Entry::Channel(channels[0].clone()),
                Entry::Channel(channels[1].clone()),
                chunk(2, ms(1), b"two"),
                chunk(0, ms(2), b"zero"),
                Entry::Event {
                    at: ms(3),
                    event: gone
                },
                chunk(2, ms(4), b"!"),
            ]
        );
        let stats = Stats {
            elapsed: ms(9),
            ..Stats::default()
        };
        sink.finish(&stats).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let mut reader = CaptureReader::new(&bytes[..], "cap").unwrap();
        let last = std::iter::from_fn(|| reader.read_entry().unwrap()).last();
        assert_eq!(last, Some(Entry::End { at: ms(9) }));
    }

    #[test]
    fn a_lone_log_channel_is_a_capture_so_its_kind_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("logs.cap");
        let logs = Channel {
            id: 0,
            name: Some("defmt".into()),
            kind: ChannelKind::Defmt,
        };
        let sink = SaveSink::create(&path, std::slice::from_ref(&logs)).unwrap();
        assert_eq!(sink.format(), SaveFormat::Capture);
        let bytes = std::fs::read(&path).unwrap();
        let mut reader = CaptureReader::new(&bytes[..], "logs").unwrap();
        assert_eq!(reader.read_entry().unwrap(), Some(Entry::Channel(logs)));
        assert_eq!(reader.read_entry().unwrap(), None);
    }
}
