//! Input that is not a control widget: the pointer on the plot (press, drag, hover), keyboard
//! shortcuts, window resizes and theme changes.

use super::shell::{with_shell, Ui};
use super::{changed, document, draw, open_dialog, play_pause, read_display, reset, single_step, window, DPR};
use crate::lab::Figure;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

thread_local! {
    /// The figure width and the heights the lab asked for at the last layout.
    static LAID_OUT: std::cell::Cell<(f64, Option<f64>, Option<f64>)> = const { std::cell::Cell::new((0.0, None, None)) };
}

/// Lays the figures out again if the lab now wants other heights at the same width (a parameter
/// change that stacks or unstacks panels); cheap otherwise (no DOM read).
pub(crate) fn relayout_if_needed() -> bool {
    let (w, main, aux) = LAID_OUT.with(|l| l.get());
    if w <= 0.0 {
        return false;
    }
    let now = with_shell(|s| (s.lab.figure_height(Figure::Main, w), s.lab.figure_height(Figure::Aux, w)));
    now.is_some_and(|n| n != (main, aux)) && layout()
}

/// Sizes the canvases to their containers; returns whether any backing store changed.
pub(crate) fn layout() -> bool {
    let dpr = DPR.with(|d| d.get());
    let Some(fig) = document().get_element_by_id("figure") else { return false };
    let w = (fig.client_width() as f64).max(200.0);
    // The figure fits the window's height, except in a frame whose height follows the content.
    let vh =
        if super::embed::auto_height() { f64::INFINITY } else { window().inner_height().ok().and_then(|v| v.as_f64()).unwrap_or(800.0) };
    let (main, aux) = with_shell(|s| (s.lab.figure_height(Figure::Main, w), s.lab.figure_height(Figure::Aux, w))).unwrap_or((None, None));
    LAID_OUT.with(|l| l.set((w, main, aux)));
    let main_h = if super::present::active() {
        // Presenter mode: the figure fills the window under the stepper and the transport bar.
        (vh - 210.0).min(w * 0.9)
    } else {
        main.map_or_else(|| (w * 0.78).min(vh * 0.72), |h| h.min(4.0 * w))
    }
    .max(240.0)
    .round();
    let aux_h = aux.map_or_else(|| (w * 0.3).clamp(150.0, 260.0), |h| h.min(4.0 * w)).max(120.0).round();
    with_shell(|s| {
        let mut changed = false;
        for c in [&s.figures.main_bg, &s.figures.main_fg].into_iter().flatten() {
            changed |= super::canvas::fit(c, w, main_h, dpr);
        }
        for c in [&s.figures.aux_bg, &s.figures.aux].into_iter().flatten() {
            changed |= super::canvas::fit(c, w, aux_h, dpr);
        }
        changed
    })
    .unwrap_or(false)
}

fn pointer_data(ev: &web_sys::PointerEvent) -> Option<(f64, f64)> {
    let dpr = DPR.with(|d| d.get());
    with_shell(|s| s.figures.frame.and_then(|f| f.to_data(ev.offset_x() as f64 * dpr, ev.offset_y() as f64 * dpr))).flatten()
}

#[derive(Clone, Copy, PartialEq)]
enum Press {
    Down,
    Move,
    Up,
}

fn on_pointer(ui: Ui, ev: web_sys::PointerEvent, kind: Press) {
    match kind {
        Press::Down => {
            if let Some((x, y)) = pointer_data(&ev) {
                ev.prevent_default();
                if let Some(t) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                    let _ = t.set_pointer_capture(ev.pointer_id());
                }
                if with_shell(|s| {
                    s.drag = Some((x, y));
                    s.lab.pointer(x, y)
                }) == Some(true)
                {
                    changed(ui);
                }
            }
        }
        Press::Move => {
            let Some((x, y)) = pointer_data(&ev) else {
                ui.hover.set(String::new());
                return;
            };
            let moved = with_shell(|s| match s.drag.replace((x, y)) {
                Some(from) => s.lab.stroke(from, (x, y)),
                None => {
                    s.drag = None;
                    false
                }
            });
            if moved == Some(true) {
                changed(ui);
            }
            let h = with_shell(|s| s.lab.hover(x, y)).flatten().unwrap_or_default();
            if ui.hover.with_untracked(|old| *old != h) {
                ui.hover.set(h);
            }
        }
        Press::Up => {
            if with_shell(|s| s.drag.take().is_some()) == Some(true) {
                super::url::changed_soon();
            }
        }
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
        if document().query_selector("dialog[open]").ok().flatten().is_some() {
            return;
        }
        // A presenter's clicker sends PageUp/PageDown wherever the focus is (after a click on the
        // stepper it is on a button); only fields keep their own keys.
        if ui.present.get_untracked() && !matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA") {
            if let Some(meta) = with_shell(|s| s.lab.meta()) {
                if super::present::on_key(ui, meta, &ev.key()) {
                    ev.prevent_default();
                    return;
                }
            }
        }
        if matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA" | "BUTTON" | "A" | "SUMMARY") {
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

/// Resizes, theme changes, the pointer on the plot and the keyboard.
pub(crate) fn install(ui: Ui) {
    install_shortcuts(ui);
    // Resizes (and zoom, which changes the pixel ratio): relayout and redraw.
    let on_resize = Closure::<dyn FnMut()>::new(move || {
        read_display();
        if layout() {
            draw(ui);
        }
    });
    let _ = window().add_event_listener_with_callback("resize", on_resize.as_ref().unchecked_ref());
    if let Some(fig) = document().get_element_by_id("figure") {
        if let Ok(ro) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
            ro.observe(&fig);
            // Observes for the page's lifetime.
            std::mem::forget(ro);
        }
    }
    on_resize.forget();
    // Theme changes redraw with the other palette.
    if let Ok(Some(mq)) = window().match_media("(prefers-color-scheme: dark)") {
        let cb = Closure::<dyn FnMut()>::new(move || {
            read_display();
            draw(ui);
        });
        let _ = mq.add_event_listener_with_callback("change", cb.as_ref().unchecked_ref());
        cb.forget();
    }
    let Some(fg) = with_shell(|s| s.figures.main_fg.clone()).flatten() else { return };
    for (name, kind) in [("pointerdown", Press::Down), ("pointermove", Press::Move), ("pointerup", Press::Up), ("pointercancel", Press::Up)]
    {
        let cb = Closure::<dyn FnMut(web_sys::PointerEvent)>::new(move |ev: web_sys::PointerEvent| on_pointer(ui, ev, kind));
        let _ = fg.add_event_listener_with_callback(name, cb.as_ref().unchecked_ref());
        cb.forget();
    }
    let leave = Closure::<dyn FnMut()>::new(move || ui.hover.set(String::new()));
    let _ = fg.add_event_listener_with_callback("pointerleave", leave.as_ref().unchecked_ref());
    leave.forget();
}
