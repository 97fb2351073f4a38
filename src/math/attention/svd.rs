//! Singular values only, for the attention lab's spectra and numerical ranks.
//!
//! Why not nalgebra's `SVD::new(m, false, false)`: it gives the same numbers (the tests compare), but
//! the release profile builds dependencies at opt-level `z`, and its Householder steps walk a
//! column-major matrix with a stride. Here the reduction works on contiguous rows of a row-major
//! copy (Golub–Kahan bidiagonalisation, the left and right reflections of one step fused into one
//! pass over the trailing rows) and the bidiagonal is diagonalised by the implicit-shift QR of
//! Golub–Reinsch without accumulating vectors. Both stages are backward stable: every computed
//! value is within a small multiple of ε·σ_max of the exact one, as for LAPACK's `gesdd`, which is
//! what the rank tolerance σ_max·n·ε needs (Gram-matrix eigenvalues would only resolve
//! σ ≳ √ε·σ_max ≈ 1.5e-8·σ_max and so miscount ranks).
//!
//! The reduction is resumable ([`SvJob::step`]) so a browser can spread the (8/3)n³ flops of a
//! 256×256 matrix over several frames; [`singular_values`] runs it to the end.
//!
//! For a matrix known as a product A = L·Rᵀ with r < n columns, [`singular_values_of_product`]
//! needs only two thin QR factorisations and an r×r problem: the singular values of A are those of
//! R_L·R_Rᵀ and n − r zeros.

use super::Mat;

/// A resumable singular-value computation of one matrix.
#[derive(Clone, Debug)]
pub struct SvJob {
    /// Working copy, row-major, `rows ≥ cols` (the transpose is taken if needed).
    a: Vec<f64>,
    rows: usize,
    cols: usize,
    /// Next column to reduce.
    k: usize,
    /// Diagonal of the bidiagonal matrix.
    diag: Vec<f64>,
    /// Superdiagonal: `sup[j]` couples columns j − 1 and j (`sup[0]` = 0).
    sup: Vec<f64>,
    /// Scratch for the left reflection's row combination.
    w: Vec<f64>,
    /// The column being reduced next (then its reflector vector).
    u: Vec<f64>,
    /// Σ_{i>k} a[i][k]·a[i][k+1..] for the next step, accumulated in the previous pass.
    p: Vec<f64>,
    /// Whether `u` and `p` hold the next column (the first step gathers them itself).
    primed: bool,
    /// The result, once done (descending).
    values: Option<Vec<f64>>,
}

impl SvJob {
    /// A job for the singular values of `m` (nothing computed yet).
    pub fn new(m: &Mat) -> Self {
        let (r, c) = (m.rows(), m.cols());
        let (rows, cols, a) = if r >= c {
            (r, c, m.as_slice().to_vec())
        } else {
            let mut t = vec![0.0; r * c];
            for i in 0..r {
                for j in 0..c {
                    t[j * r + i] = m.as_slice()[i * c + j];
                }
            }
            (c, r, t)
        };
        let non_finite = a.iter().any(|x| !x.is_finite());
        SvJob {
            a,
            rows,
            cols,
            k: 0,
            diag: vec![0.0; cols],
            sup: vec![0.0; cols],
            w: vec![0.0; cols],
            u: vec![0.0; rows],
            p: vec![0.0; cols],
            primed: false,
            // Junk in, junk flagged: a matrix with NaN or ∞ has no singular values; report NaNs
            // rather than iterate on them.
            values: if non_finite { Some(vec![f64::NAN; cols]) } else { None },
        }
    }

    /// A job that is already done, holding `values` (sorted descending here).
    pub fn finished(mut values: Vec<f64>) -> Self {
        values.sort_by(|a, b| b.total_cmp(a));
        SvJob {
            a: Vec::new(),
            rows: 0,
            cols: 0,
            k: 0,
            diag: Vec::new(),
            sup: Vec::new(),
            w: Vec::new(),
            u: Vec::new(),
            p: Vec::new(),
            primed: false,
            values: Some(values),
        }
    }

