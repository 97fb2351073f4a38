//! Drawing of the softmax lab, generic over the plotters backend: the logit plane and the simplex
//! (three classes) or a bar editor (more classes), and the small multiples per map.

use super::model::{bary, key_of, plane, plane_radius, Multiple, R, RES, VERTS};
use super::{Map, Params, State};
use super::text::t;
use crate::lab::{Figure, Layer};
use crate::plot::{Blit, PlotFrame};
use crate::math::softmax as sm;
use crate::fmt::fmt_sig;
use crate::math::View;
use crate::plot::raster::{draw_raster, mix, Raster};
use crate::plot::theme::Theme;
use crate::plot::{class_chart, draw_marker, equal_aspect, legend, DrawResult, Series, Shape, XyChart};
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
        Figure::Main if s.z.len() == 3 => plane_and_simplex(layer, area, s, theme).map(Some),
        Figure::Main => {
            if layer.foreground() {
                bars(area, s, theme).map(Some)
            } else {
                Ok(None)
            }
        }
        Figure::Aux => {
            small_multiples(area, layer, p, s, theme)?;
            Ok(None)
        }
    }
}

/// A chart with equal units on both axes and no axes (the coordinates are geometric).
fn bare_chart<'a, DB: Blit>(
    area: &'a DrawingArea<DB, Shift>,
    view: &View,
    theme: &Theme,
) -> DrawResult<(XyChart<'a, DB>, View), DB> {
    let (w, h) = area.dim_in_pixel();
    let m = theme.px(12.0);
    let v = equal_aspect(view, (w as f64 - 2.0 * m as f64).max(1.0), (h as f64 - 2.0 * m as f64).max(1.0));
    let chart = ChartBuilder::on(area).margin(m).build_cartesian_2d(v.xmin..v.xmax, v.ymin..v.ymax)?;
    Ok((chart, v))
}

fn frame<DB: Blit>(chart: &XyChart<'_, DB>, v: &View) -> PlotFrame {
    crate::plot::frame_of(chart, v)
}

/// Backend pixel of a data point on a chart, relative to `area`'s origin.
fn to_px<DB: Blit>(chart: &XyChart<'_, DB>, area: &DrawingArea<DB, Shift>, pt: (f64, f64)) -> (i32, i32) {
    let at = chart.plotting_area().map_coordinate(&pt);
    let (ox, oy) = area.get_base_pixel();
    (at.0 - ox, at.1 - oy)
}

