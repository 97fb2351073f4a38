//! Diffusion-ODE particle flows (math-spec page 3): thousands of particles carried from noise onto
//! a Gaussian-mixture target by the probability-flow ODE, with real samplers side by side at equal
//! NFE, a fine reference solve, and the Poisson-flow (force-field) generator.

mod model;
mod render;

use crate::i18n::{t, tf};
use crate::lab::{fmt_num, Control, Lab, LabMeta, Readout, Table};
use crate::math::diffusion::{Comp, Mixture, Solver};
use crate::math::fmt_sig;
use crate::mathml::*;
pub use model::State;
use std::fmt::Write;

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

fn solver_key(s: Solver) -> &'static str {
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
                .map(|x| crate::lab::parse_num(x).ok_or(()))
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

static META: LabMeta = LabMeta {
    title: "Diffusion ODE: particles from noise to data",
    tagline: "Noise flows onto the data along dx/dσ = (x − D(x; σ))/σ. With few steps Euler over-smooths, Heun overshoots, and a fitted intermediate time (AMED) fixes both at the same cost.",
    look_at: "The colour is the density p_σ of the target blurred by noise of size σ; the camera zooms in as σ shrinks. Each dot is one particle carried by the probability-flow ODE from Gaussian noise of size σ_max. The two panels run two samplers on the same particles with the same number of denoiser evaluations (NFE); the readouts give each one's mean distance from a fine reference solve. The chart below shows that error against NFE for every sampler. In force-field mode the particles instead follow field lines of point charges at the mixture centres from a heavy-tailed prior high above the data: only the exponent k = d + 1 lands them in proportion to the weights.",
    try_these: &[
        ("Few steps: Heun overshoots, Euler at equal NFE does better", "steps=5&solver=heun&compare=euler"),
        ("AMED-lite: one fitted midpoint per step", "steps=5&solver=amed&compare=heun"),
        ("DPM-Solver-2 is the geometric midpoint", "steps=5&solver=dpm2&compare=midpoint"),
        ("Many steps: every sampler converges", "steps=40&solver=heun&compare=euler"),
        ("8 modes on a ring, 20,000 particles", "target=ring&n=20000&steps=10"),
        ("Force field: only k = 3 keeps the weights", "mode=force&k=3"),
        ("Force field with k = 2: the heavy mode takes too much", "mode=force&k=2"),
    ],
    main_caption: "Particles carried from noise onto a Gaussian-mixture target, over the density p_σ",
    aux_caption: "Mean endpoint error against the number of denoiser evaluations, per sampler (force mode: landing fractions against weights)",
};

impl Lab for Diffusion {
    const SLUG: &'static str = "diffusion";
    type Params = Params;
    type State = State;

