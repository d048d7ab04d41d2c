//! [`Consumer`]: the reading end of a [`SeqRing`].

use core::marker::PhantomData;

use bytemuck::NoUninit;

use super::ConsumerState;
use super::slot::{EMPTY, Missed};
use crate::layout::{Packed, SlotLayout};
use crate::position::next_pos;
use crate::seq;
use crate::sync::Ordering;
#[cfg(target_pointer_width = "64")]
use crate::sync::load_word_acquire;
#[cfg(target_pointer_width = "64")]
use crate::words::{Copied, Shape, stamp_of};
use crate::{PollStats, SeqRing};

/// The reading end of a [`SeqRing`]; there is at most one at a time.
///
/// Get it with [`SeqRing::consumer`] or [`SeqRing::try_consumer`]; dropping it lets another be
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
/// let ring = ph_eventing::SeqRing::<u32, 4>::new();
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
/// assert_sync::<ph_eventing::Consumer<'static, u32, 4>>();
/// ```
pub struct Consumer<'a, T: NoUninit, const N: usize, L: SlotLayout = Packed> {
    pub(crate) ring: &'a SeqRing<T, N, L>,
    /// Makes the handle `!Sync` while keeping it `Send`.
    pub(crate) _not_sync: PhantomData<core::cell::Cell<()>>,
}

impl<'a, T: NoUninit, const N: usize, L: SlotLayout> Consumer<'a, T, N, L> {
    /// The handle, once `ring`'s consumer flag was taken.
    pub(crate) fn taken(ring: &'a SeqRing<T, N, L>) -> Self {
        Self {
            ring,
            _not_sync: PhantomData,
        }
    }
}

