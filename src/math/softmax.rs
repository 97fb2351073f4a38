//! Seven ways to turn scores into probabilities (math-spec page 4, post 10145): softmax with a
//! temperature, AM-softmax, Taylor softmax, sparse (top-k) softmax, perturb-max, sparsemax and
//! entmax-α. Every map takes any finite logits (the lab replaces non-finite ones before calling)
//! and returns a point of the probability simplex; none of them panics.

/// Softmax of z/τ, computed with the maximum subtracted (exact shift invariance, no overflow).
pub fn softmax(z: &[f64], tau: f64) -> Vec<f64> {
    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|&x| ((x - m) / tau).exp()).collect();
    normalise(e)
}

/// Divides by the sum; a zero or non-finite sum (cannot happen for the maps here, but junk must not
/// produce NaN) falls back to the uniform distribution.
fn normalise(mut p: Vec<f64>) -> Vec<f64> {
    let s: f64 = p.iter().sum();
    if s > 0.0 && s.is_finite() {
        p.iter_mut().for_each(|v| *v /= s);
    } else {
        let n = p.len().max(1) as f64;
        p.iter_mut().for_each(|v| *v = 1.0 / n);
    }
    p
}

/// AM-softmax (additive margin): the probabilities inside the loss for target class `target`,
/// p = softmax(s·(z − m·e_t)) (z plays the role of the cosines cos(x, c_j)); the loss is −ln p_t.
pub fn am_softmax(z: &[f64], target: usize, margin: f64, scale: f64) -> Vec<f64> {
    let shifted: Vec<f64> = z.iter().enumerate().map(|(j, &x)| scale * (x - if j == target { margin } else { 0.0 })).collect();
    softmax(&shifted, 1.0)
}

/// f_k(x) = Σ_{m ≤ k} xᵐ/m! (positive for even k).
pub fn taylor_exp(x: f64, order: u32) -> f64 {
    let (mut term, mut sum) = (1.0, 1.0);
    for m in 1..=order {
        term *= x / m as f64;
        sum += term;
    }
    sum
}

/// Taylor softmax p_i = f_k(z_i)/Σ f_k(z_j). Deliberately no max subtraction: the map is not
/// shift-invariant, so subtracting the max would change it. Overflow (|z| ≳ 1e61 for k = 6) is
/// handled by rescaling with the largest term.
pub fn taylor(z: &[f64], order: u32) -> Vec<f64> {
    let f: Vec<f64> = z.iter().map(|&x| taylor_exp(x, order)).collect();
    if f.iter().all(|v| v.is_finite()) {
        return normalise(f);
    }
    // Only the leading power matters where a term overflows: p ∝ z_i^k among the largest |z|.
    let big = z.iter().fold(0.0f64, |a, &x| a.max(x.abs()));
    normalise(z.iter().map(|&x| (x / big).powi(order as i32)).collect())
}

/// Indices sorted by decreasing logit; ties keep the lower index first (a stable order).
fn order_desc(z: &[f64]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..z.len()).collect();
    idx.sort_by(|&a, &b| z[b].total_cmp(&z[a]).then(a.cmp(&b)));
    idx
}

/// Sparse softmax (Su 2021): softmax over the k largest logits, exact zeros elsewhere. Ties at the
/// cut go to the lower index.
pub fn sparse_topk(z: &[f64], k: usize) -> Vec<f64> {
    let k = k.clamp(1, z.len().max(1));
    let idx = order_desc(z);
    let top: Vec<f64> = idx[..k].iter().map(|&i| z[i]).collect();
    let q = softmax(&top, 1.0);
    let mut p = vec![0.0; z.len()];
    for (&i, v) in idx[..k].iter().zip(q) {
        p[i] = v;
    }
    p
}

/// Noise of perturb-max.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Noise {
    /// Standard Gaussian: a probit model.
    Gauss,
    /// Standard Gumbel: softmax exactly (the Gumbel-max trick).
    Gumbel,
}

