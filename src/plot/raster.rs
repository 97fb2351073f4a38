//! Dense fields as one RGB buffer: a heat map of a scalar field on a log colour scale with contour
//! lines, blitted in one backend call (one `putImageData` on the canvas, one embedded PNG in SVG).

use super::backend::Blit;
use super::theme::Theme;
use super::DrawResult;
use crate::math::View;
use plotters::coord::Shift;
use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters_backend::{BackendCoord, DrawingErrorKind};
use std::rc::Rc;

/// An image, row-major: RGB (3 bytes per pixel) or RGBA (4, a transparent overlay). The pixels
/// are shared (`Rc`): a recording keeps the image without copying it.
#[derive(Clone, Debug, PartialEq)]
pub struct Raster {
    /// Width in pixels.
    pub w: u32,
    /// Height in pixels.
    pub h: u32,
    /// Four bytes per pixel (RGBA, not premultiplied) rather than three (RGB).
    pub alpha: bool,
    /// `w·h·3` or `w·h·4` bytes.
    pub px: Rc<Vec<u8>>,
    /// Stretched with hard pixel edges (nearest neighbour) instead of smoothly: a matrix of
    /// cells, drawn at one pixel per cell and scaled by the surface.
    pub pixelated: bool,
    /// A draft, coarser than the figure it stands for (see [`crate::plot::theme::Theme::draft`]):
    /// the page draws its layer again in full once the change settles.
    pub draft: bool,
}

impl Raster {
    fn sized(w: u32, h: u32, alpha: bool, mut px: Vec<u8>) -> Self {
        px.resize(w as usize * h as usize * if alpha { 4 } else { 3 }, 0);
        Raster { w, h, alpha, px: Rc::new(px), pixelated: false, draft: false }
    }
    /// An RGB image; `px` is cut or zero-padded to `w·h·3` bytes.
    pub fn rgb(w: u32, h: u32, px: Vec<u8>) -> Self {
        Self::sized(w, h, false, px)
    }
    /// An RGBA image; `px` is cut or zero-padded to `w·h·4` bytes.
    pub fn rgba(w: u32, h: u32, px: Vec<u8>) -> Self {
        Self::sized(w, h, true, px)
    }
    /// An RGB image from exactly `w·h·3` bytes, or `None`.
    pub fn from_rgb(w: u32, h: u32, px: Vec<u8>) -> Option<Self> {
        (w > 0 && h > 0 && px.len() == w as usize * h as usize * 3).then(|| Raster {
            w,
            h,
            alpha: false,
            px: Rc::new(px),
            pixelated: false,
            draft: false,
        })
    }
    /// The same image, stretched with hard pixel edges (see [`Raster::pixelated`]).
    pub fn pixelated(mut self) -> Self {
        self.pixelated = true;
        self
    }
    /// The same image, marked as a draft (see [`Raster::draft`]).
    pub fn as_draft(mut self) -> Self {
        self.draft = true;
        self
    }
    /// The pixels for writing (copied first only if a recording still shares them).
    pub fn pixels_mut(&mut self) -> &mut Vec<u8> {
        Rc::make_mut(&mut self.px)
    }
    /// The image as RGBA bytes (RGB gets opaque alpha).
    pub fn to_rgba(&self) -> Vec<u8> {
        if self.alpha {
            return self.px.as_ref().clone();
        }
        let mut out = vec![255u8; self.w as usize * self.h as usize * 4];
        for (d, s) in out.chunks_exact_mut(4).zip(self.px.chunks_exact(3)) {
            d[..3].copy_from_slice(s);
        }
        out
    }
}

/// Number of contour levels across the colour range.
const LEVELS: f64 = 16.0;

/// `a` blended towards `b` by `t` ∈ [0, 1], as RGB bytes.
pub fn mix(a: RGBColor, b: RGBColor, t: f64) -> [u8; 3] {
    let m = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * t).round().clamp(0.0, 255.0) as u8;
    [m(a.0, b.0), m(a.1, b.1), m(a.2, b.2)]
}

/// Colour of level t ∈ [0, 1] on the theme's three-stop ramp.
fn ramp(theme: &Theme, t: f64) -> [u8; 3] {
    let t = t.clamp(0.0, 1.0);
    if t < 0.5 {
        mix(theme.ramp[0], theme.ramp[1], t * 2.0)
    } else {
        mix(theme.ramp[1], theme.ramp[2], t * 2.0 - 1.0)
    }
}

