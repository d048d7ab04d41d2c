//! [`SwapRing`]: the storage shared by one [`SwapProducer`] and one [`SwapConsumer`].
//!
//! # How the ring stays free of data races
//!
//! The ring owns `N + 2` buffers of `(seq, T)`. At any moment each buffer belongs to exactly one
//! party: one of the `N` ring positions, the producer (its *spare*), or the consumer (its *spare*).
//! A buffer's bytes are only ever read or written by its owner, with plain (non-atomic) accesses.
//! Ownership moves only through atomic swaps of buffer indices in the `N` position slots:
//!
//! - `push` writes the new item into the producer's spare, then swaps the spare's index into the
//!   next position (`AcqRel`). Whatever buffer the swap returns becomes the producer's new spare.
//! - a poll swaps the consumer's spare into the position it wants to read (`AcqRel`) and so takes
//!   the buffer that was there. If that buffer holds a newer item than expected (the producer lapped
//!   the consumer), it is put back with a compare-and-swap and the consumer skips what was lost.
//!
//! No byte is ever read while another thread may write it, so there is no seqlock, no torn read to
//! detect and no need for atomic `memcpy`: `T` can be any `Copy` type, padding bytes included. The
//! price is one atomic swap per push (a `LDREX`/`STREX` pair on Cortex-M3/M4/M7, a few cycles with
//! interrupts masked on Cortex-M0 through `portable-atomic`).

use crate::item::Item;
use crate::line_break::LineBreak;
use crate::position::first_before;
use crate::sync::{AtomicBool, AtomicU32, Cell, Ordering};

mod consumer;
mod producer;

pub use consumer::SwapConsumer;
pub use producer::SwapProducer;

/// Set on a slot entry when the consumer put the buffer there. The producer never sets it, so a
/// compare-and-swap on an entry carrying it cannot succeed after the producer has replaced it (no
/// ABA on the consumer's put-back).
pub(crate) const CONSUMER_MARK: u32 = 1 << 31;
/// The buffer-index part of a slot entry.
pub(crate) const INDEX_MASK: u32 = !CONSUMER_MARK;

/// The `N + 2` buffers, laid out contiguously so that an index in `0..N + 2` addresses any of them.
#[repr(C)]
struct Buffers<T, const N: usize> {
    ring: [Cell<Item<T>>; N],
    spares: [Cell<Item<T>>; 2],
}

/// The producer's private bookkeeping; touched only by the live [`SwapProducer`].
///
/// A fresh ring's is all zeros, and the first producer handle sets it up
/// ([`ProducerState::start`]).
pub(crate) struct ProducerState {
    /// Set by the first producer handle, when it gave `spare` its first value.
    pub(crate) started: bool,
    /// Index of the buffer the next push writes into.
    pub(crate) spare: u32,
    /// The position the next push publishes to.
    pub(crate) pos: usize,
}

/// The consumer's private bookkeeping; touched only by the live [`SwapConsumer`].
///
/// A fresh ring's is all zeros, and the first consumer handle sets it up
/// ([`ConsumerState::start`]).
pub(crate) struct ConsumerState {
    /// Index of the buffer the consumer owns (it holds the last item delivered, if any).
    pub(crate) spare: u32,
    /// Set by the first consumer handle, when it gave `spare` and `next` their first values.
    pub(crate) started: bool,
    /// The sequence number the consumer reads next (before the first handle: the ring's first
    /// sequence number, XOR `1`, so that it is `0` for [`SwapRing::new`]).
    pub(crate) next: u32,
    /// The position where `next` is (or will be) stored.
    pub(crate) pos: usize,
    /// Items lost to overwrites since the live handle was taken or its last `reset_dropped`.
    pub(crate) dropped: u64,
}

impl ProducerState {
    /// Gives a fresh ring's producer its spare, buffer `N` (only the first handle has anything
    /// to do).
    #[inline]
    pub(crate) fn start<const N: usize>(&mut self) {
        if !self.started {
            self.started = true;
            self.spare = N as u32;
        }
    }
}

