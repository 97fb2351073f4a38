//! State-space memory (posts 10162, 10180; wave-2 spec §W2 mode `ssm`): HiPPO-LegS, its S4 use as a
//! time-invariant system, three discretisations, the convolution kernel K̄_k = C̄ᵀĀᵏB̄ by three
//! routes, the rational-transfer-function (RFT) view, and the Legendre reconstruction of the input
//! from the state.
//!
//! Conventions. Matrices are d×d row-major `Vec<f64>`. The discrete system is
//! x_{k+1} = Āx_k + B̄u_k, y_k = C̄ᵀx_{k+1} = Σ_{j≤k} K̄_j u_{k−j}, K̄_j = C̄ᵀĀʲB̄ — 0-based (the posts'
//! u_{L−k} is off by one). The input is held constant over each step (u(s) = u_k on [kε, (k+1)ε)),
//! which makes ZOH exact and gives closed-form projections.
//!
//! Numerics. LegS A is lower triangular with eigenvalues −1..−d, but its eigenvectors are
//! exponentially ill-conditioned (|S_{d/3}| ≈ 1.93·d^{3/2}·2^{−4d/3}), so nothing here
//! eigendecomposes it: every LegS-family Ā (bilinear, ZOH, Euler) is computed lower triangular and
//! its eigenvalues are its diagonal; resolvents are triangular solves.

use crate::math::fft::{fft, ifft, C64};
use crate::math::rng::Rng;

/// Largest state size accepted (the lab's slider ends at 64).
pub const MAX_D: usize = 64;
/// Longest kernel / input accepted (the lab's slider ends at 1024).
pub const MAX_L: usize = 4096;
/// Smallest and largest step ε accepted (the slider spans 1e-3..1).
pub const EPS_RANGE: (f64, f64) = (1e-9, 1e4);
/// A kernel entry or state beyond this is "blown up" (unstable discretisation: Euler past ε = 2/d,
/// or RFT roots outside the unit circle); the routes stop there instead of overflowing.
pub const BOUND: f64 = 1e100;
/// RFT coefficients are clamped to ±this (the lab allows |a_i| ≤ 2).
pub const MAX_COEFF: f64 = 1e6;

/// Whether a complex number is exactly zero (without `norm`'s hypot, which showed up in profiles).
fn is_zero(z: C64) -> bool {
    z.re == 0.0 && z.im == 0.0
}

/// Σ a_i b_i with four partial sums: the kernels' inner loops are dot products of length ≤ 64 whose
/// single running sum would make every addition wait for the previous one.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (ac, bc) = (a[..n].chunks_exact(4), b[..n].chunks_exact(4));
    let (ar, br) = (ac.remainder(), bc.remainder());
    // Named sums, each statement written out: at the release profile's opt-level "s" LLVM does
    // not unroll a `for k in 0..4` loop, and an array of sums then lives in memory (this dot was
    // the lab's hottest function). Same order of additions, so the same bits.
    let (mut s0, mut s1, mut s2, mut s3) = (0.0, 0.0, 0.0, 0.0);
    for (p, q) in ac.zip(bc) {
        s0 += p[0] * q[0];
        s1 += p[1] * q[1];
        s2 += p[2] * q[2];
        s3 += p[3] * q[3];
    }
    let tail: f64 = ar.iter().zip(br).map(|(p, q)| p * q).sum();
    (s0 + s1) + (s2 + s3) + tail
}

/// [`dot`] with the four sums in two f64x2 lanes, (s₀, s₁) and (s₂, s₃): each lane adds the
/// same products in the same order with the same roundings, so the same bits as the scalar one.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    use core::arch::wasm32::{f64x2, f64x2_add, f64x2_extract_lane, f64x2_mul, f64x2_splat};
    let n = a.len().min(b.len());
    let (ac, bc) = (a[..n].chunks_exact(4), b[..n].chunks_exact(4));
    let (ar, br) = (ac.remainder(), bc.remainder());
    let (mut lo, mut hi) = (f64x2_splat(0.0), f64x2_splat(0.0));
    for (p, q) in ac.zip(bc) {
        lo = f64x2_add(lo, f64x2_mul(f64x2(p[0], p[1]), f64x2(q[0], q[1])));
        hi = f64x2_add(hi, f64x2_mul(f64x2(p[2], p[3]), f64x2(q[2], q[3])));
    }
    let tail: f64 = ar.iter().zip(br).map(|(p, q)| p * q).sum();
    let (s0, s1) = (f64x2_extract_lane::<0>(lo), f64x2_extract_lane::<1>(lo));
    let (s2, s3) = (f64x2_extract_lane::<0>(hi), f64x2_extract_lane::<1>(hi));
    (s0 + s1) + (s2 + s3) + tail
}

/// Non-finite or beyond [`BOUND`].
fn out_of_bound(v: f64) -> bool {
    !v.is_finite() || v.abs() > BOUND
}

/// Which state-space system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Basis {
    /// HiPPO-LegS online, x′ = (Ax + Bu)/t: the state is the Legendre projection of u on [0, t]
    /// (uniform memory). As a time-invariant system in τ = ln t it is S4's, so its kernel,
    /// Ā and eigenvalues are those of `s4`; its state at t is [`legs_online_state`] (or the exact
    /// [`projection`] with [`Warp::Uniform`]), not [`Ssm::state_after`].
    LegsOnline,
    /// S4, x′ = Ax + Bu with the LegS A, B: exponentially decaying memory.
    S4,
    /// S4D-Real: A = diag(−1, …, −d) (LegS's spectrum without its coupling), B as LegS.
    Diagonal,
    /// A rational transfer function b(z)/a(z) with denominators `rft_a` and numerators the readout
    /// (post 10180), realised by a companion matrix. Already discrete: ε and `disc` do not apply.
    Rft,
}

/// How the continuous system is discretised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Disc {
    /// Ā = (I − εA/2)⁻¹(I + εA/2), B̄ = ε(I − εA/2)⁻¹B.
    Bilinear,
    /// Ā = e^{εA}, B̄ = A⁻¹(e^{εA} − I)B, from one exponential of the augmented matrix.
    Zoh,
    /// Ā = I + εA, B̄ = εB: leaves the unit circle once ε > 2/d.
    Euler,
}

/// The test inputs, as functions of r = k/L on the step grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Input {
    /// 0 before r = ½, 1 after.
    Step,
    /// sin(2π·3r).
    Sine,
    /// sin(2π(r + 7.5r²)): 1 to 16 cycles per window.
    Chirp,
    /// i.i.d. N(0, 1) samples from the seed.
    Noise,
    /// Drawn with the pointer: piecewise linear through equally spaced knots (see [`drawn`]).
    Drawn,
}

macro_rules! named {
    ($t:ty, $($v:ident = $s:literal),+) => {
        impl $t {
            /// The URL/JSON name.
            pub fn name(self) -> &'static str {
                match self { $(Self::$v => $s),+ }
            }
            /// The value with this name.
            pub fn from_name(s: &str) -> Option<Self> {
                match s { $($s => Some(Self::$v),)+ _ => None }
            }
        }
    };
}
named!(Basis, LegsOnline = "legs_online", S4 = "s4", Diagonal = "diagonal", Rft = "rft");
named!(Disc, Bilinear = "bilinear", Zoh = "zoh", Euler = "euler");
named!(Input, Step = "step", Sine = "sine", Chirp = "chirp", Noise = "noise", Drawn = "drawn");

/// HiPPO-LegS: A_nk = −√((2n+1)(2k+1)) (k < n), −(n+1) (k = n), 0 (k > n); B_n = √(2n+1).
pub fn legs(d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut a = vec![0.0; d * d];
    for n in 0..d {
        for k in 0..n {
            a[n * d + k] = -(((2 * n + 1) * (2 * k + 1)) as f64).sqrt();
        }
        a[n * d + n] = -((n + 1) as f64);
    }
    (a, (0..d).map(|n| ((2 * n + 1) as f64).sqrt()).collect())
}

/// The default readout C_n = (−½)ⁿ.
pub fn default_readout(d: usize) -> Vec<f64> {
    (0..d).map(|n| (-0.5f64).powi(n as i32)).collect()
}

/// The continuous (A, B) of a basis (`rft` has none: its system is discrete by definition).
pub fn continuous(basis: Basis, d: usize) -> Option<(Vec<f64>, Vec<f64>)> {
    match basis {
        Basis::LegsOnline | Basis::S4 => Some(legs(d)),
        Basis::Diagonal => {
            let mut a = vec![0.0; d * d];
            (0..d).for_each(|n| a[n * d + n] = -((n + 1) as f64));
            Some((a, legs(d).1))
        }
        Basis::Rft => None,
    }
}

/// Whether every entry above the diagonal is exactly zero.
fn is_lower(n: usize, a: &[f64]) -> bool {
    (0..n).all(|i| (i + 1..n).all(|j| a[i * n + j] == 0.0))
}

/// p·q for lower-triangular n×n p, q (the product is lower triangular; only k in j..=i contributes).
fn lower_mul(n: usize, p: &[f64], q: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; n * n];
    for i in 0..n {
        for k in 0..=i {
            let pik = p[i * n + k];
            if pik == 0.0 {
                continue;
            }
            for j in 0..=k {
                out[i * n + j] += pik * q[k * n + j];
            }
        }
    }
    out
}

/// Solves l·X = R for lower-triangular l (n×n) and R with `cols` columns (row-major n×cols), by
/// forward substitution — backward stable and structure-preserving (a pivoting LU would put
/// rounding above the diagonal).
fn lower_solve(n: usize, l: &[f64], r: &[f64], cols: usize) -> Vec<f64> {
    let mut x = r.to_vec();
    for i in 0..n {
        for k in 0..i {
            let lik = l[i * n + k];
            if lik != 0.0 {
                for c in 0..cols {
                    x[i * cols + c] -= lik * x[k * cols + c];
                }
            }
        }
        let piv = l[i * n + i];
        for c in 0..cols {
            x[i * cols + c] /= piv;
        }
    }
    x
}

