//! The lab contract: what a lab declares (parameters, controls, model, drawing) and the type-erased
//! [`DynLab`] through which the shell, the URL codec, the CLI and the tests drive every lab alike.

use crate::i18n::{t, tf};
use crate::plot::theme::Theme;
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingAreaErrorKind, DrawingBackend};
use std::fmt::Write as _;

/// Which figure of a lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Figure {
    /// The main, interactive plot.
    Main,
    /// The linked chart (e.g. loss vs step), if the lab has one.
    Aux,
}

/// What to draw of a figure. The browser caches the costly background on its own canvas and
/// redraws only the foreground per frame; SVG output draws both in order. `Background` and
/// `Foreground` are only ever drawn on the browser's canvas (which can take RGBA overlays and
/// stretched rasters); `All` is drawn everywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layer {
    /// Axes, labels and dense fields (heat maps).
    Background,
    /// What animates: paths, particles, markers.
    Foreground,
    /// Both.
    All,
}

impl Layer {
    /// Whether this layer includes the background.
    pub fn background(self) -> bool {
        matches!(self, Layer::Background | Layer::All)
    }
    /// Whether this layer includes the foreground.
    pub fn foreground(self) -> bool {
        matches!(self, Layer::Foreground | Layer::All)
    }
}

/// Where a 2-D chart put its plotting area: lets the UI map a pointer position to data coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlotFrame {
    /// Backend pixel x range of the plotting area.
    pub px: (i32, i32),
    /// Backend pixel y range of the plotting area (top, bottom).
    pub py: (i32, i32),
    /// Data x range (left, right).
    pub x: (f64, f64),
    /// Data y range (bottom, top).
    pub y: (f64, f64),
}

impl PlotFrame {
    /// Data coordinates of backend pixel (u, v), or `None` outside the plotting area.
    pub fn to_data(&self, u: f64, v: f64) -> Option<(f64, f64)> {
        let (u0, u1) = (self.px.0 as f64, self.px.1 as f64);
        let (v0, v1) = (self.py.0 as f64, self.py.1 as f64);
        if u1 <= u0 || v1 <= v0 || u < u0 || u > u1 || v < v0 || v > v1 {
            return None;
        }
        let x = self.x.0 + (u - u0) / (u1 - u0) * (self.x.1 - self.x.0);
        let y = self.y.1 - (v - v0) / (v1 - v0) * (self.y.1 - self.y.0);
        Some((x, y))
    }
}

/// A control's value, erased to one of four shapes.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A number (range controls).
    Num(f64),
    /// One option key (selects).
    Choice(String),
    /// On/off (toggles).
    Flag(bool),
    /// A set of option keys (multi-selects), in option order.
    Set(Vec<String>),
    /// Free text (a formula, a view window).
    Text(String),
}

impl Value {
    /// The URL form: shortest round-trip numbers, `0|1` flags, comma lists.
    pub fn to_url(&self) -> String {
        match self {
            Value::Num(x) => fmt_num(*x),
            Value::Choice(s) => s.clone(),
            Value::Flag(b) => if *b { "1" } else { "0" }.to_string(),
            Value::Set(v) => v.join(","),
            Value::Text(s) => s.clone(),
        }
    }
}

/// Shortest round-trip decimal for a finite f64 (Rust's `Display` is exactly that), with `-0` → `0`.
pub fn fmt_num(x: f64) -> String {
    if x == 0.0 {
        "0".to_string()
    } else {
        format!("{x}")
    }
}

/// Parses a number the way URLs and the numeric fields accept it: finite decimals only.
pub fn parse_num(s: &str) -> Option<f64> {
    let s = s.trim();
    // Rust accepts "inf", "nan" and "infinity": those are junk here, not values.
    if s.is_empty() || s.len() > 64 || !s.bytes().all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b)) {
        return None;
    }
    s.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// How a control is shown and what values it takes, with accessors into the lab's parameters.
