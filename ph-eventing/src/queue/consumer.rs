//! [`QueueConsumer`]: the reading end of an [`EventQueue`].

use core::marker::PhantomData;

use crate::position::next_pos;
use crate::seq;
use crate::sync::Ordering;
use crate::{EventQueue, PollStats};

/// The reading end of an [`EventQueue`]; there is at most one at a time.
///
/// Get it with [`EventQueue::consumer`] or [`EventQueue::try_consumer`]; dropping it lets another
/// be taken, which continues where this one stopped. It is `Send` but not `Sync`.
///
/// # Guarantees
///
/// - Every item the queue accepted is delivered exactly once, in order, never torn, by
///   [`poll_one`](Self::poll_one), [`poll_one_value`](Self::poll_one_value) and
///   [`poll_up_to`](Self::poll_up_to). None is ever lost.
/// - The sequence numbers between the last item read and the next one are the pushes the queue
///   refused. A poll counts them in [`PollStats::dropped`] when it reads the item after them, and
///   adds them to the running total [`dropped`](Self::dropped). So since the handle was taken,
///   the items read plus `dropped()` (without resets) equal the sequence numbers used up to the
///   last item read. Refusals after the last item read are not counted yet: they show in
///   [`PollStats::newest`] and in [`EventQueue::refused`].
/// - [`PollStats::newest`] is the newest sequence number the producer had used (accepted or
///   refused) when the poll last looked at the queue: at its start, and again whenever it had read
///   every item it had seen. It is never older than an item the poll read. Before the first push
///   it is the number before the first (`0` for [`EventQueue::new`]).
/// - No method allocates, panics (unless the callback does) or blocks, and the polls use only
///   atomic loads and stores.
///
/// ```
/// let queue = ph_eventing::EventQueue::<u32, 2>::new();
/// let producer = queue.producer();
/// let mut consumer = queue.consumer();
/// for v in 0..4 {
///     let _ = producer.push(v); // seq 1 and 2 queued, 3 and 4 refused
/// }
/// assert_eq!(consumer.poll_one_value(), Some((1, 0)));
/// assert_eq!(consumer.poll_one_value(), Some((2, 1)));
/// assert_eq!(producer.push(4), Ok(5));
/// let stats = consumer.poll_up_to(8, |seq, v| assert_eq!((seq, *v), (5, 4)));
/// assert_eq!((stats.read, stats.dropped, stats.newest), (1, 2, 5));
/// assert_eq!(consumer.dropped(), 2);
/// ```
///
/// ```compile_fail
/// fn assert_sync<S: Sync>() {}
/// assert_sync::<ph_eventing::QueueConsumer<'static, u32, 4>>();
/// ```
pub struct QueueConsumer<'a, T: Copy, const N: usize> {
    pub(crate) queue: &'a EventQueue<T, N>,
    /// Makes the handle `!Sync` while keeping it `Send`.
    pub(crate) _not_sync: PhantomData<core::cell::Cell<()>>,
}

