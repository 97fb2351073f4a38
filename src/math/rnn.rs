//! A nonlinear RNN x_t = tanh(A x_{t−1} + u_t), x₀ = 0, computed by sweeps of linear recurrences
//! (post 9783; wave-2 spec §W2 mode `rnn`). Sweep n starts from the previous iterate x⁽ⁿ⁻¹⁾
//! (x⁽⁰⁾ ≡ 0) and solves x_t⁽ⁿ⁾ = M_t x_{t−1}⁽ⁿ⁾ + b_t with b_t = tanh(A x_{t−1}⁽ⁿ⁻¹⁾ + u_t) − M_t x_{t−1}⁽ⁿ⁻¹⁾
//! by an associative scan ([`crate::math::scan`]):
//! - `plain`: M_t = A;
//! - `sech_u`: M_t = diag(sech²u_t)·A, the Jacobian at x = 0 (fixed over sweeps);
//! - `newton` (DEER): M_t = diag(sech²(A x_{t−1}⁽ⁿ⁻¹⁾ + u_t))·A, the Jacobian at the last iterate —
//!   Newton's method on the whole sequence, quadratic convergence.
//!
//! Whatever M_t, the fixed point is the RNN's solution, and causality makes x_1..x_n exact after n
//! sweeps (b_t depends on x_{t−1}⁽ⁿ⁻¹⁾ only), so T sweeps always suffice. Between the two nothing is
//! promised: plain sweeps can raise the error first, and with ρ(A) > 1 they can blow up, which is
//! reported (sweep and position) and stops the run.

use crate::math::rng::Rng;
use crate::math::scan::{mat_vec_add, Pyramid, ScanCost};

/// Longest sequence accepted (longer ones are cut): the lab's slider ends at 512.
pub const MAX_T: usize = 4096;
/// Largest state size accepted (larger is clamped): the lab's slider ends at 8.
pub const MAX_D: usize = 16;
/// Largest |A| entry scale and input amplitude accepted: beyond, A·x can overflow for d = 16.
pub const MAX_SCALE: f64 = 1e6;
/// An iterate with a coordinate beyond this is declared diverged. The true solution lies in
/// [−1, 1]^d; an iterate 10⁸ times larger has lost every digit of b_t = tanh(·) − M_t x_{t−1} in the
/// next sweep and, at ρ(A) ≈ 1.5, overflows a few hundred positions later.
pub const DIVERGENCE_BOUND: f64 = 1e8;
/// A sweep that moves no coordinate by more than this, and leaves none further than this from the
/// serial solution, has converged to rounding: later sweeps would only reshuffle the last bits, so
/// they are not computed and their errors repeat the last one (64 ulp of 1; |x| ≤ 1).
pub const CONVERGED: f64 = 64.0 * f64::EPSILON;

/// How each sweep linearises tanh.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// M_t = A.
    Plain,
    /// M_t = diag(sech²u_t)·A.
    SechU,
    /// M_t = diag(sech²(A x_{t−1}⁽ⁿ⁻¹⁾ + u_t))·A.
    Newton,
}

impl Scheme {
    /// The three schemes in the lab's order.
    pub const ALL: [Scheme; 3] = [Scheme::Plain, Scheme::SechU, Scheme::Newton];

    /// The URL/JSON name: `plain`, `sech_u`, `newton`.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Plain => "plain",
            Scheme::SechU => "sech_u",
            Scheme::Newton => "newton",
        }
    }

    /// The scheme with this name.
    pub fn from_name(s: &str) -> Option<Scheme> {
        Scheme::ALL.into_iter().find(|k| k.name() == s)
    }
}

/// sech²z = 4e/(1 + e)² with e = e^{−2|z|}: no overflow for large |z| (where cosh overflows) and
/// no cancellation (1 − tanh²z loses relative accuracy once tanh z ≈ 1).
pub fn sech2(z: f64) -> f64 {
    tanh_sech2(z).1
}

