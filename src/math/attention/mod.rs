//! Attention and its linear alternatives (issue 15; wave2-spec §W2 mode `attention`, §W5 for the
//! 1/√d numbers; posts 7546, 8338, 8620).
//!
//! Every map here is a row-stochastic n×n matrix A with out = A·V: softmax (full rank, O(n²d)), and
//! five maps of the form A_ij ∝ φ(q_i)·ψ(k_j) with r features (rank ≤ r, O(n·r·d) through the
//! linear-attention product φ(Q)(ψ(K)ᵀV)). Scores are scaled by s (none, 1/√d or a number) by
//! giving every map the inputs q′ = sign(s)·√|s|·q and k′ = √|s|·k, so q′·k′ = s·q·k: the softmax
//! reference sees logits s·q·k and the Performer approximates exactly that softmax.
//!
//! Numerics. Softmax subtracts each row's maximum over its unmasked entries. Performer and
//! `expproj` subtract a per-query maximum from the query features and one global maximum from all
//! key features (both cancel in the row normalisation; a per-key shift would not). A row whose
//! weights still underflow (sum < 1e-250, so entries would be subnormal: scales ≳ 1e2 or a global
//! key maximum far above this row's keys) is recomputed from log-features by log-sum-exp, exactly.
//! 1 + cos rows vanish only when every visible key is antipodal to the query; such a row (sum at
//! roundoff level) becomes uniform over its visible keys. No input makes NaN.
//!
//! Dependencies, for caching ([`Cache`] implements exactly this):
//! - inputs Q, K, V: preset (seed or literal), n, d — rows nested in n, entries nested in d;
//! - features ω: preset, m, d — rows nested in m;
//! - softmax reference (matrix, outputs, singular values, entropy): inputs, scale, causal, window;
//! - chosen map: inputs, map, scale, causal, window, and ω (so m) for performer / expproj only;
//! - relative error: both of the above; entropy-vs-n curve ([`entropy_curve`]): everything but n;
//!   error-vs-m curve ([`error_curve`]): inputs, scale, mask — not map, not m;
//! - the W5 numbers ([`logits`]): their own (n, d, s, seed), nothing of the lab's matrices;
//! - the RNN readout ([`rnn_max_difference`]): inputs, map, scale, window, ω.
//!
//! Cost at n = 256, d = 64, m = 256 (multiply-adds): a softmax matrix n²d = 4.2M, a Performer
//! matrix n²m + 2nmd = 25M, A·V n²d, and the singular values of a dense n×n matrix 4n³/3 = 22M
//! each (low-rank unmasked maps: O(n·r²) through their factors). The singular values are therefore
//! resumable ([`SvJob`], [`Cache::step`]): a frame can draw the matrices first and finish the
//! spectra in later frames.
use crate::math::rng::Rng;

pub mod logits;
pub mod svd;

pub use svd::{singular_values, singular_values_of_product, SvJob};

/// Largest number of tokens (the range is 4…256; smaller n is accepted).
pub const N_MAX: usize = 256;
/// Largest key size.
pub const D_MAX: usize = 64;
/// Largest feature dimension (performer, expproj).
pub const M_MAX: usize = 512;
/// Largest |scale|: beyond it the scores would overflow for nothing a slider needs.
pub const SCALE_MAX: f64 = 1e6;
/// Rows whose weights sum below this are recomputed in log space (their entries would be subnormal).
const UNDERFLOW: f64 = 1e-250;

/// A dense row-major matrix (rows of A are what the lab reads: first rows, entropies, hover).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mat {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

impl Mat {
    /// The rows×cols zero matrix.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Mat { rows, cols, data: vec![0.0; rows * cols] }
    }

    /// Entry (i, j) = f(i, j).
    pub fn from_fn(rows: usize, cols: usize, mut f: impl FnMut(usize, usize) -> f64) -> Self {
        let mut data = Vec::with_capacity(rows * cols);
        for i in 0..rows {
            for j in 0..cols {
                data.push(f(i, j));
            }
        }
        Mat { rows, cols, data }
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Row i (empty if out of range).
    pub fn row(&self, i: usize) -> &[f64] {
        if i >= self.rows {
            return &[];
        }
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    fn row_mut(&mut self, i: usize) -> &mut [f64] {
        &mut self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Entry (i, j), if in range.
    pub fn get(&self, i: usize, j: usize) -> Option<f64> {
        (i < self.rows && j < self.cols).then(|| self.data[i * self.cols + j])
    }

    /// All entries, row by row.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// The same matrix as nalgebra's (column-major) type.
    pub fn to_dmatrix(&self) -> nalgebra::DMatrix<f64> {
        nalgebra::DMatrix::from_row_slice(self.rows, self.cols, &self.data)
    }

    /// Frobenius norm.
    pub fn frobenius(&self) -> f64 {
        self.data.iter().map(|x| x * x).sum::<f64>().sqrt()
    }

    /// self·b, or None if the inner dimensions differ.
    pub fn matmul(&self, b: &Mat) -> Option<Mat> {
        (self.cols == b.rows).then(|| gemm_nt(self, &b.transpose()))
    }

    /// self·bᵀ (entry (i, j) = row i of self · row j of b), or None if the column counts differ.
    pub fn mul_transpose(&self, b: &Mat) -> Option<Mat> {
        (self.cols == b.cols).then(|| gemm_nt(self, b))
    }

    /// The transpose.
    pub fn transpose(&self) -> Mat {
        let mut t = Mat::zeros(self.cols, self.rows);
        for i in 0..self.rows {
            for j in 0..self.cols {
                t.data[j * self.rows + i] = self.data[i * self.cols + j];
            }
        }
        t
    }
}

/// C = A·Bᵀ for row-major A (n×k) and B (m×k), k equal (checked by the callers). C is built from
/// 4×4 blocks: four rows of A and four of B are first packed t-major ([`Panel`]), so that each step
/// of the inner loop reads one panel entry of each and does 16 independent multiply-adds in named
/// accumulators. Why packed and named: at the release profile's opt-level "s" LLVM neither
/// unrolls nor vectorises, so a block kept in an array lives in memory (it ran at 0.25 G
/// multiply-adds/s); with simd128 on wasm the B panel holds two f64x2 lanes. Every entry is the
/// sum over t in order, one rounding per step, whatever the target (no FMA): the same bits
/// natively and in the browser. Remainder rows and columns use plain dot products.
fn gemm_nt(a: &Mat, b: &Mat) -> Mat {
    let (n, m, k) = (a.rows, b.rows, a.cols.min(b.cols));
    let mut c = Mat::zeros(n, m);
    let (n4, m4) = (n - n % 4, m - m % 4);
    // Every B panel once (m·k entries), then one A panel at a time (k entries).
    let bp: Vec<Vec<panel::B>> = (0..m4).step_by(4).map(|j| panel::pack_b(b, j, k)).collect();
    let mut ap = Vec::with_capacity(k);
    for i in (0..n4).step_by(4) {
        panel::pack_a(a, i, k, &mut ap);
        for (jb, bpj) in bp.iter().enumerate() {
            let block = panel::block(&ap, bpj);
            for (r, acc_r) in block.iter().enumerate() {
                let at = (i + r) * m + 4 * jb;
                c.data[at..at + 4].copy_from_slice(acc_r);
            }
        }
        for j in m4..m {
            for r in 0..4 {
                c.data[(i + r) * m + j] = svd::dot(&a.row(i + r)[..k], b.row(j));
            }
        }
    }
    for i in n4..n {
        for j in 0..m {
            c.data[i * m + j] = svd::dot(&a.row(i)[..k], b.row(j));
        }
    }
    c
}

/// The 4×4 micro-kernel of [`gemm_nt`] and its packed operands: scalar, and wasm simd128.
mod panel {
    use super::Mat;

    /// One step t of an A panel: a_{i..i+4, t}.
    pub type A = [f64; 4];

    /// One step t of a B panel: b_{j..j+4, t}.
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    pub type B = [f64; 4];
    /// One step t of a B panel: b_{j..j+4, t} as two f64x2 lanes.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    pub type B = [core::arch::wasm32::v128; 2];

    /// Entries t = 0..k of rows i..i+4 of `m`, one [r₀, r₁, r₂, r₃] per t.
    fn rows4(m: &Mat, i: usize, k: usize) -> impl Iterator<Item = [f64; 4]> + '_ {
        let r = [&m.row(i)[..k], &m.row(i + 1)[..k], &m.row(i + 2)[..k], &m.row(i + 3)[..k]];
        (0..k).map(move |t| [r[0][t], r[1][t], r[2][t], r[3][t]])
    }

    /// Rows i..i+4 of `a`, t-major, into `out` (cleared first).
    pub fn pack_a(a: &Mat, i: usize, k: usize, out: &mut Vec<A>) {
        out.clear();
        out.extend(rows4(a, i, k));
    }

    /// Rows j..j+4 of `b`, t-major.
    pub fn pack_b(b: &Mat, j: usize, k: usize) -> Vec<B> {
        rows4(b, j, k).map(to_b).collect()
    }

    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    fn to_b(x: [f64; 4]) -> B {
        x
    }

    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    fn to_b(x: [f64; 4]) -> B {
        use core::arch::wasm32::f64x2;
        [f64x2(x[0], x[1]), f64x2(x[2], x[3])]
    }

    /// c_rq = Σ_t a_rt·b_qt over the panels, t in order.
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    pub fn block(a: &[A], b: &[B]) -> [[f64; 4]; 4] {
        let (mut c00, mut c01, mut c02, mut c03) = (0.0, 0.0, 0.0, 0.0);
        let (mut c10, mut c11, mut c12, mut c13) = (0.0, 0.0, 0.0, 0.0);
        let (mut c20, mut c21, mut c22, mut c23) = (0.0, 0.0, 0.0, 0.0);
        let (mut c30, mut c31, mut c32, mut c33) = (0.0, 0.0, 0.0, 0.0);
        for (x, y) in a.iter().zip(b) {
            c00 += x[0] * y[0];
            c01 += x[0] * y[1];
            c02 += x[0] * y[2];
            c03 += x[0] * y[3];
            c10 += x[1] * y[0];
            c11 += x[1] * y[1];
            c12 += x[1] * y[2];
            c13 += x[1] * y[3];
            c20 += x[2] * y[0];
            c21 += x[2] * y[1];
            c22 += x[2] * y[2];
            c23 += x[2] * y[3];
            c30 += x[3] * y[0];
            c31 += x[3] * y[1];
            c32 += x[3] * y[2];
            c33 += x[3] * y[3];
        }
        [[c00, c01, c02, c03], [c10, c11, c12, c13], [c20, c21, c22, c23], [c30, c31, c32, c33]]
    }

    /// c_rq = Σ_t a_rt·b_qt over the panels, t in order: f64x2 multiplies and adds, lane by lane
    /// the scalar kernel's roundings.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    pub fn block(a: &[A], b: &[B]) -> [[f64; 4]; 4] {
        use core::arch::wasm32::{f64x2_add, f64x2_extract_lane, f64x2_mul, f64x2_splat};
        let z = f64x2_splat(0.0);
        let (mut c0l, mut c0h, mut c1l, mut c1h) = (z, z, z, z);
        let (mut c2l, mut c2h, mut c3l, mut c3h) = (z, z, z, z);
        for (x, y) in a.iter().zip(b) {
            let (yl, yh) = (y[0], y[1]);
            let x0 = f64x2_splat(x[0]);
            c0l = f64x2_add(c0l, f64x2_mul(x0, yl));
            c0h = f64x2_add(c0h, f64x2_mul(x0, yh));
            let x1 = f64x2_splat(x[1]);
            c1l = f64x2_add(c1l, f64x2_mul(x1, yl));
            c1h = f64x2_add(c1h, f64x2_mul(x1, yh));
            let x2 = f64x2_splat(x[2]);
            c2l = f64x2_add(c2l, f64x2_mul(x2, yl));
            c2h = f64x2_add(c2h, f64x2_mul(x2, yh));
            let x3 = f64x2_splat(x[3]);
            c3l = f64x2_add(c3l, f64x2_mul(x3, yl));
            c3h = f64x2_add(c3h, f64x2_mul(x3, yh));
        }
        let row = |l, h| [f64x2_extract_lane::<0>(l), f64x2_extract_lane::<1>(l), f64x2_extract_lane::<0>(h), f64x2_extract_lane::<1>(h)];
        [row(c0l, c0h), row(c1l, c1h), row(c2l, c2h), row(c3l, c3h)]
    }
}

