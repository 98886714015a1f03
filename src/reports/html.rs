//! The one-file HTML report: charts inlined as SVG, no external resources.
