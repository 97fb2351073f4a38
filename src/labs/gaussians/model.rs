//! The Gaussians lab's state: what each mode computes from the tested math in
//! `math::gaussian` and `math::simplex_opt`, the flow's particles (one step per animation frame),
//! and the classifiers' learning curve, computed in small chunks in the background and kept
//! across changes that do not affect it (n, the shown methods).

use super::{Mode, Params, DELTA_MAX, MU_MAX, SD_RANGE, X_MAX};
use crate::math::gaussian::{
    self as g, curve_repeat, divergences, fit_classifiers, population_metrics, sample_classes, shift_sweep, ClassSpec, Classifiers,
    Divergences, Flow, FlowMethod, FlowMoments, GaussError, Gaussian, Labelled, Mat2, ParticleFlow, SweepPoint, Vec2,
};
use crate::math::simplex_opt::{self as so, Method, Objective, SimplexError};

/// Shifts of the sweep chart, s ∈ [−4, 4].
pub const SWEEP: (f64, f64, usize) = (-4.0, 4.0, 161);
/// Training-set sizes of the learning curve.
pub const CURVE_NS: [usize; 9] = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000];
/// Training sets per size (seeded).
pub const REPEATS: usize = 20;
/// Training points fitted per chunk of background work (a few milliseconds in the browser).
const CHUNK_POINTS: usize = 6000;
/// Time samples of the closed-form KL curve.
const KL_SAMPLES: usize = 241;
/// At most this many fitted-KL dots per run.
const MAX_DOTS: usize = 120;
/// The transport arrows start from a k × k grid of p-quantiles.
pub const GRID: usize = 7;

/// What the `divergence` mode shows.
pub struct DivState {
    /// p.
    pub p: Gaussian,
    /// q.
    pub q: Gaussian,
    /// All divergences and the OT map.
    pub d: Divergences,
    /// KL, BD and W₂² as q slides along the centre line.
    pub sweep: Vec<SweepPoint>,
    /// Offset of q from p along that line (where the current pair sits on the sweep).
    pub s_now: f64,
    /// Transport arrows (p-quantile point, its image T(x)).
    pub arrows: Vec<(Vec2, Vec2)>,
}

/// What the `flow` mode shows.
pub struct FlowState {
    /// The closed-form flow.
    pub flow: Flow,
    /// Moments and KL at the time `t` (closed form).
    pub at_t: Result<FlowMoments, GaussError>,
    /// The particles (refused, e.g. an unstable Langevin step).
    pub particles: Result<ParticleFlow, GaussError>,
    /// A step that failed during the run.
    pub failed: Option<GaussError>,
    /// KL(q_t‖p) in closed form on [0, t_max].
    pub curve: Vec<(f64, f64)>,
    /// Langevin: KL of Euler–Maruyama's exact law after each step (its O(dt) bias).
    pub em_curve: Vec<(f64, f64)>,
    /// (time, KL of the particles' fitted Gaussian), recorded as the run goes.
    pub dots: Vec<(f64, f64)>,
    /// Right end of the KL chart.
    pub t_max: f64,
    /// Each particle's band (0 … BANDS − 1) by the rank of its start along q₀'s major axis: the
    /// colours show whether the particles keep their order (ODE) or mix (Langevin).
    pub band: Vec<u8>,
}

/// Colour bands of the particles.
pub const BANDS: usize = 6;

/// The learning curve's running sums: per size, accuracy and NLL sums (post, script, MLE).
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    /// What it was computed for: the model and the seed (not n).
    pub spec: ClassSpec,
    /// Seed.
    pub seed: u64,
    /// Sums of accuracy per size and method.
    pub acc: Vec<[f64; 3]>,
    /// Sums of NLL per size and method.
    pub nll: Vec<[f64; 3]>,
    /// Repeats used per size.
    pub used: Vec<usize>,
    /// Separable training sets per size.
    pub separable: Vec<usize>,
    /// Next job: size index × REPEATS + repeat.
    pub job: usize,
}

