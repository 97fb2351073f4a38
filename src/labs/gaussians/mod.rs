//! Gaussians (wave-2 spec §W3; posts 8512, 9660, 10289, 8578): divergences and optimal transport
//! between two draggable Gaussians, the Wasserstein gradient flow of KL(q‖p) carried by particles,
//! the closed-form classifiers of two Gaussian classes against logistic regression, and
//! minimisation over the probability simplex. Four modes of one lab, because the same few lines of
//! linear algebra run through all of them.

pub mod model;
mod render;
pub mod text;

pub use model::State;

use crate::fmt::{fmt_num, parse_num};
use crate::lab::{Control, Figure, Formula, Lab, LabMeta, Layer, Readout, Table, Value};
use crate::math::gaussian::{FlowMethod, Gaussian, Vec2};
use crate::math::simplex_opt::Method;
use crate::plot::theme::Theme;
use crate::plot::{Blit, DrawResult, PlotFrame};
use plotters::coord::Shift;
use plotters::prelude::DrawingArea;
use text::tf;

/// The Gaussians lab.
pub struct Gaussians;

/// The four modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// KL, Bhattacharyya, Hellinger, W₂ and the OT map between p and q.
    Divergence,
    /// Particles carried by the Wasserstein gradient flow of KL(q‖p).
    Flow,
    /// Closed-form classifiers and logistic regression.
    Classify,
    /// Minimisation over the probability simplex.
    Simplex,
}

const MODES: &[(&str, &str)] = &[
    ("divergence", "divergences and transport"),
    ("flow", "Wasserstein gradient flow"),
    ("classify", "closed-form classifiers"),
    ("simplex", "optimisation on the simplex"),
];

impl Mode {
    /// URL key.
    pub fn key(self) -> &'static str {
        match self {
            Mode::Divergence => "divergence",
            Mode::Flow => "flow",
            Mode::Classify => "classify",
            Mode::Simplex => "simplex",
        }
    }
    fn of(k: &str) -> Mode {
        match k {
            "flow" => Mode::Flow,
            "classify" => Mode::Classify,
            "simplex" => Mode::Simplex,
            _ => Mode::Divergence,
        }
    }
}

/// The divergence bars, in drawing order (key, label).
pub const SHOW: &[(&str, &str)] = &[
    ("kl_pq", "KL(p‖q)"),
    ("kl_qp", "KL(q‖p)"),
    ("bd", "Bhattacharyya"),
    ("hel", "Hellinger²"),
    ("w2", "W₂²"),
    ("naive", "naive ‖Δμ‖² + ‖Σp − Σq‖²F"),
];

/// The classifiers (key, label), in palette order.
pub const METHODS: &[(&str, &str)] = &[("post", "post (= LDA)"), ("script", "author's script"), ("mle", "logistic MLE")];

/// `method`: the flow's three particle methods and the simplex's four update rules share the key
/// (the issue names it so); each mode reads its own.
const METHOD_OPTIONS: &[(&str, &str)] = &[
    ("exact_score", "flow: exact-score ODE"),
    ("fitted", "flow: fitted-Gaussian ODE"),
    ("langevin", "flow: Langevin (Euler–Maruyama)"),
    ("fw", "simplex: Frank–Wolfe, fixed η (post)"),
    ("fw_2t", "simplex: Frank–Wolfe, η = 2/(t + 2)"),
    ("pgd", "simplex: projected gradient"),
    ("eg", "simplex: exponentiated gradient"),
];

const OBJECTIVES: &[(&str, &str)] =
    &[("sq", "‖p − x‖²"), ("entropy", "−⟨x, p⟩ + τ·negentropy"), ("kl", "KL(p‖softmax(x))")];

const DIMS: &[(&str, &str)] = &[("1", "1-D"), ("2", "2-D")];

