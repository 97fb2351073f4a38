//! Two-dimensional test losses with analytic value, gradient and Hessian (math-spec 2.1).
//!
//! Shared by every 2-D lab (optimizer paths, gradient flow). The formulas are written out by hand
//! rather than differentiated automatically so that each can be checked against the spec's
//! reference values and against finite differences.

use super::View;
use nalgebra::{Matrix2, Vector2};

/// Anything with a value, gradient and Hessian on the plane.
pub trait Objective {
    /// L(θ).
    fn value(&self, p: Vector2<f64>) -> f64;
    /// ∇L(θ).
    fn grad(&self, p: Vector2<f64>) -> Vector2<f64>;
    /// ∇²L(θ).
    fn hessian(&self, p: Vector2<f64>) -> Matrix2<f64>;
}

/// The built-in surfaces. The names are URL values: never rename one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SurfaceKind {
    /// ½θᵀ R_φ diag(1, κ) R_φᵀ θ.
    Quadratic,
    /// ½(x² − y²).
    Saddle,
    /// (1 − x)² + 100(y − x²)².
    Rosenbrock,
    /// Beale's function, minimum at (3, 0.5).
    Beale,
    /// Himmelblau's function: four minima.
    Himmelblau,
    /// ½(xy − 1)²: a valley of minima whose sharpness x² + y² varies.
    Valley,
    /// A formula typed by the learner (see [`crate::math::expr`]).
    Custom,
}

/// (URL value, label) of every surface, for selects.
pub const SURFACE_OPTIONS: &[(&str, &str)] = &[
    ("quadratic", "Rotated quadratic"),
    ("saddle", "Saddle ½(x²−y²)"),
    ("rosenbrock", "Rosenbrock"),
    ("beale", "Beale"),
    ("himmelblau", "Himmelblau"),
    ("valley", "Valley ½(xy−1)²"),
    ("custom", "Your own f(x, y)"),
];

impl SurfaceKind {
    /// All built-in surfaces, in menu order.
    pub const ALL: [SurfaceKind; 7] = [
        SurfaceKind::Quadratic,
        SurfaceKind::Saddle,
        SurfaceKind::Rosenbrock,
        SurfaceKind::Beale,
        SurfaceKind::Himmelblau,
        SurfaceKind::Valley,
        SurfaceKind::Custom,
    ];

    /// The URL value.
    pub const fn key(self) -> &'static str {
        match self {
            SurfaceKind::Quadratic => "quadratic",
            SurfaceKind::Saddle => "saddle",
            SurfaceKind::Rosenbrock => "rosenbrock",
            SurfaceKind::Beale => "beale",
            SurfaceKind::Himmelblau => "himmelblau",
            SurfaceKind::Valley => "valley",
            SurfaceKind::Custom => "custom",
        }
    }

    /// Parses a URL value.
    pub fn from_key(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == s)
    }

    /// The window a learner first sees.
    pub const fn default_view(self) -> View {
        match self {
            SurfaceKind::Quadratic => View::new(-2.0, 2.0, -2.0, 2.0),
            SurfaceKind::Saddle => View::new(-2.0, 2.0, -2.0, 2.0),
            SurfaceKind::Rosenbrock => View::new(-2.0, 2.0, -1.0, 3.0),
            SurfaceKind::Beale => View::new(-4.5, 4.5, -4.5, 4.5),
            SurfaceKind::Himmelblau => View::new(-5.0, 5.0, -5.0, 5.0),
            SurfaceKind::Valley => View::new(-0.5, 3.5, -0.5, 3.5),
            SurfaceKind::Custom => View::new(-10.0, 10.0, -10.0, 10.0),
        }
    }

    /// The start point a learner first sees: chosen so the classic behaviour shows.
    pub const fn default_start(self) -> (f64, f64) {
        match self {
            SurfaceKind::Quadratic => (-1.6, 1.1),
            SurfaceKind::Saddle => (1.5, 0.05),
            SurfaceKind::Rosenbrock => (-1.2, 1.0),
            SurfaceKind::Beale => (1.0, 1.4),
            SurfaceKind::Himmelblau => (-0.3, -0.95),
            SurfaceKind::Valley => (2.5, 0.1),
            SurfaceKind::Custom => (-7.0, -5.0),
        }
    }

    /// Known minima, marked on plots so a learner sees where paths should go.
    pub const fn minima(self) -> &'static [(f64, f64)] {
        match self {
            SurfaceKind::Quadratic => &[(0.0, 0.0)],
            SurfaceKind::Saddle | SurfaceKind::Valley | SurfaceKind::Custom => &[],
            SurfaceKind::Rosenbrock => &[(1.0, 1.0)],
            SurfaceKind::Beale => &[(3.0, 0.5)],
            SurfaceKind::Himmelblau => &[(3.0, 2.0), (-2.805118, 3.131313), (-3.779310, -3.283186), (3.584428, -1.848127)],
        }
    }

    /// The global minimum value, where the surface has one (the saddle is unbounded below).
    pub const fn min_value(self) -> Option<f64> {
        match self {
            SurfaceKind::Saddle | SurfaceKind::Custom => None,
            _ => Some(0.0),
        }
    }
}

