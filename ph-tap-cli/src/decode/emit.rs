//! Where a decoder's bodies go: [`Emit`] makes each one a [`Record`] of its channel, with its
//! stream and its time, right in the list of records the [`Router`](crate::router::Router) was
//! given (one record built in place per value, not moved from stage to stage).

use std::time::Duration;

use crate::board::Board;
use crate::record::{Body, ChannelId, Origin, Record};
use crate::stream::StreamTag;

/// The records of one channel's chunk, as its decoder makes them
/// ([`Decoder::feed_streams`](super::Decoder::feed_streams)).
///
/// ```
/// use ph_eventing_wire::accounting::Event;
/// use ph_tap::decode::Emit;
/// use ph_tap::record::Body;
///
/// let mut records = Vec::new();
/// let mut emit = Emit::new(2, None, &mut records);
/// emit.push(None, Body::Event(Event::SeqWrap));
/// assert_eq!((records[0].origin.channel, records[0].body.kind()), (2, "seq_wrap"));
/// ```
pub struct Emit<'a> {
    channel: ChannelId,
    board: Option<&'a Board>,
    at: Option<Duration>,
    records: &'a mut Vec<Record>,
}

impl<'a> Emit<'a> {
    /// Records of `channel` whose bytes arrived at `at` (`None`: times not shown), appended
    /// to `records`.
    pub fn new(channel: ChannelId, at: Option<Duration>, records: &'a mut Vec<Record>) -> Self {
        Self {
            channel,
            board: None,
            at,
            records,
        }
    }

    /// Tags every record with `board` (`None`: no board, the default).
    ///
    /// ```
    /// use ph_eventing_wire::accounting::Event;
    /// use ph_tap::board::Board;
    /// use ph_tap::decode::Emit;
    /// use ph_tap::record::Body;
    ///
    /// let board = Board::new("a").unwrap();
    /// let mut records = Vec::new();
    /// Emit::new(0, None, &mut records).board(Some(&board)).push(None, Body::Event(Event::SeqWrap));
    /// assert_eq!(records[0].origin.board.as_ref().map(Board::as_str), Some("a"));
    /// ```
    pub fn board(mut self, board: Option<&'a Board>) -> Self {
        self.board = board;
        self
    }

    /// Appends `body` as a record of stream `stream` (`None`: the channel's own).
    #[inline]
    pub fn push(&mut self, stream: Option<StreamTag>, body: Body) {
        self.records.push(Record {
            origin: Origin {
                channel: self.channel,
                stream,
                board: self.board.cloned(),
            },
            at: self.at,
            body,
        });
    }
}