/// e^M for lower-triangular M (n×n row-major) by scaling and squaring with the [13/13] Padé
/// approximant (Higham 2005, the algorithm behind scipy's and nalgebra's expm), done with
/// triangular products and a triangular solve so the result is exactly lower triangular, and with
/// the diagonal reset to exp(m_ii/2^j) after every squaring (Al-Mohy & Higham 2009: the squarings
/// otherwise amplify the rounding of the diagonal, which is the eigenvalues). Returns None for
/// other or non-finite M.
pub fn expm_lower(n: usize, m: &[f64]) -> Option<Vec<f64>> {
    if m.len() != n * n || !is_lower(n, m) || m.iter().any(|v| !v.is_finite()) {
        return None;
    }
    const B: [f64; 14] = [
        64764752532480000.0,
        32382376266240000.0,
        7771770303897600.0,
        1187353796428800.0,
        129060195264000.0,
        10559470521600.0,
        670442572800.0,
        33522128640.0,
        1323241920.0,
        40840800.0,
        960960.0,
        16380.0,
        182.0,
        1.0,
    ];
    const THETA13: f64 = 5.371920351148152;
    let norm1 = (0..n).map(|j| (0..n).map(|i| m[i * n + j].abs()).sum::<f64>()).fold(0.0, f64::max);
    let s = if norm1 > THETA13 { (norm1 / THETA13).log2().ceil().max(0.0) as i32 } else { 0 };
    let scale = 0.5f64.powi(s);
    let a: Vec<f64> = m.iter().map(|v| v * scale).collect();
    let a2 = lower_mul(n, &a, &a);
    let a4 = lower_mul(n, &a2, &a2);
    let a6 = lower_mul(n, &a4, &a2);
    let id = |i: usize| if i.is_multiple_of(n + 1) { 1.0 } else { 0.0 };
    let comb = |c6: f64, c4: f64, c2: f64, c0: f64| -> Vec<f64> {
        (0..n * n).map(|i| c6 * a6[i] + c4 * a4[i] + c2 * a2[i] + c0 * id(i)).collect()
    };
    let inner_u = lower_mul(n, &a6, &comb(B[13], B[11], B[9], 0.0));
    let inner_u: Vec<f64> = inner_u.iter().zip(comb(B[7], B[5], B[3], B[1])).map(|(p, q)| p + q).collect();
    let u = lower_mul(n, &a, &inner_u);
    let inner_v = lower_mul(n, &a6, &comb(B[12], B[10], B[8], 0.0));
    let v: Vec<f64> = inner_v.iter().zip(comb(B[6], B[4], B[2], B[0])).map(|(p, q)| p + q).collect();
    let p: Vec<f64> = v.iter().zip(&u).map(|(x, y)| x + y).collect();
    let q: Vec<f64> = v.iter().zip(&u).map(|(x, y)| x - y).collect();
    let mut r = lower_solve(n, &q, &p, n);
    for j in (0..s).rev() {
        r = lower_mul(n, &r, &r);
        let f = 0.5f64.powi(j);
        for i in 0..n {
            r[i * n + i] = (m[i * n + i] * f).exp();
        }
    }
    if s == 0 {
        for i in 0..n {
            r[i * n + i] = m[i * n + i].exp();
        }
    }
    r.iter().all(|v| v.is_finite()).then_some(r)
}

/// (Ā, B̄) of x′ = Ax + Bu with step ε. A must be lower triangular (LegS, diagonal; None
/// otherwise, or for a non-finite result). ZOH exponentiates the lower-triangular augmented
/// matrix ε[[0, 0], [B, A]] = [[1, 0], [B̄, Ā]] — no A⁻¹, exact zeros above the diagonal.
pub fn discretise(d: usize, a: &[f64], b: &[f64], disc: Disc, eps: f64) -> Option<(Vec<f64>, Vec<f64>)> {
    if d == 0 || a.len() != d * d || b.len() != d || !is_lower(d, a) || !(eps.is_finite()) {
        return None;
    }
    let id = |i: usize, j: usize| if i == j { 1.0 } else { 0.0 };
    let (ab, bb) = match disc {
        Disc::Euler => {
            ((0..d * d).map(|k| id(k / d, k % d) + eps * a[k]).collect::<Vec<f64>>(), b.iter().map(|v| eps * v).collect::<Vec<f64>>())
        }
        Disc::Bilinear => {
            let minus: Vec<f64> = (0..d * d).map(|k| id(k / d, k % d) - 0.5 * eps * a[k]).collect();
            let plus: Vec<f64> = (0..d * d).map(|k| id(k / d, k % d) + 0.5 * eps * a[k]).collect();
            let ab = lower_solve(d, &minus, &plus, d);
            let bb: Vec<f64> = lower_solve(d, &minus, b, 1).iter().map(|v| eps * v).collect();
            (ab, bb)
        }
        Disc::Zoh => {
            let n = d + 1;
            let mut m = vec![0.0; n * n];
            for i in 0..d {
                m[(i + 1) * n] = eps * b[i];
                for j in 0..=i {
                    m[(i + 1) * n + j + 1] = eps * a[i * d + j];
                }
            }
            let e = expm_lower(n, &m)?;
            let ab = (0..d * d).map(|k| e[(k / d + 1) * n + k % d + 1]).collect();
            let bb = (0..d).map(|i| e[(i + 1) * n]).collect();
            (ab, bb)
        }
    };
    (ab.iter().chain(&bb).all(|v| v.is_finite())).then_some((ab, bb))
}

/// The lab's parameters for `mode=ssm` (everything the system and kernel depend on).
#[derive(Clone, Debug, PartialEq)]
pub struct SsmParams {
    /// The system.
    pub basis: Basis,
    /// State size (1..=[`MAX_D`]).
    pub d: usize,
    /// Discretisation (not for `rft`).
    pub disc: Disc,
    /// Step ε (not for `rft`).
    pub eps: f64,
    /// Kernel length L (the `rft` realisation depends on it too).
    pub l: usize,
    /// Readout C (the RFT numerators b for `rft`); None = (−½)ⁿ. Padded with (−½)ⁿ or cut to d.
    pub c: Option<Vec<f64>>,
    /// RFT denominators a_1..a_d (padded with zeros or cut to d).
    pub rft_a: Vec<f64>,
}

impl Default for SsmParams {
    /// The spec's defaults: legs_online, d = 8, bilinear, ε = 0.05, L = 256, a = 0.
    fn default() -> Self {
        SsmParams { basis: Basis::LegsOnline, d: 8, disc: Disc::Bilinear, eps: 0.05, l: 256, c: None, rft_a: Vec::new() }
    }
}

impl SsmParams {
    /// d, ε, L clamped; C and a padded/cut to d with non-finite entries replaced (by (−½)ⁿ and 0)
    /// and a clamped to ±[`MAX_COEFF`].
    pub fn sanitized(&self) -> SsmParams {
        let d = self.d.clamp(1, MAX_D);
        let eps = if self.eps.is_nan() { 0.05 } else { self.eps.clamp(EPS_RANGE.0, EPS_RANGE.1) };
        let dflt = default_readout(d);
        let c = self.c.as_ref().map(|c| (0..d).map(|i| c.get(i).copied().filter(|v| v.is_finite()).unwrap_or(dflt[i])).collect());
        let rft_a =
            (0..d).map(|i| self.rft_a.get(i).copied().filter(|v| v.is_finite()).map_or(0.0, |v| v.clamp(-MAX_COEFF, MAX_COEFF))).collect();
        SsmParams { basis: self.basis, d, disc: self.disc, eps, l: self.l.clamp(1, MAX_L), c, rft_a }
    }
}

/// A discrete system (Ā, B̄, C̄), possibly with its RFT coefficients given.
#[derive(Clone, Debug, PartialEq)]
pub struct Ssm {
    d: usize,
    /// Ā, d×d row-major.
    pub a_bar: Vec<f64>,
    /// B̄.
    pub b_bar: Vec<f64>,
    /// C̄; None when an RFT has no realisation for this L (I − Ā^L singular or overflowing).
    pub c_bar: Option<Vec<f64>>,
    /// (a, b) when the system was given as an RFT (then C̃ = b exactly, for any L).
    rft: Option<(Vec<f64>, Vec<f64>)>,
    /// Ā exactly lower triangular (all LegS-family systems).
    lower: bool,
}

impl Ssm {
    /// The lab's system for these parameters (sanitised first). None only if the discretisation
    /// fails (it does not for LegS/diagonal and ε in [`EPS_RANGE`]; kept as a guard).
    pub fn new(p: &SsmParams) -> Option<Ssm> {
        let p = p.sanitized();
        let c = p.c.clone().unwrap_or_else(|| default_readout(p.d));
        match continuous(p.basis, p.d) {
            Some((a, b)) => {
                let (ab, bb) = discretise(p.d, &a, &b, p.disc, p.eps)?;
                Some(Ssm { d: p.d, a_bar: ab, b_bar: bb, c_bar: Some(c), rft: None, lower: true })
            }
            None => Some(Ssm::from_rft(&p.rft_a, &c, p.l)),
        }
    }

    /// Any (Ā, B̄, C̄) (d×d, d, d); None for inconsistent lengths or non-finite entries.
    pub fn from_matrices(d: usize, a_bar: &[f64], b_bar: &[f64], c_bar: &[f64]) -> Option<Ssm> {
        if d == 0 || a_bar.len() != d * d || b_bar.len() != d || c_bar.len() != d {
            return None;
        }
        if a_bar.iter().chain(b_bar).chain(c_bar).any(|v| !v.is_finite()) {
            return None;
        }
        Some(Ssm { d, a_bar: a_bar.to_vec(), b_bar: b_bar.to_vec(), c_bar: Some(c_bar.to_vec()), rft: None, lower: is_lower(d, a_bar) })
    }

    /// The RFT b(z)/a(z) (a = a_1..a_d, b = b_1..b_d; both cut/padded to the longer length, at
    /// least 1) realised as companion Ā (row 0 = −a, ones below the diagonal), B̄ = e₁,
    /// C̄ = (I − Ā^L)^{−ᵀ}b, so that C̄ᵀĀᵏB̄ is the kernel of the L-truncated generating function.
    pub fn from_rft(a: &[f64], b: &[f64], l: usize) -> Ssm {
        let d = a.len().max(b.len()).clamp(1, MAX_D);
        let fix = |v: Option<&f64>| v.copied().filter(|x| x.is_finite()).map_or(0.0, |x| x.clamp(-MAX_COEFF, MAX_COEFF));
        let a: Vec<f64> = (0..d).map(|i| fix(a.get(i))).collect();
        let b: Vec<f64> = (0..d).map(|i| fix(b.get(i))).collect();
        let mut ab = vec![0.0; d * d];
        for j in 0..d {
            ab[j] = -a[j];
        }
        for i in 1..d {
            ab[i * d + i - 1] = 1.0;
        }
        let mut bb = vec![0.0; d];
        bb[0] = 1.0;
        let c_bar = rft_readout(d, &ab, &b, l.clamp(1, MAX_L));
        Ssm { d, lower: is_lower(d, &ab), a_bar: ab, b_bar: bb, c_bar, rft: Some((a, b)) }
    }

    /// State size d.
    pub fn dim(&self) -> usize {
        self.d
    }

    /// Ā as rows (the JSON `a_bar`).
    pub fn a_bar_rows(&self) -> Vec<Vec<f64>> {
        self.a_bar.chunks_exact(self.d).map(|r| r.to_vec()).collect()
    }

