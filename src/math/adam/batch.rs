//! The best step size against batch size (posts 10542, 10563; spec W1 mode `scaling`, the issue's
//! `batch`).
//!
//! One step θ⁺ = θ − ηũ on a quadratic with gradient g and Hessian H, minibatch gradient
//! g̃ = g + Σ^{1/2}z/√B with Σ = diag(σᵢ²) and independent coordinates. For any update rule,
//! E[L(θ⁺)] is minimised by η* = E[ũ]ᵀg / tr(E[ũũᵀ]H) with gain ΔL = ½(E[ũ]ᵀg)²/tr(E[ũũᵀ]H), and
//! with independent coordinates tr(E[ũũᵀ]H) = Σᵢ Hᵢᵢ E[ũᵢ²] + Σ_{i≠j} Hᵢⱼ E[ũᵢ]E[ũⱼ]: so every
//! curve here is "per-coordinate moments, then two sums". The models differ only in the moments:
//!
//! * [`Model::Exact`]: true moments (erf for sign, quadrature for softsign; exact for this
//!   quadratic, Gaussian-noise, independent-coordinate model only — say so on screen);
//! * [`Model::PerCoordinate`]: the post's per-coordinate approximation μᵢ = aᵢ/√(aᵢ² + bᵢ² + π/2),
//!   E[ũᵢ²] ≈ 1 − bᵢ²/(aᵢ² + bᵢ² + π/2) (spec W1-T14's "post μ");
//! * [`Model::MeanField`]: the post's mean field, one κ² = avg σᵢ²/(gᵢ² + ε²) for all coordinates,
//!   which gives the closed forms β_noise, η_max, B_noise ([`mean_field`]). This is the issue's
//!   "post" curve. For the `uniform` problem (all coordinates alike) it equals `PerCoordinate`.
//!
//! Coordinates with identical (gᵢ, σᵢ) have identical moments, so a [`Problem`] stores classes of
//! them: the `uniform` problem of any dimension costs one quadrature per batch size.

use super::moments::{softsign, softsign_moments, Moments};
use super::special::brent_root;
use std::f64::consts::PI;

/// The update rule ũ(g̃).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Update {
    /// ũ = g̃.
    Sgd,
    /// ũ = sign(g̃) (the post's model of Adam without ε).
    Sign,
    /// ũ = softsign(g̃, ε) = g̃/√(g̃² + ε²), ε absolute (the UI's ε/|g| times |g|); ε = 0 is `Sign`.
    SoftSign(f64),
}

impl Update {
    /// ε of a sign-like rule (0 for sign), `None` for SGD or an invalid ε.
    fn eps(self) -> Option<f64> {
        match self {
            Update::Sgd => None,
            Update::Sign => Some(0.0),
            Update::SoftSign(e) => (e >= 0.0 && e.is_finite()).then_some(e),
        }
    }

    fn valid(self) -> bool {
        !matches!(self, Update::SoftSign(e) if !(e >= 0.0 && e.is_finite()))
    }
}

/// How the per-coordinate moments are obtained (see the module comment). SGD's curve is exact
/// in every model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// True moments.
    Exact,
    /// The post's per-coordinate approximation (W1-T14 "post μ").
    PerCoordinate,
    /// The post's mean field (the "post" curve; closed-form peak).
    MeanField,
}

/// Coordinates sharing (g, σ).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Class {
    g: f64,
    sigma: f64,
    /// How many coordinates.
    count: f64,
    /// Σ of Hᵢᵢ over the class.
    hd: f64,
}

/// A quadratic with gradient g, Hessian H and diagonal per-sample gradient noise Σ = diag(σ²).
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    classes: Vec<Class>,
    /// C × C, row-major: Σ of Hᵢⱼ over i in class c, j in class c′, i ≠ j (kept apart from the
    /// diagonal so that Σ_{i≠j} is never a difference of two large sums).
    off: Vec<f64>,
    dim: usize,
}

/// Largest dimension [`Problem::new`] accepts (it builds class sums in O(d²)).
pub const MAX_DIM: usize = 4096;

impl Problem {
    /// The spec's `uniform` problem: d coordinates with g = 1, σ = `noise` (σ/|g|) and
    /// H = (1 − ρ)I + ρ11ᵀ. `None` for d = 0 or non-finite/negative inputs (ρ itself is free: the
    /// UI's range is 0 … 0.95; outside it H may be indefinite and η* then `None`).
    pub fn uniform(d: usize, rho: f64, noise: f64) -> Option<Problem> {
        if d == 0 || !rho.is_finite() || !(noise >= 0.0 && noise.is_finite()) {
            return None;
        }
        let df = d as f64;
        Some(Problem { classes: vec![Class { g: 1.0, sigma: noise, count: df, hd: df }], off: vec![rho * df * (df - 1.0)], dim: d })
    }

    /// The spec's `toy2d` problem with editable g, H (symmetrised) and variances Σ = diag(var).
    pub fn toy2d(g: [f64; 2], h: [[f64; 2]; 2], var: [f64; 2]) -> Option<Problem> {
        if var.iter().any(|v| v.is_nan() || *v < 0.0) {
            return None;
        }
        Problem::new(&g, &[h[0][0], h[0][1], h[1][0], h[1][1]], &[var[0].sqrt(), var[1].sqrt()])
    }

    /// The spec's default toy problem: g = (1, 0.5), H = [[3, 1], [1, 2]], Σ = diag(4, 9).
    pub fn toy2d_default() -> Problem {
        Problem::toy2d([1.0, 0.5], [[3.0, 1.0], [1.0, 2.0]], [4.0, 9.0]).expect("valid constants")
    }