impl Curve {
    fn new(spec: ClassSpec, seed: u64) -> Self {
        let k = CURVE_NS.len();
        Curve { spec, seed, acc: vec![[0.0; 3]; k], nll: vec![[0.0; 3]; k], used: vec![0; k], separable: vec![0; k], job: 0 }
    }
    /// Whether every repeat is in.
    pub fn done(&self) -> bool {
        self.job >= CURVE_NS.len() * REPEATS
    }
    /// Mean (accuracy, NLL) per method at every size whose repeats are all in (and usable).
    pub fn points(&self) -> Vec<(usize, [f64; 3], [f64; 3])> {
        let complete = self.job / REPEATS;
        (0..complete.min(CURVE_NS.len()))
            .filter(|&i| self.used[i] > 0)
            .map(|i| {
                let u = self.used[i] as f64;
                (CURVE_NS[i], self.acc[i].map(|v| v / u), self.nll[i].map(|v| v / u))
            })
            .collect()
    }
    /// One chunk: whole repeats until about [`CHUNK_POINTS`] training points were fitted.
    fn work(&mut self) {
        let mut spent = 0;
        while !self.done() && spent < CHUNK_POINTS {
            let (i, r) = (self.job / REPEATS, self.job % REPEATS);
            let n = CURVE_NS[i];
            if let Ok(Some(rep)) = curve_repeat(&self.spec, n, r, self.seed) {
                for k in 0..3 {
                    self.acc[i][k] += rep.acc[k];
                    self.nll[i][k] += rep.nll[k];
                }
                self.used[i] += 1;
                self.separable[i] += usize::from(rep.separable);
            }
            spent += n;
            self.job += 1;
        }
    }
}

/// What the `classify` mode shows.
pub struct ClassState {
    /// The model.
    pub spec: ClassSpec,
    /// The training set.
    pub train: Labelled,
    /// The three fits.
    pub fits: Result<Classifiers, GaussError>,
    /// Population (accuracy, NLL) of each fit (post, script, MLE) — a fresh sample's limit.
    pub population: Option<[(f64, f64); 3]>,
}

/// One method's run on the simplex.
pub struct SimplexRun {
    /// The method.
    pub method: Method,
    /// Iterates p₀ … p_steps.
    pub traj: Vec<Vec<f64>>,
    /// F(p_t) − F*.
    pub gap: Vec<f64>,
}

/// What the `simplex` mode shows.
pub struct SimplexState {
    /// The objective.
    pub obj: Objective,
    /// The minimiser and F*.
    pub opt: (Vec<f64>, f64),
    /// Every method's run (the selected one first).
    pub runs: Vec<SimplexRun>,
}

/// Everything the lab computes.
pub struct State {
    /// Divergence mode.
    pub div: Option<Result<DivState, GaussError>>,
    /// Flow mode.
    pub flow: Option<Result<FlowState, GaussError>>,
    /// Classify mode.
    pub class: Option<Result<ClassState, GaussError>>,
    /// Simplex mode.
    pub simplex: Option<Result<SimplexState, SimplexError>>,
    /// The learning curve (classify), kept while the model and seed are unchanged.
    pub curve: Option<Curve>,
    /// The flow's standard draws and colour bands, kept while n, the seed and the dimension are:
    /// dragging p or q₀ maps the same draws again (20,000 normals and a sort were ~1.5 ms of every
    /// drag at n = 20,000).
    pub draws: Option<Draws>,
}

/// A flow cloud's standard draws z (a start point is μ₀ + R·diag(sd)·z) and each one's colour band.
pub struct Draws {
    key: (usize, u64, usize),
    z: Vec<Vec2>,
    band: Vec<u8>,
}

impl Draws {
    fn new(n: usize, seed: u64, dim: usize) -> Self {
        let z = g::draws(dim, n, &mut crate::math::rng::Rng::stream(seed, 0));
        let band = bands(&z);
        Draws { key: (n, seed, dim), z, band }
    }
}

/// The classifier model of the parameters.
pub fn class_spec(p: &Params) -> ClassSpec {
    ClassSpec { delta: p.delta, sd: p.sd, ang_deg: p.ang, unequal: p.unequal, p1: p.p1 }
}

/// Animation steps of a flow run: t/dt (the run ends at the time `t`).
pub fn frames(p: &Params) -> usize {
    if p.mode == Mode::Flow {
        (p.t / p.dt).round().clamp(0.0, 1e6) as usize
    } else {
        0
    }
}

/// The objective of the simplex mode.
pub fn objective(p: &Params) -> Result<Objective, SimplexError> {
    match p.objective {
        "entropy" => Objective::entropy(&p.x, p.tau),
        "kl" => Objective::kl_softmax(&p.x),
        _ => Objective::sq(&p.x),
    }
}

