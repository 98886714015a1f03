//! Charts drawn with plotters, as PNG and SVG, with an embedded font.
