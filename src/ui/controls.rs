//! Widgets generated from a lab's control table: sliders paired with numeric fields (log scale
//! where declared), selects, checkboxes and multi-selects. Nothing here is lab-specific.

use super::{set_control, with_lab, Ui};
use crate::i18n::{t, tf};
use crate::lab::{fmt_num, ControlInfo, ControlKind, Value};
use leptos::prelude::*;

/// Slider resolution: positions 0..=SLIDER.
const SLIDER: f64 = 1000.0;

fn info(key: &'static str) -> Option<ControlInfo> {
    with_lab(|s| s.lab.controls().into_iter().find(|c| c.key == key)).flatten()
}

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

/// Visible: applies in the current state and not hidden by `hide=` in the URL.
fn shown(key: &'static str) -> bool {
    info(key).map(|c| c.visible).unwrap_or(false) && !with_lab(|s| s.hide.iter().any(|h| h == key)).unwrap_or(false)
}

fn current(key: &'static str) -> Option<Value> {
    info(key).map(|c| c.value)
}

#[component]
fn NumControl(ui: Ui, c: ControlInfo, min: f64, max: f64, log: bool, integer: bool) -> impl IntoView {
    let key = c.key;
    let id = format!("c-{key}");
    let num_id = format!("n-{key}");
    let value = move || {
        ui.version.get();
        match current(key) {
            Some(Value::Num(v)) => v,
            _ => min,
        }
    };
    let invalid = RwSignal::new(false);
    view! {
        <div class="control num" data-key=key hidden=move || { ui.version.get(); !shown(key) }>
            <label for=id.clone() title=c.help>{c.label}</label>
            <div class="pair">
                <input type="range" id=id min="0" max=SLIDER.to_string() step="1"
                    aria-valuetext=move || fmt_num(value())
                    prop:value=move || to_pos(value(), min, max, log).to_string()
                    on:input=move |ev| {
                        let pos: f64 = event_target_value(&ev).parse().unwrap_or(0.0);
                        let now = match current(key) {
                            Some(Value::Num(v)) => v,
                            _ => min,
                        };
                        let v = step_integer(from_pos(pos, min, max, log, integer), pos, now, min, max, log, integer);
                        set_control(ui, key, None, Some(Value::Num(v)));
                    } />
                <input type="text" inputmode="decimal" id=num_id class="numfield" aria-label=tf("{} (number)", &[&c.label])
                    aria-invalid=move || invalid.get().to_string()
                    prop:value=move || fmt_num(value())
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        let before = ui.notices.get_untracked().len();
                        set_control(ui, key, Some(&text), None);
                        let after = ui.notices.get_untracked();
                        invalid.set(after.len() > before && after.iter().any(|m| m.contains("ignored")));
                        ui.version.update(|v| *v += 1);
                    } />
            </div>
        </div>
    }
}

#[component]
fn ChoiceControl(ui: Ui, c: ControlInfo, options: &'static [(&'static str, &'static str)]) -> impl IntoView {
    let key = c.key;
    let id = format!("c-{key}");
    let selected = move || {
        ui.version.get();
        match current(key) {
            Some(Value::Choice(s)) => s,
            _ => String::new(),
        }
    };
    view! {
        <div class="control choice" data-key=key hidden=move || { ui.version.get(); !shown(key) }>
            <label for=id.clone() title=c.help>{c.label}</label>
            <select id=id prop:value=selected on:change=move |ev| set_control(ui, key, Some(&event_target_value(&ev)), None)>
                {options.iter().map(|(k, l)| view! { <option value=*k>{t(l)}</option> }).collect_view()}
            </select>
        </div>
    }
}

#[component]
fn FlagControl(ui: Ui, c: ControlInfo) -> impl IntoView {
    let key = c.key;
    let id = format!("c-{key}");
    let checked = move || {
        ui.version.get();
        matches!(current(key), Some(Value::Flag(true)))
    };
    view! {
        <div class="control flag" data-key=key hidden=move || { ui.version.get(); !shown(key) }>
            <input type="checkbox" id=id.clone() prop:checked=checked
                on:change=move |ev| set_control(ui, key, None, Some(Value::Flag(event_target_checked(&ev)))) />
            <label for=id title=c.help>{c.label}</label>
        </div>
    }
}

