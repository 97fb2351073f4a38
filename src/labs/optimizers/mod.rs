//! Optimizer paths on 2-D loss surfaces (math-spec 2.1–2.2): SGD, momentum, Nesterov, RMSprop,
//! Adam, AdamW, AdaBelief, SignSGD, Signum, Lion and Newton from one start point, side by side.

pub mod text;
pub mod model;
pub mod render;

use crate::lab::{Control, Figure, Formula, Lab, LabMeta, Layer, Readout, Table};
use crate::plot::theme::Theme;
use crate::plot::{Blit, DrawResult, PlotFrame};
use plotters::coord::Shift;
use plotters::prelude::DrawingArea;
use crate::labs::plane::{self, HasPlane, Plane};
use crate::math::surfaces::{Surface, SurfaceKind};
use crate::math::View;
use model::{Noise, OptKind, Rule, Run};

/// The optimizer lab.
pub struct Optimizers;

/// Every parameter of the lab; field names follow the URL keys.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub struct Params {
    /// Surface, its parameters, start point and view (shared with the other 2-D labs).
    pub plane: Plane,
    pub steps: f64,
    pub opts: Vec<OptKind>,
    pub sgd_lr: f64,
    pub momentum_lr: f64,
    pub momentum_mu: f64,
    pub nesterov_lr: f64,
    pub nesterov_mu: f64,
    pub rmsprop_lr: f64,
    pub rmsprop_alpha: f64,
    pub rmsprop_eps: f64,
    pub rmsprop_eps_inside: bool,
    pub adam_lr: f64,
    pub adam_b1: f64,
    pub adam_b2: f64,
    pub adam_eps: f64,
    pub adamw_lr: f64,
    pub adamw_b1: f64,
    pub adamw_b2: f64,
    pub adamw_eps: f64,
    pub adamw_wd: f64,
    pub adabelief_lr: f64,
    pub adabelief_b1: f64,
    pub adabelief_b2: f64,
    pub adabelief_eps: f64,
    pub signsgd_lr: f64,
    pub signum_lr: f64,
    pub signum_beta: f64,
    pub lion_lr: f64,
    pub lion_b1: f64,
    pub lion_b2: f64,
    pub lion_wd: f64,
    pub newton_damping: f64,
    pub newton_saddlefree: bool,
    pub noise: f64,
    pub batch: f64,
    pub seed: f64,
}

impl Default for Params {
    /// PyTorch's defaults where PyTorch has the optimizer (math-spec 2.2); Lion per its paper's
    /// advice (η 3× smaller than AdamW's, λ 3× larger).
    fn default() -> Self {
        Params {
            plane: Plane::new(SurfaceKind::Rosenbrock, 10.0, 30.0),
            steps: 1500.0,
            opts: vec![OptKind::Sgd, OptKind::Momentum, OptKind::Adam, OptKind::Newton],
            sgd_lr: 1e-3,
            momentum_lr: 1e-3,
            momentum_mu: 0.9,
            nesterov_lr: 1e-3,
            nesterov_mu: 0.9,
            rmsprop_lr: 1e-2,
            rmsprop_alpha: 0.99,
            rmsprop_eps: 1e-8,
            rmsprop_eps_inside: false,
            adam_lr: 1e-3,
            adam_b1: 0.9,
            adam_b2: 0.999,
            adam_eps: 1e-8,
            adamw_lr: 1e-3,
            adamw_b1: 0.9,
            adamw_b2: 0.999,
            adamw_eps: 1e-8,
            adamw_wd: 0.01,
            adabelief_lr: 1e-3,
            adabelief_b1: 0.9,
            adabelief_b2: 0.999,
            adabelief_eps: 1e-8,
            signsgd_lr: 1e-3,
            signum_lr: 1e-3,
            signum_beta: 0.9,
            lion_lr: 3e-4,
            lion_b1: 0.9,
            lion_b2: 0.99,
            lion_wd: 0.03,
            newton_damping: 0.0,
            newton_saddlefree: false,
            noise: 0.0,
            batch: 1.0,
            seed: 1.0,
        }
    }
}

impl HasPlane for Params {
    fn plane(&self) -> &Plane {
        &self.plane
    }
    fn plane_mut(&mut self) -> &mut Plane {
        &mut self.plane
    }
}

