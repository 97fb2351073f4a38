//! Softmax and its alternatives on the probability simplex (math-spec page 4, post 10145): seven
//! maps from scores to probabilities, where each sends a dragged logit point, the image of a logit
//! grid, the regions where the output is sparse, and which of the desired properties hold.

mod render;
pub use render::{support_raster, support_raster_exact};

use crate::i18n::{t, tf};
use crate::lab::{fmt_num, Control, Lab, LabMeta, Readout, Table};
use crate::math::fmt_sig;
use crate::math::softmax::{self as sm, Noise};
use crate::mathml::*;
use std::fmt::Write;

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

/// The largest magnitude a logit is computed with: ±∞ become ±1e300 (so differences of two logits
/// stay finite), which gives every map its limiting output (one-hot on +∞, zero on −∞ — except
/// Taylor softmax, whose f_k grows on both sides).
pub const BIG: f64 = 1e300;

/// Logits ready for the maps, and the positions that were NaN (computed as −1e300, with a notice).
pub fn sanitise(z: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let mut nan = Vec::new();
    let z = z
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            if x.is_nan() {
                nan.push(i);
                -BIG
            } else {
                x.clamp(-BIG, BIG)
            }
        })
        .collect();
    (z, nan)
}

/// A map's output: probabilities and, where the map has one, its threshold τ.
#[derive(Clone, Debug, PartialEq)]
pub struct Out {
    /// Probabilities.
    pub p: Vec<f64>,
    /// Threshold (sparsemax: on z; entmax: on (α−1)z).
    pub tau: Option<f64>,
}

/// One map at (sanitised) logits `z`.
pub fn apply(map: Map, p: &Params, z: &[f64]) -> Out {
    let plain = |p: Vec<f64>| Out { p, tau: None };
    match map {
        Map::Softmax => plain(sm::softmax(z, p.tau)),
        Map::AmSoftmax => plain(sm::am_softmax(z, target(p, z.len()), p.margin, p.scale)),
        Map::Taylor => plain(sm::taylor(z, p.taylor_order)),
        Map::Sparse => plain(sm::sparse_topk(z, p.topk as usize)),
        Map::Perturb => plain(sm::perturb(z, p.perturb)),
        Map::Sparsemax => {
            let (q, tau) = sm::sparsemax(z);
            Out { p: q, tau: Some(tau) }
        }
        Map::Entmax => {
            let (q, tau) = sm::entmax(z, p.alpha);
            Out { p: q, tau }
        }
    }
}

/// The AM-softmax target as a 0-based index, clamped to the logits present.
fn target(p: &Params, n: usize) -> usize {
    (p.target as usize).clamp(1, n.max(1)) - 1
}

/// Everything shown, computed from the parameters.
pub struct State {
    /// Sanitised logits.
    pub z: Vec<f64>,
    /// Positions that were NaN.
    pub nan: Vec<usize>,
    /// Each shown map's output at z.
    pub outs: Vec<(Map, Out)>,
    /// Small multiples (three classes), cached across changes that do not affect them.
    pub multiples: Vec<render::Multiple>,
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
                other.replace('−', "-").parse::<f64>().map_err(|_| tf("logit {} ('{}') is not a number", &[&(i + 1), &crate::lab::clip(w)]))
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

static META: LabMeta = LabMeta {
    title: "Softmax and its alternatives on the simplex",
    tagline: "Seven ways to turn scores into probabilities: softmax never reaches the boundary, sparsemax and entmax send whole regions of logits to exact zeros, and Taylor softmax is neither shift-invariant nor monotone.",
    look_at: "Left: the logits of three classes, modulo a common shift (moving towards zᵢ raises logit i). Right: the probability triangle; each map sends the point to its own marker. Below, one panel per map: the logit plane coloured by how many classes get non-zero probability, and the image of a regular grid of logits on the triangle. Softmax squeezes the whole plane into the interior; sparsemax and entmax map whole regions onto edges and corners (exact zeros); top-k cuts by rank, sparsemax by a threshold τ.",
    try_these: &[
        ("Sparsity grows with α", "alpha=2.5&maps=softmax,entmax"),
        ("α = 2 is sparsemax", "alpha=2&maps=sparsemax,entmax"),
        ("Gumbel noise gives softmax exactly", "perturb=gumbel&maps=softmax,perturb"),
        ("Taylor softmax is not shift-invariant", "z=-3,-1.5,0&maps=softmax,taylor"),
        ("Low temperature: softmax approaches argmax", "tau=0.1&maps=softmax,sparsemax"),
        ("Exact threshold: one-hot, never an empty support", "z=3,1,0,-1&maps=sparsemax,entmax"),
        ("Many classes: drag the bars", "z=2,1.5,1,0.3,0,-0.5,-1,-2"),
    ],
    main_caption: "Logit plane (three classes, modulo shift) and the probability simplex with every map's output",
    aux_caption: "Per map: the logit plane coloured by support size, and the image of a regular logit grid on the simplex",
};

impl Lab for Softmax {
    const SLUG: &'static str = "softmax";
    type Params = Params;
    type State = State;

