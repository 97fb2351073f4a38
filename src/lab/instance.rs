//! A lab with its parameters and state ([`Instance`]) behind an object-safe interface
//! ([`DynLab`]), and the typed [`Notice`]s about input that was not taken as given.

use super::control::{Access, Control, ControlInfo, ControlKind, Value};
use super::export::{insert_svg_desc, Table};
use super::url::SHELL_KEYS;
use super::{Figure, Formula, Lab, LabMeta, Layer, Readout};
use crate::fmt::{clip, fmt_num};
use crate::i18n::{t_in, tf};
use crate::plot::backend::{Op, Recorder};
use crate::plot::svg::PngEncoder;
use crate::plot::theme::Theme;
use crate::plot::PlotFrame;
use plotters::prelude::IntoDrawingArea;

/// Why a value was not used.
#[derive(Clone, Debug, PartialEq)]
pub enum Reason {
    /// Not a decimal number (the text, clipped).
    NotANumber(String),
    /// A number, but infinite or NaN.
    NotFinite,
    /// Not one of the options (the text, clipped).
    UnknownOption(String),
    /// Not 0 or 1 (the text, clipped).
    NotAFlag(String),
    /// A value of another shape (e.g. a number for a select).
    WrongKind,
    /// Refused by the lab's validator, with its message (already in the current language).
    Invalid(String),
}

impl Reason {
    /// The reason for people, in the current language.
    pub fn message(&self) -> String {
        match self {
            Reason::NotANumber(s) => tf("'{}' is not a number", &[s]),
            Reason::NotFinite => crate::i18n::t("not a finite number").to_string(),
            Reason::UnknownOption(s) => tf("unknown option '{}'", &[s]),
            Reason::NotAFlag(s) => tf("'{}' is not 0 or 1", &[s]),
            Reason::WrongKind => crate::i18n::t("wrong kind of value").to_string(),
            Reason::Invalid(m) => m.clone(),
        }
    }
}

/// A notice about URL, field or CLI input that was not taken as given.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    /// A key this lab does not have.
    UnknownKey(String),
    /// A value that could not be used; the last good value was kept.
    Ignored {
        /// Key.
        key: String,
        /// Why.
        reason: Reason,
    },
    /// A value kept but not applied with the other settings ([`crate::lab::Lab::refusals`]).
    Refused {
        /// Key.
        key: String,
        /// Why, in the current language.
        why: String,
    },
    /// A value outside the range, clamped.
    Clamped {
        /// Key.
        key: String,
        /// What was given.
        given: String,
        /// What is used.
        used: String,
    },
}

impl Notice {
    /// The key the notice is about.
    pub fn key(&self) -> &str {
        match self {
            Notice::UnknownKey(k) => k,
            Notice::Ignored { key, .. } | Notice::Refused { key, .. } | Notice::Clamped { key, .. } => key,
        }
    }
    /// Whether the input was ignored (as opposed to adjusted, or kept but not applied).
    pub fn is_ignored(&self) -> bool {
        !matches!(self, Notice::Clamped { .. } | Notice::Refused { .. })
    }
    /// One line for people, in the current language.
    pub fn message(&self) -> String {
        match self {
            Notice::UnknownKey(k) => tf("unknown parameter '{}' ignored", &[&clip(k)]),
            Notice::Ignored { key, reason } => tf("'{}' ignored: {}", &[key, &reason.message()]),
            Notice::Refused { key, why } => tf("'{}' not applied: {}", &[key, why]),
            Notice::Clamped { key, given, used } => tf("'{}' = {} is out of range; using {}", &[key, &clip(given), used]),
        }
    }
}

