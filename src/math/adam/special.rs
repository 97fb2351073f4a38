//! Special functions and quadrature rules the Adam lab needs: erf/erfc to ~1e-16, the normal
//! density and CDF, Gauss–Legendre nodes, and a bracketing root finder.
//!
//! The crate has a Φ in `softmax`, but its erf is reached through 2Φ − 1, which loses the relative
//! accuracy of erf(x) for small x (the S-curves and E[sign] at small batches live there), so the
//! pieces are written out here once more, each with its own accuracy argument.

use std::f64::consts::{FRAC_2_SQRT_PI, PI, SQRT_2};

/// 1/√(2π).
pub const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

/// The error function, relative error ≲ 4e-16 for every finite x (NaN for NaN).
///
/// |x| < 2: erf(x) = 2/√π e^{−x²} Σ 2ⁿx^{2n+1}/(1·3·…·(2n+1)), a series of positive terms (no
/// cancellation; ≤ 31 terms). |x| ≥ 2: 1 − erfc(|x|) with erfc ≤ 0.005 from the continued fraction.
pub fn erf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let ax = x.abs();
    let v = if ax < 2.0 {
        erf_series(ax)
    } else if ax < 6.0 {
        1.0 - erfc_cf(ax)
    } else {
        1.0
    };
    v.copysign(x)
}

/// The complementary error function 1 − erf(x): relative error ≲ 1e-15 for x ≥ 2 and x ≤ 0.5;
/// on (0.5, 2) it is 1 − erf(x), good to 1e-16 absolute (≲ 2e-14 relative at x → 2) — enough for
/// every use here (probabilities added to O(1) terms), and 3× cheaper than the continued fraction
/// there, which needs depth 100 at x = 1.5. 0 beyond x ≈ 27 (underflow), 2 for x ≤ −6.
pub fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x >= 2.0 {
        erfc_cf(x)
    } else if x > -2.0 {
        1.0 - erf(x)
    } else {
        2.0 - erfc_cf(-x)
    }
}

/// 1/(2n + 3) for n = 0, 1, …: the series' divisors, as multiplications.
const INV_ODD: [f64; 48] = {
    let mut t = [0.0; 48];
    let mut n = 0;
    while n < 48 {
        t[n] = 1.0 / (2 * n + 3) as f64;
        n += 1;
    }
    t
};

/// The positive series of erf for 0 ≤ u < 2 (the terms grow until n ≈ u², then fall fast; 31
/// terms reach 1e-17 at u = 2).
fn erf_series(u: f64) -> f64 {
    let (mut term, mut sum) = (u, u);
    let u2 = 2.0 * u * u;
    for inv in INV_ODD {
        term *= u2 * inv;
        sum += term;
        if term <= 1e-17 * sum {
            break;
        }
    }
    FRAC_2_SQRT_PI * (-u * u).exp() * sum
}

/// erfc(u), u ≥ 2, by Laplace's continued fraction e^{−u²}/√π · 1/(u + ½/(u + 1/(u + (3/2)/(u + …)))),
/// evaluated backwards from a depth that reaches 1e-16 at the low end of each range (measured
/// against mpmath: depth 60 at u = 2, 40 at u = 2.5, 24 at u = 4).
fn erfc_cf(u: f64) -> f64 {
    if u > 27.3 {
        return 0.0;
    }
    let depth = if u < 2.5 {
        60
    } else if u < 4.0 {
        40
    } else {
        24
    };
    let mut f = u;
    for k in (1..=depth).rev() {
        f = u + (k as f64 * 0.5) / f;
    }
    (-u * u).exp() / PI.sqrt() / f
}

/// The standard normal density φ(x).
pub fn norm_pdf(x: f64) -> f64 {
    INV_SQRT_2PI * (-0.5 * x * x).exp()
}

/// The standard normal CDF Φ(x) = ½ erfc(−x/√2), accurate in both tails.
pub fn norm_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / SQRT_2)
}

