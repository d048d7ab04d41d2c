//! The `--boards FILE` of `ph-tap attach`: one `[[board]]` per board, each with its name, its
//! chip, how to reach it (a probe selector or a GDB server) and its firmware's ELF.
//!
//! ```toml
//! [[board]]
//! name = "left"
//! chip = "nRF52840_xxAA"
//! probe = "1366:1015:000683"      # as `ph-tap list` prints it; optional with one probe
//! elf = "target/left.elf"         # its `_SEGGER_RTT` and `.defmt` table; optional
//!
//! [[board]]
//! name = "qemu"
//! chip = "mps2_an386"
//! chip_description = "targets/mps2-an386.yaml"
//! gdb = "127.0.0.1:3333"          # through a GDB server instead of a probe
//! ```
//!
//! Every other key is an attach option of the command line, for that board: `speed` (kHz),
//! `protocol` (`swd`, `jtag`), `connect_under_reset`, `reset`, `channels` and `show_channels`
//! (lists of RTT up channel numbers or names). Paths are relative to the file's folder. An
//! unknown key, a bad or repeated name, a board with no chip: one line naming the file, the
//! board and what to fix, before any probe is touched.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::board::Board;
use crate::probe::{ChannelSelector, ProbeOptions, Protocol, RttOptions};

/// One board of a `--boards` file: its name, and the options `attach` reads it with.
#[derive(Clone, Debug)]
pub struct BoardSpec {
    /// Its name (checked: [`check_name`](crate::board::check_name)).
    pub name: Board,
    /// The probe options: `chip`, `probe` (none, or one selector), `gdb`, `speed`, `protocol`,
    /// `connect_under_reset`, `chip_description`.
    pub probe: ProbeOptions,
    /// Where the telemetry is: `elf`, `reset`, `channels`, `show_channels`.
    pub rtt: RttOptions,
    /// The `--boards` file it was read from, named in its messages (`None`: the command
    /// line's `--probe`).
    pub file: Option<PathBuf>,
}

impl BoardSpec {
    /// How its messages start: `FILE: board NAME` or `board NAME`.
    pub fn label(&self) -> String {
        match &self.file {
            Some(file) => format!("{}: board {}", file.display(), self.name),
            None => format!("board {}", self.name),
        }
    }
}

/// The keys of a `[[board]]`, as the file has them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    chip: Option<String>,
    probe: Option<String>,
    gdb: Option<String>,
    elf: Option<PathBuf>,
    chip_description: Option<PathBuf>,
    speed: Option<u32>,
    protocol: Option<String>,
    #[serde(default)]
    connect_under_reset: bool,
    #[serde(default)]
    reset: bool,
    #[serde(default)]
    channels: Vec<Channel>,
    #[serde(default)]
    show_channels: Vec<Channel>,
}

/// An RTT up channel, by number or by name.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Channel {
    Number(usize),
    Name(String),
}

impl Channel {
    fn selector(&self) -> ChannelSelector {
        match self {
            Self::Number(n) => ChannelSelector::Number(*n),
            Self::Name(name) => name.parse().unwrap_or(ChannelSelector::Name(name.clone())),
        }
    }
}

/// Reads the boards of `path`.
///
/// Every error is one line that names the file (and the board) and says what to fix.
pub fn read_boards(path: &Path, default_chip: Option<&str>) -> Result<Vec<BoardSpec>> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read the --boards file {}: check the path (one [[board]] per board, see `ph-tap attach --help`)",
            path.display()
        )
    })?;
    parse_boards(&text, path, default_chip)
}

