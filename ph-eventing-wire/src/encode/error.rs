//! [`EncodeError`]: why a frame could not be encoded.

use core::fmt;

/// Why a frame could not be encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// The buffer is too small: give at least `needed` bytes.
    BufferTooSmall {
        /// A buffer size that is enough.
        needed: usize,
    },
    /// The value's `Serialize` implementation failed (or wrote more than its `MaxSize`).
    Serialize,
    /// The stream cannot be described on the wire (its id or name).
    Stream(crate::stream::StreamDescError),
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BufferTooSmall { needed } => {
                write!(f, "frame buffer too small: make it at least {needed} bytes")
            }
            Self::Serialize => f.write_str(
                "the value failed to serialize with postcard: check its Serialize/MaxSize impls",
            ),
            Self::Stream(e) => write!(f, "bad stream description: {e}"),
        }
    }
}

impl core::error::Error for EncodeError {}