/// Perturb-max p_i = P[argmax(z + ε) = i]. Gumbel noise gives softmax exactly (that is the point);
/// Gaussian noise is integrated: p_i = ∫ φ(t) Π_{j≠i} Φ(z_i − z_j + t) dt by Gauss–Hermite
/// quadrature after centring the integrand, which is smooth and bounded.
pub fn perturb(z: &[f64], noise: Noise) -> Vec<f64> {
    match noise {
        Noise::Gumbel => softmax(z, 1.0),
        Noise::Gauss => {
            let (nodes, weights) = gauss_hermite();
            let p = (0..z.len())
                .map(|i| {
                    nodes
                        .iter()
                        .zip(weights)
                        .map(|(&t, &w)| {
                            // ∫ φ(t) g(t) dt = Σ w_k g(√2 x_k) / √π (physicists' Hermite nodes).
                            let t = std::f64::consts::SQRT_2 * t;
                            w * z.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, &zj)| phi_cdf(z[i] - zj + t)).product::<f64>()
                        })
                        .sum::<f64>()
                        / std::f64::consts::PI.sqrt()
                })
                .collect();
            normalise(p)
        }
    }
}

/// Gaussian perturb-max for drawing (thousands of points per figure): the same quadrature with Φ
/// from a cubic Hermite table (step 1/64 on [−9, 9], derivatives φ exact), which agrees with
/// [`perturb`] to ~1e-10 (tested) at a tenth of the cost. Readouts and exports use [`perturb`].
pub fn perturb_gauss_fast(z: &[f64]) -> Vec<f64> {
    let (nodes, weights) = gauss_hermite();
    let p = (0..z.len())
        .map(|i| {
            nodes
                .iter()
                .zip(weights)
                // The integrand is in [0, 1]: the 22 of 64 nodes weighing < 1e-17 cannot move the
                // sum of weights √π ≈ 1.77 by more than 22e-17.
                .filter(|&(_, &w)| w >= 1e-17)
                .map(|(&t, &w)| {
                    let t = std::f64::consts::SQRT_2 * t;
                    w * z.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, &zj)| phi_cdf_table(z[i] - zj + t)).product::<f64>()
                })
                .sum::<f64>()
                / std::f64::consts::PI.sqrt()
        })
        .collect();
    normalise(p)
}

/// Φ by cubic Hermite interpolation of a table of exact values (see [`perturb_gauss_fast`]).
fn phi_cdf_table(x: f64) -> f64 {
    const LO: f64 = -9.0;
    const H: f64 = 1.0 / 64.0;
    const N: usize = 18 * 64;
    static TABLE: std::sync::OnceLock<Vec<(f64, f64)>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        (0..=N)
            .map(|k| {
                let x = LO + k as f64 * H;
                (phi_cdf(x), (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt())
            })
            .collect()
    });
    if x.is_nan() {
        return f64::NAN;
    }
    let u = (x - LO) / H;
    // Beyond ±9, Φ is 0 or 1 to within 1.2e-19 (absolute): negligible in a product under the integral.
    if u <= 0.0 {
        return 0.0;
    }
    if u >= N as f64 {
        return 1.0;
    }
    let k = u.floor() as usize;
    let s = u - k as f64;
    let ((y0, d0), (y1, d1)) = (table[k], table[k + 1]);
    let (s2, s3) = (s * s, s * s * s);
    (2.0 * s3 - 3.0 * s2 + 1.0) * y0 + (s3 - 2.0 * s2 + s) * H * d0 + (-2.0 * s3 + 3.0 * s2) * y1 + (s3 - s2) * H * d1
}