pub enum Access<P> {
    /// A number in [min, max]: a slider paired with a numeric field.
    Num {
        /// Read.
        get: fn(&P) -> f64,
        /// Write (already clamped and rounded).
        set: fn(&mut P, f64),
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
        /// Slider moves in log10 space.
        log: bool,
        /// Only whole numbers.
        integer: bool,
    },
    /// One of several options: a select.
    Choice {
        /// Read: the option key.
        get: fn(&P) -> &'static str,
        /// Write: the option key (one of `options`).
        set: fn(&mut P, &'static str),
        /// (key, label) pairs.
        options: &'static [(&'static str, &'static str)],
    },
    /// On/off: a checkbox.
    Flag {
        /// Read.
        get: fn(&P) -> bool,
        /// Write.
        set: fn(&mut P, bool),
    },
    /// Free text validated by `set`: a text field with an inline error.
    Text {
        /// Read.
        get: fn(&P) -> String,
        /// Write; on invalid text returns the reason and leaves `P` as it was.
        set: fn(&mut P, &str) -> Result<(), String>,
        /// Validate without writing: the 1-based column and message of the first error.
        check: fn(&str) -> Option<(usize, String)>,
    },
    /// Any subset of options: a row of toggle buttons; in the URL a comma list.
    Set {
        /// Read: option keys.
        get: fn(&P) -> Vec<&'static str>,
        /// Write: option keys in option order, deduplicated.
        set: fn(&mut P, &[&'static str]),
        /// (key, label) pairs.
        options: &'static [(&'static str, &'static str)],
    },
}

/// One row of a lab's control table: declared once, it drives the widget, the URL and the CLI.
pub struct Control<P> {
    /// URL key. A public contract: never rename once published.
    pub key: &'static str,
    /// Label shown next to the widget.
    pub label: &'static str,
    /// Heading under which the control is grouped ("" for the top group).
    pub group: &'static str,
    /// One-line explanation (tooltip, `flowlab list`).
    pub help: &'static str,
    /// Shape and accessors.
    pub access: Access<P>,
    /// Default given the other parameters (e.g. the start point depends on the surface);
    /// `None` means the value in `P::default()`.
    pub default: Option<fn(&P) -> Value>,
    /// Whether the control applies in the current state (e.g. Adam's β's only while Adam is shown).
    pub visible: fn(&P) -> bool,
}

fn always<P>(_: &P) -> bool {
    true
}

impl<P> Control<P> {
    /// A numeric control on a linear scale.
    pub const fn num(key: &'static str, label: &'static str, min: f64, max: f64, get: fn(&P) -> f64, set: fn(&mut P, f64)) -> Self {
        Control {
            key,
            label,
            group: "",
            help: "",
            access: Access::Num { get, set, min, max, log: false, integer: false },
            default: None,
            visible: always::<P>,
        }
    }
    /// A select.
    pub const fn choice(
        key: &'static str,
        label: &'static str,
        options: &'static [(&'static str, &'static str)],
        get: fn(&P) -> &'static str,
        set: fn(&mut P, &'static str),
    ) -> Self {
        Control { key, label, group: "", help: "", access: Access::Choice { get, set, options }, default: None, visible: always::<P> }
    }
    /// A checkbox.
    pub const fn flag(key: &'static str, label: &'static str, get: fn(&P) -> bool, set: fn(&mut P, bool)) -> Self {
        Control { key, label, group: "", help: "", access: Access::Flag { get, set }, default: None, visible: always::<P> }
    }
    /// A multi-select.
    pub const fn set(
        key: &'static str,
        label: &'static str,
        options: &'static [(&'static str, &'static str)],
        get: fn(&P) -> Vec<&'static str>,
        set: fn(&mut P, &[&'static str]),
    ) -> Self {
        Control { key, label, group: "", help: "", access: Access::Set { get, set, options }, default: None, visible: always::<P> }
    }
    /// A validated text field.
    pub const fn text(
        key: &'static str,
        label: &'static str,
        get: fn(&P) -> String,
        set: fn(&mut P, &str) -> Result<(), String>,
        check: fn(&str) -> Option<(usize, String)>,
    ) -> Self {
        Control { key, label, group: "", help: "", access: Access::Text { get, set, check }, default: None, visible: always::<P> }
    }
    /// Slider in log10 space (requires min > 0).
    pub const fn log(mut self) -> Self {
        if let Access::Num { ref mut log, .. } = self.access {
            *log = true;
        }
        self
    }
    /// Whole numbers only.
    pub const fn integer(mut self) -> Self {
        if let Access::Num { ref mut integer, .. } = self.access {
            *integer = true;
        }
        self
    }
    /// Heading to group under.
    pub const fn group(mut self, group: &'static str) -> Self {
        self.group = group;
        self
    }
    /// Help text.
    pub const fn help(mut self, help: &'static str) -> Self {
        self.help = help;
        self
    }
    /// When the control applies.
    pub const fn visible(mut self, visible: fn(&P) -> bool) -> Self {
        self.visible = visible;
        self
    }
    /// A default that depends on other parameters.
    pub const fn default_from(mut self, default: fn(&P) -> Value) -> Self {
        self.default = Some(default);
        self
    }

    /// Current value.
    pub fn get(&self, p: &P) -> Value {
        match &self.access {
            Access::Num { get, .. } => Value::Num(get(p)),
            Access::Choice { get, .. } => Value::Choice(get(p).to_string()),
            Access::Flag { get, .. } => Value::Flag(get(p)),
            Access::Set { get, .. } => Value::Set(get(p).into_iter().map(str::to_string).collect()),
            Access::Text { get, .. } => Value::Text(get(p)),
        }
    }

    /// Sets from a value of the right shape, clamping numbers. Returns what was actually applied
    /// (differs from the input when clamped or rounded), or an error for a value of the wrong shape.
    pub fn apply(&self, p: &mut P, v: &Value) -> Result<Value, String> {
        match (&self.access, v) {
            (Access::Num { set, min, max, integer, .. }, Value::Num(x)) => {
                if !x.is_finite() {
                    return Err(crate::i18n::t("not a finite number").to_string());
                }
                let mut y = x.clamp(*min, *max);
                if *integer {
                    y = y.round().clamp(min.ceil(), max.floor());
                }
                set(p, y);
                Ok(Value::Num(y))
            }
            (Access::Choice { set, options, .. }, Value::Choice(s)) => {
                let (k, _) = options.iter().find(|(k, _)| k == s).ok_or_else(|| crate::i18n::tf("unknown option '{}'", &[&clip(s)]))?;
                set(p, k);
                Ok(Value::Choice(k.to_string()))
            }
            (Access::Flag { set, .. }, Value::Flag(b)) => {
                set(p, *b);
                Ok(Value::Flag(*b))
            }
            (Access::Set { set, options, .. }, Value::Set(items)) => {
                if let Some(bad) = items.iter().find(|s| !options.iter().any(|(k, _)| k == s)) {
                    return Err(crate::i18n::tf("unknown option '{}'", &[&clip(bad)]));
                }
                let keys: Vec<&'static str> = options.iter().filter(|(k, _)| items.iter().any(|s| s == k)).map(|(k, _)| *k).collect();
                set(p, &keys);
                Ok(Value::Set(keys.iter().map(|s| s.to_string()).collect()))
            }
            (Access::Text { set, .. }, Value::Text(s)) => {
                set(p, s)?;
                Ok(Value::Text(s.clone()))
            }
            _ => Err(crate::i18n::t("wrong kind of value").to_string()),
        }
    }

    /// Parses the text form (URL value, numeric field, CLI) into a value of this control's shape.
    pub fn parse(&self, s: &str) -> Result<Value, String> {
        // Text is kept exactly as typed: trimming would fight the field while a learner types.
        if let Access::Text { .. } = &self.access {
            return Ok(Value::Text(s.to_string()));
        }
        let s = s.trim();
        match &self.access {
            Access::Num { .. } => parse_num(s).map(Value::Num).ok_or_else(|| crate::i18n::tf("'{}' is not a number", &[&clip(s)])),
            Access::Choice { .. } => Ok(Value::Choice(s.to_string())),
            Access::Flag { .. } => match s {
                "1" | "true" | "on" | "yes" => Ok(Value::Flag(true)),
                "0" | "false" | "off" | "no" => Ok(Value::Flag(false)),
                _ => Err(crate::i18n::tf("'{}' is not 0 or 1", &[&clip(s)])),
            },
            // Not reached (returned above); kept total so nothing can panic here.
            Access::Text { .. } => Ok(Value::Text(s.to_string())),
            Access::Set { .. } => Ok(Value::Set(s.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect())),
        }
    }

    /// The default given the other parameters in `p`.
    pub fn default_value(&self, p: &P) -> Value
    where
        P: Default,
    {
        match self.default {
            Some(f) => f(p),
            None => self.get(&P::default()),
        }
    }
}

/// Shortens user text for messages (a URL can carry megabytes).
pub fn clip(s: &str) -> String {
    if s.chars().count() > 24 {
        format!("{}…", s.chars().take(24).collect::<String>())
    } else {
        s.to_string()
    }
}

/// Erased description of a control for the UI and the CLI.
#[derive(Clone, Debug, PartialEq)]
pub struct ControlInfo {
    /// URL key.
    pub key: &'static str,
    /// Label.
    pub label: &'static str,
    /// Group heading.
    pub group: &'static str,
    /// Help text.
    pub help: &'static str,
    /// Shape without accessors.
    pub kind: ControlKind,
    /// Current value.
    pub value: Value,
    /// Default value in the current context.
    pub default: Value,
    /// Whether it applies now.
    pub visible: bool,
}

/// The shape of a control, without accessors.
#[derive(Clone, Debug)]
pub enum ControlKind {
    /// Numeric range.
    Num {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
        /// Log slider.
        log: bool,
        /// Whole numbers.
        integer: bool,
    },
    /// Select.
    Choice {
        /// (key, label).
        options: &'static [(&'static str, &'static str)],
    },
    /// Checkbox.
    Flag,
    /// Multi-select.
    Set {
        /// (key, label).
        options: &'static [(&'static str, &'static str)],
    },
    /// Validated text.
    Text {
        /// First error: 1-based column and message.
        check: fn(&str) -> Option<(usize, String)>,
    },
}

/// Equal when they accept the same values (a text control's validator is not compared: function
/// addresses are not meaningful).
impl PartialEq for ControlKind {
    fn eq(&self, other: &Self) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other) && self.describe() == other.describe()
    }
}

impl ControlKind {
    /// A human description of the accepted values (`flowlab list`, README).
    pub fn describe(&self) -> String {
        match self {
            ControlKind::Num { min, max, log, integer } => {
                format!(
                    "{}{} … {}{}",
                    if *integer { "integer " } else { "" },
                    fmt_num(*min),
                    fmt_num(*max),
                    if *log { " (log)" } else { "" }
                )
            }
            ControlKind::Choice { options } => options.iter().map(|(k, _)| *k).collect::<Vec<_>>().join("|"),
            ControlKind::Flag => "0|1".to_string(),
            ControlKind::Set { options } => format!("comma list of {}", options.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(",")),
            ControlKind::Text { .. } => "text".to_string(),
        }
    }
}

/// Title, teaching point and help text of a lab.
#[derive(Debug)]
pub struct LabMeta {
    /// Title.
    pub title: &'static str,
    /// One-line teaching point (landing card).
    pub tagline: &'static str,
    /// "What to look at" paragraph.
    pub look_at: &'static str,
    /// "Things to try": each a short instruction and the query it sets (without `lab=`).
    pub try_these: &'static [(&'static str, &'static str)],
    /// Caption of the main figure.
    pub main_caption: &'static str,
    /// Caption of the linked chart ("" if none).
    pub aux_caption: &'static str,
}

/// A table of numbers and labels: what the CLI and the CSV/JSON export write.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// Column names.
    pub columns: Vec<&'static str>,
    /// Rows; each cell a string already formatted (numbers at full round-trip precision).
    pub rows: Vec<Vec<String>>,
    /// Named scalar results (e.g. `nfe`, `bound_dg`): top-level keys of the JSON export; the CSV,
    /// one row per item, has no place for them.
    pub summary: Vec<(&'static str, String)>,
}

impl Table {
    /// CSV with a header; cells are never quoted because no cell contains a comma or quote.
    pub fn to_csv(&self) -> String {
        let mut out = self.columns.join(",");
        out.push('\n');
        for r in &self.rows {
            out.push_str(&r.join(","));
            out.push('\n');
        }
        out
    }
}

/// A line of the legend/readout panel.
#[derive(Clone, Debug, PartialEq)]
pub struct Readout {
    /// What it is about (an optimizer name, "Hessian" …).
    pub label: String,
    /// The text.
    pub text: String,
    /// Palette index for a colour swatch, if the item has a colour in the figure.
    pub colour: Option<usize>,
    /// Marks a warning (divergence).
    pub warn: bool,
}

/// What a lab implements. Everything is a pure function of the parameters and the state, so the
/// shell can replay, the CLI can render without a browser, and the tests can loop over labs.
pub trait Lab: 'static {
    /// URL slug (`?lab=…`). Never rename once published.
    const SLUG: &'static str;
    /// Every parameter the URL can set.
    type Params: Clone + PartialEq + Default + 'static;
    /// Whatever the model accumulates as it animates.
    type State: 'static;

    /// Title and texts.
    fn meta() -> &'static LabMeta;
    /// The control table.
    fn controls() -> &'static [Control<Self::Params>];
    /// Fresh state for these parameters.
    fn init(p: &Self::Params) -> Self::State;
    /// Re-initialises after a parameter change. A lab whose state holds costly caches that do not
    /// depend on every parameter (data, original distances) overrides this to keep them.
    fn reinit(p: &Self::Params, s: &mut Self::State) {
        *s = Self::init(p);
    }
    /// Background work still to do, as the fraction done in [0, 1), or `None` when there is none.
    /// Work that would freeze the page if done at once (a fine reference solve, a large projection)
    /// is split into chunks: the browser runs [`Lab::work`] within a time budget per frame and
    /// shows a progress bar; the CLI, exports and tests run it to completion.
    fn pending(_p: &Self::Params, _s: &Self::State) -> Option<f64> {
        None
    }
    /// What the background work is, for the progress bar (translated through the i18n table).
    fn pending_label() -> &'static str {
        "computing"
    }
    /// One bounded chunk (a few milliseconds) of the background work; must make progress on every call.
    fn work(_p: &Self::Params, _s: &mut Self::State) {}
    /// Advances one animation step.
    fn step(p: &Self::Params, s: &mut Self::State);
    /// Steps in a full run (0 for a static lab).
    fn total_steps(p: &Self::Params) -> usize;
    /// Whether the lab has a linked chart.
    fn has_aux() -> bool {
        false
    }
    /// A value that changes exactly when the background layer of the main figure must be redrawn.
    fn background_key(_p: &Self::Params, _s: &Self::State) -> u64 {
        0
    }
    /// A value that changes exactly when the linked chart's background layer must be redrawn, or
    /// `None` (the default) when the linked chart is drawn whole on every frame.
    fn aux_key(_p: &Self::Params) -> Option<u64> {
        None
    }
    /// With an [`Lab::aux_key`]: a value that changes exactly when the linked chart's foreground
    /// must be redrawn, or `None` (the default) to redraw it every frame. A lab whose linked chart
    /// does not animate returns a constant, and the shell then composes the chart only when a key
    /// changes.
    fn aux_foreground_key(_p: &Self::Params, _s: &Self::State) -> Option<u64> {
        None
    }
    /// Draws a figure's layer. Returns the plotting frame for pointer mapping where there is one.
    #[allow(clippy::type_complexity)]
    fn render<DB: DrawingBackend>(
        fig: Figure,
        layer: Layer,
        area: &DrawingArea<DB, Shift>,
        p: &Self::Params,
        s: &Self::State,
        theme: &Theme,
    ) -> Result<Option<PlotFrame>, DrawingAreaErrorKind<DB::ErrorType>>;
    /// The formula panel, as MathML markup, with live numbers.
    fn formula(p: &Self::Params, s: &Self::State) -> String;
    /// Legend / readouts.
    fn readouts(p: &Self::Params, s: &Self::State) -> Vec<Readout>;
    /// The data export.
    fn data(p: &Self::Params, s: &Self::State) -> Table;
    /// A pointer press or drag at data point (x, y) on the main figure; returns whether it changed `p`.
    fn pointer(_p: &mut Self::Params, _x: f64, _y: f64) -> bool {
        false
    }
    /// Hover text at data point (x, y) on the main figure.
    fn hover(_p: &Self::Params, _s: &Self::State, _x: f64, _y: f64) -> Option<String> {
        None
    }
    /// What clicking or dragging on the main figure does (shown under it; translated).
    fn pointer_hint() -> &'static str {
        "Click or drag on the plot to move the start point."
    }
}

/// A notice about URL or CLI input that was not taken as given.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    /// A key this lab does not have.
    UnknownKey(String),
    /// A value that could not be parsed or is not an option; the default was kept.
    Ignored {
        /// Key.
        key: String,
        /// Why.
        reason: String,
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
            Notice::Ignored { key, .. } | Notice::Clamped { key, .. } => key,
        }
    }
    /// Whether the input was ignored (as opposed to adjusted).
    pub fn is_ignored(&self) -> bool {
        !matches!(self, Notice::Clamped { .. })
    }
    /// One line for people.
    pub fn message(&self) -> String {
        match self {
            Notice::UnknownKey(k) => tf("unknown parameter '{}' ignored", &[&clip(k)]),
            Notice::Ignored { key, reason } => tf("'{}' ignored: {}", &[key, reason]),
            Notice::Clamped { key, given, used } => tf("'{}' = {} is out of range; using {}", &[key, &clip(given), used]),
        }
    }
}

