//! Drawing of the recurrence lab, generic over the backend: the error heat map over (t, n), the
//! errors per sweep, coordinate 1 against the serial solution and the scan counters (`rnn`); the
//! input with its reconstruction, the kernel stems by three routes and Ā's eigenvalues (`ssm`).
//! Nothing non-finite reaches a backend: every coordinate is clamped to its chart.

use super::model::{legs_family, scheme_index, RnnModel, SsmModel, State, Wall};
use super::text::{t, tf};
use super::{Params, DRAWN_MAX};
use crate::fmt::fmt_sig;
use crate::lab::{key_of, Figure, Layer};
use crate::math::rnn::Scheme;
use crate::math::ssm::{Basis, Input, Route};
use crate::math::View;
use crate::plot::raster::{draw_raster, Raster};
use crate::plot::theme::Theme;
use crate::plot::{clip_polyline, draw_marker, frame_of, key_box, Blit, Corner, DrawResult, PlotFrame, Shape, Swatch};
use plotters::coord::Shift;
use plotters::prelude::*;

/// log₁₀ of the error at the bottom and the top of the colour scale.
const LOG_FLOOR: f64 = -16.0;
const LOG_TOP: f64 = 1.0;
/// A perceptually ordered scale (viridis stops), readable on both themes: exact is dark.
const STOPS: [(u8, u8, u8); 5] = [(0x44, 0x01, 0x54), (0x3b, 0x52, 0x8b), (0x21, 0x91, 0x8c), (0x5e, 0xc9, 0x62), (0xfd, 0xe7, 0x25)];

/// Colour of level s ∈ [0, 1].
fn colour(s: f64) -> [u8; 3] {
    let s = if s.is_finite() { s.clamp(0.0, 1.0) } else { 0.0 } * (STOPS.len() - 1) as f64;
    let i = (s.floor() as usize).min(STOPS.len() - 2);
    let f = s - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let m = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * f).round() as u8;
    [m(a.0, b.0), m(a.1, b.1), m(a.2, b.2)]
}

/// The colour level of an error (exact zeros at the floor).
fn level(err: f64) -> f64 {
    if err > 0.0 && err.is_finite() {
        (err.log10().clamp(LOG_FLOOR, LOG_TOP) - LOG_FLOOR) / (LOG_TOP - LOG_FLOOR)
    } else if err == 0.0 {
        0.0
    } else {
        1.0
    }
}

/// A number safe for any backend: finite and within ±`lim`.
fn safe(v: f64, lim: f64) -> f64 {
    if v.is_finite() {
        v.clamp(-lim, lim)
    } else {
        0.0
    }
}

/// When each layer must be redrawn (see [`crate::lab::Lab::cache_key`]).
pub fn cache_key(fig: Figure, layer: Layer, p: &Params, s: &State) -> Option<u64> {
    if layer == Layer::All {
        return None;
    }
    if p.ssm {
        let m = s.ssm.as_ref()?;
        return match (fig, layer) {
            (Figure::Main, Layer::Background) => {
                let knots: Vec<u64> = p.drawn.iter().map(|v| v.to_bits()).collect();
                Some(key_of(&("ssm-main", m.u.len(), p.input.name(), p.seed.to_bits(), p.l.to_bits(), knots)))
            }
            (Figure::Main, _) => None,
            (Figure::Aux, Layer::Background) => Some(key_of(&("ssm-aux", format!("{:?}", p.ssm_params()), s.wall(p).is_some()))),
            (Figure::Aux, _) => Some(0),
        };
    }
    let m = s.rnn.as_ref()?;
    let progress: Vec<(usize, bool)> = Scheme::ALL.iter().map(|&k| (m.sweeps(k).computed(), m.finished(k))).collect();
    match (fig, layer) {
        (Figure::Main, Layer::Background) => {
            let sw = m.sweeps(p.scheme);
            Some(key_of(&("rnn-main", m.key.hash(), p.scheme.name(), sw.computed(), m.finished(p.scheme), m.max_sweeps)))
        }
        (Figure::Main, _) => None,
        // Everything of the linked charts is on the background: it changes with the parameters and
        // the progress, not per frame.
        (Figure::Aux, Layer::Background) => Some(key_of(&("rnn-aux", format!("{p:?}"), progress))),
        (Figure::Aux, _) => Some(0),
    }
}