fn div_state(p: &Params) -> Result<DivState, GaussError> {
    let (gp, gq) = (p.p()?, p.q()?);
    let d = divergences(&gp, &gq)?;
    let s: Vec<f64> = (0..SWEEP.2).map(|i| SWEEP.0 + (SWEEP.1 - SWEEP.0) * i as f64 / (SWEEP.2 - 1) as f64).collect();
    let sweep = shift_sweep(&gp, &gq, &s)?;
    let (a, b) = (gp.mean(), gq.mean());
    let s_now = (b[0] - a[0]).hypot(b[1] - a[1]);
    let arrows = gp.quantile_grid(GRID).into_iter().map(|x| (x, d.ot.apply(x))).collect();
    Ok(DivState { p: gp, q: gq, d, sweep, s_now, arrows })
}

fn flow_state(p: &Params, draws: &mut Option<Draws>) -> Result<FlowState, GaussError> {
    let flow = Flow::new(p.p()?, p.q()?)?;
    let t_max = if p.t > 0.0 { p.t } else { 1.0 };
    let curve = (0..KL_SAMPLES)
        .filter_map(|i| {
            let t = t_max * i as f64 / (KL_SAMPLES - 1) as f64;
            flow.moments(t).ok().map(|m| (t, m.kl))
        })
        .collect();
    let em_curve = if p.flow_method == FlowMethod::Langevin {
        let steps = frames(p).max(1);
        let every = steps.div_ceil(KL_SAMPLES).max(1);
        (0..=steps).step_by(every).filter_map(|k| flow.em_moments(p.dt, k as u64).ok().map(|m| (k as f64 * p.dt, m.kl))).collect()
    } else {
        Vec::new()
    };
    let (n, seed) = (p.n as usize, p.seed as u64);
    let particles = if n == 0 || n > g::MAX_POINTS {
        Err(GaussError::Count)
    } else {
        let key = (n, seed, flow.init().dim());
        let d = match draws.take() {
            Some(d) if d.key == key => d,
            _ => Draws::new(n, seed, key.2),
        };
        let pf = ParticleFlow::from_draws(flow, p.flow_method, &d.z, p.dt, seed);
        *draws = Some(d);
        pf
    };
    let band = match (&particles, draws.as_ref()) {
        (Ok(_), Some(d)) => d.band.clone(),
        _ => Vec::new(),
    };
    let mut st = FlowState { flow, at_t: flow.moments(p.t), particles, failed: None, curve, em_curve, dots: Vec::new(), t_max, band };
    st.record();
    Ok(st)
}

/// The band of each start point: its rank along q₀'s first axis, in [`BANDS`] equal groups. A
/// start point is μ₀ + R·diag(sd)·z, so its position along that axis is μ₀'s plus sd₁·z₁: the rank
/// of z₁, whatever q₀ is (which is why the bands can be kept while q₀ is dragged).
fn bands(z: &[Vec2]) -> Vec<u8> {
    let mut idx: Vec<usize> = (0..z.len()).collect();
    idx.sort_by(|&i, &j| z[i][0].total_cmp(&z[j][0]));
    let mut band = vec![0u8; z.len()];
    for (rank, &i) in idx.iter().enumerate() {
        band[i] = (rank * BANDS / z.len().max(1)) as u8;
    }
    band
}

impl FlowState {
    /// Records the fitted-KL dot of the current particles.
    fn record(&mut self) {
        if let Ok(pf) = &self.particles {
            if let Ok(k) = pf.fitted_kl() {
                if k.is_finite() {
                    self.dots.push((pf.time(), k));
                }
            }
        }
    }
}

fn class_state(p: &Params) -> Result<ClassState, GaussError> {
    let spec = class_spec(p);
    let train = sample_classes(&spec, p.n as usize, p.seed as u64)?;
    let fits = fit_classifiers(&train);
    let population = fits.as_ref().ok().and_then(|c| {
        let m = |f: &g::Linear| population_metrics(&spec, f).ok();
        Some([m(&c.post)?, m(&c.script)?, m(&c.mle.fit)?])
    });
    Ok(ClassState { spec, train, fits, population })
}

fn simplex_state(p: &Params) -> Result<SimplexState, SimplexError> {
    let obj = objective(p)?;
    let opt = obj.optimum();
    let steps = p.steps as usize;
    let mut methods = vec![p.simplex_method];
    methods.extend([Method::Fw, Method::Fw2t, Method::Pgd, Method::Eg].into_iter().filter(|m| *m != p.simplex_method));
    let runs = methods
        .into_iter()
        .filter_map(|m| {
            // Fixed-step Frank–Wolfe needs η ≤ 1 (the control allows no more); others any η > 0.
            let traj = so::trajectory(&obj, m, p.eta, steps).ok()?;
            let gap = traj.iter().map(|q| obj.value(q) - opt.1).collect();
            Some(SimplexRun { method: m, traj, gap })
        })
        .collect();
    Ok(SimplexState { obj, opt, runs })
}