/// Why a computation was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttnError {
    /// `dual` cannot be causally masked: its softmax over n of K looks at the future.
    DualCausal,
    /// The causal RNN form needs a finite feature map (not softmax, not dual).
    NoRecurrence,
    /// The scale is NaN or infinite.
    NonFiniteScale,
}

impl std::fmt::Display for AttnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AttnError::DualCausal => "dual softmax cannot be causally masked (its softmax over tokens sees the future)",
            AttnError::NoRecurrence => "this map has no finite feature map, so no causal RNN form",
            AttnError::NonFiniteScale => "the scale must be a finite number",
        })
    }
}

/// The attention maps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Map {
    /// softmax(s·QKᵀ) row by row (max-shifted).
    Softmax,
    /// Linear attention with φ(x) = elu(x) + 1 (= 1 + x for x > 0, eˣ else).
    Elu1,
    /// The post's own: sim = 1 + q̂·k̂ with ℓ₂-normalised q, k (features [1, x̂], rank ≤ d + 1).
    Cos1,
    /// "Efficient attention": softmax over d of Q times (softmax over n of K)ᵀ; rows sum to 1 by
    /// construction; cannot be causally masked.
    Dual,
    /// Performer positive random features φ(x)_r = exp(ω_r·x − ‖x‖²/2)/√m, ω_r ~ N(0, I_d).
    Performer,
    /// The post's "projection + eˣ": φ(x)_r = exp(ω_r·x), the Performer without the ‖x‖²/2 term
    /// (which cancels for queries and is roughly constant for keys).
    ExpProj,
}

impl Map {
    /// Every map, in the order of the issue.
    pub const ALL: [Map; 6] = [Map::Softmax, Map::Elu1, Map::Cos1, Map::Dual, Map::Performer, Map::ExpProj];

    /// The URL value.
    pub fn slug(self) -> &'static str {
        match self {
            Map::Softmax => "softmax",
            Map::Elu1 => "elu1",
            Map::Cos1 => "cos1",
            Map::Dual => "dual",
            Map::Performer => "performer",
            Map::ExpProj => "expproj",
        }
    }

    /// The map with this URL value.
    pub fn from_slug(s: &str) -> Option<Map> {
        Map::ALL.into_iter().find(|m| m.slug() == s)
    }

    /// Whether the map uses the random features ω (and so the parameter m).
    pub fn uses_features(self) -> bool {
        matches!(self, Map::Performer | Map::ExpProj)
    }

    /// Feature dimension r (A = φ(Q)ψ(K)ᵀ up to row scaling), or None for softmax.
    pub fn feature_dim(self, d: usize, m: usize) -> Option<usize> {
        match self {
            Map::Softmax => None,
            Map::Elu1 | Map::Dual => Some(d),
            Map::Cos1 => Some(d + 1),
            Map::Performer | Map::ExpProj => Some(m),
        }
    }
}

/// The logit scale.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scale {
    /// s = 1 (the post's softmax(QKᵀ)).
    None,
    /// s = 1/√d (the Transformer's).
    InvSqrtD,
    /// A given s.
    Value(f64),
}

impl Scale {
    /// The factor s for key size d; |s| is clamped to [`SCALE_MAX`], NaN and ∞ are refused.
    pub fn factor(self, d: usize) -> Result<f64, AttnError> {
        match self {
            Scale::None => Ok(1.0),
            Scale::InvSqrtD => Ok(1.0 / (d.max(1) as f64).sqrt()),
            Scale::Value(s) if s.is_finite() => Ok(s.clamp(-SCALE_MAX, SCALE_MAX)),
            Scale::Value(_) => Err(AttnError::NonFiniteScale),
        }
    }
}

