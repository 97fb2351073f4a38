//! Gradient flow against its discretisations (math-spec page 1 and 2.5): the exact flow, gradient
//! descent as explicit Euler, heavy-ball momentum, sign and coordinate descent, and the modified
//! flow that GD follows to higher order (implicit gradient regularisation).

pub mod model;
mod render;

use crate::i18n::{t, tf};
use crate::lab::{fmt_num, Control, Lab, LabMeta, Readout, Table};
use crate::labs::plane::{self, HasPlane, Plane};
use crate::math::fmt_sig;
use crate::math::surfaces::{sym_eigenvalues, Objective, Surface, SurfaceKind};
use crate::mathml::*;
use model::{gd_contraction, Method, Track};
use nalgebra::Vector2;

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

static META: LabMeta = LabMeta {
    title: "Gradient flow and its discretisations",
    tagline: "Gradient descent is Euler's method on the gradient flow: it tracks the flow while ηλ_max is small, zig-zags near 2, diverges beyond — and follows a modified flow that prefers flat minima.",
    look_at: "The arrows are the vector field −∇L; the smooth curve is the exact gradient flow dθ/dt = −∇L. Every discrete method is drawn with its iterates placed at time t = nη, so you see gradient descent lag behind or overshoot the flow. The modified flow of L + (η/4)‖∇L‖² stays closer to gradient descent than the flow itself (the right-hand chart: an O(η²) against an O(η³) gap per step). Sign and coordinate descent are steepest descent in the ℓ∞ and ℓ1 norms: rotating the quadratic changes them, but not the flow.",
    try_these: &[
        ("GD tracks the flow when η is small", "lr=0.005&methods=flow,gd,modified"),
        ("The edge of stability: ηλ_max just below 2", "lr=0.098&methods=flow,gd&horizon=4"),
        ("Momentum damps the zig-zag", "lr=0.09&beta=0.4&methods=flow,gd,momentum&horizon=4"),
        ("Rotation changes sign descent but not the flow", "phi=45&lr=0.02&methods=flow,sign,coord"),
        ("Larger steps find flatter minima", "surface=valley&lr=0.25&methods=flow,gd,modified&horizon=100"),
    ],
    main_caption: "Gradient flow, its discretisations and the vector field −∇L",
    aux_caption: "Loss against time t, and the distance of gradient descent from the flow and from the modified flow",
};

impl Lab for GradientFlow {
    const SLUG: &'static str = "gradient_flow";
    type Params = Params;
    type State = State;

