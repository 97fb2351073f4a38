//! The one drawing backend every lab draws on: a [`Recorder`] that keeps what was drawn as a list
//! of [`Op`]s. The browser replays the list onto a canvas, [`super::svg`] writes it as SVG (tests,
//! CLI, the page's SVG download), and tests count its operations. Each lab's drawing code is thus
//! compiled once, and every layer draws the same on every surface.
//!
//! plotters' `DrawingBackend` knows only RGB bitmaps at their own size; [`Blit`] is our one
//! extension: images with an alpha channel and images stretched to a destination size.

use super::raster::Raster;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind, FontStyle, FontTransform,
};
use std::sync::OnceLock;

/// plotters' `DrawingBackend` plus images with alpha and stretched images.
pub trait Blit: DrawingBackend {
    /// Draws `img` with its top-left corner at `at`, stretched to `size` device pixels when that
    /// differs from the image's own size (smoothly), composited over what is there when the image
    /// has an alpha channel.
    fn blit(&mut self, at: BackendCoord, size: (u32, u32), img: &Raster) -> Result<(), DrawingErrorKind<Self::ErrorType>>;
}

/// An RGBA colour as plotters hands it to a backend.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Colour {
    /// Red, green, blue.
    pub rgb: (u8, u8, u8),
    /// Opacity in [0, 1].
    pub alpha: f64,
}

impl From<BackendColor> for Colour {
    fn from(c: BackendColor) -> Self {
        Colour { rgb: c.rgb, alpha: c.alpha }
    }
}

/// Text as drawn: what, where, and how.
#[derive(Clone, Debug, PartialEq)]
pub struct TextOp {
    /// The text.
    pub text: String,
    /// Anchor point (device pixels).
    pub at: BackendCoord,
    /// Font family (CSS).
    pub family: String,
    /// Font size in pixels (plotters' size, as the canvas takes it).
    pub size: f64,
    /// Normal, bold, italic, oblique.
    pub style: Shape,
    /// Horizontal anchor.
    pub h: HAlign,
    /// Vertical anchor.
    pub v: VAlign,
    /// Clockwise rotation in degrees: 0, 90, 180 or 270.
    pub rotate: u16,
    /// Colour.
    pub colour: Colour,
}

/// The style of a font.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Upright.
    Normal,
    /// Bold.
    Bold,
    /// Italic.
    Italic,
    /// Oblique.
    Oblique,
}

impl Shape {
    /// The CSS keyword.
    pub fn css(self) -> &'static str {
        match self {
            Shape::Normal => "normal",
            Shape::Bold => "bold",
            Shape::Italic => "italic",
            Shape::Oblique => "oblique",
        }
    }
}

impl From<FontStyle> for Shape {
    fn from(s: FontStyle) -> Self {
        match s {
            FontStyle::Normal => Shape::Normal,
            FontStyle::Bold => Shape::Bold,
            FontStyle::Italic => Shape::Italic,
            FontStyle::Oblique => Shape::Oblique,
        }
    }
}

/// Where the anchor point is, horizontally.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HAlign {
    /// At the text's start.
    Left,
    /// At its centre.
    Center,
    /// At its end.
    Right,
}

/// Where the anchor point is, vertically.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VAlign {
    /// At the top.
    Top,
    /// In the middle.
    Center,
    /// At the bottom.
    Bottom,
}

