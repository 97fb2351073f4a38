//! The browser shell: the only module that touches leptos and web-sys. It wires controls to the
//! lab's parameters, keeps the URL in sync, runs the animation loop and hands state to the lab's
//! drawing code. No maths here, and nothing lab-specific: everything comes from the registry.

pub mod canvas;
mod controls;
mod export;
mod share;

use crate::i18n::{t, tf, Lang};
use crate::lab::{build_query, parse_query, DynLab, Figure, Layer, Notice, PlotFrame, Value};
use crate::labs::{self, LABS};
use crate::plot::theme::Theme;
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;

/// Everything the page mutates outside the reactive graph. The browser runs us on one thread, so
/// a thread-local keeps non-`Send` values (the lab, closures) out of leptos' `Send` signals.
struct Shell {
    lab: Box<dyn DynLab>,
    /// (background key, width, height, dark) of what the background canvas shows.
    bg_drawn: Option<(u64, u32, u32, bool)>,
    /// The linked chart's cached background (offscreen) and what it shows (see `Lab::aux_key`).
    /// The linked chart's cached background (a canvas kept for the page's lifetime)…
    aux_scratch: Option<HtmlCanvasElement>,
    /// …and the key it was drawn for (`None`: stale).
    aux_bg: Option<(u64, u32, u32, bool)>,
    /// The background key and foreground key the linked chart was last composed with (see
    /// [`crate::lab::Lab::aux_foreground_key`]).
    aux_composed: Option<((u64, u32, u32, bool), u64)>,
    frame: Option<PlotFrame>,
    /// Fractional steps owed to the animation (runs of any length take the same time).
    owed: f64,
    dragging: bool,
    /// Controls hidden by `hide=` in the URL.
    hide: Vec<String>,
    /// When the screen-reader summary was last updated (ms).
    live_at: f64,
}

/// Embedding options from the URL (`embed=1`, `controls=0`).
#[derive(Clone, Copy)]
pub(crate) struct Embed {
    /// Figure and controls only: no header, navigation or prose.
    pub on: bool,
    /// Show the control panel.
    pub controls: bool,
}

thread_local! {
    static SHELL: RefCell<Option<Shell>> = const { RefCell::new(None) };
    /// `theme=dark|light` from the URL, read once at start (the theme is needed on every frame).
    static FORCED_DARK: std::cell::Cell<Option<bool>> = const { std::cell::Cell::new(None) };
}

fn with_lab<R>(f: impl FnOnce(&mut Shell) -> R) -> Option<R> {
    SHELL.with(|s| s.try_borrow_mut().ok().and_then(|mut s| s.as_mut().map(f)))
}

