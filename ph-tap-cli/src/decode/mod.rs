//! Channel decoders: the bytes of one channel in, [`Body`]s out.
//!
//! Each channel of a source gets its own decoder (the [`Router`](crate::router::Router) keeps
//! them apart), so the loss accounting of one channel never sees another's bytes. Today's
//! decoder is [`PhEventingDecoder`]; a decoder for another kind of channel (defmt, plain text)
//! is one more file here implementing [`Decoder`].

mod ph_eventing;
pub mod value;

pub use ph_eventing::PhEventingDecoder;

use ph_eventing_wire::accounting::Totals;
use ph_eventing_wire::decoder::DecoderStats;

use crate::record::Body;

/// Decodes one channel's byte stream.
pub trait Decoder: Send {
    /// Decodes `bytes` (any chunk of the stream), calling `emit` for each body in stream order.
    fn feed(&mut self, bytes: &[u8], emit: &mut dyn FnMut(Body));

    /// The stream ended: hands out whatever was still held back.
    fn finish(&mut self, emit: &mut dyn FnMut(Body));

    /// The channel's loss accounting, for decoders of a format that has one.
    fn accounting(&self) -> Option<Accounting> {
        None
    }
}

/// The wire crate's counts for one ph-eventing channel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Accounting {
    /// What the frames revealed: values delivered, ring drops, link losses, resets, ...
    pub totals: Totals,
    /// What the frame decoder skipped: corrupt and unsupported frames.
    pub frames: DecoderStats,
}