/// (e^x, e^x − 1) for x ≤ 0, both to ~1 ulp (tested against libm), from one polynomial: x = k·ln2 + r
/// with |r| ≤ ln2/2 (Cody–Waite, ln 2 split in two so k·ln2_hi is exact), e^r − 1 by its Taylor
/// series to r¹³ (truncation < 2e-17 relative), then 2^k by the exponent bits. Why not libm: the
/// sweeps take ~400 000 exponentials per slider event, and wasm's `exp`/`exp_m1` are software
/// routines whose last bits need not match native libm — with this one the sweeps, and so the
/// heat map's rounding floor, are bit-identical in the browser and the CLI (like [`crate::math::rng`]).
/// Speed is a wash: measured 10.7 ns vs 7.6 ns for glibc natively, 37 ns vs 40–70 ns for Rust's
/// libm in wasm (node, on a loaded machine). For k = 0 the polynomial is e^x − 1 itself, so small
/// |x| has no cancellation (what `exp_m1` is for). Below −708 (e^x subnormal) it returns (0, −1):
/// tanh is ±1 to the last bit long before.
pub fn exp_neg(x: f64) -> (f64, f64) {
    // fdlibm's split: ln2_hi has 32 trailing zero bits, so k·ln2_hi is exact for |k| < 2²⁰.
    const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);
    if x.is_nan() {
        return (f64::NAN, f64::NAN);
    }
    if x < -708.0 {
        return (0.0, -1.0);
    }
    let x = x.min(0.0);
    // Round to nearest by the 1.5·2⁵² trick (|x·log₂e| < 2⁵¹): no libm `round` call.
    const SHIFT: f64 = 6_755_399_441_055_744.0;
    let k = (x * std::f64::consts::LOG2_E + SHIFT) - SHIFT;
    let r = (x - k * LN2_HI) - k * LN2_LO;
    // e^r − 1 = r·Σ_{i=0}^{12} r^i/(i+1)!, by Estrin's scheme (depth 4 instead of Horner's 12: the
    // polynomial, not the arithmetic, was the cost).
    const C: [f64; 13] = [
        1.0,
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5040.0,
        1.0 / 40_320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
        1.0 / 479_001_600.0,
        1.0 / 6_227_020_800.0,
    ];
    let (r2, r4) = (r * r, r * r * (r * r));
    let p = |i: usize| C[i] + C[i + 1] * r;
    let lo = (p(0) + p(2) * r2) + (p(4) + p(6) * r2) * r4;
    let hi = (p(8) + p(10) * r2) + C[12] * r4;
    let q = lo + hi * (r4 * r4);
    let em1 = q * r;
    if k == 0.0 {
        return (1.0 + em1, em1);
    }
    // 2^k for k in −1022..=0 (x ≥ −708 keeps k ≥ −1022, a normal number).
    let scale = f64::from_bits(((k as i64 + 1023) as u64) << 52);
    let e = (1.0 + em1) * scale;
    (e, e - 1.0)
}

/// (tanh z, sech²z) from one exponential: with e = e^{−2|z|} and m = e − 1 ([`exp_neg`]),
/// tanh|z| = −m/(2 + m) and sech²z = 4e/(2 + m)², both to a few ulp (tested), no overflow for
/// large |z| (where cosh overflows) and no cancellation (1 − tanh²z loses relative accuracy once
/// tanh z ≈ 1).
pub fn tanh_sech2(z: f64) -> (f64, f64) {
    let (e, m) = exp_neg(-2.0 * z.abs());
    let q = 2.0 + m;
    ((-m / q).copysign(z), 4.0 * e / (q * q))
}

/// tanh z alone, by the same formula as [`tanh_sech2`] (the `plain` and `sech_u` sweeps need no
/// sech² of the iterate, and skipping it saves a division).
pub fn tanh(z: f64) -> f64 {
    let m = exp_neg(-2.0 * z.abs()).1;
    (-m / (2.0 + m)).copysign(z)
}

/// A problem instance: A (d×d row-major) and the inputs u_1..u_T (T·d numbers, u_t at
/// `u[(t−1)d..td]`). All entries finite.
#[derive(Clone, Debug, PartialEq)]
pub struct Rnn {
    d: usize,
    a: Vec<f64>,
    u: Vec<f64>,
}

/// Clamps to [lo, hi]; NaN becomes `nan`.
fn clamp_or(x: f64, lo: f64, hi: f64, nan: f64) -> f64 {
    if x.is_nan() {
        nan
    } else {
        x.clamp(lo, hi)
    }
}

impl Rnn {
    /// The literal test matrix of W2-T5/T6.
    pub const LITERAL_A: [[f64; 3]; 3] = [[0.5, -0.3, 0.1], [0.2, 0.4, -0.2], [-0.1, 0.3, 0.6]];

    /// From A and u as given: d is clamped to 1..=[`MAX_D`], T = ⌊u.len()/d⌋ to ≤ [`MAX_T`]; missing
    /// entries of A are 0 and non-finite entries become 0 (finite ones are clamped to ±[`MAX_SCALE`]).
    pub fn new(d: usize, a: &[f64], u: &[f64]) -> Self {
        let d = d.clamp(1, MAX_D);
        let fix = |v: f64| if v.is_finite() { v.clamp(-MAX_SCALE, MAX_SCALE) } else { 0.0 };
        let a = (0..d * d).map(|i| a.get(i).copied().map_or(0.0, fix)).collect();
        let t = (u.len() / d).min(MAX_T);
        Rnn { d, a, u: u[..t * d].iter().map(|&v| fix(v)).collect() }
    }