    /// Any problem: g (d entries), H row-major (d² entries; symmetrised as (H + Hᵀ)/2) and noise
    /// standard deviations σ (d entries, ≥ 0). `None` on a length mismatch, d = 0 or d > MAX_DIM,
    /// or any non-finite entry.
    pub fn new(g: &[f64], h: &[f64], sigma: &[f64]) -> Option<Problem> {
        let d = g.len();
        if d == 0 || d > MAX_DIM || sigma.len() != d || h.len() != d * d {
            return None;
        }
        if g.iter().chain(h).any(|v| !v.is_finite()) || sigma.iter().any(|s| !(*s >= 0.0 && s.is_finite())) {
            return None;
        }
        let mut classes: Vec<Class> = Vec::new();
        let mut of = Vec::with_capacity(d);
        for i in 0..d {
            let k = match classes.iter().position(|c| c.g.to_bits() == g[i].to_bits() && c.sigma.to_bits() == sigma[i].to_bits()) {
                Some(k) => k,
                None => {
                    classes.push(Class { g: g[i], sigma: sigma[i], count: 0.0, hd: 0.0 });
                    classes.len() - 1
                }
            };
            classes[k].count += 1.0;
            classes[k].hd += h[i * d + i];
            of.push(k);
        }
        let nc = classes.len();
        let mut off = vec![0.0; nc * nc];
        for i in 0..d {
            for j in 0..d {
                if i != j {
                    off[of[i] * nc + of[j]] += 0.5 * (h[i * d + j] + h[j * d + i]);
                }
            }
        }
        Some(Problem { classes, off, dim: d })
    }

    /// The dimension d.
    pub fn dim(&self) -> usize {
        self.dim
    }

    fn nc(&self) -> usize {
        self.classes.len()
    }

    /// uᵀHu for a per-class vector u (all coordinates of a class share one value).
    fn quad_form(&self, u: &[f64]) -> f64 {
        let nc = self.nc();
        let diag: f64 = self.classes.iter().zip(u).map(|(c, ui)| c.hd * ui * ui).sum();
        let mut off = 0.0;
        for a in 0..nc {
            for b in 0..nc {
                off += self.off[a * nc + b] * u[a] * u[b];
            }
        }
        diag + off
    }

    /// ΣHᵢᵢ.
    fn trace_h(&self) -> f64 {
        self.classes.iter().map(|c| c.hd).sum()
    }

    /// gᵀg.
    pub fn g_dot_g(&self) -> f64 {
        self.classes.iter().map(|c| c.count * c.g * c.g).sum()
    }

    /// gᵀHg.
    pub fn g_h_g(&self) -> f64 {
        let g: Vec<f64> = self.classes.iter().map(|c| c.g).collect();
        self.quad_form(&g)
    }

    /// tr(ΣH) = Σσᵢ²Hᵢᵢ.
    pub fn trace_sigma_h(&self) -> f64 {
        self.classes.iter().map(|c| c.sigma * c.sigma * c.hd).sum()
    }

    /// tr Σ = Σσᵢ².
    pub fn trace_sigma(&self) -> f64 {
        self.classes.iter().map(|c| c.count * c.sigma * c.sigma).sum()
    }

    /// The mean-field κ² = (1/d) Σ σᵢ²/(gᵢ² + ε²) (∞ when a noisy coordinate has g = ε = 0).
    pub fn kappa2(&self, eps: f64) -> f64 {
        let s: f64 = self
            .classes
            .iter()
            .map(|c| {
                let den = c.g * c.g + eps * eps;
                if c.sigma == 0.0 {
                    0.0
                } else if den == 0.0 {
                    f64::INFINITY
                } else {
                    c.count * c.sigma * c.sigma / den
                }
            })
            .sum();
        s / self.dim as f64
    }
}

/// Standardised variables of one coordinate at batch size B: (a, b) = (g√B/σ, ε√B/σ), the
/// arguments of the S-curves. `None` for σ = 0 or invalid inputs.
pub fn standardised(g: f64, sigma: f64, eps: f64, batch: f64) -> Option<(f64, f64)> {
    if !(sigma > 0.0 && batch > 0.0 && eps >= 0.0) || !(g.is_finite() && sigma.is_finite() && eps.is_finite() && batch.is_finite()) {
        return None;
    }
    let k = batch.sqrt() / sigma;
    let (a, b) = (g * k, eps * k);
    (a.is_finite() && b.is_finite()).then_some((a, b))
}

/// Moments of one class at batch size `b`; `kappa2` is the mean-field κ² (used by MeanField only).
fn class_moments(c: &Class, update: Update, model: Model, b: f64, kappa2: f64) -> Option<Moments> {
    let s2 = c.sigma * c.sigma / b;
    let Some(eps) = update.eps() else {
        // SGD: E[g̃] = g, E[g̃²] = g² + σ²/B.
        return Some(Moments { mean: c.g, sq: c.g * c.g + s2, d_mean: 0.0, d_sq: -s2 });
    };
    let m = match model {
        Model::Exact => {
            let s = s2.sqrt();
            if s == 0.0 || s < 1e-150 * (c.g.abs() + eps) {
                Moments::constant(softsign(c.g, eps))
            } else {
                softsign_moments(c.g / s, eps / s)?
            }
        }
        Model::PerCoordinate => {
            // m = g/√T, E[ũ²] = 1 − ε²/T with T = g² + ε² + πs²/2, all homogeneous of degree 0:
            // scale by the largest term so nothing overflows.
            let p = 0.5 * PI * s2;
            let scale = c.g.abs().max(eps).max(p.sqrt());
            if scale == 0.0 || !scale.is_finite() {
                return (scale == 0.0).then_some(Moments::constant(0.0));
            }
            let (g, e, p) = (c.g / scale, eps / scale, p / (scale * scale));
            let t = g * g + e * e + p;
            // d/d ln B: dT = −p.
            Moments { mean: g / t.sqrt(), sq: 1.0 - e * e / t, d_mean: 0.5 * g * p / (t * t.sqrt()), d_sq: -e * e * p / (t * t) }
        }
        Model::MeanField => {
            // β = (1 + r)^{−1/2}, r = πκ²/(2B); E[ũ] = βu, E[ũ²] = β²u² + (1 − β²).
            let u = softsign(c.g, eps);
            let r = 0.5 * PI * kappa2 / b;
            if r.is_infinite() {
                Moments { mean: 0.0, sq: 1.0, d_mean: 0.0, d_sq: 0.0 }
            } else {
                let beta = (1.0 + r).sqrt().recip();
                let b2 = beta * beta;
                let one_minus = r / (1.0 + r);
                let dbeta = 0.5 * r * b2 * beta;
                let db2 = r * b2 * b2;
                Moments { mean: beta * u, sq: b2 * u * u + one_minus, d_mean: u * dbeta, d_sq: (u * u - 1.0) * db2 }
            }
        }
    };
    Some(m)
}

