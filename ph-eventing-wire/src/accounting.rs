//! Drop accounting: turns the frames a host received into what happened on the target and the
//! link — ring drops, link losses, target resets, sequence wraps and duplicates — with running
//! totals. It needs no allocation and works on frames from any decoder.
//!
//! # How a gap is split
//!
//! Every data frame carries `ring_drops`, the sender's running count of ring drops among the
//! sequence numbers before it (hellos carry the same counter for their `next_seq`). Between two
//! received checkpoints `(seq a, drops A)` and `(seq b, drops B)` of one boot, the `n` sequence
//! numbers missing in between split exactly into `B − A` ring drops and `n − (B − A)` link losses,
//! however many frames the link lost: the counter is cumulative, so the frames that carried the
//! intermediate counts are not needed.
//!
//! # Resets
//!
//! A new boot shows as a hello with another boot id, or a data frame with another boot tag (the
//! low 6 bits of the boot id, carried by every full data frame; a compact frame placed by a
//! chain gets the tag of the frame it was placed from, and a new boot always starts with a hello
//! and a full frame). When the tag happens to match, a
//! sequence number that moved backwards, or a drop counter that did, is also read as a reset.
//! After a reset without its hello, the new boot is assumed to have started at sequence 1, which
//! is what `SeqRing::new` does. Frames the link lost at the very end of the old boot cannot be
//! counted (nothing after them arrived from that boot).
//!
//! # Compact frames and unplaced frames
//!
//! The accounting works on placed data frames, whose sequence number is known. Compact frames
//! (value only) are placed first by a [`Chain`](crate#map-of-the-crate) (feature `alloc`), which
//! hands over resolved frames and, rarely, a count of frames it could not place
//! ([`Accountant::observe_unplaced`]). Those frames did arrive, so they are not link losses: the
//! next gap of the same boot subtracts them from its link losses (at most all of them) and
//! counts them in [`Totals::unplaced_in_gaps`]. So, over one boot,
//! `data_frames + ring_dropped + link_lost + unplaced_in_gaps` is exactly the number of sequence
//! numbers from the first frame accounted to the last.

use core::fmt;

#[cfg(feature = "alloc")]
use crate::chain::{Placed, Placement};
use crate::frame::{DataFrame, Frame, Hello, boot_tag};
use crate::seq;
use crate::stream::StreamKind;

/// Something the accounting inferred from a frame, reported with the frame that revealed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Event {
    /// The target rebooted (not a loss). `boot_id` is known when a hello announced it.
    TargetReset {
        /// The new boot id, when it came with a hello.
        boot_id: Option<u32>,
    },
    /// The sequence number wrapped from `u32::MAX` to `1` (not a loss).
    SeqWrap,
    /// The target's ring overwrote `count` items before they could be sent, somewhere in the
    /// sequence range `first_seq..=last_seq` (exactly those items when no link loss shares the
    /// range).
    RingDrop {
        /// Items dropped.
        count: u32,
        /// First sequence number of the gap.
        first_seq: u32,
        /// Last sequence number of the gap.
        last_seq: u32,
    },
    /// A lossless stream's producer was turned away `count` times because its queue was full,
    /// somewhere in `first_seq..=last_seq` (the target counted each refusal; the items that
    /// were accepted are never lost on the target). The [`RingDrop`](Self::RingDrop) of an
    /// event queue.
    Refused {
        /// Pushes refused.
        count: u32,
        /// First sequence number of the gap.
        first_seq: u32,
        /// Last sequence number of the gap.
        last_seq: u32,
    },
    /// `count` items left the ring but never arrived (link buffer full, corrupted bytes, host too
    /// slow), somewhere in `first_seq..=last_seq`.
    LinkLoss {
        /// Items lost.
        count: u32,
        /// First sequence number of the gap.
        first_seq: u32,
        /// Last sequence number of the gap.
        last_seq: u32,
    },
    /// The same frame arrived again; it is not counted twice.
    Duplicate {
        /// Its sequence number.
        seq: u32,
    },
    /// `count` intact compact frames arrived whose sequence numbers cannot be known: link
    /// corruption broke the chain before them and again before the next full frame. Their values
    /// are shown without a sequence number; the next gap does not count them as link losses.
    Unplaced {
        /// Frames.
        count: u32,
    },
}

/// The items a loss event says are missing: how many, and where in the sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gap {
    /// Items missing.
    pub count: u32,
    /// First sequence number of the gap.
    pub first_seq: u32,
    /// Last sequence number of the gap.
    pub last_seq: u32,
}

