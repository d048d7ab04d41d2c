//! The one font the charts' text is drawn in: DejaVu Sans, embedded in the binary
//! (`font/DejaVuSans.ttf`, its licence in `font/LICENSE` beside it), so a PNG has its text on a
//! machine with no fonts installed, and an SVG's text is laid out the same everywhere.

use std::sync::OnceLock;

use anyhow::{Result, bail};
use plotters::style::FontStyle;

/// The font family the charts name; the SVG says it too, for the viewer's own font.
pub const FAMILY: &str = "sans-serif";

/// DejaVu Sans 2.37.
static DEJAVU_SANS: &[u8] = include_bytes!("font/DejaVuSans.ttf");

/// Registers the embedded font with plotters as [`FAMILY`] (once per process).
pub fn register() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS).is_ok()
    });
    if !ok {
        bail!("the font embedded in ph-tap cannot be read: this build is broken, report it");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_embedded_font_registers() {
        super::register().unwrap();
    }
}
