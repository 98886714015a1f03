//! When teams hit the limit: the share of teams that have reached their
//! monthly credit limit by each day, one step line per team kind, with the
//! share that never hit it stated in the legend.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{self, Axis, Frame, LegendItem, Swatch};
use super::style::series_colour;
use super::{ChartError, Draw, Unit};

/// One team kind's curve.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HitSeries {
    /// The team kind.
    pub label: String,
    /// (day, share 0..1 of teams that have hit the limit by that day),
    /// non-decreasing in share; non-finite points are skipped.
    pub points: Vec<(f64, f64)>,
    /// Share 0..1 of teams that never hit the limit in the month.
    pub never_hit: f64,
}

/// The cumulative share of teams at their limit, by day.
#[derive(Debug, Clone, Default)]
pub struct HitCdf {
    /// What is shown: "When teams hit the monthly credit limit".
    pub title: String,
    /// For which scenario.
    pub subtitle: String,
    /// A note under the chart; may be empty.
    pub note: String,
    /// X axis description: "day of the billing month".
    pub x_label: String,
    /// Y axis description: "teams that have hit the limit (share)".
    pub y_label: String,
    /// One curve per team kind.
    pub series: Vec<HitSeries>,
}

impl Draw for HitCdf {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError>
    where
        DB::ErrorType: 'static,
    {
        let curves: Vec<Vec<(f64, f64)>> = self
            .series
            .iter()
            .map(|s| {
                let mut pts: Vec<(f64, f64)> = s
                    .points
                    .iter()
                    .copied()
                    .filter(|&(x, y)| frame::plottable(x) && frame::plottable(y))
                    .collect();
                pts.sort_by(|a, b| a.0.total_cmp(&b.0));
                pts
            })
            .collect();
        let legend: Vec<LegendItem> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| {
                LegendItem::new(
                    Swatch::Line(series_colour(i)),
                    format!(
                        "{} (never hit: {})",
                        s.label,
                        crate::numbers::percent(s.never_hit)
                    ),
                )
            })
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
        let all_x = curves.iter().flatten().map(|p| &p.0);
        let Some((x_lo, x_hi)) = frame::finite_range(all_x) else {
            return frame::no_data(&plot, "No data to show");
        };
        let (x_lo, x_hi) = frame::padded(x_lo, x_hi, false, 0.0);
        let top = curves.iter().flatten().map(|p| p.1).fold(0.0, f64::max);
        // The whole 0-100% scale when many teams hit the limit; otherwise
        // zoom in so that a 3% curve is not a flat line, and the axis says so.
        let y_hi = if top > 0.5 {
            1.0
        } else {
            (top * 1.25).max(0.05)
        };
        let x_axis = Axis::new(x_lo, x_hi, Unit::Days, &self.x_label, 12);
        let y_axis = Axis::new(0.0, y_hi, Unit::Share, &self.y_label, 8);
        let mut chart = frame::cartesian(&plot, &x_axis, &y_axis, true)?;
        for (i, pts) in curves.iter().enumerate() {
            // A step line: the share changes on the day a team hits the
            // limit and stays until the next day's value.
            let mut steps: Vec<(f64, f64)> = Vec::with_capacity(pts.len() * 2);
            for (k, &(x, y)) in pts.iter().enumerate() {
                if k > 0 {
                    steps.push((x, pts[k - 1].1));
                }
                steps.push((x, y));
            }
            // Keep only the corners: plotters outlines a thick PNG line from
            // each segment's normals, and runs of repeated or collinear points
            // (days on which the share did not move) bulged the line.
            let steps: Vec<(f64, f64)> = steps
                .iter()
                .enumerate()
                .filter(|&(i, p)| {
                    if i == 0 || i + 1 == steps.len() {
                        return true;
                    }
                    let (a, b) = (steps[i - 1], steps[i + 1]);
                    let flat = a.1 == p.1 && p.1 == b.1;
                    let upright = a.0 == p.0 && p.0 == b.0;
                    *p != a && !flat && !upright
                })
                .map(|(_, p)| *p)
                .collect();
            chart.draw_series(LineSeries::new(steps, series_colour(i).stroke_width(3)))?;
        }
        Ok(())
    }
}
