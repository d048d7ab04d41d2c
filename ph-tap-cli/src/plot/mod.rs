//! `ph-tap plot`: charts of a capture, as SVG or PNG, for bug reports and CI artifacts.
//!
//! [`PlotSink`] is a [`Sink`](crate::sink::Sink) like the others: it sees the records
//! `ph-tap decode` shows, decoded by the same decoders, and keeps, for each stream chosen
//! (`--stream`), a series per numeric field chosen (`--field`, [`fields`](FieldWalk) names
//! them) over sequence number or arrival time ([`XAxis`]), and the ranges where values were
//! lost ([`Loss`]: ring drops, refusals, link losses, resets; damaged frames over time). At
//! the end it draws one chart per stream, stacked, with plotters, into the file its extension
//! names ([`PlotFormat`]).
//!
//! | file | owns |
//! | --- | --- |
//! | `fields.rs` | the numeric fields of a value and their names (`a.b`, `a[0]`) |
//! | `position.rs` | x: sequence numbers counted on across wraps and resets, or arrival time |
//! | `columns.rs` | a series decimated to two points a column: bounded memory |
//! | `loss.rs` | what is shaded, by kind |
//! | `chart.rs` | one stream's series and losses, as collected |
//! | `sink.rs` | the sink, its options and its errors |
//! | `draw.rs` | the drawing, on any plotters backend |
//! | `render.rs` | the SVG, or the PNG encoded from the bitmap backend's buffer |
//! | `font.rs` | the font embedded for the text (DejaVu Sans, `font/`) |
//! | `format.rs` | the output format, from `-o`'s extension |

mod chart;
mod columns;
mod draw;
mod fields;
mod font;
mod format;
mod loss;
mod position;
mod render;
mod sink;

pub use chart::{Chart, Series};
pub use columns::{Columns, Point};
pub use draw::{Lines, PALETTE, SHADE, merge, number};
pub use fields::{FieldWalk, ROOT, selects};
pub use format::PlotFormat;
pub use loss::{Loss, LossKind};
pub use position::{SeqLine, XAxis, seconds};
pub use render::Picture;
pub use sink::{PlotOptions, PlotSink};