/// Every parameter; field names follow the URL keys.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub struct Params {
    pub mode: Mode,
    pub dim: usize,
    /// p (divergence) or the target p (flow).
    pub mu_p: Vec2,
    pub sd_p: Vec2,
    pub ang_p: f64,
    /// q (divergence) or the start q₀ (flow).
    pub mu_q: Vec2,
    pub sd_q: Vec2,
    pub ang_q: f64,
    /// Shown divergence bars (keys of [`SHOW`]).
    pub show: Vec<&'static str>,
    /// Bars on a log axis.
    pub log: bool,
    pub flow_method: FlowMethod,
    pub n: f64,
    pub dt: f64,
    pub t: f64,
    pub seed: f64,
    pub delta: Vec2,
    pub sd: Vec2,
    pub ang: f64,
    pub unequal: bool,
    pub p1: f64,
    /// Shown classifiers (keys of [`METHODS`]).
    pub methods: Vec<&'static str>,
    pub simplex_method: Method,
    pub objective: &'static str,
    pub x: [f64; 3],
    pub eta: f64,
    pub tau: f64,
    pub steps: f64,
}

/// The p and q of a mode at its defaults: (μ_p, sd_p, ang_p, μ_q, sd_q, ang_q).
type Pair = (Vec2, Vec2, f64, Vec2, Vec2, f64);

/// The spec's defaults for the two Gaussians of a mode. Flow: target N((1, −0.5), [[1, 0.6],
/// [0.6, 2]]) and start N((−2, 2), diag(0.3, 0.1)), given by their axes (what the keys hold).
pub fn mode_pair(mode: Mode) -> Pair {
    match mode {
        Mode::Flow => {
            let axes = |g: Result<Gaussian, _>, fallback: (Vec2, Vec2, f64)| g.map(|g| (g.mean(), g.sd(), g.angle_deg())).unwrap_or(fallback);
            let p = axes(Gaussian::from_cov(2, [1.0, -0.5], [[1.0, 0.6], [0.6, 2.0]]), ([1.0, -0.5], [1.5, 0.85], 65.0));
            let q = axes(Gaussian::from_cov(2, [-2.0, 2.0], [[0.3, 0.0], [0.0, 0.1]]), ([-2.0, 2.0], [0.3f64.sqrt(), 0.1f64.sqrt()], 0.0));
            (p.0, p.1, p.2, q.0, q.1, q.2)
        }
        _ => ([0.0, 0.0], [1.0, 1.0], 0.0, [1.0, 0.0], [2f64.sqrt(), 0.5f64.sqrt()], 0.0),
    }
}

fn mode_n(mode: Mode) -> f64 {
    if mode == Mode::Classify {
        20.0
    } else {
        2000.0
    }
}

impl Default for Params {
    /// The spec's defaults: p = N(0, I), q = N((1, 0), diag(2, ½)) (W3-T1 A) in `divergence`.
    fn default() -> Self {
        let (mu_p, sd_p, ang_p, mu_q, sd_q, ang_q) = mode_pair(Mode::Divergence);
        Params {
            mode: Mode::Divergence,
            dim: 2,
            mu_p,
            sd_p,
            ang_p,
            mu_q,
            sd_q,
            ang_q,
            show: SHOW.iter().map(|s| s.0).collect(),
            log: false,
            flow_method: FlowMethod::ExactScore,
            n: mode_n(Mode::Divergence),
            dt: 0.01,
            t: 1.0,
            seed: 1.0,
            delta: [0.9, -0.2],
            sd: [1.0, 0.8],
            ang: 30.0,
            unequal: false,
            p1: 0.35,
            methods: METHODS.iter().map(|s| s.0).collect(),
            simplex_method: Method::Fw,
            objective: "sq",
            x: [1.0, 0.5, -1.0],
            eta: 0.05,
            tau: 0.5,
            steps: 200.0,
        }
    }
}

