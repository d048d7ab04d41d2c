//! The drawing, on any plotters backend: one chart per stream, stacked; in each, a line per
//! field, the losses shaded by kind and labelled, and a legend naming both.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::chart::Chart;
use super::columns::Point;
use super::font::FAMILY;
use super::loss::{Loss, LossKind};
use super::position::XAxis;

/// The series' colours, in the order of their fields (then again from the start).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0x1F, 0x77, 0xB4),
    RGBColor(0x2C, 0xA0, 0x2C),
    RGBColor(0x94, 0x67, 0xBD),
    RGBColor(0x8C, 0x56, 0x4B),
    RGBColor(0x17, 0xBE, 0xCF),
    RGBColor(0xBC, 0xBD, 0x22),
    RGBColor(0x7F, 0x7F, 0x7F),
    RGBColor(0x00, 0x3F, 0x5C),
];

/// How opaque a loss's shading is.
pub const SHADE: f64 = 0.25;

/// The narrowest a shaded range is drawn, in pixels (a reset, a loss of one value on a long
/// axis).
const MIN_BAND_PX: f64 = 3.0;

/// How opaque the box behind a loss's label is.
const LABEL_BACKDROP: f64 = 0.75;

/// The rows of loss labels along the bottom of a chart.
const LABEL_ROWS: usize = 3;

/// How a series' line is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lines {
    /// One path through every point (SVG: one `<polyline>` a series).
    Path,
    /// A segment between each two points: plotters' bitmap backend joins the segments of a
    /// thick path with mitres of no limit, which a zigzag (a decimated series is one) turns
    /// into spikes across the image.
    Segments,
}

/// The plotters error of backend `DB`.
pub type DrawError<DB> = DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>;

/// Draws `charts` on `root`, stacked; `titles` are their captions.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    charts: &[&Chart],
    titles: &[String],
    x: XAxis,
    lines: Lines,
) -> Result<(), DrawError<DB>> {
    root.fill(&WHITE)?;
    let areas = root.split_evenly((charts.len().max(1), 1));
    // Over time, the streams share one clock: their charts share one x range, one above the
    // other. Sequence numbers are each stream's own.
    let shared = match x {
        XAxis::Time => charts
            .iter()
            .filter_map(|c| c.x_range())
            .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1))),
        XAxis::Seq => None,
    };
    for ((area, chart), title) in areas.iter().zip(charts).zip(titles) {
        let x_range = shared.or_else(|| chart.x_range()).unwrap_or((0.0, 1.0));
        draw_one(area, chart, title, (x, x_range), lines)?;
    }
    root.present()
}

/// The largest magnitude an axis goes to: beyond it plotters' tick search does not end (the
/// span of `-f64::MAX..f64::MAX` is infinite).
const AXIS_LIMIT: f64 = 1e300;

/// The range, made drawable: finite and within [`AXIS_LIMIT`], a `pad` fraction of its span
/// added on each side, and a point (or a span too small for an `f64` at its magnitude) given
/// some width.
fn widen((low, high): (f64, f64), pad: f64) -> (f64, f64) {
    let clamp = |v: f64| {
        if v.is_nan() {
            0.0
        } else {
            v.clamp(-AXIS_LIMIT, AXIS_LIMIT)
        }
    };
    let (low, high) = (clamp(low.min(high)), clamp(low.max(high)));
    let magnitude = low.abs().max(high.abs());
    let span = high - low;
    if span > magnitude * 1e-9 && span > 1e-200 {
        let margin = span * pad;
        (low - margin, high + margin)
    } else {
        let middle = low / 2.0 + high / 2.0;
        let half = (middle.abs() * 1e-6).max(1.0);
        (middle - half, middle + half)
    }
}

