//! Gaussians in one and two dimensions (wave-2 spec §W3; posts 8512, 9660, 10289, 8578): KL both
//! ways, Bhattacharyya, Hellinger², W₂² and the optimal-transport map; the Wasserstein gradient flow
//! of KL(q‖p) in closed form and three particle methods for it; the closed-form classifiers of a
//! two-class Gaussian model next to logistic regression by Newton's method.
//!
//! Every Gaussian is stored by its eigen-decomposition Σ = R(θ)·diag(sd²)·R(θ)ᵀ, never by the
//! entries of Σ: the lab hands us axis standard deviations and an angle, and with sds from 1e-6 to
//! 1e6 the entries of Σ (condition number 1e24) no longer determine its small eigenvalue, while the
//! eigen form does exactly. All divergences are then computed in one Gaussian's whitened eigen-frame,
//! where they are sums of non-negative terms (KL ≥ 0 and BD ≥ 0 hold in floating point, not only on
//! paper), and every matrix square root is a symmetric eigen-square-root.
//!
//! A 1-D Gaussian N(μ, σ²) is stored as N((μ, 0), diag(σ², 1)): KL, BD and W₂² are additive over
//! independent factors and vanish on identical ones, so one 2-D code path serves both dimensions
//! exactly (the padding coordinate contributes an exact 0), and `dim` only decides what is reported.
//!
//! Nothing here panics: invalid input (non-finite numbers, singular or indefinite covariances,
//! mismatched dimensions, unstable step sizes) comes back as a [`GaussError`] for the lab to show as
//! a notice.

use crate::math::rng::Rng;
use crate::math::softmax::phi_cdf;
use std::f64::consts::{LN_2, PI};

/// A point or vector of the plane.
pub type Vec2 = [f64; 2];
/// A 2×2 matrix, by rows.
pub type Mat2 = [[f64; 2]; 2];

/// Smallest accepted axis standard deviation. The formulas square products of up to four sds (e.g.
/// det(Σ_p^{1/2}Σ_qΣ_p^{1/2})), which must stay inside the normal range of f64.
pub const SD_MIN: f64 = 1e-30;
/// Largest accepted axis standard deviation (see [`SD_MIN`]).
pub const SD_MAX: f64 = 1e30;
/// Largest accepted |coordinate| of a mean or a data point: squared distances divided by the
/// smallest variance then stay finite (2e100² / 1e-60 < 1e308).
pub const COORD_MAX: f64 = 1e100;
/// Largest number of particles or data points (memory, not numerics).
pub const MAX_POINTS: usize = 2_000_000;
/// A covariance given by its entries counts as singular when λ_min/λ_max is below this: its small
/// eigenvalue is then below the rounding error of the entries and means nothing.
pub const COND_MIN: f64 = 1e-14;

/// Why a computation was refused. The lab shows these as notices.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum GaussError {
    /// A number was NaN or infinite.
    NonFinite,
    /// A covariance is singular (a zero standard deviation, or λ_min/λ_max below [`COND_MIN`]).
    Singular,
    /// A covariance has a clearly negative eigenvalue, or is not symmetric.
    NotPositiveDefinite,
    /// A value lies outside the accepted range ([`SD_MIN`]…[`SD_MAX`], |x| ≤ [`COORD_MAX`], a
    /// negative time or step, a prior outside (0, 1)).
    OutOfRange,
    /// Dimension other than 1 or 2, or two Gaussians of different dimension.
    Dimension,
    /// Too many points (more than [`MAX_POINTS`]) or too few (none; or a class with no points).
    Count,
    /// Euler–Maruyama is unstable for this step: it needs dt < `dt_max` = 2·λ_min(Σ*).
    Unstable {
        /// The largest stable step.
        dt_max: f64,
    },
}

impl std::fmt::Display for GaussError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GaussError::NonFinite => write!(f, "a value is not a finite number"),
            GaussError::Singular => write!(f, "the covariance is singular"),
            GaussError::NotPositiveDefinite => write!(f, "the covariance is not positive definite"),
            GaussError::OutOfRange => write!(f, "a value is out of range"),
            GaussError::Dimension => write!(f, "dimensions do not match"),
            GaussError::Count => write!(f, "too many or too few points"),
            GaussError::Unstable { dt_max } => write!(f, "Euler–Maruyama is unstable: dt must be below {dt_max}"),
        }
    }
}

impl std::error::Error for GaussError {}

// ------------------------------------------------------------------------------------------------
// 2×2 linear algebra on arrays (nalgebra's generality costs more than these few lines).

fn rotation(theta: f64) -> Mat2 {
    let (s, c) = theta.sin_cos();
    [[c, -s], [s, c]]
}

fn mul(a: Mat2, b: Mat2) -> Mat2 {
    [
        [a[0][0] * b[0][0] + a[0][1] * b[1][0], a[0][0] * b[0][1] + a[0][1] * b[1][1]],
        [a[1][0] * b[0][0] + a[1][1] * b[1][0], a[1][0] * b[0][1] + a[1][1] * b[1][1]],
    ]
}

fn transpose(a: Mat2) -> Mat2 {
    [[a[0][0], a[1][0]], [a[0][1], a[1][1]]]
}

fn mat_vec(a: Mat2, v: Vec2) -> Vec2 {
    [a[0][0] * v[0] + a[0][1] * v[1], a[1][0] * v[0] + a[1][1] * v[1]]
}

/// R·diag(d)·Rᵀ, exactly symmetric.
fn conj_diag(r: Mat2, d: Vec2) -> Mat2 {
    let a = r[0][0] * r[0][0] * d[0] + r[0][1] * r[0][1] * d[1];
    let b = r[0][0] * r[1][0] * d[0] + r[0][1] * r[1][1] * d[1];
    let c = r[1][0] * r[1][0] * d[0] + r[1][1] * r[1][1] * d[1];
    [[a, b], [b, c]]
}

/// R·S·Rᵀ for symmetric S, returned exactly symmetric.
fn conj(r: Mat2, s: Mat2) -> Mat2 {
    symmetrise(mul(mul(r, s), transpose(r)))
}

fn symmetrise(a: Mat2) -> Mat2 {
    let b = 0.5 * (a[0][1] + a[1][0]);
    [[a[0][0], b], [b, a[1][1]]]
}

fn sub(a: Vec2, b: Vec2) -> Vec2 {
    [a[0] - b[0], a[1] - b[1]]
}

fn dot(a: Vec2, b: Vec2) -> f64 {
    a[0] * b[0] + a[1] * b[1]
}

fn frob2(a: Mat2) -> f64 {
    a[0][0] * a[0][0] + a[0][1] * a[0][1] + a[1][0] * a[1][0] + a[1][1] * a[1][1]
}

fn all_finite(a: &[f64]) -> bool {
    a.iter().all(|v| v.is_finite())
}

/// Eigen-decomposition of a symmetric 2×2 matrix by one Jacobi rotation: eigenvalues `l[0] ≥ l[1]`
/// with eigenvectors (c, s) and (−s, c). The rotation angle ½·atan2(2b, a − d) is accurate however
/// close the eigenvalues are; `l[1] = m − r` loses relative accuracy only when the matrix is
/// ill-conditioned, and callers that know the determinant exactly pass it to [`sym_eig_det`].
#[derive(Clone, Copy, Debug)]
struct SymEig {
    c: f64,
    s: f64,
    l: Vec2,
}

fn sym_eig(m: Mat2) -> SymEig {
    let (a, b, d) = (m[0][0], 0.5 * (m[0][1] + m[1][0]), m[1][1]);
    let half = 0.5 * (a - d);
    let r = half.hypot(b);
    let mean = 0.5 * (a + d);
    let (s, c) = if b == 0.0 && half >= 0.0 { (0.0, 1.0) } else { (0.5 * b.atan2(half)).sin_cos() };
    SymEig { c, s, l: [mean + r, mean - r] }
}

/// [`sym_eig`] with the small eigenvalue from a determinant known to full relative accuracy.
fn sym_eig_det(m: Mat2, det: f64) -> SymEig {
    let mut e = sym_eig(m);
    if e.l[0] > 0.0 {
        e.l[1] = det / e.l[0];
    }
    e
}

impl SymEig {
    fn rot(&self) -> Mat2 {
        [[self.c, -self.s], [self.s, self.c]]
    }

    /// f(S) = U·diag(f(λ))·Uᵀ.
    fn map(&self, f: impl Fn(f64) -> f64) -> Mat2 {
        conj_diag(self.rot(), [f(self.l[0]), f(self.l[1])])
    }
}

/// λ − 1 − ln λ ≥ 0, the per-eigenvalue term of KL, without cancellation near λ = 1 (and without
/// the ln_1p(λ − 1) trap for λ below 1e-16, where λ − 1 rounds to −1).
fn kl_term(l: f64) -> f64 {
    if l > 0.5 && l < 2.0 {
        let x = l - 1.0;
        x - x.ln_1p()
    } else {
        l - 1.0 - l.ln()
    }
}

