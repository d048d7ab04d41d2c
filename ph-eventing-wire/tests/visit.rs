//! `visit_value` walks exactly the value `decode_value` builds: a visitor writing compact JSON
//! writes what the `Value` displays, and both fail on the same bytes.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use ph_eventing_wire::schema::{OwnedNamedType, parse_schema};
use ph_eventing_wire::value::{ValueVisitor, decode_value, keys_may_repeat, visit_value};
use proptest::prelude::*;
use serde::Serialize;

/// Compact JSON, as `serde_json` writes a `Value`.
#[derive(Default)]
struct Json(String);

impl Json {
    fn sep(&mut self, index: usize) {
        if index > 0 {
            self.0.push(',');
        }
    }
}

impl ValueVisitor for Json {
    fn null(&mut self) {
        self.0.push_str("null");
    }
    fn bool(&mut self, v: bool) {
        let _ = write!(self.0, "{v}");
    }
    fn u64(&mut self, v: u64) {
        let _ = write!(self.0, "{v}");
    }
    fn i64(&mut self, v: i64) {
        let _ = write!(self.0, "{v}");
    }
    fn f64(&mut self, v: f64) {
        self.0.push_str(&serde_json::to_string(&v).unwrap());
    }
    fn str(&mut self, v: &str) {
        self.0.push_str(&serde_json::to_string(v).unwrap());
    }
    fn begin_array(&mut self) {
        self.0.push('[');
    }
    fn item(&mut self, index: usize) {
        self.sep(index);
    }
    fn end_array(&mut self) {
        self.0.push(']');
    }
    fn begin_object(&mut self) {
        self.0.push('{');
    }
    fn key(&mut self, index: usize, key: &str) {
        self.sep(index);
        self.str(key);
        self.0.push(':');
    }
    fn end_object(&mut self) {
        self.0.push('}');
    }
}

fn same_as_decode_value(schema: &OwnedNamedType, bytes: &[u8]) -> Result<(), TestCaseError> {
    let mut json = Json::default();
    let visited = visit_value(schema, bytes, &mut json);
    match decode_value(schema, bytes) {
        Ok(value) => {
            prop_assert_eq!(visited, Ok(()));
            if !keys_may_repeat(schema) {
                prop_assert_eq!(json.0, value.to_string());
            }
        }
        Err(e) => prop_assert_eq!(visited, Err(e)),
    }
    Ok(())
}

#[derive(Serialize, postcard_schema::Schema, Debug, Clone)]
enum Shape {
    Empty,
    Circle(f32),
    Pair(i8, u64),
    Rect { w: u16, h: i32 },
}

#[derive(Serialize, postcard_schema::Schema, Debug, Clone)]
struct Everything {
    flag: bool,
    small: (u8, i8, u16, i16),
    wide: (u32, i32, u64, i64),
    huge: (u128, i128),
    floats: (f32, f64),
    letter: char,
    text: String,
    maybe: Option<i16>,
    unit: (),
    shapes: Vec<Shape>,
    by_id: BTreeMap<u8, bool>,
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        Just(Shape::Empty),
        any::<f32>().prop_map(Shape::Circle),
        (any::<i8>(), any::<u64>()).prop_map(|(a, b)| Shape::Pair(a, b)),
        (any::<u16>(), any::<i32>()).prop_map(|(w, h)| Shape::Rect { w, h }),
    ]
}

fn everything() -> impl Strategy<Value = Everything> {
    (
        (
            any::<bool>(),
            any::<(u8, i8, u16, i16)>(),
            any::<(u32, i32, u64, i64)>(),
        ),
        (
            any::<(u128, i128)>(),
            any::<(f32, f64)>(),
            any::<char>(),
            ".{0,8}",
        ),
        (
            any::<Option<i16>>(),
            prop::collection::vec(shape(), 0..4),
            prop::collection::btree_map(any::<u8>(), any::<bool>(), 0..3),
        ),
    )
        .prop_map(
            |((flag, small, wide), (huge, floats, letter, text), (maybe, shapes, by_id))| {
                Everything {
                    flag,
                    small,
                    wide,
                    huge,
                    floats,
                    letter,
                    text,
                    maybe,
                    unit: (),
                    shapes,
                    by_id,
                }
            },
        )
}

fn schema_of<T: postcard_schema::Schema + ?Sized>() -> OwnedNamedType {
    parse_schema(&postcard::to_allocvec(T::SCHEMA).unwrap()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn every_kind_of_value_visits_as_it_decodes(value in everything()) {
        let schema = schema_of::<Everything>();
        prop_assert!(!keys_may_repeat(&schema));
        let bytes = postcard::to_allocvec(&value).unwrap();
        same_as_decode_value(&schema, &bytes)?;
        // Cut short, or one byte changed: the same verdict, the same text.
        for cut in [0, 1, bytes.len() / 2, bytes.len().saturating_sub(1)] {
            same_as_decode_value(&schema, &bytes[..cut])?;
        }
        let mut longer = bytes.clone();
        longer.push(0);
        same_as_decode_value(&schema, &longer)?;
    }

    #[test]
    fn damaged_values_visit_as_they_decode(
        value in everything(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let schema = schema_of::<Everything>();
        let mut bytes = postcard::to_allocvec(&value).unwrap();
        for (at, b) in &flips {
            let i = at.index(bytes.len());
            bytes[i] = *b;
        }
        same_as_decode_value(&schema, &bytes)?;
    }

    #[test]
    fn arbitrary_schemas_and_bytes_visit_as_they_decode(
        schema in prop::collection::vec(any::<u8>(), 0..256),
        value in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        if let Ok(s) = parse_schema(&schema) {
            same_as_decode_value(&s, &value)?;
        }
    }
}

#[test]
fn repeated_keys_are_told() {
    #[derive(postcard_schema::Schema)]
    struct Plain {
        _a: u8,
        _b: Option<Vec<(u8, i16)>>,
    }
    #[derive(postcard_schema::Schema)]
    struct WithMap {
        _m: Option<BTreeMap<String, u8>>,
    }
    assert!(!keys_may_repeat(&schema_of::<Plain>()));
    assert!(keys_may_repeat(&schema_of::<WithMap>()));
    assert!(!keys_may_repeat(&schema_of::<BTreeMap<u8, u8>>()));
}
