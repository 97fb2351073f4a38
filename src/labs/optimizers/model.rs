//! Optimizer update rules and trajectories on 2-D surfaces (math-spec 2.2). Pure math: no UI, no
//! drawing, and no panics for any parameter value — a non-finite or runaway iterate ends the run
//! and records the step where it happened.

use crate::math::rng::Rng;
use crate::math::surfaces::{sym_abs, Objective};
use nalgebra::{Matrix2, Vector2};

/// The optimizers. `key()` values are URL values: never rename one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OptKind {
    /// Plain gradient descent.
    Sgd,
    /// Heavy-ball momentum, PyTorch form.
    Momentum,
    /// Nesterov momentum, PyTorch form.
    Nesterov,
    /// RMSprop without bias correction.
    Rmsprop,
    /// Adam with bias correction.
    Adam,
    /// Adam with decoupled weight decay.
    AdamW,
    /// AdaBelief (centred second moment).
    AdaBelief,
    /// Sign of the gradient.
    SignSgd,
    /// Sign of the momentum.
    Signum,
    /// Lion (evolved sign momentum).
    Lion,
    /// Damped (optionally saddle-free) Newton.
    Newton,
}

impl OptKind {
    /// Every optimizer, in legend order.
    pub const ALL: [OptKind; 11] = [
        OptKind::Sgd,
        OptKind::Momentum,
        OptKind::Nesterov,
        OptKind::Rmsprop,
        OptKind::Adam,
        OptKind::AdamW,
        OptKind::AdaBelief,
        OptKind::SignSgd,
        OptKind::Signum,
        OptKind::Lion,
        OptKind::Newton,
    ];

    /// URL value and CSV name.
    pub const fn key(self) -> &'static str {
        match self {
            OptKind::Sgd => "sgd",
            OptKind::Momentum => "momentum",
            OptKind::Nesterov => "nesterov",
            OptKind::Rmsprop => "rmsprop",
            OptKind::Adam => "adam",
            OptKind::AdamW => "adamw",
            OptKind::AdaBelief => "adabelief",
            OptKind::SignSgd => "signsgd",
            OptKind::Signum => "signum",
            OptKind::Lion => "lion",
            OptKind::Newton => "newton",
        }
    }

    /// Display name.
    pub const fn label(self) -> &'static str {
        match self {
            OptKind::Sgd => "SGD",
            OptKind::Momentum => "Momentum",
            OptKind::Nesterov => "Nesterov",
            OptKind::Rmsprop => "RMSprop",
            OptKind::Adam => "Adam",
            OptKind::AdamW => "AdamW",
            OptKind::AdaBelief => "AdaBelief",
            OptKind::SignSgd => "SignSGD",
            OptKind::Signum => "Signum",
            OptKind::Lion => "Lion",
            OptKind::Newton => "Newton",
        }
    }

    /// Parses a URL value.
    pub fn from_key(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == s)
    }

    /// Position in [`OptKind::ALL`] (stable colour and noise stream per optimizer).
    pub fn index(self) -> usize {
        Self::ALL.iter().position(|&k| k == self).unwrap_or(0)
    }
}

/// Hyper-parameters of one optimizer, fully resolved.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rule {
    /// θ ← θ − ηg.
    Sgd {
        /// η.
        lr: f64,
    },
    /// v ← μv + g; θ ← θ − ηv (heavy ball), or θ ← θ − η(g + μv) (Nesterov).
    Momentum {
        /// η.
        lr: f64,
        /// μ.
        mu: f64,
        /// Nesterov look-ahead.
        nesterov: bool,
    },
    /// v ← αv + (1−α)g²; θ ← θ − ηg/(√v + ε), or θ ← θ − ηg/√(v + ε) with `eps_inside`.
    Rmsprop {
        /// η.
        lr: f64,
        /// α.
        alpha: f64,
        /// ε.
        eps: f64,
        /// ε inside the root (the posts, TensorFlow) instead of outside (PyTorch).
        eps_inside: bool,
    },
    /// Adam family: m ← β1m + (1−β1)g; v ← β2v + (1−β2)·(g² or (g − m)² + ε); bias-corrected step.
    Adam {
        /// η.
        lr: f64,
        /// β1.
        b1: f64,
        /// β2.
        b2: f64,
        /// ε.
        eps: f64,
        /// Decoupled weight decay λ (AdamW): θ ← θ − ηλθ before the Adam step.
        wd: f64,
        /// AdaBelief: accumulate (g − m)² + ε instead of g².
        belief: bool,
    },
    /// θ ← θ − η·sign(g).
    Sign {
        /// η.
        lr: f64,
    },
    /// m ← βm + (1−β)g; θ ← θ − η·sign(m).
    Signum {
        /// η.
        lr: f64,
        /// β.
        beta: f64,
    },
    /// u = sign(β1m + (1−β1)g); θ ← θ − η(u + λθ); m ← β2m + (1−β2)g.
    Lion {
        /// η.
        lr: f64,
        /// β1.
        b1: f64,
        /// β2.
        b2: f64,
        /// λ.
        wd: f64,
    },
    /// θ ← θ − (H + δI)⁻¹g, or with |H| = V|Λ|Vᵀ in place of H.
    Newton {
        /// δ.
        damping: f64,
        /// Use |H|.
        saddle_free: bool,
    },
}

