//! The recurrence lab's model: what each mode computes, what it keeps across parameter changes,
//! and the chunked background work.
//!
//! `rnn`: the problem (A, u), the serial solution and one [`SweepRunner`] per scheme. A change of
//! the shown sweep or scheme keeps all of it; a new problem runs the shown scheme's first sweeps at
//! once (bounded) and everything else one chunk at a time after the first paint — all three
//! schemes at T = 512, d = 8 cost 25–80 ms in wasm, far over a slider event's 16 ms.
//!
//! `ssm`: the discrete system, its kernel by the three routes and Ā's eigenvalues (kept while only
//! the input, the seed or the time cursor change), and the state at the cursor.

use super::Params;
use crate::math::fft::C64;
use crate::math::rnn::{Rnn, Scheme, SweepRunner, Sweeps};
use crate::math::ssm::{self, Basis, Disc, Input, Kernels, Ssm, Warp};

/// Cost units (≈ multiply-adds) of one chunk of background work: well under a millisecond
/// natively, a few in wasm, so the shell's 8 ms frame budget runs several.
const CHUNK: f64 = 4e5;
/// What the event that sets up a new problem may spend on the shown scheme before the first paint.
const FIRST_PAINT: f64 = 1.2e6;

/// Everything the lab computes; each mode's part is kept while the other mode is shown.
pub struct State {
    /// The `rnn` mode's problem and sweeps (None until that mode is shown).
    pub rnn: Option<RnnModel>,
    /// The `ssm` mode's system, kernel and state (None until that mode is shown).
    pub ssm: Option<SsmModel>,
    /// The LegS eigenvector wall for the SSM's d (it depends on d alone, so it outlives system
    /// changes); computed in the background: the unitary route's eigensolver at d = 64 costs
    /// ~3 ms natively, more than a slider event may spend on a chart beside the point.
    pub wall: Option<Wall>,
}

/// Why LegS is never diagonalised directly (spec W2 linked chart 3): the partial sums S_n of the
/// eigenvector for −λ, λ = ⌊d/3⌋ (at least 1), span 1 … ~1.93·d^{3/2}·2^{−4d/3}, while the unitary
/// eigenvectors of the skew part S stay of order 1/√d in every entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Wall {
    /// State size.
    pub d: usize,
    /// The eigenvalue −λ whose eigenvector is shown.
    pub lambda: usize,
    /// |S_n|, n = 0..d−1, by the closed form (exact zeros for n < λ − 1).
    pub sums: Vec<f64>,
    /// (min_j, max_j) |U_nj| per row n (None if the solver failed).
    pub unitary: Option<Vec<(f64, f64)>>,
}

impl Wall {
    /// The wall for state size d.
    pub fn new(d: usize) -> Wall {
        let d = d.clamp(1, ssm::MAX_D);
        let lambda = (d / 3).max(1);
        let sums = (0..d).map(|n| ssm::legs_eigvec_sum_closed(d, lambda, n).abs()).collect();
        Wall { d, lambda, sums, unitary: ssm::legs_unitary_moduli(d) }
    }
    /// The spec's asymptotic size of |S_λ| at λ = n = d/3: √(π/2)(4/3)^{3/2}·d^{3/2}·2^{−4d/3}
    /// (W2-T9; the post's √d·2^{−4d/3} is off by a factor growing like d).
    pub fn asymptote(&self) -> f64 {
        let d = self.d as f64;
        (std::f64::consts::PI / 2.0).sqrt() * (4.0f64 / 3.0).powf(1.5) * d.powf(1.5) * 2f64.powf(-4.0 * d / 3.0)
    }
    /// The smallest entry of the unitary eigenvectors (None without them).
    pub fn unitary_min(&self) -> Option<f64> {
        self.unitary.as_ref().map(|u| u.iter().map(|x| x.0).fold(f64::INFINITY, f64::min))
    }
}

/// Whether the SSM's system is built on the LegS matrix (the wall applies to it).
pub fn legs_family(p: &Params) -> bool {
    matches!(p.basis, Basis::LegsOnline | Basis::S4)
}

/// What identifies an `rnn` problem: everything but the shown sweep and scheme.
#[derive(Clone, Debug, PartialEq)]
pub struct RnnKey {
    literal: bool,
    t: usize,
    d: usize,
    radius: u64,
    amp: u64,
    seed: u64,
}

