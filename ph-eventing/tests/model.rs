//! Model-based property test: random interleavings of push / poll_one / poll_one_value /
//! poll_up_to / latest / skip_to_latest / dropped / reset_dropped on the real ring, checked step
//! by step against a plain reference model, on both rings (`SeqRing`, in both its slot layouts,
//! and `SwapRing`).

use ph_eventing::{LinePerSlot, PollStats, SeqRing, SwapRing};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Push(u16),
    PollOne,
    PollOneValue,
    PollUpTo(usize),
    Latest,
    SkipToLatest,
    /// Check the running `dropped()` total.
    Dropped,
    ResetDropped,
    /// Drop both handles and take new ones.
    Reacquire,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => any::<u16>().prop_map(Op::Push),
        2 => Just(Op::PollOne),
        1 => Just(Op::PollOneValue),
        2 => (0usize..12).prop_map(Op::PollUpTo),
        1 => Just(Op::Latest),
        1 => Just(Op::SkipToLatest),
        1 => Just(Op::Dropped),
        1 => Just(Op::ResetDropped),
        1 => Just(Op::Reacquire),
    ]
}

/// The reference: every item ever pushed, by position, the consumer's position and its handle's
/// running total of dropped items. Sequence numbers are computed from positions with plain 64-bit
/// arithmetic.
struct Model {
    first_seq: u32,
    pushed: Vec<u16>,
    cursor: usize,
    capacity: usize,
    dropped: u64,
}

impl Model {
    fn seq_of(&self, index: usize) -> u32 {
        // 1..=u32::MAX cycle.
        (((u64::from(self.first_seq) - 1 + index as u64) % u64::from(u32::MAX)) + 1) as u32
    }

    fn newest(&self) -> u32 {
        if self.pushed.is_empty() {
            self.seq_of(0).wrapping_sub(1) // what `starting_at` reports before the first push
        } else {
            self.seq_of(self.pushed.len() - 1)
        }
    }

    fn poll(&mut self, max: usize) -> (Vec<(u32, u16)>, PollStats) {
        let mut out = Vec::new();
        let mut dropped = 0;
        let oldest_kept = self.pushed.len().saturating_sub(self.capacity);
        if max > 0 && self.cursor < oldest_kept {
            dropped = (oldest_kept - self.cursor) as u32;
            self.cursor = oldest_kept;
            self.dropped += u64::from(dropped);
        }
        while out.len() < max && self.cursor < self.pushed.len() {
            out.push((self.seq_of(self.cursor), self.pushed[self.cursor]));
            self.cursor += 1;
        }
        let stats = PollStats {
            read: out.len() as u32,
            dropped,
            newest: self.newest(),
        };
        (out, stats)
    }

    fn latest(&self) -> Option<(u32, u16)> {
        self.pushed.last().map(|&v| (self.newest(), v))
    }

    /// Moves the cursor to the newest item; how many items it passed over.
    fn skip_to_latest(&mut self) -> u32 {
        let newest = self.pushed.len().saturating_sub(1);
        let skipped = newest.saturating_sub(self.cursor);
        self.cursor = self.cursor.max(newest);
        skipped as u32
    }
}