/// The boards of `text`, the contents of the file `path` (named in messages; relative paths
/// in it are taken from its folder). A board without `chip` gets `default_chip` (`--chip`).
///
/// ```
/// use std::path::Path;
/// use ph_tap::farm::parse_boards;
///
/// let text = r#"
/// [[board]]
/// name = "a"
/// chip = "nRF52840_xxAA"
/// gdb = "127.0.0.1:3333"
///
/// [[board]]
/// name = "b"
/// probe = "1366:1015"
/// elf = "fw/b.elf"
/// "#;
/// let boards = parse_boards(text, Path::new("lab/boards.toml"), Some("nRF52840_xxAA")).unwrap();
/// assert_eq!(boards[0].name.as_str(), "a");
/// assert_eq!(boards[0].probe.gdb.as_deref(), Some("127.0.0.1:3333"));
/// assert_eq!(boards[1].probe.chip.as_deref(), Some("nRF52840_xxAA"));
/// assert_eq!(boards[1].probe.probe, ["1366:1015"]);
/// assert_eq!(boards[1].rtt.elf.as_deref(), Some(Path::new("lab/fw/b.elf")));
///
/// let err = parse_boards("[[board]]\nname = \"a\"\nchp = \"x\"\n", Path::new("boards.toml"), None).unwrap_err();
/// assert!(err.to_string().starts_with("boards.toml: board a: unknown key `chp`"), "{err}");
/// ```
pub fn parse_boards(text: &str, path: &Path, default_chip: Option<&str>) -> Result<Vec<BoardSpec>> {
    let file = path.display();
    let table: toml::Table = toml::from_str(text).map_err(|err| {
        // Counted in bytes: no slicing of the text, whatever the span says.
        let line = err.span().map(|span| {
            1 + text
                .bytes()
                .take(span.start)
                .filter(|&b| b == b'\n')
                .count()
        });
        let at = line.map(|l| format!(" line {l}:")).unwrap_or_default();
        anyhow::anyhow!(
            "{file}:{at} {}: fix the TOML (one [[board]] per board)",
            first_line(err.message())
        )
    })?;
    for key in table.keys() {
        if key != "board" {
            bail!("{file}: unknown key `{key}` at the top: the file holds only [[board]] entries");
        }
    }
    let entries = match table.get("board") {
        None => {
            bail!("{file}: no [[board]] entry: add one per board (name, chip, probe or gdb, elf)")
        }
        Some(toml::Value::Array(entries)) => entries,
        Some(_) => bail!("{file}: `board` must be [[board]] entries, one per board"),
    };
    if entries.is_empty() {
        bail!("{file}: no [[board]] entry: add one per board (name, chip, probe or gdb, elf)");
    }
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut boards = Vec::new();
    for (i, value) in entries.iter().enumerate() {
        let number = i + 1;
        let label = match value.get("name").and_then(toml::Value::as_str) {
            Some(name) => format!("board {name}"),
            None => format!("board {number}"),
        };
        let entry: Entry = value.clone().try_into().map_err(|err: toml::de::Error| {
            anyhow::anyhow!("{file}: {label}: {}", key_message(err.message()))
        })?;
        let name =
            Board::new(&entry.name).map_err(|bad| anyhow::anyhow!("{file}: {label}: {bad}"))?;
        if let Some(first) = seen.insert(entry.name.clone(), number) {
            bail!(
                "{file}: board {name}: the name is used by boards {first} and {number}: give each board its own name"
            );
        }
        boards.push(
            spec(entry, name, path, default_chip)
                .map_err(|err| anyhow::anyhow!("{file}: {label}: {err}"))?,
        );
    }
    Ok(boards)
}

/// The options of one entry, checked.
fn spec(entry: Entry, name: Board, file: &Path, default_chip: Option<&str>) -> Result<BoardSpec> {
    let folder = file.parent().unwrap_or(Path::new(""));
    let chip = match (entry.chip, default_chip) {
        (Some(chip), _) => chip,
        (None, Some(chip)) => chip.to_owned(),
        (None, None) => {
            bail!("no chip: add chip = \"NAME\" (as probe-rs names it), or give --chip")
        }
    };
    if entry.probe.is_some() && entry.gdb.is_some() {
        bail!("both probe and gdb: keep the one the board is reached through");
    }
    let protocol = match entry
        .protocol
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None => None,
        Some("swd") => Some(Protocol::Swd),
        Some("jtag") => Some(Protocol::Jtag),
        Some(other) => bail!("protocol {other:?} is none of swd, jtag: use one of them"),
    };
    let path = |p: PathBuf| if p.is_absolute() { p } else { folder.join(p) };
    Ok(BoardSpec {
        name,
        probe: ProbeOptions {
            chip: Some(chip),
            probe: entry.probe.into_iter().collect(),
            speed: entry.speed,
            protocol,
            connect_under_reset: entry.connect_under_reset,
            gdb: entry.gdb,
            chip_description: entry.chip_description.map(path),
        },
        rtt: RttOptions {
            reset: entry.reset,
            elf: entry.elf.map(path),
            channels: entry.channels.iter().map(Channel::selector).collect(),
            show_channels: entry.show_channels.iter().map(Channel::selector).collect(),
        },
        file: Some(file.to_owned()),
    })
}

