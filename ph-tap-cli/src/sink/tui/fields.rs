//! The numeric fields of a value, by dotted name: `millivolts`, `pos.x`, `raw.1`, `Fault.code`
//! (a bare number is `value`). Booleans count as 0 and 1; strings and nulls are no number.
//!
//! A value still in its bytes ([`EncodedValue`]) is walked with the wire crate's
//! [`visit_value`], building no tree; a decoded one ([`Value`]) is walked as it is.

use ph_eventing_wire::value::{ValueVisitor, visit_value};
use serde_json::Value;

use crate::record::EncodedValue;

/// The name of a value that is a number itself, not a struct of numbers.
pub const BARE: &str = "value";

/// Calls `each(name, number)` for every numeric leaf of `value`, in schema order. A value that
/// does not match its schema gives nothing.
///
/// ```
/// use ph_tap::sink::tui::numeric_fields;
/// let mut got = Vec::new();
/// let v = serde_json::json!({"pos": {"x": 1, "y": -2.5}, "ok": true, "name": "a", "raw": [7, 8]});
/// numeric_fields(&v, &mut |name, x| got.push((name.to_owned(), x)));
/// assert_eq!(got, [("pos.x".into(), 1.0), ("pos.y".into(), -2.5), ("ok".into(), 1.0),
///                  ("raw.0".into(), 7.0), ("raw.1".into(), 8.0)]);
/// ```
pub fn numeric_fields(value: &Value, each: &mut dyn FnMut(&str, f64)) {
    let mut path = String::new();
    walk_json(value, &mut path, each);
}

/// [`numeric_fields`] of a value still in its postcard bytes.
pub fn encoded_fields(value: &EncodedValue, each: &mut dyn FnMut(&str, f64)) {
    let mut visitor = Leaves {
        path: String::new(),
        levels: Vec::new(),
        each,
    };
    // A mismatch: what was seen before it is dropped with the value (the sinks show it as
    // text; the dashboard charts nothing of it).
    let _ = visit_value(&value.schema, &value.bytes, &mut visitor);
}

fn walk_json(value: &Value, path: &mut String, each: &mut dyn FnMut(&str, f64)) {
    let number = match value {
        Value::Number(n) => n.as_f64(),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Object(map) => {
            let base = path.len();
            for (key, field) in map {
                push_segment(path, base, key);
                walk_json(field, path, each);
            }
            path.truncate(base);
            None
        }
        Value::Array(items) => {
            let base = path.len();
            for (i, item) in items.iter().enumerate() {
                push_index(path, base, i);
                walk_json(item, path, each);
            }
            path.truncate(base);
            None
        }
        Value::Null | Value::String(_) => None,
    };
    if let Some(x) = number {
        each(name(path), x);
    }
}

/// `path` cut back to `base`, then `.segment` (no dot at the root).
fn push_segment(path: &mut String, base: usize, segment: &str) {
    path.truncate(base);
    if base > 0 {
        path.push('.');
    }
    path.push_str(segment);
}

/// [`push_segment`] of an array item's index, written into `path` without a string of its own.
fn push_index(path: &mut String, base: usize, index: usize) {
    use std::fmt::Write as _;
    push_segment(path, base, "");
    // Writing into a `String` cannot fail.
    let _ = write!(path, "{index}");
}

fn name(path: &str) -> &str {
    if path.is_empty() { BARE } else { path }
}

/// The visitor of [`encoded_fields`]: the dotted path of the current node, and where each open
/// object or array began in it.
struct Leaves<'a> {
    path: String,
    levels: Vec<usize>,
    each: &'a mut dyn FnMut(&str, f64),
}

impl Leaves<'_> {
    fn leaf(&mut self, x: f64) {
        (self.each)(name(&self.path), x);
    }

    fn open(&mut self) {
        self.levels.push(self.path.len());
    }

    fn close(&mut self) {
        if let Some(base) = self.levels.pop() {
            self.path.truncate(base);
        }
    }

    fn segment(&mut self, segment: &str) {
        let base = self.levels.last().copied().unwrap_or(0);
        push_segment(&mut self.path, base, segment);
    }
}

impl ValueVisitor for Leaves<'_> {
    fn null(&mut self) {}
    fn bool(&mut self, v: bool) {
        self.leaf(f64::from(u8::from(v)));
    }
    fn u64(&mut self, v: u64) {
        self.leaf(v as f64);
    }
    fn i64(&mut self, v: i64) {
        self.leaf(v as f64);
    }
    fn f64(&mut self, v: f64) {
        self.leaf(v);
    }
    fn str(&mut self, _: &str) {}
    fn begin_array(&mut self) {
        self.open();
    }
    fn item(&mut self, index: usize) {
        let base = self.levels.last().copied().unwrap_or(0);
        push_index(&mut self.path, base, index);
    }
    fn end_array(&mut self) {
        self.close();
    }
    fn begin_object(&mut self) {
        self.open();
    }
    fn key(&mut self, _index: usize, key: &str) {
        self.segment(key);
    }
    fn end_object(&mut self) {
        self.close();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use ph_eventing_wire::schema::parse_schema;
    use postcard_schema::Schema;
    use serde::Serialize;

    use super::*;
    use crate::record::ValueSchema;

    #[derive(Serialize, Schema)]
    struct Inner {
        x: i16,
        y: f32,
    }

    #[derive(Serialize, Schema)]
    struct Outer {
        id: u8,
        pos: Inner,
        label: &'static str,
        on: bool,
        raw: [u16; 2],
    }

    fn encoded<T: Serialize + Schema>(v: &T) -> EncodedValue {
        let schema = postcard::to_allocvec(T::SCHEMA).unwrap();
        EncodedValue {
            bytes: postcard::to_allocvec(v).unwrap().as_slice().into(),
            schema: Arc::new(ValueSchema::from(parse_schema(&schema).unwrap())),
            keys_may_repeat: false,
        }
    }

    fn collect(value: &EncodedValue) -> Vec<(String, f64)> {
        let mut got = Vec::new();
        encoded_fields(value, &mut |name, x| got.push((name.to_owned(), x)));
        got
    }

    #[test]
    fn nested_fields_get_dotted_names_and_match_the_json_walk() {
        let value = encoded(&Outer {
            id: 3,
            pos: Inner { x: -4, y: 1.5 },
            label: "a",
            on: true,
            raw: [10, 20],
        });
        let got = collect(&value);
        let want: Vec<(String, f64)> = [
            ("id", 3.0),
            ("pos.x", -4.0),
            ("pos.y", 1.5),
            ("on", 1.0),
            ("raw.0", 10.0),
            ("raw.1", 20.0),
        ]
        .iter()
        .map(|(n, x)| ((*n).to_owned(), *x))
        .collect();
        assert_eq!(got, want);
        let mut from_json = Vec::new();
        numeric_fields(&value.value(), &mut |name, x| {
            from_json.push((name.to_owned(), x));
        });
        assert_eq!(from_json, want);
    }

    #[test]
    fn a_bare_number_is_value_and_garbage_gives_nothing() {
        assert_eq!(collect(&encoded(&7u32)), [("value".to_owned(), 7.0)]);
        let mut bad = encoded(&7u32);
        bad.bytes = [0xFF].as_slice().into();
        assert!(collect(&bad).is_empty());
    }
}
