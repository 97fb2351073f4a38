//! Recurrences in parallel (issue #16; wave-2 spec §W2 modes `rnn` and `ssm`): a nonlinear RNN
//! solved by sweeps of *linear* recurrences, each an associative scan, and state-space memory
//! (HiPPO-LegS, S4, its convolution kernel by three routes and the rational transfer function).
//! The numerics are `math::{scan, rnn, ssm}`; this folder only chooses what to compute when: the
//! sweeps run in bounded chunks after the first paint, and the SSM's kernel is kept while only the
//! input or the time cursor move.

pub mod model;
mod render;
pub mod text;

pub use model::State;

use crate::fmt::{fmt_num, parse_num};
use crate::lab::{Control, Figure, Formula, Lab, LabMeta, Layer, Readout, Table, Value};
use crate::math::rnn::Scheme;
use crate::math::ssm::{self, Basis, Disc, Input};
use crate::plot::theme::Theme;
use crate::plot::{Blit, DrawResult, PlotFrame};
use plotters::coord::Shift;
use plotters::prelude::DrawingArea;
use text::tf;

/// The recurrence lab.
pub struct Recurrence;

/// Largest state size of the `rnn` mode (the `d` control is shared with `ssm`, which goes to 64).
pub const RNN_MAX_D: usize = 8;
/// Sweeps computed per scheme at most: the JSON contract's min(T, 64).
pub const MAX_SWEEPS: usize = 64;
/// Largest RFT denominator coefficient |a_i| (the spec's range).
pub const MAX_RFT_A: f64 = 2.0;
/// Largest readout entry |C_n| accepted.
pub const MAX_C: f64 = 1e3;

/// Every parameter; field names follow the URL keys. The two modes keep their own `d`, so
/// switching mode and back restores each.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub struct Params {
    /// `mode=ssm` (else `rnn`).
    pub ssm: bool,
    // rnn
    pub t_len: f64,
    pub rnn_d: f64,
    pub radius: f64,
    pub amp: f64,
    pub scheme: Scheme,
    pub sweeps: f64,
    /// `preset=literal` (else random).
    pub literal: bool,
    pub seed: f64,
    // ssm
    pub basis: Basis,
    pub ssm_d: f64,
    pub disc: Disc,
    pub eps: f64,
    pub l: f64,
    pub input: Input,
    /// The time cursor; `None` follows L (the default t = L).
    pub t: Option<f64>,
    pub rft_a: Vec<f64>,
    /// The readout C; `None` is (−½)ⁿ.
    pub c: Option<Vec<f64>>,
    /// The drawn input's knots, equally spaced over [0, L] (`input=drawn`); empty is zero.
    pub drawn: Vec<f64>,
}

impl Default for Params {
    /// The spec's defaults: `rnn` with T = 64, d = 3, ρ(A) = 0.6, plain sweeps, sweep 5 shown;
    /// `ssm` with LegS online, d = 8, bilinear, ε = 0.05, L = 256, a chirp, t = L.
    fn default() -> Self {
        Params {
            ssm: false,
            t_len: 64.0,
            rnn_d: 3.0,
            radius: 0.6,
            amp: 1.0,
            scheme: Scheme::Plain,
            sweeps: 5.0,
            literal: false,
            seed: 1.0,
            basis: Basis::LegsOnline,
            ssm_d: 8.0,
            disc: Disc::Bilinear,
            eps: 0.05,
            l: 256.0,
            input: Input::Chirp,
            t: None,
            rft_a: Vec::new(),
            c: None,
            drawn: Vec::new(),
        }
    }
}

impl Params {
    /// Sequence length T.
    pub fn big_t(&self) -> usize {
        (self.t_len as usize).clamp(1, 4096)
    }
    /// The state size the `rnn` mode uses: 3 for the literal preset, else d capped at 8.
    pub fn rnn_dim(&self) -> usize {
        if self.literal {
            3
        } else {
            (self.rnn_d as usize).clamp(1, RNN_MAX_D)
        }
    }
    /// Sweeps computed per scheme: min(T, 64).
    pub fn max_sweeps(&self) -> usize {
        self.big_t().min(MAX_SWEEPS)
    }
    /// The sweep shown: `sweeps` capped at the sweeps computed.
    pub fn shown_sweep(&self) -> usize {
        (self.sweeps.max(0.0) as usize).min(self.max_sweeps())
    }
    /// Kernel length L.
    pub fn len(&self) -> usize {
        (self.l as usize).clamp(1, 4096)
    }
    /// Whether L is zero (never: L ≥ 1; for clippy's `len` convention).
    pub fn is_empty(&self) -> bool {
        false
    }
    /// The time cursor used: t capped at L.
    pub fn cursor(&self) -> usize {
        self.t.map_or(self.len(), |t| (t.max(0.0) as usize).min(self.len()))
    }
    /// The SSM's state size.
    pub fn ssm_dim(&self) -> usize {
        (self.ssm_d as usize).clamp(1, 64)
    }
    /// The readout actually used: C padded with (−½)ⁿ or cut to d.
    pub fn readout(&self) -> Vec<f64> {
        let d = self.ssm_dim();
        let dflt = crate::math::ssm::default_readout(d);
        (0..d).map(|i| self.c.as_ref().and_then(|c| c.get(i).copied()).unwrap_or(dflt[i])).collect()
    }
    /// The math module's parameters for `mode=ssm`.
    pub fn ssm_params(&self) -> crate::math::ssm::SsmParams {
        crate::math::ssm::SsmParams {
            basis: self.basis,
            d: self.ssm_dim(),
            disc: self.disc,
            eps: self.eps,
            l: self.len(),
            c: self.c.clone(),
            rft_a: self.rft_a.clone(),
        }
    }
}

