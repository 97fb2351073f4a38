//! Johnson–Lindenstrauss (math-spec page 5): how much a random projection distorts pairwise
//! distances, live, against the bounds. The projection is computed in chunks (the page never
//! blocks) and cached across changes of k, ε and the view: only new matrix rows are computed.

mod render;

use crate::i18n::{t, tf};
use crate::lab::{fmt_num, Control, Lab, LabMeta, Readout, Table};
use crate::math::fmt_sig;
use crate::math::jl::{self, Data, Matrix, Projection, Stats};
use crate::mathml::*;
use std::fmt::Write;

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

/// The statistics at the current k, ε and view.
#[derive(Clone, Debug)]
pub struct Summary {
    /// (pair index, original, projected) — squared distances or inner products.
    pub points: Vec<(usize, f64, f64)>,
    /// The ratios R (distance view) or the errors ⟨Au,Av⟩ − ⟨u,v⟩ (inner-product view).
    pub values: Vec<f64>,
    /// Their statistics.
    pub stats: Stats,
    /// Fraction outside the ±ε band.
    pub violated: f64,
}

/// Work phases after the projection: running sums per pair up to k, then the k-scan.
pub struct State {
    /// The cached projection (data, pairs, matrix rows).
    pub proj: Projection,
    sums: Vec<(f64, f64)>,
    summed: usize,
    scan: Vec<f64>,
    scan_row: usize,
    /// The empirically smallest k (None while unknown or not reached by k).
    pub k_emp: Option<usize>,
    scan_done: bool,
    /// Statistics, once everything is computed.
    pub summary: Option<Summary>,
}

/// Multiply-adds per chunk of background work (a few milliseconds in the browser).
const BUDGET: f64 = 1.5e6;

fn fresh(p: &Params) -> Projection {
    Projection::new(p.n as usize, p.d as usize, p.data, p.matrix, p.seed as u64)
}

impl State {
    fn reset_after_projection(&mut self) {
        self.sums = vec![(0.0, 0.0); self.proj.pairs.len()];
        self.summed = 0;
        self.reset_scan();
    }
    fn reset_scan(&mut self) {
        self.scan = Vec::new();
        self.scan_row = 0;
        self.k_emp = None;
        self.scan_done = false;
        self.summary = None;
    }
    fn pending(&self, p: &Params) -> Option<f64> {
        let k = p.k_used();
        let (left, total) = self.proj.remaining(k);
        let m = self.proj.pairs.len() as f64;
        let sum_left = if self.proj.rows >= k || left > 0.0 { (k.saturating_sub(self.summed)) as f64 * m } else { 0.0 };
        let scan_left = if self.scan_done { 0.0 } else { (k.saturating_sub(self.scan_row)) as f64 * m };
        let left = left + sum_left + scan_left + if self.summary.is_none() { m } else { 0.0 };
        if left <= 0.0 {
            return None;
        }
        let total = total + 2.0 * k as f64 * m + m;
        Some((1.0 - left / total).clamp(0.0, 0.999))
    }
}