/// Samples `f` at the centre of each of `w`×`h` pixels covering `view` (row 0 at the top).
pub fn sample(view: &View, w: u32, h: u32, f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    sample_grid(view, w, h, |cols, rows| rows.iter().flat_map(|&y| cols.iter().map(move |&x| (x, y))).map(|(x, y)| f(x, y)).collect())
}

/// The pixel-centre grid of [`sample`] in one call: `f` gets the column x values and the row y
/// values and returns the row-major grid (compiled formulas exploit the tensor structure).
pub fn sample_grid(view: &View, w: u32, h: u32, f: impl Fn(&[f64], &[f64]) -> Vec<f64>) -> Vec<f64> {
    let (w, h) = (w.max(1), h.max(1));
    let dx = (view.xmax - view.xmin) / w as f64;
    let dy = (view.ymax - view.ymin) / h as f64;
    let cols: Vec<f64> = (0..w).map(|i| view.xmin + (i as f64 + 0.5) * dx).collect();
    let rows: Vec<f64> = (0..h).map(|j| view.ymax - (j as f64 + 0.5) * dy).collect();
    f(&cols, &rows)
}

/// Heat map of `values` (an `sw`×`sh` grid as from [`sample`]) drawn at `w`×`h` pixels, on a log
/// scale: t = ln(L − min + δ), normalised over the finite values, with δ a small fraction of the
/// median so the minimum's basin keeps detail. The grid may be coarser than the output (the
/// browser samples once per CSS pixel and draws at device pixels): t is interpolated bilinearly,
/// so contour lines — drawn where the level index changes between neighbours — stay sharp.
/// Non-finite values (where a function is undefined) are hatched. `line` scales the contour lines'
/// blend: 1 for a raster shown at its own size; a raster stretched k× draws lines k× wider, so
/// 1/k keeps their weight.
pub fn heatmap(values: &[f64], sw: u32, sh: u32, w: u32, h: u32, theme: &Theme, line: f64) -> Raster {
    let (sw, sh, w, h) = (sw.max(1) as usize, sh.max(1) as usize, w.max(1), h.max(1));
    let n = (w * h) as usize;
    let values = &values[..values.len().min(sw * sh)];
    // Median from a subsample: exact enough for choosing δ, and O(n/7).
    let mut probe: Vec<f64> = values.iter().step_by(7).copied().filter(|v| v.is_finite()).collect();
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &v in values.iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    let (t0, t1, delta) = if lo.is_finite() && !probe.is_empty() {
        let mid = probe.len() / 2;
        let median = *probe.select_nth_unstable_by(mid, |a, b| a.total_cmp(b)).1;
        let delta = ((median - lo) * 1e-3).max(1e-300);
        let t0 = delta.ln();
        (t0, ((hi - lo + delta).ln() - t0).max(1e-12), delta)
    } else {
        (0.0, 1.0, 1.0)
    };
    // Level t ∈ [0, 1] per grid point; NaN where undefined.
    let t: Vec<f32> = values
        .iter()
        .map(|&v| if v.is_finite() { ((((v - lo + delta).ln() - t0) / t1).clamp(0.0, 1.0)) as f32 } else { f32::NAN })
        .collect();
    let lut: Vec<[u8; 3]> = (0..LUT).map(|k| ramp(theme, k as f64 / (LUT - 1) as f64)).collect();
    let (wu, hu) = (w as usize, h as usize);
    let alpha = if theme.dark { 0.45 } else { 0.4 } * line.clamp(0.0, 1.0);
    let contour_lut: Vec<[u8; 3]> = lut.iter().map(|c| mix(RGBColor(c[0], c[1], c[2]), theme.contour, alpha)).collect();
    let hatch = [[theme.muted.0, theme.muted.1, theme.muted.2], [theme.bg.0, theme.bg.1, theme.bg.2]];
    // Separable bilinear weights, computed once per column and per row.
    let taps = |out: usize, src: usize| -> Vec<(usize, usize, f32)> {
        let f = src as f64 / out as f64;
        (0..out)
            .map(|i| {
                let u = ((i as f64 + 0.5) * f - 0.5).clamp(0.0, (src - 1) as f64);
                let i0 = u.floor() as usize;
                (i0, (i0 + 1).min(src - 1), (u - i0 as f64) as f32)
            })
            .collect()
    };
    let same = (sw, sh) == (wu, hu);
    let (cols, rows) = if same { (Vec::new(), Vec::new()) } else { (taps(wu, sw), taps(hu, sh)) };
    // Each grid row interpolated across to the output width (the `top`/`bottom` of a bilinear
    // tap), computed once per grid row rather than once per output pixel.
    let across: Vec<Vec<f32>> = if same {
        Vec::new()
    } else {
        (0..sh)
            .map(|j| {
                let r = &t[j * sw..j * sw + sw];
                cols.iter().map(|&(i0, i1, wx)| r[i0] + (r[i1] - r[i0]) * wx).collect()
            })
            .collect()
    };
    // Level of output row j (t ∈ [0, 1], NaN where undefined).
    let level_row = |j: usize, out: &mut Vec<f32>| {
        out.clear();
        if same {
            out.extend_from_slice(&t[j * sw..j * sw + sw]);
            return;
        }
        let (j0, j1, wy) = rows[j];
        let (top, bottom) = (&across[j0], &across[j1]);
        for (i, (&a, &b)) in top.iter().zip(bottom).enumerate() {
            let v = a + (b - a) * wy;
            // NaN propagates from an undefined corner; at such edges use the nearest point.
            out.push(if v.is_nan() {
                let (i0, i1, wx) = cols[i];
                let (r0, r1) = (&t[j0 * sw..j0 * sw + sw], &t[j1 * sw..j1 * sw + sw]);
                [[r0[i0], r0[i1]], [r1[i0], r1[i1]]][(wy >= 0.5) as usize][(wx >= 0.5) as usize]
            } else {
                v
            });
        }
    };
    let band = |row: &[f32], out: &mut Vec<i32>| {
        out.clear();
        out.extend(row.iter().map(|&x| if x.is_finite() { (x * LEVELS as f32) as i32 } else { i32::MIN }));
    };
    let mut rgb = vec![0u8; n * 3];
    let (mut cur, mut next) = (Vec::with_capacity(wu), Vec::with_capacity(wu));
    let (mut bcur, mut bnext) = (Vec::with_capacity(wu), Vec::with_capacity(wu));
    level_row(0, &mut next);
    band(&next, &mut bnext);
    // Contour lines where the level band changes to the right or below; one pass, two rows held.
    for j in 0..hu {
        std::mem::swap(&mut cur, &mut next);
        std::mem::swap(&mut bcur, &mut bnext);
        if j + 1 < hu {
            level_row(j + 1, &mut next);
            band(&next, &mut bnext);
        } else {
            next.clone_from(&cur);
            bnext.clone_from(&bcur);
        }
        let out = &mut rgb[j * wu * 3..(j + 1) * wu * 3];
        for (i, px) in out.chunks_exact_mut(3).enumerate() {
            let me = bcur[i];
            if me == i32::MIN {
                // Hatching: diagonal stripes every 6 px.
                px.copy_from_slice(&hatch[((i + j) % 6 >= 2) as usize]);
                continue;
            }
            let right = if i + 1 < wu { bcur[i + 1] } else { me };
            let down = bnext[i];
            let edge = (right != me && right != i32::MIN) || (down != me && down != i32::MIN);
            let idx = ((cur[i] * (LUT - 1) as f32) as usize).min(LUT - 1);
            px.copy_from_slice(if edge { &contour_lut[idx] } else { &lut[idx] });
        }
    }
    Raster::rgb(w, h, rgb)
}

