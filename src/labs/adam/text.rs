//! The Adam lab's words: title and texts, the formula panel, the readouts, the data export (the
//! CLI/JSON contract of issue 14) and the Chinese table.

use super::model::{BatchView, HessianView, State};
use super::{Mode, Opt, Params};
use crate::fmt::{fmt_num, fmt_sig};
use crate::lab::{Formula, Json, LabMeta, Readout, Table};
use crate::math::adam::batch::Point;
use crate::math::adam::hessian::Regime;
use crate::mathml::*;

crate::i18n::local!(ZH);

/// Title, texts and captions.
pub const META: LabMeta = LabMeta {
    title: "Adam under the microscope: curvature, ε and batch size",
    tagline: "Adam's √v̂ reads the curvature only for one kind of noise, and only when the curvature is axis-aligned; and because its update is sign-like, a bigger batch can want a smaller step.",
    look_at: "Hessian view: the θ-plane shows the contours of L = ½θᵀHθ, the jitter cloud with gradient arrows and three ellipses — H, |H| = (H²)^½ and Adam's axis-aligned diag(√v̂). Below: √v̂ per coordinate (simulated and closed forms), cond(P^½HP^½) against the rotation φ, and v̂ₜ against t. The diagonal preconditioner helps only when H is axis-aligned, and the √ between the two noise regimes is the point, not a bug. Batch view: the best step η*(B) on a log axis for the post's mean field and for the exact moments. With sign-like updates a bigger batch can want a smaller step (the surge); ε softens it, and the exact model keeps a surge longer than the post's approximation says.",
    try_these: &[
        ("The surge at d = 8, ρ = 0.5 (sign)", "mode=batch&opt=sign&d=8&rho=0.5"),
        ("ε = 1.5 kills the post's surge but not the exact one", "mode=batch&eps=1.5"),
        ("φ = 45° makes Adam's preconditioner useless", "phi=45"),
        ("Per-sample noise gives √H, not H", "regime=per_sample"),
        ("Off the minimum only the centred statistic reads H", "offset=0.5"),
        ("A diagonal H still overshoots with exact moments", "mode=batch&rho=0&d=2"),
        ("The spec's 2-D problem: no surge for SignSGD", "mode=batch&opt=sign&model=toy2d"),
        ("SGD: η* = η_max/(1 + B_noise/B)", "mode=batch&opt=sgd&model=toy2d"),
    ],
    main_caption: "Hessian view: contours of ½θᵀHθ, the jitter cloud with −g arrows, and three equal-level ellipses: H, |H| = (H²)^½ — the matrix absolute value, which is what √E[ggᵀ]/σ_θ is in the jitter regime as a full matrix (for this positive definite H it coincides with H, drawn dashed) — and Adam's axis-aligned diag(√v̂), scaled to H's area. Batch view: η*(B) for the exact moments, the post's mean field and SGD, the peaks, the B → ∞ asymptote and the marked b.",
    aux_caption: "Hessian view: √v̂ per coordinate, cond(P^½HP^½) against φ with the current φ marked, and v̂ₜ against t. Batch view: ΔL(B), steps against data with the hyperbola, and the S-curve E[ũ](a) with the bell E[ũ²](a).",
    pointer_hint: "Move the sliders: every number is recomputed from closed forms and a seeded simulation.",
    pending_label: "computing",
    zh: TABLES,
};

fn pair(v: [f64; 2]) -> String {
    format!("({}, {})", fmt_sig(v[0], 6), fmt_sig(v[1], 6))
}

fn opt_num(v: Option<f64>) -> String {
    v.map_or_else(|| t("none").to_string(), |x| fmt_sig(x, 6))
}

fn yes_no(b: bool) -> &'static str {
    if b {
        t("yes")
    } else {
        t("no")
    }
}

fn row(label: &str, text: String, colour: Option<usize>, warn: bool) -> Readout {
    Readout { label: label.to_string(), text, colour, warn }
}

/// The legend / readouts.
pub fn readouts(p: &Params, s: &State) -> Vec<Readout> {
    match (p.mode, &s.hess, &s.batch) {
        (Mode::Hessian, Some(h), _) => hessian_readouts(p, h),
        (Mode::Batch, _, Some(v)) => batch_readouts(p, v),
        _ => vec![row(t("Best step"), t("no best step: H is not positive definite").to_string(), None, true)],
    }
}