/// Draws one layer of one figure.
pub fn render<DB: Blit>(
    fig: Figure,
    layer: Layer,
    area: &DrawingArea<DB, Shift>,
    p: &Params,
    s: &State,
    theme: &Theme,
) -> DrawResult<Option<PlotFrame>, DB> {
    match (p.ssm, fig) {
        (false, Figure::Main) => match &s.rnn {
            Some(m) => heat_map(layer, area, p, m, theme).map(Some),
            None => Ok(None),
        },
        (false, Figure::Aux) => {
            if let (true, Some(m)) = (layer.background(), &s.rnn) {
                rnn_aux(area, p, m, theme)?;
            }
            Ok(None)
        }
        (true, Figure::Main) => match &s.ssm {
            Some(m) => ssm_main(layer, area, p, m, theme).map(Some),
            None => Ok(None),
        },
        (true, Figure::Aux) => {
            if let (true, Some(m)) = (layer.background(), &s.ssm) {
                ssm_aux(area, p, m, s.wall(p), theme)?;
            }
            Ok(None)
        }
    }
}

/// Plain mesh styling shared by the charts.
macro_rules! mesh {
    ($chart:expr, $theme:expr, $x:expr, $y:expr, $xf:expr, $yf:expr) => {
        $chart
            .configure_mesh()
            .light_line_style($theme.muted.mix(0.12))
            .bold_line_style($theme.muted.mix(0.25))
            .axis_style($theme.fg)
            .label_style($theme.text(12.0))
            .axis_desc_style($theme.text(13.0))
            .x_desc($x)
            .y_desc($y)
            .x_labels(6)
            .y_labels(6)
            .x_label_formatter($xf)
            .y_label_formatter($yf)
            .draw()?
    };
}

/// Whole numbers for counted axes (`200`, not `200.0`).
fn whole(v: &f64) -> String {
    format!("{}", v.round() as i64)
}

fn sig3(v: &f64) -> String {
    fmt_sig(*v, 3)
}

/// The heat map of log₁₀|x_t⁽ⁿ⁾ − x_t|_∞ over t (right) and n (up), with a colour bar; the
/// foreground marks the shown sweep and the diagonal t = n (left of it: exact by causality).
fn heat_map<DB: Blit>(layer: Layer, area: &DrawingArea<DB, Shift>, p: &Params, m: &RnnModel, theme: &Theme) -> DrawResult<PlotFrame, DB> {
    let (w, _) = area.dim_in_pixel();
    let bar_w = theme.px(74.0).min(w / 3);
    let (plot_area, bar_area) = area.split_horizontally(w - bar_w);
    let (tl, nmax) = (m.len().max(1), m.max_sweeps);
    let sw = m.sweeps(p.scheme);
    let view = View::new(0.5, tl as f64 + 0.5, -0.5, nmax as f64 + 0.5);
    let mut chart = ChartBuilder::on(&plot_area)
        .margin(theme.px(10.0))
        .x_label_area_size(theme.px(36.0))
        .y_label_area_size(theme.px(46.0))
        .build_cartesian_2d(view.xmin..view.xmax, view.ymin..view.ymax)?;
    if layer.background() {
        mesh!(chart, theme, t("position t"), t("sweep n"), &whole, &whole);
        // One colour per (n, t) cell, then pixel rows copied per cell row.
        let plot = chart.plotting_area().strip_coord_spec();
        let (pw, ph) = plot.dim_in_pixel();
        let (pw, ph) = (pw.max(1) as usize, ph.max(1) as usize);
        let pending = [theme.bg.0 / 2 + theme.muted.0 / 2, theme.bg.1 / 2 + theme.muted.1 / 2, theme.bg.2 / 2 + theme.muted.2 / 2];
        let cols: Vec<usize> = (0..pw).map(|i| (i * tl / pw).min(tl - 1)).collect();
        let mut px = vec![0u8; pw * ph * 3];
        let mut last_row: Option<(usize, usize)> = None;
        for j in 0..ph {
            let n = nmax.saturating_sub(j * (nmax + 1) / ph);
            let start = j * pw * 3;
            if let Some((ln, ls)) = last_row {
                if ln == n {
                    px.copy_within(ls..ls + pw * 3, start);
                    continue;
                }
            }
            let row = sw.error_row(n);
            let hatch = sw.diverged.is_some_and(|d| n >= d.sweep);
            for (i, &c) in cols.iter().enumerate() {
                let rgb = match row {
                    Some(r) => colour(level(r.get(c).copied().unwrap_or(f64::NAN))),
                    // Diverged rows are hatched; rows still to compute are flat grey.
                    None if hatch && ((i + j) / theme.px(4.0) as usize).is_multiple_of(2) => [theme.muted.0, theme.muted.1, theme.muted.2],
                    None if hatch => [theme.bg.0, theme.bg.1, theme.bg.2],
                    None => pending,
                };
                px[start + i * 3..start + i * 3 + 3].copy_from_slice(&rgb);
            }
            last_row = Some((n, start));
        }
        draw_raster(&plot, &Raster::rgb(pw as u32, ph as u32, px))?;
        colour_bar(&bar_area, theme)?;
    }
    if layer.foreground() {
        let plot = chart.plotting_area();
        // Causality: after n sweeps x_1…x_n are exact — the cells left of t = n.
        let top = (nmax as f64).min(tl as f64);
        plot.draw(&PathElement::new(vec![(0.5, 0.5), (top + 0.5, top + 0.5)], theme.bg.stroke_width(theme.px(3.0))))?;
        plot.draw(&PathElement::new(vec![(0.5, 0.5), (top + 0.5, top + 0.5)], theme.fg.stroke_width(theme.px(1.2))))?;
        let n = p.shown_sweep() as f64;
        let outline = vec![(view.xmin, n - 0.5), (view.xmax, n - 0.5), (view.xmax, n + 0.5), (view.xmin, n + 0.5), (view.xmin, n - 0.5)];
        plot.draw(&PathElement::new(outline.clone(), theme.bg.stroke_width(theme.px(3.0))))?;
        plot.draw(&PathElement::new(outline, theme.fg.stroke_width(theme.px(1.5))))?;
        let (ox, oy) = area.get_base_pixel();
        let at = chart.backend_coord(&(view.xmin, n + 0.5));
        let label = tf("sweep {}", &[&p.shown_sweep()]);
        let style = theme.text_left(12.0, theme.fg);
        let y = if n > nmax as f64 * 0.85 { at.1 - oy + theme.px(14.0) as i32 } else { at.1 - oy - theme.px(16.0) as i32 };
        let x = at.0 - ox + theme.px(6.0) as i32;
        let (lw, lh) = area.estimate_text_size(&label, &style)?;
        area.draw(&Rectangle::new([(x - 2, y - 1), (x + lw as i32 + 2, y + lh as i32 + 1)], theme.bg.mix(0.85).filled()))?;
        area.draw(&Text::new(label, (x, y), style))?;
        if let Some(d) = sw.diverged {
            let at = chart.backend_coord(&(view.xmin, (d.sweep as f64).min(nmax as f64)));
            let msg = tf("diverged at sweep {} (t = {})", &[&d.sweep, &d.t]);
            let style = theme.text_left(13.0, theme.series(4));
            let (x, y) = (at.0 - ox + theme.px(8.0) as i32, (at.1 - oy).max(theme.px(12.0) as i32));
            let (lw, lh) = area.estimate_text_size(&msg, &style)?;
            area.draw(&Rectangle::new([(x - 3, y - 2), (x + lw as i32 + 3, y + lh as i32 + 2)], theme.bg.filled()))?;
            area.draw(&Text::new(msg, (x, y), style))?;
        }
    }
    Ok(frame_of(&chart, &view))
}

