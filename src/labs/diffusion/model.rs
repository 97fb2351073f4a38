//! The diffusion lab's state: solver runs computed step by step in bounded chunks, the fine
//! reference solve, and the error-against-NFE curves.

use super::{Params, FRAMES};
use crate::math::diffusion::{self as df, Mixture, Solver};

/// Particles whose reference endpoints are solved finely (the error readouts average over them).
pub const REF_N: usize = 1000;
/// Particles used for the error-against-NFE curves and AMED-lite's fits.
pub const CURVE_N: usize = 100;
/// NFE values of the curves.
pub const CURVE_NFE: [usize; 8] = [2, 4, 6, 8, 10, 12, 16, 20];
/// Denoiser evaluations (times components) per chunk of background work: a few milliseconds.
const BUDGET: f64 = 1.2e5;
/// RK4 steps per field line (force mode), spread over the animation frames.
const FIELD_SUB: usize = 3;
/// Where field lines stop (t → 0).
pub const T_END: f64 = 1e-3;

/// One sampler's trajectories.
pub struct Run {
    /// The sampler (force mode: unused).
    pub solver: Solver,
    /// Steps.
    pub steps: usize,
    /// σ at each step (force mode: t at each frame).
    pub sched: Vec<f64>,
    /// Positions at each completed schedule point, all particles.
    pub positions: Vec<Vec<[f64; 2]>>,
    /// AMED-lite's (r, c) per step.
    pub amed: Vec<(f64, f64)>,
    next: Vec<[f64; 2]>,
    done: usize,
}

impl Run {
    fn new(solver: Solver, steps: usize, sched: Vec<f64>, start: &[[f64; 2]]) -> Self {
        Run { solver, steps, sched, positions: vec![start.to_vec()], amed: Vec::new(), next: Vec::new(), done: 0 }
    }
    /// Denoiser evaluations.
    pub fn nfe(&self) -> usize {
        self.steps * self.solver.nfe_per_step()
    }
    /// Whether every step is computed.
    pub fn complete(&self) -> bool {
        self.positions.len() == self.sched.len()
    }
}

/// Everything the lab computes.
pub struct State {
    /// The target.
    pub mix: Mixture,
    /// Start positions (noise, or the force-mode prior).
    pub start: Vec<[f64; 2]>,
    /// The main run, and the compare run if any.
    pub runs: Vec<Run>,
    /// Reference endpoints of the first particles.
    pub reference: Vec<[f64; 2]>,
    ref_target: usize,
    /// Error against NFE per solver: (solver, [(nfe, mean error)]).
    pub curves: Vec<(Solver, Vec<(f64, f64)>)>,
    curve_job: usize,
    /// Animation frame.
    pub frame: usize,
    units_done: f64,
    units_total: f64,
    scratch: Vec<f64>,
    /// The parameters everything above was computed for.
    made_for: Params,
}

impl State {
    /// Fresh state: start positions drawn, nothing solved yet.
    pub fn new(p: &Params) -> Self {
        let mix = p.mixture();
        let n = p.n as usize;
        let seed = p.seed as u64;
        let k = mix.comps.len() as f64;
        let (start, runs, ref_target, units_total) = if p.force {
            let start = df::pfgm_prior(n, p.t_plane, seed);
            let sched: Vec<f64> =
                (0..=FRAMES).map(|i| (p.t_plane.ln() + i as f64 / FRAMES as f64 * (T_END.ln() - p.t_plane.ln())).exp()).collect();
            let mut run = Run::new(Solver::Euler, FRAMES, sched, &start);
            run.positions = (0..=FRAMES).map(|_| Vec::with_capacity(n)).collect();
            (start, vec![run], 0, n as f64 * (FRAMES * FIELD_SUB * 4) as f64 * k)
        } else {
            let start = df::noise(n, p.sigma_max, seed);
            let mut runs =
                vec![Run::new(p.solver, p.steps as usize, df::schedule(p.steps as usize, p.sigma_max, p.sigma_min, p.rho), &start)];
            if let Some((c, steps)) = p.compare_steps() {
                runs.push(Run::new(c, steps, df::schedule(steps, p.sigma_max, p.sigma_min, p.rho), &start));
            }
            let runs_units: f64 = runs.iter().map(|r| (r.nfe() * n) as f64 * k).sum();
            let ref_target = n.min(REF_N);
            let ref_units = (ref_target * df::REFERENCE_STEPS * 4) as f64 * k;
            let curve_units = (CURVE_NFE.iter().sum::<usize>() * CURVE_N * 5) as f64 * k;
            (start, runs, ref_target, runs_units + ref_units + curve_units)
        };
        State {
            mix,
            start,
            runs,
            reference: Vec::new(),
            ref_target,
            curves: Vec::new(),
            curve_job: 0,
            frame: 0,
            units_done: 0.0,
            units_total: units_total.max(1.0),
            scratch: Vec::new(),
            made_for: p.clone(),
        }
    }

