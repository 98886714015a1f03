//! Fan chart: percentile bands of a cumulative quantity over time, with a
//! reference line and where the bands cross it.
//!
//! Used for the burn-up of credits by day of the billing month per team
//! kind (reference: the plan's allotment) and, with months on the x axis,
//! for the forecast of monthly overage by month.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::font::text_width;
use super::frame::{self, Axis, Frame, LegendItem, Swatch};
use super::style::{self, size, INK, PRIMARY, REFERENCE};
use super::{ChartError, Draw, Unit};

/// A horizontal line to compare against, e.g. the plan's allotment.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reference {
    /// What the line is, for the legend: "Team plan allotment (100 credits)".
    pub label: String,
    /// Where it is, in y units.
    pub value: f64,
}

/// Percentile bands over x (days or months). All percentile vectors must be
/// as long as `x`; points with a non-finite value are skipped.
#[derive(Debug, Clone, Default)]
pub struct FanChart {
    /// What is shown: "Credits used by day: api-team".
    pub title: String,
    /// For which scenario: "Scenario: acme, team plan, 10,000 trials".
    pub subtitle: String,
    /// A note under the chart (assumptions); may be empty.
    pub note: String,
    /// X axis description with unit: "day of the billing month".
    pub x_label: String,
    /// Y axis description with unit: "credits used (cumulative)".
    pub y_label: String,
    /// How x is written (days or months).
    pub x_unit: Unit,
    /// How y is written (credits or dollars).
    pub y_unit: Unit,
    /// The x positions (day 1..30, or month 1..12).
    pub x: Vec<f64>,
    /// 10th percentile at each x.
    pub p10: Vec<f64>,
    /// 25th percentile at each x.
    pub p25: Vec<f64>,
    /// Median at each x.
    pub p50: Vec<f64>,
    /// 75th percentile at each x.
    pub p75: Vec<f64>,
    /// 90th percentile at each x.
    pub p90: Vec<f64>,
    /// The line to compare with (allotment), if any.
    pub reference: Option<Reference>,
    /// Lines for the box in the plot's corner, e.g. when teams hit the
    /// limit in the hit-time convention of the tables. Empty: the box
    /// lists where each band reaches the reference, and marks it.
    pub box_lines: Vec<String>,
}

/// The first x at which the piecewise-linear series `(x, y)` reaches
/// `level` (interpolated between points), or `None` if it never does.
pub(crate) fn first_crossing(points: &[(f64, f64)], level: f64) -> Option<f64> {
    let mut prev: Option<(f64, f64)> = None;
    for &(x, y) in points {
        if y >= level {
            return Some(match prev {
                Some((px, py)) if y > py => px + (x - px) * (level - py) / (y - py),
                _ => x,
            });
        }
        prev = Some((x, y));
    }
    None
}

impl FanChart {
    /// Rows of (x, p10, p25, p50, p75, p90) with every value finite.
    fn rows(&self) -> Result<Vec<[f64; 6]>, ChartError> {
        let n = self.x.len();
        for (name, v) in [
            ("p10", &self.p10),
            ("p25", &self.p25),
            ("p50", &self.p50),
            ("p75", &self.p75),
            ("p90", &self.p90),
        ] {
            if v.len() != n {
                return Err(ChartError::Data(format!(
                    "fan chart \"{}\": {name} has {} values but x has {n}",
                    self.title,
                    v.len()
                )));
            }
        }
        let mut rows: Vec<[f64; 6]> = (0..n)
            .map(|i| {
                [
                    self.x[i],
                    self.p10[i],
                    self.p25[i],
                    self.p50[i],
                    self.p75[i],
                    self.p90[i],
                ]
            })
            .filter(|r| r.iter().all(|&v| frame::plottable(v)))
            .collect();
        rows.sort_by(|a, b| a[0].total_cmp(&b[0]));
        Ok(rows)
    }
}