impl RnnKey {
    fn of(p: &Params) -> Self {
        if p.literal {
            RnnKey { literal: true, t: p.big_t(), d: 3, radius: 0, amp: 0, seed: 0 }
        } else {
            RnnKey {
                literal: false,
                t: p.big_t(),
                d: p.rnn_dim(),
                radius: p.radius.to_bits(),
                amp: p.amp.to_bits(),
                seed: p.seed as u64,
            }
        }
    }
    /// A hash for cache keys.
    pub fn hash(&self) -> u64 {
        crate::lab::key_of(&(self.literal, self.t, self.d, self.radius, self.amp, self.seed))
    }
}

/// The `rnn` mode: the problem, the serial solution and the sweeps of every scheme so far.
pub struct RnnModel {
    /// What this problem is.
    pub key: RnnKey,
    /// A and u.
    pub rnn: Rnn,
    /// x_1..x_T by the serial recurrence (T·d numbers).
    pub serial: Vec<f64>,
    /// One runner per scheme, in [`Scheme::ALL`] order.
    pub runners: Vec<SweepRunner>,
    /// Sweeps computed per scheme at most (min(T, 64)).
    pub max_sweeps: usize,
}

/// Cost units of one sweep (the tanh pass, the scan; Newton also rebuilds its M-tree, ~T·d³).
fn sweep_cost(s: Scheme, t: usize, d: usize) -> f64 {
    let (t, d) = (t as f64, d as f64);
    match s {
        Scheme::Newton => t * d * (d * d + 2.0 * d + 12.0),
        _ => t * d * (2.0 * d + 10.0),
    }
}

impl RnnModel {
    fn new(p: &Params) -> Self {
        let key = RnnKey::of(p);
        let rnn = if p.literal { Rnn::literal(key.t) } else { Rnn::random(key.t, key.d, p.radius, p.amp, key.seed) };
        let serial = rnn.serial();
        let max_sweeps = p.max_sweeps().min(rnn.len());
        let runners = Scheme::ALL.iter().map(|&s| SweepRunner::new(&rnn, &serial, s, max_sweeps)).collect();
        let mut m = RnnModel { key, rnn, serial, runners, max_sweeps };
        // Before the first paint: the shown scheme up to the shown sweep, within a bound.
        let (idx, n) = (scheme_index(p.scheme), p.shown_sweep());
        let cost = sweep_cost(p.scheme, m.rnn.len(), m.rnn.dim());
        let mut spent = 0.0;
        while m.runners[idx].sweeps().computed() < n && spent < FIRST_PAINT && m.runners[idx].step() {
            spent += cost;
        }
        m
    }

    /// The sweeps of one scheme so far.
    pub fn sweeps(&self, s: Scheme) -> &Sweeps {
        self.runners[scheme_index(s)].sweeps()
    }

    /// Whether a scheme has run all the sweeps it will run.
    pub fn finished(&self, s: Scheme) -> bool {
        self.runners[scheme_index(s)].is_finished()
    }

    /// State size d.
    pub fn dim(&self) -> usize {
        self.rnn.dim()
    }

    /// Sequence length T.
    pub fn len(&self) -> usize {
        self.rnn.len()
    }

    /// Whether T = 0 (never for the lab's problems).
    pub fn is_empty(&self) -> bool {
        self.rnn.is_empty()
    }

    /// x_T of the serial solution.
    pub fn x_final(&self) -> &[f64] {
        let (n, d) = (self.serial.len(), self.dim());
        if n < d {
            &[]
        } else {
            &self.serial[n - d..]
        }
    }

    /// Fraction of the sweeps done (finished schemes count whole), None when all are done.
    fn pending(&self) -> Option<f64> {
        if self.runners.iter().all(SweepRunner::is_finished) {
            return None;
        }
        let total = (3 * self.max_sweeps.max(1)) as f64;
        let done: f64 =
            self.runners.iter().map(|r| if r.is_finished() { self.max_sweeps as f64 } else { r.sweeps().computed() as f64 }).sum();
        Some((done / total).clamp(0.0, 0.999))
    }

    /// One chunk: the shown scheme first, then the others in order.
    fn work(&mut self, shown: Scheme) {
        let (t, d) = (self.len(), self.dim());
        let mut order = vec![scheme_index(shown)];
        order.extend((0..3).filter(|&i| i != scheme_index(shown)));
        let mut spent = 0.0;
        for i in order {
            let cost = sweep_cost(Scheme::ALL[i], t, d);
            while spent < CHUNK && self.runners[i].step() {
                spent += cost;
            }
            if spent >= CHUNK {
                return;
            }
        }
    }
}

