//! `--save FILE`: tees every byte received to a file, flushed after each chunk, so the capture
//! is complete up to the last byte received even if ph-tap or the probe dies.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::{ByteSource, Poll};

/// A source that writes what it reads to a file before handing it on.
pub struct SaveTee<S> {
    inner: S,
    file: File,
    path: PathBuf,
}

impl<S: ByteSource> SaveTee<S> {
    /// Creates (truncates) `path` and tees `inner` into it.
    pub fn new(inner: S, path: &Path) -> Result<Self> {
        let file = File::create(path).with_context(|| {
            format!(
                "cannot create --save file {}: check the directory exists and is writable",
                path.display()
            )
        })?;
        Ok(Self {
            inner,
            file,
            path: path.to_owned(),
        })
    }
}

impl<S: ByteSource> ByteSource for SaveTee<S> {
    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn poll(&mut self, buf: &mut [u8]) -> Result<Poll> {
        let polled = self.inner.poll(buf)?;
        if let Poll::Data(n) = polled {
            self.file
                .write_all(&buf[..n])
                .and_then(|()| self.file.flush())
                .with_context(|| {
                    format!(
                        "cannot write --save file {}: is the disk full?",
                        self.path.display()
                    )
                })?;
        }
        Ok(polled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::reader::ReaderSource;

    #[test]
    fn everything_read_is_in_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cap.bin");
        let data: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        let mut tee = SaveTee::new(ReaderSource::new(&data[..], "mem"), &path).unwrap();
        let mut buf = [0u8; 777];
        let mut seen = Vec::new();
        while let Poll::Data(n) = tee.poll(&mut buf).unwrap() {
            seen.extend_from_slice(&buf[..n]);
        }
        assert_eq!(seen, data);
        assert_eq!(std::fs::read(&path).unwrap(), data);
    }
}
