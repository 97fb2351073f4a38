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

/// The whole computation for one data set and matrix, advanced in bounded chunks.
pub struct Projection {
    /// Points.
    pub n: usize,
    /// Dimension.
    pub d: usize,
    /// Data set and seed.
    pub data: Data,
    /// Matrix.
    pub matrix: Matrix,
    /// Seed.
    pub seed: u64,
    /// Data, row-major N×d, f32 (filled point by point).
    x: Vec<f32>,
    points_done: usize,
    /// ‖xᵢ‖.
    pub norms: Vec<f64>,
    /// The pairs used.
    pub pairs: Vec<(u32, u32)>,
    /// ‖u − v‖² and ⟨u, v⟩ per pair.
    pub orig: Vec<(f64, f64)>,
    pairs_done: usize,
    /// Projected coordinates, row-major by matrix row: proj[r·N + i] = a_r·xᵢ (unscaled).
    proj: Vec<f32>,
    /// Matrix rows computed.
    pub rows: usize,
    /// Orthonormalised rows kept for Gram–Schmidt (orthogonal matrix only).
    basis: Vec<f64>,
    /// Rows beyond d cannot be orthogonal: the orthogonal matrix stops there.
    pub max_rows: usize,
}

impl Projection {
    /// An empty computation.
    pub fn new(n: usize, d: usize, data: Data, matrix: Matrix, seed: u64) -> Self {
        let pairs = pairs(n, seed);
        Projection {
            n,
            d,
            data,
            matrix,
            seed,
            x: vec![0.0; n * d],
            points_done: 0,
            norms: vec![0.0; n],
            orig: Vec::with_capacity(pairs.len()),
            pairs,
            pairs_done: 0,
            proj: Vec::new(),
            rows: 0,
            basis: Vec::new(),
            max_rows: if matrix == Matrix::Orthogonal { d } else { usize::MAX },
        }
    }

    /// Whether everything that does not depend on the matrix is ready.
    pub fn data_ready(&self) -> bool {
        self.points_done == self.n && self.pairs_done == self.pairs.len()
    }

    /// Work (in multiply-adds) still needed before `k` rows are available, and the total.
    pub fn remaining(&self, k: usize) -> (f64, f64) {
        let (n, d) = (self.n as f64, self.d as f64);
        let k = k.min(self.max_rows);
        let per_row = n * d + if self.matrix == Matrix::Orthogonal { k as f64 * d } else { 0.0 };
        let data_total = n * d + self.pairs.len() as f64 * d;
        let data_left = (self.n - self.points_done) as f64 * d + (self.pairs.len() - self.pairs_done) as f64 * d;
        let rows_left = k.saturating_sub(self.rows) as f64 * per_row;
        (data_left + rows_left, data_total + k as f64 * per_row)
    }

    /// One chunk of about `budget` multiply-adds towards `k` rows; returns whether more remains.
    pub fn work(&mut self, k: usize, budget: f64) -> bool {
        let d = self.d;
        let mut spent = 0.0;
        while self.points_done < self.n && spent < budget {
            let i = self.points_done;
            let xi = &mut self.x[i * d..(i + 1) * d];
            point(self.data, d, self.seed, i, xi);
            self.norms[i] = xi.iter().map(|&v| (v as f64) * (v as f64)).sum::<f64>().sqrt();
            self.points_done += 1;
            spent += d as f64;
        }
        while self.points_done == self.n && self.pairs_done < self.pairs.len() && spent < budget {
            let (i, j) = self.pairs[self.pairs_done];
            let (u, v) = (&self.x[i as usize * d..(i as usize + 1) * d], &self.x[j as usize * d..(j as usize + 1) * d]);
            let (mut sq, mut dot) = (0.0f64, 0.0f64);
            for (a, b) in u.iter().zip(v) {
                let (a, b) = (*a as f64, *b as f64);
                sq += (a - b) * (a - b);
                dot += a * b;
            }
            self.orig.push((sq, dot));
            self.pairs_done += 1;
            spent += d as f64;
        }
        let k = k.min(self.max_rows);
        let mut a = vec![0.0f64; d];
        while self.data_ready() && self.rows < k && spent < budget {
            let r = self.rows;
            row(self.matrix, d, self.seed, r, &mut a);
            if self.matrix == Matrix::Orthogonal {
                // Modified Gram–Schmidt against the rows so far (twice, for orthogonality to ~1e-15).
                for _ in 0..2 {
                    for q in self.basis.chunks_exact(d) {
                        let c: f64 = q.iter().zip(&a).map(|(x, y)| x * y).sum();
                        a.iter_mut().zip(q).for_each(|(y, x)| *y -= c * x);
                    }
                }
                let norm = a.iter().map(|v| v * v).sum::<f64>().sqrt();
                if norm < 1e-12 {
                    // Numerically dependent (cannot happen for Gaussian rows with r < d): stop here.
                    self.max_rows = r;
                    break;
                }
                a.iter_mut().for_each(|v| *v /= norm);
                self.basis.extend_from_slice(&a);
                spent += (r * d) as f64 * 2.0;
            }
            let af: Vec<f32> = a.iter().map(|&v| v as f32).collect();
            for i in 0..self.n {
                let xi = &self.x[i * d..(i + 1) * d];
                // f32 products summed in f64 blocks: exact enough for ratios near 1 (tested).
                let mut s = 0.0f64;
                for (cx, ca) in xi.chunks(64).zip(af.chunks(64)) {
                    s += cx.iter().zip(ca).map(|(p, q)| p * q).sum::<f32>() as f64;
                }
                self.proj.push(s as f32);
            }
            self.rows += 1;
            spent += (self.n * d) as f64;
        }
        !(self.data_ready() && self.rows >= k)
    }