/// η*, ΔL and the log-slope of η* at one batch size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// Batch size B.
    pub b: f64,
    /// η*(B) = E[ũ]ᵀg / tr(E[ũũᵀ]H).
    pub eta_star: f64,
    /// ΔL(B) = ½(E[ũ]ᵀg)²/tr(E[ũũᵀ]H), the best one-step decrease.
    pub delta_l: f64,
    /// d ln η*/d ln B (0 where E[ũ]ᵀg = 0).
    pub slope: f64,
}

/// η*, ΔL and slope at batch size `b`. `None` when b is not a positive finite number, the update
/// is invalid, or tr(E[ũũᵀ]H) ≤ 0 (indefinite H: no best step).
pub fn evaluate(p: &Problem, update: Update, model: Model, b: f64) -> Option<Point> {
    if !(b > 0.0 && b.is_finite() && update.valid()) {
        return None;
    }
    let kappa2 = update.eps().map_or(0.0, |e| p.kappa2(e));
    let nc = p.nc();
    let mut ms = Vec::with_capacity(nc);
    for c in &p.classes {
        ms.push(class_moments(c, update, model, b, kappa2)?);
    }
    let (mut n, mut dn, mut d, mut dd) = (0.0, 0.0, 0.0, 0.0);
    for (c, m) in p.classes.iter().zip(ms.iter()) {
        n += c.count * c.g * m.mean;
        dn += c.count * c.g * m.d_mean;
        d += c.hd * m.sq;
        dd += c.hd * m.d_sq;
    }
    for i in 0..nc {
        for j in 0..nc {
            let o = p.off[i * nc + j];
            d += o * ms[i].mean * ms[j].mean;
            dd += 2.0 * o * ms[i].mean * ms[j].d_mean;
        }
    }
    if !(d > 0.0 && d.is_finite() && n.is_finite() && dn.is_finite() && dd.is_finite()) {
        return None;
    }
    let slope = if n > 0.0 { dn / n - dd / d } else { 0.0 };
    let pt = Point { b, eta_star: n / d, delta_l: 0.5 * n * n / d, slope };
    (pt.eta_star.is_finite() && pt.delta_l.is_finite() && pt.slope.is_finite()).then_some(pt)
}

/// η*(B), or `None` (see [`evaluate`]).
pub fn eta_star(p: &Problem, update: Update, model: Model, b: f64) -> Option<f64> {
    evaluate(p, update, model, b).map(|q| q.eta_star)
}

/// The curve at the given batch sizes (one entry per B; `None` where undefined).
pub fn curve(p: &Problem, update: Update, model: Model, bs: &[f64]) -> Vec<Option<Point>> {
    bs.iter().map(|&b| evaluate(p, update, model, b)).collect()
}

/// `n` batch sizes spaced evenly in ln B from `lo` to `hi` inclusive (empty for invalid input).
pub fn log_grid(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if !(lo > 0.0 && hi >= lo && hi.is_finite()) || n == 0 {
        return Vec::new();
    }
    if n == 1 {
        return vec![lo];
    }
    let (l0, l1) = (lo.ln(), hi.ln());
    (0..n).map(|k| if k + 1 == n { hi } else { (l0 + (l1 - l0) * k as f64 / (n - 1) as f64).exp() }).collect()
}

/// The B → ∞ limit of η* (the same in every model): gᵀg/gᵀHg for SGD, Σuᵢgᵢ/uᵀHu with
/// uᵢ = softsign(gᵢ, ε) otherwise (√(1 + ε²)·d/Σᵢⱼ Hᵢⱼ for `uniform`). `None` if uᵀHu ≤ 0.
pub fn eta_limit(p: &Problem, update: Update) -> Option<f64> {
    limit_sums(p, update).map(|(n, a)| n / a)
}

/// The B → ∞ limit of ΔL: (Σuᵢgᵢ)²/(2uᵀHu).
pub fn delta_l_limit(p: &Problem, update: Update) -> Option<f64> {
    limit_sums(p, update).map(|(n, a)| 0.5 * n * n / a)
}

/// (Σuᵢgᵢ, uᵀHu) with u = g for SGD, softsign(g, ε) otherwise.
fn limit_sums(p: &Problem, update: Update) -> Option<(f64, f64)> {
    if !update.valid() {
        return None;
    }
    let u: Vec<f64> = p.classes.iter().map(|c| update.eps().map_or(c.g, |e| softsign(c.g, e))).collect();
    let n: f64 = p.classes.iter().zip(&u).map(|(c, ui)| c.count * c.g * ui).sum();
    let a = p.quad_form(&u);
    (a > 0.0 && a.is_finite() && n.is_finite()).then_some((n, a))
}

/// SGD's closed forms (spec W1-T12): η* = η_max/(1 + B_noise/B).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SgdReadouts {
    /// η_max = gᵀg/gᵀHg.
    pub eta_max: Option<f64>,
    /// B_noise = tr(ΣH)/gᵀHg.
    pub b_noise: Option<f64>,
    /// B_simple = tr Σ/gᵀg.
    pub b_simple: Option<f64>,
    /// ΔL_max = (gᵀg)²/(2gᵀHg).
    pub delta_l_max: Option<f64>,
}

/// SGD's η_max, B_noise, B_simple, ΔL_max (`None` entries where a denominator is ≤ 0).
pub fn sgd_readouts(p: &Problem) -> SgdReadouts {
    let (gg, ghg) = (p.g_dot_g(), p.g_h_g());
    let pos = |v: f64| (v.is_finite()).then_some(v);
    let ok = ghg > 0.0 && ghg.is_finite();
    SgdReadouts {
        eta_max: ok.then(|| gg / ghg).and_then(pos),
        b_noise: ok.then(|| p.trace_sigma_h() / ghg).and_then(pos),
        b_simple: (gg > 0.0).then(|| p.trace_sigma() / gg).and_then(pos),
        delta_l_max: ok.then(|| gg * gg / (2.0 * ghg)).and_then(pos),
    }
}

