//! `ph-tap plot`'s options.

use std::path::PathBuf;

use clap::Args;

use ph_tap::decode::value::ValueAs;
use ph_tap::plot::XAxis;
use ph_tap::stream::StreamSelector;

/// `ph-tap plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// The capture to plot, raw bytes or a ph-tap capture (as `decode` reads them); `-` reads
    /// stdin.
    #[arg(value_name = "CAPTURE|-")]
    pub input: PathBuf,
    /// The image to write: `.svg` or `.png`.
    #[arg(short, long, value_name = "OUT.svg|OUT.png")]
    pub output: PathBuf,
    /// A numeric field to plot, by name (`a.b`, `a[0]`, `value` for a bare number) or a prefix
    /// of names (`a` for `a.b` and `a.c`); repeat for several. Without it: every numeric field.
    #[arg(long = "field", value_name = "NAME")]
    pub fields: Vec<String>,
    /// A stream to plot, by name (as its hello says it) or id; repeat for several (one chart
    /// each). Without it: every stream.
    #[arg(long = "stream", value_name = "NAME|ID")]
    pub streams: Vec<StreamSelector>,
    /// What x is: the sequence number (counted on across wraps and resets), or the arrival
    /// time (captures of several channels record it; raw captures do not).
    #[arg(long, value_enum, default_value_t = XAxis::Seq)]
    pub x: XAxis,
    /// Width of the image in pixels.
    #[arg(long, default_value_t = 1280, value_parser = clap::value_parser!(u32).range(320..=8000))]
    pub width: u32,
    /// Height of the image in pixels (default: 720, or 360 a chart for several streams).
    #[arg(long, value_parser = clap::value_parser!(u32).range(240..=8000))]
    pub height: Option<u32>,
    /// How to read values when the stream carries no schema (as `decode`); only numbers are
    /// plotted.
    #[arg(long, value_enum, default_value_t = ValueAs::Hex, value_name = "TYPE")]
    pub value_as: ValueAs,
}
