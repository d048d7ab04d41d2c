//! `--value-as`: how a value's postcard bytes are shown when the stream carries no schema (or
//! before its first hello).

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

/// The value of one frame, read as `how` says.
///
/// ```
/// use ph_tap::decode::value::{ValueAs, render_as};
/// assert_eq!(render_as(ValueAs::U32, &[0xAC, 0x02]), serde_json::json!(300));
/// assert_eq!(render_as(ValueAs::Hex, &[0xAC, 0x02]), serde_json::json!("ac02"));
/// ```
pub fn render_as(how: ValueAs, bytes: &[u8]) -> Value {
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

    #[test]
    fn bad_bytes_never_panic() {
        assert_eq!(render_as(ValueAs::U32, &[0xff]), json!("<not a U32: ff>"));
        assert_eq!(render_as(ValueAs::I16, &[3]), json!(-2));
        assert_eq!(render_as(ValueAs::Str, &[2, b'h', b'i']), json!("hi"));
        assert_eq!(render_as(ValueAs::Bool, &[7]), json!("<not a Bool: 07>"));
    }
}
