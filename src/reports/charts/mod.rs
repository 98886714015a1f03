//! Charts drawn with plotters, as PNG and SVG, with an embedded font.
//!
//! Every chart kind takes a plain input struct (numbers and labels, no
//! dependency on the engine), so the code that summarises a run only has to
//! fill one in:
//!
//! - [`FanChart`]: percentile bands over days (burn-up per team kind) or
//!   months (forecast by month), with a reference line such as the plan's
//!   allotment and where the bands cross it;
//! - [`HitCdf`]: the share of teams that have hit the limit by each day,
//!   one line per team kind, with the share that never did;
//! - [`Histogram`]: a distribution (overage dollars) with percentiles marked;
//! - [`StackedBars`]: credits by source, stacked per team kind;
//! - [`Tornado`]: the low/high swing of a result per input around a baseline;
//! - [`LineBand`]: lines with a confidence band (sweeps).
//!
//! Wrap one in a [`Chart`], name it in a [`ChartFile`] and [`write_all`]
//! writes `NAME.png` and `NAME.svg` into a folder and returns the
//! [`Figure`]s the HTML report inlines:
//!
//! ```no_run
//! use flowcast::reports::charts::{write_all, ChartFile, HitCdf, HitSeries};
//!
//! let chart = HitCdf {
//!     title: "When teams hit the monthly limit".into(),
//!     subtitle: "Scenario: demo".into(),
//!     x_label: "day of the billing month".into(),
//!     y_label: "teams that have hit the limit".into(),
//!     series: vec![HitSeries { label: "api-team".into(), points: vec![(1.0, 0.0), (30.0, 0.4)], never_hit: 0.6 }],
//!     ..Default::default()
//! };
//! let figures = write_all(
//!     std::path::Path::new("output/demo/charts"),
//!     &[ChartFile::new("limit-hit", "Read across: the share of teams that are out of credits by each day.", chart)],
//! )?;
//! # Ok::<(), flowcast::reports::charts::ChartError>(())
//! ```
//!
//! [`captions`] holds the standard one-line "how to read it" captions.
//!
//! Rendering is deterministic: the same input gives byte-identical files,
//! whatever the number of threads.

pub mod captions;
mod fan;
pub mod font;

mod frame;
mod hist;
mod hit_cdf;
mod line_band;
mod png;
mod stacked;
pub mod style;
pub mod svg;
mod tornado;

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use rayon::prelude::*;

pub use fan::{FanChart, Reference};
pub use hist::{Histogram, Mark};
pub use hit_cdf::{HitCdf, HitSeries};
pub use line_band::{BandPoint, BandSeries, LineBand};
pub use stacked::{BarSeries, StackedBars};
pub use tornado::{Tornado, TornadoBar};

/// Why a chart could not be drawn or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChartError {
    /// The embedded font could not be loaded or measured.
    #[error("font: {0}")]
    Font(String),
    /// plotters failed while drawing.
    #[error("drawing a chart: {0}")]
    Draw(String),
    /// The chart's input is inconsistent (say, 30 days but 29 medians).
    #[error("chart data: {0}")]
    Data(String),
    /// The PNG encoder failed.
    #[error("encoding a PNG: {0}")]
    Encode(String),
    /// A chart file could not be written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
}

impl<E: std::error::Error + Send + Sync + 'static> From<DrawingAreaErrorKind<E>> for ChartError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        ChartError::Draw(e.to_string())
    }
}

/// How the numbers on an axis (and in annotations) are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unit {
    /// Credits: `850`, `1.2k`, `3.4M`.
    Credits,
    /// US dollars: `$250`, `$3,400`, `$1.2M`.
    Dollars,
    /// Days of the billing month: `12`, in annotations `day 12`.
    Days,
    /// Months of a forecast: `3`, in annotations `month 3`.
    Months,
    /// A share 0..1 written as a percentage: `40%`.
    Share,
    /// A count of things (teams, trials): `1.2k`, in annotations `1,234`.
    Count,
    /// Any other number, compact.
    #[default]
    Plain,
}

impl Unit {
    /// A tick label for `v` on an axis whose largest magnitude is `max_abs`
    /// and whose ticks are `step` apart (enough decimals to tell
    /// neighbouring ticks apart, no more).
    pub fn tick(self, v: f64, max_abs: f64, step: f64) -> String {
        use crate::numbers::{compact_tick, dollars_tick, grouped_tick, tick_decimals};
        match self {
            // Below ten thousand whole numbers read best ("2,500"); above,
            // the compact form keeps labels short ("25k").
            Unit::Credits | Unit::Count | Unit::Plain if max_abs < 10_000.0 => {
                grouped_tick(v, tick_decimals(1.0, step))
            }
            Unit::Credits | Unit::Count | Unit::Plain => {
                compact_tick(v, max_abs, tick_decimals(max_abs, step))
            }
            Unit::Dollars => {
                let d = if max_abs >= 1e6 {
                    tick_decimals(max_abs, step)
                } else {
                    tick_decimals(1.0, step)
                };
                dollars_tick(v, max_abs, d)
            }
            Unit::Days | Unit::Months => compact_tick(v, 1.0, tick_decimals(1.0, step)),
            Unit::Share => {
                let d = tick_decimals(1.0, step * 100.0);
                format!("{}%", compact_tick(v * 100.0, 1.0, d))
            }
        }
    }

