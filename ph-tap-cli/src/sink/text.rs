//! Values as compact, readable text, for the human and CSV formats.
//!
//! The sinks write straight into their line buffer ([`write_value_text`]): no `String` per
//! value, every scalar exactly as `serde_json` writes it.

use ph_eventing_wire::value::{ValueVisitor, visit_value};
use serde_json::Value;

use super::digits::{push_i64, push_u64};
use crate::record::EncodedValue;

/// A value as compact, readable text: `{x: 1, y: -2}`, `[1, 2]`, `"text"`, `3.5`.
///
/// ```
/// use ph_tap::sink::render_value;
/// let v = serde_json::json!({"temp": 21.5, "ok": true, "raw": [1, 2]});
/// assert_eq!(render_value(&v), "{temp: 21.5, ok: true, raw: [1, 2]}");
/// ```
pub fn render_value(value: &Value) -> String {
    let mut out = Vec::new();
    write_value(value, &mut out);
    // Only UTF-8 goes in: keys and strings are `String`s, the rest is ASCII.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Like [`render_value`], but a bare string (a hex fallback, a `&str` value) unquoted, and
/// `null` as nothing: how a value reads on its own in a line or a cell.
pub(crate) fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => render_value(other),
    }
}

/// [`value_text`], appended to `out`.
pub(crate) fn write_value_text(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::String(text) => out.extend_from_slice(text.as_bytes()),
        Value::Null => {}
        other => write_value(other, out),
    }
}

/// [`render_value`], appended to `out`.
pub(crate) fn write_value(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            out.push(b'{');
            for (i, (key, field)) in map.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(b", ");
                }
                out.extend_from_slice(key.as_bytes());
                out.extend_from_slice(b": ");
                write_value(field, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(b", ");
                }
                write_value(item, out);
            }
            out.push(b']');
        }
        other => write_json(other, out),
    }
}

/// `value` as compact JSON (what its `Display` writes), appended to `out`.
///
/// Through `serde_json`'s serializer rather than a number's `as_u64`: the build has
/// `serde_json`'s `arbitrary_precision` (defmt-decoder asks for it), where a number is kept as
/// its text, written as it is, and `as_u64` would parse it.
pub(crate) fn write_json(value: &Value, out: &mut Vec<u8>) {
    // Writing into a `Vec` cannot fail, and a `Value` always serializes.
    let _ = serde_json::to_writer(&mut *out, value);
}

/// How [`write_encoded`] writes a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    /// [`write_value_text`]'s text.
    Text,
    /// [`write_json`]'s compact JSON.
    Json,
}

/// The value `value` decodes to ([`EncodedValue::value`]) as `style` writes it, appended to
/// `out`: written out straight from its postcard bytes, with no `Value` in between (but for a
/// schema whose objects can repeat a key, which the `Value` shows once).
pub(crate) fn write_encoded(value: &EncodedValue, style: Style, out: &mut Vec<u8>) {
    let write = |v: &Value, out: &mut Vec<u8>| match style {
        Style::Text => write_value_text(v, out),
        Style::Json => write_json(v, out),
    };
    if value.keys_may_repeat {
        return write(&value.value(), out);
    }
    let start = out.len();
    let mut writer = Writer {
        out: &mut *out,
        json: style == Style::Json,
        depth: 0,
    };
    if visit_value(&value.schema, &value.bytes, &mut writer).is_err() {
        out.truncate(start);
        write(&value.mismatch(), out);
    }
}

/// The [`ValueVisitor`] of [`write_encoded`]: each node as [`write_value_text`] (`json: false`)
/// or [`write_json`] writes the `Value`'s.
struct Writer<'a> {
    out: &'a mut Vec<u8>,
    json: bool,
    /// How many arrays and objects the current node is in.
    depth: usize,
}

impl Writer<'_> {
    /// The value on its own as text: a bare string unquoted, `null` as nothing.
    fn bare(&self) -> bool {
        !self.json && self.depth == 0
    }

    fn separator(&mut self, index: usize) {
        if index > 0 {
            self.out
                .extend_from_slice(if self.json { b"," } else { b", " });
        }
    }
}

