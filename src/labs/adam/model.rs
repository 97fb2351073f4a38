//! The Adam lab's model: what each mode shows, computed from the tested numerics in
//! `crate::math::adam`, with the two costly parts cached across the sliders that do not change
//! them (the simulated run of v̂ depends only on seed, steps and β₂; the η*(B) curves not on the
//! marked b).

use super::{Mode, Opt, Params, Problem};
use crate::math::adam::batch::{self, BatchSummary, Model, Point, Update};
use crate::math::adam::hessian::{self, AdamRun, CloudPoint, CondPoint, Ellipse, HessianSummary, Noise, Regime};
use crate::math::adam::moments::{self, SCurvePoint};
use nalgebra::Matrix2;

/// Jitter-cloud points drawn (the issue allows up to 2 000; 500 read as a cloud on a phone and
/// keep a slider event cheap: every point is a drawing operation).
pub const CLOUD: usize = 500;
/// Of those, how many carry a gradient arrow.
pub const ARROWS: usize = 60;
/// Angles of the cond(M)-against-φ curves (every 2°).
pub const ANGLES: usize = 46;
/// Recorded steps of the simulated v̂_t.
pub const TRACE: usize = 120;
/// Batch sizes per η*(B) curve.
pub const GRID: usize = 101;
/// Batch sizes of the trade-off curves.
pub const TRADE: usize = 41;
/// Points of the S-curves and bells.
pub const S_POINTS: usize = 97;
/// The S-curves' range of a = g√B/σ.
pub const A_MAX: f64 = 6.0;

/// Level of the drawn ellipses: ½θᵀMθ = ½, so H's long semi-axis is 1 (λ_min = 1).
pub const LEVEL: f64 = 0.5;

/// What the `hessian` mode shows.
pub struct HessianView {
    /// H = R(φ)diag(1, κ)R(φ)ᵀ.
    pub h: Matrix2<f64>,
    /// The noise model.
    pub noise: Noise,
    /// Closed forms (√E[g²], Var g, conditions).
    pub summary: Option<HessianSummary>,
    /// The jitter regime's closed form σ_θ√diag(H²) (at the minimum).
    pub sqrt_jitter: Option<[f64; 2]>,
    /// The per-sample regime's closed form σ_r√(diag H/B).
    pub sqrt_per_sample: Option<[f64; 2]>,
    /// √v̂ after the simulated run (`None` for 0 steps).
    pub sim: Option<[f64; 2]>,
    /// cond(P^½HP^½) with the simulated √v̂.
    pub cond_sim: Option<f64>,
    /// (t, v̂_t).
    pub trace: Vec<(usize, [f64; 2])>,
    /// cond(M) against φ.
    pub cond_curve: Vec<CondPoint>,
    /// The jitter cloud with gradients.
    pub cloud: Vec<CloudPoint>,
    /// The ellipse of H.
    pub ell_h: Option<Ellipse>,
    /// The ellipse of Adam's diag(√v̂), scaled to H's area.
    pub ell_adam: Option<Ellipse>,
    /// The ellipse of |H| = (H²)^½.
    pub ell_abs: Option<Ellipse>,
    /// Half-width of the θ-plane view.
    pub radius: f64,
}

/// The η*(B) and ΔL(B) curves of one update rule (independent of the marked b).
pub struct Curves {
    /// Batch sizes.
    pub bs: Vec<f64>,
    /// Exact moments.
    pub exact: Vec<Option<Point>>,
    /// The post's mean field.
    pub post: Vec<Option<Point>>,
    /// SGD for reference.
    pub sgd: Vec<Option<Point>>,
    /// (B, S/S_min, E/E_min) of the exact model.
    pub trade_exact: Vec<(f64, f64, f64)>,
    /// The same for the mean field.
    pub trade_post: Vec<(f64, f64, f64)>,
    /// Peaks, limits and readouts (the peaks do not depend on b either; η* at b is filled per b).
    pub summary: BatchSummary,
}

/// What the `batch` mode shows.
pub struct BatchView {
    /// The problem.
    pub problem: batch::Problem,
    /// The update rule.
    pub update: Update,
    /// The marked batch size.
    pub b: f64,
    /// Curves, summary at b.
    pub curves: Curves,
    /// (S/S_min, E/E_min) of the exact and mean-field models at b.
    pub trade_at_b: [Option<(f64, f64)>; 2],
    /// Kink width b_k = ε√b/σ of the first coordinate at the marked b (0 for sign).
    pub kink: f64,
    /// a = g√b/σ of the first coordinate at the marked b.
    pub a_at_b: Option<f64>,
    /// The S-curves and bells at that kink width.
    pub s_curves: Vec<SCurvePoint>,
}