    /// Back to the first frame. The solves depend on the parameters only, not on the frame: a
    /// reset (or replay) with the same parameters keeps them; a change starts over.
    pub fn reinit(&mut self, p: &Params) {
        if *p == self.made_for {
            self.frame = 0;
        } else {
            *self = State::new(p);
        }
    }

    fn curve_jobs(&self) -> usize {
        5 * CURVE_NFE.len()
    }

    /// Fraction of the background work done, or None when all is done.
    pub fn pending(&self, p: &Params) -> Option<f64> {
        let busy = self.runs.iter().any(|r| !self.run_complete(r, p))
            || (!p.force && (self.reference.len() < self.ref_target || self.curve_job < self.curve_jobs()));
        busy.then(|| (self.units_done / self.units_total).clamp(0.0, 0.999))
    }

    fn run_complete(&self, r: &Run, p: &Params) -> bool {
        if p.force {
            r.positions[0].len() == self.start.len()
        } else {
            r.complete()
        }
    }

    /// Progress of the reference solve.
    pub fn reference_progress(&self) -> f64 {
        self.reference.len() as f64 / self.ref_target.max(1) as f64
    }

    /// One bounded chunk of work.
    pub fn work(&mut self, p: &Params) {
        let k = self.mix.comps.len() as f64;
        let n = self.start.len();
        if p.force {
            let run = &mut self.runs[0];
            let per = (FRAMES * FIELD_SUB * 4) as f64 * k;
            let batch = ((BUDGET / per) as usize).max(1);
            let from = run.positions[0].len();
            for i in from..(from + batch).min(n) {
                let line = df::field_line(&self.mix, self.start[i], p.t_plane, T_END, p.k, FRAMES, FIELD_SUB);
                for (f, x) in line.into_iter().enumerate() {
                    run.positions[f].push(x);
                }
            }
            self.units_done += ((from + batch).min(n) - from) as f64 * per;
            return;
        }
        for r in 0..self.runs.len() {
            if self.runs[r].complete() {
                continue;
            }
            let run = &mut self.runs[r];
            let i = run.positions.len() - 1;
            let (t0, t1) = (run.sched[i], run.sched[i + 1]);
            if run.done == 0 {
                run.next = Vec::with_capacity(n);
                if run.solver == Solver::Amed {
                    let cur = &run.positions[i];
                    let fit = df::fit_amed(&self.mix, &cur[..cur.len().min(CURVE_N)], t0, t1, &mut self.scratch);
                    run.amed.push(fit);
                }
            }
            let per = run.solver.nfe_per_step() as f64 * k;
            let batch = ((BUDGET / per) as usize).max(1);
            let amed = run.amed.get(i).copied().unwrap_or((0.5, 1.0));
            let end = (run.done + batch).min(n);
            for j in run.done..end {
                let x = df::step(&self.mix, run.positions[i][j], t0, t1, run.solver, amed, &mut self.scratch);
                // A particle that left the finite numbers stays where it was (cannot happen for
                // valid mixtures; guards the drawing against junk).
                run.next.push(if x[0].is_finite() && x[1].is_finite() { x } else { run.positions[i][j] });
            }
            self.units_done += (end - run.done) as f64 * per;
            run.done = end;
            if run.done == n {
                let next = std::mem::take(&mut run.next);
                run.positions.push(next);
                run.done = 0;
            }
            return;
        }
        if self.reference.len() < self.ref_target {
            let per = (df::REFERENCE_STEPS * 4) as f64 * k;
            let batch = ((BUDGET / per) as usize).max(1);
            let from = self.reference.len();
            for j in from..(from + batch).min(self.ref_target) {
                let x = df::reference(&self.mix, self.start[j], p.sigma_max, p.sigma_min, df::REFERENCE_STEPS, &mut self.scratch);
                self.reference.push(x);
            }
            self.units_done += ((from + batch).min(self.ref_target) - from) as f64 * per;
            return;
        }
        if self.curve_job < self.curve_jobs() {
            let solvers = [Solver::Euler, Solver::Heun, Solver::Midpoint, Solver::Dpm2, Solver::Amed];
            let (si, ni) = (self.curve_job / CURVE_NFE.len(), self.curve_job % CURVE_NFE.len());
            let (solver, nfe) = (solvers[si], CURVE_NFE[ni]);
            let steps = (nfe / solver.nfe_per_step()).max(1);
            let m = self.ref_target.min(CURVE_N);
            let sched = df::schedule(steps, p.sigma_max, p.sigma_min, p.rho);
            let mut xs: Vec<[f64; 2]> = self.start[..m].to_vec();
            for w in sched.windows(2) {
                let amed = if solver == Solver::Amed { df::fit_amed(&self.mix, &xs, w[0], w[1], &mut self.scratch) } else { (0.5, 1.0) };
                xs.iter_mut().for_each(|x| *x = df::step(&self.mix, *x, w[0], w[1], solver, amed, &mut self.scratch));
            }
            let err = mean_distance(&xs, &self.reference[..m]);
            match self.curves.iter_mut().find(|c| c.0 == solver) {
                Some(c) => c.1.push((nfe as f64, err)),
                None => self.curves.push((solver, vec![(nfe as f64, err)])),
            }
            self.units_done += (nfe * CURVE_N) as f64 * k;
            self.curve_job += 1;
        }
    }

