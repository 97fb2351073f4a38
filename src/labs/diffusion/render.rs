//! Drawing of the diffusion lab, generic over the plotters backend. Particles go into one pixel
//! buffer per panel (one blit, never one canvas call per particle): over the density in SVG, as a
//! transparent overlay on the browser's foreground canvas above the cached density.

use super::model::CURVE_NFE;
use super::{solver_label, Params, State};
use super::text::{t, tf};
use crate::lab::{Figure, Layer};
use crate::plot::{Swatch, Blit, PlotFrame};
use crate::math::diffusion::{Mixture, Solver};
use crate::fmt::fmt_sig;
use crate::math::View;
use crate::plot::raster::{draw_raster, draw_raster_stretched, heatmap, mix, sample_grid, Raster};
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

/// Levels per octave of σ at which the cached background (density, camera, arrows) is redrawn.
const LEVELS_PER_OCTAVE: f64 = 4.0;

/// σ as the cached background shows it: on a grid of [`LEVELS_PER_OCTAVE`] levels, and no finer
/// than a quarter of the narrowest component's width (below that p_σ no longer changes visibly).
/// The animation moves σ every frame; redrawing the heat map only when this changes keeps a frame
/// to the particles alone most of the time.
pub fn shown_sigma(m: &Mixture, sigma: f64) -> f64 {
    let floor = m.comps.iter().map(|c| c.s).fold(f64::INFINITY, f64::min) / 4.0;
    let s = sigma.max(floor);
    if !(s.is_finite() && s > 0.0) {
        return sigma;
    }
    2f64.powf((s.log2() * LEVELS_PER_OCTAVE).round() / LEVELS_PER_OCTAVE)
}