/// The colour bar of the heat map: log₁₀ error from the floor (exact) to the top.
fn colour_bar<DB: Blit>(area: &DrawingArea<DB, Shift>, theme: &Theme) -> DrawResult<(), DB> {
    let (w, h) = area.dim_in_pixel();
    let (top, bottom) = (theme.px(30.0) as i32, h as i32 - theme.px(46.0) as i32);
    let bw = theme.px(14.0) as i32;
    if bottom <= top + 10 || w < bw as u32 + 4 {
        return Ok(());
    }
    let rows = (bottom - top) as usize;
    let mut px = Vec::with_capacity(rows * bw as usize * 3);
    for r in 0..rows {
        let c = colour(1.0 - r as f64 / (rows - 1).max(1) as f64);
        for _ in 0..bw {
            px.extend_from_slice(&c);
        }
    }
    let x0 = theme.px(4.0) as i32;
    let sub = area.margin(top as u32, 0, x0 as u32, 0);
    draw_raster(&sub, &Raster::rgb(bw as u32, rows as u32, px))?;
    area.draw(&Text::new(t("log₁₀ error"), (0, theme.px(8.0) as i32), theme.text_left(11.0, theme.fg)))?;
    for v in [1.0, -4.0, -8.0, -12.0, -16.0] {
        let y = top + ((LOG_TOP - v) / (LOG_TOP - LOG_FLOOR) * (rows - 1) as f64).round() as i32;
        area.draw(&PathElement::new(vec![(x0 + bw, y), (x0 + bw + 4, y)], theme.fg.stroke_width(1)))?;
        let label = if v == 0.0 { "0".to_string() } else { format!("{}", v as i64).replace('-', "−") };
        area.draw(&Text::new(label, (x0 + bw + 6, y - theme.px(6.0) as i32), theme.text_left(11.0, theme.fg)))?;
    }
    Ok(())
}