/// Colour look-up table size.
const LUT: usize = 1024;

/// A raster placed at a pixel position of a drawing area, drawn at `size` pixels.
pub struct Image<'a> {
    /// Top-left corner, in the area's pixel coordinates.
    pub at: (i32, i32),
    /// Size drawn (the raster is stretched when it differs from its own size).
    pub size: (u32, u32),
    /// The image.
    pub raster: &'a Raster,
}

impl<'a, 'b> PointCollection<'b, (i32, i32)> for &'b Image<'a> {
    type Point = &'b (i32, i32);
    type IntoIter = std::iter::Once<&'b (i32, i32)>;
    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&self.at)
    }
}

impl<DB: Blit> Drawable<DB> for Image<'_> {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut pos: I,
        backend: &mut DB,
        _: (u32, u32),
    ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
        match pos.next() {
            Some(p) => backend.blit(p, self.size, self.raster),
            None => Ok(()),
        }
    }
}

/// Draws a raster at its own size at the top-left of a pixel-coordinate area (e.g. a chart's
/// plotting area with its coordinates stripped).
pub fn draw_raster<DB: Blit>(area: &DrawingArea<DB, Shift>, raster: &Raster) -> DrawResult<(), DB> {
    area.draw(&Image { at: (0, 0), size: (raster.w, raster.h), raster })
}