/// Nodes and weights of n-point Gauss–Legendre quadrature on [−1, 1] (ascending nodes), by Newton's
/// method on the three-term recurrence from Tricomi's initial guesses: converges to the last bit in
/// a few steps for the small n used here. n = 0 gives empty vectors.
pub fn gauss_legendre(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut x = vec![0.0; n];
    let mut w = vec![0.0; n];
    let nf = n as f64;
    for i in 0..n.div_ceil(2) {
        // The i-th largest root, Tricomi's asymptotic guess.
        let mut z = (PI * (i as f64 + 0.75) / (nf + 0.5)).cos();
        let mut dp = 1.0;
        for _ in 0..100 {
            let (p, d) = legendre_with_derivative(n, z);
            dp = d;
            let dz = p / d;
            z -= dz;
            if dz.abs() <= 1e-16 {
                break;
            }
        }
        let (_, d) = legendre_with_derivative(n, z);
        dp = if d.is_finite() { d } else { dp };
        x[n - 1 - i] = z;
        x[i] = -z;
        w[i] = 2.0 / ((1.0 - z * z) * dp * dp);
        w[n - 1 - i] = w[i];
    }
    (x, w)
}

/// P_n(z) and P_n′(z) by the recurrence (k+1)P_{k+1} = (2k+1)zP_k − kP_{k−1}.
fn legendre_with_derivative(n: usize, z: f64) -> (f64, f64) {
    let (mut p0, mut p1) = (1.0, z);
    if n == 0 {
        return (1.0, 0.0);
    }
    for k in 1..n {
        let kf = k as f64;
        let p2 = ((2.0 * kf + 1.0) * z * p1 - kf * p0) / (kf + 1.0);
        p0 = p1;
        p1 = p2;
    }
    // P_n′ = n(zP_n − P_{n−1})/(z² − 1); nodes are interior, so z² < 1.
    (p1, n as f64 * (z * p1 - p0) / (z * z - 1.0))
}

