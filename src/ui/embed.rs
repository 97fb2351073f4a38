//! Embedding hosts: in embed mode the page tells its parent its height whenever it changes, in the
//! LMS convention `{"subject":"lti.frameResize","height":H}` (a serialised JSON string).

use super::{document, window};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Starts posting the page height to the parent frame.
pub(crate) fn install() {
    let last = Rc::new(Cell::new(-1i32));
    let post = move || {
        let h = document().document_element().map(|e| e.scroll_height()).unwrap_or(0);
        if h != last.get() {
            last.set(h);
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
        // Observes for the page's lifetime.
        std::mem::forget(ro);
    }
    cb.forget();
}
