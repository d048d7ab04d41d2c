//! [`SharedName`]: a name many records carry (a stream's, a board's), shared instead of copied.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// A name carried by many records, cheap to clone: one pointer to one shared string (an `Arc`
/// of a `Box<str>`), so that a clone is a count increment instead of an allocation and a copy,
/// and a [`Record`](crate::record::Record) holding two of them stays within 128 bytes, which
/// the compiler copies inline. It derefs to `str`, and serialises as one.
///
/// ```
/// use ph_tap::name::SharedName;
/// let name = SharedName::from("samples");
/// let again = name.clone();
/// assert_eq!(&*again, "samples");
/// assert_eq!(serde_json::to_string(&Some(name)).unwrap(), r#""samples""#);
/// assert_eq!(std::mem::size_of::<Option<SharedName>>(), std::mem::size_of::<usize>());
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SharedName(Arc<Box<str>>);

impl SharedName {
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for SharedName {
    fn from(name: &str) -> Self {
        Self(Arc::new(name.into()))
    }
}

impl Deref for SharedName {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SharedName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SharedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for SharedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for SharedName {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}