/// Which keys each query may see.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Mask {
    /// Only keys j ≤ i.
    pub causal: bool,
    /// Local truncation: only keys with |i − j| < window (0 = off; causal: the last `window` keys
    /// including i itself). window ≥ n is the same as off.
    pub window: usize,
}

impl Mask {
    /// No mask.
    pub const NONE: Mask = Mask { causal: false, window: 0 };

    /// Whether query i sees key j.
    pub fn allows(self, i: usize, j: usize) -> bool {
        !(self.causal && j > i) && (self.window == 0 || i.abs_diff(j) < self.window)
    }

    /// Whether nothing is masked for n tokens.
    pub fn is_none(self, n: usize) -> bool {
        !self.causal && (self.window == 0 || self.window >= n)
    }

    /// The visible keys of query i among n, as a range.
    fn range(self, i: usize, n: usize) -> std::ops::Range<usize> {
        let hi = if self.causal {
            i + 1
        } else if self.window > 0 {
            (i + self.window).min(n)
        } else {
            n
        };
        let lo = if self.window > 0 { (i + 1).saturating_sub(self.window) } else { 0 };
        lo..hi.min(n)
    }
}

/// Where Q, K, V (and the Performer's ω) come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Preset {
    /// Entries N(0, 1) from the seeded stream; ω too (fresh per seed).
    Seeded(u64),
    /// The closed forms Q_il = sin(1.3i + 0.7l + 0.1), K_il = cos(0.9i − 0.4l + 0.2),
    /// V_il = sin(0.5·i·l + 0.3) (i, l from 1), and the deterministic ω of [`omega`].
    Literal,
}

/// Queries, keys and values, each n×d.
#[derive(Clone, Debug, PartialEq)]
pub struct Qkv {
    /// Queries, one row per token.
    pub q: Mat,
    /// Keys.
    pub k: Mat,
    /// Values.
    pub v: Mat,
}

/// Sub-stream ids: kind in the high half, row index in the low half, so that every row is its own
/// stream (rows nested in n, entries nested in d).
fn stream(seed: u64, kind: u64, row: usize) -> Rng {
    Rng::stream(seed, (kind << 32) | row as u64)
}

impl Qkv {
    /// The inputs for n tokens of key size d (n clamped to 1…[`N_MAX`], d to 1…[`D_MAX`]).
    pub fn new(preset: Preset, n: usize, d: usize) -> Self {
        let (n, d) = (n.clamp(1, N_MAX), d.clamp(1, D_MAX));
        match preset {
            Preset::Literal => {
                // The same operation order as the reference script: (a·i + b·l) + c.
                let f = |a: f64, b: f64, c: f64, g: fn(f64) -> f64| {
                    Mat::from_fn(n, d, move |i, l| g(a * (i + 1) as f64 + b * (l + 1) as f64 + c))
                };
                Qkv {
                    q: f(1.3, 0.7, 0.1, f64::sin),
                    k: f(0.9, -0.4, 0.2, f64::cos),
                    v: Mat::from_fn(n, d, |i, l| (0.5 * (i + 1) as f64 * (l + 1) as f64 + 0.3).sin()),
                }
            }
            Preset::Seeded(seed) => {
                let draw = |kind: u64| {
                    let mut m = Mat::zeros(n, d);
                    for i in 0..n {
                        let mut r = stream(seed, kind, i);
                        m.row_mut(i).iter_mut().for_each(|x| *x = r.normal());
                    }
                    m
                };
                Qkv { q: draw(1), k: draw(2), v: draw(3) }
            }
        }
    }

    /// Number of tokens.
    pub fn n(&self) -> usize {
        self.q.rows()
    }

    /// Key size.
    pub fn d(&self) -> usize {
        self.q.cols()
    }

    /// The first n tokens (n clamped to what there is).
    pub fn prefix(&self, n: usize) -> Qkv {
        let n = n.clamp(1, self.n());
        let cut = |m: &Mat| Mat { rows: n, cols: m.cols, data: m.data[..n * m.cols].to_vec() };
        Qkv { q: cut(&self.q), k: cut(&self.k), v: cut(&self.v) }
    }
}

/// The golden ratio's fractional part, the step of the Weyl sequence behind the literal ω.
pub const WEYL: f64 = 0.618_033_988_749_894_9;

/// Standard normal quantile Φ⁻¹(p) (Wichura's AS 241, ~1e-16 relative); ±∞ at 0 and 1, NaN outside.
pub fn norm_quantile(p: f64) -> f64 {
    logits::norm_quantile(p)
}

/// The Performer's ω, m×d (m clamped to 1…[`M_MAX`], d to 1…[`D_MAX`]).
///
/// Seeded: N(0, 1) entries, row r from its own stream (rows nested in m, entries nested in d).
/// Literal: ω_rl = Φ⁻¹(frac((64r + l + 1)·0.6180339887498949)) (0-based r, l): a deterministic,
/// RNG-free construction, so the reference script rebuilds the very same features and checks the
/// Performer to 1e-9 (frac and the product are exact in IEEE arithmetic, Φ⁻¹ agrees with scipy's
/// `ndtri` to an ulp). It is equidistributed, not random: use it for checks, not for statistics.
pub fn omega(preset: Preset, m: usize, d: usize) -> Mat {
    let (m, d) = (m.clamp(1, M_MAX), d.clamp(1, D_MAX));
    match preset {
        Preset::Seeded(seed) => {
            let mut w = Mat::zeros(m, d);
            for r in 0..m {
                let mut g = stream(seed, 4, r);
                w.row_mut(r).iter_mut().for_each(|x| *x = g.normal());
            }
            w
        }
        Preset::Literal => Mat::from_fn(m, d, |r, l| {
            let x = (D_MAX * r + l + 1) as f64 * WEYL;
            norm_quantile(x - x.floor())
        }),
    }
}

/// ω with exactly d columns (leading columns, zero padding) and at least one row.
fn fit_omega(omega: &Mat, d: usize) -> Mat {
    Mat::from_fn(omega.rows().max(1), d, |r, l| omega.get(r, l).unwrap_or(0.0))
}

/// q′ = sign(s)√|s|·q and k′ = √|s|·k.
fn scaled(qkv: &Qkv, s: f64) -> (Mat, Mat) {
    let r = s.abs().sqrt();
    let rq = if s < 0.0 { -r } else { r };
    let mut q = qkv.q.clone();
    let mut k = qkv.k.clone();
    if s != 1.0 {
        q.data.iter_mut().for_each(|x| *x *= rq);
        k.data.iter_mut().for_each(|x| *x *= r);
    }
    (q, k)
}

/// ln Σ exp over a slice (−∞ for an empty one).
fn log_sum_exp(x: impl Iterator<Item = f64> + Clone) -> f64 {
    let m = x.clone().fold(f64::NEG_INFINITY, f64::max);
    if !m.is_finite() {
        return m;
    }
    m + x.map(|v| (v - m).exp()).sum::<f64>().ln()
}

/// Feature matrices of a map: A_ij ∝ φ_i·ψ_j. `log` holds log-features for the exact fallback
/// (None for cos1, whose features can be negative).
struct Factors {
    phi: Mat,
    psi: Mat,
    log: Option<(Mat, Mat)>,
}

/// φ = elu + 1.
fn elu1(x: f64) -> f64 {
    if x > 0.0 {
        x + 1.0
    } else {
        x.exp()
    }
}

/// ln(elu(x) + 1).
fn ln_elu1(x: f64) -> f64 {
    if x > 0.0 {
        x.ln_1p()
    } else {
        x
    }
}