/// ln cosh y ≥ 0 without overflow or cancellation: ln(1 + 2 sinh²(y/2)) near 0, |y| + ln(1 + e^{−2|y|}) − ln 2 beyond.
fn ln_cosh(y: f64) -> f64 {
    let a = y.abs();
    if a < 0.5 {
        let sh = (0.5 * a).sinh();
        (2.0 * sh * sh).ln_1p()
    } else {
        a + (-2.0 * a).exp().ln_1p() - LN_2
    }
}

// ------------------------------------------------------------------------------------------------
// Gaussians

/// A Gaussian N(μ, Σ) in 1 or 2 dimensions, Σ = R(θ)·diag(sd²)·R(θ)ᵀ (see the module notes on
/// the 1-D padding).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Gaussian {
    dim: usize,
    mean: Vec2,
    sd: Vec2,
    /// Axis angle in radians, in [0, π); 0 when the sds are equal (the angle is then meaningless).
    theta: f64,
}

fn check_dim(dim: usize) -> Result<(), GaussError> {
    if dim == 1 || dim == 2 {
        Ok(())
    } else {
        Err(GaussError::Dimension)
    }
}

fn check_coords(v: &[f64]) -> Result<(), GaussError> {
    if !all_finite(v) {
        Err(GaussError::NonFinite)
    } else if v.iter().any(|x| x.abs() > COORD_MAX) {
        Err(GaussError::OutOfRange)
    } else {
        Ok(())
    }
}

impl Gaussian {
    /// N(mean, R(ang)·diag(sd²)·R(ang)ᵀ) with the angle in degrees (any value; axes repeat every
    /// 180°). In 1-D only `mean[0]` and `sd[0]` are read. Refuses sd = 0 ([`GaussError::Singular`]),
    /// negative or out-of-range sds and means, and non-finite numbers.
    pub fn from_axes(dim: usize, mean: Vec2, sd: Vec2, ang_deg: f64) -> Result<Self, GaussError> {
        check_dim(dim)?;
        let (mean, sd, ang) = if dim == 1 { ([mean[0], 0.0], [sd[0], 1.0], 0.0) } else { (mean, sd, ang_deg) };
        check_coords(&mean)?;
        if !all_finite(&sd) || !ang.is_finite() {
            return Err(GaussError::NonFinite);
        }
        if sd.iter().any(|&s| s == 0.0) {
            return Err(GaussError::Singular);
        }
        if sd.iter().any(|&s| !(SD_MIN..=SD_MAX).contains(&s)) {
            return Err(GaussError::OutOfRange);
        }
        // rem_euclid keeps 0° and 180° identical, so equal inputs give bitwise-equal Gaussians.
        let theta = if sd[0] == sd[1] { 0.0 } else { ang.rem_euclid(180.0).to_radians() };
        Ok(Gaussian { dim, mean, sd, theta })
    }

    /// N(mean, cov) from the entries of a covariance (in 1-D only `cov[0][0]`). The symmetric
    /// eigen-decomposition gives the axes; refused when cov is not symmetric (beyond rounding) or not
    /// positive definite, or when λ_min/λ_max < [`COND_MIN`] (singular to working precision).
    pub fn from_cov(dim: usize, mean: Vec2, cov: Mat2) -> Result<Self, GaussError> {
        check_dim(dim)?;
        if dim == 1 {
            return if cov[0][0].is_finite() && cov[0][0] > 0.0 {
                Gaussian::from_axes(1, mean, [cov[0][0].sqrt(), 1.0], 0.0)
            } else if cov[0][0].is_finite() {
                Err(if cov[0][0] == 0.0 { GaussError::Singular } else { GaussError::NotPositiveDefinite })
            } else {
                Err(GaussError::NonFinite)
            };
        }
        if !all_finite(&[cov[0][0], cov[0][1], cov[1][0], cov[1][1]]) {
            return Err(GaussError::NonFinite);
        }
        let scale = cov[0][0].abs().max(cov[1][1].abs());
        if (cov[0][1] - cov[1][0]).abs() > 1e-12 * scale {
            return Err(GaussError::NotPositiveDefinite);
        }
        let e = sym_eig(cov);
        if !(e.l[0] > 0.0) || e.l[1] < -COND_MIN * e.l[0] {
            return Err(GaussError::NotPositiveDefinite);
        }
        if e.l[1] <= COND_MIN * e.l[0] {
            return Err(GaussError::Singular);
        }
        let theta = e.s.atan2(e.c);
        Gaussian::from_axes(2, mean, [e.l[0].sqrt(), e.l[1].sqrt()], theta.to_degrees())
    }

    /// 1 or 2.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The mean (in 1-D the second coordinate is 0).
    pub fn mean(&self) -> Vec2 {
        self.mean
    }

    /// The axis standard deviations (in 1-D the second is the padding 1).
    pub fn sd(&self) -> Vec2 {
        self.sd
    }

    /// The axis angle in degrees, in [0, 180).
    pub fn angle_deg(&self) -> f64 {
        self.theta.to_degrees()
    }

    /// The same Gaussian moved to another mean (validated like [`Gaussian::from_axes`]).
    pub fn with_mean(&self, mean: Vec2) -> Result<Self, GaussError> {
        let mean = if self.dim == 1 { [mean[0], 0.0] } else { mean };
        check_coords(&mean)?;
        Ok(Gaussian { mean, ..*self })
    }

    fn rot(&self) -> Mat2 {
        rotation(self.theta)
    }

    /// Σ (2×2; in 1-D the padded diag(σ², 1)).
    pub fn cov(&self) -> Mat2 {
        conj_diag(self.rot(), [self.sd[0] * self.sd[0], self.sd[1] * self.sd[1]])
    }

    /// Σ as `dim` rows of `dim` numbers (what the JSON reports).
    pub fn cov_rows(&self) -> Vec<Vec<f64>> {
        rows(self.cov(), self.dim)
    }

    /// Σ^{1/2}, the symmetric square root.
    pub fn sqrt_cov(&self) -> Mat2 {
        conj_diag(self.rot(), self.sd)
    }

    /// ln det Σ (exact from the sds; the padding adds 0).
    pub fn log_det(&self) -> f64 {
        2.0 * (self.sd[0].ln() + self.sd[1].ln())
    }

    /// Differential entropy ½n(1 + ln 2π) + ½ ln det Σ, in nats.
    pub fn entropy(&self) -> f64 {
        let n = self.dim as f64;
        0.5 * n * (1.0 + (2.0 * PI).ln()) + 0.5 * self.log_det()
    }

    /// The point in the whitened eigen-frame: D⁻¹Rᵀ(x − μ).
    fn whiten(&self, x: Vec2) -> Vec2 {
        let (s, c) = self.theta.sin_cos();
        let d = sub(x, self.mean);
        [(c * d[0] + s * d[1]) / self.sd[0], (-s * d[0] + c * d[1]) / self.sd[1]]
    }

    /// μ + R·D·z: the point whose whitened coordinates are z.
    fn unwhiten(&self, z: Vec2) -> Vec2 {
        let (s, c) = self.theta.sin_cos();
        let (a, b) = (self.sd[0] * z[0], self.sd[1] * z[1]);
        [self.mean[0] + c * a - s * b, self.mean[1] + s * a + c * b]
    }

    /// ln N(x; μ, Σ) (in 1-D only x[0] is read).
    pub fn log_density(&self, x: Vec2) -> f64 {
        let x = if self.dim == 1 { [x[0], 0.0] } else { x };
        let z = self.whiten(x);
        let z2 = if self.dim == 1 { z[0] * z[0] } else { dot(z, z) };
        let half_log_det = if self.dim == 1 { self.sd[0].ln() } else { 0.5 * self.log_det() };
        -0.5 * z2 - half_log_det - 0.5 * self.dim as f64 * (2.0 * PI).ln()
    }

    /// `n` independent draws (in 1-D the second coordinate is 0).
    pub fn sample(&self, n: usize, rng: &mut Rng) -> Result<Vec<Vec2>, GaussError> {
        if n > MAX_POINTS {
            return Err(GaussError::Count);
        }
        Ok((0..n)
            .map(|_| {
                let z = [rng.normal(), if self.dim == 2 { rng.normal() } else { 0.0 }];
                self.unwhiten(z)
            })
            .collect())
    }

    /// The k-σ ellipse as a closed polygon of `n` + 1 points (the first repeated at the end). In 1-D,
    /// the interval [μ − kσ, μ + kσ] as its two end points on the x-axis.
    pub fn ellipse(&self, k: f64, n: usize) -> Vec<Vec2> {
        if self.dim == 1 {
            return vec![[self.mean[0] - k * self.sd[0], 0.0], [self.mean[0] + k * self.sd[0], 0.0]];
        }
        let n = n.clamp(3, 100_000);
        (0..=n)
            .map(|i| {
                let (s, c) = (2.0 * PI * (i % n) as f64 / n as f64).sin_cos();
                self.unwhiten([k * c, k * s])
            })
            .collect()
    }

    /// The two drag handles: μ + sd_i·(i-th axis direction). In 1-D the second is μ + σ as well.
    pub fn axis_handles(&self) -> [Vec2; 2] {
        if self.dim == 1 {
            let h = [self.mean[0] + self.sd[0], 0.0];
            return [h, h];
        }
        [self.unwhiten([1.0, 0.0]), self.unwhiten([0.0, 1.0])]
    }