/// Optimizer memory: first and second moments and the step counter t (t = 1 on the first step).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Memory {
    /// First moment / velocity.
    pub m: Vector2<f64>,
    /// Second moment.
    pub v: Vector2<f64>,
    /// Steps taken so far.
    pub t: u32,
}

/// sign with sign(0) = 0, as in PyTorch and optax.
fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

fn sign2(v: Vector2<f64>) -> Vector2<f64> {
    v.map(sign)
}

impl Rule {
    /// One update: returns the new θ given θ, the (possibly noisy) gradient g and the Hessian at θ.
    /// May return non-finite values (the caller detects divergence); never panics.
    pub fn step(&self, mem: &mut Memory, theta: Vector2<f64>, g: Vector2<f64>, h: impl Fn() -> Matrix2<f64>) -> Vector2<f64> {
        mem.t = mem.t.saturating_add(1);
        let t = mem.t as i32;
        match *self {
            Rule::Sgd { lr } => theta - lr * g,
            Rule::Momentum { lr, mu, nesterov } => {
                // PyTorch: the buffer starts as g on the first step, which equals μ·0 + g.
                mem.m = mu * mem.m + g;
                if nesterov {
                    theta - lr * (g + mu * mem.m)
                } else {
                    theta - lr * mem.m
                }
            }
            Rule::Rmsprop { lr, alpha, eps, eps_inside } => {
                mem.v = alpha * mem.v + (1.0 - alpha) * g.component_mul(&g);
                let denom = if eps_inside { mem.v.add_scalar(eps).map(f64::sqrt) } else { mem.v.map(f64::sqrt).add_scalar(eps) };
                theta - lr * g.component_div(&denom)
            }
            Rule::Adam { lr, b1, b2, eps, wd, belief } => {
                let theta = theta * (1.0 - lr * wd);
                mem.m = b1 * mem.m + (1.0 - b1) * g;
                let d = if belief { g - mem.m } else { g };
                mem.v = b2 * mem.v + (1.0 - b2) * d.component_mul(&d);
                if belief {
                    mem.v = mem.v.add_scalar(eps);
                }
                let mhat = mem.m / (1.0 - b1.powi(t));
                let vhat = mem.v / (1.0 - b2.powi(t));
                theta - lr * mhat.component_div(&vhat.map(f64::sqrt).add_scalar(eps))
            }
            Rule::Sign { lr } => theta - lr * sign2(g),
            Rule::Signum { lr, beta } => {
                mem.m = beta * mem.m + (1.0 - beta) * g;
                theta - lr * sign2(mem.m)
            }
            Rule::Lion { lr, b1, b2, wd } => {
                let u = sign2(b1 * mem.m + (1.0 - b1) * g);
                mem.m = b2 * mem.m + (1.0 - b2) * g;
                theta - lr * (u + wd * theta)
            }
            Rule::Newton { damping, saddle_free } => {
                let hh = h();
                let hh = if saddle_free { sym_abs(&hh) } else { hh };
                let a = hh + Matrix2::identity() * damping;
                match a.try_inverse() {
                    Some(inv) => theta - inv * g,
                    // A singular system has no Newton step: report it as a non-finite iterate.
                    None => Vector2::new(f64::NAN, f64::NAN),
                }
            }
        }
    }
}

/// Why a run stopped early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The iterate or loss became NaN or infinite.
    NonFinite,
    /// The iterate left the bounding box (diverging).
    LeftBox,
}

