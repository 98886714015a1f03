//! Stacked bars: where the credits go, by source (run base charge, HTTP,
//! logic, AI Request, Connector, Create with AI, images, agent model calls,
//! MCP tools), one bar per team kind.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::font::text_width;
use super::frame::{self, Axis, Frame, LegendItem, Swatch};
use super::style::{self, series_colour, size, INK};
use super::{ChartError, Draw, Unit};

/// One stacked layer: a source and its value in each category.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BarSeries {
    /// The source: "HTTP Request".
    pub label: String,
    /// Its value per category (same order as the categories); negative or
    /// non-finite values count as zero.
    pub values: Vec<f64>,
}

/// Bars per category, stacked by series.
#[derive(Debug, Clone, Default)]
pub struct StackedBars {
    /// What is shown: "Where the credits go".
    pub title: String,
    /// For which scenario.
    pub subtitle: String,
    /// A note under the chart; may be empty.
    pub note: String,
    /// Y axis description with unit: "credits per team per month (mean)".
    pub y_label: String,
    /// How values are written (ignored when `as_share`).
    pub y_unit: Unit,
    /// The bars (team kinds).
    pub categories: Vec<String>,
    /// The layers, bottom first. A series keeps its palette colour by
    /// position even when it is all zero (and left out of the legend), so a
    /// source has the same colour in every chart.
    pub series: Vec<BarSeries>,
    /// Show each bar as 100% (the mix of sources) rather than totals.
    pub as_share: bool,
    /// Small multiples: each bar in its own panel with its own scale, so a
    /// kind using 100 credits reads as clearly as one using 20,000 (a log
    /// scale would misstate the layers of a stack). Ignored with `as_share`.
    pub own_scales: bool,
}

impl StackedBars {
    /// `value[series][category]`, cleaned and, for `as_share`, normalised.
    fn table(&self) -> Result<Vec<Vec<f64>>, ChartError> {
        let n = self.categories.len();
        let mut t = Vec::with_capacity(self.series.len());
        for s in &self.series {
            if s.values.len() != n {
                return Err(ChartError::Data(format!(
                    "stacked bars \"{}\": series \"{}\" has {} values for {n} categories",
                    self.title,
                    s.label,
                    s.values.len()
                )));
            }
            t.push(
                s.values
                    .iter()
                    .map(|&v| {
                        if frame::plottable(v) && v > 0.0 {
                            v
                        } else {
                            0.0
                        }
                    })
                    .collect::<Vec<f64>>(),
            );
        }
        if self.as_share {
            for c in 0..n {
                let total: f64 = t.iter().map(|row| row[c]).sum();
                if total > 0.0 {
                    for row in &mut t {
                        row[c] /= total;
                    }
                }
            }
        }
        Ok(t)
    }
}

impl Draw for StackedBars {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError>
    where
        DB::ErrorType: 'static,
    {
        let table = self.table()?;
        let n = self.categories.len();
        let legend: Vec<LegendItem> = self
            .series
            .iter()
            .enumerate()
            .filter(|(i, _)| table[*i].iter().any(|&v| v > 0.0))
            .map(|(i, s)| LegendItem::new(Swatch::Fill(series_colour(i), 1.0), s.label.clone()))
            .collect();
        let plot = frame::draw(
            root,
            &Frame {
                title: &self.title,
                subtitle: &self.subtitle,
                legend: &legend,
                note: &self.note,
            },
        )?;
        let totals: Vec<f64> = (0..n)
            .map(|c| table.iter().map(|row| row[c]).sum())
            .collect();
        if n == 0 || totals.iter().all(|&t| t <= 0.0) {
            return frame::no_data(&plot, "No credits to show");
        }
        let unit = if self.as_share {
            Unit::Share
        } else {
            self.y_unit
        };
        if self.own_scales && !self.as_share && n > 1 {
            // One panel per category; the y description once, on the left.
            let panels = plot.split_evenly((1, n));
            for (c, panel) in panels.iter().enumerate() {
                let label = if c == 0 { self.y_label.as_str() } else { "" };
                self.draw_bars(root, panel, &table, &totals, &[c], unit, totals[c], label)?;
            }
            return Ok(());
        }
        let top = totals.iter().copied().fold(0.0, f64::max);
        let all: Vec<usize> = (0..n).collect();
        self.draw_bars(root, &plot, &table, &totals, &all, unit, top, &self.y_label)
    }
}

