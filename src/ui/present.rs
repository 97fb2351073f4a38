//! Presenter mode (`present=1`, or the Present button): the figure fills the screen and every
//! stroke, marker and label is drawn [`SCALE`]× larger for the back of a lecture hall; the controls
//! move into a drawer over the figure; `F` toggles the Fullscreen API; and the lab's "Things to
//! try" become a numbered stepper (← / →, or PageUp / PageDown as presentation clickers send):
//! each step sets its state and shows its one-sentence point. The URL keeps the step (`try=3`).

use super::shell::{with_shell, Ui};
use super::{changed, document, draw, input, url};
use crate::i18n::t;
use crate::lab::{parse_query, LabMeta};
use leptos::prelude::*;
use std::cell::Cell;

/// How much larger strokes, markers and labels are drawn in presenter mode.
pub const SCALE: f64 = 1.6;

thread_local! {
    static ON: Cell<bool> = const { Cell::new(false) };
}

/// Whether presenter mode is on (the canvas theme reads it).
pub(crate) fn active() -> bool {
    ON.with(Cell::get)
}

/// Turns presenter mode on or off: page layout, figure scale, URL.
pub(crate) fn set(ui: Ui, on: bool) {
    ON.with(|c| c.set(on));
    ui.present.set(on);
    if !on {
        ui.drawer.set(false);
    }
    if let Some(b) = document().body() {
        let _ = if on { b.class_list().add_1("present") } else { b.class_list().remove_1("present") };
    }
    with_shell(|s| s.figures.invalidate());
    input::layout();
    draw(ui);
    url::write_now(ui);
}

/// Goes to "Things to try" step `k` (0-based, clamped): the lab's defaults plus the step's query.
pub(crate) fn go(ui: Ui, meta: &'static LabMeta, k: usize) {
    let n = meta.try_these.len();
    if n == 0 {
        return;
    }
    let k = k.min(n - 1);
    let pairs = parse_query(meta.try_these[k].1);
    let autoplay = super::autoplay();
    with_shell(|s| {
        s.lab.restore_defaults();
        s.lab.apply_query(&pairs);
        if !autoplay {
            s.lab.advance(usize::MAX);
        }
        s.owed = 0.0;
    });
    ui.notices.set(Vec::new());
    ui.step.set(Some(k));
    changed(ui);
    ui.playing.set(autoplay);
    url::write_now(ui);
}

/// One step forward (`+1`) or back (`-1`).
pub(crate) fn advance(ui: Ui, meta: &'static LabMeta, delta: i32) {
    let next = match ui.step.get_untracked() {
        None => 0,
        Some(k) => (k as i64 + delta as i64).max(0) as usize,
    };
    go(ui, meta, next);
}

/// Enters or leaves full screen (the Fullscreen API; refused silently without a user gesture).
pub(crate) fn toggle_fullscreen() {
    let doc = document();
    if doc.fullscreen_element().is_some() {
        doc.exit_fullscreen();
    } else if let Some(e) = doc.document_element() {
        let _ = e.request_fullscreen();
    }
}

/// The presenter's bar: the stepper, the control drawer, full screen, exit.
#[component]
pub(crate) fn Stepper(ui: Ui, meta: &'static LabMeta) -> impl IntoView {
    let n = meta.try_these.len();
    let point = move || {
        ui.step.get().and_then(|k| meta.try_these.get(k)).map(|(text, _)| meta.t(text)).unwrap_or(t("Things to try: press → to begin"))
    };
    let count = move || ui.step.get().map_or_else(|| format!("– / {n}"), |k| format!("{} / {n}", k + 1));
    view! {
        <div class="stepper" role="group" aria-label=t("Things to try") hidden=move || !ui.present.get()>
            <button type="button" id="try-prev" aria-label=t("previous step") aria-keyshortcuts="ArrowLeft PageUp" hidden=n == 0
                on:click=move |_| advance(ui, meta, -1)>"‹"</button>
            <span id="try-count" class="count" hidden=n == 0>{count}</span>
            <span id="try-point" class="point" aria-live="polite">{move || if n == 0 { String::new() } else { point().to_string() }}</span>
            <button type="button" id="try-next" aria-label=t("next step") aria-keyshortcuts="ArrowRight PageDown" hidden=n == 0
                on:click=move |_| advance(ui, meta, 1)>"›"</button>
            <button type="button" id="drawer-open" aria-expanded=move || ui.drawer.get().to_string() on:click=move |_| ui.drawer.update(|d| *d = !*d)>{t("Controls")}</button>
            <button type="button" id="fullscreen" aria-keyshortcuts="F" on:click=move |_| toggle_fullscreen()>{t("Full screen")}</button>
            <button type="button" id="present-exit" on:click=move |_| set(ui, false)>{t("Exit")}</button>
        </div>
    }
}

/// Keys of presenter mode; returns whether the key was taken.
pub(crate) fn on_key(ui: Ui, meta: &'static LabMeta, key: &str) -> bool {
    match key {
        "ArrowRight" | "PageDown" => advance(ui, meta, 1),
        "ArrowLeft" | "PageUp" => advance(ui, meta, -1),
        "f" | "F" => toggle_fullscreen(),
        "Escape" if ui.drawer.get_untracked() => ui.drawer.set(false),
        _ => return false,
    }
    true
}
