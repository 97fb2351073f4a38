//! Widgets generated from a lab's control table: sliders paired with numeric fields (log scale
//! where declared), selects, checkboxes, multi-selects and validated text. Nothing here is
//! lab-specific, and each widget reads only its own control's signals.
//!
//! Every form control says `autocomplete="off"` (here, in the page and in the share dialog): the
//! URL is the state, so the browser's own form-state save and restore has nothing to add, and it
//! is not free: Chromium serialises every control's value into the history entry on each
//! `history.replaceState`, 2.6 ms per address-bar write with the optimizer lab's 143 controls
//! against 0.7 ms without (measured in headless Chromium).

use super::shell::{ControlSignals, Ui};
use super::{set_control, url, Input};
use crate::fmt::fmt_num;
use crate::i18n::tf;
use crate::lab::{ControlInfo, ControlKind, Value};
use leptos::prelude::*;

/// Slider resolution: positions 0..=SLIDER.
const SLIDER: f64 = 1000.0;

/// Slider position of a value.
pub fn to_pos(v: f64, min: f64, max: f64, log: bool) -> f64 {
    let t = if log && min > 0.0 { (v.max(min).ln() - min.ln()) / (max.ln() - min.ln()) } else { (v - min) / (max - min) };
    (t.clamp(0.0, 1.0) * SLIDER).round()
}

/// Value of a slider position, snapped to 3 significant digits (log) or a round step (linear)
/// so URLs stay readable.
pub fn from_pos(pos: f64, min: f64, max: f64, log: bool, integer: bool) -> f64 {
    let t = (pos / SLIDER).clamp(0.0, 1.0);
    let v = if log && min > 0.0 { (min.ln() + t * (max.ln() - min.ln())).exp() } else { min + t * (max - min) };
    let snapped = if integer {
        v.round()
    } else if log {
        let e = 10f64.powf(v.abs().log10().floor() - 2.0);
        (v / e).round() * e
    } else {
        let raw = (max - min) / SLIDER;
        let e = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * e).find(|s| *s >= raw).unwrap_or(raw);
        (v / step).round() * step
    };
    // Round-trip through the shortest decimal to drop binary noise like 0.30000000000000004.
    let s = format!("{:.10e}", snapped.clamp(min, max));
    s.parse().unwrap_or(snapped)
}

/// A whole-number slider on a log scale has positions finer than one unit at its low end: a
/// keyboard step there would round back to the same number and the slider could never move.
/// Such a step moves by one unit in the direction of the slider instead.
pub fn step_integer(v: f64, pos: f64, current: f64, min: f64, max: f64, log: bool, integer: bool) -> f64 {
    if !integer || v != current {
        return v;
    }
    let here = to_pos(current, min, max, log);
    if pos > here {
        (current + 1.0).min(max)
    } else if pos < here {
        (current - 1.0).max(min)
    } else {
        v
    }
}

fn num(v: &Value) -> f64 {
    match v {
        Value::Num(x) => *x,
        _ => 0.0,
    }
}

