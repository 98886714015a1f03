//! An SVG drawing backend whose text layout does not depend on the reader's
//! fonts.
//!
//! plotters' own SVG backend writes `<text>` with a bare font family and
//! em-relative offsets, so a reader without that font sees labels of other
//! widths and heights, which can overlap or be clipped. Three ways out were
//! weighed:
//! - embed the font as an `@font-face` data URI: about 1 MB of base64 per
//!   chart (DejaVu Sans is 760 KB), far too much for a one-file report;
//! - draw every glyph as a path: exact, but the text is no longer text
//!   (not selectable, searchable or read by screen readers) and much bigger;
//! - keep real text but place it with numbers computed from the embedded
//!   font: x at the anchor the PNG renderer uses, the baseline at an
//!   absolute y, the font size matched to the PNG renderer's scale, and
//!   `textLength` with `lengthAdjust="spacingAndGlyphs"` so that whichever
//!   font the reader has is squeezed or stretched to exactly the width
//!   measured with DejaVu Sans.
//!
//! The third is used: the layout (positions and extents of every label) is
//! fixed by the file, text stays text, and a chart costs tens of kilobytes.

use plotters_backend::DrawingErrorKind;
use plotters_backend::FontTransform;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend,
};
use std::fmt::Write as _;

use super::font;

/// The error type of [`SvgBackend`]; writing to a `String` cannot fail, so
/// this only reports font problems found while measuring text.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SvgError(String);

/// Draws into an SVG document held in memory; `present` (plotters' call)
/// closes it and hands out the text.
pub struct SvgBackend<'a> {
    size: (u32, u32),
    body: String,
    title: String,
    out: &'a mut String,
    metrics: font::VerticalMetrics,
}

impl<'a> SvgBackend<'a> {
    /// A `width` x `height` canvas; `title` becomes the SVG's `<title>`
    /// (what screen readers announce and browsers show on hover). On
    /// `present` the finished document is written to `out`.
    pub fn new(
        out: &'a mut String,
        size: (u32, u32),
        title: &str,
    ) -> Result<Self, super::ChartError> {
        Ok(SvgBackend {
            size,
            body: String::with_capacity(64 * 1024),
            title: title.to_string(),
            out,
            metrics: font::metrics()?,
        })
    }
}

