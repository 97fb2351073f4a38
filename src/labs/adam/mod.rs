//! Adam under the microscope (issue 14; spec wave2 §W1 with its §4 corrections; posts 10588, 10563,
//! 10542): is Adam's √v̂ a curvature estimate (mode `hessian`), and how does the best step size
//! scale with the batch size for sign-like updates (mode `batch`). All numerics live in
//! `crate::math::adam`; this folder only chooses, caches, draws and words them.

pub mod model;
mod render;
pub mod text;

pub use model::State;

use crate::fmt::{fmt_num, parse_num};
use crate::lab::{Control, Figure, Formula, Lab, LabMeta, Layer, Readout, Table};
use crate::math::adam::hessian::Regime;
use crate::plot::theme::Theme;
use crate::plot::{Blit, DrawResult, PlotFrame};
use plotters::coord::Shift;
use plotters::prelude::DrawingArea;
use text::{t, tf};

/// The Adam lab.
pub struct Adam;

/// Which page of the lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Is √v̂ a curvature estimate?
    Hessian,
    /// The best step size against the batch size.
    Batch,
}

/// The update rule of the `batch` mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Opt {
    /// Plain SGD.
    Sgd,
    /// sign(g̃): Adam without ε in the post's model.
    Sign,
    /// softsign(g̃, ε): Adam with ε in the post's model.
    SoftSign,
}

/// The problem of the `batch` mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Problem {
    /// d coordinates, H = (1 − ρ)I + ρ11ᵀ, g = 1, σ = `noise`.
    Uniform,
    /// A 2-D problem with editable g, H and Σ = diag(var) (keys `g`, `h`, `var`; the spec's
    /// g = (1, 0.5), H = [[3, 1], [1, 2]], Σ = diag(4, 9) by default).
    Toy2d,
}

/// Every parameter; field names follow the URL keys.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub struct Params {
    pub mode: Mode,
    // mode `hessian`
    pub kappa: f64,
    /// Rotation in degrees.
    pub phi: f64,
    pub regime: Regime,
    pub sig_theta: f64,
    pub sig_r: f64,
    pub batch: f64,
    pub offset: f64,
    /// 1 − β₂.
    pub beta2: f64,
    pub steps: f64,
    pub seed: f64,
    // mode `batch`
    pub opt: Opt,
    pub model: Problem,
    pub d: f64,
    pub rho: f64,
    /// σ/|g|.
    pub noise: f64,
    /// ε/|g|.
    pub eps: f64,
    /// The marked batch size.
    pub b: f64,
    /// toy2d: the gradient g.
    pub toy_g: [f64; 2],
    /// toy2d: H as (h₁₁, h₁₂, h₂₂) (symmetric).
    pub toy_h: [f64; 3],
    /// toy2d: the noise variances, Σ = diag(var).
    pub toy_var: [f64; 2],
}

impl Default for Params {
    /// The spec's defaults: H = diag(1, 100) with jitter σ_θ = 0.1 (√v̂ = (0.1, 10), W1-T1), and
    /// for the batch mode softsign with ε/|g| = 0.5 on the uniform d = 8, ρ = 0.5, σ/|g| = 10
    /// problem (a surge in both models, W1-T8).
    fn default() -> Self {
        Params {
            mode: Mode::Hessian,
            kappa: 100.0,
            phi: 0.0,
            regime: Regime::Jitter,
            sig_theta: 0.1,
            sig_r: 1.0,
            batch: 1.0,
            offset: 0.0,
            beta2: 1e-3,
            steps: 2000.0,
            seed: 1.0,
            opt: Opt::SoftSign,
            model: Problem::Uniform,
            d: 8.0,
            rho: 0.5,
            noise: 10.0,
            eps: 0.5,
            b: 64.0,
            toy_g: [1.0, 0.5],
            toy_h: [3.0, 1.0, 2.0],
            toy_var: [4.0, 9.0],
        }
    }
}

const MODES: &[(&str, &str)] = &[("hessian", "√v̂ as a curvature estimate"), ("batch", "best step size against batch size")];
const REGIMES: &[(&str, &str)] = &[("jitter", "jitter θ − θ* ~ N(0, σ_θ²I)"), ("per_sample", "per-sample (linear regression)"), ("both", "both")];
const OPTS: &[(&str, &str)] = &[("sgd", "SGD"), ("sign", "sign (Adam, ε = 0)"), ("softsign", "softsign (Adam with ε)")];
const MODELS: &[(&str, &str)] = &[("uniform", "uniform: H = (1 − ρ)I + ρ11ᵀ"), ("toy2d", "toy 2-D (spec)")];

