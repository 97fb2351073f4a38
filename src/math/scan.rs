//! Parallel-prefix (associative) scans of linear recurrences x_t = M_t x_{t−1} + b_t, x₀ = 0
//! (post 9783). The maps x ↦ Mx + b compose associatively,
//! (M₂, b₂) ∘ (M₁, b₁) = (M₂M₁, M₂b₁ + b₂) — apply the earlier map first —
//! so x_t, the b-part of the composition of maps 1..t, is a prefix "sum" and can be computed in
//! O(log T) parallel rounds. This file runs the parallel algorithms serially (the browser has one
//! thread) and counts what a machine with one processor per element would do: the rounds (depth)
//! and the matrix–matrix and matrix–vector products (work). Nothing here knows about RNNs.
//!
//! Layout: a sequence of n maps in dimension d is `m` (n·d² numbers, M_t row-major, one after the
//! other) and `b` (n·d numbers); the result x is n·d numbers, x_t at `x[(t−1)·d..t·d]`.

use std::ops::Add;

/// What a parallel machine with one processor per element would spend on a scan.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScanCost {
    /// Sequential rounds (each round's products are independent of each other).
    pub depth: usize,
    /// d×d matrix–matrix products M₂M₁ (d³ multiply-adds each).
    pub mat_mat: usize,
    /// Matrix–vector products M·b (d² multiply-adds each).
    pub mat_vec: usize,
}

impl ScanCost {
    /// Multiply-adds in dimension d: d³ per matrix product, d² per matrix–vector product.
    pub fn flops(&self, d: usize) -> usize {
        self.mat_mat * d * d * d + self.mat_vec * d * d
    }
}

impl Add for ScanCost {
    type Output = ScanCost;
    /// Work adds up; depth too (the two scans run one after the other).
    fn add(self, o: ScanCost) -> ScanCost {
        ScanCost { depth: self.depth + o.depth, mat_mat: self.mat_mat + o.mat_mat, mat_vec: self.mat_vec + o.mat_vec }
    }
}

/// out = m·x (m is d×d row-major).
fn mat_vec(d: usize, m: &[f64], x: &[f64], out: &mut [f64]) {
    for (row, o) in m.chunks_exact(d).zip(out.iter_mut()) {
        *o = row.iter().zip(x).map(|(a, b)| a * b).sum();
    }
}

/// out = m·x + y for m d×d row-major. The scans spend their time here and in [`mat_mat`]; for the
/// lab's sizes (d ≤ 8) a copy with d known at compile time is fully unrolled, about twice as fast as
/// the general loop.
pub(crate) fn mat_vec_add(d: usize, m: &[f64], x: &[f64], y: &[f64], out: &mut [f64]) {
    match d {
        1 => mva_n::<1>(m, x, y, out),
        2 => mva_n::<2>(m, x, y, out),
        3 => mva_n::<3>(m, x, y, out),
        4 => mva_n::<4>(m, x, y, out),
        5 => mva_n::<5>(m, x, y, out),
        6 => mva_n::<6>(m, x, y, out),
        7 => mva_n::<7>(m, x, y, out),
        8 => mva_n::<8>(m, x, y, out),
        _ => {
            for ((row, o), yi) in m.chunks_exact(d).zip(out.iter_mut()).zip(y) {
                *o = row.iter().zip(x).map(|(a, b)| a * b).sum::<f64>() + yi;
            }
        }
    }
}

/// [`mat_vec_add`] for d = D (slices shorter than the sizes leave `out` unchanged). The D row sums
/// run side by side (j outer, i inner) so they do not wait on each other's additions; each row is
/// still summed in the order j = 0..D, so the result is the same as a row-by-row dot product.
fn mva_n<const D: usize>(m: &[f64], x: &[f64], y: &[f64], out: &mut [f64]) {
    let (Some(x), Some(y), Some(out), Some(m)) = (x.first_chunk::<D>(), y.first_chunk::<D>(), out.first_chunk_mut::<D>(), m.get(..D * D))
    else {
        return;
    };
    let mut acc = [0.0; D];
    for j in 0..D {
        let xj = x[j];
        for i in 0..D {
            acc[i] += m[i * D + j] * xj;
        }
    }
    for i in 0..D {
        out[i] = acc[i] + y[i];
    }
}