impl Draw for FanChart {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError>
    where
        DB::ErrorType: 'static,
    {
        let rows = self.rows()?;
        let reference = self
            .reference
            .as_ref()
            .filter(|r| frame::plottable(r.value));
        let mut legend = vec![
            LegendItem::new(Swatch::Fill(PRIMARY, 0.18), "P10\u{2013}P90 (middle 80%)"),
            LegendItem::new(Swatch::Fill(PRIMARY, 0.42), "P25\u{2013}P75 (middle half)"),
            LegendItem::new(Swatch::Line(PRIMARY), "median (P50)"),
        ];
        if let Some(r) = reference {
            legend.push(LegendItem::new(Swatch::Dashed(REFERENCE), r.label.clone()));
        }
        let plot = frame::draw(
            root,
            &Frame {
                title: &self.title,
                subtitle: &self.subtitle,
                legend: &legend,
                note: &self.note,
            },
        )?;
        if rows.is_empty() {
            return frame::no_data(&plot, "No data to show");
        }
        let (x_lo, x_hi) = frame::finite_range(rows.iter().map(|r| &r[0])).unwrap_or((0.0, 1.0));
        let (x_lo, x_hi) = frame::padded(x_lo, x_hi, false, 0.0);
        let mut y_max = rows.iter().map(|r| r[5]).fold(0.0, f64::max);
        if let Some(r) = reference {
            y_max = y_max.max(r.value);
        }
        let (y_lo, y_hi) = frame::padded(0.0, y_max, true, 0.08);
        let x_axis = Axis::new(x_lo, x_hi, self.x_unit, &self.x_label, 12);
        let y_axis = Axis::new(y_lo, y_hi, self.y_unit, &self.y_label, 8);
        let mut chart = frame::cartesian(&plot, &x_axis, &y_axis, true)?;

        // Outer band, inner band, then the median on top.
        for (lo, hi, alpha) in [(1, 5, 0.18), (2, 4, 0.42)] {
            let mut poly: Vec<(f64, f64)> = rows.iter().map(|r| (r[0], r[hi])).collect();
            poly.extend(rows.iter().rev().map(|r| (r[0], r[lo])));
            chart.draw_series(std::iter::once(Polygon::new(
                poly,
                style::translucent(PRIMARY, alpha).filled(),
            )))?;
        }
        chart.draw_series(LineSeries::new(
            rows.iter().map(|r| (r[0], r[3])),
            PRIMARY.stroke_width(3),
        ))?;

        let Some(r) = reference else {
            return Ok(());
        };
        chart.draw_series(DashedLineSeries::new(
            [(x_lo, r.value), (x_hi, r.value)],
            10,
            6,
            REFERENCE.stroke_width(2),
        ))?;

        // Where the bands reach the reference: marked on the line and
        // listed in a box in the plot's top-left corner, which a rising
        // burn-up leaves empty; or the caller's own lines for that box.
        let lines = if self.box_lines.is_empty() {
            self.mark_crossings(root, &mut chart, &rows, r)?
        } else {
            self.box_lines.clone()
        };
        let (left, top) = chart.backend_coord(&(x_lo, y_hi));
        let (right, bottom) = chart.backend_coord(&(x_hi, y_lo));
        let box_w = lines
            .iter()
            .map(|l| text_width(l, size::NOTE).unwrap_or(200.0))
            .fold(0.0, f64::max) as i32
            + 20;
        let box_h = 20 * lines.len() as i32 + 12;
        // Top-left suits a rising burn-up; if the outer band reaches in
        // there, try bottom-right, which lies under it.
        let band: Vec<(i32, i32, i32)> = rows
            .iter()
            .map(|row| {
                let (px, y90) = chart.backend_coord(&(row[0], row[5]));
                let (_, y10) = chart.backend_coord(&(row[0], row[1]));
                (px, y90, y10)
            })
            .collect();
        let clear = |bx: i32, by: i32| {
            band.iter()
                .filter(|&&(px, _, _)| px >= bx - 4 && px <= bx + box_w + 4)
                .all(|&(_, y90, y10)| y10 < by - 4 || y90 > by + box_h + 4)
        };
        let candidates = [
            (left + 10, top + 10),
            (right - 10 - box_w, bottom - 10 - box_h),
        ];
        let (bx, by) = candidates
            .iter()
            .copied()
            .find(|&(bx, by)| clear(bx, by))
            .unwrap_or(candidates[0]);
        root.draw(&Rectangle::new(
            [(bx, by), (bx + box_w, by + box_h)],
            ShapeStyle::from(&style::PAPER).filled(),
        ))?;
        root.draw(&Rectangle::new(
            [(bx, by), (bx + box_w, by + box_h)],
            ShapeStyle::from(&style::GRID).stroke_width(1),
        ))?;
        for (k, line) in lines.iter().enumerate() {
            root.draw(&Text::new(
                line.clone(),
                (bx + 10, by + 8 + 20 * k as i32),
                style::text(size::NOTE, INK, HPos::Left, VPos::Top),
            ))?;
        }
        Ok(())
    }
}