/// `fill`/`stroke` colour and opacity attributes for a colour.
fn paint(kind: &str, c: BackendColor) -> String {
    let (r, g, b) = c.rgb;
    if c.alpha >= 1.0 {
        format!(r##"{kind}="#{r:02X}{g:02X}{b:02X}""##)
    } else {
        format!(
            r##"{kind}="#{r:02X}{g:02X}{b:02X}" {kind}-opacity="{:.3}""##,
            c.alpha.max(0.0)
        )
    }
}

/// XML-escapes text content and attribute values.
pub fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' && c != '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn points<I: IntoIterator<Item = BackendCoord>>(path: I) -> String {
    let mut s = String::new();
    for (x, y) in path {
        let _ = write!(s, "{x},{y} ");
    }
    s.pop();
    s
}

impl DrawingBackend for SvgBackend<'_> {
    type ErrorType = SvgError;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<SvgError>> {
        Ok(())
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<SvgError>> {
        let (w, h) = self.size;
        self.out.clear();
        let _ = write!(
            self.out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" font-family="{}"><title>{}</title>"#,
            escape_xml(font::SVG_FONT_STACK),
            escape_xml(&self.title)
        );
        self.out.push('\n');
        self.out.push_str(&self.body);
        self.out.push_str("</svg>\n");
        Ok(())
    }

    fn draw_pixel(
        &mut self,
        (x, y): BackendCoord,
        c: BackendColor,
    ) -> Result<(), DrawingErrorKind<SvgError>> {
        if c.alpha == 0.0 {
            return Ok(());
        }
        let _ = writeln!(
            self.body,
            r#"<rect x="{x}" y="{y}" width="1" height="1" {}/>"#,
            paint("fill", c)
        );
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        (x1, y1): BackendCoord,
        (x2, y2): BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<SvgError>> {
        let c = style.color();
        if c.alpha == 0.0 {
            return Ok(());
        }
        let _ = writeln!(
            self.body,
            r#"<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" {} stroke-width="{}"/>"#,
            paint("stroke", c),
            style.stroke_width()
        );
        Ok(())
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        (x1, y1): BackendCoord,
        (x2, y2): BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<SvgError>> {
        let c = style.color();
        if c.alpha == 0.0 {
            return Ok(());
        }
        let (x, y) = (x1.min(x2), y1.min(y2));
        let (w, h) = ((x2 - x1).abs(), (y2 - y1).abs());
        let look = if fill {
            // plotters' filled rectangles include both corner pixels.
            paint("fill", c)
        } else {
            format!(
                r#"fill="none" {} stroke-width="{}""#,
                paint("stroke", c),
                style.stroke_width()
            )
        };
        let (w, h) = if fill { (w + 1, h + 1) } else { (w, h) };
        let _ = writeln!(
            self.body,
            r#"<rect x="{x}" y="{y}" width="{w}" height="{h}" {look}/>"#
        );
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<SvgError>> {
        let c = style.color();
        if c.alpha == 0.0 {
            return Ok(());
        }
        let _ = writeln!(
            self.body,
            r#"<polyline fill="none" {} stroke-width="{}" stroke-linejoin="round" points="{}"/>"#,
            paint("stroke", c),
            style.stroke_width(),
            points(path)
        );
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        (x, y): BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<SvgError>> {
        let c = style.color();
        if c.alpha == 0.0 {
            return Ok(());
        }
        let look = if fill {
            paint("fill", c)
        } else {
            format!(
                r#"fill="none" {} stroke-width="{}""#,
                paint("stroke", c),
                style.stroke_width()
            )
        };
        let _ = writeln!(
            self.body,
            r#"<circle cx="{x}" cy="{y}" r="{radius}" {look}/>"#
        );
        Ok(())
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<SvgError>> {
        let c = style.color();
        if c.alpha == 0.0 {
            return Ok(());
        }
        let _ = writeln!(
            self.body,
            r#"<polygon {} points="{}"/>"#,
            paint("fill", c),
            points(vert)
        );
        Ok(())
    }

    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        (px, py): BackendCoord,
    ) -> Result<(), DrawingErrorKind<SvgError>> {
        let c = style.color();
        if c.alpha == 0.0 || text.is_empty() {
            return Ok(());
        }
        // The same box the PNG renderer lays text out in (plotters' default
        // `draw_text`, `png.rs`): width from the embedded font's advances,
        // height from plotters' layout, moved by the anchor; the baseline
        // where `VerticalMetrics::baseline_in_box` puts it.
        let ((min_x, min_y), (max_x, max_y)) = style
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let width = max_x - min_x;
        let height = max_y - min_y;
        let (dx, dy) = font::anchor_offset(style.anchor(), width, height);
        let size = style.size();
        let x = px + dx;
        let baseline = f64::from(py + dy) + self.metrics.baseline_in_box(f64::from(height), size);
        let rotate = match style.transform() {
            FontTransform::Rotate90 => Some(90),
            FontTransform::Rotate180 => Some(180),
            FontTransform::Rotate270 => Some(270),
            _ => None,
        };
        let transform = rotate
            .map(|deg| format!(r#" transform="rotate({deg} {px} {py})""#))
            .unwrap_or_default();
        let length = if width > 0 {
            format!(r#" textLength="{width}" lengthAdjust="spacingAndGlyphs""#)
        } else {
            String::new()
        };
        let _ = writeln!(
            self.body,
            r#"<text x="{x}" y="{baseline:.1}" font-size="{:.2}"{length} {}{transform}>{}</text>"#,
            self.metrics.em_px(size),
            paint("fill", c),
            escape_xml(text)
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            escape_xml(r#"<b>"Tom" & 'Jerry'</b>"#),
            "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
        assert_eq!(escape_xml("a\u{1}b"), "a b");
    }

    #[test]
    fn paint_writes_opacity_only_when_translucent() {
        let opaque = BackendColor {
            alpha: 1.0,
            rgb: (0, 114, 178),
        };
        assert_eq!(paint("fill", opaque), r##"fill="#0072B2""##);
        let half = BackendColor {
            alpha: 0.5,
            rgb: (255, 0, 16),
        };
        assert_eq!(
            paint("stroke", half),
            r##"stroke="#FF0010" stroke-opacity="0.500""##
        );
    }
}