    /// `v` written for a sentence or label: `1.2k credits`, `$3,400`,
    /// `day 12`, `month 3`, `38.2%`, `1,234`.
    pub fn value(self, v: f64) -> String {
        match self {
            Unit::Credits => crate::numbers::credits(v),
            Unit::Dollars => crate::numbers::dollars(v),
            Unit::Days => crate::numbers::day(v),
            Unit::Months => {
                if v.is_finite() {
                    format!("month {}", crate::numbers::compact(v))
                } else {
                    crate::numbers::NA.to_string()
                }
            }
            Unit::Share => crate::numbers::percent(v),
            Unit::Count => crate::numbers::thousands(v),
            Unit::Plain => crate::numbers::compact(v),
        }
    }
}

/// A chart ready for the HTML report: the SVG text and what to say about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    /// File stem of the chart's files (`NAME.png`, `NAME.svg`).
    pub name: String,
    /// The chart's title.
    pub title: String,
    /// One line telling the reader how to read the chart.
    pub caption: String,
    /// The chart as a standalone SVG document.
    pub svg: String,
}

/// Any chart flowcast draws.
#[derive(Debug, Clone)]
pub enum Chart {
    /// Percentile bands over time with a reference line.
    Fan(FanChart),
    /// Share of teams that hit the limit, by day.
    HitCdf(HitCdf),
    /// A distribution with percentiles marked.
    Histogram(Histogram),
    /// Stacked bars (credits by source per team kind).
    Stacked(StackedBars),
    /// Low/high swings around a baseline.
    Tornado(Tornado),
    /// Lines with confidence bands.
    LineBand(LineBand),
}

macro_rules! chart_from {
    ($($t:ident => $v:ident),*) => {$(
        impl From<$t> for Chart {
            fn from(c: $t) -> Chart {
                Chart::$v(c)
            }
        }
    )*};
}
chart_from!(FanChart => Fan, HitCdf => HitCdf, Histogram => Histogram, StackedBars => Stacked,
    Tornado => Tornado, LineBand => LineBand);

/// What each chart kind implements: drawing itself on any plotters backend,
/// so PNG and SVG come from the same code.
trait Draw {
    fn title(&self) -> &str;
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError>
    where
        DB::ErrorType: 'static;
}

impl Chart {
    fn inner(&self) -> &dyn DrawAny {
        match self {
            Chart::Fan(c) => c,
            Chart::HitCdf(c) => c,
            Chart::Histogram(c) => c,
            Chart::Stacked(c) => c,
            Chart::Tornado(c) => c,
            Chart::LineBand(c) => c,
        }
    }

    /// The chart's title.
    pub fn title(&self) -> &str {
        self.inner().title_any()
    }

    /// The chart as an SVG document (text placed with the embedded font's
    /// metrics; see [`svg`]).
    pub fn to_svg(&self) -> Result<String, ChartError> {
        font::ensure_registered()?;
        let mut out = String::new();
        {
            let backend =
                svg::SvgBackend::new(&mut out, (style::WIDTH, style::HEIGHT), self.title())?;
            let root = backend.into_drawing_area();
            self.inner().draw_svg(&root)?;
            root.present()?;
        }
        Ok(out)
    }

    /// The chart as PNG bytes: drawn into memory and encoded with the
    /// encoder plotters' bitmap backend uses (so the bytes are the same),
    /// keeping file writing, and its errors, out of the drawing library.
    pub fn to_png(&self) -> Result<Vec<u8>, ChartError> {
        use image::ImageEncoder;
        font::ensure_registered()?;
        let (w, h) = (style::WIDTH, style::HEIGHT);
        let mut rgb = vec![0u8; w as usize * h as usize * 3];
        {
            let backend = BitMapBackend::with_buffer(&mut rgb, (w, h));
            let root = png::CrispText::new(backend).into_drawing_area();
            self.inner().draw_png(&root)?;
            root.present()?;
        }
        let mut bytes = Vec::new();
        image::codecs::png::PngEncoder::new(&mut bytes)
            .write_image(&rgb, w, h, image::ColorType::Rgb8)
            .map_err(|e| ChartError::Encode(e.to_string()))?;
        Ok(bytes)
    }