impl Params {
    /// Switches mode; the two Gaussians and `n` take the new mode's defaults (each mode's spec
    /// case), so the address bar holds only what was changed in this mode.
    fn set_mode(&mut self, mode: Mode) {
        if mode == self.mode {
            return;
        }
        self.mode = mode;
        (self.mu_p, self.sd_p, self.ang_p, self.mu_q, self.sd_q, self.ang_q) = mode_pair(mode);
        self.n = mode_n(mode);
    }
    /// The dimension used: the flow and the classifier are two-dimensional.
    pub fn dim_used(&self) -> usize {
        if self.mode == Mode::Divergence {
            self.dim
        } else {
            2
        }
    }
    /// p, or why it is refused.
    pub fn p(&self) -> Result<Gaussian, crate::math::gaussian::GaussError> {
        Gaussian::from_axes(self.dim_used(), self.mu_p, self.sd_p, self.ang_p)
    }
    /// q (q₀ in the flow), or why it is refused.
    pub fn q(&self) -> Result<Gaussian, crate::math::gaussian::GaussError> {
        Gaussian::from_axes(self.dim_used(), self.mu_q, self.sd_q, self.ang_q)
    }
}

/// Parses `a,b` with both numbers finite and `lo ≤ · ≤ hi`.
fn parse_pair(s: &str, lo: f64, hi: f64) -> Result<Vec2, String> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    if parts.len() != 2 {
        return Err(tf("give two numbers separated by a comma ({} given)", &[&parts.len()]));
    }
    let mut out = [0.0; 2];
    for (i, w) in parts.iter().enumerate() {
        let v = parse_num(&w.replace('−', "-")).ok_or_else(|| tf("'{}' is not a number", &[&crate::fmt::clip(w)]))?;
        if !(lo..=hi).contains(&v) {
            return Err(tf("{} is outside {} … {}", &[&fmt_num(v), &fmt_num(lo), &fmt_num(hi)]));
        }
        out[i] = v;
    }
    Ok(out)
}

fn pair_text(v: Vec2) -> String {
    format!("{},{}", fmt_num(v[0]), fmt_num(v[1]))
}

/// Parses the three logits `x`.
fn parse_x(s: &str) -> Result<[f64; 3], String> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    if parts.len() != 3 {
        return Err(tf("give three numbers separated by commas ({} given)", &[&parts.len()]));
    }
    let mut out = [0.0; 3];
    for (i, w) in parts.iter().enumerate() {
        let v = parse_num(&w.replace('−', "-")).ok_or_else(|| tf("'{}' is not a number", &[&crate::fmt::clip(w)]))?;
        if !(-X_MAX..=X_MAX).contains(&v) {
            return Err(tf("{} is outside {} … {}", &[&fmt_num(v), &fmt_num(-X_MAX), &fmt_num(X_MAX)]));
        }
        out[i] = v;
    }
    Ok(out)
}

/// Range of a mean coordinate.
pub const MU_MAX: f64 = 5.0;
/// Range of an axis standard deviation.
pub const SD_RANGE: (f64, f64) = (0.05, 5.0);
/// Range of a class-mean difference coordinate.
pub const DELTA_MAX: f64 = 4.0;
/// Range of the shared covariance's axis standard deviations.
pub const CLASS_SD: (f64, f64) = (0.1, 3.0);
/// Range of a logit.
pub const X_MAX: f64 = 10.0;

macro_rules! pair_control {
    ($key:literal, $label:literal, $field:ident, $lo:expr, $hi:expr, $check:ident, $visible:expr, $default:expr, $examples:expr) => {{
        fn $check(s: &str) -> Option<(usize, String)> {
            parse_pair(s, $lo, $hi).err().map(|e| (1, e))
        }
        C::text(
            $key,
            $label,
            |p| pair_text(p.$field),
            |p, s| {
                p.$field = parse_pair(s, $lo, $hi)?;
                Ok(())
            },
            $check,
        )
        .examples($examples)
        .visible($visible)
        .default_from($default)
    }};
}

type C = Control<Params>;

fn gaussians_shown(p: &Params) -> bool {
    matches!(p.mode, Mode::Divergence | Mode::Flow)
}

fn check_x(s: &str) -> Option<(usize, String)> {
    parse_x(s).err().map(|e| (1, e))
}

