//! Drawing of the attention lab, generic over the plotters backend: the two matrices on one colour
//! scale (main figure), and the spectra, entropy against n and the Performer's error against m
//! (linked charts, with log axes built here: the shared line charts have a linear x axis).

use super::model::State;
use super::text::{t, tf};
use super::{map_label, Params};
use crate::fmt::fmt_sig;
use crate::lab::{key_of, Figure, Layer};
use crate::math::attention::{rank_bound, rank_tolerance, Map, Mat};
use crate::plot::raster::{draw_raster, draw_raster_stretched, mix, Raster};
use crate::plot::theme::Theme;
use crate::plot::{draw_marker, key_box, Blit, Corner, DrawResult, PlotFrame, Shape, Swatch};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Palette index of softmax and of the chosen map in every chart.
const SOFT: usize = 0;
/// Palette index of the chosen map (softmax itself uses [`SOFT`]).
pub fn map_colour(m: Map) -> usize {
    match m {
        Map::Softmax => SOFT,
        Map::Elu1 => 1,
        Map::Cos1 => 2,
        Map::Dual => 3,
        Map::Performer => 4,
        Map::ExpProj => 5,
    }
}

/// The right square starts at 1.1·n in the hover coordinates (a gap of n/10 between the squares).
pub const GAP: f64 = 0.1;

/// What the main figure shows depends on the configuration only; the linked charts also on the
/// background work done.
pub fn cache_key(fig: Figure, layer: Layer, _p: &Params, s: &State) -> Option<u64> {
    let c = &s.cfg;
    let base = (c.n, c.d, c.map, c.map.uses_features().then_some(c.m), s.s.to_bits(), c.mask, c.preset, s.error.is_some());
    match (fig, layer) {
        (Figure::Main, Layer::Background) => Some(key_of(&base)),
        (Figure::Main, Layer::Foreground) => Some(0),
        (Figure::Aux, _) => None,
        _ => None,
    }
}

/// Draws one figure layer.
pub fn render<DB: Blit>(
    fig: Figure,
    layer: Layer,
    area: &DrawingArea<DB, Shift>,
    p: &Params,
    s: &State,
    theme: &Theme,
) -> DrawResult<Option<PlotFrame>, DB> {
    match fig {
        Figure::Main => matrices(area, layer, p, s, theme).map(Some),
        Figure::Aux => {
            if layer.foreground() {
                let parts = area.split_evenly((1, 3));
                spectra(&parts[0], s, theme)?;
                entropy_chart(&parts[1], s, theme)?;
                error_chart(&parts[2], p, s, theme)?;
            }
            Ok(None)
        }
    }
}

/// Colour of level t ∈ [0, 1]: background → the first series colour → towards the text colour.
fn level_colour(theme: &Theme, t: f64) -> [u8; 3] {
    let t = t.clamp(0.0, 1.0);
    let hi = theme.series(SOFT);
    if t < 0.65 {
        mix(theme.bg, hi, t / 0.65)
    } else {
        mix(hi, theme.fg, (t - 0.65) / 0.35 * 0.7)
    }
}

/// The square side and the top-left corners of the two squares.
struct Layout {
    side: u32,
    x0: i32,
    y0: i32,
    bar_x: i32,
}

fn layout(w: u32, h: u32, theme: &Theme) -> Layout {
    let pad = theme.px(8.0) as f64;
    let title = theme.px(22.0) as f64;
    let bar = theme.px(64.0) as f64;
    let below = theme.px(20.0) as f64;
    let avail_w = (w as f64 - 2.0 * pad - bar).max(20.0);
    let side = (avail_w / (2.0 + GAP)).min(h as f64 - title - below - pad).max(8.0).floor();
    let x0 = pad + ((avail_w - (2.0 + GAP) * side) / 2.0).max(0.0);
    Layout { side: side as u32, x0: x0 as i32, y0: (title + pad * 0.5) as i32, bar_x: (x0 + (2.0 + GAP) * side + pad * 1.5) as i32 }
}