/// Position of a scheme in [`Scheme::ALL`].
pub fn scheme_index(s: Scheme) -> usize {
    Scheme::ALL.iter().position(|&k| k == s).unwrap_or(0)
}

/// What identifies the SSM's system and kernel.
#[derive(Clone, Debug, PartialEq)]
struct SysKey(ssm::SsmParams);

/// The `ssm` mode: the system and its kernel (kept while only the input or cursor move), the
/// input and the state at the cursor.
pub struct SsmModel {
    sys_key: SysKey,
    /// The discrete system (None only if the discretisation failed: a guard, not expected).
    pub sys: Option<Ssm>,
    /// The kernel by the three routes.
    pub kernels: Option<Kernels>,
    /// Eigenvalues of Ā (None if the eigensolver failed, e.g. an RFT companion matrix).
    pub eigenvalues: Option<Vec<C64>>,
    /// The input u_0..u_{L−1}.
    pub u: Vec<f64>,
    /// What the input was made from: kind, L, and the seed (noise) or a hash of the knots (drawn).
    input_key: (Input, usize, u64),
    /// The cursor t the state is for.
    pub t: usize,
    /// The state x_t the figure reconstructs from (see [`SsmModel::new`]).
    pub state: Vec<f64>,
    /// For LegS online: the exact Legendre projection at t, to compare the stepped state with.
    pub exact: Option<Vec<f64>>,
    /// The outputs y_0..y_{t−1} (diagonal and RFT systems: no Legendre reading of their state).
    pub outputs: Vec<f64>,
}

impl SsmModel {
    fn new(p: &Params) -> Self {
        let sp = p.ssm_params();
        let sys = Ssm::new(&sp);
        let kernels = sys.as_ref().map(|s| s.kernels(sp.l.clamp(1, ssm::MAX_L)));
        let eigenvalues = sys.as_ref().and_then(Ssm::eigenvalues);
        let mut m = SsmModel {
            sys_key: SysKey(sp),
            sys,
            kernels,
            eigenvalues,
            u: Vec::new(),
            input_key: (Input::Step, 0, u64::MAX),
            t: usize::MAX,
            state: Vec::new(),
            exact: None,
            outputs: Vec::new(),
        };
        m.update(p);
        m
    }

    /// Recomputes what depends on the input and the cursor (the system stays).
    fn update(&mut self, p: &Params) {
        let l = p.len();
        let seed = match p.input {
            Input::Noise => p.seed as u64,
            Input::Drawn => crate::lab::key_of(&p.drawn.iter().map(|v| v.to_bits()).collect::<Vec<_>>()),
            _ => 0,
        };
        let ik = (p.input, l, seed);
        let fresh_input = ik != self.input_key;
        if fresh_input {
            self.u = ssm::input(p.input, l, seed, &p.drawn);
            self.input_key = ik;
        }
        let t = p.cursor();
        if !fresh_input && t == self.t && !self.state.is_empty() {
            return;
        }
        self.t = t;
        let d = p.ssm_dim();
        // What the figure reconstructs from: the online state by the chosen discretisation
        // (stepped in ln t from the exact first step; ZOH is the exact projection), or for S4 the
        // discrete recurrence's state; diagonal and RFT systems show their outputs instead.
        self.exact = None;
        self.outputs.clear();
        self.state = match p.basis {
            Basis::LegsOnline => {
                self.exact = Some(ssm::projection(&self.u, t, d, Warp::Uniform));
                ssm::legs_online_state(&self.u, t, d, p.disc)
            }
            _ => self.sys.as_ref().map_or_else(|| vec![0.0; d], |s| s.state_after(&self.u, t)),
        };
        if matches!(p.basis, Basis::Diagonal | Basis::Rft) {
            if let Some(s) = &self.sys {
                self.outputs = s.outputs(&self.u[..t.min(self.u.len())]);
            }
        }
    }

    /// The warp that reads the state as a Legendre projection (None: no such reading).
    pub fn warp(&self, p: &Params) -> Option<Warp> {
        match p.basis {
            Basis::LegsOnline => Some(Warp::Uniform),
            Basis::S4 => Some(Warp::Exp(p.eps)),
            _ => None,
        }
    }

    /// The kernel shown and exported (empty if the system failed).
    pub fn kernel(&self) -> &[f64] {
        self.kernels.as_ref().map_or(&[], Kernels::kernel)
    }

