//! [`SwapConsumer`]: the reading end of a [`SwapRing`].

use core::marker::PhantomData;

use super::{CONSUMER_MARK, ConsumerState, INDEX_MASK, Slot};
use crate::position::next_pos;
use crate::seq;
use crate::sync::Ordering;
use crate::{PollStats, SwapRing};

/// The reading end of a [`SwapRing`]; there is at most one at a time.
///
/// Get it with [`SwapRing::consumer`] or [`SwapRing::try_consumer`]; dropping it lets another be
/// taken, which continues where this one stopped. It is `Send` but not `Sync`.
///
/// # Guarantees
///
/// - Every item is delivered at most once, in sequence order, by [`poll_one`](Self::poll_one),
///   [`poll_one_value`](Self::poll_one_value) and [`poll_up_to`](Self::poll_up_to). An item is
///   never delivered torn.
/// - An item the consumer does not get was either overwritten before it was read, and is counted
///   in that poll's [`PollStats::dropped`] and in the running total [`dropped`](Self::dropped), or
///   passed over on request by [`skip_to_latest`](Self::skip_to_latest), which returns how many.
///   Since the handle was taken, the items read, plus `dropped()` (without resets), plus the
///   counts `skip_to_latest` returned, add up to the number of pushes the consumer has moved past.
/// - [`latest`](Self::latest) never moves the read cursor.
/// - No method allocates, panics or blocks; see [`poll_up_to`](Self::poll_up_to) for how long one
///   call can run against a producer on another core.
///
/// ```
/// let ring = ph_eventing::SwapRing::<u32, 4>::new();
/// let producer = ring.producer();
/// let mut consumer = ring.consumer();
/// for v in 0..6 {
///     producer.push(v); // seq 1..=6: a ring of 4 keeps 3..=6
/// }
/// assert_eq!(consumer.poll_one_value(), Some((3, 2)));
/// assert_eq!(consumer.dropped(), 2); // seq 1 and 2 were overwritten
/// assert_eq!(consumer.skip_to_latest(), 2); // pass over 4 and 5
/// assert_eq!(consumer.poll_one_value(), Some((6, 5)));
/// assert_eq!(consumer.poll_one_value(), None);
/// ```
///
/// ```compile_fail
/// fn assert_sync<S: Sync>() {}
/// assert_sync::<ph_eventing::SwapConsumer<'static, u32, 4>>();
/// ```
pub struct SwapConsumer<'a, T: Copy, const N: usize> {
    pub(crate) ring: &'a SwapRing<T, N>,
    /// Makes the handle `!Sync` while keeping it `Send`.
    pub(crate) _not_sync: PhantomData<core::cell::Cell<()>>,
}

impl<'a, T: Copy, const N: usize> SwapConsumer<'a, T, N> {
    /// The handle, once `ring`'s consumer flag was taken.
    pub(crate) fn taken(ring: &'a SwapRing<T, N>) -> Self {
        // SAFETY: the caller took the consumer flag, so no other handle touches the consumer
        // state, and the `Acquire` of the take ordered this after the last handle's accesses.
        unsafe { (*ring.consumer_state.as_ptr()).start::<N>() };
        Self {
            ring,
            _not_sync: PhantomData,
        }
    }
}