/// The post's mean-field closed forms for a sign-like update (spec W1 "SignSGD"/"SoftSign", with
/// uᵢ = softsign(gᵢ, ε), A = ΣᵢⱼuᵢuⱼHᵢⱼ, X = A − ΣHᵢᵢ; for ε = 0, X = Σ_{i≠j}sign(gᵢgⱼ)Hᵢⱼ):
/// η*(B) = η_max/(½(β_noise/β + β/β_noise)), β = (1 + πκ²/2B)^{−1/2}.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MeanFieldReadouts {
    /// κ² = avg σᵢ²/(gᵢ² + ε²).
    pub kappa2: f64,
    /// β_noise = √(ΣHᵢᵢ/X); `None` when X ≤ 0 (not real: no surge, never NaN).
    pub beta_noise: Option<f64>,
    /// η_max = Σuᵢgᵢ/(2√(ΣHᵢᵢ·X)), the height of the peak when there is one; `None` when X ≤ 0.
    pub eta_max: Option<f64>,
    /// B_noise = πκ²β_noise²/(2(1 − β_noise²)), the peak's batch size; `None` unless β_noise < 1.
    pub b_noise: Option<f64>,
    /// B_noise-2 = πκ²ΣHᵢᵢ/(2A) of ΔL ≈ ΔL_max/(1 + B_noise-2/B).
    pub b_noise2: Option<f64>,
    /// ΔL_max = (Σuᵢgᵢ)²/(2A).
    pub delta_l_max: Option<f64>,
    /// β_noise < 1 ⇔ A > 2ΣHᵢᵢ (the sharp condition, spec §4.3; the post's A > ΣHᵢᵢ is only
    /// necessary).
    pub surge: bool,
}

/// The mean-field readouts; `None` for SGD or an invalid ε.
pub fn mean_field(p: &Problem, update: Update) -> Option<MeanFieldReadouts> {
    let eps = update.eps()?;
    let u: Vec<f64> = p.classes.iter().map(|c| softsign(c.g, eps)).collect();
    let n: f64 = p.classes.iter().zip(&u).map(|(c, ui)| c.count * c.g * ui).sum();
    let hd = p.trace_h();
    // X = Σ(uᵢ² − 1)Hᵢᵢ + Σ_{i≠j}uᵢuⱼHᵢⱼ, summed without forming A − ΣHᵢᵢ.
    let nc = p.nc();
    let mut x: f64 = p.classes.iter().zip(&u).map(|(c, ui)| (ui * ui - 1.0) * c.hd).sum();
    for i in 0..nc {
        for j in 0..nc {
            x += p.off[i * nc + j] * u[i] * u[j];
        }
    }
    let a = x + hd;
    let kappa2 = p.kappa2(eps);
    let fin = |v: f64| v.is_finite().then_some(v);
    let real = x > 0.0 && hd > 0.0;
    let beta_noise = if real { fin((hd / x).sqrt()) } else { None };
    let eta_max = if real { fin(n / (2.0 * (hd * x).sqrt())) } else { None };
    let surge = matches!(beta_noise, Some(bn) if bn < 1.0);
    // 1 − β_noise² = (X − ΣHᵢᵢ)/X.
    let b_noise = if surge { fin(0.5 * PI * kappa2 * hd / (x - hd)) } else { None };
    let b_noise2 = if a > 0.0 && hd > 0.0 { fin(0.5 * PI * kappa2 * hd / a) } else { None };
    let delta_l_max = if a > 0.0 { fin(0.5 * n * n / a) } else { None };
    Some(MeanFieldReadouts { kappa2, beta_noise, eta_max, b_noise, b_noise2, delta_l_max, surge })
}

/// An interior maximum of η*(B).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Peak {
    /// The batch size of the maximum.
    pub b: f64,
    /// η* there.
    pub eta_star: f64,
}

/// Slopes below this (in d ln η*/d ln B) count as flat: above the quadrature's noise (~1e-14),
/// far below any surge a plot can show.
const FLAT: f64 = 1e-10;

/// The window of batch sizes in which η*(B) can turn: from 1e-3 times the smallest to 1e6 times
/// the largest σᵢ²/(gᵢ² + ε²) (below it every coordinate is noise-dominated and η* ∝ √B; above it
/// η* − η*(∞) ∝ 1/B to within 1e-6, whose sign [`surge`] reads). `None` when no coordinate is both
/// noisy and informative (then η* does not depend on B at all).
pub fn natural_window(p: &Problem, update: Update) -> Option<(f64, f64)> {
    let eps = update.eps().unwrap_or(0.0);
    let scales = p.classes.iter().filter(|c| c.sigma > 0.0 && c.g != 0.0).map(|c| c.sigma * c.sigma / (c.g * c.g + eps * eps));
    let (lo, hi) = scales.fold((f64::INFINITY, 0.0f64), |(lo, hi), s| (lo.min(s), hi.max(s)));
    if !(hi > 0.0 && lo.is_finite()) {
        return None;
    }
    Some(((1e-3 * lo).clamp(1e-300, 1e300), (1e6 * hi).clamp(1e-300, 1e300)))
}

/// The highest interior local maximum of η*(B) over the natural window, i.e. over B ∈ (0, ∞):
/// `None` means "no surge" (η* increases monotonically to its limit). SGD never has one; the mean
/// field's is the closed form (B_noise, η_max).
pub fn peak(p: &Problem, update: Update, model: Model) -> Option<Peak> {
    let (lo, hi) = natural_window(p, update)?;
    match (update, model) {
        (Update::Sgd, _) => None,
        (_, Model::MeanField) => {
            let mf = mean_field(p, update)?;
            Some(Peak { b: mf.b_noise?, eta_star: mf.eta_max? })
        }
        _ => peak_in(p, update, model, lo, hi),
    }
}

/// The highest interior local maximum of η*(B) for B in (`lo`, `hi`), located on a grid of 6
/// points per e-fold (a surge is several e-folds wide) and refined to |Δ ln B| ≤ 1e-13 by Brent's
/// method on d ln η*/d ln B. `None` when there is none in the range (or the range is invalid).
pub fn peak_in(p: &Problem, update: Update, model: Model, lo: f64, hi: f64) -> Option<Peak> {
    if !(lo > 0.0 && hi > lo && hi.is_finite()) || update == Update::Sgd {
        return None;
    }
    let n = ((6.0 * (hi / lo).ln()).ceil() as usize).clamp(16, 400);
    let grid = log_grid(lo, hi, n);
    let slope = |x: f64| evaluate(p, update, model, x.exp()).map_or(f64::NAN, |q| q.slope);
    let mut best: Option<Peak> = None;
    let mut last_rising: Option<f64> = None;
    for &b in &grid {
        let Some(q) = evaluate(p, update, model, b) else {
            last_rising = None;
            continue;
        };
        if q.slope > FLAT {
            last_rising = Some(b.ln());
        } else if q.slope < -FLAT {
            if let Some(x0) = last_rising.take() {
                let x = brent_root(slope, x0, b.ln(), 1e-13);
                if let Some(top) = evaluate(p, update, model, x.exp()) {
                    if best.is_none_or(|bp| top.eta_star > bp.eta_star) {
                        best = Some(Peak { b: top.b, eta_star: top.eta_star });
                    }
                }
            }
        }
    }
    best
}

