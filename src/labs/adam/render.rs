//! Drawing of the Adam lab, generic over the plotters backend: the θ-plane with the jitter cloud
//! and three ellipses, the bars, cond(M) against φ and v̂_t (mode `hessian`); η*(B), ΔL(B), the
//! steps–data trade-off and the S-curves (mode `batch`). Batch sizes are drawn on log axes,
//! built here with plotters' log scale (the shared line charts start their x axis at 0).

use super::model::{BatchView, HessianView, A_MAX, B_RANGE, LEVEL};
use super::text::{t, tf};
use super::{Mode, Opt, Params, State};
use crate::fmt::fmt_sig;
use crate::lab::{key_of, Figure, Layer};
use crate::math::adam::batch::{self, Point};
use crate::math::adam::hessian::Ellipse;
use crate::math::View;
use crate::plot::theme::Theme;
use crate::plot::{clip_polyline, draw_marker, field_chart, key_box, Blit, Corner, DrawResult, PlotFrame, Shape, Swatch};
use plotters::coord::Shift;
use plotters::prelude::*;

/// A curve with its colour and legend text.
type Styled = (Vec<(f64, f64)>, RGBColor, String);
/// A curve with its palette index and legend text.
type Labelled<'a> = (usize, &'a str, Vec<(f64, f64)>);

/// Palette indices (each curve keeps its colour across panels).
const EXACT: usize = 0;
const POST: usize = 1;
const SGD: usize = 2;
const CLIP: usize = 3;
/// Bottom of the S-curve panel: room under E[ũ] = −1 for the key.
const S_LO: f64 = -2.0;

