//! Drawing of the Gaussians lab, generic over the plotters backend. Axes are the cached
//! background; what a drag or a frame changes (ellipses, arrows, particles, lines, trajectories)
//! is the foreground. Particles and large scatters go into one pixel buffer (one blit).

use super::model::{bary, handles, ClassState, Curve, DivState, FlowState, SimplexState, BANDS, CURVE_NS, VERTS};
use super::text::t;
use super::{Mode, Params, State, METHODS, SHOW};
use crate::lab::{key_of, Figure, Layer};
use crate::math::gaussian::{Gaussian, Vec2};
use crate::math::simplex_opt::Method;
use crate::math::View;
use crate::plot::raster::{draw_raster, Raster};
use crate::plot::theme::Theme;
use crate::plot::{clip_polyline, draw_marker, equal_aspect, field_chart, frame_of, key_box, Blit, Corner, DrawResult, PlotFrame, Shape, Swatch, XyChart};
use plotters::coord::Shift;
use plotters::prelude::*;

/// The fixed window of the 2-D plots: dragging never moves the axes.
pub const VIEW: View = View { xmin: -6.0, xmax: 6.0, ymin: -6.0, ymax: 6.0 };

/// Palette index of p (the target in the flow), q (q₀), and the flow's q_t.
const P_COL: usize = 0;
const Q_COL: usize = 1;
const QT_COL: usize = 2;

/// Palette index of a divergence bar (and of its sweep curve).
pub fn show_colour(key: &str) -> usize {
    SHOW.iter().position(|s| s.0 == key).unwrap_or(0)
}

/// Palette index of a classifier.
pub fn method_colour(key: &str) -> usize {
    METHODS.iter().position(|s| s.0 == key).unwrap_or(0) + 3
}

/// Palette index of a simplex method.
pub fn simplex_colour(m: Method) -> usize {
    match m {
        Method::Fw => 0,
        Method::Fw2t => 1,
        Method::Pgd => 2,
        Method::Eg => 3,
    }
}

/// When a layer must be redrawn (see [`crate::lab::Lab::cache_key`]).
pub fn cache_key(fig: Figure, layer: Layer, p: &Params, s: &State) -> Option<u64> {
    match (fig, layer) {
        // Fixed axes; the 1-D density chart's height follows the widths.
        (Figure::Main, Layer::Background) => match p.mode {
            Mode::Divergence if p.dim == 1 => Some(key_of(&(1u8, density_top(p).to_bits()))),
            Mode::Flow => Some(key_of(&2u8)),
            m => Some(key_of(&(3u8, m))),
        },
        // The KL chart's axes follow the curves' decades and the time span; the curves, the key
        // over them and the dots are the foreground (a drag changes the curves, not the axes).
        (Figure::Aux, Layer::Background) if p.mode == Mode::Flow => {
            let axes = s.flow.as_ref().and_then(|f| f.as_ref().ok()).map(|f| {
                let (lo, hi) = flow_decades(f);
                (lo.to_bits(), hi.to_bits(), f.t_max.to_bits())
            });
            Some(key_of(&(4u8, axes)))
        }
        // The learning curve changes when a size completes.
        (Figure::Aux, Layer::Background) if p.mode == Mode::Classify => {
            Some(key_of(&(5u8, format!("{:?}", p.methods), s.curve.as_ref().map(|c| (c.job / super::model::REPEATS, c.seed)), format!("{:?}", s.curve.as_ref().map(|c| c.spec)))))
        }
        (Figure::Aux, Layer::Foreground) if p.mode == Mode::Classify => Some(0),
        _ => None,
    }
}

/// Draws one layer of one figure.
pub fn render<DB: Blit>(fig: Figure, layer: Layer, area: &DrawingArea<DB, Shift>, p: &Params, s: &State, theme: &Theme) -> DrawResult<Option<PlotFrame>, DB> {
    match (fig, p.mode) {
        (Figure::Main, Mode::Divergence) if p.dim == 1 => density_main(layer, area, p, s, theme).map(Some),
        (Figure::Main, Mode::Divergence) => div_main(layer, area, p, s, theme).map(Some),
        (Figure::Main, Mode::Flow) => flow_main(layer, area, p, s, theme).map(Some),
        (Figure::Main, Mode::Classify) => class_main(layer, area, p, s, theme).map(Some),
        (Figure::Main, Mode::Simplex) => simplex_main(layer, area, p, s, theme).map(Some),
        (Figure::Aux, Mode::Divergence) => {
            if layer.foreground() {
                if let Some(Ok(d)) = &s.div {
                    let (w, _) = area.dim_in_pixel();
                    let (l, r) = area.split_horizontally(w * 11 / 25);
                    bars(&l, p, d, theme)?;
                    sweep(&r, p, d, theme)?;
                }
            }
            Ok(None)
        }
        (Figure::Aux, Mode::Flow) => {
            if let Some(Ok(f)) = &s.flow {
                flow_aux(layer, area, f, theme)?;
            }
            Ok(None)
        }
        (Figure::Aux, Mode::Classify) => {
            if layer.background() {
                class_aux(area, p, s.curve.as_ref(), theme)?;
            }
            Ok(None)
        }
        (Figure::Aux, Mode::Simplex) => {
            if layer.foreground() {
                if let Some(Ok(sx)) = &s.simplex {
                    simplex_aux(area, p, sx, theme)?;
                }
            }
            Ok(None)
        }
    }
}

fn poly<DB: Blit>(chart: &XyChart<'_, DB>, v: &View, pts: &[Vec2], style: ShapeStyle) -> DrawResult<(), DB> {
    for piece in clip_polyline(pts, v) {
        chart.plotting_area().draw(&PathElement::new(piece, style))?;
    }
    Ok(())
}

