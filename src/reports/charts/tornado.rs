//! Tornado chart: how far a result swings when each input moves from its
//! low to its high setting, one horizontal bar per input around the
//! baseline result, widest swing on top.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::font::text_width;
use super::frame::{self, Axis, Frame, LegendItem, Swatch};
use super::style::{self, size, INK, OKABE_ITO};
use super::{ChartError, Draw, Unit};

/// One input's swing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TornadoBar {
    /// The input and its range: "overage block price ($5 to $20)".
    pub label: String,
    /// The result with the input at its low setting.
    pub low: f64,
    /// The result with the input at its high setting.
    pub high: f64,
}

/// Swings of a result per input around a baseline.
#[derive(Debug, Clone, Default)]
pub struct Tornado {
    /// What is shown: "What moves the yearly overage bill".
    pub title: String,
    /// For which scenario.
    pub subtitle: String,
    /// A note under the chart; may be empty.
    pub note: String,
    /// X axis description with unit: "overage per year (USD)".
    pub x_label: String,
    /// How values are written.
    pub x_unit: Unit,
    /// The result with every input at its baseline.
    pub baseline: f64,
    /// Legend text for the low-setting side ("input at its low setting").
    pub low_label: String,
    /// Legend text for the high-setting side ("input at its high setting").
    pub high_label: String,
    /// One bar per input, in any order (drawn widest swing first).
    pub bars: Vec<TornadoBar>,
}

/// The colour of the low-setting side (blue) and the high-setting side
/// (orange): a pair every common colour vision tells apart.
const LOW: RGBColor = OKABE_ITO[0];
const HIGH: RGBColor = OKABE_ITO[1];

impl Tornado {
    /// Finite bars, widest swing first (ties keep their given order).
    fn sorted(&self) -> Vec<&TornadoBar> {
        let mut bars: Vec<&TornadoBar> = self
            .bars
            .iter()
            .filter(|b| frame::plottable(b.low) && frame::plottable(b.high))
            .collect();
        bars.sort_by(|a, b| (b.high - b.low).abs().total_cmp(&(a.high - a.low).abs()));
        bars
    }
}

impl Draw for Tornado {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError>
    where
        DB::ErrorType: 'static,
    {
        let or = |s: &str, d: &str| {
            if s.is_empty() {
                d.to_string()
            } else {
                s.to_string()
            }
        };
        let legend = vec![
            LegendItem::new(
                Swatch::Fill(LOW, 1.0),
                or(&self.low_label, "input at its low setting"),
            ),
            LegendItem::new(
                Swatch::Fill(HIGH, 1.0),
                or(&self.high_label, "input at its high setting"),
            ),
            LegendItem::new(
                Swatch::Line(INK),
                format!("baseline: {}", self.x_unit.value(self.baseline)),
            ),
        ];
        let plot = frame::draw(
            root,
            &Frame {
                title: &self.title,
                subtitle: &self.subtitle,
                legend: &legend,
                note: &self.note,
            },
        )?;
        let bars = self.sorted();
        if bars.is_empty() || !frame::plottable(self.baseline) {
            return frame::no_data(&plot, "No inputs to show");
        }
        let n = bars.len();
        let values = bars
            .iter()
            .flat_map(|b| [&b.low, &b.high])
            .chain(std::iter::once(&self.baseline));
        let (lo, hi) = frame::finite_range(values).unwrap_or((0.0, 1.0));
        // Room at both ends for the value labels.
        let span = (hi - lo).max(hi.abs().max(1.0) * 1e-6);
        let (x_lo, x_hi) = frame::padded(lo - span * 0.14, hi + span * 0.14, false, 0.0);

        // The inputs' names go left of the plot, shortened to at most 40% of
        // the canvas; the label area is sized to the widest.
        let (pw, _) = plot.dim_in_pixel();
        let max_name = f64::from(pw) * 0.4;
        let names: Vec<String> = bars
            .iter()
            .map(|b| frame::fit(&b.label, size::TICK + 1.0, max_name))
            .collect::<Result<_, _>>()?;
        let widest = names
            .iter()
            .map(|s| text_width(s, size::TICK + 1.0))
            .try_fold(0.0f64, |m, w| w.map(|w| m.max(w)))?;
        let x_axis = Axis::new(x_lo, x_hi, self.x_unit, &self.x_label, 8);
        let mut y_axis = Axis::new(-0.5, n as f64 - 0.5, Unit::Plain, "", n);
        y_axis.tick_labels = false;
        y_axis.label_area = Some((widest + 22.0).ceil() as u32);
        let mut chart = frame::cartesian(&plot, &x_axis, &y_axis, true)?;

        let thickness = 0.32;
        for (i, (bar, name)) in bars.iter().zip(&names).enumerate() {
            // Widest on top: bar i sits at y = n - 1 - i.
            let y = (n - 1 - i) as f64;
            for (value, colour) in [(bar.low, LOW), (bar.high, HIGH)] {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(self.baseline, y - thickness), (value, y + thickness)],
                    colour.filled(),
                )))?;
            }
            // Each end's value beyond it, on the side it extends to.
            // A setting that leaves the result at baseline has no bar and
            // gets no label (the legend states the baseline).
            for value in [bar.low, bar.high]
                .into_iter()
                .filter(|&v| v != self.baseline)
            {
                let (px, py) = chart.backend_coord(&(value, y));
                let right = value >= self.baseline;
                let (dx, anchor) = if right {
                    (6, HPos::Left)
                } else {
                    (-6, HPos::Right)
                };
                root.draw(&Text::new(
                    self.x_unit.value(value),
                    (px + dx, py),
                    style::text(size::NOTE, INK, anchor, VPos::Center),
                ))?;
            }
            let (left, py) = chart.backend_coord(&(x_lo, y));
            root.draw(&Text::new(
                name.clone(),
                (left - 10, py),
                style::text(size::TICK + 1.0, INK, HPos::Right, VPos::Center),
            ))?;
        }
        chart.draw_series(LineSeries::new(
            [(self.baseline, -0.5), (self.baseline, n as f64 - 0.5)],
            INK.stroke_width(2),
        ))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_sort_by_swing_and_drop_non_finite() {
        let t = Tornado {
            bars: vec![
                TornadoBar {
                    label: "small".into(),
                    low: 9.0,
                    high: 11.0,
                },
                TornadoBar {
                    label: "nan".into(),
                    low: f64::NAN,
                    high: 1.0,
                },
                TornadoBar {
                    label: "big".into(),
                    low: 15.0,
                    high: 2.0,
                },
                TornadoBar {
                    label: "mid".into(),
                    low: 8.0,
                    high: 13.0,
                },
            ],
            ..Default::default()
        };
        let order: Vec<&str> = t.sorted().iter().map(|b| b.label.as_str()).collect();
        assert_eq!(order, ["big", "mid", "small"]);
    }
}