/// out = p·q (all d×d row-major), unrolled for d ≤ 8 like [`mat_vec_add`].
pub(crate) fn mat_mat(d: usize, p: &[f64], q: &[f64], out: &mut [f64]) {
    match d {
        1 => mm_n::<1>(p, q, out),
        2 => mm_n::<2>(p, q, out),
        3 => mm_n::<3>(p, q, out),
        4 => mm_n::<4>(p, q, out),
        5 => mm_n::<5>(p, q, out),
        6 => mm_n::<6>(p, q, out),
        7 => mm_n::<7>(p, q, out),
        8 => mm_n::<8>(p, q, out),
        _ => {
            out.iter_mut().for_each(|v| *v = 0.0);
            for i in 0..d {
                let orow = &mut out[i * d..(i + 1) * d];
                for k in 0..d {
                    let pik = p[i * d + k];
                    for (o, qv) in orow.iter_mut().zip(&q[k * d..(k + 1) * d]) {
                        *o += pik * qv;
                    }
                }
            }
        }
    }
}

/// [`mat_mat`] for d = D.
fn mm_n<const D: usize>(p: &[f64], q: &[f64], out: &mut [f64]) {
    if p.len() < D * D || q.len() < D * D || out.len() < D * D {
        return;
    }
    for i in 0..D {
        let mut acc = [0.0; D];
        for k in 0..D {
            let pik = p[i * D + k];
            let Some(qrow) = q[k * D..].first_chunk::<D>() else { return };
            for j in 0..D {
                acc[j] += pik * qrow[j];
            }
        }
        out[i * D..(i + 1) * D].copy_from_slice(&acc);
    }
}

/// Number of maps in (m, b), or None when the lengths do not describe whole maps of dimension d.
fn count(d: usize, m: &[f64], b: &[f64]) -> Option<usize> {
    if d == 0 || !m.len().is_multiple_of(d * d) || !b.len().is_multiple_of(d) || m.len() / (d * d) != b.len() / d {
        return None;
    }
    Some(b.len() / d)
}

/// The recurrence itself, one step after the other: depth n, n − 1 matrix–vector products (x₁ = b₁).
/// Inconsistent lengths give an empty result.
pub fn serial(d: usize, m: &[f64], b: &[f64]) -> (Vec<f64>, ScanCost) {
    let Some(n) = count(d, m, b) else { return (Vec::new(), ScanCost::default()) };
    let mut x = vec![0.0; n * d];
    if n == 0 {
        return (x, ScanCost::default());
    }
    x[..d].copy_from_slice(&b[..d]);
    for t in 1..n {
        let (done, rest) = x.split_at_mut(t * d);
        mat_vec_add(d, &m[t * d * d..(t + 1) * d * d], &done[(t - 1) * d..], &b[t * d..(t + 1) * d], &mut rest[..d]);
    }
    (x, ScanCost { depth: n, mat_mat: 0, mat_vec: n.saturating_sub(1) })
}

/// Folds a non-zero start x₀ into the first map (b₁ ← M₁x₀ + b₁), so the scans, which start
/// from x₀ = 0, solve x_t = M_t x_{t−1} + b_t from x₀.
pub fn with_start(d: usize, m: &[f64], b: &mut [f64], x0: &[f64]) {
    if d == 0 || m.len() < d * d || b.len() < d || x0.len() != d {
        return;
    }
    let mut first = vec![0.0; d];
    mat_vec_add(d, &m[..d * d], x0, &b[..d], &mut first);
    b[..d].copy_from_slice(&first);
}

/// Hillis–Steele inclusive scan: in round r every element i ≥ s = 2^r absorbs element i − s.
/// Depth ⌈log₂n⌉ (the fewest rounds), but every round touches almost every element, so the work is
/// ~n·log₂n products — a machine with n processors does not care, a serial one does.
pub fn hillis_steele(d: usize, m: &[f64], b: &[f64]) -> (Vec<f64>, ScanCost) {
    let Some(n) = count(d, m, b) else { return (Vec::new(), ScanCost::default()) };
    let (dd, mut cost) = (d * d, ScanCost::default());
    let (mut ms, mut bs) = (m.to_vec(), b.to_vec());
    let (mut mn, mut bn) = (ms.clone(), bs.clone());
    let mut s = 1;
    while s < n {
        // The M-parts are read again only if another round follows.
        let need_m = 2 * s < n;
        for i in s..n {
            let (mi, mj) = (&ms[i * dd..(i + 1) * dd], &ms[(i - s) * dd..(i - s + 1) * dd]);
            mat_vec_add(d, mi, &bs[(i - s) * d..(i - s + 1) * d], &bs[i * d..(i + 1) * d], &mut bn[i * d..(i + 1) * d]);
            if need_m {
                mat_mat(d, mi, mj, &mut mn[i * dd..(i + 1) * dd]);
            }
        }
        bn[..s * d].copy_from_slice(&bs[..s * d]);
        cost.depth += 1;
        cost.mat_vec += n - s;
        if need_m {
            mn[..s * dd].copy_from_slice(&ms[..s * dd]);
            cost.mat_mat += n - s;
            std::mem::swap(&mut ms, &mut mn);
        }
        std::mem::swap(&mut bs, &mut bn);
        s *= 2;
    }
    (bs, cost)
}

