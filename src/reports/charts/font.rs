//! The one font every chart uses, embedded in the binary.
//!
//! flowcast must draw PNG charts on machines with no system fonts and no
//! fontconfig, so DejaVu Sans (kept in `data/fonts/` with its licence) is
//! compiled in and registered with plotters' pure-Rust `ab_glyph` renderer
//! under the family every chart asks for. The SVG writer needs the font's
//! vertical metrics too, to size its text exactly as the PNG renderer does;
//! they are read here from the font's own tables rather than hard-coded, so
//! that swapping the font file cannot silently skew the SVGs.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef};
use plotters::style::{register_font, FontStyle};

use super::ChartError;

/// The embedded font file (DejaVu Sans, see data/fonts/LICENSE-DejaVu.txt).
pub const FONT_BYTES: &[u8] = include_bytes!("../../../data/fonts/DejaVuSans.ttf");

/// The family name the font is registered under and every chart draws with.
pub const FAMILY: &str = "sans-serif";

/// The CSS font stack written into SVGs: the embedded font first (most
/// Linux readers have it), then look-alikes. Text widths are pinned with
/// `textLength` (see `svg.rs`), so a substitute cannot move the layout.
pub const SVG_FONT_STACK: &str = "'DejaVu Sans', Verdana, 'Bitstream Vera Sans', Arial, sans-serif";

/// Registers the embedded font with plotters, once per process, and reports
/// whether that worked. Safe to call from many threads; every chart calls
/// it before drawing.
pub fn ensure_registered() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            // `InvalidFont` implements neither Display nor Debug: say what
            // failed ourselves.
            register_font(FAMILY, FontStyle::Normal, FONT_BYTES)
                .map_err(|_| "the embedded font DejaVuSans.ttf could not be loaded".to_string())
        })
        .clone()
        .map_err(ChartError::Font)
}

/// The embedded font, parsed once, for drawing glyphs ourselves (PNG text)
/// and reading its metrics.
pub fn face() -> Result<&'static FontRef<'static>, ChartError> {
    static FACE: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FACE.get_or_init(|| FontRef::try_from_slice(FONT_BYTES).ok())
        .as_ref()
        .ok_or_else(|| {
            ChartError::Font("the embedded font DejaVuSans.ttf could not be parsed".to_string())
        })
}

/// The vertical metrics of the embedded font, in font units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VerticalMetrics {
    /// Font units per em.
    pub units_per_em: f64,
    /// Ascender above the baseline (positive), as the renderer uses it.
    pub ascender: f64,
    /// Descender below the baseline (negative), as the renderer uses it.
    pub descender: f64,
}

impl VerticalMetrics {
    /// The CSS font size (px per em) that draws glyphs as large as the
    /// PNG renderer does for a text style of `size`: `ab_glyph` scales a
    /// font so that ascender minus descender spans `size` pixels.
    pub fn em_px(&self, size: f64) -> f64 {
        let height = self.ascender - self.descender;
        if height <= 0.0 {
            return size;
        }
        size * self.units_per_em / height
    }

    /// How far below the baseline the descender reaches at `size`, pixels.
    pub fn descent_px(&self, size: f64) -> f64 {
        let height = self.ascender - self.descender;
        if height <= 0.0 {
            return 0.0;
        }
        size * -self.descender / height
    }

    /// Where the baseline goes inside a text box `box_height` tall (the
    /// height plotters lays text out with) at `size`: low enough that the
    /// descenders end at the box's bottom, so capitals fill the box from its
    /// top. Both renderers use this, so PNG and SVG text sit alike.
    pub fn baseline_in_box(&self, box_height: f64, size: f64) -> f64 {
        box_height - self.descent_px(size)
    }
}

/// The embedded font's vertical metrics.
pub fn metrics() -> Result<VerticalMetrics, ChartError> {
    let f = face()?;
    Ok(VerticalMetrics {
        units_per_em: f64::from(f.units_per_em().unwrap_or(1000.0)),
        ascender: f64::from(f.ascent_unscaled()),
        descender: f64::from(f.descent_unscaled()),
    })
}

/// The width in pixels plotters' renderer gives `text` at `size` with the
/// embedded font: the same measure the PNG layout uses, so SVG text can be
/// pinned to it.
pub fn text_width(text: &str, size: f64) -> Result<f64, ChartError> {
    use plotters::style::IntoFont;
    ensure_registered()?;
    let font = (FAMILY, size).into_font();
    let (w, _) = font
        .box_size(text)
        .map_err(|e| ChartError::Font(format!("measuring text: {e}")))?;
    Ok(f64::from(w))
}

/// The offset of a text box's top-left corner from its anchor point, for a
/// box `width` x `height` pixels: shared by the PNG and SVG renderers so that
/// both place text identically.
pub fn anchor_offset(
    anchor: plotters_backend::text_anchor::Pos,
    width: i32,
    height: i32,
) -> (i32, i32) {
    use plotters_backend::text_anchor::{HPos, VPos};
    let dx = match anchor.h_pos {
        HPos::Left => 0,
        HPos::Right => -width,
        HPos::Center => -width / 2,
    };
    let dy = match anchor.v_pos {
        VPos::Top => 0,
        VPos::Center => -height / 2,
        VPos::Bottom => -height,
    };
    (dx, dy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dejavu_metrics_are_those_of_its_tables() {
        // DejaVu Sans 2.37: unitsPerEm 2048, hhea ascender 1901, descender
        // -483, and it does not set USE_TYPO_METRICS (read with a separate
        // table dump of data/fonts/DejaVuSans.ttf).
        let m = metrics().unwrap();
        assert_eq!(
            (m.units_per_em, m.ascender, m.descender),
            (2048.0, 1901.0, -483.0)
        );
        // ascender - descender = 2384 units span `size` pixels.
        assert!((m.em_px(2384.0) - 2048.0).abs() < 1e-9);
        assert!((m.descent_px(2384.0) - 483.0).abs() < 1e-9);
        assert!((m.baseline_in_box(1000.0, 2384.0) - 517.0).abs() < 1e-9);
    }

    #[test]
    fn text_width_grows_with_text_and_size() {
        ensure_registered().unwrap();
        let a = text_width("credits", 16.0).unwrap();
        let b = text_width("credits by day", 16.0).unwrap();
        let c = text_width("credits", 32.0).unwrap();
        assert!(a > 20.0 && b > a, "{a} {b}");
        assert!((c - 2.0 * a).abs() <= 2.0, "{a} {c}");
    }
}