impl Event {
    /// The gap of a loss: [`RingDrop`](Self::RingDrop), [`Refused`](Self::Refused) and
    /// [`LinkLoss`](Self::LinkLoss) say which items are missing; the other events lose nothing
    /// placed in the sequence (`None`).
    ///
    /// ```
    /// use ph_eventing_wire::accounting::{Event, Gap};
    /// let lost = Event::LinkLoss { count: 4, first_seq: 11, last_seq: 20 };
    /// assert_eq!(lost.gap(), Some(Gap { count: 4, first_seq: 11, last_seq: 20 }));
    /// assert_eq!(Event::SeqWrap.gap(), None);
    /// ```
    pub const fn gap(&self) -> Option<Gap> {
        match *self {
            Self::RingDrop {
                count,
                first_seq,
                last_seq,
            }
            | Self::Refused {
                count,
                first_seq,
                last_seq,
            }
            | Self::LinkLoss {
                count,
                first_seq,
                last_seq,
            } => Some(Gap {
                count,
                first_seq,
                last_seq,
            }),
            Self::TargetReset { .. }
            | Self::SeqWrap
            | Self::Duplicate { .. }
            | Self::Unplaced { .. } => None,
        }
    }
}

/// The one text of each event, as every host tool shows it (ph-tap's human lines included).
///
/// ```
/// use ph_eventing_wire::accounting::Event;
/// let drop = Event::RingDrop { count: 3, first_seq: 10, last_seq: 12 };
/// assert_eq!(drop.to_string(), "RING DROP 3 (seq 10..12)");
/// let refused = Event::Refused { count: 2, first_seq: 4, last_seq: 5 };
/// assert_eq!(refused.to_string(), "REFUSED 2 (seq 4..5, the queue was full)");
/// let lost = Event::LinkLoss { count: 1, first_seq: 9, last_seq: 9 };
/// assert_eq!(lost.to_string(), "LINK LOSS 1 (seq 9)");
/// let reset = Event::TargetReset { boot_id: Some(0x5eed_0002) };
/// assert_eq!(reset.to_string(), "TARGET RESET (new boot 0x5eed0002)");
/// ```
impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::TargetReset { boot_id: Some(id) } => {
                write!(f, "TARGET RESET (new boot {id:#010x})")
            }
            Self::TargetReset { boot_id: None } => f.write_str("TARGET RESET"),
            Self::SeqWrap => f.write_str("SEQ WRAP (u32::MAX -> 1, nothing lost)"),
            Self::RingDrop {
                count,
                first_seq,
                last_seq,
            } => write!(f, "RING DROP {count} ({})", SeqRange(first_seq, last_seq)),
            Self::Refused {
                count,
                first_seq,
                last_seq,
            } => write!(
                f,
                "REFUSED {count} ({}, the queue was full)",
                SeqRange(first_seq, last_seq)
            ),
            Self::LinkLoss {
                count,
                first_seq,
                last_seq,
            } => write!(f, "LINK LOSS {count} ({})", SeqRange(first_seq, last_seq)),
            Self::Duplicate { seq } => write!(f, "DUPLICATE (seq {seq})"),
            Self::Unplaced { count } => write!(
                f,
                "UNPLACED {count} frame{} (seq unknown after link corruption)",
                if count == 1 { "" } else { "s" }
            ),
        }
    }
}

/// `seq 5`, or `seq 5..9` for a range.
struct SeqRange(u32, u32);

impl fmt::Display for SeqRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self(first, last) if first == last => write!(f, "seq {first}"),
            Self(first, last) => write!(f, "seq {first}..{last}"),
        }
    }
}

/// The events one frame revealed (at most four: reset, wrap, ring drop, link loss).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Events {
    /// The first `len` are the events; the others, unused, are `SeqWrap`.
    items: [Event; 4],
    len: usize,
}

impl Default for Events {
    fn default() -> Self {
        Self {
            items: [Event::SeqWrap; 4],
            len: 0,
        }
    }
}

impl Events {
    fn push(&mut self, e: Event) {
        if let Some(slot) = self.items.get_mut(self.len) {
            *slot = e;
            self.len += 1;
        }
    }

