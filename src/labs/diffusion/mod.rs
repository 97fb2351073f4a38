//! Diffusion-ODE particle flows (math-spec page 3): thousands of particles carried from noise onto
//! a Gaussian-mixture target by the probability-flow ODE, with real samplers side by side at equal
//! NFE, a fine reference solve, and the Poisson-flow (force-field) generator.

pub mod model;
mod render;
pub mod text;

use text::tf;
use crate::fmt::fmt_num;
use crate::lab::{Control, Figure, Formula, Lab, LabMeta, Layer, Readout, Table};
use crate::plot::theme::Theme;
use crate::plot::{Blit, DrawResult, PlotFrame};
use plotters::coord::Shift;
use plotters::prelude::DrawingArea;
use crate::math::diffusion::{Comp, Mixture, Solver};
pub use model::State;

/// The diffusion lab.
pub struct Diffusion;

/// Animation frames of a run, whatever the number of solver steps (positions are interpolated in σ).
pub const FRAMES: usize = 120;

/// Target presets.
pub const TARGETS: &[(&str, &str)] = &[
    ("three", "3 modes"),
    ("ring", "8 on a ring"),
    ("grid", "5×5 grid"),
    ("moons", "two moons"),
    ("spiral", "spiral"),
    ("custom", "custom (mix)"),
];

const SOLVERS: &[(&str, &str)] =
    &[("euler", "Euler (= DDIM, η = 0)"), ("heun", "Heun"), ("midpoint", "midpoint"), ("dpm2", "DPM-Solver-2"), ("amed", "AMED-lite")];
const COMPARE: &[(&str, &str)] = &[
    ("", "none"),
    ("euler", "Euler (= DDIM, η = 0)"),
    ("heun", "Heun"),
    ("midpoint", "midpoint"),
    ("dpm2", "DPM-Solver-2"),
    ("amed", "AMED-lite"),
];
const MODES: &[(&str, &str)] = &[("ode", "diffusion ODE"), ("force", "force field (Poisson flow)")];

/// Every parameter; field names follow the URL keys.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub struct Params {
    pub target: &'static str,
    /// The custom mixture (used when `target` is `custom`).
    pub mix: Vec<Comp>,
    pub n: f64,
    pub seed: f64,
    pub solver: Solver,
    pub compare: Option<Solver>,
    pub steps: f64,
    pub sigma_max: f64,
    pub sigma_min: f64,
    pub rho: f64,
    pub force: bool,
    pub k: f64,
    pub t_plane: f64,
}

impl Default for Params {
    /// The spec's three-mode mixture, 2,000 particles, Heun with 5 steps against Euler at the same
    /// 10 evaluations: Heun overshoots, Euler wins (math-spec 3.2).
    fn default() -> Self {
        Params {
            target: "three",
            mix: preset("three"),
            n: 2000.0,
            seed: 1.0,
            solver: Solver::Heun,
            compare: Some(Solver::Euler),
            steps: 5.0,
            sigma_max: 80.0,
            sigma_min: 0.002,
            rho: 7.0,
            force: false,
            k: 3.0,
            t_plane: 40.0,
        }
    }
}

/// A preset mixture.
pub fn preset(key: &str) -> Vec<Comp> {
    let c = |w: f64, x: f64, y: f64, s: f64| Comp { w, mu: [x, y], s };
    match key {
        "ring" => (0..8).map(|i| i as f64 * std::f64::consts::TAU / 8.0).map(|a| c(1.0, 2.5 * a.cos(), 2.5 * a.sin(), 0.15)).collect(),
        "grid" => (0..25).map(|i| c(1.0, (i % 5) as f64 * 1.2 - 2.4, (i / 5) as f64 * 1.2 - 2.4, 0.12)).collect(),
        "moons" => (0..24)
            .map(|i| {
                let a = (i % 12) as f64 / 11.0 * std::f64::consts::PI;
                if i < 12 {
                    c(1.0, 1.6 * a.cos() - 0.8, 1.6 * a.sin() - 0.4, 0.1)
                } else {
                    c(1.0, 0.8 - 1.6 * a.cos(), 0.4 - 1.6 * a.sin(), 0.1)
                }
            })
            .collect(),
        "spiral" => (0..30)
            .map(|i| {
                let th = i as f64 / 29.0 * 3.0 * std::f64::consts::PI;
                let r = 0.3 + 0.28 * th;
                c(1.0, r * th.cos(), r * th.sin(), 0.1)
            })
            .collect(),
        _ => vec![c(0.5, -2.0, 0.0, 0.3), c(0.3, 2.0, 1.0, 0.5), c(0.2, 0.5, -2.5, 0.2)],
    }
}