fn hessian_readouts(p: &Params, h: &HessianView) -> Vec<Readout> {
    let mut out = Vec::new();
    let m = &h.h;
    out.push(row(
        "H",
        tf("[[{}, {}], [{}, {}]] · cond H = {}", &[&fmt_sig(m[(0, 0)], 6), &fmt_sig(m[(0, 1)], 6), &fmt_sig(m[(1, 0)], 6), &fmt_sig(m[(1, 1)], 6), &fmt_sig(h.summary.map_or(f64::NAN, |s| s.cond_h), 6)]),
        None,
        false,
    ));
    if let Some(sm) = h.summary {
        out.push(row(t("√E[g²] (closed form)"), pair(sm.sqrt_v), Some(1), false));
        out.push(row(t("Var g (AdaBelief's centred statistic)"), pair(sm.var_g), None, false));
    }
    out.push(match h.sim {
        Some(v) => row(t("√v̂ (simulated)"), tf("{} after {} steps, 1 − β₂ = {}", &[&pair(v), &(p.steps as usize), &fmt_sig(p.beta2, 3)]), Some(0), false),
        None => row(t("√v̂ (simulated)"), t("no simulated steps: set steps ≥ 1").to_string(), Some(0), false),
    });
    if let Some(sm) = h.summary {
        out.push(row(
            t("cond(P^½HP^½)"),
            tf(
                "none {} · jitter {} · per-sample {} · current noise {} · simulated {}",
                &[&fmt_sig(sm.cond_h, 6), &opt_num(sm.cond_jitter), &opt_num(sm.cond_per_sample), &opt_num(sm.cond_current), &opt_num(h.cond_sim)],
            ),
            None,
            false,
        ));
    }
    let regime = match p.regime {
        Regime::Jitter => t("jitter: √E[g²] = σ_θ√(H²)ᵢᵢ ∝ H"),
        Regime::PerSample => t("per-sample: √E[g²] = σ_r√(Hᵢᵢ/B) ∝ √H"),
        Regime::Both => t("both: E[g²] = σ_θ²(H²)ᵢᵢ + σ_r²Hᵢᵢ/B"),
    };
    out.push(row(t("Noise"), regime.to_string(), None, false));
    out
}

fn batch_readouts(p: &Params, v: &BatchView) -> Vec<Readout> {
    let s = &v.curves.summary;
    let sgd = p.opt == Opt::Sgd;
    let mut out = Vec::new();
    out.push(row(
        &tf("η* at b = {}", &[&fmt_sig(v.b, 4)]),
        if sgd {
            tf("SGD {}", &[&opt_num(s.eta_star_sgd)])
        } else {
            tf("exact {} · post {} · SGD {}", &[&opt_num(s.eta_star_exact), &opt_num(s.eta_star_post), &opt_num(s.eta_star_sgd)])
        },
        Some(0),
        s.eta_star_exact.is_none(),
    ));
    let peak = |pk: Option<crate::math::adam::batch::Peak>| match pk {
        Some(pk) => tf("B = {}, η* = {}", &[&fmt_sig(pk.b, 6), &fmt_sig(pk.eta_star, 6)]),
        None => t("none (η* rises monotonically)").to_string(),
    };
    if !sgd {
        out.push(row(t("Peak (exact)"), peak(s.peak_exact), Some(0), false));
        out.push(row(t("Peak (post)"), peak(s.peak_post), Some(1), false));
    }
    out.push(row(t("B → ∞"), tf("η* → {}", &[&opt_num(s.eta_limit)]), None, false));
    out.push(row("η_max", opt_num(s.eta_max), None, false));
    out.push(row("B_noise", opt_num(s.b_noise), None, false));
    out.push(row("B_simple", opt_num(s.b_simple), None, false));
    out.push(row(
        "β_noise",
        if sgd {
            t("— (SGD)").to_string()
        } else {
            s.beta_noise.map_or_else(|| t("not real (Σᵢ≠ⱼ ≤ 0): no surge").to_string(), |b| fmt_sig(b, 6))
        },
        None,
        false,
    ));
    out.push(row(
        t("surge"),
        tf("{} (post) · {} (exact)", &[&yes_no(s.surge_post), &yes_no(s.surge_exact)]),
        None,
        false,
    ));
    out
}

/// The formula panel, with live numbers.
pub fn formulas(p: &Params, s: &State) -> Vec<Formula> {
    match (p.mode, &s.hess, &s.batch) {
        (Mode::Hessian, Some(h), _) => hessian_formulas(p, h),
        (Mode::Batch, _, Some(v)) => batch_formulas(p, v),
        _ => Vec::new(),
    }
}

