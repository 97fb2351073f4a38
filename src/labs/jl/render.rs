//! Drawing of the Johnson–Lindenstrauss lab, generic over the plotters backend.

use super::text::bounds;
use super::{Params, State};
use super::text::{t, tf};
use crate::lab::{Figure, Layer};
use crate::plot::{key_box, Corner, Swatch, Blit, PlotFrame};
use crate::fmt::fmt_sig;
use crate::math::jl::{chi2_over_k_pdf, Matrix};
use crate::plot::theme::Theme;
use crate::plot::{draw_marker, DrawResult, Shape, XyChart};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Draws one figure (everything is redrawn when anything changes: there is no animation).
pub fn render<DB: Blit>(
    fig: Figure,
    layer: Layer,
    area: &DrawingArea<DB, Shift>,
    p: &Params,
    s: &State,
    theme: &Theme,
) -> DrawResult<Option<PlotFrame>, DB> {
    if !layer.foreground() {
        return Ok(None);
    }
    match fig {
        Figure::Main => {
            let (w, _) = area.dim_in_pixel();
            let (left, right) = area.split_horizontally((w as f64 * 0.56) as u32);
            histogram(&left, p, s, theme)?;
            scatter(&right, p, s, theme)?;
        }
        Figure::Aux => bounds_chart(area, p, s, theme)?,
    }
    Ok(None)
}

fn mesh_style<DB: Blit>(chart: &mut XyChart<'_, DB>, x: &str, y: &str, theme: &Theme) -> DrawResult<(), DB> {
    chart
        .configure_mesh()
        .light_line_style(theme.muted.mix(0.12))
        .bold_line_style(theme.muted.mix(0.25))
        .axis_style(theme.fg)
        .label_style(theme.text(12.0))
        .axis_desc_style(theme.text(13.0))
        .x_desc(x)
        .y_desc(y)
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&|v| fmt_sig(*v, 3))
        .y_label_formatter(&|v| fmt_sig(*v, 3))
        .draw()
}

/// "computing… 40%" in the middle of an area.
fn computing<DB: Blit>(area: &DrawingArea<DB, Shift>, p: &Params, s: &State, theme: &Theme) -> DrawResult<(), DB> {
    let (w, h) = area.dim_in_pixel();
    let pct = 100.0 * s.pending(p).unwrap_or(1.0);
    area.draw(&Text::new(
        tf("projecting… {}%", &[&format!("{pct:.0}")]),
        (w as i32 / 2 - theme.px(60.0) as i32, h as i32 / 2),
        theme.text_left(14.0, theme.muted),
    ))
}

