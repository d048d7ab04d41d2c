//! Decoding a value's postcard bytes with the schema from a hello, into `serde_json::Value`, so a
//! generic tool shows the firmware's own types without being recompiled against them.
//!
//! `postcard-dyn` does the same but panics on `char` and nested schemas (`todo!()`), and a
//! decoder fed from a wire must not panic; this walker covers the whole postcard data model and
//! returns errors instead.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use serde_json::{Map, Number, Value};

use crate::schema::{OwnedDataModelType as T, OwnedDataModelVariant as V, OwnedNamedType};
use crate::varint;

/// Why a value did not decode with its schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueError {
    /// The bytes end before the value does.
    Truncated,
    /// The bytes do not fit the schema (bad bool, enum index, UTF-8, …).
    Mismatch,
    /// Bytes left after the value: the schema does not describe these bytes.
    TrailingBytes,
    /// The schema contains a type a value cannot hold on the wire (`Schema`).
    Unsupported,
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Truncated => {
                "value is shorter than its schema says: was the hello from another firmware?"
            }
            Self::Mismatch => {
                "value does not match its schema: was the hello from another firmware?"
            }
            Self::TrailingBytes => {
                "value is longer than its schema says: was the hello from another firmware?"
            }
            Self::Unsupported => "value's schema contains a type that cannot be shown",
        })
    }
}

impl core::error::Error for ValueError {}