/// One drawing operation, in device pixels.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// One pixel.
    Pixel(BackendCoord, Colour),
    /// A straight line.
    Line {
        /// Start.
        from: BackendCoord,
        /// End.
        to: BackendCoord,
        /// Colour.
        colour: Colour,
        /// Stroke width.
        width: u32,
    },
    /// An axis-aligned rectangle.
    Rect {
        /// Upper-left corner.
        ul: BackendCoord,
        /// Bottom-right corner.
        br: BackendCoord,
        /// Colour.
        colour: Colour,
        /// Stroke width (outlines).
        width: u32,
        /// Filled rather than outlined.
        fill: bool,
    },
    /// An open polyline.
    Path {
        /// Vertices.
        points: Vec<BackendCoord>,
        /// Colour.
        colour: Colour,
        /// Stroke width.
        width: u32,
    },
    /// A circle.
    Circle {
        /// Centre.
        centre: BackendCoord,
        /// Radius.
        radius: u32,
        /// Colour.
        colour: Colour,
        /// Stroke width (outlines).
        width: u32,
        /// Filled rather than outlined.
        fill: bool,
    },
    /// A filled polygon.
    Polygon {
        /// Vertices.
        points: Vec<BackendCoord>,
        /// Colour.
        colour: Colour,
    },
    /// Text.
    Text(Box<TextOp>),
    /// An image (shared, not copied), placed at `at` and drawn at `size`.
    Image {
        /// Top-left corner.
        at: BackendCoord,
        /// Size drawn, in device pixels.
        size: (u32, u32),
        /// The pixels.
        img: Raster,
    },
}

/// A text measurer: (text, font family, size in px, style) → (width, height) in pixels.
pub type Measure = fn(&str, &str, f64, Shape) -> (u32, u32);

static MEASURE: OnceLock<Measure> = OnceLock::new();

/// Installs the text measurer used for layout (the browser measures with its fonts). Without one,
/// text is estimated as plotters estimates it for SVG: 0.7 em per byte, one em high.
pub fn set_text_measure(m: Measure) {
    let _ = MEASURE.set(m);
}

/// plotters' own estimate for backends without fonts (its `naive` font module), kept exactly so
/// that native SVG output lays out as it always has.
pub fn naive_text_size(text: &str, size: f64) -> (u32, u32) {
    let em = size / 1.24 / 1.24;
    let (x0, y0, x1, y1) = (0, -(em.round() as i32), (em * 0.7 * text.len() as f64).round() as i32, (em * 0.24).round() as i32);
    ((x1 - x0) as u32, (y1 - y0) as u32)
}

/// The drawing error of a [`Recorder`] (recording cannot fail; plotters needs a type).
#[derive(Debug)]
pub struct NoError;

impl std::fmt::Display for NoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("recording failed")
    }
}

impl std::error::Error for NoError {}

/// A backend that appends what is drawn to a list of [`Op`]s. Invisible operations (alpha 0) are
/// dropped here, as every plotters backend drops them.
#[derive(Debug)]
pub struct Recorder<'a> {
    size: (u32, u32),
    ops: &'a mut Vec<Op>,
}

impl<'a> Recorder<'a> {
    /// Records a `w`×`h` pixel surface into `ops`.
    pub fn new(ops: &'a mut Vec<Op>, w: u32, h: u32) -> Self {
        Recorder { size: (w.max(1), h.max(1)), ops }
    }
}

type Res = Result<(), DrawingErrorKind<NoError>>;