    /// Eigenvalues of Ā: the diagonal when Ā is lower triangular (every LegS-family system: exact
    /// structure, no eigensolver), else the real Schur form (the RFT companion matrix, whose
    /// eigenvalues are the roots of z^d + a₁z^{d−1} + … + a_d). None if the QR iteration fails.
    pub fn eigenvalues(&self) -> Option<Vec<C64>> {
        let d = self.d;
        if self.lower {
            return Some((0..d).map(|i| C64::new(self.a_bar[i * d + i], 0.0)).collect());
        }
        let m = nalgebra::DMatrix::from_row_slice(d, d, &self.a_bar);
        let s = nalgebra::linalg::Schur::try_new(m, f64::EPSILON, 10_000 * d)?;
        let ev: Vec<C64> = s.complex_eigenvalues().iter().copied().collect();
        ev.iter().all(|z| z.re.is_finite() && z.im.is_finite()).then_some(ev)
    }

    /// Spectral radius of Ā (None as for [`Ssm::eigenvalues`]).
    pub fn spectral_radius(&self) -> Option<f64> {
        self.eigenvalues().map(|e| e.iter().map(|z| z.norm()).fold(0.0, f64::max))
    }

    /// The generating function Σ_k K̄_k z^k = C̄ᵀ(I − zĀ)⁻¹B̄ at any z (None without C̄, at a pole or
    /// for a non-finite result).
    pub fn transfer(&self, z: C64) -> Option<C64> {
        let c = self.c_bar.as_ref()?;
        let solver = Resolvent::new(self)?;
        let y = solver.solve(z)?;
        let g: C64 = solver.left(c).iter().zip(&y).map(|(p, q)| p * q).sum();
        (g.re.is_finite() && g.im.is_finite()).then_some(g)
    }

    /// x_t after t steps from x₀ = 0 (t clamped to u.len()); stops at [`BOUND`] (returns the last
    /// state inside it).
    pub fn state_after(&self, u: &[f64], t: usize) -> Vec<f64> {
        let d = self.d;
        let mut x = vec![0.0; d];
        let mut nx = vec![0.0; d];
        for &uk in &u[..t.min(u.len())] {
            self.step(&x, uk, &mut nx);
            if nx.iter().any(|&v| out_of_bound(v)) {
                break;
            }
            std::mem::swap(&mut x, &mut nx);
        }
        x
    }

    /// x_{k+1} = Āx_k + B̄u_k into `out`.
    fn step(&self, x: &[f64], u: f64, out: &mut [f64]) {
        let d = self.d;
        for (i, o) in out.iter_mut().enumerate().take(d) {
            let row = &self.a_bar[i * d..(i + 1) * d];
            let hi = if self.lower { i + 1 } else { d };
            *o = dot(&row[..hi], &x[..hi]) + self.b_bar[i] * u;
        }
    }

    /// Outputs y_k = C̄ᵀx_{k+1} of the recurrence, k = 0..u.len()−1 (the "recurrent mode"; equals
    /// the causal convolution with the kernel). Empty without C̄; stops at [`BOUND`].
    pub fn outputs(&self, u: &[f64]) -> Vec<f64> {
        let Some(c) = &self.c_bar else { return Vec::new() };
        let (mut x, mut nx) = (vec![0.0; self.d], vec![0.0; self.d]);
        let mut y = Vec::with_capacity(u.len());
        for &uk in u {
            self.step(&x, uk, &mut nx);
            let yk: f64 = c.iter().zip(&nx).map(|(a, b)| a * b).sum();
            if out_of_bound(yk) || nx.iter().any(|&v| out_of_bound(v)) {
                break;
            }
            y.push(yk);
            std::mem::swap(&mut x, &mut nx);
        }
        y
    }

    /// The kernel K̄_0..K̄_{L−1} by the three routes (L clamped to 1..=[`MAX_L`]). For an RFT system
    /// pass the L it was built with: its C̄ realises that truncation, so another L makes the powers
    /// route disagree with the other two (by the aliased tail).
    pub fn kernels(&self, l: usize) -> Kernels {
        let l = l.clamp(1, MAX_L);
        let d = self.d;
        // Route 1, powers: rows r_k = C̄ᵀĀᵏ, K̄_k = r_k·B̄; r_L gives C̃ = (I − Ā^L)ᵀC̄ for route 2.
        let mut powers = Vec::new();
        let mut blowup = None;
        let mut c_tilde = None;
        if let Some(c) = &self.c_bar {
            let mut r = c.clone();
            let mut nr = vec![0.0; d];
            for k in 0..=l {
                if k < l {
                    powers.push(r.iter().zip(&self.b_bar).map(|(a, b)| a * b).sum::<f64>());
                    if out_of_bound(powers[k]) {
                        powers.pop();
                        blowup = Some(k);
                        break;
                    }
                }
                if k == l {
                    c_tilde = Some(c.iter().zip(&r).map(|(a, b)| a - b).collect::<Vec<f64>>());
                    break;
                }
                // (rĀ)_j = Σ_i r_i Ā_ij (i ≥ j when lower triangular), row by row so the d sums
                // advance side by side over contiguous rows.
                nr.iter_mut().for_each(|v| *v = 0.0);
                for (i, &ri) in r.iter().enumerate() {
                    let hi = if self.lower { i + 1 } else { d };
                    for (o, a) in nr[..hi].iter_mut().zip(&self.a_bar[i * d..i * d + hi]) {
                        *o += ri * a;
                    }
                }
                if nr.iter().any(|&v| out_of_bound(v)) {
                    blowup = Some(k + 1);
                    break;
                }
                std::mem::swap(&mut r, &mut nr);
            }
        }
        // An RFT knows C̃ = b exactly, whatever happens to Ā^L.
        if let Some((_, b)) = &self.rft {
            c_tilde = Some(b.clone());
        }
        let dft = c_tilde.as_ref().and_then(|ct| dft_route(self, ct, l));
        let coeffs = match &self.rft {
            Some((a, b)) => Some((a.clone(), b.clone())),
            None => c_tilde.as_ref().and_then(|ct| rft_coefficients(self, ct)),
        };
        let rft = coeffs.as_ref().and_then(|(a, b)| rft_route(a, b, l));
        let primary = if self.rft.is_some() { Route::Rft } else { Route::Powers };
        let full = |v: &Vec<f64>| v.len() == l;
        let powers_full = blowup.is_none() && full(&powers);
        Kernels { l, powers, powers_full, dft, rft, coeffs, blowup, primary }
    }
}

/// The three kernel routes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Route {
    /// K̄_k = C̄ᵀĀᵏB̄ by repeated products.
    Powers,
    /// IDFT of the truncated generating function at the L-th roots of unity, C̃ᵀ(I − z_lĀ)⁻¹B̄.
    Dft,
    /// IDFT(DFT b̄ / DFT ā) from the RFT coefficients.
    Rft,
}

/// The kernel by the three routes, with what could not be computed left out.
#[derive(Clone, Debug, PartialEq)]
pub struct Kernels {
    /// L.
    pub l: usize,
    /// Route 1, K̄_0.. as far as it stayed within [`BOUND`] (all L entries unless it blew up).
    pub powers: Vec<f64>,
    /// Whether `powers` has all L entries.
    pub powers_full: bool,
    /// Route 2 (None without C̃, at a pole on a root of unity or on a non-finite result).
    pub dft: Option<Vec<f64>>,
    /// Route 3 (None without coefficients or where DFT ā vanishes).
    pub rft: Option<Vec<f64>>,
    /// The RFT coefficients (a_1..a_d, b_1..b_d) used by route 3.
    pub coeffs: Option<(Vec<f64>, Vec<f64>)>,
    /// The first k where the powers exceeded [`BOUND`] (unstable Ā).
    pub blowup: Option<usize>,
    /// The route that defines the kernel: powers, or RFT for an RFT system.
    pub primary: Route,
}

impl Kernels {
    /// One route's full kernel, if it was computed.
    pub fn route(&self, r: Route) -> Option<&[f64]> {
        match r {
            Route::Powers => self.powers_full.then_some(self.powers.as_slice()),
            Route::Dft => self.dft.as_deref(),
            Route::Rft => self.rft.as_deref(),
        }
    }

    /// The kernel to show and export: the primary route if available, else another full route,
    /// else the finite prefix of the powers (shorter than L after a blow-up).
    pub fn kernel(&self) -> &[f64] {
        [self.primary, Route::Powers, Route::Dft, Route::Rft].iter().find_map(|&r| self.route(r)).unwrap_or(&self.powers)
    }

    /// max over k of (largest − smallest) value among the routes available (None with fewer than
    /// two). Expect ~1e-16 relative for powers vs DFT; the RFT route loses digits like
    /// Σ|a_i|/min|a(z_l)|, which for LegS grows roughly like 2^d (its roots crowd near 1).
    pub fn max_route_diff(&self) -> Option<f64> {
        let routes: Vec<&[f64]> = [Route::Powers, Route::Dft, Route::Rft].iter().filter_map(|&r| self.route(r)).collect();
        if routes.len() < 2 {
            return None;
        }
        Some(
            (0..self.l)
                .map(|k| {
                    let (lo, hi) = routes.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), r| (lo.min(r[k]), hi.max(r[k])));
                    hi - lo
                })
                .fold(0.0, f64::max),
        )
    }
}

/// Solves (I − zĀ)y = B̄ for many z: forward substitution when Ā is lower triangular, O(d) by the
/// structure for a companion matrix (the RFT realisation: rows below the first are the shift), and
/// otherwise through the Hessenberg form Ā = QHQᵀ (computed once, then O(d²) per z with pivoting
/// between neighbouring rows) — the standard way to evaluate a transfer function at many
/// frequencies.
struct Resolvent<'a> {
    sys: &'a Ssm,
    /// (Q, H, QᵀB̄) for a general Ā.
    hess: Option<(Vec<f64>, Vec<f64>, Vec<f64>)>,
    /// Ā is a companion matrix (first row arbitrary, ones on the subdiagonal, zeros elsewhere).
    companion: bool,
}

/// Whether rows 1.. of a are the shift (a_{k,k−1} = 1, all else 0).
fn is_companion(d: usize, a: &[f64]) -> bool {
    (1..d).all(|i| (0..d).all(|j| a[i * d + j] == if j + 1 == i { 1.0 } else { 0.0 }))
}

