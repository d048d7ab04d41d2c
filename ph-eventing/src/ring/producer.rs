//! [`Producer`]: the writing end of a [`SeqRing`].

use core::marker::PhantomData;

use bytemuck::NoUninit;

use super::ProducerState;
use super::slot::busy_mark;
use crate::SeqRing;
use crate::position::next_pos;
use crate::seq;
use crate::sync::{Ordering, stamp_fence};

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
pub struct Producer<'a, T: NoUninit, const N: usize> {
    pub(crate) ring: &'a SeqRing<T, N>,
    /// Makes the handle `!Sync` while keeping it `Send`.
    pub(crate) _not_sync: PhantomData<core::cell::Cell<()>>,
}

impl<T: NoUninit, const N: usize> Producer<'_, T, N> {
    /// Appends `value` and returns the sequence number it was given.
    ///
    /// Never blocks, never fails, never allocates: when the ring is full the oldest item is
    /// overwritten (the consumer will report it as dropped). Sequence numbers start at 1 and
    /// increase by one per push; after `u32::MAX` comes `1` again (`0` is never used).
    ///
    /// Wait-free and safe to call from an interrupt handler on every target: a push is atomic
    /// loads and stores and two fences (compiler fences only, with the feature
    /// `unsafe-assume-single-core`), with no read-modify-write, so it masks no interrupts even
    /// where the target has no compare-and-swap.
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
        let ProducerState { newest, pos } = *state;
        let seq = seq::next(newest);
        // SAFETY: `pos < N` always holds (it only moves through `next_pos`).
        let slot = unsafe { ring.slot(pos as usize) };
        slot.stamp.store(busy_mark::<N>(newest), Ordering::Relaxed);
        // A consumer that copies any word stored below sees the busy mark (or later) when it
        // reads the stamp again after its acquire fence.
        stamp_fence(Ordering::Release);
        slot.words.store(value);
        // Publishes the words with the stamp and with `head`: a consumer that reads either with
        // acquire sees them.
        stamp_fence(Ordering::Release);
        slot.stamp.store(seq, Ordering::Relaxed);
        ring.head.store(seq, Ordering::Relaxed);
        *state = ProducerState {
            newest: seq,
            pos: next_pos::<N>(pos as usize) as u32,
        };
        seq
    }
}

impl<T: NoUninit, const N: usize> Drop for Producer<'_, T, N> {
    fn drop(&mut self) {
        self.ring.release_producer();
    }
}

impl<T: NoUninit, const N: usize> core::fmt::Debug for Producer<'_, T, N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Producer").field("ring", self.ring).finish()
    }
}