#[component]
fn NumControl(ui: Ui, c: ControlInfo, sig: ControlSignals, hidden: bool, min: f64, max: f64, log: bool, integer: bool) -> impl IntoView {
    let key = c.key;
    let value = move || sig.value.with(num);
    // The range now: it can follow another control (the recurrence lab's d: 1…8 or 1…64).
    let range = move || sig.bounds.get().unwrap_or((min, max));
    // Set when the field holds text that was refused; cleared when a value is taken.
    let invalid = RwSignal::new(false);
    view! {
        <div class="control num" data-key=key hidden=move || hidden || !sig.visible.get()>
            <label for=format!("c-{key}") title=c.help>{c.label}</label>
            <div class="pair">
                <input type="range" id=format!("c-{key}") autocomplete="off" min="0" max=SLIDER.to_string() step="1"
                    aria-valuetext=move || fmt_num(value())
                    prop:value=move || { let (lo, hi) = range(); to_pos(value(), lo, hi, log).to_string() }
                    on:input=move |ev| {
                        let pos: f64 = event_target_value(&ev).parse().unwrap_or(0.0);
                        let now = sig.value.with_untracked(num);
                        let (lo, hi) = sig.bounds.get_untracked().unwrap_or((min, max));
                        let v = step_integer(from_pos(pos, lo, hi, log, integer), pos, now, lo, hi, log, integer);
                        super::start_draft();
                        if set_control(ui, key, Input::Value(Value::Num(v))) {
                            invalid.set(false);
                        }
                    }
                    on:change=move |_| url::changed_soon() />
                <input type="text" inputmode="decimal" id=format!("n-{key}") autocomplete="off" class="numfield" aria-label=tf("{} (number)", &[&c.label])
                    aria-invalid=move || invalid.get().to_string()
                    prop:value=move || fmt_num(value())
                    on:change=move |ev| {
                        let taken = set_control(ui, key, Input::Text(&event_target_value(&ev)));
                        invalid.set(!taken);
                        if taken {
                            // A clamped value can equal the one before (20 typed where 8 is the
                            // most): the signal does not change, so the field is told directly.
                            event_target::<web_sys::HtmlInputElement>(&ev).set_value(&fmt_num(sig.value.with_untracked(num)));
                        }
                        url::changed_soon();
                    } />
            </div>
        </div>
    }
}

#[component]
fn ChoiceControl(
    ui: Ui,
    c: ControlInfo,
    sig: ControlSignals,
    hidden: bool,
    options: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    let key = c.key;
    let selected = move || sig.value.with(|v| if let Value::Choice(s) = v { s.clone() } else { String::new() });
    let labels = c.option_labels.clone();
    view! {
        <div class="control choice" data-key=key hidden=move || hidden || !sig.visible.get()>
            <label for=format!("c-{key}") title=c.help>{c.label}</label>
            <select id=format!("c-{key}") autocomplete="off" prop:value=selected on:change=move |ev| {
                set_control(ui, key, Input::Text(&event_target_value(&ev)));
                url::changed_soon();
            }>
                {options.iter().zip(labels).map(|((k, _), l)| view! { <option value=*k>{l}</option> }).collect_view()}
            </select>
        </div>
    }
}

#[component]
fn FlagControl(ui: Ui, c: ControlInfo, sig: ControlSignals, hidden: bool) -> impl IntoView {
    let key = c.key;
    let checked = move || sig.value.with(|v| matches!(v, Value::Flag(true)));
    view! {
        <div class="control flag" data-key=key hidden=move || hidden || !sig.visible.get()>
            <input type="checkbox" id=format!("c-{key}") autocomplete="off" prop:checked=checked
                on:change=move |ev| {
                    set_control(ui, key, Input::Value(Value::Flag(event_target_checked(&ev))));
                    url::changed_soon();
                } />
            <label for=format!("c-{key}") title=c.help>{c.label}</label>
        </div>
    }
}

#[component]
fn SetControl(
    ui: Ui,
    c: ControlInfo,
    sig: ControlSignals,
    hidden: bool,
    options: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    let key = c.key;
    let members = move || sig.value.with(|v| if let Value::Set(m) = v { m.clone() } else { Vec::new() });
    view! {
        <fieldset class="control set" data-key=key hidden=move || hidden || !sig.visible.get()>
            <legend>{c.label}</legend>
            {options.iter().zip(c.option_labels.clone()).enumerate().map(|(i, ((k, _), l))| {
                let k: &'static str = k;
                let id = format!("c-{key}-{k}");
                let on = move || sig.value.with(|v| matches!(v, Value::Set(m) if m.iter().any(|x| x == k)));
                view! {
                    <span class="chip">
                        <input type="checkbox" id=id.clone() autocomplete="off" prop:checked=on
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                let mut m = members();
                                m.retain(|x| x != k);
                                if on { m.push(k.to_string()); }
                                set_control(ui, key, Input::Value(Value::Set(m)));
                                url::changed_soon();
                            } />
                        <label for=id><span class="glyph" style=format!("color: var(--s{i})") aria-hidden="true">{crate::plot::Shape::nth(i).glyph().to_string()}</span>{l}</label>
                    </span>
                }
            }).collect_view()}
        </fieldset>
    }
}

