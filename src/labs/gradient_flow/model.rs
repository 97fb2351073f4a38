//! Gradient flow against its discretisations (math-spec page 1 and 2.5). Pure maths.
//!
//! Every method is sampled at the times t = nη, n = 0…N, so the exact flow, the modified flow and
//! the discrete methods share a time axis:
//! - flow: dθ/dt = −∇L, integrated by adaptive Runge–Kutta (Dormand–Prince) to 1e-11;
//! - modified flow: dθ/dt = −∇L̃, L̃ = L + (η/4)‖∇L‖², i.e. −(∇L + (η/2)H∇L) (Barrett & Dherin);
//! - gd: θ ← θ − η∇L (explicit Euler on the flow with dt = η);
//! - momentum: θ ← θ − η∇L + β(θ − θ_prev) (heavy ball);
//! - sign: θ ← θ − η·sign(∇L) (steepest descent under ℓ∞, normalised);
//! - coord: move only the coordinate with the largest |∂L/∂θᵢ| by −η·∂L/∂θᵢ (steepest descent under ℓ1).

use crate::math::ode::dopri;
use crate::math::surfaces::Objective;
use nalgebra::Vector2;

type V = Vector2<f64>;

/// The methods. `key()` values are URL values: never rename one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// The exact gradient flow.
    Flow,
    /// Gradient descent.
    Gd,
    /// Heavy-ball momentum.
    Momentum,
    /// Sign descent.
    Sign,
    /// Coordinate descent.
    Coord,
    /// The modified flow of implicit gradient regularisation.
    Modified,
}

impl Method {
    /// All methods, in legend order.
    pub const ALL: [Method; 6] = [Method::Flow, Method::Gd, Method::Momentum, Method::Sign, Method::Coord, Method::Modified];

    /// URL value and CSV name.
    pub const fn key(self) -> &'static str {
        match self {
            Method::Flow => "flow",
            Method::Gd => "gd",
            Method::Momentum => "momentum",
            Method::Sign => "sign",
            Method::Coord => "coord",
            Method::Modified => "modified",
        }
    }

    /// Display name (English; translated by the caller).
    pub const fn label(self) -> &'static str {
        match self {
            Method::Flow => "Gradient flow",
            Method::Gd => "Gradient descent",
            Method::Momentum => "Heavy ball",
            Method::Sign => "Sign descent",
            Method::Coord => "Coordinate descent",
            Method::Modified => "Modified flow",
        }
    }

    /// Parses a URL value.
    pub fn from_key(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.key() == s)
    }

    /// Position in [`Method::ALL`]: colour and marker shape.
    pub fn index(self) -> usize {
        Self::ALL.iter().position(|&m| m == self).unwrap_or(0)
    }

    /// Continuous methods are drawn as curves; discrete ones show their iterates.
    pub fn continuous(self) -> bool {
        matches!(self, Method::Flow | Method::Modified)
    }
}

/// Relative/absolute tolerance of the flow integrations.
pub const FLOW_TOL: f64 = 1e-11;

/// One method's samples at t = nη.
#[derive(Clone, Debug)]
pub struct Track {
    /// Which method.
    pub method: Method,
    /// θ at t = nη, n = 0, 1, …; always finite.
    pub path: Vec<[f64; 2]>,
    /// L at each sample.
    pub loss: Vec<f64>,
    /// Step at which the method diverged (non-finite, or left the box).
    pub diverged: Option<usize>,
    /// The divergence was a non-finite value (on a typed surface: f undefined there).
    pub non_finite: bool,
    prev: V,
    h: f64,
}

impl Track {
    /// A track at its start point.
    pub fn new(method: Method, start: [f64; 2], f: &impl Objective) -> Self {
        let p = V::new(start[0], start[1]);
        let l = f.value(p);
        let ok = p.x.is_finite() && p.y.is_finite() && l.is_finite();
        Track {
            method,
            path: if ok { vec![start] } else { vec![] },
            loss: if ok { vec![l] } else { vec![] },
            diverged: if ok { None } else { Some(0) },
            non_finite: !ok,
            prev: p,
            h: 0.0,
        }
    }