/// The linked charts of `rnn`: max error per sweep (log y, all schemes), coordinate 1 of the shown
/// sweep against the serial solution, and the scan's counters under them.
fn rnn_aux<DB: Blit>(area: &DrawingArea<DB, Shift>, p: &Params, m: &RnnModel, theme: &Theme) -> DrawResult<(), DB> {
    let (w, h) = area.dim_in_pixel();
    let strip = theme.px(22.0).min(h / 4);
    let (charts, bottom) = area.split_vertically(h - strip);
    let (left, right) = charts.split_horizontally(w / 2);
    errors_chart(&left, p, m, theme)?;
    coordinate_chart(&right, p, m, theme)?;
    let sw = m.sweeps(p.scheme);
    let c = sw.sweep_cost;
    let line = tf(
        "{}: scan depth {} per sweep (serial: {}) · {} matrix products once + {} per sweep · {} matrix–vector products per sweep",
        &[&(scheme_label(p.scheme)), &c.depth, &m.len().saturating_sub(1), &sw.setup_cost.mat_mat, &c.mat_mat, &c.mat_vec],
    );
    bottom.draw(&Text::new(line, (theme.px(10.0) as i32, theme.px(3.0) as i32), theme.text_left(12.0, theme.muted)))?;
    Ok(())
}

/// The short name of a scheme as the charts show it, translated.
pub fn scheme_label(s: Scheme) -> &'static str {
    match s {
        Scheme::Plain => t("plain"),
        Scheme::SechU => t("sech² u"),
        Scheme::Newton => t("Newton"),
    }
}

fn errors_chart<DB: Blit>(area: &DrawingArea<DB, Shift>, p: &Params, m: &RnnModel, theme: &Theme) -> DrawResult<(), DB> {
    let nmax = m.max_sweeps.max(1) as f64;
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for k in Scheme::ALL {
        for &e in &m.sweeps(k).errors {
            if e > 0.0 && e.is_finite() {
                lo = lo.min(e);
                hi = hi.max(e);
            }
        }
    }
    if !(lo.is_finite() && hi > 0.0) {
        (lo, hi) = (1e-16, 1.0);
    }
    let lo = 10f64.powf(lo.max(1e-17).log10().floor()).min(1e-3);
    let hi = 10f64.powf(hi.log10().ceil()).max(lo * 1e3).max(10.0);
    let mut chart = ChartBuilder::on(area)
        .margin(theme.px(10.0))
        .caption(t("max error after each sweep"), theme.text(13.0))
        .x_label_area_size(theme.px(34.0))
        .y_label_area_size(theme.px(52.0))
        .build_cartesian_2d(0f64..nmax, (lo..hi).log_scale())?;
    mesh!(chart, theme, t("sweep n"), t("max error"), &whole, &|v: &f64| fmt_sig(*v, 2));
    let n = p.shown_sweep() as f64;
    chart.draw_series(std::iter::once(PathElement::new(vec![(n, lo), (n, hi)], theme.muted.stroke_width(theme.px(1.2)))))?;
    let mut key = Vec::new();
    for (i, k) in Scheme::ALL.iter().enumerate() {
        let sw = m.sweeps(*k);
        let pts: Vec<(f64, f64)> =
            std::iter::once((0.0, sw.error_map[0].iter().copied().fold(0.0, f64::max))).chain(sw.errors.iter().enumerate().map(|(j, &e)| ((j + 1) as f64, e))).map(|(x, e)| (x, if e.is_finite() { e.clamp(lo, hi) } else { hi })).collect();
        let c = theme.series(i);
        let width = if *k == p.scheme { 2.6 } else { 1.6 };
        chart.draw_series(std::iter::once(PathElement::new(pts.clone(), c.stroke_width(theme.px(width)))))?;
        if let (Some(d), Some(last)) = (sw.diverged, pts.last()) {
            let at = chart.backend_coord(last);
            let (ox, oy) = area.get_base_pixel();
            draw_marker(area, Shape::Cross, (at.0 - ox, at.1 - oy), theme.scale * 5.0, c, theme.bg)?;
            key.push((Swatch::Line(c), tf("{} — diverged at sweep {}", &[&(scheme_label(*k)), &d.sweep])));
        } else if let Some(at) = sw.converged_at {
            key.push((Swatch::Line(c), tf("{} — exact to rounding after sweep {}", &[&(scheme_label(*k)), &at])));
        } else {
            key.push((Swatch::Line(c), (scheme_label(*k)).to_string()));
        }
    }
    key_box(&chart, Corner::UpperRight, &key, theme)?;
    Ok(())
}

