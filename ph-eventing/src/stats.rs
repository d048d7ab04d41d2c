//! [`PollStats`]: what one poll read, what it had to skip, and how far the producer has got.

/// The outcome of one [`Consumer::poll_one`](crate::Consumer::poll_one) or
/// [`Consumer::poll_up_to`](crate::Consumer::poll_up_to) call.
///
/// Over the life of a consumer, the sums of `read` and `dropped` over all polls equal the number
/// of items the producer pushed up to the last `newest` seen: every item is either delivered once
/// or counted as dropped once (or passed over by
/// [`Consumer::skip_to_latest`](crate::Consumer::skip_to_latest), which returns how many).
/// [`Consumer::dropped`](crate::Consumer::dropped) keeps the running sum of `dropped`.
///
/// ```
/// use ph_eventing::{PollStats, SeqRing};
///
/// let ring = SeqRing::<u8, 2>::new();
/// let producer = ring.producer();
/// let mut consumer = ring.consumer();
/// for v in 0..5 {
///     producer.push(v); // seq 1..=5; a ring of 2 keeps only seq 4 and 5
/// }
/// let stats = consumer.poll_up_to(10, |_, _| {});
/// assert_eq!(stats, PollStats { read: 2, dropped: 3, newest: 5 });
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PollStats {
    /// Items handed to the callback by this call.
    pub read: u32,
    /// Items this call skipped because the producer had overwritten them before they were read.
    pub dropped: u32,
    /// The newest sequence number the producer had published when this call last looked (`0`: none
    /// yet). A poll looks at its start and again whenever it has read everything it had seen.
    pub newest: u32,
}

impl PollStats {
    /// Adds another poll's counts to these (saturating), keeping the later `newest`.
    ///
    /// ```
    /// use ph_eventing::PollStats;
    ///
    /// let mut total = PollStats::default();
    /// total.accumulate(PollStats { read: 3, dropped: 1, newest: 4 });
    /// total.accumulate(PollStats { read: 2, dropped: 0, newest: 6 });
    /// assert_eq!(total, PollStats { read: 5, dropped: 1, newest: 6 });
    /// ```
    pub fn accumulate(&mut self, later: PollStats) {
        self.read = self.read.saturating_add(later.read);
        self.dropped = self.dropped.saturating_add(later.dropped);
        self.newest = later.newest;
    }
}
