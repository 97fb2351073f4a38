//! Softmax and its alternatives on the probability simplex (math-spec page 4, post 10145): seven
//! maps from scores to probabilities, where each sends a dragged logit point, the image of a logit
//! grid, the regions where the output is sparse, and which of the desired properties hold.

pub mod model;
mod render;
pub mod text;
pub use model::{apply, sanitise, support_raster, support_raster_exact, Out, State};

use text::tf;
use crate::fmt::fmt_num;
use crate::lab::{Control, Figure, Formula, Lab, LabMeta, Layer, Readout, Table};
use crate::plot::theme::Theme;
use crate::plot::{Blit, DrawResult, PlotFrame};
use plotters::coord::Shift;
use plotters::prelude::DrawingArea;
use crate::math::softmax::Noise;

/// The softmax-alternatives lab.
pub struct Softmax;

/// The maps, in legend order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Map {
    /// Softmax with temperature τ.
    Softmax,
    /// Additive-margin softmax (the probabilities inside its loss).
    AmSoftmax,
    /// Taylor softmax of order 2, 4 or 6.
    Taylor,
    /// Softmax over the top-k logits.
    Sparse,
    /// P[argmax(z + ε) = i].
    Perturb,
    /// Euclidean projection onto the simplex.
    Sparsemax,
    /// Tsallis-entropy regularised argmax.
    Entmax,
}

impl Map {
    /// All, in legend order.
    pub const ALL: [Map; 7] = [Map::Softmax, Map::AmSoftmax, Map::Taylor, Map::Sparse, Map::Perturb, Map::Sparsemax, Map::Entmax];
    /// URL key.
    pub fn key(self) -> &'static str {
        MAPS[self.index()].0
    }
    /// Display name (untranslated).
    pub fn label(self) -> &'static str {
        MAPS[self.index()].1
    }
    /// Palette index and legend position.
    pub fn index(self) -> usize {
        Map::ALL.iter().position(|m| *m == self).unwrap_or(0)
    }
    /// Whether z + c gives the same output for every c.
    pub fn shift_invariant(self) -> bool {
        self != Map::Taylor
    }
    /// Whether the map can give exact zeros (with these parameters, for n logits).
    pub fn can_be_sparse(self, p: &Params, n: usize) -> bool {
        match self {
            Map::Sparsemax => true,
            Map::Entmax => p.alpha > 1.0,
            Map::Sparse => (p.topk as usize) < n,
            _ => false,
        }
    }
}

const MAPS: &[(&str, &str)] = &[
    ("softmax", "Softmax"),
    ("amsoftmax", "AM-softmax"),
    ("taylor", "Taylor softmax"),
    ("sparse", "Sparse softmax (top-k)"),
    ("perturb", "Perturb-max"),
    ("sparsemax", "Sparsemax"),
    ("entmax", "Entmax-α"),
];

/// Every parameter; field names follow the URL keys.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub struct Params {
    /// The logits as given (may hold ±∞ and NaN; see [`sanitise`]).
    pub z: Vec<f64>,
    pub maps: Vec<Map>,
    pub tau: f64,
    pub alpha: f64,
    pub topk: f64,
    pub taylor_order: u32,
    pub perturb: Noise,
    pub margin: f64,
    pub scale: f64,
    /// AM-softmax target class, 1-based.
    pub target: f64,
}

impl Default for Params {
    /// The spec's example logits [1, 0.5, −1] under all seven maps.
    fn default() -> Self {
        Params {
            z: vec![1.0, 0.5, -1.0],
            maps: Map::ALL.to_vec(),
            tau: 1.0,
            alpha: 1.5,
            topk: 2.0,
            taylor_order: 2,
            perturb: Noise::Gauss,
            margin: 0.35,
            scale: 1.0,
            target: 1.0,
        }
    }
}

type C = Control<Params>;

fn parse_logits(s: &str) -> Result<Vec<f64>, String> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    if !(2..=32).contains(&parts.len()) {
        return Err(tf("give 2 to 32 logits, separated by commas ({} given)", &[&parts.len()]));
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, w)| match w.to_ascii_lowercase().as_str() {
            "inf" | "+inf" | "∞" => Ok(f64::INFINITY),
            "-inf" | "−inf" | "-∞" => Ok(f64::NEG_INFINITY),
            "nan" => Ok(f64::NAN),
            other => {
                other.replace('−', "-").parse::<f64>().map_err(|_| tf("logit {} ('{}') is not a number", &[&(i + 1), &crate::fmt::clip(w)]))
            }
        })
        .collect()
}

