//! [`EventQueue`]: a lossless single-producer single-consumer queue for rare events, shared by
//! one [`QueueProducer`] and one [`QueueConsumer`].
//!
//! # How the queue stays free of data races
//!
//! A classic SPSC ring of `N` slots, each holding one item's sequence number and value. Two
//! counters say who owns which slot: `tail`, the number of items accepted so far (written only by
//! the producer), and `head`, the number of items consumed so far (written only by the consumer),
//! both wrapping `u32`s. The slots of the items `head .. tail` belong to the consumer, all the
//! others to the producer, and a slot's bytes are only ever accessed by its owner, with plain
//! (non-atomic) reads and writes:
//!
//! - `push` writes a free slot, then publishes it with a `Release` store of `tail`. It learns
//!   which slots are free from an `Acquire` load of `head`.
//! - a poll learns which slots hold items from an `Acquire` load of `tail`, reads the slot, and
//!   hands it back with a `Release` store of `head` after its last read.
//!
//! The data path has no atomic read-modify-write at all, only loads and stores, so on Cortex-M0
//! (`portable-atomic`) `push` never masks interrupts.

mod consumer;
mod producer;

pub use consumer::QueueConsumer;
pub use producer::QueueProducer;

use core::marker::PhantomData;

use crate::handles::take_flag;
use crate::item::Item;
use crate::line_break::LineBreak;
use crate::position::first_before;
use crate::sync::{AtomicBool, AtomicU32, Cell, Ordering};

/// The producer's private bookkeeping; touched only by the live [`QueueProducer`].
pub(crate) struct ProducerState {
    /// Items accepted so far (wrapping): the producer's own copy of `tail`.
    pub(crate) tail: u32,
    /// The consumer's `head` as the producer last loaded it; reloaded only when the queue looks
    /// full, so that `push` stays off the consumer's cache line while there is room.
    pub(crate) head_seen: u32,
    /// The slot the next accepted item goes into.
    pub(crate) pos: usize,
}

/// The consumer's private bookkeeping; touched only by the live [`QueueConsumer`].
pub(crate) struct ConsumerState {
    /// Items consumed so far (wrapping): the consumer's own copy of `head`.
    pub(crate) head: u32,
    /// The slot of the next item to read.
    pub(crate) pos: usize,
    /// The sequence number that follows the last item read, XOR `1`: anything between it and
    /// the next item's sequence number was refused. Stored so that a fresh queue, whose first
    /// sequence number is `1`, is all zeros (a `static` queue lives in `.bss`).
    pub(crate) next: u32,
    /// Refusals seen as gaps since the live handle was taken or its last `reset_dropped`.
    pub(crate) dropped: u64,
}

