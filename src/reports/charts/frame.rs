//! The parts every chart shares: the canvas with its title, subtitle,
//! legend and note, and numeric axes with unit-aware tick labels.
//!
//! Legends are drawn above the plot, outside the data, because a legend
//! inside the plot area covers some data in some scenario sooner or later.
//! Notes (assumptions, what is not shown) go under the plot. Text that would
//! not fit is shortened with an ellipsis rather than allowed to overlap.

use plotters::chart::{ChartBuilder, ChartContext};
use plotters::coord::ranged1d::Ranged;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::font::text_width;
use super::style::{self, size, INK, MUTED};
use super::{ChartError, Unit};

/// Left and right page margin of the canvas, pixels.
pub const SIDE: i32 = 24;

/// The small picture in front of a legend entry.
#[derive(Debug, Clone, Copy)]
pub enum Swatch {
    /// A solid line.
    Line(RGBColor),
    /// A dashed line (reference lines).
    Dashed(RGBColor),
    /// A filled box (bars, bands), with its opacity.
    Fill(RGBColor, f64),
}

/// One legend entry.
#[derive(Debug, Clone)]
pub struct LegendItem {
    /// What it looks like.
    pub swatch: Swatch,
    /// What it means.
    pub label: String,
}

impl LegendItem {
    /// An entry.
    pub fn new(swatch: Swatch, label: impl Into<String>) -> Self {
        LegendItem {
            swatch,
            label: label.into(),
        }
    }
}

/// The text around a chart.
pub struct Frame<'a> {
    /// What is shown.
    pub title: &'a str,
    /// For which scenario (and plan, trials...).
    pub subtitle: &'a str,
    /// Legend entries, in series order.
    pub legend: &'a [LegendItem],
    /// A note under the chart (assumptions, what is left out); may be empty.
    pub note: &'a str,
}

/// `text` shortened with an ellipsis to fit `max_px` at `size`.
pub fn fit(text: &str, size: f64, max_px: f64) -> Result<String, ChartError> {
    if text_width(text, size)? <= max_px {
        return Ok(text.to_string());
    }
    let chars: Vec<char> = text.chars().collect();
    // Binary search the longest prefix that fits with the ellipsis.
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let candidate: String = chars[..mid].iter().collect::<String>() + "\u{2026}";
        if text_width(&candidate, size)? <= max_px {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let kept: String = chars[..lo].iter().collect();
    Ok(format!("{}\u{2026}", kept.trim_end()))
}

/// Splits `text` into at most `max_lines` lines of at most `max_px` each,
/// breaking at spaces; the last line is shortened with an ellipsis if the
/// text is longer still.
pub fn wrap(
    text: &str,
    size: f64,
    max_px: f64,
    max_lines: usize,
) -> Result<Vec<String>, ChartError> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if current.is_empty() || text_width(&candidate, size)? <= max_px {
            current = candidate;
        } else {
            lines.push(std::mem::replace(&mut current, word.to_string()));
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if lines.len() > max_lines.max(1) {
        let keep = max_lines.max(1) - 1;
        let rest = lines[keep..].join(" ");
        lines.truncate(keep);
        // `fit` on the rest ends it with an ellipsis, since it cannot fit.
        lines.push(rest);
    }
    for line in &mut lines {
        *line = fit(line, size, max_px)?;
    }
    Ok(lines)
}

/// Paints the canvas, title, subtitle, legend and note, and returns the
/// area left for the plot.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    frame: &Frame<'_>,
) -> Result<DrawingArea<DB, Shift>, ChartError>
where
    DB::ErrorType: 'static,
{
    root.fill(&style::PAPER)?;
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let usable = f64::from(w - 2 * SIDE);
    let mut y = 14;
    let title = fit(frame.title, size::TITLE, usable)?;
    root.draw(&Text::new(
        title,
        (SIDE, y),
        style::text(size::TITLE, INK, HPos::Left, VPos::Top),
    ))?;
    y += 34;
    if !frame.subtitle.is_empty() {
        let sub = fit(frame.subtitle, size::SUBTITLE, usable)?;
        root.draw(&Text::new(
            sub,
            (SIDE, y),
            style::text(size::SUBTITLE, MUTED, HPos::Left, VPos::Top),
        ))?;
        y += 26;
    }
    y += 8;
    if !frame.legend.is_empty() {
        y = draw_legend(root, frame.legend, y, usable)?;
        y += 4;
    }
    let mut bottom = 8;
    if !frame.note.is_empty() {
        let lines = wrap(frame.note, size::NOTE, usable, 2)?;
        let line_h = 20;
        bottom += line_h * lines.len() as i32 + 4;
        for (k, line) in lines.iter().enumerate() {
            let ly = h - bottom + 6 + line_h * k as i32;
            root.draw(&Text::new(
                line.clone(),
                (SIDE, ly),
                style::text(size::NOTE, MUTED, HPos::Left, VPos::Top),
            ))?;
        }
    }
    Ok(root.margin(y as u32, bottom as u32, 0, 0))
}

