//! Moments of one coordinate's update ũ = f(g + σz/√B), z ~ N(0, 1), for f = sign, softsign
//! (post 10563's model of Adam with ε) and clip (the post's stand-in for softsign), in the
//! standardised variables a = g√B/σ and b = ε√B/σ: softsign(g + σz/√B, ε) = softsign(a + z, b).
//!
//! The exact softsign moments are integrals with a kink of width b at z = −a. Gauss–Hermite fails
//! when b ≪ 1 (spec W1 trap (i)); here the integral is folded onto t = |a + z| ≥ 0, where the
//! kink sits at the end point t = 0, and integrated by 12-point Gauss–Legendre on panels that grow
//! geometrically from width b at t = 0 (each panel no wider than its distance from the kink's
//! complex poles t = ±ib allows) up to width 2, which the Gaussian factor allows. Folding also
//! removes the cancellation of E[ũ] for small a: the odd moment's weight φ(t − a) − φ(t + a) is
//! computed as φ(t − a)(1 − e^{−2ta}) with expm1. Measured against mpmath (30 digits) on a grid of
//! a ∈ [0, 1000], b ∈ [1e-12, 1e3]: absolute error ≤ 1.5e-15 in every moment and derivative, about
//! 150 integrand evaluations on average (tests/adam_reference.rs checks this grid).

use super::special::{erf, erfc, gauss_legendre, norm_cdf, norm_pdf, INV_SQRT_2PI};
use std::f64::consts::{FRAC_PI_2, SQRT_2};

/// E[ũ], E[ũ²] of one coordinate's update and their derivatives with respect to ln B (at fixed
/// g, σ, ε, i.e. with a and b both ∝ √B). The derivatives feed the peak finder, which needs the
/// argmax of η*(B) to 1e-12 rather than the √ε_machine a derivative-free search would give.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Moments {
    /// E[ũ].
    pub mean: f64,
    /// E[ũ²].
    pub sq: f64,
    /// dE[ũ]/d ln B.
    pub d_mean: f64,
    /// dE[ũ²]/d ln B.
    pub d_sq: f64,
}

impl Moments {
    /// A deterministic update: ũ = u with certainty.
    pub fn constant(u: f64) -> Self {
        Moments { mean: u, sq: u * u, d_mean: 0.0, d_sq: 0.0 }
    }

    fn is_finite(&self) -> bool {
        self.mean.is_finite() && self.sq.is_finite() && self.d_mean.is_finite() && self.d_sq.is_finite()
    }
}

/// Gauss–Legendre order per panel. 10 leaves 2e-12 errors on width-2 panels, 12 reaches the
/// rounding floor (see the module comment).
const QN: usize = 12;
/// Widest panel, in units of the noise's standard deviation.
const PANEL: f64 = 2.0;
/// Half-width of the integration window around t = a: the dropped tails weigh
/// ∫_{9}^{∞} (1 + u²)φ(u) du ≈ 1e-17.
const TAIL: f64 = 9.0;
/// Below this kink width (in noise units) softsign is sign to within 1.3·b in E[ũ²] (and far
/// less in E[ũ]): the erf closed form is then exact to double precision and costs nothing.
const SIGN_BELOW: f64 = 1e-17;
/// When the noise is this small against the distance √(a² + b²) to softsign's poles, the
/// two-term expansion E[f(a + z)] = f(a) + f″(a)/2 + O(1/(a² + b²)²) is exact to double precision.
const NARROW: f64 = 1e7;

fn nodes() -> &'static (Vec<f64>, Vec<f64>) {
    static GL: std::sync::OnceLock<(Vec<f64>, Vec<f64>)> = std::sync::OnceLock::new();
    GL.get_or_init(|| gauss_legendre(QN))
}

/// softsign(x, ε) = x/√(x² + ε²) (post 10563); sign(x) for ε = 0, 0 at x = 0. Overflow-safe.
pub fn softsign(x: f64, eps: f64) -> f64 {
    if x == 0.0 {
        return 0.0;
    }
    if eps == 0.0 {
        return x.signum();
    }
    x / x.hypot(eps)
}

/// |Δθ|/η of one Adam step under a constant gradient: |g|/(|g| + ε) (m̂ = g, √v̂ = |g| exactly;
/// spec W1-T7). Not softsign: that is the post's *model* of it.
pub fn adam_constant_step(g: f64, eps: f64) -> f64 {
    let ag = g.abs();
    if ag == 0.0 {
        return 0.0;
    }
    ag / (ag + eps.abs())
}

