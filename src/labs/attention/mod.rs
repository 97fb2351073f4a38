//! Attention and its linear alternatives (issue 15; posts 7546, 8338 and the 1/√d part of 8620):
//! the n×n attention matrices of softmax and of a chosen map side by side, who gets the weight
//! (entropy against n), at what rank (singular values against the bound) and at what cost (the
//! Performer's output error against m, flops). The matrices are computed on every change; the
//! spectra, the curves, the RNN check and the W5 Monte Carlo follow in background chunks.

pub mod model;
mod render;
pub mod text;

pub use model::State;

use crate::fmt::{fmt_num, parse_num};
use crate::lab::{Control, Figure, Formula, Lab, LabMeta, Layer, Readout, Table};
use crate::math::attention::{Map, Scale, D_MAX, M_MAX, N_MAX};
use crate::plot::theme::Theme;
use crate::plot::{Blit, DrawResult, PlotFrame};
use plotters::coord::Shift;
use plotters::prelude::DrawingArea;
use text::{t, tf};

/// The attention lab.
pub struct Attention;

/// Where Q, K, V come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Inputs {
    /// Seeded N(0, 1) entries (and a fresh ω per seed).
    Random,
    /// The closed forms (sin/cos), the inputs of the spec's tests.
    Literal,
}

/// Every parameter; field names follow the URL keys.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub struct Params {
    pub n: f64,
    pub d: f64,
    pub map: Map,
    pub m: f64,
    pub scale: Scale,
    /// Asked for a causal mask (refused, i.e. not applied, for `dual`).
    pub causal: bool,
    pub window: f64,
    pub preset: Inputs,
    pub seed: f64,
}

impl Default for Params {
    /// The spec's defaults: n = 32, d = 4, elu1, m = 16, 1/√d, no mask, seed 1.
    fn default() -> Self {
        Params {
            n: 32.0,
            d: 4.0,
            map: Map::Elu1,
            m: 16.0,
            scale: Scale::InvSqrtD,
            causal: false,
            window: 0.0,
            preset: Inputs::Random,
            seed: 1.0,
        }
    }
}

impl Params {
    /// Whether the asked-for causal mask is refused: dual softmax normalises K over all n tokens,
    /// so every row sees the future whatever is masked afterwards.
    pub fn causal_refused(&self) -> bool {
        self.causal && self.map == Map::Dual
    }
    /// The causal mask as applied.
    pub fn causal_used(&self) -> bool {
        self.causal && self.map != Map::Dual
    }
}

/// The maps in menu order, with their labels.
pub const MAPS: &[(&str, &str)] = &[
    ("softmax", "softmax"),
    ("elu1", "elu + 1 (linear attention)"),
    ("cos1", "1 + cos (the post's own)"),
    ("dual", "dual softmax (efficient attention)"),
    ("performer", "Performer (positive random features)"),
    ("expproj", "projection + eˣ"),
];

const PRESETS: &[(&str, &str)] = &[("random", "random N(0, 1), seeded"), ("literal", "literal sin/cos (the spec's test inputs)")];

/// The largest |scale| accepted as a number (beyond it every row is one-hot anyway).
pub const SCALE_LIMIT: f64 = 100.0;

fn parse_scale(s: &str) -> Result<Scale, String> {
    match s.trim() {
        "none" => Ok(Scale::None),
        "sqrt_d" => Ok(Scale::InvSqrtD),
        other => match parse_num(other) {
            Some(v) if v.abs() <= SCALE_LIMIT => Ok(Scale::Value(v)),
            _ => Err(tf("scale must be none, sqrt_d or a number from −{} to {}", &[&SCALE_LIMIT, &SCALE_LIMIT])),
        },
    }
}

fn scale_text(s: Scale) -> String {
    match s {
        Scale::None => "none".into(),
        Scale::InvSqrtD => "sqrt_d".into(),
        Scale::Value(v) => fmt_num(v),
    }
}

fn check_scale(s: &str) -> Option<(usize, String)> {
    parse_scale(s).err().map(|e| (1, e))
}