/// Reactive handles shared by the components (all `Copy`).
#[derive(Clone, Copy)]
pub(crate) struct Ui {
    /// Bumped on every parameter change.
    pub version: RwSignal<u64>,
    /// Steps done / total.
    pub progress: RwSignal<(usize, usize)>,
    pub playing: RwSignal<bool>,
    /// Speed multiplier of the animation.
    pub speed: RwSignal<f64>,
    pub notices: RwSignal<Vec<String>>,
    pub hover: RwSignal<String>,
    pub error: RwSignal<Option<String>>,
    /// Background work: fraction done and what it is (see `Lab::pending`).
    pub pending: RwSignal<Option<(f64, &'static str)>>,
}

fn window() -> web_sys::Window {
    web_sys::window().expect("no window")
}

fn document() -> web_sys::Document {
    window().document().expect("no document")
}

fn canvas(id: &str) -> Option<HtmlCanvasElement> {
    document().get_element_by_id(id)?.dyn_into().ok()
}

fn query_pairs() -> Vec<(String, String)> {
    parse_query(&window().location().search().unwrap_or_default())
}

fn shell_flag(pairs: &[(String, String)], key: &str) -> Option<String> {
    pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

fn prefers(query: &str) -> bool {
    window().match_media(query).ok().flatten().map(|m| m.matches()).unwrap_or(false)
}

/// The theme for canvases, from the system setting (or `theme=dark|light` in the URL).
fn theme() -> Theme {
    let dpr = window().device_pixel_ratio();
    let dark = FORCED_DARK.with(|f| f.get()).unwrap_or_else(|| prefers("(prefers-color-scheme: dark)"));
    if dark {
        Theme::dark(dpr)
    } else {
        Theme::light(dpr)
    }
}

/// Writes the lab's state into the address bar without adding history entries.
fn sync_url() {
    let Some(q) = with_lab(|s| build_query(s.lab.slug(), &s.lab.query_pairs())) else { return };
    // Keep shell keys (embed, hide, …) that the page was opened with.
    let keep: Vec<String> = query_pairs()
        .into_iter()
        .filter(|(k, _)| k != "lab" && crate::lab::SHELL_KEYS.contains(&k.as_str()))
        .map(|(k, v)| format!("{}={}", crate::lab::percent_encode(&k), crate::lab::percent_encode(&v)))
        .collect();
    let mut url = format!("?{q}");
    for k in keep {
        url.push('&');
        url.push_str(&k);
    }
    if let Ok(h) = window().history() {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// Sizes the canvases to their containers; returns whether any backing store changed.
fn layout() -> bool {
    let dpr = theme().scale;
    let Some(fig) = document().get_element_by_id("figure") else { return false };
    let w = (fig.client_width() as f64).max(200.0);
    let vh = window().inner_height().ok().and_then(|v| v.as_f64()).unwrap_or(800.0);
    let main_h = (w * 0.78).min(vh * 0.72).max(240.0).round();
    let aux_h = (w * 0.3).clamp(150.0, 260.0).round();
    let mut changed = false;
    for id in ["main-bg", "main-fg"] {
        if let Some(c) = canvas(id) {
            changed |= canvas::fit(&c, w, main_h, dpr);
        }
    }
    if let Some(c) = canvas("aux") {
        changed |= canvas::fit(&c, w, aux_h, dpr);
    }
    changed
}

/// Draws what is stale: the background only when its key, size or theme changed.
fn draw(ui: Ui) {
    let th = theme();
    let res = with_lab(|s| -> Result<(), String> {
        if let Some(bg) = canvas("main-bg") {
            let key = (s.lab.background_key(), bg.width(), bg.height(), th.dark);
            if s.bg_drawn != Some(key) {
                s.lab.render_canvas(Figure::Main, Layer::Background, &bg, &th)?;
                s.bg_drawn = Some(key);
            }
        }
        if let Some(fg) = canvas("main-fg") {
            s.frame = s.lab.render_canvas(Figure::Main, Layer::Foreground, &fg, &th)?;
        }
        if s.lab.has_aux() {
            if let Some(aux) = canvas("aux") {
                match s.lab.aux_key() {
                    None => {
                        s.lab.render_canvas(Figure::Aux, Layer::All, &aux, &th)?;
                    }
                    Some(k) => draw_aux_layered(s, &aux, k, &th)?,
                }
            }
        }
        Ok(())
    });
    if let Some(Err(e)) = res {
        ui.error.set(Some(e));
    }
    if let Some(p) = with_lab(|s| s.lab.progress()) {
        ui.progress.set(p);
    }
    let pending = with_lab(|s| s.lab.pending()).flatten();
    if pending != ui.pending.get_untracked() {
        ui.pending.set(pending);
    }
    update_live(false);
}

/// The linked chart as a cached background (redrawn when its key, size or theme changes) with the
/// foreground drawn over it: a drag then costs only the foreground.
fn draw_aux_layered(s: &mut Shell, aux: &HtmlCanvasElement, k: u64, th: &crate::plot::theme::Theme) -> Result<(), String> {
    let key = (k, aux.width(), aux.height(), th.dark);
    if s.aux_bg != Some(key) {
        // The scratch canvas is kept across redraws (a new one costs an allocation of its store).
        if s.aux_scratch.is_none() {
            s.aux_scratch = document().create_element("canvas").ok().and_then(|e| e.dyn_into::<HtmlCanvasElement>().ok());
        }
        let c = s.aux_scratch.as_ref().ok_or("no canvas")?;
        if (c.width(), c.height()) != (aux.width(), aux.height()) {
            c.set_width(aux.width());
            c.set_height(aux.height());
        }
        s.lab.render_canvas(Figure::Aux, Layer::Background, c, th)?;
        s.aux_bg = Some(key);
        s.aux_composed = None;
    }
    // A chart that does not animate is composed once per change, not once per frame.
    let fg_key = s.lab.aux_foreground_key();
    if let Some(f) = fg_key {
        if s.aux_composed == Some((key, f)) {
            return Ok(());
        }
    }
    s.aux_composed = fg_key.map(|f| (key, f));
    let ctx: web_sys::CanvasRenderingContext2d =
        aux.get_context("2d").ok().flatten().and_then(|c| c.dyn_into().ok()).ok_or("no 2d context")?;
    ctx.clear_rect(0.0, 0.0, aux.width() as f64, aux.height() as f64);
    if let Some(bg) = &s.aux_scratch {
        ctx.draw_image_with_html_canvas_element(bg, 0.0, 0.0).map_err(|_| "compose failed")?;
    }
    // The foreground straight onto the chart, over the copied background.
    s.lab.render_canvas_with(Figure::Aux, Layer::Foreground, aux, th, false).map(|_| ())
}

/// Runs the lab's background work for at most `budget_ms`, then redraws. When the work finishes,
/// the readouts and formulas (which may show its results) are refreshed.
fn background_work(ui: Ui, budget_ms: f64) {
    let Some(perf) = window().performance() else { return };
    let t0 = perf.now();
    let mut more = true;
    while more && perf.now() - t0 < budget_ms {
        more = with_lab(|s| s.lab.work()).unwrap_or(false);
    }
    // What the work produced may be part of the cached backgrounds.
    with_lab(|s| {
        s.bg_drawn = None;
        s.aux_bg = None;
    });
    draw(ui);
    if !more {
        ui.version.update(|v| *v += 1);
    }
}

/// Refreshes the screen-reader summary, at most every 2 s unless `now`.
fn update_live(now: bool) {
    let t = window().performance().map(|p| p.now()).unwrap_or(0.0);
    let text = with_lab(|s| {
        if now || t - s.live_at > 2000.0 {
            s.live_at = t;
            Some(s.lab.summary())
        } else {
            None
        }
    })
    .flatten();
    if let (Some(text), Some(el)) = (text, document().get_element_by_id("live")) {
        el.set_text_content(Some(&text));
    }
}

/// Applies a control change from the page; shows a notice and keeps the last good state on error.
pub(crate) fn set_control(ui: Ui, key: &str, text: Option<&str>, value: Option<Value>) {
    let res = with_lab(|s| match (text, &value) {
        (Some(t), _) => s.lab.set_text(key, t),
        (None, Some(v)) => s.lab.set_value(key, v),
        _ => Ok(None),
    });
    match res {
        Some(Ok(note)) => {
            ui.notices.update(|n| n.retain(|m| !m.contains(&format!("'{key}'"))));
            if let Some(n) = note {
                ui.notices.update(|v| v.push(n.message()));
            }
            changed(ui);
        }
        Some(Err(n)) => ui.notices.update(|v| {
            v.retain(|m| !m.contains(&format!("'{key}'")));
            v.push(n.message())
        }),
        None => {}
    }
}

/// After any parameter change: URL, redraw, reactive panels.
fn changed(ui: Ui) {
    sync_url();
    draw(ui);
    ui.version.update(|v| *v += 1);
}

fn frame_rate(total: usize, speed: f64) -> f64 {
    // A full run takes about three seconds at 1×, however many steps it has.
    (total as f64 / 180.0).max(1.0 / 12.0) * speed
}

/// One animation frame: advance, draw; returns the milliseconds spent.
fn tick(ui: Ui) -> f64 {
    let perf = window().performance();
    let t0 = perf.as_ref().map(|p| p.now()).unwrap_or(0.0);
    let speed = ui.speed.get_untracked();
    let more = with_lab(|s| {
        let (_, total) = s.lab.progress();
        s.owed += frame_rate(total, speed);
        let n = s.owed.floor() as usize;
        s.owed -= n as f64;
        if n > 0 {
            s.lab.advance(n)
        } else {
            true
        }
    })
    .unwrap_or(false);
    draw(ui);
    if !more {
        ui.playing.set(false);
    }
    perf.map(|p| p.now()).unwrap_or(0.0) - t0
}

/// Starts the requestAnimationFrame loop (runs for the page's lifetime; idles when paused).
fn start_loop(ui: Ui) {
    type Frame = Rc<RefCell<Option<Closure<dyn FnMut()>>>>;
    let f: Frame = Rc::new(RefCell::new(None));
    let g = f.clone();
    *g.borrow_mut() = Some(Closure::new(move || {
        if ui.playing.get_untracked() {
            tick(ui);
        }
        if ui.pending.get_untracked().is_some() {
            background_work(ui, 8.0);
        }
        if let Some(cb) = f.borrow().as_ref() {
            let _ = window().request_animation_frame(cb.as_ref().unchecked_ref());
        }
    }));
    let first = g.borrow();
    if let Some(cb) = first.as_ref() {
        let _ = window().request_animation_frame(cb.as_ref().unchecked_ref());
    }
    drop(first);
}

pub(crate) fn play_pause(ui: Ui) {
    let done = with_lab(|s| {
        let (a, b) = s.lab.progress();
        a >= b
    })
    .unwrap_or(true);
    if done && !ui.playing.get_untracked() {
        with_lab(|s| s.lab.reset());
    }
    ui.playing.update(|p| *p = !*p);
}

pub(crate) fn single_step(ui: Ui) {
    ui.playing.set(false);
    with_lab(|s| s.lab.advance(1));
    draw(ui);
}

pub(crate) fn reset(ui: Ui) {
    with_lab(|s| {
        s.lab.reset();
        s.owed = 0.0;
    });
    draw(ui);
}

fn pointer_data(ev: &web_sys::PointerEvent) -> Option<(f64, f64)> {
    let dpr = theme().scale;
    with_lab(|s| s.frame.and_then(|f| f.to_data(ev.offset_x() as f64 * dpr, ev.offset_y() as f64 * dpr))).flatten()
}

fn on_pointer(ui: Ui, ev: web_sys::PointerEvent, kind: &str) {
    match kind {
        "down" => {
            if let Some((x, y)) = pointer_data(&ev) {
                ev.prevent_default();
                if let Some(t) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                    let _ = t.set_pointer_capture(ev.pointer_id());
                }
                with_lab(|s| s.dragging = true);
                if with_lab(|s| s.lab.pointer(x, y)) == Some(true) {
                    changed(ui);
                }
            }
        }
        "move" => {
            let Some((x, y)) = pointer_data(&ev) else {
                ui.hover.set(String::new());
                return;
            };
            if with_lab(|s| s.dragging) == Some(true) && with_lab(|s| s.lab.pointer(x, y)) == Some(true) {
                changed(ui);
            }
            ui.hover.set(with_lab(|s| s.lab.hover(x, y)).flatten().unwrap_or_default());
        }
        _ => {
            with_lab(|s| s.dragging = false);
        }
    }
}

/// Benchmark mode (`bench=1`): times frames of a full run and parameter-change redraws at the
/// default settings and writes JSON into `#bench`.
fn run_bench(ui: Ui) {
    ui.playing.set(false);
    let perf = window().performance().expect("performance");
    let mut frames = Vec::new();
    reset(ui);
    // Frames are timed over finished background work (e.g. the diffusion lab's solves), which the
    // page otherwise spreads over idle time: a frame is step + draw only.
    with_lab(|s| s.lab.complete());
    for _ in 0..2000 {
        let ms = tick(ui);
        frames.push(ms);
        if with_lab(|s| s.lab.progress().0 >= s.lab.progress().1).unwrap_or(true) {
            break;
        }
    }
    // Parameter changes: nudge the first numeric control that leaves the cached background as it
    // is (a slider event: replay + redraw of paths and charts) through a few values.
    let first = with_lab(|s| {
        let bg = s.lab.background_key();
        s.lab.controls().into_iter().find_map(|c| match (c.kind, c.value) {
            (crate::lab::ControlKind::Num { min, max, .. }, Value::Num(v)) if c.visible => {
                let t = min + (max - min) * 0.3;
                let keeps = s.lab.set_value(c.key, &Value::Num(t)).is_ok() && s.lab.background_key() == bg;
                let _ = s.lab.set_value(c.key, &Value::Num(v));
                keeps.then_some((c.key, min, max, v))
            }
            _ => None,
        })
    })
    .flatten();
    let mut changes = Vec::new();
    if let Some((key, min, max, v)) = first {
        for k in 0..40 {
            let t = min + (max - min) * (0.3 + 0.01 * k as f64);
            let t0 = perf.now();
            with_lab(|s| s.lab.set_value(key, &Value::Num(if k == 39 { v } else { t })));
            draw(ui);
            changes.push(perf.now() - t0);
        }
    }
    // Every visible numeric control, a few values each: the slowest slider shows in p95/max.
    let mut all = Vec::new();
    let nums: Vec<(&'static str, f64, f64, f64)> = with_lab(|s| {
        s.lab
            .controls()
            .into_iter()
            .filter_map(|c| match (c.kind, c.value) {
                (crate::lab::ControlKind::Num { min, max, .. }, Value::Num(v)) if c.visible => Some((c.key, min, max, v)),
                _ => None,
            })
            .collect()
    })
    .unwrap_or_default();
    for (key, min, max, v) in nums {
        for k in 0..6 {
            let t = if k == 5 { v } else { min + (max - min) * (0.2 + 0.13 * k as f64) };
            let t0 = perf.now();
            with_lab(|s| s.lab.set_value(key, &Value::Num(t)));
            draw(ui);
            all.push(perf.now() - t0);
        }
    }
    // Background redraw (heat map) cost, forced.
    let mut bgs = Vec::new();
    for _ in 0..10 {
        with_lab(|s| {
            s.bg_drawn = None;
            s.aux_bg = None;
        });
        let t0 = perf.now();
        draw(ui);
        bgs.push(perf.now() - t0);
    }
    let stats = |v: &mut Vec<f64>| -> String {
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
    };
    // A keystroke in the first text field (a typed formula): parse, replay and redraw with a new
    // heat map, alternating between two formulas that differ (`(f)+0` compiles to more instructions).
    let mut keys = Vec::new();
    let text = with_lab(|s| {
        s.lab.controls().into_iter().find_map(|c| match (&c.kind, &c.value) {
            (crate::lab::ControlKind::Text { .. }, Value::Text(v)) if c.visible => Some((c.key, v.clone())),
            _ => None,
        })
    })
    .flatten();
    if let Some((key, v)) = &text {
        for k in 0..20 {
            let typed = if k % 2 == 0 { format!("({v})+0") } else { v.clone() };
            let t0 = perf.now();
            with_lab(|s| s.lab.set_text(key, &typed));
            draw(ui);
            keys.push(perf.now() - t0);
        }
    }
    // Dragging on the main figure: pointer events along a small circle around its centre, each
    // followed by a redraw (what a drag costs per frame).
    let mut drags = Vec::new();
    if let Some(f) = with_lab(|s| s.frame).flatten() {
        let (cx, cy) = ((f.x.0 + f.x.1) / 2.0, (f.y.0 + f.y.1) / 2.0);
        let r = (f.x.1 - f.x.0).abs().min((f.y.1 - f.y.0).abs()) * 0.15;
        for k in 0..30 {
            let a = k as f64 * 0.21;
            let t0 = perf.now();
            if with_lab(|s| s.lab.pointer(cx + r * a.cos(), cy + r * a.sin())) == Some(true) {
                draw(ui);
                drags.push(perf.now() - t0);
            }
        }
    }
    let plot = canvas("main-bg").map(|c| (c.width(), c.height())).unwrap_or((0, 0));
    let slug = with_lab(|s| s.lab.slug()).unwrap_or("");
    let json = format!(
        "{{\"lab\":\"{slug}\",\"canvas\":[{},{}],\"control\":\"{}\",\"frame\":{},\"param_change\":{},\"every_slider\":{},\"background\":{},\"keystroke\":{},\"drag\":{}}}",
        plot.0,
        plot.1,
        first.map(|f| f.0).unwrap_or(""),
        stats(&mut frames),
        stats(&mut changes),
        stats(&mut all),
        stats(&mut bgs),
        stats(&mut keys),
        stats(&mut drags)
    );
    if let Some(el) = document().get_element_by_id("bench") {
        el.set_text_content(Some(&json));
    }
}

/// Installs a panic hook that shows an error box instead of leaving a dead page.
fn panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            if let Ok(div) = doc.create_element("div") {
                div.set_id("panic");
                let _ = div.set_attribute("role", "alert");
                div.set_text_content(Some(&tf("flowlab hit an internal error and stopped. Reload the page; if it happens again, please report this link and message: {}", &[info])));
                if let Some(body) = doc.body() {
                    let _ = body.prepend_with_node_1(&div);
                }
            }
        }
    }));
}

