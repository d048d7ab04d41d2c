//! Placing compact frames: a compact data frame carries only its value and the low 6 bits of its
//! sequence number, and means "the previous data frame's sequence number + 1, same ring drops".
//! [`Chain`] remembers the previous data frame, resolves compact frames from it while nothing
//! broke the chain and the bits agree, and otherwise holds them until the next full frame, whose
//! `skipped` field places them backwards (again checking the bits). Frames it can never place are
//! handed out as [`Placed::Unplaced`], never with a wrong sequence number. WIRE.md, section 7, is
//! the normative text.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use crate::frame::{CompactFrame, DataFrame, Frame, FrameError, Hello, boot_tag, seq_bits};
use crate::seq;

/// Default limit of compact frames held while waiting for a full frame.
pub const DEFAULT_PENDING_LIMIT: usize = 256;

/// How a data frame got its sequence number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Placement {
    /// A full frame: on the wire.
    Full,
    /// A full frame whose `skipped`/`dropped` contradict the previous frame of an intact chain
    /// (its own `seq` and `ring_drops` are trusted; counted as inconsistent).
    FullMismatch,
    /// A compact frame right after a placed frame: previous `seq` + 1 (its sequence bits agree).
    Chained,
    /// A compact frame held after a break (or a failed sequence-bit check) and placed backwards
    /// from the next full frame (its sequence bits agree).
    Backfilled,
}

