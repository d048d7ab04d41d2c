//! Wire format for [`ph-eventing`](ph_eventing) telemetry: how items drained from a
//! [`SeqRing`](ph_eventing::SeqRing) travel from a microcontroller to a host, and how the host
//! tells exactly what arrived and what was lost.
//!
//! Each ring item becomes one small frame: a *full* frame — `COBS(header, seq, ring_drops,
//! skipped[, dropped], postcard value, CRC-16) 0x00` — at least every 16 frames and after any
//! gap, and in between *compact* frames — `COBS(header, postcard value, CRC-16) 0x00` — whose
//! sequence number is the previous one's plus one (the header repeats its low 6 bits, which the
//! host checks). A *hello* frame at boot and periodically
//! announces the boot id, the counters and the value type's schema. Several rings and queues
//! can share a link as *streams*: each has its own sequence numbers, counters, value type and
//! hello, and its frames carry its id (one prefix byte, none for stream 0). `WIRE.md` in the
//! crate describes every byte (format version 3; version 2 streams still decode).
//!
//! # Map of the crate
//!
//! | Side | Piece | What it does |
//! |------|-------|--------------|
//! | firmware (`no_std`, no alloc) | [`drain::Drainer`] | drains a `Consumer` (a ring's or a queue's) with `poll_up_to`, hands each frame to your sink (RTT, UART…), sends hellos |
//! | firmware | [`drain::link::Link`] | several streams (rings and queues of different types) into one sink: queues first, then rings round-robin, bounded per call |
//! | both | [`stream`] | what a stream is: id, name, kind ([`stream::StreamKind`]: ring or queue) |
//! | firmware | [`encode::StreamEncoder`] | chooses full or compact frames for one boot's stream (the `Drainer` uses it) |
//! | firmware | [`encode::encode_data`], [`encode::encode_compact`], [`encode::encode_hello`] | one frame into a `&mut [u8]`; [`encode::max_frame_len`] sizes the buffer as a `const` |
//! | host (`no_std` too) | [`decoder::FrameDecoder`] | bytes in chunks of any size → [`frame::Frame`]s; corrupt and oversized frames are counted and skipped; fixed memory |
//! | host | [`accounting::Accountant`] | one stream's placed frames → [`accounting::Event`]s (`RingDrop`, `Refused`, `LinkLoss`, `TargetReset`, `SeqWrap`, `Duplicate`, `Unplaced`) and [`accounting::Totals`] |
#![cfg_attr(
    feature = "alloc",
    doc = "| host (`alloc`) | [`schema::parse_schema`] | the hello's schema as an owned `postcard_schema` type, depth-bounded |"
)]
#![cfg_attr(
    not(feature = "alloc"),
    doc = "| host (`alloc`) | `schema` | the hello's schema as an owned `postcard_schema` type (enable `alloc`) |"
)]
#![cfg_attr(
    feature = "alloc",
    doc = "| host (`alloc`) | [`chain::Chain`] | places compact frames (sequence numbers from the previous frame, or backwards from the next full frame after corruption) |"
)]
#![cfg_attr(
    not(feature = "alloc"),
    doc = "| host (`alloc`) | `chain` | places compact frames (enable `alloc`) |"
)]
#![cfg_attr(
    feature = "std",
    doc = "| host (`std`) | [`value::decode_value`] | a value's postcard bytes + schema → `serde_json::Value` |"
)]
#![cfg_attr(
    feature = "std",
    doc = "| host (`std`) | [`session::Session`] | all of the above in one, per stream: bytes in, [`session::Record`]s out |"
)]
#![cfg_attr(
    not(feature = "std"),
    doc = "| host (`std`) | `value`, `session` | schema-driven JSON values and an all-in-one `Session` (enable the `std` feature) |"
)]
//! | both | [`seq`], [`checksum`], [`cobs`] | sequence arithmetic, the CRC, the byte stuffing |
//!
//! # Features
//!
//! - (default): `no_std`, no allocation: encoder, drainer, decoder, accounting.
//! - `alloc`: owned frames and schemas.
//! - `std`: schema-driven value decoding to JSON and [`Session`](crate#map-of-the-crate).
//!
//! # Firmware
//!
//! ```
//! use ph_eventing::SeqRing;
//! use ph_eventing_wire::drain::Drainer;
//!
//! static RING: SeqRing<u32, 256> = SeqRing::new();
//!
//! # let mut rtt = Vec::new();
//! let mut drainer = Drainer::new(0xC0FF_EE01).with_hello_every(1000);
//! let mut buf = [0u8; Drainer::buffer_needed::<u32>()];
//! let mut consumer = RING.consumer();
//! RING.producer().push(42); // normally in an interrupt handler
//! // In the main loop:
//! drainer
//!     .drain(&mut consumer, 32, &mut buf, |frame| {
//!         rtt.extend_from_slice(frame);
//!         true // the whole frame was written
//!     })
//!     .unwrap();
//! # assert!(!rtt.is_empty());
//! ```
//!
//! # Host
//!
//! ```
//! use ph_eventing_wire::accounting::Accountant;
//! use ph_eventing_wire::chain::Chain;
//! use ph_eventing_wire::decoder::FrameDecoder;
//! # let capture: Vec<u8> = {
//! #     let mut v = Vec::new();
//! #     let mut buf = [0u8; 32];
//! #     let mut enc = ph_eventing_wire::encode::StreamEncoder::new(3);
//! #     for (seq, drops) in [(1, 0), (2, 0), (5, 1)] {
//! #         enc.data(seq, drops, &7u32, &mut buf, &mut |f: &[u8]| { v.extend_from_slice(f); true }).unwrap();
//! #     }
//! #     v
//! # };
//!
//! let mut decoder = FrameDecoder::<1024>::new();
//! let mut chain = Chain::new(); // places compact frames (feature `alloc`)
//! let mut accountant = Accountant::new();
//! decoder.feed(&capture, |frame| {
//!     chain.push(frame, |placed| {
//!         for event in accountant.observe_placed(&placed) {
//!             println!("{event}"); // RING DROP 1 (seq 3..4), LINK LOSS 1 (seq 3..4)
//!         }
//!     });
//! });
//! assert_eq!(accountant.totals().ring_dropped, 1);
//! assert_eq!(accountant.totals().link_lost, 1);
//! ```
#![no_std]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

pub mod accounting;
#[cfg(feature = "alloc")]
pub mod bytes;
#[cfg(feature = "alloc")]
pub mod chain;
pub mod checksum;
pub mod cobs;
pub mod decoder;
pub mod drain;
pub mod encode;
pub mod frame;
pub mod seq;
pub mod stream;
mod varint;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub use postcard;
pub use postcard_schema;
#[cfg(feature = "alloc")]
pub mod schema;
#[cfg(feature = "std")]
pub mod session;
#[cfg(feature = "std")]
pub mod value;
