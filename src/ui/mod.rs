//! The browser shell: the only module that touches leptos and web-sys. It wires controls to the
//! lab's parameters, keeps the URL in sync, runs the animation loop and replays the lab's drawing
//! onto canvases. No maths here, and nothing lab-specific: everything comes from the registry.
//!
//! - [`shell`]: the state outside the reactive graph, the reactive handles, the URL options.
//! - [`url`]: the address bar. [`figure`] and [`canvas`]: layers, caches, replay.
//! - [`anim`]: the animation loop. [`input`]: pointer and keyboard.
//! - [`controls`], [`page`], [`landing`], [`share`], [`export`]: what is on the page.
//! - [`embed`]: iframe hosts. [`a11y`]: the screen-reader summary. [`bench`]: in-page timings.

mod a11y;
mod anim;
pub mod canvas;
mod controls;
mod embed;
mod export;
mod figure;
mod input;
mod landing;
mod page;
mod present;
mod share;
mod shell;
mod url;

pub(crate) mod bench;

use crate::i18n::{tf, Lang};
use crate::lab::{Notice, Value};
use crate::labs;
use crate::plot::theme::Theme;
use leptos::prelude::*;
use shell::{with_shell, ControlSignals, Shell, Ui};
use std::cell::Cell;
use wasm_bindgen::prelude::{Closure, JsValue};
use wasm_bindgen::JsCast;

fn window() -> web_sys::Window {
    // The app runs only in a window (never in a worker): its absence is unrecoverable.
    web_sys::window().expect("no window")
}

fn document() -> web_sys::Document {
    window().document().expect("no document")
}

thread_local! {
    /// `window.performance`, looked up once (each lookup creates a JS wrapper).
    static PERF: Option<web_sys::Performance> = web_sys::window().and_then(|w| w.performance());
}

/// Milliseconds since the page started.
fn now_ms() -> f64 {
    PERF.with(|p| p.as_ref().map(|p| p.now()).unwrap_or(0.0))
}

fn prefers(query: &str) -> bool {
    window().match_media(query).ok().flatten().map(|m| m.matches()).unwrap_or(false)
}

thread_local! {
    /// Dark theme in use (`theme=` in the URL, else the system setting; updated on change).
    static DARK: Cell<bool> = const { Cell::new(false) };
    /// Device pixel ratio (updated on resize: zooming changes it).
    static DPR: Cell<f64> = const { Cell::new(1.0) };
}

/// Reads the theme and pixel ratio from the browser (at start, on resize, on a theme change).
fn read_display() {
    DARK.with(|d| d.set(url::options().dark.unwrap_or_else(|| prefers("(prefers-color-scheme: dark)"))));
    DPR.with(|d| d.set(window().device_pixel_ratio()));
}

/// Whether runs start playing: `autoplay=` if given, else unless the reader prefers reduced motion.
pub(crate) fn autoplay() -> bool {
    url::options().autoplay.unwrap_or_else(|| !prefers("(prefers-reduced-motion: reduce)"))
}

/// The theme for canvases.
fn theme() -> Theme {
    // Presenter mode draws every stroke, marker and label larger (a projector at the back of a room).
    let dpr = DPR.with(|d| d.get()) * if present::active() { present::SCALE } else { 1.0 };
    if DARK.with(|d| d.get()) {
        Theme::dark(dpr)
    } else {
        Theme::light(dpr)
    }
}

/// What a widget hands to the lab.
pub(crate) enum Input<'a> {
    /// Text as typed (numeric fields, text fields, selects).
    Text(&'a str),
    /// A value (sliders, checkboxes, chips).
    Value(Value),
}

/// Applies a control change from the page. On success the notice about the key is replaced (by
/// a clamp notice, or none) and the page follows; on failure the notice says why and the last
/// good state is kept. Returns whether the value was used.
pub(crate) fn set_control(ui: Ui, key: &str, input: Input<'_>) -> bool {
    let res = with_shell(|s| match input {
        Input::Text(t) => s.lab.set_text(key, t),
        Input::Value(v) => s.lab.set_value(key, &v),
    });
    match res {
        Some(Ok(note)) => {
            ui.notice(key, note);
            changed(ui);
            true
        }
        Some(Err(n)) => {
            ui.notice(key, Some(n));
            false
        }
        None => false,
    }
}

/// After a parameter change: the figure, the readouts and the widgets whose value or visibility
/// changed now; the URL and the formula panel once changes pause.
pub(crate) fn changed(ui: Ui) {
    url::changed_later();
    // The frames right after an input are the figure's: background work resumes after them, so a
    // slider moves the picture at once even while a long computation is pending.
    with_shell(|s| s.quiet_frames = 2);
    input::relayout_if_needed();
    draw(ui);
    sync_controls(ui);
    sync_refusals(ui);
}