impl ConsumerState {
    /// Gives a fresh ring's consumer its spare, buffer `N + 1`, and its first sequence number
    /// (only the first handle has anything to do).
    #[inline]
    pub(crate) fn start<const N: usize>(&mut self) {
        if !self.started {
            self.started = true;
            self.spare = N as u32 + 1;
            self.next ^= 1;
        }
    }
}

/// One position's slot, as the ring's operations see it: the index of the buffer holding the
/// position (with [`CONSUMER_MARK`] when the consumer put it there). It is stored XOR the
/// position, so that a fresh ring, where position `i` holds buffer `i`, is all zeros; the
/// position is below 2^30, so the mark is stored as it is.
pub(crate) struct Slot<'a> {
    entry: &'a AtomicU32,
    key: u32,
}

impl Slot<'_> {
    /// Swaps `entry` in, returning the entry that was there.
    #[inline(always)]
    pub(crate) fn swap(&self, entry: u32, order: Ordering) -> u32 {
        self.entry.swap(entry ^ self.key, order) ^ self.key
    }

    /// Stores `new` if the slot holds `current`; the entry it held either way.
    #[inline(always)]
    pub(crate) fn compare_exchange(
        &self,
        current: u32,
        new: u32,
        success: Ordering,
        failure: Ordering,
    ) -> Result<u32, u32> {
        self.entry
            .compare_exchange(current ^ self.key, new ^ self.key, success, failure)
            .map(|e| e ^ self.key)
            .map_err(|e| e ^ self.key)
    }
}

/// A lock-free single-producer single-consumer ring of `N` items of any `Copy` type `T`, each
/// stamped with a sequence number: the [`SeqRing`](crate::SeqRing)'s semantics and API for types
/// it cannot take (padded structs, enums with data).
///
/// For plain data without padding, prefer the `SeqRing`: its push does no atomic
/// read-modify-write, where this ring's does one atomic swap (interrupts masked for a few cycles on
/// targets that emulate it).
///
/// - The [`SwapProducer`] never blocks and never fails: when the ring is full, [`SwapProducer::push`]
///   overwrites the oldest item.
/// - The [`SwapConsumer`] drains items in sequence order. When it has fallen more than `N` items
///   behind, it skips to the oldest item still in the ring and reports how many it missed in
///   [`PollStats::dropped`](crate::PollStats::dropped).
///
/// The ring is usually a `static` shared between an interrupt handler (producer) and the main loop
/// (consumer); [`SwapRing::new`] is a `const fn` for that.
///
/// ```
/// use ph_eventing::SwapRing;
///
/// static RING: SwapRing<u32, 64> = SwapRing::new();
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
/// # Why reads are never torn, and never race
///
/// The ring owns `N + 2` buffers, and each belongs to exactly one party at a time: one of the `N`
/// positions, the producer's spare or the consumer's spare. Only the owner reads or writes a
/// buffer. [`SwapProducer::push`] fills its spare and then swaps the spare's index into the next
/// position with one atomic swap; the buffer that comes back is its new spare. A poll swaps the
/// consumer's spare into the position it reads and so takes the buffer that was there. There is
/// no seqlock-style optimistic copy that could race with a write (a data race is undefined
/// behaviour even when the torn copy is thrown away), and no need for word-by-word atomic copies
/// (which cannot copy padding bytes soundly): `T` can be any `Copy` type.
///
/// If the producer laps the consumer between the consumer's look at the newest sequence number
/// and its take, the consumer finds a newer item than it expected, puts it back with a
/// compare-and-swap (on an entry tagged as the consumer's, so it cannot succeed after the
/// producer replaced it), skips exactly the overwritten items and carries on.
///
/// # In `.bss`
///
/// A fresh ring is all zero bytes: each position's buffer index is stored XOR the position
/// (position `i` starts with buffer `i`), and each side's first handle gives itself its spare
/// buffer. A `static` ring made with [`SwapRing::new`] is therefore placed in `.bss`, which
/// costs RAM but no flash and no copy at boot. ([`SwapRing::starting_at`] with another first
/// sequence number is not all zeros.)
///
/// `N` must be at least 1 (checked when the ring is built, at compile time in a `static`):
///
/// ```compile_fail
/// static EMPTY: ph_eventing::SwapRing<u32, 0> = ph_eventing::SwapRing::new();
/// ```
// `repr(C)` with the small, hot fields first: Cortex-M0 loads and stores reach them with an
// immediate offset from the ring's address. The `LineBreak`s start the producer's state, the
// consumer's state and the slots on fresh cache lines where cores have private caches (so `head`
// has a line of its own); on microcontrollers they take no space.
#[repr(C)]
pub struct SwapRing<T: Copy, const N: usize> {
    /// The newest published sequence number (`0`: nothing published yet). Written by the producer.
    pub(crate) head: AtomicU32,
    line_break_producer: LineBreak,
    pub(crate) producer_state: Cell<ProducerState>,
    line_break_consumer: LineBreak,
    pub(crate) consumer_state: Cell<ConsumerState>,
    producer_taken: AtomicBool,
    consumer_taken: AtomicBool,
    line_break_slots: LineBreak,
    /// For each position, the index of the buffer that holds it (possibly with [`CONSUMER_MARK`]).
    pub(crate) slots: [AtomicU32; N],
    buffers: Buffers<T, N>,
}

