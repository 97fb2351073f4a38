//! Drawing of the diffusion lab, generic over the plotters backend. Particles go into one RGB
//! raster together with the density (one blit per panel, never one canvas call per particle).

use super::model::CURVE_NFE;
use super::{solver_label, Params, State};
use crate::i18n::{t, tf};
use crate::lab::{Figure, Layer, PlotFrame};
use crate::math::diffusion::{Mixture, Solver};
use crate::math::{fmt_sig, View};
use crate::plot::raster::{draw_raster, heatmap, mix, sample};
use crate::plot::theme::Theme;
use crate::plot::{class_chart, field_chart, frame_of, line_chart, DrawResult};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Palette index of a solver (the same colour in every panel, readout and curve).
pub fn colour_index(s: Solver) -> usize {
    match s {
        Solver::Euler => 0,
        Solver::Heun => 1,
        Solver::Midpoint => 2,
        Solver::Dpm2 => 3,
        Solver::Amed => 4,
    }
}

/// Centre and half-width of the target (its components' centres plus three widths).
fn extent(m: &Mixture) -> ([f64; 2], f64) {
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for c in &m.comps {
        for d in 0..2 {
            lo[d] = lo[d].min(c.mu[d] - 3.0 * c.s);
            hi[d] = hi[d].max(c.mu[d] + 3.0 * c.s);
        }
    }
    let centre = [(lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0];
    (centre, ((hi[0] - lo[0]).max(hi[1] - lo[1]) / 2.0 + 0.5).max(1.0))
}

/// The camera: the target's extent, or 2.5σ when the noise is wider (it zooms in as σ shrinks).
fn camera(m: &Mixture, sigma: f64) -> View {
    let (c, r) = extent(m);
    let h = r.max(2.5 * sigma);
    View::new(c[0] - h, c[0] + h, c[1] - h, c[1] + h)
}

/// Draws one figure layer (everything is foreground: the density changes with σ every frame).
pub fn render<DB: DrawingBackend>(
    fig: Figure,
    layer: Layer,
    area: &DrawingArea<DB, Shift>,
    p: &Params,
    s: &State,
    theme: &Theme,
) -> DrawResult<Option<PlotFrame>, DB> {
    match fig {
        Figure::Main => {
            if !layer.foreground() {
                return Ok(None);
            }
            let sigma = s.sigma_now(p);
            let view = camera(&s.mix, sigma);
            let panels = s.runs.len();
            let (w, _) = area.dim_in_pixel();
            let areas: Vec<DrawingArea<DB, Shift>> = if panels == 2 {
                let (a, b) = area.split_horizontally(w / 2);
                vec![a, b]
            } else {
                vec![area.clone()]
            };
            let mut frame = None;
            let mut pts = Vec::new();
            for (i, a) in areas.iter().enumerate() {
                let (chart, v) = field_chart(a, &view, theme, true)?;
                s.positions_at(i, s.frame, &mut pts);
                particles(&chart, &v, p, s, i, &pts, sigma, theme)?;
                let run = &s.runs[i];
                let title = if p.force {
                    tf("force field, k = {} · t = {}", &[&fmt_sig(p.k, 3), &fmt_sig(sigma, 3)])
                } else {
                    tf("{} · {} steps · NFE {} · σ = {}", &[&t(solver_label(run.solver)), &run.steps, &run.nfe(), &fmt_sig(sigma, 3)])
                };
                let f = frame_of(&chart, &v);
                let (ox, oy) = a.get_base_pixel();
                a.draw(&Text::new(
                    title,
                    (f.px.0 - ox + theme.px(6.0) as i32, f.py.0 - oy + theme.px(4.0) as i32),
                    theme.text_left(13.0, theme.fg),
                ))?;
                if i == 0 {
                    frame = Some(f);
                }
            }
            Ok(frame)
        }
        Figure::Aux => {
            if p.force {
                landing_chart(area, s, theme)?;
            } else {
                let curves: Vec<(usize, Vec<(f64, f64)>)> = s.curves.iter().map(|(sv, c)| (colour_index(*sv), c.clone())).collect();
                line_chart(
                    area,
                    &curves,
                    *CURVE_NFE.last().unwrap_or(&20) as f64,
                    true,
                    t("NFE (denoiser evaluations)"),
                    t("mean endpoint error"),
                    theme,
                )?;
                let (w, _) = area.dim_in_pixel();
                let mut y = theme.px(14.0) as i32;
                for (sv, _) in &s.curves {
                    area.draw(&Text::new(
                        t(solver_label(*sv)),
                        (w as i32 - theme.px(190.0) as i32, y),
                        theme.text_left(12.0, theme.series(colour_index(*sv))),
                    ))?;
                    y += theme.px(16.0) as i32;
                }
                if s.curves.len() < 5 {
                    area.draw(&Text::new(
                        t("computing the curves…"),
                        (w as i32 / 2 - theme.px(60.0) as i32, theme.px(30.0) as i32),
                        theme.text_left(12.0, theme.muted),
                    ))?;
                }
            }
            Ok(None)
        }
    }
}

/// The density (ODE mode) or the plain background with the charges (force mode), with the
/// particles of run `r` and short trails, as one raster; the velocity field as arrows on top.
#[allow(clippy::too_many_arguments)]
fn particles<DB: DrawingBackend>(
    chart: &crate::plot::XyChart<'_, DB>,
    v: &View,
    p: &Params,
    s: &State,
    r: usize,
    pts: &[[f64; 2]],
    sigma: f64,
    theme: &Theme,
) -> DrawResult<(), DB> {
    let plot = chart.plotting_area();
    let abs = plot.strip_coord_spec();
    let (w, h) = plot.dim_in_pixel();
    let mut raster = if p.force {
        let bg = mix(theme.bg, theme.muted, 0.04);
        crate::plot::raster::Raster { w, h, rgb: bg.iter().copied().cycle().take((w * h * 3) as usize).collect() }
    } else {
        // −ln p_σ as a "loss": the modes are the low (cool) colour; sampled coarsely, drawn smooth.
        let (sw, sh) = (((w as f64 / theme.scale) / 4.0).ceil().max(8.0) as u32, ((h as f64 / theme.scale) / 4.0).ceil().max(8.0) as u32);
        let vals = sample(v, sw, sh, |x, y| -s.mix.log_density([x, y], sigma));
        heatmap(&vals, sw, sh, w, h, theme)
    };
    let to_px = |x: [f64; 2]| -> Option<(i64, i64)> {
        let u = (x[0] - v.xmin) / (v.xmax - v.xmin) * w as f64;
        let q = (v.ymax - x[1]) / (v.ymax - v.ymin) * h as f64;
        (u.is_finite() && q.is_finite() && u >= 0.0 && q >= 0.0 && u < w as f64 && q < h as f64).then_some((u as i64, q as i64))
    };
    let colour = theme.series(if p.force { 0 } else { colour_index(s.runs[r].solver) });
    let dot = (theme.scale * 1.5).round().max(1.0) as i64;
    let mut splat = |x: [f64; 2], c: [u8; 3], size: i64| {
        if let Some((u, q)) = to_px(x) {
            for dy in 0..size {
                for dx in 0..size {
                    let (uu, qq) = (u + dx, q + dy);
                    if uu < w as i64 && qq < h as i64 {
                        let k = ((qq as u32 * w + uu as u32) * 3) as usize;
                        raster.rgb[k..k + 3].copy_from_slice(&c);
                    }
                }
            }
        }
    };
    // Trails: the two previous frames, fainter.
    let mut old = Vec::new();
    for back in [4usize, 2] {
        if s.frame >= back {
            s.positions_at(r, s.frame - back, &mut old);
            let c = mix(colour, theme.bg, 0.6);
            for &x in &old {
                splat(x, c, dot.max(1) - if dot > 1 { 1 } else { 0 });
            }
        }
    }
    let c = [colour.0, colour.1, colour.2];
    for &x in pts {
        splat(x, c, dot);
    }
    draw_raster(&abs, &raster)?;
    // The target's centres (drag to edit), sized by weight.
    for comp in &s.mix.comps {
        if v.contains(comp.mu[0], comp.mu[1]) {
            let rad = (theme.scale * (2.0 + 10.0 * comp.w.sqrt())).round() as i32;
            chart.plotting_area().draw(&Circle::new((comp.mu[0], comp.mu[1]), rad, theme.fg.stroke_width(theme.px(1.2))))?;
        }
    }
    if !p.force {
        arrows(chart, v, &s.mix, sigma, theme)?;
    }
    Ok(())
}

/// The ODE velocity (x − D)/σ on a 12×12 grid, lengths scaled to the grid cell.
fn arrows<DB: DrawingBackend>(
    chart: &crate::plot::XyChart<'_, DB>,
    v: &View,
    m: &Mixture,
    sigma: f64,
    theme: &Theme,
) -> DrawResult<(), DB> {
    const G: usize = 12;
    let cell = (v.xmax - v.xmin) / G as f64;
    let mut sc = Vec::new();
    let field: Vec<([f64; 2], [f64; 2])> = (0..G * G)
        .map(|k| {
            let x = [v.xmin + (k % G) as f64 * cell + cell / 2.0, v.ymin + (k / G) as f64 * cell + cell / 2.0];
            // dx/dσ points away from the data; the flow runs to smaller σ, so draw −v.
            let vel = m.velocity(x, sigma, &mut sc);
            (x, [-vel[0], -vel[1]])
        })
        .collect();
    let max = field.iter().map(|(_, d)| d[0].hypot(d[1])).filter(|l| l.is_finite()).fold(0.0, f64::max);
    if max <= 0.0 {
        return Ok(());
    }
    let style = theme.fg.mix(0.45).stroke_width(theme.px(1.0));
    for (x, d) in field {
        let len = d[0].hypot(d[1]);
        if !len.is_finite() || len <= 0.0 {
            continue;
        }
        let k = 0.8 * cell / max;
        let tip = [x[0] + k * d[0], x[1] + k * d[1]];
        let (ux, uy) = (d[0] / len, d[1] / len);
        let head = 0.25 * k * len;
        let wing = |sgn: f64| (tip[0] - head * (ux + sgn * 0.5 * uy), tip[1] - head * (uy - sgn * 0.5 * ux));
        chart.plotting_area().draw(&PathElement::new(vec![(x[0], x[1]), (tip[0], tip[1])], style))?;
        chart.plotting_area().draw(&PathElement::new(vec![wing(1.0), (tip[0], tip[1]), wing(-1.0)], style))?;
    }
    Ok(())
}

/// Force mode: each charge's weight against the fraction of particles landing on it.
fn landing_chart<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, s: &State, theme: &Theme) -> DrawResult<(), DB> {
    let m = &s.mix;
    let f = s.landing();
    let n = m.comps.len();
    let top = m.comps.iter().map(|c| c.w).chain(f.iter().copied()).fold(0.0, f64::max).max(0.05) * 1.15;
    let mut chart = class_chart(area, n, 0.0..top, (t("charge (mixture component)"), t("weight / landing fraction")), (34.0, 52.0), theme)?;
    let (wc, lc) = (theme.muted, theme.series(0));
    chart
        .draw_series(m.comps.iter().enumerate().map(|(i, c)| Rectangle::new([(i as f64 + 0.6, 0.0), (i as f64 + 1.0, c.w)], wc.filled())))?
        .label(t("weight"))
        .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], wc.filled()));
    if s.runs[0].positions[0].len() == s.start.len() {
        chart
            .draw_series(f.iter().enumerate().map(|(i, v)| Rectangle::new([(i as f64 + 1.0, 0.0), (i as f64 + 1.4, *v)], lc.filled())))?
            .label(t("landing fraction"))
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], lc.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(theme.bg.mix(0.85))
        .border_style(theme.muted)
        .label_font(theme.text_left(12.0, theme.fg))
        .draw()?;
    Ok(())
}