impl<'a> Resolvent<'a> {
    fn new(sys: &'a Ssm) -> Option<Self> {
        let d = sys.d;
        if !sys.lower && is_companion(d, &sys.a_bar) {
            return Some(Resolvent { sys, hess: None, companion: true });
        }
        if sys.lower || d <= 2 {
            // Any 1×1 or 2×2 matrix is already Hessenberg.
            let hess = (!sys.lower).then(|| {
                let q: Vec<f64> = (0..d * d).map(|k| if k / d == k % d { 1.0 } else { 0.0 }).collect();
                (q, sys.a_bar.clone(), sys.b_bar.clone())
            });
            return Some(Resolvent { sys, hess, companion: false });
        }
        if sys.a_bar.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let m = nalgebra::DMatrix::from_row_slice(d, d, &sys.a_bar);
        let (q, h) = nalgebra::linalg::Hessenberg::new(m).unpack();
        let qb = q.transpose() * nalgebra::DVector::from_column_slice(&sys.b_bar);
        let row_major = |m: &nalgebra::DMatrix<f64>| (0..d * d).map(|k| m[(k / d, k % d)]).collect::<Vec<f64>>();
        Some(Resolvent { sys, hess: Some((row_major(&q), row_major(&h), qb.iter().copied().collect())), companion: false })
    }

    /// The left vector in the solver's coordinates: c itself, or Qᵀc.
    fn left(&self, c: &[f64]) -> Vec<C64> {
        match &self.hess {
            None => c.iter().map(|&v| C64::new(v, 0.0)).collect(),
            Some((q, _, _)) => {
                let d = self.sys.d;
                (0..d).map(|j| C64::new((0..d).map(|i| q[i * d + j] * c[i]).sum(), 0.0)).collect()
            }
        }
    }

    /// y = (I − zĀ)⁻¹B̄ (in the solver's coordinates); None at a zero pivot or non-finite y.
    fn solve(&self, z: C64) -> Option<Vec<C64>> {
        let d = self.sys.d;
        let one = C64::new(1.0, 0.0);
        let y = match &self.hess {
            None if self.companion => {
                // Rows k ≥ 1: y_k = z y_{k−1} + β_k, so y_k = z^k y₀ + s_k with s_k = z s_{k−1} + β_k;
                // row 0 then fixes y₀: y₀(1 − zΣ_j Ā_0j z^j) = β₀ + zΣ_j Ā_0j s_j.
                let (a, beta) = (&self.sys.a_bar, &self.sys.b_bar);
                let (mut zk, mut sk) = (one, C64::new(0.0, 0.0));
                let (mut r, mut sr) = (C64::new(0.0, 0.0), C64::new(0.0, 0.0));
                let mut s_all = Vec::with_capacity(d);
                let mut z_all = Vec::with_capacity(d);
                for k in 0..d {
                    if k > 0 {
                        zk *= z;
                        sk = z * sk + beta[k];
                    }
                    r += zk * a[k];
                    sr += sk * a[k];
                    z_all.push(zk);
                    s_all.push(sk);
                }
                let piv = one - z * r;
                if is_zero(piv) {
                    return None;
                }
                let y0 = (C64::new(beta[0], 0.0) + z * sr) / piv;
                z_all.iter().zip(&s_all).map(|(zk, sk)| zk * y0 + sk).collect()
            }
            None => {
                // Forward substitution with y kept as separate real and imaginary parts, so each
                // row's sum is two real dot products.
                let a = &self.sys.a_bar;
                let (mut yr, mut yi) = (vec![0.0; d], vec![0.0; d]);
                for i in 0..d {
                    let row = &a[i * d..i * d + i];
                    let s = C64::new(dot(row, &yr[..i]), dot(row, &yi[..i]));
                    let piv = one - z * a[i * d + i];
                    if is_zero(piv) {
                        return None;
                    }
                    let v = (C64::new(self.sys.b_bar[i], 0.0) + z * s) / piv;
                    (yr[i], yi[i]) = (v.re, v.im);
                }
                yr.iter().zip(&yi).map(|(&re, &im)| C64::new(re, im)).collect()
            }
            Some((_, h, qb)) => {
                // M = I − zH, upper Hessenberg; eliminate the subdiagonal with row pivoting.
                let mut m: Vec<C64> = (0..d * d).map(|k| if k / d == k % d { one } else { C64::new(0.0, 0.0) } - z * h[k]).collect();
                let mut r: Vec<C64> = qb.iter().map(|&v| C64::new(v, 0.0)).collect();
                for k in 0..d.saturating_sub(1) {
                    if m[(k + 1) * d + k].norm_sqr() > m[k * d + k].norm_sqr() {
                        for j in k..d {
                            m.swap(k * d + j, (k + 1) * d + j);
                        }
                        r.swap(k, k + 1);
                    }
                    let piv = m[k * d + k];
                    if is_zero(piv) {
                        continue;
                    }
                    let f = m[(k + 1) * d + k] / piv;
                    for j in k..d {
                        let v = m[k * d + j];
                        m[(k + 1) * d + j] -= f * v;
                    }
                    let rk = r[k];
                    r[k + 1] -= f * rk;
                }
                let mut y = vec![C64::new(0.0, 0.0); d];
                for i in (0..d).rev() {
                    let s: C64 = (i + 1..d).map(|j| m[i * d + j] * y[j]).sum();
                    let piv = m[i * d + i];
                    if is_zero(piv) {
                        return None;
                    }
                    y[i] = (r[i] - s) / piv;
                }
                y
            }
        };
        y.iter().all(|v| v.re.is_finite() && v.im.is_finite()).then_some(y)
    }
}

/// Route 2: G_L(z_l) = C̃ᵀ(I − z_lĀ)⁻¹B̄ at z_l = e^{−2πil/L} (only l ≤ L/2: the kernel is real, so
/// G_L(z_{L−l}) = conj G_L(z_l)), then K̄ = IDFT.
fn dft_route(sys: &Ssm, c_tilde: &[f64], l: usize) -> Option<Vec<f64>> {
    if c_tilde.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let solver = Resolvent::new(sys)?;
    let left = solver.left(c_tilde);
    let mut g = vec![C64::new(0.0, 0.0); l];
    for k in 0..=l / 2 {
        let z = C64::from_polar(1.0, -2.0 * std::f64::consts::PI * k as f64 / l as f64);
        let y = solver.solve(z)?;
        g[k] = left.iter().zip(&y).map(|(p, q)| p * q).sum();
        if k > 0 && k < l - k {
            g[l - k] = g[k].conj();
        }
    }
    ifft(&mut g);
    let k: Vec<f64> = g.iter().map(|v| v.re).collect();
    k.iter().all(|v| v.is_finite()).then_some(k)
}

/// Route 3: K̄ = IDFT(DFT b̄ / DFT ā), ā = (1, a_1..a_d), b̄ = (b_1..b_d), zero-padded to L — or
/// folded mod L when d ≥ L (a polynomial at the L-th roots of unity only sees its coefficients mod
/// L), so any L works.
fn rft_route(a: &[f64], b: &[f64], l: usize) -> Option<Vec<f64>> {
    let mut ah = vec![C64::new(0.0, 0.0); l];
    let mut bh = vec![C64::new(0.0, 0.0); l];
    ah[0] += 1.0;
    for (i, &v) in a.iter().enumerate() {
        ah[(i + 1) % l] += v;
    }
    for (i, &v) in b.iter().enumerate() {
        bh[i % l] += v;
    }
    fft(&mut ah);
    fft(&mut bh);
    for (p, q) in bh.iter_mut().zip(&ah) {
        if is_zero(*q) {
            return None;
        }
        *p /= q;
    }
    ifft(&mut bh);
    let k: Vec<f64> = bh.iter().map(|v| v.re).collect();
    k.iter().all(|v| v.is_finite()).then_some(k)
}

/// Monic characteristic polynomial det(λI − M) = λⁿ + c₁λⁿ⁻¹ + … + c_n, returned as (c₁..c_n)
/// (numpy's `poly(M)[1:]`). Lower-triangular M: the product Π(λ − m_ii) expanded. Otherwise
/// orthogonal reduction to Hessenberg form (backward stable) and La Budde's recurrence on its
/// leading principal minors, O(n³) — stable where Faddeev–LeVerrier is not. None for non-finite M.
pub fn charpoly(n: usize, m: &[f64]) -> Option<Vec<f64>> {
    if n == 0 || m.len() != n * n || m.iter().any(|v| !v.is_finite()) {
        return None;
    }
    // Coefficients in ascending powers of λ.
    let asc = if is_lower(n, m) {
        let mut p = vec![1.0];
        for i in 0..n {
            let r = m[i * n + i];
            let mut q = vec![0.0; p.len() + 1];
            for (k, &c) in p.iter().enumerate() {
                q[k + 1] += c;
                q[k] -= r * c;
            }
            p = q;
        }
        p
    } else {
        let h = if n <= 2 {
            m.to_vec()
        } else {
            let hm = nalgebra::linalg::Hessenberg::new(nalgebra::DMatrix::from_row_slice(n, n, m)).unpack_h();
            (0..n * n).map(|k| hm[(k / n, k % n)]).collect()
        };
        // p_j = det(λI − H_{1..j}) = (λ − h_jj)p_{j−1} − Σ_{i<j} h_ij (Π_{k=i+1}^{j} h_{k,k−1}) p_{i−1}.
        let mut ps: Vec<Vec<f64>> = vec![vec![1.0]];
        for j in 0..n {
            let prev = &ps[j];
            let mut p = vec![0.0; j + 2];
            for (k, &c) in prev.iter().enumerate() {
                p[k + 1] += c;
                p[k] -= h[j * n + j] * c;
            }
            let mut prod = 1.0;
            for i in (0..j).rev() {
                prod *= h[(i + 1) * n + i];
                let coef = h[i * n + j] * prod;
                for (k, &c) in ps[i].iter().enumerate() {
                    p[k] -= coef * c;
                }
            }
            ps.push(p);
        }
        ps.pop().unwrap_or_default()
    };
    let c: Vec<f64> = asc.iter().rev().skip(1).copied().collect();
    c.iter().all(|v| v.is_finite()).then_some(c)
}

/// The RFT coefficients of (Ā, B̄, C̃): a = charpoly(Ā), b = charpoly(Ā − B̄C̃ᵀ) − a (so that
/// G_L(z) = (b₁ + b₂z + … + b_dz^{d−1})/(1 + a₁z + … + a_dz^d), post 10180 via det(I + UV) =
/// det(I + VU)).
fn rft_coefficients(sys: &Ssm, c_tilde: &[f64]) -> Option<(Vec<f64>, Vec<f64>)> {
    let d = sys.d;
    let a = charpoly(d, &sys.a_bar)?;
    let shifted: Vec<f64> = (0..d * d).map(|k| sys.a_bar[k] - sys.b_bar[k / d] * c_tilde[k % d]).collect();
    let full = charpoly(d, &shifted)?;
    Some((a.clone(), full.iter().zip(&a).map(|(p, q)| p - q).collect()))
}

