//! Sources: everything ph-tap reads (a probe's RTT channels, a TCP server, a file or stdin, the
//! demo) is a [`Source`] of byte chunks tagged with their channel, so all of them feed the same
//! router, decoders and sinks.
//!
//! A new source is one more file here (or beside its back end, as [`crate::demo`] is)
//! implementing [`Source`].

mod probe;
mod reader;
mod tcp;

pub use probe::ProbeSource;
pub use reader::ReaderSource;
pub use tcp::TcpSource;

use crate::record::ChannelId;

/// What one [`Source::poll`] produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Poll {
    /// `len` bytes of `channel` were written to the front of the buffer.
    Data {
        /// The channel they belong to.
        channel: ChannelId,
        /// How many.
        len: usize,
    },
    /// Nothing new right now; poll again later (the source has already waited a little).
    Idle,
    /// The source is finished (end of file, peer closed the connection, demo done).
    End,
}

impl Poll {
    /// `len` bytes of channel 0, the only channel of single-stream sources.
    pub const fn data(len: usize) -> Self {
        Self::Data { channel: 0, len }
    }
}

/// A stream of raw bytes from the target, on one or more channels.
///
/// Implementations must not spin: when nothing is available they should wait a few
/// milliseconds (or block) before returning [`Poll::Idle`].
pub trait Source: Send {
    /// Reads the next bytes into `buf`.
    ///
    /// An error means the source is gone (probe unplugged, connection reset); it is final.
    fn poll(&mut self, buf: &mut [u8]) -> anyhow::Result<Poll>;
}