fn coordinate_chart<DB: Blit>(area: &DrawingArea<DB, Shift>, p: &Params, m: &RnnModel, theme: &Theme) -> DrawResult<(), DB> {
    let (tl, d) = (m.len().max(1), m.dim().max(1));
    let n = p.shown_sweep();
    let mut chart = ChartBuilder::on(area)
        .margin(theme.px(10.0))
        .caption(tf("coordinate 1 of x⁽ⁿ⁾, n = {}", &[&n]), theme.text(13.0))
        .x_label_area_size(theme.px(34.0))
        .y_label_area_size(theme.px(44.0))
        .build_cartesian_2d(0.5..tl as f64 + 0.5, -1.15f64..1.15)?;
    mesh!(chart, theme, t("position t"), t("x_t,1"), &whole, &sig3);
    let serial: Vec<(f64, f64)> = m.serial.chunks_exact(d).enumerate().map(|(i, x)| ((i + 1) as f64, safe(x[0], 1.0))).collect();
    chart.draw_series(std::iter::once(PathElement::new(serial, theme.fg.stroke_width(theme.px(2.4)))))?;
    let mut key = vec![(Swatch::Line(theme.fg), t("serial solution").to_string())];
    let c = theme.series(scheme_index(p.scheme));
    match m.sweeps(p.scheme).iterate(n) {
        Some(x) => {
            // The iterate may be far outside [−1, 1] before it settles: clipped at the frame.
            let pts: Vec<[f64; 2]> = x.chunks_exact(d).enumerate().map(|(i, v)| [(i + 1) as f64, safe(v[0], 1e6)]).collect();
            for piece in clip_polyline(&pts, &View::new(0.5, tl as f64 + 0.5, -1.15, 1.15)) {
                chart.draw_series(std::iter::once(PathElement::new(piece, c.stroke_width(theme.px(1.6)))))?;
            }
            key.push((Swatch::Line(c), tf("{}, sweep {}", &[&(scheme_label(p.scheme)), &n])));
        }
        None => {
            let why = if m.sweeps(p.scheme).diverged.is_some() { t("diverged: no iterate") } else { t("still computing") };
            key.push((Swatch::Box(c), tf("{}, sweep {}: {}", &[&(scheme_label(p.scheme)), &n, &why])));
        }
    }
    key_box(&chart, Corner::LowerRight, &key, theme)?;
    Ok(())
}

/// The y range of the input with room for the reconstruction.
fn input_range(p: &Params, m: &SsmModel) -> (f64, f64) {
    // A drawn input gets a fixed range: the plot must not rescale under the pointer.
    if p.input == Input::Drawn {
        let r = DRAWN_MAX + 0.15;
        return (-r, r);
    }
    let (lo, hi) = m.u.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    if !(lo.is_finite() && hi.is_finite()) {
        return (-1.3, 1.3);
    }
    let pad = ((hi - lo) * 0.2).max(0.3);
    (lo - pad, hi + pad)
}

/// The input on [0, L] (faint, background), its part on [0, t] and the reconstruction from the
/// state at t (or the system's output, for bases without a Legendre reading), and the cursor.
fn ssm_main<DB: Blit>(layer: Layer, area: &DrawingArea<DB, Shift>, p: &Params, m: &SsmModel, theme: &Theme) -> DrawResult<PlotFrame, DB> {
    let l = m.u.len().max(1) as f64;
    let (lo, hi) = input_range(p, m);
    let view = View::new(0.0, l, lo, hi);
    let mut chart = ChartBuilder::on(area)
        .margin(theme.px(10.0))
        .x_label_area_size(theme.px(36.0))
        .y_label_area_size(theme.px(46.0))
        .build_cartesian_2d(view.xmin..view.xmax, view.ymin..view.ymax)?;
    // The held input as steps: u_k on [k, k + 1).
    let steps = |upto: usize| -> Vec<(f64, f64)> {
        m.u.iter().take(upto).enumerate().flat_map(|(k, &v)| [(k as f64, safe(v, 1e6)), ((k + 1) as f64, safe(v, 1e6))]).collect()
    };
    if layer.background() {
        mesh!(chart, theme, t("time s (steps)"), t("u(s)"), &whole, &sig3);
        chart.draw_series(std::iter::once(PathElement::new(steps(m.u.len()), theme.muted.mix(0.45).stroke_width(theme.px(1.2)))))?;
        if p.input == Input::Drawn {
            // The knots, where a stroke takes hold; and a hint while nothing is drawn.
            let n = p.drawn.len();
            let (ox, oy) = area.get_base_pixel();
            for (j, &v) in p.drawn.iter().enumerate() {
                let at = chart.backend_coord(&(j as f64 / (n.max(2) - 1) as f64 * l, safe(v, DRAWN_MAX)));
                draw_marker(area, Shape::Circle, (at.0 - ox, at.1 - oy), theme.scale * 2.2, theme.muted, theme.bg)?;
            }
            if p.drawn.iter().all(|v| *v == 0.0) {
                let at = chart.backend_coord(&(0.03 * l, 0.8 * hi));
                area.draw(&Text::new(t("drag on the plot to draw the input u(s)"), (at.0 - ox, at.1 - oy), theme.text_left(14.0, theme.muted)))?;
            }
        }
    }
    if layer.foreground() {
        let tt = m.t as f64;
        chart.draw_series(std::iter::once(PathElement::new(steps(m.t), theme.fg.stroke_width(theme.px(1.8)))))?;
        let mut key = vec![(Swatch::Line(theme.fg), t("input u on [0, t]").to_string())];
        let c = theme.series(1);
        let curve: Vec<[f64; 2]> = if m.warp(p).is_some() {
            let n = (4 * m.t).clamp(2, 800);
            (0..=n).filter_map(|i| {
                let s = tt * i as f64 / n as f64;
                m.reconstruct(p, s).map(|v| [s, safe(v, 1e6)])
            })
            .collect()
        } else {
            m.outputs.iter().enumerate().map(|(k, &y)| [(k + 1) as f64, safe(y, 1e6)]).collect()
        };
        for piece in clip_polyline(&curve, &view) {
            chart.draw_series(std::iter::once(PathElement::new(piece, c.stroke_width(theme.px(2.2)))))?;
        }
        if m.t > 0 {
            key.push((
                Swatch::Line(c),
                match p.basis {
                    Basis::LegsOnline => t("reconstruction from x(t): uniform memory").to_string(),
                    Basis::S4 => t("reconstruction from x(t): decaying memory").to_string(),
                    _ => t("output y_k = C̄ᵀx_{k+1} (no Legendre reading)").to_string(),
                },
            ));
        }
        let cur = theme.series(2);
        chart.draw_series(std::iter::once(PathElement::new(vec![(tt, lo), (tt, hi)], cur.stroke_width(theme.px(1.5)))))?;
        key.push((Swatch::Line(cur), tf("cursor t = {}", &[&m.t])));
        key_box(&chart, Corner::LowerRight, &key, theme)?;
    }
    Ok(frame_of(&chart, &view))
}

