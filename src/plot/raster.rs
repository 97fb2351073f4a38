//! Dense fields as one RGB buffer: a heat map of a scalar field on a log colour scale with contour
//! lines, blitted in one backend call (one `putImageData` on the canvas, one embedded PNG in SVG).

use super::theme::Theme;
use super::DrawResult;
use crate::math::View;
use plotters::coord::Shift;
use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters_backend::{BackendCoord, DrawingErrorKind};

/// An RGB image, row-major, 3 bytes per pixel.
#[derive(Clone, Debug, PartialEq)]
pub struct Raster {
    /// Width in pixels.
    pub w: u32,
    /// Height in pixels.
    pub h: u32,
    /// `w·h·3` bytes.
    pub rgb: Vec<u8>,
}

/// Number of contour levels across the colour range.
const LEVELS: f64 = 16.0;

fn mix(a: RGBColor, b: RGBColor, t: f64) -> [u8; 3] {
    let m = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * t).round().clamp(0.0, 255.0) as u8;
    [m(a.0, b.0), m(a.1, b.1), m(a.2, b.2)]
}

/// Colour of level t ∈ [0, 1] on the theme's three-stop ramp.
fn ramp(theme: &Theme, t: f64) -> [u8; 3] {
    let t = t.clamp(0.0, 1.0);
    if t < 0.5 {
        mix(theme.ramp[0], theme.ramp[1], t * 2.0)
    } else {
        mix(theme.ramp[1], theme.ramp[2], t * 2.0 - 2.0 * 0.5)
    }
}

/// Samples `f` at the centre of each of `w`×`h` pixels covering `view` (row 0 at the top).
pub fn sample(view: &View, w: u32, h: u32, f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    let (w, h) = (w.max(1), h.max(1));
    let dx = (view.xmax - view.xmin) / w as f64;
    let dy = (view.ymax - view.ymin) / h as f64;
    let mut out = Vec::with_capacity((w * h) as usize);
    for j in 0..h {
        let y = view.ymax - (j as f64 + 0.5) * dy;
        for i in 0..w {
            out.push(f(view.xmin + (i as f64 + 0.5) * dx, y));
        }
    }
    out
}

/// Heat map of `values` (as from [`sample`]) on a log scale: t = ln(L − min + δ), normalised over
/// the finite values, with δ a small fraction of the median so the minimum's basin keeps detail.
/// Contour lines are drawn where the level index changes between neighbours. Non-finite values
/// (where a function is undefined) are hatched.
pub fn heatmap(values: &[f64], w: u32, h: u32, theme: &Theme) -> Raster {
    let (w, h) = (w.max(1), h.max(1));
    let n = (w * h) as usize;
    let mut finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let mut rgb = vec![0u8; n * 3];
    let (lo, scale_t, delta) = if finite.is_empty() {
        (0.0, (0.0, 1.0), 1.0)
    } else {
        let min = finite.iter().copied().fold(f64::INFINITY, f64::min);
        let mid = finite.len() / 2;
        let median = *finite.select_nth_unstable_by(mid, |a, b| a.total_cmp(b)).1;
        let delta = ((median - min) * 1e-3).max(1e-300);
        let max = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let t0 = delta.ln();
        let t1 = (max - min + delta).ln();
        (min, (t0, (t1 - t0).max(1e-12)), delta)
    };
    let level = |v: f64| -> f64 { (((v - lo + delta).ln() - scale_t.0) / scale_t.1).clamp(0.0, 1.0) };
    let mut idx = vec![i32::MIN; n];
    for (k, &v) in values.iter().enumerate().take(n) {
        let px = &mut rgb[k * 3..k * 3 + 3];
        if v.is_finite() {
            let t = level(v);
            px.copy_from_slice(&ramp(theme, t));
            idx[k] = (t * LEVELS).floor() as i32;
        } else {
            // Hatching: diagonal stripes every 6 px.
            let (i, j) = (k as u32 % w, k as u32 / w);
            let stripe = (i + j) % 6 < 2;
            let c = if stripe { theme.muted } else { theme.bg };
            px.copy_from_slice(&[c.0, c.1, c.2]);
        }
    }
    let alpha = if theme.dark { 0.45 } else { 0.4 };
    for k in 0..n {
        let (i, j) = (k as u32 % w, k as u32 / w);
        let me = idx[k];
        if me == i32::MIN {
            continue;
        }
        let right = if i + 1 < w { idx[k + 1] } else { me };
        let down = if j + 1 < h { idx[k + w as usize] } else { me };
        if (right != me && right != i32::MIN) || (down != me && down != i32::MIN) {
            let px = &mut rgb[k * 3..k * 3 + 3];
            let c = mix(RGBColor(px[0], px[1], px[2]), theme.contour, alpha);
            px.copy_from_slice(&c);
        }
    }
    Raster { w, h, rgb }
}