/// URL keys that belong to the shell, not to any lab.
pub const SHELL_KEYS: &[&str] = &["lab", "embed", "hide", "controls", "autoplay", "lang", "bench", "theme"];

/// A lab with its parameters and state, behind an object-safe interface.
pub trait DynLab {
    /// Slug.
    fn slug(&self) -> &'static str;
    /// Meta.
    fn meta(&self) -> &'static LabMeta;
    /// Whether it has a linked chart.
    fn has_aux(&self) -> bool;
    /// All controls with current values.
    fn controls(&self) -> Vec<ControlInfo>;
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
    /// Advances up to `n` steps; returns whether more remain.
    fn advance(&mut self, n: usize) -> bool;
    /// Runs to the end, background work included.
    fn finish(&mut self);
    /// Background work still to do: fraction done and what it is (see [`Lab::pending`]).
    fn pending(&self) -> Option<(f64, &'static str)>;
    /// One chunk of background work; returns whether more remains.
    fn work(&mut self) -> bool;
    /// See [`Lab::pending_label`] (untranslated).
    fn pending_label(&self) -> &'static str;
    /// Runs the background work to completion (without advancing the animation).
    fn complete(&mut self) {
        // A cap, so a lab whose `work` fails to make progress cannot hang the CLI or a test.
        for _ in 0..10_000_000 {
            if !self.work() {
                return;
            }
        }
    }
    /// See [`Lab::background_key`].
    fn background_key(&self) -> u64;
    /// See [`Lab::aux_key`].
    fn aux_key(&self) -> Option<u64>;
    /// See [`Lab::aux_foreground_key`].
    fn aux_foreground_key(&self) -> Option<u64>;
    /// See [`Lab::formula`].
    fn formula(&self) -> String;
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
    /// See [`Lab::hover`].
    fn hover(&self, x: f64, y: f64) -> Option<String>;
    /// See [`Lab::pointer_hint`] (translated).
    fn pointer_hint(&self) -> &'static str;
    /// The page's figure (main, and the linked chart under it) as an SVG document.
    fn render_svg(&self, width: u32, height: u32, theme: &Theme, desc: &str) -> Result<String, String>;
    /// Draws a figure's layer onto a canvas (browser only), clearing it first.
    #[cfg(target_arch = "wasm32")]
    fn render_canvas(
        &self,
        fig: Figure,
        layer: Layer,
        canvas: &web_sys::HtmlCanvasElement,
        theme: &Theme,
    ) -> Result<Option<PlotFrame>, String> {
        self.render_canvas_with(fig, layer, canvas, theme, true)
    }
    /// Draws a figure's layer onto a canvas (browser only), over what is there when `clear` is
    /// false (a foreground over a background already copied in).
    #[cfg(target_arch = "wasm32")]
    fn render_canvas_with(
        &self,
        fig: Figure,
        layer: Layer,
        canvas: &web_sys::HtmlCanvasElement,
        theme: &Theme,
        clear: bool,
    ) -> Result<Option<PlotFrame>, String>;
}

/// The one implementation of [`DynLab`]: a lab's parameters, its state and the step counter.
pub struct Instance<L: Lab> {
    params: L::Params,
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
        Instance { params, state, tick: 0 }
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
        let total = L::total_steps(&self.params);
        let target = if was_done { total } else { self.tick.min(total) };
        L::reinit(&self.params, &mut self.state);
        self.tick = 0;
        self.advance(target);
    }

