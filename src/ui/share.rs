//! The Share dialog: the link to this exact figure, and an `<iframe>` snippet for lecture notes
//! and LMS pages, with options to hide controls and a live preview at the chosen size.

use super::close_dialog;
use super::shell::Ui;
use super::url::page_url;
use crate::i18n::{t, tf};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

fn html_attr(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;")
}

/// Copies text to the clipboard (async API where allowed, else a selected field and execCommand).
fn copy(text: &str, field_id: &str) -> bool {
    let Some(win) = web_sys::window() else { return false };
    let clip = js_sys::Reflect::get(&win.navigator(), &"clipboard".into()).ok().filter(|c| !c.is_undefined());
    if let Some(clip) = clip {
        if let Ok(f) = js_sys::Reflect::get(&clip, &"writeText".into()).and_then(|f| f.dyn_into::<js_sys::Function>()) {
            if f.call1(&clip, &text.into()).is_ok() {
                return true;
            }
        }
    }
    let doc = win.document();
    if let Some(el) = doc.as_ref().and_then(|d| d.get_element_by_id(field_id)) {
        let _ = js_sys::Reflect::get(&el, &"select".into()).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok()).map(|f| f.call0(&el));
        if let Some(d) = doc {
            let exec = js_sys::Reflect::get(&d, &"execCommand".into()).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok());
            return exec.map(|f| f.call1(&d, &"copy".into()).is_ok()).unwrap_or(false);
        }
    }
    false
}

/// The dialog. `open` gates the live preview so a second app instance loads only on demand.
#[component]
pub fn ShareDialog(ui: Ui, open: RwSignal<bool>, controls: Vec<(&'static str, &'static str)>, title: &'static str) -> impl IntoView {
    let hide_panel = RwSignal::new(false);
    let autoplay = RwSignal::new(false);
    let hidden_keys: RwSignal<Vec<&'static str>> = RwSignal::new(Vec::new());
    let width = RwSignal::new(900u32);
    let height = RwSignal::new(820u32);
    let status = RwSignal::new(String::new());
    let link = move || {
        ui.url.get();
        page_url(&[])
    };
    let embed_url = move || {
        ui.url.get();
        let mut extra = vec![("embed", "1".to_string())];
        if hide_panel.get() {
            extra.push(("controls", "0".to_string()));
        } else if !hidden_keys.get().is_empty() {
            extra.push(("hide", hidden_keys.get().join(",")));
        }
        extra.push(("autoplay", if autoplay.get() { "1" } else { "0" }.to_string()));
        page_url(&extra)
    };
    let snippet = move || {
        format!(
            "<iframe src=\"{}\" width=\"{}\" height=\"{}\" style=\"border:0;max-width:100%\" loading=\"lazy\" title=\"{}\"></iframe>",
            html_attr(&embed_url()),
            width.get(),
            height.get(),
            html_attr(title)
        )
    };
    view! {
        <dialog id="share" aria-labelledby="share-title" on:close=move |_| open.set(false)>
            <h2 id="share-title">{t("Share this figure")}</h2>
            <label for="share-link">{t("Link to exactly this state")}</label>
            <div class="row">
                <input id="share-link" type="text" autocomplete="off" readonly prop:value=link/>
                <button type="button" id="copy-link" on:click=move |_| status.set(if copy(&link(), "share-link") { t("Link copied.").into() } else { t("Select the link and copy it.").into() })>{t("Copy link")}</button>
            </div>
            <fieldset>
                <legend>{t("Embed (iframe)")}</legend>
                <div class="row">
                    <label><input type="checkbox" id="share-hide-panel" autocomplete="off" prop:checked=hide_panel on:change=move |ev| hide_panel.set(event_target_checked(&ev))/>" "{t("hide the control panel")}</label>
                    <label><input type="checkbox" id="share-autoplay" autocomplete="off" prop:checked=autoplay on:change=move |ev| autoplay.set(event_target_checked(&ev))/>" "{t("autoplay")}</label>
                </div>
                <details hidden=move || hide_panel.get()>
                    <summary>{t("Hide single controls")}</summary>
                    <div class="keys-grid">
                        {controls.into_iter().map(|(k, l)| view! {
                            <label><input type="checkbox" autocomplete="off" on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                hidden_keys.update(|v| { v.retain(|x| *x != k); if on { v.push(k); } });
                            }/>" "{l}<code>{k}</code></label>
                        }).collect_view()}
                    </div>
                </details>
                <div class="row">
                    <label>{t("width")}" "<input type="number" id="share-width" autocomplete="off" min="240" max="2400" prop:value=move || width.get().to_string()
                        on:change=move |ev| width.set(event_target_value(&ev).parse::<u32>().unwrap_or(900).clamp(240, 2400))/>" px"</label>
                    <label>{t("height")}" "<input type="number" id="share-height" autocomplete="off" min="200" max="3000" prop:value=move || height.get().to_string()
                        on:change=move |ev| height.set(event_target_value(&ev).parse::<u32>().unwrap_or(820).clamp(200, 3000))/>" px"</label>
                </div>
                <label for="share-snippet">{t("Snippet")}</label>
                <textarea id="share-snippet" autocomplete="off" readonly rows="3" prop:value=snippet></textarea>
                <button type="button" id="copy-snippet" on:click=move |_| status.set(if copy(&snippet(), "share-snippet") { t("Snippet copied.").into() } else { t("Select the snippet and copy it.").into() })>{t("Copy snippet")}</button>
                <p class="muted">{t("Embedded pages post their height to the parent as {\"subject\":\"lti.frameResize\",\"height\":H}, which LMS pages use to size the frame.")}</p>
            </fieldset>
            <p class="status" role="status">{move || status.get()}</p>
            <h3>{move || tf("Preview at {} × {} px (half size)", &[&width.get(), &height.get()])}</h3>
            <div class="preview" style=move || format!("width:{}px;height:{}px", width.get() / 2, height.get() / 2)>
                {move || open.get().then(|| view! {
                    <iframe id="share-preview" src=embed_url() title=t("Preview of the embedded figure")
                        style=format!("width:{}px;height:{}px", width.get(), height.get())></iframe>
                })}
            </div>
            <button type="button" on:click=move |_| close_dialog("share")>{t("Close")}</button>
        </dialog>
    }
}