static CONTROLS: &[C] = &[
    C::choice("mode", "mode", MODES, |p| p.mode.key(), |p, k| p.set_mode(Mode::of(k))),
    C::choice("dim", "dimension", DIMS, |p| if p.dim == 1 { "1" } else { "2" }, |p, k| p.dim = if k == "1" { 1 } else { 2 })
        .visible(|p| p.mode == Mode::Divergence)
        .group("Gaussians p and q"),
    pair_control!("mu_p", "μ_p (x,y)", mu_p, -MU_MAX, MU_MAX, check_mu_p, gaussians_shown, |p| Value::Text(pair_text(mode_pair(p.mode).0)), &["1,-0.5", "-5,5", "0.25,0"])
        .group("Gaussians p and q")
        .help("drag p's centre on the plot"),
    pair_control!("sd_p", "p: axis std devs", sd_p, SD_RANGE.0, SD_RANGE.1, check_sd_p, gaussians_shown, |p| Value::Text(pair_text(mode_pair(p.mode).1)), &["2,0.5", "0.05,5", "1.5,1.5"])
        .group("Gaussians p and q")
        .help("drag p's axis handles on the plot"),
    // The angle means nothing for a circle (equal axes): shown only when the axes differ.
    C::num("ang_p", "p: axis angle (°)", 0.0, 180.0, |p| p.ang_p, |p, v| p.ang_p = v)
        .visible(|p| gaussians_shown(p) && p.dim_used() == 2 && p.sd_p[0] != p.sd_p[1])
        .default_from(|p| Value::Num(mode_pair(p.mode).2))
        .group("Gaussians p and q"),
    pair_control!("mu_q", "μ_q (x,y)", mu_q, -MU_MAX, MU_MAX, check_mu_q, gaussians_shown, |p| Value::Text(pair_text(mode_pair(p.mode).3)), &["-2,2", "5,-5", "0,0"])
        .group("Gaussians p and q")
        .help("drag q's centre on the plot"),
    pair_control!("sd_q", "q: axis std devs", sd_q, SD_RANGE.0, SD_RANGE.1, check_sd_q, gaussians_shown, |p| Value::Text(pair_text(mode_pair(p.mode).4)), &["1,1", "5,0.05", "0.3,0.2"])
        .group("Gaussians p and q")
        .help("drag q's axis handles on the plot"),
    C::num("ang_q", "q: axis angle (°)", 0.0, 180.0, |p| p.ang_q, |p, v| p.ang_q = v)
        .visible(|p| gaussians_shown(p) && p.dim_used() == 2 && p.sd_q[0] != p.sd_q[1])
        .default_from(|p| Value::Num(mode_pair(p.mode).5))
        .group("Gaussians p and q"),
    C::set("show", "divergences", SHOW, |p| p.show.clone(), |p, k| p.show = k.to_vec()).visible(|p| p.mode == Mode::Divergence),
    C::flag("log", "log scale", |p| p.log, |p, v| p.log = v).visible(|p| p.mode == Mode::Divergence),
    C::choice(
        "method",
        "method",
        METHOD_OPTIONS,
        |p| if p.mode == Mode::Simplex { p.simplex_method.key() } else { p.flow_method.key() },
        |p, k| {
            if let Some(m) = FlowMethod::from_key(k) {
                p.flow_method = m;
            } else if let Some(m) = Method::from_key(k) {
                p.simplex_method = m;
            }
        },
    )
    .visible(|p| matches!(p.mode, Mode::Flow | Mode::Simplex))
    .default_from(|p| Value::Choice(if p.mode == Mode::Simplex { "fw" } else { "exact_score" }.to_string())),
    C::num("n", "points n", 10.0, 20000.0, |p| p.n, |p, v| p.n = v)
        .log()
        .integer()
        .visible(|p| matches!(p.mode, Mode::Flow | Mode::Classify))
        .default_from(|p| Value::Num(mode_n(p.mode)))
        .help("particles (flow) or training points (classify)"),
    C::num("dt", "step dt", 0.001, 0.1, |p| p.dt, |p, v| p.dt = v).log().visible(|p| p.mode == Mode::Flow).group("Flow"),
    C::num("t", "time t", 0.0, 5.0, |p| p.t, |p, v| p.t = v).visible(|p| p.mode == Mode::Flow).group("Flow"),
    C::num("seed", "seed", 1.0, 1000.0, |p| p.seed, |p, v| p.seed = v).integer().visible(|p| matches!(p.mode, Mode::Flow | Mode::Classify)),
    pair_control!("delta", "μ₁ − μ₀ (x,y)", delta, -DELTA_MAX, DELTA_MAX, check_delta, in_mode_classify, |_| Value::Text(pair_text([0.9, -0.2])), &["2,0", "-4,4", "0.3,0.3"])
        .group("Classes")
        .help("drag on the plot: the class-1 mean is at +δ/2"),
    pair_control!("sd", "shared Σ: axis std devs", sd, CLASS_SD.0, CLASS_SD.1, check_sd, in_mode_classify, |_| Value::Text(pair_text([1.0, 0.8])), &["0.5,0.5", "3,0.1", "1.2,0.4"])
        .group("Classes"),
    C::num("ang", "shared Σ: axis angle (°)", 0.0, 180.0, |p| p.ang, |p, v| p.ang = v).visible(|p| p.mode == Mode::Classify).group("Classes"),
    C::flag("unequal", "unequal covariances", |p| p.unequal, |p, v| p.unequal = v)
        .visible(|p| p.mode == Mode::Classify)
        .group("Classes")
        .help("class 1 gets a different covariance: the shared-Σ assumption breaks"),
    C::num("p1", "class-1 prior p₁", 0.05, 0.95, |p| p.p1, |p, v| p.p1 = v).visible(|p| p.mode == Mode::Classify).group("Classes"),
    C::set("methods", "classifiers", METHODS, |p| p.methods.clone(), |p, k| p.methods = k.to_vec()).visible(|p| p.mode == Mode::Classify),
    C::choice("objective", "objective F", OBJECTIVES, |p| p.objective, |p, k| p.objective = k).visible(|p| p.mode == Mode::Simplex).group("Simplex"),
    C::text(
        "x",
        "logits x",
        |p| format!("{},{},{}", fmt_num(p.x[0]), fmt_num(p.x[1]), fmt_num(p.x[2])),
        |p, s| {
            p.x = parse_x(s)?;
            Ok(())
        },
        check_x,
    )
    .examples(&["0.2,-1,0.7", "2,-1,2", "-10,10,0", "0,0,0"])
    .visible(|p| p.mode == Mode::Simplex)
    .group("Simplex")
    .help("three numbers; drag the point on the triangle"),
    C::num("eta", "step η", 0.001, 1.0, |p| p.eta, |p, v| p.eta = v).log().visible(|p| p.mode == Mode::Simplex).group("Simplex"),
    C::num("tau", "temperature τ", 0.0, 5.0, |p| p.tau, |p, v| p.tau = v)
        .visible(|p| p.mode == Mode::Simplex && p.objective == "entropy")
        .group("Simplex"),
    C::num("steps", "steps", 1.0, 1000.0, |p| p.steps, |p, v| p.steps = v).integer().log().visible(|p| p.mode == Mode::Simplex).group("Simplex"),
];

fn in_mode_classify(p: &Params) -> bool {
    p.mode == Mode::Classify
}

impl Lab for Gaussians {
    const SLUG: &'static str = "gaussians";
    type Params = Params;
    type State = State;

    const META: LabMeta = text::META;
    const TEST_LIMITS: &'static [(&'static str, f64)] = &[("n", 150.0), ("steps", 200.0)];

    fn controls() -> &'static [Control<Params>] {
        CONTROLS
    }
    fn init(p: &Params) -> State {
        State::new(p)
    }
    fn reinit(p: &Params, s: &mut State) {
        s.reinit(p);
    }
    fn frames(p: &Params) -> usize {
        model::frames(p)
    }
    fn step(p: &Params, s: &mut State) {
        s.step(p);
    }
    fn steps(p: &Params, s: &mut State, n: usize) {
        s.steps(p, n);
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
    fn pointer(p: &mut Params, x: f64, y: f64) -> bool {
        model::pointer(p, x, y)
    }
    fn hover(p: &Params, s: &State, x: f64, y: f64) -> Option<String> {
        text::hover(p, s, x, y)
    }
}
