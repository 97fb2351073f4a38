//! A lab's page: header, notices, the figure with its transport and downloads, readouts, the
//! control panel, formulas and prose, the share and help dialogs.

use super::shell::Ui;
use super::{close_dialog, controls, export, open_dialog, play_pause, reset, share, single_step, url};
use crate::i18n::{t, tf, Lang};
use crate::lab::{ControlInfo, Formula, LabMeta};
use crate::labs::LABS;
use leptos::html::Canvas;
use leptos::prelude::*;

/// The canvases, filled when the page is mounted.
#[derive(Clone, Copy, Default)]
pub(crate) struct Refs {
    /// Background of the main figure.
    pub main_bg: NodeRef<Canvas>,
    /// Foreground of the main figure.
    pub main_fg: NodeRef<Canvas>,
    /// Background of the linked chart.
    pub aux_bg: NodeRef<Canvas>,
    /// The linked chart (its foreground, over `aux_bg`).
    pub aux: NodeRef<Canvas>,
}

/// The site header: brand, language, the labs.
#[component]
pub(crate) fn Header() -> impl IntoView {
    let current = url::options().lab.clone().unwrap_or_default();
    view! {
        <header class="site">
            <a class="brand" href="./">"flowlab"</a>
            <label class="lang">
                <span class="sr-only">{t("Language")}</span>
                <select id="lang" autocomplete="off" on:change=move |ev| url::switch_lang(&event_target_value(&ev))>
                    <option value="en" selected=crate::i18n::lang() == Lang::En>"English"</option>
                    <option value="zh" selected=crate::i18n::lang() == Lang::Zh lang="zh-Hans">"中文"</option>
                </select>
            </label>
            <nav aria-label=t("Labs")>
                {LABS.iter().map(|e| {
                    let here = e.slug == current;
                    view! { <a href=format!("?lab={}", e.slug) aria-current=if here { Some("page") } else { None }>{e.meta.t(e.meta.title)}</a> }
                }).collect_view()}
            </nav>
        </header>
    }
}

/// The formula panel: one card per rule, notes under them. Cards are keyed by their key and
/// markup, so a change re-renders only the cards whose markup changed.
#[component]
fn Formulas(ui: Ui) -> impl IntoView {
    let rules = move || {
        ui.formulas.with(|f| {
            f.iter()
                .filter_map(|b| match b {
                    Formula::Rule { key, title, mathml } => Some((*key, title.clone(), mathml.clone())),
                    Formula::Note(_) => None,
                })
                .collect::<Vec<_>>()
        })
    };
    let notes = move || {
        ui.formulas.with(|f| f.iter().filter_map(|b| if let Formula::Note(n) = b { Some(n.clone()) } else { None }).collect::<Vec<_>>())
    };
    view! {
        <div id="formula">
            <For each=rules key=|(k, title, m)| (*k, title.clone(), m.clone()) children=move |(k, title, mathml)| view! {
                // Wide formulas scroll inside their card: keyboard users must be able to focus it.
                <section class="rule" tabindex="0" data-key=k><h4>{title}</h4><div class="math" inner_html=mathml></div></section>
            }/>
            {move || notes().into_iter().map(|n| view! { <p class="formula-note">{n}</p> }).collect_view()}
        </div>
    }
}