fn hessian_formulas(p: &Params, h: &HessianView) -> Vec<Formula> {
    let g2 = "<msup><msub><mi>g</mi><mi>i</mi></msub><mn>2</mn></msup>";
    let e = |x: &str| format!("<mi mathvariant=\"double-struck\">E</mi><mo>[</mo>{x}<mo>]</mo>");
    let h2 = "<msub><mrow><mo>(</mo><msup><mi>H</mi><mn>2</mn></msup><mo>)</mo></mrow><mrow><mi>i</mi><mi>i</mi></mrow></msub>";
    let hii = "<msub><mi>H</mi><mrow><mi>i</mi><mi>i</mi></mrow></msub>";
    let mut out = vec![Formula::Rule {
        key: "newton",
        title: t("Preconditioners as curvature models").to_string(),
        mathml: lines(&[
            "<mrow><mtext>Newton</mtext><mo>:</mo><msup><mi>θ</mi><mo>+</mo></msup><mo>=</mo><mi>θ</mi><mo>−</mo><msup><mi>H</mi><mrow><mo>−</mo><mn>1</mn></mrow></msup><mi>g</mi><mo>,</mo><mspace width=\"1em\"/><mtext>Adam</mtext><mo>:</mo><mi>H</mi><mo>≈</mo><mi>diag</mi><mo>(</mo><msqrt><mover><mi>v</mi><mo>^</mo></mover></msqrt><mo>)</mo><mo>/</mo><mi>η</mi></mrow>".to_string(),
            format!("<mrow><mi>M</mi><mo>=</mo><msup><mi>P</mi><mfrac><mn>1</mn><mn>2</mn></mfrac></msup><mi>H</mi><msup><mi>P</mi><mfrac><mn>1</mn><mn>2</mn></mfrac></msup><mo>,</mo><mspace width=\"0.5em\"/><mi>P</mi><mo>=</mo><mi>diag</mi><msup><mrow><mo>(</mo><msqrt><mover><mi>v</mi><mo>^</mo></mover></msqrt><mo>)</mo></mrow><mrow><mo>−</mo><mn>1</mn></mrow></msup><mo>,</mo><mspace width=\"0.5em\"/><mi>cond</mi><mi>H</mi><mo>=</mo>{}</mrow>", n(h.summary.map_or(f64::NAN, |s| s.cond_h))),
        ]),
    }];
    out.push(Formula::Rule {
        key: "regimes",
        title: t("What v̂ converges to").to_string(),
        mathml: lines(&[
            format!("<mrow>{}<mo>=</mo><msup><mrow><mo>(</mo><mi>H</mi><mi>c</mi><mo>)</mo></mrow><mn>2</mn></msup><mi>i</mi><mo>+</mo><msubsup><mi>σ</mi><mi>θ</mi><mn>2</mn></msubsup>{h2}<mo>+</mo>{}</mrow>", e(g2), frac(&format!("<msubsup><mi>σ</mi><mi>r</mi><mn>2</mn></msubsup>{hii}"), "<mi>B</mi>")),
            format!(
                "<mrow><mi>c</mi><mo>=</mo><mo>(</mo>{}<mo>,</mo><mn>0</mn><mo>)</mo><mo>,</mo><mspace width=\"0.5em\"/><msub><mi>σ</mi><mi>θ</mi></msub><mo>=</mo>{}<mo>,</mo><mspace width=\"0.5em\"/><msub><mi>σ</mi><mi>r</mi></msub><mo>=</mo>{}<mo>,</mo><mspace width=\"0.5em\"/><mi>B</mi><mo>=</mo>{}</mrow>",
                n(p.offset),
                n(p.sig_theta),
                n(p.sig_r),
                n(p.batch)
            ),
            format!(
                "<mrow><mover><mi>v</mi><mo>^</mo></mover><mo>=</mo><mfrac><mi>v</mi><mrow><mn>1</mn><mo>−</mo><msubsup><mi>β</mi><mn>2</mn><mi>t</mi></msubsup></mrow></mfrac><mo>,</mo><mspace width=\"0.5em\"/><mi>v</mi><mo>←</mo><msub><mi>β</mi><mn>2</mn></msub><mi>v</mi><mo>+</mo><mo>(</mo><mn>1</mn><mo>−</mo><msub><mi>β</mi><mn>2</mn></msub><mo>)</mo>{g2}<mo>,</mo><mspace width=\"0.5em\"/><mn>1</mn><mo>−</mo><msub><mi>β</mi><mn>2</mn></msub><mo>=</mo>{}</mrow>",
                n(p.beta2)
            ),
        ]),
    });
    out.push(Formula::Note(
        t("The jitter term is √((H²)ᵢᵢ), not |Hᵢᵢ|: the two agree only for a diagonal H. The per-sample term carries √Hᵢᵢ: the diagonal preconditioner then takes only the square root of κ (cond 10 instead of 1 at κ = 100, φ = 0).").to_string(),
    ));
    out
}