/// Reloads the page in another language (all state is in the URL, so nothing is lost).
fn switch_lang(key: &str) {
    let mut pairs: Vec<(String, String)> = query_pairs().into_iter().filter(|(k, _)| k != "lang").collect();
    pairs.push(("lang".into(), key.into()));
    let q: Vec<String> =
        pairs.iter().map(|(k, v)| format!("{}={}", crate::lab::percent_encode(k), crate::lab::percent_encode(v))).collect();
    let _ = window().location().set_search(&q.join("&"));
}

/// The language from `lang=` in the URL, else the browser's, else English.
fn choose_lang(pairs: &[(String, String)]) -> Lang {
    shell_flag(pairs, "lang")
        .and_then(|l| Lang::parse(&l))
        .or_else(|| window().navigator().language().and_then(|l| Lang::parse(&l)))
        .unwrap_or(Lang::En)
}

/// Entry point of the web app.
pub fn start() {
    panic_hook();
    let pairs = query_pairs();
    FORCED_DARK.with(|f| {
        f.set(match shell_flag(&pairs, "theme").as_deref() {
            Some("dark") => Some(true),
            Some("light") => Some(false),
            _ => None,
        })
    });
    let lang = choose_lang(&pairs);
    crate::i18n::set_lang(lang);
    if let Some(html) = document().document_element() {
        let _ = html.set_attribute("lang", lang.tag());
    }
    let slug = shell_flag(&pairs, "lab");
    let entry = slug.as_deref().and_then(labs::find);
    let ui = Ui {
        version: RwSignal::new(0),
        progress: RwSignal::new((0, 0)),
        playing: RwSignal::new(false),
        speed: RwSignal::new(1.0),
        notices: RwSignal::new(Vec::new()),
        hover: RwSignal::new(String::new()),
        error: RwSignal::new(None),
        pending: RwSignal::new(None),
    };
    let Some(entry) = entry else {
        let unknown = slug.filter(|s| !s.is_empty());
        leptos::mount::mount_to_body(move || view! { <Landing unknown=unknown.clone()/> });
        draw_thumbnails();
        mark_ready();
        return;
    };
    let mut lab = (entry.make)();
    let notes = lab.apply_query(&pairs);
    ui.notices.set(notes.iter().map(Notice::message).collect());
    let autoplay = match shell_flag(&pairs, "autoplay").as_deref() {
        Some("0") => false,
        Some("1") => true,
        _ => !prefers("(prefers-reduced-motion: reduce)"),
    };
    if !autoplay {
        // The animation jumps to its end; background work still runs in chunks (the page must not freeze).
        lab.advance(usize::MAX);
    }
    let embed =
        Embed { on: shell_flag(&pairs, "embed").as_deref() == Some("1"), controls: shell_flag(&pairs, "controls").as_deref() != Some("0") };
    let hide: Vec<String> = shell_flag(&pairs, "hide")
        .map(|h| h.split(',').map(|k| k.trim().to_string()).filter(|k| !k.is_empty()).collect())
        .unwrap_or_default();
    SHELL.with(|s| {
        *s.borrow_mut() = Some(Shell {
            lab,
            bg_drawn: None,
            aux_scratch: None,
            aux_bg: None,
            aux_composed: None,
            frame: None,
            owed: 0.0,
            dragging: false,
            hide,
            live_at: -1e9,
        })
    });
    leptos::mount::mount_to_body(move || view! { <LabPage ui=ui embed=embed/> });
    if !notes.is_empty() {
        // The URL shows what is actually used: clamped and ignored values are rewritten.
        sync_url();
    }
    layout();
    draw(ui);
    install_listeners(ui);
    if embed.on {
        post_height_on_resize();
    }
    start_loop(ui);
    if shell_flag(&pairs, "bench").as_deref() == Some("1") {
        run_bench(ui);
    } else if autoplay {
        ui.playing.set(true);
    }
    mark_ready();
}

