//! The look shared by every chart: canvas size, the colour-blind-safe
//! palette, greys for text and grid, and text sizes.
//!
//! One place for these keeps a report's charts consistent with each other,
//! so that a reader who learned one chart can read the next.

use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, IntoFont, RGBAColor, RGBColor, TextStyle};

use super::font::FAMILY;

/// Canvas width in pixels: fits a document page at a readable scale.
pub const WIDTH: u32 = 1000;
/// Canvas height in pixels.
pub const HEIGHT: u32 = 600;

/// The Okabe-Ito palette (Okabe & Ito, "Color Universal Design", 2002),
/// distinguishable with the common colour-vision deficiencies, in the fixed
/// order series take them: the darker, most distinct hues first, yellow
/// (weak on white) and black (reserved-looking) last.
pub const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0xF0, 0xE4, 0x42), // yellow
    RGBColor(0x00, 0x00, 0x00), // black
];

/// A neutral grey used after the eight palette colours run out (the credit
/// sources chart has nine), before colours repeat.
pub const EXTRA_GREY: RGBColor = RGBColor(0x99, 0x99, 0x99);

/// The colour of the `i`-th series: the palette in order, then grey, then
/// the palette again.
pub fn series_colour(i: usize) -> RGBColor {
    let n = OKABE_ITO.len() + 1;
    match i % n {
        k if k < OKABE_ITO.len() => OKABE_ITO[k],
        _ => EXTRA_GREY,
    }
}

/// The main colour of single-series charts (fan bands, histogram bars).
pub const PRIMARY: RGBColor = OKABE_ITO[0];
/// The colour of reference lines a reader compares against (allotment,
/// baseline): vermillion, far from the primary blue for every reader.
pub const REFERENCE: RGBColor = OKABE_ITO[3];

/// Body text.
pub const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// Subtitles, notes, tick labels.
pub const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
/// Axis lines.
pub const AXIS: RGBColor = RGBColor(0x88, 0x88, 0x88);
/// Grid lines: visible but quieter than data.
pub const GRID: RGBColor = RGBColor(0xE3, 0xE3, 0xE3);
/// The canvas.
pub const PAPER: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);

/// `c` at opacity `alpha` (for bands that must let grid and lines show).
pub fn translucent(c: RGBColor, alpha: f64) -> RGBAColor {
    RGBAColor(c.0, c.1, c.2, alpha)
}

/// Whether white text reads better than ink on a fill of colour `c`
/// (relative luminance below about 0.4, WCAG's formula).
pub fn wants_white_text(c: RGBColor) -> bool {
    let lin = |v: u8| {
        let s = f64::from(v) / 255.0;
        if s <= 0.04045 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2);
    l < 0.25
}

/// Text sizes, in plotters' units (the renderer's line height in pixels).
pub mod size {
    /// Chart title.
    pub const TITLE: f64 = 26.0;
    /// Subtitle (scenario, plan, trials).
    pub const SUBTITLE: f64 = 18.0;
    /// Axis descriptions ("credits", "day of the billing month").
    pub const AXIS_LABEL: f64 = 17.0;
    /// Tick labels.
    pub const TICK: f64 = 15.0;
    /// Legend entries.
    pub const LEGEND: f64 = 16.0;
    /// Notes under the chart and annotations inside it.
    pub const NOTE: f64 = 15.0;
}

/// A text style of the embedded font at `size` in colour `c`, anchored at
/// `h`/`v`.
pub fn text(size: f64, c: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle {
        font: (FAMILY, size).into_font(),
        color: c.to_backend_color(),
        pos: Pos::new(h, v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_colours_follow_the_okabe_ito_order_then_grey() {
        assert_eq!(series_colour(0), RGBColor(0x00, 0x72, 0xB2));
        assert_eq!(series_colour(1), RGBColor(0xE6, 0x9F, 0x00));
        assert_eq!(series_colour(7), RGBColor(0, 0, 0));
        assert_eq!(series_colour(8), EXTRA_GREY);
        assert_eq!(series_colour(9), series_colour(0));
    }

    #[test]
    fn text_colour_follows_fill_luminance() {
        assert!(wants_white_text(RGBColor(0, 0, 0)));
        assert!(wants_white_text(OKABE_ITO[0]));
        assert!(!wants_white_text(OKABE_ITO[6]));
        assert!(!wants_white_text(PAPER));
    }
}
