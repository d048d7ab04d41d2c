//! `--save FILE`: every byte received, as received, flushed after each chunk, so the capture is
//! complete up to the last byte received even if ph-tap or the probe dies. `ph-tap decode FILE`
//! replays it.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};

use super::Sink;
use crate::record::ChannelId;

/// Raw bytes to files: one file for a single-channel source, one per channel otherwise.
pub struct SaveSink {
    files: BTreeMap<ChannelId, (File, PathBuf)>,
}

impl SaveSink {
    /// Creates (truncates) the capture files of `channels`: `path` itself when there is one
    /// channel, else `STEM.chN.EXT` beside it for each channel `N` (see [`channel_path`]).
    pub fn create(path: &Path, channels: &[ChannelId]) -> Result<Self> {
        let mut files = BTreeMap::new();
        for &channel in channels {
            let path = if channels.len() == 1 {
                path.to_owned()
            } else {
                channel_path(path, channel)
            };
            let file = File::create(&path).with_context(|| {
                format!(
                    "cannot create --save file {}: check the directory exists and is writable",
                    path.display()
                )
            })?;
            files.insert(channel, (file, path));
        }
        Ok(Self { files })
    }

    /// The files written, in channel order.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.values().map(|(_, path)| path.as_path())
    }
}

/// The capture file of `channel` when several channels are saved: `run.bin` → `run.ch1.bin`.
///
/// ```
/// use std::path::Path;
/// use ph_tap::sink::save::channel_path;
/// assert_eq!(channel_path(Path::new("out/run.bin"), 1), Path::new("out/run.ch1.bin"));
/// assert_eq!(channel_path(Path::new("run"), 0), Path::new("run.ch0"));
/// ```
pub fn channel_path(path: &Path, channel: ChannelId) -> PathBuf {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let name = match path.extension() {
        Some(ext) => format!("{stem}.ch{channel}.{}", ext.to_string_lossy()),
        None => format!("{stem}.ch{channel}"),
    };
    path.with_file_name(name)
}

impl Sink for SaveSink {
    fn bytes(&mut self, channel: ChannelId, _at: Duration, bytes: &[u8]) -> Result<()> {
        // A channel that was not announced has nowhere to go: the source reads only the
        // channels it was asked for, so this is not reached.
        let Some((file, path)) = self.files.get_mut(&channel) else {
            return Ok(());
        };
        file.write_all(bytes)
            .and_then(|()| file.flush())
            .with_context(|| {
                format!(
                    "cannot write --save file {}: is the disk full?",
                    path.display()
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_written_is_in_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cap.bin");
        let data: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        let mut sink = SaveSink::create(&path, &[0]).unwrap();
        for chunk in data.chunks(777) {
            sink.bytes(0, Duration::ZERO, chunk).unwrap();
        }
        assert_eq!(std::fs::read(&path).unwrap(), data);
    }

    #[test]
    fn several_channels_get_a_file_each() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cap.bin");
        let mut sink = SaveSink::create(&path, &[0, 2]).unwrap();
        sink.bytes(2, Duration::ZERO, b"two").unwrap();
        sink.bytes(0, Duration::ZERO, b"zero").unwrap();
        sink.bytes(2, Duration::ZERO, b"!").unwrap();
        let paths: Vec<_> = sink.paths().map(Path::to_owned).collect();
        assert_eq!(
            paths,
            [
                dir.path().join("cap.ch0.bin"),
                dir.path().join("cap.ch2.bin")
            ]
        );
        assert_eq!(std::fs::read(&paths[0]).unwrap(), b"zero");
        assert_eq!(std::fs::read(&paths[1]).unwrap(), b"two!");
        assert!(!path.exists());
    }
}