/// A root of f in [a, b] given f(a)·f(b) ≤ 0, by Brent's method (inverse quadratic interpolation
/// with bisection safeguards) to an absolute tolerance `tol` in x. Returns the bracket's better end
/// if f is not finite somewhere inside; at most 100 evaluations.
pub fn brent_root(f: impl Fn(f64) -> f64, a: f64, b: f64, tol: f64) -> f64 {
    let (mut a, mut b) = (a, b);
    let (mut fa, mut fb) = (f(a), f(b));
    if fa == 0.0 {
        return a;
    }
    if fb == 0.0 {
        return b;
    }
    if !(fa.is_finite() && fb.is_finite()) || fa.signum() == fb.signum() {
        // No usable bracket: the end with the smaller finite |f| (NaN compares as worst).
        let score = |v: f64| if v.is_finite() { v.abs() } else { f64::INFINITY };
        return if score(fa) <= score(fb) { a } else { b };
    }
    let (mut c, mut fc) = (a, fa);
    let (mut d, mut e) = (b - a, b - a);
    for _ in 0..100 {
        if fb.signum() == fc.signum() {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol1 = 2.0 * f64::EPSILON * b.abs() + 0.5 * tol;
        let xm = 0.5 * (c - b);
        if xm.abs() <= tol1 || fb == 0.0 {
            return b;
        }
        if e.abs() >= tol1 && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * xm * s;
                q = 1.0 - s;
            } else {
                let qq = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * xm * qq * (qq - r) - (b - a) * (r - 1.0));
                q = (qq - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            }
            p = p.abs();
            if 2.0 * p < (3.0 * xm * q - (tol1 * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = xm;
                e = d;
            }
        } else {
            d = xm;
            e = d;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol1 { d } else { tol1.copysign(xm) };
        fb = f(b);
        if !fb.is_finite() {
            return a;
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_known_values_and_symmetry() {
        // mpmath, 30 digits.
        let cases = [
            (1e-10, 1.128_379_167_095_512_6e-10),
            (0.1, 0.112_462_916_018_284_9),
            (0.5, 0.520_499_877_813_046_5),
            (1.0, 0.842_700_792_949_714_9),
            (1.9999, 0.995_320_197_907_029_4),
            (2.0, 0.995_322_265_018_952_7),
            (3.0, 0.999_977_909_503_001_4),
        ];
        for (x, want) in cases {
            let got = erf(x);
            assert!((got - want).abs() <= 4e-16 * want, "erf({x}) = {got:e}, want {want:e}");
            assert_eq!(erf(-x), -got);
        }
        assert_eq!(erf(0.0), 0.0);
        assert_eq!(erf(f64::INFINITY), 1.0);
        assert_eq!(erf(f64::NEG_INFINITY), -1.0);
        assert!(erf(f64::NAN).is_nan());
    }

    #[test]
    fn erfc_tails() {
        // mpmath: erfc(2), erfc(5), erfc(10), erfc(26).
        let cases = [
            (2.0, 0.004_677_734_981_047_266),
            (5.0, 1.537_459_794_428_034_8e-12),
            (10.0, 2.088_487_583_762_545e-45),
            (26.0, 5.663_192_408_856_143e-296),
        ];
        for (x, want) in cases {
            let got = erfc(x);
            assert!((got - want).abs() <= 1e-15 * want, "erfc({x}) = {got:e}, want {want:e}");
            assert!((erfc(-x) - (2.0 - want)).abs() <= 4e-16);
        }
        assert_eq!(erfc(30.0), 0.0);
        assert_eq!(erfc(-30.0), 2.0);
        // The branches agree where they meet.
        assert!((erf_series(2.0) - (1.0 - erfc_cf(2.0))).abs() < 3e-16);
        // 1 − erf near x = 2 keeps only what an ulp of erf ≈ 1 allows: 2.2e-16/erfc(2) ≈ 5e-14.
        assert!(((1.0 - erf_series(2.0)) / erfc_cf(2.0) - 1.0).abs() < 1e-13);
        for x in [2.5f64, 4.0, 6.0] {
            // The continued fraction's depth switch, and erf's switch to exactly 1.
            assert!((erfc_cf(x - 1e-12) / erfc_cf(x + 1e-12) - 1.0).abs() < 1e-10, "{x}");
        }
        assert!(1.0 - erf(5.999_999) < 3e-16);
    }

    #[test]
    fn normal_cdf_and_pdf() {
        assert!((norm_cdf(0.0) - 0.5).abs() < 1e-16);
        assert!((norm_cdf(1.0) - 0.841_344_746_068_542_9).abs() < 2.3e-16);
        // Φ(−10) = 7.619853024160527e-24 (mpmath): the lower tail keeps its relative accuracy.
        assert!((norm_cdf(-10.0) / 7.619_853_024_160_526e-24 - 1.0).abs() < 1e-14);
        assert!((norm_pdf(1.0) - 0.241_970_724_519_143_37).abs() < 1e-17);
    }

    #[test]
    fn gauss_legendre_is_exact_for_polynomials() {
        for n in [1usize, 2, 5, 12, 16] {
            let (x, w) = gauss_legendre(n);
            assert!(x.windows(2).all(|p| p[0] < p[1]), "ascending nodes for n = {n}");
            // ∫ x^k = 2/(k+1) for even k, 0 for odd k, exact up to degree 2n − 1.
            for k in 0..2 * n {
                let got: f64 = x.iter().zip(&w).map(|(xi, wi)| wi * xi.powi(k as i32)).sum();
                let want = if k % 2 == 0 { 2.0 / (k as f64 + 1.0) } else { 0.0 };
                assert!((got - want).abs() < 1e-14, "n = {n}, k = {k}: {got} vs {want}");
            }
            // And not for degree 2n (so the test can tell n from n − 1).
            let got: f64 = x.iter().zip(&w).map(|(xi, wi)| wi * xi.powi(2 * n as i32)).sum();
            assert!((got - 2.0 / (2 * n + 1) as f64).abs() > 1e-12, "n = {n}");
        }
        assert!(gauss_legendre(0).0.is_empty());
    }

    #[test]
    fn brent_finds_roots_and_survives_bad_brackets() {
        let r = brent_root(|x| x * x - 2.0, 0.0, 2.0, 1e-15);
        assert!((r - 2f64.sqrt()).abs() < 1e-15);
        let r = brent_root(|x| (x - 0.3).powi(3), -1.0, 1.0, 1e-14);
        assert!((r - 0.3).abs() < 1e-4, "{r}"); // a triple root: x is good to the cube root of the tolerance
                                                // No sign change: the end with the smaller |f|.
        assert_eq!(brent_root(|x| x * x + 1.0, -3.0, 0.5, 1e-12), 0.5);
        // A NaN end.
        assert_eq!(brent_root(|x| if x > 0.0 { f64::NAN } else { x }, -1.0, 1.0, 1e-12), -1.0);
    }
}