const MODES: &[(&str, &str)] = &[("rnn", "nonlinear RNN by linear sweeps"), ("ssm", "state-space memory (HiPPO / S4)")];
const SCHEMES: &[(&str, &str)] =
    &[("plain", "plain: M = A"), ("sech_u", "linearised at u: M = diag(sech² u)A"), ("newton", "Newton (DEER): Jacobian at the last sweep")];
const PRESETS: &[(&str, &str)] = &[("random", "random A (seed)"), ("literal", "literal test case (d = 3)")];
const BASES: &[(&str, &str)] = &[
    ("legs_online", "LegS online: uniform memory of [0, t]"),
    ("s4", "S4 (time-invariant LegS): decaying memory"),
    ("diagonal", "diagonal A = −diag(1…d)"),
    ("rft", "rational transfer function"),
];
const DISCS: &[(&str, &str)] = &[("bilinear", "bilinear"), ("zoh", "zero-order hold"), ("euler", "forward Euler")];
const INPUTS: &[(&str, &str)] = &[("step", "step"), ("sine", "sine"), ("chirp", "chirp"), ("noise", "noise"), ("drawn", "drawn with the pointer")];
/// Knots of a drawn input: |u| ≤ this (the figure's fixed y range holds it).
pub const DRAWN_MAX: f64 = 1.5;
/// Knots a stroke on the plot draws on (a shorter list from the URL is resampled to these first).
pub const DRAWN_KNOTS: usize = 33;

/// A stroke of the pointer from data point `from` to `to` on the input plot: every knot between
/// the two gets the height of the segment there (so a fast stroke leaves no gaps), rounded to
/// hundredths (the URL stays short; a hundredth is below a pixel of the figure).
fn draw_stroke(p: &mut Params, from: (f64, f64), to: (f64, f64)) -> bool {
    let l = p.len() as f64;
    let n = DRAWN_KNOTS;
    if p.drawn.len() < n {
        // A coarser curve from the URL is resampled onto the knots a stroke draws on.
        let old = std::mem::take(&mut p.drawn);
        p.drawn = (0..n).map(|j| ssm::knot_curve(&old, j as f64 / (n - 1) as f64)).collect();
    }
    let n = p.drawn.len();
    let pos = |x: f64| (x / l * (n - 1) as f64).clamp(0.0, (n - 1) as f64);
    let (a, b) = (pos(from.0), pos(to.0));
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let mut changed = false;
    let (i0, i1) = (lo.round() as usize, hi.round() as usize);
    for i in i0..=i1.min(n - 1) {
        let f = if (b - a).abs() < 1e-12 { 1.0 } else { ((i as f64 - a) / (b - a)).clamp(0.0, 1.0) };
        let y = from.1 + (to.1 - from.1) * f;
        let v = ((y.clamp(-DRAWN_MAX, DRAWN_MAX)) * 100.0).round() / 100.0;
        if p.drawn[i] != v {
            p.drawn[i] = v;
            changed = true;
        }
    }
    changed
}


/// A comma list of finite numbers, each |v| ≤ `max`, at most 64 of them.
fn parse_list(s: &str, max: f64) -> Result<Vec<f64>, (usize, String)> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let mut col = 1;
    for part in s.split(',') {
        let v = parse_num(part).filter(|v| v.is_finite()).ok_or_else(|| (col, tf("'{}' is not a number", &[&part.trim()])))?;
        if v.abs() > max {
            return Err((col, tf("{} is beyond ±{}", &[&part.trim(), &fmt_num(max)])));
        }
        out.push(v);
        col += part.chars().count() + 1;
        if out.len() > 64 {
            return Err((col, tf("at most {} numbers", &[&64])));
        }
    }
    Ok(out)
}

fn list_text(v: &[f64]) -> String {
    v.iter().map(|x| fmt_num(*x)).collect::<Vec<_>>().join(",")
}

