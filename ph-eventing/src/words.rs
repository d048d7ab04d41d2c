//! [`Words`]: a slot's stamp and value held as machine words that are only ever read and
//! written with word-size atomic loads and stores.
//!
//! This is how the [`SeqRing`](crate::SeqRing)'s consumer can copy a slot the producer may be
//! overwriting at that very moment without a data race: every access to the slot's bytes is an
//! atomic access of the same width, so a torn copy is possible (and detected by the slot's stamp)
//! but undefined behaviour is not. Copying a value as integers requires every byte of it to be
//! initialised, which [`bytemuck::NoUninit`] promises (no padding, no `MaybeUninit`). The copy the
//! consumer takes is kept as words until its stamp says it is whole; only then is it read as a `T`,
//! so a torn copy is never turned into a value (which could be invalid for types such as `bool`).
//!
//! # Layout
//!
//! Where the value fits in one word beside its stamp (at most four bytes, four-aligned, on a
//! 64-bit target), a slot is that one word, `#[repr(C)] { stamp: u32, value: T }`
//! ([`Words::ONE_WORD`]): stamp and value are stored by one atomic store and loaded by one atomic
//! load, so that slot can never be torn. Otherwise word 0 is the stamp alone and the value
//! follows from word 1, word-aligned and padded to whole words, so the value's words are copied
//! from a staged value at the offsets it was written at (a value starting mid-word would make
//! some of those loads straddle two of the stores that staged it, which stalls x86 cores). Either
//! way the stamp is the first four bytes of word 0 ([`stamp_of`]). A slot takes the room of the
//! larger layout: on a 64-bit target a `u32`'s slot is one word used in two.

use core::mem::{MaybeUninit, size_of};

use bytemuck::NoUninit;

use crate::layout::SlotLayout;
use crate::sync::{AtomicUsize, Ordering};
#[cfg(not(loom))]
use core::cell::UnsafeCell;

/// A slot of one word: the stamp and a value that fits beside it.
#[repr(C)]
struct Packed<T> {
    _align: [usize; 0],
    stamp: u32,
    value: T,
}

/// A slot of several words: word 0 the stamp (as [`stamp_word`] makes it), the value from word 1,
/// padded at the end to whole words.
#[repr(C)]
struct Split<T> {
    stamp: usize,
    value: T,
}

/// A slot's bytes as the ring keeps them: [`Packed`] or [`Split`], as [`Words::ONE_WORD`] says,
/// aligned (and so padded) as the ring's [`SlotLayout`] says. The padding is never read or
/// written: only the first [`Words::WORDS`] words are.
///
/// Bytes that are padding in every field of a union need not survive a move of it, and a slot
/// is moved when its ring is (`SeqRing::new` returns the ring by value). Word 0 holds the stamp,
/// which a consumer may read before any push has written the slot: `first` covers word 0, so all
/// of its bytes are kept. The bytes after it are read only once a push has stored them.
#[cfg(not(loom))]
#[repr(C)]
union Image<T, L: SlotLayout> {
    packed: core::mem::ManuallyDrop<Packed<T>>,
    split: core::mem::ManuallyDrop<Split<T>>,
    first: usize,
    line: [L::Align; 0],
}

// Word 0 must hold the whole stamp.
const _: () = assert!(
    size_of::<usize>() >= size_of::<u32>(),
    "targets of 32 bits or more"
);

/// How far the stamp is shifted in word 0: it is the first four bytes in memory.
const STAMP_SHIFT: u32 = if cfg!(target_endian = "little") {
    0
} else {
    usize::BITS - u32::BITS
};

/// The stamp held in word 0 of a slot.
#[inline(always)]
pub(crate) const fn stamp_of(first: usize) -> u32 {
    (first >> STAMP_SHIFT) as u32
}

/// A word 0 holding `stamp`, the rest of it zero.
#[inline(always)]
pub(crate) const fn stamp_word(stamp: u32) -> usize {
    (stamp as usize) << STAMP_SHIFT
}

