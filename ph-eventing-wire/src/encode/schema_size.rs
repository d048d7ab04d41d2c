//! The postcard length of a schema, as a `const fn`, so that the hello's buffer can be sized at
//! compile time ([`max_hello_len`](super::max_hello_len)).
//!
//! It follows postcard's encoding of the `postcard_schema` 0.2 types (WIRE.md, section 6): a
//! `NamedType` is its name (a varint length and the UTF-8 bytes) and its `DataModelType`; an
//! enum value is its variant index as a varint (every index here is below 128: one byte) and
//! the variant's contents; a slice is a varint count and the items. `encode_hello` checks the
//! schema it writes against this length.

use postcard_schema::schema::{
    DataModelType, DataModelVariant, NamedType, NamedValue, NamedVariant,
};

use crate::varint;

/// Bytes `postcard::to_slice(schema)` writes.
pub(crate) const fn schema_len(schema: &NamedType) -> usize {
    named_type(schema)
}

/// A string: varint length, then the bytes.
const fn string(s: &str) -> usize {
    varint::len_usize(s.len()) + s.len()
}

const fn named_type(nt: &NamedType) -> usize {
    string(nt.name) + data_model_type(nt.ty)
}

/// A slice: its varint count, then `$len` for each item `$x` (a loop: `const fn` takes no closures).
macro_rules! slice_len {
    ($items:expr, |$x:ident| $len:expr) => {{
        let items = $items;
        let mut total = varint::len_usize(items.len());
        let mut i = 0;
        while i < items.len() {
            let $x = items[i];
            total += $len;
            i += 1;
        }
        total
    }};
}

const fn named_types(nts: &[&NamedType]) -> usize {
    slice_len!(nts, |nt| named_type(nt))
}

const fn named_values(nvs: &[&NamedValue]) -> usize {
    slice_len!(nvs, |nv| string(nv.name) + named_type(nv.ty))
}

const fn named_variants(nvs: &[&NamedVariant]) -> usize {
    slice_len!(nvs, |nv| string(nv.name) + data_model_variant(nv.ty))
}

/// The variant index (one byte), then the contents.
const fn data_model_type(ty: &DataModelType) -> usize {
    1 + match ty {
        DataModelType::Option(nt) | DataModelType::NewtypeStruct(nt) | DataModelType::Seq(nt) => {
            named_type(nt)
        }
        DataModelType::Tuple(nts) | DataModelType::TupleStruct(nts) => named_types(nts),
        DataModelType::Map { key, val } => named_type(key) + named_type(val),
        DataModelType::Struct(nvs) => named_values(nvs),
        DataModelType::Enum(nvs) => named_variants(nvs),
        // Everything else is the index alone.
        _ => 0,
    }
}

/// The variant index (one byte), then the contents.
const fn data_model_variant(v: &DataModelVariant) -> usize {
    1 + match v {
        DataModelVariant::UnitVariant => 0,
        DataModelVariant::NewtypeVariant(nt) => named_type(nt),
        DataModelVariant::TupleVariant(nts) => named_types(nts),
        DataModelVariant::StructVariant(nvs) => named_values(nvs),
    }
}

#[cfg(test)]
mod tests {
    use postcard_schema::Schema;

    use super::schema_len;

    /// `schema_len` against postcard itself, on every shape of the data model.
    fn check<T: Schema + ?Sized>() {
        let want = postcard::experimental::serialized_size(T::SCHEMA).unwrap();
        assert_eq!(schema_len(T::SCHEMA), want, "{}", T::SCHEMA.name);
    }

    #[allow(dead_code)]
    #[derive(Schema)]
    struct Unit;

    #[allow(dead_code)]
    #[derive(Schema)]
    struct Newtype(u16);

    #[allow(dead_code)]
    #[derive(Schema)]
    struct Pair(i8, f64);

    #[allow(dead_code)]
    #[derive(Schema)]
    enum Every {
        Unit,
        Newtype(Option<u8>),
        Tuple(u32, (bool, char)),
        Struct { a: [i64; 3], b: Pair },
    }

    #[allow(dead_code)]
    #[derive(Schema)]
    struct Nested {
        every: Every,
        unit: Unit,
        newtype: Newtype,
        maybe: Option<Option<u128>>,
        slice: &'static [i128],
        text: &'static str,
        bytes: &'static [u8],
        nothing: (),
        wide: (u16, i64, f32, u64, i16, i32),
    }

    /// A field name of 200 bytes (a two-byte varint length).
    #[allow(dead_code)]
    #[derive(Schema)]
    struct LongName {
        an_extremely_long_field_name_that_keeps_going_and_going_well_past_one_hundred_and_twenty_seven_bytes_so_that_its_length_takes_a_two_byte_varint_in_the_schema_encoding_xxxxxxxxxxxxxxxxxxxxxxx:
            u8,
    }

    #[test]
    fn matches_postcard_on_every_shape() {
        check::<u32>();
        check::<()>();
        check::<Unit>();
        check::<Newtype>();
        check::<Pair>();
        check::<Every>();
        check::<Nested>();
        check::<LongName>();
        check::<[Nested; 2]>();
        check::<(Every, Option<LongName>)>();
        #[cfg(feature = "alloc")]
        check::<alloc::collections::BTreeMap<u8, alloc::vec::Vec<Every>>>();
    }
}