/// C̄ = (I − Ā^L)^{−ᵀ}b for the companion realisation (Ā^L by repeated squaring). None if Ā^L
/// leaves [`BOUND`] (roots outside the unit circle) or I − Ā^L is numerically singular (a root at an
/// L-th root of unity).
fn rft_readout(d: usize, ab: &[f64], b: &[f64], l: usize) -> Option<Vec<f64>> {
    let a = nalgebra::DMatrix::from_row_slice(d, d, ab);
    let mut pow = nalgebra::DMatrix::<f64>::identity(d, d);
    let (mut base, mut e) = (a, l);
    while e > 0 {
        if e & 1 == 1 {
            pow = &pow * &base;
        }
        e >>= 1;
        if e > 0 {
            base = &base * &base;
        }
        if pow.iter().chain(base.iter()).any(|&v| out_of_bound(v)) {
            return None;
        }
    }
    let m = (nalgebra::DMatrix::<f64>::identity(d, d) - pow).transpose();
    let lu = m.clone().full_piv_lu();
    if !lu.is_invertible() {
        return None;
    }
    let x = lu.solve(&nalgebra::DVector::from_column_slice(b))?;
    let x: Vec<f64> = x.iter().copied().collect();
    // A relative residual above 1e-6 means I − Ā^L was singular to working precision.
    let resid = (0..d).map(|i| ((0..d).map(|j| m[(i, j)] * x[j]).sum::<f64>() - b[i]).abs()).fold(0.0, f64::max);
    let scale = b.iter().fold(0.0f64, |s, v| s.max(v.abs())).max(1e-300);
    (x.iter().all(|v| v.is_finite()) && resid <= 1e-6 * scale).then_some(x)
}

/// The input samples u_0..u_{L−1} (L clamped to 1..=[`MAX_L`]); `seed` only matters for noise,
/// `knots` only for a drawn input.
pub fn input(kind: Input, l: usize, seed: u64, knots: &[f64]) -> Vec<f64> {
    let l = l.clamp(1, MAX_L);
    if kind == Input::Drawn {
        return drawn(knots, l);
    }
    let mut rng = Rng::stream(seed, 7);
    (0..l)
        .map(|k| {
            let r = k as f64 / l as f64;
            match kind {
                Input::Step => f64::from(u8::from(r >= 0.5)),
                Input::Sine => (2.0 * std::f64::consts::PI * 3.0 * r).sin(),
                Input::Chirp => (2.0 * std::f64::consts::PI * (r + 7.5 * r * r)).sin(),
                Input::Noise => rng.normal(),
                Input::Drawn => 0.0,
            }
        })
        .collect()
}

/// A drawn input on L steps: the curve through `knots` equally spaced over [0, L] (the first at
/// s = 0, the last at s = L; linear between), read at each step's midpoint k + ½, the value held
/// on [k, k + 1). One knot is a constant, none is zero; non-finite knots count as 0.
pub fn drawn(knots: &[f64], l: usize) -> Vec<f64> {
    let l = l.clamp(1, MAX_L);
    (0..l).map(|k| knot_curve(knots, (k as f64 + 0.5) / l as f64)).collect()
}

/// The curve through `knots` equally spaced on [0, 1] (linear between) at r ∈ [0, 1]: one knot is
/// a constant, none is zero; non-finite knots count as 0.
pub fn knot_curve(knots: &[f64], r: f64) -> f64 {
    let at = |i: usize| knots.get(i).copied().filter(|v| v.is_finite()).unwrap_or(0.0);
    match knots.len() {
        0 => 0.0,
        1 => at(0),
        n => {
            let x = r.clamp(0.0, 1.0) * (n - 1) as f64;
            let i = (x.floor() as usize).min(n - 2);
            at(i) + (at(i + 1) - at(i)) * (x - i as f64)
        }
    }
}

/// Legendre polynomials P_0..P_{n−1} at ξ by the three-term recurrence (stable on [−1, 1]).
pub fn legendre(n: usize, xi: f64) -> Vec<f64> {
    let mut p = Vec::with_capacity(n);
    let (mut p0, mut p1) = (1.0, xi);
    for k in 0..n {
        p.push(p0);
        let p2 = ((2 * k + 3) as f64 * xi * p1 - (k + 1) as f64 * p0) / (k + 2) as f64;
        (p0, p1) = (p1, p2);
    }
    p
}

/// How past times s ≤ t map to the Legendre variable ξ ∈ [−1, 1].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Warp {
    /// LegS online: ξ = 2s/t − 1 (uniform memory of [0, t]).
    Uniform,
    /// S4 with step ε: ξ = 2e^{ε(s−t)} − 1 (memory weight e^{ε(s−t)}: recent past sharp, far past
    /// squeezed against ξ = −1).
    Exp(f64),
}

impl Warp {
    /// ξ for step time s at cursor t (steps).
    pub fn xi(self, s: f64, t: f64) -> f64 {
        match self {
            Warp::Uniform => {
                if t > 0.0 {
                    2.0 * s / t - 1.0
                } else {
                    -1.0
                }
            }
            Warp::Exp(eps) => 2.0 * (eps * (s - t)).exp() - 1.0,
        }
    }
}

/// The exact Legendre coefficients x_n = ½√(2n+1) ∫ u P_n dξ of the held input u_0..u_{t−1} over the
/// warped window, n = 0..d−1: with ∫P_n = (P_{n+1} − P_{n−1})/(2n+1), each step contributes
/// u_k·[Q_n(ξ_{k+1}) − Q_n(ξ_k)], O(t·d). For `Uniform` this is the LegS online state at t (which the
/// ODE x′ = (Ax + Bu)/t preserves exactly — it is singular at t = 0, so nothing integrates from
/// there); for `Exp(ε)` it is the state of x′ = Ax + Bu with LegS A (what ZOH computes).
pub fn projection(u: &[f64], t: usize, d: usize, warp: Warp) -> Vec<f64> {
    let (t, d) = (t.min(u.len()), d.clamp(1, MAX_D));
    let mut x = vec![0.0; d];
    if t == 0 {
        return x;
    }
    let q = |xi: f64| -> Vec<f64> {
        let p = legendre(d + 1, xi);
        (0..d).map(|n| if n == 0 { xi } else { (p[n + 1] - p[n - 1]) / (2 * n + 1) as f64 }).collect()
    };
    let mut lo = q(warp.xi(0.0, t as f64));
    for (k, &uk) in u[..t].iter().enumerate() {
        let hi = q(warp.xi((k + 1) as f64, t as f64));
        for n in 0..d {
            x[n] += uk * (hi[n] - lo[n]);
        }
        lo = hi;
    }
    for (n, v) in x.iter_mut().enumerate() {
        *v *= 0.5 * ((2 * n + 1) as f64).sqrt();
    }
    x
}

