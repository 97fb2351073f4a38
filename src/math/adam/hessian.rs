//! Is √v̂ a curvature estimate? (post 10588; spec W1 mode `hessian`.)
//!
//! A quadratic L = ½θᵀHθ with H = R(φ)·diag(1, κ)·R(φ)ᵀ and minimum θ* = 0, sampled around the
//! centre θ* + offset. Two noise sources, separately or together:
//!
//! * *jitter*: θ − (θ* + offset) ~ N(0, σ_θ²I), g = Hθ ⇒ Cov g = σ_θ²H², √E[gᵢ²] = σ_θ√(H²)ᵢᵢ
//!   at offset 0 (= σ_θ|Hᵢᵢ| only for diagonal H: never "simplify", spec trap (i));
//! * *per-sample*: linear regression with inputs x ~ N(0, H), residual σ_r, minibatch B: at θ*
//!   the minibatch gradient −(1/B)Σxₖrₖ has Cov = σ_r²H/B ⇒ √E[gᵢ²] = (σ_r/√B)·√Hᵢᵢ (the √ is the
//!   point, spec trap (ii)). The simulation draws it as a Gaussian with that covariance (exact
//!   second moments, which is all v̂ averages; the true minibatch sum is Gaussian only for large B).
//!
//! Both together: E[gᵢ²] = (H·offset)ᵢ² + σ_θ²(H²)ᵢᵢ + σ_r²Hᵢᵢ/B; the centred Var[gᵢ] (AdaBelief's
//! statistic) drops the first term, which is why only it still reads curvature away from θ*.

use crate::math::rng::Rng;
use crate::math::surfaces::{sym_abs, sym_eigenvalues};
use nalgebra::Matrix2;

/// H = R(φ)·diag(1, κ)·R(φ)ᵀ (the optimizer lab's rotated quadratic), written out so that it is
/// exactly symmetric. `None` unless κ > 0 and both inputs are finite.
pub fn hessian(kappa: f64, phi_deg: f64) -> Option<Matrix2<f64>> {
    if !(kappa > 0.0 && kappa.is_finite() && phi_deg.is_finite()) {
        return None;
    }
    let (s, c) = phi_deg.to_radians().sin_cos();
    let h12 = c * s * (1.0 - kappa);
    Some(Matrix2::new(c * c + kappa * s * s, h12, h12, s * s + kappa * c * c))
}

/// Which noise reaches the gradient.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Regime {
    /// Parameter jitter around the centre.
    Jitter,
    /// Per-sample (minibatch) noise of a linear regression.
    PerSample,
    /// Both, independent.
    Both,
}

impl Regime {
    /// All regimes, in menu order.
    pub const ALL: [Regime; 3] = [Regime::Jitter, Regime::PerSample, Regime::Both];

    /// The key value.
    pub const fn key(self) -> &'static str {
        match self {
            Regime::Jitter => "jitter",
            Regime::PerSample => "per_sample",
            Regime::Both => "both",
        }
    }

    /// Parses a key value.
    pub fn from_key(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.key() == s)
    }

    fn jitter(self) -> bool {
        self != Regime::PerSample
    }

    fn per_sample(self) -> bool {
        self != Regime::Jitter
    }
}

/// The noise model of the `hessian` mode.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Noise {
    /// Which sources are on.
    pub regime: Regime,
    /// Jitter σ_θ (≥ 0).
    pub sig_theta: f64,
    /// Residual σ_r (≥ 0).
    pub sig_r: f64,
    /// Minibatch size B (> 0; fractional values are accepted).
    pub batch: f64,
    /// Sampling centre − θ* (the lab moves it along e₁: `[offset, 0]`).
    pub offset: [f64; 2],
}

impl Noise {
    /// Whether the parameters are usable (finite, σ's ≥ 0, B > 0).
    pub fn is_valid(&self) -> bool {
        self.sig_theta >= 0.0
            && self.sig_theta.is_finite()
            && self.sig_r >= 0.0
            && self.sig_r.is_finite()
            && self.batch > 0.0
            && self.batch.is_finite()
            && self.offset.iter().all(|v| v.is_finite())
    }

    /// σ_θ if jitter is on, else 0.
    fn jitter_sd(&self) -> f64 {
        if self.regime.jitter() {
            self.sig_theta
        } else {
            0.0
        }
    }

    /// σ_r/√B if per-sample noise is on, else 0.
    fn per_sample_sd(&self) -> f64 {
        if self.regime.per_sample() {
            self.sig_r / self.batch.sqrt()
        } else {
            0.0
        }
    }
}