    fn meta() -> &'static LabMeta {
        &META
    }
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
    fn pending_label() -> &'static str {
        "solving"
    }
    fn work(p: &Params, s: &mut State) {
        s.work(p);
    }
    fn step(_p: &Params, s: &mut State) {
        s.frame = (s.frame + 1).min(FRAMES);
    }
    fn total_steps(_p: &Params) -> usize {
        FRAMES
    }
    fn has_aux() -> bool {
        true
    }
    fn background_key(p: &Params, s: &State) -> u64 {
        // The background is drawn at a quantised σ: it changes a few dozen times per run, while
        // the particles above it move every frame.
        params_key(p, render::shown_sigma(&s.mix, s.sigma_now(p)).to_bits())
    }
    fn aux_key(p: &Params) -> Option<u64> {
        // The chart changes only when background work completes (the shell then redraws it) or
        // the parameters change.
        Some(params_key(p, 0))
    }
    fn aux_foreground_key(_p: &Params, _s: &State) -> Option<u64> {
        // The error curves and landing fractions do not animate: all of the chart is background.
        Some(0)
    }
    fn render<DB: plotters::prelude::DrawingBackend>(
        fig: crate::lab::Figure,
        layer: crate::lab::Layer,
        area: &plotters::prelude::DrawingArea<DB, plotters::coord::Shift>,
        p: &Params,
        s: &State,
        theme: &crate::plot::theme::Theme,
    ) -> Result<Option<crate::lab::PlotFrame>, plotters::prelude::DrawingAreaErrorKind<DB::ErrorType>> {
        render::render(fig, layer, area, p, s, theme)
    }
    fn formula(p: &Params, s: &State) -> String {
        formula(p, s)
    }
    fn readouts(p: &Params, s: &State) -> Vec<Readout> {
        readouts(p, s)
    }
    fn data(p: &Params, s: &State) -> Table {
        let mut t = Table { columns: vec!["particle", "x_start", "y_start", "x_end", "y_end"], ..Default::default() };
        let a = &s.runs[0];
        let end = a.positions.last();
        for (i, x0) in s.start.iter().enumerate() {
            let e = end.and_then(|v| v.get(i)).copied().unwrap_or([f64::NAN; 2]);
            t.rows.push(vec![i.to_string(), fmt_num(x0[0]), fmt_num(x0[1]), fmt_num(e[0]), fmt_num(e[1])]);
        }
        if p.force {
            for (i, f) in s.landing().iter().enumerate().take(FRACTION_KEYS.len()) {
                t.summary.push((FRACTION_KEYS[i], fmt_num(*f)));
            }
        } else {
            t.summary.push(("nfe", a.nfe().to_string()));
            if let Some(e) = s.error(0) {
                t.summary.push(("mean_endpoint_error", fmt_num(e)));
                t.summary.push(("reference_particles", s.reference.len().to_string()));
            }
        }
        t
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
    fn pointer_hint() -> &'static str {
        "Drag a mixture centre to move it (the target becomes custom)."
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

const FRACTION_KEYS: [&str; 8] =
    ["fraction_1", "fraction_2", "fraction_3", "fraction_4", "fraction_5", "fraction_6", "fraction_7", "fraction_8"];

fn readouts(p: &Params, s: &State) -> Vec<Readout> {
    let mut out = Vec::new();
    if p.force {
        let m = &s.mix;
        let f = s.landing();
        if s.runs[0].complete() {
            let text = m
                .comps
                .iter()
                .zip(&f)
                .take(8)
                .map(|(c, f)| format!("{} → {}", fmt_sig(c.w, 3), fmt_sig(*f, 3)))
                .collect::<Vec<_>>()
                .join(" · ");
            out.push(Readout { label: t("Weights → landing fractions").into(), text, colour: Some(0), warn: false });
        }
        let ok = (p.k - 3.0).abs() < 1e-9;
        out.push(Readout {
            label: t("Exponent").into(),
            text: if ok {
                t("k = d + 1 = 3: the field is divergence-free, so fractions match the weights").into()
            } else {
                tf("k = {} ≠ d + 1 = 3: the fractions do not match the weights", &[&fmt_sig(p.k, 3)])
            },
            colour: None,
            warn: !ok,
        });
        return out;
    }
    for (i, r) in s.runs.iter().enumerate() {
        let err = match s.error(i) {
            Some(e) => tf("mean endpoint error {} (vs a fine RK4 solve of the first {} particles)", &[&fmt_sig(e, 3), &s.reference.len()]),
            None => tf("reference solve {}%", &[&format!("{:.0}", 100.0 * s.reference_progress())]),
        };
        out.push(Readout {
            label: t(solver_label(r.solver)).into(),
            text: format!("{} · {} · {err}", tf("{} steps", &[&r.steps]), tf("NFE {}", &[&r.nfe()])),
            colour: Some(render::colour_index(r.solver)),
            warn: false,
        });
        if r.solver == Solver::Amed && !r.amed.is_empty() {
            let fits = r.amed.iter().map(|(a, c)| format!("({}, {})", fmt_sig(*a, 2), fmt_sig(*c, 3))).collect::<Vec<_>>().join(" ");
            out.push(Readout {
                label: t("AMED-lite (r, c) per step").into(),
                text: fits,
                colour: Some(render::colour_index(r.solver)),
                warn: false,
            });
        }
    }
    let sigma = s.sigma_now(p);
    out.push(Readout { label: "σ".into(), text: fmt_sig(sigma, 4), colour: None, warn: false });
    out
}

fn formula(p: &Params, s: &State) -> String {
    let mut out = String::new();
    if p.force {
        let _ = write!(
            out,
            "<section class=\"rule\"><h4>{}</h4>{}</section>",
            t("Force field"),
            lines(&[
                format!("<mrow><mi>F</mi><mo>(</mo><mi>x</mi><mo>,</mo><mi>t</mi><mo>)</mo><mo>∝</mo><munder><mo>∑</mo><mi>i</mi></munder><msub><mi>w</mi><mi>i</mi></msub>{}<mo>,</mo><mspace width=\"1em\"/><mi>k</mi><mo>=</mo>{}</mrow>", frac("<mo>(</mo><mi>x</mi><mo>−</mo><msub><mi>y</mi><mi>i</mi></msub><mo>,</mo><mi>t</mi><mo>)</mo>", "<msup><mrow><mo>(</mo><msup><mrow><mo>‖</mo><mi>x</mi><mo>−</mo><msub><mi>y</mi><mi>i</mi></msub><mo>‖</mo></mrow><mn>2</mn></msup><mo>+</mo><msup><mi>t</mi><mn>2</mn></msup><mo>)</mo></mrow><mrow><mi>k</mi><mo>/</mo><mn>2</mn></mrow></msup>"), n(p.k)),
                format!("<mrow>{}<mo>=</mo>{}<mo>,</mo><mspace width=\"1em\"/><mi>x</mi><mo>=</mo><mi>T</mi><msub><mi>ε</mi><mi>x</mi></msub><mo>/</mo><mo>|</mo><msub><mi>ε</mi><mi>t</mi></msub><mo>|</mo><mo>,</mo><mspace width=\"1em\"/><mi>T</mi><mo>=</mo>{}</mrow>", frac("<mi>d</mi><mi>x</mi>", "<mi>d</mi><mi>t</mi>"), frac("<msub><mi>F</mi><mi>x</mi></msub>", "<msub><mi>F</mi><mi>t</mi></msub>"), n(p.t_plane)),
            ])
        );
        return out;
    }
    let d = "<mi>D</mi><mo>(</mo><mi>x</mi><mo>;</mo><mi>σ</mi><mo>)</mo>";
    let _ = write!(
        out,
        "<section class=\"rule\"><h4>{}</h4>{}</section>",
        t("Probability-flow ODE"),
        lines(&[
            assign(&frac("<mi>d</mi><mi>x</mi>", "<mi>d</mi><mi>σ</mi>"), &frac(&format!("<mi>x</mi><mo>−</mo>{d}"), "<mi>σ</mi>")),
            assign(d, &format!("<munder><mo>∑</mo><mi>k</mi></munder><msub><mi>γ</mi><mi>k</mi></msub><mo>[</mo><msub><mi>μ</mi><mi>k</mi></msub><mo>+</mo>{}<mo>(</mo><mi>x</mi><mo>−</mo><msub><mi>μ</mi><mi>k</mi></msub><mo>)</mo><mo>]</mo>", frac("<msubsup><mi>s</mi><mi>k</mi><mn>2</mn></msubsup>", "<msubsup><mi>s</mi><mi>k</mi><mn>2</mn></msubsup><mo>+</mo><msup><mi>σ</mi><mn>2</mn></msup>"))),
            format!(
                "<mrow><msub><mi>t</mi><mi>i</mi></msub><mo>=</mo><msup><mrow><mo>(</mo><msubsup><mi>σ</mi><mi>max</mi><mrow><mn>1</mn><mo>/</mo><mi>ρ</mi></mrow></msubsup><mo>+</mo><mfrac><mi>i</mi><mi>N</mi></mfrac><mo>(</mo><msubsup><mi>σ</mi><mi>min</mi><mrow><mn>1</mn><mo>/</mo><mi>ρ</mi></mrow></msubsup><mo>−</mo><msubsup><mi>σ</mi><mi>max</mi><mrow><mn>1</mn><mo>/</mo><mi>ρ</mi></mrow></msubsup><mo>)</mo><mo>)</mo></mrow><mi>ρ</mi></msup><mo>:</mo><mspace width=\"0.5em\"/>{}</mrow>",
                s.runs[0].sched.iter().take(8).map(|v| n(*v)).collect::<Vec<_>>().join("<mo>,</mo>")
            ),
        ])
    );
    for r in &s.runs {
        let body = match r.solver {
            Solver::Euler => t("x ← x + (t_next − t_cur)·v(x, t_cur): one evaluation per step; identical to deterministic DDIM (η = 0)"),
            Solver::Heun => t("x̃ = Euler step; x ← x + h·½(v(x, t_cur) + v(x̃, t_next)): two evaluations per step"),
            Solver::Midpoint => t("x ← x + h·v(x + (h/2)·v(x, t_cur), t_cur + h/2)"),
            Solver::Dpm2 => t("midpoint at the geometric mean t_mid = √(t_cur·t_next) (DPM-Solver-2)"),
            Solver::Amed => t("t_mid = t_next^r·t_cur^(1−r); x ← x + c·h·v(x_mid, t_mid), with (r, c) fitted per step by least squares to a fine solve (100 particles)"),
        };
        let _ = write!(out, "<section class=\"rule\"><h4>{}</h4><p>{body}</p></section>", t(solver_label(r.solver)));
    }
    out
}
