//! Sequence-number arithmetic, shared by the ring and by anything that reads its numbers (the wire
//! format's encoder, chain and accounting re-export it as `ph_eventing_wire::seq`).
//!
//! Sequence numbers run `1, 2, …, u32::MAX, 1, 2, …`: `0` is never assigned, so it can mean "no
//! item yet". They therefore live in a cycle of `u32::MAX` values (2³² − 1), and distances between
//! two of them are taken modulo that. A distance is exact as long as the two numbers are less than
//! a cycle apart; one of [`BEHIND`] or more is read as "behind" rather than "ahead".
//!
//! ```
//! use ph_eventing::seq;
//!
//! let s = seq::advance(u32::MAX - 1, 3); // MAX − 1 → MAX → 1 → 2
//! assert_eq!(s, 2);
//! assert_eq!(seq::distance(u32::MAX - 1, s), 3);
//! assert_eq!(seq::back(s, 3), u32::MAX - 1);
//! assert!(seq::distance(s, u32::MAX - 1) >= seq::BEHIND); // the other way round: behind
//! ```

/// How many distinct sequence numbers there are (`1..=u32::MAX`).
const CYCLE: u64 = u32::MAX as u64;

/// Distances at or above this (half the cycle) are read as "behind", below it as "ahead": the
/// distance from a newer number to an older one comes out as nearly a whole cycle.
///
/// ```
/// use ph_eventing::seq::{BEHIND, distance};
///
/// assert!(distance(10, 15) < BEHIND); // 15 is 5 ahead of 10
/// assert!(distance(15, 10) >= BEHIND); // 10 is behind 15
/// ```
pub const BEHIND: u32 = 1 << 31;

/// The sequence number after `seq`: `u32::MAX` is followed by `1`, and `0` ("nothing yet") by `1`.
///
/// ```
/// use ph_eventing::seq::next;
///
/// assert_eq!(next(7), 8);
/// assert_eq!(next(u32::MAX), 1);
/// assert_eq!(next(0), 1);
/// ```
#[inline(always)]
pub const fn next(seq: u32) -> u32 {
    // `u32::MAX + 1` overflows to 0 with a carry of 1: adding the carry gives 1 (`adds` + `adc`).
    let (n, carry) = seq.overflowing_add(1);
    n + carry as u32
}

/// The sequence number before `seq`: the inverse of [`next`] (`1` is preceded by `u32::MAX`;
/// `0` is treated like `1`).
///
/// ```
/// use ph_eventing::seq::prev;
///
/// assert_eq!(prev(8), 7);
/// assert_eq!(prev(1), u32::MAX);
/// ```
#[inline]
pub const fn prev(seq: u32) -> u32 {
    if seq <= 1 { u32::MAX } else { seq - 1 }
}

/// How many steps of [`next`] lead from `from` to `to` (both non-zero), in `0..u32::MAX`.
///
/// A result of [`BEHIND`] or more means `to` is, for all practical purposes, behind `from`.
///
/// ```
/// use ph_eventing::seq::distance;
///
/// assert_eq!(distance(5, 9), 4);
/// assert_eq!(distance(u32::MAX - 1, 2), 3); // MAX − 1 → MAX → 1 → 2
/// assert_eq!(distance(2, 1), u32::MAX - 1); // all the way round
/// ```
#[inline(always)]
pub const fn distance(from: u32, to: u32) -> u32 {
    let d = to.wrapping_sub(from);
    if to < from { d.wrapping_sub(1) } else { d }
}

/// `seq` advanced by `steps` steps of [`next`] (`seq` non-zero).
///
/// ```
/// use ph_eventing::seq::advance;
///
/// assert_eq!(advance(5, 4), 9);
/// assert_eq!(advance(u32::MAX, 2), 2);
/// assert_eq!(advance(7, u32::MAX), 7); // a whole cycle
/// ```
#[inline]
pub const fn advance(seq: u32, steps: u32) -> u32 {
    // (seq - 1 + steps) mod CYCLE, back into 1..=u32::MAX. Never overflows u64.
    (((seq as u64 - 1) + steps as u64) % CYCLE + 1) as u32
}

/// The sequence number `steps` steps of [`next`] before `seq`: the inverse of [`advance`] (`0` is
/// treated like `1`, as [`prev`] does).
///
/// ```
/// use ph_eventing::seq::back;
///
/// assert_eq!(back(9, 4), 5);
/// assert_eq!(back(2, 2), u32::MAX);
/// assert_eq!(back(7, u32::MAX), 7); // a whole cycle
/// ```
#[inline]
pub const fn back(seq: u32, steps: u32) -> u32 {
    // (seq - 1 - steps) mod CYCLE, back into 1..=u32::MAX. `steps <= CYCLE`: never underflows.
    let pos = (if seq == 0 { 1 } else { seq }) as u64 - 1;
    ((pos + CYCLE - steps as u64) % CYCLE + 1) as u32
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
    fn prev_undoes_next() {
        assert_eq!(prev(2), 1);
        assert_eq!(prev(1), u32::MAX);
        assert_eq!(prev(0), u32::MAX);
        for s in [1, 2, 1000, u32::MAX - 1, u32::MAX] {
            assert_eq!(prev(next(s)), s);
            assert_eq!(next(prev(s)), s);
        }
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
    fn behind_is_half_the_cycle() {
        assert!(distance(1000, 3) >= BEHIND);
        assert!(distance(3, 1000) < BEHIND);
        // Exactly half a cycle ahead still counts as behind.
        assert_eq!(distance(1, advance(1, BEHIND)), BEHIND);
        assert_eq!(distance(1, advance(1, BEHIND - 1)), BEHIND - 1);
    }

    #[test]
    fn advance_and_back_agree_with_next_prev_and_distance() {
        for start in [1, 2, 1000, u32::MAX - 3, u32::MAX] {
            let (mut up, mut down) = (start, start);
            for k in 0..10u32 {
                assert_eq!(advance(start, k), up);
                assert_eq!(back(start, k), down);
                assert_eq!(distance(start, up), k);
                assert_eq!(distance(down, start), k);
                up = next(up);
                down = prev(down);
            }
        }
        assert_eq!(advance(1, u32::MAX - 1), u32::MAX);
        assert_eq!(advance(u32::MAX, u32::MAX - 1), u32::MAX - 1);
    }

    #[test]
    fn back_steps_over_zero() {
        assert_eq!(back(5, 0), 5);
        assert_eq!(back(5, 4), 1);
        assert_eq!(back(5, 5), u32::MAX);
        assert_eq!(back(1, 1), u32::MAX);
        assert_eq!(back(2, u32::MAX), 2);
        assert_eq!(back(1, u32::MAX - 1), 2);
        assert_eq!(back(0, 1), u32::MAX);
        for (s, k) in [(7u32, 3u32), (1, 2), (u32::MAX, 10), (3, u32::MAX - 1)] {
            assert_eq!(distance(back(s, k), s), k % u32::MAX);
            assert_eq!(advance(back(s, k), k), s);
        }
    }
}