fn finite2(v: [f64; 2]) -> Option<[f64; 2]> {
    v.iter().all(|x| x.is_finite()).then_some(v)
}

fn valid_h(h: &Matrix2<f64>) -> bool {
    h.iter().all(|v| v.is_finite())
}

/// diag(H²) = (H₁₁² + H₁₂², H₁₂² + H₂₂²) (symmetric H).
pub fn diag_h2(h: &Matrix2<f64>) -> [f64; 2] {
    let h12 = h[(0, 1)];
    [h[(0, 0)] * h[(0, 0)] + h12 * h12, h12 * h12 + h[(1, 1)] * h[(1, 1)]]
}

/// E[g] = H·offset.
pub fn grad_mean(h: &Matrix2<f64>, offset: [f64; 2]) -> [f64; 2] {
    [h[(0, 0)] * offset[0] + h[(0, 1)] * offset[1], h[(1, 0)] * offset[0] + h[(1, 1)] * offset[1]]
}

/// Var[gᵢ] = σ_θ²(H²)ᵢᵢ + σ_r²Hᵢᵢ/B (terms of the regimes that are on): AdaBelief's centred
/// statistic in closed form. `None` for invalid input.
pub fn grad_variance(h: &Matrix2<f64>, noise: &Noise) -> Option<[f64; 2]> {
    if !noise.is_valid() || !valid_h(h) {
        return None;
    }
    let (j, r) = (noise.jitter_sd(), noise.per_sample_sd());
    let d2 = diag_h2(h);
    finite2([j * j * d2[0] + r * r * h[(0, 0)], j * j * d2[1] + r * r * h[(1, 1)]])
}

/// E[gᵢ²] = (H·offset)ᵢ² + Var[gᵢ]: what v̂ converges to (spec W1-T1, T3, T4).
pub fn grad_second_moment(h: &Matrix2<f64>, noise: &Noise) -> Option<[f64; 2]> {
    let var = grad_variance(h, noise)?;
    let m = grad_mean(h, noise.offset);
    finite2([m[0] * m[0] + var[0], m[1] * m[1] + var[1]])
}

/// The closed-form √E[gᵢ²] per coordinate (JSON `sqrt_v`). Negative Hᵢᵢ (not from [`hessian`])
/// can make the per-sample term negative: then `None`.
pub fn sqrt_v(h: &Matrix2<f64>, noise: &Noise) -> Option<[f64; 2]> {
    let v = grad_second_moment(h, noise)?;
    (v[0] >= 0.0 && v[1] >= 0.0).then(|| [v[0].sqrt(), v[1].sqrt()])
}

/// cond(M) = λ_max/λ_min of a symmetric positive definite 2×2 matrix; `None` unless λ_min > 0.
pub fn cond(m: &Matrix2<f64>) -> Option<f64> {
    if !valid_h(m) {
        return None;
    }
    let (lo, hi) = sym_eigenvalues(m);
    let c = hi / lo;
    (lo > 0.0 && c.is_finite()).then_some(c)
}

/// cond(P^{1/2}HP^{1/2}) with Adam's diagonal preconditioner P = diag(1/dᵢ), d = √v̂ (any positive
/// scale: it cancels). `None` if some dᵢ ≤ 0 or H is not positive definite.
pub fn cond_preconditioned(h: &Matrix2<f64>, d: [f64; 2]) -> Option<f64> {
    if !(d[0] > 0.0 && d[1] > 0.0 && d[0].is_finite() && d[1].is_finite()) {
        return None;
    }
    let (s0, s1) = (d[0].sqrt().recip(), d[1].sqrt().recip());
    let h12 = 0.5 * (h[(0, 1)] + h[(1, 0)]) * s0 * s1;
    cond(&Matrix2::new(h[(0, 0)] * s0 * s0, h12, h12, h[(1, 1)] * s1 * s1))
}

/// cond(P^{1/2}HP^{1/2}) with the jitter regime's preconditioner d = √diag(H²) (σ_θ cancels).
pub fn cond_jitter(h: &Matrix2<f64>) -> Option<f64> {
    let d = diag_h2(h);
    cond_preconditioned(h, [d[0].sqrt(), d[1].sqrt()])
}

/// cond(P^{1/2}HP^{1/2}) with the per-sample regime's preconditioner d = √diag(H) (σ_r/√B cancels).
pub fn cond_per_sample(h: &Matrix2<f64>) -> Option<f64> {
    if !(h[(0, 0)] > 0.0 && h[(1, 1)] > 0.0) {
        return None;
    }
    cond_preconditioned(h, [h[(0, 0)].sqrt(), h[(1, 1)].sqrt()])
}

