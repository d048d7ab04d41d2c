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

    fn str(&mut self) -> Result<&'a str, ValueError> {
        let n = self.len()?;
        let s = self.take(n)?;
        core::str::from_utf8(s).map_err(|_| ValueError::Mismatch)
    }

    fn string(&mut self) -> Result<String, ValueError> {
        self.str().map(String::from)
    }

    /// A `char`: postcard writes it as the string of its UTF-8 encoding, which must hold exactly
    /// one Unicode scalar value (as postcard's own decoder requires).
    fn char_str(&mut self) -> Result<&'a str, ValueError> {
        let s = self.str()?;
        if s.chars().count() == 1 {
            Ok(s)
        } else {
            Err(ValueError::Mismatch)
        }
    }

    fn char(&mut self) -> Result<String, ValueError> {
        self.char_str().map(String::from)
    }

    /// An `f32`, as the `f64` of its shortest decimal form, so 3.3f32 shows as 3.3, not
    /// 3.299999952316284.
    fn f32(&mut self) -> Result<f64, ValueError> {
        let b = self.take(4)?;
        let v = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let mut text = StackText::new();
        Ok(
            if fmt::Write::write_fmt(&mut text, format_args!("{v}")).is_ok() {
                text.as_str().parse().unwrap_or(f64::from(v))
            } else {
                v.to_string().parse().unwrap_or(f64::from(v))
            },
        )
    }

    fn f64(&mut self) -> Result<f64, ValueError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(f64::from_le_bytes(a))
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
            T::F32 => float(self.f32()?),
            T::F64 => float(self.f64()?),
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

/// What [`visit_value`] walks a value into: the tree [`decode_value`] would build, node by node
/// and in the same order, without building it (no allocation per value).
///
/// The nodes are those of the `serde_json::Value` [`decode_value`] gives: integers beyond
/// `u64`/`i64` come as their decimal [`str`](Self::str), a float that is not finite as
/// [`null`](Self::null), a unit variant as the [`str`](Self::str) of its name, another variant
/// as an object of one key. One difference: an object's keys are given as the schema (a struct)
/// or the bytes (a map with string keys) have them, a repeated one every time, where the
/// `Value`'s map keeps one entry per key; [`keys_may_repeat`] tells the schemas where that can
/// happen.
pub trait ValueVisitor {
    /// `null`: an absent `Option`, a unit, a float that is not finite.
    fn null(&mut self);
    /// A `bool`.
    fn bool(&mut self, v: bool);
    /// An unsigned integer that fits `u64`.
    fn u64(&mut self, v: u64);
    /// A signed integer that fits `i64`.
    fn i64(&mut self, v: i64);
    /// A finite float (an `f32` as the `f64` of its shortest decimal form).
    fn f64(&mut self, v: f64);
    /// A string, a `char`, an integer too large for 64 bits (its decimal digits), a unit
    /// variant's name.
    fn str(&mut self, v: &str);
    /// An array starts (a sequence, tuple, byte array, map with other keys than strings).
    fn begin_array(&mut self);
    /// Element `index` of the current array follows.
    fn item(&mut self, index: usize);
    /// The current array ends.
    fn end_array(&mut self);
    /// An object starts (a struct, a map with string keys, a variant with data).
    fn begin_object(&mut self);
    /// Entry `index` of the current object follows, under `key`.
    fn key(&mut self, index: usize, key: &str);
    /// The current object ends.
    fn end_object(&mut self);
}

