//! A board's name: what tags every record of one board of a farm ([`crate::farm`]), or of a
//! single-board run given `--board NAME`.
//!
//! Names become MQTT topic levels and file name parts (`--save run.bin` → `run-NAME.bin`), so
//! [`Board::new`] refuses what would break either: an empty name, `/`, `+`, `#`, whitespace
//! and control characters.

use crate::name::SharedName;
use std::fmt;

/// A board's name, cheap to clone (one shared string): carried by every record of the board
/// ([`Origin::board`](crate::record::Origin::board)). One pointer ([`SharedName`]), so that a
/// record grows by one word only.
///
/// ```
/// use ph_tap::board::Board;
/// let board = Board::new("bench-1").unwrap();
/// assert_eq!(board.as_str(), "bench-1");
/// assert_eq!(board.to_string(), "bench-1");
/// assert!(Board::new("a/b").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Board(SharedName);

impl Board {
    /// The board named `name`, when it is a valid name ([`check_name`]).
    pub fn new(name: &str) -> Result<Self, BadName> {
        check_name(name)?;
        Ok(Self(SharedName::from(name)))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Board {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Board {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Board {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Why a board name was refused, as one line that says what to change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadName {
    /// The name as given.
    pub name: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl fmt::Display for BadName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "board name {:?} {}", self.name, self.reason)
    }
}

impl std::error::Error for BadName {}

/// Checks a board name: not empty, at most 64 bytes, and none of `/`, `+`, `#` (MQTT topic
/// separators and wildcards), whitespace or control characters.
///
/// ```
/// use ph_tap::board::check_name;
/// assert!(check_name("nrf52-a").is_ok());
/// assert_eq!(
///     check_name("my board").unwrap_err().to_string(),
///     r#"board name "my board" has whitespace: use letters, digits, '-', '_' or '.'"#
/// );
/// assert!(check_name("").is_err());
/// assert!(check_name("a+b").is_err());
/// ```
pub fn check_name(name: &str) -> Result<(), BadName> {
    let bad = |reason| {
        Err(BadName {
            name: name.to_owned(),
            reason,
        })
    };
    if name.is_empty() {
        return bad("is empty: give every board a name");
    }
    if name.len() > MAX_NAME {
        return bad("is longer than 64 bytes: shorten it");
    }
    if name.chars().any(char::is_whitespace) {
        return bad("has whitespace: use letters, digits, '-', '_' or '.'");
    }
    if name.chars().any(|c| matches!(c, '/' | '+' | '#')) {
        return bad(
            "has '/', '+' or '#' (MQTT topic characters): use letters, digits, '-', '_' or '.'",
        );
    }
    if name.chars().any(char::is_control) {
        return bad("has a control character: use letters, digits, '-', '_' or '.'");
    }
    Ok(())
}

/// The longest board name, in bytes.
pub const MAX_NAME: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_break_a_topic_or_a_file_name_are_refused() {
        for name in ["", " a", "a b", "a\tb", "a/b", "+", "#", "a\u{7}b"] {
            assert!(Board::new(name).is_err(), "{name:?}");
        }
        assert!(Board::new(&"x".repeat(65)).is_err());
        for name in ["a", "bench-1", "nrf52840_dk.2", "é"] {
            assert_eq!(Board::new(name).unwrap().as_str(), name);
        }
    }
}