/// Legend entries flowing left to right from `top`, wrapping at the canvas
/// width; returns the y below the legend.
fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    items: &[LegendItem],
    top: i32,
    usable: f64,
) -> Result<i32, ChartError>
where
    DB::ErrorType: 'static,
{
    const SWATCH_W: i32 = 26;
    const GAP: i32 = 7;
    const SPACING: i32 = 26;
    const ROW: i32 = 24;
    let max_label = usable - f64::from(SWATCH_W + GAP);
    let right = SIDE + usable as i32;
    let (mut x, mut y) = (SIDE, top);
    for item in items {
        let label = fit(&item.label, size::LEGEND, max_label)?;
        let lw = text_width(&label, size::LEGEND)? as i32;
        let item_w = SWATCH_W + GAP + lw;
        if x > SIDE && x + item_w > right {
            x = SIDE;
            y += ROW;
        }
        let mid = y + ROW / 2 - 2;
        match item.swatch {
            Swatch::Line(c) => {
                root.draw(&PathElement::new(
                    vec![(x, mid), (x + SWATCH_W, mid)],
                    c.stroke_width(3),
                ))?;
            }
            Swatch::Dashed(c) => {
                for k in 0..3 {
                    let x0 = x + k * 10;
                    root.draw(&PathElement::new(
                        vec![(x0, mid), (x0 + 6, mid)],
                        c.stroke_width(3),
                    ))?;
                }
            }
            Swatch::Fill(c, alpha) => {
                root.draw(&Rectangle::new(
                    [(x, mid - 7), (x + SWATCH_W, mid + 7)],
                    style::translucent(c, alpha).filled(),
                ))?;
            }
        }
        root.draw(&Text::new(
            label,
            (x + SWATCH_W + GAP, mid),
            style::text(size::LEGEND, INK, HPos::Left, VPos::Center),
        ))?;
        x += item_w + SPACING;
    }
    Ok(y + ROW)
}

/// Writes one tick value as a label.
type TickFormatter = Box<dyn Fn(&f64) -> String>;

/// A numeric axis: its range, unit, description and how many ticks.
#[derive(Debug, Clone)]
pub struct Axis {
    /// Lowest value shown.
    pub lo: f64,
    /// Highest value shown.
    pub hi: f64,
    /// How tick labels are written.
    pub unit: Unit,
    /// The axis description, with its unit ("credits used").
    pub label: String,
    /// About how many tick labels (plotters picks round values).
    pub ticks: usize,
    /// Whether plotters draws tick labels (off for category axes the chart
    /// labels itself).
    pub tick_labels: bool,
    /// The width of the label area beside a y axis, when the chart lays
    /// its own labels there (tornado); otherwise sized to the tick labels.
    pub label_area: Option<u32>,
    /// No tick labels below zero: the range reaches below zero only to
    /// give a bar centred on $0 its left half, and "-$4" would suggest a
    /// negative bill.
    pub no_negative_ticks: bool,
}