/// Shows the lab's refusals (settings kept but not applied now) as notices, by key: one appears
/// when its combination arises and goes when it is resolved. The signal is touched only when
/// they changed, so a slider event costs no notice work.
fn sync_refusals(ui: Ui) {
    let now = with_shell(|s| s.lab.refusals()).unwrap_or_default();
    let shown: Vec<Notice> = ui.notices.with_untracked(|v| v.iter().filter(|n| matches!(n, Notice::Refused { .. })).cloned().collect());
    if shown == now {
        return;
    }
    ui.notices.update(|v| {
        v.retain(|n| !matches!(n, Notice::Refused { .. }) && !now.iter().any(|r| r.key() == n.key()));
        v.extend(now);
    });
}

/// Sets each control's signals to the lab's current value, visibility and range where they differ.
fn sync_controls(ui: Ui) {
    let Some((values, visible, bounds)) = with_shell(|s| (s.lab.values(), s.lab.visibility(), s.lab.bounds())) else { return };
    ui.controls.with_value(|sigs| {
        for (((sig, v), vis), b) in sigs.iter().zip(values).zip(visible).zip(bounds) {
            if sig.value.with_untracked(|old| *old != v) {
                sig.value.set(v);
            }
            if sig.visible.get_untracked() != vis {
                sig.visible.set(vis);
            }
            if sig.bounds.get_untracked() != b {
                sig.bounds.set(b);
            }
        }
    });
}

fn refresh_formulas(ui: Ui) {
    if let Some(f) = with_shell(|s| s.lab.formulas()) {
        if ui.formulas.with_untracked(|old| *old != f) {
            ui.formulas.set(f);
        }
    }
}

/// Draws what is stale, then the readouts, progress and pending indicators.
fn draw(ui: Ui) {
    draw_frame(ui);
    refresh_panels(ui);
}

/// Draws what is stale on the canvases (as drafts while a slider moves).
fn draw_frame(ui: Ui) {
    let mut th = theme();
    if let Some(Err(e)) = with_shell(|s| {
        th.draft = s.drafting;
        s.figures.draw(s.lab.as_ref(), &th)
    }) {
        ui.error.set(Some(e));
    }
}

/// A slider's `input` event: what it changes is drawn as a draft until the change settles.
pub(crate) fn start_draft() {
    with_shell(|s| s.drafting = true);
}

/// Once changes settle: layers drawn as drafts are drawn again in full.
pub(crate) fn end_draft(ui: Ui) {
    let drafted = with_shell(|s| {
        s.drafting = false;
        s.figures.has_draft()
    })
    .unwrap_or(false);
    if drafted {
        draw_frame(ui);
    }
}

/// Milliseconds between two refreshes of the text panels while a run plays or work progresses:
/// numbers a person can read, without a layout of the page on every frame.
const PANELS_EVERY_MS: f64 = 120.0;

/// During animation and background work: the text panels at most every [`PANELS_EVERY_MS`].
fn refresh_panels_throttled(ui: Ui) {
    let t = now_ms();
    if with_shell(|s| t - s.panels_at >= PANELS_EVERY_MS).unwrap_or(false) {
        refresh_panels(ui);
    }
}

/// The readouts, the step counter and the progress bar, where they changed.
fn refresh_panels(ui: Ui) {
    let t = now_ms();
    if let Some((progress, pending, readouts)) = with_shell(|s| {
        s.panels_at = t;
        (s.lab.progress(), s.lab.pending(), s.lab.readouts())
    }) {
        if ui.progress.get_untracked() != progress {
            ui.progress.set(progress);
        }
        if ui.pending.get_untracked() != pending {
            ui.pending.set(pending);
        }
        if ui.readouts.with_untracked(|old| *old != readouts) {
            ui.readouts.set(readouts);
        }
    }
    a11y::update_live(false);
}

pub(crate) fn play_pause(ui: Ui) {
    let done = with_shell(|s| {
        let (a, b) = s.lab.progress();
        a >= b
    })
    .unwrap_or(true);
    if done && !ui.playing.get_untracked() {
        with_shell(|s| s.lab.reset());
    }
    ui.playing.update(|p| *p = !*p);
}

pub(crate) fn single_step(ui: Ui) {
    ui.playing.set(false);
    with_shell(|s| s.lab.advance(1));
    draw(ui);
}

pub(crate) fn reset(ui: Ui) {
    with_shell(|s| {
        s.lab.reset();
        s.owed = 0.0;
    });
    draw(ui);
}

/// Opens a `<dialog>` by id as a modal.
pub(crate) fn open_dialog(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(d) = document().get_element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlDialogElement>().ok()) {
        if !d.open() {
            let _ = d.show_modal();
        }
    }
}

