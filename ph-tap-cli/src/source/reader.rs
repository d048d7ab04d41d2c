//! A file, a pipe or stdin as a [`Source`].

use std::io::{ErrorKind, Read};

use anyhow::Context;

use super::{Poll, Source};

/// Any blocking reader (file, stdin) as a source; end of input ends the stream.
pub struct ReaderSource<R> {
    reader: R,
    name: String,
}

impl<R: Read + Send> ReaderSource<R> {
    /// Wraps `reader`, described as `name` in messages.
    pub fn new(reader: R, name: impl Into<String>) -> Self {
        Self {
            reader,
            name: name.into(),
        }
    }
}

impl<R: Read + Send> Source for ReaderSource<R> {
    fn poll(&mut self, buf: &mut [u8]) -> anyhow::Result<Poll> {
        loop {
            return match self.reader.read(buf) {
                Ok(0) => Ok(Poll::End),
                Ok(n) => Ok(Poll::data(n)),
                Err(err) if err.kind() == ErrorKind::Interrupted => continue,
                Err(err) => Err(err).with_context(|| format!("reading {} failed", self.name)),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_then_ends() {
        let mut source = ReaderSource::new(&b"abc"[..], "test");
        let mut buf = [0u8; 8];
        assert_eq!(source.poll(&mut buf).unwrap(), Poll::data(3));
        assert_eq!(&buf[..3], b"abc");
        assert_eq!(source.poll(&mut buf).unwrap(), Poll::End);
    }
}