/// One point of the cond(M)-against-φ figure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CondPoint {
    /// Rotation φ in degrees.
    pub phi_deg: f64,
    /// cond H = κ (no preconditioner).
    pub none: f64,
    /// With the jitter closed form √diag(H²).
    pub jitter: Option<f64>,
    /// With the per-sample closed form √diag(H).
    pub per_sample: Option<f64>,
    /// With the closed-form √E[g²] of the given noise (regime, scales and offset).
    pub current: Option<f64>,
}

/// cond(P^{1/2}HP^{1/2}) at `n` angles evenly spaced over φ ∈ [0°, 90°] (n ≥ 2; empty for κ invalid).
pub fn cond_curve(kappa: f64, noise: &Noise, n: usize) -> Vec<CondPoint> {
    let n = n.max(2);
    (0..n)
        .filter_map(|k| {
            let phi = 90.0 * k as f64 / (n - 1) as f64;
            let h = hessian(kappa, phi)?;
            Some(CondPoint {
                phi_deg: phi,
                none: cond(&h)?,
                jitter: cond_jitter(&h),
                per_sample: cond_per_sample(&h),
                current: sqrt_v(&h, noise).and_then(|d| cond_preconditioned(&h, d)),
            })
        })
        .collect()
}

/// The `hessian` mode's closed-form readouts (JSON `sqrt_v`, `cond_h`, `cond_jitter`,
/// `cond_per_sample`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HessianSummary {
    /// H.
    pub h: Matrix2<f64>,
    /// √E[gᵢ²] of the current noise.
    pub sqrt_v: [f64; 2],
    /// Var[gᵢ] (AdaBelief's statistic).
    pub var_g: [f64; 2],
    /// cond H.
    pub cond_h: f64,
    /// With the jitter preconditioner.
    pub cond_jitter: Option<f64>,
    /// With the per-sample preconditioner.
    pub cond_per_sample: Option<f64>,
    /// With the current noise's √E[g²] (e.g. `both`, or an offset).
    pub cond_current: Option<f64>,
}

/// The summary; `None` for invalid κ, φ or noise.
pub fn hessian_summary(kappa: f64, phi_deg: f64, noise: &Noise) -> Option<HessianSummary> {
    let h = hessian(kappa, phi_deg)?;
    let sv = sqrt_v(&h, noise)?;
    Some(HessianSummary {
        h,
        sqrt_v: sv,
        var_g: grad_variance(&h, noise)?,
        cond_h: cond(&h)?,
        cond_jitter: cond_jitter(&h),
        cond_per_sample: cond_per_sample(&h),
        cond_current: cond_preconditioned(&h, sv),
    })
}

/// √H of a symmetric positive semidefinite 2×2 matrix: (H + √det·I)/√(tr H + 2√det).
pub fn sqrt_psd(h: &Matrix2<f64>) -> Option<Matrix2<f64>> {
    let det = h[(0, 0)] * h[(1, 1)] - h[(0, 1)] * h[(1, 0)];
    let tr = h[(0, 0)] + h[(1, 1)];
    if !(det >= 0.0 && tr >= 0.0 && valid_h(h)) {
        return None;
    }
    let sd = det.sqrt();
    let den = (tr + 2.0 * sd).sqrt();
    if den == 0.0 {
        return Some(Matrix2::zeros());
    }
    Some((h + Matrix2::identity() * sd) / den)
}

/// |H| = (H²)^{1/2}. For the lab's H (eigenvalues 1 and κ > 0) this *is* H.
pub fn abs_matrix(h: &Matrix2<f64>) -> Matrix2<f64> {
    sym_abs(h)
}

/// `m` scaled to the determinant of `like` (equal-area ellipses compare shape and orientation,
/// e.g. Adam's diag(√v̂) against H, whose units differ by regime). `None` unless both are
/// positive definite.
pub fn equal_area(m: &Matrix2<f64>, like: &Matrix2<f64>) -> Option<Matrix2<f64>> {
    let (dm, dl) = (m.determinant(), like.determinant());
    let (lo, _) = sym_eigenvalues(m);
    if !(dm > 0.0 && dl > 0.0 && lo > 0.0) {
        return None;
    }
    let k = (dl / dm).sqrt();
    k.is_finite().then(|| m * k)
}

/// The level set {x : ½xᵀMx = level} of a positive definite M.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ellipse {
    /// Semi-axis along `angle` (the eigenvector of the larger eigenvalue: the short axis), then the
    /// one perpendicular to it.
    pub semi_axes: [f64; 2],
    /// Direction of the first semi-axis, radians from e₁.
    pub angle: f64,
}

