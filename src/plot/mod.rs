//! Shared drawing, generic over plotters' `DrawingBackend`: the same code draws to the browser
//! canvas and to SVG (tests, CLI). Nothing here knows about the browser.

pub mod backend;
pub mod frame;
pub mod quiver;
pub mod raster;
pub mod svg;
pub mod theme;

pub use backend::Blit;
pub use frame::PlotFrame;

use crate::math::View;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

/// A 2-D chart in data coordinates.
pub type XyChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Result of a drawing call.
pub type DrawResult<T, DB> = Result<T, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// Expands `view` so that one data unit has the same length on both axes in a `w`×`h` pixel box:
/// angles and distances look right (Adam's 45° diagonals are a teaching point).
pub fn equal_aspect(view: &View, w: f64, h: f64) -> View {
    let (vw, vh) = (view.xmax - view.xmin, view.ymax - view.ymin);
    if !(w > 0.0 && h > 0.0 && vw > 0.0 && vh > 0.0) {
        return *view;
    }
    let (cx, cy) = ((view.xmin + view.xmax) / 2.0, (view.ymin + view.ymax) / 2.0);
    if vw / vh < w / h {
        let nw = vh * w / h;
        View::new(cx - nw / 2.0, cx + nw / 2.0, view.ymin, view.ymax)
    } else {
        let nh = vw * h / w;
        View::new(view.xmin, view.xmax, cy - nh / 2.0, cy + nh / 2.0)
    }
}

/// Builds the chart for a 2-D field plot. Background and foreground layers call this with the
/// same arguments and so get the same pixel mapping; only the background draws the mesh.
pub fn field_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    view: &View,
    theme: &theme::Theme,
    draw_mesh: bool,
) -> DrawResult<(XyChart<'a, DB>, View), DB> {
    let s = theme.scale;
    let (w, h) = area.dim_in_pixel();
    let label_x = theme.px(34.0);
    let label_y = theme.px(46.0);
    let margin = theme.px(10.0);
    let pw = (w as f64 - label_y as f64 - 2.0 * margin as f64).max(1.0);
    let ph = (h as f64 - label_x as f64 - 2.0 * margin as f64).max(1.0);
    let v = equal_aspect(view, pw, ph);
    let mut chart = ChartBuilder::on(area)
        .margin(margin)
        .x_label_area_size(label_x)
        .y_label_area_size(label_y)
        .build_cartesian_2d(v.xmin..v.xmax, v.ymin..v.ymax)?;
    if draw_mesh {
        chart
            .configure_mesh()
            .disable_mesh()
            .axis_style(theme.fg.stroke_width(s.round().max(1.0) as u32))
            .label_style(theme.text(12.0))
            .x_desc("x")
            .y_desc("y")
            .axis_desc_style(theme.text(13.0))
            .x_labels(7)
            .y_labels(7)
            // `2`, not plotters' `2.0`; a real minus sign.
            .x_label_formatter(&|v| crate::fmt::fmt_sig(*v, 4))
            .y_label_formatter(&|v| crate::fmt::fmt_sig(*v, 4))
            .draw()?;
    }
    Ok((chart, v))
}

/// The pointer-mapping frame of a chart.
pub fn frame_of<DB: DrawingBackend>(chart: &XyChart<'_, DB>, v: &View) -> PlotFrame {
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    PlotFrame { px: (xr.start, xr.end), py: (yr.start, yr.end), x: (v.xmin, v.xmax), y: (v.ymin, v.ymax) }
}

/// Clips a polyline to `v` (Liang–Barsky per segment) and returns the visible pieces. Points
/// far outside (1e300) or non-finite never reach a backend.
pub fn clip_polyline(points: &[[f64; 2]], v: &View) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut cur: Vec<(f64, f64)> = Vec::new();
    for w in points.windows(2) {
        match clip_segment(w[0], w[1], v) {
            Some((a, b)) => {
                if cur.last() != Some(&a) {
                    if cur.len() > 1 {
                        out.push(std::mem::take(&mut cur));
                    }
                    cur.clear();
                    cur.push(a);
                }
                cur.push(b);
            }
            None => {
                if cur.len() > 1 {
                    out.push(std::mem::take(&mut cur));
                }
                cur.clear();
            }
        }
    }
    if cur.len() > 1 {
        out.push(cur);
    }
    out
}