/// A slot's stamp and value staged in a local, ready to be stored word by word.
pub(crate) struct Staged<T>(MaybeUninit<Split<T>>);

/// A [`Staged`] slot once filled: every one of its words is initialised.
pub(crate) struct Filled<'a, T>(&'a MaybeUninit<Split<T>>);

impl<T: NoUninit> Staged<T> {
    /// Room for a slot's words.
    #[inline(always)]
    pub(crate) const fn new() -> Self {
        Self(MaybeUninit::uninit())
    }

    /// Writes `stamp` and `value` in place, every other byte zero.
    ///
    /// In place, not by moving a zeroed value in: a move need not keep padding bytes, which
    /// would leave them uninitialised.
    #[inline(always)]
    pub(crate) fn fill(&mut self, stamp: u32, value: T) -> Filled<'_, T> {
        let staged = self.0.as_mut_ptr();
        // SAFETY: zeroing a local's bytes, then writing two fields of one of the layouts (a
        // `Packed<T>` is never larger than the `Split<T>` room, and no more aligned), through
        // its raw pointer.
        unsafe {
            staged.write_bytes(0, 1);
            if Shape::<T>::ONE_WORD {
                let packed = staged.cast::<Packed<T>>();
                (&raw mut (*packed).stamp).write(stamp);
                (&raw mut (*packed).value).write(value);
            } else {
                (&raw mut (*staged).stamp).write(stamp_word(stamp));
                (&raw mut (*staged).value).write(value);
            }
        }
        Filled(&self.0)
    }
}

impl<T: NoUninit> Filled<'_, T> {
    /// Word `i` (`i < WORDS`).
    #[inline(always)]
    pub(crate) fn word(&self, i: usize) -> usize {
        debug_assert!(i < Shape::<T>::WORDS);
        // SAFETY: `i < WORDS` words lie in the staged slot, and each is initialised: the stamp,
        // the bytes of `value` because `T: NoUninit` has no padding or uninitialised bytes, and
        // the rest because it was zeroed in place and writing the two fields does not touch it.
        unsafe { self.0.as_ptr().cast::<usize>().add(i).read() }
    }
}

/// A copy of a slot taken word by word, not yet known to be whole.
pub(crate) struct Copied<T>(MaybeUninit<Split<T>>);

impl<T: NoUninit> Copied<T> {
    /// A copy whose word 0 is `first` and whose other words are not copied yet: the whole copy
    /// of a slot of one word ([`Shape::ONE_WORD`], as `latest` takes it from `head`), or the
    /// start of [`Words::copy`].
    #[inline(always)]
    pub(crate) fn from_first_word(first: usize) -> Self {
        let mut copy = MaybeUninit::<Split<T>>::uninit();
        // SAFETY: word 0 lies in the local `copy` (a slot is at least one word).
        unsafe { copy.as_mut_ptr().cast::<usize>().write(first) };
        Copied(copy)
    }

    /// The value, once the copy is known to be whole.
    ///
    /// # Safety
    ///
    /// Every word was copied from the words one and the same push stored for one `T` (the slot's
    /// stamp was the same before and after the copy, or the slot is one word).
    #[inline(always)]
    pub(crate) unsafe fn assume_whole(self) -> T {
        // SAFETY: the caller guarantees the words are those one push stored for a `T`, so the
        // bytes of `value` are exactly that value's bytes: a valid `T`. (Moves of the copy may
        // drop its padding bytes, never the bytes of a field.)
        unsafe {
            if Shape::<T>::ONE_WORD {
                (&raw const (*self.0.as_ptr().cast::<Packed<T>>()).value).read()
            } else {
                (&raw const (*self.0.as_ptr()).value).read()
            }
        }
    }
}