/// Whether η*(B) has an interior maximum anywhere in B ∈ (0, ∞) ("surge"): the mean field's
/// β_noise < 1; for the other models a peak in the natural window or, beyond it, η* still falling
/// towards its limit at the window's top (the peak then lies further out).
pub fn surge(p: &Problem, update: Update, model: Model) -> bool {
    surge_given(p, update, model, peak(p, update, model))
}

/// [`surge`] when the peak is already known.
fn surge_given(p: &Problem, update: Update, model: Model, peak: Option<Peak>) -> bool {
    match (update, model) {
        (Update::Sgd, _) => false,
        (_, Model::MeanField) => mean_field(p, update).is_some_and(|m| m.surge),
        _ => {
            peak.is_some() || natural_window(p, update).and_then(|(_, hi)| evaluate(p, update, model, hi)).is_some_and(|q| q.slope < -FLAT)
        }
    }
}

/// The lim_{B→0} ΔL(B)/B of each model, which sets E_min: SGD (gᵀg)²/(2tr(ΣH)); sign-like
/// (Exact and PerCoordinate, where E[ũᵢ] ≈ √(2/π)·gᵢ√B/σᵢ) (Σgᵢ²/σᵢ)²/(πΣHᵢᵢ); MeanField
/// (Σuᵢgᵢ)²/(πκ²ΣHᵢᵢ). `None` when ΔL does not vanish with B (a noiseless informative coordinate).
fn small_batch_rate(p: &Problem, update: Update, model: Model) -> Option<f64> {
    let hd = p.trace_h();
    let v = match (update.eps(), model) {
        (None, _) => {
            let gg = p.g_dot_g();
            0.5 * gg * gg / p.trace_sigma_h()
        }
        (Some(eps), Model::MeanField) => {
            let n: f64 = p.classes.iter().map(|c| c.count * c.g * softsign(c.g, eps)).sum();
            n * n / (PI * p.kappa2(eps) * hd)
        }
        (Some(_), _) => {
            if p.classes.iter().any(|c| c.sigma == 0.0 && c.g != 0.0) {
                return None;
            }
            let s: f64 = p.classes.iter().filter(|c| c.g != 0.0).map(|c| c.count * c.g * c.g / c.sigma).sum();
            s * s / (PI * hd)
        }
    };
    (v > 0.0 && v.is_finite()).then_some(v)
}

/// The steps–data trade-off at batch size `b`: (S/S_min, E/E_min) with S ∝ 1/ΔL(B), E = B·S,
/// S_min from B → ∞ and E_min from B → 0. For SGD these lie on (S/S_min − 1)(E/E_min − 1) = 1 with
/// E_min/S_min = B_noise, for the mean field with B_noise-2 in its place; the exact curves only
/// approximately.
pub fn tradeoff(p: &Problem, update: Update, model: Model, b: f64) -> Option<(f64, f64)> {
    let q = evaluate(p, update, model, b)?;
    let dl_inf = delta_l_limit(p, update)?;
    let rate = small_batch_rate(p, update, model)?;
    if q.delta_l.is_nan() || q.delta_l <= 0.0 {
        return None;
    }
    let s = dl_inf / q.delta_l;
    // E/E_min = (B/ΔL)/(lim B/ΔL) = B·rate/ΔL.
    let e = b * rate / q.delta_l;
    (s.is_finite() && e.is_finite()).then_some((s, e))
}

/// The trade-off hyperbola: E/E_min = 1 + 1/(S/S_min − 1) (`None` for S/S_min ≤ 1).
pub fn hyperbola(s_over_smin: f64) -> Option<f64> {
    (s_over_smin > 1.0 && s_over_smin.is_finite()).then(|| 1.0 + 1.0 / (s_over_smin - 1.0))
}

/// Everything the `batch` mode's readouts and JSON need, for one update rule and marked batch b.
/// "post" is the mean field (the "post's mean-field curve").
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BatchSummary {
    /// η* of the exact model at the marked b (JSON `eta_star_exact`).
    pub eta_star_exact: Option<f64>,
    /// η* of the mean field at b (JSON `eta_star_post`).
    pub eta_star_post: Option<f64>,
    /// SGD's η* at b, for reference.
    pub eta_star_sgd: Option<f64>,
    /// The exact curve's peak (JSON `peak_b_exact`, `peak_eta_exact`; `None` → null).
    pub peak_exact: Option<Peak>,
    /// The mean field's peak (JSON `peak_b_post`, `peak_eta_post`).
    pub peak_post: Option<Peak>,
    /// B → ∞ limit of η* (JSON `eta_limit`).
    pub eta_limit: Option<f64>,
    /// SGD: gᵀg/gᵀHg; sign-like: the mean field's η_max (JSON `eta_max`).
    pub eta_max: Option<f64>,
    /// SGD: tr(ΣH)/gᵀHg; sign-like: the mean field's B_noise (JSON `b_noise`).
    pub b_noise: Option<f64>,
    /// Sign-like: the mean field's B_noise-2 (SGD: `None`).
    pub b_noise2: Option<f64>,
    /// SGD's B_simple = tr Σ/gᵀg (every rule).
    pub b_simple: Option<f64>,
    /// The mean field's β_noise (SGD: `None`).
    pub beta_noise: Option<f64>,
    /// "surge: yes/no (post)".
    pub surge_post: bool,
    /// "surge: yes/no (exact)".
    pub surge_exact: bool,
}

