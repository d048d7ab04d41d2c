//! Channel decoders: the bytes of one channel in, [`Body`]s out.
//!
//! Each channel of a source gets its own decoder (the [`Router`](crate::router::Router) keeps
//! them apart), so the loss accounting of one channel never sees another's bytes, and garbage on
//! one channel never costs another a record. [`for_channel`] picks the decoder by what the
//! channel carries: [`PhEventingDecoder`] for telemetry, [`DefmtDecoder`] for defmt logs,
//! [`TextDecoder`] for text. A decoder for another kind of channel is one more file here
//! implementing [`Decoder`].

pub mod defmt;
mod emit;
mod ph_eventing;
pub mod text;
pub mod value;

pub use defmt::{DefmtDecoder, DefmtTable};
pub use emit::{Bodies, Emit, ToFn};
pub use ph_eventing::PhEventingDecoder;
pub use text::TextDecoder;

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use ph_eventing_wire::accounting::Totals;
use ph_eventing_wire::decoder::DecoderStats;
use ph_eventing_wire::stream::StreamKind;

use crate::channel::{Channel, ChannelKind};
use crate::record::Body;
use crate::stream::StreamTag;
use value::ValueAs;

/// Why a defmt channel is not decoded when no `--elf` was given.
pub const NO_ELF: &str = "pass --elf FIRMWARE.elf to decode the defmt channel";

/// What the decoders of a run need to know besides the bytes.
#[derive(Clone, Debug)]
pub struct DecoderOptions {
    /// How to show telemetry values when the stream carries no schema (`--value-as`).
    pub value_as: ValueAs,
    /// The firmware's defmt table, or why there is none (the defmt channel is then reported
    /// once and its bytes counted, not decoded).
    pub defmt: Result<Arc<DefmtTable>, String>,
    /// Hand telemetry values of a stream with a schema on in their postcard bytes
    /// ([`Body::Encoded`]), for the sinks to write out straight from them, instead of decoded
    /// into a JSON value ([`Body::Value`]). Either shows the very same text; off by default.
    pub encoded_values: bool,
}

impl Default for DecoderOptions {
    /// Values in hex, no defmt table ([`NO_ELF`]).
    fn default() -> Self {
        Self::new(ValueAs::default())
    }
}

impl DecoderOptions {
    /// Values of streams without a schema shown as `value_as`; no defmt table yet.
    pub fn new(value_as: ValueAs) -> Self {
        Self {
            value_as,
            defmt: Err(NO_ELF.to_owned()),
            encoded_values: false,
        }
    }

    /// Takes the defmt table from the firmware ELF at `elf` (`--elf`, or what `ph-tap run`
    /// flashes).
    ///
    /// A file that cannot be read is an error (the path is wrong). A file that is not an ELF,
    /// an ELF without a `.defmt` table or one ph-tap cannot read is not: telemetry does not need
    /// it, so the defmt channel is reported once, with the reason, and the rest goes on.
    ///
    /// ```
    /// use ph_tap::decode::DecoderOptions;
    /// let dir = tempfile::tempdir().unwrap();
    /// let not_elf = dir.path().join("notes.txt");
    /// std::fs::write(&not_elf, "hello").unwrap();
    /// let options = DecoderOptions::default().with_elf(&not_elf).unwrap();
    /// assert!(options.defmt.unwrap_err().contains("is not an ELF file"));
    /// assert!(DecoderOptions::default().with_elf(&dir.path().join("missing.elf")).is_err());
    /// ```
    pub fn with_elf(mut self, elf: &Path) -> Result<Self> {
        let bytes = std::fs::read(elf).with_context(|| {
            format!(
                "cannot read --elf {}: check the path (the firmware's ELF, as the build wrote it)",
                elf.display()
            )
        })?;
        let name = elf.file_name().map_or_else(
            || elf.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        self.defmt = DefmtTable::parse(&bytes, &name)
            .map(Arc::new)
            .map_err(|err| err.to_string());
        Ok(self)
    }
}

/// The decoder for `channel`, by what it carries.
///
/// ```
/// use ph_tap::channel::{Channel, ChannelKind};
/// use ph_tap::decode::{DecoderOptions, for_channel};
/// let options = DecoderOptions::default();
/// let decoder = for_channel(&Channel::telemetry(), &options);
/// assert!(decoder.accounting().is_some());
/// let logs = Channel { id: 0, name: Some("defmt".into()), kind: ChannelKind::Defmt };
/// let decoder = for_channel(&logs, &options);
/// assert!(decoder.accounting().is_none());
/// assert_eq!(decoder.lines().unwrap().kind, ChannelKind::Defmt);
/// ```
pub fn for_channel(channel: &Channel, options: &DecoderOptions) -> Box<dyn Decoder> {
    match channel.kind {
        ChannelKind::PhEventing => Box::new(
            PhEventingDecoder::new(options.value_as).encoded_values(options.encoded_values),
        ),
        ChannelKind::Defmt => Box::new(DefmtDecoder::new(channel, options.defmt.clone())),
        ChannelKind::Text => Box::new(TextDecoder::new(channel)),
    }
}

/// Decodes one channel's byte stream.
pub trait Decoder: Send {
    /// Decodes `bytes` (any chunk of the stream), calling `emit` for each body in stream order.
    fn feed(&mut self, bytes: &[u8], emit: &mut dyn FnMut(Body));