/// The background of the θ-plane (axes and contours) depends on H and the view only; everything
/// else is cheap and redrawn.
pub fn cache_key(fig: Figure, layer: Layer, p: &Params, s: &State) -> Option<u64> {
    match (fig, layer, &s.hess) {
        (Figure::Main, Layer::Background, Some(h)) => {
            Some(key_of(&[p.kappa.to_bits(), p.phi.to_bits(), h.radius.to_bits(), p.mode as u64]))
        }
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
    match (p.mode, fig) {
        (Mode::Hessian, Figure::Main) => match &s.hess {
            Some(h) => plane(area, layer, h, theme).map(Some),
            None => Ok(None),
        },
        (Mode::Hessian, Figure::Aux) => {
            if let (Some(h), true) = (&s.hess, layer.foreground()) {
                let parts = area.split_evenly((1, 3));
                bars(&parts[0], p, h, theme)?;
                cond_chart(&parts[1], p, h, theme)?;
                trace_chart(&parts[2], p, h, theme)?;
            }
            Ok(None)
        }
        (Mode::Batch, fig) => {
            if !layer.foreground() {
                return Ok(None);
            }
            let Some(v) = &s.batch else {
                let (w, h) = area.dim_in_pixel();
                area.draw(&Text::new(t("no best step: H is not positive definite"), (w as i32 / 8, h as i32 / 2), theme.text_left(14.0, theme.muted)))?;
                return Ok(None);
            };
            if fig == Figure::Main {
                eta_chart(area, p, v, theme)?;
            } else {
                let parts = area.split_evenly((1, 3));
                delta_l_chart(&parts[0], p, v, theme)?;
                tradeoff_chart(&parts[1], v, theme)?;
                s_curve_chart(&parts[2], p, v, theme)?;
            }
            Ok(None)
        }
    }
}

/// Configures and draws a chart's mesh (log and linear axes are different chart types).
macro_rules! mesh {
    ($chart:expr, $x:expr, $y:expr, $theme:expr) => {
        $chart
            .configure_mesh()
            .light_line_style($theme.muted.mix(0.12))
            .bold_line_style($theme.muted.mix(0.25))
            .axis_style($theme.fg)
            .label_style($theme.text(11.0))
            .axis_desc_style($theme.text(12.0))
            .x_desc($x)
            .y_desc($y)
            .x_labels(5)
            .y_labels(5)
            .x_label_formatter(&|v| fmt_sig(*v, 3))
            .y_label_formatter(&|v| fmt_sig(*v, 3))
            .draw()?
    };
}

/// A chart's builder with the lab's margins and an optional caption.
fn builder<'a, 'b, DB: Blit>(area: &'a DrawingArea<DB, Shift>, caption: &str, theme: &Theme) -> ChartBuilder<'a, 'b, DB> {
    let mut b = ChartBuilder::on(area);
    b.margin(theme.px(8.0)).x_label_area_size(theme.px(34.0)).y_label_area_size(theme.px(50.0));
    if !caption.is_empty() {
        b.caption(caption, theme.text(12.0));
    }
    b
}

/// Pieces of a polyline drawn as dashes of `on` points with gaps of `off` points.
fn dashed(pts: &[(f64, f64)], on: usize, off: usize) -> Vec<Vec<(f64, f64)>> {
    let period = (on + off).max(1);
    let mut out = Vec::new();
    let mut k = 0;
    while k < pts.len() {
        let end = (k + on + 1).min(pts.len());
        if end - k >= 2 {
            out.push(pts[k..end].to_vec());
        }
        k += period;
    }
    out
}

/// A straight dashed segment as a polyline of `n` points (so [`dashed`] can cut it).
fn segment(a: (f64, f64), b: (f64, f64), n: usize, log_x: bool) -> Vec<(f64, f64)> {
    (0..n)
        .map(|i| {
            let f = i as f64 / (n - 1).max(1) as f64;
            let x = if log_x && a.0 > 0.0 && b.0 > 0.0 { (a.0.ln() + f * (b.0.ln() - a.0.ln())).exp() } else { a.0 + f * (b.0 - a.0) };
            (x, a.1 + f * (b.1 - a.1))
        })
        .collect()
}

/// Keeps finite points within [lo, hi] in y (log charts must never see y ≤ 0).
fn clamp_y(pts: impl IntoIterator<Item = (f64, f64)>, lo: f64, hi: f64) -> Vec<(f64, f64)> {
    pts.into_iter().filter(|(x, y)| x.is_finite() && y.is_finite()).map(|(x, y)| (x, y.clamp(lo, hi))).collect()
}

/// Backend pixel of a data point of a chart, relative to `area`'s origin.
fn to_px<DB: Blit, CT: CoordTranslate>(chart: &ChartContext<'_, DB, CT>, area: &DrawingArea<DB, Shift>, pt: &CT::From) -> (i32, i32) {
    let at = chart.plotting_area().map_coordinate(pt);
    let (ox, oy) = area.get_base_pixel();
    (at.0 - ox, at.1 - oy)
}

/// A message in the middle of a panel.
fn message<DB: Blit>(area: &DrawingArea<DB, Shift>, text: &str, theme: &Theme) -> DrawResult<(), DB> {
    let (w, h) = area.dim_in_pixel();
    area.draw(&Text::new(text.to_string(), (theme.px(12.0) as i32, h as i32 / 2), theme.text_left(12.0, theme.muted)))?;
    let _ = w;
    Ok(())
}

// ---------------------------------------------------------------- mode `hessian`

fn ellipse_path(e: &Ellipse) -> Vec<[f64; 2]> {
    e.points(96)
}

/// The θ-plane: contours of L = ½θᵀHθ (background), the jitter cloud, gradient arrows and the
/// three ellipses (foreground).
fn plane<DB: Blit>(area: &DrawingArea<DB, Shift>, layer: Layer, h: &HessianView, theme: &Theme) -> DrawResult<PlotFrame, DB> {
    let r = h.radius;
    let (chart, v) = field_chart(area, &View::new(-r, r, -r, r), theme, layer.background())?;
    let clip = |pts: &[[f64; 2]]| clip_polyline(pts, &v);
    if layer.background() {
        // Contours at L = ½k² (k = ¼ … ): ellipses with long semi-axis k.
        if let Some(e) = &h.ell_h {
            for k in 1..=24 {
                let scale = k as f64 * 0.25;
                let pts: Vec<[f64; 2]> = ellipse_path(e).into_iter().map(|q| [q[0] * scale, q[1] * scale]).collect();
                for piece in clip(&pts) {
                    chart.plotting_area().draw(&PathElement::new(piece, theme.contour.mix(0.55).stroke_width(1)))?;
                }
            }
        }
    }
    if layer.foreground() {
        let pa = chart.plotting_area();
        let dot = theme.muted.mix(0.5);
        for c in &h.cloud {
            if v.contains(c.theta[0], c.theta[1]) {
                pa.draw(&Circle::new((c.theta[0], c.theta[1]), theme.px(1.3), dot.filled()))?;
            }
        }
        // Arrows along −g, scaled so the median gradient is a tenth of the view.
        let mut norms: Vec<f64> = h.cloud.iter().take(super::model::ARROWS).map(|c| c.grad[0].hypot(c.grad[1])).filter(|n| n.is_finite()).collect();
        norms.sort_by(f64::total_cmp);
        if let Some(&med) = norms.get(norms.len() / 2) {
            if med > 0.0 {
                let k = 0.1 * r / med;
                let arrow = theme.series(SGD).mix(0.8).stroke_width(theme.px(1.2));
                for c in h.cloud.iter().take(super::model::ARROWS) {
                    let tip = [c.theta[0] - k * c.grad[0], c.theta[1] - k * c.grad[1]];
                    for piece in clip(&[c.theta, tip]) {
                        pa.draw(&PathElement::new(piece, arrow))?;
                    }
                }
            }
        }
        let curves: [(&Option<Ellipse>, RGBColor, bool); 3] =
            [(&h.ell_h, theme.fg, false), (&h.ell_abs, theme.series(POST), true), (&h.ell_adam, theme.series(EXACT), false)];
        for (e, colour, dash) in curves {
            let Some(e) = e else { continue };
            for piece in clip(&ellipse_path(e)) {
                let pieces = if dash { dashed(&piece, 3, 3) } else { vec![piece] };
                for d in pieces {
                    pa.draw(&PathElement::new(d, colour.stroke_width(theme.px(2.2))))?;
                }
            }
        }
        let rows = vec![
            (Swatch::Line(theme.fg), t("H (truth)").to_string()),
            (Swatch::Line(theme.series(POST)), t("|H| = (H²)^½ (dashed)").to_string()),
            (Swatch::Line(theme.series(EXACT)), t("Adam: diag(√v̂), same area").to_string()),
            (Swatch::Line(theme.series(SGD)), t("−g at cloud points").to_string()),
        ];
        key_box(&chart, Corner::UpperRight, &rows, theme)?;
    }
    Ok(crate::plot::frame_of(&chart, &v))
}

/// Per-coordinate bars on a log axis: simulated √v̂_T, the current closed form, the two regimes'
/// terms and |Hᵢᵢ|.
fn bars<DB: Blit>(area: &DrawingArea<DB, Shift>, p: &Params, h: &HessianView, theme: &Theme) -> DrawResult<(), DB> {
    let closed = h.summary.map(|s| s.sqrt_v);
    let rows: [(Option<[f64; 2]>, String); 5] = [
        (h.sim, tf("simulated √v̂ after {} steps", &[&(p.steps as usize)])),
        (closed, t("closed form √E[g²]").to_string()),
        (h.sqrt_jitter.filter(|_| p.regime != crate::math::adam::hessian::Regime::PerSample), t("σ_θ√(H²)ᵢᵢ").to_string()),
        (h.sqrt_per_sample.filter(|_| p.regime != crate::math::adam::hessian::Regime::Jitter), t("σ_r√(Hᵢᵢ/B)").to_string()),
        (Some([h.h[(0, 0)].abs(), h.h[(1, 1)].abs()]), t("|Hᵢᵢ|").to_string()),
    ];
    let vals = rows.iter().filter_map(|(v, _)| *v).flat_map(|v| v.into_iter()).filter(|x| x.is_finite() && *x > 0.0);
    let (lo, hi) = vals.fold((f64::INFINITY, 0.0f64), |(lo, hi), x| (lo.min(x), hi.max(x)));
    let (lo, hi) = if hi > 0.0 { (10f64.powf((lo / 2.0).log10().floor()), 10f64.powf((hi * 2.0).log10().ceil() + 1.5)) } else { (1e-3, 1.0) };
    let mut chart = builder(area, t("per coordinate (log scale)"), theme).build_cartesian_2d(0.5f64..2.5f64, (lo..hi).log_scale())?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(theme.muted.mix(0.12))
        .bold_line_style(theme.muted.mix(0.25))
        .axis_style(theme.fg)
        .label_style(theme.text(11.0))
        .axis_desc_style(theme.text(12.0))
        .x_labels(2)
        .x_label_formatter(&|v| format!("θ{}", if v.round() as i64 <= 1 { "₁" } else { "₂" }))
        .y_label_formatter(&|v| fmt_sig(*v, 2))
        .draw()?;
    let k = rows.len() as f64;
    let mut key = Vec::new();
    for (j, (vals, label)) in rows.iter().enumerate() {
        let colour = theme.series(j);
        if let Some(vs) = vals {
            for (i, &y) in vs.iter().enumerate() {
                if !(y.is_finite() && y > 0.0) {
                    continue;
                }
                let x = (i + 1) as f64 - 0.4 + 0.8 * j as f64 / k;
                chart.draw_series(std::iter::once(Rectangle::new([(x, lo), (x + 0.8 / k * 0.9, y.clamp(lo, hi))], colour.filled())))?;
            }
            key.push((Swatch::Box(colour), label.clone()));
        }
    }
    key_box(&chart, Corner::UpperRight, &key, theme)?;
    Ok(())
}

/// cond(P^½HP^½) against φ for no preconditioner and the two closed forms, the current φ marked.
fn cond_chart<DB: Blit>(area: &DrawingArea<DB, Shift>, p: &Params, h: &HessianView, theme: &Theme) -> DrawResult<(), DB> {
    let c = &h.cond_curve;
    let hi = c.iter().map(|q| q.none).fold(1.0f64, f64::max);
    // Headroom above κ for the key.
    let hi = 10f64.powf((hi * 1.5).log10().ceil() + 1.0).max(100.0);
    let mut chart = builder(area, t("cond(P^½HP^½) against φ"), theme).build_cartesian_2d(0f64..90f64, (1f64..hi).log_scale())?;
    mesh!(chart, t("φ (degrees)"), t("condition number"), theme);
    let line = |f: &dyn Fn(&crate::math::adam::hessian::CondPoint) -> Option<f64>| clamp_y(c.iter().filter_map(|q| f(q).map(|y| (q.phi_deg, y))), 1.0, hi);
    let curves: [Styled; 4] = [
        (line(&|q| Some(q.none)), theme.fg, t("none: cond H = κ").to_string()),
        (line(&|q| q.jitter), theme.series(SGD), t("jitter: P = diag(√(H²)ᵢᵢ)⁻¹").to_string()),
        (line(&|q| q.per_sample), theme.series(CLIP), t("per-sample: P = diag(√Hᵢᵢ)⁻¹").to_string()),
        (line(&|q| q.current), theme.series(EXACT), t("current noise (closed form)").to_string()),
    ];
    let mut key = Vec::new();
    for (pts, colour, label) in curves {
        if pts.len() >= 2 {
            chart.draw_series(LineSeries::new(pts, colour.stroke_width(theme.px(2.0))))?;
            key.push((Swatch::Line(colour), label));
        }
    }
    let phi = p.phi.clamp(0.0, 90.0);
    chart.draw_series(std::iter::once(PathElement::new(vec![(phi, 1.0), (phi, hi)], theme.muted.stroke_width(1))))?;
    if let Some(s) = h.summary {
        for (v, i) in [(Some(s.cond_h), usize::MAX), (s.cond_jitter, SGD), (s.cond_per_sample, CLIP), (s.cond_current, EXACT)] {
            if let Some(v) = v.filter(|v| v.is_finite()) {
                let colour = if i == usize::MAX { theme.fg } else { theme.series(i) };
                let shape = if i == usize::MAX { Shape::Circle } else { Shape::nth(i) };
                draw_marker(area, shape, to_px(&chart, area, &(phi, v.clamp(1.0, hi))), theme.scale * 3.5, colour, theme.bg)?;
            }
        }
    }
    if let Some(v) = h.cond_sim.filter(|v| v.is_finite()) {
        draw_marker(area, Shape::Star, to_px(&chart, area, &(phi, v.clamp(1.0, hi))), theme.scale * 4.0, theme.series(EXACT), theme.bg)?;
        key.push((Swatch::Box(theme.series(EXACT)), t("★ simulated √v̂").to_string()));
    }
    key_box(&chart, Corner::UpperRight, &key, theme)?;
    Ok(())
}

/// v̂_t against t for both coordinates, with the closed-form E[gᵢ²] dashed.
fn trace_chart<DB: Blit>(area: &DrawingArea<DB, Shift>, p: &Params, h: &HessianView, theme: &Theme) -> DrawResult<(), DB> {
    if h.trace.is_empty() {
        let chart = builder(area, t("v̂ₜ against step t"), theme).build_cartesian_2d(1f64..10f64, 0f64..1f64)?;
        let _ = chart;
        return message(area, t("no simulated steps: set steps ≥ 1"), theme);
    }
    let target = h.summary.map(|s| [s.sqrt_v[0].powi(2), s.sqrt_v[1].powi(2)]);
    let ys = h.trace.iter().flat_map(|(_, v)| v.iter().copied()).chain(target.into_iter().flatten()).filter(|y| *y > 0.0 && y.is_finite());
    let (lo, hi) = ys.fold((f64::INFINITY, 0.0f64), |(lo, hi), y| (lo.min(y), hi.max(y)));
    let (lo, hi) = if hi > 0.0 {
        // Two decades of headroom for the key.
        let hi = 10f64.powf((hi * 1.5).log10().ceil() + 2.0);
        (10f64.powf(lo.log10().floor()).max(hi * 1e-14), hi)
    } else {
        (1e-3, 1.0)
    };
    let t_max = (p.steps.max(2.0)).max(h.trace.last().map_or(2.0, |x| x.0 as f64));
    let mut chart = builder(area, t("v̂ₜ against step t"), theme).build_cartesian_2d((1f64..t_max).log_scale(), (lo..hi).log_scale())?;
    mesh!(chart, t("step t"), "v̂ₜ", theme);
    let mut key = Vec::new();
    for i in 0..2 {
        let colour = theme.series(i);
        let pts = clamp_y(h.trace.iter().map(|(t, v)| (*t as f64, v[i])), lo, hi);
        chart.draw_series(LineSeries::new(pts, colour.stroke_width(theme.px(1.6))))?;
        if let Some(tg) = target {
            if tg[i] > 0.0 && tg[i].is_finite() {
                for d in dashed(&segment((1.0, tg[i].clamp(lo, hi)), (t_max, tg[i].clamp(lo, hi)), 60, true), 2, 2) {
                    chart.draw_series(std::iter::once(PathElement::new(d, colour.mix(0.8).stroke_width(theme.px(1.2)))))?;
                }
            }
        }
        key.push((Swatch::Line(colour), tf("v̂ of θ{} (dashed: E[g²])", &[&if i == 0 { "₁" } else { "₂" }])));
    }
    key_box(&chart, Corner::UpperRight, &key, theme)?;
    Ok(())
}

// ---------------------------------------------------------------- mode `batch`

/// The x range: the slider's, widened to show a peak below B = 1.
fn b_range(v: &BatchView) -> (f64, f64) {
    let s = &v.curves.summary;
    let lo = [s.peak_exact, s.peak_post].iter().flatten().map(|pk| pk.b / 2.0).fold(B_RANGE.0, f64::min).max(1e-3);
    (lo, B_RANGE.1)
}

/// (B, value) of a curve's defined, finite points.
fn pts_of(bs: &[f64], c: &[Option<Point>], f: fn(&Point) -> f64) -> Vec<(f64, f64)> {
    bs.iter().zip(c).filter_map(|(&b, q)| q.as_ref().map(|q| (b, f(q)))).filter(|(_, y)| y.is_finite()).collect()
}

/// The curves drawn for the chosen rule: (palette index, label, curve).
fn drawn<'a>(p: &Params, v: &'a BatchView) -> Vec<(usize, &'static str, &'a [Option<Point>])> {
    let c = &v.curves;
    if p.opt == Opt::Sgd {
        vec![(SGD, t("SGD (exact)"), &c.sgd)]
    } else {
        vec![(EXACT, t("exact moments"), &c.exact), (POST, t("post's mean field"), &c.post), (SGD, t("SGD (reference)"), &c.sgd)]
    }
}

