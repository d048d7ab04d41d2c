//! [`SeqSource`]: what a drainer needs from a consumer, whichever container it reads.

use bytemuck::NoUninit;

use crate::layout::SlotLayout;
use crate::{Consumer, PollStats, QueueConsumer, SwapConsumer};

/// What a drainer needs from a consumer: items with their sequence numbers, and what was lost
/// before them.
///
/// Implemented by the [`Consumer`] of a [`SeqRing`](crate::SeqRing) and the [`SwapConsumer`] of
/// a [`SwapRing`](crate::SwapRing) (lossy: gaps are items the producer overwrote) and the [`QueueConsumer`] of an [`EventQueue`](crate::EventQueue)
/// (lossless: gaps are pushes the queue refused). Code that forwards items to a link can be
/// written once, generic over the source, and tell the two kinds of gap apart with
/// [`LOSSLESS`](Self::LOSSLESS).
///
/// ```
/// use ph_eventing::{EventQueue, PollStats, SeqRing, SeqSource};
///
/// /// Forwards up to 16 items; returns how many sequence numbers went missing, and why.
/// fn drain<S: SeqSource<Item = u16>>(source: &mut S, out: &mut Vec<(u32, u16)>) -> (u32, &'static str) {
///     let stats: PollStats = source.poll_up_to(16, |seq, v| out.push((seq, *v)));
///     (stats.dropped, if S::LOSSLESS { "refused" } else { "overwritten" })
/// }
///
/// let ring = SeqRing::<u16, 2>::new();
/// let producer = ring.producer();
/// for v in 0..3 {
///     producer.push(v); // seq 1 is overwritten by seq 3
/// }
/// let mut out = Vec::new();
/// assert_eq!(drain(&mut ring.consumer(), &mut out), (1, "overwritten"));
/// assert_eq!(out, [(2, 1), (3, 2)]);
///
/// let queue = EventQueue::<u16, 2>::new();
/// let producer = queue.producer();
/// let mut consumer = queue.consumer();
/// for v in 0..3 {
///     let _ = producer.push(v); // seq 3 is refused
/// }
/// consumer.poll_up_to(16, |_, _| {});
/// producer.push(9).unwrap(); // seq 4
/// out.clear();
/// assert_eq!(drain(&mut consumer, &mut out), (1, "refused"));
/// assert_eq!(out, [(4, 9)]);
/// ```
pub trait SeqSource {
    /// The type of the items.
    type Item: Copy;

    /// `true` for a source that never loses an accepted item ([`EventQueue`](crate::EventQueue)):
    /// its gaps are refusals, not overwrites.
    const LOSSLESS: bool;

    /// Reads up to `max` items in order, passing each to `f` with its sequence number, and says
    /// what this call read, what went missing before the items it read, and the newest sequence
    /// number it saw: the source's own inherent `poll_up_to`
    /// ([`Consumer::poll_up_to`], [`QueueConsumer::poll_up_to`]).
    fn poll_up_to(&mut self, max: usize, f: impl FnMut(u32, &Self::Item)) -> PollStats;
}

impl<T: NoUninit, const N: usize, L: SlotLayout> SeqSource for Consumer<'_, T, N, L> {
    type Item = T;
    const LOSSLESS: bool = false;

    #[inline]
    fn poll_up_to(&mut self, max: usize, f: impl FnMut(u32, &T)) -> PollStats {
        Consumer::poll_up_to(self, max, f)
    }
}

impl<T: Copy, const N: usize> SeqSource for SwapConsumer<'_, T, N> {
    type Item = T;
    const LOSSLESS: bool = false;

    #[inline]
    fn poll_up_to(&mut self, max: usize, f: impl FnMut(u32, &T)) -> PollStats {
        SwapConsumer::poll_up_to(self, max, f)
    }
}

impl<T: Copy, const N: usize> SeqSource for QueueConsumer<'_, T, N> {
    type Item = T;
    const LOSSLESS: bool = true;

    #[inline]
    fn poll_up_to(&mut self, max: usize, f: impl FnMut(u32, &T)) -> PollStats {
        QueueConsumer::poll_up_to(self, max, f)
    }
}