/// Nodes and weights of 64-point Gauss–Hermite quadrature (physicists' weight e^{−x²}), computed
/// once by Newton's method on the Hermite recurrence (Golub–Welsch accuracy, ~1e-15).
fn gauss_hermite() -> &'static (Vec<f64>, Vec<f64>) {
    static GH: std::sync::OnceLock<(Vec<f64>, Vec<f64>)> = std::sync::OnceLock::new();
    GH.get_or_init(|| {
        const N: usize = 64;
        let mut x = vec![0.0; N];
        let mut w = vec![0.0; N];
        let pim4 = std::f64::consts::PI.powf(-0.25);
        let mut z = 0.0f64;
        for i in 0..N.div_ceil(2) {
            // Initial guesses (Numerical Recipes, gauher).
            z = match i {
                0 => (2.0 * N as f64 + 1.0).sqrt() - 1.85575 * (2.0 * N as f64 + 1.0).powf(-0.16667),
                1 => z - 1.14 * (N as f64).powf(0.426) / z,
                2 => 1.86 * z - 0.86 * x[0],
                3 => 1.91 * z - 0.91 * x[1],
                _ => 2.0 * z - x[i - 2],
            };
            let mut pp = 0.0;
            for _ in 0..100 {
                let (mut p1, mut p2) = (pim4, 0.0);
                for j in 0..N {
                    let p3 = p2;
                    p2 = p1;
                    p1 = z * (2.0 / (j + 1) as f64).sqrt() * p2 - ((j as f64) / (j + 1) as f64).sqrt() * p3;
                }
                pp = (2.0 * N as f64).sqrt() * p2;
                let z1 = z;
                z = z1 - p1 / pp;
                if (z - z1).abs() <= 1e-15 {
                    break;
                }
            }
            x[i] = z;
            x[N - 1 - i] = -z;
            w[i] = 2.0 / (pp * pp);
            w[N - 1 - i] = w[i];
        }
        (x, w)
    })
}

/// The standard normal CDF Φ(x) to ~1e-15 relative: a positive series for |x| < 3 (no
/// cancellation) and a continued fraction for the tail.
pub fn phi_cdf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let u = x / std::f64::consts::SQRT_2;
    if u.abs() < 3.0 {
        0.5 + 0.5 * erf_series(u)
    } else if u > 0.0 {
        1.0 - 0.5 * erfc_cf(u)
    } else {
        0.5 * erfc_cf(-u)
    }
}

/// erf(u) = 2/√π e^{−u²} Σ 2ⁿ u^{2n+1}/(1·3·…·(2n+1)): every term positive.
fn erf_series(u: f64) -> f64 {
    let (mut term, mut sum) = (u, u);
    let mut n = 0.0;
    while term.abs() > 1e-17 * sum.abs() && n < 200.0 {
        n += 1.0;
        term *= 2.0 * u * u / (2.0 * n + 1.0);
        sum += term;
    }
    2.0 / std::f64::consts::PI.sqrt() * (-u * u).exp() * sum
}

/// erfc(u) for u ≥ 3 by the continued fraction e^{−u²}/√π · 1/(u + (1/2)/(u + 1/(u + (3/2)/(u + …)))),
/// evaluated backwards from a fixed depth (converges fast for u ≥ 3).
fn erfc_cf(u: f64) -> f64 {
    if u > 27.0 {
        return 0.0;
    }
    let mut f = u;
    for k in (1..=60).rev() {
        f = u + (k as f64 / 2.0) / f;
    }
    (-u * u).exp() / std::f64::consts::PI.sqrt() / f
}

/// Sparsemax (Martins & Astudillo 2016): the Euclidean projection onto the simplex, p = [z − τ]₊,
/// with the stable sort algorithm. Returns (p, τ).
pub fn sparsemax(z: &[f64]) -> (Vec<f64>, f64) {
    // Shift-invariant: work on z − max z, so logits of 1e300 keep their unit-sized gaps.
    let (z, max) = centred(z);
    let idx = order_desc(&z);
    let (mut cum, mut k_star, mut cum_star) = (0.0, 1, z[idx[0]]);
    for (k, &i) in idx.iter().enumerate() {
        cum += z[i];
        // 1 + k z_(k) > Σ_{j≤k} z_(j): strictly, so a τ landing exactly on z_(k) leaves it out.
        if 1.0 + (k + 1) as f64 * z[i] > cum {
            k_star = k + 1;
            cum_star = cum;
        }
    }
    let tau = (cum_star - 1.0) / k_star as f64;
    (z.iter().map(|&x| (x - tau).max(0.0)).collect(), tau + max)
}