/// Everything the lab computed, and the caches.
#[derive(Default)]
pub struct State {
    /// The `hessian` mode (when shown).
    pub hess: Option<HessianView>,
    /// The `batch` mode (when shown).
    pub batch: Option<BatchView>,
    run: Option<(RunKey, AdamRun)>,
    curves_key: Option<CurveKey>,
}

#[derive(Clone, Copy, PartialEq)]
struct RunKey {
    seed: u64,
    steps: usize,
    beta2: f64,
}

#[derive(Clone, Copy, PartialEq)]
struct CurveKey {
    opt: Opt,
    model: Problem,
    toy: ([f64; 2], [f64; 3], [f64; 2]),
    d: f64,
    rho: f64,
    noise: f64,
    eps: f64,
}

impl State {
    /// The state for `p`.
    pub fn new(p: &Params) -> State {
        let mut s = State::default();
        s.update(p);
        s
    }

    /// Recomputes what `p` changed, reusing the simulated run and the curves where they still hold.
    pub fn update(&mut self, p: &Params) {
        match p.mode {
            Mode::Hessian => {
                self.hess = Some(self.hessian_view(p));
                self.batch = None;
                self.curves_key = None;
            }
            Mode::Batch => {
                self.batch = batch_view(p, self.batch.take(), &mut self.curves_key);
                self.hess = None;
            }
        }
    }

    fn hessian_view(&mut self, p: &Params) -> HessianView {
        let key = RunKey { seed: p.seed.max(0.0) as u64, steps: p.steps.max(0.0) as usize, beta2: p.beta2 };
        if self.run.as_ref().is_none_or(|(k, _)| *k != key) {
            self.run = AdamRun::new(key.seed, key.steps, key.beta2, TRACE).map(|r| (key, r));
        }
        hessian_view(p, self.run.as_ref().map(|(_, r)| r))
    }
}

/// The noise model of `p` (the offset moves the sampling centre along e₁).
pub fn noise(p: &Params) -> Noise {
    Noise { regime: p.regime, sig_theta: p.sig_theta, sig_r: p.sig_r, batch: p.batch, offset: [p.offset, 0.0] }
}

/// κ and φ as computed: the controls clamp them, this only guards direct callers.
fn kappa_phi(p: &Params) -> (f64, f64) {
    let kappa = if p.kappa.is_finite() && p.kappa >= 1.0 { p.kappa } else { 1.0 };
    let phi = if p.phi.is_finite() { p.phi } else { 0.0 };
    (kappa, phi)
}

fn hessian_view(p: &Params, run: Option<&AdamRun>) -> HessianView {
    let (kappa, phi) = kappa_phi(p);
    let h = hessian::hessian(kappa, phi).unwrap_or_else(Matrix2::identity);
    let nz = noise(p);
    let summary = hessian::hessian_summary(kappa, phi, &nz);
    let at_min = |regime| Noise { regime, offset: [0.0, 0.0], ..nz };
    let sqrt_jitter = hessian::sqrt_v(&h, &at_min(Regime::Jitter));
    let sqrt_per_sample = hessian::sqrt_v(&h, &at_min(Regime::PerSample));
    let sim = run.and_then(|r| r.sqrt_v_hat(&h, &nz));
    let trace = run.map(|r| r.trace(&h, &nz)).unwrap_or_default();
    let cond_sim = sim.and_then(|d| hessian::cond_preconditioned(&h, d));
    let cond_curve = hessian::cond_curve(kappa, &nz, ANGLES);
    let cloud = hessian::cloud(&h, &nz, CLOUD, p.seed.max(0.0) as u64);
    let ell_h = Ellipse::of(&h, LEVEL);
    // Adam's model of the curvature: diag(√v̂) (the simulated one; the closed form before any step).
    let d = sim.or(summary.map(|s| s.sqrt_v));
    let ell_adam =
        d.and_then(|d| hessian::equal_area(&Matrix2::new(d[0], 0.0, 0.0, d[1]), &h)).and_then(|m| Ellipse::of(&m, LEVEL));
    let ell_abs = Ellipse::of(&hessian::abs_matrix(&h), LEVEL);
    let reach = p.offset.abs() + 3.0 * if p.regime == Regime::PerSample { 0.0 } else { p.sig_theta };
    let radius = (1.2f64).max(reach * 1.1).min(5.0);
    HessianView {
        h,
        noise: nz,
        summary,
        sqrt_jitter,
        sqrt_per_sample,
        sim,
        cond_sim,
        trace,
        cond_curve,
        cloud,
        ell_h,
        ell_adam,
        ell_abs,
        radius,
    }
}