impl Params {
    /// The target as a mixture.
    pub fn mixture(&self) -> Mixture {
        Mixture::new(if self.target == "custom" { self.mix.clone() } else { preset(self.target) })
    }
    /// Steps the compare solver takes for the same NFE as the main one.
    pub fn compare_steps(&self) -> Option<(Solver, usize)> {
        let nfe = self.steps as usize * self.solver.nfe_per_step();
        self.compare.map(|c| (c, (nfe / c.nfe_per_step()).max(1)))
    }
}

/// The URL key of a solver.
pub fn solver_key(s: Solver) -> &'static str {
    match s {
        Solver::Euler => "euler",
        Solver::Heun => "heun",
        Solver::Midpoint => "midpoint",
        Solver::Dpm2 => "dpm2",
        Solver::Amed => "amed",
    }
}

fn solver_of(k: &str) -> Option<Solver> {
    Some(match k {
        "euler" => Solver::Euler,
        "heun" => Solver::Heun,
        "midpoint" => Solver::Midpoint,
        "dpm2" => Solver::Dpm2,
        "amed" => Solver::Amed,
        _ => return None,
    })
}

/// The label of a solver (untranslated).
pub fn solver_label(s: Solver) -> &'static str {
    SOLVERS.iter().find(|(k, _)| *k == solver_key(s)).map(|x| x.1).unwrap_or("")
}

fn mix_text(m: &[Comp]) -> String {
    m.iter().map(|c| format!("{},{},{},{}", fmt_num(c.w), fmt_num(c.mu[0]), fmt_num(c.mu[1]), fmt_num(c.s))).collect::<Vec<_>>().join(";")
}

fn parse_mix(s: &str) -> Result<Vec<Comp>, String> {
    let parts: Vec<&str> = s.split(';').map(str::trim).filter(|p| !p.is_empty()).collect();
    if parts.is_empty() || parts.len() > 64 {
        return Err(tf("give 1 to 64 components w,mx,my,s separated by ';' ({} given)", &[&parts.len()]));
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let v: Vec<f64> = p
                .split(',')
                .map(|x| crate::fmt::parse_num(x).ok_or(()))
                .collect::<Result<_, _>>()
                .map_err(|_| tf("component {}: four numbers w,mx,my,s", &[&(i + 1)]))?;
            match v.as_slice() {
                [w, x, y, s] if *w > 0.0 && *s > 0.0 && x.abs() <= 50.0 && y.abs() <= 50.0 => {
                    Ok(Comp { w: *w, mu: [*x, *y], s: s.min(10.0) })
                }
                [_, _, _, _] => Err(tf("component {}: weight and width must be positive, centres within ±50", &[&(i + 1)])),
                _ => Err(tf("component {}: four numbers w,mx,my,s", &[&(i + 1)])),
            }
        })
        .collect()
}

fn check_mix(s: &str) -> Option<(usize, String)> {
    parse_mix(s).err().map(|e| (1, e))
}

type C = Control<Params>;

static CONTROLS: &[C] = &[
    C::choice("mode", "mode", MODES, |p| if p.force { "force" } else { "ode" }, |p, k| p.force = k == "force"),
    C::choice(
        "target",
        "target",
        TARGETS,
        |p| p.target,
        |p, k| {
            if k == "custom" && p.target != "custom" {
                p.mix = preset(p.target);
            }
            p.target = k
        },
    ),
    C::text(
        "mix",
        "mixture w,mx,my,s; …",
        |p| mix_text(&if p.target == "custom" { p.mix.clone() } else { preset(p.target) }),
        |p, s| {
            p.mix = parse_mix(s)?;
            p.target = "custom";
            Ok(())
        },
        check_mix,
    )
    .examples(&["1,0,0,0.5;2,1.5,-1,0.25", "1,0,0,0.05", "3,-4,4,1;0.1,4,-4,0.05;1,0,0,0.3", "1,40,-40,0.01;1,-40,40,2"])
    .help("drag a centre on the plot to edit")
    .default_from(|p| crate::lab::Value::Text(mix_text(&preset(if p.target == "custom" { "three" } else { p.target })))),
    C::num("n", "particles", 100.0, 20000.0, |p| p.n, |p, v| p.n = v).log().integer(),
    C::num("seed", "seed", 1.0, 1000.0, |p| p.seed, |p, v| p.seed = v).integer(),
    C::choice("solver", "solver", SOLVERS, |p| solver_key(p.solver), |p, k| p.solver = solver_of(k).unwrap_or(Solver::Heun))
        .visible(|p| !p.force)
        .group("Sampler"),
    C::choice("compare", "compare with (same NFE)", COMPARE, |p| p.compare.map(solver_key).unwrap_or(""), |p, k| p.compare = solver_of(k))
        .visible(|p| !p.force)
        .group("Sampler"),
    C::num("steps", "steps N", 1.0, 50.0, |p| p.steps, |p, v| p.steps = v).integer().visible(|p| !p.force).group("Sampler"),
    C::num("sigma_max", "σ_max", 1.0, 200.0, |p| p.sigma_max, |p, v| p.sigma_max = v).log().visible(|p| !p.force).group("Sampler"),
    C::num("sigma_min", "σ_min", 0.001, 1.0, |p| p.sigma_min, |p, v| p.sigma_min = v).log().visible(|p| !p.force).group("Sampler"),
    C::num("rho", "ρ", 1.0, 10.0, |p| p.rho, |p, v| p.rho = v).visible(|p| !p.force).group("Sampler"),
    C::num("k", "exponent k", 1.0, 6.0, |p| p.k, |p, v| p.k = v)
        .visible(|p| p.force)
        .group("Force field")
        .help("F ∝ (x − y, t)/Rᵏ; only k = d + 1 = 3 works"),
    C::num("T", "prior plane height T", 1.0, 500.0, |p| p.t_plane, |p, v| p.t_plane = v).log().visible(|p| p.force).group("Force field"),
];


