//! The hello's schema on the host: parsed into `postcard_schema`'s owned types with a bounded
//! nesting depth (a hostile or corrupt schema can neither overflow the stack nor allocate more
//! than its own size).

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

pub use postcard_schema::schema::owned::{
    OwnedDataModelType, OwnedDataModelVariant, OwnedNamedType, OwnedNamedValue, OwnedNamedVariant,
};

use crate::varint;

/// The deepest type nesting accepted in a schema.
pub const MAX_SCHEMA_DEPTH: usize = 32;

/// Why a hello's schema could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaError {
    /// The bytes end in the middle of the schema.
    Truncated,
    /// An unknown type tag (a newer `postcard-schema`?).
    UnknownType(u32),
    /// A name is not UTF-8.
    BadName,
    /// Types nested deeper than [`MAX_SCHEMA_DEPTH`].
    TooDeep,
    /// Bytes left after the schema.
    TrailingBytes,
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated => f.write_str("schema in hello is truncated"),
            Self::UnknownType(t) => write!(
                f,
                "schema uses type tag {t}, unknown to this postcard-schema version: upgrade the host tool"
            ),
            Self::BadName => f.write_str("schema in hello has a name that is not UTF-8"),
            Self::TooDeep => write!(
                f,
                "schema nests types deeper than {MAX_SCHEMA_DEPTH} levels"
            ),
            Self::TrailingBytes => f.write_str("schema in hello is followed by unexpected bytes"),
        }
    }
}

impl core::error::Error for SchemaError {}

/// Parses the postcard encoding of a `postcard_schema::schema::NamedType` (the hello's `schema`).
///
/// ```
/// use ph_eventing_wire::schema::{parse_schema, OwnedDataModelType};
///
/// #[derive(postcard_schema::Schema)]
/// struct Sample { id: u8, temp: i16 }
///
/// let bytes = postcard::to_allocvec(<Sample as postcard_schema::Schema>::SCHEMA).unwrap();
/// let schema = parse_schema(&bytes).unwrap();
/// assert_eq!(schema.name, "Sample");
/// assert!(matches!(schema.ty, OwnedDataModelType::Struct(ref f) if f.len() == 2));
/// ```
pub fn parse_schema(bytes: &[u8]) -> Result<OwnedNamedType, SchemaError> {
    let mut r = Reader { bytes };
    let nt = r.named_type(0)?;
    if r.bytes.is_empty() {
        Ok(nt)
    } else {
        Err(SchemaError::TrailingBytes)
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl Reader<'_> {
    fn varint(&mut self) -> Result<u32, SchemaError> {
        let (v, rest) = varint::read_u32(self.bytes).ok_or(SchemaError::Truncated)?;
        self.bytes = rest;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, SchemaError> {
        let len = self.varint()? as usize;
        let s = self.bytes.get(..len).ok_or(SchemaError::Truncated)?;
        self.bytes = &self.bytes[len..];
        core::str::from_utf8(s)
            .map(String::from)
            .map_err(|_| SchemaError::BadName)
    }

    /// A length prefix, checked against the bytes left (each element takes at least one byte).
    fn len(&mut self) -> Result<usize, SchemaError> {
        let n = self.varint()? as usize;
        if n > self.bytes.len() {
            Err(SchemaError::Truncated)
        } else {
            Ok(n)
        }
    }

    fn named_type(&mut self, depth: usize) -> Result<OwnedNamedType, SchemaError> {
        if depth > MAX_SCHEMA_DEPTH {
            return Err(SchemaError::TooDeep);
        }
        let name = self.string()?;
        let ty = self.data_model_type(depth)?;
        Ok(OwnedNamedType { name, ty })
    }

    fn boxed(&mut self, depth: usize) -> Result<Box<OwnedNamedType>, SchemaError> {
        self.named_type(depth + 1).map(Box::new)
    }

    fn types(&mut self, depth: usize) -> Result<Vec<OwnedNamedType>, SchemaError> {
        let n = self.len()?;
        (0..n).map(|_| self.named_type(depth + 1)).collect()
    }

    fn values(&mut self, depth: usize) -> Result<Vec<OwnedNamedValue>, SchemaError> {
        let n = self.len()?;
        (0..n)
            .map(|_| {
                let name = self.string()?;
                let ty = self.named_type(depth + 1)?;
                Ok(OwnedNamedValue { name, ty })
            })
            .collect()
    }

    fn data_model_type(&mut self, depth: usize) -> Result<OwnedDataModelType, SchemaError> {
        use OwnedDataModelType as T;
        Ok(match self.varint()? {
            0 => T::Bool,
            1 => T::I8,
            2 => T::U8,
            3 => T::I16,
            4 => T::I32,
            5 => T::I64,
            6 => T::I128,
            7 => T::U16,
            8 => T::U32,
            9 => T::U64,
            10 => T::U128,
            11 => T::Usize,
            12 => T::Isize,
            13 => T::F32,
            14 => T::F64,
            15 => T::Char,
            16 => T::String,
            17 => T::ByteArray,
            18 => T::Option(self.boxed(depth)?),
            19 => T::Unit,
            20 => T::UnitStruct,
            21 => T::NewtypeStruct(self.boxed(depth)?),
            22 => T::Seq(self.boxed(depth)?),
            23 => T::Tuple(self.types(depth)?),
            24 => T::TupleStruct(self.types(depth)?),
            25 => {
                let key = self.boxed(depth)?;
                let val = self.boxed(depth)?;
                T::Map { key, val }
            }
            26 => T::Struct(self.values(depth)?),
            27 => {
                let n = self.len()?;
                let variants = (0..n)
                    .map(|_| {
                        let name = self.string()?;
                        let ty = self.variant(depth + 1)?;
                        Ok(OwnedNamedVariant { name, ty })
                    })
                    .collect::<Result<_, _>>()?;
                T::Enum(variants)
            }
            28 => T::Schema,
            other => return Err(SchemaError::UnknownType(other)),
        })
    }

    fn variant(&mut self, depth: usize) -> Result<OwnedDataModelVariant, SchemaError> {
        use OwnedDataModelVariant as V;
        Ok(match self.varint()? {
            0 => V::UnitVariant,
            1 => V::NewtypeVariant(self.boxed(depth)?),
            2 => V::TupleVariant(self.types(depth)?),
            3 => V::StructVariant(self.values(depth)?),
            other => return Err(SchemaError::UnknownType(other)),
        })
    }
}