/// The summary at marked batch size `b`.
pub fn batch_summary(p: &Problem, update: Update, b: f64) -> BatchSummary {
    let sgd = sgd_readouts(p);
    let mf = mean_field(p, update);
    let is_sgd = update == Update::Sgd;
    let (peak_exact, peak_post) = (peak(p, update, Model::Exact), peak(p, update, Model::MeanField));
    BatchSummary {
        eta_star_exact: eta_star(p, update, Model::Exact, b),
        eta_star_post: eta_star(p, update, Model::MeanField, b),
        eta_star_sgd: eta_star(p, Update::Sgd, Model::Exact, b),
        peak_exact,
        peak_post,
        eta_limit: eta_limit(p, update),
        eta_max: if is_sgd { sgd.eta_max } else { mf.and_then(|m| m.eta_max) },
        b_noise: if is_sgd { sgd.b_noise } else { mf.and_then(|m| m.b_noise) },
        b_noise2: mf.and_then(|m| m.b_noise2),
        b_simple: sgd.b_simple,
        beta_noise: mf.and_then(|m| m.beta_noise),
        surge_post: surge_given(p, update, Model::MeanField, peak_post),
        surge_exact: surge_given(p, update, Model::Exact, peak_exact),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// |got − want| within half a unit of the spec's last printed digit (`digits` significant).
    fn spec(got: f64, want: f64, digits: i32) -> bool {
        let ulp = 10f64.powi(want.abs().log10().floor() as i32 - (digits - 1));
        (got - want).abs() <= 0.5 * ulp * (1.0 + 1e-6)
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs()
    }

    fn u8() -> Problem {
        Problem::uniform(8, 0.5, 10.0).unwrap()
    }

    #[test]
    fn sgd_toy2d_w1_t12_t13() {
        let p = Problem::toy2d_default();
        let r = sgd_readouts(&p);
        assert!(spec(r.eta_max.unwrap(), 0.2777777778, 10));
        assert!(spec(r.b_noise.unwrap(), 6.6666666667, 11));
        assert!(spec(r.b_simple.unwrap(), 10.4, 10));
        assert!(spec(r.delta_l_max.unwrap(), 0.1736111111, 10));
        for (b, want) in [(1.0, 0.0362318841), (4.0, 0.1041666667), (16.0, 0.1960784314), (64.0, 0.2515723270)] {
            let got = eta_star(&p, Update::Sgd, Model::Exact, b).unwrap();
            assert!(spec(got, want, 9), "B = {b}: {got}");
            // Every model is exact for SGD.
            assert_eq!(eta_star(&p, Update::Sgd, Model::MeanField, b), Some(got));
        }
        let (s, e) = tradeoff(&p, Update::Sgd, Model::Exact, 4.0).unwrap();
        assert!(spec(s, 2.6666666667, 11) && spec(e, 1.6, 10), "{s} {e}");
        assert!(close(hyperbola(s).unwrap(), e, 1e-14));
        assert!(peak(&p, Update::Sgd, Model::Exact).is_none() && !surge(&p, Update::Sgd, Model::Exact));
        assert!(close(eta_limit(&p, Update::Sgd).unwrap(), r.eta_max.unwrap(), 1e-15));
    }

    #[test]
    fn sign_toy2d_w1_t14_t15() {
        let p = Problem::toy2d_default();
        for (b, exact, post) in [(1.0, 0.0880368263, 0.0856179432), (4.0, 0.1518238575, 0.1413747235), (16.0, 0.2021884927, 0.1867147436)] {
            assert!(spec(eta_star(&p, Update::Sign, Model::Exact, b).unwrap(), exact, 9), "exact B = {b}");
            assert!(spec(eta_star(&p, Update::Sign, Model::PerCoordinate, b).unwrap(), post, 9), "post B = {b}");
        }
        assert!(spec(eta_limit(&p, Update::Sign).unwrap(), 0.2142857143, 10));
        assert!(close(eta_star(&p, Update::Sign, Model::Exact, 1e9).unwrap(), 3.0 / 14.0, 1e-15));
        let mf = mean_field(&p, Update::Sign).unwrap();
        assert!(close(mf.beta_noise.unwrap().powi(2), 2.5, 1e-15));
        assert!(!mf.surge && mf.b_noise.is_none());
        assert!(peak(&p, Update::Sign, Model::Exact).is_none() && !surge(&p, Update::Sign, Model::Exact));
    }

    #[test]
    fn uniform_sign_w1_t16_and_t8_eps0() {
        let p = u8();
        let mf = mean_field(&p, Update::Sign).unwrap();
        assert!(spec(mf.beta_noise.unwrap(), 0.5345224838, 10));
        assert!(spec(mf.eta_max.unwrap(), 0.2672612419, 10));
        assert!(spec(mf.b_noise.unwrap(), 62.8318530718, 12) && close(mf.b_noise.unwrap(), 20.0 * PI, 1e-14));
        assert!(spec(mf.b_noise2.unwrap(), 34.9065850399, 12));
        assert!(spec(1.0 / mf.b_noise2.unwrap() - 1.0 / mf.b_noise.unwrap(), 0.0127323954, 9));
        assert!(close(1.0 / mf.b_noise2.unwrap() - 1.0 / mf.b_noise.unwrap(), 4.0 / (PI * mf.kappa2), 1e-13));
        assert!(spec(mf.delta_l_max.unwrap(), 0.8888888889, 10));
        // W1-T8, ε = 0: the exact peak has η* = η_max too, at erf(a/√2) = β_noise, i.e.
        // B = 2σ²erfinv(β_noise)² = 53.269143727186175 (mpmath; the spec's 53.2691436 comes from
        // a derivative-free minimiser, good to ~1e-8).
        let ex = peak(&p, Update::Sign, Model::Exact).unwrap();
        assert!(close(ex.b, 53.269143727186175, 1e-13), "{ex:?}");
        assert!(close(ex.b, 53.2691436, 1e-8));
        assert!(close(ex.eta_star, mf.eta_max.unwrap(), 1e-13), "{ex:?}");
        let po = peak(&p, Update::Sign, Model::MeanField).unwrap();
        assert!(close(po.b, 20.0 * PI, 1e-14) && close(po.eta_star, 0.2672612419124244, 1e-14));
        // The numeric peak finder agrees with the mean field's closed form.
        let (lo, hi) = natural_window(&p, Update::Sign).unwrap();
        let num = peak_in(&p, Update::Sign, Model::MeanField, lo, hi).unwrap();
        assert!(close(num.b, 20.0 * PI, 1e-12) && close(num.eta_star, po.eta_star, 1e-14), "{num:?}");
        assert!(spec(eta_star(&p, Update::Sign, Model::Exact, 16.0).unwrap(), 0.2322877502, 10));
        assert!(spec(eta_star(&p, Update::Sign, Model::MeanField, 16.0).unwrap(), 0.2297187771, 10));
        assert!(spec(eta_limit(&p, Update::Sign).unwrap(), 0.2222222222, 10));
    }

    #[test]
    fn uniform_softsign_w1_t8_peaks_and_limits() {
        let p = u8();
        // (ε, exact peak B, η*, post peak B, η*, limit), spec precision.
        let cases = [
            (0.5, (55.2461555, 9), 0.3153120616, Some(25.0 * PI), Some(0.2773500981), 0.2484519975),
            (1.0, (68.6433506, 9), 0.3692682854, Some(100.0 * PI), Some(0.3162277660), 0.3142696805),
            (1.5, (98.884324, 8), 0.4324191839, None, None, 0.4006168084),
            (2.0, (184.69946, 8), 0.5077848916, None, None, 0.4969039950),
        ];
        for (eps, (pb, digits), pe, qb, qe, lim) in cases {
            let u = Update::SoftSign(eps);
            let ex = peak(&p, u, Model::Exact).unwrap();
            // The spec's peak B are good to ~1e-8 (see tests/adam_reference.rs; the golden file
            // has them to 1e-12) and 98.884324 is mistyped for 98.88431726.
            assert!(close(ex.b, pb, 1e-7), "ε = {eps}: {ex:?} ({digits} digits printed)");
            assert!(spec(ex.eta_star, pe, 10), "ε = {eps}: {ex:?}");
            let po = peak(&p, u, Model::MeanField);
            assert_eq!(po.is_some(), qb.is_some(), "ε = {eps}");
            if let (Some(po), Some(qb), Some(qe)) = (po, qb, qe) {
                assert!(close(po.b, qb, 1e-13) && spec(po.eta_star, qe, 10), "ε = {eps}: {po:?}");
            }
            assert!(spec(eta_limit(&p, u).unwrap(), lim, 10), "ε = {eps}");
            // Both models approach the same limit.
            for m in [Model::Exact, Model::MeanField] {
                assert!(close(eta_star(&p, u, m, 1e12).unwrap(), lim, 1e-8), "ε = {eps} {m:?}");
            }
            let s = batch_summary(&p, u, 64.0);
            assert!(s.surge_exact && s.surge_post == qb.is_some());
        }
    }

    #[test]
    fn surge_thresholds_w1_t9() {
        let p = u8();
        // Mean field: sharp threshold ε/g = √1.25 (W1-T9b: peak at B = 1963.5 for 1.10, none for 1.13).
        let at = |e: f64| mean_field(&p, Update::SoftSign(e)).unwrap();
        assert!(spec(at(1.10).b_noise.unwrap(), 1963.5, 5));
        assert!(at(1.13).b_noise.is_none() && !at(1.13).surge);
        assert!(at(1.118).surge && !at(1.1181).surge);
        // The post's necessary condition A > ΣHᵢᵢ still holds up to 1.8708: η_max is real there,
        // but there is no peak.
        assert!(at(1.87).eta_max.is_some() && at(1.871).eta_max.is_none());
        // Exact: the surge survives up to ε/g = √(1.5·ΣHᵢⱼ/ΣHᵢᵢ) = 2.598.
        assert!(surge(&p, Update::SoftSign(2.55), Model::Exact));
        assert!(!surge(&p, Update::SoftSign(2.65), Model::Exact));
    }

    #[test]
    fn diagonal_h_overshoots_w1_t10() {
        let p = Problem::uniform(1, 0.0, 10.0).unwrap();
        for (eps, b, eta, over) in [(0.25, 659.27, 1.0449409951, 0.0137), (0.5, 623.52, 1.1435110438, 0.0228)] {
            let pk = peak(&p, Update::SoftSign(eps), Model::Exact).unwrap();
            assert!(spec(pk.b, b, 5) && spec(pk.eta_star, eta, 11), "ε = {eps}: {pk:?}");
            let lim = eta_limit(&p, Update::SoftSign(eps)).unwrap();
            assert!(close(lim, (1.0 + eps * eps).sqrt(), 1e-15));
            assert!(spec(pk.eta_star / lim - 1.0, over, 3));
        }
        for (eps, over, digits) in [(1.0, 0.00443, 3), (1.2, 0.000061, 2)] {
            let pk = peak(&p, Update::SoftSign(eps), Model::Exact).unwrap();
            assert!(spec(pk.eta_star / (1.0 + eps * eps).sqrt() - 1.0, over, digits), "ε = {eps}: {pk:?}");
        }
        // None for ε ≥ √1.5; the mean field never surges with diagonal H.
        assert!(!surge(&p, Update::SoftSign(1.25), Model::Exact));
        assert!(!surge(&p, Update::SoftSign(0.25), Model::MeanField));
    }

    #[test]
    fn eps_limits_w1_t11() {
        let p = u8();
        // ε → ∞ in the mean field: η*/ε → SGD with Σ = (πσ²/2)I per sample (spec W1-T11).
        let mf = eta_star(&p, Update::SoftSign(1e3), Model::MeanField, 4.0).unwrap() / 1e3;
        assert!(spec(mf, 0.0228472066, 9), "{mf}");
        let sgd_pi = |b: f64| 8.0 / (36.0 + PI * 100.0 * 8.0 / (2.0 * b));
        assert!(spec(sgd_pi(4.0), 0.0228467466, 9));
        // …with an O(1/ε²) gap: doubling ε quarters it.
        let gap = |e: f64| eta_star(&p, Update::SoftSign(e), Model::MeanField, 4.0).unwrap() / e - sgd_pi(4.0);
        let (g1, g2) = (gap(1e3), gap(2e3));
        assert!(g1 > 0.0 && g1 < 1e-4 * sgd_pi(4.0) && (g1 / g2 - 4.0).abs() < 1e-3, "{g1} {g2}");
        // …but the exact model goes to SGD itself (ε·softsign(x, ε) → x), without the π/2.
        for b in [4.0, 64.0] {
            let ex = eta_star(&p, Update::SoftSign(1e4), Model::Exact, b).unwrap() / 1e4;
            let sgd = eta_star(&p, Update::Sgd, Model::Exact, b).unwrap();
            assert!(close(ex, sgd, 1e-6), "B = {b}: {ex} vs {sgd}");
        }
        // ε → 0 is sign, in every model.
        for m in [Model::Exact, Model::MeanField, Model::PerCoordinate] {
            for b in [1.0, 30.0, 1e4] {
                let s = eta_star(&p, Update::Sign, m, b).unwrap();
                let t = eta_star(&p, Update::SoftSign(1e-9), m, b).unwrap();
                assert!(close(t, s, 1e-8), "{m:?} B = {b}: {t} vs {s}");
                assert_eq!(eta_star(&p, Update::SoftSign(0.0), m, b), Some(s));
            }
        }
    }

    #[test]
    fn uniform_per_coordinate_equals_mean_field() {
        let p = Problem::uniform(5, 0.3, 4.0).unwrap();
        for eps in [0.0, 0.3, 2.0] {
            for b in [0.5, 7.0, 300.0] {
                let a = evaluate(&p, Update::SoftSign(eps), Model::MeanField, b).unwrap();
                let c = evaluate(&p, Update::SoftSign(eps), Model::PerCoordinate, b).unwrap();
                assert!(close(a.eta_star, c.eta_star, 1e-14) && (a.slope - c.slope).abs() < 1e-14, "{a:?} {c:?}");
            }
        }
    }

    #[test]
    fn slopes_match_finite_differences() {
        let p = Problem::toy2d([1.0, -0.5], [[3.0, 1.0], [1.0, 2.0]], [4.0, 9.0]).unwrap();
        for u in [Update::Sgd, Update::Sign, Update::SoftSign(0.4)] {
            for m in [Model::Exact, Model::PerCoordinate, Model::MeanField] {
                for b in [0.7, 6.0, 90.0] {
                    let q = evaluate(&p, u, m, b).unwrap();
                    let d: f64 = 1e-5;
                    let up = eta_star(&p, u, m, b * d.exp()).unwrap();
                    let dn = eta_star(&p, u, m, b * (-d).exp()).unwrap();
                    let fd = (up.ln() - dn.ln()) / (2.0 * d);
                    assert!((q.slope - fd).abs() < 1e-8, "{u:?} {m:?} B = {b}: {} vs {fd}", q.slope);
                }
            }
        }
    }

    #[test]
    fn classes_match_a_dense_problem() {
        // The uniform problem's one class against the same problem written out densely.
        let d = 6;
        let rho = 0.4;
        let h: Vec<f64> = (0..d * d).map(|k| if k / d == k % d { 1.0 } else { rho }).collect();
        let dense = Problem::new(&vec![1.0; d], &h, &vec![3.0; d]).unwrap();
        let uni = Problem::uniform(d, rho, 3.0).unwrap();
        assert_eq!(dense.nc(), 1);
        for u in [Update::Sgd, Update::SoftSign(0.7)] {
            for b in [1.0, 50.0] {
                let (x, y) = (eta_star(&dense, u, Model::Exact, b).unwrap(), eta_star(&uni, u, Model::Exact, b).unwrap());
                assert!(close(x, y, 1e-14));
            }
        }
        // Mixed signs of g make classes and Σ_{i≠j} negative for sign-like updates.
        let mixed = Problem::new(&[1.0, -1.0, 1.0], &[1.0, 0.5, 0.5, 0.5, 1.0, 0.5, 0.5, 0.5, 1.0], &[2.0; 3]).unwrap();
        assert_eq!(mixed.nc(), 2);
        let mf = mean_field(&mixed, Update::Sign).unwrap();
        // Σ_{i≠j} sign(gᵢgⱼ)Hᵢⱼ = 2·0.5·(−1 − 1 + 1) = −1 ≤ 0: β_noise not real, "no surge", no NaN.
        assert!(mf.beta_noise.is_none() && mf.eta_max.is_none() && mf.b_noise.is_none() && !mf.surge);
        assert!(batch_summary(&mixed, Update::Sign, 10.0).peak_post.is_none());
    }

    #[test]
    fn junk_gives_none_not_nan() {
        assert!(Problem::uniform(0, 0.5, 1.0).is_none());
        assert!(Problem::uniform(3, f64::NAN, 1.0).is_none());
        assert!(Problem::uniform(3, 0.5, -1.0).is_none());
        assert!(Problem::new(&[1.0], &[1.0, 2.0], &[1.0]).is_none());
        assert!(Problem::toy2d([1.0, f64::INFINITY], [[1.0, 0.0], [0.0, 1.0]], [1.0, 1.0]).is_none());
        let p = u8();
        assert!(eta_star(&p, Update::Sign, Model::Exact, 0.0).is_none());
        assert!(eta_star(&p, Update::Sign, Model::Exact, f64::NAN).is_none());
        assert!(eta_star(&p, Update::SoftSign(-1.0), Model::Exact, 1.0).is_none());
        assert!(eta_star(&p, Update::SoftSign(f64::NAN), Model::Exact, 1.0).is_none());
        // Indefinite H: no best step.
        let bad = Problem::uniform(4, -0.9, 1.0).unwrap();
        assert!(eta_star(&bad, Update::Sgd, Model::Exact, 1e6).is_none());
        assert!(eta_limit(&bad, Update::Sign).is_none());
        // A noiseless problem is flat in B: no window, no peak.
        let quiet = Problem::uniform(3, 0.5, 0.0).unwrap();
        assert!(natural_window(&quiet, Update::Sign).is_none() && peak(&quiet, Update::Sign, Model::Exact).is_none());
        assert!(close(eta_star(&quiet, Update::Sign, Model::Exact, 5.0).unwrap(), eta_limit(&quiet, Update::Sign).unwrap(), 1e-15));
        assert!(log_grid(0.0, 1.0, 5).is_empty() && log_grid(1.0, 10.0, 0).is_empty());
        let g = log_grid(1.0, 1e6, 7);
        assert_eq!((g[0], g[6]), (1.0, 1e6));
        assert!(close(g[3], 1e3, 1e-14));
    }
}
