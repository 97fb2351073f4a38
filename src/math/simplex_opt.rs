//! Minimising F over the probability simplex Δ^{n−1} (wave-2 spec §W3 `simplex`, post 10289), from
//! the uniform point, by four methods: Frank–Wolfe with the post's fixed step η (the post's
//! p ← (1−η)p + η·onehot(argmin ∇F)), Frank–Wolfe with the textbook step 2/(t+2), projected gradient
//! (sparsemax of p − η∇F) and exponentiated gradient (p ← p⊙e^{−η∇F}/Σ); objectives ‖p − x‖²,
//! −⟨x, p⟩ + τ·Σp ln p and KL(p‖q). Every iterate lies on the simplex; nothing panics or returns NaN.

use crate::math::softmax::{softmax, sparsemax};

/// Largest accepted |x_i| (iterates and gradients then stay far from overflow).
pub const X_MAX: f64 = 1e100;
/// Most steps one run may take (the trajectory is kept for drawing).
pub const MAX_STEPS: usize = 100_000;
/// EG works with ln p; entries are kept above this so a −∞ (an underflowed p_i) can never meet a
/// negative coefficient and become +∞ − ∞. e^{−1e6} is 0 in f64, so p itself is unaffected.
const LOG_FLOOR: f64 = -1e6;

/// Why a run was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimplexError {
    /// No coordinates.
    Empty,
    /// A NaN or infinite input.
    NonFinite,
    /// |x_i| > [`X_MAX`], τ < 0, or a q with a non-positive entry.
    OutOfRange,
    /// η ≤ 0, or η > 1 for fixed-step Frank–Wolfe (whose step would leave the simplex).
    BadStep,
    /// More than [`MAX_STEPS`] steps.
    TooManySteps,
}

impl std::fmt::Display for SimplexError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SimplexError::Empty => "no coordinates",
            SimplexError::NonFinite => "a value is not a finite number",
            SimplexError::OutOfRange => "a value is out of range",
            SimplexError::BadStep => "the step size is out of range",
            SimplexError::TooManySteps => "too many steps",
        })
    }
}

impl std::error::Error for SimplexError {}

/// The function F to minimise.
#[derive(Clone, Debug, PartialEq)]
pub enum Objective {
    /// ‖p − x‖²; minimiser sparsemax(x).
    Sq {
        /// The point being projected.
        x: Vec<f64>,
    },
    /// −⟨x, p⟩ + τ·Σ p_i ln p_i; minimiser softmax(x/τ), F* = −τ·ln Σ e^{x_i/τ} (τ = 0: the vertex
    /// of the largest x_i, lowest index on ties, F* = −max x).
    Entropy {
        /// Scores.
        x: Vec<f64>,
        /// Temperature τ ≥ 0.
        tau: f64,
    },
    /// KL(p‖q) = Σ p_i(ln p_i − ln q_i); minimiser q, F* = 0. Stored by ln q, which stays finite
    /// even where q_i underflows.
    Kl {
        /// ln q, normalised (log-sum-exp 0).
        log_q: Vec<f64>,
    },
}

fn check_x(x: &[f64]) -> Result<(), SimplexError> {
    if x.is_empty() {
        Err(SimplexError::Empty)
    } else if x.iter().any(|v| !v.is_finite()) {
        Err(SimplexError::NonFinite)
    } else if x.iter().any(|v| v.abs() > X_MAX) {
        Err(SimplexError::OutOfRange)
    } else {
        Ok(())
    }
}

/// ln Σ e^{z_i} with the maximum factored out.
fn log_sum_exp(z: &[f64]) -> f64 {
    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    m + z.iter().map(|v| (v - m).exp()).sum::<f64>().ln()
}

/// Index of the smallest entry, the lowest index among ties (−∞ entries included).
fn argmin(g: &[f64]) -> usize {
    let mut best = 0;
    for (i, &v) in g.iter().enumerate() {
        if v < g[best] {
            best = i;
        }
    }
    best
}

/// p ln p with 0 ln 0 = 0.
fn xlogx(p: f64) -> f64 {
    if p > 0.0 {
        p * p.ln()
    } else {
        0.0
    }
}

impl Objective {
    /// F = ‖p − x‖².
    pub fn sq(x: &[f64]) -> Result<Self, SimplexError> {
        check_x(x)?;
        Ok(Objective::Sq { x: x.to_vec() })
    }

    /// F = −⟨x, p⟩ + τ·negentropy.
    pub fn entropy(x: &[f64], tau: f64) -> Result<Self, SimplexError> {
        check_x(x)?;
        if !tau.is_finite() {
            return Err(SimplexError::NonFinite);
        }
        if tau < 0.0 || tau > X_MAX {
            return Err(SimplexError::OutOfRange);
        }
        Ok(Objective::Entropy { x: x.to_vec(), tau })
    }