/// The features of a non-softmax map for the scaled inputs.
fn factors(map: Map, q: &Mat, k: &Mat, omega: &Mat) -> Factors {
    let (n, d) = (q.rows(), q.cols());
    let map_all = |m: &Mat, f: fn(f64) -> f64| Mat { rows: m.rows, cols: m.cols, data: m.data.iter().map(|&x| f(x)).collect() };
    match map {
        // Log-features only on demand ([`log_factors`]): they serve the rare underflow rows.
        Map::Elu1 => Factors { phi: map_all(q, elu1), psi: map_all(k, elu1), log: None },
        Map::Cos1 => {
            let unit = |m: &Mat| {
                let mut f = Mat::zeros(m.rows, d + 1);
                for i in 0..m.rows {
                    let x = m.row(i);
                    // ‖x‖ by scaling with the largest entry: no overflow or underflow for any scale.
                    let big = x.iter().fold(0.0f64, |a, v| a.max(v.abs()));
                    let norm = if big > 0.0 { big * x.iter().map(|v| (v / big) * (v / big)).sum::<f64>().sqrt() } else { 0.0 };
                    let o = f.row_mut(i);
                    o[0] = 1.0;
                    if norm > 0.0 {
                        o[1..].iter_mut().zip(x).for_each(|(o, v)| *o = v / norm);
                    }
                }
                f
            };
            Factors { phi: unit(q), psi: unit(k), log: None }
        }
        Map::Dual => {
            // Log-softmax over d for each query; over n (columns) for the keys.
            let mut lq = Mat::zeros(n, d);
            for i in 0..n {
                let x = q.row(i);
                let l = log_sum_exp(x.iter().copied());
                lq.row_mut(i).iter_mut().zip(x).for_each(|(o, v)| *o = v - l);
            }
            let mut lk = Mat::zeros(n, d);
            for c in 0..d {
                let l = log_sum_exp((0..n).map(|j| k.data[j * d + c]));
                for j in 0..n {
                    lk.data[j * d + c] = k.data[j * d + c] - l;
                }
            }
            Factors { phi: map_all(&lq, f64::exp), psi: map_all(&lk, f64::exp), log: Some((lq, lk)) }
        }
        // Softmax never comes here (it has no finite features); it shares the exp-projection arm
        // only to keep the match total.
        Map::Performer | Map::ExpProj | Map::Softmax => {
            let (mut phi, mut psi) = projections(map, q, k, omega);
            // Per-query shift for φ(q); one global shift for all of ψ(k). In place: these are
            // the largest temporaries of a slider event.
            for i in 0..n {
                let row = phi.row_mut(i);
                let mx = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                row.iter_mut().for_each(|v| *v = (*v - mx).exp());
            }
            let gmax = psi.data.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            psi.data.iter_mut().for_each(|v| *v = (*v - gmax).exp());
            Factors { phi, psi, log: None }
        }
    }
}

/// a_ir = ω_r·q_i and b_jr = ω_r·k_j, less ‖x‖²/2 for the Performer (the 1/√m cancels in every
/// row): the log-features of performer and expproj.
fn projections(map: Map, q: &Mat, k: &Mat, omega: &Mat) -> (Mat, Mat) {
    let proj = |x: &Mat| {
        let mut a = x.mul_transpose(omega).unwrap_or_else(|| Mat::zeros(x.rows(), omega.rows()));
        if map == Map::Performer {
            for i in 0..x.rows() {
                let h = 0.5 * svd::dot(x.row(i), x.row(i));
                a.row_mut(i).iter_mut().for_each(|v| *v -= h);
            }
        }
        a
    };
    (proj(q), proj(k))
}

/// Unshifted log-features (ln φ, ln ψ) of the maps whose features are positive: the exact
/// fallback for rows whose weights underflow, and the running-maximum recurrence. None for cos1.
fn log_factors(map: Map, q: &Mat, k: &Mat, omega: &Mat, f: &Factors) -> Option<(Mat, Mat)> {
    let map_all = |m: &Mat, g: fn(f64) -> f64| Mat { rows: m.rows, cols: m.cols, data: m.data.iter().map(|&x| g(x)).collect() };
    match map {
        Map::Elu1 => Some((map_all(q, ln_elu1), map_all(k, ln_elu1))),
        Map::Cos1 => None,
        Map::Dual => f.log.clone(),
        Map::Performer | Map::ExpProj | Map::Softmax => Some(projections(map, q, k, omega)),
    }
}

/// An attention matrix with what is known about its structure.
#[derive(Clone, Debug, PartialEq)]
pub struct Attention {
    /// The n×n row-stochastic matrix.
    pub a: Mat,
    /// A = diag(1/rowsum)·φ·ψᵀ exactly (no mask, no fallback row): the singular values can then be
    /// computed from the factors in O(n r²).
    factors: Option<(Mat, Mat)>,
    /// Rows recomputed in log space or made uniform (see the module notes).
    pub guarded_rows: usize,
}

impl Attention {
    /// Singular values of A, descending: from the factors when A = LRᵀ with r < n (the structural
    /// zeros come out as exact 0), else by the dense reduction.
    pub fn singular_values(&self) -> Vec<f64> {
        match &self.factors {
            Some((l, r)) if l.cols() < l.rows() => singular_values_of_product(l, r),
            _ => singular_values(&self.a),
        }
    }

    /// A resumable job for the same values (the dense route only; factors finish in one step).
    pub fn sv_job(&self) -> SvJob {
        match &self.factors {
            // The r×r problem is small: hand back a finished job.
            Some((l, r)) if l.cols() < l.rows() => SvJob::finished(singular_values_of_product(l, r)),
            _ => SvJob::new(&self.a),
        }
    }
}

/// The attention matrix of `map` (with features `omega` for performer / expproj; ignored
/// otherwise). Refuses dual + causal and a non-finite scale.
pub fn attention(qkv: &Qkv, map: Map, scale: Scale, mask: Mask, omega: &Mat) -> Result<Attention, AttnError> {
    let (n, d) = (qkv.n(), qkv.d());
    let s = scale.factor(d)?;
    if map == Map::Dual && mask.causal {
        return Err(AttnError::DualCausal);
    }
    if map == Map::Softmax {
        let mut a = gemm_nt(&qkv.q, &qkv.k);
        for i in 0..n {
            let range = mask.range(i, n);
            let row = &mut a.data[i * n..(i + 1) * n];
            row[..range.start].iter_mut().for_each(|v| *v = 0.0);
            row[range.end..].iter_mut().for_each(|v| *v = 0.0);
            let row = &mut row[range];
            let mx = row.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(s * v));
            let mut sum = 0.0;
            for v in row.iter_mut() {
                *v = (s * *v - mx).exp();
                sum += *v;
            }
            // The maximum contributes exp(0) = 1, so sum ≥ 1.
            row.iter_mut().for_each(|v| *v /= sum);
        }
        return Ok(Attention { a, factors: None, guarded_rows: 0 });
    }
    let (q, k) = scaled(qkv, s);
    let fitted;
    let omega = if map.uses_features() && omega.cols() != d {
        // ω must match d: take the leading columns (ω is nested in d) or pad with zeros.
        fitted = fit_omega(omega, d);
        &fitted
    } else {
        omega
    };
    let f = factors(map, &q, &k, omega);
    let mut guarded = 0;
    let mut sums = vec![0.0; n];
    let mut logs = None;
    let mut a = gemm_nt(&f.phi, &f.psi);
    for (i, row_sum) in sums.iter_mut().enumerate() {
        let range = mask.range(i, n);
        let row = &mut a.data[i * n..(i + 1) * n];
        row[..range.start].iter_mut().for_each(|v| *v = 0.0);
        row[range.end..].iter_mut().for_each(|v| *v = 0.0);
        let mut sum = 0.0;
        for w in &mut row[range.clone()] {
            // 1 + q̂·k̂ can come out as −1e-17 for antipodal vectors.
            if *w < 0.0 {
                *w = 0.0;
            }
            sum += *w;
        }
        *row_sum = sum;
        let ok = match map {
            // Roundoff level of a sum of 1 + cos terms: below it the row has no direction.
            Map::Cos1 => sum > 4.0 * f64::EPSILON * range.len() as f64,
            _ => sum >= UNDERFLOW && sum.is_finite(),
        };
        if ok {
            row[range].iter_mut().for_each(|v| *v /= sum);
            continue;
        }
        guarded += 1;
        match logs.get_or_insert_with(|| log_factors(map, &q, &k, omega, &f)) {
            Some((la, lb)) => {
                // w_ij = Σ_r exp(la_ir + lb_jr), exactly, shifted by the row's largest log-weight.
                let lai = la.row(i);
                for j in range.clone() {
                    let lbj = lb.row(j);
                    row[j] = log_sum_exp(lai.iter().zip(lbj).map(|(x, y)| x + y));
                }
                let mx = row[range.clone()].iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let mut sum = 0.0;
                for v in &mut row[range.clone()] {
                    *v = if mx.is_finite() { (*v - mx).exp() } else { 1.0 };
                    sum += *v;
                }
                row[range].iter_mut().for_each(|v| *v /= sum);
            }
            None => {
                let u = 1.0 / range.len().max(1) as f64;
                row[range].iter_mut().for_each(|v| *v = u);
            }
        }
    }
    let factors = (guarded == 0 && mask.is_none(n)).then(|| {
        let mut l = f.phi;
        for (i, s) in sums.iter().enumerate() {
            l.row_mut(i).iter_mut().for_each(|v| *v /= s);
        }
        (l, f.psi)
    });
    Ok(Attention { a, factors, guarded_rows: guarded })
}