/// Draws one figure layer. The background (axes, density, centres, arrows) is drawn at the
/// quantised σ of [`shown_sigma`] and cached by the browser; the foreground is the particles as one
/// transparent RGBA overlay plus the panel titles. `Layer::All` (SVG, CLI) uses the exact σ and
/// composites the particles into the density raster.
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
            let sigma = s.sigma_now(p);
            let shown = if layer == Layer::All { sigma } else { shown_sigma(&s.mix, sigma) };
            let view = camera(&s.mix, shown);
            let panels = s.runs.len();
            let (w, h) = area.dim_in_pixel();
            // Side by side, or stacked when the figure is taller than wide (a phone: see
            // `Diffusion::figure_height`).
            let areas: Vec<DrawingArea<DB, Shift>> = if panels == 2 && h > w {
                let (a, b) = area.split_vertically(h / 2);
                vec![a, b]
            } else if panels == 2 {
                let (a, b) = area.split_horizontally(w / 2);
                vec![a, b]
            } else {
                vec![area.clone()]
            };
            let mut frame = None;
            let mut shared: Option<((u32, u32), View, Raster)> = None;
            for (i, a) in areas.iter().enumerate() {
                let (chart, v) = field_chart(a, &view, theme, layer.background())?;
                let plot = chart.plotting_area().strip_coord_spec();
                let (pw, ph) = plot.dim_in_pixel();
                if layer == Layer::All {
                    let mut raster = backdrop(&v, p, s, shown, (pw, ph), (pw, ph), theme);
                    particles(raster.pixels_mut(), 3, (pw, ph), &v, p, s, i, theme);
                    draw_raster(&plot, &raster)?;
                    marks(&chart, &v, p, s, shown, theme)?;
                } else if layer.background() {
                    // The canvas stretches a half-resolution density 2× (a quarter of the pixels to
                    // compute): the background is redrawn often during the animation. Both panels
                    // show the same density in the same view: computed once.
                    let half = (pw.div_ceil(2).max(1), ph.div_ceil(2).max(1));
                    if shared.as_ref().map(|(sz, sv, _)| (*sz, *sv)) != Some(((pw, ph), v)) {
                        shared = Some(((pw, ph), v, backdrop(&v, p, s, shown, (pw, ph), half, theme)));
                    }
                    if let Some((_, _, raster)) = &shared {
                        draw_raster_stretched(&plot, raster)?;
                    }
                    marks(&chart, &v, p, s, shown, theme)?;
                } else {
                    let mut rgba = vec![0u8; (pw * ph * 4) as usize];
                    particles(&mut rgba, 4, (pw, ph), &v, p, s, i, theme);
                    draw_raster(&plot, &Raster::rgba(pw, ph, rgba))?;
                }
                let f = frame_of(&chart, &v);
                if layer.foreground() {
                    let run = &s.runs[i];
                    let title = if p.force {
                        tf("force field, k = {} · t = {}", &[&fmt_sig(p.k, 3), &fmt_sig(sigma, 3)])
                    } else {
                        tf("{} · {} steps · NFE {} · σ = {}", &[&t(solver_label(run.solver)), &run.steps, &run.nfe(), &fmt_sig(sigma, 3)])
                    };
                    let (ox, oy) = a.get_base_pixel();
                    a.draw(&Text::new(
                        title,
                        (f.px.0 - ox + theme.px(6.0) as i32, f.py.0 - oy + theme.px(4.0) as i32),
                        theme.text_left(13.0, theme.fg),
                    ))?;
                }
                if i == 0 {
                    frame = Some(f);
                }
            }
            Ok(frame)
        }
        Figure::Aux => {
            // Nothing here moves with the animation: all of it is cached background.
            if !layer.background() {
                return Ok(None);
            }
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

/// The density p_σ as a heat map of −ln p_σ (ODE mode: the modes are the low, cool colour;
/// sampled coarsely, drawn smooth), or a plain ground (force mode). The plot's size sets the
/// sampling (one sample per 4 CSS pixels); `out` is the raster's size.
fn backdrop(v: &View, p: &Params, s: &State, sigma: f64, (w, h): (u32, u32), out: (u32, u32), theme: &Theme) -> Raster {
    if p.force {
        let bg = mix(theme.bg, theme.muted, 0.04);
        return Raster::rgb(out.0, out.1, bg.iter().copied().cycle().take((out.0 * out.1 * 3) as usize).collect());
    }
    // One sample per 4 CSS pixels, but no finer than a sixth of the narrowest feature of p_σ (the
    // blurred width √(s² + σ²)): at large σ the density is smooth and a coarse grid is exact enough
    // for the eye, which makes the early, wide frames of a many-component target cheap.
    let feature = s.mix.comps.iter().map(|c| c.s).fold(f64::INFINITY, f64::min).hypot(sigma);
    let samples = |px: u32, span: f64| ((px as f64 / theme.scale) / 4.0).min(6.0 * span / feature).ceil().max(8.0) as u32;
    let (sw, sh) = (samples(w, v.xmax - v.xmin), samples(h, v.ymax - v.ymin));
    let vals = sample_grid(v, sw, sh, |cols, rows| s.mix.neg_log_density_grid(cols, rows, sigma));
    heatmap(&vals, sw, sh, out.0, out.1, theme, 1.0)
}

/// Writes the particles of run `r` (and short trails: the frames 2 and 4 back, fainter) into a
/// `w`×`h` pixel buffer with `channels` bytes per pixel: 3 (RGB, over the density) or 4 (a
/// transparent RGBA overlay for the browser's foreground canvas).
#[allow(clippy::too_many_arguments)]
fn particles(buf: &mut [u8], channels: usize, (w, h): (u32, u32), v: &View, p: &Params, s: &State, r: usize, theme: &Theme) {
    let (sx, sy) = (w as f64 / (v.xmax - v.xmin), h as f64 / (v.ymax - v.ymin));
    let colour = theme.series(if p.force { 0 } else { colour_index(s.runs[r].solver) });
    let dot = (theme.scale * 1.5).round().max(1.0) as i64;
    let mut splat = |x: [f64; 2], c: [u8; 4], size: i64| {
        let (u, q) = ((x[0] - v.xmin) * sx, (v.ymax - x[1]) * sy);
        // Also rejects NaN (every comparison is false).
        if !(u >= 0.0 && q >= 0.0 && u < w as f64 && q < h as f64) {
            return;
        }
        let (u, q) = (u as i64, q as i64);
        for qq in q..(q + size).min(h as i64) {
            for uu in u..(u + size).min(w as i64) {
                let k = (qq as usize * w as usize + uu as usize) * channels;
                buf[k..k + channels].copy_from_slice(&c[..channels]);
            }
        }
    };
    let mut pts = Vec::new();
    for back in [4usize, 2] {
        if s.frame >= back {
            s.positions_at(r, s.frame - back, &mut pts);
            // Over the density the trail is the colour washed out; on the overlay, translucent.
            let c = if channels == 3 {
                let m = mix(colour, theme.bg, 0.6);
                [m[0], m[1], m[2], 255]
            } else {
                [colour.0, colour.1, colour.2, 110]
            };
            for &x in &pts {
                splat(x, c, dot.max(1) - if dot > 1 { 1 } else { 0 });
            }
        }
    }
    s.positions_at(r, s.frame, &mut pts);
    for &x in &pts {
        splat(x, [colour.0, colour.1, colour.2, 255], dot);
    }
}

/// The target's centres (drag to edit), sized by weight, and in ODE mode the velocity field.
fn marks<DB: Blit>(
    chart: &crate::plot::XyChart<'_, DB>,
    v: &View,
    p: &Params,
    s: &State,
    sigma: f64,
    theme: &Theme,
) -> DrawResult<(), DB> {
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

/// The ODE velocity (x − D)/σ on a grid of 12 columns of square cells, lengths scaled to a cell.
fn arrows<DB: Blit>(
    chart: &crate::plot::XyChart<'_, DB>,
    v: &View,
    m: &Mixture,
    sigma: f64,
    theme: &Theme,
) -> DrawResult<(), DB> {
    const G: usize = 12;
    let cell = (v.xmax - v.xmin) / G as f64;
    // As many rows of square cells as the (equal-aspect) view is tall.
    let rows = ((v.ymax - v.ymin) / cell).floor().clamp(1.0, 4.0 * G as f64) as usize;
    let y0 = v.ymin + ((v.ymax - v.ymin) - rows as f64 * cell) / 2.0;
    let mut sc = Vec::new();
    let field: Vec<([f64; 2], [f64; 2])> = (0..G * rows)
        .map(|k| {
            let x = [v.xmin + (k % G) as f64 * cell + cell / 2.0, y0 + (k / G) as f64 * cell + cell / 2.0];
            // dx/dσ points away from the data; the flow runs to smaller σ, so draw −v.
            let vel = m.velocity(x, sigma, &mut sc);
            (x, [-vel[0], -vel[1]])
        })
        .collect();
    let max = field.iter().map(|(_, d)| d[0].hypot(d[1])).filter(|l| l.is_finite()).fold(0.0, f64::max);
    if max <= 0.0 {
        return Ok(());
    }
    let k = 0.8 * cell / max;
    let arrows = field.into_iter().map(|(x, d)| (x, [x[0] + k * d[0], x[1] + k * d[1]]));
    crate::plot::quiver::quiver(chart, arrows, theme.fg.mix(0.45).stroke_width(theme.px(1.0)))
}

/// Force mode: each charge's weight against the fraction of particles landing on it.
fn landing_chart<DB: Blit>(area: &DrawingArea<DB, Shift>, s: &State, theme: &Theme) -> DrawResult<(), DB> {
    let m = &s.mix;
    let f = s.landing();
    let n = m.comps.len();
    let top = m.comps.iter().map(|c| c.w).chain(f.iter().copied()).fold(0.0, f64::max).max(0.05) * 1.15;
    let mut chart = class_chart(area, n, 0.0..top, (t("charge (mixture component)"), t("weight / landing fraction")), (34.0, 52.0), theme)?;
    let (wc, lc) = (theme.muted, theme.series(0));
    chart.draw_series(m.comps.iter().enumerate().map(|(i, c)| Rectangle::new([(i as f64 + 0.6, 0.0), (i as f64 + 1.0, c.w)], wc.filled())))?;
    let mut key = vec![(Swatch::Box(wc), t("weight").to_string())];
    if s.runs[0].positions[0].len() == s.start.len() {
        chart.draw_series(f.iter().enumerate().map(|(i, v)| Rectangle::new([(i as f64 + 1.0, 0.0), (i as f64 + 1.4, *v)], lc.filled())))?;
        key.push((Swatch::Box(lc), t("landing fraction").to_string()));
    }
    crate::plot::key_box(&chart, crate::plot::Corner::UpperRight, &key, theme)
}