fn same_projection(a: &Projection, p: &Params) -> bool {
    a.n == p.n as usize && a.d == p.d as usize && a.data == p.data && a.matrix == p.matrix && a.seed == p.seed as u64
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

static META: LabMeta = LabMeta {
    title: "Johnson–Lindenstrauss: random projections",
    tagline: "Project N points from d to k dimensions with a random matrix: distances are kept to 1 ± ε once k grows like ln N / ε² — whatever d is — and the classical bounds are far more conservative than what the data needs.",
    look_at: "Left: the histogram of the distortion R = ‖A(u − v)‖²/‖u − v‖² over the pairs, with the band 1 ± ε and, for Gaussian matrices, the exact χ²ₖ/k density. Right: projected against original squared distances. Below: the k the bounds require for the chosen ε as N grows, the current k (horizontal line) and the smallest k that kept every pair within ε on this data (dot). Change d: the histogram does not care.",
    try_these: &[
        ("Distortion shrinks like 1/√k", "k=30"),
        ("The math-spec case: sd of R ≈ √(2/k) = 0.0816", "k=300"),
        ("k does not depend on d", "d=8000"),
        ("The bounds are conservative", "eps=0.3&k=600"),
        ("Very sparse matrices break on sparse data", "matrix=verysparse&data=sparse&k=200"),
        ("Orthogonal projection at k = d is exact", "matrix=orthogonal&d=300&k=300&n=50"),
        ("Inner products of unit vectors", "view=ip"),
    ],
    main_caption: "Distortion of pairwise squared distances under a random projection, and projected against original distances",
    aux_caption: "Required target dimension k against the number of points N for the chosen ε: four bounds, the current k and the empirical k",
};

impl Lab for Jl {
    const SLUG: &'static str = "jl";
    type Params = Params;
    type State = State;

    fn meta() -> &'static LabMeta {
        &META
    }
    fn controls() -> &'static [Control<Params>] {
        CONTROLS
    }
    fn init(p: &Params) -> State {
        let mut s = State {
            proj: fresh(p),
            sums: Vec::new(),
            summed: 0,
            scan: Vec::new(),
            scan_row: 0,
            k_emp: None,
            scan_done: false,
            summary: None,
        };
        s.reset_after_projection();
        s
    }
    fn reinit(p: &Params, s: &mut State) {
        if !same_projection(&s.proj, p) {
            *s = Self::init(p);
            return;
        }
        // Only k, ε, β or the view changed: keep the data, pairs and every matrix row computed.
        if s.summed > p.k_used() {
            s.sums.iter_mut().for_each(|v| *v = (0.0, 0.0));
            s.summed = 0;
        }
        s.reset_scan();
    }
    fn pending(p: &Params, s: &State) -> Option<f64> {
        s.pending(p)
    }
    fn pending_label() -> &'static str {
        "projecting"
    }
    fn work(p: &Params, s: &mut State) {
        let k = p.k_used();
        if s.proj.work(k, BUDGET) {
            return;
        }
        let k = k.min(s.proj.rows);
        let m = s.proj.pairs.len().max(1);
        let rows_per_chunk = ((BUDGET / m as f64) as usize).max(1);
        if s.summed < k {
            let end = (s.summed + rows_per_chunk).min(k);
            for (pi, acc) in s.sums.iter_mut().enumerate() {
                let (sq, dot) = s.proj.cumulative_range(s.summed, end, pi);
                acc.0 += sq;
                acc.1 += dot;
            }
            s.summed = end;
            return;
        }
        if !s.scan_done {
            let end = (s.scan_row + rows_per_chunk).min(k);
            let (found, next) = s.proj.scan_k(&mut s.scan, s.scan_row, end, p.eps);
            s.scan_row = next;
            if found.is_some() || s.scan_row >= k {
                s.k_emp = found;
                s.scan_done = true;
            }
            return;
        }
        if s.summary.is_none() {
            s.summary = Some(summarise(p, s, k));
        }
    }
    fn step(_p: &Params, _s: &mut State) {}
    fn total_steps(_p: &Params) -> usize {
        0
    }
    fn has_aux() -> bool {
        true
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
        readouts(p, s)
    }
    fn data(p: &Params, s: &State) -> Table {
        data(p, s)
    }
    fn pointer_hint() -> &'static str {
        "Move the sliders: k, ε and the view reuse every projection already computed."
    }
}

fn summarise(p: &Params, s: &State, k: usize) -> Summary {
    let c = s.proj.matrix.scale(s.proj.d) / k.max(1) as f64;
    let mut points = Vec::with_capacity(s.sums.len());
    let mut values = Vec::with_capacity(s.sums.len());
    for (pi, (&(sq, dot), &(osq, odot))) in s.sums.iter().zip(&s.proj.orig).enumerate() {
        if p.ip {
            let (i, j) = s.proj.pairs[pi];
            let nn = s.proj.norms[i as usize] * s.proj.norms[j as usize];
            if nn > 0.0 {
                let (o, q) = (odot / nn, c * dot / nn);
                points.push((pi, o, q));
                values.push(q - o);
            }
        } else if osq > 0.0 {
            points.push((pi, osq, c * sq));
            values.push(c * sq / osq);
        }
    }
    let centre = if p.ip { 0.0 } else { 1.0 };
    let violated =
        if values.is_empty() { 0.0 } else { values.iter().filter(|v| (*v - centre).abs() > p.eps).count() as f64 / values.len() as f64 };
    let mut sorted = values.clone();
    let stats = jl::stats(&mut sorted);
    Summary { points, values, stats, violated }
}

/// The four bounds at (N, ε, β): (name, key, real value).
pub fn bounds(p: &Params) -> [(&'static str, &'static str, f64); 4] {
    [
        ("Dasgupta–Gupta", "bound_dg", jl::bound_dg(p.n, p.eps)),
        ("Su, 24 ln N/ε²", "bound_su24", jl::bound_su24(p.n, p.eps)),
        ("Su, 16 ln N/ε² (existence)", "bound_su16", jl::bound_su16(p.n, p.eps)),
        ("Achlioptas", "bound_achlioptas", jl::bound_achlioptas(p.n, p.eps, p.beta)),
    ]
}