/// Nodes and weights of n-point Gauss–Legendre quadrature on [−1, 1] (Newton on P_n, ~1e-15).
pub fn gauss_legendre(n: usize) -> (Vec<f64>, Vec<f64>) {
    let n = n.max(1);
    let (mut x, mut w) = (vec![0.0; n], vec![0.0; n]);
    for i in 0..n.div_ceil(2) {
        let mut z = (std::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
        let mut dp = 1.0;
        for _ in 0..100 {
            let (mut p0, mut p1) = (1.0, z);
            for k in 1..n {
                let p2 = ((2 * k + 1) as f64 * z * p1 - k as f64 * p0) / (k + 1) as f64;
                (p0, p1) = (p1, p2);
            }
            let pn = if n == 1 { z } else { p1 };
            let pm = if n == 1 { 1.0 } else { p0 };
            dp = n as f64 * (z * pn - pm) / (z * z - 1.0);
            let dz = pn / dp;
            z -= dz;
            if dz.abs() < 1e-16 {
                break;
            }
        }
        x[i] = -z;
        x[n - 1 - i] = z;
        w[i] = 2.0 / ((1.0 - z * z) * dp * dp);
        w[n - 1 - i] = w[i];
    }
    (x, w)
}

/// The Legendre projection of a function f on [0, t] (LegS online state at t for input f), by
/// `nodes`-point Gauss–Legendre quadrature — exact for polynomials of degree < 2·nodes − d.
pub fn projection_of(f: impl Fn(f64) -> f64, t: f64, d: usize, nodes: usize) -> Vec<f64> {
    let d = d.clamp(1, MAX_D);
    let (xs, ws) = gauss_legendre(nodes);
    let mut x = vec![0.0; d];
    for (&xi, &w) in xs.iter().zip(&ws) {
        let fv = f(t * (xi + 1.0) / 2.0);
        for (n, p) in legendre(d, xi).iter().enumerate() {
            x[n] += 0.5 * w * fv * p;
        }
    }
    for (n, v) in x.iter_mut().enumerate() {
        *v *= ((2 * n + 1) as f64).sqrt();
    }
    x
}

/// The reconstruction Σ_n x_n√(2n+1)P_n(ξ) at ξ (see [`Warp::xi`]).
pub fn reconstruct(x: &[f64], xi: f64) -> f64 {
    legendre(x.len(), xi).iter().zip(x).enumerate().map(|(n, (p, c))| c * ((2 * n + 1) as f64).sqrt() * p).sum()
}

/// LegS online by recurrence on the step grid: the exact first step x₁ = u₀e₀ (the projection of a
/// constant; the ODE is singular at t = 0), then steps of x′ = Ax + Bu in τ = ln t, of length
/// ln((k+1)/k), with `disc`. ZOH of the held input is exact in τ, so `Zoh` returns the closed-form
/// [`projection`] (tested equal to the stepped ZOH); bilinear is second order, Euler first order
/// and unstable for the first steps once d > 2/ln 2 (it amplifies early errors by up to ~d^k/k!).
/// Stops at [`BOUND`].
pub fn legs_online_state(u: &[f64], t: usize, d: usize, disc: Disc) -> Vec<f64> {
    let (t, d) = (t.min(u.len()), d.clamp(1, MAX_D));
    if disc == Disc::Zoh {
        return projection(u, t, d, Warp::Uniform);
    }
    let (a, b) = legs(d);
    let mut x = vec![0.0; d];
    if t == 0 {
        return x;
    }
    x[0] = u[0];
    let mut rhs = vec![0.0; d];
    for (k, &uk) in u.iter().enumerate().take(t).skip(1) {
        let dt = ((k + 1) as f64 / k as f64).ln();
        // f = Ax + Bu; Euler: x += δf; bilinear: (I − δA/2)x' = x + δ(Ax/2 + Bu).
        for i in 0..d {
            let ax = dot(&a[i * d..i * d + i + 1], &x);
            rhs[i] = match disc {
                Disc::Euler => x[i] + dt * (ax + b[i] * uk),
                _ => x[i] + dt * (0.5 * ax + b[i] * uk),
            };
        }
        if disc == Disc::Bilinear {
            for i in 0..d {
                let s = dot(&a[i * d..i * d + i], &rhs[..i]);
                rhs[i] = (rhs[i] + 0.5 * dt * s) / (1.0 - 0.5 * dt * a[i * d + i]);
            }
        }
        if rhs.iter().any(|&v| out_of_bound(v)) {
            break;
        }
        x.copy_from_slice(&rhs);
    }
    x
}

/// S = A + ½BBᵀ + ½I for LegS (skew-symmetric: the normal part in A = S − ½I − ½BBᵀ, the DPLR form).
pub fn legs_normal_part(d: usize) -> Vec<f64> {
    let (a, b) = legs(d);
    (0..d * d).map(|k| a[k] + 0.5 * b[k / d] * b[k % d] + if k / d == k % d { 0.5 } else { 0.0 }).collect()
}

/// The symmetric eigendecomposition of [[0, −S], [S, 0]] (2d × 2d, d already clamped), the real
/// form of the Hermitian iS for LegS's skew part S. None if the solver fails.
fn skew_real_form_eigen(d: usize) -> Option<nalgebra::linalg::SymmetricEigen<f64, nalgebra::Dyn>> {
    let s = legs_normal_part(d);
    let n = 2 * d;
    let mut h = nalgebra::DMatrix::<f64>::zeros(n, n);
    for i in 0..d {
        for j in 0..d {
            h[(i, d + j)] = -s[i * d + j];
            h[(d + i, j)] = s[i * d + j];
        }
    }
    nalgebra::linalg::SymmetricEigen::try_new(h, f64::EPSILON, 10_000 * n)
}

/// The frequencies ω ≥ 0 of the eigenvalues ±iω of LegS's skew part S (sorted ascending, one per
/// conjugate pair, a 0 for odd d), from the symmetric 2d×2d matrix [[0, −S], [S, 0]] — the real form
/// of the Hermitian iS, whose eigenvalues ∓ω a symmetric solver finds to absolute accuracy ~ε‖S‖
/// (unitary diagonalisation is well conditioned; LegS's own is not). None if the solver fails.
pub fn legs_skew_frequencies(d: usize) -> Option<Vec<f64>> {
    let d = d.clamp(1, MAX_D);
    let eig = skew_real_form_eigen(d)?;
    let mut w: Vec<f64> = eig.eigenvalues.iter().copied().filter(|v| *v >= 0.0 || v.abs() < 1e-12).map(f64::abs).collect();
    w.sort_by(f64::total_cmp);
    // Each ω of iS appears twice in the real form; every ω > 0 once more as −ω (dropped above).
    let mut out = Vec::with_capacity(d);
    let mut i = 0;
    while i < w.len() {
        out.push(w[i]);
        i += 2;
    }
    out.truncate(d.div_ceil(2));
    Some(out)
}

/// The unitary route's side of the eigenvector wall: for each row n the smallest and the largest
/// modulus |U_nj| over the unit eigenvectors U_·j of LegS's skew part S (A = S − ½I − ½BBᵀ, so
/// S = UΛU* is the DPLR route). From the real symmetric form [[0, −S], [S, 0]] of the Hermitian iS:
/// its unit eigenvector (x; y) for the eigenvalue ω is w = x + iy with iSw = ωw, and every unit
/// vector of that (two-dimensional) eigenspace is a unit multiple of w, so √(x_n² + y_n²) = |w_n|
/// whichever basis the solver picks. S is well separated, so this is accurate to ~ε‖S‖; the LegS
/// eigenvectors themselves span 2^{−4d/3}. None if the solver fails.
pub fn legs_unitary_moduli(d: usize) -> Option<Vec<(f64, f64)>> {
    let d = d.clamp(1, MAX_D);
    let (n, eig) = (2 * d, skew_real_form_eigen(d)?);
    let v = &eig.eigenvectors;
    let mut out = vec![(f64::INFINITY, 0.0f64); d];
    for j in 0..n {
        for (i, o) in out.iter_mut().enumerate() {
            let m = v[(i, j)].hypot(v[(d + i, j)]);
            *o = (o.0.min(m), o.1.max(m));
        }
    }
    out.iter().all(|(a, b)| a.is_finite() && b.is_finite()).then_some(out)
}

/// The partial sums S_n = Σ_{k≤n}√(2k+1)v_k, n = 0..d−1, of the LegS eigenvector v for eigenvalue
/// −λ (λ = 1..d), normalised to S_{d−1} = 1, by the recurrence S_{n−1} = (λ−n−1)/(λ+n)·S_n (exact
/// zeros for n < λ − 1). They fall like 2^{−4d/3} at n ≈ d/3: why LegS's eigenvectors are useless
/// numerically. Empty for λ outside 1..=d.
pub fn legs_eigvec_sums(d: usize, lambda: usize) -> Vec<f64> {
    if lambda == 0 || lambda > d {
        return Vec::new();
    }
    let mut s = vec![0.0; d];
    s[d - 1] = 1.0;
    for n in (1..d).rev() {
        s[n - 1] = (lambda as f64 - n as f64 - 1.0) / (lambda as f64 + n as f64) * s[n];
    }
    s
}

/// The closed form S_n = (−1)^{d−n−1}(d−λ)!(n+λ)!/((d+λ−1)!(n−λ+1)!) (n ≥ λ − 1, else 0), by sums
/// of logarithms (the factorials overflow f64 from 171!).
pub fn legs_eigvec_sum_closed(d: usize, lambda: usize, n: usize) -> f64 {
    if lambda == 0 || lambda > d || n >= d || n + 1 < lambda {
        return 0.0;
    }
    let lnf = |m: usize| (2..=m).map(|k| (k as f64).ln()).sum::<f64>();
    let v = (lnf(d - lambda) + lnf(n + lambda) - lnf(d + lambda - 1) - lnf(n + 1 - lambda)).exp();
    if (d - n - 1) % 2 == 1 {
        -v
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::rng::Rng;
    use crate::math::rnn::tests::printed;
    use proptest::prelude::*;

    /// The kernels' dot product: four sums over stride-4 lanes, paired, then the tail, bit for
    /// bit (every reference value and golden was made with this order).
    #[test]
    fn dot_sums_four_lanes_then_the_tail() {
        for n in 0..23 {
            let a: Vec<f64> = (0..n).map(|k| (0.37 * k as f64 + 0.1).sin() * 10f64.powi(k as i32 % 7 - 3)).collect();
            let b: Vec<f64> = (0..n).map(|k| (1.3 * k as f64 - 0.4).cos()).collect();
            let lane = |l: usize| (l..n - n % 4).step_by(4).fold(0.0, |s, k| s + a[k] * b[k]);
            let tail: f64 = (n - n % 4..n).map(|k| a[k] * b[k]).sum();
            let want = (lane(0) + lane(1)) + (lane(2) + lane(3)) + tail;
            assert_eq!(dot(&a, &b).to_bits(), want.to_bits(), "n = {n}");
        }
    }

    fn c(re: f64) -> C64 {
        C64::new(re, 0.0)
    }

    fn max_abs(v: &[f64]) -> f64 {
        v.iter().fold(0.0, |a, x| a.max(x.abs()))
    }

    fn max_diff(a: &[f64], b: &[f64]) -> f64 {
        assert_eq!(a.len(), b.len());
        a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
    }

    fn s4(d: usize, disc: Disc, eps: f64, c: Option<Vec<f64>>) -> Ssm {
        Ssm::new(&SsmParams { basis: Basis::S4, d, disc, eps, l: 16, c, rft_a: vec![] }).unwrap()
    }

    #[test]
    fn w2_t7_t8_legs_matrix_and_its_skew_part() {
        let (a, _) = legs(4);
        let want = [
            ["-1", "0", "0", "0"],
            ["-1.7320508076", "-2", "0", "0"],
            ["-2.2360679775", "-3.8729833462", "-3", "0"],
            ["-2.6457513111", "-4.5825756950", "-5.9160797831", "-4"],
        ];
        for (i, row) in want.iter().enumerate() {
            for (j, w) in row.iter().enumerate() {
                assert!(printed(a[i * 4 + j], w), "A[{i}][{j}] = {}", a[i * 4 + j]);
            }
        }
        let s = legs_normal_part(4);
        let skew = (0..16).map(|k| (s[k] + s[(k % 4) * 4 + k / 4]).abs()).fold(0.0, f64::max);
        assert!(skew <= 9e-16, "{skew}");
        // eig(A) = −1..−4 from the triangular structure.
        let sys = Ssm::from_matrices(4, &a, &[0.0; 4], &[0.0; 4]).unwrap();
        let ev: Vec<f64> = sys.eigenvalues().unwrap().iter().map(|z| z.re).collect();
        assert_eq!(ev, vec![-1.0, -2.0, -3.0, -4.0]);
        let w = legs_skew_frequencies(4).unwrap();
        assert!(printed(w[0], "0.5565011151") && printed(w[1], "4.6032930071"), "{w:?}");
        assert_eq!(legs_skew_frequencies(3).unwrap().len(), 2);
    }

    #[test]
    fn w2_t9_eigenvector_wall() {
        for (d, want, ratio) in [(12, "1.2432012432e-3", 1.96), (24, "5.323747128e-8", 1.94), (48, "3.49226001e-17", 1.937)] {
            let m = d / 3;
            let closed = legs_eigvec_sum_closed(d, m, m).abs();
            let rec = legs_eigvec_sums(d, m)[m].abs();
            assert!(printed(closed, want) && printed(rec, want), "d = {d}: {closed} / {rec}");
            let r = closed / ((d as f64).powf(1.5) * 2f64.powf(-4.0 * d as f64 / 3.0));
            assert!((r - ratio).abs() < 0.006, "d = {d}: {r}");
        }
        // Recurrence and closed form agree everywhere (zeros below n = λ − 1).
        for (d, lam) in [(10, 1), (10, 4), (30, 10), (64, 21), (64, 64)] {
            let s = legs_eigvec_sums(d, lam);
            for (n, v) in s.iter().enumerate() {
                let w = legs_eigvec_sum_closed(d, lam, n);
                assert!((v - w).abs() <= 1e-12 * w.abs() + 1e-300, "d {d} λ {lam} n {n}: {v} vs {w}");
            }
            // And they are the eigenvector: A v = −λ v with w_k = S_k − S_{k−1}, v_k = w_k/√(2k+1).
            let (a, _) = legs(d);
            let v: Vec<f64> = (0..d).map(|k| (s[k] - if k > 0 { s[k - 1] } else { 0.0 }) / ((2 * k + 1) as f64).sqrt()).collect();
            for i in 0..d {
                let av: f64 = (0..d).map(|j| a[i * d + j] * v[j]).sum();
                assert!((av + lam as f64 * v[i]).abs() <= 1e-9 * max_abs(&v), "d {d} λ {lam} row {i}");
            }
        }
        assert!(legs_eigvec_sums(5, 0).is_empty() && legs_eigvec_sums(5, 6).is_empty());
    }

    #[test]
    fn w2_t10_to_t13_bilinear_kernel() {
        let sys = s4(4, Disc::Bilinear, 0.1, None);
        for (i, w) in ["0.9047619048", "0.8181818182", "0.7391304348", "0.6666666667"].iter().enumerate() {
            assert!(printed(sys.a_bar[i * 5], w), "diag {i}");
        }
        assert!(sys.a_bar[5] == 9.0 / 11.0 || printed(sys.a_bar[5], "0.8181818182"));
        for (v, w) in sys.b_bar.iter().zip(["0.0952380952", "0.1499611089", "0.1599295749", "0.1419234187"]) {
            assert!(printed(*v, w), "B̄ {v} vs {w}");
        }
        let k = sys.kernels(16);
        for (v, w) in k.kernel().iter().zip(["0.0424995072", "0.0497530505", "0.0494916336", "0.0463568173"]) {
            assert!(printed(*v, w), "K̄ {v} vs {w}");
        }
        // T11: recurrence = convolution.
        let u: Vec<f64> = (0..16).map(|k| (0.4 * k as f64).cos()).collect();
        let y = sys.outputs(&u);
        for (v, w) in y.iter().zip(["0.0424995072", "0.0888976888", "0.1249269196"]) {
            assert!(printed(*v, w), "y {v} vs {w}");
        }
        let conv = crate::math::fft::causal_convolve(k.kernel(), &u);
        assert!(max_diff(&y, &conv) <= 2e-16, "{}", max_diff(&y, &conv));
        // T12: G(0.5) by the series, the resolvent and the continuous bilinear form.
        let series: f64 =
            s4(4, Disc::Bilinear, 0.1, None).kernels(400).kernel().iter().enumerate().map(|(k, v)| v * 0.5f64.powi(k as i32)).sum();
        let resolvent = sys.transfer(c(0.5)).unwrap();
        let (a, b) = legs(4);
        let cc = default_readout(4);
        let w = 2.0 / 0.1 * 0.5 / 1.5;
        let m: Vec<f64> = (0..16).map(|k| if k / 4 == k % 4 { w } else { 0.0 } - a[k]).collect();
        let x = lower_solve(4, &m, &b, 1);
        let form = 2.0 / 1.5 * cc.iter().zip(&x).map(|(p, q)| p * q).sum::<f64>();
        for g in [series, resolvent.re, form] {
            assert!(printed(g, "0.0905493266"), "{g}");
        }
        assert!((resolvent.re - form).abs() < 1e-16 && resolvent.im == 0.0);
        // T13: the DFT of the kernel is the truncated generating function at the roots of unity.
        let kp = k.route(Route::Powers).unwrap();
        let kd = k.route(Route::Dft).unwrap();
        assert!(max_diff(kp, kd) <= 2.2e-16, "{}", max_diff(kp, kd));
        assert!(k.max_route_diff().unwrap() < 1e-14, "{:?}", k.max_route_diff());
    }

    #[test]
    fn w2_t14_t15_online_legs_projection() {
        let f = |s: f64| (2.0 * std::f64::consts::PI * s).sin() + 0.5 * s;
        let x = projection_of(f, 1.0, 8, 64);
        let want = ["0.25", "-0.4069913281", "0", "0.4377742940", "0", "-0.0661182862", "0", "0.0042970148"];
        for (v, w) in x.iter().zip(want) {
            assert!(printed(*v, w), "{v} vs {w}");
        }
        // "By ODE": the online recurrence on midpoint samples converges to the projection at second
        // order (bilinear in log time), from a start that is exact (no integration from t = 0).
        let errs: Vec<f64> = [1024usize, 2048, 4096]
            .iter()
            .map(|&n| {
                let u: Vec<f64> = (0..n).map(|k| f((k as f64 + 0.5) / n as f64)).collect();
                max_diff(&legs_online_state(&u, n, 8, Disc::Bilinear), &x)
            })
            .collect();
        assert!(errs[2] < 2e-6 && errs[0] / errs[1] > 3.5 && errs[1] / errs[2] > 3.5, "{errs:?}");
        // T15: reconstruction error on a grid of 2001 points.
        let err = (0..=2000).map(|i| i as f64 / 2000.0).map(|s| (reconstruct(&x, 2.0 * s - 1.0) - f(s)).abs()).fold(0.0, f64::max);
        assert!(printed(err, "6.6497e-4"), "{err}");
    }

    #[test]
    fn zoh_is_exact_for_held_inputs_both_online_and_s4() {
        let u = input(Input::Chirp, 40, 0, &[]);
        let d = 6;
        let (a, b) = legs(d);
        // Online LegS, stepped with ZOH in log time (one exponential per step) = the closed form.
        let mut x = vec![0.0; d];
        x[0] = u[0];
        for (k, &uk) in u.iter().enumerate().skip(1) {
            let (ab, bb) = discretise(d, &a, &b, Disc::Zoh, ((k + 1) as f64 / k as f64).ln()).unwrap();
            let sys = Ssm::from_matrices(d, &ab, &bb, &[0.0; 6]).unwrap();
            let mut nx = vec![0.0; d];
            sys.step(&x, uk, &mut nx);
            x = nx;
        }
        let exact = projection(&u, 40, d, Warp::Uniform);
        assert!(max_diff(&x, &exact) < 1e-13, "{}", max_diff(&x, &exact));
        assert_eq!(legs_online_state(&u, 40, d, Disc::Zoh), exact);
        // S4 with ZOH: the state is the e^{ε(s−t)}-warped projection (τ = ln t turns one into the other).
        let mut bilinear_errs = Vec::new();
        for eps in [0.05, 0.3, 1.0] {
            let sys = s4(d, Disc::Zoh, eps, None);
            let xs = sys.state_after(&u, 40);
            let xp = projection(&u, 40, d, Warp::Exp(eps));
            assert!(max_diff(&xs, &xp) < 1e-13, "ε = {eps}: {}", max_diff(&xs, &xp));
            // Bilinear is not exact (for a smooth input too) …
            let sine = input(Input::Sine, 40, 0, &[]);
            let xb = s4(d, Disc::Bilinear, eps, None).state_after(&sine, 40);
            let err = max_diff(&xb, &projection(&sine, 40, d, Warp::Exp(eps)));
            assert!(err > 1e-6, "ε = {eps}: {err}");
            bilinear_errs.push(err);
        }
        // … and worse for larger steps (‖εA‖ reaches 1 here already at ε = 0.05·d, so no clean order).
        assert!(bilinear_errs.windows(2).all(|w| w[0] < w[1]), "{bilinear_errs:?}");
    }

    #[test]
    fn matrix_exponential_against_closed_forms() {
        // Diagonal: exp of the entries; 2×2 Jordan-like lower block: e^{a}[[1, 0], [c, 1]].
        let e = expm_lower(2, &[-3.0, 0.0, 2.0, -3.0]).unwrap();
        let want = [(-3f64).exp(), 0.0, 2.0 * (-3f64).exp(), (-3f64).exp()];
        assert!(max_diff(&e, &want) < 1e-16, "{e:?}");
        // Distinct eigenvalues a, b: off-diagonal c(e^a − e^b)/(a − b); a large norm forces squarings.
        let (a, bb, cc) = (-40.0, -0.5, 300.0);
        let e = expm_lower(2, &[a, 0.0, cc, bb]).unwrap();
        let off = cc * (a.exp() - bb.exp()) / (a - bb);
        assert!((e[2] - off).abs() <= 1e-14 * off.abs() && e[1] == 0.0, "{e:?} vs {off}");
        // ZOH B̄ = A⁻¹(e^{εA} − I)B for the diagonal basis, where everything is scalar.
        let sys = Ssm::new(&SsmParams { basis: Basis::Diagonal, d: 5, disc: Disc::Zoh, eps: 0.7, ..SsmParams::default() }).unwrap();
        for n in 0..5 {
            let lam = -((n + 1) as f64);
            let want = (0.7 * lam).exp_m1() / lam * ((2 * n + 1) as f64).sqrt();
            assert!((sys.b_bar[n] - want).abs() <= 4e-16 * want.abs(), "B̄_{n}: {} vs {want}", sys.b_bar[n]);
            assert_eq!(sys.a_bar[n * 6], (0.7 * lam).exp());
        }
        assert!(expm_lower(2, &[0.0, 1.0, 0.0, 0.0]).is_none());
        assert!(expm_lower(1, &[f64::NAN]).is_none());
    }

    #[test]
    fn w2_t16_t17_rational_transfer_function() {
        let ab = [0.5, 0.2, 0.0, -0.3, 0.4, 0.1, 0.1, 0.0, 0.3];
        let sys = Ssm::from_matrices(3, &ab, &[1.0, 0.5, -0.5], &[0.3, -0.2, 1.0]).unwrap();
        let k = sys.kernels(8);
        let want = ["-0.3", "0.16", "0.175", "0.1012", "0.04149", "0.010152", "-0.0017113", "-0.00411492"];
        for (v, w) in k.kernel().iter().zip(want) {
            assert!(printed(*v, w), "{v} vs {w}");
        }
        let (a, b) = k.coeffs.clone().unwrap();
        for (v, w) in a.iter().zip(["-1.2", "0.53", "-0.08"]) {
            assert!(printed(*v, w), "a {v}");
        }
        for (v, w) in b.iter().zip(["-0.2967812450", "0.5179559964", "-0.1756708064"]) {
            assert!(printed(*v, w), "b {v}");
        }
        let kr = k.route(Route::Rft).unwrap();
        assert!(max_diff(kr, k.route(Route::Powers).unwrap()) <= 1.1e-15);
        assert!(max_diff(k.route(Route::Dft).unwrap(), kr) <= 1.1e-15);
        // T17: the companion realisation reproduces the kernel with C̄ = (−0.3, 0.52, −0.176).
        let comp = Ssm::from_rft(&a, &b, 8);
        for (v, w) in comp.c_bar.as_ref().unwrap().iter().zip(["-0.3", "0.52", "-0.176"]) {
            assert!(printed(*v, w), "C̄ {v}");
        }
        let kc = comp.kernels(8);
        assert_eq!(kc.primary, Route::Rft);
        assert!(kc.max_route_diff().unwrap() < 2e-15, "{:?}", kc.max_route_diff());
        assert!(max_diff(kc.kernel(), k.kernel()) < 2e-15);
    }

    #[test]
    fn w2_t18_roots_and_the_shift_register() {
        for (a, sum, root) in [([0.3, -0.2, 0.4], "0.9", "0.9517379574"), ([-1.2, 0.53, -0.08], "1.81", "0.4941719095")] {
            let sys = Ssm::from_rft(&a, &[1.0, 0.0, 0.0], 16);
            assert!(printed(a.iter().map(|v: &f64| v.abs()).sum(), sum));
            assert!(printed(sys.spectral_radius().unwrap(), root), "{:?}", sys.spectral_radius());
        }
        // a = 0: a shift register; after inputs 1..6 with d = 4 the state is (6, 5, 4, 3).
        let sys = Ssm::from_rft(&[0.0; 4], &default_readout(4), 16);
        assert_eq!(sys.state_after(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 6), vec![6.0, 5.0, 4.0, 3.0]);
        // And its kernel is the numerator, then zeros.
        let k = sys.kernels(16);
        assert_eq!(&k.kernel()[..5], &[1.0, -0.5, 0.25, -0.125, 0.0]);
    }

    #[test]
    fn structured_resolvents_equal_a_dense_complex_solve() {
        let mut r = Rng::new(4);
        let (a, _) = legs(6);
        let lower =
            Ssm::from_matrices(6, &a.iter().map(|v| 0.1 * v).collect::<Vec<_>>(), &[1.0, -2.0, 0.5, 0.3, 0.0, 1.0], &default_readout(6))
                .unwrap();
        let comp = Ssm::from_rft(&[0.4, -0.3, 0.2, 0.1, -0.05, 0.3], &[1.0; 6], 32);
        let comp = Ssm::from_matrices(6, &comp.a_bar, &(0..6).map(|_| r.normal()).collect::<Vec<_>>(), &default_readout(6)).unwrap();
        let dense: Vec<f64> = (0..36).map(|_| 0.3 * r.normal()).collect();
        let general = Ssm::from_matrices(6, &dense, &[1.0; 6], &default_readout(6)).unwrap();
        for sys in [&lower, &comp, &general] {
            for z in [C64::new(0.5, 0.0), C64::from_polar(1.0, 0.7), C64::new(-0.9, 0.2)] {
                let m = nalgebra::DMatrix::from_fn(6, 6, |i, j| if i == j { c(1.0) } else { c(0.0) } - z * sys.a_bar[i * 6 + j]);
                let y = m.lu().solve(&nalgebra::DVector::from_fn(6, |i, _| c(sys.b_bar[i]))).unwrap();
                let want: C64 = (0..6).map(|i| c(sys.c_bar.as_ref().unwrap()[i]) * y[i]).sum();
                let got = sys.transfer(z).unwrap();
                assert!((got - want).norm() < 1e-13 * want.norm().max(1.0), "{got} vs {want}");
            }
        }
    }

    #[test]
    fn charpoly_of_known_matrices() {
        // Companion matrices have their defining polynomial.
        let a = [0.7, -1.3, 0.2, 2.0, -0.4];
        let comp = Ssm::from_rft(&a, &[1.0], 32);
        let got = charpoly(5, &comp.a_bar).unwrap();
        assert!(max_diff(&got, &a) < 1e-13, "{got:?}");
        // A similarity transform of diag(1, 2, 3): (λ−1)(λ−2)(λ−3) = λ³ − 6λ² + 11λ − 6.
        let p = nalgebra::Matrix3::new(1.0, 2.0, 0.5, -1.0, 1.0, 3.0, 0.0, 1.0, 1.0);
        let m = p * nalgebra::Matrix3::from_diagonal(&nalgebra::Vector3::new(1.0, 2.0, 3.0)) * p.try_inverse().unwrap();
        let rows: Vec<f64> = (0..9).map(|k| m[(k / 3, k % 3)]).collect();
        assert!(max_diff(&charpoly(3, &rows).unwrap(), &[-6.0, 11.0, -6.0]) < 1e-12);
        assert_eq!(charpoly(2, &[2.0, 0.0, 5.0, 3.0]).unwrap(), vec![-5.0, 6.0]);
        assert!(charpoly(1, &[f64::INFINITY]).is_none());
    }

    #[test]
    fn euler_leaves_the_unit_circle_past_two_over_d() {
        for d in [4usize, 16, 64] {
            for (eps, outside) in [(1.9 / d as f64, false), (2.1 / d as f64, true)] {
                let sys = Ssm::new(&SsmParams { basis: Basis::S4, d, disc: Disc::Euler, eps, ..SsmParams::default() }).unwrap();
                assert_eq!(sys.spectral_radius().unwrap() > 1.0, outside, "d {d} ε {eps}");
            }
        }
        // Bilinear and ZOH stay inside for any ε.
        for disc in [Disc::Bilinear, Disc::Zoh] {
            let sys = Ssm::new(&SsmParams { basis: Basis::S4, d: 64, disc, eps: 1.0, ..SsmParams::default() }).unwrap();
            assert!(sys.spectral_radius().unwrap() < 1.0);
        }
        // ε = 1, d = 64: |1 − 64| = 63 per step — the kernel is reported as blown up, not returned as ∞.
        let sys = Ssm::new(&SsmParams { basis: Basis::S4, d: 64, disc: Disc::Euler, eps: 1.0, l: 1024, ..SsmParams::default() }).unwrap();
        let k = sys.kernels(1024);
        assert!(k.blowup.is_some() && !k.powers_full && k.kernel().len() < 1024 && k.kernel().iter().all(|v| v.is_finite()));
    }

    #[test]
    fn input_signals() {
        let step = input(Input::Step, 8, 0, &[]);
        assert_eq!(step, vec![0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0]);
        assert_eq!(input(Input::Noise, 16, 3, &[]), input(Input::Noise, 16, 3, &[]));
        assert_ne!(input(Input::Noise, 16, 3, &[]), input(Input::Noise, 16, 4, &[]));
        assert!(input(Input::Chirp, 1024, 0, &[]).iter().all(|v| v.abs() <= 1.0));
        for b in [Basis::LegsOnline, Basis::S4, Basis::Diagonal, Basis::Rft] {
            assert_eq!(Basis::from_name(b.name()), Some(b));
        }
        assert_eq!(Disc::from_name("zoh"), Some(Disc::Zoh));
        assert_eq!(Input::from_name("drawn"), Some(Input::Drawn));
        assert_eq!(Input::from_name("scribble"), None);
        // A drawn input: linear between equally spaced knots, read at step midpoints.
        assert_eq!(input(Input::Drawn, 4, 0, &[0.0, 1.0]), vec![0.125, 0.375, 0.625, 0.875]);
        assert_eq!(drawn(&[0.0, 1.0, 0.0], 4), vec![0.25, 0.75, 0.75, 0.25]);
        assert_eq!(drawn(&[0.5], 3), vec![0.5; 3]);
        assert_eq!(drawn(&[], 2), vec![0.0; 2]);
        assert_eq!(drawn(&[f64::NAN, 1.0], 2), vec![0.25, 0.75]);
    }

    #[test]
    fn gauss_legendre_integrates_polynomials_exactly() {
        for n in [1usize, 2, 5, 16, 64] {
            let (x, w) = gauss_legendre(n);
            for deg in 0..2 * n {
                let got: f64 = x.iter().zip(&w).map(|(xi, wi)| wi * xi.powi(deg as i32)).sum();
                let want = if deg % 2 == 1 { 0.0 } else { 2.0 / (deg + 1) as f64 };
                assert!((got - want).abs() < 1e-14, "n {n} deg {deg}: {got}");
            }
        }
    }

    fn any_params() -> impl Strategy<Value = SsmParams> {
        (
            prop_oneof![Just(Basis::LegsOnline), Just(Basis::S4), Just(Basis::Diagonal), Just(Basis::Rft)],
            0usize..70,
            prop_oneof![Just(Disc::Bilinear), Just(Disc::Zoh), Just(Disc::Euler)],
            prop_oneof![1e-12f64..1e-3, 1e-3f64..1.0, 1.0f64..1e5, Just(f64::NAN), Just(f64::INFINITY), Just(0.0), Just(-1.0)],
            0usize..1100,
            proptest::collection::vec(-2.5f64..2.5, 0..8),
        )
            .prop_map(|(basis, d, disc, eps, l, rft_a)| SsmParams { basis, d, disc, eps, l, c: None, rft_a })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]
        #[test]
        fn never_nan_never_panic(p in any_params(), t in 0usize..1100, kind in 0usize..4) {
            let sys = Ssm::new(&p);
            prop_assert!(sys.is_some());
            let sys = sys.unwrap();
            let k = sys.kernels(p.l);
            prop_assert!(k.kernel().iter().all(|v| v.is_finite()));
            prop_assert!(k.max_route_diff().is_none_or(|v| v.is_finite()));
            for r in [Route::Powers, Route::Dft, Route::Rft] {
                prop_assert!(k.route(r).is_none_or(|v| v.len() == k.l && v.iter().all(|x| x.is_finite())));
            }
            prop_assert!(sys.a_bar.iter().chain(&sys.b_bar).all(|v| v.is_finite()));
            if let Some(ev) = sys.eigenvalues() {
                prop_assert!(ev.iter().all(|z| z.re.is_finite() && z.im.is_finite()));
            }
            let kinds = [Input::Step, Input::Sine, Input::Chirp, Input::Noise];
            let u = input(kinds[kind], p.l, 1, &[]);
            prop_assert!(sys.state_after(&u, t).iter().all(|v| v.is_finite()));
            prop_assert!(sys.outputs(&u).iter().all(|v| v.is_finite()));
            let ps = p.sanitized();
            for disc in [Disc::Bilinear, Disc::Zoh, Disc::Euler] {
                prop_assert!(legs_online_state(&u, t, ps.d, disc).iter().all(|v| v.is_finite()));
            }
            let x = projection(&u, t, ps.d, Warp::Exp(ps.eps));
            prop_assert!(x.iter().all(|v| v.is_finite()));
            prop_assert!(reconstruct(&x, Warp::Exp(ps.eps).xi(0.0, t as f64)).is_finite());
        }

        #[test]
        fn stable_routes_agree(d in 1usize..20, eps in 0.01f64..1.0, l in 8usize..300, disc in 0usize..2, basis in 0usize..2) {
            let disc = [Disc::Bilinear, Disc::Zoh][disc];
            let basis = [Basis::S4, Basis::Diagonal][basis];
            let sys = Ssm::new(&SsmParams { basis, d, disc, eps, l, ..SsmParams::default() }).unwrap();
            let k = sys.kernels(l);
            let scale = max_abs(k.kernel());
            let (p, q) = (k.route(Route::Powers).unwrap(), k.route(Route::Dft).unwrap());
            prop_assert!(max_diff(p, q) <= 1e-13 * scale, "{}", max_diff(p, q) / scale);
            // The kernel is the impulse response of the recurrence.
            let mut imp = vec![0.0; l];
            imp[0] = 1.0;
            let y = sys.outputs(&imp);
            prop_assert!(max_diff(&y, p) <= 1e-15 * scale.max(1.0));
        }
    }
}
