//! [`Slot`]: one position of a [`SeqRing`](crate::SeqRing): a stamp saying which item it holds,
//! and the item's value as machine words.

use bytemuck::NoUninit;

use crate::sync::{AtomicU32, Ordering, load_acquire, stamp_fence};
use crate::words::Words;

/// The stamp of a slot never written. `0` is never a sequence number.
pub(crate) const EMPTY: u32 = 0;

/// The stamp a push writes first, to mark the slot busy while it writes the words: the previous
/// sequence number `newest` (the value `head` has), which the producer has in a register anyway.
///
/// It never matches an item the consumer could want from this slot: with `N >= 2`, `newest`
/// belongs to the slot before this one, and every item the consumer may look for here is within
/// `N` of `head` (it skips ahead when it falls further behind), so it is either the item being
/// overwritten (`newest + 1 - N`) or the one being written (`newest + 1`). With `N == 1` the item
/// being overwritten *is* `newest`, so that ring marks its slot with [`EMPTY`] instead (a
/// compile-time choice).
#[inline(always)]
pub(crate) const fn busy_mark<const N: usize>(newest: u32) -> u32 {
    if N == 1 { EMPTY } else { newest }
}

/// One position of the ring.
///
/// The stamp is the sequence number of the item the words hold, a [`busy_mark`], or [`EMPTY`]. Only the producer
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
            stamp: AtomicU32::new(EMPTY),
            words: Words::zeroed(),
        }
    }

    /// A slot never written (loom build).
    #[cfg(loom)]
    pub(crate) fn empty() -> Self {
        Self {
            stamp: AtomicU32::new(EMPTY),
            words: Words::zeroed(),
        }
    }
}

/// Why [`Slot::read`] did not return the item it was asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Missed {
    /// The stamp said another item (or a busy mark, or [`EMPTY`]): this one.
    Holds(u32),
    /// The stamp said the item, but it changed during the copy: a push overwrote it meanwhile.
    Torn,
}

impl<T: NoUninit> Slot<T> {
    /// Copies item `seq` out of the slot, if the slot holds it whole: stamp (acquire), the words,
    /// an acquire fence, the stamp again. The copy becomes a `T` only when both stamps say `seq`.
    #[inline(always)]
    pub(crate) fn read(&self, seq: u32) -> Result<T, Missed> {
        let stamp = load_acquire(&self.stamp);
        if stamp != seq {
            return Err(Missed::Holds(stamp));
        }
        let copy = self.words.load();
        stamp_fence(Ordering::Acquire);
        if self.stamp.load(Ordering::Relaxed) != seq {
            return Err(Missed::Torn);
        }
        // SAFETY: the stamp said `seq` before and after the copy, with the fences of the stamp
        // protocol between them, so no push wrote the words meanwhile: they are the ones push
        // `seq` stored.
        Ok(unsafe { copy.assume_whole() })
    }
}
