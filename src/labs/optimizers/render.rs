//! Drawing of the optimizer lab, generic over the plotters backend.

use super::model::Stop;
use super::{Params, State};
use crate::i18n::{t, tf};
use crate::lab::{Figure, Layer, PlotFrame};
use crate::math::surfaces::Objective;
use crate::math::View;
use crate::plot::raster::{draw_raster, heatmap, sample};
use crate::plot::theme::Theme;
use crate::plot::{clip_polyline, decimate, draw_marker, field_chart, frame_of, DrawResult, Shape};
use nalgebra::Vector2;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Draws one figure layer.
pub fn render<DB: DrawingBackend>(
    fig: Figure,
    layer: Layer,
    area: &DrawingArea<DB, Shift>,
    p: &Params,
    s: &State,
    theme: &Theme,
) -> DrawResult<Option<PlotFrame>, DB> {
    match fig {
        Figure::Main => main(layer, area, p, s, theme).map(Some),
        Figure::Aux => {
            loss_chart(area, p, s, theme)?;
            Ok(None)
        }
    }
}

fn main<DB: DrawingBackend>(
    layer: Layer,
    area: &DrawingArea<DB, Shift>,
    p: &Params,
    s: &State,
    theme: &Theme,
) -> DrawResult<PlotFrame, DB> {
    let (chart, v) = field_chart(area, &p.view(), theme, layer.background())?;
    let frame = frame_of(&chart, &v);
    let plot = chart.plotting_area();
    if layer.background() {
        let (w, h) = plot.dim_in_pixel();
        // One sample per CSS pixel; the raster is interpolated up to device pixels.
        let (sw, sh) = ((w as f64 / theme.scale).ceil() as u32, (h as f64 / theme.scale).ceil() as u32);
        let vals = sample(&v, sw, sh, |x, y| s.surface.value(Vector2::new(x, y)));
        draw_raster(&plot.strip_coord_spec(), &heatmap(&vals, sw, sh, w, h, theme))?;
        for m in minima(p) {
            if v.contains(m.0, m.1) {
                let at = plot.map_coordinate(&m);
                let r = theme.scale * 5.0;
                let c = theme.muted;
                let st = c.stroke_width(theme.px(1.5));
                let abs = plot.strip_coord_spec();
                let (ox, oy) = (frame.px.0, frame.py.0);
                let rel = (at.0 - ox, at.1 - oy);
                let ri = r.round() as i32;
                abs.draw(&PathElement::new(vec![(rel.0 - ri, rel.1), (rel.0 + ri, rel.1)], st))?;
                abs.draw(&PathElement::new(vec![(rel.0, rel.1 - ri), (rel.0, rel.1 + ri)], st))?;
            }
        }
    }
    if layer.foreground() {
        draw_paths(&chart, &v, p, s, theme)?;
        legend(area, &frame, s, theme)?;
    }
    Ok(frame)
}

/// Known minima, marked with a small cross so a learner sees where the paths should go.
fn minima(p: &Params) -> Vec<(f64, f64)> {
    use crate::math::surfaces::SurfaceKind::*;
    match p.surface {
        Quadratic => vec![(0.0, 0.0)],
        Saddle => vec![],
        Rosenbrock => vec![(1.0, 1.0)],
        Beale => vec![(3.0, 0.5)],
        Himmelblau => vec![(3.0, 2.0), (-2.805118, 3.131313), (-3.779310, -3.283186), (3.584428, -1.848127)],
        Valley => vec![],
    }
}