/// η*(B) on a log B axis: exact, the post's mean field, SGD, the peaks, the B → ∞ asymptote and
/// the marked b.
fn eta_chart<DB: Blit>(area: &DrawingArea<DB, Shift>, p: &Params, v: &BatchView, theme: &Theme) -> DrawResult<(), DB> {
    let (x0, x1) = b_range(v);
    let c = &v.curves;
    let s = &c.summary;
    let curves: Vec<Labelled> = drawn(p, v).into_iter().map(|(i, l, cv)| (i, l, pts_of(&c.bs, cv, |q| q.eta_star))).collect();
    let top = curves.iter().flat_map(|(_, _, pts)| pts.iter().map(|q| q.1)).chain(s.eta_limit).fold(0.0f64, f64::max);
    let top = if top > 0.0 && top.is_finite() { top * 1.15 } else { 1.0 };
    let mut chart = builder(area, "", theme).build_cartesian_2d((x0..x1).log_scale(), 0f64..top)?;
    mesh!(chart, t("batch size B"), t("best step size η*(B)"), theme);
    let mut key = Vec::new();
    for (i, label, pts) in &curves {
        let pts = clamp_y(pts.iter().copied().filter(|q| q.0 >= x0), 0.0, top);
        chart.draw_series(LineSeries::new(pts, theme.series(*i).stroke_width(theme.px(2.2))))?;
        key.push((Swatch::Line(theme.series(*i)), label.to_string()));
    }
    if let Some(lim) = s.eta_limit.filter(|l| l.is_finite()) {
        for d in dashed(&segment((x0, lim.min(top)), (x1, lim.min(top)), 90, true), 2, 2) {
            chart.draw_series(std::iter::once(PathElement::new(d, theme.fg.mix(0.7).stroke_width(theme.px(1.3)))))?;
        }
        key.push((Swatch::Line(theme.fg), tf("B → ∞: η* = {}", &[&fmt_sig(lim, 4)])));
    }
    // The marked b.
    let b = v.b.clamp(x0, x1);
    chart.draw_series(std::iter::once(PathElement::new(vec![(b, 0.0), (b, top)], theme.muted.stroke_width(theme.px(1.0)))))?;
    let at_b: Vec<(usize, Option<f64>)> = if p.opt == Opt::Sgd {
        vec![(SGD, s.eta_star_sgd)]
    } else {
        vec![(EXACT, s.eta_star_exact), (POST, s.eta_star_post), (SGD, s.eta_star_sgd)]
    };
    for (i, e) in at_b {
        if let Some(e) = e.filter(|e| e.is_finite()) {
            draw_marker(area, Shape::Circle, to_px(&chart, area, &(b, e.clamp(0.0, top))), theme.scale * 3.0, theme.series(i), theme.bg)?;
        }
    }
    if p.opt != Opt::Sgd {
        for (pk, i) in [(s.peak_exact, EXACT), (s.peak_post, POST)] {
            if let Some(pk) = pk.filter(|pk| pk.b >= x0 && pk.b <= x1 && pk.eta_star.is_finite()) {
                draw_marker(area, Shape::Diamond, to_px(&chart, area, &(pk.b, pk.eta_star.clamp(0.0, top))), theme.scale * 5.0, theme.series(i), theme.bg)?;
            }
        }
        key.push((Swatch::Box(theme.muted), t("◆ peak (surge) · ● η* at the marked b").to_string()));
    }
    key_box(&chart, Corner::LowerRight, &key, theme)?;
    Ok(())
}