/// Walks `bytes` (one whole postcard value) according to `schema` into `visitor`: the
/// [`decode_value`] of a host tool that writes the value out at once. The result is
/// [`decode_value`]'s: `Err` exactly when it fails, for the same reason (the visitor may have
/// seen part of the value by then: discard it).
///
/// ```
/// use ph_eventing_wire::{schema::parse_schema, value::{ValueVisitor, visit_value}};
///
/// /// Sums the integers of a value.
/// struct Sum(u64);
/// impl ValueVisitor for Sum {
///     fn null(&mut self) {}
///     fn bool(&mut self, _: bool) {}
///     fn u64(&mut self, v: u64) { self.0 += v }
///     fn i64(&mut self, _: i64) {}
///     fn f64(&mut self, _: f64) {}
///     fn str(&mut self, _: &str) {}
///     fn begin_array(&mut self) {}
///     fn item(&mut self, _: usize) {}
///     fn end_array(&mut self) {}
///     fn begin_object(&mut self) {}
///     fn key(&mut self, _: usize, _: &str) {}
///     fn end_object(&mut self) {}
/// }
///
/// let schema_bytes = postcard::to_allocvec(<[u16; 3] as postcard_schema::Schema>::SCHEMA).unwrap();
/// let schema = parse_schema(&schema_bytes).unwrap();
/// let mut sum = Sum(0);
/// visit_value(&schema, &postcard::to_allocvec(&[1u16, 2, 300]).unwrap(), &mut sum).unwrap();
/// assert_eq!(sum.0, 303);
/// ```
pub fn visit_value(
    schema: &OwnedNamedType,
    bytes: &[u8],
    visitor: &mut impl ValueVisitor,
) -> Result<(), ValueError> {
    let mut r = Reader { bytes };
    r.visit(&schema.ty, visitor)?;
    if r.bytes.is_empty() {
        Ok(())
    } else {
        Err(ValueError::TrailingBytes)
    }
}

/// Whether a value of `schema` can have an object with a repeated key (a struct or struct
/// variant with two fields of one name, a map with string keys): where [`visit_value`] gives
/// every entry and [`decode_value`]'s map one per key.
pub fn keys_may_repeat(schema: &OwnedNamedType) -> bool {
    fn fields(fields: &[crate::schema::OwnedNamedValue]) -> bool {
        fields
            .iter()
            .enumerate()
            .any(|(i, f)| fields[..i].iter().any(|g| g.name == f.name) || keys_may_repeat(&f.ty))
    }
    match &schema.ty {
        T::Option(inner) | T::NewtypeStruct(inner) | T::Seq(inner) => keys_may_repeat(inner),
        T::Tuple(items) | T::TupleStruct(items) => items.iter().any(keys_may_repeat),
        T::Map { key, val } => {
            matches!(key.ty, T::String | T::Char) || keys_may_repeat(key) || keys_may_repeat(val)
        }
        T::Struct(f) => fields(f),
        T::Enum(variants) => variants.iter().any(|v| match &v.ty {
            V::UnitVariant => false,
            V::NewtypeVariant(nt) => keys_may_repeat(nt),
            V::TupleVariant(items) => items.iter().any(keys_may_repeat),
            V::StructVariant(f) => fields(f),
        }),
        _ => false,
    }
}

/// Text formatted on the stack (a float, a 128-bit integer): no allocation.
struct StackText {
    buf: [u8; 64],
    len: usize,
}

impl StackText {
    fn new() -> Self {
        Self {
            buf: [0; 64],
            len: 0,
        }
    }