fn rnn(p: &Params) -> bool {
    !p.ssm
}
fn rnn_random(p: &Params) -> bool {
    !p.ssm && !p.literal
}
fn ssm(p: &Params) -> bool {
    p.ssm
}

type C = Control<Params>;

static CONTROLS: &[C] = &[
    C::choice("mode", "mode", MODES, |p| if p.ssm { "ssm" } else { "rnn" }, |p, k| p.ssm = k == "ssm"),
    // Shared by both modes (the key): 1…8 in `rnn`, 1…64 in `ssm`.
    C::num("d", "state size d", 1.0, 64.0, |p| if p.ssm { p.ssm_d } else { p.rnn_d }, |p, v| if p.ssm { p.ssm_d = v } else { p.rnn_d = v })
        .integer()
        .range_from(|p| (1.0, if p.ssm { ssm::MAX_D as f64 } else { RNN_MAX_D as f64 }))
        .help("1…8 for the RNN, 1…64 for the SSM")
        .visible(|p| p.ssm || !p.literal)
        .default_from(|p| Value::Num(if p.ssm { 8.0 } else { 3.0 })),
    // rnn
    C::choice(
        "preset",
        "problem",
        PRESETS,
        |p| if p.literal { "literal" } else { "random" },
        |p, k| p.literal = k == "literal",
    )
    .visible(rnn)
    .group("RNN"),
    // A shorter sequence pulls the shown sweep into its new range (0…min(T, 64)).
    C::num("T", "length T", 8.0, 512.0, |p| p.t_len, |p, v| {
        p.t_len = v;
        p.sweeps = p.sweeps.min(p.max_sweeps() as f64);
    })
    .log()
    .integer()
    .visible(rnn)
    .group("RNN"),
    C::num("radius", "spectral radius of A", 0.1, 1.5, |p| p.radius, |p, v| p.radius = v).visible(rnn_random).group("RNN"),
    C::num("amp", "input amplitude", 0.0, 3.0, |p| p.amp, |p, v| p.amp = v).visible(rnn_random).group("RNN"),
    C::choice(
        "scheme",
        "linearisation M_t",
        SCHEMES,
        |p| p.scheme.name(),
        |p, k| p.scheme = Scheme::from_name(k).unwrap_or(Scheme::Plain),
    )
    .visible(rnn)
    .group("RNN"),
    C::num("sweeps", "shown sweep n", 0.0, 64.0, |p| p.sweeps, |p, v| p.sweeps = v)
        .integer()
        .range_from(|p| (0.0, p.max_sweeps() as f64))
        .visible(rnn)
        .group("RNN")
        .help("or click the heat map; 0…min(T, 64)"),
    C::num("seed", "seed", 1.0, 1000.0, |p| p.seed, |p, v| p.seed = v)
        .integer()
        .visible(|p| if p.ssm { p.input == Input::Noise } else { !p.literal }),
    // ssm
    C::choice("basis", "system", BASES, |p| p.basis.name(), |p, k| p.basis = Basis::from_name(k).unwrap_or(Basis::LegsOnline))
        .visible(ssm)
        .group("SSM"),
    C::choice("disc", "discretisation", DISCS, |p| p.disc.name(), |p, k| p.disc = Disc::from_name(k).unwrap_or(Disc::Bilinear))
        .visible(|p| p.ssm && p.basis != Basis::Rft)
        .group("SSM"),
    C::num("eps", "step ε", 1e-3, 1.0, |p| p.eps, |p, v| p.eps = v).log().visible(|p| p.ssm && p.basis != Basis::Rft).group("SSM"),
    // A shorter kernel pulls the time cursor into its new range (0…L).
    C::num("L", "kernel length L", 8.0, 1024.0, |p| p.l, |p, v| {
        p.l = v;
        p.t = p.t.map(|t| t.min(v));
    })
    .log()
    .integer()
    .visible(ssm)
    .group("SSM"),
    C::choice("input", "input u", INPUTS, |p| p.input.name(), |p, k| p.input = Input::from_name(k).unwrap_or(Input::Chirp))
        .visible(ssm)
        .group("SSM"),
    C::text(
        "drawn",
        "drawn input (knots over [0, L])",
        |p| list_text(&p.drawn),
        |p, s| {
            p.drawn = parse_list(s, DRAWN_MAX).map_err(|e| e.1)?;
            Ok(())
        },
        |s| parse_list(s, DRAWN_MAX).err(),
    )
    .examples(&["0,1", "0.5", "0,1,0,-1,0", "1.5,-1.5,1.5,-1.5,1.5,-1.5,1.5,-1.5,1.5"])
    .help("or drag on the plot to draw; comma list, |u| ≤ 1.5, equally spaced from s = 0 to s = L; empty = 0")
    .visible(|p| p.ssm && p.input == Input::Drawn)
    .group("SSM"),
    C::num("t", "time cursor t", 0.0, 1024.0, |p| p.t.unwrap_or(p.l), |p, v| p.t = Some(v))
        .integer()
        .range_from(|p| (0.0, p.len() as f64))
        .visible(ssm)
        .group("SSM")
        .help("or click the plot (unless the input is drawn); 0…L")
        .default_from(|p| Value::Num(p.l)),
    C::text(
        "rft_a",
        "RFT denominators a₁,…,a_d",
        |p| list_text(&p.rft_a),
        |p, s| {
            p.rft_a = parse_list(s, MAX_RFT_A).map_err(|e| e.1)?;
            Ok(())
        },
        |s| parse_list(s, MAX_RFT_A).err(),
    )
    .examples(&["0.3,-0.2,0.4", "-1.2,0.53,-0.08", "0.5", "2,-2,2,-2,2,-2,2,-2", "0"])
    .help("comma list, |aᵢ| ≤ 2; empty = 0 (a shift register)")
    .visible(|p| p.ssm && p.basis == Basis::Rft)
    .group("SSM"),
    C::text(
        "c",
        "readout C₀,…,C_{d−1}",
        |p| p.c.as_deref().map(list_text).unwrap_or_default(),
        |p, s| {
            let v = parse_list(s, MAX_C).map_err(|e| e.1)?;
            p.c = (!v.is_empty()).then_some(v);
            Ok(())
        },
        |s| parse_list(s, MAX_C).err(),
    )
    .examples(&["1", "1,0,0,0", "0.3,-0.2,1", "-1,0.5,-0.25,0.125,1e-3"])
    .help("comma list; empty = (−½)ⁿ; missing entries are (−½)ⁿ")
    .visible(ssm)
    .group("SSM"),
];