    /// Whether the values are ready.
    pub fn is_done(&self) -> bool {
        self.values.is_some()
    }

    /// Multiply-adds still to do, roughly (for a frame budget): 4·(rows − k)·(cols − k) per
    /// remaining column and ~15·cols² for the bidiagonal stage.
    pub fn remaining_work(&self) -> f64 {
        if self.is_done() {
            return 0.0;
        }
        (self.k..self.cols).map(|k| self.column_work(k)).sum::<f64>() + 15.0 * (self.cols * self.cols) as f64
    }

    fn column_work(&self, k: usize) -> f64 {
        4.0 * ((self.rows - k) * (self.cols - k)) as f64
    }

    /// Advances by whole columns until about `budget` multiply-adds are spent (at least one
    /// column). Returns whether the values are ready.
    pub fn step_work(&mut self, budget: f64) -> bool {
        let (mut spent, mut cols) = (0.0, 0);
        while self.k + cols < self.cols && (cols == 0 || spent + self.column_work(self.k + cols) <= budget) {
            spent += self.column_work(self.k + cols);
            cols += 1;
        }
        self.step(cols)
    }

    /// Advances by up to `columns` reduction steps (each costs 4·(rows − k)·(cols − k) multiply-adds);
    /// the bidiagonal stage (O(n²)) runs in the call that finishes the reduction. Returns whether
    /// the values are ready.
    pub fn step(&mut self, columns: usize) -> bool {
        if self.is_done() {
            return true;
        }
        let end = self.k.saturating_add(columns.max(1)).min(self.cols);
        while self.k < end {
            self.reduce_column();
            self.k += 1;
        }
        if self.k == self.cols {
            let mut d = std::mem::take(&mut self.diag);
            let mut e = std::mem::take(&mut self.sup);
            bidiagonal_values(&mut d, &mut e);
            self.values = Some(d);
        }
        self.is_done()
    }

    /// Runs to the end and returns the singular values, descending.
    pub fn finish(mut self) -> Vec<f64> {
        while !self.step(usize::MAX) {}
        self.values.unwrap_or_default()
    }

    /// The singular values (descending), if done.
    pub fn values(&self) -> Option<&[f64]> {
        self.values.as_deref()
    }