impl State {
    /// Fresh state for these parameters (only the current mode is computed).
    pub fn new(p: &Params) -> Self {
        let mut s = State { div: None, flow: None, class: None, simplex: None, curve: None, draws: None };
        s.reinit(p);
        s
    }

    /// Recomputes the current mode; the learning curve is kept when the model and seed are the same.
    pub fn reinit(&mut self, p: &Params) {
        self.div = None;
        self.flow = None;
        self.class = None;
        self.simplex = None;
        match p.mode {
            Mode::Divergence => self.div = Some(div_state(p)),
            Mode::Flow => self.flow = Some(flow_state(p, &mut self.draws)),
            Mode::Classify => {
                self.class = Some(class_state(p));
                let (spec, seed) = (class_spec(p), p.seed as u64);
                if !self.curve.as_ref().is_some_and(|c| c.spec == spec && c.seed == seed) {
                    self.curve = Some(Curve::new(spec, seed));
                }
            }
            Mode::Simplex => self.simplex = Some(simplex_state(p)),
        }
    }

    /// One animation step (flow): the particles move by dt.
    pub fn step(&mut self, p: &Params) {
        let Some(Ok(f)) = &mut self.flow else { return };
        if f.failed.is_some() {
            return;
        }
        let Ok(pf) = &mut f.particles else { return };
        if let Err(e) = pf.step() {
            f.failed = Some(e);
            return;
        }
        let every = frames(p).div_ceil(MAX_DOTS).max(1) as u64;
        if pf.steps() % every == 0 || pf.steps() as usize == frames(p) {
            f.record();
        }
    }

    /// `n` animation steps at once (a replay after a drag, the end of the run): the particles'
    /// maps composed, the KL dots at the same steps as one step at a time would record them.
    pub fn steps(&mut self, p: &Params, n: usize) {
        if n <= 1 {
            return (0..n).for_each(|_| self.step(p));
        }
        let Some(Ok(f)) = &mut self.flow else { return };
        if f.failed.is_some() {
            return;
        }
        let Ok(pf) = &mut f.particles else { return };
        let (total, every) = (frames(p) as u64, frames(p).div_ceil(MAX_DOTS).max(1) as u64);
        let (dots, res) = pf.jump(n as u64, |k| k % every == 0 || k == total);
        f.dots.extend(dots);
        if let Err(e) = res {
            f.failed = Some(e);
        }
    }

    /// Background work left (the learning curve), as the fraction done.
    pub fn pending(&self, p: &Params) -> Option<f64> {
        if p.mode != Mode::Classify {
            return None;
        }
        let c = self.curve.as_ref()?;
        (!c.done()).then(|| (c.job as f64 / (CURVE_NS.len() * REPEATS) as f64).clamp(0.0, 0.999))
    }

    /// One chunk of the learning curve.
    pub fn work(&mut self, p: &Params) {
        if p.mode == Mode::Classify {
            if let Some(c) = &mut self.curve {
                c.work();
            }
        }
    }
}

/// Reach of a drag handle, in data units.
const REACH: f64 = 0.9;

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// Where a drag lands: divergence and flow move the nearest handle (a centre, or an axis end,
/// which sets that axis's length and the angle); classify moves the class means (+δ/2 is the
/// class-1 mean); simplex moves x in the triangle's plane, keeping Σx.
pub fn pointer(p: &mut Params, x: f64, y: f64) -> bool {
    match p.mode {
        Mode::Divergence | Mode::Flow => drag_gaussian(p, x, y),
        Mode::Classify => {
            let d = [round3((2.0 * x).clamp(-DELTA_MAX, DELTA_MAX)), round3((2.0 * y).clamp(-DELTA_MAX, DELTA_MAX))];
            if d == p.delta {
                return false;
            }
            p.delta = d;
            true
        }
        Mode::Simplex => {
            let sum: f64 = p.x.iter().sum();
            let v = VERTS;
            let nx = [0, 1, 2].map(|i| round3(((2.0 / 3.0) * (x * v[i][0] + y * v[i][1]) + sum / 3.0).clamp(-X_MAX, X_MAX)));
            if nx == p.x {
                return false;
            }
            p.x = nx;
            true
        }
    }
}

/// Triangle vertices (class 1 at the top, then counter-clockwise), as in the softmax lab.
pub const VERTS: [[f64; 2]; 3] = [[0.0, 1.0], [-0.866_025_403_784_438_6, -0.5], [0.866_025_403_784_438_6, -0.5]];