type C = Control<Params>;

static CONTROLS: &[C] = &[
    C::num("n", "tokens n", 4.0, N_MAX as f64, |p| p.n, |p, v| p.n = v).log().integer(),
    C::num("d", "key size d", 1.0, D_MAX as f64, |p| p.d, |p, v| p.d = v).integer(),
    C::choice(
        "map",
        "map",
        MAPS,
        |p| p.map.slug(),
        |p, k| p.map = Map::from_slug(k).unwrap_or(Map::Elu1),
    ),
    C::num("m", "feature dim m", 1.0, M_MAX as f64, |p| p.m, |p, v| p.m = v)
        .log()
        .integer()
        .visible(|p| p.map.uses_features())
        .help("random features of performer and projection + eˣ"),
    C::text("scale", "logit scale", |p| scale_text(p.scale), |p, s| {
        p.scale = parse_scale(s)?;
        Ok(())
    }, check_scale)
    .examples(&["none", "0.5", "2", "0.05", "5", "-1", "0", "100"])
    .help("none, sqrt_d (1/√d) or a number s: scores s·q·k"),
    C::flag("causal", "causal mask", |p| p.causal, |p, b| p.causal = b)
        .visible(|p| p.map != Map::Dual)
        .help("keys j ≤ i only; refused for dual softmax"),
    C::num("window", "window (0 = off)", 0.0, N_MAX as f64, |p| p.window, |p, v| p.window = v)
        .integer()
        .help("local truncation: keys with |i − j| < window"),
    C::choice(
        "preset",
        "inputs Q, K, V",
        PRESETS,
        |p| if p.preset == Inputs::Literal { "literal" } else { "random" },
        |p, k| p.preset = if k == "literal" { Inputs::Literal } else { Inputs::Random },
    ),
    C::num("seed", "seed", 1.0, 1000.0, |p| p.seed, |p, v| p.seed = v).integer().visible(|p| p.preset == Inputs::Random),
];

impl Lab for Attention {
    const SLUG: &'static str = "attention";
    type Params = Params;
    type State = State;

    const META: LabMeta = text::META;
    const TEST_LIMITS: &'static [(&'static str, f64)] = &[("n", 48.0), ("d", 16.0), ("m", 64.0)];

    fn controls() -> &'static [Control<Params>] {
        CONTROLS
    }
    fn refusals(p: &Params) -> Vec<(&'static str, String)> {
        if p.causal_refused() {
            vec![("causal", t("dual softmax normalises K over all n tokens, so every row sees the future whatever is masked; both matrices are shown unmasked. Another map takes the mask.").to_string())]
        } else {
            Vec::new()
        }
    }
    fn init(p: &Params) -> State {
        State::new(p)
    }
    fn reinit(p: &Params, s: &mut State) {
        s.update(p);
    }
    fn pending(p: &Params, s: &State) -> Option<f64> {
        s.pending(p)
    }
    fn work(p: &Params, s: &mut State) {
        s.work(p);
    }
    fn cache_key(fig: Figure, layer: Layer, p: &Params, s: &State) -> Option<u64> {
        render::cache_key(fig, layer, p, s)
    }
    fn render<DB: Blit>(fig: Figure, layer: Layer, area: &DrawingArea<DB, Shift>, p: &Params, s: &State, theme: &Theme) -> DrawResult<Option<PlotFrame>, DB> {
        render::render(fig, layer, area, p, s, theme)
    }
    fn formulas(p: &Params, s: &State) -> Vec<Formula> {
        text::formulas(p, s)
    }
    fn readouts(p: &Params, s: &State) -> Vec<Readout> {
        text::readouts(p, s)
    }
    fn data(p: &Params, s: &State) -> Table {
        text::data(p, s)
    }
    fn hover(p: &Params, s: &State, x: f64, y: f64) -> Option<String> {
        text::hover(p, s, x, y)
    }
}

/// The label of a map, translated.
pub fn map_label(m: Map) -> &'static str {
    t(MAPS.iter().find(|(k, _)| *k == m.slug()).map_or("softmax", |o| o.1))
}