    /// A k × k grid of quantile points: μ + R·D·(Φ⁻¹(u_i), Φ⁻¹(u_j)), u_i = (i + ½)/k — equal
    /// probability cells of the Gaussian, the feet of the transport arrows. In 1-D, k points on the axis.
    pub fn quantile_grid(&self, k: usize) -> Vec<Vec2> {
        let k = k.clamp(1, 1000);
        let z: Vec<f64> = (0..k).map(|i| normal_quantile((i as f64 + 0.5) / k as f64)).collect();
        if self.dim == 1 {
            return z.iter().map(|&a| self.unwhiten([a, 0.0])).collect();
        }
        z.iter().flat_map(|&a| z.iter().map(move |&b| (a, b))).map(|(a, b)| self.unwhiten([a, b])).collect()
    }
}

/// The first `dim` rows and columns of a matrix.
fn rows(a: Mat2, dim: usize) -> Vec<Vec<f64>> {
    (0..dim).map(|i| a[i][..dim].to_vec()).collect()
}

/// Φ⁻¹(u) for u in (0, 1): Acklam's rational approximation (relative error 1.2e-9) polished by one
/// Halley step on Φ, which brings it to ~1e-15.
pub fn normal_quantile(u: f64) -> f64 {
    if !(u > 0.0 && u < 1.0) {
        return if u == 0.0 {
            f64::NEG_INFINITY
        } else if u == 1.0 {
            f64::INFINITY
        } else {
            f64::NAN
        };
    }
    const A: [f64; 6] =
        [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
    const B: [f64; 5] = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
    const C: [f64; 6] =
        [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
    const D: [f64; 4] = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    let x = if u < 0.02425 {
        tail((-2.0 * u.ln()).sqrt())
    } else if u > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - u).ln()).sqrt())
    } else {
        let q = u - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    };
    let e = phi_cdf(x) - u;
    let g = e * (2.0 * PI).sqrt() * (0.5 * x * x).exp();
    x - g / (1.0 + 0.5 * x * g)
}

// ------------------------------------------------------------------------------------------------
// Divergences and transport

fn same_dim(p: &Gaussian, q: &Gaussian) -> Result<(), GaussError> {
    if p.dim == q.dim {
        Ok(())
    } else {
        Err(GaussError::Dimension)
    }
}

/// `a` seen from `b`'s whitened eigen-frame: the mean offset u = D_b⁻¹R_bᵀ(μ_a − μ_b), the matrix
/// K = D_b⁻¹·R(θ_a − θ_b)·D_a (so Σ_b^{-1/2}Σ_aΣ_b^{-1/2} ≅ KKᵀ) and the eigen-decomposition of KKᵀ
/// with its determinant (Π sd_a/Π sd_b)², exact from the sds.
fn relative(a: &Gaussian, b: &Gaussian) -> (Vec2, SymEig) {
    let u = b.whiten(a.mean);
    let q = rotation(a.theta - b.theta);
    let k = [[q[0][0] * a.sd[0] / b.sd[0], q[0][1] * a.sd[1] / b.sd[0]], [q[1][0] * a.sd[0] / b.sd[1], q[1][1] * a.sd[1] / b.sd[1]]];
    let m = mul(k, transpose(k));
    let det = ((a.sd[0] / b.sd[0]) * (a.sd[1] / b.sd[1])).powi(2);
    (u, sym_eig_det(symmetrise(m), det))
}

/// KL(p‖q) = ½[(μ_p−μ_q)ᵀΣ_q⁻¹(μ_p−μ_q) + Σ_i (λ_i − 1 − ln λ_i)], λ_i the eigenvalues of
/// Σ_q⁻¹Σ_p: the post's formula with tr − n − ln det regrouped into non-negative terms.
pub fn kl(p: &Gaussian, q: &Gaussian) -> Result<f64, GaussError> {
    same_dim(p, q)?;
    let (u, e) = relative(p, q);
    Ok(0.5 * (dot(u, u) + kl_term(e.l[0]) + kl_term(e.l[1])))
}

/// Bhattacharyya distance −ln∫√(pq) = ½ ln(det Σ̄/√(det Σ_p det Σ_q)) + ⅛ΔμᵀΣ̄⁻¹Δμ, Σ̄ = ½(Σ_p + Σ_q).
/// In p's whitened frame, with ν_i the eigenvalues of Σ_p^{-1/2}Σ_qΣ_p^{-1/2} and v_i their
/// eigenvectors, this is Σ_i [½ ln cosh(½ ln ν_i) + ¼(v_iᵀu)²/(1 + ν_i)], u = Σ_p^{-1/2}Δμ.
pub fn bhattacharyya(p: &Gaussian, q: &Gaussian) -> Result<f64, GaussError> {
    same_dim(p, q)?;
    let (u, e) = relative(q, p);
    let (a, b) = (e.c * u[0] + e.s * u[1], -e.s * u[0] + e.c * u[1]);
    let cov = 0.5 * (ln_cosh(0.5 * e.l[0].ln()) + ln_cosh(0.5 * e.l[1].ln()));
    Ok(cov + 0.25 * (a * a / (1.0 + e.l[0]) + b * b / (1.0 + e.l[1])))
}

/// Squared Hellinger distance ½∫(√p − √q)² = 1 − e^{−BD} (as −expm1(−BD): accurate when small).
pub fn hellinger2(p: &Gaussian, q: &Gaussian) -> Result<f64, GaussError> {
    Ok(-(-bhattacharyya(p, q)?).exp_m1())
}

/// G = D_p·R(θ_q − θ_p)·D_q: Σ_p^{1/2}Σ_qΣ_p^{1/2} ≅ GGᵀ (in p's eigen-frame) and
/// ‖Σ_p^{1/2}Σ_q^{1/2}‖_* = ‖G‖_*; det G = Π sd_p·Π sd_q > 0.
fn cross(p: &Gaussian, q: &Gaussian) -> (Mat2, Mat2) {
    let r = rotation(q.theta - p.theta);
    let g = [[p.sd[0] * r[0][0] * q.sd[0], p.sd[0] * r[0][1] * q.sd[1]], [p.sd[1] * r[1][0] * q.sd[0], p.sd[1] * r[1][1] * q.sd[1]]];
    (g, r)
}

/// W₂² = ‖Δμ‖² + tr Σ_p + tr Σ_q − 2 tr(Σ_p^{1/2}Σ_qΣ_p^{1/2})^{1/2}. The covariance part equals
/// min over rotations U of ‖Σ_p^{1/2} − Σ_q^{1/2}U‖²_F; in p's eigen-frame that is ‖D_p − R·D_q·V‖²_F
/// with V the rotation maximising tr(GV) (the polar factor, angle atan2(G₀₁ − G₁₀, G₀₀ + G₁₁)) — a sum
/// of squares, so never negative, and exactly 0 for p = q.
pub fn w2_sq(p: &Gaussian, q: &Gaussian) -> Result<f64, GaussError> {
    same_dim(p, q)?;
    let (g, r) = cross(p, q);
    let v = rotation((g[0][1] - g[1][0]).atan2(g[0][0] + g[1][1]));
    let h = mul([[r[0][0] * q.sd[0], r[0][1] * q.sd[1]], [r[1][0] * q.sd[0], r[1][1] * q.sd[1]]], v);
    let e = [[p.sd[0] - h[0][0], -h[0][1]], [-h[1][0], p.sd[1] - h[1][1]]];
    let dm = sub(p.mean, q.mean);
    Ok(dot(dm, dm) + frob2(e))
}

/// W₂² in the Fréchet (FID) form ‖Δμ‖² + tr Σ_p + tr Σ_q − 2 Σ √eig(Σ_pΣ_q), from the entries of
/// the covariances, eigenvalues of the (non-symmetric) product clamped at 0 as the spec asks. A
/// second, independent path to [`w2_sq`] (the post proves the two agree); less accurate when
/// Σ_p ≈ Σ_q (it subtracts nearly equal traces).
pub fn w2_sq_frechet(p: &Gaussian, q: &Gaussian) -> Result<f64, GaussError> {
    same_dim(p, q)?;
    let (sp, sq) = (p.cov(), q.cov());
    let prod = mul(sp, sq);
    let tr = prod[0][0] + prod[1][1];
    let det = prod[0][0] * prod[1][1] - prod[0][1] * prod[1][0];
    let disc = (0.25 * tr * tr - det).max(0.0).sqrt();
    let (l1, l2) = (0.5 * tr + disc, 0.5 * tr - disc);
    let cross = l1.max(0.0).sqrt() + l2.max(0.0).sqrt();
    let dm = sub(p.mean, q.mean);
    Ok(dot(dm, dm) + sp[0][0] + sp[1][1] + sq[0][0] + sq[1][1] - 2.0 * cross)
}

/// The commuting-case formula ‖Δμ‖² + ‖Σ_p^{1/2} − Σ_q^{1/2}‖²_F applied regardless: W₂² when the
/// covariances commute, too large otherwise (W3-T2: 2.5630781856 instead of 2.5533014128).
pub fn w2_commuting_sq(p: &Gaussian, q: &Gaussian) -> Result<f64, GaussError> {
    same_dim(p, q)?;
    let (a, b) = (p.sqrt_cov(), q.sqrt_cov());
    let dm = sub(p.mean, q.mean);
    Ok(dot(dm, dm) + frob2([[a[0][0] - b[0][0], a[0][1] - b[0][1]], [a[1][0] - b[1][0], a[1][1] - b[1][1]]]))
}