/// The largest entry of either matrix (the shared colour scale's top), at least 1e-300.
pub fn colour_top(a: &Mat, b: &Mat) -> f64 {
    a.as_slice().iter().chain(b.as_slice()).copied().filter(|v| v.is_finite()).fold(1e-300, f64::max)
}

/// The side-by-side matrices on one colour scale (square root of A/A_max, so small weights show),
/// masked entries grey; the frame maps the pointer to (column, row) in units of tokens.
fn matrices<DB: Blit>(area: &DrawingArea<DB, Shift>, layer: Layer, p: &Params, s: &State, theme: &Theme) -> DrawResult<PlotFrame, DB> {
    let (w, h) = area.dim_in_pixel();
    let l = layout(w, h, theme);
    let n = s.cfg.n.max(1);
    let side = l.side;
    let right_x = l.x0 + ((1.0 + GAP) * side as f64).round() as i32;
    let frame = PlotFrame {
        px: (l.x0, l.x0 + ((2.0 + GAP) * side as f64).round() as i32),
        py: (l.y0, l.y0 + side as i32),
        x: (0.0, (2.0 + GAP) * n as f64),
        y: (n as f64, 0.0),
    };
    if !layer.background() {
        return Ok(frame);
    }
    let (Some(soft), Some(chosen)) = (s.cache.softmax(), s.cache.chosen()) else {
        return Ok(frame);
    };
    let top = colour_top(&soft.att.a, &chosen.att.a);
    let lut: Vec<[u8; 3]> = (0..256).map(|k| level_colour(theme, k as f64 / 255.0)).collect();
    let grey = mix(theme.bg, theme.muted, 0.42);
    // One pixel per entry (n² ≤ 65 536 square roots), stretched over the square by the surface
    // with hard edges: the work and the pixels handed over do not grow with the device pixel
    // ratio (at DPR 2 the square has ~4·10⁵ pixels, the matrix at most 65 536).
    let raster = |a: &Mat| {
        let mut rgb = Vec::with_capacity(n * n * 3);
        for i in 0..n {
            let row = a.row(i);
            for j in 0..n {
                let c = if !s.cfg.mask.allows(i, j) {
                    grey
                } else {
                    let x = row.get(j).copied().unwrap_or(0.0);
                    let tl = if x.is_finite() && x > 0.0 { (x / top).sqrt() } else { 0.0 };
                    lut[((tl * 255.0).round() as usize).min(255)]
                };
                rgb.extend_from_slice(&c);
            }
        }
        Raster::rgb(n as u32, n as u32, rgb).pixelated()
    };
    let refused = p.causal_refused();
    let titles = [
        (l.x0, tf("softmax (reference), rank {}", &[&rank_text(soft.rank())]), SOFT),
        (right_x, tf("{}, rank {}", &[&map_label(s.cfg.map), &rank_text(chosen.rank())]), map_colour(s.cfg.map)),
    ];
    for (k, (x, title, colour)) in titles.iter().enumerate() {
        let a = if k == 0 { &soft.att.a } else { &chosen.att.a };
        let sq = area.clone().shrink((*x as u32, l.y0 as u32), (side, side));
        draw_raster_stretched(&sq, &raster(a))?;
        sq.draw(&Rectangle::new([(0, 0), (side as i32 - 1, side as i32 - 1)], theme.muted.stroke_width(1)))?;
        area.draw(&Text::new(title.clone(), (*x, l.y0 - theme.px(19.0) as i32), theme.text_left(13.0, theme.series(*colour))))?;
    }
    let note = if refused {
        t("causal mask refused for dual softmax: both shown unmasked")
    } else if s.cfg.mask.causal {
        t("query i ↓, key j →; grey: masked (j > i)")
    } else if s.cfg.mask.window > 0 && s.cfg.mask.window < n {
        t("query i ↓, key j →; grey: outside the window")
    } else {
        t("query i ↓, key j →")
    };
    let note_colour = if refused { theme.series(1) } else { theme.muted };
    area.draw(&Text::new(note.to_string(), (l.x0, l.y0 + side as i32 + theme.px(4.0) as i32), theme.text_left(12.0, note_colour)))?;
    // The colour bar: A on the square-root scale, ticks at 0, ¼, ½, ¾, 1 of the height.
    let bw = theme.px(12.0);
    let bar = area.clone().shrink((l.bar_x.max(0) as u32, l.y0 as u32), (bw, side));
    let mut rgb = Vec::with_capacity((bw * side * 3) as usize);
    for v in 0..side {
        let c = level_colour(theme, 1.0 - v as f64 / (side.max(2) - 1) as f64);
        for _ in 0..bw {
            rgb.extend_from_slice(&c);
        }
    }
    draw_raster(&bar, &Raster::rgb(bw, side, rgb))?;
    bar.draw(&Rectangle::new([(0, 0), (bw as i32 - 1, side as i32 - 1)], theme.muted.stroke_width(1)))?;
    for k in 0..=4 {
        let tl = k as f64 / 4.0;
        let y = l.y0 + ((1.0 - tl) * (side as f64 - 1.0)) as i32;
        let label = fmt_sig(top * tl * tl, 2);
        area.draw(&Text::new(label, (l.bar_x + bw as i32 + theme.px(3.0) as i32, y - theme.px(6.0) as i32), theme.text_left(11.0, theme.fg)))?;
    }
    // Plain ASCII: a glyph from a fallback font (subscripts) may still be loading on the first frame.
    area.draw(&Text::new("A(i, j)".to_string(), (l.bar_x, l.y0 - theme.px(20.0) as i32), theme.text_left(12.0, theme.fg)))?;
    Ok(frame)
}