/// z − max z, and max z (0 for an empty slice).
fn centred(z: &[f64]) -> (Vec<f64>, f64) {
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let max = if max.is_finite() { max } else { 0.0 };
    (z.iter().map(|&x| x - max).collect(), max)
}

/// Entmax-α by bisection on the threshold (Peters, Niculae & Martins 2019): p = [(α−1)z − τ]₊^{1/(α−1)},
/// Σp = 1. α = 1 is softmax (τ reported as None). Returns (p, τ on the scale of (α−1)z).
pub fn entmax_bisect(z: &[f64], alpha: f64) -> (Vec<f64>, Option<f64>) {
    if alpha <= 1.0 + 1e-9 {
        return (softmax(z, 1.0), None);
    }
    let am1 = alpha - 1.0;
    let (zc, shift) = centred(z);
    let zs: Vec<f64> = zc.iter().map(|&x| am1 * x).collect();
    let max = 0.0;
    let n = z.len() as f64;
    let (mut lo, mut hi) = (max - 1.0, max - n.powf(-am1));
    let mass = |tau: f64| zs.iter().map(|&v| (v - tau).max(0.0).powf(1.0 / am1)).sum::<f64>();
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if mass(mid) >= 1.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let tau = 0.5 * (lo + hi);
    let p = normalise(zs.iter().map(|&v| (v - tau).max(0.0).powf(1.0 / am1)).collect());
    (p, Some(tau + am1 * shift))
}

/// Entmax-α for drawing (thousands of points per figure): the threshold by safeguarded Newton
/// iteration (bisection whenever a step leaves the bracket), ~6 iterations instead of ~55 halvings.
/// Agrees with [`entmax_bisect`] to ~1e-12 (tested); readouts and exports use [`entmax`].
pub fn entmax_newton(z: &[f64], alpha: f64) -> Vec<f64> {
    if alpha <= 1.0 + 1e-9 {
        return softmax(z, 1.0);
    }
    let q = 1.0 / (alpha - 1.0);
    let (zc, _) = centred(z);
    let zs: Vec<f64> = zc.iter().map(|&x| (alpha - 1.0) * x).collect();
    let n = z.len() as f64;
    let (mut lo, mut hi) = (-1.0, -n.powf(1.0 - alpha));
    let mut tau = lo;
    for _ in 0..60 {
        let (mut f, mut df) = (-1.0, 0.0);
        for &v in &zs {
            let d = v - tau;
            if d > 0.0 {
                let pw = d.powf(q);
                f += pw;
                df -= q * pw / d;
            }
        }
        if f >= 0.0 {
            lo = tau;
        } else {
            hi = tau;
        }
        if f.abs() < 1e-14 || hi - lo < 1e-15 {
            break;
        }
        let next = if df < 0.0 { tau - f / df } else { f64::NAN };
        tau = if next > lo && next < hi { next } else { 0.5 * (lo + hi) };
    }
    normalise(zs.iter().map(|&v| (v - tau).max(0.0).powf(q)).collect())
}

/// Entmax-1.5 by the exact sort algorithm on z/2 with the NON-strict support rule (math-spec
/// page 4; Su's reference code uses a strict one and returns an empty support at exact ties such
/// as [2, 0]). Returns (p, τ on the scale of z/2).
pub fn entmax15(z: &[f64]) -> (Vec<f64>, f64) {
    let (zc, shift) = centred(z);
    let zs: Vec<f64> = zc.iter().map(|&x| x / 2.0).collect();
    let idx = order_desc(&zs);
    let (mut s1, mut s2) = (0.0, 0.0);
    let mut tau = zs[idx[0]] - 1.0;
    for (k, &i) in idx.iter().enumerate() {
        let kk = (k + 1) as f64;
        s1 += zs[i];
        s2 += zs[i] * zs[i];
        let mean = s1 / kk;
        let var = s2 / kk - mean * mean;
        let tk = mean - (1.0 / kk - var).max(0.0).sqrt();
        if tk <= zs[i] {
            tau = tk;
        }
    }
    let p = normalise(zs.iter().map(|&v| (v - tau).max(0.0).powi(2)).collect());
    (p, tau + shift / 2.0)
}