fn draw_one<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart,
    title: &str,
    (x, x_range): (XAxis, (f64, f64)),
    lines: Lines,
) -> Result<(), DrawError<DB>> {
    let (x0, x1) = widen(x_range, 0.0);
    let (y0, y1) = widen(chart.y_range().unwrap_or((0.0, 1.0)), 0.06);
    let mut ctx = ChartBuilder::on(area)
        .caption(title, (FAMILY, 26))
        .margin(12)
        .x_label_area_size(56)
        .y_label_area_size(90)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    let x_span = x1 - x0;
    ctx.configure_mesh()
        .x_desc(x.description())
        .y_desc("value")
        .axis_desc_style((FAMILY, 20))
        .label_style((FAMILY, 18))
        .x_labels(10)
        .y_labels(8)
        .x_label_formatter(&|v| match x {
            // Sequence numbers are whole: no label between two.
            XAxis::Seq if v.fract() != 0.0 => String::new(),
            _ => number(*v, x_span),
        })
        .y_label_formatter(&|v| number(*v, y1 - y0))
        .bold_line_style(RGBColor(0xDD, 0xDD, 0xDD))
        .light_line_style(RGBColor(0xF2, 0xF2, 0xF2))
        .draw()?;

    let width_px = f64::from(ctx.plotting_area().dim_in_pixel().0.max(1));
    let per_px = x_span / width_px;
    let mut bands: Vec<Loss> = Vec::new();
    for kind in LossKind::ALL {
        let of_kind = merge(&chart.losses, kind, per_px);
        if of_kind.is_empty() {
            continue;
        }
        let color = kind.color();
        let min_width = MIN_BAND_PX * per_px;
        ctx.draw_series(of_kind.iter().map(|loss| {
            let (from, to) = at_least(loss, min_width);
            Rectangle::new([(from, y1), (to, y0)], color.mix(SHADE).filled())
        }))?
        .label(kind.label())
        .legend(move |(lx, ly)| {
            Rectangle::new([(lx, ly - 6), (lx + 18, ly + 6)], color.mix(SHADE).filled())
        });
        bands.extend(of_kind);
    }

    for (i, series) in chart.series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let style = color.stroke_width(2);
        // Inside the axes (which stop at AXIS_LIMIT): a point beyond them maps to a pixel
        // beyond what plotters' arithmetic holds.
        let points: Vec<Point> = series
            .columns
            .points()
            .into_iter()
            .map(|(px, py)| (px.clamp(x0, x1), py.clamp(y0, y1)))
            .collect();
        // A field seen once has no segment: a dot shows it.
        if let [point] = points[..] {
            ctx.draw_series(std::iter::once(Circle::new(point, 3, color.filled())))?;
        }
        let drawn = match lines {
            Lines::Path => ctx.draw_series(LineSeries::new(points, style))?,
            Lines::Segments => ctx.draw_series(
                points
                    .windows(2)
                    .map(|pair| PathElement::new(pair.to_vec(), style)),
            )?,
        };
        drawn.label(series.name.as_str()).legend(move |(lx, ly)| {
            Rectangle::new([(lx, ly - 2), (lx + 18, ly + 2)], color.filled())
        });
    }

    // The losses' labels, along the bottom of the plot, left to right, in up to three rows: a
    // label that would overlap one in every row is left out (its range is still shaded, and
    // the legend names its kind).
    bands.sort_by(|a, b| a.from.total_cmp(&b.from));
    let mut free_from = [f64::NEG_INFINITY; LABEL_ROWS];
    let label_style = TextStyle::from((FAMILY, 17).into_font()).color(&BLACK);
    for loss in &bands {
        let text = loss.label();
        let (from, _) = at_least(loss, MIN_BAND_PX * per_px);
        let at_px = (from - x0) / per_px;
        // DejaVu Sans at 17 (about 14 px): about 8 px a character.
        let width = text.len() as f64 * 8.0;
        // One that would run off the right edge ends there instead.
        let start_px = at_px.min(width_px - width).max(0.0);
        let Some(row) = free_from.iter().position(|free| start_px >= *free) else {
            continue;
        };
        free_from[row] = start_px + width + 6.0;
        let up = -22 - 20 * row as i32;
        let dx = (start_px - at_px) as i32 + 3;
        // On a light box, so that it reads over the lines.
        let backdrop = Rectangle::new(
            [(dx - 2, up - 1), (dx + width as i32, up + 17)],
            WHITE.mix(LABEL_BACKDROP).filled(),
        );
        ctx.plotting_area().draw(
            &(EmptyElement::at((from, y0))
                + backdrop
                + Text::new(text, (dx, up), label_style.clone())),
        )?;
    }

    ctx.configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font((FAMILY, 18))
        .draw()
}