fn logits_text(z: &[f64]) -> String {
    z.iter()
        .map(|&x| match x {
            x if x.is_nan() => "nan".to_string(),
            x if x == f64::INFINITY => "inf".to_string(),
            x if x == f64::NEG_INFINITY => "-inf".to_string(),
            x => fmt_num(x),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The error and the (1-based, in characters) column of the first bad logit, for the caret.
fn check_logits(s: &str) -> Option<(usize, String)> {
    let e = parse_logits(s).err()?;
    let mut col = 1;
    for part in s.split(',') {
        if parse_logits(&format!("{part},0")).is_err() {
            return Some((col + part.chars().take_while(|c| c.is_whitespace()).count(), e));
        }
        col += part.chars().count() + 1;
    }
    Some((s.chars().count() + 1, e))
}

const ORDERS: &[(&str, &str)] = &[("2", "order 2"), ("4", "order 4"), ("6", "order 6")];
const NOISES: &[(&str, &str)] = &[("gauss", "Gaussian (probit)"), ("gumbel", "Gumbel (= softmax)")];

static CONTROLS: &[C] = &[
    C::text(
        "z",
        "logits z",
        |p| logits_text(&p.z),
        |p, s| {
            p.z = parse_logits(s)?;
            Ok(())
        },
        check_logits,
    )
    .examples(&[
        "0.25,-1.5,2,3.125",
        "1e300,-1e300,0",
        "inf,-inf,nan,1",
        "0,0",
        "3,1,0,-1",
        "2,0",
        "-8,7.5,-0.25,nan,1e300,inf,-inf,0,0,3,3,3,-2,5,6,7,-7,1,1,1,2,2,2,0.5,-0.5,4,4,-4,8,-8,0.1,0",
    ])
    .help("2 to 32 numbers; drag the point (three classes) or the bars"),
    C::set(
        "maps",
        "Maps",
        MAPS,
        |p| p.maps.iter().map(|m| m.key()).collect(),
        |p, keys| p.maps = Map::ALL.into_iter().filter(|m| keys.contains(&m.key())).collect(),
    ),
    C::num("tau", "temperature τ", 0.05, 5.0, |p| p.tau, |p, v| p.tau = v).log().group("Softmax"),
    C::num("margin", "margin m", 0.0, 0.5, |p| p.margin, |p, v| p.margin = v).group("AM-softmax"),
    C::num("scale", "scale s", 1.0, 64.0, |p| p.scale, |p, v| p.scale = v).log().group("AM-softmax"),
    C::num("target", "target class t", 1.0, 32.0, |p| p.target, |p, v| p.target = v).integer().group("AM-softmax"),
    C::choice(
        "taylor_order",
        "Taylor order k",
        ORDERS,
        |p| ORDERS.iter().find(|(k, _)| k.parse() == Ok(p.taylor_order)).map(|o| o.0).unwrap_or("2"),
        |p, k| p.taylor_order = k.parse().unwrap_or(2),
    )
    .group("Taylor softmax"),
    C::num("topk", "top k", 1.0, 32.0, |p| p.topk, |p, v| p.topk = v).integer().group("Sparse softmax (top-k)"),
    C::choice(
        "perturb",
        "noise",
        NOISES,
        |p| if p.perturb == Noise::Gauss { "gauss" } else { "gumbel" },
        |p, k| p.perturb = if k == "gumbel" { Noise::Gumbel } else { Noise::Gauss },
    )
    .group("Perturb-max"),
    C::num("alpha", "α", 1.0, 3.0, |p| p.alpha, |p, v| p.alpha = v).group("Entmax-α").help("1: softmax, 1.5: entmax-1.5, 2: sparsemax"),
];


impl Lab for Softmax {
    const SLUG: &'static str = "softmax";
    type Params = Params;
    type State = State;

    const META: LabMeta = text::META;

    fn controls() -> &'static [Control<Params>] {
        CONTROLS
    }
    fn init(p: &Params) -> State {
        let (z, nan) = sanitise(&p.z);
        let outs = p.maps.iter().map(|&m| (m, apply(m, p, &z))).collect();
        State { z, nan, outs, multiples: model::multiples(p, Vec::new()) }
    }
    fn reinit(p: &Params, s: &mut State) {
        let (z, nan) = sanitise(&p.z);
        s.outs = p.maps.iter().map(|&m| (m, apply(m, p, &z))).collect();
        s.z = z;
        s.nan = nan;
        s.multiples = model::multiples(p, std::mem::take(&mut s.multiples));
    }
    fn cache_key(fig: Figure, layer: Layer, p: &Params, _s: &State) -> Option<u64> {
        match (fig, layer) {
            (Figure::Main, Layer::Background) => {
                // The plane, the triangle and the legend (three classes), or nothing (bars: all foreground).
                let r = if p.z.len() == 3 { model::plane_radius(&sanitise(&p.z).0).to_bits() } else { 0 };
                Some(p.maps.iter().fold(p.z.len() as u64 ^ r, |h, m| h.wrapping_mul(31).wrapping_add(m.index() as u64 + 1)))
            }
            (Figure::Aux, Layer::Background) => Some(render::aux_key(p)),
            _ => None,
        }
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
    fn data(_p: &Params, s: &State) -> Table {
        text::data(_p, s)
    }
    fn pointer(p: &mut Params, x: f64, y: f64) -> bool {
        let n = p.z.len();
        let round = |v: f64| (v * 1000.0).round() / 1000.0;
        if n == 3 {
            // z ⟂ (1,1,1) from the plane point w = Σ zᵢVᵢ, keeping the current mean (Taylor softmax
            // is not shift-invariant, so the shift the user typed must survive a drag).
            let mean = {
                let (z, _) = sanitise(&p.z);
                let m = z.iter().sum::<f64>() / 3.0;
                if m.abs() < 1e6 {
                    m
                } else {
                    0.0
                }
            };
            let z: Vec<f64> = model::VERTS.iter().map(|v| round(2.0 / 3.0 * (x * v[0] + y * v[1]) + mean)).collect();
            if z.iter().all(|v| v.is_finite()) {
                p.z = z;
                return true;
            }
            false
        } else {
            let i = (x.round() as i64 - 1).clamp(0, n as i64 - 1) as usize;
            let v = round(y.clamp(-1e6, 1e6));
            if p.z[i] == v {
                return false;
            }
            p.z[i] = v;
            true
        }
    }
}