impl<T: Copy, const N: usize> QueueConsumer<'_, T, N> {
    /// Reads the next item, if any, and passes it to `f` with its sequence number.
    ///
    /// The returned [`PollStats`] has `read` 0 or 1, `dropped` the refusals just before the item
    /// (0 when nothing was read), and `newest` as loaded by this call.
    ///
    /// ```
    /// let queue = ph_eventing::EventQueue::<u32, 4>::new();
    /// let producer = queue.producer();
    /// let mut consumer = queue.consumer();
    /// assert_eq!(consumer.poll_one(|_, _| unreachable!()).read, 0);
    /// producer.push(5).unwrap();
    /// let mut got = None;
    /// let stats = consumer.poll_one(|seq, v| got = Some((seq, *v)));
    /// assert_eq!(got, Some((1, 5)));
    /// assert_eq!((stats.read, stats.dropped, stats.newest), (1, 0, 1));
    /// ```
    #[inline]
    pub fn poll_one(&mut self, f: impl FnOnce(u32, &T)) -> PollStats {
        let mut stats = PollStats::default();
        let mut seen = self.state_head();
        if let Some((seq, pos)) = self.next_item(&mut seen, &mut stats) {
            self.read_and_release(pos, |value| f(seq, value));
        }
        stats
    }

    /// Reads the next item, if any, and returns a copy of it with its sequence number.
    ///
    /// The same read as [`poll_one`](Self::poll_one), without a callback: refusals before the
    /// item are not reported by this call but are added to [`dropped`](Self::dropped).
    ///
    /// ```
    /// let queue = ph_eventing::EventQueue::<u32, 1>::new();
    /// let producer = queue.producer();
    /// let mut consumer = queue.consumer();
    /// assert_eq!(consumer.poll_one_value(), None);
    /// assert_eq!(producer.push(10), Ok(1));
    /// assert_eq!(producer.push(20), Err(20));
    /// assert_eq!(consumer.poll_one_value(), Some((1, 10)));
    /// assert_eq!(producer.push(30), Ok(3));
    /// assert_eq!(consumer.poll_one_value(), Some((3, 30)));
    /// assert_eq!(consumer.dropped(), 1);
    /// ```
    #[inline]
    pub fn poll_one_value(&mut self) -> Option<(u32, T)> {
        let mut item = None;
        self.poll_one(|seq, value| item = Some((seq, *value)));
        item
    }

    /// Reads up to `max` items in order, passing each to `f` with its sequence number.
    ///
    /// Stops early when the queue is empty. `poll_up_to(0, ..)` reads nothing (and still reports
    /// `newest`). As for [`Consumer::poll_up_to`](crate::Consumer::poll_up_to), when the call has
    /// read the items it saw at its start it looks again and goes on with those pushed
    /// meanwhile, so `max` is the only bound on one call. Each item's slot is handed back to the
    /// producer as soon as `f` returns.
    ///
    /// ```
    /// let queue = ph_eventing::EventQueue::<u32, 8>::new();
    /// let producer = queue.producer();
    /// let mut consumer = queue.consumer();
    /// for v in 0..5 {
    ///     producer.push(v * 10).unwrap();
    /// }
    /// let mut seen = Vec::new();
    /// let stats = consumer.poll_up_to(3, |seq, v| seen.push((seq, *v)));
    /// assert_eq!(seen, [(1, 0), (2, 10), (3, 20)]);
    /// assert_eq!((stats.read, stats.newest), (3, 5));
    /// assert_eq!(consumer.poll_up_to(100, |_, _| {}).read, 2);
    /// ```
    pub fn poll_up_to(&mut self, max: usize, mut f: impl FnMut(u32, &T)) -> PollStats {
        let mut stats = PollStats::default();
        if max == 0 {
            stats.newest = self.queue.newest.load(Ordering::Acquire);
            return stats;
        }
        let mut seen = self.state_head();
        for _ in 0..max {
            let Some((seq, pos)) = self.next_item(&mut seen, &mut stats) else {
                break;
            };
            self.read_and_release(pos, |value| f(seq, value));
        }
        stats
    }

    /// The running total of refusals this handle has seen as gaps: the sum of
    /// [`PollStats::dropped`] over every poll since the handle was taken or since the last
    /// [`reset_dropped`](Self::reset_dropped), including the polls of
    /// [`poll_one_value`](Self::poll_one_value), which reports no `PollStats`.
    ///
    /// A new handle starts from 0. Unlike [`EventQueue::refused`], it does not include refusals
    /// after the last item read, and it is a `u64` that does not wrap in practice.
    ///
    /// ```
    /// let queue = ph_eventing::EventQueue::<u8, 1>::new();
    /// let producer = queue.producer();
    /// let mut consumer = queue.consumer();
    /// producer.push(1).unwrap();
    /// assert_eq!(producer.push(2), Err(2));
    /// assert_eq!(producer.push(3), Err(3));
    /// assert_eq!(consumer.poll_one_value(), Some((1, 1)));
    /// assert_eq!(consumer.dropped(), 0); // seq 2 and 3 are not behind an item yet
    /// producer.push(4).unwrap();
    /// assert_eq!(consumer.poll_one_value(), Some((4, 4)));
    /// assert_eq!(consumer.dropped(), 2);
    /// ```
    #[inline]
    pub fn dropped(&self) -> u64 {
        // SAFETY: only the live consumer touches its state; `&self` excludes a running poll.
        unsafe { (*self.queue.consumer_state.as_ptr()).dropped }
    }

    /// Sets the running total of [`dropped`](Self::dropped) refusals back to 0 and returns the
    /// total it had, so that periodic reporting reads and clears it in one call.
    ///
    /// ```
    /// let queue = ph_eventing::EventQueue::<u8, 1>::new();
    /// let producer = queue.producer();
    /// let mut consumer = queue.consumer();
    /// producer.push(1).unwrap();
    /// assert_eq!(producer.push(2), Err(2));
    /// consumer.poll_one_value();
    /// producer.push(3).unwrap();
    /// assert_eq!(consumer.poll_one_value(), Some((3, 3)));
    /// assert_eq!(consumer.reset_dropped(), 1);
    /// assert_eq!(consumer.dropped(), 0);
    /// ```
    #[inline]
    pub fn reset_dropped(&mut self) -> u64 {
        // SAFETY: only the live consumer touches its state, and `&mut self` excludes any other
        // use of this handle.
        let state = unsafe { &mut *self.queue.consumer_state.as_ptr() };
        core::mem::take(&mut state.dropped)
    }

    /// How many items are queued and not read yet (a push in progress on another core may
    /// already be in, or not yet).
    ///
    /// ```
    /// let queue = ph_eventing::EventQueue::<u8, 4>::new();
    /// let producer = queue.producer();
    /// let mut consumer = queue.consumer();
    /// producer.push(1).unwrap();
    /// producer.push(2).unwrap();
    /// assert_eq!(consumer.len(), 2);
    /// consumer.poll_one_value();
    /// assert_eq!(consumer.len(), 1);
    /// ```
    #[inline]
    pub fn len(&self) -> usize {
        let tail = self.queue.tail.load(Ordering::Relaxed);
        tail.wrapping_sub(self.state_head()) as usize
    }

    /// `true` when no item is waiting to be read ([`len`](Self::len) is 0).
    ///
    /// ```
    /// let queue = ph_eventing::EventQueue::<u8, 4>::new();
    /// let producer = queue.producer();
    /// let consumer = queue.consumer();
    /// assert!(consumer.is_empty());
    /// producer.push(1).unwrap();
    /// assert!(!consumer.is_empty());
    /// ```
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The consumer's copy of `head`: the number of items it has read.
    #[inline(always)]
    fn state_head(&self) -> u32 {
        // SAFETY: only the live consumer touches its state, and no `&mut` to it is alive here
        // (every method creates one only for its own duration).
        unsafe { (*self.queue.consumer_state.as_ptr()).head }
    }

    /// Claims the next item for reading: `(seq, slot position)`, after counting the refusals
    /// before it and updating the cursor, or `None` if the queue is empty.
    ///
    /// `seen` is the `tail` loaded earlier in the same poll (start a poll with the consumer's own
    /// `head`, which makes this load `tail`): it is loaded again, with `newest`, only when the items
    /// it announced are used up, so a batch costs one look at the producer's cache line.
    #[inline]
    fn next_item(&mut self, seen: &mut u32, stats: &mut PollStats) -> Option<(u32, usize)> {
        let queue = self.queue;
        // SAFETY: only the live consumer touches its state, and `&mut self` excludes any other
        // use of this handle; the reference does not outlive this call.
        let state = unsafe { &mut *queue.consumer_state.as_ptr() };
        if state.head == *seen {
            // Acquire: pairs with the producer's `Release` store of `tail`, so its writes to the
            // slots it published happen before our reads.
            *seen = queue.tail.load(Ordering::Acquire);
            // After `tail`: the producer stores `newest` before `tail`, so this is at least the
            // sequence number of every item announced by `seen`.
            stats.newest = queue.newest.load(Ordering::Relaxed);
            if state.head == *seen {
                return None;
            }
        }
        let pos = state.pos;
        // SAFETY: `pos < N` always holds (it only moves through `next_pos`).
        let slot = unsafe { queue.slot(pos) };
        let seq = slot.with(|item| {
            // SAFETY: `head != tail` as last acquired, so the slot at `pos` holds a published item
            // and belongs to the consumer until its `Release` store of `head` past it.
            unsafe { (*item).seq }
        });
        let gap = seq::distance(state.next ^ 1, seq);
        if gap != 0 {
            // Refused pushes; counted here only, off the path of a poll that has no gap.
            stats.dropped = stats.dropped.saturating_add(gap);
            state.dropped = state.dropped.wrapping_add(u64::from(gap));
        }
        state.next = seq::next(seq) ^ 1;
        state.head = state.head.wrapping_add(1);
        state.pos = next_pos::<N>(pos);
        stats.read = stats.read.saturating_add(1);
        Some((seq, pos))
    }

    /// Runs `f` on the value in the slot at `pos`, which [`next_item`](Self::next_item) just
    /// claimed, then hands the slot back to the producer. (If `f` panics the item still counts as
    /// read; its slot is handed back by the next poll's release, which covers it.)
    #[inline(always)]
    fn read_and_release(&mut self, pos: usize, f: impl FnOnce(&T)) {
        let queue = self.queue;
        // SAFETY: `pos < N` (from `next_item`).
        let slot = unsafe { queue.slot(pos) };
        slot.with(|item| {
            // SAFETY: the consumer owns the slot (its `Release` store of `head` past it comes
            // below, after this read), and it holds a published item, written by `push` with
            // `MaybeUninit::new`, so the value is initialised.
            f(unsafe { (*item).value.assume_init_ref() })
        });
        // Release: our reads of the slot happen before the producer's next writes to it, which
        // it makes only after acquiring this `head`.
        queue.head.store(self.state_head(), Ordering::Release);
    }
}

impl<T: Copy, const N: usize> Drop for QueueConsumer<'_, T, N> {
    fn drop(&mut self) {
        self.queue.release_consumer();
    }
}

impl<T: Copy, const N: usize> core::fmt::Debug for QueueConsumer<'_, T, N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("QueueConsumer")
            .field("queue", self.queue)
            .field("len", &self.len())
            .field("dropped", &self.dropped())
            .finish()
    }
}