/// A lab with its parameters and state, behind an object-safe interface: what the shell, the
/// CLI and the tests use. Nothing here names a browser type: figures come out as recordings
/// ([`Op`] lists) that the caller replays onto whatever surface it has.
pub trait DynLab {
    /// Slug.
    fn slug(&self) -> &'static str;
    /// Title, texts, captions.
    fn meta(&self) -> &'static LabMeta;
    /// See [`Lab::TEST_LIMITS`].
    fn test_limits(&self) -> &'static [(&'static str, f64)];
    /// All controls with current values and defaults, labels in the current language.
    fn controls(&self) -> Vec<ControlInfo>;
    /// One control (as in [`DynLab::controls`]).
    fn control(&self, key: &str) -> Option<ControlInfo>;
    /// Every control's current value, in table order (cheap: no defaults, no labels).
    fn values(&self) -> Vec<Value>;
    /// Whether each control applies now, in table order.
    fn visibility(&self) -> Vec<bool>;
    /// Each number's range now (see [`crate::lab::Control::range_from`]), in table order.
    fn bounds(&self) -> Vec<Option<(f64, f64)>>;
    /// Sets one control from text; the run restarts and replays to where it was. Returns a notice
    /// when the value was clamped, or an error (and no change) when it could not be used.
    fn set_text(&mut self, key: &str, text: &str) -> Result<Option<Notice>, Notice>;
    /// Sets one control from a value (same semantics as `set_text`).
    fn set_value(&mut self, key: &str, v: &Value) -> Result<Option<Notice>, Notice>;
    /// Applies query pairs (shell keys skipped) on top of the defaults; returns what was not taken as given.
    fn apply_query(&mut self, pairs: &[(String, String)]) -> Vec<Notice>;
    /// The non-default parameters as query pairs, in control-table order.
    fn query_pairs(&self) -> Vec<(String, String)>;
    /// Steps done and steps in a full run.
    fn progress(&self) -> (usize, usize);
    /// Back to step 0.
    fn reset(&mut self);
    /// Every parameter back to its default, the state computed afresh (a "Things to try" step
    /// starts from the defaults).
    fn restore_defaults(&mut self);
    /// Advances up to `n` steps; returns whether more remain.
    fn advance(&mut self, n: usize) -> bool;
    /// Runs to the end, background work included.
    fn finish(&mut self);
    /// Background work still to do: the fraction done (see [`Lab::pending`]).
    fn pending(&self) -> Option<f64>;
    /// Settings kept but not applied now, as notices (see [`Lab::refusals`]).
    fn refusals(&self) -> Vec<Notice>;
    /// One chunk of background work; returns whether more remains.
    fn work(&mut self) -> bool;
    /// Runs the background work to completion (without advancing the animation).
    fn complete(&mut self) {
        // A cap, so a lab whose `work` fails to make progress cannot hang the CLI or a test.
        for _ in 0..10_000_000 {
            if !self.work() {
                return;
            }
        }
    }
    /// See [`Lab::cache_key`].
    fn cache_key(&self, fig: Figure, layer: Layer) -> Option<u64>;
    /// See [`Lab::figure_height`]; only finite positive heights.
    fn figure_height(&self, fig: Figure, width: f64) -> Option<f64>;
    /// See [`Lab::formulas`].
    fn formulas(&self) -> Vec<Formula>;
    /// See [`Lab::readouts`].
    fn readouts(&self) -> Vec<Readout>;
    /// See [`Lab::data`].
    fn data(&self) -> Table;
    /// A one-line text summary of the figure for screen readers (the first readouts).
    fn summary(&self) -> String {
        let r = self.readouts();
        r.iter().take(3).map(|r| format!("{}: {}", r.label, r.text)).collect::<Vec<_>>().join("; ")
    }
    /// See [`Lab::pointer`]; replays like `set_text`.
    fn pointer(&mut self, x: f64, y: f64) -> bool;
    /// A drag from data point `from` to `to` (see [`Lab::stroke`]); same semantics as `pointer`.
    fn stroke(&mut self, from: (f64, f64), to: (f64, f64)) -> bool;
    /// See [`Lab::hover`].
    fn hover(&self, x: f64, y: f64) -> Option<String>;
    /// Draws a figure's layer on a `w`×`h` device-pixel surface into `ops`; returns the plotting
    /// frame for pointer mapping.
    fn record(&self, fig: Figure, layer: Layer, w: u32, h: u32, theme: &Theme, ops: &mut Vec<Op>) -> Result<Option<PlotFrame>, String>;
    /// The page's figure (main, and the linked chart under it) as one recording of `w`×`h` pixels.
    fn record_page(&self, w: u32, h: u32, theme: &Theme) -> Result<Vec<Op>, String>;
    /// The page's figure as an SVG document, the state URL `desc` in its `<desc>`.
    fn render_svg(&self, w: u32, h: u32, theme: &Theme, desc: &str, png: PngEncoder<'_>) -> Result<String, String> {
        let (w, h) = (w.max(64), h.max(64));
        let ops = self.record_page(w, h, theme)?;
        Ok(insert_svg_desc(&crate::plot::svg::write(&ops, (w, h), png), desc))
    }
}

