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

/// e^A for a real 2×2 A in closed form: with s = tr A/2, B = A − sI and q² = −det B,
/// e^A = e^s[cosh q·I + (sinh q/q)·B] (cos/sin for q² < 0, the Taylor series near q = 0). The
/// exponent s is capped at 700 so an absurd input cannot overflow; refused if the result is not finite.
fn expm2(a: Mat2) -> Result<Mat2, GaussError> {
    let s = 0.5 * (a[0][0] + a[1][1]);
    let b = [[a[0][0] - s, a[0][1]], [a[1][0], a[1][1] - s]];
    let q2 = b[0][0] * b[0][0] + b[0][1] * b[1][0];
    let (ch, sh) = if q2.abs() < 1e-8 {
        (1.0 + q2 / 2.0 + q2 * q2 / 24.0, 1.0 + q2 / 6.0 + q2 * q2 / 120.0)
    } else if q2 > 0.0 {
        let q = q2.sqrt();
        (q.cosh(), q.sinh() / q)
    } else {
        let q = (-q2).sqrt();
        (q.cos(), q.sin() / q)
    };
    let e = s.min(700.0).exp();
    let r = [[e * (ch + sh * b[0][0]), e * sh * b[0][1]], [e * sh * b[1][0], e * (ch + sh * b[1][1])]];
    if r.iter().flatten().all(|v| v.is_finite()) {
        Ok(r)
    } else {
        Err(GaussError::NonFinite)
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
        if sd.contains(&0.0) {
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
        if e.l[0].is_nan() || e.l[0] <= 0.0 || e.l[1] < -COND_MIN * e.l[0] {
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
        Ok(draws(self.dim, n, rng).into_iter().map(|z| self.unwhiten(z)).collect())
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

    fn frame_to_x(&self, my: Vec2, cy: Mat2) -> (Vec2, Mat2) {
        let d = mat_vec(self.rot, my);
        ([self.target.mean[0] + d[0], self.target.mean[1] + d[1]], conj(self.rot, cy))
    }

    fn frame_to_y(&self, m: Vec2, c: Mat2) -> (Vec2, Mat2) {
        (mat_vec(transpose(self.rot), sub(m, self.target.mean)), conj(transpose(self.rot), c))
    }

    /// KL(N(m_y, C_y)‖N(0, Λ)) in the target frame, whitened by Λ^{-1/2} so that the matrix whose
    /// eigenvalues enter is near I when q is near p (well scaled however extreme Σ* is).
    fn kl_y(&self, my: Vec2, cy: Mat2) -> Result<f64, GaussError> {
        let w = [1.0 / self.target.sd[0], 1.0 / self.target.sd[1]];
        let m = [[cy[0][0] * w[0] * w[0], cy[0][1] * w[0] * w[1]], [cy[1][0] * w[1] * w[0], cy[1][1] * w[1] * w[1]]];
        let e = sym_eig(m);
        if e.l[1].is_nan() || e.l[1] <= 0.0 {
            return Err(if e.l[1].is_nan() { GaussError::NonFinite } else { GaussError::NotPositiveDefinite });
        }
        let u = [my[0] * w[0], my[1] * w[1]];
        Ok(0.5 * (dot(u, u) + kl_term(e.l[0]) + kl_term(e.l[1])))
    }

    /// KL(N(m, C)‖p) for any mean and covariance by entries (e.g. a fitted Gaussian).
    pub fn kl_to_target(&self, m: Vec2, c: Mat2) -> Result<f64, GaussError> {
        let (my, cy) = self.frame_to_y(m, c);
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
        let (m, c) = self.frame_to_x(my, cy);
        Ok(FlowMoments { m, c, kl })
    }

    /// L = C_y⁻¹ − Λ⁻¹ (in the target frame), the linear part of the particle velocity
    /// ∇ln p − ∇ln q for q = N(·, C). Formed as W(M⁻¹ − I)W with M = W·C_y·W, W = Λ^{-1/2}, which
    /// avoids the cancellation C⁻¹ − P between two huge matrices when Σ* is tiny.
    fn score_gap(&self, cy: Mat2) -> Result<Mat2, GaussError> {
        let w = [1.0 / self.target.sd[0], 1.0 / self.target.sd[1]];
        let m = [[cy[0][0] * w[0] * w[0], cy[0][1] * w[0] * w[1]], [cy[1][0] * w[1] * w[0], cy[1][1] * w[1] * w[1]]];
        let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
        if !(det > 0.0 && m[0][0] > 0.0) {
            return Err(if det.is_nan() { GaussError::NonFinite } else { GaussError::NotPositiveDefinite });
        }
        let inv = [[m[1][1] / det - 1.0, -m[0][1] / det], [-m[1][0] / det, m[0][0] / det - 1.0]];
        Ok([[inv[0][0] * w[0] * w[0], inv[0][1] * w[0] * w[1]], [inv[1][0] * w[1] * w[0], inv[1][1] * w[1] * w[1]]])
    }

    /// One step of the deviation ODE δ' = L(t)δ over [t, t + h] from the covariance C_y at t, by the
    /// fourth-order Magnus method: exp(h/2·(L₁ + L₂) + √3h²/12·[L₂, L₁]) with L at the two Gauss
    /// points, where the covariance comes from the closed form (which the particle system obeys
    /// exactly, for `fitted` too). The factor stays bounded for any h > 0: the covariance at the
    /// first Gauss point 0.21h is at least Σ* − e^{−0.21Ph}Σ*e^{−0.21Ph} ≻ 0, so h·L is O(1).
    fn step_y(&self, cy: Mat2, h: f64) -> Result<Mat2, GaussError> {
        let c = 3f64.sqrt() / 6.0;
        let (_, c1) = self.evolve_y((0.5 - c) * h, [0.0, 0.0], cy);
        let (_, c2) = self.evolve_y((0.5 + c) * h, [0.0, 0.0], cy);
        let (l1, l2) = (self.score_gap(c1)?, self.score_gap(c2)?);
        let (a, b) = (mul(l2, l1), mul(l1, l2));
        let k = 3f64.sqrt() * h * h / 12.0;
        let mut omega = [[0.0; 2]; 2];
        for i in 0..2 {
            for j in 0..2 {
                omega[i][j] = 0.5 * h * (l1[i][j] + l2[i][j]) + k * (a[i][j] - b[i][j]);
            }
        }
        expm2(omega)
    }

    /// M_t of the exact-score particle map x_t = m_t + M_t(x₀ − m₀) (Ṁ = (C_t⁻¹ − Σ*⁻¹)M, M₀ = I), by
    /// `steps` fourth-order Magnus steps (1000 per unit time give ~1e-12 at the spec defaults). M_t
    /// is not symmetric: the particles turn.
    pub fn transport(&self, t: f64, steps: usize) -> Result<Mat2, GaussError> {
        if !t.is_finite() {
            return Err(GaussError::NonFinite);
        }
        if t < 0.0 {
            return Err(GaussError::OutOfRange);
        }
        let n = steps.clamp(1, 1_000_000);
        let h = t / n as f64;
        let mut m = [[1.0, 0.0], [0.0, 1.0]];
        for k in 0..n {
            let (_, cy) = self.evolve_y(k as f64 * h, self.m0y, self.c0y);
            m = mul(self.step_y(cy, h)?, m);
        }
        Ok(mul(mul(self.rot, m), transpose(self.rot)))
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
        let (m, c) = self.frame_to_x(my, cy);
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

/// `n` standard normal draws z (the second coordinate 0 in 1-D), in the order
/// [`Gaussian::sample`] takes them: a sample is μ + R·diag(sd)·z, so a cloud whose Gaussian moves
/// (a dragged handle) can keep its draws and only map them again.
pub fn draws(dim: usize, n: usize, rng: &mut Rng) -> Vec<Vec2> {
    (0..n).map(|_| [rng.normal(), if dim == 2 { rng.normal() } else { 0.0 }]).collect()
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
/// The ODE methods use the velocity field's structure: v(x) = −P(x − μ*) + C⁻¹(x − m) =
/// ṁ + (C⁻¹ − P)(x − m) is affine, so a step is x ← m' + E(x − m) with the mean m' advanced exactly
/// and E a fourth-order Magnus step of the deviation ODE (see [`Flow::transport`]). The map is
/// invertible (particles never cross) and bounded for any dt, so no dt can blow the cloud up. For `fitted`
/// the mean and covariance are the particles' own, with 1/N: then the cloud's 1/N moments obey
/// exactly the closed-form moment ODE, started from the sample's moments, and converge to (μ*, Σ*)
/// for any n — so the KL dots of the fitted Gaussian approach 0. (With 1/(n−1) the cloud's 1/N
/// covariance would settle at Σ*·(n−1)/n instead, the typical spread of an n-point sample of p.) Langevin is plain Euler–Maruyama, with its O(dt) bias
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
        Self::from_draws(flow, method, &draws(flow.init.dim, n, &mut Rng::stream(seed, 0)), dt, seed)
    }

    /// As [`ParticleFlow::new`], from the standard draws of [`draws`]`(init.dim, n, stream(seed, 0))`
    /// kept from an earlier cloud: the same particles, without drawing them again.
    pub fn from_draws(flow: Flow, method: FlowMethod, z: &[Vec2], dt: f64, seed: u64) -> Result<Self, GaussError> {
        if z.is_empty() || z.len() > MAX_POINTS {
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
        let xs: Vec<Vec2> = z.iter().map(|&z| flow.init.unwhiten(z)).collect();
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
                    self.flow.frame_to_y(m, c)
                };
                let (e, m0, m1) = self.step_parts(my, cy)?;
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

    /// `n` steps at once. For the ODE methods the steps' affine maps x ↦ Ax + b are composed (2×2)
    /// and the particles moved once: O(N + n) instead of O(N·n), the same as `n` calls of
    /// [`ParticleFlow::step`] up to rounding. The particles' mean and 1/N covariance, which the
    /// `fitted` velocity and the KL dots need, move by the same maps (m ← Am + b, C ← ACAᵀ, exact
    /// for an affine map). Langevin steps one by one: its noise is per particle. Returns the
    /// fitted KL (time, KL) after each step for which `record(steps)` holds, and the error that
    /// stopped the run (the particles are then where the last good step left them).
    pub fn jump(&mut self, n: u64, record: impl Fn(u64) -> bool) -> (Vec<(f64, f64)>, Result<(), GaussError>) {
        let mut dots = Vec::new();
        let mut keep = |t: f64, kl: Result<f64, GaussError>| {
            if let Some(k) = kl.ok().filter(|k| k.is_finite()) {
                dots.push((t, k));
            }
        };
        if self.method == FlowMethod::Langevin {
            for _ in 0..n {
                if let Err(e) = self.step() {
                    return (dots, Err(e));
                }
                if record(self.steps) {
                    keep(self.time(), self.fitted_kl());
                }
            }
            return (dots, Ok(()));
        }
        let one_d = self.flow.target.dim == 1;
        let pad = |c: Mat2| if one_d { [[c[0][0], 0.0], [0.0, 1.0]] } else { c };
        let (mut m, mut c) = match moments(&self.xs) {
            Ok(mc) => mc,
            Err(e) => return (dots, Err(e)),
        };
        let (mut ca, mut cb): (Mat2, Vec2) = ([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]);
        let mut res = Ok(());
        for _ in 0..n {
            let (my, cy) = if self.method == FlowMethod::ExactScore {
                self.flow.evolve_y(self.time(), self.flow.m0y, self.flow.c0y)
            } else {
                self.flow.frame_to_y(m, pad(c))
            };
            let (a, b) = match self.step_map(my, cy) {
                Ok(ab) => ab,
                Err(e) => {
                    res = Err(e);
                    break;
                }
            };
            let am = mat_vec(a, m);
            m = [am[0] + b[0], am[1] + b[1]];
            c = mul(mul(a, c), transpose(a));
            let acb = mat_vec(a, cb);
            (ca, cb) = (mul(a, ca), [acb[0] + b[0], acb[1] + b[1]]);
            self.steps += 1;
            if record(self.steps) {
                keep(self.time(), self.flow.kl_to_target(m, pad(c)));
            }
        }
        for x in &mut self.xs {
            let y = mat_vec(ca, *x);
            *x = [y[0] + cb[0], if one_d { 0.0 } else { y[1] + cb[1] }];
        }
        (dots, res)
    }

    /// One ODE step x ← m₁ + E(x − m₀) from the moments (target frame) that set the velocity:
    /// (E, m₀, m₁), E a Magnus step turned into the plot's frame, m₁ the mean advanced exactly.
    fn step_parts(&self, my: Vec2, cy: Mat2) -> Result<(Mat2, Vec2, Vec2), GaussError> {
        let h = self.dt;
        let ey = self.flow.step_y(cy, h)?;
        let (my1, _) = self.flow.evolve_y(h, my, cy);
        let e = mul(mul(self.flow.rot, ey), transpose(self.flow.rot));
        let (m0, _) = self.flow.frame_to_x(my, cy);
        let (m1, _) = self.flow.frame_to_x(my1, cy);
        Ok((e, m0, m1))
    }

    /// [`ParticleFlow::step_parts`] as a map x ↦ Ax + b (for composing); in 1-D the padding
    /// coordinate stays 0.
    fn step_map(&self, my: Vec2, cy: Mat2) -> Result<(Mat2, Vec2), GaussError> {
        let (e, m0, m1) = self.step_parts(my, cy)?;
        let em0 = mat_vec(e, m0);
        let (mut a, mut b) = (e, [m1[0] - em0[0], m1[1] - em0[1]]);
        if self.flow.target.dim == 1 {
            a[1] = [0.0, 0.0];
            b[1] = 0.0;
        }
        Ok((a, b))
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
        if !(level > 0.0 && level < 1.0 && n2 > 0.0 && n2.is_finite()) {
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
    if e.l[0].is_nan() || e.l[0] <= 0.0 || e.l[1] < -COND_MIN * e.l[0] {
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
        let (t, m, m0, m1) = (self.sigma_total, self.mu, self.mu0, self.mu1);
        let e = |i: usize, j: usize| t[i][j] + m[i] * m[j] - p0 * m0[i] * m0[j] - self.p1 * m1[i] * m1[j];
        [[e(0, 0), e(0, 1)], [e(1, 0), e(1, 1)]]
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
    /// The Newton decrement fell below 1e-12·(1 + NLL) and the last full step was taken: the MLE to
    /// ~1e-12.
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

/// Logistic-regression MLE by Newton's method (IRLS), at most `max_iter` steps, with step halving
/// whenever the NLL would rise (pure Newton can overshoot on nearly separable data). It starts from
/// the closed form (LDA), usually next to the MLE, which halves the passes over the data (θ = 0 if
/// LDA is refused); the optimum is unique, so the start changes the cost, not the result. The data
/// are centred first; Newton is affine-equivariant, so this changes the conditioning of the 3×3
/// systems, not the iterates. Depends on the training data and `max_iter`.
pub fn logistic_mle(data: &Labelled, max_iter: usize) -> Result<Mle, GaussError> {
    check_data(data)?;
    let (mu, _) = moments(&data.x)?;
    let xs: Vec<Vec2> = data.x.iter().map(|x| sub(*x, mu)).collect();
    let n = xs.len() as f64;
    // One pass: NLL, gradient and Hessian (lower triangle) at θ = (w₀, w₁, b), and whether θ
    // separates strictly. One exp per point: e = e^{−|s|} gives both the softplus and σ(s).
    let pass = |th: [f64; 3]| {
        let (mut f, mut g, mut h, mut separates) = (0.0, [0.0; 3], [0.0; 6], true);
        for (x, &y) in xs.iter().zip(&data.y) {
            let s = th[0] * x[0] + th[1] * x[1] + th[2];
            separates &= if y { s > 0.0 } else { s < 0.0 };
            let e = (-s.abs()).exp();
            let margin = if y { -s } else { s };
            f += margin.max(0.0) + e.ln_1p();
            let p = if s >= 0.0 { 1.0 / (1.0 + e) } else { e / (1.0 + e) };
            let r = if y { p - 1.0 } else { p };
            let wgt = p * (1.0 - p);
            let (a, b) = (wgt * x[0], wgt * x[1]);
            g[0] += r * x[0];
            g[1] += r * x[1];
            g[2] += r;
            h[0] += a * x[0];
            h[1] += b * x[0];
            h[2] += b * x[1];
            h[3] += a;
            h[4] += b;
            h[5] += wgt;
        }
        let h = [[h[0], 0.0, 0.0], [h[1], h[2], 0.0], [h[3], h[4], h[5]]];
        (f / n, g.map(|v| v / n), h.map(|r| r.map(|v| v / n)), separates)
    };
    let finish = |th: [f64; 3], status, iterations| {
        let w = [th[0], th[1]];
        Mle { fit: Linear { w, b: th[2] - dot(w, mu) }, status, iterations }
    };
    let mut th = match class_stats(data).and_then(|s| s.post()) {
        Ok(lda) if all_finite(&[lda.w[0], lda.w[1], lda.b]) => [lda.w[0], lda.w[1], lda.b + dot(lda.w, mu)],
        _ => [0.0; 3],
    };
    let (mut f, mut g, mut h, separates) = pass(th);
    if separates {
        return Ok(finish(th, MleStatus::Separable, 0));
    }
    for it in 0..max_iter {
        let Some(step) = cholesky3_solve(h, g) else {
            return Ok(finish(th, MleStatus::Degenerate, it));
        };
        // Newton decrement: the predicted decrease ½gᵀH⁻¹g. Below 1e-12(1 + F) the remaining error
        // is ~1e-6, and one more full step (quadratic convergence) leaves ~1e-12: take it and stop,
        // without another pass — comparing NLL values that close is only comparing summation
        // rounding (with n = 5000 that made the step halving below run 34 times per iteration).
        let decrement = 0.5 * (g[0] * step[0] + g[1] * step[1] + g[2] * step[2]);
        if decrement <= 1e-12 * (1.0 + f.abs()) {
            return Ok(finish([th[0] - step[0], th[1] - step[1], th[2] - step[2]], MleStatus::Converged, it + 1));
        }
        let mut t = 1.0;
        let (mut next, mut eval);
        loop {
            next = [th[0] - t * step[0], th[1] - t * step[1], th[2] - t * step[2]];
            eval = pass(next);
            // A real decrease (≳ the decrement, far above rounding) is expected: halve only on a rise.
            if eval.0 <= f + 1e-14 * (1.0 + f.abs()) || t < 1e-10 {
                break;
            }
            t *= 0.5;
        }
        th = next;
        (f, g, h) = (eval.0, eval.1, eval.2);
        if eval.3 {
            return Ok(finish(th, MleStatus::Separable, it + 1));
        }
        if !all_finite(&th) {
            return Ok(finish(th, MleStatus::Degenerate, it + 1));
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
            let s = h[i][j] - (0..j).map(|k| l[i][k] * l[j][k]).sum::<f64>();
            if i == j {
                if s.is_nan() || s <= tiny {
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

/// E[ln(1 + e^X)] for X ~ N(m, σ²): E[max(X, 0)] = mΦ(m/σ) + σφ(m/σ) in closed form, plus
/// E[ln(1 + e^{−|X|})] — bounded by ln 2, below 1e-17 beyond |x| = 40, smooth on each side of its kink
/// at 0 — by 8-point Gauss–Legendre on panels no wider than min(σ/2, 1), over [m − 12σ, m + 12σ] ∩
/// [−40, 40] split at 0 (the Gaussian weight beyond 12σ is below 1e-31).
pub fn expected_softplus(m: f64, sigma: f64) -> f64 {
    if !(sigma > 0.0 && sigma.is_finite()) {
        return softplus(m);
    }
    const X: [f64; 4] = [0.1834346424956498, 0.525532409916329, 0.7966664774136267, 0.9602898564975363];
    const W: [f64; 4] = [0.362683783378362, 0.3137066458778873, 0.2223810344533745, 0.1012285362903763];
    let z = m / sigma;
    let relu = m * phi_cdf(z) + sigma * (-0.5 * z * z).exp() / (2.0 * PI).sqrt();
    let (lo, hi) = ((m - 12.0 * sigma).max(-40.0), (m + 12.0 * sigma).min(40.0));
    let mut rest = 0.0;
    let pieces: [(f64, f64); 2] = if lo < 0.0 && hi > 0.0 { [(lo, 0.0), (0.0, hi)] } else { [(lo, hi), (0.0, 0.0)] };
    for (a, b) in pieces {
        if b <= a {
            continue;
        }
        let panels = ((b - a) / (0.5 * sigma).min(1.0)).ceil().clamp(1.0, 4000.0) as usize;
        let h = (b - a) / panels as f64;
        for k in 0..panels {
            let c = a + (k as f64 + 0.5) * h;
            for (x, w) in X.iter().zip(W) {
                for xx in [c - 0.5 * h * x, c + 0.5 * h * x] {
                    let u = (xx - m) / sigma;
                    rest += w * 0.5 * h * (-xx.abs()).exp().ln_1p() * (-0.5 * u * u).exp();
                }
            }
        }
    }
    relu + rest / (sigma * (2.0 * PI).sqrt())
}

/// The population accuracy and NLL of a linear rule under the model — the limit of an infinitely
/// large fresh test sample, exact: with s = w·x + b ~ N(m_c, σ_c²) in class c,
/// accuracy = p₁Φ(m₁/σ₁) + p₀Φ(−m₀/σ₀) and NLL = p₁E[ln(1 + e^{−s}) | 1] + p₀E[ln(1 + e^s) | 0].
/// Depends on the spec and the rule.
pub fn population_metrics(spec: &ClassSpec, f: &Linear) -> Result<(f64, f64), GaussError> {
    let (c0, c1) = spec.classes()?;
    if !(spec.p1 > 0.0 && spec.p1 < 1.0) {
        return Err(GaussError::OutOfRange);
    }
    let law = |g: &Gaussian| (f.logit(g.mean()), dot(f.w, mat_vec(g.cov(), f.w)).max(0.0).sqrt());
    let ((m0, s0), (m1, s1)) = (law(&c0), law(&c1));
    let above = |m: f64, s: f64| {
        if s > 0.0 {
            phi_cdf(m / s)
        } else if m > 0.0 {
            1.0
        } else {
            0.0
        }
    };
    let acc = spec.p1 * above(m1, s1) + (1.0 - spec.p1) * (1.0 - above(m0, s0));
    let nll = spec.p1 * expected_softplus(-m1, s1) + (1.0 - spec.p1) * expected_softplus(m0, s0);
    Ok((acc, nll))
}

/// One point of the learning curve: averages over the repeats whose fit succeeded, in the order
/// post, script, MLE.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CurvePoint {
    /// Training-set size.
    pub n: usize,
    /// Mean population (test) accuracy.
    pub acc: [f64; 3],
    /// Mean population (test) NLL.
    pub nll: [f64; 3],
    /// Repeats that were used (fits refused, e.g. a singular covariance at tiny n, are skipped).
    pub used: usize,
    /// Repeats whose training set was separable (their MLE is the first separating iterate).
    pub separable: usize,
}

/// Test accuracy and NLL against the training size: `repeats` seeded training sets per size
/// (training set r of size n uses a sub-stream of `seed` fixed by (n, r)), each rule scored by
/// [`population_metrics`] — what a fresh test sample estimates, without its noise and at a tenth of
/// the cost of 4000 test points. Depends on the spec, the sizes, repeats and seed.
pub fn learning_curve(spec: &ClassSpec, ns: &[usize], repeats: usize, seed: u64) -> Result<Vec<CurvePoint>, GaussError> {
    if repeats.saturating_mul(ns.len()) > 10_000 {
        return Err(GaussError::Count);
    }
    spec.classes()?;
    ns.iter()
        .map(|&n| {
            let mut pt = CurvePoint { n, acc: [0.0; 3], nll: [0.0; 3], used: 0, separable: 0 };
            for r in 0..repeats {
                let Some(rep) = curve_repeat(spec, n, r, seed)? else { continue };
                for k in 0..3 {
                    pt.acc[k] += rep.acc[k];
                    pt.nll[k] += rep.nll[k];
                }
                pt.used += 1;
                pt.separable += usize::from(rep.separable);
            }
            // No usable repeat: NaN, which the chart skips, rather than a fake 0.
            let u = if pt.used == 0 { f64::NAN } else { pt.used as f64 };
            pt.acc.iter_mut().chain(pt.nll.iter_mut()).for_each(|v| *v /= u);
            Ok(pt)
        })
        .collect()
}

/// One training set of the learning curve, scored: population accuracy and NLL of post, script
/// and MLE, and whether the MLE found the set separable.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CurveRepeat {
    /// Population accuracy (post, script, MLE).
    pub acc: [f64; 3],
    /// Population NLL (post, script, MLE).
    pub nll: [f64; 3],
    /// The training set was separable.
    pub separable: bool,
}

/// Repeat `r` of size `n` of [`learning_curve`] on its own (the same sub-stream of `seed`), so a
/// caller can spread the curve over many small chunks of work; `None` when the fit was refused
/// (e.g. a singular covariance at tiny n). Summing these in order and dividing by the used count
/// gives exactly [`learning_curve`]'s numbers.
pub fn curve_repeat(spec: &ClassSpec, n: usize, r: usize, seed: u64) -> Result<Option<CurveRepeat>, GaussError> {
    let s = Rng::stream(seed, (n as u64).wrapping_mul(1_000_003).wrapping_add(r as u64)).next_u64();
    let train = sample_classes(spec, n, s)?;
    let Ok(c) = fit_classifiers(&train) else { return Ok(None) };
    let mut rep = CurveRepeat { acc: [0.0; 3], nll: [0.0; 3], separable: c.mle.status == MleStatus::Separable };
    for (k, f) in [c.post, c.script, c.mle.fit].iter().enumerate() {
        (rep.acc[k], rep.nll[k]) = population_metrics(spec, f)?;
    }
    Ok(Some(rep))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g2(mean: Vec2, sd: Vec2, ang: f64) -> Gaussian {
        Gaussian::from_axes(2, mean, sd, ang).expect("valid")
    }

    fn spec_flow() -> Flow {
        let t = Gaussian::from_cov(2, [1.0, -0.5], [[1.0, 0.6], [0.6, 2.0]]).unwrap();
        let i = Gaussian::from_cov(2, [-2.0, 2.0], [[0.3, 0.0], [0.0, 0.1]]).unwrap();
        Flow::new(t, i).unwrap()
    }

    fn near(got: f64, want: f64, tol: f64) -> bool {
        (got - want).abs() <= tol
    }

    #[test]
    fn spec_w3_t1_cases_a_and_c() {
        let p = g2([0.0, 0.0], [1.0, 1.0], 0.0);
        let q = Gaussian::from_cov(2, [1.0, 0.0], [[2.0, 0.0], [0.0, 0.5]]).unwrap();
        let d = divergences(&p, &q).unwrap();
        assert!(near(d.kl_pq, 0.5, 1e-15) && near(d.kl_qp, 0.75, 1e-15), "{d:?}");
        assert!(near(d.bd, 0.1422248512, 5e-11) && near(d.hellinger2, 0.1325738072, 5e-11));
        assert!(near(d.w2_sq, 1.2573593129, 5e-11) && near(w2_sq_frechet(&p, &q).unwrap(), 1.2573593129, 5e-11));
        // Commuting covariances: the commuting formula is W₂² exactly; A = diag(√2, √½).
        assert!(near(w2_commuting_sq(&p, &q).unwrap(), d.w2_sq, 1e-15));
        let a = d.ot.a;
        assert!(near(a[0][0], 2f64.sqrt(), 1e-15) && near(a[1][1], 0.5f64.sqrt(), 1e-15) && a[0][1].abs() < 1e-16, "{a:?}");
        let p = Gaussian::from_axes(1, [0.0, 0.0], [1.0, 0.0], 0.0).unwrap();
        let q = Gaussian::from_axes(1, [1.0, 0.0], [2.0, 0.0], 0.0).unwrap();
        let d = divergences(&p, &q).unwrap();
        assert!(near(d.kl_pq, 0.4431471806, 5e-11) && near(d.kl_qp, 1.3068528194, 5e-11));
        assert!(near(d.bd, 0.1615717757, 5e-11) && near(d.w2_sq, 2.0, 1e-15));
        assert_eq!(d.ot.a_rows(), vec![vec![2.0]]);
        assert_eq!(p.cov_rows(), vec![vec![1.0]]);
    }

    #[test]
    fn spec_w3_t4_t5_t6_flow() {
        let f = spec_flow();
        let m = f.moments(0.5).unwrap();
        let want = [-0.3685971643, 1.0203779889, 0.6818565783, 0.1317002419, 0.8212243449, 2.7790968048];
        let got = [m.m[0], m.m[1], m.c[0][0], m.c[0][1], m.c[1][1], m.kl];
        assert!(got.iter().zip(want).all(|(g, w)| near(*g, w, 6e-11)), "{got:?}");
        let m = f.moments(1.0).unwrap();
        let want = [0.4200500617, 0.4779030449, 0.8257850670, 0.2758680898, 1.2534590193, 0.7571686036];
        let got = [m.m[0], m.m[1], m.c[0][0], m.c[0][1], m.c[1][1], m.kl];
        assert!(got.iter().zip(want).all(|(g, w)| near(*g, w, 6e-11)), "{got:?}");
        assert!(near(f.moments(3.0).unwrap().kl, 0.0190852494, 6e-11));
        assert!(near(f.moments(0.0).unwrap().kl, 11.3512368257, 6e-11));
        let x = f.particle([-1.5, 1.8], 1.0, 4000).unwrap();
        assert!(near(x[0], 1.1653967903, 6e-11) && near(x[1], -0.0799544229, 6e-11), "{x:?}");
        // 1-D math-spec check: p = N(0, 1), q₀ = N(3, 0.25): m(1) = 3/e, C(1) = 1 − 0.75e⁻².
        let f1 = Flow::new(
            Gaussian::from_axes(1, [0.0, 0.0], [1.0, 1.0], 0.0).unwrap(),
            Gaussian::from_axes(1, [3.0, 0.0], [0.5, 1.0], 0.0).unwrap(),
        )
        .unwrap();
        let m = f1.moments(1.0).unwrap();
        assert!(near(m.m[0], 1.1036383235, 6e-11) && near(m.c[0][0], 0.8984985376, 6e-11) && m.c[1][1] == 1.0, "{m:?}");
    }

    /// The literal 20-point data set of W3-T7.
    fn spec_data() -> Labelled {
        let x = vec![
            [-0.1, -0.7],
            [0.54, 0.97],
            [-0.7, -1.66],
            [1.97, 0.69],
            [-0.96, -0.39],
            [-1.97, -1.47],
            [2.43, -0.71],
            [0.68, 0.99],
            [-0.42, 0.05],
            [0.51, -0.35],
            [1.26, -0.16],
            [0.66, 1.98],
            [-0.2, -1.01],
            [-2.18, -0.93],
            [0.22, -0.63],
            [0.95, 0.89],
            [-0.48, -0.06],
            [0.13, 1.21],
            [-0.53, -0.51],
            [0.88, -0.12],
        ];
        let y = [1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0].iter().map(|&v| v == 1).collect();
        Labelled { x, y }
    }

    #[test]
    fn spec_w3_t7_t8_t9_classifiers() {
        let data = spec_data();
        let c = fit_classifiers(&data).unwrap();
        let s = c.stats;
        assert!(near(s.p1, 0.35, 1e-15));
        assert!(near(s.mu0[0], -0.1746153846, 5e-11) && near(s.mu1[1], -0.2142857143, 5e-11));
        assert!(near(s.sigma_within[0][0], 1.0718504396, 5e-11) && near(s.sigma_within[0][1], 0.5257809341, 5e-11));
        // The post's moment identity is the pooled within-class covariance (to rounding).
        let mi = s.moment_identity();
        for i in 0..2 {
            for j in 0..2 {
                assert!((mi[i][j] - s.sigma_within[i][j]).abs() <= 4e-16, "{mi:?} vs {:?}", s.sigma_within);
            }
        }
        let checks = [
            (c.post.w[0], 1.3331633690),
            (c.post.w[1], -1.0380082169),
            (c.post.b, -1.1029475188),
            (nll(&c.post, &data), 0.5180074001),
            (c.script.w[0], 1.0170302930),
            (c.script.b, -0.9881983243),
            (nll(&c.script, &data), 0.5222283634),
            (c.mle.fit.w[0], 1.3021695567),
            (c.mle.fit.w[1], -0.9829593572),
            (c.mle.fit.b, -1.0167500937),
            (nll(&c.mle.fit, &data), 0.5174507806),
            (s.shrink().unwrap(), 0.7628699653),
            (s.mahalanobis2().unwrap(), 1.3663269894),
        ];
        for (got, want) in checks {
            assert!(near(got, want, 6e-11), "{got} vs {want}");
        }
        for f in [c.post, c.script, c.mle.fit] {
            assert!(near(accuracy(&f, &data), 0.65, 1e-15));
        }
        // Same direction, shorter: the cross product vanishes and the ratio is the shrink factor.
        let (wp, ws) = (c.post.w, c.script.w);
        assert!((wp[0] * ws[1] - wp[1] * ws[0]).abs() < 1e-15);
        assert!(near(ws[0].hypot(ws[1]) / wp[0].hypot(wp[1]), s.shrink().unwrap(), 1e-15));
        assert_eq!(c.mle.status, MleStatus::Converged);
        assert!(c.mle.iterations < 15, "{}", c.mle.iterations);
    }

    #[test]
    fn invalid_inputs_are_refused_not_panicked_on() {
        assert_eq!(Gaussian::from_axes(2, [0.0, 0.0], [1.0, 0.0], 0.0), Err(GaussError::Singular));
        assert_eq!(Gaussian::from_axes(2, [0.0, 0.0], [-1.0, 1.0], 0.0), Err(GaussError::OutOfRange));
        assert_eq!(Gaussian::from_axes(2, [f64::NAN, 0.0], [1.0, 1.0], 0.0), Err(GaussError::NonFinite));
        assert_eq!(Gaussian::from_axes(2, [0.0, 0.0], [1.0, 1.0], f64::INFINITY), Err(GaussError::NonFinite));
        assert_eq!(Gaussian::from_axes(3, [0.0, 0.0], [1.0, 1.0], 0.0), Err(GaussError::Dimension));
        assert_eq!(Gaussian::from_axes(2, [1e101, 0.0], [1.0, 1.0], 0.0), Err(GaussError::OutOfRange));
        assert_eq!(Gaussian::from_cov(2, [0.0, 0.0], [[1.0, 1.0], [1.0, 1.0]]), Err(GaussError::Singular));
        assert_eq!(Gaussian::from_cov(2, [0.0, 0.0], [[1.0, 2.0], [2.0, 1.0]]), Err(GaussError::NotPositiveDefinite));
        assert_eq!(Gaussian::from_cov(2, [0.0, 0.0], [[1.0, 0.1], [0.0, 1.0]]), Err(GaussError::NotPositiveDefinite));
        assert_eq!(Gaussian::from_cov(2, [0.0, 0.0], [[1.0, 0.0], [0.0, 1e-15]]), Err(GaussError::Singular));
        assert_eq!(Gaussian::from_cov(1, [0.0, 0.0], [[0.0, 0.0], [0.0, 0.0]]), Err(GaussError::Singular));
        let (p1, p2) = (Gaussian::from_axes(1, [0.0, 0.0], [1.0, 1.0], 0.0).unwrap(), g2([0.0, 0.0], [1.0, 1.0], 0.0));
        assert_eq!(kl(&p1, &p2), Err(GaussError::Dimension));
        assert_eq!(Flow::new(p1, p2).err(), Some(GaussError::Dimension));
        let f = spec_flow();
        assert_eq!(f.moments(-1.0).err(), Some(GaussError::OutOfRange));
        assert!(
            matches!(f.em_moments(2.0, 3), Err(GaussError::Unstable { dt_max }) if near(dt_max, 2.0 * (3.0 - 2.44f64.sqrt()) / 2.0, 1e-12))
        );
        assert!(ParticleFlow::new(f, FlowMethod::Langevin, 10, 5.0, 1).is_err());
        assert_eq!(ParticleFlow::new(f, FlowMethod::ExactScore, 0, 0.1, 1).err(), Some(GaussError::Count));
        assert!(ParticleFlow::new(f, FlowMethod::ExactScore, 10, f64::NAN, 1).is_err());
        let one_class = Labelled { x: vec![[0.0, 0.0], [1.0, 1.0]], y: vec![true, true] };
        assert_eq!(fit_classifiers(&one_class).err(), Some(GaussError::Count));
        let collinear = Labelled { x: vec![[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]], y: vec![false, true, false, true] };
        assert_eq!(class_stats(&collinear).unwrap().post().err(), Some(GaussError::Singular));
        let mismatched = Labelled { x: vec![[0.0, 0.0]], y: vec![] };
        assert_eq!(fit_classifiers(&mismatched).err(), Some(GaussError::Count));
        let spec = ClassSpec { delta: [1.0, 0.0], sd: [1.0, 1.0], ang_deg: 0.0, unequal: false, p1: 1.0 };
        assert_eq!(sample_classes(&spec, 10, 1).err(), Some(GaussError::OutOfRange));
    }

    #[test]
    fn mle_reports_separable_and_degenerate_data() {
        let sep = Labelled { x: vec![[-1.0, 0.0], [-2.0, 1.0], [1.0, 0.5], [2.0, -1.0]], y: vec![false, false, true, true] };
        let m = logistic_mle(&sep, MLE_MAX_ITER).unwrap();
        assert_eq!(m.status, MleStatus::Separable);
        assert!(m.fit.w.iter().chain([&m.fit.b]).all(|v| v.is_finite()));
        // Quasi-separable (one point of each class on the boundary x = 0): no iterate separates
        // strictly, Newton runs into the cap or a singular Hessian, never NaN.
        let quasi = Labelled {
            x: vec![[-1.0, 0.0], [0.0, 0.0], [0.0, 0.0], [1.0, 0.0], [-2.0, 1.0], [2.0, 1.0]],
            y: vec![false, false, true, true, false, true],
        };
        let m = logistic_mle(&quasi, MLE_MAX_ITER).unwrap();
        assert!(matches!(m.status, MleStatus::NotConverged | MleStatus::Degenerate), "{m:?}");
        assert!(m.fit.w.iter().chain([&m.fit.b]).all(|v| v.is_finite()));
        // All points equal: the Hessian is singular at once.
        let same = Labelled { x: vec![[1.0, 1.0]; 4], y: vec![false, true, false, true] };
        assert_eq!(logistic_mle(&same, MLE_MAX_ITER).unwrap().status, MleStatus::Degenerate);
    }

    #[test]
    fn geometry_helpers() {
        let g = g2([1.0, -2.0], [2.0, 0.5], 30.0);
        for x in g.ellipse(2.0, 64) {
            let z = g.whiten(x);
            assert!(near(dot(z, z).sqrt(), 2.0, 1e-12));
        }
        let e = g.ellipse(1.0, 16);
        assert_eq!(e.len(), 17);
        assert_eq!(e[0], e[16]);
        let [h0, h1] = g.axis_handles();
        assert!(near(sub(h0, g.mean())[0].hypot(sub(h0, g.mean())[1]), 2.0, 1e-12));
        assert!(near(sub(h1, g.mean())[0].hypot(sub(h1, g.mean())[1]), 0.5, 1e-12));
        // The handle direction is the axis angle.
        assert!(near((h0[1] - g.mean()[1]).atan2(h0[0] - g.mean()[0]).to_degrees(), 30.0, 1e-12));
        for u in [1e-10, 0.001, 0.02425, 0.1, 0.5, 0.77, 0.999] {
            let z = normal_quantile(u);
            // phi_cdf itself loses ~1e-13 (relative) to cancellation in the lower tail.
            assert!((phi_cdf(z) - u).abs() <= 1e-12 * u, "u = {u}: Φ(Φ⁻¹(u)) = {}", phi_cdf(z));
        }
        let grid = g.quantile_grid(4);
        assert_eq!(grid.len(), 16);
        // Symmetric quantiles: the grid's centroid is the mean.
        let (m, _) = moments(&grid).unwrap();
        assert!(near(m[0], 1.0, 1e-12) && near(m[1], -2.0, 1e-12));
        let lin = Linear { w: [1.0, -2.0], b: 0.3 };
        for level in [0.1, 0.5, 0.9] {
            let (p, d) = lin.level_line(level).unwrap();
            for s in [-3.0, 0.0, 2.0] {
                assert!(near(lin.prob([p[0] + s * d[0], p[1] + s * d[1]]), level, 1e-12));
            }
        }
        assert!(Linear { w: [0.0, 0.0], b: 1.0 }.level_line(0.5).is_none());
        // Log density: integrates the 1-D normal exactly at the mode.
        let g1 = Gaussian::from_axes(1, [0.5, 9.0], [2.0, 7.0], 12.0).unwrap();
        assert!(near(g1.log_density([0.5, 3.0]), -(2.0 * (2.0 * PI).sqrt()).ln(), 1e-15));
        assert!(near(g.log_density(g.mean()), -(2.0 * PI * 2.0 * 0.5).ln(), 1e-15));
    }

    #[test]
    fn shift_sweep_grows_like_s_squared() {
        let p = g2([0.0, 0.0], [1.0, 0.5], 0.0);
        let q = g2([3.0, 0.0], [1.0, 0.5], 0.0);
        let pts = shift_sweep(&p, &q, &[-4.0, -1.0, 0.0, 0.5, 2.0]).unwrap();
        for pt in &pts {
            // Equal covariances: KL = s²/(2σ²) along x (σ = 1), BD = s²/8, W₂² = s².
            assert!(near(pt.kl_pq, 0.5 * pt.s * pt.s, 1e-14) && near(pt.kl_qp, pt.kl_pq, 1e-14));
            assert!(near(pt.bd, pt.s * pt.s / 8.0, 1e-14) && near(pt.w2_sq, pt.s * pt.s, 1e-14));
        }
        assert_eq!(pts[2].kl_pq, 0.0);
        // σ → 0: KL explodes like 1/σ², W₂ stays finite.
        let thin = |s: f64| {
            (
                kl(&g2([0.0, 0.0], [s, s], 0.0), &g2([1.0, 0.0], [s, s], 0.0)).unwrap(),
                w2_sq(&g2([0.0, 0.0], [s, s], 0.0), &g2([1.0, 0.0], [s, s], 0.0)).unwrap(),
            )
        };
        let (k, w) = thin(1e-3);
        assert!(near(k, 0.5e6, 1e-6) && near(w, 1.0, 1e-15));
    }

    // ------------------------------------------------------------------ particles

    #[test]
    fn exact_score_particles_follow_the_transport_map_to_fourth_order() {
        let f = spec_flow();
        let errs: Vec<f64> = [0.02, 0.01]
            .iter()
            .map(|&dt| {
                let mut pf = ParticleFlow::new(f, FlowMethod::ExactScore, 50, dt, 3).unwrap();
                let x0 = pf.particles().to_vec();
                pf.advance_to(1.0).unwrap();
                assert!(near(pf.time(), 1.0, 1e-12));
                let m = f.transport(1.0, 4000).unwrap();
                let mt = f.moments(1.0).unwrap().m;
                x0.iter()
                    .zip(pf.particles())
                    .map(|(a, b)| {
                        let d = mat_vec(m, sub(*a, f.init().mean()));
                        (mt[0] + d[0] - b[0]).abs().max((mt[1] + d[1] - b[1]).abs())
                    })
                    .fold(0.0, f64::max)
            })
            .collect();
        // Fourth order: halving dt divides the error by 16 (13…19), and it is small.
        let ratio = errs[0] / errs[1];
        assert!(errs[1] < 1e-5 && (13.0..19.0).contains(&ratio), "{errs:?}");
        // Particles never cross: the map is invertible with positive determinant.
        let m = f.transport(2.0, 1000).unwrap();
        assert!(m[0][0] * m[1][1] - m[0][1] * m[1][0] > 0.0);
    }

    /// max over entries of |a − b| / se.
    fn z_scores(m: Vec2, c: Mat2, want: &FlowMoments, n: f64) -> (f64, f64) {
        let w = want.c;
        let zm = (0..2).map(|i| (m[i] - want.m[i]).abs() / (w[i][i] / n).sqrt()).fold(0.0, f64::max);
        // Var of the sample covariance entry (Gaussian data): (C_ii C_jj + C_ij²)/n.
        let zc = (0..2)
            .flat_map(|i| (0..2).map(move |j| (i, j)))
            .map(|(i, j)| (c[i][j] - w[i][j]).abs() / ((w[i][i] * w[j][j] + w[i][j] * w[i][j]) / n).sqrt())
            .fold(0.0, f64::max);
        (zm, zc)
    }

    #[test]
    fn ode_particles_match_the_closed_form_within_sampling_error() {
        let f = spec_flow();
        let n = 20_000;
        let mut pf = ParticleFlow::new(f, FlowMethod::ExactScore, n, 0.01, 11).unwrap();
        pf.advance_to(1.0).unwrap();
        let (m, c) = pf.sample_moments().unwrap();
        // The cloud is an affine image of an N(m₀, C₀) sample: its moments scatter around the closed
        // form with the sampling error of n points (integration error ~1e-5 is far below 1/√n).
        let (zm, zc) = z_scores(m, c, &f.moments(1.0).unwrap(), n as f64);
        assert!(zm < 5.0 && zc < 5.0, "z = {zm}, {zc}");
        assert!(near(pf.fitted_kl().unwrap(), f.moments(1.0).unwrap().kl, 0.05));
    }

    /// A jump of n steps (a replay after a drag) lands where n single steps do: to rounding for the
    /// ODE methods (their affine maps composed), exactly for Langevin (stepped, same noise); the KL
    /// dots it records match the single steps' fitted KL at the same steps.
    #[test]
    fn a_jump_of_n_steps_lands_where_n_single_steps_do() {
        let one_d = Flow::new(
            Gaussian::from_cov(1, [0.5, 0.0], [[2.0, 0.0], [0.0, 1.0]]).unwrap(),
            Gaussian::from_cov(1, [-3.0, 0.0], [[0.2, 0.0], [0.0, 1.0]]).unwrap(),
        )
        .unwrap();
        for (f, method) in [
            (spec_flow(), FlowMethod::ExactScore),
            (spec_flow(), FlowMethod::Fitted),
            (spec_flow(), FlowMethod::Langevin),
            (one_d, FlowMethod::ExactScore),
            (one_d, FlowMethod::Fitted),
        ] {
            let (n, steps) = (500, 137u64);
            let mut a = ParticleFlow::new(f, method, n, 0.02, 9).unwrap();
            let mut b = ParticleFlow::new(f, method, n, 0.02, 9).unwrap();
            let mut dots = Vec::new();
            for _ in 0..steps {
                a.step().unwrap();
                if a.steps().is_multiple_of(10) {
                    dots.push((a.time(), a.fitted_kl().unwrap()));
                }
            }
            let (jdots, res) = b.jump(steps, |k| k.is_multiple_of(10));
            assert!(res.is_ok());
            assert_eq!(b.steps(), steps);
            let scale = a.particles().iter().flatten().fold(1.0f64, |s, v| s.max(v.abs()));
            let err =
                a.particles().iter().zip(b.particles()).map(|(p, q)| (p[0] - q[0]).abs().max((p[1] - q[1]).abs())).fold(0.0, f64::max);
            if method == FlowMethod::Langevin {
                assert_eq!(a.particles(), b.particles(), "Langevin steps one by one");
            } else {
                assert!(err <= 1e-12 * scale, "{method:?} dim {}: {err}", f.target().dim);
            }
            assert_eq!(dots.len(), jdots.len());
            for ((t, k), (tj, kj)) in dots.iter().zip(&jdots) {
                assert_eq!(t, tj);
                assert!((k - kj).abs() <= 1e-10 * k.abs().max(1.0), "{method:?}: KL {k} vs {kj}");
            }
            if f.target().dim == 1 {
                assert!(b.particles().iter().all(|x| x[1] == 0.0));
            }
        }
    }

    #[test]
    fn fitted_particles_obey_the_moment_ode_from_their_own_1_over_n_moments() {
        let f = spec_flow();
        let n = 100;
        let mut pf = ParticleFlow::new(f, FlowMethod::Fitted, n, 0.01, 5).unwrap();
        let (m0, c0) = pf.sample_moments().unwrap();
        pf.advance_to(1.0).unwrap();
        let (m, c) = pf.sample_moments().unwrap();
        let own = Flow::new(*f.target(), Gaussian::from_cov(2, m0, c0).unwrap()).unwrap().moments(1.0).unwrap();
        let err = (0..2)
            .map(|i| (m[i] - own.m[i]).abs().max((c[i][0] - own.c[i][0]).abs()).max((c[i][1] - own.c[i][1]).abs()))
            .fold(0.0, f64::max);
        assert!(err < 1e-6, "error {err}");
        // With 1/(n − 1) moments the prediction would be off by about 1% of C: far outside.
        let unbiased = [[c0[0][0] * 100.0 / 99.0, c0[0][1] * 100.0 / 99.0], [c0[1][0] * 100.0 / 99.0, c0[1][1] * 100.0 / 99.0]];
        let other = Flow::new(*f.target(), Gaussian::from_cov(2, m0, unbiased).unwrap()).unwrap().moments(1.0).unwrap();
        let off = (c[0][0] - other.c[0][0]).abs().max((c[1][1] - other.c[1][1]).abs());
        assert!(off > 50.0 * err, "{off} vs {err}");
        // Long runs converge to the target itself, for any n (the slowest rate is 1/λ_max ≈ 0.44).
        pf.advance_to(80.0).unwrap();
        let (m, c) = pf.sample_moments().unwrap();
        let t = f.target().cov();
        assert!((m[0] - 1.0).abs() < 1e-6 && (c[0][1] - t[0][1]).abs() < 1e-6 && (c[1][1] - t[1][1]).abs() < 1e-6, "{m:?} {c:?}");
    }

    #[test]
    fn langevin_particles_have_the_euler_maruyama_law_and_its_bias() {
        let f = spec_flow();
        let (n, dt, k) = (20_000, 0.2, 20);
        let mut pf = ParticleFlow::new(f, FlowMethod::Langevin, n, dt, 2).unwrap();
        for _ in 0..k {
            pf.step().unwrap();
        }
        let (m, c) = pf.sample_moments().unwrap();
        let em = f.em_moments(dt, k).unwrap();
        let (zm, zc) = z_scores(m, c, &em, n as f64);
        assert!(zm < 5.0 && zc < 5.0, "against the EM law: z = {zm}, {zc}");
        // The continuous-time law at t = 4 is a different Gaussian: along the target's minor axis v
        // EM's variance is λ/(1 − dt/2λ) ≈ 1.16λ, many standard errors (vᵀCv·√(2/n)) away, so this
        // test can tell them apart.
        let exact = f.moments(dt * k as f64).unwrap();
        let v = [-f.target().rot()[0][1], -f.target().rot()[1][1]];
        let var = |c: Mat2| dot(v, mat_vec(c, v));
        let z = (var(c) - var(exact.c)) / (var(exact.c) * (2.0 / n as f64).sqrt());
        assert!(z > 10.0, "the EM bias should be visible: z = {z}");
        let z_em = (var(c) - var(em.c)).abs() / (var(em.c) * (2.0 / n as f64).sqrt());
        assert!(z_em < 5.0, "{z_em}");
        // Stationary covariance: λ/(1 − dt/(2λ)) along the target's axes.
        let s = f.em_stationary_cov(dt).unwrap();
        let far = f.em_moments(dt, 100_000).unwrap();
        assert!((0..2).all(|i| (0..2).all(|j| (s[i][j] - far.c[i][j]).abs() < 1e-12)));
    }

    #[test]
    fn one_dimensional_particles_keep_their_order_and_langevin_ones_do_not() {
        let f = Flow::new(
            Gaussian::from_axes(1, [1.0, 0.0], [0.5, 1.0], 0.0).unwrap(),
            Gaussian::from_axes(1, [-2.0, 0.0], [0.2, 1.0], 0.0).unwrap(),
        )
        .unwrap();
        let order = |xs: &[Vec2]| {
            let mut idx: Vec<usize> = (0..xs.len()).collect();
            idx.sort_by(|&a, &b| xs[a][0].total_cmp(&xs[b][0]));
            idx
        };
        for method in [FlowMethod::ExactScore, FlowMethod::Fitted, FlowMethod::Langevin] {
            let mut pf = ParticleFlow::new(f, method, 500, 0.01, 4).unwrap();
            let before = order(pf.particles());
            pf.advance_to(2.0).unwrap();
            assert!(pf.particles().iter().all(|x| x[1] == 0.0));
            let same = order(pf.particles()) == before;
            assert_eq!(same, method != FlowMethod::Langevin, "{method:?}");
            let fit = fit_gaussian(1, pf.particles()).unwrap();
            assert!(near(fit.mean()[0], f.moments(2.0).unwrap().m[0], 0.1));
        }
    }

    // ------------------------------------------------------------------ classifier sampling

    #[test]
    fn class_samples_are_seeded_stratified_and_unequal_breaks_the_closed_forms() {
        let spec = ClassSpec { delta: [0.9, -0.2], sd: [1.0, 0.8], ang_deg: 30.0, unequal: false, p1: 0.35 };
        let a = sample_classes(&spec, 20, 1).unwrap();
        assert_eq!(a, sample_classes(&spec, 20, 1).unwrap());
        assert_ne!(a, sample_classes(&spec, 20, 2).unwrap());
        assert_eq!(a.y.iter().filter(|&&y| y).count(), 7);
        assert_eq!(sample_classes(&spec, 2, 1).unwrap().y.iter().filter(|&&y| y).count(), 1);
        // Large n: the class means scatter around ±δ/2 with standard error sd/√n_class.
        let n = 40_000;
        let big = sample_classes(&spec, n, 9).unwrap();
        let s = class_stats(&big).unwrap();
        let se = (1.0f64 / (0.35 * n as f64)).sqrt();
        assert!((s.mu1[0] - 0.45).abs() < 5.0 * se && (s.mu1[1] + 0.1).abs() < 5.0 * se, "{:?}", s.mu1);
        // The learning curve at the spec defaults: with equal covariances the closed forms beat the
        // MLE at n = 20 (the few-shot claim); with `unequal` the MLE wins at large n.
        let curve = learning_curve(&spec, &[20, 2000], 20, 1).unwrap();
        assert!(curve[0].nll[0] < curve[0].nll[2], "{curve:?}");
        assert_eq!(curve[0].used, 20);
        let unequal = ClassSpec { unequal: true, ..spec };
        let curve = learning_curve(&unequal, &[2000], 5, 1).unwrap();
        assert!(curve[0].nll[2] < curve[0].nll[0] && curve[0].nll[2] < curve[0].nll[1], "{curve:?}");
    }

    #[test]
    fn expected_softplus_matches_brute_force_quadrature() {
        // Brute force: the trapezoid rule in z on [−14, 14] with 280,001 points (the integrand is
        // smooth apart from one kink, which the fine grid resolves to ~1e-13).
        let brute = |m: f64, s: f64| {
            let n = 280_000;
            let h = 28.0 / n as f64;
            (0..=n)
                .map(|i| {
                    let z = -14.0 + i as f64 * h;
                    let w = if i == 0 || i == n { 0.5 } else { 1.0 };
                    w * h * softplus(m + s * z) * (-0.5 * z * z).exp() / (2.0 * PI).sqrt()
                })
                .sum::<f64>()
        };
        for (m, s) in [(0.0, 1.0), (1.3, 0.2), (-2.0, 3.0), (0.4, 0.01), (-30.0, 25.0), (5.0, 80.0), (-0.7, 1e-4)] {
            let (got, want) = (expected_softplus(m, s), brute(m, s));
            assert!((got - want).abs() <= 1e-11 * want.max(1e-3), "m = {m}, σ = {s}: {got} vs {want}");
        }
        assert_eq!(expected_softplus(1.0, 0.0), softplus(1.0));
    }

    #[test]
    fn population_metrics_are_what_a_large_fresh_sample_estimates() {
        for unequal in [false, true] {
            let spec = ClassSpec { delta: [0.9, -0.2], sd: [1.0, 0.8], ang_deg: 30.0, unequal, p1: 0.35 };
            let f = fit_classifiers(&sample_classes(&spec, 50, 3).unwrap()).unwrap().post;
            let (acc, nll_pop) = population_metrics(&spec, &f).unwrap();
            let n = 200_000;
            let test = sample_classes(&spec, n, 77).unwrap();
            // Standard errors of the sample mean of the 0/1 hits and of the per-point loss.
            let losses: Vec<f64> = test.x.iter().zip(&test.y).map(|(&x, &y)| softplus(if y { -f.logit(x) } else { f.logit(x) })).collect();
            let mean = losses.iter().sum::<f64>() / n as f64;
            let sd = (losses.iter().map(|l| (l - mean) * (l - mean)).sum::<f64>() / n as f64).sqrt();
            let se_acc = (acc * (1.0 - acc) / n as f64).sqrt();
            assert!((accuracy(&f, &test) - acc).abs() < 5.0 * se_acc, "{unequal}: {} vs {acc}", accuracy(&f, &test));
            assert!((mean - nll_pop).abs() < 5.0 * sd / (n as f64).sqrt(), "{unequal}: {mean} vs {nll_pop}");
            assert!(near(nll(&f, &test), mean, 1e-12));
        }
    }

    // ------------------------------------------------------------------ properties

    use proptest::prelude::*;

    fn any_gaussian(log_sd: std::ops::Range<f64>, coord: f64) -> impl Strategy<Value = Gaussian> {
        (-coord..coord, -coord..coord, log_sd.clone(), log_sd, -360.0f64..360.0)
            .prop_map(|(x, y, a, b, ang)| Gaussian::from_axes(2, [x, y], [10f64.powf(a), 10f64.powf(b)], ang).unwrap())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        #[test]
        fn kl_is_nonnegative_and_zero_only_for_equal_gaussians(p in any_gaussian(-1.3..0.7, 5.0), q in any_gaussian(-1.3..0.7, 5.0)) {
            let (a, b) = (kl(&p, &q).unwrap(), kl(&q, &p).unwrap());
            prop_assert!(a >= 0.0 && b >= 0.0, "{a} {b}");
            prop_assert_eq!(kl(&p, &p).unwrap(), 0.0);
            prop_assert_eq!(bhattacharyya(&p, &p).unwrap(), 0.0);
            prop_assert_eq!(w2_sq(&p, &p).unwrap(), 0.0);
            // Distinct parameters (by a margin far above rounding) give a positive KL.
            let moved = p.with_mean([p.mean()[0] + 1e-3 * p.sd()[0].min(p.sd()[1]), p.mean()[1]]).unwrap();
            prop_assert!(kl(&p, &moved).unwrap() > 0.0);
            let wider = Gaussian::from_axes(2, p.mean(), [p.sd()[0] * 1.001, p.sd()[1]], p.angle_deg()).unwrap();
            prop_assert!(kl(&p, &wider).unwrap() > 0.0);
            prop_assert!(bhattacharyya(&p, &q).unwrap() >= 0.0);
            let h = hellinger2(&p, &q).unwrap();
            prop_assert!((0.0..=1.0).contains(&h));
        }

        #[test]
        fn w2_is_symmetric_and_both_forms_agree(p in any_gaussian(-1.3..0.7, 5.0), q in any_gaussian(-1.3..0.7, 5.0)) {
            let (a, b) = (w2_sq(&p, &q).unwrap(), w2_sq(&q, &p).unwrap());
            let scale = a.abs() + p.cov()[0][0] + p.cov()[1][1] + q.cov()[0][0] + q.cov()[1][1];
            prop_assert!((a - b).abs() <= 1e-13 * scale, "{a} vs {b}");
            prop_assert!((a - w2_sq_frechet(&p, &q).unwrap()).abs() <= 1e-12 * scale);
            // The commuting formula and the naive foil: never below W₂² for the first.
            prop_assert!(w2_commuting_sq(&p, &q).unwrap() >= a - 1e-12 * scale);
        }

        #[test]
        fn ot_map_is_symmetric_positive_definite_and_pushes_p_to_q(p in any_gaussian(-1.3..0.7, 5.0), q in any_gaussian(-1.3..0.7, 5.0)) {
            let t = ot_map(&p, &q).unwrap();
            let a = t.a;
            prop_assert_eq!(a[0][1], a[1][0]);
            prop_assert!(a[0][0] > 0.0 && a[0][0] * a[1][1] - a[0][1] * a[0][1] > 0.0);
            let asa = mul(mul(a, p.cov()), a);
            let sq = q.cov();
            let scale = sq[0][0].max(sq[1][1]);
            for i in 0..2 { for j in 0..2 {
                prop_assert!((asa[i][j] - sq[i][j]).abs() <= 1e-12 * scale, "{asa:?} vs {sq:?}");
            } }
            // The map's transport cost is W₂² (E‖T(x) − x‖² = ‖Δμ‖² + tr((A − I)Σ_p(A − I))).
            let am = [[a[0][0] - 1.0, a[0][1]], [a[1][0], a[1][1] - 1.0]];
            let m = mul(mul(am, p.cov()), am);
            let d = sub(q.mean(), p.mean());
            let cost = dot(d, d) + m[0][0] + m[1][1];
            let w = w2_sq(&p, &q).unwrap();
            prop_assert!((cost - w).abs() <= 1e-11 * (w + scale), "{cost} vs {w}");
            prop_assert_eq!(t.apply(p.mean()), q.mean());
        }

        #[test]
        fn extreme_inputs_never_give_nan(p in any_gaussian(-6.0..6.0, 1e6), q in any_gaussian(-6.0..6.0, 1e6)) {
            let d = divergences(&p, &q).unwrap();
            let all = [d.kl_pq, d.kl_qp, d.bd, d.hellinger2, d.w2_sq, d.naive_sq, w2_sq_frechet(&p, &q).unwrap(), w2_commuting_sq(&p, &q).unwrap()];
            prop_assert!(all.iter().all(|v| v.is_finite() && *v >= 0.0), "{all:?}");
            prop_assert!(d.ot.a.iter().flatten().all(|v| v.is_finite()));
            prop_assert!(p.ellipse(2.0, 8).iter().chain(&p.quantile_grid(3)).all(|x| x[0].is_finite() && x[1].is_finite()));
        }

        #[test]
        fn flows_stay_finite_for_extreme_targets(p in any_gaussian(-6.0..6.0, 1e3), q in any_gaussian(-6.0..6.0, 1e3), dt in -3.0f64..-0.5, seed in 0u64..100) {
            let f = Flow::new(p, q).unwrap();
            for t in [0.0, 1e-3, 0.1, 1.0, 10.0, 1e6] {
                let m = f.moments(t);
                // The closed form may refuse (a covariance singular to working precision), never NaN.
                if let Ok(m) = m {
                    prop_assert!(m.kl.is_finite() && m.kl >= 0.0 && m.m.iter().chain(m.c.iter().flatten()).all(|v| v.is_finite()), "{m:?}");
                }
            }
            let dt = 10f64.powf(dt);
            for method in [FlowMethod::ExactScore, FlowMethod::Fitted, FlowMethod::Langevin] {
                match ParticleFlow::new(f, method, 20, dt, seed) {
                    Ok(mut pf) => {
                        for _ in 0..20 {
                            if pf.step().is_err() { break; }
                        }
                        prop_assert!(pf.particles().iter().all(|x| x[0].is_finite() && x[1].is_finite()), "{method:?}");
                    }
                    Err(e) => prop_assert!(method == FlowMethod::Langevin && matches!(e, GaussError::Unstable { .. }), "{e:?}"),
                }
            }
        }
    }
}