/// The model check of one ring type, as a function `$name::<N>(first_seq, ops)`.
macro_rules! model_check {
    ($name:ident, $ring:ident) => {
        fn $name<const N: usize>(first_seq: u32, ops: &[Op]) -> Result<(), TestCaseError> {
            let first_seq = first_seq.max(1); // `starting_at(0)` means 1
            let ring = $ring::<u16, N>::starting_at(first_seq);
            let mut model = Model {
                first_seq,
                pushed: Vec::new(),
                cursor: 0,
                capacity: N,
                dropped: 0,
            };
            let mut producer = Some(ring.producer());
            let mut consumer = Some(ring.consumer());
            for op in ops {
                match *op {
                    Op::Push(v) => {
                        let seq = producer.as_ref().unwrap().push(v);
                        model.pushed.push(v);
                        prop_assert_eq!(seq, model.newest());
                        prop_assert_ne!(seq, 0);
                    }
                    Op::PollOne => {
                        let mut got = Vec::new();
                        let stats = consumer
                            .as_mut()
                            .unwrap()
                            .poll_one(|s, v| got.push((s, *v)));
                        let (want, want_stats) = model.poll(1);
                        prop_assert_eq!(got, want);
                        prop_assert_eq!(stats, want_stats);
                    }
                    Op::PollOneValue => {
                        let got = consumer.as_mut().unwrap().poll_one_value();
                        let (want, _) = model.poll(1);
                        prop_assert_eq!(got, want.first().copied());
                    }
                    Op::SkipToLatest => {
                        let skipped = consumer.as_mut().unwrap().skip_to_latest();
                        prop_assert_eq!(skipped, model.skip_to_latest());
                    }
                    Op::Dropped => {
                        prop_assert_eq!(consumer.as_ref().unwrap().dropped(), model.dropped);
                    }
                    Op::ResetDropped => {
                        let total = consumer.as_mut().unwrap().reset_dropped();
                        prop_assert_eq!(total, std::mem::take(&mut model.dropped));
                        prop_assert_eq!(consumer.as_ref().unwrap().dropped(), 0);
                    }
                    Op::PollUpTo(max) => {
                        let mut got = Vec::new();
                        let stats = consumer
                            .as_mut()
                            .unwrap()
                            .poll_up_to(max, |s, v| got.push((s, *v)));
                        let (want, want_stats) = model.poll(max);
                        prop_assert_eq!(got, want);
                        prop_assert_eq!(stats, want_stats);
                    }
                    Op::Latest => {
                        prop_assert_eq!(consumer.as_ref().unwrap().latest(), model.latest());
                    }
                    Op::Reacquire => {
                        drop(producer.take());
                        drop(consumer.take());
                        producer = Some(ring.producer());
                        consumer = Some(ring.consumer());
                        model.dropped = 0; // a new handle's total starts at 0
                    }
                }
            }
            // Whatever happened, a final drain accounts for every push exactly once.
            let (want, _) = model.poll(usize::MAX);
            let mut got = Vec::new();
            consumer
                .as_mut()
                .unwrap()
                .poll_up_to(usize::MAX, |s, v| got.push((s, *v)));
            prop_assert_eq!(got, want);
            prop_assert_eq!(consumer.as_ref().unwrap().dropped(), model.dropped);
            Ok(())
        }
    };
}

/// The `SeqRing` with a cache line per slot.
type LineRing<T, const N: usize> = SeqRing<T, N, LinePerSlot>;

model_check!(run_seq_ring, SeqRing);
model_check!(run_line_ring, LineRing);
model_check!(run_swap_ring, SwapRing);

/// The rings (and the `SeqRing`'s two layouts) against the model.
fn run<const N: usize>(first_seq: u32, ops: &[Op]) -> Result<(), TestCaseError> {
    run_seq_ring::<N>(first_seq, ops)?;
    run_line_ring::<N>(first_seq, ops)?;
    run_swap_ring::<N>(first_seq, ops)
}

/// Operations per case (Miri interprets every step, so it gets short cases).
const OPS: usize = if cfg!(miri) { 40 } else { 200 };

fn first_seq() -> impl Strategy<Value = u32> {
    prop_oneof![Just(1u32), (u32::MAX - 40)..=u32::MAX, any::<u32>()]
}

proptest! {
    // Under Miri (isolated: no file system) fewer cases and no failure-persistence file.
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 2 } else { 256 },
        failure_persistence: if cfg!(miri) {
            None
        } else {
            ProptestConfig::default().failure_persistence
        },
        ..ProptestConfig::default()
    })]

    #[test]
    fn matches_model_n1(first in first_seq(), ops in prop::collection::vec(op(), 0..OPS)) {
        run::<1>(first, &ops)?;
    }

    #[test]
    fn matches_model_n2(first in first_seq(), ops in prop::collection::vec(op(), 0..OPS)) {
        run::<2>(first, &ops)?;
    }

    #[test]
    fn matches_model_n3(first in first_seq(), ops in prop::collection::vec(op(), 0..OPS)) {
        run::<3>(first, &ops)?;
    }

    #[test]
    fn matches_model_n7(first in first_seq(), ops in prop::collection::vec(op(), 0..OPS * 3 / 2)) {
        run::<7>(first, &ops)?;
    }

    #[test]
    fn matches_model_n16(first in first_seq(), ops in prop::collection::vec(op(), 0..OPS * 3 / 2)) {
        run::<16>(first, &ops)?;
    }
}