fn pairs_text(s: &State) -> String {
    let n = s.proj.n;
    let all = n * (n - 1) / 2;
    if s.proj.pairs.len() == all {
        tf("all {} pairs", &[&all])
    } else {
        tf("a uniform sample of {} of the {} pairs", &[&s.proj.pairs.len(), &all])
    }
}

fn readouts(p: &Params, s: &State) -> Vec<Readout> {
    let mut out = Vec::new();
    let k = p.k_used();
    if k < p.k as usize {
        out.push(Readout {
            label: t("k").into(),
            text: tf("an orthogonal projection needs k ≤ d: using k = {}", &[&k]),
            colour: None,
            warn: true,
        });
    }
    match &s.summary {
        None => out.push(Readout {
            label: t("Distortion").into(),
            text: tf("computing ({}%)", &[&format!("{:.0}", 100.0 * s.pending(p).unwrap_or(1.0))]),
            colour: None,
            warn: false,
        }),
        Some(sum) => {
            let st = sum.stats;
            let what = if p.ip { t("⟨Au, Av⟩ − ⟨u, v⟩") } else { t("R = ‖A(u − v)‖²/‖u − v‖²") };
            out.push(Readout {
                label: what.into(),
                text: tf(
                    "min {} · median {} · max {} · mean {} · sd {}",
                    &[&fmt_sig(st.min, 4), &fmt_sig(st.median, 4), &fmt_sig(st.max, 4), &fmt_sig(st.mean, 4), &fmt_sig(st.sd, 4)],
                ),
                colour: Some(0),
                warn: false,
            });
            if p.matrix == Matrix::Gaussian && !p.ip {
                out.push(Readout {
                    label: t("Theory").into(),
                    text: tf("R ~ χ²ₖ/k: mean 1, sd √(2/k) = {}", &[&fmt_sig((2.0 / k as f64).sqrt(), 4)]),
                    colour: None,
                    warn: false,
                });
            }
            out.push(Readout {
                label: t("Outside 1 ± ε").into(),
                text: tf("{}% of {} (ε = {})", &[&fmt_sig(100.0 * sum.violated, 3), &pairs_text(s), &fmt_sig(p.eps, 3)]),
                colour: None,
                warn: sum.violated > 0.0,
            });
        }
    }
    if s.scan_done {
        out.push(Readout {
            label: t("Empirical k").into(),
            text: match s.k_emp {
                Some(ke) => tf("k = {} already keeps every pair within 1 ± ε on this data (scanned k = 1…{})", &[&ke, &k]),
                None => tf("no k ≤ {} keeps every pair within 1 ± ε: raise k to search further", &[&k]),
            },
            colour: Some(1),
            warn: false,
        });
    }
    let b = bounds(p);
    out.push(Readout {
        label: t("Bounds").into(),
        text: b.iter().map(|(name, _, v)| format!("{}: k ≥ {} ({})", t(name), v.ceil(), fmt_sig(*v, 6))).collect::<Vec<_>>().join(" · "),
        colour: None,
        warn: false,
    });
    out.push(Readout {
        label: t("Memory").into(),
        text: tf("{} MB (data in f32, {} rows of A)", &[&fmt_sig(s.proj.bytes() as f64 / 1e6, 3), &s.proj.rows]),
        colour: None,
        warn: false,
    });
    out
}

