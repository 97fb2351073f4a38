//! The Johnson–Lindenstrauss lab's model: the projection (data, pairs, matrix rows, kept across
//! changes of k, ε, β and the view) and the work phases after it, run in bounded chunks.

use super::Params;
use crate::math::jl::{self, pairs, point, row, Data, Matrix, Stats};

/// The statistics at the current k, ε and view.
#[derive(Clone, Debug)]
pub struct Summary {
    /// (pair index, original, projected) — squared distances or inner products.
    pub points: Vec<(usize, f64, f64)>,
    /// The ratios R (distance view) or the errors ⟨Au,Av⟩ − ⟨u,v⟩ (inner-product view).
    pub values: Vec<f64>,
    /// Their statistics.
    pub stats: Stats,
    /// Fraction outside the ±ε band.
    pub violated: f64,
}

/// Work phases after the projection: running sums per pair up to k, then the k-scan.
pub struct State {
    /// The cached projection (data, pairs, matrix rows).
    pub proj: Projection,
    /// Running sums (squared distance, inner product) of the projected pairs over the rows so far.
    pub sums: Vec<(f64, f64)>,
    summed: usize,
    scan: Vec<f64>,
    scan_row: usize,
    /// The empirically smallest k (None while unknown or not reached by k).
    pub k_emp: Option<usize>,
    /// The empirical-k scan has finished.
    pub scan_done: bool,
    /// Statistics, once everything is computed.
    pub summary: Option<Summary>,
}

/// Multiply-adds per chunk of background work (a few milliseconds in the browser).
const BUDGET: f64 = 1.5e6;

fn fresh(p: &Params) -> Projection {
    Projection::new(p.n as usize, p.d as usize, p.data, p.matrix, p.seed as u64)
}

impl State {
    /// Fresh state: a new projection.
    pub fn new(p: &Params) -> State {
        let mut s = State {
            proj: fresh(p),
            sums: Vec::new(),
            summed: 0,
            scan: Vec::new(),
            scan_row: 0,
            k_emp: None,
            scan_done: false,
            summary: None,
        };
        s.reset_after_projection();
        s
    }
    /// After a parameter change: keep the projection when only k, ε, β or the view changed.
    pub fn reinit(&mut self, p: &Params) {
        if !same_projection(&self.proj, p) {
            *self = State::new(p);
            return;
        }
        // Only k, ε, β or the view changed: keep the data, pairs and every matrix row computed.
        if self.summed > p.k_used() {
            self.sums.iter_mut().for_each(|v| *v = (0.0, 0.0));
            self.summed = 0;
        }
        self.reset_scan();
    }

    fn reset_after_projection(&mut self) {
        self.sums = vec![(0.0, 0.0); self.proj.pairs.len()];
        self.summed = 0;
        self.reset_scan();
    }
    fn reset_scan(&mut self) {
        self.scan = Vec::new();
        self.scan_row = 0;
        self.k_emp = None;
        self.scan_done = false;
        self.summary = None;
    }
    /// Fraction of the background work done, or `None` when all is done.
    pub fn pending(&self, p: &Params) -> Option<f64> {
        let k = p.k_used();
        let (left, total) = self.proj.remaining(k);
        let m = self.proj.pairs.len() as f64;
        let sum_left = if self.proj.rows >= k || left > 0.0 { (k.saturating_sub(self.summed)) as f64 * m } else { 0.0 };
        let scan_left = if self.scan_done { 0.0 } else { (k.saturating_sub(self.scan_row)) as f64 * m };
        let left = left + sum_left + scan_left + if self.summary.is_none() { m } else { 0.0 };
        if left <= 0.0 {
            return None;
        }
        let total = total + 2.0 * k as f64 * m + m;
        Some((1.0 - left / total).clamp(0.0, 0.999))
    }
}

fn same_projection(a: &Projection, p: &Params) -> bool {
    a.n == p.n as usize && a.d == p.d as usize && a.data == p.data && a.matrix == p.matrix && a.seed == p.seed as u64
}

fn summarise(p: &Params, s: &State, k: usize) -> Summary {
    let c = s.proj.matrix.scale(s.proj.d) / k.max(1) as f64;
    let mut points = Vec::with_capacity(s.sums.len());
    let mut values = Vec::with_capacity(s.sums.len());
    for (pi, (&(sq, dot), &(osq, odot))) in s.sums.iter().zip(&s.proj.orig).enumerate() {
        if p.ip {
            let (i, j) = s.proj.pairs[pi];
            let nn = s.proj.norms[i as usize] * s.proj.norms[j as usize];
            if nn > 0.0 {
                let (o, q) = (odot / nn, c * dot / nn);
                points.push((pi, o, q));
                values.push(q - o);
            }
        } else if osq > 0.0 {
            points.push((pi, osq, c * sq));
            values.push(c * sq / osq);
        }
    }
    let centre = if p.ip { 0.0 } else { 1.0 };
    let violated =
        if values.is_empty() { 0.0 } else { values.iter().filter(|v| (*v - centre).abs() > p.eps).count() as f64 / values.len() as f64 };
    let mut sorted = values.clone();
    let stats = jl::stats(&mut sorted);
    Summary { points, values, stats, violated }
}

/// One chunk of the background work: the projection's rows, then the running sums up to k,
/// then the scan for the empirical k, then the statistics.
pub fn work(p: &Params, s: &mut State) {
    let k = p.k_used();
    if s.proj.work(k, BUDGET) {
        return;
    }
    let k = k.min(s.proj.rows);
    let m = s.proj.pairs.len().max(1);
    let rows_per_chunk = ((BUDGET / m as f64) as usize).max(1);
    if s.summed < k {
        let end = (s.summed + rows_per_chunk).min(k);
        for (pi, acc) in s.sums.iter_mut().enumerate() {
            let (sq, dot) = s.proj.cumulative_range(s.summed, end, pi);
            acc.0 += sq;
            acc.1 += dot;
        }
        s.summed = end;
        return;
    }
    if !s.scan_done {
        let end = (s.scan_row + rows_per_chunk).min(k);
        let (found, next) = s.proj.scan_k(&mut s.scan, s.scan_row, end, p.eps);
        s.scan_row = next;
        if found.is_some() || s.scan_row >= k {
            s.k_emp = found;
            s.scan_done = true;
        }
        return;
    }
    if s.summary.is_none() {
        s.summary = Some(summarise(p, s, k));
    }
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
    use crate::math::jl::stats;

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
}