/// The outputs A·V (n×d; a zero matrix of the right size if the shapes disagree).
pub fn outputs(a: &Mat, v: &Mat) -> Mat {
    a.matmul(v).unwrap_or_else(|| Mat::zeros(a.rows(), v.cols()))
}

/// NumPy's default rank tolerance for an rows×cols matrix: σ_max·max(rows, cols)·ε.
pub fn rank_tolerance(sv: &[f64], rows: usize, cols: usize) -> f64 {
    let smax = sv.iter().copied().fold(0.0f64, f64::max);
    smax * rows.max(cols) as f64 * f64::EPSILON
}

/// Numerical rank of an n×n matrix from its singular values: #{σ > σ_max·n·ε} (NumPy's
/// `matrix_rank` default).
pub fn numerical_rank(sv: &[f64], n: usize) -> usize {
    let tol = rank_tolerance(sv, n, n);
    sv.iter().filter(|&&s| s > tol).count()
}

/// The rank bound drawn with the spectrum: n for softmax and for any mask (a causal matrix with a
/// positive diagonal is full rank, a band of a low-rank matrix generically is), else min(r, n)
/// with r = d (elu1, dual), d + 1 (cos1) or m (performer, expproj).
pub fn rank_bound(map: Map, n: usize, d: usize, m: usize, mask: Mask) -> usize {
    if !mask.is_none(n) {
        return n;
    }
    map.feature_dim(d, m).map_or(n, |r| r.min(n))
}

/// Entropy −Σ p ln p (natural log, 0 ln 0 = 0) of one row.
pub fn entropy(p: &[f64]) -> f64 {
    -p.iter().filter(|&&x| x > 0.0).map(|&x| x * x.ln()).sum::<f64>()
}

/// Mean over rows of the row entropy.
pub fn mean_row_entropy(a: &Mat) -> f64 {
    mean_over_rows(a, entropy)
}

/// Mean over rows of the row maximum (`max_p_mean`).
pub fn max_p_mean(a: &Mat) -> f64 {
    mean_over_rows(a, |p| p.iter().copied().fold(0.0, f64::max))
}

/// Mean over rows of 1 − Σ_j p_j², the size of the softmax Jacobian (½Σ|∂p_i/∂x_j| = 1 − Σp²):
/// the gradient factor of the 1/√d story.
pub fn gradient_factor_mean(a: &Mat) -> f64 {
    mean_over_rows(a, |p| 1.0 - p.iter().map(|x| x * x).sum::<f64>())
}

fn mean_over_rows(a: &Mat, f: impl Fn(&[f64]) -> f64) -> f64 {
    if a.rows() == 0 {
        return 0.0;
    }
    (0..a.rows()).map(|i| f(a.row(i))).sum::<f64>() / a.rows() as f64
}

/// ‖out − reference‖_F / ‖reference‖_F (the absolute error if the reference is 0).
pub fn rel_error(out: &Mat, reference: &Mat) -> f64 {
    let num = out.data.iter().zip(&reference.data).map(|(a, b)| (a - b) * (a - b)).sum::<f64>().sqrt();
    let den = reference.frobenius();
    if den > 0.0 {
        num / den
    } else {
        num
    }
}

/// Multiply-adds of the two ways to compute attention.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flops {
    /// Forming QKᵀ: n²·d (and as much again for A·V).
    pub quadratic: u64,
    /// The linear form φ(Q)(ψ(K)ᵀV): n·d·r with r features (r = m for performer and expproj).
    pub linear: u64,
}

/// The flop readout n²d against n·d·r (r = m for performer / expproj, d or d + 1 for the others,
/// and m for softmax itself, the Performer that would replace it).
pub fn flops(map: Map, n: usize, d: usize, m: usize) -> Flops {
    let r = map.feature_dim(d, m).unwrap_or(m) as u64;
    let (n, d) = (n as u64, d as u64);
    Flops { quadratic: n * n * d, linear: n * d * r }
}

/// Causal outputs by the RNN form S_i = S_{i−1} + ψ(k_i)v_iᵀ, z_i = z_{i−1} + ψ(k_i),
/// out_i = φ(q_i)ᵀS_i / φ(q_i)ᵀz_i (elu1, cos1, performer, expproj). Exponential features keep a
/// running key maximum (S and z are rescaled when it grows), so the recurrence never looks ahead.
///
/// With a window the key that leaves is subtracted again. Subtraction is where a sliding-window
/// recurrence loses digits (exp features span many orders of magnitude: plain sums lose ~1e-5
/// here), so that case subtracts exactly the floating-point products it added, in compensated
/// (Neumaier) sums, and exp features use the one global key shift of [`attention`] (a constant, it
/// cancels; rescaling by a running maximum would make the added and the removed terms differ).
/// A row with a vanishing denominator becomes the mean of its visible values, as in [`attention`]
/// for 1 + cos. Cost O(n·r·d).
pub fn causal_rnn(qkv: &Qkv, map: Map, scale: Scale, window: usize, omega: &Mat) -> Result<Mat, AttnError> {
    let (n, d) = (qkv.n(), qkv.d());
    let s = scale.factor(d)?;
    if matches!(map, Map::Softmax | Map::Dual) {
        return Err(AttnError::NoRecurrence);
    }
    let (q, k) = scaled(qkv, s);
    let omega = fit_omega(omega, d);
    let f = factors(map, &q, &k, &omega);
    let r = f.phi.cols();
    let windowed = window > 0 && window < n;
    let running_max = matches!(map, Map::Performer | Map::ExpProj) && !windowed;
    let logs = if running_max { log_factors(map, &q, &k, &omega, &f) } else { None };
    let mut st = vec![0.0; r * d];
    let mut z = vec![0.0; r];
    // Compensations of the windowed sums.
    let mut stc = vec![0.0; if windowed { r * d } else { 0 }];
    let mut zc = vec![0.0; if windowed { r } else { 0 }];
    // Σ|ψ_t| added to each feature's window sum since it was last rebuilt.
    let mut mass = vec![0.0; if windowed { r } else { 0 }];
    let mut shift = f64::NEG_INFINITY;
    let mut feat = vec![0.0; r];
    let mut out = Mat::zeros(n, d);
    let mut state = vec![0.0; r * d];
    let mut zsum = vec![0.0; r];
    for i in 0..n {
        if let (true, Some((_, lb))) = (running_max, &logs) {
            let row = lb.row(i);
            let mx = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if mx > shift {
                let c = if shift.is_finite() { (shift - mx).exp() } else { 0.0 };
                st.iter_mut().for_each(|v| *v *= c);
                z.iter_mut().for_each(|v| *v *= c);
                shift = mx;
            }
            feat.iter_mut().zip(row).for_each(|(o, b)| *o = (b - shift).exp());
        } else {
            feat.copy_from_slice(f.psi.row(i));
        }
        let vi = qkv.v.row(i);
        if windowed {
            accumulate(&mut st, &mut stc, &mut z, &mut zc, &feat, vi, 1.0);
            mass.iter_mut().zip(&feat).for_each(|(m, f)| *m += f.abs());
            if i >= window {
                let j = i - window;
                accumulate(&mut st, &mut stc, &mut z, &mut zc, f.psi.row(j), qkv.v.row(j), -1.0);
            }
            // The compensated sums keep an error of order ε²·(mass added since the last rebuild):
            // once a key far larger than the rest has left (Performer features span e^±100s), that
            // is no longer small against what remains, so rebuild that feature's sums from the
            // window.
            let lo = (i + 1).saturating_sub(window);
            for t in 0..r {
                let left = (z[t] + zc[t]).abs();
                if mass[t] > REBUILD_RATIO * left {
                    // Compensated here too: the rebuilt sum's rounding error would otherwise be
                    // exposed when its largest key leaves.
                    let (rows, comps) = (&mut st[t * d..(t + 1) * d], &mut stc[t * d..(t + 1) * d]);
                    rows.iter_mut().chain(comps.iter_mut()).for_each(|x| *x = 0.0);
                    (z[t], zc[t], mass[t]) = (0.0, 0.0, 0.0);
                    for j in lo..=i {
                        let fj = f.psi.row(j)[t];
                        accumulate(rows, comps, &mut z[t..=t], &mut zc[t..=t], &[fj], qkv.v.row(j), 1.0);
                        mass[t] += fj.abs();
                    }
                }
            }
            state.iter_mut().zip(st.iter().zip(&stc)).for_each(|(o, (a, b))| *o = a + b);
            zsum.iter_mut().zip(z.iter().zip(&zc)).for_each(|(o, (a, b))| *o = a + b);
        } else {
            for t in 0..r {
                z[t] += feat[t];
                svd::axpy(feat[t], vi, &mut st[t * d..(t + 1) * d]);
            }
            state.copy_from_slice(&st);
            zsum.copy_from_slice(&z);
        }
        let phi = f.phi.row(i);
        let den = svd::dot(phi, &zsum);
        let o = out.row_mut(i);
        let lo = if windowed { (i + 1).saturating_sub(window) } else { 0 };
        let ok = match map {
            Map::Cos1 => den > 4.0 * f64::EPSILON * (i + 1 - lo) as f64,
            _ => den > 0.0 && den.is_finite(),
        };
        if ok {
            for t in 0..r {
                svd::axpy(phi[t] / den, &state[t * d..(t + 1) * d], o);
            }
        } else {
            let u = 1.0 / (i + 1 - lo) as f64;
            for j in lo..=i {
                svd::axpy(u, qkv.v.row(j), o);
            }
        }
    }
    Ok(out)
}