    fn meta() -> &'static LabMeta {
        &META
    }
    fn controls() -> &'static [Control<Params>] {
        CONTROLS
    }
    fn init(p: &Params) -> State {
        let (z, nan) = sanitise(&p.z);
        let outs = p.maps.iter().map(|&m| (m, apply(m, p, &z))).collect();
        State { z, nan, outs, multiples: render::multiples(p, Vec::new()) }
    }
    fn reinit(p: &Params, s: &mut State) {
        let (z, nan) = sanitise(&p.z);
        s.outs = p.maps.iter().map(|&m| (m, apply(m, p, &z))).collect();
        s.z = z;
        s.nan = nan;
        s.multiples = render::multiples(p, std::mem::take(&mut s.multiples));
    }
    fn step(_p: &Params, _s: &mut State) {}
    fn total_steps(_p: &Params) -> usize {
        0
    }
    fn has_aux() -> bool {
        true
    }
    fn aux_key(p: &Params) -> Option<u64> {
        Some(render::aux_key(p))
    }
    fn background_key(p: &Params, _s: &State) -> u64 {
        // The plane, the triangle and the legend (three classes), or nothing (bars: all foreground).
        let r = if p.z.len() == 3 { render::plane_radius(&sanitise(&p.z).0).to_bits() } else { 0 };
        p.maps.iter().fold(p.z.len() as u64 ^ r, |h, m| h.wrapping_mul(31).wrapping_add(m.index() as u64 + 1))
    }
    fn render<DB: plotters::prelude::DrawingBackend>(
        fig: crate::lab::Figure,
        layer: crate::lab::Layer,
        area: &plotters::prelude::DrawingArea<DB, plotters::coord::Shift>,
        p: &Params,
        s: &State,
        theme: &crate::plot::theme::Theme,
    ) -> Result<Option<crate::lab::PlotFrame>, plotters::prelude::DrawingAreaErrorKind<DB::ErrorType>> {
        render::render(fig, layer, area, p, s, theme)
    }
    fn formula(p: &Params, s: &State) -> String {
        formula(p, s)
    }
    fn readouts(p: &Params, s: &State) -> Vec<Readout> {
        let mut out = Vec::new();
        for &i in &s.nan {
            out.push(Readout {
                label: t("Input").into(),
                text: tf("logit {} is not a number: computed as −∞ (−1e300)", &[&(i + 1)]),
                colour: None,
                warn: true,
            });
        }
        if s.outs.is_empty() {
            out.push(Readout { label: t("No map").into(), text: t("choose at least one map").into(), colour: None, warn: true });
        }
        for (m, o) in &s.outs {
            let n = o.p.len();
            let mut text = format!(
                "p = ({}) · H = {} · 1 − Σp² = {} · {}",
                o.p.iter().map(|v| fmt_sig(*v, 4)).collect::<Vec<_>>().join(", "),
                fmt_sig(sm::entropy(&o.p), 4),
                fmt_sig(sm::gini(&o.p), 4),
                tf("support {} of {}", &[&sm::support(&o.p), &n])
            );
            if let Some(tau) = o.tau {
                let _ = write!(text, " · τ = {}", fmt_sig(tau, 6));
            }
            let _ = write!(text, " · {}", properties(*m, p, &s.z, &o.p));
            out.push(Readout { label: t(m.label()).into(), text, colour: Some(m.index()), warn: false });
        }
        if s.outs.iter().any(|(m, _)| *m == Map::AmSoftmax) {
            let tt = target(p, s.z.len());
            if let Some((_, o)) = s.outs.iter().find(|(m, _)| *m == Map::AmSoftmax) {
                out.push(Readout {
                    label: t("AM-softmax loss").into(),
                    text: tf(
                        "−ln p_{} = {} (margin m = {}, scale s = {})",
                        &[&(tt + 1), &fmt_sig(-o.p[tt].ln(), 5), &fmt_sig(p.margin, 3), &fmt_sig(p.scale, 3)],
                    ),
                    colour: Some(Map::AmSoftmax.index()),
                    warn: false,
                });
            }
        }
        out
    }
    fn data(_p: &Params, s: &State) -> Table {
        let n = s.z.len();
        let mut t = Table { columns: vec!["map"], ..Default::default() };
        t.columns.extend(P_COLUMNS.iter().take(n));
        for (m, o) in &s.outs {
            let mut row = vec![m.key().to_string()];
            row.extend(o.p.iter().map(|v| fmt_num(*v)));
            t.rows.push(row);
            t.summary.push((ENTROPY_KEYS[m.index()], fmt_num(sm::entropy(&o.p))));
            t.summary.push((SUPPORT_KEYS[m.index()], sm::support(&o.p).to_string()));
            if let Some(tau) = o.tau {
                t.summary.push((TAU_KEYS[m.index()], fmt_num(tau)));
            }
        }
        t
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
            let z: Vec<f64> = render::VERTS.iter().map(|v| round(2.0 / 3.0 * (x * v[0] + y * v[1]) + mean)).collect();
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
    fn pointer_hint() -> &'static str {
        "Drag on the logit plane (or the bars) to change the logits."
    }
}