/// Moments of sign(a + z): E = erf(a/√2), E[ũ²] = 1, dE/d ln B = a·φ(a). `None` for NaN.
pub fn sign_moments(a: f64) -> Option<Moments> {
    if a.is_nan() {
        return None;
    }
    if a.is_infinite() {
        return Some(Moments::constant(a.signum()));
    }
    Some(Moments { mean: erf(a / SQRT_2), sq: 1.0, d_mean: a * norm_pdf(a), d_sq: 0.0 })
}

/// Exact moments of softsign(a + z, b), z ~ N(0, 1), by the folded, graded quadrature of the
/// module comment; b = 0 is sign. `None` for NaN, negative b, or a and b both infinite.
pub fn softsign_moments(a: f64, b: f64) -> Option<Moments> {
    if a.is_nan() || b.is_nan() || b < 0.0 || (a.is_infinite() && b.is_infinite()) {
        return None;
    }
    if b < SIGN_BELOW {
        return sign_moments(a);
    }
    if a.is_infinite() {
        return Some(Moments::constant(a.signum()));
    }
    if b.is_infinite() {
        return Some(Moments::constant(0.0));
    }
    let rho = a.hypot(b);
    if rho > NARROW {
        return Some(narrow_moments(a, b, rho));
    }
    let m = fold_quadrature(a.abs(), b);
    let m = Moments { mean: m.mean.copysign(a), d_mean: m.d_mean.copysign(a), ..m };
    m.is_finite().then_some(m)
}

/// f(a) + f″(a)/2 for f = softsign(·, b) and its square, written with ca = a/ρ, cb = b/ρ so that
/// nothing overflows; d/d ln B of the correction (∝ 1/B) is minus itself.
fn narrow_moments(a: f64, b: f64, rho: f64) -> Moments {
    let (ca, cb) = (a / rho, b / rho);
    let r2 = rho * rho;
    // softsign″ = −3ab²/ρ⁵, (softsign²)″ = 2b²(b² − 3a²)/ρ⁶.
    let f2 = -3.0 * ca * cb * cb / r2;
    let g2 = 2.0 * cb * cb * (cb * cb - 3.0 * ca * ca) / r2;
    Moments { mean: ca + 0.5 * f2, sq: ca * ca + 0.5 * g2, d_mean: -0.5 * f2, d_sq: -0.5 * g2 }
}

/// The quadrature for a ≥ 0, b ≥ SIGN_BELOW, √(a² + b²) ≤ NARROW.
///
/// E[h(a + z)] over z becomes ∫₀^∞ h(t)[φ(t − a) ∓ φ(t + a)] dt (− for odd h = softsign, + for
/// h = softsign²), and d/d ln B moves onto the weights: ∂_{ln B} φ(t ∓ a) = −½φ(u)(u² − 1) with
/// u = t ∓ a (the density's width ∝ 1/√B in these units).
fn fold_quadrature(a: f64, b: f64) -> Moments {
    let (x, w) = nodes();
    // Near the kink (a ≤ TAIL) panels are placed in t, exactly; far from it in u = t − a, so that
    // φ(u) keeps its accuracy when a is large (t − a would cancel).
    let t_mode = a <= TAIL;
    let (mut left, hi) = if t_mode { (0.0, a + TAIL) } else { (-TAIL, TAIL) };
    let mut acc = [0.0f64; 4];
    for _ in 0..400 {
        if left >= hi {
            break;
        }
        let t_left = if t_mode { left } else { a + left };
        // Width ≤ distance to the poles ±ib (⇒ ≥ 12 digits per 12-point panel), ≤ PANEL for the
        // Gaussian; far from the kink (u-mode, weight ≤ φ(9)) no grading is needed at all.
        let mut width = PANEL.min(t_left.max(b));
        if !t_mode {
            width = width.max(0.5);
        }
        let right = (left + width).min(hi);
        let (c, h) = (0.5 * (left + right), 0.5 * (right - left));
        for (xj, wj) in x.iter().zip(w) {
            let p = c + h * xj;
            let (t, u) = if t_mode { (p, p - a) } else { (a + p, p) };
            let phi = INV_SQRT_2PI * (-0.5 * u * u).exp();
            let x2 = 2.0 * t * a;
            // φ(t + a)/φ(t − a) = e^{−2ta}: below 1e-18 (most nodes once a ≳ 3) it cannot matter.
            let (e2, em) = if x2 > 41.5 {
                (0.0, 1.0)
            } else if x2 < 0.5 {
                ((-x2).exp(), -(-x2).exp_m1())
            } else {
                let e = (-x2).exp();
                (e, 1.0 - e)
            };
            let hh = t / (t * t + b * b).sqrt();
            let h2 = hh * hh;
            let u21 = u * u - 1.0;
            let fta = 4.0 * t * a * e2;
            let wt = wj * h * phi;
            acc[0] += wt * hh * em;
            acc[1] += wt * h2 * (1.0 + e2);
            // φ(t−a)(u²−1) − φ(t+a)((t+a)²−1) = φ(u)[(u²−1)(1 − e2) − 4ta·e2]: no cancellation.
            acc[2] -= 0.5 * wt * hh * (u21 * em - fta);
            acc[3] -= 0.5 * wt * h2 * (u21 * (1.0 + e2) + fta);
        }
        left = right;
    }
    Moments { mean: acc[0], sq: acc[1], d_mean: acc[2], d_sq: acc[3] }
}