/// A windowed feature sum is rebuilt once the mass that passed through it exceeds what remains
/// by this factor: the compensated error ε²·mass then stays below 2^-66 of the result.
const REBUILD_RATIO: f64 = (1u64 << 40) as f64;

/// S += sign·ψvᵀ, z += sign·ψ in compensated sums (sum, compensation): adding a term and later
/// subtracting the same floating-point term leaves an error of order ε·|result| + ε²·Σ|terms|.
fn accumulate(st: &mut [f64], stc: &mut [f64], z: &mut [f64], zc: &mut [f64], feat: &[f64], v: &[f64], sign: f64) {
    let d = v.len();
    for (t, &ft) in feat.iter().enumerate() {
        neumaier(&mut z[t], &mut zc[t], sign * ft);
        for (l, &vl) in v.iter().enumerate() {
            neumaier(&mut st[t * d + l], &mut stc[t * d + l], sign * (ft * vl));
        }
    }
}

/// One step of Neumaier's compensated summation.
#[inline]
fn neumaier(s: &mut f64, c: &mut f64, x: f64) {
    let t = *s + x;
    *c += if s.abs() >= x.abs() { (*s - t) + x } else { (x - t) + *s };
    *s = t;
}

/// max |RNN form − masked matrix form| over all outputs, for the causal mask with `window`.
pub fn rnn_max_difference(qkv: &Qkv, map: Map, scale: Scale, window: usize, omega: &Mat) -> Result<f64, AttnError> {
    let rnn = causal_rnn(qkv, map, scale, window, omega)?;
    let a = attention(qkv, map, scale, Mask { causal: true, window }, omega)?;
    let out = outputs(&a.a, &qkv.v);
    Ok(rnn.data.iter().zip(&out.data).fold(0.0f64, |m, (x, y)| m.max((x - y).abs())))
}

/// Performer's features of one vector without any shift, φ(x)_r = exp(ω_r·x − ‖x‖²/2)/√m, so that
/// E_ω[φ(q)·φ(k)] = e^{q·k} (W2-T4).
pub fn performer_features(x: &[f64], omega: &Mat) -> Vec<f64> {
    let m = omega.rows().max(1) as f64;
    let h = 0.5 * svd::dot(x, x);
    (0..omega.rows()).map(|r| (svd::dot(omega.row(r), x) - h).exp() / m.sqrt()).collect()
}

/// Per-feature variance of φ(q)_r φ(k)_r·m for ω ~ N(0, I): e^{2q·k}(e^{‖q+k‖²} − 1) (W2-T4).
pub fn performer_feature_variance(q: &[f64], k: &[f64]) -> f64 {
    let qk = svd::dot(q, k);
    let s2: f64 = q.iter().zip(k).map(|(a, b)| (a + b) * (a + b)).sum();
    (2.0 * qk).exp() * s2.exp_m1()
}

/// The log-spaced n of the entropy curve: 4, 8, …, up to `n_max` (≤ [`N_MAX`]), n_max included.
pub fn entropy_curve_ns(n_max: usize) -> Vec<usize> {
    let n_max = n_max.clamp(4, N_MAX);
    let mut v: Vec<usize> = std::iter::successors(Some(4usize), |&n| Some(n * 2)).take_while(|&n| n < n_max).collect();
    v.push(n_max);
    v
}

/// Mean row entropy of the chosen map and of softmax against n (the first n tokens of `qkv`):
/// (n, H_map, H_softmax) for each n in `ns`. Linear maps drift towards ln n (average pooling),
/// softmax does not. Refuses dual + causal like [`attention`]. Depends on everything but n; costs
/// the matrices of every n in `ns` (about 4/3 of those at the largest).
pub fn entropy_curve(
    qkv: &Qkv,
    map: Map,
    scale: Scale,
    mask: Mask,
    omega: &Mat,
    ns: &[usize],
) -> Result<Vec<(usize, f64, f64)>, AttnError> {
    ns.iter()
        .map(|&n| {
            let p = qkv.prefix(n);
            let soft = attention(&p, Map::Softmax, scale, mask, omega)?;
            let hs = mean_row_entropy(&soft.a);
            let hm = if map == Map::Softmax { hs } else { mean_row_entropy(&attention(&p, map, scale, mask, omega)?.a) };
            Ok((p.n(), hm, hs))
        })
        .collect()
}

/// The m of the error curve: 1, 2, 4, …, [`M_MAX`].
pub fn error_curve_ms() -> Vec<usize> {
    std::iter::successors(Some(1usize), |&m| Some(m * 2)).take_while(|&m| m <= M_MAX).collect()
}