fn clip_segment(p: [f64; 2], q: [f64; 2], v: &View) -> Option<((f64, f64), (f64, f64))> {
    if !(p.iter().chain(q.iter()).all(|c| c.is_finite())) {
        return None;
    }
    let (dx, dy) = (q[0] - p[0], q[1] - p[1]);
    let mut t0: f64 = 0.0;
    let mut t1: f64 = 1.0;
    for (pp, qq) in [(-dx, p[0] - v.xmin), (dx, v.xmax - p[0]), (-dy, p[1] - v.ymin), (dy, v.ymax - p[1])] {
        if pp == 0.0 {
            if qq < 0.0 {
                return None;
            }
        } else {
            let r = qq / pp;
            if pp < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    if t0 > t1 {
        return None;
    }
    Some(((p[0] + t0 * dx, p[1] + t0 * dy), (p[0] + t1 * dx, p[1] + t1 * dy)))
}

/// Marker shapes: every series gets a different one, so colour never carries information alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// ●
    Circle,
    /// ■
    Square,
    /// ▲
    Triangle,
    /// ◆
    Diamond,
    /// ▼
    TriangleDown,
    /// ✚
    Plus,
    /// ✖
    Cross,
    /// ⬟
    Pentagon,
    /// ★
    Star,
    /// ◀
    TriangleLeft,
    /// ▶
    TriangleRight,
}

impl Shape {
    /// The shape of series `i`.
    pub fn nth(i: usize) -> Shape {
        const ALL: [Shape; 11] = [
            Shape::Circle,
            Shape::Square,
            Shape::Triangle,
            Shape::Diamond,
            Shape::TriangleDown,
            Shape::Plus,
            Shape::Cross,
            Shape::Pentagon,
            Shape::Star,
            Shape::TriangleLeft,
            Shape::TriangleRight,
        ];
        ALL[i % ALL.len()]
    }

    /// The same shape as a text character, for HTML legends.
    pub fn glyph(self) -> char {
        match self {
            Shape::Circle => '●',
            Shape::Square => '■',
            Shape::Triangle => '▲',
            Shape::Diamond => '◆',
            Shape::TriangleDown => '▼',
            Shape::Plus => '✚',
            Shape::Cross => '✖',
            Shape::Pentagon => '⬟',
            Shape::Star => '★',
            Shape::TriangleLeft => '◀',
            Shape::TriangleRight => '▶',
        }
    }

    /// Polygon outline of radius 1 around the origin (y down), for the filled shapes.
    fn outline(self) -> Vec<(f64, f64)> {
        let poly = |n: usize, rot: f64, r: &dyn Fn(usize) -> f64| -> Vec<(f64, f64)> {
            (0..n)
                .map(|k| {
                    let a = rot + k as f64 * std::f64::consts::TAU / n as f64;
                    (r(k) * a.cos(), r(k) * a.sin())
                })
                .collect()
        };
        use std::f64::consts::{FRAC_PI_2, FRAC_PI_4, PI};
        match self {
            Shape::Circle => poly(20, 0.0, &|_| 1.0),
            Shape::Square => poly(4, FRAC_PI_4, &|_| 1.15),
            Shape::Triangle => poly(3, -FRAC_PI_2, &|_| 1.3),
            Shape::TriangleDown => poly(3, FRAC_PI_2, &|_| 1.3),
            Shape::TriangleLeft => poly(3, PI, &|_| 1.3),
            Shape::TriangleRight => poly(3, 0.0, &|_| 1.3),
            Shape::Diamond => poly(4, 0.0, &|_| 1.3),
            Shape::Pentagon => poly(5, -FRAC_PI_2, &|_| 1.15),
            Shape::Star => poly(10, -FRAC_PI_2, &|k| if k % 2 == 0 { 1.4 } else { 0.6 }),
            Shape::Plus => {
                let (a, b) = (0.35, 1.25);
                vec![(-a, -b), (a, -b), (a, -a), (b, -a), (b, a), (a, a), (a, b), (-a, b), (-a, a), (-b, a), (-b, -a), (-a, -a)]
            }
            Shape::Cross => {
                let c = FRAC_PI_4.cos();
                Shape::Plus.outline().into_iter().map(|(x, y)| (c * (x - y), c * (x + y))).collect()
            }
        }
    }
}

/// Draws a marker of `shape` centred at backend pixel `at`, radius `r` px, with a halo in `halo`.
pub fn draw_marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    shape: Shape,
    at: (i32, i32),
    r: f64,
    fill: RGBColor,
    halo: RGBColor,
) -> DrawResult<(), DB> {
    let pts = |rr: f64| -> Vec<(i32, i32)> {
        shape.outline().into_iter().map(|(x, y)| (at.0 + (x * rr).round() as i32, at.1 + (y * rr).round() as i32)).collect()
    };
    let outer = pts(r + 1.5_f64.max(r * 0.35));
    area.draw(&Polygon::new(outer, halo.filled()))?;
    area.draw(&Polygon::new(pts(r), fill.filled()))?;
    Ok(())
}

