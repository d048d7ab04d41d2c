//! [`Slot`]: one position of a [`SeqRing`](crate::SeqRing): a stamp saying which item it holds,
//! and the item's value as machine words.

use bytemuck::NoUninit;

use crate::layout::SlotLayout;
use crate::sync::{Ordering, load_word_acquire, stamp_fence};
use crate::words::{Staged, Words, stamp_of, stamp_word};

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
/// The stamp is the sequence number of the item the words hold, a [`busy_mark`], or [`EMPTY`];
/// it is the first four bytes of word 0 (see [`Words`]). Only the producer writes a slot; the
/// consumer reads the stamp, copies the words and reads the stamp again (or, for a slot of one
/// word, reads the stamp and the value in one load).
pub(crate) struct Slot<T, L: SlotLayout> {
    words: Words<T, L>,
}

impl<T: NoUninit, L: SlotLayout> Slot<T, L> {
    /// A slot never written: stamp and words all zero.
    #[cfg(not(loom))]
    pub(crate) const fn empty() -> Self {
        Self {
            words: Words::zeroed(),
        }
    }

    /// A slot never written (loom build).
    #[cfg(loom)]
    pub(crate) fn empty() -> Self {
        Self {
            words: Words::zeroed(),
        }
    }

    /// Stores item `seq` (`value`), the push after `newest`, so that a consumer never takes a
    /// torn copy for a whole one, and ends with a release fence: whatever the caller stores next
    /// (`head`) publishes the slot.
    ///
    /// - A slot of several words: stamp := [`busy_mark`]; release fence; the words after word 0;
    ///   release fence; word 0 (the stamp `seq`, and whatever of the value shares its word). A
    ///   consumer that copied any word of this push sees the busy mark or `seq`'s word 0 when it
    ///   loads the stamp again after its acquire fence.
    /// - A slot of one word: that word (stamp and value in one store, never torn); release fence.
    ///
    /// Returns what `head` is to hold: the slot's word 0 where a slot is one word, `seq`'s stamp
    /// word otherwise.
    #[inline(always)]
    pub(crate) fn write<const N: usize>(&self, newest: u32, seq: u32, value: T) -> usize {
        let mut staged = Staged::new();
        let staged = staged.fill(seq, value);
        if Words::<T, L>::ONE_WORD {
            let word = staged.word(0);
            self.words.word(0).store(word, Ordering::Relaxed);
            stamp_fence(Ordering::Release);
            return word;
        }
        self.words
            .word(0)
            .store(stamp_word(busy_mark::<N>(newest)), Ordering::Relaxed);
        stamp_fence(Ordering::Release);
        for i in 1..Words::<T, L>::WORDS {
            self.words.word(i).store(staged.word(i), Ordering::Relaxed);
        }
        stamp_fence(Ordering::Release);
        self.words.word(0).store(staged.word(0), Ordering::Relaxed);
        stamp_word(seq)
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

impl<T: NoUninit, L: SlotLayout> Slot<T, L> {
    /// Copies item `seq` out of the slot, if the slot holds it whole: word 0 with the stamp
    /// (acquire), the other words, an acquire fence, the stamp again. The copy becomes a `T` only
    /// when both stamps say `seq`. A slot of one word is whole when its one load says `seq`.
    #[inline(always)]
    pub(crate) fn read(&self, seq: u32) -> Result<T, Missed> {
        let first = if Words::<T, L>::ONE_WORD {
            self.words.word(0).load(Ordering::Relaxed)
        } else {
            load_word_acquire(self.words.word(0))
        };
        let stamp = stamp_of(first);
        if stamp != seq {
            return Err(Missed::Holds(stamp));
        }
        let copy = self.words.copy(first);
        if !Words::<T, L>::ONE_WORD {
            stamp_fence(Ordering::Acquire);
            if stamp_of(self.words.word(0).load(Ordering::Relaxed)) != seq {
                return Err(Missed::Torn);
            }
        }
        // SAFETY: the slot is one word, loaded once, stamp and value stored together by one
        // push; or the stamp said `seq` before and after the copy, with the fences of the stamp
        // protocol between them, so no push wrote the words meanwhile. Either way the words are
        // the ones push `seq` stored.
        Ok(unsafe { copy.assume_whole() })
    }
}