/// Closes a `<dialog>` by id.
pub(crate) fn close_dialog(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(d) = document().get_element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlDialogElement>().ok()) {
        d.close();
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

/// The language from `lang=` in the URL, else the browser's, else English.
fn choose_lang() -> Lang {
    url::options()
        .lang
        .as_deref()
        .and_then(Lang::parse)
        .or_else(|| window().navigator().language().and_then(|l| Lang::parse(&l)))
        .unwrap_or(Lang::En)
}

/// Labels are laid out with the widths `measureText` gives. If the page's fonts were still being
/// resolved at the first draw, the cached layers keep those widths until their key changes: once
/// `document.fonts.ready` settles, every layer is drawn again (a reload then shows exactly the
/// figure it showed before).
fn redraw_when_fonts_ready(ui: Ui) {
    let ready = js_sys::Reflect::get(&document(), &JsValue::from_str("fonts"))
        .and_then(|f| js_sys::Reflect::get(&f, &JsValue::from_str("ready")))
        .ok()
        .and_then(|p| p.dyn_into::<js_sys::Promise>().ok());
    if let Some(p) = ready {
        let cb = Closure::once(move |_: JsValue| {
            with_shell(|s| s.figures.invalidate());
            draw(ui);
        });
        let _ = p.then(&cb);
        cb.forget();
    }
}

fn mark_ready() {
    if let Some(b) = document().body() {
        let _ = b.set_attribute("data-ready", "1");
    }
}

/// Entry point of the web app.
pub fn start() {
    panic_hook();
    crate::plot::backend::set_text_measure(canvas::measure);
    read_display();
    let opts = url::options();
    let lang = choose_lang();
    crate::i18n::set_lang(lang);
    if let Some(html) = document().document_element() {
        let _ = html.set_attribute("lang", lang.tag());
    }
    let Some(entry) = opts.lab.as_deref().and_then(labs::find) else {
        let unknown = opts.lab.clone().filter(|s| !s.is_empty());
        leptos::mount::mount_to_body(move || view! { <landing::Landing unknown=unknown.clone()/> });
        landing::draw_thumbnails(&theme());
        mark_ready();
        return;
    };
    let mut lab = (entry.make)();
    let notes: Vec<Notice> = lab.apply_query(&opts.pairs);
    // `present=1&try=N` with no lab parameters: the step's state (a link to a step). With
    // parameters, the URL is the state (a step written by the page, then perhaps adjusted).
    let step = opts.step.filter(|_| opts.present).map(|k| k.min(entry.meta.try_these.len().saturating_sub(1)));
    if let Some(k) = step.filter(|_| opts.pairs.iter().all(|(k, _)| crate::lab::SHELL_KEYS.contains(&k.as_str()))) {
        if let Some((_, q)) = entry.meta.try_these.get(k) {
            lab.apply_query(&crate::lab::parse_query(q));
        }
    }
    let autoplay = autoplay();
    if !autoplay {
        // The animation jumps to its end; background work still runs in chunks (the page must not freeze).
        lab.advance(usize::MAX);
    }
    let controls: Vec<ControlSignals> = lab
        .values()
        .into_iter()
        .zip(lab.visibility())
        .zip(lab.bounds())
        .map(|((v, vis), b)| ControlSignals { value: RwSignal::new(v), visible: RwSignal::new(vis), bounds: RwSignal::new(b) })
        .collect();
    let ui = Ui {
        controls: StoredValue::new(controls),
        progress: RwSignal::new(lab.progress()),
        playing: RwSignal::new(false),
        speed: RwSignal::new(1.0),
        notices: RwSignal::new(notes.clone()),
        hover: RwSignal::new(String::new()),
        error: RwSignal::new(None),
        pending: RwSignal::new(lab.pending()),
        readouts: RwSignal::new(lab.readouts()),
        formulas: RwSignal::new(lab.formulas()),
        url: RwSignal::new(0),
        present: RwSignal::new(false),
        step: RwSignal::new(step.filter(|_| !entry.meta.try_these.is_empty())),
        drawer: RwSignal::new(false),
    };
    let controls_info = lab.controls();
    let meta = lab.meta();
    let slug = lab.slug();
    shell::install(Shell {
        lab,
        figures: Default::default(),
        owed: 0.0,
        drag: None,
        live_at: -1e9,
        settle_at: None,
        quiet_frames: 0,
        panels_at: -1e9,
        suspended: false,
        resume_play: false,
        drafting: false,
    });
    let refs = page::Refs::default();
    leptos::mount::mount_to_body(move || {
        provide_context(ui);
        view! { <page::LabPage ui=ui refs=refs meta=meta slug=slug controls=controls_info.clone()/> }
    });
    with_shell(|s| {
        s.figures.main_bg = refs.main_bg.get_untracked().and_then(canvas::Surface::on_page);
        s.figures.main_fg = refs.main_fg.get_untracked().and_then(canvas::Surface::on_page);
        s.figures.aux_bg = refs.aux_bg.get_untracked().and_then(canvas::Surface::on_page);
        s.figures.aux = refs.aux.get_untracked().and_then(canvas::Surface::on_page);
    });
    if !notes.is_empty() {
        // The URL shows what is actually used: clamped and ignored values are rewritten.
        url::write_now(ui);
    }
    if opts.present && !opts.embed {
        present::set(ui, true);
    }
    input::layout();
    draw(ui);
    // For the benchmark's "load → first figure" (a lazily loaded slide rebuilds the page each time).
    let _ = window().performance().map(|p| p.mark("flowlab:first-figure"));
    redraw_when_fonts_ready(ui);
    input::install(ui);
    embed::install(ui, opts.embed);
    anim::start_loop(ui);
    url::start_settler(ui);
    if opts.bench {
        bench::run(ui);
    } else if autoplay {
        ui.playing.set(true);
    }
    mark_ready();
}
