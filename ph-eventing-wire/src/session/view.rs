//! Records handed on borrowed: a data frame as a [`DataView`] of the session's frame buffer,
//! for a host tool that builds its own record from it (no [`DataRecord`] in between, no copy of
//! the value's bytes, no `Vec` of its events), through a [`Visitor`]
//! ([`Session::feed_visit`](super::Session::feed_visit)).

use alloc::boxed::Box;
use alloc::sync::Arc;

use crate::accounting::Event;
use crate::bytes::ValueBytes;
use crate::chain::Placement;
use crate::schema::OwnedNamedType;
use crate::value::decode_value;

use super::{DataRecord, Record};

/// One data frame new to the session, borrowed from it: what a [`DataRecord`] says, but the
/// value's bytes still in the frame and the value not decoded.
#[derive(Clone, Copy, Debug)]
pub struct DataView<'a> {
    /// The stream it belongs to.
    pub stream: u8,
    /// Low 6 bits of the sender's boot id ([`DataRecord::boot_tag`]).
    pub boot_tag: u8,
    /// Ring sequence number.
    pub seq: u32,
    /// How the sequence number was found.
    pub placement: Placement,
    /// The sender's running ring-drop counter.
    pub ring_drops: u32,
    /// The value's postcard bytes.
    pub value: &'a [u8],
    /// The stream's current schema (`None` while there is none): decode the value with it
    /// ([`decode_value`], [`visit_value`](crate::value::visit_value)).
    pub schema: Option<&'a Arc<OwnedNamedType>>,
    /// What this frame revealed (drops, losses, reset, wrap), in order.
    pub events: &'a [Event],
}

impl DataView<'_> {
    /// The record [`Session::feed_with`](super::Session::feed_with) makes of it: its bytes
    /// copied, its events listed, and its value decoded with its schema when `decode` is set.
    pub fn to_record(&self, decode: bool) -> DataRecord {
        DataRecord {
            stream: self.stream,
            boot_tag: self.boot_tag,
            seq: self.seq,
            placement: self.placement,
            ring_drops: self.ring_drops,
            value: ValueBytes::from(self.value),
            decoded: self
                .schema
                .filter(|_| decode)
                .map(|s| decode_value(s, self.value).map(Box::new)),
            schema: self.schema.cloned(),
            events: self.events.to_vec(),
        }
    }
}

/// What [`Session::feed_visit`](super::Session::feed_visit) hands each frame's outcome to, in
/// stream order: a new data frame borrowed, everything else as a [`Record`].
///
/// ```
/// use ph_eventing_wire::encode::StreamEncoder;
/// use ph_eventing_wire::session::{DataView, Record, Session, Visitor};
///
/// /// Sums the values' first bytes, and counts what is not a new value.
/// #[derive(Default)]
/// struct Sum(u64, usize);
/// impl Visitor for Sum {
///     fn data(&mut self, data: DataView<'_>) {
///         self.0 += u64::from(data.value[0]);
///     }
///     fn record(&mut self, _record: Record) {
///         self.1 += 1;
///     }
/// }
///
/// let mut wire = Vec::new();
/// let mut buf = [0u8; 32];
/// let mut encoder = StreamEncoder::new(7);
/// for seq in 1..=3u32 {
///     let mut out = |f: &[u8]| {
///         wire.extend_from_slice(f);
///         true
///     };
///     encoder.data(seq, 0, &(seq * 10), &mut buf, &mut out).unwrap();
/// }
/// let mut sum = Sum::default();
/// Session::new().feed_visit(&wire, &mut sum);
/// assert_eq!((sum.0, sum.1), (60, 0));
/// ```
pub trait Visitor {
    /// A data frame new to the session ([`Record::Data`], borrowed).
    fn data(&mut self, data: DataView<'_>);

    /// Anything else: a duplicate, a hello, a rejected frame, unplaced frames, a warning.
    fn record(&mut self, record: Record);
}

/// [`Session::feed_with`](super::Session::feed_with)'s visitor: every outcome as a record.
pub(super) struct Records<F> {
    pub(super) f: F,
    pub(super) decode: bool,
}

impl<F: FnMut(Record)> Visitor for Records<F> {
    #[inline]
    fn data(&mut self, data: DataView<'_>) {
        (self.f)(Record::Data(data.to_record(self.decode)));
    }

    #[inline]
    fn record(&mut self, record: Record) {
        (self.f)(record);
    }
}