/// A range drawn at least `min_width` wide, around its middle.
fn at_least(loss: &Loss, min_width: f64) -> (f64, f64) {
    let width = loss.to - loss.from;
    if width >= min_width {
        (loss.from, loss.to)
    } else {
        let middle = (loss.from + loss.to) / 2.0;
        (middle - min_width / 2.0, middle + min_width / 2.0)
    }
}

/// The losses of `kind`, in order, those that would touch on the screen (less than a pixel
/// apart) merged into one range, their counts added up: a capture with many losses does not
/// draw thousands of shapes on one pixel.
pub fn merge(losses: &[Loss], kind: LossKind, per_px: f64) -> Vec<Loss> {
    let mut of_kind: Vec<Loss> = losses.iter().filter(|l| l.kind == kind).copied().collect();
    of_kind.sort_by(|a, b| a.from.total_cmp(&b.from));
    let mut merged: Vec<Loss> = Vec::with_capacity(of_kind.len());
    // Ranges drawn narrower than this are widened to it: they touch when their middles do.
    let reach = MIN_BAND_PX * per_px;
    for loss in of_kind {
        match merged.last_mut() {
            Some(last) if loss.from <= last.to.max(last.from + reach) + per_px => {
                last.to = last.to.max(loss.to);
                last.count = match (last.count, loss.count) {
                    (Some(a), Some(b)) => Some(a.saturating_add(b)),
                    (a, b) => a.or(b),
                };
            }
            _ => merged.push(loss),
        }
    }
    merged
}

/// An axis label: as few decimals as the axis's `span` needs, no trailing zeros, large and
/// tiny numbers in scientific notation.
///
/// ```
/// use ph_tap::plot::number;
/// assert_eq!(number(4_294_967_296.0, 100.0), "4294967296");
/// assert_eq!(number(0.25, 1.0), "0.25");
/// assert_eq!(number(1.5e12, 1e12), "1.50e12");
/// ```
pub fn number(v: f64, span: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let magnitude = v.abs();
    if !(1e-4..1e11).contains(&magnitude) {
        return format!("{v:.2e}");
    }
    let decimals = if span >= 50.0 {
        0
    } else {
        // Enough decimals to tell ten labels apart over the span.
        (2.0 - (span.max(1e-9)).log10().floor()).clamp(0.0, 6.0) as usize
    };
    let text = format!("{v:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loss(from: f64, to: f64) -> Loss {
        Loss {
            kind: LossKind::LinkLoss,
            from,
            to,
            count: Some(1),
        }
    }

    #[test]
    fn losses_apart_stay_apart_and_those_on_one_pixel_merge() {
        let losses = [loss(10.0, 11.0), loss(50.0, 52.0), loss(50.5, 50.6)];
        let merged = merge(&losses, LossKind::LinkLoss, 0.1);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[1].count, Some(2));
        assert_eq!(merge(&losses, LossKind::RingDrop, 0.1), []);
        // A thousand losses on a few pixels: a few shapes.
        let many: Vec<Loss> = (0..1000)
            .map(|i| loss(f64::from(i), f64::from(i)))
            .collect();
        assert!(merge(&many, LossKind::LinkLoss, 100.0).len() <= 10);
    }
}