    /// One Golub–Kahan step: a left reflection zeroing column k below the diagonal, then a right
    /// reflection zeroing row k right of the superdiagonal, in one pass over the trailing rows.
    /// The right reflector depends only on row k after the left reflection, so each row i > k gets
    /// both updates while it sits in L1, and the same pass gathers what the next step's left
    /// reflection needs: column k + 1 and P = Σ_{i>k+1} a[i][k+1]·a[i][k+2..], from which
    /// wᵀ = uᵀA = P/(x₀ − α) + a[k+1][k+2..] (u = x/(x₀ − α) with u₀ = 1). One read and one write of
    /// the trailing matrix per step instead of two reads and a write.
    fn reduce_column(&mut self) {
        let (rows, cols, k) = (self.rows, self.cols, self.k);
        let a = &mut self.a;
        if !self.primed {
            // First step: gather column k and P directly.
            self.p[k + 1..].iter_mut().for_each(|x| *x = 0.0);
            for i in k..rows {
                let x = a[i * cols + k];
                self.u[i] = x;
                if i > k && x != 0.0 {
                    axpy(x, &a[i * cols + k + 1..(i + 1) * cols], &mut self.p[k + 1..]);
                }
            }
            self.primed = true;
        }
        let x0 = self.u[k];
        let (alpha, beta) = householder(&mut self.u[k..rows]);
        self.diag[k] = alpha;
        // w = uᵀ A[k.., k+1..] from P and row k.
        let w = &mut self.w[k + 1..cols];
        if beta != 0.0 {
            let den = x0 - alpha;
            let rowk = &a[k * cols + k + 1..(k + 1) * cols];
            w.iter_mut().zip(&self.p[k + 1..]).zip(rowk).for_each(|((w, p), r)| *w = p / den + r);
        } else {
            w.iter_mut().for_each(|x| *x = 0.0);
        }
        // Row k after the left reflection (u_k = 1), then its right reflector v (stored in row k).
        {
            let row = &mut a[k * cols + k + 1..(k + 1) * cols];
            axpy(-beta, w, row);
        }
        if k + 1 >= cols {
            return;
        }
        let (head, tail) = a.split_at_mut((k + 1) * cols);
        let v = &mut head[k * cols + k + 1..(k + 1) * cols];
        let (gamma, vbeta) = householder(v);
        self.sup[k + 1] = gamma;
        let v: &[f64] = v;
        let next = &mut self.p[k + 2..cols];
        next.iter_mut().for_each(|x| *x = 0.0);
        for i in k + 1..rows {
            let row = &mut tail[(i - k - 1) * cols + k + 1..(i - k) * cols];
            // Pass A: the left update fused with the dot product for the right one.
            let ui = beta * self.u[i];
            let t = vbeta * axpy_dot(-ui, w, row, v);
            // Pass B: the right update fused with the next step's P (row[0] is column k + 1).
            let x = if t != 0.0 { row[0] - t * v[0] } else { row[0] };
            row[0] = x;
            self.u[i] = x;
            let acc = i > k + 1 && x != 0.0;
            if t != 0.0 || acc {
                axpy_axpy(-t, &v[1..], &mut row[1..], if acc { x } else { 0.0 }, next);
            }
        }
    }
}

/// y += a·x, returning the updated y·v (four partial sums, as in [`dot`]).
#[inline]
fn axpy_dot(a: f64, x: &[f64], y: &mut [f64], v: &[f64]) -> f64 {
    let n = y.len().min(x.len()).min(v.len());
    let (x, y, v) = (&x[..n], &mut y[..n], &v[..n]);
    let mut s = [0.0f64; 4];
    let mut yc = y.chunks_exact_mut(4);
    let mut xc = x.chunks_exact(4);
    let mut vc = v.chunks_exact(4);
    for ((yy, xx), vv) in (&mut yc).zip(&mut xc).zip(&mut vc) {
        for q in 0..4 {
            yy[q] += a * xx[q];
            s[q] += yy[q] * vv[q];
        }
    }
    let mut t = (s[0] + s[2]) + (s[1] + s[3]);
    for ((yy, xx), vv) in yc.into_remainder().iter_mut().zip(xc.remainder()).zip(vc.remainder()) {
        *yy += a * xx;
        t += *yy * vv;
    }
    t
}

/// y += a·x, then p += b·y (with the updated y).
#[inline]
fn axpy_axpy(a: f64, x: &[f64], y: &mut [f64], b: f64, p: &mut [f64]) {
    for ((yy, xx), pp) in y.iter_mut().zip(x).zip(p.iter_mut()) {
        *yy += a * xx;
        *pp += b * *yy;
    }
}

/// Turns x into the Householder vector v (v[0] = 1) of the reflector H = I − τvvᵀ with
/// Hx = α·e₁, and returns (α, τ); τ = 0 (no reflection) for x = 0. As LAPACK's `dlarfg`: the norm is
/// computed with the largest entry scaled out and v = x/(x₀ − α) has entries ≤ 1, so rows of
/// 1e-160 (a numerically low-rank matrix after a few steps) neither underflow to 0/0 nor make ∞.
fn householder(x: &mut [f64]) -> (f64, f64) {
    let Some((&x0, rest)) = x.split_first() else { return (0.0, 0.0) };
    let big = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if big == 0.0 || rest.iter().all(|&v| v == 0.0) {
        // Already a multiple of e₁ (or zero): H = I.
        return (x0, 0.0);
    }
    let norm = big * x.iter().map(|v| (v / big) * (v / big)).sum::<f64>().sqrt();
    let alpha = if x0 > 0.0 { -norm } else { norm };
    let tau = (alpha - x0) / alpha;
    // Divide rather than multiply by the reciprocal: for subnormal x (≈1e-315) 1/(x₀ − α) overflows.
    let den = x0 - alpha;
    x[0] = 1.0;
    x[1..].iter_mut().for_each(|v| *v /= den);
    (alpha, tau)
}