/// Entmax-1.5 for two logits in closed form: p₁ = ((t/2 + √(2 − t²/4))/2)² for |t| < 2, t = z₁ − z₂.
pub fn entmax15_binary(z1: f64, z2: f64) -> [f64; 2] {
    let t = z1 - z2;
    if t >= 2.0 {
        return [1.0, 0.0];
    }
    if t <= -2.0 {
        return [0.0, 1.0];
    }
    let p1 = ((t / 2.0 + (2.0 - t * t / 4.0).sqrt()) / 2.0).powi(2);
    [p1, 1.0 - p1]
}

/// Entmax-α: the exact algorithm at α = 1.5, softmax at α = 1, sparsemax at α = 2, bisection otherwise.
/// Returns (p, τ) with τ on the scale of (α − 1)z (None for softmax).
pub fn entmax(z: &[f64], alpha: f64) -> (Vec<f64>, Option<f64>) {
    if (alpha - 1.5).abs() < 1e-12 {
        let (p, t) = entmax15(z);
        (p, Some(t))
    } else if (alpha - 2.0).abs() < 1e-12 {
        let (p, t) = sparsemax(z);
        (p, Some(t))
    } else {
        entmax_bisect(z, alpha)
    }
}

/// Support size of entmax-α for any α > 1 without computing τ: the k-th largest logit is in the
/// support iff Σ_{j<k} ((α−1)(z_(j) − z_(k)))^{1/(α−1)} < 1 (the top k−1 alone do not reach mass
/// 1 at τ = (α−1)z_(k)). Cheap enough for a 256×256 raster.
pub fn entmax_support(z: &[f64], alpha: f64) -> usize {
    if alpha <= 1.0 + 1e-9 {
        return z.len();
    }
    let am1 = alpha - 1.0;
    // Sorted on the stack for small n: a raster calls this 65,536 times.
    let mut small = [0usize; 8];
    let heap;
    let idx: &[usize] = if z.len() <= 8 {
        for (i, v) in small.iter_mut().enumerate().take(z.len()) {
            *v = i;
        }
        let idx = &mut small[..z.len()];
        idx.sort_unstable_by(|&a, &b| z[b].total_cmp(&z[a]).then(a.cmp(&b)));
        idx
    } else {
        heap = order_desc(z);
        &heap
    };
    let mut k = 1;
    for c in 1..idx.len() {
        let zc = z[idx[c]];
        // Each term is ≥ 0, so stop as soon as the mass reaches 1; a term's base ≥ 1 already does,
        // which saves the power for most pixels of a raster.
        let mut mass = 0.0;
        for &j in &idx[..c] {
            let base = am1 * (z[j] - zc);
            mass += if base >= 1.0 { 1.0 } else { base.powf(1.0 / am1) };
            if mass >= 1.0 {
                break;
            }
        }
        if mass < 1.0 {
            k = c + 1;
        } else {
            break;
        }
    }
    k
}

/// Shannon entropy in nats (0 ln 0 = 0).
pub fn entropy(p: &[f64]) -> f64 {
    -p.iter().filter(|&&v| v > 0.0).map(|&v| v * v.ln()).sum::<f64>()
}

/// 1 − Σp²: half the ℓ1 norm of the softmax Jacobian (→ 0 near one-hot: vanishing gradients).
pub fn gini(p: &[f64]) -> f64 {
    1.0 - p.iter().map(|v| v * v).sum::<f64>()
}