/// The post's "dimensionally wrong" foil ‖Δμ‖² + ‖Σ_p − Σ_q‖²_F (adds lengths² to lengths⁴).
pub fn naive_sq(p: &Gaussian, q: &Gaussian) -> Result<f64, GaussError> {
    same_dim(p, q)?;
    let (a, b) = (p.cov(), q.cov());
    let dm = sub(p.mean, q.mean);
    Ok(dot(dm, dm) + frob2([[a[0][0] - b[0][0], a[0][1] - b[0][1]], [a[1][0] - b[1][0], a[1][1] - b[1][1]]]))
}

/// The optimal-transport (Monge) map from p to q, T(x) = μ_q + A(x − μ_p).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OtMap {
    /// Dimension of the Gaussians.
    pub dim: usize,
    /// μ_p.
    pub from: Vec2,
    /// μ_q.
    pub to: Vec2,
    /// A = Σ_p^{-1/2}(Σ_p^{1/2}Σ_qΣ_p^{1/2})^{1/2}Σ_p^{-1/2}: symmetric positive definite, AΣ_pA = Σ_q.
    pub a: Mat2,
}

impl OtMap {
    /// T(x).
    pub fn apply(&self, x: Vec2) -> Vec2 {
        let d = mat_vec(self.a, sub(x, self.from));
        let y = [self.to[0] + d[0], self.to[1] + d[1]];
        if self.dim == 1 {
            [y[0], 0.0]
        } else {
            y
        }
    }

    /// A as `dim` rows (1×1 in 1-D), as the JSON reports it.
    pub fn a_rows(&self) -> Vec<Vec<f64>> {
        rows(self.a, self.dim)
    }
}

/// The OT map from p to q. In p's eigen-frame A = D_p⁻¹(GGᵀ)^{1/2}D_p⁻¹ (G as in [`w2_sq`]), with
/// the square root of GGᵀ by its symmetric eigen-decomposition (det GGᵀ = (det G)² exact).
pub fn ot_map(p: &Gaussian, q: &Gaussian) -> Result<OtMap, GaussError> {
    same_dim(p, q)?;
    let (g, _) = cross(p, q);
    let det = (p.sd[0] * p.sd[1] * q.sd[0] * q.sd[1]).powi(2);
    let root = sym_eig_det(symmetrise(mul(g, transpose(g))), det).map(|l| l.max(0.0).sqrt());
    let inner = [
        [root[0][0] / (p.sd[0] * p.sd[0]), root[0][1] / (p.sd[0] * p.sd[1])],
        [root[1][0] / (p.sd[1] * p.sd[0]), root[1][1] / (p.sd[1] * p.sd[1])],
    ];
    Ok(OtMap { dim: p.dim, from: p.mean, to: q.mean, a: conj(p.rot(), inner) })
}

/// Everything the `divergence` mode reports for one pair.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Divergences {
    /// KL(p‖q).
    pub kl_pq: f64,
    /// KL(q‖p).
    pub kl_qp: f64,
    /// Bhattacharyya distance.
    pub bd: f64,
    /// Squared Hellinger distance 1 − e^{−BD}.
    pub hellinger2: f64,
    /// Squared 2-Wasserstein distance.
    pub w2_sq: f64,
    /// The foil ‖Δμ‖² + ‖Σ_p − Σ_q‖²_F.
    pub naive_sq: f64,
    /// The OT map p → q.
    pub ot: OtMap,
}

/// All divergences and the OT map of p and q (each depends on all parameters of both).
pub fn divergences(p: &Gaussian, q: &Gaussian) -> Result<Divergences, GaussError> {
    let bd = bhattacharyya(p, q)?;
    Ok(Divergences {
        kl_pq: kl(p, q)?,
        kl_qp: kl(q, p)?,
        bd,
        hellinger2: -(-bd).exp_m1(),
        w2_sq: w2_sq(p, q)?,
        naive_sq: naive_sq(p, q)?,
        ot: ot_map(p, q)?,
    })
}

/// One point of the shift sweep.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SweepPoint {
    /// Offset s of q's mean from p's along the centre line.
    pub s: f64,
    /// KL(p‖q_s).
    pub kl_pq: f64,
    /// KL(q_s‖p).
    pub kl_qp: f64,
    /// BD(p, q_s).
    pub bd: f64,
    /// W₂²(p, q_s).
    pub w2_sq: f64,
}

/// The sweep "shift q along the centre line": q_s has q's covariance and mean μ_p + s·u, u the unit
/// vector from μ_p to μ_q (the x-axis when the means coincide). KL and BD grow like s²/σ², W₂² like
/// s². Depends on both Gaussians and on `s`.
pub fn shift_sweep(p: &Gaussian, q: &Gaussian, s: &[f64]) -> Result<Vec<SweepPoint>, GaussError> {
    same_dim(p, q)?;
    let d = sub(q.mean, p.mean);
    let len = d[0].hypot(d[1]);
    let u = if len > 0.0 { [d[0] / len, d[1] / len] } else { [1.0, 0.0] };
    s.iter()
        .map(|&s| {
            let qs = q.with_mean([p.mean[0] + s * u[0], p.mean[1] + s * u[1]])?;
            Ok(SweepPoint { s, kl_pq: kl(p, &qs)?, kl_qp: kl(&qs, p)?, bd: bhattacharyya(p, &qs)?, w2_sq: w2_sq(p, &qs)? })
        })
        .collect()
}

// ------------------------------------------------------------------------------------------------
// Wasserstein gradient flow of KL(q‖p) towards p = N(μ*, Σ*)

/// q_t = N(m, C) at one time, and KL(q_t‖p).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FlowMoments {
    /// m(t).
    pub m: Vec2,
    /// C(t) (symmetric).
    pub c: Mat2,
    /// KL(q_t‖p).
    pub kl: f64,
}

/// The gradient flow ∂q/∂t = ∇·(q∇ln(q/p)) from q₀ = N(m₀, C₀) to the target p = N(μ*, Σ*). It keeps
/// q_t Gaussian: ṁ = −P(m − μ*), Ċ = 2I − PC − CP (P = Σ*⁻¹), solved by m(t) = μ* + e^{−Pt}(m₀ − μ*),
/// C(t) = Σ* + e^{−Pt}(C₀ − Σ*)e^{−Pt}. Everything is computed in the target's eigen-frame
/// y = R*ᵀ(x − μ*), where e^{−Pt} = diag(e^{−t/λ_i}) exactly (no matrix exponential needed).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Flow {
    target: Gaussian,
    init: Gaussian,
    /// R* (columns: the target's axes).
    rot: Mat2,
    /// Eigenvalues λ_i of Σ* and their reciprocals (the rates).
    lam: Vec2,
    rate: Vec2,
    /// m₀ and C₀ in the target's frame.
    m0y: Vec2,
    c0y: Mat2,
}

impl Flow {
    /// The flow from `init` (q₀) to `target` (p); both of the same dimension.
    pub fn new(target: Gaussian, init: Gaussian) -> Result<Self, GaussError> {
        same_dim(&target, &init)?;
        let rot = target.rot();
        let lam = [target.sd[0] * target.sd[0], target.sd[1] * target.sd[1]];
        let m0y = mat_vec(transpose(rot), sub(init.mean, target.mean));
        let c0y = conj(transpose(rot), init.cov());
        Ok(Flow { target, init, rot, lam, rate: [1.0 / lam[0], 1.0 / lam[1]], m0y, c0y })
    }

    /// The target p.
    pub fn target(&self) -> &Gaussian {
        &self.target
    }

    /// The start q₀.
    pub fn init(&self) -> &Gaussian {
        &self.init
    }

    /// Moments in the target frame after time t from (m_y, C_y) (closed form).
    fn evolve_y(&self, t: f64, my: Vec2, cy: Mat2) -> (Vec2, Mat2) {
        let e = [(-t * self.rate[0]).exp(), (-t * self.rate[1]).exp()];
        let m = [e[0] * my[0], e[1] * my[1]];
        let c = [
            [self.lam[0] + e[0] * e[0] * (cy[0][0] - self.lam[0]), e[0] * e[1] * cy[0][1]],
            [e[0] * e[1] * cy[1][0], self.lam[1] + e[1] * e[1] * (cy[1][1] - self.lam[1])],
        ];
        (m, c)
    }

    fn to_x(&self, my: Vec2, cy: Mat2) -> (Vec2, Mat2) {
        let d = mat_vec(self.rot, my);
        ([self.target.mean[0] + d[0], self.target.mean[1] + d[1]], conj(self.rot, cy))
    }

    fn to_y(&self, m: Vec2, c: Mat2) -> (Vec2, Mat2) {
        (mat_vec(transpose(self.rot), sub(m, self.target.mean)), conj(transpose(self.rot), c))
    }