/// Keeps at most about `2·buckets` points of a long series (the first/last and each bucket's
/// min and max), so a 5000-step curve costs the canvas what its pixels can show.
pub fn decimate(points: &[(f64, f64)], buckets: usize) -> Vec<(f64, f64)> {
    if points.len() <= 2 * buckets.max(1) {
        return points.to_vec();
    }
    let n = points.len();
    let per = n.div_ceil(buckets.max(1));
    let mut out = Vec::with_capacity(2 * buckets + 2);
    for chunk in points.chunks(per) {
        let (mut lo, mut hi) = (0, 0);
        for (i, p) in chunk.iter().enumerate() {
            if p.1 < chunk[lo].1 {
                lo = i;
            }
            if p.1 > chunk[hi].1 {
                hi = i;
            }
        }
        let (a, b) = if lo <= hi { (lo, hi) } else { (hi, lo) };
        out.push(chunk[a]);
        if b != a {
            out.push(chunk[b]);
        }
    }
    if out.last() != points.last() {
        out.push(points[n - 1]);
    }
    if out.first() != points.first() {
        out.insert(0, points[0]);
    }
    out
}

/// One trajectory on a 2-D field plot.
pub struct Series<'a> {
    /// The points (finite).
    pub path: &'a [[f64; 2]],
    /// Palette and marker-shape index.
    pub index: usize,
    /// Legend text.
    pub label: String,
    /// Ended by divergence: a cross marker and a warning colour in the legend.
    pub diverged: bool,
    /// Mark every point (discrete iterates) instead of only the end.
    pub dots: bool,
}

/// Heat map of a field over the chart's plotting area (sampled once per CSS pixel, interpolated
/// to device pixels) with small crosses at `marks` (known minima). `f` evaluates the field on the
/// grid of column x values × row y values at once (row-major), so a typed formula runs as a
/// compiled grid evaluation.
pub fn field_background<DB: Blit>(
    chart: &XyChart<'_, DB>,
    v: &View,
    f: impl Fn(&[f64], &[f64]) -> Vec<f64>,
    marks: &[(f64, f64)],
    theme: &theme::Theme,
) -> DrawResult<(), DB> {
    let plot = chart.plotting_area();
    let abs = plot.strip_coord_spec();
    let (w, h) = plot.dim_in_pixel();
    // Sampled once per CSS pixel and drawn at device pixels; while a control moves (a draft),
    // once per two CSS pixels each way and stretched (at DPR 2 a sixteenth of the pixels: the
    // gradient-flow lab's kappa slider cost 13 ms per event at DPR 1 and 25 at DPR 2 in full).
    let per = if theme.draft { 2.0 * theme.scale } else { theme.scale };
    let (sw, sh) = ((w as f64 / per).ceil() as u32, (h as f64 / per).ceil() as u32);
    let vals = raster::sample_grid(v, sw, sh, f);
    if theme.draft {
        // A draft pixel is `per` device pixels: contour lines that much fainter keep their ink.
        raster::draw_raster_stretched(&abs, &raster::heatmap(&vals, sw, sh, sw, sh, theme, 1.0 / per).as_draft())?;
    } else {
        raster::draw_raster(&abs, &raster::heatmap(&vals, sw, sh, w, h, theme, 1.0))?;
    }
    let (xr, yr) = plot.get_pixel_range();
    let st = theme.muted.stroke_width(theme.px(1.5));
    let r = (theme.scale * 5.0).round() as i32;
    for m in marks.iter().filter(|m| v.contains(m.0, m.1)) {
        let at = plot.map_coordinate(m);
        let c = (at.0 - xr.start, at.1 - yr.start);
        abs.draw(&PathElement::new(vec![(c.0 - r, c.1), (c.0 + r, c.1)], st))?;
        abs.draw(&PathElement::new(vec![(c.0, c.1 - r), (c.0, c.1 + r)], st))?;
    }
    Ok(())
}