fn formula(p: &Params, s: &State) -> String {
    let lnn = "<mi>ln</mi><mo>⁡</mo><mi>N</mi>";
    let de =
        frac("<msup><mi>ε</mi><mn>2</mn></msup>", "<mn>2</mn>") + "<mo>−</mo>" + &frac("<msup><mi>ε</mi><mn>3</mn></msup>", "<mn>3</mn>");
    let b = bounds(p);
    let row = |lhs: String, v: f64| format!("<mrow><mi>k</mi><mo>≥</mo>{lhs}<mo>=</mo>{}<mo>→</mo><mn>{}</mn></mrow>", n(v), v.ceil());
    let mut out = String::new();
    let _ = write!(
        out,
        "<section class=\"rule\"><h4>{}</h4>{}</section>",
        t("Distortion"),
        lines(&[format!(
            "<mrow><mo>(</mo><mn>1</mn><mo>−</mo><mi>ε</mi><mo>)</mo><msup><mrow><mo>‖</mo><mi>u</mi><mo>−</mo><mi>v</mi><mo>‖</mo></mrow><mn>2</mn></msup><mo>≤</mo><msup><mrow><mo>‖</mo><mi>A</mi><mi>u</mi><mo>−</mo><mi>A</mi><mi>v</mi><mo>‖</mo></mrow><mn>2</mn></msup><mo>≤</mo><mo>(</mo><mn>1</mn><mo>+</mo><mi>ε</mi><mo>)</mo><msup><mrow><mo>‖</mo><mi>u</mi><mo>−</mo><mi>v</mi><mo>‖</mo></mrow><mn>2</mn></msup><mo>,</mo><mspace width=\"1em\"/><mi>ε</mi><mo>=</mo>{}</mrow>",
            n(p.eps)
        )])
    );
    let _ = write!(
        out,
        "<section class=\"rule\"><h4>{}</h4>{}</section>",
        t("Bounds (rounded up: a guarantee needs the ceiling)"),
        lines(&[
            row(frac(&format!("<mn>4</mn>{lnn}"), &de), b[0].2),
            row(frac(&format!("<mn>24</mn>{lnn}"), "<msup><mi>ε</mi><mn>2</mn></msup>"), b[1].2),
            row(frac(&format!("<mn>16</mn>{lnn}"), "<msup><mi>ε</mi><mn>2</mn></msup>"), b[2].2),
            row(frac(&format!("<mo>(</mo><mn>4</mn><mo>+</mo><mn>2</mn><mi>β</mi><mo>)</mo>{lnn}"), &de), b[3].2),
            format!("<mrow><mi>N</mi><mo>=</mo>{}<mo>,</mo><mspace width=\"1em\"/><mi>β</mi><mo>=</mo>{}</mrow>", n(p.n), n(p.beta)),
        ])
    );
    let _ = write!(
        out,
        "<p class=\"formula-note\">{}</p>",
        tf(
            "scikit-learn's johnson_lindenstrauss_min_dim and linfa truncate the Dasgupta–Gupta bound to an integer ({} here), one below the guarantee. The bounds do not depend on d. Statistics use {}.",
            &[&b[0].2.floor(), &pairs_text(s)]
        )
    );
    out
}

fn data(p: &Params, s: &State) -> Table {
    let mut t = Table { columns: vec!["i", "j", "orig_sq", "proj_sq", "ratio"], ..Default::default() };
    let k = p.k_used().min(s.proj.rows).max(1);
    let c = s.proj.matrix.scale(s.proj.d) / k as f64;
    for (pi, (&(sq, _), &(osq, _))) in s.sums.iter().zip(&s.proj.orig).enumerate() {
        let (i, j) = s.proj.pairs[pi];
        let ratio = if osq > 0.0 { fmt_num(c * sq / osq) } else { String::new() };
        t.rows.push(vec![i.to_string(), j.to_string(), fmt_num(osq), fmt_num(c * sq), ratio]);
    }
    for (_, key, v) in bounds(p) {
        t.summary.push((key, fmt_num(v)));
    }
    for (_, key, v) in bounds(p) {
        t.summary.push((CEIL_KEYS.iter().find(|(k, _)| *k == key).map(|x| x.1).unwrap_or(key), fmt_num(v.ceil())));
    }
    // Ratio statistics (of the squared distances, whatever the view shows), once computed.
    if s.summary.is_some() {
        let mut r: Vec<f64> = s.sums.iter().zip(&s.proj.orig).filter(|(_, o)| o.0 > 0.0).map(|(v, o)| c * v.0 / o.0).collect();
        let viol = r.iter().filter(|x| (*x - 1.0).abs() > p.eps).count() as f64 / r.len().max(1) as f64;
        let st = jl::stats(&mut r);
        for (key, v) in
            [("min", st.min), ("median", st.median), ("max", st.max), ("mean", st.mean), ("sd", st.sd), ("violated_fraction", viol)]
        {
            t.summary.push((key, fmt_num(v)));
        }
    }
    t.summary.push(("pairs", s.proj.pairs.len().to_string()));
    t.summary.push(("k", k.to_string()));
    t.summary.push(("k_empirical", s.k_emp.map(|k| k.to_string()).unwrap_or_else(|| "null".into())));
    t
}

const CEIL_KEYS: [(&str, &str); 4] = [
    ("bound_dg", "bound_dg_ceil"),
    ("bound_su24", "bound_su24_ceil"),
    ("bound_su16", "bound_su16_ceil"),
    ("bound_achlioptas", "bound_achlioptas_ceil"),
];