impl Lab for Diffusion {
    const SLUG: &'static str = "diffusion";
    type Params = Params;
    type State = State;

    const META: LabMeta = text::META;
    const TEST_LIMITS: &'static [(&'static str, f64)] = &[("n", 150.0), ("steps", 8.0)];

    fn controls() -> &'static [Control<Params>] {
        CONTROLS
    }
    fn init(p: &Params) -> State {
        State::new(p)
    }
    fn reinit(p: &Params, s: &mut State) {
        s.reinit(p);
    }
    fn pending(p: &Params, s: &State) -> Option<f64> {
        s.pending(p)
    }
    fn work(p: &Params, s: &mut State) {
        s.work(p);
    }
    fn step(_p: &Params, s: &mut State) {
        s.frame = (s.frame + 1).min(FRAMES);
    }
    fn frames(_p: &Params) -> usize {
        FRAMES
    }
    fn cache_key(fig: Figure, layer: Layer, p: &Params, s: &State) -> Option<u64> {
        match (fig, layer) {
            // The background is drawn at a quantised σ: it changes a few dozen times per run, while
            // the particles above it move every frame.
            // Only what the background shows: the mixture, σ, the mode and the panel count (a new
            // seed, particle count or solver keeps it).
            (Figure::Main, Layer::Background) => Some(crate::lab::key_of(&(
                format!("{:?}", s.mix),
                render::shown_sigma(&s.mix, s.sigma_now(p)).to_bits(),
                p.force,
                p.k.to_bits(),
                p.t_plane.to_bits(),
                s.runs.len(),
            ))),
            (Figure::Main, Layer::Foreground) => None,
            // The chart changes only when background work completes (the shell redraws cached
            // layers after each chunk of it) or the parameters change; nothing in it animates.
            (Figure::Aux, Layer::Background) => Some(params_key(p, 0)),
            (Figure::Aux, _) => Some(0),
            (Figure::Main, Layer::All) => None,
        }
    }
    fn render<DB: Blit>(fig: Figure, layer: Layer, area: &DrawingArea<DB, Shift>, p: &Params, s: &State, theme: &Theme) -> DrawResult<Option<PlotFrame>, DB> {
        render::render(fig, layer, area, p, s, theme)
    }
    fn formulas(p: &Params, s: &State) -> Vec<Formula> {
        text::formulas(p, s)
    }
    fn readouts(p: &Params, s: &State) -> Vec<Readout> {
        text::readouts(p, s)
    }
    fn data(p: &Params, s: &State) -> Table {
        text::data(p, s)
    }
    fn pointer(p: &mut Params, x: f64, y: f64) -> bool {
        // Drag the nearest centre (within reach) of the target; the mixture becomes custom.
        let mut comps = if p.target == "custom" { p.mix.clone() } else { preset(p.target) };
        let d = |c: &Comp| ((c.mu[0] - x).powi(2) + (c.mu[1] - y).powi(2)).sqrt();
        let Some(i) = (0..comps.len()).min_by(|&a, &b| d(&comps[a]).total_cmp(&d(&comps[b]))) else { return false };
        if d(&comps[i]) > 1.0 || !(x.abs() <= 50.0 && y.abs() <= 50.0) {
            return false;
        }
        comps[i].mu = [(x * 100.0).round() / 100.0, (y * 100.0).round() / 100.0];
        p.mix = comps;
        p.target = "custom";
        true
    }
}

/// A hash of every parameter and `extra` (Params holds f64s, so it has no `Hash`: its Debug text
/// is hashed, which covers every field).
fn params_key(p: &Params, extra: u64) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    format!("{p:?}").hash(&mut h);
    extra.hash(&mut h);
    h.finish()
}

