//! [`Producer`]: the writing end of a [`SeqRing`].

use core::marker::PhantomData;
use core::mem::MaybeUninit;

use crate::SeqRing;
use crate::ring::{INDEX_MASK, next_pos};
use crate::seq;
use crate::sync::Ordering;

/// The writing end of a [`SeqRing`]; there is at most one at a time.
///
/// Get it with [`SeqRing::producer`] or [`SeqRing::try_producer`]; dropping it lets another be
/// taken. It is `Send` (move it into the interrupt handler's context or another thread) but not
/// `Sync`: two threads can never push through one handle at the same time.
///
/// ```compile_fail
/// fn assert_sync<S: Sync>() {}
/// assert_sync::<ph_eventing::Producer<'static, u32, 4>>();
/// ```
pub struct Producer<'a, T: Copy, const N: usize> {
    pub(crate) ring: &'a SeqRing<T, N>,
    /// Makes the handle `!Sync` while keeping it `Send`.
    pub(crate) _not_sync: PhantomData<core::cell::Cell<()>>,
}

impl<T: Copy, const N: usize> Producer<'_, T, N> {
    /// Appends `value` and returns the sequence number it was given.
    ///
    /// Never blocks, never fails, never allocates: when the ring is full the oldest item is
    /// overwritten (the consumer will report it as dropped). Sequence numbers start at 1 and
    /// increase by one per push; after `u32::MAX` comes `1` again (`0` is never used).
    ///
    /// Safe to call from an interrupt handler: it is wait-free on targets with native atomic swap,
    /// and masks interrupts for a few cycles on targets that emulate it (`portable-atomic`).
    ///
    /// ```
    /// let ring = ph_eventing::SeqRing::<u16, 4>::new();
    /// let producer = ring.producer();
    /// assert_eq!(producer.push(10), 1);
    /// assert_eq!(producer.push(20), 2);
    /// ```
    #[inline]
    pub fn push(&self, value: T) -> u32 {
        let ring = self.ring;
        // SAFETY: the producer state is only touched through the one live `Producer`, and this
        // handle is `!Sync`, so this is the only access right now.
        let state = unsafe { &mut *ring.producer_state.as_ptr() };
        {
            // Only the producer writes `head`, so a relaxed load reads our own last store.
            let seq = seq::next(ring.head.load(Ordering::Relaxed));
            // SAFETY: `state.spare` is a buffer index below `N + 2` (the ring's invariant), and the
            // producer owns that buffer: nobody else accesses it until the swap below publishes it.
            let buffer = unsafe { ring.buffer(state.spare) };
            buffer.with_mut(|item| {
                // SAFETY: exclusive access to the owned buffer (see above).
                unsafe {
                    (*item).seq = seq;
                    (*item).value = MaybeUninit::new(value);
                }
            });
            // SAFETY: `state.pos < N` always holds (it only moves through `next_pos`).
            let slot = unsafe { ring.slot(state.pos) };
            // Release publishes the buffer's contents; Acquire takes ownership of the returned
            // buffer after the consumer's last access to it.
            let old = slot.swap(state.spare, Ordering::AcqRel);
            state.spare = old & INDEX_MASK;
            state.pos = next_pos::<N>(state.pos);
            ring.head.store(seq, Ordering::Release);
            seq
        }
    }
}

impl<T: Copy, const N: usize> Drop for Producer<'_, T, N> {
    fn drop(&mut self) {
        self.ring.release_producer();
    }
}

impl<T: Copy, const N: usize> core::fmt::Debug for Producer<'_, T, N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Producer").field("ring", self.ring).finish()
    }
}