/// Backend pixel of a data point, relative to the plotting area.
fn rel<DB: Blit>(chart: &XyChart<'_, DB>, pt: Vec2) -> (i32, i32) {
    let plot = chart.plotting_area();
    let (xr, yr) = plot.get_pixel_range();
    let a = plot.map_coordinate(&(pt[0], pt[1]));
    (a.0 - xr.start, a.1 - yr.start)
}

fn label<DB: Blit>(chart: &XyChart<'_, DB>, v: &View, at: Vec2, text: &str, colour: RGBColor, theme: &Theme) -> DrawResult<(), DB> {
    if v.contains(at[0], at[1]) {
        let abs = chart.plotting_area().strip_coord_spec();
        let c = rel(chart, at);
        abs.draw(&Text::new(text.to_string(), (c.0 + theme.px(7.0) as i32, c.1 - theme.px(16.0) as i32), theme.text_left(14.0, colour)))?;
    }
    Ok(())
}

/// Ellipses (1σ solid, 2σ faint) of a Gaussian.
fn ellipses<DB: Blit>(chart: &XyChart<'_, DB>, v: &View, g: &Gaussian, colour: RGBColor, theme: &Theme) -> DrawResult<(), DB> {
    poly(chart, v, &g.ellipse(1.0, 96), colour.stroke_width(theme.px(2.0)))?;
    poly(chart, v, &g.ellipse(2.0, 96), colour.mix(0.55).stroke_width(theme.px(1.2)))
}

/// The drag handles: centres as circles, axis ends as squares.
fn draw_handles<DB: Blit>(chart: &XyChart<'_, DB>, v: &View, p: &Params, theme: &Theme) -> DrawResult<(), DB> {
    let abs = chart.plotting_area().strip_coord_spec();
    for (is_q, which, at) in handles(p) {
        if !v.contains(at[0], at[1]) {
            continue;
        }
        let colour = theme.series(if is_q { Q_COL } else { P_COL });
        let (shape, r) = if which == 0 { (Shape::Circle, 5.5) } else { (Shape::Square, 4.0) };
        draw_marker(&abs, shape, rel(chart, at), theme.scale * r, colour, theme.bg)?;
    }
    Ok(())
}

fn div_main<DB: Blit>(layer: Layer, area: &DrawingArea<DB, Shift>, p: &Params, s: &State, theme: &Theme) -> DrawResult<PlotFrame, DB> {
    let (chart, v) = field_chart(area, &VIEW, theme, layer.background())?;
    if layer.foreground() {
        if let Some(Ok(d)) = &s.div {
            crate::plot::quiver::quiver(&chart, d.arrows.iter().copied().filter(|(a, _)| v.contains(a[0], a[1])), theme.fg.mix(0.5).stroke_width(theme.px(1.0)))?;
            ellipses(&chart, &v, &d.p, theme.series(P_COL), theme)?;
            ellipses(&chart, &v, &d.q, theme.series(Q_COL), theme)?;
            draw_handles(&chart, &v, p, theme)?;
            label(&chart, &v, d.p.mean(), "p", theme.series(P_COL), theme)?;
            label(&chart, &v, d.q.mean(), "q", theme.series(Q_COL), theme)?;
        }
    }
    Ok(frame_of(&chart, &v))
}

/// Top of the 1-D density chart: the higher peak, rounded up.
fn density_top(p: &Params) -> f64 {
    let peak = |sd: f64| 1.0 / (sd.max(1e-3) * (2.0 * std::f64::consts::PI).sqrt());
    let top = peak(p.sd_p[0]).max(peak(p.sd_q[0])) * 1.15;
    if top.is_finite() {
        (top * 10.0).ceil() / 10.0
    } else {
        1.0
    }
}

fn density_main<DB: Blit>(layer: Layer, area: &DrawingArea<DB, Shift>, p: &Params, s: &State, theme: &Theme) -> DrawResult<PlotFrame, DB> {
    let top = density_top(p);
    let v = View::new(VIEW.xmin, VIEW.xmax, 0.0, top);
    let mut chart = ChartBuilder::on(area)
        .margin(theme.px(10.0))
        .x_label_area_size(theme.px(34.0))
        .y_label_area_size(theme.px(52.0))
        .build_cartesian_2d(v.xmin..v.xmax, v.ymin..v.ymax)?;
    if layer.background() {
        chart
            .configure_mesh()
            .disable_mesh()
            .axis_style(theme.fg)
            .label_style(theme.text(12.0))
            .axis_desc_style(theme.text(13.0))
            .x_desc("x")
            .y_desc(t("density"))
            .x_label_formatter(&|x| crate::fmt::fmt_sig(*x, 4))
            .y_label_formatter(&|x| crate::fmt::fmt_sig(*x, 3))
            .draw()?;
    }
    if layer.foreground() {
        if let Some(Ok(d)) = &s.div {
            let dens = |g: &Gaussian| -> Vec<Vec2> {
                (0..=400).map(|i| VIEW.xmin + (VIEW.xmax - VIEW.xmin) * i as f64 / 400.0).map(|x| [x, g.log_density([x, 0.0]).exp()]).collect()
            };
            // Quantile matching: the point of p at x goes to T(x), the same quantile of q.
            let arrows = d.arrows.iter().map(|(a, b)| ([a[0], d.p.log_density(*a).exp()], [b[0], d.q.log_density(*b).exp()]));
            crate::plot::quiver::quiver(&chart, arrows.filter(|(a, b)| v.contains(a[0], a[1]) && v.contains(b[0], b[1])), theme.fg.mix(0.5).stroke_width(theme.px(1.0)))?;
            poly(&chart, &v, &dens(&d.p), theme.series(P_COL).stroke_width(theme.px(2.0)))?;
            poly(&chart, &v, &dens(&d.q), theme.series(Q_COL).stroke_width(theme.px(2.0)))?;
            draw_handles(&chart, &v, p, theme)?;
            label(&chart, &v, [d.p.mean()[0], d.p.log_density(d.p.mean()).exp()], "p", theme.series(P_COL), theme)?;
            label(&chart, &v, [d.q.mean()[0], d.q.log_density(d.q.mean()).exp()], "q", theme.series(Q_COL), theme)?;
        }
    }
    Ok(frame_of(&chart, &v))
}