    /// `preset=literal`: A = [`Rnn::LITERAL_A`], u_{t,l} = sin(0.3·t·l + 0.5·l), t = 1..T, l = 1..3
    /// (d = 3; T clamped to 1..=[`MAX_T`]).
    pub fn literal(t: usize) -> Self {
        let t = t.clamp(1, MAX_T);
        let a: Vec<f64> = Self::LITERAL_A.iter().flatten().copied().collect();
        let u: Vec<f64> = (1..=t).flat_map(|tt| (1..=3).map(move |l| (0.3 * tt as f64 * l as f64 + 0.5 * l as f64).sin())).collect();
        Rnn { d: 3, a, u }
    }

    /// `preset=random`: A with i.i.d. N(0, 1) entries rescaled to spectral radius `radius`, and
    /// u_{t,l} = amp·N(0, 1) (substreams 0 and 1 of `seed`, so changing `amp` keeps A). T is clamped
    /// to 1..=[`MAX_T`], d to 1..=[`MAX_D`], radius and amp to [0, [`MAX_SCALE`]] (NaN → 0).
    pub fn random(t: usize, d: usize, radius: f64, amp: f64, seed: u64) -> Self {
        let (t, d) = (t.clamp(1, MAX_T), d.clamp(1, MAX_D));
        let radius = clamp_or(radius, 0.0, MAX_SCALE, 0.0);
        let amp = clamp_or(amp, 0.0, MAX_SCALE, 0.0);
        let mut ra = Rng::stream(seed, 0);
        let mut a: Vec<f64> = (0..d * d).map(|_| ra.normal()).collect();
        let rho = spectral_radius(d, &a);
        // ρ = 0 has probability zero for a Gaussian matrix; the guard only keeps junk out.
        let s = if rho > 0.0 && rho.is_finite() { radius / rho } else { 0.0 };
        a.iter_mut().for_each(|v| *v *= s);
        let mut ru = Rng::stream(seed, 1);
        let u = (0..t * d).map(|_| amp * ru.normal()).collect();
        Rnn { d, a, u }
    }

    /// State size d.
    pub fn dim(&self) -> usize {
        self.d
    }

    /// Sequence length T.
    pub fn len(&self) -> usize {
        self.u.len() / self.d
    }

    /// Whether T = 0 (only through [`Rnn::new`] with too few inputs).
    pub fn is_empty(&self) -> bool {
        self.u.is_empty()
    }

    /// A, d×d row-major.
    pub fn a(&self) -> &[f64] {
        &self.a
    }

    /// The inputs, T·d numbers.
    pub fn u(&self) -> &[f64] {
        &self.u
    }

    /// The serial solution x_1..x_T (T·d numbers), in [−1, 1]^d.
    pub fn serial(&self) -> Vec<f64> {
        let d = self.d;
        let mut x = vec![0.0; self.u.len()];
        let mut prev = vec![0.0; d];
        for (ut, xt) in self.u.chunks_exact(d).zip(x.chunks_exact_mut(d)) {
            for (i, o) in xt.iter_mut().enumerate() {
                let pre: f64 = self.a[i * d..(i + 1) * d].iter().zip(&prev).map(|(a, p)| a * p).sum::<f64>() + ut[i];
                *o = tanh(pre);
            }
            prev.copy_from_slice(xt);
        }
        x
    }
}

/// ρ(A) for A d×d row-major, from the eigenvalues of the real Schur form (fine for the small random
/// matrices here; never used on LegS). If the QR iteration fails to converge it falls back to
/// Gelfand's ‖A^64‖^{1/64}, an estimate.
pub fn spectral_radius(d: usize, a: &[f64]) -> f64 {
    if d == 0 || a.len() != d * d || a.iter().any(|v| !v.is_finite()) {
        return 0.0;
    }
    let m = nalgebra::DMatrix::from_row_slice(d, d, a);
    if let Some(s) = nalgebra::linalg::Schur::try_new(m.clone(), f64::EPSILON, 10_000) {
        return s.complex_eigenvalues().iter().map(|z| z.norm()).fold(0.0, f64::max);
    }
    let mut p = m.clone();
    let mut log_scale = 0.0;
    for _ in 0..6 {
        p = &p * &p;
        let n = p.norm();
        if !(n > 0.0 && n.is_finite()) {
            return 0.0;
        }
        p /= n;
        log_scale = 2.0 * log_scale + n.ln();
    }
    (log_scale / 64.0).exp()
}

/// Where an iterate left the representable range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// The sweep (1-based) whose result was non-finite or beyond [`DIVERGENCE_BOUND`].
    pub sweep: usize,
    /// The first position t (1-based) where it was.
    pub t: usize,
}