/// erf(x) − erf(y) without cancelling the leading 1s when x and y are far out on the same side.
fn erf_diff(x: f64, y: f64) -> f64 {
    if x > 0.5 && y > 0.5 {
        erfc(y) - erfc(x)
    } else if x < -0.5 && y < -0.5 {
        erfc(-x) - erfc(-y)
    } else {
        erf(x) - erf(y)
    }
}

/// Above this kink width the clip moments use their closed forms, whose cancellation costs
/// ~((1 + |a|)/b)²·1e-16 (≤ 5e-15 here, with |a| < b + 40, see below); at or below it, quadrature
/// over the window |a + z| < b, where nothing cancels.
const CLIP_CLOSED_ABOVE: f64 = 8.0;

/// ∫_{−b}^{b} w(x) φ(x − a) dx by 12-point Gauss–Legendre on ⌈b⌉ panels (no wider than 2, the
/// Gaussian's scale); b ≤ CLIP_CLOSED_ABOVE.
fn window_integral(a: f64, b: f64, w: impl Fn(f64) -> f64) -> f64 {
    let (x, wq) = nodes();
    let n = (b.ceil() as usize).max(1);
    let h = b / n as f64;
    let mut s = 0.0;
    for k in 0..n {
        let c = -b + (2 * k + 1) as f64 * h;
        for (xj, wj) in x.iter().zip(wq) {
            let t = c + h * xj;
            s += wj * w(t) * norm_pdf(t - a);
        }
    }
    s * h
}

/// E[clip((a + z)/b, −1, 1)]. The post's closed form (spec W1 "SoftSign"): ½[erf((a+b)/√2) +
/// erf((a−b)/√2)] + (a/2b)[erf((a+b)/√2) − erf((a−b)/√2)] + (e^{−(a+b)²/2} − e^{−(a−b)²/2})/(b√(2π)),
/// used for b > 8; for smaller b its 1/b terms cancel, so there the window part is integrated
/// instead: ½[erf((a+b)/√2) + erf((a−b)/√2)] + (1/b)∫_{−b}^{b} x φ(x − a) dx. b = 0 is sign,
/// erf(a/√2). `None` for NaN or negative b.
pub fn clip_mean(a: f64, b: f64) -> Option<f64> {
    if a.is_nan() || b.is_nan() || b < 0.0 {
        return None;
    }
    if b == 0.0 || a.is_infinite() {
        return Some(erf(a / SQRT_2));
    }
    if b.is_infinite() {
        return Some(0.0);
    }
    if a.abs() - b > 40.0 {
        // The window is 40 standard deviations away: clip = ±1 but for e^{−800}.
        return Some(a.signum());
    }
    if b > CLIP_CLOSED_ABOVE {
        return Some(clip_mean_closed(a, b));
    }
    let outside = 0.5 * (erf((a + b) / SQRT_2) + erf((a - b) / SQRT_2));
    Some(outside + window_integral(a, b, |x| x / b))
}

/// The post's closed form of E[clip].
fn clip_mean_closed(a: f64, b: f64) -> f64 {
    let (p, m) = ((a + b) / SQRT_2, (a - b) / SQRT_2);
    0.5 * (erf(p) + erf(m))
        + a / (2.0 * b) * erf_diff(p, m)
        + ((-0.5 * (a + b) * (a + b)).exp() - (-0.5 * (a - b) * (a - b)).exp()) * INV_SQRT_2PI / b
}

