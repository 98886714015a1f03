//! Lines with a shaded band: a metric against a swept input with its
//! confidence interval, or any estimate with a low/high range over x.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::fan::Reference;
use super::frame::{self, Axis, Frame, LegendItem, Swatch};
use super::style::{self, series_colour, REFERENCE};
use super::{ChartError, Draw, Unit};

/// One point: the estimate `mid` with its band `lo..hi` at `x`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BandPoint {
    /// Where on the x axis (the swept value).
    pub x: f64,
    /// Lower end of the band.
    pub lo: f64,
    /// The estimate.
    pub mid: f64,
    /// Upper end of the band.
    pub hi: f64,
}

/// One line and its band.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BandSeries {
    /// What the line is: a team kind or "all teams".
    pub label: String,
    /// Its points; non-finite ones are skipped.
    pub points: Vec<BandPoint>,
}

/// Lines with bands over a numeric x.
#[derive(Debug, Clone, Default)]
pub struct LineBand {
    /// What is shown: "Overage per month against the block price".
    pub title: String,
    /// For which scenario.
    pub subtitle: String,
    /// A note under the chart; may be empty.
    pub note: String,
    /// X axis description with unit.
    pub x_label: String,
    /// Y axis description with unit.
    pub y_label: String,
    /// How x is written.
    pub x_unit: Unit,
    /// How y is written.
    pub y_unit: Unit,
    /// What the band is, for the legend: "95% confidence interval".
    pub band_label: String,
    /// The lines.
    pub series: Vec<BandSeries>,
    /// A horizontal line to compare against, if any.
    pub reference: Option<Reference>,
    /// Start the y axis at zero (costs, counts) rather than at the data.
    pub y_from_zero: bool,
}

impl Draw for LineBand {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError>
    where
        DB::ErrorType: 'static,
    {
        let series: Vec<Vec<BandPoint>> = self
            .series
            .iter()
            .map(|s| {
                let mut pts: Vec<BandPoint> = s
                    .points
                    .iter()
                    .copied()
                    .filter(|p| {
                        [p.x, p.lo, p.mid, p.hi]
                            .iter()
                            .all(|&v| frame::plottable(v))
                    })
                    .collect();
                pts.sort_by(|a, b| a.x.total_cmp(&b.x));
                pts
            })
            .collect();
        let reference = self
            .reference
            .as_ref()
            .filter(|r| frame::plottable(r.value));
        let mut legend: Vec<LegendItem> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| LegendItem::new(Swatch::Line(series_colour(i)), s.label.clone()))
            .collect();
        if !self.band_label.is_empty() {
            legend.push(LegendItem::new(
                Swatch::Fill(style::AXIS, 0.3),
                format!("shaded: {}", self.band_label),
            ));
        }
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
        let Some((x_lo, x_hi)) = frame::finite_range(series.iter().flatten().map(|p| &p.x)) else {
            return frame::no_data(&plot, "No data to show");
        };
        let ys = series
            .iter()
            .flatten()
            .flat_map(|p| [&p.lo, &p.hi, &p.mid])
            .chain(reference.map(|r| &r.value));
        let (y_lo, y_hi) = frame::finite_range(ys).unwrap_or((0.0, 1.0));
        // A little room on both sides so end points and markers are whole.
        let x_pad = (x_hi - x_lo) * 0.03;
        let (x_lo, x_hi) = frame::padded(x_lo - x_pad, x_hi + x_pad, false, 0.0);
        let (y_lo, y_hi) = if self.y_from_zero && y_lo >= 0.0 {
            frame::padded(0.0, y_hi, true, 0.08)
        } else {
            let pad = (y_hi - y_lo) * 0.08;
            frame::padded(y_lo - pad, y_hi, false, 0.08)
        };
        let x_axis = Axis::new(x_lo, x_hi, self.x_unit, &self.x_label, 10);
        let y_axis = Axis::new(y_lo, y_hi, self.y_unit, &self.y_label, 8);
        let mut chart = frame::cartesian(&plot, &x_axis, &y_axis, true)?;

        for (i, pts) in series.iter().enumerate() {
            let mut poly: Vec<(f64, f64)> = pts.iter().map(|p| (p.x, p.hi)).collect();
            poly.extend(pts.iter().rev().map(|p| (p.x, p.lo)));
            chart.draw_series(std::iter::once(Polygon::new(
                poly,
                style::translucent(series_colour(i), 0.2).filled(),
            )))?;
        }
        if let Some(r) = reference {
            chart.draw_series(DashedLineSeries::new(
                [(x_lo, r.value), (x_hi, r.value)],
                10,
                6,
                REFERENCE.stroke_width(2),
            ))?;
        }
        for (i, pts) in series.iter().enumerate() {
            let c = series_colour(i);
            chart.draw_series(LineSeries::new(
                pts.iter().map(|p| (p.x, p.mid)),
                c.stroke_width(3),
            ))?;
            // Markers show where the estimates are when there are few.
            if pts.len() <= 40 {
                chart.draw_series(pts.iter().map(|p| Circle::new((p.x, p.mid), 4, c.filled())))?;
            }
        }
        Ok(())
    }
}