impl<T: NoUninit, const N: usize, L: SlotLayout> Consumer<'_, T, N, L> {
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
    /// let ring = ph_eventing::SeqRing::<u32, 4>::new();
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
        if let Some((seq, value)) = self.next_item::<false>(&mut stats) {
            f(seq, &value);
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
    /// let ring = ph_eventing::SeqRing::<u32, 2>::new();
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
        let mut stats = PollStats::default();
        self.next_item::<false>(&mut stats)
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
    /// let ring = ph_eventing::SeqRing::<u32, 8>::new();
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
            stats.newest = self.ring.published(Ordering::Acquire);
            return stats;
        }
        for _ in 0..max {
            let Some((seq, value)) = self.next_item::<true>(&mut stats) else {
                break;
            };
            f(seq, &value);
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
    /// let ring = ph_eventing::SeqRing::<u32, 8>::new();
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
        let head = ring.published(Ordering::Relaxed);
        // SAFETY: only the live consumer touches its state, and `&mut self` excludes `latest`.
        let state = unsafe { &mut *ring.consumer_state.as_ptr() };
        // Unread: `cursor + 1 ..= head`; all but the last are passed over. (A `head` behind the
        // cursor, seen for a moment after a skip ahead of a producer on another core: nothing.)
        let unread = unread_after(state.cursor, head);
        if unread >= seq::BEHIND {
            return 0;
        }
        let count = unread.saturating_sub(1);
        state.cursor = advance_cursor(state.cursor, count);
        state.pos = (state.pos + count as usize % N) % N;
        count
    }

    crate::dropped_total::ring_dropped_methods!(SeqRing);

    /// Returns a copy of the newest item and its sequence number, without moving the read cursor.
    ///
    /// `None` until the first push. It reads the slot the way a poll does (stamp, copy, stamp)
    /// and writes nothing; against a producer on another core that overwrites the newest item
    /// while it is being copied, it looks again, and after 4 such tries returns `None`. Where a
    /// slot is one word (a value of at most four bytes on a 64-bit target), the ring's `head`
    /// holds a copy of the newest slot, and a call is one load of it, never torn.
    ///
    /// ```
    /// let ring = ph_eventing::SeqRing::<u32, 4>::new();
    /// let producer = ring.producer();
    /// let mut consumer = ring.consumer();
    /// producer.push(1);
    /// producer.push(2);
    /// assert_eq!(consumer.latest(), Some((2, 2)));
    /// // The cursor did not move: both items are still there to read.
    /// assert_eq!(consumer.poll_up_to(10, |_, _| {}).read, 2);
    /// assert_eq!(consumer.latest(), Some((2, 2)));
    /// ```
    #[inline]
    pub fn latest(&self) -> Option<(u32, T)> {
        match self.latest_attempt() {
            Attempt::Item(item) => Some(item),
            Attempt::Nothing => None,
            Attempt::Again => self.latest_again(),
        }
    }

    /// [`latest`](Self::latest)'s retries, out of line: the newest item was overwritten while it
    /// was copied, or its stamp was not visible yet.
    #[cold]
    #[inline(never)]
    fn latest_again(&self) -> Option<(u32, T)> {
        for _ in 1..LATEST_ATTEMPTS {
            match self.latest_attempt() {
                Attempt::Item(item) => return Some(item),
                Attempt::Nothing => return None,
                Attempt::Again => {}
            }
        }
        None
    }

    /// One try of [`latest`](Self::latest).
    #[inline(always)]
    fn latest_attempt(&self) -> Attempt<T> {
        let ring = self.ring;
        // SAFETY: only the live consumer touches its state; `&self` excludes a running poll.
        let state = unsafe { &*ring.consumer_state.as_ptr() };
        #[cfg(target_pointer_width = "64")]
        if Shape::<T>::ONE_WORD {
            // `head` is a copy of the newest slot's one word: the item, unless no push made it
            // (the ring's initial `head`, which the slot read below answers).
            let word = load_word_acquire(&ring.head);
            let head = stamp_of(word);
            if head == 0 {
                return Attempt::Nothing;
            }
            if head != state.start {
                let copy = Copied::from_first_word(word);
                // SAFETY: a push stored `word` into `head` as it stored it into the slot of
                // item `head`: the whole slot, one word, one store, never torn.
                return Attempt::Item((head, unsafe { copy.assume_whole() }));
            }
        }
        let head = ring.published(Ordering::Acquire);
        if head == 0 {
            return Attempt::Nothing;
        }
        // `head` is `unread_after(cursor, head)` items after the cursor, whose position is that
        // of `cursor + 1`: one position back, then forward. (A consumer that skipped ahead of a
        // producer on another core can see a `head` behind its cursor for a moment: then back
        // from there.)
        let unread = unread_after(state.cursor, head);
        let pos = if unread < seq::BEHIND {
            (state.pos + N - 1 + unread as usize % N) % N
        } else {
            let behind = seq::distance(head, state.cursor) as usize % N;
            (state.pos + 2 * N - 1 - behind) % N
        };
        // SAFETY: `pos < N`.
        match unsafe { ring.slot(pos) }.read(head) {
            Ok(value) => Attempt::Item((head, value)),
            Err(_) => Attempt::Again,
        }
    }

    /// How many of the oldest items a consumer that keeps being overtaken while it reads skips on
    /// top of the overwritten ones: an eighth of the ring (none below `N = 8`).
    const CATCH_UP_MARGIN: u32 = (N / 8) as u32;

    /// Reads the next deliverable item. Counts skipped items and the newest sequence number in
    /// `stats`.
    ///
    /// With `REUSE_HEAD`, a `head` loaded earlier in the same poll (in `stats.newest`) is used
    /// until the items it announced are read; `poll_one` reads one item and gains nothing from it.
    ///
    /// The common case (the next item is there, whole) is inlined; everything else (lapped, a
    /// slot being overwritten, a copy torn) goes to [`next_item_slow`](Self::next_item_slow),
    /// which keeps the registers of the fast path free.
    #[inline(always)]
    fn next_item<const REUSE_HEAD: bool>(&mut self, stats: &mut PollStats) -> Option<(u32, T)> {
        let ring = self.ring;
        // SAFETY: only the live consumer touches its state, and `&mut self` excludes `latest`.
        let state = unsafe { &mut *ring.consumer_state.as_ptr() };
        // `stats.newest` is the `head` loaded earlier in this poll (0: not loaded yet). Reading
        // `head` again only when the items it announced are used up keeps the producer's cache
        // line out of the consumer's way: one load per batch, not per item.
        let mut unread = unread_after(state.cursor, stats.newest);
        if !REUSE_HEAD || stats.newest == 0 || unread == 0 || unread >= seq::BEHIND {
            let head = ring.published(Ordering::Acquire);
            stats.newest = head;
            unread = unread_after(state.cursor, head);
            if unread == 0 || unread >= seq::BEHIND {
                return None;
            }
        }
        if unread <= N as u32 {
            let pos = state.pos;
            let want = seq::next(state.cursor);
            // SAFETY: `state.pos < N` always holds (it only moves by `next_pos` or modulo N).
            if let Ok(value) = unsafe { ring.slot(pos) }.read(want) {
                state.cursor = want;
                state.pos = next_pos::<N>(pos);
                stats.read = stats.read.saturating_add(1);
                return Some((want, value));
            }
        }
        let (item, slow) = self.next_item_slow();
        stats.read = stats.read.saturating_add(slow.read);
        stats.dropped = stats.dropped.saturating_add(slow.dropped);
        stats.newest = slow.newest;
        item
    }

    /// [`next_item`](Self::next_item) when the next item was not simply there: skips what was
    /// lapped and retries, or finds there is nothing to read yet.
    ///
    /// Returns the item, if any, with what this call read, skipped and saw (its own
    /// [`PollStats`], so that the fast path's stay in registers).
    #[cold]
    #[inline(never)]
    fn next_item_slow(&mut self) -> (Option<(u32, T)>, PollStats) {
        let ring = self.ring;
        // SAFETY: only the live consumer touches its state, and `&mut self` excludes `latest`.
        let state = unsafe { &mut *ring.consumer_state.as_ptr() };
        let mut stats = PollStats::default();
        let stats = &mut stats;
        let mut overtaken = false;
        loop {
            let head = ring.published(Ordering::Acquire);
            stats.newest = head;
            let mut unread = unread_after(state.cursor, head);
            if unread == 0 || unread >= seq::BEHIND {
                return (None, *stats);
            }
            if unread > N as u32 {
                // Lapped: only the newest N items are still in the ring.
                skip::<N>(state, unread - N as u32, stats);
                unread = N as u32;
            }
            let pos = state.pos;
            let want = seq::next(state.cursor);
            // SAFETY: `state.pos < N` always holds (it only moves by `next_pos` or modulo N).
            let stamp = match unsafe { ring.slot(pos) }.read(want) {
                Ok(value) => {
                    state.cursor = want;
                    state.pos = next_pos::<N>(pos);
                    stats.read = stats.read.saturating_add(1);
                    return (Some((want, value)), *stats);
                }
                // Overwritten while we copied it: look at `head` and the stamp again, which now
                // say how far the producer got.
                Err(Missed::Torn) => continue,
                Err(Missed::Holds(stamp)) => stamp,
            };
            let ahead = seq::distance(want, stamp);
            if stamp != EMPTY && (N as u32..seq::BEHIND).contains(&ahead) {
                // The producer lapped us after we read `head`: items `want ..= stamp - N` are
                // gone, `stamp - N + 1 ..` are still in the ring. Overtaken a second time in one
                // call: the producer runs on another core and writes the oldest item just before
                // we get to it, so chasing it would fail again and again. Resume
                // `CATCH_UP_MARGIN` items further instead, ahead of the producer. (An interrupt
                // on our own core could only do this by refilling the whole ring twice within a
                // few instructions of this loop.)
                let margin = if overtaken { Self::CATCH_UP_MARGIN } else { 0 };
                overtaken = true;
                skip::<N>(state, ahead - N as u32 + 1 + margin, stats);
            } else if unread == 1 {
                // `want` is the newest item `head` announced, and its slot is marked busy or still
                // holds an older item: its own push's stamp store is not visible yet (another
                // core), or a later push is overwriting it (and `head` will say so). Not there
                // yet, rather than lost.
                return (None, *stats);
            } else {
                // An older item's slot is marked busy (`slot::busy_mark`: fewer than `N` ahead,
                // or `EMPTY` in a ring of one): a push is overwriting it, the item is gone. (A
                // stamp older than `want` is unreachable by the protocol; it is counted as lost
                // too rather than spun on.)
                skip::<N>(state, 1, stats);
            }
        }
    }
}