impl<T: Copy, const N: usize> SwapConsumer<'_, T, N> {
    /// Reads the next item, if any, and passes it to `f` with its sequence number.
    ///
    /// If the producer has overwritten items the consumer had not read yet, they are skipped and
    /// counted in [`PollStats::dropped`]; the item passed to `f` is then the oldest one still in
    /// the ring. (Exception: a producer running in parallel on another core that overwrites that
    /// oldest item twice while this call reaches for it makes the consumer skip `N / 8` more
    /// items, so that it gets ahead of the producer instead of chasing it; they are counted in
    /// `dropped` as well.)
    ///
    /// ```
    /// let ring = ph_eventing::SwapRing::<u32, 4>::new();
    /// let producer = ring.producer();
    /// let mut consumer = ring.consumer();
    /// assert_eq!(consumer.poll_one(|_, _| unreachable!()).read, 0);
    /// producer.push(5);
    /// let mut got = None;
    /// let stats = consumer.poll_one(|seq, v| got = Some((seq, *v)));
    /// assert_eq!(got, Some((1, 5)));
    /// assert_eq!((stats.read, stats.dropped, stats.newest), (1, 0, 1));
    /// ```
    #[inline]
    pub fn poll_one(&mut self, f: impl FnOnce(u32, &T)) -> PollStats {
        let mut stats = PollStats::default();
        if let Some((seq, index)) = self.next_item::<false>(&mut stats) {
            self.with_value(index, |value| f(seq, value));
        }
        stats
    }

    /// Reads the next item, if any, and returns a copy of it with its sequence number.
    ///
    /// The same read as [`poll_one`](Self::poll_one), without a callback: items skipped because
    /// they were overwritten are not reported by this call but are added to
    /// [`dropped`](Self::dropped), exactly as `poll_one` would have counted them in
    /// [`PollStats::dropped`].
    ///
    /// ```
    /// let ring = ph_eventing::SwapRing::<u32, 2>::new();
    /// let producer = ring.producer();
    /// let mut consumer = ring.consumer();
    /// assert_eq!(consumer.poll_one_value(), None);
    /// for v in [10, 20, 30] {
    ///     producer.push(v); // seq 1, 2, 3: seq 1 is overwritten
    /// }
    /// assert_eq!(consumer.poll_one_value(), Some((2, 20)));
    /// assert_eq!(consumer.poll_one_value(), Some((3, 30)));
    /// assert_eq!(consumer.poll_one_value(), None);
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
    /// Stops early when the ring is drained. `poll_up_to(0, ..)` reads nothing.
    ///
    /// # How long one call runs
    ///
    /// The call returns after `max` items or as soon as it has read everything published: when it
    /// has read the items it saw at its start, it looks at the producer's position again and goes
    /// on with whatever was pushed meanwhile. So `max` is the only bound on the work of one call:
    /// against a producer on another core that keeps pace with the consumer, `poll_up_to(usize::MAX,
    /// ..)` keeps reading as long as the producer keeps pushing. (Against an interrupt handler on
    /// the consumer's own core this needs an interrupt rate that would starve the main loop
    /// anyway.) Pass a `max` that fits the time you can spend in one call, such as the ring's
    /// capacity. The alternative, stopping at the position seen at the start of the call as 0.3.0
    /// did, would bound the call at `N` items plus skips but would make a consumer that keeps up
    /// return, and call again, once per batch the producer publishes while it reads.
    ///
    /// ```
    /// let ring = ph_eventing::SwapRing::<u32, 8>::new();
    /// let producer = ring.producer();
    /// let mut consumer = ring.consumer();
    /// for v in 0..5 {
    ///     producer.push(v * 10);
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
            stats.newest = self.ring.head.load(Ordering::Acquire);
            return stats;
        }
        for _ in 0..max {
            let Some((seq, index)) = self.next_item::<true>(&mut stats) else {
                break;
            };
            self.with_value(index, |value| f(seq, value));
        }
        stats
    }

    /// Moves the read cursor to the newest item, passing over the older unread ones, and returns
    /// how many it passed over.
    ///
    /// For a consumer that starts late or has fallen behind and wants only what is new: the next
    /// poll delivers the item that was newest when this call looked (unless the producer has
    /// overwritten it by then: the poll then reports the loss as usual), followed by anything
    /// pushed after it. Nothing is read or copied.
    ///
    /// The items passed over are not counted in [`dropped`](Self::dropped), which counts only
    /// items lost to overwrites; the return value accounts for them instead, including any that had
    /// already been overwritten. `0` when nothing was pushed yet or at most the newest item is
    /// unread.
    ///
    /// ```
    /// let ring = ph_eventing::SwapRing::<u32, 8>::new();
    /// let producer = ring.producer();
    /// for v in 1..=5 {
    ///     producer.push(v * 100);
    /// }
    /// let mut consumer = ring.consumer();
    /// assert_eq!(consumer.skip_to_latest(), 4);
    /// assert_eq!(consumer.poll_one_value(), Some((5, 500)));
    /// producer.push(600);
    /// assert_eq!(consumer.skip_to_latest(), 0); // only the newest is unread
    /// assert_eq!(consumer.poll_one_value(), Some((6, 600)));
    /// assert_eq!(consumer.dropped(), 0);
    /// ```
    pub fn skip_to_latest(&mut self) -> u32 {
        let ring = self.ring;
        // Relaxed: the value only places the cursor. Every poll and `latest` loads `head` again
        // with `Acquire` before it touches a slot, and sees this value or a newer one.
        let head = ring.head.load(Ordering::Relaxed);
        // SAFETY: only the live consumer touches its state, and `&mut self` excludes `latest`.
        let state = unsafe { &mut *ring.consumer_state.as_ptr() };
        // Unread: `next ..= head`; all but the last are passed over.
        let unread = seq::distance(state.next, seq::next(head));
        if unread >= seq::BEHIND {
            // `head` behind the cursor, seen for a moment after a skip ahead of a producer on
            // another core: nothing to pass over.
            return 0;
        }
        let count = unread.saturating_sub(1);
        state.next = seq::advance(state.next, count);
        state.pos = (state.pos + count as usize % N) % N;
        count
    }

    crate::dropped_total::ring_dropped_methods!(SwapRing);

    /// Returns a copy of the newest item and its sequence number, without moving the read cursor.
    ///
    /// `None` until the first push.
    ///
    /// ```
    /// let ring = ph_eventing::SwapRing::<u32, 4>::new();
    /// let producer = ring.producer();
    /// let mut consumer = ring.consumer();
    /// producer.push(1);
    /// producer.push(2);
    /// assert_eq!(consumer.latest(), Some((2, 2)));
    /// // The cursor did not move: both items are still there to read.
    /// assert_eq!(consumer.poll_up_to(10, |_, _| {}).read, 2);
    /// assert_eq!(consumer.latest(), Some((2, 2)));
    /// ```
    pub fn latest(&self) -> Option<(u32, T)> {
        let ring = self.ring;
        let head = ring.head.load(Ordering::Acquire);
        if head == 0 {
            return None;
        }
        // SAFETY: the consumer state is only touched through the one live `SwapConsumer`; it is
        // `!Sync`, and `latest` cannot run inside a poll (polls borrow it mutably).
        let state = unsafe { &mut *ring.consumer_state.as_ptr() };
        {
            // SAFETY: `state.spare < N + 2`, and the consumer owns that buffer.
            if let Some(item) = unsafe { read_owned(ring, state.spare) }
                && item.0 == head
            {
                // The newest item is the last one delivered: the consumer still holds it.
                return Some(item);
            }
            let unread = seq::distance(state.next, seq::next(head));
            if unread == 0 {
                // Every item up to `head` was delivered, so the spare holds `head` (see above);
                // reaching here would mean the newest item was lost to a race: report nothing.
                return None;
            }
            // Where `head` is: `unread - 1` positions after the cursor.
            let pos = (state.pos + (unread - 1) as usize % N) % N;
            // SAFETY: `pos < N`.
            let slot = unsafe { ring.slot(pos) };
            let taken = slot.swap(state.spare | CONSUMER_MARK, Ordering::AcqRel);
            let index = taken & INDEX_MASK;
            // SAFETY: the swap handed us buffer `index` (< N + 2): we own it until we give it back.
            let item = unsafe { read_owned(ring, index) };
            put_back(&slot, state, taken);
            item.filter(|&(s, _)| {
                taken & CONSUMER_MARK == 0 && seq::distance(head, s) < seq::BEHIND
            })
        }
    }

    /// How many of the oldest items a consumer that keeps being overtaken while it reads skips on
    /// top of the overwritten ones: an eighth of the ring (none below `N = 8`).
    const CATCH_UP_MARGIN: u32 = (N / 8) as u32;

    /// Takes the next deliverable item into the consumer's spare buffer: `(seq, buffer index)`.
    /// Counts skipped items and the newest sequence number in `stats`.
    ///
    /// With `REUSE_HEAD`, a `head` loaded earlier in the same poll (in `stats.newest`) is used
    /// until the items it announced are read; `poll_one` reads one item and gains nothing from it.
    #[inline]
    fn next_item<const REUSE_HEAD: bool>(&mut self, stats: &mut PollStats) -> Option<(u32, u32)> {
        let ring = self.ring;
        // SAFETY: only the live consumer touches its state, and `&mut self` excludes `latest`.
        let state = unsafe { &mut *ring.consumer_state.as_ptr() };
        let mut overtaken = false;
        {
            loop {
                // `stats.newest` is the `head` loaded earlier in this poll (0: not loaded yet).
                // Reading `head` again only when the items it announced are used up keeps the
                // producer's cache line out of the consumer's way: one load per batch, not per
                // item. A lap that happens meanwhile is still caught by the swap below.
                let mut unread = seq::distance(state.next, seq::next(stats.newest));
                if !REUSE_HEAD || stats.newest == 0 || unread == 0 || unread >= seq::BEHIND {
                    let head = ring.head.load(Ordering::Acquire);
                    stats.newest = head;
                    unread = seq::distance(state.next, seq::next(head));
                    if unread == 0 {
                        return None;
                    }
                }
                if unread > N as u32 {
                    // Lapped: only the newest N items are still in the ring.
                    skip::<N>(state, unread - N as u32, stats);
                }
                let pos = state.pos;
                // SAFETY: `state.pos < N` always holds (it only moves by `next_pos` or modulo N).
                let slot = unsafe { ring.slot(pos) };
                let taken = slot.swap(state.spare | CONSUMER_MARK, Ordering::AcqRel);
                let index = taken & INDEX_MASK;
                if taken & CONSUMER_MARK != 0 {
                    // Our own stale buffer: cannot happen for a published position (the producer
                    // replaced it before publishing `head`). Keep it and count the item as lost
                    // rather than spin.
                    state.spare = index;
                    skip::<N>(state, 1, stats);
                    continue;
                }
                // SAFETY: the swap handed us buffer `index` (< N + 2); we own it now.
                let seq = unsafe { ring.buffer(index) }.with(|item| {
                    // SAFETY: we own the buffer: no concurrent access.
                    unsafe { (*item).seq }
                });
                if seq == state.next {
                    state.spare = index;
                    state.next = seq::next(seq);
                    state.pos = next_pos::<N>(pos);
                    stats.read = stats.read.saturating_add(1);
                    return Some((seq, index));
                }
                // The producer lapped us after we read `head`: put its newer item back (unless it
                // has already replaced it too) and skip what it overwrote.
                put_back(&slot, state, taken);
                let ahead = seq::distance(state.next, seq);
                if seq != 0 && (N as u32..seq::BEHIND).contains(&ahead) {
                    // Items `next ..= seq - N` are gone; `seq - N + 1 ..` are still in the ring.
                    // Overtaken a second time in one call: the producer runs on another core and
                    // writes the oldest item just before we get to it, so chasing it would fail
                    // again and again. Resume `CATCH_UP_MARGIN` items further instead, ahead of
                    // the producer. (An interrupt on our own core could only do this by refilling
                    // the whole ring twice within a few instructions of this loop.)
                    let margin = if overtaken { Self::CATCH_UP_MARGIN } else { 0 };
                    overtaken = true;
                    skip::<N>(state, ahead - N as u32 + 1 + margin, stats);
                } else {
                    // An older item where a newer one was published: unreachable by the ring's
                    // invariant; count it as lost instead of spinning.
                    skip::<N>(state, 1, stats);
                }
            }
        }
    }

    /// Runs `f` on the value in buffer `index`, which [`next_item`](Self::next_item) just gave
    /// the consumer.
    #[inline(always)]
    fn with_value<R>(&self, index: u32, f: impl FnOnce(&T) -> R) -> R {
        // SAFETY: `index` is the consumer's spare (< N + 2), which it owns.
        unsafe { self.ring.buffer(index) }.with(|item| {
            // SAFETY: we own the buffer, and it holds a delivered item, written by `push` with
            // `MaybeUninit::new`, so the value is initialised.
            f(unsafe { (*item).value.assume_init_ref() })
        })
    }
}

