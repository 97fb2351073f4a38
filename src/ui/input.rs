//! Input that is not a control widget: the pointer on the plot (press, drag, hover), keyboard
//! shortcuts, window resizes and theme changes.

use super::shell::{with_shell, Ui};
use super::{changed, document, draw, open_dialog, play_pause, read_display, reset, single_step, window, DPR};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Sizes the canvases to their containers; returns whether any backing store changed.
pub(crate) fn layout() -> bool {
    let dpr = DPR.with(|d| d.get());
    let Some(fig) = document().get_element_by_id("figure") else { return false };
    let w = (fig.client_width() as f64).max(200.0);
    let vh = window().inner_height().ok().and_then(|v| v.as_f64()).unwrap_or(800.0);
    let main_h = (w * 0.78).min(vh * 0.72).max(240.0).round();
    let aux_h = (w * 0.3).clamp(150.0, 260.0).round();
    with_shell(|s| {
        let mut changed = false;
        for c in [&s.figures.main_bg, &s.figures.main_fg].into_iter().flatten() {
            changed |= super::canvas::fit(c, w, main_h, dpr);
        }
        if let Some(c) = &s.figures.aux {
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
                    s.dragging = true;
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
            if with_shell(|s| s.dragging && s.lab.pointer(x, y)) == Some(true) {
                changed(ui);
            }
            let h = with_shell(|s| s.lab.hover(x, y)).flatten().unwrap_or_default();
            if ui.hover.with_untracked(|old| *old != h) {
                ui.hover.set(h);
            }
        }
        Press::Up => {
            if with_shell(|s| std::mem::replace(&mut s.dragging, false)) == Some(true) {
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
