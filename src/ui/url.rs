//! The address bar: the lab's state as a query string, written without adding history entries and
//! at most a few times a second while a slider drags (browsers throttle `replaceState` storms),
//! always right after a change ends.

use super::shell::{with_shell, ShellOptions, Ui};
use super::window;
use crate::lab::{build_query, percent_encode};
use leptos::prelude::*;
use std::sync::OnceLock;
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

/// Minimum time between two address-bar writes while a change is under way (ms).
const URL_EVERY_MS: f64 = 100.0;

/// Marks the URL stale; it is written now if `now` or if the last write is old enough, else by
/// the animation loop.
pub(crate) fn sync_url(ui: Ui, now: bool) {
    let t = super::now_ms();
    let due = with_shell(|s| {
        s.url_stale = true;
        now || t - s.url_at >= URL_EVERY_MS
    })
    .unwrap_or(false);
    if due {
        write_url(ui);
    }
}

/// Writes the URL if it is stale and the last write is old enough (called every frame).
pub(crate) fn flush_url(ui: Ui) {
    let t = super::now_ms();
    if with_shell(|s| s.url_stale && t - s.url_at >= URL_EVERY_MS).unwrap_or(false) {
        write_url(ui);
    }
}

fn write_url(ui: Ui) {
    let url = format!("?{}", lab_query(&options().kept()));
    with_shell(|s| {
        s.url_stale = false;
        s.url_at = super::now_ms();
    });
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