/// The sweeps of one scheme against the serial solution.
#[derive(Clone, Debug, PartialEq)]
pub struct Sweeps {
    /// The scheme.
    pub scheme: Scheme,
    /// x⁽ⁿ⁾ for n = 0..=[`Sweeps::computed`] (x⁽⁰⁾ = 0), each T·d numbers, all finite.
    pub iterates: Vec<Vec<f64>>,
    /// |x_t⁽ⁿ⁾ − x_t|_∞ for n = 0..=computed, each T numbers (exact zeros happen: log scales need a
    /// floor).
    pub error_map: Vec<Vec<f64>>,
    /// max_t |x_t⁽ⁿ⁾ − x_t|_∞ after sweeps n = 1..=requested; after convergence the last computed
    /// value repeats, after a divergence the list stops at the last finite sweep.
    pub errors: Vec<f64>,
    /// The sweep after which the iteration had converged to rounding ([`CONVERGED`]), if it did.
    pub converged_at: Option<usize>,
    /// Where the iteration blew up, if it did (that sweep is not in `iterates`).
    pub diverged: Option<Divergence>,
    /// Products formed once for all sweeps (the M-tree of `plain` and `sech_u`, whose M_t do not
    /// change; zero for `newton`).
    pub setup_cost: ScanCost,
    /// One sweep's scan (for `newton` including its M-tree).
    pub sweep_cost: ScanCost,
}

impl Sweeps {
    /// Sweeps actually computed (finite ones).
    pub fn computed(&self) -> usize {
        self.iterates.len() - 1
    }

    /// x⁽ⁿ⁾ (T·d numbers). Beyond the computed sweeps: the last one if the run converged (later ones
    /// equal it to rounding), None if it diverged or stopped at its limit.
    pub fn iterate(&self, n: usize) -> Option<&[f64]> {
        self.pick(n).map(|k| self.iterates[k].as_slice())
    }

    /// The error row |x_t⁽ⁿ⁾ − x_t|_∞, t = 1..T, with the same rule as [`Sweeps::iterate`].
    pub fn error_row(&self, n: usize) -> Option<&[f64]> {
        self.pick(n).map(|k| self.error_map[k].as_slice())
    }

    fn pick(&self, n: usize) -> Option<usize> {
        if n <= self.computed() {
            Some(n)
        } else if self.converged_at.is_some() {
            Some(self.computed())
        } else {
            None
        }
    }

    /// Everything the computed sweeps cost.
    pub fn total_cost(&self) -> ScanCost {
        let c = self.computed();
        ScanCost {
            depth: self.sweep_cost.depth * c,
            mat_mat: self.setup_cost.mat_mat + self.sweep_cost.mat_mat * c,
            mat_vec: self.setup_cost.mat_vec + self.sweep_cost.mat_vec * c,
        }
    }
}

/// max_t |x_t − y_t|_∞ per position (both T·d).
fn error_row(d: usize, x: &[f64], y: &[f64]) -> Vec<f64> {
    x.chunks_exact(d).zip(y.chunks_exact(d)).map(|(a, b)| a.iter().zip(b).map(|(p, q)| (p - q).abs()).fold(0.0, f64::max)).collect()
}

/// Runs up to `max_sweeps` sweeps of `scheme` (clamped to [`MAX_T`]; the lab asks for min(T, 64)),
/// stopping early at convergence to rounding or at a divergence. `serial` is [`Rnn::serial`]
/// (passed in so three schemes share it; a wrong length gives no sweeps).
pub fn sweeps(rnn: &Rnn, serial: &[f64], scheme: Scheme, max_sweeps: usize) -> Sweeps {
    SweepRunner::new(rnn, serial, scheme, max_sweeps).finish()
}

/// The sweeps of one scheme computed one at a time, so that a caller can spread them over frames —
/// e.g. the shown scheme first and the other two after the first paint — instead of paying for all
/// of them in one event. [`sweeps`] is `SweepRunner::new(..).finish()`.
#[derive(Clone, Debug)]
pub struct SweepRunner {
    rnn: Rnn,
    serial: Vec<f64>,
    max_sweeps: usize,
    out: Sweeps,
    finished: bool,
    /// sech²u_t (`sech_u` only).
    su: Vec<f64>,
    /// The M-tree of `plain` and `sech_u`, built once.
    fixed: Option<Pyramid>,
    /// Newton's per-sweep sech², M_t and tree (allocations reused).
    newton_s: Vec<f64>,
    newton_m: Vec<f64>,
    newton_tree: Pyramid,
    b: Vec<f64>,
}

impl SweepRunner {
    /// Sets up (for `plain` and `sech_u` this builds their M-tree); no sweep is run yet.
    pub fn new(rnn: &Rnn, serial: &[f64], scheme: Scheme, max_sweeps: usize) -> Self {
        let (d, t) = (rnn.d, rnn.len());
        let zero = vec![0.0; t * d];
        let ok = serial.len() == t * d && t > 0;
        let mut out = Sweeps {
            scheme,
            error_map: vec![if ok { error_row(d, &zero, serial) } else { vec![0.0; t] }],
            iterates: vec![zero],
            errors: Vec::new(),
            converged_at: None,
            diverged: None,
            setup_cost: ScanCost::default(),
            sweep_cost: ScanCost::default(),
        };
        let a = &rnn.a;
        // M_t for the two schemes whose maps do not depend on the iterate; their tree is built once.
        let su: Vec<f64> = if scheme == Scheme::SechU { rnn.u.iter().map(|&v| sech2(v)).collect() } else { Vec::new() };
        let fixed = match scheme {
            _ if !ok => None,
            Scheme::Plain => Some(Pyramid::new(d, &a.repeat(t))),
            Scheme::SechU => {
                let mut m = Vec::new();
                row_scaled(d, a, &su, &mut m);
                Some(Pyramid::new(d, &m))
            }
            Scheme::Newton => None,
        };
        if let Some(p) = &fixed {
            out.setup_cost = p.cost();
        }
        SweepRunner {
            rnn: rnn.clone(),
            serial: serial.to_vec(),
            max_sweeps: max_sweeps.min(MAX_T),
            out,
            finished: !ok,
            su,
            fixed,
            newton_s: vec![0.0; t * d],
            newton_m: Vec::new(),
            newton_tree: Pyramid::default(),
            b: vec![0.0; t * d],
        }
    }

