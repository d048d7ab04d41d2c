//! [`Producer`]: the writing end of a [`SeqRing`].

use core::cell::Cell;

use bytemuck::NoUninit;

use super::ProducerState;
use crate::SeqRing;
use crate::layout::{Packed, SlotLayout};
use crate::position::next_pos;
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
pub struct Producer<'a, T: NoUninit, const N: usize, L: SlotLayout = Packed> {
    pub(crate) ring: &'a SeqRing<T, N, L>,
    /// The producer's bookkeeping, kept in the handle while it lives (so a loop of pushes
    /// through a handle of its own can keep it in registers) and in the ring between handles.
    /// A `Cell`, which also makes the handle `!Sync` while keeping it `Send`.
    state: Cell<ProducerState>,
}

impl<'a, T: NoUninit, const N: usize, L: SlotLayout> Producer<'a, T, N, L> {
    /// The handle, once `ring`'s producer flag was taken: it takes over the bookkeeping the last
    /// handle left in the ring.
    pub(crate) fn taken(ring: &'a SeqRing<T, N, L>) -> Self {
        // SAFETY: the caller took the producer flag, so no other handle touches the producer
        // state, and the `Acquire` of the take ordered this after the last handle's write-back.
        let state = unsafe { *ring.producer_state.as_ptr() };
        Self {
            ring,
            state: Cell::new(state),
        }
    }
}

impl<T: NoUninit, const N: usize, L: SlotLayout> Producer<'_, T, N, L> {
    /// Appends `value` and returns the sequence number it was given.
    ///
    /// Never blocks, never fails, never allocates: when the ring is full the oldest item is
    /// overwritten (the consumer will report it as dropped). Sequence numbers start at 1 and
    /// increase by one per push; after `u32::MAX` comes `1` again (`0` is never used).
    ///
    /// Wait-free and safe to call from an interrupt handler on every target: a push is atomic
    /// loads and stores and at most two fences (compiler fences only, with the feature
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
        let ProducerState { newest, pos } = self.state.get();
        let seq = seq::next(newest);
        // SAFETY: `pos < N` always holds (it only moves through `next_pos`).
        let slot = unsafe { ring.slot(pos as usize) };
        let head = slot.write::<N>(newest, seq, value);
        // After the slot's last release fence: a consumer that reads this `head` with acquire
        // sees every earlier push's slot whole (and this one's, but for the word stored beside
        // `head` after the same fence, see the stamp protocol).
        ring.head.store(head, Ordering::Relaxed);
        self.state.set(ProducerState {
            newest: seq,
            pos: next_pos::<N>(pos as usize) as u32,
        });
        seq
    }
}

impl<T: NoUninit, const N: usize, L: SlotLayout> Drop for Producer<'_, T, N, L> {
    fn drop(&mut self) {
        // SAFETY: this is the one live producer handle, so nothing else touches the ring's
        // producer state; releasing the flag below (`Release`) hands the write to the next one.
        unsafe { *self.ring.producer_state.as_ptr() = self.state.get() };
        self.ring.release_producer();
    }
}

impl<T: NoUninit, const N: usize, L: SlotLayout> core::fmt::Debug for Producer<'_, T, N, L> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Producer").field("ring", self.ring).finish()
    }
}
