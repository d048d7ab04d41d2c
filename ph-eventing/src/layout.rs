//! [`SlotLayout`]: how a [`SeqRing`](crate::SeqRing) lays its slots out in memory,
//! [`Packed`] (the default) or [`LinePerSlot`].
//!
//! A slot is the item's stamp and the value's machine words. Packed, slots follow each other
//! with no gap, so a slot whose size does not divide the cache line (a `[u8; 32]` and its stamp
//! take 40 bytes on a 64-bit host) straddles two lines every other time, and a consumer reading
//! it while the producer writes the next item waits for both. [`LinePerSlot`] starts every slot
//! on a line of its own and rounds it up to whole lines: more items per second between two cores
//! for values of more than a word, at the cost of the padding (a `[u8; 32]` slot takes 64 bytes
//! instead of 40). Measured in `docs/PERFORMANCE.md`; on bare-metal targets (`target_os =
//! "none"`), with no private caches to keep apart, the two layouts are the same.

/// How a [`SeqRing`](crate::SeqRing) lays its slots out: [`Packed`] or [`LinePerSlot`].
///
/// Sealed: the ring's memory safety rests on the layouts being exactly these two.
pub trait SlotLayout: sealed::Sealed + 'static {
    /// A zero-sized type whose alignment each slot takes (through a zero-length array of it).
    #[doc(hidden)]
    type Align: Copy + Send + Sync + 'static;
}

/// The default layout: a slot is its stamp and the value's words, nothing more.
///
/// ```
/// use ph_eventing::SeqRing;
///
/// // 8 bytes of stamp and 32 of value a slot, on a 64-bit host.
/// # #[cfg(target_pointer_width = "64")]
/// assert_eq!(size_of::<SeqRing<[u8; 32], 64>>() - size_of::<SeqRing<[u8; 32], 0>>(), 64 * 40);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Packed;

/// Every slot on cache lines of its own (64 bytes on hosted targets; no change on bare-metal
/// targets): for values of more than a word read on another core than the one writing them.
///
/// ```
/// use ph_eventing::{LinePerSlot, SeqRing};
///
/// static RING: SeqRing<[u8; 32], 64, LinePerSlot> = SeqRing::new();
/// let producer = RING.producer();
/// producer.push([7; 32]);
/// assert_eq!(RING.consumer().poll_one_value(), Some((1, [7; 32])));
/// # #[cfg(target_pointer_width = "64")]
/// assert_eq!(size_of::<SeqRing<[u8; 32], 64, LinePerSlot>>() - size_of::<SeqRing<[u8; 32], 0, LinePerSlot>>(), 64 * 64);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct LinePerSlot;

/// A zero-sized type aligned to a cache line where cores have private caches (64 bytes; 1 on
/// bare-metal targets).
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
#[cfg_attr(not(target_os = "none"), repr(align(64)))]
pub struct CacheLine;

impl SlotLayout for Packed {
    type Align = ();
}

impl SlotLayout for LinePerSlot {
    type Align = CacheLine;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Packed {}
    impl Sealed for super::LinePerSlot {}
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::SeqRing;
    use std::boxed::Box;
    use std::vec::Vec;

    /// Every slot of a `LinePerSlot` ring starts a line and fills whole lines; a `Packed` ring's
    /// slots are the stamp's word and the value's words.
    #[test]
    fn slots_take_the_room_their_layout_says() {
        let line = Box::new(SeqRing::<[u8; 32], 8, LinePerSlot>::new());
        let packed = Box::new(SeqRing::<[u8; 32], 8, Packed>::new());
        let word = size_of::<usize>();
        let wide = core::mem::align_of::<CacheLine>();
        assert_eq!(size_of_val(&packed.slots[0]), word + 32);
        assert_eq!(
            size_of_val(&line.slots[0]),
            (word + 32).div_ceil(wide) * wide
        );
        for slot in &line.slots {
            assert_eq!(core::ptr::from_ref(slot).addr() % wide, 0);
        }
        // A value of one word beside its stamp keeps its one-word protocol in a line of its own.
        let small = SeqRing::<u32, 4, LinePerSlot>::new();
        assert_eq!(size_of_val(&small.slots[0]), word.max(wide));
        let producer = small.producer();
        for i in 1..=6 {
            producer.push(i);
        }
        let mut consumer = small.consumer();
        let mut got = Vec::new();
        let stats = consumer.poll_up_to(usize::MAX, |seq, v| got.push((seq, *v)));
        assert_eq!(got, [(3, 3), (4, 4), (5, 5), (6, 6)]);
        assert_eq!(stats.dropped, 2);
    }
}