/// The update rule of `p` (ε absolute: g = 1 in the first coordinate of both problems, so ε/|g| = ε).
pub fn update_rule(p: &Params) -> Update {
    match p.opt {
        Opt::Sgd => Update::Sgd,
        Opt::Sign => Update::Sign,
        Opt::SoftSign => Update::SoftSign(p.eps),
    }
}

/// The problem of `p`; `None` only for values the controls never produce.
pub fn problem(p: &Params) -> Option<batch::Problem> {
    match p.model {
        Problem::Uniform => batch::Problem::uniform((p.d.max(1.0) as usize).min(batch::MAX_DIM), p.rho, p.noise),
        Problem::Toy2d => {
            let [h11, h12, h22] = p.toy_h;
            batch::Problem::toy2d(p.toy_g, [[h11, h12], [h12, h22]], p.toy_var)
        }
    }
}

/// (g, σ) of the coordinate the S-curves are drawn for: the first.
fn first_coordinate(p: &Params) -> (f64, f64) {
    match p.model {
        Problem::Uniform => (1.0, p.noise),
        Problem::Toy2d => (p.toy_g[0], p.toy_var[0].max(0.0).sqrt()),
    }
}

fn batch_view(p: &Params, old: Option<BatchView>, key: &mut Option<CurveKey>) -> Option<BatchView> {
    let problem = problem(p)?;
    let update = update_rule(p);
    let b = p.b;
    let k = CurveKey { opt: p.opt, model: p.model, toy: (p.toy_g, p.toy_h, p.toy_var), d: p.d, rho: p.rho, noise: p.noise, eps: p.eps };
    let curves = match old {
        Some(v) if *key == Some(k) => v.curves,
        _ => curves(&problem, update),
    };
    *key = Some(k);
    let mut curves = curves;
    // The peaks, limits and closed forms do not depend on b: only the three η* at b are new
    // (the same calls `batch_summary` makes; a test checks the two agree).
    curves.summary.eta_star_exact = batch::eta_star(&problem, update, Model::Exact, b);
    curves.summary.eta_star_post = batch::eta_star(&problem, update, Model::MeanField, b);
    curves.summary.eta_star_sgd = batch::eta_star(&problem, Update::Sgd, Model::Exact, b);
    let trade_at_b = [batch::tradeoff(&problem, update, Model::Exact, b), batch::tradeoff(&problem, update, Model::MeanField, b)];
    let (g, sigma) = first_coordinate(p);
    let eps = match update {
        Update::SoftSign(e) => e,
        _ => 0.0,
    };
    let kink = batch::standardised(g, sigma, eps, b).map_or(0.0, |(_, k)| k);
    let a_at_b = batch::standardised(g, sigma, eps, b).map(|(a, _)| a);
    let a: Vec<f64> = (0..S_POINTS).map(|i| -A_MAX + 2.0 * A_MAX * i as f64 / (S_POINTS - 1) as f64).collect();
    let s_curves = moments::s_curves(kink, &a);
    Some(BatchView { problem, update, b, curves, trade_at_b, kink, a_at_b, s_curves })
}

/// The batch-size range drawn.
pub const B_RANGE: (f64, f64) = (1.0, 1e6);

fn curves(problem: &batch::Problem, update: Update) -> Curves {
    let bs = batch::log_grid(B_RANGE.0, B_RANGE.1, GRID);
    let exact = batch::curve(problem, update, Model::Exact, &bs);
    let post = batch::curve(problem, update, Model::MeanField, &bs);
    let sgd = batch::curve(problem, Update::Sgd, Model::Exact, &bs);
    let tb = batch::log_grid(B_RANGE.0, B_RANGE.1, TRADE);
    let trade = |m| tb.iter().filter_map(|&b| batch::tradeoff(problem, update, m, b).map(|(s, e)| (b, s, e))).collect();
    let trade_exact = trade(Model::Exact);
    let trade_post = trade(Model::MeanField);
    let summary = batch::batch_summary(problem, update, B_RANGE.0);
    Curves { bs, exact, post, sgd, trade_exact, trade_post, summary }
}