/// What the chain hands on, in stream order: every frame it was given comes out exactly once, as
/// placed data, a hello, or among unplaced frames. (A failed sequence-bit check is not a frame:
/// the chain counts it, see [`Chain::seq_check_failed`].)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placed<'a> {
    /// A data frame with its sequence number.
    Data {
        /// The frame (`skipped`/`dropped` are 0 for compact frames).
        frame: DataFrame<'a>,
        /// How its sequence number was found.
        placement: Placement,
    },
    /// A hello.
    Hello(Hello<'a>),
    /// Intact compact frames whose sequence numbers cannot be known, oldest first. Compact
    /// frames carry no boot tag, so neither does this.
    Unplaced {
        /// Their values (postcard bytes).
        values: &'a [Vec<u8>],
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Prev {
    boot_tag: u8,
    seq: u32,
    ring_drops: u32,
}

/// The host side's memory of the previous data frame; see the [module docs](self).
///
/// Feed it every decoder result in stream order (rejected ones too: they break the chain), and
/// call [`finish`](Self::finish) at the end of the stream.
///
/// One chain places one stream's frames. On a link of several streams, give each stream its
/// own chain (route by [`Frame::stream`]) and break every chain on a rejected frame, which may
/// have been any stream's (WIRE.md, section 7.4); `Session` (feature `std`) does this.
///
/// ```
/// use ph_eventing_wire::chain::{Chain, Placed};
/// use ph_eventing_wire::decoder::FrameDecoder;
/// use ph_eventing_wire::encode::StreamEncoder;
///
/// let mut enc = StreamEncoder::new(5);
/// let (mut buf, mut wire) = ([0u8; 32], Vec::new());
/// for seq in 1..=4u32 {
///     enc.data(seq, 0, &(seq * 10), &mut buf, &mut |f: &[u8]| { wire.extend_from_slice(f); true })
///         .unwrap();
/// }
/// let mut decoder = FrameDecoder::<256>::new();
/// let mut chain = Chain::new();
/// let mut seqs = Vec::new();
/// decoder.feed(&wire, |result| {
///     chain.push(result, |placed| {
///         if let Placed::Data { frame, .. } = placed {
///             seqs.push(frame.seq);
///         }
///     })
/// });
/// assert_eq!(seqs, [1, 2, 3, 4]); // one full frame, three compact ones
/// ```
#[derive(Clone, Debug)]
pub struct Chain {
    prev: Option<Prev>,
    /// Nothing was rejected, no hello and no boot-tag change since `prev`.
    intact: bool,
    /// Boot tag of the last hello or placed data frame (`None` at the start of the stream).
    tag: Option<u8>,
    /// Compact frames received after a break, oldest first, as (sequence bits, value); no
    /// rejected input and no hello since the first of them.
    pending: VecDeque<(u8, Vec<u8>)>,
    /// Values of frames being handed out as unplaced (kept to reuse the allocation).
    unplaced_buf: Vec<Vec<u8>>,
    /// `tag` when the first pending frame was queued: the boot they are held against.
    pending_tag: Option<u8>,
    limit: usize,
    unplaced: u64,
    seq_check_failed: u64,
}

impl Default for Chain {
    fn default() -> Self {
        Self::new()
    }
}

impl Chain {
    /// A chain that has seen nothing, holding up to [`DEFAULT_PENDING_LIMIT`] frames.
    pub const fn new() -> Self {
        Self::with_pending_limit(DEFAULT_PENDING_LIMIT)
    }

    /// Holds at most `limit` compact frames (at least 1, at most `u32::MAX`) while waiting for a
    /// full frame; older ones become unplaced.
    pub const fn with_pending_limit(limit: usize) -> Self {
        const MAX_LIMIT: usize = u32::MAX as usize;
        Self {
            prev: None,
            intact: false,
            tag: None,
            pending: VecDeque::new(),
            unplaced_buf: Vec::new(),
            pending_tag: None,
            limit: match limit {
                0 => 1,
                1..MAX_LIMIT => limit,
                _ => MAX_LIMIT,
            },
            unplaced: 0,
            seq_check_failed: 0,
        }
    }

    /// Compact frames held, waiting for a full frame.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Frames handed out as unplaced so far.
    pub const fn unplaced(&self) -> u64 {
        self.unplaced
    }

    /// Failed sequence-bit checks so far (WIRE.md, section 7.2): times a compact frame's sequence
    /// bits disagreed with the sequence number the chain would have given it, because frames had
    /// vanished without a trace before it or it arrived twice. The frames concerned were held and
    /// placed backwards from a full frame, or handed out unplaced, never placed with a wrong
    /// number; the vanished ones show up as link losses in the accounting.
    /// [`Session::totals`](crate::session::Session::totals) reports this count as
    /// [`Totals::seq_check_failed`](crate::accounting::Totals::seq_check_failed).
    ///
    /// ```
    /// use ph_eventing_wire::chain::{Chain, Placed};
    /// use ph_eventing_wire::encode::StreamEncoder;
    /// use ph_eventing_wire::frame::parse_frame;
    /// use ph_eventing_wire::decoder::decode_one;
    ///
    /// let (mut buf, mut raw) = ([0u8; 32], [0u8; 32]);
    /// let mut chain = Chain::new();
    /// let mut frame = |bytes: &[u8], chain: &mut Chain| {
    ///     let n = decode_one(bytes, &mut raw).unwrap();
    ///     let mut seqs = Vec::new();
    ///     chain.frame(parse_frame(&raw[..n]).unwrap(), |p| {
    ///         if let Placed::Data { frame, .. } = p {
    ///             seqs.push(frame.seq);
    ///         }
    ///     });
    ///     seqs
    /// };
    /// let mut enc = StreamEncoder::new(1);
    /// let mut sent = Vec::new();
    /// for seq in 1..=3u32 {
    ///     enc.data(seq, 0, &seq, &mut buf, &mut |f: &[u8]| { sent.push(f.to_vec()); true })
    ///         .unwrap();
    /// }
    /// assert_eq!(frame(&sent[0], &mut chain), [1]);
    /// // Seq 2 vanishes without a trace: seq 3's sequence bits do not follow seq 1.
    /// assert!(frame(&sent[2], &mut chain).is_empty()); // held, not placed as seq 2
    /// assert_eq!(chain.seq_check_failed(), 1);
    /// ```
    pub const fn seq_check_failed(&self) -> u64 {
        self.seq_check_failed
    }

    /// Takes one decoder result: frames are placed and handed to `out` (possibly several, or
    /// none for a compact frame that must wait); an error breaks the chain.
    pub fn push<F>(&mut self, result: Result<Frame<'_>, FrameError>, out: F)
    where
        F: FnMut(Placed<'_>),
    {
        match result {
            Ok(frame) => self.frame(frame, out),
            Err(_) => self.break_chain(out),
        }
    }

    /// Takes one frame (see [`push`](Self::push)).
    pub fn frame<F>(&mut self, frame: Frame<'_>, mut out: F)
    where
        F: FnMut(Placed<'_>),
    {
        match frame {
            Frame::Hello(h) => {
                self.break_chain(&mut out);
                self.prev = None;
                self.tag = Some(boot_tag(h.boot_id));
                out(Placed::Hello(h));
            }
            Frame::Compact(c) => self.compact(c, out),
            Frame::Data(d) => self.full(d, out),
        }
    }

    /// Something between two frames was rejected (checksum, COBS, garbage…): the next compact
    /// frame cannot follow from the previous one.
    pub fn break_chain<F>(&mut self, mut out: F)
    where
        F: FnMut(Placed<'_>),
    {
        self.intact = false;
        self.flush(&mut out);
    }

    /// The stream ended: frames still waiting for a full frame are unplaced.
    pub fn finish<F>(&mut self, mut out: F)
    where
        F: FnMut(Placed<'_>),
    {
        self.flush(&mut out);
    }

    fn flush<F>(&mut self, out: &mut F)
    where
        F: FnMut(Placed<'_>),
    {
        let n = self.pending.len();
        self.unplace_oldest(n, out);
    }

    /// Hands out the `n` oldest pending frames as one group of unplaced frames.
    fn unplace_oldest<F>(&mut self, n: usize, out: &mut F)
    where
        F: FnMut(Placed<'_>),
    {
        if n == 0 {
            return;
        }
        self.unplaced += n as u64;
        self.unplaced_buf.clear();
        self.unplaced_buf
            .extend(self.pending.drain(..n).map(|(_, value)| value));
        out(Placed::Unplaced {
            values: &self.unplaced_buf,
        });
        self.unplaced_buf.clear();
    }

    fn compact<F>(&mut self, c: CompactFrame<'_>, mut out: F)
    where
        F: FnMut(Placed<'_>),
    {
        if let Some(prev) = self.prev.filter(|_| self.intact) {
            let seq = seq::next(prev.seq);
            if seq_bits(seq) == c.seq_bits {
                let frame = DataFrame {
                    stream: c.stream,
                    boot_tag: prev.boot_tag,
                    seq,
                    ring_drops: prev.ring_drops,
                    skipped: 0,
                    dropped: 0,
                    value: c.value,
                };
                self.place(&frame);
                out(Placed::Data {
                    frame,
                    placement: Placement::Chained,
                });
                return;
            }
            // Frames vanished without a trace (or this one came twice): a break.
            self.seq_check_failed += 1;
        }
        self.intact = false;
        if self.pending.is_empty() {
            self.pending_tag = self.tag;
        }
        if self.pending.len() >= self.limit {
            self.unplace_oldest(1, &mut out);
        }
        self.pending.push_back((c.seq_bits, c.value.to_vec()));
    }

    fn full<F>(&mut self, d: DataFrame<'_>, mut out: F)
    where
        F: FnMut(Placed<'_>),
    {
        if !self.pending.is_empty() {
            if self.pending_tag.is_none_or(|t| t == d.boot_tag) {
                self.backfill(&d, &mut out);
            } else {
                // Held against another boot: `d` cannot place them.
                self.flush(&mut out);
            }
        } else if let Some(prev) = self
            .prev
            .filter(|p| self.intact && p.boot_tag == d.boot_tag)
        {
            let gap = seq::distance(seq::next(prev.seq), d.seq);
            let drops = d.ring_drops.wrapping_sub(prev.ring_drops);
            // A frame behind its predecessor is a reset or a duplicate: the accounting judges.
            let mismatch = gap < seq::BEHIND && (d.skipped != gap || d.dropped != drops);
            self.place(&d);
            out(Placed::Data {
                frame: d,
                placement: if mismatch {
                    Placement::FullMismatch
                } else {
                    Placement::Full
                },
            });
            return;
        }
        self.place(&d);
        out(Placed::Data {
            frame: d,
            placement: Placement::Full,
        });
    }

    /// Places the pending frames backwards from the full frame `d`: the last of them is the data
    /// frame the sender wrote before `d` (`d.skipped` numbers lie between them), the others
    /// precede it one by one, and their drops are `d`'s minus `dropped`. Going back from the
    /// newest, frames are placed as long as their sequence bits agree; from the first that
    /// disagrees on, the older ones are unplaced (frames vanished among them).
    fn backfill<F>(&mut self, d: &DataFrame<'_>, out: &mut F)
    where
        F: FnMut(Placed<'_>),
    {
        let last = seq::prev(seq::back(d.seq, d.skipped));
        let agreeing = self
            .pending
            .iter()
            .rev()
            .enumerate()
            .take_while(|&(i, &(bits, _))| seq_bits(seq::back(last, steps(i))) == bits)
            .count();
        let unplace = self.pending.len() - agreeing;
        if unplace > 0 {
            self.seq_check_failed += 1;
            self.unplace_oldest(unplace, out);
        }
        let ring_drops = d.ring_drops.wrapping_sub(d.dropped);
        for (i, (_, value)) in self.pending.drain(..).enumerate() {
            let frame = DataFrame {
                stream: d.stream,
                boot_tag: d.boot_tag,
                seq: seq::back(last, steps(agreeing - 1 - i)),
                ring_drops,
                skipped: 0,
                dropped: 0,
                value: &value,
            };
            out(Placed::Data {
                frame,
                placement: Placement::Backfilled,
            });
        }
    }

    fn place(&mut self, d: &DataFrame<'_>) {
        self.tag = Some(d.boot_tag);
        self.prev = Some(Prev {
            boot_tag: d.boot_tag,
            seq: d.seq,
            ring_drops: d.ring_drops,
        });
        self.intact = true;
    }
}

/// `i` steps along the sequence cycle: a position in the pending queue, which holds at most
/// `u32::MAX` frames (see [`Chain::with_pending_limit`]).
fn steps(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}
