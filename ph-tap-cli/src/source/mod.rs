//! Sources: everything ph-tap reads (a probe's RTT channels, a TCP server, a file or stdin, the
//! demo) is a [`Source`] of byte chunks tagged with their channel, so all of them feed the same
//! router, decoders and sinks.
//!
//! A new source is one more file here (or beside its back end, as [`crate::demo`] is)
//! implementing [`Source`].

mod capture;
mod probe;
mod reader;
mod reconnect;
mod tcp;

pub use capture::{CaptureSource, Recording};
pub use probe::ProbeSource;
pub use reader::ReaderSource;
pub use reconnect::{Connect, Reconnecting};
pub use tcp::TcpSource;

use std::fmt;
use std::time::Duration;

use crate::channel::Channel;
use crate::record::ChannelId;

/// The one text of each event, as ph-tap shows it on stderr.
///
/// ```
/// use ph_tap::source::SourceEvent;
/// let lost = SourceEvent::Lost { what: "probe", reason: "USB error".into() };
/// assert_eq!(lost.to_string(), "probe gone: waiting for it to come back (Ctrl-C to stop) (cause: USB error)");
/// ```
impl fmt::Display for SourceEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Lost { what, reason } => write!(
                f,
                "{what} gone: waiting for it to come back (Ctrl-C to stop) (cause: {reason})"
            ),
            Self::Back { what, away } => write!(
                f,
                "{what} back after {:.1} s: reading again",
                away.as_secs_f64()
            ),
            Self::Reattached { control_block } => write!(
                f,
                "RTT control block set up again at {control_block:#010x} (target reset or re-flashed): reading again"
            ),
            Self::Skipped { reason } => write!(f, "warning: {reason}"),
        }
    }
}

/// What one [`Source::poll`] produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Poll {
    /// `len` bytes of `channel` were written to the front of the buffer.
    Data {
        /// The channel they belong to.
        channel: ChannelId,
        /// How many.
        len: usize,
    },
    /// When what this source yields from now on (data and events, until the next `Time`)
    /// happened, as recorded: the time since the recording started. Only a source replaying a
    /// recording says this (a capture file, [`CaptureSource`]); the pipeline then shows these
    /// times instead of stamping chunks as they arrive, and the run lasts the recorded time.
    /// Live sources never say it. A consumer that has no use for times ignores it: the data
    /// comes as [`Poll::Data`] all the same.
    Time(Duration),
    /// Nothing new right now; poll again later (the source has already waited a little).
    Idle,
    /// The source is finished (end of file, peer closed the connection, demo done).
    End,
    /// Something happened to the source itself (not to the stream it carries).
    Event(SourceEvent),
}

/// What can happen to a source while it is read: a live one going away and coming back, or a
/// recording being replayed that has a part this ph-tap leaves out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceEvent {
    /// The source went away (probe unplugged, server gone); it is being waited for.
    Lost {
        /// What went away: `probe`, `GDB server`, `RTT server`.
        what: &'static str,
        /// Why, as one line.
        reason: String,
    },
    /// The source is back after being [`Lost`](Self::Lost), and reading goes on.
    Back {
        /// What came back.
        what: &'static str,
        /// How long it was away.
        away: Duration,
    },
    /// The target's RTT control block changed under the reader (a reset or a re-flash): it was
    /// found again and reading goes on.
    Reattached {
        /// Where the control block is now.
        control_block: u64,
    },
    /// Part of a recording being replayed was left out: a last record cut short (a crash or a
    /// full disk while it was written), or a channel this ph-tap cannot decode. What could be
    /// read was read; said once each.
    Skipped {
        /// What was left out and why, as one line.
        reason: String,
    },
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
    /// The channels this source yields and what each carries (asked once, before the first
    /// poll). The default: one telemetry channel, 0.
    fn channels(&self) -> Vec<Channel> {
        vec![Channel::telemetry()]
    }

    /// Reads the next bytes into `buf`.
    ///
    /// An error means the source is gone (probe unplugged, connection reset): for this source it
    /// is final; [`Reconnecting`] around it turns it into waiting and connecting again.
    fn poll(&mut self, buf: &mut [u8]) -> anyhow::Result<Poll>;
}