/// The divergence bars (log toggle: log₁₀ of the value on a linear axis).
fn bars<DB: Blit>(area: &DrawingArea<DB, Shift>, p: &Params, d: &DivState, theme: &Theme) -> DrawResult<(), DB> {
    let vals: Vec<(&str, f64)> = p
        .show
        .iter()
        .map(|&k| {
            let v = match k {
                "kl_pq" => d.d.kl_pq,
                "kl_qp" => d.d.kl_qp,
                "bd" => d.d.bd,
                "hel" => d.d.hellinger2,
                "w2" => d.d.w2_sq,
                _ => d.d.naive_sq,
            };
            (k, if v.is_finite() { v } else { 0.0 })
        })
        .collect();
    if vals.is_empty() {
        area.draw(&Text::new(t("no divergence chosen"), (theme.px(20.0) as i32, theme.px(20.0) as i32), theme.text_left(12.0, theme.muted)))?;
        return Ok(());
    }
    let floor = 1e-4;
    let shown: Vec<f64> = vals.iter().map(|(_, v)| if p.log { v.max(floor).log10() } else { *v }).collect();
    let (lo, hi) = if p.log {
        let lo = shown.iter().copied().fold(0.0f64, f64::min).floor();
        (lo.min(-1.0), shown.iter().copied().fold(0.0f64, f64::max).ceil().max(lo + 1.0) + 0.2)
    } else {
        (0.0, (shown.iter().copied().fold(0.0f64, f64::max) * 1.15).max(0.1))
    };
    let y_desc = if p.log { t("log₁₀ value") } else { t("value") };
    let mut chart = ChartBuilder::on(area)
        .margin(theme.px(10.0))
        .x_label_area_size(theme.px(20.0))
        .y_label_area_size(theme.px(46.0))
        .build_cartesian_2d(0.5..vals.len() as f64 + 0.5, lo..hi)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(theme.muted.mix(0.15))
        .bold_line_style(theme.muted.mix(0.3))
        .axis_style(theme.fg)
        .label_style(theme.text(12.0))
        .axis_desc_style(theme.text(13.0))
        .x_labels(0)
        .y_desc(y_desc)
        .y_label_formatter(&|v| crate::fmt::fmt_sig(*v, 3))
        .draw()?;
    let base = if p.log { lo } else { 0.0 };
    for (i, ((k, _), y)) in vals.iter().zip(&shown).enumerate() {
        let x = (i + 1) as f64;
        let c = theme.series(show_colour(k));
        let style = if *k == "naive" { c.mix(0.5).filled() } else { c.filled() };
        chart.draw_series(std::iter::once(Rectangle::new([(x - 0.35, base), (x + 0.35, *y)], style)))?;
    }
    let keys: Vec<(Swatch, String)> = vals.iter().map(|(k, v)| (Swatch::Box(theme.series(show_colour(k))), format!("{} {}", t(super::text::show_label(k)), crate::fmt::fmt_sig(*v, 4)))).collect();
    key_box(&chart, Corner::UpperRight, &keys, theme)
}

/// KL both ways, BD and W₂² as q slides along the centre line, on a log axis.
fn sweep<DB: Blit>(area: &DrawingArea<DB, Shift>, p: &Params, d: &DivState, theme: &Theme) -> DrawResult<(), DB> {
    type Pick = fn(&crate::math::gaussian::SweepPoint) -> f64;
    let series: [(&str, Pick); 4] =
        [("kl_pq", |s| s.kl_pq), ("kl_qp", |s| s.kl_qp), ("bd", |s| s.bd), ("w2", |s| s.w2_sq)];
    let floor = 1e-4;
    let hi = d.sweep.iter().flat_map(|s| series.iter().map(move |(_, f)| f(s))).filter(|v| v.is_finite()).fold(1.0f64, f64::max);
    let hi = 10f64.powf((hi * 2.0).log10().ceil()).min(1e12);
    let mut chart = ChartBuilder::on(area)
        .margin(theme.px(10.0))
        .x_label_area_size(theme.px(34.0))
        .y_label_area_size(theme.px(52.0))
        .build_cartesian_2d(super::model::SWEEP.0..super::model::SWEEP.1, (floor..hi).log_scale())?;
    chart
        .configure_mesh()
        .light_line_style(theme.muted.mix(0.15))
        .bold_line_style(theme.muted.mix(0.3))
        .axis_style(theme.fg)
        .label_style(theme.text(12.0))
        .axis_desc_style(theme.text(13.0))
        .x_desc(t("shift s of q along the centre line"))
        .x_label_formatter(&|x| crate::fmt::fmt_sig(*x, 3))
        .y_label_formatter(&|x| crate::fmt::fmt_sig(*x, 2))
        .draw()?;
    for (k, f) in series {
        if !p.show.contains(&k) {
            continue;
        }
        let pts: Vec<(f64, f64)> = d.sweep.iter().map(|s| (s.s, f(s))).filter(|q| q.1.is_finite()).map(|(x, y)| (x, y.clamp(floor, hi))).collect();
        chart.draw_series(LineSeries::new(pts, theme.series(show_colour(k)).stroke_width(theme.px(2.0))))?;
    }
    if d.s_now <= super::model::SWEEP.1 {
        chart.draw_series(std::iter::once(PathElement::new(vec![(d.s_now, floor), (d.s_now, hi)], theme.fg.mix(0.5).stroke_width(theme.px(1.0)))))?;
    }
    Ok(())
}

