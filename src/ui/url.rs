//! The address bar: the lab's state as a query string, written without adding history entries
//! once changes pause (a slider drag writes it once, when it stops).

use super::shell::{with_shell, ShellOptions, Ui};
use super::window;
use crate::lab::{build_query, percent_encode};
use leptos::prelude::*;
use std::cell::RefCell;
use std::sync::OnceLock;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;

static OPTIONS: OnceLock<ShellOptions> = OnceLock::new();

/// The options the page was opened with (parsed once).
pub(crate) fn options() -> &'static ShellOptions {
    OPTIONS.get_or_init(|| ShellOptions::parse(&window().location().search().unwrap_or_default()))
}

/// Appends `k=v` pairs to a query.
fn append(q: &mut String, pairs: &[(String, String)]) {
    for (k, v) in pairs {
        q.push('&');
        q.push_str(&percent_encode(k));
        q.push('=');
        q.push_str(&percent_encode(v));
    }
}

/// The lab's query (`lab=…&k=v…`) followed by `extra` shell pairs.
pub(crate) fn lab_query(extra: &[(String, String)]) -> String {
    let mut q = with_shell(|s| build_query(s.lab.slug(), &s.lab.query_pairs())).unwrap_or_default();
    append(&mut q, extra);
    q
}

/// How long after the last change the address bar and the formula panel follow (ms). A burst of
/// slider events writes the URL once, after the figure has been painted: `replaceState` costs a
/// same-document navigation (several milliseconds in Chromium), which must not sit between an
/// event and its frame.
const SETTLE_MS: f64 = 150.0;

/// Notes a change: the URL (and the formulas) follow once changes pause for [`SETTLE_MS`].
pub(crate) fn changed_later() {
    let t = super::now_ms();
    with_shell(|s| s.settle_at = Some(t + SETTLE_MS));
    arm(t + SETTLE_MS);
}

/// Notes that a change has ended (a slider released or stepped by a key, a field left, a choice
/// made, a drag let go): the URL follows a few frames later, once the figure is painted.
pub(crate) fn changed_soon() {
    let t = super::now_ms() + END_MS;
    with_shell(|s| s.settle_at = Some(s.settle_at.map_or(t, |at| at.min(t))));
    arm(t);
}

/// How long after a change ends the URL is written: three frames' time, so that `replaceState` (a
/// same-document navigation: ~1.5 ms in Chromium, plus its icon check) and the formula refresh run
/// after the frame that shows the change has been painted, not between the event and that frame.
/// (At 20 ms, one frame, they landed in the frame itself.) A person sees no lag in the address bar.
const END_MS: f64 = 50.0;

/// The settle timer: its callback, and the pending timeout's handle and due time.
struct Settler {
    cb: Closure<dyn FnMut()>,
    armed: Option<(i32, f64)>,
}

thread_local! {
    static SETTLER: RefCell<Option<Settler>> = const { RefCell::new(None) };
}

/// Makes sure the settle timer fires by `at` (ms, [`super::now_ms`] clock). A burst of changes
/// keeps one timeout: it is re-armed only when the new time is earlier, and when it fires early
/// (changes went on) it re-arms for what is left. A timer, not animation frames: an idle or
/// dragging page needs no frame callback for the address bar.
fn arm(at: f64) {
    SETTLER.with(|s| {
        // Borrowed only here and in the callback's bookkeeping, neither of which re-enters.
        let Ok(mut s) = s.try_borrow_mut() else { return };
        let Some(s) = s.as_mut() else { return };
        if s.armed.is_some_and(|(_, due)| due <= at) {
            return;
        }
        if let Some((h, _)) = s.armed.take() {
            window().clear_timeout_with_handle(h);
        }
        let delay = (at - super::now_ms()).max(0.0).ceil() as i32;
        if let Ok(h) = window().set_timeout_with_callback_and_timeout_and_arguments_0(s.cb.as_ref().unchecked_ref(), delay) {
            s.armed = Some((h, at));
        }
    });
}

/// Starts the settle timer's callback: when changes have paused long enough it writes the URL and
/// refreshes the formulas. On the owner's cleanup a pending timeout is cancelled.
pub(crate) fn start_settler(ui: Ui) {
    let cb = Closure::new(move || {
        SETTLER.with(|s| {
            if let Some(s) = s.borrow_mut().as_mut() {
                s.armed = None;
            }
        });
        let t = super::now_ms();
        match with_shell(|s| s.settle_at).flatten() {
            Some(at) if t >= at => {
                // The full-detail figure first: what the address bar then says is what is shown.
                super::end_draft(ui);
                write_now(ui);
                super::refresh_formulas(ui);
            }
            Some(at) => arm(at),
            None => {}
        }
    });
    SETTLER.with(|s| *s.borrow_mut() = Some(Settler { cb, armed: None }));
    // A change noted before the timer existed.
    if let Some(at) = with_shell(|s| s.settle_at).flatten() {
        arm(at);
    }
    on_cleanup(|| {
        SETTLER.with(|s| {
            if let Some(Settler { armed: Some((h, _)), .. }) = s.borrow_mut().take() {
                window().clear_timeout_with_handle(h);
            }
        });
    });
}

/// Writes the lab's state into the address bar now (replacing the history entry).
pub(crate) fn write_now(ui: Ui) {
    let mut kept = options().kept();
    if ui.present.get_untracked() {
        kept.push(("present".into(), "1".into()));
        if let Some(k) = ui.step.get_untracked() {
            kept.push(("try".into(), (k + 1).to_string()));
        }
    }
    let url = format!("?{}", lab_query(&kept));
    with_shell(|s| s.settle_at = None);
    if let Ok(h) = window().history() {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
    ui.url.update(|v| *v += 1);
}

/// The absolute URL of the current state, with the language (if not English) and `extra` pairs.
pub(crate) fn page_url(extra: &[(&str, String)]) -> String {
    let loc = window().location();
    let base = format!("{}{}", loc.origin().unwrap_or_default(), loc.pathname().unwrap_or_default());
    let mut pairs: Vec<(String, String)> = Vec::new();
    if crate::i18n::lang() != crate::i18n::Lang::En {
        pairs.push(("lang".into(), crate::i18n::lang().key().into()));
    }
    pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
    format!("{base}?{}", lab_query(&pairs))
}

/// Reloads the page in another language (all state is in the URL, so nothing is lost).
pub(crate) fn switch_lang(key: &str) {
    let mut pairs: Vec<(String, String)> = options().pairs.iter().filter(|(k, _)| k != "lang").cloned().collect();
    // The lab's current state, not the one the page was opened with.
    if with_shell(|_| ()).is_some() {
        pairs.retain(|(k, _)| crate::lab::SHELL_KEYS.contains(&k.as_str()) && k != "lab");
        let mut q = lab_query(&pairs);
        append(&mut q, &[("lang".into(), key.into())]);
        let _ = window().location().set_search(&q);
        return;
    }
    pairs.push(("lang".into(), key.into()));
    let q: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v))).collect();
    let _ = window().location().set_search(&q.join("&"));
}
