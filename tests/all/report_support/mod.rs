//! Helpers shared by the report tests: decoding PNG files into RGB pixels
//! and asking what is in them. Each test crate uses a subset.
#![allow(dead_code)]

use std::collections::HashSet;
use std::path::Path;

/// A decoded image: width, height and RGB pixels row by row.
pub struct Image {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<[u8; 3]>,
}

/// Decodes an 8-bit RGB, RGBA, grey or grey+alpha PNG (alpha dropped: the
/// images tested are opaque).
pub fn decode_png(path: &Path) -> Image {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder
        .read_info()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader
        .next_frame(&mut buf)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let bytes = &buf[..info.buffer_size()];
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        other => panic!("{}: unexpected colour type {other:?}", path.display()),
    };
    let rgb = bytes
        .chunks_exact(channels)
        .map(|p| {
            if channels >= 3 {
                [p[0], p[1], p[2]]
            } else {
                [p[0], p[0], p[0]]
            }
        })
        .collect();
    Image {
        width: info.width,
        height: info.height,
        rgb,
    }
}

impl Image {
    /// How many distinct colours the image holds.
    pub fn distinct_colours(&self) -> usize {
        self.rgb.iter().collect::<HashSet<_>>().len()
    }

    /// How many pixels are within `tolerance` (per channel) of `c`.
    pub fn count_near(&self, c: [u8; 3], tolerance: u8) -> usize {
        self.rgb
            .iter()
            .filter(|p| (0..3).all(|i| p[i].abs_diff(c[i]) <= tolerance))
            .count()
    }

    /// The share of pixels that are not (near) white.
    pub fn inked_share(&self) -> f64 {
        let inked = self
            .rgb
            .iter()
            .filter(|p| p.iter().any(|&v| v < 235))
            .count();
        inked as f64 / self.rgb.len() as f64
    }

    /// The share of dark pixels (text-like) inside a rectangle.
    pub fn dark_share_in(&self, x0: u32, y0: u32, x1: u32, y1: u32) -> f64 {
        let mut dark = 0usize;
        let mut all = 0usize;
        for y in y0..y1.min(self.height) {
            for x in x0..x1.min(self.width) {
                let p = self.rgb[(y * self.width + x) as usize];
                all += 1;
                if p.iter().all(|&v| v < 110) {
                    dark += 1;
                }
            }
        }
        if all == 0 {
            0.0
        } else {
            dark as f64 / all as f64
        }
    }
}

/// Okabe-Ito blue, the first series colour, and vermillion, the reference
/// line colour (independent of the library's constants on purpose: these
/// are the published palette values).
pub const OKABE_BLUE: [u8; 3] = [0x00, 0x72, 0xB2];
pub const OKABE_VERMILLION: [u8; 3] = [0xD5, 0x5E, 0x00];
pub const OKABE_ORANGE: [u8; 3] = [0xE6, 0x9F, 0x00];
pub const OKABE_GREEN: [u8; 3] = [0x00, 0x9E, 0x73];