/// Writes `pts` as dots of `size` device pixels into an RGBA buffer of the plot's size.
fn splat(buf: &mut [u8], (w, h): (u32, u32), v: &View, pts: impl Iterator<Item = Vec2>, c: [u8; 4], size: i64, ring: bool) {
    splat_in(buf, Window { full: (w, h), at: (0, 0), size: (w, h) }, v, pts, c, size, ring)
}

/// A window of a plot's pixel grid: the plot is `full` pixels, the buffer covers `size` pixels
/// from `at` (so a cloud that fills a corner of the plot clears and uploads only that corner).
#[derive(Clone, Copy)]
struct Window {
    full: (u32, u32),
    at: (i64, i64),
    size: (u32, u32),
}

/// [`splat`] into a window: the same pixels as into the whole plot, shifted by the window's origin.
fn splat_in(buf: &mut [u8], win: Window, v: &View, pts: impl Iterator<Item = Vec2>, c: [u8; 4], size: i64, ring: bool) {
    let (w, h) = win.full;
    let (bw, bh) = (win.size.0 as i64, win.size.1 as i64);
    let (sx, sy) = (w as f64 / (v.xmax - v.xmin), h as f64 / (v.ymax - v.ymin));
    // The pixels a dot may touch: the plot's and the window's, intersected once, so that the
    // loops over a dot's pixels need no test per pixel (20,000 dots of 9 pixels per frame).
    let (lo_u, hi_u) = (win.at.0.max(0), (win.at.0 + bw).min(w as i64));
    let (lo_q, hi_q) = (win.at.1.max(0), (win.at.1 + bh).min(h as i64));
    let hollow = ring && size > 2;
    for x in pts {
        let (u, q) = ((x[0] - v.xmin) * sx, (v.ymax - x[1]) * sy);
        // Also rejects NaN (every comparison is false).
        if !(u >= 0.0 && q >= 0.0 && u < w as f64 && q < h as f64) {
            continue;
        }
        let (u, q) = (u as i64 - size / 2, q as i64 - size / 2);
        let (u0, u1) = (u.max(lo_u), (u + size).min(hi_u));
        if u0 >= u1 {
            continue;
        }
        for qq in q.max(lo_q)..(q + size).min(hi_q) {
            let row = (qq - win.at.1) as usize * bw as usize;
            let span = &mut buf[(row + (u0 - win.at.0) as usize) * 4..(row + (u1 - win.at.0) as usize) * 4];
            // A ring (class 1) leaves its centre open: shape, not only colour, tells the classes apart.
            let open = hollow && qq > q && qq < q + size - 1;
            for (px, uu) in span.chunks_exact_mut(4).zip(u0..) {
                if !(open && uu > u && uu < u + size - 1) {
                    px.copy_from_slice(&c);
                }
            }
        }
    }
}

/// The window of the plot's pixels that `splat` would touch for these points with dots of `size`
/// (None when none lands on the plot).
fn splat_window((w, h): (u32, u32), v: &View, pts: &[Vec2], size: i64) -> Option<Window> {
    let (sx, sy) = (w as f64 / (v.xmax - v.xmin), h as f64 / (v.ymax - v.ymin));
    let (mut u0, mut q0, mut u1, mut q1) = (i64::MAX, i64::MAX, i64::MIN, i64::MIN);
    for x in pts {
        let (u, q) = ((x[0] - v.xmin) * sx, (v.ymax - x[1]) * sy);
        if !(u >= 0.0 && q >= 0.0 && u < w as f64 && q < h as f64) {
            continue;
        }
        let (u, q) = (u as i64 - size / 2, q as i64 - size / 2);
        (u0, q0, u1, q1) = (u0.min(u), q0.min(q), u1.max(u + size), q1.max(q + size));
    }
    if u0 > u1 {
        return None;
    }
    let (u0, q0) = (u0.max(0), q0.max(0));
    let (u1, q1) = (u1.min(w as i64), q1.min(h as i64));
    (u1 > u0 && q1 > q0).then(|| Window { full: (w, h), at: (u0, q0), size: ((u1 - u0) as u32, (q1 - q0) as u32) })
}

