//! The control table: each lab declares its parameters once (key, label, range, scale, default,
//! visibility, accessors); the table drives the widgets, the URL, the CLI and the tests.

use super::instance::Reason;
use crate::fmt::{clip, fmt_num, parse_num};

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
        /// Valid values other than the default, for the registry-wide tests (URL round trips,
        /// property tests): a text control declares what it accepts, so the tests need no
        /// knowledge of any lab.
        examples: &'static [&'static str],
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

/// A number's range (min, max) given the other parameters (see [`Control::range_from`]).
pub type RangeFn<P> = fn(&P) -> (f64, f64);

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
    /// For a number: the range given the other parameters, within the declared one (e.g. the
    /// state size, 1…8 for an RNN and 1…64 for an SSM); `None` means the declared range.
    pub range: Option<RangeFn<P>>,
}

fn always<P>(_: &P) -> bool {
    true
}

impl<P> Control<P> {
    /// A control with this shape and the defaults: top group, no help, the default from
    /// `P::default()`, always visible, the declared range.
    const fn of(key: &'static str, label: &'static str, access: Access<P>) -> Self {
        Control { key, label, group: "", help: "", access, default: None, visible: always::<P>, range: None }
    }
    /// A numeric control on a linear scale.
    pub const fn num(key: &'static str, label: &'static str, min: f64, max: f64, get: fn(&P) -> f64, set: fn(&mut P, f64)) -> Self {
        Self::of(key, label, Access::Num { get, set, min, max, log: false, integer: false })
    }
    /// A select.
    pub const fn choice(
        key: &'static str,
        label: &'static str,
        options: &'static [(&'static str, &'static str)],
        get: fn(&P) -> &'static str,
        set: fn(&mut P, &'static str),
    ) -> Self {
        Self::of(key, label, Access::Choice { get, set, options })
    }
    /// A checkbox.
    pub const fn flag(key: &'static str, label: &'static str, get: fn(&P) -> bool, set: fn(&mut P, bool)) -> Self {
        Self::of(key, label, Access::Flag { get, set })
    }
    /// A multi-select.
    pub const fn set(
        key: &'static str,
        label: &'static str,
        options: &'static [(&'static str, &'static str)],
        get: fn(&P) -> Vec<&'static str>,
        set: fn(&mut P, &[&'static str]),
    ) -> Self {
        Self::of(key, label, Access::Set { get, set, options })
    }
    /// A validated text field.
    pub const fn text(
        key: &'static str,
        label: &'static str,
        get: fn(&P) -> String,
        set: fn(&mut P, &str) -> Result<(), String>,
        check: fn(&str) -> Option<(usize, String)>,
    ) -> Self {
        Self::of(key, label, Access::Text { get, set, check, examples: &[] })
    }
    /// Valid example values of a text control (see [`Access::Text`]).
    pub const fn examples(mut self, values: &'static [&'static str]) -> Self {
        if let Access::Text { ref mut examples, .. } = self.access {
            *examples = values;
        }
        self
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

    /// A number's range that depends on other parameters; it must lie within the declared one
    /// (the README and `flowlab list` show the declared range, the widget and the clamp this one).
    pub const fn range_from(mut self, range: RangeFn<P>) -> Self {
        self.range = Some(range);
        self
    }

    /// A number's range now: [`Control::range_from`] given `p` (kept inside the declared range),
    /// else the declared one. `None` for other kinds.
    pub fn bounds(&self, p: &P) -> Option<(f64, f64)> {
        let Access::Num { min, max, .. } = self.access else { return None };
        Some(match self.range {
            Some(f) => {
                let (lo, hi) = f(p);
                let lo = if lo.is_finite() { lo.clamp(min, max) } else { min };
                let hi = if hi.is_finite() { hi.clamp(lo, max) } else { max };
                (lo, hi)
            }
            None => (min, max),
        })
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
    pub fn apply(&self, p: &mut P, v: &Value) -> Result<Value, Reason> {
        match (&self.access, v) {
            (Access::Num { set, integer, .. }, Value::Num(x)) => {
                if !x.is_finite() {
                    return Err(Reason::NotFinite);
                }
                let (min, max) = self.bounds(p).unwrap_or((f64::MIN, f64::MAX));
                let mut y = x.clamp(min, max);
                if *integer {
                    y = y.round().clamp(min.ceil(), max.floor());
                }
                set(p, y);
                Ok(Value::Num(y))
            }
            (Access::Choice { set, options, .. }, Value::Choice(s)) => {
                let (k, _) = options.iter().find(|(k, _)| k == s).ok_or_else(|| Reason::UnknownOption(clip(s)))?;
                set(p, k);
                Ok(Value::Choice(k.to_string()))
            }
            (Access::Flag { set, .. }, Value::Flag(b)) => {
                set(p, *b);
                Ok(Value::Flag(*b))
            }
            (Access::Set { set, options, .. }, Value::Set(items)) => {
                if let Some(bad) = items.iter().find(|s| !options.iter().any(|(k, _)| k == s)) {
                    return Err(Reason::UnknownOption(clip(bad)));
                }
                let keys: Vec<&'static str> = options.iter().filter(|(k, _)| items.iter().any(|s| s == k)).map(|(k, _)| *k).collect();
                set(p, &keys);
                Ok(Value::Set(keys.iter().map(|s| s.to_string()).collect()))
            }
            (Access::Text { set, .. }, Value::Text(s)) => {
                set(p, s).map_err(Reason::Invalid)?;
                Ok(Value::Text(s.clone()))
            }
            _ => Err(Reason::WrongKind),
        }
    }

    /// Parses the text form (URL value, numeric field, CLI) into a value of this control's shape.
    pub fn parse(&self, s: &str) -> Result<Value, Reason> {
        // Text is kept exactly as typed: trimming would fight the field while a learner types.
        if let Access::Text { .. } = &self.access {
            return Ok(Value::Text(s.to_string()));
        }
        let s = s.trim();
        match &self.access {
            Access::Num { .. } => parse_num(s).map(Value::Num).ok_or_else(|| Reason::NotANumber(clip(s))),
            Access::Choice { .. } => Ok(Value::Choice(s.to_string())),
            Access::Flag { .. } => match s {
                "1" | "true" | "on" | "yes" => Ok(Value::Flag(true)),
                "0" | "false" | "off" | "no" => Ok(Value::Flag(false)),
                _ => Err(Reason::NotAFlag(clip(s))),
            },
            // Not reached (returned above); kept total so nothing can panic here.
            Access::Text { .. } => Ok(Value::Text(s.to_string())),
            Access::Set { .. } => Ok(Value::Set(s.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect())),
        }
    }

    /// The default given the other parameters in `p`; `base` is `P::default()`, which the caller
    /// builds once (in the 2-D labs it parses a formula: never once per control per read).
    pub fn default_value(&self, p: &P, base: &P) -> Value {
        match self.default {
            Some(f) => f(p),
            None => self.get(base),
        }
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
    /// Option labels (selects, multi-selects) in the current language, in option order.
    pub option_labels: Vec<&'static str>,
    /// Current value.
    pub value: Value,
    /// Default value in the current context.
    pub default: Value,
    /// Whether it applies now.
    pub visible: bool,
    /// A number's range now (within `kind`'s declared one: see [`Control::range_from`]).
    pub bounds: Option<(f64, f64)>,
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
        /// Valid example values (see [`Access::Text`]).
        examples: &'static [&'static str],
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
