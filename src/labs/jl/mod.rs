//! Johnson–Lindenstrauss (math-spec page 5): how much a random projection distorts pairwise
//! distances, live, against the bounds. The projection is computed in chunks (the page never
//! blocks) and cached across changes of k, ε and the view: only new matrix rows are computed.

pub mod model;
mod render;
pub mod text;

pub use model::State;

use crate::lab::{Control, Figure, Formula, Lab, LabMeta, Layer, Readout, Table};
use crate::plot::theme::Theme;
use crate::plot::{Blit, DrawResult, PlotFrame};
use plotters::coord::Shift;
use plotters::prelude::DrawingArea;
use crate::math::jl::{Data, Matrix};

/// The Johnson–Lindenstrauss lab.
pub struct Jl;

/// Every parameter; field names follow the URL keys.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub struct Params {
    pub n: f64,
    pub d: f64,
    pub k: f64,
    pub eps: f64,
    pub matrix: Matrix,
    pub data: Data,
    pub seed: f64,
    pub beta: f64,
    /// Inner products of unit vectors instead of squared distances.
    pub ip: bool,
}

impl Default for Params {
    /// N = 200 points in d = 1000, k = 500, ε = 0.3: the empirical k (≈ 390) sits well below every
    /// bound (Dasgupta–Gupta 589). The math-spec Monte Carlo case is `k=300` (sd of R ≈ 0.0816).
    fn default() -> Self {
        Params { n: 200.0, d: 1000.0, k: 500.0, eps: 0.3, matrix: Matrix::Gaussian, data: Data::Gaussian, seed: 1.0, beta: 1.0, ip: false }
    }
}

impl Params {
    /// k as used: at most d for the orthogonal projection (a k-subspace of ℝᵈ needs k ≤ d).
    pub fn k_used(&self) -> usize {
        let k = self.k as usize;
        if self.matrix == Matrix::Orthogonal {
            k.min(self.d as usize)
        } else {
            k
        }
    }
}

const MATRICES: &[(&str, &str)] = &[
    ("gaussian", "Gaussian N(0, 1/k)"),
    ("rademacher", "Rademacher ±1/√k"),
    ("achlioptas", "Achlioptas sparse {+1, 0, −1}·√(3/k)"),
    ("verysparse", "very sparse (Li et al., s = √d)"),
    ("orthogonal", "random orthogonal, scaled √(d/k)"),
];
const DATA: &[(&str, &str)] = &[("gaussian", "Gaussian"), ("clusters", "10 clusters"), ("sparse", "sparse (3 non-zeros, one-hot-like)")];
const VIEWS: &[(&str, &str)] = &[("sq", "squared distances"), ("ip", "inner products of unit vectors")];

fn matrix_key(m: Matrix) -> &'static str {
    MATRICES[[Matrix::Gaussian, Matrix::Rademacher, Matrix::Achlioptas, Matrix::VerySparse, Matrix::Orthogonal]
        .iter()
        .position(|x| *x == m)
        .unwrap_or(0)]
    .0
}

type C = Control<Params>;

static CONTROLS: &[C] = &[
    C::num("n", "points N", 10.0, 2000.0, |p| p.n, |p, v| p.n = v).log().integer(),
    C::num("d", "dimension d", 50.0, 10000.0, |p| p.d, |p, v| p.d = v).integer(),
    C::num("k", "target dimension k", 2.0, 4000.0, |p| p.k, |p, v| p.k = v).log().integer(),
    C::num("eps", "distortion ε", 0.05, 0.95, |p| p.eps, |p, v| p.eps = v),
    C::choice(
        "matrix",
        "matrix",
        MATRICES,
        |p| matrix_key(p.matrix),
        |p, k| {
            p.matrix = match k {
                "rademacher" => Matrix::Rademacher,
                "achlioptas" => Matrix::Achlioptas,
                "verysparse" => Matrix::VerySparse,
                "orthogonal" => Matrix::Orthogonal,
                _ => Matrix::Gaussian,
            }
        },
    ),
    C::choice(
        "data",
        "data",
        DATA,
        |p| match p.data {
            Data::Gaussian => "gaussian",
            Data::Clusters => "clusters",
            Data::Sparse => "sparse",
        },
        |p, k| {
            p.data = match k {
                "clusters" => Data::Clusters,
                "sparse" => Data::Sparse,
                _ => Data::Gaussian,
            }
        },
    ),
    C::num("seed", "seed", 1.0, 1000.0, |p| p.seed, |p, v| p.seed = v).integer(),
    C::num("beta", "Achlioptas confidence β", 0.1, 5.0, |p| p.beta, |p, v| p.beta = v).help("success probability ≥ 1 − N^(−β)"),
    C::choice("view", "view", VIEWS, |p| if p.ip { "ip" } else { "sq" }, |p, k| p.ip = k == "ip"),
];


impl Lab for Jl {
    const SLUG: &'static str = "jl";
    type Params = Params;
    type State = State;

    const META: LabMeta = text::META;
    const TEST_LIMITS: &'static [(&'static str, f64)] = &[("n", 60.0), ("d", 300.0), ("k", 400.0)];

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
        model::work(p, s);
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
}