fn mark_ready() {
    if let Some(b) = document().body() {
        let _ = b.set_attribute("data-ready", "1");
    }
}

fn install_listeners(ui: Ui) {
    install_shortcuts(ui);
    // Resizes: relayout and redraw on the next frame.
    let on_resize = Closure::<dyn FnMut()>::new(move || {
        if layout() {
            draw(ui);
        }
    });
    let _ = window().add_event_listener_with_callback("resize", on_resize.as_ref().unchecked_ref());
    if let Some(fig) = document().get_element_by_id("figure") {
        if let Ok(ro) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
            ro.observe(&fig);
            std::mem::forget(ro);
        }
    }
    on_resize.forget();
    // Theme changes redraw with the other palette.
    if let Ok(Some(mq)) = window().match_media("(prefers-color-scheme: dark)") {
        let cb = Closure::<dyn FnMut()>::new(move || draw(ui));
        let _ = mq.add_event_listener_with_callback("change", cb.as_ref().unchecked_ref());
        cb.forget();
    }
    // Pointer on the main figure.
    if let Some(fg) = document().get_element_by_id("main-fg") {
        for (name, kind) in [("pointerdown", "down"), ("pointermove", "move"), ("pointerup", "up"), ("pointercancel", "up")] {
            let cb = Closure::<dyn FnMut(web_sys::PointerEvent)>::new(move |ev: web_sys::PointerEvent| on_pointer(ui, ev, kind));
            let _ = fg.add_event_listener_with_callback(name, cb.as_ref().unchecked_ref());
            cb.forget();
        }
        let leave = Closure::<dyn FnMut()>::new(move || ui.hover.set(String::new()));
        let _ = fg.add_event_listener_with_callback("pointerleave", leave.as_ref().unchecked_ref());
        leave.forget();
    }
}

