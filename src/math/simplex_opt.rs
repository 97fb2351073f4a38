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
        if !(0.0..=X_MAX).contains(&tau) {
            return Err(SimplexError::OutOfRange);
        }
        Ok(Objective::Entropy { x: x.to_vec(), tau })
    }

    /// F = KL(p‖q) for a distribution q with positive entries (normalised here).
    pub fn kl(q: &[f64]) -> Result<Self, SimplexError> {
        check_x(q)?;
        if q.iter().any(|&v| v <= 0.0) {
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

    /// The minimiser p* and F* = F(p*) in closed form (see the variants); (∅, 0) for an empty
    /// objective built by hand (the constructors refuse it).
    pub fn optimum(&self) -> (Vec<f64>, f64) {
        if self.n() == 0 {
            return (Vec::new(), 0.0);
        }
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
            if eta <= 0.0 || eta > X_MAX || (method == Method::Fw && eta > 1.0) {
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
                // p_i underflows. (For the entropy, ln p ← (1 − ητ)ln p + ηx: with ητ > 2 the log
                // weights oscillate with growing amplitude — EG diverges — and LOG_FLOOR keeps that finite.)
                let g = self.obj.grad_with(&self.p, &self.log_p);
                let mut l: Vec<f64> = self.log_p.iter().zip(&g).map(|(a, b)| a - self.eta * b).collect();
                let lse = log_sum_exp(&l);
                l.iter_mut().for_each(|v| *v = (*v - lse).max(LOG_FLOOR));
                // Huge log weights lose absolute precision in v − lse; dividing by the actual sum puts
                // p back on the simplex to rounding.
                let p: Vec<f64> = l.iter().map(|v| v.exp()).collect();
                let s: f64 = p.iter().sum();
                self.p = p.iter().map(|v| v / s).collect();
                let ls = s.ln();
                self.log_p = l.iter().map(|v| (v - ls).max(LOG_FLOOR)).collect();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: &[f64], b: &[f64], tol: f64) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol)
    }

    fn x() -> Objective {
        Objective::sq(&[1.0, 0.5, -1.0]).unwrap()
    }

    #[test]
    fn spec_w3_t10_frank_wolfe_2_over_t_plus_2() {
        let tr = trajectory(&x(), Method::Fw2t, 0.0, 200).unwrap();
        let want =
            [[1.0, 0.0, 0.0], [1.0 / 3.0, 2.0 / 3.0, 0.0], [2.0 / 3.0, 1.0 / 3.0, 0.0], [0.8, 0.2, 0.0], [0.5333333333, 0.4666666667, 0.0]];
        for (k, w) in want.iter().enumerate() {
            assert!(close(&tr[k + 1], w, 5e-11), "step {}: {:?}", k + 1, tr[k + 1]);
        }
        // The first step (η = 1) lands exactly on a vertex.
        assert_eq!(tr[1], vec![1.0, 0.0, 0.0]);
        assert!(close(&tr[200], &[0.7496019900, 0.2503980100, 0.0], 5e-11));
        let r = solve(&x(), Method::Fw2t, 0.0, 200).unwrap();
        assert!((r.f - 1.1250003168).abs() < 5e-11 && r.f_star == 1.125, "{r:?}");
        assert_eq!(x().optimum().0, vec![0.75, 0.25, 0.0]);
    }

    #[test]
    fn spec_w3_t11_fixed_step_stalls_with_mass_on_the_wrong_vertex() {
        let r = solve(&x(), Method::Fw, 0.05, 200).unwrap();
        // (The spec prints the residual mass to 4 digits.)
        assert!(close(&r.p[..2], &[0.7368975258, 0.2630907899], 5e-11) && (r.p[2] - 1.168e-5).abs() < 5e-9, "{:?}", r.p);
        assert!((r.f - 1.1253722543).abs() < 5e-11);
        // O(η) stall: 4000 more steps do not get F − F* below ~1e-4 with η = 0.05, while 2/(t+2) does.
        let stalled = solve(&x(), Method::Fw, 0.05, 4000).unwrap();
        let textbook = solve(&x(), Method::Fw2t, 0.0, 4000).unwrap();
        assert!(stalled.f - 1.125 > 1e-4 && textbook.f - 1.125 < 1e-6, "{} {}", stalled.f, textbook.f);
    }

    #[test]
    fn spec_w3_t12_exponentiated_gradient_starts_with_softmax() {
        let tr = trajectory(&x(), Method::Eg, 0.5, 3).unwrap();
        assert!(close(&tr[1], &crate::math::softmax::softmax(&[1.0, 0.5, -1.0], 1.0), 1e-15));
        assert!(close(&tr[1], &[0.5740969930, 0.3482074279, 0.0776955791], 5e-11));
        assert!(close(&tr[2], &[0.6705996441, 0.3092227430, 0.0201776129], 5e-11));
        assert!(close(&tr[3], &[0.7096078966, 0.2848546429, 0.0055374605], 5e-11));
        // EG never reaches the face (p₃ shrinks by ≈ e^{−1.25} per step: still 1e-109 after 200
        // steps; in f64 it underflows to 0 only after ~600, its log weight staying finite), while PGD
        // lands on the face exactly.
        let eg = solve(&x(), Method::Eg, 0.5, 200).unwrap();
        assert!(eg.p[2] > 0.0 && eg.p[2] < 1e-100, "{:?}", eg.p);
        let mut run = Run::new(x(), Method::Eg, 0.5).unwrap();
        (0..2000).for_each(|_| run.step());
        assert!(run.log_p.iter().all(|l| l.is_finite()) && close(run.p(), &[0.75, 0.25, 0.0], 1e-15));
        let pgd = solve(&x(), Method::Pgd, 0.1, 1000).unwrap();
        assert_eq!(pgd.p[2], 0.0);
        assert!(close(&pgd.p, &[0.75, 0.25, 0.0], 1e-12), "{:?}", pgd.p);
    }

    #[test]
    fn spec_w3_t13_kkt_at_the_optimum() {
        let p = [0.75, 0.25, 0.0];
        let g = x().grad(&p);
        assert_eq!(g, vec![-0.5, -0.5, 2.0]);
        assert_eq!(x().fw_gap(&p), 0.0);
        assert!(x().fw_gap(&[1.0 / 3.0; 3]) > 0.0);
    }

    #[test]
    fn closed_form_optima() {
        let z = [1.0, 0.5, -1.0];
        let e = Objective::entropy(&z, 0.5).unwrap();
        let (p, f) = e.optimum();
        assert!((e.value(&p) - f).abs() < 1e-15 && e.fw_gap(&p).abs() < 1e-14);
        // Many EG steps converge to softmax(x/τ).
        let r = solve(&e, Method::Eg, 0.5, 200).unwrap();
        assert!(close(&r.p, &p, 1e-12) && (r.f - r.f_star).abs() < 1e-14, "{r:?}");
        // τ = 0: the vertex of the largest score, lowest index on ties.
        let lin = Objective::entropy(&[2.0, -1.0, 2.0], 0.0).unwrap();
        assert_eq!(lin.optimum(), (vec![1.0, 0.0, 0.0], -2.0));
        assert_eq!(trajectory(&lin, Method::Fw2t, 0.0, 1).unwrap()[1], vec![1.0, 0.0, 0.0]);
        // Tiny τ: no overflow in F* = −τ·lse(x/τ) → −max x.
        let cold = Objective::entropy(&z, 1e-300).unwrap();
        assert_eq!(cold.optimum().1, -1.0);
        let k = Objective::kl_softmax(&[0.2, -1.0, 0.7]).unwrap();
        let (q, f) = k.optimum();
        assert!(close(&q, &crate::math::softmax::softmax(&[0.2, -1.0, 0.7], 1.0), 1e-15) && f == 0.0);
        // η = 1 EG on KL jumps to q in one step.
        assert!(close(&trajectory(&k, Method::Eg, 1.0, 1).unwrap()[1], &q, 1e-15));
        let (Objective::Kl { log_q: a }, Objective::Kl { log_q: b }) =
            (Objective::kl(&[1.0, 3.0]).unwrap(), Objective::kl_softmax(&[0.0, 3f64.ln()]).unwrap())
        else {
            unreachable!()
        };
        assert!(close(&a, &b, 1e-15));
    }

    #[test]
    fn ties_in_the_argmin_go_to_the_lowest_index() {
        let tie = Objective::sq(&[0.5, 0.5, 0.5]).unwrap();
        assert_eq!(trajectory(&tie, Method::Fw, 1.0, 1).unwrap()[1], vec![1.0, 0.0, 0.0]);
        assert_eq!(argmin(&[f64::NEG_INFINITY, 0.0, f64::NEG_INFINITY]), 0);
        assert_eq!(argmin(&[3.0, 1.0, 1.0]), 1);
    }

    #[test]
    fn invalid_inputs_are_refused() {
        assert_eq!(Objective::sq(&[]), Err(SimplexError::Empty));
        assert_eq!(Objective::sq(&[f64::NAN]), Err(SimplexError::NonFinite));
        assert_eq!(Objective::sq(&[1e101]), Err(SimplexError::OutOfRange));
        assert_eq!(Objective::entropy(&[1.0], -0.1), Err(SimplexError::OutOfRange));
        assert_eq!(Objective::kl(&[0.5, 0.0]), Err(SimplexError::OutOfRange));
        assert_eq!(Run::new(x(), Method::Fw, 1.5).err(), Some(SimplexError::BadStep));
        assert_eq!(Run::new(x(), Method::Eg, 0.0).err(), Some(SimplexError::BadStep));
        assert_eq!(Run::new(x(), Method::Pgd, f64::NAN).err(), Some(SimplexError::NonFinite));
        assert!(Run::new(x(), Method::Fw2t, f64::NAN).is_ok());
        assert_eq!(trajectory(&x(), Method::Eg, 0.1, MAX_STEPS + 1).err(), Some(SimplexError::TooManySteps));
        // Variants built by hand, bypassing the constructors: refused or harmless, never a panic.
        let empty = Objective::Sq { x: vec![] };
        assert_eq!(empty.optimum(), (vec![], 0.0));
        assert_eq!(Run::new(empty, Method::Pgd, 0.1).err(), Some(SimplexError::Empty));
    }

    use proptest::prelude::*;

    fn any_objective() -> impl Strategy<Value = Objective> {
        (proptest::collection::vec(-1e3f64..1e3, 1..7), 0u8..4, -8.0f64..3.0).prop_map(|(x, kind, lt)| match kind {
            0 => Objective::sq(&x).unwrap(),
            1 => Objective::entropy(&x, 10f64.powf(lt)).unwrap(),
            2 => Objective::entropy(&x, 0.0).unwrap(),
            _ => Objective::kl_softmax(&x).unwrap(),
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
        #[test]
        fn iterates_stay_on_the_simplex(obj in any_objective(), method in 0u8..4, le in -3.0f64..1.0) {
            let method = [Method::Fw, Method::Fw2t, Method::Pgd, Method::Eg][method as usize];
            let eta = if method == Method::Fw { 10f64.powf(le).min(1.0) } else { 10f64.powf(le) };
            let tr = trajectory(&obj, method, eta, 300).unwrap();
            for p in &tr {
                prop_assert!(p.iter().all(|v| *v >= 0.0 && v.is_finite()), "{method:?} {p:?}");
                prop_assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{method:?} {p:?}");
                let f = obj.value(p);
                prop_assert!(f.is_finite());
                // F* is a lower bound (up to rounding of the terms).
                let (_, fs) = obj.optimum();
                prop_assert!(f >= fs - 1e-9 * (1.0 + fs.abs()), "{method:?}: F = {f} < F* = {fs}");
            }
        }
    }
}