fn rank_text(r: Option<usize>) -> String {
    r.map_or_else(|| "…".to_string(), |r| r.to_string())
}

fn mesh<DB: Blit, X, Y>(chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>, x: &str, y: &str, theme: &Theme) -> DrawResult<(), DB>
where
    X: plotters::coord::ranged1d::Ranged<ValueType = f64> + plotters::coord::ranged1d::ValueFormatter<f64>,
    Y: plotters::coord::ranged1d::Ranged<ValueType = f64> + plotters::coord::ranged1d::ValueFormatter<f64>,
{
    chart
        .configure_mesh()
        .light_line_style(theme.muted.mix(0.12))
        .bold_line_style(theme.muted.mix(0.25))
        .axis_style(theme.fg)
        .label_style(theme.text(11.0))
        .axis_desc_style(theme.text(12.0))
        .x_desc(x)
        .y_desc(y)
        .x_labels(5)
        .y_labels(5)
        .x_label_formatter(&|v| fmt_sig(*v, 3))
        .y_label_formatter(&|v| fmt_sig(*v, 2))
        .draw()
}

fn centred<DB: Blit>(area: &DrawingArea<DB, Shift>, text: String, theme: &Theme) -> DrawResult<(), DB> {
    let (_, h) = area.dim_in_pixel();
    area.draw(&Text::new(text, (theme.px(12.0) as i32, h as i32 / 2), theme.text_left(12.0, theme.muted)))
}

fn builder<'a, 'b, DB: Blit>(area: &'a DrawingArea<DB, Shift>, caption: String, theme: &Theme) -> ChartBuilder<'a, 'b, DB> {
    let mut b = ChartBuilder::on(area);
    b.margin(theme.px(8.0))
        .caption(caption, theme.text(12.0))
        .x_label_area_size(theme.px(32.0))
        .y_label_area_size(theme.px(46.0));
    b
}