/// Keyboard shortcuts on lab pages: Space play/pause, → single step, R reset, ? help. Keys typed
/// into a form field or pressed on a button keep their usual meaning.
fn install_shortcuts(ui: Ui) {
    let cb = Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(move |ev: web_sys::KeyboardEvent| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || ev.default_prevented() {
            return;
        }
        let tag = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).map(|e| e.tag_name()).unwrap_or_default();
        if matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA" | "BUTTON" | "A" | "SUMMARY") {
            return;
        }
        if document().query_selector("dialog[open]").ok().flatten().is_some() {
            return;
        }
        match ev.key().as_str() {
            " " => {
                ev.prevent_default();
                play_pause(ui);
            }
            "ArrowRight" => {
                ev.prevent_default();
                single_step(ui);
            }
            "r" | "R" => reset(ui),
            "?" => open_dialog("help"),
            _ => {}
        }
    });
    let _ = window().add_event_listener_with_callback("keydown", cb.as_ref().unchecked_ref());
    cb.forget();
}

/// Opens a `<dialog>` by id as a modal.
pub(crate) fn open_dialog(id: &str) {
    if let Some(d) = document().get_element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlDialogElement>().ok()) {
        if !d.open() {
            let _ = d.show_modal();
        }
    }
}

/// Closes a `<dialog>` by id.
pub(crate) fn close_dialog(id: &str) {
    if let Some(d) = document().get_element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlDialogElement>().ok()) {
        d.close();
    }
}