/// E[clip((a + z)/b, −1, 1)²]. Closed form (derived here; the post gives only the mean), used for
/// b > 8: with z₁ = −b − a, z₂ = b − a, P = Φ(z₂) − Φ(z₁): (1 − P) + [(a² + 1)P + 2a(φ(z₁) − φ(z₂)) +
/// z₁φ(z₁) − z₂φ(z₂)]/b². Otherwise 1 − ∫_{−b}^{b} (1 − x²/b²) φ(x − a) dx, a positive integrand.
/// b = 0 gives 1. `None` for NaN or negative b.
pub fn clip_sq(a: f64, b: f64) -> Option<f64> {
    if a.is_nan() || b.is_nan() || b < 0.0 {
        return None;
    }
    if b == 0.0 || a.is_infinite() {
        return Some(1.0);
    }
    if b.is_infinite() {
        return Some(0.0);
    }
    if a.abs() - b > 40.0 {
        return Some(1.0);
    }
    if b > CLIP_CLOSED_ABOVE {
        return Some(clip_sq_closed(a, b));
    }
    Some(1.0 - window_integral(a, b, |x| 1.0 - (x / b) * (x / b)))
}

/// The closed form of E[clip²], each term divided by b² before it can overflow.
fn clip_sq_closed(a: f64, b: f64) -> f64 {
    let (z1, z2) = (-b - a, b - a);
    // P(z₁ < z < z₂) from the side where it does not cancel.
    let p = if z1 > 0.0 { norm_cdf(-z1) - norm_cdf(-z2) } else { norm_cdf(z2) - norm_cdf(z1) };
    let (f1, f2) = (norm_pdf(z1), norm_pdf(z2));
    let (ab, ib) = (a / b, 1.0 / b);
    let inside = (ab * ab + ib * ib) * p + 2.0 * ab * ib * (f1 - f2) + ib * ib * (z1 * f1 - z2 * f2);
    (1.0 - p) + inside
}

/// The post's approximation E[ũ] ≈ a/√(a² + b² + π/2) (from erf x ≈ x/√(x² + π/4)).
pub fn post_mean(a: f64, b: f64) -> Option<f64> {
    if a.is_nan() || b.is_nan() || b < 0.0 {
        return None;
    }
    if a.is_infinite() {
        return (!b.is_infinite()).then_some(a.signum());
    }
    if b.is_infinite() {
        return Some(0.0);
    }
    Some(a / a.hypot(b).hypot(FRAC_PI_2.sqrt()))
}

/// The post's approximation E[ũ²] ≈ 1 − b²/(a² + b² + π/2).
pub fn post_sq(a: f64, b: f64) -> Option<f64> {
    if a.is_nan() || b.is_nan() || b < 0.0 || (a.is_infinite() && b.is_infinite()) {
        return None;
    }
    if a.is_infinite() {
        return Some(1.0);
    }
    if b.is_infinite() {
        return Some(0.0);
    }
    let r = a.hypot(b).hypot(FRAC_PI_2.sqrt());
    Some(1.0 - (b / r) * (b / r))
}

/// The S-curve's slope at a = 0 for clip: erf(b/√2)/b (spec W1-T6); √(2/π) at b = 0.
pub fn clip_slope_at_zero(b: f64) -> Option<f64> {
    if b.is_nan() || b < 0.0 {
        return None;
    }
    if b == 0.0 {
        return Some(2.0 * INV_SQRT_2PI);
    }
    Some(erf(b / SQRT_2) / b)
}

/// One point of the S-curve E[ũ](a) and the bell E[ũ²](a) at fixed b: exact softsign, the clip
/// closed form and the post's approximation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SCurvePoint {
    /// a = g√B/σ.
    pub a: f64,
    /// E[softsign(a + z, b)] (quadrature).
    pub exact_mean: f64,
    /// E[clip((a + z)/b)] (closed form).
    pub clip_mean: f64,
    /// a/√(a² + b² + π/2).
    pub post_mean: f64,
    /// E[softsign²].
    pub exact_sq: f64,
    /// E[clip²].
    pub clip_sq: f64,
    /// 1 − b²/(a² + b² + π/2).
    pub post_sq: f64,
}