    /// No events: the frame followed its predecessor seamlessly.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many events.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// The events, in order: reset, wrap, ring drop, link loss (or a lone duplicate).
    pub fn iter(&self) -> impl Iterator<Item = Event> + '_ {
        self.as_slice().iter().copied()
    }

    /// The events as a slice, in the same order.
    ///
    /// ```
    /// use ph_eventing_wire::accounting::{Accountant, Event};
    /// use ph_eventing_wire::frame::{DataFrame, Frame};
    /// let data = |seq| Frame::Data(DataFrame {
    ///     stream: 0, boot_tag: 1, seq, ring_drops: 0, skipped: 0, dropped: 0, value: &[],
    /// });
    /// let mut acc = Accountant::new();
    /// assert!(acc.observe(&data(1)).as_slice().is_empty());
    /// assert_eq!(acc.observe(&data(1)).as_slice(), [Event::Duplicate { seq: 1 }]);
    /// ```
    #[inline]
    pub fn as_slice(&self) -> &[Event] {
        &self.items[..self.len]
    }
}

impl IntoIterator for Events {
    type Item = Event;
    type IntoIter = core::iter::Take<core::array::IntoIter<Event, 4>>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter().take(self.len)
    }
}

/// Running totals since the accounting started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Totals {
    /// Data frames accepted (duplicates excluded).
    pub data_frames: u64,
    /// Hello frames seen.
    pub hellos: u64,
    /// Items the target's ring overwrote.
    pub ring_dropped: u64,
    /// [`Event::RingDrop`]s reported: the bursts `ring_dropped` came in (one per gap with ring
    /// drops, however many items it dropped).
    pub ring_drop_events: u64,
    /// Pushes an event queue refused (a lossless stream's [`Event::Refused`]); they are not in
    /// `ring_dropped`.
    pub refused: u64,
    /// [`Event::Refused`]s reported (one per gap with refusals).
    pub refused_events: u64,
    /// Items lost between the ring and the host.
    pub link_lost: u64,
    /// Target resets.
    pub resets: u64,
    /// Sequence wraps.
    pub wraps: u64,
    /// Duplicate frames ignored.
    pub duplicates: u64,
    /// Frames whose counters contradicted their predecessors (ring drops above the gap, a hello
    /// behind the stream, a full frame's `skipped`/`dropped` that do not match the previous
    /// frame); they are accounted as well as possible and counted here.
    pub inconsistent: u64,
    /// Intact data frames whose sequence number could not be known (see
    /// [`Event::Unplaced`]), wherever they were.
    pub unplaced: u64,
    /// Of `unplaced`, those a later gap of the same boot took out of its link losses. The rest
    /// (before the first frame accounted, at the end of a boot or of the stream) lie outside
    /// any gap.
    pub unplaced_in_gaps: u64,
    /// Times a compact frame's sequence bits disagreed with the sequence number the chain
    /// would have given it: frames had vanished without a trace, or a compact frame arrived
    /// twice. The frames concerned were placed later from a full frame, or reported unplaced;
    /// the vanished ones show up as link losses.
    ///
    /// A failed check is not a frame, so the `Accountant` never sees one and leaves this 0: the
    /// chain counts them (`Chain::seq_check_failed`, feature `alloc`), and `Session::totals`
    /// (feature `std`) fills this field from its chain.
    pub seq_check_failed: u64,
}

impl Totals {
    /// Adds `other`'s counts to these (the totals of several streams together).
    ///
    /// ```
    /// use ph_eventing_wire::accounting::Totals;
    /// let mut sum = Totals { link_lost: 2, ..Default::default() };
    /// sum.add(&Totals { link_lost: 1, refused: 4, ..Default::default() });
    /// assert_eq!((sum.link_lost, sum.refused), (3, 4));
    /// ```
    pub fn add(&mut self, other: &Totals) {
        let Totals {
            data_frames,
            hellos,
            ring_dropped,
            ring_drop_events,
            refused,
            refused_events,
            link_lost,
            resets,
            wraps,
            duplicates,
            inconsistent,
            unplaced,
            unplaced_in_gaps,
            seq_check_failed,
        } = *other;
        self.data_frames += data_frames;
        self.hellos += hellos;
        self.ring_dropped += ring_dropped;
        self.ring_drop_events += ring_drop_events;
        self.refused += refused;
        self.refused_events += refused_events;
        self.link_lost += link_lost;
        self.resets += resets;
        self.wraps += wraps;
        self.duplicates += duplicates;
        self.inconsistent += inconsistent;
        self.unplaced += unplaced;
        self.unplaced_in_gaps += unplaced_in_gaps;
        self.seq_check_failed += seq_check_failed;
    }
}