/// The M-half of a work-efficient (Blelloch / Brent–Kung) scan: the pairwise products
/// M_{2i+1}M_{2i} of every level of the reduction tree. It depends on the M_t only, so a
/// sequence of scans with the same M_t and different b_t (the sweeps of `plain` and `sech_u` in
/// `rnn`) builds it once and then costs matrix–vector products only.
///
/// Level 0 holds the n input maps; level ℓ+1 holds ⌊n_ℓ/2⌋ pairs, pair i being map 2i+1 of level ℓ
/// composed after map 2i (an odd last map waits for the down-sweep). Only the products that the
/// b-sweeps will read are formed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pyramid {
    d: usize,
    /// M of every level (unneeded entries stay zero and are never read).
    levels: Vec<Vec<f64>>,
    /// need[ℓ][j]: whether M_ℓ[j] is read (depends on n only).
    need: Vec<Vec<bool>>,
    cost: ScanCost,
}

impl Pyramid {
    /// Builds the tree for the maps M_1..M_n given as n·d² numbers (a trailing partial matrix is
    /// ignored; d = 0 gives an empty tree).
    pub fn new(d: usize, m: &[f64]) -> Self {
        let mut p = Pyramid::default();
        p.rebuild(d, m);
        p
    }

    /// [`Pyramid::new`] in place, reusing the allocations when d and n are unchanged (Newton's
    /// sweeps rebuild a tree of the same shape every sweep).
    pub fn rebuild(&mut self, d: usize, m: &[f64]) {
        self.cost = ScanCost::default();
        if d == 0 {
            (self.d, self.levels, self.need) = (0, vec![Vec::new()], vec![Vec::new()]);
            return;
        }
        let dd = d * d;
        let n = m.len() / dd;
        if self.d != d || self.len() != n || self.need.is_empty() {
            let mut lens = vec![n];
            while *lens.last().unwrap_or(&0) >= 2 {
                let l = lens[lens.len() - 1] / 2;
                lens.push(l);
            }
            // The down-sweep reads even j ≥ 2; the b up-sweep reads odd j that have a partner; a
            // needed pair product needs both of its factors.
            let top = lens.len() - 1;
            let mut need: Vec<Vec<bool>> = lens.iter().map(|&l| vec![false; l]).collect();
            for lv in (0..top).rev() {
                let up = lens[lv + 1];
                for j in 0..lens[lv] {
                    let down = j % 2 == 0 && j >= 2;
                    let pair = j / 2 < up;
                    let b_up = j % 2 == 1 && pair;
                    let for_product = pair && need[lv + 1][j / 2];
                    need[lv][j] = down || b_up || for_product;
                }
            }
            self.d = d;
            self.levels = lens.iter().map(|&l| vec![0.0; l * dd]).collect();
            self.need = need;
        }
        self.levels[0].copy_from_slice(&m[..n * dd]);
        for lv in 1..self.levels.len() {
            let (lower, upper) = self.levels.split_at_mut(lv);
            let (prev, next) = (&lower[lv - 1], &mut upper[0]);
            let mut any = false;
            for (i, &needed) in self.need[lv].iter().enumerate() {
                if needed {
                    mat_mat(
                        d,
                        &prev[(2 * i + 1) * dd..(2 * i + 2) * dd],
                        &prev[2 * i * dd..(2 * i + 1) * dd],
                        &mut next[i * dd..(i + 1) * dd],
                    );
                    self.cost.mat_mat += 1;
                    any = true;
                }
            }
            if any {
                self.cost.depth += 1;
            }
        }
    }

    /// Number of maps n.
    pub fn len(&self) -> usize {
        if self.d == 0 {
            0
        } else {
            self.levels[0].len() / (self.d * self.d)
        }
    }

    /// Whether there are no maps.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Dimension d of the maps.
    pub fn dim(&self) -> usize {
        self.d
    }

    /// What building the tree cost: its matrix products (depth = rounds of the up-sweep, which on a
    /// parallel machine coincide with the b up-sweep rounds of [`Pyramid::solve`]).
    pub fn cost(&self) -> ScanCost {
        self.cost
    }

