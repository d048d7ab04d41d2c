//! What file a plot is written as, told by its extension.

use std::path::Path;

use anyhow::{Result, bail};

/// The image format of `-o FILE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlotFormat {
    /// An SVG drawing (`.svg`): text stays text, for a bug report or a web page.
    Svg,
    /// A PNG image (`.png`), for a CI artifact or a chat.
    Png,
}

impl PlotFormat {
    /// The format `path`'s extension names (`.svg`, `.png`, in any case), or the one-line error
    /// saying what to give instead.
    ///
    /// ```
    /// use std::path::Path;
    /// use ph_tap::plot::PlotFormat;
    /// assert_eq!(PlotFormat::from_path(Path::new("run.SVG")).unwrap(), PlotFormat::Svg);
    /// assert_eq!(PlotFormat::from_path(Path::new("out/run.png")).unwrap(), PlotFormat::Png);
    /// let err = PlotFormat::from_path(Path::new("run.jpg")).unwrap_err();
    /// assert_eq!(err.to_string(), "cannot plot to run.jpg: give -o a file name ending in .svg or .png");
    /// ```
    pub fn from_path(path: &Path) -> Result<Self> {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if extension.eq_ignore_ascii_case("svg") {
            Ok(Self::Svg)
        } else if extension.eq_ignore_ascii_case("png") {
            Ok(Self::Png)
        } else {
            bail!(
                "cannot plot to {}: give -o a file name ending in .svg or .png",
                path.display()
            )
        }
    }
}