/// The storage of one slot as [`Words::WORDS`] machine words, laid out as `L` says.
pub(crate) struct Words<T, L: SlotLayout> {
    #[cfg(not(loom))]
    cell: UnsafeCell<Image<T, L>>,
    #[cfg(loom)]
    words: [AtomicUsize; LOOM_WORDS],
    #[cfg(loom)]
    _value: core::marker::PhantomData<(T, L)>,
}

/// The largest slot the loom build holds (loom has no atomic view of plain memory).
#[cfg(loom)]
const LOOM_WORDS: usize = 4;

/// The words of a slot of `T`, whatever the ring's layout.
pub(crate) struct Shape<T>(core::marker::PhantomData<T>);

impl<T: NoUninit> Shape<T> {
    /// The stamp and the value share one word: one store writes a slot, one load reads it.
    pub(crate) const ONE_WORD: bool = size_of::<Packed<T>>() == size_of::<usize>();

    /// How many words of a slot hold its stamp and value (the words a push stores and a read
    /// copies; a [`LinePerSlot`](crate::LinePerSlot) slot's padding after them is never
    /// touched).
    pub(crate) const WORDS: usize = if Self::ONE_WORD {
        1
    } else {
        size_of::<Split<T>>() / size_of::<usize>()
    };
}

impl<T: NoUninit, L: SlotLayout> Words<T, L> {
    /// See [`Shape::ONE_WORD`].
    pub(crate) const ONE_WORD: bool = Shape::<T>::ONE_WORD;

    /// See [`Shape::WORDS`].
    pub(crate) const WORDS: usize = Shape::<T>::WORDS;

    /// Storage of a slot never written: all zero bytes (stamp [`EMPTY`](crate::ring::slot::EMPTY)),
    /// so a `static` ring lands in `.bss`.
    #[cfg(not(loom))]
    pub(crate) const fn zeroed() -> Self {
        // SAFETY: all zero bytes are a valid `Image`: a union has no invalid values.
        let image = unsafe { MaybeUninit::<Image<T, L>>::zeroed().assume_init() };
        Self {
            cell: UnsafeCell::new(image),
        }
    }

    /// Storage of a slot never written (loom build).
    #[cfg(loom)]
    pub(crate) fn zeroed() -> Self {
        assert!(Self::WORDS <= LOOM_WORDS, "loom build: value too large");
        Self {
            words: core::array::from_fn(|_| AtomicUsize::new(0)),
            _value: core::marker::PhantomData,
        }
    }

    /// Word `i` as an atomic.
    #[cfg(not(loom))]
    #[inline(always)]
    pub(crate) fn word(&self, i: usize) -> &AtomicUsize {
        debug_assert!(i < Self::WORDS);
        // SAFETY: `Image<T, L>` is word-aligned (at least) and a whole number of words long, at
        // least `WORDS` (its `Split` field is `WORDS` words, or it is one word or more), so word `i`
        // (`i < WORDS`) lies inside the cell, aligned for `AtomicUsize`. Every access to these
        // bytes after the slot was built is through this function, as atomics of this one width,
        // so the bytes are never accessed non-atomically while they are shared.
        unsafe { AtomicUsize::from_ptr(self.cell.get().cast::<usize>().add(i)) }
    }

    /// Word `i` as an atomic (loom build).
    #[cfg(loom)]
    #[inline(always)]
    pub(crate) fn word(&self, i: usize) -> &AtomicUsize {
        &self.words[i]
    }

    /// A copy whose word 0 is `first` (already loaded) and whose other words are loaded now,
    /// relaxed. The copy may be torn if a push runs at the same time; the caller finds out from
    /// the stamp.
    #[inline(always)]
    pub(crate) fn copy(&self, first: usize) -> Copied<T> {
        let mut copy = Copied::from_first_word(first);
        let out = copy.0.as_mut_ptr().cast::<usize>();
        for i in 1..Self::WORDS {
            let word = self.word(i).load(Ordering::Relaxed);
            // SAFETY: `i < WORDS` words lie in the local `copy`.
            unsafe { out.add(i).write(word) };
        }
        copy
    }
}