/// A point of the simplex (or of its plane) in the triangle's coordinates.
pub fn bary(p: &[f64]) -> (f64, f64) {
    let mut w = (0.0, 0.0);
    for (pi, v) in p.iter().zip(VERTS) {
        w.0 += pi * v[0];
        w.1 += pi * v[1];
    }
    w
}

/// The drag handles of p and q: (is q, 0 centre / 1, 2 axis ends, position).
pub fn handles(p: &Params) -> Vec<(bool, usize, Vec2)> {
    let mut out = Vec::new();
    for (is_q, gs) in [(false, p.p()), (true, p.q())] {
        let Ok(gs) = gs else { continue };
        out.push((is_q, 0, gs.mean()));
        let h = gs.axis_handles();
        out.push((is_q, 1, h[0]));
        if p.dim_used() == 2 {
            out.push((is_q, 2, h[1]));
        }
    }
    out
}

fn drag_gaussian(p: &mut Params, x: f64, y: f64) -> bool {
    let one_d = p.dim_used() == 1;
    let dist = |h: Vec2| if one_d { (h[0] - x).abs() } else { (h[0] - x).hypot(h[1] - y) };
    let Some(&(is_q, which, _)) = handles(p).iter().filter(|h| dist(h.2) <= REACH).min_by(|a, b| dist(a.2).total_cmp(&dist(b.2))) else {
        return false;
    };
    let before = p.clone();
    let (mu, sd, ang) = if is_q { (&mut p.mu_q, &mut p.sd_q, &mut p.ang_q) } else { (&mut p.mu_p, &mut p.sd_p, &mut p.ang_p) };
    match which {
        0 => {
            mu[0] = round3(x.clamp(-MU_MAX, MU_MAX));
            if !one_d {
                mu[1] = round3(y.clamp(-MU_MAX, MU_MAX));
            }
        }
        axis => {
            let (dx, dy) = (x - mu[0], if one_d { 0.0 } else { y - mu[1] });
            let r = round3(dx.hypot(dy).clamp(SD_RANGE.0, SD_RANGE.1));
            sd[axis - 1] = r;
            if !one_d && dx.hypot(dy) > 1e-9 {
                let a = dy.atan2(dx).to_degrees() - if axis == 2 { 90.0 } else { 0.0 };
                *ang = round3(a.rem_euclid(180.0)).min(180.0);
            }
        }
    }
    *p != before
}

/// The covariance as rows of `dim` numbers.
pub fn rows(c: Mat2, dim: usize) -> Vec<Vec<f64>> {
    (0..dim).map(|i| c[i][..dim].to_vec()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dragging p or q₀ in the flow keeps the cloud's standard draws: the particles are those a
    /// fresh sample gives, bit for bit, and the colour bands are the ranks along q₀'s first axis.
    #[test]
    fn a_dragged_flow_maps_the_same_draws_again() {
        let mut p = Params::default();
        p.set_mode(Mode::Flow);
        p.n = 3000.0;
        let mut s = State::new(&p);
        let z0 = s.draws.as_ref().unwrap().z.clone();
        for (mu_p, mu_q, ang_q) in [([1.5, -0.5], p.mu_q, p.ang_q), ([1.5, -0.5], [-1.0, 2.5], 70.0)] {
            let q = Params { mu_p, mu_q, ang_q, ..p.clone() };
            s.reinit(&q);
            assert_eq!(s.draws.as_ref().unwrap().z, z0, "the draws are kept");
            let f = s.flow.as_ref().unwrap().as_ref().unwrap();
            let fresh = ParticleFlow::new(f.flow, q.flow_method, 3000, q.dt, q.seed as u64).unwrap();
            assert_eq!(f.particles.as_ref().unwrap().particles(), fresh.particles(), "the same particles as a fresh sample");
            // The bands rank the start points along q₀'s first axis.
            let a = f.flow.init().angle_deg().to_radians();
            let key: Vec<f64> = fresh.particles().iter().map(|x| a.cos() * x[0] + a.sin() * x[1]).collect();
            let mut idx: Vec<usize> = (0..key.len()).collect();
            idx.sort_by(|&i, &j| key[i].total_cmp(&key[j]));
            let want: Vec<u8> = {
                let mut b = vec![0u8; key.len()];
                for (rank, &i) in idx.iter().enumerate() {
                    b[i] = (rank * BANDS / key.len()) as u8;
                }
                b
            };
            assert_eq!(f.band, want);
        }
        // Another seed or count draws afresh.
        let r = Params { seed: p.seed + 1.0, ..p.clone() };
        s.reinit(&r);
        assert_ne!(s.draws.as_ref().unwrap().z, z0);
    }
}