    fn as_str(&self) -> &str {
        // Only whole `str`s are written in.
        core::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

impl fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let room = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        room.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

fn visit_float(v: f64, visitor: &mut impl ValueVisitor) {
    if v.is_finite() {
        visitor.f64(v);
    } else {
        visitor.null();
    }
}

fn visit_big(v: impl fmt::Display, visitor: &mut impl ValueVisitor) {
    let mut text = StackText::new();
    // 40 characters at most (`i128::MIN`).
    let _ = fmt::Write::write_fmt(&mut text, format_args!("{v}"));
    visitor.str(text.as_str());
}

impl Reader<'_> {
    fn visit_list(
        &mut self,
        items: &[OwnedNamedType],
        v: &mut impl ValueVisitor,
    ) -> Result<(), ValueError> {
        v.begin_array();
        for (i, nt) in items.iter().enumerate() {
            v.item(i);
            self.visit(&nt.ty, v)?;
        }
        v.end_array();
        Ok(())
    }

    fn visit_fields(
        &mut self,
        fields: &[crate::schema::OwnedNamedValue],
        v: &mut impl ValueVisitor,
    ) -> Result<(), ValueError> {
        v.begin_object();
        for (i, f) in fields.iter().enumerate() {
            v.key(i, &f.name);
            self.visit(&f.ty.ty, v)?;
        }
        v.end_object();
        Ok(())
    }

    fn visit_u(&mut self, bits: u32, v: &mut impl ValueVisitor) -> Result<(), ValueError> {
        let n = self.unsigned(bits)?;
        match u64::try_from(n) {
            Ok(n) => v.u64(n),
            Err(_) => visit_big(n, v),
        }
        Ok(())
    }

    fn visit_i(&mut self, bits: u32, v: &mut impl ValueVisitor) -> Result<(), ValueError> {
        let n = zigzag(self.unsigned(bits)?);
        match i64::try_from(n) {
            Ok(n) => v.i64(n),
            Err(_) => visit_big(n, v),
        }
        Ok(())
    }

    /// [`value`](Self::value), into a visitor: the same reads and checks, in the same order.
    fn visit(&mut self, ty: &T, v: &mut impl ValueVisitor) -> Result<(), ValueError> {
        match ty {
            T::Bool => match self.byte()? {
                0 => v.bool(false),
                1 => v.bool(true),
                _ => return Err(ValueError::Mismatch),
            },
            T::U8 => v.u64(u64::from(self.byte()?)),
            T::I8 => v.i64(i64::from(self.byte()? as i8)),
            T::U16 => self.visit_u(16, v)?,
            T::U32 => self.visit_u(32, v)?,
            T::U64 | T::Usize => self.visit_u(64, v)?,
            T::U128 => self.visit_u(128, v)?,
            T::I16 => self.visit_i(16, v)?,
            T::I32 => self.visit_i(32, v)?,
            T::I64 | T::Isize => self.visit_i(64, v)?,
            T::I128 => self.visit_i(128, v)?,
            T::F32 => visit_float(self.f32()?, v),
            T::F64 => visit_float(self.f64()?, v),
            T::Char => v.str(self.char_str()?),
            T::String => v.str(self.str()?),
            T::ByteArray => {
                let n = self.len()?;
                v.begin_array();
                for (i, &b) in self.take(n)?.iter().enumerate() {
                    v.item(i);
                    v.u64(u64::from(b));
                }
                v.end_array();
            }
            T::Option(inner) => match self.byte()? {
                0 => v.null(),
                1 => self.visit(&inner.ty, v)?,
                _ => return Err(ValueError::Mismatch),
            },
            T::Unit | T::UnitStruct => v.null(),
            T::NewtypeStruct(inner) => self.visit(&inner.ty, v)?,
            T::Seq(inner) => {
                let n = self.len()?;
                v.begin_array();
                for i in 0..n {
                    v.item(i);
                    self.visit(&inner.ty, v)?;
                }
                v.end_array();
            }
            T::Tuple(items) | T::TupleStruct(items) => self.visit_list(items, v)?,
            T::Map { key, val } => {
                let n = self.len()?;
                if matches!(key.ty, T::String | T::Char) {
                    v.begin_object();
                    for i in 0..n {
                        let k = match key.ty {
                            T::Char => self.char_str()?,
                            _ => self.str()?,
                        };
                        v.key(i, k);
                        self.visit(&val.ty, v)?;
                    }
                    v.end_object();
                } else {
                    v.begin_array();
                    for i in 0..n {
                        v.item(i);
                        v.begin_array();
                        v.item(0);
                        self.visit(&key.ty, v)?;
                        v.item(1);
                        self.visit(&val.ty, v)?;
                        v.end_array();
                    }
                    v.end_array();
                }
            }
            T::Struct(fields) => self.visit_fields(fields, v)?,
            T::Enum(variants) => {
                let index = self.unsigned(32)? as usize;
                let variant = variants.get(index).ok_or(ValueError::Mismatch)?;
                if let V::UnitVariant = variant.ty {
                    v.str(&variant.name);
                    return Ok(());
                }
                v.begin_object();
                v.key(0, &variant.name);
                match &variant.ty {
                    V::UnitVariant => {}
                    V::NewtypeVariant(nt) => self.visit(&nt.ty, v)?,
                    V::TupleVariant(items) => self.visit_list(items, v)?,
                    V::StructVariant(fields) => self.visit_fields(fields, v)?,
                }
                v.end_object();
            }
            T::Schema => return Err(ValueError::Unsupported),
        }
        Ok(())
    }
}