impl DrawingBackend for Recorder<'_> {
    type ErrorType = NoError;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }
    fn ensure_prepared(&mut self) -> Res {
        Ok(())
    }
    fn present(&mut self) -> Res {
        Ok(())
    }
    fn draw_pixel(&mut self, at: BackendCoord, c: BackendColor) -> Res {
        if c.alpha > 0.0 {
            self.ops.push(Op::Pixel(at, c.into()));
        }
        Ok(())
    }
    fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, s: &S) -> Res {
        if s.color().alpha > 0.0 {
            self.ops.push(Op::Line { from, to, colour: s.color().into(), width: s.stroke_width() });
        }
        Ok(())
    }
    fn draw_rect<S: BackendStyle>(&mut self, ul: BackendCoord, br: BackendCoord, s: &S, fill: bool) -> Res {
        if s.color().alpha > 0.0 {
            self.ops.push(Op::Rect { ul, br, colour: s.color().into(), width: s.stroke_width(), fill });
        }
        Ok(())
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, path: I, s: &S) -> Res {
        if s.color().alpha > 0.0 {
            self.ops.push(Op::Path { points: path.into_iter().collect(), colour: s.color().into(), width: s.stroke_width() });
        }
        Ok(())
    }
    fn draw_circle<S: BackendStyle>(&mut self, centre: BackendCoord, radius: u32, s: &S, fill: bool) -> Res {
        if s.color().alpha > 0.0 {
            self.ops.push(Op::Circle { centre, radius, colour: s.color().into(), width: s.stroke_width(), fill });
        }
        Ok(())
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, vert: I, s: &S) -> Res {
        if s.color().alpha > 0.0 {
            self.ops.push(Op::Polygon { points: vert.into_iter().collect(), colour: s.color().into() });
        }
        Ok(())
    }
    fn draw_text<T: BackendTextStyle>(&mut self, text: &str, s: &T, at: BackendCoord) -> Res {
        let colour = s.color();
        if colour.alpha == 0.0 {
            return Ok(());
        }
        let rotate = match s.transform() {
            FontTransform::None => 0,
            FontTransform::Rotate90 => 90,
            FontTransform::Rotate180 => 180,
            FontTransform::Rotate270 => 270,
        };
        let anchor = s.anchor();
        self.ops.push(Op::Text(Box::new(TextOp {
            text: text.to_string(),
            at,
            family: s.family().as_str().to_string(),
            size: s.size(),
            style: s.style().into(),
            h: match anchor.h_pos {
                HPos::Left => HAlign::Left,
                HPos::Center => HAlign::Center,
                HPos::Right => HAlign::Right,
            },
            v: match anchor.v_pos {
                VPos::Top => VAlign::Top,
                VPos::Center => VAlign::Center,
                VPos::Bottom => VAlign::Bottom,
            },
            rotate,
            colour: colour.into(),
        })));
        Ok(())
    }
    fn estimate_text_size<T: BackendTextStyle>(&self, text: &str, s: &T) -> Result<(u32, u32), DrawingErrorKind<NoError>> {
        Ok(match MEASURE.get() {
            Some(m) => m(text, s.family().as_str(), s.size(), s.style().into()),
            None => naive_text_size(text, s.size()),
        })
    }
    /// A plain RGB bitmap (plotters' own call): recorded as an image at its own size.
    fn blit_bitmap(&mut self, at: BackendCoord, (w, h): (u32, u32), src: &[u8]) -> Res {
        if let Some(img) = Raster::from_rgb(w, h, src.to_vec()) {
            self.ops.push(Op::Image { at, size: (w, h), img });
        }
        Ok(())
    }
}

impl Blit for Recorder<'_> {
    fn blit(&mut self, at: BackendCoord, size: (u32, u32), img: &Raster) -> Res {
        if size.0 > 0 && size.1 > 0 && img.w > 0 && img.h > 0 {
            self.ops.push(Op::Image { at, size, img: img.clone() });
        }
        Ok(())
    }
}

/// Counts of a recording's operations by kind (tests prove speed claims with these).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Pixels.
    pub pixels: usize,
    /// Lines.
    pub lines: usize,
    /// Rectangles.
    pub rects: usize,
    /// Polylines.
    pub paths: usize,
    /// Circles.
    pub circles: usize,
    /// Polygons.
    pub polygons: usize,
    /// Texts.
    pub texts: usize,
    /// Images.
    pub images: usize,
}

/// Counts the operations in `ops`.
pub fn count(ops: &[Op]) -> Counts {
    let mut c = Counts::default();
    for op in ops {
        match op {
            Op::Pixel(..) => c.pixels += 1,
            Op::Line { .. } => c.lines += 1,
            Op::Rect { .. } => c.rects += 1,
            Op::Path { .. } => c.paths += 1,
            Op::Circle { .. } => c.circles += 1,
            Op::Polygon { .. } => c.polygons += 1,
            Op::Text(_) => c.texts += 1,
            Op::Image { .. } => c.images += 1,
        }
    }
    c
}

/// How far (device pixels) [`simplify_path`] may move a stroked polyline when a raster backend
/// draws it: half a device pixel, below what anti-aliasing shows (the vertices are already
/// rounded to whole pixels).
pub const PATH_TOLERANCE: f64 = 0.5;