/// Draws `raster` stretched over the whole of `area` (smoothly, by the surface: the canvas does it
/// in native code, so a heat map computed at half the device resolution costs a quarter).
pub fn draw_raster_stretched<DB: Blit>(area: &DrawingArea<DB, Shift>, raster: &Raster) -> DrawResult<(), DB> {
    area.draw(&Image { at: (0, 0), size: area.dim_in_pixel(), raster })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `line` scales the contour lines' blend: 0 leaves only ramp colours, 1 darkens the lines.
    #[test]
    fn contour_lines_blend_by_their_weight() {
        let t = Theme::light(1.0);
        let view = View::new(-1.0, 1.0, -1.0, 1.0);
        let vals = sample(&view, 64, 64, |x, y| x * x + y * y);
        let [none, half, full] = [0.0, 0.5, 1.0].map(|l| heatmap(&vals, 64, 64, 64, 64, &t, l));
        let differ = |a: &Raster, b: &Raster| a.px.iter().zip(b.px.iter()).filter(|(x, y)| x != y).count();
        assert!(differ(&none, &full) > 100, "lines drawn at weight 1");
        assert!(differ(&none, &half) > 100 && differ(&half, &full) > 100, "weight ½ lies between");
        let sum = |r: &Raster| r.px.iter().map(|&v| v as u64).sum::<u64>();
        assert!(sum(&none) > sum(&half) && sum(&half) > sum(&full), "lighter lines, less ink");
    }

    #[test]
    fn heatmap_orders_colours_and_hatches_undefined() {
        let t = Theme::light(1.0);
        let view = View::new(-1.0, 1.0, -1.0, 1.0);
        let vals = sample(&view, 64, 64, |x, y| if x > 0.9 { f64::NAN } else { x * x + y * y });
        let r = heatmap(&vals, 64, 64, 64, 64, &t, 1.0);
        assert_eq!(r.px.len(), 64 * 64 * 3);
        // The centre (minimum) is the low ramp colour's hue (bluish: b > r); a corner is warm.
        let at = |i: u32, j: u32| &r.px[((j * 64 + i) * 3) as usize..((j * 64 + i) * 3 + 3) as usize];
        let c = at(31, 31);
        assert!(c[2] > c[0], "centre {c:?}");
        let corner = at(1, 1);
        assert!(corner[0] > corner[2], "corner {corner:?}");
        // Undefined pixels are hatched: both stripe colours occur in the undefined band.
        let band: Vec<&[u8]> = (0..64).map(|j| at(63, j)).collect();
        assert!(band.iter().any(|p| p == &[t.muted.0, t.muted.1, t.muted.2]));
        assert!(band.iter().any(|p| p == &[t.bg.0, t.bg.1, t.bg.2]));
    }

    /// A grid sampled at half resolution and upsampled looks like the full-resolution map.
    #[test]
    fn upsampled_heatmap_matches_full_resolution() {
        let t = Theme::light(2.0);
        let view = View::new(-2.0, 2.0, -1.0, 3.0);
        let f = |x: f64, y: f64| (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2);
        let full = heatmap(&sample(&view, 200, 200, f), 200, 200, 200, 200, &t, 1.0);
        let half = heatmap(&sample(&view, 100, 100, f), 100, 100, 200, 200, &t, 1.0);
        // Contour lines may move by a pixel; everything else must agree closely.
        let close =
            full.px.chunks(3).zip(half.px.chunks(3)).filter(|(a, b)| a.iter().zip(b.iter()).all(|(x, y)| x.abs_diff(*y) <= 6)).count();
        let frac = close as f64 / (200.0 * 200.0);
        assert!(frac > 0.9, "only {frac:.3} of pixels agree");
    }

    #[test]
    fn heatmap_survives_degenerate_fields() {
        let t = Theme::dark(2.0);
        for f in [|_: f64, _: f64| 0.0, |_: f64, _: f64| f64::INFINITY, |x: f64, _: f64| x * 1e300 * 1e10] {
            let vals = sample(&View::new(0.0, 1.0, 0.0, 1.0), 8, 8, f);
            let r = heatmap(&vals, 8, 8, 16, 12, &t, 1.0);
            assert_eq!(r.px.len(), 16 * 12 * 3);
            let r = heatmap(&vals, 8, 8, 8, 8, &t, 1.0);
            assert_eq!(r.px.len(), 8 * 8 * 3);
        }
    }
}
