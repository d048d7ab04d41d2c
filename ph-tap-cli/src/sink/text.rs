//! Values as compact, readable text, for the human and CSV formats.

use std::fmt::Write as _;

use serde_json::Value;

/// A value as compact, readable text: `{x: 1, y: -2}`, `[1, 2]`, `"text"`, `3.5`.
///
/// ```
/// use ph_tap::sink::render_value;
/// let v = serde_json::json!({"temp": 21.5, "ok": true, "raw": [1, 2]});
/// assert_eq!(render_value(&v), "{temp: 21.5, ok: true, raw: [1, 2]}");
/// ```
pub fn render_value(value: &Value) -> String {
    let mut out = String::new();
    render_into(value, &mut out);
    out
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

fn render_into(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            out.push('{');
            for (i, (key, field)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(key);
                out.push_str(": ");
                render_into(field, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render_into(item, out);
            }
            out.push(']');
        }
        other => {
            let _ = write!(out, "{other}");
        }
    }
}