    /// Per pair, the cumulative squared projected distance and projected dot product over the
    /// first `k` rows (unscaled).
    pub fn cumulative(&self, k: usize, pair: usize) -> (f64, f64) {
        self.cumulative_range(0, k, pair)
    }

    /// The same over rows `from..to`.
    pub fn cumulative_range(&self, from: usize, to: usize, pair: usize) -> (f64, f64) {
        let (i, j) = (self.pairs[pair].0 as usize, self.pairs[pair].1 as usize);
        let (mut sq, mut dot) = (0.0, 0.0);
        for r in from..to.min(self.rows) {
            let (a, b) = (self.proj[r * self.n + i] as f64, self.proj[r * self.n + j] as f64);
            sq += (a - b) * (a - b);
            dot += a * b;
        }
        (sq, dot)
    }

    /// One stretch `from..to` of the scan for the empirically smallest k: `sums` holds each pair's
    /// running squared distance over the rows before `from`. Returns the first k′ in the stretch at
    /// which every used pair has |R − 1| ≤ ε (if any) and the row reached.
    pub fn scan_k(&self, sums: &mut Vec<f64>, from: usize, to: usize, eps: f64) -> (Option<usize>, usize) {
        sums.resize(self.pairs.len(), 0.0);
        let c = self.matrix.scale(self.d);
        if !self.orig.iter().any(|o| o.0 > 0.0) {
            return (None, to);
        }
        for r in from..to.min(self.rows) {
            let row = &self.proj[r * self.n..(r + 1) * self.n];
            let kk = (r + 1) as f64;
            let mut ok = true;
            for ((s, &(i, j)), o) in sums.iter_mut().zip(&self.pairs).zip(&self.orig) {
                let diff = row[i as usize] as f64 - row[j as usize] as f64;
                *s += diff * diff;
                ok &= o.0 <= 0.0 || (c / kk * *s / o.0 - 1.0).abs() <= eps;
            }
            if ok {
                return (Some(r + 1), r + 1);
            }
        }
        (None, to)
    }

    /// The distortion ratios ‖A(u−v)‖²/‖u−v‖² of every used pair at k rows (pairs at distance 0 skipped).
    pub fn ratios(&self, k: usize) -> Vec<(usize, f64)> {
        let c = self.matrix.scale(self.d) / k as f64;
        (0..self.orig.len()).filter(|&p| self.orig[p].0 > 0.0).map(|p| (p, c * self.cumulative(k, p).0 / self.orig[p].0)).collect()
    }

    /// ⟨Au, Av⟩ − ⟨u, v⟩ for the pairs as unit vectors (inner-product view).
    pub fn ip_errors(&self, k: usize) -> Vec<(usize, f64, f64)> {
        let c = self.matrix.scale(self.d) / k as f64;
        (0..self.orig.len())
            .filter_map(|p| {
                let (i, j) = (self.pairs[p].0 as usize, self.pairs[p].1 as usize);
                let nn = self.norms[i] * self.norms[j];
                (nn > 0.0).then(|| {
                    let orig = self.orig[p].1 / nn;
                    (p, orig, c * self.cumulative(k, p).1 / nn)
                })
            })
            .collect()
    }