fn flow_main<DB: Blit>(layer: Layer, area: &DrawingArea<DB, Shift>, p: &Params, s: &State, theme: &Theme) -> DrawResult<PlotFrame, DB> {
    let (chart, v) = field_chart(area, &VIEW, theme, layer.background())?;
    let Some(Ok(f)) = &s.flow else { return Ok(frame_of(&chart, &v)) };
    // Everything but the axes is the foreground: a drag moves p or q₀, and a background
    // redrawn on every drag (grid, ticks, labels, a full-canvas clear) cost more than the
    // few curves it saved the foreground.
    if layer.foreground() {
        if let Ok(pf) = &f.particles {
            let plot = chart.plotting_area().strip_coord_spec();
            let (pw, ph) = plot.dim_in_pixel();
            let dot = (theme.scale * 1.5).round().max(1.0) as i64;
            // Only the window the cloud covers is cleared, filled and uploaded: a full-plot image
            // was ~1 ms of every drag and frame for a cloud that fills a fifth of the plot.
            if let Some(win) = splat_window((pw, ph), &v, pf.particles(), dot) {
                let mut rgba = vec![0u8; win.size.0 as usize * win.size.1 as usize * 4];
                // Band by band (a later band's dots cover an earlier one's), each in particle
                // order: the particles grouped by band once (a counting sort), not BANDS passes
                // over all of them.
                let all = pf.particles();
                let mut start = [0usize; BANDS + 1];
                for &k in &f.band {
                    start[k as usize + 1] += 1;
                }
                for b in 0..BANDS {
                    start[b + 1] += start[b];
                }
                let mut next = start;
                let mut order = vec![0u32; f.band.len()];
                for (i, &k) in f.band.iter().enumerate() {
                    order[next[k as usize]] = i as u32;
                    next[k as usize] += 1;
                }
                for b in 0..BANDS {
                    let c = crate::plot::raster::mix(theme.series(3), theme.series(QT_COL), b as f64 / (BANDS - 1) as f64);
                    let pts = order[start[b]..start[b + 1]].iter().filter_map(|&i| all.get(i as usize).copied());
                    splat_in(&mut rgba, win, &v, pts, [c[0], c[1], c[2], 190], dot, false);
                }
                let at = plot.shrink((win.at.0 as u32, win.at.1 as u32), win.size);
                draw_raster(&at, &Raster::rgba(win.size.0, win.size.1, rgba))?;
            }
        }
        ellipses(&chart, &v, f.flow.target(), theme.series(P_COL), theme)?;
        poly(&chart, &v, &f.flow.init().ellipse(1.0, 96), theme.series(Q_COL).mix(0.6).stroke_width(theme.px(1.2)))?;
        label(&chart, &v, f.flow.target().mean(), "p", theme.series(P_COL), theme)?;
        label(&chart, &v, f.flow.init().mean(), "q₀", theme.series(Q_COL), theme)?;
        if let Ok(pf) = &f.particles {
            if let Ok(m) = f.flow.moments(pf.time()) {
                if let Ok(qt) = Gaussian::from_cov(2, m.m, m.c) {
                    ellipses(&chart, &v, &qt, theme.series(QT_COL), theme)?;
                }
            }
        }
        draw_handles(&chart, &v, p, theme)?;
    }
    Ok(frame_of(&chart, &v))
}

/// A log-y chart over x ∈ [x0, x1] (log x optional), its mesh drawn when `mesh`.
fn log_chart<'a, DB: Blit>(
    area: &'a DrawingArea<DB, Shift>,
    x: (f64, f64),
    y: (f64, f64),
    (x_desc, y_desc): (&str, &str),
    mesh: bool,
    theme: &Theme,
) -> DrawResult<ChartContext<'a, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::combinators::LogCoord<f64>>>, DB> {
    let mut chart = ChartBuilder::on(area)
        .margin(theme.px(10.0))
        .x_label_area_size(theme.px(34.0))
        .y_label_area_size(theme.px(58.0))
        .build_cartesian_2d(x.0..x.1, (y.0..y.1).log_scale())?;
    if mesh {
        chart
            .configure_mesh()
            .light_line_style(theme.muted.mix(0.15))
            .bold_line_style(theme.muted.mix(0.3))
            .axis_style(theme.fg)
            .label_style(theme.text(12.0))
            .axis_desc_style(theme.text(13.0))
            .x_desc(x_desc)
            .y_desc(y_desc)
            .x_label_formatter(&|v| crate::fmt::fmt_sig(*v, 4))
            .y_label_formatter(&|v| crate::fmt::fmt_sig(*v, 2))
            .draw()?;
    }
    Ok(chart)
}

/// The y range of a log chart from its values: whole decades, at least three.
fn decades(vals: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in vals.filter(|v| v.is_finite() && *v > 0.0) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !(lo.is_finite() && hi.is_finite()) {
        return (1e-3, 1.0);
    }
    let hi = 10f64.powf((hi * 1.5).log10().ceil());
    let lo = 10f64.powf(lo.max(hi * 1e-12).log10().floor()).min(hi / 1e3);
    (lo, hi)
}

/// The KL chart's y range: the decades its curves span.
fn flow_decades(f: &FlowState) -> (f64, f64) {
    decades(f.curve.iter().chain(&f.em_curve).map(|q| q.1))
}

fn flow_aux<DB: Blit>(layer: Layer, area: &DrawingArea<DB, Shift>, f: &FlowState, theme: &Theme) -> DrawResult<(), DB> {
    let (lo, hi) = flow_decades(f);
    let chart = log_chart(area, (0.0, f.t_max), (lo, hi), (t("time t"), t("KL(q_t‖p)")), layer.background(), theme)?;
    let clampy = |pts: &[(f64, f64)]| pts.iter().map(|&(x, y)| (x, y.clamp(lo, hi))).collect::<Vec<_>>();
    if layer.foreground() {
        chart.plotting_area().draw(&PathElement::new(clampy(&f.curve), theme.series(QT_COL).stroke_width(theme.px(2.0))))?;
        if !f.em_curve.is_empty() {
            chart.plotting_area().draw(&PathElement::new(clampy(&f.em_curve), theme.series(5).stroke_width(theme.px(1.5))))?;
        }
        let mut keys = vec![(Swatch::Line(theme.series(QT_COL)), t("closed form").to_string())];
        if !f.em_curve.is_empty() {
            keys.push((Swatch::Line(theme.series(5)), t("Euler–Maruyama's exact law").to_string()));
        }
        keys.push((Swatch::Box(theme.fg), t("particles' fitted Gaussian").to_string()));
        key_box(&chart, Corner::UpperRight, &keys, theme)?;
        let abs = chart.plotting_area();
        for &(x, y) in &f.dots {
            if x <= f.t_max && y.is_finite() {
                abs.draw(&Circle::new((x, y.clamp(lo, hi)), theme.px(2.5), theme.fg.filled()))?;
            }
        }
        if let Ok(pf) = &f.particles {
            let now = pf.time().min(f.t_max);
            abs.draw(&PathElement::new(vec![(now, lo), (now, hi)], theme.fg.mix(0.4).stroke_width(theme.px(1.0))))?;
        }
    }
    Ok(())
}

