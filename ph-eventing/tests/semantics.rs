//! The rings' documented behaviour, one property per test, run on both rings: the stamped
//! [`SeqRing`] and the buffer-swap [`SwapRing`].

use ph_eventing::{PollStats, SeqRing, SeqSource, SwapRing, seq};
use static_assertions::{assert_impl_all, assert_not_impl_any};

assert_impl_all!(ph_eventing::Producer<'static, u32, 4>: Send);
assert_impl_all!(ph_eventing::Consumer<'static, u32, 4>: Send);
assert_not_impl_any!(ph_eventing::Producer<'static, u32, 4>: Sync);
assert_not_impl_any!(ph_eventing::Consumer<'static, u32, 4>: Sync);
assert_impl_all!(SeqRing<u32, 4>: Sync, Send);
assert_impl_all!(ph_eventing::SwapProducer<'static, u32, 4>: Send);
assert_impl_all!(ph_eventing::SwapConsumer<'static, u32, 4>: Send);
assert_not_impl_any!(ph_eventing::SwapProducer<'static, u32, 4>: Sync);
assert_not_impl_any!(ph_eventing::SwapConsumer<'static, u32, 4>: Sync);
assert_impl_all!(SwapRing<u32, 4>: Sync, Send);
// A ring of a `!Send` type must not be shared between threads.
assert_not_impl_any!(SwapRing<*const u8, 4>: Sync);

/// Everything the consumer has, and the poll's stats.
fn drain<S: SeqSource>(consumer: &mut S) -> (Vec<(u32, S::Item)>, PollStats) {
    let mut out = Vec::new();
    let stats = consumer.poll_up_to(usize::MAX, |seq, v| out.push((seq, *v)));
    (out, stats)
}

mod seq_ring {
    use super::*;
    use ph_eventing::SeqRing as Ring;

    include!("rings/semantics.rs");
}

mod seq_ring_line_per_slot {
    use super::*;
    type Ring<T, const N: usize> = ph_eventing::SeqRing<T, N, ph_eventing::LinePerSlot>;

    include!("rings/semantics.rs");
}

mod swap_ring {
    use super::*;
    use ph_eventing::SwapRing as Ring;

    include!("rings/semantics.rs");
}

/// Only the `SwapRing` takes types with padding.
#[test]
fn values_with_padding_round_trip() {
    #[derive(Clone, Copy, Debug, PartialEq)]
    struct Padded {
        a: u8,
        b: u64,
        c: u16,
    }
    let ring = SwapRing::<Padded, 3>::new();
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    for i in 0..5u8 {
        producer.push(Padded {
            a: i,
            b: u64::from(i) << 40,
            c: 7,
        });
    }
    let (items, stats) = drain(&mut consumer);
    assert_eq!(stats.dropped, 2);
    assert_eq!(
        items[0].1,
        Padded {
            a: 2,
            b: 2 << 40,
            c: 7
        }
    );
}

/// A `SeqRing` of a struct without padding, with fields that straddle words on 32-bit targets.
#[test]
fn plain_data_structs_round_trip() {
    #[derive(Clone, Copy, Debug, PartialEq, bytemuck::NoUninit)]
    #[repr(C)]
    struct Plain {
        b: u64,
        a: u32,
        c: u16,
        d: [u8; 2],
    }
    let ring = SeqRing::<Plain, 3>::new();
    let producer = ring.producer();
    let mut consumer = ring.consumer();
    for i in 0..5u8 {
        producer.push(Plain {
            b: u64::from(i) << 40 | 0xdead_beef,
            a: u32::from(i) * 3,
            c: 7,
            d: [i, !i],
        });
    }
    let (items, stats) = drain(&mut consumer);
    assert_eq!(stats.dropped, 2);
    assert_eq!(
        items.iter().map(|(_, v)| *v).collect::<Vec<_>>(),
        (2..5u8)
            .map(|i| Plain {
                b: u64::from(i) << 40 | 0xdead_beef,
                a: u32::from(i) * 3,
                c: 7,
                d: [i, !i],
            })
            .collect::<Vec<_>>()
    );
}

/// Values smaller than a word, larger than several words, and zero-sized.
#[test]
fn odd_sizes_round_trip() {
    let small = SeqRing::<[u8; 3], 2>::new();
    small.producer().push([1, 2, 3]);
    assert_eq!(drain(&mut small.consumer()).0, [(1, [1, 2, 3])]);

    let big = SeqRing::<[u8; 37], 2>::new();
    let mut value = [0u8; 37];
    value.iter_mut().enumerate().for_each(|(i, b)| *b = i as u8);
    big.producer().push(value);
    assert_eq!(big.consumer().latest(), Some((1, value)));

    let unit = SeqRing::<(), 2>::new();
    let producer = unit.producer();
    producer.push(());
    producer.push(());
    producer.push(());
    let (items, stats) = drain(&mut unit.consumer());
    assert_eq!((items.len(), stats.dropped), (2, 1));
}