    fn meta() -> &'static LabMeta {
        &META
    }
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
    fn total_steps(p: &Params) -> usize {
        p.steps()
    }
    fn has_aux() -> bool {
        true
    }
    fn background_key(p: &Params, _s: &State) -> u64 {
        // Arrows and streamlines are drawn on the background too.
        let extra = p.arrows.to_bits() ^ if p.streamlines { 0x9E37_79B9_7F4A_7C15 } else { 0 };
        p.plane.background_hash() ^ extra.rotate_left(17)
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
    fn formula(p: &Params, _s: &State) -> String {
        let th_next = sub(&i("θ"), "<mrow><mi>n</mi><mo>+</mo><mn>1</mn></mrow>");
        let th = sub(&i("θ"), &i("n"));
        let g = format!("<mo>∇</mo><mi>L</mi>{}", paren(&th));
        let dot = "<mover><mi>θ</mi><mo>˙</mo></mover>";
        let mut out = String::new();
        for m in Method::ALL.into_iter().filter(|m| p.has(*m)) {
            let body = match m {
                Method::Flow => lines(&[assign(dot, "<mo>−</mo><mo>∇</mo><mi>L</mi><mo>(</mo><mi>θ</mi><mo>)</mo>")]),
                Method::Gd => lines(&[assign(&th_next, &format!("{th}<mo>−</mo>{}<mo>⁢</mo>{g}", n(p.lr)))]),
                Method::Momentum => lines(&[
                    assign(&th_next, &format!("{th}<mo>−</mo>{}<mo>⁢</mo>{g}<mo>+</mo>{}<mo>⁢</mo>{}", n(p.lr), n(p.beta), paren(&format!("{th}<mo>−</mo>{}", sub(&i("θ"), "<mrow><mi>n</mi><mo>−</mo><mn>1</mn></mrow>"))))),
                    format!(
                        "<mrow><mover><mi>θ</mi><mo>¨</mo></mover><mo>+</mo><mi>γ</mi><mo>⁢</mo>{dot}<mo>=</mo><mo>−</mo><mo>∇</mo><mi>L</mi><mo>,</mo><mspace width=\"1em\"/><mi>γ</mi><mo>=</mo>{}<mo>=</mo>{}</mrow>",
                        frac("<mn>1</mn><mo>−</mo><mi>β</mi>", &sqrt("<mi>η</mi>")),
                        n((1.0 - p.beta) / p.lr.sqrt())
                    ),
                ]),
                Method::Sign => lines(&[assign(&th_next, &format!("{th}<mo>−</mo>{}<mo>⁢</mo>{}", n(p.lr), sign(&g)))]),
                Method::Coord => lines(&[assign(
                    &th_next,
                    &format!("{th}<mo>−</mo>{}<mo>⁢</mo>{}<mo>⁢</mo>{}<mo>,</mo><mspace width=\"1em\"/><mi>i</mi><mo>=</mo><mo>arg max</mo><mo>|</mo>{}<mo>|</mo>", n(p.lr), sub(&i("g"), &i("i")), sub(&i("e"), &i("i")), sub(&i("g"), &i("j"))),
                )]),
                Method::Modified => lines(&[
                    assign(
                        dot,
                        &format!(
                            "<mo>−</mo><mo>∇</mo><mover><mi>L</mi><mo>~</mo></mover><mo>=</mo><mo>−</mo><mo>(</mo><mo>∇</mo><mi>L</mi><mo>+</mo>{}<mo>⁢</mo><mi>H</mi><mo>∇</mo><mi>L</mi><mo>)</mo>",
                            n(p.lr / 2.0)
                        ),
                    ),
                    assign(
                        "<mover><mi>L</mi><mo>~</mo></mover>",
                        &format!("<mi>L</mi><mo>+</mo>{}<mo>⁢</mo><msup><mrow><mo>‖</mo><mo>∇</mo><mi>L</mi><mo>‖</mo></mrow><mn>2</mn></msup>", n(p.lr / 4.0)),
                    ),
                ]),
            };
            out.push_str(&format!("<section class=\"rule\" data-method=\"{}\"><h4>{}</h4>{body}</section>", m.key(), t(m.label())));
        }
        out.push_str(&format!(
            "<p class=\"formula-note\">{}</p>",
            t("Discrete methods are drawn at t = nη; the flows are integrated by adaptive Runge–Kutta (Dormand–Prince) to 1e-11.")
        ));
        out
    }
    fn readouts(p: &Params, s: &State) -> Vec<Readout> {
        let mut out: Vec<Readout> = s
            .tracks
            .iter()
            .map(|tr| {
                let (text, warn) = match tr.diverged {
                    Some(n) if tr.non_finite && p.plane.surface == SurfaceKind::Custom => (tf("left the domain at step {}", &[&n]), true),
                    Some(n) => (tf("diverged at step {}", &[&n]), true),
                    None => {
                        let [x, y] = tr.path.last().copied().unwrap_or([f64::NAN; 2]);
                        let l = tr.loss.last().copied().unwrap_or(f64::NAN);
                        let tt = (tr.path.len().saturating_sub(1)) as f64 * p.lr;
                        let mut s = tf("t = {}: L = {} at ({}, {})", &[&fmt_sig(tt, 4), &fmt_sig(l, 4), &fmt_sig(x, 4), &fmt_sig(y, 4)]);
                        if p.plane.surface == SurfaceKind::Valley {
                            s.push_str(&tf("; sharpness x² + y² = {}", &[&fmt_sig(x * x + y * y, 4)]));
                        }
                        (s, false)
                    }
                };
                Readout { label: t(tr.method.label()).to_string(), text, colour: Some(tr.method.index()), warn }
            })
            .collect();
        // Curvature where gradient descent is now (or at the start).
        let at = s.track(Method::Gd).and_then(|t| t.path.last().copied()).unwrap_or(p.plane.start());
        let eig = sym_eigenvalues(&s.surface.hessian(Vector2::new(at[0], at[1])));
        let lmax = eig.0.abs().max(eig.1.abs());
        if !(eig.0.is_finite() && eig.1.is_finite()) {
            let text = tf("f is not defined at ({}, {})", &[&fmt_sig(at[0], 4), &fmt_sig(at[1], 4)]);
            out.push(Readout { label: t("Hessian").into(), text, colour: None, warn: true });
            return out;
        }
        out.push(Readout {
            label: t("Hessian").into(),
            text: tf("eigenvalues {}, {} at ({}, {})", &[&fmt_sig(eig.0, 4), &fmt_sig(eig.1, 4), &fmt_sig(at[0], 4), &fmt_sig(at[1], 4)]),
            colour: None,
            warn: false,
        });
        let el = p.lr * lmax;
        out.push(Readout {
            label: t("Stability").into(),
            text: tf("ηλ_max = {} (gradient descent is stable below 2)", &[&fmt_sig(el, 4)]),
            colour: None,
            warn: el >= 2.0,
        });
        if p.plane.surface == SurfaceKind::Quadratic {
            out.push(Readout {
                label: t("Contraction").into(),
                text: tf("GD contracts by max|1 − ηλᵢ| = {} per step", &[&fmt_sig(gd_contraction(p.lr, eig), 4)]),
                colour: None,
                warn: false,
            });
        }
        if p.steps() == MAX_STEPS && p.horizon / p.lr > MAX_STEPS as f64 {
            out.push(Readout {
                label: t("Horizon").into(),
                text: tf("shortened to {} steps: T = {}", &[&MAX_STEPS, &fmt_sig(MAX_STEPS as f64 * p.lr, 4)]),
                colour: None,
                warn: true,
            });
        }
        if s.tracks.is_empty() {
            out.insert(0, Readout { label: t("No method").into(), text: t("choose at least one method").into(), colour: None, warn: true });
        }
        out
    }
    fn data(p: &Params, s: &State) -> Table {
        let mut t = Table { columns: vec!["method", "step", "t", "x", "y", "loss"], ..Default::default() };
        for tr in &s.tracks {
            for (i, (pt, l)) in tr.path.iter().zip(&tr.loss).enumerate() {
                t.rows.push(vec![
                    tr.method.key().into(),
                    i.to_string(),
                    fmt_num(i as f64 * p.lr),
                    fmt_num(pt[0]),
                    fmt_num(pt[1]),
                    fmt_num(*l),
                ]);
            }
        }
        t
    }
    fn pointer(p: &mut Params, x: f64, y: f64) -> bool {
        plane::click(p, x, y)
    }
    fn hover(_p: &Params, s: &State, x: f64, y: f64) -> Option<String> {
        Some(crate::math::surfaces::describe_point(&s.surface, x, y))
    }
}
