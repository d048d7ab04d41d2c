//! Live byte sources: everything ph-tap reads (probe RTT, TCP, a file, stdin, the demo) is a
//! [`ByteSource`], so all of them feed the same decode and display pipeline.

pub mod probe;
pub mod reader;
pub mod save;
pub mod tcp;

/// What one [`ByteSource::poll`] produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Poll {
    /// This many bytes were written to the front of the buffer.
    Data(usize),
    /// Nothing new right now; poll again later (the source has already waited a little).
    Idle,
    /// The source is finished (end of file, peer closed the connection, demo done).
    End,
}

/// A stream of raw bytes from the target.
///
/// Implementations must not spin: when nothing is available they should wait a few
/// milliseconds (or block) before returning [`Poll::Idle`].
pub trait ByteSource: Send {
    /// A short human description for messages, e.g. `tcp 127.0.0.1:19021`.
    fn describe(&self) -> String;

    /// Reads the next bytes into `buf`.
    ///
    /// An error means the source is gone (probe unplugged, connection reset); it is final.
    fn poll(&mut self, buf: &mut [u8]) -> anyhow::Result<Poll>;
}
