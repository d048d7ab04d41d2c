//! [`Words`]: a value of a plain-data type held as machine words that are only ever read and
//! written with word-size atomic loads and stores.
//!
//! This is how the [`SeqRing`](crate::SeqRing)'s consumer can copy a slot the producer may be
//! overwriting at that very moment without a data race: every access to the slot's bytes is an
//! atomic access of the same width, so a torn copy is possible (and detected by the slot's stamp)
//! but undefined behaviour is not. Copying a value as integers requires every byte of it to be
//! initialised, which [`bytemuck::NoUninit`] promises (no padding, no `MaybeUninit`). The copy the
//! consumer takes is kept as words until its stamp says it is whole; only then is it read as a `T`,
//! so a torn copy is never turned into a value (which could be invalid for types such as `bool`).

use core::mem::{MaybeUninit, size_of};

use bytemuck::NoUninit;

#[cfg(not(loom))]
use core::cell::UnsafeCell;
#[cfg(not(loom))]
use core::sync::atomic::AtomicUsize;
#[cfg(loom)]
use loom::sync::atomic::AtomicUsize;

use crate::sync::Ordering;

/// `T` padded at its end to whole machine words, and aligned to a word.
#[repr(C)]
pub(crate) struct Padded<T> {
    _align: [usize; 0],
    value: T,
}

impl<T> Padded<T> {
    /// How many words a `T` takes.
    pub(crate) const WORDS: usize = size_of::<Self>() / size_of::<usize>();
}

/// A copy of a value taken word by word, not yet known to be whole.
pub(crate) struct Copied<T>(MaybeUninit<Padded<T>>);

impl<T: NoUninit> Copied<T> {
    /// The value, once the copy is known to be whole.
    ///
    /// # Safety
    ///
    /// Every word was copied from one and the same [`Words::store`] of a `T` (the slot's stamp
    /// was the same before and after the copy).
    #[inline(always)]
    pub(crate) unsafe fn assume_whole(self) -> T {
        // SAFETY: the caller guarantees the words are those a `store` wrote for one `T`, so the
        // bytes of `value` are exactly that value's bytes: a valid `T`.
        unsafe { self.0.assume_init().value }
    }
}

/// The storage of one value of `T` as [`Padded::WORDS`] machine words.
pub(crate) struct Words<T> {
    #[cfg(not(loom))]
    cell: UnsafeCell<MaybeUninit<Padded<T>>>,
    #[cfg(loom)]
    words: [AtomicUsize; LOOM_WORDS],
    #[cfg(loom)]
    _value: core::marker::PhantomData<T>,
}

/// The largest value the loom build holds (loom has no atomic view of plain memory).
#[cfg(loom)]
const LOOM_WORDS: usize = 4;

impl<T: NoUninit> Words<T> {
    /// Storage holding zero words: all zero bytes, so a `static` ring lands in `.bss`. (The
    /// bytes after `T`'s, padding of `Padded<T>`, may not survive the move into the cell; nothing
    /// reads a slot's words before a push has stored all of them.)
    #[cfg(not(loom))]
    pub(crate) const fn zeroed() -> Self {
        Self {
            cell: UnsafeCell::new(MaybeUninit::zeroed()),
        }
    }

    /// Storage holding zero words (loom build).
    #[cfg(loom)]
    pub(crate) fn zeroed() -> Self {
        assert!(
            Padded::<T>::WORDS <= LOOM_WORDS,
            "loom build: value too large"
        );
        Self {
            words: core::array::from_fn(|_| AtomicUsize::new(0)),
            _value: core::marker::PhantomData,
        }
    }

    /// Word `i` as an atomic.
    #[cfg(not(loom))]
    #[inline(always)]
    fn word(&self, i: usize) -> &AtomicUsize {
        debug_assert!(i < Padded::<T>::WORDS);
        // SAFETY: `Padded<T>` is word-aligned and a whole number of words long, so word `i`
        // (`i < WORDS`) lies inside the cell, aligned for `AtomicUsize`. Every access to these
        // bytes after the value was built is through this function, as atomics of this one width,
        // so the bytes are never accessed non-atomically while they are shared.
        unsafe { AtomicUsize::from_ptr(self.cell.get().cast::<usize>().add(i)) }
    }

    /// Word `i` as an atomic (loom build).
    #[cfg(loom)]
    #[inline(always)]
    fn word(&self, i: usize) -> &AtomicUsize {
        &self.words[i]
    }

    /// Stores `value`, word by word, with relaxed atomic stores.
    #[inline(always)]
    pub(crate) fn store(&self, value: T) {
        // Zeroed in place, not by `MaybeUninit::zeroed()`: moving a `MaybeUninit` of a type with
        // padding (`Padded`'s tail) does not keep the padding bytes, which would leave the tail
        // uninitialised.
        let mut staged = MaybeUninit::<Padded<T>>::uninit();
        // SAFETY: zeroing a local's bytes, then writing its field, through its raw pointer.
        unsafe {
            staged.as_mut_ptr().write_bytes(0, 1);
            (&raw mut (*staged.as_mut_ptr()).value).write(value);
        }
        let staged = staged.as_ptr().cast::<usize>();
        for i in 0..Padded::<T>::WORDS {
            // SAFETY: `i < WORDS` words lie in `staged`, and each is initialised: the bytes of
            // `value` because `T: NoUninit` has no padding or uninitialised bytes, the tail
            // because it was zeroed in place and writing `value` does not touch it.
            let word = unsafe { staged.add(i).read() };
            self.word(i).store(word, Ordering::Relaxed);
        }
    }

    /// Copies the words with relaxed atomic loads. The copy may be torn if a [`store`] runs at the
    /// same time; the caller finds out from the slot's stamp.
    ///
    /// [`store`]: Self::store
    #[inline(always)]
    pub(crate) fn load(&self) -> Copied<T> {
        let mut copy = MaybeUninit::<Padded<T>>::uninit();
        let out = copy.as_mut_ptr().cast::<usize>();
        for i in 0..Padded::<T>::WORDS {
            let word = self.word(i).load(Ordering::Relaxed);
            // SAFETY: `i < WORDS` words lie in the local `copy`.
            unsafe { out.add(i).write(word) };
        }
        Copied(copy)
    }
}