/// A lab's page.
#[component]
pub(crate) fn LabPage(ui: Ui, refs: Refs, meta: &'static LabMeta, slug: &'static str, controls: Vec<ControlInfo>) -> impl IntoView {
    let opts = url::options();
    let (embed, show_controls, hide) = (opts.embed, opts.controls, opts.hide.clone());
    let share_open = RwSignal::new(false);
    let full = !embed;
    let has_aux = meta.has_aux();
    let key_controls: Vec<(&'static str, &'static str)> = controls.iter().map(|c| (c.key, c.label)).collect();
    view! {
        {full.then(|| view! { <Header/> })}
        <main class="lab" class:embed=embed class:no-controls=!show_controls data-lab=slug>
            {full.then(|| view! { <h1>{meta.t(meta.title)}</h1><p class="lead">{meta.t(meta.tagline)}</p> })}
            <div id="notice" class="notice" role="status" hidden=move || ui.notices.with(|n| n.is_empty())>
                <strong>{t("Some parameters were not used as given:")}" "</strong>
                <ul>{move || ui.notices.get().into_iter().map(|n| view! { <li data-key=n.key().to_string()>{n.message()}</li> }).collect_view()}</ul>
                <button type="button" class="dismiss" on:click=move |_| ui.notices.set(Vec::new())>{t("Dismiss")}</button>
            </div>
            <div id="error" class="error" role="alert" hidden=move || ui.error.with(|e| e.is_none())>{move || ui.error.get().unwrap_or_default()}</div>
            <div class="lab-grid">
                <section class="figure-col" id="figure" aria-label=t("Figure")>
                    {full.then(|| view! { <super::present::Stepper ui=ui meta=meta/> })}
                    <div class="stack">
                        <canvas id="main-bg" node_ref=refs.main_bg role="img" aria-label=meta.t(meta.main_caption)></canvas>
                        <canvas id="main-fg" node_ref=refs.main_fg aria-hidden="true"></canvas>
                    </div>
                    <p class="hover" aria-live="off">{move || { let h = ui.hover.get(); if h.is_empty() { meta.t(meta.pointer_hint).to_string() } else { h } }}</p>
                    <div class="transport" role="group" aria-label=t("Animation")>
                        // A static lab (no steps) has nothing to animate: no transport buttons.
                        <span class="anim" hidden=move || ui.progress.with(|p| p.1 == 0)>
                            <button type="button" id="play" on:click=move |_| play_pause(ui) aria-keyshortcuts="Space">
                                {move || if ui.playing.get() { t("❚❚ Pause") } else { t("▶ Play") }}
                            </button>
                            <button type="button" id="step" on:click=move |_| single_step(ui) aria-keyshortcuts="ArrowRight">{t("Step ›")}</button>
                            <button type="button" id="reset" on:click=move |_| reset(ui) aria-keyshortcuts="R">{t("⟲ Reset")}</button>
                            <label class="speed">{t("Speed")}" "
                                <select id="speed" autocomplete="off" on:change=move |ev| { ui.speed.set(event_target_value(&ev).parse().unwrap_or(1.0)); }>
                                    <option value="0.25">"¼×"</option>
                                    <option value="0.5">"½×"</option>
                                    <option value="1" selected>"1×"</option>
                                    <option value="2">"2×"</option>
                                    <option value="4">"4×"</option>
                                </select>
                            </label>
                            <span id="progress" class="progress">{move || { let (a, b) = ui.progress.get(); tf("step {} / {}", &[&a, &b]) }}</span>
                        </span>
                        <span id="pending" class="pending" aria-live="off" hidden=move || ui.pending.with(|p| p.is_none())>
                            {move || ui.pending.get().map(|f| view! {
                                <progress max="1" value=f.to_string()></progress>" "{meta.t(meta.pending_label)}" "{format!("{:.0}%", f * 100.0)}
                            })}
                        </span>
                        <span class="spacer"></span>
                        {full.then(|| view! {
                            <button type="button" id="present-open" hidden=move || ui.present.get() on:click=move |_| super::present::set(ui, true)>{t("Present")}</button>
                        })}
                        <button type="button" id="share-open" on:click=move |_| { url::write_now(ui); share_open.set(true); open_dialog("share"); }>{t("Share")}</button>
                        <button type="button" id="help-open" aria-label=t("Keyboard shortcuts") on:click=move |_| open_dialog("help")>"?"</button>
                    </div>
                    {has_aux.then(|| view! {
                        <div class="stack aux-stack">
                            <canvas id="aux-bg" node_ref=refs.aux_bg aria-hidden="true"></canvas>
                            <canvas id="aux" node_ref=refs.aux role="img" aria-label=meta.t(meta.aux_caption)></canvas>
                        </div>
                    })}
                    <div class="exports" role="group" aria-label=t("Download")>
                        <span>{t("Download")}" "</span>
                        {["png", "svg", "csv", "json"].into_iter().map(|k| view! {
                            <button type="button" id=format!("export-{k}") aria-label=tf("Download {}", &[&k.to_uppercase()])
                                on:click=move |_| if let Err(e) = export::export(k) { ui.error.set(Some(e)) }>{k.to_uppercase()}</button>
                        }).collect_view()}
                    </div>
                    <ul class="readouts" id="readouts">
                        // Rows keyed by what they are; each row's text follows on its own, so a
                        // slider event rewrites text nodes instead of rebuilding the list.
                        <For each=move || ui.readouts.with(|r| r.iter().enumerate().map(|(i, r)| (i, r.label.clone(), r.colour, r.warn)).collect::<Vec<_>>())
                            key=|k| k.clone()
                            children=move |(i, label, colour, warn)| {
                                let text = move || ui.readouts.with(|r| r.get(i).map(|r| r.text.clone()).unwrap_or_default());
                                let glyph = colour.map(|c| view! {
                                    <span class="glyph" style=format!("color: var(--s{c})") aria-hidden="true">{crate::plot::Shape::nth(c).glyph().to_string()}</span>
                                });
                                view! { <li class=if warn { "warn" } else { "" }>{glyph}<b>{label}</b>" "{text}</li> }
                            }/>
                    </ul>
                    <p id="live" class="sr-only" aria-live="polite"></p>
                </section>
                <aside class="controls" class:open=move || ui.drawer.get() aria-label=t("Controls") hidden=!show_controls>
                    // The presenter's drawer covers the stepper's buttons: it closes from inside.
                    <button type="button" id="drawer-close" class="drawer-close" hidden=move || !ui.drawer.get() on:click=move |_| ui.drawer.set(false)>{t("Close")}</button>
                    <controls::Controls ui=ui controls=controls hide=hide/>
                </aside>
            </div>
            {full.then(|| view! {
                <section class="formula" aria-label=t("Formulas")>
                    <h2>{t("Formulas")}</h2>
                    <Formulas ui=ui/>
                </section>
                <section class="prose">
                    <h2>{t("What to look at")}</h2>
                    <p>{meta.t(meta.look_at)}</p>
                    <h2>{t("Things to try")}</h2>
                    <ul class="try">
                        {meta.try_these.iter().map(|(text, q)| view! { <li><a href=format!("?lab={slug}&{q}")>{meta.t(text)}</a></li> }).collect_view()}
                    </ul>
                </section>
            })}
            <p class="print-link">{move || { ui.url.get(); tf("Link: {}", &[&url::page_url(&[])]) }}</p>
            <pre id="bench" hidden=true></pre>
            <share::ShareDialog ui=ui open=share_open controls=key_controls title=meta.t(meta.title)/>
            <dialog id="help" aria-labelledby="help-title">
                <h2 id="help-title">{t("Keyboard shortcuts")}</h2>
                <dl class="keys">
                    <dt><kbd>"Space"</kbd></dt><dd>{t("play / pause")}</dd>
                    <dt><kbd>"→"</kbd></dt><dd>{t("single step")}</dd>
                    <dt><kbd>"R"</kbd></dt><dd>{t("reset to step 0")}</dd>
                    <dt><kbd>"?"</kbd></dt><dd>{t("this help")}</dd>
                    <dt><kbd>"F"</kbd></dt><dd>{t("full screen (presenter mode)")}</dd>
                    <dt><kbd>"←"</kbd>" "<kbd>"→"</kbd>" / "<kbd>"PgUp"</kbd>" "<kbd>"PgDn"</kbd></dt><dd>{t("previous / next thing to try (presenter mode)")}</dd>
                    <dt><kbd>"Tab"</kbd></dt><dd>{t("move between controls; arrow keys move a slider")}</dd>
                </dl>
                <button type="button" on:click=move |_| close_dialog("help")>{t("Close")}</button>
            </dialog>
        </main>
    }
}