    fn done(&self) -> bool {
        self.tick >= L::total_steps(&self.params)
    }

    fn control(&self, key: &str) -> Option<&'static Control<L::Params>> {
        L::controls().iter().find(|c| c.key == key)
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

    /// The page's figure on one surface: the main figure, and the linked chart under it.
    fn compose<DB: DrawingBackend>(&self, backend: DB, theme: &Theme) -> Result<(), String> {
        use plotters::prelude::IntoDrawingArea;
        let root = backend.into_drawing_area();
        root.fill(&theme.bg).map_err(|e| format!("{e:?}"))?;
        if L::has_aux() {
            let main_h = (root.dim_in_pixel().1 as f64 * 0.68).round() as u32;
            let (top, bottom) = root.split_vertically(main_h);
            self.draw(Figure::Main, Layer::All, &top, theme)?;
            self.draw(Figure::Aux, Layer::All, &bottom, theme)?;
        } else {
            self.draw(Figure::Main, Layer::All, &root, theme)?;
        }
        root.present().map_err(|e| format!("{e:?}"))
    }

    fn draw<DB: DrawingBackend>(
        &self,
        fig: Figure,
        layer: Layer,
        area: &DrawingArea<DB, Shift>,
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
        L::meta()
    }
    fn has_aux(&self) -> bool {
        L::has_aux()
    }
    fn controls(&self) -> Vec<ControlInfo> {
        L::controls()
            .iter()
            .map(|c| ControlInfo {
                key: c.key,
                label: t(c.label),
                group: if c.group.is_empty() { "" } else { t(c.group) },
                help: if c.help.is_empty() { "" } else { t(c.help) },
                kind: match &c.access {
                    Access::Num { min, max, log, integer, .. } => ControlKind::Num { min: *min, max: *max, log: *log, integer: *integer },
                    Access::Choice { options, .. } => ControlKind::Choice { options },
                    Access::Flag { .. } => ControlKind::Flag,
                    Access::Set { options, .. } => ControlKind::Set { options },
                    Access::Text { check, .. } => ControlKind::Text { check: *check },
                },
                value: c.get(&self.params),
                default: c.default_value(&self.params),
                visible: (c.visible)(&self.params),
            })
            .collect()
    }
    fn set_text(&mut self, key: &str, text: &str) -> Result<Option<Notice>, Notice> {
        let c = self.control(key).ok_or_else(|| Notice::UnknownKey(key.to_string()))?;
        let v = c.parse(text).map_err(|reason| Notice::Ignored { key: key.to_string(), reason })?;
        self.set_parsed(c, text, &v)
    }
    fn set_value(&mut self, key: &str, v: &Value) -> Result<Option<Notice>, Notice> {
        let c = self.control(key).ok_or_else(|| Notice::UnknownKey(key.to_string()))?;
        self.set_parsed(c, &v.to_url(), v)
    }
    fn apply_query(&mut self, pairs: &[(String, String)]) -> Vec<Notice> {
        let mut notes = Vec::new();
        for (k, _) in pairs {
            if !SHELL_KEYS.contains(&k.as_str()) && self.control(k).is_none() && !notes.iter().any(|n: &Notice| n.key() == k) {
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
        notes
    }
    fn query_pairs(&self) -> Vec<(String, String)> {
        L::controls()
            .iter()
            .filter_map(|c| {
                let v = c.get(&self.params);
                (v != c.default_value(&self.params)).then(|| (c.key.to_string(), v.to_url()))
            })
            .collect()
    }
    fn progress(&self) -> (usize, usize) {
        (self.tick, L::total_steps(&self.params))
    }
    fn reset(&mut self) {
        L::reinit(&self.params, &mut self.state);
        self.tick = 0;
    }
    fn advance(&mut self, n: usize) -> bool {
        let total = L::total_steps(&self.params);
        let end = self.tick.saturating_add(n).min(total);
        while self.tick < end {
            L::step(&self.params, &mut self.state);
            self.tick += 1;
        }
        self.tick < total
    }
    fn finish(&mut self) {
        self.complete();
        self.advance(usize::MAX);
        self.complete();
    }
    fn pending(&self) -> Option<(f64, &'static str)> {
        L::pending(&self.params, &self.state).map(|f| (if f.is_finite() { f.clamp(0.0, 1.0) } else { 0.0 }, L::pending_label()))
    }
    fn pending_label(&self) -> &'static str {
        L::pending_label()
    }
    fn work(&mut self) -> bool {
        if L::pending(&self.params, &self.state).is_none() {
            return false;
        }
        L::work(&self.params, &mut self.state);
        L::pending(&self.params, &self.state).is_some()
    }
    fn background_key(&self) -> u64 {
        L::background_key(&self.params, &self.state)
    }
    fn aux_key(&self) -> Option<u64> {
        L::aux_key(&self.params)
    }
    fn aux_foreground_key(&self) -> Option<u64> {
        L::aux_foreground_key(&self.params, &self.state)
    }
    fn formula(&self) -> String {
        L::formula(&self.params, &self.state)
    }
    fn readouts(&self) -> Vec<Readout> {
        L::readouts(&self.params, &self.state)
    }
    fn data(&self) -> Table {
        L::data(&self.params, &self.state)
    }
    fn pointer(&mut self, x: f64, y: f64) -> bool {
        if !(x.is_finite() && y.is_finite()) {
            return false;
        }
        let was_done = self.done();
        let mut p = self.params.clone();
        if L::pointer(&mut p, x, y) && p != self.params {
            self.params = p;
            self.replay(was_done);
            return true;
        }
        false
    }
    fn hover(&self, x: f64, y: f64) -> Option<String> {
        L::hover(&self.params, &self.state, x, y)
    }
    fn pointer_hint(&self) -> &'static str {
        t(L::pointer_hint())
    }
    fn render_svg(&self, width: u32, height: u32, theme: &Theme, desc: &str) -> Result<String, String> {
        use plotters::prelude::SVGBackend;
        let size = (width.max(64), height.max(64));
        let mut svg = String::new();
        #[cfg(not(target_arch = "wasm32"))]
        self.compose(SVGBackend::with_string(&mut svg, size), theme)?;
        #[cfg(target_arch = "wasm32")]
        {
            let mut images = Vec::new();
            self.compose(crate::ui::canvas::svg_with_images(SVGBackend::with_string(&mut svg, size), &mut images), theme)?;
            svg = crate::ui::canvas::insert_svg_images(&svg, &images);
        }
        // plotters writes the non-standard `data:png`; viewers other than browsers want the MIME type.
        let svg = svg.replace("href=\"data:png;base64,", "href=\"data:image/png;base64,");
        Ok(insert_svg_desc(&svg, desc))
    }
    #[cfg(target_arch = "wasm32")]
    fn render_canvas_with(
        &self,
        fig: Figure,
        layer: Layer,
        canvas: &web_sys::HtmlCanvasElement,
        theme: &Theme,
        clear: bool,
    ) -> Result<Option<PlotFrame>, String> {
        use plotters::prelude::IntoDrawingArea;
        let backend = crate::ui::canvas::fast_canvas(canvas.clone(), clear).ok_or("no 2d context")?;
        let area = backend.into_drawing_area();
        let frame = self.draw(fig, layer, &area, theme)?;
        area.present().map_err(|e| format!("{e:?}"))?;
        Ok(frame)
    }
}

