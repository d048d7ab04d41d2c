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

    /// Appends the body `make` builds, as [`push`](Self::push) does, but built right in its
    /// place at the end of the list: the room is made first, so that the record is written
    /// where it stays instead of being put together on the stack and then copied (a copy whose
    /// wide loads would wait for the narrow stores that built it).
    ///
    /// ```
    /// use ph_eventing_wire::accounting::Event;
    /// use ph_tap::decode::Emit;
    /// use ph_tap::record::Body;
    ///
    /// let mut records = Vec::new();
    /// Emit::new(1, None, &mut records).push_with(None, || Body::Event(Event::SeqWrap));
    /// assert_eq!((records[0].origin.channel, records[0].body.kind()), (1, "seq_wrap"));
    /// ```
    #[inline(always)]
    pub fn push_with(&mut self, stream: Option<StreamTag>, make: impl FnOnce() -> Body) {
        let records = &mut *self.records;
        records.reserve(1);
        let len = records.len();
        records.spare_capacity_mut()[0].write(Record {
            origin: Origin {
                channel: self.channel,
                stream,
                board: self.board.cloned(),
            },
            at: self.at,
            body: make(),
        });
        // SAFETY: `reserve(1)` made room for one more record, and the first element past
        // `len` was just initialised by the `write` above.
        unsafe { records.set_len(len + 1) };
    }
}

/// Where a decoder's bodies go, each with its stream: an [`Emit`], or a closure ([`ToFn`]).
pub trait Bodies {
    /// Hands on `body`, of stream `stream` (`None`: the channel's own).
    fn push(&mut self, stream: Option<StreamTag>, body: Body);

    /// Hands on the body `make` builds: for the body of nearly every record (a value), which
    /// an [`Emit`] builds in its place ([`Emit::push_with`]).
    #[inline(always)]
    fn push_with(&mut self, stream: Option<StreamTag>, make: impl FnOnce() -> Body) {
        self.push(stream, make());
    }
}

impl Bodies for Emit<'_> {
    #[inline]
    fn push(&mut self, stream: Option<StreamTag>, body: Body) {
        Emit::push(self, stream, body);
    }

    #[inline(always)]
    fn push_with(&mut self, stream: Option<StreamTag>, make: impl FnOnce() -> Body) {
        Emit::push_with(self, stream, make);
    }
}

impl<B: Bodies> Bodies for &mut B {
    #[inline(always)]
    fn push(&mut self, stream: Option<StreamTag>, body: Body) {
        (**self).push(stream, body);
    }

    #[inline(always)]
    fn push_with(&mut self, stream: Option<StreamTag>, make: impl FnOnce() -> Body) {
        (**self).push_with(stream, make);
    }
}

/// A closure taking each body and its stream, as [`Bodies`].
pub struct ToFn<F>(pub F);

impl<F: FnMut(Option<StreamTag>, Body)> Bodies for ToFn<F> {
    #[inline]
    fn push(&mut self, stream: Option<StreamTag>, body: Body) {
        (self.0)(stream, body);
    }
}