    /// KL(N(m_y, C_y)‖N(0, Λ)) in the target frame, whitened by Λ^{-1/2} so that the matrix whose
    /// eigenvalues enter is near I when q is near p (well scaled however extreme Σ* is).
    fn kl_y(&self, my: Vec2, cy: Mat2) -> Result<f64, GaussError> {
        let w = [1.0 / self.target.sd[0], 1.0 / self.target.sd[1]];
        let m = [[cy[0][0] * w[0] * w[0], cy[0][1] * w[0] * w[1]], [cy[1][0] * w[1] * w[0], cy[1][1] * w[1] * w[1]]];
        let e = sym_eig(m);
        if !(e.l[1] > 0.0) {
            return Err(if e.l[1].is_nan() { GaussError::NonFinite } else { GaussError::NotPositiveDefinite });
        }
        let u = [my[0] * w[0], my[1] * w[1]];
        Ok(0.5 * (dot(u, u) + kl_term(e.l[0]) + kl_term(e.l[1])))
    }

    /// KL(N(m, C)‖p) for any mean and covariance by entries (e.g. a fitted Gaussian).
    pub fn kl_to_target(&self, m: Vec2, c: Mat2) -> Result<f64, GaussError> {
        let (my, cy) = self.to_y(m, c);
        self.kl_y(my, cy)
    }

    /// m(t), C(t) and KL(q_t‖p) in closed form (t ≥ 0). Depends on target, init and t only.
    pub fn moments(&self, t: f64) -> Result<FlowMoments, GaussError> {
        if !t.is_finite() {
            return Err(GaussError::NonFinite);
        }
        if t < 0.0 {
            return Err(GaussError::OutOfRange);
        }
        let (my, cy) = self.evolve_y(t, self.m0y, self.c0y);
        let kl = self.kl_y(my, cy)?;
        let (m, c) = self.to_x(my, cy);
        Ok(FlowMoments { m, c, kl })
    }

    /// exp(h·L) with L = C_y⁻¹ − Λ⁻¹ (in the target frame), the linear part of the particle
    /// velocity ∇ln p − ∇ln q for q = N(·, C). L is formed as W(M⁻¹ − I)W with M = W·C_y·W,
    /// W = Λ^{-1/2}, which avoids the cancellation C⁻¹ − P between two huge matrices when Σ* is tiny.
    /// The exponent is capped at 700 so that an absurd step cannot overflow (such steps are wrong
    /// anyway; see [`ParticleFlow`]).
    fn deviation_exp(&self, cy: Mat2, h: f64) -> Result<Mat2, GaussError> {
        let w = [1.0 / self.target.sd[0], 1.0 / self.target.sd[1]];
        let m = [[cy[0][0] * w[0] * w[0], cy[0][1] * w[0] * w[1]], [cy[1][0] * w[1] * w[0], cy[1][1] * w[1] * w[1]]];
        let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
        if !(det > 0.0 && m[0][0] > 0.0) {
            return Err(if det.is_nan() { GaussError::NonFinite } else { GaussError::NotPositiveDefinite });
        }
        let inv = [[m[1][1] / det - 1.0, -m[0][1] / det], [-m[1][0] / det, m[0][0] / det - 1.0]];
        let l = [[inv[0][0] * w[0] * w[0], inv[0][1] * w[0] * w[1]], [inv[1][0] * w[1] * w[0], inv[1][1] * w[1] * w[1]]];
        let ey = sym_eig(l).map(|v| (h * v).min(700.0).exp());
        if !all_finite(&[ey[0][0], ey[0][1], ey[1][1]]) {
            return Err(GaussError::NonFinite);
        }
        Ok(ey)
    }

    /// The exponential-midpoint step of the deviation ODE over [t, t + h] from the covariance C_y at
    /// t: exp(h·L(t + h/2)), L from the closed-form midpoint covariance. The rule is symmetric
    /// (second order, error expansion in even powers of h) and its factor is bounded for any h > 0,
    /// because the midpoint covariance is at least Σ* − e^{−Ph/2}Σ*e^{−Ph/2} ≻ 0.
    fn step_y(&self, cy: Mat2, h: f64) -> Result<Mat2, GaussError> {
        let (_, cmid) = self.evolve_y(0.5 * h, [0.0, 0.0], cy);
        self.deviation_exp(cmid, h)
    }

    /// M_t of the exact-score particle map x_t = m_t + M_t(x₀ − m₀) (Ṁ = (C_t⁻¹ − Σ*⁻¹)M, M₀ = I), by
    /// `steps` and 2·`steps` exponential-midpoint steps and one Richardson extrapolation (fourth
    /// order; 1000 steps per unit time give ~1e-13). M_t is not symmetric: the particles turn.
    pub fn transport(&self, t: f64, steps: usize) -> Result<Mat2, GaussError> {
        if !t.is_finite() {
            return Err(GaussError::NonFinite);
        }
        if t < 0.0 {
            return Err(GaussError::OutOfRange);
        }
        let steps = steps.clamp(1, 1_000_000);
        let run = |n: usize| -> Result<Mat2, GaussError> {
            let h = t / n as f64;
            let mut m = [[1.0, 0.0], [0.0, 1.0]];
            for k in 0..n {
                let (_, cy) = self.evolve_y(k as f64 * h, self.m0y, self.c0y);
                m = mul(self.step_y(cy, h)?, m);
            }
            Ok(m)
        };
        let (a, b) = (run(steps)?, run(2 * steps)?);
        let my = [
            [(4.0 * b[0][0] - a[0][0]) / 3.0, (4.0 * b[0][1] - a[0][1]) / 3.0],
            [(4.0 * b[1][0] - a[1][0]) / 3.0, (4.0 * b[1][1] - a[1][1]) / 3.0],
        ];
        Ok(mul(mul(self.rot, my), transpose(self.rot)))
    }

    /// Where the exact-score particle started at x₀ is at time t (see [`Flow::transport`]).
    pub fn particle(&self, x0: Vec2, t: f64, steps: usize) -> Result<Vec2, GaussError> {
        let m = self.transport(t, steps)?;
        let mt = self.moments(t)?.m;
        let d = mat_vec(m, sub(x0, self.init.mean));
        Ok([mt[0] + d[0], mt[1] + d[1]])
    }

    /// The largest stable Euler–Maruyama step, 2·λ_min(Σ*).
    pub fn em_dt_max(&self) -> f64 {
        2.0 * self.lam[0].min(self.lam[1])
    }

    fn check_em(&self, dt: f64) -> Result<(), GaussError> {
        if !dt.is_finite() {
            return Err(GaussError::NonFinite);
        }
        if dt <= 0.0 {
            return Err(GaussError::OutOfRange);
        }
        if dt * self.rate[0].max(self.rate[1]) >= 2.0 {
            return Err(GaussError::Unstable { dt_max: self.em_dt_max() });
        }
        Ok(())
    }

    /// The exact law N(m_k, C_k) of Euler–Maruyama x ← x − dt·P(x − μ*) + √(2dt)ξ after k steps from
    /// q₀ (Gaussian, since each step is affine plus Gaussian noise): in the target frame with
    /// a_i = 1 − dt/λ_i, m_k = a^k m₀ and C_k,ij = a_i^k a_j^k C₀,ij + δ_ij·2dt(1 − a_i^{2k})/(1 − a_i²).
    /// Depends on target, init, dt and k.
    pub fn em_moments(&self, dt: f64, k: u64) -> Result<FlowMoments, GaussError> {
        self.check_em(dt)?;
        let a = [1.0 - dt * self.rate[0], 1.0 - dt * self.rate[1]];
        let ak = [a[0].powf(k as f64), a[1].powf(k as f64)];
        // 1 − a² = dt·r·(2 − dt·r), without cancellation for small dt.
        let stat = |i: usize| {
            let x = dt * self.rate[i];
            2.0 * dt * (1.0 - ak[i] * ak[i]) / (x * (2.0 - x))
        };
        let mut my = [ak[0] * self.m0y[0], ak[1] * self.m0y[1]];
        let mut cy = [
            [ak[0] * ak[0] * self.c0y[0][0] + stat(0), ak[0] * ak[1] * self.c0y[0][1]],
            [ak[0] * ak[1] * self.c0y[1][0], ak[1] * ak[1] * self.c0y[1][1] + stat(1)],
        ];
        if self.target.dim == 1 {
            // The padding coordinate gets no noise and no drift (it is not simulated), so it stays N(0, 1).
            (my[1], cy) = (0.0, [[cy[0][0], 0.0], [0.0, 1.0]]);
        }
        let kl = self.kl_y(my, cy)?;
        let (m, c) = self.to_x(my, cy);
        Ok(FlowMoments { m, c, kl })
    }

    /// Euler–Maruyama's stationary covariance R*·diag(λ_i/(1 − dt/(2λ_i)))·R*ᵀ: the O(dt) bias of the
    /// discretised Langevin dynamics (the exact one is Σ*). Depends on target and dt.
    pub fn em_stationary_cov(&self, dt: f64) -> Result<Mat2, GaussError> {
        self.check_em(dt)?;
        let d = [
            self.lam[0] / (1.0 - 0.5 * dt * self.rate[0]),
            if self.target.dim == 1 { 1.0 } else { self.lam[1] / (1.0 - 0.5 * dt * self.rate[1]) },
        ];
        Ok(conj_diag(self.rot, d))
    }
}