impl ValueVisitor for Writer<'_> {
    fn null(&mut self) {
        if !self.bare() {
            self.out.extend_from_slice(b"null");
        }
    }

    fn bool(&mut self, v: bool) {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
    }

    fn u64(&mut self, v: u64) {
        push_u64(self.out, v);
    }

    fn i64(&mut self, v: i64) {
        push_i64(self.out, v);
    }

    fn f64(&mut self, v: f64) {
        // Through `serde_json`'s own serializer (no `Value`): the digits its `Number::from_f64`
        // keeps and writes, whichever float formatter this `serde_json` uses.
        let _ = serde_json::to_writer(&mut *self.out, &v);
    }

    fn str(&mut self, v: &str) {
        if self.bare() {
            self.out.extend_from_slice(v.as_bytes());
        } else {
            // Writing into a `Vec` cannot fail.
            let _ = serde_json::to_writer(&mut *self.out, v);
        }
    }

    fn begin_array(&mut self) {
        self.depth += 1;
        self.out.push(b'[');
    }

    fn item(&mut self, index: usize) {
        self.separator(index);
    }

    fn end_array(&mut self) {
        self.depth -= 1;
        self.out.push(b']');
    }

    fn begin_object(&mut self) {
        self.depth += 1;
        self.out.push(b'{');
    }

    fn key(&mut self, index: usize, key: &str) {
        self.separator(index);
        if self.json {
            let _ = serde_json::to_writer(&mut *self.out, key);
            self.out.push(b':');
        } else {
            self.out.extend_from_slice(key.as_bytes());
            self.out.extend_from_slice(b": ");
        }
    }

    fn end_object(&mut self) {
        self.depth -= 1;
        self.out.push(b'}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn written_as_display_writes() {
        for v in [
            json!(0),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(-1),
            json!(1.5),
            json!(1e300),
            json!(-0.0),
            json!(f32::MAX as f64),
            json!("a \"q\"\n"),
            json!(null),
            json!(true),
            json!([1, "x", {"k": [null]}]),
        ] {
            let mut out = Vec::new();
            write_json(&v, &mut out);
            assert_eq!(String::from_utf8(out).unwrap(), v.to_string());
        }
    }

    /// `write_encoded` writes what the decoded `Value` shows, in both styles: bare strings and
    /// `null` on their own, integers beyond 64 bits, floats, nesting, a value that does not match
    /// its schema, and a schema with a repeated key (through the `Value`).
    #[test]
    fn encoded_values_are_written_as_their_values() {
        use std::collections::BTreeMap;
        use std::sync::Arc;

        use ph_eventing_wire::schema::parse_schema;
        use ph_eventing_wire::value::keys_may_repeat;

        use crate::record::ValueSchema;

        fn check<T: postcard_schema::Schema + ?Sized>(bytes: &[u8]) {
            let schema = postcard::to_allocvec(T::SCHEMA).unwrap();
            let schema = Arc::new(ValueSchema::from(parse_schema(&schema).unwrap()));
            let value = EncodedValue {
                bytes: bytes.into(),
                keys_may_repeat: keys_may_repeat(&schema),
                schema,
            };
            let decoded = value.value();
            let (mut text, mut want_text) = (Vec::new(), Vec::new());
            write_encoded(&value, Style::Text, &mut text);
            write_value_text(&decoded, &mut want_text);
            assert_eq!(
                String::from_utf8(text).unwrap(),
                String::from_utf8(want_text).unwrap()
            );
            let mut json = b"x".to_vec();
            write_encoded(&value, Style::Json, &mut json);
            assert_eq!(String::from_utf8(json).unwrap(), format!("x{decoded}"));
        }
        fn enc<T: serde::Serialize + ?Sized>(value: &T) -> Vec<u8> {
            postcard::to_allocvec(value).unwrap()
        }
        check::<str>(&enc(&"a \"q\"\n"));
        check::<Option<u8>>(&enc(&None::<u8>));
        check::<Option<u8>>(&enc(&Some(7u8)));
        check::<u128>(&enc(&u128::MAX));
        check::<i128>(&enc(&i128::MIN));
        check::<i64>(&enc(&i64::MIN));
        check::<(f32, f64, f32)>(&enc(&(3.3f32, 1e300f64, f32::NAN)));
        check::<f64>(&enc(&f64::INFINITY));
        check::<(char, bool, (), Vec<(u8, String)>)>(&enc(&(
            'é',
            true,
            (),
            vec![(1u8, "x".to_owned())],
        )));
        check::<BTreeMap<u16, [i8; 2]>>(&enc(&BTreeMap::from([(1u16, [-1i8, 2]), (300, [0, 0])])));
        check::<BTreeMap<String, u8>>(&enc(&BTreeMap::from([
            ("a".to_owned(), 1u8),
            ("b, c".to_owned(), 2),
        ])));
        // Does not match: truncated, trailing bytes, a bad bool.
        check::<(u32, u32)>(&[0x80]);
        check::<u8>(&[1, 2]);
        check::<bool>(&[2]);
    }
}