/// The S-curves and bells at the given a values for kink width b = ε√B/σ; points where any value
/// is undefined (NaN input) are left out.
pub fn s_curves(b: f64, a_values: &[f64]) -> Vec<SCurvePoint> {
    a_values
        .iter()
        .filter_map(|&a| {
            let e = softsign_moments(a, b)?;
            Some(SCurvePoint {
                a,
                exact_mean: e.mean,
                clip_mean: clip_mean(a, b)?,
                post_mean: post_mean(a, b)?,
                exact_sq: e.sq,
                clip_sq: clip_sq(a, b)?,
                post_sq: post_sq(a, b)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1e-300)
    }

    /// Plain composite Simpson on a fine grid over z: slow, but independent of the folding.
    fn brute(a: f64, b: f64, p: i32) -> f64 {
        let n = 400_000;
        let (lo, hi) = (-12.0, 12.0);
        let hstep = (hi - lo) / n as f64;
        let f = |z: f64| softsign(a + z, b).powi(p) * norm_pdf(z);
        let mut s = f(lo) + f(hi);
        for k in 1..n {
            s += f(lo + k as f64 * hstep) * if k % 2 == 1 { 4.0 } else { 2.0 };
        }
        s * hstep / 3.0
    }

    #[test]
    fn quadrature_matches_brute_force_where_that_is_reliable() {
        for (a, b) in [(0.3, 0.5), (1.7, 2.0), (-0.8, 1.0), (4.0, 0.7), (12.0, 3.0)] {
            let m = softsign_moments(a, b).unwrap();
            assert!((m.mean - brute(a, b, 1)).abs() < 1e-12, "mean {a} {b}");
            assert!((m.sq - brute(a, b, 2)).abs() < 1e-12, "sq {a} {b}");
        }
    }

    #[test]
    fn derivatives_match_finite_differences_in_ln_b() {
        // a, b ∝ √B: shifting ln B by δ multiplies both by e^{δ/2}.
        for (a, b) in [(0.3, 0.05), (1.0, 1.0), (2.5, 0.2), (12.0, 3.0), (0.0, 0.7)] {
            let m = softsign_moments(a, b).unwrap();
            let d: f64 = 1e-4;
            let (k1, k2) = ((0.5 * d).exp(), (-0.5 * d).exp());
            let up = softsign_moments(a * k1, b * k1).unwrap();
            let dn = softsign_moments(a * k2, b * k2).unwrap();
            let fd_mean = (up.mean - dn.mean) / (2.0 * d);
            let fd_sq = (up.sq - dn.sq) / (2.0 * d);
            assert!((m.d_mean - fd_mean).abs() < 1e-8, "d_mean {a} {b}: {} vs {fd_mean}", m.d_mean);
            assert!((m.d_sq - fd_sq).abs() < 1e-8, "d_sq {a} {b}: {} vs {fd_sq}", m.d_sq);
        }
    }

    #[test]
    fn symmetry_and_limits() {
        let p = softsign_moments(0.7, 0.4).unwrap();
        let n = softsign_moments(-0.7, 0.4).unwrap();
        assert_eq!(p.mean, -n.mean);
        assert_eq!(p.sq, n.sq);
        assert_eq!(p.d_mean, -n.d_mean);
        let z = softsign_moments(0.0, 0.4).unwrap();
        assert_eq!(z.mean, 0.0);
        // b → 0: sign. The kink at width 1e-15 (graded quadrature) against erf.
        let s = sign_moments(0.9).unwrap();
        let k = softsign_moments(0.9, 1e-15).unwrap();
        assert!((k.mean - s.mean).abs() < 1e-14 && (k.sq - 1.0).abs() < 1e-14, "{k:?}");
        assert!((k.d_mean - s.d_mean).abs() < 1e-12, "{k:?} {s:?}");
        // b → ∞: b·softsign(a + z, b) → a + z, so b·E → a and b²·E[ũ²] → a² + 1.
        let big = softsign_moments(0.9, 1e5).unwrap();
        assert!(close(1e5 * big.mean, 0.9, 1e-9) && close(1e10 * big.sq, 0.9 * 0.9 + 1.0, 1e-9), "{big:?}");
        // The quadrature hands over to the narrow-noise expansion continuously.
        let (a, b) = (0.99e7 / 2f64.sqrt(), 0.99e7 / 2f64.sqrt());
        let q = softsign_moments(a, b).unwrap();
        let e = narrow_moments(a, b, a.hypot(b));
        assert!((q.mean - e.mean).abs() < 1e-15 && (q.sq - e.sq).abs() < 1e-15);
        assert!((q.d_mean - e.d_mean).abs() < 1e-15, "{q:?} {e:?}");
        // Junk.
        assert!(softsign_moments(f64::NAN, 1.0).is_none());
        assert!(softsign_moments(1.0, -1.0).is_none());
        assert!(softsign_moments(f64::INFINITY, f64::INFINITY).is_none());
        assert_eq!(softsign_moments(f64::NEG_INFINITY, 2.0).unwrap().mean, -1.0);
        assert_eq!(softsign_moments(3.0, f64::INFINITY).unwrap().mean, 0.0);
        assert!(softsign_moments(1e300, 1e-300).unwrap().is_finite());
        // Found by the property test: E[clip²] once formed a² = ∞ times P = 0.
        assert_eq!(clip_sq(3.252744174513306e191, 1.0), Some(1.0));
        assert_eq!(clip_mean(-3.252744174513306e191, 1.0), Some(-1.0));
    }

    #[test]
    fn clip_forms_agree_and_match_spec_w1_t5_t6() {
        // W1-T5 (spec, 10 digits).
        for (a, b, m, q) in
            [(0.5, 1.0, 0.3315102364, 0.5633070270), (2.0, 0.5, 0.9453946868, 0.9613470292), (-1.0, 3.0, -0.3305054809, 0.2159156773)]
        {
            assert!((clip_mean(a, b).unwrap() - m).abs() < 6e-11, "clip mean {a} {b}");
            assert!((clip_sq(a, b).unwrap() - q).abs() < 6e-11, "clip sq {a} {b}");
        }
        assert!((post_mean(0.5, 1.0).unwrap() - 0.2977036365).abs() < 6e-11);
        assert!((post_sq(0.5, 1.0).unwrap() - 0.6454901793).abs() < 6e-11);
        // Quadrature and closed form agree to the closed form's cancellation error, ~((1 + |a|)/b)²ε.
        for a in [-3.0f64, -0.4, 0.0, 0.2, 1.5, 6.0] {
            for b in [0.3, 1.0, 3.0, 8.0] {
                let tol = 4e-16 * (1.0 + (1.0 + a.abs()) / b).powi(2);
                let (m1, m2) = (clip_mean(a, b).unwrap(), clip_mean_closed(a, b));
                assert!((m1 - m2).abs() < tol, "mean at a = {a}, b = {b}: {m1} {m2}");
                let (q1, q2) = (clip_sq(a, b).unwrap(), clip_sq_closed(a, b));
                assert!((q1 - q2).abs() < tol, "sq at a = {a}, b = {b}: {q1} {q2}");
            }
        }
        // W1-T6: the slope at a = 0 is erf(b/√2)/b, by a centred difference of the closed form.
        for (b, want) in [(0.5, 0.7658498451), (1.0, 0.6826894921), (3.0, 0.3324334013)] {
            let h = 1e-5;
            let fd = (clip_mean(h, b).unwrap() - clip_mean(-h, b).unwrap()) / (2.0 * h);
            assert!((fd - want).abs() < 1e-9, "slope b = {b}: {fd}");
            assert!((clip_slope_at_zero(b).unwrap() - want).abs() < 6e-11);
        }
        // b → 0: sign.
        assert!((clip_mean(0.8, 1e-9).unwrap() - erf(0.8 / SQRT_2)).abs() < 1e-12);
        assert!((clip_sq(0.8, 1e-9).unwrap() - 1.0).abs() < 1e-8);
    }

    #[test]
    fn clip_is_close_to_softsign_but_not_equal() {
        // The post replaces softsign by clip: same limits, different middle.
        let (a, b) = (0.5, 1.0);
        let ex = softsign_moments(a, b).unwrap();
        let cl = clip_mean(a, b).unwrap();
        assert!((ex.mean - cl).abs() > 1e-3 && (ex.mean - cl).abs() < 0.1, "{} {}", ex.mean, cl);
    }

    #[test]
    fn adam_constant_step_and_softsign_w1_t7() {
        for (g, e, adam, soft) in [
            (1e-6, 1e-8, 0.9900990099, 0.9999500037),
            (1e-6, 1e-5, 0.0909090909, 0.0995037190),
            (1e-5, 1e-5, 0.5, std::f64::consts::FRAC_1_SQRT_2),
        ] {
            assert!((adam_constant_step(g, e) - adam).abs() < 6e-11);
            assert!((softsign(g, e) - soft).abs() < 6e-11);
        }
        assert_eq!(softsign(-2.0, 0.0), -1.0);
        assert_eq!(softsign(0.0, 1.0), 0.0);
        assert!((softsign(1e300, 1e300) - 0.5f64.sqrt()).abs() < 3e-16);
        assert_eq!(adam_constant_step(0.0, 1e-8), 0.0);
    }
}