    /// The smallest k′ ≤ k at which every used pair has |R − 1| ≤ ε, scanning k′ upward with
    /// running sums (one pass over the rows): `None` if no k′ ≤ k does.
    pub fn k_empirical(&self, k: usize, eps: f64) -> Option<usize> {
        self.scan_k(&mut Vec::new(), 0, k, eps).0
    }

    /// Bytes held (data, projections, basis): the memory a large case costs.
    pub fn bytes(&self) -> usize {
        self.x.len() * 4 + self.proj.len() * 4 + self.basis.len() * 8 + self.pairs.len() * 8 + self.orig.len() * 16
    }

    /// The orthonormal rows computed so far (orthogonal matrix; tests).
    pub fn basis(&self) -> &[f64] {
        &self.basis
    }
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

    fn run(n: usize, d: usize, data: Data, m: Matrix, k: usize, seed: u64) -> Projection {
        let mut p = Projection::new(n, d, data, m, seed);
        while p.work(k, 1e6) {}
        p
    }

    #[test]
    fn gaussian_projection_matches_the_math_spec_monte_carlo() {
        // N = 200, d = 1000, k = 300: sd of R ≈ √(2/k) = 0.0816 (spec: 0.0815).
        let p = run(200, 1000, Data::Gaussian, Matrix::Gaussian, 300, 1);
        let mut r: Vec<f64> = p.ratios(300).into_iter().map(|x| x.1).collect();
        assert_eq!(r.len(), 19_900, "all pairs");
        let s = stats(&mut r);
        // Pairs share points, so the effective sample is smaller than 19,900; 5% is ~6 standard errors
        // of the mean over 200 independent projections.
        assert!((s.mean - 1.0).abs() < 0.01, "mean {}", s.mean);
        assert!((s.sd - (2.0f64 / 300.0).sqrt()).abs() < 0.1 * (2.0f64 / 300.0).sqrt(), "sd {}", s.sd);
    }

    #[test]
    fn every_matrix_is_unbiased_and_nested() {
        for m in [Matrix::Gaussian, Matrix::Rademacher, Matrix::Achlioptas, Matrix::VerySparse, Matrix::Orthogonal] {
            let p = run(60, 400, Data::Gaussian, m, 200, 7);
            let mut r: Vec<f64> = p.ratios(200).into_iter().map(|x| x.1).collect();
            let s = stats(&mut r);
            // E[R] = 1; the standard error of the mean over 1,770 (dependent) pairs is well below 0.02.
            assert!((s.mean - 1.0).abs() < 0.04, "{m:?}: mean {}", s.mean);
            // Nested: the 100-row projection is the first 100 rows of the 200-row one.
            let q = run(60, 400, Data::Gaussian, m, 100, 7);
            assert_eq!(q.cumulative(100, 5), p.cumulative(100, 5), "{m:?}");
        }
    }

    #[test]
    fn orthogonal_rows_are_orthonormal() {
        let p = run(10, 120, Data::Gaussian, Matrix::Orthogonal, 40, 3);
        let b = p.basis();
        for i in 0..40 {
            for j in 0..40 {
                let dot: f64 = b[i * 120..(i + 1) * 120].iter().zip(&b[j * 120..(j + 1) * 120]).map(|(x, y)| x * y).sum();
                assert!((dot - if i == j { 1.0 } else { 0.0 }).abs() < 1e-12, "({i}, {j}): {dot}");
            }
        }
        // At k = d the scaled projection is an isometry: every ratio is 1.
        let p = run(12, 30, Data::Gaussian, Matrix::Orthogonal, 30, 3);
        assert!(p.ratios(30).iter().all(|(_, r)| (r - 1.0).abs() < 1e-5), "{:?}", p.ratios(30));
    }

    #[test]
    fn empirical_k_is_the_first_k_keeping_every_pair_within_eps() {
        let p = run(30, 300, Data::Gaussian, Matrix::Gaussian, 400, 5);
        let k = p.k_empirical(400, 0.3).expect("found below 400");
        let ok = |k: usize| p.ratios(k).iter().all(|(_, r)| (r - 1.0).abs() <= 0.3);
        assert!(ok(k));
        assert!((1..k).all(|kk| !ok(kk)), "no smaller k works");
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