fn plane_and_simplex<DB: Blit>(
    layer: Layer,
    area: &DrawingArea<DB, Shift>,
    s: &State,
    theme: &Theme,
) -> DrawResult<PlotFrame, DB> {
    let (w, _) = area.dim_in_pixel();
    let (left, right) = area.split_horizontally(w / 2);
    let w_pt = plane(&s.z);
    let r = plane_radius(&s.z);
    let (lc, lv) = bare_chart(&left, &View::new(-r, r, -r, r), theme)?;
    let (rc, _) = bare_chart(&right, &View::new(-1.25, 1.25, -0.8, 1.3), theme)?;
    let muted = theme.muted;
    if layer.background() {
        // Logit plane: a grid, and the three directions in which a logit grows.
        let step = if r <= 5.0 { 1.0 } else { 10f64.powf((r / 5.0).log10().ceil()) };
        let k = (r / step).ceil() as i32;
        for i in -k..=k {
            let c = i as f64 * step;
            let style = muted.mix(if i == 0 { 0.45 } else { 0.18 }).stroke_width(1);
            lc.plotting_area().draw(&PathElement::new(vec![(c, -r), (c, r)], style))?;
            lc.plotting_area().draw(&PathElement::new(vec![(-r, c), (r, c)], style))?;
        }
        for (i, v) in VERTS.iter().enumerate() {
            let end = (v[0] * r * 0.8, v[1] * r * 0.8);
            lc.plotting_area().draw(&PathElement::new(vec![(0.0, 0.0), end], theme.fg.mix(0.6).stroke_width(theme.px(1.5))))?;
            let at = to_px(&lc, &left, (v[0] * r * 0.88, v[1] * r * 0.88));
            left.draw(&Text::new(
                format!("z{} ↑", sub_digit(i + 1)),
                (at.0 - theme.px(10.0) as i32, at.1 - theme.px(7.0) as i32),
                theme.text_left(13.0, theme.fg),
            ))?;
        }
        let at = to_px(&lc, &left, (-r, r));
        left.draw(&Text::new(t("logits (modulo a common shift)"), (at.0 + 4, at.1 + 4), theme.text_left(12.0, muted)))?;
        // The simplex with barycentric grid lines at 0.25.
        let tri: Vec<(f64, f64)> = VERTS.iter().map(|v| (v[0], v[1])).collect();
        for k in 1..4 {
            let a = k as f64 / 4.0;
            for i in 0..3 {
                let (j, l) = ((i + 1) % 3, (i + 2) % 3);
                // The line pᵢ = a between the edges towards the other two vertices.
                let mut p1 = [0.0; 3];
                let mut p2 = [0.0; 3];
                p1[i] = a;
                p1[j] = 1.0 - a;
                p2[i] = a;
                p2[l] = 1.0 - a;
                rc.plotting_area().draw(&PathElement::new(vec![bary(&p1), bary(&p2)], muted.mix(0.2).stroke_width(1)))?;
            }
        }
        let mut outline = tri.clone();
        outline.push(tri[0]);
        rc.plotting_area().draw(&PathElement::new(outline, theme.fg.stroke_width(theme.px(1.5))))?;
        // The legend depends on the shown maps only (part of the background key).
        let series: Vec<Series<'_>> = s
            .outs
            .iter()
            .map(|(m, _)| Series { path: &[], index: m.index(), label: t(m.label()).to_string(), diverged: false, dots: false })
            .collect();
        legend(&right, &frame(&rc, &View::new(-1.25, 1.25, -0.8, 1.3)), &series, theme)?;
        for (i, v) in VERTS.iter().enumerate() {
            let at = to_px(&rc, &right, (v[0] * 1.09, v[1] * 1.09 - 0.02));
            let label = format!("p{} = 1", sub_digit(i + 1));
            let dx = if i == 0 {
                -(theme.px(18.0) as i32)
            } else if i == 1 {
                -(theme.px(40.0) as i32)
            } else {
                0
            };
            right.draw(&Text::new(label, (at.0 + dx, at.1 - theme.px(6.0) as i32), theme.text_left(13.0, theme.fg)))?;
        }
    }
    if layer.foreground() {
        // A point beyond the drawable range (logits of ±1e300) sits on the edge, in its direction.
        let at = to_px(&lc, &left, (w_pt.0.clamp(-r, r), w_pt.1.clamp(-r, r)));
        draw_marker(&left, Shape::Circle, at, theme.scale * 6.5, theme.fg, theme.bg)?;
        // Markers drawn largest-index first so softmax (drawn last) stays on top where they coincide.
        for (m, o) in s.outs.iter().rev() {
            let at = to_px(&rc, &right, bary(&o.p));
            draw_marker(&right, Shape::nth(m.index()), at, theme.scale * 5.5, theme.series(m.index()), theme.bg)?;
        }
    }
    Ok(frame(&lc, &lv))
}


/// Subscript digits for labels drawn as text.
fn sub_digit(i: usize) -> String {
    i.to_string().chars().map(|c| char::from_u32(0x2080 + c.to_digit(10).unwrap_or(0)).unwrap_or(c)).collect()
}

