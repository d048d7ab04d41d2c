//! A ring consumer's running total of the items it lost to overwrites, shared by both rings.

/// The running total of a ring consumer's dropped items (`dropped`, `reset_dropped`), the same
/// for both rings: expands inside `impl<T, const N: usize>` of the consumer of `$ring`, whose
/// `ring.consumer_state` has a `dropped: u64`.
macro_rules! ring_dropped_methods {
    ($ring:ident) => {
        /// The running total of items this handle lost to overwrites: the sum of
        /// [`PollStats::dropped`] over every poll since the handle was taken or since the last
        /// [`reset_dropped`](Self::reset_dropped), including the polls of
        /// [`poll_one_value`](Self::poll_one_value), which reports no `PollStats`.
        ///
        /// Items passed over by [`skip_to_latest`](Self::skip_to_latest) are not included. A new
        /// handle starts from 0. The total is a `u64`, added to only by a poll that drops items (a
        /// poll that loses nothing does no extra work for it); at a billion lost items a second it
        /// would take 584 years to wrap.
        ///
        /// ```
        #[doc = concat!(" let ring = ph_eventing::", stringify!($ring), "::<u8, 2>::new();")]
        /// let producer = ring.producer();
        /// let mut consumer = ring.consumer();
        /// for v in 0..5 {
        ///     producer.push(v); // seq 1..=5: 1..=3 are overwritten
        /// }
        /// let stats = consumer.poll_up_to(1, |_, _| {});
        /// assert_eq!((stats.dropped, consumer.dropped()), (3, 3));
        /// ```
        #[inline]
        pub fn dropped(&self) -> u64 {
            // SAFETY: only the live consumer touches its state; `&self` excludes a running poll.
            unsafe { (*self.ring.consumer_state.as_ptr()).dropped }
        }

        /// Sets the running total of [`dropped`](Self::dropped) items back to 0 and returns the total
        /// it had, so that periodic reporting reads and clears it in one call.
        ///
        /// ```
        #[doc = concat!(" let ring = ph_eventing::", stringify!($ring), "::<u8, 1>::new();")]
        /// let producer = ring.producer();
        /// let mut consumer = ring.consumer();
        /// producer.push(1);
        /// producer.push(2);
        /// assert_eq!(consumer.poll_one_value(), Some((2, 2)));
        /// assert_eq!(consumer.reset_dropped(), 1);
        /// assert_eq!(consumer.dropped(), 0);
        /// ```
        #[inline]
        pub fn reset_dropped(&mut self) -> u64 {
            // SAFETY: only the live consumer touches its state, and `&mut self` excludes `latest`.
            let state = unsafe { &mut *self.ring.consumer_state.as_ptr() };
            core::mem::take(&mut state.dropped)
        }
    };
}

pub(crate) use ring_dropped_methods;