    /// Draws the chart as a PNG into `path`, atomically.
    pub fn write_png(&self, path: &Path) -> Result<(), ChartError> {
        let bytes = self.to_png()?;
        crate::files::write_atomic(path, &bytes).map_err(|source| ChartError::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Writes `NAME.svg` and `NAME.png` into `dir` (the name made safe for
    /// a file name by [`file_stem`]) and returns the report figure.
    pub fn write(&self, dir: &Path, name: &str, caption: &str) -> Result<Figure, ChartError> {
        let stem = file_stem(name);
        let svg = self.to_svg()?;
        let svg_path = dir.join(format!("{stem}.svg"));
        crate::files::write_atomic(&svg_path, svg.as_bytes()).map_err(|source| ChartError::Io {
            path: svg_path.clone(),
            source,
        })?;
        self.write_png(&dir.join(format!("{stem}.png")))?;
        Ok(Figure {
            name: stem,
            title: self.title().to_string(),
            caption: caption.to_string(),
            svg,
        })
    }
}

/// Object-safe glue: a chart drawn on either concrete backend.
trait DrawAny {
    fn title_any(&self) -> &str;
    fn draw_svg(&self, root: &DrawingArea<svg::SvgBackend<'_>, Shift>) -> Result<(), ChartError>;
    fn draw_png(
        &self,
        root: &DrawingArea<png::CrispText<BitMapBackend<'_>>, Shift>,
    ) -> Result<(), ChartError>;
}

impl<T: Draw> DrawAny for T {
    fn title_any(&self) -> &str {
        self.title()
    }
    fn draw_svg(&self, root: &DrawingArea<svg::SvgBackend<'_>, Shift>) -> Result<(), ChartError> {
        self.draw(root)
    }
    fn draw_png(
        &self,
        root: &DrawingArea<png::CrispText<BitMapBackend<'_>>, Shift>,
    ) -> Result<(), ChartError> {
        self.draw(root)
    }
}

/// A chart with the file name and caption it is written under.
#[derive(Debug, Clone)]
pub struct ChartFile {
    /// File stem (made safe by [`file_stem`]).
    pub name: String,
    /// One line telling the reader how to read the chart.
    pub caption: String,
    /// The chart.
    pub chart: Chart,
}

impl ChartFile {
    /// A named chart with its caption.
    pub fn new(
        name: impl Into<String>,
        caption: impl Into<String>,
        chart: impl Into<Chart>,
    ) -> Self {
        ChartFile {
            name: name.into(),
            caption: caption.into(),
            chart: chart.into(),
        }
    }
}

/// Writes every chart's PNG and SVG into `dir`, in parallel, and returns
/// their figures in the given order. On failure the first error in that
/// order is returned (files of charts that did succeed stay, each whole).
pub fn write_all(dir: &Path, charts: &[ChartFile]) -> Result<Vec<Figure>, ChartError> {
    font::ensure_registered()?;
    charts
        .par_iter()
        .map(|c| c.chart.write(dir, &c.name, &c.caption))
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

/// `name` as a safe file stem: ASCII letters and digits kept (lowercased),
/// anything else a single `-`, no leading or trailing `-`; `chart` if
/// nothing is left. Team kind names come from users' scenarios, and must
/// never steer a file outside the charts folder.
pub fn file_stem(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        "chart".to_string()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_are_safe() {
        assert_eq!(file_stem("fan-api team"), "fan-api-team");
        assert_eq!(file_stem("../../etc/passwd"), "etc-passwd");
        assert_eq!(file_stem("Ünïcode"), "n-code");
        assert_eq!(file_stem("///"), "chart");
    }

    #[test]
    fn unit_ticks_and_values() {
        assert_eq!(Unit::Credits.tick(1500.0, 2000.0, 500.0), "1,500");
        assert_eq!(Unit::Credits.tick(15_000.0, 20_000.0, 5000.0), "15k");
        assert_eq!(Unit::Credits.tick(20_000.0, 20_000.0, 10_000.0), "20k");
        assert_eq!(Unit::Plain.tick(0.25, 1.0, 0.25), "0.25");
        assert_eq!(Unit::Dollars.tick(1500.0, 2000.0, 500.0), "$1,500");
        assert_eq!(Unit::Share.tick(0.4, 1.0, 0.2), "40%");
        assert_eq!(Unit::Share.tick(0.025, 0.05, 0.005), "2.5%");
        assert_eq!(Unit::Days.tick(10.0, 30.0, 5.0), "10");
        assert_eq!(Unit::Days.value(17.0), "day 17");
        assert_eq!(Unit::Months.value(3.0), "month 3");
        assert_eq!(Unit::Count.value(1234.0), "1,234");
        assert_eq!(Unit::Dollars.value(3400.0), "$3,400");
    }
}