/// ΔL(B): the expected one-step decrease at the best step.
fn delta_l_chart<DB: Blit>(area: &DrawingArea<DB, Shift>, p: &Params, v: &BatchView, theme: &Theme) -> DrawResult<(), DB> {
    let (x0, x1) = b_range(v);
    let c = &v.curves;
    let curves: Vec<Labelled> = drawn(p, v).into_iter().map(|(i, l, cv)| (i, l, pts_of(&c.bs, cv, |q| q.delta_l))).collect();
    let top = curves.iter().flat_map(|(_, _, pts)| pts.iter().map(|q| q.1)).fold(0.0f64, f64::max);
    let top = if top > 0.0 && top.is_finite() { top * 1.1 } else { 1.0 };
    let mut chart = builder(area, t("ΔL(B) at the best step"), theme).build_cartesian_2d((x0..x1).log_scale(), 0f64..top)?;
    mesh!(chart, t("batch size B"), "ΔL", theme);
    for (i, _, pts) in &curves {
        let pts = clamp_y(pts.iter().copied().filter(|q| q.0 >= x0), 0.0, top);
        chart.draw_series(LineSeries::new(pts, theme.series(*i).stroke_width(theme.px(2.0))))?;
    }
    let b = v.b.clamp(x0, x1);
    chart.draw_series(std::iter::once(PathElement::new(vec![(b, 0.0), (b, top)], theme.muted.stroke_width(theme.px(1.0)))))?;
    Ok(())
}