/// One optimizer's trajectory.
#[derive(Clone, Debug)]
pub struct Run {
    /// Which optimizer.
    pub kind: OptKind,
    /// The resolved hyper-parameters.
    pub rule: Rule,
    /// Iterates; `path[0]` is the start point. Always finite.
    pub path: Vec<[f64; 2]>,
    /// Loss at each iterate. Always finite.
    pub loss: Vec<f64>,
    /// The step at which the run diverged, and why.
    pub diverged: Option<(usize, Stop)>,
    mem: Memory,
    rng: Rng,
}

/// Gradient noise emulating minibatches: g̃ = g + (σ/√B)·z, z ~ N(0, I).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Noise {
    /// σ.
    pub sigma: f64,
    /// B.
    pub batch: f64,
    /// Seed of the noise streams.
    pub seed: u64,
}

impl Run {
    /// A run that starts at `start`.
    pub fn new(kind: OptKind, rule: Rule, start: [f64; 2], f: &impl Objective, noise: &Noise) -> Self {
        let l0 = f.value(Vector2::new(start[0], start[1]));
        let mut run = Run {
            kind,
            rule,
            path: vec![start],
            loss: vec![l0],
            diverged: None,
            mem: Memory::default(),
            rng: Rng::stream(noise.seed, kind.index() as u64 + 1),
        };
        if !(start[0].is_finite() && start[1].is_finite() && l0.is_finite()) {
            run.path.clear();
            run.loss.clear();
            run.diverged = Some((0, Stop::NonFinite));
        }
        run
    }

    /// Steps taken (0 before the first).
    pub fn steps(&self) -> usize {
        self.path.len().saturating_sub(1)
    }

    /// Whether the run can take another step.
    pub fn alive(&self) -> bool {
        self.diverged.is_none()
    }