/// The one implementation of [`DynLab`]: a lab's parameters, its state and the step counter.
pub struct Instance<L: Lab> {
    params: L::Params,
    /// `P::default()`, built once (defaults of controls without `default_from` read it).
    base: L::Params,
    state: L::State,
    tick: usize,
}

impl<L: Lab> Default for Instance<L> {
    fn default() -> Self {
        Self::new(L::Params::default())
    }
}

impl<L: Lab> Instance<L> {
    /// At step 0 with these parameters.
    pub fn new(params: L::Params) -> Self {
        let state = L::init(&params);
        Instance { params, base: L::Params::default(), state, tick: 0 }
    }

    /// The parameters.
    pub fn params(&self) -> &L::Params {
        &self.params
    }

    /// The state.
    pub fn state(&self) -> &L::State {
        &self.state
    }

    /// Re-initialises after a parameter change and replays to the same point (or to the end if the
    /// run was complete), so a change shows immediately without a manual reset.
    fn replay(&mut self, was_done: bool) {
        let total = L::frames(&self.params);
        let target = if was_done { total } else { self.tick.min(total) };
        L::reinit(&self.params, &mut self.state);
        self.tick = 0;
        self.advance(target);
    }

    /// Applies a pointer action to a copy of the parameters; when it changed them, takes them and
    /// replays to where the run was. Returns whether anything changed.
    fn pointed(&mut self, act: impl FnOnce(&mut L::Params) -> bool) -> bool {
        let was_done = self.done();
        let mut p = self.params.clone();
        if act(&mut p) && p != self.params {
            self.params = p;
            self.replay(was_done);
            return true;
        }
        false
    }

    fn done(&self) -> bool {
        self.tick >= L::frames(&self.params)
    }

    fn find(&self, key: &str) -> Option<&'static Control<L::Params>> {
        L::controls().iter().find(|c| c.key == key)
    }

    fn info(&self, c: &Control<L::Params>) -> ControlInfo {
        let tr = |s: &'static str| if s.is_empty() { "" } else { t_in(L::META.zh, s) };
        let (kind, options): (ControlKind, &[(&str, &str)]) = match &c.access {
            Access::Num { min, max, log, integer, .. } => (ControlKind::Num { min: *min, max: *max, log: *log, integer: *integer }, &[]),
            Access::Choice { options, .. } => (ControlKind::Choice { options }, options),
            Access::Flag { .. } => (ControlKind::Flag, &[]),
            Access::Set { options, .. } => (ControlKind::Set { options }, options),
            Access::Text { check, examples, .. } => (ControlKind::Text { check: *check, examples }, &[]),
        };
        ControlInfo {
            key: c.key,
            label: tr(c.label),
            group: tr(c.group),
            help: tr(c.help),
            kind,
            option_labels: options.iter().map(|(_, l)| tr(l)).collect(),
            value: c.get(&self.params),
            default: c.default_value(&self.params, &self.base),
            visible: (c.visible)(&self.params),
            bounds: c.bounds(&self.params),
        }
    }

    fn set_parsed(&mut self, c: &Control<L::Params>, given: &str, v: &Value) -> Result<Option<Notice>, Notice> {
        let was_done = self.done();
        let mut p = self.params.clone();
        let used = c.apply(&mut p, v).map_err(|reason| Notice::Ignored { key: c.key.to_string(), reason })?;
        if p != self.params {
            self.params = p;
            self.replay(was_done);
        }
        Ok(match (&used, v) {
            (Value::Num(a), Value::Num(b)) if a != b => {
                Some(Notice::Clamped { key: c.key.to_string(), given: given.to_string(), used: fmt_num(*a) })
            }
            _ => None,
        })
    }

    fn draw<DB: crate::plot::backend::Blit>(
        &self,
        fig: Figure,
        layer: Layer,
        area: &plotters::prelude::DrawingArea<DB, plotters::coord::Shift>,
        theme: &Theme,
    ) -> Result<Option<PlotFrame>, String> {
        L::render(fig, layer, area, &self.params, &self.state, theme).map_err(|e| format!("drawing failed: {e:?}"))
    }
}