/// A surface with its parameters resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Surface {
    /// Which surface.
    pub kind: SurfaceKind,
    /// Hessian of the quadratic (unused by the other surfaces).
    h: Matrix2<f64>,
    /// The compiled formula of a custom surface.
    prog: Option<std::rc::Rc<crate::math::expr::Program>>,
}

impl Surface {
    /// `kappa` and `phi_deg` matter only for the quadratic: H = R_φ diag(1, κ) R_φᵀ.
    pub fn new(kind: SurfaceKind, kappa: f64, phi_deg: f64) -> Self {
        let (s, c) = phi_deg.to_radians().sin_cos();
        let r = Matrix2::new(c, -s, s, c);
        let h = r * Matrix2::new(1.0, 0.0, 0.0, kappa) * r.transpose();
        // Symmetrise exactly: rounding in the product can leave h12 ≠ h21 in the last bit.
        let h = (h + h.transpose()) * 0.5;
        Surface { kind, h, prog: None }
    }

    /// A typed surface.
    pub fn custom(prog: std::rc::Rc<crate::math::expr::Program>) -> Self {
        Surface { kind: SurfaceKind::Custom, h: Matrix2::identity(), prog: Some(prog) }
    }

    /// f on the grid `cols` × `rows`, row-major (heat maps): the compiled grid evaluation for
    /// typed formulas.
    pub fn grid(&self, cols: &[f64], rows: &[f64]) -> Vec<f64> {
        match &self.prog {
            Some(p) => p.grid(cols, rows),
            None => rows.iter().flat_map(|&y| cols.iter().map(move |&x| self.value(Vector2::new(x, y)))).collect(),
        }
    }
}

impl Objective for Surface {
    fn value(&self, p: Vector2<f64>) -> f64 {
        let (x, y) = (p.x, p.y);
        match self.kind {
            SurfaceKind::Custom => self.prog.as_ref().map_or(f64::NAN, |q| q.value(x, y)),
            SurfaceKind::Quadratic => 0.5 * p.dot(&(self.h * p)),
            SurfaceKind::Saddle => 0.5 * (x * x - y * y),
            SurfaceKind::Rosenbrock => (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2),
            SurfaceKind::Beale => {
                let (a, b, c) = beale_terms(x, y);
                a * a + b * b + c * c
            }
            SurfaceKind::Himmelblau => (x * x + y - 11.0).powi(2) + (x + y * y - 7.0).powi(2),
            SurfaceKind::Valley => 0.5 * (x * y - 1.0).powi(2),
        }
    }

    fn grad(&self, p: Vector2<f64>) -> Vector2<f64> {
        let (x, y) = (p.x, p.y);
        match self.kind {
            SurfaceKind::Custom => self.prog.as_ref().map_or(Vector2::new(f64::NAN, f64::NAN), |q| q.derivatives(x, y).1),
            SurfaceKind::Quadratic => self.h * p,
            SurfaceKind::Saddle => Vector2::new(x, -y),
            SurfaceKind::Rosenbrock => Vector2::new(-2.0 * (1.0 - x) - 400.0 * x * (y - x * x), 200.0 * (y - x * x)),
            SurfaceKind::Beale => {
                let (a, b, c) = beale_terms(x, y);
                Vector2::new(
                    2.0 * a * (y - 1.0) + 2.0 * b * (y * y - 1.0) + 2.0 * c * (y * y * y - 1.0),
                    2.0 * a * x + 4.0 * b * x * y + 6.0 * c * x * y * y,
                )
            }
            SurfaceKind::Himmelblau => {
                let u = x * x + y - 11.0;
                let v = x + y * y - 7.0;
                Vector2::new(4.0 * x * u + 2.0 * v, 2.0 * u + 4.0 * y * v)
            }
            SurfaceKind::Valley => {
                let r = x * y - 1.0;
                Vector2::new(r * y, r * x)
            }
        }
    }

