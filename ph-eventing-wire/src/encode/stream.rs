//! The stream policy: [`StreamEncoder`] chooses, frame by frame, a compact data frame where the
//! format allows one and a full frame otherwise (WIRE.md, section 4).

use postcard::experimental::max_size::MaxSize;
use postcard_schema::Schema;
use serde::Serialize;

use super::{
    DataFields, EncodeError, HelloFields, encode_stream_compact, encode_stream_data,
    encode_stream_hello, encode_stream_hello_after_delimiter,
};
use crate::seq;
use crate::stream::StreamDesc;

/// Default number of data frames per anchor interval: a full frame, then up to 15 compact ones.
pub const DEFAULT_ANCHOR_EVERY: u32 = 16;

/// What [`StreamEncoder::data`] sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sent {
    /// Bytes handed to the sink.
    pub bytes: usize,
    /// It was a compact frame (value only).
    pub compact: bool,
    /// The sink reported the whole frame written.
    pub written: bool,
}

/// The sender's side of one boot's stream: chooses a compact frame whenever the format allows
/// and a full frame otherwise, and keeps what a full frame's `skipped`/`dropped` refer to.
///
/// A compact frame is sent iff the previous frame handed to the sink was a data frame of
/// sequence number `seq − 1` with the same ring drops, the sink wrote it completely, no hello
/// came in between, and fewer than `anchor_every − 1` compact frames followed the last full
/// one. [`Drainer`](crate::drain::Drainer) uses one; use it directly to frame items that do not
/// come from a ring. The sink returns `true` when it wrote the whole frame.
///
/// ```
/// use ph_eventing_wire::encode::StreamEncoder;
///
/// let mut enc = StreamEncoder::new(0x2A);
/// let mut buf = [0u8; 64];
/// let mut wire = Vec::new();
/// let mut sink = |f: &[u8]| { wire.extend_from_slice(f); true };
/// enc.hello::<u32>(1, 0, &mut buf, &mut sink).unwrap();
/// assert!(!enc.data(1, 0, &10u32, &mut buf, &mut sink).unwrap().compact);
/// assert!(enc.data(2, 0, &20u32, &mut buf, &mut sink).unwrap().compact);
/// // The sink refuses seq 3 (say, an RTT buffer is full): seq 4 must be a full frame.
/// enc.data(3, 0, &30u32, &mut buf, &mut |_: &[u8]| false).unwrap();
/// assert!(!enc.data(4, 0, &40u32, &mut buf, &mut sink).unwrap().compact);
/// ```
#[derive(Clone, Debug)]
pub struct StreamEncoder {
    boot_id: u32,
    /// The stream it encodes (its id goes into every frame, the rest into its hellos).
    stream: StreamDesc,
    anchor_every: u32,
    /// The checkpoint a full frame's `skipped`/`dropped` refer to: the sequence number after the
    /// last data frame written completely (or the last written hello's `next_seq`) and the ring
    /// drops before it. `None` before anything was written.
    checkpoint: Option<(u32, u32)>,
    /// The previous frame handed to the sink was a data frame, written completely:
    /// `(seq, ring_drops)`. `None` after a hello, a refused frame, or at the start.
    chained: Option<(u32, u32)>,
    /// Compact frames since the last full frame.
    compact_run: u32,
    /// The next hello starts with the boot-time `0x00` (see `with_boot_delimiter`).
    boot_delimiter: bool,
}

impl StreamEncoder {
    /// An encoder for the boot `boot_id`, with [`DEFAULT_ANCHOR_EVERY`].
    pub const fn new(boot_id: u32) -> Self {
        Self {
            boot_id,
            stream: StreamDesc::SINGLE,
            anchor_every: DEFAULT_ANCHOR_EVERY,
            checkpoint: None,
            chained: None,
            compact_run: 0,
            boot_delimiter: false,
        }
    }

    /// Encodes the stream `desc` describes (default [`StreamDesc::SINGLE`]): its frames carry
    /// its id, its hellos its name and kind. A compact frame follows the previous data frame of
    /// this encoder, so streams that share a link each have their own encoder.
    ///
    /// ```
    /// use ph_eventing_wire::encode::StreamEncoder;
    /// use ph_eventing_wire::stream::StreamDesc;
    ///
    /// let mut enc = StreamEncoder::new(0x2A).with_stream(StreamDesc::new(1, "slow").of(2));
    /// let mut buf = [0u8; 80];
    /// let mut wire = Vec::new();
    /// let mut sink = |f: &[u8]| { wire.extend_from_slice(f); true };
    /// enc.data(1, 0, &10u32, &mut buf, &mut sink).unwrap();
    /// assert!(enc.data(2, 0, &20u32, &mut buf, &mut sink).unwrap().compact);
    /// assert_eq!(wire.len(), 10 + 7); // a prefix byte on each
    /// ```
    pub const fn with_stream(mut self, desc: StreamDesc) -> Self {
        self.stream = desc;
        self
    }

    /// The stream it encodes.
    pub const fn stream(&self) -> &StreamDesc {
        &self.stream
    }