/// The line {x : P(1|x) = level} of a classifier, clipped to the view.
fn level_line<DB: Blit>(chart: &XyChart<'_, DB>, v: &View, f: &crate::math::gaussian::Linear, level: f64, style: ShapeStyle) -> DrawResult<(), DB> {
    if let Some((a, d)) = f.level_line(level) {
        let l = 1e3;
        poly(chart, v, &[[a[0] - l * d[0], a[1] - l * d[1]], [a[0] + l * d[0], a[1] + l * d[1]]], style)?;
    }
    Ok(())
}

fn class_main<DB: Blit>(layer: Layer, area: &DrawingArea<DB, Shift>, p: &Params, s: &State, theme: &Theme) -> DrawResult<PlotFrame, DB> {
    let (chart, v) = field_chart(area, &VIEW, theme, layer.background())?;
    if !layer.foreground() {
        return Ok(frame_of(&chart, &v));
    }
    let Some(Ok(c)) = &s.class else { return Ok(frame_of(&chart, &v)) };
    class_points(&chart, &v, c, theme)?;
    if let Ok(fits) = &c.fits {
        for &m in &p.methods {
            let f = match m {
                "post" => fits.post,
                "script" => fits.script,
                _ => fits.mle.fit,
            };
            let col = theme.series(method_colour(m));
            level_line(&chart, &v, &f, 0.5, col.stroke_width(theme.px(2.2)))?;
            for lv in [0.1, 0.9] {
                level_line(&chart, &v, &f, lv, col.mix(0.55).stroke_width(theme.px(1.0)))?;
            }
        }
        let keys: Vec<(Swatch, String)> = p.methods.iter().map(|m| (Swatch::Line(theme.series(method_colour(m))), t(super::text::method_label(m)).to_string())).collect();
        key_box(&chart, Corner::UpperRight, &keys, theme)?;
    }
    // The class means' handle: +δ/2.
    let at = [c.spec.delta[0] / 2.0, c.spec.delta[1] / 2.0];
    if v.contains(at[0], at[1]) {
        let abs = chart.plotting_area().strip_coord_spec();
        draw_marker(&abs, Shape::Diamond, rel(&chart, at), theme.scale * 5.5, theme.fg, theme.bg)?;
    }
    Ok(frame_of(&chart, &v))
}

fn class_points<DB: Blit>(chart: &XyChart<'_, DB>, v: &View, c: &ClassState, theme: &Theme) -> DrawResult<(), DB> {
    let plot = chart.plotting_area().strip_coord_spec();
    let (pw, ph) = plot.dim_in_pixel();
    let mut rgba = vec![0u8; (pw as usize) * (ph as usize) * 4];
    let size = ((if c.train.x.len() > 500 { 3.0 } else { 7.0 }) * theme.scale).round().max(2.0) as i64;
    for (label, col) in [(false, 0usize), (true, 1usize)] {
        let k = theme.series(col);
        let pts = c.train.x.iter().zip(&c.train.y).filter(|(_, y)| **y == label).map(|(x, _)| *x);
        splat(&mut rgba, (pw, ph), v, pts, [k.0, k.1, k.2, 230], size, label);
    }
    draw_raster(&plot, &Raster::rgba(pw, ph, rgba))
}

fn class_aux<DB: Blit>(area: &DrawingArea<DB, Shift>, p: &Params, curve: Option<&Curve>, theme: &Theme) -> DrawResult<(), DB> {
    let (w, _) = area.dim_in_pixel();
    let (l, r) = area.split_horizontally(w / 2);
    let pts = curve.map(|c| c.points()).unwrap_or_default();
    let x = (CURVE_NS[0] as f64, CURVE_NS[CURVE_NS.len() - 1] as f64);
    for (panel, is_acc) in [(&l, true), (&r, false)] {
        let vals = || pts.iter().flat_map(|(_, a, n)| if is_acc { a.to_vec() } else { n.to_vec() });
        let (lo, hi) = vals().filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
        let (lo, hi) = if lo.is_finite() { (lo - 0.05 * (hi - lo).max(0.01), hi + 0.05 * (hi - lo).max(0.01)) } else if is_acc { (0.5, 1.0) } else { (0.3, 0.7) };
        let mut chart = ChartBuilder::on(panel)
            .margin(theme.px(10.0))
            .x_label_area_size(theme.px(34.0))
            .y_label_area_size(theme.px(52.0))
            .build_cartesian_2d((x.0..x.1).log_scale(), lo..hi)?;
        chart
            .configure_mesh()
            .light_line_style(theme.muted.mix(0.15))
            .bold_line_style(theme.muted.mix(0.3))
            .axis_style(theme.fg)
            .label_style(theme.text(12.0))
            .axis_desc_style(theme.text(13.0))
            .x_desc(t("training points n"))
            .y_desc(if is_acc { t("test accuracy") } else { t("test NLL") })
            .x_label_formatter(&|v| crate::fmt::fmt_sig(*v, 4))
            .y_label_formatter(&|v| crate::fmt::fmt_sig(*v, 3))
            .draw()?;
        for (k, m) in METHODS.iter().enumerate() {
            if !p.methods.contains(&m.0) {
                continue;
            }
            let line: Vec<(f64, f64)> = pts.iter().map(|(n, a, nl)| (*n as f64, if is_acc { a[k] } else { nl[k] })).filter(|q| q.1.is_finite()).collect();
            let col = theme.series(method_colour(m.0));
            chart.draw_series(LineSeries::new(line.clone(), col.stroke_width(theme.px(2.0))))?;
            chart.draw_series(line.iter().map(|&q| Circle::new(q, theme.px(2.5), col.filled())))?;
        }
        if curve.is_some_and(|c| !c.done()) {
            panel.draw(&Text::new(t("computing the curves…"), (theme.px(70.0) as i32, theme.px(16.0) as i32), theme.text_left(12.0, theme.muted)))?;
        }
    }
    Ok(())
}