    /// F = KL(p‖q) for a distribution q with positive entries (normalised here).
    pub fn kl(q: &[f64]) -> Result<Self, SimplexError> {
        check_x(q)?;
        if q.iter().any(|&v| !(v > 0.0)) {
            return Err(SimplexError::OutOfRange);
        }
        let s: f64 = q.iter().sum();
        Ok(Objective::Kl { log_q: q.iter().map(|v| (v / s).ln()).collect() })
    }

    /// F = KL(p‖softmax(z)) for logits z (ln q = z − lse(z): finite for any finite logits).
    pub fn kl_softmax(z: &[f64]) -> Result<Self, SimplexError> {
        check_x(z)?;
        let l = log_sum_exp(z);
        Ok(Objective::Kl { log_q: z.iter().map(|v| v - l).collect() })
    }

    /// Number of coordinates.
    pub fn n(&self) -> usize {
        match self {
            Objective::Sq { x } | Objective::Entropy { x, .. } => x.len(),
            Objective::Kl { log_q } => log_q.len(),
        }
    }

    /// F(p).
    pub fn value(&self, p: &[f64]) -> f64 {
        match self {
            Objective::Sq { x } => p.iter().zip(x).map(|(a, b)| (a - b) * (a - b)).sum(),
            Objective::Entropy { x, tau } => p.iter().zip(x).map(|(&a, &b)| -b * a + tau * xlogx(a)).sum(),
            Objective::Kl { log_q } => p.iter().zip(log_q).map(|(&a, &l)| if a > 0.0 { a * (a.ln() - l) } else { 0.0 }).sum(),
        }
    }

    /// ∇F(p). For the entropy (τ > 0) and KL objectives the component at p_i = 0 is −∞ (ln 0): the
    /// true derivative, which Frank–Wolfe's argmin handles as is.
    pub fn grad(&self, p: &[f64]) -> Vec<f64> {
        self.grad_with(p, &p.iter().map(|v| v.ln()).collect::<Vec<_>>())
    }

    /// ∇F given ln p separately (EG keeps ln p finite where p underflows).
    fn grad_with(&self, p: &[f64], log_p: &[f64]) -> Vec<f64> {
        match self {
            Objective::Sq { x } => p.iter().zip(x).map(|(a, b)| 2.0 * (a - b)).collect(),
            Objective::Entropy { x, tau } => {
                if *tau == 0.0 {
                    x.iter().map(|b| -b).collect()
                } else {
                    log_p.iter().zip(x).map(|(l, b)| -b + tau * (l + 1.0)).collect()
                }
            }
            Objective::Kl { log_q } => log_p.iter().zip(log_q).map(|(l, q)| l - q + 1.0).collect(),
        }
    }

    /// The minimiser p* and F* = F(p*) in closed form (see the variants).
    pub fn optimum(&self) -> (Vec<f64>, f64) {
        match self {
            Objective::Sq { x } => {
                let (p, _) = sparsemax(x);
                let f = self.value(&p);
                (p, f)
            }
            Objective::Entropy { x, tau } => {
                let m = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                if *tau == 0.0 {
                    let mut p = vec![0.0; x.len()];
                    p[argmin(&x.iter().map(|v| -v).collect::<Vec<_>>())] = 1.0;
                    (p, -m)
                } else {
                    // −τ·lse(x/τ) = −max x − τ ln Σ e^{(x_i − max)/τ}: no overflow for small τ.
                    let s: f64 = x.iter().map(|v| ((v - m) / tau).exp()).sum();
                    (softmax(x, *tau), -m - tau * s.ln())
                }
            }
            Objective::Kl { log_q } => (log_q.iter().map(|l| l.exp()).collect(), 0.0),
        }
    }

    /// The Frank–Wolfe gap p·∇F − min_i ∇F_i = max_{s∈Δ} ⟨∇F, p − s⟩ ≥ 0, zero exactly at the
    /// optimum (KKT: ∇F equal and minimal on the support). Terms with p_i = 0 count as 0; the gap is
    /// +∞ where ∇F has a −∞ component (entropy, KL on a face).
    pub fn fw_gap(&self, p: &[f64]) -> f64 {
        let g = self.grad(p);
        let inner: f64 = p.iter().zip(&g).filter(|(a, _)| **a > 0.0).map(|(a, b)| a * b).sum();
        let min = g.iter().copied().fold(f64::INFINITY, f64::min);
        if min == f64::NEG_INFINITY {
            f64::INFINITY
        } else {
            inner - min
        }
    }
}

/// The update rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Frank–Wolfe with the fixed step η (the post's rule; stalls at O(η)).
    Fw,
    /// Frank–Wolfe with η_t = 2/(t + 2), t = 0, 1, … (O(1/t); the first step lands on a vertex).
    Fw2t,
    /// Projected gradient p ← sparsemax(p − η∇F) (lands exactly on faces).
    Pgd,
    /// Exponentiated gradient p ← p⊙e^{−η∇F}/Σ (never reaches a face).
    Eg,
}