/// What one try of [`Consumer::latest`] found.
enum Attempt<T> {
    /// The newest item, whole.
    Item((u32, T)),
    /// Nothing was pushed yet.
    Nothing,
    /// The slot did not hold the newest item whole: try again.
    Again,
}

/// How many tries [`Consumer::latest`] makes before it gives up on a producer that keeps
/// overwriting the newest item as it is copied (only a producer on another core can).
const LATEST_ATTEMPTS: u32 = 4;

/// Items published after `cursor` up to `head`: `cursor + 1 ..= head`.
#[inline(always)]
fn unread_after(cursor: u32, head: u32) -> u32 {
    seq::distance(cursor, head)
}

/// `cursor` moved `count` items on. A fresh ring's cursor is `0`, which stands for the number
/// before `1`, as `u32::MAX` does (`seq::advance` wants a non-zero number).
#[inline(always)]
fn advance_cursor(cursor: u32, count: u32) -> u32 {
    seq::advance(seq::prev(seq::next(cursor)), count)
}

/// Moves the cursor `count` items forward and counts them as dropped, in the poll's `stats` and in
/// the handle's running total. (Counting here, on the lapped path only, keeps the running total
/// off the path of a poll that loses nothing.)
#[inline]
fn skip<const N: usize>(state: &mut ConsumerState, count: u32, stats: &mut PollStats) {
    state.cursor = advance_cursor(state.cursor, count);
    state.pos = (state.pos + count as usize % N) % N;
    stats.dropped = stats.dropped.saturating_add(count);
    state.dropped = state.dropped.wrapping_add(u64::from(count));
}

impl<T: NoUninit, const N: usize, L: SlotLayout> Drop for Consumer<'_, T, N, L> {
    fn drop(&mut self) {
        self.ring.release_consumer();
    }
}

impl<T: NoUninit, const N: usize, L: SlotLayout> core::fmt::Debug for Consumer<'_, T, N, L> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Consumer")
            .field("ring", self.ring)
            .field("dropped", &self.dropped())
            .finish()
    }
}
