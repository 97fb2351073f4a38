//! Johnson–Lindenstrauss random projections (math-spec page 5; posts 8679, 8706, 8711, 9588): the
//! bounds on the target dimension, seeded data, five projection matrices, and the distortion of
//! pairwise distances, computed incrementally so a browser never blocks.
//!
//! Every matrix is generated row by row from its own seeded stream, so the k-row projection is the
//! first k rows of a longer one (rescaled): changing k reuses every row already computed, and the
//! search for the empirically smallest k scans the same rows. The orthogonal projection is nested
//! too (Gram–Schmidt in row order: the first k rows span a uniformly random k-subspace).

use crate::math::rng::Rng;

/// Dasgupta–Gupta (2003): k ≥ 4 ln N / (ε²/2 − ε³/3) (success ≥ 1/N per draw).
pub fn bound_dg(n: f64, eps: f64) -> f64 {
    4.0 * n.ln() / (eps * eps / 2.0 - eps * eps * eps / 3.0)
}

/// Su (post 8679), Gaussian N(0, 1/k) entries, success ≥ 1 − 1/N: k > 24 ln N / ε².
pub fn bound_su24(n: f64, eps: f64) -> f64 {
    24.0 * n.ln() / (eps * eps)
}

/// Su's existence bound: k > 16 ln N / ε².
pub fn bound_su16(n: f64, eps: f64) -> f64 {
    16.0 * n.ln() / (eps * eps)
}

/// Achlioptas (2003): k ≥ (4 + 2β) ln N / (ε²/2 − ε³/3) for success ≥ 1 − N^{−β}.
pub fn bound_achlioptas(n: f64, eps: f64, beta: f64) -> f64 {
    (4.0 + 2.0 * beta) * n.ln() / (eps * eps / 2.0 - eps * eps * eps / 3.0)
}

/// The data sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Data {
    /// i.i.d. N(0, 1) entries.
    Gaussian,
    /// 10 Gaussian clusters (centres N(0, 1), spread 0.1).
    Clusters,
    /// Sparse one-hot-like vectors: 3 non-zero N(0, 1) entries at random positions.
    Sparse,
}

/// The projection matrices (rows are generated unscaled; [`Matrix::scale`] gives the factor).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Matrix {
    /// N(0, 1/k) entries.
    Gaussian,
    /// ±1/√k.
    Rademacher,
    /// √(3/k)·{+1, 0, −1} with probabilities 1/6, 2/3, 1/6.
    Achlioptas,
    /// Li, Hastie & Church (2006): √(s/k)·{±1 w.p. 1/(2s), 0}, s = √d.
    VerySparse,
    /// Projection onto a random k-subspace scaled by √(d/k) (Dasgupta–Gupta).
    Orthogonal,
}

impl Matrix {
    /// The factor c with ‖Ax‖² = (c/k)·Σ_r (a_r·x)² for the generated rows a_r.
    pub fn scale(self, d: usize) -> f64 {
        match self {
            Matrix::Gaussian | Matrix::Rademacher => 1.0,
            Matrix::Achlioptas => 3.0,
            Matrix::VerySparse => (d as f64).sqrt(),
            Matrix::Orthogonal => d as f64,
        }
    }
}

/// Pairs used for the statistics: all of them up to this many, else a uniform sample of this many.
pub const MAX_PAIRS: usize = 50_000;

/// Stream seeds, so data, pairs and each matrix row are independent and reproducible.
fn stream(seed: u64, kind: u64, index: u64) -> Rng {
    Rng::new(seed ^ kind.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03).rotate_left(17))
}

/// Point `i` of the data set (f32: 80 MB for N = 2,000, d = 10,000 instead of 160 MB).
pub fn point(data: Data, d: usize, seed: u64, i: usize, out: &mut [f32]) {
    let mut r = stream(seed, 1, i as u64);
    match data {
        Data::Gaussian => out.iter_mut().for_each(|v| *v = r.normal() as f32),
        Data::Clusters => {
            let c = (r.uniform() * 10.0) as u64;
            let mut centre = stream(seed, 2, c);
            out.iter_mut().for_each(|v| *v = (centre.normal() + 0.1 * r.normal()) as f32);
        }
        Data::Sparse => {
            out.iter_mut().for_each(|v| *v = 0.0);
            for _ in 0..3 {
                let j = ((r.uniform() * d as f64) as usize).min(d - 1);
                out[j] += r.normal() as f32;
            }
        }
    }
}

