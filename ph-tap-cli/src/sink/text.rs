//! Values as compact, readable text, for the human and CSV formats.
//!
//! The sinks write straight into their line buffer ([`write_value_text`]): no `String` per
//! value, every scalar exactly as `serde_json` writes it.

use serde_json::Value;

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
}