/// Draws trajectories clipped to the view, with a halo for contrast on any background, the start
/// point, and a marker of each series' own shape at its end (a cross where it diverged).
pub fn draw_series<DB: DrawingBackend>(
    chart: &XyChart<'_, DB>,
    v: &View,
    series: &[Series<'_>],
    start: Option<[f64; 2]>,
    theme: &theme::Theme,
) -> DrawResult<(), DB> {
    let plot = chart.plotting_area();
    let abs = plot.strip_coord_spec();
    let (xr, yr) = plot.get_pixel_range();
    let to_rel = |pt: (f64, f64)| {
        let a = plot.map_coordinate(&pt);
        (a.0 - xr.start, a.1 - yr.start)
    };
    let lw = theme.px(2.0);
    let halo = theme.bg.mix(0.85).stroke_width(lw + theme.px(2.5));
    for s in series {
        let colour = theme.series(s.index);
        for piece in clip_polyline(s.path, v) {
            // Consecutive points closer than a device pixel add nothing.
            let mut px: Vec<(i32, i32)> = Vec::with_capacity(piece.len());
            for q in piece {
                let a = to_rel(q);
                if px.last() != Some(&a) {
                    px.push(a);
                }
            }
            abs.draw(&PathElement::new(px.clone(), halo))?;
            abs.draw(&PathElement::new(px, colour.stroke_width(lw)))?;
        }
        if s.dots {
            for &[x, y] in s.path.iter().filter(|p| v.contains(p[0], p[1])) {
                abs.draw(&Circle::new(to_rel((x, y)), theme.px(2.0), colour.filled()))?;
            }
        }
    }
    if let Some([sx, sy]) = start.filter(|p| v.contains(p[0], p[1])) {
        let at = to_rel((sx, sy));
        abs.draw(&Circle::new(at, theme.px(6.0), theme.bg.filled()))?;
        abs.draw(&Circle::new(at, theme.px(5.0), theme.fg.stroke_width(theme.px(2.0))))?;
    }
    for s in series {
        let Some(&[x, y]) = s.path.last() else { continue };
        if !v.contains(x, y) {
            continue;
        }
        let colour = theme.series(s.index);
        if s.diverged {
            draw_marker(&abs, Shape::Cross, to_rel((x, y)), theme.scale * 6.0, colour, theme.bg)?;
        } else {
            draw_marker(&abs, Shape::nth(s.index), to_rel((x, y)), theme.scale * 4.5, colour, theme.bg)?;
        }
    }
    Ok(())
}

/// A legend inside the plot (top-left), so exported figures explain themselves.
pub fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    frame: &PlotFrame,
    series: &[Series<'_>],
    theme: &theme::Theme,
) -> DrawResult<(), DB> {
    if series.is_empty() {
        return Ok(());
    }
    let sc = theme.scale;
    let row = (17.0 * sc).round() as i32;
    let x0 = frame.px.0 + (8.0 * sc) as i32;
    let y0 = frame.py.0 + (8.0 * sc) as i32;
    let longest = series.iter().map(|s| s.label.chars().count()).max().unwrap_or(4) as f64;
    let w = ((34.0 + 6.6 * longest) * sc) as i32;
    let h = row * series.len() as i32 + (8.0 * sc) as i32;
    let (ox, oy) = area.get_base_pixel();
    let rel = |x: i32, y: i32| (x - ox, y - oy);
    area.draw(&Rectangle::new([rel(x0, y0), rel(x0 + w, y0 + h)], theme.bg.mix(0.85).filled()))?;
    area.draw(&Rectangle::new([rel(x0, y0), rel(x0 + w, y0 + h)], theme.muted.stroke_width(1)))?;
    for (i, s) in series.iter().enumerate() {
        let colour = theme.series(s.index);
        let cy = y0 + (4.0 * sc) as i32 + row * i as i32 + row / 2;
        let lx = x0 + (6.0 * sc) as i32;
        area.draw(&PathElement::new(vec![rel(lx, cy), rel(lx + (18.0 * sc) as i32, cy)], colour.stroke_width(theme.px(2.0))))?;
        let shape = if s.diverged { Shape::Cross } else { Shape::nth(s.index) };
        draw_marker(area, shape, rel(lx + (9.0 * sc) as i32, cy), sc * 3.5, colour, theme.bg)?;
        let tc = if s.diverged { theme.series(4) } else { theme.fg };
        area.draw(&Text::new(s.label.clone(), rel(lx + (24.0 * sc) as i32, cy - (7.0 * sc) as i32), theme.text_left(12.0, tc)))?;
    }
    Ok(())
}

/// What a row of a [`key_box`] shows beside its text.
#[derive(Clone, Copy, Debug)]
pub enum Swatch {
    /// A line in this colour.
    Line(RGBColor),
    /// A filled box in this colour.
    Box(RGBColor),
}

/// Which corner of the plotting area a [`key_box`] goes in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Corner {
    /// Upper right.
    UpperRight,
    /// Lower right.
    LowerRight,
    /// Lower left.
    LowerLeft,
}

