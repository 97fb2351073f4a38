//! Colours, sizes and fonts for light and dark themes, scaled for the device pixel ratio.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A drawing theme. `scale` is the device pixel ratio: the canvas is drawn in device pixels, so
/// every size (fonts, strokes, margins) is multiplied by it to look the same on every screen.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    /// Dark background?
    pub dark: bool,
    /// Device pixels per CSS pixel.
    pub scale: f64,
    /// A draft while a control is being moved: dense fields (heat maps) at a quarter of the
    /// pixels, stretched; the page draws them again in full detail when the control stops.
    pub draft: bool,
    /// Background.
    pub bg: RGBColor,
    /// Text and axes.
    pub fg: RGBColor,
    /// Secondary text, grid.
    pub muted: RGBColor,
    /// Heat-map colour at the lowest, middle and highest level.
    pub ramp: [RGBColor; 3],
    /// Contour line colour (blended into the heat map).
    pub contour: RGBColor,
    /// Series colours, each ≥ 3:1 against `bg` and every heat-map colour (tested).
    pub palette: [RGBColor; 11],
    /// Font family for canvas text.
    pub font: &'static str,
}

const fn hex(c: u32) -> RGBColor {
    RGBColor((c >> 16) as u8, (c >> 8) as u8, c as u8)
}

impl Theme {
    /// Light theme.
    pub fn light(scale: f64) -> Self {
        Theme {
            dark: false,
            scale: sane_scale(scale),
            draft: false,
            bg: hex(0xffffff),
            fg: hex(0x1f2328),
            muted: hex(0x6b7280),
            ramp: [hex(0xdbe9f6), hex(0xf7f7f7), hex(0xf6d8ae)],
            contour: hex(0x5b6b7d),
            palette: [
                hex(0x0b62a4),
                hex(0xc2410c),
                hex(0x047857),
                hex(0x7c3aed),
                hex(0xb91c1c),
                hex(0xa16207),
                hex(0x0e7490),
                hex(0xbe185d),
                hex(0x4d7c0f),
                hex(0x1e40af),
                hex(0x57534e),
            ],
            font: "sans-serif",
        }
    }

    /// Dark theme.
    pub fn dark(scale: f64) -> Self {
        Theme {
            dark: true,
            scale: sane_scale(scale),
            draft: false,
            bg: hex(0x16181d),
            fg: hex(0xe6e6e6),
            muted: hex(0x9ca3af),
            ramp: [hex(0x1c2b3a), hex(0x23262b), hex(0x3d3020)],
            contour: hex(0xaab4c0),
            palette: [
                hex(0x60a5fa),
                hex(0xfb923c),
                hex(0x34d399),
                hex(0xc4b5fd),
                hex(0xf87171),
                hex(0xfacc15),
                hex(0x22d3ee),
                hex(0xf472b6),
                hex(0xa3e635),
                hex(0x93c5fd),
                hex(0xd6d3d1),
            ],
            font: "sans-serif",
        }
    }

    /// A size in CSS pixels converted to device pixels.
    pub fn px(&self, css: f64) -> u32 {
        (css * self.scale).round().max(1.0) as u32
    }

    /// Series colour `i`.
    pub fn series(&self, i: usize) -> RGBColor {
        self.palette[i % self.palette.len()]
    }

    /// Text style of `size` CSS pixels in the foreground colour.
    pub fn text(&self, size: f64) -> TextStyle<'static> {
        (self.font, size * self.scale).into_font().color(&self.fg)
    }

    /// Text style anchored at its left-top corner.
    pub fn text_left(&self, size: f64, colour: RGBColor) -> TextStyle<'static> {
        (self.font, size * self.scale).into_font().color(&colour).pos(Pos::new(HPos::Left, VPos::Top))
    }
}

/// Device pixel ratios outside [0.5, 4] are treated as 1 (a NaN from a broken browser included).
fn sane_scale(s: f64) -> f64 {
    if s.is_finite() && (0.5..=4.0).contains(&s) {
        s
    } else {
        1.0
    }
}

/// WCAG relative luminance of an sRGB colour.
pub fn luminance(c: RGBColor) -> f64 {
    let f = |v: u8| {
        let x = v as f64 / 255.0;
        if x <= 0.03928 {
            x / 12.92
        } else {
            ((x + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * f(c.0) + 0.7152 * f(c.1) + 0.0722 * f(c.2)
}

/// WCAG contrast ratio.
pub fn contrast(a: RGBColor, b: RGBColor) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_keep_three_to_one_contrast_in_both_themes() {
        for t in [Theme::light(1.0), Theme::dark(1.0)] {
            for (i, c) in t.palette.iter().enumerate() {
                for back in [t.bg, t.ramp[0], t.ramp[1], t.ramp[2]] {
                    let r = contrast(*c, back);
                    assert!(r >= 3.0, "dark={} colour {i} contrast {r:.2}", t.dark);
                }
            }
            assert!(contrast(t.fg, t.bg) >= 4.5, "text contrast");
        }
    }

    #[test]
    fn scale_is_sanitised() {
        assert_eq!(Theme::light(f64::NAN).scale, 1.0);
        assert_eq!(Theme::light(100.0).scale, 1.0);
        assert_eq!(Theme::dark(2.0).scale, 2.0);
    }
}