impl Ellipse {
    /// The level set of M at `level` > 0; `None` unless M is positive definite.
    pub fn of(m: &Matrix2<f64>, level: f64) -> Option<Ellipse> {
        if !(level > 0.0 && level.is_finite() && valid_h(m)) {
            return None;
        }
        let (lo, hi) = sym_eigenvalues(m);
        if lo.is_nan() || lo <= 0.0 {
            return None;
        }
        let m12 = 0.5 * (m[(0, 1)] + m[(1, 0)]);
        let angle = 0.5 * (2.0 * m12).atan2(m[(0, 0)] - m[(1, 1)]);
        let axes = [(2.0 * level / hi).sqrt(), (2.0 * level / lo).sqrt()];
        axes.iter().all(|v| v.is_finite()).then_some(Ellipse { semi_axes: axes, angle })
    }

    /// `n` points around the ellipse (closed: the first is repeated at the end; n ≥ 3).
    pub fn points(&self, n: usize) -> Vec<[f64; 2]> {
        let n = n.max(3);
        let (s, c) = self.angle.sin_cos();
        (0..=n)
            .map(|k| {
                let t = std::f64::consts::TAU * (k % n) as f64 / n as f64;
                let (x, y) = (self.semi_axes[0] * t.cos(), self.semi_axes[1] * t.sin());
                [c * x - s * y, s * x + c * y]
            })
            .collect()
    }
}

/// One sample of the jitter cloud.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CloudPoint {
    /// θ (θ* = 0).
    pub theta: [f64; 2],
    /// The sampled gradient there (Hθ plus the per-sample noise if it is on).
    pub grad: [f64; 2],
}

/// Most cloud points drawn.
pub const MAX_CLOUD: usize = 2000;

/// Four standard normals (jitter pair, per-sample pair), always all four so that switching the
/// regime never changes which random numbers the other source sees.
fn draw4(rng: &mut Rng) -> [f64; 4] {
    [rng.normal(), rng.normal(), rng.normal(), rng.normal()]
}

/// g = c + Aξ for ξ ~ N(0, I₄): the rows of A and c = H·offset.
fn gradient_map(h: &Matrix2<f64>, noise: &Noise) -> Option<([[f64; 4]; 2], [f64; 2])> {
    if !noise.is_valid() || !valid_h(h) {
        return None;
    }
    let (j, r) = (noise.jitter_sd(), noise.per_sample_sd());
    let s = if r > 0.0 { sqrt_psd(h)? } else { Matrix2::zeros() };
    let row = |i: usize| [j * h[(i, 0)], j * h[(i, 1)], r * s[(i, 0)], r * s[(i, 1)]];
    Some(([row(0), row(1)], grad_mean(h, noise.offset)))
}

/// `n` (≤ MAX_CLOUD) samples θ = offset + σ_θξ and their gradients, from sub-stream 1 of `seed`.
/// Empty for invalid input; points that overflow (huge H or offset) are left out.
pub fn cloud(h: &Matrix2<f64>, noise: &Noise, n: usize, seed: u64) -> Vec<CloudPoint> {
    let Some((a, c)) = gradient_map(h, noise) else {
        return Vec::new();
    };
    let j = noise.jitter_sd();
    let mut rng = Rng::stream(seed, 1);
    (0..n.min(MAX_CLOUD))
        .map(|_| {
            let xi = draw4(&mut rng);
            let g = |i: usize| c[i] + a[i].iter().zip(&xi).map(|(ai, x)| ai * x).sum::<f64>();
            CloudPoint { theta: [noise.offset[0] + j * xi[0], noise.offset[1] + j * xi[1]], grad: [g(0), g(1)] }
        })
        .filter(|p| p.theta.iter().chain(&p.grad).all(|v| v.is_finite()))
        .collect()
}

/// Most simulated steps (the spec's slider stops at 20 000).
pub const MAX_STEPS: usize = 100_000;

/// The bias-corrected EMA state of the noise ξ at one step: μ̂ = EMA(ξ)/(1 − β₂ᵗ), V̂ = EMA(ξξᵀ)/(1 − β₂ᵗ).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Snapshot {
    t: usize,
    mu: [f64; 4],
    /// Upper triangle of V̂, row by row.
    v: [f64; 10],
}

fn tri(i: usize, j: usize) -> usize {
    let (i, j) = if i <= j { (i, j) } else { (j, i) };
    // Row i of the upper triangle starts at 4i − i(i−1)/2.
    4 * i - i * (i.saturating_sub(1)) / 2 + (j - i)
}