fn simplex_main<DB: Blit>(layer: Layer, area: &DrawingArea<DB, Shift>, p: &Params, s: &State, theme: &Theme) -> DrawResult<PlotFrame, DB> {
    let view = View::new(-1.3, 1.3, -0.85, 1.3);
    let (w, h) = area.dim_in_pixel();
    let m = theme.px(12.0);
    let v = equal_aspect(&view, (w as f64 - 2.0 * m as f64).max(1.0), (h as f64 - 2.0 * m as f64).max(1.0));
    let chart = ChartBuilder::on(area).margin(m).build_cartesian_2d(v.xmin..v.xmax, v.ymin..v.ymax)?;
    let tri: Vec<Vec2> = vec![VERTS[0], VERTS[1], VERTS[2], VERTS[0]];
    if layer.background() {
        for k in 1..4 {
            let a = k as f64 / 4.0;
            for i in 0..3 {
                let (j, l) = ((i + 1) % 3, (i + 2) % 3);
                let (mut p1, mut p2) = ([0.0; 3], [0.0; 3]);
                p1[i] = a;
                p1[j] = 1.0 - a;
                p2[i] = a;
                p2[l] = 1.0 - a;
                let (a1, a2) = (bary(&p1), bary(&p2));
                chart.plotting_area().draw(&PathElement::new(vec![a1, a2], theme.muted.mix(0.2).stroke_width(1)))?;
            }
        }
        poly(&chart, &v, &tri, theme.fg.stroke_width(theme.px(1.5)))?;
        for (i, vx) in VERTS.iter().enumerate() {
            let at = [vx[0] * 1.1 - 0.08, vx[1] * 1.1 + 0.06];
            label(&chart, &v, at, &format!("p{} = 1", ["₁", "₂", "₃"][i]), theme.fg, theme)?;
        }
    }
    if layer.foreground() {
        if let Some(Ok(sx)) = &s.simplex {
            let abs = chart.plotting_area().strip_coord_spec();
            for (k, run) in sx.runs.iter().enumerate().rev() {
                let col = theme.series(simplex_colour(run.method));
                let pts: Vec<Vec2> = run.traj.iter().map(|q| { let b = bary(q); [b.0, b.1] }).collect();
                if k == 0 {
                    poly(&chart, &v, &pts, col.stroke_width(theme.px(2.2)))?;
                    for q in pts.iter().take(60) {
                        abs.draw(&Circle::new(rel(&chart, *q), theme.px(2.2), col.filled()))?;
                    }
                    if let Some(last) = pts.last() {
                        draw_marker(&abs, Shape::nth(simplex_colour(run.method)), rel(&chart, *last), theme.scale * 5.0, col, theme.bg)?;
                    }
                } else {
                    poly(&chart, &v, &pts, col.mix(0.4).stroke_width(theme.px(1.0)))?;
                }
            }
            let opt = bary(&sx.opt.0);
            draw_marker(&abs, Shape::Star, rel(&chart, [opt.0, opt.1]), theme.scale * 6.0, theme.fg, theme.bg)?;
            // x itself, in the triangle's plane (shifted to Σ = 1; every objective here ignores the shift's direction).
            let xb = bary(&p.x);
            let xc = [xb.0.clamp(v.xmin, v.xmax), xb.1.clamp(v.ymin, v.ymax)];
            draw_marker(&abs, Shape::Circle, rel(&chart, xc), theme.scale * 6.0, theme.fg, theme.bg)?;
            label(&chart, &v, xc, "x", theme.fg, theme)?;
            let keys: Vec<(Swatch, String)> = sx.runs.iter().map(|r| (Swatch::Line(theme.series(simplex_colour(r.method))), t(super::text::simplex_label(r.method)).to_string())).collect();
            key_box(&chart, Corner::UpperRight, &keys, theme)?;
        }
    }
    Ok(frame_of(&chart, &v))
}