impl Params {
    /// The surface with its parameters.
    pub fn objective(&self) -> Surface {
        self.plane.objective()
    }
    /// The start point.
    pub fn start(&self) -> [f64; 2] {
        self.plane.start()
    }
    /// The window shown.
    pub fn view(&self) -> View {
        self.plane.view()
    }
    /// The gradient noise.
    pub fn noise(&self) -> Noise {
        Noise { sigma: self.noise, batch: self.batch, seed: self.seed as u64 }
    }
    /// The resolved rule of an optimizer.
    pub fn rule(&self, k: OptKind) -> Rule {
        match k {
            OptKind::Sgd => Rule::Sgd { lr: self.sgd_lr },
            OptKind::Momentum => Rule::Momentum { lr: self.momentum_lr, mu: self.momentum_mu, nesterov: false },
            OptKind::Nesterov => Rule::Momentum { lr: self.nesterov_lr, mu: self.nesterov_mu, nesterov: true },
            OptKind::Rmsprop => {
                Rule::Rmsprop { lr: self.rmsprop_lr, alpha: self.rmsprop_alpha, eps: self.rmsprop_eps, eps_inside: self.rmsprop_eps_inside }
            }
            OptKind::Adam => {
                Rule::Adam { lr: self.adam_lr, b1: self.adam_b1, b2: self.adam_b2, eps: self.adam_eps, wd: 0.0, belief: false }
            }
            OptKind::AdamW => Rule::Adam {
                lr: self.adamw_lr,
                b1: self.adamw_b1,
                b2: self.adamw_b2,
                eps: self.adamw_eps,
                wd: self.adamw_wd,
                belief: false,
            },
            OptKind::AdaBelief => Rule::Adam {
                lr: self.adabelief_lr,
                b1: self.adabelief_b1,
                b2: self.adabelief_b2,
                eps: self.adabelief_eps,
                wd: 0.0,
                belief: true,
            },
            OptKind::SignSgd => Rule::Sign { lr: self.signsgd_lr },
            OptKind::Signum => Rule::Signum { lr: self.signum_lr, beta: self.signum_beta },
            OptKind::Lion => Rule::Lion { lr: self.lion_lr, b1: self.lion_b1, b2: self.lion_b2, wd: self.lion_wd },
            OptKind::Newton => Rule::Newton { damping: self.newton_damping, saddle_free: self.newton_saddlefree },
        }
    }
    fn has(&self, k: OptKind) -> bool {
        self.opts.contains(&k)
    }
}

/// The runs of every enabled optimizer.
pub struct State {
    /// The loss.
    pub surface: Surface,
    /// One run per enabled optimizer, in legend order.
    pub runs: Vec<Run>,
    noise: Noise,
    centre: [f64; 2],
    bound: f64,
}

const OPTS: &[(&str, &str)] = &[
    ("sgd", "SGD"),
    ("momentum", "Momentum"),
    ("nesterov", "Nesterov"),
    ("rmsprop", "RMSprop"),
    ("adam", "Adam"),
    ("adamw", "AdamW"),
    ("adabelief", "AdaBelief"),
    ("signsgd", "SignSGD"),
    ("signum", "Signum"),
    ("lion", "Lion"),
    ("newton", "Newton"),
];

type P = Params;
type C = Control<Params>;

const LR: (f64, f64) = (1e-5, 1.0);
const EPS: (f64, f64) = (1e-12, 1.0);
const BETA: (f64, f64) = (0.0, 0.9999);

const fn lr(key: &'static str, group: &'static str, get: fn(&P) -> f64, set: fn(&mut P, f64), vis: fn(&P) -> bool) -> C {
    C::num(key, "learning rate η", LR.0, LR.1, get, set).log().group(group).visible(vis).help("step size")
}
const fn beta(
    key: &'static str,
    label: &'static str,
    group: &'static str,
    get: fn(&P) -> f64,
    set: fn(&mut P, f64),
    vis: fn(&P) -> bool,
) -> C {
    C::num(key, label, BETA.0, BETA.1, get, set).group(group).visible(vis)
}
const fn eps(key: &'static str, group: &'static str, get: fn(&P) -> f64, set: fn(&mut P, f64), vis: fn(&P) -> bool) -> C {
    C::num(key, "ε", EPS.0, EPS.1, get, set).log().group(group).visible(vis).help("numerical-stability constant")
}

