//! [`SeqRing`]: the storage shared by one [`Producer`] and one [`Consumer`].
//!
//! # The stamp protocol
//!
//! Each of the `N` slots holds a `u32` stamp and the item's value as machine words, the stamp in
//! the first four bytes of word 0, and every access to either is an atomic load or store of a
//! whole word (no read-modify-write anywhere in the data path).
//!
//! - `push`: stamp := a busy mark (the previous sequence number, see [`slot::busy_mark`]); release
//!   fence; the value's words after word 0 (relaxed); release fence; word 0 := the stamp `seq`
//!   and whatever of the value shares its word; `head` := seq, as a word whose first four bytes
//!   are the stamp (both relaxed: the second fence publishes both).
//! - a read of item `s`: `head` (acquire) says `s` is published; word 0 (acquire); if its stamp
//!   is `s`, copy the other words (relaxed), acquire fence, stamp again (relaxed). The same `s`
//!   both times: the copy is whole (any word written by a later push would have made the second
//!   load see that push's busy mark or later). Anything else: the producer lapped the consumer,
//!   which skips and counts what it lost. The consumer writes nothing the producer reads.
//! - a slot of one word (a value of at most four bytes on a 64-bit target): `push` stores the
//!   stamp and the value in one store, then a release fence and `head`; a read is one load, which
//!   can never be torn, so there is no busy mark and no second look. `head` is then a copy of the
//!   newest slot's word, value included, so `latest` loads `head` alone and leaves the slots'
//!   cache lines to the producer (unless `head` is still the ring's initial number, which no push
//!   made: then it reads the slot, which says whether the item exists).
//!
//! The last published item can be caught with its stamp store not yet visible on another core
//! (the stamp and `head` are stored after the same fence, in either order). A consumer that finds
//! the slot of the newest item marked busy or still holding an older item treats it as not there
//! yet, rather than lost; for any older item the stamp is visible.

use bytemuck::NoUninit;

use crate::layout::{Packed, SlotLayout};
use crate::line_break::LineBreak;
use crate::position::first_before;
use crate::sync::{AtomicBool, AtomicUsize, Cell, Ordering, load_word_acquire};
use crate::words::{stamp_of, stamp_word};

mod consumer;
mod producer;
pub(crate) mod slot;

pub use consumer::Consumer;
pub use producer::Producer;
use slot::Slot;

/// The producer's private bookkeeping: the live [`Producer`] keeps it (in the handle), and the
/// ring holds it between handles.
///
/// `newest` is the producer's own copy of `head`: the two fields are read and written together
/// (one `ldrd`/`strd` pair on Cortex-M4, one 8-byte load and store on 64-bit hosts), where `head`
/// is an atomic the compiler keeps apart.
#[derive(Clone, Copy)]
#[repr(C)]
pub(crate) struct ProducerState {
    /// The newest sequence number pushed (the value `head` has).
    pub(crate) newest: u32,
    /// The position the next push writes to (`N < 2^30`).
    pub(crate) pos: u32,
}

/// The consumer's private bookkeeping; touched only by the live [`Consumer`].
pub(crate) struct ConsumerState {
    /// The sequence number the consumer has moved past: it reads `seq::next(cursor)` next.
    /// Starts as the ring's initial `head`, so a fresh ring's state is all zeros.
    pub(crate) cursor: u32,
    /// The ring's initial `head`, which no push made: [`Consumer::latest`] reads the slot
    /// when `head` says it, instead of taking `head`'s word for the newest item.
    #[cfg(target_pointer_width = "64")]
    pub(crate) start: u32,
    /// The position of `seq::next(cursor)`.
    pub(crate) pos: usize,
    /// Items lost to overwrites since the live handle was taken or its last `reset_dropped`.
    pub(crate) dropped: u64,
}

