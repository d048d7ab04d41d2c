//! Two threads at once, on both rings (`SeqRing` and `SwapRing`): a producer at full speed and a slower consumer. Checks order, no
//! duplicates, no torn values and exact drop accounting. Under Miri the counts are small, which
//! still lets Miri check every access of the concurrent protocol for data races.

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use ph_eventing::PollStats;

mod seq_ring {
    use super::*;
    use ph_eventing::SeqRing as Ring;

    include!("rings/stress.rs");
}

mod swap_ring {
    use super::*;
    use ph_eventing::SwapRing as Ring;

    include!("rings/stress.rs");
}