impl Lab for Recurrence {
    const SLUG: &'static str = "recurrence";
    type Params = Params;
    type State = State;

    const META: LabMeta = text::META;
    const TEST_LIMITS: &'static [(&'static str, f64)] = &[("T", 128.0), ("L", 256.0)];

    fn controls() -> &'static [Control<Params>] {
        CONTROLS
    }
    fn init(p: &Params) -> State {
        State::new(p)
    }
    fn reinit(p: &Params, s: &mut State) {
        s.reinit(p);
    }
    fn pending(p: &Params, s: &State) -> Option<f64> {
        s.pending(p)
    }
    fn work(p: &Params, s: &mut State) {
        s.work(p);
    }
    fn figure_height(fig: Figure, p: &Params, _s: &State, width: f64) -> Option<f64> {
        (fig == Figure::Aux).then(|| render::aux_height(p, width)).flatten()
    }
    fn cache_key(fig: Figure, layer: Layer, p: &Params, s: &State) -> Option<u64> {
        render::cache_key(fig, layer, p, s)
    }
    fn render<DB: Blit>(
        fig: Figure,
        layer: Layer,
        area: &DrawingArea<DB, Shift>,
        p: &Params,
        s: &State,
        theme: &Theme,
    ) -> DrawResult<Option<PlotFrame>, DB> {
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
    fn pointer(p: &mut Params, x: f64, y: f64) -> bool {
        if !(x.is_finite() && y.is_finite()) {
            return false;
        }
        if p.ssm && p.input == Input::Drawn {
            // A press draws at the pointer; a drag draws along its path (`stroke`).
            return draw_stroke(p, (x, y), (x, y));
        }
        if p.ssm {
            // Click the time axis: move the cursor there.
            let t = x.round().clamp(0.0, p.len() as f64);
            let changed = p.cursor() as f64 != t;
            p.t = Some(t);
            changed
        } else {
            // Click a row of the heat map: show that sweep.
            let n = y.round().clamp(0.0, p.max_sweeps() as f64);
            let changed = p.sweeps != n;
            p.sweeps = n;
            changed
        }
    }
    fn stroke(p: &mut Params, from: (f64, f64), to: (f64, f64)) -> bool {
        if p.ssm && p.input == Input::Drawn && [from.0, from.1, to.0, to.1].iter().all(|v| v.is_finite()) {
            draw_stroke(p, from, to)
        } else {
            Self::pointer(p, to.0, to.1)
        }
    }
    fn hover(p: &Params, s: &State, x: f64, y: f64) -> Option<String> {
        text::hover(p, s, x, y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_and_report_their_column() {
        assert_eq!(parse_list("0.3, -0.2,0.4", 2.0), Ok(vec![0.3, -0.2, 0.4]));
        assert_eq!(parse_list("", 2.0), Ok(vec![]));
        assert_eq!(parse_list("0.1,3", 2.0).unwrap_err().0, 5);
        assert!(parse_list("nan", 2.0).is_err() && parse_list("1e999", 2.0).is_err() && parse_list("1,,2", 2.0).is_err());
    }
}