/// y += a·x.
#[inline]
pub(crate) fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

/// x·y with four partial sums (so the loop vectorises; a single accumulator is a serial chain).
#[inline]
pub(crate) fn dot(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len().min(y.len());
    let (x, y) = (&x[..n], &y[..n]);
    let mut s = [0.0f64; 4];
    let mut xc = x.chunks_exact(4);
    let mut yc = y.chunks_exact(4);
    for (a, b) in (&mut xc).zip(&mut yc) {
        s[0] += a[0] * b[0];
        s[1] += a[1] * b[1];
        s[2] += a[2] * b[2];
        s[3] += a[3] * b[3];
    }
    let mut t = (s[0] + s[2]) + (s[1] + s[3]);
    for (a, b) in xc.remainder().iter().zip(yc.remainder()) {
        t += a * b;
    }
    t
}

/// Singular values of `m`, descending (length min(rows, cols)).
pub fn singular_values(m: &Mat) -> Vec<f64> {
    SvJob::new(m).finish()
}

/// Singular values of the n×n matrix L·Rᵀ (L, R both n×r, r < n) without forming it: thin QR of
/// both factors (L = Q_L R_L, R = Q_R R_R), then the r×r matrix R_L R_Rᵀ has the same nonzero
/// singular values; the other n − r are exactly 0 here (a dense SVD would print roundoff, ~1e-17).
/// Cost O(n r²) instead of O(n³). Falls back to the dense route if r ≥ n or the shapes disagree.
pub fn singular_values_of_product(l: &Mat, r: &Mat) -> Vec<f64> {
    let (n, k) = (l.rows(), l.cols());
    if k == 0 || r.cols() != k || r.rows() != n || k >= n {
        let mut a = Mat::zeros(n, r.rows());
        for i in 0..n {
            for j in 0..r.rows() {
                a.data[i * r.rows() + j] = dot(l.row(i), r.row(j));
            }
        }
        return singular_values(&a);
    }
    let rl = r_factor(l);
    let rr = r_factor(r);
    let mut c = Mat::zeros(k, k);
    for i in 0..k {
        for j in 0..k {
            // (R_L R_Rᵀ)_ij = Σ_t R_L[i][t] R_R[j][t]; both upper triangular: t ≥ max(i, j).
            c.data[i * k + j] = dot(&rl.row(i)[i.max(j)..], &rr.row(j)[i.max(j)..]);
        }
    }
    let mut s = singular_values(&c);
    s.resize(n, 0.0);
    s
}

/// The k×k upper-triangular factor R of a thin Householder QR of the n×k matrix `m` (n ≥ k),
/// computed on the transpose so every reflection runs over contiguous memory.
fn r_factor(m: &Mat) -> Mat {
    let (n, k) = (m.rows(), m.cols());
    // t[j] = column j of m.
    let mut t = vec![0.0; n * k];
    for i in 0..n {
        for j in 0..k {
            t[j * n + i] = m.data[i * k + j];
        }
    }
    let mut r = Mat::zeros(k, k);
    for c in 0..k {
        let (head, tail) = t.split_at_mut((c + 1) * n);
        let x = &mut head[c * n + c..(c + 1) * n];
        let (alpha, beta) = householder(x);
        r.data[c * k + c] = alpha;
        if beta == 0.0 {
            // Nothing to reflect (a zero column): R's row c is what the columns hold.
            for j in c + 1..k {
                r.data[c * k + j] = tail[(j - c - 1) * n + c];
            }
            continue;
        }
        let u: &[f64] = x;
        for j in c + 1..k {
            let col = &mut tail[(j - c - 1) * n + c..(j - c) * n];
            let s = beta * dot(u, col);
            axpy(-s, u, col);
            r.data[c * k + j] = col[0];
        }
    }
    r
}