    /// At most `k` data frames per full frame: a full one, then up to `k − 1` compact ones.
    /// `1` (or `0`) makes every data frame full.
    pub const fn with_anchor_every(mut self, k: u32) -> Self {
        self.anchor_every = if k == 0 { 1 } else { k };
        self
    }

    /// The first hello this encoder sends starts with a `0x00`, in the same sink call
    /// ([`encode_hello_after_delimiter`](super::encode_hello_after_delimiter)): for a stream that starts at boot, so that whatever
    /// the link carried before (boot-time noise, half a frame) ends as a fragment the host
    /// discards (WIRE.md, section 1). The [`Drainer`](crate::drain::Drainer)'s encoder does this.
    ///
    /// ```
    /// use ph_eventing_wire::encode::StreamEncoder;
    ///
    /// let mut enc = StreamEncoder::new(0x2A).with_boot_delimiter();
    /// let mut buf = [0u8; 64];
    /// let mut calls = Vec::new();
    /// let mut sink = |f: &[u8]| { calls.push(f.to_vec()); true };
    /// enc.hello::<u32>(1, 0, &mut buf, &mut sink).unwrap();
    /// enc.hello::<u32>(1, 0, &mut buf, &mut sink).unwrap();
    /// // One whole frame per sink call; only the first has the delimiter in front.
    /// assert_eq!((calls[0][0], calls[0].len(), calls[1].len()), (0x00, 1 + 27, 27));
    /// assert_eq!(calls[0][1..], calls[1]);
    /// ```
    pub const fn with_boot_delimiter(mut self) -> Self {
        self.boot_delimiter = true;
        self
    }

    /// Whether the next hello starts with the boot-time `0x00`, and from now on, whether this
    /// encoder sends it (`false`: another stream of the link sends it).
    pub(crate) const fn set_boot_delimiter(&mut self, on: bool) {
        self.boot_delimiter = on;
    }

    /// The boot id.
    pub const fn boot_id(&self) -> u32 {
        self.boot_id
    }

    /// The configured anchor interval.
    pub const fn anchor_every(&self) -> u32 {
        self.anchor_every
    }

    /// The full-frame fields `seq` would get now.
    const fn fields(&self, seq: u32, ring_drops: u32) -> DataFields {
        match self.checkpoint {
            Some((expected, drops)) => DataFields::after(expected, drops, seq, ring_drops),
            None => DataFields::contiguous(seq, ring_drops),
        }
    }

    /// Encodes the item `seq` (with `ring_drops` drops before it) as the frame the format allows
    /// and hands it to `sink`. On an encoding error nothing is sent and the next frame is full.
    pub fn data<T>(
        &mut self,
        seq: u32,
        ring_drops: u32,
        value: &T,
        buf: &mut [u8],
        sink: &mut impl FnMut(&[u8]) -> bool,
    ) -> Result<Sent, EncodeError>
    where
        T: Serialize + ?Sized,
    {
        let compact = self.compact_run.saturating_add(1) < self.anchor_every
            && matches!(self.chained, Some((s, d)) if seq::next(s) == seq && d == ring_drops);
        let id = self.stream.id;
        let frame = if compact {
            encode_stream_compact(id, seq, value, buf)
        } else {
            encode_stream_data(id, self.boot_id, &self.fields(seq, ring_drops), value, buf)
        };
        let frame = match frame {
            Ok(frame) => frame,
            Err(e) => {
                self.chained = None;
                return Err(e);
            }
        };
        let written = sink(frame);
        if written {
            self.compact_run = if compact { self.compact_run + 1 } else { 0 };
            self.chained = Some((seq, ring_drops));
            self.checkpoint = Some((seq::next(seq), ring_drops));
        } else {
            self.chained = None;
        }
        Ok(Sent {
            bytes: frame.len(),
            compact,
            written,
        })
    }

    /// Encodes `T`'s hello with these counters and hands it to `sink`. The next data frame is
    /// full whether or not the sink wrote the hello. With
    /// [`with_boot_delimiter`](Self::with_boot_delimiter), the first hello starts with a `0x00`
    /// in the same sink call, and [`Sent::bytes`] counts it.
    pub fn hello<T>(
        &mut self,
        next_seq: u32,
        ring_drops: u32,
        buf: &mut [u8],
        sink: &mut impl FnMut(&[u8]) -> bool,
    ) -> Result<Sent, EncodeError>
    where
        T: Schema + MaxSize + ?Sized,
    {
        let fields = HelloFields {
            boot_id: self.boot_id,
            next_seq,
            ring_drops,
        };
        let frame = if self.boot_delimiter {
            encode_stream_hello_after_delimiter::<T>(&fields, &self.stream, buf)?
        } else {
            encode_stream_hello::<T>(&fields, &self.stream, buf)?
        };
        self.boot_delimiter = false;
        self.chained = None;
        let written = sink(frame);
        if written {
            self.checkpoint = Some((next_seq, ring_drops));
        }
        Ok(Sent {
            bytes: frame.len(),
            compact: false,
            written,
        })
    }
}