/// The steps–data trade-off: (S/S_min, E/E_min) along B, the hyperbola (S/S_min − 1)(E/E_min − 1) = 1
/// and the marked b.
fn tradeoff_chart<DB: Blit>(area: &DrawingArea<DB, Shift>, v: &BatchView, theme: &Theme) -> DrawResult<(), DB> {
    let (lo, hi) = (0.8f64, 300.0f64);
    let mut chart = builder(area, t("steps S against data E = BS"), theme).build_cartesian_2d((lo..hi).log_scale(), (lo..hi).log_scale())?;
    mesh!(chart, "S/S_min", "E/E_min", theme);
    let inside = |q: &(f64, f64)| q.0 >= lo && q.0 <= hi && q.1 >= lo && q.1 <= hi && q.0.is_finite() && q.1.is_finite();
    let hyper: Vec<(f64, f64)> = (0..200)
        .filter_map(|k| {
            let s = 1.0 + 10f64.powf(-2.5 + 5.0 * k as f64 / 199.0);
            batch::hyperbola(s).map(|e| (s, e))
        })
        .filter(inside)
        .collect();
    for d in dashed(&hyper, 3, 2) {
        chart.draw_series(std::iter::once(PathElement::new(d, theme.fg.mix(0.7).stroke_width(theme.px(1.3)))))?;
    }
    let c = &v.curves;
    for (pts, i) in [(&c.trade_exact, EXACT), (&c.trade_post, POST)] {
        let pts: Vec<(f64, f64)> = pts.iter().map(|&(_, s, e)| (s, e)).filter(inside).collect();
        chart.draw_series(LineSeries::new(pts, theme.series(i).stroke_width(theme.px(2.0))))?;
    }
    for (q, i) in v.trade_at_b.iter().zip([EXACT, POST]) {
        if let Some(q) = q.filter(inside) {
            draw_marker(area, Shape::Circle, to_px(&chart, area, &q), theme.scale * 3.0, theme.series(i), theme.bg)?;
        }
    }
    let rows = vec![(Swatch::Line(theme.fg), t("(S/S_min − 1)(E/E_min − 1) = 1").to_string())];
    key_box(&chart, Corner::UpperRight, &rows, theme)?;
    Ok(())
}