fn bars<DB: Blit>(area: &DrawingArea<DB, Shift>, s: &State, theme: &Theme) -> DrawResult<PlotFrame, DB> {
    let n = s.z.len();
    let (_, h) = area.dim_in_pixel();
    let (top, bottom) = area.split_vertically((h as f64 * 0.42) as u32);
    let shown: Vec<f64> = s.z.iter().map(|v| v.clamp(-1e6, 1e6)).collect();
    let lo = shown.iter().copied().fold(0.0f64, f64::min);
    let hi = shown.iter().copied().fold(0.0f64, f64::max);
    let pad = ((hi - lo) * 0.15).max(0.5);
    let (y0, y1) = (lo - pad, hi + pad);
    let mut tc = class_chart(&top, n, y0..y1, ("", t("logit zᵢ (drag)")), (28.0, 46.0), theme)?;
    for (i, &z) in shown.iter().enumerate() {
        let x = (i + 1) as f64;
        tc.draw_series(std::iter::once(Rectangle::new([(x - 0.35, 0.0), (x + 0.35, z)], theme.fg.mix(0.55).filled())))?;
    }
    let f = frame(&tc, &View::new(0.5, n as f64 + 0.5, y0, y1));
    let mut bc = class_chart(&bottom, n, 0.0..1.05, (t("class i"), t("probability pᵢ")), (34.0, 46.0), theme)?;
    let k = s.outs.len().max(1) as f64;
    for (j, (m, o)) in s.outs.iter().enumerate() {
        let c = theme.series(m.index());
        bc.draw_series(o.p.iter().enumerate().map(|(i, &q)| {
            let x = (i + 1) as f64 - 0.4 + 0.8 * j as f64 / k;
            Rectangle::new([(x, 0.0), (x + 0.8 / k, q)], c.filled())
        }))?;
    }
    let series: Vec<Series<'_>> = s
        .outs
        .iter()
        .map(|(m, _)| Series { path: &[], index: m.index(), label: t(m.label()).to_string(), diverged: false, dots: false })
        .collect();
    let bf = frame(&bc, &View::new(0.5, n as f64 + 0.5, 0.0, 1.05));
    // Top right, clear of the first bars.
    legend(&bottom, &PlotFrame { px: (bf.px.0 + (bf.px.1 - bf.px.0) * 2 / 3, bf.px.1), ..bf }, &series, theme)?;
    Ok(f)
}

/// The caption of a small multiple: the map and its parameters.
fn title(m: Map, p: &Params) -> String {
    let name = t(m.label());
    match m {
        Map::Softmax => format!("{name}, τ = {}", fmt_sig(p.tau, 3)),
        Map::AmSoftmax => format!("{name}, m = {}, s = {}", fmt_sig(p.margin, 3), fmt_sig(p.scale, 3)),
        Map::Taylor => format!("{name}, k = {}", p.taylor_order),
        Map::Sparse => format!("{name}, k = {}", p.topk.min(3.0)),
        Map::Perturb => format!("{name} ({})", if p.perturb == sm::Noise::Gauss { t("Gaussian") } else { t("Gumbel") }),
        Map::Sparsemax => name.to_string(),
        Map::Entmax => format!("{name}, α = {}", fmt_sig(p.alpha, 3)),
    }
}

fn support_colour(theme: &Theme, k: u8) -> [u8; 3] {
    match k {
        1 => mix(theme.bg, theme.series(1), 0.55),
        2 => mix(theme.bg, theme.series(0), 0.35),
        _ => mix(theme.bg, theme.muted, 0.12),
    }
}

/// A value that changes exactly when the small multiples' background must be redrawn.
pub fn aux_key(p: &Params) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for &m in &p.maps {
        m.index().hash(&mut h);
        key_of(m, p).hash(&mut h);
    }
    h.finish()
}

