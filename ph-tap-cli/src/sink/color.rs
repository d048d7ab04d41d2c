//! When to colour the human output, and the few ANSI styles it uses.

use std::io::IsTerminal;

use crate::record::Level;

/// The `--color` choice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Always colour, even into a pipe or file.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Resolves the choice for a stream, given whether that stream is a terminal.
    ///
    /// ```
    /// use ph_tap::sink::color::ColorChoice;
    /// assert!(ColorChoice::Always.enabled(false));
    /// assert!(!ColorChoice::Never.enabled(true));
    /// ```
    pub fn enabled(self, is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_terminal && std::env::var_os("NO_COLOR").is_none(),
        }
    }

    /// Resolves the choice for this process's stdout.
    pub fn enabled_for_stdout(self) -> bool {
        self.enabled(std::io::stdout().is_terminal())
    }
}

/// A text style; `paint` wraps text in its ANSI codes when colour is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Bold red on nothing: data was lost on the target (ring drops).
    Loss,
    /// Bold yellow: data was lost on the link or arrived damaged.
    Damage,
    /// Bold magenta: the target restarted.
    Reset,
    /// Cyan: informational stream events (hello, wrap).
    Info,
    /// Dim: secondary columns such as the time.
    Dim,
    /// A log line's level, coloured as defmt-print does: `ERROR` red, `WARN` yellow, `INFO`
    /// green, `DEBUG` plain, `TRACE` dim.
    Log(Level),
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Loss => "\x1b[1;31m",
            Style::Damage => "\x1b[1;33m",
            Style::Reset => "\x1b[1;35m",
            Style::Info => "\x1b[36m",
            Style::Dim | Style::Log(Level::Trace) => "\x1b[2m",
            Style::Log(Level::Debug) => "",
            Style::Log(Level::Info) => "\x1b[32m",
            Style::Log(Level::Warn) => "\x1b[33m",
            Style::Log(Level::Error) => "\x1b[31m",
        }
    }

    /// Returns `text` wrapped in this style's escape codes if `on`, else `text` unchanged.
    ///
    /// ```
    /// use ph_tap::sink::color::Style;
    /// assert_eq!(Style::Loss.paint("x", false), "x");
    /// assert_eq!(Style::Loss.paint("x", true), "\x1b[1;31mx\x1b[0m");
    /// ```
    pub fn paint(self, text: &str, on: bool) -> String {
        if on && !self.code().is_empty() {
            format!("{}{text}\x1b[0m", self.code())
        } else {
            text.to_owned()
        }
    }
}