const P_COLUMNS: [&str; 32] = [
    "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "p10", "p11", "p12", "p13", "p14", "p15", "p16", "p17", "p18", "p19", "p20",
    "p21", "p22", "p23", "p24", "p25", "p26", "p27", "p28", "p29", "p30", "p31", "p32",
];
const ENTROPY_KEYS: [&str; 7] =
    ["entropy_softmax", "entropy_amsoftmax", "entropy_taylor", "entropy_sparse", "entropy_perturb", "entropy_sparsemax", "entropy_entmax"];
const SUPPORT_KEYS: [&str; 7] =
    ["support_softmax", "support_amsoftmax", "support_taylor", "support_sparse", "support_perturb", "support_sparsemax", "support_entmax"];
const TAU_KEYS: [&str; 7] = ["tau_softmax", "tau_amsoftmax", "tau_taylor", "tau_sparse", "tau_perturb", "tau_sparsemax", "tau_entmax"];

/// The property checks of the post, at the current logits, with a counterexample when one fails.
pub fn properties(m: Map, p: &Params, z: &[f64], out: &[f64]) -> String {
    let sum: f64 = out.iter().sum();
    let mut parts = vec![if (sum - 1.0).abs() < 1e-9 { t("✓ sums to 1").to_string() } else { tf("✗ sums to {}", &[&fmt_sig(sum, 6)]) }];
    // Monotone: zᵢ > zⱼ ⇒ pᵢ ≥ pⱼ (weakly: sparse maps give equal zeros).
    match monotone_violation(m, p, z) {
        None => parts.push(t("✓ monotone").into()),
        Some((zz, pp)) => parts.push(tf("✗ not monotone: z = ({}) gives p = ({})", &[&list(&zz), &list(&pp)])),
    }
    let shifted: Vec<f64> = z.iter().map(|v| v + 1.0).collect();
    let ps = apply(m, p, &shifted).p;
    if ps.iter().zip(out).all(|(a, b)| (a - b).abs() < 1e-9) {
        parts.push(t("✓ shift-invariant").into());
    } else {
        parts.push(tf("✗ not shift-invariant: z + 1 gives p = ({})", &[&list(&ps)]));
    }
    parts.push(if m.can_be_sparse(p, z.len()) { t("sparse: can give exact zeros").into() } else { t("never exactly zero").into() });
    parts.join(" · ")
}