/// Performer outputs for the features `omega` (m×d): without a mask by the linear form
/// φ(Q)(ψ(K)ᵀV) in O(n·m·d) (rows that underflow are redone exactly), with a mask through the
/// matrix.
pub fn performer_outputs(qkv: &Qkv, scale: Scale, mask: Mask, omega: &Mat) -> Result<Mat, AttnError> {
    let (n, d) = (qkv.n(), qkv.d());
    if !mask.is_none(n) {
        return Ok(outputs(&attention(qkv, Map::Performer, scale, mask, omega)?.a, &qkv.v));
    }
    let s = scale.factor(d)?;
    let (q, k) = scaled(qkv, s);
    let omega = fit_omega(omega, d);
    let f = factors(Map::Performer, &q, &k, &omega);
    let m = f.phi.cols();
    // ψ(K)ᵀV (m×d) and ψ(K)ᵀ1 (m).
    let mut kv = Mat::zeros(m, d);
    let mut ksum = vec![0.0; m];
    for j in 0..n {
        let pj = f.psi.row(j);
        let vj = qkv.v.row(j);
        for t in 0..m {
            if pj[t] != 0.0 {
                ksum[t] += pj[t];
                svd::axpy(pj[t], vj, kv.row_mut(t));
            }
        }
    }
    let mut out = Mat::zeros(n, d);
    let mut redo = Vec::new();
    for i in 0..n {
        let phi = f.phi.row(i);
        let den = svd::dot(phi, &ksum);
        if !(den >= UNDERFLOW && den.is_finite()) {
            redo.push(i);
            continue;
        }
        let o = out.row_mut(i);
        for (t, &p) in phi.iter().enumerate() {
            if p != 0.0 {
                svd::axpy(p / den, kv.row(t), o);
            }
        }
    }
    if !redo.is_empty() {
        // Rare (extreme scales): the exact log-space rows of the matrix form.
        let a = attention(qkv, Map::Performer, scale, mask, &omega)?;
        for i in redo {
            let o = out.row_mut(i);
            for (j, &w) in a.a.row(i).iter().enumerate() {
                svd::axpy(w, qkv.v.row(j), o);
            }
        }
    }
    Ok(out)
}

/// Relative output error of the Performer against softmax for each m in `ms` (features = the first
/// m rows of ω for `preset`, so the curve is nested): ‖A_perf V − A_soft V‖_F/‖A_soft V‖_F ≈ c/√m.
/// `soft_out` is A_soft·V. Depends on inputs, scale and mask, not on map or m.
pub fn error_curve(
    qkv: &Qkv,
    preset: Preset,
    scale: Scale,
    mask: Mask,
    soft_out: &Mat,
    ms: &[usize],
) -> Result<Vec<(usize, f64)>, AttnError> {
    let d = qkv.d();
    let m_top = ms.iter().copied().max().unwrap_or(1).clamp(1, M_MAX);
    let w = omega(preset, m_top, d);
    ms.iter()
        .map(|&m| {
            let m = m.clamp(1, m_top);
            let wm = Mat { rows: m, cols: d, data: w.data[..m * d].to_vec() };
            Ok((m, rel_error(&performer_outputs(qkv, scale, mask, &wm)?, soft_out)))
        })
        .collect()
}

/// One parameter set of the lab.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Config {
    /// Tokens (clamped to 1…[`N_MAX`]).
    pub n: usize,
    /// Key size (clamped to 1…[`D_MAX`]).
    pub d: usize,
    /// The chosen map.
    pub map: Map,
    /// Features of performer / expproj (clamped to 1…[`M_MAX`]).
    pub m: usize,
    /// Logit scale.
    pub scale: Scale,
    /// Mask.
    pub mask: Mask,
    /// Inputs.
    pub preset: Preset,
}

impl Default for Config {
    /// The spec's defaults: n = 32, d = 4, elu1, m = 16, 1/√d, no mask, seed 1.
    fn default() -> Self {
        Config { n: 32, d: 4, map: Map::Elu1, m: 16, scale: Scale::InvSqrtD, mask: Mask::NONE, preset: Preset::Seeded(1) }
    }
}

/// Everything one parameter change recomputes (the curves are separate: [`entropy_curve`],
/// [`error_curve`]). The JSON contract: `row0` = `a.row(0)`, `row0_softmax` = `a_soft.row(0)`,
/// `out0` = `out.row(0)`, `entropy_mean`, `entropy_mean_softmax`, `rank`, `rank_softmax`,
/// `rel_error`, `max_p_mean` are fields.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// Inputs.
    pub qkv: Qkv,
    /// The chosen map's matrix.
    pub a: Mat,
    /// The softmax reference (same scale and mask).
    pub a_soft: Mat,
    /// A·V.
    pub out: Mat,
    /// A_soft·V.
    pub out_soft: Mat,
    /// Singular values of A, descending.
    pub sv: Vec<f64>,
    /// Singular values of A_soft.
    pub sv_soft: Vec<f64>,
    /// Numerical rank of A (NumPy's tolerance).
    pub rank: usize,
    /// Numerical rank of A_soft.
    pub rank_softmax: usize,
    /// The drawn rank bound.
    pub rank_bound: usize,
    /// Mean row entropy of A.
    pub entropy_mean: f64,
    /// Mean row entropy of A_soft.
    pub entropy_mean_softmax: f64,
    /// Mean row maximum of A.
    pub max_p_mean: f64,
    /// Mean row maximum of A_soft.
    pub max_p_mean_softmax: f64,
    /// Mean 1 − Σp² of A_soft (the gradient factor).
    pub gradient_factor_softmax: f64,
    /// ‖A V − A_soft V‖_F/‖A_soft V‖_F.
    pub rel_error: f64,
    /// Flop readout.
    pub flops: Flops,
    /// Rows of A that needed the underflow or 1 + cos guard.
    pub guarded_rows: usize,
}

/// The whole recompute for one parameter set, singular values included (one shot; a lab that wants
/// to cache uses [`attention`], [`outputs`], [`Attention::singular_values`] and the statistics
/// directly, keyed as listed in the module notes).
pub fn summary(cfg: &Config) -> Result<Summary, AttnError> {
    let qkv = Qkv::new(cfg.preset, cfg.n, cfg.d);
    let (n, d) = (qkv.n(), qkv.d());
    let m = cfg.m.clamp(1, M_MAX);
    let w = if cfg.map.uses_features() { omega(cfg.preset, m, d) } else { Mat::zeros(0, d) };
    let soft = attention(&qkv, Map::Softmax, cfg.scale, cfg.mask, &w)?;
    let chosen = if cfg.map == Map::Softmax { soft.clone() } else { attention(&qkv, cfg.map, cfg.scale, cfg.mask, &w)? };
    let st_soft = Stats::of(&soft.a, &qkv.v);
    let st = Stats::of(&chosen.a, &qkv.v);
    let sv_soft = soft.singular_values();
    let sv = if cfg.map == Map::Softmax { sv_soft.clone() } else { chosen.singular_values() };
    Ok(Summary {
        rank: numerical_rank(&sv, n),
        rank_softmax: numerical_rank(&sv_soft, n),
        rank_bound: rank_bound(cfg.map, n, d, m, cfg.mask),
        entropy_mean: st.entropy_mean,
        entropy_mean_softmax: st_soft.entropy_mean,
        max_p_mean: st.max_p_mean,
        max_p_mean_softmax: st_soft.max_p_mean,
        gradient_factor_softmax: st_soft.gradient_factor_mean,
        rel_error: rel_error(&st.out, &st_soft.out),
        flops: flops(cfg.map, n, d, m),
        guarded_rows: chosen.guarded_rows,
        sv,
        sv_soft,
        out: st.out,
        out_soft: st_soft.out,
        a: chosen.a,
        a_soft: soft.a,
        qkv,
    })
}

/// What [`Cache::update`] recomputed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Changed {
    /// Q, K, V (preset, n or d changed).
    pub inputs: bool,
    /// The softmax reference (inputs, scale or mask changed).
    pub softmax: bool,
    /// The chosen map (any of the above, or map, m, ω).
    pub chosen: bool,
}

/// What a slider event can leave for later (the background chunks): the outputs and the row
/// statistics of one matrix. At n = 256, d = 64 they are n²d multiply-adds and n² logarithms, a
/// few milliseconds per matrix in the browser that the drawn matrices do not need.
#[derive(Clone, Debug, PartialEq)]
pub struct Stats {
    /// A·V.
    pub out: Mat,
    /// Mean row entropy.
    pub entropy_mean: f64,
    /// Mean row maximum.
    pub max_p_mean: f64,
    /// Mean 1 − Σp².
    pub gradient_factor_mean: f64,
}

