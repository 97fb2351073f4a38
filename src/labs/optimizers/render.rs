//! Drawing of the optimizer lab, generic over the plotters backend.

use super::{Params, State};
use super::text::t;
use crate::lab::{Figure, Layer};
use crate::plot::{Blit, PlotFrame};
use crate::plot::theme::Theme;
use crate::plot::{draw_series, field_background, field_chart, frame_of, legend, line_chart, DrawResult, Series};
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
            // One layer: the whole chart changes with every step.
            if layer.background() {
                loss_chart(area, p, s, theme)?;
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

/// Loss against step for every run: L − L* on a log axis where the surface has a known minimum,
/// L on a linear axis otherwise (the saddle is unbounded below).
fn loss_chart<DB: Blit>(area: &DrawingArea<DB, Shift>, p: &Params, s: &State, theme: &Theme) -> DrawResult<(), DB> {
    let lmin = p.plane.surface.min_value();
    let curves: Vec<(usize, Vec<(f64, f64)>)> = s
        .runs
        .iter()
        .map(|r| (r.kind.index(), r.loss.iter().enumerate().map(|(i, &l)| (i as f64, lmin.map_or(l, |m| l - m))).collect()))
        .collect();
    let title = if lmin.is_some() { t("L − L* (log)") } else { "L" };
    line_chart(area, &curves, p.steps.max(1.0).floor(), lmin.is_some(), t("step"), title, theme)
}