static CONTROLS: &[C] = &[
    plane::surface::<P>(),
    plane::gallery::<P>(),
    plane::formula::<P>(),
    plane::view::<P>(),
    plane::kappa::<P>(),
    plane::phi::<P>(),
    plane::x0::<P>(),
    plane::y0::<P>(),
    C::num("steps", "steps", 1.0, 5000.0, |p| p.steps, |p, v| p.steps = v).integer().log(),
    C::set(
        "opt",
        "Optimizers",
        OPTS,
        |p| p.opts.iter().map(|k| k.key()).collect(),
        |p, keys| {
            p.opts = keys.iter().filter_map(|k| OptKind::from_key(k)).collect();
        },
    ),
    lr("sgd_lr", "SGD", |p| p.sgd_lr, |p, v| p.sgd_lr = v, |p| p.has(OptKind::Sgd)),
    lr("momentum_lr", "Momentum", |p| p.momentum_lr, |p, v| p.momentum_lr = v, |p| p.has(OptKind::Momentum)),
    C::num("momentum_mu", "momentum μ", 0.0, 0.999, |p| p.momentum_mu, |p, v| p.momentum_mu = v)
        .group("Momentum")
        .visible(|p| p.has(OptKind::Momentum)),
    lr("nesterov_lr", "Nesterov", |p| p.nesterov_lr, |p, v| p.nesterov_lr = v, |p| p.has(OptKind::Nesterov)),
    C::num("nesterov_mu", "momentum μ", 0.0, 0.999, |p| p.nesterov_mu, |p, v| p.nesterov_mu = v)
        .group("Nesterov")
        .visible(|p| p.has(OptKind::Nesterov)),
    lr("rmsprop_lr", "RMSprop", |p| p.rmsprop_lr, |p, v| p.rmsprop_lr = v, |p| p.has(OptKind::Rmsprop)),
    beta("rmsprop_alpha", "smoothing α", "RMSprop", |p| p.rmsprop_alpha, |p, v| p.rmsprop_alpha = v, |p| p.has(OptKind::Rmsprop)),
    eps("rmsprop_eps", "RMSprop", |p| p.rmsprop_eps, |p, v| p.rmsprop_eps = v, |p| p.has(OptKind::Rmsprop)),
    C::flag("rmsprop_eps_inside", "ε inside the root (posts, TensorFlow)", |p| p.rmsprop_eps_inside, |p, v| p.rmsprop_eps_inside = v)
        .group("RMSprop")
        .visible(|p| p.has(OptKind::Rmsprop)),
    lr("adam_lr", "Adam", |p| p.adam_lr, |p, v| p.adam_lr = v, |p| p.has(OptKind::Adam)),
    beta("adam_b1", "β₁", "Adam", |p| p.adam_b1, |p, v| p.adam_b1 = v, |p| p.has(OptKind::Adam)),
    beta("adam_b2", "β₂", "Adam", |p| p.adam_b2, |p, v| p.adam_b2 = v, |p| p.has(OptKind::Adam)),
    eps("adam_eps", "Adam", |p| p.adam_eps, |p, v| p.adam_eps = v, |p| p.has(OptKind::Adam)),
    lr("adamw_lr", "AdamW", |p| p.adamw_lr, |p, v| p.adamw_lr = v, |p| p.has(OptKind::AdamW)),
    beta("adamw_b1", "β₁", "AdamW", |p| p.adamw_b1, |p, v| p.adamw_b1 = v, |p| p.has(OptKind::AdamW)),
    beta("adamw_b2", "β₂", "AdamW", |p| p.adamw_b2, |p, v| p.adamw_b2 = v, |p| p.has(OptKind::AdamW)),
    eps("adamw_eps", "AdamW", |p| p.adamw_eps, |p, v| p.adamw_eps = v, |p| p.has(OptKind::AdamW)),
    C::num("adamw_wd", "weight decay λ", 0.0, 1.0, |p| p.adamw_wd, |p, v| p.adamw_wd = v)
        .group("AdamW")
        .visible(|p| p.has(OptKind::AdamW))
        .help("decoupled: θ ← θ − ηλθ before the Adam step"),
    lr("adabelief_lr", "AdaBelief", |p| p.adabelief_lr, |p, v| p.adabelief_lr = v, |p| p.has(OptKind::AdaBelief)),
    beta("adabelief_b1", "β₁", "AdaBelief", |p| p.adabelief_b1, |p, v| p.adabelief_b1 = v, |p| p.has(OptKind::AdaBelief)),
    beta("adabelief_b2", "β₂", "AdaBelief", |p| p.adabelief_b2, |p, v| p.adabelief_b2 = v, |p| p.has(OptKind::AdaBelief)),
    eps("adabelief_eps", "AdaBelief", |p| p.adabelief_eps, |p, v| p.adabelief_eps = v, |p| p.has(OptKind::AdaBelief)),
    lr("signsgd_lr", "SignSGD", |p| p.signsgd_lr, |p, v| p.signsgd_lr = v, |p| p.has(OptKind::SignSgd)),
    lr("signum_lr", "Signum", |p| p.signum_lr, |p, v| p.signum_lr = v, |p| p.has(OptKind::Signum)),
    beta("signum_beta", "momentum β", "Signum", |p| p.signum_beta, |p, v| p.signum_beta = v, |p| p.has(OptKind::Signum)),
    lr("lion_lr", "Lion", |p| p.lion_lr, |p, v| p.lion_lr = v, |p| p.has(OptKind::Lion)),
    beta("lion_b1", "β₁ (update)", "Lion", |p| p.lion_b1, |p, v| p.lion_b1 = v, |p| p.has(OptKind::Lion)),
    beta("lion_b2", "β₂ (memory)", "Lion", |p| p.lion_b2, |p, v| p.lion_b2 = v, |p| p.has(OptKind::Lion)),
    C::num("lion_wd", "weight decay λ", 0.0, 1.0, |p| p.lion_wd, |p, v| p.lion_wd = v).group("Lion").visible(|p| p.has(OptKind::Lion)),
    C::num("newton_damping", "damping δ", 0.0, 10.0, |p| p.newton_damping, |p, v| p.newton_damping = v)
        .group("Newton")
        .visible(|p| p.has(OptKind::Newton))
        .help("θ ← θ − (H + δI)⁻¹g"),
    C::flag("newton_saddlefree", "saddle-free |H|", |p| p.newton_saddlefree, |p, v| p.newton_saddlefree = v)
        .group("Newton")
        .visible(|p| p.has(OptKind::Newton))
        .help("use |H| = V|Λ|Vᵀ so negative curvature repels"),
    C::num("noise", "noise σ", 0.0, 100.0, |p| p.noise, |p, v| p.noise = v)
        .group("Gradient noise")
        .help("g̃ = g + (σ/√B)·z, z ~ N(0, I): emulates minibatches"),
    C::num("batch", "batch size B", 1.0, 1024.0, |p| p.batch, |p, v| p.batch = v)
        .integer()
        .log()
        .group("Gradient noise")
        .visible(|p| p.noise > 0.0),
    C::num("seed", "seed", 0.0, 4294967295.0, |p| p.seed, |p, v| p.seed = v).integer().group("Gradient noise").visible(|p| p.noise > 0.0),
];