impl Stats {
    /// The outputs and statistics of `a` with values `v`.
    pub fn of(a: &Mat, v: &Mat) -> Self {
        Stats {
            out: outputs(a, v),
            entropy_mean: mean_row_entropy(a),
            max_p_mean: max_p_mean(a),
            gradient_factor_mean: gradient_factor_mean(a),
        }
    }

    /// Their cost in multiply-adds (a logarithm counted as 20): the progress bar's unit.
    fn work(n: usize, d: usize) -> f64 {
        (n * n) as f64 * (d as f64 + 20.0)
    }
}

/// One attention matrix; its outputs, statistics and singular values may still be in progress
/// (see [`Cache::step`]).
#[derive(Clone, Debug)]
pub struct Computed {
    /// The matrix.
    pub att: Attention,
    stats: Option<Stats>,
    sv: SvState,
}

#[derive(Clone, Debug)]
enum SvState {
    Job(Box<SvJob>),
    Done(Vec<f64>),
}

impl Computed {
    fn new(att: Attention) -> Self {
        Computed { sv: SvState::Job(Box::new(att.sv_job())), stats: None, att }
    }

    /// Outputs and row statistics, once computed.
    pub fn stats(&self) -> Option<&Stats> {
        self.stats.as_ref()
    }

    /// Singular values (descending), once computed.
    pub fn singular_values(&self) -> Option<&[f64]> {
        match &self.sv {
            SvState::Done(v) => Some(v),
            SvState::Job(j) => j.values(),
        }
    }

    /// Numerical rank (NumPy's tolerance), once the singular values are there.
    pub fn rank(&self) -> Option<usize> {
        self.singular_values().map(|sv| numerical_rank(sv, self.att.a.rows()))
    }

    /// Multiply-adds still to do for the statistics of this matrix with `d` value columns.
    fn stats_left(&self, d: usize) -> f64 {
        if self.stats.is_some() {
            0.0
        } else {
            Stats::work(self.att.a.rows(), d)
        }
    }

    fn sv_left(&self) -> f64 {
        match &self.sv {
            SvState::Job(j) => j.remaining_work(),
            SvState::Done(_) => 0.0,
        }
    }

    /// Advances the singular values by about `budget` multiply-adds; returns the work left.
    fn step(&mut self, budget: f64) -> f64 {
        if let SvState::Job(j) = &mut self.sv {
            if j.step_work(budget) {
                self.sv = SvState::Done(j.values().map(<[f64]>::to_vec).unwrap_or_default());
                return 0.0;
            }
            return j.remaining_work();
        }
        0.0
    }
}

type InputsKey = (Preset, usize, usize);
type MatrixKey = (InputsKey, Map, u64, Mask, Option<InputsKey>);

/// The lab's recompute, cached by what each result depends on (module notes): a slider event
/// calls [`Cache::update`] (the matrices: what is drawn at once) and then [`Cache::step`] with a
/// frame budget until it returns true (outputs and statistics, then the O(n³) singular values).
/// Results equal [`summary`]'s (tested).
#[derive(Clone, Debug, Default)]
pub struct Cache {
    inputs: Option<(InputsKey, Qkv)>,
    omega: Option<(InputsKey, Mat)>,
    soft: Option<(MatrixKey, Computed)>,
    chosen: Option<(MatrixKey, Computed)>,
}

impl Cache {
    /// An empty cache.
    pub fn new() -> Self {
        Cache::default()
    }

    /// Brings the matrices up to date for `cfg`, recomputing only what
    /// changed. Dual + causal: the softmax side is updated, the chosen side is dropped (so
    /// [`Cache::chosen`] shows the softmax reference) and the error returned for the notice.
    pub fn update(&mut self, cfg: &Config) -> Result<Changed, AttnError> {
        let (n, d, m) = (cfg.n.clamp(1, N_MAX), cfg.d.clamp(1, D_MAX), cfg.m.clamp(1, M_MAX));
        let s = cfg.scale.factor(d)?;
        let mut changed = Changed::default();
        let ik = (cfg.preset, n, d);
        if self.inputs.as_ref().map(|(k, _)| *k) != Some(ik) {
            self.inputs = Some((ik, Qkv::new(cfg.preset, n, d)));
            changed.inputs = true;
        }
        let ok = (cfg.preset, m, d);
        if cfg.map.uses_features() && self.omega.as_ref().map(|(k, _)| *k) != Some(ok) {
            self.omega = Some((ok, omega(cfg.preset, m, d)));
        }
        let Some((_, qkv)) = &self.inputs else { return Ok(changed) };
        let empty = Mat::zeros(0, d);
        let w = match &self.omega {
            Some((k, w)) if cfg.map.uses_features() && *k == ok => w,
            _ => &empty,
        };
        let sk: MatrixKey = (ik, Map::Softmax, s.to_bits(), cfg.mask, None);
        if self.soft.as_ref().map(|(k, _)| *k) != Some(sk) {
            let att = attention(qkv, Map::Softmax, Scale::Value(s), cfg.mask, &empty)?;
            self.soft = Some((sk, Computed::new(att)));
            changed.softmax = true;
        }
        if cfg.map == Map::Softmax {
            changed.chosen = self.chosen.take().is_some() || changed.softmax;
            return Ok(changed);
        }
        let ck: MatrixKey = (ik, cfg.map, s.to_bits(), cfg.mask, cfg.map.uses_features().then_some(ok));
        if self.chosen.as_ref().map(|(k, _)| *k) != Some(ck) {
            changed.chosen = true;
            match attention(qkv, cfg.map, Scale::Value(s), cfg.mask, w) {
                Ok(att) => self.chosen = Some((ck, Computed::new(att))),
                Err(e) => {
                    self.chosen = None;
                    return Err(e);
                }
            }
        }
        Ok(changed)
    }

    /// Advances the background work by about `budget` multiply-adds (at least one unit): the
    /// outputs and statistics of both matrices first (readouts wait on them), then the singular
    /// values, the chosen map first (it changes more often). Returns whether all is done. ~5·10⁷
    /// multiply-adds finish both 256×256 spectra.
    pub fn step(&mut self, budget: f64) -> bool {
        let mut left = budget;
        let Some((_, qkv)) = &self.inputs else { return true };
        let d = qkv.d();
        for c in [self.chosen.as_mut(), self.soft.as_mut()].into_iter().flatten() {
            if c.1.stats.is_none() && left > 0.0 {
                left -= c.1.stats_left(d);
                c.1.stats = Some(Stats::of(&c.1.att.a, &qkv.v));
            }
        }
        for c in [self.chosen.as_mut(), self.soft.as_mut()].into_iter().flatten() {
            let before = c.1.sv_left();
            if before > 0.0 && left > 0.0 {
                let after = c.1.step(left);
                left -= before - after;
            }
        }
        self.remaining_work() <= 0.0
    }

    /// Multiply-adds still to do (0 when all is done): the progress bar.
    pub fn remaining_work(&self) -> f64 {
        let d = self.qkv().map_or(0, Qkv::d);
        [self.chosen.as_ref(), self.soft.as_ref()].into_iter().flatten().map(|(_, c)| c.stats_left(d) + c.sv_left()).sum()
    }

    /// Runs [`Cache::step`] to the end.
    pub fn finish(&mut self) {
        while !self.step(f64::INFINITY) {}
    }

    /// The inputs.
    pub fn qkv(&self) -> Option<&Qkv> {
        self.inputs.as_ref().map(|(_, q)| q)
    }

    /// The softmax reference.
    pub fn softmax(&self) -> Option<&Computed> {
        self.soft.as_ref().map(|(_, c)| c)
    }

    /// The chosen map (the softmax reference itself when the map is softmax).
    pub fn chosen(&self) -> Option<&Computed> {
        self.chosen.as_ref().map(|(_, c)| c).or_else(|| self.softmax())
    }

    /// ‖A V − A_soft V‖_F/‖A_soft V‖_F.
    pub fn rel_error(&self) -> Option<f64> {
        Some(rel_error(&self.chosen()?.stats()?.out, &self.softmax()?.stats()?.out))
    }
}

#[cfg(test)]
mod tests;