fn hessian_mode(p: &Params) -> bool {
    p.mode == Mode::Hessian
}
fn batch_mode(p: &Params) -> bool {
    p.mode == Mode::Batch
}
fn uses_per_sample(p: &Params) -> bool {
    p.mode == Mode::Hessian && p.regime != Regime::Jitter
}
fn uses_jitter(p: &Params) -> bool {
    p.mode == Mode::Hessian && p.regime != Regime::PerSample
}
fn uniform(p: &Params) -> bool {
    p.mode == Mode::Batch && p.model == Problem::Uniform
}
fn toy(p: &Params) -> bool {
    p.mode == Mode::Batch && p.model == Problem::Toy2d
}

/// Comma-separated finite numbers, exactly `N` of them; the error names the first bad field.
fn parse_list<const N: usize>(s: &str) -> Result<[f64; N], (usize, String)> {
    let parts: Vec<&str> = s.split(',').collect();
    if parts.len() != N {
        return Err((1, tf("expected {} numbers separated by commas, got {}", &[&N, &parts.len()])));
    }
    let mut out = [0.0; N];
    let mut col = 1;
    for (o, part) in out.iter_mut().zip(&parts) {
        match parse_num(part.trim()) {
            Some(v) if v.is_finite() => *o = v,
            _ => return Err((col, tf("'{}' is not a finite number", &[&part.trim()]))),
        }
        col += part.chars().count() + 1;
    }
    Ok(out)
}

fn list_text(v: &[f64]) -> String {
    v.iter().map(|x| fmt_num(*x)).collect::<Vec<_>>().join(",")
}

/// [`parse_list`], then `ok` on the numbers; `why` (the translated reason) when it fails.
fn parse_valid<const N: usize>(s: &str, ok: fn(&[f64; N]) -> bool, why: fn() -> &'static str) -> Result<[f64; N], (usize, String)> {
    let v = parse_list::<N>(s)?;
    if ok(&v) {
        Ok(v)
    } else {
        Err((1, why().to_string()))
    }
}

/// g: two numbers, not both zero (the step size along g is what is optimised).
fn parse_g(s: &str) -> Result<[f64; 2], (usize, String)> {
    parse_valid(s, |g| g[0] != 0.0 || g[1] != 0.0, || t("g must not be zero"))
}

/// H: h₁₁, h₁₂, h₂₂ of a positive-definite matrix (the loss must curve upwards along g).
fn parse_h(s: &str) -> Result<[f64; 3], (usize, String)> {
    parse_valid(s, |h| h[0] > 0.0 && h[0] * h[2] - h[1] * h[1] > 0.0, || t("H must be positive definite: h₁₁ > 0 and h₁₁h₂₂ > h₁₂²"))
}

/// Σ = diag(var): two variances ≥ 0.
fn parse_var(s: &str) -> Result<[f64; 2], (usize, String)> {
    parse_valid(s, |v| v.iter().all(|x| *x >= 0.0), || t("variances must be ≥ 0"))
}

fn softsign(p: &Params) -> bool {
    p.mode == Mode::Batch && p.opt == Opt::SoftSign
}

type C = Control<Params>;