fn simplex_aux<DB: Blit>(area: &DrawingArea<DB, Shift>, p: &Params, sx: &SimplexState, theme: &Theme) -> DrawResult<(), DB> {
    let steps = (p.steps as usize).max(1);
    let (lo, hi) = decades(sx.runs.iter().flat_map(|r| r.gap.iter().skip(1).copied()));
    let lo = lo.max(1e-16);
    let mut chart = ChartBuilder::on(area)
        .margin(theme.px(10.0))
        .x_label_area_size(theme.px(34.0))
        .y_label_area_size(theme.px(58.0))
        .build_cartesian_2d((1f64..(steps as f64).max(2.0)).log_scale(), (lo..hi).log_scale())?;
    chart
        .configure_mesh()
        .light_line_style(theme.muted.mix(0.15))
        .bold_line_style(theme.muted.mix(0.3))
        .axis_style(theme.fg)
        .label_style(theme.text(12.0))
        .axis_desc_style(theme.text(13.0))
        .x_desc(t("step t"))
        .y_desc(t("F − F*"))
        .x_label_formatter(&|v| crate::fmt::fmt_sig(*v, 4))
        .y_label_formatter(&|v| crate::fmt::fmt_sig(*v, 2))
        .draw()?;
    for (k, run) in sx.runs.iter().enumerate().rev() {
        let col = theme.series(simplex_colour(run.method));
        let pts: Vec<(f64, f64)> = run.gap.iter().enumerate().skip(1).map(|(i, g)| (i as f64, if g.is_finite() { g.clamp(lo, hi) } else { hi })).collect();
        let style = if k == 0 { col.stroke_width(theme.px(2.2)) } else { col.mix(0.5).stroke_width(theme.px(1.2)) };
        chart.draw_series(LineSeries::new(crate::plot::decimate(&pts, 400), style))?;
    }
    let keys: Vec<(Swatch, String)> = sx.runs.iter().map(|r| (Swatch::Line(theme.series(simplex_colour(r.method))), t(super::text::simplex_label(r.method)).to_string())).collect();
    key_box(&chart, Corner::UpperRight, &keys, theme)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dot writer against the obvious per-pixel one (every pixel tested against the plot,
    /// the window and the ring), for windows that cut dots on every side.
    #[test]
    fn splat_sets_the_pixels_the_per_pixel_rule_sets() {
        fn reference(buf: &mut [u8], win: Window, v: &View, pts: &[Vec2], c: [u8; 4], size: i64, ring: bool) {
            let (w, h) = win.full;
            let (sx, sy) = (w as f64 / (v.xmax - v.xmin), h as f64 / (v.ymax - v.ymin));
            for x in pts {
                let (u, q) = ((x[0] - v.xmin) * sx, (v.ymax - x[1]) * sy);
                if !(u >= 0.0 && q >= 0.0 && u < w as f64 && q < h as f64) {
                    continue;
                }
                let (u, q) = (u as i64 - size / 2, q as i64 - size / 2);
                for qq in q..q + size {
                    for uu in u..u + size {
                        let on_plot = uu >= 0 && qq >= 0 && uu < w as i64 && qq < h as i64;
                        let (bu, bq) = (uu - win.at.0, qq - win.at.1);
                        let in_win = bu >= 0 && bq >= 0 && bu < win.size.0 as i64 && bq < win.size.1 as i64;
                        let centre = ring && size > 2 && qq > q && qq < q + size - 1 && uu > u && uu < u + size - 1;
                        if on_plot && in_win && !centre {
                            let k = (bq as usize * win.size.0 as usize + bu as usize) * 4;
                            buf[k..k + 4].copy_from_slice(&c);
                        }
                    }
                }
            }
        }
        let v = View::new(-4.0, 4.0, -3.0, 3.0);
        let (w, h) = (120u32, 90u32);
        let mut pts: Vec<Vec2> = (0..400).map(|k| [(k as f64 * 0.37).sin() * 4.2, (k as f64 * 0.91).cos() * 3.2]).collect();
        pts.extend([[3.99, 2.99], [-4.0, -3.0], [f64::NAN, 0.0], [0.0, f64::INFINITY]]);
        for size in [1, 2, 3, 5] {
            for ring in [false, true] {
                for (at, sz) in [((0, 0), (w, h)), ((7, 3), (50, 40)), ((-5, -5), (30, 30)), ((100, 80), (40, 40))] {
                    let win = Window { full: (w, h), at, size: sz };
                    let (mut a, mut b) = (vec![0u8; (sz.0 * sz.1 * 4) as usize], vec![0u8; (sz.0 * sz.1 * 4) as usize]);
                    splat_in(&mut a, win, &v, pts.iter().copied(), [9, 8, 7, 6], size, ring);
                    reference(&mut b, win, &v, &pts, [9, 8, 7, 6], size, ring);
                    assert!(a == b, "size {size} ring {ring} window {at:?} {sz:?}");
                    assert!(a.iter().any(|&x| x != 0), "the case draws something");
                }
            }
        }
    }

    /// The particle window holds exactly the pixels a whole-plot splat sets, and nothing is set
    /// outside it (points off the plot, NaN and dots cut by the edges included).
    #[test]
    fn the_cloud_window_holds_every_pixel_of_the_whole_plot_splat() {
        let v = View::new(-4.0, 4.0, -3.0, 3.0);
        let (w, h) = (200u32, 150u32);
        let mut pts: Vec<Vec2> = (0..300).map(|k| [(k as f64 * 0.37).sin() * 1.5 + 0.7, (k as f64 * 0.91).cos() * 0.8 - 0.4]).collect();
        pts.extend([[3.99, 2.99], [-4.0, -3.0], [9.0, 0.0], [f64::NAN, 0.0], [0.0, -2.999]]);
        for size in [1, 2, 3, 4] {
            for ring in [false, true] {
                let mut full = vec![0u8; (w * h * 4) as usize];
                splat(&mut full, (w, h), &v, pts.iter().copied(), [1, 2, 3, 4], size, ring);
                let win = splat_window((w, h), &v, &pts, size).unwrap();
                let mut part = vec![0u8; win.size.0 as usize * win.size.1 as usize * 4];
                splat_in(&mut part, win, &v, pts.iter().copied(), [1, 2, 3, 4], size, ring);
                for q in 0..h as i64 {
                    for u in 0..w as i64 {
                        let k = ((q * w as i64 + u) * 4) as usize;
                        let inside = u >= win.at.0 && q >= win.at.1 && u < win.at.0 + win.size.0 as i64 && q < win.at.1 + win.size.1 as i64;
                        if inside {
                            let j = (((q - win.at.1) * win.size.0 as i64 + (u - win.at.0)) * 4) as usize;
                            assert_eq!(full[k..k + 4], part[j..j + 4], "size {size} ring {ring} at ({u}, {q})");
                        } else {
                            assert_eq!(full[k..k + 4], [0, 0, 0, 0], "size {size}: ({u}, {q}) set outside the window");
                        }
                    }
                }
            }
        }
        assert!(splat_window((w, h), &v, &[[9.0, 9.0]], 2).is_none());
    }
}