/// A lossless single-producer single-consumer queue of up to `N` items of type `T`, each stamped
/// with a sequence number: for rare events that must not be lost.
///
/// # Guarantees
///
/// - An item the queue accepted is delivered exactly once, in order, and never torn: nothing ever
///   overwrites it. `T` may be any `Copy` type.
/// - [`QueueProducer::push`] never blocks, never allocates and never panics. When the queue holds
///   `N` items it *refuses* the value and hands it back as `Err(value)`.
/// - Every push attempt, accepted or refused, uses up one sequence number (from 1, or the number
///   given to [`starting_at`](Self::starting_at); after `u32::MAX` comes 1; `0` is never used). A
///   refusal therefore shows up as a gap in the sequence numbers the consumer reads, exactly as an
///   overwrite does in a [`SeqRing`](crate::SeqRing): the consumer counts it in
///   [`PollStats::dropped`](crate::PollStats::dropped), and a host behind a link sees it in the
///   numbers alone.
/// - The queue counts its refusals: [`refused`](Self::refused).
/// - `push` and the consumer's polls use only atomic loads and stores, no read-modify-write: the
///   producer is wait-free everywhere, and on Cortex-M0 (`portable-atomic`) it never masks
///   interrupts. The consumer never waits either: each poll takes a bounded number of steps per
///   item it reads.
///
/// Use a [`SeqRing`](crate::SeqRing) instead for a high-rate stream where the newest items
/// matter most: it never turns the producer away, it overwrites the oldest item.
///
/// The queue is usually a `static` shared between an interrupt handler (producer) and the main
/// loop (consumer); [`EventQueue::new`] is a `const fn` for that.
///
/// ```
/// use ph_eventing::EventQueue;
///
/// static FAULTS: EventQueue<u16, 2> = EventQueue::new();
///
/// // In the interrupt handler:
/// let producer = FAULTS.producer();
/// assert_eq!(producer.push(0xE1), Ok(1));
/// assert_eq!(producer.push(0xE2), Ok(2));
/// assert_eq!(producer.push(0xE3), Err(0xE3)); // full: refused, seq 3 is used up
/// assert_eq!(FAULTS.refused(), 1);
///
/// // In the main loop:
/// let mut consumer = FAULTS.consumer();
/// assert_eq!(consumer.poll_one_value(), Some((1, 0xE1)));
/// assert_eq!(consumer.poll_one_value(), Some((2, 0xE2)));
/// assert_eq!(producer.push(0xE4), Ok(4));
/// let stats = consumer.poll_one(|seq, code| assert_eq!((seq, *code), (4, 0xE4)));
/// assert_eq!((stats.read, stats.dropped), (1, 1)); // the refused seq 3 is the gap
/// ```
///
/// # Handles
///
/// There is at most one [`QueueProducer`] and one [`QueueConsumer`] alive at a time
/// ([`producer`](Self::producer) and [`consumer`](Self::consumer) panic otherwise,
/// [`try_producer`](Self::try_producer) and [`try_consumer`](Self::try_consumer) return `None`);
/// dropping a handle releases it, and the next one continues where it stopped. Handles are `Send`
/// but not `Sync`.
///
/// `N` must be at least 1 (checked when the queue is built, at compile time in a `static`):
///
/// ```compile_fail
/// static EMPTY: ph_eventing::EventQueue<u32, 0> = ph_eventing::EventQueue::new();
/// ```
// `repr(C)`: the producer's fields first, then the consumer's, then the slots, each group on a
// fresh cache line where cores have private caches (see `LineBreak`; no space on microcontrollers).
#[repr(C)]
pub struct EventQueue<T: Copy, const N: usize> {
    /// Items accepted so far (wrapping). Written only by the producer, with `Release`, after the
    /// slot it publishes.
    pub(crate) tail: AtomicU32,
    /// The newest sequence number used, accepted or refused (before the first push: the one before
    /// the first). Written only by the producer.
    pub(crate) newest: AtomicU32,
    /// Refusals since the queue was created (wrapping). Written only by the producer, with a plain
    /// load and store.
    pub(crate) refused: AtomicU32,
    pub(crate) producer_state: Cell<ProducerState>,
    line_break_consumer: LineBreak,
    /// Items consumed so far (wrapping). Written only by the consumer, with `Release`, after its
    /// last read of the slot it frees.
    pub(crate) head: AtomicU32,
    pub(crate) consumer_state: Cell<ConsumerState>,
    producer_taken: AtomicBool,
    consumer_taken: AtomicBool,
    line_break_slots: LineBreak,
    slots: [Cell<Item<T>>; N],
}

// SAFETY: the queue is shared between the thread of the producer handle and the thread of the
// consumer handle. A slot is accessed only by its owner: the producer owns the slots outside
// `head .. tail`, the consumer those inside, and ownership moves only by the producer's `Release`
// store of `tail` after writing a slot (acquired by the consumer before it reads it) and the
// consumer's `Release` store of `head` after reading one (acquired by the producer before it
// writes it again). The two state cells are each accessed only through the one live handle of
// their side, which is acquired with `Acquire` and released with `Release` on the `*_taken` flags.
// Values of `T` move between threads, hence `T: Send`.
unsafe impl<T: Copy + Send, const N: usize> Sync for EventQueue<T, N> {}