    /// The sweeps so far.
    pub fn sweeps(&self) -> &Sweeps {
        &self.out
    }

    /// Whether no further sweep will run (limit reached, converged or diverged).
    pub fn is_finished(&self) -> bool {
        self.finished || self.out.computed() >= self.max_sweeps
    }

    /// Runs the remaining sweeps and returns the result.
    pub fn finish(mut self) -> Sweeps {
        while self.step() {}
        self.out
    }

    /// Runs one sweep; false (and nothing done) once finished.
    pub fn step(&mut self) -> bool {
        if self.is_finished() {
            return false;
        }
        let (d, t) = (self.rnn.d, self.rnn.len());
        let (a, u) = (&self.rnn.a, &self.rnn.u);
        let n = self.out.computed() + 1;
        let prev = &self.out.iterates[n - 1];
        let zero = [0.0; MAX_D];
        let mut ax = [0.0; MAX_D];
        let ax = &mut ax[..d];
        // pre_t = A x_{t−1}⁽ⁿ⁻¹⁾ + u_t and b_t = tanh(pre_t) − M_t x_{t−1}⁽ⁿ⁻¹⁾, where M_t x = s_t ∘ (A x).
        for tt in 0..t {
            let xp = if tt == 0 { &zero[..d] } else { &prev[(tt - 1) * d..tt * d] };
            mat_vec_add(d, a, xp, &zero[..d], ax);
            let (ut, bt) = (&u[tt * d..(tt + 1) * d], &mut self.b[tt * d..(tt + 1) * d]);
            match self.out.scheme {
                Scheme::Plain => {
                    for i in 0..d {
                        bt[i] = tanh(ax[i] + ut[i]) - ax[i];
                    }
                }
                Scheme::SechU => {
                    for i in 0..d {
                        bt[i] = tanh(ax[i] + ut[i]) - self.su[tt * d + i] * ax[i];
                    }
                }
                Scheme::Newton => {
                    for i in 0..d {
                        let (th, s2) = tanh_sech2(ax[i] + ut[i]);
                        // M_t's rows need the same sech² again.
                        self.newton_s[tt * d + i] = s2;
                        bt[i] = th - s2 * ax[i];
                    }
                }
            }
        }
        let (x, cost) = match &self.fixed {
            Some(p) => p.solve(&self.b),
            None => {
                row_scaled(d, a, &self.newton_s, &mut self.newton_m);
                self.newton_tree.rebuild(d, &self.newton_m);
                let (x, c) = self.newton_tree.solve(&self.b);
                (x, ScanCost { depth: c.depth, mat_mat: self.newton_tree.cost().mat_mat, mat_vec: c.mat_vec })
            }
        };
        self.out.sweep_cost = cost;
        if let Some(bad) = x.chunks_exact(d).position(|xt| xt.iter().any(|v| !v.is_finite() || v.abs() > DIVERGENCE_BOUND)) {
            self.out.diverged = Some(Divergence { sweep: n, t: bad + 1 });
            self.finished = true;
            return false;
        }
        let row = error_row(d, &x, &self.serial);
        let err = row.iter().copied().fold(0.0, f64::max);
        let moved = x.iter().zip(prev).map(|(p, q)| (p - q).abs()).fold(0.0, f64::max);
        self.out.errors.push(err);
        self.out.iterates.push(x);
        self.out.error_map.push(row);
        if err <= CONVERGED && moved <= CONVERGED {
            self.out.converged_at = Some(n);
            self.out.errors.resize(self.max_sweeps, err);
            self.finished = true;
            return false;
        }
        true
    }
}

/// diag(s_t)·A for every t into `m` (T·d² numbers from the T·d scale factors `s`).
fn row_scaled(d: usize, a: &[f64], s: &[f64], m: &mut Vec<f64>) {
    m.clear();
    for st in s.chunks_exact(d) {
        for (i, si) in st.iter().enumerate() {
            m.extend(a[i * d..(i + 1) * d].iter().map(|v| si * v));
        }
    }
}

