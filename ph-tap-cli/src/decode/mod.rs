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

use crate::channel::{Channel, ChannelKind};
use crate::record::Body;
use value::ValueAs;

/// What the decoders of a run need to know besides the bytes.
#[derive(Clone, Debug, Default)]
pub struct DecoderOptions {
    /// How to show telemetry values when the stream carries no schema (`--value-as`).
    pub value_as: ValueAs,
}

/// The decoder for `channel`, by what it carries.
///
/// ```
/// use ph_tap::channel::Channel;
/// use ph_tap::decode::{DecoderOptions, for_channel};
/// let mut decoder = for_channel(&Channel::telemetry(), &DecoderOptions::default());
/// assert!(decoder.accounting().is_some());
/// ```
pub fn for_channel(channel: &Channel, options: &DecoderOptions) -> Box<dyn Decoder> {
    match channel.kind {
        ChannelKind::PhEventing | ChannelKind::Defmt | ChannelKind::Text => {
            Box::new(PhEventingDecoder::new(options.value_as))
        }
    }
}

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