/// Decodes `bytes` (one whole postcard value) according to `schema`.
///
/// Structs become objects (fields in declaration order), sequences and tuples arrays, unit enum
/// variants strings and other variants `{"Variant": …}`; integers beyond `u64`/`i64` become
/// decimal strings.
///
/// ```
/// use ph_eventing_wire::{schema::parse_schema, value::decode_value};
/// use serde::Serialize;
///
/// #[derive(Serialize, postcard_schema::Schema)]
/// struct Sample { id: u8, temp: i16, ok: bool }
///
/// let schema_bytes = postcard::to_allocvec(<Sample as postcard_schema::Schema>::SCHEMA).unwrap();
/// let schema = parse_schema(&schema_bytes).unwrap();
/// let bytes = postcard::to_allocvec(&Sample { id: 3, temp: -40, ok: true }).unwrap();
/// let value = decode_value(&schema, &bytes).unwrap();
/// assert_eq!(value.to_string(), r#"{"id":3,"temp":-40,"ok":true}"#);
/// ```
pub fn decode_value(schema: &OwnedNamedType, bytes: &[u8]) -> Result<Value, ValueError> {
    let mut r = Reader { bytes };
    let v = r.value(&schema.ty)?;
    if r.bytes.is_empty() {
        Ok(v)
    } else {
        Err(ValueError::TrailingBytes)
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
}

fn zigzag(v: u128) -> i128 {
    ((v >> 1) as i128) ^ -((v & 1) as i128)
}

fn big_u(v: u128) -> Value {
    u64::try_from(v).map_or_else(|_| Value::String(v.to_string()), Value::from)
}

fn big_i(v: i128) -> Value {
    i64::try_from(v).map_or_else(|_| Value::String(v.to_string()), Value::from)
}

fn float(v: f64) -> Value {
    Number::from_f64(v).map_or(Value::Null, Value::Number)
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ValueError> {
        let head = self.bytes.get(..n).ok_or(ValueError::Truncated)?;
        self.bytes = &self.bytes[n..];
        Ok(head)
    }

    fn byte(&mut self) -> Result<u8, ValueError> {
        Ok(self.take(1)?[0])
    }

    /// A LEB128 varint of at most `max_bytes` bytes.
    fn varint(&mut self, max_bytes: usize) -> Result<u128, ValueError> {
        let mut v: u128 = 0;
        for i in 0..max_bytes {
            let b = self.byte()?;
            v |= u128::from(b & 0x7F) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(ValueError::Mismatch)
    }

    fn unsigned(&mut self, bits: u32) -> Result<u128, ValueError> {
        let v = self.varint((bits as usize).div_ceil(7))?;
        if bits < 128 && v >> bits != 0 {
            Err(ValueError::Mismatch)
        } else {
            Ok(v)
        }
    }

    /// A length prefix, checked against the bytes left so a corrupt length cannot allocate.
    fn len(&mut self) -> Result<usize, ValueError> {
        let (n, rest) = varint::read_u32(self.bytes).ok_or(ValueError::Truncated)?;
        self.bytes = rest;
        let n = n as usize;
        if n > self.bytes.len() {
            Err(ValueError::Truncated)
        } else {
            Ok(n)
        }
    }

    fn string(&mut self) -> Result<String, ValueError> {
        let n = self.len()?;
        let s = self.take(n)?;
        core::str::from_utf8(s)
            .map(String::from)
            .map_err(|_| ValueError::Mismatch)
    }

    /// A `char`: postcard writes it as the string of its UTF-8 encoding, which must hold exactly
    /// one Unicode scalar value (as postcard's own decoder requires).
    fn char(&mut self) -> Result<String, ValueError> {
        let s = self.string()?;
        if s.chars().count() == 1 {
            Ok(s)
        } else {
            Err(ValueError::Mismatch)
        }
    }

    fn list(&mut self, items: &[OwnedNamedType]) -> Result<Value, ValueError> {
        items
            .iter()
            .map(|nt| self.value(&nt.ty))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array)
    }

    fn fields(&mut self, fields: &[crate::schema::OwnedNamedValue]) -> Result<Value, ValueError> {
        let mut map = Map::new();
        for f in fields {
            map.insert(f.name.clone(), self.value(&f.ty.ty)?);
        }
        Ok(Value::Object(map))
    }

    fn value(&mut self, ty: &T) -> Result<Value, ValueError> {
        Ok(match ty {
            T::Bool => match self.byte()? {
                0 => Value::Bool(false),
                1 => Value::Bool(true),
                _ => return Err(ValueError::Mismatch),
            },
            T::U8 => Value::from(self.byte()?),
            T::I8 => Value::from(self.byte()? as i8),
            T::U16 => big_u(self.unsigned(16)?),
            T::U32 => big_u(self.unsigned(32)?),
            T::U64 | T::Usize => big_u(self.unsigned(64)?),
            T::U128 => big_u(self.unsigned(128)?),
            T::I16 => big_i(zigzag(self.unsigned(16)?)),
            T::I32 => big_i(zigzag(self.unsigned(32)?)),
            T::I64 | T::Isize => big_i(zigzag(self.unsigned(64)?)),
            T::I128 => big_i(zigzag(self.unsigned(128)?)),
            T::F32 => {
                let b = self.take(4)?;
                let v = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                // Via the shortest decimal form, so 3.3f32 shows as 3.3, not 3.299999952316284.
                float(v.to_string().parse().unwrap_or(f64::from(v)))
            }
            T::F64 => {
                let b = self.take(8)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                float(f64::from_le_bytes(a))
            }
            T::Char => Value::String(self.char()?),
            T::String => Value::String(self.string()?),
            T::ByteArray => {
                let n = self.len()?;
                Value::Array(self.take(n)?.iter().map(|&b| Value::from(b)).collect())
            }
            T::Option(inner) => match self.byte()? {
                0 => Value::Null,
                1 => self.value(&inner.ty)?,
                _ => return Err(ValueError::Mismatch),
            },
            T::Unit | T::UnitStruct => Value::Null,
            T::NewtypeStruct(inner) => self.value(&inner.ty)?,
            T::Seq(inner) => {
                let n = self.len()?;
                (0..n)
                    .map(|_| self.value(&inner.ty))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Value::Array)?
            }
            T::Tuple(items) | T::TupleStruct(items) => self.list(items)?,
            T::Map { key, val } => {
                let n = self.len()?;
                if matches!(key.ty, T::String | T::Char) {
                    let mut map = Map::new();
                    for _ in 0..n {
                        let k = match key.ty {
                            T::Char => self.char()?,
                            _ => self.string()?,
                        };
                        map.insert(k, self.value(&val.ty)?);
                    }
                    Value::Object(map)
                } else {
                    let mut pairs = Vec::with_capacity(n);
                    for _ in 0..n {
                        let k = self.value(&key.ty)?;
                        pairs.push(Value::Array(alloc::vec![k, self.value(&val.ty)?]));
                    }
                    Value::Array(pairs)
                }
            }
            T::Struct(fields) => self.fields(fields)?,
            T::Enum(variants) => {
                let index = self.unsigned(32)? as usize;
                let variant = variants.get(index).ok_or(ValueError::Mismatch)?;
                let inner = match &variant.ty {
                    V::UnitVariant => return Ok(Value::String(variant.name.clone())),
                    V::NewtypeVariant(nt) => self.value(&nt.ty)?,
                    V::TupleVariant(items) => self.list(items)?,
                    V::StructVariant(fields) => self.fields(fields)?,
                };
                let mut map = Map::new();
                map.insert(variant.name.clone(), inner);
                Value::Object(map)
            }
            T::Schema => return Err(ValueError::Unsupported),
        })
    }
}