/// Row `r` of the matrix, unscaled.
pub fn row(m: Matrix, d: usize, seed: u64, r: usize, out: &mut [f64]) {
    let mut g = stream(seed, 3, r as u64);
    match m {
        Matrix::Gaussian | Matrix::Orthogonal => out.iter_mut().for_each(|v| *v = g.normal()),
        Matrix::Rademacher => out.iter_mut().for_each(|v| *v = if g.uniform() < 0.5 { 1.0 } else { -1.0 }),
        Matrix::Achlioptas => out.iter_mut().for_each(|v| {
            let u = g.uniform();
            *v = if u < 1.0 / 6.0 {
                1.0
            } else if u < 1.0 / 3.0 {
                -1.0
            } else {
                0.0
            }
        }),
        Matrix::VerySparse => {
            let s = (d as f64).sqrt();
            out.iter_mut().for_each(|v| {
                let u = g.uniform() * s;
                *v = if u < 0.5 {
                    1.0
                } else if u < 1.0 {
                    -1.0
                } else {
                    0.0
                }
            })
        }
    }
}

/// The pairs (i < j) used: all if there are at most [`MAX_PAIRS`], else a uniform sample (with
/// replacement) of that many.
pub fn pairs(n: usize, seed: u64) -> Vec<(u32, u32)> {
    let all = n * (n.saturating_sub(1)) / 2;
    if all <= MAX_PAIRS {
        let mut v = Vec::with_capacity(all);
        for i in 0..n {
            for j in i + 1..n {
                v.push((i as u32, j as u32));
            }
        }
        v
    } else {
        let mut r = stream(seed, 4, 0);
        (0..MAX_PAIRS)
            .map(|_| {
                let i = ((r.uniform() * n as f64) as usize).min(n - 1);
                let mut j = ((r.uniform() * (n - 1) as f64) as usize).min(n - 2);
                if j >= i {
                    j += 1;
                }
                (i.min(j) as u32, i.max(j) as u32)
            })
            .collect()
    }
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: ~1e-15 relative).
pub fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        return std::f64::consts::PI.ln() - (std::f64::consts::PI * x).sin().ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Density of R = χ²_k / k at r (the distortion ratio of a Gaussian projection).
pub fn chi2_over_k_pdf(k: f64, r: f64) -> f64 {
    if r <= 0.0 {
        return 0.0;
    }
    let h = k / 2.0;
    (k.ln() + (h - 1.0) * (k * r).ln() - k * r / 2.0 - h * 2f64.ln() - ln_gamma(h)).exp()
}

/// Summary statistics of a sample (sorted in place for the median).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Stats {
    /// Smallest.
    pub min: f64,
    /// Median.
    pub median: f64,
    /// Largest.
    pub max: f64,
    /// Mean.
    pub mean: f64,
    /// Standard deviation (population).
    pub sd: f64,
}

/// Statistics of `v` (sorted in place).
pub fn stats(v: &mut [f64]) -> Stats {
    if v.is_empty() {
        return Stats::default();
    }
    v.sort_by(f64::total_cmp);
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    let m = v.len() / 2;
    let median = if v.len() % 2 == 1 { v[m] } else { 0.5 * (v[m - 1] + v[m]) };
    Stats { min: v[0], median, max: v[v.len() - 1], mean, sd: var.sqrt() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_match_the_math_spec() {
        assert!((bound_dg(1000.0, 0.1) - 5920.933).abs() < 1e-3);
        assert!((bound_dg(1000.0, 0.5) - 331.572).abs() < 1e-3);
        assert!((bound_dg(100.0, 0.1) - 3947.289).abs() < 1e-3);
        assert!((bound_dg(1e6, 0.5) - 663.145).abs() < 1e-3);
        assert!((bound_dg(1e6, 0.1) - 11841.866).abs() < 1e-3);
        assert!((bound_su24(1000.0, 0.1) - 16578.61).abs() < 1e-2);
        assert!((bound_su16(1000.0, 0.1) - 11052.41).abs() < 1e-2);
        assert!((bound_su24(1e6, 0.5) - 1326.29).abs() < 1e-2);
        assert!((bound_su16(1e6, 0.1) - 22104.82).abs() < 1e-2);
        assert!((bound_achlioptas(1000.0, 0.1, 1.0) - 8881.40).abs() < 1e-2);
        assert_eq!(bound_dg(1000.0, 0.1).ceil(), 5921.0, "a guarantee needs the ceiling");
    }

    #[test]
    fn ln_gamma_and_the_chi_square_density() {
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-13);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-13);
        assert!((ln_gamma(1000.5) - 5908.674175848678).abs() < 1e-9, "scipy.special.gammaln");
        // χ²₂/2 is Exp(1)… scaled: density of R is 2·(1/2)e^{−r} … = e^{−r}.
        assert!((chi2_over_k_pdf(2.0, 0.7) - (-0.7f64).exp()).abs() < 1e-14);
    }

    #[test]
    fn sampled_pairs_are_distinct_points_and_reproducible() {
        let a = pairs(1000, 3);
        assert_eq!(a.len(), MAX_PAIRS);
        assert!(a.iter().all(|(i, j)| i < j && *j < 1000));
        assert_eq!(a, pairs(1000, 3));
        assert_ne!(a, pairs(1000, 4));
        assert_eq!(pairs(5, 1).len(), 10);
    }
}
