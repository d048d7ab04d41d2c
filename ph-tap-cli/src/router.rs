//! The router: gives every channel of a source its own decoder and tags what comes out with the
//! channel it came from (and the stream the decoder says, [`Decoder::feed_streams`]).

use std::collections::BTreeMap;
use std::time::Duration;

use crate::board::Board;
use crate::channel::Channel;
use crate::decode::{Accounting, Decoder, DecoderOptions, Emit, LineCounts};
use crate::record::{ChannelId, Record};

/// Makes the decoder of a channel the first time the channel has bytes.
pub type DecoderFactory = Box<dyn FnMut(ChannelId) -> Box<dyn Decoder> + Send>;

/// Channels to decoders.
///
/// ```
/// use ph_tap::decode::{PhEventingDecoder, value::ValueAs};
/// use ph_tap::router::Router;
///
/// let mut router = Router::new(Box::new(|_channel| Box::new(PhEventingDecoder::new(ValueAs::Hex))));
/// let mut records = Vec::new();
/// router.feed(3, b"\0", None, &mut records);
/// assert!(records.is_empty()); // a lone delimiter is no frame
/// assert_eq!(router.channels().collect::<Vec<_>>(), [3]);
/// ```
pub struct Router {
    make: DecoderFactory,
    board: Option<Board>,
    decoders: BTreeMap<ChannelId, Box<dyn Decoder>>,
}

impl Router {
    /// A router that makes each channel's decoder with `make`.
    pub fn new(make: DecoderFactory) -> Self {
        Self {
            make,
            board: None,
            decoders: BTreeMap::new(),
        }
    }

    /// Tags every record with `board` ([`Origin::board`](crate::record::Origin::board)).
    ///
    /// ```
    /// use ph_tap::board::Board;
    /// use ph_tap::decode::{PhEventingDecoder, value::ValueAs};
    /// use ph_tap::router::Router;
    ///
    /// let router = Router::new(Box::new(|_| Box::new(PhEventingDecoder::new(ValueAs::Hex))))
    ///     .with_board(Some(Board::new("a").unwrap()));
    /// assert_eq!(router.board().map(Board::as_str), Some("a"));
    /// ```
    pub fn with_board(mut self, board: Option<Board>) -> Self {
        self.board = board;
        self
    }

    /// The board its records are tagged with.
    pub fn board(&self) -> Option<&Board> {
        self.board.as_ref()
    }

    /// A router for a source's `channels`: each decoded as its kind says ([`for_channel`] with
    /// `options`), a channel the source did not declare as ph-eventing telemetry.
    ///
    /// ```
    /// use ph_tap::channel::Channel;
    /// use ph_tap::decode::DecoderOptions;
    /// use ph_tap::decode::value::ValueAs;
    /// use ph_tap::router::Router;
    /// let router = Router::for_channels(vec![Channel::telemetry()], DecoderOptions::new(ValueAs::Hex));
    /// assert_eq!(router.channels().count(), 0); // decoders are made as bytes arrive
    /// ```
    ///
    /// [`for_channel`]: crate::decode::for_channel
    pub fn for_channels(channels: Vec<Channel>, options: DecoderOptions) -> Self {
        Self::new(Box::new(move |id| {
            let channel = channels
                .iter()
                .find(|c| c.id == id)
                .cloned()
                .unwrap_or_else(Channel::telemetry);
            crate::decode::for_channel(&channel, &options)
        }))
    }

    /// Decodes `bytes` of `channel` that arrived at `at`, appending each record to `records`.
    pub fn feed(
        &mut self,
        channel: ChannelId,
        bytes: &[u8],
        at: Option<Duration>,
        records: &mut Vec<Record>,
    ) {
        let Self {
            make,
            board,
            decoders,
        } = self;
        let decoder = decoders.entry(channel).or_insert_with(|| make(channel));
        decoder.feed_streams(
            bytes,
            &mut Emit::new(channel, at, records).board(board.as_ref()),
        );
    }

    /// Ends every channel's stream, appending the records held back (without a time) to
    /// `records`.
    pub fn finish(&mut self, records: &mut Vec<Record>) {
        for (&channel, decoder) in &mut self.decoders {
            let emit = Emit::new(channel, None, records).board(self.board.as_ref());
            decoder.finish_streams(&mut { emit });
        }
    }

    /// The channels seen so far, in order.
    pub fn channels(&self) -> impl Iterator<Item = ChannelId> + '_ {
        self.decoders.keys().copied()
    }

    /// The accounting of every channel that has one, in channel order.
    pub fn accounting(&self) -> Vec<(ChannelId, Accounting)> {
        self.decoders
            .iter()
            .filter_map(|(&channel, d)| Some((channel, d.accounting()?)))
            .collect()
    }

    /// The line counts of every log and text channel, in channel order.
    pub fn lines(&self) -> Vec<(ChannelId, LineCounts)> {
        self.decoders
            .iter()
            .filter_map(|(&channel, d)| Some((channel, d.lines()?)))
            .collect()
    }
}