/// How the particles move.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowMethod {
    /// dx/dt = ∇ln p − ∇ln q_t with q_t from the closed form.
    ExactScore,
    /// dx/dt = ∇ln p − ∇ln q̂ with q̂ the particles' own fitted Gaussian (1/N moments).
    Fitted,
    /// Euler–Maruyama for dx = ∇ln p dt + √2 dW (same marginals in continuous time).
    Langevin,
}

impl FlowMethod {
    /// From the URL/CLI key `exact_score` | `fitted` | `langevin`.
    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "exact_score" => Some(FlowMethod::ExactScore),
            "fitted" => Some(FlowMethod::Fitted),
            "langevin" => Some(FlowMethod::Langevin),
            _ => None,
        }
    }

    /// The URL/CLI key.
    pub fn key(self) -> &'static str {
        match self {
            FlowMethod::ExactScore => "exact_score",
            FlowMethod::Fitted => "fitted",
            FlowMethod::Langevin => "langevin",
        }
    }
}

/// Mean and 1/N covariance of points (two passes: no cancellation far from the origin).
pub fn moments(xs: &[Vec2]) -> Result<(Vec2, Mat2), GaussError> {
    if xs.is_empty() {
        return Err(GaussError::Count);
    }
    let n = xs.len() as f64;
    let (mut sx, mut sy) = (0.0, 0.0);
    for x in xs {
        sx += x[0];
        sy += x[1];
    }
    let m = [sx / n, sy / n];
    let (mut a, mut b, mut c) = (0.0, 0.0, 0.0);
    for x in xs {
        let (u, v) = (x[0] - m[0], x[1] - m[1]);
        a += u * u;
        b += u * v;
        c += v * v;
    }
    Ok((m, [[a / n, b / n], [b / n, c / n]]))
}

/// The Gaussian fitted to points by their mean and 1/N covariance (in 1-D only the first
/// coordinates). Refused when the points are too few or collinear (singular covariance).
pub fn fit_gaussian(dim: usize, xs: &[Vec2]) -> Result<Gaussian, GaussError> {
    check_dim(dim)?;
    let (m, c) = moments(xs)?;
    Gaussian::from_cov(dim, m, c)
}

/// Particles carried by the flow with step `dt`; the lab keeps one and calls [`ParticleFlow::step`]
/// once per animation frame. The initial cloud depends only on (init, n, seed) — the same for all
/// three methods, so switching method replays the same particles; Langevin noise comes from a
/// separate sub-stream of the seed.
///
/// The ODE methods use the exponential midpoint rule on the affine velocity field
/// v(x) = −P(x − μ*) + C⁻¹(x − m) = ṁ + (C⁻¹ − P)(x − m): x ← m' + exp(dt·L_mid)(x − m), with the
/// mean m' advanced exactly. It is second order, keeps particles from crossing (an invertible
/// affine map per step) and stays bounded for any dt, so no dt can blow the cloud up. For `fitted`
/// the mean and covariance are the particles' own (1/N: with it the cloud's moments obey exactly the
/// closed-form moment ODE, started from the sample's moments, and converge to p for any n; 1/(n−1)
/// would make them settle at Σ*·(n−1)/n). Langevin is plain Euler–Maruyama, with its O(dt) bias
/// (see [`Flow::em_moments`], [`Flow::em_stationary_cov`]); steps dt ≥ 2λ_min(Σ*) are refused.
#[derive(Clone, Debug)]
pub struct ParticleFlow {
    flow: Flow,
    method: FlowMethod,
    dt: f64,
    xs: Vec<Vec2>,
    steps: u64,
    noise: Rng,
    /// For Langevin: I − dt·P and √(2dt).
    drift: Mat2,
    sigma: f64,
}

impl ParticleFlow {
    /// `n` particles drawn from q₀ with `seed`, to be moved by `method` with step `dt`.
    pub fn new(flow: Flow, method: FlowMethod, n: usize, dt: f64, seed: u64) -> Result<Self, GaussError> {
        if n == 0 || n > MAX_POINTS {
            return Err(GaussError::Count);
        }
        if !dt.is_finite() {
            return Err(GaussError::NonFinite);
        }
        if dt <= 0.0 {
            return Err(GaussError::OutOfRange);
        }
        if method == FlowMethod::Langevin {
            flow.check_em(dt)?;
        }
        let xs = flow.init.sample(n, &mut Rng::stream(seed, 0))?;
        let p = conj_diag(flow.rot, flow.rate);
        let drift = [[1.0 - dt * p[0][0], -dt * p[0][1]], [-dt * p[1][0], 1.0 - dt * p[1][1]]];
        Ok(ParticleFlow { flow, method, dt, xs, steps: 0, noise: Rng::stream(seed, 1), drift, sigma: (2.0 * dt).sqrt() })
    }

    /// The particles.
    pub fn particles(&self) -> &[Vec2] {
        &self.xs
    }

    /// The flow being followed.
    pub fn flow(&self) -> &Flow {
        &self.flow
    }

    /// Steps taken so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The time reached, steps·dt.
    pub fn time(&self) -> f64 {
        self.steps as f64 * self.dt
    }

    /// One step of length dt. On error the particles are left as they were.
    pub fn step(&mut self) -> Result<(), GaussError> {
        let h = self.dt;
        let dim = self.flow.target.dim;
        match self.method {
            FlowMethod::Langevin => {
                let (a, mu, s) = (self.drift, self.flow.target.mean, self.sigma);
                for x in &mut self.xs {
                    let d = [x[0] - mu[0], x[1] - mu[1]];
                    let z0 = self.noise.normal();
                    let z1 = if dim == 2 { self.noise.normal() } else { 0.0 };
                    *x = [mu[0] + a[0][0] * d[0] + a[0][1] * d[1] + s * z0, mu[1] + a[1][0] * d[0] + a[1][1] * d[1] + s * z1];
                }
            }
            FlowMethod::ExactScore | FlowMethod::Fitted => {
                let (my, cy) = if self.method == FlowMethod::ExactScore {
                    self.flow.evolve_y(self.time(), self.flow.m0y, self.flow.c0y)
                } else {
                    let (m, mut c) = moments(&self.xs)?;
                    if dim == 1 {
                        // The padding coordinate sits at its equilibrium N(0, 1); its deviations are all 0.
                        c = [[c[0][0], 0.0], [0.0, 1.0]];
                    }
                    self.flow.to_y(m, c)
                };
                let ey = self.flow.step_y(cy, h)?;
                let (my1, _) = self.flow.evolve_y(h, my, cy);
                let e = mul(mul(self.flow.rot, ey), transpose(self.flow.rot));
                let (m0, _) = self.flow.to_x(my, cy);
                let (m1, _) = self.flow.to_x(my1, cy);
                for x in &mut self.xs {
                    let d = [x[0] - m0[0], x[1] - m0[1]];
                    *x = [m1[0] + e[0][0] * d[0] + e[0][1] * d[1], m1[1] + e[1][0] * d[0] + e[1][1] * d[1]];
                }
                if dim == 1 {
                    self.xs.iter_mut().for_each(|x| x[1] = 0.0);
                }
            }
        }
        self.steps += 1;
        Ok(())
    }

    /// Steps until the time is within dt/2 of `t` (never backwards).
    pub fn advance_to(&mut self, t: f64) -> Result<(), GaussError> {
        if !t.is_finite() {
            return Err(GaussError::NonFinite);
        }
        let target = (t / self.dt).round().max(0.0);
        if target > 1e9 {
            return Err(GaussError::OutOfRange);
        }
        while (self.steps as f64) < target {
            self.step()?;
        }
        Ok(())
    }

    /// The particles' mean and 1/N covariance.
    pub fn sample_moments(&self) -> Result<(Vec2, Mat2), GaussError> {
        moments(&self.xs)
    }

    /// KL(q̂‖p) of the particles' fitted Gaussian (the dots on the KL-against-t chart).
    pub fn fitted_kl(&self) -> Result<f64, GaussError> {
        let (m, mut c) = moments(&self.xs)?;
        if self.flow.target.dim == 1 {
            c = [[c[0][0], 0.0], [0.0, 1.0]];
        }
        self.flow.kl_to_target(m, c)
    }
}

// ------------------------------------------------------------------------------------------------
// Closed-form classifiers (post 8578) and logistic regression

/// The two-class model of the `classify` mode: class 0 ~ N(−δ/2, Σ), class 1 ~ N(+δ/2, Σ₁) with
/// Σ = R(ang)·diag(sd²)·R(ang)ᵀ and Σ₁ = Σ, or with `unequal` Σ₁ = R(ang + 90°)·diag((2sd₁)², sd₂²)·…ᵀ
/// (turned and stretched, so it differs from Σ for every sd and angle: the shared-covariance
/// assumption of the closed forms is broken); prior P(class 1) = `p1`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClassSpec {
    /// μ₁ − μ₀.
    pub delta: Vec2,
    /// Axis standard deviations of the shared Σ.
    pub sd: Vec2,
    /// Axis angle of Σ in degrees.
    pub ang_deg: f64,
    /// Give class 1 a different covariance.
    pub unequal: bool,
    /// Class-1 prior, in (0, 1).
    pub p1: f64,
}