/// A key (legend) for charts whose entries are not paths: a box in a corner of the chart's plotting
/// area with a swatch and a text per row, sized with the surface's own text measure (plotters' own
/// series labels measure text through the browser's layout, one forced layout per label).
pub fn key_box<DB: DrawingBackend, X, Y>(
    chart: &ChartContext<'_, DB, Cartesian2d<X, Y>>,
    corner: Corner,
    rows: &[(Swatch, String)],
    theme: &theme::Theme,
) -> DrawResult<(), DB>
where
    X: plotters::coord::ranged1d::Ranged,
    Y: plotters::coord::ranged1d::Ranged,
{
    if rows.is_empty() {
        return Ok(());
    }
    let plot = chart.plotting_area();
    let abs = plot.strip_coord_spec();
    let (pw, ph) = abs.dim_in_pixel();
    let style = theme.text_left(12.0, theme.fg);
    let mut wmax = 0;
    for (_, text) in rows {
        wmax = wmax.max(abs.estimate_text_size(text, &style)?.0 as i32);
    }
    let (pad, row, sw) = (theme.px(6.0) as i32, theme.px(17.0) as i32, theme.px(18.0) as i32);
    let (w, h) = (wmax + sw + 3 * pad, row * rows.len() as i32 + pad);
    let x0 = if corner == Corner::LowerLeft { pad } else { pw as i32 - w - pad };
    let y0 = match corner {
        Corner::UpperRight => pad,
        Corner::LowerRight | Corner::LowerLeft => ph as i32 - h - pad,
    };
    abs.draw(&Rectangle::new([(x0, y0), (x0 + w, y0 + h)], theme.bg.mix(0.85).filled()))?;
    abs.draw(&Rectangle::new([(x0, y0), (x0 + w, y0 + h)], theme.muted.stroke_width(1)))?;
    for (i, (swatch, text)) in rows.iter().enumerate() {
        let cy = y0 + pad / 2 + row * i as i32 + row / 2;
        let lx = x0 + pad;
        match swatch {
            Swatch::Line(c) => abs.draw(&PathElement::new(vec![(lx, cy), (lx + sw, cy)], c.stroke_width(theme.px(2.0))))?,
            Swatch::Box(c) => abs.draw(&Rectangle::new([(lx + sw / 4, cy - sw / 4), (lx + 3 * sw / 4, cy + sw / 4)], c.filled()))?,
        }
        abs.draw(&Text::new(text.clone(), (lx + sw + pad, cy - theme.px(7.0) as i32), style.clone()))?;
    }
    Ok(())
}

