//! The numeric fields of a value, found by walking it as its schema has it, with the names
//! `--field` takes.
//!
//! A field's name is its path in the value: a struct's fields joined by dots (`a.b`), an
//! array's (or tuple's) items by their index in brackets (`a[0]`, `a[1].b`), an enum variant
//! with data by the variant's name (`Fault.code`). A value that is itself a number is `value`;
//! the items of a value that is an array are `value[0]`, `value[1]`, ... Integers and finite
//! floats are numeric; booleans, text, `None` and integers too large for 64 bits are not.

use ph_eventing_wire::value::ValueVisitor;
use serde_json::Value;

/// The name of a value that is itself a number, and the start of the name of an array's items.
pub const ROOT: &str = "value";

/// Walks one value into `emit(name, number)` for each of its numeric fields, in the value's
/// order; the names are built in one buffer reused from value to value (no allocation per
/// field).
///
/// ```
/// use ph_tap::plot::FieldWalk;
/// let mut seen = Vec::new();
/// let mut walk = FieldWalk::default();
/// walk.json(
///     &serde_json::json!({"a": {"b": 1}, "ok": true, "v": [2.5, -3]}),
///     &mut |name: &str, x| seen.push((name.to_owned(), x)),
/// );
/// assert_eq!(seen, [("a.b".into(), 1.0), ("v[0]".into(), 2.5), ("v[1]".into(), -3.0)]);
/// ```
#[derive(Debug, Default)]
pub struct FieldWalk {
    /// The path of the node being walked.
    path: String,
    /// The length of `path` at the start of each array or object being walked.
    bases: Vec<usize>,
}

impl FieldWalk {
    /// Walks a decoded value (a stream without a schema read per `--value-as`, or the one-thread
    /// run's values) as [`visit_value`](ph_eventing_wire::value::visit_value) would.
    pub fn json(&mut self, value: &Value, emit: &mut impl FnMut(&str, f64)) {
        self.reset();
        let mut visitor = Visitor { walk: self, emit };
        visitor.json(value);
    }

    /// The [`ValueVisitor`] that walks one value's postcard bytes into `emit`: hand it to
    /// [`visit_value`](ph_eventing_wire::value::visit_value).
    pub fn visitor<'a, F: FnMut(&str, f64)>(
        &'a mut self,
        emit: &'a mut F,
    ) -> impl ValueVisitor + 'a {
        self.reset();
        Visitor { walk: self, emit }
    }

    fn reset(&mut self) {
        self.path.clear();
        self.bases.clear();
    }
}

/// A [`FieldWalk`] walking one value into its `emit`.
struct Visitor<'a, F> {
    walk: &'a mut FieldWalk,
    emit: &'a mut F,
}

impl<F: FnMut(&str, f64)> Visitor<'_, F> {
    fn number(&mut self, v: f64) {
        let name = if self.walk.path.is_empty() {
            ROOT
        } else {
            self.walk.path.as_str()
        };
        (self.emit)(name, v);
    }

    fn json(&mut self, value: &Value) {
        match value {
            Value::Number(n) => {
                if let Some(v) = n.as_f64() {
                    self.number(v);
                }
            }
            Value::Array(items) => {
                self.begin_array();
                for (i, item) in items.iter().enumerate() {
                    self.item(i);
                    self.json(item);
                }
                self.end_array();
            }
            Value::Object(entries) => {
                self.begin_object();
                for (i, (key, item)) in entries.iter().enumerate() {
                    self.key(i, key);
                    self.json(item);
                }
                self.end_object();
            }
            Value::Null | Value::Bool(_) | Value::String(_) => {}
        }
    }

    fn begin(&mut self) {
        self.walk.bases.push(self.walk.path.len());
    }

    fn end(&mut self) {
        if let Some(base) = self.walk.bases.pop() {
            self.walk.path.truncate(base);
        }
    }

    /// Back to the path of the array or object being walked.
    fn at_base(&mut self) {
        let base = self.walk.bases.last().copied().unwrap_or(0);
        self.walk.path.truncate(base);
    }
}