impl ClassSpec {
    /// The class-conditional Gaussians (class 0, class 1).
    pub fn classes(&self) -> Result<(Gaussian, Gaussian), GaussError> {
        check_coords(&self.delta)?;
        let h = [0.5 * self.delta[0], 0.5 * self.delta[1]];
        let c0 = Gaussian::from_axes(2, [-h[0], -h[1]], self.sd, self.ang_deg)?;
        let c1 = if self.unequal {
            Gaussian::from_axes(2, h, [2.0 * self.sd[0], self.sd[1]], self.ang_deg + 90.0)?
        } else {
            Gaussian::from_axes(2, h, self.sd, self.ang_deg)?
        };
        Ok((c0, c1))
    }
}

/// Labelled points (y = true for class 1).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Labelled {
    /// Points.
    pub x: Vec<Vec2>,
    /// Labels.
    pub y: Vec<bool>,
}

/// `n` labelled points from the model: round(n·p1) of class 1 (at least one of each class when
/// n ≥ 2, so the class means exist), in shuffled order. Depends on the spec, n and seed.
pub fn sample_classes(spec: &ClassSpec, n: usize, seed: u64) -> Result<Labelled, GaussError> {
    if n > MAX_POINTS {
        return Err(GaussError::Count);
    }
    if !spec.p1.is_finite() {
        return Err(GaussError::NonFinite);
    }
    if !(spec.p1 > 0.0 && spec.p1 < 1.0) {
        return Err(GaussError::OutOfRange);
    }
    let (c0, c1) = spec.classes()?;
    let mut rng = Rng::new(seed);
    let n1 = if n >= 2 { ((n as f64 * spec.p1).round() as usize).clamp(1, n - 1) } else { n };
    let mut y: Vec<bool> = (0..n).map(|i| i < n1).collect();
    for i in (1..n).rev() {
        let j = ((rng.uniform() * (i + 1) as f64) as usize).min(i);
        y.swap(i, j);
    }
    let x = y
        .iter()
        .map(|&label| {
            let g = if label { &c1 } else { &c0 };
            g.unwhiten([rng.normal(), rng.normal()])
        })
        .collect();
    Ok(Labelled { x, y })
}

/// A linear classifier P(class 1 | x) = σ(w·x + b).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Linear {
    /// Weights.
    pub w: Vec2,
    /// Bias.
    pub b: f64,
}

impl Linear {
    /// The logit w·x + b.
    pub fn logit(&self, x: Vec2) -> f64 {
        dot(self.w, x) + self.b
    }

    /// σ(w·x + b).
    pub fn prob(&self, x: Vec2) -> f64 {
        let s = self.logit(x);
        if s >= 0.0 {
            1.0 / (1.0 + (-s).exp())
        } else {
            let e = s.exp();
            e / (1.0 + e)
        }
    }

    /// The line where P(class 1 | x) = `level` (0.5: the decision line; 0.1/0.9: the contours), as a
    /// point on it and a unit direction along it; None when w = 0 or the level is not in (0, 1).
    pub fn level_line(&self, level: f64) -> Option<(Vec2, Vec2)> {
        let n2 = dot(self.w, self.w);
        if !(level > 0.0 && level < 1.0) || !(n2 > 0.0) || !n2.is_finite() {
            return None;
        }
        let target = (level / (1.0 - level)).ln() - self.b;
        let p = [self.w[0] * target / n2, self.w[1] * target / n2];
        let len = n2.sqrt();
        Some((p, [-self.w[1] / len, self.w[0] / len]))
    }
}

/// ln(1 + e^s) without overflow.
fn softplus(s: f64) -> f64 {
    s.max(0.0) + (-s.abs()).exp().ln_1p()
}

/// Mean negative log-likelihood −(1/N)Σ[y ln σ(s) + (1 − y) ln(1 − σ(s))] (NaN for no points).
pub fn nll(f: &Linear, data: &Labelled) -> f64 {
    let total: f64 = data.x.iter().zip(&data.y).map(|(&x, &y)| softplus(if y { -f.logit(x) } else { f.logit(x) })).sum();
    total / data.x.len() as f64
}

/// Fraction of points with (w·x + b > 0) == y (NaN for no points).
pub fn accuracy(f: &Linear, data: &Labelled) -> f64 {
    let hits = data.x.iter().zip(&data.y).filter(|(&x, &y)| (f.logit(x) > 0.0) == y).count();
    hits as f64 / data.x.len() as f64
}

/// The training statistics the closed forms need (all with 1/N).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClassStats {
    /// Fraction of class-1 points.
    pub p1: f64,
    /// Class means.
    pub mu0: Vec2,
    /// Class means.
    pub mu1: Vec2,
    /// Overall mean μ̃.
    pub mu: Vec2,
    /// Total covariance Σ̃ (1/N).
    pub sigma_total: Mat2,
    /// Pooled within-class covariance (1/N) = Σ̃ + μ̃μ̃ᵀ − Σ_i p_iμ_iμ_iᵀ, the post's moment identity.
    pub sigma_within: Mat2,
}

fn check_data(data: &Labelled) -> Result<(), GaussError> {
    if data.x.len() != data.y.len() || data.x.is_empty() || data.x.len() > MAX_POINTS {
        return Err(GaussError::Count);
    }
    for x in &data.x {
        check_coords(x)?;
    }
    Ok(())
}

/// Class priors, means and covariances of a training set. The within-class covariance is computed
/// as the pooled sum of squares about each class mean, which equals the post's moment identity
/// (tested) but does not cancel when the data sit far from the origin.
pub fn class_stats(data: &Labelled) -> Result<ClassStats, GaussError> {
    check_data(data)?;
    let split = |label: bool| -> Vec<Vec2> { data.x.iter().zip(&data.y).filter(|(_, &y)| y == label).map(|(&x, _)| x).collect() };
    let (x0, x1) = (split(false), split(true));
    if x0.is_empty() || x1.is_empty() {
        return Err(GaussError::Count);
    }
    let n = data.x.len() as f64;
    let (p0, p1) = (x0.len() as f64 / n, x1.len() as f64 / n);
    let (mu0, c0) = moments(&x0)?;
    let (mu1, c1) = moments(&x1)?;
    let (mu, sigma_total) = moments(&data.x)?;
    let mut sigma_within = [[0.0; 2]; 2];
    for i in 0..2 {
        for j in 0..2 {
            sigma_within[i][j] = p0 * c0[i][j] + p1 * c1[i][j];
        }
    }
    Ok(ClassStats { p1, mu0, mu1, mu, sigma_total, sigma_within })
}

/// Σ⁻¹v for a symmetric positive-definite 2×2 Σ, refused when singular to working precision.
fn spd_solve(s: Mat2, v: Vec2) -> Result<Vec2, GaussError> {
    let e = sym_eig(s);
    if !all_finite(&e.l) {
        return Err(GaussError::NonFinite);
    }
    if !(e.l[0] > 0.0) || e.l[1] < -COND_MIN * e.l[0] {
        return Err(GaussError::NotPositiveDefinite);
    }
    if e.l[1] <= COND_MIN * e.l[0] {
        return Err(GaussError::Singular);
    }
    Ok(mat_vec(e.map(|l| 1.0 / l), v))
}

impl ClassStats {
    /// The Bayes rule of two Gaussians sharing the covariance `s`: w = s⁻¹(μ₁ − μ₀),
    /// b = ½(μ₀ᵀs⁻¹μ₀ − μ₁ᵀs⁻¹μ₁) + ln(p₁/p₀), the bias written as −w·(μ₀ + μ₁)/2 + ln(p₁/p₀)
    /// (the same number, without cancellation far from the origin).
    fn shared(&self, s: Mat2) -> Result<Linear, GaussError> {
        let w = spd_solve(s, sub(self.mu1, self.mu0))?;
        let mid = [0.5 * (self.mu0[0] + self.mu1[0]), 0.5 * (self.mu0[1] + self.mu1[1])];
        Ok(Linear { w, b: (self.p1 / (1.0 - self.p1)).ln() - dot(w, mid) })
    }

    /// The post's closed form with Σ from the moment identity — the pooled within-class
    /// covariance — which makes it exactly LDA (spec §4.1). Depends on the training data only.
    pub fn post(&self) -> Result<Linear, GaussError> {
        self.shared(self.sigma_within)
    }

    /// The author's script: whiten with the total covariance Σ̃, then take Σ = I. Undoing the
    /// whitening, that is the same formula with Σ̃ in place of Σ_within (the centring of the
    /// whitening cancels from b): the same direction as [`ClassStats::post`] since
    /// Σ̃ = Σ_within + p₀p₁ΔΔᵀ, |w| shrunk by 1/(1 + p₀p₁D²) (Sherman–Morrison).
    pub fn script(&self) -> Result<Linear, GaussError> {
        self.shared(self.sigma_total)
    }