/// Entries that are exactly non-zero.
pub fn support(p: &[f64]) -> usize {
    p.iter().filter(|&&v| v > 0.0).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: &[f64], b: &[f64], tol: f64) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol)
    }

    #[test]
    fn math_spec_table() {
        let z = [1.0, 0.5, -1.0];
        let p = softmax(&z, 1.0);
        assert!(close(&p, &[0.5740970, 0.3482074, 0.0776956], 5e-8), "{p:?}");
        assert!((gini(&p) - 0.5431276).abs() < 5e-8);
        let (p, tau) = sparsemax(&z);
        assert!(close(&p, &[0.75, 0.25, 0.0], 1e-15) && (tau - 0.25).abs() < 1e-15);
        let r = 31f64.sqrt() / 32.0;
        let (p, tau) = entmax15(&z);
        assert!(close(&p, &[0.5 + r, 0.5 - r, 0.0], 1e-15), "{p:?}");
        assert!((tau - (3.0 - 31f64.sqrt()) / 8.0).abs() < 1e-15);
        assert!(close(&entmax_bisect(&z, 1.25).0, &[0.6314666, 0.3450576, 0.0234758], 5e-8));
        assert!(close(&taylor(&z, 2), &[20.0 / 37.0, 13.0 / 37.0, 4.0 / 37.0], 1e-15));
        assert!(close(&taylor(&z, 4), &[0.5723720, 0.3483764, 0.0792515], 5e-8));
        assert!(close(&sparse_topk(&z, 2), &[0.6224593, 0.3775407, 0.0], 5e-8));
        assert!(close(&perturb(&z, Noise::Gauss), &[0.6179134, 0.3473358, 0.0347508], 5e-8));
        assert!(close(&perturb(&[1.0, 0.0], Noise::Gauss), &[0.7602499, 0.2397501], 5e-8));
        assert_eq!(perturb(&z, Noise::Gumbel), softmax(&z, 1.0));
        let z = [-2.0, 0.0, 0.5];
        assert!(close(&sparsemax(&z).0, &[0.0, 0.25, 0.75], 1e-15));
        assert!(close(&entmax15(&z).0, &[0.0, 0.3260074, 0.6739926], 5e-8));
        let z = [0.5, 0.4, 0.1];
        assert!(close(&sparsemax(&z).0, &[0.5, 0.4, 0.1], 1e-15));
        assert!(close(&entmax15(&z).0, &[0.4282325, 0.3652930, 0.2064746], 5e-8));
    }

    #[test]
    fn exact_thresholds_give_one_hot_never_an_empty_support() {
        for z in [vec![3.0, 1.0, 0.0, -1.0], vec![2.0, 0.0]] {
            let mut want = vec![0.0; z.len()];
            want[0] = 1.0;
            assert_eq!(sparsemax(&z).0, want, "sparsemax {z:?}");
            assert!(close(&entmax15(&z).0, &want, 1e-15), "entmax15 {z:?}");
            assert!(close(&entmax_bisect(&z, 1.5).0, &want, 1e-12), "bisect {z:?}");
            assert_eq!(entmax_support(&z, 1.5), 1);
            assert_eq!(entmax_support(&z, 2.0), 1);
        }
        assert_eq!(entmax15_binary(2.0, 0.0), [1.0, 0.0]);
    }

    #[test]
    fn entmax15_exact_equals_bisection_and_the_binary_closed_form() {
        let mut rng = crate::math::rng::Rng::new(7);
        for _ in 0..500 {
            let n = 2 + (rng.uniform() * 10.0) as usize;
            let z: Vec<f64> = (0..n).map(|_| 4.0 * rng.normal()).collect();
            let (a, _) = entmax15(&z);
            let (b, _) = entmax_bisect(&z, 1.5);
            assert!(close(&a, &b, 1e-12), "{z:?}: {a:?} vs {b:?}");
            assert_eq!(support(&a), entmax_support(&z, 1.5), "{z:?}");
            if n == 2 {
                assert!(close(&a, &entmax15_binary(z[0], z[1]), 1e-12));
            }
        }
        for t in [-1.9, -0.5, 0.0, 0.3, 1.99] {
            assert!(close(&entmax15(&[t, 0.0]).0, &entmax15_binary(t, 0.0), 1e-12), "t = {t}");
        }
    }

    #[test]
    fn support_rule_matches_computed_support_for_every_alpha() {
        let mut rng = crate::math::rng::Rng::new(11);
        for _ in 0..300 {
            let z: Vec<f64> = (0..5).map(|_| 2.0 * rng.normal()).collect();
            for alpha in [1.2, 1.5, 2.0, 2.7, 3.0] {
                let (p, _) = entmax(&z, alpha);
                assert_eq!(support(&p), entmax_support(&z, alpha), "{z:?} α = {alpha}: {p:?}");
            }
        }
    }

    #[test]
    fn newton_entmax_agrees_with_bisection() {
        let mut rng = crate::math::rng::Rng::new(9);
        for _ in 0..300 {
            let z: Vec<f64> = (0..3).map(|_| 3.0 * rng.normal()).collect();
            for alpha in [1.1, 1.3, 1.5, 1.8, 2.0, 2.4, 3.0] {
                assert!(close(&entmax_newton(&z, alpha), &entmax_bisect(&z, alpha).0, 1e-10), "{z:?} α = {alpha}");
            }
        }
    }

    #[test]
    fn tabulated_perturb_max_agrees_with_the_exact_one() {
        let mut rng = crate::math::rng::Rng::new(5);
        for _ in 0..300 {
            let z: Vec<f64> = (0..3).map(|_| 3.0 * rng.normal()).collect();
            assert!(close(&perturb_gauss_fast(&z), &perturb(&z, Noise::Gauss), 1e-9), "{z:?}");
        }
    }

    #[test]
    fn normal_cdf_is_accurate() {
        // Φ at reference points (scipy.stats.norm.cdf).
        for (x, want) in
            [(0.0, 0.5), (1.0, 0.8413447460685429), (-2.5, 0.006209665325776132), (4.5, 0.9999966023268804), (-7.0, 1.279812543885835e-12)]
        {
            let got = phi_cdf(x);
            assert!((got - want).abs() <= 1e-15 + 1e-13 * want, "Φ({x}) = {got} vs {want}");
        }
    }

    use proptest::prelude::*;

    fn all_maps(z: &[f64], alpha: f64, k: usize) -> Vec<(&'static str, Vec<f64>, bool)> {
        // (name, output, shift-invariant and monotone)
        vec![
            ("softmax", softmax(z, 0.7), true),
            ("am", am_softmax(z, 0, 0.3, 4.0), false),
            ("taylor4", taylor(z, 4), false),
            ("topk", sparse_topk(z, k), true),
            ("gauss", perturb(z, Noise::Gauss), true),
            ("sparsemax", sparsemax(z).0, true),
            ("entmax", entmax(z, alpha).0, true),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
        #[test]
        fn outputs_lie_on_the_simplex_and_keep_order_where_they_should(
            z in proptest::collection::vec(-6.0f64..6.0, 2..9), alpha in 1.0f64..3.0, k in 1usize..9, c in -5.0f64..5.0,
        ) {
            let shifted: Vec<f64> = z.iter().map(|v| v + c).collect();
            for ((name, p, nice), (_, q, _)) in all_maps(&z, alpha, k).into_iter().zip(all_maps(&shifted, alpha, k)) {
                prop_assert!(p.iter().all(|v| *v >= 0.0 && v.is_finite()), "{name}: {p:?}");
                prop_assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{name}: {p:?}");
                if nice {
                    for i in 0..z.len() {
                        for j in 0..z.len() {
                            // Ties at the top-k cut are broken by index; monotone otherwise.
                            if z[i] > z[j] && name != "topk" {
                                prop_assert!(p[i] >= p[j] - 1e-12, "{name} not monotone at {z:?}: {p:?}");
                            }
                        }
                    }
                    for (a, b) in p.iter().zip(&q) {
                        prop_assert!((a - b).abs() < 1e-9, "{name} not shift-invariant: {p:?} vs {q:?}");
                    }
                }
            }
        }
    }
}