/// `EventQueue::new` and `EventQueue::starting_at`: `const` except under loom, whose atomics are
/// not.
macro_rules! constructors {
    ($($constness:ident)?) => {
        /// Creates an empty queue. The first push gets sequence number 1.
        ///
        /// ```
        /// use ph_eventing::EventQueue;
        ///
        /// static QUEUE: EventQueue<[u8; 8], 16> = EventQueue::new();
        /// assert_eq!(QUEUE.capacity(), 16);
        /// ```
        pub $($constness)? fn new() -> Self {
            Self::starting_at(1)
        }

        /// Creates an empty queue whose first push will get sequence number `first_seq` (`0` is
        /// taken as `1`), as [`SeqRing::starting_at`](crate::SeqRing::starting_at) does.
        ///
        /// ```
        /// use ph_eventing::EventQueue;
        ///
        /// let queue = EventQueue::<u8, 1>::starting_at(u32::MAX);
        /// let producer = queue.producer();
        /// assert_eq!(producer.push(0), Ok(u32::MAX));
        /// assert_eq!(producer.push(1), Err(1)); // refused, but it used up seq 1
        /// assert_eq!(queue.consumer().poll_one_value(), Some((u32::MAX, 0)));
        /// assert_eq!(producer.push(2), Ok(2));
        /// ```
        pub $($constness)? fn starting_at(first_seq: u32) -> Self {
            let () = Self::CHECK_N;
            let first = crate::seq::next(first_seq.wrapping_sub(1));
            Self {
                tail: AtomicU32::new(0),
                newest: AtomicU32::new(first_before(first)),
                refused: AtomicU32::new(0),
                producer_state: Cell::new(ProducerState {
                    tail: 0,
                    head_seen: 0,
                    pos: 0,
                }),
                line_break_consumer: LineBreak,
                head: AtomicU32::new(0),
                consumer_state: Cell::new(ConsumerState {
                    head: 0,
                    pos: 0,
                    next: first ^ 1,
                    dropped: 0,
                }),
                producer_taken: AtomicBool::new(false),
                consumer_taken: AtomicBool::new(false),
                line_break_slots: LineBreak,
                slots: Self::empty_slots(),
            }
        }
    };
}

impl<T: Copy, const N: usize> EventQueue<T, N> {
    /// Compile-time check of `N`: below 2^30 keeps `tail - head` (at most `N`) far from the wrap
    /// of the `u32` counters.
    const CHECK_N: () = {
        assert!(N > 0, "EventQueue needs room for at least one item (N > 0)");
        assert!(
            N < (1 << 30),
            "EventQueue capacity must be below 2^30 items"
        );
    };

    #[cfg(not(loom))]
    constructors!(const);
    #[cfg(loom)]
    constructors!();

    /// `N` never-written slots.
    #[cfg(not(loom))]
    const fn empty_slots() -> [Cell<Item<T>>; N] {
        [const { Cell::new(Item::EMPTY) }; N]
    }

    /// `N` never-written slots (loom build).
    #[cfg(loom)]
    fn empty_slots() -> [Cell<Item<T>>; N] {
        core::array::from_fn(|_| Cell::new(Item::EMPTY))
    }

    /// How many items the queue holds before it refuses pushes: `N`.
    ///
    /// ```
    /// assert_eq!(ph_eventing::EventQueue::<u64, 5>::new().capacity(), 5);
    /// ```
    pub const fn capacity(&self) -> usize {
        N
    }

    /// How many pushes the queue has refused since it was created, wrapping after `u32::MAX`.
    ///
    /// Callable from anywhere (it takes no handle); the count can be a push behind one in
    /// progress on another core.
    ///
    /// ```
    /// let queue = ph_eventing::EventQueue::<u8, 1>::new();
    /// let producer = queue.producer();
    /// assert_eq!(producer.push(1), Ok(1));
    /// assert_eq!(producer.push(2), Err(2));
    /// assert_eq!(producer.push(3), Err(3));
    /// assert_eq!(queue.refused(), 2);
    /// ```
    pub fn refused(&self) -> u32 {
        self.refused.load(Ordering::Relaxed)
    }