    /// The moment identity Σ̃ + μ̃μ̃ᵀ − p₀μ₀μ₀ᵀ − p₁μ₁μ₁ᵀ evaluated literally (for comparison with
    /// [`ClassStats::sigma_within`]).
    pub fn moment_identity(&self) -> Mat2 {
        let p0 = 1.0 - self.p1;
        let mut s = [[0.0; 2]; 2];
        for i in 0..2 {
            for j in 0..2 {
                s[i][j] =
                    self.sigma_total[i][j] + self.mu[i] * self.mu[j] - p0 * self.mu0[i] * self.mu0[j] - self.p1 * self.mu1[i] * self.mu1[j];
            }
        }
        s
    }

    /// Squared Mahalanobis distance D² = ΔᵀΣ_within⁻¹Δ between the class means.
    pub fn mahalanobis2(&self) -> Result<f64, GaussError> {
        let d = sub(self.mu1, self.mu0);
        Ok(dot(d, spd_solve(self.sigma_within, d)?))
    }

    /// The script's shrink factor 1/(1 + p₀p₁D²) = |w_script|/|w_post|.
    pub fn shrink(&self) -> Result<f64, GaussError> {
        Ok(1.0 / (1.0 + self.p1 * (1.0 - self.p1) * self.mahalanobis2()?))
    }
}

/// How Newton's method for the logistic MLE ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MleStatus {
    /// The step fell below 1e-13 (relative): the MLE, to working precision.
    Converged,
    /// An iterate classified every training point strictly correctly: the data are linearly
    /// separable, the likelihood has no maximiser (it keeps growing along cθ, c → ∞), and the
    /// returned fit is that first separating iterate.
    Separable,
    /// The iteration cap was hit (e.g. quasi-separable data, where the iterates grow slowly).
    NotConverged,
    /// The Hessian became singular (e.g. all points on one line); the last good iterate is returned.
    Degenerate,
}

/// The logistic-regression fit and how it ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mle {
    /// The fit.
    pub fit: Linear,
    /// How Newton's method ended.
    pub status: MleStatus,
    /// Newton steps taken.
    pub iterations: usize,
}

/// Logistic-regression MLE by Newton's method (IRLS) from θ = 0, at most `max_iter` steps, with step
/// halving whenever the NLL would rise (pure Newton can overshoot on nearly separable data). The
/// data are centred first; Newton is affine-equivariant, so this changes the conditioning of the
/// 3×3 systems, not the iterates. Depends on the training data and `max_iter`.
pub fn logistic_mle(data: &Labelled, max_iter: usize) -> Result<Mle, GaussError> {
    check_data(data)?;
    let (mu, _) = moments(&data.x)?;
    let xs: Vec<Vec2> = data.x.iter().map(|x| sub(*x, mu)).collect();
    let n = xs.len() as f64;
    // One pass: NLL, gradient and Hessian at θ = (w₀, w₁, b), and whether θ separates strictly.
    let pass = |th: [f64; 3]| {
        let (mut f, mut g, mut h, mut separates) = (0.0, [0.0; 3], [[0.0; 3]; 3], true);
        for (x, &y) in xs.iter().zip(&data.y) {
            let s = th[0] * x[0] + th[1] * x[1] + th[2];
            separates &= if y { s > 0.0 } else { s < 0.0 };
            f += softplus(if y { -s } else { s });
            let p = if s >= 0.0 { 1.0 / (1.0 + (-s).exp()) } else { s.exp() / (1.0 + s.exp()) };
            let r = p - if y { 1.0 } else { 0.0 };
            let wgt = p * (1.0 - p);
            let v = [x[0], x[1], 1.0];
            for i in 0..3 {
                g[i] += r * v[i];
                for j in 0..=i {
                    h[i][j] += wgt * v[i] * v[j];
                }
            }
        }
        (f / n, g.map(|v| v / n), h.map(|r| r.map(|v| v / n)), separates)
    };
    let finish = |th: [f64; 3], status, iterations| {
        let w = [th[0], th[1]];
        Mle { fit: Linear { w, b: th[2] - dot(w, mu) }, status, iterations }
    };
    let mut th = [0.0; 3];
    let (mut f, mut g, mut h, _) = pass(th);
    for it in 0..max_iter {
        let Some(step) = cholesky3_solve(h, g) else {
            return Ok(finish(th, MleStatus::Degenerate, it));
        };
        let mut t = 1.0;
        let (mut next, mut eval);
        loop {
            next = [th[0] - t * step[0], th[1] - t * step[1], th[2] - t * step[2]];
            eval = pass(next);
            if eval.0 <= f + 1e-15 * f.abs() || t < 1e-10 {
                break;
            }
            t *= 0.5;
        }
        let size = (0..3).map(|i| (t * step[i]).abs()).fold(0.0, f64::max);
        let scale = 1.0 + th.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        th = next;
        (f, g, h) = (eval.0, eval.1, eval.2);
        if eval.3 {
            return Ok(finish(th, MleStatus::Separable, it + 1));
        }
        if !all_finite(&th) {
            return Ok(finish(th, MleStatus::Degenerate, it + 1));
        }
        if size <= 1e-13 * scale {
            return Ok(finish(th, MleStatus::Converged, it + 1));
        }
    }
    Ok(finish(th, MleStatus::NotConverged, max_iter))
}

/// Solves H·x = g for symmetric positive-definite H (lower triangle given) by Cholesky; None when H
/// is not numerically positive definite.
fn cholesky3_solve(h: [[f64; 3]; 3], g: [f64; 3]) -> Option<[f64; 3]> {
    let mut l = [[0.0; 3]; 3];
    let tiny = 1e-13 * (h[0][0].abs() + h[1][1].abs() + h[2][2].abs());
    for i in 0..3 {
        for j in 0..=i {
            let mut s = h[i][j];
            for k in 0..j {
                s -= l[i][k] * l[j][k];
            }
            if i == j {
                if !(s > tiny) {
                    return None;
                }
                l[i][i] = s.sqrt();
            } else {
                l[i][j] = s / l[j][j];
            }
        }
    }
    let mut z = [0.0; 3];
    for i in 0..3 {
        z[i] = (g[i] - (0..i).map(|k| l[i][k] * z[k]).sum::<f64>()) / l[i][i];
    }
    let mut x = [0.0; 3];
    for i in (0..3).rev() {
        x[i] = (z[i] - (i + 1..3).map(|k| l[k][i] * x[k]).sum::<f64>()) / l[i][i];
    }
    all_finite(&x).then_some(x)
}

/// Newton steps allowed by [`fit_classifiers`] (converging fits need ~6–10).
pub const MLE_MAX_ITER: usize = 50;

/// The three fits of the `classify` mode on one training set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Classifiers {
    /// Training statistics.
    pub stats: ClassStats,
    /// The post's closed form (= LDA).
    pub post: Linear,
    /// The author's script variant.
    pub script: Linear,
    /// Logistic regression.
    pub mle: Mle,
}

/// All three fits (depends on the training data only).
pub fn fit_classifiers(data: &Labelled) -> Result<Classifiers, GaussError> {
    let stats = class_stats(data)?;
    Ok(Classifiers { stats, post: stats.post()?, script: stats.script()?, mle: logistic_mle(data, MLE_MAX_ITER)? })
}

/// One point of the learning curve: averages over the repeats whose fit succeeded, in the order
/// post, script, MLE.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CurvePoint {
    /// Training-set size.
    pub n: usize,
    /// Mean test accuracy.
    pub acc: [f64; 3],
    /// Mean test NLL.
    pub nll: [f64; 3],
    /// Repeats that were used (fits refused, e.g. a singular covariance at tiny n, are skipped).
    pub used: usize,
    /// Repeats whose training set was separable (their MLE is the first separating iterate).
    pub separable: usize,
}

/// Test accuracy and NLL on one fresh test sample of `test_n` points against the training size,
/// `repeats` training sets per size (seeded: training set r of size n uses a sub-stream of `seed`
/// fixed by (n, r), the test set another). Depends on the spec, the sizes, repeats, test_n and seed.
pub fn learning_curve(spec: &ClassSpec, ns: &[usize], repeats: usize, test_n: usize, seed: u64) -> Result<Vec<CurvePoint>, GaussError> {
    if repeats.saturating_mul(ns.len()) > 10_000 {
        return Err(GaussError::Count);
    }
    let test = sample_classes(spec, test_n, Rng::stream(seed, u64::MAX).next_u64())?;
    ns.iter()
        .map(|&n| {
            let mut pt = CurvePoint { n, acc: [0.0; 3], nll: [0.0; 3], used: 0, separable: 0 };
            for r in 0..repeats {
                let s = Rng::stream(seed, (n as u64).wrapping_mul(1_000_003).wrapping_add(r as u64)).next_u64();
                let train = sample_classes(spec, n, s)?;
                let Ok(c) = fit_classifiers(&train) else { continue };
                for (k, f) in [c.post, c.script, c.mle.fit].iter().enumerate() {
                    pt.acc[k] += accuracy(f, &test);
                    pt.nll[k] += nll(f, &test);
                }
                pt.used += 1;
                pt.separable += usize::from(c.mle.status == MleStatus::Separable);
            }
            // No usable repeat: NaN, which the chart skips, rather than a fake 0.
            let u = if pt.used == 0 { f64::NAN } else { pt.used as f64 };
            pt.acc.iter_mut().chain(pt.nll.iter_mut()).for_each(|v| *v /= u);
            Ok(pt)
        })
        .collect()
}