/// Vertices per chunk of [`simplify_path`]: Douglas–Peucker is quadratic at worst (a spiral peels
/// one vertex per split), so long paths are simplified in chunks that share their end vertices.
const SIMPLIFY_CHUNK: usize = 256;

/// A polyline with the vertices removed that lie within `tol` of the line through their kept
/// neighbours (Douglas–Peucker, in chunks of [`SIMPLIFY_CHUNK`]): every input vertex is within
/// `tol` of the result, whose first and last vertices are the input's.
///
/// Why: a software canvas strokes a wide polyline vertex by vertex (joins, anti-aliased edges),
/// ~1.4 µs a vertex in headless Chromium; a smooth 650-step loss curve keeps a few dozen vertices
/// and looks the same. Only the canvas replay uses it: SVG keeps every vertex.
pub fn simplify_path(pts: &[BackendCoord], tol: f64) -> Vec<BackendCoord> {
    let mut out: Vec<BackendCoord> = Vec::with_capacity(pts.len().min(64));
    // Consecutive repeats first (a converged run sits on one pixel for hundreds of steps).
    let mut dedup: Vec<BackendCoord> = Vec::with_capacity(pts.len());
    for &p in pts {
        if dedup.last() != Some(&p) {
            dedup.push(p);
        }
    }
    if dedup.len() <= 2 {
        return dedup;
    }
    let mut keep = vec![false; dedup.len()];
    let mut stack: Vec<(usize, usize)> = Vec::new();
    let last = dedup.len() - 1;
    let mut start = 0;
    while start < last {
        let end = (start + SIMPLIFY_CHUNK).min(last);
        keep[start] = true;
        keep[end] = true;
        stack.push((start, end));
        while let Some((a, b)) = stack.pop() {
            if b <= a + 1 {
                continue;
            }
            let (pa, pb) = (dedup[a], dedup[b]);
            let (dx, dy) = ((pb.0 - pa.0) as f64, (pb.1 - pa.1) as f64);
            let len2 = dx * dx + dy * dy;
            let (mut worst, mut at) = (0.0, a);
            for (i, p) in dedup.iter().enumerate().take(b).skip(a + 1) {
                let (px, py) = ((p.0 - pa.0) as f64, (p.1 - pa.1) as f64);
                // Distance to the segment (not the infinite line): a path that doubles back
                // (a zig-zag, an overshoot) keeps its turning points.
                let t = if len2 > 0.0 { ((px * dx + py * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
                let (ex, ey) = (px - t * dx, py - t * dy);
                let d2 = ex * ex + ey * ey;
                if d2 > worst {
                    worst = d2;
                    at = i;
                }
            }
            if worst > tol * tol {
                keep[at] = true;
                stack.push((a, at));
                stack.push((at, b));
            }
        }
        start = end;
    }
    out.extend(dedup.iter().zip(&keep).filter(|(_, &k)| k).map(|(&p, _)| p));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::prelude::*;

    #[test]
    fn records_in_order_and_drops_invisible_marks() {
        let mut ops = Vec::new();
        {
            let area = Recorder::new(&mut ops, 100, 80).into_drawing_area();
            area.fill(&WHITE).unwrap();
            area.draw(&PathElement::new(vec![(0, 0), (10, 10)], Color::stroke_width(&RED, 2))).unwrap();
            area.draw(&Circle::new((5, 5), 3, BLUE.mix(0.0).filled())).unwrap();
            area.draw(&Text::new("hi", (3, 4), ("sans-serif", 12))).unwrap();
        }
        assert_eq!(count(&ops), Counts { rects: 1, paths: 1, texts: 1, ..Counts::default() });
        assert!(matches!(&ops[1], Op::Path { points, width: 2, .. } if points == &vec![(0, 0), (10, 10)]));
        assert!(matches!(&ops[2], Op::Text(t) if t.text == "hi" && t.at == (3, 4)));
    }

    #[test]
    fn naive_estimate_matches_plotters_svg_layout() {
        // plotters' naive font: 0.7 em per byte, em = size / 1.24²; height em + 0.24 em.
        assert_eq!(naive_text_size("abcd", 15.376), (28, 12));
    }
    /// Distance from `p` to the segment `a`–`b`.
    fn seg_dist(p: BackendCoord, a: BackendCoord, b: BackendCoord) -> f64 {
        let (dx, dy) = ((b.0 - a.0) as f64, (b.1 - a.1) as f64);
        let (px, py) = ((p.0 - a.0) as f64, (p.1 - a.1) as f64);
        let l2 = dx * dx + dy * dy;
        let t = if l2 > 0.0 { ((px * dx + py * dy) / l2).clamp(0.0, 1.0) } else { 0.0 };
        ((px - t * dx).powi(2) + (py - t * dy).powi(2)).sqrt()
    }

    /// Every input vertex within `tol` of the simplified polyline; ends kept; a subsequence.
    fn check_simplified(pts: &[BackendCoord], out: &[BackendCoord], tol: f64) {
        assert_eq!(out.first(), pts.first());
        assert_eq!(out.last(), pts.last());
        let mut j = 0;
        for q in out {
            j += pts[j..].iter().position(|p| p == q).expect("a subsequence of the input");
        }
        for &p in pts {
            let d = if out.len() == 1 {
                seg_dist(p, out[0], out[0])
            } else {
                out.windows(2).map(|w| seg_dist(p, w[0], w[1])).fold(f64::INFINITY, f64::min)
            };
            assert!(d <= tol + 1e-12, "{p:?} is {d} px from the simplified path");
        }
    }

    #[test]
    fn simplify_keeps_shape_within_tolerance_and_drops_smooth_detail() {
        // A loss curve: 650 steps of an exponential decay over 800 × 200 pixels.
        let curve: Vec<BackendCoord> = (0..650)
            .map(|i| ((60.0 + i as f64 * 1.2).round() as i32, (20.0 + 200.0 * (1.0 - (-(i as f64) / 80.0).exp())).round() as i32))
            .collect();
        let out = simplify_path(&curve, PATH_TOLERANCE);
        check_simplified(&curve, &out, PATH_TOLERANCE);
        assert!(out.len() < curve.len() / 5, "{} of {} vertices kept", out.len(), curve.len());
        // A zig-zag (momentum overshooting) keeps every turning point.
        let zig: Vec<BackendCoord> = (0..40).map(|i| (i * 10, if i % 2 == 0 { 0 } else { 30 })).collect();
        assert_eq!(simplify_path(&zig, PATH_TOLERANCE), zig);
        // A path that doubles back on itself keeps the turn, though it lies on the chord's line.
        let back = vec![(0, 0), (100, 0), (50, 0)];
        assert_eq!(simplify_path(&back, PATH_TOLERANCE), back);
        // Repeats (a converged run) collapse; a single point stays one point.
        assert_eq!(simplify_path(&[(3, 4); 50], PATH_TOLERANCE), vec![(3, 4)]);
        assert_eq!(simplify_path(&[], PATH_TOLERANCE), Vec::<BackendCoord>::new());
        // A spiral longer than a chunk: still within tolerance across chunk joins.
        let spiral: Vec<BackendCoord> = (0..3000)
            .map(|i| {
                let a = i as f64 * 0.02;
                ((400.0 + (300.0 - 0.09 * i as f64) * a.cos()).round() as i32, (300.0 + (300.0 - 0.09 * i as f64) * a.sin()).round() as i32)
            })
            .collect();
        check_simplified(&spiral, &simplify_path(&spiral, PATH_TOLERANCE), PATH_TOLERANCE);
    }

    proptest::proptest! {
        #[test]
        fn simplify_is_within_tolerance(pts in proptest::collection::vec((-50i32..50, -50i32..50), 0..400), tol in 0.0f64..3.0) {
            let out = simplify_path(&pts, tol);
            let mut dedup = pts.clone();
            dedup.dedup();
            if dedup.is_empty() {
                proptest::prop_assert!(out.is_empty());
            } else {
                check_simplified(&dedup, &out, tol);
            }
        }
    }
}