/// What is known about the boot the stream currently comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Boot {
    tag: u8,
    id: Option<u32>,
    /// The sequence number expected next.
    expected: u32,
    /// Ring drops among sequence numbers before `expected`.
    drops: u32,
    /// The last data frame's sequence number (0: none yet this boot).
    last_data: u32,
}

impl Boot {
    /// A boot assumed to start at sequence 1 with no drops (the ring's start).
    const fn fresh(tag: u8, id: Option<u32>) -> Self {
        Self {
            tag,
            id,
            expected: 1,
            drops: 0,
            last_data: 0,
        }
    }
}

/// Classifies every frame of a stream into [`Event`]s and keeps [`Totals`].
///
/// ```
/// use ph_eventing_wire::accounting::{Accountant, Event};
/// use ph_eventing_wire::frame::{DataFrame, Frame};
///
/// let data = |seq, ring_drops| Frame::Data(DataFrame {
///     stream: 0, boot_tag: 1, seq, ring_drops, skipped: 0, dropped: 0, value: &[],
/// });
/// let mut acc = Accountant::new();
/// assert!(acc.observe(&data(10, 0)).is_empty());
/// // 11..=20 missing; the ring dropped 6 of them, so the link lost 4.
/// let events: Vec<Event> = acc.observe(&data(21, 6)).into_iter().collect();
/// assert_eq!(events, [
///     Event::RingDrop { count: 6, first_seq: 11, last_seq: 20 },
///     Event::LinkLoss { count: 4, first_seq: 11, last_seq: 20 },
/// ]);
/// assert_eq!((acc.totals().ring_dropped, acc.totals().link_lost), (6, 4));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Accountant {
    boot: Option<Boot>,
    totals: Totals,
    /// Unplaced frames reported since the last checkpoint, for the next gap to absorb.
    unplaced_open: u64,
    /// What the target's counted gaps are: ring drops, or refusals (from the latest hello).
    kind: StreamKind,
    /// A hello (or [`with_kind`](Accountant::with_kind)) said the kind; before, it is taken
    /// as a ring.
    kind_known: bool,
}

impl Accountant {
    /// Accounting that has seen nothing yet.
    pub const fn new() -> Self {
        Self {
            boot: None,
            totals: Totals {
                data_frames: 0,
                hellos: 0,
                ring_dropped: 0,
                ring_drop_events: 0,
                refused: 0,
                refused_events: 0,
                link_lost: 0,
                resets: 0,
                wraps: 0,
                duplicates: 0,
                inconsistent: 0,
                unplaced: 0,
                unplaced_in_gaps: 0,
                seq_check_failed: 0,
            },
            unplaced_open: 0,
            kind: StreamKind::Ring,
            kind_known: false,
        }
    }

    /// Accounting of a stream of this kind: for [`StreamKind::Queue`], the gaps the target
    /// counted are [`Event::Refused`], not ring drops. A hello sets the kind it announces.
    pub const fn with_kind(mut self, kind: StreamKind) -> Self {
        self.kind = kind;
        self.kind_known = true;
        self
    }

    /// Takes the kind a hello announced. The first time, the stream's earlier target-counted
    /// gaps, taken for ring drops while the kind was unknown, move to the kind it is (the
    /// events already reported stay as they were): a stream's kind is that of its source.
    fn learn_kind(&mut self, kind: StreamKind) {
        if !self.kind_known && kind == StreamKind::Queue {
            let t = &mut self.totals;
            t.refused += core::mem::take(&mut t.ring_dropped);
            t.refused_events += core::mem::take(&mut t.ring_drop_events);
        }
        self.kind = kind;
        self.kind_known = true;
    }

    /// The kind of stream accounted (the latest hello's).
    pub const fn kind(&self) -> StreamKind {
        self.kind
    }

    /// Running totals.
    pub const fn totals(&self) -> &Totals {
        &self.totals
    }

    /// The current boot id, once a hello announced it.
    pub fn boot_id(&self) -> Option<u32> {
        self.boot.and_then(|b| b.id)
    }