/// The S-curve E[ũ](a) and the bell E[ũ²](a) at the kink width of the marked b: exact softsign,
/// the clip closed form and the post's approximation.
fn s_curve_chart<DB: Blit>(area: &DrawingArea<DB, Shift>, p: &Params, v: &BatchView, theme: &Theme) -> DrawResult<(), DB> {
    let caption = tf("E[ũ](a) and E[ũ²](a), kink b = ε√B/σ = {}", &[&fmt_sig(v.kink, 3)]);
    let mut chart = builder(area, &caption, theme).build_cartesian_2d(-A_MAX..A_MAX, S_LO..1.05f64)?;
    mesh!(chart, t("a = g√B/σ"), "", theme);
    let sc = &v.s_curves;
    type Get = fn(&crate::math::adam::moments::SCurvePoint) -> f64;
    let sets: [(usize, Get, Get); 3] = [
        (EXACT, |q| q.exact_mean, |q| q.exact_sq),
        (CLIP, |q| q.clip_mean, |q| q.clip_sq),
        (POST, |q| q.post_mean, |q| q.post_sq),
    ];
    for (i, mean, sq) in sets {
        let colour = theme.series(i);
        let m = clamp_y(sc.iter().map(|q| (q.a, mean(q))), S_LO, 1.05);
        chart.draw_series(LineSeries::new(m, colour.stroke_width(theme.px(2.0))))?;
        let s2 = clamp_y(sc.iter().map(|q| (q.a, sq(q))), S_LO, 1.05);
        for d in dashed(&s2, 3, 2) {
            chart.draw_series(std::iter::once(PathElement::new(d, colour.stroke_width(theme.px(1.5)))))?;
        }
    }
    if let Some(a) = v.a_at_b.filter(|a| a.is_finite() && a.abs() <= A_MAX) {
        chart.draw_series(std::iter::once(PathElement::new(vec![(a, S_LO), (a, 1.05)], theme.muted.stroke_width(theme.px(1.0)))))?;
    }
    let rows = vec![
        (Swatch::Line(theme.series(EXACT)), t("exact softsign").to_string()),
        (Swatch::Line(theme.series(CLIP)), t("clip (closed form)").to_string()),
        (Swatch::Line(theme.series(POST)), t("post's approximation").to_string()),
        (Swatch::Box(theme.muted), if p.opt == Opt::Sgd { t("(SGD: shown for sign)").to_string() } else { t("solid E[ũ] · dashed E[ũ²]").to_string() }),
    ];
    key_box(&chart, Corner::LowerRight, &rows, theme)?;
    let _ = LEVEL;
    Ok(())
}
