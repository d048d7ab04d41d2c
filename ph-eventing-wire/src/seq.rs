//! Sequence-number arithmetic shared by the encoder and the accounting.
//!
//! Ring sequence numbers run `1, 2, …, u32::MAX, 1, 2, …` (`0` is never assigned), a cycle of
//! 2³² − 1 values. These helpers step and measure along that cycle.

/// The sequence number after `seq`: `u32::MAX` is followed by `1`, and `0` ("none") by `1`.
///
/// ```
/// use ph_eventing_wire::seq::next_seq;
/// assert_eq!(next_seq(7), 8);
/// assert_eq!(next_seq(u32::MAX), 1);
/// ```
#[inline]
pub const fn next_seq(seq: u32) -> u32 {
    let n = seq.wrapping_add(1);
    if n == 0 { 1 } else { n }
}

/// The sequence number before `seq` (`1` is preceded by `u32::MAX`).
///
/// ```
/// use ph_eventing_wire::seq::prev_seq;
/// assert_eq!(prev_seq(8), 7);
/// assert_eq!(prev_seq(1), u32::MAX);
/// ```
#[inline]
pub const fn prev_seq(seq: u32) -> u32 {
    if seq <= 1 { u32::MAX } else { seq - 1 }
}

/// How many steps of [`next_seq`] lead from `from` to `to` (both non-zero), in `0..u32::MAX`.
///
/// A result of `2³¹` or more means `to` is, for all practical purposes, *behind* `from`.
///
/// ```
/// use ph_eventing_wire::seq::seq_distance;
/// assert_eq!(seq_distance(5, 9), 4);
/// assert_eq!(seq_distance(u32::MAX - 1, 2), 3); // MAX-1 → MAX → 1 → 2
/// ```
#[inline]
pub const fn seq_distance(from: u32, to: u32) -> u32 {
    let d = to.wrapping_sub(from);
    if to < from { d.wrapping_sub(1) } else { d }
}

/// Distances at or beyond this are read as "behind" rather than "ahead".
pub const BEHIND: u32 = 1 << 31;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_matches_stepping() {
        for start in [1u32, 2, 1000, u32::MAX - 3, u32::MAX] {
            let mut s = start;
            for k in 0..10u32 {
                assert_eq!(seq_distance(start, s), k);
                assert_eq!(prev_seq(next_seq(s)), s);
                s = next_seq(s);
            }
        }
        assert_eq!(seq_distance(2, 1), u32::MAX - 1);
        assert!(seq_distance(1000, 3) >= BEHIND);
    }
}