    fn hessian(&self, p: Vector2<f64>) -> Matrix2<f64> {
        let (x, y) = (p.x, p.y);
        match self.kind {
            SurfaceKind::Custom => self.prog.as_ref().map_or(Matrix2::from_element(f64::NAN), |q| q.derivatives(x, y).2),
            SurfaceKind::Quadratic => self.h,
            SurfaceKind::Saddle => Matrix2::new(1.0, 0.0, 0.0, -1.0),
            SurfaceKind::Rosenbrock => {
                let hxy = -400.0 * x;
                Matrix2::new(1200.0 * x * x - 400.0 * y + 2.0, hxy, hxy, 200.0)
            }
            SurfaceKind::Beale => {
                let (a, b, c) = beale_terms(x, y);
                // ∂a/∂x = y − 1, ∂b/∂x = y² − 1, ∂c/∂x = y³ − 1; ∂a/∂y = x, ∂b/∂y = 2xy, ∂c/∂y = 3xy².
                let (ax, bx, cx) = (y - 1.0, y * y - 1.0, y * y * y - 1.0);
                let (ay, by, cy) = (x, 2.0 * x * y, 3.0 * x * y * y);
                let hxx = 2.0 * (ax * ax + bx * bx + cx * cx);
                let hyy = 2.0 * (ay * ay + by * by + cy * cy) + 2.0 * (b * 2.0 * x + c * 6.0 * x * y);
                let hxy = 2.0 * (ax * ay + bx * by + cx * cy) + 2.0 * (a + b * 2.0 * y + c * 3.0 * y * y);
                Matrix2::new(hxx, hxy, hxy, hyy)
            }
            SurfaceKind::Himmelblau => {
                let hxy = 4.0 * x + 4.0 * y;
                Matrix2::new(12.0 * x * x + 4.0 * y - 42.0, hxy, hxy, 4.0 * x + 12.0 * y * y - 26.0)
            }
            SurfaceKind::Valley => {
                let hxy = 2.0 * x * y - 1.0;
                Matrix2::new(y * y, hxy, hxy, x * x)
            }
        }
    }
}

fn beale_terms(x: f64, y: f64) -> (f64, f64, f64) {
    (1.5 - x + x * y, 2.25 - x + x * y * y, 2.625 - x + x * y * y * y)
}

/// "x = …, y = …, L = …, ‖∇L‖ = …": the hover text of 2-D labs.
pub fn describe_point(f: &impl Objective, x: f64, y: f64) -> String {
    use crate::fmt::fmt_sig;
    let p = Vector2::new(x, y);
    format!("x = {}, y = {}, L = {}, ‖∇L‖ = {}", fmt_sig(x, 4), fmt_sig(y, 4), fmt_sig(f.value(p), 4), fmt_sig(f.grad(p).norm(), 4))
}

/// Eigenvalues of a symmetric 2×2 matrix, ascending (closed form; no iteration, no panic).
pub fn sym_eigenvalues(h: &Matrix2<f64>) -> (f64, f64) {
    let m = 0.5 * (h[(0, 0)] + h[(1, 1)]);
    let d = 0.5 * (h[(0, 0)] - h[(1, 1)]);
    let r = d.hypot(h[(0, 1)]);
    (m - r, m + r)
}