/// The kernel as stems (the defining route) with the two other routes overlaid, Ā's eigenvalues
/// with the unit circle and, for the LegS systems, the eigenvector wall beside the unitary route.
/// Three panels side by side from [`STACK_BELOW`] CSS pixels; narrower, one above the other (see
/// [`aux_height`]).
fn ssm_aux<DB: Blit>(area: &DrawingArea<DB, Shift>, p: &Params, m: &SsmModel, wall: Option<&Wall>, theme: &Theme) -> DrawResult<(), DB> {
    let (w, h) = area.dim_in_pixel();
    if !legs_family(p) {
        let (left, right) = area.split_horizontally(w * 3 / 5);
        kernel_chart(&left, p, m, theme)?;
        return eigen_chart(&right, p, m, theme);
    }
    let (kernel, eig, wall_area) = if (w as f64) < STACK_BELOW * theme.scale {
        let (kernel, rest) = area.split_vertically(h / 3);
        let (eig, wall_area) = rest.split_vertically(h / 3);
        (kernel, eig, wall_area)
    } else {
        let (kernel, rest) = area.split_horizontally(w * 9 / 20);
        let (eig, wall_area) = rest.split_horizontally(w * 11 / 50);
        (kernel, eig, wall_area)
    };
    kernel_chart(&kernel, p, m, theme)?;
    eigen_chart(&eig, p, m, theme)?;
    wall_chart(&wall_area, wall, theme)
}

/// Below this width (CSS pixels) the SSM's three linked panels stack.
pub const STACK_BELOW: f64 = 720.0;

/// The linked chart's height (CSS pixels) at `width` for the SSM's three panels: a little taller
/// than the page's strip side by side, three of them where they stack.
pub fn aux_height(p: &Params, width: f64) -> Option<f64> {
    (p.ssm && legs_family(p)).then_some(if width < STACK_BELOW { 720.0 } else { 300.0 })
}

