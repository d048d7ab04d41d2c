//! A lock-free single-producer single-consumer **sequence ring** for telemetry on `no_std`
//! targets, and its lossless sibling for rare events, the [`EventQueue`].
//!
//! The producer (typically an interrupt handler) pushes items into a [`SeqRing`] without ever
//! blocking; when the ring is full the oldest item is overwritten. Every item gets a sequence
//! number, so the consumer (typically the main loop, draining to a debug link) knows exactly what
//! it received and what it lost: each poll returns [`PollStats`] with the items read, the items
//! dropped because the producer lapped the consumer, and the newest sequence number published.
//!
//! ```
//! use ph_eventing::SeqRing;
//!
//! static RING: SeqRing<u32, 64> = SeqRing::new();
//!
//! // In the interrupt handler:
//! let producer = RING.producer();
//! let seq = producer.push(42);
//! assert_eq!(seq, 1);
//!
//! // In the main loop:
//! let mut consumer = RING.consumer();
//! let stats = consumer.poll_up_to(16, |seq, value| {
//!     assert_eq!((seq, *value), (1, 42));
//! });
//! assert_eq!((stats.read, stats.dropped, stats.newest), (1, 0, 1));
//! ```
//!
//! # `SeqRing`, `SwapRing` or `EventQueue`
//!
//! - [`SeqRing`] for plain data without padding (integers, arrays, `#[repr(C)]` structs deriving
//!   [`bytemuck::NoUninit`]): it copies values as machine words and is the faster ring.
//! - [`SwapRing`] for any other `Copy` type (padded structs, enums with data): the same lossy
//!   ring and API, handing whole buffers over with one atomic swap per push.
//!
//! A `SeqRing`'s slots are packed ([`Packed`], the default); `SeqRing<T, N, LinePerSlot>` gives
//! each slot cache lines of its own ([`LinePerSlot`]), for values of several words passed between
//! two cores, at the cost of the padding (see [`layout`]).
//!
//! A struct of plain data:
//!
//! ```
//! #[derive(Clone, Copy, bytemuck::NoUninit)]
//! #[repr(C)]
//! struct Sample {
//!     t_us: u32,
//!     channel: u16,
//!     raw: u16,
//! }
//! static SAMPLES: ph_eventing::SeqRing<Sample, 64> = ph_eventing::SeqRing::new();
//! assert_eq!(SAMPLES.producer().push(Sample { t_us: 1, channel: 0, raw: 7 }), 1);
//! ```
//!
//! For either ring and the queue:
//!
//!
//! - [`SeqRing`]: lossy, the newest wins. For a high-rate stream (samples, trace points) where
//!   a producer that is never turned away matters more than old items: when the ring is full, a
//!   push overwrites the oldest item, and the consumer learns how many it lost.
//! - [`EventQueue`]: lossless. For rare events that must not be lost (faults, state changes,
//!   commands): an accepted item is always delivered. When the queue is full, the producer is
//!   turned away instead: [`QueueProducer::push`] hands the value back as `Err(value)`, the
//!   refusal is counted ([`EventQueue::refused`]) and uses up its sequence number, so the consumer
//!   and a host behind a link see it as a gap, just like a ring drop. Its data path is plain loads
//!   and stores (no atomic read-modify-write, so no interrupt masking on Cortex-M0).
//!
//! ```
//! use ph_eventing::EventQueue;
//!
//! static FAULTS: EventQueue<u8, 4> = EventQueue::new();
//!
//! let producer = FAULTS.producer();
//! if let Err(code) = producer.push(0x21) {
//!     // Full: nothing was overwritten; `code` is ours again (the refusal is counted).
//!     let _ = code;
//! }
//! let mut consumer = FAULTS.consumer();
//! assert_eq!(consumer.poll_one_value(), Some((1, 0x21)));
//! ```
//!
//! Both consumers implement [`SeqSource`], so a drainer that forwards items to a link is written
//! once for both ([`SeqSource::LOSSLESS`] tells refusals from overwrites).
//!
//! # Guarantees (`SeqRing`)
//!
//! The queue's are in [`EventQueue`] and [`QueueConsumer`].
//!
//! - Sequence numbers start at 1 and increase by one per push; after `u32::MAX` comes 1 (`0`
//!   means "nothing yet" and is never assigned).
//! - The consumer gets every item exactly once, in order, unless it fell more than `N` items
//!   behind; then it resumes at the oldest item still in the ring (a little further if a producer
//!   on another core keeps overwriting that item as the consumer reaches it: see [`Consumer`]),
//!   and `dropped` counts exactly the items it never got. Over a run, `read + dropped` summed over
//!   all polls equals the number of pushes it has caught up with, plus the items it chose to pass
//!   over with [`Consumer::skip_to_latest`], which returns how many. [`Consumer::dropped`] keeps
//!   the running sum of `dropped`, also for [`Consumer::poll_one_value`], which returns no
//!   [`PollStats`].
//! - An item is never delivered torn, and no byte is ever accessed in a data race: the ring's
//!   slots are read and written only through word-size atomics, and a copy the producer overwrote
//!   meanwhile is detected by the slot's stamp and never turned into a `T` (see [`SeqRing`]).
//!   `T` must be plain data without padding ([`bytemuck::NoUninit`]); [`SwapRing`] takes any
//!   `Copy` type, with the same guarantees and API.
//! - `push` and every [`Consumer`] method never allocate, never panic and never block. The
//!   consumer is lock-free (it retries only when the producer has pushed more items meanwhile);
//!   the producer is wait-free everywhere: a push is atomic loads and stores and at most two fences, no
//!   read-modify-write, so it masks no interrupts even on targets without compare-and-swap. One
//!   [`poll_up_to`](Consumer::poll_up_to) call reads at most `max` items and nothing bounds it
//!   further: against a producer on another core that keeps pace it goes on reading what arrives
//!   (see its documentation).
//!
//! The arithmetic on the numbers' cycle (`next`, `distance`, …) is public in [`seq`], for code
//! that reads them on the other side of a link.
//!
//! # Features
//!
//! - `serde`: `Serialize`/`Deserialize` for [`PollStats`].
//! - `portable-atomic`: atomics from the `portable-atomic` crate, for targets without native
//!   read-modify-write atomics. On `thumbv6m-none-eabi` (Cortex-M0/M0+) enable one of
//!   - `portable-atomic-unsafe-assume-single-core` (single-core chips; masks interrupts briefly
//!     to take a handle and in a `SwapRing` push; implies `unsafe-assume-single-core`),
//!   - `portable-atomic-critical-section` (the binary provides a `critical-section`
//!     implementation).
//!
//!   The same features serve `riscv32imc-unknown-none-elf` (ESP32-C3 class).
//! - `unsafe-assume-single-core`: the promise that producer and consumer run on one core (an
//!   interrupt handler and the code it interrupts). The [`SeqRing`]'s fences become compiler
//!   fences, which is enough there, since one core sees its own accesses in program order.
//!   Breaking the promise is undefined behaviour.
#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

#[cfg(test)]
extern crate std;

mod dropped_total;
mod handles;
mod item;
pub mod layout;
mod line_break;
mod position;
mod queue;
mod ring;
pub mod seq;
mod source;
mod stats;
mod swap;
mod sync;
mod words;

pub use bytemuck;
pub use layout::{LinePerSlot, Packed, SlotLayout};
pub use queue::{EventQueue, QueueConsumer, QueueProducer};
pub use ring::{Consumer, Producer, SeqRing};
pub use source::SeqSource;
pub use stats::PollStats;
pub use swap::{SwapConsumer, SwapProducer, SwapRing};

/// The crate README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// The workspace README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct WorkspaceReadmeDoctests;
