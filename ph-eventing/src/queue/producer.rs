//! [`QueueProducer`]: the writing end of an [`EventQueue`].

use core::marker::PhantomData;
use core::mem::MaybeUninit;

use crate::EventQueue;
use crate::position::next_pos;
use crate::seq;
use crate::sync::Ordering;

/// The writing end of an [`EventQueue`]; there is at most one at a time.
///
/// Get it with [`EventQueue::producer`] or [`EventQueue::try_producer`]; dropping it lets another
/// be taken, which continues the sequence numbers. It is `Send` (move it into the interrupt
/// handler's context or another thread) but not `Sync`: two threads can never push through one
/// handle at the same time.
///
/// ```compile_fail
/// fn assert_sync<S: Sync>() {}
/// assert_sync::<ph_eventing::QueueProducer<'static, u32, 4>>();
/// ```
pub struct QueueProducer<'a, T: Copy, const N: usize> {
    pub(crate) queue: &'a EventQueue<T, N>,
    /// Makes the handle `!Sync` while keeping it `Send`.
    pub(crate) _not_sync: PhantomData<core::cell::Cell<()>>,
}

impl<T: Copy, const N: usize> QueueProducer<'_, T, N> {
    /// Queues `value` and returns its sequence number, or hands `value` back as `Err(value)` when
    /// the queue holds `N` items.
    ///
    /// Never blocks, never allocates, never panics. Either way the push uses up one sequence
    /// number: a refusal is the gap the consumer sees between the items before and after it,
    /// counted in its [`PollStats::dropped`](crate::PollStats::dropped), and in
    /// [`refused`](Self::refused). Sequence numbers start at 1 (or the queue's
    /// [`starting_at`](EventQueue::starting_at)) and increase by one per push; after `u32::MAX`
    /// comes `1` again (`0` is never used).
    ///
    /// Safe to call from an interrupt handler: wait-free, with only atomic loads and stores (no
    /// read-modify-write, so no interrupt masking on targets that emulate those).
    ///
    /// ```
    /// let queue = ph_eventing::EventQueue::<u16, 1>::new();
    /// let producer = queue.producer();
    /// assert_eq!(producer.push(10), Ok(1));
    /// assert_eq!(producer.push(20), Err(20)); // full: seq 2 is refused
    /// let mut consumer = queue.consumer();
    /// assert_eq!(consumer.poll_one_value(), Some((1, 10)));
    /// assert_eq!(producer.push(30), Ok(3));
    /// ```
    #[inline]
    pub fn push(&self, value: T) -> Result<u32, T> {
        let queue = self.queue;
        // SAFETY: the producer state is only touched through the one live `QueueProducer`, and
        // this handle is `!Sync`, so this is the only access right now.
        let state = unsafe { &mut *queue.producer_state.as_ptr() };
        // Only the producer writes `newest`, so a relaxed load reads our own last store.
        let seq = seq::next(queue.newest.load(Ordering::Relaxed));
        if state.tail.wrapping_sub(state.head_seen) == N as u32 {
            // Looks full: see how far the consumer has got. Acquire pairs with the consumer's
            // `Release` store of `head`, so its reads of the slots it freed happen before our
            // writes to them.
            state.head_seen = queue.head.load(Ordering::Acquire);
            if state.tail.wrapping_sub(state.head_seen) == N as u32 {
                // Only the producer writes `refused`: a plain load and store, no read-modify-write.
                let refused = queue.refused.load(Ordering::Relaxed);
                queue
                    .refused
                    .store(refused.wrapping_add(1), Ordering::Relaxed);
                queue.newest.store(seq, Ordering::Relaxed);
                return Err(value);
            }
        }
        let pos = state.pos;
        // SAFETY: `pos < N` always holds (it only moves through `next_pos`).
        let slot = unsafe { queue.slot(pos) };
        slot.with_mut(|item| {
            // SAFETY: the slot at `pos` is outside `head .. tail` (fewer than `N` items are
            // queued, as `head_seen` shows, and `head` only grows), so the producer owns it: the
            // consumer finished its last read before the `Release` store of `head` acquired above
            // (or the slot was never used), and does not read it until the store of `tail` below.
            unsafe {
                (*item).seq = seq;
                (*item).value = MaybeUninit::new(value);
            }
        });
        state.tail = state.tail.wrapping_add(1);
        state.pos = next_pos::<N>(pos);
        // `newest` before `tail`: a consumer that acquires this `tail` then reads `newest` no
        // older than this item's sequence number.
        queue.newest.store(seq, Ordering::Relaxed);
        // Release: hands the slot to the consumer, which acquires `tail` before reading it.
        queue.tail.store(state.tail, Ordering::Release);
        Ok(seq)
    }

    /// How many pushes the queue has refused since it was created, wrapping after `u32::MAX`
    /// (the same count as [`EventQueue::refused`]).
    ///
    /// ```
    /// let queue = ph_eventing::EventQueue::<u8, 2>::new();
    /// let producer = queue.producer();
    /// for v in 0..5 {
    ///     let _ = producer.push(v); // 0 and 1 are queued, 2, 3 and 4 refused
    /// }
    /// assert_eq!(producer.refused(), 3);
    /// ```
    #[inline]
    pub fn refused(&self) -> u32 {
        // Only the producer writes it: this reads our own last store.
        self.queue.refused.load(Ordering::Relaxed)
    }
}

impl<T: Copy, const N: usize> Drop for QueueProducer<'_, T, N> {
    fn drop(&mut self) {
        self.queue.release_producer();
    }
}

impl<T: Copy, const N: usize> core::fmt::Debug for QueueProducer<'_, T, N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("QueueProducer")
            .field("queue", self.queue)
            .finish()
    }
}
