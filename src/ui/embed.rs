//! Hosts that frame the page. Three conventions, each answered only when a host speaks it:
//! - LMS (LTI): in embed mode the page posts its height whenever it changes, as
//!   `{"subject":"lti.frameResize","height":H}` (a serialised JSON string).
//! - H5P's `h5p-resizer.js` (IFrame Embedder): the page says `hello`; once the host answers, each
//!   change of height is a `prepareResize` → `resizePrepared` → `resize` exchange of
//!   `{context: "h5p", action, …}` objects, and the host's own `resize` (its window changed)
//!   starts one.
//! - reveal.js and Quarto slides post `slide:stop` / `slide:start` to the iframes of a slide: the
//!   animation and background work pause while the slide is off screen and resume where they were.

use super::shell::{with_shell, Ui};
use super::{document, window};
use leptos::prelude::*;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

thread_local! {
    /// An auto-sizing host (H5P) answered: the frame's height follows the content, so the layout
    /// must not size the figure by the frame's height (that would feed back).
    static AUTO_HEIGHT: Cell<bool> = const { Cell::new(false) };
}

/// Whether the frame's height is the host's answer to ours (see [`AUTO_HEIGHT`]).
pub(crate) fn auto_height() -> bool {
    AUTO_HEIGHT.with(Cell::get)
}

fn content_height() -> i32 {
    document().document_element().map(|e| e.scroll_height()).unwrap_or(0)
}

fn parent() -> Option<web_sys::Window> {
    let w = window();
    let p = w.parent().ok().flatten()?;
    // `window.parent` is the window itself when the page is not framed.
    (!js_sys::Object::is(&p, &w)).then_some(p)
}

/// Posts `{context: "h5p", action, …extra}` to the parent.
fn h5p_post(action: &str, extra: &[(&str, f64)]) {
    let Some(p) = parent() else { return };
    let o = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&o, &"context".into(), &"h5p".into());
    let _ = js_sys::Reflect::set(&o, &"action".into(), &action.into());
    for (k, v) in extra {
        let _ = js_sys::Reflect::set(&o, &(*k).into(), &(*v).into());
    }
    let _ = p.post_message(&o, "*");
}

fn prepare_resize() {
    let h = content_height() as f64;
    let ch = document().document_element().map(|e| e.client_height()).unwrap_or(0) as f64;
    h5p_post("prepareResize", &[("scrollHeight", h), ("clientHeight", ch)]);
}

/// `slide:stop`: pause (remembering whether it played); `slide:start`: resume.
fn slide(ui: Ui, visible: bool) {
    if visible {
        let resume = with_shell(|s| {
            s.suspended = false;
            std::mem::take(&mut s.resume_play)
        });
        // Background work paused while hidden resumes.
        super::anim::wake();
        if resume == Some(true) {
            ui.playing.set(true);
        }
    } else {
        let was = ui.playing.get_untracked();
        let first = with_shell(|s| {
            let first = !s.suspended;
            if first {
                s.resume_play = was;
            }
            s.suspended = true;
            first
        });
        if first == Some(true) && was {
            ui.playing.set(false);
        }
    }
}

fn on_message(ui: Ui, ev: web_sys::MessageEvent) {
    let data = ev.data();
    if let Some(text) = data.as_string() {
        match text.as_str() {
            "slide:start" => slide(ui, true),
            "slide:stop" => slide(ui, false),
            _ => {}
        }
        return;
    }
    let get = |k: &str| js_sys::Reflect::get(&data, &JsValue::from_str(k)).ok().and_then(|v| v.as_string());
    if !data.is_object() || get("context").as_deref() != Some("h5p") {
        return;
    }
    match get("action").as_deref() {
        Some("hello") => {
            AUTO_HEIGHT.with(|a| a.set(true));
            // The figure was sized by the frame's height until now.
            if super::input::layout() {
                super::draw(ui);
            }
            prepare_resize();
        }
        Some("resizePrepared") => h5p_post("resize", &[("height", content_height() as f64)]),
        Some("resize") if auto_height() => prepare_resize(),
        _ => {}
    }
}

/// Listens to the host (every framed page: slides and H5P frame any URL), greets an H5P host, and
/// reports the height: to an LTI host in embed mode, to an H5P host once it answered.
pub(crate) fn install(ui: Ui, embed: bool) {
    if parent().is_none() {
        return;
    }
    let cb = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev| on_message(ui, ev));
    let _ = window().add_event_listener_with_callback("message", cb.as_ref().unchecked_ref());
    cb.forget();
    h5p_post("hello", &[]);
    let last = Rc::new(Cell::new(-1i32));
    let post = move || {
        let h = content_height();
        if h == last.get() {
            return;
        }
        last.set(h);
        if embed {
            if let Some(parent) = parent() {
                let msg = format!("{{\"subject\":\"lti.frameResize\",\"height\":{h}}}");
                let _ = parent.post_message(&JsValue::from_str(&msg), "*");
            }
        }
        if auto_height() {
            prepare_resize();
        }
    };
    post();
    let cb = Closure::<dyn FnMut()>::new(post);
    if let (Ok(ro), Some(body)) = (web_sys::ResizeObserver::new(cb.as_ref().unchecked_ref()), document().body()) {
        ro.observe(&body);
        // Observes for the page's lifetime.
        std::mem::forget(ro);
    }
    cb.forget();
}
