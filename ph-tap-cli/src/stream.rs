//! The streams of a ph-eventing link (WIRE.md, section 2.1): several rings and queues on one
//! channel, each with an id and, once its hello arrived, a name. A record of a stream carries
//! its [`StreamTag`] (in [`Origin::stream`](crate::record::Origin::stream)); `--stream`
//! ([`StreamSelector`]) picks the streams shown.

use std::fmt;
use std::str::FromStr;

use crate::name::SharedName;

/// Which stream of its channel a record belongs to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StreamTag {
    /// The stream's id (`0..=63`; stream 0 of a version 2 link, which has only one).
    pub id: u8,
    /// Its name, from its latest hello before the record; `None` before a hello, or when the
    /// hello gave none. Shared by the stream's records ([`SharedName`]: one word, and no
    /// allocation per record).
    pub name: Option<SharedName>,
    /// The link carries other streams too (a hello before the record said so, or another
    /// stream was heard from).
    pub shared: bool,
}

impl StreamTag {
    /// Stream `id`, named `name` (an empty name is none, as a hello says it).
    ///
    /// ```
    /// use ph_tap::stream::StreamTag;
    /// assert_eq!(StreamTag::new(2, "faults").to_string(), "faults");
    /// assert_eq!(StreamTag::new(1, "").to_string(), "stream 1");
    /// ```
    pub fn new(id: u8, name: &str) -> Self {
        Self {
            id,
            name: (!name.is_empty()).then(|| name.into()),
            shared: false,
        }
    }

    /// On a link of several streams ([`shared`](Self::shared)).
    pub fn shared(mut self, shared: bool) -> Self {
        self.shared = shared;
        self
    }

    /// Whether outputs name the stream: it shares its link, or it has a name. The one stream
    /// of a link without a name (every version 2 link) is not named, so such a link's output
    /// reads as it did before streams.
    ///
    /// ```
    /// use ph_tap::stream::StreamTag;
    /// assert!(!StreamTag::new(0, "").is_named());
    /// assert!(StreamTag::new(0, "samples").is_named());
    /// assert!(StreamTag::new(0, "").shared(true).is_named());
    /// ```
    pub fn is_named(&self) -> bool {
        self.shared || self.name.is_some()
    }
}

/// The stream's label in human lines: its name, or `stream N` without one.
impl fmt::Display for StreamTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => f.write_str(name),
            None => write!(f, "stream {}", self.id),
        }
    }
}

/// A `--stream` value: a stream's name, or its id.
///
/// ```
/// use ph_tap::stream::{StreamSelector, StreamTag};
/// let by_name: StreamSelector = "events".parse().unwrap();
/// let by_id: StreamSelector = "2".parse().unwrap();
/// let events = StreamTag::new(2, "events");
/// assert!(by_name.matches(&events) && by_id.matches(&events));
/// assert!(!by_name.matches(&StreamTag::new(0, "samples")));
/// assert!("".parse::<StreamSelector>().is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamSelector(String);

impl StreamSelector {
    /// Whether `stream` is the one this selects: its name is the value, or its id is.
    pub fn matches(&self, stream: &StreamTag) -> bool {
        stream.name.as_deref() == Some(self.0.as_str())
            || self.0.parse::<u8>().is_ok_and(|id| id == stream.id)
    }

    /// Whether any of `selectors` selects `stream`; no selector at all selects every stream.
    ///
    /// ```
    /// use ph_tap::stream::{StreamSelector, StreamTag};
    /// let samples = StreamTag::new(0, "samples");
    /// assert!(StreamSelector::any(&[], &samples));
    /// assert!(!StreamSelector::any(&["events".parse().unwrap()], &samples));
    /// ```
    pub fn any(selectors: &[Self], stream: &StreamTag) -> bool {
        selectors.is_empty() || selectors.iter().any(|s| s.matches(stream))
    }
}

impl FromStr for StreamSelector {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().is_empty() {
            return Err("give a stream's name (as its hello says it) or its id (0..=63)".into());
        }
        Ok(Self(s.to_owned()))
    }
}

impl fmt::Display for StreamSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