/// Puts a `<desc>` (the state URL) right after the opening `<svg …>` tag.
pub fn insert_svg_desc(svg: &str, desc: &str) -> String {
    if desc.is_empty() {
        return svg.to_string();
    }
    let mut esc = String::new();
    for ch in desc.chars() {
        match ch {
            '&' => esc.push_str("&amp;"),
            '<' => esc.push_str("&lt;"),
            '>' => esc.push_str("&gt;"),
            c => esc.push(c),
        }
    }
    match svg.find("<svg").and_then(|i| svg[i..].find('>').map(|j| i + j + 1)) {
        Some(at) => {
            let mut out = String::with_capacity(svg.len() + esc.len() + 16);
            out.push_str(&svg[..at]);
            let _ = write!(out, "\n<desc>{esc}</desc>");
            out.push_str(&svg[at..]);
            out
        }
        None => svg.to_string(),
    }
}

/// Splits a query string (with or without `?`) into decoded pairs. Never fails: undecodable
/// escapes are kept literally, a bare key gets an empty value.
pub fn parse_query(q: &str) -> Vec<(String, String)> {
    let q = q.trim().trim_start_matches('?');
    q.split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// `application/x-www-form-urlencoded` decoding (`+` is a space).
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = |c: u8| (c as char).to_digit(16);
                match (hex(b[i + 1]), hex(b[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encodes a query component: unreserved characters and `,` (our list separator) stay readable.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~,".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Builds `lab=<slug>&k=v…`.
pub fn build_query(slug: &str, pairs: &[(String, String)]) -> String {
    let mut q = format!("lab={}", percent_encode(slug));
    for (k, v) in pairs {
        let _ = write!(q, "&{}={}", percent_encode(k), percent_encode(v));
    }
    q
}

fn json_str(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// The data table as JSON: `{"lab", "url", "columns", "rows"}`; numeric cells are JSON numbers.
pub fn to_json(lab: &dyn DynLab, url: &str) -> String {
    let t = lab.data();
    let mut s = format!("{{\"lab\":{},\"url\":{},", json_str(lab.slug()), json_str(url));
    for (k, v) in &t.summary {
        let v = if parse_num(v).is_some() || v == "null" { v.clone() } else { json_str(v) };
        let _ = write!(s, "{}:{v},", json_str(k));
    }
    s.push_str("\"columns\":[");
    s.push_str(&t.columns.iter().map(|c| json_str(c)).collect::<Vec<_>>().join(","));
    s.push_str("],\"rows\":[");
    let rows: Vec<String> = t
        .rows
        .iter()
        .map(|r| {
            let cells: Vec<String> = r.iter().map(|c| if parse_num(c).is_some() { c.clone() } else { json_str(c) }).collect();
            format!("[{}]", cells.join(","))
        })
        .collect();
    s.push_str(&rows.join(","));
    s.push_str("]}\n");
    s
}

/// The data table as CSV, led by a `#` comment line with the full state URL.
pub fn to_csv(lab: &dyn DynLab, url: &str) -> String {
    format!("# {url}\n{}", lab.data().to_csv())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lab whose state is a cache (kept across changes of `b`) plus chunked background work.
    struct Chunky;
    #[derive(Clone, PartialEq, Default)]
    struct P {
        a: f64,
        b: f64,
    }
    struct S {
        cache_for: f64,
        inits: usize,
        done: usize,
        stepped: usize,
    }
    static META: LabMeta = LabMeta { title: "t", tagline: "", look_at: "", try_these: &[], main_caption: "", aux_caption: "" };
    static CONTROLS: [Control<P>; 2] = [
        Control::num("a", "a", 0.0, 10.0, |p: &P| p.a, |p: &mut P, v| p.a = v),
        Control::num("b", "b", 0.0, 10.0, |p: &P| p.b, |p: &mut P, v| p.b = v),
    ];
    impl Lab for Chunky {
        const SLUG: &'static str = "chunky";
        type Params = P;
        type State = S;
        fn meta() -> &'static LabMeta {
            &META
        }
        fn controls() -> &'static [Control<P>] {
            &CONTROLS
        }
        fn init(p: &P) -> S {
            S { cache_for: p.a, inits: 1, done: 0, stepped: 0 }
        }
        fn reinit(p: &P, s: &mut S) {
            if s.cache_for != p.a {
                *s = Self::init(p);
            } else {
                s.stepped = 0;
            }
        }
        fn pending(_: &P, s: &S) -> Option<f64> {
            (s.done < 5).then(|| s.done as f64 / 5.0)
        }
        fn work(_: &P, s: &mut S) {
            s.done += 1;
        }
        fn step(_: &P, s: &mut S) {
            s.stepped += 1;
        }
        fn total_steps(_: &P) -> usize {
            3
        }
        fn render<DB: DrawingBackend>(
            _: Figure,
            _: Layer,
            _: &DrawingArea<DB, Shift>,
            _: &P,
            _: &S,
            _: &Theme,
        ) -> Result<Option<PlotFrame>, DrawingAreaErrorKind<DB::ErrorType>> {
            Ok(None)
        }
        fn formula(_: &P, _: &S) -> String {
            String::new()
        }
        fn readouts(_: &P, _: &S) -> Vec<Readout> {
            Vec::new()
        }
        fn data(_: &P, s: &S) -> Table {
            Table { columns: vec!["x"], rows: vec![vec!["1".into()]], summary: vec![("done", s.done.to_string()), ("name", "n/a".into())] }
        }
    }

    #[test]
    fn background_work_runs_in_chunks_and_finish_completes_it() {
        let mut lab = Instance::<Chunky>::default();
        assert_eq!(lab.pending(), Some((0.0, "computing")));
        assert!(lab.work());
        assert_eq!(lab.pending(), Some((0.2, "computing")));
        lab.finish();
        assert_eq!(lab.pending(), None);
        assert!(!lab.work(), "no work left");
        assert_eq!(lab.progress(), (3, 3));
        assert_eq!(lab.state().done, 5);
    }

    #[test]
    fn reinit_keeps_caches_the_changed_parameter_does_not_touch() {
        let mut lab = Instance::<Chunky>::default();
        lab.finish();
        lab.set_text("b", "2").unwrap();
        assert_eq!((lab.state().inits, lab.state().done), (1, 5), "cache kept when only b changes");
        assert_eq!(lab.state().stepped, 3, "replayed to the end");
        lab.set_text("a", "2").unwrap();
        assert_eq!(lab.state().done, 0, "a change of a starts over");
        assert!(lab.pending().is_some());
    }

    #[test]
    fn json_carries_the_summary_as_top_level_keys() {
        let mut lab = Instance::<Chunky>::default();
        lab.finish();
        let json = to_json(&lab, "?lab=chunky");
        assert!(json.starts_with(r#"{"lab":"chunky","url":"?lab=chunky","done":5,"name":"n/a","columns":["x"]"#), "{json}");
        assert_eq!(to_csv(&lab, "u"), "# u\nx\n1\n");
    }
}
