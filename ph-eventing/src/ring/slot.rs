//! [`Slot`]: one position of a [`SeqRing`](crate::SeqRing): a stamp saying which item it holds,
//! and the item's value as machine words.

use bytemuck::NoUninit;

use crate::sync::AtomicU32;
use crate::words::Words;

/// The stamp of a slot being written: the producer is between its two fences. `0` is never a
/// sequence number, and a slot never written also reads as `0`.
pub(crate) const BUSY: u32 = 0;

/// One position of the ring.
///
/// The stamp is the sequence number of the item the words hold, or [`BUSY`]. Only the producer
/// writes a slot; the consumer reads the stamp, copies the words and reads the stamp again.
#[repr(C)]
pub(crate) struct Slot<T> {
    pub(crate) stamp: AtomicU32,
    pub(crate) words: Words<T>,
}

impl<T: NoUninit> Slot<T> {
    /// A slot never written: stamp and words all zero.
    #[cfg(not(loom))]
    pub(crate) const fn empty() -> Self {
        Self {
            stamp: AtomicU32::new(BUSY),
            words: Words::zeroed(),
        }
    }

    /// A slot never written (loom build).
    #[cfg(loom)]
    pub(crate) fn empty() -> Self {
        Self {
            stamp: AtomicU32::new(BUSY),
            words: Words::zeroed(),
        }
    }
}