/// |S_n| of the LegS eigenvector for −λ (closed form) on a log axis, with f64's ε and the spec's
/// asymptote at n = λ, next to the unitary route's |U_nj| (the band from the smallest to the
/// largest entry of each row).
fn wall_chart<DB: Blit>(area: &DrawingArea<DB, Shift>, wall: Option<&Wall>, theme: &Theme) -> DrawResult<(), DB> {
    let Some(wall) = wall else {
        let at = (theme.px(20.0) as i32, theme.px(20.0) as i32);
        return area.draw(&Text::new(t("eigenvector wall: computing…"), at, theme.text_left(13.0, theme.muted)));
    };
    let d = wall.d;
    let tiny = wall.sums.iter().copied().filter(|v| *v > 0.0 && v.is_finite()).fold(1.0f64, f64::min);
    // Room under f64's ε for the key, so the ε line stays in sight.
    let lo = 10f64.powf((tiny.max(1e-300).log10().floor() - 1.0).min(-22.0));
    let hi = 10.0;
    let mut chart = ChartBuilder::on(area)
        .margin(theme.px(10.0))
        .caption(tf("eigenvector wall · λ = {}", &[&wall.lambda]), theme.text(13.0))
        .x_label_area_size(theme.px(34.0))
        .y_label_area_size(theme.px(52.0))
        .build_cartesian_2d(-0.5..d as f64 - 0.5, (lo..hi).log_scale())?;
    mesh!(chart, theme, t("n"), t("modulus"), &whole, &|v: &f64| fmt_sig(*v, 1));
    let xs = (-0.5, d as f64 - 0.5);
    let eps = f64::EPSILON;
    chart.draw_series(std::iter::once(PathElement::new(vec![(xs.0, eps), (xs.1, eps)], theme.muted.stroke_width(theme.px(1.2)))))?;
    let mut key = Vec::new();
    let (cu, cs) = (theme.series(1), theme.series(0));
    if let Some(u) = &wall.unitary {
        let band: Vec<(f64, f64)> = u
            .iter()
            .enumerate()
            .map(|(n, x)| (n as f64, x.1.clamp(lo, hi)))
            .chain(u.iter().enumerate().rev().map(|(n, x)| (n as f64, x.0.clamp(lo, hi))))
            .collect();
        chart.draw_series(std::iter::once(Polygon::new(band, cu.mix(0.3).filled())))?;
        key.push((Swatch::Box(cu), t("|Uₙⱼ|, unitary route").to_string()));
    } else {
        key.push((Swatch::Box(theme.muted), t("unitary route: the eigensolver failed").to_string()));
    }
    // Exact zeros (n < λ − 1) have no place on a log axis: the path starts where Sₙ does.
    let pts: Vec<(f64, f64)> = wall.sums.iter().enumerate().filter(|(_, v)| **v > 0.0 && v.is_finite()).map(|(n, v)| (n as f64, v.clamp(lo, hi))).collect();
    chart.draw_series(std::iter::once(PathElement::new(pts.clone(), cs.stroke_width(theme.px(2.0)))))?;
    let (ox, oy) = area.get_base_pixel();
    if d <= 48 {
        for pt in &pts {
            let at = chart.backend_coord(pt);
            draw_marker(area, Shape::Circle, (at.0 - ox, at.1 - oy), theme.scale * 2.5, cs, theme.bg)?;
        }
    }
    // The figures (|S_λ|, the asymptote, the smallest |Uₙⱼ|) are in the readouts: the panel is narrow.
    key.push((Swatch::Line(cs), t("|Sₙ|, LegS eigenvector").to_string()));
    key.push((Swatch::Line(theme.muted), t("f64 ε").to_string()));
    key_box(&chart, Corner::LowerLeft, &key, theme)?;
    Ok(())
}