impl Axis {
    /// A numeric axis over `lo..hi`.
    pub fn new(lo: f64, hi: f64, unit: Unit, label: &str, ticks: usize) -> Axis {
        // Days and months are counted whole: no more ticks than whole units
        // in the range, so a three-month forecast reads 1, 2, 3, not 1.2, 1.4.
        let ticks = match unit {
            Unit::Days | Unit::Months if (hi - lo).is_finite() => {
                ticks.min((hi - lo).floor().max(0.0) as usize + 1).max(2)
            }
            _ => ticks,
        };
        Axis {
            lo,
            hi,
            unit,
            label: label.to_string(),
            ticks,
            tick_labels: true,
            label_area: None,
            no_negative_ticks: false,
        }
    }

    /// The tick values plotters will draw and the formatter for them.
    fn tick_texts(&self) -> (Vec<f64>, TickFormatter) {
        let range: RangedCoordf64 = (self.lo..self.hi).into();
        let kp = range.key_points(self.ticks);
        let step = if kp.len() >= 2 {
            (kp[1] - kp[0]).abs()
        } else {
            (self.hi - self.lo).abs()
        };
        let max_abs = self.lo.abs().max(self.hi.abs());
        let unit = self.unit;
        let hide = self.no_negative_ticks;
        (
            kp,
            Box::new(move |v: &f64| {
                if hide && *v < 0.0 {
                    String::new()
                } else {
                    unit.tick(*v, max_abs, step)
                }
            }),
        )
    }
}

/// The largest magnitude a chart plots. Beyond it (a quadrillion credits or
/// dollars) a value can only be a fault upstream, and plotting it would
/// overflow pixel arithmetic; such values are skipped like NaN.
pub const MAX_MAGNITUDE: f64 = 1e15;

/// Whether `v` can be plotted: finite and within [`MAX_MAGNITUDE`].
pub fn plottable(v: f64) -> bool {
    v.is_finite() && v.abs() <= MAX_MAGNITUDE
}

/// The range `lo..hi` of plottable values in `values`, or `None`.
pub fn finite_range<'a>(values: impl IntoIterator<Item = &'a f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .copied()
        .filter(|&v| plottable(v))
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// `lo..hi` widened so that it is never empty and, for `from_zero`, starts
/// at zero; `headroom` adds that fraction of the span on top.
pub fn padded(lo: f64, hi: f64, from_zero: bool, headroom: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (lo, hi);
    if from_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    // Spans below float resolution at this magnitude count as empty.
    if hi - lo < 1e-9 * hi.abs().max(lo.abs()).max(1.0) {
        let pad = if hi.abs() > 1e-9 { hi.abs() * 0.1 } else { 1.0 };
        hi += pad;
        if !from_zero || lo < 0.0 {
            lo -= pad;
        }
    }
    hi += (hi - lo) * headroom;
    (lo, hi)
}

/// The plot drawn in `area` with axes `x` and `y`: gridlines at the y ticks,
/// tick labels in the axis unit, axis descriptions. The left label area is
/// sized to the widest y tick label so that labels are never clipped.
pub fn cartesian<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x: &Axis,
    y: &Axis,
    x_grid: bool,
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>, ChartError>
where
    DB::ErrorType: 'static,
{
    let (y_ticks, y_fmt) = y.tick_texts();
    let (_, x_fmt) = x.tick_texts();
    let mut widest = 0.0f64;
    if y.tick_labels {
        for v in &y_ticks {
            widest = widest.max(text_width(&y_fmt(v), size::TICK)?);
        }
    }
    let y_area = y
        .label_area
        .unwrap_or((widest + 18.0 + if y.label.is_empty() { 0.0 } else { 30.0 }).ceil() as u32);
    let x_area = if x.label.is_empty() { 34 } else { 54 };
    let mut chart = ChartBuilder::on(area)
        .margin_left(SIDE as u32 - 8)
        .margin_right(SIDE as u32 + 8)
        .margin_top(8)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(x.lo..x.hi, y.lo..y.hi)?;
    let mut mesh = chart.configure_mesh();
    mesh.x_labels(if x.tick_labels { x.ticks } else { 0 })
        .y_labels(if y.tick_labels { y.ticks } else { 0 })
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .x_desc(x.label.clone())
        .y_desc(y.label.clone())
        .label_style(style::text(size::TICK, MUTED, HPos::Center, VPos::Center))
        .axis_desc_style(style::text(
            size::AXIS_LABEL,
            INK,
            HPos::Center,
            VPos::Center,
        ))
        .axis_style(style::AXIS)
        .bold_line_style(style::GRID)
        .light_line_style(TRANSPARENT)
        .x_label_offset(0)
        .set_all_tick_mark_size(4);
    if !x_grid {
        mesh.disable_x_mesh();
    }
    mesh.draw()?;
    Ok(chart)
}

