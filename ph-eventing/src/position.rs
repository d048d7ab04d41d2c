//! Where items sit in a container of `N` slots, and the sequence number a fresh container reports
//! as its newest.

/// The "newest published" value of a container whose first item is `first`: the sequence number
/// before it, or `0` when `first` is `1`.
pub(crate) const fn first_before(first: u32) -> u32 {
    first - 1
}

/// The position after `pos` in a ring of `N`.
#[inline(always)]
pub(crate) const fn next_pos<const N: usize>(pos: usize) -> usize {
    if N.is_power_of_two() {
        (pos + 1) & (N - 1)
    } else if pos + 1 == N {
        0
    } else {
        pos + 1
    }
}