    /// Advances to the next sample time: one step of the method, or the flow over time η.
    pub fn step(&mut self, f: &impl Objective, lr: f64, beta: f64, centre: [f64; 2], bound: f64) {
        if self.diverged.is_some() {
            return;
        }
        let Some(&[x, y]) = self.path.last() else { return };
        let th = V::new(x, y);
        let next = match self.method {
            Method::Flow => dopri(&|p: V| -f.grad(p), th, lr, FLOW_TOL, &mut self.h),
            Method::Modified => dopri(
                &|p: V| {
                    let g = f.grad(p);
                    -(g + 0.5 * lr * (f.hessian(p) * g))
                },
                th,
                lr,
                FLOW_TOL,
                &mut self.h,
            ),
            Method::Gd => Some(th - lr * f.grad(th)),
            Method::Momentum => Some(th - lr * f.grad(th) + beta * (th - self.prev)),
            Method::Sign => Some(
                th - lr
                    * f.grad(th).map(|c| {
                        if c > 0.0 {
                            1.0
                        } else if c < 0.0 {
                            -1.0
                        } else {
                            0.0
                        }
                    }),
            ),
            Method::Coord => {
                let g = f.grad(th);
                let i = if g.x.abs() >= g.y.abs() { 0 } else { 1 };
                let mut n = th;
                n[i] -= lr * g[i];
                Some(n)
            }
        };
        self.prev = th;
        let step = self.path.len();
        match next {
            Some(n) if n.x.is_finite() && n.y.is_finite() && f.value(n).is_finite() => {
                if (n.x - centre[0]).abs() > bound || (n.y - centre[1]).abs() > bound {
                    self.diverged = Some(step);
                } else {
                    self.path.push([n.x, n.y]);
                    self.loss.push(f.value(n));
                }
            }
            _ => {
                self.diverged = Some(step);
                self.non_finite = true;
            }
        }
    }
}

/// GD's contraction factor on a quadratic with Hessian eigenvalues λ: max |1 − ηλᵢ|.
pub fn gd_contraction(lr: f64, eig: (f64, f64)) -> f64 {
    (1.0 - lr * eig.0).abs().max((1.0 - lr * eig.1).abs())
}

