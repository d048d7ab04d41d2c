//! Sequence-number arithmetic: [`ph_eventing::seq`], the ring's own, re-exported so that the
//! encoder, the chain, the accounting and the ring step along the same cycle (`1..=u32::MAX`,
//! WIRE.md section 1).
//!
//! The functions keep their `ph_eventing` names ([`next`], [`prev`], [`distance`], [`advance`],
//! [`back`], [`BEHIND`]); [`next_seq`], [`prev_seq`] and [`seq_distance`] are the same functions
//! under the names this crate gave them first.
//!
//! ```
//! use ph_eventing_wire::seq::{BEHIND, next_seq, seq_distance};
//!
//! assert_eq!(next_seq(u32::MAX), 1);
//! assert_eq!(seq_distance(u32::MAX - 1, 2), 3); // MAX − 1 → MAX → 1 → 2
//! assert!(seq_distance(1000, 3) >= BEHIND);
//! assert_eq!(next_seq(41), ph_eventing::seq::next(41));
//! ```

pub use ph_eventing::seq::{BEHIND, advance, back, distance, next, prev};

/// [`next`] under its wire-crate name.
pub use ph_eventing::seq::next as next_seq;

/// [`prev`] under its wire-crate name.
pub use ph_eventing::seq::prev as prev_seq;

/// [`distance`] under its wire-crate name.
pub use ph_eventing::seq::distance as seq_distance;
