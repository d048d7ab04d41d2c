//! Taking a container's producer or consumer handle: at most one of each is alive at a time.

use crate::sync::{AtomicBool, Ordering};

/// Sets a handle flag; `true` if it was clear. `Acquire` pairs with the `Release` in the
/// previous handle's drop, so the new handle sees everything the old one did.
pub(crate) fn take_flag(flag: &AtomicBool) -> bool {
    flag.compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
        .is_ok()
}