/// In embed mode, tells the parent page our height whenever it changes, in the LMS convention
/// `{"subject":"lti.frameResize","height":H}` (a serialised JSON string).
fn post_height_on_resize() {
    let last = Rc::new(RefCell::new(-1i32));
    let post = move || {
        let h = document().document_element().map(|e| e.scroll_height()).unwrap_or(0);
        if h != *last.borrow() {
            *last.borrow_mut() = h;
            if let Ok(Some(parent)) = window().parent() {
                let msg = format!("{{\"subject\":\"lti.frameResize\",\"height\":{h}}}");
                let _ = parent.post_message(&JsValue::from_str(&msg), "*");
            }
        }
    };
    post();
    let cb = Closure::<dyn FnMut()>::new(post);
    if let (Ok(ro), Some(body)) = (web_sys::ResizeObserver::new(cb.as_ref().unchecked_ref()), document().body()) {
        ro.observe(&body);
        std::mem::forget(ro);
    }
    cb.forget();
}

/// Draws each landing card's thumbnail with the lab's own render code at default settings.
fn draw_thumbnails() {
    let mut th = theme();
    let dpr = th.scale;
    // Thumbnails are small: draw text and strokes smaller than on the lab page.
    th.scale *= 0.6;
    for e in LABS {
        if let Some(c) = canvas(&format!("thumb-{}", e.slug)) {
            let w = (c.client_width() as f64).max(160.0);
            canvas::fit(&c, w, (w * 0.62).round(), dpr);
            let mut lab = (e.make)();
            lab.advance(usize::MAX);
            // Background work gets a small budget: the landing page must not wait for a reference solve.
            if let Some(perf) = window().performance() {
                let t0 = perf.now();
                while perf.now() - t0 < 30.0 && lab.work() {}
            }
            let _ = lab.render_canvas(Figure::Main, Layer::Background, &c, &th);
            // The foreground goes on top of the same canvas: draw it to a scratch canvas and copy.
            if let Ok(Some(el)) = document().create_element("canvas").map(|e| e.dyn_into::<HtmlCanvasElement>().ok()) {
                el.set_width(c.width());
                el.set_height(c.height());
                if lab.render_canvas(Figure::Main, Layer::Foreground, &el, &th).is_ok() {
                    if let Ok(Some(ctx)) = c.get_context("2d") {
                        if let Ok(ctx) = ctx.dyn_into::<web_sys::CanvasRenderingContext2d>() {
                            let _ = ctx.draw_image_with_html_canvas_element(&el, 0.0, 0.0);
                        }
                    }
                }
            }
        }
    }
}