    /// The reconstruction of the input from the state at step time s ∈ [0, t] (None without a
    /// Legendre reading, before any input, or where it is not finite).
    pub fn reconstruct(&self, p: &Params, s: f64) -> Option<f64> {
        let w = self.warp(p)?;
        if self.t == 0 {
            return None;
        }
        let v = ssm::reconstruct(&self.state, w.xi(s, self.t as f64));
        v.is_finite().then_some(v)
    }

    /// max |u − reconstruction| over the steps of [0, t], at step midpoints (the input is held on
    /// each step).
    pub fn reconstruction_error(&self, p: &Params) -> Option<f64> {
        self.warp(p)?;
        let t = self.t.min(self.u.len());
        if t == 0 {
            return None;
        }
        let mut e: f64 = 0.0;
        for k in 0..t {
            let r = self.reconstruct(p, k as f64 + 0.5)?;
            e = e.max((r - self.u[k]).abs());
        }
        Some(e)
    }

    /// Whether the discretisation is forward Euler past its stability limit ε < 2/d (LegS family).
    pub fn euler_unstable(&self, p: &Params) -> bool {
        p.basis != Basis::Rft && p.disc == Disc::Euler && p.eps >= 2.0 / p.ssm_dim() as f64
    }
}

impl State {
    /// Fresh state for the shown mode.
    pub fn new(p: &Params) -> State {
        let mut s = State { rnn: None, ssm: None, wall: None };
        s.reinit(p);
        s
    }

    /// After a parameter change: keeps each mode's heavy part while its defining parameters stay.
    pub fn reinit(&mut self, p: &Params) {
        if p.ssm {
            match &mut self.ssm {
                Some(m) if m.sys_key == SysKey(p.ssm_params()) => m.update(p),
                _ => self.ssm = Some(SsmModel::new(p)),
            }
        } else if !self.rnn.as_ref().is_some_and(|m| m.key == RnnKey::of(p)) {
            self.rnn = Some(RnnModel::new(p));
        }
    }

    /// The wall for the shown SSM, once computed (None before, or for a system not built on LegS).
    pub fn wall(&self, p: &Params) -> Option<&Wall> {
        self.wall.as_ref().filter(|w| p.ssm && legs_family(p) && w.d == p.ssm_dim())
    }

    /// Whether the shown SSM still waits for its wall.
    fn wall_owed(&self, p: &Params) -> bool {
        p.ssm && legs_family(p) && self.wall(p).is_none()
    }

    /// Fraction of the background work done, None when there is none (the RNN's sweeps; the
    /// SSM's eigenvector wall, one chunk).
    pub fn pending(&self, p: &Params) -> Option<f64> {
        if p.ssm {
            return self.wall_owed(p).then_some(0.0);
        }
        self.rnn.as_ref().and_then(RnnModel::pending)
    }