fn list(v: &[f64]) -> String {
    v.iter().map(|x| fmt_sig(*x, 4)).collect::<Vec<_>>().join(", ")
}

/// A pair of logits out of order in the output: at the current logits if they show one, else (for
/// Taylor softmax) the classic counterexample f₂(−3) > f₂(−1.5).
fn monotone_violation(m: Map, p: &Params, z: &[f64]) -> Option<(Vec<f64>, Vec<f64>)> {
    let bad = |z: &[f64], q: &[f64]| (0..z.len()).any(|i| (0..z.len()).any(|j| z[i] > z[j] && q[i] < q[j] - 1e-12));
    let here = apply(m, p, z).p;
    if m == Map::AmSoftmax {
        // The margin lowers the target's logit on purpose: its loss, not a map, is the point.
        return None;
    }
    if bad(z, &here) {
        return Some((z.to_vec(), here));
    }
    if m == Map::Taylor {
        let zz = [-3.0, -1.5, 0.0];
        let q = apply(m, p, &zz).p;
        if bad(&zz, &q) {
            return Some((zz.to_vec(), q));
        }
    }
    None
}

fn formula(p: &Params, s: &State) -> String {
    let zi = sub(&i("z"), &i("i"));
    let pi = sub(&i("p"), &i("i"));
    let mut out = String::new();
    for (m, o) in &s.outs {
        let body = match m {
            Map::Softmax => lines(&[assign(&pi, &frac(&format!("<msup><mi>e</mi><mrow>{zi}<mo>/</mo><mi>τ</mi></mrow></msup>"), &format!("<munder><mo>∑</mo><mi>j</mi></munder><msup><mi>e</mi><mrow>{}<mo>/</mo><mi>τ</mi></mrow></msup>", sub(&i("z"), &i("j"))))), format!("<mrow><mi>τ</mi><mo>=</mo>{}</mrow>", n(p.tau))]),
            Map::AmSoftmax => {
                let tt = target(p, s.z.len()) + 1;
                let zt = sub(&i("z"), &format!("<mn>{tt}</mn>"));
                let num = format!("<msup><mi>e</mi><mrow><mi>s</mi><mo>(</mo>{zt}<mo>−</mo><mi>m</mi><mo>)</mo></mrow></msup>");
                let rest = format!("<munder><mo>∑</mo><mrow><mi>j</mi><mo>≠</mo><mn>{tt}</mn></mrow></munder><msup><mi>e</mi><mrow><mi>s</mi>{}</mrow></msup>", sub(&i("z"), &i("j")));
                let loss = -o.p[tt - 1].ln();
                lines(&[
                    assign(&i("L"), &format!("<mo>−</mo><mi>ln</mi><mo>⁡</mo>{}", frac(&num, &format!("{num}<mo>+</mo>{rest}")))),
                    format!("<mrow><mi>m</mi><mo>=</mo>{}<mo>,</mo><mspace width=\"1em\"/><mi>s</mi><mo>=</mo>{}<mo>,</mo><mspace width=\"1em\"/><mi>L</mi><mo>=</mo>{}</mrow>", n(p.margin), n(p.scale), n(loss)),
                ])
            }
            Map::Taylor => lines(&[
                assign(&pi, &frac(&format!("{}{}", sub(&i("f"), &i("k")), paren(&zi)), &format!("<munder><mo>∑</mo><mi>j</mi></munder>{}{}", sub(&i("f"), &i("k")), paren(&sub(&i("z"), &i("j")))))),
                format!("<mrow>{}<mo>(</mo><mi>x</mi><mo>)</mo><mo>=</mo><munderover><mo>∑</mo><mrow><mi>m</mi><mo>=</mo><mn>0</mn></mrow><mi>k</mi></munderover>{}<mo>,</mo><mspace width=\"1em\"/><mi>k</mi><mo>=</mo><mn>{}</mn></mrow>", sub(&i("f"), &i("k")), frac("<msup><mi>x</mi><mi>m</mi></msup>", "<mi>m</mi><mo>!</mo>"), p.taylor_order),
            ]),
            Map::Sparse => lines(&[assign(&pi, &format!("{}<mo>⋅</mo><mn>1</mn><mo>[</mo><mi>i</mi><mo>∈</mo><mtext>top-</mtext><mn>{}</mn><mo>]</mo>", frac(&format!("<msup><mi>e</mi>{zi}</msup>"), &format!("<munder><mo>∑</mo><mrow><mi>j</mi><mo>∈</mo><mtext>top-</mtext><mn>{}</mn></mrow></munder><msup><mi>e</mi>{}</msup>", p.topk, sub(&i("z"), &i("j")))), p.topk))]),
            Map::Perturb => lines(&[
                assign(&pi, &format!("<mi>P</mi><mo>[</mo><mi>arg max</mi><mo>(</mo><mi>z</mi><mo>+</mo><mi>ε</mi><mo>)</mo><mo>=</mo><mi>i</mi><mo>]</mo><mo>=</mo><msub><mo>∫</mo></msub><mi>φ</mi><mo>(</mo><mi>t</mi><mo>)</mo><munder><mo>∏</mo><mrow><mi>j</mi><mo>≠</mo><mi>i</mi></mrow></munder><mi>Φ</mi><mo>(</mo>{zi}<mo>−</mo>{}<mo>+</mo><mi>t</mi><mo>)</mo><mi>d</mi><mi>t</mi>", sub(&i("z"), &i("j")))),
                format!("<mrow><mtext>{}</mtext></mrow>", if p.perturb == Noise::Gumbel { t("ε Gumbel: exactly softmax (the Gumbel-max trick)") } else { t("ε Gaussian (probit); 64-point Gauss–Hermite quadrature") }),
            ]),
            Map::Sparsemax => lines(&[
                assign(&pi, &format!("<msub><mrow><mo>[</mo>{zi}<mo>−</mo><mi>τ</mi><mo>]</mo></mrow><mo>+</mo></msub>")),
                format!("<mrow><mi>τ</mi><mo>=</mo>{}</mrow>", n(o.tau.unwrap_or(f64::NAN))),
            ]),
            Map::Entmax => {
                let a = p.alpha;
                let mut rows = vec![assign(&pi, &format!("<msubsup><mrow><mo>[</mo><mo>(</mo><mi>α</mi><mo>−</mo><mn>1</mn><mo>)</mo>{zi}<mo>−</mo><mi>τ</mi><mo>]</mo></mrow><mo>+</mo><mrow><mn>1</mn><mo>/</mo><mo>(</mo><mi>α</mi><mo>−</mo><mn>1</mn><mo>)</mo></mrow></msubsup>"))];
                rows.push(match o.tau {
                    Some(tau) => format!("<mrow><mi>α</mi><mo>=</mo>{}<mo>,</mo><mspace width=\"1em\"/><mi>τ</mi><mo>=</mo>{}</mrow>", n(a), n(tau)),
                    None => format!("<mrow><mi>α</mi><mo>=</mo>{}<mo>:</mo><mspace width=\"0.5em\"/><mtext>{}</mtext></mrow>", n(a), t("softmax")),
                });
                lines(&rows)
            }
        };
        let _ = write!(out, "<section class=\"rule\" data-map=\"{}\"><h4>{}</h4>{body}</section>", m.key(), t(m.label()));
    }
    let _ = write!(
        out,
        "<p class=\"formula-note\">{}</p>",
        t("Sums, entropies and thresholds are computed with the logits as typed (±∞ as ±1e300); τ of entmax is on the scale of (α − 1)z.")
    );
    out
}