/// Singular values of both matrices (log y) with the rank bound and NumPy's rank tolerance.
fn spectra<DB: Blit>(area: &DrawingArea<DB, Shift>, s: &State, theme: &Theme) -> DrawResult<(), DB> {
    let (Some(soft), Some(chosen)) = (s.cache.softmax(), s.cache.chosen()) else { return Ok(()) };
    let (Some(a), Some(b)) = (soft.singular_values(), chosen.singular_values()) else {
        let pct = 100.0 * s.pending(&Params::default()).unwrap_or(1.0);
        return centred(area, tf("computing singular values… {}%", &[&format!("{pct:.0}")]), theme);
    };
    let n = s.cfg.n;
    let smax = a.iter().chain(b).copied().filter(|v| v.is_finite()).fold(0.0f64, f64::max).max(1e-300);
    let tol = rank_tolerance(a, n, n).max(rank_tolerance(b, n, n));
    let floor = (smax * 1e-18).max(1e-300);
    let lo_data = a.iter().chain(b).copied().filter(|v| v.is_finite() && *v > floor).fold(smax, f64::min);
    let lo = 10f64.powf((lo_data.min(tol).max(floor) / 3.0).log10().floor());
    // Headroom above the largest value for the key (a third of the height, whole decades).
    let hi = 10f64.powf((smax * 2.0).log10().ceil());
    let hi = hi * 10f64.powf(((hi / lo).log10() * 0.5).ceil());
    let bound = rank_bound(s.cfg.map, n, s.cfg.d, s.cfg.m, s.cfg.mask);
    let mut chart = builder(area, t("singular values σₖ").to_string(), theme).build_cartesian_2d(0.5f64..n as f64 + 0.5, (lo..hi).log_scale())?;
    mesh(&mut chart, t("k"), t("σₖ"), theme)?;
    let pts = |v: &[f64]| v.iter().enumerate().map(|(k, &x)| ((k + 1) as f64, if x.is_finite() { x.max(lo) } else { lo })).collect::<Vec<_>>();
    chart.draw_series(std::iter::once(PathElement::new(vec![(0.5, tol.max(lo)), (n as f64 + 0.5, tol.max(lo))], theme.muted.stroke_width(1))))?;
    let [r, g, bl] = mix(theme.bg, theme.fg, 0.7);
    let bound_colour = RGBColor(r, g, bl);
    chart.draw_series(std::iter::once(PathElement::new(vec![(bound as f64, lo), (bound as f64, hi)], bound_colour.stroke_width(theme.px(1.2)))))?;
    let cm = map_colour(s.cfg.map);
    chart.draw_series(LineSeries::new(pts(a), theme.series(SOFT).stroke_width(theme.px(2.0))))?;
    if s.cfg.map != Map::Softmax {
        chart.draw_series(LineSeries::new(pts(b), theme.series(cm).stroke_width(theme.px(2.0))))?;
    }
    let mut key = vec![(Swatch::Line(theme.series(SOFT)), t("softmax").to_string())];
    if s.cfg.map != Map::Softmax {
        key.push((Swatch::Line(theme.series(cm)), s.cfg.map.slug().to_string()));
    }
    key.push((Swatch::Line(bound_colour), tf("rank bound {}", &[&bound])));
    key.push((Swatch::Line(theme.muted), t("tolerance σ₁·n·ε").to_string()));
    key_box(&chart, Corner::UpperRight, &key, theme)
}

/// Mean row entropy against n (log n) for both, with ln n (uniform rows, average pooling).
fn entropy_chart<DB: Blit>(area: &DrawingArea<DB, Shift>, s: &State, theme: &Theme) -> DrawResult<(), DB> {
    let pts: Vec<(usize, f64, f64)> = s.entropy.iter().copied().filter(|e| e.1.is_finite() && e.2.is_finite()).collect();
    let n_hi = (s.cfg.n.max(8)) as f64;
    let y_hi = (n_hi.ln() * 1.08).max(0.5);
    let mut chart = builder(area, t("mean row entropy against n").to_string(), theme).build_cartesian_2d((4f64..n_hi).log_scale(), 0f64..y_hi)?;
    mesh(&mut chart, t("tokens n (log)"), t("entropy (nats)"), theme)?;
    chart.draw_series(LineSeries::new((0..=40).map(|k| {
        let x = 4.0 * (n_hi / 4.0).powf(k as f64 / 40.0);
        (x, x.ln())
    }), theme.muted.stroke_width(theme.px(1.2))))?;
    let cm = map_colour(s.cfg.map);
    let soft: Vec<(f64, f64)> = pts.iter().map(|e| (e.0 as f64, e.2)).collect();
    let mine: Vec<(f64, f64)> = pts.iter().map(|e| (e.0 as f64, e.1)).collect();
    chart.draw_series(LineSeries::new(soft.clone(), theme.series(SOFT).stroke_width(theme.px(2.0))))?;
    if s.cfg.map != Map::Softmax {
        chart.draw_series(LineSeries::new(mine.clone(), theme.series(cm).stroke_width(theme.px(2.0))))?;
    }
    // The current n, marked on both curves.
    let (ox, oy) = area.get_base_pixel();
    for (v, c) in [(&soft, SOFT), (&mine, cm)] {
        if let Some(&(x, y)) = v.iter().find(|p| p.0 as usize == s.cfg.n) {
            let at = chart.backend_coord(&(x, y));
            draw_marker(area, Shape::Circle, (at.0 - ox, at.1 - oy), theme.scale * 4.0, theme.series(c), theme.bg)?;
        }
    }
    let mut key = vec![(Swatch::Line(theme.series(SOFT)), t("softmax").to_string())];
    if s.cfg.map != Map::Softmax {
        key.push((Swatch::Line(theme.series(cm)), s.cfg.map.slug().to_string()));
    }
    key.push((Swatch::Line(theme.muted), t("ln n (uniform rows)").to_string()));
    key_box(&chart, Corner::LowerRight, &key, theme)
}

