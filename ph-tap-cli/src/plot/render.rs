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