    /// Takes the producer handle.
    ///
    /// # Panics
    ///
    /// If a producer handle of this queue is alive. Use [`try_producer`](Self::try_producer) to
    /// get `None` instead.
    ///
    /// ```
    /// let queue = ph_eventing::EventQueue::<u32, 8>::new();
    /// let producer = queue.producer();
    /// assert_eq!(producer.push(7), Ok(1));
    /// drop(producer);
    /// let again = queue.producer(); // fine once the first one is gone
    /// assert_eq!(again.push(8), Ok(2));
    /// ```
    #[track_caller]
    pub fn producer(&self) -> QueueProducer<'_, T, N> {
        match self.try_producer() {
            Some(p) => p,
            None => panic!("EventQueue::producer: a producer handle is already live"),
        }
    }

    /// Takes the consumer handle.
    ///
    /// # Panics
    ///
    /// If a consumer handle of this queue is alive. Use [`try_consumer`](Self::try_consumer) to
    /// get `None` instead.
    ///
    /// ```
    /// let queue = ph_eventing::EventQueue::<u32, 8>::new();
    /// let consumer = queue.consumer();
    /// assert!(consumer.is_empty());
    /// ```
    #[track_caller]
    pub fn consumer(&self) -> QueueConsumer<'_, T, N> {
        match self.try_consumer() {
            Some(c) => c,
            None => panic!("EventQueue::consumer: a consumer handle is already live"),
        }
    }

    /// Takes the producer handle, or returns `None` if one is alive.
    ///
    /// ```
    /// let queue = ph_eventing::EventQueue::<u32, 8>::new();
    /// let first = queue.try_producer();
    /// assert!(first.is_some());
    /// assert!(queue.try_producer().is_none());
    /// ```
    pub fn try_producer(&self) -> Option<QueueProducer<'_, T, N>> {
        take_flag(&self.producer_taken).then(|| QueueProducer {
            queue: self,
            _not_sync: PhantomData,
        })
    }

    /// Takes the consumer handle, or returns `None` if one is alive. A new handle's
    /// [`dropped`](QueueConsumer::dropped) total starts at 0.
    ///
    /// ```
    /// let queue = ph_eventing::EventQueue::<u32, 8>::new();
    /// let first = queue.try_consumer();
    /// assert!(queue.try_consumer().is_none());
    /// drop(first);
    /// assert!(queue.try_consumer().is_some());
    /// ```
    pub fn try_consumer(&self) -> Option<QueueConsumer<'_, T, N>> {
        take_flag(&self.consumer_taken).then(|| {
            // SAFETY: the flag was just taken, so no other handle touches the consumer state, and
            // the `Acquire` in `take_flag` ordered this after the previous handle's last access.
            unsafe { (*self.consumer_state.as_ptr()).dropped = 0 };
            QueueConsumer {
                queue: self,
                _not_sync: PhantomData,
            }
        })
    }

    pub(crate) fn release_producer(&self) {
        self.producer_taken.store(false, Ordering::Release);
    }

    pub(crate) fn release_consumer(&self) {
        self.consumer_taken.store(false, Ordering::Release);
    }

    /// The slot at position `pos`.
    ///
    /// # Safety
    ///
    /// `pos < N`.
    #[inline(always)]
    pub(crate) unsafe fn slot(&self, pos: usize) -> &Cell<Item<T>> {
        // SAFETY: the caller guarantees `pos < N`.
        unsafe { self.slots.get_unchecked(pos) }
    }
}

impl<T: Copy, const N: usize> Default for EventQueue<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Copy, const N: usize> core::fmt::Debug for EventQueue<T, N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EventQueue")
            .field("capacity", &N)
            .field("newest", &self.newest.load(Ordering::Relaxed))
            .field("refused", &self.refused())
            .finish_non_exhaustive()
    }
}