    /// The stream ended: hands out whatever was still held back.
    fn finish(&mut self, emit: &mut dyn FnMut(Body));

    /// [`feed`](Self::feed), each body made a record in `out` with the stream it belongs to
    /// (`None`: the channel's own). What the [`Router`](crate::router::Router) calls; a
    /// decoder of a format without streams keeps this default, which says `None` for every
    /// body.
    fn feed_streams(&mut self, bytes: &[u8], out: &mut Emit<'_>) {
        self.feed(bytes, &mut |body| out.push(None, body));
    }

    /// [`finish`](Self::finish), each body made a record in `out` with its stream, as
    /// [`feed_streams`](Self::feed_streams).
    fn finish_streams(&mut self, out: &mut Emit<'_>) {
        self.finish(&mut |body| out.push(None, body));
    }

    /// The channel's loss accounting, for decoders of a format that has one.
    fn accounting(&self) -> Option<Accounting> {
        None
    }

    /// The channel's line counts, for decoders of log and text channels.
    fn lines(&self) -> Option<LineCounts> {
        None
    }
}

/// The wire crate's counts for one ph-eventing channel.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Accounting {
    /// What the frames revealed, all streams together: values delivered, ring drops, refusals,
    /// link losses, resets, ...
    pub totals: Totals,
    /// What the frame decoder skipped: corrupt and unsupported frames.
    pub frames: DecoderStats,
    /// Each stream heard from, by id (their totals add up to [`totals`](Self::totals)).
    pub streams: Vec<StreamAccounting>,
}

/// The counts of one stream of a ph-eventing channel.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamAccounting {
    /// The stream, named as its latest hello says.
    pub stream: StreamTag,
    /// What its gaps mean: ring drops (a ring) or refusals (a queue).
    pub kind: StreamKind,
    /// A hello of it arrived (before one, it is accounted as a stream joined mid-way).
    pub announced: bool,
    /// Its values, ring drops or refusals, link losses, resets, ...
    pub totals: Totals,
}

/// The counts of one log or text channel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LineCounts {
    /// What the channel carries (defmt logs or text).
    pub kind: ChannelKind,
    /// Lines shown: defmt frames decoded, or text lines.
    pub lines: u64,
    /// defmt frames that could not be decoded (each skipped, decoding went on).
    pub undecodable: u64,
    /// Text lines cut at the length limit.
    pub cut: u64,
    /// Bytes received on the channel.
    pub bytes: u64,
    /// The channel was not decoded at all (a defmt channel without a usable defmt table): its
    /// bytes were only counted.
    pub not_decoded: bool,
}