/// The Performer's relative output error against m (log–log) with a 1/√m guide through the
/// largest m, and the flop counts.
fn error_chart<DB: Blit>(area: &DrawingArea<DB, Shift>, p: &Params, s: &State, theme: &Theme) -> DrawResult<(), DB> {
    let f = crate::math::attention::flops(s.cfg.map, s.cfg.n, s.cfg.d, s.cfg.m);
    let (w, h) = area.dim_in_pixel();
    let foot = theme.px(18.0);
    let flop_text = tf("flops: n²d = {} vs n·d·r = {}", &[&fmt_sig(f.quadratic as f64, 3), &fmt_sig(f.linear as f64, 3)]);
    area.draw(&Text::new(flop_text, (theme.px(10.0) as i32, h as i32 - foot as i32), theme.text_left(11.0, theme.fg)))?;
    let body = area.clone().shrink((0, 0), (w, h.saturating_sub(foot + theme.px(2.0)).max(8)));
    if !s.errors_apply() {
        return centred(&body, t("error against m: choose map = performer").to_string(), theme);
    }
    let pts: Vec<(f64, f64)> = s.errors.iter().filter(|e| e.1.is_finite() && e.1 > 0.0).map(|e| (e.0 as f64, e.1)).collect();
    if pts.is_empty() {
        return centred(&body, t("computing the error curve…").to_string(), theme);
    }
    let (mut lo, mut hi) = pts.iter().fold((f64::INFINITY, 0.0f64), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let last = pts[pts.len() - 1];
    let guide: Vec<(f64, f64)> = [1.0, 512.0].iter().map(|&m| (m, last.1 * (last.0 / m).sqrt())).collect();
    lo = lo.min(guide[1].1).max(1e-300);
    hi = hi.max(guide[0].1.min(hi * 30.0));
    let (lo, hi) = (10f64.powf((lo / 1.5).log10().floor()), 10f64.powf((hi * 1.5).log10().ceil()));
    let mut chart = builder(&body, t("Performer output error against m").to_string(), theme)
        .build_cartesian_2d((1f64..512.0).log_scale(), (lo..hi).log_scale())?;
    mesh(&mut chart, t("features m (log)"), t("relative error"), theme)?;
    chart.draw_series(LineSeries::new(guide.iter().map(|&(m, e)| (m, e.clamp(lo, hi))), theme.muted.stroke_width(theme.px(1.2))))?;
    let c = theme.series(map_colour(Map::Performer));
    chart.draw_series(LineSeries::new(pts.clone(), c.stroke_width(theme.px(2.0))))?;
    let m = p.m.clamp(1.0, 512.0);
    chart.draw_series(std::iter::once(PathElement::new(vec![(m, lo), (m, hi)], theme.fg.mix(0.5).stroke_width(1))))?;
    let key = vec![(Swatch::Line(c), t("‖A V − A_soft V‖/‖A_soft V‖").to_string()), (Swatch::Line(theme.muted), t("∝ 1/√m (guide)").to_string())];
    key_box(&chart, Corner::UpperRight, &key, theme)
}