// SAFETY: the ring is shared between the thread of the producer handle and the thread of the
// consumer handle. Every buffer is accessed only by its current owner, and ownership is handed over
// with `AcqRel` swaps (see the module documentation), so no buffer is ever accessed concurrently.
// The two state cells are each accessed only through the one live handle of their side, which is
// acquired with `Acquire` and released with `Release` on the `*_taken` flags. Values of `T` move
// between threads, hence `T: Send`.
unsafe impl<T: Copy + Send, const N: usize> Sync for SwapRing<T, N> {}

/// `SwapRing::new` and `SwapRing::starting_at`: `const` except under loom, whose atomics are not.
macro_rules! constructors {
    ($($constness:ident)?) => {
        /// Creates an empty ring. The first item pushed gets sequence number 1.
        ///
        /// ```
        /// use ph_eventing::SwapRing;
        ///
        /// static RING: SwapRing<[u8; 16], 32> = SwapRing::new();
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
        /// use ph_eventing::SwapRing;
        ///
        /// let ring = SwapRing::<u8, 4>::starting_at(u32::MAX);
        /// let producer = ring.producer();
        /// assert_eq!(producer.push(0), u32::MAX);
        /// assert_eq!(producer.push(0), 1);
        /// ```
        pub $($constness)? fn starting_at(first_seq: u32) -> Self {
            let () = Self::CHECK_N;
            let first = crate::seq::next(first_seq.wrapping_sub(1));
            Self {
                head: AtomicU32::new(first_before(first)),
                // All zeros for `new()`: position `i` holds buffer `i`, stored as `0` (`Slot`),
                // and each side's first handle gives it its spare (`start`).
                slots: Self::zero_slots(),
                buffers: Self::empty_buffers(),
                producer_state: Cell::new(ProducerState {
                    started: false,
                    spare: 0,
                    pos: 0,
                }),
                consumer_state: Cell::new(ConsumerState {
                    started: false,
                    spare: 0,
                    next: first ^ 1,
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

impl<T: Copy, const N: usize> SwapRing<T, N> {
    /// Compile-time check of `N`. A fresh ring gives position `i` buffer `i`; the producer starts
    /// with buffer `N`, the consumer with buffer `N + 1`.
    const CHECK_N: () = {
        assert!(N > 0, "SwapRing needs room for at least one item (N > 0)");
        assert!(N < (1 << 30), "SwapRing capacity must be below 2^30 items");
    };

    #[cfg(not(loom))]
    constructors!(const);
    #[cfg(loom)]
    constructors!();

    /// Every position holding the buffer of the same index, as stored: zeros.
    #[cfg(not(loom))]
    const fn zero_slots() -> [AtomicU32; N] {
        [const { AtomicU32::new(0) }; N]
    }

    /// Every position holding the buffer of the same index, as stored (loom build).
    #[cfg(loom)]
    fn zero_slots() -> [AtomicU32; N] {
        core::array::from_fn(|_| AtomicU32::new(0))
    }

    /// `N + 2` never-written buffers.
    #[cfg(not(loom))]
    const fn empty_buffers() -> Buffers<T, N> {
        Buffers {
            ring: [const { Cell::new(Item::EMPTY) }; N],
            spares: [const { Cell::new(Item::EMPTY) }; 2],
        }
    }

    /// `N + 2` never-written buffers (loom build).
    #[cfg(loom)]
    fn empty_buffers() -> Buffers<T, N> {
        Buffers {
            ring: core::array::from_fn(|_| Cell::new(Item::EMPTY)),
            spares: core::array::from_fn(|_| Cell::new(Item::EMPTY)),
        }
    }

    crate::handles::ring_handle_methods!(SwapRing, SwapProducer, SwapConsumer);

    /// The buffer with index `index`.
    ///
    /// # Safety
    ///
    /// `index < N + 2`.
    #[inline(always)]
    pub(crate) unsafe fn buffer(&self, index: u32) -> &Cell<Item<T>> {
        let base = core::ptr::from_ref(&self.buffers).cast::<Cell<Item<T>>>();
        // SAFETY: `Buffers` is `repr(C)` with two arrays of the same element type, so its
        // `N + 2` elements are contiguous from its start, and the caller guarantees
        // `index < N + 2`. The pointer derives from a reference to the whole struct.
        unsafe { &*base.add(index as usize) }
    }

    /// The slot of position `pos`.
    ///
    /// # Safety
    ///
    /// `pos < N`.
    #[inline(always)]
    pub(crate) unsafe fn slot(&self, pos: usize) -> Slot<'_> {
        Slot {
            // SAFETY: the caller guarantees `pos < N`.
            entry: unsafe { self.slots.get_unchecked(pos) },
            key: pos as u32,
        }
    }
}

impl<T: Copy, const N: usize> Default for SwapRing<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Copy, const N: usize> core::fmt::Debug for SwapRing<T, N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SwapRing")
            .field("capacity", &N)
            .field("newest", &self.head.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    /// What puts a `static` ring in `.bss`: `new()` stores nothing but zeros (the buffers hold
    /// no item yet, and a never-written buffer is `seq` 0 and an uninitialised value).
    #[test]
    fn a_new_ring_is_all_zeros() {
        let ring = SwapRing::<u32, 5>::new();
        assert_eq!(ring.head.load(Ordering::Relaxed), 0);
        for slot in &ring.slots {
            assert_eq!(slot.load(Ordering::Relaxed), 0);
        }
        // SAFETY: no handle is alive, so nothing else touches the states.
        let (producer, consumer) = unsafe {
            (
                &*ring.producer_state.as_ptr(),
                &*ring.consumer_state.as_ptr(),
            )
        };
        assert_eq!(
            (producer.started, producer.spare, producer.pos),
            (false, 0, 0)
        );
        assert_eq!(
            (
                consumer.started,
                consumer.spare,
                consumer.next,
                consumer.pos,
                consumer.dropped
            ),
            (false, 0, 0, 0, 0)
        );
        for pos in 0..5 {
            // SAFETY: `pos < N`.
            let slot = unsafe { ring.slot(pos) };
            // Position `pos` holds buffer `pos`.
            assert_eq!(slot.swap(pos as u32, Ordering::Relaxed), pos as u32);
        }
        // Each side's first handle takes the spare a fresh ring gives it.
        drop(ring.producer());
        drop(ring.consumer());
        // SAFETY: as above.
        let (producer, consumer) = unsafe {
            (
                &*ring.producer_state.as_ptr(),
                &*ring.consumer_state.as_ptr(),
            )
        };
        assert_eq!((producer.spare, consumer.spare, consumer.next), (5, 6, 1));
    }
}