#[component]
fn SetControl(ui: Ui, c: ControlInfo, options: &'static [(&'static str, &'static str)]) -> impl IntoView {
    let key = c.key;
    let members = move || {
        ui.version.get();
        match current(key) {
            Some(Value::Set(v)) => v,
            _ => Vec::new(),
        }
    };
    view! {
        <fieldset class="control set" data-key=key hidden=move || { ui.version.get(); !shown(key) }>
            <legend>{c.label}</legend>
            {options.iter().enumerate().map(|(i, (k, l))| {
                let k: &'static str = k;
                let id = format!("c-{key}-{k}");
                view! {
                    <span class="chip">
                        <input type="checkbox" id=id.clone() prop:checked=move || members().iter().any(|m| m == k)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                let mut m = members();
                                m.retain(|x| x != k);
                                if on { m.push(k.to_string()); }
                                set_control(ui, key, None, Some(Value::Set(m)));
                            } />
                        <label for=id><span class="glyph" style=format!("color: var(--s{i})") aria-hidden="true">{crate::plot::Shape::nth(i).glyph().to_string()}</span>{t(l)}</label>
                    </span>
                }
            }).collect_view()}
        </fieldset>
    }
}

#[component]
fn TextControl(ui: Ui, c: ControlInfo, check: fn(&str) -> Option<(usize, String)>) -> impl IntoView {
    let key = c.key;
    let id = format!("c-{key}");
    let err_id = format!("e-{key}");
    // The text being typed while it is invalid, with the column and message of the first error.
    let error: RwSignal<Option<(String, usize, String)>> = RwSignal::new(None);
    let value = move || {
        ui.version.get();
        match current(key) {
            Some(Value::Text(s)) => s,
            _ => String::new(),
        }
    };
    view! {
        <div class="control text" data-key=key hidden=move || { ui.version.get(); !shown(key) }>
            <label for=id.clone() title=c.help>{c.label}</label>
            <input type="text" id=id spellcheck="false" autocomplete="off" autocapitalize="off" maxlength="600"
                aria-describedby=err_id.clone() aria-invalid=move || error.get().is_some().to_string()
                prop:value=value
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    match check(&text) {
                        // Valid text applies at once (the figure follows every keystroke) …
                        None => {
                            error.set(None);
                            set_control(ui, key, Some(&text), None);
                        }
                        // … invalid text is shown with a caret; the last valid value stays in use.
                        Some((col, msg)) => error.set(Some((text, col, msg))),
                    }
                } />
            <pre class="caret" id=err_id tabindex="0" hidden=move || error.get().is_none()>{move || {
                error.get().map(|(text, col, msg)| {
                    let pad: String = " ".repeat(col.saturating_sub(1).min(text.chars().count()));
                    format!("{text}\n{pad}^\n{}", tf("column {}: {}", &[&col, &msg]))
                })
            }}</pre>
        </div>
    }
}

/// The control panel of the current lab, grouped under headings.
#[component]
pub fn Controls(ui: Ui) -> impl IntoView {
    let all = with_lab(|s| s.lab.controls()).unwrap_or_default();
    let mut groups: Vec<(&'static str, Vec<ControlInfo>)> = Vec::new();
    for c in all {
        match groups.iter_mut().find(|(g, _)| *g == c.group) {
            Some((_, v)) => v.push(c),
            None => groups.push((c.group, vec![c])),
        }
    }
    groups
        .into_iter()
        .map(|(g, cs)| {
            let keys: Vec<&'static str> = cs.iter().map(|c| c.key).collect();
            let any_visible = move || {
                ui.version.get();
                keys.iter().any(|k| shown(k))
            };
            let widgets = cs
                .into_iter()
                .map(|c| match c.kind.clone() {
                    ControlKind::Num { min, max, log, integer } => {
                        view! { <NumControl ui=ui c=c min=min max=max log=log integer=integer/> }.into_any()
                    }
                    ControlKind::Choice { options } => view! { <ChoiceControl ui=ui c=c options=options/> }.into_any(),
                    ControlKind::Flag => view! { <FlagControl ui=ui c=c/> }.into_any(),
                    ControlKind::Set { options } => view! { <SetControl ui=ui c=c options=options/> }.into_any(),
                    ControlKind::Text { check } => view! { <TextControl ui=ui c=c check=check/> }.into_any(),
                })
                .collect_view();
            view! {
                <div class="group" hidden=move || !any_visible()>
                    {(!g.is_empty()).then(|| view! { <h3>{t(g)}</h3> })}
                    {widgets}
                </div>
            }
        })
        .collect_view()
}