fn histogram<DB: Blit>(area: &DrawingArea<DB, Shift>, p: &Params, s: &State, theme: &Theme) -> DrawResult<(), DB> {
    let Some(sum) = &s.summary else { return computing(area, p, s, theme) };
    let centre = if p.ip { 0.0 } else { 1.0 };
    let (lo, hi) = (sum.stats.min.min(centre - p.eps), sum.stats.max.max(centre + p.eps));
    let pad = (hi - lo).max(1e-6) * 0.04;
    let (lo, hi) = (if p.ip { lo - pad } else { (lo - pad).max(0.0) }, hi + pad);
    const BINS: usize = 60;
    let width = (hi - lo) / BINS as f64;
    let mut counts = [0usize; BINS];
    for v in &sum.values {
        let b = (((v - lo) / width) as usize).min(BINS - 1);
        counts[b] += 1;
    }
    let n = sum.values.len().max(1) as f64;
    // Densities (count / (n · width)) so the χ² curve overlays directly.
    let dens: Vec<f64> = counts.iter().map(|&c| c as f64 / (n * width)).collect();
    let k = p.k_used() as f64;
    let theory = (p.matrix == Matrix::Gaussian && !p.ip)
        .then(|| (0..=200).map(|i| lo + (hi - lo) * i as f64 / 200.0).map(|r| (r, chi2_over_k_pdf(k, r))).collect::<Vec<_>>());
    let top =
        dens.iter().copied().fold(0.0, f64::max).max(theory.as_ref().map_or(0.0, |t| t.iter().map(|x| x.1).fold(0.0, f64::max))) * 1.1;
    let caption = tf("{}% of pairs outside the band", &[&fmt_sig(100.0 * sum.violated, 3)]);
    let mut chart = ChartBuilder::on(area)
        .margin(theme.px(10.0))
        .caption(caption, theme.text(13.0))
        .x_label_area_size(theme.px(36.0))
        .y_label_area_size(theme.px(52.0))
        .build_cartesian_2d(lo..hi, 0.0..top.max(1e-9))?;
    let x_desc = if p.ip { t("⟨Au, Av⟩ − ⟨u, v⟩") } else { t("R = ‖A(u − v)‖² / ‖u − v‖²") };
    mesh_style(&mut chart, x_desc, t("density"), theme)?;
    // The band 1 ± ε (or ±ε).
    let band = theme.series(2).mix(0.12);
    chart
        .draw_series(std::iter::once(Rectangle::new([((centre - p.eps).max(lo), 0.0), ((centre + p.eps).min(hi), top)], band.filled())))?;
    for x in [centre - p.eps, centre + p.eps] {
        if x > lo && x < hi {
            chart.draw_series(std::iter::once(PathElement::new(vec![(x, 0.0), (x, top)], theme.series(2).stroke_width(theme.px(1.5)))))?;
        }
    }
    let bar = theme.series(0);
    chart.draw_series(dens.iter().enumerate().filter(|(_, d)| **d > 0.0).map(|(i, &d)| {
        let x0 = lo + i as f64 * width;
        Rectangle::new([(x0, 0.0), (x0 + width, d)], bar.mix(0.75).filled())
    }))?;
    if let Some(th) = theory {
        chart
            .draw_series(LineSeries::new(th, theme.fg.stroke_width(theme.px(2.0))))?
            .label(tf("χ²ₖ/k density, k = {}", &[&(k as usize)]))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], ShapeStyle::from(&RGBColor(0, 0, 0))));
    }
    Ok(())
}

fn scatter<DB: Blit>(area: &DrawingArea<DB, Shift>, p: &Params, s: &State, theme: &Theme) -> DrawResult<(), DB> {
    let Some(sum) = &s.summary else { return Ok(()) };
    if sum.points.is_empty() {
        return Ok(());
    }
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &(_, o, q) in &sum.points {
        lo = lo.min(o).min(q);
        hi = hi.max(o).max(q);
    }
    // The cloud with a margin (squared distances concentrate far from 0 in high dimension).
    let pad = (hi - lo).max(1e-9 * hi.abs().max(1.0)) * 0.08;
    let (lo, hi) = (if p.ip { lo - pad } else { (lo - pad).max(0.0) }, hi + pad);
    let mut chart = ChartBuilder::on(area)
        .margin(theme.px(10.0))
        .caption(if p.ip { t("inner products") } else { t("squared distances") }, theme.text(13.0))
        .x_label_area_size(theme.px(36.0))
        .y_label_area_size(theme.px(52.0))
        .build_cartesian_2d(lo..hi, lo..hi)?;
    mesh_style(&mut chart, t("original"), t("projected"), theme)?;
    let lines: Vec<(f64, RGBColor)> =
        if p.ip { vec![(0.0, theme.fg)] } else { vec![(1.0 - p.eps, theme.series(2)), (1.0 + p.eps, theme.series(2)), (1.0, theme.fg)] };
    for (slope, c) in lines {
        let seg = if p.ip {
            vec![(lo, lo), (hi, hi)].into_iter().map(|(x, y)| (x, y + slope)).collect::<Vec<_>>()
        } else {
            // Clipped to the chart: y = slope·x from where it enters to where it leaves.
            let (x0, x1) = (lo.max(lo / slope), hi.min(hi / slope));
            vec![(x0, x0 * slope), (x1, x1 * slope)]
        };
        chart.draw_series(std::iter::once(PathElement::new(seg, c.stroke_width(theme.px(1.2)))))?;
    }
    if p.ip {
        for off in [-p.eps, p.eps] {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(lo, lo + off), (hi, hi + off)],
                theme.series(2).stroke_width(theme.px(1.2)),
            )))?;
        }
    }
    // At most 3,000 points (an even subsample): a scatter of 50,000 dots says no more.
    let step = sum.points.len().div_ceil(3000).max(1);
    let dot = theme.series(0).mix(0.55).filled();
    let r = (theme.scale * 1.6).round().max(1.0) as i32;
    chart.draw_series(sum.points.iter().step_by(step).map(|&(_, o, q)| Circle::new((o, q.clamp(lo, hi)), r, dot)))?;
    Ok(())
}