fn batch_formulas(p: &Params, v: &BatchView) -> Vec<Formula> {
    let s = &v.curves.summary;
    let eu = "<mi mathvariant=\"double-struck\">E</mi><mo>[</mo><mover><mi>u</mi><mo>~</mo></mover><mo>]</mo>";
    let euu = "<mi mathvariant=\"double-struck\">E</mi><mo>[</mo><mover><mi>u</mi><mo>~</mo></mover><msup><mover><mi>u</mi><mo>~</mo></mover><mi>T</mi></msup><mo>]</mo>";
    let mut out = vec![Formula::Rule {
        key: "eta_star",
        title: t("Best step of one noisy step on a quadratic").to_string(),
        mathml: lines(&[
            format!("<mrow><msup><mi>η</mi><mo>*</mo></msup><mo>=</mo>{}<mo>,</mo><mspace width=\"0.5em\"/><mi>Δ</mi><mi>L</mi><mo>=</mo>{}</mrow>", frac(&format!("{eu}<msup><mo>)</mo><mi>T</mi></msup><mi>g</mi>").replace("<msup><mo>)</mo><mi>T</mi></msup>", "<msup><mrow/><mi>T</mi></msup>"), &format!("<mi>tr</mi><mo>(</mo>{euu}<mi>H</mi><mo>)</mo>")), frac(&format!("<msup><mrow><mo>(</mo>{eu}<msup><mrow/><mi>T</mi></msup><mi>g</mi><mo>)</mo></mrow><mn>2</mn></msup>"), &format!("<mn>2</mn><mi>tr</mi><mo>(</mo>{euu}<mi>H</mi><mo>)</mo>"))),
            "<mrow><mover><mi>g</mi><mo>~</mo></mover><mo>=</mo><mi>g</mi><mo>+</mo><msup><mi>Σ</mi><mfrac><mn>1</mn><mn>2</mn></mfrac></msup><mi>z</mi><mo>/</mo><msqrt><mi>B</mi></msqrt><mo>,</mo><mspace width=\"0.5em\"/><mi>softsign</mi><mo>(</mo><mi>x</mi><mo>,</mo><mi>ε</mi><mo>)</mo><mo>=</mo><mfrac><mi>x</mi><msqrt><msup><mi>x</mi><mn>2</mn></msup><mo>+</mo><msup><mi>ε</mi><mn>2</mn></msup></msqrt></mfrac></mrow>".to_string(),
            format!("<mrow><mi>b</mi><mo>=</mo>{}<mo>:</mo><mspace width=\"0.5em\"/><msup><mi>η</mi><mo>*</mo></msup><mo>=</mo>{}<mspace width=\"0.3em\"/><mtext>{}</mtext><mo>,</mo><mspace width=\"0.5em\"/>{}<mspace width=\"0.3em\"/><mtext>{}</mtext></mrow>", n(v.b), n(s.eta_star_exact.unwrap_or(f64::NAN)), t("exact"), n(s.eta_star_post.unwrap_or(f64::NAN)), t("post")),
        ]),
    }];
    if p.opt == Opt::Sgd {
        out.push(Formula::Rule {
            key: "sgd",
            title: t("SGD in closed form").to_string(),
            mathml: lines(&[format!(
                "<mrow><msup><mi>η</mi><mo>*</mo></msup><mo>=</mo>{}<mo>,</mo><mspace width=\"0.5em\"/><msub><mi>η</mi><mi>max</mi></msub><mo>=</mo>{}<mo>=</mo>{}<mo>,</mo><mspace width=\"0.5em\"/><msub><mi>B</mi><mi>noise</mi></msub><mo>=</mo>{}<mo>=</mo>{}</mrow>",
                frac("<msub><mi>η</mi><mi>max</mi></msub>", "<mn>1</mn><mo>+</mo><msub><mi>B</mi><mi>noise</mi></msub><mo>/</mo><mi>B</mi>"),
                frac("<msup><mi>g</mi><mi>T</mi></msup><mi>g</mi>", "<msup><mi>g</mi><mi>T</mi></msup><mi>H</mi><mi>g</mi>"),
                n(s.eta_max.unwrap_or(f64::NAN)),
                frac("<mi>tr</mi><mo>(</mo><mi>Σ</mi><mi>H</mi><mo>)</mo>", "<msup><mi>g</mi><mi>T</mi></msup><mi>H</mi><mi>g</mi>"),
                n(s.b_noise.unwrap_or(f64::NAN))
            )]),
        });
    } else {
        out.push(Formula::Rule {
            key: "mean_field",
            title: t("The post's mean field").to_string(),
            mathml: lines(&[
                format!(
                    "<mrow><msup><mi>η</mi><mo>*</mo></msup><mo>≈</mo>{}<mo>,</mo><mspace width=\"0.5em\"/><mi>β</mi><mo>=</mo><msup><mrow><mo>(</mo><mn>1</mn><mo>+</mo><mi>π</mi><msup><mi>κ</mi><mn>2</mn></msup><mo>/</mo><mn>2</mn><mi>B</mi><mo>)</mo></mrow><mrow><mo>−</mo><mn>1</mn><mo>/</mo><mn>2</mn></mrow></msup></mrow>",
                    frac("<msub><mi>η</mi><mi>max</mi></msub>", "<mfrac><mn>1</mn><mn>2</mn></mfrac><mo>(</mo><msub><mi>β</mi><mi>noise</mi></msub><mo>/</mo><mi>β</mi><mo>+</mo><mi>β</mi><mo>/</mo><msub><mi>β</mi><mi>noise</mi></msub><mo>)</mo>")
                ),
                format!(
                    "<mrow><msubsup><mi>β</mi><mi>noise</mi><mn>2</mn></msubsup><mo>=</mo>{}<mo>,</mo><mspace width=\"0.5em\"/><msub><mi>β</mi><mi>noise</mi></msub><mo>=</mo>{}<mo>,</mo><mspace width=\"0.5em\"/><msub><mi>B</mi><mi>noise</mi></msub><mo>=</mo>{}</mrow>",
                    frac("<mo>∑</mo><msub><mi>H</mi><mrow><mi>i</mi><mi>i</mi></mrow></msub>", "<mo>∑</mo><msub><mi>u</mi><mi>i</mi></msub><msub><mi>u</mi><mi>j</mi></msub><msub><mi>H</mi><mrow><mi>i</mi><mi>j</mi></mrow></msub><mo>−</mo><mo>∑</mo><msub><mi>H</mi><mrow><mi>i</mi><mi>i</mi></mrow></msub>"),
                    s.beta_noise.map_or_else(|| format!("<mtext>{}</mtext>", t("not real")), n),
                    s.b_noise.map_or_else(|| format!("<mtext>{}</mtext>", t("none")), n)
                ),
            ]),
        });
    }
    out.push(Formula::Note(
        t("\"Exact\" is exact for this model only: a quadratic, Gaussian gradient noise with independent coordinates, one step. ε is given relative to |g₁| = 1. The surge needs ΣuᵢuⱼHᵢⱼ > 2ΣHᵢᵢ in the mean field (the post's ΣuᵢuⱼHᵢⱼ > ΣHᵢᵢ is only necessary); with exact moments it survives to larger ε.").to_string(),
    ));
    out
}

