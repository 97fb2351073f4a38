//! The lab contract: what a lab declares (parameters, controls, model, drawing, texts) and the
//! type-erased [`DynLab`] through which the shell, the URL codec, the CLI and the tests drive every
//! lab alike. Nothing here knows about the browser.
//!
//! - [`control`]: the control table (key, label, range, default, visibility, accessors).
//! - [`instance`]: [`Instance`] (a lab's parameters, state and step counter) behind [`DynLab`],
//!   and the typed [`Notice`]s about input that was not taken as given.
//! - [`url`]: query strings in and out.
//! - [`export`]: the data table as CSV/JSON, the figure as SVG.

pub mod control;
pub mod export;
pub mod instance;
pub mod url;

pub use control::{Access, Control, ControlInfo, ControlKind, Value};
pub use export::{insert_svg_desc, to_csv, to_json, Json, Table};
pub use instance::{DynLab, Instance, Notice, Reason};
pub use url::{build_query, parse_query, percent_decode, percent_encode, SHELL_KEYS};

use crate::i18n::Table as ZhTable;
use crate::plot::backend::Blit;
use crate::plot::theme::Theme;
use crate::plot::{DrawResult, PlotFrame};
use plotters::coord::Shift;
use plotters::prelude::DrawingArea;

/// Which figure of a lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Figure {
    /// The main, interactive plot.
    Main,
    /// The linked chart(s) under it (e.g. loss against step), if the lab has any.
    Aux,
}

/// What to draw of a figure. The browser keeps the background and the foreground of each
/// figure on two stacked canvases and redraws each only when its [`Lab::cache_key`] says so; SVG
/// output draws `All`. Every layer draws on every surface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layer {
    /// Axes, labels and dense fields (heat maps): what rarely changes.
    Background,
    /// What animates: paths, particles, markers.
    Foreground,
    /// Both (exports may draw it more exactly than the two layers, e.g. at the exact σ).
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

/// Title, texts and the data the shell needs about a lab (all English: translated on display
/// through `zh`).
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
    /// Caption of the linked chart; `""` when the lab has none (it then draws no [`Figure::Aux`]).
    pub aux_caption: &'static str,
    /// What clicking or dragging on the main figure does (shown under it).
    pub pointer_hint: &'static str,
    /// What the background work is, for the progress bar.
    pub pending_label: &'static str,
    /// The lab's Chinese tables (its own first), searched before the shell's.
    pub zh: &'static [ZhTable],
}

impl LabMeta {
    /// Defaults for the optional texts (`..LabMeta::DEFAULT`).
    pub const DEFAULT: LabMeta = LabMeta {
        title: "",
        tagline: "",
        look_at: "",
        try_these: &[],
        main_caption: "",
        aux_caption: "",
        pointer_hint: "Click or drag on the plot to move the start point.",
        pending_label: "computing",
        zh: &[],
    };
    /// Whether the lab has a linked chart.
    pub fn has_aux(&self) -> bool {
        !self.aux_caption.is_empty()
    }
    /// Translates one of this lab's strings into the current language.
    pub fn t(&self, en: &'static str) -> &'static str {
        crate::i18n::t_in(self.zh, en)
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

/// One block of the formula panel.
#[derive(Clone, Debug, PartialEq)]
pub enum Formula {
    /// A titled rule: `mathml` is one `<math>` element (the shell owns the card around it).
    Rule {
        /// Stable identity of the block (e.g. the optimizer's key): the page updates only the
        /// blocks whose markup changed.
        key: &'static str,
        /// Heading, in the current language.
        title: String,
        /// `<math display="block">…</math>`.
        mathml: String,
    },
    /// A sentence under the blocks (conventions, caveats), in the current language.
    Note(String),
}

/// What a lab implements. Everything is a pure function of the parameters and the state, so the
/// shell can replay, the CLI can render without a browser, and the tests can loop over labs.
/// Six methods are required; the rest default to "static lab, no background work, redraw always".
pub trait Lab: 'static {
    /// URL slug (`?lab=…`). Never rename once published.
    const SLUG: &'static str;
    /// Title, texts, captions and Chinese tables.
    const META: LabMeta;
    /// Upper caps on numeric URL keys for the registry-wide property tests, which run every
    /// generated case to completion (e.g. `("n", 150.0)` keeps particle counts small).
    const TEST_LIMITS: &'static [(&'static str, f64)] = &[];
    /// Every parameter the URL can set.
    type Params: Clone + PartialEq + Default + 'static;
    /// Whatever the model computes and accumulates as it animates.
    type State: 'static;