fn bounds_chart<DB: Blit>(area: &DrawingArea<DB, Shift>, p: &Params, s: &State, theme: &Theme) -> DrawResult<(), DB> {
    let b = bounds(p);
    let ns: Vec<f64> = (0..=60).map(|i| 10f64.powf(1.0 + 5.0 * i as f64 / 60.0)).collect();
    let kmax = b.iter().map(|x| x.2).fold(0.0, f64::max) * 1e6f64.ln() / p.n.ln().max(1.0) * 1.5;
    let mut chart = ChartBuilder::on(area)
        .margin(theme.px(10.0))
        .caption(tf("required k for ε = {}", &[&fmt_sig(p.eps, 3)]), theme.text(13.0))
        .x_label_area_size(theme.px(36.0))
        .y_label_area_size(theme.px(58.0))
        .build_cartesian_2d((10f64..1e6).log_scale(), (1f64..kmax.max(10.0)).log_scale())?;
    chart
        .configure_mesh()
        .light_line_style(theme.muted.mix(0.12))
        .bold_line_style(theme.muted.mix(0.25))
        .axis_style(theme.fg)
        .label_style(theme.text(12.0))
        .axis_desc_style(theme.text(13.0))
        .x_desc(t("number of points N"))
        .y_desc(t("target dimension k"))
        .x_label_formatter(&|v| fmt_sig(*v, 2))
        .y_label_formatter(&|v| fmt_sig(*v, 2))
        .draw()?;
    let mut key = Vec::new();
    for (i, (name, _, _)) in b.iter().enumerate() {
        let c = theme.series(i + 3);
        let pts: Vec<(f64, f64)> = ns
            .iter()
            .map(|&n| {
                let pp = Params { n, ..p.clone() };
                (n, bounds(&pp)[i].2)
            })
            .collect();
        chart.draw_series(LineSeries::new(pts, c.stroke_width(theme.px(2.0))))?;
        key.push((Swatch::Line(c), t(name).to_string()));
    }
    let k = p.k_used() as f64;
    chart.draw_series(LineSeries::new(vec![(10.0, k), (1e6, k)], theme.fg.stroke_width(theme.px(1.2))))?;
    key.push((Swatch::Line(theme.fg), tf("current k = {}", &[&(k as usize)])));
    chart.draw_series(std::iter::once(PathElement::new(vec![(p.n, 1.0), (p.n, kmax)], theme.muted.stroke_width(1))))?;
    if let Some(ke) = s.k_emp {
        let at = chart.backend_coord(&(p.n, ke as f64));
        let (ox, oy) = area.get_base_pixel();
        draw_marker(area, Shape::Circle, (at.0 - ox, at.1 - oy), theme.scale * 5.0, theme.series(1), theme.bg)?;
        area.draw(&Text::new(
            tf("empirical k = {}", &[&ke]),
            (at.0 - ox + theme.px(8.0) as i32, at.1 - oy - theme.px(16.0) as i32),
            theme.text_left(12.0, theme.fg),
        ))?;
    }
    key_box(&chart, Corner::LowerRight, &key, theme)?;
    Ok(())
}