/// The small multiples: cached rasters and grid images on the background layer, the current
/// point on the foreground (so a drag redraws only markers).
fn small_multiples<DB: Blit>(
    area: &DrawingArea<DB, Shift>,
    layer: Layer,
    p: &Params,
    s: &State,
    theme: &Theme,
) -> DrawResult<(), DB> {
    let (w, h) = area.dim_in_pixel();
    let key_h = theme.px(22.0);
    let bg = layer.background();
    if bg {
        // Key of the support colours.
        let mut x = theme.px(10.0) as i32;
        area.draw(&Text::new(t("support size (non-zero entries):"), (x, theme.px(4.0) as i32), theme.text_left(12.0, theme.fg)))?;
        x += theme.px(200.0) as i32;
        for k in 1..=3u8 {
            let c = support_colour(theme, k);
            let sz = theme.px(12.0) as i32;
            area.draw(&Rectangle::new(
                [(x, theme.px(4.0) as i32), (x + sz, theme.px(4.0) as i32 + sz)],
                RGBColor(c[0], c[1], c[2]).filled(),
            ))?;
            area.draw(&Rectangle::new([(x, theme.px(4.0) as i32), (x + sz, theme.px(4.0) as i32 + sz)], theme.muted.stroke_width(1)))?;
            area.draw(&Text::new(k.to_string(), (x + sz + theme.px(4.0) as i32, theme.px(4.0) as i32), theme.text_left(12.0, theme.fg)))?;
            x += theme.px(40.0) as i32;
        }
    }
    let count = s.multiples.len();
    if count == 0 || h <= key_h + 8 {
        return Ok(());
    }
    let cols = if count > 4 { 4 } else { count };
    let rows = count.div_ceil(cols);
    let body = area.clone().shrink((0, key_h), (w, h - key_h));
    let cells = body.split_evenly((rows, cols));
    let here = (s.z.len() == 3).then(|| plane(&s.z));
    for (cell, mm) in cells.iter().zip(&s.multiples) {
        let (cw, ch) = cell.dim_in_pixel();
        let th = theme.px(18.0);
        let side = ((cw / 2).saturating_sub(theme.px(8.0))).min(ch.saturating_sub(th + theme.px(4.0))).max(8);
        let sq = cell.clone().shrink((theme.px(4.0), th), (side, side));
        let tri_area = cell.clone().shrink((side + theme.px(10.0), th), (cw.saturating_sub(side + theme.px(12.0)).max(8), side));
        let (tc, _) = bare_chart(&tri_area, &View::new(-0.9, 0.9, -0.55, 1.05), theme)?;
        let colour = theme.series(mm.map.index());
        if bg {
            multiple_background(cell, &sq, &tc, mm, p, side, theme)?;
        }
        if !layer.foreground() {
            continue;
        }
        if let Some((x, y)) = here {
            if x.abs() < R && y.abs() < R {
                let px = ((x + R) / (2.0 * R) * side as f64) as i32;
                let py = ((R - y) / (2.0 * R) * side as f64) as i32;
                draw_marker(&sq, Shape::Circle, (px, py), theme.scale * 3.5, theme.fg, theme.bg)?;
            }
            if let Some((_, o)) = s.outs.iter().find(|(m, _)| *m == mm.map) {
                let at = to_px(&tc, &tri_area, bary(&o.p));
                draw_marker(&tri_area, Shape::nth(mm.map.index()), at, theme.scale * 4.0, colour, theme.bg)?;
            }
        }
    }
    Ok(())
}

/// One multiple's title, support raster and grid image.
fn multiple_background<DB: Blit>(
    cell: &DrawingArea<DB, Shift>,
    sq: &DrawingArea<DB, Shift>,
    tc: &XyChart<'_, DB>,
    mm: &Multiple,
    p: &Params,
    side: u32,
    theme: &Theme,
) -> DrawResult<(), DB> {
    {
        cell.draw(&Text::new(title(mm.map, p), (theme.px(6.0) as i32, 0), theme.text_left(12.0, theme.series(mm.map.index()))))?;
        // Support raster over the logit plane (nearest cell of the cached RES×RES grid).
        // The four colours once (mixing per pixel would cost more than the rest of the cell).
        let colours = [0u8, 1, 2, 3].map(|k| support_colour(theme, k));
        let cols: Vec<usize> = (0..side).map(|i| (i as usize * RES) / side as usize).collect();
        let mut rgb = Vec::with_capacity((side * side * 3) as usize);
        for j in 0..side {
            let row = &mm.support[(j as usize * RES) / side as usize * RES..][..RES];
            for &gi in &cols {
                rgb.extend_from_slice(&colours[row[gi].min(3) as usize]);
            }
        }
        draw_raster(sq, &Raster::rgb(side, side, rgb))?;
        sq.draw(&Rectangle::new([(0, 0), (side as i32 - 1, side as i32 - 1)], theme.muted.stroke_width(1)))?;
        // Image of the logit grid on the simplex.
        let colour = theme.series(mm.map.index());
        for line in &mm.lines {
            tc.plotting_area().draw(&PathElement::new(line.clone(), colour.mix(0.55).stroke_width(1)))?;
        }
        let mut outline: Vec<(f64, f64)> = VERTS.iter().map(|v| (v[0], v[1])).collect();
        outline.push(outline[0]);
        tc.plotting_area().draw(&PathElement::new(outline, theme.fg.stroke_width(theme.px(1.0))))?;
    }
    Ok(())
}
