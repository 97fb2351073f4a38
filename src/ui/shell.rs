//! The page's state outside the reactive graph (the lab, the canvases and what they show), the
//! reactive handles the widgets read ([`Ui`]), and the options the URL opened the page with
//! ([`ShellOptions`], parsed once).

use super::figure::Figures;
use crate::lab::{parse_query, DynLab, Formula, Notice, Readout, Value};
use leptos::prelude::*;
use std::cell::RefCell;

/// Everything the page mutates outside the reactive graph. The browser runs us on one thread, so
/// a thread-local keeps non-`Send` values (the lab, canvases) out of leptos' `Send` signals.
pub(crate) struct Shell {
    /// The lab.
    pub lab: Box<dyn DynLab>,
    /// The canvases and what each shows.
    pub figures: Figures,
    /// Fractional steps owed to the animation (runs of any length take the same time).
    pub owed: f64,
    /// A pointer is pressed on the plot: the data point of the press or of the last move (a lab
    /// that draws fills the path from there).
    pub drag: Option<(f64, f64)>,
    /// When the screen-reader summary was last updated (ms).
    pub live_at: f64,
    /// When the URL and the formula panel are due to follow the last change (ms), if they lag.
    pub settle_at: Option<f64>,
    /// Frames in which background work waits: input goes first (set by every change).
    pub quiet_frames: u8,
    /// When the text panels were last refreshed (ms).
    pub panels_at: f64,
    /// The host hid the frame (a slide left the screen): no animation, no background work.
    pub suspended: bool,
    /// Whether the animation was playing when the host hid the frame (resumed on return).
    pub resume_play: bool,
    /// A slider is being moved: figures are drawn as drafts ([`crate::plot::theme::Theme::draft`])
    /// until the change settles, then once in full.
    pub drafting: bool,
}

thread_local! {
    static SHELL: RefCell<Option<Shell>> = const { RefCell::new(None) };
}

/// Installs the shell state (once, at start).
pub(crate) fn install(s: Shell) {
    SHELL.with(|c| *c.borrow_mut() = Some(s));
}

/// Runs `f` on the shell state. `None` only on the landing page (no lab) or on a re-entrant call,
/// which is a bug: it is reported on the console and in the page's error box, never swallowed.
pub(crate) fn with_shell<R>(f: impl FnOnce(&mut Shell) -> R) -> Option<R> {
    SHELL.with(|c| match c.try_borrow_mut() {
        Ok(mut s) => s.as_mut().map(f),
        Err(_) => {
            leptos::logging::error!("flowlab: re-entrant access to the shell state (a bug; please report it)");
            if let Some(ui) = use_context::<Ui>() {
                ui.error.set(Some("internal error: re-entrant update".into()));
            }
            None
        }
    })
}

/// One control's reactive state: its value and whether it applies now.
#[derive(Clone, Copy)]
pub(crate) struct ControlSignals {
    /// Current value.
    pub value: RwSignal<Value>,
    /// Applies in the current state.
    pub visible: RwSignal<bool>,
    /// A number's range now (it can depend on other controls).
    pub bounds: RwSignal<Option<(f64, f64)>>,
}

/// Reactive handles shared by the components (all `Copy`). Each widget reads only its own
/// control's signals: a slider event updates the one or two controls it changed.
#[derive(Clone, Copy)]
pub(crate) struct Ui {
    /// One per control, in table order.
    pub controls: StoredValue<Vec<ControlSignals>>,
    /// Steps done / total.
    pub progress: RwSignal<(usize, usize)>,
    /// The animation runs.
    pub playing: RwSignal<bool>,
    /// Speed multiplier of the animation.
    pub speed: RwSignal<f64>,
    /// What was not taken as given, at most one per key.
    pub notices: RwSignal<Vec<Notice>>,
    /// Hover text over the plot.
    pub hover: RwSignal<String>,
    /// An error shown in the page.
    pub error: RwSignal<Option<String>>,
    /// Background work: fraction done.
    pub pending: RwSignal<Option<f64>>,
    /// The readout panel.
    pub readouts: RwSignal<Vec<Readout>>,
    /// The formula panel.
    pub formulas: RwSignal<Vec<Formula>>,
    /// Bumped when the query string changes (the share dialog and the print link read it).
    pub url: RwSignal<u64>,
    /// Presenter mode (`present=1`).
    pub present: RwSignal<bool>,
    /// The "Things to try" step shown in presenter mode (0-based; `try=` in the URL is 1-based).
    pub step: RwSignal<Option<usize>>,
    /// The presenter's control drawer is open.
    pub drawer: RwSignal<bool>,
}

impl Ui {
    /// Replaces the notice about `key` (or drops it when `n` is `None`).
    pub fn notice(&self, key: &str, n: Option<Notice>) {
        let has = self.notices.with_untracked(|v| v.iter().any(|m| m.key() == key));
        if !has && n.is_none() {
            return;
        }
        self.notices.update(|v| {
            v.retain(|m| m.key() != key);
            v.extend(n);
        });
    }
}

/// The shell's URL options, read once at start.
#[derive(Clone, Debug)]
pub(crate) struct ShellOptions {
    /// Every pair of the query string as the page was opened.
    pub pairs: Vec<(String, String)>,
    /// `lab=`.
    pub lab: Option<String>,
    /// `embed=1`: figure and controls only.
    pub embed: bool,
    /// `controls=0` hides the control panel.
    pub controls: bool,
    /// `hide=a,b`: single controls hidden.
    pub hide: Vec<String>,
    /// `autoplay=0|1`, else `None` (then reduced motion decides).
    pub autoplay: Option<bool>,
    /// `theme=dark|light`, else `None` (the system setting).
    pub dark: Option<bool>,
    /// `lang=`.
    pub lang: Option<String>,
    /// `bench=1`.
    pub bench: bool,
    /// `present=1`: presenter mode.
    pub present: bool,
    /// `try=N` (1-based): the "Things to try" step, as 0-based index.
    pub step: Option<usize>,
}

impl ShellOptions {
    /// Parses a query string.
    pub fn parse(search: &str) -> Self {
        let pairs = parse_query(search);
        let get = |k: &str| pairs.iter().rev().find(|(key, _)| key == k).map(|(_, v)| v.clone());
        ShellOptions {
            lab: get("lab"),
            embed: get("embed").as_deref() == Some("1"),
            controls: get("controls").as_deref() != Some("0"),
            hide: get("hide").map(|h| h.split(',').map(|k| k.trim().to_string()).filter(|k| !k.is_empty()).collect()).unwrap_or_default(),
            autoplay: match get("autoplay").as_deref() {
                Some("0") => Some(false),
                Some("1") => Some(true),
                _ => None,
            },
            dark: match get("theme").as_deref() {
                Some("dark") => Some(true),
                Some("light") => Some(false),
                _ => None,
            },
            lang: get("lang"),
            bench: get("bench").as_deref() == Some("1"),
            present: get("present").as_deref() == Some("1"),
            step: get("try").and_then(|t| t.trim().parse::<usize>().ok()).and_then(|n| n.checked_sub(1)),
            pairs,
        }
    }
    /// The shell keys the page was opened with (kept in the URL as the state changes), in order.
    pub fn kept(&self) -> Vec<(String, String)> {
        // `present` and `try` change while the page runs: written from the page's state instead.
        self.pairs
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "lab" | "present" | "try") && crate::lab::SHELL_KEYS.contains(&k.as_str()))
            .cloned()
            .collect()
    }
}