/// Spectral radius of heavy-ball momentum on a quadratic with eigenvalues λ: per eigenvalue the
/// roots of r² − (1 + β − ηλ)r + β = 0.
pub fn momentum_rate(lr: f64, beta: f64, eig: (f64, f64)) -> f64 {
    let root = |l: f64| {
        let b = 1.0 + beta - lr * l;
        let disc = b * b - 4.0 * beta;
        if disc >= 0.0 {
            let s = disc.sqrt();
            ((b + s) / 2.0).abs().max(((b - s) / 2.0).abs())
        } else {
            beta.sqrt() // complex pair: |r|² = β
        }
    };
    root(eig.0).max(root(eig.1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::surfaces::{Surface, SurfaceKind};
    use nalgebra::{Matrix2, SymmetricEigen};

    /// L = ½a‖θ‖² (the spec's one-dimensional example, on both axes).
    struct Iso(f64);
    impl Objective for Iso {
        fn value(&self, p: V) -> f64 {
            0.5 * self.0 * p.norm_squared()
        }
        fn grad(&self, p: V) -> V {
            self.0 * p
        }
        fn hessian(&self, _: V) -> Matrix2<f64> {
            Matrix2::identity() * self.0
        }
    }

    fn run(m: Method, f: &impl Objective, start: [f64; 2], lr: f64, beta: f64, n: usize) -> Track {
        let mut t = Track::new(m, start, f);
        for _ in 0..n {
            t.step(f, lr, beta, [0.0, 0.0], 1e9);
        }
        t
    }

    #[test]
    fn flow_matches_the_quadratic_closed_form() {
        for (kappa, phi) in [(20.0, 30.0), (100.0, 70.0), (1.0, 0.0)] {
            let f = Surface::new(SurfaceKind::Quadratic, kappa, phi);
            let h = f.hessian(V::zeros());
            let e = SymmetricEigen::new(h);
            let th0 = V::new(-1.6, 1.1);
            let tr = run(Method::Flow, &f, [th0.x, th0.y], 0.05, 0.0, 100);
            for (n, p) in tr.path.iter().enumerate() {
                let t = n as f64 * 0.05;
                let d = Matrix2::new((-e.eigenvalues[0] * t).exp(), 0.0, 0.0, (-e.eigenvalues[1] * t).exp());
                let exact = e.eigenvectors * d * e.eigenvectors.transpose() * th0;
                assert!((V::new(p[0], p[1]) - exact).norm() <= 1e-8, "κ={kappa} t={t}: {p:?} vs {exact:?}");
            }
        }
    }

    #[test]
    fn gd_matches_matrix_power_and_is_stable_exactly_below_two_over_lambda_max() {
        let f = Surface::new(SurfaceKind::Quadratic, 20.0, 0.0);
        let h = f.hessian(V::zeros());
        let tr = run(Method::Gd, &f, [1.0, 1.0], 0.07, 0.0, 30);
        let mut th = V::new(1.0, 1.0);
        for p in &tr.path[1..] {
            th = (Matrix2::identity() - 0.07 * h) * th;
            assert!((V::new(p[0], p[1]) - th).norm() < 1e-13);
        }
        // H = diag(1, 20): stable iff η < 0.1.
        let below = run(Method::Gd, &f, [1.0, 1.0], 0.1 * (1.0 - 1e-3), 0.0, 3000);
        let above = run(Method::Gd, &f, [1.0, 1.0], 0.1 * (1.0 + 1e-3), 0.0, 3000);
        assert!(below.path.last().unwrap()[1].abs() < 1e-2, "just below 2/λ_max converges");
        assert!(above.path.last().unwrap()[1].abs() > 10.0, "just above 2/λ_max diverges");
    }

    /// math-spec page 1 for H = diag(1, 20).
    #[test]
    fn spec_page_one_values() {
        let eig = (1.0, 20.0);
        let best = 2.0 / 21.0;
        assert!((gd_contraction(best, eig) - 19.0 / 21.0).abs() < 1e-15);
        assert!((gd_contraction(best, eig) - 0.904762).abs() < 1e-6);
        // No fixed step contracts faster.
        for k in 1..2000 {
            let lr = k as f64 * 1e-4;
            assert!(gd_contraction(lr, eig) >= 19.0 / 21.0 - 1e-12);
        }
        let s20 = 20f64.sqrt();
        let (lr, beta) = (4.0 / (1.0 + s20).powi(2), ((s20 - 1.0) / (s20 + 1.0)).powi(2));
        assert!((lr - 0.133581).abs() < 1e-6 && (beta - 0.402605).abs() < 1e-6);
        assert!((momentum_rate(lr, beta, eig) - 0.634512).abs() < 1e-6);
        // A grid search finds nothing better than the heavy-ball optimum.
        for i in 1..60 {
            for j in 0..60 {
                let (l, b) = (i as f64 * 0.004, j as f64 * 0.0165);
                assert!(momentum_rate(l, b, eig) >= 0.634512 - 1e-6, "η={l} β={b}");
            }
        }
        // And the iteration really contracts at that rate: the error after 60 steps.
        let f = Surface::new(SurfaceKind::Quadratic, 20.0, 0.0);
        let tr = run(Method::Momentum, &f, [1.0, 1.0], lr, beta, 60);
        let r = V::new(tr.path[60][0], tr.path[60][1]).norm().powf(1.0 / 60.0);
        assert!(r < 0.70, "observed rate {r}");
    }

    /// math-spec 2.5: a = 2, η = 0.1, θ₀ = 1.
    #[test]
    fn spec_implicit_regularisation_values() {
        let f = Iso(2.0);
        let gd = run(Method::Gd, &f, [1.0, 0.0], 0.1, 0.0, 10);
        let fl = run(Method::Flow, &f, [1.0, 0.0], 0.1, 0.0, 10);
        let md = run(Method::Modified, &f, [1.0, 0.0], 0.1, 0.0, 10);
        assert!((gd.path[1][0] - 0.8).abs() < 1e-15);
        assert!((fl.path[1][0] - (-0.2f64).exp()).abs() < 1e-10 && (fl.path[1][0] - 0.818731).abs() < 1e-6);
        assert!((md.path[1][0] - (-0.22f64).exp()).abs() < 1e-10 && (md.path[1][0] - 0.802519).abs() < 1e-6);
        assert!((gd.path[1][0] - md.path[1][0]).abs() < (gd.path[1][0] - fl.path[1][0]).abs());
        assert!((gd.path[10][0] - 0.107374).abs() < 1e-6);
        assert!((fl.path[10][0] - 0.135335).abs() < 1e-6);
        assert!((md.path[10][0] - 0.110803).abs() < 1e-6);
    }

    /// On ½(xy − 1)² from (2.5, 0.1) larger GD steps end at flatter minima (math-spec 2.5).
    #[test]
    fn larger_steps_find_flatter_minima() {
        let f = Surface::new(SurfaceKind::Valley, 1.0, 0.0);
        let sharp = |lr: f64, n: usize| {
            let t = run(Method::Gd, &f, [2.5, 0.1], lr, 0.0, n);
            let [x, y] = *t.path.last().unwrap();
            assert!((x * y - 1.0).abs() < 1e-6, "converged to the valley floor");
            x * x + y * y
        };
        let (a, b, c) = (sharp(1e-3, 60_000), sharp(0.2, 2000), sharp(0.25, 2000));
        assert!((a - 6.552).abs() < 2e-3 && (b - 6.409).abs() < 2e-3 && (c - 6.240).abs() < 2e-3, "{a} {b} {c}");
        assert!(a > b && b > c);
        // The flow conserves x² − y².
        let fl = run(Method::Flow, &f, [2.5, 0.1], 0.5, 0.0, 40);
        for p in &fl.path {
            assert!((p[0] * p[0] - p[1] * p[1] - (6.25 - 0.01)).abs() < 1e-8);
        }
    }

    /// One GD step differs from the flow by O(η²) and from the modified flow by O(η³).
    #[test]
    fn local_error_orders() {
        let f = Surface::new(SurfaceKind::Rosenbrock, 1.0, 0.0);
        let start = [-0.5, 0.6];
        let mut pts_flow = Vec::new();
        let mut pts_mod = Vec::new();
        for k in 0..5 {
            let lr = 2e-3 / 2f64.powi(k);
            let gd = run(Method::Gd, &f, start, lr, 0.0, 1).path[1];
            let fl = run(Method::Flow, &f, start, lr, 0.0, 1).path[1];
            let md = run(Method::Modified, &f, start, lr, 0.0, 1).path[1];
            let d = |a: [f64; 2], b: [f64; 2]| ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt();
            pts_flow.push((lr.ln(), d(gd, fl).ln()));
            pts_mod.push((lr.ln(), d(gd, md).ln()));
        }
        let slope = |p: &[(f64, f64)]| {
            let n = p.len() as f64;
            let (mx, my) = (p.iter().map(|q| q.0).sum::<f64>() / n, p.iter().map(|q| q.1).sum::<f64>() / n);
            p.iter().map(|q| (q.0 - mx) * (q.1 - my)).sum::<f64>() / p.iter().map(|q| (q.0 - mx).powi(2)).sum::<f64>()
        };
        let (s2, s3) = (slope(&pts_flow), slope(&pts_mod));
        assert!((s2 - 2.0).abs() < 0.15, "GD − flow slope {s2}");
        assert!((s3 - 3.0).abs() < 0.2, "GD − modified flow slope {s3}");
    }

    #[test]
    fn sign_and_coordinate_descent_are_steepest_descent_under_l_inf_and_l1() {
        let f = Surface::new(SurfaceKind::Quadratic, 10.0, 30.0);
        let s = run(Method::Sign, &f, [1.0, 0.5], 0.015625, 0.0, 5);
        let c = run(Method::Coord, &f, [1.0, 0.5], 0.05, 0.0, 5);
        for w in s.path.windows(2) {
            assert_eq!((w[1][0] - w[0][0]).abs(), 0.015625);
            assert_eq!((w[1][1] - w[0][1]).abs(), 0.015625);
        }
        for w in c.path.windows(2) {
            assert!((w[1][0] == w[0][0]) != (w[1][1] == w[0][1]), "exactly one coordinate moves");
        }
    }

    #[test]
    fn divergence_stops_the_track_with_finite_points() {
        let f = Surface::new(SurfaceKind::Quadratic, 20.0, 0.0);
        let mut t = Track::new(Method::Gd, [1.0, 1.0], &f);
        for _ in 0..1000 {
            t.step(&f, 0.5, 0.0, [0.0, 0.0], 200.0);
        }
        assert!(t.diverged.is_some());
        assert!(t.path.iter().flatten().all(|v| v.is_finite()));
    }
}