/// A lock-free single-producer single-consumer ring of `N` items of a plain-data type `T`, each
/// stamped with a sequence number.
///
/// - The [`Producer`] never blocks and never fails: when the ring is full, [`Producer::push`]
///   overwrites the oldest item. It does no atomic read-modify-write: a push is plain stores and
///   at most two fences, so it masks no interrupts even where the target has no compare-and-swap
///   (Cortex-M0/M0+, `riscv32imc`).
/// - The [`Consumer`] drains items in sequence order. When it has fallen more than `N` items
///   behind, it skips to the oldest item still in the ring and reports how many it missed in
///   [`PollStats::dropped`](crate::PollStats::dropped).
///
/// `T` must be [`NoUninit`] (no padding bytes): the value is copied as machine words. Derive it
/// with `#[derive(Clone, Copy, bytemuck::NoUninit)]` and `#[repr(C)]` on a struct whose fields
/// leave no gaps; for a type with padding, use the [`SwapRing`](crate::SwapRing), which takes any
/// `Copy` type.
///
/// The third parameter, `L`, lays the slots out: [`Packed`] (the default: a slot is the stamp's
/// word and the value's words) or [`LinePerSlot`](crate::LinePerSlot) (each slot on cache lines
/// of its own, for values of several words passed between two cores; see [`crate::layout`]).
///
/// The ring is usually a `static` shared between an interrupt handler (producer) and the main loop
/// (consumer); [`SeqRing::new`] is a `const fn`, and a ring made with it is all zero bytes, so it
/// lives in `.bss` and takes no flash.
///
/// ```
/// use ph_eventing::SeqRing;
///
/// static RING: SeqRing<u32, 64> = SeqRing::new();
///
/// let producer = RING.producer();
/// let mut consumer = RING.consumer();
/// assert_eq!(producer.push(123), 1);
/// let stats = consumer.poll_one(|seq, value| {
///     assert_eq!((seq, *value), (1, 123));
/// });
/// assert_eq!(stats.read, 1);
/// ```
///
/// A struct of your own:
///
/// ```
/// use ph_eventing::SeqRing;
///
/// #[derive(Clone, Copy, Debug, PartialEq, bytemuck::NoUninit)]
/// #[repr(C)]
/// struct Sample {
///     t_us: u32,
///     channel: u16,
///     value: i16,
/// }
///
/// static SAMPLES: SeqRing<Sample, 32> = SeqRing::new();
/// let producer = SAMPLES.producer();
/// producer.push(Sample { t_us: 10, channel: 2, value: -7 });
/// let mut consumer = SAMPLES.consumer();
/// assert_eq!(consumer.poll_one_value(), Some((1, Sample { t_us: 10, channel: 2, value: -7 })));
/// ```
///
/// # Why reads are never torn, and never race
///
/// Every byte of a slot is read and written only with word-size atomic loads and stores, so the
/// consumer can copy a slot while the producer overwrites it without a data race (which would be
/// undefined behaviour even if the torn copy were thrown away). The stamp around the copy tells a
/// whole copy from a torn one: the consumer reads it before and after, with fences that make any
/// overlapping push visible, and keeps the copy only when both say the item it wanted. The copy
/// is turned into a `T` only then.
///
/// `N` must be at least 1 (checked when the ring is built, at compile time in a `static`):
///
/// ```compile_fail
/// static EMPTY: ph_eventing::SeqRing<u32, 0> = ph_eventing::SeqRing::new();
/// ```
///
/// and `T` must have no padding:
///
/// ```compile_fail
/// #[derive(Clone, Copy)]
/// #[repr(C)]
/// struct Gappy(u8, u32); // three padding bytes after the `u8`
/// static RING: ph_eventing::SeqRing<Gappy, 4> = ph_eventing::SeqRing::new();
/// ```
// `repr(C)` with the small, hot fields first: Cortex-M0 loads and stores reach them with an
// immediate offset from the ring's address. The `LineBreak`s start the producer's state, the
// consumer's state and the slots on fresh cache lines where cores have private caches (so `head`
// has a line of its own); on microcontrollers they take no space.
#[repr(C)]
pub struct SeqRing<T: NoUninit, const N: usize, L: SlotLayout = Packed> {
    /// The newest published sequence number (`0`: nothing published yet) as a slot's word 0
    /// holds it ([`stamp_of`]). Where a slot is one word (a value of at most four bytes on a
    /// 64-bit target), `head` is a copy of the newest slot's word, its value included, so that
    /// [`Consumer::latest`] reads one word. Written by the producer.
    pub(crate) head: AtomicUsize,
    line_break_producer: LineBreak,
    pub(crate) producer_state: Cell<ProducerState>,
    line_break_consumer: LineBreak,
    pub(crate) consumer_state: Cell<ConsumerState>,
    producer_taken: AtomicBool,
    consumer_taken: AtomicBool,
    line_break_slots: LineBreak,
    pub(crate) slots: [Slot<T, L>; N],
}

