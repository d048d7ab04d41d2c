//! Sequence-number arithmetic.
//!
//! Sequence numbers run `1, 2, …, u32::MAX, 1, 2, …`: `0` is never assigned, so it can mean "no item
//! yet". They therefore live in a cycle of `u32::MAX` values (2³² − 1), and distances between two of
//! them are taken modulo that. The consumer is never ahead of the producer, so a distance computed
//! this way is exact as long as the consumer is less than 2³² − 1 items behind.

/// How many distinct sequence numbers there are (`1..=u32::MAX`).
const CYCLE: u64 = u32::MAX as u64;

/// The sequence number after `seq` (`u32::MAX` is followed by `1`; `0`, "nothing yet", by `1`).
#[inline(always)]
pub(crate) const fn next(seq: u32) -> u32 {
    // `u32::MAX + 1` overflows to 0 with a carry of 1: adding the carry gives 1 (`adds` + `adc`).
    let (n, carry) = seq.overflowing_add(1);
    n + carry as u32
}

/// How many steps of [`next`] lead from `from` to `to` (both non-zero), in `0..u32::MAX`.
#[inline(always)]
pub(crate) const fn distance(from: u32, to: u32) -> u32 {
    let d = to.wrapping_sub(from);
    if to < from { d.wrapping_sub(1) } else { d }
}

/// `seq` advanced by `steps` steps of [`next`] (`seq` non-zero).
#[inline]
pub(crate) const fn advance(seq: u32, steps: u32) -> u32 {
    // (seq - 1 + steps) mod CYCLE, back into 1..=u32::MAX. Never overflows u64.
    (((seq as u64 - 1) + steps as u64) % CYCLE + 1) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_skips_zero() {
        assert_eq!(next(0), 1);
        assert_eq!(next(1), 2);
        assert_eq!(next(u32::MAX - 1), u32::MAX);
        assert_eq!(next(u32::MAX), 1);
    }

    #[test]
    fn distance_across_the_wrap() {
        assert_eq!(distance(5, 5), 0);
        assert_eq!(distance(5, 9), 4);
        assert_eq!(distance(u32::MAX, 1), 1);
        assert_eq!(distance(u32::MAX - 2, 3), 5);
        assert_eq!(distance(1, u32::MAX), u32::MAX - 1);
        assert_eq!(distance(2, 1), u32::MAX - 1);
    }

    #[test]
    fn advance_agrees_with_next_and_distance() {
        for start in [1, 2, 1000, u32::MAX - 3, u32::MAX] {
            let mut s = start;
            for k in 0..10u32 {
                assert_eq!(advance(start, k), s);
                assert_eq!(distance(start, s), k);
                s = next(s);
            }
        }
        assert_eq!(advance(1, u32::MAX - 1), u32::MAX);
        assert_eq!(advance(u32::MAX, u32::MAX - 1), u32::MAX - 1);
    }
}