#[component]
fn Header() -> impl IntoView {
    let current = shell_flag(&query_pairs(), "lab").unwrap_or_default();
    view! {
        <header class="site">
            <a class="brand" href="./">"flowlab"</a>
            <label class="lang">
                <span class="sr-only">{t("Language")}</span>
                <select id="lang" on:change=move |ev| switch_lang(&event_target_value(&ev))>
                    <option value="en" selected=crate::i18n::lang() == Lang::En>"English"</option>
                    <option value="zh" selected=crate::i18n::lang() == Lang::Zh lang="zh-Hans">"中文"</option>
                </select>
            </label>
            <nav aria-label=t("Labs")>
                {LABS.iter().map(|e| {
                    let here = e.slug == current;
                    view! { <a href=format!("?lab={}", e.slug) aria-current=if here { Some("page") } else { None }>{t((e.meta)().title)}</a> }
                }).collect_view()}
            </nav>
        </header>
    }
}

#[component]
fn Landing(unknown: Option<String>) -> impl IntoView {
    view! {
        <Header/>
        <main class="landing">
            {unknown.map(|u| view! { <p class="notice" role="status">{tf("There is no lab called '{}'. Pick one below.", &[&u])}</p> })}
            <h1>"flowlab"</h1>
            <p class="lead">{t("The mathematics of modern machine learning, live: move a slider and watch the optimizer, the flow or the distribution respond. Every figure is a link.")}</p>
            <ul class="cards">
                {LABS.iter().map(|e| {
                    let m = (e.meta)();
                    view! {
                        <li class="card" data-slug=e.slug>
                            <a href=format!("?lab={}", e.slug)>
                                <canvas id=format!("thumb-{}", e.slug) class="thumb" role="img" aria-label=t(m.main_caption)></canvas>
                                <h2>{t(m.title)}</h2>
                                <p>{t(m.tagline)}</p>
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </main>
    }
}

#[component]
fn LabPage(ui: Ui, embed: Embed) -> impl IntoView {
    let meta = with_lab(|s| s.lab.meta()).expect("lab");
    let slug = with_lab(|s| s.lab.slug()).unwrap_or("");
    let has_aux = with_lab(|s| s.lab.has_aux()).unwrap_or(false);
    let share_open = RwSignal::new(false);
    let readouts = move || {
        ui.version.get();
        ui.progress.get();
        with_lab(|s| s.lab.readouts()).unwrap_or_default()
    };
    let full = !embed.on;
    view! {
        {full.then(|| view! { <Header/> })}
        <main class="lab" class:embed=embed.on class:no-controls=!embed.controls data-lab=slug>
            {full.then(|| view! { <h1>{t(meta.title)}</h1><p class="lead">{t(meta.tagline)}</p> })}
            <div id="notice" class="notice" role="status" hidden=move || ui.notices.get().is_empty()>
                <strong>{t("Some parameters were not used as given:")}" "</strong>
                <ul>{move || ui.notices.get().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                <button type="button" class="dismiss" on:click=move |_| ui.notices.set(Vec::new())>{t("Dismiss")}</button>
            </div>
            <div id="error" class="error" role="alert" hidden=move || ui.error.get().is_none()>{move || ui.error.get().unwrap_or_default()}</div>
            <div class="lab-grid">
                <section class="figure-col" id="figure" aria-label=t("Figure")>
                    <div class="stack">
                        <canvas id="main-bg" role="img" aria-label=t(meta.main_caption)></canvas>
                        <canvas id="main-fg" aria-hidden="true"></canvas>
                    </div>
                    <p class="hover" aria-live="off">{move || { let h = ui.hover.get(); if h.is_empty() { with_lab(|s| s.lab.pointer_hint()).unwrap_or_default().to_string() } else { h } }}</p>
                    <div class="transport" role="group" aria-label=t("Animation")>
                        // A static lab (no steps) has nothing to animate: no transport buttons.
                        <span class="anim" hidden=move || ui.progress.get().1 == 0>
                            <button type="button" id="play" on:click=move |_| play_pause(ui) aria-keyshortcuts="Space">
                                {move || if ui.playing.get() { t("❚❚ Pause") } else { t("▶ Play") }}
                            </button>
                            <button type="button" id="step" on:click=move |_| single_step(ui) aria-keyshortcuts="ArrowRight">{t("Step ›")}</button>
                            <button type="button" id="reset" on:click=move |_| reset(ui) aria-keyshortcuts="R">{t("⟲ Reset")}</button>
                            <label class="speed">{t("Speed")}" "
                                <select id="speed" on:change=move |ev| { ui.speed.set(event_target_value(&ev).parse().unwrap_or(1.0)); }>
                                    <option value="0.25">"¼×"</option>
                                    <option value="0.5">"½×"</option>
                                    <option value="1" selected>"1×"</option>
                                    <option value="2">"2×"</option>
                                    <option value="4">"4×"</option>
                                </select>
                            </label>
                            <span id="progress" class="progress">{move || { let (a, b) = ui.progress.get(); tf("step {} / {}", &[&a, &b]) }}</span>
                        </span>
                        <span id="pending" class="pending" aria-live="off" hidden=move || ui.pending.get().is_none()>
                            {move || ui.pending.get().map(|(f, label)| view! {
                                <progress max="1" value=f.to_string()></progress>" "{t(label)}" "{format!("{:.0}%", f * 100.0)}
                            })}
                        </span>
                        <span class="spacer"></span>
                        <button type="button" id="share-open" on:click=move |_| { share_open.set(true); open_dialog("share"); }>{t("Share")}</button>
                        <button type="button" id="help-open" aria-label=t("Keyboard shortcuts") on:click=move |_| open_dialog("help")>"?"</button>
                    </div>
                    {has_aux.then(|| view! { <canvas id="aux" role="img" aria-label=t(meta.aux_caption)></canvas> })}
                    <div class="exports" role="group" aria-label=t("Download")>
                        <span>{t("Download")}" "</span>
                        {["png", "svg", "csv", "json"].into_iter().map(|k| view! {
                            <button type="button" id=format!("export-{k}") aria-label=tf("Download {}", &[&k.to_uppercase()])
                                on:click=move |_| if let Err(e) = export::export(k) { ui.error.set(Some(e)) }>{k.to_uppercase()}</button>
                        }).collect_view()}
                    </div>
                    <ul class="readouts" id="readouts">
                        {move || readouts().into_iter().map(|r| {
                            let cls = if r.warn { "warn" } else { "" };
                            let glyph = r.colour.map(|c| view! {
                                <span class="glyph" style=format!("color: var(--s{c})") aria-hidden="true">{crate::plot::Shape::nth(c).glyph().to_string()}</span>
                            });
                            view! { <li class=cls>{glyph}<b>{r.label}</b>" "{r.text}</li> }
                        }).collect_view()}
                    </ul>
                    <p id="live" class="sr-only" aria-live="polite"></p>
                </section>
                <aside class="controls" aria-label=t("Controls") hidden=!embed.controls>
                    <controls::Controls ui=ui/>
                </aside>
            </div>
            {full.then(|| view! {
                <section class="formula" aria-label=t("Formulas")>
                    <h2>{t("Formulas")}</h2>
                    <div id="formula" inner_html=move || {
                        ui.version.get();
                        // Wide formulas scroll inside their box: keyboard users must be able to focus it.
                        with_lab(|s| s.lab.formula()).unwrap_or_default().replace("<section class=\"rule\"", "<section class=\"rule\" tabindex=\"0\"")
                    }></div>
                </section>
                <section class="prose">
                    <h2>{t("What to look at")}</h2>
                    <p>{t(meta.look_at)}</p>
                    <h2>{t("Things to try")}</h2>
                    <ul class="try">
                        {meta.try_these.iter().map(|(text, q)| view! { <li><a href=format!("?lab={slug}&{q}")>{t(text)}</a></li> }).collect_view()}
                    </ul>
                </section>
            })}
            <p class="print-link">{move || { ui.version.get(); tf("Link: {}", &[&share::page_url(&[])]) }}</p>
            <pre id="bench" hidden=true></pre>
            <share::ShareDialog ui=ui open=share_open/>
            <dialog id="help" aria-labelledby="help-title">
                <h2 id="help-title">{t("Keyboard shortcuts")}</h2>
                <dl class="keys">
                    <dt><kbd>"Space"</kbd></dt><dd>{t("play / pause")}</dd>
                    <dt><kbd>"→"</kbd></dt><dd>{t("single step")}</dd>
                    <dt><kbd>"R"</kbd></dt><dd>{t("reset to step 0")}</dd>
                    <dt><kbd>"?"</kbd></dt><dd>{t("this help")}</dd>
                    <dt><kbd>"Tab"</kbd></dt><dd>{t("move between controls; arrow keys move a slider")}</dd>
                </dl>
                <button type="button" on:click=move |_| close_dialog("help")>{t("Close")}</button>
            </dialog>
        </main>
    }
}
