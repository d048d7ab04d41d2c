//! A plot's bytes: the drawing ([`draw`](super::draw::draw)) on the SVG backend, or on the
//! bitmap backend into an RGB buffer encoded as a PNG.

use anyhow::{Context, Result, anyhow};
use plotters::prelude::*;

use super::chart::Chart;
use super::draw::{Lines, draw};
use super::format::PlotFormat;
use super::position::XAxis;

/// What is drawn, and how big.
pub struct Picture<'a> {
    /// The charts, top to bottom.
    pub charts: &'a [&'a Chart],
    /// Their captions.
    pub titles: &'a [String],
    /// The x axis.
    pub x: XAxis,
    /// Width and height in pixels.
    pub size: (u32, u32),
}

impl Picture<'_> {
    /// The picture as a file of `format`.
    pub fn render(&self, format: PlotFormat) -> Result<Vec<u8>> {
        super::font::register()?;
        match format {
            PlotFormat::Svg => self.svg(),
            PlotFormat::Png => self.png(),
        }
    }

    fn svg(&self) -> Result<Vec<u8>> {
        let mut text = String::new();
        {
            let root = SVGBackend::with_string(&mut text, self.size).into_drawing_area();
            draw(&root, self.charts, self.titles, self.x, Lines::Path)
                .map_err(|e| anyhow!("{e}"))
                .context("cannot draw the plot as SVG: report this with the capture")?;
        }
        Ok(text.into_bytes())
    }

    fn png(&self) -> Result<Vec<u8>> {
        let (width, height) = self.size;
        let mut rgb = vec![0u8; width as usize * height as usize * 3];
        {
            let root = BitMapBackend::with_buffer(&mut rgb, self.size).into_drawing_area();
            draw(&root, self.charts, self.titles, self.x, Lines::Segments)
                .map_err(|e| anyhow!("{e}"))
                .context("cannot draw the plot as PNG: report this with the capture")?;
        }
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder
            .write_header()
            .and_then(|mut writer| {
                writer.write_image_data(&rgb)?;
                writer.finish()
            })
            .context("cannot encode the plot as PNG: try -o with .svg")?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::LossKind;
    use crate::stream::StreamTag;

    fn chart(points: &[(f64, f64)]) -> Chart {
        let mut chart = Chart::new(0, StreamTag::new(0, "s"), (1.0, 64));
        for &(x, y) in points {
            chart.point(&[], "v", x, y);
        }
        chart
    }

    /// Whatever the values and the size, drawing gives a file, never a panic.
    #[test]
    fn extreme_values_and_small_sizes_still_draw() {
        let mut lossy = chart(&[(1.0, 1.0), (2.0, 2.0)]);
        lossy.loss(LossKind::Reset, 1.5, 1.5, None);
        lossy.loss(LossKind::LinkLoss, 0.0, 1e12, Some(u32::MAX));
        let cases = [
            chart(&[(1.0, f64::MAX), (2.0, -f64::MAX)]),
            chart(&[(1.0, 1e-300), (2.0, -1e-300)]),
            chart(&[(5.0, 7.0)]),
            chart(&[(0.0, 0.0), (1e15, 1e19)]),
            lossy,
        ];
        for case in &cases {
            for size in [(320, 240), (1280, 720), (320, 40)] {
                let charts = [case, case, case];
                let titles = vec!["t".to_owned(); 3];
                for format in [PlotFormat::Svg, PlotFormat::Png] {
                    let picture = Picture {
                        charts: &charts,
                        titles: &titles,
                        x: XAxis::Seq,
                        size,
                    };
                    let bytes = picture.render(format).unwrap();
                    assert!(!bytes.is_empty());
                }
            }
        }
    }
}