// SAFETY: the ring is shared between the thread of the producer handle and the thread of the
// consumer handle. Slots are accessed only through atomics (their stamps and their words; see
// `Words`), so concurrent accesses are never data races. The two state cells are each accessed
// only through the one live handle of their side, which is acquired with `Acquire` and released
// with `Release` on the `*_taken` flags. Values of `T` move between threads, hence `T: Send`.
unsafe impl<T: NoUninit + Send, const N: usize, L: SlotLayout> Sync for SeqRing<T, N, L> {}

/// `SeqRing::new` and `SeqRing::starting_at`: `const` except under loom, whose atomics are not.
macro_rules! constructors {
    ($($constness:ident)?) => {
        /// Creates an empty ring. The first item pushed gets sequence number 1.
        ///
        /// The ring is all zero bytes: a `static` made with it goes to `.bss`.
        ///
        /// ```
        /// use ph_eventing::SeqRing;
        ///
        /// static RING: SeqRing<[u8; 16], 32> = SeqRing::new();
        /// assert_eq!(RING.capacity(), 32);
        /// ```
        pub $($constness)? fn new() -> Self {
            Self::starting_at(1)
        }

        /// Creates an empty ring whose first item will get sequence number `first_seq` (`0` is
        /// taken as `1`).
        ///
        /// Use it to exercise how your tools handle the sequence wrap (`u32::MAX` is followed by
        /// `1`) without pushing four billion items first.
        ///
        /// ```
        /// use ph_eventing::SeqRing;
        ///
        /// let ring = SeqRing::<u8, 4>::starting_at(u32::MAX);
        /// let producer = ring.producer();
        /// assert_eq!(producer.push(0), u32::MAX);
        /// assert_eq!(producer.push(0), 1);
        /// ```
        pub $($constness)? fn starting_at(first_seq: u32) -> Self {
            let () = Self::CHECK_N;
            let before = first_before(crate::seq::next(first_seq.wrapping_sub(1)));
            Self {
                head: AtomicUsize::new(stamp_word(before)),
                slots: Self::empty_slots(),
                producer_state: Cell::new(ProducerState {
                    newest: before,
                    pos: 0,
                }),
                consumer_state: Cell::new(ConsumerState {
                    cursor: before,
                    #[cfg(target_pointer_width = "64")]
                    start: before,
                    pos: 0,
                    dropped: 0,
                }),
                producer_taken: AtomicBool::new(false),
                consumer_taken: AtomicBool::new(false),
                line_break_producer: LineBreak,
                line_break_consumer: LineBreak,
                line_break_slots: LineBreak,
            }
        }
    };
}

impl<T: NoUninit, const N: usize, L: SlotLayout> SeqRing<T, N, L> {
    /// Compile-time check of `N`.
    const CHECK_N: () = {
        assert!(N > 0, "SeqRing needs room for at least one item (N > 0)");
        assert!(N < (1 << 30), "SeqRing capacity must be below 2^30 items");
    };

    #[cfg(not(loom))]
    constructors!(const);
    #[cfg(loom)]
    constructors!();

    /// `N` slots never written.
    #[cfg(not(loom))]
    const fn empty_slots() -> [Slot<T, L>; N] {
        [const { Slot::empty() }; N]
    }

    /// `N` slots never written (loom build).
    #[cfg(loom)]
    fn empty_slots() -> [Slot<T, L>; N] {
        core::array::from_fn(|_| Slot::empty())
    }

    crate::handles::ring_handle_methods!(SeqRing, Producer, Consumer, L);

    /// The newest published sequence number, `head` loaded with `order` (`Acquire` through
    /// [`load_word_acquire`], which makes it a compiler fence with `unsafe-assume-single-core`).
    #[inline(always)]
    pub(crate) fn published(&self, order: Ordering) -> u32 {
        stamp_of(match order {
            Ordering::Relaxed => self.head.load(Ordering::Relaxed),
            _ => load_word_acquire(&self.head),
        })
    }

    /// The slot of position `pos`.
    ///
    /// # Safety
    ///
    /// `pos < N`.
    #[inline(always)]
    pub(crate) unsafe fn slot(&self, pos: usize) -> &Slot<T, L> {
        // SAFETY: the caller guarantees `pos < N`.
        unsafe { self.slots.get_unchecked(pos) }
    }
}

impl<T: NoUninit, const N: usize, L: SlotLayout> Default for SeqRing<T, N, L> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: NoUninit, const N: usize, L: SlotLayout> core::fmt::Debug for SeqRing<T, N, L> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SeqRing")
            .field("capacity", &N)
            .field("newest", &self.published(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}