    /// Takes one step. `bound` is the half-width of the box around `centre` that counts as diverged.
    pub fn step(&mut self, f: &impl Objective, noise: &Noise, centre: [f64; 2], bound: f64) {
        if !self.alive() {
            return;
        }
        let Some(&last) = self.path.last() else { return };
        let theta = Vector2::new(last[0], last[1]);
        let mut g = f.grad(theta);
        if noise.sigma > 0.0 {
            let scale = noise.sigma / noise.batch.max(1.0).sqrt();
            g += Vector2::new(self.rng.normal(), self.rng.normal()) * scale;
        }
        let next = self.rule.step(&mut self.mem, theta, g, || f.hessian(theta));
        let loss = f.value(next);
        let step = self.path.len();
        if !(next.x.is_finite() && next.y.is_finite() && loss.is_finite()) {
            self.diverged = Some((step, Stop::NonFinite));
        } else if (next.x - centre[0]).abs() > bound || (next.y - centre[1]).abs() > bound {
            self.diverged = Some((step, Stop::LeftBox));
        } else {
            self.path.push([next.x, next.y]);
            self.loss.push(loss);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::surfaces::{Surface, SurfaceKind};

    const NO_NOISE: Noise = Noise { sigma: 0.0, batch: 1.0, seed: 0 };

    fn first_step(rule: Rule, kind: SurfaceKind, start: [f64; 2]) -> [f64; 2] {
        let f = Surface::new(kind, 10.0, 0.0);
        let mut r = Run::new(OptKind::Sgd, rule, start, &f, &NO_NOISE);
        r.step(&f, &NO_NOISE, [0.0, 0.0], 1e9);
        r.path[1]
    }

    fn assert_close(a: [f64; 2], b: [f64; 2], tol: f64) {
        assert!((a[0] - b[0]).abs() <= tol && (a[1] - b[1]).abs() <= tol, "{a:?} vs {b:?}");
    }

    /// math-spec 2.2: first steps on Rosenbrock from (−1.2, 1).
    #[test]
    fn spec_first_steps_on_rosenbrock() {
        let r = SurfaceKind::Rosenbrock;
        let s = [-1.2, 1.0];
        assert_close(first_step(Rule::Sgd { lr: 1e-3 }, r, s), [-0.9844, 1.088], 1e-12);
        let adam = Rule::Adam { lr: 1e-3, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0.0, belief: false };
        assert_close(first_step(adam, r, s), [-1.199, 1.001], 1e-10);
        let rms = Rule::Rmsprop { lr: 1e-2, alpha: 0.99, eps: 1e-8, eps_inside: false };
        assert_close(first_step(rms, r, s), [-1.1, 1.1], 1e-8);
        let lion = Rule::Lion { lr: 1e-4, b1: 0.9, b2: 0.99, wd: 0.0 };
        assert_close(first_step(lion, r, s), [-1.1999, 1.0001], 1e-12);
        let newton = Rule::Newton { damping: 0.0, saddle_free: false };
        assert_close(first_step(newton, r, s), [-1.1752809, 1.3806742], 1e-7);
    }

    /// Adam's first step is −η·sign(g) for any β's (and any ε ≪ |g|).
    #[test]
    fn adam_first_step_is_sign_step() {
        for (b1, b2) in [(0.9, 0.999), (0.5, 0.9), (0.0, 0.0), (0.99, 0.5)] {
            let adam = Rule::Adam { lr: 0.05, b1, b2, eps: 1e-12, wd: 0.0, belief: false };
            let p = first_step(adam, SurfaceKind::Beale, [1.0, 1.4]);
            let g = Surface::new(SurfaceKind::Beale, 1.0, 0.0).grad(Vector2::new(1.0, 1.4));
            assert_close(p, [1.0 - 0.05 * g.x.signum(), 1.4 - 0.05 * g.y.signum()], 1e-12);
        }
    }

    /// Lion and SignSGD move exactly η per coordinate, every step (with λ = 0).
    #[test]
    fn sign_methods_move_exactly_eta_per_coordinate() {
        let f = Surface::new(SurfaceKind::Himmelblau, 1.0, 0.0);
        let lr = 0.015625; // 2⁻⁶: a power of two keeps the arithmetic exact.
        for rule in [Rule::Sign { lr }, Rule::Lion { lr, b1: 0.9, b2: 0.99, wd: 0.0 }, Rule::Signum { lr, beta: 0.8 }] {
            let mut r = Run::new(OptKind::Lion, rule, [0.5, 0.25], &f, &NO_NOISE);
            for _ in 0..50 {
                r.step(&f, &NO_NOISE, [0.0, 0.0], 1e9);
            }
            for w in r.path.windows(2) {
                for (a, b) in w[0].iter().zip(&w[1]) {
                    assert_eq!((b - a).abs(), lr, "{rule:?}");
                }
            }
        }
    }

    /// Newton solves any positive-definite quadratic in one step.
    #[test]
    fn newton_solves_quadratic_in_one_step() {
        for (kappa, phi) in [(1.0, 0.0), (10.0, 30.0), (1000.0, 77.0)] {
            let f = Surface::new(SurfaceKind::Quadratic, kappa, phi);
            let mut r = Run::new(OptKind::Newton, Rule::Newton { damping: 0.0, saddle_free: false }, [1.3, -0.7], &f, &NO_NOISE);
            r.step(&f, &NO_NOISE, [0.0, 0.0], 1e9);
            assert!(r.path[1][0].abs() < 1e-12 && r.path[1][1].abs() < 1e-12, "{:?}", r.path[1]);
        }
        // On the saddle plain Newton jumps to the saddle point in one step; saddle-free runs away.
        let s = Surface::new(SurfaceKind::Saddle, 1.0, 0.0);
        assert_close(first_step(Rule::Newton { damping: 0.0, saddle_free: false }, SurfaceKind::Saddle, [0.7, -0.4]), [0.0, 0.0], 1e-15);
        let sf = first_step(Rule::Newton { damping: 0.0, saddle_free: true }, SurfaceKind::Saddle, [0.7, -0.4]);
        assert!(s.value(Vector2::new(sf[0], sf[1])) < s.value(Vector2::new(0.7, -0.4)));
        assert_close(sf, [0.0, -0.8], 1e-15);
    }

    /// RMSprop's ε placement: outside the root (PyTorch) vs inside (posts, TensorFlow).
    #[test]
    fn rmsprop_epsilon_placement() {
        let f = Surface::new(SurfaceKind::Quadratic, 1.0, 0.0);
        let g = 1e-3; // at θ = (g, g) the gradient is (g, g).
        let eps = 1e-4;
        let out = first_step(Rule::Rmsprop { lr: 1.0, alpha: 0.0, eps, eps_inside: false }, SurfaceKind::Quadratic, [g, g]);
        let inn = first_step(Rule::Rmsprop { lr: 1.0, alpha: 0.0, eps, eps_inside: true }, SurfaceKind::Quadratic, [g, g]);
        assert!((out[0] - (g - g / (g + eps))).abs() < 1e-15);
        assert!((inn[0] - (g - g / (g * g + eps).sqrt())).abs() < 1e-15);
        let _ = f;
    }

    /// AdamW's decay is decoupled: θ(1 − ηλ) then the Adam step.
    #[test]
    fn adamw_decay_is_decoupled() {
        let lr = 0.01;
        let wd = 0.5;
        let p = first_step(Rule::Adam { lr, b1: 0.9, b2: 0.999, eps: 1e-12, wd, belief: false }, SurfaceKind::Quadratic, [1.0, -2.0]);
        assert_close(p, [1.0 * (1.0 - lr * wd) - lr, -2.0 * (1.0 - lr * wd) + lr], 1e-12);
    }

    /// GD on a quadratic equals (I − ηH)ⁿθ₀.
    #[test]
    fn gd_matches_matrix_power() {
        let f = Surface::new(SurfaceKind::Quadratic, 20.0, 33.0);
        let h = f.hessian(Vector2::zeros());
        let lr = 0.07;
        let mut r = Run::new(OptKind::Sgd, Rule::Sgd { lr }, [1.0, 0.5], &f, &NO_NOISE);
        let mut theta = Vector2::new(1.0, 0.5);
        let a = Matrix2::identity() - lr * h;
        for n in 1..=40 {
            r.step(&f, &NO_NOISE, [0.0, 0.0], 1e9);
            theta = a * theta;
            let p = r.path[n];
            assert!((p[0] - theta.x).abs() < 1e-13 && (p[1] - theta.y).abs() < 1e-13);
        }
    }

    /// A learning rate past 2/λ_max diverges, is stopped, and keeps only finite points.
    #[test]
    fn divergence_is_detected_and_recorded() {
        let f = Surface::new(SurfaceKind::Quadratic, 10.0, 0.0);
        let mut r = Run::new(OptKind::Sgd, Rule::Sgd { lr: 0.25 }, [1.0, 1.0], &f, &NO_NOISE);
        for _ in 0..5000 {
            r.step(&f, &NO_NOISE, [0.0, 0.0], 100.0);
        }
        // |1 − 0.25·10| = 1.5 per step: |y| = 1.5ⁿ passes 100 at n = 12.
        assert_eq!(r.diverged, Some((12, Stop::LeftBox)));
        assert!(r.path.iter().flatten().all(|v| v.is_finite()));
        let mut r = Run::new(OptKind::Sgd, Rule::Sgd { lr: 0.25 }, [1.0, 1.0], &f, &NO_NOISE);
        for _ in 0..5000 {
            r.step(&f, &NO_NOISE, [0.0, 0.0], f64::INFINITY);
        }
        assert!(matches!(r.diverged, Some((_, Stop::NonFinite))));
        assert!(r.loss.iter().all(|v| v.is_finite()));
    }

    /// Gradient noise: reproducible per seed, independent between optimizers, and σ/√B in size.
    #[test]
    fn gradient_noise_statistics() {
        let f = Surface::new(SurfaceKind::Quadratic, 1.0, 0.0);
        let noise = Noise { sigma: 2.0, batch: 4.0, seed: 9 };
        // With η = 1 on L = ½‖θ‖², θ₁ = θ₀ − (θ₀ + ξ) = −ξ: the path samples the noise directly.
        let mut xs = Vec::new();
        let mut a = Run::new(OptKind::Sgd, Rule::Sgd { lr: 1.0 }, [0.0, 0.0], &f, &noise);
        for _ in 0..20000 {
            a.step(&f, &noise, [0.0, 0.0], 1e9);
            xs.push(a.path.last().unwrap()[0]);
            a.path.truncate(1);
            a.path[0] = [0.0, 0.0];
        }
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
        assert!((sd - 1.0).abs() < 0.03, "sd {sd}"); // σ/√B = 1; s.e. of sd ≈ 0.005.
        let b1 = Run::new(OptKind::Sgd, Rule::Sgd { lr: 0.1 }, [1.0, 1.0], &f, &noise);
        let mut b2 = b1.clone();
        let mut b1 = b1;
        b1.step(&f, &noise, [0.0, 0.0], 1e9);
        b2.step(&f, &noise, [0.0, 0.0], 1e9);
        assert_eq!(b1.path, b2.path);
        let mut c = Run::new(OptKind::Adam, Rule::Sgd { lr: 0.1 }, [1.0, 1.0], &f, &noise);
        c.step(&f, &noise, [0.0, 0.0], 1e9);
        assert_ne!(b1.path, c.path, "optimizers draw from different noise streams");
    }

    #[test]
    fn keys_round_trip() {
        for k in OptKind::ALL {
            assert_eq!(OptKind::from_key(k.key()), Some(k));
        }
    }
}