    /// One chunk of the sweeps, or the wall.
    pub fn work(&mut self, p: &Params) {
        if self.wall_owed(p) {
            self.wall = Some(Wall::new(p.ssm_dim()));
        } else if let (false, Some(m)) = (p.ssm, self.rnn.as_mut()) {
            m.work(p.scheme);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::rnn::run_all;

    fn finish(p: &Params) -> State {
        let mut s = State::new(p);
        while s.pending(p).is_some() {
            s.work(p);
        }
        s
    }

    #[test]
    fn chunked_sweeps_equal_the_one_shot_run() {
        for p in [
            Params { literal: true, t_len: 100.0, ..Params::default() },
            Params { t_len: 200.0, rnn_d: 8.0, radius: 0.95, scheme: Scheme::Newton, ..Params::default() },
            Params { t_len: 128.0, rnn_d: 4.0, radius: 1.3, amp: 0.1, ..Params::default() },
        ] {
            let s = finish(&p);
            let m = s.rnn.as_ref().unwrap();
            let want = run_all(&m.rnn, 64);
            for k in Scheme::ALL {
                assert_eq!(m.sweeps(k), want.get(k), "{}", k.name());
            }
        }
    }

    #[test]
    fn a_new_problem_paints_the_shown_sweep_first_and_leaves_the_rest() {
        let p = Params { t_len: 512.0, rnn_d: 8.0, sweeps: 3.0, ..Params::default() };
        let s = State::new(&p);
        let m = s.rnn.as_ref().unwrap();
        assert!(m.sweeps(Scheme::Plain).computed() >= 3);
        assert_eq!(m.sweeps(Scheme::Newton).computed(), 0);
        assert!(s.pending(&p).is_some());
    }

    #[test]
    fn shown_sweep_and_scheme_keep_the_sweeps() {
        let p = Params::default();
        let mut s = finish(&p);
        let before = s.rnn.as_ref().unwrap().sweeps(Scheme::SechU).clone();
        let q = Params { sweeps: 9.0, scheme: Scheme::SechU, ssm: false, ..p.clone() };
        s.reinit(&q);
        assert!(s.pending(&q).is_none(), "nothing to recompute");
        assert_eq!(s.rnn.as_ref().unwrap().sweeps(Scheme::SechU), &before);
        // Going to the SSM and back keeps them too.
        let r = Params { ssm: true, ..q.clone() };
        s.reinit(&r);
        s.reinit(&q);
        assert!(s.pending(&q).is_none());
    }

    #[test]
    fn ssm_cursor_moves_keep_the_kernel_and_match_the_projection() {
        let p = Params { ssm: true, basis: Basis::LegsOnline, disc: Disc::Zoh, ..Params::default() };
        let mut s = State::new(&p);
        let k0 = s.ssm.as_ref().unwrap().kernel().to_vec();
        let q = Params { t: Some(100.0), ..p.clone() };
        s.reinit(&q);
        let m = s.ssm.as_ref().unwrap();
        assert_eq!(m.kernel(), &k0[..]);
        assert_eq!(m.t, 100);
        // ZOH of the online ODE is the exact projection.
        assert_eq!(Some(&m.state), m.exact.as_ref());
        // The state is the Legendre projection of the chirp on [0, 100]: more coefficients
        // reconstruct it better (the held steps' jumps keep a floor).
        let e8 = m.reconstruction_error(&q).unwrap();
        let r = Params { ssm_d: 32.0, ..q.clone() };
        s.reinit(&r);
        let e32 = s.ssm.as_ref().unwrap().reconstruction_error(&r).unwrap();
        assert!(e32 < e8 / 3.0, "{e8} {e32}");
    }

    #[test]
    fn the_eigenvector_wall_waits_for_the_background_and_outlives_system_changes() {
        let p = Params { ssm: true, ssm_d: 12.0, ..Params::default() };
        let mut s = State::new(&p);
        assert!(s.wall(&p).is_none() && s.pending(&p).is_some(), "the event leaves the eigensolver for later");
        s.work(&p);
        assert!(s.pending(&p).is_none());
        let w = s.wall(&p).unwrap().clone();
        // W2-T9: |S_{d/3}| for λ = n = d/3, d = 12.
        assert_eq!(w.lambda, 4);
        assert!((w.sums[4] - 1.2432012432e-3).abs() < 1e-12, "{}", w.sums[4]);
        assert!(w.sums[..3].iter().all(|v| *v == 0.0) && (w.sums[11] - 1.0).abs() < 1e-13, "{:?}", w.sums);
        let bare = 12f64.powf(1.5) * 2f64.powf(-16.0);
        assert!((w.sums[4] / bare - 1.96).abs() < 0.005, "the spec's ratio to d^(3/2)·2^(−4d/3): 1.96 at d = 12");
        assert!((w.asymptote() / bare - 1.930).abs() < 5e-4, "its limit √(π/2)(4/3)^(3/2) = 1.930");
        // The unitary route stays of order 1/√d; the LegS eigenvector falls to ~1e-4 here.
        let umin = w.unitary_min().unwrap();
        assert!(umin > 0.05 && umin < 1.0 / 12f64.sqrt(), "{umin}");
        // Another discretisation or step keeps it (it depends on d alone); another basis hides it.
        let q = Params { disc: Disc::Zoh, eps: 0.2, ..p.clone() };
        s.reinit(&q);
        assert_eq!(s.wall(&q), Some(&w));
        assert!(s.pending(&q).is_none());
        let r = Params { basis: Basis::Diagonal, ..q.clone() };
        s.reinit(&r);
        assert!(s.wall(&r).is_none() && s.pending(&r).is_none(), "no wall for a diagonal system");
        // A new d owes a new wall.
        let e = Params { ssm_d: 48.0, ..p.clone() };
        s.reinit(&e);
        assert!(s.pending(&e).is_some());
        s.work(&e);
        let w48 = s.wall(&e).unwrap();
        assert!((w48.sums[16] - 3.49226001e-17).abs() < 1e-24, "W2-T9 d = 48: {}", w48.sums[16]);
        assert!(w48.unitary_min().unwrap() > 0.015);
    }
}