/// A simulated run of Adam's second moment, v ← β₂v + (1 − β₂)g², v̂ = v/(1 − β₂ᵗ), with one fresh
/// gradient per step.
///
/// Every gradient of this model is affine in four standard normals, g = c + Aξ, so
/// v̂ᵢ = cᵢ² + 2cᵢaᵢᵀμ̂ + aᵢᵀV̂aᵢ exactly, where μ̂ and V̂ are the same bias-corrected EMAs of ξ and
/// ξξᵀ. The run stores those (14 numbers per recorded step) and is independent of H and the noise
/// scales, so moving κ, φ, σ_θ, σ_r, B or the offset re-reads it in O(trace) instead of
/// re-simulating; only `seed`, `steps` and `beta2` need a new run. (A test checks it against the
/// literal update loop.)
#[derive(Clone, Debug, PartialEq)]
pub struct AdamRun {
    steps: usize,
    trace: Vec<Snapshot>,
}

impl AdamRun {
    /// Simulates `steps` (≤ MAX_STEPS) updates with 1 − β₂ = `beta2` ∈ (0, 1], recording about
    /// `trace_points` steps spaced geometrically from 1 to `steps` (all of them if there are fewer;
    /// the last step always). Sub-stream 2 of `seed`. `None` for an invalid beta2.
    pub fn new(seed: u64, steps: usize, beta2: f64, trace_points: usize) -> Option<AdamRun> {
        if !(beta2 > 0.0 && beta2 <= 1.0) {
            return None;
        }
        let steps = steps.min(MAX_STEPS);
        let keep = record_times(steps, trace_points);
        let beta = 1.0 - beta2;
        let mut rng = Rng::stream(seed, 2);
        let (mut mu, mut v, mut w) = ([0.0f64; 4], [0.0f64; 10], 0.0f64);
        let mut trace = Vec::with_capacity(keep.len());
        let mut next = keep.iter().peekable();
        for t in 1..=steps {
            let xi = draw4(&mut rng);
            w = beta * w + beta2;
            for i in 0..4 {
                mu[i] = beta * mu[i] + beta2 * xi[i];
                for j in i..4 {
                    let k = tri(i, j);
                    v[k] = beta * v[k] + beta2 * xi[i] * xi[j];
                }
            }
            if next.peek() == Some(&&t) {
                next.next();
                trace.push(Snapshot { t, mu: mu.map(|m| m / w), v: v.map(|x| x / w) });
            }
        }
        Some(AdamRun { steps, trace })
    }

    /// The number of simulated steps.
    pub fn steps(&self) -> usize {
        self.steps
    }

    fn v_of(s: &Snapshot, a: &[[f64; 4]; 2], c: &[f64; 2]) -> [f64; 2] {
        let mut out = [0.0; 2];
        for (i, o) in out.iter_mut().enumerate() {
            let lin: f64 = (0..4).map(|k| a[i][k] * s.mu[k]).sum();
            let mut quad = 0.0;
            for p in 0..4 {
                for q in 0..4 {
                    quad += a[i][p] * s.v[tri(p, q)] * a[i][q];
                }
            }
            // v̂ ≥ 0 exactly; only rounding can push it below.
            *o = (c[i] * c[i] + 2.0 * c[i] * lin + quad).max(0.0);
        }
        out
    }

    /// v̂ after the last step for this H and noise; `None` for steps = 0 (no estimate yet) or
    /// invalid input.
    pub fn v_hat(&self, h: &Matrix2<f64>, noise: &Noise) -> Option<[f64; 2]> {
        let (a, c) = gradient_map(h, noise)?;
        let last = self.trace.last().filter(|s| s.t == self.steps)?;
        finite2(Self::v_of(last, &a, &c))
    }

    /// √v̂ after the last step (the simulated bars).
    pub fn sqrt_v_hat(&self, h: &Matrix2<f64>, noise: &Noise) -> Option<[f64; 2]> {
        self.v_hat(h, noise).map(|v| [v[0].sqrt(), v[1].sqrt()])
    }

    /// (t, v̂_t) at the recorded steps (empty for invalid input).
    pub fn trace(&self, h: &Matrix2<f64>, noise: &Noise) -> Vec<(usize, [f64; 2])> {
        let Some((a, c)) = gradient_map(h, noise) else {
            return Vec::new();
        };
        self.trace.iter().filter_map(|s| finite2(Self::v_of(s, &a, &c)).map(|v| (s.t, v))).collect()
    }
}