impl<L: Lab> DynLab for Instance<L> {
    fn slug(&self) -> &'static str {
        L::SLUG
    }
    fn meta(&self) -> &'static LabMeta {
        &L::META
    }
    fn test_limits(&self) -> &'static [(&'static str, f64)] {
        L::TEST_LIMITS
    }
    fn controls(&self) -> Vec<ControlInfo> {
        L::controls().iter().map(|c| self.info(c)).collect()
    }
    fn control(&self, key: &str) -> Option<ControlInfo> {
        self.find(key).map(|c| self.info(c))
    }
    fn values(&self) -> Vec<Value> {
        L::controls().iter().map(|c| c.get(&self.params)).collect()
    }
    fn visibility(&self) -> Vec<bool> {
        L::controls().iter().map(|c| (c.visible)(&self.params)).collect()
    }
    fn bounds(&self) -> Vec<Option<(f64, f64)>> {
        L::controls().iter().map(|c| c.bounds(&self.params)).collect()
    }
    fn set_text(&mut self, key: &str, text: &str) -> Result<Option<Notice>, Notice> {
        let c = self.find(key).ok_or_else(|| Notice::UnknownKey(key.to_string()))?;
        let v = c.parse(text).map_err(|reason| Notice::Ignored { key: key.to_string(), reason })?;
        self.set_parsed(c, text, &v)
    }
    fn set_value(&mut self, key: &str, v: &Value) -> Result<Option<Notice>, Notice> {
        let c = self.find(key).ok_or_else(|| Notice::UnknownKey(key.to_string()))?;
        self.set_parsed(c, &v.to_url(), v)
    }
    fn apply_query(&mut self, pairs: &[(String, String)]) -> Vec<Notice> {
        let mut notes = Vec::new();
        for (k, _) in pairs {
            if !SHELL_KEYS.contains(&k.as_str()) && self.find(k).is_none() && !notes.iter().any(|n: &Notice| n.key() == k) {
                notes.push(Notice::UnknownKey(k.clone()));
            }
        }
        // Control-table order, not URL order: a default that depends on another control (the start
        // point on the surface) must see that control already set. The last occurrence of a key wins.
        for c in L::controls() {
            if let Some((_, text)) = pairs.iter().rev().find(|(k, _)| k == c.key) {
                match c.parse(text).and_then(|v| {
                    let mut p = self.params.clone();
                    let used = c.apply(&mut p, &v)?;
                    self.params = p;
                    Ok((v, used))
                }) {
                    Ok((Value::Num(a), Value::Num(b))) if a != b => {
                        notes.push(Notice::Clamped { key: c.key.to_string(), given: text.clone(), used: fmt_num(b) })
                    }
                    Ok(_) => {}
                    Err(reason) => notes.push(Notice::Ignored { key: c.key.to_string(), reason }),
                }
            }
        }
        self.state = L::init(&self.params);
        self.tick = 0;
        // A key that already has a notice (its value was ignored) is not also reported as refused.
        for r in self.refusals() {
            if !notes.iter().any(|n| n.key() == r.key()) {
                notes.push(r);
            }
        }
        notes
    }
    fn query_pairs(&self) -> Vec<(String, String)> {
        L::controls()
            .iter()
            .filter_map(|c| {
                let v = c.get(&self.params);
                (v != c.default_value(&self.params, &self.base)).then(|| (c.key.to_string(), v.to_url()))
            })
            .collect()
    }
    fn progress(&self) -> (usize, usize) {
        (self.tick, L::frames(&self.params))
    }
    fn restore_defaults(&mut self) {
        self.params = self.base.clone();
        self.state = L::init(&self.params);
        self.tick = 0;
    }
    fn reset(&mut self) {
        L::reinit(&self.params, &mut self.state);
        self.tick = 0;
    }
    fn advance(&mut self, n: usize) -> bool {
        let total = L::frames(&self.params);
        let end = self.tick.saturating_add(n).min(total);
        if end > self.tick {
            L::steps(&self.params, &mut self.state, end - self.tick);
            self.tick = end;
        }
        self.tick < total
    }
    fn finish(&mut self) {
        self.complete();
        self.advance(usize::MAX);
        self.complete();
    }
    fn refusals(&self) -> Vec<Notice> {
        L::refusals(&self.params).into_iter().map(|(key, why)| Notice::Refused { key: key.to_string(), why }).collect()
    }
    fn pending(&self) -> Option<f64> {
        L::pending(&self.params, &self.state).map(|f| if f.is_finite() { f.clamp(0.0, 1.0) } else { 0.0 })
    }
    fn work(&mut self) -> bool {
        if L::pending(&self.params, &self.state).is_none() {
            return false;
        }
        L::work(&self.params, &mut self.state);
        L::pending(&self.params, &self.state).is_some()
    }
    fn cache_key(&self, fig: Figure, layer: Layer) -> Option<u64> {
        L::cache_key(fig, layer, &self.params, &self.state)
    }
    fn figure_height(&self, fig: Figure, width: f64) -> Option<f64> {
        L::figure_height(fig, &self.params, &self.state, width).filter(|h| h.is_finite() && *h > 0.0)
    }
    fn formulas(&self) -> Vec<Formula> {
        L::formulas(&self.params, &self.state)
    }
    fn readouts(&self) -> Vec<Readout> {
        L::readouts(&self.params, &self.state)
    }
    fn data(&self) -> Table {
        L::data(&self.params, &self.state)
    }
    fn pointer(&mut self, x: f64, y: f64) -> bool {
        [x, y].iter().all(|v| v.is_finite()) && self.pointed(|p| L::pointer(p, x, y))
    }
    fn stroke(&mut self, from: (f64, f64), to: (f64, f64)) -> bool {
        [from.0, from.1, to.0, to.1].iter().all(|v| v.is_finite()) && self.pointed(|p| L::stroke(p, from, to))
    }
    fn hover(&self, x: f64, y: f64) -> Option<String> {
        L::hover(&self.params, &self.state, x, y)
    }
    fn record(&self, fig: Figure, layer: Layer, w: u32, h: u32, theme: &Theme, ops: &mut Vec<Op>) -> Result<Option<PlotFrame>, String> {
        let area = Recorder::new(ops, w, h).into_drawing_area();
        self.draw(fig, layer, &area, theme)
    }
    fn record_page(&self, w: u32, h: u32, theme: &Theme) -> Result<Vec<Op>, String> {
        let mut ops = Vec::new();
        {
            let root = Recorder::new(&mut ops, w, h).into_drawing_area();
            root.fill(&theme.bg).map_err(|e| format!("{e:?}"))?;
            if L::META.has_aux() {
                let main_h = (root.dim_in_pixel().1 as f64 * 0.68).round() as u32;
                let (top, bottom) = root.split_vertically(main_h);
                self.draw(Figure::Main, Layer::All, &top, theme)?;
                self.draw(Figure::Aux, Layer::All, &bottom, theme)?;
            } else {
                self.draw(Figure::Main, Layer::All, &root, theme)?;
            }
        }
        Ok(ops)
    }
}