fn curve_rows(t: &mut Table, name: &str, bs: &[f64], c: &[Option<Point>], f: fn(&Point) -> f64) {
    for (b, q) in bs.iter().zip(c) {
        if let Some(q) = q {
            let y = f(q);
            if y.is_finite() {
                t.rows.push(vec![name.to_string(), fmt_num(*b), fmt_num(y)]);
            }
        }
    }
}

/// The data export: the drawn curves as rows (curve, x, y); the JSON summary carries the issue's
/// contract keys at full precision.
pub fn data(p: &Params, s: &State) -> Table {
    let mut t = Table::with_columns(["curve", "x", "y"]);
    match (p.mode, &s.hess, &s.batch) {
        (Mode::Hessian, Some(h), _) => {
            for q in &h.cond_curve {
                for (name, v) in [("cond_none", Some(q.none)), ("cond_jitter", q.jitter), ("cond_per_sample", q.per_sample), ("cond_current", q.current)] {
                    if let Some(v) = v.filter(|v| v.is_finite()) {
                        t.rows.push(vec![name.to_string(), fmt_num(q.phi_deg), fmt_num(v)]);
                    }
                }
            }
            for (step, v) in &h.trace {
                t.rows.push(vec!["v_hat_1".to_string(), step.to_string(), fmt_num(v[0])]);
                t.rows.push(vec!["v_hat_2".to_string(), step.to_string(), fmt_num(v[1])]);
            }
            match h.summary {
                Some(sm) => {
                    t.put("sqrt_v", Json::nums(sm.sqrt_v));
                    t.put("cond_h", Json::Num(sm.cond_h));
                    t.put("cond_jitter", Json::opt(sm.cond_jitter));
                    t.put("cond_per_sample", Json::opt(sm.cond_per_sample));
                    t.put("cond_current", Json::opt(sm.cond_current));
                    t.put("var_g", Json::nums(sm.var_g));
                }
                None => {
                    for k in ["sqrt_v", "cond_h", "cond_jitter", "cond_per_sample"] {
                        t.put(k, Json::Null);
                    }
                }
            }
            t.put("sqrt_v_simulated", h.sim.map_or(Json::Null, Json::nums));
            t.put("cond_simulated", Json::opt(h.cond_sim));
            t.put("h", Json::rows([[h.h[(0, 0)], h.h[(0, 1)]], [h.h[(1, 0)], h.h[(1, 1)]]]));
        }
        (Mode::Batch, _, Some(v)) => {
            let c = &v.curves;
            if p.opt != Opt::Sgd {
                curve_rows(&mut t, "eta_exact", &c.bs, &c.exact, |q| q.eta_star);
                curve_rows(&mut t, "eta_post", &c.bs, &c.post, |q| q.eta_star);
            }
            curve_rows(&mut t, "eta_sgd", &c.bs, &c.sgd, |q| q.eta_star);
            if p.opt != Opt::Sgd {
                curve_rows(&mut t, "delta_l_exact", &c.bs, &c.exact, |q| q.delta_l);
                curve_rows(&mut t, "delta_l_post", &c.bs, &c.post, |q| q.delta_l);
            }
            curve_rows(&mut t, "delta_l_sgd", &c.bs, &c.sgd, |q| q.delta_l);
            for (name, pts) in [("tradeoff_exact", &c.trade_exact), ("tradeoff_post", &c.trade_post)] {
                for &(_, s_, e) in pts.iter() {
                    t.rows.push(vec![name.to_string(), fmt_num(s_), fmt_num(e)]);
                }
            }
            for q in &v.s_curves {
                for (name, y) in [
                    ("s_exact_mean", q.exact_mean),
                    ("s_clip_mean", q.clip_mean),
                    ("s_post_mean", q.post_mean),
                    ("s_exact_sq", q.exact_sq),
                    ("s_clip_sq", q.clip_sq),
                    ("s_post_sq", q.post_sq),
                ] {
                    t.rows.push(vec![name.to_string(), fmt_num(q.a), fmt_num(y)]);
                }
            }
            let s = &c.summary;
            t.put("eta_star_exact", Json::opt(s.eta_star_exact));
            t.put("eta_star_post", Json::opt(s.eta_star_post));
            t.put("peak_b_exact", Json::opt(s.peak_exact.map(|pk| pk.b)));
            t.put("peak_eta_exact", Json::opt(s.peak_exact.map(|pk| pk.eta_star)));
            t.put("peak_b_post", Json::opt(s.peak_post.map(|pk| pk.b)));
            t.put("peak_eta_post", Json::opt(s.peak_post.map(|pk| pk.eta_star)));
            t.put("eta_limit", Json::opt(s.eta_limit));
            t.put("eta_max", Json::opt(s.eta_max));
            t.put("b_noise", Json::opt(s.b_noise));
            t.put("b_simple", Json::opt(s.b_simple));
            t.put("b_noise2", Json::opt(s.b_noise2));
            t.put("beta_noise", Json::opt(s.beta_noise));
            t.put("eta_star_sgd", Json::opt(s.eta_star_sgd));
            t.put("surge_post", Json::Str(if s.surge_post { "yes" } else { "no" }.to_string()));
            t.put("surge_exact", Json::Str(if s.surge_exact { "yes" } else { "no" }.to_string()));
            t.put("kink", Json::Num(v.kink));
        }
        _ => {}
    }
    t
}