/// A centred message in `area` for a chart with nothing to plot, so that a
/// run with, say, no overage still gets a readable chart, not a crash.
pub fn no_data<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    message: &str,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let (w, h) = area.dim_in_pixel();
    let text = fit(
        message,
        size::SUBTITLE,
        f64::from(w) - 2.0 * f64::from(SIDE),
    )?;
    area.draw(&Text::new(
        text,
        (w as i32 / 2, h as i32 / 2),
        style::text(size::SUBTITLE, MUTED, HPos::Center, VPos::Center),
    ))?;
    Ok(())
}

/// Places labels of the given pixel widths centred at the given x positions
/// on as few rows as possible without overlap (greedy, left to right);
/// returns each label's row.
pub fn stagger(centres_and_widths: &[(f64, f64)], gap: f64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..centres_and_widths.len()).collect();
    order.sort_by(|&a, &b| centres_and_widths[a].0.total_cmp(&centres_and_widths[b].0));
    let mut row_right: Vec<f64> = Vec::new();
    let mut rows = vec![0; centres_and_widths.len()];
    for i in order {
        let (c, w) = centres_and_widths[i];
        let left = c - w / 2.0;
        let row = match row_right.iter().position(|&r| r + gap <= left) {
            Some(r) => r,
            None => {
                row_right.push(f64::NEG_INFINITY);
                row_right.len() - 1
            }
        };
        row_right[row] = c + w / 2.0;
        rows[i] = row;
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stagger_moves_only_overlapping_labels_to_new_rows() {
        // Two far apart share row 0; a third overlapping the first goes to 1.
        let rows = stagger(&[(100.0, 60.0), (400.0, 60.0), (120.0, 60.0)], 4.0);
        assert_eq!(rows, vec![0, 0, 1]);
        // Touching within the gap counts as overlap.
        assert_eq!(stagger(&[(0.0, 10.0), (12.0, 10.0)], 4.0), vec![0, 1]);
        assert_eq!(stagger(&[(0.0, 10.0), (14.0, 10.0)], 4.0), vec![0, 0]);
    }

    #[test]
    fn padded_ranges_are_never_empty() {
        assert_eq!(padded(5.0, 5.0, true, 0.0), (0.0, 5.0));
        assert_eq!(padded(0.0, 0.0, true, 0.0), (0.0, 1.0));
        assert_eq!(padded(3.0, 3.0, false, 0.0), (2.7, 3.3));
        assert_eq!(padded(f64::NAN, 1.0, false, 0.0), (0.0, 1.0));
        assert_eq!(padded(0.0, 10.0, true, 0.1), (0.0, 11.0));
    }

    #[test]
    fn finite_range_ignores_nan_and_infinity() {
        assert_eq!(
            finite_range(&[f64::NAN, 3.0, -1.0, f64::INFINITY]),
            Some((-1.0, 3.0))
        );
        assert_eq!(finite_range(&[f64::NAN]), None);
    }

    #[test]
    fn fit_and_wrap_keep_text_within_width() {
        super::super::font::ensure_registered().unwrap();
        let long = "a scenario name that is far too long to fit in the space given";
        let short = fit(long, 16.0, 120.0).unwrap();
        assert!(short.ends_with('\u{2026}'));
        assert!(text_width(&short, 16.0).unwrap() <= 120.0);
        assert_eq!(fit("ok", 16.0, 120.0).unwrap(), "ok");
        let lines = wrap(long, 16.0, 200.0, 2).unwrap();
        assert_eq!(lines.len(), 2);
        for l in &lines {
            assert!(text_width(l, 16.0).unwrap() <= 200.0, "{l}");
        }
        assert!(lines[1].ends_with('\u{2026}'));
        assert_eq!(
            wrap("two words", 16.0, 500.0, 2).unwrap(),
            vec!["two words"]
        );
    }
}
