//! PNG drawing: plotters' bitmap backend, with text drawn by us.
//!
//! plotters 0.3.7 draws `ab_glyph` text by putting each glyph's bitmap at
//! the whole-pixel pen position and ignoring the glyph's own offset (its
//! left side bearing), so letters sit unevenly: "team-mont hs". This
//! wrapper hands every shape to the bitmap backend unchanged and draws text
//! itself: glyphs positioned at fractional pen positions with kerning and
//! side bearings, anti-aliased by coverage, in the same box and at the same
//! baseline as the SVG writer uses (see [`super::font::VerticalMetrics`]).

use ab_glyph::{point, Font, PxScale, ScaleFont};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

use super::font;

/// A backend that draws like `B` but sets text with the embedded font
/// itself.
pub struct CrispText<B> {
    inner: B,
}

impl<B> CrispText<B> {
    /// Wraps `inner`.
    pub fn new(inner: B) -> Self {
        CrispText { inner }
    }
}

/// Why text could not be drawn: the font failed to load.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TextError(String);

impl<B: DrawingBackend> DrawingBackend for CrispText<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.present()
    }
    fn draw_pixel(
        &mut self,
        p: BackendCoord,
        c: BackendColor,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_pixel(p, c)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        a: BackendCoord,
        b: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_rect(a, b, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        centre: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_circle(centre, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        (px, py): BackendCoord,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        let colour = style.color();
        if colour.alpha == 0.0 || text.is_empty() {
            return Ok(());
        }
        let font_error =
            |e: super::ChartError| DrawingErrorKind::FontError(Box::new(TextError(e.to_string())));
        let face = font::face().map_err(font_error)?;
        let metrics = font::metrics().map_err(font_error)?;
        // The box plotters laid the text out with, moved by the anchor (the
        // same arithmetic as plotters' own `draw_text` and `svg.rs`).
        let ((min_x, min_y), (max_x, max_y)) = style
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let (dx, dy) = font::anchor_offset(style.anchor(), width, height);
        let size = style.size();
        let baseline = dy as f32 + metrics.baseline_in_box(f64::from(height), size) as f32;
        let scale = PxScale::from(size as f32);
        let scaled = face.as_scaled(scale);
        let transform = style.transform();
        let (w, h) = self.inner.get_size();

        let mut pixels: Vec<(BackendCoord, BackendColor)> = Vec::new();
        let mut pen = dx as f32;
        let mut previous = None;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = previous {
                pen += scaled.kern(p, id);
            }
            let glyph = id.with_scale_and_position(scale, point(pen, baseline));
            if let Some(outline) = face.outline_glyph(glyph) {
                let bounds = outline.px_bounds();
                outline.draw(|gx, gy, coverage| {
                    if coverage <= 0.0 {
                        return;
                    }
                    let rx = bounds.min.x as i32 + gx as i32;
                    let ry = bounds.min.y as i32 + gy as i32;
                    let (tx, ty) = transform.transform(rx, ry);
                    let (x, y) = (px + tx, py + ty);
                    if x >= 0 && y >= 0 && (x as u32) < w && (y as u32) < h {
                        pixels.push(((x, y), colour.mix(f64::from(coverage.min(1.0)))));
                    }
                });
            }
            pen += scaled.h_advance(id);
            previous = Some(id);
        }
        for (p, c) in pixels {
            self.inner.draw_pixel(p, c)?;
        }
        Ok(())
    }
}
