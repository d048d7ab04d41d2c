//! Turning a frame's postcard value bytes into structured data: with the schema the stream's
//! hello carried, or as `--value-as` says when there is none.

use postcard_schema::schema::owned::OwnedNamedType;
use serde_json::{Value, json};

/// The `--value-as` fallback for streams without a schema (or before the first hello).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ValueAs {
    /// The value's bytes in hex.
    #[default]
    Hex,
    /// postcard `u8`.
    U8,
    /// postcard `u16` (varint).
    U16,
    /// postcard `u32` (varint).
    U32,
    /// postcard `u64` (varint).
    U64,
    /// postcard `i8`.
    I8,
    /// postcard `i16` (zigzag varint).
    I16,
    /// postcard `i32` (zigzag varint).
    I32,
    /// postcard `i64` (zigzag varint).
    I64,
    /// postcard `f32` (little endian).
    F32,
    /// postcard `f64` (little endian).
    F64,
    /// postcard `bool`.
    Bool,
    /// postcard `&str` (length-prefixed UTF-8).
    Str,
}

/// Renders values: by schema once a hello provided one, else by `--value-as`.
#[derive(Clone, Debug, Default)]
pub struct ValueRenderer {
    schema: Option<OwnedNamedType>,
    fallback: ValueAs,
}

impl ValueRenderer {
    /// A renderer with no schema yet.
    pub fn new(fallback: ValueAs) -> Self {
        Self {
            schema: None,
            fallback,
        }
    }

    /// Takes the schema bytes of a hello (postcard-encoded `NamedType`).
    ///
    /// Returns the schema as pseudo-code, or `None` when the bytes are empty or not a schema (the
    /// `--value-as` fallback stays in use).
    pub fn set_schema(&mut self, schema: &[u8]) -> Option<String> {
        // The wire crate's parser bounds nesting and lengths, so a hostile schema cannot exhaust
        // the stack or memory.
        self.schema = if schema.is_empty() {
            None
        } else {
            ph_eventing_wire::schema::parse_schema(schema).ok()
        };
        self.schema.as_ref().map(OwnedNamedType::to_pseudocode)
    }

    /// The value of one frame as structured data.
    ///
    /// ```
    /// use ph_tap::value::{ValueAs, ValueRenderer};
    /// let r = ValueRenderer::new(ValueAs::U32);
    /// assert_eq!(r.render(&[0xAC, 0x02]), serde_json::json!(300));
    /// let r = ValueRenderer::new(ValueAs::Hex);
    /// assert_eq!(r.render(&[0xAC, 0x02]), serde_json::json!("ac02"));
    /// ```
    pub fn render(&self, bytes: &[u8]) -> Value {
        if let Some(schema) = &self.schema {
            return ph_eventing_wire::value::decode_value(schema, bytes)
                .unwrap_or_else(|_| json!(format!("<does not match schema: {}>", hex(bytes))));
        }
        render_as(self.fallback, bytes)
    }
}

fn render_as(how: ValueAs, bytes: &[u8]) -> Value {
    fn take<'a, T: serde::Deserialize<'a> + serde::Serialize>(bytes: &'a [u8]) -> Option<Value> {
        postcard::from_bytes::<T>(bytes).ok().map(|v| json!(v))
    }
    let parsed = match how {
        ValueAs::Hex => Some(json!(hex(bytes))),
        ValueAs::U8 => take::<u8>(bytes),
        ValueAs::U16 => take::<u16>(bytes),
        ValueAs::U32 => take::<u32>(bytes),
        ValueAs::U64 => take::<u64>(bytes),
        ValueAs::I8 => take::<i8>(bytes),
        ValueAs::I16 => take::<i16>(bytes),
        ValueAs::I32 => take::<i32>(bytes),
        ValueAs::I64 => take::<i64>(bytes),
        ValueAs::F32 => take::<f32>(bytes),
        ValueAs::F64 => take::<f64>(bytes),
        ValueAs::Bool => take::<bool>(bytes),
        ValueAs::Str => take::<&str>(bytes),
    };
    parsed.unwrap_or_else(|| json!(format!("<not a {how:?}: {}>", hex(bytes))))
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use postcard_schema::Schema;

    #[derive(serde::Serialize, Schema)]
    struct Sample {
        id: u16,
        temp: f32,
    }

    #[test]
    fn schema_gives_structure() {
        let mut r = ValueRenderer::new(ValueAs::Hex);
        let schema = postcard::to_stdvec(Sample::SCHEMA).unwrap();
        let text = r.set_schema(&schema).unwrap();
        assert!(text.contains("Sample"), "{text}");
        let bytes = postcard::to_stdvec(&Sample { id: 7, temp: 1.5 }).unwrap();
        assert_eq!(r.render(&bytes), json!({"id": 7, "temp": 1.5}));
    }

    #[derive(serde::Serialize, Schema)]
    struct WithChar {
        tag: char,
        n: u8,
    }

    #[test]
    fn char_fields_decode_without_panicking() {
        let mut r = ValueRenderer::new(ValueAs::Hex);
        r.set_schema(&postcard::to_stdvec(WithChar::SCHEMA).unwrap())
            .unwrap();
        let bytes = postcard::to_stdvec(&WithChar { tag: 'é', n: 3 }).unwrap();
        assert_eq!(r.render(&bytes), json!({"tag": "é", "n": 3}));
    }

    #[test]
    fn bad_bytes_never_panic() {
        let r = ValueRenderer::new(ValueAs::U32);
        assert_eq!(r.render(&[0xff]), json!("<not a U32: ff>"));
        let mut r = ValueRenderer::new(ValueAs::Hex);
        assert_eq!(r.set_schema(&[0xff; 8]), None);
        assert_eq!(r.render(&[1]), json!("01"));
        assert_eq!(render_as(ValueAs::I16, &[3]), json!(-2));
        assert_eq!(render_as(ValueAs::Str, &[2, b'h', b'i']), json!("hi"));
    }
}
