//! TEMPORARY stand-in until the queue branch lands (replaced by its file at merge).
use crate::{Consumer, PollStats};

/// What a drainer needs from a consumer.
pub trait SeqSource {
    /// The items.
    type Item: Copy;
    /// Never loses an accepted item.
    const LOSSLESS: bool;
    /// Reads up to `max` items.
    fn poll_up_to(&mut self, max: usize, f: impl FnMut(u32, &Self::Item)) -> PollStats;
}

impl<T: Copy, const N: usize> SeqSource for Consumer<'_, T, N> {
    type Item = T;
    const LOSSLESS: bool = false;
    fn poll_up_to(&mut self, max: usize, f: impl FnMut(u32, &T)) -> PollStats {
        Consumer::poll_up_to(self, max, f)
    }
}
