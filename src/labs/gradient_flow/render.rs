//! Drawing of the gradient-flow lab, generic over the plotters backend.

use super::model::Method;
use super::{Params, State};
use super::text::t;
use crate::lab::{Figure, Layer};
use crate::plot::{Blit, PlotFrame};
use crate::math::surfaces::Objective;
use crate::math::View;
use crate::plot::theme::Theme;
use crate::plot::{draw_series, field_background, field_chart, frame_of, legend, line_axes, line_curves, DrawResult, LineAxes, Series, XyChart};
use crate::math::ode::rk4_step;
use nalgebra::Vector2;
use plotters::coord::Shift;
use plotters::prelude::*;

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
        Figure::Main => {
            let (chart, v) = field_chart(area, &p.plane.view(), theme, layer.background())?;
            let frame = frame_of(&chart, &v);
            if layer.background() {
                field_background(&chart, &v, |cols, rows| s.surface.grid(cols, rows), p.plane.surface.minima(), theme)?;
                if p.streamlines {
                    streamlines(&chart, &v, s, theme)?;
                }
                arrows(&chart, &v, p.arrows as usize, s, theme)?;
            }
            if layer.foreground() {
                let dots = p.steps() <= 400;
                let series: Vec<Series<'_>> = s
                    .tracks
                    .iter()
                    .map(|tr| Series {
                        path: &tr.path,
                        index: tr.method.index(),
                        label: p.plane.series_label(tr.method.label(), tr.diverged.map(|n| (n, tr.non_finite))),
                        diverged: tr.diverged.is_some(),
                        dots: dots && !tr.method.continuous(),
                    })
                    .collect();
                draw_series(&chart, &v, &series, Some(p.plane.start()), theme)?;
                legend(area, &frame, &series, theme)?;
            }
            Ok(Some(frame))
        }
        Figure::Aux => {
            // Axes on the cached background (they change only when the data crosses a decade),
            // the curves on the foreground.
            let (left, right) = area.split_horizontally(area.dim_in_pixel().0 / 2);
            let (loss, gaps) = aux_curves(p, s);
            let (la, ga) = aux_axes(p, &loss, &gaps);
            if layer.background() {
                let title = if p.plane.surface.min_value().is_some() { t("L − L* (log)") } else { "L" };
                line_axes(&left, &la, t("time t"), title, theme)?;
                line_axes(&right, &ga, t("time t"), t("‖GD − flow‖ (log)"), theme)?;
            }
            if layer.foreground() {
                line_curves(&left, &la, &loss, theme)?;
                line_curves(&right, &ga, &gaps, theme)?;
            }
            Ok(None)
        }
    }
}

/// One series of a linked chart: its colour index and its points.
pub type Curve = (usize, Vec<(f64, f64)>);

/// Curves of the linked charts: loss (L − L* where the minimum is known) against time, and the
/// distance of GD from the flow and from the modified flow at the same times.
pub fn aux_curves(p: &Params, s: &State) -> (Vec<Curve>, Vec<Curve>) {
    let lmin = p.plane.surface.min_value();
    let loss = s
        .tracks
        .iter()
        .map(|tr| (tr.method.index(), tr.loss.iter().enumerate().map(|(i, &l)| (i as f64 * p.lr, lmin.map_or(l, |m| l - m))).collect()))
        .collect();
    let gd = s.track(Method::Gd);
    let mut gaps = Vec::new();
    for m in [Method::Flow, Method::Modified] {
        if let (Some(g), Some(o)) = (gd, s.track(m)) {
            let pts = g.path.iter().zip(&o.path).enumerate().map(|(i, (a, b))| (i as f64 * p.lr, (a[0] - b[0]).hypot(a[1] - b[1]))).collect();
            gaps.push((m.index(), pts));
        }
    }
    (loss, gaps)
}

/// The axes of the two linked charts.
pub fn aux_axes(p: &Params, loss: &[(usize, Vec<(f64, f64)>)], gaps: &[(usize, Vec<(f64, f64)>)]) -> (LineAxes, LineAxes) {
    let t_max = p.steps() as f64 * p.lr;
    (LineAxes::fit(loss, t_max, p.plane.surface.min_value().is_some()), LineAxes::fit(gaps, t_max, true))
}

/// The vector field −∇L on an n×n grid: direction exact, length growing slowly with |∇L| so
/// both steep walls and flat valleys stay readable.
fn arrows<DB: Blit>(chart: &XyChart<'_, DB>, v: &View, n: usize, s: &State, theme: &Theme) -> DrawResult<(), DB> {
    if n == 0 {
        return Ok(());
    }
    let (dx, dy) = ((v.xmax - v.xmin) / n as f64, (v.ymax - v.ymin) / n as f64);
    let cell = dx.min(dy);
    let mut field = Vec::with_capacity(n * n);
    let mut gmax: f64 = 0.0;
    for j in 0..n {
        for i in 0..n {
            let c = Vector2::new(v.xmin + (i as f64 + 0.5) * dx, v.ymin + (j as f64 + 0.5) * dy);
            let g = s.surface.grad(c);
            if g.x.is_finite() && g.y.is_finite() {
                gmax = gmax.max(g.norm());
                field.push((c, g));
            }
        }
    }
    if gmax <= 0.0 {
        return Ok(());
    }
    let arrows = field.into_iter().filter(|(_, g)| g.norm() > gmax * 1e-12).map(|(c, g)| {
        let m = g.norm();
        let d = -g / m;
        let len = 0.8 * cell * (m / gmax).powf(0.3).clamp(0.2, 1.0);
        let (tail, tip) = (c - d * len / 2.0, c + d * len / 2.0);
        ([tail.x, tail.y], [tip.x, tip.y])
    });
    crate::plot::quiver::quiver(chart, arrows, theme.fg.mix(0.45).stroke_width(theme.px(1.0)))
}

/// Phase portrait: field lines of −∇L from a 20×20 grid, followed with unit speed (RK4).
fn streamlines<DB: Blit>(chart: &XyChart<'_, DB>, v: &View, s: &State, theme: &Theme) -> DrawResult<(), DB> {
    let n = 20;
    let ds = v.span() / 150.0;
    let dir = |p: Vector2<f64>| {
        let g = s.surface.grad(p);
        let m = g.norm();
        if m > 1e-12 && m.is_finite() {
            Some(-g / m)
        } else {
            None
        }
    };
    let plot = chart.plotting_area();
    let style = theme.muted.mix(0.55).stroke_width(theme.px(1.0));
    for j in 0..n {
        for i in 0..n {
            let mut p = Vector2::new(
                v.xmin + (i as f64 + 0.5) * (v.xmax - v.xmin) / n as f64,
                v.ymin + (j as f64 + 0.5) * (v.ymax - v.ymin) / n as f64,
            );
            let mut line = vec![(p.x, p.y)];
            for _ in 0..40 {
                let Some(q) = rk4_step(|x, _| dir(Vector2::new(x[0], x[1])).map(|d| [d.x, d.y]), [p.x, p.y], 0.0, ds) else { break };
                let q = Vector2::new(q[0], q[1]);
                if !v.contains(q.x, q.y) || (q - p).norm() < ds * 0.1 {
                    break;
                }
                p = q;
                line.push((p.x, p.y));
            }
            if line.len() > 1 {
                plot.draw(&PathElement::new(line, style))?;
            }
        }
    }
    Ok(())
}