/// The serial solution and all three schemes, as the lab shows them.
#[derive(Clone, Debug, PartialEq)]
pub struct RnnRun {
    /// x_1..x_T by the serial recurrence (T·d numbers).
    pub serial: Vec<f64>,
    /// `plain`, `sech_u`, `newton`, in [`Scheme::ALL`] order.
    pub schemes: [Sweeps; 3],
}

impl RnnRun {
    /// The sweeps of one scheme.
    pub fn get(&self, s: Scheme) -> &Sweeps {
        &self.schemes[Scheme::ALL.iter().position(|&k| k == s).unwrap_or(0)]
    }

    /// x_T of the serial solution (empty for T = 0).
    pub fn x_final(&self, d: usize) -> &[f64] {
        let n = self.serial.len();
        if d == 0 || n < d {
            &[]
        } else {
            &self.serial[n - d..]
        }
    }
}

/// Sweeps 1..min(T, `max_sweeps`) of every scheme, plus the serial solution. Depends on the whole
/// problem (T, d, radius, amp, seed or the literal preset) and `max_sweeps`, not on the shown sweep
/// or scheme.
pub fn run_all(rnn: &Rnn, max_sweeps: usize) -> RnnRun {
    let serial = rnn.serial();
    let n = max_sweeps.min(rnn.len());
    let schemes = Scheme::ALL.map(|s| sweeps(rnn, &serial, s, n));
    RnnRun { serial, schemes }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    pub(crate) fn close_rel(got: f64, want: f64, tol: f64) -> bool {
        (got - want).abs() <= tol * want.abs()
    }

    /// Whether `got` rounds to the spec's printed `want` (half a unit in its last printed digit;
    /// the spec prints ten decimals or ten significant digits, which for values near 0.01 is coarser
    /// than 1e-9 relative — the full-precision comparison is tests/recurrence_reference.rs).
    pub(crate) fn printed(got: f64, want: &str) -> bool {
        let (mant, exp) = want.split_once('e').map_or((want, 0i32), |(m, e)| (m, e.parse().unwrap_or(0)));
        let decimals = mant.split_once('.').map_or(0, |(_, f)| f.len()) as i32;
        let w: f64 = want.parse().unwrap_or(f64::NAN);
        (got - w).abs() <= 0.5 * 10f64.powi(exp - decimals) * (1.0 + 1e-9) + 1e-15 * w.abs()
    }

    #[test]
    fn w2_t5_serial_solution() {
        let x = Rnn::literal(32).serial();
        for (got, want) in x[..3].iter().zip(["0.6152689333", "0.7614150220", "0.5885620713"]) {
            assert!(printed(*got, want), "x₁ {got} vs {want}");
        }
        for (got, want) in x[93..].iter().zip(["-0.7422471760", "0.8783449375", "-0.8206547085"]) {
            assert!(printed(*got, want), "x₃₂ {got} vs {want}");
        }
        assert!(!printed(0.61526893, "0.6152689333"), "the check can fail");
    }

    #[test]
    fn w2_t6_errors_per_sweep() {
        let run = run_all(&Rnn::literal(32), 32);
        let plain = [
            "1.0045539868",
            "1.0586494208",
            "0.6751673131",
            "0.6528498943",
            "0.4139598583",
            "0.2607027198",
            "0.1610260562",
            "0.0821887994",
        ];
        let sech = ["0.2834211329", "0.0749829710", "0.0126468156", "3.130065572e-3", "6.766192777e-4"];
        let newton = ["0.2834211329", "7.086348692e-3", "2.460355668e-6"];
        for (s, want) in [(Scheme::Plain, &plain[..]), (Scheme::SechU, &sech[..]), (Scheme::Newton, &newton[..])] {
            let e = &run.get(s).errors;
            for (k, w) in want.iter().enumerate() {
                assert!(printed(e[k], w), "{} sweep {}: {} vs {w}", s.name(), k + 1, e[k]);
            }
        }
        // Newton's fourth sweep is at 5.88e-13 (rounding decides the third digit), then rounding.
        let n = &run.get(Scheme::Newton).errors;
        assert!(n[3] > 5e-13 && n[3] < 6e-13 && n[4] <= 4.0 * f64::EPSILON, "{n:?}");
        // Plain error rises at sweep 2 — never present it as monotone.
        assert!(run.get(Scheme::Plain).errors[1] > run.get(Scheme::Plain).errors[0]);
        // First sweep below 1e-14: 29 (plain), 19 (sech²u), 5 (Newton).
        for (s, first) in [(Scheme::Plain, 29), (Scheme::SechU, 19), (Scheme::Newton, 5)] {
            let e = &run.get(s).errors;
            assert_eq!(e.iter().position(|&v| v < 1e-14).map(|k| k + 1), Some(first), "{}: {e:?}", s.name());
        }
    }

    #[test]
    fn causality_wedge_is_exact_and_sharp() {
        for rnn in [Rnn::literal(40), Rnn::random(50, 4, 0.9, 1.5, 3), Rnn::random(30, 2, 1.3, 0.5, 8)] {
            let run = run_all(&rnn, 64);
            for sw in &run.schemes {
                for n in 1..=sw.computed() {
                    let row = sw.error_row(n).unwrap();
                    let inside = row[..n.min(row.len())].iter().copied().fold(0.0, f64::max);
                    assert!(inside <= 1e-14, "{}: sweep {n} not exact on x_1..x_n: {inside}", sw.scheme.name());
                }
            }
            // Sharp: plain's first sweep is wrong right after the wedge (x_2 uses the wrong x_1).
            let plain = run.get(Scheme::Plain);
            assert!(plain.error_row(1).unwrap()[1] > 1e-6, "{:?}", plain.error_row(1));
        }
    }

    #[test]
    fn t_sweeps_always_suffice() {
        let rnn = Rnn::random(24, 3, 1.4, 0.3, 2);
        let serial = rnn.serial();
        for s in Scheme::ALL {
            let sw = sweeps(&rnn, &serial, s, 24);
            assert!(sw.diverged.is_none(), "{}: {:?}", s.name(), sw.diverged);
            assert!(sw.errors[23] <= 1e-13, "{}: {:?}", s.name(), sw.errors);
        }
    }

    #[test]
    fn random_matrix_has_the_requested_spectral_radius() {
        for (d, r) in [(1, 0.6), (3, 0.25), (8, 1.5)] {
            let rnn = Rnn::random(8, d, r, 1.0, 11);
            assert!(close_rel(spectral_radius(d, rnn.a()), r, 1e-12), "d = {d}");
        }
        // A and u come from different substreams: the amplitude does not change A.
        assert_eq!(Rnn::random(8, 3, 0.6, 1.0, 5).a(), Rnn::random(8, 3, 0.6, 2.0, 5).a());
        assert_ne!(Rnn::random(8, 3, 0.6, 1.0, 5).a(), Rnn::random(8, 3, 0.6, 1.0, 6).a());
        // A rotation by 90° scaled by 2: ρ = 2 (complex pair).
        assert!(close_rel(spectral_radius(2, &[0.0, -2.0, 2.0, 0.0]), 2.0, 1e-14));
    }

    #[test]
    fn divergence_is_reported_and_stops_cleanly() {
        // ρ = 1.5 with small inputs: the plain sweeps blow up like 1.5^T beyond the wedge.
        let rnn = Rnn::random(512, 8, 1.5, 0.05, 1);
        let run = run_all(&rnn, 64);
        let plain = run.get(Scheme::Plain);
        let div = plain.diverged.expect("plain must diverge");
        assert!(div.sweep >= 1 && div.t > div.sweep, "{div:?}");
        assert_eq!(plain.errors.len(), div.sweep - 1);
        assert_eq!(plain.computed(), div.sweep - 1);
        assert!(plain.iterate(div.sweep).is_none());
        for sw in &run.schemes {
            assert!(sw.iterates.iter().flatten().chain(sw.errors.iter()).all(|v| v.is_finite()));
        }
    }

    #[test]
    fn converged_runs_stop_early_and_fill_the_rest() {
        let run = run_all(&Rnn::random(512, 8, 0.6, 1.0, 4), 64);
        let newton = run.get(Scheme::Newton);
        let at = newton.converged_at.expect("Newton converges");
        assert!(at < 15, "{at}");
        assert_eq!(newton.errors.len(), 64);
        assert!(newton.errors[at..].iter().all(|&e| e == newton.errors[at - 1]));
        assert_eq!(newton.iterate(60), newton.iterate(at));
        // Filling is honest: running on changes the error only at the rounding level.
        let more = sweeps(&Rnn::random(512, 8, 0.6, 1.0, 4), &run.serial, Scheme::Newton, at + 3);
        assert_eq!(more.computed(), at);
    }

    #[test]
    fn stepping_one_sweep_at_a_time_gives_the_same_run() {
        let rnn = Rnn::random(100, 4, 0.8, 1.0, 9);
        let serial = rnn.serial();
        for s in Scheme::ALL {
            let mut r = SweepRunner::new(&rnn, &serial, s, 40);
            let mut steps = 0;
            while r.step() {
                steps += 1;
                assert_eq!(r.sweeps().computed(), steps);
            }
            assert!(!r.step() && r.is_finished());
            assert_eq!(r.finish(), sweeps(&rnn, &serial, s, 40));
        }
        assert!(SweepRunner::new(&rnn, &serial[..4], Scheme::Plain, 10).is_finished());
    }

    #[test]
    fn cost_counters() {
        let run = run_all(&Rnn::random(512, 8, 0.6, 1.0, 4), 64);
        let (plain, newton) = (run.get(Scheme::Plain), run.get(Scheme::Newton));
        // plain: the M-tree once (< T products), each sweep matrix–vector products only.
        assert!(plain.setup_cost.mat_mat > 0 && plain.setup_cost.mat_mat < 512);
        assert_eq!(plain.sweep_cost.mat_mat, 0);
        assert_eq!(plain.sweep_cost.mat_vec, 511 + 255 + 127 + 63 + 31 + 15 + 7 + 3 + 1);
        assert_eq!(plain.sweep_cost.depth, 17);
        assert_eq!(newton.setup_cost, ScanCost::default());
        assert_eq!(newton.sweep_cost.mat_mat, plain.setup_cost.mat_mat);
        assert_eq!(newton.total_cost().mat_mat, newton.computed() * plain.setup_cost.mat_mat);
    }

    #[test]
    fn schemes_and_junk() {
        for s in Scheme::ALL {
            assert_eq!(Scheme::from_name(s.name()), Some(s));
        }
        assert_eq!(Scheme::from_name("deer"), None);
        let r = Rnn::new(0, &[f64::NAN], &[1.0, f64::INFINITY]);
        assert_eq!((r.dim(), r.len(), r.a(), r.u()), (1, 2, &[0.0][..], &[1.0, 0.0][..]));
        let empty = Rnn::new(3, &[], &[1.0]);
        assert!(empty.is_empty());
        let run = run_all(&empty, 64);
        assert!(run.x_final(3).is_empty() && run.schemes.iter().all(|s| s.errors.is_empty()));
        let junk = Rnn::random(0, 0, f64::NAN, f64::INFINITY, 0);
        assert_eq!((junk.len(), junk.dim()), (1, 1));
        assert!(run_all(&junk, 64).schemes.iter().all(|s| s.errors.iter().all(|e| e.is_finite())));
        assert_eq!(sech2(1e300), 0.0);
        for z in [-30.0, -3.0, -0.7, -1e-9, 0.0, 1e-300, 0.3, 0.7, 2.0, 19.0, 400.0] {
            let (th, s2) = tanh_sech2(z);
            assert!((th - z.tanh()).abs() <= 2.0 * f64::EPSILON * z.tanh().abs().max(1e-300), "tanh({z})");
            assert_eq!(th, tanh(z));
            let want = 1.0 / z.cosh().powi(2);
            assert!((s2 - want).abs() <= 4.0 * f64::EPSILON * want, "sech²({z}): {s2} vs {want}");
        }
        assert!(tanh_sech2(f64::NAN).0.is_nan() && tanh(f64::NAN).is_nan());
        assert_eq!((tanh(-1e300), tanh(0.0), tanh_sech2(800.0)), (-1.0, 0.0, (1.0, 0.0)));
    }

    #[test]
    fn own_exponential_is_accurate() {
        let ulp = |v: f64| f64::EPSILON * v.abs().max(f64::MIN_POSITIVE);
        for i in 0..=200_000 {
            // Dense near 0 (where e^x − 1 cancels), then out to the underflow edge.
            let x = if i <= 100_000 { -(i as f64) * 1e-5 } else { -((i - 100_000) as f64) * 7.08e-3 };
            let (e, m) = exp_neg(x);
            assert!((e - x.exp()).abs() <= 1.5 * ulp(x.exp()), "exp({x}): {e} vs {}", x.exp());
            assert!((m - x.exp_m1()).abs() <= 2.0 * ulp(x.exp_m1()), "expm1({x}): {m} vs {}", x.exp_m1());
        }
        assert_eq!(exp_neg(0.0), (1.0, 0.0));
        assert_eq!(exp_neg(-1e4), (0.0, -1.0));
        assert!(exp_neg(f64::NAN).0.is_nan());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
        #[test]
        fn never_nan_never_panic(
            t in 1usize..200, d in 1usize..9, radius in prop_oneof![0.0f64..3.0, 1.0f64..1e7], amp in prop_oneof![0.0f64..3.0, Just(1e9)],
            seed in 0u64..100, sweeps in 0usize..80,
        ) {
            let rnn = Rnn::random(t, d, radius, amp, seed);
            let run = run_all(&rnn, sweeps);
            prop_assert!(run.serial.iter().all(|v| v.abs() <= 1.0));
            for sw in &run.schemes {
                prop_assert!(sw.iterates.iter().flatten().chain(sw.errors.iter()).chain(sw.error_map.iter().flatten()).all(|v| v.is_finite()));
                prop_assert!(sw.errors.len() <= sweeps.min(t));
                if sw.diverged.is_none() {
                    prop_assert_eq!(sw.errors.len(), sweeps.min(t));
                }
                // The wedge holds wherever a sweep finished (rounding grows with ρ^t inside it for
                // ρ > 1 only through the true Jacobian, which tanh damps; allow for chaos).
                for n in 1..=sw.computed() {
                    let row = sw.error_row(n).unwrap();
                    prop_assert!(row[..n.min(t)].iter().all(|&e| e <= 1e-9), "{} sweep {}", sw.scheme.name(), n);
                }
            }
        }
    }
}