/// A chart for bars over classes 1…n: whole-number x labels, horizontal grid lines only, `y` as
/// given; `label_areas` are the (x, y) axis label sizes in CSS pixels.
pub fn class_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    n: usize,
    y: std::ops::Range<f64>,
    (x_desc, y_desc): (&str, &str),
    label_areas: (f64, f64),
    theme: &theme::Theme,
) -> DrawResult<XyChart<'a, DB>, DB> {
    let mut chart = ChartBuilder::on(area)
        .margin(theme.px(10.0))
        .x_label_area_size(theme.px(label_areas.0))
        .y_label_area_size(theme.px(label_areas.1))
        .build_cartesian_2d(0.5..n as f64 + 0.5, y)?;
    let mut mesh = chart.configure_mesh();
    mesh.disable_x_mesh()
        .light_line_style(theme.muted.mix(0.15))
        .bold_line_style(theme.muted.mix(0.3))
        .axis_style(theme.fg)
        .label_style(theme.text(12.0))
        .axis_desc_style(theme.text(13.0))
        .x_labels(n.min(16))
        .x_label_formatter(&|v| format!("{}", v.round() as i64))
        .y_desc(y_desc);
    if !x_desc.is_empty() {
        mesh.x_desc(x_desc);
    }
    mesh.draw()?;
    Ok(chart)
}

/// The axes of a line chart: x from 0 to `x_max`, y linear or logarithmic over the data's range
/// rounded out (to whole decades on a log axis, to a multiple of a round step otherwise). Small
/// changes of the data (a slider moved, a run stepped) keep the axes, and so a cached background.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LineAxes {
    /// Right end of the x axis.
    pub x_max: f64,
    /// Logarithmic y axis.
    pub log_y: bool,
    /// Bottom of the y axis.
    pub lo: f64,
    /// Top of the y axis.
    pub hi: f64,
}

impl LineAxes {
    /// Axes for `curves`, each `(palette index, points)`. On a log axis non-positive values are
    /// ignored (and drawn at the floor) and the range spans at least 3 and at most 16 decades, so
    /// one converged curve does not flatten the rest.
    pub fn fit(curves: &[(usize, Vec<(f64, f64)>)], x_max: f64, log_y: bool) -> Self {
        Self::fit_values(curves.iter().flat_map(|(_, pts)| pts.iter().map(|p| p.1)), x_max, log_y)
    }
    /// [`LineAxes::fit`] from the y values alone (a cache key without building the curves).
    pub fn fit_values(ys: impl Iterator<Item = f64>, x_max: f64, log_y: bool) -> Self {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for y in ys {
            if y.is_finite() && !(log_y && y <= 0.0) {
                lo = lo.min(y);
                hi = hi.max(y);
            }
        }
        if !(lo.is_finite() && hi.is_finite()) {
            (lo, hi) = (1e-3, 1.0);
        }
        // Finite but huge values (a run diverging towards 1e300) would overflow the span, the
        // padding or the rounding below to inf and NaN: plotters panics on a NaN range. Beyond
        // ±1e300 nothing is readable anyway.
        let (lo, hi) = (lo.clamp(-1e300, 1e300), hi.clamp(-1e300, 1e300));
        let x_max = if x_max > 0.0 && x_max.is_finite() { x_max } else { 1.0 };
        let axes = if log_y {
            let hi = hi.max(lo * 10.0);
            let lo = lo.max(hi * 1e-16).min(hi / 1e3);
            let (lo, hi) = (10f64.powf(lo.log10().floor()), 10f64.powf((hi * 1.5).log10().ceil()));
            LineAxes { x_max, log_y, lo, hi }
        } else {
            // The padding is relative to the values' size too: 1e-9 vanishes next to 1e20.
            let pad = ((hi - lo).abs() * 0.05).max(1e-9).max(hi.abs().max(lo.abs()) * 1e-9);
            let (lo, hi) = (lo - pad, hi + pad);
            let step = 10f64.powf((hi - lo).log10().floor()) / 2.0;
            LineAxes { x_max, log_y, lo: (lo / step).floor() * step, hi: (hi / step).ceil() * step }
        };
        // Whatever got through: a readable default rather than a panic.
        if axes.lo.is_finite() && axes.hi.is_finite() && axes.lo < axes.hi && (!log_y || axes.lo > 0.0) {
            axes
        } else if log_y {
            LineAxes { x_max, log_y, lo: 1e-3, hi: 1.0 }
        } else {
            LineAxes { x_max, log_y, lo: 0.0, hi: 1.0 }
        }
    }
    /// A cache key: changes exactly when the axes do.
    pub fn key(&self) -> u64 {
        let bits = [self.x_max.to_bits(), self.lo.to_bits(), self.hi.to_bits(), self.log_y as u64];
        bits.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b).wrapping_mul(0x100_0000_01b3))
    }
}

