//! [`ValueSchema`]: a stream's value schema, as ph-tap's records carry it.

use std::ops::Deref;

use ph_eventing_wire::schema::OwnedNamedType;

/// A stream's value schema, shared (in an `Arc`) by every [`EncodedValue`](super::EncodedValue)
/// of the stream: aligned to a cache line of its own, away from the `Arc`'s reference counts.
/// The decoding thread changes those counts once per value (the clone into a record, the
/// drop of the record), while the sinks' thread reads the schema for every value; on one
/// cache line, two cores would hand that line back and forth once per value.
///
/// ```
/// use ph_eventing_wire::schema::parse_schema;
/// use ph_tap::record::ValueSchema;
/// let bytes = postcard::to_allocvec(<u16 as postcard_schema::Schema>::SCHEMA).unwrap();
/// let schema = ValueSchema::from(parse_schema(&bytes).unwrap());
/// assert_eq!(schema.to_pseudocode(), "u16");
/// assert_eq!(std::mem::align_of::<ValueSchema>(), 64);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[repr(align(64))]
pub struct ValueSchema(OwnedNamedType);

impl From<OwnedNamedType> for ValueSchema {
    fn from(schema: OwnedNamedType) -> Self {
        Self(schema)
    }
}

impl Deref for ValueSchema {
    type Target = OwnedNamedType;

    fn deref(&self) -> &OwnedNamedType {
        &self.0
    }
}
