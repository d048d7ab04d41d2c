//! [`SwapProducer`]: the writing end of a [`SwapRing`].

use core::marker::PhantomData;
use core::mem::MaybeUninit;

use super::INDEX_MASK;
use crate::SwapRing;
use crate::position::next_pos;
use crate::seq;
use crate::sync::{Ordering, fence};

/// The writing end of a [`SwapRing`]; there is at most one at a time.
///
/// Get it with [`SwapRing::producer`] or [`SwapRing::try_producer`]; dropping it lets another be
/// taken. It is `Send` (move it into the interrupt handler's context or another thread) but not
/// `Sync`: two threads can never push through one handle at the same time.
///
/// ```compile_fail
/// fn assert_sync<S: Sync>() {}
/// assert_sync::<ph_eventing::SwapProducer<'static, u32, 4>>();
/// ```
pub struct SwapProducer<'a, T: Copy, const N: usize> {
    pub(crate) ring: &'a SwapRing<T, N>,
    /// Makes the handle `!Sync` while keeping it `Send`.
    pub(crate) _not_sync: PhantomData<core::cell::Cell<()>>,
}

impl<'a, T: Copy, const N: usize> SwapProducer<'a, T, N> {
    /// The handle, once `ring`'s producer flag was taken.
    pub(crate) fn taken(ring: &'a SwapRing<T, N>) -> Self {
        // SAFETY: the caller took the producer flag, so no other handle touches the producer
        // state, and the `Acquire` of the take ordered this after the last handle's accesses.
        unsafe { (*ring.producer_state.as_ptr()).start::<N>() };
        Self {
            ring,
            _not_sync: PhantomData,
        }
    }

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
    /// let ring = ph_eventing::SwapRing::<u16, 4>::new();
    /// let producer = ring.producer();
    /// assert_eq!(producer.push(10), 1);
    /// assert_eq!(producer.push(20), 2);
    /// ```
    #[inline]
    pub fn push(&self, value: T) -> u32 {
        let ring = self.ring;
        // SAFETY: the producer state is only touched through the one live `SwapProducer`, and this
        // handle is `!Sync`, so this is the only access right now.
        let state = unsafe { &mut *ring.producer_state.as_ptr() };
        // Locals, so the compiler does not reload them after the writes and the atomic below.
        let (spare, pos) = (state.spare, state.pos);
        // Only the producer writes `head`, so a relaxed load reads our own last store.
        let seq = seq::next(ring.head.load(Ordering::Relaxed));
        // SAFETY: `spare` is a buffer index below `N + 2` (the ring's invariant), and the
        // producer owns that buffer: nobody else accesses it until the swap below publishes it.
        let buffer = unsafe { ring.buffer(spare) };
        buffer.with_mut(|item| {
            // SAFETY: exclusive access to the owned buffer (see above).
            unsafe {
                (*item).seq = seq;
                (*item).value = MaybeUninit::new(value);
            }
        });
        // SAFETY: `pos < N` always holds (it only moves through `next_pos`).
        let slot = unsafe { ring.slot(pos) };
        // Release: the consumer's swap that takes this buffer sees its contents.
        let old = slot.swap(spare, Ordering::Release);
        // Acquire half: pairs with the consumer's release of the buffer we just got back (its last
        // reads of it happen before our next writes). Release half: together with the relaxed
        // store below, a consumer that reads `head == seq` with acquire sees the swap above.
        // One fence instead of an `AcqRel` swap plus a `Release` store saves a barrier on Arm.
        fence(Ordering::AcqRel);
        state.spare = old & INDEX_MASK;
        state.pos = next_pos::<N>(pos);
        ring.head.store(seq, Ordering::Relaxed);
        seq
    }
}

impl<T: Copy, const N: usize> Drop for SwapProducer<'_, T, N> {
    fn drop(&mut self) {
        self.ring.release_producer();
    }
}

impl<T: Copy, const N: usize> core::fmt::Debug for SwapProducer<'_, T, N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SwapProducer")
            .field("ring", self.ring)
            .finish()
    }
}