/// |H| = V|Λ|Vᵀ for a symmetric 2×2 matrix (the saddle-free Newton preconditioner).
pub fn sym_abs(h: &Matrix2<f64>) -> Matrix2<f64> {
    let e = nalgebra::SymmetricEigen::new(*h);
    let v = e.eigenvectors;
    let l = Matrix2::new(e.eigenvalues[0].abs(), 0.0, 0.0, e.eigenvalues[1].abs());
    v * l * v.transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(x: f64, y: f64) -> Vector2<f64> {
        Vector2::new(x, y)
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * (1.0 + b.abs())
    }

    #[test]
    fn rosenbrock_reference_values() {
        let s = Surface::new(SurfaceKind::Rosenbrock, 1.0, 0.0);
        assert!(close(s.value(v(-1.2, 1.0)), 24.2, 1e-12));
        let g = s.grad(v(-1.2, 1.0));
        assert!(close(g.x, -215.6, 1e-12) && close(g.y, -88.0, 1e-12), "{g:?}");
        let h = s.hessian(v(-1.2, 1.0));
        assert_eq!(h, Matrix2::new(1330.0, 480.0, 480.0, 200.0));
        let (l0, l1) = sym_eigenvalues(&s.hessian(v(1.0, 1.0)));
        assert!(close(l0, 0.399361, 1e-6) && close(l1, 1001.600639, 1e-6), "{l0} {l1}");
        assert!(close(s.value(v(-1.5, 2.0)), 12.5, 1e-12));
    }

    #[test]
    fn beale_and_himmelblau_reference_values() {
        let b = Surface::new(SurfaceKind::Beale, 1.0, 0.0);
        assert!(close(b.value(v(1.0, 1.0)), 14.203125, 1e-12));
        assert_eq!(b.value(v(3.0, 0.5)), 0.0);
        let h = Surface::new(SurfaceKind::Himmelblau, 1.0, 0.0);
        for (x, y) in [(3.0, 2.0), (-2.805118, 3.131313), (-3.779310, -3.283186), (3.584428, -1.848127)] {
            assert!(h.value(v(x, y)) < 1e-9, "({x},{y})");
        }
        let lm = v(-0.270845, -0.923039);
        assert!(close(h.value(lm), 181.616522, 1e-7));
        assert!(h.grad(lm).norm() < 1e-4);
    }

    #[test]
    fn quadratic_rotation_and_condition() {
        let q = Surface::new(SurfaceKind::Quadratic, 20.0, 37.0);
        let (l0, l1) = sym_eigenvalues(&q.hessian(v(0.3, 0.2)));
        assert!(close(l0, 1.0, 1e-12) && close(l1, 20.0, 1e-12));
        // φ = 0 puts the stiff direction on y.
        let q0 = Surface::new(SurfaceKind::Quadratic, 20.0, 0.0);
        assert!(close(q0.value(v(0.0, 1.0)), 10.0, 1e-12));
        assert!(close(q0.value(v(1.0, 0.0)), 0.5, 1e-12));
        // 2.3's rotated example: diag(1, 100) rotated by 45° is [[50.5, −49.5], [−49.5, 50.5]].
        let r = Surface::new(SurfaceKind::Quadratic, 100.0, 45.0).hessian(v(0.0, 0.0));
        assert!(close(r[(0, 0)], 50.5, 1e-12) && close(r[(0, 1)], -49.5, 1e-12));
    }

    /// Gradients and Hessians against central finite differences at scattered points.
    #[test]
    fn derivatives_match_finite_differences() {
        let pts = [(-1.2, 1.0), (0.3, -0.7), (1.7, 0.4), (-0.9, -1.3), (2.2, 1.9)];
        for kind in SurfaceKind::ALL.into_iter().filter(|k| *k != SurfaceKind::Custom) {
            let s = Surface::new(kind, 7.0, 25.0);
            for &(x, y) in &pts {
                let p = v(x, y);
                let h = 1e-5;
                let fd_g = v(
                    (s.value(p + v(h, 0.0)) - s.value(p - v(h, 0.0))) / (2.0 * h),
                    (s.value(p + v(0.0, h)) - s.value(p - v(0.0, h))) / (2.0 * h),
                );
                let g = s.grad(p);
                assert!((g - fd_g).norm() <= 1e-6 * (1.0 + g.norm()), "{kind:?} grad at {p:?}: {g:?} vs {fd_g:?}");
                let col0 = (s.grad(p + v(h, 0.0)) - s.grad(p - v(h, 0.0))) / (2.0 * h);
                let col1 = (s.grad(p + v(0.0, h)) - s.grad(p - v(0.0, h))) / (2.0 * h);
                let fd_h = Matrix2::from_columns(&[col0, col1]);
                let hh = s.hessian(p);
                assert!((hh - fd_h).norm() <= 1e-5 * (1.0 + hh.norm()), "{kind:?} hessian at {p:?}: {hh} vs {fd_h}");
                assert_eq!(hh[(0, 1)], hh[(1, 0)], "{kind:?} hessian symmetric");
            }
        }
    }

    #[test]
    fn sym_abs_flips_negative_curvature() {
        let a = sym_abs(&Matrix2::new(1.0, 0.0, 0.0, -3.0));
        assert!((a - Matrix2::new(1.0, 0.0, 0.0, 3.0)).norm() < 1e-14);
        let h = Matrix2::new(2.0, 1.0, 1.0, -2.0);
        let (l0, l1) = sym_eigenvalues(&sym_abs(&h));
        let (m0, m1) = sym_eigenvalues(&h);
        assert!(close(l0, m0.abs().min(m1.abs()), 1e-12) && close(l1, m0.abs().max(m1.abs()), 1e-12));
    }

    #[test]
    fn keys_round_trip() {
        for k in SurfaceKind::ALL {
            assert_eq!(SurfaceKind::from_key(k.key()), Some(k));
        }
        assert_eq!(SurfaceKind::from_key("nope"), None);
    }
}
