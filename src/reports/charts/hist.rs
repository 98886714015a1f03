//! Histogram with marked percentiles: the distribution of overage cost per
//! team kind, and of the whole population's total for finance.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::font::text_width;
use super::frame::{self, Axis, Frame, LegendItem, Swatch};
use super::style::{self, size, INK, PRIMARY};
use super::{ChartError, Draw, Unit};

/// A vertical line at a value, with its name: ("P90", 1234.0).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Mark {
    /// Short name: "P50".
    pub label: String,
    /// Where, in x units.
    pub value: f64,
}

/// Counts in bins, with percentiles marked.
#[derive(Debug, Clone, Default)]
pub struct Histogram {
    /// What is shown: "Overage cost per team-month: api-team".
    pub title: String,
    /// For which scenario.
    pub subtitle: String,
    /// A note under the chart, e.g. the assumed overage block price, or
    /// "62% of teams paid no overage (not shown)"; may be empty.
    pub note: String,
    /// X axis description with unit: "overage cost per month (USD)".
    pub x_label: String,
    /// Y axis description: "team-months".
    pub y_label: String,
    /// How x is written.
    pub x_unit: Unit,
    /// What a bar counts, for the legend: "simulated team-months".
    pub bar_label: String,
    /// Bin edges, ascending: one more than `counts`.
    pub bin_edges: Vec<f64>,
    /// Count in each bin.
    pub counts: Vec<u64>,
    /// Percentiles to mark (P50, P90, P99).
    pub marks: Vec<Mark>,
}

