//! A file, a pipe or stdin as a [`ByteSource`].

use std::io::{ErrorKind, Read};

use anyhow::Context;

use super::{ByteSource, Poll};

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

impl<R: Read + Send> ByteSource for ReaderSource<R> {
    fn describe(&self) -> String {
        self.name.clone()
    }

    fn poll(&mut self, buf: &mut [u8]) -> anyhow::Result<Poll> {
        loop {
            return match self.reader.read(buf) {
                Ok(0) => Ok(Poll::End),
                Ok(n) => Ok(Poll::Data(n)),
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
        assert_eq!(source.poll(&mut buf).unwrap(), Poll::Data(3));
        assert_eq!(&buf[..3], b"abc");
        assert_eq!(source.poll(&mut buf).unwrap(), Poll::End);
    }
}