/// Simplified Chinese for the strings only this lab uses (shared ones are in the shell's table).
pub const ZH: crate::i18n::Table = &[
    ("\"Exact\" is exact for this model only: a quadratic, Gaussian gradient noise with independent coordinates, one step. ε is given relative to |g₁| = 1. The surge needs ΣuᵢuⱼHᵢⱼ > 2ΣHᵢᵢ in the mean field (the post's ΣuᵢuⱼHᵢⱼ > ΣHᵢᵢ is only necessary); with exact moments it survives to larger ε.", "“精确”只对这个模型精确：二次函数、坐标独立的高斯梯度噪声、单步更新。ε 相对于 |g₁| = 1 给出。平均场中出现“激增”需要 ΣuᵢuⱼHᵢⱼ > 2ΣHᵢᵢ（文章的 ΣuᵢuⱼHᵢⱼ > ΣHᵢᵢ 只是必要条件）；用精确矩时它在更大的 ε 下仍然存在。"),
    ("(S/S_min − 1)(E/E_min − 1) = 1", "(S/S_min − 1)(E/E_min − 1) = 1"),
    ("(SGD: shown for sign)", "（SGD：显示 sign 的曲线）"),
    ("1 − β₂", "1 − β₂"),
    ("A diagonal H still overshoots with exact moments", "用精确矩时，对角 H 也会超调"),
    ("Adam under the microscope: curvature, ε and batch size", "显微镜下的 Adam：曲率、ε 与批大小"),
    ("Adam's √v̂ reads the curvature only for one kind of noise, and only when the curvature is axis-aligned; and because its update is sign-like, a bigger batch can want a smaller step.", "Adam 的 √v̂ 只在一种噪声下、且只在曲率与坐标轴对齐时才读出曲率；又因为它的更新近似符号函数，更大的批可能需要更小的步长。"),
    ("Adam: diag(√v̂), same area", "Adam：diag(√v̂)，等面积"),
    ("B = {}, η* = {}", "B = {}，η* = {}"),
    ("B → ∞", "B → ∞"),
    ("B → ∞: η* = {}", "B → ∞：η* = {}"),
    ("Batch size", "批大小"),
    ("Best step", "最优步长"),
    ("Best step of one noisy step on a quadratic", "二次函数上一次带噪声更新的最优步长"),
    ("Curvature", "曲率"),
    ("E[ũ](a) and E[ũ²](a), kink b = ε√B/σ = {}", "E[ũ](a) 与 E[ũ²](a)，拐折宽度 b = ε√B/σ = {}"),
    ("H (truth)", "H（真值）"),
    ("Hessian view: contours of ½θᵀHθ, the jitter cloud with −g arrows, and three equal-level ellipses: H, |H| = (H²)^½ — the matrix absolute value, which is what √E[ggᵀ]/σ_θ is in the jitter regime as a full matrix (for this positive definite H it coincides with H, drawn dashed) — and Adam's axis-aligned diag(√v̂), scaled to H's area. Batch view: η*(B) for the exact moments, the post's mean field and SGD, the peaks, the B → ∞ asymptote and the marked b.", "Hessian 视图：½θᵀHθ 的等高线、带 −g 箭头的抖动点云，以及同一水平的三个椭圆：H；|H| = (H²)^½——矩阵绝对值，即抖动噪声下作为完整矩阵的 √E[ggᵀ]/σ_θ（对这个正定 H 它与 H 重合，画成虚线）；以及 Adam 与坐标轴对齐的 diag(√v̂)，缩放到与 H 等面积。批大小视图：精确矩、文章的平均场与 SGD 的 η*(B)，峰值、B → ∞ 的渐近线和标记的 b。"),
    ("Hessian view: the θ-plane shows the contours of L = ½θᵀHθ, the jitter cloud with gradient arrows and three ellipses — H, |H| = (H²)^½ and Adam's axis-aligned diag(√v̂). Below: √v̂ per coordinate (simulated and closed forms), cond(P^½HP^½) against the rotation φ, and v̂ₜ against t. The diagonal preconditioner helps only when H is axis-aligned, and the √ between the two noise regimes is the point, not a bug. Batch view: the best step η*(B) on a log axis for the post's mean field and for the exact moments. With sign-like updates a bigger batch can want a smaller step (the surge); ε softens it, and the exact model keeps a surge longer than the post's approximation says.", "Hessian 视图：θ 平面上是 L = ½θᵀHθ 的等高线、带梯度箭头的抖动点云和三个椭圆——H、|H| = (H²)^½ 以及 Adam 与坐标轴对齐的 diag(√v̂)。下方：各坐标的 √v̂（模拟值与闭式解）、cond(P^½HP^½) 随旋转角 φ 的变化，以及 v̂ₜ 随 t 的变化。对角预条件只在 H 与坐标轴对齐时有用；两种噪声之间相差的那个 √ 正是要点，不是错误。批大小视图：对数轴上文章平均场与精确矩的最优步长 η*(B)。对近似符号的更新，更大的批可能需要更小的步长（“激增”）；ε 会减弱它，而精确模型中的激增比文章的近似所说的持续得更久。"),
    ("Hessian view: √v̂ per coordinate, cond(P^½HP^½) against φ with the current φ marked, and v̂ₜ against t. Batch view: ΔL(B), steps against data with the hyperbola, and the S-curve E[ũ](a) with the bell E[ũ²](a).", "Hessian 视图：各坐标的 √v̂、cond(P^½HP^½) 随 φ 的变化（标出当前 φ），以及 v̂ₜ 随 t 的变化。批大小视图：ΔL(B)、步数与数据量的权衡及其双曲线，以及 S 形曲线 E[ũ](a) 与钟形曲线 E[ũ²](a)。"),
    ("Move the sliders: every number is recomputed from closed forms and a seeded simulation.", "拖动滑块：每个数都由闭式解和带种子的模拟重新计算。"),
    ("Noise", "噪声"),
    ("Off the minimum only the centred statistic reads H", "离开极小点后只有中心化统计量还能读出 H"),
    ("Peak (exact)", "峰值（精确）"),
    ("Peak (post)", "峰值（文章）"),
    ("Per-sample noise gives √H, not H", "逐样本噪声给出 √H 而不是 H"),
    ("Preconditioners as curvature models", "作为曲率模型的预条件子"),
    ("SGD", "SGD"),
    ("SGD (exact)", "SGD（精确）"),
    ("SGD (reference)", "SGD（参照）"),
    ("SGD in closed form", "SGD 的闭式解"),
    ("SGD {}", "SGD {}"),
    ("SGD: η* = η_max/(1 + B_noise/B)", "SGD：η* = η_max/(1 + B_noise/B)"),
    ("Simulated Adam", "模拟的 Adam"),
    ("The jitter term is √((H²)ᵢᵢ), not |Hᵢᵢ|: the two agree only for a diagonal H. The per-sample term carries √Hᵢᵢ: the diagonal preconditioner then takes only the square root of κ (cond 10 instead of 1 at κ = 100, φ = 0).", "抖动项是 √((H²)ᵢᵢ) 而不是 |Hᵢᵢ|：两者只在 H 为对角阵时相等。逐样本项带的是 √Hᵢᵢ：此时对角预条件只把 κ 开了平方根（κ = 100、φ = 0 时条件数为 10 而不是 1）。"),
    ("The post's mean field", "文章的平均场"),
    ("The spec's 2-D problem: no surge for SignSGD", "规格中的二维问题：SignSGD 没有激增"),
    ("The surge at d = 8, ρ = 0.5 (sign)", "d = 8、ρ = 0.5 时的激增（sign）"),
    ("Var g (AdaBelief's centred statistic)", "Var g（AdaBelief 的中心化统计量）"),
    ("What v̂ converges to", "v̂ 收敛到什么"),
    ("[[{}, {}], [{}, {}]] · cond H = {}", "[[{}, {}], [{}, {}]] · cond H = {}"),
    ("a = g√B/σ", "a = g√B/σ"),
    ("away from the minimum only AdaBelief's centred statistic still reads the curvature", "离开极小点后只有 AdaBelief 的中心化统计量还能读出曲率"),
    ("batch B", "批大小 B"),
    ("batch size B", "批大小 B"),
    ("best step size against batch size", "最优步长与批大小"),
    ("best step size η*(B)", "最优步长 η*(B)"),
    ("both", "两者"),
    ("both: E[g²] = σ_θ²(H²)ᵢᵢ + σ_r²Hᵢᵢ/B", "两者：E[g²] = σ_θ²(H²)ᵢᵢ + σ_r²Hᵢᵢ/B"),
    ("clip (closed form)", "clip（闭式解）"),
    ("closed form √E[g²]", "闭式解 √E[g²]"),
    ("cond(P^½HP^½)", "cond(P^½HP^½)"),
    ("cond(P^½HP^½) against φ", "cond(P^½HP^½) 随 φ 的变化"),
    ("condition number", "条件数"),
    ("correlation ρ", "相关系数 ρ"),
    ("current noise (closed form)", "当前噪声（闭式解）"),
    ("dimension d", "维数 d"),
    ("exact", "精确"),
    ("exact moments", "精确矩"),
    ("exact softsign", "精确 softsign"),
    ("exact {} · post {} · SGD {}", "精确 {} · 文章 {} · SGD {}"),
    ("jitter θ − θ* ~ N(0, σ_θ²I)", "抖动 θ − θ* ~ N(0, σ_θ²I)"),
    ("jitter σ_θ", "抖动 σ_θ"),
    ("jitter: P = diag(√(H²)ᵢᵢ)⁻¹", "抖动：P = diag(√(H²)ᵢᵢ)⁻¹"),
    ("jitter: √E[g²] = σ_θ√(H²)ᵢᵢ ∝ H", "抖动：√E[g²] = σ_θ√(H²)ᵢᵢ ∝ H"),
    ("marked batch size b", "标记的批大小 b"),
    ("no", "否"),
    ("no best step: H is not positive definite", "没有最优步长：H 不是正定的"),
    ("no simulated steps: set steps ≥ 1", "没有模拟步：把步数设为 ≥ 1"),
    ("noise source", "噪声来源"),
    ("noise σ/|g|", "噪声 σ/|g|"),
    ("none (η* rises monotonically)", "无（η* 单调上升）"),
    ("none {} · jitter {} · per-sample {} · current noise {} · simulated {}", "无 {} · 抖动 {} · 逐样本 {} · 当前噪声 {} · 模拟 {}"),
    ("none: cond H = κ", "无：cond H = κ"),
    ("not real", "非实数"),
    ("not real (Σᵢ≠ⱼ ≤ 0): no surge", "非实数（Σᵢ≠ⱼ ≤ 0）：无激增"),
    ("per coordinate (log scale)", "各坐标（对数刻度）"),
    ("per-sample (linear regression)", "逐样本（线性回归）"),
    ("per-sample: P = diag(√Hᵢᵢ)⁻¹", "逐样本：P = diag(√Hᵢᵢ)⁻¹"),
    ("per-sample: √E[g²] = σ_r√(Hᵢᵢ/B) ∝ √H", "逐样本：√E[g²] = σ_r√(Hᵢᵢ/B) ∝ √H"),
    ("post", "文章"),
    ("post's approximation", "文章的近似"),
    ("post's mean field", "文章的平均场"),
    ("problem", "问题"),
    ("residual σ_r", "残差 σ_r"),
    ("sampling centre − θ* (along e₁)", "采样中心 − θ*（沿 e₁）"),
    ("sign (Adam, ε = 0)", "sign（Adam，ε = 0）"),
    ("simulated Adam steps", "模拟的 Adam 步数"),
    ("simulated √v̂ after {} steps", "{} 步后模拟的 √v̂"),
    ("softsign (Adam with ε)", "softsign（带 ε 的 Adam）"),
    ("solid E[ũ] · dashed E[ũ²]", "实线 E[ũ] · 虚线 E[ũ²]"),
    ("step t", "步数 t"),
    ("steps S against data E = BS", "步数 S 与数据量 E = BS"),
    ("surge", "激增"),
    ("toy 2-D (spec)", "二维玩具问题（规格）"),
    ("gradient g = (g₁, g₂)", "梯度 g = (g₁, g₂)"),
    ("Hessian h₁₁, h₁₂, h₂₂", "Hessian 矩阵 h₁₁, h₁₂, h₂₂"),
    ("noise variances Σ = diag(σ₁², σ₂²)", "噪声方差 Σ = diag(σ₁², σ₂²)"),
    ("two numbers, not both 0", "两个数，不能同时为 0"),
    ("symmetric, positive definite", "对称正定"),
    ("per-sample gradient variances, ≥ 0", "单样本梯度方差，≥ 0"),
    ("expected {} numbers separated by commas, got {}", "应为 {} 个以逗号分隔的数，实际为 {}"),
    ("'{}' is not a finite number", "“{}”不是有限数"),
    ("g must not be zero", "g 不能为零"),
    ("H must be positive definite: h₁₁ > 0 and h₁₁h₂₂ > h₁₂²", "H 必须正定：h₁₁ > 0 且 h₁₁h₂₂ > h₁₂²"),
    ("variances must be ≥ 0", "方差必须 ≥ 0"),
    ("uniform: H = (1 − ρ)I + ρ11ᵀ", "均匀：H = (1 − ρ)I + ρ11ᵀ"),
    ("update", "更新规则"),
    ("v̂ of θ{} (dashed: E[g²])", "θ{} 的 v̂（虚线：E[g²]）"),
    ("v̂ₜ against step t", "v̂ₜ 随步数 t 的变化"),
    ("yes", "是"),
    ("{} (post) · {} (exact)", "{}（文章）· {}（精确）"),
    ("{} after {} steps, 1 − β₂ = {}", "{}，{} 步后，1 − β₂ = {}"),
    ("|H| = (H²)^½ (dashed)", "|H| = (H²)^½（虚线）"),
    ("|Hᵢᵢ|", "|Hᵢᵢ|"),
    ("ΔL(B) at the best step", "最优步长下的 ΔL(B)"),
    ("ε = 1.5 kills the post's surge but not the exact one", "ε = 1.5 消除了文章的激增，但没有消除精确模型的"),
    ("ε/|g|", "ε/|g|"),
    ("η* at b = {}", "b = {} 处的 η*"),
    ("η* → {}", "η* → {}"),
    ("κ = λ_max/λ_min", "κ = λ_max/λ_min"),
    ("σ_r√(Hᵢᵢ/B)", "σ_r√(Hᵢᵢ/B)"),
    ("σ_θ√(H²)ᵢᵢ", "σ_θ√(H²)ᵢᵢ"),
    ("φ (degrees)", "φ（度）"),
    ("φ = 45° makes Adam's preconditioner useless", "φ = 45° 让 Adam 的预条件失效"),
    ("— (SGD)", "—（SGD）"),
    ("−g at cloud points", "点云处的 −g"),
    ("√E[g²] (closed form)", "√E[g²]（闭式解）"),
    ("√v̂ (simulated)", "√v̂（模拟）"),
    ("√v̂ as a curvature estimate", "√v̂ 作为曲率估计"),
    ("◆ peak (surge) · ● η* at the marked b", "◆ 峰值（激增）· ● 标记 b 处的 η*"),
    ("★ simulated √v̂", "★ 模拟的 √v̂"),
];