/// Steps to record: round(steps^{k/(n−1)}) deduplicated, always including `steps`.
fn record_times(steps: usize, n: usize) -> Vec<usize> {
    if steps == 0 {
        return Vec::new();
    }
    if n >= steps {
        return (1..=steps).collect();
    }
    let mut out: Vec<usize> = Vec::with_capacity(n + 1);
    let ln = (steps as f64).ln();
    for k in 0..n.max(1) {
        let t = if n > 1 { (ln * k as f64 / (n - 1) as f64).exp().round() as usize } else { steps };
        let t = t.clamp(1, steps);
        if out.last() != Some(&t) {
            out.push(t);
        }
    }
    if out.last() != Some(&steps) {
        out.push(steps);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(regime: Regime) -> Noise {
        Noise { regime, sig_theta: 0.1, sig_r: 1.0, batch: 1.0, offset: [0.0, 0.0] }
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1e-300)
    }

    #[test]
    fn spec_w1_t1_t3_t4_closed_forms() {
        let h = hessian(100.0, 0.0).unwrap();
        let j = sqrt_v(&h, &noise(Regime::Jitter)).unwrap();
        assert!(close(j[0], 0.1, 1e-15) && close(j[1], 10.0, 1e-15), "{j:?}");
        let p = sqrt_v(&h, &noise(Regime::PerSample)).unwrap();
        assert!(close(p[0], 1.0, 1e-15) && close(p[1], 10.0, 1e-15), "{p:?}");
        // B scales the per-sample term as 1/√B; `both` adds the variances.
        let p4 = sqrt_v(&h, &Noise { batch: 4.0, ..noise(Regime::PerSample) }).unwrap();
        assert!(close(p4[1], 5.0, 1e-15));
        let b = grad_second_moment(&h, &noise(Regime::Both)).unwrap();
        assert!(close(b[0], 0.01 + 1.0, 1e-15) && close(b[1], 100.0 + 100.0, 1e-15));
        // W1-T4: offset (0.5, −0.02).
        let off = Noise { offset: [0.5, -0.02], ..noise(Regime::Jitter) };
        let e = grad_second_moment(&h, &off).unwrap();
        let v = grad_variance(&h, &off).unwrap();
        assert!(close(e[0], 0.26, 1e-14) && close(e[1], 104.0, 1e-14), "{e:?}");
        assert!(close(v[0], 0.01, 1e-14) && close(v[1], 100.0, 1e-14), "{v:?}");
    }

    #[test]
    fn rotated_h_is_not_its_diagonal() {
        // Trap (i): √diag(H²) ≠ |diag H| once H is rotated.
        let h = hessian(100.0, 45.0).unwrap();
        let j = sqrt_v(&h, &noise(Regime::Jitter)).unwrap();
        assert!(close(j[0], 7.071421356, 1e-9) && close(j[1], j[0], 1e-14), "{j:?}");
        assert!((j[0] - 0.1 * h[(0, 0)]).abs() > 1.0);
        assert!(close(cond_jitter(&h).unwrap(), 100.0, 1e-12));
        assert_eq!(h[(0, 1)], h[(1, 0)]);
    }

    #[test]
    fn cond_curve_endpoints_and_invariance() {
        let c = cond_curve(100.0, &noise(Regime::Jitter), 91);
        assert_eq!(c.len(), 91);
        assert!(close(c[0].jitter.unwrap(), 1.0, 1e-12) && close(c[0].per_sample.unwrap(), 10.0, 1e-12));
        assert!(close(c[90].jitter.unwrap(), 1.0, 1e-9), "φ = 90° is diagonal again: {:?}", c[90]);
        assert!(c.iter().all(|p| close(p.none, 100.0, 1e-12)));
        // The jitter preconditioner is exact only at 0° and 90°, and useless at 45°.
        assert!(close(c[45].jitter.unwrap(), 100.0, 1e-9));
        // Symmetric about 45°.
        for k in 0..=45 {
            let (a, b) = (c[k].jitter.unwrap(), c[90 - k].jitter.unwrap());
            assert!(close(a, b, 1e-9), "{k}: {a} {b}");
        }
        // `current` equals the regime's own curve when the offset is 0.
        assert!(c.iter().all(|p| close(p.current.unwrap(), p.jitter.unwrap(), 1e-12)));
        assert!(cond_curve(-1.0, &noise(Regime::Jitter), 10).is_empty());
    }

    #[test]
    fn ellipses() {
        let h = hessian(4.0, 30.0).unwrap();
        let e = Ellipse::of(&h, 0.5).unwrap();
        // Short axis 1/√4 along the κ eigenvector (120° or −60°), long axis 1.
        assert!(close(e.semi_axes[0], 0.5, 1e-14) && close(e.semi_axes[1], 1.0, 1e-14), "{e:?}");
        for p in e.points(16) {
            let v = nalgebra::Vector2::new(p[0], p[1]);
            assert!(close(0.5 * (v.transpose() * h * v)[(0, 0)], 0.5, 1e-13));
        }
        let pts = e.points(8);
        assert_eq!(pts.len(), 9);
        assert_eq!(pts[0], pts[8]);
        assert!(Ellipse::of(&Matrix2::new(1.0, 0.0, 0.0, -1.0), 1.0).is_none());
        assert!(Ellipse::of(&h, 0.0).is_none());
        // |H| = H for the lab's positive definite H.
        assert!((abs_matrix(&h) - h).abs().max() < 1e-12);
        // Equal area.
        let d = Matrix2::new(3.0, 0.0, 0.0, 0.5);
        let m = equal_area(&d, &h).unwrap();
        assert!(close(m.determinant(), h.determinant(), 1e-14));
        assert!(equal_area(&d, &Matrix2::zeros()).is_none());
    }

    #[test]
    fn sqrt_psd_squares_back() {
        for (k, phi) in [(1.0, 0.0), (100.0, 15.0), (1000.0, 73.0)] {
            let h = hessian(k, phi).unwrap();
            let s = sqrt_psd(&h).unwrap();
            assert!((s * s - h).abs().max() < 1e-12 * k, "{k} {phi}");
        }
        assert_eq!(sqrt_psd(&Matrix2::zeros()), Some(Matrix2::zeros()));
        assert!(sqrt_psd(&Matrix2::new(1.0, 2.0, 2.0, 1.0)).is_none());
    }

    #[test]
    fn moment_run_equals_the_literal_update_loop() {
        let h = hessian(30.0, 20.0).unwrap();
        let nz = Noise { regime: Regime::Both, sig_theta: 0.3, sig_r: 0.7, batch: 3.0, offset: [0.4, 0.0] };
        let (steps, beta2) = (500, 0.01);
        let run = AdamRun::new(9, steps, beta2, 1000).unwrap();
        // The literal loop on the same stream.
        let (a, c) = gradient_map(&h, &nz).unwrap();
        let mut rng = Rng::stream(9, 2);
        let mut v = [0.0f64; 2];
        let tr = run.trace(&h, &nz);
        assert_eq!(tr.len(), steps);
        for t in 1..=steps {
            let xi = draw4(&mut rng);
            for i in 0..2 {
                let g = c[i] + (0..4).map(|k| a[i][k] * xi[k]).sum::<f64>();
                v[i] = (1.0 - beta2) * v[i] + beta2 * g * g;
            }
            let bc = -((t as f64) * (-beta2).ln_1p()).exp_m1();
            let (tt, vh) = tr[t - 1];
            assert_eq!(tt, t);
            for i in 0..2 {
                assert!(close(vh[i], v[i] / bc, 1e-11), "t = {t}, i = {i}: {} vs {}", vh[i], v[i] / bc);
            }
        }
        // Step 1 of a bias-corrected EMA is g² itself, whatever β₂.
        let (_, v1) = tr[0];
        let mut rng = Rng::stream(9, 2);
        let xi = draw4(&mut rng);
        let g0 = c[0] + (0..4).map(|k| a[0][k] * xi[k]).sum::<f64>();
        assert!(close(v1[0], g0 * g0, 1e-12));
    }

    #[test]
    fn simulated_sqrt_v_converges_to_the_closed_form() {
        // Monte Carlo: average v̂ over seeds at a fixed step; E[v̂_t] = E[g²] for every t ≥ 1.
        let h = hessian(100.0, 30.0).unwrap();
        for regime in Regime::ALL {
            let nz = noise(regime);
            let want = grad_second_moment(&h, &nz).unwrap();
            let (mut s, mut s2) = ([0.0; 2], [0.0; 2]);
            let n = 200;
            for seed in 0..n {
                let run = AdamRun::new(seed, 50, 0.05, 0).unwrap();
                let v = run.v_hat(&h, &nz).unwrap();
                for i in 0..2 {
                    s[i] += v[i] / want[i];
                    s2[i] += (v[i] / want[i]).powi(2);
                }
            }
            for i in 0..2 {
                let mean = s[i] / n as f64;
                let se = ((s2[i] / n as f64 - mean * mean) / n as f64).sqrt();
                assert!((mean - 1.0).abs() < 4.0 * se, "{regime:?} {i}: {mean} ± {se}");
            }
        }
    }

    #[test]
    fn stationary_relative_sd_matches_sqrt_2b_over_2_minus_b() {
        // Spec: relative s.d. of v̂ at stationarity ≈ √(2(1−β₂)/(1+β₂)) for zero-mean Gaussian g.
        let beta2: f64 = 0.02;
        let want = (2.0 * beta2 / (2.0 - beta2)).sqrt();
        let h = Matrix2::identity();
        let nz = Noise { regime: Regime::Jitter, sig_theta: 1.0, sig_r: 0.0, batch: 1.0, offset: [0.0, 0.0] };
        let run = AdamRun::new(3, 60_000, beta2, 60_000).unwrap();
        // Every 400th step from t = 1000 on: far apart compared with the EMA's memory of 50 steps.
        let xs: Vec<f64> = run.trace(&h, &nz).iter().filter(|(t, _)| *t >= 1000 && t % 400 == 0).map(|(_, v)| v[0]).collect();
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let rel = sd / mean;
        // s.e. of a s.d. estimate ≈ rel/√(2n) (×~1.2 for the EMA's non-Gaussian tails).
        assert!((rel - want).abs() < 4.0 * 1.2 * want / (2.0 * n).sqrt(), "{rel} vs {want} (n = {n})");
    }

    #[test]
    fn cloud_is_seeded_and_capped() {
        let h = hessian(10.0, 30.0).unwrap();
        let nz = noise(Regime::Jitter);
        let a = cloud(&h, &nz, 5000, 4);
        assert_eq!(a.len(), MAX_CLOUD);
        assert_eq!(a, cloud(&h, &nz, 5000, 4));
        assert_ne!(a[0], cloud(&h, &nz, 1, 5)[0]);
        // Jitter gradients are exactly Hθ.
        for p in &a[..10] {
            let g = grad_mean(&h, p.theta);
            assert!((g[0] - p.grad[0]).abs() < 1e-12 && (g[1] - p.grad[1]).abs() < 1e-12);
        }
        // Per-sample only: every point sits at the centre.
        let ps = cloud(&h, &Noise { offset: [0.3, 0.0], ..noise(Regime::PerSample) }, 20, 4);
        assert!(ps.iter().all(|p| p.theta == [0.3, 0.0]));
        // The same jitter draws whatever the regime (four normals per point always).
        let both = cloud(&h, &noise(Regime::Both), 20, 4);
        assert!(both.iter().zip(&a).all(|(x, y)| x.theta == y.theta));
    }

    #[test]
    fn junk_never_panics() {
        let bad = Noise { regime: Regime::Both, sig_theta: f64::NAN, sig_r: -1.0, batch: 0.0, offset: [f64::INFINITY, 0.0] };
        let h = hessian(10.0, 10.0).unwrap();
        assert!(sqrt_v(&h, &bad).is_none());
        assert!(cloud(&h, &bad, 10, 1).is_empty());
        assert!(hessian(0.0, 1.0).is_none() && hessian(f64::NAN, 1.0).is_none() && hessian(2.0, f64::INFINITY).is_none());
        assert!(AdamRun::new(1, 10, 0.0, 5).is_none() && AdamRun::new(1, 10, 1.5, 5).is_none());
        let r0 = AdamRun::new(1, 0, 0.1, 5).unwrap();
        assert!(r0.v_hat(&h, &noise(Regime::Jitter)).is_none());
        assert!(r0.trace(&h, &noise(Regime::Jitter)).is_empty());
        assert_eq!(AdamRun::new(1, usize::MAX, 0.5, 3).unwrap().steps(), MAX_STEPS);
        assert!(cond(&Matrix2::new(f64::NAN, 0.0, 0.0, 1.0)).is_none());
        assert!(cond_preconditioned(&h, [0.0, 1.0]).is_none());
        // H ~ 1e300: diag(H²) overflows, so no readouts rather than ∞ or NaN.
        assert!(hessian_summary(1e300, 45.0, &noise(Regime::Jitter)).is_none());
        // σ = 0 gives √v = 0 and no preconditioner, not NaN.
        let z = Noise { sig_theta: 0.0, ..noise(Regime::Jitter) };
        assert_eq!(sqrt_v(&h, &z), Some([0.0, 0.0]));
        assert!(hessian_summary(10.0, 10.0, &z).unwrap().cond_current.is_none());
    }

    #[test]
    fn record_times_are_increasing_and_end_at_steps() {
        for (steps, n) in [(1, 5), (10, 3), (20000, 400), (7, 1), (100, 0)] {
            let t = record_times(steps, n);
            assert!(t.windows(2).all(|w| w[0] < w[1]), "{steps} {n}: {t:?}");
            assert_eq!(*t.last().unwrap(), steps);
            assert!(t.len() <= n.max(1) + 1 || n >= steps);
        }
        assert!(record_times(0, 10).is_empty());
    }
}