impl<F: FnMut(&str, f64)> ValueVisitor for Visitor<'_, F> {
    fn null(&mut self) {}

    fn bool(&mut self, _: bool) {}

    fn u64(&mut self, v: u64) {
        self.number(v as f64);
    }

    fn i64(&mut self, v: i64) {
        self.number(v as f64);
    }

    fn f64(&mut self, v: f64) {
        self.number(v);
    }

    fn str(&mut self, _: &str) {}

    fn begin_array(&mut self) {
        if self.walk.path.is_empty() {
            self.walk.path.push_str(ROOT);
        }
        self.begin();
    }

    fn item(&mut self, index: usize) {
        use std::fmt::Write;
        self.at_base();
        // Writing to a String cannot fail.
        let _ = write!(self.walk.path, "[{index}]");
    }

    fn end_array(&mut self) {
        self.end();
    }

    fn begin_object(&mut self) {
        self.begin();
    }

    fn key(&mut self, _: usize, key: &str) {
        self.at_base();
        if !self.walk.path.is_empty() {
            self.walk.path.push('.');
        }
        self.walk.path.push_str(key);
    }

    fn end_object(&mut self) {
        self.end();
    }
}

/// Whether `--field selector` chooses the field `name`: the same name, or a name under it
/// (`a` chooses `a.b` and `a[0]`).
///
/// ```
/// use ph_tap::plot::selects;
/// assert!(selects("a", "a") && selects("a", "a.b") && selects("a", "a[1]"));
/// assert!(!selects("a", "ab") && !selects("a.b", "a"));
/// ```
pub fn selects(selector: &str, name: &str) -> bool {
    name.strip_prefix(selector)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ph_eventing_wire::schema::parse_schema;
    use ph_eventing_wire::value::visit_value;

    fn walk_bytes<T: serde::Serialize + postcard_schema::Schema>(value: &T) -> Vec<(String, f64)> {
        let schema = postcard::to_allocvec(T::SCHEMA).unwrap();
        let schema = parse_schema(&schema).unwrap();
        let bytes = postcard::to_allocvec(value).unwrap();
        let mut seen = Vec::new();
        let mut emit = |name: &str, v| seen.push((name.to_owned(), v));
        let mut walk = FieldWalk::default();
        visit_value(&schema, &bytes, &mut walk.visitor(&mut emit)).unwrap();
        seen
    }

    #[derive(serde::Serialize, postcard_schema::Schema)]
    struct Inner {
        b: i16,
        ok: bool,
    }

    #[derive(serde::Serialize, postcard_schema::Schema)]
    struct Outer {
        a: Inner,
        v: [u8; 2],
        name: &'static str,
        t: f32,
        list: [Inner; 2],
    }

    #[test]
    fn nested_structs_and_arrays_give_dotted_and_indexed_names() {
        let value = Outer {
            a: Inner { b: -4, ok: true },
            v: [7, 8],
            name: "x",
            t: 1.5,
            list: [Inner { b: 1, ok: false }, Inner { b: 2, ok: true }],
        };
        let names: Vec<(String, f64)> = walk_bytes(&value);
        assert_eq!(
            names,
            [
                ("a.b".to_owned(), -4.0),
                ("v[0]".to_owned(), 7.0),
                ("v[1]".to_owned(), 8.0),
                ("t".to_owned(), 1.5),
                ("list[0].b".to_owned(), 1.0),
                ("list[1].b".to_owned(), 2.0),
            ]
        );
    }

    #[test]
    fn a_bare_number_is_value_and_a_bare_array_indexes_it() {
        assert_eq!(walk_bytes(&300u32), [("value".to_owned(), 300.0)]);
        assert_eq!(
            walk_bytes(&[1u16, 2]),
            [("value[0]".to_owned(), 1.0), ("value[1]".to_owned(), 2.0)]
        );
        assert_eq!(walk_bytes(&true), []);
    }

    #[test]
    fn the_json_walk_names_as_the_bytes_walk_does() {
        let mut seen = Vec::new();
        FieldWalk::default().json(
            &serde_json::json!([{"a": 1}, "s", null]),
            &mut |n: &str, v| seen.push((n.to_owned(), v)),
        );
        assert_eq!(seen, [("value[0].a".to_owned(), 1.0)]);
    }
}