    /// Accounts one frame, in stream order, and returns what it revealed.
    ///
    /// Give it placed frames: a [`Frame::Compact`] on its own has no sequence number, so it is
    /// counted as unplaced ([`observe_unplaced`](Self::observe_unplaced)). Put a `Chain` in
    /// front (feature `alloc`) to place compact frames.
    pub fn observe(&mut self, frame: &Frame<'_>) -> Events {
        match frame {
            Frame::Data(d) => self.observe_data(d),
            Frame::Compact(_) => self.observe_unplaced(1),
            Frame::Hello(h) => self.observe_hello(h),
        }
    }

    /// Accounts `count` intact frames that could not be placed (see [`Event::Unplaced`]).
    ///
    /// ```
    /// use ph_eventing_wire::accounting::Accountant;
    /// use ph_eventing_wire::frame::{DataFrame, Frame};
    ///
    /// let data = |seq| Frame::Data(DataFrame {
    ///     stream: 0, boot_tag: 1, seq, ring_drops: 0, skipped: 0, dropped: 0, value: &[],
    /// });
    /// let mut acc = Accountant::new();
    /// acc.observe(&data(10));
    /// acc.observe_unplaced(2); // two of 11..=14 arrived, but which?
    /// acc.observe(&data(15));
    /// let t = acc.totals();
    /// assert_eq!((t.link_lost, t.unplaced, t.unplaced_in_gaps), (2, 2, 2));
    /// ```
    pub fn observe_unplaced(&mut self, count: u32) -> Events {
        let mut ev = Events::default();
        if count > 0 {
            self.totals.unplaced += u64::from(count);
            self.unplaced_open += u64::from(count);
            ev.push(Event::Unplaced { count });
        }
        ev
    }

    /// Accounts one [`Placed`] item from a [`Chain`](crate::chain::Chain) (feature `alloc`):
    /// data frames and hellos as [`observe`](Self::observe) does, unplaced frames as
    /// [`observe_unplaced`](Self::observe_unplaced), and a [`Placement::FullMismatch`] also as
    /// inconsistent.
    ///
    /// ```
    /// use ph_eventing_wire::accounting::Accountant;
    /// use ph_eventing_wire::chain::Placed;
    ///
    /// let mut acc = Accountant::new();
    /// let values = [vec![1u8], vec![2]];
    /// acc.observe_placed(&Placed::Unplaced { values: &values });
    /// assert_eq!(acc.totals().unplaced, 2);
    /// ```
    #[cfg(feature = "alloc")]
    pub fn observe_placed(&mut self, placed: &Placed<'_>) -> Events {
        let mut ev = Events::default();
        self.observe_placed_into(placed, &mut ev);
        ev
    }

    /// [`observe_placed`](Self::observe_placed), the events written into `ev` (empty): in
    /// place, not returned through a copy on the stack whose wide reads would wait for the
    /// stores just made (once per value, in a session).
    #[cfg(feature = "alloc")]
    pub(crate) fn observe_placed_into(&mut self, placed: &Placed<'_>, ev: &mut Events) {
        match placed {
            Placed::Data { frame, placement } => {
                if *placement == Placement::FullMismatch {
                    self.totals.inconsistent += 1;
                }
                self.observe_data_into(frame, ev);
            }
            Placed::Hello(h) => *ev = self.observe_hello(h),
            Placed::Unplaced { values } => {
                *ev = self.observe_unplaced(u32::try_from(values.len()).unwrap_or(u32::MAX));
            }
        }
    }

    fn observe_data(&mut self, d: &DataFrame<'_>) -> Events {
        let mut ev = Events::default();
        self.observe_data_into(d, &mut ev);
        ev
    }

    /// Accounts a data frame, pushing what it revealed to `ev`.
    fn observe_data_into(&mut self, d: &DataFrame<'_>, ev: &mut Events) {
        let Some(mut boot) = self.boot else {
            // Joined mid-stream: nothing to compare with yet (nor to place unplaced frames in).
            self.unplaced_open = 0;
            self.totals.data_frames += 1;
            self.boot = Some(Boot {
                tag: d.boot_tag,
                id: None,
                expected: seq::next(d.seq),
                drops: d.ring_drops,
                last_data: d.seq,
            });
            return;
        };
        if boot.tag == d.boot_tag && boot.last_data == d.seq {
            self.totals.duplicates += 1;
            ev.push(Event::Duplicate { seq: d.seq });
            return;
        }
        let reset = boot.tag != d.boot_tag || {
            let gap = seq::distance(boot.expected, d.seq);
            gap >= seq::BEHIND || d.ring_drops.wrapping_sub(boot.drops) > gap
        };
        if reset {
            ev.push(Event::TargetReset { boot_id: None });
            self.totals.resets += 1;
            // Unplaced frames before a reset belong to the end of the old boot.
            self.unplaced_open = 0;
            boot = Boot::fresh(d.boot_tag, None);
        } else if boot.last_data != 0 && d.seq < boot.last_data {
            ev.push(Event::SeqWrap);
            self.totals.wraps += 1;
        }
        self.account_gap(ev, &boot, d.seq, d.ring_drops);
        self.totals.data_frames += 1;
        boot.expected = seq::next(d.seq);
        boot.drops = d.ring_drops;
        boot.last_data = d.seq;
        self.boot = Some(boot);
    }