impl StackedBars {
    /// Draws the bars of `cats` side by side in `area`, on a y scale up to
    /// `top` (plus headroom for the totals written above the bars).
    #[allow(clippy::too_many_arguments)]
    fn draw_bars<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        area: &DrawingArea<DB, Shift>,
        table: &[Vec<f64>],
        totals: &[f64],
        cats: &[usize],
        unit: Unit,
        top: f64,
        y_label: &str,
    ) -> Result<(), ChartError>
    where
        DB::ErrorType: 'static,
    {
        let n = cats.len();
        let y_hi = if self.as_share {
            1.08
        } else {
            top.max(1.0) * 1.1
        };
        let mut x_axis = Axis::new(-0.5, n as f64 - 0.5, Unit::Plain, "", n);
        x_axis.tick_labels = false;
        let y_axis = Axis::new(0.0, y_hi, unit, y_label, if n == 1 { 6 } else { 8 });
        let mut chart = frame::cartesian(area, &x_axis, &y_axis, false)?;

        let slot_px = {
            let a = chart.backend_coord(&(0.0, 0.0)).0;
            let b = chart.backend_coord(&(1.0, 0.0)).0;
            f64::from((b - a).abs())
        };
        // One bar in a narrow panel: wider, so its labels fit.
        let half = if n == 1 { 0.35 } else { 0.3 };
        let bar_px = slot_px * 2.0 * half;
        for (x, &c) in cats.iter().enumerate() {
            let x = x as f64;
            let mut base = 0.0;
            for (i, row) in table.iter().enumerate() {
                let v = row[c];
                if v <= 0.0 {
                    continue;
                }
                let colour = series_colour(i);
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x - half, base), (x + half, base + v)],
                    colour.filled(),
                )))?;
                // The segment's value inside it when there is room.
                let (_, y_top) = chart.backend_coord(&(x, base + v));
                let (cx, y_bottom) = chart.backend_coord(&(x, base));
                let label = unit_short(unit, v);
                if y_bottom - y_top >= 20 && text_width(&label, size::NOTE)? + 8.0 <= bar_px {
                    let ink = if style::wants_white_text(colour) {
                        style::PAPER
                    } else {
                        INK
                    };
                    root.draw(&Text::new(
                        label,
                        (cx, (y_top + y_bottom) / 2),
                        style::text(size::NOTE, ink, HPos::Center, VPos::Center),
                    ))?;
                }
                base += v;
            }
            let (cx, y_top) = chart.backend_coord(&(x, totals[c]));
            if !self.as_share {
                root.draw(&Text::new(
                    format!("total {}", unit_short(unit, totals[c])),
                    (cx, y_top - 6),
                    style::text(size::NOTE, INK, HPos::Center, VPos::Bottom),
                ))?;
            }
            // The category under its bar, shortened to its slot.
            let (_, axis_y) = chart.backend_coord(&(x, 0.0));
            let name = frame::fit(&self.categories[c], size::TICK + 1.0, slot_px - 10.0)?;
            root.draw(&Text::new(
                name,
                (cx, axis_y + 10),
                style::text(size::TICK + 1.0, INK, HPos::Center, VPos::Top),
            ))?;
        }
        Ok(())
    }
}

/// A value short enough to sit inside a bar: `1.2k`, `$3,400`, `38%`.
fn unit_short(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Share => format!("{}%", crate::numbers::compact((v * 100.0).round())),
        Unit::Dollars => crate::numbers::dollars(v),
        // Whole numbers with separators up to 10k, as on the axis.
        _ if (100.0..10_000.0).contains(&v) => crate::numbers::thousands(v),
        _ => crate::numbers::compact(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars(as_share: bool) -> StackedBars {
        StackedBars {
            title: "t".into(),
            categories: vec!["a".into(), "b".into()],
            series: vec![
                BarSeries {
                    label: "x".into(),
                    values: vec![1.0, 3.0],
                },
                BarSeries {
                    label: "y".into(),
                    values: vec![3.0, f64::NAN],
                },
            ],
            as_share,
            ..Default::default()
        }
    }

    #[test]
    fn shares_normalise_each_bar_and_bad_values_count_as_zero() {
        assert_eq!(
            bars(false).table().unwrap(),
            vec![vec![1.0, 3.0], vec![3.0, 0.0]]
        );
        assert_eq!(
            bars(true).table().unwrap(),
            vec![vec![0.25, 1.0], vec![0.75, 0.0]]
        );
    }

    #[test]
    fn a_series_of_the_wrong_length_is_an_error() {
        let mut b = bars(false);
        b.series[0].values.pop();
        assert!(b
            .table()
            .unwrap_err()
            .to_string()
            .contains("has 1 values for 2 categories"));
    }
}