    /// The control table.
    fn controls() -> &'static [Control<Self::Params>];
    /// Fresh state for these parameters.
    fn init(p: &Self::Params) -> Self::State;
    /// Re-initialises after a parameter change. A lab whose state holds costly caches that do not
    /// depend on every parameter (data, original distances) overrides this to keep them.
    fn reinit(p: &Self::Params, s: &mut Self::State) {
        *s = Self::init(p);
    }
    /// Animation steps in a full run (0: a static lab, no transport buttons).
    fn frames(_p: &Self::Params) -> usize {
        0
    }
    /// Advances one animation step.
    fn step(_p: &Self::Params, _s: &mut Self::State) {}
    /// Advances `n` animation steps at once (a replay after a change, a jump to the end). The
    /// default calls `step` n times; a lab whose steps compose (affine particle maps) does them
    /// for less, with the same result up to rounding.
    fn steps(p: &Self::Params, s: &mut Self::State, n: usize) {
        for _ in 0..n {
            Self::step(p, s);
        }
    }
    /// Settings kept as asked but not applied with the others, as (key, why in the current
    /// language): the page shows each as a notice while the combination holds (a causal mask the
    /// chosen map cannot take). The value stays in the URL and applies once the conflict is gone.
    fn refusals(_p: &Self::Params) -> Vec<(&'static str, String)> {
        Vec::new()
    }
    /// Background work still to do, as the fraction done in [0, 1), or `None` when there is none.
    /// Work that would freeze the page if done at once (a fine reference solve, a large projection)
    /// is split into chunks: the browser runs [`Lab::work`] within a time budget per frame and
    /// shows a progress bar; the CLI, exports and tests run it to completion.
    fn pending(_p: &Self::Params, _s: &Self::State) -> Option<f64> {
        None
    }
    /// One bounded chunk (a few milliseconds) of the background work; must make progress on every call.
    fn work(_p: &Self::Params, _s: &mut Self::State) {}
    /// The height (CSS pixels) the figure wants at `width` CSS pixels, or `None` for the page's
    /// default (the main figure fits the window, the linked chart is a strip). For a layout that
    /// changes on narrow screens: stacked panels, small multiples in fewer columns. A height above
    /// the width lets the page scroll instead of shrinking the figure into the window.
    fn figure_height(_fig: Figure, _p: &Self::Params, _s: &Self::State, _width: f64) -> Option<f64> {
        None
    }
    /// When a layer of a figure must be redrawn: `None` (the default, always safe) redraws it on
    /// every frame; `Some(k)` keeps what was drawn until `k` (or the size or theme) changes.
    fn cache_key(_fig: Figure, _layer: Layer, _p: &Self::Params, _s: &Self::State) -> Option<u64> {
        None
    }
    /// Draws a figure's layer (each mark in exactly one of `Background` and `Foreground`; `All`
    /// draws both). Returns the plotting frame for pointer mapping where there is one.
    fn render<DB: Blit>(
        fig: Figure,
        layer: Layer,
        area: &DrawingArea<DB, Shift>,
        p: &Self::Params,
        s: &Self::State,
        theme: &Theme,
    ) -> DrawResult<Option<PlotFrame>, DB>;
    /// The formula panel, with live numbers.
    fn formulas(p: &Self::Params, s: &Self::State) -> Vec<Formula>;
    /// Legend / readouts.
    fn readouts(p: &Self::Params, s: &Self::State) -> Vec<Readout>;
    /// The data export.
    fn data(p: &Self::Params, s: &Self::State) -> Table;
    /// A pointer press or drag at data point (x, y) on the main figure; returns whether it changed `p`.
    fn pointer(_p: &mut Self::Params, _x: f64, _y: f64) -> bool {
        false
    }
    /// A drag's move from data point `from` (the press or the last move) to `to`. The default is a
    /// press at `to`; a lab that draws with the pointer fills the path between the two, so a fast
    /// stroke leaves no gaps.
    fn stroke(p: &mut Self::Params, _from: (f64, f64), to: (f64, f64)) -> bool {
        Self::pointer(p, to.0, to.1)
    }
    /// Hover text at data point (x, y) on the main figure.
    fn hover(_p: &Self::Params, _s: &Self::State, _x: f64, _y: f64) -> Option<String> {
        None
    }
}

/// A stable hash of anything hashable, for [`Lab::cache_key`] (f64 fields hash their bits).
pub fn key_of<T: std::hash::Hash + ?Sized>(x: &T) -> u64 {
    use std::hash::{DefaultHasher, Hasher};
    let mut h = DefaultHasher::new();
    x.hash(&mut h);
    h.finish()
}
