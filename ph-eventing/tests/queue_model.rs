//! Model-based property test of the queue: random interleavings of push / poll_one /
//! poll_one_value / poll_up_to / len / dropped / reset_dropped / handle re-acquisition on the real
//! `EventQueue`, checked step by step against a `VecDeque` and a few counters.

use std::collections::VecDeque;

use ph_eventing::{EventQueue, PollStats};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Push(u16),
    PollOne,
    PollOneValue,
    PollUpTo(usize),
    /// Check `len()`, `is_empty()` and both `refused()` counters.
    Len,
    /// Check the running `dropped()` total.
    Dropped,
    ResetDropped,
    /// Drop both handles and take new ones.
    Reacquire,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => any::<u16>().prop_map(Op::Push),
        2 => Just(Op::PollOne),
        1 => Just(Op::PollOneValue),
        2 => (0usize..12).prop_map(Op::PollUpTo),
        1 => Just(Op::Len),
        1 => Just(Op::Dropped),
        1 => Just(Op::ResetDropped),
        1 => Just(Op::Reacquire),
    ]
}

/// The reference: the queued `(seq, value)` pairs, the sequence number of the last push attempt
/// and of the last item read (computed with plain 64-bit arithmetic), and the counters.
struct Model {
    first_seq: u32,
    capacity: usize,
    queued: VecDeque<(u32, u16)>,
    /// Push attempts so far.
    attempts: u64,
    /// Attempts up to and including the last item read.
    read_up_to: u64,
    /// Attempt index of each queued item (parallel to `queued`).
    queued_at: VecDeque<u64>,
    refused: u32,
    dropped: u64,
}

impl Model {
    /// The sequence number of the `index`-th push attempt (from 0), in the 1..=u32::MAX cycle.
    fn seq_of(&self, index: u64) -> u32 {
        (((u64::from(self.first_seq) - 1 + index) % u64::from(u32::MAX)) + 1) as u32
    }

    fn newest(&self) -> u32 {
        if self.attempts == 0 {
            self.first_seq - 1 // what `starting_at` reports before the first push
        } else {
            self.seq_of(self.attempts - 1)
        }
    }

    fn push(&mut self, value: u16) -> Result<u32, u16> {
        let seq = self.seq_of(self.attempts);
        let index = self.attempts;
        self.attempts += 1;
        if self.queued.len() == self.capacity {
            self.refused = self.refused.wrapping_add(1);
            Err(value)
        } else {
            self.queued.push_back((seq, value));
            self.queued_at.push_back(index);
            Ok(seq)
        }
    }

    fn poll(&mut self, max: usize) -> (Vec<(u32, u16)>, PollStats) {
        let mut out = Vec::new();
        let mut dropped = 0u32;
        while out.len() < max
            && let Some(item) = self.queued.pop_front()
        {
            let index = self.queued_at.pop_front().unwrap();
            let gap = index - self.read_up_to;
            dropped += gap as u32;
            self.dropped += gap;
            self.read_up_to = index + 1;
            out.push(item);
        }
        let stats = PollStats {
            read: out.len() as u32,
            dropped,
            newest: self.newest(),
        };
        (out, stats)
    }
}

fn run<const N: usize>(first_seq: u32, ops: &[Op]) -> Result<(), TestCaseError> {
    let first_seq = first_seq.max(1); // `starting_at(0)` means 1
    let queue = EventQueue::<u16, N>::starting_at(first_seq);
    let mut model = Model {
        first_seq,
        capacity: N,
        queued: VecDeque::new(),
        attempts: 0,
        read_up_to: 0,
        queued_at: VecDeque::new(),
        refused: 0,
        dropped: 0,
    };
    let mut producer = Some(queue.producer());
    let mut consumer = Some(queue.consumer());
    // Items the real consumer delivered, over all handles.
    let mut delivered = 0u64;
    for op in ops {
        match *op {
            Op::Push(v) => {
                let got = producer.as_ref().unwrap().push(v);
                prop_assert_eq!(got, model.push(v));
                if let Ok(seq) = got {
                    prop_assert_ne!(seq, 0);
                }
            }
            Op::PollOne => {
                let mut got = Vec::new();
                let stats = consumer
                    .as_mut()
                    .unwrap()
                    .poll_one(|s, v| got.push((s, *v)));
                let (want, want_stats) = model.poll(1);
                delivered += got.len() as u64;
                prop_assert_eq!(got, want);
                prop_assert_eq!(stats, want_stats);
            }
            Op::PollOneValue => {
                let got = consumer.as_mut().unwrap().poll_one_value();
                let (want, _) = model.poll(1);
                delivered += u64::from(got.is_some());
                prop_assert_eq!(got, want.first().copied());
            }
            Op::PollUpTo(max) => {
                let mut got = Vec::new();
                let stats = consumer
                    .as_mut()
                    .unwrap()
                    .poll_up_to(max, |s, v| got.push((s, *v)));
                let (want, want_stats) = model.poll(max);
                delivered += got.len() as u64;
                prop_assert_eq!(got, want);
                prop_assert_eq!(stats, want_stats);
            }
            Op::Len => {
                let c = consumer.as_ref().unwrap();
                prop_assert_eq!(c.len(), model.queued.len());
                prop_assert_eq!(c.is_empty(), model.queued.is_empty());
                prop_assert_eq!(producer.as_ref().unwrap().refused(), model.refused);
                prop_assert_eq!(queue.refused(), model.refused);
            }
            Op::Dropped => {
                prop_assert_eq!(consumer.as_ref().unwrap().dropped(), model.dropped);
            }
            Op::ResetDropped => {
                let total = consumer.as_mut().unwrap().reset_dropped();
                prop_assert_eq!(total, std::mem::take(&mut model.dropped));
                prop_assert_eq!(consumer.as_ref().unwrap().dropped(), 0);
            }
            Op::Reacquire => {
                drop(producer.take());
                drop(consumer.take());
                producer = Some(queue.producer());
                consumer = Some(queue.consumer());
                model.dropped = 0; // a new handle's total starts at 0
            }
        }
    }
    // Whatever happened, a final drain delivers every accepted item exactly once, and the
    // accepted items plus the refusals are all the push attempts.
    let (want, want_stats) = model.poll(usize::MAX);
    let mut got = Vec::new();
    let stats = consumer
        .as_mut()
        .unwrap()
        .poll_up_to(usize::MAX, |s, v| got.push((s, *v)));
    delivered += got.len() as u64;
    prop_assert_eq!(got, want);
    prop_assert_eq!(stats, want_stats);
    prop_assert_eq!(consumer.as_ref().unwrap().dropped(), model.dropped);
    prop_assert_eq!(delivered + u64::from(queue.refused()), model.attempts);
    Ok(())
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