    /// Mean endpoint error of run `i` against the reference (once both are complete).
    pub fn error(&self, i: usize) -> Option<f64> {
        let r = self.runs.get(i)?;
        if !r.complete() || self.reference.len() < self.ref_target || self.ref_target == 0 {
            return None;
        }
        Some(mean_distance(&r.positions[r.positions.len() - 1][..self.ref_target], &self.reference))
    }

    /// Where the animation is: σ (or t in force mode) at the current frame.
    pub fn sigma_now(&self, _p: &Params) -> f64 {
        let r = &self.runs[0];
        let u = self.frame as f64 / FRAMES as f64 * (r.sched.len() - 1) as f64;
        let i = (u.floor() as usize).min(r.sched.len() - 1);
        let f = u - i as f64;
        let next = r.sched.get(i + 1).copied().unwrap_or(r.sched[i]);
        r.sched[i] + f * (next - r.sched[i])
    }

    /// Particle positions of run `r` at animation frame `frame` (interpolated between steps; the
    /// last computed step while the solve is still running).
    pub fn positions_at(&self, r: usize, frame: usize, out: &mut Vec<[f64; 2]>) {
        out.clear();
        let run = &self.runs[r];
        let last = run.sched.len() - 1;
        let u = frame.min(FRAMES) as f64 / FRAMES as f64 * last as f64;
        let i = (u.floor() as usize).min(last);
        let f = u - i as f64;
        let have = run.positions.len();
        let a = &run.positions[i.min(have - 1)];
        match run.positions.get(i + 1) {
            Some(b) if i + 1 < have && b.len() == a.len() && f > 0.0 => {
                out.extend(a.iter().zip(b).map(|(x, y)| [x[0] + f * (y[0] - x[0]), x[1] + f * (y[1] - x[1])]));
            }
            _ => out.extend_from_slice(a),
        }
    }

    /// Force mode: the fraction of particles landing on each component (nearest centre).
    pub fn landing(&self) -> Vec<f64> {
        let ends = &self.runs[0].positions[FRAMES.min(self.runs[0].positions.len() - 1)];
        let mut count = vec![0usize; self.mix.comps.len()];
        for x in ends {
            count[df::nearest(&self.mix, *x)] += 1;
        }
        count.iter().map(|&c| c as f64 / ends.len().max(1) as f64).collect()
    }
}

fn mean_distance(a: &[[f64; 2]], b: &[[f64; 2]]) -> f64 {
    a.iter().zip(b).map(|(x, y)| ((x[0] - y[0]).powi(2) + (x[1] - y[1]).powi(2)).sqrt()).sum::<f64>() / a.len().max(1) as f64
}