impl Method {
    /// From the URL/CLI key `fw` | `fw_2t` | `pgd` | `eg`.
    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "fw" => Some(Method::Fw),
            "fw_2t" => Some(Method::Fw2t),
            "pgd" => Some(Method::Pgd),
            "eg" => Some(Method::Eg),
            _ => None,
        }
    }

    /// The URL/CLI key.
    pub fn key(self) -> &'static str {
        match self {
            Method::Fw => "fw",
            Method::Fw2t => "fw_2t",
            Method::Pgd => "pgd",
            Method::Eg => "eg",
        }
    }
}

/// A run in progress: the current iterate and the step count.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    obj: Objective,
    method: Method,
    eta: f64,
    p: Vec<f64>,
    /// ln p (EG only; p = exp(log_p) there).
    log_p: Vec<f64>,
    t: usize,
}

impl Run {
    /// A run from the uniform point. `eta` is ignored by `fw_2t`; it must be in (0, 1] for `fw`
    /// and positive for `pgd` and `eg`.
    pub fn new(obj: Objective, method: Method, eta: f64) -> Result<Self, SimplexError> {
        let n = obj.n();
        if n == 0 {
            return Err(SimplexError::Empty);
        }
        if method != Method::Fw2t {
            if !eta.is_finite() {
                return Err(SimplexError::NonFinite);
            }
            if !(eta > 0.0) || eta > X_MAX || (method == Method::Fw && eta > 1.0) {
                return Err(SimplexError::BadStep);
            }
        }
        let p = vec![1.0 / n as f64; n];
        let log_p = vec![-(n as f64).ln(); n];
        Ok(Run { obj, method, eta, p, log_p, t: 0 })
    }

    /// The current iterate.
    pub fn p(&self) -> &[f64] {
        &self.p
    }

    /// Steps taken.
    pub fn t(&self) -> usize {
        self.t
    }

    /// The objective.
    pub fn objective(&self) -> &Objective {
        &self.obj
    }

    /// One step.
    pub fn step(&mut self) {
        match self.method {
            Method::Fw | Method::Fw2t => {
                let eta = if self.method == Method::Fw { self.eta } else { 2.0 / (self.t as f64 + 2.0) };
                let s = argmin(&self.obj.grad(&self.p));
                for (i, v) in self.p.iter_mut().enumerate() {
                    *v = (1.0 - eta) * *v + if i == s { eta } else { 0.0 };
                }
            }
            Method::Pgd => {
                // On a face the entropy/KL gradient is −∞ and p − η∇F cannot be projected; ln p is
                // floored at ln(f64::MIN_POSITIVE) ≈ −708, which pushes the iterate back off the face
                // in the true gradient's direction by a finite amount.
                let floor = f64::MIN_POSITIVE;
                let log_p: Vec<f64> = self.p.iter().map(|v| v.max(floor).ln()).collect();
                let g = self.obj.grad_with(&self.p, &log_p);
                let z: Vec<f64> = self.p.iter().zip(&g).map(|(a, b)| a - self.eta * b).collect();
                self.p = sparsemax(&z).0;
            }
            Method::Eg => {
                // In log space: ln p ← ln p − η∇F, renormalised; p_i e^{−η∇F_i} would be 0·∞ once a
                // p_i underflows.
                let g = self.obj.grad_with(&self.p, &self.log_p);
                let mut l: Vec<f64> = self.log_p.iter().zip(&g).map(|(a, b)| a - self.eta * b).collect();
                let lse = log_sum_exp(&l);
                l.iter_mut().for_each(|v| *v = (*v - lse).max(LOG_FLOOR));
                self.p = l.iter().map(|v| v.exp()).collect();
                self.log_p = l;
            }
        }
        self.t += 1;
    }
}

/// The iterates p₀ (uniform), p₁, …, p_steps (for the trajectory and F − F* against t). Depends on
/// the objective, method, η and steps (a longer run extends a shorter one).
pub fn trajectory(obj: &Objective, method: Method, eta: f64, steps: usize) -> Result<Vec<Vec<f64>>, SimplexError> {
    if steps > MAX_STEPS {
        return Err(SimplexError::TooManySteps);
    }
    let mut run = Run::new(obj.clone(), method, eta)?;
    let mut out = Vec::with_capacity(steps + 1);
    out.push(run.p.clone());
    for _ in 0..steps {
        run.step();
        out.push(run.p.clone());
    }
    Ok(out)
}

/// What the `simplex` mode reports.
#[derive(Clone, Debug, PartialEq)]
pub struct SimplexResult {
    /// The iterate after `steps`.
    pub p: Vec<f64>,
    /// F(p).
    pub f: f64,
    /// F* (closed form).
    pub f_star: f64,
}

/// Runs `steps` steps and reports p, F(p) and F*.
pub fn solve(obj: &Objective, method: Method, eta: f64, steps: usize) -> Result<SimplexResult, SimplexError> {
    if steps > MAX_STEPS {
        return Err(SimplexError::TooManySteps);
    }
    let mut run = Run::new(obj.clone(), method, eta)?;
    for _ in 0..steps {
        run.step();
    }
    Ok(SimplexResult { f: obj.value(&run.p), f_star: obj.optimum().1, p: run.p })
}