    fn observe_hello(&mut self, h: &Hello<'_>) -> Events {
        let mut ev = Events::default();
        self.totals.hellos += 1;
        self.learn_kind(h.kind);
        let tag = boot_tag(h.boot_id);
        let mut boot = match self.boot {
            None => {
                self.unplaced_open = 0;
                Boot {
                    tag,
                    id: Some(h.boot_id),
                    expected: h.next_seq,
                    drops: h.ring_drops,
                    last_data: 0,
                }
            }
            Some(b) => {
                let same_boot = match b.id {
                    Some(id) => id == h.boot_id,
                    None => b.tag == tag,
                };
                let gap = seq::distance(b.expected, h.next_seq);
                let restarted = gap >= seq::BEHIND && h.next_seq == 1 && h.ring_drops == 0;
                if !same_boot || restarted {
                    ev.push(Event::TargetReset {
                        boot_id: Some(h.boot_id),
                    });
                    self.totals.resets += 1;
                    self.unplaced_open = 0;
                    let fresh = Boot::fresh(tag, Some(h.boot_id));
                    self.account_gap(&mut ev, &fresh, h.next_seq, h.ring_drops);
                    Boot {
                        expected: h.next_seq,
                        drops: h.ring_drops,
                        ..fresh
                    }
                } else if gap >= seq::BEHIND {
                    // A stale hello (behind frames already seen): keep the newer state.
                    self.totals.inconsistent += 1;
                    self.unplaced_open = 0;
                    Boot {
                        id: Some(h.boot_id),
                        ..b
                    }
                } else {
                    self.account_gap(&mut ev, &b, h.next_seq, h.ring_drops);
                    Boot {
                        id: Some(h.boot_id),
                        expected: h.next_seq,
                        drops: h.ring_drops,
                        ..b
                    }
                }
            }
        };
        boot.tag = tag;
        self.boot = Some(boot);
        ev
    }

    /// Splits the sequence numbers from `boot.expected` up to (not including) `to` into ring
    /// drops and link losses, given the drop counter `drops_to` at `to`.
    fn account_gap(&mut self, ev: &mut Events, boot: &Boot, to: u32, drops_to: u32) {
        let open = core::mem::take(&mut self.unplaced_open);
        let gap = seq::distance(boot.expected, to);
        let mut ring = drops_to.wrapping_sub(boot.drops);
        if ring > gap {
            self.totals.inconsistent += 1;
            ring = gap;
        }
        if gap == 0 {
            return;
        }
        let (first_seq, last_seq) = (boot.expected, seq::prev(to));
        // Frames that arrived unplaced since the last checkpoint lie in this gap and are no loss.
        let absorbed = open.min(u64::from(gap - ring)) as u32;
        self.totals.unplaced_in_gaps += u64::from(absorbed);
        let link = gap - ring - absorbed;
        let t = &mut self.totals;
        let (source_total, source_event) = match self.kind {
            StreamKind::Ring => (
                &mut t.ring_dropped,
                Event::RingDrop {
                    count: ring,
                    first_seq,
                    last_seq,
                },
            ),
            StreamKind::Queue => (
                &mut t.refused,
                Event::Refused {
                    count: ring,
                    first_seq,
                    last_seq,
                },
            ),
        };
        if ring > 0 {
            match self.kind {
                StreamKind::Ring => t.ring_drop_events += 1,
                StreamKind::Queue => t.refused_events += 1,
            }
        }
        let losses = [
            (ring, source_total, source_event),
            (
                link,
                &mut t.link_lost,
                Event::LinkLoss {
                    count: link,
                    first_seq,
                    last_seq,
                },
            ),
        ];
        for (count, total, event) in losses {
            if count > 0 {
                ev.push(event);
                *total += u64::from(count);
            }
        }
    }
}
