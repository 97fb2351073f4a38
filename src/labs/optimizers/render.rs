//! Drawing of the optimizer lab, generic over the plotters backend.

use super::{Params, State};
use super::text::t;
use crate::lab::{Figure, Layer};
use crate::plot::{Blit, PlotFrame};
use crate::plot::theme::Theme;
use crate::plot::{draw_series, field_background, field_chart, frame_of, legend, line_axes, line_curves, DrawResult, LineAxes, Series};
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
        Figure::Main => main(layer, area, p, s, theme).map(Some),
        Figure::Aux => {
            // Axes on the cached background (they change only when the loss crosses a decade),
            // the curves on the foreground.
            let lmin = p.plane.surface.min_value();
            let axes = loss_axes(p, s);
            if layer.background() {
                let title = if lmin.is_some() { t("L − L* (log)") } else { "L" };
                line_axes(area, &axes, t("step"), title, theme)?;
            }
            if layer.foreground() {
                line_curves(area, &axes, &loss_curves(p, s), theme)?;
            }
            Ok(None)
        }
    }
}

fn main<DB: Blit>(
    layer: Layer,
    area: &DrawingArea<DB, Shift>,
    p: &Params,
    s: &State,
    theme: &Theme,
) -> DrawResult<PlotFrame, DB> {
    let (chart, v) = field_chart(area, &p.plane.view(), theme, layer.background())?;
    let frame = frame_of(&chart, &v);
    if layer.background() {
        field_background(&chart, &v, |cols, rows| s.surface.grid(cols, rows), p.plane.surface.minima(), theme)?;
    }
    if layer.foreground() {
        let series: Vec<Series<'_>> = s
            .runs
            .iter()
            .map(|r| Series {
                path: &r.path,
                index: r.kind.index(),
                label: p.plane.series_label(r.kind.label(), r.diverged.map(|(n, why)| (n, why == super::model::Stop::NonFinite))),
                diverged: r.diverged.is_some(),
                dots: false,
            })
            .collect();
        draw_series(&chart, &v, &series, Some(p.plane.start()), theme)?;
        legend(area, &frame, &series, theme)?;
    }
    Ok(frame)
}

/// Loss against step for every run: L − L* where the surface has a known minimum (on a log axis),
/// L otherwise (the saddle is unbounded below).
fn loss_curves(p: &Params, s: &State) -> Vec<(usize, Vec<(f64, f64)>)> {
    let lmin = p.plane.surface.min_value();
    s.runs.iter().map(|r| (r.kind.index(), r.loss.iter().enumerate().map(|(i, &l)| (i as f64, lmin.map_or(l, |m| l - m))).collect())).collect()
}

/// The axes of the loss chart (see [`crate::plot::LineAxes`]).
pub fn loss_axes(p: &Params, s: &State) -> LineAxes {
    let lmin = p.plane.surface.min_value();
    LineAxes::fit_values(s.runs.iter().flat_map(|r| r.loss.iter().map(move |&l| lmin.map_or(l, |m| l - m))), p.steps.max(1.0).floor(), lmin.is_some())
}