fn kernel_chart<DB: Blit>(area: &DrawingArea<DB, Shift>, _p: &Params, m: &SsmModel, theme: &Theme) -> DrawResult<(), DB> {
    let Some(k) = &m.kernels else {
        return area.draw(&Text::new(t("no system for these parameters"), (theme.px(20.0) as i32, theme.px(20.0) as i32), theme.text_left(13.0, theme.fg)));
    };
    let l = k.l.max(1);
    // The y range from the defining route (a blown-up prefix included: it is the point); another
    // route that lost its digits (the RFT route of LegS for large d) shows as hitting the frame.
    let routes = [(Route::Powers, 0usize), (Route::Dft, 1), (Route::Rft, 2)];
    let vals = k.kernel().iter().copied().filter(|v| v.is_finite()).map(|v| v.clamp(-1e100, 1e100));
    let (lo, hi) = vals.fold((0.0f64, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let span = (hi - lo).max(1e-12);
    let (lo, hi) = (lo - 0.08 * span, hi + 0.08 * span);
    let caption = match k.max_route_diff() {
        Some(dmax) => tf("kernel K̄ₖ = C̄ᵀĀᵏB̄ · max difference between routes {}", &[&fmt_sig(dmax, 3)]),
        None => t("kernel K̄ₖ = C̄ᵀĀᵏB̄ (fewer than two routes available)").to_string(),
    };
    let mut chart = ChartBuilder::on(area)
        .margin(theme.px(10.0))
        .caption(caption, theme.text(13.0))
        .x_label_area_size(theme.px(34.0))
        .y_label_area_size(theme.px(58.0))
        .build_cartesian_2d(-0.5..l as f64 - 0.5, lo..hi)?;
    mesh!(chart, theme, t("k"), t("K̄ₖ"), &whole, &|v: &f64| fmt_sig(*v, 3));
    let lim = 1e300;
    let mut key = Vec::new();
    // Stems of the primary route as one zig-zag path (one backend call for any L).
    let primary = k.kernel();
    let mut zig = Vec::with_capacity(primary.len() * 3);
    for (i, &v) in primary.iter().enumerate() {
        let x = i as f64;
        zig.extend([(x, 0.0), (x, safe(v, lim).clamp(lo, hi)), (x, 0.0)]);
    }
    let c0 = theme.series(0);
    chart.draw_series(std::iter::once(PathElement::new(zig, c0.stroke_width(theme.px(if l > 200 { 1.0 } else { 1.6 })))))?;
    let name = |r: Route| match r {
        Route::Powers => t("powers C̄ᵀĀᵏB̄"),
        Route::Dft => t("IDFT of the truncated generating function"),
        Route::Rft => t("IDFT of b̄/ā (rational transfer function)"),
    };
    key.push((Swatch::Line(c0), tf("{} (stems)", &[&name(k.primary)])));
    let (ox, oy) = area.get_base_pixel();
    for (r, ci) in routes {
        if r == k.primary {
            continue;
        }
        let Some(v) = k.route(r) else {
            key.push((Swatch::Box(theme.muted), tf("{}: not available", &[&name(r)])));
            continue;
        };
        let c = theme.series(ci);
        if l <= 96 {
            for (i, &y) in v.iter().enumerate() {
                let at = chart.backend_coord(&(i as f64, safe(y, lim).clamp(lo, hi)));
                let shape = if ci == 1 { Shape::Circle } else { Shape::Cross };
                draw_marker(area, shape, (at.0 - ox, at.1 - oy), theme.scale * 3.0, c, theme.bg)?;
            }
        } else {
            let pts: Vec<(f64, f64)> = v.iter().enumerate().map(|(i, &y)| (i as f64, safe(y, lim).clamp(lo, hi))).collect();
            chart.draw_series(std::iter::once(PathElement::new(pts, c.stroke_width(theme.px(1.0)))))?;
        }
        key.push((Swatch::Line(c), name(r).to_string()));
    }
    if let Some(b) = k.blowup {
        key.push((Swatch::Box(theme.series(4)), tf("powers exceed 1e100 at k = {}: unstable Ā", &[&b])));
    }
    key_box(&chart, Corner::UpperRight, &key, theme)?;
    Ok(())
}

fn eigen_chart<DB: Blit>(area: &DrawingArea<DB, Shift>, p: &Params, m: &SsmModel, theme: &Theme) -> DrawResult<(), DB> {
    let ev = m.eigenvalues.as_deref().unwrap_or(&[]);
    let rmax = ev.iter().map(|z| z.norm()).filter(|v| v.is_finite()).fold(1.0f64, f64::max).min(1e6);
    let r = rmax * 1.15;
    let (w, h) = area.dim_in_pixel();
    let v = crate::plot::equal_aspect(&View::new(-r, r, -r, r), (w as f64 - theme.px(60.0) as f64).max(1.0), (h as f64 - theme.px(60.0) as f64).max(1.0));
    let rho = ev.iter().map(|z| z.norm()).fold(0.0f64, f64::max);
    let caption = if ev.is_empty() { t("eigenvalues of Ā: not available").to_string() } else { tf("eigenvalues of Ā · ρ(Ā) = {}", &[&fmt_sig(rho, 6)]) };
    let mut chart = ChartBuilder::on(area)
        .margin(theme.px(10.0))
        .caption(caption, theme.text(13.0))
        .x_label_area_size(theme.px(30.0))
        .y_label_area_size(theme.px(40.0))
        .build_cartesian_2d(v.xmin..v.xmax, v.ymin..v.ymax)?;
    mesh!(chart, theme, t("Re λ"), t("Im λ"), &sig3, &sig3);
    let circle: Vec<(f64, f64)> = (0..=128).map(|i| i as f64 * std::f64::consts::TAU / 128.0).map(|a| (a.cos(), a.sin())).collect();
    chart.draw_series(std::iter::once(PathElement::new(circle, theme.fg.stroke_width(theme.px(1.2)))))?;
    let (ox, oy) = area.get_base_pixel();
    for z in ev {
        let outside = z.norm() > 1.0 + 1e-12;
        let c = if outside { theme.series(4) } else { theme.series(0) };
        let at = chart.backend_coord(&(safe(z.re, r), safe(z.im, r)));
        draw_marker(area, if outside { Shape::Cross } else { Shape::Circle }, (at.0 - ox, at.1 - oy), theme.scale * 3.5, c, theme.bg)?;
    }
    let mut key = vec![(Swatch::Line(theme.fg), t("unit circle").to_string())];
    if m.euler_unstable(p) {
        key.push((Swatch::Box(theme.series(4)), tf("Euler: ε ≥ 2/d = {}, outside", &[&fmt_sig(2.0 / p.ssm_dim() as f64, 3)])));
    }
    key_box(&chart, Corner::LowerRight, &key, theme)?;
    Ok(())
}