impl FanChart {
    /// Marks where each band reaches the reference `r` and returns the
    /// box's lines naming them. A band's percentile p reaching it means the
    /// top (100 - p)% of teams have. Mark names are drawn only when they
    /// fit side by side: when teams hit on the first days the marks crowd
    /// at the axis, and the box says the same.
    fn mark_crossings<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
        rows: &[[f64; 6]],
        r: &Reference,
    ) -> Result<Vec<String>, ChartError>
    where
        DB::ErrorType: 'static,
    {
        let mut lines = vec![format!(
            "Reaches {}:",
            short_reference(&r.label, self.y_unit, r.value)
        )];
        let mut marks = Vec::new();
        for (name, long, col) in [
            ("P90", "P90 (top 10%)", 5),
            ("P75", "P75 (top 25%)", 4),
            ("median", "median (top half)", 3),
            ("P25", "P25 (top 75%)", 2),
            ("P10", "P10 (top 90%)", 1),
        ] {
            let pts: Vec<(f64, f64)> = rows.iter().map(|row| (row[0], row[col])).collect();
            match first_crossing(&pts, r.value) {
                Some(x) => {
                    lines.push(format!(
                        "{long}: {}",
                        self.x_unit.value(period_of(x, self.x_unit))
                    ));
                    marks.push((name, x));
                }
                None => lines.push(format!("{long}: not reached")),
            }
        }
        chart.draw_series(
            marks.iter().map(|&(_, x)| {
                Circle::new((x, r.value), 6, ShapeStyle::from(&INK).stroke_width(2))
            }),
        )?;
        let placed: Vec<((i32, i32), f64, &str)> = marks
            .iter()
            .map(|&(name, x)| {
                let at = chart.backend_coord(&(x, r.value));
                let w = text_width(name, size::NOTE).unwrap_or(40.0);
                (at, w, name)
            })
            .collect();
        let rows_of = frame::stagger(
            &placed
                .iter()
                .map(|&((px, _), w, _)| (f64::from(px), w))
                .collect::<Vec<_>>(),
            6.0,
        );
        if rows_of.iter().any(|&row| row > 0) {
            return Ok(lines);
        }
        for &((px, py), w, name) in &placed {
            let y = py - 12;
            let half = (w / 2.0) as i32 + 3;
            // A paper patch keeps the name readable over the bands.
            root.draw(&Rectangle::new(
                [(px - half, y - 17), (px + half, y)],
                style::translucent(style::PAPER, 0.85).filled(),
            ))?;
            root.draw(&Text::new(
                name.to_string(),
                (px, y),
                style::text(size::NOTE, INK, HPos::Center, VPos::Bottom),
            ))?;
        }
        Ok(lines)
    }
}

/// The day (or month) in which an interpolated crossing at `x` happens:
/// values are at the end of each day, so a crossing between the ends of
/// days 10 and 11 happens on day 11.
fn period_of(x: f64, unit: Unit) -> f64 {
    match unit {
        Unit::Days | Unit::Months => (x - 1e-9).ceil(),
        _ => x,
    }
}

/// The reference as a short phrase for the crossings box: the label's part
/// before any parenthesis, with its value ("allotment (100 credits)").
fn short_reference(label: &str, unit: Unit, value: f64) -> String {
    let name = label.split('(').next().unwrap_or(label).trim();
    let name = if name.is_empty() { "the line" } else { name };
    format!("{name} ({})", unit.value(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossing_is_interpolated_between_days() {
        // 0 on day 1, 100 on day 11: reaches 50 on day 6.
        let pts = [(1.0, 0.0), (11.0, 100.0), (21.0, 200.0)];
        assert_eq!(first_crossing(&pts, 50.0), Some(6.0));
        assert_eq!(first_crossing(&pts, 100.0), Some(11.0));
        assert_eq!(first_crossing(&pts, 0.0), Some(1.0));
        assert_eq!(first_crossing(&pts, 201.0), None);
        // A flat stretch at the level: the first point at the level counts.
        assert_eq!(first_crossing(&[(1.0, 5.0), (2.0, 5.0)], 5.0), Some(1.0));
    }

    #[test]
    fn mismatched_lengths_are_an_error_not_a_panic() {
        let chart = FanChart {
            title: "t".into(),
            x: vec![1.0, 2.0],
            p10: vec![0.0],
            p25: vec![0.0, 1.0],
            p50: vec![0.0, 1.0],
            p75: vec![0.0, 1.0],
            p90: vec![0.0, 1.0],
            ..Default::default()
        };
        let err = chart.rows().unwrap_err().to_string();
        assert!(err.contains("p10 has 1 values but x has 2"), "{err}");
    }

    #[test]
    fn crossings_fall_on_the_day_they_happen() {
        assert_eq!(period_of(10.2, Unit::Days), 11.0);
        assert_eq!(period_of(11.0, Unit::Days), 11.0);
        assert_eq!(period_of(2.5, Unit::Credits), 2.5);
    }

    #[test]
    fn reference_phrase_keeps_the_name_and_adds_the_value() {
        assert_eq!(
            short_reference("Team plan allotment (100 credits)", Unit::Credits, 100.0),
            "Team plan allotment (100 credits)"
        );
        assert_eq!(
            short_reference("", Unit::Credits, 1500.0),
            "the line (1.5k credits)"
        );
    }
}