#[component]
fn TextControl(ui: Ui, c: ControlInfo, sig: ControlSignals, hidden: bool, check: fn(&str) -> Option<(usize, String)>) -> impl IntoView {
    let key = c.key;
    let err_id = format!("e-{key}");
    // The text being typed while it is invalid, with the column and message of the first error.
    let error: RwSignal<Option<(String, usize, String)>> = RwSignal::new(None);
    let value = move || sig.value.with(|v| if let Value::Text(s) = v { s.clone() } else { String::new() });
    view! {
        <div class="control text" data-key=key hidden=move || hidden || !sig.visible.get()>
            <label for=format!("c-{key}") title=c.help>{c.label}</label>
            <input type="text" id=format!("c-{key}") spellcheck="false" autocomplete="off" autocapitalize="off" maxlength="600"
                aria-describedby=err_id.clone() aria-invalid=move || error.get().is_some().to_string()
                prop:value=value
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    match check(&text) {
                        // Valid text applies at once (the figure follows every keystroke) …
                        None => {
                            error.set(None);
                            set_control(ui, key, Input::Text(&text));
                        }
                        // … invalid text is shown with a caret; the last valid value stays in use.
                        Some((col, msg)) => error.set(Some((text, col, msg))),
                    }
                }
                on:change=move |_| url::changed_soon() />
            <pre class="caret" id=err_id tabindex="0" hidden=move || error.get().is_none()>{move || {
                error.get().map(|(text, col, msg)| {
                    let pad: String = " ".repeat(col.saturating_sub(1).min(text.chars().count()));
                    format!("{text}\n{pad}^\n{}", tf("column {}: {}", &[&col, &msg]))
                })
            }}</pre>
        </div>
    }
}

/// The control panel of the current lab, grouped under headings. `hide` are the keys hidden by
/// `hide=` in the URL.
#[component]
pub fn Controls(ui: Ui, controls: Vec<ControlInfo>, hide: Vec<String>) -> impl IntoView {
    let sigs = ui.controls.get_value();
    let mut groups: Vec<(&'static str, Vec<(ControlInfo, ControlSignals)>)> = Vec::new();
    for (c, s) in controls.into_iter().zip(sigs) {
        match groups.iter_mut().find(|(g, _)| *g == c.group) {
            Some((_, v)) => v.push((c, s)),
            None => groups.push((c.group, vec![(c, s)])),
        }
    }
    groups
        .into_iter()
        .map(|(g, cs)| {
            let shown: Vec<(RwSignal<bool>, bool)> = cs.iter().map(|(c, s)| (s.visible, hide.iter().any(|h| h == c.key))).collect();
            let any_visible = move || shown.iter().any(|(v, hidden)| !hidden && v.get());
            let widgets = cs
                .into_iter()
                .map(|(c, sig)| {
                    let hidden = hide.iter().any(|h| h == c.key);
                    match c.kind.clone() {
                        ControlKind::Num { min, max, log, integer } => {
                            view! { <NumControl ui=ui c=c sig=sig hidden=hidden min=min max=max log=log integer=integer/> }.into_any()
                        }
                        ControlKind::Choice { options } => {
                            view! { <ChoiceControl ui=ui c=c sig=sig hidden=hidden options=options/> }.into_any()
                        }
                        ControlKind::Flag => view! { <FlagControl ui=ui c=c sig=sig hidden=hidden/> }.into_any(),
                        ControlKind::Set { options } => view! { <SetControl ui=ui c=c sig=sig hidden=hidden options=options/> }.into_any(),
                        ControlKind::Text { check, .. } => view! { <TextControl ui=ui c=c sig=sig hidden=hidden check=check/> }.into_any(),
                    }
                })
                .collect_view();
            view! {
                <div class="group" hidden=move || !any_visible()>
                    {(!g.is_empty()).then(|| view! { <h3>{g}</h3> })}
                    {widgets}
                </div>
            }
        })
        .collect_view()
}