static CONTROLS: &[C] = &[
    C::choice("mode", "view", MODES, |p| if p.mode == Mode::Hessian { "hessian" } else { "batch" }, |p, k| {
        p.mode = if k == "batch" { Mode::Batch } else { Mode::Hessian }
    }),
    C::num("kappa", "κ = λ_max/λ_min", 1.0, 1000.0, |p| p.kappa, |p, v| p.kappa = v).log().group("Curvature").visible(hessian_mode),
    C::num("phi", "rotation φ (degrees)", 0.0, 90.0, |p| p.phi, |p, v| p.phi = v).group("Curvature").visible(hessian_mode),
    C::choice("regime", "noise source", REGIMES, |p| p.regime.key(), |p, k| p.regime = Regime::from_key(k).unwrap_or(Regime::Jitter))
        .group("Noise")
        .visible(hessian_mode),
    C::num("sig_theta", "jitter σ_θ", 1e-3, 1.0, |p| p.sig_theta, |p, v| p.sig_theta = v).log().group("Noise").visible(uses_jitter),
    C::num("sig_r", "residual σ_r", 0.0, 2.0, |p| p.sig_r, |p, v| p.sig_r = v).group("Noise").visible(uses_per_sample),
    C::num("batch", "batch B", 1.0, 1024.0, |p| p.batch, |p, v| p.batch = v).log().integer().group("Noise").visible(uses_per_sample),
    C::num("offset", "sampling centre − θ* (along e₁)", 0.0, 1.0, |p| p.offset, |p, v| p.offset = v)
        .group("Noise")
        .visible(hessian_mode)
        .help("away from the minimum only AdaBelief's centred statistic still reads the curvature"),
    C::num("beta2", "1 − β₂", 1e-4, 0.1, |p| p.beta2, |p, v| p.beta2 = v).log().group("Simulated Adam").visible(hessian_mode),
    C::num("steps", "simulated Adam steps", 0.0, 20000.0, |p| p.steps, |p, v| p.steps = v).integer().group("Simulated Adam").visible(hessian_mode),
    C::num("seed", "seed", 1.0, 1000.0, |p| p.seed, |p, v| p.seed = v).integer().group("Simulated Adam").visible(hessian_mode),
    C::choice(
        "opt",
        "update",
        OPTS,
        |p| match p.opt {
            Opt::Sgd => "sgd",
            Opt::Sign => "sign",
            Opt::SoftSign => "softsign",
        },
        |p, k| {
            p.opt = match k {
                "sgd" => Opt::Sgd,
                "sign" => Opt::Sign,
                _ => Opt::SoftSign,
            }
        },
    )
    .group("Batch size")
    .visible(batch_mode),
    C::choice("model", "problem", MODELS, |p| if p.model == Problem::Toy2d { "toy2d" } else { "uniform" }, |p, k| {
        p.model = if k == "toy2d" { Problem::Toy2d } else { Problem::Uniform }
    })
    .group("Batch size")
    .visible(batch_mode),
    C::num("d", "dimension d", 2.0, 64.0, |p| p.d, |p, v| p.d = v).integer().group("Batch size").visible(uniform),
    C::num("rho", "correlation ρ", 0.0, 0.95, |p| p.rho, |p, v| p.rho = v).group("Batch size").visible(uniform),
    C::num("noise", "noise σ/|g|", 0.1, 100.0, |p| p.noise, |p, v| p.noise = v).log().group("Batch size").visible(uniform),
    C::text("g", "gradient g = (g₁, g₂)", |p| list_text(&p.toy_g), |p, s| {
        p.toy_g = parse_g(s).map_err(|e| e.1)?;
        Ok(())
    }, |s| parse_g(s).err())
    .examples(&["1,0.5", "2,-1", "0.3,3", "1,0"])
    .group("Batch size")
    .visible(toy)
    .help("two numbers, not both 0"),
    C::text("h", "Hessian h₁₁, h₁₂, h₂₂", |p| list_text(&p.toy_h), |p, s| {
        p.toy_h = parse_h(s).map_err(|e| e.1)?;
        Ok(())
    }, |s| parse_h(s).err())
    .examples(&["3,1,2", "1,0,1", "2,-0.9,1", "10,0,0.1"])
    .group("Batch size")
    .visible(toy)
    .help("symmetric, positive definite"),
    C::text("var", "noise variances Σ = diag(σ₁², σ₂²)", |p| list_text(&p.toy_var), |p, s| {
        p.toy_var = parse_var(s).map_err(|e| e.1)?;
        Ok(())
    }, |s| parse_var(s).err())
    .examples(&["4,9", "0,1", "1,0", "100,0.01"])
    .group("Batch size")
    .visible(toy)
    .help("per-sample gradient variances, ≥ 0"),
    C::num("eps", "ε/|g|", 1e-3, 10.0, |p| p.eps, |p, v| p.eps = v).log().group("Batch size").visible(softsign),
    C::num("b", "marked batch size b", 1.0, 1e6, |p| p.b, |p, v| p.b = v).log().group("Batch size").visible(batch_mode),
];

impl Lab for Adam {
    const SLUG: &'static str = "adam";
    type Params = Params;
    type State = State;

    const META: LabMeta = text::META;
    // The simulated run is the only cost that grows with a key (1.3 ms native at 20 000 steps).
    const TEST_LIMITS: &'static [(&'static str, f64)] = &[("steps", 3000.0)];

    fn controls() -> &'static [Control<Params>] {
        CONTROLS
    }
    fn init(p: &Params) -> State {
        State::new(p)
    }
    fn reinit(p: &Params, s: &mut State) {
        s.update(p);
    }
    fn cache_key(fig: Figure, layer: Layer, p: &Params, s: &State) -> Option<u64> {
        render::cache_key(fig, layer, p, s)
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
}