/// Builds the chart of `axes` on `area` and runs `$body` with it (log and linear axes are
/// different chart types; both the axes and the curves use this).
macro_rules! with_line_chart {
    ($area:expr, $axes:expr, $theme:expr, |$chart:ident, $digits:ident| $body:block) => {{
        let mut builder = ChartBuilder::on($area);
        builder.margin($theme.px(10.0)).x_label_area_size($theme.px(34.0)).y_label_area_size($theme.px(58.0));
        let ax: &LineAxes = $axes;
        if ax.log_y {
            #[allow(unused_mut)]
            let mut $chart = builder.build_cartesian_2d(0f64..ax.x_max, (ax.lo..ax.hi).log_scale())?;
            let $digits = 2usize;
            $body
        } else {
            #[allow(unused_mut)]
            let mut $chart = builder.build_cartesian_2d(0f64..ax.x_max, ax.lo..ax.hi)?;
            let $digits = 3usize;
            $body
        }
    }};
}

/// A line chart's axes, grid and labels (the cached background of the chart).
pub fn line_axes<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    axes: &LineAxes,
    x_desc: &str,
    y_desc: &str,
    theme: &theme::Theme,
) -> DrawResult<(), DB> {
    with_line_chart!(area, axes, theme, |chart, digits| {
        chart
            .configure_mesh()
            .light_line_style(theme.muted.mix(0.15))
            .bold_line_style(theme.muted.mix(0.3))
            .axis_style(theme.fg)
            .label_style(theme.text(12.0))
            .axis_desc_style(theme.text(13.0))
            .x_desc(x_desc)
            .y_desc(y_desc)
            .y_label_formatter(&|v| crate::fmt::fmt_sig(*v, digits))
            // Steps, NFE, N are counted: `200`, not `200.0`.
            .x_label_formatter(&|v| crate::fmt::fmt_sig(*v, 4))
            .draw()?;
    });
    Ok(())
}

/// A line chart's curves, each `(palette index, points)`, in the coordinates of `axes`; long
/// curves are thinned to what the pixels can show.
pub fn line_curves<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    axes: &LineAxes,
    curves: &[(usize, Vec<(f64, f64)>)],
    theme: &theme::Theme,
) -> DrawResult<(), DB> {
    let w_px = area.dim_in_pixel().0 as usize;
    let line = |pts: &[(f64, f64)]| -> Vec<(f64, f64)> {
        let pts: Vec<(f64, f64)> = pts.iter().map(|&(x, y)| (x, if axes.log_y { y.max(axes.lo) } else { y })).collect();
        decimate(&pts, w_px.max(16) / 2)
    };
    with_line_chart!(area, axes, theme, |chart, _digits| {
        for (i, pts) in curves {
            chart.draw_series(LineSeries::new(line(pts), theme.series(*i).stroke_width(theme.px(2.0))))?;
        }
    });
    Ok(())
}