impl Lab for Optimizers {
    const SLUG: &'static str = "optimizers";
    type Params = Params;
    type State = State;

    const META: LabMeta = text::META;

    fn controls() -> &'static [Control<Params>] {
        CONTROLS
    }
    fn init(p: &Params) -> State {
        let surface = p.plane.objective();
        let noise = p.noise();
        let start = p.plane.start();
        let (centre, bound) = p.plane.divergence_box();
        let runs = OptKind::ALL.into_iter().filter(|k| p.has(*k)).map(|k| Run::new(k, p.rule(k), start, &surface, &noise)).collect();
        State { surface, runs, noise, centre, bound }
    }
    fn step(_p: &Params, s: &mut State) {
        for r in &mut s.runs {
            r.step(&s.surface, &s.noise, s.centre, s.bound);
        }
    }
    fn frames(p: &Params) -> usize {
        p.steps as usize
    }
    fn cache_key(fig: Figure, layer: Layer, p: &Params, s: &State) -> Option<u64> {
        match (fig, layer) {
            (Figure::Main, Layer::Background) => Some(p.plane.background_hash()),
            (Figure::Aux, Layer::Background) => Some(render::loss_axes(p, s).key()),
            _ => None,
        }
    }
    fn render<DB: Blit>(fig: Figure, layer: Layer, area: &DrawingArea<DB, Shift>, p: &Params, s: &State, theme: &Theme) -> DrawResult<Option<PlotFrame>, DB> {
        render::render(fig, layer, area, p, s, theme)
    }
    fn formulas(p: &Params, _s: &State) -> Vec<Formula> {
        text::formulas(p)
    }
    fn readouts(p: &Params, s: &State) -> Vec<Readout> {
        text::readouts(p, s)
    }
    fn data(p: &Params, s: &State) -> Table {
        text::data(p, s)
    }
    fn pointer(p: &mut Params, x: f64, y: f64) -> bool {
        plane::click(p, x, y)
    }
    fn hover(_p: &Params, s: &State, x: f64, y: f64) -> Option<String> {
        Some(crate::math::surfaces::describe_point(&s.surface, x, y))
    }
}