fn draw_paths<DB: DrawingBackend>(
    chart: &crate::plot::XyChart<'_, DB>,
    v: &View,
    p: &Params,
    s: &State,
    theme: &Theme,
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
    for r in &s.runs {
        let colour = theme.series(r.kind.index());
        for piece in clip_polyline(&r.path, v) {
            // Pixel-space decimation: consecutive points closer than a device pixel add nothing.
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
    }
    // Markers on top of every line.
    let [sx, sy] = p.start();
    if v.contains(sx, sy) {
        let at = to_rel((sx, sy));
        abs.draw(&Circle::new(at, theme.px(6.0), theme.bg.filled()))?;
        abs.draw(&Circle::new(at, theme.px(5.0), theme.fg.stroke_width(theme.px(2.0))))?;
    }
    for r in &s.runs {
        let colour = theme.series(r.kind.index());
        let Some(&[x, y]) = r.path.last() else { continue };
        if !v.contains(x, y) {
            continue;
        }
        let at = to_rel((x, y));
        if r.diverged.is_some() {
            draw_marker(&abs, Shape::Cross, at, theme.scale * 6.0, colour, theme.bg)?;
        } else {
            draw_marker(&abs, Shape::nth(r.kind.index()), at, theme.scale * 4.5, colour, theme.bg)?;
        }
    }
    Ok(())
}

/// A legend inside the plot (top-left), so exported figures explain themselves.
fn legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, frame: &PlotFrame, s: &State, theme: &Theme) -> DrawResult<(), DB> {
    if s.runs.is_empty() {
        return Ok(());
    }
    let sc = theme.scale;
    let row = (17.0 * sc).round() as i32;
    let x0 = frame.px.0 + (8.0 * sc) as i32;
    let y0 = frame.py.0 + (8.0 * sc) as i32;
    let text = |r: &super::model::Run| match r.diverged {
        Some((n, Stop::NonFinite)) | Some((n, Stop::LeftBox)) => tf("{} — diverged at step {}", &[&t(r.kind.label()), &n]),
        None => t(r.kind.label()).to_string(),
    };
    let longest = s.runs.iter().map(|r| text(r).chars().count()).max().unwrap_or(4) as f64;
    let w = ((34.0 + 6.6 * longest) * sc) as i32;
    let h = row * s.runs.len() as i32 + (8.0 * sc) as i32;
    let (ox, oy) = area.get_base_pixel();
    let rel = |x: i32, y: i32| (x - ox, y - oy);
    area.draw(&Rectangle::new([rel(x0, y0), rel(x0 + w, y0 + h)], theme.bg.mix(0.85).filled()))?;
    area.draw(&Rectangle::new([rel(x0, y0), rel(x0 + w, y0 + h)], theme.muted.stroke_width(1)))?;
    for (i, r) in s.runs.iter().enumerate() {
        let colour = theme.series(r.kind.index());
        let cy = y0 + (4.0 * sc) as i32 + row * i as i32 + row / 2;
        let lx = x0 + (6.0 * sc) as i32;
        area.draw(&PathElement::new(vec![rel(lx, cy), rel(lx + (18.0 * sc) as i32, cy)], colour.stroke_width(theme.px(2.0))))?;
        let shape = if r.diverged.is_some() { Shape::Cross } else { Shape::nth(r.kind.index()) };
        draw_marker(area, shape, rel(lx + (9.0 * sc) as i32, cy), sc * 3.5, colour, theme.bg)?;
        let tc = if r.diverged.is_some() { theme.series(4) } else { theme.fg };
        area.draw(&Text::new(text(r), rel(lx + (24.0 * sc) as i32, cy - (7.0 * sc) as i32), theme.text_left(12.0, tc)))?;
    }
    Ok(())
}

/// Loss against step for every run: L − L* on a log axis where the surface has a known minimum,
/// L on a linear axis otherwise (the saddle is unbounded below).
fn loss_chart<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, p: &Params, s: &State, theme: &Theme) -> DrawResult<(), DB> {
    let steps = (p.steps.max(1.0)) as usize;
    let lmin = p.surface.min_value();
    let ys = |r: &super::model::Run| -> Vec<(f64, f64)> {
        r.loss.iter().enumerate().map(|(i, &l)| (i as f64, lmin.map_or(l, |m| l - m))).collect()
    };
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for r in &s.runs {
        for (_, y) in ys(r) {
            if lmin.is_some() && y <= 0.0 {
                continue;
            }
            lo = lo.min(y);
            hi = hi.max(y);
        }
    }
    if !(lo.is_finite() && hi.is_finite()) {
        lo = 1e-3;
        hi = 1.0;
    }
    let w_px = area.dim_in_pixel().0 as usize;
    let x_label = theme.px(34.0);
    let y_label = theme.px(58.0);
    let margin = theme.px(10.0);
    let title = if lmin.is_some() { t("L − L* (log)") } else { "L" };
    let mut builder = ChartBuilder::on(area);
    builder.margin(margin).x_label_area_size(x_label).y_label_area_size(y_label);
    let line = |r: &super::model::Run, floor: f64| -> Vec<(f64, f64)> {
        let pts: Vec<(f64, f64)> = ys(r).into_iter().map(|(x, y)| (x, if lmin.is_some() { y.max(floor) } else { y })).collect();
        decimate(&pts, w_px.max(16) / 2)
    };
    // The log and linear axes are different chart types; one macro styles and fills both.
    macro_rules! fill {
        ($chart:expr, $digits:expr, $floor:expr) => {{
            let mut chart = $chart;
            chart
                .configure_mesh()
                .light_line_style(theme.muted.mix(0.15))
                .bold_line_style(theme.muted.mix(0.3))
                .axis_style(theme.fg)
                .label_style(theme.text(12.0))
                .axis_desc_style(theme.text(13.0))
                .x_desc(t("step"))
                .y_desc(title)
                .y_label_formatter(&|v| crate::math::fmt_sig(*v, $digits))
                .draw()?;
            for r in &s.runs {
                let c = theme.series(r.kind.index());
                chart.draw_series(LineSeries::new(line(r, $floor), c.stroke_width(theme.px(2.0))))?;
            }
        }};
    }
    if lmin.is_some() {
        // At least 3 decades, at most 16 below the top, so one converged run does not flatten the rest.
        let hi = hi.max(lo * 10.0);
        let lo = lo.max(hi * 1e-16).min(hi / 1e3);
        fill!(builder.build_cartesian_2d(0f64..steps as f64, (lo..hi * 1.5).log_scale())?, 2, lo);
    } else {
        let pad = ((hi - lo).abs() * 0.05).max(1e-9);
        fill!(builder.build_cartesian_2d(0f64..steps as f64, (lo - pad)..(hi + pad))?, 3, 0.0);
    }
    Ok(())
}