/// Curves against a common x axis from 0 to `x_max`, axes and curves together (see [`LineAxes`]).
pub fn line_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    curves: &[(usize, Vec<(f64, f64)>)],
    x_max: f64,
    log_y: bool,
    x_desc: &str,
    y_desc: &str,
    theme: &theme::Theme,
) -> DrawResult<(), DB> {
    let axes = LineAxes::fit(curves, x_max, log_y);
    line_axes(area, &axes, x_desc, y_desc, theme)?;
    line_curves(area, &axes, curves, theme)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_keeps_inside_and_cuts_outside() {
        let v = View::new(0.0, 1.0, 0.0, 1.0);
        let pieces = clip_polyline(&[[0.5, 0.5], [2.0, 0.5], [2.0, 2.0], [0.5, 0.25], [0.25, 0.25]], &v);
        assert_eq!(pieces.len(), 2);
        assert_eq!(pieces[0], vec![(0.5, 0.5), (1.0, 0.5)]);
        assert_eq!(*pieces[1].last().unwrap(), (0.25, 0.25));
        for p in pieces.iter().flatten() {
            assert!(v.contains(p.0, p.1));
        }
        assert!(clip_polyline(&[[f64::NAN, 0.0], [0.5, 0.5]], &v).is_empty());
        assert!(clip_polyline(&[[1e300, -1e300], [-1e300, 1e300]], &v).iter().flatten().all(|p| p.0.is_finite()));
    }

    /// Axes for any finite values are finite and ordered: huge ones (a diverging run near 1e300),
    /// constant ones, tiny ones, on both scales.
    #[test]
    fn line_axes_stay_finite_for_any_finite_values() {
        let cases: &[&[f64]] = &[
            &[1e300, 1.7e308],
            &[-1.7e308, 1.7e308],
            &[1e20, 1e20],
            &[1e300],
            &[5e-324, 1e-300],
            &[0.0, 0.0],
            &[-3.0],
            &[f64::MAX, f64::MIN_POSITIVE],
            &[],
        ];
        for ys in cases {
            for log in [false, true] {
                let a = LineAxes::fit_values(ys.iter().copied(), 10.0, log);
                assert!(a.lo.is_finite() && a.hi.is_finite() && a.lo < a.hi, "{ys:?} log {log}: {a:?}");
                assert!(!log || a.lo > 0.0, "{ys:?}: a log axis starts above 0 ({a:?})");
            }
        }
        // Ordinary data keeps its old axes.
        let a = LineAxes::fit_values([0.3, 2.7].into_iter(), 10.0, false);
        assert_eq!((a.lo, a.hi), (0.0, 3.0));
    }

    /// A draft heat map (a slider being moved) samples half a CSS pixel each way and is stretched
    /// over the same plot; the full one has a pixel per device pixel. Same plot, same place.
    #[test]
    fn a_draft_field_is_a_stretched_quarter_of_the_pixels() {
        let images = |draft: bool| {
            let mut th = theme::Theme::light(2.0);
            th.draft = draft;
            let mut ops = Vec::new();
            {
                let area = backend::Recorder::new(&mut ops, 400, 300).into_drawing_area();
                let v = View::new(-1.0, 1.0, -1.0, 1.0);
                let (chart, v) = field_chart(&area, &v, &th, true).unwrap();
                field_background(
                    &chart,
                    &v,
                    |xs, ys| ys.iter().flat_map(|y| xs.iter().map(move |x| x * x + 3.0 * y * y)).collect(),
                    &[],
                    &th,
                )
                .unwrap();
            }
            ops.into_iter()
                .filter_map(|o| if let backend::Op::Image { at, size, img } = o { Some((at, size, img.w, img.h, img.draft)) } else { None })
                .collect::<Vec<_>>()
        };
        let (full, draft) = (images(false), images(true));
        assert_eq!((full.len(), draft.len()), (1, 1));
        let ((at, size, w, h, fd), (dat, dsize, dw, dh, dd)) = (full[0], draft[0]);
        assert!(!fd && dd, "only the draft is marked as one (the page redraws marked layers at the settle)");
        assert_eq!((at, size), (dat, dsize), "the draft covers the same plot");
        assert_eq!((w, h), size, "full detail: a pixel per device pixel");
        assert_eq!((dw, dh), (size.0.div_ceil(4), size.1.div_ceil(4)), "draft: half a CSS pixel at DPR 2");
    }

    #[test]
    fn equal_aspect_expands_the_short_side() {
        let v = equal_aspect(&View::new(-1.0, 1.0, -1.0, 1.0), 200.0, 100.0);
        assert_eq!((v.xmin, v.xmax, v.ymin, v.ymax), (-2.0, 2.0, -1.0, 1.0));
        let v = equal_aspect(&View::new(-1.0, 1.0, 0.0, 1.0), 100.0, 100.0);
        assert_eq!((v.xmin, v.xmax, v.ymin, v.ymax), (-1.0, 1.0, -0.5, 1.5));
    }

    #[test]
    fn decimation_keeps_extremes_and_ends() {
        let pts: Vec<(f64, f64)> = (0..10_000).map(|i| (i as f64, ((i * 7919) % 1000) as f64)).collect();
        let d = decimate(&pts, 100);
        assert!(d.len() <= 202);
        assert_eq!(d.first(), pts.first());
        assert_eq!(d.last(), pts.last());
        let max = pts.iter().map(|p| p.1).fold(f64::MIN, f64::max);
        assert!(d.iter().any(|p| p.1 == max));
        assert!(d.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn shapes_are_distinct() {
        for i in 0..11 {
            for j in 0..i {
                assert_ne!(Shape::nth(i), Shape::nth(j));
            }
        }
    }
}