    /// x_1..x_n for the offsets b (n·d numbers; other lengths give an empty result): an up-sweep
    /// (b of every pair, ⌊n/2⌋ + ⌊n/4⌋ + … matrix–vector products) and a down-sweep that fills in
    /// the even positions from the prefix ending just before them (about as many again). Depth
    /// ≤ 2⌈log₂n⌉ − 1 rounds.
    pub fn solve(&self, b: &[f64]) -> (Vec<f64>, ScanCost) {
        let (d, n) = (self.d, self.len());
        let mut cost = ScanCost::default();
        if d == 0 || b.len() != n * d {
            return (Vec::new(), cost);
        }
        let dd = d * d;
        // Up-sweep of the b-parts: pair i of level ℓ+1 has b = M_{2i+1}b_{2i} + b_{2i+1}. Level 0
        // is `b` itself (bl[0] stays empty).
        let mut bl: Vec<Vec<f64>> = vec![Vec::new()];
        for lv in 1..self.levels.len() {
            let len = self.levels[lv].len() / dd;
            let (prev, mprev) = (if lv == 1 { b } else { &bl[lv - 1] }, &self.levels[lv - 1]);
            let mut next = vec![0.0; len * d];
            for (i, out) in next.chunks_exact_mut(d).enumerate() {
                let j = 2 * i + 1;
                mat_vec_add(d, &mprev[j * dd..(j + 1) * dd], &prev[(j - 1) * d..j * d], &prev[j * d..(j + 1) * d], out);
            }
            if len > 0 {
                cost.depth += 1;
                cost.mat_vec += len;
            }
            bl.push(next);
        }
        // Down-sweep: s holds the inclusive prefixes (their b-parts, i.e. the x) of level ℓ+1; at
        // level ℓ, odd positions copy them and even positions 2i ≥ 2 apply their own map to the
        // prefix ending at 2i − 1. The top level's single map is its own prefix.
        let top = self.levels.len() - 1;
        let mut s = if top == 0 { b.to_vec() } else { std::mem::take(&mut bl[top]) };
        for lv in (0..top).rev() {
            let bv = if lv == 0 { b } else { &bl[lv] };
            let (len, mv) = (bv.len() / d, &self.levels[lv]);
            let mut out = vec![0.0; len * d];
            if len > 0 {
                out[..d].copy_from_slice(&bv[..d]);
            }
            let mut evens = 0;
            for j in 1..len {
                let i = j / 2;
                if j % 2 == 1 {
                    out[j * d..(j + 1) * d].copy_from_slice(&s[i * d..(i + 1) * d]);
                } else {
                    let (from, to) = (&s[(i - 1) * d..i * d], &mut out[j * d..(j + 1) * d]);
                    mat_vec_add(d, &mv[j * dd..(j + 1) * dd], from, &bv[j * d..(j + 1) * d], to);
                    evens += 1;
                }
            }
            if evens > 0 {
                cost.depth += 1;
                cost.mat_vec += evens;
            }
            s = out;
        }
        (s, cost)
    }
}

/// Work-efficient (Blelloch / Brent–Kung) inclusive scan: about n matrix products and 2n
/// matrix–vector products in ≤ 2⌈log₂n⌉ − 1 rounds — twice the depth of Hillis–Steele for a
/// log n-fold saving in work. Inconsistent lengths give an empty result.
pub fn blelloch(d: usize, m: &[f64], b: &[f64]) -> (Vec<f64>, ScanCost) {
    if count(d, m, b).is_none() {
        return (Vec::new(), ScanCost::default());
    }
    let p = Pyramid::new(d, m);
    let (x, c) = p.solve(b);
    // The M products run in the same rounds as the b up-sweep: depth is the solve's.
    (x, ScanCost { depth: c.depth, mat_mat: p.cost().mat_mat, mat_vec: c.mat_vec })
}

