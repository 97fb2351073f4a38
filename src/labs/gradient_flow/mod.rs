//! Gradient flow against its discretisations (math-spec page 1 and 2.5): the exact flow, gradient
//! descent as explicit Euler, heavy-ball momentum, sign and coordinate descent, and the modified
//! flow that GD follows to higher order (implicit gradient regularisation).

pub mod model;
pub mod text;
pub mod render;

use crate::lab::{Control, Figure, Formula, Lab, LabMeta, Layer, Readout, Table};
use crate::plot::theme::Theme;
use crate::plot::{Blit, DrawResult, PlotFrame};
use plotters::coord::Shift;
use plotters::prelude::DrawingArea;
use crate::labs::plane::{self, HasPlane, Plane};
use crate::math::surfaces::{Surface, SurfaceKind};
use model::{Method, Track};

/// The gradient-flow lab.
pub struct GradientFlow;

/// At most this many samples per method (η small and the horizon long would otherwise ask for millions).
pub const MAX_STEPS: usize = 5000;

/// Every parameter; field names follow the URL keys.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub struct Params {
    /// Surface, its parameters, start point and view (shared with the other 2-D labs).
    pub plane: Plane,
    pub lr: f64,
    pub beta: f64,
    pub horizon: f64,
    pub methods: Vec<Method>,
    pub arrows: f64,
    pub streamlines: bool,
}

impl Default for Params {
    /// H = diag(1, 20) rotated by 30°: the spec's example, with ηλ_max = 0.8.
    fn default() -> Self {
        Params {
            plane: Plane::new(SurfaceKind::Quadratic, 20.0, 30.0),
            lr: 0.04,
            beta: 0.5,
            horizon: 8.0,
            methods: vec![Method::Flow, Method::Gd, Method::Momentum, Method::Modified],
            arrows: 18.0,
            streamlines: false,
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
    /// Samples per method: ⌈horizon/η⌉, at most [`MAX_STEPS`].
    pub fn steps(&self) -> usize {
        ((self.horizon / self.lr - 1e-9).ceil().max(1.0) as usize).min(MAX_STEPS)
    }
    fn has(&self, m: Method) -> bool {
        self.methods.contains(&m)
    }
}

/// The tracks of every shown method.
pub struct State {
    /// The loss.
    pub surface: Surface,
    /// One track per shown method, in legend order.
    pub tracks: Vec<Track>,
    centre: [f64; 2],
    bound: f64,
}

impl State {
    fn track(&self, m: Method) -> Option<&Track> {
        self.tracks.iter().find(|t| t.method == m)
    }
}

const METHODS: &[(&str, &str)] = &[
    ("flow", "Gradient flow"),
    ("gd", "Gradient descent"),
    ("momentum", "Heavy ball"),
    ("sign", "Sign descent"),
    ("coord", "Coordinate descent"),
    ("modified", "Modified flow"),
];

type P = Params;
type C = Control<Params>;

static CONTROLS: &[C] = &[
    plane::surface::<P>(),
    plane::gallery::<P>(),
    plane::formula::<P>(),
    plane::view::<P>(),
    plane::kappa::<P>(),
    plane::phi::<P>(),
    plane::x0::<P>(),
    plane::y0::<P>(),
    C::set(
        "methods",
        "Methods",
        METHODS,
        |p| p.methods.iter().map(|m| m.key()).collect(),
        |p, keys| {
            p.methods = keys.iter().filter_map(|k| Method::from_key(k)).collect();
        },
    ),
    C::num("lr", "step size η", 1e-4, 2.0, |p| p.lr, |p, v| p.lr = v).log().help("GD step; the discrete methods are drawn at t = nη"),
    C::num("beta", "momentum β", 0.0, 0.99, |p| p.beta, |p, v| p.beta = v).visible(|p| p.has(Method::Momentum)),
    C::num("horizon", "horizon T", 0.1, 200.0, |p| p.horizon, |p, v| p.horizon = v).log().help("flow end time (at most 5000 steps of η)"),
    C::num("arrows", "arrows per side", 0.0, 40.0, |p| p.arrows, |p, v| p.arrows = v).integer().help("the vector field −∇L; 0 hides it"),
    C::flag("streamlines", "streamlines (phase portrait)", |p| p.streamlines, |p, v| p.streamlines = v),
];


impl Lab for GradientFlow {
    const SLUG: &'static str = "gradient_flow";
    type Params = Params;
    type State = State;

    const META: LabMeta = text::META;

    fn controls() -> &'static [Control<Params>] {
        CONTROLS
    }
    fn init(p: &Params) -> State {
        let surface = p.plane.objective();
        let start = p.plane.start();
        let tracks = Method::ALL.into_iter().filter(|m| p.has(*m)).map(|m| Track::new(m, start, &surface)).collect();
        let (centre, bound) = p.plane.divergence_box();
        State { surface, tracks, centre, bound }
    }
    fn step(p: &Params, s: &mut State) {
        for tr in &mut s.tracks {
            tr.step(&s.surface, p.lr, p.beta, s.centre, s.bound);
        }
    }
    fn frames(p: &Params) -> usize {
        p.steps()
    }
    fn cache_key(fig: Figure, layer: Layer, p: &Params, s: &State) -> Option<u64> {
        match (fig, layer) {
            // Arrows and streamlines are drawn on the background too.
            (Figure::Main, Layer::Background) => Some(crate::lab::key_of(&(p.plane.background_hash(), p.arrows.to_bits(), p.streamlines))),
            (Figure::Aux, Layer::Background) => {
                let (loss, gaps) = render::aux_curves(p, s);
                let (a, b) = render::aux_axes(p, &loss, &gaps);
                Some(crate::lab::key_of(&(a.key(), b.key())))
            }
            _ => None,
        }
    }
    fn render<DB: Blit>(fig: Figure, layer: Layer, area: &DrawingArea<DB, Shift>, p: &Params, s: &State, theme: &Theme) -> DrawResult<Option<PlotFrame>, DB> {
        render::render(fig, layer, area, p, s, theme)
    }
    fn formulas(p: &Params, _s: &State) -> Vec<Formula> {
        text::formulas(p, _s)
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
