//! [`Item`]: a sequence number and the value pushed with it, as the buffer-swap ring and the event
//! queue store them.

use core::mem::MaybeUninit;

/// One buffer: a sequence number (`0`: never written) and the value pushed with it.
pub(crate) struct Item<T> {
    pub(crate) seq: u32,
    pub(crate) value: MaybeUninit<T>,
}

impl<T> Item<T> {
    /// A buffer never written.
    pub(crate) const EMPTY: Self = Self {
        seq: 0,
        value: MaybeUninit::uninit(),
    };
}