/// A raster placed at a pixel position of a drawing area.
pub struct Blit<'a> {
    /// Top-left corner, in the area's pixel coordinates.
    pub at: (i32, i32),
    /// The image.
    pub raster: &'a Raster,
}

impl<'a, 'b> PointCollection<'b, (i32, i32)> for &'b Blit<'a> {
    type Point = &'b (i32, i32);
    type IntoIter = std::iter::Once<&'b (i32, i32)>;
    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&self.at)
    }
}

impl<DB: DrawingBackend> Drawable<DB> for Blit<'_> {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut pos: I,
        backend: &mut DB,
        _: (u32, u32),
    ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
        match pos.next() {
            Some(p) => backend.blit_bitmap(p, (self.raster.w, self.raster.h), &self.raster.rgb),
            None => Ok(()),
        }
    }
}

/// Fills a pixel-coordinate area (e.g. a chart's plotting area with its coordinates stripped)
/// with a raster of exactly its size.
pub fn draw_raster<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, raster: &Raster) -> DrawResult<(), DB> {
    area.draw(&Blit { at: (0, 0), raster })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heatmap_orders_colours_and_hatches_undefined() {
        let t = Theme::light(1.0);
        let view = View::new(-1.0, 1.0, -1.0, 1.0);
        let vals = sample(&view, 64, 64, |x, y| if x > 0.9 { f64::NAN } else { x * x + y * y });
        let r = heatmap(&vals, 64, 64, &t);
        assert_eq!(r.rgb.len(), 64 * 64 * 3);
        // The centre (minimum) is the low ramp colour's hue (bluish: b > r); a corner is warm.
        let at = |i: u32, j: u32| &r.rgb[((j * 64 + i) * 3) as usize..((j * 64 + i) * 3 + 3) as usize];
        let c = at(31, 31);
        assert!(c[2] > c[0], "centre {c:?}");
        let corner = at(1, 1);
        assert!(corner[0] > corner[2], "corner {corner:?}");
        // Undefined pixels are hatched: both stripe colours occur in the undefined band.
        let band: Vec<&[u8]> = (0..64).map(|j| at(63, j)).collect();
        assert!(band.iter().any(|p| p == &[t.muted.0, t.muted.1, t.muted.2]));
        assert!(band.iter().any(|p| p == &[t.bg.0, t.bg.1, t.bg.2]));
    }

    #[test]
    fn heatmap_survives_degenerate_fields() {
        let t = Theme::dark(2.0);
        for f in [|_: f64, _: f64| 0.0, |_: f64, _: f64| f64::INFINITY, |x: f64, _: f64| x * 1e300 * 1e10] {
            let vals = sample(&View::new(0.0, 1.0, 0.0, 1.0), 8, 8, f);
            let r = heatmap(&vals, 8, 8, &t);
            assert_eq!(r.rgb.len(), 8 * 8 * 3);
        }
    }
}