/// Applies m (d×d) to x: the helper the scans use, for callers that build their own maps.
pub fn apply(d: usize, m: &[f64], x: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; d];
    if d > 0 && m.len() == d * d && x.len() == d {
        mat_vec(d, m, x, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::rng::Rng;
    use proptest::prelude::*;

    fn random_maps(n: usize, d: usize, scale: f64, seed: u64) -> (Vec<f64>, Vec<f64>) {
        let mut r = Rng::new(seed);
        let m = (0..n * d * d).map(|_| scale * r.normal() / (d as f64).sqrt()).collect();
        let b = (0..n * d).map(|_| r.normal()).collect();
        (m, b)
    }

    fn max_diff(a: &[f64], b: &[f64]) -> f64 {
        assert_eq!(a.len(), b.len());
        a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
    }

    #[test]
    fn small_example_by_hand() {
        // d = 1: x₁ = 1, x₂ = 2·1 + 1 = 3, x₃ = 3·3 + 1 = 10.
        let (m, b) = ([5.0, 2.0, 3.0], [1.0, 1.0, 1.0]);
        for (x, _) in [serial(1, &m, &b), blelloch(1, &m, &b), hillis_steele(1, &m, &b)] {
            assert_eq!(x, vec![1.0, 3.0, 10.0]);
        }
    }

    #[test]
    fn counters_match_the_textbook_formulas() {
        for n in [1usize, 2, 3, 4, 5, 7, 8, 9, 64, 100, 512] {
            let (m, b) = random_maps(n, 2, 0.5, n as u64);
            let lg = (n as f64).log2().ceil() as usize;
            let (_, hs) = hillis_steele(2, &m, &b);
            assert_eq!(hs.depth, lg, "n = {n}");
            assert_eq!(hs.mat_vec, (0..lg).map(|r| n - (1 << r)).sum::<usize>());
            let (_, bl) = blelloch(2, &m, &b);
            assert!(bl.depth <= (2 * lg).saturating_sub(1), "n = {n}: {bl:?}");
            // Level ℓ (length n_ℓ ≥ 2) costs ⌊n_ℓ/2⌋ up and ⌊(n_ℓ − 1)/2⌋ down: n_ℓ − 1 in all.
            let (mut l, mut want) = (n, 0);
            while l >= 2 {
                want += l - 1;
                l /= 2;
            }
            assert_eq!(bl.mat_vec, want, "n = {n}");
            assert!(bl.mat_mat < n, "n = {n}: {bl:?}");
            if n >= 8 {
                assert!(hs.mat_mat > 2 * bl.mat_mat, "n = {n}: {hs:?} vs {bl:?}");
            }
            let (_, se) = serial(2, &m, &b);
            assert_eq!((se.depth, se.mat_vec), (n, n - 1));
        }
    }

    #[test]
    fn start_vector_is_folded_into_the_first_map() {
        let (m, mut b) = random_maps(5, 3, 0.8, 3);
        let x0 = [0.3, -1.0, 2.0];
        // Serial with x₀ by hand.
        let mut want = Vec::new();
        let mut x = x0.to_vec();
        for t in 0..5 {
            let mut nx = vec![0.0; 3];
            mat_vec_add(3, &m[t * 9..(t + 1) * 9], &x, &b[t * 3..(t + 1) * 3], &mut nx);
            want.extend_from_slice(&nx);
            x = nx;
        }
        with_start(3, &m, &mut b, &x0);
        assert!(max_diff(&blelloch(3, &m, &b).0, &want) < 1e-14);
    }

    #[test]
    fn a_reused_pyramid_solves_new_offsets() {
        let (m, b) = random_maps(37, 4, 0.9, 5);
        let p = Pyramid::new(4, &m);
        let (_, b2) = random_maps(37, 4, 0.9, 6);
        for bb in [&b, &b2] {
            assert!(max_diff(&p.solve(bb).0, &serial(4, &m, bb).0) < 1e-13);
        }
        assert_eq!(p.solve(&b[..8]).0, Vec::<f64>::new());
    }

    #[test]
    fn junk_lengths_give_empty_results_not_panics() {
        assert!(serial(2, &[1.0; 3], &[1.0; 2]).0.is_empty());
        assert!(blelloch(0, &[], &[]).0.is_empty());
        assert!(hillis_steele(3, &[1.0; 9], &[1.0; 6]).0.is_empty());
        assert!(Pyramid::new(0, &[1.0]).is_empty());
        assert_eq!(blelloch(2, &[], &[]).0, Vec::<f64>::new());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
        #[test]
        fn scans_equal_the_serial_recurrence(n in 1usize..300, d in 1usize..6, scale in 0.0f64..1.2, seed in 0u64..1000) {
            let (m, b) = random_maps(n, d, scale, seed);
            let (want, _) = serial(d, &m, &b);
            let size = want.iter().fold(1.0f64, |a, v| a.max(v.abs()));
            let (bl, _) = blelloch(d, &m, &b);
            let (hs, _) = hillis_steele(d, &m, &b);
            prop_assert!(max_diff(&bl, &want) <= 1e-12 * size, "blelloch {}", max_diff(&bl, &want));
            prop_assert!(max_diff(&hs, &want) <= 1e-12 * size, "hillis-steele {}", max_diff(&hs, &want));
        }
    }
}