impl Draw for Histogram {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError>
    where
        DB::ErrorType: 'static,
    {
        if !self.counts.is_empty() && self.bin_edges.len() != self.counts.len() + 1 {
            return Err(ChartError::Data(format!(
                "histogram \"{}\": {} bin edges for {} counts (need one more edge than counts)",
                self.title,
                self.bin_edges.len(),
                self.counts.len()
            )));
        }
        let bins: Vec<(f64, f64, u64)> = self
            .counts
            .iter()
            .enumerate()
            .map(|(i, &c)| (self.bin_edges[i], self.bin_edges[i + 1], c))
            .filter(|(a, b, _)| frame::plottable(*a) && frame::plottable(*b) && b >= a)
            .collect();
        let marks: Vec<&Mark> = self
            .marks
            .iter()
            .filter(|m| frame::plottable(m.value))
            .collect();
        let bar_label = if self.bar_label.is_empty() {
            "count per bin"
        } else {
            &self.bar_label
        };
        let mut legend = vec![LegendItem::new(Swatch::Fill(PRIMARY, 1.0), bar_label)];
        if !marks.is_empty() {
            let names: Vec<&str> = marks.iter().map(|m| m.label.as_str()).collect();
            legend.push(LegendItem::new(
                Swatch::Dashed(INK),
                format!("percentiles: {}", names.join(", ")),
            ));
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
        if bins.is_empty() || bins.iter().all(|b| b.2 == 0) {
            return frame::no_data(&plot, "No values to show");
        }
        let edges = bins.iter().flat_map(|b| [&b.0, &b.1]);
        let (mut x_lo, mut x_hi) =
            frame::finite_range(edges.chain(marks.iter().map(|m| &m.value))).unwrap_or((0.0, 1.0));
        (x_lo, x_hi) = frame::padded(x_lo, x_hi, false, 0.0);
        let max_count = bins.iter().map(|b| b.2).max().unwrap_or(1) as f64;

        // Mark labels sit in rows at the top of the plot; leave headroom for
        // them. Rows are estimated on an approximate x scale, then placed on
        // the exact one.
        // Marks that read the same (P90 and P99 both $25) share one line
        // and one label: "P90, P99 $25".
        let mut merged: Vec<(String, f64, String)> = Vec::new();
        for m in &marks {
            let value_text = self.x_unit.value(m.value);
            match merged.iter_mut().find(|(_, _, v)| *v == value_text) {
                Some((names, _, _)) => {
                    names.push_str(", ");
                    names.push_str(&m.label);
                }
                None => merged.push((m.label.clone(), m.value, value_text)),
            }
        }
        let texts: Vec<String> = merged
            .iter()
            .map(|(names, _, v)| format!("{names} {v}"))
            .collect();
        let marks: Vec<Mark> = merged
            .iter()
            .map(|(label, value, _)| Mark {
                label: label.clone(),
                value: *value,
            })
            .collect();
        let widths: Vec<f64> = texts
            .iter()
            .map(|t| text_width(t, size::NOTE).map(|w| w + 10.0))
            .collect::<Result<_, _>>()?;
        let (pw, ph) = plot.dim_in_pixel();
        let approx_w = f64::from(pw).max(200.0) - 150.0;
        let approx: Vec<(f64, f64)> = marks
            .iter()
            .zip(&widths)
            .map(|(m, &w)| ((m.value - x_lo) / (x_hi - x_lo) * approx_w, w))
            .collect();
        let n_rows = frame::stagger(&approx, 8.0)
            .into_iter()
            .max()
            .map_or(0, |r| r + 1);
        let approx_h = (f64::from(ph) - 90.0).max(100.0);
        let reserved = ((n_rows as f64) * 22.0 + 12.0) / approx_h;
        let y_hi = max_count * 1.04 / (1.0 - reserved.min(0.6));

        let mut x_axis = Axis::new(x_lo, x_hi, self.x_unit, &self.x_label, 10);
        // Bars centred on whole amounts (a $0 bill drawn from -$5 to $5):
        // no value lies below zero, so no tick says one does.
        x_axis.no_negative_ticks = bins.iter().all(|b| b.0 + b.1 >= 0.0);
        let y_axis = Axis::new(0.0, y_hi, Unit::Count, &self.y_label, 8);
        let mut chart = frame::cartesian(&plot, &x_axis, &y_axis, false)?;
        let bar = PRIMARY.filled();
        chart.draw_series(
            bins.iter()
                .filter(|b| b.2 > 0)
                .map(|&(a, b, c)| Rectangle::new([(a, 0.0), (b, c as f64)], bar)),
        )?;
        // Thin paper-coloured gaps between bars, so neighbouring bins read
        // as separate bars.
        chart.draw_series(bins.iter().skip(1).map(|&(a, _, _)| {
            PathElement::new(vec![(a, 0.0), (a, max_count)], style::PAPER.stroke_width(1))
        }))?;

        let placed: Vec<(i32, f64)> = marks
            .iter()
            .zip(&widths)
            .map(|(m, &w)| (chart.backend_coord(&(m.value, 0.0)).0, w))
            .collect();
        let rows = frame::stagger(
            &placed
                .iter()
                .map(|&(x, w)| (f64::from(x), w))
                .collect::<Vec<_>>(),
            8.0,
        );
        let (_, top) = chart.backend_coord(&(x_lo, y_hi));
        let (right, bottom) = chart.backend_coord(&(x_hi, 0.0));
        let (left, _) = chart.backend_coord(&(x_lo, 0.0));
        for ((&(px, w), text), row) in placed.iter().zip(&texts).zip(rows) {
            let label_y = top + 4 + 22 * row as i32;
            root.draw(&DashedPathElement::new(
                vec![(px, label_y + 20), (px, bottom)],
                8,
                5,
                ShapeStyle::from(&INK).stroke_width(2),
            ))?;
            // Keep the label inside the plot at the edges.
            let half = (w / 2.0) as i32;
            let cx = px.min(right - half).max(left + half);
            root.draw(&Rectangle::new(
                [(cx - half, label_y), (cx + half, label_y + 20)],
                ShapeStyle::from(&style::PAPER).filled(),
            ))?;
            root.draw(&Text::new(
                text.clone(),
                (cx, label_y + 10),
                style::text(size::NOTE, INK, HPos::Center, VPos::Center),
            ))?;
        }
        Ok(())
    }
}