/// Returns the buffer `taken` (a slot entry the consumer swapped out of `slot`, its spare going
/// in) to the slot, unless the producer has replaced the spare there meanwhile: then the producer
/// owns the old spare, and `taken` becomes the consumer's spare. The compare-and-swap expects the
/// spare with [`CONSUMER_MARK`], which the producer never writes, so it cannot succeed once the
/// producer has been there (no ABA).
#[inline]
fn put_back(slot: &Slot<'_>, state: &mut ConsumerState, taken: u32) {
    let ours = state.spare | CONSUMER_MARK;
    if slot
        .compare_exchange(ours, taken, Ordering::AcqRel, Ordering::Acquire)
        .is_err()
    {
        state.spare = taken & INDEX_MASK;
    }
}

/// Moves the cursor `count` items forward and counts them as dropped, in the poll's `stats` and in
/// the handle's running total. (Counting here, on the lapped path only, keeps the running total
/// off the path of a poll that loses nothing.)
#[inline]
fn skip<const N: usize>(state: &mut ConsumerState, count: u32, stats: &mut PollStats) {
    state.next = seq::advance(state.next, count);
    state.pos = (state.pos + count as usize % N) % N;
    stats.dropped = stats.dropped.saturating_add(count);
    state.dropped = state.dropped.wrapping_add(u64::from(count));
}

/// Copies the item in a buffer the consumer owns; `None` if it was never written.
///
/// # Safety
///
/// `index < N + 2`, and the consumer owns buffer `index`.
unsafe fn read_owned<T: Copy, const N: usize>(
    ring: &SwapRing<T, N>,
    index: u32,
) -> Option<(u32, T)> {
    // SAFETY: the caller guarantees the index is in range.
    unsafe { ring.buffer(index) }.with(|item| {
        // SAFETY: the caller guarantees we own the buffer, so nothing writes it concurrently; a
        // non-zero `seq` means `push` wrote the value.
        unsafe {
            let seq = (*item).seq;
            (seq != 0).then(|| (seq, (*item).value.assume_init()))
        }
    })
}

impl<T: Copy, const N: usize> Drop for SwapConsumer<'_, T, N> {
    fn drop(&mut self) {
        self.ring.release_consumer();
    }
}

impl<T: Copy, const N: usize> core::fmt::Debug for SwapConsumer<'_, T, N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SwapConsumer")
            .field("ring", self.ring)
            .field("dropped", &self.dropped())
            .finish()
    }
}