/// serde's message, as one line that says what to do: `unknown field` becomes `unknown key`.
fn key_message(message: &str) -> String {
    let message = first_line(message);
    if let Some(rest) = message.strip_prefix("unknown field ") {
        return format!("unknown key {rest}: fix or remove it");
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        return format!("missing key {rest}: add it");
    }
    format!("{message}: fix the entry")
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default().trim()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(text: &str) -> Result<Vec<BoardSpec>> {
        parse_boards(text, Path::new("lab/boards.toml"), None)
    }

    fn err(text: &str) -> String {
        let err = parse(text).unwrap_err();
        let line = crate::one_line(&err);
        assert!(!line.contains('\n'), "{line}");
        line
    }

    #[test]
    fn every_key_of_an_entry() {
        let boards = parse(
            r#"
            [[board]]
            name = "a"
            chip = "nRF52840_xxAA"
            probe = "1366:1015:000683"
            elf = "/abs/a.elf"
            chip_description = "t.yaml"
            speed = 4000
            protocol = "SWD"
            connect_under_reset = true
            reset = true
            channels = [1, "ph-eventing"]
            show_channels = ["log"]
            "#,
        )
        .unwrap();
        let a = &boards[0];
        assert_eq!(a.probe.chip.as_deref(), Some("nRF52840_xxAA"));
        assert_eq!(a.probe.probe, ["1366:1015:000683"]);
        assert_eq!(a.probe.speed, Some(4000));
        assert_eq!(a.probe.protocol, Some(Protocol::Swd));
        assert!(a.probe.connect_under_reset && a.rtt.reset);
        assert_eq!(
            a.probe.chip_description.as_deref(),
            Some(Path::new("lab/t.yaml"))
        );
        assert_eq!(a.rtt.elf.as_deref(), Some(Path::new("/abs/a.elf")));
        assert_eq!(
            a.rtt.channels,
            [
                ChannelSelector::Number(1),
                ChannelSelector::Name("ph-eventing".into())
            ]
        );
        assert_eq!(a.rtt.show_channels, [ChannelSelector::Name("log".into())]);
    }

    #[test]
    fn each_mistake_is_one_line_naming_the_file_and_the_board() {
        let board = |extra: &str| format!("[[board]]\nname = \"a\"\nchip = \"x\"\n{extra}\n");
        assert_eq!(
            err(&board("chp = 1")),
            "lab/boards.toml: board a: unknown key `chp`, expected one of `name`, `chip`, `probe`, `gdb`, `elf`, `chip_description`, `speed`, `protocol`, `connect_under_reset`, `reset`, `channels`, `show_channels`: fix or remove it"
        );
        assert_eq!(
            err(&format!("{}{}", board(""), board(""))),
            "lab/boards.toml: board a: the name is used by boards 1 and 2: give each board its own name"
        );
        assert_eq!(
            err("[[board]]\nname = \"a b\"\nchip = \"x\"\n"),
            "lab/boards.toml: board a b: board name \"a b\" has whitespace: use letters, digits, '-', '_' or '.'"
        );
        assert_eq!(
            err("[[board]]\nchip = \"x\"\n"),
            "lab/boards.toml: board 1: missing key `name`: add it"
        );
        assert_eq!(
            err("[[board]]\nname = \"a\"\n"),
            "lab/boards.toml: board a: no chip: add chip = \"NAME\" (as probe-rs names it), or give --chip"
        );
        assert_eq!(
            err(&board("probe = \"1:2\"\ngdb = \"h:1\"")),
            "lab/boards.toml: board a: both probe and gdb: keep the one the board is reached through"
        );
        assert_eq!(
            err(&board("protocol = \"usb\"")),
            "lab/boards.toml: board a: protocol \"usb\" is none of swd, jtag: use one of them"
        );
        assert_eq!(
            err(&board("speed = \"fast\"")),
            "lab/boards.toml: board a: invalid type: string \"fast\", expected u32: fix the entry"
        );
        assert_eq!(
            err(""),
            "lab/boards.toml: no [[board]] entry: add one per board (name, chip, probe or gdb, elf)"
        );
        assert_eq!(
            err("boards = 1\n"),
            "lab/boards.toml: unknown key `boards` at the top: the file holds only [[board]] entries"
        );
        assert!(
            err("[[board]]\nname = \"a\nchip = \"x\"\n").starts_with("lab/boards.toml: line 2: "),
            "a syntax error says its line"
        );
    }

    #[test]
    fn a_missing_file_says_to_check_the_path() {
        let err = read_boards(Path::new("no/such/boards.toml"), None).unwrap_err();
        assert!(
            crate::one_line(&err)
                .starts_with("cannot read the --boards file no/such/boards.toml: check the path"),
            "{err:#}"
        );
    }

    proptest! {
        /// Any list of distinct valid names comes back as it was, in order.
        #[test]
        fn valid_names_come_back(names in proptest::collection::btree_set("[a-zA-Z0-9_.-]{1,20}", 1..6)) {
            let text: String = names
                .iter()
                .map(|n| format!("[[board]]\nname = {n:?}\nchip = \"c\"\ngdb = \"127.0.0.1:1\"\n"))
                .collect();
            let boards = parse(&text).unwrap();
            let got: Vec<&str> = boards.iter().map(|b| b.name.as_str()).collect();
            let want: Vec<&str> = names.iter().map(String::as_str).collect();
            prop_assert_eq!(got, want);
        }

        /// A name with a character a topic level or a file name cannot have is refused, in
        /// one line, whatever else it holds; and no input makes the parser panic.
        #[test]
        fn bad_names_are_refused(
            head in "[a-z]{0,5}",
            bad in proptest::sample::select(vec!['/', '+', '#', ' ', '\t', '\u{1}']),
            tail in "[a-z]{0,5}",
        ) {
            let name = format!("{head}{bad}{tail}");
            let quoted: String = name
                .chars()
                .map(|c| if c.is_control() { format!("\\u{:04x}", c as u32) } else { c.to_string() })
                .collect();
            let text = format!("[[board]]\nname = \"{quoted}\"\nchip = \"c\"\n");
            let line = err(&text);
            prop_assert!(line.contains("board name"), "{}", line);
        }

        #[test]
        fn garbage_never_panics(text in "\\PC{0,200}") {
            let _ = parse(&text);
        }
    }
}