/// Singular values of the upper bidiagonal matrix with diagonal `d` and superdiagonal `e`
/// (`e[j]` couples j − 1 and j, `e[0]` ignored), in place into `d`, sorted descending.
/// Golub–Reinsch implicit-shift QR with Wilkinson-type shift and the standard splitting tests
/// (as in LINPACK/EISPACK `svd`), values only. Never panics; a block that fails to converge in 75
/// sweeps (not observed) keeps its current diagonal.
fn bidiagonal_values(d: &mut [f64], e: &mut [f64]) {
    let n = d.len();
    if n == 0 {
        return;
    }
    e[0] = 0.0;
    let anorm = d.iter().zip(e.iter()).fold(0.0f64, |m, (a, b)| m.max(a.abs() + b.abs()));
    let tiny = f64::EPSILON * anorm;
    for k in (0..n).rev() {
        for its in 0..75 {
            // Find l: the start of the unreduced block ending at k.
            let mut l = k;
            let mut cancel = true;
            loop {
                if l == 0 || e[l].abs() <= tiny {
                    cancel = false;
                    break;
                }
                if d[l - 1].abs() <= tiny {
                    break;
                }
                l -= 1;
            }
            if cancel {
                // d[l − 1] ≈ 0: chase e[l] out of the block by rotations from the left.
                let (mut c, mut s) = (0.0, 1.0);
                for i in l..=k {
                    let f = s * e[i];
                    e[i] *= c;
                    if f.abs() <= tiny {
                        break;
                    }
                    let g = d[i];
                    let h = f.hypot(g);
                    d[i] = h;
                    if h == 0.0 {
                        break;
                    }
                    c = g / h;
                    s = -f / h;
                }
            }
            let z = d[k];
            if l == k {
                d[k] = z.abs();
                break;
            }
            if its == 74 {
                break;
            }
            // Shift from the bottom 2×2 minor.
            let x = d[l];
            let y = d[k - 1];
            let g = e[k - 1];
            let h = e[k];
            if h == 0.0 {
                // The cancellation above can zero e[k]: the next pass splits at k.
                continue;
            }
            if x == 0.0 || y == 0.0 {
                // Unreachable by the splitting tests (d[l] and d[k−1] are above `tiny` here unless
                // the whole matrix is 0); dividing by it would make NaN, so keep what we have.
                break;
            }
            let mut f = ((y - z) * (y + z) + (g - h) * (g + h)) / (2.0 * h * y);
            let gg = f.hypot(1.0);
            f = ((x - z) * (x + z) + h * ((y / (f + gg.copysign(f))) - h)) / x;
            // QR sweep.
            let (mut c, mut s) = (1.0, 1.0);
            let mut x = x;
            for j in l..k {
                let i = j + 1;
                let mut g = e[i];
                let mut y = d[i];
                let mut h = s * g;
                g *= c;
                let mut z = f.hypot(h);
                e[j] = z;
                if z != 0.0 {
                    c = f / z;
                    s = h / z;
                }
                f = x * c + g * s;
                g = g * c - x * s;
                h = y * s;
                y *= c;
                z = f.hypot(h);
                d[j] = z;
                if z != 0.0 {
                    c = f / z;
                    s = h / z;
                }
                f = c * g + s * y;
                x = c * y - s * g;
            }
            e[l] = 0.0;
            e[k] = f;
            d[k] = x;
        }
    }
    for v in d.iter_mut() {
        *v = v.abs();
    }
    d.sort_by(|a, b| b.total_cmp(a));
}
