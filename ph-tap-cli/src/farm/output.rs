//! What a farm shows and how: the stdout format, its options, `--save`, all boards alike
//! ([`FarmOutput`]), and the sinks one board's pipeline gets from them.

use std::path::{Path, PathBuf};

use crate::board::Board;
use crate::decode::DecoderOptions;
use crate::mqtt::PublishOptions;
use crate::stream::StreamSelector;

use super::writer::SharedOut;

/// The stdout format of a farm's records.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FarmFormat {
    /// Human lines, each after its board (`[a] `).
    #[default]
    Human,
    /// JSON lines, `"board"` each one's first key; one summary record per board.
    Json,
    /// CSV with a `board` column first (and `channel`, and the log columns: one header for
    /// every board).
    Csv,
}

/// The output options of a farm: the same for every board.
///
/// ```
/// use ph_tap::farm::{FarmFormat, FarmOutput, SharedOut};
/// let (out, _buffer) = SharedOut::buffer();
/// let output = FarmOutput::new(FarmFormat::Json).to(out).times(false);
/// assert_eq!(output.format, FarmFormat::Json);
/// ```
///
/// Made with [`new`](Self::new) and its fields set (it may gain fields: it is
/// `#[non_exhaustive]`).
#[derive(Clone)]
#[non_exhaustive]
pub struct FarmOutput {
    /// The stdout format.
    pub format: FarmFormat,
    /// Where the lines go (stdout unless [`to`](Self::to)).
    pub out: SharedOut,
    /// Colours the human format.
    pub color: bool,
    /// Shows arrival times (live sources).
    pub show_time: bool,
    /// Shows where each defmt log line was written (human format).
    pub verbose: bool,
    /// `--stream`: the streams shown (every stream still counted).
    pub streams: Vec<StreamSelector>,
    /// How each board's channels are decoded, unless its [`spawn_with`](super::Farm::spawn_with)
    /// gives its own (its ELF's defmt table).
    pub decoders: DecoderOptions,
    /// `--save`: each board saves into its own file, this path with `-NAME` inserted before
    /// its extension ([`save_path`]).
    pub save: Option<PathBuf>,
    /// Decodes each board on its pipeline's sink thread (the reference run, `--one-thread`).
    pub one_thread: bool,
    /// Prints the summary table, one row per board, on stderr at [`wait`](super::Farm::wait).
    pub summary: bool,
    /// `--publish`: each board publishes its telemetry to the broker under its own name
    /// (`PREFIX/<board>/wire`), through a connection of its own; the options' `board` is
    /// replaced by each board's name.
    pub publish: Option<PublishOptions>,
}

impl FarmOutput {
    /// `format` to stdout, times shown, the summary printed, no colour, no `--save`.
    pub fn new(format: FarmFormat) -> Self {
        Self {
            format,
            out: SharedOut::stdout(),
            color: false,
            show_time: true,
            verbose: false,
            streams: Vec::new(),
            decoders: DecoderOptions::default(),
            save: None,
            one_thread: false,
            summary: true,
            publish: None,
        }
    }

    /// The lines to `out` instead of stdout.
    pub fn to(mut self, out: SharedOut) -> Self {
        self.out = out;
        self
    }

    /// Shows arrival times or not (`--no-time`: deterministic output).
    pub fn times(mut self, on: bool) -> Self {
        self.show_time = on;
        self
    }

    /// Prints the summary table on stderr at the end, or not.
    pub fn summary(mut self, on: bool) -> Self {
        self.summary = on;
        self
    }
}

/// Where `board` saves with `--save path`: `-NAME` inserted before the extension.
///
/// ```
/// use std::path::Path;
/// use ph_tap::board::Board;
/// use ph_tap::farm::save_path;
/// let a = Board::new("a").unwrap();
/// assert_eq!(save_path(Path::new("runs/run.bin"), &a), Path::new("runs/run-a.bin"));
/// assert_eq!(save_path(Path::new("run"), &a), Path::new("run-a"));
/// assert_eq!(save_path(Path::new("run.tar.cap"), &a), Path::new("run.tar-a.cap"));
/// ```
pub fn save_path(path: &Path, board: &Board) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match path.extension() {
        Some(ext) => format!("{stem}-{board}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{board}"),
    };
    path.with_file_name(name)
}
