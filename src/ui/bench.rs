//! In-page timings (`bench=1`): what the lab's own work costs, without the browser's event and
//! paint machinery: a frame of a full run (step + record + replay) and a forced redraw of every
//! layer. `tests/browser/bench.mjs` reads them from `#bench` and sets them beside the timings of
//! real DOM events, which are what a person feels.

use super::shell::{with_shell, Ui};
use super::{document, draw, now_ms, reset};
use leptos::prelude::*;

fn stats(v: &mut [f64]) -> String {
    if v.is_empty() {
        return "null".into();
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let q = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    format!(
        "{{\"n\":{},\"median_ms\":{:.3},\"mean_ms\":{mean:.3},\"p95_ms\":{:.3},\"max_ms\":{:.3}}}",
        v.len(),
        q(0.5),
        q(0.95),
        v[v.len() - 1]
    )
}

/// Runs the timings and writes JSON into `#bench`.
pub(crate) fn run(ui: Ui) {
    ui.playing.set(false);
    reset(ui);
    // Frames are timed over finished background work (e.g. the diffusion lab's solves), which the
    // page otherwise spreads over idle time: a frame is step + draw only.
    with_shell(|s| s.lab.complete());
    let mut frames = Vec::new();
    for _ in 0..2000 {
        frames.push(super::anim::tick(ui));
        if with_shell(|s| s.lab.progress().0 >= s.lab.progress().1).unwrap_or(true) {
            break;
        }
    }
    let mut redraws = Vec::new();
    for _ in 0..10 {
        with_shell(|s| s.figures.invalidate());
        let t0 = now_ms();
        draw(ui);
        redraws.push(now_ms() - t0);
    }
    let canvas = with_shell(|s| s.figures.main_bg.as_ref().map(|c| (c.width(), c.height()))).flatten().unwrap_or((0, 0));
    let slug = with_shell(|s| s.lab.slug()).unwrap_or("");
    let json = format!(
        "{{\"lab\":\"{slug}\",\"canvas\":[{},{}],\"frame\":{},\"redraw\":{}}}",
        canvas.0,
        canvas.1,
        stats(&mut frames),
        stats(&mut redraws)
    );
    if let Some(el) = document().get_element_by_id("bench") {
        el.set_text_content(Some(&json));
    }
}
